/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A selected request's life: its SUBMIT (capture, rules, pending state), its
 * multishot CQEs, and its COMPLETE (finish); who owns a ring-level event.
 */
#ifndef UA_REQUEST_BPF_H
#define UA_REQUEST_BPF_H

/* @reqp's pending entry @p leaves the kernel's tables. */
static __always_inline void pend_release(__u64 reqp, struct ua_pending *p)
{
	struct ua_ud_key k = { .ring = p->ring, .user_data = p->user_data };
	__u64 *cur;

	if (p->flags & UA_CF_MSHOT_COUNTED)
		__sync_fetch_and_add(&mshot_pending, -1);
	cur = bpf_map_lookup_elem(&byud, &k);
	if (cur && *cur == reqp)
		bpf_map_delete_elem(&byud, &k);
	pend_forget(p->uid);
	bpf_map_delete_elem(&pending, &reqp);
}

/* The COMPLETE event of pending request @reqp (@p): its result @res and CQE
 * flags @cflags (both 0 when none was seen), UA_CF_* @flags beside the
 * entry's own, @cqes CQEs posted, decided by @rule. */
static __always_inline void emit_complete(__u64 reqp, struct ua_pending *p, __s32 res, __u32 cflags,
					  __u32 flags, __u32 cqes, __s32 rule)
{
	struct ua_ev_complete *c =
		emit_reserve(UA_EV_COMPLETE, sizeof(*c), p->tgid, p->uid, p->opcode);

	if (!c)
		return;
	c->req = reqp;
	c->submit_seq = p->submit_seq;
	c->ring = p->ring;
	c->res = res;
	c->cflags = cflags;
	c->flags = (p->flags & ~UA_CF_MSHOT_COUNTED) | flags;
	c->cqes = cqes;
	c->rule = rule;
	c->bank = p->bank;
	emit_commit(c);
}

/*
 * A new request in the slot of one still pending: the old one has ended
 * without a CQE we saw (IOSQE_CQE_SKIP_SUCCESS, or its CQE went where no
 * tracepoint shows it). Its COMPLETE says so (UA_CF_UNSEEN, result unknown,
 * decided by the rule that records it whatever the result), and its entry
 * goes, so that the new request's CQE is never taken for the old one's.
 */
static __noinline int end_unseen(__u64 reqp)
{
	struct ua_pending *p = bpf_map_lookup_elem(&pending, &reqp);

	if (!p)
		return 0;
	count(UA_CNT_UNSEEN);
	emit_complete(reqp, p, 0, 0, UA_CF_UNSEEN, p->cqes, p->rule_unknown);
	pend_release(reqp, p);
	return 0;
}

struct first_rec {
	__u32 bank;
	__s32 found;
	__u64 cand[4];
};

static long first_rec_step(__u32 i, void *arg)
{
	struct first_rec *f = arg;

	if (!(f->cand[(i >> 6) & 3] & (1ULL << (i & 63))))
		return 0;
	if (!rule_records(f->bank, (__s32)i))
		return 0;
	f->found = (__s32)i;
	return 1;
}

/* The rule that records a tentative request whose result stays unknown: the
 * first candidate that records (any result might match it), else @decided. */
static __always_inline __s32 first_recording(__u32 bank, __u64 c0, __u64 c1, __u64 c2, __u64 c3,
					     __s32 decided)
{
	struct first_rec f = { .bank = bank, .found = -1 };

	f.cand[0] = c0;
	f.cand[1] = c1;
	f.cand[2] = c2;
	f.cand[3] = c3;
	bpf_loop(UA_KRULES_MAX, first_rec_step, &f, 0);
	if (f.found < 0 && rule_records(bank, decided))
		f.found = decided;
	return f.found;
}

/* The first candidate of the request being captured (its pending state in
 * the scratch buffer) whose rule denies or kills, +1 (0: none). A global
 * function, with its own frame: capture()'s is near the limit. */
struct acting_scan {
	struct ua_pending *p;
	__u32 bank;
	__s32 found;
};

