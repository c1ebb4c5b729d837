#!/usr/bin/env bash
# renameat and the file its new name named: replaced (replaced=yes and the
# replaced_ object), nothing there (replaced=none), RENAME_NOREPLACE over a
# file (fails with EEXIST: none), RENAME_EXCHANGE (both survive:
# replaced=exchanged, the object the file that had the new name). Seen by
# the rename hooks (fentry on io_renameat and security_path_rename), which
# load where the kernel allows function tracing (the 6.1 and 6.12 guests);
# where they do not (this project's 6.18 host), the start says
# degraded=rename and a rename that succeeded says replaced=unknown.
. "$(dirname "$0")/lib.sh"

CASES=(rename_replaced rename_free rename_noreplace rename_exchange rename_unknown)
ua_require "${CASES[@]}"

W=$UA_TMP/work
mkdir -p "$W"
chmod 755 "$W"
RULES=$UA_TMP/rename.rules
# only the driver's renames: other developers' processes are not ours. The
# first rule matches a rename that replaces a root-owned file (obj_uid= of
# the replaced file, decided at completion); the second every other.
cat >"$RULES" <<EOF
-a always,io_uring -S renameat -F exe=$DRV -F obj_uid=0 -k root-victim
-a always,io_uring -S renameat -F exe=$DRV -k ren
EOF
chmod 600 "$RULES"
ua_start --rules "$RULES" || {
	for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done
	exit 0
}

devstr() { # dev as records print it (hex major:minor) of FILE
	local d
	d=$(stat -c '%d' "$1")
	printf '%02x:%02x' $(((d >> 8) & 0xfff)) $(((d & 0xff) | ((d >> 12) & 0xfff00)))
}
REC='[.exit,.replaced,.replaced_type,.replaced_path,.replaced_dev,.replaced_ino,.replaced_mode,.replaced_uid,.replaced_gid]|@tsv'
# the start record's degraded= words
DEGRADED=$(jq -r 'select(.type=="URING_DAEMON" and .op=="start") | .degraded // ""' "$UA_LOG" | head -1)
if [[ ,$DEGRADED, == *,rename,* ]]; then
	WHY=$(sed -n 's/.*replaced is not seen (\(.*\)): those records.*/\1/p' "$UA_TMP/daemon.err" | head -1)
	for n in rename_replaced rename_free rename_noreplace rename_exchange; do
		skip "$n" "the rename hooks do not load here: ${WHY:-degraded=rename}"
	done
	# Without the hooks a rename that succeeded says replaced=unknown, one
	# that failed replaced=none; neither has a replaced_ object.
	echo v >"$W/u_new"
	echo s >"$W/u_src"
	drive renameat:"$W/u_src":"$W/u_new" renameat:"$W/u_missing":"$W/u_x"
	P=$(drv pid)
	if wait_count ".pid==$P" 2; then
		check_eq rename_unknown "$(recs ".pid==$P" | jq -r '[.exit,.replaced,.replaced_type,.key]|@tsv' | LC_ALL=C sort | tr '\n' ' ')" \
			"$(printf '%s\t%s\t\t%s %s\t%s\t\t%s ' -2 none ren 0 unknown ren)" &&
			check_eq rename_unknown "$(jq -r 'select(.type=="URING_DAEMON" and .op=="start") | .degraded' "$UA_LOG" | head -1 | tr ',' '\n' | grep -c '^rename$')" 1 &&
			ok rename_unknown
	else
		fail rename_unknown "no records for pid $P"
	fi
	ua_stop
	exit 0
fi
skip rename_unknown "the rename hooks load here (degraded=${DEGRADED:-nothing}): no record says unknown"

# --- over an existing root-owned file: replaced=yes, the file it replaced ----
echo old >"$W/victim"
chown 0:7 "$W/victim"
chmod 640 "$W/victim"
INO=$(stat -c %i "$W/victim")
DEV=$(devstr "$W/victim")
echo new >"$W/src"
drive renameat:"$W/src":"$W/victim"
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	check_eq rename_replaced "$(count ".pid==$P")" 1 &&
		check_eq rename_replaced "$(field ".pid==$P" "$REC")" \
			"$(printf '0\tyes\tfile\t%s\t%s\t%s\t33184\t0\t7' "$W/victim" "$DEV" "$INO")" &&
		check_eq rename_replaced "$(field ".pid==$P" '[.name,.name2,.key,.uid,.replaced_deleted]|@tsv')" \
			"$(printf '%s\t%s\troot-victim\t0\t' "$W/src" "$W/victim")" &&
		check_eq rename_replaced "$(cat "$W/victim")" new &&
		ok rename_replaced
else
	fail rename_replaced "no record for pid $P"
fi

# --- onto a free name: nothing replaced ---------------------------------------
echo f >"$W/free_src"
drive renameat:"$W/free_src":"$W/free_dst"
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	check_eq rename_free "$(field ".pid==$P" "$REC")" "$(printf '0\tnone\t\t\t\t\t\t\t')" &&
		check_eq rename_free "$(field ".pid==$P" '.key')" ren &&
		ok rename_free
else
	fail rename_free "no record for pid $P"
fi

# --- RENAME_NOREPLACE over a file: EEXIST, nothing replaced --------------------
echo a >"$W/nr_src"
echo b >"$W/nr_dst"
drive renameat:"$W/nr_src":"$W/nr_dst":1
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	check_eq rename_noreplace "$(field ".pid==$P" "$REC")" "$(printf -- '-17\tnone\t\t\t\t\t\t\t')" &&
		check_eq rename_noreplace "$(field ".pid==$P" '[.flags,.key]|@tsv')" "$(printf '1\tren')" &&
		check_eq rename_noreplace "$(cat "$W/nr_dst")" b &&
		ok rename_noreplace
else
	fail rename_noreplace "no record for pid $P"
fi

# --- RENAME_EXCHANGE: both survive; the object is the file name2 named --------
echo x >"$W/ex_a"
echo y >"$W/ex_b"
chown 4242:4243 "$W/ex_b"
chmod 600 "$W/ex_b"
INO=$(stat -c %i "$W/ex_b")
DEV=$(devstr "$W/ex_b")
drive renameat:"$W/ex_a":"$W/ex_b":2
P=$(drv pid)
if wait_count ".pid==$P" 1; then
	check_eq rename_exchange "$(field ".pid==$P" "$REC")" \
		"$(printf '0\texchanged\tfile\t%s\t%s\t%s\t33152\t4242\t4243' "$W/ex_b" "$DEV" "$INO")" &&
		check_eq rename_exchange "$(stat -c %i "$W/ex_a")" "$INO" &&
		check_eq rename_exchange "$(field ".pid==$P" '.key')" ren &&
		ok rename_exchange
else
	fail rename_exchange "no record for pid $P"
fi

ua_stop
