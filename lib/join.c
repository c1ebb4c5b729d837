// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The join engine (see join.h): two hash tables over the pending requests (by
 * submit sequence number and by request identity), a list in arrival order
 * for eviction and the liveness sweep, and a bitmap window of seen sequence
 * numbers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"

#define NBUCKETS 65536
#define DEFAULT_WINDOW (1u << 20)
#define DEFAULT_SWEEP_AGE_MS 1000
#define DEFAULT_GONE_GRACE_MS 5000

static uint64_t mix64(uint64_t v)
{
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	return v ^ (v >> 31);
}

static unsigned int bucket(uint64_t v)
{
	return (unsigned int)(mix64(v) & (NBUCKETS - 1));
}

/* Sequence numbers are dense and come in order: their low bits spread them
 * evenly already, and neighbours share cache lines of the table. */
static unsigned int seq_bucket(uint64_t seq)
{
	return (unsigned int)(seq & (NBUCKETS - 1));
}

int ua_join_init(struct ua_join *j, const struct ua_join_ops *ops, void *ctx,
		 const struct ua_join_config *cfg)
{
	memset(j, 0, sizeof(*j));
	if (!ops || !ops->conclude || !ops->discard || !ops->lost || !ops->alive || !cfg)
		return -EINVAL;
	j->ops = *ops;
	j->ctx = ctx;
	j->cfg = *cfg;
	if (!j->cfg.seq_window)
		j->cfg.seq_window = DEFAULT_WINDOW;
	if (!j->cfg.sweep_age_ms)
		j->cfg.sweep_age_ms = DEFAULT_SWEEP_AGE_MS;
	if (!j->cfg.gone_grace_ms)
		j->cfg.gone_grace_ms = DEFAULT_GONE_GRACE_MS;
	if (j->cfg.seq_window < 128 || (j->cfg.seq_window & (j->cfg.seq_window - 1)))
		return -EINVAL;
	j->by_seq = calloc(NBUCKETS, sizeof(*j->by_seq));
	j->by_req = calloc(NBUCKETS, sizeof(*j->by_req));
	j->bits = calloc(j->cfg.seq_window / 64, sizeof(*j->bits));
	if (!j->by_seq || !j->by_req || !j->bits) {
		ua_join_release(j);
		return -ENOMEM;
	}
	return 0;
}

/* ---- the pending table ---- */

static void insert(struct ua_join *j, struct ua_join_req *r)
{
	unsigned int bs = seq_bucket(r->seq), br = bucket(r->req);

	r->hnext_seq = j->by_seq[bs];
	j->by_seq[bs] = r;
	r->hnext_req = j->by_req[br];
	j->by_req[br] = r;
	r->older = j->newest;
	r->newer = NULL;
	if (j->newest)
		j->newest->newer = r;
	else
		j->oldest = r;
	j->newest = r;
	j->stats.pending++;
}

static void take(struct ua_join *j, struct ua_join_req *r)
{
	struct ua_join_req **pp;

	for (pp = &j->by_seq[seq_bucket(r->seq)]; *pp; pp = &(*pp)->hnext_seq)
		if (*pp == r) {
			*pp = r->hnext_seq;
			break;
		}
	for (pp = &j->by_req[bucket(r->req)]; *pp; pp = &(*pp)->hnext_req)
		if (*pp == r) {
			*pp = r->hnext_req;
			break;
		}
	if (r->older)
		r->older->newer = r->newer;
	else
		j->oldest = r->newer;
	if (r->newer)
		r->newer->older = r->older;
	else
		j->newest = r->older;
	r->older = r->newer = r->hnext_seq = r->hnext_req = NULL;
	j->stats.pending--;
}

struct ua_join_req *ua_join_find_req(const struct ua_join *j, uint64_t req)
{
	struct ua_join_req *r;

	for (r = j->by_req[bucket(req)]; r; r = r->hnext_req)
		if (r->req == req)
			return r;
	return NULL;
}

