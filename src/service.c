// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What running as a service needs: the capability check (so User= with
 * AmbientCapabilities= works, not only uid 0) and systemd's readiness
 * protocol (sd_notify(3): a datagram to $NOTIFY_SOCKET), without libsystemd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

ssize_t ua_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return n;
}

/* The effective capability set, from /proc/self/status (no libcap). */
static int effective_caps(uint64_t *caps)
{
	char buf[4096], *p;
	ssize_t n = ua_read_small("/proc/self/status", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	p = strstr(buf, "\nCapEff:");
	if (!p)
		return -ENOENT;
	*caps = strtoull(p + 8, NULL, 16);
	return 0;
}

int ua_check_caps(char *err, size_t errlen)
{
	uint64_t caps, need = (1ULL << CAP_BPF_BIT) | (1ULL << CAP_PERFMON_BIT);
	int rc = effective_caps(&caps);

	if (rc) {
		snprintf(err, errlen, "cannot read this process's capabilities: %s", strerror(-rc));
		return rc;
	}
	if ((caps & need) == need || (caps & (1ULL << CAP_SYS_ADMIN_BIT)))
		return 0;
	snprintf(err, errlen,
		 "missing capabilities: loading BPF programs needs CAP_BPF and CAP_PERFMON "
		 "(or CAP_SYS_ADMIN); run as root or give them (AmbientCapabilities=)");
	return -EPERM;
}

int ua_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len, slen;
	socklen_t salen;
	ssize_t n;
	int fd;

	if (!path || !*path)
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	slen = strlen(state);
	n = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == slen ? 0 : -EIO;
}
