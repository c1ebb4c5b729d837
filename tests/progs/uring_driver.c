// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uring_driver - perform io_uring requests in precisely controlled ways for
 * the uringaudit integration tests, and print what user space knows about
 * each of them (user_data, result, which file a descriptor really is), so
 * that a test can compare the daemon's records with the truth.
 *
 * Usage: uring_driver [OPTIONS] STEP...    (run with --help for the list)
 *
 * Output is line oriented: space separated key=value fields. It never
 * contains caller-supplied strings (paths, names), so every line parses
 * trivially whatever hostile bytes a test passes in. stdout is line
 * buffered so that a test can react to a line (e.g. "ready=1") at once.
 * Lines: "pid= tid= uid=", "ring fd= ...", "personality=", "ring_fd_closed=1",
 * "uid=", "ready=1", then per request "req op= user_data= res= ..." (res is
 * "skipped" when +skip saw no CQE), per batch "req op= count= ...", and
 * "stray user_data= res=" for a CQE that arrived after its step gave up.
 * user_data is printed in decimal throughout (link_fail's 0x4242 = 16962).
 *
 * Exit status: 0 when every step ran (a request failing with an errno is
 * a result, not a failure of the driver), 1 on setup failures, 2 on usage
 * errors, 3 when --wait-file timed out.
 *
 * All io_uring calls are made by the main thread: a registered ring fd
 * (--register-ring-fd) is only valid in the task that registered it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#define EXIT_SETUP		1
#define EXIT_USAGE		2
#define EXIT_WAIT_TIMEOUT	3

#define DEFAULT_ENTRIES		64
#define OVERFLOW_CQ		16	/* CQ size when an overflow step needs one */
#define BATCH_MAX		32
#define IO_SIZE			4096
#define SKIP_PEEK_MS		200
#define STRAY_PEEK_MS		2000	/* overflow: give up on missing CQEs */
#define SQ_THREAD_IDLE_MS	2000
#define SPARSE_FILES		16
#define WAIT_FILE_MS		30000
#define WAIT_FILE_POLL_MS	10
#define LINK_UD			0x4242
#define MAX_COUNT		1000000000LL

/* Modifiers, as given after '+' in a step. */
#define MOD_ASYNC	(1u << 0)
#define MOD_SKIP	(1u << 1)
#define MOD_PERS	(1u << 2)	/* +pers or +persid=N */
#define MOD_FIXED	(1u << 3)
#define MOD_SQE		(MOD_ASYNC | MOD_SKIP | MOD_PERS)

enum op {
	OP_NOP,
	OP_OPENAT,
	OP_OPENAT2,
	OP_OPENAT_DIRECT,
	OP_CLOSE,
	OP_CLOSE_DIRECT,
	OP_UNLINKAT,
	OP_MKDIRAT,
	OP_RENAMEAT,
	OP_SYMLINKAT,
	OP_LINKAT,
	OP_READ,
	OP_WRITE,
	OP_READN,
	OP_LINK_FAIL,
	OP_OVERFLOW,
	OP_RACE,
	OP_SLEEP,
};

struct op_desc {
	const char *step;	/* name in the step syntax */
	const char *kname;	/* io_uring opcode name, as printed in op= */
	enum op op;
	int min_args, max_args;
	unsigned int mods;	/* modifiers that make sense for the step */
};

/*
 * +skip is refused where the driver needs every CQE to say anything true:
 * link_fail names the requests by CQE order, overflow needs CQEs to
 * overflow, race needs the descriptors.
 */
static const struct op_desc op_descs[] = {
	{ "nop",           "nop",       OP_NOP,           0, 1, MOD_SQE },
	{ "openat",        "openat",    OP_OPENAT,        1, 2, MOD_SQE },
	{ "openat2",       "openat2",   OP_OPENAT2,       1, 2, MOD_SQE },
	{ "openat_direct", "openat",    OP_OPENAT_DIRECT, 1, 2, MOD_SQE },
	{ "close",         "close",     OP_CLOSE,         1, 1, MOD_SQE },
	{ "close_direct",  "close",     OP_CLOSE_DIRECT,  1, 1, MOD_SQE },
	{ "unlinkat",      "unlinkat",  OP_UNLINKAT,      1, 2, MOD_SQE },
	{ "mkdirat",       "mkdirat",   OP_MKDIRAT,       1, 2, MOD_SQE },
	{ "renameat",      "renameat",  OP_RENAMEAT,      2, 2, MOD_SQE },
	{ "symlinkat",     "symlinkat", OP_SYMLINKAT,     2, 2, MOD_SQE },
	{ "linkat",        "linkat",    OP_LINKAT,        2, 2, MOD_SQE },
	{ "read",          "read",      OP_READ,          1, 1, MOD_SQE | MOD_FIXED },
	{ "write",         "write",     OP_WRITE,         1, 1, MOD_SQE | MOD_FIXED },
	{ "readn",         "read",      OP_READN,         2, 2, MOD_SQE | MOD_FIXED },
	{ "link_fail",     NULL,        OP_LINK_FAIL,     1, 1, MOD_ASYNC | MOD_PERS },
	{ "overflow",      "openat",    OP_OVERFLOW,      1, 1, MOD_ASYNC | MOD_PERS },
	{ "race",          "openat",    OP_RACE,          3, 3, MOD_ASYNC | MOD_PERS },
	{ "sleep",         NULL,        OP_SLEEP,         1, 1, 0 },
};

#define MAX_ARGS 3

struct step {
	const char *text;		/* as given, for messages */
	const struct op_desc *desc;
	char *arg[MAX_ARGS];		/* decoded and NUL-terminated */
	size_t arglen[MAX_ARGS];	/* decoded length (may hold NULs) */
	int nargs;
	long long num;			/* count, fd or ms; -1: plain nop */
	long long slot;			/* fixed-file slot */
	bool last;			/* "last" instead of the fd or slot */
	unsigned int flags;		/* open(2) / unlinkat(2) flags */
	unsigned int mode;
	unsigned int mods;		/* MOD_* */
	bool pers_registered;		/* +pers rather than +persid=N */
	unsigned int persid;		/* +persid=N */
	struct open_how how;		/* openat2: read at prep, keep it alive */
};

static struct {
	bool sqpoll;
	unsigned int entries;		/* 0: not given */
	unsigned int cq;		/* 0: kernel default */
	bool do_setuid;
	uid_t uid;
	bool reg_pers;
	bool reg_ring_fd;
	const char *wait_file;
	char *comm;
} opt;

static struct io_uring ring;
static int personality = -1;
static uint64_t next_ud = 1;
static int last_fd = -1;		/* from the last openat/openat2 step */
static long long last_slot = -1;	/* from the last openat_direct step */
static unsigned int batch_max;

/*
 * Buffers handed to the kernel are static: with +skip a request may still
 * be in flight when its step has returned.
 */
static char io_buf[IO_SIZE] __attribute__((aligned(4096)));

static const char *progname = "uring_driver";

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [OPTIONS] STEP...\n"
"options:\n"
"  --sqpoll                 IORING_SETUP_SQPOLL, sq_thread_idle %d ms\n"
"  --entries N              SQ entries (default %d, or the --cq value if smaller)\n"
"  --cq N                   IORING_SETUP_CQSIZE with N entries (an overflow step\n"
"                           makes it %d when not given)\n"
"  --register-personality   register a personality while root, print personality=ID\n"
"  --register-ring-fd       io_uring_register_ring_fd, then close the real ring fd\n"
"  --setuid UID             setgroups(0), setresgid(UID..), setresuid(UID..) after setup\n"
"  --wait-file PATH         print ready=1, then wait up to %d s for PATH to exist\n"
"  --comm NAME              prctl(PR_SET_NAME) first (NAME may be @hex:...)\n"
"steps: OP[:ARG[:ARG]][+MOD...]\n"
"  nop[:N]  openat:PATH[:FLAGS]  openat2:PATH[:FLAGS]  openat_direct:PATH[:FLAGS]\n"
"  close:FD|last  close_direct:SLOT|last  unlinkat:PATH[:FLAGS]  mkdirat:PATH[:MODE]\n"
"  renameat:OLD:NEW  symlinkat:TARGET:LINK  linkat:OLD:NEW\n"
"  read:PATH  write:PATH  readn:PATH:N  (with +fixed: SLOT|last instead of PATH)\n"
"  link_fail:PATH  overflow:N  race:PATH_A:PATH_B:N  sleep:MS\n"
"mods: +async +skip +pers +persid=N +fixed\n"
"An argument \"@hex\" takes the next ':'-field as hex bytes: openat:@hex:2f746d70.\n"
"Paths holding ':' or '+' must be given that way. Numbers are C style (0x.., 0..).\n",
		progname, SQ_THREAD_IDLE_MS, DEFAULT_ENTRIES, OVERFLOW_CQ,
		WAIT_FILE_MS / 1000);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fatal(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* Steps may carry hostile bytes; keep stderr messages on one line. */
static const char *escaped(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	char *out = malloc(4 * n + 1), *p = out;

	if (!out)
		return "(out of memory)";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*p++ = (char)c;
		} else {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		fatal(EXIT_SETUP, "out of memory");
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns a NUL-terminated copy of the decoded bytes, or NULL if malformed. */
static char *hex_decode(const char *hex, size_t *lenp)
{
	size_t n = strlen(hex), i;
	char *out;

	if (n % 2)
		return NULL;
	out = xmalloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (char)(hi << 4 | lo);
	}
	out[i] = '\0';
	*lenp = i;
	return out;
}

static bool parse_ll(const char *s, long long min, long long max,
		     long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (!*s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static unsigned int parse_uint_opt(const char *name, const char *s,
				   long long min, long long max)
{
	long long v;

	if (!s || !parse_ll(s, min, max, &v))
		fatal(EXIT_USAGE, "%s needs a number in [%lld, %lld]", name,
		      min, max);
	return (unsigned int)v;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
step_error(const struct step *st, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: step '%s': ", progname, escaped(st->text));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static long long step_number(const struct step *st, int i, long long min,
			     long long max, const char *what)
{
	long long v;

	if (!parse_ll(st->arg[i], min, max, &v))
		step_error(st, "%s must be a number in [%lld, %lld]", what,
			   min, max);
	return v;
}

/* A number, or "last" for the descriptor/slot an earlier step produced. */
static void step_number_or_last(struct step *st, int i, long long min,
				long long max, const char *what,
				long long *out)
{
	if (!strcmp(st->arg[i], "last"))
		st->last = true;
	else
		*out = step_number(st, i, min, max, what);
}

static void parse_mods(struct step *st, char *mods)
{
	char *tok;

	while ((tok = strsep(&mods, "+"))) {
		unsigned int mod;
		long long v;

		if (!strcmp(tok, "async")) {
			mod = MOD_ASYNC;
		} else if (!strcmp(tok, "skip")) {
			mod = MOD_SKIP;
		} else if (!strcmp(tok, "fixed")) {
			mod = MOD_FIXED;
		} else if (!strcmp(tok, "pers")) {
			if (!opt.reg_pers)
				step_error(st, "+pers needs --register-personality");
			mod = MOD_PERS;
			st->pers_registered = true;
		} else if (!strncmp(tok, "persid=", 7)) {
			if (!parse_ll(tok + 7, 0, UINT16_MAX, &v))
				step_error(st, "+persid needs a number in [0, 65535]");
			mod = MOD_PERS;
			st->pers_registered = false;
			st->persid = (unsigned int)v;
		} else {
			step_error(st, "unknown modifier '+%s'", escaped(tok));
		}
		if (!(mod & st->desc->mods))
			step_error(st, "+%s does not apply to %s", escaped(tok),
				   st->desc->step);
		st->mods |= mod;
	}
}

static void parse_open_flags(struct step *st, int i)
{
	st->flags = O_RDONLY;
	if (st->nargs > i)
		st->flags = (unsigned int)step_number(st, i, 0, UINT_MAX,
						      "FLAGS");
	/* The mode only matters, and is only accepted, when creating. */
	if ((st->flags & O_CREAT) || (st->flags & O_TMPFILE) == O_TMPFILE)
		st->mode = 0644;
}

static void parse_step(struct step *st, const char *text)
{
	char *copy = strdup(text), *mods, *p, *tok;
	size_t i;

	if (!copy)
		fatal(EXIT_SETUP, "out of memory");
	memset(st, 0, sizeof(*st));
	st->text = text;
	st->num = -1;

	/* Everything after the first '+' is modifiers. */
	mods = strchr(copy, '+');
	if (mods)
		*mods++ = '\0';

	p = copy;
	tok = strsep(&p, ":");
	for (i = 0; i < sizeof(op_descs) / sizeof(op_descs[0]); i++)
		if (!strcmp(tok, op_descs[i].step))
			st->desc = &op_descs[i];
	if (!st->desc)
		step_error(st, "unknown operation '%s'", escaped(tok));

	while ((tok = strsep(&p, ":"))) {
		char *arg;
		size_t len;

		if (st->nargs == st->desc->max_args)
			step_error(st, "too many arguments");
		if (!strcmp(tok, "@hex")) {
			tok = strsep(&p, ":");
			if (!tok || !(arg = hex_decode(tok, &len)))
				step_error(st, "malformed @hex: argument");
		} else {
			arg = tok;
			len = strlen(tok);
		}
		st->arg[st->nargs] = arg;
		st->arglen[st->nargs] = len;
		st->nargs++;
	}
	if (st->nargs < st->desc->min_args)
		step_error(st, "too few arguments");
	if (mods)
		parse_mods(st, mods);

	switch (st->desc->op) {
	case OP_NOP:
		if (st->nargs)
			st->num = step_number(st, 0, 1, MAX_COUNT, "N");
		break;
	case OP_OPENAT:
	case OP_OPENAT2:
	case OP_OPENAT_DIRECT:
		parse_open_flags(st, 1);
		break;
	case OP_CLOSE:
		step_number_or_last(st, 0, INT_MIN, INT_MAX, "FD", &st->num);
		break;
	case OP_CLOSE_DIRECT:
		step_number_or_last(st, 0, 0, UINT_MAX - 1, "SLOT",
				    &st->slot);
		break;
	case OP_UNLINKAT:
		if (st->nargs > 1)
			st->flags = (unsigned int)step_number(st, 1, 0,
							      UINT_MAX,
							      "FLAGS");
		break;
	case OP_MKDIRAT:
		st->mode = 0755;
		if (st->nargs > 1)
			st->mode = (unsigned int)step_number(st, 1, 0, 07777,
							     "MODE");
		break;
	case OP_READ:
	case OP_WRITE:
	case OP_READN:
		if (st->mods & MOD_FIXED)
			step_number_or_last(st, 0, 0, UINT_MAX - 1, "SLOT",
					    &st->slot);
		if (st->desc->op == OP_READN)
			st->num = step_number(st, 1, 1, MAX_COUNT, "N");
		break;
	case OP_OVERFLOW:
		st->num = step_number(st, 0, 1, MAX_COUNT, "N");
		break;
	case OP_RACE:
		/*
		 * Equal lengths keep the terminating NUL in place, so the
		 * flipping thread only ever rewrites the differing bytes.
		 */
		if (st->arglen[0] != st->arglen[1] ||
		    strlen(st->arg[0]) != st->arglen[0])
			step_error(st, "PATH_A and PATH_B must have the same length (and no NUL)");
		if (!memcmp(st->arg[0], st->arg[1], st->arglen[0]))
			step_error(st, "PATH_A and PATH_B must differ");
		st->num = step_number(st, 2, 1, MAX_COUNT, "N");
		break;
	case OP_SLEEP:
		st->num = step_number(st, 0, 0, INT_MAX, "MS");
		break;
	case OP_RENAMEAT:
	case OP_SYMLINKAT:
	case OP_LINKAT:
	case OP_LINK_FAIL:
		break;
	}
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(&ring))) {
		/*
		 * The SQ is full: hand it to the kernel. Under SQPOLL that
		 * only publishes the tail, so wait for the thread to consume.
		 */
		int ret = io_uring_submit(&ring);

		if (ret < 0)
			fatal(EXIT_SETUP, "io_uring_submit: %s",
			      strerror(-ret));
		ret = io_uring_sqring_wait(&ring);
		if (ret < 0)
			fatal(EXIT_SETUP, "io_uring_sqring_wait: %s",
			      strerror(-ret));
	}
	return sqe;
}

static void submit(void)
{
	/*
	 * Under SQPOLL, liburing only enters the kernel to wake an idle
	 * SQ thread: the SQEs are never submitted by io_uring_enter.
	 */
	int ret = io_uring_submit(&ring);

	if (ret < 0)
		fatal(EXIT_SETUP, "io_uring_submit: %s", strerror(-ret));
}

static void prep_common(struct io_uring_sqe *sqe, const struct step *st,
			uint64_t ud, unsigned int extra_flags)
{
	unsigned int flags = extra_flags;

	if (st->mods & MOD_ASYNC)
		flags |= IOSQE_ASYNC;
	if (st->mods & MOD_SKIP)
		flags |= IOSQE_CQE_SKIP_SUCCESS;
	if (st->mods & MOD_FIXED)
		flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_flags(sqe, flags);
	if (st->mods & MOD_PERS)
		sqe->personality = (__u16)(st->pers_registered ? personality :
					   (int)st->persid);
	io_uring_sqe_set_data64(sqe, ud);
}

/*
 * Wait for the next CQE; with a timeout (ms > 0) return false when none
 * came. The CQE is copied out and marked seen at once.
 */
static bool next_cqe(long long ms, uint64_t *ud, int *res)
{
	struct io_uring_cqe *cqe;
	int ret;

	for (;;) {
		if (ms > 0) {
			struct __kernel_timespec ts = {
				.tv_sec = ms / 1000,
				.tv_nsec = (ms % 1000) * 1000000LL,
			};

			ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
			if (ret == -ETIME)
				return false;
		} else {
			ret = io_uring_wait_cqe(&ring, &cqe);
		}
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			fatal(EXIT_SETUP, "waiting for a CQE: %s",
			      strerror(-ret));
		*ud = cqe->user_data;
		*res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		return true;
	}
}

/*
 * A CQE nobody is waiting for: the late failure of a +skip request whose
 * peek window had passed. Printed rather than dropped, so that a test sees
 * every CQE the kernel posted.
 */
static void print_stray(uint64_t ud, int res)
{
	printf("stray user_data=%" PRIu64 " res=%d\n", ud, res);
}

/*
 * Reap the CQE of request @ud. Returns false when the request carries
 * CQE_SKIP_SUCCESS and nothing came within the peek window: the kernel did
 * not mark it failed (which is not the same as res >= 0: a failing
 * unlinkat/mkdirat/renameat/linkat/symlinkat posts nothing either, while a
 * short read posts its positive res), or it has not finished yet.
 */
static bool reap_one(const struct step *st, uint64_t ud, int *res)
{
	long long ms = (st->mods & MOD_SKIP) ? SKIP_PEEK_MS : 0;
	uint64_t got;
	int r;

	for (;;) {
		if (!next_cqe(ms, &got, &r))
			return false;
		if (got == ud) {
			*res = r;
			return true;
		}
		print_stray(got, r);
	}
}

struct tally {
	unsigned long long cqes, failed, bytes;
};

/* Reap the CQEs of requests [first, first + n); with +skip, what comes. */
static void reap_range(const struct step *st, uint64_t first, unsigned int n,
		       struct tally *t)
{
	long long ms = (st->mods & MOD_SKIP) ? SKIP_PEEK_MS : 0;
	unsigned int seen = 0;
	uint64_t ud;
	int res;

	while (seen < n && next_cqe(ms, &ud, &res)) {
		if (ud < first || ud - first >= n) {
			print_stray(ud, res);
			continue;
		}
		seen++;
		t->cqes++;
		if (res < 0)
			t->failed++;
		else
			t->bytes += (unsigned long long)res;
	}
}

static void print_req(const char *op, uint64_t ud, bool have_res, int res)
{
	printf("req op=%s user_data=%" PRIu64, op, ud);
	if (have_res)
		printf(" res=%d", res);
	else
		printf(" res=skipped");
}

/*
 * st_dev is in the user-space encoding; the kernel's s_dev is not. Print
 * both halves so that a test can compare with either.
 */
static void print_file(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb)) {
		printf(" dev=? ino=?");
		return;
	}
	printf(" dev=%lu ino=%lu dev_major=%u dev_minor=%u",
	       (unsigned long)sb.st_dev, (unsigned long)sb.st_ino,
	       major(sb.st_dev), minor(sb.st_dev));
}

