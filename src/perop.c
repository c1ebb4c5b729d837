// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-op backend (--backend perop): fexit programs on the prep and issue
 * handlers of the opcodes the rules select, and on nothing else, so that a
 * request of any other opcode runs no BPF instruction at all.
 *
 * Each opcode's handlers are read from the running kernel's op table
 * (io_issue_defs since Linux 6.4, io_op_defs before): its address from
 * /proc/kallsyms, its bytes by the read_kmem program, its layout (the .prep
 * and .issue members) from BTF; each function pointer is named by
 * /proc/kallsyms and must be a BTF FUNC to be attached. A handler is a stub
 * of six instructions, loaded here per function, that tail-calls the
 * object's perop_capture (prep handlers) or perop_result (issue handlers):
 * those are verified once, whatever the number of handlers.
 *
 * An opcode whose handlers cannot be attached stays with the tracepoint
 * programs (its "fallback"). Opcodes whose result may come after their
 * issue handler returned ("late": async reads and writes, multishot,
 * timeouts, poll, zero-copy sends, uring_cmd, waits) take it from hooks
 * that only their family runs, attached while such an op is selected:
 * reads and writes from io/rw.c's completion (perop_rw_*), multishot
 * accept, recv, recvmsg and read count their CQEs from the auxiliary-CQE
 * functions (perop_aux_*) and end at their handler. The others, and a
 * family whose functions this kernel lacks, have the io_uring_complete
 * program attached, which then runs for every completion on the machine
 * (status and the start record: perop_late_tracepoint).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "uringaudit.skel.h"

#define PEROP_OPS 256
#define PEROP_FNS 160

struct perop_fn {
	char name[64];
	__s32 btf_id;	 /* a FUNC of vmlinux's BTF, or -1 */
	int issue;	 /* an issue handler (else a prep handler) */
	int prog_fd;	 /* its stub, loaded on first use */
	int link_fd;	 /* attached: >= 0 */
	time_t retiring; /* unneeded since then (issue handlers: detached once idle) */
};

/* Where a late op's result comes from: its family. */
enum late_fam {
	LF_TP,	    /* the io_uring_complete program (every completion runs it) */
	LF_RW,	    /* io/rw.c's completion: perop_rw_done or _tw, perop_rw_iopoll */
	LF_MSHOT,   /* auxiliary CQEs counted by perop_aux_*, the last CQE the handler's */
	LF_POLL,    /* poll_add: its task work, poll_remove's handler (perop_poll_*) */
	LF_TIMEOUT, /* timeout, link_timeout: the timer, kill, cancel, disarm (perop_*timeout_*) */
	LF_NR,
};
#define LF_HOOKS 8
/* Families whose multishot CQEs are auxiliary ones: they need LF_MSHOT's
 * hooks attached too (multishot poll; multishot timeouts, 6.4 on). */
static const int fam_aux[LF_NR] = { [LF_MSHOT] = 1, [LF_POLL] = 1, [LF_TIMEOUT] = 1 };

struct ua_perop {
	unsigned int nops;
	int prep[PEROP_OPS], issue[PEROP_OPS]; /* index into fns[], -1: none */
	struct perop_fn fns[PEROP_FNS];
	unsigned int nfns;
	uint64_t late[4];	    /* ops whose result may come after the handler */
	uint64_t fam_ops[LF_NR][4]; /* the late ops of each family */
	uint64_t tp_late[4];	    /* late ops whose result needs io_uring_complete */
	uint64_t late_tp[4];	    /* selected and served such ops (status) */
	struct bpf_program *hook[LF_NR][LF_HOOKS]; /* each family's programs */
	const char *hook_fn[LF_NR][LF_HOOKS];	   /* and the functions they are on */
	int fam_ok[LF_NR];			   /* its programs load here */
	int fam_on[LF_NR];			   /* attached */
	time_t fam_retiring[LF_NR];		   /* unneeded since then */
	char fam_why[LF_NR][256];		   /* why not */
	uint64_t fallback[4]; /* selected ops left to the tracepoint programs */
	uint64_t served[4];   /* ops with their stubs attached (perop_ops) */
	char table[24];	      /* the op table's symbol */
};

/* Opcodes whose result may come after their issue handler returned
 * (IOU_ISSUE_SKIP_COMPLETE, or several CQEs), and where it comes from:
 * io_uring/rw.c's async completions (io_complete_rw, and since 6.6 a direct
 * write's io_req_rw_complete; io_complete_rw_iopoll); multishot accept,
 * recv, recvmsg and read, whose CQEs but the last are auxiliary CQEs posted
 * from their handler (a single-shot one retried after poll readiness or in
 * io-wq re-enters its handler, whose exit sees the result); poll_add
 * (its task work io_poll_task_func, poll_remove's handler io_poll_remove);
 * timeout and link_timeout (the timer io_timeout_fn, io_kill_timeout,
 * io_timeout_cancel, io_req_task_link_timeout, io_disarm_next); the
 * zero-copy sends' notifications, uring_cmd, waitid and futex waits,
 * epoll_wait and zero-copy receive: the completion tracepoint. */
