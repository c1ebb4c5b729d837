// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Formatter: golden files for text and JSON, and structural checks that hold for every
 * record (one line; text fields split on spaces and unescape back to the bytes; JSON parses,
 * with unique keys). UA_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "format.h"
#include "optable.h"
#include "record.h"
#include "test.h"

#ifndef UA_GOLDEN_DIR
#define UA_GOLDEN_DIR "tests/golden"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A literal as bytes, embedded NULs included. */
#define BYTES(lit) ((struct ua_bytes){ .ptr = (lit), .len = sizeof(lit) - 1 })

#define T0 1700000000123456789ull /* 2023-11-14T22:13:20.123456789Z */
#define UNSET 4294967295u

/* Hostile strings (THREATS.md 12): space, quote, newline, '=', control bytes, 0xff, NUL. */
static const char hostile1[] = "/tmp/a b\"c\nd=e\x01\xff";
static const char hostile2[] = "/tmp/x\0y z";

enum sample_kind {
	SAMPLE_RECORD,
	SAMPLE_LOST,
	SAMPLE_EVENT,
	SAMPLE_CQE,
	SAMPLE_SETUP,
	SAMPLE_REGISTER
};

struct sample {
	const char *name;
	enum sample_kind kind;
	struct ua_record r;
	struct ua_rec_setup setup;
	struct ua_rec_register reg;
};

static struct ua_record base_record(uint64_t seq, uint8_t opcode)
{
	struct ua_record r;

	memset(&r, 0, sizeof(r));
	r.seq = seq;
	r.time_ns = T0 + (seq - 1000) * 1000000ull;
	r.opcode = opcode;
	r.op_name = ua_builtin_op_name(opcode);
	r.exit_known = 1;
	r.success = 1;
	r.exit = 0;
	r.cqe = UA_REC_CQE_POSTED;
	r.cqes = 1;
	r.ring = 0xffff8881034c2000ull;
	r.user_data = 0x2a;
	r.ctx = UA_REC_CTX_TASK;
	r.who.pid = 4242;
	r.who.tid = 4242;
	r.who.ppid = 1;
	r.who.comm = BYTES("cat");
	r.who.exe = BYTES("/usr/bin/cat");
	r.who.auid = 1000;
	r.who.ses = 3;
	r.who.ids = (struct ua_rec_ids){ 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 };
	r.cred = UA_REC_CRED_TASK;
	r.cgroup_id = 8312;
	r.dfd = -100; /* AT_FDCWD */
	r.dfd2 = -100;
	r.fd = -1;
	return r;
}

/* struct sockaddr_in 10.1.2.3:443 and 192.168.0.5:40000; sockaddr_un "\0hidden" */
static const uint8_t sin_dst[16] = { 2, 0, 0x01, 0xbb, 10, 1, 2, 3 };
static const uint8_t sin_src[16] = { 2, 0, 0x9c, 0x40, 192, 168, 0, 5 };
static const uint8_t sun_abs[] = { 1, 0, 0, 'h', 'i', 'd', 'd', 'e', 'n' };

static struct sample *make_samples(size_t *n)
{
	static struct sample s[32];
	struct ua_record *r;
	size_t i = 0;

	memset(s, 0, sizeof(s));

	/* 1. openat that succeeded: fd 4. */
	s[i].name = "openat_success";
	r = &s[i++].r;
	*r = base_record(1001, UA_OP_OPENAT);
	r->exit = 4;
	r->name = BYTES("/etc/hostname");
	r->op_flags = 0x80000; /* O_RDONLY|O_CLOEXEC */
	r->key = BYTES("user-open");

	/* 2. openat refused: -EACCES; login uid unset, exe unknown, no key. */
	s[i].name = "openat_eacces";
	r = &s[i++].r;
	*r = base_record(1002, UA_OP_OPENAT);
	r->success = 0;
	r->exit = -13;
	r->who.auid = UNSET;
	r->who.ses = UNSET;
	r->who.exe.ptr = NULL;
	r->name = BYTES("/root/.ssh/id_ed25519");
	r->op_flags = 0;
	r->user_data = 0xdeadbeefcafef00dull;

	/* 3. SQPOLL: root's SQ thread opens for a task that dropped to uid 1000 (THREATS 2). */
	s[i].name = "sqpoll_cred_differs";
	r = &s[i++].r;
	*r = base_record(1003, UA_OP_OPENAT2);
	r->exit = 7;
	r->ctx = UA_REC_CTX_SQPOLL;
	r->submit = UA_REC_SUBMIT_SQPOLL;
	r->who.tid = 4250;
	r->who.comm = BYTES("iou-sqp-4242");
	r->cred = UA_REC_CRED_SQPOLL;
	r->cred_differs = 1;
	r->eff = (struct ua_rec_ids){ 0, 0, 0, 0, 0, 0, 0, 0 };
	r->rflags = UA_REC_F_ASYNC | UA_REC_F_LINK;
	r->container = BYTES("docker-3f2a9c");
	r->name = BYTES("/etc/shadow");
	r->name_truncated = 1;
	r->op_flags = 0x241; /* O_WRONLY|O_CREAT|O_TRUNC */
	r->mode = 0600;
	r->resolve = 0x8;	    /* RESOLVE_NO_SYMLINKS */
	r->file_slot = 0xFFFFFFFFu; /* IORING_FILE_INDEX_ALLOC */

	/* 4. close under a registered personality (THREATS 8). */
	s[i].name = "personality_close";
	r = &s[i++].r;
	*r = base_record(1004, UA_OP_CLOSE);
	r->cred = UA_REC_CRED_PERSONALITY;
	r->has_personality = 1;
	r->personality = 2;
	r->cred_differs = 1;
	r->eff = (struct ua_rec_ids){ 0, 0, 0, 0, 0, 0, 0, 0 };
	r->fd = 5;
	r->key = BYTES("priv");

	/* 5. close of a fixed slot. */
	s[i].name = "close_fixed_slot";
	r = &s[i++].r;
	*r = base_record(1005, UA_OP_CLOSE);
	r->rflags = UA_REC_F_FIXED_FILE;
	r->file_slot = 3; /* slot 2 */

	/* 6. renameat with hostile names, comm, exe, key and container (THREATS 12). */
	s[i].name = "renameat_hostile";
	r = &s[i++].r;
	*r = base_record(1006, UA_OP_RENAMEAT);
	r->who.comm = BYTES("evil comm\n");
	r->who.exe = BYTES("/tmp/ev\"il");
	r->container = BYTES("pod=1 x");
	r->name = (struct ua_bytes){ hostile1, sizeof(hostile1) - 1 };
	r->name2 = (struct ua_bytes){ hostile2, sizeof(hostile2) - 1 };
	r->name2_truncated = 1;
	r->dfd = 3;
	r->dfd2 = 4;
	r->op_flags = 1; /* RENAME_NOREPLACE */
	r->key = BYTES("k=v");

	/* 7. unlinkat with IOSQE_CQE_SKIP_SUCCESS: it succeeded, result unknown. */
	s[i].name = "unlinkat_cqe_skipped";
	r = &s[i++].r;
	*r = base_record(1007, UA_OP_UNLINKAT);
	r->exit_known = 0;
	r->cqe = UA_REC_CQE_SKIPPED;
	r->rflags = UA_REC_F_CQE_SKIP;
	r->name = BYTES("/tmp/evidence");
	r->op_flags = 0x200; /* AT_REMOVEDIR */

	/* 8. mkdirat that never completed (ring torn down). */
	s[i].name = "mkdirat_cqe_none";
	r = &s[i++].r;
	*r = base_record(1008, UA_OP_MKDIRAT);
	r->exit_known = 0;
	r->success = 0;
	r->cqe = UA_REC_CQE_NONE;
	r->ctx = UA_REC_CTX_IOWQ;
	r->submit = UA_REC_SUBMIT_SQPOLL; /* the SQ thread punted it */
	r->name = BYTES("/tmp/d");
	r->mode = 0755;

	/* 9. an opcode neither table knows. */
	s[i].name = "unknown_op";
	r = &s[i++].r;
	*r = base_record(1009, 77);
	r->op_name = NULL;
	r->exit = -22;
	r->success = 0;
	r->name = BYTES("/not/printed");

	/* 10. symlinkat and linkat. */
	s[i].name = "symlinkat";
	r = &s[i++].r;
	*r = base_record(1010, UA_OP_SYMLINKAT);
	r->name = BYTES("../target");
	r->dfd2 = 5;
	r->name2 = BYTES("link");
	s[i].name = "linkat_overflow";
	r = &s[i++].r;
	*r = base_record(1011, UA_OP_LINKAT);
	r->cqe = UA_REC_CQE_OVERFLOW;
	r->exit = -17;
	r->success = 0;
	r->name = BYTES("a");
	r->name2 = BYTES("b");
	r->op_flags = 0x400; /* AT_SYMLINK_FOLLOW */

