#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make install into a staging root: every file where it belongs with its mode,
# the unit verified by systemd-analyze, the man pages without roff warnings,
# the completion valid bash, the installed default rules the daemon's own,
# then the installed binary run with the installed configuration.
# make uninstall leaves no file behind.
. "$(dirname "$0")/lib.sh"

ROOT=$UA_TMP/root
mk() { make -s --no-print-directory -C "$UA_TOP" OUT="$UA_BUILD" PREFIX="$ROOT/usr" \
	SYSCONFDIR="$ROOT/etc" "$@"; }

if ! mk install >"$UA_TMP/install.out" 2>&1; then
	fail install "make install failed: $(tail -3 "$UA_TMP/install.out")"
	exit 0
fi

# path mode: what make install promises.
modes_ok=1
while read -r mode path; do
	got=$(stat -c %a "$ROOT/$path" 2>/dev/null || echo missing)
	if [ "$got" != "$mode" ]; then
		fail install_modes "$path: mode $got, expected $mode"
		modes_ok=0
	fi
done <<'EOF_LIST'
755 usr/sbin/uringaudit
644 usr/lib/systemd/system/uringaudit.service
644 usr/lib/tmpfiles.d/uringaudit.conf
644 usr/share/bash-completion/completions/uringaudit
644 usr/share/man/man8/uringaudit.8
644 usr/share/man/man5/uringaudit.conf.5
644 usr/share/man/man7/uringaudit.rules.7
750 etc/uringaudit
750 etc/uringaudit/rules.d
640 etc/uringaudit/uringaudit.conf
640 etc/uringaudit/rules.d/50-default.rules
EOF_LIST
[ $modes_ok = 1 ] && ok install_modes

# The unit names the installed binary and configuration.
unit=$ROOT/usr/lib/systemd/system/uringaudit.service
if grep -qx "ExecStart=$ROOT/usr/sbin/uringaudit run --config $ROOT/etc/uringaudit/uringaudit.conf" "$unit" &&
	grep -qx "ExecReload=$ROOT/usr/sbin/uringaudit reload --config $ROOT/etc/uringaudit/uringaudit.conf" "$unit" &&
	grep -qx "Type=notify" "$unit" && grep -qx "RestartPreventExitStatus=2" "$unit"; then
	ok install_unit_paths
else
	fail install_unit_paths "$(grep -E '^(ExecStart|ExecReload|Type|Restart)' "$unit" | tr '\n' ' ')"
fi
if ! command -v systemd-analyze >/dev/null; then
	skip install_unit_verify "systemd-analyze is not installed"