static const struct {
	const char *op;
	enum late_fam fam;
} late_ops[] = {
	{ "read", LF_RW },	  { "write", LF_RW },	     { "readv", LF_RW },
	{ "writev", LF_RW },	  { "read_fixed", LF_RW },   { "write_fixed", LF_RW },
	{ "readv_fixed", LF_RW }, { "writev_fixed", LF_RW }, { "accept", LF_MSHOT },
	{ "recv", LF_MSHOT },	  { "recvmsg", LF_MSHOT },   { "read_multishot", LF_MSHOT },
	{ "poll_add", LF_POLL },  { "timeout", LF_TIMEOUT }, { "link_timeout", LF_TIMEOUT },
	{ "uring_cmd", LF_TP },	  { "send_zc", LF_TP },	     { "sendmsg_zc", LF_TP },
	{ "waitid", LF_TP },	  { "futex_wait", LF_TP },   { "futex_waitv", LF_TP },
	{ "epoll_wait", LF_TP },  { "recv_zc", LF_TP },
};
static const char *const fam_names[LF_NR] = { "tracepoint", "rw", "multishot", "poll", "timeout" };

static int fn_index(struct ua_perop *p, const char *name, int issue, const struct btf *btf)
{
	unsigned int i;

	for (i = 0; i < p->nfns; i++)
		if (p->fns[i].issue == issue && !strcmp(p->fns[i].name, name))
			return (int)i;
	if (p->nfns >= PEROP_FNS)
		return -1;
	snprintf(p->fns[i].name, sizeof(p->fns[i].name), "%s", name);
	p->fns[i].btf_id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	p->fns[i].issue = issue;
	p->fns[i].prog_fd = -1;
	p->fns[i].link_fd = -1;
	p->nfns++;
	return (int)i;
}

/* A stub for @fn: r1 (the fexit context) goes on to index 0 of @map_fd. */
static int stub_load(const struct perop_fn *fn, int map_fd)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM,
		  .dst_reg = BPF_REG_2,
		  .src_reg = BPF_PSEUDO_MAP_FD,
		  .imm = map_fd },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FEXIT,
		    .attach_btf_id = (__u32)fn->btf_id);

	return bpf_prog_load(BPF_PROG_TYPE_TRACING, fn->issue ? "ua_issue" : "ua_prep",
			     "Dual BSD/GPL", insns, sizeof(insns) / sizeof(insns[0]), &o);
}

/* Can this kernel load and attach a tracing program of @type (BPF_TRACE_FENTRY or
 * _FEXIT) on function @fn? (The development host's 6.18 cannot: function tracing is
 * blocked.) 1 yes; 0 no, and why. */
int ua_tracing_works(const struct btf *btf, const char *fn, int type, char *why, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	__s32 id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = (enum bpf_attach_type)type);
	const char *kind = type == BPF_TRACE_FENTRY ? "fentry" : "fexit";
	int fd, lfd;

	if (id < 0) {
		snprintf(why, len, "kernel BTF lacks %s", fn);
		return 0;
	}
	o.attach_btf_id = (__u32)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ua_probe", "Dual BSD/GPL", insns, 2, &o);
	if (fd < 0) {
		snprintf(why, len, "kernel refuses %s programs (%s)", kind, strerror(errno));
		return 0;
	}
	lfd = bpf_raw_tracepoint_open(NULL, fd);
	if (lfd < 0)
		snprintf(why, len, "kernel refuses to attach %s programs (%s)", kind,
			 strerror(errno));
	else
		close(lfd);
	close(fd);
	return lfd >= 0;
}

/* Can this kernel load and attach an fexit program on io_nop_prep? */
static int fexit_works(const struct btf *btf, char *why, size_t len)
{
	if (btf__find_by_name_kind(btf, "io_nop", BTF_KIND_FUNC) < 0) {
		snprintf(why, len, "kernel BTF lacks io_nop_prep/io_nop");
		return 0;
	}
	return ua_tracing_works(btf, "io_nop_prep", BPF_TRACE_FEXIT, why, len);
}

/* The address of data symbol @name in /proc/kallsyms, 0 if absent or
 * hidden (kptr_restrict). */
static uint64_t ksym_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256], sym[128], type;
	unsigned long long a;
	uint64_t found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &a, &type, sym) == 3 && !strcmp(sym, name)) {
			found = a;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Names of the text symbols at @addrs (n of them) into @names. */
static void ksym_names(const uint64_t *addrs, char (*names)[64], size_t n)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256], sym[128], type;
	unsigned long long a;
	size_t i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &a, &type, sym) != 3 ||
		    (type != 't' && type != 'T'))
			continue;
		for (i = 0; i < n; i++)
			if (addrs[i] == a && !names[i][0])
				snprintf(names[i], 64, "%.63s", sym);
	}
	fclose(f);
}

static int member_off(const struct btf *btf, __s32 sid, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, sid);
	const struct btf_member *m = btf_members(t);
	__u16 i;

	for (i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, m[i].name_off), name))
			return (int)(btf_member_bit_offset(t, i) / 8);
	return -1;
}

