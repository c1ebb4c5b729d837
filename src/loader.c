// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The loader: probes the kernel, configures, loads and attaches the BPF
 * programs, and is the only code that owns their lifecycle.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "verifier_log.h"
#include "uringaudit.h"
#include "uringaudit.skel.h"
#include "uringaudit_compat.skel.h"

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t len, int rc,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* The tracepoints the daemon attaches to, each with the kernel that added it
 * in its current form; io_uring_submit_req is io_uring_submit_sqe before 6.4
 * (the programs submit_req and submit_sqe). */
static const struct {
	const char *name;
	const char *since;
	const char *older; /* the same hook under its earlier name */
} tracepoints[] = {
	{ "io_uring_create", "5.5", NULL },
	{ "io_uring_register", "5.5", NULL },
	{ "io_uring_submit_req", "6.4", "io_uring_submit_sqe" },
	{ "io_uring_queue_async_work", "5.5", NULL },
	{ "io_uring_complete", "5.5", NULL },
	{ "io_uring_req_failed", "5.16", NULL },
	{ "io_uring_cqe_overflow", "5.18", NULL },
};

/* Value of an enumerator of any enum in @btf, by name. */
int ua_btf_enum_value(const struct btf *btf, const char *name, long long *val)
{
	__u32 i, n = btf__type_cnt(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const struct btf_enum *e;
		__u16 j;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (j = 0; j < btf_vlen(t); j++) {
			if (!strcmp(btf__name_by_offset(btf, e[j].name_off), name)) {
				*val = e[j].val;
				return 0;
			}
		}
	}
	return -ENOENT;
}

static int optable_from_btf(const struct btf *btf, struct ua_optable *ops)
{
	__s32 id = btf__find_by_name_kind(btf, "io_uring_op", BTF_KIND_ENUM);
	const struct btf_type *t;
	const struct btf_enum *e;
	__u16 j;

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	ua_optable_clear(ops);
	for (j = 0; j < btf_vlen(t); j++)
		ua_optable_set_enum(ops, btf__name_by_offset(btf, e[j].name_off), e[j].val);
	return 0;
}

static int read_int_file(const char *path, long *val)
{
	FILE *f = fopen(path, "re");
	int rc;

	if (!f)
		return -errno;
	rc = fscanf(f, "%ld", val) == 1 ? 0 : -EINVAL;
	fclose(f);
	return rc;
}

static int tp_nargs(const struct btf *btf, const char *name);

int ua_kernel_probe(struct ua_optable *ops, char *err, size_t errlen)
{
	struct btf *btf;
	char tname[128];
	long disabled;
	size_t i;
	int rc = 0;

	ua_optable_init_builtin(ops);
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return fail(err, errlen, -ENOENT,
			    "kernel has no BTF (/sys/kernel/btf/vmlinux): "
			    "it needs CONFIG_DEBUG_INFO_BTF=y");
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return fail(err, errlen, -errno, "cannot read kernel BTF: %s", strerror(errno));
	if (btf__find_by_name_kind(btf, "io_kiocb", BTF_KIND_STRUCT) < 0) {
		rc = fail(err, errlen, -ENOSYS,
			  "kernel is built without io_uring (CONFIG_IO_URING): nothing to audit");
		goto out;
	}
	/* Before all else, what makes the tracepoint backend exact: a
	 * completion that names its request. 5.10's passes only (ctx,
	 * user_data, res, cflags), and user_data is whatever the submitter
	 * chose (repeated, or 0 for all). */
	if (tp_nargs(btf, "io_uring_complete") == 4) {
		rc = fail(err, errlen, -ENOSYS,
			  "kernel's tracepoint io_uring_complete passes no request, only "
			  "(ctx, user_data, res, cflags): a result cannot be joined to its "
			  "request exactly on the tracepoint backend; this kernel is not "
			  "supported");
		goto out;
	}
	for (i = 0; i < sizeof(tracepoints) / sizeof(tracepoints[0]); i++) {
		snprintf(tname, sizeof(tname), "btf_trace_%s", tracepoints[i].name);
		if (btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF) >= 0)
			continue;
		if (tracepoints[i].older) {
			snprintf(tname, sizeof(tname), "btf_trace_%s", tracepoints[i].older);
			if (btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF) >= 0)
				continue;
		}
		rc = fail(err, errlen, -ENOSYS,
			  "kernel lacks tracepoint %s (Linux %s): this kernel is not "
			  "supported yet",
			  tracepoints[i].name, tracepoints[i].since);
		goto out;
	}
	if (optable_from_btf(btf, ops))
		ua_optable_init_builtin(ops);
	if (!read_int_file("/proc/sys/kernel/io_uring_disabled", &disabled) && disabled == 2)
		rc = fail(err, errlen, -EPERM,
			  "io_uring is disabled on this system (kernel.io_uring_disabled=2): "
			  "nothing to audit");
out:
	btf__free(btf);
	return rc;
}

static int set_req_flag(const struct btf *btf, const char *bit, volatile __u64 *mask)
{
	long long v;

	if (ua_btf_enum_value(btf, bit, &v) || v < 0 || v > 63)
		return -ENOENT;
	*mask = 1ULL << v;
	return 0;
}

/* The verifier's reason for refusing a program, kept from libbpf's messages
 * for the load step's one line (the kernel itself says only EACCES). */
