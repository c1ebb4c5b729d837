// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Sinks that must never hold the daemon up: stdout (beside a log file), an
 * auditd plugin (auditd-plugins(5): a program exec'd with records on its
 * stdin) and the kernel's audit stream (libaudit). Each has a writer thread
 * and a bounded queue of whole records (q_depth); the event loop only
 * appends to the queue, under a mutex, and never waits. A record that does
 * not fit is dropped and counted, with its sequence number: the sink is told
 * by a URING_LOST record ahead of the next records it takes, the log by a
 * URING_DAEMON op=sink_loss record. A plugin that dies is restarted
 * (max_restarts times, as auditd does), each exit and restart recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libaudit.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/* Each a batch of whole records, as one flush handed them over. */
struct qchunk {
	struct qchunk *next;
	size_t len;
	unsigned int nrec;
	char data[];
};

struct ua_qsink {
	enum ua_qsink_kind kind;
	char name[80];
	enum ua_format format;
	unsigned int q_depth;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thr;
	int thr_started;
	struct qchunk *head, *tail;
	unsigned int queued; /* records */
	int stop;
	int fd; /* stdout, the plugin's socket, the audit netlink socket; -1 */

	/* Records not delivered, not yet said to the sink (URING_LOST). */
	uint64_t lost, lost_first, lost_last;
	char lost_reason[16];
	/* Not yet said to the log (op=sink_loss). */
	uint64_t unsaid, unsaid_first, unsaid_last;
	char unsaid_reason[16];

	struct ua_qsink_stats st;

	/* plugins */
	struct ua_plugin_conf pc;
	pid_t pid;
	unsigned int max_restarts;
	int gone;	  /* restarts exhausted, or it could not be started */
	int dead;	  /* the writer saw it go (EPIPE) */
	int busy;	  /* the writer is using fd outside the lock */
	int need_restart; /* reaped; started again once the writer let go of fd */
};

const char *ua_next_record_line(const char **p, const char *end, const char **le)
{
	while (*p < end) {
		const char *l = *p, *nl = memchr(l, '\n', (size_t)(end - l));

		*le = nl ? nl : end;
		*p = nl ? nl + 1 : end;
		/* A URINGOP record's PATH lines are part of that record, not records. */
		if ((size_t)(*le - l) >= 10 && memcmp(l, "type=PATH ", 10) == 0)
			continue;
		return l;
	}
	return NULL;
}

/*
 * Is [l, le) an op=sink_loss record naming @q itself (text or JSON)? Such a
 * record says only what @q lost; were its own loss to @q counted, another
 * would say it a second later, and so on for as long as @q does not take
 * records (a plugin gone, or stalled with its queue full).
 */
static int own_sink_loss(const struct ua_qsink *q, const char *l, const char *le)
{
	struct ua_line_head h;
	char k[sizeof(q->name) + 32];
	int kl;

	if (!ua_line_is(l, le, "URING_DAEMON", "sink_loss") || ua_line_head(l, le, &h))
		return 0;
	/* The op, then the sink: the first two fields, by position. */
	if (*l == 't')
		kl = snprintf(k, sizeof(k), " op=sink_loss sink=\"%s\" ", q->name);
	else
		kl = snprintf(k, sizeof(k), ",\"op\":\"sink_loss\",\"sink\":\"%s\",", q->name);
	return kl > 0 && (size_t)kl < sizeof(k) && (size_t)(le - h.body) >= (size_t)kl &&
	       !memcmp(h.body, k, (size_t)kl);
}

/* Count @data's records as lost (with q->mu held), but for @q's own
 * op=sink_loss records (own_sink_loss()). */
