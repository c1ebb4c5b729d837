// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reconfiguration: putting a rule set in force. At start the whole set is
 * parsed before anything is loaded; a reload (control socket `load`, or
 * SIGHUP for the files named at start) validates the whole new set and
 * swaps it in, or keeps the one in force and says why. Every change, done
 * or refused, is recorded (URING_CONFIG).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "daemon_state.h"
#include "default_rules.h"

/* The whole set is checked before anything is loaded. */
int ua_reconfig_parse_initial(struct daemon *d, struct ua_buf *msgs)
{
	struct ua_buf text = UA_BUF_INIT;
	struct ua_diags dg = { 0 };
	int rc;

	if (d->o.nrule_paths)
		return ua_rules_load(d->o.rule_paths, d->o.nrule_paths, &d->ops, &d->rules, msgs);
	ua_default_rules_text(&d->ops, &text);
	rc = ua_rules_parse(&d->rules, "built-in", text.data, text.len, &d->ops, &dg);
	ua_diags_release(&dg);
	ua_buf_release(&text);
	return rc;
}

/* Put a parsed set in force: keys for the idle bank first, then the swap. */
int ua_reconfig_install(struct daemon *d, struct ua_ruleset *rs, struct ua_buf *msgs)
{
	struct ua_kruleset *ks = calloc(1, sizeof(*ks));
	const char *keys[UA_KRULES_MAX];
	unsigned char acts[UA_KRULES_MAX];
	size_t lens[UA_KRULES_MAX], i;
	int rc, idle;

	if (!ks)
		return -ENOMEM;
	rc = ua_enforce_check(d, rs, msgs);
	if (!rc)
		rc = ua_rules_compile(rs, ks, 0, msgs);
	if (!rc)
		rc = ua_enforce_arm(d, rs, msgs);
	if (rc)
		goto out;
	for (i = 0; i < rs->n && i < UA_KRULES_MAX; i++) {
		keys[i] = rs->rules[i].key;
		lens[i] = rs->rules[i].key_len;
		acts[i] = (unsigned char)rs->rules[i].action;
	}
	idle = d->loader.installed ? !ua_loader_bank(&d->loader) : 0;
	ua_consumer_set_actions(d->consumer, (unsigned int)idle, acts, rs->n);
	rc = ua_consumer_set_keys(d->consumer, (unsigned int)idle, keys, lens, rs->n);
	if (!rc)
		ua_pin_keys_save(&d->loader.pins, (unsigned int)idle, keys, lens, rs->n);
	if (!rc)
		rc = ua_loader_install(&d->loader, ks);
	if (rc < 0) {
		ua_buf_addf(msgs, "cannot install rules: %s\n", strerror(-rc));
		goto out;
	}
	rc = 0;
	ua_ruleset_release(&d->rules);
	d->rules = *rs;
	memset(rs, 0, sizeof(*rs));
	if (d->rules.locked) {
		struct ua_buf text = UA_BUF_INIT;

		d->locked = 1;
		/* Locked until the pinned programs go: a daemon restarted
		 * after a kill puts this set back, whatever its files say. */
		if (d->loader.pins.dir &&
		    (ua_rules_format(&d->rules, &d->ops, &text) ||
		     ua_pin_locked_save(&d->loader.pins, text.data, text.len)))
			fprintf(stderr, "uringaudit: warning: the locked rules do not fit the "
					"pin set: a restart after a kill reads the rule files\n");
		ua_buf_release(&text);
		/* locked by a reload: guarded from now on (at start, the
		 * tamper step does it once the ring buffer is read) */
		if (d->rb && !d->tamper_tried) {
			ua_tamper_arm(d);
			ua_record_daemon(d, "lock", NULL);
		}
	}
out:
	free(ks);
	return rc;
}

/*
 * Reload: validate the whole new set first; only a set that parses, resolves
 * and compiles replaces the one in force, in one swap. Reply: an exit code
 * line, then messages.
 */
int ua_reconfig_reload(struct daemon *d, const char *const *paths, size_t n, pid_t pid, uid_t uid,
		       struct ua_buf *reply)
{
	struct ua_ruleset rs = { 0 };
	struct ua_buf msgs = UA_BUF_INIT;
	int rc, code;