static unsigned int resolve_slot(const struct step *st)
{
	if (!st->last)
		return (unsigned int)st->slot;
	if (last_slot < 0)
		fatal(EXIT_SETUP, "step '%s': no slot left by an openat_direct step",
		      escaped(st->text));
	return (unsigned int)last_slot;
}

/* read/write: the descriptor to use, opened with open(2) unless +fixed. */
static int io_target(const struct step *st, int oflags)
{
	int fd;

	if (st->mods & MOD_FIXED)
		return (int)resolve_slot(st);
	fd = open(st->arg[0], oflags, 0644);
	if (fd < 0)
		fatal(EXIT_SETUP, "step '%s': open: %s", escaped(st->text),
		      strerror(errno));
	return fd;
}

static void print_io_target(const struct step *st, int fd)
{
	if (st->mods & MOD_FIXED)
		printf(" slot=%d", fd);
	else
		printf(" fd=%d", fd);
}

/* Steps that are exactly one request. */
static void run_single(struct step *st)
{
	const char *op = st->desc->kname;
	struct io_uring_sqe *sqe;
	uint64_t ud;
	bool have;
	int fd = -1, res = 0;

	switch (st->desc->op) {
	case OP_READ:
		fd = io_target(st, O_RDONLY);
		break;
	case OP_WRITE:
		fd = io_target(st, O_WRONLY | O_CREAT);
		memset(io_buf, 'U', sizeof(io_buf));
		break;
	case OP_CLOSE:
		if (st->last && last_fd < 0)
			fatal(EXIT_SETUP, "step '%s': no open fd left by an openat step",
			      escaped(st->text));
		fd = st->last ? last_fd : (int)st->num;
		break;
	default:
		break;
	}

	sqe = get_sqe();
	ud = next_ud++;
	switch (st->desc->op) {
	case OP_NOP:
		io_uring_prep_nop(sqe);
		break;
	case OP_OPENAT:
		io_uring_prep_openat(sqe, AT_FDCWD, st->arg[0], (int)st->flags,
				     st->mode);
		break;
	case OP_OPENAT2:
		st->how.flags = st->flags;
		st->how.mode = st->mode;
		st->how.resolve = 0;
		io_uring_prep_openat2(sqe, AT_FDCWD, st->arg[0], &st->how);
		break;
	case OP_OPENAT_DIRECT:
		io_uring_prep_openat(sqe, AT_FDCWD, st->arg[0], (int)st->flags,
				     st->mode);
		/*
		 * Not io_uring_prep_openat_direct(): liburing 2.3 stores
		 * file_index + 1, which turns IORING_FILE_INDEX_ALLOC into 0,
		 * "no fixed file", i.e. a plain openat into the fd table.
		 */
		sqe->file_index = IORING_FILE_INDEX_ALLOC;
		break;
	case OP_CLOSE:
		io_uring_prep_close(sqe, fd);
		break;
	case OP_CLOSE_DIRECT:
		io_uring_prep_close_direct(sqe, resolve_slot(st));
		break;
	case OP_UNLINKAT:
		io_uring_prep_unlinkat(sqe, AT_FDCWD, st->arg[0],
				       (int)st->flags);
		break;
	case OP_MKDIRAT:
		io_uring_prep_mkdirat(sqe, AT_FDCWD, st->arg[0], st->mode);
		break;
	case OP_RENAMEAT:
		io_uring_prep_renameat(sqe, AT_FDCWD, st->arg[0], AT_FDCWD,
				       st->arg[1], 0);
		break;
	case OP_SYMLINKAT:
		io_uring_prep_symlinkat(sqe, st->arg[0], AT_FDCWD, st->arg[1]);
		break;
	case OP_LINKAT:
		io_uring_prep_linkat(sqe, AT_FDCWD, st->arg[0], AT_FDCWD,
				     st->arg[1], 0);
		break;
	case OP_READ:
		io_uring_prep_read(sqe, fd, io_buf, IO_SIZE, 0);
		break;
	case OP_WRITE:
		io_uring_prep_write(sqe, fd, io_buf, IO_SIZE, 0);
		break;
	default:
		fatal(EXIT_SETUP, "internal error: %s is not a single request",
		      st->desc->step);
	}
	prep_common(sqe, st, ud, 0);
	submit();
	have = reap_one(st, ud, &res);

	print_req(op, ud, have, res);
	switch (st->desc->op) {
	case OP_OPENAT:
	case OP_OPENAT2:
		if (have && res >= 0) {
			print_file(res);
			last_fd = res;
		}
		break;
	case OP_OPENAT_DIRECT:
		if (have && res >= 0) {
			printf(" slot=%d", res);
			last_slot = res;
		}
		break;
	case OP_CLOSE:
		printf(" fd=%d", fd);
		if (have && res == 0 && fd == last_fd)
			last_fd = -1;
		break;
	case OP_CLOSE_DIRECT:
		printf(" slot=%u", resolve_slot(st));
		if (have && res == 0 && (long long)resolve_slot(st) == last_slot)
			last_slot = -1;
		break;
	case OP_READ:
	case OP_WRITE:
		print_io_target(st, fd);
		break;
	default:
		break;
	}
	printf("\n");

	if ((st->desc->op == OP_READ || st->desc->op == OP_WRITE) &&
	    !(st->mods & MOD_FIXED))
		close(fd);
}