	/* 11. multishot accept: several CQEs; no object fields for this op. */
	s[i].name = "accept_multishot";
	r = &s[i++].r;
	*r = base_record(1012, UA_OP_ACCEPT);
	r->exit = 9;
	r->cqes = 5;
	r->who.comm = BYTES("nginx");
	r->who.exe = BYTES("/usr/sbin/nginx");

	/* 12. failed in prep: no objects, even though the op has some. */
	s[i].name = "openat_initfail";
	r = &s[i++].r;
	*r = base_record(1013, UA_OP_OPENAT);
	r->exit = -14;
	r->success = 0;
	r->rflags = UA_REC_F_INIT_FAILED;

	/* 13. openat relative to a dfd: the directory and the opened file, resolved. */
	s[i].name = "openat_objects";
	r = &s[i++].r;
	*r = base_record(1014, UA_OP_OPENAT);
	r->exit = 7;
	r->dfd = 5;
	r->name = BYTES("shadow");
	r->op_flags = 0x8000;
	r->nobjs = 2;
	r->objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_DIR,
					  .kind = UA_REC_OBJ_FILE,
					  .dev = (254u << 20) | 1,
					  .ino = 2,
					  .mode = 040755,
					  .path = BYTES("/etc") };
	r->objs[1] = (struct ua_rec_obj){ .role = UA_REC_ROLE_NEW,
					  .kind = UA_REC_OBJ_FILE,
					  .dev = (254u << 20) | 1,
					  .ino = 77,
					  .mode = 0100640,
					  .gid = 42,
					  .path = BYTES("/etc/shadow") };

	/* 14. read on a fixed file that was deleted, with a hostile, truncated path. */
	s[i].name = "read_fixed_deleted";
	r = &s[i++].r;
	*r = base_record(1015, UA_OP_READ);
	r->exit = 4096;
	r->rflags = UA_REC_F_FIXED_FILE;
	r->fd = 3;
	r->nobjs = 1;
	r->objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_FILE,
					  .kind = UA_REC_OBJ_FILE,
					  .flags = UA_REC_OF_DELETED | UA_REC_OF_TRUNC,
					  .dev = 8u << 20,
					  .ino = 12,
					  .mode = 0100600,
					  .uid = 1000,
					  .gid = 1000,
					  .full_len = 5000,
					  .path = { hostile1, sizeof(hostile1) - 1 } };

	/* 15. connect: the address given and the socket it used. */
	s[i].name = "connect_inet";
	r = &s[i++].r;
	*r = base_record(1016, UA_OP_CONNECT);
	r->exit = 0;
	r->fd = 4;
	r->addr = (struct ua_rec_addr){ .family = 2, .len = 16, .raw = sin_dst };
	r->nobjs = 1;
	r->objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_FILE,
					  .kind = UA_REC_OBJ_SOCK,
					  .dev = 9,
					  .ino = 31337,
					  .mode = 0140777,
					  .sock_type = 1,
					  .local = { .family = 2, .len = 16, .raw = sin_src },
					  .peer = { .family = 2, .len = 16, .raw = sin_dst } };

	/* 16. bind of an abstract unix socket (leading NUL: hex in text). */
	s[i].name = "bind_unix_abstract";
	r = &s[i++].r;
	*r = base_record(1017, UA_OP_BIND);
	r->exit = 0;
	r->fd = 4;
	r->addr = (struct ua_rec_addr){ .family = 1, .len = sizeof(sun_abs), .raw = sun_abs };

	/* 17. msg_ring passing a file to another ring. */
	s[i].name = "msg_ring_send_fd";
	r = &s[i++].r;
	*r = base_record(1018, UA_OP_MSG_RING);
	r->exit = 0;
	r->fd = 6;
	r->arg[0] = 1;
	r->arg[2] = 0;
	r->arg[3] = 4;
	r->nobjs = 2;
	r->objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_FILE,
					  .kind = UA_REC_OBJ_RING,
					  .ring = 0x1122334455667788ull };
	r->objs[1] = (struct ua_rec_obj){ .role = UA_REC_ROLE_SRC,
					  .kind = UA_REC_OBJ_FILE,
					  .dev = (254u << 20),
					  .ino = 5,
					  .mode = 0100644,
					  .path = BYTES("/srv/data") };

	/* 18. close of an fd nothing was open at. */
	s[i].name = "close_unresolved";
	r = &s[i++].r;
	*r = base_record(1019, UA_OP_CLOSE);
	r->exit = -9;
	r->success = 0;
	r->fd = 99;
	r->nobjs = 1;
	r->objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_CLOSED,
					  .kind = UA_REC_OBJ_FILE,
					  .flags = UA_REC_OF_UNRESOLVED };

	/* 19. a wait recorded at submit, not followed to its CQE. */
	s[i].name = "futex_wait_untracked";
	r = &s[i++].r;
	*r = base_record(1020, 51);
	r->op_name = "futex_wait";
	r->exit_known = 0;
	r->cqe = UA_REC_CQE_UNTRACKED;
	r->untracked = UA_REC_UNTRACKED_OP;

	/* 20. an open past its uid's share of the pending table. */
	s[i].name = "openat_untracked_quota";
	r = &s[i++].r;
	*r = base_record(1021, UA_OP_OPENAT);
	r->exit_known = 0;
	r->cqe = UA_REC_CQE_UNTRACKED;
	r->untracked = UA_REC_UNTRACKED_UID_QUOTA;
	r->name = BYTES("/etc/shadow");

	/* 21. sendmsg on a kernel that copies the destination at issue (6.1):
	 * read from the submitter's memory at submit, and said so. */
	s[i].name = "sendmsg_addr_user";
	r = &s[i++].r;
	*r = base_record(1022, UA_OP_SENDMSG);
	r->exit = 5;
	r->fd = 4;
	r->op_flags = 0x4000;
	r->addr = (struct ua_rec_addr){ .family = 2, .len = 16, .raw = sin_dst };
	r->addr_src = UA_REC_ADDR_USER;

	/* 22. connect whose address the submitter's memory did not yield. */
	s[i].name = "connect_addr_unreadable";
	r = &s[i++].r;
	*r = base_record(1023, UA_OP_CONNECT);
	r->success = 0;
	r->exit = -14;
	r->fd = 4;
	r->addr_src = UA_REC_ADDR_USER_FAULT;

	/* 23. renameat over a root-owned file, seen by the rename hooks: the
	 * file it replaced, and its PATH record as the kernel's (DELETE). */
	s[i].name = "renameat_replaced";
	r = &s[i++].r;
	*r = base_record(1024, UA_OP_RENAMEAT);
	r->ctx = UA_REC_CTX_IOWQ;
	r->name = BYTES("/tmp/new-passwd");
	r->name2 = BYTES("/etc/passwd");
	r->replaced = UA_REC_REPL_YES;
	r->key = BYTES("root-victim");
	r->nobjs = 1;
	r->objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_REPLACED,
					  .kind = UA_REC_OBJ_FILE,
					  .dev = (254u << 20) | 1,
					  .ino = 1234,
					  .mode = 0100644,
					  .path = BYTES("/etc/passwd") };

	/* 24. renameat where the rename hooks do not load: not seen. */
	s[i].name = "renameat_unknown";
	r = &s[i++].r;
	*r = base_record(1025, UA_OP_RENAMEAT);
	r->ctx = UA_REC_CTX_IOWQ;
	r->name = BYTES("a");
	r->name2 = BYTES("b");
	r->replaced = UA_REC_REPL_UNKNOWN;

	s[i].name = "cqe";
	s[i++].kind = SAMPLE_CQE;
	s[i].name = "lost";
	s[i++].kind = SAMPLE_LOST;
	s[i].name = "event";
	s[i++].kind = SAMPLE_EVENT;

	*n = i;
	return s;
}

static struct ua_rec_who base_who(void)
{
	struct ua_rec_who w = {
		.pid = 4242,
		.tid = 4243,
		.ppid = 1, /* not printed: ring-level records have no ppid */
		.comm = BYTES("cat"),
		.exe = BYTES("/usr/bin/cat"),
		.auid = 1000,
		.ses = 3,
		.ids = { 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007 },
	};

	return w;
}

