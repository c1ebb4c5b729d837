// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The configuration file parser (see config.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Which actions a key takes; the others it names are refused as auditd's but not ours. */
#define ACT(a) (1u << (a))
#define ACTS_SPACE \
	(ACT(UA_CFG_IGNORE) | ACT(UA_CFG_SYSLOG) | ACT(UA_CFG_SUSPEND) | ACT(UA_CFG_ROTATE))
#define ACTS_MAX_LOG (ACTS_SPACE | ACT(UA_CFG_KEEP_LOGS))
#define ACTS_DISK_ERROR (ACT(UA_CFG_IGNORE) | ACT(UA_CFG_SYSLOG) | ACT(UA_CFG_SUSPEND))

static const char *const action_names[] = {
	[UA_CFG_IGNORE] = "ignore", [UA_CFG_SYSLOG] = "syslog",	      [UA_CFG_SUSPEND] = "suspend",
	[UA_CFG_ROTATE] = "rotate", [UA_CFG_KEEP_LOGS] = "keep_logs",
};

/* auditd's actions that would act on the whole system or run programs. */
static const char *const action_unsupported[] = { "email", "exec", "single", "halt" };

static const char *const flush_names[] = {
	[UA_CFG_FLUSH_NONE] = "none",
	[UA_CFG_FLUSH_INCREMENTAL] = "incremental",
	[UA_CFG_FLUSH_INCREMENTAL_ASYNC] = "incremental_async",
	[UA_CFG_FLUSH_DATA] = "data",
	[UA_CFG_FLUSH_SYNC] = "sync",
};

enum kind {
	K_PATH,
	K_SOCKET,
	K_FORMAT,
	K_GROUP,
	K_FLUSH,
	K_UINT,
	K_SPACE,
	K_ACTION,
	K_BOOL,
	K_STDOUT,
	K_SHARE
};

struct key {
	const char *name;
	enum ua_cfg_key id;
	enum kind kind;
	uint64_t min, max; /* K_UINT, K_SPACE (megabytes) */
	unsigned int acts; /* K_ACTION: accepted actions */
	int empty_ok;	   /* K_PATH: "" allowed */
	int power_of_two;  /* K_UINT */
};

#define PATH(n, k_, e)                                             \
	{                                                          \
		.name = n, .id = k_, .kind = K_PATH, .empty_ok = e \
	}
#define UINT(n, k_, lo, hi, p2)                                                               \
	{                                                                                     \
		.name = n, .id = k_, .kind = K_UINT, .min = lo, .max = hi, .power_of_two = p2 \
	}
#define SPACE(n, k_)                                                       \
	{                                                                  \
		.name = n, .id = k_, .kind = K_SPACE, .max = 1073741824ULL \
	}
#define ACTION(n, k_, a)                                         \
	{                                                        \
		.name = n, .id = k_, .kind = K_ACTION, .acts = a \
	}
#define OTHER(n, k_, k)                        \
	{                                      \
		.name = n, .id = k_, .kind = k \
	}

