#!/usr/bin/env bash
# Attacks on the records themselves (issue 10, ../shared/THREATS.md 16-20, 22):
# each case drives the technique with tests/progs/ua_attack (or the driver)
# and checks the attacked record field by field against what user space saw.
# A record that lies fails the case; so does a missing or a doubled one.
. "$(dirname "$0")/lib.sh"

ATK=$UA_TOP/$UA_BUILD/tests/ua_attack
CASES=(overflow_ud_clash overflow_ud_zero overflow_objects_rules overflow_read_path_rule overflow_read_iowq
	skip_slot_reuse pending_flood_futex pending_uid_quota thread_auid ring_ids_unique
	sqpoll_then_iowq skip_exit_then_stop unknown_result_rule failed_fd_op_names_fd mntns_bind_mount
	path_spellings path_bind_open dir_bind_inode mntns_pivot_root)
ua_require "${CASES[@]}"
[ -x "$ATK" ] || { for n in "${CASES[@]}"; do skip "$n" "not built: $ATK"; done; exit 0; }

# ua_attack's output, like the driver's: $UA_TMP/atk.out
attack() {
	"$ATK" "$@" >"$UA_TMP/atk.out" 2>"$UA_TMP/atk.err"
	local rc=$?
	[ $rc -eq 0 ] || { echo "ua_attack failed ($rc): $*" >&2; cat "$UA_TMP/atk.err" >&2; }
	return $rc
}
atk() { grep -o "\b$1=[^ ]*" "$UA_TMP/atk.out" | sed -n "${2:-1}p" | cut -d= -f2-; }
rules_file() { # NAME LINE... -> path of a root-owned rules file
	local f=$UA_TMP/$1.rules
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}
restart() {
	ua_stop >/dev/null 2>&1
	: >"$UA_LOG"
	ua_start "$@"
}
# ADV_ONLY="case ..." runs only the sections holding those cases (debugging).
want() { [ -z "${ADV_ONLY:-}" ] && return 0; local n; for n in "$@"; do [[ " $ADV_ONLY " == *" $n "* ]] && return 0; done; return 1; }
fail_all() { local n; for n in "$@"; do fail "$n" "daemon did not start: $(tail -1 "$UA_TMP/daemon.err")"; done; }
# The cqe= an overflowed request's record carries: the per-op backend takes
# the result at its handler's exit, before the CQE is posted, and says
# cqe=posted (SECURITY.md); the overflow is then proven by the attacker
# itself (the kernel's IORING_SQ_CQ_OVERFLOW) or not required.
ovf_cqe() { [ "$("$UA" status --json --socket "$UA_TMP/sock" | jq -r .backend)" = perop ] && echo posted || echo overflow; }

# --- 16: forging by CQ overflow ----------------------------------------------
# A read of fd -1 (not even selected) and an open of /etc/shadow share one
# user_data; both CQEs overflow, the read's first. The open's record must keep
# its own result.
if ! want overflow_ud_clash overflow_ud_zero; then :
elif restart; then
	if attack ud_clash /etc/shadow; then
		P=$(atk pid)
		FD=$(grep 'op=openat' "$UA_TMP/atk.out" | grep -o 'res=[-0-9]*' | cut -d= -f2)
		if wait_count ".pid==$P and .op==\"openat\"" 1; then
			check_eq overflow_ud_clash "$(field ".pid==$P and .op==\"openat\"" \
				'[.success,.exit,.cqe,.user_data,.new_path]|@tsv')" \
				"$(printf 'true\t%s\t%s\t0x5ec\t/etc/shadow' "$FD" "$(ovf_cqe)")" &&
				check_eq overflow_ud_clash "$(count ".pid==$P")" 1 && ok overflow_ud_clash
		else
			fail overflow_ud_clash "no openat record for pid $P"
		fi
	else
		fail overflow_ud_clash "ua_attack ud_clash failed"
	fi

	# 200 opens, user_data 0 for all, into an 8-entry CQ: every record has
	# its own open's fd and file, none is lost to a guess.
	if attack ud_zero 200 /etc/hostname; then
		P=$(atk pid)
		want=$(grep -o 'res=[-0-9]*' "$UA_TMP/atk.out" | cut -d= -f2 | sort -n | tr '\n' ' ')
		if wait_count ".pid==$P" 200; then
			got=$(recs ".pid==$P" | jq -r .exit | sort -n | tr '\n' ' ')
			nov=$(count ".pid==$P and .cqe==\"overflow\"")
			bad=$(count ".pid==$P and (.new_path!=\"/etc/hostname\" or .success!=true)")
			check_eq overflow_ud_zero "$got" "$want" &&
				check_eq overflow_ud_zero "$(count ".pid==$P")/$bad" "200/0" &&
				{ [ "$nov" -gt 0 ] || [ "$(ovf_cqe)" = posted ] ||
					{ fail overflow_ud_zero "no CQE overflowed"; false; }; } &&
				ok overflow_ud_zero
		else
			fail overflow_ud_zero "expected 200 records for pid $P, got $(count ".pid==$P")"
		fi
	else
		fail overflow_ud_zero "ua_attack ud_zero failed"
	fi
