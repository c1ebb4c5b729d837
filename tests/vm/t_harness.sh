#!/usr/bin/env bash
# The VM harness's verdicts, on the host, without a guest: made-up consoles
# read by tests/vm/results.sh, and the suite's own reaction to a refused
# daemon (tests/integration/lib.sh). A daemon refused on a kernel the
# project supports must count as failed, never as skipped: make check-vm
# said "0 failed" on 6.12 while its object was refused and nothing ran.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
export UA_BUILD=${UA_BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

console() { # file release refusal-line|"" results...
	local f=$T/$1 rel=$2 refused=$3
	shift 3
	{
		echo "UA-VM: kernel $rel"
		if [ -n "$refused" ]; then echo "UA-VM: refused $refused"; else echo "UA-VM: daemon ready in 3 s"; fi
		echo "UA-VM: results begin"
		printf '%s\n' "$@"
		echo "UA-VM: results end rc=0"
	} >"$f"
}
verdict() { # name ver file expected-counts expected-grep|""
	local out
	out=$(tests/vm/results.sh "$2" "$T/$3")
	if [ "$(tail -1 <<<"$out")" != "counts $4" ]; then
		fail "$1" "$(tail -1 <<<"$out"), expected counts $4"
	elif [ -n "$5" ] && ! grep -qF -- "$5" <<<"$out"; then
		fail "$1" "no line '$5' in: $(tr '\n' '|' <<<"$out")"
	elif [ -z "$5" ] && grep -q '^FAIL vm-' <<<"$out"; then
		fail "$1" "unexpected verdict: $(grep '^FAIL vm-' <<<"$out")"
	else
		ok "$1"
	fi
}

tl="uringaudit: cannot load BPF programs: the kernel's verifier refused program 'complete_args': BPF program is too large. Processed 1000001 insn"
why510="uringaudit: kernel's tracepoint io_uring_complete passes no request, only (ctx, user_data, res, cflags): a result cannot be joined to its request exactly on the tracepoint backend; this kernel is not supported"

# 6.12 refusing the object, as the guest now reports its tests: each failed,
# and one verdict line with the verifier's words.
console refused-612 6.12.117+deb13-cloud-amd64 "$tl" \
	"FAIL openat_success: the daemon refused a supported kernel: $tl" \
	"FAIL sqpoll_ctx: the daemon refused a supported kernel: $tl" "ok refuse_no_btf"
verdict harness_refusal_supported_fails 6.12 refused-612 "1 3 0" \
	"FAIL vm-6.12: the daemon refused a kernel the project supports: $tl"
# The same console as the guest wrote it before (tests skipped): still failed.
console refused-612-old 6.12.117+deb13-cloud-amd64 "$tl" \
	"skip openat_success: the daemon refuses this kernel: $tl" "ok refuse_no_btf"
verdict harness_refusal_skips_still_fail 6.12 refused-612-old "1 1 1" "FAIL vm-6.12:"
# 5.10: refused by design with its documented line: the skips stand.
console refused-510 5.10.0-32-cloud-amd64 "$why510" \
	"skip openat_success: the daemon refuses this kernel: $why510" "ok refuse_no_btf"
verdict harness_refusal_documented_skips 5.10 refused-510 "1 0 1" ""
# 5.10 refused for another reason (the object itself): a failure.
console refused-510-other 5.10.0-32-cloud-amd64 "$tl" "ok refuse_no_btf"
verdict harness_refusal_other_words_fails 5.10 refused-510-other "1 1 0" "FAIL vm-5.10:"
# 5.10 documented as refused but started: the documents are wrong.
console started-510 5.10.0-32-cloud-amd64 "" "ok openat_success"
verdict harness_documented_refusal_started 5.10 started-510 "1 1 0" "FAIL vm-5.10: the daemon started"
# 6.1 running its suite: no verdict of the harness's own.
console ran-61 6.1.0-50-cloud-amd64 "" "ok openat_success" "skip fd_ops_file: kernel lacks IORING_OP_FTRUNCATE (Linux 6.9)"
verdict harness_supported_runs 6.1 ran-61 "1 0 1" ""
# A guest that stopped mid-suite.
head -3 "$T/ran-61" >"$T/cut-61"
verdict harness_guest_stopped 6.1 cut-61 "0 1 0" "FAIL vm-6.1: the guest stopped"

# The suite in the guest: with UA_KERNEL_REFUSED_FAILS each case of a script
# fails; without it (a series refused by design) each is skipped.
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] && [ -x "$UA_BUILD/uringaudit" ] && command -v jq >/dev/null; then
	out=$(UA_KERNEL_REFUSED="$tl" UA_KERNEL_REFUSED_FAILS=1 bash tests/integration/t_kernel.sh 2>&1)
	n=$(grep -c '^FAIL [a-z_]*: the daemon refused a supported kernel: ' <<<"$out")
	if [ "$n" -ge 5 ] && ! grep -q '^\(ok\|skip\) ' <<<"$out"; then
		ok harness_suite_fails_on_refusal
	else
		fail harness_suite_fails_on_refusal "$(tr '\n' '|' <<<"$out")"
	fi
	out=$(UA_KERNEL_REFUSED="$why510" bash tests/integration/t_kernel.sh 2>&1)
	if [ "$(grep -c '^skip [a-z_]*: the daemon refuses this kernel: ' <<<"$out")" -ge 5 ] &&
		! grep -q '^\(ok\|FAIL\) ' <<<"$out"; then
		ok harness_suite_skips_documented_refusal
	else
		fail harness_suite_skips_documented_refusal "$(tr '\n' '|' <<<"$out")"
	fi
