// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: the tamper object (BPF-LSM), bpf/tamper.h's contract.
 * Loaded only when the rules are locked (-e 2) and the kernel's BPF-LSM
 * works: other processes, root included, cannot take the daemon's programs,
 * maps and links by id, write its maps, detach or replace its links, unpin
 * its pin set, signal or ptrace the daemon. Each attempt fails with -EPERM
 * and is a URING_TAMPER record.
 *
 * The hooks' signatures are those of Linux 6.1 and 6.12
 * (include/linux/lsm_hook_defs.h); the programs read only the arguments
 * every version since has kept in place (6.15 appends `bool kernel` to
 * bpf).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tamper.h"

/* GPL: the kernel accepts LSM programs only under a GPL-compatible license. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EPERM 1
#define FMODE_WRITE 0x2
#define PTRACE_MODE_ATTACH 0x02
#define ANON_INODE_FS_MAGIC 0x09041934

/* Set by the daemon before load: its own process, never denied. */
const volatile __u32 cfg_daemon_tgid = 0;
/* The pin directory (inode number, and the kernel's dev_t of its bpffs);
 * 0: none. Set by the daemon before attach. */
__u64 pin_ino;
__u32 pin_dev;
/* Attempts denied but not recorded: the ring buffer was full. */
__u64 lost;

/* The daemon's programs, maps and links (struct ua_tamper_key). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ua_tamper_key);
	__type(value, __u8);
} prot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} tamper_rb SEC(".maps");

static __always_inline int is_daemon(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == cfg_daemon_tgid;
}

static __always_inline int protected(__u32 kind, __u32 id)
{
	struct ua_tamper_key k = { .kind = kind, .id = id };

	return id && bpf_map_lookup_elem(&prot, &k) != NULL;
}

/* Deny: the event, then -EPERM. @name: a dentry name, or NULL. */
static __always_inline int deny(__u32 what, __u32 id, __u32 arg, const unsigned char *name)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ua_ev_tamper *e;

	e = bpf_ringbuf_reserve(&tamper_rb, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return -EPERM;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->hdr.type = UA_EV_TAMPER;
	e->hdr.size = sizeof(*e);
	e->hdr.ktime = bpf_ktime_get_boot_ns();
	e->what = what;
	e->err = -EPERM;
	e->id = id;
	e->arg = arg;
	e->pid = task->tgid;
	e->tid = task->pid;
	e->uid = task->cred->uid.val;
	e->euid = task->cred->euid.val;
	e->auid = task->loginuid.val;
	e->ses = task->sessionid;
	e->lost = lost;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (name)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), name);
	bpf_ringbuf_submit(e, 0);
	return -EPERM;
}

/*
 * The id of the BPF map (@kind UA_TK_MAP) or link (UA_TK_LINK) behind the
 * current task's descriptor @fd, 0 when it is none: an anonymous-inode file
 * named as the kernel names map files ("bpf-map") and link files
 * ("bpf_link" when made, "bpf-link" when opened from a pin or by id),
 * whose private data is the object.
 */
static __always_inline __u32 fd_obj_id(int fd, __u32 kind)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	const unsigned char *dname;
	char nm[16] = {};
	void *priv;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	if (BPF_CORE_READ(f, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return 0;
	dname = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(nm, sizeof(nm), dname) < 0)
		return 0;
	priv = BPF_CORE_READ(f, private_data);
	if (!priv)
		return 0;
	if (kind == UA_TK_MAP && nm[0] == 'b' && nm[1] == 'p' && nm[2] == 'f' && nm[3] == '-' &&
	    nm[4] == 'm' && nm[5] == 'a' && nm[6] == 'p' && nm[7] == 0)
		return BPF_CORE_READ((struct bpf_map *)priv, id);
	if (kind == UA_TK_LINK && nm[0] == 'b' && nm[1] == 'p' && nm[2] == 'f' &&
	    (nm[3] == '_' || nm[3] == '-') && nm[4] == 'l' && nm[5] == 'i' && nm[6] == 'n' &&
	    nm[7] == 'k' && nm[8] == 0)
		return BPF_CORE_READ((struct bpf_link *)priv, id);
	return 0;
}

/* A command on an fd of a protected map or link. */
static __always_inline int deny_fd(int fd, __u32 kind, __u32 what, __u32 cmd)
{
	__u32 id = fd_obj_id(fd, kind);

	return protected(kind, id) ? deny(what, id, cmd, NULL) : 0;
}

static __always_inline int deny_id(__u32 id, __u32 kind, __u32 what, __u32 cmd)
{
	return protected(kind, id) ? deny(what, id, cmd, NULL) : 0;
}