static const struct key keys[] = {
	PATH("log_file", UA_CFG_K_LOG_FILE, 0),
	OTHER("log_format", UA_CFG_K_LOG_FORMAT, K_FORMAT),
	OTHER("log_group", UA_CFG_K_LOG_GROUP, K_GROUP),
	OTHER("flush", UA_CFG_K_FLUSH, K_FLUSH),
	UINT("freq", UA_CFG_K_FREQ, 0, 1000000, 0),
	UINT("max_log_file", UA_CFG_K_MAX_LOG_FILE, 0, 1048576, 0),
	UINT("num_logs", UA_CFG_K_NUM_LOGS, 0, 999, 0),
	ACTION("max_log_file_action", UA_CFG_K_MAX_LOG_FILE_ACTION, ACTS_MAX_LOG),
	SPACE("space_left", UA_CFG_K_SPACE_LEFT),
	ACTION("space_left_action", UA_CFG_K_SPACE_LEFT_ACTION, ACTS_SPACE),
	SPACE("admin_space_left", UA_CFG_K_ADMIN_SPACE_LEFT),
	ACTION("admin_space_left_action", UA_CFG_K_ADMIN_SPACE_LEFT_ACTION, ACTS_SPACE),
	ACTION("disk_full_action", UA_CFG_K_DISK_FULL_ACTION, ACTS_SPACE),
	ACTION("disk_error_action", UA_CFG_K_DISK_ERROR_ACTION, ACTS_DISK_ERROR),
	PATH("rules_dir", UA_CFG_K_RULES_DIR, 1),
	UINT("ringbuf_size", UA_CFG_K_RINGBUF_SIZE, 65536, 1u << 30, 1),
	UINT("poll_ms", UA_CFG_K_POLL_MS, 1, 1000, 0),
	PATH("pid_file", UA_CFG_K_PID_FILE, 1),
	OTHER("socket", UA_CFG_K_SOCKET, K_SOCKET),
	PATH("pin_dir", UA_CFG_K_PIN_DIR, 1),
	UINT("heartbeat", UA_CFG_K_HEARTBEAT, 0, 86400, 0),
	OTHER("write_logs", UA_CFG_K_WRITE_LOGS, K_BOOL),
	PATH("json_log_file", UA_CFG_K_JSON_LOG_FILE, 1),
	OTHER("stdout_format", UA_CFG_K_STDOUT_FORMAT, K_STDOUT),
	PATH("plugin_dir", UA_CFG_K_PLUGIN_DIR, 1),
	UINT("q_depth", UA_CFG_K_Q_DEPTH, 1, 10000000, 0),
	UINT("max_restarts", UA_CFG_K_MAX_RESTARTS, 0, 10000, 0),
	OTHER("audit_forward", UA_CFG_K_AUDIT_FORWARD, K_BOOL),
	UINT("fair_fill", UA_CFG_K_FAIR_FILL, 0, 99, 0),
	UINT("fair_interval", UA_CFG_K_FAIR_INTERVAL, 1, 60000, 0),
	OTHER("fair_flow", UA_CFG_K_FAIR_FLOW, K_SHARE),
	OTHER("fair_process", UA_CFG_K_FAIR_PROCESS, K_SHARE),
	OTHER("fair_uid", UA_CFG_K_FAIR_UID, K_SHARE),
	OTHER("fair_reserve", UA_CFG_K_FAIR_RESERVE, K_SHARE),
	UINT("priority_boost", UA_CFG_K_PRIORITY_BOOST, 0, 20, 0),
};

/* auditd.conf keys with no meaning here (yet): named as such rather than "unknown". */
static const char *const auditd_only[] = {
	"local_events",
	"dispatcher",
	"disp_qos",
	"name_format",
	"name",
	"verify_email",
	"action_mail_acct",
	"tcp_listen_port",
	"tcp_listen_queue",
	"tcp_max_per_addr",
	"use_libwrap",
	"tcp_client_ports",
	"tcp_client_max_idle",
	"transport",
	"krb5_principal",
	"krb5_key_file",
	"distribute_network",
	"overflow_action",
	"end_of_event_timeout",
	"enable_krb5",
};

void ua_config_init(struct ua_config *c, const char *log_file, const char *socket)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->log_file, sizeof(c->log_file), "%s", log_file ? log_file : "");
	snprintf(c->socket, sizeof(c->socket), "%s", socket ? socket : "");
	c->log_format = UA_FMT_TEXT;
	strcpy(c->log_group, "root");
	/* Without a file the daemon writes on, never rotates and never syncs: what it did
	 * before there was a file. The shipped file sets auditd's values. */
	c->flush = UA_CFG_FLUSH_NONE;
	c->max_log_file_action = UA_CFG_IGNORE;
	c->space_left_action = UA_CFG_IGNORE;
	c->admin_space_left_action = UA_CFG_IGNORE;
	c->disk_full_action = UA_CFG_IGNORE;
	c->disk_error_action = UA_CFG_IGNORE;
	c->ringbuf_size = 8u << 20;
	c->poll_ms = 10;
	c->write_logs = 1;
	c->stdout_format = -1;
	c->q_depth = 16384;
	c->max_restarts = 10;
	c->priority_boost = 4; /* auditd's default */
	c->fair = (struct ua_fair)UA_FAIR_DEFAULTS;
}

int ua_fair_share_parse(const char *s, size_t len, unsigned int *pm)
{
	unsigned int v = 0, digits = 0;
	size_t i = 0;

	if (len && s[len - 1] == '%')
		len--;
	for (; i < len && s[i] >= '0' && s[i] <= '9' && digits < 4; i++, digits++)
		v = v * 10 + (unsigned int)(s[i] - '0');
	if (!digits)
		return -EINVAL;
	v *= 10;
	if (i < len && s[i] == '.') {
		if (i + 2 != len || s[i + 1] < '0' || s[i + 1] > '9')
			return -EINVAL;
		v += (unsigned int)(s[i + 1] - '0');
		i += 2;
	}
	if (i != len || v > 1000)
		return -EINVAL;
	*pm = v;
	return 0;
}