/* Has struct @sname a member @name, at any depth of anonymous members? */
static int has_member(const struct btf *btf, __s32 sid, const char *name, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)sid);
	const struct btf_member *m;
	__u16 i;

	if (!t || !btf_is_composite(t) || depth > 3)
		return 0;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf__name_by_offset(btf, m[i].name_off);

		if (mn && !strcmp(mn, name))
			return 1;
		if ((!mn || !mn[0]) &&
		    has_member(btf, (__s32)btf__resolve_type(btf, m[i].type), name, depth + 1))
			return 1;
	}
	return 0;
}

/* Is parameter @i of kernel function @fn an integer (and @fn in BTF)? */
static int fn_param_is_int(const struct btf *btf, const char *fn, int i)
{
	__s32 id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, (__u32)id);
	const struct btf_param *prm;

	if (!t || !(t = btf__type_by_id(btf, t->type)) || !btf_is_func_proto(t) || btf_vlen(t) <= i)
		return 0;
	prm = btf_params(t);
	t = btf__type_by_id(btf, (__u32)btf__resolve_type(btf, prm[i].type));
	return t && btf_is_int(t);
}

/* Family @f's program @i on kernel function @fn, loaded only if fexit
 * attaches there (a function inlined everywhere has BTF but no symbol).
 * @need 1: the family cannot do without it; 0: nor can it where the kernel
 * has the function (BTF); -1: it can (the program is left out). */
static void late_hook(struct ua_loader *l, enum late_fam f, int i, struct bpf_program *prog,
		      const char *fn, int need)
{
	struct ua_perop *p = l->perop;
	char why[160];

	if (!p->fam_ok[f] ||
	    (btf__find_by_name_kind(l->vmlinux, fn, BTF_KIND_FUNC) < 0 && need < 1))
		return;
	if (!ua_tracing_works(l->vmlinux, fn, BPF_TRACE_FEXIT, why, sizeof(why)) ||
	    bpf_program__set_attach_target(prog, 0, fn)) {
		if (need < 0)
			return;
		p->fam_ok[f] = 0;
		snprintf(p->fam_why[f], sizeof(p->fam_why[f]), "%.60s: %.180s", fn, why);
		return;
	}
	p->hook[f][i] = prog;
	p->hook_fn[f][i] = fn;
}

/* Which family's hooks this kernel has; they load only then. */
static void late_prepare(struct ua_loader *l)
{
	struct ua_perop *p = l->perop;
	struct uringaudit *s = l->skel;
	const struct btf *btf = l->vmlinux;
	__s32 rw = btf__find_by_name_kind(btf, "io_rw", BTF_KIND_STRUCT);
	__s32 kiocb = btf__find_by_name_kind(btf, "kiocb", BTF_KIND_STRUCT);
	long long v;
	int f, i;

	for (f = 0; f < LF_NR; f++)
		p->fam_ok[f] = 1;
	/* The handlers' return values that are no result. */
	if (!ua_btf_enum_value(btf, "IO_URING_F_MULTISHOT", &v))
		s->rodata->cfg_f_multishot = (__u32)v;
	if (!ua_btf_enum_value(btf, "IOU_STOP_MULTISHOT", &v))
		s->rodata->cfg_iou_stop_mshot = (__s32)v;
	/* rw: the kiocb is the request (io_rw's first member, the command
	 * area at the start of io_kiocb: cmd_to_io_kiocb). */
	if (rw < 0 || kiocb < 0 || member_off(btf, rw, "kiocb") != 0) {
		p->fam_ok[LF_RW] = 0;
		snprintf(p->fam_why[LF_RW], sizeof(p->fam_why[LF_RW]),
			 "struct io_rw's kiocb is not where it is expected");
	} else {
		/* since 6.6 a direct write's result may be set only in the
		 * task work (IOCB_DIO_CALLER_COMP, kiocb->dio_complete) */
		if (has_member(btf, kiocb, "dio_complete", 0))
			late_hook(l, LF_RW, 0, s->progs.perop_rw_tw, "io_req_rw_complete", 1);
		else
			late_hook(l, LF_RW, 0, s->progs.perop_rw_done, "io_complete_rw", 1);
		late_hook(l, LF_RW, 1, s->progs.perop_rw_iopoll, "io_complete_rw_iopoll", 1);
	}
	/* multishot: every function that posts an auxiliary CQE */
	late_hook(l, LF_MSHOT, 0, s->progs.perop_aux_post, "io_post_aux_cqe", 1);
	late_hook(l, LF_MSHOT, 1, s->progs.perop_aux_req, "io_req_post_cqe", 0);
	late_hook(l, LF_MSHOT, 2, s->progs.perop_aux_add, "io_add_aux_cqe", 0);
	/* the issue flag of a multishot re-issue tells IOU_STOP_MULTISHOT
	 * from an error */
	if (s->rodata->cfg_iou_stop_mshot && !s->rodata->cfg_f_multishot) {
		p->fam_ok[LF_MSHOT] = 0;
		snprintf(p->fam_why[LF_MSHOT], sizeof(p->fam_why[LF_MSHOT]),
			 "kernel BTF lacks IO_URING_F_MULTISHOT");
	}
	/* poll_add: its task work (the result of an armed poll, cancelled
	 * or not) and poll_remove's handler (its target's -ECANCELED) */
	late_hook(l, LF_POLL, 0, s->progs.perop_poll_tw, "io_poll_task_func", 1);
	late_hook(l, LF_POLL, 1, s->progs.perop_poll_remove, "io_poll_remove", 1);
	/* timeouts: fired, killed (count reached; a ring's or task's exit),
	 * cancelled, a link_timeout fired or disarmed */
	late_hook(l, LF_TIMEOUT, 0, s->progs.perop_timeout_fn, "io_timeout_fn", 1);
	late_hook(l, LF_TIMEOUT, 1, s->progs.perop_timeout_tw, "io_timeout_complete", 0);
	if (!fn_param_is_int(btf, "io_kill_timeout", 1)) {
		p->fam_ok[LF_TIMEOUT] = 0;
		snprintf(p->fam_why[LF_TIMEOUT], sizeof(p->fam_why[LF_TIMEOUT]),
			 "io_kill_timeout takes no status (a killed timeout's result comes later)");
	}
	late_hook(l, LF_TIMEOUT, 2, s->progs.perop_timeout_kill, "io_kill_timeout", 1);
	late_hook(l, LF_TIMEOUT, 3, s->progs.perop_timeout_extract, "io_timeout_extract", -1);
	late_hook(l, LF_TIMEOUT, 4, s->progs.perop_timeout_cancel, "io_timeout_cancel", 1);
	late_hook(l, LF_TIMEOUT, 5, s->progs.perop_ltimeout_tw, "io_req_task_link_timeout", 1);
	late_hook(l, LF_TIMEOUT, 6, s->progs.perop_ltimeout_disarming, "io_disarm_next", 1);
	late_hook(l, LF_TIMEOUT, 7, s->progs.perop_ltimeout_disarmed, "io_disarm_next", 1);
	for (f = LF_RW; f < LF_NR; f++)
		for (i = 0; i < LF_HOOKS; i++)
			if (p->fam_ok[f] && p->hook[f][i])
				bpf_program__set_autoload(p->hook[f][i], true);
			else
				p->hook[f][i] = NULL;
}

