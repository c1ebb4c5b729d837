// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control socket, both ends. The daemon listens on a unix socket (0600)
 * and answers one request line per connection from its event loop: status
 * (one JSON object of counters), rules (the set in force), load (a reload,
 * root only). `uringaudit status` and `uringaudit rules list|load` are the
 * client.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_state.h"
#include "escape.h"

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* ---- client ---- */

/* Past the end of the JSON string at @v (its opening '"'), escapes skipped. */
static const char *str_end(const char *v)
{
	for (v++; *v && *v != '"'; v++)
		if (*v == '\\' && v[1])
			v++;
	return *v ? v + 1 : v;
}

/* Print the status object as "key: value" lines; a list of objects
 * (top_droppers, sinks) as one "key: k=v ..." line per element. */
static void print_text(const char *json)
{
	const char *p = json;

	while ((p = strchr(p, '"'))) {
		const char *k = p + 1, *ke = strchr(k, '"'), *v, *ve;

		if (!ke || ke[1] != ':')
			break;
		v = ke + 2;
		if (*v == '[' && v[1] != '"') {
			/* A list of flat objects: one line each, key=value. */
			const char *o = v + 1, *end = strchr(v, ']');

			while (end && (o = strchr(o, '{')) && o < end) {
				const char *oe = strchr(o, '}'), *f = o + 1;

				printf("%.*s:", (int)(ke - k), k);
				while (oe && f < oe && (f = strchr(f, '"')) && f < oe) {
					const char *fe = strchr(f + 1, '"'), *fv = fe + 2;
					const char *fve = fv + strcspn(fv, ",}");

					printf(" %.*s=%.*s", (int)(fe - f - 1), f + 1,
					       (int)(fve - fv), fv);
					f = fve;
				}
				putchar('\n');
				o = oe ? oe + 1 : end;
			}
			p = end ? end + 1 : v + strlen(v);
			continue;
		}
		/* a list of strings (degraded): whole, up to its ']'; a string
		 * whole, commas and all */
		ve = *v == '[' && strchr(v, ']') ? strchr(v, ']') + 1 :
		     *v == '"'			 ? str_end(v) :
						   v + strcspn(v, ",}");
		printf("%.*s: %.*s\n", (int)(ke - k), k, (int)(ve - v), v);
		p = ve;
	}
}

