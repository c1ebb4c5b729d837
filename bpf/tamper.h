/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract of tamper resistance (issue 13 item 4): between the tamper
 * object (bpf/tamper.bpf.c, BPF-LSM) and the daemon (src/tamper.c).
 *
 * Loaded only once the rules are locked (-e 2) and where BPF-LSM works. The
 * daemon fills `prot` with the ids of every BPF program, map and link it
 * holds (its objects, the pinned set, the tamper object itself) and names
 * its pin directory; from then on, for every process but the daemon:
 *   bpf(): *_GET_FD_BY_ID of a protected id, map writes (update, delete,
 *          freeze, batches) and link detach/update through an fd of a
 *          protected map or link                              -> -EPERM
 *   bpf_map / bpf_prog: a writable fd of a protected map, any fd of a
 *          protected program (BPF_OBJ_GET of a pin)           -> -EPERM
 *   task_kill: a signal (not 0) to the daemon from anyone but its parent
 *          (systemd, PID 1, for the service)                   -> -EPERM
 *   ptrace_access_check: PTRACE_MODE_ATTACH on the daemon (ptrace,
 *          /proc/PID/mem, process_vm_*, pidfd_getfd)           -> -EPERM
 *   inode_unlink / inode_rename / inode_rmdir / sb_umount: the pin
 *          directory's entries, the directory, its bpffs mount -> -EPERM
 * and each denial is a ua_ev_tamper event on the object's own ring buffer
 * (no sequence number: it is not part of the request stream), a
 * URING_TAMPER record.
 *
 * Same discipline as uringaudit.h: fixed widths, explicit padding, sizes
 * checked by both compilers.
 */
#ifndef UA_TAMPER_H
#define UA_TAMPER_H

#include "uringaudit.h"

/* prot's key: what kind of object, and its id. */
#define UA_TK_PROG 1
#define UA_TK_MAP 2
#define UA_TK_LINK 3
struct ua_tamper_key {
	__u32 kind;
	__u32 id;
};

/* ua_ev_tamper.what: the attempt. */
enum ua_tamper_what {
	UA_TM_PROG_BY_ID = 1,  /* BPF_PROG_GET_FD_BY_ID */
	UA_TM_MAP_BY_ID = 2,   /* BPF_MAP_GET_FD_BY_ID */
	UA_TM_LINK_BY_ID = 3,  /* BPF_LINK_GET_FD_BY_ID */
	UA_TM_MAP_WRITE = 4,   /* a map write command on an fd (cmd says which) */
	UA_TM_LINK_DETACH = 5, /* BPF_LINK_DETACH */
	UA_TM_LINK_UPDATE = 6, /* BPF_LINK_UPDATE */
	UA_TM_MAP_OPEN = 7,    /* a writable fd of a map (BPF_OBJ_GET of its pin) */
	UA_TM_PROG_OPEN = 8,   /* an fd of a program (BPF_OBJ_GET of its pin) */
	UA_TM_SIGNAL = 9,      /* kill, tgkill, pidfd_send_signal, ... (arg: the signal) */
	UA_TM_PTRACE = 10,     /* ptrace attach and its kin (arg: the PTRACE_MODE_* bits) */
	UA_TM_UNPIN = 11,      /* unlink in the pin directory (name) */
	UA_TM_RENAME = 12,     /* rename from or into the pin directory (name) */
	UA_TM_RMDIR = 13,      /* rmdir of the pin directory (name) */
	UA_TM_UMOUNT = 14,     /* umount of the bpffs holding the pin directory */
};

/* An event of the tamper object: an attempt it denied. */
struct ua_ev_tamper {
	struct ua_ev_hdr hdr; /* type UA_EV_TAMPER, seq 0 */
	__u32 what;	      /* enum ua_tamper_what */
	__s32 err;	      /* what the caller got: -EPERM */
	__u32 id;	      /* the program's, map's or link's id; 0 for the others */
	__u32 arg;	      /* bpf(): the command; signal: its number; ptrace: the mode */
	__u32 pid, tid;	      /* who tried */
	__u32 uid, euid;
	__u32 auid, ses;
	__u64 lost; /* attempts not recorded so far (the ring buffer was full) */
	char comm[16];
	char name[64]; /* unpin, rename, rmdir: the entry's name */
};

#define UA_EV_TAMPER 101

UA_STATIC_ASSERT(sizeof(struct ua_tamper_key) == 8, "ua_tamper_key layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_tamper) == 152, "ua_ev_tamper layout");

#endif /* UA_TAMPER_H */
