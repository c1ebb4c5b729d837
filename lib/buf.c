// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Growable output buffer with a sticky error. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_MIN_CAP 256

void ua_buf_init(struct ua_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}

void ua_buf_release(struct ua_buf *b)
{
	free(b->data);
	ua_buf_init(b);
}

void ua_buf_reset(struct ua_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

void ua_buf_truncate(struct ua_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

int ua_buf_grow(struct ua_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	/* len + n + 1 must not wrap: a wrapped size would "fit" and then overrun. */
	if (n > SIZE_MAX - 1 - b->len) {
		b->err = -ENOMEM;
		return b->err;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;

	cap = b->cap ? b->cap : BUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->err = -ENOMEM;
		return b->err;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int ua_buf_add_slow(struct ua_buf *b, const void *data, size_t len)
{
	if (ua_buf_grow(b, len))
		return b->err;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int ua_buf_vaddf(struct ua_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return b->err;
	/* Try in the room we have; most records fit and need one vsnprintf. */
	if (ua_buf_grow(b, 64))
		return b->err;
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = errno ? -errno : -EINVAL;
		b->data[b->len] = '\0';
		return b->err;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (ua_buf_grow(b, (size_t)n)) {
			b->data[b->len] = '\0';
			return b->err;
		}
		va_copy(cp, ap);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
		va_end(cp);
		if (n < 0) {
			b->err = errno ? -errno : -EINVAL;
			b->data[b->len] = '\0';
			return b->err;
		}
	}
	b->len += (size_t)n;
	return 0;
}

int ua_buf_addf(struct ua_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = ua_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return err;
}

/* "00".."99": two decimal digits per division. */
static const char dec_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Digits are made right to left in @tmp, then appended at once; each base
 * has its own loop so that the divisions are by constants (shifts, or a
 * multiplication for 100) and never a division instruction. */
int ua_buf_addu64(struct ua_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		tmp[--i] = dec_pairs[2 * r + 1];
		tmp[--i] = dec_pairs[2 * r];
	}
	if (v >= 10) {
		tmp[--i] = dec_pairs[2 * v + 1];
		tmp[--i] = dec_pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	return ua_buf_add(b, tmp + i, sizeof(tmp) - i);
}

int ua_buf_addi64(struct ua_buf *b, int64_t v)
{
	if (v >= 0)
		return ua_buf_addu64(b, (uint64_t)v);
	if (ua_buf_addch(b, '-'))
		return b->err;
	return ua_buf_addu64(b, -(uint64_t)v);
}

int ua_buf_addhex(struct ua_buf *b, uint64_t v, unsigned int width)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t i = sizeof(tmp);

	if (width > 16)
		width = 16;
	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	/* zero-padded to @width digits (at most the buffer) */
	for (size_t start = sizeof(tmp) - width; i > start;)
		tmp[--i] = '0';
	return ua_buf_add(b, tmp + i, sizeof(tmp) - i);
}

int ua_buf_addoct(struct ua_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	/* "%#o": a leading 0, and "0" alone for zero */
	if (tmp[i] != '0')
		tmp[--i] = '0';
	return ua_buf_add(b, tmp + i, sizeof(tmp) - i);
}
