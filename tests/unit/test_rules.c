// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rule parser: accepted forms with their normal form and a round trip each, every error with
 * its line:column and message, the set warnings, several files into one set, and the limits
 * (256 rules, 64 fields, 8192-byte lines, 256-byte keys) at and one past the edge; then what
 * the compiler sends the kernel for each field (ua_rule_field_kval) and when a rule is decided
 * at completion (ua_rule_at_completion, ua_rule_completion).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "optable.h"
#include "rules.h"
#include "test.h"

/* A string literal and its length (so that texts may hold a NUL). */
#define T(s) s, sizeof(s) - 1

/* Most cases start with this; the token after it is at column 27, a -F value at 30. */
#define P "-a always,io_uring -S all "
/* The same with -S openat (for dir= and path=): the token after it is at column 30. */
#define PO "-a always,io_uring -S openat "
/* The same with -S connect (for family=, addr=, port=): a -F value is at column 34. */
#define PC "-a always,io_uring -S connect "

static struct ua_optable ops;

static void dump_diags(const struct ua_ruleset *rs, const struct ua_diags *d)
{
	struct ua_buf b = UA_BUF_INIT;
	size_t i;

	for (i = 0; i < d->n; i++) {
		ua_buf_reset(&b);
		ua_diag_format(rs, &d->v[i], &b);
		fprintf(stderr, "  diag: %s\n", b.data ? b.data : "");
	}
	ua_buf_release(&b);
}

/* "LINE:COL:substring": is there such a diagnostic (error or warning as asked)? */
static const struct ua_diag *find_diag(const struct ua_diags *d, int warning, const char *want)
{
	int line = 0, col = 0, off = 0;
	size_t i;

	if (sscanf(want, "%d:%d:%n", &line, &col, &off) != 2 || !off)
		return NULL;
	for (i = 0; i < d->n; i++) {
		const struct ua_diag *g = &d->v[i];

		if (!!g->warning == !!warning && g->line == line && g->col == col &&
		    strstr(g->msg, want + off))
			return g;
	}
	return NULL;
}

/* Messages are lowercase, have no trailing period, and point at a real place. */
static bool diags_well_formed(const struct ua_diags *d)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ua_diag *g = &d->v[i];
		size_t len = strlen(g->msg);

		ok &= ASSERT_TRUE(len > 0, "message not empty");
		if (!len)
			continue;
		ok &= ASSERT_FALSE(g->msg[0] >= 'A' && g->msg[0] <= 'Z', "message is lowercase");
		ok &= ASSERT_TRUE(g->msg[len - 1] != '.', "no trailing period");
		ok &= ASSERT_TRUE(g->line >= 1 && g->col >= 1, "line and column are 1-based");
	}
	return ok;
}

static int parse1(struct ua_ruleset *rs, struct ua_diags *d, const char *text, size_t len)
{
	return ua_rules_parse(rs, "test.rules", text, len, &ops, d);
}

/* parse(format(rs)) == rs, and formatting that gives the same text again. */
static bool round_trip(const struct ua_ruleset *rs, const char *what)
{
	struct ua_ruleset rs2 = { 0 };
	struct ua_diags d2 = { 0 };
	struct ua_buf f1 = UA_BUF_INIT, f2 = UA_BUF_INIT;
	bool ok = true;

	ok &= ASSERT_OK(ua_rules_format(rs, &ops, &f1), what);
	ok &= ASSERT_OK(parse1(&rs2, &d2, f1.data ? f1.data : "", f1.len), what);
	if (!ok)
		dump_diags(&rs2, &d2);
	ok &= ASSERT_TRUE(ua_rules_equal(rs, &rs2), what);
	ok &= ASSERT_OK(ua_rules_format(&rs2, &ops, &f2), what);
	ok &= ASSERT_MEMEQ(f2.data, f2.len, f1.data, f1.len, what);
	if (!ok)
		fprintf(stderr, "  normal form:\n%s", f1.data ? f1.data : "");
	ua_buf_release(&f1);
	ua_buf_release(&f2);
	ua_ruleset_release(&rs2);
	ua_diags_release(&d2);
	return ok;
}

/* ---- accepted forms ---- */

struct ok_case {
	const char *name;
	const char *text;
	size_t len;
	const char *normal; /* ua_rules_format() of the result */
};

static const struct ok_case ok_cases[] = {
	{ "design_user_open",
	  T("-a always,io_uring -S openat,openat2 -F auid>=1000 -F auid!=unset -k user-open\n"),
	  "-a always,io_uring -S openat,openat2 -F auid>=1000 -F auid!=unset -k user-open\n" },
	{ "design_never_exe", T("-a never,io_uring -S all -F exe=/usr/sbin/nginx\n"),
	  "-a never,io_uring -S all -F exe=/usr/sbin/nginx\n" },
	{ "design_net", T("-a always,io_uring -S connect -k net\n"),
	  "-a always,io_uring -S connect -k net\n" },
	{ "list_before_action", T("-a io_uring,always -S 18\n"), "-a always,io_uring -S openat\n" },
	{ "ops_sorted_by_number", T("-a always,io_uring -S openat2,openat,close\n"),
	  "-a always,io_uring -S openat,close,openat2\n" },
	{ "ops_repeated_S", T("-a always,io_uring -S openat -S close -S openat\n"),
	  "-a always,io_uring -S openat,close\n" },
	{ "ops_all_absorbs", T("-a always,io_uring -S openat,all -S 200\n"),
	  "-a always,io_uring -S all\n" },
	{ "ops_unnamed_numbers", T("-a always,io_uring -S 200,openat,255,0\n"),
	  "-a always,io_uring -S nop,openat,200,255\n" },
	{ "ops_file_ops",
	  T("-a always,io_uring -S unlinkat,renameat,mkdirat,symlinkat,linkat,openat2 "
	    "-F path=/tmp/x\n"),
	  "-a always,io_uring -S openat2,renameat,unlinkat,mkdirat,symlinkat,linkat "
	  "-F path=/tmp/x\n" },
	{ "ops_number_file_op", T("-a always,io_uring -S 18 -F path=/x\n"),
	  "-a always,io_uring -S openat -F path=/x\n" },
	{ "auid_minus1_ses_unset", T(P "-F auid=-1 -F ses!=unset -F auid!=4294967295\n"),
	  P "-F auid=unset -F ses!=unset -F auid!=unset\n" },
	{ "ses_minus1", T(P "-F ses=-1\n"), P "-F ses=unset\n" },
	{ "ids_minus1_hex_zeros",
	  T(P "-F uid=-1 -F gid!=-1 -F euid=0x10 -F egid=0X1f -F suid=007 -F fsuid=0\n"),
	  P "-F uid=4294967295 -F gid!=4294967295 -F euid=16 -F egid=31 -F suid=7 -F fsuid=0\n" },
	{ "ids_all_kinds",
	  T(P "-F sgid=1 -F fsgid=2 -F pid=4294967295 -F ppid=1 -F uid=4294967295\n"),
	  P "-F sgid=1 -F fsgid=2 -F pid=4294967295 -F ppid=1 -F uid=4294967295\n" },
	{ "every_operator",
	  T(P "-F uid=1 -F uid!=2 -F uid<3 -F uid>0 -F uid<=5 -F uid>=1 -F uid&1 -F uid&=1\n"),
	  P "-F uid=1 -F uid!=2 -F uid<3 -F uid>0 -F uid<=5 -F uid>=1 -F uid&1 -F uid&=1\n" },
	{ "exit_names_and_bounds",
	  T(P "-F exit=-EACCES -F exit!=EPERM -F exit>=-2147483648 -F exit<=0x7fffffff\n"),
	  P "-F exit=-13 -F exit!=-1 -F exit>=-2147483648 -F exit<=2147483647\n" },
	{ "exit_more_names",
	  T(P "-F exit!=-ENOENT -F exit!=EEXIST -F exit!=-ECANCELED -F exit!=ENAMETOOLONG\n"),
	  P "-F exit!=-2 -F exit!=-17 -F exit!=-125 -F exit!=-36\n" },
	{ "exit_zero_and_hex", T(P "-F exit=0 -F exit!=-0 -F exit!=-0x10\n"),
	  P "-F exit=0 -F exit!=0 -F exit!=-16\n" },
	{ "success_words", T(P "-F success=yes -F success!=no\n"),
	  P "-F success=1 -F success!=0\n" },
	{ "success_numbers", T(P "-F success=0\n"), P "-F success=0\n" },
	{ "extension_fields",
	  T(P
	    "-F ctx=sqpoll -F cred=personality -F personality=65535 -F ctx!=iowq -F cred!=task\n"),
	  P "-F ctx=sqpoll -F cred=personality -F personality=65535 -F ctx!=iowq -F cred!=task\n" },
	{ "personality_hex", T(P "-F personality=0x1\n"), P "-F personality=1\n" },
	{ "comm_quoted_value", T(P "-F comm=\"my prog\"\n"), P "-F comm=\"my prog\"\n" },
	{ "comm_whole_token_quoted", T(P "-F \"comm=my prog\"\n"), P "-F comm=\"my prog\"\n" },
	{ "comm_15_bytes", T(P "-F comm=0123456789abcde\n"), P "-F comm=0123456789abcde\n" },
	{ "quote_escapes", T(PO "-F \"path=/a\\\"b\\\\c\"\n"), PO "-F path=\"/a\\\"b\\\\c\"\n" },
	{ "backslash_bare", T(PO "-F path=/a\\b\n"), PO "-F path=/a\\b\n" },
	{ "backslash_other_in_quotes", T(PO "-F path=\"/a\\nb\"\n"), PO "-F path=/a\\nb\n" },
	{ "quote_mid_token", T(PO "-F path=/a\" \"b\n"), PO "-F path=\"/a b\"\n" },
	{ "tab_in_quoted_path", T(PO "-F path=\"/a\tb\"\n"), PO "-F path=\"/a\tb\"\n" },
	{ "value_with_equals", T(PO "-F path=/a=b\n"), PO "-F path=/a=b\n" },
	{ "dir_openat", T(PO "-F dir=/etc\n"), PO "-F dir=/etc\n" },
	{ "path_dir_all_ops", T(P "-F path=/x -F dir=/y\n"), P "-F path=/x -F dir=/y\n" },
	{ "path_mixed_ops", T("-a always,io_uring -S openat,close -F path=/x\n"),
	  "-a always,io_uring -S openat,close -F path=/x\n" },
	{ "exe_with_space", T(P "-F exe=\"/opt/my app/bin\"\n"), P "-F exe=\"/opt/my app/bin\"\n" },
	{ "cgroup_forms",
	  T(P "-F cgroup=/sys/fs/cgroup/system.slice -F cgroup!=/user.slice -F cgroup!=1234\n"),
	  P "-F cgroup=/sys/fs/cgroup/system.slice -F cgroup!=/user.slice -F cgroup!=1234\n" },
	{ "key_with_space", T(P "-k \"my key\"\n"), P "-k \"my key\"\n" },
	{ "key_as_field", T(P "-F key=foo\n"), P "-k foo\n" },
	{ "key_utf8", T(P "-k caf\xc3\xa9\n"), P "-k caf\xc3\xa9\n" },
	{ "key_dash", T(P "-k -foo\n"), P "-k -foo\n" },
	{ "key_single_quotes_literal", T(P "-k 'x'\n"), P "-k 'x'\n" },
	{ "key_with_dquote", T(P "-k \"a\\\"b\"\n"), P "-k \"a\\\"b\"\n" },
	{ "glued_args", T("-a always,io_uring -Sopenat -Fuid=0 -kfoo\n"),
	  "-a always,io_uring -S openat -F uid=0 -k foo\n" },
	{ "glued_action", T("-aalways,io_uring -Sall\n"), "-a always,io_uring -S all\n" },
	{ "quoted_option_letters", T("-\"a\"always,io_uring -\"S\"all -\"k\" x\n"),
	  "-a always,io_uring -S all -k x\n" },
	{ "glued_quoted_arg", T("-a always,io_uring -S all -k\"a b\"\n"),
	  "-a always,io_uring -S all -k \"a b\"\n" },
	{ "quoted_options", T("\"-a\" always,io_uring \"-S\" all \"-k\" x\n"),
	  "-a always,io_uring -S all -k x\n" },
	{ "options_any_order", T("-a always,io_uring -k k -F uid=0 -S openat\n"),
	  "-a always,io_uring -S openat -F uid=0 -k k\n" },
	{ "tabs_and_spaces", T("\t -a\talways,io_uring  -S\tall\t-k x \t\n"),
	  "-a always,io_uring -S all -k x\n" },
	{ "comments_blank_lines",
	  T("# comment\n\n   # indented\n\t\n"
	    "-a always,io_uring -S all\n# -a never,io_uring -S all\n"),
	  "-a always,io_uring -S all\n" },
	{ "delete_and_lock", T("-D\n-a always,io_uring -S all\n-e 2\n"),
	  "-D\n-a always,io_uring -S all\n-e 2\n" },
	{ "delete_twice", T("-D\n-D\n"), "-D\n" },
	{ "lock_first_enable_1", T("-e 2\n-e 1\n-a never,io_uring -S close\n"),
	  "-a never,io_uring -S close\n-e 2\n" },
	{ "enable_glued", T("-e2\n"), "-e 2\n" },
	{ "enforce_best_effort",
	  T("-e 2\n--enforce best-effort\n-a kill,io_uring -S openat\n-a deny,io_uring -S connect\n"),
	  "-a kill,io_uring -S openat\n-a deny,io_uring -S connect\n--enforce best-effort\n-e 2\n" },
	{ "enforce_glued", T("--enforce=best-effort\n-a deny,io_uring -S all\n"),
	  "-a deny,io_uring -S all\n--enforce best-effort\n" },
	{ "enforce_required", T("--enforce required\n-a deny,io_uring -S all\n"),
	  "-a deny,io_uring -S all\n" },
	{ "deny_policies",
	  T("--deny unrecorded\n--deny=sqpoll\n--deny personality\n--deny sqpoll\n"
	    "-a always,io_uring -S openat\n"),
	  "-a always,io_uring -S openat\n--deny sqpoll\n--deny personality\n--deny unrecorded\n" },
	{ "prepend",
	  T("-a always,io_uring -S close\n-A never,io_uring -S openat\n"
	    "-A never,io_uring -S connect\n"),
	  "-a never,io_uring -S connect\n-a never,io_uring -S openat\n"
	  "-a always,io_uring -S close\n" },
	{ "prepend_only", T("-A never,io_uring -S openat\n-A always,io_uring -S close\n"),
	  "-a always,io_uring -S close\n-a never,io_uring -S openat\n" },
	{ "deny_kill", T("-a deny,io_uring -S openat\n-a kill,io_uring -S connect\n"),
	  "-a deny,io_uring -S openat\n-a kill,io_uring -S connect\n" },
	{ "deny_errno",
	  T("-a deny,io_uring -S openat -F errno=EPERM -F uid=5 -k k\n"
	    "-a kill,io_uring -S connect -Ferrno=110\n-a deny,io_uring -S unlinkat -F errno=200\n"),
	  "-a deny,io_uring -S openat -F uid=5 -F errno=EPERM -k k\n"
	  "-a kill,io_uring -S connect -F errno=ETIMEDOUT\n"
	  "-a deny,io_uring -S unlinkat -F errno=200\n" },
	{ "no_final_newline", T("-a always,io_uring -S all"), "-a always,io_uring -S all\n" },
	{ "empty_text", T(""), "" },
	{ "only_comments", T("# x\n#\n"), "" },
	/* path= and dir=: name ops (at submit) and ops on a file (at completion) */
	{ "path_name_ops", T("-a always,io_uring -S statx,setxattr,getxattr -F path=/etc/x\n"),
	  "-a always,io_uring -S statx,setxattr,getxattr -F path=/etc/x\n" },
	{ "path_fd_op_read", T("-a always,io_uring -S read -F path=/etc/shadow -k shadow-read\n"),
	  "-a always,io_uring -S read -F path=/etc/shadow -k shadow-read\n" },
	{ "dir_fd_ops",
	  T("-a always,io_uring -S close,fsync,ftruncate,msg_ring,fixed_fd_install -F dir=/var\n"),
	  "-a always,io_uring -S fsync,close,msg_ring,fixed_fd_install,ftruncate -F dir=/var\n" },
	{ "path_socket_fd_op", T("-a always,io_uring -S connect,accept -F path=/run/x.sock\n"),
	  "-a always,io_uring -S accept,connect -F path=/run/x.sock\n" },
	{ "path_mixed_with_nop", T("-a always,io_uring -S nop,openat -F path=/x\n"),
	  "-a always,io_uring -S nop,openat -F path=/x\n" },
	/* family= */
	{ "family_names_numbers",
	  T("-a always,io_uring -S connect,socket -F family=inet -F family!=10 -F family!=unix "
	    "-F family!=0x10 -F family!=0 -F family!=65535\n"),
	  "-a always,io_uring -S connect,socket -F family=inet -F family!=inet6 -F family!=unix "
	  "-F family!=16 -F family!=0 -F family!=65535\n" },
	{ "family_alias", T(PC "-F saddr_fam=2 -F saddr_fam!=inet6\n"),
	  PC "-F family=inet -F family!=inet6\n" },
	{ "family_socket_only", T("-a always,io_uring -S socket -F family=inet6\n"),
	  "-a always,io_uring -S socket -F family=inet6\n" },
	/* addr= */
	{ "addr_ipv4",
	  T(PC "-F addr=10.0.0.0/8 -F addr!=127.0.0.1 -F addr!=192.168.1.0/32 -F addr!=0.0.0.0/0 "
	       "-F addr!=172.16.0.0/012\n"),
	  PC "-F addr=10.0.0.0/8 -F addr!=127.0.0.1 -F addr!=192.168.1.0 -F addr!=0.0.0.0/0 "
	     "-F addr!=172.16.0.0/12\n" },
	{ "addr_ipv6",
	  T(PC "-F addr=fe80::/10 -F addr!=::1 -F addr!=0:0:0:0:0:0:0:1/128 -F addr!=2001:DB8::/32 "
	       "-F addr!=::ffff:10.0.0.1 -F addr!=::/0 -F addr!=1:2:3:4:5:6:7:8\n"),
	  PC "-F addr=fe80::/10 -F addr!=::1 -F addr!=::1 -F addr!=2001:db8::/32 "
	     "-F addr!=::ffff:10.0.0.1 -F addr!=::/0 -F addr!=1:2:3:4:5:6:7:8\n" },
	{ "addr_unix",
	  T(PC "-F addr=/run/app.sock -F addr!=@abstract -F addr!=\"@with space\" "
	       "-F addr!=\"/tmp/a b\" -F addr!=/ -F addr!=@@\n"),
	  PC "-F addr=/run/app.sock -F addr!=@abstract -F addr!=\"@with space\" "
	     "-F addr!=\"/tmp/a b\" -F addr!=/ -F addr!=@@\n" },
	{ "addr_alias", T(PC "-F saddr=10.1.0.0/16 -F saddr!=@x\n"),
	  PC "-F addr=10.1.0.0/16 -F addr!=@x\n" },
	{ "addr_recv_zc", T("-a always,io_uring -S recv_zc,splice -F addr=::1\n"),
	  "-a always,io_uring -S splice,recv_zc -F addr=::1\n" },
	/* port= */
	{ "port_operators",
	  T(PC
	    "-F port>=1 -F port<=65535 -F port!=0x50 -F port&1 -F port&=1 -F port>0 -F port<9\n"),
	  PC "-F port>=1 -F port<=65535 -F port!=80 -F port&1 -F port&=1 -F port>0 -F port<9\n" },
	{ "egress_example",
	  T("-a always,io_uring -S connect,sendmsg -F addr=10.0.0.0/8 -F port=443 -k egress\n"),
	  "-a always,io_uring -S sendmsg,connect -F addr=10.0.0.0/8 -F port=443 -k egress\n" },
	/* obj_uid= obj_gid= */
	{ "obj_ids",
	  T(PO "-F obj_uid=0 -F obj_gid!=-1 -F obj_uid<1000 -F obj_gid>=0x10 -F obj_uid&=3\n"),
	  PO "-F obj_uid=0 -F obj_gid!=4294967295 -F obj_uid<1000 -F obj_gid>=16 -F obj_uid&=3\n" },
	{ "obj_uid_example",
	  T("-a always,io_uring -S openat -F obj_uid=0 -F success=1 -F auid>=1000\n"),
	  "-a always,io_uring -S openat -F obj_uid=0 -F success=1 -F auid>=1000\n" },
	{ "obj_unnamed_op", T("-a always,io_uring -S 200 -F obj_gid=5\n"),
	  "-a always,io_uring -S 200 -F obj_gid=5\n" },
	{ "every_new_field",
	  T(PC "-F family=inet6 -F addr=2001:db8::/48 -F port=443 -F obj_uid=0 -F obj_gid=0 "
	       "-F path=/run/x -k net\n"),
	  PC "-F family=inet6 -F addr=2001:db8::/48 -F port=443 -F obj_uid=0 -F obj_gid=0 "
	     "-F path=/run/x -k net\n" },
	{ "every_field",
	  T("-a always,io_uring -S openat -F pid=1 -F ppid=2 -F uid=3 -F euid=4 -F suid=5 "
	    "-F fsuid=6 -F gid=7 -F egid=8 -F sgid=9 -F fsgid=10 -F auid=11 -F ses=12 "
	    "-F exe=/bin/sh -F comm=sh -F cgroup=/a -F success=1 -F exit=-2 -F ctx=iowq "
	    "-F cred=sqpoll -F personality=3 -F dir=/etc -F path=/etc/passwd -k all-fields\n"),
	  "-a always,io_uring -S openat -F pid=1 -F ppid=2 -F uid=3 -F euid=4 -F suid=5 "
	  "-F fsuid=6 -F gid=7 -F egid=8 -F sgid=9 -F fsgid=10 -F auid=11 -F ses=12 "
	  "-F exe=/bin/sh -F comm=sh -F cgroup=/a -F success=1 -F exit=-2 -F ctx=iowq "
	  "-F cred=sqpoll -F personality=3 -F dir=/etc -F path=/etc/passwd -k all-fields\n" },
};

