// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: the command line. Parses each subcommand's options, checks
 * them, and dispatches: run to the daemon (run.c), rules and status to the
 * rule checker or the control socket's client. Exit codes: 0 ok, 1 failure,
 * 2 usage or invalid input.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon_state.h"
#include "default_rules.h"
#include "rules.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: uringaudit run [--config FILE] [--rules FILE|DIR]... [--log FILE|-]\n"
	"                      [--format text|json] [--pid-file FILE] [--socket PATH]\n"
	"                      [--ringbuf-size BYTES] [--poll-ms MS] [--pending-per-uid N]\n"
	"                      [--pin-dir DIR] [--heartbeat SECONDS]\n"
	"                      [--json-log FILE] [--stdout text|json] [--plugin PROGRAM]...\n"
	"                      [--plugin-dir DIR] [--q-depth N] [--audit-forward]\n"
	"                      [--backend tracepoint|perop|auto] [--fair-fill PCT]\n"
	"                      [--fair-interval MS] [--fair-flow PCT] [--fair-process PCT]\n"
	"                      [--fair-uid PCT] [--fair-reserve PCT] [--priority-boost N]\n"
	"       uringaudit unpin [DIR]\n"
	"       uringaudit rules default | check FILE... | list | load FILE...  [--socket PATH]\n"
	"       uringaudit status [--json | --openmetrics] [--socket PATH]\n"
	"       uringaudit reload [--config FILE | --socket PATH]\n"
	"       uringaudit --help | --version | -V\n"
	"With no arguments: this text, exit 2.\n"
	"\n"
	"Audit io_uring requests with eBPF: one record per selected request, with who\n"
	"(pid, ids, auid, exe, container), in which context (task, sqpoll, iowq), with\n"
	"which credentials, what (op, path, flags) and the real result.\n"
	"\n"
	"run\n"
	"  --config FILE       uringaudit.conf(5) (default " UA_DEFAULT_CONFIG ",\n"
	"                      read when it exists); the flags below override it\n"
	"  --rules FILE|DIR    rule file, or a directory whose *.rules files are read in\n"
	"                      name order; repeatable. Without it: the built-in rules,\n"
	"                      the opcodes the kernel's own io_uring audit covers\n"
	"  --log FILE|-        where records go (default " UA_DEFAULT_LOG ",\n"
	"                      its directory created 0700); - is stdout\n"
	"  --format text|json  auditd-style text lines (default) or JSON lines\n"
	"  --json-log FILE     also a JSON log, beside the log (rotated as it is)\n"
	"  --stdout text|json  also records on stdout (beside a log file)\n"
	"  --plugin PROGRAM    also run PROGRAM with records on its stdin, as auditd runs\n"
	"                      its plugins (text lines); repeatable\n"
	"  --plugin-dir DIR    auditd-plugins(5) files (*.conf) naming plugins to run\n"
	"  --q-depth N         records queued for each stdout, plugin and audit sink\n"
	"                      (default 16384); a sink that falls behind loses the rest,\n"
	"                      counted, never holding up the others\n"
	"  --priority-boost N  run at nice -N, 0..20 (default 4, as auditd), so that\n"
	"                      busy submitters do not starve the consumer of CPU\n"
	"  --audit-forward     also each record into the kernel's audit stream\n"
	"                      (auditd's log), as a TRUSTED_APP message\n"
	"  --backend tracepoint|perop|auto  what captures requests: io_uring's\n"
	"                      tracepoints (default), or fexit programs on the selected\n"
	"                      opcodes' handlers only, where the kernel loads them (else\n"
	"                      the tracepoints, said at start and in status: perop as\n"
	"                      degraded=backend, auto as backend_reason=)\n"
	"  --pid-file FILE     written once every program is attached and records flow\n"
	"  --socket PATH       control socket (default " UA_DEFAULT_SOCKET ")\n"
	"  --ringbuf-size N    BPF ring buffer bytes, a power of two (default 8388608)\n"
	"  --poll-ms MS        consumer timer (default 10)\n"
	"  --fair-fill PCT     flood budgets once the ring buffer is this full (default\n"
	"                      75; 0: none), per --fair-interval MS (default 100): per\n"
	"                      flow, process and uid --fair-flow, --fair-process,\n"
	"                      --fair-uid percent of the buffer (12.5, 25, 25), a\n"
	"                      process's reserve --fair-reserve (2) whatever it used\n"
	"  --pending-per-uid N requests of one uid followed to their result at a time\n"
	"                      (default 8192 of the kernel's 65536); beyond it they are\n"
	"                      recorded at submit, marked cqe=untracked\n"
	"  --pin-dir DIR       pin the BPF state in DIR on bpffs (e.g. " UA_DEFAULT_PIN_DIR "):\n"
	"                      a daemon killed with SIGKILL leaves the programs counting\n"
	"                      and the next one reattaches and reads what they kept;\n"
	"                      '' (the default without a configuration): nothing pinned\n"
	"  --heartbeat SECONDS a URING_DAEMON op=heartbeat record with the counters every\n"
	"                      SECONDS (default 0: none)\n"
	"  SIGTERM/SIGINT: drain, record the stop and its sender, unpin, exit 0.\n"
	"  SIGHUP: re-read the configuration, reopen the log, reload the rule files.\n"
	"  SIGUSR1: rotate the log. SIGUSR2: resume writing after a suspend action.\n"
	"\n"
	"rules default   print the built-in rules for this kernel\n"
	"rules check     validate rule files; print them in normal form (exit 0), or\n"
	"                every error as FILE:LINE:COL: message (exit 2)\n"
	"rules list      the rules the running daemon enforces\n"
	"rules load      replace the running daemon's rules, whole, or keep them and say why\n"
	"status          counters of the running daemon (--json: one JSON object;\n"
	"                --openmetrics: metrics for node_exporter's textfile collector)\n"
	"                and what protects them (backend, tamper, enforcement)\n"
	"reload          what SIGHUP does, through the control socket (--config: the\n"
	"                socket it names); with the rules locked (-e 2) only the logs\n"
	"                are reopened and the rest is refused (exit 1)\n"
	"unpin [DIR]     remove a pin set no daemon holds (default " UA_DEFAULT_PIN_DIR "),\n"
	"                detaching the programs it kept attached\n"
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

