/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps, globals and load-time configuration (rodata, set by src/loader.c),
 * the per-CPU scratch buffers events are built in, and the opcode gate.
 */
#ifndef UA_MAPS_BPF_H
#define UA_MAPS_BPF_H

#include "deny.h"
#include "scratch.h"

/* REQ_F_* masks of the running kernel. The bit numbers move between kernel
 * versions and live in an anonymous enum, so the loader looks them up in the
 * kernel's BTF by enumerator name and sets these before load. */
const volatile __u64 cfg_req_f_fixed_file = 0;
const volatile __u64 cfg_req_f_link = 0;
const volatile __u64 cfg_req_f_force_async = 0;
const volatile __u64 cfg_req_f_cqe_skip = 0;
const volatile __u64 cfg_req_f_creds = 0;
const volatile __u64 cfg_req_f_multishot = 0; /* REQ_F_APOLL_MULTISHOT */
const volatile __u64 cfg_req_f_reissue = 0;
const volatile __u64 cfg_req_f_nowait = 0; /* per-op backend: -EAGAIN is final */
const volatile __u64 cfg_req_f_fail = 0;   /* per-op backend: a failed link's own result */
/* Per-op backend, the issue handlers' return values that are no result
 * (src/perop.c reads them from BTF): IO_URING_F_MULTISHOT (the issue flag of
 * a multishot re-issue: 32 on 6.1, 4 on 6.12), and IOU_STOP_MULTISHOT where
 * the kernel has it (-ECANCELED on 6.1 and 6.12: the request ends with the
 * result its handler left in req->cqe; 0: none, 6.16 on). */
const volatile __u32 cfg_f_multishot = 0;
const volatile __s32 cfg_iou_stop_mshot = 0;
/* Pending requests one uid may hold; beyond it its requests are recorded at
 * submit, untracked (the loader sets it: --pending-per-uid). */
const volatile __u32 cfg_pending_per_uid = 8192;
/* The daemon's own process: kill rules never signal it. */
const volatile __u32 cfg_daemon_tgid = 0;
/* Enforcement (bpf/deny.h): set by the daemon once the enforcement object
 * is attached; deny rules' requests are then marked in deny_req. */
__u32 deny_armed;
__u32 deny_unrecorded; /* --deny unrecorded: mark a selected request whose SUBMIT was lost */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* empty unless deny rules run */
	__type(key, __u64);
	__type(value, struct ua_deny_mark);
} deny_req SEC(".maps");
/* Force a consumer wake-up every this many events per CPU; between them the
 * consumer finds the records on its own timer. The loader sizes it so that a
 * quarter of the ring buffer fills before a forced wake-up. */
const volatile __u64 cfg_wakeup_every = 1024;
/* Fairness under a flood (see flow_over_budget in bpf/emit.bpf.h): once the
 * ring buffer holds more than cfg_pressure_bytes (0 turns fairness off), a
 * process may put cfg_proc_budget requests in it per cfg_flow_period_ns, each
 * of its flows cfg_flow_budget of them, and all processes of a uid
 * cfg_uid_budget; the first cfg_proc_reserve requests of a process in a
 * period go in whatever its uid has used, as long as the uid is under
 * cfg_uid_budget + cfg_uid_reserve, cfg_flow_reserve of them at most from
 * one flow; above cfg_reserve_bytes only those go in. The loader sets them
 * from the ring buffer's size and the fair_* settings. Each CPU looks at the
 * fill every cfg_pressure_every of its events. */
const volatile __u64 cfg_pressure_bytes = 0;
const volatile __u64 cfg_reserve_bytes = 0;
const volatile __u64 cfg_flow_budget = 256;
const volatile __u64 cfg_proc_budget = 512;
const volatile __u64 cfg_uid_budget = 512;
const volatile __u64 cfg_proc_reserve = 40;
const volatile __u64 cfg_flow_reserve = 20;
const volatile __u64 cfg_uid_reserve = 512;
const volatile __u64 cfg_flow_period_ns = 100000000;
const volatile __u64 cfg_pressure_every = 64;
/* The opcodes of each op class (enum ua_op_class) on the running kernel:
 * lib/ops.def's class column, which the loader turns into bitmaps by op name
 * (as it finds the REQ_F_* bits by name), so the numbers are this kernel's. */
const volatile __u64 cfg_op_class[UA_OPC_NR][UA_OPMASK_WORDS] = {};

/* Rule banks (see uringaudit.h). For each bank, the union of the opcodes its
 * rules can record: the first gate. User space fills the idle bank's maps
 * and words, then flips rules_bank. */
