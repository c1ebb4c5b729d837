// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/config.c: the configuration file parser, table-driven. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "test.h"

static int parse(struct ua_config *c, const char *text, struct ua_buf *msgs)
{
	ua_config_init(c, "/var/log/uringaudit/uringaudit.log", "/run/uringaudit.sock");
	return ua_config_parse(c, "u.conf", text, strlen(text), msgs);
}

static void test_defaults(void)
{
	struct ua_config c;
	struct ua_buf m = UA_BUF_INIT;

	ASSERT_OK(parse(&c, "", &m), "empty file");
	ASSERT_EQ(m.len, 0, "no message");
	ASSERT_STREQ(c.log_file, "/var/log/uringaudit/uringaudit.log", "log_file default");
	ASSERT_STREQ(c.socket, "/run/uringaudit.sock", "socket default");
	ASSERT_EQ(c.log_format, UA_FMT_TEXT, "text");
	ASSERT_EQ(c.flush, UA_CFG_FLUSH_NONE, "no flush");
	ASSERT_EQ(c.max_log_file_mb, 0, "no size limit");
	ASSERT_EQ(c.disk_full_action, UA_CFG_IGNORE, "disk_full ignore");
	ASSERT_EQ(c.ringbuf_size, 8u << 20, "ringbuf default");
	ASSERT_EQ(c.poll_ms, 10, "poll default");
	ASSERT_EQ(c.set, 0, "nothing set");
	ua_buf_release(&m);
}

/* Every key, with auditd's spellings (upper case actions, spaces, comments). */
static void test_all_keys(void)
{
	static const char text[] = "# uringaudit.conf\n"
				   "\n"
				   "log_file = /var/log/ua/x.log\n"
				   "log_format = JSON\n"
				   "log_group = adm\n"
				   "flush = INCREMENTAL_ASYNC\n"
				   "freq = 50\n"
				   "max_log_file = 8\n"
				   "num_logs = 5\n"
				   "max_log_file_action = ROTATE\n"
				   "space_left = 25%\n"
				   "space_left_action = SYSLOG\n"
				   "admin_space_left = 10%\r\n"
				   "admin_space_left_action = SUSPEND\n"
				   "\tdisk_full_action=suspend   \n"
				   "disk_error_action = syslog\n"
				   "rules_dir = /etc/uringaudit/rules.d\n"
				   "ringbuf_size = 16777216\n"
				   "poll_ms = 20\n"
				   "pid_file = /run/uringaudit.pid\n"
				   "socket = /run/ua/ctl.sock\n"
				   "pin_dir = /sys/fs/bpf/ua\n"
				   "heartbeat = 60\n"
				   "write_logs = yes\n"
				   "json_log_file = /var/log/ua/x.json\n"
				   "stdout_format = text\n"
				   "plugin_dir = /etc/uringaudit/plugins.d\n"
				   "q_depth = 2000\n"
				   "max_restarts = 3\n"
				   "priority_boost = 10\n"
				   "audit_forward = no\n"
				   "fair_fill = 80\n"
				   "fair_interval = 50\n"
				   "fair_flow = 6.5\n"
				   "fair_process = 20%\n"
				   "fair_uid = 30\n"
				   "fair_reserve = 0.5";
	struct ua_config c;
	struct ua_buf m = UA_BUF_INIT, f = UA_BUF_INIT;
	struct ua_config c2;

	if (!ASSERT_OK(parse(&c, text, &m), "parse"))
		fprintf(stderr, "%s", m.data ? m.data : "");
	ASSERT_STREQ(c.log_file, "/var/log/ua/x.log", "log_file");
	ASSERT_EQ(c.log_format, UA_FMT_JSON, "log_format");
	ASSERT_STREQ(c.log_group, "adm", "log_group");
	ASSERT_EQ(c.flush, UA_CFG_FLUSH_INCREMENTAL_ASYNC, "flush");
	ASSERT_EQ(c.freq, 50, "freq");
	ASSERT_EQ(c.max_log_file_mb, 8, "max_log_file");
	ASSERT_EQ(c.num_logs, 5, "num_logs");
	ASSERT_EQ(c.max_log_file_action, UA_CFG_ROTATE, "max_log_file_action");
	ASSERT_EQ(c.space_left.value, 25, "space_left");
	ASSERT_EQ(c.space_left.percent, 1, "space_left %");
	ASSERT_EQ(c.space_left_action, UA_CFG_SYSLOG, "space_left_action");
	ASSERT_EQ(c.admin_space_left.value, 10, "admin_space_left");
	ASSERT_EQ(c.admin_space_left_action, UA_CFG_SUSPEND, "admin_space_left_action");
	ASSERT_EQ(c.disk_full_action, UA_CFG_SUSPEND, "disk_full_action");
	ASSERT_EQ(c.disk_error_action, UA_CFG_SYSLOG, "disk_error_action");
	ASSERT_STREQ(c.rules_dir, "/etc/uringaudit/rules.d", "rules_dir");
	ASSERT_EQ(c.ringbuf_size, 16u << 20, "ringbuf_size");
	ASSERT_EQ(c.poll_ms, 20, "poll_ms");
	ASSERT_STREQ(c.pid_file, "/run/uringaudit.pid", "pid_file");
	ASSERT_STREQ(c.socket, "/run/ua/ctl.sock", "socket");
	ASSERT_STREQ(c.pin_dir, "/sys/fs/bpf/ua", "pin_dir");
	ASSERT_EQ(c.heartbeat, 60, "heartbeat");
	ASSERT_EQ(c.fair.fill_pct, 80, "fair_fill");
	ASSERT_EQ(c.fair.interval_ms, 50, "fair_interval");
	ASSERT_EQ(c.fair.flow_pm, 65, "fair_flow per mille");
	ASSERT_EQ(c.fair.process_pm, 200, "fair_process per mille");
	ASSERT_EQ(c.fair.uid_pm, 300, "fair_uid per mille");
	ASSERT_EQ(c.fair.reserve_pm, 5, "fair_reserve per mille");
	ASSERT_EQ(c.priority_boost, 10, "priority_boost");
	ASSERT_EQ(c.set, (1ull << UA_CFG_K_COUNT) - 1, "every key set");

	/* Formatted back, it parses to the same configuration. */
	ASSERT_OK(ua_config_format(&c, &f), "format");
	if (ASSERT_OK(parse(&c2, f.data, &m), "reparse")) {
		c2.set = c.set;
		ASSERT_MEMEQ(&c2, sizeof(c2), &c, sizeof(c), "same after format and parse");
	}
	ua_buf_release(&m);
	ua_buf_release(&f);
}