else
	fail_all overflow_ud_clash overflow_ud_zero
fi

# --- 17: objects and completion-time rules under overflow ------------------
# read_ovf CASE [async]: a read of /etc/hostname whose CQE overflowed, recorded
# once under the path= rule with its own result, fd and path. The kernel must
# really have overflowed the CQE for the case to mean anything: the attack is
# made again, up to three times, until the attacker saw the kernel's
# IORING_SQ_CQ_OVERFLOW (ua_attack waits for it), else the case fails.
read_ovf() {
	local n=$1 try P N FD
	shift
	for try in 1 2 3; do
		attack read_overflow /etc/hostname "$@" || { fail "$n" "ua_attack read_overflow failed"; return; }
		[ "$(atk overflowed)" = 1 ] && break
	done
	[ "$(atk overflowed)" = 1 ] || { fail "$n" "the read's CQE did not overflow in three tries"; return; }
	P=$(atk pid)
	N=$(grep 'op=read' "$UA_TMP/atk.out" | grep -o 'res=[-0-9]*' | cut -d= -f2)
	FD=$(atk fd)
	if wait_count ".pid==$P and .op==\"read\"" 1; then
		check_eq "$n" "$(field ".pid==$P and .op==\"read\"" '[.key,.exit,.cqe,.fd,.file_path]|@tsv')" \
			"$(printf 'rd\t%s\t%s\t%s\t/etc/hostname' "$N" "$(ovf_cqe)" "$FD")" &&
			check_eq "$n" "$(count ".pid==$P")" 1 && ok "$n"
	else
		fail "$n" "the overflowed read of /etc/hostname was not recorded"
	fi
}
R=$(rules_file ovf '-a always,io_uring -S read -F path=/etc/hostname -k rd' \
	'-a always,io_uring -S openat -F obj_uid=0 -F success=1 -k own')
if ! want overflow_read_path_rule overflow_read_iowq overflow_objects_rules; then :
elif restart --rules "$R"; then
	read_ovf overflow_read_path_rule
	# The same read run and completed by an io-wq worker (IOSQE_ASYNC): on
	# 6.1 and 6.12 the worker posts its CQE itself, outside the completion
	# list the overflow program walks.
	read_ovf overflow_read_iowq async
	if attack ud_zero 12 /etc/hostname; then
		P=$(atk pid)
		if wait_count ".pid==$P" 12; then
			check_eq overflow_objects_rules "$(count ".pid==$P and .key==\"own\" and .new_uid==0 and .new_path==\"/etc/hostname\" and .success==true")" 12 &&
				{ [ "$(count ".pid==$P and .cqe==\"overflow\"")" -gt 0 ] || [ "$(ovf_cqe)" = posted ] ||
					{ fail overflow_objects_rules "no CQE overflowed"; false; }; } &&
				ok overflow_objects_rules
		else
			fail overflow_objects_rules "expected 12 records (obj_uid=0 success=1), got $(count ".pid==$P")"
		fi
	else
		fail overflow_objects_rules "ua_attack ud_zero failed"
	fi
