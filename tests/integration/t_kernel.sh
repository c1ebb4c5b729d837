#!/usr/bin/env bash
# The kernel adaptations (docs/kernels.md): the object built without
# bpf_rdonly_cast (what 6.1 loads; UA_TEST_NO_RDONLY_CAST=1 makes the daemon
# take it on any kernel) writes the same records as the default one, and a
# daemon that runs degraded says so: a warning line, degraded= in the start
# record, the status's degraded list; one that does not, does not. And the
# verifier's work for each program of both objects stays under a budget
# (verified_budget_default, verified_budget_compat): half of the 1,000,000
# instructions after which a kernel refuses a program as too large, so that
# a change growing a program towards the limit fails here, on the kernel
# it grows on, before a user's kernel refuses the object (6.12 did, at
# 2e23dff). The counts are the kernel's (bpf_prog_info.verified_insns).
. "$(dirname "$0")/lib.sh"

CASES=(compat_same_records compat_degraded_said default_degraded_matches_kernel
	verified_budget_default verified_budget_compat)
VERIFIED_BUDGET=500000
ua_require "${CASES[@]}"

W=$UA_TMP/work
mkdir -p "$W"
chmod 755 "$W"
echo x >"$W/f"

# One daemon's run: the driver's steps, then each record of its pid with
# the fields that do not change from run to run (no time, seq, pid, ring
# serial, ino of files the run creates).
run_once() { # tag [env...]
	local tag=$1
	shift
	: >"$UA_LOG"
	env "$@" "$UA" run --log "$UA_LOG" --format json --pid-file "$UA_TMP/pid" \
		--socket "$UA_TMP/sock" 2>"$UA_TMP/daemon-$tag.err" &
	UA_PID=$!
	if ! wait_for test -s "$UA_TMP/pid"; then
		cat "$UA_TMP/daemon-$tag.err" >&2
		return 1
	fi
	"$UA" status --json --socket "$UA_TMP/sock" >"$UA_TMP/status-$tag.json"
	"$UA_BUILD/tests/ua_verified" "$UA_PID" "$VERIFIED_BUDGET" >"$UA_TMP/verified-$tag" 2>&1
	echo "rc $?" >>"$UA_TMP/verified-$tag"
	drive openat:"$W/f" close:last openat:/nonexistent-uringaudit openat:"$W/f"+async \
		mkdirat:"$W/d" renameat:"$W/d":"$W/e" unlinkat:"$W/e":0x200 || return 1
	P=$(drv pid)
	wait_count ".pid==$P" 7 || return 1
	recs ".pid==$P" | jq -c 'del(.time, .seq, .pid, .tid, .ppid, .ring, .new_ino, .file_ino,
		.dir_ino, .cgroup_id, .user_data) ' | sort >"$UA_TMP/recs-$tag"
	jq -c 'select(.type=="URING_DAEMON" and .op=="start")' "$UA_LOG" >"$UA_TMP/start-$tag"
	rm -rf "$W/d" "$W/e"
	ua_stop
	rm -f "$UA_TMP/pid"
}

if ! run_once default || ! run_once compat UA_TEST_NO_RDONLY_CAST=1; then
	for n in "${CASES[@]}"; do fail "$n" "a daemon did not start or record"; done
	exit 0
fi

if [ "$(wc -l <"$UA_TMP/recs-default")" = 7 ] && cmp -s "$UA_TMP/recs-default" "$UA_TMP/recs-compat"; then
	ok compat_same_records
else
	fail compat_same_records "records differ: $(diff "$UA_TMP/recs-default" "$UA_TMP/recs-compat" | head -4)"
fi

