// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_flood: floods io_uring with cheap requests, for the flood tests
 * (tests/integration/t_flood.sh) and the fairness benchmark.
 *
 *   ua_flood KIND THREADS MS [PATH N]
 *
 * KIND is nop, futex_wake (a private futex word nobody waits on: each wake
 * completes at once with 0), devnull (openat of /dev/null; each fd is closed
 * with close(2), which io_uring does not see) or distinct (openat of a name
 * never used before, /nonexistent-ua-flood/TID/N, failing with ENOENT: every
 * request a flow of its own, the attack on per-flow budgets). THREADS threads, each with its
 * own ring, submit batches of 32 such requests for MS milliseconds (THREADS
 * 0: no flood, only the opens). With PATH
 * and N, the main thread, once the flood has run for a quarter of MS, opens
 * PATH N times through its own ring, one request at a time, and prints
 * "opens done pid=P ok=K err=E" (K opens succeeded, E failed, with the last
 * error's errno in "errno=X"); the flood goes on until MS. With UA_FLOOD_GO
 * set to a path, the opens wait for that file to exist instead (the caller
 * says when the flood has filled the buffer), MS at most, and the flood
 * ends with them.
 *
 * Prints "flood pid=P" when the threads have started and, at the end,
 * "flood submitted=S" (all threads). Exit 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "futex2.h"
#include "optable.h"

#define BATCH 32

enum kind { K_NOP, K_FUTEX_WAKE, K_DEVNULL, K_DISTINCT };

static enum kind kind;
static atomic_int stop;
static atomic_ullong submitted;
static atomic_int started;
static uint32_t futex_word;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A thread's names for one batch of distinct opens: each slot stays
 * unchanged until its request is submitted. */
struct names {
	char s[BATCH][64];
	unsigned long long next;
	int slot;
};

static void prep(struct io_uring_sqe *sqe, struct names *nm)
{
	switch (kind) {
	case K_NOP:
		io_uring_prep_nop(sqe);
		break;
	case K_FUTEX_WAKE:
		/* fd: futex2 flags, addr: the word, addr2: how many to wake,
		 * addr3: the bitset (liburing 2.3 has no helper) */
		io_uring_prep_rw(UA_OP_FUTEX_WAKE, sqe, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, &futex_word, 0,
				 1);
		sqe->addr3 = 0xffffffffu; /* FUTEX_BITSET_MATCH_ANY */
		break;
	case K_DEVNULL:
		io_uring_prep_openat(sqe, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
		break;
	case K_DISTINCT: {
		char *name = nm->s[nm->slot++ % BATCH];

		snprintf(name, sizeof(nm->s[0]), "/nonexistent-ua-flood/%d/%llu", gettid(),
			 nm->next++);
		io_uring_prep_openat(sqe, AT_FDCWD, name, O_RDONLY | O_CLOEXEC, 0);
		break;
	}
	}
	sqe->user_data = 1;
}

static void *flood(void *arg)
{
	struct io_uring ring;
	static __thread struct names nm;
	unsigned long long n = 0;
	int rc = io_uring_queue_init(2 * BATCH, &ring, 0);

	(void)arg;
	if (rc) {
		fprintf(stderr, "ua_flood: io_uring_queue_init: %s\n", strerror(-rc));
		exit(1);
	}
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop)) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;
		int i;

		for (i = 0; i < BATCH; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (!sqe)
				break;
			prep(sqe, &nm);
		}
		rc = io_uring_submit_and_wait(&ring, (unsigned int)i);
		if (rc < 0) {
			fprintf(stderr, "ua_flood: submit: %s\n", strerror(-rc));
			exit(1);
		}
		n += (unsigned long long)rc;
		io_uring_for_each_cqe(&ring, head, cqe)
		{
			if (kind == K_DEVNULL && cqe->res >= 0)
				close(cqe->res);
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
	}
	io_uring_queue_exit(&ring);
	atomic_fetch_add(&submitted, n);
	return NULL;
}

/* N opens of @path, one at a time: how many succeeded; *@err: how many
 * failed, *@eno: the last failure's errno. */
static int opens(const char *path, int n, int *err, int *eno)
{
	struct io_uring ring;
	int i, ok = 0, rc = io_uring_queue_init(4, &ring, 0);

	*err = 0;
	*eno = 0;

	if (rc) {
		fprintf(stderr, "ua_flood: io_uring_queue_init: %s\n", strerror(-rc));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;

		io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
		sqe->user_data = 1000 + (uint64_t)i;
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe))
			continue;
		if (cqe->res >= 0) {
			close(cqe->res);
			ok++;
		} else {
			++*err;
			*eno = -cqe->res;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return ok;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int nthreads, i;
	uint64_t ms, t0;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: ua_flood nop|futex_wake|devnull|distinct THREADS MS [PATH N]\n");
		return 2;
	}
	if (!strcmp(argv[1], "nop"))
		kind = K_NOP;
	else if (!strcmp(argv[1], "futex_wake"))
		kind = K_FUTEX_WAKE;
	else if (!strcmp(argv[1], "devnull"))
		kind = K_DEVNULL;
	else if (!strcmp(argv[1], "distinct"))
		kind = K_DISTINCT;
	else {
		fprintf(stderr, "ua_flood: unknown kind '%s'\n", argv[1]);
		return 2;
	}
	nthreads = atoi(argv[2]);
	ms = strtoull(argv[3], NULL, 10);
	if (nthreads < 0 || nthreads > 64 || !ms || (!nthreads && argc != 6)) {
		fprintf(stderr, "ua_flood: THREADS 0..64 (0 with PATH N), MS > 0\n");
		return 2;
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, flood, NULL)) {
			fprintf(stderr, "ua_flood: pthread_create failed\n");
			return 1;
		}
	while (atomic_load(&started) < nthreads)
		usleep(1000);
	t0 = now_ms();
	printf("flood pid=%d\n", getpid());
	fflush(stdout);
	if (argc == 6) {
		int n = atoi(argv[5]), ok, err, eno;

		const char *go = getenv("UA_FLOOD_GO");

		while (go ? access(go, F_OK) && now_ms() - t0 < ms : now_ms() - t0 < ms / 4)
			usleep(1000);
		ok = opens(argv[4], n, &err, &eno);
		printf("opens done pid=%d ok=%d err=%d errno=%d\n", getpid(), ok, err, eno);
		fflush(stdout);
		if (getenv("UA_FLOOD_GO"))
			ms = 0;
	}
	while (now_ms() - t0 < ms)
		usleep(1000);
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	printf("flood submitted=%llu\n", (unsigned long long)atomic_load(&submitted));
	return 0;
}
