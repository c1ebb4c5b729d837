#!/usr/bin/env bash
# Core capture: one complete, correctly attributed record per selected request,
# with the default rules. One daemon serves every case; each case filters the
# records by the driver's pid.
. "$(dirname "$0")/lib.sh"

CASES=(openat_success openat_enoent openat_eacces_uid close unlinkat renameat mkdirat
	symlinkat_linkat_openat2 sqpoll_ctx sqpoll_creds iowq_async_one_record personality personality_invalid
	cqe_skip link_fail_cancelled unselected_ops_no_record overflow registered_ring_fd
	hostile_strings long_path fixed_file_slot race_path exe_short_lived auid_ses status_counters)
ua_require "${CASES[@]}"

ua_start || { for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done; exit 0; }
W=$UA_TMP/work
mkdir -p "$W"
chmod 755 "$W"

# --- openat, success and failures -------------------------------------------
drive openat:/etc/hostname openat:/nonexistent-uringaudit
P=$(drv pid)
FD=$(drv res 1)
if wait_count ".pid==$P and .op==\"openat\"" 2; then
	r=$(recs ".pid==$P and .user_data==\"0x1\"")
	check_eq openat_success "$(jq -r '[.success,.exit,.cqe,.ctx,.name,.dfd,.tid,.comm]|@tsv' <<<"$r")" \
		"$(printf 'true\t%s\tposted\ttask\t/etc/hostname\t-100\t%s\turing_driver' "$FD" "$P")" &&
		check_eq openat_success "$(jq -r .exe <<<"$r")" "$UA_TOP/$UA_BUILD/tests/uring_driver" &&
		ok openat_success
	r=$(recs ".pid==$P and .user_data==\"0x2\"")
	check_eq openat_enoent "$(jq -r '[.success,.exit,.name]|@tsv' <<<"$r")" \
		"$(printf 'false\t-2\t/nonexistent-uringaudit')" && ok openat_enoent
else
	fail openat_success "no records for pid $P"
	fail openat_enoent "no records for pid $P"
fi

# As uid 1000: the root-only file fails with -EACCES and the ids are 1000.
drive --setuid 1000 openat:/etc/shadow
P=$(drv pid)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	check_eq openat_eacces_uid "$(field ".pid==$P" '[.exit,.uid,.euid,.fsuid,.gid,.cred]|@tsv')" \
		"$(printf -- '-13\t1000\t1000\t1000\t1000\ttask')" && ok openat_eacces_uid
else
	fail openat_eacces_uid "no record for pid $P"
fi

# --- close, unlinkat, renameat, mkdirat --------------------------------------
: >"$W/victim"
: >"$W/old"
drive openat:/etc/hostname close:last unlinkat:"$W/victim" renameat:"$W/old":"$W/new" \
	mkdirat:"$W/dir":0750 unlinkat:"$W/victim"
