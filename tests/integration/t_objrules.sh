#!/usr/bin/env bash
# Rule fields on objects, decided in the kernel: path= on the file a read
# used (resolved at completion), obj_uid/obj_gid of the opened inode,
# addr/port/family of socket ops (the kernel copy at submit, or the peer at
# completion). Each field has a request that must be recorded and one that
# must not.
. "$(dirname "$0")/lib.sh"

CASES=(path_on_read obj_owner addr_port_connect addr_sendmsg family_socket
	addr_accept_peer port_recv_peer addr_unix_path)
ua_require "${CASES[@]}"

W=$UA_TMP/work
mkdir -p "$W"
chmod 755 "$W"
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
UPORT=$(free_port)
echo s >"$W/secret"
echo o >"$W/other"
echo r >"$W/owned"
chown 0:7 "$W/owned"

RULES=$UA_TMP/obj.rules
cat >"$RULES" <<EOF
-a always,io_uring -S read -F path=$W/secret -k secret-read
-a always,io_uring -S openat -F obj_uid=0 -F obj_gid=7 -k owned
-a always,io_uring -S connect -F addr=127.0.0.0/8 -F port=$PORT -k egress
-a always,io_uring -S sendmsg -F saddr=127.0.0.1 -F port=$UPORT -k udp
-a always,io_uring -S socket -F family=inet6 -k v6
-a always,io_uring -S accept -F addr=127.0.0.1 -k accepted
-a always,io_uring -S recv -F port=$PORT -k from-server
EOF
# bind (Linux 6.11): a rule naming an op the kernel lacks is an error
if ua_kernel_has IORING_OP_BIND; then
	echo "-a always,io_uring -S bind -F addr=$W/us -k unix" >>"$RULES"
fi
chmod 600 "$RULES"
ua_start --rules "$RULES" || {
	for n in "${CASES[@]}"; do fail "$n" "daemon did not start"; done
	exit 0
}
keys() { recs ".pid==$P and .op==\"$1\"" | jq -r '"\(.key) \(.exit)"' | tr '\n' ' '; }

drive read:"$W/other" read:"$W/secret" openat:"$W/other" openat:"$W/owned"
P=$(drv pid)
if wait_count ".pid==$P and .op==\"openat\"" 1; then
	check_eq path_on_read "$(field ".pid==$P and .op==\"read\"" '[.key,.file_path]|@tsv')" \
		"$(printf 'secret-read\t%s' "$W/secret")" && ok path_on_read
	check_eq obj_owner "$(field ".pid==$P and .op==\"openat\"" '[.key,.new_path,.new_gid]|@tsv')" \
		"$(printf 'owned\t%s\t7' "$W/owned")" && ok obj_owner
else
	fail path_on_read "no records for pid $P"
	fail obj_owner "no records for pid $P"
fi

# connect to the rule's port (recorded) and to another (not); recv from the
# server on the rule's port (recorded at completion, by the peer's port).
drive tcp_server:127.0.0.1:"$PORT" socket:inet:stream connect:127.0.0.1:"$PORT" recv:64 \
	udp_server:127.0.0.1:"$UPORT" socket:inet:dgram connect:127.0.0.1:"$UPORT" \
	sendmsg_to:127.0.0.1:"$UPORT" sendmsg_to:127.0.0.2:"$UPORT" \
	socket:inet6:dgram socket:inet:dgram
P=$(drv pid)
# the inet6 socket is the last recorded request: everything before it is written
if wait_count ".pid==$P and .op==\"socket\"" 1; then
	check_eq addr_port_connect "$(keys connect)" "egress 0 " && ok addr_port_connect
	check_eq addr_sendmsg "$(recs ".pid==$P and .op==\"sendmsg\"" | jq -r '"\(.key) \(.addr)"')" \
		"udp 127.0.0.1" && ok addr_sendmsg
	check_eq family_socket "$(recs ".pid==$P and .op==\"socket\"" | jq -r '"\(.key) \(.family)"')" \
		"v6 inet6" && ok family_socket
	check_eq port_recv_peer "$(recs ".pid==$P and .op==\"recv\"" | jq -r '"\(.key) \(.file_rport)"')" \
		"from-server $PORT" && ok port_recv_peer
else
	for n in addr_port_connect addr_sendmsg family_socket port_recv_peer; do
		fail "$n" "no records for pid $P"
	done
fi

# bind(2) and listen(2) before Linux 6.11 (no IORING_OP_BIND/LISTEN): the
# accept is what this checks.
if ua_kernel_has IORING_OP_BIND; then BIND=bind LISTEN=listen; else BIND=sys_bind LISTEN=sys_listen; fi
drive socket:inet:stream $BIND:127.0.0.1:0 $LISTEN:4 accept:1
P=$(drv pid)
if wait_count ".pid==$P and .op==\"accept\"" 1; then
	check_eq addr_accept_peer "$(field ".pid==$P and .op==\"accept\"" '[.key,.new_raddr,.new_rport]|@tsv')" \
		"$(printf 'accepted\t127.0.0.1\t%s' "$(drv peer_port)")" && ok addr_accept_peer
else
	fail addr_accept_peer "no record for pid $P"
fi

if ua_need_kernel IORING_OP_BIND "IORING_OP_BIND (Linux 6.11)" addr_unix_path; then
	drive socket:unix:stream bind_unix:"$W/other.sock" socket:unix:stream bind_unix:"$W/us"
	P=$(drv pid)
	if wait_count ".pid==$P and .op==\"bind\"" 1; then
		check_eq addr_unix_path "$(recs ".pid==$P and .op==\"bind\"" | jq -r '"\(.key) \(.addr)"')" \
			"unix $W/us" && ok addr_unix_path
	else
		fail addr_unix_path "no record for pid $P"
	fi
fi
