// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping of untrusted byte strings for audit text and JSON. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The kernel's audit_string_contains_control(), which also counts the space as
 * control: 0x21..0x7E but '"'. One table lookup a byte on the record path. */
static const unsigned char quotable[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
	0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* b0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* c0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* d0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* e0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* f0 */
};

static int text_quotable(unsigned char c)
{
	return quotable[c];
}

int ua_escape_text(struct ua_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	char *w;

	for (i = 0; i < len; i++) {
		if (!quotable[p[i]])
			break;
	}
	if (i == len) {
		/* the common case: "name" in one copy */
		if (len > SIZE_MAX - 3) {
			if (!out->err)
				out->err = -ENOMEM;
			return out->err;
		}
		w = ua_buf_room(out, len + 2);
		if (!w)
			return out->err;
		w[0] = '"';
		if (len)
			memcpy(w + 1, s, len);
		w[len + 1] = '"';
		ua_buf_commit(out, len + 2);
		return 0;
	}

	if (len > (SIZE_MAX - 1) / 2) {
		if (!out->err)
			out->err = -ENOMEM;
		return out->err;
	}
	if (ua_buf_grow(out, 2 * len))
		return out->err;
	w = out->data + out->len;
	for (i = 0; i < len; i++) {
		*w++ = hex_upper[p[i] >> 4];
		*w++ = hex_upper[p[i] & 0xf];
	}
	*w = '\0';
	out->len += 2 * len;
	return 0;
}

int ua_unescape_text(const char *in, size_t inlen, struct ua_buf *out)
{
	size_t start = out->len, i;

	if (out->err)
		return out->err;
	if (inlen == 0)
		return -EINVAL;

	if (in[0] == '"') {
		if (inlen < 2 || in[inlen - 1] != '"')
			return -EINVAL;
		/* Only what ua_escape_text() would have quoted: anything else is forged. */
		for (i = 1; i < inlen - 1; i++) {
			if (!text_quotable((unsigned char)in[i]))
				return -EINVAL;
		}
		return ua_buf_add(out, in + 1, inlen - 2);
	}

	if (inlen % 2)
		return -EINVAL;
	if (ua_buf_grow(out, inlen / 2))
		return out->err;
	for (i = 0; i < inlen; i += 2) {
		int hi = hex_value(in[i]), lo = hex_value(in[i + 1]);

		if (hi < 0 || lo < 0) {
			ua_buf_truncate(out, start);
			return -EINVAL;
		}
		out->data[out->len++] = (char)(hi << 4 | lo);
	}
	out->data[out->len] = '\0';
	return 0;
}

size_t ua_utf8_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n, k;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0; /* 80..C1 (continuations, overlong leads), F5..FF */
	if (c == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (c == 0xed)
		hi = 0x9f; /* U+D800..DFFF: surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 2; k < n; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return n;
}

int ua_escape_json(struct ua_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	char *w;

	/* Worst case: every byte as \u00XX, plus the quotes. */
	if (len > (SIZE_MAX - 3) / 6) {
		if (!out->err)
			out->err = -ENOMEM;
		return out->err;
	}
	if (ua_buf_grow(out, 6 * len + 2))
		return out->err;
	w = out->data + out->len;
	*w++ = '"';
	/* The common case first: a run of bytes that stand for themselves
	 * (0x20..0x7E but '"' and '\\', the text table's bytes and the space). */
	for (i = 0; i < len && (quotable[p[i]] || p[i] == ' ') && p[i] != '\\'; i++)
		;
	if (i)
		memcpy(w, p, i);
	w += i;
	for (; i < len; i++) {
		unsigned char c = p[i];
		size_t n;

		if (c == '"' || c == '\\') {
			*w++ = '\\';
			*w++ = (char)c;
		} else if (c >= 0x20 && c <= 0x7e) {
			*w++ = (char)c;
		} else if (c >= 0x80 && (n = ua_utf8_len(p + i, len - i))) {
			/* A well-formed UTF-8 character: itself. */
			memcpy(w, p + i, n);
			w += n;
			i += n - 1;
		} else {
			/*
			 * Controls, DEL, and each byte that is not part of a well-formed
			 * UTF-8 character. No \n or \t shorthands: one form per byte keeps
			 * the output easy to grep and the decoder's job trivial.
			 */
			*w++ = '\\';
			*w++ = 'u';
			*w++ = '0';
			*w++ = '0';
			*w++ = hex_lower[c >> 4];
			*w++ = hex_lower[c & 0xf];
		}
	}
	*w++ = '"';
	*w = '\0';
	out->len = (size_t)(w - out->data);
	return 0;
}

int ua_unescape_json(const char *in, size_t inlen, struct ua_buf *out, size_t *consumed)
{
	size_t start = out->len, i;
	int err = -EINVAL;

	if (out->err)
		return out->err;
	if (inlen == 0 || in[0] != '"')
		return -EINVAL;

	for (i = 1; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];
		char b;

		if (c == '"') {
			if (consumed)
				*consumed = i + 1;
			return 0;
		}
		if (c < 0x20)
			goto fail;
		if (c >= 0x80) {
			/* Raw bytes above 0x7F: whole, well-formed UTF-8 characters only. */
			size_t n = ua_utf8_len((const unsigned char *)in + i, inlen - i);

			if (!n)
				goto fail;
			if (ua_buf_add(out, in + i, n)) {
				err = out->err;
				goto fail;
			}
			i += n - 1;
			continue;
		}
		if (c != '\\') {
			b = (char)c;
		} else {
			if (++i >= inlen)
				goto fail;
			switch (in[i]) {
			case '"':
			case '\\':
			case '/':
				b = in[i];
				break;
			case 'b':
				b = '\b';
				break;
			case 'f':
				b = '\f';
				break;
			case 'n':
				b = '\n';
				break;
			case 'r':
				b = '\r';
				break;
			case 't':
				b = '\t';
				break;
			case 'u': {
				int d[4], k;

				if (inlen - i - 1 < 4)
					goto fail;
				for (k = 0; k < 4; k++) {
					d[k] = hex_value(in[i + 1 + k]);
					if (d[k] < 0)
						goto fail;
				}
				/* Bytes only: a code point above 0xff has no byte to stand for. */
				if (d[0] || d[1])
					goto fail;
				b = (char)(d[2] << 4 | d[3]);
				i += 4;
				break;
			}
			default:
				goto fail;
			}
		}
		if (ua_buf_addch(out, b)) {
			err = out->err;
			goto fail;
		}
	}
	/* No closing quote. */
fail:
	ua_buf_truncate(out, start);
	return err;
}
