// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Record formatter. Both formats come from one sequence of emit_*() calls, so the field names
 * and their order cannot drift apart between text and JSON: text writes ` key=value`, JSON
 * writes `,"key":value` with a typed value.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "escape.h"
#include "format.h"
#include "optable.h"

/*
 * The request-level flag list. Not "flags": open/unlink/rename/link records already carry
 * the operation's flags=0x..., and a line (or JSON object) must not hold one key twice.
 */
#define FIELD_REQ_FLAGS "req_flags"

#define FILE_SLOT_ALLOC 0xFFFFFFFFu /* IORING_FILE_INDEX_ALLOC as the kernel keeps it */

struct emit {
	struct ua_buf *b;
	enum ua_format f;
};

static const char *const ctx_names[] = {
	[UA_REC_CTX_TASK] = "task",
	[UA_REC_CTX_SQPOLL] = "sqpoll",
	[UA_REC_CTX_IOWQ] = "iowq",
};

static const char *const cred_names[] = {
	[UA_REC_CRED_TASK] = "task",
	[UA_REC_CRED_PERSONALITY] = "personality",
	[UA_REC_CRED_SQPOLL] = "sqpoll",
};

static const char *const cqe_names[] = {
	[UA_REC_CQE_POSTED] = "posted",
	[UA_REC_CQE_SKIPPED] = "skipped",
	[UA_REC_CQE_OVERFLOW] = "overflow",
	[UA_REC_CQE_NONE] = "none",
};

static const struct {
	uint32_t bit;
	const char *name;
} rflag_names[] = {
	{ UA_REC_F_CQE_SKIP, "skip" },
	{ UA_REC_F_ASYNC, "async" },
	{ UA_REC_F_LINK, "link" },
	{ UA_REC_F_FIXED_FILE, "fixed" },
	{ UA_REC_F_INIT_FAILED, "initfail" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_OF(table, v) ((unsigned int)(v) < ARRAY_SIZE(table) ? (table)[v] : NULL)

int ua_format_parse(const char *s, enum ua_format *f)
{
	if (!s || !f)
		return -EINVAL;
	if (strcmp(s, "text") == 0)
		*f = UA_FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*f = UA_FMT_JSON;
	else
		return -EINVAL;
	return 0;
}

const char *ua_format_name(enum ua_format f)
{
	switch (f) {
	case UA_FMT_TEXT:
		return "text";
	case UA_FMT_JSON:
		return "json";
	}
	return NULL;
}

/*
 * A token that can go bare into a text record: printable, no space, and none of the
 * characters a reader uses to find where a value ends or a quoted one starts.
 */
static int is_word(const char *s, size_t len)
{
	size_t i;

	if (!s || len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == '\'' || c == '\\' || c == '=')
			return 0;
	}
	return 1;
}

static int is_key(const char *s)
{
	const char *p;

	if (!s || !(*s >= 'a' && *s <= 'z'))
		return 0;
	for (p = s + 1; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	}
	/* The header owns these. */
	return strcmp(s, "type") != 0 && strcmp(s, "msg") != 0 && strcmp(s, "seq") != 0 &&
	       strcmp(s, "time") != 0;
}

static int is_type(const char *s)
{
	const char *p;

	if (!s || !(*s >= 'A' && *s <= 'Z'))
		return 0;
	for (p = s + 1; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	}
	return 1;
}

/* type=T msg=audit(S.MMM:SEQ):  or  {"type":"T","seq":SEQ,"time":S.MMM */
static void emit_begin(struct emit *e, const char *type, uint64_t time_ns, uint64_t seq)
{
	uint64_t sec = time_ns / 1000000000u;
	unsigned int ms = (unsigned int)(time_ns % 1000000000u / 1000000u);

	if (e->f == UA_FMT_TEXT)
		ua_buf_addf(e->b, "type=%s msg=audit(%" PRIu64 ".%03u:%" PRIu64 "):", type, sec, ms,
			    seq);
	else
		ua_buf_addf(e->b, "{\"type\":\"%s\",\"seq\":%" PRIu64 ",\"time\":%" PRIu64 ".%03u",
			    type, seq, sec, ms);
}

static int emit_end(struct emit *e)
{
	return ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "\n" : "}\n");
}

static void emit_key(struct emit *e, const char *key)
{
	if (e->f == UA_FMT_TEXT)
		ua_buf_addf(e->b, " %s=", key);
	else
		ua_buf_addf(e->b, ",\"%s\":", key);
}

