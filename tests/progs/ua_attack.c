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
 *                        futex word nobody wakes), then, once a line (or EOF)
 *                        is read from stdin, an openat of PATH, then exit
 *                        (the ring's teardown cancels the waits)
 *   accept_flood N       N accepts on a listening loopback socket nobody
 *                        connects to: they stay pending until stdin reaches
 *                        EOF, then the process exits (teardown cancels them)
 *   bad_fd_read FD       a read of FD (not open: -EBADF), then a link whose
 *                        head (an open of a missing file) fails, so that the
 *                        linked read of fd 0 is cancelled (-ECANCELED)
 *   accept_one           one accept on a listening loopback socket (prints
 *                        "port="), reaped when a connection comes
 *   skip_reuse SKIP OTHER  an openat of SKIP with IOSQE_CQE_SKIP_SUCCESS,
 *                        then in a call of its own an openat of OTHER (it
 *                        takes the slot the first freed), then a NOP
 *   read_overflow PATH [async]  open PATH (a system call), fill an 8-entry
 *                        CQ with NOPs, then read 64 bytes of it (with "async",
 *                        IOSQE_ASYNC: an io-wq worker runs and completes it):
 *                        the read's CQE overflows; "overflowed=1" once the
 *                        kernel says so (waited for up to 10 s: a read the
 *                        kernel punts to io-wq completes after the submit)
 *   thread_auid PATH AUID  a second thread sets its own loginuid to AUID
 *                        (the leader's stays as it is) and opens PATH
 *   rings N              set up and tear down N rings, one after the other,
 *                        each making one NOP: a freed ring's memory is the
 *                        next ring's
 *
 * Output lines (key=value, no caller-supplied strings): "pid= uid=", then
 * "req op= user_data= res=" per request whose result user space saw, and
 * for futex_flood "waits submitted=N" before the open, for accept_flood
 * "accepts submitted=N", for thread_auid "thread tid= auid=", for rings
 * "ring n=" per ring.
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
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "futex2.h"
#include "optable.h"

#define CLASH_UD 0x5ec
#define SMALL_CQ 8


static struct io_uring ring;

static void fatal(const char *what, int err)
{
	fprintf(stderr, "ua_attack: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: ua_attack ud_clash PATH | ud_zero N PATH | futex_flood N PATH |\n"
			"                 accept_flood N | accept_one | bad_fd_read FD | skip_reuse SKIP OTHER |\n"
			"                 read_overflow PATH [async] |\n"
			"                 thread_auid PATH AUID | rings N\n");
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

/* Floods pace themselves between full SQ rings, as an attacker who wants
 * every request to reach the kernel's tables (not the ring buffer's drop
 * counter) would. */
static unsigned int pace_us;

static struct io_uring_sqe *sqe_get(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		int ret = io_uring_submit(&ring);

		if (ret < 0)
			fatal("io_uring_submit", ret);
		if (pace_us)
			usleep(pace_us);
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

/* Wait for a line on stdin, or its end: the test's go-ahead. */
static void hold_line(void)
{
	char line[16];

	if (!fgets(line, sizeof(line), stdin))
		return;
}

static void hold_eof(void)
{
	char buf[64];

	while (read(0, buf, sizeof(buf)) > 0)
		;
}

static void submit_all(void)
{
	int ret = io_uring_submit(&ring);

	if (ret < 0)
		fatal("io_uring_submit", ret);
}

static void accept_flood(unsigned int n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned int i;
	int s;

	setup(1024, 0);
	pace_us = 30000;
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16))
		fatal("listening socket", errno);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_accept(sqe, s, NULL, NULL, 0);
		io_uring_sqe_set_data64(sqe, 1 + i);
	}
	submit_all();
	if (io_uring_cq_ready(&ring))
		fatal("an accept completed", EINVAL);
	printf("accepts submitted=%u\n", n);
	hold_eof();
}

static const char *bad_read_op(uint64_t ud, unsigned int i)
{
	return ud == 2 ? "openat" : "read";
}

static void bad_fd_read(unsigned int fd)
{
	static char buf[16];
	struct io_uring_sqe *sqe;

	setup(8, 0);
	sqe = sqe_get();
	io_uring_prep_read(sqe, (int)fd, buf, sizeof(buf), 0);
	io_uring_sqe_set_data64(sqe, 1);
	sqe = sqe_get();
	io_uring_prep_openat(sqe, AT_FDCWD, "/nonexistent-uringaudit", O_RDONLY, 0);
	io_uring_sqe_set_data64(sqe, 2);
	sqe->flags |= IOSQE_IO_LINK;
	sqe = sqe_get();
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	io_uring_sqe_set_data64(sqe, 3);
	submit_all();
	reap(3, bad_read_op);
}

static const char *accept_op(uint64_t ud, unsigned int i)
{
	return "accept";
}

static void accept_one(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct io_uring_sqe *sqe;
	int s;

	setup(8, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&sa, &len))
		fatal("listening socket", errno);
	sqe = sqe_get();
	io_uring_prep_accept(sqe, s, NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, 0xacc);
	submit_all();
	printf("port=%u\n", ntohs(sa.sin_port));
	reap(1, accept_op);
}

static const char *skip_op(uint64_t ud, unsigned int i)
{
	return ud == 2 ? "nop" : "openat";
}

