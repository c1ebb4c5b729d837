// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Enrichment: the executable path and container id of a process, read from
 * /proc once per process and cached. A process is named by (tgid, start time)
 * (and executable inode) so a recycled pid never inherits another process's
 * exe, and an execve is seen. Processes that are
 * gone by the time their first record is read can still be named through the
 * executable's (device, inode), which the kernel sends with every request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "daemon.h"

#define BUCKETS 4096
#define MAX_ENTRIES 16384

struct proc_ent {
	struct proc_ent *next;
	uint32_t pid;
	uint64_t start;
	uint64_t exe_ino; /* execve keeps pid and start time, not the inode */
	int from_kernel;  /* exe came from the kernel's walk */
	char *exe;
	size_t exe_len;
	int resolved; /* /proc was read (container; exe unless the kernel sent it) */
	int has_container;
	char container[UA_CONTAINER_ID_LEN + 1];
};

struct ino_ent {
	struct ino_ent *next;
	uint32_t dev;
	uint64_t ino;
	char *exe;
	size_t exe_len;
};

struct ua_enrich {
	struct proc_ent *procs[BUCKETS];
	struct ino_ent *inos[BUCKETS];
	unsigned int nprocs, ninos;
	long tick_ns;
};

static unsigned int hash64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (unsigned int)(v & (BUCKETS - 1));
}

static long clock_tick_ns(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return 1000000000L / (hz > 0 ? hz : 100);
}

struct ua_enrich *ua_enrich_new(void)
{
	struct ua_enrich *e = calloc(1, sizeof(*e));

	if (e)
		e->tick_ns = clock_tick_ns();
	return e;
}

static void drop_procs(struct ua_enrich *e)
{
	unsigned int i;

	for (i = 0; i < BUCKETS; i++) {
		while (e->procs[i]) {
			struct proc_ent *p = e->procs[i];

			e->procs[i] = p->next;
			free(p->exe);
			free(p);
		}
	}
	e->nprocs = 0;
}

static void drop_inos(struct ua_enrich *e)
{
	unsigned int i;

	for (i = 0; i < BUCKETS; i++) {
		while (e->inos[i]) {
			struct ino_ent *p = e->inos[i];

			e->inos[i] = p->next;
			free(p->exe);
			free(p);
		}
	}
	e->ninos = 0;
}

void ua_enrich_free(struct ua_enrich *e)
{
	if (!e)
		return;
	drop_procs(e);
	drop_inos(e);
	free(e);
}

/* Start time of /proc/PID in clock ticks since boot (field 22 of stat). */
static int proc_start_ticks(uint32_t pid, unsigned long long *ticks)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int i;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	n = ua_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	for (i = 3; i <= 22; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	*ticks = strtoull(p, NULL, 10);
	return 0;
}

/* Is /proc/PID the process that started at @start_ns (ns since boot)? */
static int start_matches(uint32_t pid, uint64_t start_ns, long tick_ns)
{
	unsigned long long ticks;

	if (proc_start_ticks(pid, &ticks))
		return 0;
	return ticks == start_ns / (uint64_t)tick_ns;
}

static int same_process(const struct ua_enrich *e, uint32_t pid, uint64_t start_ns)
{
	return start_matches(pid, start_ns, e->tick_ns);
}

int ua_proc_alive(uint32_t pid, uint64_t start_time)
{
	if (kill((pid_t)pid, 0) && errno == ESRCH)
		return 0;
	return start_matches(pid, start_time, clock_tick_ns());
}

static struct ino_ent *ino_find(struct ua_enrich *e, uint32_t dev, uint64_t ino)
{
	struct ino_ent *p;

	for (p = e->inos[hash64(ino ^ ((uint64_t)dev << 40))]; p; p = p->next)
		if (p->dev == dev && p->ino == ino)
			return p;
	return NULL;
}

