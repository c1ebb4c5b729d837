#!/usr/bin/env bash
# Restart without blind spots: the BPF state pinned under bpffs (--pin-dir),
# a daemon killed with SIGKILL leaves the programs counting, the next one
# reattaches, reads what the ring buffer kept and says what happened while
# nobody consumed it; a clean stop unpins everything; a set of another build
# or settings, a damaged set, a planted path and a second daemon are each
# handled and said. Also the heartbeat record.
. "$(dirname "$0")/lib.sh"

CASES=(restart_kept_records restart_record pending_across_restart submitted_before_kill
	rules_after_restart lockdown_after_restart lock_survives_kill clean_stop_unpins version_mismatch_replaced
	settings_mismatch_replaced damaged_set_replaced planted_pin_path second_daemon_refused
	unpin_command heartbeat_cadence heartbeat_off)
ua_require "${CASES[@]}"
if ! grep -qw bpf /proc/filesystems; then
	for n in "${CASES[@]}"; do skip "$n" "kernel without bpffs"; done
	exit 0
fi
if ! command -v python3 >/dev/null; then
	for n in "${CASES[@]}"; do skip "$n" "python3 not installed (the test's TCP server)"; done
	exit 0
fi

# One pin set per run of this script (other daemons pin elsewhere).
PD=/sys/fs/bpf/uringaudit-test-$$
cleanup_pins() {
	ua_cleanup
	"$UA" unpin "$PD" >/dev/null 2>&1
	"$UA" unpin "$PD-b" >/dev/null 2>&1
	rm -rf "$PD-x" "$PD-l" 2>/dev/null
}
trap cleanup_pins EXIT
ua_unpin_dead_tests

