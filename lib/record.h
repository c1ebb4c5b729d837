/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The records, as the formatter sees them: plain C, no kernel types, no
 * libbpf. The daemon fills them from the events (a request's joined
 * SUBMIT/COMPLETE, a ring's setup, a register call) and the enrichment
 * caches; the unit tests fill them by hand. Every record names its process
 * with the same struct ua_rec_who.
 */
#ifndef UA_RECORD_H
#define UA_RECORD_H

#include <stddef.h>
#include <stdint.h>

enum ua_rec_ctx { UA_REC_CTX_TASK = 0, UA_REC_CTX_SQPOLL = 1, UA_REC_CTX_IOWQ = 2 };
enum ua_rec_cred { UA_REC_CRED_TASK = 0, UA_REC_CRED_PERSONALITY = 1, UA_REC_CRED_SQPOLL = 2 };

/* How the request ended, as far as a CQE is concerned. */
enum ua_rec_cqe {
	UA_REC_CQE_POSTED = 0,	 /* a CQE was written: exit is the CQE res */
	UA_REC_CQE_SKIPPED = 1,	 /* IOSQE_CQE_SKIP_SUCCESS, no CQE: exit unknown */
	UA_REC_CQE_OVERFLOW = 2, /* the CQE went to the overflow list: exit is its res */
	UA_REC_CQE_NONE = 3, /* no CQE was seen (ring torn down, daemon stopped): exit unknown */
	UA_REC_CQE_UNTRACKED = 4, /* recorded at submit, not followed to its CQE: exit unknown */
};

/* Why a request was not followed to its CQE (cqe=untracked). */
enum ua_rec_untracked {
	UA_REC_UNTRACKED_NO = 0,
	UA_REC_UNTRACKED_OP = 1,	 /* its op waits (futex_wait, waitid): nothing in its CQE */
	UA_REC_UNTRACKED_UID_QUOTA = 2,	 /* its uid holds its share of the pending table */
	UA_REC_UNTRACKED_TABLE_FULL = 3, /* the pending table is full */
};

/* Who handed the request to the kernel: a system call, or the SQ thread (SQPOLL). */
enum ua_rec_submit { UA_REC_SUBMIT_SYSCALL = 0, UA_REC_SUBMIT_SQPOLL = 1 };

/* Where a connect's or send's destination (addr) was read: the kernel's own
 * copy, or the submitter's memory at submit because the kernel had no copy
 * yet (Linux before 6.10), which the kernel may copy differently if another
 * thread rewrites it; _USER_FAULT: that memory could not be read (no addr). */
enum ua_rec_addr_src {
	UA_REC_ADDR_KERNEL = 0,
	UA_REC_ADDR_USER = 1,
	UA_REC_ADDR_USER_FAULT = 2,
};

/* ua_record.rflags */
#define UA_REC_F_CQE_SKIP (1u << 0)    /* submitted with IOSQE_CQE_SKIP_SUCCESS */
#define UA_REC_F_ASYNC (1u << 1)       /* submitted with IOSQE_ASYNC */
#define UA_REC_F_LINK (1u << 2)	       /* part of a link chain */
#define UA_REC_F_FIXED_FILE (1u << 3)  /* IOSQE_FIXED_FILE */
#define UA_REC_F_INIT_FAILED (1u << 4) /* failed in prep: no objects */

struct ua_rec_ids {
	uint32_t uid, gid, euid, suid, fsuid, egid, sgid, fsgid;
};

/* A byte string that may hold any byte, NUL included. */
struct ua_bytes {
	const char *ptr; /* NULL: field absent */
	size_t len;
};

/* Who: the process and thread behind a record, and the task's credentials. */
struct ua_rec_who {
	uint32_t pid, tid, ppid; /* ppid: URINGOP records only */
	struct ua_bytes comm;
	struct ua_bytes exe; /* absent: printed as exe=? */
	uint32_t auid, ses;  /* (u32)-1: unset */
	struct ua_rec_ids ids;
	/* ring-level and holder records: the process's mount namespace when not
	 * the daemon's (its exe is that namespace's path); 0: the daemon's.
	 * URINGOP records carry the request's own (ua_record.mntns). */
	uint32_t mntns;
};

/* A socket address: family and the raw struct sockaddr bytes (family first). */
struct ua_rec_addr {
	uint16_t family; /* 0: absent */
	uint16_t len;	 /* bytes of raw */
	const uint8_t *raw;
};

/* Roles of an object in a record: which prefix its fields get. */
enum ua_rec_role {
	UA_REC_ROLE_FILE = 1,	  /* file_: the file the request used */
	UA_REC_ROLE_NEW = 2,	  /* new_: what it created (opened file, accepted socket) */
	UA_REC_ROLE_DIR = 3,	  /* dir_: the directory its dfd names */
	UA_REC_ROLE_CLOSED = 4,	  /* file_: the file close closed */
	UA_REC_ROLE_SRC = 5,	  /* src_: the file msg_ring sent */
	UA_REC_ROLE_REPLACED = 6, /* replaced_: the file renameat's new name named */
};

/* renameat: what became of the file its new name named (replaced=). */
enum ua_rec_replaced {
	UA_REC_REPL_NA = 0,	   /* not a renameat, or failed in prep: not printed */
	UA_REC_REPL_UNKNOWN = 1,   /* not seen: the rename hooks do not run here, or no result */
	UA_REC_REPL_NONE = 2,	   /* nothing replaced: the name was free, or the rename failed */
	UA_REC_REPL_YES = 3,	   /* replaced: the replaced_ object */
	UA_REC_REPL_EXCHANGED = 4, /* RENAME_EXCHANGE: the replaced_ object now has the old name */
};

enum ua_rec_kind { UA_REC_OBJ_FILE = 1, UA_REC_OBJ_SOCK = 2, UA_REC_OBJ_RING = 3 };

/* ua_rec_obj.flags */
#define UA_REC_OF_DELETED (1u << 0)
#define UA_REC_OF_TRUNC (1u << 1)
#define UA_REC_OF_LEN_UNKNOWN (1u << 2)
#define UA_REC_OF_PSEUDO (1u << 3)
#define UA_REC_OF_UNRESOLVED (1u << 4)

/* An object the request touched, resolved in the kernel. */
struct ua_rec_obj {
	enum ua_rec_role role;
	enum ua_rec_kind kind;
	uint32_t flags; /* UA_REC_OF_* */
	uint32_t dev;	/* kernel encoding: major << 20 | minor */
	uint32_t rdev;	/* devices */
	uint64_t ino;
	uint32_t mode; /* st_mode */
	uint32_t uid, gid;
	struct ua_bytes path; /* absolute in the mount namespace; pseudo files: a name */
	uint32_t full_len;    /* whole path length when truncated */
	uint64_t ring;	      /* UA_REC_OBJ_RING: ring id as in ring= */
	uint16_t sock_type, sock_proto;
	struct ua_rec_addr local, peer;
};

#define UA_REC_OBJS_MAX 4

struct ua_record {
	uint64_t seq;	  /* record serial (the submit event's sequence number) */
	uint64_t time_ns; /* CLOCK_REALTIME of the submit, ns */

	uint8_t opcode;
	const char *op_name; /* "openat"; NULL prints the number */

	int exit_known; /* 0: success and exit are not known (cqe skipped/none) */
	int success;	/* meaningful when exit_known */
	int32_t exit;	/* CQE res (errno negative) */
	enum ua_rec_cqe cqe;
	enum ua_rec_untracked untracked; /* with cqe=untracked */
	uint32_t cqes;			 /* CQEs posted by the request (multishot); 1 normally */

	uint64_t ring; /* ring identity (opaque, stable for the boot) */
	uint64_t user_data;
	enum ua_rec_ctx ctx;
	enum ua_rec_submit submit;
	/* Submitted before the daemon started, found waiting by the walk at
	 * start (bpf/inflight.bpf.h): built at its completion, so ctx, submit,
	 * fd, names and addresses are unknown and left out. */
	uint8_t inflight;
	uint32_t rflags; /* UA_REC_F_* */

	struct ua_rec_who who; /* who.ids: the task's credentials */
	enum ua_rec_cred cred; /* source of the effective credentials */
	uint32_t holders;      /* SQPOLL ring: other processes holding it (URING_HOLDER); 0 none */
	int cred_differs;      /* eff differs from task: print the eff_ set */
	struct ua_rec_ids eff;
	int has_personality;
	uint32_t personality; /* personality id, when known */
	uint64_t cgroup_id;
	struct ua_bytes container; /* absent: field omitted */
	uint32_t mntns; /* the mount namespace its paths are in, when not the daemon's; 0: its */

	/* Objects; which ones are printed depends on the op (see format.c). */
	struct ua_bytes name; /* first name (path, or symlink target) */
	int name_truncated;
	struct ua_bytes name2; /* second name (rename/link/symlink destination) */
	int name2_truncated;
	int32_t dfd, dfd2;
	uint32_t op_flags; /* open(2) flags / unlink/rename/link flags */
	uint32_t mode;
	uint64_t resolve;	 /* openat2 RESOLVE_* */
	int32_t fd;		 /* close: fd; ops on a file: sqe->fd (a slot when FIXED_FILE) */
	uint32_t file_slot;	 /* fixed-file slot + 1 as the kernel keeps it; 0 none */
	uint64_t arg[4];	 /* per-op arguments, as in struct ua_ev_submit */
	int name2_is_attr;	 /* name2 is an xattr name */
	struct ua_rec_addr addr; /* connect/bind/send destination */
	enum ua_rec_addr_src addr_src;
	struct ua_rec_obj objs[UA_REC_OBJS_MAX];
	size_t nobjs;
	enum ua_rec_replaced replaced; /* renameat */

	/* The deciding rule's action when it is deny or kill (always: none
	 * printed): whether the request was stopped (BPF-LSM denied it) and,
	 * for kill, whether SIGKILL was sent to the submitter. */
	enum ua_rec_action { UA_REC_ACT_NONE, UA_REC_ACT_DENY, UA_REC_ACT_KILL } action;
	int stopped; /* 1 yes, 0 no, -1 unknown (enforced, but no CQE was seen) */
	int killed;

	struct ua_bytes key; /* rule key; absent: key=(none) */
};

/* io_uring_setup created a ring (URING_SETUP). */
struct ua_rec_setup {
	uint64_t seq;	  /* the event's sequence number */
	uint64_t time_ns; /* CLOCK_REALTIME, ns */
	uint64_t ring;	  /* ring identity, as in URINGOP's ring= */
	int32_t fd;	  /* the ring's fd */
	uint32_t sq_entries, cq_entries;
	uint32_t flags;		 /* IORING_SETUP_* */
	uint32_t sq_thread_idle; /* SQPOLL: ms */
	int32_t sq_thread_cpu;	 /* SQPOLL with SQ_AFF: the CPU */
	struct ua_rec_who who;
};

/* A ring freed (URING_TEARDOWN, per-op backend). */
struct ua_rec_teardown {
	uint64_t seq;
	uint64_t time_ns;
	uint64_t ring;	  /* ring identity, as in URINGOP's ring= */
	uint64_t pending; /* its requests still waiting, concluded with it */
	int has_who;	  /* its URING_SETUP was seen: who set it up */
	struct ua_rec_who who;
};

/* io_uring_register on a ring (URING_REGISTER). Which fields print depends
 * on the opcode (see format.c). */
struct ua_rec_register {
	uint64_t seq;
	uint64_t time_ns;
	uint64_t ring;
	uint32_t opcode;     /* IORING_REGISTER_* */
	const char *op_name; /* "register_personality"; NULL: unknown */
	int64_t ret;	     /* the call's result (-errno) */
	/* files and buffers: the ring's table sizes after the call */
	uint32_t nr_files, nr_bufs;
	/* restrictions: the ring's sets after the call */
	uint64_t allowed_register_ops; /* bit n: register opcode n */
	uint64_t allowed_sqe_ops;      /* bit n: SQE opcode n (the first 64) */
	uint8_t allowed_sqe_flags, required_sqe_flags;
	struct ua_rec_who who;
};

#endif /* UA_RECORD_H */
