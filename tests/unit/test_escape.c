// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping: every byte both ways, in both formats, and the shape of what comes out. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "test.h"

static int quotable(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '"';
}

/* Text output: no space, newline or '"' except the surrounding quotes; printable only. */
static bool text_shape_ok(const char *s, size_t len)
{
	size_t i, first = 0, last = len;

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		first = 1;
		last = len - 1;
	} else {
		/* Hex form: an even number of uppercase hex digits. */
		if (len % 2)
			return false;
		for (i = 0; i < len; i++) {
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
				return false;
		}
	}
	for (i = first; i < last; i++) {
		if (!quotable((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Valid UTF-8 with no raw control byte (nor DEL). */
static bool json_shape_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
		if (p[i] >= 0x80) {
			size_t n = ua_utf8_len(p + i, len - i);

			if (!n)
				return false;
			i += n - 1;
		}
	}
	return true;
}

/* Escape @s both ways and back; true if everything held. */
static bool round_trip(const char *s, size_t len, const char *what)
{
	struct ua_buf enc = UA_BUF_INIT, dec = UA_BUF_INIT;
	size_t consumed = 0;
	bool ok = true;

	ok &= ASSERT_OK(ua_escape_text(&enc, s, len), what);
	ok &= ASSERT_TRUE(text_shape_ok(enc.data, enc.len), what);
	ok &= ASSERT_OK(ua_unescape_text(enc.data, enc.len, &dec), what);
	ok &= ASSERT_MEMEQ(dec.data, dec.len, s, len, what);

	ua_buf_reset(&enc);
	ua_buf_reset(&dec);
	ok &= ASSERT_OK(ua_escape_json(&enc, s, len), what);
	ok &= ASSERT_TRUE(json_shape_ok(enc.data, enc.len), what);
	ok &= ASSERT_TRUE(enc.len >= 2 && enc.data[0] == '"' && enc.data[enc.len - 1] == '"', what);
	ok &= ASSERT_OK(ua_unescape_json(enc.data, enc.len, &dec, &consumed), what);
	ok &= ASSERT_EQ(consumed, enc.len, what);
	ok &= ASSERT_MEMEQ(dec.data, dec.len, s, len, what);

	ua_buf_release(&enc);
	ua_buf_release(&dec);
	return ok;
}

static void test_every_byte_alone(void)
{
	struct ua_buf b = UA_BUF_INIT;
	char want[16], what[32];
	int c;

	for (c = 0; c < 256; c++) {
		char s = (char)c;

		snprintf(what, sizeof(what), "byte 0x%02x", c);
		round_trip(&s, 1, what);

		/* The exact forms. */
		ua_buf_reset(&b);
		ua_escape_text(&b, &s, 1);
		if (quotable((unsigned char)c))
			snprintf(want, sizeof(want), "\"%c\"", c);
		else
			snprintf(want, sizeof(want), "%02X", c);
		ASSERT_STREQ(b.data, want, what);

		ua_buf_reset(&b);
		ua_escape_json(&b, &s, 1);
		if (c == '"' || c == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", c);
		else if (c >= 0x20 && c <= 0x7e)
			snprintf(want, sizeof(want), "\"%c\"", c);
		else
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		ASSERT_STREQ(b.data, want, what);
	}
	ua_buf_release(&b);
}

static void test_every_byte_mixed(void)
{
	char s[3 * 256];
	char what[48];
	int c;

	/* Each byte between printable neighbours, so it alone decides the form. */
	for (c = 0; c < 256; c++) {
		char m[3] = { 'a', (char)c, 'z' };

		snprintf(what, sizeof(what), "a<0x%02x>z", c);
		round_trip(m, sizeof(m), what);
	}
	/* All bytes in one string, and reversed. */
	for (c = 0; c < 256; c++)
		s[c] = (char)c;
	round_trip(s, 256, "all bytes ascending");
	for (c = 0; c < 256; c++)
		s[c] = (char)(255 - c);
	round_trip(s, 256, "all bytes descending");
	for (c = 0; c < 3 * 256; c++)
		s[c] = (char)(c * 7 + 3);
	round_trip(s, sizeof(s), "all bytes scattered");
	round_trip("", 0, "empty");
	round_trip(NULL, 0, "NULL empty");
}

static void test_text_forms(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "/etc/passwd", 11, "\"/etc/passwd\"" },
		{ "a=b", 3, "\"a=b\"" }, /* '=' is 0x3D: the kernel quotes it */
		{ "it's", 4, "\"it's\"" },
		{ "back\\slash", 10, "\"back\\slash\"" },
		{ "~!#$%", 5, "\"~!#$%\"" },
		{ "a b", 3, "612062" },
		{ "a\"b", 3, "612262" },
		{ "a\nb", 3, "610A62" },
		{ "\x7f", 1, "7F" },
		{ "\x80", 1, "80" },
		{ "\xff", 1, "FF" },
		{ "a\0b", 3, "610062" },
		{ " ", 1, "20" },
		{ "x key=\"y\"", 9, "78206B65793D227922" },
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ua_buf_reset(&b);
		ASSERT_OK(ua_escape_text(&b, cases[i].in, cases[i].len), "escape");
		ASSERT_STREQ(b.data, cases[i].want, cases[i].want);
	}
	ua_buf_release(&b);
}

static void test_hex_forced(void)
{
	static const char forcing[] = { ' ',  '"',  '\n', '\r',	      '\t',	  '\0',
					0x01, 0x1f, 0x7f, (char)0x80, (char)0xc3, (char)0xff };
	struct ua_buf b = UA_BUF_INIT;
	char s[16], what[32];
	size_t i;

	for (i = 0; i < sizeof(forcing); i++) {
		memcpy(s, "abc?def", 7);
		s[3] = forcing[i];
		snprintf(what, sizeof(what), "0x%02x forces hex", (unsigned char)forcing[i]);
		ua_buf_reset(&b);
		ASSERT_OK(ua_escape_text(&b, s, 7), what);
		ASSERT_EQ(b.len, 14, what);
		ASSERT_TRUE(b.data[0] != '"', what);
		ASSERT_TRUE(text_shape_ok(b.data, b.len), what);
		round_trip(s, 7, what);
	}
	ua_buf_release(&b);
}

static void test_long_strings(void)
{
	char *s = malloc(4096);
	size_t i;
	unsigned int x = 12345;

	if (!ASSERT_TRUE(s != NULL, "malloc"))
		return;
	/* A PATH_MAX - 1 path: the longest a kernel copy holds. */
	for (i = 0; i < 4095; i++)
		s[i] = (char)('a' + i % 26);
	s[0] = '/';
	round_trip(s, 4095, "4095 printable bytes");
	for (i = 0; i < 4095; i++) {
		x = x * 1103515245u + 12345u;
		s[i] = (char)(x >> 16);
	}
	round_trip(s, 4095, "4095 random bytes");
	memset(s, '"', 4095);
	round_trip(s, 4095, "4095 quotes");
	memset(s, 0, 4095);
	round_trip(s, 4095, "4095 NULs");
	free(s);
}

static void test_unescape_text_errors(void)
{
	static const char *const bad[] = {
		"",   "\"", "\"abc", "abc\"", "\"a b\"", "\"a\"b\"", "\"a\nb\"", "ABC",
		"GG", "4",  "4G",    "?",     "(none)",	 "41 42",    "\"\xff\"",
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i;

	ua_buf_addstr(&b, "keep");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(ua_unescape_text(bad[i], strlen(bad[i]), &b), -EINVAL, bad[i]);
		ASSERT_STREQ(b.data, "keep", "nothing appended on error");
	}

	ua_buf_reset(&b);
	ASSERT_OK(ua_unescape_text("6a4B", 4, &b), "lowercase and mixed hex accepted");
	ASSERT_STREQ(b.data, "jK", "hex decoded");
	ua_buf_reset(&b);
	ASSERT_OK(ua_unescape_text("\"\"", 2, &b), "empty quoted");
	ASSERT_EQ(b.len, 0, "empty");
	ua_buf_release(&b);
}

static void test_unescape_json(void)
{
	static const struct {
		const char *in;
		int err;
	} bad[] = {
		{ "", -EINVAL },
		{ "abc", -EINVAL },
		{ "\"abc", -EINVAL },
		{ "\"\\u0100\"", -EINVAL },
		{ "\"\\uffff\"", -EINVAL },
		{ "\"\\u00\"", -EINVAL },
		{ "\"\\u00g0\"", -EINVAL },
		{ "\"\\x41\"", -EINVAL },
		{ "\"\\\"", -EINVAL },
		{ "\"a\nb\"", -EINVAL },
		{ "\"a\x01\"", -EINVAL },
		{ "\"\xc3\"", -EINVAL },
		{ "\"\xe2\x82\"", -EINVAL },
		{ "\"\xc0\xaf\"", -EINVAL },
		{ "\"\xed\xa0\x80\"", -EINVAL },
		{ "\"\xf4\x90\x80\x80\"", -EINVAL },
		{ "\"\xff\"", -EINVAL },
		{ "\"\x80\"", -EINVAL },
		{ "\"\\", -EINVAL },
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i, consumed;
	const char *in;

	ua_buf_addstr(&b, "keep");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		consumed = 12345;
		ASSERT_EQ(ua_unescape_json(bad[i].in, strlen(bad[i].in), &b, &consumed), bad[i].err,
			  bad[i].in);
		ASSERT_STREQ(b.data, "keep", "nothing appended on error");
		ASSERT_EQ(consumed, 12345, "consumed untouched on error");
	}

	ua_buf_reset(&b);
	in = "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00FF\\u0000x\" trailing";
	ASSERT_OK(ua_unescape_json(in, strlen(in), &b, &consumed), "all escapes");
	ASSERT_MEMEQ(b.data, b.len, "\"\\/\b\f\n\r\t\xff\0x", 11, "decoded");
	ASSERT_EQ(consumed, strlen(in) - strlen(" trailing"), "consumed stops at the quote");
	ASSERT_EQ(in[consumed - 1], '"', "last consumed is the quote");

	/* The input length bounds the parse, not a NUL. */
	ua_buf_reset(&b);
	ASSERT_EQ(ua_unescape_json("\"ab\"", 3, &b, NULL), -EINVAL, "quote beyond inlen");
	ASSERT_OK(ua_unescape_json("\"\x7f\"", 3, &b, NULL), "raw DEL is valid JSON");
	ASSERT_MEMEQ(b.data, b.len, "\x7f", 1, "raw DEL");
	ua_buf_release(&b);
}

/*
 * UTF-8: well-formed characters as themselves, each byte of anything else escaped. Hostile
 * forms: overlongs, surrogates, truncated sequences, code points above U+10FFFF, lone
 * continuation bytes, and a valid character right after an invalid byte.
 */
static void test_utf8(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },		   /* U+20AC */
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" }, /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" }, /* U+10FFFF, the last */
		{ "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },		   /* U+D7FF, below the surrogates */
		{ "\xee\x80\x80", "\"\xee\x80\x80\"" },		   /* U+E000, above them */
		{ "\xc2\x80", "\"\xc2\x80\"" },			   /* U+0080 */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },		   /* overlong '/' */
		{ "\xc1\xbf", "\"\\u00c1\\u00bf\"" },		   /* overlong */
		{ "\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"" },	   /* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", "\"\\u00f0\\u0080\\u0080\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },	   /* U+D800, a surrogate */
		{ "\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"" },	   /* U+DFFF */
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" }, /* U+110000 */
		{ "\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"" },
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },			   /* truncated at the end */
		{ "\xe2\x82x", "\"\\u00e2\\u0082x\"" },		   /* truncated before ASCII */
		{ "\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"" },
		{ "\x80\xbf", "\"\\u0080\\u00bf\"" },			   /* lone continuations */
		{ "\xc3\xc3\xa9", "\"\\u00c3\xc3\xa9\"" },		   /* bad lead, then a valid one */
		{ "\xff\xfe", "\"\\u00ff\\u00fe\"" },
		{ "a\nb\x7f", "\"a\\u000ab\\u007f\"" },
	};
	struct ua_buf b = UA_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[48];

		snprintf(what, sizeof(what), "utf8 case %zu", i);
		ua_buf_reset(&b);
		ASSERT_OK(ua_escape_json(&b, cases[i].in, strlen(cases[i].in)), what);
		ASSERT_STREQ(b.data, cases[i].want, what);
		round_trip(cases[i].in, strlen(cases[i].in), what);
	}
	/* The escape of a byte and the character of the same number differ. */
	ua_buf_reset(&b);
	ASSERT_OK(ua_unescape_json("\"\\u00e9\xc3\xa9\"", 10, &b, NULL), "escape and character");
	ASSERT_MEMEQ(b.data, b.len, "\xe9\xc3\xa9", 3, "byte E9, then U+00E9 as C3 A9");
	ua_buf_release(&b);
}

