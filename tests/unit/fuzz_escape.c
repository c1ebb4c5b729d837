// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for lib/escape.c: any input escapes, in both forms, to output of the
 * promised shape that decodes back to the same bytes; any input given to the decoders either
 * fails cleanly or decodes to bytes that survive another round trip. Aborts on a mismatch.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib lib/buf.c lib/escape.c \
 *	tests/unit/fuzz_escape.c -o fuzz_escape && ./fuzz_escape -max_len=8192
 *
 * Without libFuzzer (any compiler), -DUA_FUZZ_STANDALONE adds a main() that runs the target
 * once per file named on the command line, or once on stdin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_escape: %s\n", what);
		abort();
	}
}

static void round_trip(const char *s, size_t len)
{
	struct ua_buf enc = UA_BUF_INIT, dec = UA_BUF_INIT;
	size_t i, consumed = 0;
	int quoted;

	check(ua_escape_text(&enc, s, len) == 0, "escape_text failed");
	quoted = enc.len >= 2 && enc.data[0] == '"';
	for (i = quoted; i < enc.len - quoted; i++) {
		unsigned char c = (unsigned char)enc.data[i];

		check(c >= 0x21 && c <= 0x7e && c != '"',
		      "text output has a space, quote or control");
	}
	check(ua_unescape_text(enc.data, enc.len, &dec) == 0, "unescape_text failed");
	check(dec.len == len && (len == 0 || memcmp(dec.data, s, len) == 0), "text round trip");

	ua_buf_reset(&enc);
	ua_buf_reset(&dec);
	check(ua_escape_json(&enc, s, len) == 0, "escape_json failed");
	for (i = 0; i < enc.len; i++) {
		const unsigned char *u = (const unsigned char *)enc.data;

		check(u[i] >= 0x20 && u[i] != 0x7f, "json output has a raw control byte");
		if (u[i] >= 0x80) {
			size_t n = ua_utf8_len(u + i, enc.len - i);

			check(n >= 2, "json output is not valid UTF-8");
			i += n - 1;
		}
	}
	check(ua_unescape_json(enc.data, enc.len, &dec, &consumed) == 0, "unescape_json failed");
	check(consumed == enc.len, "json consumed");
	check(dec.len == len && (len == 0 || memcmp(dec.data, s, len) == 0), "json round trip");

	ua_buf_release(&enc);
	ua_buf_release(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_buf dec = UA_BUF_INIT;
	const char *in = (const char *)data;
	size_t consumed = 0;

	round_trip(in, size);

	/* The decoders on hostile input: no crash, and what they accept is consistent. */
	if (ua_unescape_text(in, size, &dec) == 0)
		round_trip(dec.data, dec.len);
	else
		check(dec.len == 0, "unescape_text appended on error");
	ua_buf_reset(&dec);
	if (ua_unescape_json(in, size, &dec, &consumed) == 0) {
		check(consumed >= 2 && consumed <= size && in[consumed - 1] == '"',
		      "json consumed");
		round_trip(dec.data, dec.len);
	} else {
		check(dec.len == 0, "unescape_json appended on error");
	}
	ua_buf_release(&dec);
	return 0;
}

#include "fuzz_standalone.h"
