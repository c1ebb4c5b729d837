// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_plugin - a test plugin for uringaudit's plugin sink, run as auditd runs
 * its plugins (auditd-plugins(5)): records on stdin, one line each.
 *
 * Usage: ua_plugin OUTFILE [MODE]
 *   (no MODE)      append every line read to OUTFILE
 *   stall          read nothing, ever (a plugin that stops reading)
 *   die-after=N    exit 3 after N records (lines; the PATH lines that follow a
 *                  URINGOP record are part of it and not counted)
 * OUTFILE also gets, each on a line of its own: "#started pid=P env=N
 * stdin=socket|other stdout=null|other" at start, "#SIGHUP" for each SIGHUP,
 * "#EOF" when stdin ends, "#SIGTERM" when terminated.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

extern char **environ;
static volatile sig_atomic_t hup, term;

static void on_sig(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		term = 1;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	long n = 0, die_after = -1;
	int env = 0, stall = 0;
	struct sigaction sa;
	struct stat st0, st1;
	FILE *out;

	if (argc < 2) {
		fprintf(stderr, "usage: ua_plugin OUTFILE [stall|die-after=N]\n");
		return 2;
	}
	if (argc > 2 && !strcmp(argv[2], "stall"))
		stall = 1;
	else if (argc > 2 && !strncmp(argv[2], "die-after=", 10))
		die_after = atol(argv[2] + 10);
	out = fopen(argv[1], "a");
	if (!out)
		return 1;
	setvbuf(out, NULL, _IOLBF, 0);
	while (environ && environ[env])
		env++;
	fprintf(out, "#started pid=%d env=%d stdin=%s stdout=%s\n", getpid(), env,
		!fstat(0, &st0) && S_ISSOCK(st0.st_mode) ? "socket" : "other",
		!fstat(1, &st1) && S_ISCHR(st1.st_mode) && major(st1.st_rdev) == 1 &&
				minor(st1.st_rdev) == 3 ?
			"null" :
			"other");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig; /* no SA_RESTART: a signal ends a blocked read */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (stall) {
		while (!term)
			pause();
		fprintf(out, "#SIGTERM\n");
		return 0;
	}
	for (;;) {
		ssize_t len;

		if (hup) {
			hup = 0;
			fprintf(out, "#SIGHUP\n");
		}
		if (term) {
			fprintf(out, "#SIGTERM\n");
			return 0;
		}
		len = getline(&line, &cap, stdin);
		if (len < 0) {
			if (ferror(stdin) && (hup || term)) {
				clearerr(stdin);
				continue;
			}
			fprintf(out, "#EOF\n");
			return 0;
		}
		fwrite(line, 1, (size_t)len, out);
		if (die_after >= 0 && strncmp(line, "type=PATH ", 10) != 0 && ++n >= die_after)
			return 3;
	}
}
