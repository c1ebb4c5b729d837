// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The consumer: reads events from the ring buffer, joins each request's
 * SUBMIT with its COMPLETE through the join engine (lib/join.h: pending
 * requests, sequence numbers and loss), and writes exactly one record per
 * request.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "holder.h"
#include "holders.h"
#include "join.h"
#include "record.h"
#include "siphash.h"
#include "uringaudit.h"

#define FLUSH_BYTES (1u << 20)

/* A pending request: the engine's part and what its record needs. */
struct pend {
	struct ua_join_req jr;
	int rule; /* deciding rule (the fallback while tentative); -1 none */
	struct ua_ev_submit *ev;
	size_t ev_size;
	int keep_tried, kept; /* its SUBMIT offered to / kept in the pin set */
	char *exe;
	size_t exe_len;
	int has_container;
	char container[65];
	struct ua_ev_obj *objs[UA_REC_OBJS_MAX]; /* objects, in arrival order */
	size_t nobjs;
	/* connect, send*: the destination as the kernel copied it at issue, the
	 * last one sent (UA_ROLE_DEST: a retry's copy replaces the first) */
	struct ua_addr *dest;
};
/* on_submit puts the event right after its struct pend */
_Static_assert(sizeof(struct pend) % _Alignof(struct ua_ev_submit) == 0, "event alignment");

struct pers {
	struct pers *next;
	uint64_t ring, cred;
	uint32_t id;
};

/* A submitter the kernel counted drops for: what its URING_LOST records
 * have said so far. */
struct dropper {
	struct ua_drop_key k;
	uint64_t reported; /* the kernel's count when last reported */
	uint64_t delta;	   /* this interval's */
	char comm[UA_COMM_LEN + 1];
};

#define UA_RING_OWNERS 1024

struct ua_consumer {
	const struct ua_options *o;
	const struct ua_optable *ops;
	struct ua_sinks *sinks;
	struct ua_enrich *enrich;
	struct ua_buf out; /* records in o->format */
	/* The same records in the other format, when a sink wants it (a JSON log
	 * beside a text one, a plugin's text beside a JSON log). */
	struct ua_buf alt;
	int alt_on;
	enum ua_format alt_fmt;
	/* URINGOP process fields as formatted, for out and for alt (lib/format.h) */
	struct ua_who_cache who_out, who_alt;
	struct ua_join join;
	struct pers *pers;
	struct ua_stats st;
	struct ua_holders *holders; /* NULL: this kernel cannot list them */
	int64_t boot_to_real_ns;
	struct ua_siphash_key ring_key;
	uint32_t own_mntns; /* the daemon's mount namespace: paths in others are marked */
	/* Who set each ring up (its URING_SETUP), for its teardown record:
	 * slot serial % UA_RING_OWNERS, the latest ring there kept. */
	struct ring_owner {
		uint64_t serial; /* 0: free */
		struct ua_owner o;
	} ring_owner[UA_RING_OWNERS];
	/* Drops the kernel's pending entry of a request concluded without its CQE. */
	void (*forget)(void *ctx, uint64_t req, uint64_t submit_seq);
	void *forget_ctx;
	/* Keep the SUBMIT of a request still pending for a daemon restarted
	 * after a kill (the pin set); 0 when kept. Drop it when concluded. */
	int (*keep)(void *ctx, uint64_t seq, const void *ev, size_t size);
	void (*unkeep)(void *ctx, uint64_t seq);
	void *keep_ctx;
	/* Drop accounting (ua_consumer_set_drops): the kernel's per-submitter
	 * map and totals, reported each tick. */
	struct ua_drop_source drops;
	struct dropper *drp;
	size_t ndrp, capdrp;
	uint64_t unattributed[2]; /* the kernel's unattributed counters, by reason, as reported */
	uint64_t since_ns;	  /* the start of the interval being reported */
	struct ua_dropper_info top[UA_TOP_DROPPERS]; /* largest first */
	size_t ntop;
	/* The drain budget (ua_consumer_budget): events left, and the deadline. */
	unsigned int budget_left, budget_check;
	uint64_t budget_deadline_ns;
	/* A bounded drain's clock (ua_now_ms() at its start, again at each
	 * deadline check: every 64 events): when its SUBMITs arrived, for the
	 * join's sweep, without a clock read per request. */
	uint64_t drain_now_ms;
	/* Keys of the rules of each kernel bank, by rule index. */
	char *keys[2][UA_KRULES_MAX];
	size_t key_lens[2][UA_KRULES_MAX];
	/* Actions of the rules of each bank (enum ua_action), by rule index. */
	unsigned char actions[2][UA_KRULES_MAX];
	int enforcing; /* BPF-LSM stops deny rules' requests (enforce.c) */
};

uint64_t ua_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t ts_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Ring ids. The kernel names each ring by a serial it gives the ring when it
 * first sees it (never its address); records print SipHash of the serial under
 * a key drawn at start: unique per ring for this run of the daemon, and
 * linkable neither to kernel memory nor across runs.
 */
static uint64_t ring_id(const struct ua_consumer *c, uint64_t serial)
{
	return ua_siphash_u64(&c->ring_key, serial);
}

static void join_conclude(void *ctx, struct ua_join_req *r, enum ua_join_why why, const void *cqe);
static void join_discard(void *ctx, struct ua_join_req *r);
static void join_lost(void *ctx, uint64_t first, uint64_t n, const char *reason);
static int join_alive(void *ctx, uint32_t pid, uint64_t start_time);
static void losses_report(struct ua_consumer *c, int final);

struct ua_consumer *ua_consumer_new(const struct ua_options *o, const struct ua_optable *ops,
				    struct ua_sinks *sinks)
{
	static const struct ua_join_ops join_ops = {
		.conclude = join_conclude,
		.discard = join_discard,
		.lost = join_lost,
		.alive = join_alive,
	};
	struct ua_join_config cfg = { .pending_max = o->pending_max };
	struct ua_consumer *c = calloc(1, sizeof(*c));
	char err[256];
	int rc;

