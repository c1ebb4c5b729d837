/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Writing events to the ring buffer: the header (sequence number, time), the
 * wake-up policy, and the loss accounting every event goes through.
 */
#ifndef UA_EMIT_BPF_H
#define UA_EMIT_BPF_H

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

/*
 * A dropped event, counted under its submitter (@tgid, @uid, @op) and
 * @reason (enum ua_drop_reason): once in UA_CNT_DROPPED, and once either in
 * the drops map or, when the map has no room for a new submitter, in
 * UA_CNT_DROP_UNATTRIBUTED (UA_CNT_BUDGET_UNATTRIBUTED for budget drops).
 * The daemon's URING_LOST records add these up. Not inlined: only the drop
 * path pays for it.
 */
static __noinline int drop_note(__u32 tgid, __u32 uid, __u32 op, __u32 reason)
{
	__u32 zero = 0;
	struct drop_buf *b = bpf_map_lookup_elem(&drop_scratch, &zero);
	struct ua_drop_val *v;

	count(UA_CNT_DROPPED);
	if (!b) {
		count(reason == UA_DROP_BUDGET ? UA_CNT_BUDGET_UNATTRIBUTED :
						 UA_CNT_DROP_UNATTRIBUTED);
		return 0;
	}
	b->k.tgid = tgid;
	b->k.uid = uid;
	b->k.op = (__u8)op;
	b->k.reason = (__u8)reason;
	b->k.pad[0] = 0;
	b->k.pad[1] = 0;
	v = bpf_map_lookup_elem(&drops, &b->k);
	if (!v) {
		b->v.n = 1;
		__builtin_memset(b->v.comm, 0, sizeof(b->v.comm));
		if ((bpf_get_current_pid_tgid() >> 32) == tgid)
			bpf_get_current_comm(b->v.comm, sizeof(b->v.comm));
		if (!bpf_map_update_elem(&drops, &b->k, &b->v, BPF_NOEXIST))
			return 0;
		v = bpf_map_lookup_elem(&drops, &b->k); /* another CPU added it */
		if (!v) {
			count(reason == UA_DROP_BUDGET ? UA_CNT_BUDGET_UNATTRIBUTED :
							 UA_CNT_DROP_UNATTRIBUTED);
			return 0;
		}
	}
	v->n++;
	return 0;
}

/*
 * Fairness. A flood of one process's requests must not push everyone else's
 * out of the ring buffer. Each CPU looks at how full the buffer is every
 * cfg_pressure_every of its events (bpf_ringbuf_query reads the consumer's
 * position, a cache line the consumer keeps writing: too dear for every
 * event, see rb_flags). While it is more than cfg_pressure_bytes full, a
 * request is admitted only within the budgets of its flow (process, opcode,
 * object), its process and its uid for this period (flow_over_budget); the
 * rest of the buffer stays for the others, and a request over budget is
 * lost, counted under its submitter (reason budget). Above the second mark,
 * cfg_reserve_bytes (0 = none), only requests within their process's reserve
 * go in: the last of the buffer stays for processes that have sent little,
 * even while the consumer is held up (a busy machine) and the budgets of a
 * period add up to more than the buffer holds. Returns 0 (below the mark),
 * 1 or 2. Below the mark nothing is looked up: the cost is one per-CPU
 * count.
 */
static __always_inline __u64 rb_pressure(void)
{
	__u32 idx = UA_CNT_PRESSURE_TICK, fidx = UA_CNT_PRESSURE;
	__u64 *c, *f, fill;

	if (!cfg_pressure_bytes)
		return 0;
	c = bpf_map_lookup_elem(&counters, &idx);
	f = bpf_map_lookup_elem(&counters, &fidx);
	if (!c || !f)
		return 0;
	if (++*c >= cfg_pressure_every) {
		*c = 0;
		fill = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
		*f = fill > cfg_reserve_bytes ? 2 : fill > cfg_pressure_bytes ? 1 : 0;
	}
	return *f;
}

/* FNV-1a of the first 128 bytes of the request's name, its length, fd and
 * first argument: the request's object. */
static __noinline __u64 flow_obj(struct submit_buf *b)
{
	struct ua_ev_submit *e = &b->ev;
	__u32 len = e->name_len, i;
	__u64 h = 0xcbf29ce484222325ULL;

	if (!(e->flags & UA_SF_HAS_NAME))
		len = 0;
	for (i = 0; i < 128; i++) {
		if (i >= len)
			break;
		h = (h ^ (__u8)b->names[i]) * 0x100000001b3ULL;
	}
	h = (h ^ len) * 0x100000001b3ULL;
	h = (h ^ (__u32)e->fd) * 0x100000001b3ULL;
	return (h ^ e->arg[0]) * 0x100000001b3ULL;
}

/* @key's count for this @period in @map (budget_proc, budget_uid): made,
 * or started again at 0 when its period is past. NULL only when the map
 * refuses a new entry. */
static __always_inline struct ua_flow_val *budget_of(void *map, __u32 key, __u64 period,
						     struct ua_flow_val *init)
{
	struct ua_flow_val *v = bpf_map_lookup_elem(map, &key);

