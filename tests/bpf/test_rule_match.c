// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF rule-matching helpers (bpf/rules.bpf.h) run in the kernel with
 * BPF_PROG_RUN: address, port and family compares with prefixes, dir=/path=
 * against the names a request carries and against the resolved path of the
 * file it used, comm, the submit/completion split by op class. Needs root
 * and kernel BTF; without them every case is skipped, saying why.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "optable.h"
#include "test.h"
#include "deny.h"
#include "uringaudit.h"

/* struct submit_buf, struct obj_buf and HAVE_FILE, the product's own: the
 * skeleton's globals are of these types. */
#include "scratch.h"

#include "rule_match.skel.h"

static struct rule_match *skel;

/* The field under test; a string value goes to rstrs[0] as the daemon puts it. */
static void field(enum ua_field_id id, enum ua_cmp cmp, __u64 val, __u64 val2, const void *str,
		  size_t len)
{
	struct ua_kfield *f = &skel->bss->t_field;
	struct ua_kstr s;
	__u32 idx = 0;

	memset(f, 0, sizeof(*f));
	f->field = (__u8)id;
	f->cmp = (__u8)cmp;
	f->val = val;
	f->val2 = val2;
	if (str) {
		memset(&s, 0, sizeof(s));
		memcpy(s.s, str, len);
		f->str_len = (__u16)len;
		f->str_idx = idx;
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.rstrs), &idx, &s, BPF_ANY))
			fprintf(stderr, "rstrs update: %s\n", strerror(errno));
	}
}

/* Run @prog; its verdict (1 match, 0 no match, -1 did not run). */
static int run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	skel->data->t_result = -1;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) || opts.retval)
		return -1;
	return skel->data->t_result;
}

/* struct sockaddr bytes, as the kernel holds them. */
static void inet(struct ua_addr *a, const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	memset(a, 0, sizeof(*a));
	memcpy(a->raw, &sin, sizeof(sin));
	a->len = sizeof(sin);
}

static void inet6(struct ua_addr *a, const char *ip, int port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	memset(a, 0, sizeof(*a));
	memcpy(a->raw, &sin6, sizeof(sin6));
	a->len = sizeof(sin6);
}

/* sun_path of @len bytes (an abstract name starts with a NUL). */
static void unix_addr(struct ua_addr *a, const char *path, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->raw[0] = AF_UNIX;
	memcpy(&a->raw[2], path, len);
	a->len = (__u16)(2 + len);
}

static const unsigned char net10_1[4] = { 10, 1, 0, 0 };
static const unsigned char fe80[16] = { 0xfe, 0x80 };

