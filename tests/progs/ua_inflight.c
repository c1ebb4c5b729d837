// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_inflight GO_FILE: requests in flight when the daemon starts (issue 10
 * item 9), for tests/integration/t_inflight.sh.
 *
 * Before the daemon starts: a recv that completes at once (user_data 0x1e,
 * 3 bytes), then, as thread name "uainfl_hold", an accept on a listening
 * TCP socket (user_data 0xacce) and a recv on a unix stream socket
 * (user_data 0x7ec) that both wait. Prints "ready pid= port= early_res="
 * and waits for GO_FILE to exist (up to UA_TIMEOUT seconds, the suite's wait
 * for a daemon, 60 by default: under TCG a daemon's start takes minutes).
 * Then, renamed "uainfl_after"
 * (a comm= rule declines what it submits now): connects a client to the
 * port and writes 5 bytes to the unix socket, reaps both CQEs, and submits
 * another recv with the in-flight recv's user_data (0x7ec) that gets 7
 * bytes. Prints "accept_res= recv_res= recv2_res=" and exits 0; 2 on a
 * setup failure, 3 when GO_FILE did not come.
 *
 * ua_inflight GO_FILE overflow: the same, but the in-flight recv's CQE
 * overflows the CQ ring (filled with NOPs first, user_data 0x900+i), so
 * the completion tracepoint never sees it and its mark stays; the recv
 * with the same ring and user_data that follows must not take it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UD_EARLY 0x1e
#define UD_ACCEPT 0xacce
#define UD_RECV 0x7ec

static void die(const char *what, int err)
{
	fprintf(stderr, "ua_inflight: %s: %s\n", what, strerror(err));
	exit(2);
}

static struct io_uring_sqe *sqe_of(struct io_uring *r)
{
	struct io_uring_sqe *s = io_uring_get_sqe(r);

	if (!s)
		die("io_uring_get_sqe", EBUSY);
	return s;
}

/* Reap one CQE; its user_data must be one of those waited for. */
static void reap(struct io_uring *r, unsigned long long ud, int *res)
{
	struct io_uring_cqe *c;
	int rc = io_uring_wait_cqe(r, &c);

	if (rc < 0)
		die("io_uring_wait_cqe", -rc);
	if (c->user_data != ud) {
		fprintf(stderr, "ua_inflight: CQE of 0x%llx, expected 0x%llx\n",
			(unsigned long long)c->user_data, ud);
		exit(2);
	}
	*res = c->res;
	io_uring_cqe_seen(r, c);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	static char buf[64], buf2[64], ebuf[16];
	struct io_uring ring;
	int lfd, sp[2], cfd, rc, i, early, acc = 0, rcv = 0, rcv2, ovf = 0, limit;
	struct io_uring_cqe *c;
	struct io_uring_sqe *sqe;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "overflow"))) {
		fprintf(stderr, "usage: ua_inflight GO_FILE [overflow]\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("listening socket", errno);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
		die("socketpair", errno);
	rc = io_uring_queue_init(8, &ring, 0);
	if (rc < 0)
		die("io_uring_queue_init", -rc);

	/* completes before the daemon starts */
	if (write(sp[1], "abc", 3) != 3)
		die("write", errno);
	sqe = sqe_of(&ring);
	io_uring_prep_recv(sqe, sp[0], ebuf, sizeof(ebuf), 0);
	sqe->user_data = UD_EARLY;
	io_uring_submit(&ring);
	reap(&ring, UD_EARLY, &early);

	/* in flight when it starts */
	prctl(PR_SET_NAME, "uainfl_hold");
	sqe = sqe_of(&ring);
	io_uring_prep_accept(sqe, lfd, NULL, NULL, 0);
	sqe->user_data = UD_ACCEPT;
	sqe = sqe_of(&ring);
	io_uring_prep_recv(sqe, sp[0], buf, sizeof(buf), 0);
	sqe->user_data = UD_RECV;
	rc = io_uring_submit(&ring);
	if (rc != 2)
		die("io_uring_submit", rc < 0 ? -rc : EIO);
	if (io_uring_peek_cqe(&ring, &c) == 0)
		die("a waiting request completed early", EIO);
	printf("ready pid=%d port=%d early_res=%d\n", getpid(), ntohs(a.sin_port), early);
	fflush(stdout);
	limit = getenv("UA_TIMEOUT") ? atoi(getenv("UA_TIMEOUT")) : 0;
	if (limit <= 0)
		limit = 60;
	for (i = 0; access(argv[1], F_OK); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (i >= limit * 100) {
			fprintf(stderr, "ua_inflight: %s did not come in %d s\n", argv[1], limit);
			return 3;
		}
		nanosleep(&ts, NULL);
	}

	/* completed after it started */
	prctl(PR_SET_NAME, "uainfl_after");
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&a, sizeof(a)))
		die("connect", errno);
	if (argc == 3) {
		unsigned int n = ring.cq.ring_entries, k;

		reap(&ring, UD_ACCEPT, &acc);
		for (k = 0; k < n; k++) {
			sqe = io_uring_get_sqe(&ring);
			if (!sqe) {
				io_uring_submit(&ring);
				sqe = sqe_of(&ring);
			}
			io_uring_prep_nop(sqe);
			sqe->user_data = 0x900 + k;
		}
		io_uring_submit(&ring);
		if (write(sp[1], "hello", 5) != 5)
			die("write", errno);
		/* runs the recv's task work: its CQE finds the CQ full */
		io_uring_get_events(&ring);
		ovf = !!(IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_CQ_OVERFLOW);
		/* the recv's CQE now waits on the overflow list: reap the NOPs
		 * (which flushes it) and it */
		for (k = 0; k <= n; k++) {
			rc = io_uring_wait_cqe(&ring, &c);
			if (rc < 0)
				die("io_uring_wait_cqe", -rc);
			if (c->user_data == UD_RECV)
				rcv = c->res;
			io_uring_cqe_seen(&ring, c);
		}
		printf("overflowed=%d\n", ovf);
		i = 2;
	} else if (write(sp[1], "hello", 5) != 5) {
		die("write", errno);
	} else {
		i = 0;
	}
	for (; i < 2; i++) {
		rc = io_uring_wait_cqe(&ring, &c);
		if (rc < 0)
			die("io_uring_wait_cqe", -rc);
		if (c->user_data == UD_ACCEPT)
			acc = c->res;
		else if (c->user_data == UD_RECV)
			rcv = c->res;
		io_uring_cqe_seen(&ring, c);
	}

	/* the same ring and user_data, submitted after the start */
	if (write(sp[1], "goodbye", 7) != 7)
		die("write", errno);
	sqe = sqe_of(&ring);
	io_uring_prep_recv(sqe, sp[0], buf2, sizeof(buf2), 0);
	sqe->user_data = UD_RECV;
	io_uring_submit(&ring);
	reap(&ring, UD_RECV, &rcv2);
	printf("accept_res=%d recv_res=%d recv2_res=%d\n", acc, rcv, rcv2);
	return 0;
}