static char verifier_reason[512];

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages go to stderr only in verbose runs
	 * (UA_DEBUG=1); failures are reported once, by our caller. */
	if (level == LIBBPF_WARN && strstr(fmt, "BEGIN PROG LOAD LOG")) {
		char *msg = NULL;
		va_list cp;

		va_copy(cp, ap);
		if (vasprintf(&msg, fmt, cp) >= 0 && msg)
			ua_verifier_reason(msg, verifier_reason, sizeof(verifier_reason));
		va_end(cp);
		free(msg);
	}
	if (level == LIBBPF_DEBUG || !getenv("UA_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Note one thing this kernel makes the daemon do otherwise (a line that
 * names the kernel feature); said at start and in status. */
static void degraded(struct ua_loader *l, const char *code, const char *why)
{
	if (l->ndegraded < UA_DEGRADED_MAX) {
		l->degraded[l->ndegraded].code = code;
		l->degraded[l->ndegraded++].why = why;
	}
}

/*
 * uringaudit's skeleton on the bytes of uringaudit_compat.bpf.o (the same
 * source without bpf_rdonly_cast): the Makefile checks the two objects
 * have the same maps, programs and data, so every skel-> field means the
 * same in both.
 */
static struct uringaudit *open_compat(void)
{
	struct uringaudit *obj = calloc(1, sizeof(*obj));
	int err;

	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = uringaudit__create_skeleton(obj);
	if (!err) {
		obj->skeleton->data = uringaudit_compat__elf_bytes(&obj->skeleton->data_sz);
		err = bpf_object__open_skeleton(obj->skeleton, NULL);
	}
	if (err) {
		uringaudit__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

/* What ua_loader_start was asked for, handed to each of its steps. */
struct start_args {
	const uint64_t *opmask; /* the built-in rules' opcodes, UA_OPMASK_WORDS */
	unsigned int rb_bytes;
	unsigned int pending_per_uid;
	const struct ua_fair *fair; /* the flood budgets' settings */
	int backend;		    /* enum ua_backend */
	const char *pin_dir;	    /* NULL: none */
};

/*
 * The pin set (src/pin.c), in three steps of their own: pin-check right
 * after the open (a set of this build and settings is reused, any other is
 * replaced), pin-reuse before the load (the object's maps become the
 * pinned ones; only programs the daemon runs itself load), pin after the
 * attach (every map and link pinned, the state last). A reattached daemon
 * attaches nothing, probes nothing and installs no built-in rules: the
 * pinned programs run on, with the rules the previous daemon put in force,
 * until the new set is swapped in. A step that creates kernel state checks
 * l->pins.reused the same way.
 */
static int start_pin_check(struct ua_loader *l, const struct start_args *a, char *err,
			   size_t errlen)
{
	/* the object opened: uringaudit's or, without bpf_rdonly_cast, the
	 * compat build (another build: a set one pinned is replaced) */
	size_t sz = l->skel->skeleton->data_sz;
	const void *elf = l->skel->skeleton->data;

	if (ua_pin_open(&l->pins, l->skel->obj, ua_pin_build_id(elf, sz), a->rb_bytes,
			a->pending_per_uid, a->fair, err, errlen))
		return -EPERM;
	return 0;
}

static int start_pin_reuse(struct ua_loader *l, const struct start_args *a, char *err,
			   size_t errlen)
{
	return ua_pin_reuse(&l->pins, l->skel->obj, err, errlen) ? -EINVAL : 0;
}

/* Checked at build time too: a program added past the room fails the build. */
_Static_assert(sizeof(((struct uringaudit *)0)->links) / sizeof(struct bpf_link *) <=
		       UA_PIN_LINKS_MAX,
	       "every program's link is pinned: raise UA_PIN_LINKS_MAX");

static int start_pin(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen)
{
	const struct bpf_object_skeleton *s = l->skel->skeleton;
	struct bpf_link *links[UA_PIN_LINKS_MAX];
	const char *names[UA_PIN_LINKS_MAX];
	int i, n = 0;

	/* Every program's link, or a restart after SIGKILL loses the ones
	 * left out (t_restart): with 38 programs and room for 32, the
	 * completion programs were never pinned and the requests made while
	 * the daemon was down were recorded without their CQE. */
	if (s->prog_cnt > UA_PIN_LINKS_MAX)
		return fail(err, errlen, -E2BIG, "%d programs, room to pin %d links", s->prog_cnt,
			    UA_PIN_LINKS_MAX);
	for (i = 0; i < s->prog_cnt; i++) {
		links[n] = *s->progs[i].link;
		names[n++] = s->progs[i].name;
	}
	if (l->pins.reused) {
		l->reattach_seq = ua_loader_seq_end(l);
		l->reattach_cnt[0] = ua_loader_counter(l, UA_CNT_SELECTED);
		l->reattach_cnt[1] = ua_loader_counter(l, UA_CNT_DROPPED);
	}
	if (ua_pin_commit(&l->pins, l->skel->obj, links, names, (size_t)n, err, errlen))
		return -EIO;
	return 0;
}

/* The kernel's BTF (kept until the load) and the BPF object, opened. */
static int start_open(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen)
{
	int rc;

	l->vmlinux = btf__load_vmlinux_btf();
	if (!l->vmlinux)
		return fail(err, errlen, -errno, "cannot read kernel BTF: %s", strerror(errno));
	/* UA_TEST_NO_RDONLY_CAST=1: the tests run the 6.1 build on a newer
	 * kernel, where it loads as well. */
	if (btf__find_by_name_kind(l->vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) < 0 ||
	    (getenv("UA_TEST_NO_RDONLY_CAST") && !strcmp(getenv("UA_TEST_NO_RDONLY_CAST"), "1"))) {
		l->skel = open_compat();
		if (l->skel)
			degraded(l, "probe_read",
				 "kernel lacks the bpf_rdonly_cast kfunc (Linux 6.2): the "
				 "pointers tracepoints pass untyped are read with "
				 "bpf_probe_read_kernel (a helper call per field)");
	} else {
		l->skel = uringaudit__open();
	}
	if (!l->skel) {
		rc = -errno;
		return fail(err, errlen, rc, "cannot open BPF object: %s", strerror(-rc));
	}
	return 0;
}

/* The io_kiocb flag bits the programs test, by name from this kernel's BTF. */
static int start_req_flags(struct ua_loader *l, const struct start_args *a, char *err,
			   size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} bits[] = {
		{ "REQ_F_FIXED_FILE_BIT",
		  offsetof(struct uringaudit__rodata, cfg_req_f_fixed_file) },
		{ "REQ_F_LINK_BIT", offsetof(struct uringaudit__rodata, cfg_req_f_link) },
		{ "REQ_F_FORCE_ASYNC_BIT",
		  offsetof(struct uringaudit__rodata, cfg_req_f_force_async) },
		{ "REQ_F_CQE_SKIP_BIT", offsetof(struct uringaudit__rodata, cfg_req_f_cqe_skip) },
		{ "REQ_F_CREDS_BIT", offsetof(struct uringaudit__rodata, cfg_req_f_creds) },
	};
	long long hard;
	size_t i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		volatile __u64 *m = (volatile __u64 *)((char *)l->skel->rodata + bits[i].off);

		if (set_req_flag(l->vmlinux, bits[i].name, m))
			return fail(err, errlen, -ENOSYS, "kernel BTF lacks %s: unsupported kernel",
				    bits[i].name);
	}
	/* Optional: without it, multishot CQEs other than accept's are not
	 * counted (the record still comes, at the last CQE). */
	set_req_flag(l->vmlinux, "REQ_F_APOLL_MULTISHOT_BIT",
		     &l->skel->rodata->cfg_req_f_multishot);
	/* Optional: a request marked for reissue posts no CQE from the flush
	 * that the overflow join walks (cqe_overflow). */
	set_req_flag(l->vmlinux, "REQ_F_REISSUE_BIT", &l->skel->rodata->cfg_req_f_reissue);
	/* The per-op backend: an -EAGAIN of a REQ_F_NOWAIT request is final. */
	set_req_flag(l->vmlinux, "REQ_F_NOWAIT_BIT", &l->skel->rodata->cfg_req_f_nowait);
	set_req_flag(l->vmlinux, "REQ_F_FAIL_BIT", &l->skel->rodata->cfg_req_f_fail);
	l->skel->rodata->cfg_pending_per_uid = a->pending_per_uid;
	l->skel->rodata->cfg_daemon_tgid = (__u32)getpid();
	/* A hard link is a link for our purpose. */
	if (!ua_btf_enum_value(l->vmlinux, "REQ_F_HARDLINK_BIT", &hard) && hard >= 0 && hard < 64)
		l->skel->rodata->cfg_req_f_link |= 1ULL << hard;
	return 0;
}

/* Number of arguments of tracepoint @name as BPF sees it (its btf_trace_
 * typedef: a pointer to a prototype whose first argument is the tracing
 * context), or -ENOENT. */
static int tp_nargs(const struct btf *btf, const char *name)
{
	char tname[128];
	const struct btf_type *t;
	__s32 id;

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t))
		return -ENOENT;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -ENOENT;
	return btf_vlen(t) - 1;
}

