/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * URING_HOLDER: a process that holds a SQPOLL ring it did not create, so can
 * write requests that the ring's SQ thread runs under the creator's name.
 */
#ifndef UA_HOLDER_H
#define UA_HOLDER_H

#include <stdint.h>

#include "buf.h"
#include "format.h"
#include "record.h"

#define UA_TYPE_HOLDER "URING_HOLDER"

/* ua_rec_holder.how (the same bits as bpf/holders.h UA_HOLD_*) */
#define UA_REC_HOLD_FD (1u << 0)
#define UA_REC_HOLD_MMAP (1u << 1)
#define UA_REC_HOLD_REGISTERED (1u << 2)

struct ua_rec_holder {
	uint64_t time_ns;      /* when the holders were listed */
	uint64_t ring;	       /* the ring's id, as URINGOP's ring= */
	uint32_t creator;      /* host tgid of the ring's creator: the pid its records name */
	uint32_t how;	       /* UA_REC_HOLD_*, at least one */
	int32_t fd;	       /* the lowest fd of the ring (UA_REC_HOLD_FD) */
	int32_t ring_fd;       /* a registered ring fd index (UA_REC_HOLD_REGISTERED) */
	struct ua_rec_who who; /* the holder; ppid printed */
};

/*
 * Append one URING_HOLDER line: ring, creator, how (fd, mmap, registered:
 * a comma list, a string in JSON too), fd and ring_fd when held
 * that way, then the holder (pid tid ppid comm exe auid ses uid ... fsgid).
 * -EINVAL for a NULL record, no or unknown how bits, or an unknown format;
 * -ENOMEM; nothing appended on error.
 */
int ua_format_holder(struct ua_buf *out, const struct ua_rec_holder *h, enum ua_format f);

#endif /* UA_HOLDER_H */
