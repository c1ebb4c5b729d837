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
 *
 * This file holds the programs, one per hook; what they share is in layers,
 * each header using only those before it: kernel_defs (what BTF lacks), maps
 * (maps, globals, load-time config), emit (the ring buffer), objects (files,
 * paths, sockets), capture (what a request carries), rules (evaluation),
 * request (a request's SUBMIT, multishot CQEs and COMPLETE).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "uringaudit.h"
#include "kernel_defs.bpf.h"
#include "maps.bpf.h"
#include "emit.bpf.h"
#include "objects.bpf.h"
#include "owner.bpf.h"
#include "capture.bpf.h"
#include "rules.bpf.h"
#include "request.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(submit_req, struct io_kiocb *req)
{
	__u32 bank = rules_bank;
	__u8 op = req->opcode;

	if (inflight_n > 0)
		inflight_forget(inflight_num(req));
	if (!op_selected(bank, op) || perop_owned(op))
		return 0;
	return capture(req, op, 0, NULL, bank);
}

/* The same hook before Linux 6.4 (6.1): io_submit_sqe() fired it at the
 * same place, after io_init_req() and the op's prep, with a second argument
 * (always true) that 6.4 dropped when it renamed it. The loader loads the
 * one of the two this kernel has. */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(submit_sqe, struct io_kiocb *req, bool force_nonblock)
{
	__u32 bank = rules_bank;
	__u8 op = req->opcode;

	if (inflight_n > 0)
		inflight_forget(inflight_num(req));
	if (!op_selected(bank, op) || perop_owned(op))
		return 0;
	return capture(req, op, 0, NULL, bank);
}

/*
 * The per-op backend (src/perop.c). Where fentry/fexit load, the daemon
 * attaches a stub of a few instructions at the exit of the prep and issue
 * handlers of the opcodes its rules select, found in the kernel's own op
 * table; each stub jumps (tail call) to one of the two programs below, so
 * the capture and the result are verified once, whatever the number of
 * handlers. Requests of other opcodes meet no BPF instruction at all.
 * These two are loaded against io_nop_prep and io_nop (any handler of
 * the same prototype would do) and never attached themselves.
 *
 * perop_capture: at the exit of a prep handler, the last step of
 * io_init_req(): the state io_uring_submit_req sees, in the submitting
 * task or the SQ thread. A prep that failed is left to req_failed.
 */
SEC("?fexit/io_nop_prep")
int BPF_PROG(perop_capture, struct io_kiocb *req, const struct io_uring_sqe *sqe, int ret)
{
	__u32 bank = rules_bank;
	__u8 op = req->opcode;

	/* a new request in the slot (a failed prep: req_failed forgets) */
	if (inflight_n > 0)
		inflight_forget(inflight_num(req));
	if (ret || !op_selected(bank, op) || !perop_owned(op))
		return 0;
	return capture(req, op, 0, NULL, bank);
}

/*
 * perop_result: at the exit of an issue handler, which runs once per
 * attempt: inline (non-blocking), again in io-wq after -EAGAIN, again
 * from task work once a polled file is ready (a multishot request: once
 * per readiness, posting its CQEs from inside). Only the last attempt
 * decides: -EAGAIN with IO_URING_F_NONBLOCK is retried (unless the
 * request is REQ_F_NOWAIT), IOU_ISSUE_SKIP_COMPLETE completes later (in
 * io/rw.c's completion: perop_rw_*; or with the CQE: the io_uring_complete
 * program, attached for the ops src/perop.c leaves to it), IOU_REQUEUE
 * (6.12) is issued again, IOU_STOP_MULTISHOT ends a multishot request
 * with the result its handler left in req->cqe, success leaves the result
 * in req->cqe, any other error is the CQE's result (io_req_complete_failed).
 * A request with IOSQE_CQE_SKIP_SUCCESS that succeeded posts no CQE: it
 * stays pending and ends as the tracepoint backend ends it (its slot's
 * next request: cqe=skipped).
 */
#define UA_EIOCBQUEUED 529
#define UA_EAGAIN 11
#define UA_ECANCELED 125
#define UA_IOU_REQUEUE 3072

/* Is the current task an io-wq worker running @req (punted; the SQ thread
 * runs its own requests inline)? */
static __always_inline bool perop_punted(struct io_kiocb *req)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return (task->flags & PF_IO_WORKER) &&
	       !((req->ctx->flags & IORING_SETUP_SQPOLL) && req->ctx->sq_data &&
		 (__u64)req->ctx->sq_data->thread == (__u64)task);
}

/* The end of per-op request @req with result @res: its COMPLETE (and
 * objects), in whichever task ends it: the one that issued its last
 * attempt, so an io-wq worker here means punted. */
