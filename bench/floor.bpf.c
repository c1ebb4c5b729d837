// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor: what the kernel charges for dispatching to BPF at all. One
 * empty program on each of the seven tracepoints that uringaudit's
 * tracepoint backend attaches to (src/loader.c), of the same program type
 * (tp_btf), so that "uringaudit minus floor" is what uringaudit's own code
 * costs. Keep this list in step with the daemon's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/io_uring_create")
int fl_create(void *ctx)
{
	return 0;
}

SEC("tp_btf/io_uring_register")
int fl_register(void *ctx)
{
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int fl_submit_req(void *ctx)
{
	return 0;
}

SEC("tp_btf/io_uring_queue_async_work")
int fl_async_work(void *ctx)
{
	return 0;
}

SEC("tp_btf/io_uring_complete")
int fl_complete(void *ctx)
{
	return 0;
}

SEC("tp_btf/io_uring_req_failed")
int fl_req_failed(void *ctx)
{
	return 0;
}

SEC("tp_btf/io_uring_cqe_overflow")
int fl_cqe_overflow(void *ctx)
{
	return 0;
}
