// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rule files: read and check them, parse them into one set (lib/rules.c),
 * resolve the values that name things on this machine (exe= to a device and
 * inode, as the kernel's audit does; cgroup= paths to an id and level), and
 * compile the set for the kernel (struct ua_kruleset).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"
#include "rules.h"

#define RULE_FILE_MAX (4u << 20)
#define CGROUP_ROOT "/sys/fs/cgroup"

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
 * hybrid systems. The kernel's cgroup ids are this hierarchy's. */
static void cgroup2_root(char *out, size_t len)
{
	char line[1024], dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	snprintf(out, len, "%s", CGROUP_ROOT);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(out, len, "%s", dir);
			break;
		}
	}
	fclose(f);
}

/* Field ids, operators and actions are bpf/ua_abi.h's, shared with the BPF programs. */
_Static_assert(UA_AF_UNIX == 1 && UA_AF_INET == 2 && UA_AF_INET6 == 10, "Linux AF_* numbers");
_Static_assert(UA_RULES_MAX <= UA_KRULES_MAX && UA_RULE_FIELDS_MAX <= UA_KFIELDS_MAX,
	       "kernel maps hold what the parser accepts");
_Static_assert(UA_RULE_STR_MAX < UA_KSTR_MAX, "string values fit");
_Static_assert(UA_RULE_UNIX_MAX + 1 < UA_KSTR_MAX,
	       "unix socket addresses fit (abstract: NUL first)");

__attribute__((format(printf, 2, 3))) static void msg(struct ua_buf *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ua_buf_vaddf(out, fmt, ap);
	va_end(ap);
	ua_buf_addch(out, '\n');
}

