// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Tamper resistance (issue 13 item 4; the contract: bpf/tamper.h).
 *
 * Once the rules are locked (-e 2) and where BPF-LSM works (the probe of
 * enforce.c), the tamper object (bpf/tamper.bpf.c) is loaded and told what
 * to guard: the id of every BPF program, map and link this process holds
 * a descriptor of (its own objects, the pinned set, the enforcement and
 * holders objects, the tamper object itself: found in /proc/self/fd, so
 * nothing is forgotten whatever loaded it), and its pin directory. Then its
 * LSM programs are attached; each attempt they deny is a URING_TAMPER
 * record. Nothing of this is loaded for a set that is not locked, so an
 * unlocked daemon costs what it did before.
 *
 * Where BPF-LSM does not work, the start record (and stderr) says that
 * tamper resistance is not in force and why: tamper=off tamper_why="...".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon_state.h"
#include "format.h"
#include "tamper.h"
#include "tamper.skel.h"

/* While the tamper object loads: libbpf's warnings (a program the verifier
 * refused, with its log) to stderr, each line marked. */
static int warn_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	fputs("uringaudit: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int protect(int map_fd, __u32 kind, __u32 id)
{
	struct ua_tamper_key k = { .kind = kind, .id = id };
	__u8 one = 1;

	if (!id)
		return 0;
	return bpf_map_update_elem(map_fd, &k, &one, BPF_ANY) ? -errno : 0;
}

/*
 * Every BPF object this process holds an fd of goes into @map_fd: programs,
 * maps, links and the program of each link. How many, or -errno.
 */
static int protect_held(int map_fd)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0, rc = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && !rc) {
		char path[64], target[64];
		ssize_t len;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strcmp(target, "anon_inode:bpf-prog")) {
			struct bpf_prog_info info = { 0 };
			__u32 ilen = sizeof(info);

			if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
				rc = protect(map_fd, UA_TK_PROG, info.id), n++;
		} else if (!strcmp(target, "anon_inode:bpf-map")) {
			struct bpf_map_info info = { 0 };
			__u32 ilen = sizeof(info);

			if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
				rc = protect(map_fd, UA_TK_MAP, info.id), n++;
		} else if (!strcmp(target, "anon_inode:bpf_link") ||
			   !strcmp(target, "anon_inode:bpf-link")) {
			/* made (bpf_link), or opened from a pin (bpf-link) */
			struct bpf_link_info info = { 0 };
			__u32 ilen = sizeof(info);

			if (!bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
				rc = protect(map_fd, UA_TK_LINK, info.id);
				if (!rc)
					rc = protect(map_fd, UA_TK_PROG, info.prog_id);
				n++;
			}
		}
	}
	closedir(dir);
	return rc ? rc : n;
}

static void say_off(struct daemon *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->tamper_why, sizeof(d->tamper_why), fmt, ap);
	va_end(ap);
}

