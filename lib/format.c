// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Record formatter. Both formats come from one sequence of emit_*() calls, so the field names
 * and their order cannot drift apart between text and JSON: text writes ` key=value`, JSON
 * writes `,"key":value` with a typed value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/io_uring.h>
#include <stdio.h>
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
	struct ua_who_cache *cache; /* URINGOP's process fields; NULL: none */
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
	[UA_REC_CQE_POSTED] = "posted",	      [UA_REC_CQE_SKIPPED] = "skipped",
	[UA_REC_CQE_OVERFLOW] = "overflow",   [UA_REC_CQE_NONE] = "none",
	[UA_REC_CQE_UNTRACKED] = "untracked",
};

static const char *const untracked_names[] = {
	[UA_REC_UNTRACKED_OP] = "op",
	[UA_REC_UNTRACKED_UID_QUOTA] = "uid_quota",
	[UA_REC_UNTRACKED_TABLE_FULL] = "table_full",
};

static const char *const submit_names[] = {
	[UA_REC_SUBMIT_SYSCALL] = "syscall",
	[UA_REC_SUBMIT_SQPOLL] = "sqpoll",
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

/* Milliseconds as three digits ("%03u" of 0..999). */
static void add_ms(struct ua_buf *b, unsigned int ms)
{
	char d[3] = { (char)('0' + ms / 100 % 10), (char)('0' + ms / 10 % 10),
		      (char)('0' + ms % 10) };

	ua_buf_add(b, d, 3);
}

/* type=T msg=audit(S.MMM:SEQ):  or  {"type":"T","seq":SEQ,"time":S.MMM */
static void emit_begin(struct emit *e, const char *type, uint64_t time_ns, uint64_t seq)
{
	uint64_t sec = time_ns / 1000000000u;
	unsigned int ms = (unsigned int)(time_ns % 1000000000u / 1000000u);

	if (e->f == UA_FMT_TEXT) {
		ua_buf_addstr(e->b, "type=");
		ua_buf_addstr(e->b, type);
		ua_buf_addstr(e->b, " msg=audit(");
		ua_buf_addu64(e->b, sec);
		ua_buf_addch(e->b, '.');
		add_ms(e->b, ms);
		ua_buf_addch(e->b, ':');
		ua_buf_addu64(e->b, seq);
		ua_buf_addstr(e->b, "):");
	} else {
		ua_buf_addstr(e->b, "{\"type\":\"");
		ua_buf_addstr(e->b, type);
		ua_buf_addstr(e->b, "\",\"seq\":");
		ua_buf_addu64(e->b, seq);
		ua_buf_addstr(e->b, ",\"time\":");
		ua_buf_addu64(e->b, sec);
		ua_buf_addch(e->b, '.');
		add_ms(e->b, ms);
	}
}

/* Skip the digits at @p (at least one); NULL if there are none. */
static const char *skip_digits(const char *p, const char *end, uint64_t *v)
{
	const char *s = p;

	*v = 0;
	while (p < end && *p >= '0' && *p <= '9')
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	return p > s ? p : NULL;
}

/* @p begins with the @n bytes of @w: the position after them, else NULL. */
static const char *skip_word(const char *p, const char *end, const char *w, size_t n)
{
	return p && (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* A record type ([A-Z0-9_]*) at @p, kept in @h. */
static const char *skip_type(const char *p, const char *end, struct ua_line_head *h)
{
	h->type = p;
	while (p < end && ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
		p++;
	h->type_len = (size_t)(p - h->type);
	return p;
}

/* SECONDS.MILLIS at @p, kept in @h. */
static const char *skip_time(const char *p, const char *end, struct ua_line_head *h)
{
	uint64_t v;

	h->time = p;
	p = p ? skip_digits(p, end, &v) : NULL;
	p = skip_word(p, end, ".", 1);
	p = p ? skip_digits(p, end, &v) : NULL;
	h->time_len = p ? (size_t)(p - h->time) : 0;
	return p;
}

int ua_line_head(const char *l, const char *le, struct ua_line_head *h)
{
	const char *p;

	memset(h, 0, sizeof(*h));
	if ((p = skip_word(l, le, "type=", 5))) {
		p = skip_type(p, le, h);
		p = skip_word(p, le, " msg=audit(", 11);
		p = skip_time(p, le, h);
		p = skip_word(p, le, ":", 1);
		p = p ? skip_digits(p, le, &h->seq) : NULL;
		p = skip_word(p, le, "):", 2);
	} else if ((p = skip_word(l, le, "{\"type\":\"", 9))) {
		p = skip_type(p, le, h);
		p = skip_word(p, le, "\",\"seq\":", 8);
		p = p ? skip_digits(p, le, &h->seq) : NULL;
		p = skip_word(p, le, ",\"time\":", 8);
		p = skip_time(p, le, h);
	}
	if (!p || !h->type_len) {
		memset(h, 0, sizeof(*h));
		return -EINVAL;
	}
	h->body = p;
	return 0;
}

uint64_t ua_line_seq(const char *l, const char *le)
{
	struct ua_line_head h;

	return ua_line_head(l, le, &h) ? 0 : h.seq;
}

int ua_line_is(const char *l, const char *le, const char *type, const char *op)
{
	struct ua_line_head h;
	size_t tn = strlen(type), on = op ? strlen(op) : 0;
	const char *p;

	if (ua_line_head(l, le, &h) || h.type_len != tn || memcmp(h.type, type, tn))
		return 0;
	if (!op)
		return 1;
	/* The first field: " op=OP" (text) or ,"op":"OP" (JSON). */
	if (*l == 't') {
		p = skip_word(skip_word(h.body, le, " op=", 4), le, op, on);
		return p && (p == le || *p == ' ');
	}
	p = skip_word(skip_word(h.body, le, ",\"op\":\"", 7), le, op, on);
	return skip_word(p, le, "\"", 1) != NULL;
}

static int emit_end(struct emit *e)
{
	return ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "\n" : "}\n");
}

/* Can a line be appended to @out in format @f? 0, or the error to return. */
static int line_check(const struct ua_buf *out, enum ua_format f)
{
	if (!out)
		return -EINVAL;
	if (out->err)
		return out->err;
	return f == UA_FMT_TEXT || f == UA_FMT_JSON ? 0 : -EINVAL;
}

/* End the line begun at @start. All or nothing: on error the line is taken
 * back, so a sink never sees half a record. */
static int line_end(struct emit *e, size_t start)
{
	if (emit_end(e)) {
		ua_buf_truncate(e->b, start);
		return e->b->err;
	}
	return 0;
}

/* The emitters take the key's length from their call site, where the key is
 * mostly a literal and strlen() a constant: no strlen a field. */
#define emit_key(e, k) emit_key_n(e, k, strlen(k))
#define emit_u64(e, k, v) emit_u64_n(e, k, strlen(k), v)
#define emit_s64(e, k, v) emit_s64_n(e, k, strlen(k), v)
#define emit_hex(e, k, v) emit_hex_n(e, k, strlen(k), v)
#define emit_oct(e, k, v) emit_oct_n(e, k, strlen(k), v)
#define emit_word(e, k, w) emit_word_n(e, k, strlen(k), w)
#define emit_bytes(e, k, s, len, absent) emit_bytes_n(e, k, strlen(k), s, len, absent)
#define emit_ring(e, k, id) emit_ring_n(e, k, strlen(k), id)
#define emit_tri(e, k, v) emit_tri_n(e, k, strlen(k), v)

/* ' key=' or ',"key":' in one copy (keys are trusted names; the record path's
 * most frequent append). Inlined into its callers, where the key's length is
 * mostly a constant: the copy becomes a few moves instead of a memcpy call
 * (inlining the value emitters too doubled the object's code for no
 * difference the load on the machine let us see). */
static inline __attribute__((always_inline)) void emit_key_n(struct emit *e, const char *key,
							     size_t n)
{
	char *w;

	if (e->f == UA_FMT_TEXT) {
		w = ua_buf_room(e->b, n + 2);
		if (!w)
			return;
		w[0] = ' ';
		memcpy(w + 1, key, n);
		w[n + 1] = '=';
		ua_buf_commit(e->b, n + 2);
	} else {
		w = ua_buf_room(e->b, n + 4);
		if (!w)
			return;
		w[0] = ',';
		w[1] = '"';
		memcpy(w + 2, key, n);
		w[n + 2] = '"';
		w[n + 3] = ':';
		ua_buf_commit(e->b, n + 4);
	}
}

static void emit_u64_n(struct emit *e, const char *key, size_t klen, uint64_t v)
{
	emit_key_n(e, key, klen);
	ua_buf_addu64(e->b, v);
}

static void emit_s64_n(struct emit *e, const char *key, size_t klen, int64_t v)
{
	emit_key_n(e, key, klen);
	ua_buf_addi64(e->b, v);
}

/* 0x-hex in text (flag words read better so), a plain number in JSON. */
static void emit_hex_n(struct emit *e, const char *key, size_t klen, uint64_t v)
{
	emit_key_n(e, key, klen);
	if (e->f == UA_FMT_TEXT) {
		ua_buf_addstr(e->b, "0x");
		ua_buf_addhex(e->b, v, 0);
	} else {
		ua_buf_addu64(e->b, v);
	}
}

/* A ring id: 16 hex digits, bare in text, a string in JSON (64-bit values do
 * not survive JSON numbers in common tools). */
static void emit_ring_n(struct emit *e, const char *key, size_t klen, uint64_t id)
{
	emit_key_n(e, key, klen);
	if (e->f == UA_FMT_TEXT) {
		ua_buf_addhex(e->b, id, 16);
	} else {
		ua_buf_addch(e->b, '"');
		ua_buf_addhex(e->b, id, 16);
		ua_buf_addch(e->b, '"');
	}
}

/* Octal with a leading 0 in text (as the kernel prints modes), a plain number in JSON. */
static void emit_oct_n(struct emit *e, const char *key, size_t klen, uint64_t v)
{
	emit_key_n(e, key, klen);
	if (e->f == UA_FMT_TEXT)
		ua_buf_addoct(e->b, v); /* 0644, and 0 for none */
	else
		ua_buf_addu64(e->b, v);
}

/* A trusted token: bare in text, a string in JSON. NULL is unknown: ? / null. */
static void emit_word_n(struct emit *e, const char *key, size_t klen, const char *w)
{
	emit_key_n(e, key, klen);
	if (!w)
		ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "?" : "null");
	else if (e->f == UA_FMT_TEXT)
		ua_buf_addstr(e->b, w);
	else
		ua_escape_json(e->b, w, strlen(w));
}

/* Untrusted bytes, escaped; absent: @absent_text in text, null in JSON. */
static void emit_bytes_n(struct emit *e, const char *key, size_t klen, const char *s, size_t len,
			 const char *absent_text)
{
	emit_key_n(e, key, klen);
	if (!s)
		ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? absent_text : "null");
	else if (e->f == UA_FMT_TEXT)
		ua_escape_text(e->b, s, len);
	else
		ua_escape_json(e->b, s, len);
}

/* yes/no/? in text, true/false/null in JSON; @v < 0 is unknown. */
static void emit_tri_n(struct emit *e, const char *key, size_t klen, int v)
{
	static const char *const text[] = { "?", "no", "yes" };
	static const char *const json[] = { "null", "false", "true" };
	int i = v < 0 ? 0 : v ? 2 : 1;

	emit_key_n(e, key, klen);
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

static void emit_ids(struct emit *e, int eff_prefix, const struct ua_rec_ids *ids)
{
	/* the keys spelt out, plain or with the prefix eff_ */
	static const char *const plain[] = { "uid",   "gid",  "euid", "suid",
					     "fsuid", "egid", "sgid", "fsgid" };
	static const char *const eff[] = { "eff_uid",	"eff_gid",  "eff_euid", "eff_suid",
					   "eff_fsuid", "eff_egid", "eff_sgid", "eff_fsgid" };
	const uint32_t v[] = { ids->uid,   ids->gid,  ids->euid, ids->suid,
			       ids->fsuid, ids->egid, ids->sgid, ids->fsgid };
	const char *const *keys = eff_prefix ? eff : plain;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		emit_u64(e, keys[i], v[i]);
}

/* The process: pid, tid, ppid (@ppid set), comm, exe, auid, ses and the task's ids. */
static void emit_who(struct emit *e, const struct ua_rec_who *w, int ppid)
{
	emit_u64(e, "pid", w->pid);
	emit_u64(e, "tid", w->tid);
	if (ppid)
		emit_u64(e, "ppid", w->ppid);
	emit_bytes(e, "comm", w->comm.ptr, w->comm.len, "?");
	emit_bytes(e, "exe", w->exe.ptr, w->exe.len, "?");
	/* (u32)-1 is "unset"; printed as the number, as auditd's raw records do. */
	emit_u64(e, "auid", w->auid);
	emit_u64(e, "ses", w->ses);
	emit_ids(e, 0, &w->ids);
	if (!ppid && w->mntns)
		emit_u64(e, "mntns", w->mntns);
}

/*
 * The process of a URINGOP record, in the order of the kernel's own URINGOP
 * record (kernel/auditsc.c: audit_log_uring(): ppid pid uid gid euid suid fsuid
 * egid sgid fsgid) with the fields it lacks where its SYSCALL record
 * (audit_log_task_info()) has them: auid after pid, ses comm exe after fsgid.
 * ausearch reads these fields in this order. tid comes later, with our fields.
 */
/* A value printed here is part of the cache's key: a field added here goes
 * into struct ua_who_cache_slot, who_slot_matches() and test_who_cache too. */
static void emit_who_kernel_order_fmt(struct emit *e, const struct ua_rec_who *w)
{
	emit_u64(e, "ppid", w->ppid);
	emit_u64(e, "pid", w->pid);
	emit_u64(e, "auid", w->auid);
	emit_ids(e, 0, &w->ids);
	emit_u64(e, "ses", w->ses);
	emit_bytes(e, "comm", w->comm.ptr, w->comm.len, "?");
	emit_bytes(e, "exe", w->exe.ptr, w->exe.len, "?");
}

/* The bytes a ua_bytes prints: none when absent, whatever its len says. */
static size_t bytes_len(const struct ua_bytes *b)
{
	return b->ptr ? b->len : 0;
}

/* Does @c hold @w's fields in format @f? */
static int who_slot_matches(const struct ua_who_cache_slot *c, const struct ua_rec_who *w,
			    enum ua_format f)
{
	size_t cl = bytes_len(&w->comm), el = bytes_len(&w->exe);

	return c->used && c->f == f && c->pid == w->pid && c->ppid == w->ppid &&
	       c->auid == w->auid && c->ses == w->ses &&
	       !memcmp(&c->ids, &w->ids, sizeof(c->ids)) && c->comm_set == !!w->comm.ptr &&
	       c->exe_set == !!w->exe.ptr && c->comm_len == cl && c->exe_len == el &&
	       (!cl || !memcmp(c->comm, w->comm.ptr, cl)) &&
	       (!el || !memcmp(c->exe, w->exe.ptr, el));
}

/* The process fields of a URINGOP record, from e->cache when it holds them. */
static void emit_who_kernel_order(struct emit *e, const struct ua_rec_who *w)
{
	struct ua_who_cache *wc = e->cache;
	struct ua_who_cache_slot *c;
	size_t start, n, cl = bytes_len(&w->comm), el = bytes_len(&w->exe);

	if (!wc) {
		emit_who_kernel_order_fmt(e, w);
		return;
	}
	if (cl > sizeof(c->comm) || el > sizeof(c->exe)) {
		wc->uncacheable++;
		emit_who_kernel_order_fmt(e, w);
		return;
	}
	c = &wc->slot[(w->pid ^ (w->pid >> 4) ^ (unsigned int)e->f) % UA_WHO_CACHE_SLOTS];
	if (who_slot_matches(c, w, e->f)) {
		wc->hits++;
		ua_buf_add(e->b, c->out, c->out_len);
		return;
	}
	wc->misses++;
	start = e->b->len;
	emit_who_kernel_order_fmt(e, w);
	n = e->b->len - start;
	if (e->b->err || e->b->len < start || n > sizeof(c->out)) {
		c->used = 0;
		return;
	}
	c->used = 1;
	c->f = e->f;
	c->pid = w->pid;
	c->ppid = w->ppid;
	c->auid = w->auid;
	c->ses = w->ses;
	c->ids = w->ids;
	c->comm_set = !!w->comm.ptr;
	c->exe_set = !!w->exe.ptr;
	c->comm_len = (uint32_t)cl;
	c->exe_len = (uint32_t)el;
	if (cl)
		memcpy(c->comm, w->comm.ptr, cl);
	if (el)
		memcpy(c->exe, w->exe.ptr, el);
	c->out_len = (uint32_t)n;
	memcpy(c->out, e->b->data + start, n);
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
		ua_buf_addstr(e->b, sep);
		if (e->f == UA_FMT_TEXT) {
			ua_buf_addstr(e->b, rflag_names[i].name);
		} else {
			ua_buf_addch(e->b, '"');
			ua_buf_addstr(e->b, rflag_names[i].name);
			ua_buf_addch(e->b, '"');
		}
		sep = ",";
	}
	if (rflags & ~known) {
		ua_buf_addstr(e->b, sep);
		ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "0x" : "\"0x");
		ua_buf_addhex(e->b, rflags & ~known, 0);
		if (e->f != UA_FMT_TEXT)
			ua_buf_addch(e->b, '"');
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

/* Address family and socket type names; other values print as numbers. */
static const char *family_name(unsigned int fam)
{
	switch (fam) {
	case 1:
		return "unix";
	case 2:
		return "inet";
	case 10:
		return "inet6";
	case 16:
		return "netlink";
	case 17:
		return "packet";
	case 40:
		return "vsock";
	}
	return NULL;
}

static const char *sock_type_name(unsigned int t)
{
	static const char *const names[] = { NULL, "stream", "dgram", "raw", "rdm", "seqpacket" };

	t &= 0xf; /* SOCK_NONBLOCK / SOCK_CLOEXEC live above */
	return t < ARRAY_SIZE(names) ? names[t] : NULL;
}

static void emit_named(struct emit *e, const char *key, const char *name, uint64_t v)
{
	if (name)
		emit_word(e, key, name);
	else
		emit_u64(e, key, v);
}

int ua_format_ip(const struct ua_rec_addr *a, char *buf, size_t len, unsigned int *port)
{
	if (!a || !a->raw || !buf)
		return -EINVAL;
	if (a->family == 2 && a->len >= 8) {
		if (port)
			*port = (unsigned int)(a->raw[2] << 8 | a->raw[3]);
		return inet_ntop(AF_INET, a->raw + 4, buf, (socklen_t)len) ? 0 : -ENOSPC;
	}
	if (a->family == 10 && a->len >= 24) {
		if (port)
			*port = (unsigned int)(a->raw[2] << 8 | a->raw[3]);
		return inet_ntop(AF_INET6, a->raw + 8, buf, (socklen_t)len) ? 0 : -ENOSPC;
	}
	return -EAFNOSUPPORT;
}

/*
 * A socket address as @pfx family / @pfx addr / @pfx port (port for inet only):
 * addresses as the usual text forms, unix paths as untrusted bytes (an abstract name
 * starts with a NUL byte, so it always prints as hex).
 */
static void emit_addr(struct emit *e, const char *fam_key, const char *addr_key,
		      const char *port_key, const struct ua_rec_addr *a)
{
	char ip[64];
	unsigned int port = 0;

	if (!a->family || !a->raw)
		return;
	if (fam_key)
		emit_named(e, fam_key, family_name(a->family), a->family);
	if (ua_format_ip(a, ip, sizeof(ip), &port) == 0) {
		emit_word(e, addr_key, ip);
		emit_u64(e, port_key, port);
	} else if (a->family == 1 && a->len > 2) {
		size_t n = a->len - 2;

		/* a filesystem name may carry its NUL; an abstract one starts with one */
		if (a->raw[2] && a->raw[a->len - 1] == '\0')
			n--;
		emit_bytes(e, addr_key, (const char *)a->raw + 2, n, "?");
	}
}

static const char *obj_type(const struct ua_rec_obj *o)
{
	if (o->flags & UA_REC_OF_UNRESOLVED)
		return NULL;
	if (o->kind == UA_REC_OBJ_RING)
		return "ring";
	if (o->kind == UA_REC_OBJ_SOCK)
		return "socket";
	switch (o->mode & 0170000) {
	case 0100000:
		return (o->flags & UA_REC_OF_PSEUDO) ? "anon" : "file";
	case 0040000:
		return "dir";
	case 0020000:
		return "chr";
	case 0060000:
		return "blk";
	case 0010000:
		return "fifo";
	case 0120000:
		return "symlink";
	}
	return (o->flags & UA_REC_OF_PSEUDO) ? "anon" : "unknown";
}

/*
 * The keys of an object's fields, prefixed by its role (file_, new_, dir_,
 * src_), spelt out at compile time with their lengths: an object is a third
 * of a record's keys, and building them at run time cost three strlen()
 * each.
 */
enum obj_field {
	OF_TYPE,
	OF_RING,
	OF_FAMILY,
	OF_SOCK_TYPE,
	OF_LADDR,
	OF_LPORT,
	OF_RADDR,
	OF_RPORT,
	OF_NAME,
	OF_PATH,
	OF_PATH_TRUNCATED,
	OF_PATH_LEN,
	OF_DELETED,
	OF_DEV,
	OF_INO,
	OF_MODE,
	OF_UID,
	OF_GID,
	OF_RDEV,
	OF_NR
};

struct key {
	const char *s;
	size_t len;
};

/* clang-format off */
#define KEY(k) { k, sizeof(k) - 1 }
#define OBJ_KEYS(p)                                                                      \
	{ KEY(p "type"), KEY(p "ring"), KEY(p "family"), KEY(p "sock_type"),              \
	  KEY(p "laddr"), KEY(p "lport"), KEY(p "raddr"), KEY(p "rport"), KEY(p "name"),    \
	  KEY(p "path"), KEY(p "path_truncated"), KEY(p "path_len"), KEY(p "deleted"),      \
	  KEY(p "dev"), KEY(p "ino"), KEY(p "mode"), KEY(p "uid"), KEY(p "gid"),            \
	  KEY(p "rdev") }
/* clang-format on */

static const struct key obj_keys[][OF_NR] = { OBJ_KEYS("file_"), OBJ_KEYS("new_"), OBJ_KEYS("dir_"),
					      OBJ_KEYS("src_"), OBJ_KEYS("replaced_") };

/* The keys of an object in role @role; NULL for a role that prints none. */
static const struct key *role_keys(enum ua_rec_role role)
{
	switch (role) {
	case UA_REC_ROLE_FILE:
	case UA_REC_ROLE_CLOSED:
		return obj_keys[0];
	case UA_REC_ROLE_NEW:
		return obj_keys[1];
	case UA_REC_ROLE_DIR:
		return obj_keys[2];
	case UA_REC_ROLE_SRC:
		return obj_keys[3];
	case UA_REC_ROLE_REPLACED:
		return obj_keys[4];
	}
	return NULL;
}

/* "%02x" of @v (at most 8 digits) into @d; the digits written. */
static size_t put_hex2(char *d, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[8];
	size_t i = sizeof(tmp), n;

	if (v < 0x100) { /* most majors and minors: exactly two digits */
		d[0] = digits[v >> 4];
		d[1] = digits[v & 15];
		return 2;
	}
	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	n = sizeof(tmp) - i;
	memcpy(d, tmp + i, n);
	return n;
}

#define emit_dev(e, k, dev) emit_dev_n(e, k, strlen(k), dev)

/* auditd's form of a device: hex major:minor (the kernel keeps major << 20 |
 * minor); bare in text, a string in JSON. */
static void emit_dev_n(struct emit *e, const char *key, size_t klen, uint32_t dev)
{
	char *w;
	size_t n;

	emit_key_n(e, key, klen);
	w = ua_buf_room(e->b, 20); /* 2 + 3 + 1 + 5 + 2 at most */
	if (!w)
		return;
	n = 0;
	if (e->f != UA_FMT_TEXT)
		w[n++] = '"';
	n += put_hex2(w + n, dev >> 20);
	w[n++] = ':';
	n += put_hex2(w + n, dev & 0xfffff);
	if (e->f != UA_FMT_TEXT)
		w[n++] = '"';
	ua_buf_commit(e->b, n);
}

#define OKEY(kk, f) (kk)[f].s, (kk)[f].len

static void emit_obj(struct emit *e, const struct ua_rec_obj *o)
{
	const struct key *k = role_keys(o->role);

	if (!k)
		return;
	emit_word_n(e, OKEY(k, OF_TYPE), obj_type(o));
	if (o->flags & UA_REC_OF_UNRESOLVED)
		return;
	if (o->kind == UA_REC_OBJ_RING) {
		emit_ring_n(e, OKEY(k, OF_RING), o->ring);
		return;
	}
	if (o->kind == UA_REC_OBJ_SOCK) {
		emit_named(e, k[OF_FAMILY].s, family_name(o->local.family), o->local.family);
		emit_named(e, k[OF_SOCK_TYPE].s, sock_type_name(o->sock_type), o->sock_type);
		emit_addr(e, NULL, k[OF_LADDR].s, k[OF_LPORT].s, &o->local);
		/* an unconnected inet socket has a zero peer: not printed */
		if (!(o->peer.len >= 4 && o->peer.raw &&
		      (o->peer.family == 2 || o->peer.family == 10) && !o->peer.raw[2] &&
		      !o->peer.raw[3]))
			emit_addr(e, NULL, k[OF_RADDR].s, k[OF_RPORT].s, &o->peer);
	} else if (o->path.ptr) {
		emit_bytes_n(e, OKEY(k, (o->flags & UA_REC_OF_PSEUDO) ? OF_NAME : OF_PATH),
			     o->path.ptr, o->path.len, "?");
		if (o->flags & UA_REC_OF_TRUNC) {
			emit_tri_n(e, OKEY(k, OF_PATH_TRUNCATED), 1);
			if (o->flags & UA_REC_OF_LEN_UNKNOWN) {
				emit_key_n(e, OKEY(k, OF_PATH_LEN));
				ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "?" : "null");
			} else {
				emit_u64_n(e, OKEY(k, OF_PATH_LEN), o->full_len);
			}
		}
		if (o->flags & UA_REC_OF_DELETED)
			emit_tri_n(e, OKEY(k, OF_DELETED), 1);
	}
	emit_dev_n(e, OKEY(k, OF_DEV), o->dev);
	emit_u64_n(e, OKEY(k, OF_INO), o->ino);
	emit_oct_n(e, OKEY(k, OF_MODE), o->mode);
	emit_u64_n(e, OKEY(k, OF_UID), o->uid);
	emit_u64_n(e, OKEY(k, OF_GID), o->gid);
	if ((o->mode & 0170000) == 0020000 || (o->mode & 0170000) == 0060000)
		emit_dev_n(e, OKEY(k, OF_RDEV), o->rdev);
}

static const struct ua_rec_obj *find_obj(const struct ua_record *r, enum ua_rec_role role)
{
	size_t i;

	for (i = 0; i < r->nobjs && i < UA_REC_OBJS_MAX; i++)
		if (r->objs[i].role == role)
			return &r->objs[i];
	return NULL;
}

/* The descriptor the request used: fd=N, or slot=N with IOSQE_FIXED_FILE. */
static void emit_target_fd(struct emit *e, const struct ua_record *r)
{
	if (r->rflags & UA_REC_F_FIXED_FILE)
		emit_u64(e, "slot", (uint32_t)r->fd);
	else
		emit_s64(e, "fd", r->fd);
}

/* Socket uring_cmd names (include/uapi/linux/io_uring.h, SOCKET_URING_OP_*). */
static const char *sock_cmd_name(uint64_t op)
{
	static const char *const names[] = { "siocinq",	   "siocoutq",	   "getsockopt",
					     "setsockopt", "tx_timestamp", "getsockname" };

	return op < ARRAY_SIZE(names) ? names[op] : NULL;
}

/* Arguments of the ops beyond the file operations. */
static void emit_op_args(struct emit *e, const struct ua_record *r)
{
	const struct ua_rec_obj *file = find_obj(r, UA_REC_ROLE_FILE);

	switch (r->opcode) {
	case UA_OP_STATX:
		emit_s64(e, "dfd", r->dfd);
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_hex(e, "flags", r->op_flags);
		emit_hex(e, "mask", r->arg[0]);
		break;
	case UA_OP_SETXATTR:
	case UA_OP_GETXATTR:
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		/* fall through */
	case UA_OP_FSETXATTR:
	case UA_OP_FGETXATTR:
		if (r->name2_is_attr)
			emit_name(e, "attr", &r->name2, 0, NULL);
		emit_hex(e, "flags", r->op_flags);
		emit_u64(e, "size", r->arg[0]);
		break;
	case UA_OP_FTRUNCATE:
		emit_s64(e, "length", (int64_t)r->arg[0]);
		break;
	case UA_OP_FALLOCATE:
		emit_s64(e, "offset", (int64_t)r->arg[0]);
		emit_s64(e, "length", (int64_t)r->arg[1]);
		emit_hex(e, "falloc_mode", r->arg[2]);
		break;
	case UA_OP_SOCKET:
		emit_named(e, "family", family_name((unsigned int)r->arg[0]), r->arg[0]);
		emit_named(e, "sock_type", sock_type_name((unsigned int)r->arg[1]), r->arg[1]);
		emit_u64(e, "protocol", r->arg[2]);
		if (r->file_slot)
			emit_slot(e, r->file_slot);
		break;
	case UA_OP_LISTEN:
		emit_u64(e, "backlog", r->arg[0]);
		break;
	case UA_OP_ACCEPT:
		emit_hex(e, "flags", r->op_flags);
		emit_tri(e, "multishot", (r->arg[0] & 1) != 0);
		if (r->file_slot)
			emit_slot(e, r->file_slot);
		break;
	case UA_OP_SHUTDOWN:
		emit_u64(e, "how", r->arg[0]);
		break;
	case UA_OP_MSG_RING:
		emit_named(e, "msg_cmd",
			   r->arg[0] == 0 ? "data" :
			   r->arg[0] == 1 ? "send_fd" :
					    NULL,
			   r->arg[0]);
		if (r->arg[0] == 1) {
			emit_u64(e, "src_slot", r->arg[2]);
			if (r->arg[3] == 0xFFFFFFFFu)
				emit_word(e, "dst_slot", "alloc");
			else
				emit_u64(e, "dst_slot", r->arg[3] - 1);
		} else {
			emit_u64(e, "msg_len", r->arg[1]);
		}
		emit_hex(e, "flags", r->op_flags);
		break;
	case UA_OP_FIXED_FD_INSTALL:
		emit_hex(e, "flags", r->op_flags);
		break;
	case UA_OP_URING_CMD:
		emit_hex(e, "cmd_op", r->arg[0]);
		if (file && file->kind == UA_REC_OBJ_SOCK) {
			const char *n = sock_cmd_name(r->arg[0]);

			if (n)
				emit_word(e, "cmd", n);
			if (r->arg[0] == 2 || r->arg[0] == 3) {
				emit_u64(e, "level", (uint32_t)r->arg[1]);
				emit_u64(e, "optname", (uint32_t)r->arg[2]);
			}
		}
		break;
	default:
		/* the ops with a socket address at submit (ops.def: ADDR): connect, bind, send* */
		if (ua_builtin_op_classes(r->opcode) & UA_OPC(ADDR)) {
			if (r->opcode != UA_OP_CONNECT && r->opcode != UA_OP_BIND)
				emit_hex(e, "msg_flags", r->op_flags);
			emit_addr(e, "family", "addr", "port", &r->addr);
			/* read from the submitter's memory, not the kernel's copy */
			if (r->addr_src != UA_REC_ADDR_KERNEL)
				emit_word(e, "addr_src",
					  r->addr_src == UA_REC_ADDR_USER ? "user" :
									    "user_unreadable");
		}
		break;
	}
}

/* The objects resolved in the kernel, in a fixed role order. */
static void emit_resolved(struct emit *e, const struct ua_record *r)
{
	static const enum ua_rec_role order[] = { UA_REC_ROLE_DIR,  UA_REC_ROLE_CLOSED,
						  UA_REC_ROLE_FILE, UA_REC_ROLE_SRC,
						  UA_REC_ROLE_NEW,  UA_REC_ROLE_REPLACED };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		const struct ua_rec_obj *o = find_obj(r, order[i]);

		/* The descriptor an op on a file used, even when it named no file
		 * (a bad fd) or the request never ran (cancelled). */
		if (order[i] == UA_REC_ROLE_FILE && r->opcode != UA_OP_CLOSE && !r->inflight &&
		    (o || (ua_builtin_op_classes(r->opcode) & UA_OPC(FD))))
			emit_target_fd(e, r);
		if (o)
			emit_obj(e, o);
	}
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
	/* In flight at start: its arguments (fd, names, flags) were the
	 * submit's, never seen; the objects are its completion's. */
	if (r->inflight) {
		emit_resolved(e, r);
		return;
	}

	switch (r->opcode) {
	case UA_OP_OPENAT:
	case UA_OP_OPENAT2:
		emit_s64(e, "dfd", r->dfd);
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_hex(e, "flags", r->op_flags);
		/* The same flags as the kernel's OPENAT2 record writes them (octal),
		 * for tools that read that field; JSON has them once, as flags. */
		if (e->f == UA_FMT_TEXT) {
			emit_key(e, "oflag");
			/* "0%o": a 0 before the digits ("00" for none); ua_buf_addoct
			 * gives "0" for none and the leading 0 otherwise */
			if (!r->op_flags)
				ua_buf_addch(e->b, '0');
			ua_buf_addoct(e->b, r->op_flags);
		}
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
		if (r->replaced != UA_REC_REPL_NA) {
			static const char *const what[] = { "?", "unknown", "none", "yes",
							    "exchanged" };

			emit_word(e, "replaced", what[r->replaced <= 4 ? r->replaced : 0]);
		}
		break;
	case UA_OP_SYMLINKAT:
		/* symlinkat(target, newdirfd, linkpath): the target is not resolved. */
		emit_name(e, "name", &r->name, r->name_truncated, "name_truncated");
		emit_s64(e, "dfd2", r->dfd2);
		emit_name(e, "name2", &r->name2, r->name2_truncated, "name2_truncated");
		break;
	default:
		emit_op_args(e, r);
		break;
	}
	emit_resolved(e, r);
}