static __always_inline int perop_end(struct io_kiocb *req, __s32 res, __u32 cflags)
{
	struct ua_pending *p;
	__u64 key = (__u64)req;
	__u32 flags = 0;

	if (res >= 0 && (req->flags & cfg_req_f_cqe_skip))
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	/* A request in flight at start (bpf/inflight.bpf.h), as complete_cqe
	 * (req as a plain number: the filter shifts it, and the global
	 * function takes numbers only) */
	if (!p && inflight_n > 0)
		p = inflight_take(inflight_num(req), req->cqe.user_data, cflags);
	if (!p || p->opcode != req->opcode)
		return 0;
	if (perop_punted(req))
		flags |= UA_CF_PUNTED;
	finish(key, p, res, cflags, flags | deny_take(key), complete_objects(req, p, res));
	return 0;
}

SEC("?fexit/io_nop")
int BPF_PROG(perop_result, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	__u8 op = req->opcode;

	if (!op_selected_any(op) || !perop_owned(op))
		return 0;
	if (ret == -UA_EAGAIN && (issue_flags & IO_URING_F_NONBLOCK) &&
	    !(req->flags & cfg_req_f_nowait))
		return 0;
	if (ret == -UA_EIOCBQUEUED) {
		/* Completes later, maybe in an interrupt: whether it was
		 * punted is known now. */
		if (perop_punted(req)) {
			__u64 key = (__u64)req;
			struct ua_pending *p = bpf_map_lookup_elem(&pending, &key);

			if (p && p->opcode == op)
				p->flags |= UA_CF_PUNTED;
		}
		return 0;
	}
	if (ret == -UA_IOU_REQUEUE)
		return 0;
	if (cfg_iou_stop_mshot && ret == cfg_iou_stop_mshot && (issue_flags & cfg_f_multishot))
		ret = 0; /* ends with the result the handler set */
	return perop_end(req, ret ? ret : req->cqe.res, ret ? 0 : req->cqe.flags);
}

/* The request the current task runs as an io-wq worker (io_worker.cur_work
 * is its req->work, set for the whole of io_wq_submit_work()), or 0 for any
 * other task (the SQ thread is an io thread with no io_worker). */
static __always_inline __u64 iowq_req(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 work;

	if (!(task->flags & PF_IO_WORKER) || !task->worker_private)
		return 0;
	work = (__u64)KRD(KCAST(io_worker, task->worker_private), cur_work);
	return work ? work - bpf_core_field_offset(struct io_kiocb, work) : 0;
}

/*
 * The per-op backend's late results, on functions only their family runs
 * (src/perop.c attaches each while a selected op needs it, and detaches it
 * once no pending request of its family is left):
 *
 * Reads and writes (read, write, readv, writev and their _fixed forms) whose
 * issue handler returned IOU_ISSUE_SKIP_COMPLETE complete through the
 * kiocb's ki_complete: io_complete_rw (the final result in req->cqe unless
 * REQ_F_REISSUE sends the request back to its handler, whose exit then
 * decides) or, on an IOPOLL ring, io_complete_rw_iopoll. Since 6.6 a direct
 * write may leave its result to io_req_rw_complete (IOCB_DIO_CALLER_COMP),
 * which the loader hooks instead of io_complete_rw where struct kiocb has
 * dio_complete; its fexit reads req after io_req_task_complete, which
 * there only queues it on the ring's completion list. The kiocb is the
 * first member of struct io_rw, itself the command area at the start of
 * struct io_kiocb: the loader checks both offsets are 0.
 */
static __always_inline int perop_rw(struct io_kiocb *req)
{
	__u8 op = KRD(req, opcode);
	__u64 key = (__u64)req, rflags;
	struct ua_pending *p;
	__s32 res;

	if (!op_selected_any(op) || !perop_owned(op))
		return 0;
	rflags = KRD(req, flags);
	if (rflags & cfg_req_f_reissue)
		return 0; /* issued again: its handler's exit decides */
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p || p->opcode != op)
		return 0;
	res = KRD(req, cqe.res);
	if (res >= 0 && (rflags & cfg_req_f_cqe_skip))
		return 0;
	/* Punted: marked at the handler's IOU_ISSUE_SKIP_COMPLETE; or this
	 * is an io-wq worker running this very request (an error completed
	 * from inside its handler, kiocb_done -> io_rw_done). The current
	 * task alone says nothing here: this may run in an interrupt. */
	if (iowq_req() == key)
		p->flags |= UA_CF_PUNTED;
	finish(key, p, res, KRD(req, cqe.flags), deny_take(key), complete_objects(req, p, res));
	return 0;
}

SEC("?fexit/io_complete_rw")
int BPF_PROG(perop_rw_done, struct kiocb *kiocb, long res)
{
	return perop_rw(KCAST(io_kiocb, kiocb));
}

SEC("?fexit/io_complete_rw_iopoll")
int BPF_PROG(perop_rw_iopoll, struct kiocb *kiocb, long res)
{
	return perop_rw(KCAST(io_kiocb, kiocb));
}

SEC("?fexit/io_req_rw_complete")
int BPF_PROG(perop_rw_tw, struct io_kiocb *req)
{
	return perop_rw(KCAST(io_kiocb, req));
}