/* Load, fill and attach the tamper object. 0 or -errno with d->tamper_why. */
static int tamper_load(struct daemon *d)
{
	libbpf_print_fn_t old = libbpf_set_print(warn_print);
	struct tamper *skel = tamper__open();
	char missing[256];
	struct stat st;
	int rc, n;

	if (!skel) {
		rc = -errno;
		say_off(d, "cannot open the tamper object: %s", strerror(-rc));
		goto out;
	}
	skel->rodata->cfg_daemon_tgid = (__u32)getpid();
	if (ua_lsm_skip_missing(skel->obj, missing, sizeof(missing)))
		fprintf(stderr,
			"uringaudit: warning: BPF-LSM hooks this kernel lacks: %s: those attempts "
			"are not refused\n",
			missing);
	rc = tamper__load(skel);
	if (rc) {
		say_off(d, "the kernel refuses the tamper programs: %s", strerror(-rc));
		goto out;
	}
	if (d->loader.pins.dir && d->loader.pins.dir_fd >= 0 &&
	    !fstat(d->loader.pins.dir_fd, &st)) {
		/* the kernel's dev_t: MKDEV(major, minor) = major << 20 | minor */
		skel->bss->pin_ino = st.st_ino;
		skel->bss->pin_dev = (__u32)(major(st.st_dev) << 20 | minor(st.st_dev));
	}
	n = protect_held(bpf_map__fd(skel->maps.prot));
	if (n < 0) {
		rc = n;
		say_off(d, "cannot list the daemon's BPF objects: %s", strerror(-rc));
		goto out;
	}
	rc = tamper__attach(skel);
	if (rc) {
		say_off(d,
			"the kernel refuses to attach the tamper programs (BPF-LSM hooks bpf, "
			"bpf_map, bpf_prog, task_kill, ptrace_access_check, inode_unlink, ...): %s",
			strerror(-rc));
		goto out;
	}
	/* and the tamper object's own links */
	n = protect_held(bpf_map__fd(skel->maps.prot));
	if (n < 0) {
		rc = n;
		say_off(d, "cannot list the daemon's BPF objects: %s", strerror(-rc));
		goto out;
	}
	d->tamper_objects = (unsigned int)n;
	d->tamper = skel;
	skel = NULL;
	rc = 0;
out:
	tamper__destroy(skel);
	libbpf_set_print(old);
	return rc;
}

static const char *const what_names[] = {
	[UA_TM_PROG_BY_ID] = "prog_get_fd_by_id",
	[UA_TM_MAP_BY_ID] = "map_get_fd_by_id",
	[UA_TM_LINK_BY_ID] = "link_get_fd_by_id",
	[UA_TM_MAP_WRITE] = "map_write",
	[UA_TM_LINK_DETACH] = "link_detach",
	[UA_TM_LINK_UPDATE] = "link_update",
	[UA_TM_MAP_OPEN] = "map_open_write",
	[UA_TM_PROG_OPEN] = "prog_open",
	[UA_TM_SIGNAL] = "signal",
	[UA_TM_PTRACE] = "ptrace",
	[UA_TM_UNPIN] = "unpin",
	[UA_TM_RENAME] = "rename",
	[UA_TM_RMDIR] = "rmdir",
	[UA_TM_UMOUNT] = "umount",
};

static const char *hook_of(__u32 what)
{
	switch (what) {
	case UA_TM_MAP_OPEN:
		return "bpf_map";
	case UA_TM_PROG_OPEN:
		return "bpf_prog";
	case UA_TM_SIGNAL:
		return "task_kill";
	case UA_TM_PTRACE:
		return "ptrace_access_check";
	case UA_TM_UNPIN:
		return "inode_unlink";
	case UA_TM_RENAME:
		return "inode_rename";
	case UA_TM_RMDIR:
		return "inode_rmdir";
	case UA_TM_UMOUNT:
		return "sb_umount";
	default:
		return "bpf";
	}
}

static const char *object_of(__u32 what)
{
	switch (what) {
	case UA_TM_PROG_BY_ID:
	case UA_TM_PROG_OPEN:
		return "prog";
	case UA_TM_MAP_BY_ID:
	case UA_TM_MAP_WRITE:
	case UA_TM_MAP_OPEN:
		return "map";
	case UA_TM_LINK_BY_ID:
	case UA_TM_LINK_DETACH:
	case UA_TM_LINK_UPDATE:
		return "link";
	default:
		return NULL;
	}
}

/* bpf(2) commands a map write is (enum bpf_cmd's numbers, the UAPI's). */
static const char *cmd_name(__u32 cmd)
{
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
		return "map_update_elem";
	case BPF_MAP_DELETE_ELEM:
		return "map_delete_elem";
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return "map_lookup_and_delete_elem";
	case BPF_MAP_FREEZE:
		return "map_freeze";
	case BPF_MAP_UPDATE_BATCH:
		return "map_update_batch";
	case BPF_MAP_DELETE_BATCH:
		return "map_delete_batch";
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return "map_lookup_and_delete_batch";
	default:
		return NULL;
	}
}

