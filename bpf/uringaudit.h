/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the BPF programs and user space.
 *
 * Everything that crosses the ring buffer or a map is declared here, with
 * fixed-width types, explicit padding and no pointers (kernel addresses travel
 * as __u64 and are never dereferenced in user space). Both compilers check the
 * layout with the static assertions at the bottom. Enum values are never
 * reused: a new event or flag takes a new number.
 */
#ifndef URINGAUDIT_H
#define URINGAUDIT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "ua_abi.h"

#define UA_COMM_LEN 16
/* PATH_MAX includes the terminating NUL, so a kernel-copied name always fits. */
#define UA_NAME_MAX 4096
#define UA_OPMASK_WORDS 4 /* 256 opcodes */

/* Ring buffer event types. */
enum ua_event_type {
	UA_EV_SUBMIT = 1,      /* a selected request was submitted (or failed at init) */
	UA_EV_COMPLETE = 2,    /* its final CQE was posted (or it overflowed) */
	UA_EV_RING_CREATE = 3, /* io_uring_setup created a ring */
	UA_EV_REGISTER = 4,    /* io_uring_register on a ring */
	UA_EV_EXE = 5,	       /* first request of a process: its executable's path */
	UA_EV_OBJ = 6,	       /* an object a selected request touched (struct ua_ev_obj) */
	/* a ring was freed (struct ua_ev_ring, its ring alone; per-op backend) */
	UA_EV_RING_TEARDOWN = 7,
};

/* Where the request was (or will be) issued. */
enum ua_exec_ctx {
	UA_CTX_TASK = 0,   /* inline, in the submitting task */
	UA_CTX_SQPOLL = 1, /* in the ring's SQ thread */
	UA_CTX_IOWQ = 2,   /* punted to an io-wq worker */
};

/* Whose credentials the request runs with. */
enum ua_cred_src {
	UA_CRED_TASK = 0,
	UA_CRED_PERSONALITY = 1, /* req->creds from sqe->personality */
	UA_CRED_SQPOLL = 2,	 /* the SQ thread's creds, captured at setup */
};

/* ua_ev_submit.flags */
#define UA_SF_CQE_SKIP (1u << 0)    /* IOSQE_CQE_SKIP_SUCCESS */
#define UA_SF_FORCE_ASYNC (1u << 1) /* IOSQE_ASYNC */
#define UA_SF_LINK (1u << 2)	    /* IOSQE_IO_LINK / HARDLINK */
#define UA_SF_FIXED_FILE (1u << 3)  /* IOSQE_FIXED_FILE */
#define UA_SF_INIT_FAILED (1u << 4) /* failed before issue: no objects captured */
#define UA_SF_NAME_TRUNC (1u << 5)  /* name did not fit (never expected) */
#define UA_SF_NAME2_TRUNC (1u << 6)
#define UA_SF_HAS_NAME (1u << 7)
#define UA_SF_HAS_NAME2 (1u << 8)
#define UA_SF_NAME_FAULT (1u << 9) /* reading the kernel copy of the name failed */
#define UA_SF_HAS_PERSONALITY (1u << 10)
#define UA_SF_TENTATIVE (1u << 11)  /* decided at completion (COMPLETE.rule) */
#define UA_SF_HAS_ADDR (1u << 12)   /* addr holds a socket address (connect, bind, send*) */
#define UA_SF_NAME2_ATTR (1u << 13) /* name2 is an xattr name, not a path */
/* Not kept pending: recorded at submit with its result unknown (cqe=untracked). Alone: its op's
 * completion says nothing worth a table entry (futex_wait, waitid: ops that wait); with _QUOTA:
 * its uid holds cfg_pending_per_uid pending requests; with _FULL: the pending table is full. */
