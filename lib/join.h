/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The join engine: pending requests and the sequence (loss) tracker, without
 * libbpf, the clock or /proc, so that the unit tests can feed it any event
 * sequence. The consumer (src/consumer.c) owns the records; the engine says
 * when a request has ended and which sequence numbers will never arrive.
 *
 * Join. The kernel sends the submit sequence number with the completion, so
 * the join is exact (ua_join_find). A request that posts no CQE is concluded
 * when the kernel shows it has ended:
 *   - its request slot is reused: a new SUBMIT carries the same request
 *     identity, and a live request's identity cannot be reused (REUSED);
 *   - its process is gone: at once when it was submitted with
 *     IOSQE_CQE_SKIP_SUCCESS, otherwise after a grace period, as ring teardown
 *     cancels and completes what is left (GONE);
 *   - the table is full: the oldest request is written as it is (EVICTED);
 *   - its ring was freed (RING_GONE: the per-op backend sees it), every
 *     completion of the ring having come before;
 *   - the daemon stops (STOPPED).
 *
 * Loss. Every event carries a global sequence number taken before the ring
 * buffer reserve. Numbers can arrive slightly out of order (two CPUs), so a
 * hole is declared lost only once it has outlived one tick, or at once when
 * the reorder window cannot hold it; each declared range goes to the lost
 * callback. A drop at the tail leaves no later event to reveal it: the
 * kernel's next sequence number, given at each tick, bounds it.
 *
 * Every request leaves the table through exactly one callback: conclude
 * (it gets a record) or discard (it does not). The caller frees it there.
 */
#ifndef UA_JOIN_H
#define UA_JOIN_H

#include <stddef.h>
#include <stdint.h>

/* Why a request was concluded. New reasons take new numbers. */
enum ua_join_why {
	UA_JOIN_COMPLETED = 0, /* its COMPLETE arrived (ua_join_complete) */
	UA_JOIN_REUSED = 1,    /* a new SUBMIT carries its request identity */
	UA_JOIN_EVICTED = 2,   /* the table was full; it was the oldest */
	UA_JOIN_GONE = 3,      /* its process has exited */
	UA_JOIN_STOPPED = 4,   /* ua_join_finish: the daemon stops */
	UA_JOIN_RING_GONE = 5, /* its ring was freed (ua_join_end_each) */
};

/* One pending request. The caller embeds it in its own request and fills
 * the first block before ua_join_submit; the rest is the engine's. */
struct ua_join_req {
	uint64_t seq;	     /* the SUBMIT's sequence number: the join key */
	uint64_t req;	     /* the kernel's request identity (reused once it ends) */
	uint64_t start_time; /* owning process: (pid, start_time) */
	uint32_t pid;
	int cqe_skip; /* IOSQE_CQE_SKIP_SUCCESS: no CQE when it succeeds */

	/* engine */
	struct ua_join_req *hnext_seq, *hnext_req;
	struct ua_join_req *older, *newer;
	uint64_t arrived_ms;
	uint64_t gone_since_ms; /* 0: its process was alive at the last look */
};

struct ua_join_ops {
	/* @r has left the table and gets its record: @cqe is what was given to
	 * ua_join_complete (UA_JOIN_COMPLETED), NULL otherwise. */
	void (*conclude)(void *ctx, struct ua_join_req *r, enum ua_join_why why, const void *cqe);
	/* @r has left the table without a record (ua_join_drop, ua_join_release). */
	void (*discard)(void *ctx, struct ua_join_req *r);
	/* Sequence numbers [@first, @first + @n) will never arrive. @reason is
	 * "window", "ringbuf_full" or "unknown". */
	void (*lost)(void *ctx, uint64_t first, uint64_t n, const char *reason);
	/* Is the process (@pid, @start_time) still alive? */
	int (*alive)(void *ctx, uint32_t pid, uint64_t start_time);
};

struct ua_join_config {
	size_t pending_max;	/* requests held; the oldest is evicted beyond it */
	uint64_t seq_window;	/* reorder window in events, a power of two; 0: 1 << 20 */
	uint64_t sweep_age_ms;	/* liveness is checked for requests this old; 0: 1000 */
	uint64_t gone_grace_ms; /* a gone process's requests wait this long; 0: 5000 */
};

struct ua_join_stats {
	uint64_t pending;     /* requests in the table */
	uint64_t late;	      /* numbers that arrived after being declared lost */
	uint64_t lost_events; /* numbers declared lost */
	uint64_t lost_ranges; /* lost callbacks */
};

