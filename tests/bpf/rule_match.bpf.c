// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rule-matching helpers of bpf/rules.bpf.h, run with BPF_PROG_RUN by
 * tests/bpf/test_rule_match.c. The same headers as the product object, so
 * what is tested is what the tracepoint programs run. Inputs and the result
 * are globals the test writes and reads through the skeleton; the string
 * values a field refers to go into the rstrs map as the daemon puts them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "uringaudit.h"
#include "kernel_defs.bpf.h"
#include "maps.bpf.h"
#include "emit.bpf.h"
#include "objects.bpf.h"
#include "rules.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct ua_kfield t_field; /* the field under test */
struct ua_addr t_addr;	  /* addr_field: the address */
struct submit_buf t_sub;  /* submit_field: the SUBMIT event with its names */
struct obj_buf t_obj;	  /* complete_field: the file the request used */
__u32 t_op;		  /* the request's opcode */
__s32 t_res;		  /* complete_field: the CQE result */
__u32 t_have = HAVE_FILE; /* complete_field: which objects are there */
__s32 t_result = -1;	  /* 1: matches, 0: does not */
__u32 t_matched;		  /* submit: the rule-level flag after the field */
__u32 t_defer;		  /* submit: out, complete: in (the rule waits for the file an open opens) */

/* family=, addr=, port= against a socket address. */
SEC("syscall")
int addr_field(void *ctx)
{
	t_result = ua_addr_field(&t_field, &t_addr);
	return 0;
}

/* A field tested at submit against the event (names, comm, address...). */
SEC("syscall")
int submit_field(void *ctx)
{
	struct rule_eval r = {};
	__u32 zero = 0;

	/* into the per-CPU buffer capture() builds events in, where
	 * ua_name_match reads the names */
	r.b = bpf_map_lookup_elem(&scratch, &zero);
	if (!r.b || bpf_probe_read_kernel(r.b, sizeof(*r.b), &t_sub))
		return 0;
	r.matched = 1; /* as rule_step starts each rule */
	r.op = (__u8)t_op;
	r.decided = -1;
	t_result = field_submit(&r, &t_field);
	t_defer = r.b->defer;
	t_matched = r.matched;
	return 0;
}

/* A field tested at completion against the objects (path of the file used,
 * owner, peer address) and the result. */
SEC("syscall")
int complete_field(void *ctx)
{
	struct rule_eval r = {};

	r.op = (__u8)t_op;
	r.res = t_res;
	r.decided = -1;
	r.have = t_have;
	/* into both per-CPU object slots, where ua_file_path_match reads them
	 * (t_have says which one the request has) */
	r.fo = obj_slot(OBJ_FILE);
	r.no = obj_slot(OBJ_NEW);
	if (!r.fo || !r.no || bpf_probe_read_kernel(r.fo, sizeof(*r.fo), &t_obj) ||
	    bpf_probe_read_kernel(r.no, sizeof(*r.no), &t_obj))
		return 0;
	r.defer = (__u8)t_defer;
	t_result = field_complete(&r, &t_field);
	return 0;
}

struct ua_pending t_pend; /* issue_decide: the request's pending state (cand, bank) */
__u32 t_kept;		  /* issue_decide: the copy t_addr is in dest_addrs (0: fell out) */
__u32 t_mark;		  /* issue_decide: the deny mark's flags, before and after */
__s32 t_mark_err;	  /* issue_decide: the mark's error after */

/* The destination hook's decision on a deny mark (dest_decide) for a
 * request with t_pend's candidates, its copy t_addr kept or not. */
SEC("syscall")
int issue_decide(void *ctx)
{
	struct ua_deny_mark m = {}, *mp;
	struct submit_buf *b;
	__u64 req = 1;
	__u32 zero = 0;

	m.err = -13;
	m.flags = t_mark;
	bpf_map_update_elem(&deny_req, &req, &m, BPF_ANY);
	if (t_kept)
		bpf_map_update_elem(&dest_addrs, &t_pend.submit_seq, &t_addr, BPF_ANY);
	else
		bpf_map_delete_elem(&dest_addrs, &t_pend.submit_seq);
	/* the pending entry as the hook finds it: in map memory */
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b || bpf_probe_read_kernel(&b->pend, sizeof(b->pend), &t_pend))
		return 0;
	dest_decide(req, &b->pend);
	mp = bpf_map_lookup_elem(&deny_req, &req);
	if (!mp)
		return 0;
	t_mark = mp->flags;
	t_mark_err = mp->err;
	t_result = 1;
	bpf_map_delete_elem(&deny_req, &req);
	return 0;
}