/* Programs for one tracepoint in two forms: load the one this kernel has.
 * io_uring_complete passed the CQE's fields as values (6.1 to 6.12) before
 * it passed the CQE (ctx, req, cqe). */
static int start_programs(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen)
{
	int n = tp_nargs(l->vmlinux, "io_uring_complete");

	if (n != 3 && n != 7)
		return fail(err, errlen, -ENOSYS,
			    "kernel's tracepoint io_uring_complete has %d arguments (3 or 7 "
			    "expected): this kernel is not supported yet",
			    n);
	bpf_program__set_autoload(l->skel->progs.complete, n == 3);
	bpf_program__set_autoload(l->skel->progs.complete_args, n == 7);
	/* io_uring_submit_req since 6.4, io_uring_submit_sqe (req, force_nonblock)
	 * before: 6.1's form; 5.10's passed the request untyped among seven. */
	n = tp_nargs(l->vmlinux, "io_uring_submit_req");
	if (n < 0 && tp_nargs(l->vmlinux, "io_uring_submit_sqe") != 2)
		return fail(err, errlen, -ENOSYS,
			    "kernel's tracepoint io_uring_submit_sqe has %d arguments ((req, "
			    "force_nonblock) expected): this kernel is not supported yet",
			    tp_nargs(l->vmlinux, "io_uring_submit_sqe"));
	bpf_program__set_autoload(l->skel->progs.submit_req, n >= 0);
	bpf_program__set_autoload(l->skel->progs.submit_sqe, n < 0);
	return 0;
}

/* @permille of a ring buffer of @rb_bytes, in requests (~512 bytes each), at
 * least @min. */
static unsigned long long share(unsigned int rb_bytes, unsigned int permille, unsigned int min)
{
	unsigned long long n = (unsigned long long)rb_bytes / 512 * permille / 1000;

	return n > min ? n : min;
}

static int start_ring_buffer(struct ua_loader *l, const struct start_args *a, char *err,
			     size_t errlen)
{
	const struct ua_fair *f = a->fair;
	int ncpu = libbpf_num_possible_cpus(), rc;

	/* A quarter of the buffer, at ~400 bytes an event, split over the CPUs. */
	l->skel->rodata->cfg_wakeup_every =
		a->rb_bytes / 4 / 400 / (unsigned int)(ncpu > 0 ? ncpu : 1) + 1;
	/* Fairness (bpf/emit.bpf.h, struct ua_fair): once the buffer is
	 * fill_pct full (default three quarters), per interval each flow,
	 * process and uid may put their share of it in (at ~512 bytes a
	 * request, 64 at least), a process its first reserve share whatever
	 * its uid used (within another uid share); past the mark halfway to
	 * full (seven eighths), only those. */
	l->skel->rodata->cfg_pressure_bytes = (unsigned long long)a->rb_bytes / 100 * f->fill_pct;
	l->skel->rodata->cfg_reserve_bytes =
		f->fill_pct ? (unsigned long long)a->rb_bytes / 200 * (100 + f->fill_pct) : 0;
	l->skel->rodata->cfg_flow_period_ns = (unsigned long long)f->interval_ms * 1000000;
	l->skel->rodata->cfg_flow_budget = share(a->rb_bytes, f->flow_pm, 64);
	l->skel->rodata->cfg_proc_budget = share(a->rb_bytes, f->process_pm, 64);
	l->skel->rodata->cfg_uid_budget = share(a->rb_bytes, f->uid_pm, 64);
	l->skel->rodata->cfg_uid_reserve = share(a->rb_bytes, f->uid_pm, 64);
	l->skel->rodata->cfg_proc_reserve = f->reserve_pm ? share(a->rb_bytes, f->reserve_pm, 20) :
							    0;
	/* Of a process's reserve, one flow (its own flood of one request,
	 * repeated) takes the flow's share of the process's budget: half by
	 * default, so its other requests keep the rest. */
	l->skel->rodata->cfg_flow_reserve =
		l->skel->rodata->cfg_proc_reserve * f->flow_pm / f->process_pm;
	if (l->skel->rodata->cfg_proc_reserve && !l->skel->rodata->cfg_flow_reserve)
		l->skel->rodata->cfg_flow_reserve = 1;
	rc = bpf_map__set_max_entries(l->skel->maps.rb, a->rb_bytes);
	if (rc)
		return fail(err, errlen, rc, "ring buffer size %u: %s", a->rb_bytes, strerror(-rc));
	return 0;
}