int ua_fair_check(const struct ua_fair *f, const char *prefix, char *msg, size_t len)
{
	if (!f->fill_pct)
		return 0; /* no budgets: the shares mean nothing */
	if (!f->flow_pm || !f->process_pm || !f->uid_pm) {
		snprintf(
			msg, len,
			"'%sflow', '%sprocess' and '%suid' must be above 0 (or '%sfill' 0: no budgets)",
			prefix, prefix, prefix, prefix);
		return UA_FAIR_BAD_ZERO;
	}
	if (f->flow_pm > f->process_pm) {
		snprintf(
			msg, len,
			"'%sflow' (%u.%u%%) above '%sprocess' (%u.%u%%): a flow is one of a process's requests",
			prefix, f->flow_pm / 10, f->flow_pm % 10, prefix, f->process_pm / 10,
			f->process_pm % 10);
		return UA_FAIR_BAD_FLOW;
	}
	if (f->reserve_pm > f->process_pm) {
		snprintf(
			msg, len,
			"'%sreserve' (%u.%u%%) above '%sprocess' (%u.%u%%): the reserve is the start of a process's budget",
			prefix, f->reserve_pm / 10, f->reserve_pm % 10, prefix, f->process_pm / 10,
			f->process_pm % 10);
		return UA_FAIR_BAD_RESERVE;
	}
	return 0;
}

const char *ua_config_action_name(enum ua_cfg_action a)
{
	return (unsigned int)a < ARRAY_SIZE(action_names) ? action_names[a] : NULL;
}

const char *ua_config_flush_name(enum ua_cfg_flush f)
{
	return (unsigned int)f < ARRAY_SIZE(flush_names) ? flush_names[f] : NULL;
}

struct parser {
	const char *name;
	struct ua_buf *msgs;
	int errors;
	int line_of[UA_CFG_K_COUNT];
};

static void perr(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	p->errors++;
	ua_buf_addf(p->msgs, "%s:%d: ", p->name, line);
	va_start(ap, fmt);
	ua_buf_vaddf(p->msgs, fmt, ap);
	va_end(ap);
	ua_buf_addch(p->msgs, '\n');
}

/* A value as it can be quoted in a message: printable ASCII, cut to 64 bytes. */
static const char *show(char *dst, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 4 < size && n < 64; i++)
		dst[n++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < len)
		dst[n++] = '.', dst[n++] = '.', dst[n++] = '.';
	dst[n] = '\0';
	return dst;
}

static int word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && !strncasecmp(s, w, len);
}

static int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 20)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Zero-filled after the string: equal configurations compare equal with memcmp. */
static void set_str(char *dst, size_t size, const char *s, size_t len)
{
	memset(dst, 0, size);
	memcpy(dst, s, len < size ? len : size - 1);
	dst[len < size ? len : size - 1] = '\0';
}

/* A K_UINT key's value: 0, or -ERANGE with its range in @range ("a power of
 * two, 65536..1073741824", "1..1000"): the one statement of each key's bounds,
 * for the configuration file and the command line alike. */
static int uint_value(const struct key *k, const char *s, size_t len, uint64_t *u, char *range,
		      size_t rlen)
{
	if (!parse_u64(s, len, k->max, u) && *u >= k->min && !(k->power_of_two && (*u & (*u - 1))))
		return 0;
	snprintf(range, rlen, "%s%llu..%llu", k->power_of_two ? "a power of two, " : "",
		 (unsigned long long)k->min, (unsigned long long)k->max);
	return -ERANGE;
}

int ua_config_uint(enum ua_cfg_key id, const char *s, unsigned int *out, char *range, size_t rlen)
{
	uint64_t u;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].id != id || keys[i].kind != K_UINT)
			continue;
		if (uint_value(&keys[i], s, strlen(s), &u, range, rlen))
			return -ERANGE;
		*out = (unsigned int)u;
		return 0;
	}
	snprintf(range, rlen, "not a number setting");
	return -EINVAL;
}

