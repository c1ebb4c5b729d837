/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Record formatter: audit text (auditd's conventions, one line per record) and JSON (one
 * object per line, the same field names with typed values). Pure: appends to a ua_buf.
 */
#ifndef UA_FORMAT_H
#define UA_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "record.h"

enum ua_format { UA_FMT_TEXT = 0, UA_FMT_JSON = 1 };

#define UA_TYPE_URINGOP "URINGOP"
#define UA_TYPE_LOST "URING_LOST"

/* "text" or "json" -> *f; -EINVAL otherwise. */
int ua_format_parse(const char *s, enum ua_format *f);
/* The name of @f ("text", "json"), or NULL. */
const char *ua_format_name(enum ua_format f);

/*
 * Append the record of @r: in JSON exactly one line, '\n' included; in text its URINGOP line
 * followed by one PATH line per item it counts (items=N), all with its msg=audit(T:SERIAL),
 * as the kernel writes a URINGOP event. On error (-EINVAL for a NULL record or an unknown
 * format, -ENOMEM) nothing is appended. Returns 0 or -errno.
 */
int ua_format_record(struct ua_buf *out, const struct ua_record *r, enum ua_format f);

/*
 * The process fields of URINGOP records (ppid pid auid uid..fsgid ses comm exe), as
 * formatted, for the processes seen last: a flood of one process formats them once.
 * A slot is keyed by every value those fields print (and the format), so a hit
 * appends exactly the bytes formatting would: a record never carries another
 * identity than its own, whatever changed (a setuid, a new comm or exe, a pid reused).
 * Zeroed (or UA_WHO_CACHE_INIT) before first use; no memory of its own to free.
 */
#define UA_WHO_CACHE_SLOTS 16
#define UA_WHO_CACHE_EXE 256  /* longer exe paths are formatted each time */
#define UA_WHO_CACHE_OUT 1024 /* longer blocks (hex-escaped names) too */

struct ua_who_cache_slot {
	int used;
	enum ua_format f;
	uint32_t ppid, pid, auid, ses;
	struct ua_rec_ids ids;
	int comm_set, exe_set; /* comm/exe present (ptr not NULL) */
	uint32_t comm_len, exe_len;
	char comm[16];
	char exe[UA_WHO_CACHE_EXE];
	uint32_t out_len;
	char out[UA_WHO_CACHE_OUT];
};

struct ua_who_cache {
	struct ua_who_cache_slot slot[UA_WHO_CACHE_SLOTS];
	uint64_t hits, misses, uncacheable;
};

/* ua_format_record() with @cache (NULL: none). Same bytes either way. */
int ua_format_record_cached(struct ua_buf *out, const struct ua_record *r, enum ua_format f,
			    struct ua_who_cache *cache);

/*
 * Append one URING_LOST line: @lost records with sequence numbers @first_seq..@last_seq
 * never reached us. @reason is a word ([!-~] without quotes, backslash or '='), -EINVAL
 * otherwise.
 */
int ua_format_lost(struct ua_buf *out, uint64_t time_ns, uint64_t seq, uint64_t lost,
		   uint64_t first_seq, uint64_t last_seq, const char *reason, enum ua_format f);

/*
 * The text form of an inet/inet6 address in @a (raw struct sockaddr bytes) into @buf, and
 * its port into *@port when @port is not NULL. -EAFNOSUPPORT for other families or a short
 * address, -ENOSPC when @buf is too small.
 */
int ua_format_ip(const struct ua_rec_addr *a, char *buf, size_t len, unsigned int *port);

#define UA_TYPE_CQE "URING_CQE"
#define UA_TYPE_SETUP "URING_SETUP"
#define UA_TYPE_REGISTER "URING_REGISTER"
#define UA_TYPE_TEARDOWN "URING_TEARDOWN"

/*
 * Append one URING_CQE line: an intermediate CQE (IORING_CQE_F_MORE) of a multishot request
 * whose URINGOP record (serial @seq) comes when it ends, with the object it produced (an
 * accepted connection): uring_op, op, ring, pid, cqe_index, res, then new_... fields.
 */
int ua_format_cqe(struct ua_buf *out, uint64_t time_ns, uint64_t seq, uint8_t opcode,
		  const char *op_name, uint64_t ring, uint32_t pid, int32_t res, uint32_t index,
		  const struct ua_rec_obj *obj, enum ua_format f);

/*
 * Append one URING_SETUP line: ring, fd, sq_entries, cq_entries, setup_flags, with SQPOLL
 * sq_thread_idle (and sq_thread_cpu with SQ_AFF), then the process (no ppid). -EINVAL for a
 * NULL record or an unknown format, -ENOMEM; nothing appended on error.
 */
