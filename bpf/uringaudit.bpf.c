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
#include <bpf/bpf_endian.h>
#include "uringaudit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

/* From include/linux/sched.h and include/uapi/linux/io_uring.h: macros, so not
 * in BTF. Both have been stable since io_uring was merged. */
#define PF_IO_WORKER 0x00000010
#define IORING_SETUP_SQPOLL (1U << 1)
#define IORING_CQE_F_MORE (1U << 1)
#define IORING_REGISTER_PERSONALITY 9
#define IORING_REGISTER_RESTRICTIONS 11
#define IORING_FILE_INDEX_ALLOC (~0U)
#define IORING_MSG_SEND_FD 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
/* io_uring/rsrc.h: low bits of io_rsrc_node.file_ptr are flags */
#define FFS_MASK (~3UL)

extern int CONFIG_HZ __kconfig __weak;

/* REQ_F_* masks of the running kernel. The bit numbers move between kernel
 * versions and live in an anonymous enum, so the loader looks them up in the
 * kernel's BTF by enumerator name and sets these before load. */
const volatile __u64 cfg_req_f_fixed_file = 0;
const volatile __u64 cfg_req_f_link = 0;
const volatile __u64 cfg_req_f_force_async = 0;
const volatile __u64 cfg_req_f_cqe_skip = 0;
const volatile __u64 cfg_req_f_creds = 0;
const volatile __u64 cfg_req_f_multishot = 0; /* REQ_F_APOLL_MULTISHOT */
/* Force a consumer wake-up every this many events per CPU; between them the
 * consumer finds the records on its own timer. The loader sizes it so that a
 * quarter of the ring buffer fills before a forced wake-up. */
const volatile __u64 cfg_wakeup_every = 1024;

/* Rule banks (see uringaudit.h). For each bank, the union of the opcodes its
 * rules can record: the first gate. User space fills the idle bank's maps
 * and words, then flips rules_bank. */
__u32 rules_bank;
__u32 nrules[2];
__u64 opmask[2][UA_OPMASK_WORDS];
/* Global event sequence, taken before the ring buffer reserve. */
__u64 seq_next;
/* Where connect and bind keep the kernel copy of their address: in an
 * io_async_msghdr (.addr), or, since a 2026 change that stable kernels took
 * too, as a bare sockaddr_storage. Nothing in BTF tells the two apart, so
 * the first selected connect whose user-space address matches exactly one of
 * the two places decides (the daemon makes one at start). 0: not known. */
#define ADDR_IN_STORAGE 1
#define ADDR_IN_MSGHDR 2
__u32 addr_layout;
/* Selected multishot requests still pending: while there are none, the
 * auxiliary CQEs of every ring cost one load. A count left high by a
 * request that vanished unseen only costs lookups, never records. */
__s64 mshot_pending;
#define IORING_ACCEPT_MULTISHOT (1U << 0)

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
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * UA_KRULES_MAX);
	__type(key, __u32);
	__type(value, struct ua_krule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * UA_KSTRS_MAX);
	__type(key, __u32);
	__type(value, struct ua_kstr);
} rstrs SEC(".maps");

/* (ring, creds) -> personality id, from io_uring_register. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ua_pers_key);
	__type(value, __u32);
} pers SEC(".maps");

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
	char path[2 * UA_PATH_MAX];
};
_Static_assert(__builtin_offsetof(struct exe_buf, path) == sizeof(struct ua_ev_exe),
	       "the path follows the event");

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

/* Objects: built here (path walked into work[] from the leaf end, then
 * copied to the front of path[]), then sent. Slots: OBJ_FILE and OBJ_NEW
 * (completion), OBJ_AUX (submit-time objects, the executable's walk). */
struct obj_buf {
	struct ua_ev_obj ev;
	char path[2 * UA_PATH_MAX];
	char work[UA_PATH_MAX + 256];
};
_Static_assert(__builtin_offsetof(struct obj_buf, path) == sizeof(struct ua_ev_obj),
	       "the path follows the event");
#define OBJ_FILE 0
#define OBJ_NEW 1
#define OBJ_AUX 2

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct obj_buf);
} obj_scratch SEC(".maps");

static __always_inline bool op_selected(__u32 bank, __u8 op)
{
	return opmask[bank & 1][op >> 6] & (1ULL << (op & 63));
}

/* Completion side: a request may have been selected by the bank in force
 * before a reload, so either bank's opcodes pass. */
static __always_inline bool op_selected_any(__u8 op)
{
	return (opmask[0][op >> 6] | opmask[1][op >> 6]) & (1ULL << (op & 63));
}

static __always_inline bool cmp_u64(__u8 cmp, __u64 a, __u64 b)
{
	switch (cmp) {
	case UA_CMP_EQ:
		return a == b;
	case UA_CMP_NE:
		return a != b;
	case UA_CMP_LT:
		return a < b;
	case UA_CMP_GT:
		return a > b;
	case UA_CMP_LE:
		return a <= b;
	case UA_CMP_GE:
		return a >= b;
	case UA_CMP_AND:
		return (a & b) != 0;
	case UA_CMP_ANDEQ:
		return (a & b) == b;
	}
	return false;
}

static __always_inline bool cmp_s64(__u8 cmp, __s64 a, __s64 b)
{
	switch (cmp) {
	case UA_CMP_LT:
		return a < b;
	case UA_CMP_GT:
		return a > b;
	case UA_CMP_LE:
		return a <= b;
	case UA_CMP_GE:
		return a >= b;
	}
	return cmp_u64(cmp, (__u64)a, (__u64)b);
}

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

/*
 * Wake-ups are batched by a per-CPU count, not by asking the ring buffer how
 * full it is: bpf_ringbuf_query() reads the consumer position, a cache line
 * the consumer keeps writing, and measured under two concurrent submitters it
 * tripled the cost of every selected request (submit 570 ns -> 1560 ns).
 */
static __always_inline __u64 rb_flags(void)
{
	__u32 idx = UA_CNT_WAKE;
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c && ++*c >= cfg_wakeup_every) {
		*c = 0;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void hdr_init(struct ua_ev_hdr *h, __u32 type, __u32 size)
{
	h->type = type;
	h->size = size;
	h->seq = __sync_fetch_and_add(&seq_next, 1);
	h->ktime = bpf_ktime_get_boot_ns();
}

/* Direct loads through BTF pointers: the verifier turns them into
 * fault-safe loads, where BPF_CORE_READ would make a helper call per field
 * (measured: 16 such calls were most of a selected request's cost). */
static __always_inline void ids_from(struct ua_ids *d, const struct cred *c)
{
	d->uid = c->uid.val;
	d->gid = c->gid.val;
	d->euid = c->euid.val;
	d->suid = c->suid.val;
	d->fsuid = c->fsuid.val;
	d->egid = c->egid.val;
	d->sgid = c->sgid.val;
	d->fsgid = c->fsgid.val;
}

/* The request's prepared command as its op's type (io_kiocb_to_cmd()): a
 * cast the verifier rewrites to a move, then fault-safe direct loads. */
#define REQ_CMD(req, type) \
	((struct type *)bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct type)))

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
	return fn ? copy_str(b, off, fn->name, has_flag, fault_flag) : 0;
}