static int str_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void *field(struct ua_config *c, enum ua_cfg_key id)
{
	switch (id) {
	case UA_CFG_K_LOG_FILE:
		return c->log_file;
	case UA_CFG_K_RULES_DIR:
		return c->rules_dir;
	case UA_CFG_K_PID_FILE:
		return c->pid_file;
	case UA_CFG_K_PIN_DIR:
		return c->pin_dir;
	case UA_CFG_K_HEARTBEAT:
		return &c->heartbeat;
	case UA_CFG_K_FREQ:
		return &c->freq;
	case UA_CFG_K_NUM_LOGS:
		return &c->num_logs;
	case UA_CFG_K_RINGBUF_SIZE:
		return &c->ringbuf_size;
	case UA_CFG_K_POLL_MS:
		return &c->poll_ms;
	case UA_CFG_K_SPACE_LEFT:
		return &c->space_left;
	case UA_CFG_K_ADMIN_SPACE_LEFT:
		return &c->admin_space_left;
	case UA_CFG_K_MAX_LOG_FILE_ACTION:
		return &c->max_log_file_action;
	case UA_CFG_K_SPACE_LEFT_ACTION:
		return &c->space_left_action;
	case UA_CFG_K_ADMIN_SPACE_LEFT_ACTION:
		return &c->admin_space_left_action;
	case UA_CFG_K_DISK_FULL_ACTION:
		return &c->disk_full_action;
	case UA_CFG_K_DISK_ERROR_ACTION:
		return &c->disk_error_action;
	case UA_CFG_K_JSON_LOG_FILE:
		return c->json_log_file;
	case UA_CFG_K_PLUGIN_DIR:
		return c->plugin_dir;
	case UA_CFG_K_Q_DEPTH:
		return &c->q_depth;
	case UA_CFG_K_MAX_RESTARTS:
		return &c->max_restarts;
	case UA_CFG_K_PRIORITY_BOOST:
		return &c->priority_boost;
	case UA_CFG_K_WRITE_LOGS:
		return &c->write_logs;
	case UA_CFG_K_AUDIT_FORWARD:
		return &c->audit_forward;
	case UA_CFG_K_FAIR_FILL:
		return &c->fair.fill_pct;
	case UA_CFG_K_FAIR_INTERVAL:
		return &c->fair.interval_ms;
	case UA_CFG_K_FAIR_FLOW:
		return &c->fair.flow_pm;
	case UA_CFG_K_FAIR_PROCESS:
		return &c->fair.process_pm;
	case UA_CFG_K_FAIR_UID:
		return &c->fair.uid_pm;
	case UA_CFG_K_FAIR_RESERVE:
		return &c->fair.reserve_pm;
	default:
		return NULL;
	}
}

