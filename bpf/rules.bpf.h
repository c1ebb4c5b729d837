/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rule evaluation against the SUBMIT event being built (fields known at
 * submit) and, for candidate rules, against the objects of the completion.
 */
#ifndef UA_RULES_BPF_H
#define UA_RULES_BPF_H

static __always_inline bool cmp_u64(__u8 cmp, __u64 a, __u64 b)
{
	switch (cmp) {
	case UA_CMP_EQ:
		return a == b;
	case UA_CMP_NE:
		return a != b;
	case UA_CMP_LT:
		return a < b;
	case UA_CMP_GT:
		return a > b;
	case UA_CMP_LE:
		return a <= b;
	case UA_CMP_GE:
		return a >= b;
	case UA_CMP_AND:
		return (a & b) != 0;
	case UA_CMP_ANDEQ:
		return (a & b) == b;
	}
	return false;
}

static __always_inline bool cmp_s64(__u8 cmp, __s64 a, __s64 b)
{
	switch (cmp) {
	case UA_CMP_LT:
		return a < b;
	case UA_CMP_GT:
		return a > b;
	case UA_CMP_LE:
		return a <= b;
	case UA_CMP_GE:
		return a >= b;
	}
	return cmp_u64(cmp, (__u64)a, (__u64)b);
}

/*
 * Rule evaluation, auditctl's semantics: rules in order, the first whose
 * fields all match decides. Fields known at submit are tested at submit;
 * success, exit and ctx (a request can be punted after an inline attempt)
 * only at completion. A rule whose submit-time fields match but that has
 * completion-time fields becomes a candidate; the first plain match after the
 * candidates is the fallback. At completion the first candidate that matches
 * decides, else the fallback.
 *
 * Each level is a bpf_loop() callback so that the verifier checks a rule, a
 * field and a byte once, not every path through 256 x 64 x 256 of them.
 */
struct rule_eval {
	union {
		struct submit_buf *b; /* at submit: the event being built */
		struct ua_pending *p; /* at completion: the request's entry */
	};
	struct ua_krule *k;
	__u32 bank;
	__u32 rule;
	__u32 matched; /* current field still matches */
	__s32 decided;
	__u8 op;
	__u8 defer; /* at completion: this rule's path=/dir= waited for the file
		     * an open opened (at submit the flag is b->defer) */
	__u8 pad[2];
	__u64 cand[4];
	/* completion */
	__s32 res;
	__u8 exec_ctx;
	__u32 have; /* which of fo/no hold this request's objects (HAVE_*) */
	struct obj_buf *fo, *no;
};

/* Ops whose request carries names (path/dir test them at submit); other
 * ops' path/dir test the path of the file they used, at completion. The
 * rule parser (lib/rules.c) makes the same split from the same classes. */
static __always_inline bool path_at_submit(__u8 op)
{
	return op_in(UA_OPC_NAMES, op);
}

/* Ops whose address (or only its family: socket) is known at submit
 * (family/addr/port); others' come from the socket they used or accepted,
 * at completion. */
static __always_inline bool addr_at_submit(__u8 op)
{
	return op_in(UA_OPC_ADDR, op) || op_in(UA_OPC_FAMILY, op);
}

/* The first @bits bits of two addresses agree (@n bytes at most). Plain
 * bounded loops here, no bpf_loop callbacks: 6.1's verifier counts a
 * callback as one more frame of the call chain (rule_step, field_step,
 * ua_addr_field), and a fifth would pass its 512-byte stack limit. */
static __always_inline bool prefix_eq(const __u8 *a, const char *b, __u64 bits, __u32 n)
{
	__u32 i;

	for (i = 0; i < 16 && i < n && bits; i++) {
		__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));

		if ((a[i] & mask) != ((__u8)b[i] & mask))
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

/*
 * family=, addr=, port= against a socket address. A global function: the
 * verifier checks it once, not once per path through the rule loop.
 */
