#!/usr/bin/env bash
# Requests in flight when the daemon starts (issue 10 item 9): an accept and
# a recv submitted before the daemon starts and completed after are recorded
# once each, marked inflight=start, with their real result and submitter; a
# request that completed before the start is not; one submitted after the
# start with the same ring and user_data and declined by the rules is not
# written as in flight, not even when the in-flight one's CQE overflowed (its
# mark never ended); rules that do not select the op write nothing; the walk
# went to its end (no degraded=inflight); an op selected only by a reload
# after the start is recorded on the tracepoint backend, not on the per-op
# backend, which drops the marks of the ops the configured rules do not select.
# tests/progs/ua_inflight does the driving (see its header).
. "$(dirname "$0")/lib.sh"

CASES=(inflight_accept inflight_recv inflight_early_none inflight_declined_after
	inflight_schema inflight_walk_whole inflight_overflow_no_stale inflight_unselected
	inflight_reload)
ua_require "${CASES[@]}"
PROG=$UA_TOP/$UA_BUILD/tests/ua_inflight
if [ ! -x "$PROG" ]; then
	for n in "${CASES[@]}"; do skip "$n" "not built ($PROG)"; done
	exit 0
fi

# One run: the driver sets up its requests, the daemon starts with RULE, the
# driver is released and finishes. Its output in $OUT, records in $UA_LOG.
OUT=$UA_TMP/inflight.out
run() { # RULE [overflow]
	local rules=$UA_TMP/inflight.rules go=$UA_TMP/go
	rm -f "$go" "$OUT" "$UA_LOG"
	echo "$1" >"$rules"
	chmod 600 "$rules"
	# the driver waits for $go as long as the daemon's start and a reload
	# may take (twice the suite's wait: minutes under TCG)
	UA_TIMEOUT=$((2 * UA_TIMEOUT)) "$PROG" "$go" ${2:+"$2"} >"$OUT" 2>"$UA_TMP/inflight.err" &
	local pp=$!
	if ! wait_for grep -qs '^ready ' "$OUT"; then
		kill "$pp" 2>/dev/null
		wait "$pp" 2>/dev/null
		echo "ua_inflight: $(cat "$UA_TMP/inflight.err")" >&2
		return 1
	fi
	if ! ua_start --rules "$rules"; then
		touch "$go"
		wait "$pp"
		return 1
	fi
	# BETWEEN: what to do once the daemon runs, before the driver goes on
	[ -z "${BETWEEN:-}" ] || eval "$BETWEEN"
	touch "$go"
	wait "$pp" || {
		echo "ua_inflight failed: $(cat "$UA_TMP/inflight.err")" >&2
		return 1
	}
	return 0
}
val() { grep -o "\b$1=[^ ]*" "$OUT" | cut -d= -f2; }
# The records of the driver's process, once the daemon has stopped (drained).
mine() { recs ".pid==$P and ($1)"; }

# --- the accept and the recv, selected by the submitter's name at the walk ----
RULE="-a always,io_uring -S accept,recv -F comm=uainfl_hold -k inflight"
if ! run "$RULE"; then
	for n in inflight_accept inflight_recv inflight_early_none inflight_declined_after \
		inflight_schema inflight_walk_whole; do
		fail "$n" "the run did not complete"
	done
