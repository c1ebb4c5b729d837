#!/usr/bin/env bash
# Holders of SQPOLL rings (issue 10 item 8): a ring made by root and driven by
# a uid-65534 process that inherited it. The request runs in root's SQ thread
# and its record names root; a URING_HOLDER record must name the other
# process. tests/progs/ua_holders does the driving (see its header).
. "$(dirname "$0")/lib.sh"

CASES=(holder_sqpoll_record holder_inherited holder_lone_none holder_count_on_record
	holder_status)
ua_require "${CASES[@]}"
PROG=$UA_TOP/$UA_BUILD/tests/ua_holders
if [ ! -x "$PROG" ]; then
	for n in "${CASES[@]}"; do skip "$n" "not built ($PROG)"; done
	exit 0
fi

# Only this test's rings: no other process's SQPOLL requests start listings
# (which are spaced 100 ms apart) in this daemon.
RULES=$UA_TMP/open.rules
echo "-a always,io_uring -S openat -F exe=$PROG -k holders" >"$RULES"
chmod 600 "$RULES"
ua_start --rules "$RULES" || {
	for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done
	exit 0
}

# Any record type matching a jq condition.
anyrecs() { jq -c "select($1)" "$UA_LOG" 2>/dev/null; }
anycount() { anyrecs "$1" | wc -l; }
OUT=$UA_TMP/holders.out
REL=$UA_TMP/release
"$PROG" run "$REL" >"$OUT" 2>"$UA_TMP/holders.err" &
PROG_PID=$!
release() {
	touch "$REL"
	wait "$PROG_PID"
}
if ! wait_for grep -q '^parent=' "$OUT"; then
	release
	for n in "${CASES[@]}"; do fail "$n" "ua_holders: $(cat "$UA_TMP/holders.err")"; done
	exit 0
fi
val() { grep -o "\b$1=[^ ]*" "$OUT" | cut -d= -f2; }
PARENT=$(val parent)
CHILD=$(val child)
SHARED_FD=$(val shared_fd)
LONE_FD=$(val lone_fd)
SHADOW_RES=$(val shadow_res)

# The rings' ids, from their URING_SETUP records.
setup_ring() {
	anyrecs ".type==\"URING_SETUP\" and .pid==$PARENT and .fd==$1" | jq -r .ring | head -1
}
wait_for eval '[ "$(anycount ".type==\"URING_SETUP\" and .pid==$PARENT")" -ge 2 ]'
SHARED=$(setup_ring "$SHARED_FD")
LONE=$(setup_ring "$LONE_FD")

# Both opens, and the holder record of the shared ring; the listing that made
# it also covered the lone ring, which existed before the child was forked.
wait_count ".pid==$PARENT and .op==\"openat\"" 2
wait_for eval '[ "$(anycount ".type==\"URING_HOLDER\" and .pid==$CHILD")" -ge 1 ]'
release

# --- the open of /etc/shadow: run by root's SQ thread, named as root ---------
if [ -z "$SHARED" ] || [ -z "$LONE" ]; then
	fail holder_sqpoll_record "no URING_SETUP records for pid $PARENT"
elif [ "$SHADOW_RES" -lt 0 ]; then
	fail holder_sqpoll_record "the SQ thread did not open /etc/shadow ($SHADOW_RES)"
else
	check_eq holder_sqpoll_record \
		"$(field ".pid==$PARENT and .name==\"/etc/shadow\"" '[.ring,.ctx,.uid,.cred,.success,.exit]|@tsv')" \
		"$(printf '%s\tsqpoll\t0\tsqpoll\ttrue\t%s' "$SHARED" "$SHADOW_RES")" && ok holder_sqpoll_record
fi

# --- the uid-65534 process that wrote the SQE: fd, mapping, registered fd ----
H=$(anyrecs ".type==\"URING_HOLDER\" and .pid==$CHILD")
if [ -z "$H" ]; then
	fail holder_inherited "no URING_HOLDER record for pid $CHILD (ring $SHARED)"
else
	check_eq holder_inherited "$(jq -r '[.ring,.creator,.how,.fd,.ring_fd,.uid,.euid,.fsuid,.ppid,.comm]|@tsv' <<<"$H")" \
		"$(printf '%s\t%s\tfd,mmap,registered\t%s\t0\t65534\t65534\t65534\t%s\tua_holders' \
			"$SHARED" "$PARENT" "$SHARED_FD" "$PARENT")" &&
		check_eq holder_inherited "$(wc -l <<<"$H")" 1 && ok holder_inherited
fi

# --- a ring nobody else holds: no holder record; the creator is never one ----
N=$(anycount ".type==\"URING_HOLDER\" and (.ring==\"$LONE\" or .pid==$PARENT)")
if [ -z "$LONE" ]; then
	fail holder_lone_none "no URING_SETUP record for the lone ring"
else
	check_eq holder_lone_none "$N" 0 && ok holder_lone_none
fi

# --- the records of the shared ring say it has one other holder --------------
# The shadow open is the first SQPOLL request this daemon sees: its ring is
# listed at once, before its record is written.
check_eq holder_count_on_record \
	"$(field ".pid==$PARENT and .name==\"/etc/shadow\"" .holders) $(field ".pid==$PARENT and .name==\"/etc/hostname\"" .holders)" \
	"1 null" && ok holder_count_on_record

# --- status counts the listings and the records they wrote --------------------
S=$("$UA" status --json --socket "$UA_TMP/sock" 2>&1)
if jq -e '.holder_listings >= 1 and .holders_listed >= 1 and .holder_listing_us > 0' \
	>/dev/null 2>&1 <<<"$S"; then
	ok holder_status
else
	fail holder_status "status: $S"
fi
