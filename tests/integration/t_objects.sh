#!/usr/bin/env bash
# Objects: what each request touched, resolved in the kernel and checked
# against what the driver knows (fstat of the returned fd, the port a
# listener bound, the slot an open chose). One daemon records every op.
. "$(dirname "$0")/lib.sh"

CASES=(open_dfd_objects close_file fd_ops_file fixed_slot_file deleted_file truncated_path
	hostile_object_path race_objects race_connect_addr race_sendmsg_addr statx_xattr socket_c2 socket_c2_sqpoll
	listen_accept_multishot sendmsg_dest inet6_shutdown unix_bind msg_ring_data msg_ring_fd
	fixed_fd_install register_records setup_sqpoll restrictions uring_cmd_sockopt)
ua_require "${CASES[@]}"

W=$UA_TMP/work
mkdir -p "$W"
chmod 755 "$W"
RULES=$UA_TMP/all.rules
# only the driver's requests: on a shared machine every other process's
# would fill the log (a flood there made it 18 GB in 20 minutes)
echo "-a always,io_uring -S all -F exe=$DRV -k all" >"$RULES"
chmod 600 "$RULES"
ua_start --rules "$RULES" || {
	for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done
	exit 0
}

# dev as the records print it: hex major:minor, from the driver's fstat halves.
devstr() { printf '%02x:%02x' "$(drv dev_major "${1:-1}")" "$(drv dev_minor "${1:-1}")"; }
# the nth driver line that starts with "req op=OP"
reqline() { grep "^req op=$1 " "$UA_TMP/drv.out" | sed -n "${2:-1}p"; }
ud() { printf '0x%x' "$1"; }

# --- openat relative to a directory fd: the directory and the opened file ----
mkdir -p "$W/d"
echo x >"$W/d/f"
chmod 640 "$W/d/f"
chown 0:7 "$W/d/f"
drive openat_at:"$W/d":f
P=$(drv pid)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	check_eq open_dfd_objects "$(field ".pid==$P and .op==\"openat\"" \
		'[.dfd,.name,.dir_type,.dir_path,.new_type,.new_path,.new_dev,.new_ino,.new_mode,.new_uid,.new_gid]|@tsv')" \
		"$(printf '%s\tf\tdir\t%s\tfile\t%s\t%s\t%s\t33184\t0\t7' "$(drv dfd)" "$W/d" "$W/d/f" \
			"$(devstr)" "$(drv ino)")" && ok open_dfd_objects
else
	fail open_dfd_objects "no record for pid $P"
fi

# --- close: the file it closed ------------------------------------------------
drive openat:"$W/d/f" close:last
P=$(drv pid)
L=$(reqline close)
if wait_count ".pid==$P and .op==\"close\"" 1; then
	check_eq close_file "$(field ".pid==$P and .op==\"close\"" '[.fd,.file_type,.file_path,.file_ino]|@tsv')" \
		"$(printf '%s\tfile\t%s\t%s' "$(lval "$L" fd)" "$W/d/f" "$(lval "$L" ino)")" && ok close_file
else
	fail close_file "no record for pid $P"
fi

# --- ops on a descriptor: ftruncate, fallocate, read name the file -----------
if ua_need_kernel IORING_OP_FTRUNCATE "IORING_OP_FTRUNCATE (Linux 6.9)" fd_ops_file; then
	drive ftruncate:"$W/t1":100 fallocate:"$W/t2":8192 read:"$W/d/f"
	P=$(drv pid)
	L1=$(reqline ftruncate)
	L2=$(reqline fallocate)
	if wait_count ".pid==$P and (.op==\"ftruncate\" or .op==\"fallocate\" or .op==\"read\")" 3; then
		check_eq fd_ops_file "$(field ".pid==$P and .op==\"ftruncate\"" '[.length,.fd,.file_path,.file_ino]|@tsv')" \
			"$(printf '100\t%s\t%s\t%s' "$(lval "$L1" fd)" "$W/t1" "$(lval "$L1" ino)")" &&
			check_eq fd_ops_file "$(field ".pid==$P and .op==\"fallocate\"" '[.offset,.length,.file_path,.file_ino]|@tsv')" \
				"$(printf '0\t8192\t%s\t%s' "$W/t2" "$(lval "$L2" ino)")" &&
			check_eq fd_ops_file "$(field ".pid==$P and .op==\"read\"" '[.exit,.file_path,.file_type]|@tsv')" \
				"$(printf '2\t%s\tfile' "$W/d/f")" && ok fd_ops_file
	else
		fail fd_ops_file "no records for pid $P"
	fi
