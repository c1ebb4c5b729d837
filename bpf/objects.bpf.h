/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Objects: files behind descriptors and fixed slots, their paths (walked in
 * the kernel), sockets and their addresses, the executable of a process;
 * which objects a request has at submit and at completion.
 */
#ifndef UA_OBJECTS_BPF_H
#define UA_OBJECTS_BPF_H

/* The file at @fd in @task's descriptor table, or NULL. Only called for the
 * submitting process (a fd number means nothing in another table). */
static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct files_struct *files = task->files;
	struct fdtable *fdt;
	struct file **arr;
	struct file *f = NULL;

	if (!files || fd < 0)
		return NULL;
	/* task is typed: direct loads in the default object (KRD) */
	fdt = KRD(files, fdt);
	if (!fdt || (unsigned int)fd >= KRD(fdt, max_fds))
		return NULL;
	arr = (struct file **)KRD(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

/* Before 6.13 the fixed-file table was an array of tagged file pointers,
 * ctx->nr_user_files long (6.1's and 6.12's BTF). The tag bits were 3 before
 * 6.0 (FFS_ASYNC_READ, FFS_ASYNC_WRITE, FFS_ISREG); a struct file is at
 * least 8-byte aligned, so ~7 clears them on every version. */
struct io_fixed_file___v6_12 {
	unsigned long file_ptr;
};

struct io_file_table___v6_12 {
	struct io_fixed_file___v6_12 *files;
};

struct io_ring_ctx___v6_12 {
	struct io_file_table___v6_12 file_table;
	unsigned int nr_user_files;
};

/* The file in fixed slot @slot (0-based) of @ring, or NULL. The table is
 * io_rsrc_data of io_rsrc_node since 6.13, an io_fixed_file array before. */
static __always_inline struct file *slot_file(struct io_ring_ctx *ring, __u32 slot)
{
	struct io_ring_ctx___v6_12 *old = (void *)ring;
	struct io_fixed_file___v6_12 *files;
	struct io_rsrc_node **nodes;
	struct io_rsrc_node *node = NULL;
	unsigned long fp = 0;

	if (bpf_core_field_exists(ring->file_table.data)) {
		if (slot >= BPF_CORE_READ(ring, file_table.data.nr))
			return NULL;
		nodes = BPF_CORE_READ(ring, file_table.data.nodes);
		bpf_probe_read_kernel(&node, sizeof(node), &nodes[slot]);
		if (!node)
			return NULL;
		fp = BPF_CORE_READ(node, file_ptr);
	} else if (bpf_core_field_exists(old->file_table.files)) {
		if (slot >= BPF_CORE_READ(old, nr_user_files))
			return NULL;
		files = BPF_CORE_READ(old, file_table.files);
		bpf_probe_read_kernel(&fp, sizeof(fp), &files[slot].file_ptr);
		return (struct file *)(fp & ~7UL);
	}
	return (struct file *)(fp & FFS_MASK);
}

/*
 * The path of a file: from its dentry up through d_parent, crossing mounts
 * (struct mount: mnt_mountpoint in mnt_parent), to a mount that is its own
 * parent (the root of the mount namespace). Components are written from the
 * end of work[] backwards, so the path comes out in order. A path longer
 * than UA_PATH_MAX keeps its leaf side; the walk goes on counting the full
 * length. One step per bpf_loop() callback.
 *
 * The dentries and mounts are kept as numbers and read through KCAST/KRD:
 * direct fault-safe loads in the default object, where BPF_CORE_READ made a
 * bpf_probe_read_kernel call per field (three or four a component, the most
 * of a selected open's completion in the profile); probe reads in the 6.1
 * object, as before.
 */
struct path_walk {
	struct obj_buf *b;
	__u64 d;    /* struct dentry * */
	__u64 m;    /* struct mount * */
	__u64 root; /* struct dentry *: mnt_root of m */
	__u32 off;  /* the path starts at work[off] */
	__u32 full; /* bytes of the whole path so far */
	__u32 trunc;
	__u32 done; /* 1: reached the namespace root; 2: a disconnected dentry */
};

static long path_step(__u32 i, void *arg)
{
	struct path_walk *w = arg;
	struct dentry *d;
	__u64 parent;
	__u32 len, off;

	if (w->d == w->root) {
		struct mount *m = KCAST(mount, w->m);
		__u64 mp = (__u64)KRD(m, mnt_parent);

		if (mp == w->m) {
			w->done = 1;
			return 1;
		}
		w->d = (__u64)KRD(m, mnt_mountpoint);
		w->m = mp;
		m = KCAST(mount, mp);
		w->root = (__u64)KRD(m, mnt.mnt_root);
		return 0;
	}
	d = KCAST(dentry, w->d);
	parent = (__u64)KRD(d, d_parent);
	if (w->d == parent) {
		w->done = 2;
		return 1;
	}
	len = KRD(d, d_name.len);
	if (len > 255)
		len = 255;
	w->full += len + 1;
	if (!w->trunc) {
		if (len + 1 > w->off) {
			w->trunc = 1;
		} else {
			w->off -= len + 1;
			off = w->off & (UA_PATH_MAX - 1);
			w->b->work[off] = '/';
			bpf_probe_read_kernel(&w->b->work[off + 1], len & 255, KRD(d, d_name.name));
		}
	}
	w->d = parent;
	return 0;
}

/* The walk itself, from @leaf in mount @vm (declared by the caller: w, vm,
 * leaf, len), written once for obj_path and obj_path_at: a macro rather
 * than a function so that obj_path's code, which every program inlines, is
 * what it was (6.1's verifier sums the stack of a program's frames and
 * bpf_loop callbacks, and a reordering of the inlined reads pushed
 * req_failed past 512 bytes). */
#define OBJ_PATH_WALK()                                                                   \
	w.b = b;                                                                          \
	w.d = (__u64)leaf;                                                                \
	w.m = (__u64)container_of(vm, struct mount, mnt);                                 \
	w.root = (__u64)KRD(vm, mnt_root);                                                \
	w.off = UA_PATH_MAX;                                                              \
	b->leaf = (__u64)leaf;                                                            \
	b->mnt = (__u64)w.m;                                                              \
	if (!KRD(leaf, d_hash.pprev) && leaf != KRD(leaf, d_parent))                      \
		b->ev.flags |= UA_OF_DELETED;                                             \
	bpf_loop(UA_PATH_DEPTH, path_step, &w, 0);                                        \
	if (w.done == 2 && w.off == UA_PATH_MAX) {                                        \
		/* pipe, socket, anon inode: no path, only a name ("[io_uring]") */       \
		long n = bpf_probe_read_kernel_str(b->path, 256, KRD(leaf, d_name.name)); \
                                                                                          \
		b->ev.flags |= UA_OF_PSEUDO;                                              \
		b->ev.path_len = n > 0 ? (__u16)(n - 1) : 0;                              \
		return;                                                                   \
	}                                                                                 \
	if (!w.done)                                                                      \
		b->ev.flags |= UA_OF_TRUNC | UA_OF_LEN_UNKNOWN;                           \
	if (w.trunc)                                                                      \
		b->ev.flags |= UA_OF_TRUNC;                                               \
	b->ev.full_len = w.full ? w.full : 1;                                             \
	len = UA_PATH_MAX - w.off;                                                        \
	if (len == 0) {                                                                   \
		b->path[0] = '/';                                                         \
		b->ev.path_len = 1;                                                       \
		return;                                                                   \
	}                                                                                 \
	bpf_probe_read_kernel(b->path, len &(2 * UA_PATH_MAX - 1),                        \
			      &b->work[w.off & (UA_PATH_MAX - 1)]);                       \
	b->ev.path_len = (__u16)len;

static __always_inline void obj_path(struct obj_buf *b, struct file *file)
{
	struct path_walk w = {};
	struct vfsmount *vm = KRD(file, f_path.mnt);
	struct dentry *leaf = KRD(file, f_path.dentry);
	__u32 len;

	OBJ_PATH_WALK();
}

/* The path of dentry @leaf in mount @vm (a rename's new name). */
static __always_inline void obj_path_at(struct obj_buf *b, struct vfsmount *vm, struct dentry *leaf)
{
	struct path_walk w = {};
	__u32 len;

	OBJ_PATH_WALK();
}

static __always_inline void sa_family(struct ua_addr *a, __u16 fam)
{
	a->len = 2;
	a->raw[0] = (__u8)fam;
	a->raw[1] = (__u8)(fam >> 8);
}

/* struct sockaddr_in / sockaddr_in6 from the socket's own fields. */
static __always_inline void sa_in(struct ua_addr *a, __u32 addr, __u16 port_be)
{
	sa_family(a, AF_INET);
	a->len = 16;
	__builtin_memcpy(&a->raw[2], &port_be, 2);
	__builtin_memcpy(&a->raw[4], &addr, 4);
}

static __always_inline void sa_in6(struct ua_addr *a, const struct in6_addr *addr, __u16 port_be)
{
	__u32 w;

	sa_family(a, AF_INET6);
	a->len = 28;
	__builtin_memcpy(&a->raw[2], &port_be, 2);
	w = addr->in6_u.u6_addr32[0];
	__builtin_memcpy(&a->raw[8], &w, 4);
	w = addr->in6_u.u6_addr32[1];
	__builtin_memcpy(&a->raw[12], &w, 4);
	w = addr->in6_u.u6_addr32[2];
	__builtin_memcpy(&a->raw[16], &w, 4);
	w = addr->in6_u.u6_addr32[3];
	__builtin_memcpy(&a->raw[20], &w, 4);
}

/* struct sockaddr_un of a bound unix socket (unix_address keeps it whole). */
static __always_inline void sa_un(struct ua_addr *a, struct unix_sock *u)
{
	struct unix_address *ua = KRD(u, addr);
	int len;

	sa_family(a, AF_UNIX);
	if (!ua)
		return;
	len = KRD(ua, len);
	if (len <= 2)
		return;
	bpf_probe_read_kernel(a->raw, len & (UA_ADDR_MAX - 1), &ua->name[0]);
	a->len = (__u16)(len & (UA_ADDR_MAX - 1));
}

static __always_inline void obj_sock(struct obj_buf *b, struct file *file)
{
	struct socket *so = KCAST(socket, KRD(file, private_data));
	struct sock *sk;
	__u16 fam;

	b->ev.kind = UA_OBJ_SOCK;
	if (!so)
		return;
	sk = KRD(so, sk);
	if (!sk)
		return;
	fam = KRD(sk, __sk_common.skc_family);
	b->ev.sock_type = KRD(sk, sk_type);
	b->ev.sock_proto = KRD(sk, sk_protocol);
	if (fam == AF_INET) {
		sa_in(&b->ev.local, KRD(sk, __sk_common.skc_rcv_saddr),
		      bpf_htons(KRD(sk, __sk_common.skc_num)));
		sa_in(&b->ev.peer, KRD(sk, __sk_common.skc_daddr), KRD(sk, __sk_common.skc_dport));
	} else if (fam == AF_INET6) {
		struct in6_addr a6 = KRD(sk, __sk_common.skc_v6_rcv_saddr);

		sa_in6(&b->ev.local, &a6, bpf_htons(KRD(sk, __sk_common.skc_num)));
		a6 = KRD(sk, __sk_common.skc_v6_daddr);
		sa_in6(&b->ev.peer, &a6, KRD(sk, __sk_common.skc_dport));
	} else if (fam == AF_UNIX) {
		struct unix_sock *u = KCAST(unix_sock, sk);
		struct sock *peer = KRD(u, peer);

		sa_un(&b->ev.local, u);
		if (peer)
			sa_un(&b->ev.peer, KCAST(unix_sock, peer));
	} else {
		sa_family(&b->ev.local, fam);
	}
}

static __always_inline void obj_init(struct obj_buf *b, __u16 role, __u16 kind)
{
	__builtin_memset(&b->ev, 0, sizeof(b->ev));
	b->leaf = 0;
	b->mnt = 0;
	b->ev.role = role;
	b->ev.kind = kind;
}

/* An inode's identity and owner (ino into b, through sb): a macro for the
 * reason OBJ_PATH_WALK is one. */
#define OBJ_INODE()                      \
	b->ev.ino = KRD(ino, i_ino);     \
	sb = KRD(ino, i_sb);             \
	b->ev.dev = KRD(sb, s_dev);      \
	b->ev.rdev = KRD(ino, i_rdev);   \
	b->ev.mode = KRD(ino, i_mode);   \
	b->ev.uid = KRD(ino, i_uid.val); \
	b->ev.gid = KRD(ino, i_gid.val)

static __always_inline void obj_inode(struct obj_buf *b, struct inode *ino)
{
	struct super_block *sb;

	OBJ_INODE();
}

/* What a struct file is: inode identity and owner, then its path or, for a
 * socket, its addresses. @fp may be NULL (nothing at that fd or slot). */
static __always_inline void obj_file(struct obj_buf *b, void *fp, __u16 role)
{
	struct file *file = KCAST(file, fp);
	struct super_block *sb;
	struct inode *ino;

	obj_init(b, role, UA_OBJ_FILE);
	if (!fp) {
		b->ev.flags |= UA_OF_UNRESOLVED;
		return;
	}
	ino = KRD(file, f_inode);
	if (!ino) {
		b->ev.flags |= UA_OF_UNRESOLVED;
		return;
	}
	OBJ_INODE();
	if ((b->ev.mode & S_IFMT) == S_IFSOCK)
		obj_sock(b, file);
	else
		obj_path(b, file);
}

/* The file a request created: in a fixed slot (@file_slot is the slot + 1,
 * or IORING_FILE_INDEX_ALLOC: the CQE result is the slot) or at fd @res of
 * the submitting process. */
static __always_inline void obj_new(struct obj_buf *b, struct io_ring_ctx *ring, __u32 file_slot,
				    __u32 tgid, __s32 res)
{
	struct task_struct *task = bpf_get_current_task_btf();
	void *f = NULL;

	if (file_slot)
		f = slot_file(ring,
			      file_slot == IORING_FILE_INDEX_ALLOC ? (__u32)res : file_slot - 1);
	else if (task->tgid == tgid)
		f = fd_file(task, res);
	obj_file(b, f, UA_ROLE_NEW);
}

/* @tgid, @uid, @op: its request's submitter, should the object be dropped. */
static __always_inline void emit_obj(struct obj_buf *b, __u64 submit_seq, __u64 req, __u32 tgid,
				     __u32 uid, __u32 op)
{
	__u32 size = sizeof(b->ev) + (b->ev.path_len & (2 * UA_PATH_MAX - 1));

	b->ev.submit_seq = submit_seq;
	b->ev.req = req;
	emit(b, UA_EV_OBJ, size, BPF_RB_NO_WAKEUP, tgid, uid, op);
}

/*
 * Send the executable's path the first time a process shows up, walked like
 * any object's path (obj_path) in a scratch object, then copied behind the
 * EXE event.
 */
static __always_inline void send_exe(__u32 pid, __u64 start_time, __u64 exe_ino, __u32 exe_dev,
				     struct file *exe, __u32 uid, __u32 op)
{
	struct ua_exe_key k = { .start_time = start_time, .exe_ino = exe_ino, .pid = pid };
	struct obj_buf *o = obj_slot(OBJ_AUX);
	struct exe_buf *b;
	__u32 zero = 0, len;
	__u8 one = 1;

	if (!o || bpf_map_lookup_elem(&exe_seen, &k))
		return;
	b = bpf_map_lookup_elem(&exe_scratch, &zero);
	if (!b)
		return;
	obj_init(o, 0, UA_OBJ_FILE);
	obj_path(o, exe);
	len = o->ev.path_len & (UA_PATH_MAX * 2 - 1);
	if (bpf_probe_read_kernel(b->path, len, o->path))
		return;
	b->ev.truncated = !!(o->ev.flags & UA_OF_TRUNC);
	b->ev.start_time = start_time;
	b->ev.exe_ino = exe_ino;
	b->ev.exe_dev = exe_dev;
	b->ev.pid = pid;
	b->ev.len = (__u16)len;
	b->ev.pad = 0;
	if (emit(b, UA_EV_EXE, sizeof(b->ev) + len, BPF_RB_NO_WAKEUP, pid, uid, op))
		return;
	bpf_map_update_elem(&exe_seen, &k, &one, BPF_ANY);
}

/* Objects known at submit, sent after the SUBMIT: the directory a dfd
 * names, the file a close is closing, the file msg_ring sends. Looked up in
 * the submitter's table (the SQ thread shares it) just before the kernel
 * does the same. */
static __always_inline void submit_objects(struct ua_ev_submit *e, struct io_kiocb *req, __u8 op)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct obj_buf *o = obj_slot(OBJ_AUX);

	if (!o || (e->flags & UA_SF_INIT_FAILED))
		return;
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
	case IORING_OP_UNLINKAT:
	case IORING_OP_MKDIRAT:
	case IORING_OP_STATX:
		if (e->dfd < 0)
			return;
		obj_file(o, fd_file(task, e->dfd), UA_ROLE_DIR);
		break;
	case IORING_OP_CLOSE:
		if (e->file_slot)
			obj_file(o, slot_file(req->ctx, e->file_slot - 1), UA_ROLE_CLOSED);
		else
			obj_file(o, fd_file(task, e->fd), UA_ROLE_CLOSED);
		break;
	case IORING_OP_MSG_RING:
		/* the fixed file sent: io_msg_grab_file() takes it from this slot
		 * at issue (and clears its pointer once sent) */
		if (e->arg[0] != IORING_MSG_SEND_FD)
			return;
		obj_file(o, slot_file(req->ctx, (__u32)e->arg[2]), UA_ROLE_SRC);
		break;
	default:
		return;
	}
	emit_obj(o, e->hdr.seq, e->req, e->pid, e->task.uid, op);
}

