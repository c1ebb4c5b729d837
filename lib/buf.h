/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A growable output buffer with a sticky error, so a formatter can append field after field
 * and check once at the end (the pattern of git's strbuf, minus the die() on ENOMEM: a daemon
 * must survive an allocation failure and report it).
 */
#ifndef UA_BUF_H
#define UA_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct ua_buf {
	char *data; /* NUL-terminated whenever len > 0 */
	size_t len, cap;
	int err; /* 0, or the first error (-ENOMEM, ...); later adds do nothing */
};

/* clang-format off */
#define UA_BUF_INIT { NULL, 0, 0, 0 }
/* clang-format on */

void ua_buf_init(struct ua_buf *b);
/* Free the memory; @b is then as after ua_buf_init(). */
void ua_buf_release(struct ua_buf *b);
/* Empty @b and clear its error, keeping the memory for the next record. */
void ua_buf_reset(struct ua_buf *b);
/* Shorten @b to @len bytes (no-op if it is not longer): undoes a partial append. */
void ua_buf_truncate(struct ua_buf *b, size_t len);
/* Make room for @n more bytes (and the NUL). Returns b->err. */
int ua_buf_grow(struct ua_buf *b, size_t n);

/* Appenders: all return b->err (0 on success). ua_buf_add, ua_buf_addch and
 * ua_buf_addstr are inline: when the bytes fit in the room already there (the
 * record path's case, its buffer reused record after record) they are a
 * compare and a copy; otherwise ua_buf_add_slow grows the buffer. */
int ua_buf_add_slow(struct ua_buf *b, const void *data, size_t len);

static inline int ua_buf_add(struct ua_buf *b, const void *data, size_t len)
{
	/* No error, and len + 1 fits: b->cap - b->len cannot wrap (len < cap). */
	if (!b->err && b->data && len < b->cap - b->len) {
		if (len)
			__builtin_memcpy(b->data + b->len, data, len);
		b->len += len;
		b->data[b->len] = '\0';
		return 0;
	}
	return ua_buf_add_slow(b, data, len);
}

static inline int ua_buf_addch(struct ua_buf *b, char c)
{
	if (!b->err && b->data && b->cap - b->len > 1) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return ua_buf_add_slow(b, &c, 1);
}

static inline int ua_buf_addstr(struct ua_buf *b, const char *s)
{
	return ua_buf_add(b, s, __builtin_strlen(s));
}

/* Room for @n more bytes (and the NUL) at the end of @b: where to write them,
 * or NULL on error (b->err set). Then ua_buf_commit(b, n) with the bytes
 * written (at most @n). */
static inline char *ua_buf_room(struct ua_buf *b, size_t n)
{
	if (!b->err && b->data && n < b->cap - b->len)
		return b->data + b->len;
	if (ua_buf_grow(b, n))
		return NULL;
	return b->data + b->len;
}

static inline void ua_buf_commit(struct ua_buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

/* Numbers without printf (the record path's hot spots): decimal; hex in
 * lower case, zero-padded to at least @width digits; octal as "%#o" prints it
 * (a leading 0, and "0" for zero). */
int ua_buf_addu64(struct ua_buf *b, uint64_t v);
int ua_buf_addi64(struct ua_buf *b, int64_t v);
int ua_buf_addhex(struct ua_buf *b, uint64_t v, unsigned int width);
int ua_buf_addoct(struct ua_buf *b, uint64_t v);
int ua_buf_addf(struct ua_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ua_buf_vaddf(struct ua_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif /* UA_BUF_H */
