// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The io_uring workloads. Each runs in threads created for the call: the
 * kernel gives a task its audit context when the task is created, and only if
 * audit has ever been enabled by then, so threads (and io-wq workers, and
 * fio) made before the first kernel-audit run would never produce URINGOP
 * records, and would skip the syscall audit hooks the other variants pay.
 * Fresh threads put every variant on the same footing.
 *
 * Each loop counts completed requests only after a warm-up, and checks the
 * clock once per batch (the TSC vDSO read costs ~20 ns against batches of
 * 3 µs or more).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "bench.h"
#include "futex2.h"
#include "optable.h"

#define NOP_RING 128
#define NOP_BATCH 32
#define READ_QD 32
#define READ_BS 4096
#define OPEN_PAIRS 16
#define WAKE_BATCH 64
#define MAX_PROCS 16
#define SQ_IDLE_MS 2000
#define MAX_THREADS 8
#define SQPOLL_SPIN 100000

const struct wl_desc wl_descs[WL_ALL] = {
	[WL_NOP] = { "a", "nop", "NOP, batches of 32, ring of 128", "NOPs", 1, 0, "nop" },
	[WL_READ] = { "b", "read", "4 KiB random read, page cache, QD 32", "reads", 1, 0, "read" },
	[WL_OPEN] = { "c", "open", "openat+close of a small file, 16 pairs per submit", "pairs", 2,
		      2, "openat,close" },
	[WL_OPEN_ASYNC] = { "d", "open-async", "(c) with IOSQE_ASYNC (io-wq workers)", "pairs", 2,
			    2, "openat,close" },
	[WL_READ_SQPOLL] = { "e", "read-sqpoll", "(b) on a SQPOLL ring", "reads", 1, 0, "read" },
	[WL_FIO] = { "b-fio", "read-fio", "(b) as fio, ioengine=io_uring, iodepth=32", "reads", 1,
		     0, "read" },
	[WL_WAKE] = { "w", "futex-wake", "futex_wake of a word nobody waits on, 64 per submit",
		      "wakes", 1, 1, "futex_wake" },
};

struct worker {
	pthread_t th;
	enum wl_kind kind;
	const struct wl_env *env;
	double warm_end, end; /* absolute, now_s() */
	double rate;	      /* requests per second for this thread, 0: unpaced */
	uint64_t seed;
	/* results */
	uint64_t ops;
	double t0, t1;
	int err;
	char msg[160];
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int fail(struct worker *w, int err, const char *what)
{
	w->err = err < 0 ? -err : err;
	snprintf(w->msg, sizeof(w->msg), "%s %s: %s", wl_descs[w->kind].name, what,
		 strerror(w->err));
	return -1;
}

/*
 * The common driver: @step does one batch and returns the ops it completed
 * (or -errno). Counting starts at warm_end; pacing (flood phase) sleeps
 * whenever the thread is ahead of its request budget.
 */
struct loop {
	struct worker *w;
	struct io_uring ring;
	/* read */
	int fd;
	char *bufs;
	unsigned int free[READ_QD];
	unsigned int nfree;
	unsigned int spin; /* CQ polls before sleeping in io_uring_enter */
	/* open */
	int fds[OPEN_PAIRS];
	unsigned int nfds;
	unsigned int sqe_flags;
	/* futex_wake */
	uint32_t futex_word;
};

static int run_loop(struct worker *w, struct loop *l, int (*step)(struct loop *l))
{
	uint64_t ops = 0, reqs = 0;
	unsigned int rpo = wl_descs[w->kind].reqs_per_op;
	double start = now_s(), t;
	int warm = 1;

	for (;;) {
		int n;

		if (bench_stop)
			return fail(w, EINTR, "interrupted");
		t = now_s();
		if (warm && t >= w->warm_end) {
			warm = 0;
			ops = 0;
			w->t0 = t;
		}
		if (t >= w->end)
			break;
		if (w->rate > 0) {
			double due = start + (double)reqs / w->rate;

			if (due > t) {
				struct timespec ts;
				double d = due - t;

				ts.tv_sec = (time_t)d;
				ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
				continue;
			}
		}
		n = step(l);
		if (n < 0)
			return fail(w, n, "request failed");
		ops += (uint64_t)n;
		reqs += (uint64_t)n * rpo;
	}
	if (warm) /* ended before the warm-up did: nothing measured */
		w->t0 = t;
	w->t1 = t;
	w->ops = ops;
	return 0;
}

/* Submit what is queued, wait for @want completions and take them: their
 * count, or the first failure (a request's negative result). */
static int submit_reap(struct loop *l, unsigned int want)
{
	struct io_uring_cqe *cqes[WAKE_BATCH > NOP_BATCH ? WAKE_BATCH : NOP_BATCH];
	const unsigned int max = sizeof(cqes) / sizeof(cqes[0]);
	unsigned int i, n, got = 0;
	int rc;

	rc = io_uring_submit_and_wait(&l->ring, want);
	if (rc < 0)
		return rc;
	while (got < want) {
		n = io_uring_peek_batch_cqe(&l->ring, cqes, want - got < max ? want - got : max);
		if (!n) {
			rc = io_uring_wait_cqe(&l->ring, cqes);
			if (rc < 0)
				return rc;
			continue;
		}
		for (i = 0; i < n; i++)
			if (cqes[i]->res < 0) {
				rc = cqes[i]->res;
				io_uring_cq_advance(&l->ring, n);
				return rc;
			}
		io_uring_cq_advance(&l->ring, n);
		got += n;
	}
	return (int)got;
}

/* (a) 32 NOPs per io_uring_enter; they complete inline. */
static int step_nop(struct loop *l)
{
	unsigned int i;

	for (i = 0; i < NOP_BATCH; i++)
		io_uring_prep_nop(io_uring_get_sqe(&l->ring));
	return submit_reap(l, NOP_BATCH);
}

/*
 * (flood) 64 futex_wake per io_uring_enter, of a private word of the thread's
 * that nobody waits on: each completes at once with 0. The cheapest request
 * the default rules select (no path, no descriptor), so the generator's
 * kernel time is mostly the daemon's programs.
 */
static int step_wake(struct loop *l)
{
	unsigned int i;

	for (i = 0; i < WAKE_BATCH; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

		/* fd: futex2 flags, addr: the word, addr2 (the offset): how many
		 * to wake, addr3: the bitset (liburing 2.3 has no helper) */
		io_uring_prep_rw(UA_OP_FUTEX_WAKE, sqe, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE,
				 &l->futex_word, 0, 1);
		sqe->addr3 = 0xffffffffu; /* FUTEX_BITSET_MATCH_ANY */
	}
	return submit_reap(l, WAKE_BATCH);
}

/*
 * (b)/(e) Keep READ_QD reads in flight; a buffer per slot, user_data is the
 * slot. Cached reads complete inline (or in the SQ thread). With SQPOLL a
 * CQE can be visible before the SQ thread has moved the SQ head past the
 * SQE, so the SQ ring has room for two rounds and a slot whose SQE could not
 * be had waits on the free list for the next step.
 */
static void queue_reads(struct loop *l)
{
	while (l->nfree) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);
		unsigned int slot;
		uint64_t blk;