else
	fail_all overflow_read_path_rule overflow_read_iowq overflow_objects_rules
fi

# --- 18: a skipped request and a declined one in the same slot -------------
R=$(rules_file skip '-a never,io_uring -S openat -F dir=/proc' '-a always,io_uring -S all')
if ! want skip_slot_reuse; then :
elif restart --rules "$R"; then
	if attack skip_reuse /etc/shadow /proc/nonexistent-uringaudit; then
		P=$(atk pid)
		# The NOPs are recorded (-S all): once the second is there, a record
		# of the declined open would be too.
		if wait_count ".pid==$P and .op==\"nop\"" 1 && wait_count ".pid==$P and .op==\"openat\"" 1; then
			check_eq skip_slot_reuse "$(field ".pid==$P and .op==\"openat\"" \
				'[.name,.cqe,(.success|tostring),(.exit|tostring),.ctx,.user_data]|@tsv')" \
				"$(printf '/etc/shadow\tskipped\tnull\tnull\ttask\t0x1')" &&
				check_eq skip_slot_reuse "$(count ".pid==$P and .op==\"openat\"")" 1 &&
				ok skip_slot_reuse
		else
			fail skip_slot_reuse "no record of the skipped open for pid $P"
		fi
	else
		fail skip_slot_reuse "ua_attack skip_reuse failed"
	fi
else
	fail_all skip_slot_reuse
fi

# --- 19: exhausting pending state --------------------------------------------
# A victim's accept is pending; an unprivileged process floods. The victim's
# record must still carry its own result, the flooder's own too.
st() { "$UA" status --json --socket "$UA_TMP/sock"; }
victim_start() { # -> coproc V (ua_attack accept_one), its pid in VP, port in VPORT
	coproc V { exec "$ATK" accept_one 2>"$UA_TMP/victim.err"; }
	VP=$! VPORT=
	local line
	while IFS= read -r -t "$UA_TIMEOUT" line <&"${V[0]}"; do
		echo "$line" >>"$UA_TMP/victim.out"
		case "$line" in port=*) VPORT=${line#port=}; break ;; esac
	done
	[ -n "$VPORT" ]
}
victim_connect() { # connect to the victim's accept, then collect its output
	exec 5<>"/dev/tcp/127.0.0.1/$VPORT"
	cat <&"${V[0]}" >>"$UA_TMP/victim.out"
	exec 5>&-
	wait "$VP" 2>/dev/null
	VFD=$(grep 'op=accept' "$UA_TMP/victim.out" | grep -o 'res=[-0-9]*' | cut -d= -f2)
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

if ! want pending_flood_futex; then :
elif ! ua_need_kernel IORING_OP_FUTEX_WAIT "IORING_OP_FUTEX_WAIT (Linux 6.7)" pending_flood_futex; then :
elif restart; then
	: >"$UA_TMP/victim.out"
	if victim_start; then
		# 140,000 futex waits (twice the table) as nobody (selected by the default rules, they
		# never complete), held until told to open a file of its own.
		coproc F { exec setpriv --reuid=65534 --regid=65534 --clear-groups "$ATK" futex_flood 140000 /etc/hostname 2>"$UA_TMP/flood.err"; }
		FP=$!
		IFS= read -r -t "$UA_TIMEOUT" l1 <&"${F[0]}"
		IFS= read -r -t "$UA_TIMEOUT" l2 <&"${F[0]}"
		if [ "$l2" = "waits submitted=140000" ]; then
			victim_connect
			echo go >&"${F[1]}"
			IFS= read -r -t "$UA_TIMEOUT" l3 <&"${F[0]}"
			wait "$FP" 2>/dev/null
			FFD=$(grep -o 'res=[-0-9]*' <<<"$l3" | cut -d= -f2)
			if wait_count ".pid==$VP and .op==\"accept\"" 1 &&
				wait_count ".pid==$FP and .op==\"openat\"" 1; then
				check_eq pending_flood_futex "$(field ".pid==$VP and .op==\"accept\"" '[.exit,.cqe]|@tsv')" \
					"$(printf '%s\tposted' "$VFD")" &&
					check_eq pending_flood_futex "$(field ".pid==$FP and .op==\"openat\"" '[.exit,.cqe,.uid]|@tsv')" \
						"$(printf '%s\tposted\t65534' "$FFD")" &&
					ok pending_flood_futex
			else
				fail pending_flood_futex "victim accept ($VP) or flooder open ($FP) not recorded"
			fi
		else
			fail pending_flood_futex "flood did not start: '$l1' '$l2' $(cat "$UA_TMP/flood.err")"
			kill "$FP" 2>/dev/null
		fi
	else
		fail pending_flood_futex "victim did not listen: $(cat "$UA_TMP/victim.err")"
	fi