/* URING_SETUP and URING_REGISTER records (tests/golden/ring_records.*). */
static struct sample *make_ring_samples(size_t *n)
{
	static struct sample s[16];
	struct ua_rec_setup *u;
	struct ua_rec_register *g;
	size_t i = 0;

	memset(s, 0, sizeof(s));

	/* 1. A plain ring. */
	s[i].name = "setup_plain";
	s[i].kind = SAMPLE_SETUP;
	u = &s[i++].setup;
	u->seq = 2001;
	u->time_ns = T0;
	u->ring = 0xffff8881034c2000ull;
	u->fd = 3;
	u->sq_entries = 8;
	u->cq_entries = 16;
	u->flags = 0;
	u->sq_thread_cpu = -1;
	u->who = base_who();

	/* 2. SQPOLL pinned to a CPU, by a hostile comm, exe unknown, login uid unset. */
	s[i].name = "setup_sqpoll_aff";
	s[i].kind = SAMPLE_SETUP;
	u = &s[i++].setup;
	*u = s[0].setup;
	u->seq = 2002;
	u->fd = 7;
	u->flags = 0x6; /* IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF */
	u->sq_thread_idle = 2000;
	u->sq_thread_cpu = 1;
	u->who.comm = BYTES("evil comm\n");
	u->who.exe.ptr = NULL;
	u->who.auid = UNSET;
	u->who.ses = UNSET;

	/* 3. SQPOLL without a CPU: idle only; a hostile exe path. */
	s[i].name = "setup_sqpoll";
	s[i].kind = SAMPLE_SETUP;
	u = &s[i++].setup;
	*u = s[0].setup;
	u->seq = 2003;
	u->flags = 0x2 | 0x100; /* SQPOLL | CQSIZE */
	u->sq_thread_idle = 1000;
	u->who.exe = (struct ua_bytes){ hostile2, sizeof(hostile2) - 1 };

	/* 4. Files registered: the table sizes after the call. */
	s[i].name = "register_files";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	g->seq = 2004;
	g->time_ns = T0 + 1000000;
	g->ring = 0xffff8881034c2000ull;
	g->opcode = 2; /* IORING_REGISTER_FILES */
	g->op_name = ua_register_op_name(2);
	g->ret = 0;
	g->nr_files = 4;
	g->who = base_who();

	/* 5. A personality registered (its id), and one refused. */
	s[i].name = "register_personality";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[3].reg;
	g->seq = 2005;
	g->opcode = 9; /* IORING_REGISTER_PERSONALITY */
	g->op_name = ua_register_op_name(9);
	g->ret = 2;
	g->nr_files = 4; /* not printed for this op */
	s[i].name = "register_personality_failed";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[4].reg;
	g->seq = 2006;
	g->ret = -22;

	/* 6. Restrictions: the ring's sets afterwards; nothing when refused. */
	s[i].name = "register_restrictions";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[3].reg;
	g->seq = 2007;
	g->opcode = 11; /* IORING_REGISTER_RESTRICTIONS */
	g->op_name = ua_register_op_name(11);
	g->allowed_register_ops = 0x1004;
	g->allowed_sqe_ops = 0xfffffffffffffff0ull; /* beyond a double's precision */
	g->allowed_sqe_flags = 0x3;
	g->required_sqe_flags = 0x1;
	s[i].name = "register_restrictions_failed";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[6].reg;
	g->seq = 2008;
	g->ret = -16;

	/* 7. Ring fds: how many were registered. */
	s[i].name = "register_ring_fds";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[3].reg;
	g->seq = 2009;
	g->opcode = 20; /* IORING_REGISTER_RING_FDS */
	g->op_name = ua_register_op_name(20);
	g->ret = 1;

	/* 8. An op with no fields of its own, by a hostile comm and exe. */
	s[i].name = "register_eventfd_hostile";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[3].reg;
	g->seq = 2010;
	g->opcode = 4; /* IORING_REGISTER_EVENTFD */
	g->op_name = ua_register_op_name(4);
	g->who.comm = BYTES("a=b \"c\"");
	g->who.exe = (struct ua_bytes){ hostile1, sizeof(hostile1) - 1 };

	/* 9. An opcode no table knows. */
	s[i].name = "register_unknown";
	s[i].kind = SAMPLE_REGISTER;
	g = &s[i++].reg;
	*g = s[3].reg;
	g->seq = 2011;
	g->opcode = 200;
	g->op_name = NULL;
	g->ret = -22;

	*n = i;
	return s;
}

/* Both sample sets, for the structural checks. */
static struct sample *every_sample(size_t *n)
{
	static struct sample all[48];
	struct sample *s;
	size_t a, b;

	s = make_samples(&a);
	memcpy(all, s, a * sizeof(*s));
	s = make_ring_samples(&b);
	memcpy(all + a, s, b * sizeof(*s));
	*n = a + b;
	return all;
}

static int format_sample(struct ua_buf *out, const struct sample *s, enum ua_format f)
{
	static const char rules_path[] = "/etc/uringaudit/rules d\n.conf";
	const struct ua_kv kv[] = {
		ua_kv_word("op", "start"),
		ua_kv_word("version", "0.1.0"),
		ua_kv_word("backend", "tracepoint"),
		ua_kv_str("rules", rules_path, sizeof(rules_path) - 1),
		ua_kv_cstr("config", NULL),
		ua_kv_u64("ops", 31),
		ua_kv_s64("delta", -5),
		ua_kv_u64("pid", 4321),
	};

	switch (s->kind) {
	case SAMPLE_RECORD:
		return ua_format_record(out, &s->r, f);
	case SAMPLE_SETUP:
		return ua_format_setup(out, &s->setup, f);
	case SAMPLE_REGISTER:
		return ua_format_register(out, &s->reg, f);
	case SAMPLE_CQE: {
		const struct ua_rec_obj o = { .role = UA_REC_ROLE_NEW,
					      .kind = UA_REC_OBJ_SOCK,
					      .dev = 9,
					      .ino = 4000,
					      .mode = 0140777,
					      .sock_type = 1,
					      .local = { .family = 2, .len = 16, .raw = sin_src },
					      .peer = { .family = 2, .len = 16, .raw = sin_dst } };

		return ua_format_cqe(out, T0 + 1000000, 1012, UA_OP_ACCEPT, "accept",
				     0xffff8881034c2000ull, 4242, 11, 2, &o, f);
	}
	case SAMPLE_LOST:
		return ua_format_lost(out, T0 + 20000000000ull, 1020, 3, 1014, 1016, "ringbuf_full",
				      f);
	case SAMPLE_EVENT:
		return ua_format_event(out, "DAEMON_START", T0 - 5000000000ull, 1000, kv,
				       ARRAY_SIZE(kv), f);
	}
	return -EINVAL;
}

static int read_file(const char *path, struct ua_buf *out)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ua_buf_add(out, chunk, n);
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return out->err;
}