__noinline int ua_addr_field(const struct ua_kfield *f, const struct ua_addr *a)
{
	const struct ua_kstr *v;
	const __u8 *raw;
	__u32 fam, idx, plen, len;
	bool eq = false;

	if (!f || !a)
		return 0;
	raw = a->raw;
	len = a->len;
	if (len < 2 || len > UA_ADDR_MAX)
		return 0;
	fam = raw[0] | (raw[1] << 8);
	if (f->field == UA_F_FAMILY)
		return cmp_u64(f->cmp, fam, f->val);
	if (f->field == UA_F_PORT) {
		if (fam != AF_INET && fam != AF_INET6)
			return false;
		return cmp_u64(f->cmp, (raw[2] << 8) | raw[3], f->val);
	}
	if (fam != f->val)
		return f->cmp == UA_CMP_NE;
	idx = f->str_idx;
	v = bpf_map_lookup_elem(&rstrs, &idx);
	if (!v)
		return false;
	if (fam == AF_INET) {
		eq = len >= 8 && prefix_eq(&raw[4], v->s, f->val2, 4);
	} else if (fam == AF_INET6) {
		eq = len >= 24 && prefix_eq(&raw[8], v->s, f->val2, 16);
	} else if (fam == AF_UNIX) {
		/* sun_path: len - 2 bytes; a filesystem path may carry its NUL */
		plen = len - 2;
		if (plen > 0 && raw[2] && a->raw[(len - 1) & (UA_ADDR_MAX - 1)] == 0)
			plen--;
		eq = plen == f->str_len && plen <= UA_ADDR_MAX - 2;
		for (idx = 0; eq && idx < UA_ADDR_MAX - 2 && idx < plen; idx++)
			eq = raw[2 + idx] == (__u8)v->s[idx];
	}
	return f->cmp == UA_CMP_NE ? !eq : eq;
}

/* A name's bytes against a rule's string: its own bpf_loop context, on the
 * global function's stack. */
struct nstr_cmp {
	struct submit_buf *b;
	const struct ua_kstr *v;
	__u32 off;
	__u32 matched;
};

static long str_step(__u32 j, void *arg)
{
	struct nstr_cmp *c = arg;

	if (!c->v || !c->b)
		return 1;
	if (c->b->names[(c->off + j) & (2 * UA_NAME_MAX - 1)] != c->v->s[j & (UA_KSTR_MAX - 1)]) {
		c->matched = 0;
		return 1;
	}
	return 0;
}

/* Is the name at [@off, @off+@len) of the event being built (the per-CPU
 * scratch buffer) the path field @f names (UA_F_PATH), or in the directory
 * it names (UA_F_DIR)? The match ends at the name's end or at a '/'. A
 * global function, verified once (see ua_file_path_match): as a static one
 * its byte loop was checked again for each state of the rule and field
 * loops around it. 1: it does. */
__noinline int ua_name_match(const struct ua_kfield *f, __u32 off, __u32 len)
{
	struct nstr_cmp c = {};
	__u32 zero = 0, idx, vlen;

	if (!f)
		return 0;
	idx = f->str_idx;
	vlen = f->str_len;
	c.v = bpf_map_lookup_elem(&rstrs, &idx);
	c.b = bpf_map_lookup_elem(&scratch, &zero);
	if (!c.v || !c.b || len < vlen || vlen == 0 || vlen > UA_KSTR_MAX)
		return 0;
	if (f->field == UA_F_PATH && len != vlen)
		return 0;
	c.off = off;
	c.matched = 1;
	bpf_loop(vlen, str_step, &c, 0);
	if (!c.matched)
		return 0;
	return f->field == UA_F_PATH || len == vlen ||
	       c.v->s[(vlen - 1) & (UA_KSTR_MAX - 1)] == '/' ||
	       c.b->names[(off + vlen) & (2 * UA_NAME_MAX - 1)] == '/';
}