/* nop:N and readn: many requests in batches, one summary line. */
static void run_batched(const struct step *st)
{
	unsigned long long left = (unsigned long long)st->num;
	struct tally t = { 0 };
	uint64_t first_ud = next_ud;
	int fd = -1;

	if (st->desc->op == OP_READN)
		fd = io_target(st, O_RDONLY);

	while (left) {
		unsigned int n = left < batch_max ? (unsigned int)left :
						    batch_max;
		uint64_t first = next_ud;
		unsigned int i;

		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = get_sqe();

			if (fd >= 0)
				io_uring_prep_read(sqe, fd, io_buf, IO_SIZE, 0);
			else
				io_uring_prep_nop(sqe);
			prep_common(sqe, st, next_ud++, 0);
		}
		submit();
		reap_range(st, first, n, &t);
		left -= n;
	}

	printf("req op=%s count=%lld first_user_data=%" PRIu64
	       " last_user_data=%" PRIu64 " cqes=%llu failed=%llu",
	       st->desc->kname, st->num, first_ud, next_ud - 1, t.cqes,
	       t.failed);
	if (fd >= 0) {
		printf(" bytes=%llu", t.bytes);
		print_io_target(st, fd);
	}
	printf("\n");
	if (fd >= 0 && !(st->mods & MOD_FIXED))
		close(fd);
}

