#!/usr/bin/env bash
# The VM results as Markdown tables, from the consoles of `make check-vm`
# (OUT/vm/console-*.log.txt; several runs of one kernel, e.g. with
# different VM_TESTS, kept as console-VER-NAME.log.txt, count as one): for
# docs/kernels.md. First one line per kernel (daemon, the verifier's
# largest program, counts, failed tests), then the capability matrix: each capability of
# tests/vm/capabilities.tsv per kernel: "yes" when all its tests passed,
# "yes (N of M tests run)" when those that ran did (the others not selected
# by VM_TESTS), "yes, in part (reason)" when some were skipped, "FAIL:
# names", "skipped: the first reason", "refused" (the daemon refuses the
# kernel), or "not run".
#
# usage: tests/vm/summary.sh OUT
set -u
out=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)

release() { sed -n 's/^UA-VM: kernel //p' "$1" | head -1; }
# The test lines of kernel $1's consoles. Several consoles of one kernel
# (chunks of the suite, each with its own VM_TESTS) add up; scripts not
# selected by VM_TESTS are no result. A script that ran in more than one
# console counts once, by its latest run (the newest console): a script run
# again after a fix replaces its earlier run. The per-run table below lists
# every run.
consoles() { ls -tr "$out"/vm/console-*.log.txt 2>/dev/null; }
results() {
	local log
	consoles | while read -r log; do
		[ "$(release "$log")" = "$1" ] || continue
		sed -n '/^UA-VM: results begin/,/^UA-VM: results end/p' "$log"
	done | grep -v '^skip t_[a-z0-9_]*\.sh: not selected' | awk '
		/^UA-VM: results begin/ { run++ }
		/^== (integration|vm): t_[a-z0-9_]*\.sh$/ { script = $3; next }
		/^(ok|FAIL|skip) / {
			if (!(script in seen)) { seen[script] = run; order[n++] = script }
			else if (seen[script] != run) { seen[script] = run; lines[script] = "" }
			lines[script] = lines[script] $0 "\n"
			next
		}
		{ print }
		END { for (i = 0; i < n; i++) printf "%s", lines[order[i]] }'
}
kernels=()
for log in "$out"/vm/console-*.log.txt; do
	[ -e "$log" ] || continue
	r=$(release "$log")
	[ -n "$r" ] && ! printf '%s\n' "${kernels[@]}" | grep -qxF "$r" && kernels+=("$r")
done

echo "| kernel | daemon | passed | failed | skipped | failed tests |"
echo "|---|---|---|---|---|---|"
for k in "${kernels[@]}"; do
	daemon=$(for log in "$out"/vm/console-*.log.txt; do [ "$(release "$log")" = "$k" ] && cat "$log"; done |
		sed -n 's/^UA-VM: refused /refused: /p; s/^UA-VM: daemon ready in \(.*\)/starts (ready in \1)/p' | head -1)
	# the most instructions the verifier processed for one program
	vmax=$(for log in "$out"/vm/console-*.log.txt; do [ "$(release "$log")" = "$k" ] && cat "$log"; done |
		sed -n 's/^UA-VM: verified max \([0-9]*\) \(.*\)/\1 (\2)/p' | sort -n | tail -1)
	[ -n "$vmax" ] && [ -n "$daemon" ] && daemon="$daemon; verifier: at most $vmax instructions"
	res=$(results "$k")
	p=$(grep -c '^ok ' <<<"$res")
	f=$(grep -c '^FAIL ' <<<"$res")
	s=$(grep -c '^skip ' <<<"$res")
	names=$(grep '^FAIL ' <<<"$res" | cut -d' ' -f2 | cut -d: -f1 | tr '\n' ' ')
	echo "| $k | ${daemon:-?} | $p | $f | $s | ${names:--} |"
