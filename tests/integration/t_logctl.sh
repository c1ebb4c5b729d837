#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The log as auditd keeps it, configured by uringaudit.conf: size rotation
# keeping num_logs files with every record in exactly one of them; SIGUSR1
# rotates, SIGHUP re-reads the configuration and the rules, a bad file keeps
# the one in force; space_left's suspend, the loss said once writing resumes.
. "$(dirname "$0")/lib.sh"

CASES=(config_used config_bad_exit2 config_not_root_owned config_flags_override
	log_locked torn_last_line
	rotate_size_files rotate_size_exact rotate_sigusr1 sighup_config_rules sighup_bad_config
	space_suspend_resume space_loss_said)
ua_require "${CASES[@]}"

D=$UA_TMP/lc
mkdir -m 0700 "$D"
KEY=lc$$
NOFILE=/nonexistent-uringaudit-$$

# start_conf CONF [FLAGS...]: run with a configuration file, wait for its pid file.
start_conf() {
	local conf=$1
	shift
	rm -f "$D/pid"
	"$UA" run --config "$conf" "$@" 2>>"$UA_TMP/daemon.err" &
	UA_PID=$!
	ua_await_ready "$D/pid"
}
conf_base() { # LOGDIR: the keys every case shares
	cat <<EOC
log_file = $1/log.json
log_format = json
rules_dir = $D/rules.d
pid_file = $D/pid
socket = $D/sock
EOC
}
mkdir -m 0700 "$D/rules.d"
printf -- '-a always,io_uring -S openat -F path=%s -k %s\n' "$NOFILE" "$KEY" >"$D/rules.d/10-lc.rules"

# ---- the configuration file is used; errors are file:line, exit 2 ----
conf_base "$D/a" >"$D/a.conf"
mkdir -m 0700 "$D/a"
if start_conf "$D/a.conf"; then
	drive openat:$NOFILE
	pid=$(drv pid)
	if wait_for grep -q "\"pid\":$pid.*\"key\":\"$KEY\"" "$D/a/log.json"; then
		ok config_used
	else
		fail config_used "no record with key $KEY in $D/a/log.json"
	fi
	ua_stop
else
	fail config_used "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
fi

printf 'log_format = json\nbogus = 1\npoll_ms = 0\n' >"$D/bad.conf"
"$UA" run --config "$D/bad.conf" >/dev/null 2>"$D/bad.err"
rc=$?
if [ $rc = 2 ] && grep -q "^uringaudit: $D/bad.conf:2: unknown key 'bogus'" "$D/bad.err" &&
	grep -q "$D/bad.conf:3: '0' for 'poll_ms'" "$D/bad.err"; then
	ok config_bad_exit2
else
	fail config_bad_exit2 "rc=$rc: $(cat "$D/bad.err")"
fi

cp "$D/a.conf" "$D/other.conf"
chown 65534 "$D/other.conf"
"$UA" run --config "$D/other.conf" >/dev/null 2>"$D/other.err"
rc=$?
chown 0 "$D/other.conf"
chmod 0666 "$D/other.conf"
"$UA" run --config "$D/other.conf" >/dev/null 2>>"$D/other.err"
rc2=$?
if [ $rc = 2 ] && [ $rc2 = 2 ] && grep -q "owned by uid 65534, not by root" "$D/other.err" &&
	grep -q "writable by group or others (mode 0666)" "$D/other.err"; then
	ok config_not_root_owned
else
	fail config_not_root_owned "rc=$rc/$rc2: $(cat "$D/other.err")"
fi

# Flags override the file: --log elsewhere, --format text.
mkdir -m 0700 "$D/b"
if start_conf "$D/a.conf" --log "$D/b/log.txt" --format text; then
	drive openat:$NOFILE
	pid=$(drv pid)
	if wait_for grep -q "type=URINGOP .* pid=$pid .*key=\"$KEY\"" "$D/b/log.txt"; then
		ok config_flags_override
	else
		fail config_flags_override "no text record in $D/b/log.txt"
	fi
	ua_stop
else
	fail config_flags_override "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
fi

# ---- one writer per log; a torn last line is an unclean stop, then ended ----
mkdir -m 0700 "$D/t"
if start_conf "$D/a.conf"; then
	"$UA" run --log "$D/a/log.json" --socket "$D/sock2" --pid-file "$D/pid2" \
		>/dev/null 2>"$D/lock.err"
	rc=$?
	if [ $rc = 1 ] && grep -q "log '$D/a/log.json' is in use by another process" "$D/lock.err" &&
		[ ! -e "$D/pid2" ]; then
		ok log_locked
	else
		fail log_locked "rc=$rc: $(cat "$D/lock.err")"
	fi
	ua_stop
else
	fail log_locked "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