static __always_inline bool field_submit(struct rule_eval *r, const struct ua_kfield *f)
{
	struct ua_ev_submit *e = &r->b->ev;
	__u32 idx;
	bool eq;

	switch (f->field) {
	case UA_F_PID:
		return cmp_u64(f->cmp, e->pid, f->val);
	case UA_F_PPID:
		return cmp_u64(f->cmp, e->ppid, f->val);
	case UA_F_UID:
		return cmp_u64(f->cmp, e->task.uid, f->val);
	case UA_F_EUID:
		return cmp_u64(f->cmp, e->task.euid, f->val);
	case UA_F_SUID:
		return cmp_u64(f->cmp, e->task.suid, f->val);
	case UA_F_FSUID:
		return cmp_u64(f->cmp, e->task.fsuid, f->val);
	case UA_F_GID:
		return cmp_u64(f->cmp, e->task.gid, f->val);
	case UA_F_EGID:
		return cmp_u64(f->cmp, e->task.egid, f->val);
	case UA_F_SGID:
		return cmp_u64(f->cmp, e->task.sgid, f->val);
	case UA_F_FSGID:
		return cmp_u64(f->cmp, e->task.fsgid, f->val);
	case UA_F_AUID:
		return cmp_u64(f->cmp, e->auid, f->val);
	case UA_F_SES:
		return cmp_u64(f->cmp, e->ses, f->val);
	case UA_F_CRED:
		return cmp_u64(f->cmp, e->cred_src, f->val);
	case UA_F_PERSONALITY:
		if (!(e->flags & UA_SF_HAS_PERSONALITY))
			return f->cmp == UA_CMP_NE;
		return cmp_u64(f->cmp, e->personality, f->val);
	case UA_F_EXE:
		eq = e->exe_ino == f->val && e->exe_dev == f->val2;
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_CGROUP:
		if (f->val2 == (__u64)-1)
			eq = e->cgroup_id == f->val;
		else
			eq = bpf_get_current_ancestor_cgroup_id((int)(f->val2 & 0xff)) == f->val;
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_COMM: {
		const __u64 *c = (const __u64 *)e->comm;
		const struct ua_kstr *v;

		idx = f->str_idx;
		v = bpf_map_lookup_elem(&rstrs, &idx);
		if (!v)
			return false;
		eq = c[0] == ((const __u64 *)v->s)[0] && c[1] == ((const __u64 *)v->s)[1];
		return f->cmp == UA_CMP_NE ? !eq : eq;
	}
	case UA_F_DIR:
	case UA_F_PATH:
		if (!path_at_submit(r->op))
			return true; /* the file's path, at completion */
		/* renameat/linkat/symlinkat: either name may match */
		eq = ua_name_match(f, 0, e->name_len & (UA_NAME_MAX - 1)) ||
		     (!(e->flags & UA_SF_NAME2_ATTR) &&
		      ua_name_match(f, e->name_len & (UA_NAME_MAX - 1),
				    e->name2_len & (UA_NAME_MAX - 1)));
		/* An open whose name does not spell the rule's path (a bind
		 * mount, /etc//x, /proc/self/root/..., a dfd-relative name) is
		 * decided by the file it opens, at completion. */
		if (!eq && f->cmp == UA_CMP_EQ && op_in(UA_OPC_NEW, r->op)) {
			r->b->defer = 1;
			return true;
		}
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_FAMILY:
	case UA_F_ADDR:
	case UA_F_PORT:
		if (!addr_at_submit(r->op))
			return true; /* the socket's peer, at completion */
		/* connect, send* where the kernel copies the destination at
		 * issue and the hooks see that copy: decided on it, at the
		 * hook and at completion (UA_CF_ADDR_DEFER). The rule waits
		 * as a path= of an open does (b->defer: these ops have no
		 * name, so their path= never reads the flag's bit). Not a
		 * request in flight at start: its issue is past, its address
		 * unknown. */
		if (addr_hooked && op_in(UA_OPC_ADDR, r->op) && !(e->flags & UA_SF_INFLIGHT)) {
			r->b->defer = 1;
			return true;
		}
		/* socket: only its domain */
		if (op_in(UA_OPC_FAMILY, r->op))
			return f->field == UA_F_FAMILY && cmp_u64(f->cmp, e->arg[0], f->val);
		if (!(e->flags & UA_SF_HAS_ADDR))
			return false;
		return ua_addr_field(f, &e->addr);
	case UA_F_SUCCESS:
	case UA_F_EXIT:
	case UA_F_CTX:
	case UA_F_OBJ_UID:
	case UA_F_OBJ_GID:
		return true; /* decided at completion */
	}
	return false;
}

