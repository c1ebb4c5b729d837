// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What /proc says about a process: CPU time, memory, and the BPF maps and
 * programs it holds. The daemon is a separate process, so this is how the
 * bench sees its consumer cost and its memory without asking it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bench.h"

double proc_cpu_s(pid_t pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')'.
	 * Then: state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime (fields 3..15). */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

uint64_t proc_status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			v = strtoull(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static void fdinfo_fields(pid_t pid, const char *fd, int map, struct bpf_obj_info *o)
{
	char path[96], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, map ? "map_id" : "prog_id"))
			o->id = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(line, map ? "map_type" : "prog_type"))
			snprintf(o->type, sizeof(o->type), "%s", v);
		else if (!strcmp(line, "memlock"))
			o->memlock = strtoull(v, NULL, 10);
	}
	fclose(f);
}

/* The object's name, from the kernel by id (fdinfo does not carry it). */
static void obj_name(int map, struct bpf_obj_info *o)
{
	int fd = map ? bpf_map_get_fd_by_id(o->id) : bpf_prog_get_fd_by_id(o->id);

	o->name[0] = '\0';
	if (fd < 0)
		return;
	if (map) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			snprintf(o->name, sizeof(o->name), "%s", info.name);
	} else {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			snprintf(o->name, sizeof(o->name), "%s", info.name);
	}
	close(fd);
}

int proc_bpf_objs(pid_t pid, const char *kind, struct bpf_obj_info *out, int max)
{
	char path[64], link[96], want[32];
	int map = !strcmp(kind, "bpf-map");
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "anon_inode:%s", kind);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		char lp[128];
		ssize_t len;
		struct bpf_obj_info o;
		int dup = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(lp, sizeof(lp), "%s/%s", path, de->d_name);
		len = readlink(lp, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strcmp(link, want))
			continue;
		memset(&o, 0, sizeof(o));
		fdinfo_fields(pid, de->d_name, map, &o);
		if (!o.id)
			continue;
		/* A process may hold one object through several fds. */
		for (i = 0; i < n; i++)
			dup |= out[i].id == o.id;
		if (dup)
			continue;
		obj_name(map, &o);
		out[n++] = o;
	}
	closedir(d);
	return n;
}
