/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract of enforcement (issue 13): between the tracepoint programs
 * (bpf/request.bpf.h decides), the enforcement object (bpf/deny.bpf.c, BPF-LSM,
 * stops) and the daemon (src/enforce.c).
 *
 * A deny rule is decided as any rule, at submit, by the tracepoint program:
 * it marks the request in deny_req (a map of the main object that the
 * enforcement object shares by fd). While io_issue_sqe() runs a marked
 * request, the enforcement object knows the task is executing it (inline,
 * SQ thread, io-wq worker alike: every issue goes through io_issue_sqe()),
 * and its LSM hooks fail whatever the request asks of the kernel's security
 * checks (open, unlink, rename, connect, bind, read and write permission,
 * uring_cmd, ...). The hook that stopped it sets UA_DM_STOPPED; the
 * completion reads and drops the mark (UA_CF_DENIED on the record).
 *
 * Policies (--deny in the rules) act in the io_uring LSM hooks themselves,
 * before any request exists: each denial is a ua_ev_denied event on the
 * enforcement object's own ring buffer (no sequence number: it is not part
 * of the request stream), a URING_DENIED record.
 *
 * Same discipline as uringaudit.h: fixed widths, explicit padding, sizes
 * checked by both compilers.
 */
#ifndef UA_DENY_H
#define UA_DENY_H

#include "uringaudit.h"

/* ua_deny_mark.flags */
#define UA_DM_STOPPED (1u << 0) /* an LSM hook failed the request */
/* Not decided yet: a deny rule waits for the destination the kernel copies as
 * it issues the request (connect, send* before 6.10). The main object's
 * hook on security_socket_connect/_sendmsg runs before the LSM's and
 * decides on that copy (dest_decide, bpf/rules.bpf.h): clears the flag
 * (deny), or sets UA_DM_PASSED beside it (the request goes on). The other
 * LSM hooks fail nothing while it is set; socket_connect and socket_sendmsg,
 * which run right after the main object's hook, fail a mark it left
 * undecided without UA_DM_PASSED: a request that hook could not find (its
 * thread not watched: the watching table full, its pending entry gone) is
 * denied, never let through undecided. */
#define UA_DM_UNDECIDED (1u << 1)
#define UA_DM_PASSED (1u << 2) /* with UNDECIDED: the destination hook let it through */

struct ua_deny_mark {
	__u64 ring_addr; /* req->ctx: a stale mark of another request is not taken */
	__u64 user_data;
	__s32 err; /* the error the hooks return: the rule's -F errno= (-EACCES by default) */
	__u32 flags;
	__u8 opcode;
	__u8 pad[7];
};

/* Policies, bits of cfg_policies and of ua_ev_denied.policy. */
#define UA_POL_SQPOLL (1u << 0)	     /* no SQPOLL rings (uring_sqpoll) */
#define UA_POL_PERSONALITY (1u << 1) /* no sqe->personality (uring_override_creds) */
#define UA_POL_UNRECORDED (1u << 2)  /* a selected request whose SUBMIT was lost is denied */

/* An event of the enforcement object: a policy denied something. */
struct ua_ev_denied {
	struct ua_ev_hdr hdr; /* type UA_EV_DENIED, seq 0 */
	__u32 policy;	      /* one UA_POL_* */
	__s32 err;
	__u32 pid, tid;
	__u32 uid, euid;
	__u32 auid, ses;
	char comm[16];
};

#define UA_EV_DENIED 100

UA_STATIC_ASSERT(sizeof(struct ua_deny_mark) == 32, "ua_deny_mark layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_denied) == 72, "ua_ev_denied layout");

#endif /* UA_DENY_H */
