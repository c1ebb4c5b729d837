// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ua_runcnt CMD [ARG]...: how many times each BPF program on the machine ran
 * while CMD ran. Turns the kernel's run statistics on (BPF_ENABLE_STATS,
 * as long as it holds the fd), reads every program's run_cnt, runs CMD,
 * reads them again and prints one line per program that ran:
 *   prog NAME id ID runs N
 * then "total N" (a program loaded meanwhile counts from zero) and exits
 * with CMD's status (1 on its own failures). The per-op backend's test
 * (t_backend.sh) uses it to show that requests of unselected opcodes run
 * no BPF instruction. No libbpf: the bpf(2) commands themselves.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROGS 4096

struct snap {
	uint32_t id[MAX_PROGS];
	uint64_t runs[MAX_PROGS];
	char name[MAX_PROGS][BPF_OBJ_NAME_LEN];
	size_t n;
};

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static void take(struct snap *s)
{
	union bpf_attr a;
	uint32_t id = 0;

	s->n = 0;
	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (uint32_t)fd;
		a.info.info_len = sizeof(info);
		a.info.info = (uint64_t)(uintptr_t)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) && s->n < MAX_PROGS) {
			s->id[s->n] = id;
			s->runs[s->n] = info.run_cnt;
			memcpy(s->name[s->n], info.name, BPF_OBJ_NAME_LEN);
			s->name[s->n][BPF_OBJ_NAME_LEN - 1] = 0;
			s->n++;
		}
		close(fd);
	}
}

static struct snap before, after;

int main(int argc, char **argv)
{
	union bpf_attr a;
	uint64_t total = 0;
	int stats, st;
	size_t i, j;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CMD [ARG]...\n", argv[0]);
		return 2;
	}
	memset(&a, 0, sizeof(a));
	a.enable_stats.type = BPF_STATS_RUN_TIME;
	stats = (int)sys_bpf(BPF_ENABLE_STATS, &a);
	if (stats < 0) {
		fprintf(stderr, "ua_runcnt: BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	take(&before);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return 1;
	take(&after);
	for (i = 0; i < after.n; i++) {
		uint64_t prev = 0;

		for (j = 0; j < before.n; j++)
			if (before.id[j] == after.id[i])
				prev = before.runs[j];
		if (after.runs[i] == prev)
			continue;
		printf("prog %s id %u runs %llu\n", after.name[i], after.id[i],
		       (unsigned long long)(after.runs[i] - prev));
		total += after.runs[i] - prev;
	}
	printf("total %llu\n", (unsigned long long)total);
	close(stats);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