#define UA_SF_UNTRACKED (1u << 14)
#define UA_SF_UNTRACKED_QUOTA (1u << 15)
#define UA_SF_UNTRACKED_FULL (1u << 16)
#define UA_SF_VIA_SQPOLL (1u << 17) /* submitted by the SQ thread (it may still run in io-wq) */
/* The socket address was read from the submitter's memory at submit, the
 * kernel having no copy yet (Linux before 6.10: connect, send*): what the
 * kernel copies later may differ if another thread rewrote it. With _FAULT:
 * that memory could not be read, so no address. */
#define UA_SF_ADDR_USER (1u << 18)
/* The programs' addr_layout once a connect showed no kernel copy at submit:
 * the kernel copies connect and send* addresses at issue (before 6.10). */
#define UA_ADDR_LAYOUT_AT_ISSUE 3
#define UA_SF_ADDR_FAULT (1u << 19)
/* Submitted before the daemon's programs were attached and found waiting by
 * the walk at start (bpf/inflight.bpf.h): built at its completion from what
 * the walk kept, so no names, sqe fd, address or submit context. */
#define UA_SF_INFLIGHT (1u << 20)
/* A kill rule decided at submit: SIGKILL sent to the submitting process, or
 * not sent (the helper refused: the daemon itself, init, an exiting task). */
#define UA_SF_KILLED (1u << 24)
#define UA_SF_KILL_MISSED (1u << 25)

/* ua_ev_complete.flags */
#define UA_CF_PUNTED (1u << 0)	 /* went through io_uring_queue_async_work */
#define UA_CF_OVERFLOW (1u << 1) /* the CQE overflowed the CQ ring */
#define UA_CF_UNSEEN (1u << 2)	 /* no CQE seen: its request slot was reused, so it ended */
/* renameat, where the rename hooks load (src/loader.c): its issue was watched
 * (io_renameat), and the kernel's rename check found a file at the new name,
 * sent as a UA_ROLE_REPLACED object. */
#define UA_CF_RENAME_WATCHED (1u << 3)
#define UA_CF_RENAME_TARGET (1u << 4)
/* connect, send*, where the destination hooks run (addr_hooked): a rule's
 * family=/addr=/port= waits for the address the kernel copies at issue (kept
 * in dest_addrs), decided at the hook and at completion. */
#define UA_CF_ADDR_DEFER (1u << 5)
/* A kill rule decided at completion: SIGKILL sent, or not sent (the CQE was
 * posted by a task outside the submitting process, or the helper refused). */
#define UA_CF_KILLED (1u << 24)
#define UA_CF_KILL_MISSED (1u << 25)
/* A deny rule's request that an LSM hook of the enforcement object failed
 * (bpf/deny.h). */
#define UA_CF_DENIED (1u << 26)
#define UA_CF_MSHOT_COUNTED (1u << 31) /* kernel-internal: counted in mshot_accepts */

struct ua_ev_hdr {
	__u32 type;  /* enum ua_event_type */
	__u32 size;  /* bytes of this event, header included */
	__u64 seq;   /* global, taken before the reserve: a gap is a loss */
	__u64 ktime; /* bpf_ktime_get_boot_ns() */
};

struct ua_ids {
	__u32 uid, gid, euid, suid, fsuid, egid, sgid, fsgid;
};

/* A socket address as the kernel copied it: raw struct sockaddr bytes
 * (family first), len of them valid. */
#define UA_ADDR_MAX 128
struct ua_addr {
	__u16 len;
	__u16 pad[3];
	__u8 raw[UA_ADDR_MAX];
};

