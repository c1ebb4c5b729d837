// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Where records go: a log file (appended, 0600, its directory 0700) or stdout. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

/* Create the directories leading to @path (0700) when missing. */
static int make_parent_dirs(const char *path)
{
	char dir[PATH_MAX];
	size_t i;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	for (i = 1; dir[i]; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		dir[i] = '/';
	}
	return 0;
}

int ua_sink_open(struct ua_sink *s, const char *path, char *err, size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!strcmp(path, "-")) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	rc = make_parent_dirs(path);
	if (rc) {
		snprintf(err, errlen, "cannot create the directory of '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	return ua_sink_reopen(s, err, errlen);
}

/*
 * The log's directory must not let another user replace the log: owned by
 * root or by us, and writable by nobody else unless sticky (as /tmp is: then
 * only the owner of a file may rename or delete it).
 */
static int check_log_dir(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	if (stat(dir, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot use the directory of log '%s': %s", path,
			 strerror(errno));
		return rc;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "directory '%s' of the log is owned by uid %u: refused", dir,
			 (unsigned int)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(
			err, errlen,
			"directory '%s' of the log is writable by group or others (mode %04o): refused",
			dir, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * What was found at the log's path must be ours: a regular file we own with
 * one link (made 0600 if it was more open: records are for root's eyes), or
 * a FIFO we own, or a character device of root's (/dev/null for benchmarks).
 * Anything another user planted there is refused, never written to.
 */
static int check_log_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot stat log '%s': %s", path, strerror(errno));
		return rc;
	}
	if (S_ISCHR(st.st_mode)) {
		if (st.st_uid == 0)
			return 0;
	} else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "log '%s' is not a file, FIFO or character device", path);
		return -EINVAL;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "log '%s' is owned by uid %u, not by this daemon: refused",
			 path, (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink != 1) {
		snprintf(err, errlen, "log '%s' has %lu hard links: refused", path,
			 (unsigned long)st.st_nlink);
		return -EPERM;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, 0600)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot make log '%s' private: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

/* Also used after log rotation (SIGHUP): the new file takes the next record.
 * O_NONBLOCK so that a FIFO nobody reads is an error, not a daemon blocked
 * for ever in open(); it is cleared once the file is checked. */
int ua_sink_reopen(struct ua_sink *s, char *err, size_t errlen)
{
	int fd, rc;

	if (!s->path)
		return 0;
	rc = check_log_dir(s->path, err, errlen);
	if (rc)
		return rc;
	fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		  0600);
	if (fd < 0) {
		rc = -errno;
		if (errno == ENXIO)
			snprintf(err, errlen, "log '%s' is a FIFO that no process reads", s->path);
		else
			snprintf(err, errlen, "cannot open log '%s': %s", s->path, strerror(errno));
		return rc;
	}
	rc = check_log_file(fd, s->path, err, errlen);
	if (!rc && fcntl(fd, F_SETFL, O_APPEND) < 0) {
		rc = -errno;
		snprintf(err, errlen, "log '%s': %s", s->path, strerror(errno));
	}
	if (rc) {
		close(fd);
		return rc;
	}
	if (s->owns_fd)
		close(s->fd);
	s->fd = fd;
	s->owns_fd = 1;
	return 0;
}

int ua_sink_write(struct ua_sink *s, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(s->fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->write_errors++;
			s->last_errno = errno;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

void ua_sink_close(struct ua_sink *s)
{
	if (s->owns_fd && s->fd >= 0)
		close(s->fd);
	free(s->path);
	s->fd = -1;
	s->path = NULL;
}