else
	fail_all pending_flood_futex
fi

# One uid may hold at most --pending-per-uid waiting requests: the rest of its
# flood is recorded at once, marked, and cannot take another uid's room.
if ! want pending_uid_quota; then :
elif restart --pending-per-uid 1000; then
	: >"$UA_TMP/victim.out"
	coproc A { exec setpriv --reuid=65534 --regid=65534 --clear-groups "$ATK" accept_flood 1500 2>"$UA_TMP/aflood.err"; }
	AP=$!
	IFS= read -r -t 60 a1 <&"${A[0]}"
	IFS= read -r -t 60 a2 <&"${A[0]}"
	if [ "$a2" = "accepts submitted=1500" ] && victim_start; then
		victim_connect
		if wait_count ".pid==$VP and .op==\"accept\"" 1 && wait_count ".pid==$AP" 500; then
			nq=$(count ".pid==$AP and .cqe==\"untracked\" and .untracked==\"uid_quota\" and .uid==65534")
			check_eq pending_uid_quota "$(field ".pid==$VP and .op==\"accept\"" '[.exit,.cqe]|@tsv')" \
				"$(printf '%s\tposted' "$VFD")" &&
				check_eq pending_uid_quota "$nq" 500 &&
				check_eq pending_uid_quota "$(st | jq -r .untracked)" 500 &&
				ok pending_uid_quota
		else
			fail pending_uid_quota "victim accept or the 500 untracked records missing ($(count ".pid==$AP"))"
		fi
	else
		fail pending_uid_quota "flood or victim did not start: '$a1' '$a2' $(cat "$UA_TMP/aflood.err" "$UA_TMP/victim.err")"
	fi
	exec {A[1]}>&-
	wait "$AP" 2>/dev/null
else
	fail_all pending_uid_quota
fi

