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

int ua_buf_add(struct ua_buf *b, const void *data, size_t len)
{
	if (ua_buf_grow(b, len))
		return b->err;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int ua_buf_addch(struct ua_buf *b, char c)
{
	return ua_buf_add(b, &c, 1);
}

int ua_buf_addstr(struct ua_buf *b, const char *s)
{
	return ua_buf_add(b, s, strlen(s));
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

/* Digits are made right to left in @tmp, then appended at once. */
static int add_digits(struct ua_buf *b, uint64_t v, unsigned int base, unsigned int width)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	/* zero-padded to @width digits (at most the buffer) */
	for (size_t start = width < sizeof(tmp) ? sizeof(tmp) - width : 0; i > start;)
		tmp[--i] = '0';
	return ua_buf_add(b, tmp + i, sizeof(tmp) - i);
}

int ua_buf_addu64(struct ua_buf *b, uint64_t v)
{
	return add_digits(b, v, 10, 0);
}

int ua_buf_addi64(struct ua_buf *b, int64_t v)
{
	if (v >= 0)
		return add_digits(b, (uint64_t)v, 10, 0);
	if (ua_buf_addch(b, '-'))
		return b->err;
	return add_digits(b, -(uint64_t)v, 10, 0);
}

int ua_buf_addhex(struct ua_buf *b, uint64_t v, unsigned int width)
{
	return add_digits(b, v, 16, width > 16 ? 16 : width);
}

int ua_buf_addoct(struct ua_buf *b, uint64_t v)
{
	if (v && ua_buf_addch(b, '0'))
		return b->err;
	return add_digits(b, v, 8, 0);
}
