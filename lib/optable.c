// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* io_uring opcode table: built-in (ops.def) and runtime (from the kernel's BTF). */
#include <errno.h>
#include <string.h>

#include "optable.h"

#define ENUM_PREFIX "IORING_OP_"

struct builtin_op {
	const char *name;
	int audited;
	unsigned int classes; /* UA_OPC() bits */
};

/*
 * Indexed by opcode. Designated initializers turn a number listed twice in ops.def into a
 * -Woverride-init (gcc, in -Wextra) / -Winitializer-overrides (clang) error.
 */
static const struct builtin_op builtin_ops[] = {
#define UA_OP(nr, id, n, a, c) [nr] = { .name = (n), .audited = (a), .classes = (c) },
#include "ops.def"
#undef UA_OP
};

#define BUILTIN_NR (sizeof(builtin_ops) / sizeof(builtin_ops[0]))

_Static_assert(BUILTIN_NR <= UA_OP_MAX, "ops.def: more opcodes than a u8 holds");
#define UA_OP(nr, id, n, a, c)                                                          \
	_Static_assert(sizeof(n) <= UA_OP_NAME_MAX, "ops.def: name too long: " n);      \
	_Static_assert((a) == 0 || (a) == 1, "ops.def: default_audited is 0 or 1: " n); \
	_Static_assert(((c) & ~((1u << UA_OPC_NR) - 1)) == 0, "ops.def: unknown class: " n);
#include "ops.def"
#undef UA_OP

/* Opcodes that mainline audits but this build may not know by number. */
static const char *const extra_default_ops[] = {
	"uring_cmd128", /* IORING_OP_URING_CMD128, audited like uring_cmd where it exists */
};

/* Not <ctype.h>: its answers depend on the locale, and these grammars must not. */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || is_digit(c);
}

void ua_optable_clear(struct ua_optable *t)
{
	memset(t, 0, sizeof(*t));
}

void ua_optable_init_builtin(struct ua_optable *t)
{
	unsigned int op;

	ua_optable_clear(t);
	for (op = 0; op < BUILTIN_NR; op++) {
		if (builtin_ops[op].name)
			strcpy(t->name[op], builtin_ops[op].name); /* length checked at build */
	}
	t->nr = BUILTIN_NR;
}

static int find_name(const struct ua_optable *t, const char *name)
{
	unsigned int op;

	for (op = 0; op < UA_OP_MAX; op++) {
		if (t->name[op][0] && strcmp(t->name[op], name) == 0)
			return op;
	}
	return -ENOENT;
}

