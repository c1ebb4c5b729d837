#!/usr/bin/env bash
# The daemon under a flood (issue 11): two threads submit NOPs as fast as
# they can (NOPs: other daemons on the machine, with the default rules, do
# not select them). The daemon's drains of
# the ring buffer are bounded, so status answers and SIGTERM stops it while
# the flood goes on; what it loses is said in a bounded number of URING_LOST
# records that name the flooder and add up to the kernel's counter.
. "$(dirname "$0")/lib.sh"

CASES=(flood_status_answers flood_sigterm_stops flood_loss_bounded flood_loss_invariant
	fair_other_process fair_same_process
	distinct_one_process_other_uid distinct_one_process_same_uid distinct_one_process_loss
	distinct_two_processes_other_uid distinct_two_processes_same_uid distinct_two_processes_loss
	fair_settings_refused fair_off)
ua_require "${CASES[@]}"
FLOOD=$UA_TOP/$UA_BUILD/tests/ua_flood
if [ ! -x "$FLOOD" ]; then
	for n in "${CASES[@]}"; do skip "$n" "not built ($FLOOD)"; done
	exit 0
fi

ms() { echo $(($(date +%s%N) / 1000000)); }
anyrecs() { jq -c "select($1)" "$UA_LOG" 2>/dev/null; }

# Only the flooder's requests, so that other processes' traffic does not
# change what is measured; a 1 MiB ring buffer, so that the flood fills it.
RULES=$UA_TMP/flood.rules
echo "-a always,io_uring -S nop,openat -F exe=$FLOOD -k flood" >"$RULES"
chmod 600 "$RULES"
# 16 MiB: room for far more events than one drain may take (16384), so the
# backlog built below makes the drains cut whatever the consumer's speed.
if ! ua_start --rules "$RULES" --ringbuf-size 16777216; then
	for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done
	exit 0
fi

# Floods that the test ends run FLOOD_MAX_MS at most.
FLOOD_MAX_MS=$(((2 * UA_TIMEOUT + 60) * 1000))
"$FLOOD" nop 2 "$FLOOD_MAX_MS" >"$UA_TMP/flood.out" 2>"$UA_TMP/flood.err" &
FPID=$!
if ! wait_for grep -q '^flood pid=' "$UA_TMP/flood.out"; then
	kill "$FPID" 2>/dev/null
	for n in "${CASES[@]}"; do fail "$n" "ua_flood did not start: $(cat "$UA_TMP/flood.err")"; done
	exit 0
fi
st() { "$UA" status --json --socket "$UA_TMP/sock"; }
# Let the flood fill the ring buffer: the consumer is held (SIGSTOP) until
# the flooder has spent one more second of CPU submitting NOPs (hundreds of
# thousands: more than 16 MiB of events), then let go; its drains are then
# cut short by their budget (more events than one drain may take). A
# consumer fast enough to keep up with the flood would otherwise never need
# the bound.
# /proc/PID/stat counts CPU time in USER_HZ ticks, 100 a second on Linux
# whatever the kernel's HZ (getconf CLK_TCK says the same; the VM guests
# have no getconf).
cputicks() { awk '{ print $14 + $15 }' "/proc/${1:-$FPID}/stat" 2>/dev/null; }
# The daemon's CPU and the events it has consumed, from here to the status
# replies below: its CPU per event, this machine's speed at its own work.
ev0=$(st | jq -r .events)
dc0=$(cputicks "$UA_PID")
kill -STOP "$UA_PID"
held=$(ms)
c0=$(cputicks)
# (10 s at most: in the 6.1 TCG guest the flooder's CPU did not reach a
# second in the 600 s the wait allows; the drains cut below are the
# backlog's proof.)
wait_for eval '[ "$(( $(cputicks) - ${c0:-0} ))" -ge 100 ] || [ $(($(ms) - held)) -ge 10000 ]'
fcpu=$(($(cputicks) - ${c0:-0}))
kill -CONT "$UA_PID"
held=$(($(ms) - held))
wait_for eval '[ "$(st | jq -r .drains_cut)" -gt 0 ]'

