// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where records go: a log file (appended, 0600 or 0640 with log_group, its
 * directory 0700 or 0750) or stdout; and what auditd does to its log, as
 * uringaudit.conf(5) configures it: size rotation, flush modes, free space
 * thresholds, full disks and write errors. Writes are whole buffers of whole
 * records, so a rotation never splits or repeats a record; a failed write is
 * undone (a partial line is cut off), its records counted as lost and said by
 * a URING_LOST record once writing works again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/* Create the directories leading to @path (0700) when missing. */
static int make_parent_dirs(const char *path)
{
	char dir[PATH_MAX];
	size_t i;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	for (i = 1; dir[i]; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		dir[i] = '/';
	}
	return 0;
}

static int sink_open_fd(struct ua_sink *s, char *err, size_t errlen);

int ua_sink_open(struct ua_sink *s, const char *path, char *err, size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	ua_config_init(&s->cfg, path, "");
	if (!strcmp(path, "-")) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	rc = make_parent_dirs(path);
	if (rc) {
		snprintf(err, errlen, "cannot create the directory of '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	return sink_open_fd(s, err, errlen);
}

void ua_sink_configure(struct ua_sink *s, const struct ua_config *cfg, gid_t gid,
		       enum ua_format format)
{
	s->cfg = *cfg;
	s->gid = gid;
	s->format = format;
}

/*
 * The log's directory must not let another user replace the log: owned by
 * root or by us, and writable by nobody else unless sticky (as /tmp is: then
 * only the owner of a file may rename or delete it).
 */
static int check_log_dir(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	if (stat(dir, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot use the directory of log '%s': %s", path,
			 strerror(errno));
		return rc;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "directory '%s' of the log is owned by uid %u: refused", dir,
			 (unsigned int)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(
			err, errlen,
			"directory '%s' of the log is writable by group or others (mode %04o): refused",
			dir, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * What was found at the log's path must be ours: a regular file we own with
 * one link (made 0600 if it was more open: records are for root's eyes), or
 * a FIFO we own, or a character device of root's (/dev/null for benchmarks).
 * Anything another user planted there is refused, never written to.
 */
static int check_log_file(const struct ua_sink *s, int fd, const char *path, char *err,
			  size_t errlen)
{
	mode_t want = s->gid ? 0640 : 0600;
	struct stat st;

	if (fstat(fd, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot stat log '%s': %s", path, strerror(errno));
		return rc;
	}
	if (S_ISCHR(st.st_mode)) {
		if (st.st_uid == 0)
			return 0;
	} else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "log '%s' is not a file, FIFO or character device", path);
		return -EINVAL;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "log '%s' is owned by uid %u, not by this daemon: refused",
			 path, (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink != 1) {
		snprintf(err, errlen, "log '%s' has %lu hard links: refused", path,
			 (unsigned long)st.st_nlink);
		return -EPERM;
	}
	if (S_ISREG(st.st_mode) && s->gid && st.st_gid != s->gid && fchown(fd, (uid_t)-1, s->gid)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot give log '%s' to group %u: %s", path,
			 (unsigned int)s->gid, strerror(errno));
		return rc;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & 0777) != want && fchmod(fd, want)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot make log '%s' private: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

/* log_group: the directory the daemon made (0700) opened to the group. */
static void share_log_dir(const struct ua_sink *s)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(s->path, '/');
	struct stat st;

	if (!s->gid || !slash || slash == s->path || (size_t)(slash - s->path) >= sizeof(dir))
		return;
	memcpy(dir, s->path, (size_t)(slash - s->path));
	dir[slash - s->path] = '\0';
	if (stat(dir, &st) || st.st_uid != geteuid())
		return;
	if (st.st_gid != s->gid && chown(dir, (uid_t)-1, s->gid))
		return;
	if ((st.st_mode & 0777) == 0700 && chmod(dir, 0750))
		return;
}

/* Also used after log rotation: the new file takes the next record.
 * O_NONBLOCK so that a FIFO nobody reads is an error, not a daemon blocked
 * for ever in open(); it is cleared once the file is checked. */
static int sink_open_fd(struct ua_sink *s, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (!s->path)
		return 0;
	share_log_dir(s);
	rc = check_log_dir(s->path, err, errlen);
	if (rc)
		return rc;
	fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		  0600);
	if (fd < 0) {
		rc = -errno;
		if (errno == ENXIO)
			snprintf(err, errlen, "log '%s' is a FIFO that no process reads", s->path);
		else
			snprintf(err, errlen, "cannot open log '%s': %s", s->path, strerror(errno));
		return rc;
	}
	rc = check_log_file(s, fd, s->path, err, errlen);
	if (!rc && fcntl(fd, F_SETFL, O_APPEND) < 0) {
		rc = -errno;
		snprintf(err, errlen, "log '%s': %s", s->path, strerror(errno));
	}
	if (rc) {
		close(fd);
		return rc;
	}
	s->regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
	/* One writer per log: a second daemon would write every record twice
	 * and take the other's records for an unclean stop. Reopening the file
	 * we hold ourselves (SIGHUP) hands our lock over. */
	if (s->regular && flock(fd, LOCK_EX | LOCK_NB)) {
		struct stat old;

		if (s->owns_fd && !fstat(s->fd, &old) && old.st_dev == st.st_dev &&
		    old.st_ino == st.st_ino)
			flock(s->fd, LOCK_UN);
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			rc = -errno;
			snprintf(err, errlen, "log '%s' is in use by another process (locked)",
				 s->path);
			close(fd);
			return rc;
		}
	}
	if (s->owns_fd)
		close(s->fd);
	s->fd = fd;
	s->owns_fd = 1;
	s->size = s->regular ? (uint64_t)st.st_size : 0;
	if (s->size) {
		char last = '\n', self[64];
		int rfd;

		/* A torn last line (a writer killed mid-record) is ended, so the
		 * next record starts a line of its own. Read through the inode we
		 * hold (the log is opened write-only). */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		rfd = open(self, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			if (pread(rfd, &last, 1, (off_t)s->size - 1) == 1 && last != '\n' &&
			    write(fd, "\n", 1) == 1)
				s->size++;
			close(rfd);
		}
	}
	return 0;
}

/* ---- what the log says about itself ---- */

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A transition (rotate, suspend, resume, space_left, ...): a URING_DAEMON
 * record written ahead of the next records. */
static void note(struct ua_sink *s, const char *op, const char *reason)
{
	struct ua_sink_note *n;

	if (s->nnotes == UA_SINK_NOTES_MAX) {
		s->notes_dropped++;
		return;
	}
	n = &s->notes[s->nnotes++];
	snprintf(n->op, sizeof(n->op), "%s", op);
	snprintf(n->reason, sizeof(n->reason), "%s", reason);
}

/* syslog and stderr, for the actions that say so. */
static void say(struct ua_sink *s, int to_syslog, const char *what)
{
	fprintf(stderr, "uringaudit: %s: %s\n", s->path ? s->path : "stdout", what);
	if (to_syslog)
		syslog(LOG_DAEMON | LOG_ALERT, "uringaudit: log %s: %s", s->path ? s->path : "-",
		       what);
}

/* Records of @data not written: counted, with their sequence range. */
static void account_lost(struct ua_sink *s, const char *data, size_t len, const char *reason)
{
	const char *p = data, *end = data + len, *l, *le;

	while ((l = ua_next_record_line(&p, end, &le))) {
		uint64_t seq = ua_line_seq(l, le);

		s->lost++;
		s->lost_total++;
		if (ua_line_is(l, le, "URINGOP", NULL))
			s->lost_uringop++;
		if (seq && (!s->lost_first || seq < s->lost_first))
			s->lost_first = seq;
		if (seq > s->lost_last)
			s->lost_last = seq;
	}
	snprintf(s->lost_reason, sizeof(s->lost_reason), "%s", reason);
}

/* ---- writing ---- */

/*
 * Write all of @data or nothing: a write that fails half way is cut back off
 * a regular file, so the next record never lands glued to a fragment.
 */
static int write_whole(struct ua_sink *s, const char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(s->fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = n < 0 ? -errno : -ENOSPC;
			struct stat st;

			if (done && s->regular && !fstat(s->fd, &st) &&
			    (uint64_t)st.st_size >= done)
				if (ftruncate(s->fd, st.st_size - (off_t)done))
					s->torn++;
			s->write_errors++;
			s->last_errno = -rc;
			return rc;
		}
		done += (size_t)n;
	}
	s->size += len;
	return 0;
}

/* What the log has to say before the next records: transitions, losses. */
static int write_notes(struct ua_sink *s)
{
	struct ua_buf b = UA_BUF_INIT;
	uint64_t now = now_real_ns();
	unsigned int i;
	int rc;

	for (i = 0; i < s->nnotes; i++) {
		const struct ua_kv kv[] = {
			ua_kv_word("op", s->notes[i].op),
			ua_kv_word("reason", s->notes[i].reason),
		};

		ua_format_event(&b, "URING_DAEMON", now, 0, kv, 2, s->format);
	}
	if (s->lost)
		ua_format_lost(&b, now, 0, s->lost, s->lost_first, s->lost_last, s->lost_reason,
			       s->format);
	if (b.err) {
		ua_buf_release(&b);
		return -ENOMEM;
	}
	rc = b.len ? write_whole(s, b.data, b.len) : 0;
	if (!rc) {
		s->nnotes = 0;
		s->lost = s->lost_first = s->lost_last = 0;
	}
	ua_buf_release(&b);
	return rc;
}

static int sink_rotate(struct ua_sink *s, const char *reason, int keep_all, char *err,
		       size_t errlen);

static void suspend(struct ua_sink *s, const char *reason)
{
	if (s->suspended)
		return;
	s->suspended = 1;
	snprintf(s->suspend_reason, sizeof(s->suspend_reason), "%s", reason);
	note(s, "suspend", reason);
	say(s, 1, "writing suspended (SIGUSR2 resumes)");
}

/* Take @a for @reason; 1 when the caller may write again (after a rotate). */
static int act(struct ua_sink *s, enum ua_cfg_action a, const char *reason)
{
	char err[512], msg[96];

	switch (a) {
	case UA_CFG_IGNORE:
		return 0;
	case UA_CFG_SYSLOG:
		snprintf(msg, sizeof(msg), "%s", reason);
		say(s, 1, msg);
		return 0;
	case UA_CFG_SUSPEND:
		suspend(s, reason);
		return 0;
	case UA_CFG_ROTATE:
	case UA_CFG_KEEP_LOGS:
		if (sink_rotate(s, reason, a == UA_CFG_KEEP_LOGS, err, sizeof(err))) {
			say(s, 1, err);
			return 0;
		}
		return 1;
	}
	return 0;
}

/* A failed write: disk_full_action for ENOSPC/EDQUOT, disk_error_action otherwise. */
static int on_write_error(struct ua_sink *s, int rc)
{
	int full = rc == -ENOSPC || rc == -EDQUOT;
	char reason[64];

	if (!s->failing) {
		s->failing = 1;
		say(s, 0, strerror(-rc));
		snprintf(reason, sizeof(reason), "%s", full ? "disk_full" : "disk_error");
		/* The reason is a word: the errno's name (ENOSPC). */
		note(s, full ? "disk_full" : "disk_error",
		     strerrorname_np(-rc) ? strerrorname_np(-rc) : "error");
		return act(s, full ? s->cfg.disk_full_action : s->cfg.disk_error_action, reason);
	}
	return 0;
}

static void sync_after(struct ua_sink *s, const char *data, size_t len)
{
	const char *p;

	switch (s->cfg.flush) {
	case UA_CFG_FLUSH_NONE:
		return;
	case UA_CFG_FLUSH_DATA:
		fdatasync(s->fd);
		return;
	case UA_CFG_FLUSH_SYNC:
		fsync(s->fd);
		return;
	case UA_CFG_FLUSH_INCREMENTAL:
	case UA_CFG_FLUSH_INCREMENTAL_ASYNC:
		for (p = data; (p = memchr(p, '\n', len - (size_t)(p - data))); p++)
			s->unsynced++;
		if (s->unsynced >= s->cfg.freq) {
			fdatasync(s->fd);
			s->unsynced = 0;
		}
		return;
	}
}

int ua_sink_write(struct ua_sink *s, const char *data, size_t len)
{
	uint64_t max = s->cfg.max_log_file_mb << 20;
	int rc;

	s->last_lost_uringop = s->lost_uringop;
	if (s->suspended) {
		account_lost(s, data, len, "suspended");
		s->last_lost_uringop = s->lost_uringop - s->last_lost_uringop;
		return -EAGAIN;
	}
	/* Size: checked between whole buffers, so a rotation splits no record. */
	if (s->path && max && s->size + len > max && s->size > 0) {
		if (!s->max_said || s->cfg.max_log_file_action == UA_CFG_ROTATE ||
		    s->cfg.max_log_file_action == UA_CFG_KEEP_LOGS) {
			s->max_said = 1;
			act(s, s->cfg.max_log_file_action, "max_log_file");
		}
		if (s->suspended) {
			account_lost(s, data, len, "suspended");
			s->last_lost_uringop = s->lost_uringop - s->last_lost_uringop;
			return -EAGAIN;
		}
	}
	rc = s->nnotes || s->lost ? write_notes(s) : 0;
	if (!rc)
		rc = write_whole(s, data, len);
	if (rc && on_write_error(s, rc) && !s->suspended) {
		/* Rotated: one more try on the new file. */
		rc = s->nnotes || s->lost ? write_notes(s) : 0;
		if (!rc)
			rc = write_whole(s, data, len);
	}
	if (rc) {
		account_lost(s, data, len, "write_error");
		s->last_lost_uringop = s->lost_uringop - s->last_lost_uringop;
		return rc;
	}
	if (s->failing) {
		s->failing = 0;
		fprintf(stderr, "uringaudit: writing to %s works again\n",
			s->path ? s->path : "stdout");
	}
	s->last_lost_uringop = 0;
	sync_after(s, data, len);
	return 0;
}

/* ---- rotation ---- */

static int numbered(char *dst, size_t size, const char *path, unsigned int i)
{
	int n = i ? snprintf(dst, size, "%s.%u", path, i) : snprintf(dst, size, "%s", path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * log.N-2 -> log.N-1, ..., log -> log.1, then a new log: num_logs files in
 * all (@keep_all: none removed, as keep_logs wants). Between two writes, so
 * every record is in exactly one file.
 */
static int sink_rotate(struct ua_sink *s, const char *reason, int keep_all, char *err,
		       size_t errlen)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned int n = s->cfg.num_logs, i;
	struct stat st;

	if (!s->path)
		return 0;
	if (keep_all) {
		for (n = 1; n < 100000; n++)
			if (numbered(from, sizeof(from), s->path, n) || lstat(from, &st))
				break;
		n++;
	} else if (n < 2) {
		n = 2;
	}
	for (i = n - 1; i >= 1; i--) {
		if (numbered(from, sizeof(from), s->path, i - 1) ||
		    numbered(to, sizeof(to), s->path, i)) {
			snprintf(err, errlen, "cannot rotate '%s': name too long", s->path);
			return -ENAMETOOLONG;
		}
		if (rename(from, to) && errno != ENOENT) {
			int rc = -errno;

			snprintf(err, errlen, "cannot rotate '%s' to '%s': %s", from, to,
				 strerror(errno));
			return rc;
		}
	}
	s->rotations++;
	s->max_said = 0;
	s->unsynced = 0;
	note(s, "rotate", reason);
	return sink_open_fd(s, err, errlen);
}

int ua_sink_rotate(struct ua_sink *s, const char *reason, char *err, size_t errlen)
{
	int rc;

	ua_sink_resume(s, reason);
	if (s->cfg.num_logs < 2 && s->cfg.max_log_file_action != UA_CFG_KEEP_LOGS)
		return ua_sink_reopen(s, err, errlen);
	rc = sink_rotate(s, reason, s->cfg.max_log_file_action == UA_CFG_KEEP_LOGS, err, errlen);
	return rc;
}

int ua_sink_reopen(struct ua_sink *s, char *err, size_t errlen)
{
	int rc = sink_open_fd(s, err, errlen);

	if (!rc)
		s->failing = 0;
	return rc;
}

void ua_sink_resume(struct ua_sink *s, const char *reason)
{
	if (!s->suspended)
		return;
	s->suspended = 0;
	s->failing = 0;
	note(s, "resume", reason);
	fprintf(stderr, "uringaudit: writing resumed (%s)\n", reason);
}

/* ---- free space ---- */

static int below(const struct ua_cfg_space *t, uint64_t free_mb, uint64_t pct)
{
	if (!t->value)
		return 0;
	return t->percent ? pct < t->value : free_mb < t->value;
}

static void space_check(struct ua_sink *s)
{
	struct statvfs sv;
	uint64_t free_mb, pct;
	int level;

	if (!s->path || (!s->cfg.space_left.value && !s->cfg.admin_space_left.value) ||
	    fstatvfs(s->fd, &sv) || !sv.f_blocks)
		return;
	free_mb = ((uint64_t)sv.f_bavail * sv.f_frsize) >> 20;
	pct = (uint64_t)sv.f_bavail * 100 / sv.f_blocks;
	level = below(&s->cfg.admin_space_left, free_mb, pct) ? 2 :
		below(&s->cfg.space_left, free_mb, pct)	      ? 1 :
								0;
	if (level == s->space_level)
		return;
	if (level > s->space_level) {
		if (level >= 1 && s->space_level < 1)
			note(s, "space_left", "below");
		if (level == 2)
			note(s, "admin_space_left", "below");
		s->space_level = level;
		if (level == 2)
			act(s, s->cfg.admin_space_left_action, "admin_space_left");
		else
			act(s, s->cfg.space_left_action, "space_left");
		return;
	}
	/* Space came back: say so, and resume what a space action suspended. */
	s->space_level = level;
	note(s, level ? "admin_space_left" : "space_left", "above");
	if (s->suspended && (!strcmp(s->suspend_reason, "admin_space_left") ||
			     (!level && !strcmp(s->suspend_reason, "space_left"))))
		ua_sink_resume(s, "space");
}

void ua_sink_tick(struct ua_sink *s)
{
	space_check(s);
	/* Transitions and losses are said at once, not at the next record. */
	if (!s->suspended && (s->nnotes || s->lost) && !write_notes(s) && s->failing) {
		s->failing = 0;
		fprintf(stderr, "uringaudit: writing to %s works again\n",
			s->path ? s->path : "stdout");
	}
}

void ua_sink_close(struct ua_sink *s)
{
	if (s->owns_fd && s->fd >= 0)
		close(s->fd);
	free(s->path);
	s->fd = -1;
	s->path = NULL;
}
