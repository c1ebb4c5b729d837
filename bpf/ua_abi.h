/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The rule ABI: field ids, comparison operators and actions, as the rule
 * compiler (lib/rules.c, src/rules_load.c) writes them into struct ua_kfield
 * and struct ua_krule (bpf/uringaudit.h) and the BPF programs read them back,
 * and the op classes both sides derive from lib/ops.def.
 * Defined here once, for both compilers; no includes, so that the BPF side
 * (vmlinux.h) and user space (libc) can both take it.
 *
 * The values travel to the kernel: they are never reused nor renumbered. A
 * new field takes the next free number.
 */
#ifndef UA_ABI_H
#define UA_ABI_H

/* What a rule does with a request it matches (ua_krule.action). */
enum ua_action {
	UA_ACT_NEVER = 0,
	UA_ACT_ALWAYS = 1,
	UA_ACT_DENY = 2, /* extension: needs BPF-LSM */
	UA_ACT_KILL = 3, /* extension: signal the submitter after the fact */
};

/* What a field tests (ua_kfield.field); lib/rules.h says what each value holds. */
enum ua_field_id {
	UA_F_PID = 1,
	UA_F_PPID = 2,
	UA_F_UID = 3,
	UA_F_EUID = 4,
	UA_F_SUID = 5,
	UA_F_FSUID = 6,
	UA_F_GID = 7,
	UA_F_EGID = 8,
	UA_F_SGID = 9,
	UA_F_FSGID = 10,
	UA_F_AUID = 11,
	UA_F_SES = 12,
	UA_F_EXE = 13,	       /* string: a path; the daemon resolves it to (dev, ino) */
	UA_F_COMM = 14,	       /* string, at most 15 bytes (TASK_COMM_LEN - 1) */
	UA_F_CGROUP = 15,      /* string: a path under /sys/fs/cgroup, or a number: an id */
	UA_F_SUCCESS = 16,     /* 0/1, or no/yes */
	UA_F_EXIT = 17,	       /* signed: the CQE result, negative errno; names like -EACCES */
	UA_F_CTX = 18,	       /* extension: task|sqpoll|iowq -> 0|1|2 */
	UA_F_CRED = 19,	       /* extension: task|personality|sqpoll -> 0|1|2 */
	UA_F_PERSONALITY = 20, /* extension: personality id, 1..65535 */
	UA_F_DIR = 21,	       /* string: the name is this directory or below it */
	UA_F_PATH = 22,	       /* string: the name is exactly this */
	UA_F_KEY = 23,	       /* -F key=... is the same as -k (never sent to the kernel) */
	UA_F_FAMILY = 24,      /* extension: socket address family, inet|inet6|unix or 0..65535 */
	UA_F_ADDR = 25,	       /* extension: socket address, CIDR or unix path (alias saddr) */
	UA_F_PORT = 26,	       /* extension: socket port, 0..65535 */
	UA_F_OBJ_UID = 27,     /* extension: owner uid of the object (inode) the request touched */
	UA_F_OBJ_GID = 28,     /* extension: owner gid of the object */
};

/* Comparison operators (ua_kfield.cmp). */
enum ua_cmp {
	UA_CMP_EQ = 1,	  /* = */
	UA_CMP_NE = 2,	  /* != */
	UA_CMP_LT = 3,	  /* < */
	UA_CMP_GT = 4,	  /* > */
	UA_CMP_LE = 5,	  /* <= */
	UA_CMP_GE = 6,	  /* >= */
	UA_CMP_AND = 7,	  /* &  : (value & mask) != 0 */
	UA_CMP_ANDEQ = 8, /* &= : (value & mask) == mask */
};

/*
 * Op classes: what a request of an op carries (lib/ops.def's class column says which ops are
 * in each, and what each means). The loader hands the BPF programs one opcode bitmap per
 * class (cfg_op_class), built by op name for the running kernel.
 */
enum ua_op_class {
	UA_OPC_NAMES = 0,  /* names copied at prep */
	UA_OPC_FD = 1,	   /* works on a file descriptor or fixed file */
	UA_OPC_SOCK = 2,   /* may work on a socket */
	UA_OPC_ADDR = 3,   /* a socket address known at submit */
	UA_OPC_FAMILY = 4, /* only an address family known at submit */
	UA_OPC_NEW = 5,	   /* creates a file or socket (the CQE result) */
	UA_OPC_NOOBJ = 6,  /* no object with an owner */
	UA_OPC_WAITS = 7,  /* only waits (futex, child): not followed to its CQE */
	UA_OPC_NR = 8,
};
/* UA_OPC(NAMES): the bit of a class in a set of classes (ops.def's column). */
#define UA_OPC(c) (1u << UA_OPC_##c)

/* Address families as Linux numbers them (family= and addr= store these, whatever the
 * libc says). */
#define UA_AF_UNIX 1
#define UA_AF_INET 2
#define UA_AF_INET6 10

#endif /* UA_ABI_H */