	if (!c)
		return NULL;
	c->o = o;
	c->ops = ops;
	c->sinks = sinks;
	if (sinks->log)
		sinks->log->format = o->format; /* its own records (loss, rotation) match ours */
	if (sinks->json_log)
		sinks->json_log->format = UA_FMT_JSON;
	c->alt_fmt = o->format == UA_FMT_JSON ? UA_FMT_TEXT : UA_FMT_JSON;
	c->alt_on = !!(ua_sinks_formats(sinks) & (1u << c->alt_fmt));
	ua_buf_init(&c->out);
	ua_buf_init(&c->alt);
	c->enrich = ua_enrich_new();
	rc = c->enrich ? ua_join_init(&c->join, &join_ops, c, &cfg) : -ENOMEM;
	if (rc) {
		ua_consumer_free(c);
		errno = -rc;
		return NULL;
	}
	{
		struct stat st;

		if (!stat("/proc/self/ns/mnt", &st))
			c->own_mntns = (uint32_t)st.st_ino;
	}
	rc = ua_siphash_key_random(&c->ring_key);
	if (rc) {
		ua_consumer_free(c);
		errno = -rc;
		return NULL;
	}
	c->boot_to_real_ns = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_BOOTTIME);
	c->since_ns = (uint64_t)ts_ns(CLOCK_REALTIME);
	c->holders = ua_holders_open(err, sizeof(err));
	if (!c->holders)
		fprintf(stderr,
			"uringaudit: warning: %s: other holders of SQPOLL rings are not listed\n",
			err);
	return c;
}

static void pend_free(struct pend *p)
{
	size_t i;

	for (i = 0; i < p->nobjs; i++)
		free(p->objs[i]);
	free(p->dest);
	free(p); /* its event and exe are in the same allocation */
}

void ua_consumer_free(struct ua_consumer *c)
{
	if (!c)
		return;
	ua_join_release(&c->join); /* safe on a zeroed or failed engine */
	while (c->pers) {
		struct pers *x = c->pers;

		c->pers = x->next;
		free(x);
	}
	ua_consumer_set_keys(c, 0, NULL, NULL, 0);
	ua_consumer_set_keys(c, 1, NULL, NULL, 0);
	ua_enrich_free(c->enrich);
	ua_holders_free(c->holders);
	ua_buf_release(&c->out);
	ua_buf_release(&c->alt);
	free(c->drp);
	free(c);
}

void ua_consumer_set_enforcing(struct ua_consumer *c, int on)
{
	c->enforcing = on;
}

void ua_consumer_set_actions(struct ua_consumer *c, unsigned int bank, const unsigned char *acts,
			     size_t n)
{
	memset(c->actions[bank & 1], 0, sizeof(c->actions[0]));
	memcpy(c->actions[bank & 1], acts, n < UA_KRULES_MAX ? n : UA_KRULES_MAX);
}

int ua_consumer_set_keys(struct ua_consumer *c, unsigned int bank, const char *const *keys,
			 const size_t *lens, size_t n)
{
	size_t i;

	bank &= 1;
	for (i = 0; i < UA_KRULES_MAX; i++) {
		free(c->keys[bank][i]);
		c->keys[bank][i] = NULL;
		c->key_lens[bank][i] = 0;
	}
	for (i = 0; i < n && i < UA_KRULES_MAX; i++) {
		if (!keys[i])
			continue;
		c->keys[bank][i] = malloc(lens[i] ? lens[i] : 1);
		if (!c->keys[bank][i])
			return -ENOMEM;
		memcpy(c->keys[bank][i], keys[i], lens[i]);
		c->key_lens[bank][i] = lens[i];
	}
	return 0;
}

const struct ua_stats *ua_consumer_stats(const struct ua_consumer *c)
{
	return &c->st;
}

/* ---- pending requests ---- */

static struct pend *pend_of(struct ua_join_req *r)
{
	return r ? (struct pend *)((char *)r - offsetof(struct pend, jr)) : NULL;
}

static struct pend *find_seq(struct ua_consumer *c, uint64_t seq)
{
	return pend_of(ua_join_find(&c->join, seq));
}

/* ---- personalities: (ring, creds) -> id, from io_uring_register ---- */

static void pers_add(struct ua_consumer *c, uint64_t ring, uint64_t cred, uint32_t id)
{
	struct pers *x = calloc(1, sizeof(*x));

	if (!x)
		return;
	x->ring = ring;
	x->cred = cred;
	x->id = id;
	x->next = c->pers;
	c->pers = x;
}

static int pers_find(const struct ua_consumer *c, uint64_t ring, uint64_t cred, uint32_t *id)
{
	const struct pers *x;

	for (x = c->pers; x; x = x->next)
		if (x->ring == ring && x->cred == cred) {
			*id = x->id;
			return 1;
		}
	return 0;
}

/* ---- output ---- */

int ua_consumer_flush(struct ua_consumer *c)
{
	int rc = 0;

	if (c->out.err || c->alt.err) {
		/* Out of memory while formatting: say so rather than write a
		 * truncated record. */
		fprintf(stderr, "uringaudit: out of memory formatting records\n");
		ua_buf_reset(&c->out);
		ua_buf_reset(&c->alt);
		c->out.err = c->alt.err = 0;
		return -ENOMEM;
	}
	if (c->out.len) {
		const struct ua_buf *alt = c->alt_on ? &c->alt : NULL;
		struct ua_sink *log = c->sinks->log;

		rc = ua_sinks_write(c->sinks, c->o->format == UA_FMT_TEXT ? &c->out : alt,
				    c->o->format == UA_FMT_JSON ? &c->out : alt);
		if (rc && log) {
			/* Counted and said by the sink (a URING_LOST record once
			 * writing works again): recorded counts what was written. */
			c->st.recorded -= log->last_lost_uringop < c->st.recorded ?
						  log->last_lost_uringop :
						  c->st.recorded;
			if (rc != -EAGAIN)
				c->st.write_errors++;
		}
		ua_buf_reset(&c->out);
		ua_buf_reset(&c->alt);
	}
	return rc;
}

static void maybe_flush(struct ua_consumer *c)
{
	if (c->out.len >= FLUSH_BYTES)
		ua_consumer_flush(c);
}

static uint64_t now_real_ns(void)
{
	return (uint64_t)ts_ns(CLOCK_REALTIME);
}

void ua_consumer_event(struct ua_consumer *c, const char *type, const struct ua_kv *kv, size_t n)
{
	uint64_t now = now_real_ns();

	ua_format_event(&c->out, type, now, 0, kv, n, c->o->format);
	if (c->alt_on)
		ua_format_event(&c->alt, type, now, 0, kv, n, c->alt_fmt);
}

static void ids_copy(struct ua_rec_ids *d, const struct ua_ids *s)
{
	d->uid = s->uid;
	d->gid = s->gid;
	d->euid = s->euid;
	d->suid = s->suid;
	d->fsuid = s->fsuid;
	d->egid = s->egid;
	d->sgid = s->sgid;
	d->fsgid = s->fsgid;
}

