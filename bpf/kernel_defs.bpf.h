/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel definitions that BTF does not carry (macros), the kfunc and kconfig
 * symbols the programs use, and REQ_CMD(). Nothing here allocates or runs.
 */
#ifndef UA_KERNEL_DEFS_BPF_H
#define UA_KERNEL_DEFS_BPF_H

/*
 * Reads through pointers BTF types as void * (the completion's request, the
 * ring at setup, a file's private_data, a prepared command). Two builds of
 * the same source, the loader picks one (src/loader.c, start_open):
 *
 * - the default: bpf_rdonly_cast (a kfunc since Linux 6.2) gives the pointer
 *   its type, which the verifier rewrites to a move; reads are then direct
 *   fault-safe loads, no helper call;
 * - UA_NO_RDONLY_CAST (the object for 6.1, which lacks the kfunc): the
 *   pointer stays a number and each read is a bpf_probe_read_kernel with
 *   the field's CO-RE offset. It references no kfunc, so it loads anywhere.
 *
 * KCAST(type, p) types @p; KRD(p, field) reads one field (dotted members
 * and array elements allowed) of a KCAST pointer or of anything it leads
 * to. Pointers the kernel types itself (tracepoint arguments, the current
 * task) are read directly in both builds.
 */
#ifdef UA_NO_RDONLY_CAST
#define KCAST(type, p) ((struct type *)(unsigned long)(p))
#define KRD(p, field) BPF_CORE_READ(p, field)
#else
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;
#define KCAST(type, p) \
	((struct type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(struct type)))
#define KRD(p, field) ((p)->field)
#endif

/* From include/linux/sched.h and include/uapi/linux/io_uring.h: macros, so not
 * in BTF. Both have been stable since io_uring was merged. */
#define PF_IO_WORKER 0x00000010
#define IORING_SETUP_SQPOLL (1U << 1)
#define IORING_CQE_F_MORE (1U << 1)
#define IORING_REGISTER_PERSONALITY 9
#define IORING_REGISTER_RESTRICTIONS 11
#define IORING_FILE_INDEX_ALLOC (~0U)
#define IORING_MSG_SEND_FD 1
#define IORING_ACCEPT_MULTISHOT (1U << 0)
#define UA_TIMEOUT_MULTISHOT (1U << 6) /* IORING_TIMEOUT_MULTISHOT */
#define UA_EPOLLONESHOT (1U << 30)     /* a poll_add without IORING_POLL_ADD_MULTI */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
/* io_uring/rsrc.h: low bits of io_rsrc_node.file_ptr are flags */
#define FFS_MASK (~3UL)

extern int CONFIG_HZ __kconfig __weak;

/* The request's prepared command as its op's type (io_kiocb_to_cmd()): a
 * KCAST, its fields read with KRD. */
#define REQ_CMD(req, type) KCAST(type, req)

#endif /* UA_KERNEL_DEFS_BPF_H */
