#!/usr/bin/env bash
# Tamper resistance with the rules locked (-e 2), issue 13 item 4.
#
# One daemon, with a pin set, first unlocked: another root process can take
# its programs, maps and links by id, open its maps for writing, update its
# links, signal and ptrace it, unlink in its pin directory (so each check
# below could fail). Then `rules load` of the same rules with -e 2 locks
# them; where BPF-LSM works (the Debian kernels `make check-vm` boots) the
# same attempts, and detaching a link, signals TERM and KILL, renaming a pin
# and writing a map through an fd taken before the lock, fail with EPERM,
# each leaving one URING_TAMPER record naming the process and what it tried;
# the daemon still records, and its parent (this script) stops it. Where
# BPF-LSM does not work (the development host) the lock record says that
# tamper resistance is not in force and why. A second daemon started locked
# says the same in its start record.
#
# The attempts come from tests/progs/ua_tamper (raw system calls, the ones
# bpftool, kill, gdb and rm make); only this test's daemon is guarded, and
# its records are picked by the attempting process's pid.
. "$(dirname "$0")/lib.sh"

LSM_CASES=(tamper_prog_by_id tamper_map_by_id tamper_link_by_id tamper_map_open_write
	tamper_map_write_held tamper_link_update tamper_link_detach tamper_signal tamper_ptrace
	tamper_unpin tamper_still_records tamper_parent_stops)
CASES=(unlocked_allows tamper_lock_record "${LSM_CASES[@]}" tamper_start_record)
STATUS_CASES=(status_unlocked reload_unlocked status_locked reload_locked)
ua_require "${STATUS_CASES[@]}" "${CASES[@]}"

R=$UA_TMP/open.rules
printf '%s\n' "-a always,io_uring -S openat -F exe=$DRV -k tamper" >"$R"
{
	cat "$R"
	echo "-e 2"
} >"$UA_TMP/locked.rules"
chmod 600 "$R" "$UA_TMP/locked.rules"

# status and reload, without a pin set: what protects the records, in the
# three forms of status; `uringaudit reload` (the unit's ExecReload) before
# and after the lock.
st() { "$UA" status --json --socket "$UA_TMP/sock" | jq -r '"\(.backend) \(.tamper) \(.tamper_why) \(.enforcement)"'; }
stx() { "$UA" status --socket "$UA_TMP/sock" | grep -E '^(tamper|enforcement)' | tr '\n' ' '; }
stm() { "$UA" status --openmetrics --socket "$UA_TMP/sock" | grep -E '^uringaudit_(tamper|enforcement)_info' | tr '\n' ' '; }
if ! ua_start --rules "$R"; then
	for n in "${STATUS_CASES[@]}"; do fail "$n" "the daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"; done
else
	BE=$(jq -r 'select(.type=="URING_DAEMON" and .op=="start") | .backend' "$UA_LOG" | tail -1)
	check_eq status_unlocked "$(st)/$(stx)/$(stm)" \
		"$BE off the rules are not locked (-e 2) off/tamper: \"off\" tamper_why: \"the rules are not locked (-e 2)\" enforcement: \"off\" /uringaudit_tamper_info{tamper=\"off\"} 1 uringaudit_enforcement_info{enforcement=\"off\"} 1 " &&
		ok status_unlocked

	# unlocked: the rule files read again, the record naming this client
	"$UA" reload --socket "$UA_TMP/sock" >"$UA_TMP/reload.out" 2>&1
	rc=$?
	cfg() { jq -r 'select(.type=="URING_CONFIG") | "\(.op) \(.res) \(.files) \(.sender_uid) \(.reason)"' "$UA_LOG"; }
	wait_for eval '[ -n "$(cfg)" ]'
	check_eq reload_unlocked "$rc $(cfg)" "0 load success $R 0 null" && ok reload_unlocked

	"$UA" rules load "$UA_TMP/locked.rules" --socket "$UA_TMP/sock" >/dev/null 2>&1
	lockrec() { jq -c 'select(.type=="URING_DAEMON" and .op=="lock")' "$UA_LOG"; }
	wait_for eval '[ -n "$(lockrec)" ]'
	# status says what the lock record says
	check_eq status_locked "$(st)" "$(lockrec | jq -r "\"$BE \\(.tamper) \\(.tamper_why) off\"")" &&
		ok status_locked

	# locked: refused, exit 1, a record naming the client; the log reopened
	# (moved away first: the refusal is in the new one); the rules kept
	mv "$UA_LOG" "$UA_LOG.locked"
	"$UA" reload --socket "$UA_TMP/sock" >"$UA_TMP/reload.out" 2>&1
	rc=$?
	if wait_for test -s "$UA_LOG"; then
		check_eq reload_locked "$rc/$(cfg)/$(grep -c 'rules are locked (-e 2) until the daemon restarts' "$UA_TMP/reload.out")/$("$UA" rules list --socket "$UA_TMP/sock" | grep -c -- '-e 2')" \
			"1/reload refused  0 rules are locked (-e 2): the logs were reopened; the configuration and the rule files were not read/1/1" &&
			ok reload_locked
	else
		fail reload_locked "exit $rc, no new log: $(cat "$UA_TMP/reload.out")"
	fi
	ua_stop
	: >"$UA_LOG"