fi

# --- fixed files: nothing in /proc, the record still names the file ----------
drive openat_direct:"$W/d/f" read:last+fixed
P=$(drv pid)
SLOT=$(lval "$(reqline openat)" slot)
if wait_count ".pid==$P and .op==\"read\"" 1; then
	check_eq fixed_slot_file "$(field ".pid==$P and .op==\"openat\"" '[.slot,.new_path]|@tsv')" \
		"$(printf 'alloc\t%s' "$W/d/f")" &&
		check_eq fixed_slot_file "$(field ".pid==$P and .op==\"read\"" '[.slot,.req_flags[0],.file_path,.file_ino]|@tsv')" \
			"$(printf '%s\tfixed\t%s\t%s' "$SLOT" "$W/d/f" "$(stat -c %i "$W/d/f")")" && ok fixed_slot_file
else
	fail fixed_slot_file "no record for pid $P"
fi

# --- a file unlinked while open: marked deleted, not guessed from a suffix ----
echo gone >"$W/gone"
INO=$(stat -c %i "$W/gone")
drive openat_direct:"$W/gone" unlinkat:"$W/gone" read:last+fixed
P=$(drv pid)
if wait_count ".pid==$P and .op==\"read\"" 1; then
	check_eq deleted_file "$(field ".pid==$P and .op==\"read\"" '[.file_path,.file_deleted,.file_ino]|@tsv')" \
		"$(printf '%s\ttrue\t%s' "$W/gone" "$INO")" && ok deleted_file
else
	fail deleted_file "no record for pid $P"
fi

# --- a path longer than the capture: the leaf side, marked, full length ------
# 20 levels of 250 bytes: 5,020 bytes from the root of the work dir, made with
# relative steps (no single path given to the kernel is that long).
COMP=$(printf 'c%.0s' $(seq 250))
DEEP_REL=""
(
	cd "$W" || exit 1
	for _ in $(seq 20); do
		mkdir "$COMP" && cd "$COMP" || exit 1
	done
	echo deep >leaf
)
FULL="$W$(printf "/$COMP%.0s" $(seq 20))/leaf"
(cd "$W" && for _ in $(seq 20); do cd "$COMP" || exit 1; done && drive openat:leaf)
P=$(drv pid)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	got=$(field ".pid==$P and .op==\"openat\"" '[.new_path_truncated,.new_path_len,(.new_path|length),.new_ino]|@tsv')
	tail=$(field ".pid==$P and .op==\"openat\"" '.new_path')
	check_eq truncated_path "$got" \
		"$(printf 'true\t%s\t%s\t%s' "${#FULL}" "${#tail}" "$(drv ino)")" &&
		case "$FULL" in *"$tail") ok truncated_path ;; *) fail truncated_path "kept part is not the tail" ;; esac
else
	fail truncated_path "no record for pid $P"
fi
unset DEEP_REL

# --- hostile names in a resolved path: bytes survive -------------------------
HOST=$'h o"s=t\nile'
echo x >"$W/$HOST"
drive openat:@hex:"$(printf '%s' "$W/$HOST" | od -An -tx1 | tr -d ' \n')"
P=$(drv pid)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	check_eq hostile_object_path "$(field ".pid==$P and .op==\"openat\"" '.new_path')" "$W/$HOST" &&
		check_eq hostile_object_path "$(grep -c "^{\"type\":\"URINGOP\".*\"pid\":$P," "$UA_LOG")" 1 && ok hostile_object_path
else
	fail hostile_object_path "no record for pid $P"
fi

# --- a thread flips the path while opening: the resolved object is the file
# actually opened (fstat), request by request.
echo a >"$W/race_aaaa"
echo b >"$W/race_bbbb"
drive race:"$W/race_aaaa":"$W/race_bbbb":200
P=$(drv pid)
if wait_count ".pid==$P" 200; then
	want=$(grep '^req op=openat.* ino=' "$UA_TMP/drv.out" | while read -r line; do
		printf '0x%x %s\n' "$(lval "$line" user_data)" "$(lval "$line" ino)"
	done | sort)
	got=$(recs ".pid==$P and .success" | jq -r '"\(.user_data) \(.new_ino)"' | sort)
	bad=$(recs ".pid==$P and .success" | jq -r 'select(.name != .new_path) | .user_data' | head -3)
	if [ -n "$want" ] && [ "$want" = "$got" ] && [ -z "$bad" ]; then
		ok race_objects
	else
		fail race_objects "objects differ from what was opened: $(diff <(echo "$want") <(echo "$got") | head -4) $bad"
	fi
