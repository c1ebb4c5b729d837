#!/usr/bin/env bash
# Several sinks at once, each independent: a text and a JSON log, stdout, an
# auditd plugin (auditd-plugins(5): exec'd, records on stdin) and the kernel's
# audit stream. A plugin that stops reading must not stall the log; one that
# dies is restarted (max_restarts), every loss counted and said.
. "$(dirname "$0")/lib.sh"

CASES=(text_and_json_logs stdout_sink plugin_protocol plugin_sighup_and_eof plugin_stalled_no_stall
	plugin_dies_restarted plugin_max_restarts bad_plugin_refused audit_forward)
ua_require "${CASES[@]}"
PLUG=$UA_TOP/$UA_BUILD/tests/ua_plugin
LISTEN=$UA_TOP/$UA_BUILD/tests/audit_listen

# A plugin_dir with one plugin file (auditd's syntax), root's, 0644.
plugin_dir() { # DIR OUT [MODE]
	mkdir -p "$1"
	printf 'active = yes\ndirection = out\npath = %s\ntype = always\nargs = %s %s\nformat = string\n' \
		"$PLUG" "$2" "${3:-}" >"$1/test.conf"
	chmod 644 "$1/test.conf"
}
# Our own records: the driver's pid, in a text or JSON file.
mine_text() { grep "^type=URINGOP .* pid=$1 " "$2" 2>/dev/null; }
seqs_text() { mine_text "$1" "$2" | sed 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/' | sort -n; }
seqs_json() { jq -r "select(.type==\"URINGOP\" and .pid==$1) | .seq" "$2" 2>/dev/null | sort -n; }
status_sink() { "$UA" status --json --socket "$UA_TMP/sock" | jq -c ".sinks[] | select(.name==\"$1\")"; }

# --- one daemon: a text log, a JSON log, stdout and a plugin at once ---------------
T=$UA_TMP/two.log
D=$UA_TMP/plugins
OUT=$UA_TMP/plugin.out
plugin_dir "$D" "$OUT"
rm -f "$UA_TMP/pid"
"$UA" run --log "$T" --format text --json-log "$UA_TMP/two.json" --stdout json --plugin-dir "$D" \
	--pid-file "$UA_TMP/pid" --socket "$UA_TMP/sock" >"$UA_TMP/stdout" 2>>"$UA_TMP/daemon.err" &
UA_PID=$!
if wait_for test -s "$UA_TMP/pid"; then
	drive openat:/etc/hostname openat:/nonexistent-sinks >/dev/null
	p=$(drv pid)
	wait_for eval '[ "$(seqs_text $p "$T" | wc -l)" -ge 2 ] && [ "$(seqs_json $p "$UA_TMP/two.json" | wc -l)" -ge 2 ] &&
		[ "$(seqs_json $p "$UA_TMP/stdout" | wc -l)" -ge 2 ] && [ "$(mine_text $p "$OUT" | wc -l)" -ge 2 ]'
	a=$(seqs_text "$p" "$T" | tr '\n' ' ')
	b=$(seqs_json "$p" "$UA_TMP/two.json" | tr '\n' ' ')
	bad=$(jq -c . "$UA_TMP/two.json" 2>&1 >/dev/null | head -1)
	if [ "$(wc -w <<<"$a")" = 2 ] && [ "$a" = "$b" ] && [ -z "$bad" ] &&
		[ "$(grep -c '^type=URING_DAEMON .*op=start' "$T")" = 1 ] &&
		[ "$(jq -c 'select(.type=="URING_DAEMON" and .op=="start")' "$UA_TMP/two.json" | wc -l)" = 1 ]; then
		ok text_and_json_logs
	else
		fail text_and_json_logs "text seqs '$a', json seqs '$b' $bad"
	fi
	c=$(seqs_json "$p" "$UA_TMP/stdout" | tr '\n' ' ')
	[ "$c" = "$a" ] && ok stdout_sink || fail stdout_sink "stdout '$c', log '$a'"

	c=$(seqs_text "$p" "$OUT" | tr '\n' ' ')
	started=$(grep '^#started' "$OUT")
	# Each line whole: type=NAME msg=audit(SECONDS.MILLIS:SEQ): fields.
	badline=$(grep -v '^#' "$OUT" | grep -Ev '^type=[A-Z_]+ msg=audit\([0-9]+\.[0-9]{3}:[0-9]+\): ' | head -1)
	if [ "$c" = "$a" ] && [ -z "$badline" ] &&
		grep -q "env=0 stdin=socket stdout=null" <<<"$started" &&
		grep -q '^type=URING_DAEMON .*op=start' "$OUT"; then
		ok plugin_protocol
	else
		fail plugin_protocol "plugin seqs '$c', log '$a', '$started' $badline"
	fi
	# SIGHUP is passed on; at stop the plugin gets the stop record, then EOF.
	kill -HUP "$UA_PID"
	wait_for grep -q '^#SIGHUP' "$OUT"
	ua_stop
	if grep -q '^#SIGHUP' "$OUT" && [ "$(grep -v '^#' "$OUT" | tail -1 | grep -c 'op=stop')" = 1 ] &&
		[ "$(tail -1 "$OUT")" = "#EOF" ]; then
		ok plugin_sighup_and_eof
	else
		fail plugin_sighup_and_eof "$(grep '^#' "$OUT" | tr '\n' ' ') last: $(tail -2 "$OUT" | cut -c1-80)"
	fi
else
	for c in text_and_json_logs stdout_sink plugin_protocol plugin_sighup_and_eof; do
		fail $c "daemon did not start: $(tail -2 "$UA_TMP/daemon.err")"
	done
fi

# --- a plugin that stops reading: the log misses nothing, the loss is counted -------
D=$UA_TMP/stall
OUT=$UA_TMP/stall.out
plugin_dir "$D" "$OUT" stall
rm -f "$UA_LOG"
if ua_start --plugin-dir "$D" --q-depth 16; then
	# Enough records to fill the socket's buffer and the queue many times over.
	n=1000
	steps=()
	for ((i = 0; i < n; i++)); do steps+=("openat:/nonexistent-stall-$i"); done
	start=$SECONDS
	drive "${steps[@]}" >/dev/null
	p=$(drv pid)
	wait_count ".pid==$p" $n
	got=$(count ".pid==$p")
	wait_for eval '[ "$(jq -s "[.[] | select(.type==\"URING_DAEMON\" and .op==\"sink_loss\")] | map(.lost) | add // 0" "$UA_LOG")" = "$(status_sink plugin:ua_plugin | jq .dropped)" ]'
	said=$(jq -s '[.[] | select(.type=="URING_DAEMON" and .op=="sink_loss" and .sink=="plugin:ua_plugin")] | map(.lost) | add // 0' "$UA_LOG")
	st=$(status_sink plugin:ua_plugin)
	dropped=$(jq .dropped <<<"$st")
	if [ "$got" = "$n" ] && [ "$dropped" -gt 0 ] && [ "$said" = "$dropped" ] &&
		[ "$(jq .queued_max <<<"$st")" -le 16 ]; then
		ok plugin_stalled_no_stall
	else
		fail plugin_stalled_no_stall "log has $got of $n, plugin dropped $dropped, said $said: $st"
	fi
	ua_stop
else
	fail plugin_stalled_no_stall "daemon did not start"
fi

# --- a plugin that dies is restarted (max_restarts, auditd's key), each exit and
# restart a record; then it is gone, and what it would have had is counted.
D=$UA_TMP/die
OUT=$UA_TMP/die.out
plugin_dir "$D" "$OUT" die-after=2
printf 'max_restarts = 1\n' >"$UA_TMP/die.conf"
chmod 600 "$UA_TMP/die.conf"
# Only the driver's opens: other processes' requests on a shared machine
# would be lost to the gone plugin too, and said, every second.
echo "-a always,io_uring -S openat -F exe=$DRV -k die" >"$UA_TMP/die.rules"
chmod 600 "$UA_TMP/die.rules"
rm -f "$UA_LOG"
if ua_start --plugin-dir "$D" --config "$UA_TMP/die.conf" --rules "$UA_TMP/die.rules"; then
	# Two records each life: the start record and one open, then one more.
	drive openat:/nonexistent-die-1 >/dev/null
	wait_for eval '[ "$(jq -c "select(.op==\"plugin_restart\")" "$UA_LOG" | wc -l)" -ge 1 ]'
	st1=$(status_sink plugin:ua_plugin)
	for i in 2 3 4; do
		drive openat:/nonexistent-die-$i >/dev/null
		wait_for eval '[ "$(jq -c "select(.op==\"plugin_gone\")" "$UA_LOG" | wc -l)" = 1 ]' && break
	done
	drive openat:/nonexistent-die-after >/dev/null
	p=$(drv pid)
	# Every record it missed said once: once the last open is in the log,
	# the log's sink_loss records add up to the sink's count. A gone
	# plugin's own sink_loss records were lost to it too, each said a
	# second later, for ever: the count stayed one ahead of the log's sum
	# and this wait ran out.
	lossum() { jq -s '[.[] | select(.op=="sink_loss")] | map(.lost) | add // 0' "$UA_LOG"; }
	wait_for eval '[ -n "$(seqs_json "$p" "$UA_LOG")" ]'
	agreed=no
	wait_for eval '[ "$(lossum)" = "$(status_sink plugin:ua_plugin | jq .dropped)" ]' && agreed=yes
	st=$(status_sink plugin:ua_plugin)
	ex=$(jq -c 'select(.type=="URING_DAEMON" and .op=="plugin_exit" and .status=="exit_3")' "$UA_LOG" | wc -l)
	rs=$(jq -c 'select(.type=="URING_DAEMON" and .op=="plugin_restart")' "$UA_LOG" | wc -l)
	# The restarted plugin ran: its start line. (Not `running` in st1: the
	# records of the restart's tick are its second life's two, and a slow
	# guest read the status after it had died of them.)
	if [ "$ex" -ge 1 ] && [ "$rs" = 1 ] && [ "$(jq .restarts <<<"$st1")" = 1 ] &&
		[ "$(grep -c '^#started' "$OUT")" = 2 ]; then
		ok plugin_dies_restarted
	else
		fail plugin_dies_restarted "exits $ex, restarts $rs, $(grep -c '^#started' "$OUT") starts: $st1"
	fi
	last=$(jq -c "select(.op==\"sink_loss\" and .last_seq >= $(seqs_json "$p" "$UA_LOG" | tail -1))" "$UA_LOG" | wc -l)
	if [ "$(jq -c 'select(.op=="plugin_gone" and .restarts==1)' "$UA_LOG" | wc -l)" = 1 ] &&
		[ "$(grep -c '^#started' "$OUT")" = 2 ] && [ "$ex" = 2 ] &&
		[ "$(jq .running <<<"$st")" = false ] &&
		[ "$(jq .dropped <<<"$st")" -ge 1 ] && [ "$last" -ge 1 ] && [ $agreed = yes ]; then
		ok plugin_max_restarts
	else
		fail plugin_max_restarts "$(grep -c '^#started' "$OUT") starts, $ex exits, sink_loss covering the last: $last, the log's sink_loss records added up to the sink's count: $agreed (log $(lossum)): $st"
	fi
	ua_stop
else
	fail plugin_dies_restarted "daemon did not start"
	fail plugin_max_restarts "daemon did not start"
fi

# --- bad plugin files: refused before anything is loaded (exit 2, FILE:LINE) -------
D=$UA_TMP/bad
mkdir -p "$D"
printf 'active = yes\npath = %s\nformat = binary\n' "$PLUG" >"$D/bin.conf"
chmod 644 "$D/bin.conf"
timeout "$UA_TIMEOUT" "$UA" run --log "$UA_TMP/bad.log" --plugin-dir "$D" --socket "$UA_TMP/bad.sock" \
	>/dev/null 2>"$UA_TMP/bad.err"
rc1=$?
rm -f "$D/bin.conf"
cp "$PLUG" "$UA_TMP/plug-ww"
chmod 777 "$UA_TMP/plug-ww"
timeout "$UA_TIMEOUT" "$UA" run --log "$UA_TMP/bad.log" --plugin "$UA_TMP/plug-ww" \
	--socket "$UA_TMP/bad.sock" >/dev/null 2>"$UA_TMP/bad2.err"
rc2=$?
if [ $rc1 = 2 ] && grep -q "^uringaudit: $D/bin.conf:3: 'format = binary'" "$UA_TMP/bad.err" &&
	[ $rc2 = 2 ] && grep -q "writable by group or others" "$UA_TMP/bad2.err" &&
	[ ! -e "$UA_TMP/bad.log" ]; then
	ok bad_plugin_refused
else
	fail bad_plugin_refused "rc $rc1: $(cat "$UA_TMP/bad.err"); rc $rc2: $(cat "$UA_TMP/bad2.err")"
fi

# --- the kernel's audit stream (opt-in) ----------------------------------------------
# Read from the kernel's read-only multicast group (leaves any auditd alone);
# kernel audit is enabled for the test when it is off, and put back after.
"$LISTEN" 1121 --enable >"$UA_TMP/listen.out" 2>&1 &
lp=$!
wait_for eval 'grep -q "^ready\|^error" "$UA_TMP/listen.out"'
if ! grep -q "^ready" "$UA_TMP/listen.out"; then
	kill "$lp" 2>/dev/null
	wait "$lp" 2>/dev/null
	skip audit_forward "the kernel's audit cannot be read here: $(head -1 "$UA_TMP/listen.out")"
elif rm -f "$UA_LOG" && ua_start --audit-forward; then
	drive openat:/nonexistent-audit-fwd >/dev/null
	p=$(drv pid)
	wait_for eval 'grep -q "uring_record=URINGOP .* pid=$p .*name=\"/nonexistent-audit-fwd\"" "$UA_TMP/listen.out"'
	ua_stop
	kill "$lp"
	wait "$lp"
	seq=$(seqs_json "$p" "$UA_LOG")
	line=$(grep "uring_record=URINGOP .* pid=$p " "$UA_TMP/listen.out")
	if [ "$(wc -l <<<"$line")" = 1 ] && grep -q "uring_seq=$seq .*success=no exit=-2 " <<<"$line" &&
		grep -q "^audit([0-9.]*:[0-9]*): pid=[0-9]* uid=0 .* msg='uring_record=URINGOP " <<<"$line" &&
		grep -q "res=success'$" <<<"$line" &&
		grep -q "uring_record=URING_DAEMON .*op=stop" "$UA_TMP/listen.out"; then
		ok audit_forward
	else
		fail audit_forward "seq $seq: $line"
	fi
else
	kill "$lp"
	wait "$lp"
	fail audit_forward "daemon did not start"
fi
