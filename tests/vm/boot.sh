# Sourced by tests/vm/run-vm.sh (and tests/vm/t_harness.sh, with a stand-in
# for QEMU): one guest's run and its boot watchdog. The caller defines
# qemu VER MODE (fills the array "cmd" with the QEMU command line) and sets
# timeout_s and boot_timeout_s.

# The CPUs of a guest stuck in its boot, from QEMU's monitor (LOG.mon): what
# a boot hang reports instead of an empty console. The guests boot with
# nokaslr, so each instruction pointer is the kernel's link address: Debian's
# linux-image-RELEASE-dbg package has the System.map that names it (the
# image package's System.map is a placeholder).
cpu_state() { # LOG
	command -v python3 >/dev/null || { echo "(no python3: no CPU state)"; return; }
	python3 - "$1.mon" <<'PY' 2>&1 | head -40
import re, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(0.5)
def ask(c):
    s.sendall((c + "\n").encode())
    out, end = b"", time.time() + 3
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if out:
                break
            continue
        if not d:
            break
        out += d
    return out.decode(errors="replace")
ask("")
for cpu, rip in re.findall(r"CPU#(\d+).*?RIP=([0-9a-f]+)", ask("info registers -a"), re.S):
    print("CPU %s at %s" % (cpu, rip))
PY
}

# boot VER MODE LOG: the guest run to its end or the timeout, its console in
# LOG and, without carriage returns, LOG.txt. Returns QEMU's status, 124 or
# 137 when the timeout killed it, or 125 when its init printed nothing
# within VM_BOOT_TIMEOUT seconds (the kernel hung in its boot: the guest is
# killed, its CPU state is in LOG.hang). A TCG guest of these kernels was
# seen to do that now and then, with an empty console (once in about 60
# boots here, once in CI); init's first line comes 3 to 8 s after QEMU starts.
boot() {
	local rc pid waited=0
	qemu "$1" "$2"
	rm -f "$3" "$3.mon" "$3.hang"
	timeout --kill-after=10 "$timeout_s" \
		"${cmd[@]}" -display none -monitor "unix:$3.mon,server=on,wait=off" \
		-serial "file:$3" </dev/null &
	pid=$!
	while kill -0 $pid 2>/dev/null && ! grep -q '^UA-VM: init' "$3" 2>/dev/null; do
		if [ $waited -ge $((boot_timeout_s * 10)) ]; then
			cpu_state "$3" >"$3.hang"
			kill $pid
			wait $pid
			tr -d '\r' <"$3" >"$3.txt"
			return 125
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	wait $pid
	rc=$?
	tr -d '\r' <"$3" >"$3.txt"
	return $rc
}

# boot, and once more when the kernel hung in its boot (status 125): said
# on the host's output with the stuck CPUs, never silently.
boot_tries() { # VER MODE LOG
	local try rc
	for try in 1 2; do
		boot "$@"
		rc=$?
		[ $rc -eq 125 ] || return $rc
		echo "vm-$1: boot $try hung: its init printed nothing in $boot_timeout_s s;" \
			"CPU state:"
		sed 's/^/    /' "$3.hang"
		[ $try = 2 ] || echo "vm-$1: booting it again"
	done
	return 125
}