fi
# A clean start and stop, then half a record (a later daemon killed mid-write).
{
	echo '{"type":"URING_DAEMON","seq":0,"time":1796000000.000,"op":"start","pid":1}'
	echo '{"type":"URING_DAEMON","seq":0,"time":1796000001.000,"op":"stop","pid":1}'
	printf '{"type":"URINGOP","seq":7,"time":1796000002.500,"uring_op":18,"op":"ope'
} >"$D/t/log.json"
chmod 0600 "$D/t/log.json"
conf_base "$D/t" >"$D/t.conf"
if start_conf "$D/t.conf"; then
	ua_stop
	start=$(sed -n 4p "$D/t/log.json" | jq -c 'select(.op=="start")' 2>/dev/null)
	if [ "$(sed -n 3p "$D/t/log.json")" = '{"type":"URINGOP","seq":7,"time":1796000002.500,"uring_op":18,"op":"ope' ] &&
		[ "$(jq -r .previous <<<"$start")" = unclean ] &&
		sed -n 4p "$D/t/log.json" | grep -q '"unrecorded_since":1796000001.000[,}]'; then
		ok torn_last_line
	else
		fail torn_last_line "$(head -5 "$D/t/log.json")"
	fi
else
	fail torn_last_line "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
fi

# A daemon killed after a record whose name says "audit(1.000:1)", "time":1 and URING_DAEMON
# op=stop: the window nothing was recorded in starts at that record's own time (its header),
# and the stop its name mentions is not a stop.
mkdir -m 0700 "$D/h"
{
	echo '{"type":"URING_DAEMON","seq":0,"time":1796000000.000,"op":"start","pid":1}'
	echo '{"type":"URINGOP","seq":8,"time":1796000003.250,"uring_op":18,"op":"openat","name":"x audit(1.000:1): type=URING_DAEMON op=stop \"time\":1,"}'
} >"$D/h/log.json"
chmod 0600 "$D/h/log.json"
conf_base "$D/h" >"$D/h.conf"
if start_conf "$D/h.conf"; then
	ua_stop
	start=$(sed -n 3p "$D/h/log.json" | jq -c 'select(.op=="start")' 2>/dev/null)
	if [ "$(jq -r '[.previous, .unrecorded_since] | @tsv' <<<"$start")" = "$(printf 'unclean\t1796000003.25')" ]; then
		ok unclean_time_from_header
	else
		fail unclean_time_from_header "$(head -4 "$D/h/log.json")"
	fi
else
	fail unclean_time_from_header "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
fi

# ---- size rotation: 1 MB files, 3 kept; fewer records than 3 MB so none is dropped ----
mkdir -m 0700 "$D/r"
{ conf_base "$D/r"; printf 'max_log_file = 1\nnum_logs = 3\nmax_log_file_action = rotate\n'; } >"$D/r.conf"
if start_conf "$D/r.conf"; then
	# Batches of 500 opens until the second rotation: every record is then
	# still in one of the 3 files (a third rotation would drop the oldest).
	steps=()
	for ((i = 0; i < 500; i++)); do steps+=("openat:$NOFILE"); done
	pids=() N=0
	cnt() { cat "$D/r/log.json"* | grep -c "\"key\":\"$KEY\""; }
	for ((b = 0; b < 20; b++)); do
		drive "${steps[@]}"
		pids+=("$(drv pid)")
		N=$((N + 500))
		wait_for eval '[ "$(cnt)" -ge $N ]'
		[ -f "$D/r/log.json.2" ] && break
	done
	sel=$(printf '.pid==%s or ' "${pids[@]}")
	sel="(${sel% or })"
	ls "$D/r" >"$D/r.ls"
	if [ -f "$D/r/log.json.1" ] && [ -f "$D/r/log.json.2" ] && [ ! -e "$D/r/log.json.3" ] &&
		[ "$(find "$D/r" -name 'log.json*' -size +1024k | wc -l)" = 0 ]; then
		ok rotate_size_files
	else
		fail rotate_size_files "files: $(ls -l "$D/r" | tr '\n' ' ')"
	fi
	# Every record in exactly one file: N distinct sequence numbers, no repeats,
	# and no line torn across files.
	all=$(cat "$D/r/log.json.2" "$D/r/log.json.1" "$D/r/log.json" |
		jq -r "select(.type==\"URINGOP\" and $sel) | .seq" 2>/dev/null)
	total=$(echo "$all" | grep -c .)
	distinct=$(echo "$all" | sort -u | grep -c .)
	rot=$(cat "$D/r/log.json"* | jq -r 'select(.type=="URING_DAEMON" and .op=="rotate") | .reason' |
		sort | uniq -c | tr -s ' ')
	if [ "$total" = $N ] && [ "$distinct" = $N ] && [ "$rot" = " 2 max_log_file" ]; then
		ok rotate_size_exact
	else
		fail rotate_size_exact "$total records, $distinct distinct, expected $N; rotations: $rot"
	fi
	# SIGUSR1: one more rotation (the oldest dropped: 3 files kept), the daemon lives on.
	kill -USR1 "$UA_PID"
	wait_for eval 'cat "$D/r/log.json" | grep -q "\"op\":\"rotate\",\"reason\":\"SIGUSR1\""'
	drive openat:$NOFILE
	pid2=$(drv pid)
	wait_for grep -q "\"pid\":$pid2," "$D/r/log.json"
	alive=$(kill -0 "$UA_PID" 2>/dev/null && echo yes)
	ua_stop
	if [ "$alive" = yes ] && [ ! -e "$D/r/log.json.3" ] && grep -q "\"pid\":$pid2," "$D/r/log.json" &&
		grep -q '"type":"URING_DAEMON".*"op":"stop"' "$D/r/log.json"; then
		ok rotate_sigusr1
	else
		fail rotate_sigusr1 "alive=$alive files: $(ls "$D/r" | tr '\n' ' ')"
	fi
