// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uabench - what uringaudit costs io_uring, measured side by side with no
 * auditing, with the dispatch floor and with the kernel's own io_uring audit.
 *
 *   uabench [--quick] [--reps N] [--secs S] [--warmup S] [--daemon PATH]
 *           [--workloads a,b,c,d,e,b-fio] [--variants base,floor,...]
 *           [--no-flood] [--no-diag] [--dir DIR]
 *           [--flood-only] [--flood-rates R,R,...] [--baseline PATH]
 *           [--foreign-wait S] [--foreign-ok]
 *   uabench --cleanup        remove an io_uring audit rule a killed run left
 *
 * Phases, all in this one process so that one signal handler and one
 * cleanup path cover everything it attaches or starts:
 *  1. timed runs: every workload under every variant, several repetitions,
 *     the variant order rotated each repetition (round robin) so that drift
 *     and noise hit every variant alike; the ratios compare each variant
 *     with the base of the same repetition;
 *  2. flood: the daemon under selected opens from 2 threads at rising
 *     rates, to find the highest rate it records with no loss; then its
 *     memory;
 *  3. diagnostics: per-program BPF run time with the kernel's BPF stats on
 *     (never during phase 1: the stats add ~140 ns per program run).
 *
 * Results go to stdout as Markdown tables (BENCHMARKS.md pastes them), and
 * progress to stderr. Exit 0 when every phase ran (missed targets are
 * results, not failures), 1 on errors, 2 on usage errors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"

#define MAX_REPS 50
#define FLOOD_STEPS_MAX 16
#define READ_FILE_MB 256
#define SETTLE_MAX_S 10.0

static double t_start;

static void on_signal(int sig)
{
	bench_stop = 1;
}

struct opts {
	int reps;
	double secs, warmup;
	double flood_secs, diag_secs;
	int tries; /* attempts at a run that other work disturbed */
	int quick;
	int flood, diag;
	int wl_on[WL_NR];
	int var_on[V_NR];
	const char *daemon;
	const char *dir;
	int flood_only; /* the flood phase alone: no timed runs, no diagnostics */
	/* --flood-rates: the steps (req/s; 0 unpaced), else the defaults */
	double rates[FLOOD_STEPS_MAX];
	int nrates;
	/* --baseline: a second daemon run through the same flood series just
	 * before this one (a build of main), printed side by side */
	const char *baseline;
	/* --flood-gen P,T: the generator step (futex_wake from P processes x T
	 * threads, unpaced) after the open steps; P 0: none */
	unsigned int gen_procs, gen_threads;
};

/* Extra measurements taken alongside the timed runs. */
struct extra {
	/* ua-default: daemon counters and CPU over the runs of a workload */
	uint64_t ua_recorded, ua_lost, ua_lost_declared, ua_log_bytes;
	double ua_cpu_s;
	/* kaudit: the kernel's lost counter, auditd's CPU, audited requests */
	uint64_t ka_lost, ka_reqs;
	double ka_cpu_s;
	uint32_t ka_backlog_max;
};

static struct vctx vc;
static char scratch[256];
static int scratch_made;
static char read_path[300], small_path[300];
static void *data_map; /* the data file, locked in memory */