# status, five times during the flood. Before issue 11 a drain ran as long
# as events came (status took 8 s under two open loops). The daemon's part
# is bounded: the longest turn of its loop (from one look at signals and
# clients to the next) takes under 100 ms of its CPU (its drains stop after
# 20 ms) and, with the machine's load on top, under 1 s of wall time (the
# turn the SIGSTOP above fell into also holds the time it was held). What
# a client sees adds starting a process under that load (100-1400 ms here
# with seven test suites running): each reply within 3 s.
times=() bad=0
for i in 1 2 3 4 5; do
	t0=$(ms)
	st >"$UA_TMP/st.$i" 2>&1 || bad=1
	times+=($(($(ms) - t0)))
done
dc1=$(cputicks "$UA_PID")
alive=no
kill -0 "$FPID" 2>/dev/null && [ "$(sed 's/.*) //;s/ .*//' "/proc/$FPID/stat")" != Z ] && alive=yes
worst=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
cpu=$(jq -r .loop_max_cpu_us "$UA_TMP/st.5")
wall=$(jq -r .loop_max_us "$UA_TMP/st.5")
cut=$(jq -r .drains_cut "$UA_TMP/st.5")
ev=$(($(jq -r .events "$UA_TMP/st.5") - ev0))
# The daemon's CPU per event consumed, in ns (USER_HZ ticks: 10 ms each).
evns=$(((dc1 - dc0) * 10000000 / (ev > 0 ? ev : 1)))
# 100 ms is the bound on real hardware: on the development host (2 cores)
# this daemon spends HOST_EVNS ns of CPU per event of this flood (5 runs
# at load 8: 233 to 355 ns, median 303: the "# ... per event" line below)
# and its longest turn 3.9 to 8.7 ms CPU. In a TCG guest (the VM harness says so, UA_VM_ACCEL)
# every instruction is emulated and the host preempts the guest's CPUs,
# which the guest counts as its own CPU time: there the bound is 100 ms
# times how much more CPU this daemon spent per event in this very flood
# than on the host, the same margin over the same work.
HOST_EVNS=300
bound=100000
if [ "${UA_VM_ACCEL:-}" = tcg ] && [ "$evns" -gt "$HOST_EVNS" ]; then
	bound=$((100000 * evns / HOST_EVNS))
fi
echo "# status replies ${times[*]} ms; longest loop turn ${wall} us wall, ${cpu} us CPU (bound ${bound} us); $cut drains cut; consumer held ${held} ms (the flooder spent $((fcpu * 10)) ms of CPU meanwhile); flood running throughout: $alive; daemon CPU $(((dc1 - dc0) * 10)) ms for $ev events: $evns ns per event${UA_VM_ACCEL:+ (guest: ${UA_VM_ACCEL})}" >&2
if [ $bad = 0 ] && [ "$worst" -lt 3000 ] && [ "$cpu" -lt "$bound" ] && [ "$wall" -lt $(((held + 1000) * 1000)) ] &&
	[ "$cut" -gt 0 ] && [ "$ev" -gt 0 ] && [ $alive = yes ]; then
	ok flood_status_answers
else
	fail flood_status_answers "status took ${times[*]} ms (want each < 3000), loop turn max ${cpu} us CPU (want < ${bound}), ${wall} us wall (want < 1 s + ${held} ms held), drains cut $cut (want > 0), $ev events consumed, flood running throughout: $alive; failed=$bad"
fi

# SIGTERM while the flood goes on: the daemon stops (drained, pending
# requests written, stop record) within a second, 1.5 s allowed for load.
t0=$(ms)
kill -TERM "$UA_PID"
wait "$UA_PID"
rc=$?
took=$(($(ms) - t0))
UA_PID=
# In a TCG guest, 1.5 s times the same measured factor as the CPU bound
# above (the stop's drain is the same work per event): the 6.1 guest took
# 2,997 ms with the flood running, at 14,770 ns per event.
tbound=$((1500 * bound / 100000))
echo "# SIGTERM to exit: $took ms (bound $tbound ms)" >&2
if [ $rc = 0 ] && [ $took -lt $tbound ]; then
	ok flood_sigterm_stops