else
	fail race_objects "expected 200 records for pid $P"
fi

# --- a thread flips the port of a connect's sockaddr while connecting: each
# record's file_rport is the peer the kernel connected to (getpeername), and
# its port is that peer: the destination the kernel copied. Kernels before
# 6.10 (their BTF still has io_async_connect) copy it as they issue the
# request, after submit; where fentry loads (the rename hooks do: no
# degraded=rename) the destination hooks see that copy, and no record says
# addr_src. Only where they cannot load (degraded=addr_user) is the address
# read from the submitter's memory at submit, and a port that differs from
# the peer must then say addr_src=user.
DEGRADED=$(jq -r 'select(.type=="URING_DAEMON" and .op=="start") | .degraded // ""' "$UA_LOG" | head -1)
ADDR_EXPECT=kernel
[[ ,$DEGRADED, == *,addr_user,* ]] && ADDR_EXPECT=user
# degraded=addr_user where fentry programs load: the hooks should have run
ADDR_WRONG=
[ $ADDR_EXPECT = user ] && [[ ,$DEGRADED, != *,rename,* ]] &&
	ADDR_WRONG="degraded=addr_user where fentry loads (no degraded=rename): the kernel's copy is not taken"
drive race_connect:9001:9002:200
P=$(drv pid)
if wait_count ".pid==$P and .op==\"connect\"" 200; then
	C=".pid==$P and .op==\"connect\""
	want=$(grep '^req op=connect.* peer_port=' "$UA_TMP/drv.out" | while read -r line; do
		printf '0x%x %s\n' "$(lval "$line" user_data)" "$(lval "$line" peer_port)"
	done | sort)
	got=$(recs "$C and .success" | jq -r '"\(.user_data) \(.file_rport)"' | sort)
	unflagged=$(recs "$C" | jq -r 'select(.port != .file_rport and .addr_src == null) | .user_data' | head -3)
	srcs=$(recs "$C" | jq -r '.addr_src // "kernel"' | sort -u | tr '\n' ' ')
	differ=$(recs "$C" | jq -r 'select(.port != .file_rport) | .user_data' | wc -l)
	if [ "$(count "$C")" != 200 ]; then
		fail race_connect_addr "expected exactly 200 connect records, got $(count "$C")"
	elif [ -n "$ADDR_WRONG" ]; then
		fail race_connect_addr "$ADDR_WRONG ($differ of 200 records name a port the kernel did not connect to)"
	elif [ -z "$want" ] || [ "$want" != "$got" ]; then
		fail race_connect_addr "file_rport differs from the peer: $(diff <(echo "$want") <(echo "$got") | head -4)"
	elif [ -n "$unflagged" ]; then
		fail race_connect_addr "port differs from the peer without addr_src: $unflagged"
	elif [ "$srcs" != "$ADDR_EXPECT " ]; then
		fail race_connect_addr "addr_src: expected $ADDR_EXPECT on every record, got $srcs"
	else
		ok race_connect_addr
		echo "# race_connect_addr: addr_src=$ADDR_EXPECT; $differ of 200 records name a port the kernel did not connect to; driver: $(grep '^race_connect ' "$UA_TMP/drv.out")"
	fi
else
	fail race_connect_addr "expected 200 connect records for pid $P"
fi

