#!/usr/bin/env bash
# Files another user can plant where the daemon writes or reads (THREATS 23):
# the daemon refuses them with a message naming the file, writes nothing
# through them and never blocks on them.
. "$(dirname "$0")/lib.sh"

CASES=(log_foreign_owner log_symlink log_hardlink log_fifo_no_reader log_dir_writable
	log_mode_tightened rules_foreign_owner pid_tmp_symlink pid_tmp_hardlink rules_load_symlink)
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

# The pid file is written under a temporary name, then renamed. A symlink or
# hard link planted at the name it used to take (<pid-file>.tmp) must not
# make root write through it: the target keeps its bytes, the pid file is a
# file of its own with the daemon's pid.
# planted_pid NAME KIND(-s for a symlink, "" for a hard link)
planted_pid() {
	local name=$1 kind=$2 pid
	echo keep >"$D/$name.target"
	ln $kind "$D/$name.target" "$D/$name.pid.tmp"
	"$UA" run --log "$D/$name.log" --format json --pid-file "$D/$name.pid" \
		--socket "$UA_TMP/sock.$name" 2>"$UA_TMP/err.$name" &
	pid=$!
	if ! wait_for test -s "$D/$name.pid"; then
		fail "$name" "no pid file: $(cat "$UA_TMP/err.$name")"
	elif [ -L "$D/$name.pid" ] || [ "$(cat "$D/$name.pid")" != "$pid" ]; then
		fail "$name" "pid file '$(ls -l "$D/$name.pid")' holds '$(cat "$D/$name.pid")', daemon $pid"
	else
		check_eq "$name" "$(cat "$D/$name.target")" keep && ok "$name"
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
planted_pid pid_tmp_symlink -s
planted_pid pid_tmp_hardlink ""

# `rules load` checks a file as --rules does: a symlink is refused by both,
# whatever it points at, and the rules in force stay.
printf -- '-a always,io_uring -S openat -k planted\n' >"$D/real.rules"
chmod 0644 "$D/real.rules"
ln -s "$D/real.rules" "$D/link.rules"
timeout "$UA_TIMEOUT" "$UA" run --rules "$D/link.rules" --log "$D/l.log" \
	--pid-file "$UA_TMP/pid.l" --socket "$UA_TMP/sock.l" >/dev/null 2>"$UA_TMP/err.lr"
rc1=$?
UA_LOG=$D/load.log
if ua_start; then
	"$UA" rules load "$D/link.rules" --socket "$UA_TMP/sock" >/dev/null 2>"$UA_TMP/err.ll"
	rc2=$?
	keys=$("$UA" rules list --socket "$UA_TMP/sock" | grep -c planted)
	ua_stop
	if [ $rc1 = 2 ] && [ $rc2 = 2 ] && [ "$keys" = 0 ] &&
		grep -q "link.rules: cannot open" "$UA_TMP/err.lr" &&
		grep -q "link.rules: cannot open" "$UA_TMP/err.ll"; then
		ok rules_load_symlink
	else
		fail rules_load_symlink "run rc=$rc1 load rc=$rc2 planted rules in force=$keys: $(cat "$UA_TMP/err.lr" "$UA_TMP/err.ll")"
	fi
else
	fail rules_load_symlink "daemon did not start: $(cat "$UA_TMP/daemon.err")"
fi