fi

T=$UA_TOP/$UA_BUILD/tests/ua_tamper
PD=/sys/fs/bpf/uringaudit-test-$$
if [ ! -x "$T" ]; then
	for n in "${CASES[@]}"; do skip "$n" "not built ($T)"; done
	exit 0
fi
# The daemon mounts bpffs at /sys/fs/bpf when nothing is mounted there.
if ! grep -qw bpf /proc/filesystems; then
	for n in "${CASES[@]}"; do skip "$n" "kernel without bpffs (the pin set)"; done
	exit 0
fi
cleanup_pins() {
	[ -n "${HOLD_PID:-}" ] && kill "$HOLD_PID" 2>/dev/null
	ua_cleanup
	"$UA" unpin "$PD" >/dev/null 2>&1
}
trap cleanup_pins EXIT
ua_unpin_dead_tests

# ua_tamper ARGS: its output in $UA_TMP/t.out; sets TP (its pid) and RC (its rc= line)
tamper() {
	"$T" "$@" >"$UA_TMP/t.out" 2>&1
	TP=$(sed -n 's/^pid=//p' "$UA_TMP/t.out")
	RC=$(sed -n 's/^rc=//p' "$UA_TMP/t.out" | tail -1)
}
# URING_TAMPER records of process $TP: "op hook object id exit", one line each
trecs() {
	jq -r "select(.type==\"URING_TAMPER\" and .pid==$TP) | \"\(.op) \(.hook) \(.object) \(.id) \(.exit)\"" "$UA_LOG"
}
# the one record of $TP, waited for
trec() {
	wait_for eval '[ -n "$(trecs)" ]'
	trecs
}

if ! ua_start --rules "$R" --pin-dir "$PD"; then
	for n in "${CASES[@]}"; do fail "$n" "the daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"; done
	exit 0
fi

# The set's ids: a hash map (its all-zero key is absent), a link and its program.
"$T" ids "$PD" >"$UA_TMP/ids" 2>&1
MAP=$(awk '$1=="map" && $2=="map_pending" {print $2; exit}' "$UA_TMP/ids")
MAPID=$(awk '$1=="map" && $2=="map_pending" {print $3; exit}' "$UA_TMP/ids")
LINK=$(awk '$1=="link" {print $2; exit}' "$UA_TMP/ids")
LINKID=$(awk '$1=="link" {print $3; exit}' "$UA_TMP/ids")
PROGID=$(awk '$1=="link" {print $4; exit}' "$UA_TMP/ids")
if [ -z "$MAPID" ] || [ -z "$LINKID" ] || [ -z "$PROGID" ]; then
	for n in "${CASES[@]}"; do fail "$n" "the pin set's ids: $(head -c 300 "$UA_TMP/ids")"; done
	exit 0
fi

