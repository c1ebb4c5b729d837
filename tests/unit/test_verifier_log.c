// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The verifier's refusal, in one line, from libbpf's load-log message. */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "verifier_log.h"

static void test_refusal_line(void)
{
	char out[256] = "";
	const char *msg =
		"libbpf: prog 'submit_req': -- BEGIN PROG LOAD LOG --\n"
		"0: R1=ctx() R10=fp0\n"
		"; int BPF_PROG(submit_req, void *vreq) @ uringaudit.bpf.c:42\n"
		"12: (79) r2 = *(u64 *)(r1 +8)\n"
		"R1 invalid mem access 'scalar'\n"
		"processed 13 insns (limit 1000000) max_states_per_insn 0 total_states 1\n"
		"-- END PROG LOAD LOG --\n";

	ASSERT_EQ(ua_verifier_reason(msg, out, sizeof(out)), 1, "a load log");
	ASSERT_STREQ(out, "program 'submit_req': R1 invalid mem access 'scalar'", "reason");
}

static void test_no_summary(void)
{
	char out[256] = "";
	const char *msg = "prog 'complete': -- BEGIN PROG LOAD LOG --\n"
			  "combined stack size of 4 calls is 528. Too large\n\n"
			  "-- END PROG LOAD LOG --\n";

	ASSERT_EQ(ua_verifier_reason(msg, out, sizeof(out)), 1, "a load log");
	ASSERT_STREQ(out, "program 'complete': combined stack size of 4 calls is 528. Too large",
		     "last non-empty line");
}

static void test_other_messages(void)
{
	char out[16] = "keep";

	ASSERT_EQ(
		ua_verifier_reason("libbpf: prog 'x': BPF program load failed: Permission denied\n",
				   out, sizeof(out)),
		0, "not a load log");
	ASSERT_STREQ(out, "keep", "untouched");
	ASSERT_EQ(
		ua_verifier_reason("prog 'x': -- BEGIN PROG LOAD LOG --\n-- END PROG LOAD LOG --\n",
				   out, sizeof(out)),
		1, "an empty log");
	ASSERT_STREQ(out, "program 'x': (e", "truncated to the buffer");
}

int main(void)
{
	RUN_TEST(test_refusal_line);
	RUN_TEST(test_no_summary);
	RUN_TEST(test_other_messages);
	return test_main_end();
}
