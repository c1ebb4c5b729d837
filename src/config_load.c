// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading uringaudit.conf: the file must be root's and writable by nobody
 * else (whoever can write it chooses what is audited and where records go),
 * then lib/config.c parses it. Messages go to @msgs, one a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

#define CONFIG_SIZE_MAX (1u << 20)

/* @path's text, when it is root's and writable by nobody else. 1: absent (and
 * !@must_exist), 0, or -errno with a message. */
static int read_checked(const char *path, int must_exist, struct ua_buf *text, struct ua_buf *msgs)
{
	struct stat st;
	char chunk[8192];
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT && !must_exist)
			return 1;
		ua_buf_addf(msgs, "%s: %s\n", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		ua_buf_addf(msgs, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	rc = -EPERM;
	if (!S_ISREG(st.st_mode)) {
		ua_buf_addf(msgs, "%s: not a regular file\n", path);
		goto out;
	}
	if (st.st_uid != 0) {
		ua_buf_addf(msgs, "%s: owned by uid %u, not by root: refused\n", path,
			    (unsigned int)st.st_uid);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		ua_buf_addf(msgs, "%s: writable by group or others (mode %04o): refused\n", path,
			    (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	rc = -EFBIG;
	if (st.st_size > CONFIG_SIZE_MAX) {
		ua_buf_addf(msgs, "%s: larger than %u bytes\n", path, CONFIG_SIZE_MAX);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && text->len <= CONFIG_SIZE_MAX)
		ua_buf_add(text, chunk, (size_t)n);
	rc = 0;
	if (n < 0 || text->err) {
		rc = n < 0 ? -errno : text->err;
		ua_buf_addf(msgs, "%s: %s\n", path, strerror(-rc));
	}
out:
	close(fd);
	return rc;
}

int ua_config_load(const char *path, int must_exist, struct ua_config *c, struct ua_buf *msgs)
{
	struct ua_buf text = UA_BUF_INIT;
	struct ua_config tmp = *c;
	int rc = read_checked(path, must_exist, &text, msgs);

	if (rc == 1)
		rc = 0;
	else if (!rc) {
		rc = ua_config_parse(&tmp, path, text.data ? text.data : "", text.len, msgs);
		if (!rc)
			*c = tmp;
	}
	ua_buf_release(&text);
	return rc;
}

/*
 * plugin_dir: its *.conf files in name order, auditd-plugins(5)'s syntax;
 * each root's and writable by nobody else, as uringaudit.conf. The active
 * ones go to @out (at most @max). A missing directory is an error: it was
 * asked for.
 */
int ua_plugins_load(const char *dir, struct ua_plugin_conf *out, size_t max, size_t *n,
		    struct ua_buf *msgs)
{
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int i, cnt, rc = 0;

	*n = 0;
	cnt = scandir(dir, &names, NULL, alphasort);
	if (cnt < 0) {
		rc = -errno;
		ua_buf_addf(msgs, "plugin_dir '%s': %s\n", dir, strerror(errno));
		return rc;
	}
	for (i = 0; i < cnt; i++) {
		const char *nm = names[i]->d_name;
		size_t len = strlen(nm);
		struct ua_buf text = UA_BUF_INIT;
		struct ua_plugin_conf pc;
		int r;

		if (nm[0] == '.' || len < 6 || strcmp(nm + len - 5, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, nm);
		r = read_checked(path, 1, &text, msgs);
		if (!r)
			r = ua_plugin_conf_parse(&pc, path, text.data ? text.data : "", text.len,
						 msgs);
		ua_buf_release(&text);
		if (r) {
			rc = r;
			continue;
		}
		if (!pc.active)
			continue;
		if (*n == max) {
			ua_buf_addf(msgs, "%s: more than %zu active plugins\n", path, max);
			rc = -E2BIG;
			continue;
		}
		out[(*n)++] = pc;
	}
	for (i = 0; i < cnt; i++)
		free(names[i]);
	free(names);
	return rc;
}

int ua_config_group(const struct ua_config *c, gid_t *gid, struct ua_buf *msgs)
{
	struct group *g;
	char *end;
	unsigned long v;

	*gid = 0;
	if (!strcmp(c->log_group, "root") || !c->log_group[0])
		return 0;
	v = strtoul(c->log_group, &end, 10);
	if (!*end && v < 0xffffffffUL) {
		*gid = (gid_t)v;
		return 0;
	}
	errno = 0;
	g = getgrnam(c->log_group);
	if (!g) {
		ua_buf_addf(msgs, "log_group '%s': no such group\n", c->log_group);
		return -ENOENT;
	}
	*gid = g->gr_gid;
	return 0;
}
