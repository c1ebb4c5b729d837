/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a request carries, read from its prepared command at submit: names,
 * addresses and per-op arguments, and the credentials of the tasks involved.
 */
#ifndef UA_CAPTURE_BPF_H
#define UA_CAPTURE_BPF_H

/* Copy a kernel-held string (a struct filename's name or an xattr name,
 * both copied from user memory at prep time) into the event after @off
 * bytes of names[]. Returns the length without the NUL, or 0. Never reads
 * user memory. */
static __always_inline __u32 copy_str(struct submit_buf *b, __u32 off, const char *name,
				      __u32 has_flag, __u32 fault_flag)
{
	long n;

	if (!name)
		return 0;
	off &= UA_NAME_MAX - 1;
	n = bpf_probe_read_kernel_str(&b->names[off], UA_NAME_MAX, name);
	if (n <= 0) {
		b->ev.flags |= fault_flag;
		return 0;
	}
	b->ev.flags |= has_flag;
	return (__u32)(n - 1) & (UA_NAME_MAX - 1);
}

static __always_inline __u32 copy_name(struct submit_buf *b, __u32 off, struct filename *fn,
				       __u32 has_flag, __u32 fault_flag)
{
	return fn ? copy_str(b, off, KRD(fn, name), has_flag, fault_flag) : 0;
}

/* Copy @len bytes of a socket address the kernel holds at @src. */
static __always_inline void copy_addr(struct ua_ev_submit *e, const void *src, int len)
{
	if (!src || len <= 0)
		return;
	if (len > UA_ADDR_MAX)
		len = UA_ADDR_MAX;
	if (bpf_probe_read_kernel(e->addr.raw, sizeof(e->addr.raw), src))
		return;
	e->addr.len = (__u16)len;
	e->flags |= UA_SF_HAS_ADDR;
}

/* connect, bind: the address move_addr_to_kernel() copied at prep. */
static __always_inline void copy_conn_addr(struct ua_ev_submit *e, void *async, int len)
{
	struct io_async_msghdr *am = KCAST(io_async_msghdr, async);

	if (!async)
		return;
	if (addr_layout == ADDR_IN_STORAGE)
		copy_addr(e, async, len);
	else if (addr_layout == ADDR_IN_MSGHDR)
		copy_addr(e, &am->addr, len);
}

/* send*: msg_name points at the kernel copy when a destination was given. */
static __always_inline void copy_dest(struct ua_ev_submit *e, void *async)
{
	struct io_async_msghdr *am = KCAST(io_async_msghdr, async);
	void *name = async ? KRD(am, msg.msg_name) : NULL;

	if (name)
		copy_addr(e, name, KRD(am, msg.msg_namelen));
}

/*
 * A destination the kernel has not copied yet: before Linux 6.10 the prep of
 * connect and send* keeps only the submitter's pointer (io_connect.addr,
 * io_sr_msg.addr or .umsg), and the kernel copies the address when it issues
 * the request, after this point (io_connect, io_send*: move_addr_to_kernel,
 * io_sendmsg_copy_hdr; or the async prep of a linked or IOSQE_ASYNC request).
 * So it is read from the submitter's memory now (the SQ thread shares the
 * process's mm), and the record says so: another thread may rewrite it
 * before the kernel's copy. UA_SF_ADDR_FAULT: the memory could not be read
 * (not resident, or a bad pointer the kernel will refuse too).
 */
static __always_inline void copy_user_addr(struct ua_ev_submit *e, const void *uaddr, int len)
{
	__u64 n;

	if (!uaddr || len <= 0)
		return;
	e->flags |= UA_SF_ADDR_USER;
	/* no more than the kernel would copy (a sockaddr_storage), and never
	 * past the submitter's address (its next page may be unmapped) */
	n = len > UA_ADDR_MAX ? UA_ADDR_MAX : (__u64)len;
	barrier_var(n);
	if (n < 1 || n > UA_ADDR_MAX)
		return;
	if (bpf_probe_read_user(e->addr.raw, n, uaddr)) {
		e->flags |= UA_SF_ADDR_FAULT;
		return;
	}
	e->addr.len = (__u16)n;
	e->flags |= UA_SF_HAS_ADDR;
}

/* io_sr_msg before 6.10 kept sendto's address (send_zc since 6.0, send since
 * 6.1); later kernels copy it at prep and have no such fields. */