static void test_accepted(void)
{
	size_t i;

	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		struct ua_ruleset rs = { 0 };
		struct ua_diags d = { 0 };
		struct ua_buf out = UA_BUF_INIT;
		char name[128];
		int rc;

		test_case_begin();
		rc = parse1(&rs, &d, c->text, c->len);
		if (!ASSERT_OK(rc, c->name) || !ASSERT_EQ(d.n, 0, c->name))
			dump_diags(&rs, &d);
		ASSERT_OK(ua_rules_format(&rs, &ops, &out), c->name);
		ASSERT_STREQ(out.data ? out.data : "", c->normal, c->name);
		round_trip(&rs, c->name);
		ua_buf_release(&out);
		ua_ruleset_release(&rs);
		ua_diags_release(&d);
		snprintf(name, sizeof(name), "accept/%s", c->name);
		test_case_end(name);
	}
}

/* ---- errors ---- */

struct err_case {
	const char *name;
	const char *text;
	size_t len;
	const char *diag; /* "LINE:COL:substring" of an error */
	int nerrors;	  /* errors expected in all */
};

static const struct err_case err_cases[] = {
	/* Fields */
	{ "unknown_field", T(P "-F uidd=1"), "1:30:unknown field 'uidd'", 1 },
	{ "field_uppercase", T(P "-F UID=1"), "1:30:unknown field 'UID'", 1 },
	{ "field_arch", T(P "-F arch=b64"), "1:30:unknown field 'arch' (io_uring opcodes", 1 },
	{ "field_no_name", T(P "-F =1"), "1:30:expected fieldOPvalue after -F, got '=1'", 1 },
	{ "field_no_operator", T(P "-F uid"),
	  "1:30:expected an operator (= != < > <= >= & &=) after 'uid'", 1 },
	{ "field_bad_operator", T(P "-F uid~1"), "1:30:expected an operator", 1 },
	{ "op_lt_comm", T(P "-F comm<abc"),
	  "1:30:operator '<' not allowed for field 'comm' (use = or !=)", 1 },
	{ "op_and_exe", T(P "-F exe&1"),
	  "1:30:operator '&' not allowed for field 'exe' (use = or !=)", 1 },
	{ "op_gt_ctx", T(P "-F ctx>task"),
	  "1:30:operator '>' not allowed for field 'ctx' (use = or !=)", 1 },
	{ "op_le_cred", T(P "-F cred<=task"), "1:30:operator '<=' not allowed for field 'cred'",
	  1 },
	{ "op_lt_success", T(P "-F success<1"), "1:30:operator '<' not allowed for field 'success'",
	  1 },
	{ "op_ge_cgroup", T(P "-F cgroup>=5"), "1:30:operator '>=' not allowed for field 'cgroup'",
	  1 },
	{ "op_ne_path", T(PO "-F path!=/x"),
	  "1:33:operator '!=' not allowed for field 'path' (use =)", 1 },
	{ "op_ne_dir", T(P "-F dir!=/x"), "1:30:operator '!=' not allowed for field 'dir' (use =)",
	  1 },
	{ "op_ne_key", T(P "-F key!=x"), "1:30:operator '!=' not allowed for field 'key' (use =)",
	  1 },
	/* Values */
	{ "uid_2_32", T(P "-F uid=4294967296"),
	  "1:30:value '4294967296' out of range for 'uid' (0..4294967295)", 1 },
	{ "uid_huge", T(P "-F uid=99999999999999999999999"),
	  "1:30:value '99999999999999999999999' out of range for 'uid'", 1 },
	{ "uid_minus2", T(P "-F uid=-2"), "1:30:value '-2' out of range for 'uid' (0..4294967295)",
	  1 },
	{ "pid_minus1", T(P "-F pid=-1"), "1:30:value '-1' out of range for 'pid' (0..4294967295)",
	  1 },
	{ "pid_junk", T(P "-F pid=12x"), "1:30:value '12x' for 'pid' is not a number", 1 },
	{ "uid_empty", T(P "-F uid="), "1:30:empty value for 'uid'", 1 },
	{ "uid_plus", T(P "-F uid=+5"), "1:30:value '+5' for 'uid' is not a number", 1 },
	{ "uid_hex_no_digits", T(P "-F uid=0x"), "1:30:value '0x' for 'uid' is not a number", 1 },
	{ "uid_hex_junk", T(P "-F uid=0xg"), "1:30:value '0xg' for 'uid' is not a number", 1 },
	{ "uid_quoted_space", T(P "-F uid=\" 1\""), "1:30:value ' 1' for 'uid' is not a number",
	  1 },
	{ "uid_unset", T(P "-F uid=unset"), "1:30:value 'unset' for 'uid' is not a number", 1 },
	{ "auid_2_32", T(P "-F auid=4294967296"), "1:30:value '4294967296' out of range for 'auid'",
	  1 },
	{ "personality_0", T(P "-F personality=0"),
	  "1:30:value '0' out of range for 'personality' (1..65535)", 1 },
	{ "personality_65536", T(P "-F personality=65536"),
	  "1:30:value '65536' out of range for 'personality' (1..65535)", 1 },
	{ "exit_2_31", T(P "-F exit=2147483648"),
	  "1:30:value '2147483648' out of range for 'exit' (-2147483648..2147483647)", 1 },
	{ "exit_below", T(P "-F exit=-2147483649"),
	  "1:30:value '-2147483649' out of range for 'exit'", 1 },
	{ "exit_unknown_errno", T(P "-F exit=-EFOO"), "1:30:unknown errno name '-EFOO' for 'exit'",
	  1 },
	{ "exit_word", T(P "-F exit=abc"),
	  "1:30:value 'abc' for 'exit' is not a number or an errno name", 1 },
	{ "success_2", T(P "-F success=2"), "1:30:unknown value '2' for 'success' (0, 1, no, yes)",
	  1 },
	{ "ctx_unknown", T(P "-F ctx=foo"),
	  "1:30:unknown value 'foo' for 'ctx' (task, sqpoll, iowq)", 1 },
	{ "cred_unknown", T(P "-F cred=bar"),
	  "1:30:unknown value 'bar' for 'cred' (task, personality, sqpoll)", 1 },
	{ "exe_relative", T(P "-F exe=bin/sh"),
	  "1:30:value 'bin/sh' for 'exe' is not an absolute path", 1 },
	{ "path_relative", T(PO "-F path=etc/passwd"),
	  "1:33:value 'etc/passwd' for 'path' is not an absolute path", 1 },
	{ "comm_16", T(P "-F comm=0123456789abcdef"),
	  "1:30:value '0123456789abcdef' for 'comm' too long (16 bytes, max 15)", 1 },
	{ "cgroup_word", T(P "-F cgroup=abc"),
	  "1:30:value 'abc' for 'cgroup' is neither a path starting with / nor a cgroup id", 1 },
	{ "cgroup_0", T(P "-F cgroup=0"),
	  "1:30:value '0' out of range for 'cgroup' (1..9223372036854775807)", 1 },
	/* family= */
	{ "family_unknown", T(P "-F family=ipx"),
	  "1:30:unknown value 'ipx' for 'family' (inet, inet6, unix or a number 0..65535)", 1 },
	{ "family_uppercase", T(P "-F family=INET"), "1:30:unknown value 'INET' for 'family'", 1 },
	{ "family_65536", T(P "-F family=65536"),
	  "1:30:value '65536' out of range for 'family' (0..65535)", 1 },
	{ "family_negative", T(P "-F family=-1"),
	  "1:30:value '-1' out of range for 'family' (0..65535)", 1 },
	{ "family_alias_named", T(P "-F saddr_fam=ipx"), "1:30:unknown value 'ipx' for 'saddr_fam'",
	  1 },
	{ "op_lt_family", T(P "-F family<2"),
	  "1:30:operator '<' not allowed for field 'family' (use = or !=)", 1 },
	{ "family_empty", T(P "-F family="), "1:30:empty value for 'family'", 1 },
	/* port= */
	{ "port_65536", T(P "-F port=65536"),
	  "1:30:value '65536' out of range for 'port' (0..65535)", 1 },
	{ "port_negative", T(P "-F port=-1"), "1:30:value '-1' out of range for 'port' (0..65535)",
	  1 },
	{ "port_name", T(P "-F port=https"), "1:30:value 'https' for 'port' is not a number", 1 },
	/* obj_uid= obj_gid= */
	{ "obj_uid_unset", T(P "-F obj_uid=unset"),
	  "1:30:value 'unset' for 'obj_uid' is not a number", 1 },
	{ "obj_gid_2_32", T(P "-F obj_gid=4294967296"),
	  "1:30:value '4294967296' out of range for 'obj_gid' (0..4294967295)", 1 },
	{ "obj_uid_minus2", T(P "-F obj_uid=-2"), "1:30:value '-2' out of range for 'obj_uid'", 1 },
	/* addr= */
	{ "op_and_addr", T(P "-F addr&1"),
	  "1:30:operator '&' not allowed for field 'addr' (use = or !=)", 1 },
	{ "op_ge_saddr", T(P "-F saddr>=1.2.3.4"),
	  "1:30:operator '>=' not allowed for field 'saddr' (use = or !=)", 1 },
	{ "addr_empty", T(P "-F addr="), "1:30:empty value for 'addr'", 1 },
	{ "addr_word", T(P "-F addr=localhost"),
	  "1:30:value 'localhost' for 'addr' is not an IPv4 or IPv6 address (or a unix socket path "
	  "starting with / or @)",
	  1 },
	{ "addr_relative_path", T(P "-F addr=run/x.sock"),
	  "1:30:value 'run/x.sock' for 'addr' is not an IPv4 or IPv6 address", 1 },
	{ "addr_v4_octet_256", T(P "-F addr=10.0.0.256"),
	  "1:30:value '10.0.0.256' for 'addr' is not an IPv4 or IPv6 address", 1 },
	{ "addr_v4_three_parts", T(P "-F addr=10.0.0"),
	  "1:30:value '10.0.0' for 'addr' is not an IPv4", 1 },
	{ "addr_v4_five_parts", T(P "-F addr=1.2.3.4.5"),
	  "1:30:value '1.2.3.4.5' for 'addr' is not an IPv4", 1 },
	{ "addr_v4_leading_zero", T(P "-F addr=010.0.0.1"),
	  "1:30:value '010.0.0.1' for 'addr' is not an IPv4", 1 },
	{ "addr_v4_space", T(P "-F \"addr=10.0.0.1 \""),
	  "1:30:value '10.0.0.1 ' for 'addr' is not an IPv4", 1 },
	{ "addr_v6_triple_colon", T(P "-F addr=fe80:::1"),
	  "1:30:value 'fe80:::1' for 'addr' is not an IPv4 or IPv6 address", 1 },
	{ "addr_v6_nine_groups", T(P "-F addr=1:2:3:4:5:6:7:8:9"),
	  "1:30:value '1:2:3:4:5:6:7:8:9' for 'addr' is not an IPv4 or IPv6", 1 },
	{ "addr_v6_zone", T(P "-F addr=fe80::1%eth0"),
	  "1:30:value 'fe80::1%eth0' for 'addr' is not an IPv4 or IPv6", 1 },
	{ "addr_v6_brackets", T(P "-F addr=[::1]"),
	  "1:30:value '[::1]' for 'addr' is not an IPv4 or IPv6", 1 },
	{ "addr_v6_two_gaps", T(P "-F addr=1::2::3"),
	  "1:30:value '1::2::3' for 'addr' is not an IPv4 or IPv6", 1 },
	{ "addr_prefix_missing", T(P "-F addr=10.0.0.0/"),
	  "1:30:value '10.0.0.0/' for 'addr': no prefix length after '/'", 1 },
	{ "addr_prefix_word", T(P "-F addr=10.0.0.0/x"),
	  "1:30:value '10.0.0.0/x' for 'addr': the prefix length after '/' is not a decimal number",
	  1 },
	{ "addr_prefix_negative", T(P "-F addr=10.0.0.0/-1"),
	  "1:30:value '10.0.0.0/-1' for 'addr': the prefix length after '/' is not a decimal", 1 },
	{ "addr_prefix_plus", T(P "-F addr=10.0.0.0/+8"),
	  "1:30:value '10.0.0.0/+8' for 'addr': the prefix length after '/' is not a decimal", 1 },
	{ "addr_prefix_hex", T(P "-F addr=10.0.0.0/0x8"),
	  "1:30:value '10.0.0.0/0x8' for 'addr': the prefix length after '/' is not a decimal", 1 },
	{ "addr_prefix_two_slashes", T(P "-F addr=10.0.0.0/8/8"),
	  "1:30:value '10.0.0.0/8/8' for 'addr': the prefix length after '/' is not a decimal", 1 },
	{ "addr_prefix_v4_33", T(P "-F addr=10.0.0.0/33"),
	  "1:30:value '10.0.0.0/33' for 'addr': prefix length out of range for IPv4 (0..32)", 1 },
	{ "addr_prefix_v6_129", T(P "-F addr=::/129"),
	  "1:30:value '::/129' for 'addr': prefix length out of range for IPv6 (0..128)", 1 },
	{ "addr_prefix_huge", T(P "-F addr=::/99999999999999999999999"),
	  "1:30:value '::/99999999999999999999999' for 'addr': prefix length out of range for IPv6",
	  1 },
	/* The longest messages still fit whole (no cut "..." taken for a period). */
	{ "addr_prefix_binary",
	  T(P "-F saddr=10.0.0.0/"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
	  "1:30:for 'saddr': the prefix length after '/' is not a decimal number", 1 },
	{ "addr_binary",
	  T(P "-F saddr=\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
	  "1:30:for 'saddr' is not an IPv4 or IPv6 address (or a unix socket path starting with / "
	  "or @)",
	  1 },
	{ "addr_unix_binary_too_long",
	  T(P "-F saddr=@"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
	  "1:30:for 'saddr': unix socket name after '@' too long (112 bytes, max 107)", 1 },
	{ "addr_host_bits_v4", T(P "-F addr=10.0.0.1/8"),
	  "1:30:value '10.0.0.1/8' for 'addr' has host bits set beyond the /8 prefix (0.0.0.1): "
	  "the network is 10.0.0.0/8",
	  1 },
	{ "addr_host_bits_v4_mid_byte", T(P "-F addr=192.168.129.0/17"),
	  "1:30:value '192.168.129.0/17' for 'addr' has host bits set beyond the /17 prefix "
	  "(0.0.1.0): the network is 192.168.128.0/17",
	  1 },
	{ "addr_host_bits_zero_prefix", T(P "-F addr=1.0.0.0/0"),
	  "1:30:has host bits set beyond the /0 prefix (1.0.0.0): the network is 0.0.0.0/0", 1 },
	{ "addr_host_bits_v6", T(P "-F addr=fe80::1/10"),
	  "1:30:value 'fe80::1/10' for 'addr' has host bits set beyond the /10 prefix (::1): the "
	  "network is fe80::/10",
	  1 },
	{ "addr_host_bits_alias", T(P "-F saddr=fe81::/15"),
	  "1:30:value 'fe81::/15' for 'saddr' has host bits set beyond the /15 prefix (1::): the "
	  "network is fe80::/15",
	  1 },
	{ "addr_abstract_empty", T(P "-F addr=@"),
	  "1:30:value '@' for 'addr': empty abstract unix socket name", 1 },
	{ "addr_abstract_quoted_empty", T(P "-F addr=\"@\""),
	  "1:30:value '@' for 'addr': empty abstract unix socket name", 1 },
	/* -S */
	{ "op_unknown", T("-a always,io_uring -S opne"), "1:23:unknown op 'opne' in -S", 1 },
	{ "op_unknown_second", T("-a always,io_uring -S openat,opne"),
	  "1:30:unknown op 'opne' in -S", 1 },
	{ "op_uppercase", T("-a always,io_uring -S OPENAT"), "1:23:unknown op 'OPENAT' in -S", 1 },
	{ "op_junk_number", T("-a always,io_uring -S 18x"), "1:23:unknown op '18x' in -S", 1 },
	{ "op_256", T("-a always,io_uring -S 256"), "1:23:op '256' out of range in -S (0..255)",
	  1 },
	{ "op_negative", T("-a always,io_uring -S -1"), "1:23:op '-1' out of range in -S (0..255)",
	  1 },
	{ "op_long_number", T("-a always,io_uring -S 1234567890123456789012345678901234567890123"),
	  "1:23:op '1234567890123456789012345678901234567890123' out of range in -S", 1 },
	{ "op_empty_trailing", T("-a always,io_uring -S openat,"), "1:30:empty op in -S", 1 },
	{ "op_empty_token", T("-a always,io_uring -S \"\""), "1:23:empty op in -S", 1 },
	{ "no_S", T("-a always,io_uring -F uid=0"), "1:1:no -S: name the ops or use -S all", 1 },
	{ "no_S_prepend", T("-A always,io_uring"), "1:1:no -S: name the ops or use -S all", 1 },
	/* A field none of whose ops is in -S (rules.h, ua_field_ops) */
	{ "path_never_matches", T("-a always,io_uring -S nop -F path=/x"),
	  "1:30:field 'path' never matches: none of the ops in -S names a file or works on one",
	  1 },
	{ "dir_never_matches", T("-a always,io_uring -S timeout,async_cancel,200 -F dir=/x"),
	  "1:51:field 'dir' never matches: none of the ops in -S names a file", 1 },
	{ "path_never_socket_pipe",
	  T("-a always,io_uring -S socket,pipe,madvise,futex_wait,waitid,files_update -F path=/x"),
	  "1:77:field 'path' never matches", 1 },
	{ "family_never_matches", T(PO "-F family=inet"),
	  "1:33:field 'family' never matches: none of the ops in -S works on a socket", 1 },
	{ "family_never_close", T("-a always,io_uring -S close,poll_add -F saddr_fam=unix"),
	  "1:41:field 'family' never matches", 1 },
	{ "addr_never_socket", T("-a always,io_uring -S socket -F addr=10.0.0.0/8"),
	  "1:33:field 'addr' never matches: none of the ops in -S works on a socket with an address",
	  1 },
	{ "addr_alias_never", T(PO "-F saddr=::1"), "1:33:field 'addr' never matches", 1 },
	{ "port_never_socket", T("-a always,io_uring -S socket,openat -F port=53"),
	  "1:40:field 'port' never matches: none of the ops in -S works on a socket with an address",
	  1 },
	{ "obj_uid_never",
	  T("-a always,io_uring -S nop,timeout,unlinkat,mkdirat,symlinkat,linkat "
	    "-F obj_uid=0"),
	  "1:72:field 'obj_uid' never matches: none of the ops in -S touches an object", 1 },
	{ "obj_gid_never",
	  T("-a always,io_uring -S futex_wait,futex_wake,futex_waitv,waitid,files_update,"
	    "provide_buffers,remove_buffers,link_timeout,timeout_remove,async_cancel -F obj_gid=0"),
	  "1:152:field 'obj_gid' never matches", 1 },
	{ "never_matches_each_field",
	  T("-a always,io_uring -S nop -F port=1 -F obj_uid=1 -F family=0 -F dir=/d"),
	  "1:53:field 'family' never matches", 4 },
	/* -a */
	{ "action_unknown", T("-a sometimes,io_uring -S all"),
	  "1:4:unknown action 'sometimes' (always, never, deny, kill)", 1 },
	{ "action_unknown_list_first", T("-a io_uring,sometimes -S all"),
	  "1:13:unknown action 'sometimes'", 1 },
	{ "list_exit", T("-a always,exit -S all"), "1:11:unsupported list 'exit' (only io_uring)",
	  1 },
	{ "list_first_exit", T("-a exit,always -S all"),
	  "1:4:unsupported list 'exit' (only io_uring)", 1 },
	{ "action_no_comma", T("-a always -S all"),
	  "1:4:expected 'action,io_uring' after '-a', got 'always'", 1 },
	{ "action_two_commas", T("-A always,io_uring,x -S all"),
	  "1:4:expected 'action,io_uring' after '-A'", 1 },
	{ "action_missing", T("-a"), "1:1:option '-a' needs a value", 1 },
	{ "second_a", T(P "-a always,io_uring"), "1:27:second '-a' in one rule", 1 },
	/* -k */
	{ "key_second", T(P "-k a -k b"), "1:35:second key in one rule (the first is at column 30)",
	  1 },
	{ "key_second_field", T(P "-k a -F key=b"), "1:35:second key in one rule", 1 },
	{ "key_empty", T(P "-k \"\""), "1:30:empty key", 1 },
	{ "key_empty_glued", T(P "-k\"\""), "1:29:empty key", 1 },
	{ "key_control_tab", T(P "-k \"a\tb\""), "1:30:key contains control byte 0x09", 1 },
	{ "key_missing", T(P "-k"), "1:27:option '-k' needs a value", 1 },
	{ "F_missing", T(P "-F"), "1:27:option '-F' needs a value", 1 },
	/* Lines */
	{ "nul_byte", T("-a always,io_uring\0 -S all"), "1:19:line contains a NUL byte", 1 },
	{ "crlf", T("-a always,io_uring -S all\r\n"),
	  "1:26:line contains control byte 0x0d (a CRLF", 1 },
	{ "control_in_comment", T("# a\x01"), "1:4:line contains control byte 0x01", 1 },
	{ "del_byte", T(P "-k a\x7f"), "1:31:line contains control byte 0x7f", 1 },
	{ "unterminated_quote", T(P "-k \"abc"), "1:30:unterminated quote", 1 },
	{ "trailing_comment", T(P "# comment"),
	  "1:27:expected an option, got '#' (comments must be on a line of their own)", 1 },
	{ "stray_word", T(P "foo"), "1:27:expected an option, got 'foo'", 1 },
	{ "stray_dash", T("-"), "1:1:expected an option, got '-'", 1 },
	{ "S_before_a", T("-S all -a always,io_uring"), "1:1:'-S' before '-a'", 1 },
	{ "F_first", T("-F uid=0"), "1:1:'-F' before '-a'", 1 },
	/* -D, -e and other options */
	{ "D_after_rule", T("-a always,io_uring -S all\n-D\n"),
	  "2:1:'-D' is only allowed at the top of the first file", 1 },
	{ "D_with_more", T("-D -k x"),
	  "1:4:unexpected '-k' after '-D' (put -D on a line of its own)", 1 },
	{ "D_glued", T("-Dx"), "1:1:option '-D' takes no value", 1 },
	{ "D_in_rule", T(P "-D"), "1:27:'-D' must be on a line of its own", 1 },
	{ "e_0", T("-e 0"), "1:4:disabling is not supported ('-e 0')", 1 },
	{ "e_3", T("-e 3"), "1:4:value '3' for '-e' must be 0, 1 or 2", 1 },
	{ "e_missing", T("-e"), "1:1:option '-e' needs a value", 1 },
	{ "e_with_more", T("-e2 x"), "1:5:unexpected 'x' after '-e'", 1 },
	{ "e_in_rule", T(P "-e 2"), "1:27:'-e' must be on a line of its own", 1 },
	{ "enforce_bad", T("--enforce maybe"),
	  "1:11:value 'maybe' for '--enforce' must be required or best-effort", 1 },
	{ "enforce_missing", T("--enforce"),
	  "1:1:option '--enforce' needs a value (required, best-effort)", 1 },
	{ "enforce_with_more", T("--enforce best-effort -k x"),
	  "1:23:unexpected '-k' after '--enforce'", 1 },
	{ "errno_always", T("-a always,io_uring -S openat -F errno=EPERM"),
	  "1:33:errno= is for deny and kill rules (the error of the request they stop), not 'always'",
	  1 },
	{ "errno_twice", T("-a deny,io_uring -S openat -F errno=EPERM -F errno=EIO"),
	  "1:46:second errno= in one rule (the first is at column 31)", 1 },
	{ "errno_bad_name", T("-a deny,io_uring -S openat -F errno=EWHAT"),
	  "1:31:unknown errno name 'EWHAT' for 'errno'", 1 },
	{ "errno_range", T("-a deny,io_uring -S openat -F errno=0"),
	  "1:31:value '0' for 'errno' is not an errno name or 1..4095", 1 },
	{ "errno_range_hi", T("-a deny,io_uring -S openat -F errno=4096"),
	  "1:31:value '4096' for 'errno' is not an errno name or 1..4095", 1 },
	{ "errno_negative", T("-a deny,io_uring -S openat -F errno=-1"),
	  "1:31:value '-1' for 'errno' is not an errno name or 1..4095", 1 },
	{ "errno_op", T("-a deny,io_uring -S openat -F errno!=EPERM"),
	  "1:31:'errno' takes '=' and a value: errno=EPERM", 1 },
	{ "deny_bad", T("--deny root"),
	  "1:8:value 'root' for '--deny' must be sqpoll, personality or unrecorded", 1 },
	{ "deny_missing", T("--deny"),
	  "1:1:option '--deny' needs a value (sqpoll, personality, unrecorded)", 1 },
	{ "deny_with_more", T("--deny sqpoll personality"), "1:15:unexpected 'personality' after '--deny'",
	  1 },
	{ "enforce_prefix", T("--enforcement best-effort"), "1:1:unsupported option '--enforcement'", 1 },
	{ "opt_w", T("-w /etc/passwd -p wa -k passwd"), "1:1:unsupported option '-w'", 1 },
	{ "opt_b", T("-b 8192"), "1:1:unsupported option '-b'", 1 },
	{ "opt_f", T("-f 1"), "1:1:unsupported option '-f'", 1 },
	{ "opt_r", T("-r 100"), "1:1:unsupported option '-r'", 1 },
	{ "opt_l", T("-l"), "1:1:unsupported option '-l'", 1 },
	{ "opt_long", T("--loginuid-immutable"), "1:1:unsupported option '--loginuid-immutable'",
	  1 },
	{ "opt_long_value", T("--backlog_wait_time=60000"),
	  "1:1:unsupported option '--backlog_wait_time'", 1 },
	{ "opt_in_rule", T(P "-p wa"), "1:27:unsupported option '-p'", 1 },
	{ "line_numbers", T("# one\n\n-a always,io_uring -S all\n-a always,io_uring -S nope\n"),
	  "4:23:unknown op 'nope' in -S", 1 },
	{ "several_errors",
	  T("# header\n-a always,io_uring -S opne\n\n"
	    "-a always,io_uring -S all -F uidd=1 -F pid=x\n"),
	  "4:40:value 'x' for 'pid' is not a number", 3 },
	{ "long_token_shown_cut", T(P "-F uid=11111111112222222222333333333344444444445555555555x"),
	  "1:30:value '111111111122222222223333333333444444444455555555...' for 'uid'", 1 },
};

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		struct ua_ruleset rs = { 0 };
		struct ua_diags d = { 0 };
		char name[128];

		test_case_begin();
		ASSERT_EQ(parse1(&rs, &d, c->text, c->len), -EINVAL, c->name);
		if (!ASSERT_TRUE(find_diag(&d, 0, c->diag), c->diag) ||
		    !ASSERT_EQ(d.errors, c->nerrors, c->name))
			dump_diags(&rs, &d);
		diags_well_formed(&d);
		ASSERT_EQ(rs.n, 0, "nothing loaded");
		ASSERT_EQ(rs.delete_all, 0, "no -D");
		ASSERT_EQ(rs.locked, 0, "no -e 2");
		/* Without a diagnostics list the verdict is the same. */
		ua_ruleset_release(&rs);
		ASSERT_EQ(ua_rules_parse(&rs, NULL, c->text, c->len, &ops, NULL), -EINVAL, c->name);
		ua_ruleset_release(&rs);
		ua_diags_release(&d);
		snprintf(name, sizeof(name), "error/%s", c->name);
		test_case_end(name);
	}
}

static void test_several_errors_all_reported(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	const char *text = "# header\n-a always,io_uring -S opne\n\n"
			   "-a always,io_uring -S all -F uidd=1 -F pid=x\n"
			   "-a always,io_uring -S openat -k ok\n";

	ASSERT_EQ(parse1(&rs, &d, text, strlen(text)), -EINVAL, "parse");
	ASSERT_EQ(d.n, 3, "three errors");
	ASSERT_TRUE(find_diag(&d, 0, "2:23:unknown op 'opne' in -S"), "first");
	ASSERT_TRUE(find_diag(&d, 0, "4:30:unknown field 'uidd'"), "second");
	ASSERT_TRUE(find_diag(&d, 0, "4:40:value 'x' for 'pid' is not a number"), "third");
	ASSERT_TRUE(d.n == 3 && d.v[0].line <= d.v[1].line && d.v[1].line <= d.v[2].line,
		    "in line order");
	ASSERT_EQ(rs.n, 0, "not even the good rule is loaded");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_too_many_errors(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_buf text = UA_BUF_INIT;
	int i;

	for (i = 0; i < 150; i++)
		ua_buf_addstr(&text, "-x\n");
	ASSERT_EQ(parse1(&rs, &d, text.data, text.len), -EINVAL, "parse");
	ASSERT_EQ(d.n, UA_DIAG_ERRORS_MAX + 1, "100 errors and the last word");
	if (ASSERT_TRUE(d.n > 0, "some")) {
		ASSERT_STREQ(d.v[d.n - 1].msg, "too many errors", "last");
		ASSERT_EQ(d.v[d.n - 1].line, UA_DIAG_ERRORS_MAX + 1, "at the 101st error");
	}
	/* A later text into the same list adds nothing and fails. */
	ASSERT_EQ(parse1(&rs, &d, T("-a always,io_uring -S all\n")), -EINVAL, "second text");
	ASSERT_EQ(d.n, UA_DIAG_ERRORS_MAX + 1, "nothing more said");
	ASSERT_EQ(rs.n, 0, "nothing loaded");
	ua_buf_release(&text);
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

/* ---- warnings (ua_rules_check_set) ---- */

struct warn_case {
	const char *name;
	const char *text;
	size_t len;
	const char *diag; /* "LINE:COL:substring" of a warning; NULL: no warning */
};

static const struct warn_case warn_cases[] = {
	{ "shadow_all", T("-a always,io_uring -S all\n-a never,io_uring -S openat\n"),
	  "2:1:rule shadowed by line 1" },
	{ "shadow_same_ops",
	  T("-a never,io_uring -S openat,close\n# x\n-a always,io_uring -S close -F uid=0\n"),
	  "3:1:rule shadowed by line 1" },
	{ "shadow_duplicate", T("-a always,io_uring -S openat\n-a always,io_uring -S openat\n"),
	  "2:1:rule shadowed by line 1" },
	{ "shadow_prepend", T("-a always,io_uring -S openat\n-A never,io_uring -S all\n"),
	  "1:1:rule shadowed by line 2" },
	{ "no_shadow_fields",
	  T("-a never,io_uring -S all -F uid=0\n-a always,io_uring -S openat\n"), NULL },
	{ "no_shadow_narrower",
	  T("-a never,io_uring -S openat\n-a always,io_uring -S openat,close\n"), NULL },
	{ "contradict_eq_eq", T(P "-F uid=1 -F uid=2\n"),
	  "1:39:fields contradict: the rule never matches ('uid=2'" },
	{ "contradict_success", T(P "-F success=1 -F success=0\n"),
	  "1:43:fields contradict: the rule never matches" },
	{ "contradict_range", T(P "-F auid>5 -F auid<3\n"),
	  "1:40:fields contradict: the rule never matches ('auid<3'" },
	{ "contradict_eq_ne", T(P "-F uid=1 -F uid!=1\n"), "1:39:fields contradict" },
	{ "contradict_eq_range", T(P "-F uid<10 -F uid=10\n"), "1:40:fields contradict" },
	{ "contradict_ctx_all_ne", T(P "-F ctx!=task -F ctx!=sqpoll -F ctx!=iowq\n"),
	  "1:58:fields contradict" },
	{ "contradict_andeq", T(P "-F uid<4 -F uid&=4\n"), "1:39:fields contradict" },
	{ "contradict_and_zero", T(P "-F uid&0\n"),
	  "1:30:field 'uid&0' matches no value: the rule never matches" },
	{ "contradict_exit", T(P "-F exit=-EACCES -F exit>=0\n"), "1:46:fields contradict" },
	{ "contradict_lt_min", T(P "-F uid<0\n"), "1:30:field 'uid<0' matches no value" },
	{ "contradict_comm_eq_eq", T(P "-F comm=a -F comm=b\n"), "1:40:fields contradict" },
	{ "contradict_comm_eq_ne", T(P "-F comm=a -F comm!=a\n"), "1:40:fields contradict" },
	{ "ok_auid_range", T(P "-F auid>=1000 -F auid!=unset\n"), NULL },
	{ "ok_eq_by_range", T(P "-F uid>=1 -F uid<=1\n"), NULL },
	{ "ok_personality_lt_1", T(P "-F personality<1\n"), NULL },
	{ "ok_paths_two_names", T("-a always,io_uring -S renameat -F path=/a -F path=/b\n"), NULL },
	{ "ok_exe_hardlinks", T(P "-F exe=/bin/a -F exe=/bin/b\n"), NULL },
	{ "ok_dirs", T(P "-F dir=/a -F dir=/b\n"), NULL },
	{ "ok_different_fields", T(P "-F uid=1 -F gid=2 -F euid!=1\n"), NULL },
	{ "ok_ctx_two_ne", T(P "-F ctx!=task -F ctx!=sqpoll\n"), NULL },
	{ "contradict_family", T(P "-F family=inet -F saddr_fam=inet6\n"),
	  "1:45:fields contradict: the rule never matches ('family=inet6' conflicts with the "
	  "earlier 'family' fields)" },
	{ "contradict_family_ne", T(P "-F family=unix -F family!=1\n"), "1:45:fields contradict" },
	{ "contradict_port_range", T(P "-F port>1000 -F port<80\n"),
	  "1:43:fields contradict: the rule never matches ('port<80'" },
	{ "contradict_port_max", T(P "-F port>65535\n"),
	  "1:30:field 'port>65535' matches no value: the rule never matches" },
	{ "contradict_obj_uid", T(P "-F obj_uid=0 -F obj_uid=1\n"),
	  "1:43:fields contradict: the rule never matches ('obj_uid=1'" },
	{ "ok_obj_uid_vs_uid", T(P "-F obj_uid=0 -F uid=1\n"), NULL },
	{ "ok_family_two_ne", T(P "-F family!=inet -F family!=inet6\n"), NULL },
	{ "ok_addr_nested", T(P "-F addr=10.0.0.0/8 -F addr=10.1.0.0/16\n"), NULL },
	{ "ok_addr_eq_ne", T(P "-F addr=10.0.0.0/8 -F addr!=10.0.0.0/8\n"), NULL },
	{ "ok_port_range", T(PC "-F port>=1024 -F port<=65535\n"), NULL },
	{ "ok_path_on_fd_op", T("-a always,io_uring -S write -F path=/var/log/x\n"), NULL },
	{ "ok_family_on_socket", T("-a always,io_uring -S socket -F family=unix\n"), NULL },
};

static void test_warnings(void)
{
	size_t i;

	for (i = 0; i < sizeof(warn_cases) / sizeof(warn_cases[0]); i++) {
		const struct warn_case *c = &warn_cases[i];
		struct ua_ruleset rs = { 0 };
		struct ua_diags d = { 0 };
		char name[128];

		test_case_begin();
		ASSERT_OK(parse1(&rs, &d, c->text, c->len), c->name);
		ASSERT_EQ(d.n, 0, "no error, no warning from the parser");
		ASSERT_OK(ua_rules_check_set(&rs, &ops, &d), c->name);
		if (c->diag) {
			if (!ASSERT_TRUE(find_diag(&d, 1, c->diag), c->diag) ||
			    !ASSERT_EQ(d.n, 1, c->name))
				dump_diags(&rs, &d);
		} else if (!ASSERT_EQ(d.n, 0, c->name)) {
			dump_diags(&rs, &d);
		}
		ASSERT_EQ(d.errors, 0, "warnings are not errors");
		diags_well_formed(&d);
		ua_ruleset_release(&rs);
		ua_diags_release(&d);
		snprintf(name, sizeof(name), "warn/%s", c->name);
		test_case_end(name);
	}
}

/* ---- several files into one set ---- */

static void test_multi_file(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_buf b = UA_BUF_INIT;

	ASSERT_OK(ua_rules_parse(&rs, "10-base.rules", T("-D\n-a always,io_uring -S openat\n"),
				 &ops, &d),
		  "first file");
	ASSERT_OK(ua_rules_parse(&rs, "20-net.rules",
				 T("# net\n-a always,io_uring -S connect\n"
				   "-A never,io_uring -S connect,close\n"),
				 &ops, &d),
		  "second file");
	ASSERT_EQ(rs.n, 3, "three rules");
	ASSERT_EQ(rs.nfiles, 2, "two files");
	ASSERT_TRUE(rs.delete_all, "-D of the first file");
	if (rs.n == 3) {
		ASSERT_EQ(rs.rules[0].action, UA_ACT_NEVER, "-A went to the front of the set");
		ASSERT_EQ(rs.rules[0].file, 1, "from the second file");
		ASSERT_EQ(rs.rules[0].line, 3, "its line");
		ASSERT_EQ(rs.rules[1].file, 0, "then the first file's rule");
		ASSERT_EQ(rs.rules[1].line, 2, "its line");
		ASSERT_EQ(rs.rules[2].file, 1, "then the second file's -a rule");
	}

	/* -D in a later file: an error, and the set is as before. */
	ASSERT_EQ(ua_rules_parse(&rs, "30-bad.rules", T("-D\n-a always,io_uring -S close\n"), &ops,
				 &d),
		  -EINVAL, "-D in the third file");
	ASSERT_EQ(rs.n, 3, "set unchanged");
	ASSERT_EQ(rs.nfiles, 3, "the file still counts");
	if (ASSERT_EQ(d.n, 1, "one diagnostic")) {
		ASSERT_EQ(d.v[0].file, 2, "in the third file");
		ASSERT_OK(ua_diag_format(&rs, &d.v[0], &b), "format diag");
		ASSERT_STREQ(b.data,
			     "30-bad.rules:1:1: '-D' is only allowed at the top of the first file",
			     "diag text");
	}

	/* A shadow across files names the other file. */
	ua_diags_release(&d);
	ASSERT_OK(ua_rules_parse(&rs, "40-more.rules", T("-a always,io_uring -S openat -F uid=0\n"),
				 &ops, &d),
		  "fourth file");
	ASSERT_OK(ua_rules_check_set(&rs, &ops, &d), "check");
	if (!ASSERT_TRUE(find_diag(&d, 1, "1:1:rule shadowed by line 2 of '10-base.rules'"),
			 "shadow across files") ||
	    !ASSERT_TRUE(find_diag(&d, 1, "2:1:rule shadowed by line 3 ("), "shadow in one file") ||
	    !ASSERT_EQ(d.n, 2, "two shadowed rules"))
		dump_diags(&rs, &d);
	ua_buf_reset(&b);
	if (d.n == 2) {
		ua_diag_format(&rs, &d.v[0], &b);
		ASSERT_STREQ(b.data,
			     "20-net.rules:2:1: warning: rule shadowed by line 3 "
			     "(no -F fields, and its ops include all of these)",
			     "warning text");
		ASSERT_EQ(d.v[1].file, 3, "the other in the fourth file");
	}

	/* The whole set round-trips, -D included. */
	round_trip(&rs, "multi-file set");
	ua_buf_release(&b);
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_multi_file_d_second_only(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };

	/* Even with no rule before it, -D is only for the first file. */
	ASSERT_OK(parse1(&rs, &d, T("# nothing\n")), "first file");
	ASSERT_EQ(parse1(&rs, &d, T("-D\n")), -EINVAL, "-D at the top of the second file");
	ASSERT_TRUE(find_diag(&d, 0, "1:1:'-D' is only allowed at the top of the first file"),
		    "message");
	ASSERT_FALSE(rs.delete_all, "not set");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

/* ---- limits ---- */

static void add_rules(struct ua_buf *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ua_buf_addf(b, "-a always,io_uring -S %d\n", i % 256);
}

static void test_limit_rules(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_buf b = UA_BUF_INIT;

	add_rules(&b, UA_RULES_MAX);
	ASSERT_OK(parse1(&rs, &d, b.data, b.len), "256 rules");
	ASSERT_EQ(rs.n, UA_RULES_MAX, "all loaded");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);

	add_rules(&b, 3);
	ASSERT_EQ(parse1(&rs, &d, b.data, b.len), -EINVAL, "259 rules");
	ASSERT_TRUE(find_diag(&d, 0, "257:1:too many rules (257, max 256)"), "at the 257th");
	ASSERT_EQ(d.errors, 1, "said once");
	ASSERT_EQ(rs.n, 0, "nothing loaded");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);

	/* Across files: the set's rules count. */
	ua_buf_reset(&b);
	add_rules(&b, 200);
	ASSERT_OK(parse1(&rs, &d, b.data, b.len), "200 rules");
	ua_buf_reset(&b);
	add_rules(&b, 56);
	ASSERT_OK(parse1(&rs, &d, b.data, b.len), "56 more");
	ASSERT_EQ(parse1(&rs, &d, T("# one more\n-a never,io_uring -S all\n")), -EINVAL,
		  "the 257th");
	ASSERT_TRUE(find_diag(&d, 0, "2:1:too many rules (257, max 256)"), "in the third text");
	ASSERT_EQ(rs.n, UA_RULES_MAX, "the set keeps 256");
	ua_buf_release(&b);
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_limit_fields(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_buf b = UA_BUF_INIT;
	char want[64];
	int i, col;

	ua_buf_addstr(&b, P "-k k");
	for (i = 0; i < UA_RULE_FIELDS_MAX; i++)
		ua_buf_addf(&b, " -F uid!=%d", 100 + i); /* 10 bytes each */
	ASSERT_OK(parse1(&rs, &d, b.data, b.len), "64 fields and a key");
	if (ASSERT_EQ(rs.n, 1, "loaded"))
		ASSERT_EQ(rs.rules[0].nfields, UA_RULE_FIELDS_MAX, "64 fields");
	round_trip(&rs, "64 fields");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);

	col = (int)b.len + 5; /* " -F " then the 65th field */
	ua_buf_addstr(&b, " -F gid=1 -F gid=2");
	ASSERT_EQ(parse1(&rs, &d, b.data, b.len), -EINVAL, "66 fields");
	snprintf(want, sizeof(want), "1:%d:too many fields (65, max 64)", col);
	if (!ASSERT_TRUE(find_diag(&d, 0, want), want))
		dump_diags(&rs, &d);
	ASSERT_EQ(d.errors, 1, "said once");
	ua_buf_release(&b);
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_limit_line(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_buf b = UA_BUF_INIT;

	ua_buf_addstr(&b, P "-k k");
	while (b.len < UA_RULE_LINE_MAX)
		ua_buf_addch(&b, ' ');
	ua_buf_addch(&b, '\n');
	ua_buf_addch(&b, '#');
	while (b.len < 2 * UA_RULE_LINE_MAX + 1)
		ua_buf_addch(&b, 'c');
	ASSERT_OK(parse1(&rs, &d, b.data, b.len), "8192-byte rule line, 8192-byte comment");
	ASSERT_EQ(rs.n, 1, "loaded");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);

	/* One more byte: the line is rejected whole, never split; the next line still counts. */
	ua_buf_reset(&b);
	ua_buf_addstr(&b, P "-k k");
	while (b.len < UA_RULE_LINE_MAX + 1)
		ua_buf_addch(&b, ' ');
	ua_buf_addstr(&b, "\n-a always,io_uring -S nope\n");
	ASSERT_EQ(parse1(&rs, &d, b.data, b.len), -EINVAL, "8193-byte line");
	ASSERT_TRUE(find_diag(&d, 0, "1:1:line too long (8193 bytes, max 8192)"), "too long");
	ASSERT_TRUE(find_diag(&d, 0, "2:23:unknown op 'nope'"), "next line parsed");
	ASSERT_EQ(d.errors, 2, "two errors");
	ua_buf_release(&b);
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

/* @prefix, then @n bytes of @c, then @suffix: parse it and expect @rc. */
static void check_len(const char *prefix, int n, char c, const char *suffix, int rc,
		      const char *diag, const char *what)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_buf b = UA_BUF_INIT;
	int i;

	ua_buf_addstr(&b, prefix);
	for (i = 0; i < n; i++)
		ua_buf_addch(&b, c);
	ua_buf_addstr(&b, suffix);
	if (!ASSERT_EQ(parse1(&rs, &d, b.data, b.len), rc, what))
		dump_diags(&rs, &d);
	if (diag && !ASSERT_TRUE(find_diag(&d, 0, diag), diag))
		dump_diags(&rs, &d);
	if (rc == 0)
		round_trip(&rs, what);
	ua_buf_release(&b);
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_limit_strings(void)
{
	check_len(P "-k ", UA_RULE_KEY_MAX, 'k', "\n", 0, NULL, "256-byte key");
	check_len(P "-k ", UA_RULE_KEY_MAX + 1, 'k', "\n", -EINVAL,
		  "1:30:key longer than 256 bytes", "257-byte key");
	check_len(P "-F key=", UA_RULE_KEY_MAX + 1, 'k', "\n", -EINVAL,
		  "1:30:key longer than 256 bytes", "257-byte -F key=");
	check_len(P "-k \"", UA_RULE_KEY_MAX - 1, 'k', " \"\n", 0, NULL,
		  "256-byte key with a space");
	check_len(PO "-F path=/", UA_RULE_STR_MAX - 1, 'p', "\n", 0, NULL, "255-byte path");
	check_len(PO "-F path=/", UA_RULE_STR_MAX, 'p', "\n", -EINVAL,
		  "1:33:for 'path' too long (256 bytes, max 255)", "256-byte path");
	check_len(PO "-F dir=/", UA_RULE_STR_MAX, 'p', "\n", -EINVAL,
		  "1:33:for 'dir' too long (256 bytes, max 255)", "256-byte dir");
	check_len(P "-F exe=/", UA_RULE_EXE_MAX - 1, 'e', "\n", 0, NULL, "4095-byte exe");
	check_len(P "-F exe=/", UA_RULE_EXE_MAX, 'e', "\n", -EINVAL,
		  "1:30:for 'exe' too long (4096 bytes, max 4095)", "4096-byte exe");
	check_len(P "-F cgroup=/", UA_RULE_EXE_MAX, 'c', "\n", -EINVAL,
		  "1:30:for 'cgroup' too long (4096 bytes, max 4095)", "4096-byte cgroup");
	check_len(P "-F uid=", 4000, '1', "\n", -EINVAL, "1:30:out of range for 'uid'",
		  "4000-digit number");
	/* sun_path is 108 bytes: a path and its NUL, or a NUL and an abstract name. */
	check_len(PC "-F addr=/", UA_RULE_UNIX_MAX - 1, 'u', "\n", 0, NULL, "107-byte unix path");
	check_len(PC "-F addr=/", UA_RULE_UNIX_MAX, 'u', "\n", -EINVAL,
		  "1:34:unix socket path too long (108 bytes, max 107)", "108-byte unix path");
	check_len(PC "-F addr=@", UA_RULE_UNIX_MAX, 'u', "\n", 0, NULL, "107-byte abstract name");
	check_len(PC "-F addr=@", UA_RULE_UNIX_MAX + 1, 'u', "\n", -EINVAL,
		  "1:34:unix socket name after '@' too long (108 bytes, max 107)",
		  "108-byte abstract name");
	check_len(PC "-F addr=", 64, '1', "\n", -EINVAL, "1:34:is not an IPv4 or IPv6 address",
		  "64-digit address");
	check_len(PC "-F addr=::/", 4000, '1', "\n", -EINVAL, "1:34:out of range for IPv6",
		  "4000-digit prefix");
	/* Quoting doubles backslashes: a rule whose normal form would not fit a line is refused. */
	/* "-a always,io_uring -S all -F exe=\"/ " is 36 bytes, then 2n, then the closing quote. */
	check_len(P "-F exe=\"/ \"", 4077, '\\', "\n", 0, NULL, "normal form of 8191 bytes");
	check_len(P "-F exe=\"/ \"", 4078, '\\', "\n", -EINVAL,
		  "1:1:rule too long in normal form (8193 bytes, max 8192)",
		  "normal form of 8193 bytes");
}

/* ---- the rest of the API ---- */

static void test_parsed_values(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	const struct ua_rule *r;

	ASSERT_OK(parse1(&rs, &d,
			 T("\n  -a never,io_uring -S openat,200 -F auid=unset -F exit=-EACCES "
			   "-F cgroup=42 -F comm=\"a b\" -F ctx=iowq -k \"k 1\"\n")),
		  "parse");
	if (!ASSERT_EQ(rs.n, 1, "one rule"))
		goto out;
	r = &rs.rules[0];
	ASSERT_EQ(r->line, 2, "line");
	ASSERT_EQ(r->col, 3, "col of -a");
	ASSERT_EQ(r->action, UA_ACT_NEVER, "action");
	ASSERT_FALSE(r->all_ops, "not all");
	ASSERT_EQ(r->opmask[0], 1ull << 18, "openat");
	ASSERT_EQ(r->opmask[3], 1ull << (200 - 192), "200");
	ASSERT_STREQ(r->key, "k 1", "key");
	ASSERT_EQ(r->key_len, 3, "key_len");
	if (!ASSERT_EQ(r->nfields, 5, "fields"))
		goto out;
	ASSERT_EQ(r->fields[0].id, UA_F_AUID, "auid");
	ASSERT_EQ(r->fields[0].num, 4294967295LL, "unset");
	ASSERT_EQ(r->fields[0].col, 38, "field col");
	ASSERT_EQ(r->fields[0].line, 2, "field line");
	ASSERT_EQ(r->fields[1].num, -EACCES, "exit");
	ASSERT_EQ(r->fields[2].is_str, 0, "cgroup id");
	ASSERT_EQ(r->fields[2].num, 42, "cgroup id value");
	ASSERT_EQ(r->fields[3].is_str, 1, "comm is a string");
	ASSERT_MEMEQ(r->fields[3].str, r->fields[3].str_len, "a b", 3, "comm value");
	ASSERT_EQ(r->fields[4].cmp, UA_CMP_EQ, "cmp");
	ASSERT_EQ(r->fields[4].num, 2, "iowq");
out:
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_parsed_socket_values(void)
{
	static const unsigned char v6[16] = { 0xfe, 0x80 };
	static const unsigned char lo6[16] = { [15] = 1 };
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	const struct ua_rule_field *f;

	ASSERT_OK(parse1(&rs, &d,
			 T(PC
			   "-F family=inet6 -F saddr_fam=28 -F addr=10.0.0.0/8 -F addr=fe80::/10 "
			   "-F addr=::1 -F addr=127.0.0.1 -F addr=/run/x.sock -F saddr=@ab "
			   "-F port=443 -F obj_uid=-1 -F obj_gid=0x10\n")),
		  "parse");
	if (!ASSERT_EQ(rs.n, 1, "one rule") || !ASSERT_EQ(rs.rules[0].nfields, 11, "fields"))
		goto out;
	f = rs.rules[0].fields;
	ASSERT_EQ(f[0].id, UA_F_FAMILY, "family");
	ASSERT_EQ(f[0].num, 10, "AF_INET6");
	ASSERT_EQ(f[0].is_str, 0, "a number");
	ASSERT_EQ(f[1].id, UA_F_FAMILY, "saddr_fam is family");
	ASSERT_EQ(f[1].num, 28, "any family number");

	ASSERT_EQ(f[2].id, UA_F_ADDR, "addr");
	ASSERT_EQ(f[2].num, UA_AF_INET, "inet");
	ASSERT_EQ(f[2].prefix, 8, "/8");
	ASSERT_EQ(f[2].is_str, 1, "bytes");
	ASSERT_MEMEQ(f[2].str, f[2].str_len, "\x0a\0\0\0", 4, "10.0.0.0 in network order");
	ASSERT_EQ(f[3].num, UA_AF_INET6, "inet6");
	ASSERT_EQ(f[3].prefix, 10, "/10");
	ASSERT_MEMEQ(f[3].str, f[3].str_len, v6, 16, "fe80:: in network order");
	ASSERT_EQ(f[4].prefix, 128, "::1 is /128");
	ASSERT_MEMEQ(f[4].str, f[4].str_len, lo6, 16, "::1");
	ASSERT_EQ(f[5].prefix, 32, "127.0.0.1 is /32");
	ASSERT_MEMEQ(f[5].str, f[5].str_len, "\x7f\0\0\x01", 4, "127.0.0.1");
	ASSERT_EQ(f[6].num, UA_AF_UNIX, "unix");
	ASSERT_EQ(f[6].prefix, 0, "no prefix");
	ASSERT_MEMEQ(f[6].str, f[6].str_len, "/run/x.sock", 11, "the path, no NUL");
	ASSERT_EQ(f[7].id, UA_F_ADDR, "saddr is addr");
	ASSERT_EQ(f[7].num, UA_AF_UNIX, "abstract");
	ASSERT_MEMEQ(f[7].str, f[7].str_len, "\0ab", 3, "a NUL for the '@'");

	ASSERT_EQ(f[8].id, UA_F_PORT, "port");
	ASSERT_EQ(f[8].num, 443, "443");
	ASSERT_EQ(f[9].id, UA_F_OBJ_UID, "obj_uid");
	ASSERT_EQ(f[9].num, 4294967295LL, "-1");
	ASSERT_EQ(f[10].id, UA_F_OBJ_GID, "obj_gid");
	ASSERT_EQ(f[10].num, 16, "hex");
out:
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

/* r->completion, and ua_rule_at_completion() with the parser's table and others. */
static const struct {
	const char *text;
	int completion;
} completion_cases[] = {
	{ "-a always,io_uring -S openat -F uid=0 -F comm=x -F cgroup=1", 0 },
	{ "-a always,io_uring -S openat -F success=1", 1 },
	{ "-a always,io_uring -S openat -F exit=-EACCES", 1 },
	{ "-a always,io_uring -S openat -F ctx=iowq", 1 },
	{ "-a always,io_uring -S openat -F obj_uid=0", 1 },
	{ "-a always,io_uring -S renameat -F obj_uid=0", 1 }, /* the file it replaced */
	{ "-a always,io_uring -S connect -F obj_gid=0", 1 },
	/* path/dir: at submit for the name ops only */
	{ "-a always,io_uring -S openat,openat2,unlinkat,renameat,mkdirat,symlinkat,linkat,statx,"
	  "setxattr,getxattr -F path=/x",
	  0 },
	{ "-a always,io_uring -S openat -F dir=/x", 0 },
	{ "-a always,io_uring -S openat,read -F path=/x", 1 },
	{ "-a always,io_uring -S close -F dir=/x", 1 },
	{ "-a always,io_uring -S openat,nop -F path=/x", 1 }, /* an op it never matches counts */
	{ "-a always,io_uring -S all -F path=/x", 1 },
	/* family/addr/port: at submit for connect, bind, send*, socket */
	{ "-a always,io_uring -S connect,bind,sendmsg,sendmsg_zc,send,send_zc,socket "
	  "-F family=inet",
	  0 },
	{ "-a always,io_uring -S connect,bind -F addr=10.0.0.0/8 -F port=443", 0 },
	{ "-a always,io_uring -S sendmsg -F saddr=::1", 0 },
	{ "-a always,io_uring -S connect,accept -F port=443", 1 },
	{ "-a always,io_uring -S recv -F addr=@x", 1 },
	{ "-a always,io_uring -S socket,listen -F family=unix", 1 },
	{ "-a always,io_uring -S connect,200 -F family=inet", 1 },
	/* one field is enough */
	{ "-a always,io_uring -S connect -F addr=10.0.0.0/8 -F path=/x", 1 },
	{ "-a always,io_uring -S openat -F path=/x -F uid=0 -F exit=0", 1 },
};

static void test_completion(void)
{
	struct ua_optable few;
	size_t i;

	for (i = 0; i < sizeof(completion_cases) / sizeof(completion_cases[0]); i++) {
		struct ua_ruleset rs = { 0 };
		struct ua_diags d = { 0 };
		const char *t = completion_cases[i].text;

		if (!ASSERT_OK(parse1(&rs, &d, t, strlen(t)), t) || !ASSERT_EQ(rs.n, 1, t)) {
			dump_diags(&rs, &d);
		} else {
			ASSERT_EQ(rs.rules[0].completion, completion_cases[i].completion, t);
			ASSERT_EQ(ua_rule_at_completion(&rs.rules[0], &ops),
				  completion_cases[i].completion, t);
		}
		ua_ruleset_release(&rs);
		ua_diags_release(&d);
	}

	/* A kernel that does not name statx: op 21 is then not known to carry a name. */
	{
		struct ua_ruleset rs = { 0 };

		ua_optable_clear(&few);
		ASSERT_OK(ua_optable_set_enum(&few, "IORING_OP_OPENAT", 18), "openat");
		ASSERT_OK(ua_optable_set_enum(&few, "IORING_OP_CONNECT", 16), "connect");
		ASSERT_OK(ua_rules_parse(&rs, NULL, T("-a always,io_uring -S 18,21 -F path=/x\n"),
					 &few, NULL),
			  "parse with few names");
		if (ASSERT_EQ(rs.n, 1, "rule")) {
			ASSERT_EQ(rs.rules[0].completion, 1, "21 unnamed: not a name op");
			ASSERT_EQ(ua_rule_at_completion(&rs.rules[0], &ops), 0, "with statx named");
		}
		ua_ruleset_release(&rs);
		/* ... and path= on op 21 alone never matches there. */
		ASSERT_EQ(ua_rules_parse(&rs, NULL, T("-a always,io_uring -S 21 -F path=/x\n"),
					 &few, NULL),
			  -EINVAL, "21 alone");
		ua_ruleset_release(&rs);
	}
	ASSERT_EQ(ua_rule_at_completion(NULL, &ops), 0, "no rule");
}

/* ---- what the compiler sends to the kernel (src/rules_load.c, ua_rules_compile) ---- */

static void test_kval(void)
{
	static const unsigned char fe80[16] = { 0xfe, 0x80 };
	static const unsigned char lo6[16] = { [15] = 1 };
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	struct ua_rule_field *f;
	struct ua_kval kv;
	size_t i;

	ASSERT_OK(parse1(&rs, &d,
			 T(PC
			   "-F family=inet6 -F saddr_fam!=28 -F addr=10.0.0.0/8 -F addr!=fe80::/10 "
			   "-F addr!=::1 -F saddr!=127.0.0.1 -F addr!=/run/x.sock -F addr!=@ab "
			   "-F port=443 -F obj_uid=0 -F obj_gid!=-1 -F path=/p -F comm=c "
			   "-F exe=/bin/sh -F cgroup=/a -F cgroup!=42 -F exit=-13 -F uid=7\n")),
		  "parse");
	if (!ASSERT_EQ(rs.n, 1, "one rule") || !ASSERT_EQ(rs.rules[0].nfields, 18, "fields"))
		goto out;
	f = rs.rules[0].fields;
	f[13].res1 = 1234; /* exe: inode, device, as the daemon resolves them */
	f[13].res2 = 0x800001;
	f[14].res1 = 99; /* cgroup path: id, level */
	f[14].res2 = 1;

	ASSERT_OK(ua_rule_field_kval(&f[0], &kv), "family");
	ASSERT_TRUE(kv.val == 10 && kv.val2 == 0 && !kv.str, "family: val = AF_INET6");
	ASSERT_OK(ua_rule_field_kval(&f[1], &kv), "saddr_fam");
	ASSERT_TRUE(kv.val == 28 && !kv.str, "family: any number");

	ASSERT_OK(ua_rule_field_kval(&f[2], &kv), "addr v4");
	ASSERT_TRUE(kv.val == UA_AF_INET && kv.val2 == 8, "AF_INET, /8");
	ASSERT_MEMEQ(kv.str, kv.str_len, "\x0a\0\0\0", 4, "4 bytes, network order");
	ASSERT_OK(ua_rule_field_kval(&f[3], &kv), "addr v6");
	ASSERT_TRUE(kv.val == UA_AF_INET6 && kv.val2 == 10, "AF_INET6, /10");
	ASSERT_MEMEQ(kv.str, kv.str_len, fe80, 16, "16 bytes, network order");
	ASSERT_OK(ua_rule_field_kval(&f[4], &kv), "::1");
	ASSERT_TRUE(kv.val == UA_AF_INET6 && kv.val2 == 128, "/128");
	ASSERT_MEMEQ(kv.str, kv.str_len, lo6, 16, "::1 bytes");
	ASSERT_OK(ua_rule_field_kval(&f[5], &kv), "saddr 127.0.0.1");
	ASSERT_TRUE(kv.val == UA_AF_INET && kv.val2 == 32, "/32");
	ASSERT_MEMEQ(kv.str, kv.str_len, "\x7f\0\0\x01", 4, "127.0.0.1 bytes");
	ASSERT_OK(ua_rule_field_kval(&f[6], &kv), "unix path");
	ASSERT_TRUE(kv.val == UA_AF_UNIX && kv.val2 == 0, "AF_UNIX, no prefix");
	ASSERT_MEMEQ(kv.str, kv.str_len, "/run/x.sock", 11, "the path, its NUL not counted");
	ASSERT_OK(ua_rule_field_kval(&f[7], &kv), "abstract");
	ASSERT_TRUE(kv.val == UA_AF_UNIX && kv.val2 == 0, "AF_UNIX");
	ASSERT_MEMEQ(kv.str, kv.str_len, "\0ab", 3, "a NUL, then the name");

	ASSERT_OK(ua_rule_field_kval(&f[8], &kv), "port");
	ASSERT_TRUE(kv.val == 443 && kv.val2 == 0 && !kv.str, "port 443");
	ASSERT_OK(ua_rule_field_kval(&f[9], &kv), "obj_uid");
	ASSERT_TRUE(kv.val == 0 && !kv.str, "obj_uid 0");
	ASSERT_OK(ua_rule_field_kval(&f[10], &kv), "obj_gid");
	ASSERT_TRUE(kv.val == 4294967295ULL && !kv.str, "obj_gid -1");

	/* The fields that were there before, as the compiler always encoded them. */
	ASSERT_OK(ua_rule_field_kval(&f[11], &kv), "path");
	ASSERT_TRUE(kv.val == 0 && kv.val2 == 0, "path: no number");
	ASSERT_MEMEQ(kv.str, kv.str_len, "/p", 2, "path bytes");
	ASSERT_OK(ua_rule_field_kval(&f[12], &kv), "comm");
	ASSERT_MEMEQ(kv.str, kv.str_len, "c", 1, "comm bytes");
	ASSERT_OK(ua_rule_field_kval(&f[13], &kv), "exe");
	ASSERT_TRUE(kv.val == 1234 && kv.val2 == 0x800001 && !kv.str, "exe: inode, device");
	ASSERT_OK(ua_rule_field_kval(&f[14], &kv), "cgroup path");
	ASSERT_TRUE(kv.val == 99 && kv.val2 == 1 && !kv.str, "cgroup: id, level");
	ASSERT_OK(ua_rule_field_kval(&f[15], &kv), "cgroup id");
	ASSERT_TRUE(kv.val == 42 && kv.val2 == UINT64_MAX && !kv.str, "cgroup id: exact");
	ASSERT_OK(ua_rule_field_kval(&f[16], &kv), "exit");
	ASSERT_TRUE(kv.val == (uint64_t)-13 && !kv.str, "exit: signed, as 64 bits");
	ASSERT_OK(ua_rule_field_kval(&f[17], &kv), "uid");
	ASSERT_TRUE(kv.val == 7 && kv.val2 == 0 && !kv.str, "uid");

	/* Fields the parser would not produce. */
	ASSERT_EQ(ua_rule_field_kval(NULL, &kv), -EINVAL, "no field");
	f[0].id = UA_F_KEY;
	ASSERT_EQ(ua_rule_field_kval(&f[0], &kv), -EINVAL, "key is no field");
	f[0].id = (enum ua_field_id)29;
	ASSERT_EQ(ua_rule_field_kval(&f[0], &kv), -EINVAL, "unknown id");
	f[0].id = UA_F_FAMILY;
	f[2].is_str = 0;
	ASSERT_EQ(ua_rule_field_kval(&f[2], &kv), -EINVAL, "addr without bytes");
	f[2].is_str = 1;
	for (i = 0; i < rs.rules[0].nfields; i++)
		ASSERT_OK(ua_rule_field_kval(&f[i], &kv), "all fields again");
out:
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

/* UA_KR_COMPLETION as the compiler sets it: ua_rule_completion(). */
static void test_kflag_completion(void)
{
	struct ua_ruleset rs = { 0 };
	size_t i;

	ASSERT_OK(parse1(&rs, NULL,
			 T("-a always,io_uring -S openat -F uid=0 -F path=/etc\n"
			   "-a always,io_uring -S read -F path=/etc/shadow -k shadow-read\n"
			   "-a always,io_uring -S openat -F obj_uid=0 -F success=1 -F auid>=1000\n"
			   "-a always,io_uring -S connect,sendmsg -F addr=10.0.0.0/8 -F port=443\n"
			   "-a always,io_uring -S accept -F port=22\n"
			   "-a always,io_uring -S connect -k no-fields\n"
			   "-a always,io_uring -S openat -F success=1\n"
			   "-a always,io_uring -S read -F obj_gid=0\n")),
		  "parse");
	if (!ASSERT_EQ(rs.n, 8, "rules"))
		goto out;
	ASSERT_EQ(ua_rule_completion(&rs.rules[0]), 0, "path on openat: at submit");
	ASSERT_EQ(ua_rule_completion(&rs.rules[1]), 1, "path on read: the file, at completion");
	ASSERT_EQ(ua_rule_completion(&rs.rules[2]), 1, "obj_uid");
	ASSERT_EQ(ua_rule_completion(&rs.rules[3]), 0, "addr on connect/sendmsg: at submit");
	ASSERT_EQ(ua_rule_completion(&rs.rules[4]), 1, "port on accept: at completion");
	ASSERT_EQ(ua_rule_completion(&rs.rules[5]), 0, "no fields");

	/* A rule built without the parser (completion 0): the op-independent fields still count. */
	for (i = 0; i < rs.n; i++)
		rs.rules[i].completion = 0;
	ASSERT_EQ(ua_rule_completion(&rs.rules[1]), 0, "path: only the parser knows");
	ASSERT_EQ(ua_rule_completion(&rs.rules[2]), 1, "obj_uid whatever the ops");
	ASSERT_EQ(ua_rule_completion(&rs.rules[6]), 1, "success whatever the ops");
	ASSERT_EQ(ua_rule_completion(&rs.rules[7]), 1, "obj_gid whatever the ops");
	ASSERT_EQ(ua_rule_completion(NULL), 0, "no rule");
out:
	ua_ruleset_release(&rs);
}

static void test_opmask(void)
{
	struct ua_ruleset rs = { 0 };
	uint64_t m[4];

	ASSERT_OK(parse1(&rs, NULL,
			 T("-a never,io_uring -S all -F uid=0\n-a always,io_uring -S openat\n"
			   "-a deny,io_uring -S 70\n-a kill,io_uring -S connect\n")),
		  "parse");
	ua_rules_opmask(&rs, m);
	ASSERT_EQ(m[0], (1ull << 18) | (1ull << 16), "openat, connect; never does not count");
	ASSERT_EQ(m[1], 1ull << (70 - 64), "70 by deny");
	ASSERT_EQ(m[2] | m[3], 0, "nothing else");
	ua_ruleset_release(&rs);

	ASSERT_OK(parse1(&rs, NULL, T("-a always,io_uring -S all\n")), "all");
	ua_rules_opmask(&rs, m);
	ASSERT_TRUE(m[0] == UINT64_MAX && m[1] == UINT64_MAX && m[2] == UINT64_MAX &&
			    m[3] == UINT64_MAX,
		    "all 256");
	ua_ruleset_release(&rs);
}

/* The bit of a built-in opcode below 64. */
#define B(id) (1ull << UA_OP_##id)

/* A kernel whose table ends before an op of this build: the name still parses, as the
 * built-in number (kernels only append); an unknown name is still an error. */
static void test_ops_newer_than_kernel(void)
{
	struct ua_optable old;
	struct ua_ruleset rs = { 0 };
	struct ua_diags d = { 0 };
	static const char ok_text[] = "-a always,io_uring -S openat,pipe,bind -k x\n";
	static const char bad_text[] = "-a always,io_uring -S openat,nosuchop\n";
	unsigned int op;
	char name[UA_OP_NAME_MAX + 16];

	/* A 6.6 kernel's table: the ops before futex_wait. */
	ua_optable_clear(&old);
	for (op = 0; op < UA_OP_FUTEX_WAIT; op++) {
		const char *n = ua_builtin_op_name(op);
		size_t i;

		snprintf(name, sizeof(name), "IORING_OP_%s", n);
		for (i = 10; name[i]; i++)
			name[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
		ua_optable_set_enum(&old, name, (long)op);
	}
	ua_optable_set_enum(&old, "IORING_OP_LAST", UA_OP_FUTEX_WAIT);
	ASSERT_EQ(ua_optable_lookup(&old, "pipe"), -ENOENT, "the old kernel lacks pipe");
	if (ASSERT_OK(ua_rules_parse(&rs, "new.rules", ok_text, strlen(ok_text), &old, &d),
		      "newer ops parse") &&
	    ASSERT_EQ(rs.n, 1, "one rule")) {
		ASSERT_TRUE(rs.rules[0].opmask[UA_OP_PIPE / 64] & (1ULL << (UA_OP_PIPE % 64)),
			    "pipe by its built-in number");
		ASSERT_TRUE(rs.rules[0].opmask[UA_OP_BIND / 64] & (1ULL << (UA_OP_BIND % 64)),
			    "bind by its built-in number");
	}
	ua_ruleset_release(&rs);
	ASSERT_EQ(ua_rules_parse(&rs, "bad.rules", bad_text, strlen(bad_text), &old, &d), -EINVAL,
		  "an unknown name is still an error");
	ua_ruleset_release(&rs);
	ua_diags_release(&d);
}

static void test_names_and_field_ops(void)
{
	uint64_t m[4] = { 1, 1, 1, 1 }, m2[4] = { 0 };
	struct ua_optable empty, partial;

	ASSERT_STREQ(ua_field_name(UA_F_AUID), "auid", "auid");
	ASSERT_STREQ(ua_field_name(UA_F_PERSONALITY), "personality", "personality");
	ASSERT_STREQ(ua_field_name(UA_F_KEY), "key", "key");
	ASSERT_STREQ(ua_field_name(UA_F_FAMILY), "family", "family");
	ASSERT_STREQ(ua_field_name(UA_F_ADDR), "addr", "addr (not saddr)");
	ASSERT_STREQ(ua_field_name(UA_F_PORT), "port", "port");
	ASSERT_STREQ(ua_field_name(UA_F_OBJ_UID), "obj_uid", "obj_uid");
	ASSERT_STREQ(ua_field_name(UA_F_OBJ_GID), "obj_gid", "obj_gid");
	ASSERT_EQ(UA_F_FAMILY, 24, "numbers the BPF side hardcodes");
	ASSERT_EQ(UA_F_ADDR, 25, "addr");
	ASSERT_EQ(UA_F_PORT, 26, "port");
	ASSERT_EQ(UA_F_OBJ_UID, 27, "obj_uid");
	ASSERT_EQ(UA_F_OBJ_GID, 28, "obj_gid");
	ASSERT_TRUE(ua_field_name((enum ua_field_id)0) == NULL, "0 is no field");
	ASSERT_TRUE(ua_field_name((enum ua_field_id)29) == NULL, "29 is no field");
	ASSERT_STREQ(ua_action_name(UA_ACT_KILL), "kill", "kill");
	ASSERT_TRUE(ua_action_name((enum ua_action)4) == NULL, "4 is no action");
	ASSERT_STREQ(ua_cmp_name(UA_CMP_ANDEQ), "&=", "&=");
	ASSERT_TRUE(ua_cmp_name((enum ua_cmp)0) == NULL, "0 is no cmp");

	ASSERT_EQ(ua_field_ops(UA_F_UID, &ops, m), 0, "uid applies to all ops");
	ASSERT_EQ(ua_field_ops(UA_F_EXIT, &ops, m), 0, "exit too");
	ASSERT_EQ(ua_field_ops((enum ua_field_id)99, &ops, m), -EINVAL, "unknown id");

	/* path and dir: the name ops, then the ops on a file descriptor or fixed file. */
	ASSERT_EQ(ua_field_ops(UA_F_PATH, &ops, m), 1, "path is restricted");
	ASSERT_EQ(m[0],
		  B(OPENAT) | B(OPENAT2) | B(UNLINKAT) | B(RENAMEAT) | B(MKDIRAT) | B(SYMLINKAT) |
			  B(LINKAT) | B(STATX) | B(SETXATTR) | B(GETXATTR) | B(READ) | B(WRITE) |
			  B(READV) | B(WRITEV) | B(READ_FIXED) | B(WRITE_FIXED) | B(FSYNC) |
			  B(SYNC_FILE_RANGE) | B(FALLOCATE) | B(FADVISE) | B(FSETXATTR) |
			  B(FGETXATTR) | B(SPLICE) | B(TEE) | B(SEND) | B(RECV) | B(SENDMSG) |
			  B(RECVMSG) | B(SEND_ZC) | B(SENDMSG_ZC) | B(URING_CMD) |
			  B(FIXED_FD_INSTALL) | B(READ_MULTISHOT) | B(POLL_ADD) | B(EPOLL_CTL) |
			  B(SHUTDOWN) | B(CONNECT) | B(ACCEPT) | B(CLOSE) | B(MSG_RING) |
			  B(FTRUNCATE) | B(BIND) | B(LISTEN),
		  "the name ops and the fd ops");
	ASSERT_EQ(m[1] | m[2] | m[3], 0, "nothing else");
	ASSERT_EQ(ua_field_ops(UA_F_DIR, &ops, m2), 1, "dir is restricted");
	ASSERT_TRUE(memcmp(m, m2, sizeof(m)) == 0, "dir as path");

	/* family: the socket ops and socket; addr and port: the same without socket. */
	ASSERT_EQ(ua_field_ops(UA_F_FAMILY, &ops, m), 1, "family is restricted");
	ASSERT_EQ(m[0],
		  B(CONNECT) | B(BIND) | B(LISTEN) | B(ACCEPT) | B(SEND) | B(RECV) | B(SENDMSG) |
			  B(RECVMSG) | B(SEND_ZC) | B(SENDMSG_ZC) | B(SHUTDOWN) | B(URING_CMD) |
			  B(READ) | B(WRITE) | B(READV) | B(WRITEV) | B(READ_MULTISHOT) |
			  B(RECV_ZC) | B(SPLICE) | B(SOCKET),
		  "socket ops");
	ASSERT_EQ(m[1] | m[2] | m[3], 0, "nothing else");
	ASSERT_EQ(ua_field_ops(UA_F_ADDR, &ops, m2), 1, "addr is restricted");
	ASSERT_EQ(m2[0], m[0] & ~B(SOCKET), "addr: not socket");
	ASSERT_EQ(ua_field_ops(UA_F_PORT, &ops, m), 1, "port is restricted");
	ASSERT_TRUE(memcmp(m, m2, sizeof(m)) == 0, "port as addr");

	/* obj_uid and obj_gid: every op, named or not, but those with no object. */
	ASSERT_EQ(ua_field_ops(UA_F_OBJ_UID, &ops, m), 1, "obj_uid is restricted");
	ASSERT_EQ(m[0],
		  ~(B(NOP) | B(TIMEOUT) | B(TIMEOUT_REMOVE) | B(ASYNC_CANCEL) | B(LINK_TIMEOUT) |
		    B(FILES_UPDATE) | B(PROVIDE_BUFFERS) | B(REMOVE_BUFFERS) | B(FUTEX_WAIT) |
		    B(FUTEX_WAKE) | B(FUTEX_WAITV) | B(WAITID) | B(UNLINKAT) |
		    B(MKDIRAT) | B(SYMLINKAT) | B(LINKAT)),
		  "all but the ops with no object");
	ASSERT_TRUE(m[1] == UINT64_MAX && m[2] == UINT64_MAX && m[3] == UINT64_MAX,
		    "ops 64..255, named or not");
	ASSERT_EQ(ua_field_ops(UA_F_OBJ_GID, &ops, m2), 1, "obj_gid is restricted");
	ASSERT_TRUE(memcmp(m, m2, sizeof(m)) == 0, "obj_gid as obj_uid");

	/* Ops named by the table in use, not by number: without names, path= matches nothing. */
	ua_optable_clear(&empty);
	ASSERT_EQ(ua_field_ops(UA_F_DIR, &empty, m), 1, "dir");
	ASSERT_EQ(m[0] | m[1] | m[2] | m[3], 0, "no names, no file ops");
	ASSERT_EQ(ua_field_ops(UA_F_ADDR, &empty, m), 1, "addr");
	ASSERT_EQ(m[0] | m[1] | m[2] | m[3], 0, "no names, no socket ops");
	ASSERT_EQ(ua_field_ops(UA_F_OBJ_UID, &empty, m), 1, "obj_uid");
	ASSERT_TRUE(m[0] == UINT64_MAX && m[1] == UINT64_MAX && m[2] == UINT64_MAX &&
			    m[3] == UINT64_MAX,
		    "no names: no op is known to have no object");
	/* A table that lacks one name: that op is simply absent. */
	ua_optable_init_builtin(&partial);
	partial.name[UA_OP_STATX][0] = '\0';
	ASSERT_EQ(ua_field_ops(UA_F_PATH, &partial, m), 1, "path without statx");
	ASSERT_EQ(ua_field_ops(UA_F_PATH, &ops, m2), 1, "path with statx");
	ASSERT_EQ(m[0], m2[0] & ~B(STATX), "statx absent");
	partial.name[UA_OP_WAITID][0] = '\0';
	ASSERT_EQ(ua_field_ops(UA_F_OBJ_UID, &partial, m), 1, "obj_uid without waitid");
	ASSERT_TRUE(m[0] & B(WAITID), "an op the table does not name is not excluded");
}

static void test_format_rejects_bad_sets(void)
{
	struct ua_ruleset rs = { 0 };
	struct ua_buf b = UA_BUF_INIT;
	struct ua_rule_field *f;

	ASSERT_OK(parse1(&rs, NULL, T("-a always,io_uring -S openat -F uid=1 -F comm=x\n")),
		  "parse");
	if (!ASSERT_EQ(rs.n, 1, "rule"))
		goto out;
	ua_buf_addstr(&b, "keep");
	rs.rules[0].fields[0].num = 1LL << 40;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "uid out of range");
	ASSERT_STREQ(b.data, "keep", "output left as it was");
	rs.rules[0].fields[0].num = 1;
	rs.rules[0].fields[0].cmp = (enum ua_cmp)9;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "bad cmp");
	rs.rules[0].fields[0].cmp = UA_CMP_EQ;
	rs.rules[0].fields[1].str[0] = '\n';
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "newline in a value");
	rs.rules[0].fields[1].str[0] = 'x';
	memset(rs.rules[0].opmask, 0, sizeof(rs.rules[0].opmask));
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "no ops");
	ASSERT_STREQ(b.data, "keep", "still as it was");
	ua_ruleset_release(&rs);

	/* addr= values the parser would not produce. */
	ASSERT_OK(parse1(&rs, NULL, T(PC "-F addr=10.0.0.0/8 -F addr=/s -F addr=fe80::/10\n")),
		  "parse addr");
	if (!ASSERT_EQ(rs.n, 1, "rule"))
		goto out;
	f = rs.rules[0].fields;
	f[0].prefix = 7; /* 10 is 0b00001010: 10.0.0.0/7 is a network too */
	ASSERT_OK(ua_rules_format(&rs, &ops, &b), "10.0.0.0/7");
	ASSERT_STREQ(b.data, "keep" PC "-F addr=10.0.0.0/7 -F addr=/s -F addr=fe80::/10\n", "/7");
	ua_buf_reset(&b);
	ua_buf_addstr(&b, "keep");
	f[0].prefix = 6;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "host bits beyond the prefix");
	f[0].prefix = 33;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "prefix beyond 32");
	f[0].prefix = 8;
	f[0].num = 3;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "unknown family");
	f[0].num = UA_AF_INET6;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "4 bytes for inet6");
	f[0].num = UA_AF_INET;
	f[1].str[0] = 'x';
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "unix path without / or NUL");
	f[1].str[0] = '/';
	f[1].prefix = 1;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "unix with a prefix");
	f[1].prefix = 0;
	f[1].str[0] = '\0';
	f[1].str_len = 1;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "empty abstract name");
	f[1].str_len = 2;
	f[1].str[1] = '\0';
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "NUL in an abstract name");
	f[1].str[1] = 's';
	ASSERT_STREQ(b.data, "keep", "as it was");
	ua_buf_reset(&b);
	ASSERT_OK(ua_rules_format(&rs, &ops, &b), "fixed");
	ASSERT_STREQ(b.data, PC "-F addr=10.0.0.0/8 -F addr=@s -F addr=fe80::/10\n", "normal form");
	f[2].str[15] = 1;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "inet6 host bits");
	f[2].str[15] = 0;
	f[2].is_str = 0;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "addr without bytes");
	f[2].is_str = 1;
	rs.rules[0].fields[0].id = UA_F_PORT;
	rs.rules[0].fields[0].is_str = 0;
	rs.rules[0].fields[0].num = 65536;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "port 65536");
	rs.rules[0].fields[0].id = UA_F_FAMILY;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "family 65536");
	rs.rules[0].fields[0].num = 65535;
	rs.rules[0].fields[0].cmp = UA_CMP_LT;
	ASSERT_EQ(ua_rules_format(&rs, &ops, &b), -EINVAL, "family with <");
	rs.rules[0].fields[0].is_str = 1; /* for the release: str is still set */