static void set_value(struct parser *p, struct ua_config *c, const struct key *k, int line,
		      const char *v, size_t len)
{
	char sh[80];
	uint64_t u;
	size_t i;
	int rc;

	switch (k->kind) {
	case K_PATH:
		if (!len && k->empty_ok) {
			set_str(field(c, k->id), UA_CFG_PATH_MAX, "", 0);
			return;
		}
		if (!len || !str_ok(v, len) ||
		    (v[0] != '/' && !(len == 1 && v[0] == '-' && k->id == UA_CFG_K_LOG_FILE))) {
			perr(p, line, "'%s' for '%s': an absolute path%s",
			     show(sh, sizeof(sh), v, len), k->name,
			     k->id == UA_CFG_K_LOG_FILE ? " or - (stdout)" : "");
			return;
		}
		if (len >= UA_CFG_PATH_MAX) {
			perr(p, line, "'%s' for '%s': longer than %d bytes",
			     show(sh, sizeof(sh), v, len), k->name, UA_CFG_PATH_MAX - 1);
			return;
		}
		set_str(field(c, k->id), UA_CFG_PATH_MAX, v, len);
		return;
	case K_BOOL:
		if (word_is(v, len, "yes") || word_is(v, len, "no"))
			*(int *)field(c, k->id) = word_is(v, len, "yes");
		else
			perr(p, line, "unknown value '%s' for '%s' (yes, no)",
			     show(sh, sizeof(sh), v, len), k->name);
		return;
	case K_SHARE:
		if (ua_fair_share_parse(v, len, field(c, k->id)))
			perr(p, line,
			     "'%s' for '%s': a percentage of the ring buffer, 0..100 (one decimal at most: 12.5)",
			     show(sh, sizeof(sh), v, len), k->name);
		return;
	case K_STDOUT:
		if (word_is(v, len, "none"))
			c->stdout_format = -1;
		else if (word_is(v, len, "text"))
			c->stdout_format = UA_FMT_TEXT;
		else if (word_is(v, len, "json"))
			c->stdout_format = UA_FMT_JSON;
		else
			perr(p, line, "unknown value '%s' for 'stdout_format' (none, text, json)",
			     show(sh, sizeof(sh), v, len));
		return;
	case K_SOCKET:
		if (!len || v[0] != '/' || !str_ok(v, len) || len >= UA_CFG_SOCKET_MAX) {
			perr(p, line, "'%s' for '%s': an absolute path shorter than %d bytes",
			     show(sh, sizeof(sh), v, len), k->name, UA_CFG_SOCKET_MAX);
			return;
		}
		set_str(c->socket, sizeof(c->socket), v, len);
		return;
	case K_FORMAT:
		/* auditd's RAW is the kernel's text: our text. ENRICHED adds names of ids. */
		if (word_is(v, len, "text") || word_is(v, len, "raw"))
			c->log_format = UA_FMT_TEXT;
		else if (word_is(v, len, "json"))
			c->log_format = UA_FMT_JSON;
		else if (word_is(v, len, "enriched"))
			perr(p, line,
			     "'enriched' for 'log_format' is not supported yet (text, raw, json)");
		else
			perr(p, line, "unknown value '%s' for 'log_format' (text, raw, json)",
			     show(sh, sizeof(sh), v, len));
		return;
	case K_GROUP:
		for (i = 0; i < len; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
			      (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-' ||
			      v[i] == '.'))
				break;
		if (!len || i < len || len >= UA_CFG_GROUP_MAX || v[0] == '-') {
			perr(p, line, "'%s' for 'log_group': a group name or number",
			     show(sh, sizeof(sh), v, len));
			return;
		}
		set_str(c->log_group, sizeof(c->log_group), v, len);
		return;
	case K_FLUSH:
		for (i = 0; i < ARRAY_SIZE(flush_names); i++)
			if (word_is(v, len, flush_names[i])) {
				c->flush = (enum ua_cfg_flush)i;
				return;
			}
		perr(p, line,
		     "unknown value '%s' for 'flush' (none, incremental, incremental_async, data, "
		     "sync)",
		     show(sh, sizeof(sh), v, len));
		return;
	case K_UINT: {
		char range[64];

		if (uint_value(k, v, len, &u, range, sizeof(range))) {
			perr(p, line, "'%s' for '%s': %s%s", show(sh, sizeof(sh), v, len), k->name,
			     k->power_of_two ? "" : "a number ", range);
			return;
		}
		if (k->id == UA_CFG_K_MAX_LOG_FILE)
			c->max_log_file_mb = u;
		else
			*(unsigned int *)field(c, k->id) = (unsigned int)u;
		return;
	}
	case K_SPACE: {
		struct ua_cfg_space *s = field(c, k->id);
		int pct = len && v[len - 1] == '%';

		rc = parse_u64(v, len - (size_t)pct, pct ? 99 : k->max, &u);
		if (rc) {
			perr(p, line,
			     "'%s' for '%s': megabytes (0..%llu) or a percentage (0%%..99%%)",
			     show(sh, sizeof(sh), v, len), k->name, (unsigned long long)k->max);
			return;
		}
		s->value = u;
		s->percent = pct;
		return;
	}
	case K_ACTION:
		for (i = 0; i < ARRAY_SIZE(action_names); i++)
			if (word_is(v, len, action_names[i])) {
				if (!(k->acts & ACT(i)))
					break;
				*(enum ua_cfg_action *)field(c, k->id) = (enum ua_cfg_action)i;
				return;
			}
		if (i == ARRAY_SIZE(action_names))
			for (i = 0; i < ARRAY_SIZE(action_unsupported); i++)
				if (word_is(v, len, action_unsupported[i])) {
					perr(p, line, "'%s' for '%s' is not supported yet",
					     action_unsupported[i], k->name);
					return;
				}
		{
			struct ua_buf list = UA_BUF_INIT;
			size_t j;

			for (j = 0; j < ARRAY_SIZE(action_names); j++)
				if (k->acts & ACT(j))
					ua_buf_addf(&list, "%s%s", list.len ? ", " : "",
						    action_names[j]);
			perr(p, line, "unknown value '%s' for '%s' (%s)",
			     show(sh, sizeof(sh), v, len), k->name, list.data ? list.data : "");
			ua_buf_release(&list);
		}
		return;
	}
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One "key = value" line of the config or of a plugin file, blanks around
 * each side trimmed. Returns 0 for a blank or comment line and for a bad one
 * (said through perr), 1 with the key and value spans set. */
static int split_kv(struct parser *p, int line, const char *s, size_t len, const char **k,
		    size_t *klen, const char **v, size_t *vlen)
{
	const char *eq;
	char sh[80];

	while (len && is_space(*s))
		s++, len--;
	while (len && is_space(s[len - 1]))
		len--;
	if (!len || *s == '#')
		return 0;
	if (memchr(s, '\0', len)) {
		perr(p, line, "NUL byte in line");
		return 0;
	}
	eq = memchr(s, '=', len);
	if (!eq) {
		perr(p, line, "expected 'key = value', got '%s'", show(sh, sizeof(sh), s, len));
		return 0;
	}
	*k = s;
	*klen = (size_t)(eq - s);
	while (*klen && is_space((*k)[*klen - 1]))
		(*klen)--;
	*v = eq + 1;
	*vlen = len - (size_t)(*v - s);
	while (*vlen && is_space(**v))
		(*v)++, (*vlen)--;
	if (!*klen) {
		perr(p, line, "missing key before '='");
		return 0;
	}
	return 1;
}

static void parse_line(struct parser *p, struct ua_config *c, int line, const char *s, size_t len)
{
	const char *k, *v;
	size_t klen, vlen, i;
	char sh[80];

	if (!split_kv(p, line, s, len, &k, &klen, &v, &vlen))
		return;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].name) == klen && !memcmp(keys[i].name, k, klen))
			break;
	if (i == ARRAY_SIZE(keys)) {
		size_t j;

		for (j = 0; j < ARRAY_SIZE(auditd_only); j++)
			if (strlen(auditd_only[j]) == klen && !memcmp(auditd_only[j], k, klen)) {
				perr(p, line, "auditd's key '%s' is not supported yet",
				     auditd_only[j]);
				return;
			}
		perr(p, line, "unknown key '%s'", show(sh, sizeof(sh), k, klen));
		return;
	}
	if (p->line_of[keys[i].id]) {
		perr(p, line, "'%s' given again (first on line %d)", keys[i].name,
		     p->line_of[keys[i].id]);
		return;
	}
	p->line_of[keys[i].id] = line;
	if (!vlen && !keys[i].empty_ok) {
		perr(p, line, "missing value for '%s'", keys[i].name);
		return;
	}
	set_value(p, c, &keys[i], line, v, vlen);
	c->set |= 1ull << keys[i].id;
}