/*
 * Multishot accept, recv, recvmsg and read post every CQE but their last
 * from inside their issue handler as auxiliary CQEs (io_post_aux_cqe on
 * 6.1; io_req_post_cqe, io_post_aux_cqe and io_add_aux_cqe on 6.12): these
 * hooks count them (and send each connection a multishot accept made), as
 * complete() does for the tracepoint backend; the last CQE is the issue
 * handler's (perop_result). They run for auxiliary CQEs only, never for a
 * request's own CQE. The arguments are read with bpf_get_func_arg, as the
 * prototypes differ (6.1's io_post_aux_cqe has a fifth, allow_overflow).
 */
static __always_inline int perop_aux(struct io_ring_ctx *ring, __u64 user_data, __s32 res,
				     __u32 cflags)
{
	if (mshot_pending > 0)
		mshot_cqe(ring, user_data, res, cflags, 1);
	return 0;
}

SEC("?fexit/io_post_aux_cqe")
int perop_aux_post(unsigned long long *ctx)
{
	__u64 ring = 0, ud = 0, res = 0, cflags = 0, ret = 0;

	if (mshot_pending <= 0 || bpf_get_func_ret(ctx, &ret) || !(ret & 0xff))
		return 0; /* not posted, nor kept on the overflow list */
	bpf_get_func_arg(ctx, 0, &ring);
	bpf_get_func_arg(ctx, 1, &ud);
	bpf_get_func_arg(ctx, 2, &res);
	bpf_get_func_arg(ctx, 3, &cflags);
	return perop_aux(KCAST(io_ring_ctx, ring), ud, (__s32)res, (__u32)cflags);
}

SEC("?fexit/io_add_aux_cqe")
int BPF_PROG(perop_aux_add, struct io_ring_ctx *ring, u64 user_data, s32 res, u32 cflags)
{
	return perop_aux(ring, user_data, res, cflags); /* posted or kept on overflow */
}

SEC("?fexit/io_req_post_cqe")
int BPF_PROG(perop_aux_req, struct io_kiocb *req, s32 res, u32 cflags, bool posted)
{
	if (!posted)
		return 0; /* not posted: the request ends, its handler says how */
	return perop_aux(req->ctx, req->cqe.user_data, res, cflags);
}

/*
 * The late families whose result a function of their own sets, each hook
 * attached while one of its ops is selected (src/perop.c late_prepare):
 * perop_late_end() ends request @reqv of opcode @want with @res, as
 * perop_rw does (no punted test: these run in task work, a timer's
 * interrupt or another request's handler, never in the request's io-wq
 * attempt, whose exit perop_result sees).
 */
static __always_inline int perop_late_end(__u64 reqv, __u8 want, __s32 res)
{
	struct io_kiocb *req = KCAST(io_kiocb, reqv);
	struct ua_pending *p;
	__u8 op;

	if (!reqv)
		return 0;
	op = KRD(req, opcode);
	if (op != want || !op_selected_any(op) || !perop_owned(op))
		return 0;
	p = bpf_map_lookup_elem(&pending, &reqv);
	if (!p || p->opcode != op)
		return 0;
	if (res >= 0 && (KRD(req, flags) & cfg_req_f_cqe_skip))
		return 0;
	finish(reqv, p, res, 0, deny_take(reqv), complete_objects(req, p, res));
	return 0;
}

/*
 * poll_add. Armed, it ends in io_poll_task_func (its task work: the
 * event's mask, -ECANCELED when cancelled by async_cancel, a ring's or
 * task's exit, or an error; on 6.6 and later the same function serves
 * every poll-driven retry of other ops, which the opcode test sends
 * away), which leaves the request in the ring's cancel hash while it goes
 * on (a multishot poll's CQE, posted as an auxiliary one the perop_aux_*
 * hooks count; a spurious wake-up; re-issued after a wake-up that found
 * nothing: its handler's exit decides). poll_remove ends its target in its
 * own handler, io_poll_remove (-ECANCELED; a poll updated in place stays
 * hashed and goes on).
 */
SEC("?fexit/io_poll_task_func")
int BPF_PROG(perop_poll_tw, struct io_kiocb *req)
{
	if (req->opcode != IORING_OP_POLL_ADD)
		return 0;
	if (req->hash_node.pprev)
		return 0; /* still armed */
	return perop_late_end((__u64)req, IORING_OP_POLL_ADD, req->cqe.res);
}

SEC("?fexit/io_poll_remove")
int BPF_PROG(perop_poll_remove, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	struct io_poll_update *upd = REQ_CMD(req, io_poll_update);
	struct io_kiocb *preq;
	struct ua_pending *p;
	__u64 reqv = 0;

	if (ret < 0 || !perop_owned(IORING_OP_POLL_ADD))
		return 0;
	/* the target, by the user_data it was submitted with */
	p = pending_by_ud(ring_serial_of((__u64)req->ctx), KRD(upd, old_user_data), &reqv);
	if (!p || p->opcode != IORING_OP_POLL_ADD)
		return 0;
	preq = KCAST(io_kiocb, reqv);
	if (KRD(preq, hash_node.pprev))
		return 0; /* updated and armed again */
	return perop_late_end(reqv, IORING_OP_POLL_ADD, KRD(preq, cqe.res));
}

