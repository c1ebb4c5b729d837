#!/usr/bin/env bash
# Prints the adversarial table (tests/adversarial.tsv) with each technique's outcome as found
# in a test run's output (tests/run-all.sh writes BUILD/test-results.log).
# usage: tests/adversarial-table.sh RESULTS_LOG
# Exit status: 1 when a technique's test failed, else 0 (a technique without a test, or whose
# tests were skipped, is shown as such, never as caught).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=${1:?usage: adversarial-table.sh RESULTS_LOG}
[ -r "$log" ] || { echo "adversarial-table: cannot read $log" >&2; exit 2; }
bad=0
printf '%-6s %-44s %-8s %s\n' id technique outcome "fields verified / why"
while IFS=$'\t' read -r id what tests fields; do
	case "$id" in '#'* | '') continue ;; esac
	outcome=caught why=$fields
	if [ "$tests" = "-" ]; then
		outcome=open
	else
		for t in $tests; do
			if grep -q "^FAIL $t:" "$log"; then
				outcome=FAILED why=$(grep -m1 "^FAIL $t:" "$log" | cut -c1-80)
				bad=1
				break
			elif line=$(grep -m1 "^skip $t:" "$log"); then
				outcome=skipped why=${line#skip }
			elif ! grep -q "^ok $t\$" "$log"; then
				[ "$outcome" = caught ] && outcome=not-run why="$t did not run"
			fi
		done
	fi
	printf '%-6s %-44s %-8s %s\n' "$id" "${what:0:44}" "$outcome" "$why"
done <"$top/tests/adversarial.tsv"
exit $bad
