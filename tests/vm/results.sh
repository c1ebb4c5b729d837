#!/usr/bin/env bash
# One guest's console, read on the host (run-vm.sh; tests/vm/t_harness.sh
# checks it on made-up consoles): prints the guest's kernel, daemon and
# verifier lines, each test's result tagged with the series ("ok NAME
# [VER]", "FAIL NAME [VER]: why", "skip NAME [VER]: why"), then the
# harness's own verdicts:
#   FAIL vm-VER: the daemon refused a kernel the project supports: LINE
#     a series not in tests/vm/expected-refusals (its tests failed too), or
#     one in it refused with other words than those listed;
#   FAIL vm-VER: the daemon started on a kernel documented as refused;
#   FAIL vm-VER: the guest stopped before the suite finished
# and last "counts PASSED FAILED SKIPPED" (verdicts counted as failures).
#
# usage: tests/vm/results.sh VER CONSOLE    (CONSOLE without \r)
set -u
[ $# -eq 2 ] || { echo "usage: $0 VER CONSOLE" >&2; exit 2; }
ver=$1 log=$2
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0

# The words a refusal of this series must carry; empty: none is expected.
expected=$(awk -F'\t' -v v="$ver" '$1 == v { print $2; exit }' "$here/expected-refusals")

grep '^UA-VM: \(kernel\|refused\|daemon ready\|verified max\)' "$log"
while IFS= read -r line; do
	case $line in
	"ok "*) pass=$((pass + 1)); echo "ok ${line#ok } [$ver]" ;;
	"FAIL "*) fail=$((fail + 1)); n=${line#FAIL }; echo "FAIL ${n%%:*} [$ver]:${n#*:}" ;;
	"skip "*) skip=$((skip + 1)); n=${line#skip }; echo "skip ${n%%:*} [$ver]:${n#*:}" ;;
	esac
done < <(sed -n '/^UA-VM: results begin/,/^UA-VM: results end/p' "$log")

refused=$(sed -n 's/^UA-VM: refused //p' "$log" | head -1)
if [ -n "$refused" ]; then
	if [ -z "$expected" ] || [ "${refused#*"$expected"}" = "$refused" ]; then
		echo "FAIL vm-$ver: the daemon refused a kernel the project supports: $refused"
		fail=$((fail + 1))
	fi
elif [ -n "$expected" ] && grep -q '^UA-VM: daemon ready' "$log"; then
	echo "FAIL vm-$ver: the daemon started on a kernel documented as refused ($expected)"
	fail=$((fail + 1))
fi
if ! grep -q '^UA-VM: results end rc=' "$log"; then
	echo "FAIL vm-$ver: the guest stopped before the suite finished; console ends:"
	tail -15 "$log" | sed 's/^/    /'
	fail=$((fail + 1))
fi
echo "counts $pass $fail $skip"