int ua_perop_prepare(struct ua_loader *l, char *why, size_t len)
{
	struct uringaudit *s = l->skel;
	const char *failed = NULL;

	if (!fexit_works(l->vmlinux, why, len))
		return -ENOTSUP;
	l->perop = calloc(1, sizeof(*l->perop));
	if (!l->perop) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	if (bpf_program__set_attach_target(s->progs.perop_capture, 0, "io_nop_prep") ||
	    bpf_program__set_attach_target(s->progs.perop_result, 0, "io_nop")) {
		snprintf(why, len, "cannot target io_nop_prep/io_nop");
		return -ENOTSUP;
	}
	bpf_program__set_autoload(s->progs.perop_capture, true);
	bpf_program__set_autoload(s->progs.perop_result, true);
	bpf_program__set_autoload(s->progs.read_kmem, true);
	/* Requests failed without their issue handler's verdict. */
	if (btf__find_by_name_kind(l->vmlinux, "io_req_defer_failed", BTF_KIND_FUNC) >= 0)
		failed = "io_req_defer_failed";
	else if (btf__find_by_name_kind(l->vmlinux, "io_req_complete_failed", BTF_KIND_FUNC) >= 0)
		failed = "io_req_complete_failed";
	if (failed && !bpf_program__set_attach_target(s->progs.perop_failed, 0, failed))
		bpf_program__set_autoload(s->progs.perop_failed, true);
	if (btf__find_by_name_kind(l->vmlinux, "btf_trace_io_uring_fail_link", BTF_KIND_TYPEDEF) >=
	    0)
		bpf_program__set_autoload(s->progs.perop_fail_link, true);
	/* A ring's end: the record tracepoints cannot give. */
	if (btf__find_by_name_kind(l->vmlinux, "io_ring_exit_work", BTF_KIND_FUNC) >= 0)
		bpf_program__set_autoload(s->progs.ring_teardown, true);
	late_prepare(l);
	return 0;
}