static long acting_step(__u32 i, void *arg)
{
	struct acting_scan *s = arg;
	__u32 act;

	if (!s->p)
		return 1;
	if (!(s->p->cand[(i >> 6) & 3] & (1ULL << (i & 63))))
		return 0;
	act = rule_action(s->bank, (__s32)i);
	if (act != UA_ACT_DENY && act != UA_ACT_KILL)
		return 0;
	s->found = (__s32)i;
	return 1;
}

__noinline int ua_deny_candidate(__u32 bank)
{
	struct acting_scan s = {};
	__u32 zero = 0;
	struct submit_buf *b = bpf_map_lookup_elem(&scratch, &zero);

	if (!b)
		return 0;
	s.p = &b->pend;
	s.bank = bank;
	s.found = -1;
	bpf_loop(UA_KRULES_MAX, acting_step, &s, 0);
	return s.found + 1;
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
	struct ua_pending *p;
	struct submit_buf *b;
	struct ua_ev_submit *e;
	__u32 zero = 0, size;
	__u64 level;
	struct file *exe;

	count(UA_CNT_SELECTED);
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return 0;
	e = &b->ev;
	__builtin_memset(e, 0, sizeof(*e));

	e->req = (__u64)req;
	/* A request still pending in this slot has ended unseen. The barrier
	 * makes the argument a plain number, not a pointer into the buffer. */
	{
		__u64 reqp = e->req;

		asm volatile("" : "+r"(reqp)::"memory");
		end_unseen(reqp);
		/* and a mark a denied request left in the slot is not this one's */
		if (deny_armed)
			bpf_map_delete_elem(&deny_req, &reqp);
	}
	b->ring_addr = (__u64)ring;
	e->ring = ring_serial((__u64)ring, false);
	e->user_data = req->cqe.user_data;
	e->opcode = op;
	e->init_err = init_err;
	e->ring_flags = ring->flags;
	e->pid = task->tgid;
	e->tid = task->pid;
	e->ppid = task->real_parent->tgid;
	e->start_time = leader->start_boottime;
	/* As kernel audit: the submitting thread's (a thread may set its own
	 * loginuid while unset); the SQ thread's was copied at ring setup. */
	e->auid = task->loginuid.val;
	e->ses = task->sessionid;
	e->cgroup_id = bpf_get_current_cgroup_id();
	if (task->nsproxy)
		e->mnt_ns = task->nsproxy->mnt_ns->ns.inum;
	exe = task->mm ? task->mm->exe_file : NULL;
	if (exe) {
		e->exe_ino = exe->f_inode->i_ino;
		e->exe_dev = exe->f_inode->i_sb->s_dev;
		send_exe(e->pid, e->start_time, e->exe_ino, e->exe_dev, exe, e->task.uid,
			 e->opcode);
	}

	/* Execution context from task and ring flags, never from thread names:
	 * the SQ thread is an io thread (PF_IO_WORKER) of a SQPOLL ring. */
	if ((task->flags & PF_IO_WORKER) && (e->ring_flags & IORING_SETUP_SQPOLL)) {
		e->exec_ctx = UA_CTX_SQPOLL;
		e->flags |= UA_SF_VIA_SQPOLL;
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
		if (op == IORING_OP_CONNECT && (!addr_layout || addr_layout == ADDR_AT_ISSUE))
			latch_addr_layout(req);
		ua_capture_objects(b, op);
	}

	/* The rules decide, now or at completion (they mark in the pending
	 * state which candidates wait for an open's file). */
	p = &b->pend;
	__builtin_memset(p, 0, sizeof(*p));
	r.b = b;
	r.bank = bank;
	r.op = op;
	r.decided = -1;
	bpf_loop(nrules[bank & 1] & (UA_KRULES_MAX * 2 - 1), rule_step, &r, 0);
	if (r.cand[0] | r.cand[1] | r.cand[2] | r.cand[3]) {
		e->flags |= UA_SF_TENTATIVE;
		/* its family=/addr=/port= wait for the kernel's copy */
		if (addr_hooked && op_in(UA_OPC_ADDR, op))
			p->flags |= UA_CF_ADDR_DEFER;
	} else if (!rule_records(bank, r.decided))
		return 0;
	e->bank = bank;
	e->rule = (__s16)r.decided;
	/* A kill rule decided now: the signal goes before the request is
	 * issued, but does not stop it (best-effort; BPF-LSM denies). */
	if (!(e->flags & UA_SF_TENTATIVE) && rule_action(bank, r.decided) == UA_ACT_KILL)
		e->flags |= kill_submitter(e->pid) ? UA_SF_KILLED : UA_SF_KILL_MISSED;
	/* A deny (or kill) rule decided now, where the enforcement object
	 * runs: the request is failed by the LSM hooks as it is issued. Also
	 * when earlier rules are left candidates to be decided at completion
	 * (a path= the open's name does not spell, success=, ...): they
	 * cannot exempt it, since a stopped request opens no file and
	 * succeeds at nothing; its record goes under whichever rule matches
	 * its completion, stopped=yes. */
	if (deny_armed && e->pid != cfg_daemon_tgid &&
	    (rule_action(bank, r.decided) == UA_ACT_DENY ||
	     rule_action(bank, r.decided) == UA_ACT_KILL))
		ua_deny_mark(rule_err(bank, r.decided), 0);
	/* A deny (or kill) rule that waits for the destination the kernel
	 * copies as it issues the request (addr_hooked): marked undecided, and
	 * decided on that copy by the destination hook (dest_decide) before
	 * the LSM hooks run. A request the hook cannot find (not kept pending:
	 * over budget, over its uid's quota, the table full, its SUBMIT lost)
	 * is denied: nothing a deny rule may match runs undecided. */
	b->dcand = 0;
	if (deny_armed && e->pid != cfg_daemon_tgid && (p->flags & UA_CF_ADDR_DEFER) &&
	    rule_action(bank, r.decided) != UA_ACT_DENY &&
	    rule_action(bank, r.decided) != UA_ACT_KILL) {
		__builtin_memcpy(p->cand, r.cand, sizeof(p->cand));
		b->dcand = ua_deny_candidate(bank);
		if (b->dcand)
			ua_deny_mark(rule_err(bank, (__s32)b->dcand - 1), UA_DM_UNDECIDED);
	}
	p->rule_unknown = (e->flags & UA_SF_TENTATIVE) ?
				  (__s16)first_recording(bank, r.cand[0], r.cand[1], r.cand[2],
							 r.cand[3], r.decided) :
				  e->rule;
	/* User space keeps it until the COMPLETE decides: the rule that
	 * records it should the result never come. */
	e->rule = p->rule_unknown;

	/* Fairness: while the ring buffer fills, a flow over its budget loses
	 * this request (said by URING_LOST reason=budget) before it takes a
	 * place anywhere. */
	level = rb_pressure();
	if (level && flow_over_budget(b, level)) {
		if (b->dcand)
			ua_deny_mark(rule_err(bank, (__s32)b->dcand - 1), 0);
		count(UA_CNT_BUDGET);
		drop_note(e->pid, e->task.uid, op, UA_DROP_BUDGET);
		return 0;
	}

	/* Followed to its CQE, or recorded now (untracked): a uid gets its
	 * share of the pending table, and ops that only wait get none. */
	p->uid = e->task.uid;
	if (op_in(UA_OPC_WAITS, op))
		e->flags |= UA_SF_UNTRACKED;
	else if (pend_track(p->uid))
		e->flags |= UA_SF_UNTRACKED | UA_SF_UNTRACKED_QUOTA;

	size = sizeof(*e) + (e->name_len & (UA_NAME_MAX - 1)) + (e->name2_len & (UA_NAME_MAX - 1));
	/* The sequence number first: the pending entry holds it. */
	hdr_init(&e->hdr, UA_EV_SUBMIT, size);
	if (!(e->flags & UA_SF_UNTRACKED)) {
		p->submit_seq = e->hdr.seq;
		p->ring = e->ring;
		p->user_data = e->user_data;
		p->rule = (__s16)r.decided;
		p->bank = bank;
		p->exec_ctx = e->exec_ctx;
		p->opcode = op;
		p->tgid = e->pid;
		if (op_in(UA_OPC_NEW, op))
			p->file_slot = e->file_slot;
		/* a multishot poll (IORING_POLL_ADD_MULTI: no EPOLLONESHOT
		 * in its events once prepared) posts auxiliary CQEs too */
		if ((op == IORING_OP_ACCEPT && (e->arg[0] & IORING_ACCEPT_MULTISHOT)) ||
		    (rflags & cfg_req_f_multishot) ||
		    (op == IORING_OP_POLL_ADD && bpf_core_type_exists(struct io_poll) &&
		     !(KRD(REQ_CMD(req, io_poll), events) & UA_EPOLLONESHOT)))
			p->flags |= UA_CF_MSHOT_COUNTED;
		__builtin_memcpy(p->cand, r.cand, sizeof(p->cand));
		if (bpf_map_update_elem(&pending, &e->req, p, BPF_NOEXIST)) {
			pend_forget(p->uid);
			count(UA_CNT_PENDING_FULL);
			e->flags |= UA_SF_UNTRACKED | UA_SF_UNTRACKED_FULL;
		} else if (p->flags & UA_CF_MSHOT_COUNTED) {
			__sync_fetch_and_add(&mshot_pending, 1);
		}
	}
	if (e->flags & UA_SF_UNTRACKED) {
		count(UA_CNT_UNTRACKED);
		if (b->dcand)
			ua_deny_mark(rule_err(bank, (__s32)b->dcand - 1), 0);
	} else if (p->flags & UA_CF_ADDR_DEFER) {
		/* the rules' destination until the kernel's copy replaces it */
		bpf_map_update_elem(&dest_addrs, &p->submit_seq, &e->addr, BPF_ANY);
	}

	if (emit_prepared(b, size, rb_flags(), e->pid, e->task.uid, op)) {
		/* Not recorded: under --deny unrecorded, not run either. */
		if (deny_armed && deny_unrecorded && !init_err && e->pid != cfg_daemon_tgid)
			ua_deny_mark(-13 /* EACCES */, 0);
		else if (b->dcand)
			ua_deny_mark(rule_err(bank, (__s32)b->dcand - 1), 0);
		if (!(e->flags & UA_SF_UNTRACKED)) {
			/* Its SUBMIT is lost (the sequence gap says so): its
			 * entry would only wait for a CQE nobody can join. */
			struct ua_pending *q = bpf_map_lookup_elem(&pending, &e->req);

			if (q)
				pend_release(e->req, q);
		}
		return 0;
	}
	submit_objects(e, req, op);
	if (!(e->flags & UA_SF_UNTRACKED)) {
		struct ua_ud_key k = { .ring = e->ring, .user_data = e->user_data };

		bpf_map_update_elem(&byud, &k, &e->req, BPF_ANY);
	}
	return 0;
}