static long field_step(__u32 j, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k = r->k;

	/* bpf_loop runs at most UA_KFIELDS_MAX steps; the mask (not a compare,
	 * which the compiler would fold away) bounds j for the verifier. */
	if (!k)
		return 1;
	if (!field_submit(r, &k->f[j & (UA_KFIELDS_MAX - 1)])) {
		r->matched = 0;
		return 1;
	}
	return 0;
}

/* Rule @i of @bank (the banks are consecutive halves of the rules map). */
static __always_inline struct ua_krule *rule_at(__u32 bank, __u32 i)
{
	__u32 idx = (bank & 1) * UA_KRULES_MAX + (i & (UA_KRULES_MAX - 1));

	return bpf_map_lookup_elem(&rules, &idx);
}

static long rule_step(__u32 i, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k = rule_at(r->bank, i);
	__u32 n;

	if (!k)
		return 1;
	if (!(k->opmask[(r->op >> 6) & 3] & (1ULL << (r->op & 63))))
		return 0;
	n = k->nfields;
	r->k = k;
	r->rule = i;
	r->matched = 1;
	r->b->defer = 0;
	bpf_loop(n < UA_KFIELDS_MAX ? n : UA_KFIELDS_MAX, field_step, r, 0);
	if (!r->matched)
		return 0;
	if ((k->flags & UA_KR_COMPLETION) || r->b->defer) {
		r->cand[(i >> 6) & 3] |= 1ULL << (i & 63);
		if (r->b->defer)
			r->b->pend.defer[(i >> 6) & 3] |= 1ULL << (i & 63);
		return 0;
	}
	r->decided = i;
	return 1;
}

/*
 * path=/dir= at completion, against the file a request used or opened.
 * A global function: the verifier checks it once, on its own, knowing only
 * its arguments' types, and each call is then one instruction to it. As a
 * static function inside the rule and field callbacks its two walks (the
 * path's bytes, the directory's ancestors) were checked again for every
 * state the callers reach: on 6.12 that took complete_args past the
 * verifier's 1,000,000 instructions. So it gets plain numbers and map
 * values only (a global function sees no pointer its caller held) and looks
 * its object and string up itself.
 */
struct ostr_cmp {
	struct obj_buf *o;
	const struct ua_kstr *v;
	__u32 matched;
};

static long ostr_step(__u32 j, void *arg)
{
	struct ostr_cmp *c = arg;

	if (!c->v || !c->o)
		return 1;
	if (c->o->path[j & (2 * UA_PATH_MAX - 1)] != c->v->s[j & (UA_KSTR_MAX - 1)]) {
		c->matched = 0;
		return 1;
	}
	return 0;
}

/*
 * dir= by inode: is the directory (@ino, @dev) the walked file itself or one
 * of its ancestors, however its path was spelled (a bind mount of it or of a
 * directory above it, another mount namespace)? From the dentry up through
 * d_parent, crossing mounts as the path walk does (obj_path).
 */
struct anc_walk {
	struct dentry *d;
	struct mount *m;
	struct dentry *root; /* mnt_root of m */
	__u64 ino;
	__u32 dev;
	__u32 found;
};