__u32 rules_bank;
__u32 nrules[2];
__u64 opmask[2][UA_OPMASK_WORDS];
/* The per-op backend (bpf/uringaudit.bpf.c, src/perop.c): the opcodes whose
 * prep and issue handlers carry the per-op programs. The tracepoint
 * programs leave them alone (one request, one owner); zero on the
 * tracepoint backend. Set by the daemon before it selects such an op. */
__u64 perop_ops[UA_OPMASK_WORDS];
/* Of those, the ops whose multishot CQEs the auxiliary-CQE hooks count
 * (perop_aux_*): complete() leaves their auxiliary CQEs alone. */
__u64 perop_aux_ops[UA_OPMASK_WORDS];
/* The per-op stubs jump here: [0] the capture (at a prep handler's exit),
 * in perop_prep_jmp; [0] the result (at an issue handler's exit), in
 * perop_issue_jmp. Two arrays: a program array holds programs attached to
 * functions of one prototype. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} perop_prep_jmp SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} perop_issue_jmp SEC(".maps");
/* The kernel's op table as read once at start (read_kmem): raw bytes the
 * loader decodes with the layout BTF gives. */
#define UA_KMEM_MAX 8192
__u8 kmem_buf[UA_KMEM_MAX];

/* Global event sequence, taken before the ring buffer reserve. */
__u64 seq_next;
/* Where connect and bind keep the kernel copy of their address: in an
 * io_async_msghdr (.addr), or, since a 2026 change that stable kernels took
 * too, as a bare sockaddr_storage. Nothing in BTF tells the two apart, so
 * the first selected connect whose user-space address matches exactly one of
 * the two places decides (the daemon makes one at start). 0: not known. */
#define ADDR_IN_STORAGE 1
#define ADDR_IN_MSGHDR 2
/* or no kernel copy yet at submit (the address is read from user memory,
 * copy_user_addr); a later connect with a copy still decides */
#define ADDR_AT_ISSUE UA_ADDR_LAYOUT_AT_ISSUE
__u32 addr_layout;
/* Selected multishot requests still pending: while there are none, the
 * auxiliary CQEs of every ring cost one load. A count left high by a
 * request that vanished unseen only costs lookups, never records. */
__s64 mshot_pending;
/* Rings are named by a serial given when one is first seen, never by their
 * address (see ring_serial). */
__u64 ring_serial_next;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by the loader */
} rb SEC(".maps");

/* Selected requests awaiting their CQE. Not LRU: nothing is ever evicted
 * unseen. An entry leaves with its CQE (finish), when its request slot is
 * reused (end_unseen), or when the daemon concludes it (forget_req). A uid
 * holds at most cfg_pending_per_uid entries (pend_uid); a request that finds
 * no room is recorded at submit, marked untracked. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct ua_pending);
} pending SEC(".maps");

/* Which selected request a thread is issuing, between the entry and the
 * exit of its op's issue handler (fentry/fexit, where they load: io_renameat
 * for renameat's replaced file, io_connect and io_send* for the destination
 * the kernel copied), and how many threads are in one: the security hooks
 * that handler reaches (security_path_rename, security_socket_connect,
 * security_socket_sendmsg) leave at once when none is, before any map
 * lookup. One definition for every op watched this way. */
struct issue_watch {
	__u64 req;
	__u64 submit_seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct issue_watch);
} watching SEC(".maps");

__s64 issues_watched;

/* Set by the loader once the destination hooks are attached on a kernel
 * that copies connect and send* addresses when it issues them (addr_layout
 * ADDR_AT_ISSUE, before 6.10): family=, addr= and port= of those ops are
 * then decided on the kernel's copy (at the hook, and at completion), not
 * on the submitter's memory read at submit. */
__u32 addr_hooked;

/* a connect's or send's submit_seq -> its destination while a rule waits
 * for it (UA_CF_ADDR_DEFER): what the submitter's memory held at submit,
 * then each copy the kernel made as it issued the request (the last one is
 * the one it used). Dropped by finish(). LRU: a request that never
 * completes cannot hold a place. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct ua_addr);
} dest_addrs SEC(".maps");

/* a renameat's submit_seq -> the owner of the file its new name named, for
 * obj_uid=/obj_gid= at its completion (rules.bpf.h); dropped by finish().
 * Keyed by the sequence number, which the pending entry holds, so finish()
 * passes a pointer into that entry (no stack). LRU: a request that never
 * completes cannot hold a place. */
struct rename_owner {
	__u32 uid, gid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct rename_owner);
} rename_owners SEC(".maps");