/* A numeric option of the command line that is also a setting of the
 * configuration file (@key): the file's bounds, its key marked as set by the
 * command line. 0, or -EINVAL after the usage error. */
static int opt_uint(struct ua_options *o, const char *flag, enum ua_cfg_key key, const char *unit,
		    unsigned int *out)
{
	char range[64];

	if (ua_config_uint(key, optarg, out, range, sizeof(range))) {
		fprintf(stderr, "uringaudit: --%s '%s': %s%s\nTry 'uringaudit --help'.\n", flag,
			optarg, range, unit);
		return -EINVAL;
	}
	o->cli_set |= 1ull << key;
	return 0;
}

/* ---- rules ---- */

static void probe_ops(struct ua_optable *ops)
{
	char err[256];

	/* Names and numbers from the running kernel when it can tell us. */
	if (ua_kernel_probe(ops, err, sizeof(err)) && !ops->nr)
		ua_optable_init_builtin(ops);
}

static int cmd_rules(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char rules_usage[] =
		"usage: uringaudit rules default | check FILE... | list | load FILE... "
		"[--socket PATH]";
	const char *sock = UA_DEFAULT_SOCKET, *sub;
	struct ua_optable ops;
	struct ua_buf out = UA_BUF_INIT;
	int c, rc = 0, i;

	/* No subcommand: getopt must not start past the end of argv. */
	if (argc < 2) {
		usage_error("%s", rules_usage);
		return EXIT_USAGE;
	}
	sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
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
		ua_default_rules_text(&ops, &out);
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
		/* Warnings and errors (FILE:LINE:COL: ...), each behind
		 * the program's name as every other message. */
		ua_say_lines(out.data);
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
		rc = ua_ctl_call(sock, "rules", 0);
	} else if (!strcmp(sub, "load") && optind < argc) {
		ua_buf_addstr(&out, "load");
		for (i = optind; i < argc; i++) {
			char abs[PATH_MAX];
			struct stat st;

			/* The daemon reads the files: give it absolute paths,
			 * checked there as --rules is checked. */
			if (lstat(argv[i], &st)) {
				fprintf(stderr, "uringaudit: %s: %s\n", argv[i], strerror(errno));
				ua_buf_release(&out);
				return EXIT_USAGE;
			}
			rc = ua_rules_abs_path(argv[i], abs, sizeof(abs));
			if (rc) {
				fprintf(stderr, "uringaudit: %s: %s\n", argv[i],
					rc == -EINVAL ? "tab or newline in path" : strerror(-rc));
				ua_buf_release(&out);
				return EXIT_USAGE;
			}
			ua_buf_addf(&out, "\t%s", abs);
		}
		rc = ua_ctl_call(sock, out.data, 1);
	} else {
		usage_error("%s", rules_usage);
		rc = EXIT_USAGE;
	}
	ua_buf_release(&out);
	return rc;
}