else
	fail flood_sigterm_stops "exit $rc after $took ms (want 0 within $tbound ms)"
fi
kill "$FPID" 2>/dev/null
wait "$FPID" 2>/dev/null

# Losses: one URING_LOST record per submitter and second at most (this
# flooder: pid, comm, uid, op), however many events were lost. The flood's
# own records make hundreds of MB: the checks read the lines they need.
grep -F -e URING_LOST -e URING_DAEMON "$UA_LOG" >"$UA_TMP/flood.kept"
rm -f "$UA_LOG"
UA_LOG=$UA_TMP/flood.kept
fpid=$(sed -n 's/^flood pid=//p' "$UA_TMP/flood.out")
nlost=$(anyrecs '.type=="URING_LOST"' | wc -l)
lost=$(anyrecs '.type=="URING_LOST"' | jq -s 'map(.lost)|add // 0')
theirs=$(anyrecs ".type==\"URING_LOST\" and .pid==$fpid and .comm==\"ua_flood\" and .op==\"nop\"" |
	jq -s 'map(.lost)|add // 0')
secs=$(anyrecs '.type=="URING_DAEMON"' | jq -s '(.[-1].time // 0) - (.[0].time // 0) | floor + 2')
if [ "$lost" -gt 0 ] && [ "$theirs" -gt 0 ] && [ "$nlost" -le $((2 * secs + 2)) ]; then
	ok flood_loss_bounded
else
	fail flood_loss_bounded "$nlost URING_LOST records over ${secs}s for $lost lost events ($theirs named pid $fpid nop)"
fi

# The invariant: the records add up to the stop record's lost.
stop_lost=$(anyrecs '.type=="URING_DAEMON" and .op=="stop"' | jq -r .lost)
check_eq flood_loss_invariant "$stop_lost" "$lost" && ok flood_loss_invariant

