// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The records the daemon writes about itself, beside the requests it
 * records: URING_DAEMON (start, stop) and URING_CONFIG (a rule change), and
 * the start-up read of the previous log that lets a start say the daemon
 * before it did not stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_state.h"

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
int ua_previous_unclean(const char *path, char *last_time, size_t len)
{
	char buf[65536], *line, *end;
	struct ua_line_head h;
	/* O_NONBLOCK: a FIFO planted at the path must not hold the start up. */
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) :
				     -1;
	struct stat st;
	off_t size;
	ssize_t n;
	int torn = 0;

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
	/* A last line without its newline: the writer died in the middle of
	 * it (kill -9 during a flood). That is an unclean stop; the fragment
	 * says nothing more, so the complete lines before it are read. */
	if (buf[n - 1] != '\n') {
		torn = 1;
		while (n > 0 && buf[n - 1] != '\n')
			buf[--n] = '\0';
	}
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* time of the last line */
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	if (ua_line_head(line, buf + n, &h))
		return 0;
	snprintf(last_time, len, "%.*s", (int)h.time_len, h.time);
	/* the last daemon record */
	for (end = buf + n; end > buf;) {
		for (line = end; line > buf && line[-1] != '\n'; line--)
			;
		/* A stop is the last record a daemon writes; anything else
		 * (a start, a rotation, a sink's loss) last means it was killed. */
		if (ua_line_is(line, end, "URING_DAEMON", NULL))
			return torn || !ua_line_is(line, end, "URING_DAEMON", "stop");
		end = line > buf ? line - 1 : buf;
	}
	/* No daemon record in the last 64 KiB of a longer log: its writer
	 * recorded that much after its last start or transition and wrote no
	 * stop after it (a stop is the last record a daemon writes). With the
	 * default rules a busy machine fills that in seconds. */
	return torn || size > (off_t)sizeof(buf) - 1;
}

/* A record's time as the log has it, SECONDS.MILLIS, to ns since the epoch.
 * -EINVAL for anything else: the log's tail is read, not trusted. */
static int parse_time(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, ms = 0;
	int digits = 0, frac = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (digits == 19)
			return -EINVAL;
		sec = sec * 10 + (uint64_t)(*s - '0');
	}
	if (!digits || sec > UINT64_MAX / 1000000000u - 1)
		return -EINVAL;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && frac < 3; s++, frac++)
			ms = ms * 10 + (uint64_t)(*s - '0');
	if (*s)
		return -EINVAL;
	while (frac++ < 3)
		ms *= 10;
	*ns = sec * 1000000000u + ms * 1000000u;
	return 0;
}

/* Locked rules: whether other processes are kept from undoing them (tamper
 * resistance, BPF-LSM: tamper=on), or not and why (tamper=off tamper_why=). */
static size_t tamper_kv(const struct daemon *d, struct ua_kv *kv, size_t n)
{
	kv[n++] = ua_kv_word("tamper", d->tamper ? "on" : "off");
	if (!d->tamper)
		kv[n++] = ua_kv_cstr("tamper_why", d->tamper_why);
	return n;
}

/* The names of the ops in @mask, joined by commas, into @buf. */
static void op_names(const struct daemon *d, const uint64_t mask[4], char *buf, size_t len)
{
	unsigned int op;

	buf[0] = '\0';
	for (op = 0; op < 256; op++) {
		const char *name = ua_optable_name(&d->ops, op);
		size_t m = strlen(buf);

		if (!(mask[op / 64] & (1ULL << (op % 64))) || !name)
			continue;
		snprintf(buf + m, len - m, "%s%s", m ? "," : "", name);
	}
}