/* Each bad input and its one message, with the file and line. */
static void test_errors(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "bogus = 1", "u.conf:1: unknown key 'bogus'\n" },
		{ "\n\nlog_file", "u.conf:3: expected 'key = value', got 'log_file'\n" },
		{ " = x", "u.conf:1: missing key before '='\n" },
		{ "num_logs =", "u.conf:1: missing value for 'num_logs'\n" },
		{ "num_logs = 1000", "u.conf:1: '1000' for 'num_logs': a number 0..999\n" },
		{ "num_logs = -1", "u.conf:1: '-1' for 'num_logs': a number 0..999\n" },
		{ "num_logs = 5x", "u.conf:1: '5x' for 'num_logs': a number 0..999\n" },
		{ "freq = 99999999999999999999999",
		  "u.conf:1: '99999999999999999999999' for 'freq': a number 0..1000000\n" },
		{ "ringbuf_size = 100000",
		  "u.conf:1: '100000' for 'ringbuf_size': a power of two, 65536..1073741824\n" },
		{ "poll_ms = 0", "u.conf:1: '0' for 'poll_ms': a number 1..1000\n" },
		{ "priority_boost = 21", "u.conf:1: '21' for 'priority_boost': a number 0..20\n" },
		{ "heartbeat = 86401", "u.conf:1: '86401' for 'heartbeat': a number 0..86400\n" },
		{ "pin_dir = sys/fs/bpf",
		  "u.conf:1: 'sys/fs/bpf' for 'pin_dir': an absolute path\n" },
		{ "log_file = rel/path",
		  "u.conf:1: 'rel/path' for 'log_file': an absolute path or - (stdout)\n" },
		{ "log_file =", "u.conf:1: missing value for 'log_file'\n" },
		{ "log_format = enriched",
		  "u.conf:1: 'enriched' for 'log_format' is not supported yet (text, raw, json)\n" },
		{ "log_format = xml",
		  "u.conf:1: unknown value 'xml' for 'log_format' (text, raw, json)\n" },
		{ "log_group = a b", "u.conf:1: 'a b' for 'log_group': a group name or number\n" },
		{ "flush = often",
		  "u.conf:1: unknown value 'often' for 'flush' (none, incremental, incremental_async, "
		  "data, sync)\n" },
		{ "space_left_action = email",
		  "u.conf:1: 'email' for 'space_left_action' is not supported yet\n" },
		{ "disk_full_action = HALT",
		  "u.conf:1: 'halt' for 'disk_full_action' is not supported yet\n" },
		{ "disk_error_action = rotate",
		  "u.conf:1: unknown value 'rotate' for 'disk_error_action' (ignore, syslog, suspend)\n" },
		{ "space_left_action = keep_logs",
		  "u.conf:1: unknown value 'keep_logs' for 'space_left_action' (ignore, syslog, "
		  "suspend, rotate)\n" },
		{ "space_left = 100%",
		  "u.conf:1: '100%' for 'space_left': megabytes (0..1073741824) or a percentage "
		  "(0%..99%)\n" },
		{ "tcp_listen_port = 60",
		  "u.conf:1: auditd's key 'tcp_listen_port' is not supported yet\n" },
		{ "write_logs = maybe", "u.conf:1: unknown value 'maybe' for 'write_logs' (yes, no)\n" },
		{ "stdout_format = xml",
		  "u.conf:1: unknown value 'xml' for 'stdout_format' (none, text, json)\n" },
		{ "q_depth = 0", "u.conf:1: '0' for 'q_depth': a number 1..10000000\n" },
		{ "fair_fill = 100", "u.conf:1: '100' for 'fair_fill': a number 0..99\n" },
		{ "fair_interval = 0", "u.conf:1: '0' for 'fair_interval': a number 1..60000\n" },
		{ "fair_flow = 12.25",
		  "u.conf:1: '12.25' for 'fair_flow': a percentage of the ring buffer, 0..100 (one "
		  "decimal at most: 12.5)\n" },
		{ "fair_uid = 101",
		  "u.conf:1: '101' for 'fair_uid': a percentage of the ring buffer, 0..100 (one "
		  "decimal at most: 12.5)\n" },
		{ "fair_process = .5",
		  "u.conf:1: '.5' for 'fair_process': a percentage of the ring buffer, 0..100 (one "
		  "decimal at most: 12.5)\n" },
		{ "fair_flow = 30",
		  "u.conf:1: 'fair_flow' (30.0%) above 'fair_process' (25.0%): a flow is one of a "
		  "process's requests\n" },
		{ "fair_process = 15\nfair_reserve = 16",
		  "u.conf:2: 'fair_reserve' (16.0%) above 'fair_process' (15.0%): the reserve is the "
		  "start of a process's budget\n" },
		{ "fair_process = 10",
		  "u.conf:1: 'fair_flow' (12.5%) above 'fair_process' (10.0%): a flow is one of a "
		  "process's requests\n" },
		{ "fair_uid = 0",
		  "u.conf:1: 'fair_flow', 'fair_process' and 'fair_uid' must be above 0 (or "
		  "'fair_fill' 0: no budgets)\n" },
		{ "audit_forward = 1", "u.conf:1: unknown value '1' for 'audit_forward' (yes, no)\n" },
		{ "plugin_dir = plugins.d", "u.conf:1: 'plugins.d' for 'plugin_dir': an absolute path\n" },
		{ "log_file = /a.log\njson_log_file = /a.log",
		  "u.conf:2: 'json_log_file' is 'log_file': two files, or one\n" },
		{ "log_file = -\nstdout_format = json",
		  "u.conf:2: 'stdout_format' with log_file '-': stdout once\n" },
		{ "poll_ms = 5\npoll_ms = 6",
		  "u.conf:2: 'poll_ms' given again (first on line 1)\n" },
		{ "socket = /"
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789",
		  "u.conf:1: '/012345678901234567890123456789012345678901234567890123456789012...' "
		  "for 'socket': an absolute path shorter than 108 bytes\n" },
		{ "space_left = 10\nadmin_space_left = 20",
		  "u.conf:2: 'admin_space_left' (20) must be below 'space_left' (10)\n" },
		{ "flush = incremental\nfreq = 0",
		  "u.conf:1: 'flush = incremental' needs 'freq' of 1 or more\n" },
		{ "max_log_file = 1\nnum_logs = 1\nmax_log_file_action = rotate",
		  "u.conf:3: 'max_log_file_action = rotate' needs 'num_logs' of 2 or more\n" },
		{ "log_file = -\nmax_log_file = 1\nnum_logs = 2\nmax_log_file_action = rotate",
		  "u.conf:1: log_file '-' (stdout) cannot be rotated or have its space checked\n" },
		{ "LOG_FILE = /x", "u.conf:1: unknown key 'LOG_FILE'\n" },
		{ "log_file = /a\001b",
		  "u.conf:1: '/a?b' for 'log_file': an absolute path or - (stdout)\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ua_config c;
		struct ua_buf m = UA_BUF_INIT;
		char name[64];

		snprintf(name, sizeof(name), "case %zu rejected", i);
		ASSERT_EQ(parse(&c, cases[i].text, &m), -EINVAL, name);
		snprintf(name, sizeof(name), "case %zu message", i);
		ASSERT_STREQ(m.data, cases[i].msg, name);
		ua_buf_release(&m);
	}
}

