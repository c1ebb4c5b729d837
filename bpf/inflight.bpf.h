/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Requests in flight when the daemon starts: submitted before the
 * submit-side programs were attached, completed after (an accept or a recv
 * waiting for its peer). Nothing in a request tells one submitted before the
 * attach from one the rules declined at submit, so they are enumerated once,
 * at start: the loader attaches the completion side, runs the iterator
 * inflight_walk (every task's files; each io_uring ring once) and only then
 * attaches the submit side. Each request the walk finds waiting gets a mark
 * (the `inflight` map, keyed by the request pointer) with what identifies it
 * (ring, user_data, opcode) and who submitted it (req->task, or
 * req->tctx->task since 6.15), read as the walk finds it.
 *
 * At its last CQE a request with a mark that still matches (same ring,
 * user_data and opcode) and no pending entry is captured as the tracepoint
 * would have at submit, from the mark, with UA_SF_INFLIGHT: the rules in
 * force decide, and the record says inflight=start. What only the submit
 * knew (names, the sqe's fd, addresses read from user memory, the
 * submitting context) is absent. Any other submit of that pointer (a reused
 * io_kiocb) removes its mark first, and any CQE of it ends the mark, so a
 * mark is never inherited. Nothing here runs while no mark exists: one
 * global, inflight_n, is tested first.
 *
 * Reached by the walk: the cancel hash (cancel_table, and on kernels that
 * have it cancel_table_locked): every request armed for readiness (poll_add,
 * and accept, recv, send, connect, ... waiting through async poll); the
 * timeout list (timeout, not linked timeouts). Not reached: io-wq work queued
 * or running (blocking reads and writes, opens), iopoll, futex and waitid
 * waits, requests of a ring no task holds an fd of.
 */
#ifndef UA_INFLIGHT_BPF_H
#define UA_INFLIGHT_BPF_H

#include "ringfile.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UA_INFLIGHT_MAX);
	__type(key, __u64);
	__type(value, struct ua_inflight);
} inflight SEC(".maps");

/* Rings the walk has done (a ring held by several fds or processes). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} inflight_rings SEC(".maps");

/* Marks in the map: the completion and submit programs test this first. */
__s64 inflight_n;
/* Then this: a bit per hash of each marked request's pointer, set by the
 * walk and never cleared (while inflight_n > 0), so that a request of
 * another slot costs one load and no map lookup while marks wait; a mark
 * can wait forever (an accept on an idle server). */
#define INFLIGHT_BLOOM_WORDS 16
__u64 inflight_bloom[INFLIGHT_BLOOM_WORDS];

static __always_inline __u32 inflight_bit(__u64 reqp)
{
	/* io_kiocbs come from a slab: the low bits are the same for all */
	return (__u32)((reqp >> 6) ^ (reqp >> 16)) & (INFLIGHT_BLOOM_WORDS * 64 - 1);
}

/* May @reqp have a mark? */
static __always_inline bool inflight_maybe(__u64 reqp)
{
	__u32 b = inflight_bit(reqp);

	return inflight_bloom[(b >> 6) & (INFLIGHT_BLOOM_WORDS - 1)] & (1ULL << (b & 63));
}
/* What the walk did, for the daemon: marks made, marks the map refused,
 * rings walked, walks cut at their bound. */
__u64 inflight_marked, inflight_full, inflight_nrings, inflight_cut;

/* Kernels before 6.15: the submitting task is req->task. */
struct io_kiocb___task {
	struct task_struct *task;
} __attribute__((preserve_access_index));

/* Kernels before 6.13 keep a second hash for requests armed with the ring
 * lock held. */
struct io_ring_ctx___locked {
	struct io_hash_table cancel_table_locked;
} __attribute__((preserve_access_index));

static __always_inline struct task_struct *req_task(struct io_kiocb *req)
{
	if (bpf_core_field_exists(struct io_kiocb___task, task))
		return BPF_CORE_READ((struct io_kiocb___task *)req, task);
	return BPF_CORE_READ(req, tctx, task);
}

static __always_inline void ids_read(struct ua_ids *d, const struct cred *c)
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

