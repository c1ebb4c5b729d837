// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The variants: what is attached to the kernel while a workload runs.
 *
 *   base        nothing attached; kernel audit disabled (audit_enabled=0)
 *   floor       empty tp_btf programs (return 0) on the 7 tracepoints the
 *               daemon uses: what the kernel charges for dispatching to BPF
 *   ua-none     uringaudit's own programs, loaded and attached by its loader
 *               in this process, opcode bitmap all zero: every request takes
 *               the gate and leaves
 *   ua-default  the daemon, a separate process, default rules, text records
 *               to a file, exactly as `uringaudit run` runs in production
 *   kaudit      the kernel's io_uring audit: one AUDIT_FILTER_URING_EXIT rule
 *               selecting the daemon's default opcodes, audit enabled, auditd
 *               running and writing its log
 *   tp-unsel, tp-sel, perop-unsel, perop-sel
 *               the daemon on the tracepoint or the per-op backend, with
 *               rules selecting none of the workloads' opcodes (-S connect)
 *               or, loaded before each workload (var_select), that
 *               workload's own opcodes (-S nop; -S read; -S openat,close);
 *   perop-late  the per-op backend with -S write: none of the workloads'
 *               opcodes, but one whose result may come late, for which the
 *               backend attaches its late-completion hooks (io/rw.c's
 *               completion: perop_rw_*);
 *               run only when
 *               --variants names them (make bench-vm: the per-op backend
 *               loads where fexit does, in the 6.1 and 6.12 guests)
 *
 * Kernel audit is disabled for every variant but kaudit so that the base is
 * "no auditing"; the enabled flag found at start is restored at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <libaudit.h>

#include "bench.h"
#include "daemon.h"
#include "ua_floor.skel.h"

/* Under TCG (make bench-vm) the verifier alone takes seconds. */
#define DAEMON_READY_S 300.0
#define PEROP_RETIRE_S 30.0
#define DAEMON_STOP_S 30.0
#define UA_RB_BYTES (8u << 20) /* the daemon's default ring buffer */

const char *const variant_names[V_NR] = {
	[V_BASE] = "base",	     [V_FLOOR] = "floor",
	[V_UA_NONE] = "ua-none",     [V_UA_DEFAULT] = "ua-default",
	[V_KAUDIT] = "kaudit",	     [V_TP_UNSEL] = "tp-unsel",
	[V_TP_SEL] = "tp-sel",	     [V_PEROP_UNSEL] = "perop-unsel",
	[V_PEROP_SEL] = "perop-sel", [V_PEROP_LATE] = "perop-late",
};

/* The rules of the backend variants: no opcode the workloads submit; the
 * sel variants start with it too and load each workload's own opcodes
 * before it runs (var_select). */
static const char rules_unsel_text[] = "-a always,io_uring -S connect\n";
/* perop-late: an opcode none of them submits whose result may come late */
static const char rules_late_text[] = "-a always,io_uring -S write\n";

int var_is_daemon(enum variant v)
{
	return v == V_UA_DEFAULT || v >= V_FIRST_OPTIONAL;
}

/* The daemon's arguments beyond the common ones, for @which. */
static void daemon_args(const struct vctx *v, enum variant which, const char *args[6])
{
	int n = 0;

	if (which >= V_FIRST_OPTIONAL) {
		args[n++] = "--backend";
		args[n++] = which == V_TP_UNSEL || which == V_TP_SEL ? "tracepoint" : "perop";
		args[n++] = "--rules";
		args[n++] = which == V_PEROP_LATE ? v->rules_late : v->rules_unsel;
	}
	args[n] = NULL;
}

void var_init(struct vctx *v, const char *daemon_path, const char *dir)
{
	memset(v, 0, sizeof(*v));
	v->daemon_path = daemon_path;
	v->dir = dir;
	v->active = -1;
	v->audit_fd = -1;
	v->audit_enabled_orig = -1;
	v->audit_log = "/var/log/audit/audit.log";
	v->foreign_wait_s = 600;
	snprintf(v->log_path, sizeof(v->log_path), "%s/uringaudit.log", dir);
	snprintf(v->pid_path, sizeof(v->pid_path), "%s/uringaudit.pid", dir);
	snprintf(v->sock_path, sizeof(v->sock_path), "%s/uringaudit.sock", dir);
	snprintf(v->err_path, sizeof(v->err_path), "%s/uringaudit.stderr", dir);
	snprintf(v->rules_unsel, sizeof(v->rules_unsel), "%s/unselected.rules", dir);
	snprintf(v->rules_late, sizeof(v->rules_late), "%s/late.rules", dir);
	snprintf(v->rules_sel, sizeof(v->rules_sel), "%s/selected.rules", dir);
}