static void emit_u64(struct emit *e, const char *key, uint64_t v)
{
	emit_key(e, key);
	ua_buf_addf(e->b, "%" PRIu64, v);
}

static void emit_s64(struct emit *e, const char *key, int64_t v)
{
	emit_key(e, key);
	ua_buf_addf(e->b, "%" PRId64, v);
}

/* 0x-hex in text (flag words read better so), a plain number in JSON. */
static void emit_hex(struct emit *e, const char *key, uint64_t v)
{
	emit_key(e, key);
	if (e->f == UA_FMT_TEXT)
		ua_buf_addf(e->b, "0x%" PRIx64, v);
	else
		ua_buf_addf(e->b, "%" PRIu64, v);
}

/* Octal with a leading 0 in text (as the kernel prints modes), a plain number in JSON. */
static void emit_oct(struct emit *e, const char *key, uint64_t v)
{
	emit_key(e, key);
	if (e->f == UA_FMT_TEXT)
		ua_buf_addf(e->b, "%#" PRIo64, v); /* 0644, and 0 for none */
	else
		ua_buf_addf(e->b, "%" PRIu64, v);
}

/* A trusted token: bare in text, a string in JSON. NULL is unknown: ? / null. */
static void emit_word(struct emit *e, const char *key, const char *w)
{
	emit_key(e, key);
	if (!w)
		ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "?" : "null");
	else if (e->f == UA_FMT_TEXT)
		ua_buf_addstr(e->b, w);
	else
		ua_escape_json(e->b, w, strlen(w));
}

/* Untrusted bytes, escaped; absent: @absent_text in text, null in JSON. */
static void emit_bytes(struct emit *e, const char *key, const char *s, size_t len,
		       const char *absent_text)
{
	emit_key(e, key);
	if (!s)
		ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? absent_text : "null");
	else if (e->f == UA_FMT_TEXT)
		ua_escape_text(e->b, s, len);
	else
		ua_escape_json(e->b, s, len);
}

/* yes/no/? in text, true/false/null in JSON; @v < 0 is unknown. */
static void emit_tri(struct emit *e, const char *key, int v)
{
	static const char *const text[] = { "?", "no", "yes" };
	static const char *const json[] = { "null", "false", "true" };
	int i = v < 0 ? 0 : v ? 2 : 1;

	emit_key(e, key);
	ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? text[i] : json[i]);
}

/* exit: a number, or unknown (? / null). */
static void emit_exit(struct emit *e, const struct ua_record *r, int known)
{
	if (known) {
		emit_s64(e, "exit", r->exit);
		return;
	}
	emit_key(e, "exit");
	ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "?" : "null");
}

static void emit_ids(struct emit *e, const char *prefix, const struct ua_rec_ids *ids)
{
	const struct {
		const char *name;
		uint32_t v;
	} f[] = {
		{ "uid", ids->uid },   { "gid", ids->gid },	{ "euid", ids->euid },
		{ "suid", ids->suid }, { "fsuid", ids->fsuid }, { "egid", ids->egid },
		{ "sgid", ids->sgid }, { "fsgid", ids->fsgid },
	};
	char key[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		/* Bounded: the prefix is "" or "eff_". */
		strcpy(key, prefix);
		strcat(key, f[i].name);
		emit_u64(e, key, f[i].v);
	}
}

/* skip,async,... in text, ["skip","async",...] in JSON; unknown bits as one 0x.. item. */
static void emit_rflags(struct emit *e, uint32_t rflags)
{
	const char *sep = "";
	uint32_t known = 0;
	size_t i;

	emit_key(e, FIELD_REQ_FLAGS);
	if (e->f == UA_FMT_JSON)
		ua_buf_addch(e->b, '[');
	for (i = 0; i < ARRAY_SIZE(rflag_names); i++) {
		known |= rflag_names[i].bit;
		if (!(rflags & rflag_names[i].bit))
			continue;
		if (e->f == UA_FMT_TEXT)
			ua_buf_addf(e->b, "%s%s", sep, rflag_names[i].name);
		else
			ua_buf_addf(e->b, "%s\"%s\"", sep, rflag_names[i].name);
		sep = ",";
	}
	if (rflags & ~known) {
		if (e->f == UA_FMT_TEXT)
			ua_buf_addf(e->b, "%s0x%" PRIx32, sep, rflags & ~known);
		else
			ua_buf_addf(e->b, "%s\"0x%" PRIx32 "\"", sep, rflags & ~known);
	}
	if (e->f == UA_FMT_JSON)
		ua_buf_addch(e->b, ']');
}

