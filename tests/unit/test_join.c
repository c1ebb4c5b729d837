// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The join engine (lib/join.h) fed synthetic event sequences: what the kernel
 * can send (reordered across CPUs, with gaps, tail drops, reused request
 * slots, skipped CQEs, exiting processes) and what the engine must say about
 * it. Every callback appends one line to a log; each case compares the log.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "join.h"
#include "test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NREQ 64

struct treq {
	struct ua_join_req jr;
	int in_use; /* submitted and not yet handed back */
	int cqe_seen;
};

struct harness {
	struct ua_join j;
	struct ua_buf log;
	struct treq reqs[NREQ];
	uint32_t dead_pid; /* this pid is gone; 0: all alive */
	unsigned int alive_calls;
	int bad; /* a request was handed back twice, or one we never submitted */
};

static const char *const why_names[] = { "completed", "reused", "evicted",
					 "gone",      "stopped", "ring_gone" };

static struct treq *treq_of(struct harness *h, struct ua_join_req *r)
{
	struct treq *t = (struct treq *)r; /* jr is the first member */

	if (t < h->reqs || t >= h->reqs + NREQ || !t->in_use) {
		h->bad = 1;
		return NULL;
	}
	return t;
}

static void cb_conclude(void *ctx, struct ua_join_req *r, enum ua_join_why why, const void *cqe)
{
	struct harness *h = ctx;
	struct treq *t = treq_of(h, r);

	if (!t)
		return;
	t->in_use = 0;
	ua_buf_addf(&h->log, "conclude %llu %s%s%s\n", (unsigned long long)r->seq,
		    (unsigned int)why < ARRAY_SIZE(why_names) ? why_names[why] : "?",
		    cqe ? " cqe" : "", ua_join_skipped(why, r) ? " skipped" : "");
	if (cqe && cqe != (const void *)t)
		h->bad = 1; /* the tests pass the request itself as its CQE */
}

static void cb_discard(void *ctx, struct ua_join_req *r)
{
	struct harness *h = ctx;
	struct treq *t = treq_of(h, r);

	if (!t)
		return;
	t->in_use = 0;
	ua_buf_addf(&h->log, "discard %llu\n", (unsigned long long)r->seq);
}

static void cb_lost(void *ctx, uint64_t first, uint64_t n, const char *reason)
{
	struct harness *h = ctx;

	ua_buf_addf(&h->log, "lost %llu+%llu %s\n", (unsigned long long)first,
		    (unsigned long long)n, reason);
}

static int cb_alive(void *ctx, uint32_t pid, uint64_t start_time)
{
	struct harness *h = ctx;

	h->alive_calls++;
	return !(h->dead_pid && pid == h->dead_pid);
}

static const struct ua_join_ops ops = {
	.conclude = cb_conclude,
	.discard = cb_discard,
	.lost = cb_lost,
	.alive = cb_alive,
};

static bool setup(struct harness *h, size_t pending_max, uint64_t window)
{
	struct ua_join_config cfg = { .pending_max = pending_max, .seq_window = window };

	memset(h, 0, sizeof(*h));
	ua_buf_init(&h->log);
	return ASSERT_OK(ua_join_init(&h->j, &ops, h, &cfg), "ua_join_init");
}

/* Compare the log so far with @want, then clear it. */
static bool log_is(struct harness *h, const char *want, const char *name)
{
	bool ok;

	ua_buf_addch(&h->log, '\0');
	ok = ASSERT_STREQ(h->log.data, want, name);
	ua_buf_reset(&h->log);
	return ok;
}

static void teardown(struct harness *h)
{
	size_t i;

	ua_join_release(&h->j);
	for (i = 0; i < NREQ; i++)
		if (h->reqs[i].in_use)
			h->bad = 1; /* never handed back: a leak */
	ASSERT_FALSE(h->bad, "every request handed back exactly once");
	ua_buf_release(&h->log);
}

