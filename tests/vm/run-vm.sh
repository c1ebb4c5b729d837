#!/usr/bin/env bash
# Boots Debian kernels under QEMU (TCG) and runs the integration suite inside
# each; prints every test's result on the host as "ok NAME [KERNEL]",
# "FAIL NAME [KERNEL]: why" or "skip NAME [KERNEL]: why", then one closing line
# "N passed, N failed, N skipped" over all kernels.
#
# usage: tests/vm/run-vm.sh OUT VER...          (make check-vm)
#        tests/vm/run-vm.sh --shell OUT VER     (make vm-shell: a shell in the guest)
#        tests/vm/run-vm.sh --bench OUT VER...  (make bench-vm: uabench in the guest)
#
# --bench runs uabench (built: make OUT/bench/uabench) in each guest with
# VM_BENCH_ARGS (default: the backends side by side, below) and writes its
# report to OUT/bench/results-vm-VER.md (VM_BENCH_OUT: another directory,
# tests/vm/t_benchvm.sh's); it prints the report and
# "FAIL bench-VER: why" when the guest did not finish it or uabench failed.
#
# A guest that has not powered off after VM_TIMEOUT seconds (default 3600) is
# killed and reported as a failure with the end of its console; one whose
# init has printed nothing after VM_BOOT_TIMEOUT seconds (default 120) hung
# in the kernel's boot: killed, reported with its CPUs' state, and booted
# once more (a second hang fails). Inside, the
# suite waits VM_UA_TIMEOUT seconds (default 600) where the host's waits
# UA_TIMEOUT: under TCG the verifier makes each daemon start take minutes.
# VM_TESTS="t_core.sh ..." runs only those integration scripts (the others
# are reported skipped). VM_BACKEND=perop runs the suite's daemons on the
# per-op backend (UA_BACKEND in the guest). Console logs:
# OUT/vm/console-VER.log.txt. Each console is read by tests/vm/results.sh: a
# daemon refused on a series not in tests/vm/expected-refusals is a failure
# (a line of its own, and every test that needed the daemon failed).
set -uo pipefail
shell=0 bench=0
[ "${1:-}" = --shell ] && { shell=1; shift; }
[ "${1:-}" = --bench ] && { bench=1; shift; }
[ $# -ge 2 ] || { echo "usage: $0 [--shell|--bench] OUT VER..." >&2; exit 2; }
# The backends side by side: no daemon, the tracepoint and the per-op
# backend, each with none and with the workload's opcodes selected, and the
# per-op backend with a late opcode selected (perop-late); NOP, cached
# random reads, opens; 5 rounds with the order rotated.
bench_args=${VM_BENCH_ARGS:---variants base,tp-unsel,tp-sel,perop-unsel,perop-sel,perop-late --workloads a,b,c --reps 5 --secs 1 --warmup 0.2 --no-flood --diag-secs 1}
out=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
timeout_s=${VM_TIMEOUT:-3600}
boot_timeout_s=${VM_BOOT_TIMEOUT:-120}
mem=${VM_MEM:-2G}
cpus=${VM_CPUS:-2}

command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run-vm: qemu-system-x86_64 is missing (qemu-system-x86; make deps)" >&2; exit 1; }
tests/vm/fetch-kernels.sh "$out" "$@" || exit 1
tests/vm/mkinitramfs.sh "$out" || exit 1

# The per-kernel initramfs: the common archive and one with the kernel's
# config at /boot/config-RELEASE (newc archives concatenate).
initrd() {
	local k=$out/vm/kernels/$1 rel d
	rel=$(cut -d' ' -f2 "$k/version")
	d=$(mktemp -d)
	mkdir -p "$d/boot" "$d/ua"
	cp "$k/config" "$d/boot/config-$rel"
	printf '%s\n' "$bench_args" >"$d/ua/bench-args"
	(cd "$d" && find boot ua -print0 | cpio --null -o -H newc --quiet) >"$k/boot.cpio"
	rm -rf "$d"
	cat "$out/vm/base.cpio" "$k/boot.cpio" >"$k/initramfs.cpio"
}

# expected: the series is refused by design (tests/vm/expected-refusals).
refusal() {
	if awk -F'\t' -v v="$1" '$1 == v { f = 1 } END { exit !f }' tests/vm/expected-refusals; then
		echo expected
	else
		echo unexpected
	fi
}

qemu() { # VER MODE: the command line in the array "cmd" (nokaslr: a
	# boot hang's instruction pointers are link addresses, boot.sh)
	local k=$out/vm/kernels/$1 mode=$2
	cmd=(qemu-system-x86_64 -accel tcg -cpu max -smp "$cpus" -m "$mem" -no-reboot \
		-kernel "$k/vmlinuz" -initrd "$k/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 nokaslr quiet loglevel=3 lsm=lockdown,capability,landlock,yama,apparmor,bpf ua.mode=$mode ua.accel=tcg ua.refusal=$(refusal "$1") ua.timeout=${VM_UA_TIMEOUT:-600}${VM_TESTS:+ ua.tests=${VM_TESTS// /,}}${VM_BACKEND:+ ua.backend=$VM_BACKEND}")
}

# boot and boot_tries (tests/vm/boot.sh): a guest run, its boot watchdog.
. tests/vm/boot.sh

if [ $shell = 1 ]; then
	initrd "$1"
	echo "run-vm: shell on $(cat "$out/vm/kernels/$1/version"); Ctrl-a x leaves QEMU"
	qemu "$1" shell
	"${cmd[@]}" -nographic
	exit
fi

if [ $bench = 1 ]; then
	[ -x "$out/bench/uabench" ] || { echo "run-vm: $out/bench/uabench is not built" >&2; exit 1; }
	mkdir -p "${VM_BENCH_OUT:-$out/bench}"
	fail=0
	for ver in "$@"; do
		initrd "$ver"
		log=$out/vm/console-bench-$ver.log
		res=${VM_BENCH_OUT:-$out/bench}/results-vm-$ver.md
		echo "== vm bench: $ver ($(cat "$out/vm/kernels/$ver/version")): uabench $bench_args"
		start=$SECONDS
		boot_tries "$ver" bench "$log"
		rc=$?
		sed -n '/^UA-VM: bench begin/,/^UA-VM: bench end/p' "$log.txt" | sed '1d;$d' >"$res"
		cat "$res"
		if [ $rc -eq 125 ]; then
			echo "FAIL bench-$ver: the kernel hung in its boot twice"
			fail=$((fail + 1))
		elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "FAIL bench-$ver: guest hung: killed after $timeout_s s; console ends:"
			tail -15 "$log.txt" | sed 's/^/    /'
			fail=$((fail + 1))
		elif ! grep -q '^UA-VM: bench end rc=0$' "$log.txt"; then
			echo "FAIL bench-$ver: uabench did not finish ($(grep '^UA-VM: bench end' "$log.txt" ||
				echo "no end marker")); its messages:"
			grep 'uabench:' "$log.txt" | tail -15 | sed 's/^/    /'
			fail=$((fail + 1))
		fi
		echo "== vm bench: $ver done in $((SECONDS - start)) s; report in $res," \
			"console in $log.txt"
	done
	exit $((fail > 0))
fi

pass=0 fail=0 skip=0
for ver in "$@"; do
	initrd "$ver"
	log=$out/vm/console-$ver.log
	echo "== vm: $ver ($(cat "$out/vm/kernels/$ver/version"))"
	start=$SECONDS
	boot_tries "$ver" check "$log"
	rc=$?
	took=$((SECONDS - start))
	if [ $rc -eq 125 ]; then
		echo "FAIL vm-$ver: the kernel hung in its boot twice (no line from its init in $boot_timeout_s s)"
		fail=$((fail + 1))
		continue
	fi
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL vm-$ver: guest hung: killed after $timeout_s s; console ends:"
		tail -15 "$log.txt" | sed 's/^/    /'
		fail=$((fail + 1))
		continue
	fi
	while IFS= read -r line; do
		case $line in
		"counts "*) read -r _ p f s <<<"$line"; pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s)) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <(tests/vm/results.sh "$ver" "$log.txt")
	[ $rc -eq 0 ] || echo "(qemu exit $rc)"
	echo "== vm: $ver done in $took s"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