struct ua_ev_submit {
	struct ua_ev_hdr hdr;
	__u64 req;	 /* kernel identity of the request (join key with seq) */
	__u64 ring;	 /* kernel identity of the ring (struct io_ring_ctx) */
	__u64 user_data; /* as submitted: informational only, never a join key */
	__u64 cgroup_id;
	__u64 start_time; /* group leader start_boottime (ns): process identity */
	__u64 exe_ino;
	__u64 eff_cred; /* kernel identity of the effective creds (names a personality) */
	__u32 exe_dev;
	__u32 pid; /* host tgid of the ring owner */
	__u32 tid; /* host tid of the submitting thread (the SQ thread for sqpoll) */
	__u32 ppid;
	__u32 auid; /* loginuid, (u32)-1 when unset */
	__u32 ses;
	struct ua_ids task; /* the task's own credentials */
	struct ua_ids eff;  /* the credentials the request runs with */
	__u32 flags;	    /* UA_SF_* */
	__u32 ring_flags;   /* IORING_SETUP_* of the ring */
	__u8 opcode;
	__u8 exec_ctx;	   /* enum ua_exec_ctx */
	__u8 cred_src;	   /* enum ua_cred_src */
	__u8 bank;	   /* rule bank that decided */
	__s32 init_err;	   /* error from io_uring_req_failed, 0 otherwise */
	__u16 personality; /* sqe->personality when known */
	__u16 name_len;	   /* bytes of names[] used by the first name, NUL excluded */
	__u16 name2_len;   /* bytes of the second name, it follows the first */
	__s16 rule;	   /* deciding rule; if TENTATIVE, the fallback (-1: none) */
	__s32 dfd;
	__s32 dfd2;
	__u32 op_flags; /* open flags, unlink/rename/link flags */
	__u32 mode;
	__u64 resolve;	 /* openat2 RESOLVE_* */
	__s32 fd;	 /* sqe->fd of ops on a file (a slot with FIXED_FILE); close: fd; else -1 */
	__u32 file_slot; /* fixed slot (openat/close into slots), 0 = none */
	__u32 mnt_ns;	 /* the submitter's mount namespace (inode number): the root its
			  * paths are walked to */
	__u32 pad_ns;
	/* Per-op arguments (see docs/records.md, "Objects"):
	 * socket: domain, type, protocol; listen: backlog; shutdown: how;
	 * msg_ring: cmd, len, src slot, dst slot; uring_cmd: cmd_op, level,
	 * optname; statx: mask; xattr: size; ftruncate: length;
	 * fallocate: offset, length, mode. */
	__u64 arg[4];
	struct ua_addr addr; /* UA_SF_HAS_ADDR */
	char comm[UA_COMM_LEN];
	char names[]; /* name (name_len bytes) then name2 (name2_len) */
};

struct ua_ev_complete {
	struct ua_ev_hdr hdr;
	__u64 req;
	__u64 submit_seq; /* seq of the UA_EV_SUBMIT this completes */
	__u64 ring;
	__s32 res;    /* the CQE result the application sees */
	__u32 cflags; /* CQE flags */
	__u32 flags;  /* UA_CF_* */
	__u32 cqes;   /* CQEs the request posted (multishot), final one included */
	__s32 rule;   /* the deciding rule; -1: no rule records it (drop the submit) */
	__u32 bank;   /* rule bank of the request */
};

/* Object kinds and roles (ua_ev_obj). */
enum ua_obj_kind {
	UA_OBJ_FILE = 1, /* a file: dev, ino, mode, owner, path */
	UA_OBJ_SOCK = 2, /* a socket: family, type, protocol, local and peer address */
	UA_OBJ_RING = 3, /* an io_uring instance: ring is its identity */
};

enum ua_obj_role {
	UA_ROLE_FILE = 1,   /* the file the request worked on (req->file) */
	UA_ROLE_NEW = 2,    /* what it created: opened file, accepted or new socket */
	UA_ROLE_DIR = 3,    /* the directory its dfd names (looked up at submit) */
	UA_ROLE_CLOSED = 4, /* the file close is closing (looked up at submit) */
	UA_ROLE_SRC = 5,    /* msg_ring: the fixed file sent to the target ring */
	/* renameat: the file the new name named as the rename went ahead (replaced, or with
	 * RENAME_EXCHANGE moved to the old name); read in security_path_rename() */
	UA_ROLE_REPLACED = 6,
	/* connect, send*: the destination as the kernel copied it when it issued the request
	 * (peer; len 0: none), read in security_socket_connect()/_sendmsg() where the kernel
	 * copies it at issue (before 6.10); the last one sent is the one it used */
	UA_ROLE_DEST = 7,
};