int ua_ctl_request(const char *path, const char *cmd, struct ua_buf *reply)
{
	struct sockaddr_un sa;
	char buf[8192];
	ssize_t n;
	int fd, rc = 0;

	if (fill_addr(&sa, path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, cmd, strlen(cmd)) < 0 ||
	    write(fd, "\n", 1) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ua_buf_add(reply, buf, (size_t)n);
	close(fd);
	if (!reply->len)
		return -EIO;
	return reply->err;
}

/* ---- status as node_exporter's textfile collector reads it ---- */

/* Values that go up and down; every other number is a counter. */
static const char *const gauges[] = { "uptime_s", "rules",	   "locked",
				      "pending",  "log_suspended", "holder_listing_us",
				      "queued",	  "queued_max",	   "q_depth",
				      "running" };

static int is_gauge(const char *k, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (strlen(gauges[i]) == len && !strncmp(gauges[i], k, len))
			return 1;
	return 0;
}

/* A metric name from a status key: [a-z0-9_] kept, anything else '_'. */
static void metric_name(char *dst, size_t size, const char *pfx, const char *k, size_t len,
			const char *sfx)
{
	size_t n = (size_t)snprintf(dst, size, "%s", pfx), i;

	for (i = 0; i < len && n + 1 < size; i++)
		dst[n++] = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') ? k[i] :
											  '_';
	dst[n] = '\0';
	if (!strcmp(sfx, "_total") && len >= 2 && !strncmp(k + len - 2, "_s", 2))
		sfx = "";
	snprintf(dst + n, size - n, "%s", sfx);
}

/* One sample: "# HELP", "# TYPE" once per family (@seen), then NAME{LABELS} VALUE. */
static void sample(struct ua_buf *out, struct ua_buf *seen, const char *name, int gauge,
		   const char *labels, const char *v, size_t vlen)
{
	char key[160];

	/* @seen: "\nNAME\nNAME\n...": the families declared so far. */
	snprintf(key, sizeof(key), "\n%s\n", name);
	if (!seen->data || !strstr(seen->data, key)) {
		ua_buf_addf(seen, "%s\n", name);
		ua_buf_addf(out, "# HELP %s uringaudit status: see uringaudit(8)\n", name);
		ua_buf_addf(out, "# TYPE %s %s\n", name, gauge ? "gauge" : "counter");
	}
	if (vlen == 4 && !strncmp(v, "true", 4))
		v = "1", vlen = 1;
	else if (vlen == 5 && !strncmp(v, "false", 5))
		v = "0", vlen = 1;
	ua_buf_addf(out, "%s%s %.*s\n", name, labels, (int)vlen, v);
}

/*
 * The status object as metrics in the text format node_exporter's textfile
 * collector reads: uringaudit_KEY (counters as uringaudit_KEY_total, the
 * uptime as uringaudit_uptime_seconds), booleans 0/1, the backend as a label of
 * uringaudit_info, each sink's numbers labelled {sink="...",kind="..."}.
 */
static void print_metrics(const char *json)
{
	struct ua_buf out = UA_BUF_INIT, seen = UA_BUF_INIT, labels = UA_BUF_INIT;
	const char *p = json;
	char name[160];

	ua_buf_addch(&seen, '\n');
	while ((p = strchr(p, '"'))) {
		const char *k = p + 1, *ke = strchr(k, '"'), *v, *ve;
		size_t klen;

		if (!ke || ke[1] != ':')
			break;
		klen = (size_t)(ke - k);
		v = ke + 2;
		if (*v == '[') {
			const char *o = v + 1, *end = strchr(v, ']');

			while (end && (o = strchr(o, '{')) && o < end) {
				const char *oe = strchr(o, '}'), *f, *nm = NULL, *kd = NULL;
				size_t nml = 0, kdl = 0;

				if (!oe)
					break;
				/* the labels first */
				for (f = o + 1; (f = strchr(f, '"')) && f < oe;) {
					const char *fe = strchr(f + 1, '"'), *fv = fe + 2;
					const char *fve = *fv == '"' ? strchr(fv + 1, '"') + 1 :
								       fv + strcspn(fv, ",}");

					if (fe - f - 1 == 4 && !strncmp(f + 1, "name", 4))
						nm = fv, nml = (size_t)(fve - fv);
					if (fe - f - 1 == 4 && !strncmp(f + 1, "kind", 4))
						kd = fv, kdl = (size_t)(fve - fv);
					f = fve;
				}
				ua_buf_reset(&labels);
				ua_buf_addf(&labels, "{sink=%.*s,kind=%.*s}", (int)nml,
					    nm ? nm : "\"\"", (int)kdl, kd ? kd : "\"\"");
				for (f = o + 1; (f = strchr(f, '"')) && f < oe;) {
					const char *fe = strchr(f + 1, '"'), *fv = fe + 2;
					size_t fl = (size_t)(fe - f - 1);
					const char *fve = *fv == '"' ? strchr(fv + 1, '"') + 1 :
								       fv + strcspn(fv, ",}");

					if (*fv != '"' && !(fl == 3 && !strncmp(f + 1, "pid", 3))) {
						metric_name(name, sizeof(name), "uringaudit_sink_",
							    f + 1, fl,
							    is_gauge(f + 1, fl) ? "" : "_total");
						sample(&out, &seen, name, is_gauge(f + 1, fl),
						       labels.data, fv, (size_t)(fve - fv));
					}
					f = fve;
				}
				o = oe + 1;
			}
			p = end ? end + 1 : v + strlen(v);
			continue;
		}
		if (*v == '"') {
			ve = str_end(v) - 1;
			if (*ve != '"')
				break;
			if (klen == 7 && !strncmp(k, "backend", 7)) {
				ua_buf_reset(&labels);
				ua_buf_addf(&labels, "{backend=%.*s}", (int)(ve + 1 - v), v);
				sample(&out, &seen, "uringaudit_info", 1, labels.data, "1", 1);
			}
			/* the protection state: uringaudit_KEY_info{KEY="on"} 1 */
			if ((klen == 6 && !strncmp(k, "tamper", 6)) ||
			    (klen == 11 && !strncmp(k, "enforcement", 11))) {
				ua_buf_reset(&labels);
				ua_buf_addf(&labels, "{%.*s=%.*s}", (int)klen, k, (int)(ve + 1 - v),
					    v);
				metric_name(name, sizeof(name), "uringaudit_", k, klen, "_info");
				sample(&out, &seen, name, 1, labels.data, "1", 1);
			}
			p = ve + 1;
			continue;
		}
		ve = v + strcspn(v, ",}");
		if (!(klen == 3 && !strncmp(k, "pid", 3))) {
			metric_name(name, sizeof(name), "uringaudit_",
				    klen == 8 && !strncmp(k, "uptime_s", 8) ? "uptime_seconds" : k,
				    klen == 8 && !strncmp(k, "uptime_s", 8) ? 14 : klen,
				    is_gauge(k, klen) ? "" : "_total");
			sample(&out, &seen, name, is_gauge(k, klen), "", v, (size_t)(ve - v));
		}
		p = ve;
	}
	fputs(out.data ? out.data : "", stdout);
	ua_buf_release(&out);
	ua_buf_release(&seen);
	ua_buf_release(&labels);
}

int ua_status_query(const char *path, int json)
{
	struct ua_buf reply = UA_BUF_INIT;
	int rc = ua_ctl_request(path, "status", &reply);

	if (!rc) {
		if (json == 2)
			print_metrics(reply.data);
		else if (json)
			fputs(reply.data, stdout);
		else
			print_text(reply.data);
	}
	ua_buf_release(&reply);
	return rc;
}

/* Control socket round trip: the reply's first line is an exit code. */
int ua_ctl_call(const char *sock, const char *cmd, int quiet_ok)
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
	if (body && body[1] && (code || quiet_ok))
		ua_say_lines(body + 1); /* messages: one "uringaudit: " a line */
	else if (body && body[1])
		fputs(body + 1, stdout);
	ua_buf_release(&reply);
	return code;
}