static int write_file(const char *path, const struct ua_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -errno;
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

static void report_first_difference(const struct ua_buf *got, const struct ua_buf *want)
{
	size_t i = 0, line = 1;

	while (i < got->len && i < want->len && got->data[i] == want->data[i]) {
		if (got->data[i] == '\n')
			line++;
		i++;
	}
	fprintf(stderr, "  first difference at byte %zu, line %zu\n", i, line);
}

static void check_golden(enum ua_format f, const char *file, struct sample *(*make)(size_t *n))
{
	struct ua_buf got = UA_BUF_INIT, want = UA_BUF_INIT;
	const char *update = getenv("UA_UPDATE_GOLDEN");
	char path[512];
	struct sample *s;
	size_t i, n;
	int err;

	snprintf(path, sizeof(path), "%s/%s", UA_GOLDEN_DIR, file);
	s = make(&n);
	for (i = 0; i < n; i++) {
		err = format_sample(&got, &s[i], f);
		if (!ASSERT_OK(err, s[i].name))
			goto out;
	}

	if (update && strcmp(update, "1") == 0) {
		err = write_file(path, &got);
		if (ASSERT_OK(err, "write golden file"))
			fprintf(stderr, "  updated %s\n", path);
		goto out;
	}
	err = read_file(path, &want);
	if (!ASSERT_OK(err, "read golden file")) {
		fprintf(stderr, "  %s (run with UA_UPDATE_GOLDEN=1 to create it)\n", path);
		goto out;
	}
	if (!ASSERT_MEMEQ(got.data, got.len, want.data, want.len, path))
		report_first_difference(&got, &want);
out:
	ua_buf_release(&got);
	ua_buf_release(&want);
}

static void test_golden_text(void)
{
	check_golden(UA_FMT_TEXT, "records.txt", make_samples);
}

static void test_golden_json(void)
{
	check_golden(UA_FMT_JSON, "records.jsonl", make_samples);
}

static void test_golden_ring_text(void)
{
	check_golden(UA_FMT_TEXT, "ring_records.txt", make_ring_samples);
}

static void test_golden_ring_json(void)
{
	check_golden(UA_FMT_JSON, "ring_records.jsonl", make_ring_samples);
}

/* ---- a minimal JSON validator (RFC 8259), rejecting duplicate keys ---- */

struct json {
	const char *p, *end;
	struct ua_buf scratch;
	int depth;
};

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool json_lit(struct json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool json_digits(struct json *j)
{
	const char *start = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start;
}

static bool json_number(struct json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!json_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

/* The string's bytes land in j->scratch. */
static bool json_string(struct json *j)
{
	size_t consumed;

	ua_buf_reset(&j->scratch);
	if (ua_unescape_json(j->p, (size_t)(j->end - j->p), &j->scratch, &consumed))
		return false;
	j->p += consumed;
	return true;
}

static bool json_value(struct json *j);

static bool json_object(struct json *j)
{
	char *keys[128];
	size_t nkeys = 0, i;
	bool ok = false;

	j->p++; /* { */
	json_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (j->p >= j->end || *j->p != '"' || !json_string(j))
			goto out;
		for (i = 0; i < nkeys; i++) {
			if (strcmp(keys[i], j->scratch.data ? j->scratch.data : "") == 0)
				goto out; /* duplicate key: parsers disagree on which one wins */
		}
		if (nkeys == ARRAY_SIZE(keys))
			goto out;
		keys[nkeys++] = strdup(j->scratch.data ? j->scratch.data : "");
		json_ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			goto out;
		if (!json_value(j))
			goto out;
		json_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			ok = true;
		}
		goto out;
	}
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	return ok;
}

static bool json_array(struct json *j)
{
	j->p++; /* [ */
	json_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return true;
	}
	for (;;) {
		if (!json_value(j))
			return false;
		json_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return true;
		}
		return false;
	}
}

static bool json_value(struct json *j)
{
	bool ok;

	json_ws(j);
	if (j->p >= j->end || ++j->depth > 32)
		return false;
	switch (*j->p) {
	case '{':
		ok = json_object(j);
		break;
	case '[':
		ok = json_array(j);
		break;
	case '"':
		ok = json_string(j);
		break;
	case 't':
		ok = json_lit(j, "true");
		break;
	case 'f':
		ok = json_lit(j, "false");
		break;
	case 'n':
		ok = json_lit(j, "null");
		break;
	default:
		ok = json_number(j);
		break;
	}
	j->depth--;
	return ok;
}

/* One JSON object, nothing after it but the newline. */
static bool json_valid_line(const char *s, size_t len)
{
	struct json j = { .p = s, .end = s + len, .scratch = UA_BUF_INIT };
	bool ok;

	ok = len > 0 && *s == '{' && json_value(&j);
	ok = ok && j.p == j.end;
	ua_buf_release(&j.scratch);
	return ok;
}

/*
 * Find "key": in a JSON line of ours and decode the string after it into @out. Only for
 * lines already validated; keys are never escaped, so a plain search finds them.
 */
static int json_get_string(const char *line, const char *key, struct ua_buf *out)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), ",\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return -ENOENT;
	p += strlen(pat);
	return ua_unescape_json(p, strlen(p), out, NULL);
}

/* ---- the text form: space-separated key=value after the msg=audit(...): header ---- */

struct text_field {
	const char *key, *val;
	size_t klen, vlen;
};

static int text_split(const char *line, size_t len, struct text_field *f, size_t max)
{
	const char *p = line, *end = line + len, *hdr;
	size_t n = 0;

	hdr = strstr(line, "): ");
	if (!hdr || memcmp(line, "type=", 5) != 0)
		return -EINVAL;
	p = hdr + 3;
	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *tok_end = sp ? sp : end;
		const char *eq = memchr(p, '=', (size_t)(tok_end - p));

		if (!eq || eq == p || n == max)
			return -EINVAL;
		f[n].key = p;
		f[n].klen = (size_t)(eq - p);
		f[n].val = eq + 1;
		f[n].vlen = (size_t)(tok_end - eq - 1);
		n++;
		p = sp ? sp + 1 : end;
	}
	return (int)n;
}

static const struct text_field *text_get(const struct text_field *f, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++) {
		if (f[i].klen == strlen(key) && memcmp(f[i].key, key, f[i].klen) == 0)
			return &f[i];
	}
	return NULL;
}

/*
 * The lines of a text record: its own line first, then (URINGOP only) one PATH line per
 * item, each under the record's msg=audit(T:SERIAL) header, items=N saying how many.
 * Returns the length of the first line without its newline, or 0 when the lines break
 * that rule.
 */
static size_t text_record_lines(const char *data, size_t len, const char *what)
{
	static const char type[] = "type=PATH";
	const char *nl = memchr(data, '\n', len), *hdr_end, *hdr, *p, *items;
	size_t first, hdr_len, nlines = 0;
	unsigned long want = 0;

	if (!ASSERT_TRUE(nl != NULL && data[len - 1] == '\n', what))
		return 0;
	first = (size_t)(nl - data);
	hdr_end = strstr(data, "): ");
	if (!ASSERT_TRUE(hdr_end && hdr_end < nl && memchr(data, ' ', first), what))
		return 0;
	/* " msg=audit(T:SERIAL): " as the first line has it */
	hdr = memchr(data, ' ', first);
	hdr_len = (size_t)(hdr_end + 3 - hdr);
	for (p = nl + 1; p < data + len;
	     p = (const char *)memchr(p, '\n', (size_t)(data + len - p)) + 1) {
		nlines++;
		if (!ASSERT_TRUE((size_t)(data + len - p) > sizeof(type) - 1 + hdr_len &&
					 !memcmp(p, type, sizeof(type) - 1) &&
					 !memcmp(p + sizeof(type) - 1, hdr, hdr_len),
				 what))
			return 0;
	}
	items = memmem(data, first, " items=", 7);
	if (items)
		want = strtoul(items + 7, NULL, 10);
	else if (!ASSERT_TRUE(memcmp(data, "type=URINGOP ", 13) != 0, "URINGOP has items="))
		return 0;
	if (!ASSERT_EQ(nlines, want, what))
		return 0;
	return first;
}

static void test_one_line_each(void)
{
	enum ua_format fmts[] = { UA_FMT_TEXT, UA_FMT_JSON };
	struct ua_buf b = UA_BUF_INIT;
	struct sample *s;
	size_t i, k, n, f;

	s = every_sample(&n);
	for (f = 0; f < ARRAY_SIZE(fmts); f++) {
		for (i = 0; i < n; i++) {
			ua_buf_reset(&b);
			if (!ASSERT_OK(format_sample(&b, &s[i], fmts[f]), s[i].name))
				continue;
			ASSERT_TRUE(b.len > 1 && b.data[b.len - 1] == '\n', "ends in a newline");
			/* JSON: one line; text: the record's line and its PATH lines */
			if (fmts[f] == UA_FMT_TEXT)
				text_record_lines(b.data, b.len, s[i].name);
			for (k = 0; k + 1 < b.len; k++) {
				unsigned char c = (unsigned char)b.data[k];

				if (fmts[f] == UA_FMT_TEXT && c == '\n')
					continue;
				if (!ASSERT_TRUE(c >= 0x20 && c <= 0x7e, s[i].name)) {
					fprintf(stderr, "  byte 0x%02x at %zu\n", c, k);
					break;
				}
			}
		}
	}
	ua_buf_release(&b);
}

static void test_json_parses(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct sample *s;
	size_t i, n;

	s = every_sample(&n);
	for (i = 0; i < n; i++) {
		ua_buf_reset(&b);
		if (!ASSERT_OK(format_sample(&b, &s[i], UA_FMT_JSON), s[i].name))
			continue;
		if (!ASSERT_TRUE(json_valid_line(b.data, b.len - 1), s[i].name))
			fprintf(stderr, "  %s", b.data);
	}
	ua_buf_release(&b);
}