/*
 * The objects a request touched, looked up as it completes: the file it
 * used (req->file, still held: the request is freed after its CQE) and what
 * it created (the fd or slot of the CQE result). Returns HAVE_* bits.
 */
static __always_inline __u32 complete_objects(struct io_kiocb *req, struct ua_pending *p, __s32 res)
{
	struct file *f = KRD(req, file);
	struct obj_buf *o;
	__u8 op = p->opcode;
	__u32 have = 0;

	o = obj_slot(OBJ_FILE);
	if (o && f) {
		if (op == IORING_OP_MSG_RING) {
			/* the target ring: io_msg_ring() checked it is one */
			obj_init(o, UA_ROLE_FILE, UA_OBJ_RING);
			if (res >= 0)
				o->ev.ring = ring_serial((__u64)KRD(f, private_data), false);
			else
				o->ev.flags |= UA_OF_UNRESOLVED;
		} else {
			obj_file(o, f, UA_ROLE_FILE);
		}
		have |= HAVE_FILE;
	}
	if (res >= 0 && op_in(UA_OPC_NEW, op)) {
		o = obj_slot(OBJ_NEW);
		if (o) {
			obj_new(o, KRD(req, ctx), p->file_slot, p->tgid, res);
			have |= HAVE_NEW;
		}
	}
	return have;
}

/* The executable of the current process, sent (once per process) before a
 * ring-level event reserves its place, so that it arrives first. */
static __always_inline void owner_exe(struct task_struct *task)
{
	struct file *x = task->mm ? task->mm->exe_file : NULL;

	if (x)
		send_exe(task->tgid, task->group_leader->start_boottime, x->f_inode->i_ino,
			 x->f_inode->i_sb->s_dev, x, task->cred->uid.val, UA_DROP_OP_RING);
}

#endif /* UA_OBJECTS_BPF_H */
