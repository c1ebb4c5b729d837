// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uringaudit: the enforcement object (BPF-LSM). Loaded only when the rules
 * hold deny or kill rules, so that a daemon without them loads and runs
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

/* GPL: the kernel accepts LSM programs only under a GPL-compatible license. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u32 probe_tgid;
__u64 probe_hits;

SEC("lsm/file_open")
int BPF_PROG(probe_open, struct file *file)
{
	if (probe_tgid && (bpf_get_current_pid_tgid() >> 32) == probe_tgid)
		__sync_fetch_and_add(&probe_hits, 1);
	return 0;
}