/*
 * A chain whose head fails, so that the kernel cancels the rest. All three
 * share one user_data on purpose (the daemon must not join on it); the
 * kernel posts the CQEs in chain order, so the order names the request.
 */
static void run_link_fail(const struct step *st)
{
	static const char *const names[] = { "openat", "openat", "unlinkat" };
	struct io_uring_sqe *sqe;
	unsigned int i;

	/*
	 * get_sqe() submits when the SQ is full, which would cut the chain
	 * short: make room for all three first.
	 */
	if (ring.sq.ring_entries < 3)
		fatal(EXIT_SETUP, "link_fail needs at least 3 SQ entries");
	while (io_uring_sq_space_left(&ring) < 3) {
		submit();
		if (opt.sqpoll)
			sleep_ms(1);
	}

	sqe = get_sqe();
	io_uring_prep_openat(sqe, AT_FDCWD, st->arg[0], O_RDONLY, 0);
	prep_common(sqe, st, LINK_UD, IOSQE_IO_LINK);
	sqe = get_sqe();
	io_uring_prep_openat(sqe, AT_FDCWD, "/", O_RDONLY, 0);
	prep_common(sqe, st, LINK_UD, IOSQE_IO_LINK);
	sqe = get_sqe();
	io_uring_prep_unlinkat(sqe, AT_FDCWD, "/nonexistent-x", 0);
	prep_common(sqe, st, LINK_UD, 0);
	submit();

	for (i = 0; i < 3; i++) {
		int res;

		reap_one(st, LINK_UD, &res);
		print_req(names[i], LINK_UD, true, res);
		printf(" link_pos=%u\n", i);
		/* Only when PATH exists: both openats then succeed. */
		if (i < 2 && res >= 0)
			close(res);
	}
}

