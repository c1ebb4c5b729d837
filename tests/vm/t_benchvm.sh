#!/usr/bin/env bash
# make bench-vm's plumbing, in one guest (VER, default 6.1): uabench with
# tiny counts (make check-bench-vm; a TCG guest and a few daemon starts,
# about 5 minutes: not part of make check). Checks that the report has the
# backends' table with every column, a RUNS line for each workload and
# backend, that the per-op backend with nothing of the workload selected ran
# no BPF program but the rings' own (ring_create, ring_register,
# ring_teardown: once per ring, never per request), nor with a late op
# selected (perop-late: -S write), and the controls: the
# tracepoint backend ran its programs (submit_req or submit_sqe, by kernel)
# for every request, the per-op backend's stubs for every selected one.
#
# usage: UA_BUILD=build tests/vm/t_benchvm.sh [VER]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
out=${UA_BUILD:-build}
ver=${1:-6.1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
WL=("(a) nop" "(b) read" "(c) open")
VARS=(tp-unsel tp-sel perop-unsel perop-sel perop-late)
CASES=(benchvm_run benchvm_table benchvm_runs benchvm_perop_zero benchvm_controls)

if ! command -v qemu-system-x86_64 >/dev/null || [ ! -x "$out/bench/uabench" ]; then
	for n in "${CASES[@]}"; do
		echo "skip $n: needs qemu-system-x86_64 and $out/bench/uabench (make $out/bench/uabench)"
	done
	exit 0
fi

VM_BENCH_OUT=$T VM_TIMEOUT=${VM_TIMEOUT:-900} \
	VM_BENCH_ARGS="--variants base,tp-unsel,tp-sel,perop-unsel,perop-sel,perop-late --workloads a,b,c --quick --reps 1 --secs 0.5 --warmup 0.1 --no-flood --diag-secs 0.3" \
	tests/vm/run-vm.sh --bench "$out" "$ver" >"$T/out" 2>&1
rc=$?
R=$T/results-vm-$ver.md
if [ $rc -eq 0 ] && [ -s "$R" ]; then
	ok benchvm_run
else
	fail benchvm_run "run-vm.sh --bench exit $rc: $(grep -E '^FAIL|run-vm:' "$T/out" | head -3 | tr '\n' ' ')"
	for n in "${CASES[@]:1}"; do echo "FAIL $n: no report"; done
	exit 0
fi

# The table: its header names every backend column, a row per workload,
# no column skipped (the per-op backend loads in this guest).
hdr=$(grep '^| workload | base ops/s' "$R")
miss=
for v in "${VARS[@]}"; do grep -q "| $v |" <<<"$hdr" || miss+=" $v"; done
rows=0
for w in "${WL[@]}"; do grep -qF "| $w |" "$R" && rows=$((rows + 1)); done
sed -n '/^### Backends side by side/,$p' "$R" >"$T/table"
if [ -n "$miss" ] || [ $rows -ne 3 ]; then
	fail benchvm_table "columns missing:${miss:- none}; rows $rows of 3"
elif grep -q '| skipped |' "$T/table"; then
	fail benchvm_table "a backend was skipped: $(grep -E '^- (tp|perop)-' "$R" | tr '\n' ' ')"
else
	ok benchvm_table
fi

# runs VAR WL: "requests N runs N: prog N, prog N" of that cell
runs() { grep -F "RUNS $2 $1 requests " "$R" | head -1; }
n=0
for w in "${WL[@]}"; do for v in "${VARS[@]}"; do [ -n "$(runs "$v" "$w")" ] && n=$((n + 1)); done; done
if [ $n -eq 15 ]; then ok benchvm_runs; else fail benchvm_runs "$n RUNS lines of 15"; fi

# The per-op backend, nothing of the workload selected: only the rings' own
# programs ran; with a late op selected (perop-late, -S write) too: neither
# the completion tracepoint nor write's completion hooks run for NOPs, reads
# or opens. Where read and write share their prep handler (6.1: io_prep_rw,
# named in the report's handler list) write's prep stub runs for reads.
shared_prep=
grep -q 'io_prep_rw' "$R" && shared_prep=1
bad=
for v in perop-unsel perop-late; do
	for w in "${WL[@]}"; do
		l=$(runs "$v" "$w")
		[ -n "$l" ] || { bad+=" [$v $w: no line]"; continue; }
		progs=${l#*: }
		[ "$progs" = none ] && continue
		others=$(tr ',' '\n' <<<"$progs" | awk -v skip="$([ "$v $w" = "perop-late (b) read" ] && echo "$shared_prep")" \
			'$1 !~ /^ring_(create|register|teardown)$/ && !(skip && $1 == "ua_prep")' | tr '\n' ' ')
		[ -z "${others// /}" ] || bad+=" [$v $w: $others]"
	done
done
if [ -z "$bad" ]; then ok benchvm_perop_zero; else fail benchvm_perop_zero "programs ran per request:$bad"; fi

# Controls: the tracepoint backend with nothing selected, and the per-op
# backend with the workload's opcodes selected, run programs other than the
# rings' at least once per request.
bad=
for w in "${WL[@]}"; do
	for v in tp-unsel perop-sel; do
		l=$(runs "$v" "$w")
		reqs=$(sed -n 's/.* requests \([0-9]*\) runs.*/\1/p' <<<"$l")
		n=$(tr ',' '\n' <<<"${l#*: }" | awk '$1 !~ /^ring_/ { n += $2 } END { print n + 0 }')
		[ -n "$reqs" ] && [ "$reqs" -gt 0 ] && [ "$n" -ge "$reqs" ] || bad+=" [$v $w: $l]"
	done
done
if [ -z "$bad" ]; then ok benchvm_controls; else fail benchvm_controls "$bad"; fi