/* ---- server ---- */

/*
 * Control connections: one request per connection, a command line in, a
 * reply out. Served from the event loop without ever blocking it: a client
 * that connects and says nothing must not stop the ring buffer from being
 * drained (at 300k records/s the default buffer fills in ~70 ms).
 */

int ua_control_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	rc = fill_addr(&sa, path);
	if (rc) {
		snprintf(err, errlen, "status socket path '%s' is too long", path);
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a daemon that was killed: replace it, but refuse
	 * when another daemon answers on it. */
	if (!lstat(path, &st)) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "'%s' exists and is not a socket", path);
			close(fd);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			close(fd);
			snprintf(err, errlen, "another uringaudit answers on '%s'", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(fd, 8)) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on '%s': %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

void ua_control_close(int fd, const char *path)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

void ua_control_init(struct daemon *d)
{
	int i;

	for (i = 0; i < UA_CTL_CLIENTS; i++)
		d->clients[i].fd = -1;
}

/* "sinks": each sink besides the log: the JSON log, stdout, plugins, audit. */
static void status_sinks(struct daemon *d, struct ua_buf *b)
{
	unsigned int i;
	int first = 1;

	ua_buf_addstr(b, ",\"sinks\":[");
	if (d->sinks.json_log) {
		ua_buf_addf(b,
			    "{\"name\":\"json_log\",\"kind\":\"log\",\"unwritten\":%llu,"
			    "\"write_errors\":%llu,\"suspended\":%s,\"rotations\":%llu}",
			    (unsigned long long)d->json_sink.lost_total,
			    (unsigned long long)d->json_sink.write_errors,
			    d->json_sink.suspended ? "true" : "false",
			    (unsigned long long)d->json_sink.rotations);
		first = 0;
	}
	for (i = 0; i < d->sinks.nq; i++) {
		struct ua_qsink_stats st;
		struct ua_buf name = UA_BUF_INIT;

		ua_qsink_stats(d->sinks.q[i], &st);
		ua_escape_json(&name, ua_qsink_name(d->sinks.q[i]),
			       strlen(ua_qsink_name(d->sinks.q[i])));
		ua_buf_addf(b,
			    "%s{\"name\":%s,\"kind\":\"%s\",\"queued\":%u,\"queued_max\":%u,"
			    "\"q_depth\":%u,\"delivered\":%llu,\"dropped\":%llu,"
			    "\"write_errors\":%llu,\"lost_said\":%llu,\"truncated\":%llu,"
			    "\"exits\":%llu,\"restarts\":%llu,\"running\":%s,\"pid\":%d}",
			    first ? "" : ",", name.data ? name.data : "\"\"",
			    !strncmp(ua_qsink_name(d->sinks.q[i]), "plugin:", 7) ? "plugin" :
			    !strcmp(ua_qsink_name(d->sinks.q[i]), "audit")	 ? "audit" :
										   "stdout",
			    st.queued, st.queued_max, d->o.q_depth, (unsigned long long)st.written,
			    (unsigned long long)st.dropped, (unsigned long long)st.write_errors,
			    (unsigned long long)st.lost_said, (unsigned long long)st.truncated,
			    (unsigned long long)st.exits, (unsigned long long)st.restarts,
			    st.running ? "true" : "false", (int)st.pid);
		ua_buf_release(&name);
		first = 0;
	}
	ua_buf_addch(b, ']');
}

