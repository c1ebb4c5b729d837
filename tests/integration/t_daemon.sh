#!/usr/bin/env bash
# The daemon's life: readiness, stop and drain, restart after kill -9, log
# handling, loss accounting, and clear errors for bad input.
. "$(dirname "$0")/lib.sh"

CASES=(usage_errors no_arguments empty_environment not_root rules_default status_without_daemon ready_pid_file
	silent_client_no_stall second_daemon_refused drain_on_sigterm pending_written_at_stop stop_record_sender
	log_dir_modes sighup_reopens_log text_format kill9_restart ring_before_daemon
	loss_accounted loss_attributed loss_top_droppers loss_stop_record priority_boost)
ua_require "${CASES[@]}"

# --- bad input: exit 2 and a message that names the problem -------------------
bad=""
for args in "run --format xml" "bogus" "run --ringbuf-size 1000" "run --poll-ms 0" \
	"run extra" "status --bogus" "rules nonsense" "rules"; do
	# shellcheck disable=SC2086
	"$UA" $args >/dev/null 2>"$UA_TMP/err"
	rc=$?
	if [ $rc != 2 ] || [ ! -s "$UA_TMP/err" ]; then bad="$bad [$args: rc=$rc]"; fi
done
grep -q "unknown format 'xml'" < <("$UA" run --format xml 2>&1) || bad="$bad [format message]"
# Bare: the usage on stderr, exit 2, within the timeout (never a daemon started).
timeout "$UA_TIMEOUT" "$UA" >/dev/null 2>"$UA_TMP/err"
rc=$?
{ [ $rc = 2 ] && grep -q "^usage: uringaudit run" "$UA_TMP/err"; } || bad="$bad [bare: rc=$rc]"
[ -z "$bad" ] && ok usage_errors || fail usage_errors "$bad"

# No arguments, also with an empty environment: the usage and exit 2, never a
# daemon started by accident. Run as nobody, so that a build that would start
# one stops at its root check instead.
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env -i "$UA" 2>&1)
	rc=$?
	if [ $rc = 2 ] && grep -q "^usage: uringaudit" <<<"$out"; then ok no_arguments; else
		fail no_arguments "rc=$rc: $out"; fi
else
	skip no_arguments "setpriv (util-linux) not installed"
fi

# `rules` with no subcommand in an empty environment: getopt must not read
# past argv (it crashed reading the environment).
out=$(env -i "$UA" rules 2>&1)
rc=$?
if [ $rc = 2 ] && grep -q "usage: uringaudit rules" <<<"$out"; then ok empty_environment; else
	fail empty_environment "rc=$rc: $out"; fi

if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$UA" run --log - 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q "missing capabilities: .*CAP_BPF and CAP_PERFMON" <<<"$out"; then
		ok not_root
	else
		fail not_root "rc=$rc: $out"; fi
else
	skip not_root "setpriv (util-linux) not installed"
fi

# The built-in rules name the audited ops this kernel has: those of every
# supported kernel (6.1), and each newer one exactly when its BTF names it.
out=$("$UA" rules default)
ops=" $(grep -o -- '-S [^ ]*' <<<"$out" | cut -c4- | tr , ' ') "
bad=""
for op in sendmsg recvmsg accept connect fallocate openat close openat2 shutdown renameat unlinkat \
	mkdirat symlinkat linkat msg_ring fsetxattr setxattr fgetxattr getxattr uring_cmd sendmsg_zc; do
	[[ $ops == *" $op "* ]] || bad="$bad [$op missing]"
done
for op in waitid futex_wait futex_wake futex_waitv fixed_fd_install ftruncate bind listen recv_zc pipe; do
	if ua_kernel_has "IORING_OP_${op^^}"; then
		[[ $ops == *" $op "* ]] || bad="$bad [$op missing]"
	else
		[[ $ops == *" $op "* ]] && bad="$bad [$op listed, the kernel lacks it]"
	fi
done
for op in read nop; do [[ $ops == *" $op "* ]] && bad="$bad [$op listed]"; done
if [ -z "$bad" ]; then
	ok rules_default
else
	fail rules_default "$bad: $out"
fi

"$UA" status --socket "$UA_TMP/none.sock" >/dev/null 2>"$UA_TMP/err"
rc=$?
[ $rc = 1 ] && grep -q "no daemon answers" "$UA_TMP/err" && ok status_without_daemon ||
	fail status_without_daemon "rc=$rc $(cat "$UA_TMP/err")"

