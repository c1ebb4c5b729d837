// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opcode table: every ops.def entry both ways, lookups, BTF enumerators, default mask, classes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "optable.h"
#include "test.h"

struct op_entry {
	int nr;
	const char *id; /* ENUM_SUFFIX as written in ops.def */
	const char *name;
	int audited;
	int enum_value; /* UA_OP_<ID>, to check the generated enum */
};

static const struct op_entry entries[] = {
#define UA_OP(nr, id, name, audited, classes) { nr, #id, name, audited, UA_OP_##id },
#include "ops.def"
#undef UA_OP
};

#define N_ENTRIES (sizeof(entries) / sizeof(entries[0]))

/*
 * Written out here, not derived from ops.def, so a wrong flag in the table fails the test:
 * the ops without .audit_skip in io_uring/opdef.c of Linux 6.18.
 */
static const char *const expected_default[] = {
	"sendmsg",     "recvmsg",	   "accept",	 "connect",   "fallocate",  "openat",
	"close",       "openat2",	   "shutdown",	 "renameat",  "unlinkat",   "mkdirat",
	"symlinkat",   "linkat",	   "msg_ring",	 "fsetxattr", "setxattr",   "fgetxattr",
	"getxattr",    "uring_cmd",	   "sendmsg_zc", "waitid",    "futex_wait", "futex_wake",
	"futex_waitv", "fixed_fd_install", "ftruncate",	 "bind",      "listen",	    "recv_zc",
	"pipe",
};

#define N_DEFAULT (sizeof(expected_default) / sizeof(expected_default[0]))

static void lower(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] - 'A' + 'a') : src[i];
	dst[i] = '\0';
}

static void test_builtin_both_ways(void)
{
	struct ua_optable t;
	char buf[64];
	size_t i;

	ua_optable_init_builtin(&t);
	for (i = 0; i < N_ENTRIES; i++) {
		const struct op_entry *e = &entries[i];

		lower(buf, e->id, sizeof(buf));
		if (!ASSERT_STREQ(e->name, buf, "name is the lowercase enum suffix"))
			fprintf(stderr, "  entry %d\n", e->nr);
		ASSERT_EQ(e->enum_value, e->nr, "generated enum value");
		ASSERT_STREQ(ua_builtin_op_name(e->nr), e->name, "builtin number -> name");
		ASSERT_EQ(ua_builtin_op_default(e->nr), e->audited, "builtin default flag");
		ASSERT_STREQ(ua_optable_name(&t, e->nr), e->name, "table number -> name");
		ASSERT_EQ(ua_optable_lookup(&t, e->name), e->nr, "table name -> number");
		snprintf(buf, sizeof(buf), "%d", e->nr);
		ASSERT_EQ(ua_optable_lookup(&t, buf), e->nr, "table decimal -> number");
	}
}

static void test_builtin_dense(void)
{
	struct ua_optable t;
	unsigned int op;
	size_t i;

	ua_optable_init_builtin(&t);
	ASSERT_EQ(ua_builtin_op_count(), 63, "builtin count is IORING_OP_LAST of 6.18");
	ASSERT_EQ(N_ENTRIES, 63, "ops.def entries");
	ASSERT_EQ(t.nr, 63, "table nr");
	for (i = 0; i < N_ENTRIES; i++)
		ASSERT_EQ(entries[i].nr, i, "ops.def ascending without gaps");
	for (op = 0; op < ua_builtin_op_count(); op++)
		ASSERT_TRUE(ua_builtin_op_name(op) != NULL, "every builtin opcode has a name");
	ASSERT_TRUE(ua_builtin_op_name(63) == NULL, "past the end: no name");
	ASSERT_TRUE(ua_builtin_op_name(1000) == NULL, "far past the end: no name");
	ASSERT_EQ(ua_builtin_op_default(1000), 0, "far past the end: not audited");
	ASSERT_TRUE(ua_optable_name(&t, 63) == NULL, "table: unnamed opcode");
	ASSERT_TRUE(ua_optable_name(&t, 255) == NULL, "table: opcode 255");
	ASSERT_TRUE(ua_optable_name(&t, 256) == NULL, "table: out of range");
	ASSERT_TRUE(ua_optable_name(NULL, 1) == NULL, "table: NULL");
}