/*
 * timeout and link_timeout. A timeout fires in io_timeout_fn (the timer's
 * interrupt: -ETIME set there; a multishot one, 6.4 on, posts auxiliary
 * CQEs from its task work io_timeout_complete and ends there once it is
 * not armed again); is completed by its count or killed at a ring's or
 * task's exit in io_kill_timeout (its status: 0, or -ECANCELED; true when
 * it killed it); is removed by timeout_remove or async_cancel in
 * io_timeout_cancel (-ECANCELED; the request io_timeout_extract took off
 * the list, kept per thread between the two, else the one submitted with
 * the user_data asked for). A link_timeout ends in io_req_task_link_timeout
 * when it fires (-ETIME, or the error of cancelling its target), or is
 * disarmed by io_disarm_next when its target completes first (-ECANCELED;
 * its link taken at the entry, and gone from the target at the exit).
 */
#define UA_ETIME 62

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);   /* pid_tgid */
	__type(value, __u64); /* the request taken */
} perop_taken SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);   /* pid_tgid */
	__type(value, __u64); /* the link_timeout being disarmed */
} perop_disarm SEC(".maps");

SEC("?fexit/io_timeout_fn")
int BPF_PROG(perop_timeout_fn, struct hrtimer *timer)
{
	__u64 vdata = (__u64)timer - bpf_core_field_offset(struct io_timeout_data, timer);
	struct io_timeout_data *data = KCAST(io_timeout_data, vdata);

	if (KRD(data, flags) & UA_TIMEOUT_MULTISHOT)
		return 0; /* ends in io_timeout_complete */
	return perop_late_end((__u64)KRD(data, req), IORING_OP_TIMEOUT, -UA_ETIME);
}

SEC("?fexit/io_timeout_complete")
int BPF_PROG(perop_timeout_tw, struct io_kiocb *req)
{
	struct io_timeout *t = REQ_CMD(req, io_timeout);
	__u64 list = (__u64)req + bpf_core_field_offset(struct io_timeout, list);

	if (req->opcode != IORING_OP_TIMEOUT || (__u64)KRD(t, list.next) != list)
		return 0; /* armed again: its CQE was an auxiliary one */
	return perop_late_end((__u64)req, IORING_OP_TIMEOUT, req->cqe.res);
}

SEC("?fexit/io_kill_timeout")
int perop_timeout_kill(unsigned long long *ctx)
{
	__u64 req = 0, status = 0, ret = 0;

	if (bpf_get_func_ret(ctx, &ret) || !(ret & 0xff))
		return 0; /* not killed: it is firing */
	bpf_get_func_arg(ctx, 0, &req);
	bpf_get_func_arg(ctx, 1, &status);
	return perop_late_end(req, IORING_OP_TIMEOUT, (__s32)status);
}

SEC("?fexit/io_timeout_extract")
int perop_timeout_extract(unsigned long long *ctx)
{
	__u64 key = bpf_get_current_pid_tgid(), req = 0;

	if (bpf_get_func_ret(ctx, &req) || !req || req >= (__u64)-4095)
		return 0;
	bpf_map_update_elem(&perop_taken, &key, &req, BPF_ANY);
	return 0;
}

SEC("?fexit/io_timeout_cancel")
int BPF_PROG(perop_timeout_cancel, struct io_ring_ctx *ring, struct io_cancel_data *cd, int ret)
{
	__u64 key = bpf_get_current_pid_tgid(), reqv = 0, *taken;

	taken = bpf_map_lookup_elem(&perop_taken, &key);
	if (taken) {
		reqv = *taken;
		bpf_map_delete_elem(&perop_taken, &key);
	}
	if (ret)
		return 0;
	if (!reqv && !pending_by_ud(ring_serial_of((__u64)ring), cd->data, &reqv))
		return 0;
	return perop_late_end(reqv, IORING_OP_TIMEOUT, -UA_ECANCELED);
}

SEC("?fexit/io_req_task_link_timeout")
int BPF_PROG(perop_ltimeout_tw, struct io_kiocb *req)
{
	if (req->opcode != IORING_OP_LINK_TIMEOUT)
		return 0;
	return perop_late_end((__u64)req, IORING_OP_LINK_TIMEOUT, req->cqe.res);
}

SEC("?fentry/io_disarm_next")
int BPF_PROG(perop_ltimeout_disarming, struct io_kiocb *req)
{
	__u64 key = bpf_get_current_pid_tgid(), link = (__u64)req->link;

	if (!link || KRD(KCAST(io_kiocb, link), opcode) != IORING_OP_LINK_TIMEOUT ||
	    !perop_owned(IORING_OP_LINK_TIMEOUT))
		return 0;
	bpf_map_update_elem(&perop_disarm, &key, &link, BPF_ANY);
	return 0;
}