static void test_addr_field(void)
{
	struct bpf_program *p = skel->progs.addr_field;
	struct ua_addr *a = &skel->bss->t_addr;

	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 16, net10_1, 4);
	inet(a, "10.1.2.3", 80);
	ASSERT_EQ(run(p), 1, "10.1.2.3 in 10.1.0.0/16");
	inet(a, "10.2.0.1", 80);
	ASSERT_EQ(run(p), 0, "10.2.0.1 not in 10.1.0.0/16");
	inet(a, "10.1.255.255", 80);
	ASSERT_EQ(run(p), 1, "last address of the /16");
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 15, net10_1, 4);
	inet(a, "10.0.0.1", 80);
	ASSERT_EQ(run(p), 1, "/15: the bit below the byte boundary is masked");
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 17, net10_1, 4);
	inet(a, "10.1.128.1", 80);
	ASSERT_EQ(run(p), 0, "/17: the 17th bit counts");
	field(UA_F_ADDR, UA_CMP_NE, UA_AF_INET, 16, net10_1, 4);
	inet(a, "10.2.0.1", 80);
	ASSERT_EQ(run(p), 1, "addr!= outside the prefix");
	inet(a, "10.1.0.9", 80);
	ASSERT_EQ(run(p), 0, "addr!= inside the prefix");
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 0, net10_1, 4);
	inet(a, "192.0.2.1", 80);
	ASSERT_EQ(run(p), 1, "/0 takes every inet address");
	inet6(a, "::1", 80);
	ASSERT_EQ(run(p), 0, "an inet rule never matches an inet6 address");
	field(UA_F_ADDR, UA_CMP_NE, UA_AF_INET, 0, net10_1, 4);
	ASSERT_EQ(run(p), 1, "addr!= of another family");

	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET6, 10, fe80, 16);
	inet6(a, "fe80::1", 443);
	ASSERT_EQ(run(p), 1, "fe80::1 in fe80::/10");
	inet6(a, "febf::1", 443);
	ASSERT_EQ(run(p), 1, "febf::1 in fe80::/10");
	inet6(a, "fec0::1", 443);
	ASSERT_EQ(run(p), 0, "fec0::1 not in fe80::/10");
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET6, 128, fe80, 16);
	inet6(a, "fe80::", 443);
	ASSERT_EQ(run(p), 1, "/128: the same address");
	inet6(a, "fe80::1", 443);
	ASSERT_EQ(run(p), 0, "/128: the last bit counts");

	field(UA_F_PORT, UA_CMP_EQ, 443, 0, NULL, 0);
	inet6(a, "::1", 443);
	ASSERT_EQ(run(p), 1, "port=443, inet6");
	inet(a, "127.0.0.1", 443);
	ASSERT_EQ(run(p), 1, "port=443, inet");
	inet(a, "127.0.0.1", 444);
	ASSERT_EQ(run(p), 0, "port=443 vs 444");
	field(UA_F_PORT, UA_CMP_GT, 1024, 0, NULL, 0);
	inet(a, "127.0.0.1", 8080);
	ASSERT_EQ(run(p), 1, "port>1024, 8080");
	inet(a, "127.0.0.1", 443);
	ASSERT_EQ(run(p), 0, "port>1024, 443");
	unix_addr(a, "/run/x.sock", 11);
	ASSERT_EQ(run(p), 0, "a unix address has no port");

	field(UA_F_FAMILY, UA_CMP_EQ, UA_AF_INET6, 0, NULL, 0);
	inet6(a, "::1", 1);
	ASSERT_EQ(run(p), 1, "family=inet6");
	inet(a, "127.0.0.1", 1);
	ASSERT_EQ(run(p), 0, "family=inet6 vs inet");

	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_UNIX, 0, "/run/x.sock", 11);
	unix_addr(a, "/run/x.sock", 11);
	ASSERT_EQ(run(p), 1, "unix path");
	unix_addr(a, "/run/x.sock", 12);
	ASSERT_EQ(run(p), 1, "unix path with its NUL");
	unix_addr(a, "/run/x.soc", 10);
	ASSERT_EQ(run(p), 0, "a shorter unix path");
	unix_addr(a, "/run/x.sockZ", 12);
	ASSERT_EQ(run(p), 0, "a longer unix path");
	unix_addr(a, "/run/y.sock", 11);
	ASSERT_EQ(run(p), 0, "another unix path of the same length");
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_UNIX, 0, "\0name", 5);
	unix_addr(a, "\0name", 5);
	ASSERT_EQ(run(p), 1, "abstract name");
	unix_addr(a, "\0nam", 4);
	ASSERT_EQ(run(p), 0, "a shorter abstract name");
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_UNIX, 0, "\0ab\0", 4);
	unix_addr(a, "\0ab\0", 4);
	ASSERT_EQ(run(p), 1, "an abstract name keeps a trailing NUL of its own");

	a->len = 1;
	ASSERT_EQ(run(p), 0, "an address too short for a family");
}

/* The SUBMIT event: opcode, first name, second name (or xattr name with @attr). */
static void names(unsigned int op, const char *n1, const char *n2, int attr)
{
	struct submit_buf *b = &skel->bss->t_sub;
	size_t l1 = strlen(n1), l2 = n2 ? strlen(n2) : 0;

	memset(b, 0, sizeof(*b));
	skel->bss->t_op = op;
	b->ev.opcode = (__u8)op;
	memcpy(b->names, n1, l1 + 1);
	b->ev.name_len = (__u16)l1;
	b->ev.flags = UA_SF_HAS_NAME;
	if (n2) {
		memcpy(b->names + l1, n2, l2 + 1);
		b->ev.name2_len = (__u16)l2;
		b->ev.flags |= UA_SF_HAS_NAME2 | (attr ? UA_SF_NAME2_ATTR : 0);
	}
}

#define FDIR(s) field(UA_F_DIR, UA_CMP_EQ, 0, 0, s, strlen(s))
#define FPATH(s) field(UA_F_PATH, UA_CMP_EQ, 0, 0, s, strlen(s))

