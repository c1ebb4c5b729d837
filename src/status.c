// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Status: the daemon answers each connection on a unix socket with one JSON
 * object of counters and closes it. `uringaudit status` is the client.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int ua_status_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	rc = fill_addr(&sa, path);
	if (rc) {
		snprintf(err, errlen, "status socket path '%s' is too long", path);
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a daemon that was killed: replace it, but refuse
	 * when another daemon answers on it. */
	if (!lstat(path, &st)) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "'%s' exists and is not a socket", path);
			close(fd);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			close(fd);
			snprintf(err, errlen, "another uringaudit answers on '%s'", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(fd, 8)) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on '%s': %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

void ua_status_close(int fd, const char *path)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

/* Print a flat JSON object of numbers as "key: value" lines. */
static void print_text(const char *json)
{
	const char *p = json;

	while ((p = strchr(p, '"'))) {
		const char *k = p + 1, *ke = strchr(k, '"'), *v, *ve;

		if (!ke || ke[1] != ':')
			break;
		v = ke + 2;
		ve = v + strcspn(v, ",}");
		printf("%.*s: %.*s\n", (int)(ke - k), k, (int)(ve - v), v);
		p = ve;
	}
}

int ua_ctl_request(const char *path, const char *cmd, struct ua_buf *reply)
{
	struct sockaddr_un sa;
	char buf[8192];
	ssize_t n;
	int fd, rc = 0;

	if (fill_addr(&sa, path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, cmd, strlen(cmd)) < 0 ||
	    write(fd, "\n", 1) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ua_buf_add(reply, buf, (size_t)n);
	close(fd);
	if (!reply->len)
		return -EIO;
	return reply->err;
}

int ua_status_query(const char *path, int json)
{
	struct ua_buf reply = UA_BUF_INIT;
	int rc = ua_ctl_request(path, "status", &reply);

	if (!rc) {
		if (json)
			fputs(reply.data, stdout);
		else
			print_text(reply.data);
	}
	ua_buf_release(&reply);
	return rc;
}