static int read_rule_file(const char *path, struct ua_buf *text, struct ua_buf *msgs)
{
	struct stat st;
	char buf[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		msg(msgs, "%s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		msg(msgs, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* Rules decide what is recorded: a file others can write is refused,
	 * as auditd refuses its own. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		msg(msgs, "%s: writable by group or others (mode %04o): refused", path,
		    (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	/* ... and so is one another user owns (auditctl refuses those too): its
	 * owner could rewrite it between two loads. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		msg(msgs, "%s: owned by uid %u, not by root: refused", path,
		    (unsigned int)st.st_uid);
		close(fd);
		return -EPERM;
	}
	if ((uint64_t)st.st_size > RULE_FILE_MAX) {
		msg(msgs, "%s: larger than %u bytes", path, RULE_FILE_MAX);
		close(fd);
		return -EFBIG;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ua_buf_add(text, buf, (size_t)n);
		if (text->len > RULE_FILE_MAX) {
			msg(msgs, "%s: larger than %u bytes", path, RULE_FILE_MAX);
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	if (n < 0) {
		msg(msgs, "%s: read: %s", path, strerror(errno));
		return -EIO;
	}
	return text->err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_one(const char *path, const struct ua_optable *ops, struct ua_ruleset *rs,
		     struct ua_diags *d, struct ua_buf *msgs)
{
	struct ua_buf text = UA_BUF_INIT;
	int rc = read_rule_file(path, &text, msgs);

	if (!rc)
		rc = ua_rules_parse(rs, path, text.data ? text.data : "", text.len, ops, d);
	ua_buf_release(&text);
	return rc;
}

/* A directory: its *.rules files, in name order (as rules.d directories). */
static int parse_dir(const char *path, const struct ua_optable *ops, struct ua_ruleset *rs,
		     struct ua_diags *d, struct ua_buf *msgs)
{
	char **names = NULL, full[PATH_MAX];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dir = opendir(path);
	int rc = 0, r;

	if (!dir) {
		msg(msgs, "%s: cannot open directory: %s", path, strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 7 || strcmp(de->d_name + len - 6, ".rules"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));

			if (!nn) {
				rc = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dir);
	if (!rc)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (!rc) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			r = parse_one(full, ops, rs, d, msgs);
			if (r && r != -EINVAL)
				rc = r;
			else if (r)
				rc = rc ? rc : r;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Kernel dev_t (MKDEV: major << 20 | minor), as in struct super_block. */
static uint64_t kernel_dev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

static int resolve(struct ua_ruleset *rs, struct ua_buf *msgs)
{
	char root[PATH_MAX];
	size_t i, j, rlen;
	int rc = 0;

	cgroup2_root(root, sizeof(root));
	rlen = strlen(root);
	for (i = 0; i < rs->n; i++) {
		struct ua_rule *r = &rs->rules[i];
		const char *file = r->file >= 0 && (size_t)r->file < rs->nfiles ?
					   rs->files[r->file] :
					   "<input>";

		for (j = 0; j < r->nfields; j++) {
			struct ua_rule_field *f = &r->fields[j];
			char path[PATH_MAX];
			struct stat st;
			const char *p;

			if (f->id == UA_F_EXE) {
				if (stat(f->str, &st)) {
					msg(msgs, "%s:%d:%d: exe '%s': %s", file, f->line, f->col,
					    f->str, strerror(errno));
					rc = -EINVAL;
					continue;
				}
				f->res1 = st.st_ino;
				f->res2 = kernel_dev(st.st_dev);
			} else if (f->id == UA_F_PATH || f->id == UA_F_DIR) {
				/* path= also names the file itself and dir= the
				 * directory itself, so a bind mount, a doubled slash
				 * or /proc/PID/root cannot spell them out of the rule;
				 * one absent now matches by name only. */
				if (!stat(f->str, &st) &&
				    !S_ISDIR(st.st_mode) == (f->id == UA_F_PATH)) {
					f->res1 = st.st_ino;
					f->res2 = kernel_dev(st.st_dev);
				}
			} else if (f->id == UA_F_CGROUP && f->is_str) {
				/* cgroup v2: a cgroup's id is its directory's inode.
				 * A path is taken under the v2 mount unless it is
				 * already below it. */
				if (!strncmp(f->str, root, rlen) &&
				    (f->str[rlen] == '/' || !f->str[rlen]))
					snprintf(path, sizeof(path), "%s", f->str);
				else
					snprintf(path, sizeof(path), "%s%s", root,
						 strncmp(f->str, CGROUP_ROOT "/",
							 sizeof(CGROUP_ROOT)) ?
							 f->str :
							 f->str + strlen(CGROUP_ROOT));
				errno = 0;
				if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
					msg(msgs, "%s:%d:%d: cgroup '%s': %s", file, f->line,
					    f->col, f->str,
					    errno ? strerror(errno) : "not a directory");
					rc = -EINVAL;
					continue;
				}
				f->res1 = st.st_ino;
				f->res2 = 0;
				for (p = path + rlen; *p; p++)
					if (*p == '/' && p[1] && p[1] != '/')
						f->res2++;
			}
		}
	}
	return rc;
}

int ua_rules_abs_path(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];
	int n;

	if (!*path)
		return -ENOENT;
	if (strchr(path, '\t') || strchr(path, '\n'))
		return -EINVAL;
	/* Not realpath(): a symlink must reach the daemon as a symlink, for
	 * read_rule_file to refuse it as it refuses one given to --rules. */
	if (*path == '/') {
		n = snprintf(out, len, "%s", path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (strchr(cwd, '\t') || strchr(cwd, '\n'))
			return -EINVAL;
		n = snprintf(out, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Each diagnostic of a parse, one message line each; the list is released. */
static void report_diags(const struct ua_ruleset *rs, struct ua_diags *d, struct ua_buf *msgs)
{
	struct ua_buf line = UA_BUF_INIT;
	size_t i;

	for (i = 0; i < d->n; i++) {
		ua_buf_reset(&line);
		ua_diag_format(rs, &d->v[i], &line);
		msg(msgs, "%s", line.data ? line.data : "");
	}
	ua_buf_release(&line);
	ua_diags_release(d);
}

int ua_rules_load(const char *const *paths, size_t npaths, const struct ua_optable *ops,
		  struct ua_ruleset *rs, struct ua_buf *msgs)
{
	struct ua_diags d = { 0 };
	size_t i;
	int rc = 0, r;

	for (i = 0; i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st)) {
			msg(msgs, "%s: %s", paths[i], strerror(errno));
			rc = -ENOENT;
			continue;
		}
		r = S_ISDIR(st.st_mode) ? parse_dir(paths[i], ops, rs, &d, msgs) :
					  parse_one(paths[i], ops, rs, &d, msgs);
		if (r && (!rc || r != -EINVAL))
			rc = r;
	}
	if (!rc)
		rc = ua_rules_check_set(rs, ops, &d);
	report_diags(rs, &d, msgs);
	if (!rc && !rs->n) {
		msg(msgs, "no rules in %s", npaths == 1 ? paths[0] : "the files given");
		rc = -ENOENT;
	}
	if (!rc)
		rc = resolve(rs, msgs);
	if (rc)
		ua_ruleset_release(rs);
	return rc;
}

int ua_rules_load_text(const char *name, const char *text, size_t len, const struct ua_optable *ops,
		       struct ua_ruleset *rs, struct ua_buf *msgs)
{
	struct ua_diags d = { 0 };
	int rc;

	memset(rs, 0, sizeof(*rs));
	rc = ua_rules_parse(rs, name, text, len, ops, &d);
	report_diags(rs, &d, msgs);
	if (!rc)
		rc = resolve(rs, msgs);
	if (rc)
		ua_ruleset_release(rs);
	return rc;
}

/* One entry of the bank's string table: @len bytes of @s, NULs included (addr= bytes). */
static int add_str(struct ua_kruleset *ks, const char *s, size_t len, struct ua_kfield *kf)
{
	if (ks->nstrs >= UA_KSTRS_MAX || len >= UA_KSTR_MAX)
		return -E2BIG;
	memset(&ks->strs[ks->nstrs], 0, sizeof(ks->strs[0]));
	memcpy(ks->strs[ks->nstrs].s, s, len);
	kf->str_idx = ks->nstrs++;
	kf->str_len = (uint16_t)len;
	return 0;
}

int ua_rules_compile(const struct ua_ruleset *rs, struct ua_kruleset *ks, int check_only,
		     struct ua_buf *msgs)
{
	size_t i, j;

	memset(ks, 0, sizeof(*ks));
	if (rs->n > UA_KRULES_MAX)
		return -E2BIG;
	for (i = 0; i < rs->n; i++) {
		const struct ua_rule *r = &rs->rules[i];
		struct ua_krule *k = &ks->rules[i];

		/* deny and kill: src/enforce.c decided whether the set can be
		 * put in force on this kernel before it is compiled. */
		k->action = r->action;
		k->err = (__u32)r->err;
		memcpy(k->opmask, r->opmask, sizeof(k->opmask));
		for (j = 0; j < r->nfields; j++) {
			const struct ua_rule_field *f = &r->fields[j];
			struct ua_kfield *kf;
			struct ua_kval kv;

			/* What each field becomes: lib/rules.h, ua_rule_field_kval(). */
			if (ua_rule_field_kval(f, &kv)) {
				msg(msgs, "%s:%d:%d: field '%s' cannot be compiled",
				    rs->files[r->file], f->line, f->col,
				    ua_field_name(f->id) ? ua_field_name(f->id) : "?");
				return -EINVAL;
			}
			kf = &k->f[k->nfields++];
			kf->field = (uint8_t)f->id;
			kf->cmp = (uint8_t)f->cmp;
			kf->val = kv.val;
			kf->val2 = kv.val2;
			/* comm, dir, path, addr (binary: the address, or a unix path that
			 * starts with a NUL when abstract) */
			if (kv.str && add_str(ks, kv.str, kv.str_len, kf)) {
				msg(msgs, "too many string values (max %d)", UA_KSTRS_MAX);
				return -E2BIG;
			}
		}
		/* success, exit, ctx, obj_uid, obj_gid; path/dir on ops that resolve their
		 * file at completion; family/addr/port on ops whose address is known only
		 * then (the parser decided these with the running kernel's op table). */
		if (ua_rule_completion(r))
			k->flags |= UA_KR_COMPLETION;
	}
	ks->n = (unsigned int)rs->n;
	ua_rules_opmask(rs, ks->opmask);
	return 0;
}