int ua_optable_set_enum(struct ua_optable *t, const char *enumerator, long value)
{
	char name[UA_OP_NAME_MAX];
	const char *suffix;
	size_t i, len;
	int other;

	if (!t || !enumerator || strncmp(enumerator, ENUM_PREFIX, strlen(ENUM_PREFIX)) != 0)
		return -EINVAL;
	suffix = enumerator + strlen(ENUM_PREFIX);

	/* IORING_OP_LAST is a count, not an opcode: it may equal UA_OP_MAX. */
	if (strcmp(suffix, "LAST") == 0) {
		if (value < 0 || value > UA_OP_MAX)
			return -EINVAL;
		t->nr = (uint16_t)value;
		return 0;
	}

	len = strlen(suffix);
	if (len == 0 || len >= sizeof(name) || value < 0 || value >= UA_OP_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = suffix[i];

		if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'))
			return -EINVAL;
		name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	name[len] = '\0';

	other = find_name(t, name);
	if (other >= 0 && other != value)
		return -EEXIST;

	memcpy(t->name[value], name, len + 1);
	/* Keep nr covering every named opcode even if LAST is missing or comes first. */
	if (value >= t->nr)
		t->nr = (uint16_t)(value + 1);
	return 0;
}

const char *ua_optable_name(const struct ua_optable *t, unsigned int op)
{
	if (!t || op >= UA_OP_MAX || !t->name[op][0])
		return NULL;
	return t->name[op];
}

int ua_optable_lookup(const struct ua_optable *t, const char *s)
{
	const char *p;

	if (!t || !s || !*s)
		return -EINVAL;

	if (is_digit(*s) || *s == '-') {
		unsigned int v = 0;
		int neg = *s == '-';

		p = neg ? s + 1 : s;
		if (!*p)
			return -EINVAL;
		for (; *p; p++) {
			if (!is_digit(*p))
				return -EINVAL; /* "18x": junk, not a bad number */
			if (v <= UA_OP_MAX)
				v = v * 10 + (unsigned int)(*p - '0');
		}
		if (neg || v >= UA_OP_MAX)
			return -ERANGE;
		return (int)v;
	}

	if (!is_name_start(*s))
		return -EINVAL;
	for (p = s + 1; *p; p++) {
		if (!is_name_char(*p))
			return -EINVAL;
	}
	return find_name(t, s);
}

static int mask_add(uint64_t mask[4], int op)
{
	uint64_t bit = 1ull << (op % 64);

	if (mask[op / 64] & bit)
		return 0;
	mask[op / 64] |= bit;
	return 1;
}

int ua_optable_default_mask(const struct ua_optable *t, uint64_t mask[4])
{
	unsigned int op, i;
	int count = 0, nr;

	if (!t || !mask)
		return -EINVAL;
	memset(mask, 0, 4 * sizeof(mask[0]));

	/* By name: on another kernel the same op may carry another number. */
	for (op = 0; op < BUILTIN_NR; op++) {
		if (!builtin_ops[op].audited)
			continue;
		nr = find_name(t, builtin_ops[op].name);
		if (nr >= 0)
			count += mask_add(mask, nr);
	}
	for (i = 0; i < sizeof(extra_default_ops) / sizeof(extra_default_ops[0]); i++) {
		nr = find_name(t, extra_default_ops[i]);
		if (nr >= 0)
			count += mask_add(mask, nr);
	}
	return count;
}

unsigned int ua_builtin_op_classes(unsigned int op)
{
	return op < BUILTIN_NR ? builtin_ops[op].classes : 0;
}

int ua_optable_class_mask(const struct ua_optable *t, unsigned int cls, uint64_t mask[4])
{
	unsigned int op;
	int count = 0, nr;

	if (!mask || cls >= UA_OPC_NR)
		return -EINVAL;
	memset(mask, 0, 4 * sizeof(mask[0]));
	if (!t)
		return 0;
	/* By name, as the default mask: the running kernel's numbers are @t's. */
	for (op = 0; op < BUILTIN_NR; op++) {
		if (!(builtin_ops[op].classes & (1u << cls)))
			continue;
		nr = find_name(t, builtin_ops[op].name);
		if (nr >= 0)
			count += mask_add(mask, nr);
	}
	return count;
}

const char *ua_builtin_op_name(unsigned int op)
{
	return op < BUILTIN_NR ? builtin_ops[op].name : NULL;
}

int ua_builtin_op_default(unsigned int op)
{
	return op < BUILTIN_NR ? builtin_ops[op].audited : 0;
}

unsigned int ua_builtin_op_count(void)
{
	return BUILTIN_NR;
}

/* enum io_uring_register_op (include/uapi/linux/io_uring.h); numbers are only added. */
static const char *const register_op_names[] = {
	"register_buffers",	  "unregister_buffers",	       "register_files",
	"unregister_files",	  "register_eventfd",	       "unregister_eventfd",
	"register_files_update",  "register_eventfd_async",    "register_probe",
	"register_personality",	  "unregister_personality",    "register_restrictions",
	"register_enable_rings",  "register_files2",	       "register_files_update2",
	"register_buffers2",	  "register_buffers_update",   "register_iowq_aff",
	"unregister_iowq_aff",	  "register_iowq_max_workers", "register_ring_fds",
	"unregister_ring_fds",	  "register_pbuf_ring",	       "unregister_pbuf_ring",
	"register_sync_cancel",	  "register_file_alloc_range", "register_pbuf_status",
	"register_napi",	  "unregister_napi",	       "register_clock",
	"register_clone_buffers", "register_send_msg_ring",    "register_zcrx_ifq",
	"register_resize_rings",  "register_mem_region",       "register_query",
};

const char *ua_register_op_name(unsigned int op)
{
	return op < sizeof(register_op_names) / sizeof(register_op_names[0]) ?
		       register_op_names[op] :
		       NULL;
}
