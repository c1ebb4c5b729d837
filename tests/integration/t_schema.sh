#!/usr/bin/env bash
# For shippers and dashboards: every JSON record valid against its schema
# (docs/schema/), UTF-8 names written as UTF-8, and status as metrics for
# node_exporter's textfile collector.
. "$(dirname "$0")/lib.sh"

CASES=(golden_records_schema live_records_schema utf8_names_json status_openmetrics)
ua_require "${CASES[@]}"
CHECK=$UA_TOP/tests/schema_check.py
SCHEMA=$UA_TOP/docs/schema

have_validator=1
if ! command -v python3 >/dev/null || ! python3 -c 'import jsonschema' 2>/dev/null; then
	have_validator=0
fi

# The formatter's golden records (every op's fields, holders, registers).
if [ $have_validator = 0 ]; then
	skip golden_records_schema "python3-jsonschema is not installed (make deps)"
else
	out=$(python3 "$CHECK" "$SCHEMA" --ignore-type DAEMON_START "$UA_TOP"/tests/golden/*.jsonl 2>&1)
	[ $? = 0 ] && ok golden_records_schema || fail golden_records_schema "$out"
fi

W=$UA_TMP/w
mkdir -p "$W"
# A UTF-8 name (Latin, the euro sign, an emoji) and one with bytes no UTF-8
# character has: an overlong '/', a lone continuation, a truncated sequence.
U8="$W/café-€-😀"
BAD=$(printf '%s/x\300\257y\200z\342\202' "$W" | od -An -tx1 | tr -d ' \n')
: >"$U8"
if ua_start --stdout json >"$UA_TMP/stdout"; then
	drive openat:"$U8" openat:"@hex:$BAD":0x41 openat:/nonexistent-schema >/dev/null
	P=$(drv pid)
	wait_count ".pid==$P" 3
	# A refused rule load: a URING_CONFIG record.
	printf -- '-a always,io_uring -S bogus\n' >"$UA_TMP/bad.rules"
	chmod 600 "$UA_TMP/bad.rules"
	"$UA" rules load "$UA_TMP/bad.rules" --socket "$UA_TMP/sock" >/dev/null 2>&1
	wait_for grep -q '"type":"URING_CONFIG"' "$UA_LOG"

	# --- utf8: as itself in JSON; invalid bytes escaped one by one -----------
	got=$(jq -r "select(.type==\"URINGOP\" and .pid==$P and .exit>=0) | .name" "$UA_LOG" | head -1)
	raw=$(grep -F "\"name\":\"$U8\"" "$UA_LOG" | wc -l)
	bad=$(grep -F '/x\u00c0\u00afy\u0080z\u00e2\u0082"' "$UA_LOG" | wc -l)
	badbytes=$(jq -r "select(.type==\"URINGOP\" and .pid==$P and (.name|test(\"/x\"))) | .name|explode|map(.)|@sh" "$UA_LOG")
	want=$(printf '%s' "$BAD" | sed 's/../0x& /g' | xargs printf '%d ' | sed 's/ $//')
	if [ "$got" = "$U8" ] && [ "$raw" = 1 ] && [ "$bad" = 1 ] && [ "$badbytes" = "$want" ] &&
		! grep -q '\\u00c3\\u00a9' "$UA_LOG"; then
		ok utf8_names_json
	else
		fail utf8_names_json "name '$got', raw lines $raw, escaped lines $bad, bytes '$badbytes' want '$want'"
	fi

	# --- metrics, matching status --json --------------------------------------
	"$UA" status --openmetrics --socket "$UA_TMP/sock" >"$UA_TMP/metrics"
	rc=$?
	js=$("$UA" status --json --socket "$UA_TMP/sock")
	bad=""
	[ $rc = 0 ] || bad="$bad [rc $rc]"
	# Each line a comment (HELP/TYPE) or NAME{LABELS} VALUE; TYPE once per family,
	# before its samples.
	awk '
		/^# HELP [a-z_:][a-z0-9_:]* / { next }
		/^# TYPE [a-z_:][a-z0-9_:]* (counter|gauge)$/ { if (typed[$3]++) { print "TYPE twice: " $3 }; next }
		/^[a-z_:][a-z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9]+(\.[0-9]+)?$/ {
			n = $1; sub(/\{.*/, "", n); if (!typed[n]) print "sample before TYPE: " $0; next }
		{ print "bad line: " $0 }' "$UA_TMP/metrics" >"$UA_TMP/metrics.bad"
	[ -s "$UA_TMP/metrics.bad" ] && bad="$bad [$(head -3 "$UA_TMP/metrics.bad" | tr '\n' ' ')]"
	for k in events recorded lost lost_declared write_errors; do
		m=$(grep "^uringaudit_${k}_total " "$UA_TMP/metrics" | cut -d' ' -f2)
		[ -n "$m" ] && [ "$m" -le "$(jq ".$k" <<<"$js")" ] 2>/dev/null &&
			[ "$m" -ge 0 ] || bad="$bad [$k: '$m' vs $(jq ".$k" <<<"$js")]"
	done
	grep -q '^# TYPE uringaudit_recorded_total counter$' "$UA_TMP/metrics" || bad="$bad [recorded TYPE]"
	grep -q '^uringaudit_rules [0-9]' "$UA_TMP/metrics" || bad="$bad [rules gauge]"
	grep -q '^uringaudit_uptime_seconds [0-9]' "$UA_TMP/metrics" || bad="$bad [uptime]"
	# the backend that runs (UA_BACKEND in the VM may make it perop)
	grep -qx "uringaudit_info{backend=\"$(jq -r .backend <<<"$js")\"} 1" "$UA_TMP/metrics" ||
		bad="$bad [info]"
	grep -q '^uringaudit_sink_delivered_total{sink="stdout",kind="stdout"} [0-9]' "$UA_TMP/metrics" ||
		bad="$bad [stdout sink]"
	[ -z "$bad" ] && ok status_openmetrics || fail status_openmetrics "$bad"
	ua_stop

	# --- every record of the run, in the log and on stdout --------------------
	if [ $have_validator = 0 ]; then
		skip live_records_schema "python3-jsonschema is not installed (make deps)"
	else
		out=$(python3 "$CHECK" "$SCHEMA" "$UA_LOG" "$UA_TMP/stdout" 2>&1)
		rc=$?
		if [ $rc = 0 ] && grep -q "URINGOP:" <<<"$out" && grep -q "URING_DAEMON:" <<<"$out" &&
			grep -q "URING_CONFIG:" <<<"$out" &&
			[ "$(jq -c 'select(.op=="start" and .format_version==1)' "$UA_LOG" | wc -l)" = 1 ]; then
			ok live_records_schema
		else
			fail live_records_schema "$out"
		fi
	fi
else
	for c in live_records_schema utf8_names_json status_openmetrics; do
		fail $c "daemon did not start"
	done
fi
