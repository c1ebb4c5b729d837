// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Output buffer: growth, termination, truncation and the sticky error. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"

static void test_basic(void)
{
	struct ua_buf b;

	ua_buf_init(&b);
	ASSERT_TRUE(b.data == NULL && b.len == 0 && b.cap == 0 && b.err == 0, "init");
	ASSERT_OK(ua_buf_addstr(&b, "abc"), "addstr");
	ASSERT_OK(ua_buf_addch(&b, '-'), "addch");
	ASSERT_OK(ua_buf_add(&b, "x\0y", 3), "add with NUL");
	ASSERT_OK(ua_buf_addf(&b, "%d:%s", 42, "z"), "addf");
	ASSERT_MEMEQ(b.data, b.len, "abc-x\0y42:z", 11, "content");
	ASSERT_EQ(b.data[b.len], '\0', "terminated");
	ASSERT_OK(ua_buf_add(&b, NULL, 0), "add nothing");
	ASSERT_EQ(b.len, 11, "len unchanged");

	ua_buf_truncate(&b, 3);
	ASSERT_STREQ(b.data, "abc", "truncate");
	ua_buf_truncate(&b, 10);
	ASSERT_STREQ(b.data, "abc", "truncate longer: no-op");
	ua_buf_reset(&b);
	ASSERT_EQ(b.len, 0, "reset len");
	ASSERT_STREQ(b.data, "", "reset keeps a terminated buffer");
	ua_buf_release(&b);
	ASSERT_TRUE(b.data == NULL && b.len == 0 && b.cap == 0, "release");
	ua_buf_release(&b); /* twice is harmless */
}

static void test_growth(void)
{
	struct ua_buf b = UA_BUF_INIT;
	char *big = malloc(100001);
	size_t i;

	if (!ASSERT_TRUE(big != NULL, "malloc"))
		return;
	memset(big, 'q', 100000);
	big[100000] = '\0';

	/* addf that does not fit the first try, then one far larger than the buffer. */
	ASSERT_OK(ua_buf_addf(&b, "%s", big + 100000 - 300), "addf 300");
	ASSERT_EQ(b.len, 300, "len 300");
	ASSERT_OK(ua_buf_addf(&b, "[%s]", big), "addf 100002");
	ASSERT_EQ(b.len, 300 + 100002, "len after big addf");
	ASSERT_EQ(b.data[300], '[', "bracket");
	ASSERT_EQ(b.data[b.len - 1], ']', "closing bracket");
	ASSERT_EQ(strlen(b.data), b.len, "terminated after addf");
	ASSERT_TRUE(b.cap > b.len, "room for the NUL");

	ua_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		ua_buf_addch(&b, (char)('a' + i % 26));
	ASSERT_OK(b.err, "many addch");
	ASSERT_EQ(b.len, 100000, "len after addch");
	ASSERT_EQ(b.data[99999], 'a' + 99999 % 26, "last char");
	ASSERT_EQ(b.data[100000], '\0', "terminated after addch");
	ua_buf_release(&b);
	free(big);
}

static void test_sticky_error(void)
{
	struct ua_buf b = UA_BUF_INIT;

	ua_buf_addstr(&b, "ok");
	ASSERT_EQ(ua_buf_grow(&b, SIZE_MAX), -ENOMEM, "size overflow is ENOMEM");
	ASSERT_EQ(b.err, -ENOMEM, "err set");
	ASSERT_EQ(ua_buf_addstr(&b, "more"), -ENOMEM, "addstr after error");
	ASSERT_EQ(ua_buf_addch(&b, 'c'), -ENOMEM, "addch after error");
	ASSERT_EQ(ua_buf_addf(&b, "%d", 1), -ENOMEM, "addf after error");
	ASSERT_STREQ(b.data, "ok", "content unchanged");
	ua_buf_reset(&b);
	ASSERT_EQ(b.err, 0, "reset clears the error");
	ASSERT_OK(ua_buf_addstr(&b, "again"), "usable after reset");
	ASSERT_STREQ(b.data, "again", "content after reset");
	ua_buf_release(&b);
}