P=$(drv pid)
FD=$(drv res 1)
if wait_count ".pid==$P" 6; then
	check_eq close "$(field ".pid==$P and .op==\"close\"" '[.exit,.fd]|@tsv')" \
		"$(printf '0\t%s' "$FD")" && ok close
	check_eq unlinkat "$(field ".pid==$P and .op==\"unlinkat\"" '[.exit,.name]|@tsv' | tr '\n' ' ')" \
		"$(printf '0\t%s -2\t%s ' "$W/victim" "$W/victim")" && ok unlinkat
	check_eq renameat "$(field ".pid==$P and .op==\"renameat\"" '[.exit,.name,.name2]|@tsv')" \
		"$(printf '0\t%s\t%s' "$W/old" "$W/new")" && [ -e "$W/new" ] && ok renameat
	check_eq mkdirat "$(field ".pid==$P and .op==\"mkdirat\"" '[.exit,.name,.mode]|@tsv')" \
		"$(printf '0\t%s\t%d' "$W/dir" $((8#750)))" && ok mkdirat
else
	for n in close unlinkat renameat mkdirat; do fail $n "expected 6 records for pid $P"; done
fi

# --- symlinkat, linkat, openat2 -------------------------------------------------
: >"$W/target"
drive symlinkat:"$W/target":"$W/sym" linkat:"$W/target":"$W/hard" openat2:"$W/sym":0x20000
P=$(drv pid)
if wait_count ".pid==$P" 3; then
	check_eq symlinkat_linkat_openat2 \
		"$(field ".pid==$P and .op==\"symlinkat\"" '[.exit,.name,.name2,.dfd2]|@tsv')" \
		"$(printf '0\t%s\t%s\t-100' "$W/target" "$W/sym")" &&
		check_eq symlinkat_linkat_openat2 \
			"$(field ".pid==$P and .op==\"linkat\"" '[.exit,.name,.name2]|@tsv')" \
			"$(printf '0\t%s\t%s' "$W/target" "$W/hard")" &&
		check_eq symlinkat_linkat_openat2 \
			"$(field ".pid==$P and .op==\"openat2\"" '[.exit,.name,.flags,.resolve]|@tsv')" \
			"$(printf '%s\t%s\t%d\t0' "$(drv res 3)" "$W/sym" $((0x20000 | 0x8000)))" &&
		ok symlinkat_linkat_openat2
else
	fail symlinkat_linkat_openat2 "expected 3 records for pid $P"
fi

# --- SQPOLL: no system call submits; the SQ thread issues -------------------
drive --sqpoll openat:/etc/hostname
P=$(drv pid)
FD=$(drv res 1)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	r=$(recs ".pid==$P and .op==\"openat\"")
	tid=$(jq -r .tid <<<"$r")
	check_eq sqpoll_ctx "$(jq -r '[.ctx,.exit,.cred]|@tsv' <<<"$r")" \
		"$(printf 'sqpoll\t%s\tsqpoll' "$FD")" &&
		{ [ "$tid" != "$P" ] || { fail sqpoll_ctx "tid should be the SQ thread"; false; }; } &&
		ok sqpoll_ctx
else
	fail sqpoll_ctx "no record for pid $P"
fi

# Root sets up the ring, drops to 1000, then opens a root-only file: the SQ
# thread still has root's creds, and the record says so.
drive --sqpoll --setuid 1000 openat:/etc/shadow
P=$(drv pid)
FD=$(drv res 1)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	check_eq sqpoll_creds \
		"$(field ".pid==$P" '[.ctx,.exit,.uid,.euid,.cred,.eff_uid,.eff_euid,.eff_fsuid]|@tsv')" \
		"$(printf 'sqpoll\t%s\t1000\t1000\tsqpoll\t0\t0\t0' "$FD")" && ok sqpoll_creds
else
	fail sqpoll_creds "no record for pid $P"
fi

# --- io-wq: IOSQE_ASYNC gives one record, ctx=iowq ---------------------------
drive openat:/etc/hostname+async unlinkat:"$W/nonexistent"+async openat:/etc/hostname
P=$(drv pid)
if wait_count ".pid==$P" 3; then
	check_eq iowq_async_one_record \
		"$(recs ".pid==$P" | jq -r '[.user_data,.op,.ctx,.exit]|@tsv' | sort | tr '\n' ' ')" \
		"$(printf '0x1\topenat\tiowq\t%s 0x2\tunlinkat\tiowq\t-2 0x3\topenat\ttask\t%s ' \
			"$(drv res 1)" "$(drv res 3)")" && ok iowq_async_one_record
else
	fail iowq_async_one_record "expected 3 records for pid $P"
fi