/* A SUBMIT event: sequence number @seq, request identity @req, process @pid. */
static struct treq *submit(struct harness *h, uint64_t seq, uint64_t req, uint32_t pid, int skip,
			   uint64_t now)
{
	struct treq *t = NULL;
	size_t i;

	for (i = 0; i < NREQ; i++)
		if (!h->reqs[i].in_use) {
			t = &h->reqs[i];
			break;
		}
	if (!ASSERT_TRUE(t, "request pool"))
		return NULL;
	memset(t, 0, sizeof(*t));
	t->in_use = 1;
	t->jr.seq = seq;
	t->jr.req = req;
	t->jr.pid = pid;
	t->jr.start_time = 1000 + pid;
	t->jr.cqe_skip = skip;
	ua_join_mark(&h->j, seq);
	ua_join_submit(&h->j, &t->jr, now);
	return t;
}

/* A COMPLETE event @seq for the SUBMIT @submit_seq: 0, or -ENOENT for an orphan. */
static int complete(struct harness *h, uint64_t seq, uint64_t submit_seq)
{
	struct ua_join_req *r;

	ua_join_mark(&h->j, seq);
	r = ua_join_find(&h->j, submit_seq);
	if (!r)
		return -ENOENT;
	ua_join_complete(&h->j, r, r);
	return 0;
}

static void test_init_errors(void)
{
	struct ua_join j;
	struct ua_join_config cfg = { .pending_max = 4 };
	struct ua_join_ops no_alive = ops;

	no_alive.alive = NULL;
	ASSERT_EQ(ua_join_init(&j, &no_alive, NULL, &cfg), -EINVAL, "callback missing");
	ua_join_release(&j);
	ASSERT_EQ(ua_join_init(&j, NULL, NULL, &cfg), -EINVAL, "no ops");
	ua_join_release(&j);
	cfg.seq_window = 1000;
	ASSERT_EQ(ua_join_init(&j, &ops, NULL, &cfg), -EINVAL, "window not a power of two");
	ua_join_release(&j);
	cfg.seq_window = 64;
	ASSERT_EQ(ua_join_init(&j, &ops, NULL, &cfg), -EINVAL, "window too small");
	ua_join_release(&j);
}

/* SUBMIT then COMPLETE, several requests interleaved: exact join by seq. */
static void test_in_order(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0xa0, 100, 0, 0);
	submit(&h, 1, 0xa1, 100, 0, 0);
	ASSERT_EQ(h.j.stats.pending, 2, "two pending");
	ASSERT_OK(complete(&h, 2, 1), "complete 1");
	ASSERT_OK(complete(&h, 3, 0), "complete 0");
	ASSERT_EQ(complete(&h, 4, 0), -ENOENT, "second COMPLETE of 0 is an orphan");
	ASSERT_EQ(complete(&h, 5, 77), -ENOENT, "COMPLETE of an unknown submit");
	ua_join_tick(&h.j, 10, 0, 6);
	ua_join_tick(&h.j, 20, 0, 6);
	log_is(&h, "conclude 1 completed cqe\nconclude 0 completed cqe\n", "log");
	ASSERT_EQ(h.j.stats.pending, 0, "none pending");
	ASSERT_EQ(h.j.stats.lost_events, 0, "nothing lost");
	teardown(&h);
}