static void test_lookup_errors(void)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "foo", -ENOENT },
		{ "OPENAT", -ENOENT }, /* case-sensitive */
		{ "Openat", -ENOENT },
		{ "openat_", -ENOENT },
		{ "a_name_much_longer_than_any_opcode_name_could_ever_be", -ENOENT },
		{ "256", -ERANGE },
		{ "-1", -ERANGE },
		{ "-0", -ERANGE },
		{ "1000", -ERANGE },
		{ "99999999999999999999999999", -ERANGE },
		{ "", -EINVAL },
		{ "18x", -EINVAL },
		{ "x18 ", -EINVAL },
		{ "open at", -EINVAL },
		{ " openat", -EINVAL },
		{ "openat\n", -EINVAL },
		{ "-", -EINVAL },
		{ "+1", -EINVAL },
		{ "0x12", -EINVAL },
		{ "1.5", -EINVAL },
		{ "0", 0 },
		{ "018", 18 },
		{ "255", 255 },
		{ "77", 77 }, /* a number needs no name */
		{ "openat", 18 },
		{ "pipe", 62 },
	};
	struct ua_optable t;
	char name[96];
	size_t i;

	ua_optable_init_builtin(&t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "lookup(\"%s\")", cases[i].s);
		ASSERT_EQ(ua_optable_lookup(&t, cases[i].s), cases[i].want, name);
	}
	ASSERT_EQ(ua_optable_lookup(&t, NULL), -EINVAL, "lookup(NULL)");
	ASSERT_EQ(ua_optable_lookup(NULL, "openat"), -EINVAL, "lookup in NULL table");

	ua_optable_clear(&t);
	ASSERT_EQ(ua_optable_lookup(&t, "openat"), -ENOENT, "cleared table knows no name");
	ASSERT_EQ(ua_optable_lookup(&t, "18"), 18, "cleared table still takes numbers");
	ASSERT_EQ(t.nr, 0, "cleared nr");
}

static void test_set_enum(void)
{
	struct ua_optable t, builtin;
	char enumerator[64];
	size_t i;
	int err;

	ua_optable_init_builtin(&builtin);
	ua_optable_clear(&t);
	/* As the daemon walks BTF: in enum order, LAST at the end. */
	for (i = 0; i < N_ENTRIES; i++) {
		snprintf(enumerator, sizeof(enumerator), "IORING_OP_%s", entries[i].id);
		err = ua_optable_set_enum(&t, enumerator, entries[i].nr);
		if (!ASSERT_OK(err, "set_enum"))
			fprintf(stderr, "  %s\n", enumerator);
	}
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_LAST", 63), "set_enum LAST");
	ASSERT_EQ(t.nr, 63, "nr from LAST");
	ASSERT_TRUE(memcmp(&t, &builtin, sizeof(t)) == 0, "BTF-built table equals the builtin");

	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_", 63), -EINVAL, "empty suffix");
	ASSERT_EQ(ua_optable_set_enum(&t, "OPENAT", 18), -EINVAL, "no prefix");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OPENAT", 18), -EINVAL, "bad prefix");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_open", 63), -EINVAL, "lowercase suffix");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_A B", 63), -EINVAL, "space");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_NEW", 256), -EINVAL, "value 256");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_NEW", -1), -EINVAL, "value -1");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 63),
		  -EINVAL, "32-character name does not fit");
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 70),
		  "31-character name fits");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_LAST", 257), -EINVAL, "LAST 257");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_LAST", -1), -EINVAL, "LAST -1");
	ASSERT_EQ(ua_optable_set_enum(&t, NULL, 1), -EINVAL, "NULL enumerator");
	ASSERT_EQ(ua_optable_set_enum(&t, "IORING_OP_OPENAT", 64), -EEXIST, "name on two ops");
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_OPENAT", 18), "same name again is fine");
	ASSERT_STREQ(ua_optable_name(&t, 64), NULL, "refused name not stored");

	/* A newer kernel: a new opcode gets its name, nr follows it. */
	ua_optable_init_builtin(&t);
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_URING_CMD128", 63), "new op");
	ASSERT_STREQ(ua_optable_name(&t, 63), "uring_cmd128", "new op name");
	ASSERT_EQ(t.nr, 64, "nr covers the new op");
	ASSERT_EQ(ua_optable_lookup(&t, "uring_cmd128"), 63, "new op by name");
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_LAST", 64), "LAST after the new op");
	ASSERT_EQ(t.nr, 64, "nr from LAST");
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_LAST", 256), "LAST may be 256");
	ASSERT_EQ(t.nr, 256, "nr 256");
}

