// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Enforcement: what deny and kill rules can do on the running kernel.
 *
 * deny stops a request, which only BPF-LSM can do (the tracepoints see a
 * request but cannot fail it). Whether BPF-LSM works is probed, not guessed
 * from the kernel version or its configuration: the kernel must carry the
 * BPF-LSM hooks (CONFIG_BPF_LSM), accept and attach an LSM program, and call
 * it (bpf in its active LSM list, lsm= on the command line). The probe loads
 * the enforcement object (bpf/deny.bpf.c), attaches its probe program to
 * file_open, opens /dev/null and checks that the program ran.
 *
 * Where BPF-LSM is missing, a set with deny or kill rules is refused with the
 * probe's reason, unless it says `--enforce best-effort`: then deny rules
 * record their requests (action=deny stopped=no) and kill rules SIGKILL the
 * submitter when the request is seen (bpf/rules.bpf.h, kill_submitter), and
 * the records say the request itself was not stopped.
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
#include "deny.skel.h"

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
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

/* Whether @rs has rules only BPF-LSM can enforce (deny, kill). */
static const struct ua_rule *first_enforcing(const struct ua_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (rs->rules[i].action == UA_ACT_DENY || rs->rules[i].action == UA_ACT_KILL)
			return &rs->rules[i];
	}
	return NULL;
}

int ua_enforce_check(struct daemon *d, const struct ua_ruleset *rs, struct ua_buf *msgs)
{
	const struct ua_rule *r = first_enforcing(rs);

	if (!r)
		return 0;
	if (!d->lsm_probed) {
		d->lsm_ok = !ua_lsm_probe(d->lsm_why, sizeof(d->lsm_why));
		d->lsm_probed = 1;
	}
	/* The LSM programs that deny are not written yet: until they are, BPF-LSM
	 * is only probed, and every kernel is best-effort. */
	if (d->lsm_ok)
		snprintf(d->lsm_why, sizeof(d->lsm_why),
			 "BPF-LSM works on this kernel, but this daemon does not enforce with it "
			 "yet");
	if (rs->best_effort)
		return 0;
	ua_buf_addf(msgs,
		    "%s:%d:%d: action '%s' needs BPF-LSM to stop requests: %s ('--enforce "
		    "best-effort' in the rules runs them without stopping requests: deny rules "
		    "record, kill rules kill the submitter)\n",
		    rs->files[r->file], r->line, r->col, ua_action_name(r->action), d->lsm_why);
	return -EOPNOTSUPP;
}