void ua_record_daemon(struct daemon *d, const char *op, const struct signalfd_siginfo *si)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);
	struct ua_kv kv[24];
	char degraded[128] = "";
	char fallback[512] = "", late_tp[512] = "", late_why[600] = "";
	uint64_t since_ns;
	size_t n = 0;

	kv[n++] = (struct ua_kv){ .key = "op", .kind = UA_KV_WORD, .str = op, .len = strlen(op) };
	kv[n++] = (struct ua_kv){ .key = "pid", .kind = UA_KV_U64, .u = (uint64_t)getpid() };
	if (!strcmp(op, "start")) {
		kv[n++] = (struct ua_kv){ .key = "version",
					  .kind = UA_KV_WORD,
					  .str = UA_VERSION,
					  .len = strlen(UA_VERSION) };
		const char *be = ua_loader_backend(&d->loader);

		kv[n++] = (struct ua_kv){
			.key = "backend", .kind = UA_KV_WORD, .str = be, .len = strlen(be)
		};
		/* --backend auto on the tracepoint backend: why not perop */
		if (d->loader.perop_auto && !d->loader.perop && d->loader.perop_why[0])
			kv[n++] = ua_kv_cstr("backend_reason", d->loader.perop_why);
		kv[n++] = (struct ua_kv){ .key = "rules", .kind = UA_KV_U64, .u = d->rules.n };
		kv[n++] = ua_kv_u64("format_version", UA_FORMAT_VERSION);
		/* what this kernel makes the daemon do otherwise (the loader's
		 * codes, words joined by commas); absent when nothing */
		if (d->loader.ndegraded) {
			for (int i = 0; i < d->loader.ndegraded; i++) {
				size_t m = strlen(degraded);

				snprintf(degraded + m, sizeof(degraded) - m, "%s%s", i ? "," : "",
					 d->loader.degraded[i].code);
			}
			kv[n++] = (struct ua_kv){ .key = "degraded",
						  .kind = UA_KV_WORD,
						  .str = degraded,
						  .len = strlen(degraded) };
		}
		if (d->locked)
			n = tamper_kv(d, kv, n);
		/* The per-op backend: the selected ops whose handlers could not
		 * be attached, served by the tracepoint programs. */
		if (d->loader.perop) {
			uint64_t fb[4];

			ua_perop_fallback(&d->loader, fb);
			op_names(d, fb, fallback, sizeof(fallback));
			if (fallback[0])
				kv[n++] = (struct ua_kv){ .key = "perop_fallback",
							  .kind = UA_KV_WORD,
							  .str = fallback,
							  .len = strlen(fallback) };
			/* late ops whose result the completion tracepoint
			 * takes: it runs for every completion then */
			ua_perop_late_tp(&d->loader, fb);
			op_names(d, fb, late_tp, sizeof(late_tp));
			if (late_tp[0]) {
				kv[n++] = ua_kv_word("perop_late_tracepoint", late_tp);
				if (ua_perop_late_why(&d->loader, late_why, sizeof(late_why)))
					kv[n++] = ua_kv_cstr("perop_late_why", late_why);
			}
		}
		if (d->prev_unclean) {
			kv[n++] = (struct ua_kv){
				.key = "previous", .kind = UA_KV_WORD, .str = "unclean", .len = 7
			};
			if (!parse_time(d->prev_time, &since_ns))
				kv[n++] = ua_kv_time("unrecorded_since", since_ns);
		}
		/* Pinned state: found and reattached to, made anew, or made
		 * anew in place of a set that could not be reused (why). */
		if (d->loader.pins.dir) {
			const struct ua_pins *p = &d->loader.pins;
			const char *how = p->reused	 ? "reattached" :
					  p->replaced[0] ? "replaced" :
							   "new";
			const char *why = p->replaced;

			kv[n++] = (struct ua_kv){
				.key = "pin", .kind = UA_KV_WORD, .str = how, .len = strlen(how)
			};
			if (!p->reused && *why)
				kv[n++] = (struct ua_kv){ .key = "pin_reason",
							  .kind = UA_KV_STR,
							  .str = why,
							  .len = strlen(why) };
		}
	} else if (!strcmp(op, "lock")) {
		/* a reload locked the rules (-e 2) */
		n = tamper_kv(d, kv, n);
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
		kv[n++] = (struct ua_kv){ .key = "lost", .kind = UA_KV_U64, .u = s->lost_declared };
	}
	ua_consumer_event(d->consumer, "URING_DAEMON", kv, n);
	ua_consumer_flush(d->consumer);
}

/*
 * After a reattach: what the programs did while no daemon ran, from the
 * state the previous daemon left (its mark and counters) to the reattach.
 * Written once, after the kept events were read.
 */
