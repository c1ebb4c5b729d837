// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_attack - drive the techniques an adversarial review used to make
 * uringaudit's records lie (../shared/THREATS.md 16-20, issue 10), and print
 * what user space knows of each request, so that a test can check the
 * records field by field against the truth.
 *
 * Usage: ua_attack TECHNIQUE ARGS...
 *
 *   ud_clash PATH        fill an 8-entry CQ with NOPs, then submit in one
 *                        call a read of fd -1 and an openat of PATH that
 *                        share one user_data (0x5ec): both CQEs overflow,
 *                        the read's first
 *   ud_zero N PATH       N opens of PATH, user_data 0 for all of them, into
 *                        an 8-entry CQ without reaping: most overflow
 *   futex_flood N PATH   N futex_wait requests that never complete (a private
 *                        futex word nobody wakes), then an openat of PATH,
 *                        then exit (the ring's teardown cancels the waits)
 *
 * Output lines (key=value, no caller-supplied strings): "pid= uid=", then
 * "req op= user_data= res=" per request whose result user space saw, and
 * for futex_flood "waits submitted=N" before the open.
 * Exit status: 0 when the technique ran, 1 on a setup failure, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CLASH_UD 0x5ec
#define SMALL_CQ 8

/* Not in liburing 2.3 (Debian 12): IORING_OP_FUTEX_WAIT of Linux 6.7. */
#define OP_FUTEX_WAIT 51
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE 128

static struct io_uring ring;

static void fatal(const char *what, int err)
{
	fprintf(stderr, "ua_attack: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: ua_attack ud_clash PATH | ud_zero N PATH | futex_flood N PATH\n");
	exit(2);
}

static void setup(unsigned int sq, unsigned int cq)
{
	struct io_uring_params p;
	struct rlimit rl;
	int ret;

	/* ud_zero keeps every opened fd: as many as the hard limit allows. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&p, 0, sizeof(p));
	if (cq) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cq;
	}
	ret = io_uring_queue_init_params(sq, &ring, &p);
	if (ret < 0)
		fatal("io_uring_queue_init", ret);
	printf("pid=%d uid=%u\n", getpid(), getuid());
}

static struct io_uring_sqe *sqe_get(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		int ret = io_uring_submit(&ring);

		if (ret < 0)
			fatal("io_uring_submit", ret);
		sqe = io_uring_get_sqe(&ring);
		if (!sqe)
			fatal("no SQE", EBUSY);
	}
	return sqe;
}

/* Reap @n CQEs, flushing the overflow list as room frees up, printing each. */
static void reap(unsigned int n, const char *(*op_of)(uint64_t ud, unsigned int i))
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(&ring, &cqe);

		if (ret < 0)
			fatal("io_uring_wait_cqe", ret);
		printf("req op=%s user_data=%" PRIu64 " res=%d\n", op_of(cqe->user_data, i),
		       (uint64_t)cqe->user_data, cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
}

static void fill_cq_with_nops(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < SMALL_CQ; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 0x1000 + i);
	}
	ret = io_uring_submit(&ring);
	if (ret < 0)
		fatal("io_uring_submit", ret);
}

static const char *clash_op(uint64_t ud, unsigned int i)
{
	if (ud != CLASH_UD)
		return "nop";
	static int seen;

	/* The read was queued first: its CQE is the first of the two. */
	return seen++ ? "openat" : "read";
}

static void ud_clash(const char *path)
{
	struct io_uring_sqe *sqe;
	int ret;

	setup(SMALL_CQ, SMALL_CQ);
	fill_cq_with_nops();
	sqe = sqe_get();
	io_uring_prep_read(sqe, -1, NULL, 0, 0);
	io_uring_sqe_set_data64(sqe, CLASH_UD);
	sqe = sqe_get();
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	io_uring_sqe_set_data64(sqe, CLASH_UD);
	ret = io_uring_submit(&ring);
	if (ret < 0)
		fatal("io_uring_submit", ret);
	reap(SMALL_CQ + 2, clash_op);
}

static const char *open_op(uint64_t ud, unsigned int i)
{
	return "openat";
}

static void ud_zero(unsigned int n, const char *path)
{
	unsigned int i;
	int ret;

	setup(SMALL_CQ, SMALL_CQ);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
		io_uring_sqe_set_data64(sqe, 0);
	}
	ret = io_uring_submit(&ring);
	if (ret < 0)
		fatal("io_uring_submit", ret);
	reap(n, open_op);
}

static void futex_flood(unsigned int n, const char *path)
{
	static uint32_t word; /* stays 0: every wait for 0 sleeps */
	unsigned int i, submitted = 0;
	struct io_uring_sqe *sqe;
	int ret;

	setup(4096, 0);
	for (i = 0; i < n; i++) {
		sqe = sqe_get();
		io_uring_prep_rw(OP_FUTEX_WAIT, sqe, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, &word, 0, 0);
		sqe->addr3 = 0xffffffffu; /* FUTEX_BITSET_MATCH_ANY */
		io_uring_sqe_set_data64(sqe, 1 + i);
	}
	ret = io_uring_submit(&ring);
	if (ret < 0)
		fatal("io_uring_submit", ret);
	submitted = n;
	/* A wait that failed at once (no futex ops: before 6.7) posts a CQE. */
	if (io_uring_cq_ready(&ring)) {
		struct io_uring_cqe *cqe;

		io_uring_peek_cqe(&ring, &cqe);
		fprintf(stderr, "ua_attack: futex_wait failed: %s\n", strerror(-cqe->res));
		exit(1);
	}
	printf("waits submitted=%u\n", submitted);
	fflush(stdout);
	sqe = sqe_get();
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	io_uring_sqe_set_data64(sqe, 0x5eadULL);
	ret = io_uring_submit(&ring);
	if (ret < 0)
		fatal("io_uring_submit", ret);
	reap(1, open_op);
}

static unsigned int number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !v || v > 1000000)
		usage();
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "ud_clash"))
		ud_clash(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "ud_zero"))
		ud_zero(number(argv[2]), argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "futex_flood"))
		futex_flood(number(argv[2]), argv[3]);
	else
		usage();
	io_uring_queue_exit(&ring);
	return 0;
}