# --- personality --------------------------------------------------------------
drive --register-personality --setuid 1000 openat:/etc/shadow+pers openat:/etc/shadow+persid=9
P=$(drv pid)
ID=$(drv personality)
FD=$(drv res 1)
if wait_count ".pid==$P" 2; then
	check_eq personality \
		"$(field ".pid==$P and .user_data==\"0x1\"" '[.exit,.uid,.cred,.personality,.eff_uid,.eff_fsuid]|@tsv')" \
		"$(printf '%s\t1000\tpersonality\t%s\t0\t0' "$FD" "$ID")" && ok personality
	check_eq personality_invalid \
		"$(field ".pid==$P and .user_data==\"0x2\"" '[.exit,.success,.personality,(.req_flags|index("initfail")!=null)]|@tsv')" \
		"$(printf -- '-22\tfalse\t9\ttrue')" && ok personality_invalid
else
	fail personality "expected 2 records for pid $P"
	fail personality_invalid "expected 2 records for pid $P"
fi

# --- IOSQE_CQE_SKIP_SUCCESS: no CQE, still one record ------------------------
drive openat:/etc/hostname+skip
P=$(drv pid)
# The request ends without any event; the record is written once the
# process is gone.
if wait_count ".pid==$P" 1; then
	check_eq cqe_skip "$(field ".pid==$P" '[.cqe,(.success|tostring),(.exit|tostring),.name,(.req_flags|index("skip")!=null)]|@tsv')" \
		"$(printf 'skipped\tnull\tnull\t/etc/hostname\ttrue')" &&
		check_eq cqe_skip "$(count ".pid==$P")" 1 && ok cqe_skip
else
	fail cqe_skip "no record for pid $P"
fi

# --- a link chain whose head fails: the rest are cancelled ------------------
drive link_fail:/nonexistent-uringaudit
P=$(drv pid)
if wait_count ".pid==$P" 3; then
	check_eq link_fail_cancelled \
		"$(recs ".pid==$P" | jq -r '[.seq,.op,.exit,.user_data]|@tsv' | sort -n | cut -f2- | tr '\n' ' ')" \
		"$(printf 'openat\t-2\t0x4242 openat\t-125\t0x4242 unlinkat\t-125\t0x4242 ')" &&
		ok link_fail_cancelled
else
	fail link_fail_cancelled "expected 3 records for pid $P"
fi

# --- NOP, READ, WRITE are not selected: no record ---------------------------
# The final openat is a marker: records arrive in order, so once it is there
# anything from the ops before it would be too.
drive nop:1000 read:/etc/hostname write:"$W/written" readn:/etc/hostname:100 \
	openat:"$W/marker":0x41
P=$(drv pid)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	check_eq unselected_ops_no_record "$(count ".pid==$P and .op!=\"openat\"")" 0 &&
		ok unselected_ops_no_record
else
	fail unselected_ops_no_record "marker record missing for pid $P"
fi

# --- CQ overflow: every request still recorded once --------------------------
drive --cq 16 overflow:200
P=$(drv pid)
if wait_count ".pid==$P" 200; then
	n=$(count ".pid==$P")
	novf=$(count ".pid==$P and .cqe==\"overflow\"")
	bad=$(count ".pid==$P and .success!=true")
	uniq=$(recs ".pid==$P" | jq -r .user_data | sort -u | wc -l)
	# The per-op backend records a result at its handler's exit, before
	# the CQE is posted: an overflowed one says cqe=posted (SECURITY.md).
	want_ovf=1
	[ "$("$UA" status --json --socket "$UA_TMP/sock" | jq -r .backend)" = perop ] && want_ovf=0
	if [ "$n" = 200 ] && [ "$uniq" = 200 ] && { [ "$novf" -gt 0 ] || [ $want_ovf = 0 ]; } &&
		[ "$bad" = 0 ]; then
		ok overflow
	else
		fail overflow "records=$n unique=$uniq overflow=$novf failed=$bad"
	fi
else
	fail overflow "expected 200 records for pid $P, got $(count ".pid==$P")"
fi

# --- registered ring fd, real fd closed ---------------------------------------
drive --register-ring-fd openat:/etc/hostname openat:/etc/hostname
P=$(drv pid)
if wait_count ".pid==$P" 2; then
	check_eq registered_ring_fd "$(recs ".pid==$P" | jq -r .ring | sort -u | wc -l)" 1 &&
		check_eq registered_ring_fd "$(grep -c ring_fd_closed=1 "$UA_TMP/drv.out")" 1 &&
		ok registered_ring_fd
