#!/usr/bin/env bash
# The VM results as a Markdown table, from the consoles of the last
# `make check-vm` (OUT/vm/console-VER.log.txt): for docs/kernels.md.
#
# usage: tests/vm/summary.sh OUT
set -u
out=${1:-build}
echo "| kernel | daemon | passed | failed | skipped | failed tests |"
echo "|---|---|---|---|---|---|"
for log in "$out"/vm/console-*.log.txt; do
	[ -e "$log" ] || continue
	rel=$(sed -n 's/^UA-VM: kernel //p' "$log" | head -1)
	daemon=$(sed -n 's/^UA-VM: refused /refused: /p; s/^UA-VM: daemon ready in \(.*\)/starts (ready in \1)/p' "$log" | head -1)
	res=$(sed -n '/^UA-VM: results begin/,/^UA-VM: results end/p' "$log")
	grep -q '^UA-VM: results end' <<<"$res" || daemon="$daemon; the guest did not finish"
	p=$(grep -c '^ok ' <<<"$res")
	f=$(grep -c '^FAIL ' <<<"$res")
	s=$(grep -c '^skip ' <<<"$res")
	names=$(grep '^FAIL ' <<<"$res" | cut -d' ' -f2 | cut -d: -f1 | tr '\n' ' ')
	echo "| ${rel:-?} | ${daemon:-?} | $p | $f | $s | ${names:--} |"
done
