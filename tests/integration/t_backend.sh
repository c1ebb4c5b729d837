#!/usr/bin/env bash
# The per-op backend (--backend perop, src/perop.c) against the tracepoint
# backend: the same workload under each gives the same records, field by
# field; requests of unselected opcodes run no BPF program at all (the
# kernel's run counts, ua_runcnt); a reload that changes the selected set
# loses and duplicates nothing. Where fentry/fexit do not load (the
# development host's kernel blocks function tracing) the daemon runs the
# tracepoint backend and says why: every case is skipped with that reason.
# The Debian 6.1 and 6.12 kernels of `make check-vm` run it.
. "$(dirname "$0")/lib.sh"

CASES=(backend_start backend_zero_runs backend_late_zero_runs backend_late_control
	backend_reload_attach backend_same_records backend_late_records backend_reload_no_loss
	backend_teardown)
ua_require backend_auto "${CASES[@]}"
RUNCNT=$UA_TOP/$UA_BUILD/tests/ua_runcnt
LATE=$UA_TOP/$UA_BUILD/tests/ua_late
for b in "$RUNCNT" "$LATE"; do
	[ -x "$b" ] || {
		for n in "${CASES[@]}"; do skip "$n" "not built ($b)"; done
		exit 0
	}
done

rules_file() { # NAME RULE...: a rules file in $UA_TMP
	local f=$UA_TMP/$1.rules
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}
OPEN_ONLY=$(rules_file open '-a always,io_uring -S openat -k be')
WORKLOAD=$(rules_file work '-a always,io_uring -S openat,connect,read,write,accept,recv -k be')
# Ops whose result may come after their issue handler ("late"): network
# rules, a write rule, poll, timeouts, and one left to the completion
# tracepoint.
LATE_NET=$(rules_file late_net '-a always,io_uring -S accept,recv -k be')
LATE_RW=$(rules_file late_rw '-a always,io_uring -S write -k be')
LATE_POLL=$(rules_file late_poll '-a always,io_uring -S poll_add -k be')
LATE_TO=$(rules_file late_to '-a always,io_uring -S timeout,link_timeout -k be')
LATE_TP=$(rules_file late_tp '-a always,io_uring -S uring_cmd -k be')
LATE_REC=$(rules_file late_rec '-a always,io_uring -S poll_add,timeout,link_timeout -k be')
status() { "$UA" status --json --socket "$UA_TMP/sock"; }
W=$UA_TMP/work
mkdir -p "$W"
chmod 755 "$W"
PORT=$((20000 + $$ % 20000))
# The workload: opens (success, failure, forced into io-wq), a read, a TCP
# connect (last: the server's accept takes an fd when it likes). Its
# records are selected by comm.
COMM=ua_be_$$
if ua_kernel_has IORING_OP_BIND; then BIND=bind LISTEN=listen; else BIND=sys_bind LISTEN=sys_listen; fi
# ... and the late ops: a write inline and in io-wq, a read in io-wq, a
# recv of the server's reply (it waits for the reply: poll-retried when it
# is not there yet), a multishot accept of two connections then cancelled
# while it waits for a third (-ECANCELED through the poll cancel path); a
# write to /dev/full in io-wq, whose error (-ENOSPC) completes from inside
# its handler, in the worker (6.1: kiocb_done -> io_rw_done -> io_complete_rw,
# before the handler returns): ctx=iowq on both backends.
work() {
	drive --comm "$COMM" openat:/etc/hostname openat:/nonexistent-uringaudit-be \
		openat:/etc/hostname+async read:/etc/hostname read:/etc/hostname+async \
		write:"$W/written" write:"$W/written2"+async write:/dev/full+async \
		tcp_server:127.0.0.1:$PORT:backend-reply socket:inet:stream \
		connect:127.0.0.1:$PORT recv:64 \
		socket:inet:stream $BIND:127.0.0.1:0 $LISTEN:4 accept:2
}
NWORK=11 # records of the selected ops in work()
# The late families' paths (tests/progs/ua_late.c): a poll fired, removed
# by poll_remove, cancelled by async_cancel, multishot (two events, then
# removed); a timeout fired, completed by its count, removed; a
# link_timeout fired (cancelling its poll) and disarmed by its NOP. Their
# records (poll_remove, async_cancel and nop are not selected), each as
# "user_data op exit cqes":
LCOMM=ua_late_$$
LATE_STEPS=(poll_fire poll_remove poll_cancel poll_multi timeout_fire timeout_count
	timeout_remove ltimeout_fire ltimeout_disarm)
