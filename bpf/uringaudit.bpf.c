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

extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

/* From include/linux/sched.h and include/uapi/linux/io_uring.h: macros, so not
 * in BTF. Both have been stable since io_uring was merged. */
#define PF_IO_WORKER 0x00000010
#define IORING_SETUP_SQPOLL (1U << 1)
#define IORING_CQE_F_MORE (1U << 1)
#define IORING_REGISTER_PERSONALITY 9

/* REQ_F_* masks of the running kernel. The bit numbers move between kernel
 * versions and live in an anonymous enum, so the loader looks them up in the
 * kernel's BTF by enumerator name and sets these before load. */
const volatile __u64 cfg_req_f_fixed_file = 0;
const volatile __u64 cfg_req_f_link = 0;
const volatile __u64 cfg_req_f_force_async = 0;
const volatile __u64 cfg_req_f_cqe_skip = 0;
const volatile __u64 cfg_req_f_creds = 0;
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

/* Values of enum ua_field_id, ua_cmp and ua_action (lib/rules.h); the loader
 * checks at build time that they agree. */
#define F_PID 1
#define F_PPID 2
#define F_UID 3
#define F_EUID 4
#define F_SUID 5
#define F_FSUID 6
#define F_GID 7
#define F_EGID 8
#define F_SGID 9
#define F_FSGID 10
#define F_AUID 11
#define F_SES 12
#define F_EXE 13
#define F_COMM 14
#define F_CGROUP 15
#define F_SUCCESS 16
#define F_EXIT 17
#define F_CTX 18
#define F_CRED 19
#define F_PERSONALITY 20
#define F_DIR 21
#define F_PATH 22
#define CMP_EQ 1
#define CMP_NE 2
#define CMP_LT 3
#define CMP_GT 4
#define CMP_LE 5
#define CMP_GE 6
#define CMP_AND 7
#define CMP_ANDEQ 8
#define ACT_NEVER 0

static __always_inline bool cmp_u64(__u8 cmp, __u64 a, __u64 b)
{
	switch (cmp) {
	case CMP_EQ:
		return a == b;
	case CMP_NE:
		return a != b;
	case CMP_LT:
		return a < b;
	case CMP_GT:
		return a > b;
	case CMP_LE:
		return a <= b;
	case CMP_GE:
		return a >= b;
	case CMP_AND:
		return (a & b) != 0;
	case CMP_ANDEQ:
		return (a & b) == b;
	}
	return false;
}

static __always_inline bool cmp_s64(__u8 cmp, __s64 a, __s64 b)
{
	switch (cmp) {
	case CMP_LT:
		return a < b;
	case CMP_GT:
		return a > b;
	case CMP_LE:
		return a <= b;
	case CMP_GE:
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
	name = fn->name;
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
	default:
		break;
	}
	e->name_len = copy_name(b, 0, n1, UA_SF_HAS_NAME, UA_SF_NAME_FAULT);
	e->name2_len = copy_name(b, e->name_len, n2, UA_SF_HAS_NAME2, UA_SF_NAME_FAULT);
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
};

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

/* Is the name at [off, off+len) the path @f names (F_PATH), or in the
 * directory it names (F_DIR)? */
static __always_inline bool name_matches(struct rule_eval *r, const struct ua_kfield *f, __u32 off,
					 __u32 len)
{
	__u32 vlen = f->str_len;

	if (!r->str || len < vlen || vlen == 0 || vlen > UA_KSTR_MAX)
		return false;
	if (f->field == F_PATH && len != vlen)
		return false;
	r->matched = 1;
	r->name_off = off;
	bpf_loop(vlen, str_step, r, 0);
	if (!r->matched)
		return false;
	if (f->field == F_PATH || len == vlen || r->str->s[(vlen - 1) & (UA_KSTR_MAX - 1)] == '/')
		return true;
	return r->b->names[(off + vlen) & (2 * UA_NAME_MAX - 1)] == '/';
}