/*
 * Fill a small CQ without reaping so that completions go to the kernel's
 * overflow list, then reap everything. The kernel moves overflowed CQEs
 * into the ring only when asked (GETEVENTS) and only as space frees up, so
 * the reaping loop asks again whenever the ring looks empty.
 */
static void run_overflow(const struct step *st)
{
	unsigned int n = (unsigned int)st->num, submitted = 0, reaped = 0;
	unsigned int batch = ring.sq.ring_entries, i;
	bool flag_seen = false;
	int *fds = xmalloc(sizeof(int) * n);

	for (i = 0; i < n; i++)
		fds[i] = -1;
	while (submitted < n) {
		unsigned int k = n - submitted < batch ? n - submitted : batch;

		for (i = 0; i < k; i++) {
			struct io_uring_sqe *sqe = get_sqe();

			io_uring_prep_openat(sqe, AT_FDCWD, "/dev/null",
					     O_RDONLY, 0);
			prep_common(sqe, st, ++submitted, 0);
		}
		submit();
		if (io_uring_cq_has_overflow(&ring))
			flag_seen = true;
	}
	/*
	 * Under SQPOLL the thread may not have picked up the last batch yet;
	 * give it a moment, so that the state printed is the full one.
	 */
	for (i = 0; opt.sqpoll && io_uring_sq_ready(&ring) && i < 1000; i++)
		sleep_ms(1);
	if (io_uring_cq_has_overflow(&ring))
		flag_seen = true;
	printf("overflow in_cq=%u overflow_flag=%d\n",
	       io_uring_cq_ready(&ring), flag_seen);

	while (reaped < n) {
		struct io_uring_cqe *cqe;
		uint64_t ud;
		int res;

		if (io_uring_peek_cqe(&ring, &cqe) == 0) {
			ud = cqe->user_data;
			res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		} else {
			/* Flush the overflow list into the (now empty) CQ. */
			int ret = io_uring_get_events(&ring);

			if (ret < 0 && ret != -EINTR)
				fatal(EXIT_SETUP, "io_uring_get_events: %s",
				      strerror(-ret));
			if (io_uring_cq_ready(&ring))
				continue;
			if (!next_cqe(STRAY_PEEK_MS, &ud, &res))
				break;
		}
		if (ud < 1 || ud > n) {
			print_stray(ud, res);
			continue;
		}
		reaped++;
		print_req("openat", ud, true, res);
		printf("\n");
		if (res >= 0)
			fds[ud - 1] = res;
	}
	printf("overflow submitted=%u reaped=%u dropped=%u\n", n, reaped,
	       *ring.cq.koverflow);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	/*
	 * This step reused user_data 1..N; later requests get fresh ones, so
	 * that (ring, user_data) stays unambiguous for whoever joins on it.
	 */
	if (next_ud <= n)
		next_ud = (uint64_t)n + 1;
}