/* ---- reload ---- */

/* What SIGHUP does, through the control socket (systemd's ExecReload: a
 * signal from it is refused once tamper resistance guards the daemon).
 * The socket: --socket, else the configuration's, else the default. */
static int cmd_reload(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ua_config cfg;
	const char *sock = NULL, *conf = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage_error("reload: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!sock && conf) {
		struct ua_buf msgs = UA_BUF_INIT;

		ua_config_init(&cfg, UA_DEFAULT_LOG, UA_DEFAULT_SOCKET);
		if (ua_config_load(conf, 1, &cfg, &msgs)) {
			ua_say_lines(msgs.data);
			ua_buf_release(&msgs);
			return EXIT_USAGE;
		}
		ua_buf_release(&msgs);
		sock = cfg.socket;
	}
	return ua_ctl_call(sock ? sock : UA_DEFAULT_SOCKET, "reload", 1);
}

/* ---- status ---- */

static int cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "openmetrics", no_argument, NULL, 'o' },
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
		case 'o':
			json = 2;
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

static int parse_run(struct ua_options *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "poll-ms", required_argument, NULL, 'm' },
		{ "pending-per-uid", required_argument, NULL, 'u' },
		{ "rules", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "heartbeat", required_argument, NULL, 'H' },
		{ "json-log", required_argument, NULL, 'J' },
		{ "stdout", required_argument, NULL, 'O' },
		{ "plugin", required_argument, NULL, 'G' },
		{ "plugin-dir", required_argument, NULL, 'D' },
		{ "q-depth", required_argument, NULL, 'Q' },
		{ "audit-forward", no_argument, NULL, 'A' },
		{ "backend", required_argument, NULL, 'B' },
		{ "fair-fill", required_argument, NULL, 0x100 },
		{ "fair-interval", required_argument, NULL, 0x101 },
		{ "fair-flow", required_argument, NULL, 0x102 },
		{ "fair-process", required_argument, NULL, 0x103 },
		{ "fair-uid", required_argument, NULL, 0x104 },
		{ "fair-reserve", required_argument, NULL, 0x105 },
		{ "priority-boost", required_argument, NULL, 0x106 },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long v;
	int c;

	o->log_path = UA_DEFAULT_LOG;
	o->format = UA_FMT_TEXT;
	o->socket_path = UA_DEFAULT_SOCKET;
	o->rb_bytes = 8u << 20;
	o->poll_ms = 10;
	o->pending_max = 65536; /* the kernel's pending map holds as many */
	o->config_path = UA_DEFAULT_CONFIG;
	o->pending_per_uid = 8192; /* an eighth of it */
	o->write_logs = 1;
	o->stdout_format = -1;
	o->q_depth = 16384;
	o->max_restarts = 10;
	o->priority_boost = 4;
	o->fair = (struct ua_fair)UA_FAIR_DEFAULTS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			o->config_explicit = 1;
			break;
		case 'l':
			/* A log asked for is written, whatever write_logs says. */
			o->cli_set |= 1ull << UA_CFG_K_LOG_FILE | 1ull << UA_CFG_K_WRITE_LOGS;
			o->log_path = optarg;
			break;
		case 'f':
			o->cli_set |= 1ull << UA_CFG_K_LOG_FORMAT;
			if (ua_format_parse(optarg, &o->format)) {
				usage_error("unknown format '%s' (text or json)", optarg);
				return -EINVAL;
			}
			break;
		case 'p':
			o->cli_set |= 1ull << UA_CFG_K_PID_FILE;
			o->pid_file = optarg;
			break;
		case 's':
			o->cli_set |= 1ull << UA_CFG_K_SOCKET;
			o->socket_path = optarg;
			break;
		case 'r':
			if (opt_uint(o, "ringbuf-size", UA_CFG_K_RINGBUF_SIZE, "", &o->rb_bytes))
				return -EINVAL;
			break;
		case 'm':
			if (opt_uint(o, "poll-ms", UA_CFG_K_POLL_MS, "", &o->poll_ms))
				return -EINVAL;
			break;
		case 'u':
			if (parse_uint(optarg, 65536, &v) || v < 1) {
				usage_error("--pending-per-uid '%s': 1..65536", optarg);
				return -EINVAL;
			}
			o->pending_per_uid = (unsigned int)v;
			break;
		case 'B':
			if (!strcmp(optarg, "tracepoint")) {
				o->backend = UA_BACKEND_TRACEPOINT;
			} else if (!strcmp(optarg, "perop")) {
				o->backend = UA_BACKEND_PEROP;
			} else if (!strcmp(optarg, "auto")) {
				o->backend = UA_BACKEND_AUTO;
			} else {
				usage_error("--backend '%s': tracepoint, perop or auto", optarg);
				return -EINVAL;
			}
			break;
		case 'P':
			if (*optarg && *optarg != '/') {
				usage_error("--pin-dir '%s': an absolute path on bpffs, or ''",
					    optarg);
				return -EINVAL;
			}
			o->cli_set |= 1ull << UA_CFG_K_PIN_DIR;
			o->pin_dir = *optarg ? optarg : NULL;
			break;
		case 'H':
			if (parse_uint(optarg, 86400, &v)) {
				usage_error("--heartbeat '%s': 0..86400 seconds", optarg);
				return -EINVAL;
			}
			o->cli_set |= 1ull << UA_CFG_K_HEARTBEAT;
			o->heartbeat_s = (unsigned int)v;
			break;
		case 'R':
			if (o->nrule_paths >= UA_RULE_PATHS_MAX) {
				usage_error("more than %s --rules", "64");
				return -EINVAL;
			}
			o->cli_set |= 1ull << UA_CFG_K_RULES_DIR;
			o->rule_paths[o->nrule_paths++] = optarg;
			break;
		case 'J':
			o->cli_set |= 1ull << UA_CFG_K_JSON_LOG_FILE;
			o->json_log_path = optarg;
			break;
		case 'O': {
			enum ua_format f;

			o->cli_set |= 1ull << UA_CFG_K_STDOUT_FORMAT;
			if (ua_format_parse(optarg, &f)) {
				usage_error("--stdout '%s': text or json", optarg);
				return -EINVAL;
			}
			o->stdout_format = (int)f;
			break;
		}
		case 'G':
			if (o->nplugin_paths >=
			    sizeof(o->plugin_paths) / sizeof(o->plugin_paths[0])) {
				usage_error("more than %s --plugin", "8");
				return -EINVAL;
			}
			if (optarg[0] != '/') {
				usage_error("--plugin '%s': an absolute path", optarg);
				return -EINVAL;
			}
			o->plugin_paths[o->nplugin_paths++] = optarg;
			break;
		case 'D':
			o->cli_set |= 1ull << UA_CFG_K_PLUGIN_DIR;
			o->plugin_dir = optarg;
			break;
		case 'Q':
			if (opt_uint(o, "q-depth", UA_CFG_K_Q_DEPTH, "", &o->q_depth))
				return -EINVAL;
			break;
		case 'A':
			o->cli_set |= 1ull << UA_CFG_K_AUDIT_FORWARD;
			o->audit_forward = 1;
			break;
		case 0x100:
			if (opt_uint(o, "fair-fill", UA_CFG_K_FAIR_FILL,
				     " (percent of the ring buffer; 0: no budgets)",
				     &o->fair.fill_pct))
				return -EINVAL;
			break;
		case 0x106:
			if (opt_uint(o, "priority-boost", UA_CFG_K_PRIORITY_BOOST, "",
				     &o->priority_boost))
				return -EINVAL;
			break;
		case 0x101:
			if (opt_uint(o, "fair-interval", UA_CFG_K_FAIR_INTERVAL, " ms",
				     &o->fair.interval_ms))
				return -EINVAL;
			break;
		case 0x102:
		case 0x103:
		case 0x104:
		case 0x105: {
			static const char *const names[] = { "flow", "process", "uid", "reserve" };
			unsigned int *f[] = { &o->fair.flow_pm, &o->fair.process_pm,
					      &o->fair.uid_pm, &o->fair.reserve_pm };
			int i = c - 0x102;

			if (ua_fair_share_parse(optarg, strlen(optarg), f[i])) {
				fprintf(stderr,
					"uringaudit: --fair-%s '%s': a percentage of the ring buffer, "
					"0..100 (one decimal at most: 12.5)\nTry 'uringaudit --help'.\n",
					names[i], optarg);
				return -EINVAL;
			}
			o->cli_set |= 1ull << (UA_CFG_K_FAIR_FLOW + i);
			break;
		}
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
	if (o->stdout_format >= 0 && !strcmp(o->log_path, "-")) {
		usage_error("%s", "--stdout with --log -: stdout once");
		return -EINVAL;
	}
	if (!*o->log_path || (o->pid_file && !*o->pid_file) || !*o->socket_path ||
	    !*o->config_path || (o->json_log_path && !*o->json_log_path) ||
	    (o->plugin_dir && !*o->plugin_dir)) {
		usage_error("%s", "empty path");
		return -EINVAL;
	}
	return 0;
}

