// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: the command line. Only this file picks exit codes and prints
 * errors: 0 ok, 1 failure, 2 usage or invalid input.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "daemon.h"
#include "rules.h"
#include "uringaudit.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: uringaudit [run] [--rules FILE|DIR]... [--log FILE|-] [--format text|json]\n"
	"                  [--pid-file FILE] [--socket PATH] [--ringbuf-size BYTES] [--poll-ms MS]\n"
	"       uringaudit rules default | check FILE... | list | load FILE...  [--socket PATH]\n"
	"       uringaudit status [--json] [--socket PATH]\n"
	"       uringaudit --help | --version\n"
	"\n"
	"Audit io_uring requests with eBPF: one record per selected request, with who\n"
	"(pid, ids, auid, exe, container), in which context (task, sqpoll, iowq), with\n"
	"which credentials, what (op, path, flags) and the real result.\n"
	"\n"
	"run (the default)\n"
	"  --rules FILE|DIR    rule file, or a directory whose *.rules files are read in\n"
	"                      name order; repeatable. Without it: the built-in rules,\n"
	"                      the opcodes the kernel's own io_uring audit covers\n"
	"  --log FILE|-        where records go (default " UA_DEFAULT_LOG ",\n"
	"                      its directory created 0700); - is stdout\n"
	"  --format text|json  auditd-style text lines (default) or JSON lines\n"
	"  --pid-file FILE     written once every program is attached and records flow\n"
	"  --socket PATH       control socket (default " UA_DEFAULT_SOCKET ")\n"
	"  --ringbuf-size N    BPF ring buffer bytes, a power of two (default 8388608)\n"
	"  --poll-ms MS        consumer timer (default 10)\n"
	"  SIGTERM/SIGINT: drain, record the stop and its sender, exit 0.\n"
	"  SIGHUP: reopen the log file (after rotation) and reload the rule files.\n"
	"\n"
	"rules default   print the built-in rules for this kernel\n"
	"rules check     validate rule files; print them in normal form (exit 0), or\n"
	"                every error as FILE:LINE:COL: message (exit 2)\n"
	"rules list      the rules the running daemon enforces\n"
	"rules load      replace the running daemon's rules, whole, or keep them and say why\n"
	"status          counters of the running daemon (--json: one JSON object)\n"
	"\n"
	"Exit codes: 0 ok, 1 failure, 2 usage or invalid input.\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "uringaudit: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'uringaudit --help'.\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out > max)
		return -ERANGE;
	return 0;
}

/* ---- rules ---- */

/* The built-in rules as rule text: the opcodes the kernel's own io_uring
 * audit covers, named as the running kernel names them. */
static void default_rules_text(const struct ua_optable *ops, struct ua_buf *out)
{
	uint64_t mask[UA_OPMASK_WORDS] = { 0 };
	unsigned int op;
	int first = 1;

	ua_optable_default_mask(ops, mask);
	ua_buf_addstr(out, "-a always,io_uring -S ");
	for (op = 0; op < UA_OP_MAX; op++) {
		if (!(mask[op / 64] & (1ULL << (op % 64))))
			continue;
		ua_buf_addf(out, "%s%s", first ? "" : ",", ua_optable_name(ops, op));
		first = 0;
	}
	ua_buf_addch(out, '\n');
}

static void probe_ops(struct ua_optable *ops)
{
	char err[256];

	/* Names and numbers from the running kernel when it can tell us. */
	if (ua_kernel_probe(ops, err, sizeof(err)) && !ops->nr)
		ua_optable_init_builtin(ops);
}

/* Control socket round trip: the reply's first line is an exit code. */
static int ctl(const char *sock, const char *cmd, int quiet_ok)
{
	struct ua_buf reply = UA_BUF_INIT;
	char *body;
	int rc = ua_ctl_request(sock, cmd, &reply), code;

	if (rc) {
		fprintf(stderr, "uringaudit: no daemon answers on '%s': %s\n", sock, strerror(-rc));
		ua_buf_release(&reply);
		return 1;
	}
	code = atoi(reply.data);
	body = strchr(reply.data, '\n');
	if (body && body[1])
		fputs(body + 1, code || quiet_ok ? stderr : stdout);
	ua_buf_release(&reply);
	return code;
}

