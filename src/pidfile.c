// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pid file: written once the daemon is ready (every program attached,
 * records flowing), so that its existence means readiness; removed at stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_state.h"

/* Checked before loading anything, and again when writing the file. */
int ua_pidfile_busy(const char *path, long *pid)
{
	char buf[32];

	if (ua_read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	*pid = strtol(buf, NULL, 10);
	return *pid > 0 && *pid != getpid() && !kill((pid_t)*pid, 0);
}

int ua_pidfile_write(const char *path, char *err, size_t errlen)
{
	char buf[32], tmp[PATH_MAX];
	long other;
	int fd, len, rc;

	if (ua_pidfile_busy(path, &other)) {
		snprintf(err, errlen, "pid file '%s' names running process %ld", path, other);
		return -EEXIST;
	}
	/* Written whole under a new name, then renamed: a reader never sees
	 * half a pid. The name is made by mkstemp (O_CREAT|O_EXCL), never
	 * one that could be found there: a symlink or hard link another user
	 * planted at a fixed name would make us write through it. rename()
	 * replaces a planted pid file itself without following it. */
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "pid file '%s': name too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot write pid file '%s': %s", path, strerror(errno));
		return rc;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", getpid());
	errno = 0;
	if (fchmod(fd, 0644) || write(fd, buf, (size_t)len) != len) {
		rc = errno ? -errno : -EIO;
		close(fd);
		goto fail;
	}
	if (close(fd) || rename(tmp, path)) {
		rc = -errno;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot write pid file '%s': %s", path, strerror(-rc));
	unlink(tmp);
	return rc;
}
