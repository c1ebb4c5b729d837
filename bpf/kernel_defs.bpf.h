/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel definitions that BTF does not carry (macros), the kfunc and kconfig
 * symbols the programs use, and REQ_CMD(). Nothing here allocates or runs.
 */
#ifndef UA_KERNEL_DEFS_BPF_H
#define UA_KERNEL_DEFS_BPF_H

extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

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
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
/* io_uring/rsrc.h: low bits of io_rsrc_node.file_ptr are flags */
#define FFS_MASK (~3UL)

extern int CONFIG_HZ __kconfig __weak;

/* The request's prepared command as its op's type (io_kiocb_to_cmd()): a
 * cast the verifier rewrites to a move, then fault-safe direct loads. */
#define REQ_CMD(req, type) \
	((struct type *)bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct type)))

#endif /* UA_KERNEL_DEFS_BPF_H */