static void test_submit_names(void)
{
	struct bpf_program *p = skel->progs.submit_field;

	FDIR("/etc");
	names(UA_OP_UNLINKAT, "/etc/passwd", NULL, 0);
	ASSERT_EQ(run(p), 1, "dir=/etc: /etc/passwd");
	names(UA_OP_UNLINKAT, "/etc", NULL, 0);
	ASSERT_EQ(run(p), 1, "dir=/etc: /etc itself");
	names(UA_OP_UNLINKAT, "/etcx/y", NULL, 0);
	ASSERT_EQ(run(p), 0, "dir=/etc: /etcx/y is not below it");
	names(UA_OP_UNLINKAT, "/et", NULL, 0);
	ASSERT_EQ(run(p), 0, "dir=/etc: a shorter name");
	FDIR("/etc/");
	names(UA_OP_UNLINKAT, "/etc/x", NULL, 0);
	ASSERT_EQ(run(p), 1, "dir=/etc/: /etc/x");
	FDIR("/");
	names(UA_OP_UNLINKAT, "/anything", NULL, 0);
	ASSERT_EQ(run(p), 1, "dir=/: every absolute name");

	FPATH("/etc/passwd");
	names(UA_OP_UNLINKAT, "/etc/passwd", NULL, 0);
	ASSERT_EQ(run(p), 1, "path=: the same name");
	names(UA_OP_UNLINKAT, "/etc/passwd2", NULL, 0);
	ASSERT_EQ(run(p), 0, "path=: a longer name");
	names(UA_OP_UNLINKAT, "/etc/passwd/x", NULL, 0);
	ASSERT_EQ(run(p), 0, "path=: a name below it");
	names(UA_OP_UNLINKAT, "/etc/passwe", NULL, 0);
	ASSERT_EQ(run(p), 0, "path=: the last byte differs");
	field(UA_F_PATH, UA_CMP_NE, 0, 0, "/etc/passwd", 11);
	names(UA_OP_UNLINKAT, "/etc/passwd", NULL, 0);
	ASSERT_EQ(run(p), 0, "path!=: the same name");
	names(UA_OP_UNLINKAT, "/etc/shadow", NULL, 0);
	ASSERT_EQ(run(p), 1, "path!=: another name");

	/* Two names: either may match; an xattr name is not a path. */
	FDIR("/etc");
	names(UA_OP_RENAMEAT, "/tmp/a", "/etc/b", 0);
	ASSERT_EQ(run(p), 1, "renameat: the second name");
	names(UA_OP_RENAMEAT, "/tmp/a", "/tmp/etc/b", 0);
	ASSERT_EQ(run(p), 0, "renameat: neither name");
	FPATH("/etc/b");
	names(UA_OP_SETXATTR, "/tmp/f", "/etc/b", 1);
	ASSERT_EQ(run(p), 0, "setxattr: the xattr name is not a path");
	names(UA_OP_SETXATTR, "/etc/b", "user.x", 1);
	ASSERT_EQ(run(p), 1, "setxattr: its path");

	/* Ops without names (class FD, not NAMES) test the file's path at completion. */
	names(UA_OP_READ, "", NULL, 0);
	ASSERT_EQ(run(p), 1, "read: dir/path wait for the completion");
	ASSERT_EQ(skel->bss->t_defer, 0, "read: nothing deferred");

	/* An open whose name does not spell the value waits for the file it
	 * opens; one that does is decided now. Other names ops are not. */
	FPATH("/etc/passwd");
	names(UA_OP_OPENAT, "/etc/passwd", NULL, 0);
	ASSERT_TRUE(run(p) == 1 && skel->bss->t_defer == 0, "openat: the same name, decided");
	names(UA_OP_OPENAT, "/etc//passwd", NULL, 0);
	ASSERT_TRUE(run(p) == 1 && skel->bss->t_defer == 1, "openat: /etc//passwd waits");
	ASSERT_EQ(skel->bss->t_matched, 1, "openat: the rule still matches after the byte compare");
	names(UA_OP_OPENAT2, "passwd", NULL, 0);
	ASSERT_TRUE(run(p) == 1 && skel->bss->t_defer == 1, "openat2: a relative name waits");
	names(UA_OP_UNLINKAT, "/etc//passwd", NULL, 0);
	ASSERT_TRUE(run(p) == 0 && skel->bss->t_defer == 0, "unlinkat: by name only");
	field(UA_F_PATH, UA_CMP_NE, 0, 0, "/etc/passwd", 11);
	names(UA_OP_OPENAT, "/etc/passwd", NULL, 0);
	ASSERT_TRUE(run(p) == 0 && skel->bss->t_defer == 0, "openat: path!= is decided now");
}