/* The per-op backend: the handlers attached, the selected ops the
 * tracepoint programs serve, or why --backend perop could not run. */
static void status_perop(struct daemon *d, struct ua_buf *b)
{
	char names[2048];
	uint64_t fb[4];
	unsigned int op;
	int first = 1;

	if (!d->loader.perop) {
		if (d->loader.perop_why[0]) {
			ua_buf_addstr(b, ",\"perop_unavailable\":");
			ua_escape_json(b, d->loader.perop_why, strlen(d->loader.perop_why));
		}
		return;
	}
	ua_perop_describe(&d->loader, names, sizeof(names));
	ua_buf_addstr(b, ",\"perop_handlers\":");
	ua_escape_json(b, names, strlen(names));
	ua_perop_fallback(&d->loader, fb);
	ua_buf_addstr(b, ",\"perop_fallback\":[");
	for (op = 0; op < 256; op++)
		if (fb[op / 64] & (1ULL << (op % 64))) {
			ua_buf_addf(b, "%s%u", first ? "" : ",", op);
			first = 0;
		}
	ua_buf_addstr(b, "]");
	/* late ops whose result the completion tracepoint takes */
	ua_perop_late_tp(&d->loader, fb);
	ua_buf_addf(b, ",\"perop_retiring\":%u", ua_perop_retiring(&d->loader));
	ua_buf_addstr(b, ",\"perop_late_tracepoint\":[");
	for (op = 0, first = 1; op < 256; op++)
		if (fb[op / 64] & (1ULL << (op % 64))) {
			ua_buf_addf(b, "%s%u", first ? "" : ",", op);
			first = 0;
		}
	ua_buf_addstr(b, "]");
	if (ua_perop_late_why(&d->loader, names, sizeof(names))) {
		ua_buf_addstr(b, ",\"perop_late_why\":");
		ua_escape_json(b, names, strlen(names));
	}
}

/*
 * What protects the records: tamper resistance (on only with the rules
 * locked and BPF-LSM working: else off and why) and enforcement (deny and
 * kill rules or --deny policies: on where BPF-LSM stops requests,
 * best-effort where it does not and the rules say so, off without any).
 * The same words as the start and lock records.
 */