else
	P=$(val pid)
	ACC=$(val accept_res)
	# the daemon writes both once the driver's CQEs are posted; stop drains
	wait_count ".pid==$P and .user_data==\"0x7ec\"" 1
	ua_stop
	A=$(mine '.user_data=="0xacce"')
	if [ "$ACC" -lt 0 ] 2>/dev/null || [ -z "$ACC" ]; then
		fail inflight_accept "the accept failed ($ACC)"
	else
		check_eq inflight_accept "$(wc -l <<<"$A")" 1 &&
			check_eq inflight_accept \
				"$(jq -r '[.inflight,.op,.success,.exit,.cqe,.tid,.comm,.uid,.euid,.cred,.key,.new_family,.new_laddr,.new_lport,.file_family,.file_lport]|@tsv' <<<"$A")" \
				"$(printf 'start\taccept\ttrue\t%s\tposted\t%s\tuainfl_hold\t0\t0\ttask\tinflight\tinet\t127.0.0.1\t%s\tinet\t%s' \
					"$ACC" "$P" "$(val port)" "$(val port)")" &&
			check_eq inflight_accept "$(jq -r '[has("ctx"),has("submit"),has("fd"),has("flags"),(.ring|length)]|@tsv' <<<"$A")" \
				"$(printf 'false\tfalse\tfalse\tfalse\t16')" &&
			ok inflight_accept
	fi
	R=$(mine '.user_data=="0x7ec"')
	check_eq inflight_recv "$(wc -l <<<"$R")" 1 &&
		check_eq inflight_recv \
			"$(jq -r '[.inflight,.op,.success,.exit,.comm,.file_family,.file_sock_type,has("ctx"),has("fd")]|@tsv' <<<"$R")" \
			"$(printf 'start\trecv\ttrue\t5\tuainfl_hold\tunix\tstream\tfalse\tfalse')" &&
		check_eq inflight_recv "$(jq -r .ring <<<"$R")" "$(jq -r .ring <<<"$A")" &&
		ok inflight_recv
	# completed before the start (user_data 0x1e, 3 bytes): not in flight
	check_eq inflight_early_none "$(val early_res) $(mine '.user_data=="0x1e"' | wc -l)" "3 0" &&
		ok inflight_early_none
	# the recv of 7 bytes after the start, same ring and user_data, declined
	# by comm=: no record at all, and the in-flight one stays one
	check_eq inflight_declined_after "$(val recv2_res) $(mine '.exit==7' | wc -l) $(count ".pid==$P" )" "7 0 2" &&
		ok inflight_declined_after
	# the walk went to its end: not cut at its bound (6.1 once went round
	# a hash table until it), the marks' map not full
	check_eq inflight_walk_whole \
		"$(jq -r 'select(.type=="URING_DAEMON" and .op=="start") | .degraded // "" | split(",") | index("inflight") // "none"' "$UA_LOG")" \
		none && ok inflight_walk_whole
	# the whole log, inflight records included, against docs/schema
	if ! command -v python3 >/dev/null || ! python3 -c 'import jsonschema' 2>/dev/null; then
		skip inflight_schema "python3-jsonschema is not installed (make deps)"
	elif SC=$(python3 "$UA_TOP/tests/schema_check.py" "$UA_TOP/docs/schema" "$UA_LOG" 2>&1); then
		ok inflight_schema
	else
		fail inflight_schema "$SC"
	fi
fi

# --- the in-flight recv's CQE overflows: its mark is never ended by a CQE; the
# recv after the start in the same ring with the same user_data (the same
# request slot when the kernel's cache gives it back) must not take it ---------
if ! run "$RULE" overflow; then
	fail inflight_overflow_no_stale "the run did not complete"
else
	P=$(val pid)
	wait_count ".pid==$P and .user_data==\"0xacce\"" 1
	ua_stop
	if [ "$(val overflowed)" != 1 ]; then
		skip inflight_overflow_no_stale "the recv's CQE did not overflow the CQ ring here"
	else
		check_eq inflight_overflow_no_stale \
			"$(val recv2_res) $(mine '.exit==7' | wc -l) $(mine '.inflight=="start" and .op=="accept"' | wc -l)" "7 0 1" &&
			ok inflight_overflow_no_stale
	fi
fi

# --- rules that select neither op: nothing of the driver's ---------------------
if ! run "-a always,io_uring -S connect -k inflight"; then
	fail inflight_unselected "the run did not complete"
else
	P=$(val pid)
	ua_stop
	check_eq inflight_unselected "$(val accept_res | grep -c '^[0-9]') $(val recv_res) $(count ".pid==$P")" "1 5 0" &&
		ok inflight_unselected
fi

# --- recv unselected at start, selected by a reload before it completes: the
# rules in force at its completion decide on the tracepoint backend (its mark
# stayed); the per-op backend drops the marks of the ops the configured rules
# do not select (it sees no submit or completion of them), so no record --------
RB=$UA_TMP/inflight-b.rules
echo "$RULE" >"$RB"
chmod 600 "$RB"
BETWEEN='"$UA" rules load "$RB" --socket "$UA_TMP/sock" >/dev/null 2>"$UA_TMP/reload.err" || echo "reload failed: $(cat "$UA_TMP/reload.err")" >&2'
if ! run "-a always,io_uring -S accept -F comm=uainfl_hold -k inflight"; then
	fail inflight_reload "the run did not complete"
else
	P=$(val pid)
	wait_count ".pid==$P and .user_data==\"0xacce\"" 1
	ua_stop
	want="1 1"
	[ "${UA_BACKEND:-}" != perop ] || want="1 0"
	check_eq inflight_reload \
		"$(mine '.inflight=="start" and .op=="accept"' | wc -l) $(mine '.inflight=="start" and .op=="recv"' | wc -l)" \
		"$want" && ok inflight_reload
fi
unset BETWEEN