static __always_inline bool field_submit(struct rule_eval *r, const struct ua_kfield *f)
{
	struct ua_ev_submit *e = &r->b->ev;
	__u32 idx;
	bool eq;

	switch (f->field) {
	case F_PID:
		return cmp_u64(f->cmp, e->pid, f->val);
	case F_PPID:
		return cmp_u64(f->cmp, e->ppid, f->val);
	case F_UID:
		return cmp_u64(f->cmp, e->task.uid, f->val);
	case F_EUID:
		return cmp_u64(f->cmp, e->task.euid, f->val);
	case F_SUID:
		return cmp_u64(f->cmp, e->task.suid, f->val);
	case F_FSUID:
		return cmp_u64(f->cmp, e->task.fsuid, f->val);
	case F_GID:
		return cmp_u64(f->cmp, e->task.gid, f->val);
	case F_EGID:
		return cmp_u64(f->cmp, e->task.egid, f->val);
	case F_SGID:
		return cmp_u64(f->cmp, e->task.sgid, f->val);
	case F_FSGID:
		return cmp_u64(f->cmp, e->task.fsgid, f->val);
	case F_AUID:
		return cmp_u64(f->cmp, e->auid, f->val);
	case F_SES:
		return cmp_u64(f->cmp, e->ses, f->val);
	case F_CRED:
		return cmp_u64(f->cmp, e->cred_src, f->val);
	case F_PERSONALITY:
		if (!(e->flags & UA_SF_HAS_PERSONALITY))
			return f->cmp == CMP_NE;
		return cmp_u64(f->cmp, e->personality, f->val);
	case F_EXE:
		eq = e->exe_ino == f->val && e->exe_dev == f->val2;
		return f->cmp == CMP_NE ? !eq : eq;
	case F_CGROUP:
		if (f->val2 == (__u64)-1)
			eq = e->cgroup_id == f->val;
		else
			eq = bpf_get_current_ancestor_cgroup_id((int)(f->val2 & 0xff)) == f->val;
		return f->cmp == CMP_NE ? !eq : eq;
	case F_COMM: {
		const __u64 *c = (const __u64 *)e->comm;
		const struct ua_kstr *v;

		idx = f->str_idx;
		v = bpf_map_lookup_elem(&rstrs, &idx);
		if (!v)
			return false;
		eq = c[0] == ((const __u64 *)v->s)[0] && c[1] == ((const __u64 *)v->s)[1];
		return f->cmp == CMP_NE ? !eq : eq;
	}
	case F_DIR:
	case F_PATH:
		idx = f->str_idx;
		r->str = bpf_map_lookup_elem(&rstrs, &idx);
		/* renameat/linkat/symlinkat: either name may match */
		eq = name_matches(r, f, 0, e->name_len & (UA_NAME_MAX - 1)) ||
		     name_matches(r, f, e->name_len & (UA_NAME_MAX - 1),
				  e->name2_len & (UA_NAME_MAX - 1));
		return f->cmp == CMP_NE ? !eq : eq;
	case F_SUCCESS:
	case F_EXIT:
	case F_CTX:
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

static __always_inline bool field_complete(const struct rule_eval *r, const struct ua_kfield *f)
{
	switch (f->field) {
	case F_SUCCESS:
		return cmp_u64(f->cmp, r->res >= 0, f->val);
	case F_EXIT:
		return cmp_s64(f->cmp, r->res, (__s64)f->val);
	case F_CTX:
		return cmp_u64(f->cmp, r->exec_ctx, f->val);
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
	return k && k->action != ACT_NEVER;
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

	if (init_err)
		e->flags |= UA_SF_INIT_FAILED;
	else
		capture_objects(b, req, op);

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

	p.submit_seq = e->hdr.seq;
	p.ring = e->ring;
	p.rule = e->rule;
	p.bank = bank;
	p.exec_ctx = e->exec_ctx;
	__builtin_memcpy(p.cand, r.cand, sizeof(p.cand));
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
	__s32 rule = p->rule;
	__u64 *cur;

	if (p->cand[0] | p->cand[1] | p->cand[2] | p->cand[3]) {
		struct rule_eval r = {};

		r.bank = p->bank;
		r.res = res;
		r.exec_ctx = (p->flags & UA_CF_PUNTED) ? UA_CTX_IOWQ : p->exec_ctx;
		r.decided = -1;
		__builtin_memcpy(r.cand, p->cand, sizeof(r.cand));
		bpf_loop(UA_KRULES_MAX, crule_step, &r, 0);
		if (r.decided >= 0)
			rule = r.decided;
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
		c->flags = p->flags | flags;
		c->cqes = p->cqes + 1;
		c->rule = rule_records(p->bank, rule) ? rule : -1;
		c->bank = p->bank;
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
SEC("tp_btf/io_uring_complete")
int BPF_PROG(complete, struct io_ring_ctx *ring, void *vreq, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = bpf_rdonly_cast(vreq, bpf_core_type_id_kernel(struct io_kiocb));
	__u64 key = (__u64)vreq;
	struct ua_pending *p;
	__u32 cflags;

	if (!req || !op_selected_any(req->opcode))
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
	if (opcode == IORING_REGISTER_PERSONALITY && ret > 0) {
		struct ua_pers_key pk = { .ring = (__u64)ring, .cred = (__u64)task->cred };
		__u32 id = (__u32)ret;

		bpf_map_update_elem(&pers, &pk, &id, BPF_ANY);
	}
	count(UA_CNT_EMITTED);
	return 0;
}