static long anc_step(__u32 i, void *arg)
{
	struct anc_walk *w = arg;
	struct dentry *d = w->d, *parent;
	struct mount *m = w->m, *mp;
	struct inode *in = BPF_CORE_READ(d, d_inode);

	if (in && BPF_CORE_READ(in, i_ino) == w->ino && BPF_CORE_READ(in, i_sb, s_dev) == w->dev) {
		w->found = 1;
		return 1;
	}
	if (d == w->root) {
		mp = BPF_CORE_READ(m, mnt_parent);
		if (mp == m)
			return 1;
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		w->root = BPF_CORE_READ(mp, mnt.mnt_root);
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d)
		return 1;
	w->d = parent;
	return 0;
}

static __always_inline bool dir_has_inode(struct obj_buf *o, __u64 ino, __u32 dev)
{
	struct anc_walk w = {};
	/* plain pointers read with probe reads (BPF_CORE_READ): no
	 * bpf_rdonly_cast, which 6.1 lacks */
	struct mount *m = (struct mount *)o->mnt;

	if (!o->leaf || !m)
		return false;
	w.d = (struct dentry *)o->leaf;
	w.m = m;
	w.root = BPF_CORE_READ(m, mnt.mnt_root);
	w.ino = ino;
	w.dev = dev;
	bpf_loop(UA_PATH_DEPTH, anc_step, &w, 0);
	return w.found;
}

/* path=/dir= field @f against the file in object slot @slot (OBJ_FILE: the
 * file the request used, OBJ_NEW: the file an open opened): path= by the
 * file's inode, dir= by its own or an ancestor's (the daemon gave them at
 * load), else by the walked path. 1: it names it. */
__noinline int ua_file_path_match(const struct ua_kfield *f, __u32 slot)
{
	struct ostr_cmp c = {};
	struct obj_buf *o;
	__u32 idx, vlen, len;

	if (!f)
		return 0;
	o = obj_slot(slot == OBJ_NEW ? OBJ_NEW : OBJ_FILE);
	if (!o || o->ev.kind != UA_OBJ_FILE || (o->ev.flags & UA_OF_UNRESOLVED))
		return 0;
	if (f->field == UA_F_PATH && f->val && o->ev.ino == f->val && o->ev.dev == (__u32)f->val2)
		return 1;
	if (f->field == UA_F_DIR && f->val && dir_has_inode(o, f->val, (__u32)f->val2))
		return 1;
	if (o->ev.flags & (UA_OF_PSEUDO | UA_OF_TRUNC))
		return 0;
	idx = f->str_idx;
	vlen = f->str_len;
	len = o->ev.path_len;
	c.v = bpf_map_lookup_elem(&rstrs, &idx);
	if (!c.v || len < vlen || vlen == 0 || vlen > UA_KSTR_MAX)
		return 0;
	if (f->field == UA_F_PATH && len != vlen)
		return 0;
	c.o = o;
	c.matched = 1;
	bpf_loop(vlen, ostr_step, &c, 0);
	if (!c.matched)
		return 0;
	/* the match ends at the path's end or at a '/' (prefix_ends_at_dir) */
	return f->field == UA_F_PATH || len == vlen ||
	       c.v->s[(vlen - 1) & (UA_KSTR_MAX - 1)] == '/' ||
	       o->path[vlen & (2 * UA_PATH_MAX - 1)] == '/';
}

/* path=/dir= against a file the request used (@which 0: fo) or opened
 * (@which 1: no), when this request has that object. */
static __always_inline bool file_path_matches(struct rule_eval *r, const struct ua_kfield *f,
					      __u32 which)
{
	if (!(r->have & (which ? HAVE_NEW : HAVE_FILE)))
		return false;
	return ua_file_path_match(f, which ? OBJ_NEW : OBJ_FILE) != 0;
}

/* The object obj_uid/obj_gid/addr... describe: what the request created,
 * else the file it used; for renameat, the file it replaced. */