/* Emit the objects and COMPLETE for a pending request and forget it.
 * @have: objects in the scratch slots (0 when the request is unknown, as
 * for an overflowed CQE). */
static __always_inline void finish(__u64 reqp, struct ua_pending *p, __s32 res, __u32 cflags,
				   __u32 flags, __u32 have)
{
	__s32 rule = p->rule;
	__u32 i;
	bool tentative = p->cand[0] | p->cand[1] | p->cand[2] | p->cand[3];

	if (tentative) {
		struct rule_eval r = {};

		r.p = p;
		r.bank = p->bank;
		r.op = p->opcode;
		r.res = res;
		r.exec_ctx = (p->flags & UA_CF_PUNTED) ? UA_CTX_IOWQ : p->exec_ctx;
		r.decided = -1;
		r.have = have;
		r.fo = obj_slot(OBJ_FILE);
		r.no = obj_slot(OBJ_NEW);
		/* renameat: the owner of the file it replaced (kept by
		 * rename_target) in fo, which no renameat uses otherwise */
		if (p->opcode == IORING_OP_RENAMEAT && (p->flags & UA_CF_RENAME_TARGET) && r.fo) {
			struct rename_owner *ow =
				bpf_map_lookup_elem(&rename_owners, &p->submit_seq);

			if (ow) {
				r.fo->ev.kind = UA_OBJ_FILE;
				r.fo->ev.flags = 0;
				r.fo->ev.uid = ow->uid;
				r.fo->ev.gid = ow->gid;
				r.have |= HAVE_REPLACED;
			}
		}
		__builtin_memcpy(r.cand, p->cand, sizeof(r.cand));
		bpf_loop(UA_KRULES_MAX, crule_step, &r, 0);
		if (r.decided >= 0)
			rule = r.decided;
	}
	if (!rule_records(p->bank, rule)) {
		rule = -1;
		have = 0; /* not recorded: its objects need not travel */
	}
	/* A kill rule decided now (at submit it was undecided). */
	if (tentative && rule_action(p->bank, rule) == UA_ACT_KILL)
		flags |= kill_submitter(p->tgid) ? UA_CF_KILLED : UA_CF_KILL_MISSED;

	for (i = OBJ_FILE; i <= OBJ_NEW; i++) {
		struct obj_buf *o;

		if (!(have & (1u << i)))
			continue;
		o = obj_slot(i);
		if (o)
			emit_obj(o, p->submit_seq, reqp, p->tgid, p->uid, p->opcode);
	}

	emit_complete(reqp, p, res, cflags, flags, p->cqes + 1, rule);
	if (p->flags & UA_CF_RENAME_TARGET)
		bpf_map_delete_elem(&rename_owners, &p->submit_seq);
	if (p->flags & UA_CF_ADDR_DEFER)
		bpf_map_delete_elem(&dest_addrs, &p->submit_seq);
	pend_release(reqp, p);
}

