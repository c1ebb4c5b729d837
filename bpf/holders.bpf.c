// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: who holds a SQPOLL ring besides its creator (issue 10 item 8).
 *
 * Requests of a SQPOLL ring are read from shared memory by the ring's SQ
 * thread, a thread of the process that set the ring up, and run with that
 * process's credentials: the kernel keeps no trace of which process wrote an
 * SQE. What it does keep is who can write them: every process holding the
 * ring's file (fd table, or the per-task registered ring fds) or mapping its
 * memory. Three BPF iterators list those, each writing struct ua_holder lines
 * (bpf/holders.h) to the reader, the daemon, when it asks (src/holders.c):
 *
 *   iter/task_file  an fd whose file is an io_uring ring
 *   iter/task_vma   a mapping whose vm_file is an io_uring ring
 *   iter/task       task->io_uring->registered_rings[] (IORING_REGISTER_RING_FDS)
 *
 * Only SQPOLL rings are listed, and only holders whose process is not the
 * one the SQ thread belongs to (sq_data->task_tgid, the process every record
 * of the ring names). This object attaches to no hook: it costs nothing until
 * the daemon reads an iterator.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "holders.h"
#include "owner.bpf.h"
#include "ringfile.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define IORING_SETUP_SQPOLL (1U << 1)
/* io_uring/tctx.h: IO_RINGFD_REG_MAX */
#define RINGFD_REG_MAX 16

/* One line when @f is a SQPOLL ring that @task's process did not create. */
static __always_inline void note(struct seq_file *seq, struct task_struct *task, struct file *f,
				 __u32 how, __s32 fd, __s32 ring_fd)
{
	struct io_ring_ctx *ctx = ring_of_file(f);
	struct io_sq_data *sqd;
	struct ua_holder h = {};

	if (!ctx || !(BPF_CORE_READ(ctx, flags) & IORING_SETUP_SQPOLL))
		return;
	sqd = BPF_CORE_READ(ctx, sq_data);
	if (!sqd || BPF_CORE_READ(sqd, task_tgid) == task->tgid)
		return;
	h.ring = (__u64)ctx;
	h.creator = BPF_CORE_READ(sqd, task_tgid);
	h.how = how;
	h.fd = fd;
	h.ring_fd = ring_fd;
	owner_fill(&h.owner, task);
	bpf_seq_write(seq, &h, sizeof(h));
}

/* Threads sharing a file table are visited once (the iterator skips them). */
SEC("iter/task_file")
int holder_fd(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file)
		return 0;
	note(ctx->meta->seq, task, file, UA_HOLD_FD, (__s32)ctx->fd, -1);
	return 0;
}

SEC("iter/task_vma")
int holder_mmap(struct bpf_iter__task_vma *ctx)
{
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;

	if (!task || !vma)
		return 0;
	note(ctx->meta->seq, task, vma->vm_file, UA_HOLD_MMAP, -1, -1);
	return 0;
}

/* Registered ring fds are per thread (task->io_uring), so every thread is
 * looked at. */
SEC("iter/task")
int holder_registered(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct io_uring_task *tctx;
	int i;

	/* Registered ring fds came with Linux 5.18. */
	if (!task || !bpf_core_field_exists(struct io_uring_task, registered_rings))
		return 0;
	tctx = task->io_uring;
	if (!tctx)
		return 0;
	for (i = 0; i < RINGFD_REG_MAX; i++)
		note(ctx->meta->seq, task, tctx->registered_rings[i], UA_HOLD_REGISTERED, -1, i);
	return 0;
}