elif out=$(MANPATH=$ROOT/usr/share/man systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
	ok install_unit_verify
else
	fail install_unit_verify "$out"
fi

# Man pages: render without a warning, the paths substituted.
man_ok=1
for m in man8/uringaudit.8 man5/uringaudit.conf.5 man7/uringaudit.rules.7; do
	f=$ROOT/usr/share/man/$m
	if grep -q '@[A-Z]*@' "$f"; then
		fail install_man "$m: unsubstituted $(grep -o '@[A-Z]*@' "$f" | head -1)"
		man_ok=0
	elif command -v groff >/dev/null; then
		w=$(groff -man -ww -z "$f" 2>&1)
		[ -z "$w" ] || { fail install_man "$m: $w"; man_ok=0; }
	fi
done
[ $man_ok = 1 ] && ok install_man

if bash -n "$ROOT/usr/share/bash-completion/completions/uringaudit"; then
	ok install_completion_syntax
else
	fail install_completion_syntax "bash -n failed"
fi

# The installed default rules are the daemon's built-in rules (one definition).
want=$("$UA" rules default | grep -v '^#')
got=$("$ROOT/usr/sbin/uringaudit" rules check "$ROOT/etc/uringaudit/rules.d/50-default.rules" 2>&1)
check_eq install_default_rules "$got" "$want" && ok install_default_rules

# The installed binary says its version (git describe or VERSION).
"$ROOT/usr/sbin/uringaudit" --version >"$UA_TMP/version" 2>&1
if grep -Eq "^uringaudit [0-9]+\.[0-9]+\.[0-9]+" "$UA_TMP/version"; then
	ok install_version
else
	fail install_version "$(cat "$UA_TMP/version")"
fi

# A second install keeps an edited configuration; uninstall keeps it too.
echo "# edited" >>"$ROOT/etc/uringaudit/uringaudit.conf"
mk install >/dev/null 2>&1
if tail -1 "$ROOT/etc/uringaudit/uringaudit.conf" | grep -q '^# edited$'; then
	ok install_keeps_config
else
	fail install_keeps_config "the edited configuration was overwritten"
fi
mk uninstall >/dev/null 2>&1
left=$(cd "$ROOT" && find . -type f | sort | tr '\n' ' ')
check_eq install_uninstall "$left" "./etc/uringaudit/uringaudit.conf " && ok install_uninstall

# ---- the installed binary with the installed configuration ----
# Where records go, the socket and the pid file are given as flags (the file
# names /var/log and /run); everything else, rules_dir included, is the
# file's. Run with the unit's capability bounding set only, and with
# $NOTIFY_SOCKET: READY=1 and STATUS= arrive once records flow.
I=$UA_TMP/inst
mkdir -m 0755 "$I"
mk install >/dev/null 2>&1
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
"$UA_TOP/$UA_BUILD/tests/notify_listen" "$I/notify" "$((UA_TIMEOUT * 4))" >"$I/notify.out" 2>&1 &
NPID=$!
wait_for test -S "$I/notify"
NOTIFY_SOCKET=$I/notify setpriv --bounding-set "-all,$caps" --inh-caps=-all \
	"$ROOT/usr/sbin/uringaudit" run --config "$ROOT/etc/uringaudit/uringaudit.conf" --pin-dir "" \
	--log "$I/log.json" --format json --socket "$I/sock" --pid-file "$I/pid" \
	2>"$I/err" &
UA_PID=$!
if wait_for test -s "$I/pid"; then
	drive openat:/etc/hostname
	P=$(drv pid)
	if wait_for eval '[ -n "$(jq -c "select(.pid==$P and .op==\"openat\")" "$I/log.json")" ]' &&
		grep -q "\"op\":\"start\"" "$I/log.json"; then
		ok install_run_unit_caps
	else
		fail install_run_unit_caps "no openat record: $(cat "$I/err")"
	fi
	if wait_for grep -q '^READY=1$' "$I/notify.out" &&
		wait_for grep -q "^STATUS=recording to $I/log.json, 1 rules" "$I/notify.out"; then
		ok install_notify_ready
	else
		fail install_notify_ready "notifications: $(tr '\n' ' ' <"$I/notify.out")"
	fi
	# the unit's ExecReload, with a configuration naming this daemon's socket
	sed "s|^socket = .*|socket = $I/sock|" "$ROOT/etc/uringaudit/uringaudit.conf" >"$I/reload.conf"
	chmod 640 "$I/reload.conf"
	"$ROOT/usr/sbin/uringaudit" reload --config "$I/reload.conf" >"$I/reload.out" 2>&1
	rc=$?
	cfg() { jq -r 'select(.type=="URING_CONFIG") | "\(.op) \(.res)"' "$I/log.json"; }
	wait_for eval '[ -n "$(cfg)" ]'
	check_eq install_reload "$rc $(cfg)" "0 load success" && ok install_reload
	ua_stop
	if grep -q '^STOPPING=1$' "$I/notify.out"; then
		ok install_notify_stopping
	else
		fail install_notify_stopping "notifications: $(tr '\n' ' ' <"$I/notify.out")"
	fi
else
	fail install_run_unit_caps "did not start: $(cat "$I/err")"
	fail install_notify_ready "did not start"
	fail install_reload "did not start"
	fail install_notify_stopping "did not start"
fi
kill "$NPID" 2>/dev/null
wait "$NPID" 2>/dev/null

# Not root, only the capabilities (User= with AmbientCapabilities=): it runs.
N=$UA_TMP/nobody
mkdir -m 0700 "$N"
chown 65534 "$N"
# Only what this process may still grant (a container may lack some).
bnd=$(capsh --decode="$(awk '/^CapBnd/ {print $2}' /proc/self/status)" 2>/dev/null | sed 's/.*=//')
amb=$(echo "$caps" | tr ',' '\n' | while read -r c; do
	[[ ,$bnd, == *,cap_${c#+},* ]] && printf '%s,' "$c"; done)
amb=${amb%,}
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="-all,$amb" --ambient-caps="-all,$amb" \
	"$ROOT/usr/sbin/uringaudit" run --config "$ROOT/etc/uringaudit/uringaudit.conf" --pin-dir "" \
	--log "$N/log.json" --format json --socket "$N/sock" --pid-file "$N/pid" 2>"$N/err" &
UA_PID=$!
if wait_for test -s "$N/pid"; then
	drive openat:/etc/hostname
	P=$(drv pid)
	if wait_for eval '[ -n "$(jq -c "select(.pid==$P and .op==\"openat\")" "$N/log.json")" ]'; then
		ok install_run_ambient_caps
	else
		fail install_run_ambient_caps "no openat record: $(cat "$N/err")"
	fi
	ua_stop
else
	fail install_run_ambient_caps "did not start: $(cat "$N/err")"
fi

# Without them: a clear word, exit 1, nothing loaded.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$ROOT/usr/sbin/uringaudit" run --config "$ROOT/etc/uringaudit/uringaudit.conf" --pin-dir "" \
	--log "$N/log2" --socket "$N/sock2" >/dev/null 2>"$N/err2"
rc=$?
if [ $rc = 1 ] && grep -q "^uringaudit: missing capabilities: .*CAP_BPF and CAP_PERFMON" "$N/err2" &&
	[ ! -e "$N/log2" ]; then
	ok install_no_caps_refused
else
	fail install_no_caps_refused "rc=$rc: $(cat "$N/err2")"
fi