# --- auid/ses are the submitting thread's, as in kernel audit ----------------
if ! want thread_auid ring_ids_unique sqpoll_then_iowq skip_exit_then_stop; then :
elif restart; then
	if attack thread_auid /etc/hostname 4242; then
		P=$(atk pid)
		T=$(atk tid)
		if wait_count ".pid==$P and .op==\"openat\"" 1; then
			check_eq thread_auid "$(field ".pid==$P and .op==\"openat\"" '[.tid,.auid]|@tsv')" \
				"$(printf '%s\t4242' "$T")" && ok thread_auid
		else
			fail thread_auid "no record for pid $P"
		fi
	elif grep -q "loginuid" "$UA_TMP/atk.err"; then
		skip thread_auid "this process may not set a thread's loginuid: $(cat "$UA_TMP/atk.err")"
	else
		fail thread_auid "ua_attack thread_auid failed"
	fi

	# --- ring ids: one per ring for its lifetime, never reused -----------
	if attack rings 30; then
		P=$(atk pid)
		if wait_for eval '[ "$(jq -c "select(.type==\"URING_SETUP\" and .pid==$P)" "$UA_LOG" | wc -l)" -ge 30 ]'; then
			ids=$(jq -r "select(.type==\"URING_SETUP\" and .pid==$P) | .ring" "$UA_LOG")
			check_eq ring_ids_unique "$(sort -u <<<"$ids" | wc -l)" 30 && ok ring_ids_unique
		else
			fail ring_ids_unique "expected 30 URING_SETUP records for pid $P"
		fi
	else
		fail ring_ids_unique "ua_attack rings failed"
	fi

	# --- 22: the SQ thread's request punted to io-wq keeps its origin ---
	drive --sqpoll openat:/etc/hostname+async
	P=$(drv pid)
	drive openat:/etc/hostname+async
	P2=$(drv pid)
	if wait_count ".pid==$P" 1 && wait_count ".pid==$P2" 1; then
		check_eq sqpoll_then_iowq "$(field ".pid==$P" '[.ctx,.submit]|@tsv') $(field ".pid==$P2" '[.ctx,.submit]|@tsv')" \
			"$(printf 'iowq\tsqpoll iowq\tsyscall')" && ok sqpoll_then_iowq
	else
		fail sqpoll_then_iowq "no records for pids $P $P2"
	fi

	# --- a skipped request of a process that is gone, then a stop --------
	drive openat:/etc/hostname+skip
	P=$(drv pid)
	ua_stop >/dev/null
	check_eq skip_exit_then_stop "$(field ".pid==$P" '[.cqe,(.success|tostring)]|@tsv')" \
		"$(printf 'skipped\tnull')" && check_eq skip_exit_then_stop "$(count ".pid==$P")" 1 &&
		ok skip_exit_then_stop
else
	fail_all thread_auid ring_ids_unique sqpoll_then_iowq skip_exit_then_stop
fi

# --- a result never seen is not a way around a rule --------------------------
# An accept still waiting at stop: its rule needs success=1, unknown. It is
# written, under that rule's key, its result marked unknown.
R=$(rules_file unk '-a always,io_uring -S accept -F success=1 -k acc' '-a always,io_uring -S read -k rd')
if ! want unknown_result_rule failed_fd_op_names_fd; then :
elif restart --rules "$R"; then
	: >"$UA_TMP/victim.out"
	if victim_start; then
		wait_for eval '[ "$(st | jq -r .pending)" -ge 1 ]'
		ua_stop >/dev/null
		check_eq unknown_result_rule "$(field ".pid==$VP and .op==\"accept\"" '[.key,.cqe,(.success|tostring)]|@tsv')" \
			"$(printf 'acc\tnone\tnull')" && ok unknown_result_rule
		exec 5<>"/dev/tcp/127.0.0.1/$VPORT"; exec 5>&-
		wait "$VP" 2>/dev/null
	else
		fail unknown_result_rule "victim did not listen"
	fi
	# A failed or cancelled read still names its descriptor.
	restart --rules "$R"
	if attack bad_fd_read 900; then
		P=$(atk pid)
		if wait_count ".pid==$P and .op==\"read\"" 2; then
			check_eq failed_fd_op_names_fd "$(recs ".pid==$P and .op==\"read\"" | jq -r '[.user_data,.exit,(.fd|tostring)]|@tsv' | sort | tr '\n' ' ')" \
				"$(printf '0x1\t-9\t900 0x3\t-125\t0 ')" && ok failed_fd_op_names_fd
		else
			fail failed_fd_op_names_fd "expected 2 read records for pid $P"
		fi
	else
		fail failed_fd_op_names_fd "ua_attack bad_fd_read failed"
	fi
else
	fail_all unknown_result_rule failed_fd_op_names_fd
fi

