/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-CPU scratch buffers the tracepoint programs build events in
 * (bpf/maps.bpf.h: scratch, obj_scratch) and the object slots.
 * One definition for the BPF objects and for user space that lays out the
 * same bytes: tests/bpf/test_rule_match.c fills globals of these types
 * through its skeleton, whose size checks fail the build on any drift.
 * Only uringaudit.h's types: compiles with clang -target bpf and with the
 * host compiler alike.
 */
#ifndef UA_SCRATCH_H
#define UA_SCRATCH_H

#include "uringaudit.h"

/* Events followed by room for their variable part (names[] here is
 * ev.names[]): a flexible array member followed by storage, a GNU extension
 * that clang and gcc support (exe_buf in maps.bpf.h too). */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wgnu-variable-sized-type-not-at-end"
#endif

struct submit_buf {
	struct ua_ev_submit ev;
	char names[2 * UA_NAME_MAX];
	/* The pending state capture() builds, here rather than on its stack:
	 * 6.12's verifier counts the stack of submit_req and its callees
	 * against 512 bytes with each frame rounded up to 32 ("combined stack
	 * size of 4 calls is 528"); never sent. */
	struct ua_pending pend;
	/* The rule being evaluated waits for the file an open opens
	 * (rules.bpf.h): a flag in map memory, which the verifier does not
	 * track, where one on the stack made it explore each rule's fields
	 * twice over (submit_req went past a million instructions). */
	__u32 defer;
	/* The first candidate that denies or kills, +1, while a rule waits
	 * for the destination (capture(), ua_deny_candidate); 0 none. */
	__u32 dcand;
	__u64 ring_addr; /* req->ctx, for a deny mark (ua_deny_mark) */
};
_Static_assert(__builtin_offsetof(struct submit_buf, names) == sizeof(struct ua_ev_submit),
	       "names follow the event");

/* Objects: built here (path walked into work[] from the leaf end, then
 * copied to the front of path[]), then sent. Slots: OBJ_FILE and OBJ_NEW
 * (completion), OBJ_AUX (submit-time objects, the executable's walk). */
struct obj_buf {
	struct ua_ev_obj ev;
	char path[2 * UA_PATH_MAX];
	char work[UA_PATH_MAX + 256];
	/* never sent: the walked file's dentry and struct mount, for dir= by
	 * inode (rules.bpf.h, dir_has_inode); 0 when nothing was walked */
	__u64 leaf, mnt;
};
_Static_assert(__builtin_offsetof(struct obj_buf, path) == sizeof(struct ua_ev_obj),
	       "the path follows the event");
#define OBJ_FILE 0
#define OBJ_NEW 1
#define OBJ_AUX 2

/* Which scratch slots hold a request's objects at completion (HAVE_* bits). */
#define HAVE_FILE (1u << OBJ_FILE)
#define HAVE_NEW (1u << OBJ_NEW)
#define HAVE_REPLACED (1u << 2)

#endif /* UA_SCRATCH_H */