static void addr_of(struct ua_rec_addr *d, const struct ua_addr *a)
{
	if (a->len < 2 || a->len > UA_ADDR_MAX)
		return;
	d->family = (uint16_t)(a->raw[0] | a->raw[1] << 8);
	d->len = a->len;
	d->raw = a->raw;
}

static void obj_of(const struct ua_consumer *c, struct ua_rec_obj *d, const struct ua_ev_obj *o)
{
	d->role = (enum ua_rec_role)o->role;
	d->kind = (enum ua_rec_kind)o->kind;
	d->flags = o->flags & (UA_OF_DELETED | UA_OF_TRUNC | UA_OF_LEN_UNKNOWN | UA_OF_PSEUDO |
			       UA_OF_UNRESOLVED);
	d->dev = o->dev;
	d->rdev = o->rdev;
	d->ino = o->ino;
	d->mode = o->mode;
	d->uid = o->uid;
	d->gid = o->gid;
	if (o->kind == UA_OBJ_FILE && (o->path_len || !(o->flags & UA_OF_PSEUDO))) {
		d->path.ptr = o->path;
		d->path.len = o->path_len;
	}
	d->full_len = o->full_len;
	d->ring = o->ring ? ring_id(c, o->ring) : 0;
	d->sock_type = o->sock_type;
	d->sock_proto = o->sock_proto;
	addr_of(&d->local, &o->local);
	addr_of(&d->peer, &o->peer);
}

/*
 * renameat: what became of the file its new name named. A rename that
 * failed replaced nothing; one the rename hooks did not watch (they do not
 * run on this kernel, or it was issued before they were attached) or whose
 * result is unknown: unknown; watched and no file found at the new name:
 * none; a file found and its object here: replaced (or, with
 * RENAME_EXCHANGE, exchanged); its object lost (counted as a loss): unknown.
 */
#define UA_RENAME_EXCHANGE (1u << 1)
static enum ua_rec_replaced replaced_of(const struct ua_record *r, const struct ua_ev_complete *ce)
{
	size_t i;

	if (r->exit_known && r->exit < 0)
		return UA_REC_REPL_NONE;
	if (!ce || !(ce->flags & UA_CF_RENAME_WATCHED))
		return UA_REC_REPL_UNKNOWN;
	if (!r->exit_known && r->cqe != UA_REC_CQE_SKIPPED)
		return UA_REC_REPL_UNKNOWN;
	if (!(ce->flags & UA_CF_RENAME_TARGET))
		return UA_REC_REPL_NONE;
	for (i = 0; i < r->nobjs; i++)
		if (r->objs[i].role == UA_REC_ROLE_REPLACED)
			return (r->op_flags & UA_RENAME_EXCHANGE) ? UA_REC_REPL_EXCHANGED :
								    UA_REC_REPL_YES;
	return UA_REC_REPL_UNKNOWN;
}

static void emit_record(struct ua_consumer *c, struct pend *p, const struct ua_ev_complete *ce,
			enum ua_rec_cqe cqe)
{
	const struct ua_ev_submit *e = p->ev;
	struct ua_record r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.seq = e->hdr.seq;
	r.time_ns = e->hdr.ktime + (uint64_t)c->boot_to_real_ns;
	r.opcode = e->opcode;
	r.op_name = ua_optable_name(c->ops, e->opcode);
	r.cqe = cqe;
	r.cqes = 1;
	if (ce) {
		r.exit_known = 1;
		r.exit = ce->res;
		r.success = ce->res >= 0;
		r.cqes = ce->cqes;
	} else if (cqe == UA_REC_CQE_SKIPPED) {
		r.success = 1;
	} else if (e->init_err) {
		r.exit_known = 1;
		r.exit = e->init_err;
	}
	r.ring = ring_id(c, e->ring);
	r.user_data = e->user_data;
	r.ctx = (enum ua_rec_ctx)e->exec_ctx;
	if (ce && (ce->flags & UA_CF_PUNTED))
		r.ctx = UA_REC_CTX_IOWQ;
	r.submit = (e->flags & UA_SF_VIA_SQPOLL) ? UA_REC_SUBMIT_SQPOLL : UA_REC_SUBMIT_SYSCALL;
	r.inflight = !!(e->flags & UA_SF_INFLIGHT);
	if (cqe == UA_REC_CQE_UNTRACKED)
		r.untracked = (e->flags & UA_SF_UNTRACKED_QUOTA) ? UA_REC_UNTRACKED_UID_QUOTA :
			      (e->flags & UA_SF_UNTRACKED_FULL)	 ? UA_REC_UNTRACKED_TABLE_FULL :
								   UA_REC_UNTRACKED_OP;
	if (e->flags & UA_SF_CQE_SKIP)
		r.rflags |= UA_REC_F_CQE_SKIP;
	if (e->flags & UA_SF_FORCE_ASYNC)
		r.rflags |= UA_REC_F_ASYNC;
	if (e->flags & UA_SF_LINK)
		r.rflags |= UA_REC_F_LINK;
	if (e->flags & UA_SF_FIXED_FILE)
		r.rflags |= UA_REC_F_FIXED_FILE;
	if (e->flags & UA_SF_INIT_FAILED)
		r.rflags |= UA_REC_F_INIT_FAILED;
	r.who.pid = e->pid;
	r.who.tid = e->tid;
	r.who.ppid = e->ppid;
	r.who.comm.ptr = e->comm;
	r.who.comm.len = strnlen(e->comm, sizeof(e->comm));
	r.who.exe.ptr = p->exe;
	r.who.exe.len = p->exe_len;
	if (p->has_container) {
		r.container.ptr = p->container;
		r.container.len = strlen(p->container);
	}
	r.who.auid = e->auid;
	r.who.ses = e->ses;
	ids_copy(&r.who.ids, &e->task);
	ids_copy(&r.eff, &e->eff);
	r.cred = (enum ua_rec_cred)e->cred_src;
	r.cred_differs = memcmp(&e->task, &e->eff, sizeof(e->task)) != 0;
	if (e->flags & UA_SF_HAS_PERSONALITY) {
		r.has_personality = e->personality != 0;
		r.personality = e->personality;
	} else if (e->cred_src == UA_CRED_PERSONALITY) {
		r.has_personality = pers_find(c, e->ring, e->eff_cred, &r.personality);
	}
	r.cgroup_id = e->cgroup_id;
	if (c->holders && (e->ring_flags & IORING_SETUP_SQPOLL))
		r.holders = ua_holders_count(c->holders, e->ring);
	/* Paths are walked to the submitter's root: in a mount namespace of its
	 * own they are its namespace's, and the record says which. */
	if (e->mnt_ns && e->mnt_ns != c->own_mntns)
		r.mntns = e->mnt_ns;
	if (e->flags & UA_SF_HAS_NAME) {
		r.name.ptr = e->names;
		r.name.len = e->name_len;
		r.name_truncated = !!(e->flags & UA_SF_NAME_TRUNC);
	}
	if (e->flags & UA_SF_HAS_NAME2) {
		r.name2.ptr = e->names + e->name_len;
		r.name2.len = e->name2_len;
		r.name2_truncated = !!(e->flags & UA_SF_NAME2_TRUNC);
	}
	r.dfd = e->dfd;
	r.dfd2 = e->dfd2;
	r.op_flags = e->op_flags;
	r.mode = e->mode;
	r.resolve = e->resolve;
	r.fd = e->fd;
	r.file_slot = e->file_slot;
	memcpy(r.arg, e->arg, sizeof(r.arg));
	r.name2_is_attr = !!(e->flags & UA_SF_NAME2_ATTR);
	if (e->flags & UA_SF_HAS_ADDR)
		addr_of(&r.addr, &e->addr);
	if (e->flags & UA_SF_ADDR_USER)
		r.addr_src = (e->flags & UA_SF_ADDR_FAULT) ? UA_REC_ADDR_USER_FAULT :
							     UA_REC_ADDR_USER;
	/* the kernel's own copy, seen as it issued the request: what it used */
	if (p->dest) {
		memset(&r.addr, 0, sizeof(r.addr));
		addr_of(&r.addr, p->dest);
		r.addr_src = UA_REC_ADDR_KERNEL;
	}
	for (i = 0; i < p->nobjs && r.nobjs < UA_REC_OBJS_MAX; i++)
		obj_of(c, &r.objs[r.nobjs++], p->objs[i]);
	if (e->opcode == UA_OP_RENAMEAT && !(e->flags & UA_SF_INIT_FAILED))
		r.replaced = replaced_of(&r, ce);
	if (p->rule >= 0 && p->rule < UA_KRULES_MAX && c->keys[e->bank & 1][p->rule]) {
		r.key.ptr = c->keys[e->bank & 1][p->rule];
		r.key.len = c->key_lens[e->bank & 1][p->rule];
	}
	/* deny and kill: stopped when an LSM hook of the enforcement object
	 * failed the request (bpf/deny.h); never under best-effort. */
	if (p->rule >= 0 && p->rule < UA_KRULES_MAX) {
		unsigned char act = c->actions[e->bank & 1][p->rule];

		if (act == UA_ACT_DENY)
			r.action = UA_REC_ACT_DENY;
		else if (act == UA_ACT_KILL)
			r.action = UA_REC_ACT_KILL;
		r.killed = (e->flags & UA_SF_KILLED) || (ce && (ce->flags & UA_CF_KILLED));
		/* Enforced and no CQE seen (untracked, torn down): not known. */
		r.stopped = ce ? !!(ce->flags & UA_CF_DENIED) : c->enforcing ? -1 : 0;
	}

