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
#include <bpf/btf.h>

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
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
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
	char path[320], line[256];
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
		char lp[384];
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

/* The name of a tracepoint a BPF link is attached to, or "" when the link
 * is of another kind. tp_btf programs give a tracing link whose target is
 * the tracepoint's btf_trace_<name> typedef in vmlinux BTF; raw_tp programs
 * give a raw tracepoint link that carries the name. */
static void link_tp_name(int fd, const struct btf *vmlinux, char *tp, size_t len)
{
	struct bpf_link_info info;
	__u32 ilen = sizeof(info);
	char name[128] = "";

	tp[0] = '\0';
	memset(&info, 0, sizeof(info));
	info.raw_tracepoint.tp_name = (__u64)(unsigned long)name;
	info.raw_tracepoint.tp_name_len = sizeof(name);
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return;
	if (info.type == BPF_LINK_TYPE_RAW_TRACEPOINT) {
		name[sizeof(name) - 1] = '\0';
		snprintf(tp, len, "%s", name);
	} else if (info.type == BPF_LINK_TYPE_TRACING &&
		   info.tracing.attach_type == BPF_TRACE_RAW_TP && vmlinux) {
		const struct btf_type *t = btf__type_by_id(vmlinux, info.tracing.target_btf_id);
		const char *n = t ? btf__name_by_offset(vmlinux, t->name_off) : NULL;

		if (n && !strncmp(n, "btf_trace_", 10))
			snprintf(tp, len, "%s", n + 10);
	}
}

int io_uring_links(char desc[][128], int max, uint32_t *prog_ids)
{
	static struct btf *vmlinux;
	__u32 id = 0;
	int n = 0;

	if (!vmlinux)
		vmlinux = btf__load_vmlinux_btf();
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info;
		__u32 ilen = sizeof(info);
		char tp[128];
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		link_tp_name(fd, vmlinux, tp, sizeof(tp));
		memset(&info, 0, sizeof(info));
		if (!strncmp(tp, "io_uring_", 9) && !bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
			if (n < max) {
				struct bpf_obj_info p = { .id = info.prog_id };

				obj_name(0, &p);
				snprintf(desc[n], 128, "%s (prog %u) on %s", p.name, info.prog_id,
					 tp);
				if (prog_ids)
					prog_ids[n] = info.prog_id;
			}
			n++;
		}
		close(fd);
	}
	return n;
}