/* unpin [DIR]: remove a pin set left by a killed daemon (make uninstall
 * runs it). A set a running daemon holds is refused: its stop removes it. */
static int cmd_unpin(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : UA_DEFAULT_PIN_DIR;
	char err[PATH_MAX + 160];
	int rc;

	if (argc > 2 || (argc > 1 && argv[1][0] != '/')) {
		usage_error("%s", "usage: uringaudit unpin [DIR] (an absolute path)");
		return EXIT_USAGE;
	}
	rc = ua_pin_remove(dir, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "uringaudit: %s\n", err);
		return 1;
	}
	printf("%s: %s\n", dir, rc ? "removed" : "no pin set");
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct ua_options o;

	memset(&o, 0, sizeof(o));
	if (parse_run(&o, argc, argv))
		return EXIT_USAGE;
	return ua_run(&o);
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("uringaudit %s\n", UA_VERSION);
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	/* No arguments at all (also argc 0, or the empty argv[0] the kernel
	 * substitutes for it): usage, never a daemon started by accident. */
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	/* getopt names the program by argv[0]: "uringaudit", whatever the
	 * path it was run by or the subcommand it parses. */
	argv[0] = (char *)"uringaudit";
	if (argv[1][0] == '-')
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "run") || !strcmp(argv[1], "rules") || !strcmp(argv[1], "status")) {
		const char *cmd = argv[1];

		argv[1] = argv[0];
		if (!strcmp(cmd, "run"))
			return cmd_run(argc - 1, argv + 1);
		if (!strcmp(cmd, "rules"))
			return cmd_rules(argc - 1, argv + 1);
		return cmd_status(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "reload")) {
		argv[1] = argv[0];
		return cmd_reload(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "unpin"))
		return cmd_unpin(argc - 1, argv + 1);
	usage_error("unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