out:
	ua_buf_release(&b);
	ua_ruleset_release(&rs);
}

static void test_equal(void)
{
	struct ua_ruleset a = { 0 }, b = { 0 };

	ASSERT_OK(parse1(&a, NULL, T("-a always,io_uring -S openat -F uid=1 -k x\n")), "a");
	ASSERT_OK(parse1(&b, NULL, T("\n\n-a io_uring,always -Sopenat -Fuid=0x1 -F key=x\n")), "b");
	ASSERT_TRUE(ua_rules_equal(&a, &b), "same rules, other spelling and place");
	ua_ruleset_release(&b);
	ASSERT_OK(parse1(&b, NULL, T("-a always,io_uring -S openat -F uid=1 -k y\n")), "b2");
	ASSERT_FALSE(ua_rules_equal(&a, &b), "other key");
	ua_ruleset_release(&b);
	ASSERT_OK(parse1(&b, NULL, T("-a always,io_uring -S openat -F uid=1\n")), "b3");
	ASSERT_FALSE(ua_rules_equal(&a, &b), "no key");
	ua_ruleset_release(&b);
	ASSERT_OK(parse1(&b, NULL, T("-a always,io_uring -S openat -F uid!=1 -k x\n")), "b4");
	ASSERT_FALSE(ua_rules_equal(&a, &b), "other cmp");
	ua_ruleset_release(&b);
	ASSERT_OK(parse1(&b, NULL, T("-D\n-a always,io_uring -S openat -F uid=1 -k x\n")), "b5");
	ASSERT_FALSE(ua_rules_equal(&a, &b), "-D");
	ua_ruleset_release(&b);
	ua_ruleset_release(&a);

	/* addr=: aliases and spellings of one value are equal; family and prefix count. */
	ASSERT_OK(parse1(&a, NULL, T(PC "-F addr=10.0.0.0/8 -F family=inet -F addr=::1\n")), "a");
	ASSERT_OK(parse1(&b, NULL,
			 T(PC "-F saddr=10.0.0.0/08 -F saddr_fam=2 -F addr=0::0:1/128\n")),
		  "b");
	ASSERT_TRUE(ua_rules_equal(&a, &b), "same values, other spellings");
	ua_ruleset_release(&b);
	ASSERT_OK(parse1(&b, NULL, T(PC "-F addr=10.0.0.0/9 -F family=inet -F addr=::1\n")), "b2");
	ASSERT_FALSE(ua_rules_equal(&a, &b), "other prefix");
	ua_ruleset_release(&b);
	/* "/abc" as a unix path has the bytes of 47.97.98.99: the family tells them apart. */
	ASSERT_OK(parse1(&b, NULL, T(PC "-F addr=47.97.98.99 -F family=inet -F addr=::1\n")), "b3");
	ua_ruleset_release(&a);
	ASSERT_OK(parse1(&a, NULL, T(PC "-F addr=/abc -F family=inet -F addr=::1\n")), "a2");
	if (ASSERT_EQ(a.n, 1, "a2") && ASSERT_EQ(b.n, 1, "b3"))
		ASSERT_MEMEQ(a.rules[0].fields[0].str, a.rules[0].fields[0].str_len,
			     b.rules[0].fields[0].str, b.rules[0].fields[0].str_len, "same bytes");
	ASSERT_FALSE(ua_rules_equal(&a, &b), "unix path vs IPv4");
	ua_ruleset_release(&b);
	ua_ruleset_release(&a);
}

