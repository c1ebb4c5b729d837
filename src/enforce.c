// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Enforcement: what deny and kill rules and --deny policies can do on the
 * running kernel (the contract: bpf/deny.h).
 *
 * deny stops a request, which only BPF-LSM can do (the tracepoints see a
 * request but cannot fail it). Whether BPF-LSM works is probed, not guessed
 * from the kernel version or its configuration: the kernel must carry the
 * BPF-LSM hooks (CONFIG_BPF_LSM), accept and attach an LSM program, and call
 * it (bpf in its active LSM list, lsm= on the command line). The probe loads
 * the enforcement object (bpf/deny.bpf.c) with its probe program alone,
 * attaches it to file_open, opens /dev/null and checks that the program ran.
 *
 * Where BPF-LSM works, the enforcement object is loaded (sharing the main
 * object's deny_req map) and attached before the set goes in force, and the
 * tracepoint programs are armed to mark deny rules' requests. Where it does
 * not, a set with deny or kill rules or policies is refused with the
 * probe's reason, unless it says `--enforce best-effort`: then deny rules
 * record their requests (action=deny stopped=no), kill rules SIGKILL the
 * submitter when the request is seen (bpf/rules.bpf.h, kill_submitter), and
 * policies are not enforced (said at start).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "daemon_state.h"
#include <bpf/bpf.h>

#include "deny.h"
#include "deny.skel.h"
#include "format.h"

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* While the enforcement object loads: libbpf's warnings (a program the
 * verifier refused, with its log) to stderr, each line marked. */
static int warn_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	fputs("uringaudit: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* The active LSMs as securityfs lists them, or "" when it cannot be read. */
static void read_lsm_list(char *buf, size_t len)
{
	int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while ((p = strstr(p, w))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

int ua_lsm_probe(char *why, size_t len)
{
	libbpf_print_fn_t old;
	struct deny *skel = NULL;
	struct btf *btf;
	char lsms[256];
	int rc, fd;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return snprintf(why, len, "cannot read the kernel's BTF: %s", strerror(errno)), -1;
	rc = btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC);
	btf__free(btf);
	if (rc < 0)
		return snprintf(why, len,
				"the kernel has no BPF-LSM hooks (built without CONFIG_BPF_LSM)"),
		       -1;
	read_lsm_list(lsms, sizeof(lsms));
	if (lsms[0] && !has_word(lsms, "bpf"))
		return snprintf(why, len,
				"BPF-LSM is not active: the kernel's LSM list (%s) lacks bpf "
				"(boot with lsm=%s,bpf)",
				lsms, lsms),
		       -1;
	old = libbpf_set_print(quiet_print);
	skel = deny__open();
	if (!skel) {
		rc = -errno;
		snprintf(why, len, "cannot open the BPF-LSM object: %s", strerror(-rc));
		goto out;
	}
	/* the probe alone: the enforcement programs may need what it does not */
	{
		struct bpf_program *prog;

		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog, prog == skel->progs.probe_open);
	}
	rc = deny__load(skel);
	if (rc) {
		snprintf(why, len, "the kernel refuses to load a BPF-LSM program: %s",
			 strerror(-rc));
		goto out;
	}
	skel->bss->probe_tgid = (__u32)getpid();
	skel->links.probe_open = bpf_program__attach_lsm(skel->progs.probe_open);
	if (!skel->links.probe_open) {
		rc = -errno;
		snprintf(why, len, "the kernel refuses to attach a BPF-LSM program: %s",
			 strerror(-rc));
		goto out;
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	if (!skel->bss->probe_hits) {
		rc = -ENOSYS;
		snprintf(why, len,
			 "a BPF-LSM program attaches but is never called: BPF-LSM is not in "
			 "the kernel's active LSM list (boot with lsm=...,bpf)");
		goto out;
	}
	rc = 0;
out:
	deny__destroy(skel);
	libbpf_set_print(old);
	return rc ? -1 : 0;
}

/* The first rule of @rs only BPF-LSM can enforce (deny, kill), or NULL. */
static const struct ua_rule *first_enforcing(const struct ua_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (rs->rules[i].action == UA_ACT_DENY || rs->rules[i].action == UA_ACT_KILL)
			return &rs->rules[i];
	}
	return NULL;
}

static const char *const policy_names[] = { "sqpoll", "personality", "unrecorded" };

int ua_lsm_skip_missing(struct bpf_object *obj, char *missing, size_t len)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	int n = 0;

	missing[0] = '\0';
	if (!btf)
		return 0; /* the load says what is wrong */
	bpf_object__for_each_program(prog, obj)
	{
		const char *sec = bpf_program__section_name(prog);
		char fn[128];

		if (strncmp(sec, "lsm/", 4) || !bpf_program__autoload(prog))
			continue;
		snprintf(fn, sizeof(fn), "bpf_lsm_%s", sec + 4);
		if (btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) >= 0)
			continue;
		bpf_program__set_autoload(prog, false);
		snprintf(missing + strlen(missing), len - strlen(missing), "%s%s", n ? "," : "",
			 sec + 4);
		n++;
	}
	btf__free(btf);
	return n;
}