/* After the load: the op table read and decoded, the stubs' jump targets set. */
int ua_perop_table(struct ua_loader *l, const struct ua_optable *ops, char *why, size_t len)
{
	struct ua_perop *p = l->perop;
	struct uringaudit *s = l->skel;
	struct btf *btf = btf__load_vmlinux_btf();
	const char *sname;
	__s32 sid, eid;
	int prep_off, issue_off, rc = -ENOTSUP;
	uint64_t addr, *addrs = NULL;
	char(*names)[64] = NULL;
	size_t esz, nbytes;
	unsigned int op, i;
	__u64 args[2];
	__u32 key = 0;
	int fd;
	LIBBPF_OPTS(bpf_test_run_opts, to, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (!btf) {
		snprintf(why, len, "cannot read kernel BTF");
		return -ENOTSUP;
	}
	sname = "io_issue_def";
	snprintf(p->table, sizeof(p->table), "io_issue_defs");
	sid = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
	if (sid < 0) {
		sname = "io_op_def";
		snprintf(p->table, sizeof(p->table), "io_op_defs");
		sid = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
	}
	eid = btf__find_by_name_kind(btf, "io_uring_op", BTF_KIND_ENUM);
	if (sid < 0 || eid < 0) {
		snprintf(why, len, "kernel BTF lacks the op table's type");
		goto out;
	}
	prep_off = member_off(btf, sid, "prep");
	issue_off = member_off(btf, sid, "issue");
	esz = (size_t)btf__resolve_size(btf, sid);
	{
		const struct btf_type *et = btf__type_by_id(btf, eid);
		const struct btf_enum *e = btf_enum(et);

		p->nops = 0;
		for (i = 0; i < btf_vlen(et); i++)
			if (!strcmp(btf__name_by_offset(btf, e[i].name_off), "IORING_OP_LAST"))
				p->nops = (unsigned int)e[i].val;
	}
	if (prep_off < 0 || issue_off < 0 || !p->nops || p->nops > PEROP_OPS ||
	    esz * p->nops > sizeof(s->bss->kmem_buf) || esz < 16) {
		snprintf(why, len, "%s's layout is not understood", sname);
		goto out;
	}
	nbytes = esz * p->nops;
	addr = ksym_addr(p->table);
	if (!addr) {
		snprintf(why, len,
			 "%s is not in /proc/kallsyms (CONFIG_KALLSYMS_ALL, kptr_restrict)",
			 p->table);
		goto out;
	}
	args[0] = addr;
	args[1] = nbytes;
	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.read_kmem), &to) || to.retval) {
		snprintf(why, len, "cannot read %s", p->table);
		goto out;
	}
	addrs = calloc(2 * p->nops, sizeof(*addrs));
	names = calloc(2 * p->nops, sizeof(*names));
	if (!addrs || !names) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	for (op = 0; op < p->nops; op++) {
		memcpy(&addrs[2 * op], (const char *)s->bss->kmem_buf + op * esz + prep_off, 8);
		memcpy(&addrs[2 * op + 1], (const char *)s->bss->kmem_buf + op * esz + issue_off,
		       8);
	}
	ksym_names(addrs, names, 2 * p->nops);
	for (op = 0; op < PEROP_OPS; op++)
		p->prep[op] = p->issue[op] = -1;
	for (op = 0; op < p->nops; op++) {
		if (names[2 * op][0])
			p->prep[op] = fn_index(p, names[2 * op], 0, btf);
		if (names[2 * op + 1][0])
			p->issue[op] = fn_index(p, names[2 * op + 1], 1, btf);
	}
	for (i = 0; i < sizeof(late_ops) / sizeof(late_ops[0]); i++) {
		int n = ua_optable_lookup(ops, late_ops[i].op);
		enum late_fam f = late_ops[i].fam;

		if (n < 0 || n >= 256)
			continue;
		p->late[n / 64] |= 1ULL << (n % 64);
		p->fam_ops[f][n / 64] |= 1ULL << (n % 64);
		if (!p->fam_ok[f])
			f = LF_TP;
		if (f == LF_TP)
			p->tp_late[n / 64] |= 1ULL << (n % 64);
	}
	fd = bpf_program__fd(s->progs.perop_capture);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.perop_prep_jmp), &key, &fd, BPF_ANY)) {
		snprintf(why, len, "cannot set the capture's jump (%s)", strerror(errno));
		goto out;
	}
	fd = bpf_program__fd(s->progs.perop_result);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.perop_issue_jmp), &key, &fd, BPF_ANY)) {
		snprintf(why, len, "cannot set the result's jump (%s)", strerror(errno));
		goto out;
	}
	/* They run only for failed requests: attached for good. */
	if ((bpf_program__autoload(s->progs.perop_failed) &&
	     !(s->links.perop_failed = bpf_program__attach(s->progs.perop_failed))) ||
	    (bpf_program__autoload(s->progs.perop_fail_link) &&
	     !(s->links.perop_fail_link = bpf_program__attach(s->progs.perop_fail_link))) ||
	    (bpf_program__autoload(s->progs.ring_teardown) &&
	     !(s->links.ring_teardown = bpf_program__attach(s->progs.ring_teardown)))) {
		snprintf(why, len, "cannot attach the failure hooks (%s)", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(addrs);
	free(names);
	btf__free(btf);
	return rc;
}

/* Is op @op's pair of handlers attachable? */
static int op_servable(const struct ua_perop *p, unsigned int op)
{
	return op < p->nops && p->prep[op] >= 0 && p->issue[op] >= 0 &&
	       p->fns[p->prep[op]].btf_id >= 0 && p->fns[p->issue[op]].btf_id >= 0;
}

static int fn_attach(struct ua_loader *l, struct perop_fn *fn)
{
	int map_fd = bpf_map__fd(fn->issue ? l->skel->maps.perop_issue_jmp :
					     l->skel->maps.perop_prep_jmp);

	fn->retiring = 0;
	if (fn->link_fd >= 0)
		return 0;
	if (fn->prog_fd < 0)
		fn->prog_fd = stub_load(fn, map_fd);
	if (fn->prog_fd < 0)
		return -errno;
	fn->link_fd = bpf_raw_tracepoint_open(NULL, fn->prog_fd);
	return fn->link_fd < 0 ? -errno : 0;
}

static int tp_attach(struct bpf_program *prog, struct bpf_link **link)
{
	if (*link || !bpf_program__autoload(prog))
		return 0;
	*link = bpf_program__attach(prog);
	return *link ? 0 : -errno;
}

/* A family's hooks (perop_rw_*, perop_aux_*) attached; all or none. */
static struct bpf_link *fam_links[LF_NR][LF_HOOKS];

static void fam_detach(struct ua_perop *p, enum late_fam f)
{
	int i;

	for (i = 0; i < LF_HOOKS; i++) {
		bpf_link__destroy(fam_links[f][i]);
		fam_links[f][i] = NULL;
	}
	p->fam_on[f] = 0;
}

static int fam_attach(struct ua_perop *p, enum late_fam f)
{
	int i, rc = 0;

	if (p->fam_on[f])
		return 0;
	for (i = 0; i < LF_HOOKS && !rc; i++) {
		if (!p->hook[f][i])
			continue;
		fam_links[f][i] = bpf_program__attach(p->hook[f][i]);
		if (!fam_links[f][i]) {
			rc = -errno;
			snprintf(p->fam_why[f], sizeof(p->fam_why[f]), "cannot attach %s (%s)",
				 bpf_program__name(p->hook[f][i]), strerror(errno));
		}
	}
	if (rc) {
		fam_detach(p, f);
		return rc;
	}
	p->fam_on[f] = 1;
	return 0;
}

static enum late_fam fam_of(const struct ua_perop *p, unsigned int op)
{
	int f;

	for (f = LF_RW; f < LF_NR; f++)
		if (p->fam_ops[f][op / 64] & (1ULL << (op % 64)))
			return (enum late_fam)f;
	return LF_TP;
}

/* Ops of multishot requests whose auxiliary CQEs the perop_aux_* hooks
 * count (complete and cqe_overflow leave them alone). */
static void aux_publish(struct ua_loader *l)
{
	struct ua_perop *p = l->perop;
	unsigned int w;

	for (w = 0; w < 4; w++) {
		uint64_t m = 0;
		int f;

		for (f = LF_RW; f < LF_NR && p->fam_on[LF_MSHOT]; f++)
			if (fam_aux[f] && p->fam_on[f])
				m |= p->fam_ops[f][w];
		__atomic_store_n(&l->skel->bss->perop_aux_ops[w], p->served[w] & m,
				 __ATOMIC_RELEASE);
	}
}

int ua_perop_sync(struct ua_loader *l, const uint64_t opmask[4])
{
	struct ua_perop *p = l->perop;
	struct uringaudit *s = l->skel;
	uint64_t serve[4] = { 0 }, fallback[4] = { 0 }, late_tp[4] = { 0 };
	int late = 0, rc = 0, need[LF_NR] = { 0 };
	unsigned int op, w;

	if (!p)
		return 0;
	for (op = 0; op < 256; op++) {
		if (!(opmask[op / 64] & (1ULL << (op % 64))))
			continue;
		if (op_servable(p, op))
			serve[op / 64] |= 1ULL << (op % 64);
		else
			fallback[op / 64] |= 1ULL << (op % 64);
		if (!(p->late[op / 64] & (1ULL << (op % 64))))
			continue;
		if (p->tp_late[op / 64] & (1ULL << (op % 64))) {
			late = 1;
			late_tp[op / 64] |= 1ULL << (op % 64);
		} else {
			need[fam_of(p, op)] = 1;
		}
	}
	/* A family with multishot CQEs needs the auxiliary-CQE hooks. */
	for (op = LF_RW; op < LF_NR; op++)
		if (need[op] && fam_aux[op] && p->fam_ok[LF_MSHOT])
			need[LF_MSHOT] = 1;
	/* The completion side first: nothing selected is captured while
	 * nothing could see it end. A family whose hooks do not attach
	 * leaves its ops to the completion tracepoint, for good (and one that
	 * needs the auxiliary-CQE hooks when those do not). */
	for (op = LF_RW; op < LF_NR; op++) {
		if (!need[op])
			continue;
		if (fam_aux[op] && op != LF_MSHOT && !p->fam_on[LF_MSHOT]) {
			snprintf(p->fam_why[op], sizeof(p->fam_why[op]),
				 "needs the multishot family's hooks: %.200s",
				 p->fam_why[LF_MSHOT]);
		} else if (!fam_attach(p, (enum late_fam)op)) {
			continue;
		}
		p->fam_ok[op] = 0;
		for (w = 0; w < 4; w++) {
			p->tp_late[w] |= p->fam_ops[op][w];
			late_tp[w] |= opmask[w] & p->fam_ops[op][w];
		}
		late = 1;
	}
	for (w = 0; w < 4; w++)
		p->late_tp[w] = late_tp[w];
	if (late || fallback[0] | fallback[1] | fallback[2] | fallback[3]) {
		rc = tp_attach(s->progs.complete, &s->links.complete);
		if (!rc)
			rc = tp_attach(s->progs.complete_args, &s->links.complete_args);
		if (rc)
			return rc;
	}
	for (op = 0; op < 256; op++)
		if (serve[op / 64] & (1ULL << (op % 64))) {
			rc = fn_attach(l, &p->fns[p->issue[op]]);
			if (!rc)
				rc = fn_attach(l, &p->fns[p->prep[op]]);
			if (rc) {
				/* this op goes to the tracepoint programs */
				serve[op / 64] &= ~(1ULL << (op % 64));
				fallback[op / 64] |= 1ULL << (op % 64);
				rc = tp_attach(s->progs.complete, &s->links.complete);
				if (!rc)
					rc = tp_attach(s->progs.complete_args,
						       &s->links.complete_args);
				if (rc)
					return rc;
			}
		}
	for (w = 0; w < 4; w++) {
		p->served[w] |= serve[w];
		p->fallback[w] = fallback[w];
		/* an op the tracepoint programs serve is never also a per-op one */
		p->served[w] &= ~fallback[w];
		p->late_tp[w] &= ~fallback[w];
		__atomic_store_n(&s->bss->perop_ops[w], p->served[w], __ATOMIC_RELEASE);
	}
	aux_publish(l);
	if (fallback[0] | fallback[1] | fallback[2] | fallback[3]) {
		rc = tp_attach(s->progs.queue_async_work, &s->links.queue_async_work);
		if (!rc)
			rc = tp_attach(s->progs.submit_req, &s->links.submit_req);
		if (!rc)
			rc = tp_attach(s->progs.submit_sqe, &s->links.submit_sqe);
	}
	return rc;
}

/* Is a request pending whose issue handler is @fn (>= 0), or, with @fn
 * -1, one the tracepoint programs may still have to end (an op whose
 * result may come with the CQE, or one they serve), or, with @fn -2, one
 * of the ops in @mask? */
static int pending_busy(struct ua_loader *l, int fn, const uint64_t *mask)
{
	struct ua_perop *p = l->perop;
	int fd = bpf_map__fd(l->skel->maps.pending);
	struct ua_pending v;
	__u64 key, next;
	int first = 1;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = 0;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		if (fn >= 0  ? v.opcode < p->nops && p->issue[v.opcode] == fn :
		    fn == -2 ? (mask[v.opcode / 64] & (1ULL << (v.opcode % 64))) != 0 :
			       (p->tp_late[v.opcode / 64] & (1ULL << (v.opcode % 64))) ||
				       !(p->served[v.opcode / 64] & (1ULL << (v.opcode % 64))))
			return 1;
	}
	return 0;
}

