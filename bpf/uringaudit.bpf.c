// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: the tracepoint backend.
 *
 * Every io_uring request passes io_uring_submit_req and, when it posts a CQE,
 * io_uring_complete. Those two programs run for every request on the system,
 * so each starts with the same gate: read req->opcode, test it against the
 * opcode bitmap (a global, so one load, no helper call), return. Only requests
 * that a rule selects go further.
 *
 * A selected request produces two events: SUBMIT (who, with which creds, in
 * which context, what) and COMPLETE (the CQE result). User space joins them by
 * the submit sequence number that the kernel keeps in the pending map, keyed by
 * the request pointer, which is unique while the request lives. user_data is
 * never a key: the submitter controls it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "uringaudit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* From include/linux/sched.h and include/uapi/linux/io_uring.h: macros, so not
 * in BTF. Both have been stable since io_uring was merged. */
#define PF_IO_WORKER 0x00000010
#define IORING_SETUP_SQPOLL (1U << 1)
#define IORING_CQE_F_MORE (1U << 1)

/* REQ_F_* masks of the running kernel. The bit numbers move between kernel
 * versions and live in an anonymous enum, so the loader looks them up in the
 * kernel's BTF by enumerator name and sets these before load. */
const volatile __u64 cfg_req_f_fixed_file = 0;
const volatile __u64 cfg_req_f_link = 0;
const volatile __u64 cfg_req_f_force_async = 0;
const volatile __u64 cfg_req_f_cqe_skip = 0;
const volatile __u64 cfg_req_f_creds = 0;
/* Force a consumer wake-up once this much data waits in the ring buffer;
 * below it the consumer finds the records on its own timer. */
const volatile __u64 cfg_wakeup_bytes = 256 * 1024;

/* The union of the opcodes that the rules select: the first gate. Written by
 * user space through the mmap-ed .bss; a reload replaces words in place. */
__u64 opmask[UA_OPMASK_WORDS];
/* Global event sequence, taken before the ring buffer reserve. */
__u64 seq_next;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by the loader */
} rb SEC(".maps");

/* LRU so that requests that end without any event we can see (a successful
 * IOSQE_CQE_SKIP_SUCCESS request) age out instead of filling the map: the
 * oldest entries are the stale ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct ua_pending);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ua_ud_key);
	__type(value, __u64);
} byud SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UA_CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Events followed by room for their variable part (names[] here is
 * ev.names[]): a flexible array member followed by storage, a GNU extension
 * that clang supports. */
#pragma clang diagnostic ignored "-Wgnu-variable-sized-type-not-at-end"
struct submit_buf {
	struct ua_ev_submit ev;
	char names[2 * UA_NAME_MAX];
};
_Static_assert(__builtin_offsetof(struct submit_buf, names) == sizeof(struct ua_ev_submit),
	       "names follow the event");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct submit_buf);
} scratch SEC(".maps");

struct exe_buf {
	struct ua_ev_exe ev;
	char comps[UA_EXE_MAX + 256];
};
_Static_assert(__builtin_offsetof(struct exe_buf, comps) == sizeof(struct ua_ev_exe),
	       "components follow the event");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exe_buf);
} exe_scratch SEC(".maps");

/* Processes whose executable was sent. LRU: a process that falls out is
 * sent again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ua_exe_key);
	__type(value, __u8);
} exe_seen SEC(".maps");

extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

static __always_inline bool op_selected(__u8 op)
{
	return opmask[op >> 6] & (1ULL << (op & 63));
}

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

static __always_inline __u64 rb_flags(void)
{
	if (bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= cfg_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void hdr_init(struct ua_ev_hdr *h, __u32 type, __u32 size)
{
	h->type = type;
	h->size = size;
	h->seq = __sync_fetch_and_add(&seq_next, 1);
	h->ktime = bpf_ktime_get_boot_ns();
}

static __always_inline void ids_from(struct ua_ids *d, const struct cred *c)
{
	d->uid = BPF_CORE_READ(c, uid.val);
	d->gid = BPF_CORE_READ(c, gid.val);
	d->euid = BPF_CORE_READ(c, euid.val);
	d->suid = BPF_CORE_READ(c, suid.val);
	d->fsuid = BPF_CORE_READ(c, fsuid.val);
	d->egid = BPF_CORE_READ(c, egid.val);
	d->sgid = BPF_CORE_READ(c, sgid.val);
	d->fsgid = BPF_CORE_READ(c, fsgid.val);
}

/* Copy a kernel-held name (struct filename, already copied from user memory
 * at prep time) into the event after @off bytes of names[]. Returns the
 * length without the NUL, or 0. Never reads user memory. */