/* ---- floor ---- */

static int floor_up(struct vctx *v, char *err, size_t errlen)
{
	int rc;

	v->floor = ua_floor__open_and_load();
	if (!v->floor) {
		snprintf(err, errlen, "cannot load the floor programs: %s", strerror(errno));
		return -1;
	}
	rc = ua_floor__attach(v->floor);
	if (rc) {
		snprintf(err, errlen, "cannot attach the floor programs: %s", strerror(-rc));
		ua_floor__destroy(v->floor);
		v->floor = NULL;
		return -1;
	}
	return 0;
}

static void floor_down(struct vctx *v)
{
	if (v->floor)
		ua_floor__destroy(v->floor);
	v->floor = NULL;
}

/* ---- ua-none ---- */

static int ua_none_up(struct vctx *v, char *err, size_t errlen)
{
	static const uint64_t none[4];
	/* The daemon's defaults (src/main.c): ring buffer, per-uid pending share; no pin set. */
	const struct ua_options o = { .rb_bytes = UA_RB_BYTES,
				      .pending_per_uid = 8192,
				      .fair = UA_FAIR_DEFAULTS };

	v->loader = calloc(1, sizeof(*v->loader));
	if (!v->loader) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ua_loader_start(v->loader, none, &o, err, errlen)) {
		free(v->loader);
		v->loader = NULL;
		return -1;
	}
	return 0;
}

static void ua_none_down(struct vctx *v)
{
	if (v->loader) {
		ua_loader_stop(v->loader);
		free(v->loader);
	}
	v->loader = NULL;
}

/* ---- ua-default: the daemon as a child process ---- */

static void read_file_tail(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, out, len - 1);
	close(fd);
	if (n > 0) {
		out[n] = '\0';
		out[strcspn(out, "\n")] = '\0';
	}
}

static int daemon_wait(pid_t pid, double secs, int *status)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(10000);
	}
	return -1;
}

static void daemon_stop(struct vctx *v)
{
	int status = 0;

	if (v->daemon_pid <= 0)
		return;
	kill(v->daemon_pid, SIGTERM);
	if (daemon_wait(v->daemon_pid, DAEMON_STOP_S, &status)) {
		fprintf(stderr, "uabench: the daemon did not stop in %.0f s: killed\n",
			DAEMON_STOP_S);
		kill(v->daemon_pid, SIGKILL);
		waitpid(v->daemon_pid, &status, 0);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "uabench: the daemon exited with status 0x%x\n", status);
	}
	v->daemon_pid = 0;
	unlink(v->log_path);
	unlink(v->pid_path);
}

int var_daemon_alive(struct vctx *v)
{
	int status;

	if (v->daemon_pid <= 0)
		return 0;
	if (waitpid(v->daemon_pid, &status, WNOHANG) == v->daemon_pid) {
		fprintf(stderr, "uabench: the daemon exited (status 0x%x)\n", status);
		v->daemon_pid = 0;
		return 0;
	}
	return 1;
}

static int daemon_start(struct vctx *v, enum variant which, char *err, size_t errlen)
{
	const char *argv[20], *extra[6];
	pid_t parent = getpid(), pid;
	int status, n = 0, i;
	double end;

	argv[n++] = "uringaudit";
	argv[n++] = "run";
	argv[n++] = "--log";
	argv[n++] = v->log_path;
	if (v->format) {
		argv[n++] = "--format";
		argv[n++] = v->format;
	}
	argv[n++] = "--pid-file";
	argv[n++] = v->pid_path;
	argv[n++] = "--socket";
	argv[n++] = v->sock_path;
	daemon_args(v, which, extra);
	for (i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	unlink(v->pid_path);
	unlink(v->log_path);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd;
		sigset_t none;

		/* Never outlive the bench, whatever kills it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fd = open(v->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(v->daemon_path, (char *const *)argv);
		_exit(127);
	}
	v->daemon_pid = pid;
	/* Readiness: the pid file appears once every program is attached and
	 * the consumer runs. */
	end = now_s() + DAEMON_READY_S;
	while (access(v->pid_path, F_OK)) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			char msg[200];

			v->daemon_pid = 0;
			read_file_tail(v->err_path, msg, sizeof(msg));
			snprintf(err, errlen, "the daemon exited at start (status 0x%x): %s",
				 status, msg);
			return -1;
		}
		if (now_s() > end || bench_stop) {
			snprintf(err, errlen, "the daemon was not ready in %.0f s", DAEMON_READY_S);
			daemon_stop(v);
			return -1;
		}
		usleep(10000);
	}
	return 0;
}