static int start_load(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen)
{
	int rc;

	/* Only the load needed the kernel's BTF (several MiB): let it go
	 * (the per-op backend's op table step still reads it). */
	if (!l->perop) {
		btf__free(l->vmlinux);
		l->vmlinux = NULL;
	}
	verifier_reason[0] = '\0';
	rc = uringaudit__load(l->skel);
	if (rc && verifier_reason[0])
		return fail(err, errlen, rc,
			    "cannot load BPF programs: the kernel's verifier refused %s (rerun "
			    "with UA_DEBUG=1 for its whole log)",
			    verifier_reason);
	if (rc == -EPERM)
		return fail(err, errlen, rc,
			    "permission denied loading BPF programs: run as root "
			    "(CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE)");
	if (rc)
		return fail(err, errlen, rc,
			    "cannot load BPF programs: %s (rerun with UA_DEBUG=1 for the "
			    "verifier log)",
			    strerror(-rc));
	return 0;
}

/* Programs that run for every request of a selected op (the per-op
 * backend attaches them only as its rules need them, ua_perop_sync). */
static int per_request(const struct uringaudit *s, const struct bpf_program *p)
{
	return p == s->progs.complete || p == s->progs.complete_args ||
	       p == s->progs.queue_async_work || p == s->progs.submit_req ||
	       p == s->progs.submit_sqe;
}

/*
 * Requests in flight at start (bpf/inflight.bpf.h): the iterator walks every
 * ring once and marks the requests it finds waiting. Run after the
 * completion side is attached (each mark is ended by its CQE) and before the
 * submit side (a request submitted after the walk is the submit programs';
 * one submitted between the two is seen by neither: the window is the time
 * the attach of req_failed and submit_req takes; on the per-op backend, until
 * the first rules' stubs are attached). A failed walk is no failure: the
 * daemon says so (degraded inflight).
 */