static void tp_detach(struct bpf_link **link)
{
	bpf_link__destroy(*link);
	*link = NULL;
}

void ua_perop_retire(struct ua_loader *l, const uint64_t opmask[4])
{
	struct ua_perop *p = l->perop;
	unsigned char need[PEROP_FNS] = { 0 };
	time_t now = time(NULL);
	unsigned int op, i, w;

	if (!p)
		return;
	for (op = 0; op < p->nops; op++)
		if ((opmask[op / 64] & (1ULL << (op % 64))) && op_servable(p, op)) {
			need[p->prep[op]] = 1;
			need[p->issue[op]] = 1;
		}
	for (i = 0; i < p->nfns; i++) {
		struct perop_fn *fn = &p->fns[i];

		if (need[i] || fn->link_fd < 0)
			continue;
		if (fn->issue) {
			/* Requests captured before the reload still need their
			 * result: detached once none is pending, a tick later. */
			if (!fn->retiring) {
				fn->retiring = now;
				continue;
			}
			if (now - fn->retiring < 1 || pending_busy(l, (int)i, NULL))
				continue;
		}
		close(fn->link_fd);
		fn->link_fd = -1;
		fn->retiring = 0;
	}
	/* The tracepoint programs a set no longer needs: the submit side at
	 * once, the completion side once nothing pending may need it. */
	{
		uint64_t fb = p->fallback[0] | p->fallback[1] | p->fallback[2] | p->fallback[3];
		uint64_t lt = 0;
		struct uringaudit *s = l->skel;

		for (w = 0; w < 4; w++)
			lt |= opmask[w] & p->late_tp[w];
		if (!fb) {
			tp_detach(&s->links.submit_req);
			tp_detach(&s->links.submit_sqe);
		}
		if (!fb && !lt &&
		    (s->links.complete || s->links.complete_args || s->links.queue_async_work) &&
		    !pending_busy(l, -1, NULL)) {
			tp_detach(&s->links.complete);
			tp_detach(&s->links.complete_args);
			tp_detach(&s->links.queue_async_work);
		}
	}
	/* An op is served while its issue handler is attached. */
	for (w = 0; w < 4; w++) {
		uint64_t still = 0;

		for (op = w * 64; op < w * 64 + 64 && op < p->nops; op++)
			if ((p->served[w] & (1ULL << (op % 64))) && p->issue[op] >= 0 &&
			    p->fns[p->issue[op]].link_fd >= 0)
				still |= 1ULL << (op % 64);
		p->served[w] = still;
		__atomic_store_n(&l->skel->bss->perop_ops[w], still, __ATOMIC_RELEASE);
	}
	/* A family's hooks once no selected op needs them and no request of
	 * its ops is pending (one captured before the reload still needs its
	 * result). */
	for (i = LF_RW; i < LF_NR; i++) {
		uint64_t sel = 0, ops[4];
		unsigned int g;

		if (!p->fam_on[i])
			continue;
		for (w = 0; w < 4; w++) {
			ops[w] = p->fam_ops[i][w];
			/* the auxiliary-CQE hooks serve the families that use them */
			for (g = LF_RW; i == LF_MSHOT && g < LF_NR; g++)
				if (fam_aux[g] && p->fam_on[g])
					ops[w] |= p->fam_ops[g][w];
			sel |= opmask[w] & p->served[w] & ops[w];
		}
		if (sel) {
			p->fam_retiring[i] = 0;
			continue;
		}
		/* as the issue stubs: a tick later, once none is pending */
		if (!p->fam_retiring[i]) {
			p->fam_retiring[i] = now;
			continue;
		}
		if (now - p->fam_retiring[i] < 1 || pending_busy(l, -2, ops))
			continue;
		p->fam_retiring[i] = 0;
		if (fam_aux[i]) {
			p->fam_on[i] = 0; /* counted by complete again first */
			aux_publish(l);
		}
		fam_detach(p, (enum late_fam)i);
	}
	aux_publish(l);
}