/* The validator itself: it must say no, or the test above proves nothing. */
static void test_json_validator(void)
{
	static const char *const good[] = {
		"{}",
		"{\"a\":[1,-2.5e3,\"x\",null,true,false,{}]}",
		"{\"a\":0,\"b\":[]}",
	};
	static const char *const bad[] = {
		"{\"a\":1,\"a\":2}", "{\"a\":1,}",  "{\"a\" 1}",	   "{\"a\":01}",
		"{\"a\":1.}",	     "{\"a\":tru}", "{\"a\":[1,]}",	   "{a:1}",
		"{\"a\":1}x",	     "[1]",	    "{\"a\":\"\\u0100\"}", "{\"a\":\"x}",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ASSERT_TRUE(json_valid_line(good[i], strlen(good[i])), good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_FALSE(json_valid_line(bad[i], strlen(bad[i])), bad[i]);
}

/* One text line splits cleanly, its keys are unique, its escaped values decode. */
static void check_text_line(const char *line, size_t len, const char *what, struct ua_buf *dec)
{
	static const char *const escaped[] = { "comm", "exe",	    "name", "name2",
					       "key",  "container", "rules" };
	struct text_field fields[96];
	size_t k;
	int nf, a, c;

	nf = text_split(line, len, fields, ARRAY_SIZE(fields));
	if (!ASSERT_TRUE(nf > 0, what)) {
		fprintf(stderr, "  %.*s\n", (int)len, line);
		return;
	}
	for (a = 0; a < nf; a++) {
		for (c = 0; c < a; c++) {
			if (fields[a].klen == fields[c].klen &&
			    !memcmp(fields[a].key, fields[c].key, fields[a].klen))
				ASSERT_TRUE(false, "duplicate key in a text record");
		}
	}
	for (k = 0; k < ARRAY_SIZE(escaped); k++) {
		const struct text_field *t = text_get(fields, nf, escaped[k]);

		if (!t || (t->vlen == 1 && t->val[0] == '?') ||
		    (t->vlen == 6 && !memcmp(t->val, "(null)", 6)))
			continue;
		ua_buf_reset(dec);
		ASSERT_OK(ua_unescape_text(t->val, t->vlen, dec), escaped[k]);
	}
}

/* Every text line (a record's and its PATH lines) passes check_text_line. */
static void test_text_parses(void)
{
	struct ua_buf b = UA_BUF_INIT, dec = UA_BUF_INIT;
	const char *line, *eol;
	struct sample *s;
	size_t i, n;

	s = every_sample(&n);
	for (i = 0; i < n; i++) {
		ua_buf_reset(&b);
		if (!ASSERT_OK(format_sample(&b, &s[i], UA_FMT_TEXT), s[i].name))
			continue;
		for (line = b.data; line < b.data + b.len; line = eol + 1) {
			eol = memchr(line, '\n', (size_t)(b.data + b.len - line));
			check_text_line(line, (size_t)(eol - line), s[i].name, &dec);
		}
	}
	ua_buf_release(&b);
	ua_buf_release(&dec);
}

/* The hostile record gives back the exact bytes, in both formats. */
static void test_hostile_round_trip(void)
{
	struct ua_buf b = UA_BUF_INIT, dec = UA_BUF_INIT;
	struct text_field fields[96];
	const struct ua_record *r = NULL;
	const struct text_field *t;
	struct sample *s;
	size_t i, n;
	int nf;

	s = make_samples(&n);
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].name, "renameat_hostile") == 0)
			r = &s[i].r;
	}
	if (!ASSERT_TRUE(r != NULL, "sample"))
		return;

	if (!ASSERT_OK(ua_format_record(&b, r, UA_FMT_TEXT), "text"))
		goto out;
	nf = text_split(b.data, text_record_lines(b.data, b.len, "hostile"), fields,
			ARRAY_SIZE(fields));
	if (!ASSERT_TRUE(nf > 0, "split"))
		goto out;
	t = text_get(fields, nf, "name");
	if (ASSERT_TRUE(t != NULL, "name present")) {
		ASSERT_OK(ua_unescape_text(t->val, t->vlen, &dec), "name unescapes");
		ASSERT_MEMEQ(dec.data, dec.len, r->name.ptr, r->name.len, "name bytes (text)");
	}
	ua_buf_reset(&dec);
	t = text_get(fields, nf, "name2");
	if (ASSERT_TRUE(t != NULL, "name2 present")) {
		ASSERT_OK(ua_unescape_text(t->val, t->vlen, &dec), "name2 unescapes");
		ASSERT_MEMEQ(dec.data, dec.len, r->name2.ptr, r->name2.len, "name2 bytes (text)");
	}
	ua_buf_reset(&dec);
	t = text_get(fields, nf, "key");
	if (ASSERT_TRUE(t != NULL, "key present")) {
		ASSERT_OK(ua_unescape_text(t->val, t->vlen, &dec), "key unescapes");
		ASSERT_STREQ(dec.data, "k=v", "key bytes (text)");
	}

	ua_buf_reset(&b);
	ua_buf_reset(&dec);
	if (!ASSERT_OK(ua_format_record(&b, r, UA_FMT_JSON), "json"))
		goto out;
	ASSERT_OK(json_get_string(b.data, "name", &dec), "json name");
	ASSERT_MEMEQ(dec.data, dec.len, r->name.ptr, r->name.len, "name bytes (json)");
	ua_buf_reset(&dec);
	ASSERT_OK(json_get_string(b.data, "name2", &dec), "json name2");
	ASSERT_MEMEQ(dec.data, dec.len, r->name2.ptr, r->name2.len, "name2 bytes (json)");
	ua_buf_reset(&dec);
	ASSERT_OK(json_get_string(b.data, "comm", &dec), "json comm");
	ASSERT_MEMEQ(dec.data, dec.len, r->who.comm.ptr, r->who.comm.len, "comm bytes (json)");
out:
	ua_buf_release(&b);
	ua_buf_release(&dec);
}

/* Every opcode formats to one valid line in both forms, objects or not. */
static void test_every_opcode(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_record r;
	unsigned int op;
	char what[32];

	for (op = 0; op < UA_OP_MAX; op++) {
		r = base_record(2000, (uint8_t)op);
		r.name = BYTES("/n");
		r.name2 = BYTES("/n2");
		r.file_slot = op % 2;
		snprintf(what, sizeof(what), "opcode %u", op);
		ua_buf_reset(&b);
		ASSERT_OK(ua_format_record(&b, &r, UA_FMT_TEXT), what);
		ASSERT_TRUE(text_record_lines(b.data, b.len, what) > 0, what);
		ua_buf_reset(&b);
		ASSERT_OK(ua_format_record(&b, &r, UA_FMT_JSON), what);
		ASSERT_TRUE(json_valid_line(b.data, b.len - 1), what);
	}
	ua_buf_release(&b);
}

static void test_time(void)
{
	static const struct {
		uint64_t ns;
		const char *want;
	} cases[] = {
		{ 0, "msg=audit(0.000:7):" },
		{ 999999999, "msg=audit(0.999:7):" },
		{ 1000000000, "msg=audit(1.000:7):" },
		{ 1500000, "msg=audit(0.001:7):" },
		{ UINT64_MAX, "msg=audit(18446744073.709:7):" },
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ua_buf_reset(&b);
		ASSERT_OK(ua_format_event(&b, "T", cases[i].ns, 7, NULL, 0, UA_FMT_TEXT), "event");
		ASSERT_TRUE(b.data && strstr(b.data, cases[i].want) != NULL, cases[i].want);
	}
	ua_buf_reset(&b);
	ASSERT_OK(ua_format_event(&b, "T", 1500000, 7, NULL, 0, UA_FMT_JSON), "json event");
	ASSERT_STREQ(b.data, "{\"type\":\"T\",\"seq\":7,\"time\":0.001}\n", "json time");
	ua_buf_release(&b);
}

/* A time among an event's fields: the record time's form, a number in JSON (as "time"). */
static void test_time_field(void)
{
	const struct ua_kv kv[] = { ua_kv_word("op", "start"),
				    ua_kv_time("unrecorded_since", 12590000000ull) };
	struct ua_buf b = UA_BUF_INIT;

	ASSERT_OK(ua_format_event(&b, "T", 1500000, 7, kv, 2, UA_FMT_TEXT), "text event");
	ASSERT_STREQ(b.data, "type=T msg=audit(0.001:7): op=start unrecorded_since=12.590\n",
		     "text time field");
	ua_buf_reset(&b);
	ASSERT_OK(ua_format_event(&b, "T", 1500000, 7, kv, 2, UA_FMT_JSON), "json event");
	ASSERT_STREQ(b.data,
		     "{\"type\":\"T\",\"seq\":7,\"time\":0.001,\"op\":\"start\","
		     "\"unrecorded_since\":12.590}\n",
		     "json time field is a number");
	ua_buf_release(&b);
}

/* A ring-level record of a process in another mount namespace says which
 * (its exe is that namespace's path); one of the daemon's says nothing. */