/* ---- objects behind descriptors ---- */

/* The file at @fd in @task's descriptor table, or NULL. Only called for the
 * submitting process (a fd number means nothing in another table). */
static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct files_struct *files = task->files;
	struct file **arr;
	struct file *f = NULL;

	if (!files || fd < 0)
		return NULL;
	if ((unsigned int)fd >= BPF_CORE_READ(files, fdt, max_fds))
		return NULL;
	arr = BPF_CORE_READ(files, fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

/* The file in fixed slot @slot (0-based) of @ring, or NULL. The table is
 * io_rsrc_data of io_rsrc_node since 6.13; older layouts are not read. */
static __always_inline struct file *slot_file(struct io_ring_ctx *ring, __u32 slot)
{
	struct io_rsrc_node **nodes;
	struct io_rsrc_node *node = NULL;
	unsigned long fp;

	if (!bpf_core_field_exists(ring->file_table.data))
		return NULL;
	if (slot >= BPF_CORE_READ(ring, file_table.data.nr))
		return NULL;
	nodes = BPF_CORE_READ(ring, file_table.data.nodes);
	bpf_probe_read_kernel(&node, sizeof(node), &nodes[slot]);
	if (!node)
		return NULL;
	fp = BPF_CORE_READ(node, file_ptr);
	return (struct file *)(fp & FFS_MASK);
}

/*
 * The path of a file: from its dentry up through d_parent, crossing mounts
 * (struct mount: mnt_mountpoint in mnt_parent), to a mount that is its own
 * parent (the root of the mount namespace). Components are written from the
 * end of work[] backwards, so the path comes out in order. A path longer
 * than UA_PATH_MAX keeps its leaf side; the walk goes on counting the full
 * length. One step per bpf_loop() callback.
 */
struct path_walk {
	struct obj_buf *b;
	struct dentry *d;
	struct mount *m;
	struct dentry *root; /* mnt_root of m */
	__u32 off;	     /* the path starts at work[off] */
	__u32 full;	     /* bytes of the whole path so far */
	__u32 trunc;
	__u32 done; /* 1: reached the namespace root; 2: a disconnected dentry */
};

static long path_step(__u32 i, void *arg)
{
	struct path_walk *w = arg;
	struct dentry *d = w->d;
	struct mount *m = w->m;
	struct dentry *parent;
	__u32 len, off;

	if (d == w->root) {
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);

		if (mp == m) {
			w->done = 1;
			return 1;
		}
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		w->root = BPF_CORE_READ(mp, mnt.mnt_root);
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (d == parent) {
		w->done = 2;
		return 1;
	}
	len = BPF_CORE_READ(d, d_name.len);
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
			bpf_probe_read_kernel(&w->b->work[off + 1], len & 255,
					      BPF_CORE_READ(d, d_name.name));
		}
	}
	w->d = parent;
	return 0;
}

static __always_inline void obj_path(struct obj_buf *b, struct file *file)
{
	struct path_walk w = {};
	struct vfsmount *vm = file->f_path.mnt;
	struct dentry *leaf = file->f_path.dentry;
	__u32 len;

	w.b = b;
	w.d = leaf;
	w.m = container_of(vm, struct mount, mnt);
	w.root = vm->mnt_root;
	w.off = UA_PATH_MAX;
	if (!leaf->d_hash.pprev && leaf != leaf->d_parent)
		b->ev.flags |= UA_OF_DELETED;
	bpf_loop(UA_PATH_DEPTH, path_step, &w, 0);
	if (w.done == 2 && w.off == UA_PATH_MAX) {
		/* pipe, socket, anon inode: no path, only a name ("[io_uring]") */
		long n = bpf_probe_read_kernel_str(b->path, 256, leaf->d_name.name);

		b->ev.flags |= UA_OF_PSEUDO;
		b->ev.path_len = n > 0 ? (__u16)(n - 1) : 0;
		return;
	}
	if (!w.done)
		b->ev.flags |= UA_OF_TRUNC | UA_OF_LEN_UNKNOWN;
	if (w.trunc)
		b->ev.flags |= UA_OF_TRUNC;
	b->ev.full_len = w.full ? w.full : 1;
	len = UA_PATH_MAX - w.off;
	if (len == 0) {
		b->path[0] = '/';
		b->ev.path_len = 1;
		return;
	}
	bpf_probe_read_kernel(b->path, len & (2 * UA_PATH_MAX - 1),
			      &b->work[w.off & (UA_PATH_MAX - 1)]);
	b->ev.path_len = (__u16)len;
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
	struct unix_address *ua = u->addr;
	int len;

	sa_family(a, AF_UNIX);
	if (!ua)
		return;
	len = ua->len;
	if (len <= 2)
		return;
	bpf_probe_read_kernel(a->raw, len & (UA_ADDR_MAX - 1), &ua->name[0]);
	a->len = (__u16)(len & (UA_ADDR_MAX - 1));
}

static __always_inline void obj_sock(struct obj_buf *b, struct file *file)
{
	struct socket *so =
		bpf_rdonly_cast(file->private_data, bpf_core_type_id_kernel(struct socket));
	struct sock *sk;
	__u16 fam;

	b->ev.kind = UA_OBJ_SOCK;
	if (!so)
		return;
	sk = so->sk;
	if (!sk)
		return;
	fam = sk->__sk_common.skc_family;
	b->ev.sock_type = sk->sk_type;
	b->ev.sock_proto = sk->sk_protocol;
	if (fam == AF_INET) {
		sa_in(&b->ev.local, sk->__sk_common.skc_rcv_saddr,
		      bpf_htons(sk->__sk_common.skc_num));
		sa_in(&b->ev.peer, sk->__sk_common.skc_daddr, sk->__sk_common.skc_dport);
	} else if (fam == AF_INET6) {
		sa_in6(&b->ev.local, &sk->__sk_common.skc_v6_rcv_saddr,
		       bpf_htons(sk->__sk_common.skc_num));
		sa_in6(&b->ev.peer, &sk->__sk_common.skc_v6_daddr, sk->__sk_common.skc_dport);
	} else if (fam == AF_UNIX) {
		struct unix_sock *u =
			bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct unix_sock));
		struct sock *peer = u->peer;

		sa_un(&b->ev.local, u);
		if (peer)
			sa_un(&b->ev.peer,
			      bpf_rdonly_cast(peer, bpf_core_type_id_kernel(struct unix_sock)));
	} else {
		sa_family(&b->ev.local, fam);
	}
}

static __always_inline void obj_init(struct obj_buf *b, __u16 role, __u16 kind)
{
	__builtin_memset(&b->ev, 0, sizeof(b->ev));
	b->ev.role = role;
	b->ev.kind = kind;
}

/* What a struct file is: inode identity and owner, then its path or, for a
 * socket, its addresses. @fp may be NULL (nothing at that fd or slot). */