void ua_perop_unlink(struct ua_loader *l)
{
	struct ua_perop *p = l->perop;
	unsigned int i;

	for (i = LF_RW; p && i < LF_NR; i++)
		fam_detach(p, (enum late_fam)i);

	for (i = 0; p && i < p->nfns; i++)
		if (p->fns[i].link_fd >= 0) {
			close(p->fns[i].link_fd);
			p->fns[i].link_fd = -1;
		}
}

void ua_perop_free(struct ua_loader *l)
{
	struct ua_perop *p = l->perop;
	unsigned int i;

	if (!p)
		return;
	for (i = LF_RW; i < LF_NR; i++)
		fam_detach(p, (enum late_fam)i);
	for (i = 0; i < p->nfns; i++) {
		if (p->fns[i].link_fd >= 0)
			close(p->fns[i].link_fd);
		if (p->fns[i].prog_fd >= 0)
			close(p->fns[i].prog_fd);
	}
	free(p);
	l->perop = NULL;
}

size_t ua_perop_describe(const struct ua_loader *l, char *buf, size_t len)
{
	const struct ua_perop *p = l->perop;
	size_t n = 0;
	unsigned int i;

	if (!len)
		return 0;
	buf[0] = 0;
	if (!p)
		return 0;
	for (i = 0; i < p->nfns && n + 1 < len; i++)
		if (p->fns[i].link_fd >= 0)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      p->fns[i].name);
	for (i = LF_RW; i < LF_NR && n + 1 < len; i++) {
		int h;

		for (h = 0; h < LF_HOOKS && p->fam_on[i] && n + 1 < len; h++)
			if (p->hook[i][h])
				n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
						      p->hook_fn[i][h]);
	}
	return n < len ? n : len - 1;
}