struct race {
	volatile char *buf;		/* the path the kernel reads */
	const char *a, *b;
	size_t *diff;			/* indexes where a and b differ */
	size_t ndiff;
	volatile int stop;
};

static void *race_flipper(void *arg)
{
	struct race *r = arg;
	size_t i;

	/* volatile: stores the compiler would otherwise find dead. */
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < r->ndiff; i++)
			r->buf[r->diff[i]] = r->a[r->diff[i]];
		for (i = 0; i < r->ndiff; i++)
			r->buf[r->diff[i]] = r->b[r->diff[i]];
	}
	return NULL;
}

static bool same_file(const struct stat *x, const struct stat *y)
{
	return x->st_dev == y->st_dev && x->st_ino == y->st_ino;
}

/*
 * openat of a path another thread keeps rewriting: the file the kernel
 * opened (fstat) is the truth the daemon's recorded path must agree with.
 */
static void run_race(const struct step *st)
{
	unsigned long long n = (unsigned long long)st->num, i;
	unsigned long long cnt_a = 0, cnt_b = 0, cnt_other = 0, failed = 0;
	size_t len = st->arglen[0], j;
	struct stat sa, sb;
	struct race r = { 0 };
	pthread_t thr;
	int ret;

	if (stat(st->arg[0], &sa) || stat(st->arg[1], &sb))
		fatal(EXIT_SETUP, "step '%s': stat: %s", escaped(st->text),
		      strerror(errno));
	if (same_file(&sa, &sb))
		fatal(EXIT_SETUP, "step '%s': PATH_A and PATH_B are one file",
		      escaped(st->text));

	r.buf = xmalloc(len + 1);
	memcpy((char *)r.buf, st->arg[0], len + 1);
	r.a = st->arg[0];
	r.b = st->arg[1];
	r.diff = xmalloc(sizeof(size_t) * len);
	for (j = 0; j < len; j++)
		if (r.a[j] != r.b[j])
			r.diff[r.ndiff++] = j;

	ret = pthread_create(&thr, NULL, race_flipper, &r);
	if (ret)
		fatal(EXIT_SETUP, "pthread_create: %s", strerror(ret));

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = get_sqe();
		uint64_t ud = next_ud++;
		struct stat sf;
		const char *which = "?";
		int res;

		io_uring_prep_openat(sqe, AT_FDCWD, (const char *)r.buf,
				     O_RDONLY, 0);
		prep_common(sqe, st, ud, 0);
		submit();
		reap_one(st, ud, &res);
		print_req("openat", ud, true, res);
		if (res < 0) {
			failed++;
			printf("\n");
			continue;
		}
		print_file(res);
		if (fstat(res, &sf)) {
			cnt_other++;
		} else if (same_file(&sf, &sa)) {
			which = "a";
			cnt_a++;
		} else if (same_file(&sf, &sb)) {
			which = "b";
			cnt_b++;
		} else {
			cnt_other++;
		}
		printf(" which=%s\n", which);
		close(res);
	}

	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(thr, NULL);
	printf("race count=%llu a=%llu b=%llu other=%llu failed=%llu\n", n,
	       cnt_a, cnt_b, cnt_other, failed);
	free((char *)r.buf);
	free(r.diff);
}