/* Mark request @reqp of ring @ring, as the walk finds it. */
static __noinline void inflight_mark(__u64 reqp, __u64 ring)
{
	struct io_kiocb *req = (struct io_kiocb *)reqp;
	struct task_struct *task, *leader;
	struct ua_inflight m = {};
	struct file *x;

	if (!reqp)
		return;
	task = req_task(req);
	if (!task)
		return;
	leader = BPF_CORE_READ(task, group_leader);
	m.ring = ring;
	m.user_data = BPF_CORE_READ(req, cqe.user_data);
	m.opcode = BPF_CORE_READ(req, opcode);
	m.pid = BPF_CORE_READ(task, tgid);
	m.tid = BPF_CORE_READ(task, pid);
	m.ppid = BPF_CORE_READ(task, real_parent, tgid);
	m.start_time = BPF_CORE_READ(leader, start_boottime);
	m.auid = BPF_CORE_READ(task, loginuid.val);
	m.ses = BPF_CORE_READ(task, sessionid);
	m.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	m.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	x = BPF_CORE_READ(task, mm, exe_file);
	if (x) {
		m.exe_ino = BPF_CORE_READ(x, f_inode, i_ino);
		m.exe_dev = BPF_CORE_READ(x, f_inode, i_sb, s_dev);
	}
	ids_read(&m.task, BPF_CORE_READ(task, cred));
	if (BPF_CORE_READ(req, flags) & cfg_req_f_creds) {
		m.cred_src = UA_CRED_PERSONALITY;
		ids_read(&m.eff, BPF_CORE_READ(req, creds));
	} else {
		m.cred_src = UA_CRED_TASK;
		m.eff = m.task;
	}
	bpf_probe_read_kernel_str(m.comm, sizeof(m.comm), &task->comm);
	if (bpf_map_update_elem(&inflight, &reqp, &m, BPF_NOEXIST)) {
		if (!bpf_map_lookup_elem(&inflight, &reqp))
			__sync_fetch_and_add(&inflight_full, 1);
		return;
	}
	{
		__u32 bit = inflight_bit(reqp);

		__sync_fetch_and_or(&inflight_bloom[(bit >> 6) & (INFLIGHT_BLOOM_WORDS - 1)],
				    1ULL << (bit & 63));
	}
	__sync_fetch_and_add(&inflight_n, 1);
	__sync_fetch_and_add(&inflight_marked, 1);
}

/* The walk of one ring, one step a node: the hash buckets of each table,
 * then the timeout list. */
struct inflight_walk {
	__u64 ring;
	__u64 hbs;   /* the current table's buckets */
	__u64 node;  /* the next node to look at, 0: the next bucket */
	__u32 nb;    /* buckets in the table */
	__u32 b;     /* the next bucket */
	__u32 table; /* 0 cancel_table, 1 cancel_table_locked, 2 timeouts, 3 done */
	__u32 pad;
	__u64 tl_head; /* &ring->timeout_list */
};

/*
 * The walk's state is a global, not the caller's stack: 6.1's verifier
 * checks a bpf_loop callback once, with the caller's stack as it is at the
 * call (it checks every number of calls since 6.7), so each test of a field
 * the caller had set (table 0, node 0) was taken as constant and the other
 * branch dropped as dead code: the 6.1 walk never marked a node and went
 * round cancel_table_locked until its bound ("0 marked in 1 rings, 1 walks
 * cut"; the iterator's verified_insns 304 on 6.1, 2603 on 6.18). What a
 * global holds is unknown to any verifier. The loader runs the iterator
 * from one thread, one ring at a time.
 */
static struct inflight_walk inflight_w;

#define INFLIGHT_STEPS (1 << 18)

static __always_inline void walk_table(struct inflight_walk *w, struct io_hash_table *t)
{
	__u32 bits = BPF_CORE_READ(t, hash_bits);

	w->hbs = (__u64)BPF_CORE_READ(t, hbs);
	w->nb = bits < 16 ? 1u << bits : 0;
	w->b = 0;
	w->node = 0;
}