# --- the same race on an unconnected UDP socket's sendmsg: no peer to read
# back, so the truth is which of two bound receivers got each datagram
# (loopback delivers it before sendmsg returns); each record's port is that
# receiver's, where the kernel's copy is seen.
drive race_sendmsg:200
P=$(drv pid)
if wait_count ".pid==$P and .op==\"sendmsg\"" 200; then
	C=".pid==$P and .op==\"sendmsg\""
	want=$(grep '^req op=sendmsg.* got_port=' "$UA_TMP/drv.out" | while read -r line; do
		printf '0x%x %s\n' "$(lval "$line" user_data)" "$(lval "$line" got_port)"
	done | sort)
	got=$(recs "$C" | jq -r '"\(.user_data) \(.port)"' | sort)
	srcs=$(recs "$C" | jq -r '.addr_src // "kernel"' | sort -u | tr '\n' ' ')
	differ=$(diff <(echo "$want") <(echo "$got") | grep -c '^>')
	summary=$(grep '^race_sendmsg ' "$UA_TMP/drv.out")
	if [ "$(count "$C")" != 200 ]; then
		fail race_sendmsg_addr "expected exactly 200 sendmsg records, got $(count "$C")"
	elif [ "$(lval "$summary" a)" = 0 ] || [ "$(lval "$summary" b)" = 0 ] || [ "$(lval "$summary" lost)" != 0 ]; then
		fail race_sendmsg_addr "the race did not reach both receivers (or lost datagrams): $summary"
	elif [ -n "$ADDR_WRONG" ]; then
		fail race_sendmsg_addr "$ADDR_WRONG ($differ of 200 records name a port no datagram went to)"
	elif [ $ADDR_EXPECT = user ]; then
		if [ "$srcs" = "user " ]; then
			ok race_sendmsg_addr
			echo "# race_sendmsg_addr: addr_src=user on every record (read at submit); $differ of 200 name a port no datagram went to; driver: $summary"
		else
			fail race_sendmsg_addr "addr_src: expected user on every record, got $srcs"
		fi
	elif [ "$want" != "$got" ]; then
		fail race_sendmsg_addr "$differ records name a port the datagram did not go to: $(diff <(echo "$want") <(echo "$got") | head -4 | tr '\n' ' ')"
	elif [ "$srcs" != "kernel " ]; then
		fail race_sendmsg_addr "addr_src: expected none on every record, got $srcs"
	else
		ok race_sendmsg_addr
		echo "# race_sendmsg_addr: every record's port is the receiver's; driver: $summary"
	fi
else
	fail race_sendmsg_addr "expected 200 sendmsg records for pid $P"
fi

# --- statx and the xattr family ----------------------------------------------
drive statx:"$W/d/f" setxattr:"$W/d/f":user.k:v1 getxattr:"$W/d/f":user.k \
	fsetxattr:"$W/d/f":user.j:v22 fgetxattr:"$W/d/f":user.j
P=$(drv pid)
if wait_count ".pid==$P and (.op|test(\"xattr|statx\"))" 5; then
	L=$(reqline fsetxattr)
	if [ "$(lval "$(reqline setxattr)" res)" = "-95" ]; then
		skip statx_xattr "the test directory's file system ($(stat -f -c %T "$W")) has no user xattrs (setxattr: EOPNOTSUPP)"
	else
		check_eq statx_xattr "$(field ".pid==$P and .op==\"statx\"" '[.name,.dfd,.mask]|@tsv')" \
			"$(printf '%s\t-100\t2047' "$W/d/f")" &&
			check_eq statx_xattr "$(field ".pid==$P and .op==\"setxattr\"" '[.name,.attr,.size,.success]|@tsv')" \
				"$(printf '%s\tuser.k\t2\ttrue' "$W/d/f")" &&
			check_eq statx_xattr "$(field ".pid==$P and .op==\"getxattr\"" '[.name,.attr,.exit]|@tsv')" \
				"$(printf '%s\tuser.k\t2' "$W/d/f")" &&
			check_eq statx_xattr "$(field ".pid==$P and .op==\"fsetxattr\"" '[.attr,.file_path,.file_ino,.name]|@tsv')" \
				"$(printf 'user.j\t%s\t%s\t' "$W/d/f" "$(lval "$L" ino)")" &&
			check_eq statx_xattr "$(field ".pid==$P and .op==\"fgetxattr\"" '[.attr,.exit]|@tsv')" \
				"$(printf 'user.j\t3')" && ok statx_xattr
	fi
else
	fail statx_xattr "no records for pid $P"
fi