	ua_format_record_cached(&c->out, &r, c->o->format, &c->who_out);
	if (c->alt_on)
		ua_format_record_cached(&c->alt, &r, c->alt_fmt, &c->who_alt);
	c->st.recorded++;
	if (cqe == UA_REC_CQE_SKIPPED)
		c->st.concluded_skipped++;
	else if (cqe == UA_REC_CQE_NONE)
		c->st.concluded_none++;
	else if (cqe == UA_REC_CQE_OVERFLOW)
		c->st.overflowed++;
	else if (cqe == UA_REC_CQE_UNTRACKED)
		c->st.untracked++;
	maybe_flush(c);
}

/* ---- the join engine's callbacks: every request leaves through one ---- */

static void join_conclude(void *ctx, struct ua_join_req *r, enum ua_join_why why, const void *cqe)
{
	struct ua_consumer *c = ctx;
	struct pend *p = pend_of(r);
	const struct ua_ev_complete *ce = cqe;
	enum ua_rec_cqe outcome;

	c->st.pending = c->join.stats.pending;
	if (p->kept && c->unkeep)
		c->unkeep(c->keep_ctx, r->seq);
	/* Concluded here, not by the kernel: drop the kernel's entry too, or it
	 * holds its place in the table (and its uid's share) for good. */
	if ((why == UA_JOIN_GONE || why == UA_JOIN_EVICTED || why == UA_JOIN_RING_GONE) &&
	    c->forget)
		c->forget(c->forget_ctx, r->req, r->seq);
	if (why == UA_JOIN_COMPLETED && ce)
		outcome = (ce->flags & UA_CF_OVERFLOW) ? UA_REC_CQE_OVERFLOW : UA_REC_CQE_POSTED;
	else
		outcome = ua_join_skipped(why, r) ? UA_REC_CQE_SKIPPED : UA_REC_CQE_NONE;
	if (p->rule < 0) {
		/* No rule records it whatever its result (the kernel gives the
		 * first rule that would, rule_unknown, when one would). */
		c->st.not_selected++;
	} else {
		emit_record(c, p, why == UA_JOIN_COMPLETED ? ce : NULL, outcome);
	}
	pend_free(p);
}

static void join_discard(void *ctx, struct ua_join_req *r)
{
	struct ua_consumer *c = ctx;
	struct pend *p = pend_of(r);

	c->st.pending = c->join.stats.pending;
	if (p->kept && c->unkeep)
		c->unkeep(c->keep_ctx, r->seq);
	pend_free(p);
}

/* [first, first + n) never reached us. Counted only: the URING_LOST records
 * come from the kernel's own drop accounting (losses_report), which says
 * whose events they were; the gaps are its cross-check in `status`. */
static void join_lost(void *ctx, uint64_t first, uint64_t n, const char *reason)
{
	struct ua_consumer *c = ctx;

	(void)first;
	(void)reason;
	c->st.lost_gaps += n;
}

static int join_alive(void *ctx, uint32_t pid, uint64_t start_time)
{
	return ua_proc_alive(pid, start_time);
}

/* ---- events ---- */

/* ---- holders of SQPOLL rings (src/holders.c) ---- */

static void who_of(struct ua_consumer *c, struct ua_rec_who *w, const struct ua_owner *o);