static __always_inline struct obj_buf *main_obj(struct rule_eval *r)
{
	/* renameat: the owner of the file its new name named (finish() puts it in fo) */
	if (r->have & HAVE_REPLACED)
		return r->fo;
	if ((r->have & HAVE_NEW) && r->no && !(r->no->ev.flags & UA_OF_UNRESOLVED))
		return r->no;
	if ((r->have & HAVE_FILE) && r->fo && !(r->fo->ev.flags & UA_OF_UNRESOLVED))
		return r->fo;
	return NULL;
}

static __always_inline bool field_complete(struct rule_eval *r, const struct ua_kfield *f)
{
	struct obj_buf *o;
	struct ua_addr *a;
	bool eq;

	switch (f->field) {
	case UA_F_SUCCESS:
		return cmp_u64(f->cmp, r->res >= 0, f->val);
	case UA_F_EXIT:
		return cmp_s64(f->cmp, r->res, (__s64)f->val);
	case UA_F_CTX:
		return cmp_u64(f->cmp, r->exec_ctx, f->val);
	case UA_F_DIR:
	case UA_F_PATH:
		if (!path_at_submit(r->op))
			eq = file_path_matches(r, f, 0);
		else if (r->defer)
			eq = file_path_matches(r, f, 1); /* the file the open opened */
		else
			return true; /* the name matched at submit */
		return f->cmp == UA_CMP_NE ? !eq : eq;
	case UA_F_OBJ_UID:
	case UA_F_OBJ_GID:
		o = main_obj(r);
		if (!o)
			return false;
		return cmp_u64(f->cmp, f->field == UA_F_OBJ_UID ? o->ev.uid : o->ev.gid, f->val);
	case UA_F_FAMILY:
	case UA_F_ADDR:
	case UA_F_PORT:
		if (addr_at_submit(r->op)) {
			/* the kernel's copy (or, never issued, the submitter's) */
			if (!r->p || !(r->p->flags & UA_CF_ADDR_DEFER))
				return true; /* matched at submit */
			a = bpf_map_lookup_elem(&dest_addrs, &r->p->submit_seq);
			return a && ua_addr_field(f, a);
		}
		o = main_obj(r);
		if (!o || o->ev.kind != UA_OBJ_SOCK)
			return false;
		return ua_addr_field(f, &o->ev.peer);
	}
	return true; /* tested at submit */
}

static long cfield_step(__u32 j, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k = r->k;

	if (!k)
		return 1;
	if (!field_complete(r, &k->f[j & (UA_KFIELDS_MAX - 1)])) {
		r->matched = 0;
		return 1;
	}
	return 0;
}

static long crule_step(__u32 i, void *arg)
{
	struct rule_eval *r = arg;
	struct ua_krule *k;
	__u32 n;

	if (!(r->cand[(i >> 6) & 3] & (1ULL << (i & 63))))
		return 0;
	k = rule_at(r->bank, i);
	if (!k)
		return 1;
	n = k->nfields;
	r->k = k;
	r->matched = 1;
	r->defer = r->p && (r->p->defer[(i >> 6) & 3] & (1ULL << (i & 63)));
	bpf_loop(n < UA_KFIELDS_MAX ? n : UA_KFIELDS_MAX, cfield_step, r, 0);
	if (!r->matched)
		return 0;
	r->decided = i;
	return 1;
}

/* The action of rule @i of @bank: is it one that records? */
static __always_inline bool rule_records(__u32 bank, __s32 i)
{
	struct ua_krule *k;

	if (i < 0)
		return false;
	k = rule_at(bank, (__u32)i);
	return k && k->action != UA_ACT_NEVER;
}

/* The action of rule @i of @bank (UA_ACT_NEVER when there is none). */
static __always_inline __u32 rule_action(__u32 bank, __s32 i)
{
	struct ua_krule *k;

	if (i < 0)
		return UA_ACT_NEVER;
	k = rule_at(bank, (__u32)i);
	return k ? k->action : UA_ACT_NEVER;
}