/* bpf(2), after the kernel copied its attributes (security_bpf). */
SEC("lsm/bpf")
int BPF_PROG(t_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	if (is_daemon())
		return 0;
	switch (cmd) {
	case BPF_PROG_GET_FD_BY_ID:
		return deny_id(BPF_CORE_READ(attr, prog_id), UA_TK_PROG, UA_TM_PROG_BY_ID, cmd);
	case BPF_MAP_GET_FD_BY_ID:
		return deny_id(BPF_CORE_READ(attr, map_id), UA_TK_MAP, UA_TM_MAP_BY_ID, cmd);
	case BPF_LINK_GET_FD_BY_ID:
		return deny_id(BPF_CORE_READ(attr, link_id), UA_TK_LINK, UA_TM_LINK_BY_ID, cmd);
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_FREEZE:
		return deny_fd((int)BPF_CORE_READ(attr, map_fd), UA_TK_MAP, UA_TM_MAP_WRITE, cmd);
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return deny_fd((int)BPF_CORE_READ(attr, batch.map_fd), UA_TK_MAP, UA_TM_MAP_WRITE,
			       cmd);
	case BPF_LINK_DETACH:
		return deny_fd((int)BPF_CORE_READ(attr, link_detach.link_fd), UA_TK_LINK,
			       UA_TM_LINK_DETACH, cmd);
	case BPF_LINK_UPDATE:
		return deny_fd((int)BPF_CORE_READ(attr, link_update.link_fd), UA_TK_LINK,
			       UA_TM_LINK_UPDATE, cmd);
	}
	return 0;
}

/* A new fd of a map: by id (already refused above) or BPF_OBJ_GET of a pin. */
SEC("lsm/bpf_map")
int BPF_PROG(t_bpf_map, struct bpf_map *map, fmode_t fmode)
{
	if (is_daemon() || !(fmode & FMODE_WRITE))
		return 0;
	return deny_id(map->id, UA_TK_MAP, UA_TM_MAP_OPEN, 0);
}

/* A new fd of a program. */
SEC("lsm/bpf_prog")
int BPF_PROG(t_bpf_prog, struct bpf_prog *prog)
{
	if (is_daemon())
		return 0;
	return deny_id(prog->aux->id, UA_TK_PROG, UA_TM_PROG_OPEN, 0);
}

/* A signal to the daemon: only its parent (systemd for the service) may. */
SEC("lsm/task_kill")
int BPF_PROG(t_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred)
{
	__u32 cur = bpf_get_current_pid_tgid() >> 32;
	__u64 sender_cred = 1;

	if (p->tgid != cfg_daemon_tgid || sig == 0 || cur == cfg_daemon_tgid)
		return 0;
	/* cred is NULL for a signal the current task sends (kill(2)), set for
	 * a sender acting for another (USB async I/O), where current is not
	 * the sender. Copied out of the argument slot as a number: 6.12's
	 * verifier takes the typed argument, even read as ctx[3], for a
	 * trusted non-NULL pointer and drops the test, and there nobody,
	 * systemd included, could stop a locked daemon. */
	bpf_probe_read_kernel(&sender_cred, sizeof(sender_cred), &ctx[3]);
	if (!sender_cred && p->real_parent && p->real_parent->tgid == cur)
		return 0;
	return deny(UA_TM_SIGNAL, 0, (__u32)sig, NULL);
}

/* ptrace(PTRACE_ATTACH/SEIZE), /proc/PID/mem, process_vm_readv/writev,
 * pidfd_getfd: what takes hold of the daemon's memory or descriptors. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(t_ptrace, struct task_struct *child, unsigned int mode)
{
	if (child->tgid != cfg_daemon_tgid || is_daemon() || !(mode & PTRACE_MODE_ATTACH))
		return 0;
	return deny(UA_TM_PTRACE, 0, mode, NULL);
}

static __always_inline int is_pin_dir(struct inode *dir)
{
	return pin_ino && dir && dir->i_ino == pin_ino && dir->i_sb->s_dev == pin_dev;
}

SEC("lsm/inode_unlink")
int BPF_PROG(t_unlink, struct inode *dir, struct dentry *dentry)
{
	if (!is_pin_dir(dir) || is_daemon())
		return 0;
	return deny(UA_TM_UNPIN, 0, 0, dentry->d_name.name);
}

SEC("lsm/inode_rename")
int BPF_PROG(t_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	     struct dentry *new_dentry)
{
	if ((!is_pin_dir(old_dir) && !is_pin_dir(new_dir) && !is_pin_dir(old_dentry->d_inode)) ||
	    is_daemon())
		return 0;
	return deny(UA_TM_RENAME, 0, 0, old_dentry->d_name.name);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(t_rmdir, struct inode *dir, struct dentry *dentry)
{
	if (!is_pin_dir(dentry->d_inode) || is_daemon())
		return 0;
	return deny(UA_TM_RMDIR, 0, 0, dentry->d_name.name);
}

SEC("lsm/sb_umount")
int BPF_PROG(t_umount, struct vfsmount *mnt, int flags)
{
	if (!pin_ino || mnt->mnt_sb->s_dev != pin_dev || is_daemon())
		return 0;
	return deny(UA_TM_UMOUNT, 0, 0, NULL);
}
