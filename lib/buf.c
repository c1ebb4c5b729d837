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

/* 10^i for i < 20: the number of decimal digits of a value without dividing. */
static const uint64_t pow10s[20] = { 1ull,
				     10ull,
				     100ull,
				     1000ull,
				     10000ull,
				     100000ull,
				     1000000ull,
				     10000000ull,
				     100000000ull,
				     1000000000ull,
				     10000000000ull,
				     100000000000ull,
				     1000000000000ull,
				     10000000000000ull,
				     100000000000000ull,
				     1000000000000000ull,
				     10000000000000000ull,
				     100000000000000000ull,
				     1000000000000000000ull,
				     10000000000000000000ull };

/* Digits are written right to left straight into the buffer's room, their
 * count known first (a copy through a temporary was a memcpy call per
 * number); each base has its own loop so that the divisions are by constants
 * (shifts, or a multiplication for 100) and never a division instruction. */
int ua_buf_addu64(struct ua_buf *b, uint64_t v)
{
	unsigned int n = 1;
	char *w, *d;

	while (n < 20 && v >= pow10s[n])
		n++;
	w = ua_buf_room(b, n);
	if (!w)
		return b->err;
	d = w + n;
	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		*--d = dec_pairs[2 * r + 1];
		*--d = dec_pairs[2 * r];
	}
	if (v >= 10) {
		*--d = dec_pairs[2 * v + 1];
		*--d = dec_pairs[2 * v];
	} else {
		*--d = (char)('0' + v);
	}
	ua_buf_commit(b, n);
	return 0;
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
	unsigned int n = 1;
	char *w, *d;

	if (width > 16)
		width = 16;
	while (n < 16 && v >> (4 * n))
		n++;
	/* zero-padded to @width digits */
	if (n < width)
		n = width;
	w = ua_buf_room(b, n);
	if (!w)
		return b->err;
	for (d = w + n; d > w; v >>= 4)
		*--d = digits[v & 15];
	ua_buf_commit(b, n);
	return 0;
}

int ua_buf_addoct(struct ua_buf *b, uint64_t v)
{
	unsigned int n = 1;
	char *w, *d;

	while (n < 22 && v >> (3 * n))
		n++;
	/* "%#o": a leading 0, and "0" alone for zero */
	if (v)
		n++;
	w = ua_buf_room(b, n);
	if (!w)
		return b->err;
	for (d = w + n; d > w; v >>= 3)
		*--d = (char)('0' + (v & 7));
	ua_buf_commit(b, n);
	return 0;
}