# Only the driver's requests: other processes on the machine are not ours to count.
R=$UA_TMP/restart.rules
printf '%s\n' "-a always,io_uring -S openat,recv -F exe=$DRV -k restart" >"$R"
daemons() { jq -c 'select(.type=="URING_DAEMON")' "$UA_LOG"; }
drecs() { jq -c "select(.type==\"URING_DAEMON\" and .op==\"$1\")" "$UA_LOG"; }
kill9() {
	kill -9 "$UA_PID"
	wait "$UA_PID" 2>/dev/null
	UA_PID=
}
link_ids() { bpftool -j link show 2>/dev/null | jq -r '.[].id' | sort -n; }
# The links the daemon holds that run on their own (its holder iterators run
# only when it asks): each must be pinned, or it dies with the daemon.
held_link_ids() {
	local i
	for i in $(sed -n 's/^link_id:[[:space:]]*//p' /proc/"$UA_PID"/fdinfo/* 2>/dev/null); do
		bpftool -j link show id "$i" 2>/dev/null | jq -r 'select(.type!="iter") | .id'
	done | sort -n
}
pinned_link_ids() {
	local f
	for f in "$PD"/link_*; do bpftool -j link show pinned "$f" | jq -r .id; done | sort -n
}

# A TCP server that accepts one connection and sends 5 bytes once $1 exists:
# a recv submitted before it completes whenever the test says.
tcp_gate() {
	rm -f "$UA_TMP/gate.port"
	python3 -c '
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
s.settimeout(float(sys.argv[2]))
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
end = time.time() + float(sys.argv[2])
while not os.path.exists(sys.argv[1]) and time.time() < end:
    time.sleep(0.02)
c.sendall(b"hello"); time.sleep(0.5)
' "$1" "$UA_TIMEOUT" >"$UA_TMP/gate.port" &
	GATE=$!
	wait_for test -s "$UA_TMP/gate.port"
}
status_pending() { "$UA" status --json --socket "$UA_TMP/sock" 2>/dev/null | jq -r '.pending // 0'; }

# --- SIGKILL, requests while down, restart ---------------------------------------
UA_LOG=$UA_TMP/restart.json
if ua_start --rules "$R" --pin-dir "$PD"; then
	drive openat:/etc/hostname
	P0=$(drv pid)
	wait_count ".pid==$P0" 1
	OLD=$UA_PID
	before_links=$(pinned_link_ids | tr '\n' ' ')
	held_links=$(held_link_ids | tr '\n' ' ')
	kill9
	# The programs run on: the pinned links are still there, and the opens
	# made now are kept in the pinned ring buffer.
	after_links=$(pinned_link_ids | tr '\n' ' ')
	drive openat:/etc/hostname openat:/etc/passwd
	P1=$(drv pid)
	ino1=$(drv ino 1) ino2=$(drv ino 2) res1=$(drv res 1) res2=$(drv res 2)
	if ua_start --rules "$R" --pin-dir "$PD"; then
		wait_count ".pid==$P1" 2
		wait_for eval '[ -n "$(drecs restart)" ]'
		ok1=$(recs ".pid==$P1 and .name==\"/etc/hostname\"" | jq -r '[.success,.exit,.new_ino,.key,.comm]|@tsv')
		ok2=$(recs ".pid==$P1 and .name==\"/etc/passwd\"" | jq -r '[.success,.exit,.new_ino,.key,.comm]|@tsv')
		n1=$(count ".pid==$P1")
		start2=$(drecs start | tail -1)
		if [ -n "$before_links" ] && [ "$before_links" = "$after_links" ] &&
			[ "$held_links" = "$before_links" ] &&
			[ "$ok1" = "$(printf 'true\t%s\t%s\trestart\turing_driver' "$res1" "$ino1")" ] &&
			[ "$ok2" = "$(printf 'true\t%s\t%s\trestart\turing_driver' "$res2" "$ino2")" ] &&
			[ "$n1" = 2 ] && [ "$(count ".pid==$P0")" = 1 ] &&
			[ "$(jq -r '[.pin,.previous]|@tsv' <<<"$start2")" = "$(printf 'reattached\tunclean')" ]; then
			ok restart_kept_records
		else
			fail restart_kept_records "links held '$held_links' pinned '$before_links'/'$after_links' ok1='$ok1' ok2='$ok2' n=$n1 start='$start2'"
		fi
		# One restart record: the previous daemon, two requests selected and
		# kept, recorded from the kept ring buffer, nothing lost.
		rr=$(drecs restart)
		# (selected: every request of a selected opcode, the machine's too)
		got=$(jq -r '[.previous_pid,(.selected>=2),.lost,.held,.resumed,(.kept>=2),(.recorded>=2),(.events>=.kept),(.down_since|type)]|@tsv' <<<"$rr")
		if [ "$(wc -l <<<"$rr")" = 1 ] &&
			[ "$got" = "$(printf '%s\ttrue\t0\t0\t0\ttrue\ttrue\ttrue\tnumber' "$OLD")" ]; then
			ok restart_record
		else
			fail restart_record "$rr"
		fi
		ua_stop
	else
		fail restart_kept_records "restart failed: $(tail -3 "$UA_TMP/daemon.err")"
		fail restart_record "restart failed"
	fi
else
	fail restart_kept_records "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
	fail restart_record "daemon did not start"
fi

# --- a request submitted while down, completed after the restart: joined --------
UA_LOG=$UA_TMP/pending.json
rm -f "$UA_TMP/go"
if ua_start --rules "$R" --pin-dir "$PD"; then
	kill9
	tcp_gate "$UA_TMP/go"
	port=$(cat "$UA_TMP/gate.port")
	"$DRV" socket:inet:stream connect:127.0.0.1:"$port" recv:5 >"$UA_TMP/drv.out" 2>&1 &
	DP=$!
	# The recv waits in the kernel's pinned pending table.
	wait_for eval '[ "$(bpftool -j map dump pinned "$PD/map_pending" | jq length)" -ge 1 ]'
	if ua_start --rules "$R" --pin-dir "$PD"; then
		touch "$UA_TMP/go"
		wait "$DP"
		P=$(drv pid)
		if wait_count ".pid==$P and .op==\"recv\"" 1 &&
			[ "$(field ".pid==$P and .op==\"recv\"" '[.exit,.cqe,.key]|@tsv')" = "$(printf '5\tposted\trestart')" ] &&
			[ "$(count ".pid==$P")" = 1 ]; then
			ok pending_across_restart
		else
			fail pending_across_restart "$(recs ".pid==$P") $(daemons)"
		fi
		ua_stop
	else
		fail pending_across_restart "restart failed"
	fi
	wait "$GATE" 2>/dev/null
else
	fail pending_across_restart "daemon did not start"
fi

# --- a request submitted before the kill, completed after ------------------------
# Its SUBMIT was read by the daemon that died, which kept it in the pin set:
# the next daemon resumes it and its completion joins it. The ring keeps its
# id across the restart (the socket and connect were recorded before it).
UA_LOG=$UA_TMP/before.json
R3=$UA_TMP/sock.rules
printf '%s\n' "-a always,io_uring -S socket,connect,recv -F exe=$DRV -k restart" >"$R3"
rm -f "$UA_TMP/go"
if ua_start --rules "$R3" --pin-dir "$PD"; then
	tcp_gate "$UA_TMP/go"
	port=$(cat "$UA_TMP/gate.port")
	"$DRV" socket:inet:stream connect:127.0.0.1:"$port" recv:5 >"$UA_TMP/drv.out" 2>&1 &
	DP=$!
	wait_for eval '[ "$(status_pending)" -ge 1 ]'
	kill9
	if ua_start --rules "$R3" --pin-dir "$PD"; then
		touch "$UA_TMP/go"
		wait "$DP"
		P=$(drv pid)
		wait_for eval '[ -n "$(drecs restart)" ]'
		if wait_count ".pid==$P and .op==\"recv\"" 1 &&
			[ "$(field ".pid==$P and .op==\"recv\"" '[.exit,.cqe,.comm]|@tsv')" = "$(printf '5\tposted\turing_driver')" ] &&
			[ "$(count ".pid==$P")" = 3 ] && [ "$(recs ".pid==$P" | jq -r .ring | sort -u | wc -l)" = 1 ] &&
			[ "$(drecs restart | jq -r '[.held,.resumed]|@tsv')" = "$(printf '0\t1')" ]; then
			ok submitted_before_kill
		else
			fail submitted_before_kill "record: '$(recs ".pid==$P")' restart: $(drecs restart)"
		fi
		ua_stop
	else
		fail submitted_before_kill "restart failed"
	fi
	wait "$GATE" 2>/dev/null
else
	fail submitted_before_kill "daemon did not start"
fi

# --- rules reload and lockdown across a restart ----------------------------------
UA_LOG=$UA_TMP/rules.json
R2=$UA_TMP/second.rules
printf '%s\n' "-a always,io_uring -S openat -F exe=$DRV -k second" >"$R2"
if ua_start --rules "$R" --pin-dir "$PD"; then
	kill9
	if ua_start --rules "$R" --pin-dir "$PD"; then
		"$UA" rules load --socket "$UA_TMP/sock" "$R2" >/dev/null 2>&1
		rc=$?
		drive openat:/etc/hostname
		P=$(drv pid)
		if [ $rc = 0 ] && wait_count ".pid==$P" 1 && [ "$(field ".pid==$P" .key)" = second ]; then
			ok rules_after_restart
		else
			fail rules_after_restart "rc=$rc $(recs ".pid==$P")"
		fi
		kill9
	else
		fail rules_after_restart "restart failed"
	fi
else
	fail rules_after_restart "daemon did not start"
fi
L=$UA_TMP/locked.rules
printf '%s\n' "-a always,io_uring -S openat -F exe=$DRV -k locked" "-e 2" >"$L"
if ua_start --rules "$L" --pin-dir "$PD"; then
	"$UA" rules load --socket "$UA_TMP/sock" "$R2" >/dev/null 2>"$UA_TMP/lerr"
	rc=$?
	drive openat:/etc/hostname
	P=$(drv pid)
	if [ $rc != 0 ] && wait_count ".pid==$P" 1 && [ "$(field ".pid==$P" .key)" = locked ] &&
		[ "$(drecs start | tail -1 | jq -r .pin)" = reattached ]; then
		ok lockdown_after_restart
	else
		fail lockdown_after_restart "rc=$rc $(cat "$UA_TMP/lerr") $(recs ".pid==$P")"
	fi
else
	fail lockdown_after_restart "daemon did not start"
fi

# --- the lock survives a kill: the restarted daemon puts the locked set back,
# whatever its rule files say, and refuses reloads ---------------------------------
if [ -n "$UA_PID" ]; then
	kill9
	if ua_start --rules "$R2" --pin-dir "$PD"; then
		"$UA" rules load --socket "$UA_TMP/sock" "$R2" >/dev/null 2>&1
		rc=$?
		drive openat:/etc/hostname
		P=$(drv pid)
		cfg=$(jq -c 'select(.type=="URING_CONFIG" and .res=="refused")' "$UA_LOG" |
			grep "before the restart")
		if [ $rc != 0 ] && wait_count ".pid==$P" 1 && [ "$(field ".pid==$P" .key)" = locked ] &&
			[ "$(wc -l <<<"$cfg")" = 1 ] && [ "$(jq -r .files <<<"$cfg")" = "$R2" ]; then
			ok lock_survives_kill
		else
			fail lock_survives_kill "rc=$rc cfg='$cfg' $(recs ".pid==$P")"
		fi
	else
		fail lock_survives_kill "restart failed: $(tail -2 "$UA_TMP/daemon.err")"
	fi
else
	fail lock_survives_kill "no daemon"
fi

# --- a clean stop unpins everything and detaches -------------------------------
if [ -n "$UA_PID" ]; then
	ids=$(pinned_link_ids)
	ua_stop
	left=$(link_ids | grep -Fxf <(printf '%s\n' $ids) | tr '\n' ' ')
	if [ ! -e "$PD" ] && [ -n "$ids" ] && [ -z "$left" ]; then
		ok clean_stop_unpins
	else
		fail clean_stop_unpins "pin dir: $(ls "$PD" 2>&1 | tr '\n' ' ') links left: '$left'"
	fi
else
	fail clean_stop_unpins "no daemon"
fi

# --- a set of another build is replaced, its programs detached -------------------
# The state's build id (bytes 8..15) altered, as another build would have it.
UA_LOG=$UA_TMP/mismatch.json
if ua_start --rules "$R" --pin-dir "$PD"; then
	kill9
	old=$(pinned_link_ids)
	val=$(bpftool -j map lookup pinned "$PD/state" key 0 0 0 0 | jq -r '.value | map(ltrimstr("0x")) | .[]' | tr '\n' ' ')
	# shellcheck disable=SC2086
	set -- $val
	b8=$(printf '%02x' $(((0x$9 + 1) % 256)))
	new="${*:1:8} $b8 ${*:10}"
	# shellcheck disable=SC2086
	bpftool map update pinned "$PD/state" key 0 0 0 0 value hex $new
	if ua_start --rules "$R" --pin-dir "$PD"; then
		st=$(drecs start | tail -1)
		left=$(link_ids | grep -Fxf <(printf '%s\n' $old) | tr '\n' ' ')
		drive openat:/etc/hostname
		P=$(drv pid)
		if [ "$(jq -r .pin <<<"$st")" = replaced ] && grep -q build <<<"$(jq -r .pin_reason <<<"$st")" &&
			[ -n "$old" ] && [ -z "$left" ] && wait_count ".pid==$P" 1 && [ "$(count ".pid==$P")" = 1 ] &&
			[ -z "$(drecs restart)" ]; then
			ok version_mismatch_replaced
		else
			fail version_mismatch_replaced "start=$st left='$left'"
		fi
		kill9
	else
		fail version_mismatch_replaced "restart failed: $(tail -2 "$UA_TMP/daemon.err")"
	fi
else
	fail version_mismatch_replaced "daemon did not start"
fi

# Another ring buffer size: the set is not reusable, it is replaced.
UA_LOG=$UA_TMP/settings.json
if [ -e "$PD/state" ] && ua_start --rules "$R" --pin-dir "$PD" --ringbuf-size 1048576; then
	st=$(drecs start | tail -1)
	if [ "$(jq -r .pin <<<"$st")" = replaced ] && grep -q "ringbuf_size 8388608" <<<"$(jq -r .pin_reason <<<"$st")"; then
		ok settings_mismatch_replaced
	else
		fail settings_mismatch_replaced "start=$st"
	fi
	kill9
else
	fail settings_mismatch_replaced "no pin set or did not start: $(tail -2 "$UA_TMP/daemon.err")"
fi

# A set without its state (as a kill between the pins would leave) is damaged.
UA_LOG=$UA_TMP/damaged.json
if [ -e "$PD/state" ] && rm "$PD/state" && ua_start --rules "$R" --pin-dir "$PD" --ringbuf-size 1048576; then
	st=$(drecs start | tail -1)
	if [ "$(jq -r .pin <<<"$st")" = replaced ] && grep -q "damaged" <<<"$(jq -r .pin_reason <<<"$st")"; then
		ok damaged_set_replaced
	else
		fail damaged_set_replaced "start=$st"
	fi
else
	fail damaged_set_replaced "no pin set or did not start: $(tail -2 "$UA_TMP/daemon.err")"
fi

# --- two daemons, one pin set: the second is refused ------------------------------
if [ -n "$UA_PID" ]; then
	out=$(timeout "$UA_TIMEOUT" "$UA" run --log "$UA_TMP/second.log" --socket "$UA_TMP/s2" \
		--rules "$R" --pin-dir "$PD" --ringbuf-size 1048576 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q "pin set '$PD' is held by another uringaudit daemon" <<<"$out" &&
		[ -e "$PD/state" ]; then
		ok second_daemon_refused
	else
		fail second_daemon_refused "rc=$rc: $out"
	fi
else
	fail second_daemon_refused "no daemon"
fi

# --- uringaudit unpin: refused while a daemon holds the set, removes it after a kill
if [ -n "$UA_PID" ]; then
	"$UA" unpin "$PD" >/dev/null 2>"$UA_TMP/unpin.err"
	rc1=$?
	ids=$(pinned_link_ids)
	kill9
	out=$("$UA" unpin "$PD" 2>&1)
	rc2=$?
	left=$(link_ids | grep -Fxf <(printf '%s\n' $ids) | tr '\n' ' ')
	if [ $rc1 = 1 ] && grep -q "held by a running daemon" "$UA_TMP/unpin.err" && [ $rc2 = 0 ] &&
		[ "$out" = "$PD: removed" ] && [ ! -e "$PD" ] && [ -n "$ids" ] && [ -z "$left" ]; then
		ok unpin_command
	else
		fail unpin_command "rc1=$rc1 rc2=$rc2 out='$out' left='$left'"
	fi
else
	fail unpin_command "no daemon"
fi

# --- a planted path is refused, never used or removed ------------------------------
bad=""
for kind in file dir0755 symlink; do
	rm -rf "$PD-x" "$PD-l"
	# (bpffs holds no regular files: a pinned map stands for one; names
	# with a dot are refused there)
	case $kind in
	file) bpftool map create "$PD-x" type array key 4 value 4 entries 1 name planted ;;
	dir0755) mkdir -m 0755 "$PD-x" ;;
	symlink) mkdir -m 0700 "$PD-l" && ln -s "$PD-l" "$PD-x" ;;
	esac
	out=$(timeout "$UA_TIMEOUT" "$UA" run --log "$UA_TMP/planted.log" --socket "$UA_TMP/s3" \
		--rules "$R" --pin-dir "$PD-x" 2>&1)
	rc=$?
	{ [ $rc = 1 ] && grep -q "pin directory '$PD-x'.*refusing to use it" <<<"$out" && [ -e "$PD-x" ]; } ||
		bad="$bad [$kind: rc=$rc $out]"
done
rm -rf "$PD-x" "$PD-l"
[ -z "$bad" ] && ok planted_pin_path || fail planted_pin_path "$bad"

# --- heartbeat -------------------------------------------------------------------
UA_LOG=$UA_TMP/beat.json
if ua_start --rules "$R" --heartbeat 1; then
	drive openat:/etc/hostname
	P=$(drv pid)
	wait_count ".pid==$P" 1
	wait_for eval '[ "$(drecs heartbeat | jq -c "select(.recorded>=1)" | wc -l)" -ge 2 ]'
	ua_stop
	hb=$(drecs heartbeat)
	# one a second (the loop's tick): consecutive records 1 to 2 s apart
	gaps=$(jq -s -r '[.[].time] | [range(1; length) as $i | .[$i] - .[$i-1]] | map(. >= 0.99 and . < 2.5) | all' <<<"$hb")
	last=$(tail -1 <<<"$hb" | jq -r '[(.selected>=1),(.recorded>=1),.lost,.lost_declared,(.pending|type),(.uptime_s|type),.rules]|@tsv')
	if [ "$(wc -l <<<"$hb")" -ge 2 ] && [ "$gaps" = true ] &&
		[ "$last" = "$(printf 'true\ttrue\t0\t0\tnumber\tnumber\t1')" ]; then
		ok heartbeat_cadence
	else
		fail heartbeat_cadence "gaps=$gaps last=$last: $hb"
	fi
else
	fail heartbeat_cadence "daemon did not start"
fi
# Off by default: none of the other daemons here wrote one.
n=$(cat "$UA_TMP"/restart.json "$UA_TMP"/rules.json | jq -c 'select(.op=="heartbeat")' | wc -l)
check_eq heartbeat_off "$n" 0 && ok heartbeat_off
