// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rule parser, set checks and normal form (see rules.h for the grammar).
 *
 * The parser works a line at a time: length and control bytes first (a bad line is rejected
 * whole, never split), then tokens (spaces and tabs separate them; "..." quotes, with \" and
 * \\ as the only escapes), then options. An error is reported and parsing goes on, so one run
 * shows every problem; a structural error (unknown option, missing value) ends its line. The
 * rules of a text only join the set when the whole text is clean.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define U32_ALL 4294967295LL
#define SHOW_MAX 48		     /* bytes of a token quoted in a message */
#define SHOW_SIZE (SHOW_MAX * 4 + 4) /* each byte may become \xNN; "..." and NUL */

/* How a field's value is written and stored. */
enum vkind {
	V_U32,	   /* pid, ppid: 0..4294967295 */
	V_ID,	   /* uid ... fsgid: also -1 (4294967295) */
	V_UNSET,   /* auid, ses: also -1 and unset (4294967295) */
	V_PERS,	   /* personality: 1..65535 */
	V_EXIT,	   /* signed 32-bit, or an errno name */
	V_SUCCESS, /* 0/1/no/yes */
	V_ENUM,	   /* ctx, cred: a name from the field's list */
	V_EXE,	   /* absolute path, up to UA_RULE_EXE_MAX */
	V_COMM,	   /* 1..UA_RULE_COMM_MAX bytes */
	V_CGROUP,  /* path starting with /, or an id */
	V_FPATH,   /* dir, path: absolute path, up to UA_RULE_STR_MAX */
	V_KEY,	   /* -F key=: the rule's key */
	V_FAMILY,  /* family: inet, inet6, unix or 0..65535 */
	V_PORT,	   /* port: 0..65535 */
	V_ADDR,	   /* addr: IPv4/IPv6 with an optional /prefix, or a unix socket path */
};

#define CMP_BIT(c) (1u << (c))
#define CMPS_NUM                                                                             \
	(CMP_BIT(UA_CMP_EQ) | CMP_BIT(UA_CMP_NE) | CMP_BIT(UA_CMP_LT) | CMP_BIT(UA_CMP_GT) | \
	 CMP_BIT(UA_CMP_LE) | CMP_BIT(UA_CMP_GE) | CMP_BIT(UA_CMP_AND) | CMP_BIT(UA_CMP_ANDEQ))
#define CMPS_EQNE (CMP_BIT(UA_CMP_EQ) | CMP_BIT(UA_CMP_NE))
#define CMPS_EQ CMP_BIT(UA_CMP_EQ)

/*
 * Ops by class (lib/ops.def), found by name in the op table; a name the table lacks is simply
 * absent from the mask it gives.
 */
struct op_list {
	unsigned int classes; /* UA_OPC() bits: the ops of any of them */
	int except; /* the classes name the ops left out: every other op, named or not, is in */
};

/* dir= and path=: names at submit; the path of the file used, at completion. */
static const struct op_list name_ops = { UA_OPC(NAMES), 0 };
static const struct op_list file_ops = { UA_OPC(NAMES) | UA_OPC(FD), 0 };
/* family=, addr=, port=: at submit where the kernel copied an address (socket: only a family),
 * else the socket's addresses at completion. */
static const struct op_list family_ops = { UA_OPC(SOCK) | UA_OPC(FAMILY), 0 };
static const struct op_list addr_ops = { UA_OPC(SOCK), 0 };
static const struct op_list addr_submit_ops = { UA_OPC(ADDR) | UA_OPC(FAMILY), 0 };
/* obj_uid= and obj_gid=: every op but those with no object whose owner they could test. */
static const struct op_list obj_ops = { UA_OPC(NOOBJ), 1 };

/* When a field's value is known. */
enum when {
	AT_SUBMIT = 0,
	AT_COMPLETION, /* for every op */
	AT_SUBMIT_FOR, /* at submit for the ops in field_def.submit, at completion for others */
};

struct field_def {
	const char *name;
	enum vkind kind;
	unsigned int cmps;	  /* CMP_BIT() of the operators allowed */
	const char *const *names; /* V_ENUM: value names, indexed by value */
	int64_t nnames;
	const struct op_list *ops; /* the ops the field can match; NULL: every op */
	const char *ops_what;	   /* "none of the ops in -S ..." when the rule has none of them */
	enum when when;
	const struct op_list *submit; /* AT_SUBMIT_FOR */
};

static const char *const ctx_names[] = { "task", "sqpoll", "iowq" };
static const char *const cred_names[] = { "task", "personality", "sqpoll" };

#define FILE_OPS_WHAT "names a file or works on one (see docs/rules.md)"
#define FAMILY_OPS_WHAT "works on a socket"
#define ADDR_OPS_WHAT "works on a socket with an address"
#define OBJ_OPS_WHAT "touches an object (a file or an inode)"

/* Indexed by enum ua_field_id: one line per field, and the three places a new field touches. */
static const struct field_def field_defs[] = {
	[UA_F_PID] = { .name = "pid", .kind = V_U32, .cmps = CMPS_NUM },
	[UA_F_PPID] = { .name = "ppid", .kind = V_U32, .cmps = CMPS_NUM },
	[UA_F_UID] = { .name = "uid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_EUID] = { .name = "euid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_SUID] = { .name = "suid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_FSUID] = { .name = "fsuid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_GID] = { .name = "gid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_EGID] = { .name = "egid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_SGID] = { .name = "sgid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_FSGID] = { .name = "fsgid", .kind = V_ID, .cmps = CMPS_NUM },
	[UA_F_AUID] = { .name = "auid", .kind = V_UNSET, .cmps = CMPS_NUM },
	[UA_F_SES] = { .name = "ses", .kind = V_UNSET, .cmps = CMPS_NUM },
	[UA_F_EXE] = { .name = "exe", .kind = V_EXE, .cmps = CMPS_EQNE },
	[UA_F_COMM] = { .name = "comm", .kind = V_COMM, .cmps = CMPS_EQNE },
	[UA_F_CGROUP] = { .name = "cgroup", .kind = V_CGROUP, .cmps = CMPS_EQNE },
	[UA_F_SUCCESS] = { .name = "success",
			   .kind = V_SUCCESS,
			   .cmps = CMPS_EQNE,
			   .when = AT_COMPLETION },
	[UA_F_EXIT] = { .name = "exit", .kind = V_EXIT, .cmps = CMPS_NUM, .when = AT_COMPLETION },
	[UA_F_CTX] = { .name = "ctx",
		       .kind = V_ENUM,
		       .cmps = CMPS_EQNE,
		       .names = ctx_names,
		       .nnames = ARRAY_SIZE(ctx_names),
		       .when = AT_COMPLETION },
	[UA_F_CRED] = { .name = "cred",
			.kind = V_ENUM,
			.cmps = CMPS_EQNE,
			.names = cred_names,
			.nnames = ARRAY_SIZE(cred_names) },
	[UA_F_PERSONALITY] = { .name = "personality", .kind = V_PERS, .cmps = CMPS_NUM },
	[UA_F_DIR] = { .name = "dir",
		       .kind = V_FPATH,
		       .cmps = CMPS_EQ,
		       .ops = &file_ops,
		       .ops_what = FILE_OPS_WHAT,
		       .when = AT_SUBMIT_FOR,
		       .submit = &name_ops },
	[UA_F_PATH] = { .name = "path",
			.kind = V_FPATH,
			.cmps = CMPS_EQ,
			.ops = &file_ops,
			.ops_what = FILE_OPS_WHAT,
			.when = AT_SUBMIT_FOR,
			.submit = &name_ops },
	[UA_F_KEY] = { .name = "key", .kind = V_KEY, .cmps = CMPS_EQ },
	[UA_F_FAMILY] = { .name = "family",
			  .kind = V_FAMILY,
			  .cmps = CMPS_EQNE,
			  .ops = &family_ops,
			  .ops_what = FAMILY_OPS_WHAT,
			  .when = AT_SUBMIT_FOR,
			  .submit = &addr_submit_ops },
	[UA_F_ADDR] = { .name = "addr",
			.kind = V_ADDR,
			.cmps = CMPS_EQNE,
			.ops = &addr_ops,
			.ops_what = ADDR_OPS_WHAT,
			.when = AT_SUBMIT_FOR,
			.submit = &addr_submit_ops },
	[UA_F_PORT] = { .name = "port",
			.kind = V_PORT,
			.cmps = CMPS_NUM,
			.ops = &addr_ops,
			.ops_what = ADDR_OPS_WHAT,
			.when = AT_SUBMIT_FOR,
			.submit = &addr_submit_ops },
	[UA_F_OBJ_UID] = { .name = "obj_uid",
			   .kind = V_ID,
			   .cmps = CMPS_NUM,
			   .ops = &obj_ops,
			   .ops_what = OBJ_OPS_WHAT,
			   .when = AT_COMPLETION },
	[UA_F_OBJ_GID] = { .name = "obj_gid",
			   .kind = V_ID,
			   .cmps = CMPS_NUM,
			   .ops = &obj_ops,
			   .ops_what = OBJ_OPS_WHAT,
			   .when = AT_COMPLETION },
};

#define NFIELDS ARRAY_SIZE(field_defs)

/* Other names of fields, as auditctl spells them; the normal form uses the field's own. */
static const struct {
	const char *name;
	enum ua_field_id id;
} field_aliases[] = {
	{ "saddr", UA_F_ADDR },
	{ "saddr_fam", UA_F_FAMILY },
};

/* family= values with a name (Linux numbers). */
static const struct {
	const char *name;
	int nr;
} family_names[] = {
	{ "unix", UA_AF_UNIX },
	{ "inet", UA_AF_INET },
	{ "inet6", UA_AF_INET6 },
};

static const char *const cmp_names[] = {
	[UA_CMP_EQ] = "=",  [UA_CMP_NE] = "!=", [UA_CMP_LT] = "<",  [UA_CMP_GT] = ">",
	[UA_CMP_LE] = "<=", [UA_CMP_GE] = ">=", [UA_CMP_AND] = "&", [UA_CMP_ANDEQ] = "&=",
};

/* Longest first, so that "<=" is not read as "<" followed by a value "=...". */
static const enum ua_cmp cmp_parse_order[] = {
	UA_CMP_NE, UA_CMP_LE, UA_CMP_GE, UA_CMP_ANDEQ, UA_CMP_EQ, UA_CMP_LT, UA_CMP_GT, UA_CMP_AND,
};

static const char *const action_names[] = {
	[UA_ACT_NEVER] = "never",
	[UA_ACT_ALWAYS] = "always",
	[UA_ACT_DENY] = "deny",
	[UA_ACT_KILL] = "kill",
};

#define LIST_NAME "io_uring"

/* exit= accepts these names, with or without a leading '-', for the negative errno. */
static const struct {
	const char *name;
	int nr;
} errno_names[] = {
	{ "EPERM", EPERM },	    { "ENOENT", ENOENT },
	{ "EINTR", EINTR },	    { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN },	    { "EACCES", EACCES },
	{ "EFAULT", EFAULT },	    { "EBUSY", EBUSY },
	{ "EEXIST", EEXIST },	    { "EXDEV", EXDEV },
	{ "ENOTDIR", ENOTDIR },	    { "EISDIR", EISDIR },
	{ "EINVAL", EINVAL },	    { "ENFILE", ENFILE },
	{ "EMFILE", EMFILE },	    { "ENOSPC", ENOSPC },
	{ "EROFS", EROFS },	    { "ENAMETOOLONG", ENAMETOOLONG },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ELOOP", ELOOP },
	{ "ETIMEDOUT", ETIMEDOUT }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ECANCELED", ECANCELED },
};

/* ---- small helpers ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int mem_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static const struct field_def *field_def(enum ua_field_id id)
{
	if ((unsigned int)id >= ARRAY_SIZE(field_defs) || !field_defs[id].name)
		return NULL;
	return &field_defs[id];
}

/* The field named @s (or by an alias); *written is the name as written, for messages. */
static const struct field_def *field_by_name(const char *s, size_t len, enum ua_field_id *id,
					     const char **written)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(field_defs); i++) {
		if (field_defs[i].name && mem_is(s, len, field_defs[i].name)) {
			*id = (enum ua_field_id)i;
			*written = field_defs[i].name;
			return &field_defs[i];
		}
	}
	for (i = 0; i < ARRAY_SIZE(field_aliases); i++) {
		if (mem_is(s, len, field_aliases[i].name)) {
			*id = field_aliases[i].id;
			*written = field_aliases[i].name;
			return field_def(field_aliases[i].id);
		}
	}
	return NULL;
}