static void run_step(struct step *st)
{
	switch (st->desc->op) {
	case OP_NOP:
		if (st->num < 0)
			run_single(st);
		else
			run_batched(st);
		break;
	case OP_READN:
		run_batched(st);
		break;
	case OP_LINK_FAIL:
		run_link_fail(st);
		break;
	case OP_OVERFLOW:
		run_overflow(st);
		break;
	case OP_RACE:
		run_race(st);
		break;
	case OP_SLEEP:
		sleep_ms(st->num);
		break;
	default:
		run_single(st);
		break;
	}
}

static void setup_ring(bool need_files)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	if (opt.sqpoll) {
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = SQ_THREAD_IDLE_MS;
	}
	if (opt.cq) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = opt.cq;
	}
	ret = io_uring_queue_init_params(opt.entries, &ring, &p);
	if (ret < 0)
		fatal(EXIT_SETUP, "io_uring_queue_init (entries %u, cq %u): %s",
		      opt.entries, opt.cq, strerror(-ret));
	printf("ring fd=%d sq_entries=%u cq_entries=%u sqpoll=%d features=0x%x\n",
	       ring.ring_fd, p.sq_entries, p.cq_entries, opt.sqpoll,
	       p.features);

	batch_max = BATCH_MAX;
	if (batch_max > p.sq_entries)
		batch_max = p.sq_entries;
	if (batch_max > p.cq_entries)
		batch_max = p.cq_entries;

	/*
	 * liburing 2.3 registers through the real ring fd, so everything
	 * that needs io_uring_register() happens before it may be closed.
	 */
	if (need_files) {
		ret = io_uring_register_files_sparse(&ring, SPARSE_FILES);
		if (ret < 0)
			fatal(EXIT_SETUP, "io_uring_register_files_sparse: %s",
			      strerror(-ret));
	}
	if (opt.reg_pers) {
		personality = io_uring_register_personality(&ring);
		if (personality < 0)
			fatal(EXIT_SETUP, "io_uring_register_personality: %s",
			      strerror(-personality));
		printf("personality=%d\n", personality);
	}
	if (opt.reg_ring_fd) {
		ret = io_uring_register_ring_fd(&ring);
		if (ret < 0)
			fatal(EXIT_SETUP, "io_uring_register_ring_fd: %s",
			      strerror(-ret));
		if (close(ring.ring_fd))
			fatal(EXIT_SETUP, "close(ring fd): %s",
			      strerror(errno));
		/*
		 * io_uring_queue_exit() closes ring_fd: don't let it close
		 * whatever file has reused the number by then.
		 */
		ring.ring_fd = -1;
		printf("ring_fd_closed=1 ring_index=%d\n", ring.enter_ring_fd);
	}
}