SEC("?fexit/io_disarm_next")
int BPF_PROG(perop_ltimeout_disarmed, struct io_kiocb *req)
{
	__u64 key = bpf_get_current_pid_tgid(), link, *taken;

	taken = bpf_map_lookup_elem(&perop_disarm, &key);
	if (!taken)
		return 0;
	link = *taken;
	bpf_map_delete_elem(&perop_disarm, &key);
	/* still linked, or firing (its task work sets the result) */
	if ((__u64)req->link == link || KRD(KCAST(io_kiocb, link), cqe.res) != -UA_ECANCELED)
		return 0;
	return perop_late_end(link, IORING_OP_LINK_TIMEOUT, -UA_ECANCELED);
}

/*
 * Requests failed before or without their issue handler: no file behind
 * the fd (io_assign_file), a poll arming that failed, io-wq cancelling,
 * a drained request cancelled at teardown: io_req_complete_failed() (6.1)
 * or io_req_defer_failed() (6.4), whose CQE carries @res. Runs only for
 * failed requests; the loader picks the function this kernel has.
 */
SEC("?fentry/io_req_defer_failed")
int BPF_PROG(perop_failed, struct io_kiocb *req, s32 res)
{
	__u8 op = req->opcode;

	if (!op_selected_any(op) || !perop_owned(op))
		return 0;
	return perop_end(req, res, 0);
}

/*
 * A request of a chain whose earlier request failed: cancelled without
 * being issued (io_fail_links). Its result is -ECANCELED, or its own
 * failure (REQ_F_FAIL); it posts a CQE unless the chain's are ignored.
 */
SEC("?tp_btf/io_uring_fail_link")
int BPF_PROG(perop_fail_link, struct io_kiocb *req, struct io_kiocb *link)
{
	__u8 op = link->opcode;

	if (!op_selected_any(op) || !perop_owned(op))
		return 0;
	if (link->flags & cfg_req_f_cqe_skip)
		return 0; /* no CQE: ended unseen, as the tracepoint backend sees it */
	return perop_end(link, (link->flags & cfg_req_f_fail) ? link->cqe.res : -UA_ECANCELED, 0);
}

/*
 * A ring's end (per-op backend: fexit). io_ring_exit_work() cancels what is
 * left, waits for every reference and frees the ring (io_ring_ctx_free,
 * inlined into it on 6.1); at its exit each request of the ring has
 * completed or never will. The ring is named by the serial it was given
 * (none: it was never named in a record, so no record now); the serial is
 * forgotten, and the daemon concludes the requests of the ring it still
 * holds. Only the ring's id is sent: it is freed, and the worker running
 * this is no process of the ring's.
 */
SEC("?fexit/io_ring_exit_work")
int BPF_PROG(ring_teardown, struct work_struct *work)
{
	__u64 vring = (__u64)work - bpf_core_field_offset(struct io_ring_ctx, exit_work);
	__u64 serial = ring_serial_of(vring);
	struct ua_ev_ring *r;

	if (!serial)
		return 0;
	bpf_map_delete_elem(&ring_serials, &vring);
	r = emit_reserve(UA_EV_RING_TEARDOWN, sizeof(*r), 0, 0, UA_DROP_OP_RING);
	if (!r)
		return 0;
	__builtin_memset(&r->ring, 0, sizeof(*r) - __builtin_offsetof(struct ua_ev_ring, ring));
	r->ring = serial;
	r->fd = -1;
	emit_commit(r);
	return 0;
}

/*
 * renameat's replaced file (fentry, loaded where the kernel allows it:
 * src/loader.c). The kernel looks the new name up and unlinks what it named
 * inside do_renameat2(), in the task that issues the request (inline or an
 * io-wq worker); no tracepoint lies between submit and completion. So:
 * io_renameat()'s entry notes which selected request this thread issues,
 * security_path_rename() (called by do_renameat2 with the new name's parent
 * path and dentry, after the lookup and the RENAME_NOREPLACE check, before
 * vfs_rename) sends the file the new name holds as the request's
 * UA_ROLE_REPLACED object, and io_renameat()'s exit forgets the thread.
 * The request's pending flags say what was seen (UA_CF_RENAME_*), so the
 * record can tell "nothing was there" from "not watched".
 */
SEC("?fentry/io_renameat")
int BPF_PROG(rename_issue, struct io_kiocb *req, unsigned int issue_flags)
{
	struct ua_pending *p = watch_issue(req, IORING_OP_RENAMEAT);

	if (p)
		p->flags |= UA_CF_RENAME_WATCHED;
	return 0;
}

SEC("?fexit/io_renameat")
int BPF_PROG(rename_done, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	watch_end();
	return 0;
}

