// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_tamper - what a root process would do to undo uringaudit (t_tamper.sh,
 * issue 13 item 4): the bpf(2) commands bpftool runs, signals, ptrace,
 * unlinks in the pin directory. Raw system calls, no libbpf, so that each
 * result is the kernel's own.
 *
 * Usage: ua_tamper COMMAND ARGS...
 *
 *   ids PINDIR             every pin of the set: maps opened read-only,
 *                          links opened; prints "map NAME ID" and
 *                          "link NAME ID PROG_ID" a line
 *   prog_by_id ID          BPF_PROG_GET_FD_BY_ID
 *   map_by_id ID           BPF_MAP_GET_FD_BY_ID (read-only)
 *   link_by_id ID          BPF_LINK_GET_FD_BY_ID
 *   map_open_write PIN     BPF_OBJ_GET of a map's pin, read-write
 *   link_update PIN        BPF_LINK_UPDATE of a pinned link to program fd -1
 *                          (fails with EBADF when nothing refuses it first)
 *   link_detach PIN        BPF_LINK_DETACH of a pinned link
 *   held_delete PIN        open a map's pin read-write, print "held", wait
 *                          for a line on stdin, then BPF_MAP_DELETE_ELEM of
 *                          the all-zero key through that fd (ENOENT where
 *                          no such key, EINVAL for an array)
 *   pin_dummy PATH         create a one-entry array map and pin it at PATH
 *   kill PID SIG           kill(2)
 *   ptrace PID             PTRACE_SEIZE (attach without stopping it; the
 *                          exit detaches)
 *   unlink PATH            unlink(2)
 *   rename OLD NEW         rename(2)
 *
 * Output: "pid=N" first, then each command's line(s); a system call's
 * result is "rc=0" or "rc=-ERRNO" (the number). Exit 0 unless the usage is
 * wrong (2).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int rc_of(long r)
{
	return r < 0 ? -errno : 0;
}

static void say_rc(long r)
{
	printf("rc=%d\n", rc_of(r));
}

static long obj_get(const char *path, unsigned int flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.file_flags = flags;
	return sys_bpf(BPF_OBJ_GET, &a);
}

static long by_id(int cmd, unsigned int id, unsigned int flags)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.start_id = id;
	a.open_flags = flags;
	fd = sys_bpf(cmd, &a);
	return fd;
}

static int info_of(int fd, void *info, unsigned int len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = (uint64_t)(uintptr_t)info;
	return (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

static int ids(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (!d) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d))) {
		struct bpf_map_info mi;
		struct bpf_link_info li;
		long fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = obj_get(path, BPF_F_RDONLY);
		if (fd >= 0) {
			memset(&mi, 0, sizeof(mi));
			if (!info_of((int)fd, &mi, sizeof(mi)))
				printf("map %s %u\n", de->d_name, mi.id);
			close((int)fd);
			continue;
		}
		fd = obj_get(path, 0);
		if (fd >= 0) {
			memset(&li, 0, sizeof(li));
			if (!info_of((int)fd, &li, sizeof(li)))
				printf("link %s %u %u\n", de->d_name, li.id, li.prog_id);
			close((int)fd);
		}
	}
	closedir(d);
	return 0;
}

static void held_delete(const char *pin)
{
	union bpf_attr a;
	struct bpf_map_info mi;
	char key[512] = { 0 }, line[16];
	long fd = obj_get(pin, 0);

	if (fd < 0) {
		printf("open rc=%d\n", -errno);
		return;
	}
	memset(&mi, 0, sizeof(mi));
	if (info_of((int)fd, &mi, sizeof(mi)) || mi.key_size > sizeof(key)) {
		printf("info rc=%d\n", -errno);
		return;
	}
	printf("held\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	say_rc(sys_bpf(BPF_MAP_DELETE_ELEM, &a));
}

static void pin_dummy(const char *path)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0) {
		say_rc(fd);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	say_rc(sys_bpf(BPF_OBJ_PIN, &a));
}

/* PTRACE_SEIZE: an attach that does not stop the tracee (the same
 * permission check as PTRACE_ATTACH); exiting detaches. */
static void do_ptrace(pid_t pid)
{
	say_rc(ptrace(PTRACE_SEIZE, pid, NULL, NULL));
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	union bpf_attr a;
	long fd;

	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(c, "ids") && argc == 3)
		return ids(argv[2]);
	if (!strcmp(c, "prog_by_id") && argc == 3) {
		say_rc(by_id(BPF_PROG_GET_FD_BY_ID, (unsigned int)strtoul(argv[2], NULL, 0), 0));
	} else if (!strcmp(c, "map_by_id") && argc == 3) {
		say_rc(by_id(BPF_MAP_GET_FD_BY_ID, (unsigned int)strtoul(argv[2], NULL, 0),
			     BPF_F_RDONLY));
	} else if (!strcmp(c, "link_by_id") && argc == 3) {
		say_rc(by_id(BPF_LINK_GET_FD_BY_ID, (unsigned int)strtoul(argv[2], NULL, 0), 0));
	} else if (!strcmp(c, "map_open_write") && argc == 3) {
		say_rc(obj_get(argv[2], 0));
	} else if ((!strcmp(c, "link_update") || !strcmp(c, "link_detach")) && argc == 3) {
		fd = obj_get(argv[2], 0);
		if (fd < 0) {
			printf("open rc=%d\n", -errno);
			return 0;
		}
		memset(&a, 0, sizeof(a));
		if (!strcmp(c, "link_update")) {
			a.link_update.link_fd = (uint32_t)fd;
			a.link_update.new_prog_fd = (uint32_t)-1;
			say_rc(sys_bpf(BPF_LINK_UPDATE, &a));
		} else {
			a.link_detach.link_fd = (uint32_t)fd;
			say_rc(sys_bpf(BPF_LINK_DETACH, &a));
		}
	} else if (!strcmp(c, "held_delete") && argc == 3) {
		held_delete(argv[2]);
	} else if (!strcmp(c, "pin_dummy") && argc == 3) {
		pin_dummy(argv[2]);
	} else if (!strcmp(c, "kill") && argc == 4) {
		say_rc(kill((pid_t)atoi(argv[2]), atoi(argv[3])));
	} else if (!strcmp(c, "ptrace") && argc == 3) {
		do_ptrace((pid_t)atoi(argv[2]));
	} else if (!strcmp(c, "unlink") && argc == 3) {
		say_rc(unlink(argv[2]));
	} else if (!strcmp(c, "rename") && argc == 4) {
		say_rc(rename(argv[2], argv[3]));
	} else {
		fprintf(stderr,
			"usage: ua_tamper ids|prog_by_id|map_by_id|link_by_id|map_open_write|"
			"link_update|link_detach|held_delete|pin_dummy|kill|ptrace|unlink|"
			"rename ARGS...\n");
		return 2;
	}
	return 0;
}