static void drop_privileges(void)
{
	uid_t u = opt.uid;

	/* Root's supplementary groups would otherwise survive the drop. */
	if (setgroups(0, NULL))
		fatal(EXIT_SETUP, "setgroups: %s", strerror(errno));
	if (setresgid((gid_t)u, (gid_t)u, (gid_t)u))
		fatal(EXIT_SETUP, "setresgid(%u): %s", u, strerror(errno));
	if (setresuid(u, u, u))
		fatal(EXIT_SETUP, "setresuid(%u): %s", u, strerror(errno));
	printf("uid=%u\n", getuid());
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void wait_for_file(void)
{
	long long deadline = now_ms() + WAIT_FILE_MS;

	printf("ready=1\n");
	fflush(stdout);
	while (access(opt.wait_file, F_OK)) {
		if (now_ms() >= deadline)
			fatal(EXIT_WAIT_TIMEOUT, "timed out waiting for %s",
			      escaped(opt.wait_file));
		sleep_ms(WAIT_FILE_POLL_MS);
	}
}

/*
 * overflow and race keep many descriptors open at once; give them the hard
 * limit rather than failing with EMFILE at 1024.
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int parse_options(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--")) {
			i++;
			break;
		} else if (!strcmp(o, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(o, "--sqpoll")) {
			opt.sqpoll = true;
		} else if (!strcmp(o, "--register-personality")) {
			opt.reg_pers = true;
		} else if (!strcmp(o, "--register-ring-fd")) {
			opt.reg_ring_fd = true;
		} else if (!strcmp(o, "--entries")) {
			opt.entries = parse_uint_opt(o, v, 1, 32768);
			i++;
		} else if (!strcmp(o, "--cq")) {
			opt.cq = parse_uint_opt(o, v, 1, 65536);
			i++;
		} else if (!strcmp(o, "--setuid")) {
			opt.uid = parse_uint_opt(o, v, 0, UINT_MAX - 1);
			opt.do_setuid = true;
			i++;
		} else if (!strcmp(o, "--wait-file")) {
			if (!v)
				fatal(EXIT_USAGE, "--wait-file needs a path");
			opt.wait_file = v;
			i++;
		} else if (!strcmp(o, "--comm")) {
			size_t len;

			if (!v)
				fatal(EXIT_USAGE, "--comm needs a name");
			if (!strncmp(v, "@hex:", 5)) {
				opt.comm = hex_decode(v + 5, &len);
				if (!opt.comm)
					fatal(EXIT_USAGE, "--comm: malformed @hex:");
			} else {
				opt.comm = (char *)v;
			}
			i++;
		} else {
			usage(stderr);
			fatal(EXIT_USAGE, "unknown option '%s'", escaped(o));
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	static struct step *steps; /* static: reachable until exit, no leak report */
	bool need_files = false, need_overflow = false;
	bool seen_open = false, seen_direct = false;
	int first, nsteps, i;

	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Everything is parsed first: a usage error must not leave a ring. */
	first = parse_options(argc, argv);
	nsteps = argc - first;
	if (nsteps <= 0) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	steps = xmalloc(sizeof(*steps) * (size_t)nsteps);
	for (i = 0; i < nsteps; i++) {
		struct step *st = &steps[i];

		parse_step(st, argv[first + i]);
		if (st->last && st->desc->op == OP_CLOSE && !seen_open)
			step_error(st, "'last' needs an openat or openat2 step before");
		if (st->last && st->desc->op != OP_CLOSE && !seen_direct)
			step_error(st, "'last' needs an openat_direct step before");
		if (st->desc->op == OP_OPENAT || st->desc->op == OP_OPENAT2)
			seen_open = true;
		if (st->desc->op == OP_OPENAT_DIRECT)
			seen_direct = true;
		if (st->desc->op == OP_OPENAT_DIRECT ||
		    st->desc->op == OP_CLOSE_DIRECT || (st->mods & MOD_FIXED))
			need_files = true;
		if (st->desc->op == OP_OVERFLOW)
			need_overflow = true;
	}
	/* CQSIZE requires cq_entries >= sq_entries. */
	if (need_overflow && !opt.cq)
		opt.cq = opt.entries > OVERFLOW_CQ ? opt.entries : OVERFLOW_CQ;
	if (!opt.entries)
		opt.entries = opt.cq && opt.cq < DEFAULT_ENTRIES ?
			      opt.cq : DEFAULT_ENTRIES;

	if (opt.comm && prctl(PR_SET_NAME, opt.comm, 0, 0, 0))
		fatal(EXIT_SETUP, "prctl(PR_SET_NAME): %s", strerror(errno));
	raise_nofile();
	printf("pid=%d tid=%d uid=%u\n", getpid(), gettid(), getuid());

	setup_ring(need_files);
	if (opt.do_setuid)
		drop_privileges();
	if (opt.wait_file)
		wait_for_file();

	for (i = 0; i < nsteps; i++)
		run_step(&steps[i]);

	io_uring_queue_exit(&ring);
	return 0;
}