static __always_inline void obj_file(struct obj_buf *b, void *fp, __u16 role)
{
	struct file *file = bpf_rdonly_cast(fp, bpf_core_type_id_kernel(struct file));
	struct inode *ino;

	obj_init(b, role, UA_OBJ_FILE);
	if (!fp) {
		b->ev.flags |= UA_OF_UNRESOLVED;
		return;
	}
	ino = file->f_inode;
	if (!ino) {
		b->ev.flags |= UA_OF_UNRESOLVED;
		return;
	}
	b->ev.ino = ino->i_ino;
	b->ev.dev = ino->i_sb->s_dev;
	b->ev.rdev = ino->i_rdev;
	b->ev.mode = ino->i_mode;
	b->ev.uid = ino->i_uid.val;
	b->ev.gid = ino->i_gid.val;
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

static __always_inline void emit_obj(struct obj_buf *b, __u64 submit_seq, __u64 req)
{
	__u32 size = sizeof(b->ev) + (b->ev.path_len & (2 * UA_PATH_MAX - 1));

	b->ev.submit_seq = submit_seq;
	b->ev.req = req;
	hdr_init(&b->ev.hdr, UA_EV_OBJ, size);
	if (bpf_ringbuf_output(&rb, b, size, BPF_RB_NO_WAKEUP)) {
		count(UA_CNT_DROPPED);
		return;
	}
	count(UA_CNT_EMITTED);
}

static __always_inline struct obj_buf *obj_slot(__u32 k)
{
	return bpf_map_lookup_elem(&obj_scratch, &k);
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
	struct io_async_msghdr *am =
		bpf_rdonly_cast(async, bpf_core_type_id_kernel(struct io_async_msghdr));

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
	struct io_async_msghdr *am =
		bpf_rdonly_cast(async, bpf_core_type_id_kernel(struct io_async_msghdr));

	if (async && am->msg.msg_name)
		copy_addr(e, am->msg.msg_name, am->msg.msg_namelen);
}

/* Objects of the operations, from the request's prepared command (a global
 * function: the verifier checks it once). Read
 * only for requests that passed prep, where these fields are known to be set
 * by this very request (a recycled request keeps stale ones otherwise). */
__noinline int ua_capture_objects(struct submit_buf *b, __u32 op)
{
	struct io_kiocb *req;
	struct ua_ev_submit *e;
	struct filename *n1 = NULL, *n2 = NULL;
	const char *attr = NULL;

	if (!b)
		return 0;
	e = &b->ev;
	/* the request, from the event (a global function takes no kernel pointers) */
	req = bpf_rdonly_cast((void *)e->req, bpf_core_type_id_kernel(struct io_kiocb));

	/* ops on a file: sqe->fd as io_init_req() kept it (a slot with
	 * IOSQE_FIXED_FILE); meaningless for others, printed only with a file */
	e->fd = req->cqe.fd;
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *o = REQ_CMD(req, io_open);

		e->dfd = o->dfd;
		e->file_slot = o->file_slot;
		e->op_flags = (__u32)o->how.flags;
		e->mode = (__u32)o->how.mode;
		e->resolve = o->how.resolve;
		n1 = o->filename;
		break;
	}
	case IORING_OP_CLOSE: {
		struct io_close *c = REQ_CMD(req, io_close);

		e->fd = c->fd;
		e->file_slot = c->file_slot;
		break;
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *u = REQ_CMD(req, io_unlink);

		e->dfd = u->dfd;
		e->op_flags = u->flags;
		n1 = u->filename;
		break;
	}
	case IORING_OP_MKDIRAT: {
		struct io_mkdir *m = REQ_CMD(req, io_mkdir);

		e->dfd = m->dfd;
		e->mode = m->mode;
		n1 = m->filename;
		break;
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *r = REQ_CMD(req, io_rename);

		e->dfd = r->old_dfd;
		e->dfd2 = r->new_dfd;
		e->op_flags = r->flags;
		n1 = r->oldpath;
		n2 = r->newpath;
		break;
	}
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT: {
		/* symlinkat: oldpath is the target text, new_dfd/newpath the link */
		struct io_link *l = REQ_CMD(req, io_link);

		e->dfd = l->old_dfd;
		e->dfd2 = l->new_dfd;
		e->op_flags = l->flags;
		n1 = l->oldpath;
		n2 = l->newpath;
		break;
	}
	case IORING_OP_STATX: {
		struct io_statx *x = REQ_CMD(req, io_statx);

		e->dfd = x->dfd;
		e->op_flags = x->flags;
		e->arg[0] = x->mask;
		n1 = x->filename;
		break;
	}
	case IORING_OP_SETXATTR:
	case IORING_OP_GETXATTR:
	case IORING_OP_FSETXATTR:
	case IORING_OP_FGETXATTR: {
		struct io_xattr *x = REQ_CMD(req, io_xattr);

		e->op_flags = x->ctx.flags;
		e->arg[0] = x->ctx.size;
		if (op == IORING_OP_SETXATTR || op == IORING_OP_GETXATTR)
			n1 = x->filename;
		attr = x->ctx.kname ? x->ctx.kname->name : NULL;
		break;
	}
	case IORING_OP_FTRUNCATE:
		e->arg[0] = REQ_CMD(req, io_ftrunc)->len;
		break;
	case IORING_OP_FALLOCATE: {
		struct io_sync *y = REQ_CMD(req, io_sync);

		e->arg[0] = y->off;
		e->arg[1] = y->len;
		e->arg[2] = y->mode;
		break;
	}
	case IORING_OP_SOCKET: {
		struct io_socket *k = REQ_CMD(req, io_socket);

		e->arg[0] = k->domain;
		e->arg[1] = k->type;
		e->arg[2] = k->protocol;
		e->op_flags = k->flags;
		e->file_slot = k->file_slot;
		break;
	}
	case IORING_OP_CONNECT:
		copy_conn_addr(e, req->async_data, REQ_CMD(req, io_connect)->addr_len);
		break;
	case IORING_OP_BIND:
		copy_conn_addr(e, req->async_data, REQ_CMD(req, io_bind)->addr_len);
		break;
	case IORING_OP_LISTEN:
		e->arg[0] = REQ_CMD(req, io_listen)->backlog;
		break;
	case IORING_OP_ACCEPT: {
		struct io_accept *a = REQ_CMD(req, io_accept);

		e->op_flags = a->flags;
		e->arg[0] = a->iou_flags;
		e->file_slot = a->file_slot;
		break;
	}
	case IORING_OP_SHUTDOWN:
		e->arg[0] = REQ_CMD(req, io_shutdown)->how;
		break;
	case IORING_OP_SEND:
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC:
		e->op_flags = REQ_CMD(req, io_sr_msg)->msg_flags;
		copy_dest(e, req->async_data);
		break;
	case IORING_OP_MSG_RING: {
		struct io_msg *m = REQ_CMD(req, io_msg);

		e->arg[0] = m->cmd;
		e->arg[1] = m->len;
		e->arg[2] = m->src_fd;
		e->arg[3] = m->dst_fd;
		e->op_flags = m->flags;
		break;
	}
	case IORING_OP_FIXED_FD_INSTALL:
		e->op_flags = REQ_CMD(req, io_fixed_install)->o_flags;
		break;
	case IORING_OP_URING_CMD: {
		struct io_uring_cmd *c = REQ_CMD(req, io_uring_cmd);
		const struct io_uring_sqe *sqe = c->sqe;

		e->arg[0] = c->cmd_op;
		e->op_flags = c->flags;
		/* socket commands: level and optname, as the kernel will read them */
		if (sqe) {
			e->arg[1] = BPF_CORE_READ(sqe, level);
			e->arg[2] = BPF_CORE_READ(sqe, optname);
		}
		break;
	}
	default:
		break;
	}
	e->name_len = copy_name(b, 0, n1, UA_SF_HAS_NAME, UA_SF_NAME_FAULT);
	if (attr)
		e->name2_len = copy_str(b, e->name_len, attr, UA_SF_HAS_NAME2 | UA_SF_NAME2_ATTR,
					UA_SF_NAME_FAULT);
	else
		e->name2_len = copy_name(b, e->name_len, n2, UA_SF_HAS_NAME2, UA_SF_NAME_FAULT);
	return 0;
}