# --- readiness, refusal of a second daemon -----------------------------------
if ua_start; then
	pidf=$(tr -d '\n' <"$UA_TMP/pid")
	start=$(jq -c 'select(.type=="URING_DAEMON" and .op=="start")' "$UA_LOG")
	[ "$pidf" = "$UA_PID" ] && [ "$(jq -r .pid <<<"$start")" = "$UA_PID" ] && ok ready_pid_file ||
		fail ready_pid_file "pid file '$pidf', daemon $UA_PID, start record '$start'"

	# A control client that connects and says nothing must not stall the
	# daemon: another client is answered at once, records keep flowing.
	perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die;
		print "connected\n"; $| = 1; sleep 5' "$UA_TMP/sock" >"$UA_TMP/silent" 2>&1 &
	silent=$!
	wait_for grep -q connected "$UA_TMP/silent"
	drive openat:/etc/hostname
	P=$(drv pid)
	if timeout 1 "$UA" status --json --socket "$UA_TMP/sock" >/dev/null && wait_count ".pid==$P" 1; then
		ok silent_client_no_stall
	else
		fail silent_client_no_stall "status did not answer within 1 s while a client was silent"
	fi
	kill "$silent" 2>/dev/null
	wait "$silent" 2>/dev/null

	"$UA" run --log "$UA_TMP/second.log" --pid-file "$UA_TMP/pid" --socket "$UA_TMP/s2" \
		2>"$UA_TMP/err" &
	p2=$!
	wait_for eval '! kill -0 $p2 2>/dev/null'
	wait $p2
	rc=$?
	[ $rc = 1 ] && grep -q "names running process $UA_PID" "$UA_TMP/err" &&
		ok second_daemon_refused || fail second_daemon_refused "rc=$rc $(cat "$UA_TMP/err")"

	# Requests finished just before SIGTERM are still recorded: stop drains.
	drive readn:/etc/hostname:1 openat:/etc/hostname nop:10 openat:/etc/hostname \
		openat:/etc/hostname close:last
	P=$(drv pid)
	# A request that will never complete while the daemon runs: a skipped
	# CQE in a process that stays alive.
	"$DRV" openat:/etc/hostname+skip sleep:20000 >"$UA_TMP/bg.out" 2>&1 &
	bgp=$!
	wait_for grep -q "^req op=openat" "$UA_TMP/bg.out"
	kill -TERM "$UA_PID"
	wait "$UA_PID"
	rc=$?
	UA_PID=
	kill "$bgp" 2>/dev/null
	wait "$bgp" 2>/dev/null
	[ $rc = 0 ] && [ "$(count ".pid==$P")" = 4 ] && ok drain_on_sigterm ||
		fail drain_on_sigterm "rc=$rc records=$(count ".pid==$P") (want 4)"
	check_eq pending_written_at_stop "$(field ".pid==$bgp" '[.cqe,.name]|@tsv')" \
		"$(printf 'none\t/etc/hostname')" && ok pending_written_at_stop
	stop=$(jq -c 'select(.type=="URING_DAEMON" and .op=="stop")' "$UA_LOG")
	if [ "$(jq -r '[.signal,.sender_pid]|@tsv' <<<"$stop")" = "$(printf 'SIGTERM\t%s' "$$")" ] &&
		[ ! -e "$UA_TMP/pid" ] && [ ! -e "$UA_TMP/sock" ]; then
		ok stop_record_sender
	else
		fail stop_record_sender "stop record '$stop' (shell $$), pid file or socket left"
	fi
else
	for n in ready_pid_file silent_client_no_stall second_daemon_refused drain_on_sigterm pending_written_at_stop \
		stop_record_sender; do fail $n "daemon did not start"; done
fi

# --- log file: directories 0700, file 0600, reopened on SIGHUP -----------------
UA_LOG=$UA_TMP/logs/a/b/uringaudit.log
if ua_start; then
	m=$(stat -c '%a' "$UA_TMP/logs" "$UA_TMP/logs/a/b" "$UA_LOG" | tr '\n' ' ')
	check_eq log_dir_modes "$m" "700 700 600 " && ok log_dir_modes
	mv "$UA_LOG" "$UA_LOG.1"
	kill -HUP "$UA_PID"
	wait_for test -e "$UA_LOG"
	drive openat:/etc/hostname
	P=$(drv pid)
	wait_count ".pid==$P" 1 && ! grep -q "\"pid\":$P," "$UA_LOG.1" && ok sighup_reopens_log ||
		fail sighup_reopens_log "record for $P not in the new log"
	ua_stop
else
	fail log_dir_modes "daemon did not start"
	fail sighup_reopens_log "daemon did not start"
fi

