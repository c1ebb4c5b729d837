// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pin set: the BPF state (every map, the ring buffer included, and every
 * program's link) pinned under bpffs, so that a daemon killed with SIGKILL
 * leaves the programs attached and counting, and the next daemon reattaches
 * to them instead of loading anew.
 *
 * The directory is root's, 0700, on bpffs; the daemon holds an flock on it
 * while it runs, so two daemons never share one set. A set is whole when its
 * "state" map exists: pinned last, unpinned first. It says which build of
 * the BPF object made the set (SipHash of the object's ELF under a fixed
 * key) with the load-time settings, and it carries what the daemon writes as
 * it runs (the sequence number below which it handled every event, the
 * kernel's counters at its last tick), which the next daemon reads to say
 * what happened while nobody consumed the ring buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "siphash.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define STATE_PIN "state"
/* The rule keys of each bank, by rule index: a record decided by the rules a
 * killed daemon put in force carries their key after the restart. */
#define KEYS_PIN "keys"
#define KEY_SLOT UA_PIN_KEY_SLOT /* u32 length, then the key */
/* seq -> the SUBMIT of a request the daemon holds awaiting its completion
 * (u32 size, then the event), so that the next daemon joins its completion. */
#define SUBMITS_PIN "submits"
#define SUBMITS_MAX 65536 /* as many as the kernel's pending table */
/* The rules in normal form once locked (-e 2): u32 length, then the text.
 * A daemon restarted after a kill puts them back in force, not its files. */
#define LOCKED_PIN "locked"
#define LOCKED_SLOT (256u << 10)

__attribute__((format(printf, 3, 4))) static int say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t ua_pin_build_id(const void *elf, size_t len)
{
	/* A fixed key: the same object always gives the same id. */
	static const struct ua_siphash_key key = { 0x7572696e67617564ULL, 0x6974706e73657431ULL };

	return ua_siphash(&key, elf, len);
}

static int on_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && (unsigned long)sf.f_type == BPF_FS_MAGIC;
}

/* The pin name of a map or program: letters, digits and '_' only. */
static void pin_name(char *out, size_t len, const char *prefix, const char *name)
{
	size_t i, n = (size_t)snprintf(out, len, "%s%s", prefix, name);

	for (i = strlen(prefix); i < n && i < len; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= 'A' && out[i] <= 'Z') ||
		      (out[i] >= '0' && out[i] <= '9')))
			out[i] = '_';
}

/* bpffs where the set goes: mounted at /sys/fs/bpf when nothing is (mode
 * 0700), else the set's parent must already be bpffs. */
static int ensure_bpffs(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX], *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return say(err, errlen, "pin directory '%s': must be a directory on bpffs", dir);
	*slash = '\0';
	if (on_bpffs(parent))
		return 0;
	if (!strcmp(parent, "/sys/fs/bpf")) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
			return say(err, errlen, "cannot mount bpffs on /sys/fs/bpf: %s",
				   strerror(errno));
		return 0;
	}
	return say(err, errlen, "pin directory '%s': its parent is not on bpffs", dir);
}

/* Remove every entry of the set, the state first (the set is no longer
 * whole from then on), then the rest. A link unpinned that nobody holds
 * detaches its program. */
static void wipe(int dfd)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dfd);

	unlinkat(dfd, STATE_PIN, 0);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
}

static int obj_get_at(const struct ua_pins *p, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	return bpf_obj_get(path);
}

/* Is the pinned map @name what @m is (type, key, value, entries)? Its fd,
 * or -1. */
static int check_map(const struct ua_pins *p, const struct bpf_map *m, unsigned int rb_bytes,
		     char *why, size_t whylen)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char name[128];
	int fd;

	pin_name(name, sizeof(name), "map_", bpf_map__name(m));
	fd = obj_get_at(p, name);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
		return -1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != bpf_map__type(m) ||
	    info.key_size != bpf_map__key_size(m) || info.value_size != bpf_map__value_size(m) ||
	    info.max_entries != (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF ?
					 rb_bytes :
					 bpf_map__max_entries(m))) {
		snprintf(why, whylen, "%s is not the object's map", name);
		close(fd);
		return -1;
	}
	return fd;
}

