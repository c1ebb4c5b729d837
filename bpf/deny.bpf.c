// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: the enforcement object (BPF-LSM), bpf/deny.h's contract.
 * Loaded only when the rules hold deny rules or --deny policies and the
 * kernel's BPF-LSM works, so that a daemon without them loads and runs
 * exactly what it did before.
 *
 * probe_open is the probe src/enforce.c runs before trusting BPF-LSM: the
 * kernel may have CONFIG_BPF_LSM and accept the program while BPF is not in
 * its active LSM list (lsm= on the command line), and then the program is
 * attached but never called. So the probe attaches it, opens a file itself
 * and counts whether the program ran for its own process.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "deny.h"

/* GPL: the kernel accepts LSM programs only under a GPL-compatible license. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EACCES 13

/* Set by the daemon before load: its own process, never denied. */
const volatile __u32 cfg_daemon_tgid = 0;
/* The --deny policies in force (UA_POL_*), set with each rule set. */
__u32 policies;

__u32 probe_tgid;
__u64 probe_hits;

/* The main object's map (reused by fd): requests a deny rule marked. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* empty unless deny rules run */
	__type(key, __u64);
	__type(value, struct ua_deny_mark);
} deny_req SEC(".maps");

/* Thread -> the marked request it is issuing now (between the entry and the
 * exit of io_issue_sqe). Only marked requests get an entry. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} issuing SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} deny_rb SEC(".maps");

SEC("lsm/file_open")
int BPF_PROG(probe_open, struct file *file)
{
	if (probe_tgid && (bpf_get_current_pid_tgid() >> 32) == probe_tgid)
		__sync_fetch_and_add(&probe_hits, 1);
	return 0;
}

/*
 * io_issue_sqe(): every issue of a request runs through it, inline from
 * io_uring_enter() or task work, in the SQ thread, in an io-wq worker, and
 * for poll-driven retries. A request the tracepoint program marked is the
 * current task's request until the exit.
 */
SEC("fentry/io_issue_sqe")
int BPF_PROG(issue_enter, struct io_kiocb *req, unsigned int issue_flags)
{
	__u64 key = (__u64)req;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ua_deny_mark *m = bpf_map_lookup_elem(&deny_req, &key);

	if (!m)
		return 0;
	/* A mark left by an earlier request in the same slot is not this one's. */
	if (m->ring_addr != (__u64)req->ctx || m->user_data != req->cqe.user_data ||
	    m->opcode != req->opcode)
		return 0;
	bpf_map_update_elem(&issuing, &tid, &key, BPF_ANY);
	return 0;
}

SEC("fexit/io_issue_sqe")
int BPF_PROG(issue_exit, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&issuing, &tid);
	return 0;
}

/* The current task is issuing a marked request: fail the hook. @at_dest:
 * socket_connect or socket_sendmsg, where the main object's destination
 * hook has just run: a mark it left undecided without UA_DM_PASSED (it could
 * not find the request) is failed too (bpf/deny.h). */
static __always_inline int deny_now(int at_dest)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ua_deny_mark *m;
	__u64 *req;
	int err;

	req = bpf_map_lookup_elem(&issuing, &tid);
	if (!req)
		return 0;
	m = bpf_map_lookup_elem(&deny_req, req);
	if (!m)
		return 0;
	if (m->flags & UA_DM_UNDECIDED) {
		if (!at_dest || (m->flags & UA_DM_PASSED))
			return 0;
		m->flags &= ~UA_DM_UNDECIDED; /* fail closed: undecided is denied */
	}
	m->flags |= UA_DM_STOPPED;
	err = m->err;
	/* the rule's errno; an LSM program's value must lie in [-4095, 0] */
	return err >= -4095 && err < 0 ? err : -EACCES;
}

/* The error an earlier BPF-LSM program of the same hook returned, kept.
 * The verifier (6.12+) wants an LSM program's return value provably in
 * [-MAX_ERRNO, 0]; these hooks return nothing else. */
static __always_inline int earlier(int ret)
{
	return ret < 0 && ret >= -4095 ? ret : 0;
}

/* Generic hooks: each fails what a marked request asks (a hook that another
 * LSM program already failed keeps its error). */
#define DENY_HOOK_AT(hook, at_dest, ...)             \
	SEC("lsm/" #hook)                            \
	int BPF_PROG(d_##hook, __VA_ARGS__, int ret) \
	{                                            \
		if (earlier(ret))                    \
			return earlier(ret);         \
		return deny_now(at_dest);            \
	}
#define DENY_HOOK(hook, ...) DENY_HOOK_AT(hook, 0, __VA_ARGS__)

DENY_HOOK(file_open, struct file *file)
DENY_HOOK(file_permission, struct file *file, int mask)
DENY_HOOK(file_truncate, struct file *file)
DENY_HOOK(inode_unlink, struct inode *dir, struct dentry *dentry)
DENY_HOOK(inode_rmdir, struct inode *dir, struct dentry *dentry)
DENY_HOOK(inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode)
DENY_HOOK(inode_symlink, struct inode *dir, struct dentry *dentry, const char *old_name)
DENY_HOOK(inode_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry)
DENY_HOOK(inode_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	  struct dentry *new_dentry)
DENY_HOOK(inode_getxattr, struct dentry *dentry, const char *name)
DENY_HOOK(socket_create, int family, int type, int protocol, int kern)
DENY_HOOK_AT(socket_connect, 1, struct socket *sock, struct sockaddr *address, int addrlen)
DENY_HOOK(socket_bind, struct socket *sock, struct sockaddr *address, int addrlen)
DENY_HOOK(socket_listen, struct socket *sock, int backlog)
DENY_HOOK(socket_accept, struct socket *sock, struct socket *newsock)
DENY_HOOK_AT(socket_sendmsg, 1, struct socket *sock, struct msghdr *msg, int size)
DENY_HOOK(socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags)
DENY_HOOK(uring_cmd, struct io_uring_cmd *ioucmd)

/* A policy denied something before any request exists: say so. */
static __always_inline int deny_policy(__u32 policy)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ua_ev_denied *e;

	if ((bpf_get_current_pid_tgid() >> 32) == cfg_daemon_tgid)
		return 0;
	e = bpf_ringbuf_reserve(&deny_rb, sizeof(*e), 0);
	if (e) {
		__builtin_memset(e, 0, sizeof(*e));
		e->hdr.type = UA_EV_DENIED;
		e->hdr.size = sizeof(*e);
		e->hdr.ktime = bpf_ktime_get_boot_ns();
		e->policy = policy;
		e->err = -EACCES;
		e->pid = task->tgid;
		e->tid = task->pid;
		e->uid = task->cred->uid.val;
		e->euid = task->cred->euid.val;
		e->auid = task->loginuid.val;
		e->ses = task->sessionid;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	return -EACCES;
}

/* io_uring_setup() of a SQPOLL ring (io_sq_offload_create). */
SEC("lsm/uring_sqpoll")
int BPF_PROG(d_uring_sqpoll, int ret)
{
	if (earlier(ret))
		return earlier(ret);
	return (policies & UA_POL_SQPOLL) ? deny_policy(UA_POL_SQPOLL) : 0;
}

/* A request naming a personality (io_init_req): it fails at submit with
 * the hook's error in its CQE; the tracepoints record it as failed. */
SEC("lsm/uring_override_creds")
int BPF_PROG(d_uring_override_creds, const struct cred *new, int ret)
{
	if (earlier(ret))
		return earlier(ret);
	return (policies & UA_POL_PERSONALITY) ? deny_policy(UA_POL_PERSONALITY) : 0;
}