/* The pending request of an auxiliary CQE (a multishot request's, which
 * carries no request pointer), found by (ring serial, user_data) as recorded
 * at submit; @reqv gets its identity. Submitters can reuse user_data; then
 * the latest such request is taken: used only to count CQEs and send the
 * connections a multishot accept made, never for a result. */
static __always_inline struct ua_pending *pending_by_ud(__u64 ring, __u64 user_data, __u64 *reqv)
{
	struct ua_ud_key k = { .ring = ring, .user_data = user_data };
	__u64 *reqp;

	if (!ring)
		return NULL; /* a ring with no serial has no pending request */
	reqp = bpf_map_lookup_elem(&byud, &k);
	if (!reqp)
		return NULL;
	*reqv = *reqp;
	return bpf_map_lookup_elem(&pending, reqv);
}

/* Multishot, in complete and cqe_overflow alike: a CQE with
 * IORING_CQE_F_MORE is not the request's last, so it is only counted; the
 * record comes with the last one. A zero-copy send's result is its last CQE
 * of its own: the notification that follows is posted by another request.
 * True when the CQE was counted and the request goes on. */
static __always_inline bool mshot_more(struct ua_pending *p, __u32 cflags)
{
	if (!(cflags & IORING_CQE_F_MORE) || p->opcode == IORING_OP_SEND_ZC ||
	    p->opcode == IORING_OP_SENDMSG_ZC)
		return false;
	p->cqes++;
	return true;
}