/* ua_ev_obj.flags */
#define UA_OF_DELETED (1u << 0)	    /* the dentry was unlinked */
#define UA_OF_TRUNC (1u << 1)	    /* path longer than UA_PATH_MAX: its tail (leaf side) kept */
#define UA_OF_LEN_UNKNOWN (1u << 2) /* deeper than the walk: full_len is a lower bound */
#define UA_OF_PSEUDO (1u << 3)	    /* not reachable from a mount (pipe, socket, anon inode) */
#define UA_OF_UNRESOLVED (1u << 4)  /* the fd/slot named nothing we could read */
#define UA_OF_MORE (1u << 5)	    /* multishot: a CQE with IORING_CQE_F_MORE */

#define UA_PATH_MAX 4096   /* bytes of an object path kept */
#define UA_PATH_DEPTH 2048 /* components walked (copied or only counted) */

/*
 * An object a selected request touched, sent after its SUBMIT (roles DIR,
 * CLOSED) or before its COMPLETE (FILE, NEW, SRC), joined by submit_seq.
 * A multishot request sends a NEW object for each intermediate CQE
 * (UA_OF_MORE, res and cqe_index say which).
 */
struct ua_ev_obj {
	struct ua_ev_hdr hdr;
	__u64 submit_seq;
	__u64 req;
	__u64 ino;
	__u64 ring;	/* UA_OBJ_RING: the ring's identity */
	__u32 dev;	/* s_dev, kernel encoding (major << 20 | minor) */
	__u32 rdev;	/* i_rdev of device files */
	__u32 mode;	/* i_mode */
	__u32 uid, gid; /* inode owner, initial user namespace */
	__u32 flags;	/* UA_OF_* */
	__u16 role;	/* enum ua_obj_role */
	__u16 kind;	/* enum ua_obj_kind */
	__u16 path_len; /* bytes of path[], no NUL */
	__u16 sock_type;
	__u32 full_len; /* length of the whole path */
	__s32 res;	/* multishot: this CQE's result */
	__u32 cqe_index;
	__u16 sock_proto;
	__u16 pad;
	struct ua_addr local, peer; /* UA_OBJ_SOCK */
	char path[];		    /* "/a/b", from the mount namespace root */
};

/* The process behind a ring-level event (setup, register): the current task,
 * filled by one BPF function (owner_fill). No padding inside. */
struct ua_owner {
	__u64 start_time; /* group leader start_boottime (ns): process identity */
	__u64 exe_ino;	  /* the executable (its path: a UA_EV_EXE sent before) */
	__u32 exe_dev;
	__u32 pid;  /* host tgid */
	__u32 tid;  /* host tid */
	__u32 ppid; /* host tgid of the real parent (not in ring-level records yet) */
	__u32 auid; /* loginuid, (u32)-1 when unset */
	__u32 ses;
	struct ua_ids ids; /* the task's credentials */
	char comm[UA_COMM_LEN];
	__u32 mnt_ns; /* its mount namespace (inode number): the exe path is walked in it */
	__u32 pad;
};

struct ua_ev_ring {
	struct ua_ev_hdr hdr;
	__u64 ring;
	__s32 fd;
	__u32 sq_entries, cq_entries, flags;
	__u32 sq_thread_cpu;  /* SQPOLL with IORING_SETUP_SQ_AFF, else (u32)-1 */
	__u32 sq_thread_idle; /* SQPOLL: ms */
	struct ua_owner owner;
};