# --- THREATS 15: a C2 loop over io_uring -------------------------------------
c2_check() { # name
	local name=$1 port lport
	port=$(drv port)
	lport=$(lval "$(reqline connect)" lport)
	if ! wait_count ".pid==$P and .op==\"send\"" 1; then
		fail "$name" "no send record for pid $P"
		return
	fi
	check_eq "$name" "$(field ".pid==$P and .op==\"socket\"" '[.family,.sock_type,.new_type,.new_family]|@tsv')" \
		"$(printf 'inet\tstream\tsocket\tinet')" &&
		check_eq "$name" "$(field ".pid==$P and .op==\"connect\"" '[.exit,.family,.addr,.port,.file_lport,.file_raddr,.file_rport]|@tsv')" \
			"$(printf '0\tinet\t127.0.0.1\t%s\t%s\t127.0.0.1\t%s' "$port" "$lport" "$port")" &&
		check_eq "$name" "$(field ".pid==$P and .op==\"openat\"" '.new_path')" /etc/hostname &&
		check_eq "$name" "$(field ".pid==$P and .op==\"recv\"" '[.exit,.file_raddr,.file_rport]|@tsv')" \
			"$(printf '4\t127.0.0.1\t%s' "$port")" &&
		check_eq "$name" "$(field ".pid==$P and .op==\"send\"" '[.exit,.file_raddr,.file_rport,.file_laddr,.file_lport]|@tsv')" \
			"$(printf '5\t127.0.0.1\t%s\t127.0.0.1\t%s' "$port" "$lport")" && ok "$name"
}
drive tcp_server:127.0.0.1:0 socket:inet:stream connect:127.0.0.1:last recv:64 \
	openat:/etc/hostname send:hello
P=$(drv pid)
c2_check socket_c2
drive --sqpoll tcp_server:127.0.0.1:0 socket:inet:stream connect:127.0.0.1:last recv:64 \
	openat:/etc/hostname send:hello
P=$(drv pid)
c2_check socket_c2_sqpoll
if [ "$(field ".pid==$P and .op==\"connect\"" '.ctx')" != sqpoll ]; then
	fail socket_c2_sqpoll "connect was not recorded as sqpoll"
fi

# --- THREATS 9: bind, listen, multishot accept: each peer ---------------------
# Before Linux 6.11 (no IORING_OP_BIND/LISTEN) the socket is bound and listens
# through the system calls, and only accept is checked: multishot accept is
# older (5.19).
if ua_kernel_has IORING_OP_BIND; then
	drive socket:inet:stream bind:127.0.0.1:0 listen:8 accept:3
	URING_BIND=1
else
	drive socket:inet:stream sys_bind:127.0.0.1:0 sys_listen:8 accept:3
	URING_BIND=0
fi
P=$(drv pid)
PORT=$(drv port)
if wait_count ".pid==$P and .op==\"accept\"" 1; then
	want=$(grep '^req op=accept .*cqe=' "$UA_TMP/drv.out" | while read -r l; do
		echo "$(lval "$l" cqe) $(lval "$l" res) $(lval "$l" peer_port)"
	done)
	got=$(jq -r "select(.type==\"URING_CQE\" and .pid==$P) | \"\(.cqe_index) \(.res) \(.new_rport)\"" "$UA_LOG")
	{ [ $URING_BIND = 0 ] ||
		{ check_eq listen_accept_multishot "$(field ".pid==$P and .op==\"bind\"" '[.addr,.port,.file_lport]|@tsv')" \
			"$(printf '127.0.0.1\t0\t%s' "$PORT")" &&
			check_eq listen_accept_multishot "$(field ".pid==$P and .op==\"listen\"" '[.backlog,.file_lport]|@tsv')" \
				"$(printf '8\t%s' "$PORT")"; }; } &&
		check_eq listen_accept_multishot "$(field ".pid==$P and .op==\"accept\"" '[.multishot,.cqes,.file_lport]|@tsv')" \
			"$(printf 'true\t4\t%s' "$PORT")" &&
		check_eq listen_accept_multishot "$got" "$want" && [ "$(wc -l <<<"$want")" = 3 ] &&
		ok listen_accept_multishot
else
	fail listen_accept_multishot "no accept record for pid $P"
fi

# --- sendmsg / sendmsg_zc with a destination ----------------------------------
drive udp_server:127.0.0.1:0 socket:inet:dgram sendmsg_to:127.0.0.1:last sendmsg_zc_to:127.0.0.1:last
P=$(drv pid)
PORT=$(drv port)
if wait_count ".pid==$P and (.op==\"sendmsg\" or .op==\"sendmsg_zc\")" 2; then
	check_eq sendmsg_dest "$(recs ".pid==$P and (.op==\"sendmsg\" or .op==\"sendmsg_zc\")" | \
		jq -r '[.op,.exit,.family,.addr,.port]|@tsv' | sort | tr '\n' ' ')" \
		"$(printf 'sendmsg\t5\tinet\t127.0.0.1\t%s sendmsg_zc\t5\tinet\t127.0.0.1\t%s ' "$PORT" "$PORT")" &&
		ok sendmsg_dest