static void test_submit_other(void)
{
	struct bpf_program *p = skel->progs.submit_field;
	struct ua_ev_submit *e = &skel->bss->t_sub.ev;

	names(UA_OP_OPENAT, "/x", NULL, 0);
	memcpy(e->comm, "uring_driver", 12);
	field(UA_F_COMM, UA_CMP_EQ, 0, 0, "uring_driver", 12);
	ASSERT_EQ(run(p), 1, "comm=: the same");
	field(UA_F_COMM, UA_CMP_EQ, 0, 0, "uring_drive", 11);
	ASSERT_EQ(run(p), 0, "comm=: a prefix is not the name");
	field(UA_F_COMM, UA_CMP_NE, 0, 0, "uring_drive", 11);
	ASSERT_EQ(run(p), 1, "comm!=: another name");

	e->task.uid = 1000;
	field(UA_F_UID, UA_CMP_GE, 1000, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "uid>=1000");
	field(UA_F_UID, UA_CMP_LT, 1000, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "uid<1000");

	/* Addresses known at submit (class ADDR) */
	names(UA_OP_CONNECT, "", NULL, 0);
	inet(&e->addr, "10.1.2.3", 80);
	e->flags = UA_SF_HAS_ADDR;
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 16, net10_1, 4);
	ASSERT_EQ(run(p), 1, "connect: addr at submit");
	e->flags = 0;
	ASSERT_EQ(run(p), 0, "connect without an address");
	/* socket (class FAMILY): only its domain */
	names(UA_OP_SOCKET, "", NULL, 0);
	e->arg[0] = 10;
	field(UA_F_FAMILY, UA_CMP_EQ, UA_AF_INET6, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "socket: family= its domain");
	field(UA_F_FAMILY, UA_CMP_EQ, UA_AF_INET, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "socket: family= another domain");
	field(UA_F_PORT, UA_CMP_EQ, 80, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "socket: no port at submit");
	/* accept (class SOCK only): the peer, at completion */
	names(UA_OP_ACCEPT, "", NULL, 0);
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 16, net10_1, 4);
	ASSERT_EQ(run(p), 1, "accept: addr waits for the completion");
}

/* The file the request used, as the completion sees it. */
static void file(unsigned int op, const char *path, __u32 flags)
{
	struct obj_buf *o = &skel->bss->t_obj;

	memset(o, 0, sizeof(*o));
	skel->bss->t_op = op;
	skel->data->t_have = HAVE_FILE;
	o->ev.kind = UA_OBJ_FILE;
	o->ev.role = UA_ROLE_FILE;
	o->ev.flags = flags;
	o->ev.uid = 1000;
	o->ev.gid = 100;
	memcpy(o->path, path, strlen(path));
	o->ev.path_len = (__u16)strlen(path);
}

