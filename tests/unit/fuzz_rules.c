// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for lib/rules.c. Any input parses without a crash, leak or undefined
 * behaviour, and:
 *   - the verdict is 0 or -EINVAL, with errors reported exactly when it is -EINVAL;
 *   - every diagnostic is well formed (1-based place, printable ASCII, lowercase, no period);
 *   - a text with errors leaves the set as it was;
 *   - the same verdict and set without a diagnostics list (until the list is full);
 *   - whatever the set holds is formatted, parsed again (no diagnostic at all) to an equal
 *     set, and formats to the same bytes: parse(format(parse(x))) == parse(x);
 *   - ua_rules_check_set() only warns, and ua_rules_opmask() is the union it promises.
 * A NUL byte splits the input into two texts parsed into one set in turn (two rule files).
 * Aborts on any mismatch.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib lib/[a-z]*.c \
 *	tests/unit/fuzz_rules.c -o fuzz_rules
 *   ./fuzz_rules -max_len=20000 -max_total_time=60 CORPUS_DIR
 *
 * (lib/[a-z]*.c is lib's every .c file, spelled so as not to end this comment.)
 *
 * Without libFuzzer (any compiler), -DUA_FUZZ_STANDALONE adds a main() that runs the target
 * once per file named on the command line, or once on stdin.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "optable.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_rules: %s\n", what);
		abort();
	}
}

static void check_diags(const struct ua_diags *d, size_t from)
{
	size_t i, j;

	for (i = from; i < d->n; i++) {
		const struct ua_diag *g = &d->v[i];
		size_t len = strnlen(g->msg, sizeof(g->msg));

		check(len > 0 && len < sizeof(g->msg), "diag message empty or not terminated");
		check(g->line >= 1 && g->col >= 1, "diag place not 1-based");
		check(g->col <= UA_RULE_LINE_MAX + 1, "diag column beyond a line");
		check(!(g->msg[0] >= 'A' && g->msg[0] <= 'Z'), "diag message not lowercase");
		check(g->msg[len - 1] != '.', "diag message ends with a period");
		for (j = 0; j < len; j++) {
			unsigned char c = (unsigned char)g->msg[j];

			check(c >= 0x20 && c <= 0x7e, "diag message not printable ASCII");
		}
	}
}

static void format_set(const struct ua_ruleset *rs, const struct ua_optable *ops,
		       struct ua_buf *out)
{
	ua_buf_reset(out);
	check(ua_rules_format(rs, ops, out) == 0, "format of a parsed set failed");
}

/* Parse @text into @rs (and into a copy without diagnostics) and check what it says. */
static int parse_checked(struct ua_ruleset *rs, struct ua_ruleset *quiet, const char *name,
			 const char *text, size_t len, const struct ua_optable *ops,
			 struct ua_diags *d)
{
	struct ua_buf before = UA_BUF_INIT, after = UA_BUF_INIT;
	size_t n0 = d->n, errors0 = d->errors;
	int rc, rc_quiet;

	format_set(rs, ops, &before);
	rc = ua_rules_parse(rs, name, text, len, ops, d);
	rc_quiet = ua_rules_parse(quiet, name, text, len, ops, NULL);
	if (rc == -ENOMEM || rc_quiet == -ENOMEM) {
		ua_buf_release(&before);
		return -ENOMEM;
	}
	check(rc == 0 || rc == -EINVAL, "verdict is neither 0 nor -EINVAL");
	check_diags(d, n0);
	/* d->errors may have been past the maximum already: then nothing more is said. */
	check(rc == 0 ? d->errors == errors0 : d->errors > errors0 || errors0 > UA_DIAG_ERRORS_MAX,
	      "errors reported but verdict 0, or -EINVAL without an error");
	check(d->n == n0 || rc != 0, "the parser warned");
	/* Once @d is past the maximum, later texts are refused unread: only with @d. */
	if (errors0 <= UA_DIAG_ERRORS_MAX) {
		check(rc_quiet == rc, "verdict differs without a diagnostics list");
		check(ua_rules_equal(rs, quiet), "set differs without a diagnostics list");
	}
	if (rc) {
		format_set(rs, ops, &after);
		check(after.len == before.len &&
			      (before.len == 0 || memcmp(after.data, before.data, before.len) == 0),
		      "a text with errors changed the set");
	}
	ua_buf_release(&before);
	ua_buf_release(&after);
	return rc;
}

static void check_round_trip(const struct ua_ruleset *rs, const struct ua_optable *ops)
{
	struct ua_ruleset rs2 = { 0 };
	struct ua_diags d2 = { 0 };
	struct ua_buf f1 = UA_BUF_INIT, f2 = UA_BUF_INIT;
	int rc;

	format_set(rs, ops, &f1);
	rc = ua_rules_parse(&rs2, "normal", f1.data ? f1.data : "", f1.len, ops, &d2);
	if (rc == -ENOMEM)
		goto out;
	if (rc || d2.n) {
		fprintf(stderr, "normal form:\n%s", f1.data ? f1.data : "");
		if (d2.n)
			fprintf(stderr, "first diag: %d:%d: %s\n", d2.v[0].line, d2.v[0].col,
				d2.v[0].msg);
	}
	check(rc == 0, "the normal form does not parse");
	check(d2.n == 0, "the normal form has diagnostics");
	check(ua_rules_equal(rs, &rs2), "parse(format(set)) differs from the set");
	format_set(&rs2, ops, &f2);
	check(f2.len == f1.len && (f1.len == 0 || memcmp(f1.data, f2.data, f1.len) == 0),
	      "format is not stable");
out:
	ua_buf_release(&f1);
	ua_buf_release(&f2);
	ua_ruleset_release(&rs2);
	ua_diags_release(&d2);
}

static void check_set_checks(const struct ua_ruleset *rs, const struct ua_optable *ops,
			     struct ua_diags *d)
{
	uint64_t mask[4], want[4] = { 0 };
	size_t i, n0 = d->n, errors0 = d->errors;
	int w, rc;

	rc = ua_rules_check_set(rs, ops, d);
	if (rc == -ENOMEM)
		return;
	check(rc == 0, "check_set failed");
	check(d->errors == errors0, "check_set reported an error");
	check_diags(d, n0);
	for (i = n0; i < d->n; i++)
		check(d->v[i].warning, "check_set diag is not a warning");

	ua_rules_opmask(rs, mask);
	for (i = 0; i < rs->n; i++) {
		if (rs->rules[i].action == UA_ACT_NEVER)
			continue;
		for (w = 0; w < 4; w++)
			want[w] |= rs->rules[i].opmask[w];
	}
	check(memcmp(mask, want, sizeof(mask)) == 0, "opmask is not the union");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_ruleset rs = { 0 }, quiet = { 0 };
	struct ua_diags d = { 0 };
	struct ua_optable ops;
	const char *text = (const char *)data;
	const char *nul = size ? memchr(text, '\0', size) : NULL;
	size_t len1 = nul ? (size_t)(nul - text) : size;

	ua_optable_init_builtin(&ops);
	if (parse_checked(&rs, &quiet, "a.rules", size ? text : "", len1, &ops, &d) == -ENOMEM)
		goto out;
	if (nul &&
	    parse_checked(&rs, &quiet, "b.rules", nul + 1, size - len1 - 1, &ops, &d) == -ENOMEM)
		goto out;
	check_round_trip(&rs, &ops);
	check_set_checks(&rs, &ops, &d);
out:
	ua_ruleset_release(&rs);
	ua_ruleset_release(&quiet);
	ua_diags_release(&d);
	return 0;
}

#include "fuzz_standalone.h"