static int action_by_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (action_names[i] && mem_is(s, len, action_names[i]))
			return (int)i;
	}
	return -1;
}

static void mask_set(uint64_t mask[4], unsigned int op)
{
	mask[op / 64] |= 1ull << (op % 64);
}

static int mask_test(const uint64_t mask[4], unsigned int op)
{
	return !!(mask[op / 64] & (1ull << (op % 64)));
}

static int mask_meets(const uint64_t a[4], const uint64_t b[4])
{
	return !!((a[0] & b[0]) | (a[1] & b[1]) | (a[2] & b[2]) | (a[3] & b[3]));
}

/* Some op of @a is not in @b. */
static int mask_exceeds(const uint64_t a[4], const uint64_t b[4])
{
	return !!((a[0] & ~b[0]) | (a[1] & ~b[1]) | (a[2] & ~b[2]) | (a[3] & ~b[3]));
}

/* The opcodes of @l, found by name in @ops (NULL: no names). */
static void op_list_mask(const struct op_list *l, const struct ua_optable *ops, uint64_t mask[4])
{
	uint64_t m[4];
	unsigned int c;
	int w;

	memset(mask, 0, 4 * sizeof(mask[0]));
	for (c = 0; c < UA_OPC_NR; c++) {
		if (!(l->classes & (1u << c)) || ua_optable_class_mask(ops, c, m) < 0)
			continue;
		for (w = 0; w < 4; w++)
			mask[w] |= m[w];
	}
	if (l->except) {
		for (w = 0; w < 4; w++)
			mask[w] = ~mask[w];
	}
}

/* Per field id, the ops it can match (ops) and those it is known at submit for (submit). */
struct field_masks {
	uint64_t ops[NFIELDS][4];
	uint64_t submit[NFIELDS][4];
};

static void field_masks_init(struct field_masks *m, const struct ua_optable *ops)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field_def *fd = &field_defs[i];

		if (fd->ops)
			op_list_mask(fd->ops, ops, m->ops[i]);
		else
			memset(m->ops[i], 0xff, sizeof(m->ops[i]));
		if (fd->submit)
			op_list_mask(fd->submit, ops, m->submit[i]);
		else
			memset(m->submit[i], fd->when == AT_SUBMIT ? 0xff : 0,
			       sizeof(m->submit[i]));
	}
}

/* Some field of @r is known only at completion for some op of @r. */
static int rule_at_completion(const struct ua_rule *r, const struct field_masks *m)
{
	size_t k;

	for (k = 0; k < r->nfields; k++) {
		const struct field_def *fd = field_def(r->fields[k].id);

		if (fd && fd->when != AT_SUBMIT &&
		    mask_exceeds(r->opmask, m->submit[r->fields[k].id]))
			return 1;
	}
	return 0;
}

