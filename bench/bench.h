/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * uabench: what uringaudit costs io_uring, side by side with nothing, with
 * empty BPF programs on the same tracepoints (the floor) and with the
 * kernel's own io_uring audit. See BENCHMARKS.md for the method.
 */
#ifndef UA_BENCH_H
#define UA_BENCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- clock.c: time and the stop flag ---- */
/* Set by SIGINT/SIGTERM/SIGHUP: every loop checks it and unwinds, so the
 * cleanup code (detach, stop the daemon, remove the audit rule) always runs. */
extern volatile sig_atomic_t bench_stop;

/* Monotonic seconds. */
double now_s(void);
/* Sleep @secs unless bench_stop is set meanwhile. */
void sleep_s(double secs);

/* ---- workload.c: the io_uring loops ---- */
enum wl_kind {
	WL_NOP,		 /* (a) NOP, batches of 32, ring of 128 */
	WL_READ,	 /* (b) 4 KiB random reads from the page cache, QD 32 */
	WL_OPEN,	 /* (c) openat + close of a small file, 16 pairs per submit */
	WL_OPEN_ASYNC,	 /* (d) the same with IOSQE_ASYNC */
	WL_READ_SQPOLL,	 /* (e) (b) on a SQPOLL ring */
	WL_FIO,		 /* (b) as an fio job, ioengine=io_uring */
	WL_NR,		 /* the timed workloads end here */
	WL_WAKE = WL_NR, /* flood only: futex_wake, 64 per submit */
	WL_ALL,
};

struct wl_desc {
	const char *id;		  /* "a".."e", "b-fio" */
	const char *name;	  /* short name for tables */
	const char *what;	  /* one line */
	const char *unit;	  /* what one counted op is */
	unsigned int reqs_per_op; /* io_uring requests per counted op */
	unsigned int audited;	  /* requests per op that the default rules select */
	const char *ops;	  /* the opcodes it submits, as rules name them */
};
extern const struct wl_desc wl_descs[WL_ALL];

struct wl_env {
	const char *read_path;	/* a file held in the page cache */
	uint64_t read_blocks;	/* its size in 4 KiB blocks */
	const char *small_path; /* the small file that (c)/(d) open */
	const char *fio;	/* fio binary, NULL when not installed */
};

struct wl_result {
	double secs;  /* measured time (warm-up excluded) */
	uint64_t ops; /* counted ops (NOPs, reads, open+close pairs) */
	double per_s; /* ops / secs */
};

/*
 * Run workload @k in @nthreads fresh threads (one ring each) for @warmup
 * seconds, then @secs measured seconds. @rate, when nonzero, paces the
 * submission to that many io_uring requests per second in total (the flood
 * phase). Threads are created per call on purpose: see workload.c.
 * Returns 0, or -1 with a message in @err.
 */
int wl_run(enum wl_kind k, const struct wl_env *env, unsigned int nthreads, double warmup,
	   double secs, double rate, struct wl_result *r, char *err, size_t errlen);

/*
 * wl_run() in @nprocs child processes at once, each with @nthreads threads
 * (the flood's generator: more submitters than one process has; each process
 * is its own submitter for the daemon's per-process budgets). @rate, when
 * nonzero, is the total over all of them. The children die with the caller
 * (PR_SET_PDEATHSIG). r->ops is the sum, r->secs the longest child's.
 */
int wl_run_procs(enum wl_kind k, const struct wl_env *env, unsigned int nprocs,
		 unsigned int nthreads, double secs, double rate, struct wl_result *r, char *err,
		 size_t errlen);

/* ---- variant.c: set up and tear down what is measured ---- */
enum variant {
	V_BASE,	      /* nothing attached, kernel audit off */
	V_FLOOR,      /* empty tp_btf programs on the daemon's 7 tracepoints */
	V_UA_NONE,    /* uringaudit's programs, nothing selected (in this process) */
	V_UA_DEFAULT, /* the daemon, default rules, records to a file */
	V_KAUDIT,     /* the kernel's io_uring audit, same opcodes, auditd running */
	/* The backends side by side (make bench-vm; run only when --variants
	 * names them): the daemon on one backend, with rules that select no
	 * opcode of the workloads (-S connect) or, loaded before each
	 * workload runs (var_select), that workload's own opcodes. */
	V_TP_UNSEL,    /* --backend tracepoint, -S connect */
	V_TP_SEL,      /* --backend tracepoint, the workload's own opcodes */
	V_PEROP_UNSEL, /* --backend perop, -S connect */
	V_PEROP_SEL,   /* --backend perop, the workload's own opcodes */
	V_PEROP_LATE,  /* --backend perop, -S write: none of the workloads' opcodes,
			* but one whose result may come after its issue handler
			* (its late-completion hooks are attached for it) */
	V_NR,
};
/* Variants that the bench runs only when --variants names them. */
#define V_FIRST_OPTIONAL V_TP_UNSEL
/* Is @v the daemon, a separate process (ua-default and the backends)? */
int var_is_daemon(enum variant v);
extern const char *const variant_names[V_NR];