/* What needs more than one key. */
static void check_whole(struct parser *p, const struct ua_config *c)
{
	const int *at = p->line_of;
	char why[256];

	if (c->space_left.value && c->admin_space_left.value &&
	    c->space_left.percent == c->admin_space_left.percent &&
	    c->admin_space_left.value >= c->space_left.value)
		perr(p,
		     at[UA_CFG_K_ADMIN_SPACE_LEFT] ? at[UA_CFG_K_ADMIN_SPACE_LEFT] :
						     at[UA_CFG_K_SPACE_LEFT],
		     "'admin_space_left' (%llu%s) must be below 'space_left' (%llu%s)",
		     (unsigned long long)c->admin_space_left.value,
		     c->admin_space_left.percent ? "%" : "",
		     (unsigned long long)c->space_left.value, c->space_left.percent ? "%" : "");
	if ((c->flush == UA_CFG_FLUSH_INCREMENTAL || c->flush == UA_CFG_FLUSH_INCREMENTAL_ASYNC) &&
	    !c->freq)
		perr(p, at[UA_CFG_K_FLUSH] ? at[UA_CFG_K_FLUSH] : at[UA_CFG_K_FREQ],
		     "'flush = %s' needs 'freq' of 1 or more", flush_names[c->flush]);
	if ((c->max_log_file_action == UA_CFG_ROTATE) && c->max_log_file_mb && c->num_logs < 2)
		perr(p,
		     at[UA_CFG_K_MAX_LOG_FILE_ACTION] ? at[UA_CFG_K_MAX_LOG_FILE_ACTION] :
							at[UA_CFG_K_NUM_LOGS],
		     "'max_log_file_action = rotate' needs 'num_logs' of 2 or more");
	switch (ua_fair_check(&c->fair, "fair_", why, sizeof(why))) {
	case 0:
		break;
	case UA_FAIR_BAD_FLOW:
		perr(p, at[UA_CFG_K_FAIR_FLOW] ? at[UA_CFG_K_FAIR_FLOW] : at[UA_CFG_K_FAIR_PROCESS],
		     "%s", why);
		break;
	case UA_FAIR_BAD_RESERVE:
		perr(p,
		     at[UA_CFG_K_FAIR_RESERVE] ? at[UA_CFG_K_FAIR_RESERVE] :
						 at[UA_CFG_K_FAIR_PROCESS],
		     "%s", why);
		break;
	default:
		perr(p,
		     at[UA_CFG_K_FAIR_UID]     ? at[UA_CFG_K_FAIR_UID] :
		     at[UA_CFG_K_FAIR_PROCESS] ? at[UA_CFG_K_FAIR_PROCESS] :
						 at[UA_CFG_K_FAIR_FLOW],
		     "%s", why);
	}
	if (c->json_log_file[0] && c->write_logs && !strcmp(c->json_log_file, c->log_file))
		perr(p, at[UA_CFG_K_JSON_LOG_FILE],
		     "'json_log_file' is 'log_file': two files, or one");
	if (c->stdout_format >= 0 && c->write_logs && !strcmp(c->log_file, "-"))
		perr(p,
		     at[UA_CFG_K_STDOUT_FORMAT] ? at[UA_CFG_K_STDOUT_FORMAT] :
						  at[UA_CFG_K_LOG_FILE],
		     "'stdout_format' with log_file '-': stdout once");
	if (!strcmp(c->log_file, "-") &&
	    ((c->max_log_file_mb && c->max_log_file_action != UA_CFG_IGNORE) ||
	     c->space_left.value || c->admin_space_left.value))
		perr(p, at[UA_CFG_K_LOG_FILE],
		     "log_file '-' (stdout) cannot be rotated or have its space checked");
}