static __always_inline __u32 copy_name(struct submit_buf *b, __u32 off, struct filename *fn,
				       __u32 has_flag, __u32 fault_flag)
{
	const char *name;
	long n;

	if (!fn)
		return 0;
	name = BPF_CORE_READ(fn, name);
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

/* Objects of the file operations, from the request's prepared command. Read
 * only for requests that passed prep, where these fields are known to be set
 * by this very request (a recycled request keeps stale ones otherwise). */
static __always_inline void capture_objects(struct submit_buf *b, struct io_kiocb *req, __u8 op)
{
	struct ua_ev_submit *e = &b->ev;
	struct filename *n1 = NULL, *n2 = NULL;

	e->fd = -1;
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *o = (void *)req;

		e->dfd = BPF_CORE_READ(o, dfd);
		e->file_slot = BPF_CORE_READ(o, file_slot);
		e->op_flags = (__u32)BPF_CORE_READ(o, how.flags);
		e->mode = (__u32)BPF_CORE_READ(o, how.mode);
		e->resolve = BPF_CORE_READ(o, how.resolve);
		n1 = BPF_CORE_READ(o, filename);
		break;
	}
	case IORING_OP_CLOSE: {
		struct io_close *c = (void *)req;

		e->fd = BPF_CORE_READ(c, fd);
		e->file_slot = BPF_CORE_READ(c, file_slot);
		break;
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *u = (void *)req;

		e->dfd = BPF_CORE_READ(u, dfd);
		e->op_flags = BPF_CORE_READ(u, flags);
		n1 = BPF_CORE_READ(u, filename);
		break;
	}
	case IORING_OP_MKDIRAT: {
		struct io_mkdir *m = (void *)req;

		e->dfd = BPF_CORE_READ(m, dfd);
		e->mode = BPF_CORE_READ(m, mode);
		n1 = BPF_CORE_READ(m, filename);
		break;
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *r = (void *)req;

		e->dfd = BPF_CORE_READ(r, old_dfd);
		e->dfd2 = BPF_CORE_READ(r, new_dfd);
		e->op_flags = BPF_CORE_READ(r, flags);
		n1 = BPF_CORE_READ(r, oldpath);
		n2 = BPF_CORE_READ(r, newpath);
		break;
	}
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT: {
		/* symlinkat: oldpath is the target text, new_dfd/newpath the link */
		struct io_link *l = (void *)req;

		e->dfd = BPF_CORE_READ(l, old_dfd);
		e->dfd2 = BPF_CORE_READ(l, new_dfd);
		e->op_flags = BPF_CORE_READ(l, flags);
		n1 = BPF_CORE_READ(l, oldpath);
		n2 = BPF_CORE_READ(l, newpath);
		break;
	}
	default:
		break;
	}
	e->name_len = copy_name(b, 0, n1, UA_SF_HAS_NAME, UA_SF_NAME_FAULT);
	e->name2_len = copy_name(b, e->name_len, n2, UA_SF_HAS_NAME2, UA_SF_NAME_FAULT);
}

/*
 * Send the executable's path the first time a process shows up. The walk goes
 * from the file's dentry up through d_parent; at the root of a mount it
 * continues from the mountpoint in the parent mount (struct mount, which
 * embeds the vfsmount), and stops at a mount that is its own parent: the root
 * of the process's mount namespace. One step per bpf_loop() callback, so the
 * verifier checks the step once instead of every path through 32 of them.
 */
struct exe_walk {
	struct exe_buf *b;
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *m;
	__u32 off;
	__u32 done;
};

static long exe_step(__u32 i, void *arg)
{
	/* Copies of the walk state: BPF_CORE_READ relocates whole access
	 * chains, and exe_walk is ours, not the kernel's. */
	struct exe_walk *w = arg;
	struct exe_buf *b = w->b;
	struct dentry *d = w->d;
	struct vfsmount *vm = w->vm;
	struct mount *m = w->m;
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	const unsigned char *name;
	long n;

	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);

		if (mp == m) {
			w->done = 1;
			return 1;
		}
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		w->vm = &mp->mnt;
		return 0;
	}
	if (d == parent) {
		w->done = 1;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name.name);
	n = bpf_probe_read_kernel_str(&b->comps[w->off & (UA_EXE_MAX - 1)], 256, name);
	if (n <= 0)
		return 1;
	w->off += n;
	if (w->off >= UA_EXE_MAX)
		return 1;
	w->d = parent;
	return 0;
}

