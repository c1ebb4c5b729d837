/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who a task is, as the contract's struct ua_ids and struct ua_owner carry
 * it: shared by the main object (ring-level events, request.bpf.h's
 * capture) and the holders object (bpf/holders.bpf.c).
 */
#ifndef UA_OWNER_BPF_H
#define UA_OWNER_BPF_H

/* Direct loads through BTF pointers: the verifier turns them into
 * fault-safe loads, where BPF_CORE_READ would make a helper call per field
 * (measured: 16 such calls were most of a selected request's cost). */
static __always_inline void ids_from(struct ua_ids *d, const struct cred *c)
{
	d->uid = c->uid.val;
	d->gid = c->gid.val;
	d->euid = c->euid.val;
	d->suid = c->suid.val;
	d->fsuid = c->fsuid.val;
	d->egid = c->egid.val;
	d->sgid = c->sgid.val;
	d->fsgid = c->fsgid.val;
}

/* Every field of @o, @task's: the current task for ring-level events (setup,
 * register), the task an iterator visits for a holder. */
static __always_inline void owner_fill(struct ua_owner *o, struct task_struct *task)
{
	struct task_struct *l = task->group_leader;
	struct file *x = task->mm ? task->mm->exe_file : NULL;

	o->start_time = l->start_boottime;
	o->exe_ino = x ? x->f_inode->i_ino : 0;
	o->exe_dev = x ? x->f_inode->i_sb->s_dev : 0;
	o->pid = task->tgid;
	o->tid = task->pid;
	o->ppid = task->real_parent->tgid;
	/* the thread's own, as kernel audit takes them */
	o->auid = task->loginuid.val;
	o->ses = task->sessionid;
	ids_from(&o->ids, task->cred);
	o->mnt_ns = task->nsproxy ? task->nsproxy->mnt_ns->ns.inum : 0;
	o->pad = 0;
	/* the whole array, as bpf_get_current_comm() pads it */
	__builtin_memset(o->comm, 0, sizeof(o->comm));
	bpf_probe_read_kernel_str(o->comm, sizeof(o->comm), task->comm);
}

#endif /* UA_OWNER_BPF_H */