int ua_config_parse(struct ua_config *c, const char *name, const char *text, size_t len,
		    struct ua_buf *msgs)
{
	struct parser p = { .name = name ? name : "<input>", .msgs = msgs };
	size_t pos = 0;
	int line = 0;

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		line++;
		if (n > UA_CFG_LINE_MAX)
			perr(&p, line, "line longer than %d bytes", UA_CFG_LINE_MAX);
		else
			parse_line(&p, c, line, s, n);
		pos += n + (nl ? 1 : 0);
		if (p.errors >= 100) {
			ua_buf_addf(msgs, "%s:%d: too many errors\n", p.name, line);
			break;
		}
	}
	if (!p.errors)
		check_whole(&p, c);
	if (msgs->err)
		return msgs->err;
	return p.errors ? -EINVAL : 0;
}

static void fmt_space(struct ua_buf *out, const char *key, const struct ua_cfg_space *s)
{
	ua_buf_addf(out, "%s = %llu%s\n", key, (unsigned long long)s->value, s->percent ? "%" : "");
}

int ua_config_format(const struct ua_config *c, struct ua_buf *out)
{
	ua_buf_addf(out, "log_file = %s\n", c->log_file);
	ua_buf_addf(out, "log_format = %s\n", ua_format_name(c->log_format));
	ua_buf_addf(out, "log_group = %s\n", c->log_group);
	ua_buf_addf(out, "flush = %s\n", ua_config_flush_name(c->flush));
	ua_buf_addf(out, "freq = %u\n", c->freq);
	ua_buf_addf(out, "max_log_file = %llu\n", (unsigned long long)c->max_log_file_mb);
	ua_buf_addf(out, "num_logs = %u\n", c->num_logs);
	ua_buf_addf(out, "max_log_file_action = %s\n",
		    ua_config_action_name(c->max_log_file_action));
	fmt_space(out, "space_left", &c->space_left);
	ua_buf_addf(out, "space_left_action = %s\n", ua_config_action_name(c->space_left_action));
	fmt_space(out, "admin_space_left", &c->admin_space_left);
	ua_buf_addf(out, "admin_space_left_action = %s\n",
		    ua_config_action_name(c->admin_space_left_action));
	ua_buf_addf(out, "disk_full_action = %s\n", ua_config_action_name(c->disk_full_action));
	ua_buf_addf(out, "disk_error_action = %s\n", ua_config_action_name(c->disk_error_action));
	ua_buf_addf(out, "rules_dir = %s\n", c->rules_dir);
	ua_buf_addf(out, "ringbuf_size = %u\n", c->ringbuf_size);
	ua_buf_addf(out, "poll_ms = %u\n", c->poll_ms);
	ua_buf_addf(out, "pid_file = %s\n", c->pid_file);
	ua_buf_addf(out, "socket = %s\n", c->socket);
	ua_buf_addf(out, "pin_dir = %s\n", c->pin_dir);
	ua_buf_addf(out, "heartbeat = %u\n", c->heartbeat);
	ua_buf_addf(out, "write_logs = %s\n", c->write_logs ? "yes" : "no");
	ua_buf_addf(out, "json_log_file = %s\n", c->json_log_file);
	ua_buf_addf(out, "stdout_format = %s\n",
		    c->stdout_format < 0 ? "none" :
					   ua_format_name((enum ua_format)c->stdout_format));
	ua_buf_addf(out, "plugin_dir = %s\n", c->plugin_dir);
	ua_buf_addf(out, "q_depth = %u\n", c->q_depth);
	ua_buf_addf(out, "max_restarts = %u\n", c->max_restarts);
	ua_buf_addf(out, "priority_boost = %u\n", c->priority_boost);
	ua_buf_addf(out, "audit_forward = %s\n", c->audit_forward ? "yes" : "no");
	ua_buf_addf(out, "fair_fill = %u\n", c->fair.fill_pct);
	ua_buf_addf(out, "fair_interval = %u\n", c->fair.interval_ms);
	ua_buf_addf(out, "fair_flow = %u.%u\n", c->fair.flow_pm / 10, c->fair.flow_pm % 10);
	ua_buf_addf(out, "fair_process = %u.%u\n", c->fair.process_pm / 10,
		    c->fair.process_pm % 10);
	ua_buf_addf(out, "fair_uid = %u.%u\n", c->fair.uid_pm / 10, c->fair.uid_pm % 10);
	ua_buf_addf(out, "fair_reserve = %u.%u\n", c->fair.reserve_pm / 10,
		    c->fair.reserve_pm % 10);
	return out->err;
}