else
	echo "skip harness_suite_fails_on_refusal: needs root, BTF, jq and $UA_BUILD/uringaudit (lib.sh's own checks come first)"
	echo "skip harness_suite_skips_documented_refusal: needs root, BTF, jq and $UA_BUILD/uringaudit"
fi

# ua_stop is bounded: a daemon that ignores SIGTERM (the 6.12 tamper defect
# held t_rules and t_tamper for the guest's whole timeout) is killed after
# UA_TIMEOUT and the stop fails (125), instead of waiting for ever.
out=$(UA_TIMEOUT=1 bash -c '. tests/integration/lib.sh
	bash -c "trap \"\" TERM; : >$UA_TMP/ready; exec sleep 30" & UA_PID=$!
	wait_for test -e "$UA_TMP/ready"
	t0=$SECONDS; ua_stop; rc=$?
	echo "rc=$rc took=$((SECONDS - t0)) alive=$(ua_running $! && echo yes || echo no)"
	rm -rf "$UA_TMP"' 2>&1)
if grep -q "rc=125 took=[1-9] alive=no" <<<"$out" && grep -q "did not stop 1 s after SIGTERM: killed" <<<"$out"; then
	ok harness_stop_bounded
else
	fail harness_stop_bounded "$(tr '\n' '|' <<<"$out")"
fi

# The boot watchdog (tests/vm/boot.sh): a kernel that hangs in its boot
# printed nothing in CI until the guest's whole timeout (45 minutes) ended
# it. A stand-in for QEMU that never prints (once, or always) and answers
# the monitor with made-up registers: the hang is found in the boot
# timeout, reported with its CPUs' instruction pointers, booted again
# once, and a second hang fails the guest.
if command -v python3 >/dev/null; then
	cat >"$T/fakeqemu" <<'FAKE'
#!/bin/bash
# args: -serial file:LOG -monitor unix:SOCK,...; $T/hangs: boots left to hang
for a; do case $a in file:*) log=${a#file:} ;; unix:*) mon=${a#unix:}; mon=${mon%%,*} ;; esac; done
n=$(cat "$FAKE_HANGS")
if [ "$n" -gt 0 ]; then
	echo $((n - 1)) >"$FAKE_HANGS"
	: >"$log"
	exec python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
c.sendall(b"QEMU monitor\r\n(qemu) ")
while True:
    d = c.recv(4096)
    if not d: break
    if b"info registers" in d:
        c.sendall(b"CPU#0\r\nRIP=ffffffff81000110 RFL=00000246\r\nCPU#1\r\nRIP=ffffffff81000004 RFL=00000246\r\n(qemu) ")
' "$mon"
fi
printf 'UA-VM: init\r\nUA-VM: kernel 9.9\r\n' >"$log"
exit 0
FAKE
	watchdog() { # hangs: the boot's status and what it said, in $T/wd
		(timeout_s=60 boot_timeout_s=1
			qemu() { cmd=(bash "$T/fakeqemu"); }
			. tests/vm/boot.sh
			echo "$1" >"$T/hangs"
			FAKE_HANGS=$T/hangs boot_tries 9.9 check "$T/console.log"
			echo "rc=$?") >"$T/wd" 2>&1
	}
	watchdog 1
	if grep -q '^rc=0$' "$T/wd" && grep -q 'vm-9.9: boot 1 hung: its init printed nothing in 1 s' "$T/wd" &&
		grep -q 'CPU 0 at ffffffff81000110$' "$T/wd" &&
		grep -q 'CPU 1 at ffffffff81000004$' "$T/wd" &&
		grep -q 'vm-9.9: booting it again' "$T/wd" && grep -q '^UA-VM: kernel 9.9$' "$T/console.log.txt"; then
		ok harness_boot_hang_retried
	else
		fail harness_boot_hang_retried "$(tr '\n' '|' <"$T/wd")"
	fi
	watchdog 2
	if grep -q '^rc=125$' "$T/wd" && grep -q 'vm-9.9: boot 2 hung' "$T/wd" &&
		[ "$(grep -c 'booting it again' "$T/wd")" = 1 ]; then
		ok harness_boot_hang_twice_fails
	else
		fail harness_boot_hang_twice_fails "$(tr '\n' '|' <"$T/wd")"
	fi
else
	echo "skip harness_boot_hang_retried: needs python3 (the stand-in QEMU's monitor)"
	echo "skip harness_boot_hang_twice_fails: needs python3"
fi