# --- 21: a bind mount in a mount namespace of its own ------------------------
# The read of /etc/hostname through a bind mount meets the path= rule (the
# file itself), and its record says the paths are another namespace's. An
# open is decided by the file it opened whatever its name spells (doubled
# slashes, /./, /proc/self/root, a dfd-relative name, a bind mount); dir= by
# the directory's inode among the file's ancestors.
mkdir -p "$UA_TMP/sec" "$UA_TMP/bind" "$UA_TMP/bind2"
echo secret >"$UA_TMP/sec/f"
R=$(rules_file ns '-a always,io_uring -S read -F path=/etc/hostname -k rd' \
	'-a always,io_uring -S openat,openat2 -F path=/etc/hostname -k ph' \
	"-a always,io_uring -S openat -F dir=$UA_TMP/sec -k dh" \
	"-a always,io_uring -S read -F dir=$UA_TMP/sec -k dr" \
	'-a always,io_uring -S openat -F path=/etc/shadow -k sh')
# in_ns SCRIPT ARGS...: sh -c SCRIPT in a private mount namespace, its
# inode printed first (mntns=); the driver's output in drv.out.
in_ns() {
	local script=$1
	shift
	unshare -m --propagation private sh -c \
		"stat -L -c 'mntns=%i' /proc/self/ns/mnt && $script" sh "$@" \
		>"$UA_TMP/drv.out" 2>"$UA_TMP/drv.err"
}
if ! want mntns_bind_mount path_spellings path_bind_open dir_bind_inode mntns_pivot_root; then :
elif ! command -v unshare >/dev/null; then
	for n in mntns_bind_mount path_spellings path_bind_open dir_bind_inode mntns_pivot_root; do
		skip "$n" "unshare (util-linux) is not installed"
	done