/* A fixed-file slot: "alloc" (the kernel picks one) or the 0-based slot number. */
static void emit_slot(struct emit *e, uint32_t file_slot)
{
	if (file_slot == FILE_SLOT_ALLOC)
		emit_word(e, "slot", "alloc");
	else
		emit_u64(e, "slot", file_slot - 1);
}

static void emit_name(struct emit *e, const char *key, const struct ua_bytes *n, int truncated,
		      const char *trunc_key)
{
	if (!n->ptr)
		return;
	emit_bytes(e, key, n->ptr, n->len, "?");
	if (truncated)
		emit_tri(e, trunc_key, 1);
}

/*
 * The objects of the request. Chosen by the built-in opcode number: numbers only ever get
 * added, so they mean the same op on every kernel, whatever name the runtime table has.
 */
static void emit_objects(struct emit *e, const struct ua_record *r)
{
	/* Failed in prep: nothing was captured, and zeros would read as real values. */
	if (r->rflags & UA_REC_F_INIT_FAILED)
		return;

	switch (r->opcode) {
	case UA_OP_OPENAT:
	case UA_OP_OPENAT2:
		emit_s64(e, "dfd", r->dfd);
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_hex(e, "flags", r->op_flags);
		emit_oct(e, "mode", r->mode);
		if (r->opcode == UA_OP_OPENAT2)
			emit_hex(e, "resolve", r->resolve);
		if (r->file_slot)
			emit_slot(e, r->file_slot);
		break;
	case UA_OP_CLOSE:
		if (r->file_slot)
			emit_slot(e, r->file_slot);
		else
			emit_s64(e, "fd", r->fd);
		break;
	case UA_OP_UNLINKAT:
		emit_s64(e, "dfd", r->dfd);
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_hex(e, "flags", r->op_flags);
		break;
	case UA_OP_MKDIRAT:
		emit_s64(e, "dfd", r->dfd);
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_oct(e, "mode", r->mode);
		break;
	case UA_OP_RENAMEAT:
	case UA_OP_LINKAT:
		emit_s64(e, "dfd", r->dfd);
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_s64(e, "dfd2", r->dfd2);
		emit_name(e, "name2", &r->name2, r->name2_truncated, "name2_truncated");
		emit_hex(e, "flags", r->op_flags);
		break;
	case UA_OP_SYMLINKAT:
		/* symlinkat(target, newdirfd, linkpath): the target is not resolved. */
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_s64(e, "dfd2", r->dfd2);
		emit_name(e, "name2", &r->name2, r->name2_truncated, "name2_truncated");
		break;
	default:
		break;
	}
}

static void emit_record(struct emit *e, const struct ua_record *r)
{
	int success, exit_known;

	/*
	 * Without a CQE the result is unknown. Even cqe=skipped does not prove
	 * success: IOSQE_CQE_SKIP_SUCCESS is meant to post failures, but on
	 * 6.18 a failed unlinkat/mkdirat/renameat/linkat/symlinkat with it
	 * posts no CQE at all (they never mark the request failed).
	 */
	if (r->exit_known) {
		success = !!r->success;
		exit_known = 1;
	} else {
		success = -1;
		exit_known = 0;
	}

	emit_begin(e, UA_TYPE_URINGOP, r->time_ns, r->seq);
	emit_u64(e, "uring_op", r->opcode);
	if (r->op_name && is_word(r->op_name, strlen(r->op_name))) {
		emit_word(e, "op", r->op_name);
	} else if (r->op_name) {
		/* Names come from the kernel's BTF; escape one that is not a plain word anyway. */
		emit_bytes(e, "op", r->op_name, strlen(r->op_name), "?");
	} else {
		emit_key(e, "op");
		if (e->f == UA_FMT_TEXT)
			ua_buf_addf(e->b, "%u", (unsigned int)r->opcode);
		else
			ua_buf_addstr(e->b, "null");
	}
	emit_tri(e, "success", success);
	emit_exit(e, r, exit_known);
	emit_word(e, "cqe", NAME_OF(cqe_names, r->cqe));
	if (r->cqes > 1)
		emit_u64(e, "cqes", r->cqes);

	emit_key(e, "ring");
	ua_buf_addf(e->b, e->f == UA_FMT_TEXT ? "%016" PRIx64 : "\"%016" PRIx64 "\"", r->ring);
	emit_word(e, "ctx", NAME_OF(ctx_names, r->ctx));
	/* A string in JSON too: 64-bit values do not survive JSON numbers
	 * (doubles) in common tools. */
	emit_key(e, "user_data");
	ua_buf_addf(e->b, e->f == UA_FMT_TEXT ? "0x%" PRIx64 : "\"0x%" PRIx64 "\"", r->user_data);

	emit_u64(e, "pid", r->pid);
	emit_u64(e, "tid", r->tid);
	emit_u64(e, "ppid", r->ppid);
	emit_bytes(e, "comm", r->comm.ptr, r->comm.len, "?");
	emit_bytes(e, "exe", r->exe.ptr, r->exe.len, "?");
	/* (u32)-1 is "unset"; printed as the number, as auditd's raw records do. */
	emit_u64(e, "auid", r->auid);
	emit_u64(e, "ses", r->ses);
	emit_ids(e, "", &r->task);
	emit_word(e, "cred", NAME_OF(cred_names, r->cred));
	if (r->has_personality)
		emit_u64(e, "personality", r->personality);
	if (r->cred_differs)
		emit_ids(e, "eff_", &r->eff);
	if (r->rflags)
		emit_rflags(e, r->rflags);
	emit_u64(e, "cgroup_id", r->cgroup_id);
	if (r->container.ptr)
		emit_bytes(e, "container", r->container.ptr, r->container.len, "?");

	emit_objects(e, r);

	emit_bytes(e, "key", r->key.ptr, r->key.len, "(none)");
}