/*
 * A kill rule matched (best-effort, where BPF-LSM cannot stop the request):
 * SIGKILL to the current task's process, when it is the submitter's
 * (@tgid). At submit the current task is always the submitter's: the task
 * in io_uring_enter(), or the SQ thread of a SQPOLL ring, an io thread in
 * the ring creator's thread group (so the creator's process dies, whoever
 * wrote the SQE). At completion it is the submitter's task, an io-wq worker
 * of its process, or the SQ thread; any other (a kworker, another process
 * reaping an IOPOLL ring it shares) is not signalled. bpf_send_signal()
 * signals the whole thread group and refuses kernel threads, exiting tasks
 * and init. The daemon never signals itself (its own connect at start).
 * True when the signal was sent.
 */
static __always_inline bool kill_submitter(__u32 tgid)
{
	__u32 cur = bpf_get_current_pid_tgid() >> 32;

	if (cur != tgid || cur == cfg_daemon_tgid)
		return false;
	return bpf_send_signal(9 /* SIGKILL */) == 0;
}

/* The errno rule @i of @bank stops its request with (-F errno=; EACCES
 * when it names none), negative, in [-4095, -1]. */
static __always_inline __s32 rule_err(__u32 bank, __s32 i)
{
	struct ua_krule *k;
	__u32 e;

	if (i < 0)
		return -13;
	k = rule_at(bank, (__u32)i);
	e = k ? k->err : 0;
	return e >= 1 && e <= 4095 ? -(__s32)e : -13 /* EACCES */;
}

/* A deny rule decided at submit, or a selected request that could not be
 * recorded under --deny unrecorded: mark it for the enforcement object's
 * LSM hooks while it is issued (bpf/deny.h), with the error @err they
 * return. @flags UA_DM_UNDECIDED: a deny rule waits for the destination the
 * kernel copies at issue; the hook decides (dest_decide) before the LSM's.
 * The request is the one being captured, in the scratch buffer (capture()
 * fills ev.req, ev.user_data, ev.opcode and ring_addr first). A global
 * function, so that the mark's bytes live on its own frame, not
 * capture()'s, where each mark that may or may not be written kept the
 * verifier from pruning what follows. */
__noinline int ua_deny_mark(__s32 err, __u32 flags)
{
	struct ua_deny_mark m = {};
	__u32 zero = 0;
	struct submit_buf *b = bpf_map_lookup_elem(&scratch, &zero);

	if (!b)
		return 0;
	m.ring_addr = b->ring_addr;
	m.user_data = b->ev.user_data;
	m.err = err;
	m.flags = flags;
	m.opcode = b->ev.opcode;
	bpf_map_update_elem(&deny_req, &b->ev.req, &m, BPF_ANY);
	return 0;
}

/* At the request's CQE (or its overflow): its mark goes; UA_CF_DENIED when
 * a hook failed it. */
static __always_inline __u32 deny_take(__u64 reqp)
{
	struct ua_deny_mark *m;
	__u32 f = 0;

	if (!deny_armed)
		return 0;
	m = bpf_map_lookup_elem(&deny_req, &reqp);
	if (!m)
		return 0;
	if (m->flags & UA_DM_STOPPED)
		f = UA_CF_DENIED;
	bpf_map_delete_elem(&deny_req, &reqp);
	return f;
}

/*
 * A deny mark on a request whose rules wait for its destination, decided on
 * the kernel's copy (in dest_addrs) as the kernel is about to use it: the
 * candidates in order, each with every field known now (a field known only
 * at completion leaves its rule undecided, and it cannot exempt the
 * request: the rule after it still decides). A deny or kill rule decides:
 * the LSM hooks that follow fail the request. Another rule decides: the
 * request is let through (an earlier rule exempts it, as it would where the
 * address is known at submit). None: the rule decided at submit stands.
 * Let through is said (UA_DM_PASSED): the enforcement object's
 * socket_connect and socket_sendmsg hooks, which run right after this one,
 * deny a mark left undecided without it (bpf/deny.h). So each way this hook
 * can fail to decide fails closed: the thread not watched (the watching
 * table full, the request's pending entry gone) never gets here, and a copy
 * missing from dest_addrs (LRU) is denied here.
 */