/* Objects known at submit, sent after the SUBMIT: the directory a dfd
 * names, the file a close is closing, the file msg_ring sends. Looked up in
 * the submitter's table
 * (the SQ thread shares it) just before the kernel does the same. */
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
	emit_obj(o, e->hdr.seq, e->req);
}

/*
 * Rule evaluation, auditctl's semantics: rules in order, the first whose
 * fields all match decides. Fields known at submit are tested at submit;
 * success, exit and ctx (a request can be punted after an inline attempt)
 * only at completion. A rule whose submit-time fields match but that has
 * completion-time fields becomes a candidate; the first plain match after the
 * candidates is the fallback. At completion the first candidate that matches
 * decides, else the fallback.
 *
 * Each level is a bpf_loop() callback so that the verifier checks a rule, a
 * field and a byte once, not every path through 256 x 64 x 256 of them.
 */
struct rule_eval {
	struct submit_buf *b;
	struct ua_krule *k;
	const struct ua_kstr *str;
	__u32 bank;
	__u32 rule;
	__u32 matched;	/* current field (or string) still matches */
	__u32 name_off; /* string compare: where the name starts in names[] */
	__u32 name_len;
	__s32 decided;
	__u8 op;
	__u8 pad[3];
	__u64 cand[4];
	/* completion */
	__s32 res;
	__u8 exec_ctx;
	__u32 have; /* which of fo/no hold this request's objects (HAVE_*) */
	struct obj_buf *fo, *no;
};

#define HAVE_FILE (1u << OBJ_FILE)
#define HAVE_NEW (1u << OBJ_NEW)

/* Ops whose request carries names (path/dir test them at submit); other
 * ops' path/dir test the path of the file they used, at completion. The
 * rule compiler (src/rules_load.c) makes the same split. */
static __always_inline bool path_at_submit(__u8 op)
{
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
	case IORING_OP_UNLINKAT:
	case IORING_OP_RENAMEAT:
	case IORING_OP_MKDIRAT:
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT:
	case IORING_OP_STATX:
	case IORING_OP_SETXATTR:
	case IORING_OP_GETXATTR:
		return true;
	}
	return false;
}

/* Ops whose address is known at submit (family/addr/port); others' come
 * from the socket they used or accepted, at completion. */
static __always_inline bool addr_at_submit(__u8 op)
{
	switch (op) {
	case IORING_OP_CONNECT:
	case IORING_OP_BIND:
	case IORING_OP_SEND:
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC:
	case IORING_OP_SOCKET:
		return true;
	}
	return false;
}

/* The first @bits bits of two addresses agree (bytes_cmp, one byte a step). */
struct prefix_cmp {
	const __u8 *a; /* 16 bytes readable */
	const char *b; /* UA_KSTR_MAX bytes readable */
	__u64 bits;
	__u32 eq;
};

static long prefix_step(__u32 i, void *arg)
{
	struct prefix_cmp *c = arg;
	__u8 mask;

	if (c->bits == 0)
		return 1;
	mask = c->bits >= 8 ? 0xff : (__u8)(0xff << (8 - c->bits));
	if ((c->a[i & 15] & mask) != ((__u8)c->b[i & 15] & mask)) {
		c->eq = 0;
		return 1;
	}
	c->bits = c->bits >= 8 ? c->bits - 8 : 0;
	return 0;
}

static __always_inline bool prefix_eq(const __u8 *a, const char *b, __u64 bits, __u32 n)
{
	struct prefix_cmp c = { .a = a, .b = b, .bits = bits, .eq = 1 };

	bpf_loop(n, prefix_step, &c, 0);
	return c.eq;
}

struct bytes_cmp {
	const __u8 *a; /* UA_ADDR_MAX - 2 bytes readable */
	const char *b; /* UA_KSTR_MAX bytes readable */
	__u32 eq;
};

static long bytes_step(__u32 i, void *arg)
{
	struct bytes_cmp *c = arg;

	if (i >= UA_ADDR_MAX - 2)
		return 1;
	if (c->a[i] != (__u8)c->b[i]) {
		c->eq = 0;
		return 1;
	}
	return 0;
}

/*
 * family=, addr=, port= against a socket address. A global function: the
 * verifier checks it once, not once per path through the rule loop.
 */
__noinline int ua_addr_field(const struct ua_kfield *f, const struct ua_addr *a)
{
	const struct ua_kstr *v;
	const __u8 *raw;
	__u32 fam, idx, plen, len;
	bool eq = false;

	if (!f || !a)
		return 0;
	raw = a->raw;
	len = a->len;
	if (len < 2 || len > UA_ADDR_MAX)
		return 0;
	fam = raw[0] | (raw[1] << 8);
	if (f->field == UA_F_FAMILY)
		return cmp_u64(f->cmp, fam, f->val);
	if (f->field == UA_F_PORT) {
		if (fam != AF_INET && fam != AF_INET6)
			return false;
		return cmp_u64(f->cmp, (raw[2] << 8) | raw[3], f->val);
	}
	if (fam != f->val)
		return f->cmp == UA_CMP_NE;
	idx = f->str_idx;
	v = bpf_map_lookup_elem(&rstrs, &idx);
	if (!v)
		return false;
	if (fam == AF_INET) {
		eq = len >= 8 && prefix_eq(&raw[4], v->s, f->val2, 4);
	} else if (fam == AF_INET6) {
		eq = len >= 24 && prefix_eq(&raw[8], v->s, f->val2, 16);
	} else if (fam == AF_UNIX) {
		/* sun_path: len - 2 bytes; a filesystem path may carry its NUL */
		plen = len - 2;
		if (plen > 0 && raw[2] && a->raw[(len - 1) & (UA_ADDR_MAX - 1)] == 0)
			plen--;
		eq = plen == f->str_len && plen <= UA_ADDR_MAX - 2;
		if (eq) {
			struct bytes_cmp bc = { .a = raw + 2, .b = v->s, .eq = 1 };

			bpf_loop(plen, bytes_step, &bc, 0);
			eq = bc.eq;
		}
	}
	return f->cmp == UA_CMP_NE ? !eq : eq;
}