/* The daemon answers a "status" line with one flat JSON object. */
static uint64_t json_u64(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : 0;
}

/* The daemon's answer to "status" in @buf; its length, or -1. */
static int status_text(const char *sock, char *buf, size_t size)
{
	struct sockaddr_un sa;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* The request is one line; a daemon that waits for it would otherwise
	 * time out before it answers (and not drain its ring buffer meanwhile). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, "status\n", 7) != 7) {
		close(fd);
		return -1;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return len ? (int)len : -1;
}

int daemon_status(const char *sock, struct ua_status_snap *s)
{
	char buf[4096];

	memset(s, 0, sizeof(*s));
	if (status_text(sock, buf, sizeof(buf)) < 0)
		return -1;
	s->selected = json_u64(buf, "selected");
	s->events = json_u64(buf, "events");
	s->recorded = json_u64(buf, "recorded");
	s->lost = json_u64(buf, "lost");
	s->lost_declared = json_u64(buf, "lost_declared");
	s->pending = json_u64(buf, "pending");
	return 0;
}

/*
 * The per-op backend keeps the stubs of ops no longer selected attached
 * while a request of theirs may be pending, a second at least (status
 * perop_retiring): after its start (the built-in set goes first) and after
 * a rules load. Measured before they are gone, a workload of those ops
 * would run them. Wait until none is left (bounded).
 */
static void perop_retired(const struct vctx *v)
{
	double end = now_s() + PEROP_RETIRE_S;
	char buf[16384];

	while (now_s() < end && !bench_stop) {
		if (status_text(v->sock_path, buf, sizeof(buf)) < 0 ||
		    !strstr(buf, "\"perop_retiring\":") || !json_u64(buf, "perop_retiring"))
			return;
		usleep(50000);
	}
	fprintf(stderr, "uabench: the per-op backend still has retiring stubs after %.0f s\n",
		PEROP_RETIRE_S);
}