done
[ ${#kernels[@]} -gt 0 ] || exit 0

echo
head="| capability |"
rule="|---|"
for k in "${kernels[@]}"; do head="$head $k |"; rule="$rule---|"; done
echo "$head"
echo "$rule"
while IFS=$'\t' read -r cap tests; do
	case $cap in '#'* | '') continue ;; esac
	row="| $cap |"
	for k in "${kernels[@]}"; do
		res=$(results "$k")
		refused=$(for log in "$out"/vm/console-*.log.txt; do [ "$(release "$log")" = "$k" ] && cat "$log"; done |
			grep -c '^UA-VM: refused ')
		nok=0 n=0 failed="" why=""
		for t in $tests; do
			n=$((n + 1))
			line=$(grep -m1 -E "^(ok|FAIL|skip) $t(:|$)" <<<"$res")
			case $line in
			"ok "*) nok=$((nok + 1)) ;;
			"FAIL "*) failed="$failed $t" ;;
			"skip "*) [ -n "$why" ] || why=${line#*: } ;;
			esac
		done
		if [ -n "$failed" ]; then
			cell="FAIL:$failed"
		elif [ $nok -eq $n ]; then
			cell="yes"
		elif [ $nok -gt 0 ] && [ -z "$why" ]; then
			cell="yes ($nok of $n tests run)"
		elif [ $nok -gt 0 ]; then
			cell="yes, in part ($why)"
		elif [ "$refused" -gt 0 ] && { [ -z "$why" ] || [ "${why#the daemon refuses}" != "$why" ]; }; then
			cell="refused"
		elif [ -n "$why" ]; then
			cell="skipped: $why"
		else
			cell="not run"
		fi
		row="$row ${cell//|/\\|} |"
	done
	echo "$row"
done <"$top/tests/vm/capabilities.tsv"

# Per kernel and script, which console (the run) it came from, the time
# run-all.sh printed after it, its counts, and its failed and skipped cases
# with their reasons (skips grouped by reason); not the host-only scripts
# (tests/vm/host-only), which every guest lists as skipped.
echo
echo "| kernel | script | console | time | passed | failed | skipped | failed; skipped (reason: cases) |"
echo "|---|---|---|---|---|---|---|---|"
for k in "${kernels[@]}"; do
	for log in $(consoles); do
		[ "$(release "$log")" = "$k" ] || continue
		name=${log##*/console-}
		name=${name%.log.txt}
		sed -n '/^UA-VM: results begin/,/^UA-VM: results end/p' "$log" | awk -v k="$k" -v c="$name" '
			function flush(   f, s, r, i) {
				if (script == "" || p + nf + ns == 0) return
				s = ""
				for (i = 0; i < nr; i++) {
					r = reason[i]
					s = s (s == "" ? "" : "; ") r ": " cases[r]
				}
				f = (fails == "" ? "-" : fails)
				gsub(/\|/, "\\|", s); gsub(/\|/, "\\|", f)
				printf "| %s | %s | %s | %s | %d | %d | %d | %s%s |\n", k, script, c,
					(took == "" ? "-" : took " s"), p, nf, ns, f, (s == "" ? "" : "; skipped: " s)
			}
			/^== (integration|vm): t_[a-z0-9_]*\.sh$/ {
				flush(); script = $3; took = ""; p = nf = ns = nr = 0; fails = ""
				delete reason; delete cases; next
			}
			/^== integration: t_[a-z0-9_]*\.sh took [0-9]+ s$/ { took = $5; next }
			/^skip t_[a-z0-9_]*\.sh: (not selected|host only)/ { next }
			/^ok / { p++; next }
			/^FAIL / { nf++; n = $2; sub(/:$/, "", n); fails = fails (fails == "" ? "" : ", ") n; next }
			/^skip / {
				ns++; n = $2; sub(/:$/, "", n); r = $0; sub(/^skip [^ ]* /, "", r)
				if (!(r in cases)) { reason[nr++] = r; cases[r] = n } else cases[r] = cases[r] ", " n
				next
			}
			END { flush() }'
	done
done