static void test_setup_mntns(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_rec_setup setup = { .who = base_who() };
	struct ua_rec_register reg = { .who = base_who() };

	ASSERT_OK(ua_format_setup(&b, &setup, UA_FMT_TEXT), "setup");
	ua_buf_addch(&b, '\0');
	ASSERT_TRUE(strstr(b.data, "mntns=") == NULL, "the daemon's namespace: no mntns");
	ua_buf_reset(&b);
	setup.who.mntns = 4026532301u;
	ASSERT_OK(ua_format_setup(&b, &setup, UA_FMT_TEXT), "setup, another namespace");
	ua_buf_addch(&b, '\0');
	ASSERT_TRUE(strstr(b.data, " mntns=4026532301\n") != NULL, "setup: mntns= last");
	ua_buf_reset(&b);
	reg.who.mntns = 4026532301u;
	ASSERT_OK(ua_format_register(&b, &reg, UA_FMT_JSON), "register, another namespace");
	ua_buf_addch(&b, '\0');
	ASSERT_TRUE(strstr(b.data, "\"mntns\":4026532301}") != NULL, "register: mntns in JSON");
	ua_buf_release(&b);
}

/* A request in flight at start: inflight=start where ctx and submit go, and
 * none of what only its submit knew (fd, the op's arguments); its objects
 * stay. */
static void test_inflight(void)
{
	static const struct {
		enum ua_format f;
		const char *want, *not[4];
	} cases[] = {
		{ UA_FMT_TEXT,
		  " ring=",
		  { " ctx=", " submit=", " fd=", NULL } },
		{ UA_FMT_JSON,
		  ",\"inflight\":\"start\",\"user_data\":\"0x2a\",",
		  { "\"ctx\"", "\"submit\"", "\"fd\"", NULL } },
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ua_record r = base_record(1, UA_OP_READ);

		r.inflight = 1;
		r.fd = 7;
		r.nobjs = 1;
		r.objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_FILE,
						 .kind = UA_REC_OBJ_FILE,
						 .dev = 8u << 20,
						 .ino = 12,
						 .mode = 0100600,
						 .path = BYTES("/etc/hostname") };
		ua_buf_reset(&b);
		ASSERT_OK(ua_format_record(&b, &r, cases[i].f), cases[i].want);
		ua_buf_addch(&b, '\0');
		ASSERT_TRUE(strstr(b.data, cases[i].want) != NULL, cases[i].want);
		ASSERT_TRUE(strstr(b.data, cases[i].f == UA_FMT_TEXT ? " inflight=start user_data=0x2a " :
								       "\"file_ino\":12") != NULL,
			    "inflight: the field, and the objects kept");
		ASSERT_TRUE(strstr(b.data, cases[i].f == UA_FMT_TEXT ? " file_ino=12" :
								       "\"file_path\":\"/etc/hostname\"") != NULL,
			    "inflight: the file object");
		for (j = 0; cases[i].not[j]; j++)
			ASSERT_TRUE(strstr(b.data, cases[i].not[j]) == NULL, cases[i].not[j]);
	}
	ua_buf_release(&b);
}

/* URING_TEARDOWN: ring and pending, then who set the ring up when known. */
static void test_teardown(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_rec_teardown t = {
		.seq = 9, .time_ns = 1700000000123000000ull, .ring = 0xab, .pending = 2
	};

	ASSERT_OK(ua_format_teardown(&b, &t, UA_FMT_TEXT), "teardown, owner unknown");
	ua_buf_addch(&b, '\0');
	ASSERT_STREQ(b.data,
		     "type=URING_TEARDOWN msg=audit(1700000000.123:9): ring=00000000000000ab "
		     "pending=2\n",
		     "teardown text");
	ua_buf_reset(&b);
	t.has_who = 1;
	t.who = base_who();
	ASSERT_OK(ua_format_teardown(&b, &t, UA_FMT_JSON), "teardown, owner known");
	ua_buf_addch(&b, '\0');
	ASSERT_TRUE(strstr(b.data, "{\"type\":\"URING_TEARDOWN\",\"seq\":9,") == b.data &&
			    strstr(b.data, "\"pending\":2,\"pid\":") != NULL,
		    "teardown JSON: ring, pending, then who");
	ua_buf_release(&b);
}

static void test_errors(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_record r = base_record(1, UA_OP_OPENAT);
	struct ua_rec_setup setup = { .who = base_who() };
	struct ua_rec_register reg = { .who = base_who() };
	struct ua_kv ok = ua_kv_u64("n", 1);
	struct ua_kv kv2[2];
	enum ua_format f = UA_FMT_JSON;

	ASSERT_OK(ua_format_parse("text", &f), "parse text");
	ASSERT_EQ(f, UA_FMT_TEXT, "text");
	ASSERT_OK(ua_format_parse("json", &f), "parse json");
	ASSERT_EQ(f, UA_FMT_JSON, "json");
	ASSERT_EQ(ua_format_parse("JSON", &f), -EINVAL, "case-sensitive");
	ASSERT_EQ(ua_format_parse("xml", &f), -EINVAL, "xml");
	ASSERT_EQ(ua_format_parse(NULL, &f), -EINVAL, "NULL");
	ASSERT_STREQ(ua_format_name(UA_FMT_JSON), "json", "name");

	ua_buf_addstr(&b, "keep");
	ASSERT_EQ(ua_format_record(&b, NULL, UA_FMT_TEXT), -EINVAL, "NULL record");
	ASSERT_EQ(ua_format_record(&b, &r, (enum ua_format)7), -EINVAL, "bad format");
	ASSERT_EQ(ua_format_setup(&b, NULL, UA_FMT_TEXT), -EINVAL, "NULL setup");
	ASSERT_EQ(ua_format_setup(&b, &setup, (enum ua_format)7), -EINVAL, "setup: bad format");
	ASSERT_EQ(ua_format_register(&b, NULL, UA_FMT_JSON), -EINVAL, "NULL register");
	ASSERT_EQ(ua_format_register(&b, &reg, (enum ua_format)7), -EINVAL, "register: bad format");
	ASSERT_EQ(ua_format_event(&b, "lower", 0, 1, &ok, 1, UA_FMT_TEXT), -EINVAL, "bad type");
	ASSERT_EQ(ua_format_event(&b, "", 0, 1, &ok, 1, UA_FMT_TEXT), -EINVAL, "empty type");
	ASSERT_EQ(ua_format_event(&b, NULL, 0, 1, &ok, 1, UA_FMT_TEXT), -EINVAL, "NULL type");
	ASSERT_EQ(ua_format_event(&b, "T X", 0, 1, &ok, 1, UA_FMT_TEXT), -EINVAL, "space type");
	kv2[0] = ua_kv_u64("a b", 1);
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_TEXT), -EINVAL, "bad key");
	kv2[0] = ua_kv_u64("seq", 1);
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_JSON), -EINVAL, "reserved key");
	kv2[0] = ua_kv_u64("a", 1);
	kv2[1] = ua_kv_s64("a", 2);
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 2, UA_FMT_JSON), -EINVAL, "duplicate key");
	kv2[0] = ua_kv_word("w", "two words");
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_TEXT), -EINVAL, "space in word");
	kv2[0] = ua_kv_word("w", "a=b");
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_TEXT), -EINVAL, "'=' in word");
	kv2[0] = ua_kv_word("w", "");
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_TEXT), -EINVAL, "empty word");
	kv2[0] = ua_kv_word("w", NULL);
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_TEXT), -EINVAL, "NULL word");
	kv2[0] = ok;
	kv2[0].kind = 9;
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, kv2, 1, UA_FMT_TEXT), -EINVAL, "bad kind");
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, NULL, 1, UA_FMT_TEXT), -EINVAL, "NULL kv");
	ASSERT_EQ(ua_format_lost(&b, 0, 1, 1, 1, 1, "two words", UA_FMT_TEXT), -EINVAL,
		  "bad reason");
	ASSERT_EQ(ua_format_lost(&b, 0, 1, 1, 1, 1, NULL, UA_FMT_JSON), -EINVAL, "NULL reason");
	ASSERT_STREQ(b.data, "keep", "nothing appended on error");

	/* A failed buffer fails every format call and appends nothing. */
	ua_buf_grow(&b, SIZE_MAX);
	ASSERT_EQ(ua_format_record(&b, &r, UA_FMT_TEXT), -ENOMEM, "record on a failed buffer");
	ASSERT_EQ(ua_format_event(&b, "T", 0, 1, &ok, 1, UA_FMT_TEXT), -ENOMEM, "event");
	ASSERT_EQ(ua_format_setup(&b, &setup, UA_FMT_TEXT), -ENOMEM, "setup");
	ASSERT_EQ(ua_format_register(&b, &reg, UA_FMT_JSON), -ENOMEM, "register");
	ASSERT_STREQ(b.data, "keep", "still nothing appended");
	ua_buf_release(&b);
}