static int cmd_rules(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = UA_DEFAULT_SOCKET, *sub = argc > 1 ? argv[1] : "";
	struct ua_optable ops;
	struct ua_buf out = UA_BUF_INIT;
	int c, rc = 0, i;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (!strcmp(sub, "default") && optind == argc) {
		probe_ops(&ops);
		printf("# built-in rules: the io_uring opcodes the kernel's own audit records\n");
		default_rules_text(&ops, &out);
		fputs(out.data, stdout);
	} else if (!strcmp(sub, "check") && optind < argc) {
		struct ua_ruleset rs = { 0 };
		struct ua_kruleset *ks = calloc(1, sizeof(*ks));

		probe_ops(&ops);
		rc = ks ? ua_rules_load((const char *const *)argv + optind, (size_t)(argc - optind),
					&ops, &rs, &out) :
			  -ENOMEM;
		/* Also what only the kernel side limits (string values); deny
		 * and kill are valid rules here: only the daemon refuses them. */
		if (!rc)
			rc = ua_rules_compile(&rs, ks, 1, &out);
		if (out.len)
			fputs(out.data, stderr);
		if (rc) {
			rc = rc == -ENOMEM ? 1 : EXIT_USAGE;
		} else {
			ua_buf_reset(&out);
			ua_rules_format(&rs, &ops, &out);
			fputs(out.data ? out.data : "", stdout);
		}
		ua_ruleset_release(&rs);
		free(ks);
	} else if (!strcmp(sub, "list") && optind == argc) {
		rc = ctl(sock, "rules", 0);
	} else if (!strcmp(sub, "load") && optind < argc) {
		ua_buf_addstr(&out, "load");
		for (i = optind; i < argc; i++) {
			char abs[PATH_MAX];

			/* The daemon reads the files: give it absolute paths. */
			if (!realpath(argv[i], abs)) {
				fprintf(stderr, "uringaudit: %s: %s\n", argv[i], strerror(errno));
				ua_buf_release(&out);
				return EXIT_USAGE;
			}
			if (strchr(abs, '\t') || strchr(abs, '\n')) {
				fprintf(stderr, "uringaudit: %s: tab or newline in path\n",
					argv[i]);
				ua_buf_release(&out);
				return EXIT_USAGE;
			}
			ua_buf_addf(&out, "\t%s", abs);
		}
		rc = ctl(sock, out.data, 1);
	} else {
		usage_error("%s", "usage: uringaudit rules default | check FILE... | list | "
				  "load FILE... [--socket PATH]");
		rc = EXIT_USAGE;
	}
	ua_buf_release(&out);
	return rc;
}

/* ---- status ---- */

static int cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = UA_DEFAULT_SOCKET;
	int json = 0, c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage_error("status: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	rc = ua_status_query(sock, json);
	if (rc) {
		fprintf(stderr, "uringaudit: no daemon answers on '%s': %s\n", sock, strerror(-rc));
		return 1;
	}
	return 0;
}

/* ---- run ---- */

struct daemon {
	struct ua_options o;
	struct ua_optable ops;
	struct ua_ruleset rules; /* in force */
	int locked;		 /* -e 2 was loaded: no more reloads */
	int prev_unclean;	 /* the log's previous daemon did not stop */
	char prev_time[32];	 /* time of the last record it wrote */
	struct ua_loader loader;
	struct ua_sink sink;
	struct ua_consumer *consumer;
	struct ring_buffer *rb;
	int sfd, status_fd, epfd;
	uint64_t started_ms;
	char pid_tmp[PATH_MAX];
	int pid_written;
};

/* Is the pid file held by another live daemon? Checked before loading
 * anything, and again when writing it. */
static int pid_file_busy(const char *path, long *pid)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	*pid = strtol(buf, NULL, 10);
	return *pid > 0 && *pid != getpid() && !kill((pid_t)*pid, 0);
}