/* @s as it may appear in a message: bytes outside 0x20..0x7e as \xNN, cut after SHOW_MAX. */
static const char *show(char out[SHOW_SIZE], const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len && i < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (len > SHOW_MAX) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/*
 * A number: optional '-', then decimal digits or 0x/0X and hex digits, nothing else (no '+',
 * no spaces). Returns 0, -EINVAL when it is not a number, -ERANGE beyond int64_t.
 */
static int parse_num(const char *s, size_t len, int64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0;
	int neg = 0, over = 0;

	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		char c = s[i];
		unsigned int dv;

		if (is_digit(c))
			dv = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			dv = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			dv = (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - dv) / base)
			over = 1;
		else
			v = v * base + dv;
	}
	if (over || v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static char *dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static void rule_release(struct ua_rule *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		free(r->fields[i].str);
	free(r->fields);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

/* ---- diagnostics ---- */

__attribute__((format(printf, 6, 0))) static int
diag_vadd(struct ua_diags *d, int file, int line, int col, int warning, const char *fmt, va_list ap)
{
	struct ua_diag *g;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct ua_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	g = &d->v[d->n++];
	g->file = file;
	g->line = line;
	g->col = col;
	g->warning = warning;
	vsnprintf(g->msg, sizeof(g->msg), fmt, ap);
	if (!warning)
		d->errors++;
	return 0;
}

__attribute__((format(printf, 6, 7))) static int
diag_add(struct ua_diags *d, int file, int line, int col, int warning, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = diag_vadd(d, file, line, col, warning, fmt, ap);
	va_end(ap);
	return err;
}

/* ---- the parser ---- */

struct tok {
	size_t off, len; /* the token's bytes, quotes removed, in parser.tbuf */
	int glued;	 /* -X followed by more bytes in the line: -kfoo, -k"" */
	int col;	 /* 1-based column of its first byte */
	int quoted;	 /* it had a '"': columns inside it do not map to bytes */
};

struct rvec {
	struct ua_rule *v;
	size_t n, cap;
};

struct parser {
	struct ua_ruleset *rs;
	const struct ua_optable *ops;
	struct ua_diags *d;
	int file;		    /* index of this text in rs->files */
	int first;		    /* the first text of the set: -D allowed at its top */
	int line;		    /* current line, 1-based */
	size_t errors;		    /* errors in this text */
	int stopped;		    /* too many errors: stop */
	int oom;		    /* an allocation failed */
	int seen_rule;		    /* a rule line seen in this text */
	int too_many;		    /* "too many rules" reported */
	int delete_all;		    /* -D seen (applied when the text is clean) */
	int locked;		    /* -e 2 seen */
	int best_effort;	    /* --enforce best-effort seen */
	unsigned int deny_policies; /* --deny NAME seen (UA_RULES_DENY_*) */
	size_t nrules;		    /* rule lines seen in this text */
	struct rvec pre;	    /* -A rules, in the order seen */
	struct rvec app;	    /* -a rules */
	int masks_ready; /* masks filled (on the first rule with a field that needs them) */
	struct field_masks masks; /* from ops */
	struct tok *toks;
	size_t ntoks, tokcap;
	struct ua_buf tbuf;
};

__attribute__((format(printf, 3, 4))) static void perr(struct parser *p, int col, const char *fmt,
						       ...)
{
	size_t before = p->d ? p->d->errors : p->errors;
	va_list ap;

	p->errors++;
	if (p->stopped)
		return;
	if (before >= UA_DIAG_ERRORS_MAX) {
		/* The last word; d->errors then exceeds the maximum, which later texts see. */
		if (p->d && diag_add(p->d, p->file, p->line, col, 0, "too many errors"))
			p->oom = 1;
		p->stopped = 1;
		return;
	}
	if (!p->d)
		return;
	va_start(ap, fmt);
	if (diag_vadd(p->d, p->file, p->line, col, 0, fmt, ap))
		p->oom = 1;
	va_end(ap);
}

static const char *tstr(const struct parser *p, size_t i)
{
	return p->tbuf.data + p->toks[i].off;
}

/* Split a line into tokens. Returns 0, or -1 after reporting an unterminated quote. */
static int tokenize(struct parser *p, const char *s, size_t len)
{
	size_t i = 0;

	p->ntoks = 0;
	ua_buf_reset(&p->tbuf);
	while (i < len) {
		struct tok t = { 0 };
		size_t start, qstart = 0;
		int inq = 0;

		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		t.off = p->tbuf.len;
		t.col = (int)i + 1;
		while (i < len && (inq || !is_blank(s[i]))) {
			char c = s[i];

			if (c == '"') {
				inq = !inq;
				qstart = i;
				t.quoted = 1;
				i++;
			} else if (inq && c == '\\' && i + 1 < len &&
				   (s[i + 1] == '"' || s[i + 1] == '\\')) {
				ua_buf_addch(&p->tbuf, s[i + 1]);
				i += 2;
			} else {
				ua_buf_addch(&p->tbuf, c);
				i++;
			}
		}
		if (inq) {
			perr(p, (int)qstart + 1, "unterminated quote");
			return -1;
		}
		t.len = p->tbuf.len - t.off;
		/* -kfoo, -k"foo" and -k"" carry their argument; "-k" and -"k" do not. */
		t.glued = t.len > 2 || (i - start > 2 && s[start] == '-' && s[start + 1] != '"');
		ua_buf_addch(&p->tbuf, '\0'); /* each token is a C string (lines hold no NUL) */
		if (p->ntoks == p->tokcap) {
			size_t cap = p->tokcap ? p->tokcap * 2 : 32;
			struct tok *v = realloc(p->toks, cap * sizeof(*v));

			if (!v) {
				p->oom = 1;
				return -1;
			}
			p->toks = v;
			p->tokcap = cap;
		}
		p->toks[p->ntoks++] = t;
	}
	if (p->tbuf.err) {
		p->oom = 1;
		return -1;
	}
	return 0;
}

/* 'a' for "-a" or "-aARG", '-' for "--long", 0 for a token that is not an option. */
static int opt_letter(const char *t)
{
	if (t[0] != '-')
		return 0;
	if (t[1] == '-' && t[2])
		return '-';
	if ((t[1] >= 'a' && t[1] <= 'z') || (t[1] >= 'A' && t[1] <= 'Z'))
		return t[1];
	return 0;
}

static void err_unsupported(struct parser *p, size_t i)
{
	const char *t = tstr(p, i);
	char sh[SHOW_SIZE];
	size_t len = p->toks[i].len;

	if (t[1] == '-') {
		const char *eq = strchr(t, '=');

		if (eq)
			len = (size_t)(eq - t);
	} else {
		len = 2;
	}
	perr(p, p->toks[i].col, "unsupported option '%s'", show(sh, t, len));
}

static void err_not_option(struct parser *p, size_t i)
{
	char sh[SHOW_SIZE];
	const char *t = tstr(p, i);

	perr(p, p->toks[i].col, "expected an option, got '%s'%s", show(sh, t, p->toks[i].len),
	     t[0] == '#' ? " (comments must be on a line of their own)" : "");
}

struct arg {
	const char *s; /* NUL-terminated */
	size_t len;
	int col;
	int quoted;
};

/* The argument of the option in token *i: glued (-kfoo) or the next token (then *i moves). */
static int opt_arg(struct parser *p, size_t *i, struct arg *a)
{
	const struct tok *t = &p->toks[*i];
	const char *s = tstr(p, *i);

	if (t->glued) {
		a->s = s + 2;
		a->len = t->len - 2;
		a->col = t->col + 2;
		a->quoted = t->quoted;
		return 0;
	}
	if (*i + 1 >= p->ntoks) {
		perr(p, t->col, "option '%.2s' needs a value", s);
		return -1;
	}
	++*i;
	t = &p->toks[*i];
	a->s = tstr(p, *i);
	a->len = t->len;
	a->col = t->col;
	a->quoted = t->quoted;
	return 0;
}

/* Column of byte @off of an argument: exact unless quotes moved the bytes. */
static int arg_col(const struct arg *a, size_t off)
{
	return a->quoted ? a->col : a->col + (int)off;
}

/* -a ACTION,io_uring or -a io_uring,ACTION */
static void parse_action(struct parser *p, int opt, const struct arg *a, struct ua_rule *r)
{
	const char *comma = memchr(a->s, ',', a->len);
	char sh[SHOW_SIZE];
	size_t l1, l2;
	const char *s2;
	int act, list_first = 0;

	if (!comma || memchr(comma + 1, ',', a->len - (size_t)(comma + 1 - a->s))) {
		perr(p, a->col, "expected 'action,%s' after '-%c', got '%s'", LIST_NAME, opt,
		     show(sh, a->s, a->len));
		return;
	}
	l1 = (size_t)(comma - a->s);
	s2 = comma + 1;
	l2 = a->len - l1 - 1;
	act = action_by_name(a->s, l1);
	if (act < 0) {
		act = action_by_name(s2, l2);
		list_first = 1;
	}
	if (act < 0) {
		/* Name the part that is not the list, or the first if neither is. */
		int first_bad = !mem_is(a->s, l1, LIST_NAME);

		perr(p, first_bad ? a->col : arg_col(a, l1 + 1),
		     "unknown action '%s' (always, never, deny, kill)",
		     first_bad ? show(sh, a->s, l1) : show(sh, s2, l2));
		return;
	}
	r->action = (enum ua_action)act;
	if (list_first ? !mem_is(a->s, l1, LIST_NAME) : !mem_is(s2, l2, LIST_NAME))
		perr(p, list_first ? a->col : arg_col(a, l1 + 1), "unsupported list '%s' (only %s)",
		     list_first ? show(sh, a->s, l1) : show(sh, s2, l2), LIST_NAME);
}

/* -S op[,op...]: names, numbers, all */
/*
 * An op this build knows that the running kernel does not have yet (its
 * table ends before it): kernels only append opcodes, so the built-in number
 * is the one it will have, and no request of the kernel can carry it now.
 * The installed default rules name every op mainline audits, whatever the
 * kernel. -ENOENT for any other name.
 */
static int newer_op(const struct ua_optable *ops, const char *name)
{
	unsigned int op;

	for (op = ops ? ops->nr : UA_OP_MAX; op < ua_builtin_op_count(); op++) {
		const char *b = ua_builtin_op_name(op);

		if (b && !strcmp(b, name))
			return (int)op;
	}
	return -ENOENT;
}

static void parse_ops(struct parser *p, const struct arg *a, struct ua_rule *r)
{
	size_t s = 0;

	for (;;) {
		char sh[SHOW_SIZE], name[UA_OP_NAME_MAX + 8];
		size_t e = s, len;
		int op;

		while (e < a->len && a->s[e] != ',')
			e++;
		len = e - s;
		if (len == 0) {
			perr(p, arg_col(a, s), "empty op in -S '%s'", show(sh, a->s, a->len));
		} else if (mem_is(a->s + s, len, "all")) {
			r->all_ops = 1;
			memset(r->opmask, 0xff, sizeof(r->opmask));
		} else {
			if (len < sizeof(name)) {
				memcpy(name, a->s + s, len);
				name[len] = '\0';
				op = ua_optable_lookup(p->ops, name);
				if (op == -ENOENT)
					op = newer_op(p->ops, name);
			} else {
				size_t k = a->s[s] == '-';

				while (k < len && is_digit(a->s[s + k]))
					k++;
				op = k == len ? -ERANGE : -ENOENT;
			}
			if (op >= 0)
				mask_set(r->opmask, (unsigned int)op);
			else if (op == -ERANGE)
				perr(p, arg_col(a, s), "op '%s' out of range in -S (0..%d)",
				     show(sh, a->s + s, len), UA_OP_MAX - 1);
			else
				perr(p, arg_col(a, s), "unknown op '%s' in -S",
				     show(sh, a->s + s, len));
		}
		if (e >= a->len)
			break;
		s = e + 1;
	}
}

struct rule_state {
	int saw_ops;
	int key_col;	     /* column of the first key, 0 if none yet */
	int errno_col;	     /* column of the first errno=, 0 if none yet */
	size_t nfields;	     /* -F fields seen (valid or not), key excluded */
	int fields_reported; /* "too many fields" said */
};

static void set_key(struct parser *p, struct ua_rule *r, struct rule_state *st, const char *v,
		    size_t len, int col)
{
	size_t i;

	if (st->key_col) {
		perr(p, col, "second key in one rule (the first is at column %d)", st->key_col);
		return;
	}
	st->key_col = col;
	if (len == 0) {
		perr(p, col, "empty key");
		return;
	}
	if (len > UA_RULE_KEY_MAX) {
		perr(p, col, "key longer than %d bytes", UA_RULE_KEY_MAX);
		return;
	}
	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)v[i])) {
			perr(p, col, "key contains control byte 0x%02x", (unsigned char)v[i]);
			return;
		}
	}
	r->key = dup_mem(v, len);
	if (!r->key) {
		p->oom = 1;
		return;
	}
	r->key_len = len;
}

/* Bytes of an address of family @af (UA_AF_INET or UA_AF_INET6). */
static size_t addr_bytes(int64_t af)
{
	return af == UA_AF_INET ? 4 : 16;
}

/* @a with the bits from @prefix on cleared (@net) and with the bits before it cleared (@host). */
static void addr_split(const unsigned char *a, size_t n, int prefix, unsigned char *net,
		       unsigned char *host)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int bits = prefix - (int)(8 * i);
		unsigned char m = bits >= 8 ? 0xff :
				  bits <= 0 ? 0 :
					      (unsigned char)(0xff << (8 - bits));

		net[i] = a[i] & m;
		host[i] = a[i] & (unsigned char)~m;
	}
}

/*
 * addr=: an IPv4 or IPv6 literal with an optional /prefix (host bits beyond it must be 0), or a
 * unix socket path: '/...' (a file) or '@...' (abstract: '@' stands for the leading NUL).
 */