int daemon_status_str(const char *sock, const char *key, char *out, size_t len)
{
	char buf[16384], pat[64];
	const char *p;
	size_t o = 0;

	out[0] = '\0';
	if (status_text(sock, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(buf, pat);
	if (!p)
		return 0;
	p += strlen(pat);
	if (*p == '[') { /* a list of numbers: as it is, without the brackets */
		for (p++; *p && *p != ']' && o + 1 < len; p++)
			out[o++] = *p;
	} else if (*p == '"') {
		for (p++; *p && *p != '"' && o + 1 < len; p++) {
			if (*p == '\\' && p[1])
				p++;
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return 0;
}

/* ---- kaudit ---- */

static struct audit_rule_data *kaudit_rule(const struct vctx *v)
{
	struct audit_rule_data *r = audit_rule_create_data();
	unsigned int op;

	if (!r)
		return NULL;
	for (op = 0; op < 256; op++)
		if (v->opmask[op / 64] & (1ULL << (op % 64)))
			r->mask[op / 32] |= 1u << (op % 32);
	return r;
}

int kaudit_status(struct vctx *v, struct kaudit_snap *s)
{
	struct audit_reply rep;
	int i;

	memset(s, 0, sizeof(*s));
	if (v->audit_fd < 0 || audit_request_status(v->audit_fd) <= 0)
		return -1;
	for (i = 0; i < 16; i++) {
		if (audit_get_reply(v->audit_fd, &rep, GET_REPLY_BLOCKING, 0) <= 0)
			return -1;
		if (rep.type == AUDIT_GET) {
			s->enabled = rep.status->enabled;
			s->pid = rep.status->pid;
			s->lost = rep.status->lost;
			s->backlog = rep.status->backlog;
			s->backlog_limit = rep.status->backlog_limit;
			s->backlog_wait_time = rep.status->backlog_wait_time;
			return 0;
		}
	}
	return -1;
}

static int kaudit_set_enabled(struct vctx *v, int on)
{
	return audit_set_enabled(v->audit_fd, on ? 1 : 0) < 0 ? -1 : 0;
}

static int kaudit_up(struct vctx *v, char *err, size_t errlen)
{
	struct audit_rule_data *r = kaudit_rule(v);
	int rc;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = audit_add_rule_data(v->audit_fd, r, AUDIT_FILTER_URING_EXIT, AUDIT_ALWAYS);
	audit_rule_free_data(r);
	if (rc <= 0) {
		snprintf(err, errlen, "cannot add the io_uring audit rule: %s", strerror(-rc));
		return -1;
	}
	v->audit_rule_added = 1;
	if (kaudit_set_enabled(v, 1)) {
		snprintf(err, errlen, "cannot enable kernel audit");
		return -1;
	}
	return 0;
}

static void kaudit_down(struct vctx *v)
{
	if (v->audit_fd < 0)
		return;
	if (v->audit_rule_added) {
		struct audit_rule_data *r = kaudit_rule(v);

		if (r) {
			int rc = audit_delete_rule_data(v->audit_fd, r, AUDIT_FILTER_URING_EXIT,
							AUDIT_ALWAYS);

			if (rc <= 0)
				fprintf(stderr,
					"uabench: cannot remove the io_uring audit rule: %s\n",
					strerror(-rc));
			else
				v->audit_rule_added = 0;
			audit_rule_free_data(r);
		}
	}
	kaudit_set_enabled(v, 0);
}

int var_kaudit_remove_stale(char *err, size_t errlen)
{
	struct ua_optable ops;
	struct vctx v;
	int rc;

	var_init(&v, "", "/");
	if (ua_kernel_probe(&ops, err, errlen))
		ua_optable_init_builtin(&ops);
	ua_optable_default_mask(&ops, v.opmask);
	v.audit_fd = audit_open();
	if (v.audit_fd < 0) {
		snprintf(err, errlen, "audit netlink socket unavailable");
		return -1;
	}
	v.audit_rule_added = 1;
	{
		struct audit_rule_data *r = kaudit_rule(&v);

		rc = r ? audit_delete_rule_data(v.audit_fd, r, AUDIT_FILTER_URING_EXIT,
						AUDIT_ALWAYS) :
			 -ENOMEM;
		audit_rule_free_data(r);
	}
	audit_close(v.audit_fd);
	if (rc <= 0 && rc != -ENOENT) {
		snprintf(err, errlen, "%s", strerror(-rc));
		return -1;
	}
	snprintf(err, errlen, rc > 0 ? "removed a stale rule" : "no stale rule");
	return 0;
}

/* ---- probing ---- */

/* Does @path hold "type=URINGOP" after byte @from? (The whole file when it
 * was rotated meanwhile: another inode, or shorter than @from.) */
static int log_has_uringop(const char *path, ino_t ino, off_t from)
{
	static const char pat[] = "type=URINGOP";
	char buf[65536 + sizeof(pat)];
	size_t keep = 0;
	struct stat st;
	ssize_t n;
	int fd, found = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || st.st_ino != ino || st.st_size < from)
		from = 0;
	while (!found && (n = pread(fd, buf + keep, sizeof(buf) - keep, from)) > 0) {
		size_t len = keep + (size_t)n;

		from += n;
		found = memmem(buf, len, pat, sizeof(pat) - 1) != NULL;
		/* a match may straddle two reads: keep the tail */
		keep = len < sizeof(pat) - 1 ? len : sizeof(pat) - 1;
		memmove(buf, buf + len - keep, keep);
	}
	close(fd);
	return found;
}

/* Does auditd write URINGOP records for our rule? Add it, run a few opens in
 * a fresh thread, look for the record type in what the log gained. */
static int kaudit_check_log(struct vctx *v, const struct wl_env *env, char *err, size_t errlen)
{
	struct wl_result r;
	struct stat st;
	double end;
	int found = 0;

	if (stat(v->audit_log, &st)) {
		snprintf(err, errlen, "auditd's log %s does not exist", v->audit_log);
		return -1;
	}
	if (kaudit_up(v, err, errlen)) {
		kaudit_down(v);
		return -1;
	}
	/* a few hundred opens: enough to see, too few to rotate the log */
	if (wl_run(WL_OPEN, env, 1, 0, 0.005, 0, &r, err, errlen)) {
		kaudit_down(v);
		return -1;
	}
	kaudit_down(v);
	end = now_s() + 5;
	while (!found && now_s() < end && !bench_stop) {
		found = log_has_uringop(v->audit_log, st.st_ino, st.st_size);
		if (!found)
			usleep(50000);
	}
	if (!found) {
		snprintf(err, errlen, "no URINGOP record reached %s", v->audit_log);
		return -1;
	}
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Replace the running daemon's rules by one selecting @ops (uringaudit
 * rules load: the daemon answers once they are in force). */
static int load_rules(struct vctx *v, const char *ops, char *err, size_t errlen)
{
	char text[256], out[512], msg[200];
	pid_t pid;
	int status;

	snprintf(text, sizeof(text), "-a always,io_uring -S %s\n", ops);
	snprintf(out, sizeof(out), "%s/rules-load.out", v->dir);
	if (write_text(v->rules_sel, text)) {
		snprintf(err, errlen, "cannot write %.200s: %s", v->rules_sel, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(v->daemon_path, "uringaudit", "rules", "load", v->rules_sel, "--socket",
		      v->sock_path, (char *)NULL);
		_exit(127);
	}
	if (daemon_wait(pid, DAEMON_READY_S, &status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(err, errlen, "uringaudit rules load (-S %s) did not return in %.0f s", ops,
			 DAEMON_READY_S);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		read_file_tail(out, msg, sizeof(msg));
		snprintf(err, errlen, "uringaudit rules load (-S %s): status 0x%x: %s", ops, status,
			 msg);
		return -1;
	}
	unlink(out);
	perop_retired(v);
	return 0;
}

int var_select(struct vctx *v, enum wl_kind k, char *err, size_t errlen)
{
	if (v->active != V_TP_SEL && v->active != V_PEROP_SEL)
		return 0;
	return load_rules(v, wl_descs[k].ops, err, errlen);
}

/*
 * The backend variants: the rule files, then one start of the daemon on
 * the per-op backend, which says whether it runs (it falls back to the
 * tracepoints where fexit does not load: then the perop variants are
 * skipped with its reason) and which handlers it attached.
 */
static void backends_probe(struct vctx *v, const int want[V_NR])
{
	enum variant b;
	char err[256], be[32], ops[128];

	if (write_text(v->rules_unsel, rules_unsel_text) ||
	    write_text(v->rules_late, rules_late_text)) {
		int e = errno;

		for (b = V_FIRST_OPTIONAL; b < V_NR; b++) {
			v->avail[b] = 0;
			snprintf(v->why[b], sizeof(v->why[0]), "cannot write %.180s: %s",
				 v->rules_unsel, strerror(e));
		}
		return;
	}
	if (!want[V_PEROP_UNSEL] && !want[V_PEROP_SEL] && !want[V_PEROP_LATE])
		return;
	/* the opcodes of the workloads (a), (b), (c), to name their handlers */
	snprintf(ops, sizeof(ops), "%s,%s,%s", wl_descs[WL_NOP].ops, wl_descs[WL_READ].ops,
		 wl_descs[WL_OPEN].ops);
	if (daemon_start(v, V_PEROP_SEL, err, sizeof(err)) ||
	    load_rules(v, ops, err, sizeof(err))) {
		daemon_stop(v);
		for (b = V_PEROP_UNSEL; b <= V_PEROP_LATE; b++) {
			v->avail[b] = 0;
			snprintf(v->why[b], sizeof(v->why[0]), "%s", err);
		}
		return;
	}
	daemon_status_str(v->sock_path, "backend", be, sizeof(be));
	if (strcmp(be, "perop")) {
		daemon_status_str(v->sock_path, "perop_unavailable", err, sizeof(err));
		for (b = V_PEROP_UNSEL; b <= V_PEROP_LATE; b++) {
			v->avail[b] = 0;
			snprintf(v->why[b], sizeof(v->why[0]),
				 "--backend perop runs as %s here: %.190s", be[0] ? be : "?",
				 err[0] ? err : "no reason given");
		}
	} else {
		daemon_status_str(v->sock_path, "perop_handlers", v->perop_handlers,
				  sizeof(v->perop_handlers));
		daemon_status_str(v->sock_path, "perop_fallback", v->perop_fallback,
				  sizeof(v->perop_fallback));
	}
	daemon_stop(v);
}

void var_probe(struct vctx *v, const struct wl_env *env, const int want[V_NR])
{
	struct ua_optable ops;
	struct kaudit_snap ks;
	char err[256];
	int i;

	for (i = 0; i < V_NR; i++) {
		v->avail[i] = i == V_BASE || want[i];
		if (!v->avail[i])
			snprintf(v->why[i], sizeof(v->why[0]), "not selected");
	}

	if (ua_kernel_probe(&ops, err, sizeof(err))) {
		for (i = 0; i < V_NR; i++) {
			if (!var_is_daemon((enum variant)i) && i != V_UA_NONE)
				continue;
			v->avail[i] = 0;
			snprintf(v->why[i], sizeof(v->why[0]), "%s", err);
		}
		ua_optable_init_builtin(&ops);
	}
	v->nops = (unsigned int)ua_optable_default_mask(&ops, v->opmask);

	if (v->avail[V_FLOOR] && floor_up(v, err, sizeof(err))) {
		v->avail[V_FLOOR] = 0;
		snprintf(v->why[V_FLOOR], sizeof(v->why[0]), "%s", err);
	}
	floor_down(v);
	if (v->avail[V_UA_NONE]) {
		if (ua_none_up(v, err, sizeof(err))) {
			v->avail[V_UA_NONE] = 0;
			snprintf(v->why[V_UA_NONE], sizeof(v->why[0]), "%s", err);
		}
		ua_none_down(v);
	}
	for (i = 0; i < V_NR; i++) {
		if (!var_is_daemon((enum variant)i) || !v->avail[i] ||
		    !access(v->daemon_path, X_OK))
			continue;
		v->avail[i] = 0;
		snprintf(v->why[i], sizeof(v->why[0]), "%s: %s", v->daemon_path, strerror(errno));
	}
	for (i = V_FIRST_OPTIONAL; i < V_NR; i++)
		if (v->avail[i]) {
			backends_probe(v, v->avail);
			break;
		}

	/* Kernel audit: the netlink socket, auditd, the io_uring filter list,
	 * and records in auditd's log. */
	v->audit_fd = audit_open();
	if (v->audit_fd < 0) {
		v->avail[V_KAUDIT] = 0;
		snprintf(v->why[V_KAUDIT], sizeof(v->why[0]),
			 "no audit netlink socket (kernel without CONFIG_AUDIT?)");
		return;
	}
	if (kaudit_status(v, &ks)) {
		v->avail[V_KAUDIT] = 0;
		snprintf(v->why[V_KAUDIT], sizeof(v->why[0]), "cannot read the audit status");
		return;
	}
	v->audit_enabled_orig = (int)ks.enabled;
	v->auditd_pid = (pid_t)ks.pid;
	v->audit_backlog_limit = ks.backlog_limit;
	v->audit_backlog_wait = ks.backlog_wait_time;
	if (ks.enabled == 2) {
		/* Locked (-e 2): we could not restore it, nor turn it off. */
		v->avail[V_KAUDIT] = 0;
		snprintf(v->why[V_KAUDIT], sizeof(v->why[0]),
			 "kernel audit configuration is locked (enabled=2)");
		v->audit_enabled_orig = -1;
		return;
	}
	if (!v->avail[V_KAUDIT]) {
		/* not selected: audit is only turned off for the others */
	} else if (!ks.pid) {
		v->avail[V_KAUDIT] = 0;
		snprintf(v->why[V_KAUDIT], sizeof(v->why[0]),
			 "auditd is not running (start it: service auditd start)");
	} else if (kaudit_check_log(v, env, err, sizeof(err))) {
		v->avail[V_KAUDIT] = 0;
		snprintf(v->why[V_KAUDIT], sizeof(v->why[0]), "%s", err);
	}
	/* No auditing outside the kaudit variant. */
	kaudit_set_enabled(v, 0);
}

/* Does @id name a program this process or the daemon holds? */
static int ours(const struct vctx *v, uint32_t id)
{
	struct bpf_obj_info objs[64];
	pid_t pids[2] = { getpid(), v->daemon_pid };
	int i, j, n;

	for (i = 0; i < 2; i++) {
		if (pids[i] <= 0)
			continue;
		n = proc_bpf_objs(pids[i], "bpf-prog", objs, 64);
		for (j = 0; j < n; j++)
			if (objs[j].id == id)
				return 1;
	}
	return 0;
}

/*
 * Another BPF program on io_uring's tracepoints (a uringaudit someone else
 * runs, a test suite's daemon) would be measured as part of every variant,
 * the base included. Wait for it to go, then give up.
 */
int var_foreign_links(const struct vctx *v, char *desc, size_t len)
{
	char d[16][128];
	uint32_t ids[16];
	int i, n = io_uring_links(d, 16, ids), foreign = 0;

	if (desc && len)
		desc[0] = '\0';
	for (i = 0; i < n && i < 16; i++) {
		if (ours(v, ids[i]))
			continue;
		if (!foreign++ && desc)
			snprintf(desc, len, "%s", d[i]);
	}
	return foreign;
}

int var_wait_foreign(const struct vctx *v, char *err, size_t errlen)
{
	double end = now_s() + v->foreign_wait_s;
	int said = 0;

	while (!bench_stop) {
		char desc[128];
		int foreign = var_foreign_links(v, desc, sizeof(desc));

		if (!foreign)
			return 0;
		if (now_s() > end && v->foreign_ok) {
			fprintf(stderr,
				"uabench: going ahead with %d foreign BPF programs on io_uring "
				"tracepoints (--foreign-ok): %s\n",
				foreign, desc);
			((struct vctx *)v)->foreign_runs++;
			return 0;
		}
		if (now_s() > end) {
			snprintf(err, errlen,
				 "%d BPF programs of another process stay attached to io_uring "
				 "tracepoints (%s): every variant would pay for them",
				 foreign, desc);
			return -1;
		}
		if (!said) {
			fprintf(stderr,
				"\nuabench: waiting (up to %.0f s) for %d BPF programs of another "
				"process to leave io_uring tracepoints: %s\n",
				v->foreign_wait_s, foreign, desc);
			said = 1;
		}
		sleep_s(1);
	}
	snprintf(err, errlen, "interrupted");
	return -1;
}

int var_setup(struct vctx *v, enum variant which, char *err, size_t errlen)
{
	int rc = 0;

	var_teardown(v);
	switch (which) {
	case V_BASE:
		break;
	case V_FLOOR:
		rc = floor_up(v, err, errlen);
		break;
	case V_UA_NONE:
		rc = ua_none_up(v, err, errlen);
		break;
	case V_UA_DEFAULT:
	case V_TP_UNSEL:
	case V_TP_SEL:
	case V_PEROP_UNSEL:
	case V_PEROP_SEL:
	case V_PEROP_LATE:
		rc = daemon_start(v, which, err, errlen);
		if (!rc && which >= V_PEROP_UNSEL)
			perop_retired(v); /* the built-in set's stubs gone */
		break;
	case V_KAUDIT:
		rc = kaudit_up(v, err, errlen);
		if (rc)
			kaudit_down(v);
		break;
	default:
		snprintf(err, errlen, "no such variant");
		return -1;
	}
	if (rc)
		return rc;
	v->active = (int)which;
	if (var_wait_foreign(v, err, errlen)) {
		var_teardown(v);
		return -1;
	}
	return 0;
}

void var_teardown(struct vctx *v)
{
	switch (v->active) {
	case V_FLOOR:
		floor_down(v);
		break;
	case V_UA_NONE:
		ua_none_down(v);
		break;
	case V_UA_DEFAULT:
	case V_TP_UNSEL:
	case V_TP_SEL:
	case V_PEROP_UNSEL:
	case V_PEROP_SEL:
	case V_PEROP_LATE:
		daemon_stop(v);
		break;
	case V_KAUDIT:
		kaudit_down(v);
		break;
	default:
		break;
	}
	v->active = -1;
}

void var_cleanup(struct vctx *v)
{
	var_teardown(v);
	floor_down(v);
	ua_none_down(v);
	daemon_stop(v);
	if (v->audit_fd >= 0) {
		kaudit_down(v);
		if (v->audit_enabled_orig >= 0)
			audit_set_enabled(v->audit_fd, (uint32_t)v->audit_enabled_orig);
		audit_close(v->audit_fd);
		v->audit_fd = -1;
	}
}