/* Everything below is the engine's; read stats only. */
struct ua_join {
	struct ua_join_ops ops;
	void *ctx;
	struct ua_join_config cfg;
	struct ua_join_stats stats;
	struct ua_join_req **by_seq, **by_req;
	struct ua_join_req *oldest, *newest;
	/* sequence tracker */
	uint64_t base;	   /* lowest number not yet seen or declared */
	uint64_t max_seen; /* highest number seen + 1 */
	uint64_t prev_max; /* max_seen at the previous tick */
	uint64_t *bits;	   /* seen numbers in [base, base + seq_window) */
	uint64_t prev_seq_end;
	uint64_t dropped_seen; /* the kernel's drop counter at the previous tick */
};

/* 0, or -EINVAL (a callback missing, a window not a power of two of at
 * least 128), -ENOMEM. */
int ua_join_init(struct ua_join *j, const struct ua_join_ops *ops, void *ctx,
		 const struct ua_join_config *cfg);
/* Hand every request still pending to discard, free the tables. */
void ua_join_release(struct ua_join *j);

/* Before any event: numbers below @seq were handled by a previous daemon
 * (a restart on pinned BPF state) and @kernel_dropped is the drop counter
 * as it left it, so neither is declared lost again. */
void ua_join_start_at(struct ua_join *j, uint64_t seq, uint64_t kernel_dropped);

/* An event with sequence number @seq arrived (every event, before its
 * handling). May declare a range lost ("window"). */
void ua_join_mark(struct ua_join *j, uint64_t seq);

/* Add @r (its first block filled), arriving at @now_ms. A pending request
 * with the same identity is concluded first (REUSED); beyond pending_max the
 * oldest are concluded (EVICTED), @r itself when pending_max is 0. */
void ua_join_submit(struct ua_join *j, struct ua_join_req *r, uint64_t now_ms);

/* The request that arrived last, or NULL; ->older walks back in arrival order. */
static inline struct ua_join_req *ua_join_newest(const struct ua_join *j)
{
	return j->newest;
}

/* The pending request with kernel identity @req, or NULL. */
struct ua_join_req *ua_join_find_req(const struct ua_join *j, uint64_t req);

/* The pending request submitted as @seq, or NULL. */
struct ua_join_req *ua_join_find(const struct ua_join *j, uint64_t seq);

/* @r's COMPLETE arrived: conclude it (COMPLETED, @cqe passed through). */
void ua_join_complete(struct ua_join *j, struct ua_join_req *r, const void *cqe);

/* The kernel says @r has ended without a CQE it could see (its request slot
 * was reused by a request no rule records: @why REUSED): conclude it. */
void ua_join_end(struct ua_join *j, struct ua_join_req *r, enum ua_join_why why);
/* Conclude every request @match says yes to (oldest first) with @why; how many. */
size_t ua_join_end_each(struct ua_join *j, int (*match)(void *arg, const struct ua_join_req *r),
			void *arg, enum ua_join_why why);

/* @r ends without a record (no rule records it): discard it. */
void ua_join_drop(struct ua_join *j, struct ua_join_req *r);

/*
 * Periodic work at @now_ms: declare the holes that have waited a whole tick
 * (reason "ringbuf_full" when @kernel_dropped grew since the previous tick,
 * else "unknown"), with @seq_end, the kernel's next sequence number, as the
 * bound of the tail; then conclude the requests of gone processes.
 */
void ua_join_tick(struct ua_join *j, uint64_t now_ms, uint64_t kernel_dropped, uint64_t seq_end);

/* At shutdown, the programs detached and the ring buffer drained: whatever
 * is missing below @seq_end is lost, every pending request is concluded
 * (STOPPED), oldest first. */
void ua_join_finish(struct ua_join *j, uint64_t kernel_dropped, uint64_t seq_end);

/* A request concluded without a CQE we saw (REUSED, GONE): did it end
 * with its CQE skipped? A failure would have posted one (IOSQE_CQE_SKIP_SUCCESS).
 * An evicted or stopped request may still be running: its CQE is unknown. */
static inline int ua_join_skipped(enum ua_join_why why, const struct ua_join_req *r)
{
	return r->cqe_skip &&
	       (why == UA_JOIN_REUSED || why == UA_JOIN_GONE || why == UA_JOIN_RING_GONE);
}

#endif /* UA_JOIN_H */