static void on_holder(void *arg, const struct ua_holder *h)
{
	struct ua_consumer *c = arg;
	struct ua_rec_holder r;

	memset(&r, 0, sizeof(r));
	r.time_ns = now_real_ns();
	/* h->ring is the ring's kernel address, the key the request events
	 * carry: the same id as their records. */
	r.ring = ring_id(c, h->ring);
	r.creator = h->creator;
	r.how = h->how;
	r.fd = h->fd;
	r.ring_fd = h->ring_fd;
	who_of(c, &r.who, &h->owner);
	ua_format_holder(&c->out, &r, c->o->format);
	if (c->alt_on)
		ua_format_holder(&c->alt, &r, c->alt_fmt);
	maybe_flush(c);
}

/* A request of SQPOLL ring @ring was seen (@ring 0: from the tick): list
 * the ring's other holders when they are due, before its record is written
 * (unless the last listing was too recent: then at a later tick). */
static void holders_poll(struct ua_consumer *c, uint64_t ring)
{
	uint64_t now = ua_now_ms();

	if (!c->holders)
		return;
	if (ring ? ua_holders_due(c->holders, ring, now) : ua_holders_want(c->holders, now)) {
		const struct ua_holders_stats *hs;

		ua_holders_scan(c->holders, now, on_holder, c);
		hs = ua_holders_stats(c->holders);
		c->st.holder_listings = hs->scans;
		c->st.holders_listed = hs->holders;
		c->st.holder_listing_us = hs->last_scan_us;
	}
}

static void on_submit(struct ua_consumer *c, const struct ua_ev_submit *e, size_t size)
{
	struct ua_proc_info info;
	struct pend *p;

	if (size < sizeof(*e) || (size_t)e->name_len + e->name2_len > size - sizeof(*e)) {
		fprintf(stderr, "uringaudit: malformed submit event (%zu bytes)\n", size);
		return;
	}
	/* Any request of a SQPOLL ring came through its SQ thread, even one
	 * marked for io-wq (IOSQE_ASYNC) at submit. Before the lookup below:
	 * holder records look processes up too (an exe lives until the next). */
	if (e->ring_flags & IORING_SETUP_SQPOLL)
		holders_poll(c, e->ring);
	ua_enrich_lookup(c->enrich, e->pid, e->start_time, e->exe_dev, e->exe_ino, &info);
	if (!info.exe)
		info.exe_len = 0;
	/* One allocation: the pending request, its event (struct pend's size
	 * keeps the event aligned), its exe. */
	p = calloc(1, sizeof(*p) + size + info.exe_len);
	if (!p) {
		fprintf(stderr, "uringaudit: out of memory: request %llu not recorded\n",
			(unsigned long long)e->hdr.seq);
		return;
	}
	p->ev = (struct ua_ev_submit *)(p + 1);
	memcpy(p->ev, e, size);
	p->ev_size = size;
	if (info.exe) {
		p->exe = (char *)p->ev + size;
		memcpy(p->exe, info.exe, info.exe_len);
		p->exe_len = info.exe_len;
	}
	p->jr.seq = e->hdr.seq;
	p->jr.req = e->req;
	p->jr.pid = e->pid;
	p->jr.start_time = e->start_time;
	p->jr.cqe_skip = !!(e->flags & UA_SF_CQE_SKIP);
	p->rule = e->rule;
	if (info.container) {
		size_t n = info.container_len < sizeof(p->container) - 1 ? info.container_len :
									   sizeof(p->container) - 1;

		p->has_container = 1;
		memcpy(p->container, info.container, n);
		p->container[n] = '\0';
	}
	if (e->flags & UA_SF_UNTRACKED) {
		/* Not followed to its CQE (the kernel keeps no entry for it): its
		 * record is written now, its result unknown. A request with the
		 * same identity still pending has ended all the same. */
		struct ua_join_req *old = ua_join_find_req(&c->join, e->req);

		if (old)
			ua_join_end(&c->join, old, UA_JOIN_REUSED);
		if (p->rule >= 0)
			emit_record(c, p, NULL, UA_REC_CQE_UNTRACKED);
		else
			c->st.not_selected++;
		pend_free(p);
		return;
	}
	/* A pending request with the same identity has ended (concluded first);
	 * bounded: beyond pending_max the oldest is written as it is. */
	ua_join_submit(&c->join, &p->jr, c->budget_deadline_ns ? c->drain_now_ms : ua_now_ms());
	c->st.pending = c->join.stats.pending;
}

static void on_complete(struct ua_consumer *c, const struct ua_ev_complete *ce)
{
	struct pend *p = find_seq(c, ce->submit_seq);

	if (!p) {
		/* Its SUBMIT was lost (counted by the sequence gap) or the
		 * request was submitted before we started. */
		c->st.orphan_completions++;
		return;
	}
	if (ce->flags & UA_CF_UNSEEN) {
		/* Its request slot went to a new request the kernel did not
		 * record: it ended without a CQE we could see. rule is the
		 * one that records it with its result unknown. */
		p->rule = ce->rule;
		ua_join_end(&c->join, &p->jr, UA_JOIN_REUSED);
		return;
	}
	if (ce->rule < 0) {
		/* Submitted tentatively; at completion no rule that records
		 * matched (e.g. -F success=0 and it succeeded). */
		ua_join_drop(&c->join, &p->jr);
		c->st.not_selected++;
		return;
	}
	p->rule = ce->rule;
	ua_join_complete(&c->join, &p->jr, ce);
}

_Static_assert(UA_OF_DELETED == UA_REC_OF_DELETED && UA_OF_TRUNC == UA_REC_OF_TRUNC &&
		       UA_OF_LEN_UNKNOWN == UA_REC_OF_LEN_UNKNOWN &&
		       UA_OF_PSEUDO == UA_REC_OF_PSEUDO && UA_OF_UNRESOLVED == UA_REC_OF_UNRESOLVED,
	       "object flags");

/* An object of a pending request: kept for its record. A multishot
 * request's intermediate objects (each accepted connection) are written at
 * once as URING_CQE records of the same event (same serial). */