static long inflight_step(__u32 i, void *arg)
{
	struct inflight_walk *w = &inflight_w;
	struct io_ring_ctx *ctx = (struct io_ring_ctx *)w->ring;
	/* a local: BPF_CORE_READ would relocate an access to w's own fields */
	__u64 node = w->node;

	if (w->table == 2) {
		/* timeout_list: struct io_timeout.list, the command at the
		 * request's start */
		if (!node || node == w->tl_head)
			return 1;
		inflight_mark(node - bpf_core_field_offset(struct io_timeout, list), w->ring);
		w->node = (__u64)BPF_CORE_READ((struct list_head *)node, next);
		return 0;
	}
	if (node) {
		inflight_mark(node - bpf_core_field_offset(struct io_kiocb, hash_node), w->ring);
		w->node = (__u64)BPF_CORE_READ((struct hlist_node *)node, next);
		return 0;
	}
	if (w->hbs && w->b < w->nb) {
		__u64 a = w->hbs + (__u64)w->b * bpf_core_type_size(struct io_hash_bucket) +
			  bpf_core_field_offset(struct io_hash_bucket, list);

		w->b++;
		w->node = (__u64)BPF_CORE_READ((struct hlist_head *)a, first);
		return 0;
	}
	if (w->table == 0 &&
	    bpf_core_field_exists(struct io_ring_ctx___locked, cancel_table_locked)) {
		struct io_ring_ctx___locked *l = (void *)ctx;

		w->table = 1;
		walk_table(w, &l->cancel_table_locked);
		return 0;
	}
	w->table = 2;
	w->tl_head = (__u64)&ctx->timeout_list;
	w->node = (__u64)BPF_CORE_READ(ctx, timeout_list.next);
	return 0;
}

static __always_inline void inflight_ring(struct io_ring_ctx *ctx)
{
	struct inflight_walk *w = &inflight_w;
	__u64 key = (__u64)ctx;
	__u8 one = 1;

	if (bpf_map_update_elem(&inflight_rings, &key, &one, BPF_NOEXIST))
		return;
	__sync_fetch_and_add(&inflight_nrings, 1);
	__builtin_memset(w, 0, sizeof(*w));
	w->ring = key;
	walk_table(w, &ctx->cancel_table);
	if (bpf_loop(INFLIGHT_STEPS, inflight_step, NULL, 0) >= INFLIGHT_STEPS)
		__sync_fetch_and_add(&inflight_cut, 1);
}

/* A new request in @reqp's slot: whatever mark the slot had is not its. */
/* @p as a plain number: a pointer the verifier types (the submit
 * programs' req) cannot be shifted, so it goes through per-CPU memory, as
 * capture's e->req does. */
static __always_inline __u64 inflight_num(void *p)
{
	__u32 zero = 0;
	struct submit_buf *b = bpf_map_lookup_elem(&scratch, &zero);

	if (!b)
		return 0;
	barrier_var(b);
	b->ev.req = (__u64)p;
	return *(volatile __u64 *)&b->ev.req;
}

static __always_inline void inflight_forget(__u64 reqp)
{
	if (inflight_maybe(reqp) && !bpf_map_delete_elem(&inflight, &reqp))
		__sync_fetch_and_add(&inflight_n, -1);
}

/*
 * A CQE of request @key (user_data @user_data, flags @cflags) with no
 * pending entry, while marks exist. A matching mark's last CQE builds the
 * request's SUBMIT in the scratch buffer from the mark, and the pending
 * state beside it; true then, and ua_inflight_rules() decides. The mark goes
 * with any CQE but a multishot request's intermediate ones.
 *
 * This and ua_inflight_rules are global functions: the verifier checks
 * each once per program, on its own, from its argument types (numbers only:
 * a global function takes no kernel pointer), not again in each state of
 * the completion programs of both backends that call them (complete_cqe,
 * perop_end, through inflight_take). Two, not one: 6.1's verifier sums the
 * frames of a call chain, bpf_loop callbacks included, to at most 512
 * bytes; the callers' frames are 224 (compat object) and the rules'
 * callbacks under rule_step take 160 (rule_step, field_step, ua_name_match,
 * str_step), so the frame that holds the rules' state (struct rule_eval,
 * 104 bytes) must stay within 128: ua_inflight_rules holds that and little
 * else (one function holding both was 192: "combined stack size of 5 calls
 * is 544" in the 6.1 guest).
 */