static int parse_addr(struct parser *p, const char *fname, const char *v, size_t len, int col,
		      struct ua_rule_field *f)
{
	char sh[SHOW_SIZE], ip[64], t1[INET6_ADDRSTRLEN], t2[INET6_ADDRSTRLEN];
	unsigned char a[16], net[16], host[16];
	const char *slash;
	size_t alen, n, i;
	int af, max, prefix;

	if (v[0] == '/' || v[0] == '@') {
		size_t name = v[0] == '@' ? len - 1 : len;

		if (name == 0) {
			perr(p, col, "value '%s' for '%s': empty abstract unix socket name",
			     show(sh, v, len), fname);
			return -1;
		}
		if (name > UA_RULE_UNIX_MAX) {
			perr(p, col,
			     "value '%s' for '%s': unix socket %s too long (%zu bytes, max %d)",
			     show(sh, v, len), fname, v[0] == '@' ? "name after '@'" : "path", name,
			     UA_RULE_UNIX_MAX);
			return -1;
		}
		f->str = dup_mem(v, len);
		if (!f->str) {
			p->oom = 1;
			return -1;
		}
		if (v[0] == '@')
			f->str[0] = '\0';
		f->str_len = len;
		f->is_str = 1;
		f->num = UA_AF_UNIX;
		f->prefix = 0;
		return 0;
	}

	slash = memchr(v, '/', len);
	alen = slash ? (size_t)(slash - v) : len;
	af = memchr(v, ':', alen) ? AF_INET6 : AF_INET;
	if (alen >= sizeof(ip))
		alen = 0; /* too long for any address: refused below */
	memcpy(ip, v, alen);
	ip[alen] = '\0';
	if (alen == 0 || inet_pton(af, ip, a) != 1) {
		perr(p, col,
		     "value '%s' for '%s' is not an IPv4 or IPv6 address (or a unix socket path starting with / or @)",
		     show(sh, v, len), fname);
		return -1;
	}
	f->num = af == AF_INET6 ? UA_AF_INET6 : UA_AF_INET;
	n = addr_bytes(f->num);
	max = (int)(8 * n);
	prefix = max;
	if (slash) {
		const char *d = slash + 1;
		size_t dl = len - alen - 1;

		for (i = 0; i < dl && is_digit(d[i]); i++)
			;
		if (dl == 0) {
			perr(p, col, "value '%s' for '%s': no prefix length after '/'",
			     show(sh, v, len), fname);
			return -1;
		}
		if (i < dl) {
			perr(p, col,
			     "value '%s' for '%s': the prefix length after '/' is not a decimal number",
			     show(sh, v, len), fname);
			return -1;
		}
		prefix = 0;
		for (i = 0; i < dl && prefix <= max; i++)
			prefix = prefix * 10 + (d[i] - '0');
		if (prefix > max) {
			perr(p, col,
			     "value '%s' for '%s': prefix length out of range for %s (0..%d)",
			     show(sh, v, len), fname, af == AF_INET6 ? "IPv6" : "IPv4", max);
			return -1;
		}
	}
	addr_split(a, n, prefix, net, host);
	for (i = 0; i < n && !host[i]; i++)
		;
	if (i < n) {
		inet_ntop(af, host, t1, sizeof(t1));
		inet_ntop(af, net, t2, sizeof(t2));
		perr(p, col,
		     "value '%s' for '%s' has host bits set beyond the /%d prefix (%s): the network is %s/%d",
		     show(sh, v, len), fname, prefix, t1, t2, prefix);
		return -1;
	}
	f->str = dup_mem((const char *)a, n);
	if (!f->str) {
		p->oom = 1;
		return -1;
	}
	f->str_len = n;
	f->is_str = 1;
	f->prefix = prefix;
	return 0;
}

/* Parse @v for field @fd into @f. Returns 0, or -1 after reporting the problem. */
static int parse_value(struct parser *p, const struct field_def *fd, const char *fname,
		       const char *v, size_t len, int col, struct ua_rule_field *f)
{
	char sh[SHOW_SIZE];
	int64_t n = 0, lo = 0, hi = U32_ALL;
	size_t i, maxlen = 0;
	int rc;

	if (fd->kind == V_UNSET && mem_is(v, len, "unset")) {
		f->num = U32_ALL;
		return 0;
	}
	switch (fd->kind) {
	case V_UNSET:
	case V_U32:
	case V_ID:
	case V_PERS:
	case V_PORT:
		if (fd->kind == V_PERS || fd->kind == V_PORT) {
			lo = fd->kind == V_PERS ? 1 : 0;
			hi = 65535;
		}
		rc = parse_num(v, len, &n);
		if (rc == -EINVAL) {
			perr(p, col, "value '%s' for '%s' is not a number", show(sh, v, len),
			     fname);
			return -1;
		}
		if (rc == 0 && n == -1 && (fd->kind == V_ID || fd->kind == V_UNSET))
			n = U32_ALL;
		if (rc || n < lo || n > hi) {
			perr(p, col, "value '%s' out of range for '%s' (%" PRId64 "..%" PRId64 ")",
			     show(sh, v, len), fname, lo, hi);
			return -1;
		}
		f->num = n;
		return 0;
	case V_EXIT: {
		const char *nm = v;
		size_t nl = len;

		if (nl && nm[0] == '-') {
			nm++;
			nl--;
		}
		if (nl && nm[0] >= 'A' && nm[0] <= 'Z') {
			for (i = 0; i < ARRAY_SIZE(errno_names); i++) {
				if (mem_is(nm, nl, errno_names[i].name)) {
					f->num = -errno_names[i].nr;
					return 0;
				}
			}
			perr(p, col, "unknown errno name '%s' for 'exit'", show(sh, v, len));
			return -1;
		}
		rc = parse_num(v, len, &n);
		if (rc == -EINVAL) {
			perr(p, col, "value '%s' for 'exit' is not a number or an errno name",
			     show(sh, v, len));
			return -1;
		}
		if (rc || n < INT32_MIN || n > INT32_MAX) {
			perr(p, col, "value '%s' out of range for 'exit' (%d..%d)",
			     show(sh, v, len), INT32_MIN, INT32_MAX);
			return -1;
		}
		f->num = n;
		return 0;
	}
	case V_SUCCESS:
		if (mem_is(v, len, "1") || mem_is(v, len, "yes")) {
			f->num = 1;
		} else if (mem_is(v, len, "0") || mem_is(v, len, "no")) {
			f->num = 0;
		} else {
			perr(p, col, "unknown value '%s' for 'success' (0, 1, no, yes)",
			     show(sh, v, len));
			return -1;
		}
		return 0;
	case V_ENUM: {
		char list[128];
		size_t o = 0;

		for (i = 0; i < (size_t)fd->nnames; i++) {
			if (mem_is(v, len, fd->names[i])) {
				f->num = (int64_t)i;
				return 0;
			}
		}
		list[0] = '\0';
		for (i = 0; i < (size_t)fd->nnames && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
					      fd->names[i]);
		perr(p, col, "unknown value '%s' for '%s' (%s)", show(sh, v, len), fname, list);
		return -1;
	}
	case V_CGROUP:
		if (v[0] != '/') {
			rc = parse_num(v, len, &n);
			if (rc == -EINVAL) {
				perr(p, col,
				     "value '%s' for 'cgroup' is neither a path starting with / nor a cgroup id",
				     show(sh, v, len));
				return -1;
			}
			if (rc || n < 1) {
				perr(p, col,
				     "value '%s' out of range for 'cgroup' (1..%" PRId64 ")",
				     show(sh, v, len), INT64_MAX);
				return -1;
			}
			f->num = n;
			return 0;
		}
		maxlen = UA_RULE_EXE_MAX;
		break;
	case V_EXE:
	case V_FPATH:
		if (v[0] != '/') {
			perr(p, col, "value '%s' for '%s' is not an absolute path",
			     show(sh, v, len), fname);
			return -1;
		}
		maxlen = fd->kind == V_EXE ? UA_RULE_EXE_MAX : UA_RULE_STR_MAX;
		break;
	case V_COMM:
		maxlen = UA_RULE_COMM_MAX;
		break;
	case V_FAMILY:
		for (i = 0; i < ARRAY_SIZE(family_names); i++) {
			if (mem_is(v, len, family_names[i].name)) {
				f->num = family_names[i].nr;
				return 0;
			}
		}
		rc = parse_num(v, len, &n);
		if (rc == -EINVAL) {
			perr(p, col,
			     "unknown value '%s' for '%s' (inet, inet6, unix or a number 0..65535)",
			     show(sh, v, len), fname);
			return -1;
		}
		if (rc || n < 0 || n > 65535) {
			perr(p, col, "value '%s' out of range for '%s' (0..65535)",
			     show(sh, v, len), fname);
			return -1;
		}
		f->num = n;
		return 0;
	case V_ADDR:
		return parse_addr(p, fname, v, len, col, f);
	case V_KEY:
		return -1; /* handled by the caller */
	}

	if (len > maxlen) {
		perr(p, col, "value '%s' for '%s' too long (%zu bytes, max %zu)", show(sh, v, len),
		     fname, len, maxlen);
		return -1;
	}
	f->str = dup_mem(v, len);
	if (!f->str) {
		p->oom = 1;
		return -1;
	}
	f->str_len = len;
	f->is_str = 1;
	return 0;
}

/*
 * -F errno=NAME|N on a deny or kill rule: the error its stopped request gets
 * (positive, 1..4095; the LSM hooks return its negative). Not a field: it
 * matches nothing and is never sent as one.
 */
static void set_errno(struct parser *p, const struct arg *a, struct ua_rule *r,
		      struct rule_state *st, size_t n)
{
	const char *v = a->s + n + 1;
	size_t len = a->len - n - 1, i;
	char sh[SHOW_SIZE];
	int64_t num;

