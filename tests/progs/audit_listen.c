// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * audit_listen - print the kernel audit records of one type as the kernel
 * sends them to its read-only multicast group (AUDIT_NLGRP_READLOG, which
 * needs CAP_AUDIT_READ and leaves auditd, if any, alone).
 *
 * Usage: audit_listen TYPE [--enable]
 *   prints "enabled=N" first (the kernel's audit_enabled), then "ready",
 *   then one line per record of TYPE: its text as the kernel wrote it.
 *   --enable: when audit is disabled, enable it (AUDIT_SET) and put it back
 *   at SIGTERM/SIGINT. Exit 1 when the kernel refuses.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

static int request(int fd, int type, const void *data, size_t len, struct audit_status *st)
{
	char buf[8192] __attribute__((aligned(8)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	ssize_t n;

	memset(buf, 0, NLMSG_SPACE(len));
	h->nlmsg_len = NLMSG_LENGTH(len);
	h->nlmsg_type = (unsigned short)type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	memcpy(NLMSG_DATA(h), data, len);
	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error || type != AUDIT_GET)
					return e->error;
			} else if (h->nlmsg_type == AUDIT_GET && st) {
				memcpy(st, NLMSG_DATA(h), sizeof(*st));
				return 0;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = AUDIT_NLGRP_READLOG };
	struct audit_status st = { 0 }, set;
	int ctl, mc, type, enable = argc > 2 && !strcmp(argv[2], "--enable"), restore = -1;
	char buf[16384] __attribute__((aligned(8)));

	if (argc < 2) {
		fprintf(stderr, "usage: audit_listen TYPE [--enable]\n");
		return 2;
	}
	type = atoi(argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	{
		struct sigaction sig = { .sa_handler = on_sig }; /* no SA_RESTART: recv returns */

		sigaction(SIGTERM, &sig, NULL);
		sigaction(SIGINT, &sig, NULL);
	}
	ctl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	mc = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (ctl < 0 || mc < 0 || request(ctl, AUDIT_GET, &st, 0, &st)) {
		printf("error=%s\n", strerror(errno));
		return 1;
	}
	printf("enabled=%u\n", st.enabled);
	if (bind(mc, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("error=bind: %s\n", strerror(errno));
		return 1;
	}
	if (enable && st.enabled == 0) {
		memset(&set, 0, sizeof(set));
		set.mask = AUDIT_STATUS_ENABLED;
		set.enabled = 1;
		if (request(ctl, AUDIT_SET, &set, sizeof(set), NULL)) {
			printf("error=cannot enable audit\n");
			return 1;
		}
		restore = 0;
		printf("enabled=1 (for this test)\n");
	}
	printf("ready\n");
	while (!stop) {
		ssize_t n = recv(mc, buf, sizeof(buf) - 1, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			continue;
		/* The kernel's multicast records carry their text after the header. */
		if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == type) {
			int len = (int)(h->nlmsg_len - NLMSG_HDRLEN);

			printf("%.*s\n", len, (char *)NLMSG_DATA(h));
		}
	}
	if (restore >= 0) {
		memset(&set, 0, sizeof(set));
		set.mask = AUDIT_STATUS_ENABLED;
		set.enabled = (unsigned int)restore;
		request(ctl, AUDIT_SET, &set, sizeof(set), NULL);
	}
	return 0;
}