int ua_format_record(struct ua_buf *out, const struct ua_record *r, enum ua_format f)
{
	struct emit e = { .b = out, .f = f };
	size_t start;

	if (!out)
		return -EINVAL;
	if (out->err)
		return out->err;
	if (!r || (f != UA_FMT_TEXT && f != UA_FMT_JSON))
		return -EINVAL;

	start = out->len;
	emit_record(&e, r);
	if (emit_end(&e)) {
		/* All or nothing: a sink must never see half a record. */
		ua_buf_truncate(out, start);
		return out->err;
	}
	return 0;
}

static int check_event(const char *type, const struct ua_kv *kv, size_t n)
{
	size_t i, j;

	if (!is_type(type) || (n && !kv))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!is_key(kv[i].key))
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (strcmp(kv[i].key, kv[j].key) == 0)
				return -EINVAL;
		}
		switch (kv[i].kind) {
		case UA_KV_STR:
			break;
		case UA_KV_WORD:
			if (!is_word(kv[i].str, kv[i].len))
				return -EINVAL;
			break;
		case UA_KV_U64:
		case UA_KV_S64:
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int ua_format_event(struct ua_buf *out, const char *type, uint64_t time_ns, uint64_t seq,
		    const struct ua_kv *kv, size_t n, enum ua_format f)
{
	struct emit e = { .b = out, .f = f };
	size_t start, i;

	if (!out)
		return -EINVAL;
	if (out->err)
		return out->err;
	if ((f != UA_FMT_TEXT && f != UA_FMT_JSON) || check_event(type, kv, n))
		return -EINVAL;

	start = out->len;
	emit_begin(&e, type, time_ns, seq);
	for (i = 0; i < n; i++) {
		const struct ua_kv *k = &kv[i];

		switch (k->kind) {
		case UA_KV_STR:
			emit_bytes(&e, k->key, k->str, k->len, "?");
			break;
		case UA_KV_WORD:
			emit_key(&e, k->key);
			if (f == UA_FMT_TEXT)
				ua_buf_add(out, k->str, k->len);
			else
				ua_escape_json(out, k->str, k->len);
			break;
		case UA_KV_U64:
			emit_u64(&e, k->key, k->u);
			break;
		case UA_KV_S64:
			emit_s64(&e, k->key, k->s);
			break;
		}
	}
	if (emit_end(&e)) {
		ua_buf_truncate(out, start);
		return out->err;
	}
	return 0;
}

int ua_format_lost(struct ua_buf *out, uint64_t time_ns, uint64_t seq, uint64_t lost,
		   uint64_t first_seq, uint64_t last_seq, const char *reason, enum ua_format f)
{
	const struct ua_kv kv[] = {
		ua_kv_u64("lost", lost),
		ua_kv_u64("first_seq", first_seq),
		ua_kv_u64("last_seq", last_seq),
		ua_kv_word("reason", reason),
	};

	return ua_format_event(out, UA_TYPE_LOST, time_ns, seq, kv, ARRAY_SIZE(kv), f);
}