/*
 * PATH records (text only): one per name the request carried and per file it
 * touched through a descriptor, as the kernel writes PATH records after its
 * URINGOP record, so that ausearch -f and aureport -f find our files.
 */
struct path_item {
	const struct ua_bytes *name;  /* the name as the request gave it; NULL: obj's path */
	const struct ua_rec_obj *obj; /* the inode behind it, when resolved */
	const char *nametype;	      /* the kernel's: NORMAL, PARENT, CREATE, DELETE, UNKNOWN */
};

#define PATH_ITEMS_MAX (2 + UA_REC_OBJS_MAX)

/* A file object with a path a PATH record can carry. */
static int obj_has_path(const struct ua_rec_obj *o)
{
	return o && o->kind == UA_REC_OBJ_FILE && o->path.ptr &&
	       !(o->flags & (UA_REC_OF_PSEUDO | UA_REC_OF_UNRESOLVED));
}

static void add_item(struct path_item *it, size_t *n, const struct ua_bytes *name,
		     const struct ua_rec_obj *obj, const char *nametype)
{
	if (*n >= PATH_ITEMS_MAX || (name && !name->ptr))
		return;
	it[*n].name = name;
	it[*n].obj = obj;
	it[*n].nametype = nametype;
	(*n)++;
}

static size_t path_items(const struct ua_record *r, struct path_item *it)
{
	static const enum ua_rec_role roles[] = { UA_REC_ROLE_DIR, UA_REC_ROLE_CLOSED,
						  UA_REC_ROLE_FILE, UA_REC_ROLE_SRC };
	const struct ua_rec_obj *o;
	size_t n = 0, i;

	/* Failed in prep: no name was captured. */
	if (r->rflags & UA_REC_F_INIT_FAILED)
		return 0;
	switch (r->opcode) {
	case UA_OP_OPENAT:
	case UA_OP_OPENAT2:
		/* the file it opened is the name's inode */
		o = find_obj(r, UA_REC_ROLE_NEW);
		if (!obj_has_path(o))
			o = NULL;
		add_item(it, &n, &r->name, o, o ? "NORMAL" : "UNKNOWN");
		break;
	case UA_OP_UNLINKAT:
		add_item(it, &n, &r->name, NULL, "DELETE");
		break;
	case UA_OP_MKDIRAT:
		add_item(it, &n, &r->name, NULL, "CREATE");
		break;
	case UA_OP_RENAMEAT:
		add_item(it, &n, &r->name, NULL, "DELETE");
		add_item(it, &n, &r->name2, NULL, "CREATE");
		/* the file the new name named, as the kernel's own PATH record of
		 * a rename over a file: DELETE, with its inode (exchanged: NORMAL) */
		o = find_obj(r, UA_REC_ROLE_REPLACED);
		if (o && o->kind == UA_REC_OBJ_FILE && !(o->flags & UA_REC_OF_UNRESOLVED) &&
		    (r->replaced == UA_REC_REPL_YES || r->replaced == UA_REC_REPL_EXCHANGED))
			add_item(it, &n, &r->name2, o,
				 r->replaced == UA_REC_REPL_EXCHANGED ? "NORMAL" : "DELETE");
		break;
	case UA_OP_LINKAT:
		add_item(it, &n, &r->name, NULL, "NORMAL");
		add_item(it, &n, &r->name2, NULL, "CREATE");
		break;
	case UA_OP_SYMLINKAT:
		/* the target is text, not looked up: only the link is a path */
		add_item(it, &n, &r->name2, NULL, "CREATE");
		break;
	case UA_OP_STATX:
	case UA_OP_SETXATTR:
	case UA_OP_GETXATTR:
		add_item(it, &n, &r->name, NULL, "NORMAL");
		break;
	default:
		break;
	}
	/* The files reached through a descriptor, by the path the kernel walked. */
	for (i = 0; i < ARRAY_SIZE(roles); i++) {
		o = find_obj(r, roles[i]);
		if (obj_has_path(o))
			add_item(it, &n, NULL, o,
				 roles[i] == UA_REC_ROLE_DIR ? "PARENT" : "NORMAL");
	}
	return n;
}