	if (a->len <= n || a->s[n] != '=' || (len && (v[0] == '=' || v[0] == '!'))) {
		perr(p, a->col, "'errno' takes '=' and a value: errno=EPERM");
		return;
	}
	if (st->errno_col) {
		perr(p, a->col, "second errno= in one rule (the first is at column %d)",
		     st->errno_col);
		return;
	}
	st->errno_col = a->col;
	if (r->action != UA_ACT_DENY && r->action != UA_ACT_KILL) {
		perr(p, a->col,
		     "errno= is for deny and kill rules (the error of the request "
		     "they stop), not '%s'",
		     ua_action_name(r->action) ? ua_action_name(r->action) : "?");
		return;
	}
	if (len && v[0] >= 'A' && v[0] <= 'Z') {
		for (i = 0; i < ARRAY_SIZE(errno_names); i++) {
			if (mem_is(v, len, errno_names[i].name)) {
				r->err = errno_names[i].nr;
				return;
			}
		}
		perr(p, a->col, "unknown errno name '%s' for 'errno'", show(sh, v, len));
		return;
	}
	if (parse_num(v, len, &num) || num < 1 || num > 4095) {
		perr(p, a->col, "value '%s' for 'errno' is not an errno name or 1..4095",
		     show(sh, v, len));
		return;
	}
	r->err = (int)num;
}

/* -F fieldOPvalue */
static void parse_field(struct parser *p, const struct arg *a, struct ua_rule *r,
			struct rule_state *st)
{
	const struct field_def *fd;
	struct ua_rule_field f = { 0 };
	struct ua_rule_field *v;
	char sh[SHOW_SIZE];
	enum ua_field_id id;
	size_t n = 0, i, oplen = 0;
	enum ua_cmp cmp = 0;
	const char *val, *fname = NULL;
	size_t vlen;

	while (n < a->len && is_name_char(a->s[n]))
		n++;
	if (n == 0) {
		perr(p, a->col, "expected fieldOPvalue after -F, got '%s'", show(sh, a->s, a->len));
		return;
	}
	if (mem_is(a->s, n, "errno")) {
		set_errno(p, a, r, st, n);
		return;
	}
	fd = field_by_name(a->s, n, &id, &fname);
	if (!fd) {
		if (mem_is(a->s, n, "arch"))
			perr(p, a->col,
			     "unknown field 'arch' (io_uring opcodes are the same on every arch)");
		else
			perr(p, a->col, "unknown field '%s'", show(sh, a->s, n));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cmp_parse_order); i++) {
		const char *op = cmp_names[cmp_parse_order[i]];
		size_t ol = strlen(op);

		if (a->len - n >= ol && memcmp(a->s + n, op, ol) == 0) {
			cmp = cmp_parse_order[i];
			oplen = ol;
			break;
		}
	}
	if (!cmp) {
		perr(p, a->col, "expected an operator (= != < > <= >= & &=) after '%s' in '%s'",
		     fname, show(sh, a->s, a->len));
		return;
	}
	if (!(fd->cmps & CMP_BIT(cmp))) {
		perr(p, a->col, "operator '%s' not allowed for field '%s' (use %s)", cmp_names[cmp],
		     fname, fd->cmps == CMPS_EQ ? "=" : "= or !=");
		return;
	}
	val = a->s + n + oplen;
	vlen = a->len - n - oplen;
	if (vlen == 0) {
		perr(p, a->col, "empty value for '%s'", fname);
		return;
	}
	if (fd->kind == V_KEY) {
		set_key(p, r, st, val, vlen, a->col);
		return;
	}

	st->nfields++;
	f.id = id;
	f.cmp = cmp;
	f.line = p->line;
	f.col = a->col;
	if (parse_value(p, fd, fname, val, vlen, a->col, &f))
		return;
	if (r->nfields >= UA_RULE_FIELDS_MAX || st->nfields > UA_RULE_FIELDS_MAX) {
		if (!st->fields_reported)
			perr(p, a->col, "too many fields (%zu, max %d)", st->nfields,
			     UA_RULE_FIELDS_MAX);
		st->fields_reported = 1;
		free(f.str);
		return;
	}
	v = realloc(r->fields, (r->nfields + 1) * sizeof(*v));
	if (!v) {
		free(f.str);
		p->oom = 1;
		return;
	}
	r->fields = v;
	r->fields[r->nfields++] = f;
}

static int rvec_push(struct rvec *rv, const struct ua_rule *r)
{
	if (rv->n == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 16;
		struct ua_rule *v = realloc(rv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rv->v = v;
		rv->cap = cap;
	}
	rv->v[rv->n++] = *r;
	return 0;
}

static void rvec_release(struct rvec *rv)
{
	size_t i;

	for (i = 0; i < rv->n; i++)
		rule_release(&rv->v[i]);
	free(rv->v);
	memset(rv, 0, sizeof(*rv));
}

static int format_rule(const struct ua_rule *r, const struct ua_optable *ops, struct ua_buf *out);

/*
 * The normal form must read back, so it must fit in a line. It can be longer than the input
 * (backslashes doubled in quotes, -1 as 4294967295, op numbers as names): say so here rather
 * than print a set that does not reload.
 */
static void check_normal_length(struct parser *p, const struct ua_rule *r)
{
	struct ua_buf b = UA_BUF_INIT;

	if (format_rule(r, p->ops, &b) == -ENOMEM)
		p->oom = 1;
	else if (b.len > UA_RULE_LINE_MAX + 1) /* + 1: the newline */
		perr(p, r->col, "rule too long in normal form (%zu bytes, max %d)", b.len - 1,
		     UA_RULE_LINE_MAX);
	ua_buf_release(&b);
}

/* A line that starts with -a or -A. */
static void parse_rule(struct parser *p)
{
	struct rule_state st = { 0 };
	struct ua_rule r = { 0 };
	size_t i = 0, errors0 = p->errors, total, k;
	int opt = (unsigned char)tstr(p, 0)[1];
	struct arg a;

	r.file = p->file;
	r.line = p->line;
	r.col = p->toks[0].col;
	p->seen_rule = 1;
	p->nrules++;
	total = p->rs->n + p->nrules;
	if (total > UA_RULES_MAX && !p->too_many) {
		perr(p, r.col, "too many rules (%zu, max %d)", total, UA_RULES_MAX);
		p->too_many = 1;
	}

	if (opt_arg(p, &i, &a))
		goto drop;
	parse_action(p, opt, &a, &r);

	for (i++; i < p->ntoks; i++) {
		int o = opt_letter(tstr(p, i));
		int col = p->toks[i].col;

		switch (o) {
		case 'S':
			if (opt_arg(p, &i, &a))
				goto drop;
			st.saw_ops = 1;
			parse_ops(p, &a, &r);
			break;
		case 'F':
			if (opt_arg(p, &i, &a))
				goto drop;
			parse_field(p, &a, &r, &st);
			break;
		case 'k':
			if (opt_arg(p, &i, &a))
				goto drop;
			set_key(p, &r, &st, a.s, a.len, a.col);
			break;
		case 'a':
		case 'A':
			perr(p, col, "second '-%c' in one rule (one rule per line)", o);
			goto drop;
		case 'D':
		case 'e':
			perr(p, col, "'-%c' must be on a line of its own", o);
			goto drop;
		case 0:
			err_not_option(p, i);
			goto drop;
		default:
			err_unsupported(p, i);
			goto drop;
		}
		if (p->oom || p->stopped)
			goto drop;
	}

	if (!st.saw_ops) {
		perr(p, r.col, "no -S: name the ops or use -S all");
	} else if (r.opmask[0] | r.opmask[1] | r.opmask[2] | r.opmask[3]) {
		for (k = 0; k < r.nfields; k++) {
			const struct ua_rule_field *f = &r.fields[k];
			const struct field_def *fd = field_def(f->id);

			if (!p->masks_ready && (fd->ops || fd->when != AT_SUBMIT)) {
				field_masks_init(&p->masks, p->ops);
				p->masks_ready = 1;
			}
			if (fd->ops && !mask_meets(r.opmask, p->masks.ops[f->id]))
				perr(p, f->col,
				     "field '%s' never matches: none of the ops in -S %s", fd->name,
				     fd->ops_what);
		}
		if (p->masks_ready)
			r.completion = rule_at_completion(&r, &p->masks);
	}

	if (p->errors == errors0)
		check_normal_length(p, &r);
	if (p->errors != errors0 || p->too_many || p->oom)
		goto drop;
	if (rvec_push(opt == 'A' ? &p->pre : &p->app, &r)) {
		p->oom = 1;
		goto drop;
	}
	return;
drop:
	rule_release(&r);
}

static void err_extra(struct parser *p, size_t i, const char *opt)
{
	char sh[SHOW_SIZE];

	perr(p, p->toks[i].col, "unexpected '%s' after '%s' (put %s on a line of its own)",
	     show(sh, tstr(p, i), p->toks[i].len), opt, opt);
}

static void parse_delete(struct parser *p)
{
	if (p->toks[0].glued) {
		perr(p, p->toks[0].col, "option '-D' takes no value");
		return;
	}
	if (p->ntoks > 1) {
		err_extra(p, 1, "-D");
		return;
	}
	if (!p->first || p->seen_rule) {
		perr(p, p->toks[0].col, "'-D' is only allowed at the top of the first file");
		return;
	}
	p->delete_all = 1;
}

static void parse_enable(struct parser *p)
{
	char sh[SHOW_SIZE];
	struct arg a;
	size_t i = 0;

	if (opt_arg(p, &i, &a))
		return;
	if (mem_is(a.s, a.len, "0"))
		perr(p, a.col, "disabling is not supported ('-e 0')");
	else if (mem_is(a.s, a.len, "2"))
		p->locked = 1;
	else if (!mem_is(a.s, a.len, "1"))
		perr(p, a.col, "value '%s' for '-e' must be 0, 1 or 2", show(sh, a.s, a.len));
	if (i + 1 < p->ntoks)
		err_extra(p, i + 1, "-e");
}

/* --enforce required|best-effort (or --enforce=VALUE), on a line of its own. */
static void parse_enforce(struct parser *p)
{
	const char *t = tstr(p, 0), *v;
	char sh[SHOW_SIZE];
	size_t vlen, next = 1;
	int col;

	if (p->toks[0].len > 9 && t[9] == '=') {
		v = t + 10;
		vlen = p->toks[0].len - 10;
		col = p->toks[0].col + 10;
	} else if (p->ntoks > 1) {
		v = tstr(p, 1);
		vlen = p->toks[1].len;
		col = p->toks[1].col;
		next = 2;
	} else {
		perr(p, p->toks[0].col, "option '--enforce' needs a value (required, best-effort)");
		return;
	}
	if (mem_is(v, vlen, "best-effort"))
		p->best_effort = 1;
	else if (!mem_is(v, vlen, "required"))
		perr(p, col, "value '%s' for '--enforce' must be required or best-effort",
		     show(sh, v, vlen));
	if (next < p->ntoks)
		err_extra(p, next, "--enforce");
}

static const char *const deny_policy_names[] = { "sqpoll", "personality", "unrecorded" };

/* --deny sqpoll|personality|unrecorded (or --deny=NAME), on a line of its own. */
static void parse_deny_policy(struct parser *p)
{
	const char *t = tstr(p, 0), *v;
	char sh[SHOW_SIZE];
	size_t vlen, next = 1, i;
	int col;

	if (p->toks[0].len > 6 && t[6] == '=') {
		v = t + 7;
		vlen = p->toks[0].len - 7;
		col = p->toks[0].col + 7;
	} else if (p->ntoks > 1) {
		v = tstr(p, 1);
		vlen = p->toks[1].len;
		col = p->toks[1].col;
		next = 2;
	} else {
		perr(p, p->toks[0].col,
		     "option '--deny' needs a value (sqpoll, personality, unrecorded)");
		return;
	}
	for (i = 0; i < sizeof(deny_policy_names) / sizeof(deny_policy_names[0]); i++) {
		if (mem_is(v, vlen, deny_policy_names[i])) {
			p->deny_policies |= 1u << i;
			break;
		}
	}
	if (i == sizeof(deny_policy_names) / sizeof(deny_policy_names[0]))
		perr(p, col, "value '%s' for '--deny' must be sqpoll, personality or unrecorded",
		     show(sh, v, vlen));
	if (next < p->ntoks)
		err_extra(p, next, "--deny");
}

static int is_long(const struct parser *p, const char *name)
{
	const char *t = tstr(p, 0);
	size_t len = p->toks[0].len, n = strlen(name);

	return len >= n && !memcmp(t, name, n) && (len == n || t[n] == '=');
}

static int is_enforce(const struct parser *p)
{
	const char *t = tstr(p, 0);
	size_t len = p->toks[0].len;

	return len >= 9 && !memcmp(t, "--enforce", 9) && (len == 9 || t[9] == '=');
}

static void parse_line(struct parser *p, const char *s, size_t len)
{
	size_t i;
	int o;

	if (len > UA_RULE_LINE_MAX) {
		perr(p, 1, "line too long (%zu bytes, max %d)", len, UA_RULE_LINE_MAX);
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0') {
			perr(p, (int)i + 1, "line contains a NUL byte");
			return;
		}
		if (is_ctl(c) && c != '\t') {
			perr(p, (int)i + 1, "line contains control byte 0x%02x%s", c,
			     c == '\r' ? " (a CRLF line ending?)" : "");
			return;
		}
	}
	for (i = 0; i < len && is_blank(s[i]); i++)
		;
	if (i == len || s[i] == '#')
		return;
	if (tokenize(p, s, len) || p->ntoks == 0)
		return;

	o = opt_letter(tstr(p, 0));
	if (o == '-' && is_enforce(p)) {
		parse_enforce(p);
		return;
	}
	if (o == '-' && is_long(p, "--deny")) {
		parse_deny_policy(p);
		return;
	}
	switch (o) {
	case 'a':
	case 'A':
		parse_rule(p);
		break;
	case 'D':
		parse_delete(p);
		break;
	case 'e':
		parse_enable(p);
		break;
	case 'S':
	case 'F':
	case 'k':
		perr(p, p->toks[0].col, "'-%c' before '-a': a rule starts with -a ACTION,%s", o,
		     LIST_NAME);
		break;
	case 0:
		err_not_option(p, 0);
		break;
	default:
		err_unsupported(p, 0);
		break;
	}
}