elif restart --rules "$R"; then
	in_ns 'mount --bind /etc "$1" && exec "$2" read:"$1/hostname"' "$UA_TMP/bind" "$DRV"
	P=$(drv pid)
	NS=$(drv mntns)
	drive read:/etc/hostname
	P2=$(drv pid)
	if [ -n "$P" ] && wait_count ".pid==$P and .op==\"read\"" 1 && wait_count ".pid==$P2 and .op==\"read\"" 1; then
		check_eq mntns_bind_mount "$(field ".pid==$P and .op==\"read\"" '[.key,.file_path,.mntns]|@tsv')" \
			"$(printf 'rd\t%s\t%s' "$UA_TMP/bind/hostname" "$NS")" &&
			check_eq mntns_bind_mount "$(field ".pid==$P2 and .op==\"read\"" '[.key,.file_path,(.mntns|tostring)]|@tsv')" \
				"$(printf 'rd\t/etc/hostname\tnull')" && ok mntns_bind_mount
	else
		fail mntns_bind_mount "read through the bind mount not recorded (pid '$P'): $(cat "$UA_TMP/drv.err")"
	fi

	# Spellings of /etc/hostname, after an open of another file (which
	# the rule waits for, then declines: it must not be written).
	if drive openat:/etc/passwd openat:/etc//hostname openat:/etc/./hostname \
		openat:/proc/self/root/etc/hostname openat_at:/etc:hostname openat2:/etc/../etc/hostname; then
		P=$(drv pid)
		if wait_count ".pid==$P and .key==\"ph\"" 5; then
			check_eq path_spellings "$(recs ".pid==$P" | jq -r '[.op,.key,.name,.new_path]|@tsv' | tr '\n' '|')" \
				"$(printf 'openat\tph\t/etc//hostname\t/etc/hostname|openat\tph\t/etc/./hostname\t/etc/hostname|openat\tph\t/proc/self/root/etc/hostname\t/etc/hostname|openat\tph\thostname\t/etc/hostname|openat2\tph\t/etc/../etc/hostname\t/etc/hostname|')" &&
				ok path_spellings
		else
			fail path_spellings "expected 5 records of key ph for pid $P, got: $(recs ".pid==$P" | jq -c '[.name,.key]' | tr '\n' ' ')"
		fi
	else
		fail path_spellings "driver failed"
	fi

	# Opens through bind mounts of /etc and of a directory a dir= rule names,
	# and a read of the second.
	in_ns 'mount --bind /etc "$1" && mount --bind "$2" "$3" && exec "$4" openat:"$1/hostname" openat:"$3/f" read:"$3/f"' \
		"$UA_TMP/bind" "$UA_TMP/sec" "$UA_TMP/bind2" "$DRV"
	P=$(drv pid)
	NS=$(drv mntns)
	if [ -n "$P" ] && wait_count ".pid==$P" 3; then
		check_eq path_bind_open "$(field ".pid==$P and .op==\"openat\" and .key==\"ph\"" '[.new_path,.mntns]|@tsv')" \
			"$(printf '%s\t%s' "$UA_TMP/bind/hostname" "$NS")" && ok path_bind_open
		check_eq dir_bind_inode "$(recs ".pid==$P and .key!=\"ph\"" | jq -r '[.op,.key,(.new_path // .file_path)]|@tsv' | tr '\n' '|')" \
			"$(printf 'openat\tdh\t%s|read\tdr\t%s|' "$UA_TMP/bind2/f" "$UA_TMP/bind2/f")" && ok dir_bind_inode
	else
		fail path_bind_open "expected 3 records for pid '$P': $(recs ".pid==$P" | jq -c '[.op,.key]' | tr '\n' ' ') $(cat "$UA_TMP/drv.err")"
		fail dir_bind_inode "see path_bind_open"
	fi

	# pivot_root into a tree of its own: an "sshd" opening "/etc/shadow".
	# The record names what the process's namespace calls them, marked with
	# that namespace (mntns=, on the ring's URING_SETUP too), and the inode
	# is its own file's, not the host's /etc/shadow.
	NR=$UA_TMP/newroot
	mkdir -p "$NR"
	if [ "$(awk '$2=="/" {print $3; exit}' /proc/self/mounts)" = rootfs ]; then
		# pivot_root(2) refuses (EINVAL) to move the initramfs root away:
		# the VM guests of make check-vm run from one.
		skip mntns_pivot_root "/ is the initramfs (rootfs): pivot_root(2) cannot move it"
	else
		in_ns 'mount -t tmpfs tmpfs "$1" && cd "$1" && mkdir -p usr/sbin usr/bin usr/lib etc old &&
			for d in usr/bin usr/lib usr/lib64; do [ -d "/$d" ] || continue; mkdir -p "$d"; mount --rbind "/$d" "$d"; done &&
			for l in lib lib64 bin; do [ -L "/$l" ] && ln -s "$(readlink "/$l")" "$l"; done;
			cp "$2" usr/sbin/sshd && echo planted >etc/shadow && stat -c "ino=%i" etc/shadow &&
			mkdir proc && mount -t proc proc proc &&
			pivot_root . old && umount -l /old && exec /usr/sbin/sshd openat:/etc/shadow' "$NR" "$DRV"
		P=$(drv pid)
		NS=$(drv mntns)
		FINO=$(drv ino)
		if [ -n "$P" ] && wait_count ".pid==$P and .op==\"openat\"" 1; then
			setup=$(jq -r "select(.type==\"URING_SETUP\" and .pid==$P) | [.exe,(.mntns|tostring)] | @tsv" "$UA_LOG")
			check_eq mntns_pivot_root "$(field ".pid==$P and .op==\"openat\"" '[.key,.exe,.name,.new_path,.mntns,.new_ino]|@tsv')" \
				"$(printf 'sh\t/usr/sbin/sshd\t/etc/shadow\t/etc/shadow\t%s\t%s' "$NS" "$FINO")" &&
				check_eq mntns_pivot_root "$setup" "$(printf '/usr/sbin/sshd\t%s' "$NS")" &&
				{ [ "$FINO" != "$(stat -c %i /etc/shadow)" ] || { fail mntns_pivot_root "planted inode is the host's"; false; }; } &&
				ok mntns_pivot_root
		else
			fail mntns_pivot_root "no record of the pivoted open (pid '$P'): $(cat "$UA_TMP/drv.err")"
		fi
	fi
else
	fail_all mntns_bind_mount path_spellings path_bind_open dir_bind_inode mntns_pivot_root
fi