else
	for n in rotate_size_files rotate_size_exact rotate_sigusr1; do
		fail $n "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
	done
fi

# ---- SIGHUP: a new configuration and new rules; a bad file keeps the old ----
mkdir -m 0700 "$D/h"
conf_base "$D/h" >"$D/h.conf"
if start_conf "$D/h.conf"; then
	KEY2=lc2$$
	printf -- '-a always,io_uring -S openat -F path=%s -k %s\n' "$NOFILE" "$KEY2" \
		>"$D/rules.d/10-lc.rules"
	kill -HUP "$UA_PID"
	wait_for grep -q '"type":"URING_CONFIG".*"res":"success"' "$D/h/log.json"
	drive openat:$NOFILE
	pid=$(drv pid)
	if wait_for grep -q "\"pid\":$pid,.*\"key\":\"$KEY2\"" "$D/h/log.json"; then
		ok sighup_config_rules
	else
		fail sighup_config_rules "the new rules are not in force"
	fi
	printf 'poll_ms = 5000\n' >>"$D/h.conf"
	kill -HUP "$UA_PID"
	wait_for grep -q "h.conf:6: '5000' for 'poll_ms'" "$UA_TMP/daemon.err"
	drive openat:$NOFILE
	pid=$(drv pid)
	if wait_for grep -q "\"pid\":$pid,.*\"key\":\"$KEY2\"" "$D/h/log.json" &&
		kill -0 "$UA_PID" 2>/dev/null; then
		ok sighup_bad_config
	else
		fail sighup_bad_config "$(tail -3 "$UA_TMP/daemon.err")"
	fi
	ua_stop
	printf -- '-a always,io_uring -S openat -F path=%s -k %s\n' "$NOFILE" "$KEY" \
		>"$D/rules.d/10-lc.rules"
else
	fail sighup_config_rules "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
	fail sighup_bad_config "daemon did not start"
fi

# ---- space_left = 50% on a small tmpfs: suspend, then resume when space returns ----
S=$D/s
mkdir -m 0700 "$S"
if ! mount -t tmpfs -o size=512k,mode=0700 tmpfs "$S" 2>"$D/mount.err"; then
	skip space_suspend_resume "cannot mount a tmpfs: $(cat "$D/mount.err")"
	skip space_loss_said "cannot mount a tmpfs"
	exit 0
fi
trap 'ua_stop >/dev/null 2>&1; umount "$S" 2>/dev/null; ua_cleanup' EXIT
{ conf_base "$S"; printf 'space_left = 50%%\nspace_left_action = suspend\n'; } >"$D/s.conf"
if start_conf "$D/s.conf"; then
	dd if=/dev/zero of="$S/filler" bs=1k count=320 2>/dev/null
	# Said on stderr at once; in the log when writing resumes.
	wait_for grep -q "writing suspended" "$UA_TMP/daemon.err"
	drive openat:$NOFILE openat:$NOFILE openat:$NOFILE
	pid=$(drv pid)
	wait_for eval '[ "$("$UA" status --json --socket "$D/sock" | jq .events)" -ge 4 ]'
	rm -f "$S/filler"
	wait_for grep -q '"op":"resume"' "$S/log.json"
	drive openat:$NOFILE
	pid2=$(drv pid)
	wait_for grep -q "\"pid\":$pid2," "$S/log.json"
	ops=$(jq -r 'select(.type=="URING_DAEMON") | .op + ":" + (.reason // "")' "$S/log.json" | tr '\n' ' ')
	if [[ $ops == *"space_left:below suspend:space_left"*"resume:space"* ]] &&
		! grep -q "\"pid\":$pid," "$S/log.json"; then
		ok space_suspend_resume
	else
		fail space_suspend_resume "daemon records: $ops"
	fi
	lost=$(jq -r 'select(.type=="URING_LOST" and .reason=="suspended") | .lost' "$S/log.json")
	if [ -n "$lost" ] && [ "$lost" -ge 4 ]; then
		ok space_loss_said
	else
		fail space_loss_said "URING_LOST reason=suspended: '$lost', expected 4 or more"
	fi
	ua_stop
else
	fail space_suspend_resume "daemon did not start: $(tail -3 "$UA_TMP/daemon.err")"
	fail space_loss_said "daemon did not start"
fi