/* The printf-free number appenders print what printf would. */
static void test_numbers(void)
{
	static const uint64_t u[] = { 0,
				      1,
				      7,
				      8,
				      9,
				      10,
				      15,
				      16,
				      99,
				      100,
				      0644,
				      01777,
				      999999,
				      4294967295u,
				      4294967296u,
				      UINT64_MAX / 10,
				      UINT64_MAX - 1,
				      UINT64_MAX };
	static const int64_t s[] = { 0, 1, -1, 9, -10, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	char want[64];
	struct ua_buf b;
	size_t i;

	ua_buf_init(&b);
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		ua_buf_reset(&b);
		ua_buf_addu64(&b, u[i]);
		snprintf(want, sizeof(want), "%" PRIu64, u[i]);
		ASSERT_STREQ(b.data, want, "addu64");
		ua_buf_reset(&b);
		ua_buf_addhex(&b, u[i], 0);
		snprintf(want, sizeof(want), "%" PRIx64, u[i]);
		ASSERT_STREQ(b.data, want, "addhex");
		ua_buf_reset(&b);
		ua_buf_addhex(&b, u[i], 16);
		snprintf(want, sizeof(want), "%016" PRIx64, u[i]);
		ASSERT_STREQ(b.data, want, "addhex width 16");
		ua_buf_reset(&b);
		ua_buf_addoct(&b, u[i]);
		snprintf(want, sizeof(want), "%#" PRIo64, u[i]);
		ASSERT_STREQ(b.data, want, "addoct");
	}
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		ua_buf_reset(&b);
		ua_buf_addi64(&b, s[i]);
		snprintf(want, sizeof(want), "%" PRId64, s[i]);
		ASSERT_STREQ(b.data, want, "addi64");
	}
	ua_buf_release(&b);
}

/* The two-digit and shift loops at every length: 0..20000, each power of ten
 * and its neighbours, each power of two; hex at every width. */
static void test_number_sweep(void)
{
	char want[64];
	struct ua_buf b;
	uint64_t v, p;
	unsigned int w;
	int k, fails = 0;

	ua_buf_init(&b);
	for (v = 0; v <= 20000; v++) {
		ua_buf_reset(&b);
		ua_buf_addu64(&b, v);
		snprintf(want, sizeof(want), "%" PRIu64, v);
		fails += strcmp(b.data, want) != 0;
		ua_buf_reset(&b);
		ua_buf_addoct(&b, v);
		snprintf(want, sizeof(want), "%#" PRIo64, v);
		fails += strcmp(b.data, want) != 0;
	}
	ASSERT_EQ(fails, 0, "0..20000 as printf prints them");
	for (k = 0, p = 1; k < 20; k++, p *= 10) {
		const uint64_t vs[] = { p - 1, p, p + 1, (uint64_t)1 << (k * 3),
					((uint64_t)1 << (k * 3)) - 1 };
		size_t i;

		for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
			ua_buf_reset(&b);
			ua_buf_addu64(&b, vs[i]);
			snprintf(want, sizeof(want), "%" PRIu64, vs[i]);
			ASSERT_STREQ(b.data, want, "addu64 at a power");
			for (w = 0; w <= 16; w++) {
				ua_buf_reset(&b);
				ua_buf_addhex(&b, vs[i], w);
				snprintf(want, sizeof(want), "%0*" PRIx64, (int)w, vs[i]);
				ASSERT_STREQ(b.data, want, "addhex at a width");
			}
		}
	}
	ua_buf_release(&b);
}

/* The inline fast path up to the last byte of room, then the slow path. */
static void test_fast_path_edge(void)
{
	struct ua_buf b;
	size_t cap;

	ua_buf_init(&b);
	ASSERT_OK(ua_buf_addch(&b, 'x'), "first byte (allocates)");
	cap = b.cap;
	ua_buf_reset(&b);
	while (b.len + 2 < cap)
		ua_buf_addch(&b, 'a');
	ASSERT_EQ(b.cap, cap, "no growth before the room is used up");
	ASSERT_OK(ua_buf_add(&b, "b", 1), "the last byte before the NUL");
	ASSERT_EQ(b.cap, cap, "that byte fits");
	ASSERT_EQ(b.len, cap - 1, "full");
	ASSERT_OK(ua_buf_addch(&b, 'c'), "one more grows");
	ASSERT_TRUE(b.cap > cap, "grown");
	ASSERT_EQ(b.data[cap - 2], 'b', "kept");
	ASSERT_EQ(b.data[cap - 1], 'c', "appended");
	ASSERT_EQ(b.data[b.len], '\0', "NUL-terminated");
	ua_buf_release(&b);
}

int main(void)
{
	RUN_TEST(test_basic);
	RUN_TEST(test_growth);
	RUN_TEST(test_sticky_error);
	RUN_TEST(test_numbers);
	RUN_TEST(test_number_sweep);
	RUN_TEST(test_fast_path_edge);
	return test_main_end();
}