static int is_link(int fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return !bpf_obj_get_info_by_fd(fd, &info, &len) && info.prog_id != 0;
}

static void state_unmap(struct ua_pins *p)
{
	if (p->state)
		munmap(p->state, UA_PIN_STATE_MAP);
	p->state = NULL;
	if (p->state_fd >= 0)
		close(p->state_fd);
	p->state_fd = -1;
}

static int state_map(struct ua_pins *p, int fd)
{
	void *m = mmap(NULL, UA_PIN_STATE_MAP, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return -errno;
	p->state = m;
	p->state_fd = fd;
	return 0;
}

/*
 * Is the whole set there, of this build and these settings? Fills
 * p->map_fds for ua_pin_reuse. 1: reuse it; 0: nothing there; -1: it is
 * not reusable, @why says why (the caller replaces it).
 */
static int inspect(struct ua_pins *p, struct bpf_object *obj, uint64_t build,
		   const struct ua_pin_state *want, char *why, size_t whylen)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct bpf_map *m;
	struct dirent *e;
	unsigned int nmaps = 0, nlinks = 0, nother = 0;
	DIR *d;
	int fd = dup(p->dir_fd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		snprintf(why, whylen, "cannot list it: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!strncmp(e->d_name, "map_", 4))
			nmaps++;
		else if (!strncmp(e->d_name, "link_", 5))
			nlinks++;
		else if (strcmp(e->d_name, STATE_PIN) && strcmp(e->d_name, KEYS_PIN) &&
			 strcmp(e->d_name, SUBMITS_PIN) && strcmp(e->d_name, LOCKED_PIN))
			nother++;
	}
	closedir(d);
	fd = obj_get_at(p, STATE_PIN);
	if (fd < 0) {
		if (!nmaps && !nlinks && !nother)
			return 0;
		snprintf(why, whylen, "damaged: no state (%u maps, %u links)", nmaps, nlinks);
		return -1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.value_size != UA_PIN_STATE_MAP || info.max_entries != 1 ||
	    !(info.map_flags & BPF_F_MMAPABLE) || state_map(p, fd)) {
		close(fd);
		snprintf(why, whylen, "damaged: its state is not uringaudit's");
		return -1;
	}
	if (p->state->magic != UA_PIN_MAGIC) {
		snprintf(why, whylen, "damaged: its state is not uringaudit's");
		return -1;
	}
	if (p->state->build != build) {
		snprintf(why, whylen, "build: made by another build of the BPF object");
		return -1;
	}
	if (p->state->rb_bytes != want->rb_bytes ||
	    p->state->pending_per_uid != want->pending_per_uid ||
	    memcmp(&p->state->fair, &want->fair, sizeof(want->fair))) {
		snprintf(why, whylen,
			 "settings: made with ringbuf_size %u, pending_per_uid %u, fair_fill %u, "
			 "fair_interval %u, fair_flow %u.%u, fair_process %u.%u, fair_uid %u.%u, "
			 "fair_reserve %u.%u",
			 p->state->rb_bytes, p->state->pending_per_uid, p->state->fair.fill_pct,
			 p->state->fair.interval_ms, p->state->fair.flow_pm / 10,
			 p->state->fair.flow_pm % 10, p->state->fair.process_pm / 10,
			 p->state->fair.process_pm % 10, p->state->fair.uid_pm / 10,
			 p->state->fair.uid_pm % 10, p->state->fair.reserve_pm / 10,
			 p->state->fair.reserve_pm % 10);
		return -1;
	}
	p->keys_fd = obj_get_at(p, KEYS_PIN);
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (p->keys_fd < 0 || bpf_obj_get_info_by_fd(p->keys_fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_ARRAY || info.value_size != KEY_SLOT ||
	    info.max_entries != 2 * UA_KRULES_MAX) {
		snprintf(why, whylen, "damaged: no rule keys");
		return -1;
	}
	p->submits_fd = obj_get_at(p, SUBMITS_PIN);
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (p->submits_fd < 0 || bpf_obj_get_info_by_fd(p->submits_fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_HASH || info.key_size != 8 ||
	    info.value_size != UA_PIN_SUBMIT_SLOT || info.max_entries != SUBMITS_MAX) {
		snprintf(why, whylen, "damaged: no kept submits");
		return -1;
	}
	p->locked_fd = obj_get_at(p, LOCKED_PIN);
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (p->locked_fd < 0 || bpf_obj_get_info_by_fd(p->locked_fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_ARRAY || info.value_size != LOCKED_SLOT ||
	    info.max_entries != 1) {
		snprintf(why, whylen, "damaged: no locked rules slot");
		return -1;
	}
	if (nother || nlinks != p->state->nlinks) {
		snprintf(why, whylen, "damaged: %u links of %u, %u foreign entries", nlinks,
			 p->state->nlinks, nother);
		return -1;
	}
	p->nmap_fds = 0;
	bpf_object__for_each_map(m, obj)
	{
		if (p->nmap_fds >= UA_PIN_MAPS_MAX) {
			snprintf(why, whylen, "more maps than %d", UA_PIN_MAPS_MAX);
			return -1;
		}
		fd = check_map(p, m, want->rb_bytes, why, whylen);
		if (fd < 0)
			return -1;
		p->map_fds[p->nmap_fds++] = fd;
	}
	if (nmaps != p->nmap_fds) {
		snprintf(why, whylen, "damaged: %u maps pinned, the object has %zu", nmaps,
			 p->nmap_fds);
		return -1;
	}
	/* The links: each must still hold its program. */
	fd = dup(p->dir_fd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		snprintf(why, whylen, "cannot list it: %s", strerror(errno));
		return -1;
	}
	p->nlink_fds = 0;
	while ((e = readdir(d))) {
		int lfd;

		if (strncmp(e->d_name, "link_", 5))
			continue;
		lfd = p->nlink_fds < UA_PIN_LINKS_MAX ? obj_get_at(p, e->d_name) : -1;
		if (lfd < 0 || !is_link(lfd)) {
			if (lfd >= 0)
				close(lfd);
			snprintf(why, whylen, "damaged: %s is not a link", e->d_name);
			closedir(d);
			return -1;
		}
		p->link_fds[p->nlink_fds++] = lfd;
	}
	closedir(d);
	return 1;
}

static void close_fds(struct ua_pins *p)
{
	size_t i;

	for (i = 0; i < p->nmap_fds; i++)
		close(p->map_fds[i]);
	for (i = 0; i < p->nlink_fds; i++)
		close(p->link_fds[i]);
	p->nmap_fds = p->nlink_fds = 0;
	if (p->keys_fd >= 0)
		close(p->keys_fd);
	if (p->submits_fd >= 0)
		close(p->submits_fd);
	if (p->locked_fd >= 0)
		close(p->locked_fd);
	p->keys_fd = p->submits_fd = p->locked_fd = -1;
}

void ua_pin_init(struct ua_pins *p, const char *dir)
{
	memset(p, 0, sizeof(*p));
	p->dir = dir && *dir ? dir : NULL;
	p->dir_fd = p->state_fd = p->keys_fd = p->submits_fd = p->locked_fd = -1;
}

int ua_pin_open(struct ua_pins *p, struct bpf_object *obj, uint64_t build, unsigned int rb_bytes,
		unsigned int pending_per_uid, const struct ua_fair *fair, char *err, size_t errlen)
{
	struct ua_pin_state want = { .rb_bytes = rb_bytes,
				     .pending_per_uid = pending_per_uid,
				     .fair = *fair };
	struct stat st;
	int rc;

	p->build = build;
	p->rb_bytes = rb_bytes;
	p->pending_per_uid = pending_per_uid;
	p->fair = *fair;
	if (!p->dir)
		return 0;
	if (p->dir[0] != '/')
		return say(err, errlen, "pin directory '%s': not an absolute path", p->dir);
	if (ensure_bpffs(p->dir, err, errlen))
		return -1;
	if (mkdir(p->dir, 0700) && errno != EEXIST)
		return say(err, errlen, "cannot create pin directory '%s': %s", p->dir,
			   strerror(errno));
	/* What is at the path must be the directory we would have made: a
	 * symlink, a file, another owner or a mode that lets anyone else in is
	 * refused, never used or removed. */
	p->dir_fd = open(p->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p->dir_fd < 0)
		return say(err, errlen,
			   "pin directory '%s' is not a directory (%s): refusing to use it", p->dir,
			   strerror(errno));
	if (fstat(p->dir_fd, &st) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    !on_bpffs(p->dir)) {
		close(p->dir_fd);
		p->dir_fd = -1;
		return say(err, errlen,
			   "pin directory '%s' is not a 0700 directory of this daemon's user "
			   "on bpffs: refusing to use it",
			   p->dir);
	}
	if (flock(p->dir_fd, LOCK_EX | LOCK_NB)) {
		rc = errno;
		close(p->dir_fd);
		p->dir_fd = -1;
		return say(err, errlen, "pin set '%s' is held by another uringaudit daemon%s",
			   p->dir, rc == EWOULDBLOCK ? "" : ": cannot lock it");
	}
	p->locked = 1;
	rc = inspect(p, obj, build, &want, p->replaced, sizeof(p->replaced));
	if (rc > 0) {
		p->reused = 1;
		p->prev = *p->state;
		return 0;
	}
	close_fds(p);
	state_unmap(p);
	if (rc < 0)
		wipe(p->dir_fd);
	else
		p->replaced[0] = '\0';
	return 0;
}

int ua_pin_reuse(struct ua_pins *p, struct bpf_object *obj, char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_map *m;
	size_t i = 0;

	if (!p->reused)
		return 0;
	bpf_object__for_each_map(m, obj)
	{
		int rc = i < p->nmap_fds ? bpf_map__reuse_fd(m, p->map_fds[i]) : -EINVAL;

		if (rc)
			return say(err, errlen, "cannot reuse pinned map %s: %s", bpf_map__name(m),
				   strerror(-rc));
		i++;
	}
	for (i = 0; i < p->nmap_fds; i++)
		close(p->map_fds[i]);
	p->nmap_fds = 0;
	/* The pinned links hold the attached programs: only the programs the
	 * daemon runs itself (forget_req) are loaded. */
	bpf_object__for_each_program(prog,
				     obj) if (bpf_program__type(prog) != BPF_PROG_TYPE_SYSCALL)
		bpf_program__set_autoload(prog, false);
	return 0;
}

int ua_pin_commit(struct ua_pins *p, struct bpf_object *obj, struct bpf_link *const *links,
		  const char *const *link_names, size_t nlinks, char *err, size_t errlen)
{
	struct bpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = BPF_F_MMAPABLE };
	char name[160], path[PATH_MAX + 160];
	struct bpf_map *m;
	size_t i;
	int fd;

	if (!p->dir)
		return 0;
	if (p->reused) {
		p->state->pid = (uint64_t)getpid();
		p->state->restarts++;
		return 0;
	}
	bpf_object__for_each_map(m, obj)
	{
		pin_name(name, sizeof(name), "map_", bpf_map__name(m));
		snprintf(path, sizeof(path), "%s/%s", p->dir, name);
		if (bpf_obj_pin(bpf_map__fd(m), path))
			goto fail;
	}
	for (i = 0; i < nlinks; i++) {
		if (!links[i])
			continue;
		pin_name(name, sizeof(name), "link_", link_names[i]);
		snprintf(path, sizeof(path), "%s/%s", p->dir, name);
		if (bpf_obj_pin(bpf_link__fd(links[i]), path))
			goto fail;
	}
	p->keys_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ua_pin_keys", 4, KEY_SLOT,
				    2 * UA_KRULES_MAX, NULL);
	snprintf(path, sizeof(path), "%s/%s", p->dir, KEYS_PIN);
	if (p->keys_fd < 0 || bpf_obj_pin(p->keys_fd, path))
		goto fail;
	{
		struct bpf_map_create_opts hopts = { .sz = sizeof(hopts),
						     .map_flags = BPF_F_NO_PREALLOC };

		p->submits_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ua_pin_submits", 8,
					       UA_PIN_SUBMIT_SLOT, SUBMITS_MAX, &hopts);
	}
	snprintf(path, sizeof(path), "%s/%s", p->dir, SUBMITS_PIN);
	if (p->submits_fd < 0 || bpf_obj_pin(p->submits_fd, path))
		goto fail;
	p->locked_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ua_pin_locked", 4, LOCKED_SLOT, 1, NULL);
	snprintf(path, sizeof(path), "%s/%s", p->dir, LOCKED_PIN);
	if (p->locked_fd < 0 || bpf_obj_pin(p->locked_fd, path))
		goto fail;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ua_pin_state", 4, UA_PIN_STATE_MAP, 1, &opts);
	if (fd < 0 || state_map(p, fd)) {
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	p->state->magic = UA_PIN_MAGIC;
	p->state->build = p->build;
	p->state->rb_bytes = p->rb_bytes;
	p->state->pending_per_uid = p->pending_per_uid;
	p->state->fair = p->fair;
	p->state->nlinks = 0;
	for (i = 0; i < nlinks; i++)
		p->state->nlinks += links[i] != NULL;
	p->state->pid = (uint64_t)getpid();
	snprintf(path, sizeof(path), "%s/%s", p->dir, STATE_PIN);
	if (bpf_obj_pin(p->state_fd, path))
		goto fail;
	return 0;
fail:
	say(err, errlen, "cannot pin the BPF state under '%s': %s", p->dir, strerror(errno));
	wipe(p->dir_fd);
	return -1;
}

void ua_pin_note(struct ua_pins *p, uint64_t seq_base, const uint64_t *counters)
{
	struct timespec ts;

	if (!p->state)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	p->state->seq_base = seq_base;
	p->state->updated_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (counters) {
		p->state->selected = counters[0];
		p->state->dropped = counters[1];
	}
}

void ua_pin_keys_save(struct ua_pins *p, unsigned int bank, const char *const *keys,
		      const size_t *lens, size_t n)
{
	char slot[KEY_SLOT];
	__u32 k, len;
	size_t i;

	if (p->keys_fd < 0)
		return;
	for (i = 0; i < UA_KRULES_MAX; i++) {
		memset(slot, 0, sizeof(slot));
		len = i < n && keys[i] && lens[i] <= KEY_SLOT - 4 ? (__u32)lens[i] : 0;
		memcpy(slot, &len, 4);
		if (len)
			memcpy(slot + 4, keys[i], len);
		k = (bank & 1) * UA_KRULES_MAX + (__u32)i;
		bpf_map_update_elem(p->keys_fd, &k, slot, BPF_ANY);
	}
}

int ua_pin_keys_load(struct ua_pins *p, unsigned int bank, char *buf, const char **keys,
		     size_t *lens)
{
	__u32 k, len;
	size_t i;

	if (p->keys_fd < 0)
		return 0;
	for (i = 0; i < UA_KRULES_MAX; i++) {
		char *slot = buf + i * KEY_SLOT;

		k = (bank & 1) * UA_KRULES_MAX + (__u32)i;
		if (bpf_map_lookup_elem(p->keys_fd, &k, slot))
			memset(slot, 0, KEY_SLOT);
		memcpy(&len, slot, 4);
		keys[i] = len && len <= KEY_SLOT - 4 ? slot + 4 : NULL;
		lens[i] = keys[i] ? len : 0;
	}
	return UA_KRULES_MAX;
}

int ua_pin_locked_save(struct ua_pins *p, const char *text, size_t len)
{
	char *slot;
	__u32 k = 0, n = (__u32)len;
	int rc;

	if (p->locked_fd < 0)
		return 0;
	if (len > LOCKED_SLOT - 4 || !(slot = calloc(1, LOCKED_SLOT)))
		return -1;
	memcpy(slot, &n, 4);
	memcpy(slot + 4, text, len);
	rc = bpf_map_update_elem(p->locked_fd, &k, slot, BPF_ANY) ? -1 : 0;
	free(slot);
	return rc;
}

char *ua_pin_locked_load(struct ua_pins *p, size_t *len)
{
	char *slot;
	__u32 k = 0, n;

	if (p->locked_fd < 0 || !(slot = malloc(LOCKED_SLOT)))
		return NULL;
	if (bpf_map_lookup_elem(p->locked_fd, &k, slot)) {
		free(slot);
		return NULL;
	}
	memcpy(&n, slot, 4);
	if (!n || n > LOCKED_SLOT - 4) {
		free(slot);
		return NULL;
	}
	memmove(slot, slot + 4, n);
	*len = n;
	return slot;
}

int ua_pin_keep(void *ctx, uint64_t seq, const void *ev, size_t size)
{
	static char slot[UA_PIN_SUBMIT_SLOT];
	struct ua_pins *p = ctx;
	__u32 n = (__u32)size;

	if (p->submits_fd < 0 || size > sizeof(slot) - 4)
		return -1;
	memcpy(slot, &n, 4);
	memcpy(slot + 4, ev, size);
	return bpf_map_update_elem(p->submits_fd, &seq, slot, BPF_ANY) ? -1 : 0;
}

void ua_pin_unkeep(void *ctx, uint64_t seq)
{
	struct ua_pins *p = ctx;

	if (p->submits_fd >= 0)
		bpf_map_delete_elem(p->submits_fd, &seq);
}

int ua_pin_kept(const struct ua_pins *p, uint64_t seq)
{
	static char slot[UA_PIN_SUBMIT_SLOT];

	return p->submits_fd >= 0 && !bpf_map_lookup_elem(p->submits_fd, &seq, slot);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t ua_pin_adopt(struct ua_pins *p, int (*fn)(void *arg, const void *ev, size_t size),
		      void *arg)
{
	static char slot[UA_PIN_SUBMIT_SLOT];
	uint64_t *seqs, key, next, n = 0, took = 0, i;
	__u32 size;

	if (p->submits_fd < 0 || !(seqs = malloc(SUBMITS_MAX * sizeof(*seqs))))
		return 0;
	while (n < SUBMITS_MAX && !bpf_map_get_next_key(p->submits_fd, n ? &key : NULL, &next)) {
		key = next;
		seqs[n++] = key;
	}
	qsort(seqs, n, sizeof(*seqs), cmp_u64);
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(p->submits_fd, &seqs[i], slot))
			continue;
		memcpy(&size, slot, 4);
		if (size > sizeof(slot) - 4 || fn(arg, slot + 4, size)) {
			/* Not a request we can follow: dropped, said as held. */
			bpf_map_delete_elem(p->submits_fd, &seqs[i]);
			continue;
		}
		took++;
	}
	free(seqs);
	return took;
}

void ua_pin_release_links(struct ua_pins *p)
{
	char name[NAME_MAX + 1];
	DIR *d;
	struct dirent *e;
	int fd;

	if (!p->locked)
		return;
	/* The state first: from here the set is not whole. */
	unlinkat(p->dir_fd, STATE_PIN, 0);
	fd = dup(p->dir_fd);
	if (fd >= 0 && (d = fdopendir(fd))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "link_", 5)) {
				snprintf(name, sizeof(name), "%s", e->d_name);
				unlinkat(p->dir_fd, name, 0);
			}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	for (size_t i = 0; i < p->nlink_fds; i++)
		close(p->link_fds[i]);
	p->nlink_fds = 0;
}

