// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * audit_readlog - write the kernel's own audit records to a file in auditd's
 * log form ("type=NAME msg=audit(T:SERIAL): ..."), read from the audit
 * netlink socket's read-only multicast group (AUDIT_NLGRP_READLOG, Linux 3.16
 * and later, CAP_AUDIT_READ). It is not the audit daemon: it takes nothing
 * from auditd or whoever else reads the stream, so a test can compare
 * ausearch's counts on the kernel's records with its counts on uringaudit's.
 *
 * Usage: audit_readlog FILE SECONDS
 * Prints "ready=1" once subscribed; writes every record until SIGTERM/SIGINT
 * or SECONDS. Exit 0, 1 when the socket cannot be had (the reason on stderr).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The record types a URINGOP event and its neighbours carry, by auditd's names. */
static const struct {
	int type;
	const char *name;
} names[] = {
	{ 1300, "SYSCALL" },	  { 1302, "PATH" },	 { 1305, "CONFIG_CHANGE" },
	{ 1306, "SOCKADDR" },	  { 1307, "CWD" },	 { 1320, "EOE" },
	{ 1327, "PROCTITLE" },	  { 1336, "URINGOP" },	 { 1337, "OPENAT2" },
	{ 1006, "LOGIN" },	  { 1100, "USER_AUTH" }, { 1130, "SERVICE_START" },
	{ 1131, "SERVICE_STOP" },
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
	static char buf[65536];
	time_t end;
	FILE *out;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: audit_readlog FILE SECONDS\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "audit_readlog: the audit multicast group: %s\n", strerror(errno));
		return 1;
	}
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	end = time(NULL) + atoi(argv[2]);
	printf("ready=1\n");
	fflush(stdout);
	while (!stop && time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;
		int left;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS)
				fprintf(stderr, "audit_readlog: records dropped (ENOBUFS)\n");
			continue;
		}
		/* int: the kernel does not pad a record to NLMSG_ALIGNTO, so the
		 * last NLMSG_NEXT can take "left" below zero, which must end the loop. */
		left = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const char *text = NLMSG_DATA(h);
			int len = (int)(h->nlmsg_len - NLMSG_HDRLEN);
			const char *name = NULL;
			size_t i;

			if (h->nlmsg_type < 1100 || len <= 0)
				continue;
			while (len > 0 && (text[len - 1] == '\0' || text[len - 1] == '\n'))
				len--;
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (names[i].type == h->nlmsg_type)
					name = names[i].name;
			if (name)
				fprintf(out, "type=%s msg=%.*s\n", name, len, text);
			else
				fprintf(out, "type=UNKNOWN[%d] msg=%.*s\n", h->nlmsg_type, len,
					text);
		}
	}
	fclose(out);
	return 0;
}