int ua_format_setup(struct ua_buf *out, const struct ua_rec_setup *r, enum ua_format f);

/*
 * Append one URING_REGISTER line: ring, reg_opcode, reg_op, success, exit, the fields of the
 * opcode (file and buffer table sizes, the new personality, the ring's restrictions, ring
 * fds registered), then the process (no ppid). Errors as ua_format_setup.
 */
int ua_format_register(struct ua_buf *out, const struct ua_rec_register *r, enum ua_format f);
/*
 * Append one URING_TEARDOWN line: a ring was freed (per-op backend): ring,
 * pending (its requests still waiting, concluded with it), then who set it
 * up when the daemon saw it (no ppid). Errors as ua_format_setup.
 */
int ua_format_teardown(struct ua_buf *out, const struct ua_rec_teardown *r, enum ua_format f);

/* Kinds of ua_kv values. */
enum ua_kv_kind {
	UA_KV_STR = 0,	/* untrusted bytes: escaped (text: quoted or hex; JSON string) */
	UA_KV_WORD = 1, /* trusted token: bare in text, a JSON string; must be a word */
	UA_KV_U64 = 2,
	UA_KV_S64 = 3,
	UA_KV_BOOL = 4, /* u: 0 or 1; no/yes in text, false/true in JSON */
	UA_KV_TIME = 5, /* u: ns since the epoch; SECONDS.MILLIS as the record's time, a number */
};

struct ua_kv {
	const char *key; /* [a-z][a-z0-9_]*, not type/msg/seq/time, unique in one event */
	int kind;	 /* enum ua_kv_kind */
	const char *str; /* STR, WORD: @len bytes; STR with NULL prints ? (text) / null (JSON) */
	size_t len;
	uint64_t u;
	int64_t s;
};

static inline struct ua_kv ua_kv_str(const char *key, const char *s, size_t len)
{
	struct ua_kv kv = { .key = key, .kind = UA_KV_STR, .str = s, .len = len };

	return kv;
}

static inline struct ua_kv ua_kv_cstr(const char *key, const char *s)
{
	return ua_kv_str(key, s, s ? strlen(s) : 0);
}

static inline struct ua_kv ua_kv_word(const char *key, const char *w)
{
	struct ua_kv kv = { .key = key, .kind = UA_KV_WORD, .str = w, .len = w ? strlen(w) : 0 };

	return kv;
}

static inline struct ua_kv ua_kv_u64(const char *key, uint64_t v)
{
	struct ua_kv kv = { .key = key, .kind = UA_KV_U64, .u = v };

	return kv;
}

static inline struct ua_kv ua_kv_s64(const char *key, int64_t v)
{
	struct ua_kv kv = { .key = key, .kind = UA_KV_S64, .s = v };

	return kv;
}

static inline struct ua_kv ua_kv_time(const char *key, uint64_t ns)
{
	struct ua_kv kv = { .key = key, .kind = UA_KV_TIME, .u = ns };

	return kv;
}

static inline struct ua_kv ua_kv_bool(const char *key, int v)
{
	struct ua_kv kv = { .key = key, .kind = UA_KV_BOOL, .u = v ? 1 : 0 };

	return kv;
}

/*
 * Append one line of a generic event (daemon start/stop, configuration change): @type is
 * [A-Z][A-Z0-9_]*, then the @n fields in order. -EINVAL (and nothing appended) for a bad
 * type, key or word, so that no caller can break the one-line, parseable format.
 */
int ua_format_event(struct ua_buf *out, const char *type, uint64_t time_ns, uint64_t seq,
		    const struct ua_kv *kv, size_t n, enum ua_format f);

/* The header of a line the formatter wrote (either format), read back by position: the record
 * type, its time, its sequence number and where its fields begin. Nothing a record's fields say (a
 * hostile path or name) can be taken for it. 0, or -EINVAL when @l does not begin with one. */
struct ua_line_head {
	const char *type;
	size_t type_len;
	const char *time; /* SECONDS.MILLIS */
	size_t time_len;
	uint64_t seq;
	const char *body;
};
int ua_line_head(const char *l, const char *le, struct ua_line_head *h);

/* The sequence number in a line's header, 0 if it has none. */
uint64_t ua_line_seq(const char *l, const char *le);

/* Is the line [@l, @le) a record of @type, and (unless @op is NULL) is its first field op=@op? */
int ua_line_is(const char *l, const char *le, const char *type, const char *op);

#endif /* UA_FORMAT_H */