struct ua_join_req *ua_join_find(const struct ua_join *j, uint64_t seq)
{
	struct ua_join_req *r;

	for (r = j->by_seq[seq_bucket(seq)]; r; r = r->hnext_seq)
		if (r->seq == seq)
			return r;
	return NULL;
}

static void conclude(struct ua_join *j, struct ua_join_req *r, enum ua_join_why why,
		     const void *cqe)
{
	take(j, r);
	j->ops.conclude(j->ctx, r, why, cqe);
}

void ua_join_submit(struct ua_join *j, struct ua_join_req *r, uint64_t now_ms)
{
	struct ua_join_req *old = ua_join_find_req(j, r->req);

	if (old)
		conclude(j, old, UA_JOIN_REUSED, NULL);
	r->arrived_ms = now_ms;
	r->gone_since_ms = 0;
	insert(j, r);
	while (j->stats.pending > j->cfg.pending_max)
		conclude(j, j->oldest, UA_JOIN_EVICTED, NULL);
}

void ua_join_complete(struct ua_join *j, struct ua_join_req *r, const void *cqe)
{
	conclude(j, r, UA_JOIN_COMPLETED, cqe);
}

void ua_join_end(struct ua_join *j, struct ua_join_req *r, enum ua_join_why why)
{
	conclude(j, r, why, NULL);
}

size_t ua_join_end_each(struct ua_join *j, int (*match)(void *arg, const struct ua_join_req *r),
			void *arg, enum ua_join_why why)
{
	struct ua_join_req *r, *n;
	size_t k = 0;

	for (r = j->oldest; r; r = n) {
		n = r->newer;
		if (match(arg, r)) {
			conclude(j, r, why, NULL);
			k++;
		}
	}
	return k;
}

void ua_join_drop(struct ua_join *j, struct ua_join_req *r)
{
	take(j, r);
	j->ops.discard(j->ctx, r);
}

void ua_join_release(struct ua_join *j)
{
	if (!j)
		return;
	while (j->oldest)
		ua_join_drop(j, j->oldest);
	free(j->by_seq);
	free(j->by_req);
	free(j->bits);
	j->by_seq = j->by_req = NULL;
	j->bits = NULL;
}

/* ---- sequence numbers and loss ---- */

static int seq_bit(const struct ua_join *j, uint64_t s)
{
	uint64_t i = s & (j->cfg.seq_window - 1);

	return (j->bits[i / 64] >> (i % 64)) & 1;
}

static void seq_set(struct ua_join *j, uint64_t s, int on)
{
	uint64_t i = s & (j->cfg.seq_window - 1);

	if (on)
		j->bits[i / 64] |= 1ULL << (i % 64);
	else
		j->bits[i / 64] &= ~(1ULL << (i % 64));
}

static void seq_advance(struct ua_join *j)
{
	while (j->base < j->max_seen && seq_bit(j, j->base)) {
		seq_set(j, j->base, 0);
		j->base++;
	}
}

/* Declare [base, end) lost. */
static void declare_lost(struct ua_join *j, uint64_t end, const char *reason)
{
	uint64_t first = j->base, n = end - first;

	j->stats.lost_events += n;
	j->stats.lost_ranges++;
	j->base = end;
	seq_advance(j);
	j->ops.lost(j->ctx, first, n, reason);
}

/* First seen number at or after @s (bounded by max_seen). */
static uint64_t seq_next_seen(const struct ua_join *j, uint64_t s)
{
	while (s < j->max_seen && !seq_bit(j, s))
		s++;
	return s;
}

void ua_join_start_at(struct ua_join *j, uint64_t seq, uint64_t kernel_dropped)
{
	j->base = j->max_seen = j->prev_max = j->prev_seq_end = seq;
	j->dropped_seen = kernel_dropped;
}