static int write_pid_file(struct daemon *d)
{
	char buf[32];
	long other;
	int fd, len;

	if (pid_file_busy(d->o.pid_file, &other)) {
		fprintf(stderr, "uringaudit: pid file '%s' names running process %ld\n",
			d->o.pid_file, other);
		return -EEXIST;
	}
	/* Written whole, then renamed: a reader never sees half a pid. */
	snprintf(d->pid_tmp, sizeof(d->pid_tmp), "%s.tmp", d->o.pid_file);
	fd = open(d->pid_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	len = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write(fd, buf, (size_t)len) != len) {
		close(fd);
		goto fail;
	}
	close(fd);
	if (rename(d->pid_tmp, d->o.pid_file))
		goto fail;
	d->pid_written = 1;
	return 0;
fail:
	fprintf(stderr, "uringaudit: cannot write pid file '%s': %s\n", d->o.pid_file,
		strerror(errno));
	unlink(d->pid_tmp);
	return -errno;
}

static void status_json(struct daemon *d, struct ua_buf *b)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);

	ua_buf_addf(
		b,
		"{\"pid\":%d,\"uptime_s\":%llu,\"backend\":\"tracepoint\",\"rules\":%zu,"
		"\"locked\":%s,\"selected\":%llu,\"events\":%llu,\"recorded\":%llu,\"lost\":%llu,"
		"\"lost_declared\":%llu,\"lost_records\":%llu,\"pending\":%llu,"
		"\"pending_full\":%llu,\"overflow\":%llu,\"concluded_skipped\":%llu,"
		"\"concluded_none\":%llu,\"not_selected\":%llu,\"orphan_completions\":%llu,"
		"\"rings_seen\":%llu,\"write_errors\":%llu}\n",
		getpid(), (unsigned long long)((ua_now_ms() - d->started_ms) / 1000), d->rules.n,
		d->locked ? "true" : "false",
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_SELECTED),
		(unsigned long long)s->events, (unsigned long long)s->recorded,
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_DROPPED),
		(unsigned long long)s->lost_events, (unsigned long long)s->lost_records,
		(unsigned long long)s->pending,
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_PENDING_FULL),
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_OVERFLOW),
		(unsigned long long)s->concluded_skipped, (unsigned long long)s->concluded_none,
		(unsigned long long)s->not_selected, (unsigned long long)s->orphan_completions,
		(unsigned long long)s->rings_seen, (unsigned long long)s->write_errors);
}

static int reload(struct daemon *d, const char *const *paths, size_t n, pid_t pid, uid_t uid,
		  struct ua_buf *reply);

/*
 * Control connections: one request per connection, a command line in, a
 * reply out. Served from the event loop without ever blocking it: a client
 * that connects and says nothing must not stop the ring buffer from being
 * drained (at 300k records/s the default buffer fills in ~70 ms).
 */
#define CTL_CLIENTS 8
#define CTL_TIMEOUT_MS 2000

struct ctl_client {
	int fd; /* -1: free */
	uint64_t since_ms;
	struct ua_buf in, out;
	size_t sent;
};

static struct ctl_client ctl_clients[CTL_CLIENTS];

static void ctl_close(struct daemon *d, struct ctl_client *c)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	ua_buf_release(&c->in);
	ua_buf_release(&c->out);
}

static void ctl_dispatch(struct daemon *d, struct ctl_client *c)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char *req = c->in.data;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		memset(&cred, 0, sizeof(cred));
	req[strcspn(req, "\n")] = '\0';
	if (!*req || !strcmp(req, "status")) {
		status_json(d, &c->out);
	} else if (!strcmp(req, "rules")) {
		ua_buf_addstr(&c->out, "0\n");
		ua_rules_format(&d->rules, &d->ops, &c->out);
	} else if (!strncmp(req, "load\t", 5) && cred.uid == 0) {
		const char *paths[UA_RULE_PATHS_MAX];
		size_t np = 0;
		char *p = req + 5, *t;

		while (np < UA_RULE_PATHS_MAX && (t = strsep(&p, "\t")))
			if (*t)
				paths[np++] = t;
		reload(d, paths, np, cred.pid, cred.uid, &c->out);
	} else {
		ua_buf_addstr(&c->out, "2\nunknown or unauthorised request\n");
	}
}

