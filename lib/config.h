/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's configuration file (/etc/uringaudit/uringaudit.conf): auditd.conf's syntax and,
 * where they mean the same, its keys, plus uringaudit's own (rules_dir, ringbuf_size, poll_ms,
 * pid_file, socket). Pure: parses a text in memory, no I/O (reading the file and checking who
 * owns it is the daemon's job), no globals.
 *
 *	# comment
 *	key = value
 *
 * Keys are lowercase; action and flush words are case-insensitive (as auditd's). A key that
 * auditd knows but this daemon does not implement is an error that says so ("not supported
 * yet"), as is an action it does not implement: nothing is accepted and then ignored.
 */
#ifndef UA_CONFIG_H
#define UA_CONFIG_H

#include <stdint.h>

#include "buf.h"
#include "format.h"

#define UA_CFG_PATH_MAX 4096
#define UA_CFG_SOCKET_MAX 108 /* sun_path */
#define UA_CFG_GROUP_MAX 64
#define UA_CFG_LINE_MAX 8192

/* What to do when a threshold is crossed or a write fails (auditd's words). */
enum ua_cfg_action {
	UA_CFG_IGNORE = 0,    /* keep going: records that cannot be written are counted lost */
	UA_CFG_SYSLOG = 1,    /* also say it to syslog */
	UA_CFG_SUSPEND = 2,   /* stop writing (counted lost) until SIGUSR2, SIGUSR1 or SIGHUP */
	UA_CFG_ROTATE = 3,    /* rotate the log, keeping num_logs files */
	UA_CFG_KEEP_LOGS = 4, /* rotate without removing old logs (max_log_file_action) */
};

enum ua_cfg_flush {
	UA_CFG_FLUSH_NONE = 0,		    /* write(2) only */
	UA_CFG_FLUSH_INCREMENTAL = 1,	    /* fdatasync every freq records */
	UA_CFG_FLUSH_INCREMENTAL_ASYNC = 2, /* the same (no separate flush thread here) */
	UA_CFG_FLUSH_DATA = 3,		    /* fdatasync after every write */
	UA_CFG_FLUSH_SYNC = 4,		    /* fsync after every write */
};

/* Bits of ua_config.set: which keys the file gave. */
enum ua_cfg_key {
	UA_CFG_K_LOG_FILE,
	UA_CFG_K_LOG_FORMAT,
	UA_CFG_K_LOG_GROUP,
	UA_CFG_K_FLUSH,
	UA_CFG_K_FREQ,
	UA_CFG_K_MAX_LOG_FILE,
	UA_CFG_K_NUM_LOGS,
	UA_CFG_K_MAX_LOG_FILE_ACTION,
	UA_CFG_K_SPACE_LEFT,
	UA_CFG_K_SPACE_LEFT_ACTION,
	UA_CFG_K_ADMIN_SPACE_LEFT,
	UA_CFG_K_ADMIN_SPACE_LEFT_ACTION,
	UA_CFG_K_DISK_FULL_ACTION,
	UA_CFG_K_DISK_ERROR_ACTION,
	UA_CFG_K_RULES_DIR,
	UA_CFG_K_RINGBUF_SIZE,
	UA_CFG_K_POLL_MS,
	UA_CFG_K_PID_FILE,
	UA_CFG_K_SOCKET,
	UA_CFG_K_PIN_DIR,
	UA_CFG_K_HEARTBEAT,
	UA_CFG_K_WRITE_LOGS,
	UA_CFG_K_JSON_LOG_FILE,
	UA_CFG_K_STDOUT_FORMAT,
	UA_CFG_K_PLUGIN_DIR,
	UA_CFG_K_Q_DEPTH,
	UA_CFG_K_MAX_RESTARTS,
	UA_CFG_K_AUDIT_FORWARD,
	UA_CFG_K_FAIR_FILL,
	UA_CFG_K_FAIR_INTERVAL,
	UA_CFG_K_FAIR_FLOW,
	UA_CFG_K_FAIR_PROCESS,
	UA_CFG_K_FAIR_UID,
	UA_CFG_K_FAIR_RESERVE,
	UA_CFG_K_PRIORITY_BOOST,
	UA_CFG_K_COUNT
};

/* The value of the numeric setting @id (ringbuf_size, poll_ms, ...) from
 * the command line's @s, checked against the bounds the configuration file
 * uses: 0, or -ERANGE with the accepted range in @range. */
int ua_config_uint(enum ua_cfg_key id, const char *s, unsigned int *out, char *range, size_t rlen);

/*
 * Fairness under a flood (the kernel's budgets, bpf/emit.bpf.h): once the ring buffer is more
 * than fill_pct full, per interval_ms each flow, process and uid may put their share of it in,
 * and a process's first reserve share goes in whatever its uid used (within another uid share);
 * above the mark halfway between fill_pct and full, only those. Shares are per mille of the
 * ring buffer (written as percentages with up to one decimal: 12.5). The keys fair_fill,
 * fair_interval, fair_flow, fair_process, fair_uid, fair_reserve and the flags --fair-*.
 */
struct ua_fair {
	unsigned int fill_pct;				      /* 0: no budgets at all; else 1..99 */
	unsigned int interval_ms;			      /* 1..60000 */
	unsigned int flow_pm, process_pm, uid_pm, reserve_pm; /* 1..1000 (reserve 0..1000) */
};
#define UA_FAIR_DEFAULTS                   \
	{                                  \
		75, 100, 125, 250, 250, 20 \
	}
/* A share as written ("12.5", "25", "2%"): per mille in *@pm. -EINVAL when it is not a
 * percentage with at most one decimal within 0..100. */
int ua_fair_share_parse(const char *s, size_t len, unsigned int *pm);
/* What the shares must satisfy together: 0, or why not in @msg (naming the keys as @prefix
 * spells them: "fair_" in the file, "--fair-" for flags) and which: UA_FAIR_BAD_ZERO (flow,
 * process or uid share 0), UA_FAIR_BAD_FLOW (flow above process), UA_FAIR_BAD_RESERVE. */
enum { UA_FAIR_BAD_ZERO = 1, UA_FAIR_BAD_FLOW = 2, UA_FAIR_BAD_RESERVE = 3 };
int ua_fair_check(const struct ua_fair *f, const char *prefix, char *msg, size_t len);

/* A disk space threshold: megabytes, or a percentage of the file system. */
struct ua_cfg_space {
	uint64_t value;
	int percent; /* value is 0..99 percent free */
};

struct ua_config {
	char log_file[UA_CFG_PATH_MAX]; /* "-": stdout */
	enum ua_format log_format;
	char log_group[UA_CFG_GROUP_MAX]; /* a group name or number ("root": root only) */
	enum ua_cfg_flush flush;
	unsigned int freq;
	uint64_t max_log_file_mb; /* 0: no size limit */
	unsigned int num_logs;	  /* files kept by rotate, the live one included (0, 1: none) */
	enum ua_cfg_action max_log_file_action;
	struct ua_cfg_space space_left, admin_space_left; /* value 0: not checked */
	enum ua_cfg_action space_left_action, admin_space_left_action;
	enum ua_cfg_action disk_full_action, disk_error_action;
	char rules_dir[UA_CFG_PATH_MAX]; /* "": the built-in rules */
	unsigned int ringbuf_size;
	unsigned int poll_ms;
	char pid_file[UA_CFG_PATH_MAX]; /* "": none */
	char socket[UA_CFG_SOCKET_MAX];
	char pin_dir[UA_CFG_PATH_MAX]; /* bpffs directory of the pinned BPF state; "": none */
	unsigned int heartbeat;	       /* seconds between URING_DAEMON op=heartbeat; 0: none */
	/* Sinks besides log_file (each independent of the others). */
	int write_logs;			     /* 0: no log_file at all (auditd's write_logs = no) */
	char json_log_file[UA_CFG_PATH_MAX]; /* "": none; a second log, always JSON */
	int stdout_format;		     /* -1: none, else enum ua_format: records on stdout */
	char plugin_dir[UA_CFG_PATH_MAX];    /* "": no plugins; auditd's plugins.d syntax */
	unsigned int q_depth;		     /* records queued per plugin/stdout/audit sink */
	unsigned int max_restarts;	     /* restarts of a plugin that died */
	unsigned int priority_boost;	     /* the daemon runs at nice -priority_boost */
	int audit_forward;		     /* 1: records into the kernel's audit stream */
	struct ua_fair fair;		     /* flood budgets (takes effect at start) */
	uint64_t set;			     /* 1 << enum ua_cfg_key for each key given */
};

/* The defaults (auditd's where they apply; the paths the daemon uses without a file). */
void ua_config_init(struct ua_config *c, const char *log_file, const char *socket);

/*
 * Parse @len bytes of configuration named @name (for messages) over @c, which holds the
 * defaults. Every line is checked; each problem is appended to @msgs as
 * "NAME:LINE: message\n". A key given twice is an error. After the last line the whole is
 * checked (admin_space_left below space_left, ...), those messages naming the key's line.
 * Returns 0, -EINVAL when there was an error (@c may then be partly changed: use a copy),
 * or -ENOMEM.
 */
int ua_config_parse(struct ua_config *c, const char *name, const char *text, size_t len,
		    struct ua_buf *msgs);

/*
 * A plugin's file in plugin_dir, in auditd-plugins(5)'s syntax:
 *	active = yes|no
 *	direction = out
 *	path = /sbin/audisp-syslog
 *	type = always		(builtin: obsolete in auditd, taken as always)
 *	args = LOG_INFO ...	(up to UA_PLUGIN_ARGS_MAX words)
 *	format = string		(binary, auditd's struct, is refused)
 */
#define UA_PLUGIN_ARGS_MAX 8
#define UA_PLUGIN_ARG_LEN 256
struct ua_plugin_conf {
	int active;
	char path[UA_CFG_PATH_MAX];
	char args[UA_PLUGIN_ARGS_MAX][UA_PLUGIN_ARG_LEN];
	unsigned int nargs;
};
/* Parse one plugin file (messages "NAME:LINE: ..." as ua_config_parse). An active plugin
 * needs an absolute path. 0, -EINVAL or -ENOMEM. */
int ua_plugin_conf_parse(struct ua_plugin_conf *pc, const char *name, const char *text, size_t len,
			 struct ua_buf *msgs);

/* Words for messages and status: "ignore", "syslog", ...; "none", "incremental", ... */
const char *ua_config_action_name(enum ua_cfg_action a);
const char *ua_config_flush_name(enum ua_cfg_flush f);

/* Write @c back in the file's syntax, every key (for `uringaudit config` and the tests). */
int ua_config_format(const struct ua_config *c, struct ua_buf *out);

#endif /* UA_CONFIG_H */