		if (!sqe)
			break;
		slot = l->free[--l->nfree];
		blk = xorshift(&l->w->seed) % l->w->env->read_blocks;
		io_uring_prep_read(sqe, l->fd, l->bufs + (size_t)slot * READ_BS, READ_BS,
				   blk * READ_BS);
		sqe->user_data = slot;
	}
}

static int step_read(struct loop *l)
{
	struct io_uring_cqe *cqes[READ_QD];
	unsigned int i, n, spin;
	int rc;

	queue_reads(l);
	rc = io_uring_submit(&l->ring);
	if (rc < 0)
		return rc;
	n = io_uring_peek_batch_cqe(&l->ring, cqes, READ_QD);
	/* SQPOLL: the point is to make no system call, so spin on the CQ
	 * ring for a while (the SQ thread has its own CPU) before sleeping. */
	for (spin = l->spin; !n && spin; spin--)
		n = io_uring_peek_batch_cqe(&l->ring, cqes, READ_QD);
	if (!n) {
		rc = io_uring_wait_cqe(&l->ring, cqes);
		if (rc < 0)
			return rc;
		n = io_uring_peek_batch_cqe(&l->ring, cqes, READ_QD);
	}
	for (i = 0; i < n; i++) {
		if (cqes[i]->res != READ_BS)
			return cqes[i]->res < 0 ? cqes[i]->res : -EIO;
		l->free[l->nfree++] = (unsigned int)cqes[i]->user_data;
	}
	io_uring_cq_advance(&l->ring, n);
	return (int)n;
}

/*
 * (c)/(d) One io_uring_enter per iteration carries the 16 closes of the
 * previous iteration's descriptors and 16 new openat: 16 pairs per submit,
 * up to 32 requests in flight, plain descriptors (not fixed slots) as a
 * program that hides its opens would use. user_data: bit 8 marks a close.
 */
#define UD_CLOSE 0x100u