static void on_obj(struct ua_consumer *c, const struct ua_ev_obj *o, size_t size)
{
	struct pend *p;

	if (size < sizeof(*o) || o->path_len > size - sizeof(*o)) {
		fprintf(stderr, "uringaudit: malformed object event (%zu bytes)\n", size);
		return;
	}
	p = find_seq(c, o->submit_seq);
	if (!p) {
		c->st.orphan_completions++;
		return;
	}
	if (o->flags & UA_OF_MORE) {
		struct ua_rec_obj ro;

		memset(&ro, 0, sizeof(ro));
		obj_of(c, &ro, o);
		ua_format_cqe(&c->out, o->hdr.ktime + (uint64_t)c->boot_to_real_ns, p->ev->hdr.seq,
			      p->ev->opcode, ua_optable_name(c->ops, p->ev->opcode),
			      ring_id(c, p->ev->ring), p->ev->pid, o->res, o->cqe_index, &ro,
			      c->o->format);
		if (c->alt_on)
			ua_format_cqe(&c->alt, o->hdr.ktime + (uint64_t)c->boot_to_real_ns,
				      p->ev->hdr.seq, p->ev->opcode,
				      ua_optable_name(c->ops, p->ev->opcode),
				      ring_id(c, p->ev->ring), p->ev->pid, o->res, o->cqe_index,
				      &ro, c->alt_fmt);
		maybe_flush(c);
		return;
	}
	if (o->role == UA_ROLE_DEST) {
		if (!p->dest && !(p->dest = malloc(sizeof(*p->dest)))) {
			fprintf(stderr,
				"uringaudit: out of memory: the destination of request %llu is "
				"missing\n",
				(unsigned long long)o->submit_seq);
			return;
		}
		memcpy(p->dest, &o->peer, sizeof(*p->dest));
		return;
	}
	if (p->nobjs >= UA_REC_OBJS_MAX)
		return;
	p->objs[p->nobjs] = malloc(size);
	if (!p->objs[p->nobjs]) {
		fprintf(stderr, "uringaudit: out of memory: an object of request %llu is missing\n",
			(unsigned long long)o->submit_seq);
		return;
	}
	memcpy(p->objs[p->nobjs++], o, size);
}

/* The process of a ring-level record (setup, register). Its exe lives
 * until the next enrichment lookup. */
static void who_of(struct ua_consumer *c, struct ua_rec_who *w, const struct ua_owner *o)
{
	struct ua_proc_info info;

	ua_enrich_lookup(c->enrich, o->pid, o->start_time, o->exe_dev, o->exe_ino, &info);
	w->pid = o->pid;
	w->tid = o->tid;
	w->ppid = o->ppid;
	w->comm.ptr = o->comm;
	w->comm.len = strnlen(o->comm, sizeof(o->comm));
	w->exe.ptr = info.exe;
	w->exe.len = info.exe_len;
	w->auid = o->auid;
	w->ses = o->ses;
	ids_copy(&w->ids, &o->ids);
	if (o->mnt_ns && o->mnt_ns != c->own_mntns)
		w->mntns = o->mnt_ns;
}

/* io_uring_setup: one URING_SETUP record. */
static void on_ring(struct ua_consumer *c, const struct ua_ev_ring *r)
{
	struct ua_rec_setup s;

	memset(&s, 0, sizeof(s));
	c->st.rings_seen++;
	s.seq = r->hdr.seq;
	s.time_ns = r->hdr.ktime + (uint64_t)c->boot_to_real_ns;
	s.ring = ring_id(c, r->ring);
	s.fd = r->fd;
	s.sq_entries = r->sq_entries;
	s.cq_entries = r->cq_entries;
	s.flags = r->flags;
	s.sq_thread_idle = r->sq_thread_idle;
	s.sq_thread_cpu = (int32_t)r->sq_thread_cpu;
	who_of(c, &s.who, &r->owner);
	c->ring_owner[r->ring % UA_RING_OWNERS].serial = r->ring;
	c->ring_owner[r->ring % UA_RING_OWNERS].o = r->owner;
	ua_format_setup(&c->out, &s, c->o->format);
	if (c->alt_on)
		ua_format_setup(&c->alt, &s, c->alt_fmt);
	maybe_flush(c);
}

static int of_ring(void *arg, const struct ua_join_req *r)
{
	return pend_of((struct ua_join_req *)r)->ev->ring == *(const uint64_t *)arg;
}

/* A ring was freed (per-op backend): every completion of it came before,
 * so the requests of it still held end here (cqe=none, or skipped), then
 * one URING_TEARDOWN record says how many and who set the ring up. */
static void on_teardown(struct ua_consumer *c, const struct ua_ev_ring *r)
{
	struct ring_owner *ro = &c->ring_owner[r->ring % UA_RING_OWNERS];
	struct ua_rec_teardown t;
	uint64_t serial = r->ring;

	memset(&t, 0, sizeof(t));
	t.seq = r->hdr.seq;
	t.time_ns = r->hdr.ktime + (uint64_t)c->boot_to_real_ns;
	t.ring = ring_id(c, serial);
	t.pending = ua_join_end_each(&c->join, of_ring, &serial, UA_JOIN_RING_GONE);
	if (ro->serial == serial) {
		t.has_who = 1;
		who_of(c, &t.who, &ro->o);
		ro->serial = 0;
	}
	c->st.rings_torn_down++;
	ua_format_teardown(&c->out, &t, c->o->format);
	if (c->alt_on)
		ua_format_teardown(&c->alt, &t, c->alt_fmt);
	maybe_flush(c);
}

/* io_uring_register: one URING_REGISTER record. */
static void on_register(struct ua_consumer *c, const struct ua_ev_register *r)
{
	struct ua_rec_register g;

	if (r->opcode == IORING_REGISTER_PERSONALITY && r->ret > 0)
		pers_add(c, r->ring, r->cred, (uint32_t)r->ret);
	memset(&g, 0, sizeof(g));
	g.seq = r->hdr.seq;
	g.time_ns = r->hdr.ktime + (uint64_t)c->boot_to_real_ns;
	g.ring = ring_id(c, r->ring);
	g.opcode = r->opcode;
	g.op_name = ua_register_op_name(r->opcode);
	g.ret = r->ret;
	g.nr_files = r->nr_files;
	g.nr_bufs = r->nr_bufs;
	g.allowed_register_ops = r->restr_register_op;
	g.allowed_sqe_ops = r->restr_sqe_op[0];
	g.allowed_sqe_flags = r->restr_sqe_flags_allowed;
	g.required_sqe_flags = r->restr_sqe_flags_required;
	who_of(c, &g.who, &r->owner);
	ua_format_register(&c->out, &g, c->o->format);
	if (c->alt_on)
		ua_format_register(&c->alt, &g, c->alt_fmt);
	maybe_flush(c);
}