static void test_bad_arguments(void)
{
	struct ua_ruleset rs = { 0 };

	ASSERT_EQ(ua_rules_parse(NULL, NULL, T(""), &ops, NULL), -EINVAL, "no set");
	ASSERT_EQ(ua_rules_parse(&rs, NULL, T(""), NULL, NULL), -EINVAL, "no table");
	ASSERT_EQ(ua_rules_parse(&rs, NULL, NULL, 3, &ops, NULL), -EINVAL, "no text");
	ASSERT_OK(ua_rules_parse(&rs, NULL, NULL, 0, &ops, NULL), "no text, no bytes");
	ASSERT_EQ(rs.nfiles, 1, "counted");
	ua_ruleset_release(&rs);
	ua_ruleset_release(NULL);
	ua_diags_release(NULL);
}

int main(void)
{
	ua_optable_init_builtin(&ops);

	test_accepted();
	test_errors();
	test_warnings();
	RUN_TEST(test_several_errors_all_reported);
	RUN_TEST(test_too_many_errors);
	RUN_TEST(test_multi_file);
	RUN_TEST(test_multi_file_d_second_only);
	RUN_TEST(test_limit_rules);
	RUN_TEST(test_limit_fields);
	RUN_TEST(test_limit_line);
	RUN_TEST(test_limit_strings);
	RUN_TEST(test_parsed_values);
	RUN_TEST(test_parsed_socket_values);
	RUN_TEST(test_completion);
	RUN_TEST(test_kval);
	RUN_TEST(test_kflag_completion);
	RUN_TEST(test_opmask);
	RUN_TEST(test_names_and_field_ops);
	RUN_TEST(test_ops_newer_than_kernel);
	RUN_TEST(test_format_rejects_bad_sets);
	RUN_TEST(test_equal);
	RUN_TEST(test_bad_arguments);
	return test_main_end();
}