	if (d->locked) {
		ua_record_config(d, "load", "refused", paths, n, pid, uid,
				 "rules are locked (-e 2)");
		ua_buf_addstr(reply, "1\nrules are locked (-e 2) until the daemon restarts\n");
		return 1;
	}
	if (!n) {
		ua_record_config(d, "load", "failed", paths, n, pid, uid, "no rule files");
		ua_buf_addstr(reply, "2\nno rule files: the daemon runs the built-in rules\n");
		return 2;
	}
	rc = ua_rules_load(paths, n, &d->ops, &rs, &msgs);
	/* Files that do not make a valid set are invalid input (exit 2), as
	 * for --rules at start; so is a set the compiler refuses. */
	code = rc == -ENOMEM ? 1 : 2;
	if (!rc) {
		rc = ua_reconfig_install(d, &rs, &msgs);
		code = rc == -EINVAL || rc == -ENOENT ? 2 : 1;
	}
	ua_ruleset_release(&rs);
	if (rc) {
		ua_record_config(d, "load", "failed", paths, n, pid, uid,
				 msgs.data ? msgs.data : strerror(-rc));
		ua_buf_addf(reply, "%d\n%s", code, msgs.data ? msgs.data : "");
		ua_say_lines(msgs.data);
		fprintf(stderr, "uringaudit: reload failed, old rules stay in force\n");
	} else {
		ua_record_config(d, "load", "success", paths, n, pid, uid, NULL);
		ua_buf_addf(reply, "0\n%s", msgs.data ? msgs.data : "");
	}
	ua_buf_release(&msgs);
	return rc ? 1 : 0;
}

/* What the file gives, where no flag said otherwise. */
static void apply_config(struct daemon *d)
{
	const struct ua_config *c = &d->cfg;
	uint64_t cli = d->o.cli_set;

	if (!(cli & (1ull << UA_CFG_K_LOG_FILE)))
		d->o.log_path = c->log_file;
	if (!(cli & (1ull << UA_CFG_K_LOG_FORMAT)))
		d->o.format = c->log_format;
	if (!(cli & (1ull << UA_CFG_K_PID_FILE)))
		d->o.pid_file = c->pid_file[0] ? c->pid_file : NULL;
	if (!(cli & (1ull << UA_CFG_K_SOCKET)))
		d->o.socket_path = c->socket;
	if (!(cli & (1ull << UA_CFG_K_RINGBUF_SIZE)))
		d->o.rb_bytes = c->ringbuf_size;
	if (!(cli & (1ull << UA_CFG_K_POLL_MS)))
		d->o.poll_ms = c->poll_ms;
	if (!(cli & (1ull << UA_CFG_K_PIN_DIR)))
		d->o.pin_dir = c->pin_dir[0] ? c->pin_dir : NULL;
	if (!(cli & (1ull << UA_CFG_K_HEARTBEAT)))
		d->o.heartbeat_s = c->heartbeat;
	if (!(cli & (1ull << UA_CFG_K_WRITE_LOGS)))
		d->o.write_logs = c->write_logs;
	if (!(cli & (1ull << UA_CFG_K_JSON_LOG_FILE)))
		d->o.json_log_path = c->json_log_file[0] ? c->json_log_file : NULL;
	if (!(cli & (1ull << UA_CFG_K_STDOUT_FORMAT)))
		d->o.stdout_format = c->stdout_format;
	if (!(cli & (1ull << UA_CFG_K_PLUGIN_DIR)))
		d->o.plugin_dir = c->plugin_dir[0] ? c->plugin_dir : NULL;
	if (!(cli & (1ull << UA_CFG_K_Q_DEPTH)))
		d->o.q_depth = c->q_depth;
	if (!(cli & (1ull << UA_CFG_K_MAX_RESTARTS)))
		d->o.max_restarts = c->max_restarts;
	if (!(cli & (1ull << UA_CFG_K_PRIORITY_BOOST)))
		d->o.priority_boost = c->priority_boost;
	/* The calling thread's nice (Linux: per thread): at start, before the
	 * sink threads that inherit it, and again on SIGHUP. */
	if (setpriority(PRIO_PROCESS, 0, -(int)d->o.priority_boost))
		fprintf(stderr, "uringaudit: priority_boost %u not set: %s\n", d->o.priority_boost,
			strerror(errno));
	if (!(cli & (1ull << UA_CFG_K_AUDIT_FORWARD)))
		d->o.audit_forward = c->audit_forward;
	/* the flood budgets: each from a flag, or else the file */
	if (!(cli & (1ull << UA_CFG_K_FAIR_FILL)))
		d->o.fair.fill_pct = c->fair.fill_pct;
	if (!(cli & (1ull << UA_CFG_K_FAIR_INTERVAL)))
		d->o.fair.interval_ms = c->fair.interval_ms;
	if (!(cli & (1ull << UA_CFG_K_FAIR_FLOW)))
		d->o.fair.flow_pm = c->fair.flow_pm;
	if (!(cli & (1ull << UA_CFG_K_FAIR_PROCESS)))
		d->o.fair.process_pm = c->fair.process_pm;
	if (!(cli & (1ull << UA_CFG_K_FAIR_UID)))
		d->o.fair.uid_pm = c->fair.uid_pm;
	if (!(cli & (1ull << UA_CFG_K_FAIR_RESERVE)))
		d->o.fair.reserve_pm = c->fair.reserve_pm;
	if (!(cli & (1ull << UA_CFG_K_RULES_DIR))) {
		d->o.nrule_paths = c->rules_dir[0] ? 1 : 0;
		d->o.rule_paths[0] = c->rules_dir;
	}
}