/* Join this text's rules to the set: -A rules (last seen first), the set, -a rules. */
static int merge(struct parser *p)
{
	struct ua_ruleset *rs = p->rs;
	size_t n = rs->n + p->pre.n + p->app.n, i;
	struct ua_rule *v;

	if (n == rs->n)
		return 0;
	v = realloc(rs->rules, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (rs->n && p->pre.n)
		memmove(v + p->pre.n, v, rs->n * sizeof(*v));
	for (i = 0; i < p->pre.n; i++)
		v[i] = p->pre.v[p->pre.n - 1 - i];
	if (p->app.n)
		memcpy(v + p->pre.n + rs->n, p->app.v, p->app.n * sizeof(*v));
	rs->rules = v;
	rs->n = n;
	/* Owned by the set now. */
	p->pre.n = 0;
	p->app.n = 0;
	return 0;
}

int ua_rules_parse(struct ua_ruleset *rs, const char *name, const char *text, size_t len,
		   const struct ua_optable *ops, struct ua_diags *d)
{
	struct parser p = { 0 };
	const char *s = text, *end = text ? text + len : NULL;
	char *name_copy = NULL;
	char **files;
	int rc;

	if (!rs || !ops || (!text && len))
		return -EINVAL;

	if (name) {
		name_copy = strdup(name);
		if (!name_copy)
			return -ENOMEM;
	}
	files = realloc(rs->files, (rs->nfiles + 1) * sizeof(*files));
	if (!files) {
		free(name_copy);
		return -ENOMEM;
	}
	rs->files = files;
	rs->files[rs->nfiles] = name_copy;

	p.rs = rs;
	p.ops = ops;
	p.d = d;
	p.file = rs->nfiles < INT_MAX ? (int)rs->nfiles : INT_MAX;
	p.first = rs->nfiles == 0;
	rs->nfiles++;
	/* An earlier text ended in "too many errors": nothing more is said. */
	if (d && d->errors > UA_DIAG_ERRORS_MAX) {
		p.stopped = 1;
		p.errors = 1;
	}

	while (text && s < end && !p.stopped && !p.oom) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (p.line < INT_MAX)
			p.line++;
		parse_line(&p, s, ll);
		s += ll + (nl ? 1 : 0);
	}

	if (p.oom)
		rc = -ENOMEM;
	else if (p.errors)
		rc = -EINVAL;
	else
		rc = merge(&p);
	if (rc == 0) {
		rs->delete_all |= p.delete_all;
		rs->locked |= p.locked;
		rs->best_effort |= p.best_effort;
		rs->deny_policies |= p.deny_policies;
	}
	rvec_release(&p.pre);
	rvec_release(&p.app);
	free(p.toks);
	ua_buf_release(&p.tbuf);
	return rc;
}

/* ---- set checks ---- */

static int mask_covers(const uint64_t big[4], const uint64_t small[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		if (small[i] & ~big[i])
			return 0;
	}
	return 1;
}

/* The values a numeric field can take, for the contradiction check; -1 if not compared. */
static int num_domain(const struct field_def *fd, int64_t *lo, int64_t *hi)
{
	switch (fd->kind) {
	case V_U32:
	case V_ID:
	case V_UNSET:
		*lo = 0;
		*hi = U32_ALL;
		return 0;
	case V_PERS:
		*lo = 0; /* 0: the request has no personality */
		*hi = 65535;
		return 0;
	case V_FAMILY:
	case V_PORT:
		*lo = 0;
		*hi = 65535;
		return 0;
	case V_EXIT:
		*lo = INT32_MIN;
		*hi = INT32_MAX;
		return 0;
	case V_SUCCESS:
		*lo = 0;
		*hi = 1;
		return 0;
	case V_ENUM:
		*lo = 0;
		*hi = fd->nnames - 1;
		return 0;
	default:
		return -1;
	}
}

static int num_passes(const struct ua_rule_field *f, int64_t x)
{
	switch (f->cmp) {
	case UA_CMP_EQ:
		return x == f->num;
	case UA_CMP_NE:
		return x != f->num;
	case UA_CMP_LT:
		return x < f->num;
	case UA_CMP_GT:
		return x > f->num;
	case UA_CMP_LE:
		return x <= f->num;
	case UA_CMP_GE:
		return x >= f->num;
	case UA_CMP_AND:
		return (x & f->num) != 0;
	case UA_CMP_ANDEQ:
		return (x & f->num) == f->num;
	}
	return 1;
}

/*
 * Whether some value in [lo, hi] passes every field of r->fields[0..k] with the id of field
 * k. Exact when the range narrows to fewer than 64 values; otherwise says yes unless a mask
 * of 0 makes '&' impossible (a warning must never be wrong, a missed one is acceptable).
 */
