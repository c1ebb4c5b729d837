// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The built-in rules as rule text (see default_rules.h). */
#include <errno.h>

#include "default_rules.h"

int ua_default_rules_text(const struct ua_optable *ops, struct ua_buf *out)
{
	uint64_t mask[4] = { 0 };
	unsigned int op;
	int first = 1;

	if (ua_optable_default_mask(ops, mask) <= 0)
		return -ENOENT;
	ua_buf_addstr(out, "-a always,io_uring -S ");
	for (op = 0; op < UA_OP_MAX; op++) {
		if (!(mask[op / 64] & (1ULL << (op % 64))))
			continue;
		ua_buf_addf(out, "%s%s", first ? "" : ",", ua_optable_name(ops, op));
		first = 0;
	}
	ua_buf_addch(out, '\n');
	return out->err;
}
