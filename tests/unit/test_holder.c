// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * URING_HOLDER formatter: golden files for text and JSON (tests/golden/holder_records.*;
 * UA_UPDATE_GOLDEN=1 rewrites them), each way of holding, hostile strings, and the errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "holder.h"
#include "test.h"

#ifndef UA_GOLDEN_DIR
#define UA_GOLDEN_DIR "tests/golden"
#endif

#define BYTES(lit) ((struct ua_bytes){ .ptr = (lit), .len = sizeof(lit) - 1 })
#define T0 1700000000123456789ull
#define UNSET 4294967295u

static struct ua_rec_holder base(uint32_t how)
{
	struct ua_rec_holder h;

	memset(&h, 0, sizeof(h));
	h.time_ns = T0;
	h.ring = 0x5a17c0ffee15900dull;
	h.creator = 4242;
	h.how = how;
	h.fd = 5;
	h.ring_fd = 2;
	h.who.pid = 4250;
	h.who.tid = 4250;
	h.who.ppid = 4242;
	h.who.comm = BYTES("ua_holders");
	h.who.exe = BYTES("/usr/libexec/ua_holders");
	h.who.auid = UNSET;
	h.who.ses = UNSET;
	h.who.ids = (struct ua_rec_ids){ 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534 };
	return h;
}

/* Every sample, in the golden files' order. */
static int format_all(struct ua_buf *b, enum ua_format f)
{
	static const uint32_t hows[] = { UA_REC_HOLD_FD | UA_REC_HOLD_MMAP, UA_REC_HOLD_MMAP,
					 UA_REC_HOLD_REGISTERED,
					 UA_REC_HOLD_FD | UA_REC_HOLD_MMAP |
						 UA_REC_HOLD_REGISTERED };
	struct ua_rec_holder h;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		h = base(hows[i]);
		rc = ua_format_holder(b, &h, f);
		if (rc)
			return rc;
	}
	/* A hostile comm, an exe that could not be named. */
	h = base(UA_REC_HOLD_FD);
	h.who.comm = BYTES("a b\"c\nd");
	h.who.exe.ptr = NULL;
	h.who.exe.len = 0;
	return ua_format_holder(b, &h, f);
}

static int read_all(const char *path, struct ua_buf *out)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ua_buf_add(out, chunk, n);
	fclose(f);
	return out->err;
}

static void check_golden(enum ua_format f, const char *file)
{
	struct ua_buf got = UA_BUF_INIT, want = UA_BUF_INIT;
	const char *update = getenv("UA_UPDATE_GOLDEN");
	char path[512];
	FILE *w;

	snprintf(path, sizeof(path), "%s/%s", UA_GOLDEN_DIR, file);
	if (!ASSERT_OK(format_all(&got, f), "format"))
		goto out;
	if (update && strcmp(update, "1") == 0) {
		w = fopen(path, "wb");
		if (ASSERT_TRUE(w != NULL, "open golden file for writing")) {
			fwrite(got.data, 1, got.len, w);
			fclose(w);
			fprintf(stderr, "  updated %s\n", path);
		}
		goto out;
	}
	if (!ASSERT_OK(read_all(path, &want), "read golden file")) {
		fprintf(stderr, "  %s (run with UA_UPDATE_GOLDEN=1 to create it)\n", path);
		goto out;
	}
	ASSERT_MEMEQ(got.data, got.len, want.data, want.len, path);
out:
	ua_buf_release(&got);
	ua_buf_release(&want);
}

static void test_golden_text(void)
{
	check_golden(UA_FMT_TEXT, "holder_records.txt");
}

static void test_golden_json(void)
{
	check_golden(UA_FMT_JSON, "holder_records.jsonl");
}

/* The fields that say how the ring is held come and go with the bits. */
static void test_fields_by_how(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_rec_holder h = base(UA_REC_HOLD_MMAP);

	ASSERT_OK(ua_format_holder(&b, &h, UA_FMT_TEXT), "mmap only");
	ua_buf_addch(&b, '\0');
	ASSERT_TRUE(strstr(b.data, " how=mmap ") != NULL, "how=mmap");
	ASSERT_TRUE(strstr(b.data, " fd=") == NULL, "no fd without an fd");
	ASSERT_TRUE(strstr(b.data, " ring_fd=") == NULL, "no ring_fd unregistered");
	ASSERT_TRUE(strstr(b.data, " creator=4242 ") != NULL, "creator");
	ASSERT_TRUE(strstr(b.data, " uid=65534 ") != NULL, "uid");
	ASSERT_TRUE(strstr(b.data, " mntns=") == NULL, "the daemon's namespace: no mntns");
	ua_buf_reset(&b);
	h.who.mntns = 4026532301u;
	ASSERT_OK(ua_format_holder(&b, &h, UA_FMT_TEXT), "another namespace");
	ua_buf_addch(&b, '\0');
	ASSERT_TRUE(strstr(b.data, " mntns=4026532301") != NULL, "mntns of the holder");
	ua_buf_release(&b);
}

/* URINGOP records of a SQPOLL ring with other holders say how many. */
static int has(const struct ua_record *r, enum ua_format f, const char *what)
{
	struct ua_buf b = UA_BUF_INIT;
	int found;

	if (ua_format_record(&b, r, f))
		return -1;
	ua_buf_addch(&b, '\0');
	found = b.err ? -1 : strstr(b.data, what) != NULL;
	ua_buf_release(&b);
	return found;
}

static void test_uringop_holders(void)
{
	struct ua_record r;

	memset(&r, 0, sizeof(r));
	r.seq = 7;
	r.time_ns = T0;
	r.opcode = 18;
	r.op_name = "openat";
	r.exit_known = 1;
	r.success = 1;
	r.exit = 6;
	r.cqes = 1;
	r.ring = 0x5a17c0ffee15900dull;
	r.ctx = UA_REC_CTX_SQPOLL;
	r.cred = UA_REC_CRED_SQPOLL;
	r.holders = 2;
	ASSERT_EQ(has(&r, UA_FMT_TEXT, " holders=2 "), 1, "text holders=2");
	ASSERT_EQ(has(&r, UA_FMT_JSON, "\"holders\":2,"), 1, "json holders");
	r.holders = 0;
	ASSERT_EQ(has(&r, UA_FMT_TEXT, "holders"), 0, "text: absent when none");
	ASSERT_EQ(has(&r, UA_FMT_JSON, "holders"), 0, "json: absent when none");
}

static void test_errors(void)
{
	struct ua_buf b = UA_BUF_INIT;
	struct ua_rec_holder h = base(0);

	ASSERT_EQ(ua_format_holder(&b, NULL, UA_FMT_TEXT), -EINVAL, "NULL record");
	ASSERT_EQ(ua_format_holder(&b, &h, UA_FMT_TEXT), -EINVAL, "no how");
	h.how = 1u << 7;
	ASSERT_EQ(ua_format_holder(&b, &h, UA_FMT_JSON), -EINVAL, "unknown how");
	h.how = UA_REC_HOLD_FD;
	ASSERT_EQ(ua_format_holder(&b, &h, (enum ua_format)7), -EINVAL, "unknown format");
	ASSERT_EQ(b.len, 0, "nothing appended on error");
	ua_buf_release(&b);
}

int main(void)
{
	RUN_TEST(test_golden_text);
	RUN_TEST(test_golden_json);
	RUN_TEST(test_fields_by_how);
	RUN_TEST(test_uringop_holders);
	RUN_TEST(test_errors);
	return test_main_end();
}