SEC("?fentry/security_path_rename")
int BPF_PROG(rename_target, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags)
{
	struct ua_pending *p;
	struct obj_buf *o;
	__u64 reqv = 0;

	p = watched(&reqv);
	/* once: a retry (ESTALE, a broken delegation) looks the name up again */
	if (!p || p->opcode != IORING_OP_RENAMEAT || (p->flags & UA_CF_RENAME_TARGET))
		return 0;
	if (!new_dentry || !new_dentry->d_inode)
		return 0; /* nothing at the new name: the rename creates it */
	o = obj_slot(OBJ_AUX);
	if (!o)
		return 0;
	obj_init(o, UA_ROLE_REPLACED, UA_OBJ_FILE);
	obj_inode(o, new_dentry->d_inode);
	obj_path_at(o, new_dir->mnt, new_dentry);
	p->flags |= UA_CF_RENAME_TARGET;
	if (p->cand[0] | p->cand[1] | p->cand[2] | p->cand[3]) {
		/* a rule waits for its completion: obj_uid=/obj_gid= test this owner */
		struct rename_owner ow = { .uid = o->ev.uid, .gid = o->ev.gid };
		__u64 seq = p->submit_seq;

		bpf_map_update_elem(&rename_owners, &seq, &ow, BPF_ANY);
	}
	emit_obj(o, p->submit_seq, reqv, p->tgid, p->uid, IORING_OP_RENAMEAT);
	return 0;
}

/*
 * The destination of connect and send* as the kernel uses it (fentry,
 * loaded where fentry loads and the kernel copies the address when it
 * issues the request, before 6.10: src/loader.c). At submit there is only
 * the submitter's pointer; io_connect() and io_send*() copy the address
 * (move_addr_to_kernel, io_sendmsg_copy_hdr, or the async prep of a linked,
 * IOSQE_ASYNC or retried request) and pass the copy to
 * security_socket_connect() / security_socket_sendmsg() (through
 * __sys_connect_file, sock_sendmsg), inline, in the SQ thread, in an io-wq
 * worker or from task work once polled alike. The handlers' entry and exit
 * say which selected request the thread issues (watch_issue); the security
 * hook sends the copy as the request's UA_ROLE_DEST object (each attempt:
 * a retry's copy is the last one the kernel used), keeps it for the rules
 * that wait for it (dest_addrs) and, where deny rules run, decides them on
 * it (dest_decide) before the LSM's own hook, called by the same function
 * after this program, fails the request or not.
 */