# --- text format ------------------------------------------------------------------
UA_LOG=$UA_TMP/text.log
rm -f "$UA_TMP/pid"
"$UA" run --log "$UA_LOG" --pid-file "$UA_TMP/pid" --socket "$UA_TMP/sock" 2>/dev/null &
UA_PID=$!
if ua_await_ready "$UA_TMP/pid"; then
	drive openat:/etc/hostname
	P=$(drv pid)
	# The kernel's URINGOP fields in its order, key=(null) as it writes no
	# key, then ours; the opened file as a PATH record of the same event.
	re="^type=URINGOP msg=(audit\([0-9]+\.[0-9]{3}:[0-9]+\)): uring_op=18 success=yes exit=[0-9]+ items=1 ppid=[0-9]+ pid=$P auid=[0-9]+ uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 ses=[0-9]+ comm=\"uring_driver\" exe=\"[^\"]*/uring_driver\" key=\(null\) op=openat cqe=posted ring=[0-9a-f]{16} ctx=task submit=syscall user_data=0x1 tid=$P "
	wait_for grep -q " pid=$P " "$UA_LOG"
	line=$(grep " pid=$P " "$UA_LOG")
	msg=$(sed -n 's/^type=URINGOP msg=\(audit([^)]*)\): .*/\1/p' <<<"$line")
	path=$(grep -F "type=PATH msg=$msg: " "$UA_LOG")
	if grep -Eq "$re" <<<"$line" && grep -q ' name="/etc/hostname" ' <<<"$line" &&
		grep -q ' oflag=0100000 ' <<<"$line" &&
		grep -Eq '^type=PATH msg=audit\([^)]*\): item=0 name="/etc/hostname" inode=[0-9]+ dev=[0-9a-f]+:[0-9a-f]+ mode=0100[0-7]+ ouid=0 ogid=0 rdev=00:00 nametype=NORMAL$' <<<"$path"; then
		ok text_format
	else
		fail text_format "$line / $path"
	fi
	ua_stop
else
	fail text_format "daemon did not start"
fi

# --- kill -9, restart: the log stays whole and recording resumes --------------
# The restart says the previous daemon did not stop, and since when nothing
# was recorded (the time of its last record); a clean restart says nothing.
UA_LOG=$UA_TMP/k9.json
if ua_start; then
	drive openat:/etc/hostname
	wait_count ".pid==$(drv pid)" 1
	# the time as written (jq would print 12.590 as 12.59)
	last=$(tail -1 "$UA_LOG" | grep -o '"time":[0-9.]*' | cut -d: -f2)
	kill -9 "$UA_PID"
	wait "$UA_PID" 2>/dev/null
	UA_PID=
	if ua_start; then
		drive openat:/etc/hostname
		P=$(drv pid)
		starts=$(jq -c 'select(.op=="start" and .type=="URING_DAEMON")' "$UA_LOG" | wc -l)
		second=$(jq -c 'select(.op=="start" and .type=="URING_DAEMON")' "$UA_LOG" | tail -1)
		ua_stop
		ua_start
		third=$(jq -c 'select(.op=="start" and .type=="URING_DAEMON")' "$UA_LOG" | tail -1)
		# unrecorded_since is a time like "time": a JSON number, written
		# as the log wrote the last record's time
		if wait_count ".pid==$P" 1 && [ "$starts" = 2 ] &&
			[ "$(jq -r '[.previous,(.unrecorded_since|type)]|@tsv' <<<"$second")" = "$(printf 'unclean\tnumber')" ] &&
			awk -v a="$(grep -o '"unrecorded_since":[0-9.]*' <<<"$second" | cut -d: -f2)" \
				-v b="$last" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }' &&
			[ "$(jq -r '.previous // "none"' <<<"$third")" = none ] &&
			[ "$(jq -c . "$UA_LOG" | wc -l)" = "$(wc -l <"$UA_LOG")" ]; then
			ok kill9_restart
		else
			fail kill9_restart "starts=$starts second='$second' third='$third' last=$last"
		fi
		ua_stop
	else
		fail kill9_restart "restart failed: $(cat "$UA_TMP/daemon.err")"
	fi
else
	fail kill9_restart "daemon did not start"
fi

# --- a ring created before the daemon started -----------------------------------
UA_LOG=$UA_TMP/before.json
"$DRV" --wait-file "$UA_TMP/go" openat:/etc/hostname >"$UA_TMP/early.out" 2>&1 &
early=$!
if wait_for grep -q ready=1 "$UA_TMP/early.out" && ua_start; then
	touch "$UA_TMP/go"
	wait "$early"
	P=$(grep -o '^pid=[0-9]*' "$UA_TMP/early.out" | cut -d= -f2)
	FD=$(grep -o '\bres=[0-9-]*' "$UA_TMP/early.out" | head -1 | cut -d= -f2)
	if wait_count ".pid==$P" 1; then
		check_eq ring_before_daemon "$(field ".pid==$P" .exit)" "$FD" && ok ring_before_daemon
	else
		fail ring_before_daemon "no record for pid $P"
	fi
	ua_stop