static void cleanup(void)
{
	var_cleanup(&vc);
	if (scratch_made) {
		unlink(read_path);
		unlink(small_path);
		unlink(vc.err_path);
		unlink(vc.log_path);
		unlink(vc.rules_unsel);
		unlink(vc.rules_sel);
		unlink(vc.rules_late);
		rmdir(scratch);
		scratch_made = 0;
	}
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

/* ---- statistics ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_REPS];

	if (n <= 0)
		return NAN;
	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The @q quantile (0..1) with linear interpolation. */
static double quantile(const double *v, int n, double q)
{
	double s[MAX_REPS], pos;
	int i;

	if (n <= 0)
		return NAN;
	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	pos = q * (n - 1);
	i = (int)pos;
	if (i >= n - 1)
		return s[n - 1];
	return s[i] + (pos - i) * (s[i + 1] - s[i]);
}

static double vmin(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* ---- setup ---- */

static int make_files(int quick)
{
	size_t chunk = 1 << 20, i, mb = quick ? 64 : READ_FILE_MB;
	char *buf;
	int fd;

	snprintf(read_path, sizeof(read_path), "%s/data", scratch);
	snprintf(small_path, sizeof(small_path), "%s/small", scratch);
	fd = open(small_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "uabench small file\n", 19) != 19) {
		perror("uabench: small file");
		return -1;
	}
	close(fd);
	buf = malloc(chunk);
	if (!buf)
		return -1;
	/* Real data, not a hole: reads must copy from cached pages. Written
	 * through the page cache, so it stays cached (then read back once). */
	for (i = 0; i < chunk; i++)
		buf[i] = (char)(i * 2654435761u >> 24);
	fd = open(read_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("uabench: data file");
		free(buf);
		return -1;
	}
	for (i = 0; i < mb; i++) {
		if (write(fd, buf, chunk) != (ssize_t)chunk) {
			perror("uabench: data file");
			close(fd);
			free(buf);
			return -1;
		}
	}
	fsync(fd);
	/*
	 * Pin the file's pages in the page cache for the whole bench. Memory
	 * that stays unused for a while can be reclaimed behind our back (this
	 * VM runs DAMON with a pageout scheme): then the read workloads would
	 * partly read from disk, slower and slower as the bench goes on, and
	 * noisy. mlock() on a shared mapping locks the page cache pages
	 * themselves, and faults them in.
	 */
	data_map = mmap(NULL, mb * chunk, PROT_READ, MAP_SHARED, fd, 0);
	if (data_map == MAP_FAILED || mlock(data_map, mb * chunk)) {
		fprintf(stderr,
			"uabench: cannot lock the data file in memory (%s): reads may hit the "
			"disk\n",
			strerror(errno));
		if (data_map != MAP_FAILED)
			munmap(data_map, mb * chunk);
		data_map = NULL;
		lseek(fd, 0, SEEK_SET);
		while (read(fd, buf, chunk) > 0)
			;
	}
	close(fd);
	free(buf);
	return (int)mb;
}

static void machine_info(const struct opts *o, const struct wl_env *env)
{
	char model[256] = "?", line[256], spectre[160] = "?", srso[160] = "?";
	struct utsname u;
	time_t t = time(NULL);
	FILE *f;

	uname(&u);
	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');

			snprintf(model, sizeof(model), "%s", p ? p + 2 : line);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/sys/devices/system/cpu/vulnerabilities/spectre_v2", "re");
	if (f && fgets(spectre, sizeof(spectre), f))
		spectre[strcspn(spectre, "\n")] = '\0';
	if (f)
		fclose(f);
	f = fopen("/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow", "re");
	if (f && fgets(srso, sizeof(srso), f))
		srso[strcspn(srso, "\n")] = '\0';
	if (f)
		fclose(f);

	printf("## uabench %s\n\n", o->flood_only ? "(flood series only)" :
				    o->quick	  ? "(quick)" :
						    "(full)");
	printf("- date: %s", ctime(&t));
	printf("- kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	printf("- CPU: %ld x %s; spectre_v2: %s; SRSO: %s\n", sysconf(_SC_NPROCESSORS_ONLN), model,
	       spectre, srso);
	if (o->flood_only)
		printf("- runs: the flood series alone (--flood-only)%s\n",
		       o->baseline ? ", each on the --baseline daemon first" : "");
	else
		printf("- runs: %d repetitions x %.2f s measured (+%.2f s warm-up) per workload and "
		       "variant, variant order rotated each repetition\n",
		       o->reps, o->secs, o->warmup);
	{
		double la[3];

		if (getloadavg(la, 3) == 3)
			printf("- load average at the start: %.2f %.2f %.2f\n", la[0], la[1],
			       la[2]);
	}
	printf("- read file: %llu MiB in the page cache; fio: %s\n",
	       (unsigned long long)(env->read_blocks * 4096 >> 20), env->fio ? env->fio : "absent");
	if (vc.avail[V_KAUDIT])
		printf("- kernel audit: auditd pid %d, backlog_limit %u, backlog_wait_time %u; "
		       "%u default opcodes selected (same bitmap as the daemon)\n",
		       (int)vc.auditd_pid, vc.audit_backlog_limit, vc.audit_backlog_wait, vc.nops);
	printf("\n");
}

/* ---- the daemon's and auditd's counters around a run ---- */

/* Wait until the daemon has written everything it was sent: its counters
 * stop moving and its URING_LOST records have declared what it lost. Keeps
 * one run's drain out of the next run's time, and each step's
 * lost_declared beside its own lost. */
static void daemon_settle(struct ua_status_snap *s)
{
	struct ua_status_snap prev;
	double end = now_s() + SETTLE_MAX_S;
	int stable = 0;

	if (daemon_status(vc.sock_path, &prev))
		return;
	*s = prev;
	while (stable < 3 && now_s() < end && !bench_stop) {
		usleep(20000);
		if (daemon_status(vc.sock_path, s))
			return;
		/* ... and the loss is declared: drops by the budgets are
		 * declared per interval (URING_LOST), up to a second later */
		if (s->recorded == prev.recorded && s->events == prev.events &&
		    s->lost_declared >= s->lost)
			stable++;
		else
			stable = 0;
		prev = *s;
	}
	if (getenv("UABENCH_DEBUG"))
		progress(" [settle %.2f s: events %llu recorded %llu pending %llu]",
			 now_s() - end + SETTLE_MAX_S, (unsigned long long)s->events,
			 (unsigned long long)s->recorded, (unsigned long long)s->pending);
}

/* The kernel audit backlog drains into auditd after the run: wait. */
static void kaudit_settle(struct kaudit_snap *k)
{
	double end = now_s() + SETTLE_MAX_S;

	while (!kaudit_status(&vc, k) && k->backlog && now_s() < end && !bench_stop)
		usleep(20000);
}

static uint64_t file_bytes(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/*
 * Someone else's work on the machine (a build, a test suite) lands in
 * whichever variant runs at that moment and passes for its cost. Each run
 * is checked: the CPU time the whole machine was busy, less the time of the
 * processes the run involves (this one with its io_uring threads, fio, the
 * daemon, auditd and kauditd), over the run's wall time. A run where that
 * is above FOREIGN_MAX CPUs is done again, up to o->tries times.
 */
#define FOREIGN_MAX 0.10

static pid_t kauditd_pid;
static unsigned int runs_repeated, runs_disturbed;
static double foreign_max_kept;

static double sys_busy_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return 0;
	/* user nice system idle iowait irq softirq steal: all but idle+iowait */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

static double pos(double x)
{
	return x > 0 ? x : 0;
}

static double own_cpu_s(void)
{
	struct rusage ru;
	double t = proc_cpu_s(getpid());

	if (vc.daemon_pid > 0)
		t += pos(proc_cpu_s(vc.daemon_pid));
	if (vc.auditd_pid > 0)
		t += pos(proc_cpu_s(vc.auditd_pid));
	if (kauditd_pid > 0)
		t += pos(proc_cpu_s(kauditd_pid));
	/* fio, once reaped */
	if (!getrusage(RUSAGE_CHILDREN, &ru))
		t += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	return t;
}

static pid_t find_kthread(const char *name)
{
	char path[64], comm[64];
	struct dirent *de;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	while (d && !found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", de->d_name);
		f = fopen(path, "re");
		if (f && fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			if (!strcmp(comm, name))
				found = (pid_t)atoi(de->d_name);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* One run with whatever variant is up; extras gathered for the daemon and
 * kernel audit variants. Returns the CPUs' worth of foreign work seen. */
static int one_run(const struct opts *o, const struct wl_env *env, enum wl_kind k, enum variant var,
		   double *per_s, struct extra *x, double *foreign)
{
	struct ua_status_snap s0, s1;
	struct kaudit_snap k0, k1;
	struct wl_result r;
	double c0 = 0, c1, b0, o0, t0, wall;
	uint64_t log_bytes = 0;
	char err[256];

	if (var_is_daemon(var)) {
		daemon_settle(&s0);
		c0 = proc_cpu_s(vc.daemon_pid);
	} else if (var == V_KAUDIT) {
		kaudit_settle(&k0);
		c0 = proc_cpu_s(vc.auditd_pid);
	}
	b0 = sys_busy_s();
	o0 = own_cpu_s();
	t0 = now_s();
	if (wl_run(k, env, 1, o->warmup, o->secs, 0, &r, err, sizeof(err))) {
		fprintf(stderr, "uabench: %s under %s: %s\n", wl_descs[k].name, variant_names[var],
			err);
		return -1;
	}
	wall = now_s() - t0;
	*foreign = ((sys_busy_s() - b0) - (own_cpu_s() - o0)) / wall;
	if (var_is_daemon(var) && !var_daemon_alive(&vc)) {
		fprintf(stderr, "uabench: the daemon exited during %s\n", wl_descs[k].name);
		return -1;
	}
	*per_s = r.per_s;
	if (var_is_daemon(var)) {
		daemon_settle(&s1);
		log_bytes = file_bytes(vc.log_path);
		/* The log is opened O_APPEND: truncating it is safe and keeps
		 * the disk from filling over a long bench. */
		if (truncate(vc.log_path, 0))
			fprintf(stderr, "uabench: truncate %s: %s\n", vc.log_path, strerror(errno));
	}
	if (var == V_UA_DEFAULT) {
		c1 = proc_cpu_s(vc.daemon_pid);
		x->ua_recorded += s1.recorded - s0.recorded;
		x->ua_lost += s1.lost - s0.lost;
		x->ua_lost_declared += s1.lost_declared - s0.lost_declared;
		x->ua_cpu_s += c1 - c0;
		x->ua_log_bytes += log_bytes;
	} else if (var == V_KAUDIT) {
		kaudit_status(&vc, &k1);
		if (k1.backlog > x->ka_backlog_max)
			x->ka_backlog_max = k1.backlog;
		kaudit_settle(&k1);
		c1 = proc_cpu_s(vc.auditd_pid);
		x->ka_lost += k1.lost - k0.lost;
		x->ka_cpu_s += c1 - c0;
		/* every request of the run, warm-up included, was audited */
		x->ka_reqs += (uint64_t)(r.per_s * (o->secs + o->warmup)) * wl_descs[k].audited;
	}
	return 0;
}

static int timed_run(const struct opts *o, const struct wl_env *env, enum wl_kind k,
		     enum variant var, double *per_s, struct extra *x)
{
	double foreign = 0;
	char err[256];
	int t, links;

	for (t = 1;; t++) {
		/* Someone else's io_uring BPF programs would be measured as
		 * ours (a test suite's daemon, say): wait for them to go, and
		 * do a run again that they joined. */
		if (var_wait_foreign(&vc, err, sizeof(err))) {
			fprintf(stderr, "uabench: %s\n", err);
			return -1;
		}
		if (one_run(o, env, k, var, per_s, x, &foreign))
			return -1;
		/* A first step longer than the warm-up and the measured time
		 * together (the thread preempted for that long: a loaded
		 * machine, a TCG guest) leaves nothing measured. */
		if (*per_s <= 0) {
			if (t >= o->tries) {
				fprintf(stderr, "uabench: %s under %s: nothing measured in %d runs\n",
					wl_descs[k].name, variant_names[var], t);
				return -1;
			}
			runs_repeated++;
			progress(" [%s: nothing measured; again]", wl_descs[k].id);
			continue;
		}
		links = var_foreign_links(&vc, NULL, 0);
		if (foreign <= FOREIGN_MAX && !links)
			break;
		if (t >= o->tries && !links) {
			runs_disturbed++;
			progress(" [%s: other work used %.2f CPU; kept]", wl_descs[k].id, foreign);
			break;
		}
		runs_repeated++;
		if (links)
			progress(" [%s: another process's BPF programs on io_uring; again]",
				 wl_descs[k].id);
		else
			progress(" [%s: other work used %.2f CPU; again]", wl_descs[k].id, foreign);
		sleep_s(0.5);
	}
	if (foreign > foreign_max_kept)
		foreign_max_kept = foreign;
	return 0;
}

/* ---- phase 1 ---- */

static double res[WL_NR][V_NR][MAX_REPS];
static struct extra extras[WL_NR];

static int phase_timed(const struct opts *o, const struct wl_env *env)
{
	enum variant order[V_NR];
	int nv = 0, rep, j, k;
	char err[256];

	for (j = 0; j < V_NR; j++)
		if (o->var_on[j] && vc.avail[j])
			order[nv++] = (enum variant)j;
	/* Warm caches, page cache and the CPU before the first counted run. */
	progress("warm-up runs (base)\n");
	for (k = 0; k < WL_NR && !bench_stop; k++) {
		double dummy, foreign;
		struct extra x = { 0 };

		if (o->wl_on[k] && k != WL_FIO)
			one_run(o, env, (enum wl_kind)k, V_BASE, &dummy, &x, &foreign);
	}
	for (rep = 0; rep < o->reps && !bench_stop; rep++) {
		for (j = 0; j < nv && !bench_stop; j++) {
			enum variant var = order[(j + rep) % nv];

			progress("[%4.0f s] rep %d/%d %-10s", now_s() - t_start, rep + 1, o->reps,
				 variant_names[var]);
			if (var_setup(&vc, var, err, sizeof(err))) {
				fprintf(stderr, "\nuabench: cannot set up %s: %s\n",
					variant_names[var], err);
				return -1;
			}
			for (k = 0; k < WL_NR && !bench_stop; k++) {
				if (!o->wl_on[k])
					continue;
				if (var_select(&vc, (enum wl_kind)k, err, sizeof(err))) {
					fprintf(stderr, "\nuabench: %s: %s\n", variant_names[var],
						err);
					var_teardown(&vc);
					return -1;
				}
				if (timed_run(o, env, (enum wl_kind)k, var, &res[k][var][rep],
					      &extras[k])) {
					var_teardown(&vc);
					return -1;
				}
				progress(" %s=%.0fk", wl_descs[k].id, res[k][var][rep] / 1e3);
			}
			var_teardown(&vc);
			/* Flush what auditd (or anything) left dirty, so writeback
			 * does not land in the next variant's runs. */
			sync();
			progress("\n");
		}
	}
	return bench_stop ? -1 : 0;
}

static double scale_of(enum wl_kind k, const char **unit)
{
	if (k == WL_NOP) {
		*unit = "M";
		return 1e6;
	}
	*unit = "k";
	return 1e3;
}

/* Median over repetitions of the paired ratio and of the added ns per op. */
static void paired(enum wl_kind k, enum variant v, int reps, double *ratio, double *added_ns)
{
	double r[MAX_REPS], a[MAX_REPS];
	int i;

	for (i = 0; i < reps; i++) {
		double b = res[k][V_BASE][i], x = res[k][v][i];

		r[i] = x / b;
		a[i] = 1e9 / x - 1e9 / b;
	}
	*ratio = median(r, reps);
	*added_ns = median(a, reps);
}

static void report_timed(const struct opts *o)
{
	int k, v, reps = o->reps;

	printf("### Throughput (min / median / max over %d repetitions; ratio = median of "
	       "variant/base in the same repetition; added = median of 1/variant - 1/base, per "
	       "counted op)\n\n",
	       reps);
	for (k = 0; k < WL_NR; k++) {
		const char *unit;
		double sc = scale_of((enum wl_kind)k, &unit);

		if (!o->wl_on[k])
			continue;
		printf("#### (%s) %s: %s\n\n", wl_descs[k].id, wl_descs[k].name, wl_descs[k].what);
		printf("| variant | min %s%s/s | median | max | ratio to base | added ns/%s |\n",
		       unit, wl_descs[k].unit, wl_descs[k].unit);
		printf("|---|---:|---:|---:|---:|---:|\n");
		for (v = 0; v < V_NR; v++) {
			double ratio, added;

			if (!o->var_on[v] || !vc.avail[v])
				continue;
			paired((enum wl_kind)k, (enum variant)v, reps, &ratio, &added);
			printf("| %s | %.3f | %.3f | %.3f | %.3f | %+.0f |\n", variant_names[v],
			       vmin(res[k][v], reps) / sc, median(res[k][v], reps) / sc,
			       vmax(res[k][v], reps) / sc, ratio, v == V_BASE ? 0.0 : added);
		}
		printf("\n");
	}
	printf("Quiet-machine check: %u runs were done again because other processes used more "
	       "than %.2f CPU during them (or had BPF programs on io_uring tracepoints); %u runs "
	       "were kept although disturbed; the most foreign CPU in a kept run was %.2f.\n\n",
	       runs_repeated, FOREIGN_MAX, runs_disturbed, foreign_max_kept);
	printf("### Summary (ratio to base, added ns per counted op)\n\n```\n");
	for (k = 0; k < WL_NR; k++) {
		const char *unit;
		double sc = scale_of((enum wl_kind)k, &unit);

		if (!o->wl_on[k])
			continue;
		printf("SUMMARY (%s) %-11s base %.3f %s%s/s", wl_descs[k].id, wl_descs[k].name,
		       median(res[k][V_BASE], reps) / sc, unit, wl_descs[k].unit);
		for (v = V_FLOOR; v < V_NR; v++) {
			double ratio, added;

			if (!o->var_on[v] || !vc.avail[v])
				continue;
			paired((enum wl_kind)k, (enum variant)v, reps, &ratio, &added);
			printf(" | %s %.3f (%+.0f ns)", variant_names[v], ratio, added);
		}
		printf("\n");
	}
	printf("```\n\n");
}

static int have(const struct opts *o, enum variant v)
{
	return o->var_on[v] && vc.avail[v];
}

static void report_targets(const struct opts *o)
{
	static const enum wl_kind unsel[] = { WL_NOP, WL_READ, WL_READ_SQPOLL, WL_FIO };
	static const enum wl_kind sel[] = { WL_OPEN, WL_OPEN_ASYNC };
	int reps = o->reps;
	size_t i;

	printf("### Targets\n\n");
	if (have(o, V_FLOOR) && (have(o, V_UA_NONE) || have(o, V_UA_DEFAULT))) {
		printf("Unselected requests: uringaudit's added cost against the floor's (target: "
		       "at most 1.10 x the floor's added cost). `extra` is uringaudit's time per op "
		       "beyond the floor, paired within each repetition (1/variant - 1/floor): "
		       "median [first, third quartile]. The target is met when the median extra is "
		       "at most 10%% of the floor's added cost; a miss whose first quartile still "
		       "meets it is noise, not a result.\n\n");
		printf("| workload | variant | floor added ns/op | variant added ns/op | extra ns/op "
		       "| ratio to floor | target |\n");
		printf("|---|---|---:|---:|---:|---:|---|\n");
		for (i = 0; i < sizeof(unsel) / sizeof(unsel[0]); i++) {
			enum wl_kind k = unsel[i];
			enum variant vs[] = { V_UA_NONE, V_UA_DEFAULT };
			double fr, fa;
			size_t j;

			if (!o->wl_on[k])
				continue;
			paired(k, V_FLOOR, reps, &fr, &fa);
			for (j = 0; j < 2; j++) {
				double r, a, d[MAX_REPS], med, q1, q3, lim = 0.10 * fa;
				const char *verdict;
				int rep;

				if (!have(o, vs[j]))
					continue;
				paired(k, vs[j], reps, &r, &a);
				for (rep = 0; rep < reps; rep++)
					d[rep] = 1e9 / res[k][vs[j]][rep] -
						 1e9 / res[k][V_FLOOR][rep];
				med = quantile(d, reps, 0.5);
				q1 = quantile(d, reps, 0.25);
				q3 = quantile(d, reps, 0.75);
				if (fa <= 0)
					verdict = "floor below noise";
				else if (med <= lim)
					verdict = "met";
				else if (q1 <= lim)
					verdict = "not resolved (noise)";
				else
					verdict = "MISSED";
				printf("| (%s) %s | %s | %+.1f | %+.1f | %+.1f [%+.1f, %+.1f] | %.2f | %s "
				       "|\n",
				       wl_descs[k].id, wl_descs[k].name, variant_names[vs[j]], fa,
				       a, med, q1, q3, fa > 0 ? (fa + med) / fa : NAN, verdict);
			}
		}
		printf("\n");
	}
	if (have(o, V_UA_DEFAULT) || have(o, V_KAUDIT)) {
		printf("Audited requests (openat and close, both selected): added cost per "
		       "audited request (half a pair), and loss.\n\n");
		printf("| workload | ua-default ns/req | ua lost | kaudit ns/req | kaudit lost | "
		       "kaudit max backlog | target (ua < kaudit, no loss) |\n");
		printf("|---|---:|---:|---:|---:|---:|---|\n");
		for (i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
			enum wl_kind k = sel[i];
			const struct extra *x = &extras[k];
			double r, ua = NAN, ka = NAN;
			uint64_t ulost = x->ua_lost + x->ua_lost_declared;
			const char *verdict = "n/a";

			if (!o->wl_on[k])
				continue;
			if (have(o, V_UA_DEFAULT)) {
				paired(k, V_UA_DEFAULT, reps, &r, &ua);
				ua /= wl_descs[k].audited;
			}
			if (have(o, V_KAUDIT)) {
				paired(k, V_KAUDIT, reps, &r, &ka);
				ka /= wl_descs[k].audited;
			}
			if (have(o, V_UA_DEFAULT) && have(o, V_KAUDIT))
				verdict = ua < ka && !ulost ? "met" : "MISSED";
			printf("| (%s) %s | %+.0f | %llu | %+.0f | %llu | %u | %s |\n",
			       wl_descs[k].id, wl_descs[k].name, ua, (unsigned long long)ulost, ka,
			       (unsigned long long)x->ka_lost, x->ka_backlog_max, verdict);
		}
		printf("\n");
		printf("Consumer CPU per record (user+system time of the consumer process over "
		       "all timed runs of the workload / records written):\n\n");
		printf("| workload | uringaudit records | daemon CPU s | us/record | log "
		       "bytes/record | kernel-audit requests | auditd CPU s | us/request |\n");
		printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
			enum wl_kind k = sel[i];
			const struct extra *x = &extras[k];

			if (!o->wl_on[k])
				continue;
			printf("| (%s) %s | %llu | %.2f | %.2f | %.0f | %llu | %.2f | %.2f |\n",
			       wl_descs[k].id, wl_descs[k].name, (unsigned long long)x->ua_recorded,
			       x->ua_cpu_s,
			       x->ua_recorded ? x->ua_cpu_s * 1e6 / (double)x->ua_recorded : NAN,
			       x->ua_recorded ? (double)x->ua_log_bytes / (double)x->ua_recorded :
						NAN,
			       (unsigned long long)x->ka_reqs, x->ka_cpu_s,
			       x->ka_reqs ? x->ka_cpu_s * 1e6 / (double)x->ka_reqs : NAN);
		}
		printf("\n");
	}
}

/* ---- phase 2: flood ---- */

static void report_memory(pid_t pid, uint64_t rss_start_kb)
{
	struct bpf_obj_info maps[64];
	uint64_t total = 0;
	int n, i;

	n = proc_bpf_objs(pid, "bpf-map", maps, 64);
	/* RssFile is mostly the ring buffer: the consumer maps its data pages
	 * twice, and the mapping is of a file (the map's anon inode). */
	printf("Daemon memory: VmRSS %.1f MiB once ready, %.1f MiB after the flood (RssAnon %.1f, "
	       "RssFile %.1f, RssShmem %.1f), VmHWM (peak RSS) %.1f MiB. The ring buffer's data "
	       "pages are mapped twice into the consumer (so that a record that wraps reads as "
	       "one) and count twice in RssFile.\n\n",
	       (double)rss_start_kb / 1024, (double)proc_status_kb(pid, "VmRSS") / 1024,
	       (double)proc_status_kb(pid, "RssAnon") / 1024,
	       (double)proc_status_kb(pid, "RssFile") / 1024,
	       (double)proc_status_kb(pid, "RssShmem") / 1024,
	       (double)proc_status_kb(pid, "VmHWM") / 1024);
	printf("| BPF map | type | memlock KiB |\n|---|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const char *t = libbpf_bpf_map_type_str((enum bpf_map_type)atoi(maps[i].type));

		printf("| %s | %s | %.0f |\n", maps[i].name, t ? t : maps[i].type,
		       (double)maps[i].memlock / 1024);
		total += maps[i].memlock;
	}
	printf("| **total** | | **%.0f** (%.1f MiB) |\n\n", (double)total / 1024,
	       (double)total / 1048576);
	printf("SUMMARY memory: daemon RSS %.1f MiB (peak %.1f), BPF maps %.1f MiB (targets: "
	       "RSS < 32 MiB, maps < 64 MiB)\n\n",
	       (double)proc_status_kb(pid, "VmRSS") / 1024,
	       (double)proc_status_kb(pid, "VmHWM") / 1024, (double)total / 1048576);
}

/* What one flood series measured, step by step. */
struct flood_res {
	int n;
	double rate[FLOOD_STEPS_MAX], recs_s[FLOOD_STEPS_MAX], us[FLOOD_STEPS_MAX];
	uint64_t lost[FLOOD_STEPS_MAX];
	double cpu_sum, recs_sum, best;
	/* the generator step (not in the sums above: no objects) */
	int gen;
	double gen_recs_s, gen_us, gen_cpu;
	uint64_t gen_lost, gen_declared;
};

static int flood_rates(const struct opts *o, const double **rates)
{
	static const double full_rates[] = { 50e3,  100e3, 150e3, 200e3, 250e3,
					     300e3, 400e3, 500e3, 700e3, 0 };
	static const double quick_rates[] = { 100e3, 200e3, 0 };

	if (o->nrates) {
		*rates = o->rates;
		return o->nrates;
	}
	*rates = o->quick ? quick_rates : full_rates;
	return o->quick ? 3 : 10;
}

/* One flood step's measurement around a workload run: the daemon settled
 * before and after (its status counters), its CPU, the machine's busy time
 * less this process's (other work), wall time; the log emptied after. */
struct flood_meas {
	struct ua_status_snap s0, s1;
	double c0, t0, b0, o0;
	double wall, recs, cpu_s, foreign;
};

static void meas_begin(struct flood_meas *m)
{
	daemon_settle(&m->s0);
	m->c0 = proc_cpu_s(vc.daemon_pid);
	m->b0 = sys_busy_s();
	m->o0 = own_cpu_s();
	m->t0 = now_s();
}

static void meas_end(struct flood_meas *m)
{
	m->wall = now_s() - m->t0;
	m->foreign = ((sys_busy_s() - m->b0) - (own_cpu_s() - m->o0)) / m->wall;
	daemon_settle(&m->s1);
	m->cpu_s = proc_cpu_s(vc.daemon_pid) - m->c0;
	if (truncate(vc.log_path, 0))
		fprintf(stderr, "uabench: truncate: %s\n", strerror(errno));
	m->recs = (double)(m->s1.recorded - m->s0.recorded);
}

/* us of daemon CPU per record (NAN when nothing was recorded) */
static double meas_us(const struct flood_meas *m)
{
	return m->recs > 0 ? m->cpu_s * 1e6 / m->recs : NAN;
}

/*
 * The generator step: futex_wake (selected by the default rules, no objects)
 * from o->gen_procs processes x o->gen_threads threads, unpaced, on the
 * daemon already set up in vc. One row of the series' table.
 */
static int flood_gen_step(const struct opts *o, const struct wl_env *env, const char *format,
			  const char *label, struct flood_res *res)
{
	struct flood_meas m;
	struct wl_result r;
	char err[256];

	meas_begin(&m);
	if (wl_run_procs(WL_WAKE, env, o->gen_procs, o->gen_threads, o->flood_secs, 0, &r, err,
			 sizeof(err))) {
		fprintf(stderr, "uabench: flood generator: %s\n", err);
		return -1;
	}
	meas_end(&m);
	progress("[%4.0f s] flood %s%s%s generator %ux%u: offered %.0f/s, %.0f records/s lost "
		 "%llu\n",
		 now_s() - t_start, format, *label ? " " : "", label, o->gen_procs, o->gen_threads,
		 r.per_s, m.recs / m.wall, (unsigned long long)(m.s1.lost - m.s0.lost));
	printf("| generator %ux%u futex_wake (offered %.0f/s) | %.0f | %llu | %llu | %.0f | %.2f | "
	       "%.2f |\n",
	       o->gen_procs, o->gen_threads, r.per_s, m.recs / m.wall,
	       (unsigned long long)(m.s1.lost - m.s0.lost),
	       (unsigned long long)(m.s1.lost_declared - m.s0.lost_declared),
	       100 * m.cpu_s / m.wall, meas_us(&m), m.foreign);
	res->gen = 1;
	res->gen_recs_s = m.recs / m.wall;
	res->gen_us = meas_us(&m);
	res->gen_cpu = 100 * m.cpu_s / m.wall;
	res->gen_lost = m.s1.lost - m.s0.lost;
	res->gen_declared = m.s1.lost_declared - m.s0.lost_declared;
	if (var_foreign_links(&vc, NULL, 0))
		vc.foreign_runs++;
	return 0;
}

/* One series of flood steps on the daemon @daemon writing @format records
 * ("text" or "json"); the memory report after the text series only. @label
 * names the daemon in the headings ("" for the one under test). */
static int flood_series(const struct opts *o, const struct wl_env *env, const char *format,
			const char *daemon, const char *label, struct flood_res *res)
{
	const double *rates;
	const int nrates = flood_rates(o, &rates);
	const int text = !strcmp(format, "text");
	const char *saved = vc.daemon_path;
	double best = 0, best_cpu = 0, cpu_sum = 0, recs_sum = 0;
	uint64_t rss_start_kb;
	int i, over = 0, foreign0;
	char err[256];

	memset(res, 0, sizeof(*res));
	printf("#### %s records%s%s\n\n", text ? "Text" : "JSON", *label ? ", " : "", label);
	printf("| target req/s | records/s | lost | lost_declared | daemon CPU %% of a core | "
	       "us CPU/record | other work, CPUs |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|\n");
	vc.format = text ? NULL : format;
	vc.daemon_path = daemon;
	if (var_setup(&vc, V_UA_DEFAULT, err, sizeof(err))) {
		vc.format = NULL;
		vc.daemon_path = saved;
		fprintf(stderr, "uabench: flood: %s\n", err);
		return -1;
	}
	rss_start_kb = proc_status_kb(vc.daemon_pid, "VmRSS");
	foreign0 = vc.foreign_runs;
	for (i = 0; i < nrates && !bench_stop; i++) {
		struct flood_meas m;
		struct wl_result r;
		double rate = rates[i];

		meas_begin(&m);
		if (wl_run(WL_OPEN, env, 2, 0, o->flood_secs, rate, &r, err, sizeof(err))) {
			fprintf(stderr, "uabench: flood: %s\n", err);
			var_teardown(&vc);
			vc.format = NULL;
			vc.daemon_path = saved;
			return -1;
		}
		meas_end(&m);
		progress("[%4.0f s] flood %s%s%s %s: %.0f records/s lost %llu\n", now_s() - t_start,
			 format, *label ? " " : "", label, rate > 0 ? "paced" : "unpaced",
			 m.recs / m.wall, (unsigned long long)(m.s1.lost - m.s0.lost));
		if (rate > 0)
			printf("| %.0f |", rate);
		else
			printf("| unpaced |");
		printf(" %.0f | %llu | %llu | %.0f | %.2f | %.2f |\n", m.recs / m.wall,
		       (unsigned long long)(m.s1.lost - m.s0.lost),
		       (unsigned long long)(m.s1.lost_declared - m.s0.lost_declared),
		       100 * m.cpu_s / m.wall, meas_us(&m), m.foreign);
		if (res->n < FLOOD_STEPS_MAX) {
			res->rate[res->n] = rate;
			res->recs_s[res->n] = m.recs / m.wall;
			res->us[res->n] = meas_us(&m);
			res->lost[res->n] = m.s1.lost - m.s0.lost;
			res->n++;
		}
		if (var_foreign_links(&vc, NULL, 0))
			vc.foreign_runs++;
		cpu_sum += m.cpu_s;
		recs_sum += m.recs;
		if (m.s1.lost == m.s0.lost && m.s1.lost_declared == m.s0.lost_declared &&
		    m.recs / m.wall > best) {
			best = m.recs / m.wall;
			best_cpu = 100 * m.cpu_s / m.wall;
		}
		if (rate <= 0)
			break;
		/* The generator cannot go faster: skip to the unpaced step (the
		 * last, when the list has one). */
		if (m.recs / m.wall < 0.9 * rate) {
			if (++over >= 1)
				while (i + 1 < nrates && rates[i + 1] > 0)
					i++;
		}
	}
	if (!bench_stop && o->gen_procs && flood_gen_step(o, env, format, label, res))
		fprintf(stderr, "uabench: flood generator step failed\n");
	printf("\nSUMMARY flood %s%s%s: %.0f records/s sustained with zero loss (daemon at %.0f%% "
	       "of a core); target 1000000. Consumer CPU over all steps: %.2f us/record (target "
	       "at most 1 us): %s\n\n",
	       format, *label ? " " : "", label, best, best_cpu,
	       recs_sum > 0 ? cpu_sum * 1e6 / recs_sum : NAN,
	       recs_sum > 0 && cpu_sum * 1e6 / recs_sum <= 1.0 ? "met" : "MISSED");
	if (res->gen)
		printf("SUMMARY flood %s%s%s generator (%ux%u futex_wake, no objects): %.0f "
		       "records/s, lost %llu (declared %llu), %.2f us/record, daemon at %.0f%% of a "
		       "core; 1000000 records/s %s\n\n",
		       format, *label ? " " : "", label, o->gen_procs, o->gen_threads,
		       res->gen_recs_s, (unsigned long long)res->gen_lost,
		       (unsigned long long)res->gen_declared, res->gen_us, res->gen_cpu,
		       res->gen_recs_s >= 1e6 && !res->gen_lost ? "reached with zero loss" :
								  "not reached");
	if (vc.foreign_runs > foreign0)
		printf("Not a quiet machine: another process's BPF programs were on io_uring "
		       "tracepoints at %d points of this series (--foreign-ok): they run on every "
		       "request of the flood too.\n\n",
		       vc.foreign_runs - foreign0);
	res->cpu_sum = cpu_sum;
	res->recs_sum = recs_sum;
	res->best = best;
	if (text && !*label)
		report_memory(vc.daemon_pid, rss_start_kb);
	var_teardown(&vc);
	vc.format = NULL;
	vc.daemon_path = saved;
	return bench_stop ? -1 : 0;
}

/* The baseline's and this daemon's series of one format, step by step. */
static void flood_compare(const struct opts *o, const char *format, const struct flood_res *b,
			  const struct flood_res *a)
{
	const double *rates;
	const int nrates = flood_rates(o, &rates);
	int i, j;

	printf("#### Side by side: %s records, baseline (%s) and this build\n\n", format,
	       "--baseline");
	printf("| target req/s | baseline records/s | baseline lost | baseline us/record | "
	       "records/s | lost | us/record |\n|---:|---:|---:|---:|---:|---:|---:|\n");
	/* One row per step of the list that either series ran: each may have
	 * skipped other steps (indexing one series' steps by the other's
	 * printed a row twice and left one out). */
	for (i = 0; i < nrates; i++) {
		double rate = rates[i];
		int ran = 0;

		for (j = 0; j < b->n; j++)
			ran |= b->rate[j] == rate;
		for (j = 0; j < a->n; j++)
			ran |= a->rate[j] == rate;
		if (!ran)
			continue;
		if (rate > 0)
			printf("| %.0f |", rate);
		else
			printf("| unpaced |");
		/* steps are matched by rate: one series may have skipped some */
		for (j = 0; j < b->n && b->rate[j] != rate; j++)
			;
		if (j < b->n)
			printf(" %.0f | %llu | %.2f |", b->recs_s[j],
			       (unsigned long long)b->lost[j], b->us[j]);
		else
			printf(" - | - | - |");
		for (j = 0; j < a->n && a->rate[j] != rate; j++)
			;
		if (j < a->n)
			printf(" %.0f | %llu | %.2f |\n", a->recs_s[j],
			       (unsigned long long)a->lost[j], a->us[j]);
		else
			printf(" - | - | - |\n");
	}
	if (a->gen || b->gen) {
		printf("| generator |");
		if (b->gen)
			printf(" %.0f | %llu | %.2f |", b->gen_recs_s,
			       (unsigned long long)b->gen_lost, b->gen_us);
		else
			printf(" - | - | - |");
		if (a->gen)
			printf(" %.0f | %llu | %.2f |\n", a->gen_recs_s,
			       (unsigned long long)a->gen_lost, a->gen_us);
		else
			printf(" - | - | - |\n");
	}
	printf("\nSUMMARY flood %s side by side: consumer CPU over all steps %.2f us/record "
	       "(baseline) -> %.2f us/record (this build), x%.2f; zero loss up to %.0f -> %.0f "
	       "records/s\n\n",
	       format, b->recs_sum > 0 ? b->cpu_sum * 1e6 / b->recs_sum : NAN,
	       a->recs_sum > 0 ? a->cpu_sum * 1e6 / a->recs_sum : NAN,
	       a->recs_sum > 0 && b->recs_sum > 0 && a->cpu_sum > 0 ?
		       (b->cpu_sum / b->recs_sum) / (a->cpu_sum / a->recs_sum) :
		       NAN,
	       b->best, a->best);
}

static int phase_flood(const struct opts *o, const struct wl_env *env)
{
	static const char *const formats[] = { "text", "json" };
	struct flood_res before, after;
	size_t f;

	if (!have(o, V_UA_DEFAULT)) {
		printf("### Flood: skipped (%s)\n\n",
		       vc.avail[V_UA_DEFAULT] ? "ua-default not selected" : vc.why[V_UA_DEFAULT]);
		return 0;
	}
	printf("### Flood: records per second without loss\n\n");
	printf("The daemon (default rules, default 8 MiB ring buffer, records to a file: text, "
	       "then a second daemon with --format json) under openat+close pairs from 2 "
	       "threads, each with its own ring, paced to a total request rate; every request "
	       "is selected and makes one record (with its object). %.1f s per step. `lost` is "
	       "the kernel's drop counter in `uringaudit status`.",
	       o->flood_secs);
	if (o->baseline)
		printf(" Each series runs first on the baseline daemon (`%s`), then on this "
		       "build's (`%s`), one after the other in this run.",
		       o->baseline, o->daemon);
	printf("\n\n");
	if (o->gen_procs) {
		struct wl_result g;
		char err[256];

		printf("After the open steps, each series has a generator step: futex_wake "
		       "requests (selected by the default rules; a record each, with no object) "
		       "from %u processes x %u threads, each thread with its own ring submitting "
		       "64 a system call, unpaced, for %.1f s. Its row is not in the series' "
		       "\"over all steps\" sums. ",
		       o->gen_procs, o->gen_threads, o->flood_secs);
		if (wl_run_procs(WL_WAKE, env, o->gen_procs, o->gen_threads, o->flood_secs, 0, &g,
				 err, sizeof(err))) {
			printf("The generator alone failed: %s.\n\n", err);
			fprintf(stderr, "uabench: flood generator: %s\n", err);
			return -1;
		}
		printf("With no daemon (nothing of the bench's attached), it offered %.0f requests/s. "
		       "The machine has %ld CPUs: beside a daemon, the generator, the daemon's "
		       "programs (which run in the generator's threads) and the consumer share "
		       "them.\n\n",
		       g.per_s, sysconf(_SC_NPROCESSORS_ONLN));
		progress("[%4.0f s] flood generator alone %ux%u: %.0f requests/s\n",
			 now_s() - t_start, o->gen_procs, o->gen_threads, g.per_s);
	}
	for (f = 0; f < 2; f++) {
		if (o->baseline &&
		    flood_series(o, env, formats[f], o->baseline, "baseline", &before))
			return -1;
		if (flood_series(o, env, formats[f], o->daemon, "", &after))
			return -1;
		if (o->baseline)
			flood_compare(o, formats[f], &before, &after);
	}
	return 0;
}

/* ---- phase 3: BPF run time per program ---- */

#define SNAP_PROGS 64

struct prog_snap {
	int n;
	struct {
		uint32_t id;
		char name[20];
		uint64_t ns, cnt;
	} p[SNAP_PROGS];
};

/* What the diagnostics saw of each workload under each variant: the
 * requests, every BPF program run, and those runs per program. */
static struct {
	int done;
	double reqs;
	uint64_t runs;
	char detail[512];
} bruns[WL_NR][V_NR];

static void prog_snap(pid_t pid, struct prog_snap *s)
{
	struct bpf_obj_info objs[SNAP_PROGS];
	int i, n = proc_bpf_objs(pid, "bpf-prog", objs, SNAP_PROGS);

	s->n = 0;
	for (i = 0; i < n; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(objs[i].id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			s->p[s->n].id = objs[i].id;
			snprintf(s->p[s->n].name, sizeof(s->p[0].name), "%s", info.name);
			s->p[s->n].ns = info.run_time_ns;
			s->p[s->n].cnt = info.run_cnt;
			s->n++;
		}
		close(fd);
	}
}

static int phase_diag(const struct opts *o, const struct wl_env *env)
{
	static const enum variant vars[] = { V_FLOOR,	    V_UA_NONE,	   V_UA_DEFAULT,
					     V_TP_UNSEL,    V_TP_SEL,	   V_PEROP_UNSEL,
					     V_PEROP_SEL,   V_PEROP_LATE };
	int stats_fd, k;
	size_t vi;
	char err[256];

	printf("### Diagnostics: BPF run time per request (kernel BPF stats on; a separate "
	       "run, %.2f s per cell, not used for the tables above)\n\n",
	       o->diag_secs);
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		printf("skipped: cannot enable BPF stats: %s\n\n", strerror(-stats_fd));
		return 0;
	}
	printf("| workload | variant | BPF ns/request | BPF runs/request | per program: runs/request "
	       "x ns/run | other work, CPUs |\n");
	printf("|---|---|---:|---:|---|---:|\n");
	for (vi = 0; vi < sizeof(vars) / sizeof(vars[0]) && !bench_stop; vi++) {
		enum variant v = vars[vi];

		if (!have(o, v))
			continue;
		if (var_setup(&vc, v, err, sizeof(err))) {
			fprintf(stderr, "uabench: diag: %s\n", err);
			close(stats_fd);
			return -1;
		}
		for (k = 0; k < WL_NR && !bench_stop; k++) {
			pid_t pid = var_is_daemon(v) ? vc.daemon_pid : getpid();
			struct prog_snap a, b;
			struct wl_result r;
			double reqs, total = 0, b0, o0, t0, foreign;
			uint64_t runs = 0;
			char detail[1024], *cnts = bruns[k][v].detail;
			size_t dl = 0, cl = 0, cmax = sizeof(bruns[k][v].detail);
			int i, j;

			if (!o->wl_on[k] || k == WL_FIO)
				continue;
			if (var_select(&vc, (enum wl_kind)k, err, sizeof(err))) {
				fprintf(stderr, "uabench: diag: %s: %s\n", variant_names[v], err);
				var_teardown(&vc);
				close(stats_fd);
				return -1;
			}
			if (var_is_daemon(v)) {
				struct ua_status_snap s;

				daemon_settle(&s);
			}
			prog_snap(pid, &a);
			b0 = sys_busy_s();
			o0 = own_cpu_s();
			t0 = now_s();
			if (wl_run((enum wl_kind)k, env, 1, 0, o->diag_secs, 0, &r, err,
				   sizeof(err))) {
				fprintf(stderr, "uabench: diag: %s\n", err);
				var_teardown(&vc);
				close(stats_fd);
				return -1;
			}
			foreign = ((sys_busy_s() - b0) - (own_cpu_s() - o0)) / (now_s() - t0);
			prog_snap(pid, &b);
			reqs = (double)r.ops * wl_descs[k].reqs_per_op;
			detail[0] = '\0';
			for (i = 0; i < b.n; i++) {
				uint64_t dn = 0, dc = 0;

				for (j = 0; j < a.n; j++) {
					if (a.p[j].id == b.p[i].id) {
						dn = b.p[i].ns - a.p[j].ns;
						dc = b.p[i].cnt - a.p[j].cnt;
					}
				}
				total += (double)dn;
				runs += dc;
				if (dc && cl < cmax - 40)
					cl += (size_t)snprintf(cnts + cl, cmax - cl, "%s%s %llu",
							       cl ? ", " : "", b.p[i].name,
							       (unsigned long long)dc);
				if (dc && dl < sizeof(detail) - 80)
					dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
							       "%s%s %.2f x %.0f", dl ? ", " : "",
							       b.p[i].name, (double)dc / reqs,
							       (double)dn / (double)dc);
			}
			printf("| (%s) %s | %s | %.1f | %.4f | %s | %.2f |\n", wl_descs[k].id,
			       wl_descs[k].name, variant_names[v], reqs > 0 ? total / reqs : NAN,
			       reqs > 0 ? (double)runs / reqs : NAN, detail, foreign);
			bruns[k][v].done = 1;
			bruns[k][v].reqs = reqs;
			bruns[k][v].runs = runs;
			if (var_is_daemon(v) && truncate(vc.log_path, 0))
				fprintf(stderr, "uabench: truncate: %s\n", strerror(errno));
		}
		var_teardown(&vc);
	}
	close(stats_fd);
	printf("\n");
	return bench_stop ? -1 : 0;
}

/*
 * The backends side by side (make bench-vm): each workload's ratio to the
 * base under each backend variant, with the BPF program runs per request
 * that the diagnostics counted beside it. Then one RUNS line per cell with
 * every program that ran and how often (tests/vm/t_benchvm.sh reads them).
 */
static void report_backends(const struct opts *o)
{
	int k, v, any = 0;

	for (v = V_FIRST_OPTIONAL; v < V_NR; v++)
		any |= o->var_on[v];
	if (!any)
		return;
	printf("### Backends side by side (ratio to base in the same repetition, median; BPF "
	       "program runs per request in parentheses, from the diagnostics run)\n\n");
	printf("tp: --backend tracepoint; perop: --backend perop; unsel: rules `-S connect` (no "
	       "opcode of the workload selected); sel: rules selecting the workload's own opcodes "
	       "(`-S nop`, `-S read`, `-S openat,close`; loaded with `uringaudit rules load` "
	       "before it runs: every request of the workload selected and recorded); perop-late: "
	       "rules `-S write`, no opcode of the workload, but one whose result may come after "
	       "its issue handler returned (so the per-op backend attaches the hooks that take "
	       "such a result: io/rw.c's completion, perop_rw_*).");
	if (vc.perop_handlers[0])
		printf(" The per-op backend's handlers for these opcodes: %s; opcodes left to "
		       "the tracepoints: [%s].",
		       vc.perop_handlers, vc.perop_fallback);
	printf("\n\n| workload | base ops/s (in a TCG guest: no meaning) |");
	for (v = V_FIRST_OPTIONAL; v < V_NR; v++)
		if (o->var_on[v])
			printf(" %s |", variant_names[v]);
	printf("\n|---|---:|");
	for (v = V_FIRST_OPTIONAL; v < V_NR; v++)
		if (o->var_on[v])
			printf("---:|");
	printf("\n");
	for (k = 0; k < WL_NR; k++) {
		if (!o->wl_on[k])
			continue;
		printf("| (%s) %s | %.0f |", wl_descs[k].id, wl_descs[k].name,
		       median(res[k][V_BASE], o->reps));
		for (v = V_FIRST_OPTIONAL; v < V_NR; v++) {
			double ratio, added;

			if (!o->var_on[v])
				continue;
			if (!vc.avail[v]) {
				printf(" skipped |");
				continue;
			}
			paired((enum wl_kind)k, (enum variant)v, o->reps, &ratio, &added);
			printf(" %.3f", ratio);
			if (bruns[k][v].done && bruns[k][v].reqs > 0)
				printf(" (%.3f)", (double)bruns[k][v].runs / bruns[k][v].reqs);
			printf(" |");
		}
		printf("\n");
	}
	printf("\n```\n");
	for (k = 0; k < WL_NR; k++)
		for (v = V_FIRST_OPTIONAL; v < V_NR; v++)
			if (o->wl_on[k] && bruns[k][v].done)
				printf("RUNS (%s) %s %s requests %.0f runs %llu: %s\n", wl_descs[k].id,
				       wl_descs[k].name, variant_names[v], bruns[k][v].reqs,
				       (unsigned long long)bruns[k][v].runs,
				       bruns[k][v].detail[0] ? bruns[k][v].detail : "none");
	printf("```\n\n");
}

/* ---- main ---- */

static int parse_list(const char *arg, int *on, int n, const char *(*name)(int))
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int i, rc = 0;

	if (!copy)
		return -1;
	memset(on, 0, sizeof(int) * (size_t)n);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n; i++)
			if (!strcmp(tok, name(i)))
				break;
		if (i == n) {
			fprintf(stderr, "uabench: unknown name '%s'\n", tok);
			rc = -1;
			break;
		}
		on[i] = 1;
	}
	free(copy);
	return rc;
}