__noinline int ua_inflight_start(__u64 key, __u64 user_data, __u32 cflags)
{
	struct io_kiocb *req = KCAST(io_kiocb, key);
	struct ua_inflight *m = bpf_map_lookup_elem(&inflight, &key);
	struct io_ring_ctx *ring;
	struct ua_pending *p;
	struct submit_buf *b;
	struct ua_ev_submit *e;
	__u32 zero = 0, bank;
	__u64 ringp;
	__u8 op;

	if (!m)
		return 0;
	/* the ring the CQE goes to: the request's own */
	ringp = inflight_num(KRD(req, ctx));
	ring = KCAST(io_ring_ctx, ringp);
	op = KRD(req, opcode);
	if (m->ring == ringp && m->user_data == user_data && m->opcode == op &&
	    (cflags & IORING_CQE_F_MORE) && op != IORING_OP_SEND_ZC && op != IORING_OP_SENDMSG_ZC) {
		m->cqes++;
		return 0;
	}
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b || m->ring != ringp || m->user_data != user_data || m->opcode != op) {
		inflight_forget(key);
		return 0;
	}
	barrier_var(b);
	e = &b->ev;
	__builtin_memset(e, 0, sizeof(*e));
	e->req = key;
	e->user_data = user_data;
	e->opcode = op;
	e->start_time = m->start_time;
	e->exe_ino = m->exe_ino;
	e->exe_dev = m->exe_dev;
	e->cgroup_id = m->cgroup_id;
	e->pid = m->pid;
	e->tid = m->tid;
	e->ppid = m->ppid;
	e->auid = m->auid;
	e->ses = m->ses;
	e->mnt_ns = m->mnt_ns;
	e->task = m->task;
	e->eff = m->eff;
	e->cred_src = m->cred_src;
	__builtin_memcpy(e->comm, m->comm, sizeof(e->comm));
	p = &b->pend;
	__builtin_memset(p, 0, sizeof(*p));
	p->cqes = m->cqes;
	inflight_forget(key);

	bank = rules_bank;
	if (!op_selected(bank, op))
		return 0;
	e->ring = ring_serial(ringp, false);
	e->ring_flags = KRD(ring, flags);
	e->exec_ctx = UA_CTX_TASK;
	e->fd = -1;
	e->dfd = -1;
	e->dfd2 = -1;
	e->flags = UA_SF_INFLIGHT;
	e->bank = bank;

	p->ring = e->ring;
	p->user_data = user_data;
	p->bank = bank;
	p->exec_ctx = UA_CTX_TASK;
	p->opcode = op;
	p->tgid = e->pid;
	p->uid = e->task.uid;
	if (op == IORING_OP_ACCEPT)
		p->file_slot = KRD(REQ_CMD(req, io_accept), file_slot);
	return 1;
}

/*
 * The rules in force decide on the SUBMIT ua_inflight_start() left in the
 * scratch buffer (the fields known at submit now; those known at
 * completion in finish()); when a rule records it the SUBMIT goes and the
 * pending state waits in the scratch buffer for finish(). True then.
 */
__noinline int ua_inflight_rules(void)
{
	struct submit_buf *b;
	__u32 zero = 0;

	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return 0;
	barrier_var(b);
	{
		/* its place on the stack is free again for what follows */
		struct rule_eval r = {};

		r.b = b;
		r.bank = b->ev.bank;
		r.op = b->ev.opcode;
		r.decided = -1;
		bpf_loop(nrules[r.bank & 1] & (UA_KRULES_MAX * 2 - 1), rule_step, &r, 0);
		if (r.cand[0] | r.cand[1] | r.cand[2] | r.cand[3])
			b->ev.flags |= UA_SF_TENTATIVE;
		else if (!rule_records(r.bank, r.decided))
			return 0;
		/* Its result is known: the COMPLETE follows at once, so no
		 * rule for an unknown result (capture's first_recording) is
		 * needed. */
		b->pend.rule_unknown = (__s16)r.decided;
		b->pend.rule = (__s16)r.decided;
		b->ev.rule = (__s16)r.decided;
		__builtin_memcpy(b->pend.cand, r.cand, sizeof(b->pend.cand));
	}

	hdr_init(&b->ev.hdr, UA_EV_SUBMIT, sizeof(b->ev));
	b->pend.submit_seq = b->ev.hdr.seq;
	if (emit_prepared(&b->ev, sizeof(b->ev), rb_flags(), b->ev.pid, b->ev.task.uid,
			  b->ev.opcode))
		return 0;
	/* finish() gives back a pending place it did not take here */
	pend_take(b->pend.uid);
	return 1;
}

/*
 * The completion programs' way in (complete_cqe, perop_end): @key's CQE
 * (a request with no pending entry) while marks exist. The pending state
 * the in-flight request's SUBMIT left in the scratch buffer, for finish(),
 * or NULL.
 */
static __always_inline struct ua_pending *inflight_take(__u64 key, __u64 user_data, __u32 cflags)
{
	struct submit_buf *b;
	__u32 zero = 0;

	if (!inflight_maybe(key) || !ua_inflight_start(key, user_data, cflags) ||
	    !ua_inflight_rules())
		return NULL;
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return NULL;
	/* 6.1's verifier refuses &b->pend computed before the test */
	barrier_var(b);
	return &b->pend;
}

#endif /* UA_INFLIGHT_BPF_H */
