// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One io_uring connect at start, so the BPF programs learn where this kernel
 * keeps the address of a connect or bind (see addr_layout in the BPF
 * source): a UDP socket connected to 127.0.0.1:9. A UDP connect sends
 * nothing. Raw system calls: the daemon does not otherwise need liburing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

int ua_addr_probe(void)
{
	struct io_uring_params p;
	struct sockaddr_in sa;
	struct io_uring_sqe *sqes = MAP_FAILED;
	void *sq = MAP_FAILED;
	size_t sq_len, sqes_len;
	int ring, sock = -1, rc = -EIO;
	unsigned int *tail, *array, *mask;

	memset(&p, 0, sizeof(p));
	ring = (int)syscall(__NR_io_uring_setup, 1, &p);
	if (ring < 0)
		return -errno;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP))
		goto out;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	if (p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe) > sq_len)
		sq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		  IORING_OFF_SQ_RING);
	sqes = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		    IORING_OFF_SQES);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sq == MAP_FAILED || sqes == MAP_FAILED || sock < 0)
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(9);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_CONNECT;
	sqes[0].fd = sock;
	sqes[0].addr = (unsigned long)&sa;
	sqes[0].off = sizeof(sa);
	tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	array = (unsigned int *)((char *)sq + p.sq_off.array);
	array[*tail & *mask] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) == 1)
		rc = 0;
out:
	if (sock >= 0)
		close(sock);
	if (sqes != MAP_FAILED)
		munmap(sqes, sqes_len);
	if (sq != MAP_FAILED)
		munmap(sq, sq_len);
	close(ring);
	return rc;
}