else
	fail registered_ring_fd "expected 2 records for pid $P"
fi

# --- hostile strings: bytes survive, one line per record ----------------------
# A path with space, quote, newline, '=', 0x01, 0x7f and 0xff; a comm with 0xff
# and a newline.
HOSTILE=$(printf '%s/a "b\n=c\001\177\377' "$W" | od -An -tx1 | tr -d ' \n')
COMM=6869ff0a6869
drive --comm "@hex:$COMM" openat:"@hex:$HOSTILE":0x41
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	got_name=$(field ".pid==$P" '.name|explode|map(.)|@sh')
	want_name=$(printf '%s' "$HOSTILE" | sed 's/../0x& /g' | xargs printf '%d ' | sed 's/ $//')
	got_comm=$(field ".pid==$P" '.comm|explode|map(.)|@sh')
	want_comm=$(printf '%s' "$COMM" | sed 's/../0x& /g' | xargs printf '%d ' | sed 's/ $//')
	# One snapshot for both counts, taken when the log ends a line: the
	# daemon keeps writing other processes' records meanwhile.
	snap=$UA_TMP/log.snap
	wait_for eval '[ -z "$(tail -c1 "$UA_LOG")" ]'
	cp "$UA_LOG" "$snap"
	lines=$(grep -c . "$snap")
	parsed=$(jq -c . "$snap" | wc -l)
	check_eq hostile_strings "$got_name" "$want_name" &&
		check_eq hostile_strings "$got_comm" "$want_comm" &&
		check_eq hostile_strings "$parsed" "$lines" && ok hostile_strings
else
	fail hostile_strings "no record for pid $P"
fi