/* Two CPUs: numbers arrive out of order within a tick. Nothing is lost. */
static void test_reorder_across_cpus(void)
{
	static const uint64_t order[] = { 0, 2, 1, 5, 3, 4, 7, 6, 9, 8 };
	struct harness h;
	size_t i;

	if (!setup(&h, 16, 0))
		return;
	for (i = 0; i < ARRAY_SIZE(order); i++)
		ua_join_mark(&h.j, order[i]);
	ua_join_tick(&h.j, 0, 0, 10);
	ua_join_tick(&h.j, 1, 0, 10);
	ua_join_tick(&h.j, 2, 0, 10);
	log_is(&h, "", "no loss");
	/* A COMPLETE whose number is below its SUBMIT's (the completing CPU
	 * took its number first) still joins. */
	submit(&h, 11, 0xb0, 100, 0, 0);
	ASSERT_OK(complete(&h, 10, 11), "complete numbered before its submit");
	ua_join_tick(&h.j, 3, 0, 12);
	ua_join_tick(&h.j, 4, 0, 12);
	log_is(&h, "conclude 11 completed cqe\n", "joined");
	ASSERT_EQ(h.j.stats.late, 0, "none late");
	teardown(&h);
}

/* A hole is declared only after it has outlived one tick; a number that
 * arrives later still fills it. */
static void test_gap_waits_one_tick(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	ua_join_mark(&h.j, 0);
	ua_join_mark(&h.j, 1);
	ua_join_mark(&h.j, 4); /* 2 and 3 still on another CPU */
	ua_join_tick(&h.j, 0, 0, 5);
	log_is(&h, "", "not yet: the hole is younger than a tick");
	ua_join_mark(&h.j, 3);
	ua_join_tick(&h.j, 1, 0, 5);
	log_is(&h, "lost 2+1 unknown\n", "2 outlived a tick");
	ua_join_mark(&h.j, 2);
	ASSERT_EQ(h.j.stats.late, 1, "2 came after being declared");
	ASSERT_EQ(h.j.stats.lost_events, 1, "lost_events");
	ASSERT_EQ(h.j.stats.lost_ranges, 1, "lost_ranges");
	teardown(&h);
}

/* Gaps while the kernel's drop counter grew are ring buffer drops; two
 * holes are two ranges. */
static void test_gaps_reason(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	ua_join_mark(&h.j, 0);
	ua_join_mark(&h.j, 3);
	ua_join_mark(&h.j, 4);
	ua_join_mark(&h.j, 8);
	ua_join_tick(&h.j, 0, 0, 9);
	ua_join_tick(&h.j, 1, 7, 9);
	log_is(&h, "lost 1+2 ringbuf_full\nlost 5+3 ringbuf_full\n", "ringbuf_full");
	ua_join_mark(&h.j, 10);
	ua_join_tick(&h.j, 2, 7, 11);
	ua_join_tick(&h.j, 3, 7, 11);
	log_is(&h, "lost 9+1 unknown\n", "no new drops: unknown");
	teardown(&h);
}

/* Drops at the tail: no later event reveals them; the kernel's counter at
 * the previous tick bounds them. */
static void test_tail_drop(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	ua_join_mark(&h.j, 0);
	ua_join_mark(&h.j, 1);
	ua_join_tick(&h.j, 0, 0, 5); /* 2..4 taken, not (yet) written */
	log_is(&h, "", "first tick: the tail may still be in flight");
	ua_join_tick(&h.j, 1, 3, 5);
	log_is(&h, "lost 2+3 ringbuf_full\n", "next tick: bounded by the previous seq_end");
	ua_join_tick(&h.j, 2, 3, 5);
	log_is(&h, "", "declared once");
	ua_join_mark(&h.j, 5);
	ua_join_tick(&h.j, 3, 3, 6);
	ua_join_tick(&h.j, 4, 3, 6);
	log_is(&h, "", "nothing more");
	ASSERT_EQ(h.j.stats.lost_events, 3, "lost_events");
	teardown(&h);
}

/* A restart on pinned state: numbers below the previous daemon's mark are not
 * lost again, nor are its drops; a hole after the mark is, once. */
