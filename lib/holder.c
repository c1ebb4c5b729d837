// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* URING_HOLDER records, through the generic event writer (lib/format.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "holder.h"

static const struct {
	uint32_t bit;
	const char *name;
} how_names[] = {
	{ UA_REC_HOLD_FD, "fd" },
	{ UA_REC_HOLD_MMAP, "mmap" },
	{ UA_REC_HOLD_REGISTERED, "registered" },
};

#define NHOW (sizeof(how_names) / sizeof(how_names[0]))

int ua_format_holder(struct ua_buf *out, const struct ua_rec_holder *h, enum ua_format f)
{
	char ring[17], how[32];
	struct ua_kv kv[24];
	size_t n = 0, hl = 0, i;
	uint32_t known = 0;

	if (!h)
		return -EINVAL;
	how[0] = '\0';
	for (i = 0; i < NHOW; i++) {
		known |= how_names[i].bit;
		if (h->how & how_names[i].bit)
			hl += (size_t)snprintf(how + hl, sizeof(how) - hl, "%s%s", hl ? "," : "",
					       how_names[i].name);
	}
	if (!h->how || (h->how & ~known))
		return -EINVAL;
	snprintf(ring, sizeof(ring), "%016" PRIx64, h->ring);
	kv[n++] = ua_kv_word("ring", ring);
	kv[n++] = ua_kv_u64("creator", h->creator);
	kv[n++] = ua_kv_word("how", how);
	if (h->how & UA_REC_HOLD_FD)
		kv[n++] = ua_kv_s64("fd", h->fd);
	if (h->how & UA_REC_HOLD_REGISTERED)
		kv[n++] = ua_kv_s64("ring_fd", h->ring_fd);
	kv[n++] = ua_kv_u64("pid", h->who.pid);
	kv[n++] = ua_kv_u64("tid", h->who.tid);
	kv[n++] = ua_kv_u64("ppid", h->who.ppid);
	kv[n++] = ua_kv_str("comm", h->who.comm.ptr, h->who.comm.len);
	kv[n++] = ua_kv_str("exe", h->who.exe.ptr, h->who.exe.len);
	kv[n++] = ua_kv_u64("auid", h->who.auid);
	kv[n++] = ua_kv_u64("ses", h->who.ses);
	kv[n++] = ua_kv_u64("uid", h->who.ids.uid);
	kv[n++] = ua_kv_u64("gid", h->who.ids.gid);
	kv[n++] = ua_kv_u64("euid", h->who.ids.euid);
	kv[n++] = ua_kv_u64("suid", h->who.ids.suid);
	kv[n++] = ua_kv_u64("fsuid", h->who.ids.fsuid);
	kv[n++] = ua_kv_u64("egid", h->who.ids.egid);
	kv[n++] = ua_kv_u64("sgid", h->who.ids.sgid);
	kv[n++] = ua_kv_u64("fsgid", h->who.ids.fsgid);
	if (h->who.mntns)
		kv[n++] = ua_kv_u64("mntns", h->who.mntns);
	return ua_format_event(out, UA_TYPE_HOLDER, h->time_ns, 0, kv, n, f);
}