# --- a path of 4000 bytes, as the kernel copied it ----------------------------------
LONG=$W
while [ ${#LONG} -lt 3900 ]; do LONG=$LONG/$(printf 'd%.0s' $(seq 200)); done
mkdir -p "$LONG"
LONG=$LONG/file
drive openat:"$LONG":0x41
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	got=$(field ".pid==$P" '.name')
	check_eq long_path "${#got} $(field ".pid==$P" '.name_truncated // false')" "${#LONG} false" &&
		check_eq long_path "$got" "$LONG" && ok long_path
else
	fail long_path "no record for pid $P"
fi

# --- fixed files: opened into a slot, closed by slot; nothing in /proc/PID/fd ------------
drive openat_direct:/etc/hostname close_direct:last
P=$(drv pid)
SLOT=$(drv slot 1)
if wait_count ".pid==$P" 2; then
	check_eq fixed_file_slot \
		"$(recs ".pid==$P" | jq -r '[.op,.exit,(.slot|tostring),(.name // "-")]|@tsv' | tr '\n' ' ')" \
		"$(printf 'openat\t%s\talloc\t/etc/hostname close\t0\t%s\t- ' "$SLOT" "$SLOT")" &&
		ok fixed_file_slot
else
	fail fixed_file_slot "expected 2 records for pid $P"
fi

# --- a thread flips the path buffer while opens are submitted: the record names
# the file the kernel opened (the driver knows which from fstat). An open that
# caught the buffer half-flipped fails with -ENOENT: its record must show that
# torn name (neither whole path), never one of the two files.
echo a >"$W/race_aaaa"
echo b >"$W/race_bbbb"
drive race:"$W/race_aaaa":"$W/race_bbbb":300
P=$(drv pid)
if wait_count ".pid==$P" 300; then
	want=$(grep '^req op=openat' "$UA_TMP/drv.out" | while read -r line; do
		u=$(grep -o 'user_data=[0-9]*' <<<"$line" | cut -d= -f2)
		w=$(grep -o 'which=[ab]' <<<"$line" | cut -d= -f2)
		if [ -n "$w" ]; then
			printf '0x%x %s\n' "$u" "$W/race_$w$w$w$w"
		else
			printf '0x%x torn %s\n' "$u" "$(grep -o 'res=-[0-9]*' <<<"$line" | cut -d= -f2)"
		fi
	done | sort)
	got=$(recs ".pid==$P" | jq -r --arg a "$W/race_aaaa" --arg b "$W/race_bbbb" \
		'if .success then "\(.user_data) \(.name)"
		 elif (.name != $a and .name != $b) then "\(.user_data) torn \(.exit)"
		 else "\(.user_data) LIE \(.name) \(.exit)" end' | sort)
	if [ "$want" = "$got" ] && [ "$(wc -l <<<"$want")" = 300 ]; then
		ok race_path
	else
		fail race_path "records and opened files differ: $(diff <(echo "$want") <(echo "$got") | head -5)"
	fi
else
	fail race_path "expected 300 records for pid $P"
fi

# --- a process gone before the consumer reads: exe still named ---------------
cp "$DRV" "$W/short lived"
"$W/short lived" openat:/etc/hostname >"$UA_TMP/drv.out" 2>&1
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	check_eq exe_short_lived "$(field ".pid==$P" .exe)" "$W/short lived" && ok exe_short_lived
else
	fail exe_short_lived "no record for pid $P"
fi

# --- auid and session: set by login (here: a write to /proc/self/loginuid) ----------
if sh -c 'echo 1234 >/proc/self/loginuid' 2>/dev/null; then
	sh -c 'echo 1234 >/proc/self/loginuid && cat /proc/self/sessionid >"$1" &&
		exec "$2" openat:/etc/hostname' sh "$UA_TMP/ses" "$DRV" >"$UA_TMP/drv.out" 2>&1
	P=$(drv pid)
	if wait_count ".pid==$P" 1; then
		check_eq auid_ses "$(field ".pid==$P" '[.auid,.ses]|@tsv')" \
			"$(printf '1234\t%s' "$(cat "$UA_TMP/ses")")" && ok auid_ses
	else
		fail auid_ses "no record for pid $P"
	fi
else
	skip auid_ses "cannot set /proc/self/loginuid here (no CAP_AUDIT_CONTROL or immutable)"
fi

# --- status -------------------------------------------------------------------
# Nothing of this script's lost. The daemon records every process on the
# machine, so a flood of another test running at the same time may cost its
# own events: accepted only once every lost event is declared in URING_LOST
# records (one per submitter and second), each naming its submitter, and none
# names this script's driver.
st() { "$UA" status --json --socket "$UA_TMP/sock"; }
declared() { local s; s=$(st) && [ "$(jq -r .lost <<<"$s")" = "$(jq -r .lost_declared <<<"$s")" ]; }
wait_for declared
st=$(st)
rec=$(jq -r .recorded <<<"$st")
lost=$(jq -r .lost <<<"$st")
lostrecs=$(jq -c 'select(.type=="URING_LOST")' "$UA_LOG" 2>/dev/null)
named=$(jq -s '[.[] | select(.pid != null) | .lost] | add // 0' <<<"$lostrecs")
ours=$(jq -s '[.[] | select(.comm == "uring_driver" or .pid == null)] | length' <<<"$lostrecs")
if [ -n "$rec" ] && [ "$rec" -gt 200 ] && [ "$lost" = 0 ] &&
	[ "$(jq -r .lost_declared <<<"$st")" = 0 ]; then
	ok status_counters
elif [ -n "$rec" ] && [ "$rec" -gt 200 ] && [ "$lost" -gt 0 ] && [ "$named" = "$lost" ] &&
	[ "$ours" = 0 ]; then
	echo "# status_counters: $lost events of other processes lost: $(jq -c .top_droppers <<<"$st")"
	ok status_counters
else
	fail status_counters "status: $st; URING_LOST: named $named, of the driver or unattributed $ours"
fi

ua_stop