static void test_start_at(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	ua_join_start_at(&h.j, 1000, 7);
	ua_join_mark(&h.j, 1000);
	ua_join_mark(&h.j, 1003);
	ua_join_tick(&h.j, 0, 7, 1004);
	ua_join_tick(&h.j, 1, 7, 1004);
	log_is(&h, "lost 1001+2 unknown\n", "only the hole after the mark, no new drops");
	ua_join_mark(&h.j, 999);
	ASSERT_EQ(h.j.stats.late, 1, "a number below the mark is late, not lost");
	ASSERT_EQ(h.j.stats.lost_events, 2, "lost_events");
	teardown(&h);
}

/* A number further ahead than the window can hold declares the hole at once. */
static void test_window(void)
{
	struct harness h;

	if (!setup(&h, 16, 128))
		return;
	ua_join_mark(&h.j, 0);
	ua_join_mark(&h.j, 10);
	ua_join_mark(&h.j, 127);
	log_is(&h, "", "within the window");
	ua_join_mark(&h.j, 130);
	log_is(&h, "lost 1+9 window\n", "up to the next seen number");
	ua_join_mark(&h.j, 500);
	/* after 130 nothing is seen ahead: half a window at a time */
	log_is(&h,
	       "lost 11+64 window\nlost 75+52 window\nlost 128+2 window\nlost 131+64 window\n"
	       "lost 195+64 window\nlost 259+64 window\nlost 323+64 window\n",
	       "up to the next seen number or half a window");
	ua_join_mark(&h.j, 128);
	ASSERT_EQ(h.j.stats.late, 1, "late");
	ua_join_finish(&h.j, 0, 501);
	log_is(&h, "lost 387+113 unknown\n", "the rest at finish");
	teardown(&h);
}

/* A new SUBMIT with a pending request's identity: the old one has ended. */
static void test_slot_reuse(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0xc0, 100, 0, 0);
	submit(&h, 1, 0xc1, 100, 1, 0);
	submit(&h, 2, 0xc0, 100, 0, 0);
	log_is(&h, "conclude 0 reused\n", "no CQE seen: none");
	submit(&h, 3, 0xc1, 100, 0, 0);
	log_is(&h, "conclude 1 reused skipped\n", "CQE_SKIP_SUCCESS: skipped");
	ASSERT_EQ(h.j.stats.pending, 2, "the new ones pending");
	ASSERT_OK(complete(&h, 4, 2), "the new request completes");
	ASSERT_EQ(complete(&h, 5, 0), -ENOENT, "a late COMPLETE of the old one is an orphan");
	log_is(&h, "conclude 2 completed cqe\n", "joined to the new one");
	ua_join_finish(&h.j, 0, 6);
	log_is(&h, "conclude 3 stopped\n", "finish");
	teardown(&h);
}

/* Beyond pending_max the oldest is written as it is, never as skipped. */
static void test_evict(void)
{
	struct harness h;

	if (!setup(&h, 2, 0))
		return;
	submit(&h, 0, 0xd0, 100, 1, 0);
	submit(&h, 1, 0xd1, 100, 0, 0);
	submit(&h, 2, 0xd2, 100, 0, 0);
	log_is(&h, "conclude 0 evicted\n", "oldest evicted");
	ASSERT_OK(complete(&h, 3, 1), "complete 1");
	submit(&h, 4, 0xd4, 100, 0, 0);
	log_is(&h, "conclude 1 completed cqe\n", "room again");
	ASSERT_EQ(h.j.stats.pending, 2, "pending");
	ua_join_release(&h.j);
	log_is(&h, "discard 2\ndiscard 4\n", "released");
	teardown(&h);

	if (!setup(&h, 0, 0))
		return;
	submit(&h, 0, 0xd0, 100, 0, 0);
	log_is(&h, "conclude 0 evicted\n", "pending_max 0");
	teardown(&h);
}

/* Processes that exit: skipped-CQE requests at once, others after the
 * grace period; a process found alive again resets its clock. */
