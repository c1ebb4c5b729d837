// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_late: io_uring requests whose result comes after their issue handler
 * returned, each along one of the paths the kernel gives it its result,
 * for t_backend's comparison of the two backends' records:
 *
 *   poll_fire       poll_add on a pipe, then a byte written: the mask
 *   poll_remove     poll_add on an empty pipe, removed by poll_remove: -ECANCELED
 *   poll_cancel     poll_add on an empty pipe, cancelled by async_cancel: -ECANCELED
 *   poll_multi      multishot poll_add: two events, then removed (3 CQEs)
 *   timeout_fire    a 20 ms timeout: -ETIME
 *   timeout_count   a timeout completed by one CQE (a NOP): 0
 *   timeout_remove  a 10 s timeout removed by timeout_remove: -ECANCELED
 *   ltimeout_fire   poll_add on an empty pipe linked to a 20 ms link_timeout:
 *                   the link_timeout -ETIME, the poll -ECANCELED
 *   ltimeout_disarm a NOP linked to a 10 s link_timeout: the link_timeout -ECANCELED
 *
 * usage: ua_late [--comm NAME] SCENARIO...
 * Prints one line per CQE ("cqe SCENARIO ud=N res=R more=M") and exits 0
 * when every CQE came (each wait has a 5 s limit), 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static struct io_uring ring;

static struct io_uring_sqe *sqe_get(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		fprintf(stderr, "ua_late: no SQE\n");
		exit(2);
	}
	return sqe;
}

/* Wait for @n CQEs, printing each; 0 when all came. */
static int reap(const char *name, int n)
{
	struct __kernel_timespec ts = { .tv_sec = 5 };
	struct io_uring_cqe *cqe;

	io_uring_submit(&ring);
	while (n-- > 0) {
		int rc = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);

		if (rc) {
			fprintf(stderr, "ua_late: %s: a CQE did not come (%s)\n", name, strerror(-rc));
			return 1;
		}
		printf("cqe %s ud=%llu res=%d more=%d\n", name, (unsigned long long)cqe->user_data,
		       cqe->res, !!(cqe->flags & IORING_CQE_F_MORE));
		io_uring_cqe_seen(&ring, cqe);
	}
	fflush(stdout);
	return 0;
}

static void pipe_or_die(int p[2])
{
	if (pipe(p)) {
		perror("ua_late: pipe");
		exit(2);
	}
}

static void put_byte(int fd)
{
	if (write(fd, "x", 1) != 1) {
		perror("ua_late: write");
		exit(2);
	}
}

static void take_byte(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1) {
		perror("ua_late: read");
		exit(2);
	}
}

static int run(const char *name)
{
	struct __kernel_timespec t20 = { .tv_nsec = 20 * 1000 * 1000 }, t10s = { .tv_sec = 10 };
	struct io_uring_sqe *sqe;
	int p[2], rc;

	if (!strcmp(name, "poll_fire")) {
		pipe_or_die(p);
		sqe = sqe_get();
		io_uring_prep_poll_add(sqe, p[0], POLLIN);
		io_uring_sqe_set_data64(sqe, 101);
		io_uring_submit(&ring);
		put_byte(p[1]);
		rc = reap(name, 1);
	} else if (!strcmp(name, "poll_remove") || !strcmp(name, "poll_cancel")) {
		pipe_or_die(p);
		sqe = sqe_get();
		io_uring_prep_poll_add(sqe, p[0], POLLIN);
		io_uring_sqe_set_data64(sqe, 102);
		io_uring_submit(&ring);
		sqe = sqe_get();
		if (name[5] == 'r')
			io_uring_prep_poll_remove(sqe, 102);
		else
			io_uring_prep_cancel64(sqe, 102, 0);
		io_uring_sqe_set_data64(sqe, 103);
		rc = reap(name, 2);
	} else if (!strcmp(name, "poll_multi")) {
		pipe_or_die(p);
		sqe = sqe_get();
		io_uring_prep_poll_multishot(sqe, p[0], POLLIN);
		io_uring_sqe_set_data64(sqe, 104);
		io_uring_submit(&ring);
		put_byte(p[1]);
		rc = reap(name, 1);
		take_byte(p[0]);
		put_byte(p[1]);
		rc |= reap(name, 1);
		take_byte(p[0]);
		sqe = sqe_get();
		io_uring_prep_poll_remove(sqe, 104);
		io_uring_sqe_set_data64(sqe, 105);
		rc |= reap(name, 2);
	} else if (!strcmp(name, "timeout_fire")) {
		sqe = sqe_get();
		io_uring_prep_timeout(sqe, &t20, 0, 0);
		io_uring_sqe_set_data64(sqe, 111);
		rc = reap(name, 1);
		return rc;
	} else if (!strcmp(name, "timeout_count")) {
		sqe = sqe_get();
		io_uring_prep_timeout(sqe, &t10s, 1, 0);
		io_uring_sqe_set_data64(sqe, 112);
		io_uring_submit(&ring);
		sqe = sqe_get();
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 113);
		rc = reap(name, 2);
		return rc;
	} else if (!strcmp(name, "timeout_remove")) {
		sqe = sqe_get();
		io_uring_prep_timeout(sqe, &t10s, 0, 0);
		io_uring_sqe_set_data64(sqe, 114);
		io_uring_submit(&ring);
		sqe = sqe_get();
		io_uring_prep_timeout_remove(sqe, 114, 0);
		io_uring_sqe_set_data64(sqe, 115);
		rc = reap(name, 2);
		return rc;
	} else if (!strcmp(name, "ltimeout_fire")) {
		pipe_or_die(p);
		sqe = sqe_get();
		io_uring_prep_poll_add(sqe, p[0], POLLIN);
		io_uring_sqe_set_data64(sqe, 121);
		sqe->flags |= IOSQE_IO_LINK;
		sqe = sqe_get();
		io_uring_prep_link_timeout(sqe, &t20, 0);
		io_uring_sqe_set_data64(sqe, 122);
		rc = reap(name, 2);
	} else if (!strcmp(name, "ltimeout_disarm")) {
		sqe = sqe_get();
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 123);
		sqe->flags |= IOSQE_IO_LINK;
		sqe = sqe_get();
		io_uring_prep_link_timeout(sqe, &t10s, 0);
		io_uring_sqe_set_data64(sqe, 124);
		rc = reap(name, 2);
		return rc;
	} else {
		fprintf(stderr, "ua_late: unknown scenario '%s'\n", name);
		exit(2);
	}
	close(p[0]);
	close(p[1]);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1, rc = 0, err;

	if (argc > 2 && !strcmp(argv[1], "--comm")) {
		prctl(PR_SET_NAME, argv[2]);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: ua_late [--comm NAME] SCENARIO...\n");
		return 2;
	}
	err = io_uring_queue_init(16, &ring, 0);
	if (err) {
		fprintf(stderr, "ua_late: io_uring_queue_init: %s\n", strerror(-err));
		return 2;
	}
	for (; i < argc; i++)
		rc |= run(argv[i]);
	io_uring_queue_exit(&ring);
	return rc;
}
