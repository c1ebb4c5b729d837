/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which files are io_uring rings: for the iterators that walk every task's
 * files (the holders object, bpf/holders.bpf.c; the walk of the requests in
 * flight at start, bpf/inflight.bpf.h).
 */
#ifndef UA_RINGFILE_BPF_H
#define UA_RINGFILE_BPF_H

/* include/uapi/linux/magic.h */
#define ANON_INODE_FS_MAGIC 0x09041934

/*
 * Is @f an io_uring ring's file? io_uring_fops, the definitive test, is a
 * static symbol that /proc/kallsyms lists only with CONFIG_KALLSYMS_ALL (not
 * on the development kernel). io_uring_get_file() makes each ring file with
 * anon_inode_create_getfile("[io_uring]", ...): an inode of its own on the
 * anonymous inode filesystem, whose names only the kernel gives. A file on
 * another filesystem named "[io_uring]" fails the magic test.
 */
static __always_inline struct io_ring_ctx *ring_of_file(struct file *f)
{
	static const char name[] = "[io_uring]";
	const unsigned char *dn;
	struct dentry *d;
	int i;

	if (!f || !f->f_inode || f->f_inode->i_sb->s_magic != ANON_INODE_FS_MAGIC)
		return NULL;
	d = f->f_path.dentry;
	if (d->d_name.len != sizeof(name) - 1)
		return NULL;
	dn = d->d_name.name;
	for (i = 0; i < sizeof(name) - 1; i++) {
		unsigned char ch;

		if (bpf_probe_read_kernel(&ch, 1, dn + i) || ch != (unsigned char)name[i])
			return NULL;
	}
	/* private_data is a void *: the ring's fields are read with
	 * bpf_probe_read_kernel (BPF_CORE_READ), which every kernel has
	 * (bpf_rdonly_cast came with 6.2; a listing is rare). */
	return (struct io_ring_ctx *)f->private_data;
}

#endif /* UA_RINGFILE_BPF_H */
