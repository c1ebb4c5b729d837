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

/* Also used after log rotation (SIGHUP): the new file takes the next record. */
int ua_sink_reopen(struct ua_sink *s, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (!s->path)
		return 0;
	fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open log '%s': %s", s->path, strerror(errno));
		return rc;
	}
	/* A file, or a pipe or device that something reads (a FIFO, /dev/null
	 * for benchmarks). */
	if (fstat(fd, &st) ||
	    !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		snprintf(err, errlen, "log '%s' is not a file, FIFO or character device", s->path);
		close(fd);
		return -EINVAL;
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