/* Every line is checked: three bad lines, three messages, in order. */
static void test_every_line(void)
{
	struct ua_config c;
	struct ua_buf m = UA_BUF_INIT;

	ASSERT_EQ(parse(&c, "a = 1\npoll_ms = 7\nb = 2\nfreq = x\n", &m), -EINVAL, "rejected");
	ASSERT_STREQ(m.data,
		     "u.conf:1: unknown key 'a'\nu.conf:3: unknown key 'b'\n"
		     "u.conf:4: 'x' for 'freq': a number 0..1000000\n",
		     "messages");
	ua_buf_release(&m);
}

/* Empty path values mean "none" where that has a meaning. */
static void test_empty_paths(void)
{
	struct ua_config c;
	struct ua_buf m = UA_BUF_INIT;

	ASSERT_OK(parse(&c, "rules_dir =\npid_file = \n", &m), "parse");
	ASSERT_STREQ(c.rules_dir, "", "rules_dir empty");
	ASSERT_STREQ(c.pid_file, "", "pid_file empty");
	ASSERT_EQ(c.set, (1ull << UA_CFG_K_RULES_DIR) | (1ull << UA_CFG_K_PID_FILE), "set bits");
	ua_buf_release(&m);
}

/* The sink keys, and auditd's plugin files. */
static void test_sinks(void)
{
	struct ua_config c;
	struct ua_plugin_conf pc;
	struct ua_buf m = UA_BUF_INIT, f = UA_BUF_INIT;

	ASSERT_OK(parse(&c, "", &m), "defaults");
	ASSERT_EQ(c.write_logs, 1, "write_logs default");
	ASSERT_EQ(c.stdout_format, -1, "no stdout");
	ASSERT_EQ(c.q_depth, 16384, "q_depth default");
	ASSERT_EQ(c.max_restarts, 10, "max_restarts default (auditd's)");
	ASSERT_EQ(c.priority_boost, 4, "priority_boost default (auditd's)");
	ASSERT_EQ(c.audit_forward, 0, "no forwarding unless asked");
	ASSERT_OK(parse(&c,
			"write_logs = NO\njson_log_file = /var/log/ua.json\nstdout_format = json\n"
			"plugin_dir = /etc/uringaudit/plugins.d\nq_depth = 100\nmax_restarts = 0\n"
			"audit_forward = yes\n",
			&m),
		  "sink keys");
	ASSERT_EQ(m.len, 0, "no message");
	ASSERT_EQ(c.write_logs, 0, "write_logs no");
	ASSERT_STREQ(c.json_log_file, "/var/log/ua.json", "json_log_file");
	ASSERT_EQ(c.stdout_format, UA_FMT_JSON, "stdout json");
	ASSERT_STREQ(c.plugin_dir, "/etc/uringaudit/plugins.d", "plugin_dir");
	ASSERT_EQ(c.q_depth, 100, "q_depth");
	ASSERT_EQ(c.max_restarts, 0, "max_restarts");
	ASSERT_EQ(c.audit_forward, 1, "audit_forward");
	/* Formatted back, it parses to the same. */
	{
		struct ua_config c2;

		ASSERT_OK(ua_config_format(&c, &f), "format");
		ASSERT_OK(parse(&c2, f.data, &m), "reparse");
		c2.set = c.set;
		ASSERT_EQ(memcmp(&c, &c2, sizeof(c)), 0, "same after a round trip");
	}

	/* audisp-syslog's own file, as auditd ships it. */
	{
		static const char t[] = "# This file controls the syslog plugin\n"
					"active = yes\n"
					"direction = out\n"
					"path = /sbin/audisp-syslog\n"
					"type = always \n"
					"args = LOG_INFO   LOG_LOCAL6\n"
					"format = string\n";

		ASSERT_OK(ua_plugin_conf_parse(&pc, "syslog.conf", t, strlen(t), &m), "syslog.conf");
		ASSERT_EQ(pc.active, 1, "active");
		ASSERT_STREQ(pc.path, "/sbin/audisp-syslog", "path");
		ASSERT_EQ(pc.nargs, 2, "two args");
		ASSERT_STREQ(pc.args[0], "LOG_INFO", "arg 1");
		ASSERT_STREQ(pc.args[1], "LOG_LOCAL6", "arg 2");
	}
	{
		static const char t[] = "active = no\ntype = builtin\n";

		ASSERT_OK(ua_plugin_conf_parse(&pc, "off.conf", t, strlen(t), &m), "inactive");
		ASSERT_EQ(pc.active, 0, "not active");
	}
	{
		static const struct {
			const char *text, *msg;
		} bad[] = {
			{ "active = yes\npath = /x\nformat = binary",
			  "p.conf:3: 'format = binary' (auditd's own struct) is not supported: "
			  "format = string\n" },
			{ "active = yes", "p.conf:1: an active plugin needs 'path'\n" },
			{ "active = yes\npath = x", "p.conf:2: 'x' for 'path': an absolute path\n" },
			{ "direction = in", "p.conf:1: unknown value 'in' for 'direction' (out)\n" },
			{ "colour = red",
			  "p.conf:1: unknown key 'colour' (active, direction, path, type, args, "
			  "format)\n" },
			{ "args = 1 2 3 4 5 6 7 8 9",
			  "p.conf:1: 'args': at most 8 words of printable characters, each shorter "
			  "than 256 bytes\n" },
			{ "path = /a\npath = /b", "p.conf:2: 'path' given again (first on line 1)\n" },
			{ "active = yes\n = /x", "p.conf:2: missing key before '='\n" },
			{ "path /x", "p.conf:1: expected 'key = value', got 'path /x'\n" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char name[64];

			ua_buf_reset(&m);
			snprintf(name, sizeof(name), "plugin case %zu rejected", i);
			ASSERT_EQ(ua_plugin_conf_parse(&pc, "p.conf", bad[i].text,
						       strlen(bad[i].text), &m),
				  -EINVAL, name);
			snprintf(name, sizeof(name), "plugin case %zu message", i);
			ASSERT_STREQ(m.data, bad[i].msg, name);
		}
	}
	ua_buf_release(&m);
	ua_buf_release(&f);
}

int main(void)
{
	RUN_TEST(test_sinks);
	RUN_TEST(test_defaults);
	RUN_TEST(test_all_keys);
	RUN_TEST(test_errors);
	RUN_TEST(test_every_line);
	RUN_TEST(test_empty_paths);
	return test_main_end();
}
