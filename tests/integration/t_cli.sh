#!/usr/bin/env bash
# The command line as a new user meets it: help and version, one
# "uringaudit:" prefix on every error line, the README's first commands, and
# make demo recording what it says it does.
. "$(dirname "$0")/lib.sh"

CASES=(help_and_version one_prefix_per_error readme_first_commands make_demo)
ua_require "${CASES[@]}"

bad=""
for args in "--help" "-h" "run --help" "rules --help" "status --help"; do
	# shellcheck disable=SC2086
	out=$("$UA" $args 2>"$UA_TMP/err")
	rc=$?
	{ [ $rc = 0 ] && grep -q "^usage: uringaudit run" <<<"$out" && [ ! -s "$UA_TMP/err" ]; } ||
		bad="$bad [$args: rc=$rc]"
done
for args in "-V" "--version"; do
	out=$("$UA" $args 2>&1)
	rc=$?
	{ [ $rc = 0 ] && grep -Eq "^uringaudit [0-9]+\.[0-9]+\.[0-9]+" <<<"$out"; } ||
		bad="$bad [$args: rc=$rc '$out']"
done
"$UA" >/dev/null 2>"$UA_TMP/err"
rc=$?
{ [ $rc = 2 ] && grep -q "^usage: uringaudit run" "$UA_TMP/err"; } || bad="$bad [bare: rc=$rc]"
[ -z "$bad" ] && ok help_and_version || fail help_and_version "$bad"

# Errors of every kind: each line of stderr says "uringaudit: " once (the usage
# hint "Try 'uringaudit --help'." aside), never the binary's path, never twice.
R=$UA_TMP/r
mkdir -p "$R"
printf -- '-a always,io_uring -S bogus\n-a always,io_uring -S openat -F uidd=1\n' >"$R/bad.rules"
chmod 600 "$R/bad.rules"
printf 'bogus_key = 1\n' >"$UA_TMP/bad.conf"
chmod 600 "$UA_TMP/bad.conf"
bad=""
n=0
while IFS= read -r args; do
	# shellcheck disable=SC2086
	"$UA" $args >/dev/null 2>"$UA_TMP/err" </dev/null
	rc=$?
	n=$((n + 1))
	if [ $rc = 0 ] || [ ! -s "$UA_TMP/err" ]; then
		bad="$bad [$args: rc=$rc, no message]"
		continue
	fi
	while IFS= read -r line; do
		case $line in
		"Try 'uringaudit --help'.") ;;
		"uringaudit: uringaudit:"*) bad="$bad [$args: two prefixes: $line]" ;;
		"uringaudit: "*) ;;
		*) bad="$bad [$args: no prefix: $line]" ;;
		esac
	done <"$UA_TMP/err"
done <<EOT
-V extra
run --bogus
run --format xml
run --poll-ms 0
rules check $R/bad.rules
rules check /nonexistent/x.rules
rules load /nonexistent/x.rules
rules list --socket $UA_TMP/none.sock
status --socket $UA_TMP/none.sock
status --bogus
bogus
run --config $UA_TMP/bad.conf --log - --socket $UA_TMP/s
run --rules $R/bad.rules --log - --socket $UA_TMP/s
EOT
[ -z "$bad" ] && ok one_prefix_per_error || fail one_prefix_per_error "$bad"

# The README's first commands: step zero installs make, then make targets that
# exist, with no sudo needed as root (the text offers it as an alternative).
# (The VM guests have neither make nor the source tree; nothing here depends
# on the kernel.)
if ! command -v make >/dev/null || [ ! -f "$UA_TOP/README.md" ]; then
	skip readme_first_commands "needs make and the source tree (README.md, Makefile), which the VM guest has not; nothing in it depends on the kernel"
else
	block=$(awk '/^## Two commands/{f=1} f&&/^```/{n++; next} f&&n==1' "$UA_TOP/README.md")
	bad=""
	grep -q '^apt-get install -y make' <<<"$block" || bad="$bad [no step zero installing make]"
	grep -q 'sudo' <<<"$block" && bad="$bad [a command needs sudo: $(grep sudo <<<"$block")]"
	grep -q '^make ' <<<"$block" || bad="$bad [no make command]"
	while IFS= read -r line; do
		targets=$(sed 's/#.*//' <<<"$line" | cut -d' ' -f2-)
		# shellcheck disable=SC2086
		make -C "$UA_TOP" -n $targets >/dev/null 2>"$UA_TMP/make.err" ||
			bad="$bad [make -n $targets: $(head -1 "$UA_TMP/make.err")]"
	done < <(grep "^make " <<<"$block")
	[ -z "$bad" ] && ok readme_first_commands || fail readme_first_commands "$bad"
fi

# make demo: a daemon started, the driver's three opens recorded (one failed),
# a stop record; in the daemon's text format on stdout.
timeout $((UA_TIMEOUT * 3)) "$UA_TOP/scripts/demo.sh" "$UA_TOP/$UA_BUILD" >"$UA_TMP/demo.out" \
	2>"$UA_TMP/demo.err"
rc=$?
mine=$(grep "^type=URINGOP" "$UA_TMP/demo.out" | grep -F "exe=\"$DRV\"")
if [ $rc = 0 ] && grep -q '^type=URING_DAEMON .* op=start ' "$UA_TMP/demo.out" &&
	grep -q '^type=URING_DAEMON .* op=stop ' "$UA_TMP/demo.out" &&
	[ "$(grep -c 'name="/etc/hostname".* success=\|success=yes .*name="/etc/hostname"' <<<"$mine")" = 1 ] &&
	[ "$(grep -c 'success=no .*name="/nonexistent"' <<<"$mine")" = 1 ] &&
	[ "$(grep -c 'ctx=iowq .*name="/etc/shadow"' <<<"$mine")" = 1 ]; then
	ok make_demo
else
	fail make_demo "rc=$rc $(tail -3 "$UA_TMP/demo.err") records: $mine"
fi