static __always_inline void send_exe(struct ua_ev_submit *e, struct file *exe)
{
	struct ua_exe_key k = { .start_time = e->start_time, .exe_ino = e->exe_ino, .pid = e->pid };
	struct exe_walk w = {};
	struct exe_buf *b;
	__u32 zero = 0, off;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&exe_seen, &k))
		return;
	b = bpf_map_lookup_elem(&exe_scratch, &zero);
	if (!b)
		return;
	w.b = b;
	w.d = BPF_CORE_READ(exe, f_path.dentry);
	w.vm = BPF_CORE_READ(exe, f_path.mnt);
	w.m = container_of(w.vm, struct mount, mnt);
	bpf_loop(UA_EXE_DEPTH, exe_step, &w, 0);
	off = w.off & (UA_EXE_MAX - 1);
	b->ev.truncated = !w.done;
	b->ev.start_time = e->start_time;
	b->ev.exe_ino = e->exe_ino;
	b->ev.exe_dev = e->exe_dev;
	b->ev.pid = e->pid;
	b->ev.len = off;
	b->ev.pad = 0;
	hdr_init(&b->ev.hdr, UA_EV_EXE, sizeof(b->ev) + off);
	if (bpf_ringbuf_output(&rb, b, sizeof(b->ev) + off, BPF_RB_NO_WAKEUP)) {
		count(UA_CNT_DROPPED);
		return;
	}
	count(UA_CNT_EMITTED);
	bpf_map_update_elem(&exe_seen, &k, &one, BPF_ANY);
}

/*
 * Build and emit the SUBMIT event and remember the request. Runs in the
 * submitting task or the SQ thread: io_uring_submit_req and
 * io_uring_req_failed both fire from io_submit_sqe(), called by
 * io_uring_enter() or by io_sq_thread().
 */
