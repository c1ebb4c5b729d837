#!/usr/bin/env bash
# Runs every test and prints one closing line: "N passed, N failed, N skipped".
# Unit test binaries print "ok/FAIL" lines and their own "N passed, N failed" line;
# integration scripts print "ok NAME", "FAIL NAME: why" or "skip NAME: why".
#
# With the integration tests, the adversarial table (tests/adversarial.tsv) is printed before
# the closing line.
#
# usage: tests/run-all.sh [--unit-only | --integration-only] BUILD_DIR
# UA_INTEGRATION_SKIP=FILE: integration scripts not to run, one "t_x.sh: why" a
# line; each is reported as skipped with its reason (the VM harness uses it).
set -u
unit_only=0 integration_only=0
case ${1:-} in
--unit-only) unit_only=1; shift ;;
--integration-only) integration_only=1; shift ;;
esac
out=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

pass=0 fail=0 skip=0
failed_names=()
# Everything printed also goes to a log next to the build, for a failure that
# needs reading after the fact.
mkdir -p "$out"
exec > >(tee "$out/test-results.log") 2>&1
# Each test's outcome line alone, written directly (the adversarial table reads it).
status_log=$out/test-status.log
: >"$status_log"

# A script that ran a program the machine has not (bash says "NAME: command
# not found"; the VM guest has only what tests/vm/mkinitramfs.sh copies in)
# fails, whatever its cases said: its checks did not run as written.
notfound=""
tally() { # reads a test's output on stdin, echoing it
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in *": command not found") notfound=$(sed 's/: command not found$//; s/.*: //' <<<"$line") ;; esac
		case "$line" in "ok "* | "FAIL "* | "skip "*) printf '%s\n' "$line" >>"$status_log" ;; esac
		case "$line" in
		"ok "*) pass=$((pass + 1)) ;;
		"FAIL "*) fail=$((fail + 1)); failed_names+=("${line%%:*}") ;;
		"skip "*) skip=$((skip + 1)) ;;
		esac
	done
}

for t in "$out"/tests/test_*; do
	[ $integration_only -eq 0 ] && [ -x "$t" ] || continue
	echo "== unit: ${t##*/}"
	tally < <("$t" 2>&1; rc=$?; [ $rc -eq 0 ] || echo "FAIL ${t##*/}: exit $rc")
done

# The VM harness's verdicts on made-up consoles (no guest booted).
if [ $integration_only -eq 0 ]; then
	echo "== unit: tests/vm/t_harness.sh"
	tally < <(UA_BUILD="$out" bash tests/vm/t_harness.sh 2>&1; rc=$?
		[ $rc -eq 0 ] || echo "FAIL t_harness.sh: exit $rc")
fi

# The parsers' fuzzers, briefly (make fuzz runs them for longer).
for f in "$out"/fuzz/fuzz_*; do
	[ $integration_only -eq 0 ] && [ -x "$f" ] || continue
	name=${f##*/}
	echo "== fuzz: $name (${FUZZ_QUICK_SECONDS:-5} s)"
	seeds=()
	[ -d "tests/corpus/$name" ] && seeds=("$out/corpus-$name" "tests/corpus/$name") &&
		mkdir -p "$out/corpus-$name"
	if "$f" -max_total_time="${FUZZ_QUICK_SECONDS:-5}" "${seeds[@]}" >"$out/$name.log" 2>&1; then
		tally <<<"ok $name: $(grep -o 'Done [0-9]* runs' "$out/$name.log")"
	else
		tail -20 "$out/$name.log"
		tally <<<"FAIL $name: crash or leak, see $out/$name.log"
	fi
done

if [ $unit_only -eq 0 ]; then
	for t in tests/integration/t_*.sh; do
		echo "== integration: ${t##*/}"
		why=$(sed -n "s/^${t##*/}: //p" "${UA_INTEGRATION_SKIP:-/dev/null}" | head -1)
		if [ -n "$why" ]; then
			tally <<<"skip ${t##*/}: $why"
			continue
		fi
		started=$SECONDS
		notfound=""
		tally < <(UA_BUILD="$out" bash "$t" 2>&1; rc=$?
			[ $rc -eq 0 ] || echo "FAIL ${t##*/}: script exited $rc")
		[ -z "$notfound" ] ||
			tally <<<"FAIL ${t##*/}: it ran a program this machine has not ($notfound)"
		echo "== integration: ${t##*/} took $((SECONDS - started)) s"
	done
fi

if [ $unit_only -eq 0 ]; then
	echo "== adversarial techniques (tests/adversarial.tsv)"
	tests/adversarial-table.sh "$status_log" || true
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