static void drop(struct ua_qsink *q, const char *data, size_t len, const char *reason)
{
	const char *p = data, *end = data + len, *l, *le;

	while ((l = ua_next_record_line(&p, end, &le))) {
		uint64_t seq = ua_line_seq(l, le);

		if (own_sink_loss(q, l, le))
			continue;
		q->st.dropped++;
		q->lost++;
		q->unsaid++;
		if (seq && (!q->lost_first || seq < q->lost_first))
			q->lost_first = seq;
		if (seq > q->lost_last)
			q->lost_last = seq;
		if (seq && (!q->unsaid_first || seq < q->unsaid_first))
			q->unsaid_first = seq;
		if (seq > q->unsaid_last)
			q->unsaid_last = seq;
	}
	snprintf(q->lost_reason, sizeof(q->lost_reason), "%s", reason);
	snprintf(q->unsaid_reason, sizeof(q->unsaid_reason), "%s", reason);
}

static unsigned int count_lines(const char *p, size_t len, size_t *cut, unsigned int max)
{
	const char *s = p, *end = p + len;
	unsigned int n = 0;

	*cut = 0;
	while (s < end && n < max) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		s = nl ? nl + 1 : end;
		n++;
		*cut = (size_t)(s - p);
	}
	return n;
}

void ua_qsink_put(struct ua_qsink *q, const char *data, size_t len)
{
	struct qchunk *c = NULL;
	unsigned int room, n;
	size_t cut;

	if (!len)
		return;
	pthread_mutex_lock(&q->mu);
	if (q->gone) {
		drop(q, data, len, q->kind == UA_QS_PLUGIN ? "plugin_gone" : "sink_gone");
		pthread_mutex_unlock(&q->mu);
		return;
	}
	room = q->queued < q->q_depth ? q->q_depth - q->queued : 0;
	n = count_lines(data, len, &cut, room);
	if (n)
		c = malloc(sizeof(*c) + cut);
	if (c) {
		c->next = NULL;
		c->len = cut;
		c->nrec = n;
		memcpy(c->data, data, cut);
		if (q->tail)
			q->tail->next = c;
		else
			q->head = c;
		q->tail = c;
		q->queued += n;
		q->st.queued_total += n;
		if (q->queued > q->st.queued_max)
			q->st.queued_max = q->queued;
		pthread_cond_signal(&q->cv);
	} else {
		cut = 0;
	}
	if (cut < len)
		drop(q, data + cut, len - cut, "queue_full");
	pthread_mutex_unlock(&q->mu);
}

/* ---- delivery, in the writer thread ---- */

static int write_all(int fd, const char *p, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(fd, p + *done, len - *done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		*done += (size_t)n;
	}
	return 0;
}

/*
 * One text record into the kernel's audit stream: a TRUSTED_APP message
 * ("freestyle text" in the user message range the kernel accepts from a
 * process with CAP_AUDIT_WRITE). The kernel writes it as
 * type=TRUSTED_APP msg=audit(...): pid= uid= auid= ses= ... msg='...' with
 * our record inside: its own type, time and sequence number become
 * uring_record=, uring_time= and uring_seq= (two msg= in one line would
 * confuse the parsers). The kernel cuts the text at 8560 bytes
 * (AUDIT_MESSAGE_TEXT_MAX): a longer record is cut before, and counted.
 */
#define UA_AUDIT_TEXT_MAX (8560 - 256) /* room for libaudit's exe= ... res= */
static int audit_send_line(struct ua_qsink *q, const char *p, size_t len)
{
	char msg[UA_AUDIT_TEXT_MAX + 1];
	const char *end = p + len, *body;
	struct ua_line_head h;
	size_t n;
	int rc;

	/* type=X msg=audit(T:S): body */
	if (len < 5 || memcmp(p, "type=", 5) || ua_line_head(p, end, &h))
		return -EINVAL;
	body = h.body < end && *h.body == ' ' ? h.body + 1 : h.body;
	n = (size_t)snprintf(msg, sizeof(msg),
			     "uring_record=%.*s uring_time=%.*s uring_seq=%" PRIu64 " %.*s",
			     (int)h.type_len, h.type, (int)h.time_len, h.time, h.seq,
			     (int)(end - body), body);
	if (n >= sizeof(msg))
		q->st.truncated++;
	/* libaudit appends exe= (this daemon), hostname=? addr=? terminal=?
	 * and res=success: who forwarded it. */
	rc = audit_log_user_message(q->fd, AUDIT_TRUSTED_APP, msg, NULL, NULL, "", 1);
	return rc > 0 ? 0 : rc < 0 ? rc : -EIO;
}