static __always_inline int capture(struct io_kiocb *req, __u8 op, int init_err,
				   const struct io_uring_sqe *sqe)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct io_ring_ctx *ring = req->ctx;
	__u64 rflags = req->flags;
	struct ua_pending p = {};
	struct submit_buf *b;
	struct ua_ev_submit *e;
	__u32 zero = 0, size;
	struct file *exe;

	count(UA_CNT_SELECTED);
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return 0;
	e = &b->ev;
	__builtin_memset(e, 0, sizeof(*e));

	e->req = (__u64)req;
	e->ring = (__u64)ring;
	e->user_data = req->cqe.user_data;
	e->opcode = op;
	e->init_err = init_err;
	e->ring_flags = ring->flags;
	e->pid = task->tgid;
	e->tid = task->pid;
	e->ppid = task->real_parent->tgid;
	e->start_time = leader->start_boottime;
	e->auid = leader->loginuid.val;
	e->ses = leader->sessionid;
	e->cgroup_id = bpf_get_current_cgroup_id();
	exe = task->mm ? task->mm->exe_file : NULL;
	if (exe) {
		e->exe_ino = exe->f_inode->i_ino;
		e->exe_dev = exe->f_inode->i_sb->s_dev;
		send_exe(e, exe);
	}

	/* Execution context from task and ring flags, never from thread names:
	 * the SQ thread is an io thread (PF_IO_WORKER) of a SQPOLL ring. */
	if ((task->flags & PF_IO_WORKER) && (e->ring_flags & IORING_SETUP_SQPOLL)) {
		e->exec_ctx = UA_CTX_SQPOLL;
		/* The process's own identity is its leader's: the SQ thread keeps
		 * the creds of ring setup (see below). */
		ids_from(&e->task, leader->cred);
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), leader->comm);
	} else {
		e->exec_ctx = UA_CTX_TASK;
		ids_from(&e->task, task->cred);
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}
	if (rflags & cfg_req_f_force_async)
		e->exec_ctx = UA_CTX_IOWQ;

	/* Effective credentials: io_issue_sqe() overrides with req->creds
	 * (REQ_F_CREDS, from sqe->personality); else the SQ thread runs with
	 * ctx->sq_creds; else the task's own. */
	if (rflags & cfg_req_f_creds) {
		e->cred_src = UA_CRED_PERSONALITY;
		e->eff_cred = (__u64)req->creds;
		ids_from(&e->eff, req->creds);
	} else if (e->exec_ctx == UA_CTX_SQPOLL) {
		e->cred_src = UA_CRED_SQPOLL;
		e->eff_cred = (__u64)ring->sq_creds;
		ids_from(&e->eff, ring->sq_creds);
	} else {
		e->cred_src = UA_CRED_TASK;
		e->eff_cred = (__u64)task->cred;
		e->eff = e->task;
	}
	if (sqe) {
		e->personality = BPF_CORE_READ(sqe, personality);
		e->flags |= UA_SF_HAS_PERSONALITY;
	}

	if (rflags & cfg_req_f_cqe_skip)
		e->flags |= UA_SF_CQE_SKIP;
	if (rflags & cfg_req_f_force_async)
		e->flags |= UA_SF_FORCE_ASYNC;
	if (rflags & cfg_req_f_link)
		e->flags |= UA_SF_LINK;
	if (rflags & cfg_req_f_fixed_file)
		e->flags |= UA_SF_FIXED_FILE;

	if (init_err)
		e->flags |= UA_SF_INIT_FAILED;
	else
		capture_objects(b, req, op);

	size = sizeof(*e) + (e->name_len & (UA_NAME_MAX - 1)) + (e->name2_len & (UA_NAME_MAX - 1));
	hdr_init(&e->hdr, UA_EV_SUBMIT, size);
	if (bpf_ringbuf_output(&rb, b, size, rb_flags())) {
		count(UA_CNT_DROPPED);
		return 0;
	}
	count(UA_CNT_EMITTED);

	p.submit_seq = e->hdr.seq;
	p.ring = e->ring;
	if (bpf_map_update_elem(&pending, &e->req, &p, BPF_ANY))
		count(UA_CNT_PENDING_FULL);
	{
		struct ua_ud_key k = { .ring = e->ring, .user_data = e->user_data };

		bpf_map_update_elem(&byud, &k, &e->req, BPF_ANY);
	}
	return 0;
}

/* Emit COMPLETE for a pending request and forget it. */
static __always_inline void finish(__u64 reqp, struct ua_pending *p, __s32 res, __u32 cflags,
				   __u32 flags, __u64 user_data)
{
	struct ua_ev_complete *c;
	struct ua_ud_key k = { .ring = p->ring, .user_data = user_data };
	__u64 *cur;

	c = bpf_ringbuf_reserve(&rb, sizeof(*c), 0);
	if (!c) {
		/* The sequence number is still consumed so the gap shows. */
		__sync_fetch_and_add(&seq_next, 1);
		count(UA_CNT_DROPPED);
	} else {
		hdr_init(&c->hdr, UA_EV_COMPLETE, sizeof(*c));
		c->req = reqp;
		c->submit_seq = p->submit_seq;
		c->ring = p->ring;
		c->res = res;
		c->cflags = cflags;
		c->flags = p->flags | flags;
		c->cqes = p->cqes + 1;
		bpf_ringbuf_submit(c, rb_flags());
		count(UA_CNT_EMITTED);
	}
	cur = bpf_map_lookup_elem(&byud, &k);
	if (cur && *cur == reqp)
		bpf_map_delete_elem(&byud, &k);
	bpf_map_delete_elem(&pending, &reqp);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(submit_req, struct io_kiocb *req)
{
	__u8 op = req->opcode;

	if (!op_selected(op))
		return 0;
	return capture(req, op, 0, NULL);
}

/*
 * io_submit_fail_init(): io_init_req() or the op's prep failed (bad
 * personality id, bad flags, a name that could not be copied). There is no
 * io_uring_submit_req for such a request, but a CQE with the error follows.
 */
SEC("tp_btf/io_uring_req_failed")
int BPF_PROG(req_failed, const struct io_uring_sqe *sqe, struct io_kiocb *req, int error)
{
	__u8 op = req->opcode;

	if (!op_selected(op))
		return 0;
	return capture(req, op, error, sqe);
}

/*
 * io_queue_iowq(): the request goes to an io-wq worker (IOSQE_ASYNC, or the
 * inline attempt returned -EAGAIN). Runs in the submitter; only marks the
 * pending request, the record stays one per request.
 */
SEC("tp_btf/io_uring_queue_async_work")
int BPF_PROG(queue_async_work, struct io_kiocb *req, int rw)
{
	__u64 key = (__u64)req;
	struct ua_pending *p;

	if (!op_selected(req->opcode))
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (p)
		p->flags |= UA_CF_PUNTED;
	return 0;
}

/*
 * io_fill_cqe_req(): a CQE was written to the CQ ring. The tracepoint types
 * req as void *, so it is cast (bpf_rdonly_cast costs no instruction: the
 * verifier rewrites it to a move) and read with fault-safe loads. Auxiliary
 * CQEs pass req == NULL.
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(complete, struct io_ring_ctx *ring, void *vreq, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = bpf_rdonly_cast(vreq, bpf_core_type_id_kernel(struct io_kiocb));
	__u64 key = (__u64)vreq;
	struct ua_pending *p;
	__u32 cflags;

	if (!req || !op_selected(req->opcode))
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p)
		return 0;
	cflags = cqe->flags;
	if (cflags & IORING_CQE_F_MORE) {
		/* multishot: more CQEs follow; one record, at the last one */
		p->cqes++;
		return 0;
	}
	finish(key, p, cqe->res, cflags, 0, cqe->user_data);
	return 0;
}