/* Load and attach the enforcement object, sharing deny_req. 0 or -errno
 * with @why. */
static int deny_load(struct daemon *d, char *why, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(warn_print);
	struct deny *skel = deny__open();
	char missing[256];
	int rc;

	if (!skel) {
		rc = -errno;
		snprintf(why, len, "cannot open the enforcement object: %s", strerror(-rc));
		goto out;
	}
	bpf_program__set_autoload(skel->progs.probe_open, false);
	/* A hook the kernel does not have yet (file_truncate: 6.2) is left
	 * out: what would reach it does not exist there either. */
	if (ua_lsm_skip_missing(skel->obj, missing, sizeof(missing)))
		fprintf(stderr, "uringaudit: BPF-LSM hooks this kernel lacks, not attached: %s\n",
			missing);
	skel->rodata->cfg_daemon_tgid = (__u32)getpid();
	rc = bpf_map__reuse_fd(skel->maps.deny_req, ua_loader_deny_req_fd(&d->loader));
	if (rc) {
		snprintf(why, len, "cannot share the deny map: %s", strerror(-rc));
		goto out;
	}
	rc = deny__load(skel);
	if (rc) {
		snprintf(why, len, "the kernel refuses the enforcement programs: %s",
			 strerror(-rc));
		goto out;
	}
	rc = deny__attach(skel);
	if (rc) {
		snprintf(why, len,
			 "the kernel refuses to attach the enforcement programs (fentry on "
			 "io_issue_sqe, BPF-LSM hooks): %s",
			 strerror(-rc));
		goto out;
	}
	d->deny = skel;
	skel = NULL;
out:
	deny__destroy(skel);
	libbpf_set_print(old);
	return rc;
}

/* A URING_DENIED record: a policy refused something before any request. */
static int on_denied(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const struct ua_ev_denied *e = data;
	struct ua_kv kv[12];
	size_t n = 0, i;
	const char *pol = "?";

	if (size < sizeof(*e) || e->hdr.type != UA_EV_DENIED)
		return 0;
	for (i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
		if (e->policy == 1u << i)
			pol = policy_names[i];
	}
	kv[n++] = ua_kv_word("policy", pol);
	kv[n++] = ua_kv_word("hook",
			     e->policy == UA_POL_SQPOLL ? "uring_sqpoll" : "uring_override_creds");
	kv[n++] = ua_kv_s64("exit", e->err);
	UA_KV_SUBJECT(kv, n, e);
	ua_consumer_event(d->consumer, "URING_DENIED", kv, n);
	return 0;
}

int ua_enforce_events(struct daemon *d)
{
	if (!d->deny || !d->rb || d->deny_rb_added)
		return 0;
	if (ring_buffer__add(d->rb, bpf_map__fd(d->deny->maps.deny_rb), on_denied, d))
		return -errno;
	d->deny_rb_added = 1;
	return 0;
}

void ua_enforce_stop(struct daemon *d)
{
	if (!d->deny)
		return;
	ua_loader_set_deny(&d->loader, 0, 0);
	deny__destroy(d->deny);
	d->deny = NULL;
	d->deny_rb_added = 0;
}