NLATE=10
LATE_WANT="0x65 poll_add 1 1,0x66 poll_add -125 1,0x66 poll_add -125 1,0x68 poll_add -125 3,\
0x6f timeout -62 1,0x70 timeout 0 1,0x72 timeout -125 1,0x79 poll_add -125 1,\
0x7a link_timeout -62 1,0x7c link_timeout -125 1,"
late_work() { "$LATE" --comm "$LCOMM" "${LATE_STEPS[@]}" >"$UA_TMP/late-$1.out" 2>&1; }
# their records without what differs from run to run (a pipe's inode)
late_normalized() {
	jq -cS "select(.type==\"URINGOP\" and .comm==\"$LCOMM\")
		| del(.seq,.time,.pid,.tid,.ppid,.ring,.file_ino)" "$1" | sort
}
late_summary() { jq -r '"\(.user_data) \(.op) \(.exit) \(.cqes // 1)"' "$1" | sort | tr '\n' ','; }
# The records of the workload, without what differs from run to run
# (time, serial, process and thread ids, ring id, ephemeral local ports,
# a new socket's inode number, and a socket's fd: the driver's tcp_server
# runs in a thread of its own, whose descriptors race the main thread's, so
# the connecting socket was fd 7 in one run and 8 in the other on 6.12).
normalized() {
	jq -cS "select(.type==\"URINGOP\" and .comm==\"$COMM\")
		| del(.seq,.time,.pid,.tid,.ppid,.ring)
		| if .file_type==\"socket\" then del(.file_ino,.fd) else . end
		| with_entries(select(.key|test(\"lport\$\")|not))
		| if .op==\"accept\" then with_entries(select(.key|test(\"(rport|ino|fd)\$\")|not)) else . end" "$1" | sort
}

# --- --backend auto: perop where it runs, else tracepoint, not degraded ------
# (here before the cases below skip on a kernel without fexit)
LOG0=$UA_LOG
UA_LOG=$UA_TMP/log-auto.json
if ua_start --backend auto --rules "$OPEN_ONLY"; then
	st=$(jq -c 'select(.type=="URING_DAEMON" and .op=="start")' "$UA_LOG")
	S=$(status)
	if [ "$(jq -r .backend <<<"$st")" = perop ]; then
		check_eq backend_auto "$(jq -r '"\(.backend) \(.backend_reason) \(.degraded // "" | test("backend"))"' <<<"$st") $(jq -r .backend <<<"$S")" \
			"perop null false perop" && ok backend_auto
	else
		why=$(jq -r .perop_unavailable <<<"$S")
		check_eq backend_auto "$(jq -r '"\(.backend) \(.degraded // "" | test("backend"))"' <<<"$st") $([ -n "$why" ] && [ "$(jq -r .backend_reason <<<"$st")" = "$why" ] && echo reason_said)" \
			"tracepoint false reason_said" && ok backend_auto
	fi
	ua_stop
else
	fail backend_auto "the daemon did not start"
fi
UA_LOG=$LOG0

# --- start on the per-op backend, openat only -------------------------------
ua_start --backend perop --rules "$OPEN_ONLY" || {
	for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done
	exit 0
}
be=$(jq -r 'select(.type=="URING_DAEMON" and .op=="start") | .backend' "$UA_LOG")
if [ "$be" != perop ]; then
	why=$(status | jq -r '.perop_unavailable // "no reason given"')
	if [ "$be" = tracepoint ] && [ "$(status | jq -r .backend)" = tracepoint ]; then
		for n in "${CASES[@]}"; do skip "$n" "the per-op backend cannot run here: $why"; done
	else
		for n in "${CASES[@]}"; do fail "$n" "start record says backend=$be"; done
	fi
	exit 0
fi
# The built-in rule set goes in before the configured one: its ops' issue
# stubs (close is one) stay, counted by status perop_retiring, until a tick
# finds none of their requests pending; then close's is gone.
wait_for eval '! status | jq -e ".perop_handlers | test(\"io_close\")" >/dev/null'
S=$(status)
if [ "$(jq -r .backend <<<"$S")" = perop ] &&
	jq -e '.perop_handlers | test("openat")' <<<"$S" >/dev/null &&
	! jq -e '.perop_handlers | test("io_close")' <<<"$S" >/dev/null &&
	[ "$(jq -c .perop_fallback <<<"$S")" = "[]" ] && jq -e '.perop_retiring | numbers' <<<"$S" >/dev/null; then
	ok backend_start
else
	fail backend_start "status: $(jq -c '{backend,perop_handlers,perop_fallback,perop_retiring}' <<<"$S")"
fi

# --- zero BPF runs for unselected opcodes -----------------------------------
# A ring's setup runs ring_create (register calls ring_register, the end of an
# earlier ring ring_teardown, whenever io_ring_exit_work runs): any
# other program that runs while 2000 NOPs and 500 reads go through is a
# failure. The control: one openat runs the stubs.
"$RUNCNT" "$DRV" nop:2000 readn:/etc/hostname:500 >"$UA_TMP/runs" 2>"$UA_TMP/runs.err"
others=$(grep '^prog ' "$UA_TMP/runs" | grep -v -E '^prog (ring_create|ring_register|ring_teardown) ' || true)
"$RUNCNT" "$DRV" openat:/etc/hostname >"$UA_TMP/runs2" 2>>"$UA_TMP/runs.err"
stubs=$(awk '$1=="prog" && ($2=="ua_prep" || $2=="ua_issue") {n+=$6} END {print n+0}' "$UA_TMP/runs2")
if ! grep -q '^total ' "$UA_TMP/runs"; then
	fail backend_zero_runs "ua_runcnt: $(head -c 300 "$UA_TMP/runs.err")"
elif [ -n "$others" ]; then
	fail backend_zero_runs "programs ran for nop/read: $(tr '\n' ' ' <<<"$others")"
elif [ "$stubs" -lt 2 ]; then
	fail backend_zero_runs "control: an openat ran the stubs $stubs times (2 expected)"
else
	echo "# nop:2000 readn:500: $(grep '^total' "$UA_TMP/runs"); openat: stubs ran $stubs times"
	ok backend_zero_runs
fi

# --- late ops selected: still zero runs for the others ------------------------
# accept and recv (their multishot CQEs counted at the auxiliary-CQE
# functions), write (its async result at io/rw.c's completion): neither the
# completion tracepoint nor any hook of theirs runs for NOPs and reads. A
# read does run write's prep stub where the two share their prep handler
# (6.1: io_prep_rw), which is said, not hidden.
late_runs() { # RULES NAME: the programs other than the rings' that ran
	local f=$UA_TMP/runs-$2
	"$UA" rules load "$1" --socket "$UA_TMP/sock" >/dev/null 2>>"$UA_TMP/runs.err" || return 1
	"$RUNCNT" "$DRV" nop:2000 readn:/etc/hostname:500 >"$f" 2>>"$UA_TMP/runs.err" || return 1
	grep -q '^total ' "$f" || return 1
	grep '^prog ' "$f" | grep -v -E '^prog (ring_create|ring_register|ring_teardown) ' || true
}
bad=
for r in LATE_NET LATE_RW LATE_POLL LATE_TO; do
	out=$(late_runs "${!r}" "$r") || { bad+=" [$r: rules load or ua_runcnt failed: $(tail -c 300 "$UA_TMP/runs.err")]"; continue; }
	S=$(status)
	lt=$(jq -c '.perop_late_tracepoint' <<<"$S")
	shared=
	[ "$r" = LATE_RW ] && jq -e '.perop_handlers | test("io_prep_rw")' <<<"$S" >/dev/null && shared=1
	if [ -n "$shared" ]; then
		# only the shared prep stub, at most once per read
		out=$(awk '!($1=="prog" && $2=="ua_prep" && $6<=500)' <<<"$out")
		echo "# $r: read and write share io_prep_rw here: its stub ran for reads"
	fi
	[ "$lt" = "[]" ] || bad+=" [$r: perop_late_tracepoint $lt]"
	[ -z "$out" ] || bad+=" [$r: $(tr '
' ' ' <<<"$out")]"
	echo "# $r: handlers $(jq -r .perop_handlers <<<"$S")"
done
if [ -z "$bad" ]; then ok backend_late_zero_runs; else fail backend_late_zero_runs "$bad"; fi

# The control: an op whose result only the completion tracepoint takes
# (uring_cmd) puts it on every completion, and says so.
if out=$(late_runs "$LATE_TP" LATE_TP); then
	lt=$(status | jq -c '.perop_late_tracepoint | length')
	n=$(awk '$1=="prog" && ($2=="complete" || $2=="complete_args") {n+=$6} END {print n+0}' <<<"$out")
	if [ "$lt" = 1 ] && [ "$n" -ge 2500 ]; then
		ok backend_late_control
	else
		fail backend_late_control "perop_late_tracepoint has $lt ops; the completion program ran $n times for 2500 requests"
	fi
else
	fail backend_late_control "rules load or ua_runcnt failed: $(tail -c 300 "$UA_TMP/runs.err")"
fi

# --- reload: connect and read join ------------------------------------------
if "$UA" rules load "$WORKLOAD" --socket "$UA_TMP/sock" >/dev/null 2>"$UA_TMP/e" &&
	S=$(status) && jq -e '.perop_handlers | test("connect")' <<<"$S" >/dev/null &&
	jq -e '.perop_handlers | test("read")' <<<"$S" >/dev/null; then
	ok backend_reload_attach
else
	fail backend_reload_attach "$(cat "$UA_TMP/e") $(jq -c '.perop_handlers' <<<"${S:-null}")"
fi

# --- the same records under both backends -----------------------------------
work && wait_count ".comm==\"$COMM\"" $NWORK
normalized "$UA_LOG" >"$UA_TMP/perop.recs"
# ... and no request of it is left waiting for its end (the daemon's join
# empties as each COMPLETE arrives: nothing lost in the kernel's table)
pending0=held
wait_for eval '[ "$(status | jq -r .pending)" = 0 ]' && pending0=

# --- the late families' records (compared with the tracepoint backend's below)
late_bad=
if "$UA" rules load "$LATE_REC" --socket "$UA_TMP/sock" >/dev/null 2>"$UA_TMP/e"; then
	S=$(status)
	[ "$(jq -c .perop_late_tracepoint <<<"$S")" = "[]" ] ||
		late_bad+=" [perop_late_tracepoint $(jq -c '{perop_late_tracepoint,perop_late_why}' <<<"$S")]"
	for fn in io_poll_task_func io_poll_remove io_timeout_fn io_kill_timeout io_timeout_cancel \
		io_req_task_link_timeout io_disarm_next; do
		jq -e --arg f "$fn" '.perop_handlers | split(",") | index($f)' <<<"$S" >/dev/null ||
			late_bad+=" [$fn not attached: $(jq -r .perop_handlers <<<"$S")]"
	done
	late_work perop || late_bad+=" [ua_late: $(tr '\n' ' ' <"$UA_TMP/late-perop.out")]"
	wait_count ".comm==\"$LCOMM\"" $NLATE
	late_normalized "$UA_LOG" >"$UA_TMP/perop-late.recs"
	got=$(late_summary "$UA_TMP/perop-late.recs")
	[ "$got" = "$LATE_WANT" ] || late_bad+=" [records: $got]"
	wait_for eval '[ "$(status | jq -r .pending)" = 0 ]' ||
		late_bad+=" [$(status | jq -r .pending) requests still pending]"
else
	late_bad+=" [rules load: $(cat "$UA_TMP/e")]"
fi
# the workload's set again, in force when the reload case starts
"$UA" rules load "$WORKLOAD" --socket "$UA_TMP/sock" >/dev/null 2>&1

# --- a reload that changes the set loses and duplicates nothing ---------------
# 300 opens, while the set changes under them five times.
steps=()
for i in $(seq 300); do steps+=("openat:/etc/hostname"); done
"$DRV" --comm ua_reload_$$ "${steps[@]}" >"$UA_TMP/reload.out" 2>&1 &
drvpid=$!
for i in 1 2 3 4 5; do
	"$UA" rules load "$OPEN_ONLY" --socket "$UA_TMP/sock" >/dev/null 2>&1
	"$UA" rules load "$WORKLOAD" --socket "$UA_TMP/sock" >/dev/null 2>&1
done
wait $drvpid
wait_count ".comm==\"ua_reload_$$\"" 300
n=$(count ".comm==\"ua_reload_$$\"")
u=$(recs ".comm==\"ua_reload_$$\"" | jq -r .user_data | sort -u | wc -l)
if [ "$n" = 300 ] && [ "$u" = 300 ]; then
	ok backend_reload_no_loss
else
	fail backend_reload_no_loss "$n records, $u distinct user_data (300 each expected)"
fi

# --- a ring's teardown --------------------------------------------------------
# An open with IOSQE_CQE_SKIP_SUCCESS succeeds and posts nothing: it waits for
# its slot's next request or its process's exit (so it comes last: a later
# request would reuse its slot and end it). The driver closes its ring
# and stays alive: the ring's teardown (fexit of io_ring_exit_work) ends it
# (cqe=skipped) and says so, naming the ring and who set it up, while the
# process still lives.
"$DRV" --comm ua_td_$$ --linger-ms $((UA_TIMEOUT * 1000)) openat:/etc/hostname \
	openat:/etc/hostname+skip >"$UA_TMP/td.out" 2>&1 &
tdpid=$!
td() { jq -c "select(.type==\"URING_TEARDOWN\" and .pid==$tdpid)" "$UA_LOG"; }
if ! wait_for eval '[ -n "$(td)" ]'; then
	fail backend_teardown "no URING_TEARDOWN for pid $tdpid: $(jq -c 'select(.type=="URING_TEARDOWN")' "$UA_LOG" | head -3) $(cat "$UA_TMP/td.out")"
else
	alive=$(kill -0 $tdpid 2>/dev/null && echo alive || echo gone)
	ring=$(td | jq -r .ring)
	setup_ring=$(jq -r "select(.type==\"URING_SETUP\" and .pid==$tdpid) | .ring" "$UA_LOG")
	got="$alive $(td | jq -r '"\(.pending) \(.comm)"') $([ "$ring" = "$setup_ring" ] && echo same_ring)"
	got="$got / $(recs ".pid==$tdpid" | jq -r '"\(.cqe) \(.success) \(.ring == "'"$ring"'")"' | sort | tr '\n' ',')"
	check_eq backend_teardown "$got" "alive 1 ua_td_$$ same_ring / posted true true,skipped null true," &&
		ok backend_teardown
fi
kill $tdpid 2>/dev/null
wait $tdpid 2>/dev/null
ua_stop
PEROP_LOG=$UA_LOG

# --- the tracepoint backend, the same workload ------------------------------
UA_LOG=$UA_TMP/log-tp.json
ua_start --backend tracepoint --rules "$WORKLOAD" || {
	fail backend_same_records "the tracepoint daemon did not start"
	fail backend_late_records "the tracepoint daemon did not start"
	exit 0
}
work && wait_count ".comm==\"$COMM\"" $NWORK
normalized "$UA_LOG" >"$UA_TMP/tp.recs"
"$UA" rules load "$LATE_REC" --socket "$UA_TMP/sock" >/dev/null 2>&1 && late_work tp &&
	wait_count ".comm==\"$LCOMM\"" $NLATE
late_normalized "$UA_LOG" >"$UA_TMP/tp-late.recs"
ua_stop
if [ -n "$late_bad" ]; then
	fail backend_late_records "per-op backend:$late_bad"
elif [ "$(late_summary "$UA_TMP/tp-late.recs")" != "$LATE_WANT" ]; then
	fail backend_late_records "tracepoint backend's records: $(late_summary "$UA_TMP/tp-late.recs")"
elif cmp -s "$UA_TMP/tp-late.recs" "$UA_TMP/perop-late.recs"; then
	ok backend_late_records
else
	fail backend_late_records "records differ (< tracepoint, > perop): $(diff "$UA_TMP/tp-late.recs" "$UA_TMP/perop-late.recs" | head -c 1500)"
fi
if [ -n "$pending0" ]; then
	fail backend_same_records "per-op backend: $(status | jq -r .pending) requests still pending after the workload"
elif [ "$(jq -r 'select(.op=="write" and .exit==-28) | .ctx' "$UA_TMP/perop.recs")" != iowq ]; then
	fail backend_same_records "per-op backend: the write to /dev/full in io-wq: $(jq -c 'select(.op=="write" and .exit==-28)' "$UA_TMP/perop.recs")"
elif [ "$(wc -l <"$UA_TMP/tp.recs")" -ge $NWORK ] && cmp -s "$UA_TMP/tp.recs" "$UA_TMP/perop.recs"; then
	ok backend_same_records
else
	fail backend_same_records "records differ (< tracepoint, > perop): $(diff "$UA_TMP/tp.recs" "$UA_TMP/perop.recs" | head -c 1500)"
fi
: "$PEROP_LOG"