static void test_complete(void)
{
	struct bpf_program *p = skel->progs.complete_field;
	struct obj_buf *o = &skel->bss->t_obj;

	FDIR("/var/log");
	file(UA_OP_READ, "/var/log/syslog", 0);
	ASSERT_EQ(run(p), 1, "read: dir= the file's directory");
	file(UA_OP_READ, "/var/logs/x", 0);
	ASSERT_EQ(run(p), 0, "read: /var/logs is not below /var/log");
	file(UA_OP_READ, "/var/log/syslog", UA_OF_TRUNC);
	ASSERT_EQ(run(p), 0, "read: a truncated path never matches");
	file(UA_OP_READ, "pipe:[1]", UA_OF_PSEUDO);
	ASSERT_EQ(run(p), 0, "read: a pseudo file has no path");
	file(UA_OP_READ, "/var/log/syslog", 0);
	skel->data->t_have = 0;
	ASSERT_EQ(run(p), 0, "read: no file");
	FPATH("/var/log/syslog");
	file(UA_OP_READ, "/var/log/syslog", 0);
	ASSERT_EQ(run(p), 1, "read: path= the file");
	file(UA_OP_READ, "/var/log/syslog.1", 0);
	ASSERT_EQ(run(p), 0, "read: path= another file");
	file(UA_OP_OPENAT, "/elsewhere", 0);
	ASSERT_EQ(run(p), 1, "openat: dir/path were decided at submit");

	/* An open the rule waited for: the file it opened decides. */
	skel->bss->t_defer = 1;
	FPATH("/etc/passwd");
	file(UA_OP_OPENAT, "/etc/passwd", 0);
	skel->data->t_have = HAVE_NEW;
	ASSERT_EQ(run(p), 1, "openat: it opened the path");
	file(UA_OP_OPENAT, "/tmp/bind/passwd", 0);
	skel->data->t_have = HAVE_NEW;
	ASSERT_EQ(run(p), 0, "openat: it opened another path");
	o->ev.ino = 77;
	o->ev.dev = 0x800001;
	field(UA_F_PATH, UA_CMP_EQ, 77, 0x800001, "/etc/passwd", 11);
	ASSERT_EQ(run(p), 1, "openat: the file itself, by inode, under another name");
	o->ev.dev = 0x800002;
	ASSERT_EQ(run(p), 0, "openat: the same inode number on another device");
	FDIR("/etc");
	file(UA_OP_OPENAT, "/etc/x/y", 0);
	skel->data->t_have = HAVE_NEW;
	ASSERT_EQ(run(p), 1, "openat: dir= by the opened file's path");
	skel->data->t_have = 0;
	ASSERT_EQ(run(p), 0, "openat: a failed open opened nothing");
	skel->bss->t_defer = 0;

	file(UA_OP_READ, "/x", 0);
	field(UA_F_OBJ_UID, UA_CMP_EQ, 1000, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "obj_uid= the owner");
	field(UA_F_OBJ_GID, UA_CMP_EQ, 0, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "obj_gid= another group");
	o->ev.flags = UA_OF_UNRESOLVED;
	field(UA_F_OBJ_UID, UA_CMP_EQ, 1000, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "obj_uid= of an unresolved file");

	/* renameat: the owner of the file its new name named, not an fd's */
	file(UA_OP_RENAMEAT, "/x", 0);
	skel->data->t_have = HAVE_REPLACED;
	o->ev.role = UA_ROLE_REPLACED;
	o->ev.uid = 0;
	o->ev.gid = 42;
	field(UA_F_OBJ_UID, UA_CMP_EQ, 0, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "renameat: obj_uid= the replaced file's owner");
	field(UA_F_OBJ_GID, UA_CMP_EQ, 7, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "renameat: obj_gid= another group");
	field(UA_F_OBJ_GID, UA_CMP_NE, 7, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "renameat: obj_gid!= another group");
	skel->data->t_have = 0;
	field(UA_F_OBJ_UID, UA_CMP_EQ, 0, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "renameat: nothing replaced, no owner");
	skel->data->t_have = HAVE_FILE;

	skel->bss->t_res = -13;
	field(UA_F_EXIT, UA_CMP_EQ, (__u64)-13, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "exit=-13");
	field(UA_F_EXIT, UA_CMP_LT, 0, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "exit<0, signed");
	field(UA_F_SUCCESS, UA_CMP_EQ, 1, 0, NULL, 0);
	ASSERT_EQ(run(p), 0, "success=1 of a failure");
	skel->bss->t_res = 5;
	ASSERT_EQ(run(p), 1, "success=1");

	/* A socket's peer, for ops that find the address at completion */
	file(UA_OP_RECV, "", 0);
	o->ev.kind = UA_OBJ_SOCK;
	inet(&o->ev.peer, "10.1.9.9", 53);
	field(UA_F_ADDR, UA_CMP_EQ, UA_AF_INET, 16, net10_1, 4);
	ASSERT_EQ(run(p), 1, "recv: the peer's address");
	field(UA_F_PORT, UA_CMP_EQ, 53, 0, NULL, 0);
	ASSERT_EQ(run(p), 1, "recv: the peer's port");
	o->ev.kind = UA_OBJ_FILE;
	ASSERT_EQ(run(p), 0, "recv on a file: no address");
	file(UA_OP_CONNECT, "", 0);
	ASSERT_EQ(run(p), 1, "connect: decided at submit");
}