struct ua_ev_register {
	struct ua_ev_hdr hdr;
	__u64 ring;
	__u64 cred; /* kernel identity of the registering task's creds */
	__s64 ret;
	__u32 opcode;
	__u32 nr_files, nr_bufs;
	/* IORING_REGISTER_RESTRICTIONS: the ring's restrictions afterwards */
	__u8 restr_sqe_flags_allowed, restr_sqe_flags_required, restr_registered;
	__u8 pad;
	__u64 restr_register_op;
	__u64 restr_sqe_op[4]; /* allowed opcodes, 256 bits */
	struct ua_owner owner; /* ids: the registering task's creds (a personality's creds) */
};

/* The executable of a process, sent once per (pid, start, inode) before its
 * first SUBMIT, so short-lived processes are named even when /proc is gone by
 * the time user space reads. The path is walked in the kernel from
 * mm->exe_file up to the root of the process's mount namespace, as object
 * paths are (ua_ev_obj). */
struct ua_ev_exe {
	struct ua_ev_hdr hdr;
	__u64 start_time;
	__u64 exe_ino;
	__u32 exe_dev;
	__u32 pid;
	__u16 len;	 /* bytes of path[] */
	__u16 truncated; /* longer than UA_PATH_MAX: path[] holds its leaf side */
	__u32 pad;
	char path[];
};

/* pers map: a registered personality, from io_uring_register. */
struct ua_pers_key {
	__u64 ring;
	__u64 cred;
};

/* exe_seen map key */
struct ua_exe_key {
	__u64 start_time;
	__u64 exe_ino;
	__u32 pid;
	__u32 pad;
};

/*
 * Rules, compiled for the kernel. Two banks of UA_KRULES_MAX rules each in the
 * "rules" array map (bank b holds entries b * UA_KRULES_MAX ...); user space
 * fills the idle bank, then flips the global rules_bank with one store, so a
 * request sees either the old set or the new one, never a mix. Field ids,
 * comparisons and actions are the enums of ua_abi.h.
 */
#define UA_KRULES_MAX 256
#define UA_KFIELDS_MAX 64
#define UA_KSTR_MAX 256	  /* bytes of a comm/dir/path value */
#define UA_KSTRS_MAX 1024 /* string values per bank */

struct ua_kfield {
	__u8 field;    /* enum ua_field_id */
	__u8 cmp;      /* enum ua_cmp */
	__u16 str_len; /* comm/dir/path: bytes of the string */
	__u32 str_idx; /* its entry in "rstrs" (bank offset included) */
	__u64 val;     /* number; exe: inode; cgroup: id */
	__u64 val2;    /* exe: device; cgroup: ancestor level, or (u64)-1 for an exact id */
};

/* ua_krule.flags */
#define UA_KR_COMPLETION (1u << 0) /* has fields known only at completion */

struct ua_krule {
	__u64 opmask[4];
	__u32 action; /* enum ua_action */
	__u32 nfields;
	__u32 flags;
	__u32 err; /* deny, kill: the stopped request's errno (positive); 0: EACCES */
	struct ua_kfield f[UA_KFIELDS_MAX];
};

struct ua_kstr {
	char s[UA_KSTR_MAX];
};

/* pending map: kernel identity of a selected, not yet completed request. */
struct ua_pending {
	__u64 submit_seq;
	__u64 ring;
	__u32 flags; /* UA_CF_* */
	__u32 cqes;
	__s16 rule; /* rule that decides if no candidate matches; -1: none */
	__u8 bank;  /* rule bank the request was evaluated against */
	__u8 pad;
	__s16 rule_unknown; /* the rule that records it when its result stays unknown: the
			     * first recording candidate, else rule; -1: none */
	__u16 pad1;
	__u64 cand[4]; /* rules whose submit-time fields matched and that have
			* completion-time fields, decided at completion */
	/* what completion-time fields test, kept from submit */
	__u8 exec_ctx;
	__u8 opcode;
	__u8 pad2[2];
	__u32 tgid;	 /* submitting process: fds are looked up only in its table */
	__u32 file_slot; /* the open/accept/socket fixed slot (+1), 0 none */
	__u32 uid;	 /* submitter's uid (pend_uid counts per uid) */
	__u64 user_data; /* its byud key, with ring */
	__u64 defer[4];	 /* candidates whose path=/dir= the name did not spell: an
			  * open's, decided by the file it opened */
};