int ua_consumer_handle(void *ctx, void *data, size_t size)
{
	struct ua_consumer *c = ctx;
	const struct ua_ev_hdr *h = data;

	if (size < sizeof(*h))
		return 0;
	c->st.events++;
	ua_join_mark(&c->join, h->seq);
	switch (h->type) {
	case UA_EV_SUBMIT:
		on_submit(c, data, size);
		break;
	case UA_EV_COMPLETE:
		if (size >= sizeof(struct ua_ev_complete))
			on_complete(c, data);
		break;
	case UA_EV_EXE: {
		const struct ua_ev_exe *x = data;

		if (size >= sizeof(*x) && x->len <= size - sizeof(*x))
			ua_enrich_set_exe(c->enrich, x->pid, x->start_time, x->exe_dev, x->exe_ino,
					  x->path, x->len, x->truncated);
		break;
	}
	case UA_EV_OBJ:
		on_obj(c, data, size);
		break;
	case UA_EV_RING_CREATE:
		if (size >= sizeof(struct ua_ev_ring))
			on_ring(c, data);
		break;
	case UA_EV_REGISTER:
		if (size >= sizeof(struct ua_ev_register))
			on_register(c, data);
		break;
	case UA_EV_RING_TEARDOWN:
		if (size >= sizeof(struct ua_ev_ring))
			on_teardown(c, data);
		break;
	default:
		break;
	}
	/* Bounded drains: past the budget, stop this drain (libbpf keeps the
	 * event consumed) so that the loop sees to signals and clients. */
	if (c->budget_left && !--c->budget_left)
		return UA_CONSUMER_YIELD;
	if (c->budget_deadline_ns && !(++c->budget_check & 63)) {
		uint64_t now = (uint64_t)ts_ns(CLOCK_MONOTONIC);

		c->drain_now_ms = now / 1000000;
		if (now >= c->budget_deadline_ns) {
			c->budget_left = 0;
			return UA_CONSUMER_YIELD;
		}
	}
	return 0;
}

void ua_consumer_set_forget(struct ua_consumer *c,
			    void (*forget)(void *ctx, uint64_t req, uint64_t submit_seq), void *ctx)
{
	c->forget = forget;
	c->forget_ctx = ctx;
}

void ua_consumer_set_ring_serial(struct ua_consumer *c,
				 int (*serial_of)(void *ctx, uint64_t addr, uint64_t *serial),
				 void *ctx)
{
	if (c->holders)
		ua_holders_set_serial(c->holders, serial_of, ctx);
}

void ua_consumer_tick(struct ua_consumer *c, uint64_t kernel_dropped, uint64_t seq_end)
{
	c->boot_to_real_ns = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_BOOTTIME);
	holders_poll(c, 0);
	ua_join_tick(&c->join, ua_now_ms(), kernel_dropped, seq_end);
	losses_report(c, 0);
	ua_consumer_flush(c);
}

void ua_consumer_set_keep(struct ua_consumer *c,
			  int (*keep)(void *ctx, uint64_t seq, const void *ev, size_t size),
			  void (*unkeep)(void *ctx, uint64_t seq), void *ctx)
{
	c->keep = keep;
	c->unkeep = unkeep;
	c->keep_ctx = ctx;
}

/* The requests that arrived since the last call and are still pending, newest
 * first back to the first one already offered: most requests complete within
 * the drain that brought their SUBMIT and are never kept. */
void ua_consumer_keep_sync(struct ua_consumer *c)
{
	struct ua_join_req *r;

	if (!c->keep)
		return;
	for (r = ua_join_newest(&c->join); r; r = r->older) {
		struct pend *p = pend_of(r);

		if (p->keep_tried)
			break;
		p->keep_tried = 1;
		p->kept = !c->keep(c->keep_ctx, r->seq, p->ev, p->ev_size);
	}
}

int ua_consumer_adopt(struct ua_consumer *c, const void *ev, size_t size)
{
	const struct ua_ev_submit *e = ev;
	struct pend *p;

	if (size < sizeof(*e) || e->hdr.type != UA_EV_SUBMIT)
		return -EINVAL;
	on_submit(c, ev, size);
	p = find_seq(c, e->hdr.seq);
	if (!p)
		return -ENOENT;
	p->keep_tried = p->kept = 1;
	return 0;
}

void ua_consumer_ring_key(struct ua_consumer *c, uint64_t key[2], int set)
{
	if (set) {
		c->ring_key.k0 = key[0];
		c->ring_key.k1 = key[1];
	} else {
		key[0] = c->ring_key.k0;
		key[1] = c->ring_key.k1;
	}
}

void ua_consumer_start_at(struct ua_consumer *c, uint64_t seq, uint64_t kernel_dropped)
{
	ua_join_start_at(&c->join, seq, kernel_dropped);
}

uint64_t ua_consumer_seq_base(const struct ua_consumer *c)
{
	return c->join.base;
}

void ua_consumer_finish(struct ua_consumer *c, uint64_t kernel_dropped, uint64_t seq_end)
{
	ua_join_finish(&c->join, kernel_dropped, seq_end);
	losses_report(c, 1);
	ua_consumer_flush(c);
}

/* ---- drop accounting: URING_LOST ---- */

void ua_consumer_set_drops(struct ua_consumer *c, const struct ua_drop_source *src)
{
	c->drops = *src;
}

static struct dropper *dropper_get(struct ua_consumer *c, const struct ua_drop_key *k)
{
	size_t i;

