#!/usr/bin/env bash
# Runs inside the VM guest only: it hides the kernel's BTF and sets
# kernel.io_uring_disabled, for the whole machine. A kernel the daemon cannot
# audit is refused at start with exit 1 and its documented one line.
. "$(dirname "$0")/../integration/lib.sh"

if [ "${UA_VM:-}" != 1 ]; then
	for n in refuse_no_btf refuse_io_uring_disabled; do
		skip "$n" "runs in the VM guest only (changes the machine's kernel settings)"
	done
	exit 0
fi

# Start the daemon; it must exit 1 within UA_TIMEOUT, its last line
# containing $2.
refuses() {
	local name=$1 want=$2 out rc
	out=$(timeout "$UA_TIMEOUT" "$UA" run --log /dev/null --pid-file "$UA_TMP/rpid" \
		--socket "$UA_TMP/rsock" 2>&1 </dev/null)
	rc=$?
	case $rc:$out in
	1:*"$want"*) ok "$name" ;;
	124:*) fail "$name" "the daemon did not exit in $UA_TIMEOUT s" ;;
	*) fail "$name" "exit $rc, said: $(tail -1 <<<"$out")" ;;
	esac
}

# A kernel without BTF: its /sys/kernel/btf hidden under an empty tmpfs.
if mount -t tmpfs tmpfs /sys/kernel/btf; then
	refuses refuse_no_btf \
		"kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF=y"
	umount /sys/kernel/btf
else
	fail refuse_no_btf "cannot mount a tmpfs over /sys/kernel/btf"
fi

# io_uring switched off by the administrator (Linux 6.6's sysctl). Checked
# after the tracepoints: a kernel refused for those says so instead.
sysctl=/proc/sys/kernel/io_uring_disabled
if [ ! -w $sysctl ]; then
	skip refuse_io_uring_disabled "kernel has no kernel.io_uring_disabled (Linux 6.6)"
elif [ -n "${UA_KERNEL_REFUSED:-}" ] && [ "${UA_KERNEL_REFUSED_FAILS:-0}" = 1 ]; then
	fail refuse_io_uring_disabled "the daemon refused a supported kernel: $UA_KERNEL_REFUSED"
elif [ -n "${UA_KERNEL_REFUSED:-}" ]; then
	skip refuse_io_uring_disabled "the daemon refuses this kernel: $UA_KERNEL_REFUSED"
else
	echo 2 >$sysctl
	refuses refuse_io_uring_disabled \
		"io_uring is disabled on this system (kernel.io_uring_disabled=2): nothing to audit"
	echo 0 >$sysctl
fi