/* Print @text, each line behind the program's name (one prefix a line). */
void ua_say_lines(const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		fprintf(stderr, "uringaudit: %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
}

int ua_reconfig_load_config(struct daemon *d, struct ua_buf *msgs)
{
	int rc;

	/* Defaults: the flags' own defaults, so no file changes nothing. */
	ua_config_init(&d->cfg, UA_DEFAULT_LOG, UA_DEFAULT_SOCKET);
	rc = ua_config_load(d->o.config_path, d->o.config_explicit, &d->cfg, msgs);
	if (!rc)
		rc = ua_config_group(&d->cfg, &d->log_gid, msgs);
	if (!rc && (d->o.cli_set & (1ull << UA_CFG_K_LOG_FILE)) && !strcmp(d->o.log_path, "-"))
		/* The file's rotation and space checks have no file to act on. */
		d->cfg.max_log_file_mb = 0, d->cfg.space_left.value = 0,
		d->cfg.admin_space_left.value = 0;
	if (!rc) {
		char why[256];

		apply_config(d);
		/* flags and file together: each passed alone */
		if (ua_fair_check(&d->o.fair, "--fair-", why, sizeof(why))) {
			ua_buf_addf(msgs, "%s (the flags with the file's fair_* keys)\n", why);
			rc = -EINVAL;
		}
	}
	return rc;
}

/*
 * SIGHUP's configuration: a file that does not read or parse keeps the one
 * in force. The log's settings, poll_ms and rules_dir take effect now; where
 * records go and the control socket need a restart (said when they differ).
 */
static void hup_config(struct daemon *d, pid_t pid, uid_t uid)
{
	struct ua_buf msgs = UA_BUF_INIT;
	struct ua_config c;
	const char *path = d->o.config_path;
	gid_t gid = 0;
	int rc;

	ua_config_init(&c, UA_DEFAULT_LOG, UA_DEFAULT_SOCKET);
	rc = ua_config_load(path, d->o.config_explicit, &c, &msgs);
	if (!rc)
		rc = ua_config_group(&c, &gid, &msgs);
	if (rc) {
		ua_say_lines(msgs.data);
		fprintf(stderr, "uringaudit: configuration not reloaded, the one in force stays\n");
		ua_record_config(d, "load", "failed", &path, 1, pid, uid,
				 msgs.data ? msgs.data : strerror(-rc));
		ua_buf_release(&msgs);
		return;
	}
	ua_buf_release(&msgs);
	if (strcmp(c.log_file, d->cfg.log_file) || c.log_format != d->cfg.log_format ||
	    strcmp(c.socket, d->cfg.socket) || strcmp(c.pid_file, d->cfg.pid_file) ||
	    c.ringbuf_size != d->cfg.ringbuf_size || strcmp(c.pin_dir, d->cfg.pin_dir) ||
	    memcmp(&c.fair, &d->cfg.fair, sizeof(c.fair)))
		fprintf(stderr, "uringaudit: log_file, log_format, socket, pid_file, "
				"ringbuf_size, fair_* and pin_dir take effect at the next start\n");
	if (c.write_logs != d->cfg.write_logs || strcmp(c.json_log_file, d->cfg.json_log_file) ||
	    c.stdout_format != d->cfg.stdout_format || strcmp(c.plugin_dir, d->cfg.plugin_dir) ||
	    c.q_depth != d->cfg.q_depth || c.max_restarts != d->cfg.max_restarts ||
	    c.audit_forward != d->cfg.audit_forward)
		fprintf(stderr, "uringaudit: write_logs, json_log_file, stdout_format, plugin_dir, "
				"q_depth, max_restarts and audit_forward take effect at the next "
				"start\n");
	c.write_logs = d->cfg.write_logs;
	memcpy(c.json_log_file, d->cfg.json_log_file, sizeof(c.json_log_file));
	c.stdout_format = d->cfg.stdout_format;
	memcpy(c.plugin_dir, d->cfg.plugin_dir, sizeof(c.plugin_dir));
	c.q_depth = d->cfg.q_depth;
	c.max_restarts = d->cfg.max_restarts;
	c.audit_forward = d->cfg.audit_forward;
	/* Those keep their values (d->o points at them); the rest is new. */
	memcpy(c.log_file, d->cfg.log_file, sizeof(c.log_file));
	memcpy(c.socket, d->cfg.socket, sizeof(c.socket));
	memcpy(c.pid_file, d->cfg.pid_file, sizeof(c.pid_file));
	memcpy(c.pin_dir, d->cfg.pin_dir, sizeof(c.pin_dir));
	c.log_format = d->cfg.log_format;
	c.ringbuf_size = d->cfg.ringbuf_size;
	c.fair = d->cfg.fair;
	if (!strcmp(d->o.log_path, "-"))
		c.max_log_file_mb = 0, c.space_left.value = 0, c.admin_space_left.value = 0;
	d->cfg = c;
	d->log_gid = gid;
	apply_config(d);
	ua_sink_configure(&d->sink, &d->cfg, d->log_gid, d->o.format);
	if (d->sinks.json_log)
		ua_sink_configure(&d->json_sink, &d->cfg, d->log_gid, UA_FMT_JSON);
}

/* SIGHUP and `uringaudit reload`: the configuration, the logs, the plugins,
 * then the rule files unless the rules are locked. The reply's exit code is
 * the rule reload's (0 without rule files). */
static int reopen_all(struct daemon *d, pid_t pid, uid_t uid, int config, struct ua_buf *r)
{
	char err[512];
	unsigned int i;

	if (config)
		hup_config(d, pid, uid);
	if (ua_sink_reopen(&d->sink, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		ua_buf_addf(r, "%s\n", err);
	}
	ua_sink_resume(&d->sink, "SIGHUP");
	if (d->sinks.json_log) {
		if (ua_sink_reopen(&d->json_sink, err, sizeof(err))) {
			fprintf(stderr, "uringaudit: %s\n", err);
			ua_buf_addf(r, "%s\n", err);
		}
		ua_sink_resume(&d->json_sink, "SIGHUP");
	}
	/* As auditd: plugins re-read their own configuration. */
	for (i = 0; i < d->sinks.nq; i++)
		ua_qsink_signal(d->sinks.q[i], SIGHUP);
	if (d->o.nrule_paths && !d->locked) {
		struct ua_buf rr = UA_BUF_INIT;
		const char *body;
		int code = ua_reconfig_reload(d, d->o.rule_paths, d->o.nrule_paths, pid, uid, &rr);

		/* its messages, after its exit code line */
		body = rr.data ? strchr(rr.data, '\n') : NULL;
		if (body && body[1])
			ua_buf_addstr(r, body + 1);
		ua_buf_release(&rr);
		return code;
	}
	return 0;
}

void ua_reconfig_hup(struct daemon *d, const struct signalfd_siginfo *si)
{
	struct ua_buf r = UA_BUF_INIT;

	/* Locked rules: a SIGHUP (which only the daemon's parent can send once
	 * tamper resistance is in force) is a reopen, not a refused rule change. */
	reopen_all(d, (pid_t)si->ssi_pid, si->ssi_uid, 1, &r);
	ua_buf_release(&r);
}

int ua_reconfig_reopen(struct daemon *d, pid_t pid, uid_t uid, struct ua_buf *reply)
{
	struct ua_buf r = UA_BUF_INIT;
	int code;

	if (d->locked) {
		/* Any root process reaches the control socket: with the rules
		 * locked it may reopen the logs (rotation), never change what
		 * is recorded or where (the configuration, the rules). */
		reopen_all(d, pid, uid, 0, &r);
		ua_record_config(d, "reload", "refused", NULL, 0, pid, uid,
				 "rules are locked (-e 2): the logs were reopened; the "
				 "configuration and the rule files were not read");
		ua_buf_addf(reply,
			    "1\nrules are locked (-e 2) until the daemon restarts: the logs were "
			    "reopened, the configuration and the rule files were not read\n%s",
			    r.data ? r.data : "");
		ua_buf_release(&r);
		return 1;
	}
	code = reopen_all(d, pid, uid, 1, &r);
	ua_buf_addf(reply, "%d\n%s", code, r.data ? r.data : "");
	ua_buf_release(&r);
	return code;
}