# --- fairness: flood, then act ------------------------------------------------
# One process floods from two threads while another process, and separately
# the flooding process itself, opens a sensitive file 20 times. While the
# ring buffer is more than three quarters full each flow (process, op,
# object) may put an eighth of it in per 100 ms; the flood's flow loses the
# rest (URING_LOST reason=budget naming it) and the 20 opens are a flow of
# their own: 20 of 20 recorded with their real result and object, every run.
# The other process's flood is NOPs; the same process floods opens of
# /dev/null (the same opcode as the 20 opens, another object), briefly:
# other daemons on the machine select openat too.
# The opens start once the daemon says the flood is over its budget (the
# kernel dropped some of its requests: the buffer is past the fill mark),
# however long the flood takes to get there (a slow guest); what it lost
# while they ran is said (the flooder's own 20 opens take a few ms on the
# host, where its flood's flow is not always cut within them).
SECRET=/etc/shadow
budget() { st | jq -r .budget; }
over_budget() { # name: wait until the daemon says the flood went over budget
	wait_for eval '[ "$(budget)" -gt 0 ]' && return 0
	fail "$1" "the flood did not go over its budget in ${UA_TIMEOUT} s (the ring buffer never passed the fill mark): $(st | jq -c '{events, lost, budget, drains_cut}')"
	return 1
}
fair_case() { # name flood-kind flood-threads opener-args...
	local name=$1 kind=$2 threads=$3 fout=$UA_TMP/fair-flood.out vout=$UA_TMP/fair-victim.out
	shift 3
	UA_LOG=$UA_TMP/$name.json
	if ! ua_start --rules "$RULES" --ringbuf-size 1048576; then
		fail "$name" "daemon did not start"
		return
	fi
	: >"$vout"
	rm -f "$UA_TMP/go"
	UA_FLOOD_GO=$UA_TMP/go "$FLOOD" "$kind" "$threads" "$FLOOD_MAX_MS" "$@" >"$fout" 2>"$UA_TMP/fair.err" &
	local fpid=$! vpid b0 b1
	if ! wait_for grep -qs '^flood pid=' "$fout"; then
		kill "$fpid" 2>/dev/null
		ua_stop
		fail "$name" "ua_flood did not start: $(cat "$UA_TMP/fair.err")"
		return
	fi
	if ! over_budget "$name"; then
		kill "$fpid" 2>/dev/null
		wait "$fpid" 2>/dev/null
		ua_stop
		return
	fi
	# The opens: another process's, or the flooder's own (told by the
	# file UA_FLOOD_GO names; its flood ends with them).
	b0=$(budget)
	if [ $# = 0 ]; then
		"$FLOOD" nop 0 400 "$SECRET" 20 >"$vout" 2>>"$UA_TMP/fair.err"
		b1=$(budget)
		kill "$fpid" 2>/dev/null
	else
		touch "$UA_TMP/go"
		wait_for grep -qs '^opens done' "$fout"
		b1=$(budget)
	fi
	wait "$fpid"
	[ -s "$vout" ] || vout=$fout
	vpid=$(sed -n 's/^opens done pid=\([0-9]*\).*/\1/p' "$vout")
	local okn
	okn=$(sed -n 's/^opens done pid=[0-9]* ok=\([0-9]*\).*/\1/p' "$vout")
	ua_stop
	# The flood's own records make hundreds of MB: keep the lines the
	# checks read.
	grep -F -e "$SECRET" -e URING_LOST -e URING_DAEMON "$UA_LOG" >"$UA_TMP/$name.kept"
	rm -f "$UA_LOG"
	UA_LOG=$UA_TMP/$name.kept
	local sel=".pid==${vpid:-0} and .op==\"openat\" and .name==\"$SECRET\""
	local n good
	n=$(count "$sel")
	good=$(count "$sel and .success==true and .exit>=0 and .cqe==\"posted\" and .new_path==\"$SECRET\" and .uid==0 and .key==\"flood\"")
	local budget
	budget=$(jq -s '[.[]|select(.type=="URING_LOST" and .reason=="budget")|.lost]|add // 0' "$UA_LOG")
	echo "# $name: $n of 20 opens recorded ($good with every field right; the opener saw $okn succeed); $budget flood requests over budget, $((b1 - b0)) while the opens ran" >&2
	if [ "$okn" = 20 ] && [ "$n" = 20 ] && [ "$good" = 20 ] && [ "$budget" -gt 0 ]; then
		ok "$name"
	else
		fail "$name" "$n records of 20 opens of $SECRET by pid ${vpid:-?} ($good right, opener ok=$okn; $budget flood requests over budget, want > 0)"
	fi
}
fair_case fair_other_process nop 2
fair_case fair_same_process devnull 2 "$SECRET" 20

# --- fairness against distinct flows ---------------------------------------
# The attack on per-flow budgets: every request of the flood is a flow of its
# own (openat of a new name each time, failing with ENOENT), so no flow ever
# goes over its budget. The flood comes from an unprivileged user (nobody):
# one process with two threads, then two processes with one thread each.
# Once it has filled the ring buffer, a process of another uid (root: opens
# of /etc/shadow that succeed) and a process of the flooder's own uid (the
# same opens, refused: EACCES) each open /etc/shadow 20 times, four times
# each while the flood goes on. Every one of the 160 opens is recorded once,
# with its result and object; what the flood lost is said under the
# flooders' pids and uid (reason=budget) and adds up to the stop record.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# A consumer that keeps up with the distinct flood never lets the buffer
# reach the fill mark while the victims run (the 6.12 guest, and this host
# at load 4: over budget before them, 0 during them). The daemon is held to
# a fifth of a CPU while the flood goes on (a cgroup of its own: cpu.max in
# cgroup v2, the guests; cpu.cfs_quota_us in v1, this host), so that its
# buffer stays at the mark; the checks are the same.
CG=""
throttle() { # pid
	local root=/sys/fs/cgroup
	if [ -f $root/cgroup.subtree_control ]; then
		grep -qw cpu $root/cgroup.subtree_control ||
			echo +cpu >$root/cgroup.subtree_control 2>/dev/null || return 1
		CG=$root/uringaudit-test-$$
		mkdir -p "$CG" && echo "20000 100000" >"$CG/cpu.max" && echo "$1" >"$CG/cgroup.procs" && return 0
	elif [ -f $root/cpu/cpu.cfs_quota_us ]; then
		CG=$root/cpu/uringaudit-test-$$
		mkdir -p "$CG" && echo 100000 >"$CG/cpu.cfs_period_us" && echo 20000 >"$CG/cpu.cfs_quota_us" &&
			echo "$1" >"$CG/cgroup.procs" && return 0
	fi
	[ -z "$CG" ] || rmdir "$CG" 2>/dev/null
	CG=""
	return 1
}
unthrottle() { # pid
	[ -n "$CG" ] || return 0
	echo "$1" >"${CG%/*}/cgroup.procs" 2>/dev/null
	rmdir "$CG" 2>/dev/null
	CG=""
}
# Flooders still running when the script ends (a failure, a signal) go too.
FLOOD_PIDS=""
trap '[ -z "$FLOOD_PIDS" ] || kill $FLOOD_PIDS 2>/dev/null; [ -z "$UA_PID" ] || unthrottle "$UA_PID"; ua_cleanup' EXIT
distinct_case() { # name processes threads-per-process
	local name=$1 nproc=$2 threads=$3 i run
	local -a fpids=()
	UA_LOG=$UA_TMP/$name.json
	if ! command -v setpriv >/dev/null; then
		for i in other_uid same_uid loss; do skip "${name}_$i" "setpriv (util-linux) not installed"; done
		return
	fi
	if ! ua_start --rules "$RULES" --ringbuf-size 1048576; then
		for i in other_uid same_uid loss; do fail "${name}_$i" "daemon did not start"; done
		return
	fi
	local held="not held (no cgroup cpu controller here)"
	throttle "$UA_PID" && held="held to 20 ms of CPU per 100 ms (${CG})"
	for ((i = 0; i < nproc; i++)); do
		# a simple command: $! is the flooder itself (setpriv execs it)
		setpriv --reuid=65534 --regid=65534 --clear-groups "$FLOOD" distinct "$threads" "$FLOOD_MAX_MS" \
			>"$UA_TMP/$name.f$i" 2>>"$UA_TMP/fair.err" &
		fpids+=($!)
		FLOOD_PIDS+=" $!"
	done
	for ((i = 0; i < nproc; i++)); do
		if ! wait_for grep -qs '^flood pid=' "$UA_TMP/$name.f$i"; then
			kill "${fpids[@]}" 2>/dev/null
			wait "${fpids[@]}" 2>/dev/null
			FLOOD_PIDS=""
			unthrottle "$UA_PID"
			ua_stop
			for i in other_uid same_uid loss; do
				fail "${name}_$i" "ua_flood did not start: $(cat "$UA_TMP/fair.err")"
			done
			return
		fi
	done
	if ! over_budget "${name}_loss"; then
		kill "${fpids[@]}" 2>/dev/null
		wait "${fpids[@]}" 2>/dev/null
		FLOOD_PIDS=""
		unthrottle "$UA_PID"
		ua_stop
		fail "${name}_other_uid" "the flood did not go over its budget"
		fail "${name}_same_uid" "the flood did not go over its budget"
		return
	fi
	local budget0
	budget0=$(st | jq -r .budget)
	local -a vroot=() vnobody=()
	local alive=1
	for run in 1 2 3 4; do
		"$FLOOD" nop 0 400 "$SECRET" 20 >"$UA_TMP/$name.r$run" 2>>"$UA_TMP/fair.err"
		vroot+=("$(sed -n 's/^opens done pid=\([0-9]*\).*/\1/p' "$UA_TMP/$name.r$run")")
		as_nobody "$FLOOD" nop 0 400 "$SECRET" 20 >"$UA_TMP/$name.n$run" 2>>"$UA_TMP/fair.err"
		vnobody+=("$(sed -n 's/^opens done pid=\([0-9]*\).*/\1/p' "$UA_TMP/$name.n$run")")
	done
	kill -0 "${fpids[@]}" 2>/dev/null || alive=0
	local budget1
	budget1=$(st | jq -r .budget)
	kill "${fpids[@]}" 2>/dev/null
	wait "${fpids[@]}" 2>/dev/null
	FLOOD_PIDS=""
	unthrottle "$UA_PID"
	ua_stop
	# The flood's own records make hundreds of MB: keep the lines the
	# checks read (none of the flood's names spells these).
	grep -F -e "$SECRET" -e URING_LOST -e URING_DAEMON "$UA_LOG" >"$UA_TMP/$name.kept"
	rm -f "$UA_LOG"
	UA_LOG=$UA_TMP/$name.kept
	local fp
	fp=$(for i in "${!fpids[@]}"; do sed -n 's/^flood pid=//p' "$UA_TMP/$name.f$i"; done | paste -sd, -)

	# Another uid: 20 successful opens recorded per run, with their fields.
	local bad="" n good pid
	for run in 1 2 3 4; do
		pid=${vroot[run - 1]:-0}
		local sel=".pid==$pid and .op==\"openat\" and .name==\"$SECRET\""
		n=$(count "$sel")
		good=$(count "$sel and .success==true and .exit>=0 and .cqe==\"posted\" and .new_path==\"$SECRET\" and .uid==0 and .key==\"flood\"")
		grep -q '^opens done pid=[0-9]* ok=20 ' "$UA_TMP/$name.r$run" || bad+=" run $run: opener saw $(sed -n 's/^opens done //p' "$UA_TMP/$name.r$run");"
		[ "$n" = 20 ] && [ "$good" = 20 ] || bad+=" run $run (pid $pid): $n recorded, $good right;"
	done
	echo "# $name: flood pids $fp, root's opens:${bad:- 4 runs of 20 of 20}" >&2
	if [ $alive = 1 ] && [ -z "$bad" ]; then
		ok "${name}_other_uid"
	else
		fail "${name}_other_uid" "flood alive throughout=$alive;$bad"
	fi

	# The flooder's own uid: 20 refused opens recorded per run (EACCES).
	bad=""
	for run in 1 2 3 4; do
		pid=${vnobody[run - 1]:-0}
		local sel=".pid==$pid and .op==\"openat\" and .name==\"$SECRET\""
		n=$(count "$sel")
		good=$(count "$sel and .success==false and .exit==-13 and .cqe==\"posted\" and .uid==65534 and .euid==65534 and .key==\"flood\"")
		grep -q '^opens done pid=[0-9]* ok=0 err=20 errno=13' "$UA_TMP/$name.n$run" || bad+=" run $run: opener saw $(sed -n 's/^opens done //p' "$UA_TMP/$name.n$run");"
		[ "$n" = 20 ] && [ "$good" = 20 ] || bad+=" run $run (pid $pid): $n recorded, $good right;"
	done
	echo "# $name: nobody's opens:${bad:- 4 runs of 20 of 20}" >&2
	if [ $alive = 1 ] && [ -z "$bad" ]; then
		ok "${name}_same_uid"
	else
		fail "${name}_same_uid" "flood alive throughout=$alive;$bad"
	fi

	# Loss: the flood lost requests while the victims ran, all of it said
	# under the flooders (pid, uid, reason=budget), none under a victim, and
	# the URING_LOST records add up to the stop record.
	local lost theirs victims stop_lost vp
	vp=$(printf '%s\n' "${vroot[@]}" "${vnobody[@]}" | paste -sd, -)
	lost=$(jq -s '[.[]|select(.type=="URING_LOST")|.lost]|add // 0' "$UA_LOG")
	theirs=$(jq -s "[.[]|select(.type==\"URING_LOST\" and .reason==\"budget\" and .uid==65534 and .op==\"openat\" and (.pid as \$p | [$fp] | index(\$p)) != null)|.lost]|add // 0" "$UA_LOG")
	victims=$(jq -s "[.[]|select(.type==\"URING_LOST\" and (.pid as \$p | [${vp:-0}] | index(\$p)) != null)|.lost]|add // 0" "$UA_LOG")
	stop_lost=$(jq -r 'select(.type=="URING_DAEMON" and .op=="stop")|.lost' "$UA_LOG")
	echo "# $name: lost $lost (stop record $stop_lost), $theirs over budget under the flooders, $((budget1 - budget0)) while the victims ran, $victims under victims; the daemon $held" >&2
	if [ "$theirs" -gt 0 ] && [ "$((budget1 - budget0))" -gt 0 ] && [ "$victims" = 0 ] && [ "$lost" = "$stop_lost" ]; then
		ok "${name}_loss"
	else
		fail "${name}_loss" "lost $lost, stop record $stop_lost; flooders' budget losses $theirs (want > 0), $((budget1 - budget0)) during the victims' runs (want > 0), victims' $victims (want 0): $(jq -c "select(.type==\"URING_LOST\" and (.pid as \$p | [${vp:-0}] | index(\$p)) != null)|[.pid,.uid,.reason,.lost]" "$UA_LOG" | paste -sd' ' -)"
	fi
}
distinct_case distinct_one_process 1 2
distinct_case distinct_two_processes 2 1

# --- the budgets' settings ---------------------------------------------------
# Bad values are refused before anything loads (exit 2), each with its
# message: a flag alone, a flag against the file's values, a file alone.
bad=""
refused() { # expected-message args...
	local want=$1 rc
	shift
	"$UA" run --log - --socket "$UA_TMP/refused.sock" "$@" >/dev/null 2>"$UA_TMP/refused.err"
	rc=$?
	if [ $rc != 2 ] || ! grep -qF -- "$want" "$UA_TMP/refused.err"; then
		bad+=" [$*: rc=$rc, $(head -c 300 "$UA_TMP/refused.err")]"
	fi
}
refused "--fair-flow '12.25': a percentage of the ring buffer, 0..100 (one decimal at most: 12.5)" \
	--fair-flow 12.25
refused "--fair-fill '100': 0..99" --fair-fill 100
refused "--fair-interval '0': 1..60000 ms" --fair-interval 0
printf 'fair_process = 20\n' >"$UA_TMP/fair.conf"
chmod 600 "$UA_TMP/fair.conf"
refused "'--fair-flow' (25.0%) above '--fair-process' (20.0%): a flow is one of a process's requests (the flags with the file's fair_* keys)" \
	--config "$UA_TMP/fair.conf" --fair-flow 25
refused "'--fair-flow' (30.0%) above '--fair-process' (25.0%)" --fair-flow 30
printf 'fair_interval = 50\nfair_reserve = 30\n' >"$UA_TMP/fair.conf"
refused "fair.conf:2: 'fair_reserve' (30.0%) above 'fair_process' (25.0%)" --config "$UA_TMP/fair.conf"
[ -z "$bad" ] && ok fair_settings_refused || fail fair_settings_refused "$bad"

# fair_fill = 0 (here from the file): no budgets at all. The same NOP flood
# that the budgets cut at the start of this script fills the buffer, and
# nothing is dropped as budget (what does not fit is ringbuf_full).
UA_LOG=$UA_TMP/fair_off.json
printf 'fair_fill = 0\n' >"$UA_TMP/fair.conf"
if ! ua_start --config "$UA_TMP/fair.conf" --rules "$RULES" --ringbuf-size 1048576; then
	fail fair_off "daemon did not start"
else
	"$FLOOD" nop 2 "$FLOOD_MAX_MS" >"$UA_TMP/off.out" 2>"$UA_TMP/off.err" &
	opid=$!
	FLOOD_PIDS+=" $opid"
	wait_for eval '[ "$(st | jq -r .drains_cut)" -gt 0 ]'
	wait_for eval '[ "$(st | jq -r .lost)" -gt 1000 ]'
	off=$(st)
	kill "$opid" 2>/dev/null
	wait "$opid" 2>/dev/null
	FLOOD_PIDS=""
	ua_stop
	echo "# fair_off: lost $(jq -r .lost <<<"$off"), budget $(jq -r .budget <<<"$off")" >&2
	if [ "$(jq -r .budget <<<"$off")" = 0 ] && [ "$(jq -r .lost <<<"$off")" -gt 1000 ]; then
		ok fair_off
	else
		fail fair_off "with fair_fill = 0: budget $(jq -r .budget <<<"$off") (want 0), lost $(jq -r .lost <<<"$off") (want > 1000)"
	fi
fi