else
	kill "$early" 2>/dev/null
	fail ring_before_daemon "driver or daemon did not get ready"
fi

# --- loss: a stalled consumer and a small ring buffer ---------------------------
# Stop the daemon (SIGSTOP), flood selected requests into a 64 KiB ring buffer,
# resume it. The kernel counts each event it could not reserve (ringbuf_full)
# or that its flow had no budget for (budget) under its submitter; the daemon writes one URING_LOST record per submitter and second
# naming it (pid, comm, uid, op), and the records add up to the kernel's
# counter, to status's lost_declared and to the stop record's lost.
UA_LOG=$UA_TMP/loss.json
if ua_start --ringbuf-size 65536; then
	kill -STOP "$UA_PID"
	drive readn:/etc/hostname:1 overflow:2000
	kill -CONT "$UA_PID"
	st() { "$UA" status --json --socket "$UA_TMP/sock"; }
	settled() {
		local s
		s=$(st) || return 1
		[ "$(jq -r .lost <<<"$s")" -gt 0 ] &&
			[ "$(jq -r .lost <<<"$s")" = "$(jq -r .lost_declared <<<"$s")" ]
	}
	if wait_for settled; then
		s=$(st)
		kern=$(jq -r .lost <<<"$s")
		sum=$(jq -s '[.[]|select(.type=="URING_LOST" and (.reason=="ringbuf_full" or .reason=="budget"))|.lost]|add' "$UA_LOG")
		check_eq loss_accounted "$sum" "$kern" && ok loss_accounted
		# The driver's drops, named: its openats (overflow:N opens), its uid.
		mine=$(jq -s '[.[]|select(.type=="URING_LOST" and .comm=="uring_driver" and .op=="openat" and .uid==0)|.lost]|add // 0' "$UA_LOG")
		# Aggregated, not one record per gap: the driver's thousands of drops
		# (within a second or two) in a few records, and no submitter in more
		# than a few (the daemon records the whole machine, so other
		# processes may lose events too, each named once a second).
		nmine=$(jq -s '[.[]|select(.type=="URING_LOST" and .comm=="uring_driver")]|length' "$UA_LOG")
		nrec=$(jq -s '[.[]|select(.type=="URING_LOST")]|length' "$UA_LOG")
		nsub=$(jq -s '[.[]|select(.type=="URING_LOST")|[.pid,.op,.reason]]|unique|length' "$UA_LOG")
		if [ "$mine" -gt 0 ] && [ "$nmine" -le 5 ] && [ "$nrec" -le $((5 * nsub)) ]; then
			ok loss_attributed
		else
			fail loss_attributed "driver's openat drops: $mine in $nmine URING_LOST records; all: $nrec records for $nsub submitters (want > 0 drops, <= 5 records each) for $kern events"
		fi
		top=$(jq -r '[.top_droppers[]|select(.comm=="uring_driver" and .op=="openat")|.lost]|add // 0' <<<"$s")
		[ "$top" -gt 0 ] && ok loss_top_droppers ||
			fail loss_top_droppers "status top_droppers: $(jq -c .top_droppers <<<"$s")"
		ua_stop
		stop_lost=$(jq -s '[.[]|select(.type=="URING_DAEMON" and .op=="stop")|.lost][0]' "$UA_LOG")
		sum=$(jq -s '[.[]|select(.type=="URING_LOST" and (.reason=="ringbuf_full" or .reason=="budget"))|.lost]|add' "$UA_LOG")
		check_eq loss_stop_record "$stop_lost" "$sum" && ok loss_stop_record
	else
		fail loss_accounted "kernel and daemon disagree: $(st)"
		ua_stop
	fi
else
	fail loss_accounted "daemon did not start"
fi

# --- the consumer's priority: nice -4 by default (auditd's priority_boost),
# the file's priority_boost, a flag over the file. Busy submitters starved a
# consumer at nice 0 of CPU (the ring buffer filled while it was idle).
nice_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f17; }
UA_LOG=$UA_TMP/prio.json
printf 'priority_boost = 7\n' >"$UA_TMP/prio.conf"
chmod 600 "$UA_TMP/prio.conf"
got=""
for args in "" "--config $UA_TMP/prio.conf" "--config $UA_TMP/prio.conf --priority-boost 0"; do
	# shellcheck disable=SC2086
	if ua_start $args; then
		got="$got $(nice_of "$UA_PID")"
		ua_stop
	else
		got="$got start-failed"
	fi
done
check_eq priority_boost "$got" " -4 -7 0" && ok priority_boost