void ua_pin_close(struct ua_pins *p)
{
	close_fds(p);
	if (p->locked) {
		wipe(p->dir_fd);
		rmdir(p->dir);
	}
	state_unmap(p);
	if (p->dir_fd >= 0)
		close(p->dir_fd);
	p->dir_fd = -1;
	p->locked = 0;
}

int ua_pin_remove(const char *dir, char *err, size_t errlen)
{
	struct ua_pins p;
	struct stat st;

	ua_pin_init(&p, dir);
	if (lstat(dir, &st)) {
		if (errno == ENOENT)
			return 0;
		return say(err, errlen, "%s: %s", dir, strerror(errno));
	}
	p.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p.dir_fd < 0 || fstat(p.dir_fd, &st) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    !on_bpffs(dir)) {
		if (p.dir_fd >= 0)
			close(p.dir_fd);
		return say(err, errlen,
			   "'%s' is not a root-owned 0700 pin directory on bpffs: not touched",
			   dir);
	}
	if (flock(p.dir_fd, LOCK_EX | LOCK_NB)) {
		close(p.dir_fd);
		return say(err, errlen,
			   "pin set '%s' is held by a running daemon: stop it (SIGTERM), which "
			   "removes the set",
			   dir);
	}
	p.locked = 1;
	ua_pin_close(&p);
	return 1;
}