# Unlocked: every attempt works (or fails for its own reason, never EPERM).
got=""
tamper prog_by_id "$PROGID"; got="$got prog=$RC"
tamper map_by_id "$MAPID"; got="$got map=$RC"
tamper link_by_id "$LINKID"; got="$got link=$RC"
tamper map_open_write "$PD/$MAP"; got="$got open=$RC"
tamper link_update "$PD/$LINK"; got="$got update=$([ "$RC" = -1 ] && echo EPERM || echo other)"
tamper kill "$UA_PID" 18; got="$got cont=$RC"
tamper ptrace "$UA_PID"; got="$got ptrace=$RC"
tamper pin_dummy "$PD/dummy"
tamper unlink "$PD/dummy"; got="$got unlink=$RC"
check_eq unlocked_allows "$got" \
	" prog=0 map=0 link=0 open=0 update=other cont=0 ptrace=0 unlink=0" && ok unlocked_allows

# A write fd of the map, taken while unlocked, used once locked.
coproc HOLD { "$T" held_delete "$PD/$MAP" 2>&1; }
HOLD_PID=$HOLD_PID
read -r -t "$UA_TIMEOUT" -u "${HOLD[0]}" hold_pid_line
read -r -t "$UA_TIMEOUT" -u "${HOLD[0]}" held

out=$("$UA" rules load "$UA_TMP/locked.rules" --socket "$UA_TMP/sock" 2>&1)
lockrec() { jq -c 'select(.type=="URING_DAEMON" and .op=="lock")' "$UA_LOG"; }
wait_for eval '[ -n "$(lockrec)" ]'
TAMPER=$(lockrec | jq -r .tamper)
WHY=$(lockrec | jq -r .tamper_why)
if [ "$TAMPER" = on ]; then
	ok tamper_lock_record
	echo "# BPF-LSM guards the daemon: $(grep -m1 'tamper resistance in force' "$UA_TMP/daemon.err")"
elif [ "$TAMPER" = off ] && printf '%s' "$WHY" | grep -q "LSM"; then
	ok tamper_lock_record
	echo "# no tamper resistance here: $WHY"
	for n in "${LSM_CASES[@]}"; do skip "$n" "no BPF-LSM here: $WHY"; done
else
	fail tamper_lock_record "rules load: $out; lock record: $(lockrec)"
	for n in "${LSM_CASES[@]}"; do skip "$n" "the rules did not lock"; done
fi
[ -n "${HOLD_PID:-}" ] && [ "$TAMPER" != on ] && { echo go >&"${HOLD[1]}"; wait "$HOLD_PID" 2>/dev/null; HOLD_PID=; }