static long str_step(__u32 j, void *arg)
{
	struct rule_eval *r = arg;
	const struct ua_kstr *v = r->str;

	if (!v)
		return 1;
	if (r->b->names[(r->name_off + j) & (2 * UA_NAME_MAX - 1)] != v->s[j & (UA_KSTR_MAX - 1)]) {
		r->matched = 0;
		return 1;
	}
	return 0;
}

/* The value @f (its bytes already matched the start of a name of @len
 * bytes) names that whole name (path=), or a directory the name is in
 * (dir=): the match ends at the name's end or at a '/' (@next is the name's
 * byte after the match). */
static __always_inline bool prefix_ends_at_dir(const struct rule_eval *r, const struct ua_kfield *f,
					       __u32 len, char next)
{
	__u32 vlen = f->str_len;

	return f->field == UA_F_PATH || len == vlen ||
	       r->str->s[(vlen - 1) & (UA_KSTR_MAX - 1)] == '/' || next == '/';
}

/* Is the name at [off, off+len) the path @f names (UA_F_PATH), or in the
 * directory it names (UA_F_DIR)? */
static __always_inline bool name_matches(struct rule_eval *r, const struct ua_kfield *f, __u32 off,
					 __u32 len)
{
	__u32 vlen = f->str_len;

	if (!r->str || len < vlen || vlen == 0 || vlen > UA_KSTR_MAX)
		return false;
	if (f->field == UA_F_PATH && len != vlen)
		return false;
	r->matched = 1;
	r->name_off = off;
	bpf_loop(vlen, str_step, r, 0);
	if (!r->matched)
		return false;
	return prefix_ends_at_dir(r, f, len, r->b->names[(off + vlen) & (2 * UA_NAME_MAX - 1)]);
}

static __always_inline bool field_submit(struct rule_eval *r, const struct ua_kfield *f)
{
	struct ua_ev_submit *e = &r->b->ev;
	__u32 idx;
	bool eq;

	switch (f->field) {
	case UA_F_PID:
		return cmp_u64(f->cmp, e->pid, f->val);
	case UA_F_PPID:
		return cmp_u64(f->cmp, e->ppid, f->val);
	case UA_F_UID:
		return cmp_u64(f->cmp, e->task.uid, f->val);
	case UA_F_EUID:
		return cmp_u64(f->cmp, e->task.euid, f->val);
	case UA_F_SUID:
		return cmp_u64(f->cmp, e->task.suid, f->val);
	case UA_F_FSUID:
		return cmp_u64(f->cmp, e->task.fsuid, f->val);
	case UA_F_GID:
		return cmp_u64(f->cmp, e->task.gid, f->val);
	case UA_F_EGID:
		return cmp_u64(f->cmp, e->task.egid, f->val);
	case UA_F_SGID:
		return cmp_u64(f->cmp, e->task.sgid, f->val);
	case UA_F_FSGID:
		return cmp_u64(f->cmp, e->task.fsgid, f->val);
	case UA_F_AUID:
		return cmp_u64(f->cmp, e->auid, f->val);
	case UA_F_SES:
		return cmp_u64(f->cmp, e->ses, f->val);
	case UA_F_CRED:
		return cmp_u64(f->cmp, e->cred_src, f->val);
	case UA_F_PERSONALITY:
		if (!(e->flags & UA_SF_HAS_PERSONALITY))
			return f->cmp == UA_CMP_NE;
		return cmp_u64(f->cmp, e->personality, f->val);
	case UA_F_EXE:
		eq = e->exe_ino == f->val && e->exe_dev == f->val2;
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_CGROUP:
		if (f->val2 == (__u64)-1)
			eq = e->cgroup_id == f->val;
		else
			eq = bpf_get_current_ancestor_cgroup_id((int)(f->val2 & 0xff)) == f->val;
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_COMM: {
		const __u64 *c = (const __u64 *)e->comm;
		const struct ua_kstr *v;

		idx = f->str_idx;
		v = bpf_map_lookup_elem(&rstrs, &idx);
		if (!v)
			return false;
		eq = c[0] == ((const __u64 *)v->s)[0] && c[1] == ((const __u64 *)v->s)[1];
		return f->cmp == UA_CMP_NE ? !eq : eq;
	}
	case UA_F_DIR:
	case UA_F_PATH:
		if (!path_at_submit(r->op))
			return true; /* the file's path, at completion */
		idx = f->str_idx;
		r->str = bpf_map_lookup_elem(&rstrs, &idx);
		/* renameat/linkat/symlinkat: either name may match */
		eq = name_matches(r, f, 0, e->name_len & (UA_NAME_MAX - 1)) ||
		     (!(e->flags & UA_SF_NAME2_ATTR) &&
		      name_matches(r, f, e->name_len & (UA_NAME_MAX - 1),
				   e->name2_len & (UA_NAME_MAX - 1)));
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_FAMILY:
	case UA_F_ADDR:
	case UA_F_PORT:
		if (!addr_at_submit(r->op))
			return true; /* the socket's peer, at completion */
		if (r->op == IORING_OP_SOCKET)
			return f->field == UA_F_FAMILY && cmp_u64(f->cmp, e->arg[0], f->val);
		if (!(e->flags & UA_SF_HAS_ADDR))
			return false;
		return ua_addr_field(f, &e->addr);
	case UA_F_SUCCESS:
	case UA_F_EXIT:
	case UA_F_CTX:
	case UA_F_OBJ_UID:
	case UA_F_OBJ_GID:
		return true; /* decided at completion */
	}
	return false;
}

static long field_step(__u32 j, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k = r->k;

	/* bpf_loop runs at most UA_KFIELDS_MAX steps; the mask (not a compare,
	 * which the compiler would fold away) bounds j for the verifier. */
	if (!k)
		return 1;
	if (!field_submit(r, &k->f[j & (UA_KFIELDS_MAX - 1)])) {
		r->matched = 0;
		return 1;
	}
	return 0;
}

/* Rule @i of @bank (the banks are consecutive halves of the rules map). */
static __always_inline struct ua_krule *rule_at(__u32 bank, __u32 i)
{
	__u32 idx = (bank & 1) * UA_KRULES_MAX + (i & (UA_KRULES_MAX - 1));

	return bpf_map_lookup_elem(&rules, &idx);
}

static long rule_step(__u32 i, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k = rule_at(r->bank, i);
	__u32 n;

	if (!k)
		return 1;
	if (!(k->opmask[(r->op >> 6) & 3] & (1ULL << (r->op & 63))))
		return 0;
	n = k->nfields;
	r->k = k;
	r->rule = i;
	r->matched = 1;
	bpf_loop(n < UA_KFIELDS_MAX ? n : UA_KFIELDS_MAX, field_step, r, 0);
	if (!r->matched)
		return 0;
	if (k->flags & UA_KR_COMPLETION) {
		r->cand[(i >> 6) & 3] |= 1ULL << (i & 63);
		return 0;
	}
	r->decided = i;
	return 1;
}

static long ostr_step(__u32 j, void *arg)
{
	struct rule_eval *r = arg;
	const struct ua_kstr *v = r->str;

	if (!v || !r->fo)
		return 1;
	if (r->fo->path[j & (2 * UA_PATH_MAX - 1)] != v->s[j & (UA_KSTR_MAX - 1)]) {
		r->matched = 0;
		return 1;
	}
	return 0;
}