struct io_sr_msg___v6_1 {
	void *addr;
	__u16 addr_len;
};

/* sendmsg's destination, through the submitter's msghdr (a compat_msghdr
 * for a 32-bit ring), as io_sendmsg_copy_hdr() will read it. */
static __always_inline void copy_user_msg_name(struct ua_ev_submit *e, struct io_kiocb *req,
					       const void *umsg)
{
	struct io_ring_ctx *ctx = KRD(req, ctx);
	void *name = NULL;
	int len = 0;

	if (!umsg)
		return;
	if (ctx && BPF_CORE_READ_BITFIELD_PROBED(ctx, compat)) {
		struct compat_msghdr cm;

		if (bpf_probe_read_user(&cm, 8, umsg))
			goto fault;
		name = (void *)(unsigned long)cm.msg_name;
		len = cm.msg_namelen;
	} else {
		struct user_msghdr um;

		if (bpf_probe_read_user(&um, 16, umsg))
			goto fault;
		name = um.msg_name;
		len = um.msg_namelen;
	}
	copy_user_addr(e, name, len);
	return;
fault:
	e->flags |= UA_SF_ADDR_USER | UA_SF_ADDR_FAULT;
}

/* The names a request carries (struct filename, or an xattr name), copied
 * into the event after the per-op arguments are read. */
struct cap_names {
	struct filename *n1, *n2;
	const char *attr;
};

/* Ops on names and files: openat, close, the *at ops, statx, xattrs. */
static __always_inline bool capture_fs(struct ua_ev_submit *e, struct io_kiocb *req, __u32 op,
				       struct cap_names *n)
{
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *o = REQ_CMD(req, io_open);

		e->dfd = KRD(o, dfd);
		e->file_slot = KRD(o, file_slot);
		e->op_flags = (__u32)KRD(o, how.flags);
		e->mode = (__u32)KRD(o, how.mode);
		e->resolve = KRD(o, how.resolve);
		n->n1 = KRD(o, filename);
		break;
	}
	case IORING_OP_CLOSE: {
		struct io_close *c = REQ_CMD(req, io_close);

		e->fd = KRD(c, fd);
		e->file_slot = KRD(c, file_slot);
		break;
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *u = REQ_CMD(req, io_unlink);

		e->dfd = KRD(u, dfd);
		e->op_flags = KRD(u, flags);
		n->n1 = KRD(u, filename);
		break;
	}
	case IORING_OP_MKDIRAT: {
		struct io_mkdir *m = REQ_CMD(req, io_mkdir);

		e->dfd = KRD(m, dfd);
		e->mode = KRD(m, mode);
		n->n1 = KRD(m, filename);
		break;
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *r = REQ_CMD(req, io_rename);

		e->dfd = KRD(r, old_dfd);
		e->dfd2 = KRD(r, new_dfd);
		e->op_flags = KRD(r, flags);
		n->n1 = KRD(r, oldpath);
		n->n2 = KRD(r, newpath);
		break;
	}
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT: {
		/* symlinkat: oldpath is the target text, new_dfd/newpath the link */
		struct io_link *l = REQ_CMD(req, io_link);

		e->dfd = KRD(l, old_dfd);
		e->dfd2 = KRD(l, new_dfd);
		e->op_flags = KRD(l, flags);
		n->n1 = KRD(l, oldpath);
		n->n2 = KRD(l, newpath);
		break;
	}
	case IORING_OP_STATX: {
		struct io_statx *x = REQ_CMD(req, io_statx);

		e->dfd = KRD(x, dfd);
		e->op_flags = KRD(x, flags);
		e->arg[0] = KRD(x, mask);
		n->n1 = KRD(x, filename);
		break;
	}
	case IORING_OP_SETXATTR:
	case IORING_OP_GETXATTR:
	case IORING_OP_FSETXATTR:
	case IORING_OP_FGETXATTR: {
		struct io_xattr *x = REQ_CMD(req, io_xattr);
		struct xattr_name *kn = KRD(x, ctx.kname);

		e->op_flags = KRD(x, ctx.flags);
		e->arg[0] = KRD(x, ctx.size);
		if (op == IORING_OP_SETXATTR || op == IORING_OP_GETXATTR)
			n->n1 = KRD(x, filename);
		n->attr = kn ? kn->name : NULL;
		break;
	}
	default:
		return false;
	}
	return true;
}

