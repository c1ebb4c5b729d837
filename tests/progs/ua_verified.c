// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_verified PID [BUDGET]: how many instructions the kernel's verifier
 * processed for each BPF program process PID holds (its bpf-prog file
 * descriptors, found through /proc/PID/fdinfo), one line per program:
 *   prog NAME id ID verified_insns N
 * then "max N NAME". With BUDGET, a program above it is named on stderr
 * and the exit status is 1. The verifier gives up at 1,000,000 ("BPF
 * program is too large"); the integration suite (t_kernel.sh) keeps every
 * program of the daemon under a budget well below that, so a change that
 * grows a program towards the limit fails a test on the kernel it grows on
 * before a user's kernel refuses it. Exit 3 when the kernel does not
 * report the count (bpf_prog_info.verified_insns, Linux 5.16), 2 on usage
 * or when PID holds no program. No libbpf: the bpf(2) commands themselves.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_PROGS 4096

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* The prog_id line of /proc/PID/fdinfo/FD, 0 when it is not a program. */
static uint32_t fd_prog_id(const char *pid, const char *fd)
{
	char path[600], line[256];
	uint32_t id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "prog_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

int main(int argc, char **argv)
{
	static uint32_t ids[MAX_PROGS];
	char path[300], maxname[BPF_OBJ_NAME_LEN] = "";
	unsigned long long budget = 0;
	uint32_t max = 0;
	size_t n = 0, i, j, counted = 0, over = 0;
	struct dirent *d;
	DIR *dir;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PID [BUDGET]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		budget = strtoull(argv[2], NULL, 10);
	snprintf(path, sizeof(path), "/proc/%s/fd", argv[1]);
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "ua_verified: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while ((d = readdir(dir)) && n < MAX_PROGS) {
		uint32_t id;

		if (d->d_name[0] == '.')
			continue;
		id = fd_prog_id(argv[1], d->d_name);
		for (j = 0; j < n && id; j++)
			if (ids[j] == id)
				id = 0;
		if (id)
			ids[n++] = id;
	}
	closedir(dir);
	if (!n) {
		fprintf(stderr, "ua_verified: process %s holds no BPF program\n", argv[1]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		struct bpf_prog_info info;
		union bpf_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_id = ids[i];
		fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (uint32_t)fd;
		a.info.info_len = sizeof(info);
		a.info.info = (uint64_t)(uintptr_t)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) {
			close(fd);
			continue;
		}
		close(fd);
		info.name[BPF_OBJ_NAME_LEN - 1] = 0;
		printf("prog %s id %u verified_insns %u\n", info.name, ids[i], info.verified_insns);
		if (info.verified_insns)
			counted++;
		if (info.verified_insns > max) {
			max = info.verified_insns;
			memcpy(maxname, info.name, BPF_OBJ_NAME_LEN);
		}
		if (budget && info.verified_insns > budget) {
			fprintf(stderr, "ua_verified: program %s: %u instructions verified, over the budget of %llu\n",
				info.name, info.verified_insns, budget);
			over++;
		}
	}
	if (!counted) {
		fprintf(stderr, "ua_verified: the kernel reports no verified_insns (Linux 5.16)\n");
		return 3;
	}
	printf("max %u %s\n", max, maxname);
	return over ? 1 : 0;
}