/* Records append: several in one buffer, each its own line. */
static void test_append(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_record r = base_record(1, UA_OP_NOP);
	size_t first;

	ASSERT_OK(ua_format_record(&b, &r, UA_FMT_TEXT), "first");
	first = b.len;
	ASSERT_OK(ua_format_record(&b, &r, UA_FMT_TEXT), "second");
	ASSERT_EQ(b.len, 2 * first, "same length twice");
	ASSERT_TRUE(memcmp(b.data, b.data + first, first) == 0, "same bytes twice");
	ua_buf_release(&b);
}

/* deny and kill rules' records: action, stopped, killed after the objects;
 * nothing of the three for an always rule (the golden files). */
static void test_action_fields(void)
{
	static const struct {
		enum ua_rec_action action;
		int stopped, killed;
		enum ua_format f;
		const char *want;
	} cases[] = {
		{ UA_REC_ACT_KILL, 0, 1, UA_FMT_TEXT, " action=kill stopped=no killed=yes" },
		{ UA_REC_ACT_KILL, 0, 0, UA_FMT_TEXT, " action=kill stopped=no killed=no" },
		{ UA_REC_ACT_DENY, 0, 0, UA_FMT_TEXT, " action=deny stopped=no" },
		{ UA_REC_ACT_DENY, 1, 0, UA_FMT_TEXT, " action=deny stopped=yes" },
		{ UA_REC_ACT_KILL, 0, 1, UA_FMT_JSON,
		  ",\"action\":\"kill\",\"stopped\":false,\"killed\":true" },
		{ UA_REC_ACT_DENY, 1, 0, UA_FMT_JSON, ",\"action\":\"deny\",\"stopped\":true" },
		{ UA_REC_ACT_DENY, -1, 0, UA_FMT_TEXT, " action=deny stopped=?" },
		{ UA_REC_ACT_DENY, -1, 0, UA_FMT_JSON, ",\"action\":\"deny\",\"stopped\":null" },
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ua_record r = base_record(1, UA_OP_OPENAT);

		r.action = cases[i].action;
		r.stopped = cases[i].stopped;
		r.killed = cases[i].killed;
		ua_buf_reset(&b);
		ASSERT_OK(ua_format_record(&b, &r, cases[i].f), cases[i].want);
		ASSERT_TRUE(b.data && strstr(b.data, cases[i].want) != NULL, cases[i].want);
		ASSERT_TRUE(b.data && (r.action == UA_REC_ACT_DENY) == !strstr(b.data, "killed"),
			    "killed only for kill");
	}
	for (i = 0; i < 2; i++) {
		struct ua_record r = base_record(1, UA_OP_OPENAT);

		ua_buf_reset(&b);
		ASSERT_OK(ua_format_record(&b, &r, i ? UA_FMT_JSON : UA_FMT_TEXT), "always");
		ASSERT_TRUE(b.data && !strstr(b.data, "action") && !strstr(b.data, "stopped"),
			    "no action fields for always");
	}
	ua_buf_release(&b);
}

/* The process-field cache (ua_format_record_cached): the same bytes as
 * formatting, every time, whatever changes between two records of one pid. */
static void check_cached(struct ua_who_cache *wc, const struct ua_record *r, const char *what)
{
	enum ua_format f;

	for (f = UA_FMT_TEXT; f <= UA_FMT_JSON; f++) {
		struct ua_buf want = UA_BUF_INIT, got = UA_BUF_INIT;

		ASSERT_OK(ua_format_record(&want, r, f), what);
		ASSERT_OK(ua_format_record_cached(&got, r, f, wc), what);
		ASSERT_MEMEQ(got.data, got.len, want.data, want.len, what);
		ua_buf_release(&want);
		ua_buf_release(&got);
	}
}

static void test_who_cache(void)
{
	static struct ua_who_cache wc;
	static char longexe[UA_WHO_CACHE_EXE + 40];
	struct ua_record base = base_record(1001, UA_OP_OPENAT), r;
	struct sample *smp;
	size_t n, i, round;
	uint64_t hits;

	memset(&wc, 0, sizeof(wc));
	/* every golden sample, twice over (the second round hits) */
	smp = make_samples(&n);
	for (round = 0; round < 2; round++)
		for (i = 0; i < n; i++)
			if (smp[i].kind == SAMPLE_RECORD)
				check_cached(&wc, &smp[i].r, smp[i].name);
	ASSERT_TRUE(wc.hits > 0, "the second round hits");

	/* one field changed at a time, the same pid: each change is seen, and
	 * going back to the base is too */
	for (i = 0;; i++) {
		r = base;
		switch (i) {
		case 0:
			r.who.ids.uid = 0;
			break;
		case 1:
			r.who.ids.gid = 0;
			break;
		case 2:
			r.who.ids.euid = 0;
			break;
		case 3:
			r.who.ids.suid = 0;
			break;
		case 4:
			r.who.ids.fsuid = 0;
			break;
		case 5:
			r.who.ids.egid = 0;
			break;
		case 6:
			r.who.ids.sgid = 0;
			break;
		case 7:
			r.who.ids.fsgid = 0;
			break;
		case 8:
			r.who.auid = 4294967295u;
			break;
		case 9:
			r.who.ses = 4;
			break;
		case 10:
			r.who.ppid = 77;
			break;
		case 11:
			r.who.comm = BYTES("cut");
			break;
		case 12:
			r.who.comm = BYTES("cat2");
			break;
		case 13:
			r.who.comm.ptr = NULL;
			r.who.comm.len = 0;
			break;
		case 14:
			r.who.exe = BYTES("/usr/bin/cut");
			break;
		case 15:
			r.who.exe = BYTES("/usr/bin/ca");
			break;
		case 16:
			r.who.exe.ptr = NULL;
			r.who.exe.len = 0;
			break;
		case 17:
			r.who.exe.ptr = "";
			r.who.exe.len = 0;
			break;
		case 18:
			r.who.exe.ptr = hostile1;
			r.who.exe.len = sizeof(hostile1) - 1;
			break;
		case 19:
			r.who.comm.ptr = hostile2;
			r.who.comm.len = sizeof(hostile2) - 1;
			break;
		case 20:
			r.who.pid += UA_WHO_CACHE_SLOTS;
			break; /* another pid, maybe its slot */
		case 21:
			r.who.pid += 1;
			r.who.tid = 1;
			break;
		case 22:
			r.who.tid = 9;
			r.user_data = 7;
			break; /* not process fields: a hit */
		default:
			goto done;
		}
		check_cached(&wc, &base, "base before the change");
		hits = wc.hits;
		check_cached(&wc, &r, "the changed field");
		if (i < 22)
			ASSERT_EQ(wc.hits, hits, "a changed process field never hits");
		else
			ASSERT_EQ(wc.hits, hits + 2, "other fields do not miss");
		check_cached(&wc, &base, "base after the change");
	}
done:
	/* too long to keep: formatted each time, counted */
	memset(longexe, 'x', sizeof(longexe));
	longexe[0] = '/';
	r = base;
	r.who.exe.ptr = longexe;
	r.who.exe.len = sizeof(longexe);
	check_cached(&wc, &r, "a long exe");
	check_cached(&wc, &r, "a long exe again");
	ASSERT_TRUE(wc.uncacheable >= 4, "long exe counted as uncacheable");
	/* a block longer than a slot holds (a control-byte exe as JSON escapes it,
	 * 6 bytes a byte): formatted each time; its text form (hex) is kept */
	memset(longexe, 0x01, UA_WHO_CACHE_EXE);
	r.who.exe.len = UA_WHO_CACHE_EXE;
	hits = wc.hits;
	check_cached(&wc, &r, "a block over UA_WHO_CACHE_OUT");
	check_cached(&wc, &r, "a block over UA_WHO_CACHE_OUT again");
	ASSERT_EQ(wc.hits, hits + 1, "the JSON block not kept, the text one kept");
}

/* Does the formatted record in @b hold @needle? */
static int has(const struct ua_buf *b, const char *needle)
{
	return b->len && strstr(b->data, needle) != NULL;
}

/*
 * Devices as auditd prints them (hex major:minor, "%02x" each) at every width the
 * appender has a path for (two digits, more, zero), in text, its PATH line and JSON;
 * and the prefixed keys of an object in each role (the keys come from a table).
 */