static int popcount4(const uint64_t mask[4])
{
	int i, n = 0;

	for (i = 0; i < 4; i++)
		n += __builtin_popcountll(mask[i]);
	return n;
}

static int bit(const uint64_t mask[4], int op)
{
	return !!(mask[op / 64] & (1ull << (op % 64)));
}

static void test_default_mask(void)
{
	uint64_t mask[4], want[4] = { 0 };
	struct ua_optable t;
	size_t i;
	int op;

	ua_optable_init_builtin(&t);
	for (i = 0; i < N_DEFAULT; i++) {
		op = ua_optable_lookup(&t, expected_default[i]);
		if (!ASSERT_TRUE(op >= 0, "expected default op is in the table"))
			continue;
		want[op / 64] |= 1ull << (op % 64);
	}
	ASSERT_EQ(N_DEFAULT, 31, "expected list");
	memset(mask, 0xff, sizeof(mask)); /* must be cleared by the call */
	ASSERT_EQ(ua_optable_default_mask(&t, mask), 31, "default count");
	ASSERT_EQ(popcount4(mask), 31, "default bits");
	ASSERT_TRUE(memcmp(mask, want, sizeof(mask)) == 0, "default mask is the mainline set");
	for (op = 0; op < UA_OP_MAX; op++) {
		if (ua_builtin_op_name(op))
			ASSERT_EQ(bit(mask, op), ua_builtin_op_default(op),
				  "mask bit = ops.def flag");
	}
	ASSERT_EQ(bit(mask, UA_OP_READ), 0, "read is not audited by default");
	ASSERT_EQ(bit(mask, UA_OP_OPENAT), 1, "openat is audited by default");

	/* uring_cmd128 comes by name from the running kernel. */
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_URING_CMD128", 63), "add uring_cmd128");
	ASSERT_EQ(ua_optable_default_mask(&t, mask), 32, "with uring_cmd128");
	ASSERT_EQ(bit(mask, 63), 1, "uring_cmd128 bit");

	/* Numbers follow the runtime table, not the built-in one. */
	ua_optable_clear(&t);
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_OPENAT", 5), "openat at 5");
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_READ", 18), "read at 18");
	ASSERT_EQ(ua_optable_default_mask(&t, mask), 1, "one default op known");
	ASSERT_EQ(bit(mask, 5), 1, "openat's runtime number");
	ASSERT_EQ(bit(mask, 18), 0, "not the builtin number");

	ASSERT_EQ(ua_optable_default_mask(NULL, mask), -EINVAL, "NULL table");
	ASSERT_EQ(ua_optable_default_mask(&t, NULL), -EINVAL, "NULL mask");
}

/*
 * The classes, written out here (not derived from ops.def), so a wrong class in the table
 * fails: what the BPF programs and the rule parser used to list op by op.
 */
static const struct {
	unsigned int cls;
	const char *what;
	const char *const ops[40];
} expected_classes[] = {
	{ UA_OPC_NAMES,
	  "NAMES",
	  { "openat", "openat2", "unlinkat", "renameat", "mkdirat", "symlinkat", "linkat", "statx",
	    "setxattr", "getxattr" } },
	{ UA_OPC_FD,
	  "FD",
	  { "read",
	    "write",
	    "readv",
	    "writev",
	    "read_fixed",
	    "write_fixed",
	    "fsync",
	    "sync_file_range",
	    "fallocate",
	    "fadvise",
	    "ftruncate",
	    "fsetxattr",
	    "fgetxattr",
	    "splice",
	    "tee",
	    "send",
	    "recv",
	    "sendmsg",
	    "recvmsg",
	    "send_zc",
	    "sendmsg_zc",
	    "uring_cmd",
	    "fixed_fd_install",
	    "read_multishot",
	    "poll_add",
	    "epoll_ctl",
	    "shutdown",
	    "connect",
	    "accept",
	    "bind",
	    "listen",
	    "close",
	    "msg_ring" } },
	{ UA_OPC_SOCK,
	  "SOCK",
	  { "connect", "bind", "send", "sendmsg", "send_zc", "sendmsg_zc", "listen", "accept",
	    "recv", "recvmsg", "shutdown", "uring_cmd", "read", "write", "readv", "writev",
	    "read_multishot", "recv_zc", "splice" } },
	{ UA_OPC_ADDR, "ADDR", { "connect", "bind", "send", "sendmsg", "send_zc", "sendmsg_zc" } },
	{ UA_OPC_FAMILY, "FAMILY", { "socket" } },
	{ UA_OPC_NEW, "NEW", { "openat", "openat2", "accept", "socket" } },
	{ UA_OPC_NOOBJ,
	  "NOOBJ",
	  { "nop", "timeout", "timeout_remove", "async_cancel", "link_timeout", "files_update",
	    "provide_buffers", "remove_buffers", "futex_wait", "futex_wake", "futex_waitv",
	    "waitid", "unlinkat", "mkdirat", "symlinkat", "linkat" } },
	{ UA_OPC_WAITS, "WAITS", { "waitid", "futex_wait", "futex_waitv" } },
};

