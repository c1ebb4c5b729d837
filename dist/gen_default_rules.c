// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Writes rules.d/50-default.rules for `make install`: the daemon's built-in rules
 * (lib/default_rules.c) with the names of the built-in op table (lib/ops.def), so the file
 * does not depend on the kernel of the machine that builds it.
 */
#include <stdio.h>

#include "default_rules.h"
#include "optable.h"

int main(void)
{
	struct ua_optable ops;
	struct ua_buf out = UA_BUF_INIT;

	ua_optable_init_builtin(&ops);
	if (ua_default_rules_text(&ops, &out)) {
		fprintf(stderr, "gen_default_rules: cannot make the default rules\n");
		return 1;
	}
	printf("# uringaudit's default rules: the io_uring opcodes the kernel's own audit\n"
	       "# records (URINGOP), the same set the daemon runs without rules.\n"
	       "# An opcode newer than the running kernel is accepted and never matches.\n"
	       "# Files in this directory are read in name order; see uringaudit.rules(7).\n"
	       "%s",
	       out.data);
	ua_buf_release(&out);
	return 0;
}
