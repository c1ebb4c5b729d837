# Helpers for the integration tests: start the daemon, drive io_uring, query
# records. Sourced by tests/integration/t_*.sh. Each test prints
# "ok NAME", "FAIL NAME: why" or "skip NAME: why".
#
# Determinism: the daemon is ready when its pid file exists; records are
# awaited by polling the log with a timeout, never by sleeping.

set -u
UA_BUILD=${UA_BUILD:-build}
UA_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
UA=$UA_TOP/$UA_BUILD/uringaudit
DRV=$UA_TOP/$UA_BUILD/tests/uring_driver
UA_TMP=$(mktemp -d /tmp/uringaudit-test.XXXXXX)
UA_LOG=$UA_TMP/log.json
UA_PID=
# Waits scale with the machine's load: 60 s on an idle machine, plus a quarter
# of that for each unit of load per CPU (daemon starts are verifier-bound and
# slow down with every other runnable task). Set UA_TIMEOUT to fix it.
if [ -z "${UA_TIMEOUT:-}" ]; then
	UA_TIMEOUT=$(awk -v n="$(nproc 2>/dev/null || echo 1)" \
		'{ t = 60 * (1 + $1 / n / 4); printf "%d\n", (t > 600 ? 600 : t) }' /proc/loadavg 2>/dev/null)
	UA_TIMEOUT=${UA_TIMEOUT:-60}
fi
chmod 755 "$UA_TMP"