/* A URING_TAMPER record: an attempt the tamper object denied. */
static int on_tamper(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const struct ua_ev_tamper *e = data;
	struct ua_kv kv[18];
	size_t n = 0;
	char sig[16];
	const char *what = "?", *obj = NULL, *cmd = NULL;

	if (size < sizeof(*e) || e->hdr.type != UA_EV_TAMPER)
		return 0;
	if (e->what < sizeof(what_names) / sizeof(what_names[0]) && what_names[e->what])
		what = what_names[e->what];
	obj = object_of(e->what);
	kv[n++] = ua_kv_word("op", what);
	kv[n++] = ua_kv_word("hook", hook_of(e->what));
	if (obj) {
		kv[n++] = ua_kv_word("object", obj);
		kv[n++] = ua_kv_u64("id", e->id);
	}
	if (e->what == UA_TM_MAP_WRITE && (cmd = cmd_name(e->arg)))
		kv[n++] = ua_kv_word("cmd", cmd);
	if (e->what == UA_TM_SIGNAL) {
		const char *abbrev = sigabbrev_np((int)e->arg);

		if (abbrev)
			snprintf(sig, sizeof(sig), "SIG%s", abbrev);
		else
			snprintf(sig, sizeof(sig), "%u", e->arg);
		kv[n++] = ua_kv_word("signal", sig);
	}
	if (e->what == UA_TM_PTRACE)
		kv[n++] = ua_kv_u64("mode", e->arg);
	if (e->what == UA_TM_UNPIN || e->what == UA_TM_RENAME || e->what == UA_TM_RMDIR)
		kv[n++] = ua_kv_str("name", e->name, strnlen(e->name, sizeof(e->name)));
	kv[n++] = ua_kv_s64("exit", e->err);
	UA_KV_SUBJECT(kv, n, e);
	if (e->lost)
		kv[n++] = ua_kv_u64("lost", e->lost);
	ua_consumer_event(d->consumer, "URING_TAMPER", kv, n);
	return 0;
}

int ua_tamper_events(struct daemon *d)
{
	if (!d->tamper || !d->rb || d->tamper_rb_added)
		return 0;
	if (ring_buffer__add(d->rb, bpf_map__fd(d->tamper->maps.tamper_rb), on_tamper, d))
		return -errno;
	d->tamper_rb_added = 1;
	return 0;
}

void ua_tamper_arm(struct daemon *d)
{
	if (!d->locked || d->tamper || d->tamper_tried)
		return;
	d->tamper_tried = 1;
	if (!d->lsm_probed) {
		d->lsm_ok = !ua_lsm_probe(d->lsm_why, sizeof(d->lsm_why));
		d->lsm_probed = 1;
	}
	if (!d->lsm_ok) {
		say_off(d, "%s", d->lsm_why);
	} else if (tamper_load(d) == 0) {
		int rc = ua_tamper_events(d);

		if (rc) {
			say_off(d, "cannot read the tamper events: %s", strerror(-rc));
			ua_tamper_stop(d);
		}
	}
	if (d->tamper)
		fprintf(stderr,
			"uringaudit: the rules are locked (-e 2): tamper resistance in force with "
			"BPF-LSM (%u BPF objects guarded; only the daemon's parent may signal it)\n",
			d->tamper_objects);
	else
		fprintf(stderr,
			"uringaudit: the rules are locked (-e 2), but tamper resistance is not in "
			"force: %s\n",
			d->tamper_why);
}

void ua_tamper_stop(struct daemon *d)
{
	if (!d->tamper)
		return;
	tamper__destroy(d->tamper);
	d->tamper = NULL;
	d->tamper_rb_added = 0;
}