/* The longest " msg=audit(S.MMM:SEQ):": 11 + 20 + 4 + 1 + 20 + 2 bytes. */
#define MSG_HDR_MAX 64

/* type=PATH msg=audit(T:SERIAL): item=N name=... inode= dev= mode= ouid= ogid= rdev= nametype=
 * @hdr: the URINGOP line's " msg=audit(T:SERIAL):", the same for its PATH lines. */
static void emit_path(struct emit *e, const char *hdr, size_t hlen, size_t idx,
		      const struct path_item *it)
{
	const struct ua_rec_obj *o = it->obj;

	ua_buf_add(e->b, "\ntype=PATH", sizeof("\ntype=PATH") - 1);
	ua_buf_add(e->b, hdr, hlen);
	emit_u64(e, "item", idx);
	if (it->name)
		emit_bytes(e, "name", it->name->ptr, it->name->len, "(null)");
	else
		emit_bytes(e, "name", o->path.ptr, o->path.len, "(null)");
	if (o) {
		emit_u64(e, "inode", o->ino);
		emit_dev(e, "dev", o->dev);
		emit_oct(e, "mode", o->mode);
		emit_u64(e, "ouid", o->uid);
		emit_u64(e, "ogid", o->gid);
		emit_dev(e, "rdev", o->rdev);
	}
	emit_word(e, "nametype", it->nametype);
}

