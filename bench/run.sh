#!/bin/bash
# Runs uabench (make bench / make bench-quick) and leaves the machine as it
# found it: auditd is started only for the kernel-audit variant and only if
# it was not running, and then stopped again; the kernel audit settings that
# starting it changes (enabled, backlog_limit, backlog_wait_time) are put
# back; a kernel audit rule left by an interrupted run is removed.
#
#   bench/run.sh OUT full|quick|flood [uabench options...]
#
# flood: the flood series alone (uabench --flood-only), no kernel audit
# variant (auditd is left alone); with BENCH_BASELINE=DAEMON in the
# environment, each series runs on that daemon first (--baseline).
#
# Results: OUT/bench/results-full.md, results-quick.md or results-flood.md
# (Markdown, as pasted into BENCHMARKS.md); progress on stderr.
set -u

out=${1:?usage: bench/run.sh OUT full|quick [uabench options]}
mode=${2:?usage: bench/run.sh OUT full|quick [uabench options]}
shift 2
bin="$out/bench/uabench"
results="$out/bench/results-$mode.md"

if [ "$(id -u)" != 0 ]; then
	echo "bench: must run as root: it loads BPF programs, starts the uringaudit daemon and" \
		"installs a kernel audit rule (sudo make bench)" >&2
	exit 1
fi
case "$mode" in
full) args=() ;;
quick) args=(--quick) ;;
flood)
	args=(--flood-only --variants base,ua-default)
	[ -n "${BENCH_BASELINE:-}" ] && args+=(--baseline "$BENCH_BASELINE")
	;;
*)
	echo "bench: mode must be full, quick or flood" >&2
	exit 2
	;;
esac
[ -x "$bin" ] || {
	echo "bench: $bin is not built" >&2
	exit 1
}

# Kernel audit state before we touch anything: "enabled 1", "backlog_limit 64", ...
audit_field() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
started_auditd=
orig_enabled= orig_backlog= orig_wait=
if command -v auditctl >/dev/null && auditctl -s >/dev/null 2>&1; then
	orig_enabled=$(audit_field enabled)
	orig_backlog=$(audit_field backlog_limit)
	orig_wait=$(audit_field backlog_wait_time)
fi

pid=
tailpid=
scratch=
cleanup() {
	trap - EXIT INT TERM HUP
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	[ -n "$tailpid" ] && kill "$tailpid" 2>/dev/null
	# uabench removes its rule and files itself; this covers a run that
	# was killed.
	"$bin" --cleanup 2>/dev/null
	[ -n "$scratch" ] && rm -rf "$scratch"
	if [ -n "$started_auditd" ]; then
		apid=$(cat /var/run/auditd.pid 2>/dev/null)
		if [ -n "$apid" ]; then
			kill -TERM "$apid" 2>/dev/null
			for _ in $(seq 50); do kill -0 "$apid" 2>/dev/null || break; sleep 0.1; done
		fi
		echo "bench: stopped the auditd it started" >&2
	fi
	if [ -n "$orig_enabled" ] && [ "$orig_enabled" != 2 ]; then
		auditctl -b "$orig_backlog" --backlog_wait_time "$orig_wait" -e "$orig_enabled" \
			>/dev/null 2>&1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# auditd for the kernel-audit variant, configured as Debian's packaged rules
# do at boot (-b 8192, --backlog_wait_time 60000), without loading those
# rules: they begin with -D, which would delete rules someone else set.
if [ "$mode" = flood ]; then
	: # no kernel-audit variant: auditd is not needed
elif command -v auditd >/dev/null && [ -n "$orig_enabled" ] && [ "$orig_enabled" != 2 ]; then
	if [ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = 0 ]; then
		rules=/etc/audit/audit.rules
		b=$(awk '$1 == "-b" { print $2 }' "$rules" 2>/dev/null | tail -1)
		w=$(awk '$1 == "--backlog_wait_time" { print $2 }' "$rules" 2>/dev/null | tail -1)
		if auditd; then
			started_auditd=1
			for _ in $(seq 50); do
				[ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" != 0 ] && break
				sleep 0.1
			done
			auditctl -b "${b:-8192}" --backlog_wait_time "${w:-60000}" >/dev/null
			echo "bench: started auditd for the kernel-audit variant" >&2
		else
			echo "bench: could not start auditd: the kaudit variant will be skipped" >&2
		fi
	fi
else
	echo "bench: auditd/auditctl not installed (apt-get install auditd):" \
		"the kaudit variant will be skipped" >&2
fi

mkdir -p "$out/bench"
# The scratch directory (a data file of up to 256 MiB) is ours to remove,
# even when uabench is killed before it can.
scratch=$(mktemp -d /var/tmp/uabench.XXXXXX) || exit 1
# uabench runs in the background so that this script can forward a signal to
# it and still clean up; tail shows its results as they come.
: >"$results"
"$bin" --daemon "$out/uringaudit" --dir "$scratch" "${args[@]}" "$@" >"$results" &
pid=$!
tail -n +1 -f --pid="$pid" "$results" &
tailpid=$!
wait "$pid"
rc=$?
pid=
wait "$tailpid" 2>/dev/null
tailpid=
echo "bench: results in $results (exit $rc)" >&2
exit "$rc"
