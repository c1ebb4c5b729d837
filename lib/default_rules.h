/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The built-in rules, defined once: the daemon runs them without --rules, `uringaudit rules
 * default` prints them, and the build writes them to rules.d/50-default.rules for `make
 * install`. They select the opcodes mainline's own io_uring audit records (ops.def's
 * default_audited column), named as @ops names them.
 */
#ifndef UA_DEFAULT_RULES_H
#define UA_DEFAULT_RULES_H

#include "buf.h"
#include "optable.h"

/* Append the rule text (one "-a always,io_uring -S ..." line). Returns out->err, or -ENOENT
 * when @ops knows none of the opcodes. */
int ua_default_rules_text(const struct ua_optable *ops, struct ua_buf *out);

#endif /* UA_DEFAULT_RULES_H */