void ua_record_restart(struct daemon *d)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);
	const struct ua_pin_state *prev = &d->loader.pins.prev;
	const struct ua_loader *l = &d->loader;
	uint64_t events = l->reattach_seq > prev->seq_base ? l->reattach_seq - prev->seq_base : 0;
	struct ua_kv kv[14];
	size_t n = 0;

	kv[n++] = (struct ua_kv){ .key = "op", .kind = UA_KV_WORD, .str = "restart", .len = 7 };
	kv[n++] = (struct ua_kv){ .key = "pid", .kind = UA_KV_U64, .u = (uint64_t)getpid() };
	kv[n++] = (struct ua_kv){ .key = "previous_pid", .kind = UA_KV_U64, .u = prev->pid };
	if (prev->updated_ns)
		kv[n++] = ua_kv_time("down_since", prev->updated_ns);
	kv[n++] = (struct ua_kv){ .key = "selected",
				  .kind = UA_KV_U64,
				  .u = l->reattach_cnt[0] - prev->selected };
	kv[n++] = (struct ua_kv){ .key = "events", .kind = UA_KV_U64, .u = events };
	kv[n++] = (struct ua_kv){ .key = "kept", .kind = UA_KV_U64, .u = d->kept };
	kv[n++] = (struct ua_kv){ .key = "lost",
				  .kind = UA_KV_U64,
				  .u = events > d->kept ? events - d->kept : 0 };
	kv[n++] = (struct ua_kv){ .key = "recorded", .kind = UA_KV_U64, .u = s->recorded };
	kv[n++] = (struct ua_kv){ .key = "pending", .kind = UA_KV_U64, .u = s->pending };
	kv[n++] = (struct ua_kv){ .key = "resumed", .kind = UA_KV_U64, .u = d->resumed };
	kv[n++] = (struct ua_kv){ .key = "held", .kind = UA_KV_U64, .u = d->held };
	ua_consumer_event(d->consumer, "URING_DAEMON", kv, n);
	ua_consumer_flush(d->consumer);
}

/* The counters, as `uringaudit status` names them. */
void ua_record_heartbeat(struct daemon *d)
{
	const struct ua_stats *s = ua_consumer_stats(d->consumer);
	struct ua_kv kv[12];
	size_t n = 0;

	kv[n++] = (struct ua_kv){ .key = "op", .kind = UA_KV_WORD, .str = "heartbeat", .len = 9 };
	kv[n++] = (struct ua_kv){ .key = "pid", .kind = UA_KV_U64, .u = (uint64_t)getpid() };
	kv[n++] = (struct ua_kv){ .key = "uptime_s",
				  .kind = UA_KV_U64,
				  .u = (ua_now_ms() - d->started_ms) / 1000 };
	kv[n++] = (struct ua_kv){ .key = "selected",
				  .kind = UA_KV_U64,
				  .u = ua_loader_counter(&d->loader, UA_CNT_SELECTED) };
	kv[n++] = (struct ua_kv){ .key = "events", .kind = UA_KV_U64, .u = s->events };
	kv[n++] = (struct ua_kv){ .key = "recorded", .kind = UA_KV_U64, .u = s->recorded };
	kv[n++] =
		(struct ua_kv){ .key = "lost",
				.kind = UA_KV_U64,
				.u = ua_loader_counter(&d->loader, UA_CNT_DROPPED) - s->lost_base };
	kv[n++] =
		(struct ua_kv){ .key = "lost_declared", .kind = UA_KV_U64, .u = s->lost_declared };
	kv[n++] = (struct ua_kv){ .key = "pending", .kind = UA_KV_U64, .u = s->pending };
	kv[n++] = (struct ua_kv){ .key = "unwritten", .kind = UA_KV_U64, .u = d->sink.lost_total };
	kv[n++] = (struct ua_kv){ .key = "rules", .kind = UA_KV_U64, .u = d->rules.n };
	ua_consumer_event(d->consumer, "URING_DAEMON", kv, n);
	ua_consumer_flush(d->consumer);
}

/* The record of a configuration change, successful or not. */
void ua_record_config(struct daemon *d, const char *op, const char *res, const char *const *paths,
		      size_t n, pid_t pid, uid_t uid, const char *reason)
{
	struct ua_buf files = UA_BUF_INIT;
	struct ua_kv kv[8];
	size_t k = 0, i;
	const char *nl;

	for (i = 0; i < n; i++)
		ua_buf_addf(&files, "%s%s", i ? "," : "", paths[i]);
	kv[k++] = (struct ua_kv){ .key = "op", .kind = UA_KV_WORD, .str = op, .len = strlen(op) };
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