/* Ops on an open file with arguments of their own: ftruncate, fallocate. */
static __always_inline bool capture_file_args(struct ua_ev_submit *e, struct io_kiocb *req,
					      __u32 op)
{
	switch (op) {
	case IORING_OP_FTRUNCATE:
		/* Linux 6.9; ops a kernel lacks never reach here, and the
		 * verifier drops the read where the type is missing. */
		if (bpf_core_type_exists(struct io_ftrunc))
			e->arg[0] = KRD(REQ_CMD(req, io_ftrunc), len);
		break;
	case IORING_OP_FALLOCATE: {
		struct io_sync *y = REQ_CMD(req, io_sync);

		e->arg[0] = KRD(y, off);
		e->arg[1] = KRD(y, len);
		e->arg[2] = KRD(y, mode);
		break;
	}
	default:
		return false;
	}
	return true;
}

/* Socket ops: socket, connect, bind, listen, accept, shutdown, send*. */
static __always_inline bool capture_sock(struct ua_ev_submit *e, struct io_kiocb *req, __u32 op)
{
	switch (op) {
	case IORING_OP_SOCKET: {
		struct io_socket *k = REQ_CMD(req, io_socket);

		e->arg[0] = KRD(k, domain);
		e->arg[1] = KRD(k, type);
		e->arg[2] = KRD(k, protocol);
		e->op_flags = KRD(k, flags);
		e->file_slot = KRD(k, file_slot);
		break;
	}
	case IORING_OP_CONNECT: {
		struct io_connect *c = REQ_CMD(req, io_connect);
		void *async = KRD(req, async_data);

		/* the kernel's copy since 6.10 (prep), else still the submitter's */
		if (async)
			copy_conn_addr(e, async, KRD(c, addr_len));
		else
			copy_user_addr(e, KRD(c, addr), KRD(c, addr_len));
		break;
	}
	case IORING_OP_BIND:
		/* bind and listen: Linux 6.11 */
		if (bpf_core_type_exists(struct io_bind))
			copy_conn_addr(e, KRD(req, async_data),
				       KRD(REQ_CMD(req, io_bind), addr_len));
		break;
	case IORING_OP_LISTEN:
		if (bpf_core_type_exists(struct io_listen))
			e->arg[0] = KRD(REQ_CMD(req, io_listen), backlog);
		break;
	case IORING_OP_ACCEPT: {
		struct io_accept *a = REQ_CMD(req, io_accept);

		e->op_flags = KRD(a, flags);
		e->file_slot = KRD(a, file_slot);
		/* The accept flags of sqe->ioprio, kept since 6.10; before, the
		 * only one (IORING_ACCEPT_MULTISHOT, 5.19) became
		 * REQ_F_APOLL_MULTISHOT at prep, so it reads back exactly. */
		if (bpf_core_field_exists(a->iou_flags))
			e->arg[0] = KRD(a, iou_flags);
		else if (KRD(req, flags) & cfg_req_f_multishot)
			e->arg[0] = IORING_ACCEPT_MULTISHOT;
		break;
	}
	case IORING_OP_SHUTDOWN:
		e->arg[0] = KRD(REQ_CMD(req, io_shutdown), how);
		break;
	case IORING_OP_SEND:
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC: {
		struct io_sr_msg *sr = REQ_CMD(req, io_sr_msg);
		void *async = KRD(req, async_data);

		e->op_flags = KRD(sr, msg_flags);
		if (async)
			copy_dest(e, async);
		else if (op == IORING_OP_SEND || op == IORING_OP_SEND_ZC) {
			struct io_sr_msg___v6_1 *old = (void *)sr;

			if (bpf_core_field_exists(old->addr))
				copy_user_addr(e, BPF_CORE_READ(old, addr),
					       BPF_CORE_READ(old, addr_len));
		} else
			copy_user_msg_name(e, req, KRD(sr, umsg));
		break;
	}
	default:
		return false;
	}
	return true;
}