if [ "$TAMPER" = on ]; then
	tamper prog_by_id "$PROGID"
	check_eq tamper_prog_by_id "$RC/$(trec)" "-1/prog_get_fd_by_id bpf prog $PROGID -1" &&
		ok tamper_prog_by_id
	tamper map_by_id "$MAPID"
	check_eq tamper_map_by_id "$RC/$(trec)" "-1/map_get_fd_by_id bpf map $MAPID -1" &&
		ok tamper_map_by_id
	tamper link_by_id "$LINKID"
	check_eq tamper_link_by_id "$RC/$(trec)" "-1/link_get_fd_by_id bpf link $LINKID -1" &&
		ok tamper_link_by_id
	tamper map_open_write "$PD/$MAP"
	check_eq tamper_map_open_write "$RC/$(trec)" "-1/map_open_write bpf_map map $MAPID -1" &&
		ok tamper_map_open_write

	# the fd taken before the lock: its write is refused too
	if [ "$held" != held ]; then
		fail tamper_map_write_held "the holder said '$hold_pid_line' '$held'"
	else
		echo go >&"${HOLD[1]}"
		read -r -t "$UA_TIMEOUT" -u "${HOLD[0]}" hrc
		wait "$HOLD_PID" 2>/dev/null
		TP=${hold_pid_line#pid=}
		HOLD_PID=
		check_eq tamper_map_write_held "$hrc/$(trec)/$(jq -r "select(.type==\"URING_TAMPER\" and .pid==$TP) | .cmd" "$UA_LOG")" \
			"rc=-1/map_write bpf map $MAPID -1/map_delete_elem" && ok tamper_map_write_held
	fi

	tamper link_update "$PD/$LINK"
	check_eq tamper_link_update "$RC/$(trec)" "-1/link_update bpf link $LINKID -1" &&
		ok tamper_link_update
	tamper link_detach "$PD/$LINK"
	check_eq tamper_link_detach "$RC/$(trec)" "-1/link_detach bpf link $LINKID -1" &&
		ok tamper_link_detach

	# CONT, TERM, KILL from a process that is not the daemon's parent
	got=""
	for s in 18 15 9; do
		tamper kill "$UA_PID" "$s"
		got="$got $RC:$(wait_for eval '[ -n "$(trecs)" ]'; jq -r "select(.type==\"URING_TAMPER\" and .pid==$TP) | \"\(.op) \(.hook) \(.signal) \(.exit)\"" "$UA_LOG")"
	done
	kill -0 "$UA_PID" 2>/dev/null && got="$got alive" || got="$got dead"
	check_eq tamper_signal "$got" \
		" -1:signal task_kill SIGCONT -1 -1:signal task_kill SIGTERM -1 -1:signal task_kill SIGKILL -1 alive" &&
		ok tamper_signal

	# PTRACE_ATTACH: the record's mode has PTRACE_MODE_ATTACH (2)
	tamper ptrace "$UA_PID"
	pt=$(trec | cut -d' ' -f1,2,5)
	mode=$(jq -r "select(.type==\"URING_TAMPER\" and .pid==$TP) | .mode" "$UA_LOG")
	check_eq tamper_ptrace "$RC/$pt/$((${mode:-0} & 2))" "-1/ptrace ptrace_access_check -1/2" &&
		ok tamper_ptrace

	tamper unlink "$PD/$MAP"
	u="$RC/$(wait_for eval '[ -n "$(trecs)" ]'; jq -r "select(.type==\"URING_TAMPER\" and .pid==$TP) | \"\(.op) \(.hook) \(.name)\"" "$UA_LOG")"
	tamper rename "$PD/$LINK" "$PD/moved"
	u="$u $RC/$(wait_for eval '[ -n "$(trecs)" ]'; jq -r "select(.type==\"URING_TAMPER\" and .pid==$TP) | \"\(.op) \(.hook) \(.name)\"" "$UA_LOG")"
	[ -e "$PD/$MAP" ] && [ -e "$PD/$LINK" ] && u="$u kept" || u="$u gone"
	check_eq tamper_unpin "$u" "-1/unpin inode_unlink $MAP -1/rename inode_rename $LINK kept" &&
		ok tamper_unpin

	# the daemon records on, its links in place
	drive openat:/etc/hostname >/dev/null
	P=$(drv pid)
	wait_count ".pid==$P and .key==\"tamper\"" 1 && [ "$(count ".pid==$P and .key==\"tamper\"")" = 1 ] &&
		ok tamper_still_records || fail tamper_still_records "$(count ".pid==$P") records of the driver"

	# its parent (this script) stops it: SIGTERM, the clean stop unpins
	kill -TERM "$UA_PID"
	wait "$UA_PID"
	rc=$?
	UA_PID=
	stop=$(jq -c 'select(.type=="URING_DAEMON" and .op=="stop")' "$UA_LOG" | tail -1)
	check_eq tamper_parent_stops "$rc $(jq -r '"\(.signal) \(.sender_pid)"' <<<"$stop") $([ -e "$PD" ] && echo pinned || echo unpinned)" \
		"0 SIGTERM $$ unpinned" && ok tamper_parent_stops
fi
ua_stop

# A daemon started with the rules locked: its start record says it.
: >"$UA_LOG"
if ! ua_start --rules "$UA_TMP/locked.rules"; then
	fail tamper_start_record "the locked daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
	exit 0
fi
start=$(jq -c 'select(.type=="URING_DAEMON" and .op=="start")' "$UA_LOG" | tail -1)
if [ "$TAMPER" = on ]; then
	check_eq tamper_start_record "$(jq -r '"\(.tamper) \(.tamper_why)"' <<<"$start")" "on null" &&
		ok tamper_start_record
else
	check_eq tamper_start_record "$(jq -r '"\(.tamper) \(.tamper_why)"' <<<"$start")" "off $WHY" &&
		ok tamper_start_record
fi
ua_stop