/* ---- plugin files (auditd-plugins(5)) ---- */

static const char *const plugin_keys[] = { "active", "direction", "path", "type", "args", "format" };

static void plugin_line(struct parser *p, struct ua_plugin_conf *pc, int line, const char *s,
			size_t len, int *seen)
{
	const char *k, *v;
	size_t klen, vlen, i;
	char sh[80];

	if (!split_kv(p, line, s, len, &k, &klen, &v, &vlen))
		return;
	for (i = 0; i < ARRAY_SIZE(plugin_keys); i++)
		if (word_is(k, klen, plugin_keys[i]))
			break;
	if (i == ARRAY_SIZE(plugin_keys)) {
		perr(p, line, "unknown key '%s' (active, direction, path, type, args, format)",
		     show(sh, sizeof(sh), k, klen));
		return;
	}
	if (seen[i]) {
		perr(p, line, "'%s' given again (first on line %d)", plugin_keys[i], seen[i]);
		return;
	}
	seen[i] = line;
	if (!vlen && i != 4) {
		perr(p, line, "missing value for '%s'", plugin_keys[i]);
		return;
	}
	switch (i) {
	case 0:
		if (word_is(v, vlen, "yes") || word_is(v, vlen, "no"))
			pc->active = word_is(v, vlen, "yes");
		else
			perr(p, line, "unknown value '%s' for 'active' (yes, no)",
			     show(sh, sizeof(sh), v, vlen));
		return;
	case 1:
		if (!word_is(v, vlen, "out"))
			perr(p, line, "unknown value '%s' for 'direction' (out)",
			     show(sh, sizeof(sh), v, vlen));
		return;
	case 2:
		if (v[0] != '/' || !str_ok(v, vlen) || memchr(v, ' ', vlen) ||
		    vlen >= UA_CFG_PATH_MAX) {
			perr(p, line, "'%s' for 'path': an absolute path",
			     show(sh, sizeof(sh), v, vlen));
			return;
		}
		set_str(pc->path, sizeof(pc->path), v, vlen);
		return;
	case 3:
		/* auditd takes the obsolete builtin as always, and so do we. */
		if (!word_is(v, vlen, "always") && !word_is(v, vlen, "builtin"))
			perr(p, line, "unknown value '%s' for 'type' (always)",
			     show(sh, sizeof(sh), v, vlen));
		return;
	case 4:
		pc->nargs = 0;
		while (vlen) {
			size_t w = 0;

			while (w < vlen && !is_space(v[w]))
				w++;
			if (pc->nargs == UA_PLUGIN_ARGS_MAX || w >= UA_PLUGIN_ARG_LEN ||
			    !str_ok(v, w)) {
				perr(p, line,
				     "'args': at most %d words of printable characters, "
				     "each shorter than %d bytes",
				     UA_PLUGIN_ARGS_MAX, UA_PLUGIN_ARG_LEN);
				return;
			}
			set_str(pc->args[pc->nargs++], UA_PLUGIN_ARG_LEN, v, w);
			v += w, vlen -= w;
			while (vlen && is_space(*v))
				v++, vlen--;
		}
		return;
	case 5:
		if (word_is(v, vlen, "binary"))
			perr(p, line,
			     "'format = binary' (auditd's own struct) is not supported: "
			     "format = string");
		else if (!word_is(v, vlen, "string"))
			perr(p, line, "unknown value '%s' for 'format' (string)",
			     show(sh, sizeof(sh), v, vlen));
		return;
	}
}

int ua_plugin_conf_parse(struct ua_plugin_conf *pc, const char *name, const char *text, size_t len,
			 struct ua_buf *msgs)
{
	struct parser p = { .name = name ? name : "<input>", .msgs = msgs };
	int seen[ARRAY_SIZE(plugin_keys)] = { 0 };
	size_t pos = 0;
	int line = 0;

	memset(pc, 0, sizeof(*pc));
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		line++;
		if (n > UA_CFG_LINE_MAX)
			perr(&p, line, "line longer than %d bytes", UA_CFG_LINE_MAX);
		else
			plugin_line(&p, pc, line, s, n, seen);
		pos += n + (nl ? 1 : 0);
		if (p.errors >= 100)
			break;
	}
	if (!p.errors && pc->active && !pc->path[0])
		perr(&p, seen[0], "an active plugin needs 'path'");
	if (msgs->err)
		return msgs->err;
	return p.errors ? -EINVAL : 0;
}