/* @failed: records that could not be delivered (already counted as lost). */
static int deliver(struct ua_qsink *q, int fd, const char *data, size_t len, size_t *done,
		   unsigned int *failed)
{
	const char *p = data, *end = data + len;

	*failed = 0;
	if (q->kind != UA_QS_AUDIT)
		return write_all(fd, data, len, done);
	*done = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		int rc = audit_send_line(q, p, (size_t)(le - p));

		if (rc) {
			pthread_mutex_lock(&q->mu);
			q->st.write_errors++;
			drop(q, p, (size_t)(le - p), "audit_error");
			pthread_mutex_unlock(&q->mu);
			(*failed)++;
		}
		p = nl ? nl + 1 : end;
		*done = (size_t)(p - data);
	}
	return 0;
}

/* What the sink missed, said to it before its next records. */
static void say_lost(struct ua_qsink *q, int fd)
{
	struct ua_buf b = UA_BUF_INIT;
	uint64_t n, first, last;
	char reason[16];
	struct timespec ts;
	unsigned int failed;
	size_t done;

	pthread_mutex_lock(&q->mu);
	n = q->lost;
	first = q->lost_first;
	last = q->lost_last;
	snprintf(reason, sizeof(reason), "%s", q->lost_reason);
	q->lost = q->lost_first = q->lost_last = 0;
	pthread_mutex_unlock(&q->mu);
	if (!n)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ua_format_lost(&b, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec, 0, n, first,
		       last, reason, q->format);
	if (!b.err && b.len && !deliver(q, fd, b.data, b.len, &done, &failed) && !failed)
		q->st.lost_said++;
	ua_buf_release(&b);
}

static void *writer(void *arg)
{
	struct ua_qsink *q = arg;

	/* Cancelled (at stop, stuck on a stdout nobody reads) only inside a write. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct qchunk *c;
		size_t done = 0;
		unsigned int failed = 0;
		int fd, rc, has_lost;

		while (!q->stop && (!q->head || q->fd < 0) && !q->gone)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head && q->stop)
			break;
		if (q->gone) {
			/* Nothing will take them any more. */
			while ((c = q->head)) {
				q->head = c->next;
				q->queued -= c->nrec;
				drop(q, c->data, c->len, "plugin_gone");
				free(c);
			}
			q->tail = NULL;
			if (q->stop)
				break;
			pthread_cond_wait(&q->cv, &q->mu);
			continue;
		}
		if (q->fd < 0) /* stopping with no fd: what is left is lost */
			break;
		c = q->head;
		q->head = c->next;
		if (!q->head)
			q->tail = NULL;
		fd = q->fd;
		q->busy = 1;
		has_lost = q->lost != 0;
		pthread_mutex_unlock(&q->mu);

		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		if (has_lost)
			say_lost(q, fd);
		rc = deliver(q, fd, c->data, c->len, &done, &failed);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);

		pthread_mutex_lock(&q->mu);
		q->busy = 0;
		q->queued -= c->nrec;
		if (rc) {
			unsigned int sent = 0;
			const char *s = c->data;

			/* Whole records before @done were written. */
			while (s < c->data + done) {
				const char *nl = memchr(s, '\n', (size_t)(c->data + done - s));

				if (!nl)
					break;
				sent++;
				s = nl + 1;
			}
			q->st.written += sent;
			q->st.write_errors++;
			drop(q, s, c->len - (size_t)(s - c->data),
			     rc == -EPIPE || rc == -ECONNRESET ? "plugin_exit" : "write_error");
			if (q->kind == UA_QS_PLUGIN && fd == q->fd && q->fd >= 0) {
				/* The event loop reaps it and starts another. */
				q->dead = 1;
				close(q->fd);
				q->fd = -1;
			}
		} else {
			q->st.written += c->nrec - failed;
		}
		free(c);
	}
	/* Left in the queue at stop (the sink could not take them in time). */
	while (q->head) {
		struct qchunk *c = q->head;

		q->head = c->next;
		q->queued -= c->nrec;
		drop(q, c->data, c->len, "stopped");
		free(c);
	}
	q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* ---- plugins ---- */