# Pin sets that earlier runs of the pinning scripts left when they were
# killed (/sys/fs/bpf/uringaudit-test-PID[-x]) and whose PID is gone: their
# pinned links would keep programs attached, costing every io_uring request
# on the machine and refusing `make bench`. Removed with `uringaudit unpin`.
ua_unpin_dead_tests() {
	local d pid
	for d in /sys/fs/bpf/uringaudit-test-*; do
		[ -e "$d" ] || continue
		pid=${d#/sys/fs/bpf/uringaudit-test-}
		pid=${pid%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null && continue
		"$UA" unpin "$d" >/dev/null 2>&1 || rm -rf "$d" 2>/dev/null
		echo "# removed the pin set of a dead run: $d"
	done
}

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }

# Skip the whole file (every name given) when the machine cannot run it.
ua_require() {
	local why="" refused=0
	if [ "$(id -u)" != 0 ]; then
		why="needs root (loads BPF programs)"
	elif [ ! -r /sys/kernel/btf/vmlinux ]; then
		why="kernel has no BTF"
	elif [ ! -x "$UA" ] || [ ! -x "$DRV" ]; then
		why="not built ($UA, $DRV)"
	elif ! command -v jq >/dev/null; then
		why="jq is not installed (make deps)"
	elif [ -n "${UA_KERNEL_REFUSED:-}" ]; then
		# Set by the VM harness (tests/vm/guest-init.sh) when the daemon
		# refused to start on the kernel under test.
		why="the daemon refuses this kernel: $UA_KERNEL_REFUSED"
		refused=1
	fi
	if [ -n "$why" ]; then
		local n
		# A kernel the project supports that refused the daemon (the
		# VM harness sets UA_KERNEL_REFUSED_FAILS): every test that
		# needed it has failed, none is skipped.
		if [ $refused = 1 ] && [ "${UA_KERNEL_REFUSED_FAILS:-0}" = 1 ]; then
			for n in "$@"; do fail "$n" "the daemon refused a supported kernel: $UA_KERNEL_REFUSED"; done
		else
			for n in "$@"; do skip "$n" "$why"; done
		fi
		exit 0
	fi
}

ua_cleanup() {
	ua_stop >/dev/null 2>&1
	# Sanitizer builds: a daemon report must not vanish with the temp dir.
	if grep -q "Sanitizer" "$UA_TMP/daemon.err" 2>/dev/null; then
		echo "FAIL sanitizer: $(grep -m1 Sanitizer "$UA_TMP/daemon.err")"
		cat "$UA_TMP/daemon.err" >&2
	fi
	rm -rf "$UA_TMP"
}
trap ua_cleanup EXIT

# Poll until a command succeeds, every 20 ms, for UA_TIMEOUT seconds.
wait_for() {
	local deadline=$((SECONDS + UA_TIMEOUT))
	while ! "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.02
	done
}

# Start the daemon (JSON log) and wait for its pid file. UA_BACKEND=perop
# runs it on the per-op backend (--backend; a test's own flag wins).
ua_start() {
	rm -f "$UA_TMP/pid"
	"$UA" run --log "$UA_LOG" --format json --pid-file "$UA_TMP/pid" \
		--socket "$UA_TMP/sock" ${UA_BACKEND:+--backend "$UA_BACKEND"} "$@" \
		2>>"$UA_TMP/daemon.err" &
	UA_PID=$!
	ua_await_ready "$UA_TMP/pid"
}

# Wait for the daemon $UA_PID to write PIDFILE. One not ready in UA_TIMEOUT
# seconds is killed: ready later, it would record into the next start's log
# and hold its socket.
ua_await_ready() {
	wait_for test -s "$1" && return 0
	echo "daemon did not become ready in ${UA_TIMEOUT} s:" >&2
	cat "$UA_TMP/daemon.err" >&2 2>/dev/null
	kill -KILL "$UA_PID" 2>/dev/null
	wait "$UA_PID" 2>/dev/null
	UA_PID=
	return 1
}

# A daemon that does not stop on SIGTERM within UA_TIMEOUT is killed, said
# on stderr, and ua_stop returns 125: a test never waits on it for ever.
ua_running() { [ -d "/proc/$1" ] && [ "$(sed 's/.*) //;s/ .*//' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
ua_stopped() { ! ua_running "$1"; }
ua_stop() {
	[ -n "$UA_PID" ] || return 0
	kill -TERM "$UA_PID" 2>/dev/null
	if ! wait_for ua_stopped "$UA_PID"; then
		echo "daemon $UA_PID did not stop ${UA_TIMEOUT} s after SIGTERM: killed" >&2
		kill -KILL "$UA_PID" 2>/dev/null
		wait_for ua_stopped "$UA_PID" && wait "$UA_PID" 2>/dev/null
		UA_PID=
		return 125
	fi
	wait "$UA_PID" 2>/dev/null
	local rc=$?
	UA_PID=
	return $rc
}

# Records (JSON lines) matching a jq condition.
recs() { jq -c "select(.type==\"URINGOP\") | select($1)" "$UA_LOG" 2>/dev/null; }
count() { recs "$1" | wc -l; }
# Wait until at least N records match.
wait_count() {
	local cond=$1 n=$2
	wait_for eval '[ "$(count "$cond")" -ge "$n" ]'
}
# Field of the single record matching a condition.
field() { recs "$1" | jq -r "$2"; }

# Run the driver; its output lands in $UA_TMP/drv.out and is echoed on failure.
drive() {
	"$DRV" "$@" >"$UA_TMP/drv.out" 2>"$UA_TMP/drv.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "driver failed ($rc): $*" >&2
		cat "$UA_TMP/drv.err" >&2
	fi
	return $rc
}
# A value from the driver's output: drv KEY [N] -> the Nth (1-based) KEY=value.
drv() {
	grep -o "\b$1=[^ ]*" "$UA_TMP/drv.out" | sed -n "${2:-1}p" | cut -d= -f2-
}
# A value from one line of the driver's output: lval LINE KEY -> its KEY=value.
lval() { grep -o "\b$2=[^ ]*" <<<"$1" | head -1 | cut -d= -f2-; }

# Assert helpers: name, then the check. They print and return status.
check_eq() { # name actual expected
	if [ "$2" = "$3" ]; then return 0; fi
	fail "$1" "expected '$3', got '$2'"
	return 1
}

# Kernel features, for tests that need a newer kernel than the one under test
# (the VM runs: Debian's 6.1 and 6.12). ua_kernel_has NAME: does the running
# kernel's BTF name NAME, an enumerator, type or field (IORING_OP_BIND,
# io_ftrunc, SOCKET_URING_OP_GETSOCKOPT)? Read from the BTF's string section,
# whole names only.
ua_kernel_has() {
	[ -s "$UA_TMP/btf.names" ] ||
		tr '\0' '\n' </sys/kernel/btf/vmlinux 2>/dev/null >"$UA_TMP/btf.names"
	grep -qxF "$1" "$UA_TMP/btf.names"
}
# ua_need_kernel NAME WHAT TEST...: 0 when the kernel has NAME; otherwise
# each TEST is reported skipped with "kernel lacks WHAT" and it returns 1.
# WHAT names the feature and the Linux version that added it.
ua_need_kernel() {
	local name=$1 what=$2 t
	shift 2
	ua_kernel_has "$name" && return 0
	for t in "$@"; do skip "$t" "kernel lacks $what"; done
	return 1
}