static void test_process_gone(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0xe0, 200, 1, 0);	  /* skip, dies */
	submit(&h, 1, 0xe1, 200, 0, 0);	  /* dies */
	submit(&h, 2, 0xe2, 300, 0, 0);	  /* lives */
	submit(&h, 3, 0xe3, 200, 0, 900); /* dies, younger */
	h.dead_pid = 200;
	ua_join_tick(&h.j, 999, 0, 4);
	log_is(&h, "", "younger than the sweep age: not asked");
	ASSERT_EQ(h.alive_calls, 0, "no liveness check");
	ua_join_tick(&h.j, 1000, 0, 4);
	log_is(&h, "conclude 0 gone skipped\n", "skipped at once");
	ASSERT_EQ(h.alive_calls, 2, "one check per run of a process");
	ua_join_tick(&h.j, 5999, 0, 4);
	log_is(&h, "", "within the grace period");
	ua_join_tick(&h.j, 6000, 0, 4);
	log_is(&h, "conclude 1 gone\n", "after the grace period");
	ua_join_tick(&h.j, 6899, 0, 4);
	log_is(&h, "", "3: its own grace period");
	h.dead_pid = 0;
	ua_join_tick(&h.j, 6900, 0, 4);
	h.dead_pid = 200;
	ua_join_tick(&h.j, 7000, 0, 4);
	ua_join_tick(&h.j, 11999, 0, 4);
	log_is(&h, "", "alive in between: the grace period starts again");
	ua_join_tick(&h.j, 12000, 0, 4);
	log_is(&h, "conclude 3 gone\n", "3 concluded");
	ASSERT_OK(complete(&h, 4, 2), "the living process's request completes");
	log_is(&h, "conclude 2 completed cqe\n", "2 joined");
	teardown(&h);
}

/* At stop, a skipped request of a process that is gone has ended (skipped),
 * however young; one of a living process may still be running (stopped). */
static void test_finish_skipped_gone(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0xf0, 400, 1, 0); /* skip, its process gone */
	submit(&h, 1, 0xf1, 500, 1, 0); /* skip, alive */
	submit(&h, 2, 0xf2, 400, 0, 0); /* no skip, gone: its CQE may yet have come */
	h.dead_pid = 400;
	ua_join_finish(&h.j, 0, 3);
	log_is(&h, "conclude 0 gone skipped\nconclude 1 stopped\nconclude 2 stopped\n",
	       "skipped only where the process is gone");
	teardown(&h);
}

/* The kernel says a request ended unseen (its slot went to a request no
 * rule records): concluded as reused, skipped with CQE_SKIP_SUCCESS. */
static void test_end_unseen(void)
{
	struct harness h;
	struct treq *a, *b;

	if (!setup(&h, 16, 0))
		return;
	a = submit(&h, 0, 0xa0, 100, 1, 0);
	b = submit(&h, 1, 0xa1, 100, 0, 0);
	ua_join_mark(&h.j, 2);
	ua_join_end(&h.j, &a->jr, UA_JOIN_REUSED);
	ua_join_mark(&h.j, 3);
	ua_join_end(&h.j, &b->jr, UA_JOIN_REUSED);
	log_is(&h, "conclude 0 reused skipped\nconclude 1 reused\n", "ended unseen");
	ASSERT_EQ(h.j.stats.pending, 0, "table empty");
	teardown(&h);
}

/* A ring freed: its requests (here pid 100's) end, oldest first, a
 * skipped one as skipped; the others stay. */
static int of_pid_100(void *arg, const struct ua_join_req *r)
{
	(void)arg;
	return r->pid == 100;
}

static void test_end_each_ring_gone(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0xa0, 100, 0, 0);
	submit(&h, 1, 0xa1, 200, 0, 0);
	submit(&h, 2, 0xa2, 100, 1, 0);
	ua_join_mark(&h.j, 3);
	ASSERT_EQ(ua_join_end_each(&h.j, of_pid_100, NULL, UA_JOIN_RING_GONE), 2, "two ended");
	log_is(&h, "conclude 0 ring_gone\nconclude 2 ring_gone skipped\n", "ring gone");
	ASSERT_EQ(h.j.stats.pending, 1, "the other ring's request stays");
	ASSERT_EQ(ua_join_end_each(&h.j, of_pid_100, NULL, UA_JOIN_RING_GONE), 0, "none left");
	teardown(&h);
}

