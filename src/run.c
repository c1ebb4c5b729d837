// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's lifecycle: a sequence of named start-up steps, the event
 * loop, and the stop. Each step either succeeds or prints why not and
 * returns the exit code; the steps that succeeded are then undone in
 * reverse order. The order is what makes the guarantees:
 *   - everything that can be refused (options, kernel, rules, log, socket)
 *     is checked before a BPF program is loaded;
 *   - programs are loaded with the built-in rules and the real set swapped
 *     in before records flow;
 *   - the pid file is written last: its existence means every program is
 *     attached and the consumer runs.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "daemon_state.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* uringaudit.conf, under the flags: a bad file is invalid input (exit 2). */
static int step_config(struct daemon *d)
{
	struct ua_buf msgs = UA_BUF_INIT;
	int rc = ua_reconfig_load_config(d, &msgs);

	ua_say_lines(msgs.data);
	ua_buf_release(&msgs);
	if (rc) {
		fprintf(stderr, "uringaudit: invalid configuration '%s', nothing loaded\n",
			d->o.config_path);
		return rc == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	return 0;
}

/* Capabilities, not uid 0: User= with AmbientCapabilities= works too. */
static int step_caps(struct daemon *d)
{
	char err[256];

	if (ua_check_caps(err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	return 0;
}

/* Another daemon holding the pid file is refused before anything loads. */
static int step_pid_file_free(struct daemon *d)
{
	long other;

	if (d->o.pid_file && ua_pidfile_busy(d->o.pid_file, &other)) {
		fprintf(stderr, "uringaudit: pid file '%s' names running process %ld\n",
			d->o.pid_file, other);
		return EXIT_FAIL;
	}
	return 0;
}

static int step_kernel(struct daemon *d)
{
	char err[512];

	if (ua_kernel_probe(&d->ops, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	if (!ua_optable_default_mask(&d->ops, d->opmask)) {
		fprintf(stderr, "uringaudit: no default opcode is known to this kernel\n");
		return EXIT_FAIL;
	}
	return 0;
}

static int step_rules(struct daemon *d)
{
	struct ua_buf msgs = UA_BUF_INIT;
	int rc = ua_reconfig_parse_initial(d, &msgs);

	ua_say_lines(msgs.data);
	ua_buf_release(&msgs);
	if (rc) {
		fprintf(stderr, "uringaudit: invalid rules, nothing loaded\n");
		return rc == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	return 0;
}

/* deny and kill rules: refused before anything is loaded where the kernel
 * cannot enforce them and the rules do not say best-effort. */
static int step_enforcement(struct daemon *d)
{
	struct ua_buf msgs = UA_BUF_INIT;
	int rc = ua_enforce_check(d, &d->rules, &msgs);

	ua_say_lines(msgs.data);
	ua_buf_release(&msgs);
	if (rc)
		return EXIT_FAIL;
	if (d->lsm_probed && !d->lsm_ok && d->rules.best_effort)
		fprintf(stderr,
			"uringaudit: --enforce best-effort: %s; deny rules record their requests, "
			"kill rules kill the submitter, neither stops the request, and --deny "
			"policies are not enforced\n",
			d->lsm_why);
	return 0;
}

/* The enforcement object's events (policy denials), with the ring buffer's. */
static int step_enforce_events(struct daemon *d)
{
	int rc = ua_enforce_events(d);

	if (rc) {
		fprintf(stderr, "uringaudit: cannot read the enforcement events: %s\n",
			strerror(-rc));
		return EXIT_FAIL;
	}
	if (d->deny)
		fprintf(stderr, "uringaudit: deny rules and policies enforced with BPF-LSM\n");
	return 0;
}

/* Locked rules (-e 2): tamper resistance where BPF-LSM works, or said why
 * not (stderr, the start record). Nothing for a set that is not locked. */
static int step_tamper(struct daemon *d)
{
	int rc;

	ua_tamper_arm(d);
	rc = ua_tamper_events(d);
	if (rc) {
		fprintf(stderr, "uringaudit: cannot read the tamper events: %s\n", strerror(-rc));
		return EXIT_FAIL;
	}
	return 0;
}

static void undo_rules(struct daemon *d)
{
	ua_ruleset_release(&d->rules);
}

/* Read before the log is opened for writing (and maybe created). */
static int step_previous_log(struct daemon *d)
{
	const char *log = d->o.write_logs ? d->o.log_path : d->o.json_log_path;

	d->prev_unclean = log ? ua_previous_unclean(log, d->prev_time, sizeof(d->prev_time)) : 0;
	return 0;
}

static int open_log(struct daemon *d, struct ua_sink *s, const char *path, enum ua_format f)
{
	char err[512];

	if (ua_sink_open(s, path, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	ua_sink_configure(s, &d->cfg, d->log_gid, f);
	/* log_group: the file and its directory opened to the group. */
	if (d->log_gid && ua_sink_reopen(s, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		ua_sink_close(s);
		return EXIT_FAIL;
	}
	return 0;
}

static int add_qsink(struct daemon *d, enum ua_qsink_kind kind, const char *name, int format,
		     const struct ua_plugin_conf *pc)
{
	char err[512];
	struct ua_qsink *q;

	if (d->sinks.nq == UA_QSINKS_MAX) {
		fprintf(stderr, "uringaudit: more than %d plugin, stdout and audit sinks\n",
			UA_QSINKS_MAX);
		return EXIT_USAGE;
	}
	q = ua_qsink_new(kind, name, (enum ua_format)format, d->o.q_depth, pc, d->o.max_restarts,
			 err, sizeof(err));
	if (!q) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	d->sinks.q[d->sinks.nq++] = q;
	return 0;
}

/* Plugins: plugin_dir's files, then --plugin programs. Checked before
 * anything is started. */
static int plugin_confs(struct daemon *d, struct ua_plugin_conf **pcs, size_t *n)
{
	struct ua_buf msgs = UA_BUF_INIT;
	size_t i, max = UA_QSINKS_MAX;
	int rc = 0;

	*n = 0;
	*pcs = calloc(max, sizeof(**pcs));
	if (!*pcs)
		return EXIT_FAIL;
	if (d->o.plugin_dir)
		rc = ua_plugins_load(d->o.plugin_dir, *pcs, max, n, &msgs);
	for (i = 0; !rc && i < d->o.nplugin_paths; i++) {
		struct ua_plugin_conf *pc = &(*pcs)[*n];

		if (*n == max) {
			ua_buf_addf(&msgs, "more than %zu plugins\n", max);
			rc = -E2BIG;
			break;
		}
		memset(pc, 0, sizeof(*pc));
		pc->active = 1;
		snprintf(pc->path, sizeof(pc->path), "%s", d->o.plugin_paths[i]);
		(*n)++;
	}
	for (i = 0; !rc && i < *n; i++) {
		char err[512];

		if (ua_plugin_check((*pcs)[i].path, err, sizeof(err))) {
			ua_buf_addf(&msgs, "%s\n", err);
			rc = -EPERM;
		}
	}
	ua_say_lines(msgs.data);
	ua_buf_release(&msgs);
	if (rc) {
		fprintf(stderr, "uringaudit: invalid plugins, nothing started\n");
		free(*pcs);
		*pcs = NULL;
		return rc == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	return 0;
}

static void undo_sink(struct daemon *d);

/*
 * Every sink, each independent of the others: the log (unless write_logs =
 * no), the JSON log, then stdout, the plugins and the kernel's audit stream,
 * each with its writer thread and bounded queue (src/qsink.c).
 */
static int step_sink(struct daemon *d)
{
	struct ua_plugin_conf *pcs = NULL;
	size_t npcs = 0, i;
	int rc;

	memset(&d->sinks, 0, sizeof(d->sinks));
	d->sink.fd = d->json_sink.fd = -1;
	rc = plugin_confs(d, &pcs, &npcs);
	if (rc)
		return rc;
	if (d->o.write_logs) {
		rc = open_log(d, &d->sink, d->o.log_path, d->o.format);
		if (rc)
			goto out;
		d->sinks.log = &d->sink;
	}
	if (d->o.json_log_path) {
		rc = open_log(d, &d->json_sink, d->o.json_log_path, UA_FMT_JSON);
		if (rc)
			goto out;
		d->sinks.json_log = &d->json_sink;
	}
	if (d->o.stdout_format >= 0 &&
	    (rc = add_qsink(d, UA_QS_STDOUT, "stdout", d->o.stdout_format, NULL)))
		goto out;
	for (i = 0; i < npcs; i++) {
		char name[80];
		const char *base = strrchr(pcs[i].path, '/');

		snprintf(name, sizeof(name), "plugin:%s", base ? base + 1 : pcs[i].path);
		rc = add_qsink(d, UA_QS_PLUGIN, name, UA_FMT_TEXT, &pcs[i]);
		if (rc)
			goto out;
	}
	if (d->o.audit_forward && (rc = add_qsink(d, UA_QS_AUDIT, "audit", UA_FMT_TEXT, NULL)))
		goto out;
	if (!d->sinks.log && !d->sinks.json_log && !d->sinks.nq) {
		fprintf(stderr, "uringaudit: write_logs = no and no other sink: records would go "
				"nowhere\n");
		rc = EXIT_USAGE;
	}
out:
	free(pcs);
	if (rc)
		undo_sink(d);
	return rc;
}

static void undo_sink(struct daemon *d)
{
	unsigned int i;

	/* Plugins get what is queued (auditd gives them 3 seconds), the stop
	 * record included. */
	for (i = 0; i < d->sinks.nq; i++)
		ua_qsink_close(d->sinks.q[i], 3000);
	d->sinks.nq = 0;
	if (d->sinks.json_log)
		ua_sink_close(&d->json_sink);
	if (d->sinks.log)
		ua_sink_close(&d->sink);
	d->sinks.log = d->sinks.json_log = NULL;
}

static int step_control(struct daemon *d)
{
	char err[512];

	d->ctl_fd = ua_control_listen(d->o.socket_path, err, sizeof(err));
	if (d->ctl_fd < 0) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	return 0;
}

static void undo_control(struct daemon *d)
{
	ua_control_close(d->ctl_fd, d->o.socket_path);
	d->ctl_fd = -1;
}

/* SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 arrive through a signalfd in
 * the loop (SIGUSR1 used to kill the daemon with no stop record). */
static int step_signals(struct daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sfd < 0) {
		fprintf(stderr, "uringaudit: signalfd: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

static void undo_signals(struct daemon *d)
{
	if (d->sfd >= 0)
		close(d->sfd);
	d->sfd = -1;
}

static int step_consumer(struct daemon *d)
{
	d->consumer = ua_consumer_new(&d->o, &d->ops, &d->sinks);
	if (!d->consumer) {
		fprintf(stderr, "uringaudit: out of memory\n");
		return EXIT_FAIL;
	}
	return 0;
}

static void undo_consumer(struct daemon *d)
{
	ua_consumer_free(d->consumer);
	d->consumer = NULL;
}

/* Reattached: the keys of the rules the killed daemon put in force (both
 * banks), for the records they decided. */
static void restore_keys(struct daemon *d)
{
	static char buf[UA_KRULES_MAX * UA_PIN_KEY_SLOT];
	const char *keys[UA_KRULES_MAX];
	size_t lens[UA_KRULES_MAX];
	unsigned int b;
	int n;

	for (b = 0; b < 2; b++) {
		n = ua_pin_keys_load(&d->loader.pins, b, buf, keys, lens);
		if (n > 0)
			ua_consumer_set_keys(d->consumer, b, keys, lens, (size_t)n);
	}
}

static int adopt_one(void *arg, const void *ev, size_t size)
{
	return ua_consumer_adopt(arg, ev, size);
}

/* Load and attach, with the built-in rules in the kernel. */
static int step_loader(struct daemon *d)
{
	char err[512];

	if (ua_loader_start(&d->loader, d->opmask, &d->o, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	if (d->loader.pins.reused) {
		/* Events below the previous daemon's mark were its own. */
		ua_consumer_start_at(d->consumer, d->loader.pins.prev.seq_base,
				     d->loader.pins.prev.dropped);
		/* The same ring ids as before the kill. */
		ua_consumer_ring_key(d->consumer, d->loader.pins.prev.ring_key, 1);
		restore_keys(d);
		/* The requests the killed daemon held: pending again, so that
		 * their completions (in the ring buffer, or to come) join. */
		d->resumed = ua_pin_adopt(&d->loader.pins, adopt_one, d->consumer);
		d->held = ua_loader_pending_below(&d->loader, d->loader.pins.prev.seq_base);
	} else if (d->loader.pins.state) {
		ua_consumer_ring_key(d->consumer, d->loader.pins.state->ring_key, 0);
	}
	if (d->loader.pins.dir)
		ua_consumer_set_keep(d->consumer, ua_pin_keep, ua_pin_unkeep, &d->loader.pins);
	for (int i = 0; i < d->loader.ndegraded; i++)
		fprintf(stderr, "uringaudit: warning: %s\n", d->loader.degraded[i].why);
	ua_consumer_set_forget(d->consumer, ua_loader_forget, &d->loader);
	{
		struct ua_drop_source src;

		ua_loader_drop_source(&d->loader, &src);
		ua_consumer_set_drops(d->consumer, &src);
		ua_consumer_drops_baseline(d->consumer);
	}
	ua_consumer_set_ring_serial(d->consumer, ua_loader_ring_serial, &d->loader);
	if (!ua_loader_addr_known(&d->loader))
		fprintf(stderr, "uringaudit: warning: could not tell where this kernel keeps "
				"connect/bind addresses; they are recorded as unknown until a "
				"connect shows it\n");
	return 0;
}

static void undo_loader(struct daemon *d)
{
	ua_loader_stop(&d->loader);
}

/* Programs are loaded and attached with the built-in set: swap in the one
 * parsed at start. */
static int step_install_rules(struct daemon *d)
{
	struct ua_ruleset rs = d->rules;
	struct ua_buf msgs = UA_BUF_INIT;
	size_t len = 0;
	char *text = d->loader.pins.reused ? ua_pin_locked_load(&d->loader.pins, &len) : NULL;
	int rc;

	/* The killed daemon's rules were locked (-e 2): they stay in force
	 * until the pinned programs go (a clean stop, unpin, a reboot). */
	if (text) {
		struct ua_ruleset locked;

		rc = ua_rules_load_text("locked before the restart", text, len, &d->ops, &locked,
					&msgs);
		free(text);
		if (rc) {
			fprintf(stderr,
				"uringaudit: the locked rules the pin set kept do not load:\n%s",
				msgs.data ? msgs.data : "");
			ua_buf_release(&msgs);
			return EXIT_FAIL;
		}
		fprintf(stderr, "uringaudit: the rules were locked (-e 2) before the restart: they "
				"stay in force, the rule files are not read\n");
		ua_ruleset_release(&rs);
		rs = locked;
		d->lock_kept = 1;
	}
	memset(&d->rules, 0, sizeof(d->rules));
	rc = ua_reconfig_install(d, &rs, &msgs);
	ua_ruleset_release(&rs);
	if (msgs.len)
		fputs(msgs.data, stderr);
	ua_buf_release(&msgs);
	return rc ? EXIT_FAIL : 0;
}

/* Every event goes to the consumer; after a reattach, those made before it
 * (kept in the pinned ring buffer while no daemon ran) are counted. */
static int rb_handle(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const struct ua_ev_hdr *h = data;

	if (size >= sizeof(*h) && h->seq < d->loader.reattach_seq &&
	    h->seq >= d->loader.pins.prev.seq_base)
		d->kept++;
	return ua_consumer_handle(d->consumer, data, size);
}

static int step_ring_buffer(struct daemon *d)
{
	d->rb = ring_buffer__new(ua_loader_rb_fd(&d->loader), rb_handle, d, NULL);
	if (!d->rb) {
		fprintf(stderr, "uringaudit: cannot open the ring buffer: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

static void undo_ring_buffer(struct daemon *d)
{
	ring_buffer__free(d->rb);
	d->rb = NULL;
}

/* One epoll set: signals, the control socket and its clients, the ring
 * buffer. */
static int step_epoll(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = d->sfd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sfd, &ev);
	ev.data.fd = d->ctl_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->ctl_fd, &ev);
	ev.data.fd = ring_buffer__epoll_fd(d->rb);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	return 0;
}

static void undo_epoll(struct daemon *d)
{
	ua_control_close_all(d);
	if (d->epfd >= 0)
		close(d->epfd);
	d->epfd = -1;
}

static int step_start_record(struct daemon *d)
{
	d->started_ms = ua_now_ms();
	ua_record_daemon(d, "start", NULL);
	return 0;
}

static void drain_all(struct daemon *d);

/* Reattached: what accumulated in the pinned ring buffer while no daemon
 * ran is read now, then one record says what happened meanwhile. */
static int step_restart_record(struct daemon *d)
{
	if (!d->loader.pins.reused)
		return 0;
	drain_all(d);
	ua_consumer_flush(d->consumer);
	ua_consumer_keep_sync(d->consumer);
	if (d->lock_kept)
		ua_record_config(d, "load", "refused", d->o.rule_paths, d->o.nrule_paths, getpid(),
				 getuid(),
				 "locked (-e 2) before the restart: those rules stay in force");
	ua_record_restart(d);
	ua_pin_note(&d->loader.pins, ua_consumer_seq_base(d->consumer), d->loader.reattach_cnt);
	return 0;
}

/* Last: the pid file says the daemon is ready. */
static int step_pid_file(struct daemon *d)
{
	char err[PATH_MAX + 128];

	if (!d->o.pid_file)
		return 0;
	if (ua_pidfile_write(d->o.pid_file, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return EXIT_FAIL;
	}
	d->pid_written = 1;
	return 0;
}

static void undo_pid_file(struct daemon *d)
{
	if (d->pid_written)
		unlink(d->o.pid_file);
	d->pid_written = 0;
}

static const struct run_step {
	const char *name;
	int (*start)(struct daemon *d); /* 0, or the exit code */
	void (*undo)(struct daemon *d); /* NULL: nothing to undo */
} run_steps[] = {
	{ "capabilities", step_caps, NULL },
	{ "config", step_config, NULL },
	{ "pid-file-free", step_pid_file_free, NULL },
	{ "kernel", step_kernel, NULL },
	{ "rules", step_rules, undo_rules },
	{ "enforcement", step_enforcement, NULL },
	{ "previous-log", step_previous_log, NULL },
	{ "sink", step_sink, undo_sink },
	{ "control", step_control, undo_control },
	{ "signals", step_signals, undo_signals },
	{ "consumer", step_consumer, undo_consumer },
	{ "loader", step_loader, undo_loader },
	{ "install-rules", step_install_rules, NULL },
	{ "ring-buffer", step_ring_buffer, undo_ring_buffer },
	{ "enforce-events", step_enforce_events, ua_enforce_stop },
	{ "tamper", step_tamper, ua_tamper_stop },
	{ "epoll", step_epoll, undo_epoll },
	{ "start-record", step_start_record, NULL },
	{ "restart-record", step_restart_record, NULL },
	{ "pid-file", step_pid_file, undo_pid_file },
};

#define NSTEPS (sizeof(run_steps) / sizeof(run_steps[0]))

/*
 * Each drain of the ring buffer in the loop is bounded, so that under a
 * flood signals, control clients and the once-a-second work still run: at
 * most DRAIN_EVENTS events or DRAIN_MS of handling, then back to epoll
 * (without waiting while events are left).
 */
#define DRAIN_EVENTS 16384
#define DRAIN_MS 20

/* One bounded drain: 1 when it stopped with events left. */
static int drain_some(struct daemon *d)
{
	ua_consumer_budget(d->consumer, DRAIN_EVENTS, (uint64_t)DRAIN_MS * 1000000);
	return ring_buffer__consume(d->rb) == UA_CONSUMER_YIELD;
}

/* Everything in the ring buffer (at stop: the programs are detached). */
static void drain_all(struct daemon *d)
{
	ua_consumer_budget(d->consumer, 0, 0);
	while (ring_buffer__consume(d->rb) > 0)
		;
}

/* The service manager's STATUS= line (sd_notify; nothing without one). */
static void notify_status(struct daemon *d)
{
	char msg[PATH_MAX + 128];

	snprintf(msg, sizeof(msg), "STATUS=recording to %s, %zu rules%s",
		 strcmp(d->o.log_path, "-") ? d->o.log_path : "stdout", d->rules.n,
		 d->sink.suspended ? ", writing suspended" : "");
	ua_notify(msg);
}

static void on_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			ua_reconfig_hup(d, &si);
			notify_status(d);
		} else if (si.ssi_signo == SIGUSR1) {
			char err[512];

			/* Records buffered so far belong to the old file. */
			ua_consumer_flush(d->consumer);
			if (d->sinks.log && ua_sink_rotate(&d->sink, "SIGUSR1", err, sizeof(err)))
				fprintf(stderr, "uringaudit: %s\n", err);
			if (d->sinks.json_log &&
			    ua_sink_rotate(&d->json_sink, "SIGUSR1", err, sizeof(err)))
				fprintf(stderr, "uringaudit: %s\n", err);
		} else if (si.ssi_signo == SIGUSR2) {
			ua_sink_resume(&d->sink, "SIGUSR2");
			ua_sink_resume(&d->json_sink, "SIGUSR2");
		} else if (!d->stopping) {
			d->stopping = 1;
			d->stop_si = si;
		}
	}
}

static uint64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Until a stop signal: signals, control clients, the ring buffer; once a
 * second the consumer's periodic work (concluding requests, losses). */
static void loop(struct daemon *d)
{
	uint64_t last_tick = ua_now_ms(), last_beat = last_tick;
	int more = 0;

	while (!d->stopping) {
		struct epoll_event evs[4];
		unsigned int q;
		int i, n = epoll_wait(d->epfd, evs, 4, more ? 0 : (int)d->o.poll_ms);
		uint64_t t0 = clock_us(CLOCK_MONOTONIC), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID), t;

		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == d->sfd)
				on_signals(d);
			else if (evs[i].data.fd == d->ctl_fd)
				ua_control_accept(d);
			else
				ua_control_event(d, evs[i].data.fd, evs[i].events);
		}
		more = drain_some(d);
		d->drains_cut += (uint64_t)more;
		if (ua_now_ms() - last_tick >= 1000) {
			uint64_t cnt[2] = { ua_loader_counter(&d->loader, UA_CNT_SELECTED),
					    ua_loader_counter(&d->loader, UA_CNT_DROPPED) };

			ua_control_expire(d);
			ua_consumer_tick(d->consumer, cnt[1], ua_loader_seq_end(&d->loader));
			ua_loader_tick(&d->loader);
			ua_consumer_flush(d->consumer);
			ua_consumer_keep_sync(d->consumer);
			/* Free space; then what the log has to say of itself. */
			if (d->sinks.log)
				ua_sink_tick(&d->sink);
			if (d->sinks.json_log)
				ua_sink_tick(&d->json_sink);
			/* Plugins that exited, losses of the queued sinks. */
			for (q = 0; q < d->sinks.nq; q++)
				ua_qsink_tick(d->sinks.q[q], d->consumer);
			last_tick = ua_now_ms();
			if (d->o.heartbeat_s &&
			    last_tick - last_beat >= d->o.heartbeat_s * 1000ULL) {
				ua_record_heartbeat(d);
				last_beat = last_tick;
			}
			ua_pin_note(&d->loader.pins, ua_consumer_seq_base(d->consumer), cnt);
		} else {
			ua_consumer_flush(d->consumer);
			/* What a daemon killed now would leave to the next one:
			 * the requests it holds, then the mark. */
			ua_consumer_keep_sync(d->consumer);
			ua_pin_note(&d->loader.pins, ua_consumer_seq_base(d->consumer), NULL);
		}
		t = clock_us(CLOCK_MONOTONIC) - t0;
		if (t > d->loop_max_us)
			d->loop_max_us = t;
		t = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (t > d->loop_max_cpu_us)
			d->loop_max_cpu_us = t;
	}
}

/* Stop: detach so nothing new arrives, take what is in the buffer, then
 * write every request still waiting, then the stop record. */
static void stop(struct daemon *d)
{
	ua_loader_detach(&d->loader);
	drain_all(d);
	ua_consumer_finish(d->consumer, ua_loader_counter(&d->loader, UA_CNT_DROPPED),
			   ua_loader_seq_end(&d->loader));
	ua_record_daemon(d, "stop", &d->stop_si);
}

int ua_run(const struct ua_options *o)
{
	struct daemon d;
	size_t done;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	d.o = *o;
	d.sfd = d.ctl_fd = d.epfd = -1;
	ua_control_init(&d);

	for (done = 0; done < NSTEPS; done++) {
		rc = run_steps[done].start(&d);
		if (rc) {
			if (getenv("UA_DEBUG"))
				fprintf(stderr, "uringaudit: start-up step '%s' failed\n",
					run_steps[done].name);
			break;
		}
	}
	if (!rc) {
		unsigned int q;

		fprintf(stderr, "uringaudit: recording to %s",
			!d.sinks.log		  ? "" :
			strcmp(d.o.log_path, "-") ? d.o.log_path :
						    "stdout");
		if (d.sinks.json_log)
			fprintf(stderr, "%s%s", d.sinks.log ? ", " : "", d.o.json_log_path);
		for (q = 0; q < d.sinks.nq; q++)
			fprintf(stderr, "%s%s", d.sinks.log || d.sinks.json_log || q ? ", " : "",
				ua_qsink_name(d.sinks.q[q]));
		fputc('\n', stderr);
		ua_notify("READY=1");
		notify_status(&d);
		loop(&d);
		ua_notify("STOPPING=1");
		stop(&d);
	}
	while (done-- > 0)
		if (run_steps[done].undo)
			run_steps[done].undo(&d);
	return rc;
}