static int needs_enforcement(const struct ua_ruleset *rs)
{
	return first_enforcing(rs) || rs->deny_policies;
}

/* The refusal: which rule (or policy) and what the kernel lacks. */
static void refuse(const struct daemon *d, const struct ua_ruleset *rs, struct ua_buf *msgs)
{
	const struct ua_rule *r = first_enforcing(rs);

	if (r)
		ua_buf_addf(msgs,
			    "%s:%d:%d: action '%s' needs BPF-LSM to stop requests: %s ('--enforce "
			    "best-effort' in the rules runs them without stopping requests: deny "
			    "rules record, kill rules kill the submitter)\n",
			    rs->files[r->file], r->line, r->col, ua_action_name(r->action),
			    d->lsm_why);
	else
		ua_buf_addf(msgs,
			    "--deny needs BPF-LSM: %s ('--enforce best-effort' in the rules runs "
			    "without the policy)\n",
			    d->lsm_why);
}

int ua_enforce_check(struct daemon *d, const struct ua_ruleset *rs, struct ua_buf *msgs)
{
	const struct ua_rule *r = first_enforcing(rs);
	size_t i;

	if (!needs_enforcement(rs))
		return 0;
	if (!d->lsm_probed) {
		d->lsm_ok = !ua_lsm_probe(d->lsm_why, sizeof(d->lsm_why));
		d->lsm_probed = 1;
	}
	if (d->lsm_ok) {
		/* A rule decided only at completion cannot stop its request. */
		for (i = 0; i < rs->n && !rs->best_effort; i++) {
			r = &rs->rules[i];
			if ((r->action == UA_ACT_DENY || r->action == UA_ACT_KILL) &&
			    r->completion) {
				ua_buf_addf(
					msgs,
					"%s:%d:%d: a %s rule must be decided when the request is "
					"submitted, to stop it before it runs; a field of this "
					"rule is known only at completion ('--enforce "
					"best-effort' records it instead)\n",
					rs->files[r->file], r->line, r->col,
					ua_action_name(r->action));
				return -EOPNOTSUPP;
			}
		}
		return 0;
	}
	if (rs->best_effort)
		return 0;
	refuse(d, rs, msgs);
	return -EOPNOTSUPP;
}

const char *ua_enforce_state(const struct daemon *d)
{
	if (!needs_enforcement(&d->rules))
		return "off";
	return d->deny && d->lsm_ok ? "on" : "best-effort";
}

int ua_enforce_arm(struct daemon *d, const struct ua_ruleset *rs, struct ua_buf *msgs)
{
	char why[512];
	int rc;

	if (!needs_enforcement(rs) || !d->lsm_ok) {
		/* best-effort (or nothing to enforce): the tracepoints mark nothing */
		/* also a pinned main object a killed daemon left armed */
		if (d->deny)
			d->deny->bss->policies = 0;
		ua_loader_set_deny(&d->loader, 0, 0);
		ua_consumer_set_enforcing(d->consumer, 0);
		return 0;
	}
	if (!d->deny) {
		rc = deny_load(d, why, sizeof(why));
		if (rc) {
			/* BPF-LSM works, but not our programs here: as if it did not. */
			d->lsm_ok = 0;
			snprintf(d->lsm_why, sizeof(d->lsm_why), "%s", why);
			if (rs->best_effort)
				return 0;
			refuse(d, rs, msgs);
			return -EOPNOTSUPP;
		}
		rc = ua_enforce_events(d);
		if (rc) {
			ua_buf_addf(msgs, "cannot read the enforcement events: %s\n",
				    strerror(-rc));
			return rc;
		}
	}
	d->deny->bss->policies = rs->deny_policies;
	ua_loader_set_deny(&d->loader, 1, !!(rs->deny_policies & UA_RULES_DENY_UNRECORDED));
	ua_consumer_set_enforcing(d->consumer, 1);
	return 0;
}

_Static_assert(UA_RULES_DENY_SQPOLL == UA_POL_SQPOLL &&
		       UA_RULES_DENY_PERSONALITY == UA_POL_PERSONALITY &&
		       UA_RULES_DENY_UNRECORDED == UA_POL_UNRECORDED,
	       "--deny bits are bpf/deny.h's policies");