static void status_protection(struct daemon *d, struct ua_buf *b)
{
	const char *why = d->tamper	   ? NULL :
			  !d->locked	   ? "the rules are not locked (-e 2)" :
			  d->tamper_why[0] ? d->tamper_why :
					     "not tried";
	const char *enf = ua_enforce_state(d);

	ua_buf_addf(b, ",\"tamper\":\"%s\"", d->tamper ? "on" : "off");
	if (why) {
		ua_buf_addstr(b, ",\"tamper_why\":");
		ua_escape_json(b, why, strlen(why));
	}
	ua_buf_addf(b, ",\"enforcement\":\"%s\"", enf);
	if (!strcmp(enf, "best-effort")) {
		ua_buf_addstr(b, ",\"enforcement_why\":");
		ua_escape_json(b, d->lsm_why, strlen(d->lsm_why));
	}
}

static void status_json(struct daemon *d, struct ua_buf *b)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);

	ua_buf_addf(
		b,
		"{\"pid\":%d,\"uptime_s\":%llu,\"backend\":\"%s\",\"rules\":%zu,"
		"\"locked\":%s,\"selected\":%llu,\"events\":%llu,\"recorded\":%llu,\"lost\":%llu,"
		"\"lost_declared\":%llu,\"lost_records\":%llu,\"pending\":%llu,"
		"\"pending_full\":%llu,\"overflow\":%llu,\"concluded_skipped\":%llu,"
		"\"concluded_none\":%llu,\"not_selected\":%llu,\"orphan_completions\":%llu,"
		"\"rings_seen\":%llu,\"rings_torn_down\":%llu,\"write_errors\":%llu,\"unwritten\":%llu,"
		"\"log_suspended\":%s,\"log_rotations\":%llu,\"holder_listings\":%llu,"
		"\"holders_listed\":%llu,\"holder_listing_us\":%llu,\"untracked\":%llu,\"unseen\":%llu,"
		"\"overflow_unmatched\":%llu,\"lost_gaps\":%llu,\"lost_unattributed\":%llu,"
		"\"budget\":%llu,\"drains_cut\":%llu,\"loop_max_us\":%llu,\"loop_max_cpu_us\":%llu,"
		"\"top_droppers\":[",
		getpid(), (unsigned long long)((ua_now_ms() - d->started_ms) / 1000),
		ua_loader_backend(&d->loader), d->rules.n, d->locked ? "true" : "false",
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_SELECTED),
		(unsigned long long)s->events, (unsigned long long)s->recorded,
		(unsigned long long)(ua_loader_counter(&d->loader, UA_CNT_DROPPED) - s->lost_base),
		(unsigned long long)s->lost_declared, (unsigned long long)s->lost_records,
		(unsigned long long)s->pending,
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_PENDING_FULL),
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_OVERFLOW),
		(unsigned long long)s->concluded_skipped, (unsigned long long)s->concluded_none,
		(unsigned long long)s->not_selected, (unsigned long long)s->orphan_completions,
		(unsigned long long)s->rings_seen, (unsigned long long)s->rings_torn_down,
		(unsigned long long)s->write_errors, (unsigned long long)d->sink.lost_total,
		d->sink.suspended ? "true" : "false", (unsigned long long)d->sink.rotations,
		(unsigned long long)s->holder_listings, (unsigned long long)s->holders_listed,
		(unsigned long long)s->holder_listing_us,
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_UNTRACKED),
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_UNSEEN),
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_OVERFLOW_UNMATCHED),
		(unsigned long long)s->lost_gaps,
		(unsigned long long)(ua_loader_counter(&d->loader, UA_CNT_DROP_UNATTRIBUTED) +
				     ua_loader_counter(&d->loader, UA_CNT_BUDGET_UNATTRIBUTED)),
		(unsigned long long)ua_loader_counter(&d->loader, UA_CNT_BUDGET),
		(unsigned long long)d->drains_cut, (unsigned long long)d->loop_max_us,
		(unsigned long long)d->loop_max_cpu_us);
	{
		const struct ua_dropper_info *t;
		size_t i, n = ua_consumer_top_droppers(d->consumer, &t);

		for (i = 0; i < n; i++) {
			ua_buf_addf(b, "%s{\"pid\":%u,\"uid\":%u,\"comm\":", i ? "," : "", t[i].pid,
				    t[i].uid);
			ua_escape_json(b, t[i].comm, strlen(t[i].comm));
			if (t[i].op != UA_DROP_OP_RING)
				ua_buf_addf(b, ",\"uring_op\":%u", t[i].op);
			ua_buf_addf(b, ",\"op\":\"%s\",\"lost\":%llu}",
				    t[i].op_name ? t[i].op_name : "unknown",
				    (unsigned long long)t[i].lost);
		}
		ua_buf_addstr(b, "]");
	}
	status_sinks(d, b);
	/* What this kernel makes the daemon do otherwise: the loader's lines
	 * (constants of its own, no character JSON escapes). */
	ua_buf_addstr(b, ",\"degraded\":[");
	for (int i = 0; i < d->loader.ndegraded; i++)
		ua_buf_addf(b, "%s\"%s\"", i ? "," : "", d->loader.degraded[i].why);
	ua_buf_addstr(b, "]");
	status_perop(d, b);
	status_protection(d, b);
	ua_buf_addstr(b, "}\n");
}