/* path=/dir= against the path of the file the request used. */
static __always_inline bool file_path_matches(struct rule_eval *r, const struct ua_kfield *f)
{
	struct obj_buf *o = r->fo;
	__u32 idx = f->str_idx, vlen = f->str_len, len;

	if (!o || !(r->have & HAVE_FILE) || o->ev.kind != UA_OBJ_FILE ||
	    (o->ev.flags & (UA_OF_UNRESOLVED | UA_OF_PSEUDO | UA_OF_TRUNC)))
		return false;
	len = o->ev.path_len;
	r->str = bpf_map_lookup_elem(&rstrs, &idx);
	if (!r->str || len < vlen || vlen == 0 || vlen > UA_KSTR_MAX)
		return false;
	if (f->field == UA_F_PATH && len != vlen)
		return false;
	r->matched = 1;
	bpf_loop(vlen, ostr_step, r, 0);
	if (!r->matched)
		return false;
	return prefix_ends_at_dir(r, f, len, o->path[vlen & (2 * UA_PATH_MAX - 1)]);
}

/* The object obj_uid/obj_gid/addr... describe: what the request created,
 * else the file it used. */
static __always_inline struct obj_buf *main_obj(struct rule_eval *r)
{
	if ((r->have & HAVE_NEW) && r->no && !(r->no->ev.flags & UA_OF_UNRESOLVED))
		return r->no;
	if ((r->have & HAVE_FILE) && r->fo && !(r->fo->ev.flags & UA_OF_UNRESOLVED))
		return r->fo;
	return NULL;
}

static __always_inline bool field_complete(struct rule_eval *r, const struct ua_kfield *f)
{
	struct obj_buf *o;
	bool eq;

	switch (f->field) {
	case UA_F_SUCCESS:
		return cmp_u64(f->cmp, r->res >= 0, f->val);
	case UA_F_EXIT:
		return cmp_s64(f->cmp, r->res, (__s64)f->val);
	case UA_F_CTX:
		return cmp_u64(f->cmp, r->exec_ctx, f->val);
	case UA_F_DIR:
	case UA_F_PATH:
		if (path_at_submit(r->op))
			return true;
		eq = file_path_matches(r, f);
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_OBJ_UID:
	case UA_F_OBJ_GID:
		o = main_obj(r);
		if (!o)
			return false;
		return cmp_u64(f->cmp, f->field == UA_F_OBJ_UID ? o->ev.uid : o->ev.gid, f->val);
	case UA_F_FAMILY:
	case UA_F_ADDR:
	case UA_F_PORT:
		if (addr_at_submit(r->op))
			return true;
		o = main_obj(r);
		if (!o || o->ev.kind != UA_OBJ_SOCK)
			return false;
		return ua_addr_field(f, &o->ev.peer);
	}
	return true; /* tested at submit */
}

static long cfield_step(__u32 j, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k = r->k;

	if (!k)
		return 1;
	if (!field_complete(r, &k->f[j & (UA_KFIELDS_MAX - 1)])) {
		r->matched = 0;
		return 1;
	}
	return 0;
}

static long crule_step(__u32 i, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k;
	__u32 n;

	if (!(r->cand[(i >> 6) & 3] & (1ULL << (i & 63))))
		return 0;
	k = rule_at(r->bank, i);
	if (!k)
		return 1;
	n = k->nfields;
	r->k = k;
	r->matched = 1;
	bpf_loop(n < UA_KFIELDS_MAX ? n : UA_KFIELDS_MAX, cfield_step, r, 0);
	if (!r->matched)
		return 0;
	r->decided = i;
	return 1;
}

/* The action of rule @i of @bank: is it one that records? */
static __always_inline bool rule_records(__u32 bank, __s32 i)
{
	struct ua_krule *k;

	if (i < 0)
		return false;
	k = rule_at(bank, (__u32)i);
	return k && k->action != UA_ACT_NEVER;
}

/*
 * Send the executable's path the first time a process shows up, walked like
 * any object's path (obj_path) in a scratch object, then copied behind the
 * EXE event.
 */
static __always_inline void send_exe(__u32 pid, __u64 start_time, __u64 exe_ino, __u32 exe_dev,
				     struct file *exe)
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
	hdr_init(&b->ev.hdr, UA_EV_EXE, sizeof(b->ev) + len);
	if (bpf_ringbuf_output(&rb, b, sizeof(b->ev) + len, BPF_RB_NO_WAKEUP)) {
		count(UA_CNT_DROPPED);
		return;
	}
	count(UA_CNT_EMITTED);
	bpf_map_update_elem(&exe_seen, &k, &one, BPF_ANY);
}

/* Decide addr_layout from a selected connect: which of the two places holds
 * what user memory holds. Runs until decided (the daemon's own connect at
 * start decides it; the loader selects connects for it). */