/* Rule @i of bank 0: @action with one field, port @port (0: no field). */
static void krule(unsigned int i, unsigned int action, unsigned int err, int port)
{
	struct ua_krule k;
	__u32 idx = i;

	memset(&k, 0, sizeof(k));
	k.action = action;
	k.err = err;
	if (port) {
		k.nfields = 1;
		k.f[0].field = UA_F_PORT;
		k.f[0].cmp = UA_CMP_EQ;
		k.f[0].val = (__u64)port;
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.rules), &idx, &k, BPF_ANY))
		fprintf(stderr, "rules update: %s\n", strerror(errno));
}

/* dest_decide on a mark with @flags, candidates @cand, the copy's port
 * @port kept in dest_addrs or not (@kept): the mark's flags after. */
static int decide(__u32 flags, __u64 cand, int port, int kept)
{
	memset(&skel->bss->t_pend, 0, sizeof(skel->bss->t_pend));
	skel->bss->t_pend.submit_seq = 77;
	skel->bss->t_pend.cand[0] = cand;
	skel->bss->t_pend.flags = UA_CF_ADDR_DEFER;
	inet(&skel->bss->t_addr, "127.0.0.1", port);
	skel->bss->t_kept = (__u32)kept;
	skel->bss->t_mark = flags;
	skel->bss->t_mark_err = 0;
	if (run(skel->progs.issue_decide) != 1)
		return -1;
	return (int)skel->bss->t_mark;
}

#define UND UA_DM_UNDECIDED
#define PAS UA_DM_PASSED

/* The destination hook's decision (bpf/rules.bpf.h dest_decide) on a deny
 * rule that waited for the kernel's copy: rule 0 always port=9001, rule 1
 * deny port=9002 errno=111. The socket hooks of the enforcement object deny
 * a mark left UNDECIDED without PASSED (bpf/deny.h). */
static void test_issue_decide(void)
{
	krule(0, UA_ACT_ALWAYS, 0, 9001);
	krule(1, UA_ACT_DENY, 111, 9002);
	ASSERT_EQ(decide(UND, 2, 9002, 1), 0, "deny candidate matches the copy: denied");
	ASSERT_EQ(skel->bss->t_mark_err, -111, "denied with the rule's errno");
	ASSERT_EQ(decide(UND, 2, 9003, 1), UND | PAS, "no candidate matches: let through");
	ASSERT_EQ(decide(UND, 3, 9001, 1), UND | PAS, "an earlier always rule exempts it");
	ASSERT_EQ(decide(UND, 3, 9002, 1), 0, "the earlier rule does not match: denied");
	/* fail closed: the copy fell out of dest_addrs (LRU) */
	ASSERT_EQ(decide(UND, 2, 9003, 0), 0, "copy missing: denied, not left undecided");
	ASSERT_EQ(skel->bss->t_mark_err, -13, "denied with the candidate's error from submit");
	ASSERT_EQ(decide(UND | PAS, 3, 9001, 0), 0, "a retry whose copy is missing: denied");
	/* a deny decided at submit stands unless an earlier candidate exempts it */
	ASSERT_EQ(decide(0, 2, 9003, 1), 0, "submit's deny stands when nothing matches");
	ASSERT_EQ(decide(0, 1, 9001, 1), UND | PAS, "submit's deny exempted by an earlier rule");
	krule(0, 0, 0, 0);
	krule(1, 0, 0, 0);
}

int main(void)
{
	struct ua_optable ops;
	uint64_t mask[4];
	unsigned int c;
	int err;

	if (geteuid() != 0) {
		printf("skip test_rule_match: needs root (loads BPF programs)\n");
		return 0;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		printf("skip test_rule_match: kernel has no BTF\n");
		return 0;
	}
	skel = rule_match__open();
	if (!skel) {
		printf("FAIL test_rule_match: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	/* The op classes, as the loader gives them (numbers of this build's table). */
	ua_optable_init_builtin(&ops);
	for (c = 0; c < UA_OPC_NR; c++) {
		ua_optable_class_mask(&ops, c, mask);
		memcpy((void *)skel->rodata->cfg_op_class[c], mask, sizeof(mask));
	}
	err = rule_match__load(skel);
	if (err) {
		printf("FAIL test_rule_match: cannot load (rerun with LIBBPF_LOG_LEVEL): %s\n",
		       strerror(-err));
		rule_match__destroy(skel);
		return 1;
	}
	RUN_TEST(test_addr_field);
	RUN_TEST(test_submit_names);
	RUN_TEST(test_submit_other);
	RUN_TEST(test_complete);
	RUN_TEST(test_issue_decide);
	rule_match__destroy(skel);
	return test_main_end();
}