static int step_open(struct loop *l)
{
	struct io_uring_cqe *cqe;
	unsigned int i, want = 0, closes = 0;
	int fds[OPEN_PAIRS];
	int rc;

	for (i = 0; i < l->nfds; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

		io_uring_prep_close(sqe, l->fds[i]);
		sqe->flags |= l->sqe_flags;
		sqe->user_data = UD_CLOSE | i;
		want++;
	}
	for (i = 0; i < OPEN_PAIRS; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

		io_uring_prep_openat(sqe, AT_FDCWD, l->w->env->small_path, O_RDONLY | O_CLOEXEC, 0);
		sqe->flags |= l->sqe_flags;
		sqe->user_data = i;
		fds[i] = -1;
		want++;
	}
	l->nfds = 0;
	rc = io_uring_submit_and_wait(&l->ring, want);
	if (rc < 0)
		return rc;
	while (want) {
		rc = io_uring_wait_cqe(&l->ring, &cqe);
		if (rc < 0)
			return rc;
		if (cqe->user_data & UD_CLOSE) {
			if (cqe->res < 0)
				return cqe->res;
			closes++;
		} else {
			if (cqe->res < 0)
				return cqe->res;
			fds[cqe->user_data & (OPEN_PAIRS - 1)] = cqe->res;
		}
		io_uring_cqe_seen(&l->ring, cqe);
		want--;
	}
	memcpy(l->fds, fds, sizeof(fds));
	l->nfds = OPEN_PAIRS;
	return (int)closes;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct io_uring_params p;
	struct loop l;
	unsigned int entries = NOP_RING;
	int (*step)(struct loop *) = step_nop;
	int rc;
	unsigned int i;

	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	l.w = w;
	l.fd = -1;
	switch (w->kind) {
	case WL_NOP:
		break;
	case WL_READ_SQPOLL:
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = SQ_IDLE_MS;
		l.spin = SQPOLL_SPIN;
		/* fall through */
	case WL_READ:
		entries = 2 * READ_QD;
		step = step_read;
		for (i = 0; i < READ_QD; i++)
			l.free[l.nfree++] = i;
		l.fd = open(w->env->read_path, O_RDONLY | O_CLOEXEC);
		if (l.fd < 0)
			return (void *)(long)fail(w, errno, "open data file");
		l.bufs = aligned_alloc(4096, (size_t)READ_QD * READ_BS);
		if (!l.bufs) {
			close(l.fd);
			return (void *)(long)fail(w, ENOMEM, "buffers");
		}
		break;
	case WL_OPEN_ASYNC:
		l.sqe_flags = IOSQE_ASYNC;
		/* fall through */
	case WL_OPEN:
		entries = 2 * OPEN_PAIRS;
		step = step_open;
		break;
	case WL_WAKE:
		entries = 2 * WAKE_BATCH;
		step = step_wake;
		break;
	default:
		return (void *)(long)fail(w, EINVAL, "no such workload");
	}
	rc = io_uring_queue_init_params(entries, &l.ring, &p);
	if (rc < 0) {
		fail(w, rc, "io_uring_queue_init");
		goto out;
	}
	run_loop(w, &l, step);
	/* Descriptors still open after the last iteration. */
	for (i = 0; i < l.nfds; i++)
		close(l.fds[i]);
	io_uring_queue_exit(&l.ring);
out:
	if (l.fd >= 0)
		close(l.fd);
	free(l.bufs);
	return NULL;
}

/*
 * fio, as a child process: ioengine=io_uring, buffered 4 KiB random reads of
 * the same cached file, QD 32. invalidate=0 keeps fio from dropping the file
 * from the page cache; gtod_reduce=1 keeps fio's own clock reads out of the
 * cost. Terse v3 output: field 8 is read IOPS.
 */