static void test_sticky_error(void)
{
	struct ua_buf b = UA_BUF_INIT;

	ua_buf_addstr(&b, "x");
	ASSERT_EQ(ua_buf_grow(&b, SIZE_MAX), -ENOMEM, "impossible size");
	ASSERT_EQ(ua_escape_text(&b, "abc", 3), -ENOMEM, "escape after error");
	ASSERT_EQ(ua_escape_json(&b, "abc", 3), -ENOMEM, "json after error");
	ASSERT_EQ(ua_unescape_text("\"a\"", 3, &b), -ENOMEM, "unescape after error");
	ASSERT_EQ(ua_unescape_json("\"a\"", 3, &b, NULL), -ENOMEM, "unescape json after error");
	ASSERT_STREQ(b.data, "x", "nothing added after error");
	ua_buf_release(&b);
}

int main(void)
{
	RUN_TEST(test_every_byte_alone);
	RUN_TEST(test_every_byte_mixed);
	RUN_TEST(test_text_forms);
	RUN_TEST(test_hex_forced);
	RUN_TEST(test_long_strings);
	RUN_TEST(test_unescape_text_errors);
	RUN_TEST(test_unescape_json);
	RUN_TEST(test_utf8);
	RUN_TEST(test_sticky_error);
	return test_main_end();
}