	if (!v) {
		init->period = period;
		init->n = 0;
		init->reserve = 0;
		bpf_map_update_elem(map, &key, init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(map, &key);
		if (!v)
			return NULL;
	}
	if (v->period != period) {
		v->period = period;
		v->n = 0;
		v->reserve = 0;
	}
	return v;
}

/* Under pressure: is @b's request over budget? Counts it in when it is not.
 * In order:
 *  - a process that has put fewer than cfg_proc_reserve requests in this
 *    period on its reserve gets the request in on it if the request's flow
 *    (one opcode and object) has put fewer than cfg_flow_reserve in (on the
 *    reserve or not), unless its uid has used its budget and its reserve
 *    too: the headroom for a process that has sent little, which a flood
 *    from other processes of its own uid cannot take, and of which one flow
 *    of the process (its own flood of one request, repeated) cannot take
 *    more than its flow share, whatever the process put in on its budget;
 *  - then, below the second mark (@level 1), its uid (all its processes),
 *    the process (all its threads and flows) and the flow must each be under
 *    budget; above it (@level 2) nothing else goes in.
 * Every request let in counts in its flow, its process and its uid. A flood
 * that makes every request a new flow (a new name each time) or spreads over
 * threads or processes is held by its process's and uid's budgets; the
 * flows table's LRU forgetting a flow restarts only that flow.
 */
static __noinline int flow_over_budget(struct submit_buf *b, __u64 level)
{
	__u32 zero = 0;
	struct drop_buf *d = bpf_map_lookup_elem(&drop_scratch, &zero);
	struct ua_flow_val *v, *pv, *uv;
	__u64 period = bpf_ktime_get_ns() / (cfg_flow_period_ns ? cfg_flow_period_ns : 1), fn;
	int reserve;

	if (!d)
		return 0;
	pv = budget_of(&budget_proc, b->ev.pid, period, &d->fv);
	uv = budget_of(&budget_uid, b->ev.task.uid, period, &d->fv);
	if (!pv || !uv)
		return 1; /* not counted, not let in: said as budget */
	reserve = pv->reserve < cfg_proc_reserve && uv->n < cfg_uid_budget + cfg_uid_reserve;
	if (!reserve && (level > 1 || uv->n >= cfg_uid_budget || pv->n >= cfg_proc_budget))
		return 1;
	d->fk.tgid = b->ev.pid;
	d->fk.op = b->ev.opcode;
	d->fk.obj = flow_obj(b);
	v = bpf_map_lookup_elem(&flows, &d->fk);
	fn = v && v->period == period ? v->n : 0;
	if (reserve && fn < cfg_flow_reserve)
		__sync_fetch_and_add(&pv->reserve, 1);
	else if (level > 1 || uv->n >= cfg_uid_budget || pv->n >= cfg_proc_budget ||
		 fn >= cfg_flow_budget)
		return 1;
	if (!v) {
		d->fv.period = period;
		d->fv.n = 1;
		d->fv.reserve = 0;
		bpf_map_update_elem(&flows, &d->fk, &d->fv, BPF_ANY);
	} else if (v->period != period) {
		v->period = period;
		v->n = 1;
	} else {
		__sync_fetch_and_add(&v->n, 1);
	}
	__sync_fetch_and_add(&pv->n, 1);
	__sync_fetch_and_add(&uv->n, 1);
	return 0;
}

/*
 * Every event goes to the ring buffer through one of these, which count it
 * as emitted or lost (under its submitter: @tgid, @uid, @op, see drop_note).
 * The sequence number is taken even for an event that does not fit, so that
 * user space sees the gap.
 */

/* An event built in a scratch buffer (@ev starts with its header): @size
 * bytes copied to the ring. Returns 0, or -1 if it was lost. */
static __always_inline int emit(void *ev, __u32 type, __u32 size, __u64 flags, __u32 tgid,
				__u32 uid, __u32 op)
{
	hdr_init(ev, type, size);
	if (bpf_ringbuf_output(&rb, ev, size, flags)) {
		drop_note(tgid, uid, op, UA_DROP_RINGBUF_FULL);
		return -1;
	}
	count(UA_CNT_EMITTED);
	return 0;
}

/* The same for an event whose header hdr_init() already set (its sequence
 * number was needed before the event could go). */
static __always_inline int emit_prepared(void *ev, __u32 size, __u64 flags, __u32 tgid, __u32 uid,
					 __u32 op)
{
	if (bpf_ringbuf_output(&rb, ev, size, flags)) {
		drop_note(tgid, uid, op, UA_DROP_RINGBUF_FULL);
		return -1;
	}
	count(UA_CNT_EMITTED);
	return 0;
}

/* A fixed-size event written in place: reserved with its header set, or
 * NULL (lost). The caller fills it, then emit_commit(). */
static __always_inline void *emit_reserve(__u32 type, __u32 size, __u32 tgid, __u32 uid, __u32 op)
{
	struct ua_ev_hdr *h = bpf_ringbuf_reserve(&rb, size, 0);

	if (!h) {
		__sync_fetch_and_add(&seq_next, 1);
		drop_note(tgid, uid, op, UA_DROP_RINGBUF_FULL);
		return NULL;
	}
	hdr_init(h, type, size);
	return h;
}

static __always_inline void emit_commit(void *ev)
{
	bpf_ringbuf_submit(ev, rb_flags());
	count(UA_CNT_EMITTED);
}

#endif /* UA_EMIT_BPF_H */