/* The program must be root's (or ours) and writable by nobody else: it runs
 * as the daemon, with every record. */
int ua_plugin_check(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "plugin '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) {
		snprintf(err, errlen, "plugin '%s': not an executable file", path);
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "plugin '%s' is owned by uid %u: refused", path,
			 (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "plugin '%s' is writable by group or others (mode %04o): refused", path,
			 (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * As auditd starts a plugin: its stdin one end of a stream socket pair, no
 * environment, argv[0] the path then the args. Its stdout is /dev/null (ours
 * may be the record stream), its stderr ours; signals at their defaults and
 * unblocked (the daemon blocks the ones it reads from a signalfd).
 */
static int spawn_plugin(struct ua_qsink *q, char *err, size_t errlen)
{
	char *argv[UA_PLUGIN_ARGS_MAX + 2], *envp[] = { NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int sv[2], rc;
	unsigned int i;
	pid_t pid;

	rc = ua_plugin_check(q->pc.path, err, errlen);
	if (rc)
		return rc;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		rc = -errno;
		snprintf(err, errlen, "plugin '%s': socketpair: %s", q->pc.path, strerror(errno));
		return rc;
	}
	argv[0] = q->pc.path;
	for (i = 0; i < q->pc.nargs; i++)
		argv[i + 1] = q->pc.args[i];
	argv[i + 1] = NULL;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, q->pc.path, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	if (rc) {
		close(sv[0]);
		snprintf(err, errlen, "plugin '%s': %s", q->pc.path, strerror(rc));
		return -rc;
	}
	pthread_mutex_lock(&q->mu);
	q->pid = pid;
	q->fd = sv[0];
	q->dead = 0;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

/* ---- life ---- */

struct ua_qsink *ua_qsink_new(enum ua_qsink_kind kind, const char *name, enum ua_format format,
			      unsigned int q_depth, const struct ua_plugin_conf *pc,
			      unsigned int max_restarts, char *err, size_t errlen)
{
	struct ua_qsink *q = calloc(1, sizeof(*q));
	int rc = 0;

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->kind = kind;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->format = kind == UA_QS_STDOUT ? format : UA_FMT_TEXT;
	q->q_depth = q_depth ? q_depth : 1;
	q->fd = -1;
	q->max_restarts = max_restarts;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	switch (kind) {
	case UA_QS_STDOUT:
		q->fd = STDOUT_FILENO;
		break;
	case UA_QS_PLUGIN:
		q->pc = *pc;
		rc = spawn_plugin(q, err, errlen);
		break;
	case UA_QS_AUDIT:
		q->fd = audit_open();
		if (q->fd < 0) {
			rc = -errno;
			snprintf(err, errlen,
				 "audit_forward: cannot open the kernel's audit socket: %s",
				 strerror(errno));
		} else if (audit_is_enabled(q->fd) == 0) {
			fprintf(stderr, "uringaudit: warning: audit_forward: the kernel's audit is "
					"disabled (auditctl -e 1): it drops what is forwarded\n");
		}
		break;
	}
	if (!rc) {
		sigset_t all, old;

		/* The writer takes no signal: the daemon reads them from a
		 * signalfd, and one delivered to a thread that has them
		 * unblocked would kill it. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = -pthread_create(&q->thr, NULL, writer, q);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc)
			snprintf(err, errlen, "%s: cannot start its writer: %s", q->name,
				 strerror(-rc));
		q->thr_started = !rc;
	}
	if (rc) {
		ua_qsink_close(q, 0);
		return NULL;
	}
	return q;
}

enum ua_format ua_qsink_format(const struct ua_qsink *q)
{
	return q->format;
}

const char *ua_qsink_name(const struct ua_qsink *q)
{
	return q->name;
}

void ua_qsink_stats(struct ua_qsink *q, struct ua_qsink_stats *st)
{
	pthread_mutex_lock(&q->mu);
	*st = q->st;
	st->queued = q->queued;
	st->running = q->kind != UA_QS_PLUGIN || (q->pid > 0 && !q->gone);
	st->pid = q->pid;
	pthread_mutex_unlock(&q->mu);
}

void ua_qsink_signal(struct ua_qsink *q, int sig)
{
	if (q->kind == UA_QS_PLUGIN && q->pid > 0)
		kill(q->pid, sig);
}

/*
 * Once a second, in the event loop: a plugin that exited is reaped and
 * started again (max_restarts times); losses not yet said to the log are.
 */
void ua_qsink_tick(struct ua_qsink *q, struct ua_consumer *c)
{
	char err[512], status[32];
	int ws;

	if (q->kind == UA_QS_PLUGIN && q->pid > 0 && waitpid(q->pid, &ws, WNOHANG) == q->pid) {
		if (WIFSIGNALED(ws))
			snprintf(status, sizeof(status), "signal_%d", WTERMSIG(ws));
		else
			snprintf(status, sizeof(status), "exit_%d", WEXITSTATUS(ws));
		{
			const struct ua_kv kv[] = {
				ua_kv_word("op", "plugin_exit"),
				ua_kv_cstr("sink", q->name),
				ua_kv_word("status", status),
			};

			ua_consumer_event(c, "URING_DAEMON", kv, 3);
		}
		fprintf(stderr, "uringaudit: %s exited (%s)\n", q->name, status);
		pthread_mutex_lock(&q->mu);
		q->pid = 0;
		q->st.exits++;
		q->need_restart = 1;
		/* Records written to it but never read died with it, uncounted:
		 * only those still queued are known. The socket is closed by
		 * whoever holds it: the writer, when it is in a write. */
		if (q->fd >= 0 && q->busy) {
			shutdown(q->fd, SHUT_RDWR);
		} else if (q->fd >= 0) {
			close(q->fd);
			q->fd = -1;
		}
		pthread_mutex_unlock(&q->mu);
	}
	if (q->kind == UA_QS_PLUGIN && q->need_restart) {
		int can;

		pthread_mutex_lock(&q->mu);
		can = q->fd < 0 && !q->busy;
		pthread_mutex_unlock(&q->mu);
		if (can && q->st.restarts >= q->max_restarts) {
			const struct ua_kv kv[] = {
				ua_kv_word("op", "plugin_gone"),
				ua_kv_cstr("sink", q->name),
				ua_kv_u64("restarts", q->st.restarts),
			};

			q->need_restart = 0;
			pthread_mutex_lock(&q->mu);
			q->gone = 1;
			pthread_cond_signal(&q->cv);
			pthread_mutex_unlock(&q->mu);
			ua_consumer_event(c, "URING_DAEMON", kv, 3);
			fprintf(stderr,
				"uringaudit: %s: max_restarts (%u) reached, not restarted\n",
				q->name, q->max_restarts);
		} else if (can) {
			q->need_restart = 0;
			if (spawn_plugin(q, err, sizeof(err))) {
				fprintf(stderr, "uringaudit: %s\n", err);
				pthread_mutex_lock(&q->mu);
				q->gone = 1;
				pthread_cond_signal(&q->cv);
				pthread_mutex_unlock(&q->mu);
			} else {
				const struct ua_kv kv[] = {
					ua_kv_word("op", "plugin_restart"),
					ua_kv_cstr("sink", q->name),
					ua_kv_u64("pid", (uint64_t)q->pid),
				};

				q->st.restarts++;
				ua_consumer_event(c, "URING_DAEMON", kv, 3);
			}
		}
	}
	pthread_mutex_lock(&q->mu);
	if (q->unsaid) {
		char reason[16];
		uint64_t n = q->unsaid, first = q->unsaid_first, last = q->unsaid_last;

		snprintf(reason, sizeof(reason), "%s", q->unsaid_reason);
		q->unsaid = q->unsaid_first = q->unsaid_last = 0;
		pthread_mutex_unlock(&q->mu);
		{
			const struct ua_kv kv[] = {
				ua_kv_word("op", "sink_loss"), ua_kv_cstr("sink", q->name),
				ua_kv_u64("lost", n),	       ua_kv_u64("first_seq", first),
				ua_kv_u64("last_seq", last),   ua_kv_word("reason", reason),
			};

			ua_consumer_event(c, "URING_DAEMON", kv, 6);
		}
	} else {
		pthread_mutex_unlock(&q->mu);
	}
}

static int wait_child(pid_t pid, unsigned int ms)
{
	int ws;

	for (;;) {
		pid_t r = waitpid(pid, &ws, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return 1;
		if (!ms)
			return 0;
		usleep(10000);
		ms = ms > 10 ? ms - 10 : 0;
	}
}

/*
 * At stop: the writer delivers what is queued, for @wait_ms at most (as
 * auditd gives its plugins 3 seconds); what is left is counted and said on
 * stderr. A plugin then sees its stdin end; SIGTERM if it does not exit,
 * SIGKILL after another second.
 */
void ua_qsink_close(struct ua_qsink *q, unsigned int wait_ms)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->thr_started) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_sec++, ts.tv_nsec -= 1000000000L;
		if (pthread_timedjoin_np(q->thr, NULL, &ts)) {
			/* Stuck in a write the sink does not take: unblock it. */
			pthread_mutex_lock(&q->mu);
			if (q->fd >= 0 && q->kind != UA_QS_STDOUT)
				shutdown(q->fd, SHUT_RDWR);
			pthread_mutex_unlock(&q->mu);
			if (q->kind == UA_QS_STDOUT)
				pthread_cancel(q->thr);
			pthread_join(q->thr, NULL);
		}
	}
	if (q->unsaid)
		fprintf(stderr, "uringaudit: %s: %llu records not delivered (%s)\n", q->name,
			(unsigned long long)q->unsaid, q->unsaid_reason);
	if (q->fd >= 0 && q->kind != UA_QS_STDOUT) {
		if (q->kind == UA_QS_AUDIT)
			audit_close(q->fd);
		else
			close(q->fd);
	}
	if (q->kind == UA_QS_PLUGIN && q->pid > 0) {
		if (!wait_child(q->pid, 1000)) {
			kill(q->pid, SIGTERM);
			if (!wait_child(q->pid, 1000)) {
				kill(q->pid, SIGKILL);
				wait_child(q->pid, 1000);
			}
		}
	}
	while (q->head) {
		struct qchunk *c = q->head;

		q->head = c->next;
		free(c);
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

/* ---- the set ---- */

unsigned int ua_sinks_formats(const struct ua_sinks *ss)
{
	unsigned int m = 0, i;

	if (ss->log)
		m |= 1u << ss->log->format;
	if (ss->json_log)
		m |= 1u << UA_FMT_JSON;
	for (i = 0; i < ss->nq; i++)
		m |= 1u << ua_qsink_format(ss->q[i]);
	return m;
}

int ua_sinks_write(struct ua_sinks *ss, const struct ua_buf *text, const struct ua_buf *json)
{
	const struct ua_buf *b;
	unsigned int i;
	int rc = 0;

#define FORM(f) ((f) == UA_FMT_JSON ? json : text)
	for (i = 0; i < ss->nq; i++) {
		b = FORM(ua_qsink_format(ss->q[i]));
		if (b && b->len)
			ua_qsink_put(ss->q[i], b->data, b->len);
	}
	if (ss->json_log && json && json->len)
		ua_sink_write(ss->json_log, json->data, json->len);
	if (ss->log) {
		b = FORM(ss->log->format);
		if (b && b->len)
			rc = ua_sink_write(ss->log, b->data, b->len);
	}
#undef FORM
	return rc;
}