struct issue_eval {
	struct ua_krule *k;
	struct ua_addr *a; /* the kernel's copy, in dest_addrs */
	__u64 cand[4];
	__u32 bank;
	__s32 decided;
	__u32 matched;	 /* the current rule still matches */
	__u32 undecided; /* the current rule has a field known only at completion */
};

/* A field at the destination hook: the address is the new fact; a field
 * known only at completion leaves the rule undecided; the others matched
 * at submit. A walk of its own, so that the completion programs' (crule_step)
 * carry no flag for it: 6.12's verifier explores each flag on the stack
 * once more per field. */
static long ifield_step(__u32 j, void *arg)
{
	struct issue_eval *x = arg;
	const struct ua_kfield *f;

	if (!x->k)
		return 1;
	f = &x->k->f[j & (UA_KFIELDS_MAX - 1)];
	switch (f->field) {
	case UA_F_FAMILY:
	case UA_F_ADDR:
	case UA_F_PORT:
		if (!x->a || !ua_addr_field(f, x->a)) {
			x->matched = 0;
			return 1;
		}
		return 0;
	case UA_F_SUCCESS:
	case UA_F_EXIT:
	case UA_F_CTX:
	case UA_F_OBJ_UID:
	case UA_F_OBJ_GID:
	case UA_F_DIR:
	case UA_F_PATH:
		x->undecided = 1;
		return 0;
	}
	return 0;
}

static long irule_step(__u32 i, void *arg)
{
	struct issue_eval *x = arg;
	struct ua_krule *k;
	__u32 n;

	if (!(x->cand[(i >> 6) & 3] & (1ULL << (i & 63))))
		return 0;
	k = rule_at(x->bank, i);
	if (!k)
		return 1;
	n = k->nfields;
	x->k = k;
	x->matched = 1;
	x->undecided = 0;
	bpf_loop(n < UA_KFIELDS_MAX ? n : UA_KFIELDS_MAX, ifield_step, x, 0);
	if (!x->matched || x->undecided)
		return 0;
	x->decided = (__s32)i;
	return 1;
}

static __always_inline void dest_decide(__u64 reqv, struct ua_pending *p)
{
	struct issue_eval x = {};
	struct ua_deny_mark *m = bpf_map_lookup_elem(&deny_req, &reqv);
	__u32 act;

	if (!m)
		return;
	/* decided again at each attempt (a retry reuses the first copy) */
	m->flags &= ~UA_DM_PASSED;
	x.a = bpf_map_lookup_elem(&dest_addrs, &p->submit_seq);
	if (!x.a) {
		/* The copy fell out of dest_addrs (LRU): nothing to decide
		 * on, so the deny candidate stands (its error, set at submit). */
		m->flags &= ~UA_DM_UNDECIDED;
		return;
	}
	x.bank = p->bank;
	x.decided = -1;
	__builtin_memcpy(x.cand, p->cand, sizeof(x.cand));
	bpf_loop(UA_KRULES_MAX, irule_step, &x, 0);
	if (x.decided < 0) {
		/* the rule decided at submit stands: a deny stays one, and
		 * an undecided mark is let through */
		if (m->flags & UA_DM_UNDECIDED)
			m->flags |= UA_DM_PASSED;
		return;
	}
	act = rule_action(p->bank, x.decided);
	if (act == UA_ACT_DENY || act == UA_ACT_KILL) {
		m->err = rule_err(p->bank, x.decided);
		m->flags &= ~UA_DM_UNDECIDED;
	} else {
		m->flags |= UA_DM_UNDECIDED | UA_DM_PASSED;
	}
}

#endif /* UA_RULES_BPF_H */
