#!/usr/bin/env bash
# Files another user can plant where the daemon writes or reads (THREATS 23):
# the daemon refuses them with a message naming the file, writes nothing
# through them and never blocks on them.
. "$(dirname "$0")/lib.sh"

CASES=(log_foreign_owner log_symlink log_hardlink log_fifo_no_reader log_dir_writable
	log_mode_tightened rules_foreign_owner)
ua_require "${CASES[@]}"

NOBODY=65534
D=$UA_TMP/planted
mkdir -m 0755 "$D"

# Run the daemon on a log path and expect it to refuse within the timeout:
# refused NAME LOGPATH PATTERN
refused() {
	local name=$1 log=$2 pat=$3 rc
	timeout "$UA_TIMEOUT" "$UA" run --log "$log" --pid-file "$UA_TMP/pid.$name" \
		--socket "$UA_TMP/sock.$name" >/dev/null 2>"$UA_TMP/err.$name"
	rc=$?
	if [ $rc = 124 ]; then
		fail "$name" "the daemon was still running after ${UA_TIMEOUT}s"
		return 1
	fi
	if [ $rc != 1 ] || ! grep -q "$pat" "$UA_TMP/err.$name"; then
		fail "$name" "rc=$rc, expected 1 and '$pat': $(cat "$UA_TMP/err.$name")"
		return 1
	fi
	if [ -e "$UA_TMP/pid.$name" ]; then
		fail "$name" "a pid file was written"
		return 1
	fi
	return 0
}

# A log another user made (0666) would let that user read and erase records.
touch "$D/foreign.log"
chown "$NOBODY:$NOBODY" "$D/foreign.log"
chmod 0666 "$D/foreign.log"
refused log_foreign_owner "$D/foreign.log" "owned by uid $NOBODY" &&
	check_eq log_foreign_owner "$(stat -c %s "$D/foreign.log")" 0 && ok log_foreign_owner

# A symlink to a file root owns: never followed, the target untouched.
echo keep >"$D/target"
ln -s "$D/target" "$D/link.log"
refused log_symlink "$D/link.log" "cannot open log" &&
	check_eq log_symlink "$(cat "$D/target")" keep && ok log_symlink

# A hard link to a file root owns (made by root here; protected_hardlinks
# stops users, but not every system sets it).
echo keep >"$D/target2"
ln "$D/target2" "$D/hard.log"
refused log_hardlink "$D/hard.log" "hard links" &&
	check_eq log_hardlink "$(cat "$D/target2")" keep && ok log_hardlink

# A FIFO no process reads: an error at once, not a daemon blocked in open().
mkfifo -m 0600 "$D/fifo.log"
refused log_fifo_no_reader "$D/fifo.log" "FIFO that no process reads" && ok log_fifo_no_reader

# A directory others can write (not sticky): they could swap the log.
mkdir -m 0777 "$D/open"
refused log_dir_writable "$D/open/ua.log" "writable by group or others" &&
	check_eq log_dir_writable "$(ls -A "$D/open")" "" && ok log_dir_writable

# Our own log left readable by others is made private, then used.
touch "$D/mine.log"
chmod 0644 "$D/mine.log"
UA_LOG=$D/mine.log
if ua_start; then
	mode=$(stat -c %a "$D/mine.log")
	ua_stop
	check_eq log_mode_tightened "$mode $(jq -r 'select(.type=="URING_DAEMON")|.op' "$D/mine.log" |
		tr '\n' ' ')" "600 start stop " && ok log_mode_tightened
else
	fail log_mode_tightened "daemon did not start: $(cat "$UA_TMP/daemon.err")"
fi

# Rule files another user owns decide what is recorded: refused by check and
# by the daemon, as auditctl refuses them.
printf -- '-a always,io_uring -S openat\n' >"$D/foreign.rules"
chmod 0644 "$D/foreign.rules"
chown "$NOBODY:$NOBODY" "$D/foreign.rules"
"$UA" rules check "$D/foreign.rules" >/dev/null 2>"$UA_TMP/err.rc"
rc1=$?
timeout "$UA_TIMEOUT" "$UA" run --rules "$D/foreign.rules" --log "$D/r.log" \
	--pid-file "$UA_TMP/pid.r" --socket "$UA_TMP/sock.r" >/dev/null 2>"$UA_TMP/err.rr"
rc2=$?
if [ $rc1 = 2 ] && [ $rc2 = 2 ] && grep -q "owned by uid $NOBODY" "$UA_TMP/err.rc" &&
	grep -q "owned by uid $NOBODY" "$UA_TMP/err.rr"; then
	ok rules_foreign_owner
else
	fail rules_foreign_owner "check rc=$rc1 run rc=$rc2: $(cat "$UA_TMP/err.rc" "$UA_TMP/err.rr")"
fi
