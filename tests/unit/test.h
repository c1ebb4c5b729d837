/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tiny unit-test harness after the kernel's BPF selftests: ASSERT_*() print what went
 * wrong and return bool, so a test reads
 *
 *	if (!ASSERT_OK(err, "parse"))
 *		goto out;
 *
 * RUN_TEST() prints one line per case ("ok name" or "FAIL name"); test_main_end() prints the
 * final "N passed, M failed" line and gives the exit code (0 if none failed, 1 otherwise).
 * Header-only: each test binary is one .c file linked with lib/.
 */
#ifndef UA_TEST_H
#define UA_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_state {
	int passed, failed;
	int case_failed; /* an assertion failed in the running case */
};

static struct test_state test_state;

static inline bool test_check(bool ok, const char *file, int line, const char *name)
{
	if (!ok) {
		test_state.case_failed = 1;
		fprintf(stderr, "%s:%d: %s: assertion failed\n", file, line, name);
	}
	return ok;
}

#define ASSERT_TRUE(cond, name) test_check(!!(cond), __FILE__, __LINE__, (name))

#define ASSERT_FALSE(cond, name) test_check(!(cond), __FILE__, __LINE__, (name))

#define ASSERT_EQ(actual, expected, name)                                                 \
	({                                                                                \
		long long ___a = (long long)(actual), ___e = (long long)(expected);       \
		bool ___ok = ___a == ___e;                                                \
		if (!___ok)                                                               \
			fprintf(stderr, "%s:%d: %s: got %lld, expected %lld\n", __FILE__, \
				__LINE__, (name), ___a, ___e);                            \
		test_check(___ok, __FILE__, __LINE__, (name));                            \
	})

#define ASSERT_STREQ(actual, expected, name)                                                       \
	({                                                                                         \
		const char *___a = (actual), *___e = (expected);                                   \
		bool ___ok = ___a && ___e ? strcmp(___a, ___e) == 0 : ___a == ___e;                \
		if (!___ok)                                                                        \
			fprintf(stderr, "%s:%d: %s: got \"%s\", expected \"%s\"\n", __FILE__,      \
				__LINE__, (name), ___a ? ___a : "(null)", ___e ? ___e : "(null)"); \
		test_check(___ok, __FILE__, __LINE__, (name));                                     \
	})

#define ASSERT_MEMEQ(actual, alen, expected, elen, name)                                          \
	({                                                                                        \
		size_t ___al = (alen), ___el = (elen);                                            \
		bool ___ok = ___al == ___el &&                                                    \
			     (___al == 0 || memcmp((actual), (expected), ___al) == 0);            \
		if (!___ok)                                                                       \
			fprintf(stderr, "%s:%d: %s: contents differ (%zu bytes, %zu expected)\n", \
				__FILE__, __LINE__, (name), ___al, ___el);                        \
		test_check(___ok, __FILE__, __LINE__, (name));                                    \
	})

/* 0 is success; anything else (a -errno) is printed. */
#define ASSERT_OK(err, name)                                                                 \
	({                                                                                   \
		long long ___err = (long long)(err);                                         \
		if (___err)                                                                  \
			fprintf(stderr, "%s:%d: %s: unexpected error %lld (%s)\n", __FILE__, \
				__LINE__, (name), ___err, strerror((int)-___err));           \
		test_check(___err == 0, __FILE__, __LINE__, (name));                         \
	})

static inline void test_case_begin(void)
{
	test_state.case_failed = 0;
}

/* Count and report the case begun by test_case_begin(); @name may be built at run time. */
static inline bool test_case_end(const char *name)
{
	if (test_state.case_failed) {
		test_state.failed++;
		printf("FAIL %s\n", name);
	} else {
		test_state.passed++;
		printf("ok %s\n", name);
	}
	fflush(stdout);
	return !test_state.case_failed;
}

#define RUN_TEST(fn)                \
	do {                        \
		test_case_begin();  \
		fn();               \
		test_case_end(#fn); \
	} while (0)

static inline int test_main_end(void)
{
	printf("%d passed, %d failed\n", test_state.passed, test_state.failed);
	return test_state.failed ? 1 : 0;
}

#endif /* UA_TEST_H */