static const char *wl_id(int i)
{
	return wl_descs[i].id;
}

static const char *var_name(int i)
{
	return variant_names[i];
}

static void usage(FILE *f)
{
	fputs("usage: uabench [--quick] [--reps N] [--secs S] [--warmup S] [--daemon PATH]\n"
	      "               [--workloads a,b,c,d,e,b-fio] [--variants "
	      "base,floor,ua-none,ua-default,kaudit,\n"
	      "                tp-unsel,tp-sel,perop-unsel,perop-sel,perop-late]\n"
	      "               [--flood-secs S] [--diag-secs S] [--no-flood] [--no-diag] [--dir "
	      "DIR]\n"
	      "               [--flood-only] [--flood-rates R,R,... (req/s, 0: unpaced)] "
	      "[--baseline DAEMON]\n"
	      "               [--flood-gen P,T (processes, threads; 0: no generator step)]\n"
	      "               [--foreign-wait S] [--foreign-ok]\n"
	      "       uabench --cleanup\n",
	      f);
}

static char *which(const char *prog)
{
	static char buf[512];
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (!path)
		path = "/usr/bin:/bin";
	copy = strdup(path);
	if (!copy)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, prog);
		if (!access(buf, X_OK)) {
			free(copy);
			return buf;
		}
	}
	free(copy);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "secs", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "daemon", required_argument, NULL, 'D' },
		{ "workloads", required_argument, NULL, 'W' },
		{ "variants", required_argument, NULL, 'V' },
		{ "flood-secs", required_argument, NULL, 'f' },
		{ "diag-secs", required_argument, NULL, 'g' },
		{ "no-flood", no_argument, NULL, 'F' },
		{ "no-diag", no_argument, NULL, 'G' },
		{ "dir", required_argument, NULL, 'd' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "flood-only", no_argument, NULL, 'O' },
		{ "flood-rates", required_argument, NULL, 'R' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "flood-gen", required_argument, NULL, 'P' },
		{ "foreign-wait", required_argument, NULL, 'X' },
		{ "foreign-ok", no_argument, NULL, 'Y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	struct wl_env env;
	struct sigaction sa;
	int c, i, rc = 0, quick_seen = 0, mb;
	double secs = 0, warmup = -1, fsecs = 0, gsecs = 0, foreign_wait = -1;
	int foreign_ok = 0;
	int reps = 0;
	char err[256];

	t_start = now_s();
	memset(&o, 0, sizeof(o));
	o.flood = o.diag = 1;
	o.gen_procs = 2;
	o.gen_threads = 1;
	o.daemon = "build/uringaudit";
	for (i = 0; i < WL_NR; i++)
		o.wl_on[i] = 1;
	for (i = 0; i < V_FIRST_OPTIONAL; i++)
		o.var_on[i] = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick_seen = 1;
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		case 'D':
			o.daemon = optarg;
			break;
		case 'W':
			if (parse_list(optarg, o.wl_on, WL_NR, wl_id))
				return 2;
			break;
		case 'V':
			if (parse_list(optarg, o.var_on, V_NR, var_name))
				return 2;
			break;
		case 'f':
			fsecs = atof(optarg);
			break;
		case 'g':
			gsecs = atof(optarg);
			break;
		case 'F':
			o.flood = 0;
			break;
		case 'G':
			o.diag = 0;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'O':
			o.flood_only = 1;
			break;
		case 'R': {
			char *p = optarg, *end;

			o.nrates = 0;
			while (*p) {
				double v = strtod(p, &end);

				if (end == p || v < 0 || o.nrates >= FLOOD_STEPS_MAX ||
				    (*end && *end != ',')) {
					fprintf(stderr,
						"uabench: --flood-rates: a list of at most "
						"%d rates in requests/s (0: unpaced), "
						"comma-separated\n",
						FLOOD_STEPS_MAX);
					return 2;
				}
				o.rates[o.nrates++] = v;
				p = *end ? end + 1 : end;
			}
			break;
		}
		case 'B':
			o.baseline = optarg;
			break;
		case 'P': {
			unsigned int p = 0, t = 1;
			int n = sscanf(optarg, "%u,%u", &p, &t);

			if (n < 1 || p > 16 || (p && (t < 1 || t > 8))) {
				fprintf(stderr,
					"uabench: --flood-gen P[,T]: 0 (no generator step), or "
					"1..16 processes of 1..8 threads (default 2,1)\n");
				return 2;
			}
			o.gen_procs = p;
			o.gen_threads = t;
			break;
		}
		case 'X':
			foreign_wait = atof(optarg);
			break;
		case 'Y':
			foreign_ok = 1;
			break;
		case 'C':
			if (geteuid()) {
				fprintf(stderr, "uabench: must run as root\n");
				return 1;
			}
			rc = var_kaudit_remove_stale(err, sizeof(err));
			fprintf(stderr, "uabench: cleanup: %s\n", err);
			return rc ? 1 : 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (o.baseline && access(o.baseline, X_OK)) {
		fprintf(stderr, "uabench: --baseline %s: %s\n", o.baseline, strerror(errno));
		return 2;
	}
	if (o.flood_only && !o.flood) {
		fprintf(stderr, "uabench: --flood-only and --no-flood leave nothing to run\n");
		return 2;
	}
	o.quick = quick_seen;
	/* Many short repetitions rather than a few long ones: a pair of runs
	 * that the ratios compare is then closer in time, so slow drift of the
	 * machine cancels out better. */
	o.reps = reps ? reps : o.quick ? 3 : 10;
	o.secs = secs > 0 ? secs : o.quick ? 0.4 : 1.0;
	o.warmup = warmup >= 0 ? warmup : o.quick ? 0.1 : 0.2;
	o.flood_secs = fsecs > 0 ? fsecs : o.quick ? 0.5 : 2.0;
	o.diag_secs = gsecs > 0 ? gsecs : o.quick ? 0.2 : 1.0;
	if (o.reps < 1 || o.reps > MAX_REPS) {
		fprintf(stderr, "uabench: --reps must be 1..%d\n", MAX_REPS);
		return 2;
	}
	/* The base is what every ratio is taken against. */
	o.var_on[V_BASE] = 1;

	if (geteuid() != 0) {
		fprintf(stderr, "uabench: must run as root: it loads BPF programs, starts the "
				"daemon and installs kernel audit rules\n");
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* No SA_RESTART: sleeps and waits return at once on a signal. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o.dir) {
		snprintf(scratch, sizeof(scratch), "%s", o.dir);
		if (mkdir(scratch, 0700) && errno != EEXIST) {
			perror("uabench: scratch directory");
			return 1;
		}
	} else {
		snprintf(scratch, sizeof(scratch), "/var/tmp/uabench.XXXXXX");
		if (!mkdtemp(scratch)) {
			perror("uabench: mkdtemp");
			return 1;
		}
	}
	scratch_made = 1;
	var_init(&vc, o.daemon, scratch);
	/* bench-quick is for development: do not stall it for long. */
	vc.foreign_wait_s = foreign_wait >= 0 ? foreign_wait : o.quick ? 30 : 600;
	vc.foreign_ok = foreign_ok;
	o.tries = o.quick ? 2 : 4;
	atexit(cleanup);

	mb = make_files(o.quick);
	if (mb < 0)
		return 1;
	memset(&env, 0, sizeof(env));
	env.read_path = read_path;
	env.read_blocks = (uint64_t)mb * 256;
	env.small_path = small_path;
	env.fio = which("fio");
	if (!env.fio)
		o.wl_on[WL_FIO] = 0;

	kauditd_pid = find_kthread("kauditd");
	if (var_wait_foreign(&vc, err, sizeof(err))) {
		fprintf(stderr, "uabench: %s\n", err);
		return 1;
	}
	progress("probing variants\n");
	var_probe(&vc, &env, o.var_on);
	machine_info(&o, &env);
	printf("Variants:\n\n");
	for (i = 0; i < V_NR; i++) {
		if (!o.var_on[i])
			printf("- %s: not selected\n", variant_names[i]);
		else if (!vc.avail[i])
			printf("- %s: SKIPPED: %s\n", variant_names[i], vc.why[i]);
		else
			printf("- %s: measured\n", variant_names[i]);
	}
	if (!env.fio)
		printf("- workload (b-fio): SKIPPED: fio is not installed (apt-get install fio)\n");
	printf("\n");
	fflush(stdout);

	if (o.flood_only)
		o.diag = 0;
	else if (phase_timed(&o, &env))
		rc = 1;
	else
		report_timed(&o);
	if (!rc && !o.flood_only)
		report_targets(&o);
	fflush(stdout);
	if (!rc && o.flood && phase_flood(&o, &env))
		rc = 1;
	fflush(stdout);
	if (!rc && o.diag && phase_diag(&o, &env))
		rc = 1;
	if (!rc && !o.flood_only)
		report_backends(&o);
	if (bench_stop)
		fprintf(stderr, "uabench: interrupted; everything detached and stopped\n");
	return rc;
}