/* forget_req (SEC("syscall")): the daemon concluded a request without its CQE (its
 * process is gone): drop the kernel's entry, if it is still that request's. */
struct ua_forget_ctx {
	__u64 req;
	__u64 submit_seq;
	__s32 ret; /* out: 1 forgotten, 0 not there (or another request's now) */
	__u32 pad;
};

/* (ring, user_data) -> request, to attribute io_uring_cqe_overflow, which
 * carries no request pointer. */
struct ua_ud_key {
	__u64 ring;
	__u64 user_data;
};

/* Per-CPU counters (array map "counters", one slot per index). */
enum ua_counter {
	UA_CNT_SELECTED = 0, /* requests that passed the opcode gate at submit */
	UA_CNT_EMITTED = 1,  /* events written to the ring buffer */
	UA_CNT_DROPPED = 2,  /* events lost: ring buffer reserve failed, or a flow over budget */
	UA_CNT_PENDING_FULL = 3,       /* pending insert failed */
	UA_CNT_OVERFLOW = 4,	       /* selected requests whose CQE overflowed */
	UA_CNT_WAKE = 5,	       /* events since the last forced wake-up (not a statistic) */
	UA_CNT_UNTRACKED = 6,	       /* selected requests recorded at submit, not kept pending */
	UA_CNT_UNSEEN = 7,	       /* pending requests ended unseen: their slot was reused */
	UA_CNT_OVERFLOW_UNMATCHED = 8, /* overflowed CQEs no pending request was found for */
	UA_CNT_DROP_UNATTRIBUTED =
		9, /* ringbuf_full drops the drops map had no room to attribute */
	UA_CNT_PRESSURE_TICK =
		10, /* events since the last look at the ring's fill (not a statistic) */
	UA_CNT_PRESSURE =
		11, /* at that look the ring buffer was over cfg_pressure_bytes (1), cfg_reserve_bytes (2) */
	UA_CNT_BUDGET = 12, /* requests not recorded: their flow, process or uid was over budget */
	UA_CNT_BUDGET_UNATTRIBUTED = 13, /* of those, the ones the drops map had no room for */
	UA_CNT_NR = 14,
};

/* Why an event was dropped (ua_drop_key.reason). */
enum ua_drop_reason {
	UA_DROP_RINGBUF_FULL = 0, /* the ring buffer reserve failed */
	UA_DROP_BUDGET =
		1, /* the ring buffer was filling and the flow, its process or its uid was over budget */
};

/* A flow: the requests of one process with one opcode and one object (the
 * hash of its name, fd and first argument). Under pressure each flow may
 * put cfg_flow_budget requests in the ring buffer per cfg_flow_period_ns. */
struct ua_flow_key {
	__u32 tgid;
	__u32 op;
	__u64 obj;
};

struct ua_flow_val {
	__u64 period;  /* the period its counts are of (ktime / cfg_flow_period_ns) */
	__u32 n;       /* requests admitted in it */
	__u32 reserve; /* of those, on the process's reserve (budget_proc only) */
};

/* Above the flows, the same count per process (tgid, map budget_proc) and
 * per uid (budget_uid): what each was admitted this period under pressure
 * (struct ua_flow_val). A flow is one of a process's requests, a process one
 * of a uid's: however a flood is spread over objects, threads or processes
 * of one user, it stays within its uid's share. */
#define UA_BUDGET_PROCS 16384 /* processes counted at once (LRU) */
#define UA_BUDGET_UIDS 4096   /* uids counted at once (LRU) */