/* Ops on rings and commands: msg_ring, fixed_fd_install, uring_cmd. */
static __always_inline bool capture_ring(struct ua_ev_submit *e, struct io_kiocb *req, __u32 op)
{
	switch (op) {
	case IORING_OP_MSG_RING: {
		struct io_msg *m = REQ_CMD(req, io_msg);

		e->arg[0] = KRD(m, cmd);
		e->arg[1] = KRD(m, len);
		e->arg[2] = KRD(m, src_fd);
		e->arg[3] = KRD(m, dst_fd);
		e->op_flags = KRD(m, flags);
		break;
	}
	case IORING_OP_FIXED_FD_INSTALL:
		/* Linux 6.8 */
		if (bpf_core_type_exists(struct io_fixed_install))
			e->op_flags = KRD(REQ_CMD(req, io_fixed_install), o_flags);
		break;
	case IORING_OP_URING_CMD: {
		struct io_uring_cmd *c = REQ_CMD(req, io_uring_cmd);

		e->arg[0] = KRD(c, cmd_op);
		e->op_flags = KRD(c, flags);
		/* socket commands (Linux 6.7, when the command kept its SQE):
		 * level and optname, as the kernel will read them */
		if (bpf_core_field_exists(c->sqe) &&
		    bpf_core_field_exists(struct io_uring_sqe, optname)) {
			const struct io_uring_sqe *sqe = KRD(c, sqe);

			if (sqe) {
				e->arg[1] = BPF_CORE_READ(sqe, level);
				e->arg[2] = BPF_CORE_READ(sqe, optname);
			}
		}
		break;
	}
	default:
		return false;
	}
	return true;
}

/* Objects of the operations, from the request's prepared command (a global
 * function: the verifier checks it once), one family of ops at a time. Read
 * only for requests that passed prep, where these fields are known to be set
 * by this very request (a recycled request keeps stale ones otherwise). */
__noinline int ua_capture_objects(struct submit_buf *b, __u32 op)
{
	struct cap_names n = {};
	struct io_kiocb *req;
	struct ua_ev_submit *e;

	if (!b)
		return 0;
	e = &b->ev;
	/* the request, from the event (a global function takes no kernel pointers) */
	req = KCAST(io_kiocb, e->req);

	/* ops on a file: sqe->fd as io_init_req() kept it (a slot with
	 * IOSQE_FIXED_FILE); meaningless for others, printed only with a file */
	e->fd = KRD(req, cqe.fd);
	if (!capture_fs(e, req, op, &n) && !capture_file_args(e, req, op) &&
	    !capture_sock(e, req, op))
		capture_ring(e, req, op);
	e->name_len = copy_name(b, 0, n.n1, UA_SF_HAS_NAME, UA_SF_NAME_FAULT);
	if (n.attr)
		e->name2_len = copy_str(b, e->name_len, n.attr, UA_SF_HAS_NAME2 | UA_SF_NAME2_ATTR,
					UA_SF_NAME_FAULT);
	else
		e->name2_len = copy_name(b, e->name_len, n.n2, UA_SF_HAS_NAME2, UA_SF_NAME_FAULT);
	return 0;
}

/* Decide addr_layout from a selected connect: which of the two places holds
 * what user memory holds. Runs until decided (the daemon's own connect at
 * start decides it; the loader selects connects for it). */
static __noinline void latch_addr_layout(struct io_kiocb *req)
{
	struct io_connect *c = REQ_CMD(req, io_connect);
	void *async = req->async_data;
	struct io_async_msghdr *am = KCAST(io_async_msghdr, async);
	__u8 u[16] = {}, a[16] = {}, m[16] = {};
	bool in_a = true, in_m = true;
	int n = KRD(c, addr_len), i;

	if (!async) {
		addr_layout = ADDR_AT_ISSUE;
		return;
	}
	if (n < 4)
		return;
	if (bpf_probe_read_user(u, sizeof(u), KRD(c, addr)) ||
	    bpf_probe_read_kernel(a, sizeof(a), async) ||
	    bpf_probe_read_kernel(m, sizeof(m), &am->addr))
		return;
	for (i = 0; i < 16; i++) {
		if (i >= n)
			break;
		in_a = in_a && u[i] == a[i];
		in_m = in_m && u[i] == m[i];
	}
	if (in_a != in_m)
		addr_layout = in_a ? ADDR_IN_STORAGE : ADDR_IN_MSGHDR;
}

#endif /* UA_CAPTURE_BPF_H */