static void skip_reuse(const char *skip, const char *other)
{
	struct io_uring_sqe *sqe;

	setup(8, 0);
	sqe = sqe_get();
	io_uring_prep_openat(sqe, AT_FDCWD, skip, O_RDONLY, 0);
	io_uring_sqe_set_data64(sqe, 1);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	submit_all();
	/* A failed skipped open posts its CQE: say so, it is not the attack. */
	if (io_uring_cq_ready(&ring))
		fatal("the skipped open failed", EINVAL);
	/* Submitted alone, so that it takes the slot the first one freed. */
	sqe = sqe_get();
	io_uring_prep_openat(sqe, AT_FDCWD, other, O_RDONLY, 0);
	io_uring_sqe_set_data64(sqe, 3);
	submit_all();
	reap(1, skip_op);
	/* A marker the test waits for: records come in order. */
	sqe = sqe_get();
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 2);
	submit_all();
	reap(1, skip_op);
}

static const char *read_op(uint64_t ud, unsigned int i)
{
	return ud == 0x4ead ? "read" : "nop";
}

static void read_overflow(const char *path, int async)
{
	static char buf[64];
	struct io_uring_sqe *sqe;
	unsigned int waited;
	int fd;

	setup(SMALL_CQ, SMALL_CQ);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fatal(path, errno);
	printf("fd=%d\n", fd);
	fill_cq_with_nops();
	sqe = sqe_get();
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	io_uring_sqe_set_data64(sqe, 0x4ead);
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	submit_all();
	/* Did its CQE go to the overflow list? (The kernel says so in the SQ
	 * ring's flags until the list is flushed.) A read completed inline has
	 * by now; one the kernel punted to io-wq (IOSQE_ASYNC, or a file
	 * without nowait reads, as 6.1's tmpfs) completes in the worker:
	 * waited for, nothing here flushes the list meanwhile. */
	for (waited = 0; waited < 10000; waited++) {
		if (IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_CQ_OVERFLOW)
			break;
		usleep(1000);
	}
	printf("overflowed=%d\n", !!(IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_CQ_OVERFLOW));
	reap(SMALL_CQ + 1, read_op);
}

struct auid_arg {
	const char *path;
	unsigned int auid;
};

static void *auid_thread(void *varg)
{
	struct auid_arg *a = varg;
	struct io_uring_sqe *sqe;
	char v[16];
	int fd, len;

	fd = open("/proc/thread-self/loginuid", O_WRONLY);
	len = snprintf(v, sizeof(v), "%u", a->auid);
	if (fd < 0 || write(fd, v, (size_t)len) != len)
		fatal("setting this thread's loginuid", errno);
	close(fd);
	printf("thread tid=%ld auid=%u\n", (long)syscall(SYS_gettid), a->auid);
	sqe = sqe_get();
	io_uring_prep_openat(sqe, AT_FDCWD, a->path, O_RDONLY, 0);
	io_uring_sqe_set_data64(sqe, 0xa01d);
	submit_all();
	reap(1, open_op);
	return NULL;
}

static void thread_auid(const char *path, unsigned int auid)
{
	struct auid_arg a = { .path = path, .auid = auid };
	pthread_t t;

	setup(8, 0);
	if (pthread_create(&t, NULL, auid_thread, &a))
		fatal("pthread_create", EAGAIN);
	pthread_join(t, NULL);
}

static void rings(unsigned int n)
{
	unsigned int i;

	printf("pid=%d uid=%u\n", getpid(), getuid());
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int ret = io_uring_queue_init(4, &ring, 0);

		if (ret < 0)
			fatal("io_uring_queue_init", ret);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_nop(sqe);
		submit_all();
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret < 0)
			fatal("io_uring_wait_cqe", ret);
		io_uring_cqe_seen(&ring, cqe);
		printf("ring n=%u fd=%d\n", i, ring.ring_fd);
		io_uring_queue_exit(&ring);
		/* The kernel frees a ring from a work item: give it the time
		 * to, so that the next ring may take its memory. */
		usleep(2000);
	}
	exit(0);
}

static void futex_flood(unsigned int n, const char *path)
{
	static uint32_t word; /* stays 0: every wait for 0 sleeps */
	unsigned int i, submitted = 0;
	struct io_uring_sqe *sqe;
	int ret;

	setup(4096, 0);
	pace_us = 30000;
	for (i = 0; i < n; i++) {
		sqe = sqe_get();
		io_uring_prep_rw(UA_OP_FUTEX_WAIT, sqe, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, &word, 0, 0);
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
	hold_line();
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
	else if (argc == 3 && !strcmp(argv[1], "accept_flood"))
		accept_flood(number(argv[2]));
	else if (argc == 3 && !strcmp(argv[1], "bad_fd_read"))
		bad_fd_read(number(argv[2]));
	else if (argc == 2 && !strcmp(argv[1], "accept_one"))
		accept_one();
	else if (argc == 4 && !strcmp(argv[1], "skip_reuse"))
		skip_reuse(argv[2], argv[3]);
	else if (argc == 3 && !strcmp(argv[1], "read_overflow"))
		read_overflow(argv[2], 0);
	else if (argc == 4 && !strcmp(argv[1], "read_overflow") && !strcmp(argv[3], "async"))
		read_overflow(argv[2], 1);
	else if (argc == 4 && !strcmp(argv[1], "thread_auid"))
		thread_auid(argv[2], number(argv[3]));
	else if (argc == 3 && !strcmp(argv[1], "rings"))
		rings(number(argv[2]));
	else
		usage();
	io_uring_queue_exit(&ring);
	return 0;
}
