#!/usr/bin/env bash
# deny and kill rules where the kernel cannot stop a request (no BPF-LSM):
# refused with the missing feature named, unless the rules say
# `--enforce best-effort`; then a kill rule SIGKILLs the submitter when its
# request is seen (inline, through the SQ thread, decided at an io-wq
# completion), a deny rule records, and the records say the request was not
# stopped. Every kill rule names this test's own copy of the driver (exe=):
# other processes on the machine are never at risk.
. "$(dirname "$0")/lib.sh"

CASES=(refuse_deny refuse_kill kill_inline kill_sqpoll kill_iowq_completion deny_best_effort
	kill_allowed_requests)
ua_require "${CASES[@]}"

W=$UA_TMP/work
mkdir -p "$W/bin"
chmod 755 "$W" "$W/bin"
KX=$W/bin/killme
cp "$DRV" "$KX"
echo a >"$W/allowed"
echo f >"$W/forbidden"
echo d >"$W/denied"
echo s >"$W/secret"

# ---- refusal: no --enforce best-effort ----
# Where BPF-LSM enforces (not this daemon yet) the refusal would not come;
# the probe's reason is in the message either way.
refuse() { # name action
	local rules=$UA_TMP/$1.rules rc
	printf -- '-a always,io_uring -S nop -k first\n-a %s,io_uring -S connect -F uid!=0 -F exe=%s -k no-net\n' \
		"$2" "$KX" >"$rules"
	chmod 600 "$rules"
	rm -f "$UA_TMP/refuse.pid"
	timeout "$UA_TIMEOUT" "$UA" run --rules "$rules" --log "$UA_TMP/refuse.log" \
		--pid-file "$UA_TMP/refuse.pid" --socket "$UA_TMP/refuse.sock" 2>"$UA_TMP/refuse.err"
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "$1" "exit $rc, expected 1: $(head -c 300 "$UA_TMP/refuse.err")"
	elif [ -e "$UA_TMP/refuse.pid" ]; then
		fail "$1" "a pid file was written"
	elif ! grep -q "$rules:2:1: action '$2' needs BPF-LSM to stop requests: [a-zA-Z]" "$UA_TMP/refuse.err"; then
		fail "$1" "message: $(head -c 400 "$UA_TMP/refuse.err")"
	elif ! grep -q "BPF-LSM\|LSM list" <(sed 's/.*stop requests: //' "$UA_TMP/refuse.err"); then
		fail "$1" "the reason names no kernel feature: $(head -c 400 "$UA_TMP/refuse.err")"
	else
		ok "$1"
	fi
}
refuse refuse_deny deny
refuse refuse_kill kill
sed -n '1s/.*stop requests: \([^(]*\).*/# reason here: \1/p' "$UA_TMP/refuse.err"

# ---- best-effort ----
RULES=$UA_TMP/deny.rules
cat >"$RULES" <<EOF
--enforce best-effort
-a kill,io_uring -S openat -F exe=$KX -F path=$W/forbidden -k kill-open
-a kill,io_uring -S read -F exe=$KX -F path=$W/secret -F success=1 -k kill-read
-a deny,io_uring -S openat -F exe=$KX -F path=$W/denied -k deny-open
-a always,io_uring -S openat,read -F exe=$KX -k seen
EOF
chmod 600 "$RULES"
ua_start --rules "$RULES" || {
	for n in "${CASES[@]:2}"; do fail "$n" "daemon did not start"; done
	exit 0
}
if ! grep -q "best-effort" "$UA_TMP/daemon.err"; then
	echo "# the daemon did not say it runs best-effort: $(head -c 300 "$UA_TMP/daemon.err")"
fi

# Run the driver copy; sets RC and P (its pid, from its first line).
killme() {
	# in a subshell of its own, so that bash does not report the kill
	("$KX" "$@" >"$UA_TMP/drv.out" 2>"$UA_TMP/drv.err"; echo $? >"$UA_TMP/drv.rc") 2>/dev/null
	RC=$(cat "$UA_TMP/drv.rc")
	P=$(drv pid)
}
# The one record of this pid's op with key K: "ctx action stopped killed exit", or why not.
rec_of() { # op key
	local c=".pid==$P and .op==\"$1\" and .key==\"$2\""
	wait_count "$c" 1 || { echo "no record"; return; }
	[ "$(count "$c")" = 1 ] || { echo "$(count "$c") records"; return; }
	field "$c" '"\(.ctx) \(.action) \(.stopped) \(.killed) \(.success)"'
}

# inline: killed at submit, in the task that entered io_uring_enter
killme openat:"$W/allowed" openat:"$W/forbidden" openat:"$W/allowed"
if [ "$RC" != 137 ]; then
	fail kill_inline "driver exit $RC, expected 137 (SIGKILL)"
else
	got=$(rec_of openat kill-open)
	n_allowed=$(count ".pid==$P and .op==\"openat\" and .key==\"seen\"")
	check_eq kill_inline "$got / $n_allowed" "task kill false true true / 1" && ok kill_inline
fi

# SQPOLL: the SQ thread submits; it is an io thread of the ring creator's
# process, so the creator dies.
killme --sqpoll openat:"$W/forbidden" openat:"$W/allowed"
if [ "$RC" != 137 ]; then
	fail kill_sqpoll "driver exit $RC, expected 137 (SIGKILL)"
else
	got=$(rec_of openat kill-open)
	check_eq kill_sqpoll "$got" "sqpoll kill false true true" && ok kill_sqpoll
fi

# A rule decided at completion (success=1 on a read of a file descriptor),
# the read punted to io-wq: the signal goes from the completion, in a task
# of the submitter's process.
killme read:"$W/secret"+async openat:"$W/allowed"
if [ "$RC" != 137 ]; then
	fail kill_iowq_completion "driver exit $RC, expected 137 (SIGKILL)"
else
	got=$(rec_of read kill-read)
	check_eq kill_iowq_completion "$got" "iowq kill false true true" && ok kill_iowq_completion
fi

# deny, best-effort: the request runs (the open succeeds), the record says so
killme openat:"$W/denied"
if [ "$RC" != 0 ]; then
	fail deny_best_effort "driver exit $RC: $(head -c 200 "$UA_TMP/drv.err")"
else
	got=$(rec_of openat deny-open)
	check_eq deny_best_effort "$got res=$(drv res)" "task deny false null true res=$(drv res)" &&
		[ "$(drv res)" -ge 0 ] && ok deny_best_effort || {
		[ "$(drv res)" -ge 0 ] 2>/dev/null || fail deny_best_effort "the open failed: res=$(drv res)"
	}
fi

# requests no kill rule matches: the process lives, its records carry no action
killme openat:"$W/allowed" read:"$W/allowed"+async read:"$W/allowed"
if [ "$RC" != 0 ]; then
	fail kill_allowed_requests "driver exit $RC: $(head -c 200 "$UA_TMP/drv.err")"
elif ! wait_count ".pid==$P and .key==\"seen\"" 3; then
	fail kill_allowed_requests "$(count ".pid==$P") records of pid $P, expected 3"
else
	check_eq kill_allowed_requests "$(recs ".pid==$P" | jq -r '"\(.action)"' | sort | uniq -c | tr -s ' ')" \
		" 3 null" && ok kill_allowed_requests
fi