static void test_dev_and_role_keys(void)
{
	static const struct {
		enum ua_rec_role role;
		const char *pfx;
	} roles[] = { { UA_REC_ROLE_FILE, "file_" },
		      { UA_REC_ROLE_CLOSED, "file_" },
		      { UA_REC_ROLE_NEW, "new_" },
		      { UA_REC_ROLE_DIR, "dir_" },
		      { UA_REC_ROLE_SRC, "src_" } };
	struct ua_buf b = UA_BUF_INIT;
	struct ua_record r = base_record(123456789, UA_OP_OPENAT);
	char want[256];
	size_t i;

	r.name = BYTES("/dev/x");
	r.nobjs = 1;
	r.objs[0] = (struct ua_rec_obj){ .role = UA_REC_ROLE_NEW,
					 .kind = UA_REC_OBJ_FILE,
					 .dev = (0x103u << 20) | 0x12345,
					 .rdev = (0xfffu << 20) | 0xfffff,
					 .ino = 5,
					 .mode = 020620,
					 .path = BYTES("/dev/x") };
	ASSERT_OK(ua_format_record(&b, &r, UA_FMT_TEXT), "format dev text");
	ASSERT_TRUE(has(&b, " new_dev=103:12345 new_ino=5 "), "dev, 3 and 5 digits");
	ASSERT_TRUE(has(&b, " new_rdev=fff:fffff\n"), "rdev, all bits");
	ASSERT_TRUE(has(&b, " inode=5 dev=103:12345 mode=020620 ouid=0 ogid=0 rdev=fff:fffff "),
		    "PATH dev and rdev");
	text_record_lines(b.data, b.len, "dev record lines");
	ua_buf_reset(&b);
	ASSERT_OK(ua_format_record(&b, &r, UA_FMT_JSON), "format dev json");
	ASSERT_TRUE(has(&b, ",\"new_dev\":\"103:12345\","), "JSON dev");
	ASSERT_TRUE(has(&b, ",\"new_rdev\":\"fff:fffff\"}"), "JSON rdev");
	r.objs[0].dev = 0;
	r.objs[0].rdev = 0x10u << 20;
	ua_buf_reset(&b);
	ASSERT_OK(ua_format_record(&b, &r, UA_FMT_TEXT), "format dev 0");
	ASSERT_TRUE(has(&b, " new_dev=00:00 ") && has(&b, " new_rdev=10:00\n"), "dev 0, minor 0");
	ASSERT_TRUE(has(&b, " dev=00:00 mode=020620 ouid=0 ogid=0 rdev=10:00 "), "PATH dev 0");

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		r = base_record(1000 + i, UA_OP_READ);
		r.fd = 3;
		r.nobjs = 1;
		r.objs[0] = (struct ua_rec_obj){ .role = roles[i].role,
						 .kind = UA_REC_OBJ_FILE,
						 .flags = UA_REC_OF_TRUNC | UA_REC_OF_DELETED,
						 .dev = 8u << 20,
						 .ino = 12,
						 .mode = 0100600,
						 .uid = 7,
						 .gid = 8,
						 .full_len = 5000,
						 .path = BYTES("/a") };
		ua_buf_reset(&b);
		ASSERT_OK(ua_format_record(&b, &r, UA_FMT_TEXT), roles[i].pfx);
		snprintf(want, sizeof(want),
			 " %1$stype=file %1$spath=\"/a\" %1$spath_truncated=yes %1$spath_len=5000 "
			 "%1$sdeleted=yes %1$sdev=08:00 %1$sino=12 %1$smode=0100600 %1$suid=7 "
			 "%1$sgid=8",
			 roles[i].pfx);
		if (!ASSERT_TRUE(has(&b, want), roles[i].pfx))
			fprintf(stderr, "  want %s\n  in   %s", want, b.data);
	}
	ua_buf_release(&b);
}

/* The header read back (the sinks' loss accounting): by position, so that no field's value can
 * pass for the record's type, sequence number or op. */
static void test_line_head(void)
{
	enum ua_format fmts[] = { UA_FMT_TEXT, UA_FMT_JSON };
	static const char lie[] = "x msg=audit(1.000:999): op=sink_loss URINGOP \"seq\":999";
	struct ua_buf b = UA_BUF_INIT;
	struct ua_line_head h;
	struct sample *s;
	size_t i, n, f;

	s = every_sample(&n);
	for (f = 0; f < ARRAY_SIZE(fmts); f++) {
		for (i = 0; i < n; i++) {
			const char *le;

			ua_buf_reset(&b);
			if (!ASSERT_OK(format_sample(&b, &s[i], fmts[f]), s[i].name))
				continue;
			le = memchr(b.data, '\n', b.len);
			if (ASSERT_OK(ua_line_head(b.data, le, &h), s[i].name)) {
				ASSERT_TRUE(h.seq >= 1000 && h.seq < 2100, s[i].name);
				ASSERT_TRUE(h.type_len > 0 && h.body > h.type && h.body <= le, s[i].name);
			}
		}
		{
			const struct ua_kv hostile[] = { ua_kv_word("op", "plugin_restart"),
							 ua_kv_cstr("sink", lie) };
			const struct ua_kv own[] = { ua_kv_word("op", "sink_loss"),
						     ua_kv_cstr("sink", lie) };
			const struct ua_kv longer[] = { ua_kv_word("op", "sink_lossy") };

			ua_buf_reset(&b);
			ASSERT_OK(ua_format_event(&b, "URING_DAEMON", T0, 1234, hostile, 2, fmts[f]),
				  "hostile event");
			ASSERT_EQ(ua_line_seq(b.data, b.data + b.len - 1), 1234, "seq from the header");
			if (ASSERT_OK(ua_line_head(b.data, b.data + b.len - 1, &h), "head"))
				ASSERT_TRUE(h.time_len == 14 && !memcmp(h.time, "1700000000.123", 14),
					    "time from the header");
			ASSERT_TRUE(!ua_line_is(b.data, b.data + b.len - 1, "URING_DAEMON", "sink_loss"),
				    "a field saying op=sink_loss is not the op");
			ASSERT_TRUE(!ua_line_is(b.data, b.data + b.len - 1, "URINGOP", NULL),
				    "a field saying URINGOP is not the type");
			ASSERT_TRUE(ua_line_is(b.data, b.data + b.len - 1, "URING_DAEMON", NULL), "type");
			ua_buf_reset(&b);
			ASSERT_OK(ua_format_event(&b, "URING_DAEMON", T0, 1235, own, 2, fmts[f]), "own");
			ASSERT_TRUE(ua_line_is(b.data, b.data + b.len - 1, "URING_DAEMON", "sink_loss"),
				    "op=sink_loss");
			ASSERT_TRUE(!ua_line_is(b.data, b.data + b.len - 1, "URING_DAEMO", "sink_loss"),
				    "a type's prefix");
			ua_buf_reset(&b);
			ASSERT_OK(ua_format_event(&b, "URING_DAEMON", T0, 1236, longer, 1, fmts[f]), "lossy");
			ASSERT_TRUE(!ua_line_is(b.data, b.data + b.len - 1, "URING_DAEMON", "sink_loss"),
				    "an op's prefix");
		}
	}
	ASSERT_EQ(ua_line_head("type=X", "type=X" + 6, &h), -EINVAL, "no header");
	ASSERT_EQ(ua_line_head("{\"type\":\"X\",\"seq\":", "{\"type\":\"X\",\"seq\":" + 17, &h),
		  -EINVAL, "cut header");
	ASSERT_EQ(ua_line_seq("op=x msg=audit(1.000:7):", "op=x msg=audit(1.000:7):" + 24), 0,
		  "not at the start");
	ua_buf_release(&b);
}

int main(void)
{
	RUN_TEST(test_golden_text);
	RUN_TEST(test_who_cache);
	RUN_TEST(test_golden_json);
	RUN_TEST(test_golden_ring_text);
	RUN_TEST(test_golden_ring_json);
	RUN_TEST(test_one_line_each);
	RUN_TEST(test_json_validator);
	RUN_TEST(test_json_parses);
	RUN_TEST(test_text_parses);
	RUN_TEST(test_hostile_round_trip);
	RUN_TEST(test_every_opcode);
	RUN_TEST(test_time);
	RUN_TEST(test_time_field);
	RUN_TEST(test_setup_mntns);
	RUN_TEST(test_teardown);
	RUN_TEST(test_inflight);
	RUN_TEST(test_errors);
	RUN_TEST(test_append);
	RUN_TEST(test_action_fields);
	RUN_TEST(test_dev_and_role_keys);
	RUN_TEST(test_line_head);
	return test_main_end();
}