/*
 * io_cqe_overflow(): the CQ ring was full; the CQE is kept on the overflow
 * list and io_uring_complete does not fire. The tracepoint carries no request
 * pointer, so the request is found by (ring, user_data) as recorded at submit.
 * Submitters can reuse user_data; then the latest such request is taken.
 */
SEC("tp_btf/io_uring_cqe_overflow")
int BPF_PROG(cqe_overflow, void *ring, unsigned long long user_data, s32 res, u32 cflags,
	     void *ocqe)
{
	struct ua_ud_key k = { .ring = (__u64)ring, .user_data = user_data };
	struct ua_pending *p;
	__u64 *reqp, reqv;

	reqp = bpf_map_lookup_elem(&byud, &k);
	if (!reqp)
		return 0;
	reqv = *reqp;
	p = bpf_map_lookup_elem(&pending, &reqv);
	if (!p)
		return 0;
	if (cflags & IORING_CQE_F_MORE) {
		p->cqes++;
		return 0;
	}
	count(UA_CNT_OVERFLOW);
	finish(reqv, p, res, cflags, UA_CF_OVERFLOW, user_data);
	return 0;
}

/* io_uring_create(): a ring exists. Rare; always recorded. */
SEC("tp_btf/io_uring_create")
int BPF_PROG(ring_create, int fd, void *ring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct ua_ev_ring *r;
	__u64 id = bpf_get_current_pid_tgid();

	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&seq_next, 1);
		count(UA_CNT_DROPPED);
		return 0;
	}
	hdr_init(&r->hdr, UA_EV_RING_CREATE, sizeof(*r));
	r->ring = (__u64)ring;
	r->pid = id >> 32;
	r->tid = (__u32)id;
	r->fd = fd;
	r->sq_entries = sq_entries;
	r->cq_entries = cq_entries;
	r->flags = flags;
	bpf_ringbuf_submit(r, rb_flags());
	count(UA_CNT_EMITTED);
	return 0;
}

/*
 * __io_uring_register() end: rare. For IORING_REGISTER_PERSONALITY, ret is the
 * new id and the registered creds are the caller's current creds
 * (io_register_personality: get_current_cred()), which lets user space name
 * the personality behind req->creds.
 */
SEC("tp_btf/io_uring_register")
int BPF_PROG(ring_register, void *ring, unsigned int opcode, unsigned int nr_files,
	     unsigned int nr_bufs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ua_ev_register *r;

	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&seq_next, 1);
		count(UA_CNT_DROPPED);
		return 0;
	}
	hdr_init(&r->hdr, UA_EV_REGISTER, sizeof(*r));
	r->ring = (__u64)ring;
	r->cred = (__u64)task->cred;
	r->ret = ret;
	r->pid = task->tgid;
	r->tid = task->pid;
	r->opcode = opcode;
	r->pad = 0;
	ids_from(&r->ids, task->cred);
	bpf_ringbuf_submit(r, rb_flags());
	count(UA_CNT_EMITTED);
	return 0;
}