/* Are @op's multishot CQEs counted by the per-op backend's auxiliary-CQE
 * hooks (perop_aux_*) rather than by complete and cqe_overflow? */
static __always_inline bool perop_aux_owned(__u8 op)
{
	return perop_aux_ops[op >> 6] & (1ULL << (op & 63));
}

/* A multishot CQE (IORING_CQE_F_MORE): count it; for accept, the accepted
 * connection is an object of its own, sent now (multishot recv and read
 * CQEs carry data, no object). @by_hook: seen by a per-op auxiliary-CQE
 * hook (else by the complete tracepoint); each CQE is counted by one. */
static __noinline void mshot_cqe(struct io_ring_ctx *ring, __u64 user_data, __s32 res, __u32 cflags,
				 __u32 by_hook)
{
	struct ua_pending *p;
	struct obj_buf *o;
	__u64 reqv;

	if (!(cflags & IORING_CQE_F_MORE))
		return;
	p = pending_by_ud(ring_serial_of((__u64)ring), user_data, &reqv);
	if (!p || perop_aux_owned(p->opcode) != (by_hook != 0))
		return;
	p->cqes++;
	o = obj_slot(OBJ_NEW);
	if (!o || res < 0 || p->opcode != IORING_OP_ACCEPT)
		return;
	obj_new(o, ring, p->file_slot, p->tgid, res);
	o->ev.flags |= UA_OF_MORE;
	o->ev.res = res;
	o->ev.cqe_index = p->cqes;
	emit_obj(o, p->submit_seq, reqv, p->tgid, p->uid, p->opcode);
}