	for (i = 0; i < c->ndrp; i++)
		if (!memcmp(&c->drp[i].k, k, sizeof(*k)))
			return &c->drp[i];
	if (c->ndrp == c->capdrp) {
		size_t cap = c->capdrp ? 2 * c->capdrp : 64;
		struct dropper *n = realloc(c->drp, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->drp = n;
		c->capdrp = cap;
	}
	memset(&c->drp[c->ndrp], 0, sizeof(c->drp[0]));
	c->drp[c->ndrp].k = *k;
	return &c->drp[c->ndrp++];
}

static void drop_seen(void *arg, const struct ua_drop_key *k, uint64_t n, const char *comm)
{
	struct ua_consumer *c = arg;
	struct dropper *d = dropper_get(c, k);

	if (!d)
		return; /* out of memory: said at stop, unattributed */
	if (!d->comm[0] && comm && comm[0])
		snprintf(d->comm, sizeof(d->comm), "%.*s", UA_COMM_LEN, comm);
	if (n > d->reported) {
		d->delta = n - d->reported;
		d->reported = n;
	}
}

static const char *drop_reason(unsigned int r)
{
	return r == UA_DROP_RINGBUF_FULL ? "ringbuf_full" :
	       r == UA_DROP_BUDGET	 ? "budget" :
					   "unknown";
}

/* One URING_LOST record: @d's drops this interval, or (@d NULL) @n drops
 * with no submitter, for @reason (enum ua_drop_reason). */
static void lost_record(struct ua_consumer *c, uint64_t now, const struct dropper *d, uint64_t n,
			unsigned int reason)
{
	struct ua_kv kv[8];
	size_t k = 0;

	kv[k++] = ua_kv_u64("lost", n);
	kv[k++] = ua_kv_word("reason", drop_reason(reason));
	if (d) {
		kv[k++] = ua_kv_u64("pid", d->k.tgid);
		kv[k++] = ua_kv_str("comm", d->comm, strlen(d->comm));
		kv[k++] = ua_kv_u64("uid", d->k.uid);
		if (d->k.op == UA_DROP_OP_RING) {
			kv[k++] = ua_kv_word("op", "ring");
		} else {
			const char *name = ua_optable_name(c->ops, d->k.op);

			kv[k++] = ua_kv_u64("uring_op", d->k.op);
			kv[k++] = ua_kv_word("op", name);
		}
	} else {
		kv[k++] = ua_kv_word("submitter", "unattributed");
	}
	kv[k++] = ua_kv_time("since", c->since_ns);
	ua_format_event(&c->out, "URING_LOST", now, 0, kv, k, c->o->format);
	if (c->alt_on)
		ua_format_event(&c->alt, "URING_LOST", now, 0, kv, k, c->alt_fmt);
	c->st.lost_declared += n;
	c->st.lost_records++;
}

/* @d's count goes into the top droppers since start (kept past its exit). */
static void top_update(struct ua_consumer *c, const struct dropper *d)
{
	struct ua_dropper_info *t = c->top;
	size_t i, at;

	for (i = 0; i < c->ntop; i++)
		if (t[i].pid == d->k.tgid && t[i].uid == d->k.uid && t[i].op == d->k.op &&
		    t[i].reason == d->k.reason)
			break;
	if (i == c->ntop) {
		if (c->ntop < UA_TOP_DROPPERS)
			c->ntop++;
		else if (t[c->ntop - 1].lost >= d->reported)
			return;
		i = c->ntop - 1;
	}
	t[i].pid = d->k.tgid;
	t[i].uid = d->k.uid;
	t[i].op = d->k.op;
	t[i].reason = d->k.reason;
	t[i].lost = d->reported;
	snprintf(t[i].comm, sizeof(t[i].comm), "%s", d->comm);
	t[i].op_name = d->k.op == UA_DROP_OP_RING ? "ring" : ua_optable_name(c->ops, d->k.op);
	for (at = i; at > 0 && t[at - 1].lost < t[at].lost; at--) {
		struct ua_dropper_info x = t[at - 1];

		t[at - 1] = t[at];
		t[at] = x;
	}
}

/*
 * The interval's drops, from the kernel's accounting: one URING_LOST record
 * per submitter that lost events since the last report, and one per reason
 * for the drops the map had no room to attribute. Every drop is counted in
 * the total and in exactly one of the map or an unattributed counter, so the
 * records add up to the kernel's total (`lost` == `lost_declared` in status,
 * once the last second is reported). Entries of processes that are gone are
 * deleted, to keep room for new submitters; a drop that came in the instant
 * between reading such an entry and deleting it would be in no record while
 * running, so at stop (@final: the programs detached, nothing more can come)
 * whatever the total has beyond the records is written as unattributed:
 * the stop record's lost is the kernel's total, exactly.
 */
static void losses_report(struct ua_consumer *c, int final)
{
	uint64_t now = now_real_ns(), total, un[2];
	size_t i, j;
	unsigned int r;

	if (!c->drops.total || !c->drops.each)
		return;
	for (i = 0; i < c->ndrp; i++)
		c->drp[i].delta = 0;
	if (c->drops.each(c->drops.ctx, drop_seen, c))
		return; /* not read whole: next time */
	for (r = 0; r < 2; r++)
		un[r] = c->drops.unattributed(c->drops.ctx, r);
	total = c->drops.total(c->drops.ctx);
	for (i = 0; i < c->ndrp; i++)
		if (c->drp[i].delta) {
			lost_record(c, now, &c->drp[i], c->drp[i].delta, c->drp[i].k.reason);
			top_update(c, &c->drp[i]);
		}
	for (r = 0; r < 2; r++)
		if (un[r] > c->unattributed[r]) {
			lost_record(c, now, NULL, un[r] - c->unattributed[r], r);
			c->unattributed[r] = un[r];
		}
	if (final && total - c->st.lost_base > c->st.lost_declared)
		lost_record(c, now, NULL, total - c->st.lost_base - c->st.lost_declared,
			    UA_DROP_RINGBUF_FULL);
	c->st.lost_unattributed_map = un[0] + un[1];
	/* Submitters that are gone (and quiet this interval) leave the map. */
	for (i = j = 0; i < c->ndrp; i++) {
		struct dropper *d = &c->drp[i];
		int gone = !final && !d->delta && d->k.tgid && kill((pid_t)d->k.tgid, 0) &&
			   errno == ESRCH;

		if (gone)
			c->drops.forget(c->drops.ctx, &d->k);
		else
			c->drp[j++] = *d;
	}
	c->ndrp = j;
	c->since_ns = now;
	maybe_flush(c);
}

size_t ua_consumer_top_droppers(const struct ua_consumer *c, const struct ua_dropper_info **out)
{
	*out = c->top;
	return c->ntop;
}

/* What the kernel's accounting holds now is not this daemon's to report
 * (a restart on a pinned set: the killed daemon reported it, or the restart
 * record covers it). */
static void drop_baseline(void *arg, const struct ua_drop_key *k, uint64_t n, const char *comm)
{
	struct ua_consumer *c = arg;
	struct dropper *d = dropper_get(c, k);

	(void)comm;
	if (d)
		d->reported = n;
}

void ua_consumer_drops_baseline(struct ua_consumer *c)
{
	unsigned int r;

	if (!c->drops.each || c->drops.each(c->drops.ctx, drop_baseline, c))
		return;
	for (r = 0; r < 2; r++)
		c->unattributed[r] = c->drops.unattributed(c->drops.ctx, r);
	c->st.lost_base = c->drops.total(c->drops.ctx);
}

void ua_consumer_budget(struct ua_consumer *c, unsigned int events, uint64_t ns)
{
	c->budget_left = events;
	c->budget_check = 0;
	if (ns) {
		uint64_t now = (uint64_t)ts_ns(CLOCK_MONOTONIC);

		c->drain_now_ms = now / 1000000;
		c->budget_deadline_ns = now + ns;
	} else {
		c->budget_deadline_ns = 0;
	}
}
