// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for lib/config.c. Any input parses without a crash, leak or undefined
 * behaviour, and:
 *   - the verdict is 0 or -EINVAL, with messages exactly when it is -EINVAL;
 *   - every message is one line "fuzz.conf:LINE: text", LINE within the input;
 *   - an accepted configuration formats to text that parses, without a message, to the
 *     same configuration.
 * Aborts on any mismatch.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib lib/buf.c lib/format.c \
 *	lib/escape.c lib/config.c tests/unit/fuzz_config.c -o fuzz_config
 *
 * Without libFuzzer (any compiler), -DUA_FUZZ_STANDALONE adds a main() that runs the target
 * once per file named on the command line, or once on stdin.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_config: %s\n", what);
		abort();
	}
}

static void check_msgs(const struct ua_buf *m, size_t lines)
{
	const char *p = m->data, *end;

	if (!m->len)
		return;
	end = m->data + m->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *after;
		unsigned long line;

		check(nl != NULL, "message without a newline");
		check(!strncmp(p, "fuzz.conf:", 10), "message without the file name");
		line = strtoul(p + 10, &after, 10);
		check(line >= 1 && line <= lines, "message line out of the input");
		check(after[0] == ':' && after[1] == ' ', "message place not followed by ': '");
		for (; p < nl; p++)
			check((unsigned char)*p >= 0x20 && *p != 0x7f, "message not printable");
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_config c, c2;
	struct ua_buf m = UA_BUF_INIT, f = UA_BUF_INIT;
	size_t i, lines = 1;
	int rc;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	ua_config_init(&c, "/var/log/uringaudit/uringaudit.log", "/run/uringaudit.sock");
	rc = ua_config_parse(&c, "fuzz.conf", (const char *)data, size, &m);
	if (rc == -ENOMEM)
		goto out;
	check(rc == 0 || rc == -EINVAL, "verdict neither 0 nor -EINVAL");
	check((rc == 0) == (m.len == 0), "messages and verdict disagree");
	check_msgs(&m, lines);
	if (rc)
		goto out;
	if (ua_config_format(&c, &f))
		goto out;
	ua_buf_reset(&m);
	ua_config_init(&c2, "/other", "/other.sock");
	rc = ua_config_parse(&c2, "fuzz.conf", f.data, f.len, &m);
	if (rc == -ENOMEM)
		goto out;
	if (rc)
		fprintf(stderr, "%s---\n%s", f.data, m.data);
	check(rc == 0, "formatted configuration does not parse");
	c2.set = c.set;
	check(!memcmp(&c, &c2, sizeof(c)), "formatted configuration parses to another");
out:
	ua_buf_release(&m);
	ua_buf_release(&f);
	return 0;
}

#include "fuzz_standalone.h"