/* Not selected at completion: out of the table without a record. */
static void test_drop(void)
{
	struct harness h;
	struct ua_join_req *r;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0xf0, 100, 0, 0);
	r = ua_join_find(&h.j, 0);
	if (ASSERT_TRUE(r, "found"))
		ua_join_drop(&h.j, r);
	ASSERT_TRUE(ua_join_find(&h.j, 0) == NULL, "gone from the table");
	submit(&h, 1, 0xf0, 100, 0, 0);
	log_is(&h, "discard 0\n", "discarded, and its identity free");
	teardown(&h);
}

/* Stop: the tail is lost, every pending request concluded oldest first;
 * release hands back what finish did not see. */
static void test_finish_and_release(void)
{
	struct harness h;

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0x10, 100, 1, 0);
	submit(&h, 1, 0x11, 100, 0, 0);
	submit(&h, 3, 0x13, 100, 0, 0);
	ua_join_finish(&h.j, 1, 6);
	log_is(&h,
	       "lost 2+1 ringbuf_full\nlost 4+2 ringbuf_full\nconclude 0 stopped\n"
	       "conclude 1 stopped\nconclude 3 stopped\n",
	       "finish");
	ASSERT_EQ(h.j.stats.pending, 0, "empty");
	teardown(&h);

	if (!setup(&h, 16, 0))
		return;
	submit(&h, 0, 0x10, 100, 0, 0);
	submit(&h, 1, 0x11, 100, 0, 0);
	ua_join_release(&h.j);
	log_is(&h, "discard 0\ndiscard 1\n", "release discards");
	teardown(&h);
}

/* Many requests through the tables: colliding buckets and removal from the
 * middle of chains and of the arrival list. */
static void test_many(void)
{
	struct harness h;
	uint64_t seq = 0, i;
	int bad = 0;

	if (!setup(&h, 32, 0))
		return;
	for (i = 0; i < 3000; i++) {
		struct ua_join_req *r;
		uint64_t target;

		submit(&h, seq++, 0x1000 + i % 20, 100, 0, i);
		/* complete every third request, from the middle */
		if (i % 3 == 2) {
			target = seq - 2;
			ua_join_mark(&h.j, seq++);
			r = ua_join_find(&h.j, target);
			if (r)
				ua_join_complete(&h.j, r, r);
			else
				bad = 1;
		}
	}
	ASSERT_FALSE(bad, "every targeted request found");
	ASSERT_TRUE(h.j.stats.pending <= 32, "bounded");
	ua_join_finish(&h.j, 0, seq);
	ASSERT_EQ(h.j.stats.pending, 0, "empty");
	ASSERT_EQ(h.j.stats.lost_events, 0, "no loss");
	ua_buf_reset(&h.log);
	teardown(&h);
}

int main(void)
{
	RUN_TEST(test_init_errors);
	RUN_TEST(test_in_order);
	RUN_TEST(test_reorder_across_cpus);
	RUN_TEST(test_gap_waits_one_tick);
	RUN_TEST(test_gaps_reason);
	RUN_TEST(test_tail_drop);
	RUN_TEST(test_start_at);
	RUN_TEST(test_window);
	RUN_TEST(test_slot_reuse);
	RUN_TEST(test_evict);
	RUN_TEST(test_process_gone);
	RUN_TEST(test_finish_skipped_gone);
	RUN_TEST(test_end_unseen);
	RUN_TEST(test_end_each_ring_gone);
	RUN_TEST(test_drop);
	RUN_TEST(test_finish_and_release);
	RUN_TEST(test_many);
	return test_main_end();
}
