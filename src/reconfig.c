// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reconfiguration: putting a rule set in force. At start the whole set is
 * parsed before anything is loaded; a reload (control socket `load`, or
 * SIGHUP for the files named at start) validates the whole new set and
 * swaps it in, or keeps the one in force and says why. Every change, done
 * or refused, is recorded (URING_CONFIG).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	size_t lens[UA_KRULES_MAX], i;
	int rc, idle;

	if (!ks)
		return -ENOMEM;
	rc = ua_rules_compile(rs, ks, 0, msgs);
	if (rc)
		goto out;
	for (i = 0; i < rs->n && i < UA_KRULES_MAX; i++) {
		keys[i] = rs->rules[i].key;
		lens[i] = rs->rules[i].key_len;
	}
	idle = d->loader.installed ? !ua_loader_bank(&d->loader) : 0;
	rc = ua_consumer_set_keys(d->consumer, (unsigned int)idle, keys, lens, rs->n);
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
	if (d->rules.locked)
		d->locked = 1;
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
	int rc;

	if (d->locked) {
		ua_record_config(d, "refused", paths, n, pid, uid, "rules are locked (-e 2)");
		ua_buf_addstr(reply, "1\nrules are locked (-e 2) until the daemon restarts\n");
		return 1;
	}
	if (!n) {
		ua_record_config(d, "failed", paths, n, pid, uid, "no rule files");
		ua_buf_addstr(reply, "2\nno rule files: the daemon runs the built-in rules\n");
		return 2;
	}
	rc = ua_rules_load(paths, n, &d->ops, &rs, &msgs);
	if (!rc)
		rc = ua_reconfig_install(d, &rs, &msgs);
	ua_ruleset_release(&rs);
	if (rc) {
		ua_record_config(d, "failed", paths, n, pid, uid,
				 msgs.data ? msgs.data : strerror(-rc));
		ua_buf_addf(reply, "%d\n%s", rc == -EINVAL || rc == -ENOENT ? 2 : 1,
			    msgs.data ? msgs.data : "");
		fprintf(stderr, "uringaudit: reload failed, old rules stay in force\n%s",
			msgs.data ? msgs.data : "");
	} else {
		ua_record_config(d, "success", paths, n, pid, uid, NULL);
		ua_buf_addf(reply, "0\n%s", msgs.data ? msgs.data : "");
	}
	ua_buf_release(&msgs);
	return rc ? 1 : 0;
}

void ua_reconfig_hup(struct daemon *d, const struct signalfd_siginfo *si)
{
	struct ua_buf r = UA_BUF_INIT;
	char err[512];

	if (ua_sink_reopen(&d->sink, err, sizeof(err)))
		fprintf(stderr, "uringaudit: %s\n", err);
	if (d->o.nrule_paths)
		ua_reconfig_reload(d, d->o.rule_paths, d->o.nrule_paths, (pid_t)si->ssi_pid,
				   si->ssi_uid, &r);
	ua_buf_release(&r);
}