static void emit_record(struct emit *e, const struct ua_record *r)
{
	struct path_item items[PATH_ITEMS_MAX];
	size_t nitems = e->f == UA_FMT_TEXT ? path_items(r, items) : 0, i;
	char hdr[MSG_HDR_MAX];
	size_t hstart, hlen = 0;
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

	/*
	 * First the fields the kernel's URINGOP record has, in its order
	 * (uring_op success exit items ppid pid ... key), then ours. In text an
	 * unknown result leaves success and exit out, as the kernel does (ausearch
	 * would read success=? as a failure); JSON says null.
	 */
	hstart = e->b->len + sizeof("type=" UA_TYPE_URINGOP) - 1;
	emit_begin(e, UA_TYPE_URINGOP, r->time_ns, r->seq);
	/* Its PATH lines repeat the header after the type (text only). */
	if (nitems && !e->b->err && e->b->len > hstart && e->b->len - hstart <= MSG_HDR_MAX) {
		hlen = e->b->len - hstart;
		memcpy(hdr, e->b->data + hstart, hlen);
	}
	emit_u64(e, "uring_op", r->opcode);
	if (exit_known || e->f == UA_FMT_JSON) {
		emit_tri(e, "success", success);
		emit_exit(e, r, exit_known);
	}
	if (e->f == UA_FMT_TEXT)
		emit_u64(e, "items", nitems);
	emit_who_kernel_order(e, &r->who);
	emit_bytes(e, "key", r->key.ptr, r->key.len, "(null)");

	if (r->op_name && is_word(r->op_name, strlen(r->op_name))) {
		emit_word(e, "op", r->op_name);
	} else if (r->op_name) {
		/* Names come from the kernel's BTF; escape one that is not a plain word anyway. */
		emit_bytes(e, "op", r->op_name, strlen(r->op_name), "?");
	} else {
		emit_key(e, "op");
		if (e->f == UA_FMT_TEXT)
			ua_buf_addu64(e->b, r->opcode);
		else
			ua_buf_addstr(e->b, "null");
	}
	emit_word(e, "cqe", NAME_OF(cqe_names, r->cqe));
	if (r->cqe == UA_REC_CQE_UNTRACKED)
		emit_word(e, "untracked", NAME_OF(untracked_names, r->untracked));
	if (r->cqes > 1)
		emit_u64(e, "cqes", r->cqes);

	emit_ring(e, "ring", r->ring);
	/* A request in flight at start: how it was submitted is not known. */
	if (r->inflight) {
		emit_word(e, "inflight", "start");
	} else {
		emit_word(e, "ctx", NAME_OF(ctx_names, r->ctx));
		emit_word(e, "submit", NAME_OF(submit_names, r->submit));
	}
	/* A string in JSON too: 64-bit values do not survive JSON numbers
	 * (doubles) in common tools. */
	emit_key(e, "user_data");
	ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "0x" : "\"0x");
	ua_buf_addhex(e->b, r->user_data, 0);
	if (e->f != UA_FMT_TEXT)
		ua_buf_addch(e->b, '"');

	emit_u64(e, "tid", r->who.tid);
	emit_word(e, "cred", NAME_OF(cred_names, r->cred));
	if (r->has_personality)
		emit_u64(e, "personality", r->personality);
	if (r->cred_differs)
		emit_ids(e, 1, &r->eff);
	/* Others could have written this SQPOLL ring's request: look for its
	 * URING_HOLDER records. */
	if (r->holders)
		emit_u64(e, "holders", r->holders);
	if (r->rflags)
		emit_rflags(e, r->rflags);
	emit_u64(e, "cgroup_id", r->cgroup_id);
	if (r->container.ptr)
		emit_bytes(e, "container", r->container.ptr, r->container.len, "?");
	if (r->mntns)
		emit_u64(e, "mntns", r->mntns);

	emit_objects(e, r);

	/* deny and kill rules: what enforcement did (docs/rules.md) */
	if (r->action != UA_REC_ACT_NONE) {
		emit_word(e, "action", r->action == UA_REC_ACT_DENY ? "deny" : "kill");
		emit_tri(e, "stopped", r->stopped);
		if (r->action == UA_REC_ACT_KILL)
			emit_tri(e, "killed", !!r->killed);
	}

	/* a header that did not fit (only after an error) ends the line here */
	if (e->f == UA_FMT_TEXT && hlen)
		for (i = 0; i < nitems; i++)
			emit_path(e, hdr, hlen, i, &items[i]);
}