static int num_satisfiable(const struct ua_rule *r, size_t k, int64_t lo, int64_t hi)
{
	enum ua_field_id id = r->fields[k].id;
	size_t j;
	int64_t x;

	for (j = 0; j <= k; j++) {
		const struct ua_rule_field *f = &r->fields[j];
		int64_t v = f->num;

		if (f->id != id)
			continue;
		switch (f->cmp) {
		case UA_CMP_EQ:
			lo = v > lo ? v : lo;
			hi = v < hi ? v : hi;
			break;
		case UA_CMP_LT:
			if (v <= lo)
				return 0;
			hi = v - 1 < hi ? v - 1 : hi;
			break;
		case UA_CMP_GT:
			if (v >= hi)
				return 0;
			lo = v + 1 > lo ? v + 1 : lo;
			break;
		case UA_CMP_LE:
			hi = v < hi ? v : hi;
			break;
		case UA_CMP_GE:
			lo = v > lo ? v : lo;
			break;
		case UA_CMP_AND:
			if (v == 0)
				return 0;
			break;
		case UA_CMP_ANDEQ:
			/* A non-negative x holding every bit of v is at least v. */
			if (lo >= 0 && v >= 0 && v > lo)
				lo = v;
			break;
		case UA_CMP_NE:
			break;
		}
		if (lo > hi)
			return 0;
	}
	if (hi - lo >= 64)
		return 1;
	for (x = lo; x <= hi; x++) {
		for (j = 0; j <= k; j++) {
			if (r->fields[j].id == id && !num_passes(&r->fields[j], x))
				break;
		}
		if (j > k)
			return 1;
	}
	return 0;
}

static int str_eq(const struct ua_rule_field *a, const struct ua_rule_field *b)
{
	return a->str_len == b->str_len && memcmp(a->str, b->str, a->str_len) == 0;
}

/* comm: two different =, or = and != of the same string. */
static int str_satisfiable(const struct ua_rule *r, size_t k)
{
	const struct ua_rule_field *fk = &r->fields[k];
	size_t j;

	for (j = 0; j < k; j++) {
		const struct ua_rule_field *f = &r->fields[j];

		if (f->id != fk->id || !f->is_str || !fk->is_str)
			continue;
		if (f->cmp == UA_CMP_EQ && fk->cmp == UA_CMP_EQ && !str_eq(f, fk))
			return 0;
		if (f->cmp != fk->cmp && str_eq(f, fk))
			return 0;
	}
	return 1;
}

static int warn_contradiction(struct ua_diags *d, const struct ua_rule *r, size_t k)
{
	const struct ua_rule_field *f = &r->fields[k];
	struct ua_buf b = UA_BUF_INIT;
	char sh[SHOW_SIZE];
	size_t j;
	int err, alone = 1;

	for (j = 0; j < k; j++)
		alone &= r->fields[j].id != f->id;
	err = ua_rule_field_format(f, &b);
	if (err) {
		ua_buf_release(&b);
		return err;
	}
	if (alone)
		err = diag_add(d, r->file, f->line, f->col, 1,
			       "field '%s' matches no value: the rule never matches",
			       show(sh, b.data, b.len));
	else
		err = diag_add(
			d, r->file, f->line, f->col, 1,
			"fields contradict: the rule never matches ('%s' conflicts with the earlier '%s' fields)",
			show(sh, b.data, b.len), field_def(f->id)->name);
	ua_buf_release(&b);
	return err;
}

static int check_rule_fields(const struct ua_rule *r, struct ua_diags *d)
{
	unsigned int id;
	size_t k;

	for (id = 0; id < ARRAY_SIZE(field_defs); id++) {
		const struct field_def *fd = field_def((enum ua_field_id)id);
		int64_t lo, hi;
		int is_num;

		if (!fd)
			continue;
		is_num = num_domain(fd, &lo, &hi) == 0;
		if (!is_num && fd->kind != V_COMM)
			continue;
		for (k = 0; k < r->nfields; k++) {
			if (r->fields[k].id != (enum ua_field_id)id)
				continue;
			if (is_num ? num_satisfiable(r, k, lo, hi) : str_satisfiable(r, k))
				continue;
			if (warn_contradiction(d, r, k))
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

int ua_rules_check_set(const struct ua_ruleset *rs, const struct ua_optable *ops,
		       struct ua_diags *d)
{
	size_t i, j;

	(void)ops; /* the checks compare masks; names are not needed (yet) */
	if (!rs || !d)
		return -EINVAL;
	for (j = 0; j < rs->n; j++) {
		const struct ua_rule *r = &rs->rules[j];

		for (i = 0; i < j; i++) {
			const struct ua_rule *e = &rs->rules[i];
			char sh[SHOW_SIZE];
			const char *fname;
			int err;

			if (e->nfields || !mask_covers(e->opmask, r->opmask))
				continue;
			if (e->file == r->file) {
				err = diag_add(
					d, r->file, r->line, r->col, 1,
					"rule shadowed by line %d (no -F fields, and its ops include all of these)",
					e->line);
			} else {
				fname = e->file >= 0 && (size_t)e->file < rs->nfiles &&
							rs->files[e->file] ?
						rs->files[e->file] :
						"<input>";
				err = diag_add(
					d, r->file, r->line, r->col, 1,
					"rule shadowed by line %d of '%s' (no -F fields, and its ops include all of these)",
					e->line, show(sh, fname, strlen(fname)));
			}
			if (err)
				return err;
			break;
		}
		if (check_rule_fields(r, d))
			return -ENOMEM;
	}
	return 0;
}

/* ---- normal form ---- */

/* Bare if nothing in @s would split or start a quote, else "..." with \" and \\. */
static void add_word(struct ua_buf *b, const char *s, size_t len)
{
	size_t i;
	int quote = len == 0;

	for (i = 0; i < len; i++) {
		if (is_blank(s[i]) || s[i] == '"')
			quote = 1;
	}
	if (!quote) {
		ua_buf_add(b, s, len);
		return;
	}
	ua_buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			ua_buf_addch(b, '\\');
		ua_buf_addch(b, s[i]);
	}
	ua_buf_addch(b, '"');
}

/* Bytes that the parser accepts in a value: no control byte but tab. */
static int str_ok(const char *s, size_t len, int tab_ok)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]) && !(tab_ok && s[i] == '\t'))
			return 0;
	}
	return 1;
}

/* addr= as parse_addr() reads it back; -EINVAL for a value it would not produce. */
static int format_addr(const struct ua_rule_field *f, const struct field_def *fd,
		       struct ua_buf *out)
{
	unsigned char net[16], host[16];
	char text[INET6_ADDRSTRLEN];
	size_t n, i;

	if (!f->is_str || !f->str)
		return -EINVAL;
	if (f->num == UA_AF_UNIX) {
		/* '/' and a path, or '@' for the NUL of an abstract name */
		if (f->prefix != 0 || f->str_len < 1 || (f->str[0] != '/' && f->str[0] != '\0') ||
		    f->str_len - (f->str[0] == '\0') == 0 ||
		    f->str_len - (f->str[0] == '\0') > UA_RULE_UNIX_MAX ||
		    !str_ok(f->str + 1, f->str_len - 1, 1))
			return -EINVAL;
		ua_buf_addstr(out, fd->name);
		ua_buf_addstr(out, cmp_names[f->cmp]);
		if (f->str[0] == '\0') {
			/* Quote the whole word, '@' included, when the name needs it. */
			struct ua_buf w = UA_BUF_INIT;

			ua_buf_addch(&w, '@');
			ua_buf_add(&w, f->str + 1, f->str_len - 1);
			if (w.err) {
				ua_buf_release(&w);
				return -ENOMEM;
			}
			add_word(out, w.data, w.len);
			ua_buf_release(&w);
		} else {
			add_word(out, f->str, f->str_len);
		}
		return out->err;
	}
	if (f->num != UA_AF_INET && f->num != UA_AF_INET6)
		return -EINVAL;
	n = addr_bytes(f->num);
	if (f->str_len != n || f->prefix < 0 || f->prefix > (int)(8 * n))
		return -EINVAL;
	addr_split((const unsigned char *)f->str, n, f->prefix, net, host);
	for (i = 0; i < n; i++) {
		if (host[i])
			return -EINVAL;
	}
	if (!inet_ntop(f->num == UA_AF_INET ? AF_INET : AF_INET6, f->str, text, sizeof(text)))
		return -EINVAL;
	ua_buf_addf(out, "%s%s%s", fd->name, cmp_names[f->cmp], text);
	if (f->prefix != (int)(8 * n))
		ua_buf_addf(out, "/%d", f->prefix);
	return out->err;
}

int ua_rule_field_format(const struct ua_rule_field *f, struct ua_buf *out)
{
	const struct field_def *fd = f ? field_def(f->id) : NULL;
	int64_t lo = 0, hi = U32_ALL;
	size_t maxlen = UA_RULE_STR_MAX;

	if (!fd || fd->kind == V_KEY || (unsigned int)f->cmp >= ARRAY_SIZE(cmp_names) ||
	    !cmp_names[f->cmp] || !(fd->cmps & CMP_BIT(f->cmp)))
		return -EINVAL;

	switch (fd->kind) {
	case V_EXE:
	case V_COMM:
	case V_FPATH:
	case V_CGROUP:
		if (fd->kind == V_CGROUP && !f->is_str) {
			if (f->num < 1)
				return -EINVAL;
			ua_buf_addf(out, "%s%s%" PRId64, fd->name, cmp_names[f->cmp], f->num);
			return out->err;
		}
		if (fd->kind == V_COMM)
			maxlen = UA_RULE_COMM_MAX;
		else if (fd->kind != V_FPATH)
			maxlen = UA_RULE_EXE_MAX;
		if (!f->str || f->str_len == 0 || f->str_len > maxlen ||
		    !str_ok(f->str, f->str_len, 1) || (fd->kind != V_COMM && f->str[0] != '/'))
			return -EINVAL;
		ua_buf_addstr(out, fd->name);
		ua_buf_addstr(out, cmp_names[f->cmp]);
		add_word(out, f->str, f->str_len);
		return out->err;
	case V_ENUM:
		if (f->num < 0 || f->num >= fd->nnames)
			return -EINVAL;
		ua_buf_addf(out, "%s%s%s", fd->name, cmp_names[f->cmp], fd->names[f->num]);
		return out->err;
	case V_FAMILY: {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(family_names); i++) {
			if (f->num == family_names[i].nr) {
				ua_buf_addf(out, "%s%s%s", fd->name, cmp_names[f->cmp],
					    family_names[i].name);
				return out->err;
			}
		}
		hi = 65535;
		break;
	}
	case V_PORT:
		hi = 65535;
		break;
	case V_ADDR:
		return format_addr(f, fd, out);
	case V_UNSET:
		if (f->num == U32_ALL) {
			ua_buf_addf(out, "%s%sunset", fd->name, cmp_names[f->cmp]);
			return out->err;
		}
		break;
	case V_PERS:
		lo = 1;
		hi = 65535;
		break;
	case V_EXIT:
		lo = INT32_MIN;
		hi = INT32_MAX;
		break;
	case V_SUCCESS:
		hi = 1;
		break;
	default:
		break;
	}
	if (f->num < lo || f->num > hi)
		return -EINVAL;
	ua_buf_addf(out, "%s%s%" PRId64, fd->name, cmp_names[f->cmp], f->num);
	return out->err;
}