static void ctl_write(struct daemon *d, struct ctl_client *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = c->fd };
	ssize_t n;

	while (c->sent < c->out.len) {
		n = write(c->fd, c->out.data + c->sent, c->out.len - c->sent);
		if (n < 0 && errno == EAGAIN) {
			epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	ctl_close(d, c);
}

static void ctl_accept(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, i;

	while ((fd = accept4(d->status_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		for (i = 0; i < CTL_CLIENTS && ctl_clients[i].fd >= 0; i++)
			;
		if (i == CTL_CLIENTS) {
			close(fd); /* busy: the client sees a closed connection */
			continue;
		}
		ctl_clients[i].fd = fd;
		ctl_clients[i].since_ms = ua_now_ms();
		ctl_clients[i].sent = 0;
		ua_buf_init(&ctl_clients[i].in);
		ua_buf_init(&ctl_clients[i].out);
		ev.data.fd = fd;
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* An event on a client's fd; 0 if @fd is no client. */
static int ctl_event(struct daemon *d, int fd, uint32_t events)
{
	struct ctl_client *c = NULL;
	char buf[4096];
	ssize_t n;
	int i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (ctl_clients[i].fd == fd)
			c = &ctl_clients[i];
	if (!c)
		return 0;
	if (c->out.len) {
		ctl_write(d, c);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ua_buf_add(&c->in, buf, (size_t)n);
	if (c->in.len && memchr(c->in.data, '\n', c->in.len)) {
		ctl_dispatch(d, c);
		ctl_write(d, c);
	} else if (n == 0 || (n < 0 && errno != EAGAIN) || c->in.len > 65536 ||
		   (events & (EPOLLHUP | EPOLLERR))) {
		ctl_close(d, c);
	}
	return 1;
}

/* Clients that said nothing in time are dropped. */
static void ctl_expire(struct daemon *d)
{
	uint64_t now = ua_now_ms();
	int i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (ctl_clients[i].fd >= 0 && now - ctl_clients[i].since_ms > CTL_TIMEOUT_MS)
			ctl_close(d, &ctl_clients[i]);
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "other";
	}
}

/*
 * Did the previous daemon writing this log stop cleanly? Its last
 * URING_DAEMON record says: a start with no stop after it means it was killed
 * (kill -9, a crash, power loss). Then the time of the last record it wrote
 * starts the window nothing was recorded in. Reads only the log's tail.
 */
static int previous_unclean(const char *path, char *last_time, size_t len)
{
	char buf[65536], *line, *end, *p, *q;
	/* O_NONBLOCK: a FIFO planted at the path must not hold the start up. */
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) :
				     -1;
	struct stat st;
	off_t size;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	size = lseek(fd, 0, SEEK_END);
	n = size > 0 ? pread(fd, buf, sizeof(buf) - 1,
			     size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0) :
		       0;
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* time of the last line */
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	if ((p = strstr(line, "audit(")) && (q = strchr(p, ':')))
		snprintf(last_time, len, "%.*s", (int)(q - p - 6), p + 6);
	else if ((p = strstr(line, "\"time\":")) && (q = strchr(p, ',')))
		snprintf(last_time, len, "%.*s", (int)(q - p - 7), p + 7);
	else
		return 0;
	/* the last daemon record */
	for (end = buf + n; end > buf;) {
		for (line = end; line > buf && line[-1] != '\n'; line--)
			;
		if (memmem(line, (size_t)(end - line), "URING_DAEMON", 12))
			return memmem(line, (size_t)(end - line), "op=start", 8) ||
			       memmem(line, (size_t)(end - line), "\"op\":\"start\"", 12);
		end = line > buf ? line - 1 : buf;
	}
	return 0;
}

static void daemon_record(struct daemon *d, const char *op, const struct signalfd_siginfo *si)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);
	struct ua_kv kv[10];
	size_t n = 0;

	kv[n++] = (struct ua_kv){ .key = "op", .kind = UA_KV_WORD, .str = op, .len = strlen(op) };
	kv[n++] = (struct ua_kv){ .key = "pid", .kind = UA_KV_U64, .u = (uint64_t)getpid() };
	if (!strcmp(op, "start")) {
		kv[n++] = (struct ua_kv){ .key = "version",
					  .kind = UA_KV_WORD,
					  .str = UA_VERSION,
					  .len = strlen(UA_VERSION) };
		kv[n++] = (struct ua_kv){
			.key = "backend", .kind = UA_KV_WORD, .str = "tracepoint", .len = 10
		};
		kv[n++] = (struct ua_kv){ .key = "rules", .kind = UA_KV_U64, .u = d->rules.n };
		if (d->prev_unclean) {
			kv[n++] = (struct ua_kv){
				.key = "previous", .kind = UA_KV_WORD, .str = "unclean", .len = 7
			};
			kv[n++] = (struct ua_kv){ .key = "unrecorded_since",
						  .kind = UA_KV_WORD,
						  .str = d->prev_time,
						  .len = strlen(d->prev_time) };
		}
	} else {
		if (si) {
			const char *sn = signame((int)si->ssi_signo);

			kv[n++] = (struct ua_kv){
				.key = "signal", .kind = UA_KV_WORD, .str = sn, .len = strlen(sn)
			};
			kv[n++] = (struct ua_kv){ .key = "sender_pid",
						  .kind = UA_KV_U64,
						  .u = si->ssi_pid };
			kv[n++] = (struct ua_kv){ .key = "sender_uid",
						  .kind = UA_KV_U64,
						  .u = si->ssi_uid };
		}
		kv[n++] = (struct ua_kv){ .key = "recorded", .kind = UA_KV_U64, .u = s->recorded };
		kv[n++] = (struct ua_kv){ .key = "lost", .kind = UA_KV_U64, .u = s->lost_events };
	}
	ua_consumer_event(d->consumer, "URING_DAEMON", kv, n);
	ua_consumer_flush(d->consumer);
}

/* Put a parsed set in force: keys for the idle bank first, then the swap. */
static int install_rules(struct daemon *d, struct ua_ruleset *rs, struct ua_buf *msgs)
{
	struct ua_kruleset *ks = calloc(1, sizeof(*ks));
	const char *keys[UA_KRULES_MAX];
	size_t lens[UA_KRULES_MAX], i;
	int rc, idle;

	if (!ks)
		return -ENOMEM;
	rc = ua_rules_compile(rs, ks, 0, msgs);
	if (rc)
		goto out;
	for (i = 0; i < rs->n && i < UA_KRULES_MAX; i++) {
		keys[i] = rs->rules[i].key;
		lens[i] = rs->rules[i].key_len;
	}
	idle = d->loader.installed ? !ua_loader_bank(&d->loader) : 0;
	rc = ua_consumer_set_keys(d->consumer, (unsigned int)idle, keys, lens, rs->n);
	if (!rc)
		rc = ua_loader_install(&d->loader, ks);
	if (rc < 0) {
		ua_buf_addf(msgs, "cannot install rules: %s\n", strerror(-rc));
		goto out;
	}
	rc = 0;
	ua_ruleset_release(&d->rules);
	d->rules = *rs;
	memset(rs, 0, sizeof(*rs));
	if (d->rules.locked)
		d->locked = 1;
out:
	free(ks);
	return rc;
}

/* The record of a configuration change, successful or not. */
static void config_record(struct daemon *d, const char *res, const char *const *paths, size_t n,
			  pid_t pid, uid_t uid, const char *reason)
{
	struct ua_buf files = UA_BUF_INIT;
	struct ua_kv kv[8];
	size_t k = 0, i;
	const char *nl;

	for (i = 0; i < n; i++)
		ua_buf_addf(&files, "%s%s", i ? "," : "", paths[i]);
	kv[k++] = (struct ua_kv){ .key = "op", .kind = UA_KV_WORD, .str = "load", .len = 4 };
	kv[k++] =
		(struct ua_kv){ .key = "res", .kind = UA_KV_WORD, .str = res, .len = strlen(res) };
	kv[k++] = (struct ua_kv){ .key = "rules", .kind = UA_KV_U64, .u = d->rules.n };
	kv[k++] = (struct ua_kv){ .key = "files",
				  .kind = UA_KV_STR,
				  .str = files.data ? files.data : "",
				  .len = files.len };
	kv[k++] = (struct ua_kv){ .key = "sender_pid", .kind = UA_KV_U64, .u = (uint64_t)pid };
	kv[k++] = (struct ua_kv){ .key = "sender_uid", .kind = UA_KV_U64, .u = uid };
	if (reason) {
		nl = strchr(reason, '\n');
		kv[k++] = (struct ua_kv){ .key = "reason",
					  .kind = UA_KV_STR,
					  .str = reason,
					  .len = nl ? (size_t)(nl - reason) : strlen(reason) };
	}
	ua_consumer_event(d->consumer, "URING_CONFIG", kv, k);
	ua_consumer_flush(d->consumer);
	ua_buf_release(&files);
}

/*
 * Reload: validate the whole new set first; only a set that parses, resolves
 * and compiles replaces the one in force, in one swap. Reply: an exit code
 * line, then messages.
 */
static int reload(struct daemon *d, const char *const *paths, size_t n, pid_t pid, uid_t uid,
		  struct ua_buf *reply)
{
	struct ua_ruleset rs = { 0 };
	struct ua_buf msgs = UA_BUF_INIT;
	int rc;

	if (d->locked) {
		config_record(d, "refused", paths, n, pid, uid, "rules are locked (-e 2)");
		ua_buf_addstr(reply, "1\nrules are locked (-e 2) until the daemon restarts\n");
		return 1;
	}
	if (!n) {
		config_record(d, "failed", paths, n, pid, uid, "no rule files");
		ua_buf_addstr(reply, "2\nno rule files: the daemon runs the built-in rules\n");
		return 2;
	}
	rc = ua_rules_load(paths, n, &d->ops, &rs, &msgs);
	if (!rc)
		rc = install_rules(d, &rs, &msgs);
	ua_ruleset_release(&rs);
	if (rc) {
		config_record(d, "failed", paths, n, pid, uid,
			      msgs.data ? msgs.data : strerror(-rc));
		ua_buf_addf(reply, "%d\n%s", rc == -EINVAL || rc == -ENOENT ? 2 : 1,
			    msgs.data ? msgs.data : "");
		fprintf(stderr, "uringaudit: reload failed, old rules stay in force\n%s",
			msgs.data ? msgs.data : "");
	} else {
		config_record(d, "success", paths, n, pid, uid, NULL);
		ua_buf_addf(reply, "0\n%s", msgs.data ? msgs.data : "");
	}
	ua_buf_release(&msgs);
	return rc ? 1 : 0;
}

static int parse_run(struct daemon *d, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "poll-ms", required_argument, NULL, 'm' },
		{ "rules", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long v;
	int c;

	d->o.log_path = UA_DEFAULT_LOG;
	d->o.format = UA_FMT_TEXT;
	d->o.socket_path = UA_DEFAULT_SOCKET;
	d->o.rb_bytes = 8u << 20;
	d->o.poll_ms = 10;
	d->o.pending_max = 65536; /* the kernel's pending map holds as many */
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			d->o.log_path = optarg;
			break;
		case 'f':
			if (ua_format_parse(optarg, &d->o.format)) {
				usage_error("unknown format '%s' (text or json)", optarg);
				return -EINVAL;
			}
			break;
		case 'p':
			d->o.pid_file = optarg;
			break;
		case 's':
			d->o.socket_path = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, 1u << 30, &v) || v < 65536 || (v & (v - 1))) {
				usage_error(
					"--ringbuf-size '%s': a power of two, 65536..1073741824",
					optarg);
				return -EINVAL;
			}
			d->o.rb_bytes = (unsigned int)v;
			break;
		case 'm':
			if (parse_uint(optarg, 1000, &v) || v < 1) {
				usage_error("--poll-ms '%s': 1..1000", optarg);
				return -EINVAL;
			}
			d->o.poll_ms = (unsigned int)v;
			break;
		case 'R':
			if (d->o.nrule_paths >= UA_RULE_PATHS_MAX) {
				usage_error("more than %s --rules", "64");
				return -EINVAL;
			}
			d->o.rule_paths[d->o.nrule_paths++] = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		usage_error("run: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!*d->o.log_path || (d->o.pid_file && !*d->o.pid_file) || !*d->o.socket_path) {
		usage_error("%s", "empty path");
		return -EINVAL;
	}
	return 0;
}

