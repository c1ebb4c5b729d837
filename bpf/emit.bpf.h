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
 * A dropped event, counted under its submitter (@tgid, @uid, @op): once in
 * UA_CNT_DROPPED and once in the drops map, or in UA_CNT_DROP_UNATTRIBUTED
 * when the map has no room for a new submitter. The total is counted first:
 * the daemon reads the map before the total, so the total it reads covers
 * every attributed drop it saw. Not inlined: only the drop path pays for it.
 */
static __noinline int drop_note(__u32 tgid, __u32 uid, __u32 op)
{
	__u32 zero = 0;
	struct drop_buf *b = bpf_map_lookup_elem(&drop_scratch, &zero);
	struct ua_drop_val *v;

	count(UA_CNT_DROPPED);
	if (!b) {
		count(UA_CNT_DROP_UNATTRIBUTED);
		return 0;
	}
	b->k.tgid = tgid;
	b->k.uid = uid;
	b->k.op = (__u8)op;
	b->k.reason = UA_DROP_RINGBUF_FULL;
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
			count(UA_CNT_DROP_UNATTRIBUTED);
			return 0;
		}
	}
	v->n++;
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
		drop_note(tgid, uid, op);
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
		drop_note(tgid, uid, op);
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
		drop_note(tgid, uid, op);
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
