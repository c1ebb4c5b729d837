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
#include "uringaudit.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: uringaudit [run] [--log FILE|-] [--format text|json] [--pid-file FILE]\n"
	"                  [--socket PATH] [--ringbuf-size BYTES] [--poll-ms MS]\n"
	"       uringaudit rules default\n"
	"       uringaudit status [--json] [--socket PATH]\n"
	"       uringaudit --help | --version\n"
	"\n"
	"Audit io_uring requests with eBPF: one record per selected request, with who\n"
	"(pid, ids, auid, exe, container), in which context (task, sqpoll, iowq), with\n"
	"which credentials, what (op, path, flags) and the real result.\n"
	"\n"
	"run (the default)\n"
	"  --log FILE|-        where records go (default " UA_DEFAULT_LOG ",\n"
	"                      its directory created 0700); - is stdout\n"
	"  --format text|json  auditd-style text lines (default) or JSON lines\n"
	"  --pid-file FILE     written once every program is attached and records flow\n"
	"  --socket PATH       status socket (default " UA_DEFAULT_SOCKET ")\n"
	"  --ringbuf-size N    BPF ring buffer bytes, a power of two (default 8388608)\n"
	"  --poll-ms MS        consumer timer (default 10)\n"
	"  The rules are the built-in defaults: the opcodes the kernel's own io_uring\n"
	"  audit covers (see `uringaudit rules default`).\n"
	"  SIGTERM/SIGINT: drain, record the stop and its sender, exit 0.\n"
	"  SIGHUP: reopen the log file (after rotation).\n"
	"\n"
	"rules default   print the built-in rules for this kernel\n"
	"status          counters of the running daemon (--json: one JSON object)\n";

static volatile int dummy_sink;

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

/* ---- rules default ---- */

static int cmd_rules(int argc, char **argv)
{
	struct ua_optable ops;
	uint64_t mask[UA_OPMASK_WORDS] = { 0 };
	char err[256];
	unsigned int op;
	int first = 1;

	if (argc != 2 || strcmp(argv[1], "default")) {
		usage_error("%s", "usage: uringaudit rules default");
		return EXIT_USAGE;
	}
	/* Names and numbers from the running kernel when it can tell us. */
	if (ua_kernel_probe(&ops, err, sizeof(err)) && !ops.nr)
		ua_optable_init_builtin(&ops);
	ua_optable_default_mask(&ops, mask);
	printf("# built-in rules: the io_uring opcodes the kernel's own audit records\n");
	printf("-a always,io_uring -S ");
	for (op = 0; op < UA_OP_MAX; op++) {
		if (!(mask[op / 64] & (1ULL << (op % 64))))
			continue;
		printf("%s%s", first ? "" : ",", ua_optable_name(&ops, op));
		first = 0;
	}
	printf("\n");
	return 0;
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

static void serve_status(struct daemon *d)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);
	struct ua_buf b;
	int fd;

	while ((fd = accept4(d->status_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		ua_buf_init(&b);
		ua_buf_addf(
			&b,
			"{\"pid\":%d,\"uptime_s\":%llu,\"backend\":\"tracepoint\","
			"\"selected\":%llu,\"events\":%llu,\"recorded\":%llu,\"lost\":%llu,"
			"\"lost_declared\":%llu,\"lost_records\":%llu,\"pending\":%llu,"
			"\"pending_full\":%llu,\"overflow\":%llu,\"concluded_skipped\":%llu,"
			"\"concluded_none\":%llu,\"orphan_completions\":%llu,\"rings_seen\":%llu,"
			"\"write_errors\":%llu}\n",
			getpid(), (unsigned long long)((ua_now_ms() - d->started_ms) / 1000),
			(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_SELECTED),
			(unsigned long long)s->events, (unsigned long long)s->recorded,
			(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_DROPPED),
			(unsigned long long)s->lost_events, (unsigned long long)s->lost_records,
			(unsigned long long)s->pending,
			(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_PENDING_FULL),
			(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_OVERFLOW),
			(unsigned long long)s->concluded_skipped,
			(unsigned long long)s->concluded_none,
			(unsigned long long)s->orphan_completions,
			(unsigned long long)s->rings_seen, (unsigned long long)s->write_errors);
		if (!b.err && write(fd, b.data, b.len) < 0)
			dummy_sink = errno;
		ua_buf_release(&b);
		close(fd);
	}
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
		kv[n++] = (struct ua_kv){
			.key = "rules", .kind = UA_KV_WORD, .str = "default", .len = 7
		};
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

static int parse_run(struct daemon *d, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "poll-ms", required_argument, NULL, 'm' },
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
	d->o.pending_max = 262144;
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
						if (ua_sink_reopen(&d.sink, err, sizeof(err)))
							fprintf(stderr, "uringaudit: %s\n", err);
					} else if (!stopping) {
						stopping = 1;
						stop_si = si;
					}
				}
			} else if (evs[i].data.fd == d.status_fd) {
				serve_status(&d);
			}
		}
		drain(&d);
		if (ua_now_ms() - last_tick >= 1000) {
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