/*
 * Drop accounting (per-CPU hash "drops"): every dropped event counts once
 * here, under its submitter, and once in UA_CNT_DROPPED. A submitter that
 * finds the map full is counted in UA_CNT_DROP_UNATTRIBUTED instead.
 */
struct ua_drop_key {
	__u32 tgid;  /* the submitting process (the ring owner for ring-level events) */
	__u32 uid;   /* its uid */
	__u8 op;     /* the request's opcode; UA_DROP_OP_RING for ring-level events */
	__u8 reason; /* enum ua_drop_reason */
	__u8 pad[2];
};
#define UA_DROP_OP_RING 0xff /* io_uring_setup / io_uring_register events */
#define UA_DROPS_MAX 1024    /* submitters the map holds at once */

struct ua_drop_val {
	__u64 n;		/* events dropped on this CPU */
	char comm[UA_COMM_LEN]; /* the submitter's comm, when it was current at the first drop */
};

/* A request in flight at start, as the walk found it (bpf/inflight.bpf.h):
 * the `inflight` map's value, keyed by the request's pointer. The daemon
 * reads its opcode (on the per-op backend, marks of an op no rule selects
 * any more are dropped: src/loader.c, inflight_drop). */
struct ua_inflight {
	__u64 ring; /* struct io_ring_ctx * */
	__u64 user_data;
	__u64 start_time;
	__u64 exe_ino;
	__u64 cgroup_id;
	__u32 exe_dev;
	__u32 pid, tid, ppid;
	__u32 auid, ses, mnt_ns;
	__u32 cqes; /* multishot CQEs seen so far */
	struct ua_ids task;
	struct ua_ids eff;
	__u8 opcode;
	__u8 cred_src;
	__u8 pad[6];
	char comm[UA_COMM_LEN];
};

#define UA_INFLIGHT_MAX 16384

#define UA_SUBMIT_FIXED_SIZE (sizeof(struct ua_ev_submit))

#ifdef __cplusplus
#define UA_STATIC_ASSERT static_assert
#else
#define UA_STATIC_ASSERT _Static_assert
#endif
UA_STATIC_ASSERT(sizeof(struct ua_ev_hdr) == 24, "ua_ev_hdr layout");
UA_STATIC_ASSERT(sizeof(struct ua_ids) == 32, "ua_ids layout");
UA_STATIC_ASSERT(sizeof(struct ua_addr) == 136, "ua_addr layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_submit) == 416, "ua_ev_submit layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_obj) == 376, "ua_ev_obj layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_complete) == 72, "ua_ev_complete layout");
UA_STATIC_ASSERT(sizeof(struct ua_owner) == 96, "ua_owner layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_ring) == 152, "ua_ev_ring layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_register) == 200, "ua_ev_register layout");
UA_STATIC_ASSERT(sizeof(struct ua_pending) == 120, "ua_pending layout");
UA_STATIC_ASSERT(sizeof(struct ua_kfield) == 24, "ua_kfield layout");
UA_STATIC_ASSERT(sizeof(struct ua_krule) == 48 + 24 * UA_KFIELDS_MAX, "ua_krule layout");
UA_STATIC_ASSERT(sizeof(struct ua_ev_exe) == 56, "ua_ev_exe layout");
UA_STATIC_ASSERT(sizeof(struct ua_exe_key) == 24, "ua_exe_key layout");
UA_STATIC_ASSERT(sizeof(struct ua_drop_key) == 12, "ua_drop_key layout");
UA_STATIC_ASSERT(sizeof(struct ua_drop_val) == 24, "ua_drop_val layout");
UA_STATIC_ASSERT(sizeof(struct ua_flow_key) == 16, "ua_flow_key layout");
UA_STATIC_ASSERT(sizeof(struct ua_flow_val) == 16, "ua_flow_val layout");
UA_STATIC_ASSERT(sizeof(struct ua_inflight) == 160, "ua_inflight layout");

#endif /* URINGAUDIT_H */