else
	fail sendmsg_dest "no records for pid $P"
fi

# --- IPv6 bind and shutdown ---------------------------------------------------
# Before Linux 6.11 the socket is bound and listens through the system calls:
# shutdown's record still names the socket (family, local address; its port
# is 0 by then: shutting a listener down releases a port the kernel chose).
V6=$(printf '::1' | od -An -tx1 | tr -d ' \n')
if ua_kernel_has IORING_OP_BIND; then
	drive socket:inet6:stream bind:@hex:"$V6":0 listen:4 shutdown:rdwr
	URING_BIND=1
else
	drive socket:inet6:stream sys_bind:@hex:"$V6":0 sys_listen:4 shutdown:rdwr
	URING_BIND=0
fi
P=$(drv pid)
if wait_count ".pid==$P and .op==\"shutdown\"" 1; then
	PORT=$(drv port)
	{ [ $URING_BIND = 0 ] ||
		check_eq inet6_shutdown "$(field ".pid==$P and .op==\"bind\"" '[.family,.addr,.port,.file_laddr,.file_lport]|@tsv')" \
			"$(printf 'inet6\t::1\t0\t::1\t%s' "$PORT")"; } &&
		check_eq inet6_shutdown "$(field ".pid==$P and .op==\"shutdown\"" '[.how,.file_family,.file_laddr]|@tsv')" \
			"$(printf '2\tinet6\t::1')" && ok inet6_shutdown
else
	fail inet6_shutdown "no records for pid $P"
fi

# --- unix sockets: a path and an abstract name --------------------------------
# Before 6.11, bound by bind(2); a shutdown on each names the bound socket.
if ua_kernel_has IORING_OP_BIND; then
	drive socket:unix:stream bind_unix:"$W/us" socket:unix:dgram bind_unix:@abs-uringaudit
	U_OP=bind
else
	drive socket:unix:stream sys_bind_unix:"$W/us" shutdown:rd \
		socket:unix:dgram sys_bind_unix:@abs-uringaudit shutdown:rd
	U_OP=shutdown
fi
P=$(drv pid)
if wait_count ".pid==$P and .op==\"$U_OP\"" 2; then
	if [ $U_OP = bind ]; then
		check_eq unix_bind "$(recs ".pid==$P and .op==\"bind\"" | jq -c '[.family,.addr,.file_laddr]' | tr '\n' ' ')" \
			"[\"unix\",\"$W/us\",\"$W/us\"] [\"unix\",\"\\u0000abs-uringaudit\",\"\\u0000abs-uringaudit\"] " &&
			ok unix_bind
	else
		check_eq unix_bind "$(recs ".pid==$P and .op==\"shutdown\"" | jq -c '[.file_family,.file_laddr]' | tr '\n' ' ')" \
			"[\"unix\",\"$W/us\"] [\"unix\",\"\\u0000abs-uringaudit\"] " &&
			ok unix_bind
	fi
else
	fail unix_bind "no records for pid $P"
fi

# --- msg_ring: the target ring, and the file passed ---------------------------
drive msg_ring_data:42
P=$(drv pid)
TFD=$(grep -o 'target_ring fd=[0-9]*' "$UA_TMP/drv.out" | cut -d= -f2)
if wait_count ".pid==$P and .op==\"msg_ring\"" 1; then
	target=$(jq -r "select(.type==\"URING_SETUP\" and .pid==$P and .fd==$TFD) | .ring" "$UA_LOG")
	check_eq msg_ring_data "$(field ".pid==$P and .op==\"msg_ring\"" '[.msg_cmd,.msg_len,.file_type,.file_ring]|@tsv')" \
		"$(printf 'data\t42\tring\t%s' "$target")" && [ -n "$target" ] && ok msg_ring_data
else
	fail msg_ring_data "no record for pid $P"