void ua_join_mark(struct ua_join *j, uint64_t s)
{
	uint64_t win = j->cfg.seq_window;

	if (s < j->base) {
		j->stats.late++;
		return;
	}
	/* Far ahead of a hole: the window cannot hold both, so the hole is
	 * declared now, up to the next seen number or half a window. With
	 * nothing seen ahead of base (next == base) it is half a window too:
	 * declaring up to next would declare nothing and never end. */
	while (s >= j->base + win) {
		uint64_t next = seq_next_seen(j, j->base);

		if (next <= j->base || next > j->base + win / 2)
			next = j->base + win / 2;
		declare_lost(j, next, "window");
	}
	seq_set(j, s, 1);
	if (s + 1 > j->max_seen)
		j->max_seen = s + 1;
	seq_advance(j);
}

/* Holes below the previous tick's high mark have waited a whole tick. */
static void seq_tick(struct ua_join *j, const char *reason)
{
	while (j->base < j->max_seen && j->base < j->prev_max)
		declare_lost(j, seq_next_seen(j, j->base), reason);
	j->prev_max = j->max_seen;
}

/* ---- periodic work ---- */

/* Conclude the requests whose process is gone. Each process is asked about
 * once per run of its requests in arrival order. */
static void sweep(struct ua_join *j, uint64_t now)
{
	struct ua_join_req *r, *n;
	uint32_t last_pid = 0;
	uint64_t last_start = 0;
	int last_alive = 1, asked = 0;

	for (r = j->oldest; r; r = n) {
		n = r->newer;
		if (now - r->arrived_ms < j->cfg.sweep_age_ms)
			break;
		if (!asked || r->pid != last_pid || r->start_time != last_start) {
			last_pid = r->pid;
			last_start = r->start_time;
			last_alive = j->ops.alive(j->ctx, r->pid, r->start_time);
			asked = 1;
		}
		if (last_alive) {
			r->gone_since_ms = 0;
			continue;
		}
		if (!r->gone_since_ms)
			r->gone_since_ms = now;
		if (r->cqe_skip || now - r->gone_since_ms >= j->cfg.gone_grace_ms)
			conclude(j, r, UA_JOIN_GONE, NULL);
	}
}

static const char *loss_reason(const struct ua_join *j, uint64_t kernel_dropped)
{
	return kernel_dropped > j->dropped_seen ? "ringbuf_full" : "unknown";
}

void ua_join_tick(struct ua_join *j, uint64_t now_ms, uint64_t kernel_dropped, uint64_t seq_end)
{
	const char *reason = loss_reason(j, kernel_dropped);

	/* Numbers the kernel had handed out by the previous tick were either
	 * written then or never will be: a drop at the tail leaves no later
	 * event to reveal the gap, so the kernel's counter bounds it. */
	if (j->prev_seq_end > j->max_seen)
		j->max_seen = j->prev_seq_end;
	if (j->prev_seq_end > j->prev_max)
		j->prev_max = j->prev_seq_end;
	j->prev_seq_end = seq_end;
	seq_tick(j, reason);
	j->dropped_seen = kernel_dropped;
	sweep(j, now_ms);
}

void ua_join_finish(struct ua_join *j, uint64_t kernel_dropped, uint64_t seq_end)
{
	/* Whatever is still missing now will not arrive: the programs are
	 * detached and the ring buffer drained. Numbers taken after the last
	 * event we saw were lost too. */
	if (seq_end > j->max_seen)
		j->max_seen = seq_end;
	j->prev_max = j->max_seen;
	seq_tick(j, loss_reason(j, kernel_dropped));
	while (j->oldest) {
		struct ua_join_req *r = j->oldest;

		/* A skipped request whose process is gone has ended: say so,
		 * however young it is. */
		conclude(j, r,
			 r->cqe_skip && !j->ops.alive(j->ctx, r->pid, r->start_time) ?
				 UA_JOIN_GONE :
				 UA_JOIN_STOPPED,
			 NULL);
	}
}
