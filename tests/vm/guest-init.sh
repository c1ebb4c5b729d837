#!/bin/bash
# PID 1 of the VM tests' guest (tests/vm/mkinitramfs.sh puts it at /init).
# Reads ua.mode= from the kernel command line: "check" runs the integration
# suite and powers off, "shell" gives a shell on the console, "bench" runs
# uabench with the arguments in /ua/bench-args (make bench-vm). Results go to
# the serial console between marker lines that tests/vm/run-vm.sh parses:
#   UA-VM: init                  (first: the kernel booted; run-vm.sh's boot watchdog)
#   UA-VM: kernel RELEASE
#   UA-VM: refused REASON        (the daemon does not start on this kernel)
#   UA-VM: results begin / UA-VM: results end rc=N
#   UA-VM: bench begin / UA-VM: bench end rc=N   (uabench's Markdown between)
echo "UA-VM: init"
export PATH=/usr/bin:/usr/sbin HOME=/root TERM=${TERM:-linux}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
hostname uringaudit-vm
ulimit -l unlimited

off() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 5
}

mode=check tests= refusal=unexpected
for a in $(cat /proc/cmdline); do
	case $a in
	ua.mode=*) mode=${a#ua.mode=} ;;
	# Under TCG the verifier alone takes many seconds: the suite's waits
	# for the daemon and its records get the host's VM_UA_TIMEOUT.
	ua.timeout=*) export UA_TIMEOUT=${a#ua.timeout=} ;;
	ua.tests=*) tests=${a#ua.tests=} ;;
	# How the guest's CPUs run (run-vm.sh: always tcg, emulated): tests
	# whose bounds are CPU time on real hardware scale them (t_flood).
	ua.accel=*) export UA_VM_ACCEL=${a#ua.accel=} ;;
	# VM_BACKEND: the suite's daemons on that backend (lib.sh's ua_start).
	ua.backend=*) export UA_BACKEND=${a#ua.backend=} ;;
	# run-vm.sh: this series is refused by design (tests/vm/expected-refusals)
	ua.refusal=*) refusal=${a#ua.refusal=} ;;
	esac
done
echo "UA-VM: kernel $(uname -r)"
cd /ua || off
if [ "$mode" = shell ]; then
	echo "UA-VM: shell (the tree is /ua; tests/run-all.sh --integration-only build; poweroff -f to leave)"
	setsid -c bash -l
	off
fi
if [ "$mode" = bench ]; then
	# uabench's progress goes to the console as it runs; its report
	# (stdout) is printed whole at the end, between the markers.
	read -r -a args </ua/bench-args
	echo "UA-VM: bench running: uabench ${args[*]}"
	build/bench/uabench --daemon build/uringaudit --dir /tmp/uabench "${args[@]}" >/tmp/bench.md
	rc=$?
	echo "UA-VM: bench begin"
	cat /tmp/bench.md
	echo "UA-VM: bench end rc=$rc"
	off
fi

# Does the daemon start here at all? A refusal is reported once, with the
# daemon's own line. On a series refused by design the suite then skips its
# tests with that reason; on any other, each test that needed the daemon
# fails with it. On the suite's backend (VM_BACKEND), so that its start time
# and verified lines are that backend's.
rm -f /tmp/probe.pid
start=$(date +%s)
build/uringaudit run --log /dev/null --pid-file /tmp/probe.pid --socket /tmp/probe.sock \
	${UA_BACKEND:+--backend "$UA_BACKEND"} 2>/tmp/probe.err &
probe=$!
for _ in $(seq $((${UA_TIMEOUT:-600} * 10))); do
	[ -s /tmp/probe.pid ] && break
	kill -0 $probe 2>/dev/null || break
	sleep 0.1
done
if [ -s /tmp/probe.pid ]; then
	echo "UA-VM: daemon ready in $(($(date +%s) - start)) s"
	# What the verifier processed for each of its programs (the
	# kernel's count since 5.16), for docs/kernels.md.
	build/tests/ua_verified "$(cat /tmp/probe.pid)" 2>&1 | sed 's/^/UA-VM: verified /'
	kill -TERM $probe
	wait $probe
else
	kill -KILL $probe 2>/dev/null && echo "daemon did not become ready in ${UA_TIMEOUT:-600} s" >>/tmp/probe.err
	wait $probe
	reason=$(grep -v '^$' /tmp/probe.err | tail -1)
	echo "UA-VM: refused ${reason:-the daemon exited without a word}"
	# libbpf's and the verifier's words, for the console log only.
	echo "UA-VM: debug begin"
	UA_DEBUG=1 timeout "${UA_TIMEOUT:-600}" build/uringaudit run --log /dev/null --pid-file /tmp/probe2.pid \
		--socket /tmp/probe2.sock 2>&1 </dev/null | tail -80
	echo "UA-VM: debug end"
	export UA_KERNEL_REFUSED=${reason:-the daemon exited without a word}
	[ "$refusal" = expected ] || export UA_KERNEL_REFUSED_FAILS=1
fi

# The host-only scripts, and those VM_TESTS did not name, are reported skipped.
cp tests/vm/host-only /tmp/skip
if [ -n "$tests" ]; then
	for t in tests/integration/t_*.sh; do
		case ",$tests," in
		*",${t##*/},"*) ;;
		*) echo "${t##*/}: not selected (VM_TESTS=${tests//,/ })" >>/tmp/skip ;;
		esac
	done
fi
echo "UA-VM: results begin"
UA_INTEGRATION_SKIP=/tmp/skip tests/run-all.sh --integration-only build
rc=$?
# The refusals, last: they change the machine's settings.
echo "== vm: t_refusals.sh"
UA_VM=1 UA_BUILD=build bash tests/vm/t_refusals.sh
echo "UA-VM: results end rc=$rc"
off