int ua_format_record(struct ua_buf *out, const struct ua_record *r, enum ua_format f)
{
	return ua_format_record_cached(out, r, f, NULL);
}

int ua_format_record_cached(struct ua_buf *out, const struct ua_record *r, enum ua_format f,
			    struct ua_who_cache *cache)
{
	struct emit e = { .b = out, .f = f, .cache = cache };
	size_t start;
	int rc = line_check(out, f);

	if (rc)
		return rc;
	if (!r)
		return -EINVAL;
	start = out->len;
	emit_record(&e, r);
	return line_end(&e, start);
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
		case UA_KV_BOOL:
		case UA_KV_TIME:
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
	int rc = line_check(out, f);

	if (rc)
		return rc;
	if (check_event(type, kv, n))
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
		case UA_KV_BOOL:
			emit_tri(&e, k->key, k->u != 0);
			break;
		case UA_KV_TIME:
			emit_key(&e, k->key);
			ua_buf_addf(out, "%" PRIu64 ".%03u", k->u / 1000000000u,
				    (unsigned int)(k->u % 1000000000u / 1000000u));
			break;
		}
	}
	return line_end(&e, start);
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

int ua_format_cqe(struct ua_buf *out, uint64_t time_ns, uint64_t seq, uint8_t opcode,
		  const char *op_name, uint64_t ring, uint32_t pid, int32_t res, uint32_t index,
		  const struct ua_rec_obj *obj, enum ua_format f)
{
	struct emit e = { .b = out, .f = f };
	size_t start;
	int rc = line_check(out, f);

	if (rc)
		return rc;
	start = out->len;
	emit_begin(&e, UA_TYPE_CQE, time_ns, seq);
	emit_u64(&e, "uring_op", opcode);
	if (op_name && is_word(op_name, strlen(op_name)))
		emit_word(&e, "op", op_name);
	else
		emit_word(&e, "op", NULL);
	emit_ring(&e, "ring", ring);
	emit_u64(&e, "pid", pid);
	emit_u64(&e, "cqe_index", index);
	emit_s64(&e, "res", res);
	if (obj)
		emit_obj(&e, obj);
	return line_end(&e, start);
}