static void walk_inflight(struct ua_loader *l)
{
	struct bpf_link *link = bpf_program__attach_iter(l->skel->progs.inflight_walk, NULL);
	char buf[256];
	int fd;

	if (!link) {
		degraded(l, "inflight",
			 "requests in flight at start are not recorded: "
			 "the walk's iterator (iter/task_file) does not attach");
		return;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		degraded(l, "inflight",
			 "requests in flight at start are not recorded: "
			 "the walk's iterator cannot be read");
	} else {
		ssize_t n;

		do
			n = read(fd, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
		if (n < 0)
			degraded(l, "inflight",
				 "requests in flight at start may be missing: "
				 "the walk stopped early");
		close(fd);
	}
	bpf_link__destroy(link);
	if (l->skel->bss->inflight_full)
		degraded(l, "inflight",
			 "requests in flight at start may be missing: "
			 "more than the marks' map holds (16384)");
	if (l->skel->bss->inflight_cut)
		degraded(l, "inflight",
			 "requests in flight at start may be missing: "
			 "a ring's walk stopped at its bound");
	if (getenv("UA_DEBUG"))
		fprintf(stderr,
			"uringaudit: in flight at start: %llu marked in %llu rings, "
			"%llu not (map full), %llu walks cut\n",
			(unsigned long long)l->skel->bss->inflight_marked,
			(unsigned long long)l->skel->bss->inflight_nrings,
			(unsigned long long)l->skel->bss->inflight_full,
			(unsigned long long)l->skel->bss->inflight_cut);
}

/* Attach the tracepoint programs loaded: with @only_per_request, those
 * per_request() names; else all but them when the per-op backend runs.
 * The completion side first, so no selected request can be submitted while
 * nothing is there to see it end. */
static int attach_tracepoints(struct ua_loader *l, int only_per_request, char *err, size_t errlen)
{
	struct bpf_program *order[] = {
		l->skel->progs.ring_create,  l->skel->progs.ring_register,
		l->skel->progs.complete,     l->skel->progs.complete_args,
		l->skel->progs.cqe_overflow, l->skel->progs.queue_async_work,
		l->skel->progs.req_failed,   l->skel->progs.submit_req,
		l->skel->progs.submit_sqe,
	};
	struct bpf_link **links[] = {
		&l->skel->links.ring_create,  &l->skel->links.ring_register,
		&l->skel->links.complete,     &l->skel->links.complete_args,
		&l->skel->links.cqe_overflow, &l->skel->links.queue_async_work,
		&l->skel->links.req_failed,   &l->skel->links.submit_req,
		&l->skel->links.submit_sqe,
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		/* the completion side is attached: the walk, then the rest */
		if (order[i] == l->skel->progs.req_failed && !only_per_request)
			walk_inflight(l);
		if (!bpf_program__autoload(order[i]))
			continue;
		if (only_per_request ? !per_request(l->skel, order[i]) :
				       l->perop && per_request(l->skel, order[i]))
			continue;
		*links[i] = bpf_program__attach(order[i]);
		if (!*links[i]) {
			rc = -errno;
			return fail(err, errlen, rc, "cannot attach %s: %s",
				    bpf_program__section_name(order[i]), strerror(-rc));
		}
	}
	return 0;
}

static int attach_rename_hooks(struct ua_loader *l);
static void attach_dest_hooks(struct ua_loader *l);

static int start_attach(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen)
{
	int rc;

	if (l->pins.reused)
		return 0;
	rc = attach_tracepoints(l, 0, err, errlen);
	if (!rc)
		attach_dest_hooks(l);
	return rc ? rc : attach_rename_hooks(l);
}

/* Teach the programs where connect/bind keep their address: connect passes
 * the opcode gate for the probe, and with no rules in the bank it makes no
 * record. A failed probe is no failure: the daemon warns and the first
 * real connect teaches them. A kernel that has no copy at submit (before
 * 6.10) makes the daemon read addresses from user memory: said as
 * degraded addr_user. */
static int start_addr_layout(struct ua_loader *l, const struct start_args *a, char *err,
			     size_t errlen)
{
	volatile __u64 *w = &l->skel->bss->opmask[0][IORING_OP_CONNECT / 64];

	/* Reattached: bank 0 may be the rules in force; the previous daemon
	 * probed, or a real connect teaches them. */
	if (!l->skel->bss->addr_layout && !l->pins.reused) {
		*w |= 1ULL << (IORING_OP_CONNECT % 64);
		if (l->perop) {
			uint64_t m[4] = { 0 };

			m[IORING_OP_CONNECT / 64] = 1ULL << (IORING_OP_CONNECT % 64);
			ua_perop_sync(l, m);
		}
		ua_addr_probe();
		*w &= ~(1ULL << (IORING_OP_CONNECT % 64));
	}
	if (l->skel->bss->addr_layout != UA_ADDR_LAYOUT_AT_ISSUE)
		return 0;
	/* the kernel's copy, seen by the destination hooks where they run
	 * (a reattached daemon: its predecessor's, kept in the pinned bss) */
	if (l->dest_attached)
		l->skel->bss->addr_hooked = 1;
	if (l->skel->bss->addr_hooked)
		return 0;
	snprintf(l->dest_line, sizeof(l->dest_line),
		 "kernel copies connect and send addresses when it issues the request "
		 "(before Linux 6.10) and its copy is not seen (%s): they are read from the "
		 "submitter's memory at submit, and those records say addr_src=user",
		 l->dest_why[0] ? l->dest_why : "the destination hooks did not attach");
	degraded(l, "addr_user", l->dest_line);
	return 0;
}

/*
 * The op classes of lib/ops.def as opcode bitmaps for the programs
 * (cfg_op_class), by op name as this kernel's BTF names them (the built-in
 * numbers when it names none), so a kernel that numbers an op differently
 * still gets the op's class. Like the REQ_F_* bits, before the load.
 */
static int start_op_classes(struct ua_loader *l, const struct start_args *a, char *err,
			    size_t errlen)
{
	struct ua_optable ops;
	uint64_t mask[4];
	unsigned int c;

	_Static_assert(sizeof(l->skel->rodata->cfg_op_class[0]) == sizeof(mask),
		       "a class's bitmap");
	if (optable_from_btf(l->vmlinux, &ops))
		ua_optable_init_builtin(&ops);
	for (c = 0; c < UA_OPC_NR; c++) {
		ua_optable_class_mask(&ops, c, mask);
		memcpy((void *)l->skel->rodata->cfg_op_class[c], mask, sizeof(mask));
	}
	return 0;
}

static void perop_refused(struct ua_loader *l)
{
	/* auto asked for whichever runs: its reason is said (backend_reason), not a loss */
	if (l->perop_auto)
		return;
	snprintf(l->perop_line, sizeof(l->perop_line),
		 "--backend perop: the tracepoint backend runs instead: %s", l->perop_why);
	degraded(l, "backend", l->perop_line);
}

/* --backend perop or auto: where this kernel loads and attaches fexit
 * programs (and no pin set is kept: its stubs are not pinned), the per-op
 * programs load; anywhere else the tracepoint backend runs and says why
 * (perop: degraded=backend; auto: backend_reason, no degradation). */
static int start_backend(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen)
{
	if (a->backend == UA_BACKEND_TRACEPOINT)
		return 0;
	l->perop_auto = a->backend == UA_BACKEND_AUTO;
	if (a->pin_dir)
		snprintf(l->perop_why, sizeof(l->perop_why),
			 "a pin directory is set: the per-op handlers are not pinned");
	else if (!ua_perop_prepare(l, l->perop_why, sizeof(l->perop_why)))
		return 0;
	ua_perop_free(l);
	if (!l->perop_why[0])
		snprintf(l->perop_why, sizeof(l->perop_why), "cannot prepare it");
	perop_refused(l);
	return 0;
}

/*
 * renameat's replaced file: three tracing programs (bpf/uringaudit.bpf.c,
 * rename_issue/rename_done on io_renameat, rename_target on
 * security_path_rename), loaded where this kernel loads and attaches fentry
 * programs; elsewhere (no function tracing, as on the development host's
 * 6.18, or a kernel built without CONFIG_SECURITY_PATH) the start says
 * degraded=rename and each renameat record says replaced=unknown.
 */
static int start_rename_hooks(struct ua_loader *l, const struct start_args *a, char *err,
			      size_t errlen)
{
	const char *why = NULL;

	if (btf__find_by_name_kind(l->vmlinux, "io_renameat", BTF_KIND_FUNC) < 0)
		why = "kernel BTF lacks io_renameat";
	else if (!ua_tracing_works(l->vmlinux, "security_path_rename", BPF_TRACE_FENTRY,
				   l->rename_why, sizeof(l->rename_why)))
		why = l->rename_why;
	if (!why) {
		bpf_program__set_autoload(l->skel->progs.rename_issue, true);
		bpf_program__set_autoload(l->skel->progs.rename_done, true);
		bpf_program__set_autoload(l->skel->progs.rename_target, true);
		return 0;
	}
	snprintf(l->rename_line, sizeof(l->rename_line),
		 "renameat: the file a rename replaced is not seen (%s): those records say "
		 "replaced=unknown",
		 why);
	degraded(l, "rename", l->rename_line);
	return 0;
}

/*
 * The destination of connect and send* as the kernel copied it (bpf/uringaudit.bpf.c,
 * dest_*): where the kernel copies it when it issues the request (its BTF still has
 * io_async_connect, which 6.10 removed with the copy at prep) and loads fentry programs,
 * the issue handlers' entry and exit and the two security hooks load; the addr-layout step
 * turns them on (addr_hooked) once the daemon's own connect confirms the copy comes at
 * issue. Elsewhere the records of those kernels say addr_src=user (degraded=addr_user).
 */
#define DEST_PROGS(X) X(io_connect) X(io_send) X(io_sendmsg) X(io_send_zc) X(io_sendmsg_zc)
static int start_dest_hooks(struct ua_loader *l, const struct start_args *a, char *err,
			    size_t errlen)
{
	if (btf__find_by_name_kind(l->vmlinux, "io_async_connect", BTF_KIND_STRUCT) < 0)
		return 0; /* the prep copies the address: nothing to hook */
	if (!ua_tracing_works(l->vmlinux, "security_socket_connect", BPF_TRACE_FENTRY, l->dest_why,
			      sizeof(l->dest_why)))
		return 0;
	if (btf__find_by_name_kind(l->vmlinux, "security_socket_sendmsg", BTF_KIND_FUNC) < 0 ||
	    btf__find_by_name_kind(l->vmlinux, "io_connect", BTF_KIND_FUNC) < 0) {
		snprintf(l->dest_why, sizeof(l->dest_why),
			 "kernel BTF lacks io_connect or security_socket_sendmsg");
		return 0;
	}
	bpf_program__set_autoload(l->skel->progs.dest_connect, true);
	bpf_program__set_autoload(l->skel->progs.dest_sendmsg, true);
#define DEST_LOAD(fn)                                                          \
	if (btf__find_by_name_kind(l->vmlinux, #fn, BTF_KIND_FUNC) >= 0) {     \
		bpf_program__set_autoload(l->skel->progs.dest_in_##fn, true);  \
		bpf_program__set_autoload(l->skel->progs.dest_out_##fn, true); \
	}
	DEST_PROGS(DEST_LOAD)
#undef DEST_LOAD
	return 0;
}

/* The exits first, then the hooks, then the entries: a thread noted at an
 * entry is always forgotten. A refusal is said at the addr-layout step. */
static void attach_dest_hooks(struct ua_loader *l)
{
	struct uringaudit *s = l->skel;
	int ok = 1;

	if (!bpf_program__autoload(s->progs.dest_connect))
		return;
#define DEST_ATTACH(fn)                                                              \
	if (ok && bpf_program__autoload(s->progs.dest_out_##fn) &&                   \
	    !(s->links.dest_out_##fn = bpf_program__attach(s->progs.dest_out_##fn))) \
		ok = 0;
	DEST_PROGS(DEST_ATTACH)
#undef DEST_ATTACH
	if (ok && !(s->links.dest_connect = bpf_program__attach(s->progs.dest_connect)))
		ok = 0;
	if (ok && !(s->links.dest_sendmsg = bpf_program__attach(s->progs.dest_sendmsg)))
		ok = 0;
#define DEST_ATTACH(fn)                                                            \
	if (ok && bpf_program__autoload(s->progs.dest_in_##fn) &&                  \
	    !(s->links.dest_in_##fn = bpf_program__attach(s->progs.dest_in_##fn))) \
		ok = 0;
	DEST_PROGS(DEST_ATTACH)
#undef DEST_ATTACH
	if (ok) {
		l->dest_attached = 1;
		return;
	}
	snprintf(l->dest_why, sizeof(l->dest_why), "cannot attach its hooks: %s", strerror(errno));
#define DEST_DETACH(fn)                            \
	bpf_link__destroy(s->links.dest_in_##fn);  \
	bpf_link__destroy(s->links.dest_out_##fn); \
	s->links.dest_in_##fn = s->links.dest_out_##fn = NULL;
	DEST_PROGS(DEST_DETACH)
#undef DEST_DETACH
	bpf_link__destroy(s->links.dest_connect);
	bpf_link__destroy(s->links.dest_sendmsg);
	s->links.dest_connect = s->links.dest_sendmsg = NULL;
}

/* Attached after the tracepoints (a pin set reused keeps its own): the exit
 * first, so a thread noted at the entry is always forgotten. A refusal now
 * is said as at start, not fatal. */
static int attach_rename_hooks(struct ua_loader *l)
{
	struct uringaudit *s = l->skel;

	if (!bpf_program__autoload(s->progs.rename_target))
		return 0;
	if ((s->links.rename_done = bpf_program__attach(s->progs.rename_done)) &&
	    (s->links.rename_target = bpf_program__attach(s->progs.rename_target)) &&
	    (s->links.rename_issue = bpf_program__attach(s->progs.rename_issue)))
		return 0;
	snprintf(l->rename_why, sizeof(l->rename_why), "cannot attach its hooks: %s",
		 strerror(errno));
	bpf_link__destroy(s->links.rename_issue);
	bpf_link__destroy(s->links.rename_target);
	bpf_link__destroy(s->links.rename_done);
	s->links.rename_issue = s->links.rename_target = s->links.rename_done = NULL;
	snprintf(l->rename_line, sizeof(l->rename_line),
		 "renameat: the file a rename replaced is not seen (%s): those records say "
		 "replaced=unknown",
		 l->rename_why);
	degraded(l, "rename", l->rename_line);
	return 0;
}

/* The per-op backend's op table; a kernel whose table cannot be read runs
 * the tracepoint programs instead (attached now). */
static int start_perop_table(struct ua_loader *l, const struct start_args *a, char *err,
			     size_t errlen)
{
	struct ua_optable ops;
	int rc;

	if (!l->perop)
		return 0;
	if (optable_from_btf(l->vmlinux, &ops))
		ua_optable_init_builtin(&ops);
	rc = ua_perop_table(l, &ops, l->perop_why, sizeof(l->perop_why));
	btf__free(l->vmlinux);
	l->vmlinux = NULL;
	if (!rc)
		return 0;
	ua_perop_free(l);
	perop_refused(l);
	return attach_tracepoints(l, 1, err, errlen);
}

/* The built-in set: one rule, always, these opcodes, no fields. */
static int start_builtin_rules(struct ua_loader *l, const struct start_args *a, char *err,
			       size_t errlen)
{
	struct ua_kruleset *ks;
	int rc;

	if (l->pins.reused) {
		/* The previous daemon's rules are in force: the real set goes
		 * to the idle bank. */
		l->installed = 1;
		return 0;
	}
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return fail(err, errlen, -ENOMEM, "out of memory");
	ks->n = 1;
	ks->rules[0].action = UA_ACT_ALWAYS;
	memcpy(ks->rules[0].opmask, a->opmask, sizeof(ks->rules[0].opmask));
	memcpy(ks->opmask, a->opmask, sizeof(ks->opmask));
	rc = ua_loader_install(l, ks);
	free(ks);
	if (rc)
		return fail(err, errlen, rc, "cannot install rules: %s", strerror(-rc));
	return 0;
}

/* In order; the first that fails stops the start, with its message. */
static const struct {
	const char *name;
	int (*run)(struct ua_loader *l, const struct start_args *a, char *err, size_t errlen);
} start_steps[] = {
	{ "open", start_open },
	{ "pin-check", start_pin_check },
	{ "programs", start_programs },
	{ "req-flags", start_req_flags },
	{ "op-classes", start_op_classes },
	{ "ring-buffer", start_ring_buffer },
	{ "pin-reuse", start_pin_reuse },
	{ "backend", start_backend },
	{ "rename-hooks", start_rename_hooks },
	{ "dest-hooks", start_dest_hooks },
	{ "load", start_load },
	{ "attach", start_attach },
	{ "perop-table", start_perop_table },
	{ "pin", start_pin },
	{ "addr-layout", start_addr_layout },
	{ "builtin-rules", start_builtin_rules },
};

int ua_loader_start(struct ua_loader *l, const uint64_t opmask[4], const struct ua_options *o,
		    char *err, size_t errlen)
{
	const struct start_args a = { .opmask = opmask,
				      .rb_bytes = o->rb_bytes,
				      .pending_per_uid = o->pending_per_uid,
				      .fair = &o->fair,
				      .backend = o->backend,
				      .pin_dir = o->pin_dir };
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	ua_pin_init(&l->pins, o->pin_dir);
	libbpf_set_print(silent_print);
	for (i = 0; i < sizeof(start_steps) / sizeof(start_steps[0]); i++) {
		rc = start_steps[i].run(l, &a, err, errlen);
		if (rc) {
			if (getenv("UA_DEBUG"))
				fprintf(stderr, "uringaudit: loader step '%s' failed\n",
					start_steps[i].name);
			ua_loader_stop(l);
			return rc;
		}
	}
	return 0;
}

/*
 * The per-op backend sees the submits and completions of the selected ops
 * only: a mark of an op no rule selects could outlive its request unseen
 * and be taken by a later request of its slot once a rule selects the op
 * again. So each rule install after the built-in set's (the configured rules
 * at start, every reload) drops the marks of the ops it does not select (the
 * tracepoint backend sees every request: its marks stay).
 */
static void inflight_drop(struct ua_loader *l, const uint64_t opmask[4])
{
	int fd = bpf_map__fd(l->skel->maps.inflight);
	struct ua_inflight m;
	__u64 key, next;
	int more;

	if (!l->perop || __atomic_load_n(&l->skel->bss->inflight_n, __ATOMIC_ACQUIRE) <= 0)
		return;
	/* the next key taken before this one may go */
	for (more = !bpf_map_get_next_key(fd, NULL, &key); more; key = next) {
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (!bpf_map_lookup_elem(fd, &key, &m) &&
		    !(opmask[m.opcode / 64] & (1ULL << (m.opcode % 64))) &&
		    !bpf_map_delete_elem(fd, &key))
			__atomic_fetch_sub(&l->skel->bss->inflight_n, 1, __ATOMIC_ACQ_REL);
	}
}

/*
 * Install a rule set: write it into the idle bank, then flip rules_bank with
 * one store. A program reads the bank once per request, so each request is
 * evaluated against the old set or the new one, whole. Requests submitted
 * under the old set complete against it (the bank travels in the pending
 * state); the bank flipped away from is only rewritten by the reload after
 * next.
 */
int ua_loader_install(struct ua_loader *l, const struct ua_kruleset *ks)
{
	struct uringaudit__bss *bss = l->skel->bss;
	int rfd = bpf_map__fd(l->skel->maps.rules), sfd = bpf_map__fd(l->skel->maps.rstrs);
	__u32 idle = l->installed ? !__atomic_load_n(&bss->rules_bank, __ATOMIC_ACQUIRE) : 0;
	struct ua_krule kr;
	__u32 i, j, key;

	int rc;

	if (ks->n > UA_KRULES_MAX || ks->nstrs > UA_KSTRS_MAX)
		return -E2BIG;
	/* Per-op: the new set's handlers attached before it is in force. */
	rc = ua_perop_sync(l, ks->opmask);
	if (rc)
		return rc;
	for (i = 0; i < ks->nstrs; i++) {
		key = idle * UA_KSTRS_MAX + i;
		if (bpf_map_update_elem(sfd, &key, &ks->strs[i], BPF_ANY))
			return -errno;
	}
	for (i = 0; i < ks->n; i++) {
		kr = ks->rules[i];
		for (j = 0; j < kr.nfields && j < UA_KFIELDS_MAX; j++)
			kr.f[j].str_idx += idle * UA_KSTRS_MAX;
		key = idle * UA_KRULES_MAX + i;
		if (bpf_map_update_elem(rfd, &key, &kr, BPF_ANY))
			return -errno;
	}
	memcpy((void *)bss->opmask[idle], ks->opmask, sizeof(bss->opmask[idle]));
	bss->nrules[idle] = ks->n;
	__atomic_store_n(&bss->rules_bank, idle, __ATOMIC_RELEASE);
	/* not at the built-in set's install, before the configured rules */
	if (l->installed)
		inflight_drop(l, ks->opmask);
	l->installed = 1;
	ua_perop_retire(l, ks->opmask);
	return (int)idle;
}

void ua_loader_stop(struct ua_loader *l)
{
	/* Stopping (or failing to start) unpins the whole set: nothing is
	 * left attached without a daemon. Only a kill leaves it. */
	ua_pin_close(&l->pins);
	ua_perop_free(l);
	if (l->skel)
		uringaudit__destroy(l->skel);
	btf__free(l->vmlinux);
	l->skel = NULL;
	l->vmlinux = NULL;
}

int ua_loader_rb_fd(const struct ua_loader *l)
{
	return bpf_map__fd(l->skel->maps.rb);
}

int ua_loader_deny_req_fd(const struct ua_loader *l)
{
	return bpf_map__fd(l->skel->maps.deny_req);
}

void ua_loader_set_deny(struct ua_loader *l, int armed, int unrecorded)
{
	l->skel->bss->deny_unrecorded = !!unrecorded;
	__atomic_store_n(&l->skel->bss->deny_armed, !!armed, __ATOMIC_SEQ_CST);
}

void ua_loader_forget(void *loader, uint64_t req, uint64_t submit_seq)
{
	struct ua_loader *l = loader;
	struct ua_forget_ctx ctx = { .req = req, .submit_seq = submit_seq };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	if (l->skel && bpf_prog_test_run_opts(bpf_program__fd(l->skel->progs.forget_req), &opts))
		fprintf(stderr, "uringaudit: cannot drop a request's kernel entry: %s\n",
			strerror(errno));
}

int ua_loader_ring_serial(void *loader, uint64_t addr, uint64_t *serial)
{
	struct ua_loader *l = loader;

	if (!l->skel)
		return -1;
	return bpf_map__lookup_elem(l->skel->maps.ring_serials, &addr, sizeof(addr), serial,
				    sizeof(*serial), 0) ?
		       -1 :
		       0;
}

uint64_t ua_loader_counter(const struct ua_loader *l, unsigned int idx)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[1024], sum = 0;
	int i;

	if (ncpu <= 0 || ncpu > 1024)
		return 0;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.counters), &idx, vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* ---- the drops map (struct ua_drop_source) ---- */

static int drops_each(void *ctx,
		      void (*fn)(void *arg, const struct ua_drop_key *k, uint64_t n,
				 const char *comm),
		      void *arg)
{
	struct ua_loader *l = ctx;
	int fd = bpf_map__fd(l->skel->maps.drops), ncpu = libbpf_num_possible_cpus();
	struct ua_drop_key *keys, cur, next;
	struct ua_drop_val *vals;
	size_t nkeys = 0, i;
	int c, more, rc = -1;

	if (ncpu <= 0)
		return -1;
	keys = calloc(UA_DROPS_MAX, sizeof(*keys));
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!keys || !vals)
		goto out;
	/* Keys first, then each value: entries deleted meanwhile are skipped. */
	for (more = !bpf_map_get_next_key(fd, NULL, &next); more && nkeys < UA_DROPS_MAX;
	     more = !bpf_map_get_next_key(fd, &cur, &next)) {
		keys[nkeys++] = next;
		cur = next;
	}
	for (i = 0; i < nkeys; i++) {
		uint64_t n = 0;
		const char *comm = "";

		if (bpf_map_lookup_elem(fd, &keys[i], vals))
			continue;
		for (c = 0; c < ncpu; c++) {
			n += vals[c].n;
			if (!comm[0] && vals[c].comm[0])
				comm = vals[c].comm;
		}
		{
			char name[UA_COMM_LEN + 1];

			memcpy(name, comm, strnlen(comm, UA_COMM_LEN));
			name[strnlen(comm, UA_COMM_LEN)] = 0;
			fn(arg, &keys[i], n, name);
		}
	}
	rc = 0;
out:
	free(keys);
	free(vals);
	return rc;
}

static void drops_forget(void *ctx, const struct ua_drop_key *k)
{
	struct ua_loader *l = ctx;

	bpf_map_delete_elem(bpf_map__fd(l->skel->maps.drops), k);
}

static uint64_t drops_total(void *ctx)
{
	return ua_loader_counter(ctx, UA_CNT_DROPPED);
}

static uint64_t drops_unattributed(void *ctx, unsigned int reason)
{
	return ua_loader_counter(ctx, reason == UA_DROP_BUDGET ? UA_CNT_BUDGET_UNATTRIBUTED :
								 UA_CNT_DROP_UNATTRIBUTED);
}

void ua_loader_drop_source(struct ua_loader *l, struct ua_drop_source *src)
{
	src->each = drops_each;
	src->forget = drops_forget;
	src->total = drops_total;
	src->unattributed = drops_unattributed;
	src->ctx = l;
}

uint64_t ua_loader_seq_end(const struct ua_loader *l)
{
	return __atomic_load_n(&l->skel->bss->seq_next, __ATOMIC_ACQUIRE);
}

void ua_loader_detach(struct ua_loader *l)
{
	ua_pin_release_links(&l->pins);
	ua_perop_unlink(l);
	uringaudit__detach(l->skel);
}

const char *ua_loader_backend(const struct ua_loader *l)
{
	return l->perop ? "perop" : "tracepoint";
}

void ua_loader_tick(struct ua_loader *l)
{
	unsigned int bank;
	uint64_t m[4];

	if (!l->perop || !l->skel)
		return;
	bank = ua_loader_bank(l);
	memcpy(m, (const void *)l->skel->bss->opmask[bank], sizeof(m));
	ua_perop_retire(l, m);
}

int ua_loader_addr_known(const struct ua_loader *l)
{
	return l->skel && l->skel->bss->addr_layout != 0;
}

unsigned int ua_loader_bank(const struct ua_loader *l)
{
	return __atomic_load_n(&l->skel->bss->rules_bank, __ATOMIC_ACQUIRE) & 1;
}

uint64_t ua_loader_pending_below(const struct ua_loader *l, uint64_t seq)
{
	int fd = bpf_map__fd(l->skel->maps.pending);
	struct ua_pending v;
	__u64 key, next;
	uint64_t n = 0;
	int first = 1;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = 0;
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &v) && v.submit_seq < seq &&
		    !ua_pin_kept(&l->pins, v.submit_seq))
			n++;
	}
	return n;
}