static __noinline void latch_addr_layout(struct io_kiocb *req)
{
	struct io_connect *c = REQ_CMD(req, io_connect);
	struct io_async_msghdr *am =
		bpf_rdonly_cast(req->async_data, bpf_core_type_id_kernel(struct io_async_msghdr));
	__u8 u[16] = {}, a[16] = {}, m[16] = {};
	bool in_a = true, in_m = true;
	int n = c->addr_len, i;

	if (!req->async_data || n < 4)
		return;
	if (bpf_probe_read_user(u, sizeof(u), c->addr) ||
	    bpf_probe_read_kernel(a, sizeof(a), req->async_data) ||
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

/*
 * Build and emit the SUBMIT event and remember the request. Runs in the
 * submitting task or the SQ thread: io_uring_submit_req and
 * io_uring_req_failed both fire from io_submit_sqe(), called by
 * io_uring_enter() or by io_sq_thread().
 */
static __always_inline int capture(struct io_kiocb *req, __u8 op, int init_err,
				   const struct io_uring_sqe *sqe, __u32 bank)
{
	struct rule_eval r = {};
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
		send_exe(e->pid, e->start_time, e->exe_ino, e->exe_dev, exe);
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
		struct ua_pers_key pk = { .ring = e->ring, .cred = (__u64)req->creds };
		__u32 *pid = bpf_map_lookup_elem(&pers, &pk);

		e->cred_src = UA_CRED_PERSONALITY;
		e->eff_cred = (__u64)req->creds;
		ids_from(&e->eff, req->creds);
		if (pid) {
			e->personality = *pid;
			e->flags |= UA_SF_HAS_PERSONALITY;
		}
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

	if (init_err) {
		e->flags |= UA_SF_INIT_FAILED;
	} else {
		if (op == IORING_OP_CONNECT && !addr_layout)
			latch_addr_layout(req);
		ua_capture_objects(b, op);
	}

	/* The rules decide, now or at completion. */
	r.b = b;
	r.bank = bank;
	r.op = op;
	r.decided = -1;
	bpf_loop(nrules[bank & 1] & (UA_KRULES_MAX * 2 - 1), rule_step, &r, 0);
	if (r.cand[0] | r.cand[1] | r.cand[2] | r.cand[3])
		e->flags |= UA_SF_TENTATIVE;
	else if (!rule_records(bank, r.decided))
		return 0;
	e->bank = bank;
	e->rule = (__s16)r.decided;

	size = sizeof(*e) + (e->name_len & (UA_NAME_MAX - 1)) + (e->name2_len & (UA_NAME_MAX - 1));
	hdr_init(&e->hdr, UA_EV_SUBMIT, size);
	if (bpf_ringbuf_output(&rb, b, size, rb_flags())) {
		count(UA_CNT_DROPPED);
		return 0;
	}
	count(UA_CNT_EMITTED);
	submit_objects(e, req, op);

	p.submit_seq = e->hdr.seq;
	p.ring = e->ring;
	p.rule = e->rule;
	p.bank = bank;
	p.exec_ctx = e->exec_ctx;
	p.opcode = op;
	p.tgid = e->pid;
	if (op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2 || op == IORING_OP_ACCEPT ||
	    op == IORING_OP_SOCKET)
		p.file_slot = e->file_slot;
	if ((op == IORING_OP_ACCEPT && (e->arg[0] & IORING_ACCEPT_MULTISHOT)) ||
	    (rflags & cfg_req_f_multishot)) {
		p.flags |= UA_CF_MSHOT_COUNTED;
		__sync_fetch_and_add(&mshot_pending, 1);
	}
	__builtin_memcpy(p.cand, r.cand, sizeof(p.cand));
	if (bpf_map_update_elem(&pending, &e->req, &p, BPF_ANY))
		count(UA_CNT_PENDING_FULL);
	{
		struct ua_ud_key k = { .ring = e->ring, .user_data = e->user_data };

		bpf_map_update_elem(&byud, &k, &e->req, BPF_ANY);
	}
	return 0;
}

/*
 * The objects a request touched, looked up as it completes: the file it
 * used (req->file, still held: the request is freed after its CQE) and what
 * it created (the fd or slot of the CQE result). Returns HAVE_* bits.
 */
static __always_inline __u32 complete_objects(struct io_kiocb *req, struct ua_pending *p, __s32 res)
{
	struct file *f = req->file;
	struct obj_buf *o;
	__u8 op = p->opcode;
	__u32 have = 0;

	o = obj_slot(OBJ_FILE);
	if (o && f) {
		if (op == IORING_OP_MSG_RING) {
			/* the target ring: io_msg_ring() checked it is one */
			obj_init(o, UA_ROLE_FILE, UA_OBJ_RING);
			if (res >= 0)
				o->ev.ring = (__u64)f->private_data;
			else
				o->ev.flags |= UA_OF_UNRESOLVED;
		} else {
			obj_file(o, f, UA_ROLE_FILE);
		}
		have |= HAVE_FILE;
	}
	if (res >= 0 && (op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2 ||
			 op == IORING_OP_ACCEPT || op == IORING_OP_SOCKET)) {
		o = obj_slot(OBJ_NEW);
		if (o) {
			obj_new(o, req->ctx, p->file_slot, p->tgid, res);
			have |= HAVE_NEW;
		}
	}
	return have;
}

/* Emit the objects and COMPLETE for a pending request and forget it.
 * @have: objects in the scratch slots (0 when the request is unknown, as
 * for an overflowed CQE). */
static __always_inline void finish(__u64 reqp, struct ua_pending *p, __s32 res, __u32 cflags,
				   __u32 flags, __u64 user_data, __u32 have)
{
	struct ua_ev_complete *c;
	struct ua_ud_key k = { .ring = p->ring, .user_data = user_data };
	__s32 rule = p->rule;
	__u64 *cur;
	__u32 i;

	if (p->cand[0] | p->cand[1] | p->cand[2] | p->cand[3]) {
		struct rule_eval r = {};

		r.bank = p->bank;
		r.op = p->opcode;
		r.res = res;
		r.exec_ctx = (p->flags & UA_CF_PUNTED) ? UA_CTX_IOWQ : p->exec_ctx;
		r.decided = -1;
		r.have = have;
		r.fo = obj_slot(OBJ_FILE);
		r.no = obj_slot(OBJ_NEW);
		__builtin_memcpy(r.cand, p->cand, sizeof(r.cand));
		bpf_loop(UA_KRULES_MAX, crule_step, &r, 0);
		if (r.decided >= 0)
			rule = r.decided;
	}
	if (!rule_records(p->bank, rule)) {
		rule = -1;
		have = 0; /* not recorded: its objects need not travel */
	}

	for (i = OBJ_FILE; i <= OBJ_NEW; i++) {
		struct obj_buf *o;

		if (!(have & (1u << i)))
			continue;
		o = obj_slot(i);
		if (o)
			emit_obj(o, p->submit_seq, reqp);
	}

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
		c->flags = (p->flags & ~UA_CF_MSHOT_COUNTED) | flags;
		c->cqes = p->cqes + 1;
		c->rule = rule;
		c->bank = p->bank;
		bpf_ringbuf_submit(c, rb_flags());
		count(UA_CNT_EMITTED);
	}
	if (p->flags & UA_CF_MSHOT_COUNTED)
		__sync_fetch_and_add(&mshot_pending, -1);
	cur = bpf_map_lookup_elem(&byud, &k);
	if (cur && *cur == reqp)
		bpf_map_delete_elem(&byud, &k);
	bpf_map_delete_elem(&pending, &reqp);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(submit_req, struct io_kiocb *req)
{
	__u32 bank = rules_bank;
	__u8 op = req->opcode;

	if (!op_selected(bank, op))
		return 0;
	return capture(req, op, 0, NULL, bank);
}

/*
 * io_submit_fail_init(): io_init_req() or the op's prep failed (bad
 * personality id, bad flags, a name that could not be copied). There is no
 * io_uring_submit_req for such a request, but a CQE with the error follows.
 */
SEC("tp_btf/io_uring_req_failed")
int BPF_PROG(req_failed, const struct io_uring_sqe *sqe, struct io_kiocb *req, int error)
{
	__u32 bank = rules_bank;
	__u8 op = req->opcode;

	if (!op_selected(bank, op))
		return 0;
	return capture(req, op, error, sqe, bank);
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

	if (!op_selected_any(req->opcode))
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
/* A multishot CQE (IORING_CQE_F_MORE): count it; for accept, the accepted
 * connection is an object of its own, sent now (multishot recv and read
 * CQEs carry data, no object). The request is found by
 * (ring, user_data) as recorded at submit. */
static __noinline void mshot_cqe(struct io_ring_ctx *ring, struct io_uring_cqe *cqe)
{
	struct ua_ud_key k = { .ring = (__u64)ring, .user_data = cqe->user_data };
	struct ua_pending *p;
	struct obj_buf *o;
	__u64 *reqp, reqv;
	__s32 res = cqe->res;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		return;
	reqp = bpf_map_lookup_elem(&byud, &k);
	if (!reqp)
		return;
	reqv = *reqp;
	p = bpf_map_lookup_elem(&pending, &reqv);
	if (!p)
		return;
	p->cqes++;
	o = obj_slot(OBJ_NEW);
	if (!o || res < 0 || p->opcode != IORING_OP_ACCEPT)
		return;
	obj_new(o, ring, p->file_slot, p->tgid, res);
	o->ev.flags |= UA_OF_MORE;
	o->ev.res = res;
	o->ev.cqe_index = p->cqes;
	emit_obj(o, p->submit_seq, reqv);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(complete, struct io_ring_ctx *ring, void *vreq, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = bpf_rdonly_cast(vreq, bpf_core_type_id_kernel(struct io_kiocb));
	__u64 key = (__u64)vreq;
	struct ua_pending *p;
	__u32 cflags;
	__s32 res;

	if (!req) {
		/* An auxiliary CQE (io_fill_cqe_aux), as multishot requests post
		 * all but their last: no request pointer. Looked up only while a
		 * selected multishot request is pending. */
		if (mshot_pending > 0)
			mshot_cqe(ring, cqe);
		return 0;
	}
	if (!op_selected_any(req->opcode))
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p)
		return 0;
	cflags = cqe->flags;
	res = cqe->res;
	/* Multishot: more CQEs follow; one record, at the last one. A
	 * zero-copy send's result is its last CQE of its own: the
	 * notification that follows is posted by another request. */
	if ((cflags & IORING_CQE_F_MORE) && p->opcode != IORING_OP_SEND_ZC &&
	    p->opcode != IORING_OP_SENDMSG_ZC) {
		p->cqes++;
		return 0;
	}
	finish(key, p, res, cflags, 0, cqe->user_data, complete_objects(req, p, res));
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
	/* Multishot: more CQEs follow; one record, at the last one. A
	 * zero-copy send's result is its last CQE of its own: the
	 * notification that follows is posted by another request. */
	if ((cflags & IORING_CQE_F_MORE) && p->opcode != IORING_OP_SEND_ZC &&
	    p->opcode != IORING_OP_SENDMSG_ZC) {
		p->cqes++;
		return 0;
	}
	count(UA_CNT_OVERFLOW);
	finish(reqv, p, res, cflags, UA_CF_OVERFLOW, user_data, 0);
	return 0;
}

/* The executable of the current process, sent (once per process) before a
 * ring-level event reserves its place, so that it arrives first. */
static __always_inline void owner_exe(struct task_struct *task)
{
	struct file *x = task->mm ? task->mm->exe_file : NULL;

	if (x)
		send_exe(task->tgid, task->group_leader->start_boottime, x->f_inode->i_ino,
			 x->f_inode->i_sb->s_dev, x);
}

/* Who did it, for the rare ring-level events (setup, register): every
 * field of @o, the current @task's. */
static __always_inline void owner_fill(struct ua_owner *o, struct task_struct *task)
{
	struct task_struct *l = task->group_leader;
	struct file *x = task->mm ? task->mm->exe_file : NULL;

	o->start_time = l->start_boottime;
	o->exe_ino = x ? x->f_inode->i_ino : 0;
	o->exe_dev = x ? x->f_inode->i_sb->s_dev : 0;
	o->pid = task->tgid;
	o->tid = task->pid;
	o->ppid = task->real_parent->tgid;
	o->auid = l->loginuid.val;
	o->ses = l->sessionid;
	ids_from(&o->ids, task->cred);
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

/* io_uring_create(): a ring exists. Rare; always recorded. */
SEC("tp_btf/io_uring_create")
int BPF_PROG(ring_create, int fd, void *vring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct io_ring_ctx *ring =
		bpf_rdonly_cast(vring, bpf_core_type_id_kernel(struct io_ring_ctx));
	struct task_struct *task = bpf_get_current_task_btf();
	struct io_sq_data *sqd;
	struct ua_ev_ring *r;

	owner_exe(task);
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&seq_next, 1);
		count(UA_CNT_DROPPED);
		return 0;
	}
	hdr_init(&r->hdr, UA_EV_RING_CREATE, sizeof(*r));
	r->ring = (__u64)vring;
	owner_fill(&r->owner, task);
	r->fd = fd;
	r->sq_entries = sq_entries;
	r->cq_entries = cq_entries;
	r->flags = flags;
	r->sq_thread_cpu = (__u32)-1;
	r->sq_thread_idle = 0;
	sqd = (flags & IORING_SETUP_SQPOLL) ? ring->sq_data : NULL;
	if (sqd) {
		/* sq_thread_idle is kept in jiffies */
		__u64 hz = CONFIG_HZ > 0 ? CONFIG_HZ : 1000;

		r->sq_thread_cpu = (__u32)sqd->sq_cpu;
		r->sq_thread_idle = (__u32)((__u64)ring->sq_thread_idle * 1000 / hz);
	}
	bpf_ringbuf_submit(r, rb_flags());
	count(UA_CNT_EMITTED);
	return 0;
}

/*
 * __io_uring_register() end: rare. For IORING_REGISTER_PERSONALITY, ret is the
 * new id and the registered creds are the caller's current creds
 * (io_register_personality: get_current_cred()), which lets user space name
 * the personality behind req->creds. For IORING_REGISTER_RESTRICTIONS the
 * ring's restriction sets are read back as they now are.
 */
SEC("tp_btf/io_uring_register")
int BPF_PROG(ring_register, void *vring, unsigned int opcode, unsigned int nr_files,
	     unsigned int nr_bufs, long ret)
{
	struct io_ring_ctx *ring =
		bpf_rdonly_cast(vring, bpf_core_type_id_kernel(struct io_ring_ctx));
	struct task_struct *task = bpf_get_current_task_btf();
	struct ua_ev_register *r;

	owner_exe(task);
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&seq_next, 1);
		count(UA_CNT_DROPPED);
		return 0;
	}
	__builtin_memset(&r->restr_sqe_flags_allowed, 0,
			 sizeof(*r) - __builtin_offsetof(struct ua_ev_register,
							 restr_sqe_flags_allowed));
	hdr_init(&r->hdr, UA_EV_REGISTER, sizeof(*r));
	r->ring = (__u64)vring;
	r->cred = (__u64)task->cred;
	r->ret = ret;
	r->opcode = opcode;
	r->nr_files = nr_files;
	r->nr_bufs = nr_bufs;
	owner_fill(&r->owner, task);
	if (opcode == IORING_REGISTER_RESTRICTIONS && ret >= 0) {
		r->restr_registered = ring->restrictions.registered;
		r->restr_sqe_flags_allowed = ring->restrictions.sqe_flags_allowed;
		r->restr_sqe_flags_required = ring->restrictions.sqe_flags_required;
		r->restr_register_op = ring->restrictions.register_op[0];
		r->restr_sqe_op[0] = ring->restrictions.sqe_op[0];
	}
	bpf_ringbuf_submit(r, rb_flags());
	if (opcode == IORING_REGISTER_PERSONALITY && ret > 0) {
		struct ua_pers_key pk = { .ring = (__u64)vring, .cred = (__u64)task->cred };
		__u32 id = (__u32)ret;

		bpf_map_update_elem(&pers, &pk, &id, BPF_ANY);
	}
	count(UA_CNT_EMITTED);
	return 0;
}