static int format_rule(const struct ua_rule *r, const struct ua_optable *ops, struct ua_buf *out)
{
	unsigned int op;
	size_t i;
	int first = 1, err;

	if ((unsigned int)r->action >= ARRAY_SIZE(action_names) || r->nfields > UA_RULE_FIELDS_MAX)
		return -EINVAL;
	if (r->key &&
	    (r->key_len == 0 || r->key_len > UA_RULE_KEY_MAX || !str_ok(r->key, r->key_len, 0)))
		return -EINVAL;
	ua_buf_addf(out, "-a %s,%s -S ", action_names[r->action], LIST_NAME);
	if (r->all_ops) {
		ua_buf_addstr(out, "all");
	} else {
		for (op = 0; op < UA_OP_MAX; op++) {
			const char *name;

			if (!mask_test(r->opmask, op))
				continue;
			if (!first)
				ua_buf_addch(out, ',');
			first = 0;
			/* A name that would not read back as this op is written as the number. */
			name = ua_optable_name(ops, op);
			if (name && ua_optable_lookup(ops, name) == (int)op)
				ua_buf_addstr(out, name);
			else
				ua_buf_addf(out, "%u", op);
		}
		if (first)
			return -EINVAL; /* no op: the parser requires -S */
	}
	for (i = 0; i < r->nfields; i++) {
		ua_buf_addstr(out, " -F ");
		err = ua_rule_field_format(&r->fields[i], out);
		if (err)
			return err;
	}
	if (r->err) {
		const char *en = NULL;

		for (i = 0; i < ARRAY_SIZE(errno_names); i++) {
			if (errno_names[i].nr == r->err)
				en = errno_names[i].name;
		}
		if (r->err < 0 || r->err > 4095 ||
		    (r->action != UA_ACT_DENY && r->action != UA_ACT_KILL))
			return -EINVAL;
		if (en)
			ua_buf_addf(out, " -F errno=%s", en);
		else
			ua_buf_addf(out, " -F errno=%d", r->err);
	}
	if (r->key) {
		ua_buf_addstr(out, " -k ");
		add_word(out, r->key, r->key_len);
	}
	ua_buf_addch(out, '\n');
	return out->err;
}

int ua_rules_format(const struct ua_ruleset *rs, const struct ua_optable *ops, struct ua_buf *out)
{
	size_t i, len0;
	int err;

	if (!rs || !ops || !out)
		return -EINVAL;
	if (out->err)
		return out->err;
	if (rs->n > UA_RULES_MAX)
		return -EINVAL;
	len0 = out->len;
	if (rs->delete_all)
		ua_buf_addstr(out, "-D\n");
	for (i = 0; i < rs->n; i++) {
		err = format_rule(&rs->rules[i], ops, out);
		if (err) {
			if (!out->err)
				ua_buf_truncate(out, len0);
			return err;
		}
	}
	for (i = 0; i < sizeof(deny_policy_names) / sizeof(deny_policy_names[0]); i++) {
		if (rs->deny_policies & (1u << i))
			ua_buf_addf(out, "--deny %s\n", deny_policy_names[i]);
	}
	if (rs->best_effort)
		ua_buf_addstr(out, "--enforce best-effort\n");
	if (rs->locked)
		ua_buf_addstr(out, "-e 2\n");
	return out->err;
}

/* ---- the rest of the API ---- */

static int field_equal(const struct ua_rule_field *a, const struct ua_rule_field *b)
{
	if (a->id != b->id || a->cmp != b->cmp || !!a->is_str != !!b->is_str ||
	    a->prefix != b->prefix)
		return 0;
	/* addr: the family tells a unix path from address bytes of the same length */
	if (a->is_str && a->num != b->num)
		return 0;
	if (a->is_str)
		return a->str_len == b->str_len &&
		       (a->str_len == 0 ||
			(a->str && b->str && memcmp(a->str, b->str, a->str_len) == 0));
	return a->num == b->num;
}

static int rule_equal(const struct ua_rule *a, const struct ua_rule *b)
{
	size_t i;

	if (a->action != b->action || !!a->all_ops != !!b->all_ops ||
	    memcmp(a->opmask, b->opmask, sizeof(a->opmask)) != 0 || a->nfields != b->nfields ||
	    !a->key != !b->key || a->err != b->err)
		return 0;
	if (a->key && (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len) != 0))
		return 0;
	for (i = 0; i < a->nfields; i++) {
		if (!field_equal(&a->fields[i], &b->fields[i]))
			return 0;
	}
	return 1;
}

int ua_rules_equal(const struct ua_ruleset *a, const struct ua_ruleset *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->n != b->n || !!a->delete_all != !!b->delete_all || !!a->locked != !!b->locked ||
	    !!a->best_effort != !!b->best_effort || a->deny_policies != b->deny_policies)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (!rule_equal(&a->rules[i], &b->rules[i]))
			return 0;
	}
	return 1;
}

void ua_rules_opmask(const struct ua_ruleset *rs, uint64_t mask[4])
{
	size_t i;
	int w;

	memset(mask, 0, 4 * sizeof(mask[0]));
	if (!rs)
		return;
	for (i = 0; i < rs->n; i++) {
		if (rs->rules[i].action == UA_ACT_NEVER)
			continue;
		for (w = 0; w < 4; w++)
			mask[w] |= rs->rules[i].opmask[w];
	}
}

int ua_field_ops(enum ua_field_id id, const struct ua_optable *ops, uint64_t mask[4])
{
	const struct field_def *fd = field_def(id);

	if (!fd)
		return -EINVAL;
	if (!fd->ops)
		return 0;
	op_list_mask(fd->ops, ops, mask);
	return 1;
}

int ua_rule_at_completion(const struct ua_rule *r, const struct ua_optable *ops)
{
	struct field_masks m;

	if (!r)
		return 0;
	field_masks_init(&m, ops);
	return rule_at_completion(r, &m);
}

int ua_rule_completion(const struct ua_rule *r)
{
	size_t k;

	if (!r)
		return 0;
	if (r->completion)
		return 1;
	for (k = 0; k < r->nfields; k++) {
		const struct field_def *fd = field_def(r->fields[k].id);

		if (fd && fd->when == AT_COMPLETION)
			return 1;
	}
	return 0;
}

int ua_rule_field_kval(const struct ua_rule_field *f, struct ua_kval *kv)
{
	const struct field_def *fd = f ? field_def(f->id) : NULL;

	if (!fd || !kv || fd->kind == V_KEY)
		return -EINVAL;
	memset(kv, 0, sizeof(*kv));
	kv->val = (uint64_t)f->num;
	switch (fd->kind) {
	case V_EXE:
		kv->val = f->res1;
		kv->val2 = f->res2;
		break;
	case V_CGROUP:
		kv->val = f->is_str ? f->res1 : (uint64_t)f->num;
		kv->val2 = f->is_str ? f->res2 : (uint64_t)-1;
		break;
	case V_ADDR:
	case V_COMM:
	case V_FPATH:
		if (!f->is_str || !f->str)
			return -EINVAL;
		kv->str = f->str;
		kv->str_len = f->str_len;
		if (f->id == UA_F_PATH || f->id == UA_F_DIR) {
			/* the file or directory itself, however reached (res1, res2) */
			kv->val = f->res1;
			kv->val2 = f->res2;
		}
		if (fd->kind == V_ADDR)
			kv->val2 = (uint64_t)f->prefix; /* val: the family */
		break;
	default:
		break;
	}
	return 0;
}

const char *ua_field_name(enum ua_field_id id)
{
	const struct field_def *fd = field_def(id);

	return fd ? fd->name : NULL;
}

const char *ua_action_name(enum ua_action a)
{
	return (unsigned int)a < ARRAY_SIZE(action_names) ? action_names[a] : NULL;
}

const char *ua_cmp_name(enum ua_cmp c)
{
	return (unsigned int)c < ARRAY_SIZE(cmp_names) ? cmp_names[c] : NULL;
}

int ua_diag_format(const struct ua_ruleset *rs, const struct ua_diag *g, struct ua_buf *out)
{
	const char *name = "<input>";

	if (rs && g->file >= 0 && (size_t)g->file < rs->nfiles && rs->files[g->file])
		name = rs->files[g->file];
	return ua_buf_addf(out, "%s:%d:%d: %s%s", name, g->line, g->col,
			   g->warning ? "warning: " : "", g->msg);
}

void ua_ruleset_release(struct ua_ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		rule_release(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	memset(rs, 0, sizeof(*rs));
}

void ua_diags_release(struct ua_diags *d)
{
	if (!d)
		return;
	free(d->v);
	memset(d, 0, sizeof(*d));
}