# renameat's replaced file: degraded=rename exactly where the rename hooks
# (fentry) do not load, with its warning line; the other words are checked
# without it. deg TAG: the start record's degraded= without rename ("-": none).
REN_LINE='^uringaudit: warning: renameat: the file a rename replaced is not seen ('
deg() {
	jq -r '.degraded // ""' "$UA_TMP/start-$1" | tr ',' '\n' | grep -vx rename | paste -sd, - |
		sed 's/^$/-/'
}
ren_said() { # TAG: "rename rename" when word and line agree that it is degraded
	printf '%s %s' "$(jq -r '.degraded // ""' "$UA_TMP/start-$1" | tr ',' '\n' | grep -x rename)" \
		"$(grep -q "$REN_LINE" "$UA_TMP/daemon-$1.err" && echo rename)"
}
REN_EXPECT=$(grep -q "$REN_LINE" "$UA_TMP/daemon-default.err" && echo "rename rename" || echo " ")
# addr_user: the kernel copies connect and send addresses at issue (before
# 6.10, whose BTF still has io_async_connect) and the destination hooks,
# fentry programs as the rename hooks are, do not load to see that copy
ADDR_USER=
ua_kernel_has io_async_connect && [ "$REN_EXPECT" = "rename rename" ] && ADDR_USER=addr_user

why=$(jq -r '.degraded[0] // ""' "$UA_TMP/status-compat.json")
case $why in
"kernel lacks the bpf_rdonly_cast kfunc (Linux 6.2): "*)
	check_eq compat_degraded_said "$(deg compat)" \
		"probe_read${ADDR_USER:+,$ADDR_USER}" &&
		check_eq compat_degraded_said "$(ren_said compat)" "$REN_EXPECT" &&
		check_eq compat_degraded_said "$(grep -c "^uringaudit: warning: $why\$" "$UA_TMP/daemon-compat.err")" 1 &&
		ok compat_degraded_said
	;;
*) fail compat_degraded_said "status degraded: $(jq -c .degraded "$UA_TMP/status-compat.json")" ;;
esac

# The default object: degraded exactly when the kernel lacks the kfunc (6.1),
# and addr_user as above.
if ua_kernel_has io_async_connect; then
	want=$(ua_kernel_has bpf_rdonly_cast || printf 'probe_read,')$ADDR_USER
	want=${want%,}
	check_eq default_degraded_matches_kernel "$(deg default)" "${want:--}" &&
		check_eq default_degraded_matches_kernel "$(ren_said default)" "$REN_EXPECT" &&
		ok default_degraded_matches_kernel
elif ua_kernel_has bpf_rdonly_cast; then
	check_eq default_degraded_matches_kernel \
		"$(jq -c '[.degraded[] | select(startswith("renameat: ") | not)]' "$UA_TMP/status-default.json") $(deg default)" \
		"[] -" && check_eq default_degraded_matches_kernel "$(ren_said default)" "$REN_EXPECT" &&
		ok default_degraded_matches_kernel
else
	check_eq default_degraded_matches_kernel "$(deg default)" probe_read &&
		check_eq default_degraded_matches_kernel "$(ren_said default)" "$REN_EXPECT" &&
		ok default_degraded_matches_kernel
fi

# Every program of each object under the budget.
for tag in default compat; do
	v=$UA_TMP/verified-$tag
	case $(tail -1 "$v") in
	"rc 0")
		n=$(grep -c '^prog ' "$v")
		max=$(sed -n 's/^max //p' "$v")
		if [ "$n" -ge 8 ] && [ -n "$max" ]; then
			echo "# $tag object: $n programs, most verified instructions: $max (budget $VERIFIED_BUDGET)"
			ok "verified_budget_$tag"
		else
			fail "verified_budget_$tag" "$n programs counted: $(tr '\n' ' ' <"$v")"
		fi
		;;
	"rc 1") fail "verified_budget_$tag" "$(grep 'over the budget' "$v" | tr '\n' ' ')" ;;
	"rc 3") skip "verified_budget_$tag" "kernel reports no verified_insns (Linux 5.16)" ;;
	*) fail "verified_budget_$tag" "ua_verified: $(tr '\n' ' ' <"$v")" ;;
	esac
done
