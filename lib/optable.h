/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * io_uring opcode names and numbers.
 *
 * Two sources: the built-in table generated from ops.def (what this build knows), and a
 * runtime table (struct ua_optable) that the daemon fills from the running kernel's BTF
 * (enum io_uring_op) so that opcodes newer than this build still get names. No globals: the
 * caller owns the table.
 */
#ifndef UA_OPTABLE_H
#define UA_OPTABLE_H

#include <stdint.h>

#include "ua_abi.h"

#define UA_OP_MAX 256	  /* opcodes are a u8 in the SQE */
#define UA_OP_NAME_MAX 32 /* NUL included */

/* UA_OP_OPENAT = 18, ...: the built-in numbers, for code that must know a specific op. */
enum ua_op_nr {
#define UA_OP(nr, id, name, audited, classes) UA_OP_##id = (nr),
#include "ops.def"
#undef UA_OP
};

struct ua_optable {
	char name[UA_OP_MAX][UA_OP_NAME_MAX]; /* "" when the opcode has no name */
	uint16_t nr;			      /* opcodes known (IORING_OP_LAST) */
};

/* Fill @t from ops.def. */
void ua_optable_init_builtin(struct ua_optable *t);
/* No names, nr = 0: the starting point before ua_optable_set_enum() calls. */
void ua_optable_clear(struct ua_optable *t);
/*
 * Add one enumerator of enum io_uring_op: ("IORING_OP_OPENAT", 18) names opcode 18 "openat".
 * "IORING_OP_LAST" names nothing but sets t->nr. Returns 0, -EINVAL for a name without the
 * prefix, with characters other than [A-Z0-9_], too long, or a value out of range, and
 * -EEXIST when the name is already given to another opcode (lookups must stay unambiguous).
 */
int ua_optable_set_enum(struct ua_optable *t, const char *enumerator, long value);
/* The name of @op, or NULL if @t has none. */
const char *ua_optable_name(const struct ua_optable *t, unsigned int op);
/*
 * Opcode from a rule's token: a lowercase name known to @t, or a decimal number 0..255 (any
 * number is accepted, named or not, so rules can select ops newer than every table).
 * Returns the opcode, -ENOENT for an unknown name, -ERANGE for a number out of range,
 * -EINVAL for an empty string or anything that is neither a name nor a number.
 */
int ua_optable_lookup(const struct ua_optable *t, const char *s);
/*
 * Set in @mask (256 bits, cleared first) the opcodes that mainline audits, found by name in
 * @t (numbers may differ from the built-in ones on other kernels), plus "uring_cmd128" when @t
 * has it. Returns the number of bits set, or -EINVAL.
 */
int ua_optable_default_mask(const struct ua_optable *t, uint64_t mask[4]);

/*
 * Set in @mask (256 bits, cleared first) the opcodes of op class @cls (enum ua_op_class):
 * the ops.def rows of that class, found by name in @t (a name @t lacks is absent; @t NULL
 * names nothing). Returns the number of bits set, or -EINVAL for an unknown class.
 */
int ua_optable_class_mask(const struct ua_optable *t, unsigned int cls, uint64_t mask[4]);

/* Built-in table: name of @op (NULL if unknown), whether mainline audits it (0/1), and its
 * classes (UA_OPC() bits, 0 if unknown). */
const char *ua_builtin_op_name(unsigned int op);
int ua_builtin_op_default(unsigned int op);
unsigned int ua_builtin_op_classes(unsigned int op);
/* Number of built-in opcodes (the built-in IORING_OP_LAST). */
unsigned int ua_builtin_op_count(void);

/* The name of io_uring_register opcode @op ("register_personality"), or NULL. */
const char *ua_register_op_name(unsigned int op);

#endif /* UA_OPTABLE_H */