#define DEST_WATCH(fn)                                                                       \
	SEC("?fentry/" #fn)                                                                  \
	int BPF_PROG(dest_in_##fn, struct io_kiocb *req, unsigned int issue_flags)           \
	{                                                                                    \
		watch_issue(req, req->opcode);                                               \
		return 0;                                                                    \
	}                                                                                    \
	SEC("?fexit/" #fn)                                                                   \
	int BPF_PROG(dest_out_##fn, struct io_kiocb *req, unsigned int issue_flags, int ret) \
	{                                                                                    \
		watch_end();                                                                 \
		return 0;                                                                    \
	}

DEST_WATCH(io_connect)
DEST_WATCH(io_send)
DEST_WATCH(io_sendmsg)
DEST_WATCH(io_send_zc)
DEST_WATCH(io_sendmsg_zc)

static __always_inline int dest_seen(const void *kaddr, int len)
{
	struct ua_pending *p;
	struct obj_buf *o;
	__u64 reqv = 0;

	p = watched(&reqv);
	if (!p || !op_in(UA_OPC_ADDR, p->opcode))
		return 0;
	o = obj_slot(OBJ_AUX);
	if (!o)
		return 0;
	obj_init(o, UA_ROLE_DEST, UA_OBJ_SOCK);
	if (kaddr && len >= 2) {
		if (len > UA_ADDR_MAX)
			len = UA_ADDR_MAX;
		if (!bpf_probe_read_kernel(o->ev.peer.raw, sizeof(o->ev.peer.raw), kaddr))
			o->ev.peer.len = (__u16)len;
	}
	if (p->flags & UA_CF_ADDR_DEFER) {
		bpf_map_update_elem(&dest_addrs, &p->submit_seq, &o->ev.peer, BPF_ANY);
		if (deny_armed)
			dest_decide(reqv, p);
	}
	emit_obj(o, p->submit_seq, reqv, p->tgid, p->uid, p->opcode);
	return 0;
}

SEC("?fentry/security_socket_connect")
int BPF_PROG(dest_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return dest_seen(address, addrlen);
}

SEC("?fentry/security_socket_sendmsg")
int BPF_PROG(dest_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	return dest_seen(msg->msg_name, msg->msg_namelen);
}

/*
 * The kernel's op table, read once at start by the daemon
 * (BPF_PROG_TEST_RUN, args: its address from /proc/kallsyms, its size):
 * the per-op backend finds each opcode's handlers in it.
 */
SEC("?raw_tp")
int read_kmem(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 len = ctx->args[1];

	if (len > UA_KMEM_MAX)
		len = UA_KMEM_MAX;
	return bpf_probe_read_kernel(kmem_buf, len, (const void *)ctx->args[0]) ? 1 : 0;
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

	if (inflight_n > 0)
		inflight_forget(inflight_num(req));
	if (!op_selected(bank, op))
		return 0;
	return capture(req, op, error, sqe, bank);
}

/*
 * The walk of the requests in flight at start (bpf/inflight.bpf.h): run once
 * by the loader between attaching the completion side and the submit side.
 * Writes nothing to its reader; threads sharing a file table are visited
 * once, each ring once.
 */
SEC("iter/task_file")
int inflight_walk(struct bpf_iter__task_file *ctx)
{
	struct io_ring_ctx *r;

	if (!ctx->task || !ctx->file)
		return 0;
	r = ring_of_file(ctx->file);
	if (r)
		inflight_ring(r);
	return 0;
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

/* io_fill_cqe_req(): a CQE was written (complete_cqe() in request.bpf.h). */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(complete, struct io_ring_ctx *ring, void *vreq, struct io_uring_cqe *cqe)
{
	return complete_cqe(ring, vreq, cqe->user_data, cqe->res, cqe->flags);
}

/* The older form of the same tracepoint, the CQE's fields as arguments
 * (6.1 and 6.12 have it). The loader loads exactly one of the two, by the
 * tracepoint's prototype in the kernel's BTF. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(complete_args, void *vring, void *vreq, u64 user_data, int res, unsigned int cflags,
	     u64 extra1, u64 extra2)
{
	return complete_cqe(KCAST(io_ring_ctx, vring), vreq, user_data, res, cflags);
}

/*
 * io_cqe_overflow(): the CQ ring was full; the CQE is kept on the overflow
 * list and io_uring_complete does not fire. The tracepoint carries no request
 * pointer, and user_data may be anything (0 for all, or another request's on
 * purpose). But a request's CQE overflows while the kernel flushes the
 * ring's completion list (__io_submit_flush_completions: every request CQE
 * is posted from there on the development host's kernel; a failed post
 * elsewhere is deferred to it), and each request on that list still holds
 * its own CQE (req->cqe). The requests before the one overflowing have
 * posted theirs (and left pending), so the first pending request on the list
 * whose CQE equals this one is it. On 6.1 and 6.12 an io-wq worker posts
 * the CQE of the request it ran itself (io_req_complete_post()), outside
 * that list: then the request is the worker's current work (ovf_iowq).
 * Where neither finds it the result stays unknown (counted), never guessed.
 */
struct ovf_walk {
	__u64 node; /* the list node to look at next */
	__u64 off;  /* offsetof(struct io_kiocb, comp_list) */
	__u64 user_data;
	__s32 res;
	__u32 cflags;
	__u64 found; /* the request, 0: none */
};

#define OVF_WALK_MAX 4096

static long ovf_step(__u32 i, void *arg)
{
	struct ovf_walk *w = arg;
	struct io_wq_work_node *n;
	struct io_kiocb *req;
	struct ua_pending *p;
	__u64 key;

	if (!w->node)
		return 1;
	n = KCAST(io_wq_work_node, w->node);
	key = w->node - w->off;
	req = KCAST(io_kiocb, key);
	w->node = (__u64)KRD(n, next);
	if (KRD(req, flags) & (cfg_req_f_cqe_skip | cfg_req_f_reissue))
		return 0; /* posts nothing from this flush */
	if (KRD(req, cqe.user_data) != w->user_data || KRD(req, cqe.res) != w->res ||
	    KRD(req, cqe.flags) != w->cflags)
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p || p->opcode != KRD(req, opcode))
		return 0;
	w->found = key;
	return 1;
}

/* The request an io-wq worker is running (iowq_req), when this CQE is its
 * own: same ring, same (user_data, res, flags), and pending. 0 otherwise. */
static __always_inline __u64 ovf_iowq(__u64 vring, __u64 user_data, __s32 res, __u32 cflags)
{
	__u64 key = iowq_req();
	struct io_kiocb *req;
	struct ua_pending *p;

	if (!key)
		return 0;
	req = KCAST(io_kiocb, key);
	if ((__u64)KRD(req, ctx) != vring || KRD(req, cqe.user_data) != user_data ||
	    KRD(req, cqe.res) != res || KRD(req, cqe.flags) != cflags)
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p || p->opcode != KRD(req, opcode))
		return 0;
	return key;
}

SEC("tp_btf/io_uring_cqe_overflow")
int BPF_PROG(cqe_overflow, void *vring, unsigned long long user_data, s32 res, u32 cflags,
	     void *ocqe)
{
	struct io_ring_ctx *ring = KCAST(io_ring_ctx, vring);
	struct ovf_walk w = {};
	struct io_kiocb *req;
	struct ua_pending *p;

	if (cflags & IORING_CQE_F_MORE) {
		/* A multishot request's CQE, posted outside the list: more
		 * follow, one record at the last; it only counts. */
		__u64 reqv;

		p = pending_by_ud(ring_serial_of((__u64)vring), user_data, &reqv);
		if (p && perop_aux_owned(p->opcode))
			return 0; /* counted by the per-op auxiliary-CQE hook */
		if (p && mshot_more(p, cflags))
			return 0;
	}
	w.node = (__u64)KRD(ring, submit_state.compl_reqs.first);
	w.off = bpf_core_field_offset(struct io_kiocb, comp_list);
	w.user_data = user_data;
	w.res = res;
	w.cflags = cflags;
	bpf_loop(OVF_WALK_MAX, ovf_step, &w, 0);
	if (!w.found)
		w.found = ovf_iowq((__u64)vring, user_data, res, cflags);
	if (!w.found) {
		count(UA_CNT_OVERFLOW_UNMATCHED);
		return 0;
	}
	p = bpf_map_lookup_elem(&pending, &w.found);
	if (!p)
		return 0;
	req = KCAST(io_kiocb, w.found);
	count(UA_CNT_OVERFLOW);
	finish(w.found, p, res, cflags, UA_CF_OVERFLOW | deny_take(w.found),
	       complete_objects(req, p, res));
	return 0;
}

/* io_uring_create(): a ring exists. Rare; always recorded. */
SEC("tp_btf/io_uring_create")
int BPF_PROG(ring_create, int fd, void *vring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct io_ring_ctx *ring = KCAST(io_ring_ctx, vring);
	struct task_struct *task = bpf_get_current_task_btf();
	struct io_sq_data *sqd;
	struct ua_ev_ring *r;

	owner_exe(task);
	r = emit_reserve(UA_EV_RING_CREATE, sizeof(*r), task->tgid, task->cred->uid.val,
			 UA_DROP_OP_RING);
	if (!r)
		return 0;
	r->ring = ring_serial((__u64)vring, true);
	owner_fill(&r->owner, task);
	r->fd = fd;
	r->sq_entries = sq_entries;
	r->cq_entries = cq_entries;
	r->flags = flags;
	r->sq_thread_cpu = (__u32)-1;
	r->sq_thread_idle = 0;
	sqd = (flags & IORING_SETUP_SQPOLL) ? KRD(ring, sq_data) : NULL;
	if (sqd) {
		/* sq_thread_idle is kept in jiffies */
		__u64 hz = CONFIG_HZ > 0 ? CONFIG_HZ : 1000;

		r->sq_thread_cpu = (__u32)KRD(sqd, sq_cpu);
		r->sq_thread_idle = (__u32)((__u64)KRD(ring, sq_thread_idle) * 1000 / hz);
	}
	emit_commit(r);
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
	struct io_ring_ctx *ring = KCAST(io_ring_ctx, vring);
	struct task_struct *task = bpf_get_current_task_btf();
	struct ua_ev_register *r;
	__u64 serial = ring_serial((__u64)vring, false);

	owner_exe(task);
	r = emit_reserve(UA_EV_REGISTER, sizeof(*r), task->tgid, task->cred->uid.val,
			 UA_DROP_OP_RING);
	if (!r)
		return 0;
	__builtin_memset(&r->restr_sqe_flags_allowed, 0,
			 sizeof(*r) - __builtin_offsetof(struct ua_ev_register,
							 restr_sqe_flags_allowed));
	r->ring = serial;
	r->cred = (__u64)task->cred;
	r->ret = ret;
	r->opcode = opcode;
	r->nr_files = nr_files;
	r->nr_bufs = nr_bufs;
	owner_fill(&r->owner, task);
	if (opcode == IORING_REGISTER_RESTRICTIONS && ret >= 0) {
		r->restr_registered = KRD(ring, restrictions.registered);
		r->restr_sqe_flags_allowed = KRD(ring, restrictions.sqe_flags_allowed);
		r->restr_sqe_flags_required = KRD(ring, restrictions.sqe_flags_required);
		r->restr_register_op = KRD(ring, restrictions.register_op[0]);
		r->restr_sqe_op[0] = KRD(ring, restrictions.sqe_op[0]);
	}
	emit_commit(r);
	if (opcode == IORING_REGISTER_PERSONALITY && ret > 0) {
		struct ua_pers_key pk = { .ring = serial, .cred = (__u64)task->cred };
		__u32 id = (__u32)ret;

		bpf_map_update_elem(&pers, &pk, &id, BPF_ANY);
	}
	return 0;
}

/*
 * Run by the daemon (BPF_PROG_RUN) when it concludes a request without its
 * CQE (its process is gone, or its table overflowed): the kernel's entry
 * goes too, if it is still that request's, so that it does not hold its
 * place (and its uid's share) for good.
 */
SEC("syscall")
int forget_req(struct ua_forget_ctx *ctx)
{
	__u64 reqp = ctx->req;
	struct ua_pending *p = bpf_map_lookup_elem(&pending, &reqp);

	ctx->ret = 0;
	if (!p || p->submit_seq != ctx->submit_seq)
		return 0;
	pend_release(reqp, p);
	ctx->ret = 1;
	return 0;
}