int ua_format_setup(struct ua_buf *out, const struct ua_rec_setup *r, enum ua_format f)
{
	struct emit e = { .b = out, .f = f };
	size_t start;
	int rc = line_check(out, f);

	if (rc)
		return rc;
	if (!r)
		return -EINVAL;
	start = out->len;
	emit_begin(&e, UA_TYPE_SETUP, r->time_ns, r->seq);
	emit_ring(&e, "ring", r->ring);
	emit_s64(&e, "fd", r->fd);
	emit_u64(&e, "sq_entries", r->sq_entries);
	emit_u64(&e, "cq_entries", r->cq_entries);
	emit_u64(&e, "setup_flags", r->flags);
	if (r->flags & IORING_SETUP_SQPOLL) {
		emit_u64(&e, "sq_thread_idle", r->sq_thread_idle);
		if (r->flags & IORING_SETUP_SQ_AFF)
			emit_s64(&e, "sq_thread_cpu", r->sq_thread_cpu);
	}
	emit_who(&e, &r->who, 0);
	return line_end(&e, start);
}

int ua_format_teardown(struct ua_buf *out, const struct ua_rec_teardown *r, enum ua_format f)
{
	struct emit e = { .b = out, .f = f };
	size_t start;
	int rc = line_check(out, f);

	if (rc)
		return rc;
	if (!r)
		return -EINVAL;
	start = out->len;
	emit_begin(&e, UA_TYPE_TEARDOWN, r->time_ns, r->seq);
	emit_ring(&e, "ring", r->ring);
	emit_u64(&e, "pending", r->pending);
	if (r->has_who)
		emit_who(&e, &r->who, 0);
	return line_end(&e, start);
}