/* uid -> its entries in pending. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} pend_uid SEC(".maps");

/* ring address -> serial. LRU: a ring not seen for long enough to be pushed
 * out (16384 busier rings) gets a new serial, so a new id, when next seen;
 * one id is never given to two rings. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} ring_serials SEC(".maps");

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

/* Who lost events (struct ua_drop_key): read by the daemon each second,
 * which deletes the entries of processes that are gone. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, UA_DROPS_MAX);
	__type(key, struct ua_drop_key);
	__type(value, struct ua_drop_val);
} drops SEC(".maps");

/* The drop path's key and new value, here rather than on the stack of the
 * programs it is called from (6.12's combined stack limit, see submit_buf). */
struct drop_buf {
	struct ua_drop_key k;
	__u32 pad;
	struct ua_drop_val v;
	struct ua_flow_key fk;
	struct ua_flow_val fv;
};

/* Flows seen under pressure. LRU: a flow pushed out starts counting again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ua_flow_key);
	__type(value, struct ua_flow_val);
} flows SEC(".maps");

/* Processes and uids seen under pressure (struct ua_flow_val: period, count).
 * LRU: a process pushed out starts counting again; its uid does not. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UA_BUDGET_PROCS);
	__type(key, __u32);
	__type(value, struct ua_flow_val);
} budget_proc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UA_BUDGET_UIDS);
	__type(key, __u32);
	__type(value, struct ua_flow_val);
} budget_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct drop_buf);
} drop_scratch SEC(".maps");

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

/* struct submit_buf, struct obj_buf and the object slots: bpf/scratch.h */
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct obj_buf);
} obj_scratch SEC(".maps");

static __always_inline struct obj_buf *obj_slot(__u32 k)
{
	return bpf_map_lookup_elem(&obj_scratch, &k);
}

static __always_inline bool op_selected(__u32 bank, __u8 op)
{
	return opmask[bank & 1][op >> 6] & (1ULL << (op & 63));
}

/* Is @op served by the per-op programs (perop_ops)? */
static __always_inline bool perop_owned(__u8 op)
{
	return perop_ops[op >> 6] & (1ULL << (op & 63));
}

/* Is @op of class @cls (enum ua_op_class)? Only for selected requests: the
 * gate above never reads the classes. The barrier keeps the compiler from
 * computing this test's operands ahead of the gate, on the path of every
 * request (it would share op >> 6 and 1 << op with op_selected()). */
static __always_inline bool op_in(__u32 cls, __u8 op)
{
	barrier_var(op);
	return cfg_op_class[cls][op >> 6] & (1ULL << (op & 63));
}

/* Completion side: a request may have been selected by the bank in force
 * before a reload, so either bank's opcodes pass. */
static __always_inline bool op_selected_any(__u8 op)
{
	return (opmask[0][op >> 6] | opmask[1][op >> 6]) & (1ULL << (op & 63));
}

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

/* The serial the ring at @ring was given, or 0 when it has none: for the CQE
 * paths, which only look requests up (a ring with no serial has no pending
 * request) and never name a ring. */
static __always_inline __u64 ring_serial_of(__u64 ring)
{
	__u64 *s = bpf_map_lookup_elem(&ring_serials, &ring);

	return s ? *s : 0;
}

/* The serial of the ring at @ring: a fresh one when @created (the address may
 * be a freed ring's), else the one it was given when first seen, given now
 * when it has none (a ring set up before the daemon started). Only what
 * names a ring in a record assigns: ring setup, a request's SUBMIT, a
 * register call, a msg_ring target. */
static __always_inline __u64 ring_serial(__u64 ring, bool created)
{
	__u64 v;

	if (!created) {
		v = ring_serial_of(ring);
		if (v)
			return v;
	}
	v = __sync_fetch_and_add(&ring_serial_next, 1) + 1;
	bpf_map_update_elem(&ring_serials, &ring, &v, BPF_ANY);
	return v;
}

/* Take one of @uid's pending places: 0, or -1 when it holds its share. */
static __always_inline int pend_track(__u32 uid)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(&pend_uid, &uid);

	if (!n) {
		if (!bpf_map_update_elem(&pend_uid, &uid, &one, BPF_NOEXIST))
			return 0;
		n = bpf_map_lookup_elem(&pend_uid, &uid);
		if (!n)
			return -1;
	}
	if (__sync_fetch_and_add(n, 1) >= cfg_pending_per_uid) {
		__sync_fetch_and_add(n, -1);
		return -1;
	}
	return 0;
}

/* Take one of @uid's pending places whatever its share (a request that
 * leaves at once: in flight at start, bpf/inflight.bpf.h). */
static __always_inline void pend_take(__u32 uid)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(&pend_uid, &uid);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&pend_uid, &uid, &one, BPF_NOEXIST);
}

static __always_inline void pend_forget(__u32 uid)
{
	__u64 *n = bpf_map_lookup_elem(&pend_uid, &uid);

	if (n)
		__sync_fetch_and_add(n, -1);
}

#endif /* UA_MAPS_BPF_H */