static int run_fio(const struct wl_env *env, double warmup, double secs, struct wl_result *r,
		   char *err, size_t errlen)
{
	char rt[32], ramp[32], fn[600], size[64], out[8192];
	int pfd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	char *f;
	int field;

	if (!env->fio) {
		snprintf(err, errlen, "fio not installed");
		return -1;
	}
	snprintf(rt, sizeof(rt), "--runtime=%ums", (unsigned int)(secs * 1000));
	snprintf(ramp, sizeof(ramp), "--ramp_time=%ums", (unsigned int)(warmup * 1000));
	snprintf(fn, sizeof(fn), "--filename=%s", env->read_path);
	snprintf(size, sizeof(size), "--size=%llu", (unsigned long long)env->read_blocks * READ_BS);
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl(env->fio, "fio", "--name=randread", fn, size, "--rw=randread", "--bs=4k",
		      "--ioengine=io_uring", "--iodepth=32", "--direct=0", "--invalidate=0",
		      "--norandommap", "--randrepeat=0", "--gtod_reduce=1", "--time_based", rt,
		      ramp, "--output-format=terse", "--terse-version=3", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (len < sizeof(out) - 1 && (n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	/* Interrupted: do not wait out fio's runtime. */
	if (bench_stop)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		kill(pid, SIGTERM);
	if (bench_stop) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "fio failed (status %d)", status);
		return -1;
	}
	/* 3;fio-3.33;randread;0;0;read_kb;read_bw;read_iops;... */
	for (f = out, field = 1; f && field < 8; field++) {
		f = strchr(f, ';');
		if (f)
			f++;
	}
	if (!f) {
		snprintf(err, errlen, "cannot parse fio output");
		return -1;
	}
	r->secs = secs;
	r->per_s = strtod(f, NULL);
	r->ops = (uint64_t)(r->per_s * secs);
	return r->per_s > 0 ? 0 : -1;
}

int wl_run(enum wl_kind k, const struct wl_env *env, unsigned int nthreads, double warmup,
	   double secs, double rate, struct wl_result *r, char *err, size_t errlen)
{
	struct worker w[MAX_THREADS];
	double start, t0 = 0, t1 = 0;
	unsigned int i, started = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (k == WL_FIO)
		return run_fio(env, warmup, secs, r, err, errlen);
	if (!nthreads || nthreads > MAX_THREADS) {
		snprintf(err, errlen, "bad thread count %u", nthreads);
		return -1;
	}
	memset(w, 0, sizeof(w));
	start = now_s();
	for (i = 0; i < nthreads; i++) {
		w[i].kind = k;
		w[i].env = env;
		w[i].warm_end = start + warmup;
		w[i].end = start + warmup + secs;
		w[i].rate = rate / nthreads;
		w[i].seed = 0x9e3779b97f4a7c15ULL * (i + 1) ^ (uint64_t)(start * 1e9);
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i])) {
			snprintf(err, errlen, "pthread_create failed");
			rc = -1;
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
	for (i = 0; i < started; i++) {
		if (w[i].err) {
			snprintf(err, errlen, "%s", w[i].msg);
			return -1;
		}
		r->ops += w[i].ops;
		if (!t0 || w[i].t0 < t0)
			t0 = w[i].t0;
		if (w[i].t1 > t1)
			t1 = w[i].t1;
	}
	if (rc)
		return rc;
	r->secs = t1 - t0;
	r->per_s = r->secs > 0 ? (double)r->ops / r->secs : 0;
	return 0;
}

/* What a child of wl_run_procs() sends back. */
struct proc_res {
	int rc;
	struct wl_result r;
	char err[160];
};

int wl_run_procs(enum wl_kind k, const struct wl_env *env, unsigned int nprocs,
		 unsigned int nthreads, double secs, double rate, struct wl_result *r, char *err,
		 size_t errlen)
{
	pid_t pids[MAX_PROCS];
	int fds[MAX_PROCS];
	unsigned int i, started = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!nprocs || nprocs > MAX_PROCS || k == WL_FIO) {
		snprintf(err, errlen, "bad process count %u (1..%d)", nprocs, MAX_PROCS);
		return -1;
	}
	for (i = 0; i < nprocs; i++) {
		int pfd[2];
		pid_t pid;

		if (pipe2(pfd, O_CLOEXEC)) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			rc = -1;
			break;
		}
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			close(pfd[0]);
			close(pfd[1]);
			rc = -1;
			break;
		}
		if (pid == 0) {
			struct proc_res pr;

			memset(&pr, 0, sizeof(pr));
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(pfd[0]);
			pr.rc = wl_run(k, env, nthreads, 0, secs, rate / nprocs, &pr.r, pr.err,
				       sizeof(pr.err));
			if (write(pfd[1], &pr, sizeof(pr)) != (ssize_t)sizeof(pr))
				_exit(2);
			_exit(0);
		}
		close(pfd[1]);
		pids[started] = pid;
		fds[started++] = pfd[0];
	}
	for (i = 0; i < started; i++) {
		struct proc_res pr;
		ssize_t n;
		int status;

		while ((n = read(fds[i], &pr, sizeof(pr))) < 0 && errno == EINTR)
			;
		close(fds[i]);
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(pr)) {
			if (!rc)
				snprintf(err, errlen, "generator process %d died (status %d)",
					 (int)pids[i], status);
			rc = -1;
			continue;
		}
		if (pr.rc) {
			if (!rc)
				snprintf(err, errlen, "%s", pr.err);
			rc = -1;
			continue;
		}
		r->ops += pr.r.ops;
		if (pr.r.secs > r->secs)
			r->secs = pr.r.secs;
	}
	if (rc)
		return rc;
	r->per_s = r->secs > 0 ? (double)r->ops / r->secs : 0;
	return 0;
}