/* 0x-hex, bare in text and a string in JSON: a bit set, which JSON numbers
 * (doubles) would not keep. */
static void emit_hex_str(struct emit *e, const char *key, uint64_t v)
{
	emit_key(e, key);
	ua_buf_addstr(e->b, e->f == UA_FMT_TEXT ? "0x" : "\"0x");
	ua_buf_addhex(e->b, v, 0);
	if (e->f != UA_FMT_TEXT)
		ua_buf_addch(e->b, '"');
}

int ua_format_register(struct ua_buf *out, const struct ua_rec_register *r, enum ua_format f)
{
	struct emit e = { .b = out, .f = f };
	size_t start;
	int rc = line_check(out, f);

	if (rc)
		return rc;
	if (!r)
		return -EINVAL;
	start = out->len;
	emit_begin(&e, UA_TYPE_REGISTER, r->time_ns, r->seq);
	emit_ring(&e, "ring", r->ring);
	emit_u64(&e, "reg_opcode", r->opcode);
	emit_word(&e, "reg_op",
		  r->op_name && is_word(r->op_name, strlen(r->op_name)) ? r->op_name : NULL);
	emit_tri(&e, "success", r->ret >= 0);
	emit_s64(&e, "exit", r->ret);
	switch (r->opcode) {
	case IORING_REGISTER_BUFFERS:
	case IORING_UNREGISTER_BUFFERS:
	case IORING_REGISTER_BUFFERS2:
	case IORING_REGISTER_BUFFERS_UPDATE:
	case IORING_REGISTER_FILES:
	case IORING_UNREGISTER_FILES:
	case IORING_REGISTER_FILES_UPDATE:
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_FILES_UPDATE2:
		/* the tracepoint's counts: the ring's tables after the call */
		emit_u64(&e, "nr_files", r->nr_files);
		emit_u64(&e, "nr_bufs", r->nr_bufs);
		break;
	case IORING_REGISTER_PERSONALITY:
		if (r->ret > 0)
			emit_u64(&e, "personality", (uint64_t)r->ret);
		break;
	case IORING_REGISTER_RESTRICTIONS:
		/* the ring's sets afterwards */
		if (r->ret < 0)
			break;
		emit_hex_str(&e, "allowed_register_ops", r->allowed_register_ops);
		emit_hex_str(&e, "allowed_sqe_ops", r->allowed_sqe_ops);
		emit_u64(&e, "allowed_sqe_flags", r->allowed_sqe_flags);
		emit_u64(&e, "required_sqe_flags", r->required_sqe_flags);
		break;
	case IORING_REGISTER_RING_FDS:
		if (r->ret >= 0)
			emit_u64(&e, "nr_ring_fds", (uint64_t)r->ret);
		break;
	default:
		break;
	}
	emit_who(&e, &r->who, 0);
	return line_end(&e, start);
}