/* Stubs and hooks of ops no longer selected, still attached while a
 * request of theirs may be pending (detached a tick later at the
 * earliest): after a start (the built-in set goes first) or a reload,
 * they run until then. */
unsigned int ua_perop_retiring(const struct ua_loader *l)
{
	const struct ua_perop *p = l->perop;
	unsigned int i, n = 0;

	for (i = 0; p && i < p->nfns; i++)
		if (p->fns[i].link_fd >= 0 && p->fns[i].retiring)
			n++;
	for (i = LF_RW; p && i < LF_NR; i++)
		if (p->fam_on[i] && p->fam_retiring[i])
			n++;
	return n;
}

void ua_perop_late_tp(const struct ua_loader *l, uint64_t mask[4])
{
	memset(mask, 0, 4 * sizeof(mask[0]));
	if (l->perop)
		memcpy(mask, l->perop->late_tp, sizeof(l->perop->late_tp));
}

/* Why a family of late ops is left to the completion tracepoint ("" when
 * none is). */
size_t ua_perop_late_why(const struct ua_loader *l, char *buf, size_t len)
{
	const struct ua_perop *p = l->perop;
	size_t n = 0;
	int f;

	if (len)
		buf[0] = 0;
	for (f = LF_RW; p && f < LF_NR && n + 1 < len; f++)
		if (!p->fam_ok[f])
			n += (size_t)snprintf(buf + n, len - n, "%s%s: %s", n ? "; " : "",
					      fam_names[f], p->fam_why[f]);
	return n < len ? n : (len ? len - 1 : 0);
}

void ua_perop_fallback(const struct ua_loader *l, uint64_t mask[4])
{
	memset(mask, 0, 4 * sizeof(mask[0]));
	if (l->perop)
		memcpy(mask, l->perop->fallback, sizeof(l->perop->fallback));
}