static void ctl_close(struct daemon *d, struct ua_ctl_client *c)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	ua_buf_release(&c->in);
	ua_buf_release(&c->out);
}

static void ctl_dispatch(struct daemon *d, struct ua_ctl_client *c)
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
	} else if (!strcmp(req, "reload") && cred.uid == 0) {
		ua_reconfig_reopen(d, cred.pid, cred.uid, &c->out);
	} else if (!strncmp(req, "load\t", 5) && cred.uid == 0) {
		const char *paths[UA_RULE_PATHS_MAX];
		size_t np = 0;
		char *p = req + 5, *t;

		while (np < UA_RULE_PATHS_MAX && (t = strsep(&p, "\t")))
			if (*t)
				paths[np++] = t;
		ua_reconfig_reload(d, paths, np, cred.pid, cred.uid, &c->out);
	} else {
		ua_buf_addstr(&c->out, "2\nunknown or unauthorised request\n");
	}
}

static void ctl_write(struct daemon *d, struct ua_ctl_client *c)
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

void ua_control_accept(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, i;

	while ((fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		for (i = 0; i < UA_CTL_CLIENTS && d->clients[i].fd >= 0; i++)
			;
		if (i == UA_CTL_CLIENTS) {
			close(fd); /* busy: the client sees a closed connection */
			continue;
		}
		d->clients[i].fd = fd;
		d->clients[i].since_ms = ua_now_ms();
		d->clients[i].sent = 0;
		ua_buf_init(&d->clients[i].in);
		ua_buf_init(&d->clients[i].out);
		ev.data.fd = fd;
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* An event on a client's fd; 0 if @fd is no client. */
int ua_control_event(struct daemon *d, int fd, uint32_t events)
{
	struct ua_ctl_client *c = NULL;
	char buf[4096];
	ssize_t n;
	int i;

	for (i = 0; i < UA_CTL_CLIENTS; i++)
		if (d->clients[i].fd == fd)
			c = &d->clients[i];
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
void ua_control_expire(struct daemon *d)
{
	uint64_t now = ua_now_ms();
	int i;

	for (i = 0; i < UA_CTL_CLIENTS; i++)
		if (d->clients[i].fd >= 0 && now - d->clients[i].since_ms > UA_CTL_TIMEOUT_MS)
			ctl_close(d, &d->clients[i]);
}

void ua_control_close_all(struct daemon *d)
{
	int i;

	for (i = 0; i < UA_CTL_CLIENTS; i++)
		if (d->clients[i].fd >= 0)
			ctl_close(d, &d->clients[i]);
}