static void test_class_mask(void)
{
	uint64_t mask[4], want[4];
	struct ua_optable t;
	char name[64];
	size_t i, j;
	int op, n;

	ASSERT_EQ(sizeof(expected_classes) / sizeof(expected_classes[0]), UA_OPC_NR,
		  "every class checked");
	ua_optable_init_builtin(&t);
	for (i = 0; i < sizeof(expected_classes) / sizeof(expected_classes[0]); i++) {
		memset(want, 0, sizeof(want));
		for (j = 0, n = 0; expected_classes[i].ops[j]; j++, n++) {
			op = ua_optable_lookup(&t, expected_classes[i].ops[j]);
			if (ASSERT_TRUE(op >= 0, "expected class op is in the table"))
				want[op / 64] |= 1ull << (op % 64);
		}
		memset(mask, 0xff, sizeof(mask)); /* must be cleared by the call */
		snprintf(name, sizeof(name), "class %s: count", expected_classes[i].what);
		ASSERT_EQ(ua_optable_class_mask(&t, expected_classes[i].cls, mask), n, name);
		snprintf(name, sizeof(name), "class %s: mask", expected_classes[i].what);
		ASSERT_TRUE(memcmp(mask, want, sizeof(mask)) == 0, name);
		for (op = 0; op < UA_OP_MAX; op++) {
			if (ua_builtin_op_name(op))
				ASSERT_EQ(bit(mask, op),
					  !!(ua_builtin_op_classes(op) &
					     (1u << expected_classes[i].cls)),
					  "mask bit = ops.def class");
		}
	}
	ASSERT_EQ(ua_builtin_op_classes(UA_OP_SOCKET), UA_OPC(FAMILY) | UA_OPC(NEW), "socket");
	ASSERT_EQ(ua_builtin_op_classes(UA_OP_NOP), UA_OPC(NOOBJ), "nop");
	ASSERT_EQ(ua_builtin_op_classes(1000), 0, "far past the end: no class");

	/* Numbers follow the runtime table, not the built-in one. */
	ua_optable_clear(&t);
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_SOCKET", 99), "socket at 99");
	ASSERT_OK(ua_optable_set_enum(&t, "IORING_OP_OPENAT", 7), "openat at 7");
	ASSERT_EQ(ua_optable_class_mask(&t, UA_OPC_NEW, mask), 2, "two NEW ops known");
	ASSERT_EQ(bit(mask, 99), 1, "socket's runtime number");
	ASSERT_EQ(bit(mask, 7), 1, "openat's runtime number");
	ASSERT_EQ(bit(mask, UA_OP_SOCKET) | bit(mask, UA_OP_OPENAT), 0, "not the builtin numbers");
	ASSERT_EQ(ua_optable_class_mask(&t, UA_OPC_FAMILY, mask), 1, "socket is FAMILY");
	ASSERT_EQ(ua_optable_class_mask(&t, UA_OPC_ADDR, mask), 0, "no ADDR op known");
	ASSERT_EQ(popcount4(mask), 0, "empty mask");

	ASSERT_EQ(ua_optable_class_mask(NULL, UA_OPC_NAMES, mask), 0, "NULL table names nothing");
	ASSERT_EQ(popcount4(mask), 0, "NULL table: empty mask");
	ASSERT_EQ(ua_optable_class_mask(&t, UA_OPC_NR, mask), -EINVAL, "unknown class");
	ASSERT_EQ(ua_optable_class_mask(&t, UA_OPC_NAMES, NULL), -EINVAL, "NULL mask");
}

int main(void)
{
	RUN_TEST(test_builtin_both_ways);
	RUN_TEST(test_builtin_dense);
	RUN_TEST(test_lookup_errors);
	RUN_TEST(test_set_enum);
	RUN_TEST(test_default_mask);
	RUN_TEST(test_class_mask);
	return test_main_end();
}