/* Requests in flight at start: after capture and finish's helpers, which it
 * shares. */
#include "inflight.bpf.h"

/*
 * io_fill_cqe_req(): a CQE was written to the CQ ring; both forms of the
 * tracepoint end here, with the CQE's fields as values. The tracepoint types
 * req as void *, so it is cast (KCAST: bpf_rdonly_cast costs no instruction,
 * the verifier rewrites it to a move) and read with fault-safe loads. Auxiliary
 * CQEs pass req == NULL.
 */
static __always_inline int complete_cqe(struct io_ring_ctx *ring, void *vreq, __u64 user_data,
					__s32 res, __u32 cflags)
{
	struct io_kiocb *req = KCAST(io_kiocb, vreq);
	__u64 key = (__u64)vreq;
	struct ua_pending *p;
	__u8 op;
	__u32 denied;

	if (!req) {
		/* An auxiliary CQE (io_fill_cqe_aux), as multishot requests post
		 * all but their last: no request pointer. Looked up only while a
		 * selected multishot request is pending. */
		if (mshot_pending > 0)
			mshot_cqe(ring, user_data, res, cflags, 0);
		return 0;
	}
	op = KRD(req, opcode);
	/* A deny mark goes with the request's last CQE, whether or not its op
	 * is still selected (a reload in between). */
	denied = (cflags & IORING_CQE_F_MORE) ? 0 : deny_take(key);
	/* A request in flight at start (bpf/inflight.bpf.h): only while marks
	 * exist; its SUBMIT goes now and its pending state waits in the
	 * scratch buffer. */
	p = inflight_n > 0 ? inflight_take(key, user_data, cflags) : NULL;
	if (!p) {
		if (!op_selected_any(op))
			return 0;
		p = bpf_map_lookup_elem(&pending, &key);
		if (!p || p->opcode != op)
			return 0;
		if (mshot_more(p, cflags))
			return 0;
	}
	finish(key, p, res, cflags, denied, complete_objects(req, p, res));
	return 0;
}

/*
 * Which selected request this thread issues (struct issue_watch), noted at
 * the entry of its op's issue handler and forgotten at its exit: the
 * security hooks the handler reaches find their request by thread. A thread
 * is in one issue handler at a time: a new entry is counted once. Returns
 * the request's pending entry, or NULL when it is not watched.
 */
static __always_inline struct ua_pending *watch_issue(struct io_kiocb *req, __u8 op)
{
	__u64 key = (__u64)req;
	__u32 tid;
	struct issue_watch w = {};
	struct ua_pending *p;

	if (!op_selected_any(op))
		return NULL;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p || p->opcode != op)
		return NULL;
	tid = (__u32)bpf_get_current_pid_tgid();
	w.req = key;
	w.submit_seq = p->submit_seq;
	if (bpf_map_update_elem(&watching, &tid, &w, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&issues_watched, 1);
	else if (bpf_map_update_elem(&watching, &tid, &w, BPF_EXIST))
		return NULL; /* the table is full: not watched */
	return p;
}

static __always_inline void watch_end(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (issues_watched > 0 && bpf_map_delete_elem(&watching, &tid) == 0)
		__sync_fetch_and_add(&issues_watched, -1);
}

/* The request this thread is issuing, if watched: its pending entry (still
 * that request's), its key in @reqv. */
static __always_inline struct ua_pending *watched(__u64 *reqv)
{
	__u32 tid;
	struct issue_watch *w;
	struct ua_pending *p;

	if (issues_watched <= 0)
		return NULL;
	tid = (__u32)bpf_get_current_pid_tgid();
	w = bpf_map_lookup_elem(&watching, &tid);
	if (!w)
		return NULL;
	*reqv = w->req;
	p = bpf_map_lookup_elem(&pending, reqv);
	if (!p || p->submit_seq != w->submit_seq)
		return NULL;
	return p;
}

#endif /* UA_REQUEST_BPF_H */