static void ino_remember(struct ua_enrich *e, uint32_t dev, uint64_t ino, const char *exe,
			 size_t len)
{
	unsigned int h = hash64(ino ^ ((uint64_t)dev << 40));
	struct ino_ent *p;

	if (!ino || ino_find(e, dev, ino))
		return;
	if (e->ninos >= MAX_ENTRIES)
		drop_inos(e);
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->exe = malloc(len);
	if (!p->exe) {
		free(p);
		return;
	}
	memcpy(p->exe, exe, len);
	p->exe_len = len;
	p->dev = dev;
	p->ino = ino;
	p->next = e->inos[h];
	e->inos[h] = p;
	e->ninos++;
}

static void resolve(struct ua_enrich *e, struct proc_ent *p, uint32_t exe_dev, uint64_t exe_ino)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	p->resolved = 1;
	if (!same_process(e, p->pid, p->start))
		goto by_inode;
	snprintf(path, sizeof(path), "/proc/%u/exe", p->pid);
	n = p->exe ? -1 : readlink(path, buf, sizeof(buf));
	if (n > 0 && n < (ssize_t)sizeof(buf)) {
		p->exe = malloc((size_t)n);
		if (p->exe) {
			memcpy(p->exe, buf, (size_t)n);
			p->exe_len = (size_t)n;
			ino_remember(e, exe_dev, exe_ino, buf, (size_t)n);
		}
	}
	snprintf(path, sizeof(path), "/proc/%u/cgroup", p->pid);
	n = ua_read_small(path, buf, sizeof(buf));
	if (n > 0 && !ua_container_id(buf, (size_t)n, p->container))
		p->has_container = 1;
	/* The process may have exited (and its pid been reused) while we read. */
	if (same_process(e, p->pid, p->start))
		return;
	p->has_container = 0;
	if (p->from_kernel)
		return;
	free(p->exe);
	p->exe = NULL;
by_inode:
	if (!p->exe) {
		struct ino_ent *i = ino_find(e, exe_dev, exe_ino);

		if (i && (p->exe = malloc(i->exe_len))) {
			memcpy(p->exe, i->exe, i->exe_len);
			p->exe_len = i->exe_len;
		}
	}
}

static struct proc_ent *proc_get(struct ua_enrich *e, uint32_t pid, uint64_t start_time,
				 uint64_t exe_ino)
{
	unsigned int h = hash64(((uint64_t)pid << 32) ^ start_time ^ exe_ino);
	struct proc_ent *p;

	for (p = e->procs[h]; p; p = p->next)
		if (p->pid == pid && p->start == start_time && p->exe_ino == exe_ino)
			return p;
	if (e->nprocs >= MAX_ENTRIES) {
		drop_procs(e);
		h = hash64(((uint64_t)pid << 32) ^ start_time ^ exe_ino);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->start = start_time;
	p->exe_ino = exe_ino;
	p->next = e->procs[h];
	e->procs[h] = p;
	e->nprocs++;
	return p;
}

void ua_enrich_set_exe(struct ua_enrich *e, uint32_t pid, uint64_t start_time, uint32_t exe_dev,
		       uint64_t exe_ino, const char *path, size_t len, int truncated)
{
	struct proc_ent *p = proc_get(e, pid, start_time, exe_ino);
	size_t n = 0;
	char *buf;

	if (!p || !(buf = malloc(len + 4)))
		return;
	/* A path that did not fit keeps its leaf side: mark the cut. */
	if (truncated) {
		memcpy(buf, "...", 3);
		n = 3;
	}
	memcpy(buf + n, path, len);
	n += len;
	free(p->exe);
	p->exe = buf;
	p->exe_len = n;
	p->from_kernel = 1;
	ino_remember(e, exe_dev, exe_ino, buf, n);
}

void ua_enrich_lookup(struct ua_enrich *e, uint32_t pid, uint64_t start_time, uint32_t exe_dev,
		      uint64_t exe_ino, struct ua_proc_info *out)
{
	struct proc_ent *p = proc_get(e, pid, start_time, exe_ino);

	if (!p) {
		memset(out, 0, sizeof(*out));
		return;
	}
	if (!p->resolved)
		resolve(e, p, exe_dev, exe_ino);
	out->exe = p->exe;
	out->exe_len = p->exe_len;
	out->container = p->has_container ? p->container : NULL;
	out->container_len = p->has_container ? UA_CONTAINER_ID_LEN : 0;
}