fi
drive openat_direct:"$W/d/f" msg_ring_fd:last:3
P=$(drv pid)
if wait_count ".pid==$P and .op==\"msg_ring\"" 1; then
	check_eq msg_ring_fd "$(field ".pid==$P and .op==\"msg_ring\"" '[.msg_cmd,.src_slot,.dst_slot,.src_path,.src_ino]|@tsv')" \
		"$(printf 'send_fd\t0\t3\t%s\t%s' "$W/d/f" "$(stat -c %i "$W/d/f")")" && ok msg_ring_fd
else
	fail msg_ring_fd "no record for pid $P"
fi

# --- fixed_fd_install: slot -> new fd -----------------------------------------
if ua_need_kernel IORING_OP_FIXED_FD_INSTALL "IORING_OP_FIXED_FD_INSTALL (Linux 6.8)" fixed_fd_install; then
	drive openat_direct:"$W/d/f" fixed_fd_install:last
	P=$(drv pid)
	L=$(reqline fixed_fd_install)
	if wait_count ".pid==$P and .op==\"fixed_fd_install\"" 1; then
		check_eq fixed_fd_install "$(field ".pid==$P and .op==\"fixed_fd_install\"" '[.exit,.slot,.file_path,.file_ino]|@tsv')" \
			"$(printf '%s\t0\t%s\t%s' "$(lval "$L" res)" "$W/d/f" "$(lval "$L" ino)")" && ok fixed_fd_install
	else
		fail fixed_fd_install "no record for pid $P"
	fi
fi

# --- io_uring_register and io_uring_setup records ----------------------------
regs() { jq -r "select(.type==\"URING_REGISTER\" and .pid==$P) | $1" "$UA_LOG"; }
drive --register-personality --register-ring-fd nop
P=$(drv pid)
if wait_for eval '[ -n "$(regs "select(.reg_op==\"register_ring_fds\")")" ]'; then
	check_eq register_records "$(regs 'select(.reg_op=="register_ring_fds") | [.success,.nr_ring_fds,.uid,.comm] | @tsv')" \
		"$(printf 'true\t1\t0\turing_driver')" &&
		check_eq register_records "$(regs 'select(.reg_op=="register_personality") | [.personality,.exit] | @tsv')" \
			"$(printf '%s\t%s' "$(drv personality)" "$(drv personality)")" && ok register_records
else
	fail register_records "no URING_REGISTER records for pid $P"
fi
drive --sqpoll --sq-cpu 1 nop
P=$(drv pid)
if wait_for eval '[ -n "$(jq -c "select(.type==\"URING_SETUP\" and .pid==$P)" "$UA_LOG")" ]'; then
	check_eq setup_sqpoll "$(jq -r "select(.type==\"URING_SETUP\" and .pid==$P) | [.sq_thread_cpu,.sq_thread_idle,.sq_entries,(.setup_flags%8),.comm,.exe]|@tsv" "$UA_LOG")" \
		"$(printf '1\t2000\t64\t6\turing_driver\t%s' "$DRV")" && ok setup_sqpoll
else
	fail setup_sqpoll "no URING_SETUP record for pid $P"
fi
drive --restrict openat:/etc/hostname
P=$(drv pid)
if wait_for eval '[ -n "$(regs "select(.reg_op==\"register_restrictions\")")" ]'; then
	ops=$(regs 'select(.reg_op=="register_restrictions") | .allowed_sqe_ops' | tr -d '"')
	# openat (18) allowed, socket (45) not
	if (((ops >> 18) & 1)) && ! (((ops >> 45) & 1)); then ok restrictions; else
		fail restrictions "allowed_sqe_ops=$ops"
	fi
else
	fail restrictions "no register_restrictions record for pid $P"
fi

# --- uring_cmd on a socket: getsockopt, decoded --------------------------------
if ua_need_kernel SOCKET_URING_OP_GETSOCKOPT "socket commands of IORING_OP_URING_CMD (SOCKET_URING_OP_GETSOCKOPT, Linux 6.7)" uring_cmd_sockopt; then
	drive socket:inet:stream sock_cmd:getsockopt
	P=$(drv pid)
	if wait_count ".pid==$P and .op==\"uring_cmd\"" 1; then
		check_eq uring_cmd_sockopt "$(field ".pid==$P and .op==\"uring_cmd\"" '[.cmd_op,.cmd,.level,.optname,.exit,.file_type]|@tsv')" \
			"$(printf '2\tgetsockopt\t1\t8\t4\tsocket')" && ok uring_cmd_sockopt
	else
		fail uring_cmd_sockopt "no record for pid $P"
	fi
fi
