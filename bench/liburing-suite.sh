#!/usr/bin/env bash
# liburing's own test suite under `-S all` (issue 11): does any of its tests
# break while uringaudit records every io_uring request of the machine, does
# the daemon stay up, and what share of the events does it lose?
#
# usage: bench/liburing-suite.sh OUT [TEST...]
#
# Fetches liburing's source package from Debian (trixie: 2.9) with a private
# apt configuration into OUT/liburing (cached; delete it to refresh), builds
# its tests, and runs each test program twice under `timeout`: once with no
# daemon (the baseline) and once with a daemon recording `-a always,io_uring
# -S all` (log to /dev/null: the daemon's work is the same, the disk is not
# measured). A test is broken when it passed in the baseline and does not
# pass under the daemon. The daemon's status after the second pass gives the
# selected, recorded and lost events. Results: OUT/liburing/results.md.
# Root only; not part of `make check` (it takes 10 minutes or more).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT [TEST...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "liburing-suite: needs root (the daemon loads BPF)" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1/liburing" && cd "$1/liburing" && pwd)
cmdline="bench/liburing-suite.sh $*"
ua=$(cd "$1" && pwd)/uringaudit
shift
[ -x "$ua" ] || { echo "liburing-suite: $ua not built (make)" >&2; exit 1; }
say() { echo "liburing-suite: $*" >&2; }
TEST_TIMEOUT=${TEST_TIMEOUT:-60}

# --- the source and its tests ---------------------------------------------------
# shellcheck source=tests/private-apt.sh
. "$top/tests/private-apt.sh"
src=$(find "$out" -maxdepth 1 -type d -name 'liburing-*' | sort -V | tail -1)
if [ -z "$src" ] || [ ! -e "$src/test/.built" ]; then
	m=$(debian_mirror "${LIBURING_MIRROR:-}") || { say "no Debian mirror in /etc/apt sources; set LIBURING_MIRROR"; exit 1; }
	private_apt "$out/apt" "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m trixie main"
	say "apt update (private lists in $out/apt)"
	apt-get "${apt_opts[@]}" -qq update >"$out/apt/update.log" 2>&1 ||
		{ cat "$out/apt/update.log" >&2; say "apt-get update failed"; exit 1; }
	rm -rf "$out/dl"
	mkdir -p "$out/dl"
	(cd "$out/dl" && apt-get "${apt_opts[@]}" -qq source --download-only liburing) >"$out/dl.log" 2>&1 ||
		{ cat "$out/dl.log" >&2; say "liburing's source package could not be downloaded"; exit 1; }
	tarball=$(find "$out/dl" -name 'liburing_*.orig.tar.*' ! -name '*.asc' | head -1)
	[ -n "$tarball" ] || { say "no orig tarball in $out/dl"; exit 1; }
	tar -C "$out" -xf "$tarball"
	src=$(find "$out" -maxdepth 1 -type d -name 'liburing-*' | sort -V | tail -1)
	say "building $(basename "$src")'s tests (a few minutes)"
	(cd "$src" && ./configure && make -C src && make -C test) >"$out/build.log" 2>&1 ||
		{ tail -20 "$out/build.log" >&2; say "build failed (log: $out/build.log)"; exit 1; }
	touch "$src/test/.built"
fi
cd "$src/test"
if [ $# -gt 0 ]; then tests=("$@"); else mapfile -t tests < <(find . -maxdepth 1 -name '*.t' -printf '%f\n' | sort); fi

# --- one pass over the tests: NAME RC SECONDS per line ----------------------------
pass() {
	local t s rc
	for t in "${tests[@]}"; do
		s=$SECONDS
		rc=0
		timeout -s INT -k 10 "$TEST_TIMEOUT" "./$t" >/dev/null 2>&1 </dev/null || rc=$?
		echo "$t $rc $((SECONDS - s))"
	done
}
verdict() { case $1 in 0) echo pass ;; 77) echo skip ;; 124 | 137) echo timeout ;; *) echo "fail($1)" ;; esac; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "baseline: ${#tests[@]} tests, no daemon"
t0=$SECONDS
pass >"$out/base.txt"
base_secs=$((SECONDS - t0))

tmp=$(mktemp -d /tmp/uringaudit-liburing.XXXXXX)
daemon=
cleanup() {
	[ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
printf '%s\n' "-a always,io_uring -S all -k liburing" >"$tmp/all.rules"
"$ua" run --rules "$tmp/all.rules" --log /dev/null --pid-file "$tmp/pid" --socket "$tmp/sock" \
	2>"$out/daemon.err" &
daemon=$!
for _ in $(seq 6000); do [ -s "$tmp/pid" ] && break; kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
[ -s "$tmp/pid" ] || { cat "$out/daemon.err" >&2; say "the daemon did not start"; exit 1; }
say "under the daemon (-S all)"
t0=$SECONDS
pass >"$out/daemon.txt"
daemon_secs=$((SECONDS - t0))
alive=no
st=
if kill -0 "$daemon" 2>/dev/null && st=$("$ua" status --json --socket "$tmp/sock"); then alive=yes; fi
kill -TERM "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null && stop_rc=0 || stop_rc=$?
daemon=

# --- results ----------------------------------------------------------------------
{
	echo "# liburing's test suite under \`-S all\`"
	echo
	echo "$(basename "$src"), kernel $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC'), load average at the start: $load0, at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Command: \`$cmdline\` (per-test timeout ${TEST_TIMEOUT} s)."
	echo
	printf '| | no daemon | under the daemon |\n|---|---|---|\n'
	for v in pass skip timeout fail; do
		b=$(while read -r _ rc _; do verdict "$rc"; done <"$out/base.txt" | grep -c "^$v" || true)
		d=$(while read -r _ rc _; do verdict "$rc"; done <"$out/daemon.txt" | grep -c "^$v" || true)
		echo "| $v | $b | $d |"
	done
	echo "| wall time | ${base_secs} s | ${daemon_secs} s |"
	echo
	broken=$(join <(sort "$out/base.txt") <(sort "$out/daemon.txt") |
		awk '$2 == 0 && $4 != 0 { print $1 " (rc " $4 ")" }')
	echo "Broken (passed without the daemon, not with it): ${broken:-none}."
	for f in base daemon; do
		l=$(awk '$2 != 0 && $2 != 77 { printf "%s%s (rc %s)", sep, $1, $2; sep = ", " }' "$out/$f.txt")
		echo "Not passed, $( [ $f = base ] && echo without || echo under) the daemon: ${l:-none}."
	done
	echo "Daemon alive at the end: $alive; exit status on SIGTERM: $stop_rc."
	if [ -n "$st" ]; then
		echo "$st" | jq -r '"Selected requests: \(.selected); events read: \(.events), lost: \(.lost) (\(if .events + .lost > 0 then (.lost * 10000 / (.events + .lost) | floor) / 100 else 0 end)% of the events), of them for budget: \(.budget); records written: \(.recorded)."'
	fi
} >"$out/results.md"
cat "$out/results.md"
[ "$alive" = yes ] && [ -z "$broken" ]