static int drain(struct daemon *d)
{
	int n, total = 0;

	while ((n = ring_buffer__consume(d->rb)) > 0)
		total += n;
	return total;
}

static int cmd_run(int argc, char **argv)
{
	struct daemon d;
	uint64_t opmask[UA_OPMASK_WORDS] = { 0 };
	struct signalfd_siginfo stop_si;
	struct epoll_event ev;
	char err[512];
	sigset_t mask;
	int rc, exit_code = 1, stopping = 0;
	uint64_t last_tick;

	memset(&d, 0, sizeof(d));
	d.sfd = d.status_fd = d.epfd = -1;
	for (rc = 0; rc < CTL_CLIENTS; rc++)
		ctl_clients[rc].fd = -1;
	if (parse_run(&d, argc, argv))
		return EXIT_USAGE;

	if (geteuid() != 0) {
		fprintf(stderr, "uringaudit: must run as root: it loads BPF programs "
				"(CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE)\n");
		return 1;
	}
	if (d.o.pid_file) {
		long other;

		if (pid_file_busy(d.o.pid_file, &other)) {
			fprintf(stderr, "uringaudit: pid file '%s' names running process %ld\n",
				d.o.pid_file, other);
			return 1;
		}
	}
	if (ua_kernel_probe(&d.ops, err, sizeof(err))) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return 1;
	}
	if (!ua_optable_default_mask(&d.ops, opmask)) {
		fprintf(stderr, "uringaudit: no default opcode is known to this kernel\n");
		return 1;
	}
	{
		/* The whole set is checked before anything is loaded. */
		struct ua_buf msgs = UA_BUF_INIT, text = UA_BUF_INIT;
		struct ua_diags dg = { 0 };

		if (d.o.nrule_paths) {
			rc = ua_rules_load(d.o.rule_paths, d.o.nrule_paths, &d.ops, &d.rules,
					   &msgs);
		} else {
			default_rules_text(&d.ops, &text);
			rc = ua_rules_parse(&d.rules, "built-in", text.data, text.len, &d.ops, &dg);
			ua_diags_release(&dg);
		}
		if (msgs.len)
			fputs(msgs.data, stderr);
		ua_buf_release(&msgs);
		ua_buf_release(&text);
		if (rc) {
			fprintf(stderr, "uringaudit: invalid rules, nothing loaded\n");
			return rc == -ENOMEM ? 1 : EXIT_USAGE;
		}
	}
	d.prev_unclean = previous_unclean(d.o.log_path, d.prev_time, sizeof(d.prev_time));
	rc = ua_sink_open(&d.sink, d.o.log_path, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return 1;
	}
	d.status_fd = ua_status_listen(d.o.socket_path, err, sizeof(err));
	if (d.status_fd < 0) {
		fprintf(stderr, "uringaudit: %s\n", err);
		goto out_sink;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d.sfd < 0) {
		fprintf(stderr, "uringaudit: signalfd: %s\n", strerror(errno));
		goto out_status;
	}

	d.consumer = ua_consumer_new(&d.o, &d.ops, &d.sink);
	if (!d.consumer) {
		fprintf(stderr, "uringaudit: out of memory\n");
		goto out_status;
	}
	rc = ua_loader_start(&d.loader, opmask, d.o.rb_bytes, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "uringaudit: %s\n", err);
		goto out_consumer;
	}
	if (!ua_loader_addr_known(&d.loader))
		fprintf(stderr, "uringaudit: warning: could not tell where this kernel keeps "
				"connect/bind addresses; they are recorded as unknown until a "
				"connect shows it\n");
	{
		struct ua_ruleset rs = d.rules;
		struct ua_buf msgs = UA_BUF_INIT;

		/* Programs are loaded, not attached: swap in the real set. */
		memset(&d.rules, 0, sizeof(d.rules));
		rc = install_rules(&d, &rs, &msgs);
		ua_ruleset_release(&rs);
		if (msgs.len)
			fputs(msgs.data, stderr);
		ua_buf_release(&msgs);
		if (rc)
			goto out_loader;
	}
	d.rb = ring_buffer__new(ua_loader_rb_fd(&d.loader), ua_consumer_handle, d.consumer, NULL);
	if (!d.rb) {
		fprintf(stderr, "uringaudit: cannot open the ring buffer: %s\n", strerror(errno));
		goto out_loader;
	}
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = d.sfd;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sfd, &ev);
	ev.data.fd = d.status_fd;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.status_fd, &ev);
	ev.data.fd = ring_buffer__epoll_fd(d.rb);
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);

	d.started_ms = ua_now_ms();
	daemon_record(&d, "start", NULL);
	if (d.o.pid_file && write_pid_file(&d))
		goto out_rb;
	fprintf(stderr, "uringaudit: recording to %s\n",
		strcmp(d.o.log_path, "-") ? d.o.log_path : "stdout");

	last_tick = ua_now_ms();
	memset(&stop_si, 0, sizeof(stop_si));
	while (!stopping) {
		struct epoll_event evs[4];
		int i, n = epoll_wait(d.epfd, evs, 4, (int)d.o.poll_ms);

		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == d.sfd) {
				struct signalfd_siginfo si;

				while (read(d.sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP) {
						struct ua_buf r = UA_BUF_INIT;

						if (ua_sink_reopen(&d.sink, err, sizeof(err)))
							fprintf(stderr, "uringaudit: %s\n", err);
						if (d.o.nrule_paths)
							reload(&d, d.o.rule_paths, d.o.nrule_paths,
							       (pid_t)si.ssi_pid, si.ssi_uid, &r);
						ua_buf_release(&r);
					} else if (!stopping) {
						stopping = 1;
						stop_si = si;
					}
				}
			} else if (evs[i].data.fd == d.status_fd) {
				ctl_accept(&d);
			} else {
				ctl_event(&d, evs[i].data.fd, evs[i].events);
			}
		}
		drain(&d);
		if (ua_now_ms() - last_tick >= 1000) {
			ctl_expire(&d);
			uint64_t seq_end = ua_loader_seq_end(&d.loader);

			ua_consumer_tick(d.consumer, ua_loader_counter(&d.loader, UA_CNT_DROPPED),
					 seq_end);
			last_tick = ua_now_ms();
		} else {
			ua_consumer_flush(d.consumer);
		}
	}

	/* Stop: detach so nothing new arrives, take what is in the buffer,
	 * then write every request still waiting. */
	ua_loader_detach(&d.loader);
	drain(&d);
	ua_consumer_finish(d.consumer, ua_loader_counter(&d.loader, UA_CNT_DROPPED),
			   ua_loader_seq_end(&d.loader));
	daemon_record(&d, "stop", &stop_si);
	exit_code = 0;

out_rb:
	for (rc = 0; rc < CTL_CLIENTS; rc++)
		if (ctl_clients[rc].fd >= 0)
			ctl_close(&d, &ctl_clients[rc]);
	ring_buffer__free(d.rb);
out_loader:
	ua_loader_stop(&d.loader);
out_consumer:
	ua_consumer_free(d.consumer);
out_status:
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sfd >= 0)
		close(d.sfd);
	ua_status_close(d.status_fd, d.o.socket_path);
	if (d.pid_written)
		unlink(d.o.pid_file);
out_sink:
	ua_sink_close(&d.sink);
	ua_ruleset_release(&d.rules);
	return exit_code;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("uringaudit %s\n", UA_VERSION);
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rules"))
		return cmd_rules(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 1, argv + 1);
	usage_error("unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
