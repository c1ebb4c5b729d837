/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the holders object (bpf/holders.bpf.c) and the daemon
 * (src/holders.c): who holds a SQPOLL ring besides the process that made it.
 *
 * A SQPOLL ring is driven by writing SQEs into its shared memory; the SQ
 * thread reads them with its creator's credentials and every request is
 * recorded under the creator. Any process that holds the ring's file (an fd,
 * a registered ring fd) or maps its rings can write those SQEs, so the daemon
 * lists them on demand with BPF iterators. Nothing here runs per request.
 *
 * Same discipline as uringaudit.h: fixed widths, explicit padding, sizes
 * checked by both compilers.
 */
#ifndef UA_HOLDERS_H
#define UA_HOLDERS_H

#include "uringaudit.h"

/* ua_holder.how: how a process holds the ring (one bit per iterator). */
#define UA_HOLD_FD (1u << 0)	     /* an fd of the ring's file (fd: the lowest seen) */
#define UA_HOLD_MMAP (1u << 1)	     /* a mapping of the ring's memory */
#define UA_HOLD_REGISTERED (1u << 2) /* a registered ring fd (fd: its index) */

/* One line of an iterator's output: a process holding a SQPOLL ring that
 * it did not create. */
struct ua_holder {
	__u64 ring;	       /* kernel ring address: a key for the daemon, never printed */
	__u32 creator;	       /* host tgid of the process whose SQ thread runs the ring */
	__u32 how;	       /* UA_HOLD_* (one bit per line) */
	__s32 fd;	       /* UA_HOLD_FD: the fd, else -1 */
	__s32 ring_fd;	       /* UA_HOLD_REGISTERED: the registered index, else -1 */
	struct ua_owner owner; /* the holder: pid, the thread seen, ids, comm, exe */
};

UA_STATIC_ASSERT(sizeof(struct ua_holder) == 120, "ua_holder layout");

#endif /* UA_HOLDERS_H */