/* The daemon's status counters that the bench uses. */
struct ua_status_snap {
	uint64_t selected;
	uint64_t events;
	uint64_t recorded;
	uint64_t lost;
	uint64_t lost_declared;
	uint64_t pending;
};

struct ua_floor;
struct ua_loader;

struct vctx {
	/* configuration */
	const char *daemon_path; /* build/uringaudit */
	const char *dir;	 /* scratch directory */
	double foreign_wait_s;	 /* how long to wait for others' io_uring BPF programs */
	int foreign_ok;		 /* --foreign-ok: then measure anyway (counted in foreign_runs) */
	int foreign_runs;	 /* setups that went ahead with foreign programs attached */
	const char *format;	 /* the daemon's --format; NULL: its default (text) */
	char log_path[512], pid_path[512], sock_path[512], err_path[512];
	/* the backend variants' rule files: no opcode of the workloads, all of them */
	char rules_unsel[512], rules_sel[512], rules_late[512];
	/* the per-op backend as the probe found it: handlers attached, opcodes
	 * left to the tracepoints (status perop_handlers, perop_fallback) */
	char perop_handlers[1024], perop_fallback[256];
	uint64_t opmask[4]; /* the daemon's default opcodes */
	unsigned int nops;  /* bits set in opmask */
	/* availability, with the reason when not */
	int avail[V_NR];
	char why[V_NR][256];
	/* state */
	int active; /* variant set up now, or -1 */
	struct ua_floor *floor;
	struct ua_loader *loader;
	pid_t daemon_pid;
	int audit_fd;
	int audit_enabled_orig; /* -1: never read */
	int audit_rule_added;
	uint32_t audit_backlog_limit;
	uint32_t audit_backlog_wait;
	pid_t auditd_pid;
	const char *audit_log; /* auditd's log, to check records arrive */
};

void var_init(struct vctx *v, const char *daemon_path, const char *dir);
/* Decide which variants can run here (root, BTF, libaudit, auditd...);
 * only those @want sets (V_BASE always) are tried, the others marked so. */
void var_probe(struct vctx *v, const struct wl_env *env, const int want[V_NR]);
/* Sets up @which and checks that no other process's BPF program sits on an
 * io_uring tracepoint (waiting for it to go, foreign_wait_s at most). */
int var_setup(struct vctx *v, enum variant which, char *err, size_t errlen);
int var_wait_foreign(const struct vctx *v, char *err, size_t errlen);
/* How many BPF programs of other processes sit on io_uring tracepoints now;
 * the first one described in @desc. */
int var_foreign_links(const struct vctx *v, char *desc, size_t len);
void var_teardown(struct vctx *v);
/* Under tp-sel and perop-sel: load rules selecting @k's opcodes into the
 * daemon (uringaudit rules load). Nothing for the other variants. */
int var_select(struct vctx *v, enum wl_kind k, char *err, size_t errlen);
/* Idempotent; safe from an atexit handler. Detaches everything, stops the
 * daemon, removes the audit rule, restores the audit enabled flag. */
void var_cleanup(struct vctx *v);
/* Remove a rule that a killed earlier run may have left (--cleanup). */
int var_kaudit_remove_stale(char *err, size_t errlen);

int daemon_status(const char *sock, struct ua_status_snap *s);
/* The string value of @key in the daemon's status ("" when absent). */
int daemon_status_str(const char *sock, const char *key, char *out, size_t len);
/* Is the daemon still running? (Reaps it when it is not.) */
int var_daemon_alive(struct vctx *v);
/* The kernel audit's status (lost counter, backlog, auditd's pid). */
struct kaudit_snap {
	uint32_t enabled;
	uint32_t pid;
	uint32_t lost;
	uint32_t backlog;
	uint32_t backlog_limit;
	uint32_t backlog_wait_time;
};
int kaudit_status(struct vctx *v, struct kaudit_snap *s);

/* ---- proc.c: what /proc says about a process ---- */
/* utime + stime in seconds (all threads). */
double proc_cpu_s(pid_t pid);
/* A "Vm..." field of /proc/PID/status in KiB, or 0. */
uint64_t proc_status_kb(pid_t pid, const char *field);
/* BPF objects a process holds (from /proc/PID/fd and fdinfo). */
struct bpf_obj_info {
	uint32_t id;
	char name[20];
	char type[24];	  /* map type or prog type, as a number string */
	uint64_t memlock; /* bytes */
};
int proc_bpf_objs(pid_t pid, const char *kind /* "bpf-map" | "bpf-prog" */,
		  struct bpf_obj_info *out, int max);

/*
 * BPF links attached to io_uring tracepoints, system-wide (tp_btf and
 * raw_tp). Returns how many; fills up to @max descriptions ("name (prog N)
 * on TRACEPOINT") and program ids (@prog_ids may be NULL).
 */
int io_uring_links(char desc[][128], int max, uint32_t *prog_ids);

#endif /* UA_BENCH_H */
