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
 * Lines: "pid= tid= uid=", "ring fd= ...", "restrict res= nr=",
 * "personality=", "ring_fd_closed=1", "uid=", "ready=1", then per request
 * "req op= user_data= res= ..." (res is "skipped" when +skip saw no CQE),
 * per batch "req op= count= ...", and "stray user_data= res=" for a CQE that
 * arrived after its step gave up. Besides: "target_ring fd=" and
 * "target_cqe user_data= res=" (msg_ring steps), "register op= nr= res="
 * (register steps), "udp_server port=", "tcp_server port=" and, at exit,
 * "tcp_server received=N" (bytes, never the bytes themselves).
 * user_data is printed in decimal throughout (link_fail's 0x4242 = 16962).
 *
 * After res=, req lines add what user space knows ("file" stands for
 * dev= ino= dev_major= dev_minor=; a failed request adds no result fields):
 * openat_at dfd= and file; statx ino=; getxattr, fgetxattr size=; fsetxattr,
 * fgetxattr, ftruncate, fallocate fd= and file, or slot= with +fixed; close
 * fd= and the file it was before the close; fixed_fd_install slot= and the
 * file of the new fd; socket fd= (slot= with +direct); the steps on the last
 * socket fd= or slot=, then bind port=, listen backlog=, connect lport=,
 * recv bytes=, sock_cmd cmd_op= (getsockopt: level= optname= value=);
 * msg_ring_fd src_slot= dst_slot=. sys_bind and sys_listen (the system
 * calls, for kernels before 6.11) print "sys op=bind|listen res= fd=" and
 * port= or backlog=. accept prints a line per connection,
 * "cqe=K peer_port= peer_addr=" (+direct: "cqe=K slot= client_port="), and
 * when it stays armed "req op=async_cancel ... target_user_data=" and its
 * last CQE "... final=1". sendmsg_zc_to prints a second line "... notif=1".
 *
 * The opcodes and SQE fields that liburing 2.3 and the 6.1 uapi headers
 * lack (bind, listen, ftruncate, fixed_fd_install, socket uring_cmd) are
 * defined here and filled by hand as Linux 6.18 (io_uring/) reads them.
 *
 * Exit status: 0 when every step ran (a request failing with an errno is
 * a result, not a failure of the driver), 1 on setup failures, 2 on usage
 * errors, 3 when --wait-file timed out.
 *
 * All io_uring calls are made by the main thread: a registered ring fd
 * (--register-ring-fd) is only valid in the task that registered it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

/*
 * What Linux 6.18 has and liburing 2.3 and the 6.1 uapi headers lack, as
 * include/uapi/linux/io_uring.h of 6.18 defines it.
 */
#ifndef IORING_OP_FIXED_FD_INSTALL
#define IORING_OP_FIXED_FD_INSTALL	54
#endif
#ifndef IORING_OP_FTRUNCATE
#define IORING_OP_FTRUNCATE		55
#endif
#ifndef IORING_OP_BIND
#define IORING_OP_BIND			56
#endif
#ifndef IORING_OP_LISTEN
#define IORING_OP_LISTEN		57
#endif
#ifndef SOCKET_URING_OP_SIOCINQ
#define SOCKET_URING_OP_SIOCINQ		0
#endif
#ifndef SOCKET_URING_OP_SIOCOUTQ
#define SOCKET_URING_OP_SIOCOUTQ	1
#endif
#ifndef SOCKET_URING_OP_GETSOCKOPT
#define SOCKET_URING_OP_GETSOCKOPT	2
#endif
#ifndef SOCKET_URING_OP_SETSOCKOPT
#define SOCKET_URING_OP_SETSOCKOPT	3
#endif

/*
 * The 6.18 uapi's layout of an SQE as io_uring/cmd_net.c reads it for the
 * socket commands: level and optname share addr, optlen shares file_index,
 * optval shares addr3. liburing 2.3's struct has none of the four names, so
 * they are written at these offsets (see SQE_PUT()).
 */
struct sqe_sockopt {
	__u8	opcode;
	__u8	flags;
	__u16	ioprio;
	__s32	fd;
	__u32	cmd_op;
	__u32	__pad1;
	__u32	level;
	__u32	optname;
	__u32	len;
	__u32	uring_cmd_flags;
	__u64	user_data;
	__u16	buf_index;
	__u16	personality;
	__u32	optlen;
	__u64	optval;
	__u64	__pad2;
};

#define SAME_OFFSET(f, g) \
	(offsetof(struct sqe_sockopt, f) == offsetof(struct io_uring_sqe, g))
_Static_assert(sizeof(struct sqe_sockopt) == sizeof(struct io_uring_sqe),
	       "struct sqe_sockopt is not an SQE");
_Static_assert(SAME_OFFSET(cmd_op, cmd_op) && SAME_OFFSET(level, addr) &&
	       SAME_OFFSET(len, len) && SAME_OFFSET(user_data, user_data) &&
	       SAME_OFFSET(optlen, file_index) && SAME_OFFSET(optval, addr3),
	       "struct sqe_sockopt does not match struct io_uring_sqe");

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
#define ACCEPT_MAX		1000
#define ACCEPT_WAIT_MS		5000	/* accept: give up on a missing client */
#define CLIENT_TIMEOUT_MS	5000	/* accept's clients: connect timeout */
#define SERVER_POLL_MS		100	/* tcp_server: how often it checks for exit */
#define TCP_SERVERS_MAX		8
#define TARGET_ENTRIES		8	/* the msg_ring steps' second ring */
#define MSG_RING_UD		0x77	/* user_data of the target ring's CQE */
#define REG_FILES_MAX		65536
#define REG_BUFFERS_MAX		16384
#define PAYLOAD			"hello"	/* sendmsg_to: 5 bytes */
#define DEFAULT_REPLY		"cmd\n"	/* tcp_server */

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Modifiers, as given after '+' in a step. */
#define MOD_ASYNC	(1u << 0)
#define MOD_SKIP	(1u << 1)
#define MOD_PERS	(1u << 2)	/* +pers or +persid=N */
#define MOD_FIXED	(1u << 3)
#define MOD_DIRECT	(1u << 4)	/* socket, accept: into a fixed-file slot */
#define MOD_SQE		(MOD_ASYNC | MOD_SKIP | MOD_PERS)
#define MOD_NOSKIP	(MOD_ASYNC | MOD_PERS)
#define MOD_FIXABLE	(MOD_SQE | MOD_FIXED)
#define MOD_SOCKET	(MOD_NOSKIP | MOD_DIRECT)

/* What a step needs besides its arguments. */
#define NEEDS_FILES	(1u << 0)	/* the ring's fixed-file table */
#define NEEDS_SOCKET	(1u << 1)	/* a socket step before: the last socket */
#define NEEDS_UDP	(1u << 2)	/* PORT "last": a udp_server step before */
#define NEEDS_TCP	(1u << 3)	/* PORT "last": a tcp_server step before */

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
	OP_RACE_CONNECT,
	OP_RACE_SENDMSG,
	OP_SLEEP,
	OP_OPENAT_AT,
	OP_STATX,
	OP_SETXATTR,
	OP_GETXATTR,
	OP_FSETXATTR,
	OP_FGETXATTR,
	OP_FTRUNCATE,
	OP_FALLOCATE,
	OP_FIXED_FD_INSTALL,
	OP_SOCKET,
	OP_BIND,
	OP_BIND_UNIX,
	OP_LISTEN,
	OP_SYS_BIND,
	OP_SYS_BIND_UNIX,
	OP_SYS_LISTEN,
	OP_CONNECT,
	OP_CONNECT_UNIX,
	OP_ACCEPT,
	OP_SENDMSG_TO,
	OP_SENDMSG_ZC_TO,
	OP_SEND,
	OP_RECV,
	OP_SHUTDOWN,
	OP_SOCK_CMD,
	OP_UDP_SERVER,
	OP_TCP_SERVER,
	OP_MSG_RING_DATA,
	OP_MSG_RING_FD,
	OP_REGISTER_FILES,
	OP_REGISTER_BUFFERS,
	OP_UNREG_BUFFERS,
};

struct op_desc {
	const char *step;	/* name in the step syntax */
	const char *kname;	/* io_uring opcode name, as printed in op= */
	enum op op;
	int min_args, max_args;
	unsigned int mods;	/* modifiers that make sense for the step */
	unsigned int needs;	/* NEEDS_* */
};

/*
 * +skip is refused where the driver needs every CQE to say anything true:
 * link_fail names the requests by CQE order, overflow needs CQEs to
 * overflow, race needs the descriptors, socket its result, accept and
 * sendmsg_zc_to every CQE, msg_ring_* the result to know whether the target
 * ring gets a CQE.
 */
#define F NEEDS_FILES
#define S NEEDS_SOCKET
#define U NEEDS_UDP
#define T NEEDS_TCP
static const struct op_desc op_descs[] = {
	{ "nop",                "nop",              OP_NOP,              0, 1, MOD_SQE, 0 },
	{ "openat",             "openat",           OP_OPENAT,           1, 2, MOD_SQE, 0 },
	{ "openat2",            "openat2",          OP_OPENAT2,          1, 2, MOD_SQE, 0 },
	{ "openat_direct",      "openat",           OP_OPENAT_DIRECT,    1, 2, MOD_SQE, F },
	{ "close",              "close",            OP_CLOSE,            1, 1, MOD_SQE, 0 },
	{ "close_direct",       "close",            OP_CLOSE_DIRECT,     1, 1, MOD_SQE, F },
	{ "unlinkat",           "unlinkat",         OP_UNLINKAT,         1, 2, MOD_SQE, 0 },
	{ "mkdirat",            "mkdirat",          OP_MKDIRAT,          1, 2, MOD_SQE, 0 },
	{ "renameat",           "renameat",         OP_RENAMEAT,         2, 3, MOD_SQE, 0 },
	{ "symlinkat",          "symlinkat",        OP_SYMLINKAT,        2, 2, MOD_SQE, 0 },
	{ "linkat",             "linkat",           OP_LINKAT,           2, 2, MOD_SQE, 0 },
	{ "read",               "read",             OP_READ,             1, 1, MOD_FIXABLE, 0 },
	{ "write",              "write",            OP_WRITE,            1, 1, MOD_FIXABLE, 0 },
	{ "readn",              "read",             OP_READN,            2, 2, MOD_FIXABLE, 0 },
	{ "link_fail",          NULL,               OP_LINK_FAIL,        1, 1, MOD_NOSKIP, 0 },
	{ "overflow",           "openat",           OP_OVERFLOW,         1, 1, MOD_NOSKIP, 0 },
	{ "race",               "openat",           OP_RACE,             3, 3, MOD_NOSKIP, 0 },
	{ "race_connect",       "connect",          OP_RACE_CONNECT,     3, 3, MOD_NOSKIP, 0 },
	{ "race_sendmsg",       "sendmsg",          OP_RACE_SENDMSG,     1, 1, MOD_NOSKIP, 0 },
	{ "sleep",              NULL,               OP_SLEEP,            1, 1, 0, 0 },
	{ "openat_at",          "openat",           OP_OPENAT_AT,        2, 3, MOD_SQE, 0 },
	{ "statx",              "statx",            OP_STATX,            1, 1, MOD_SQE, 0 },
	{ "setxattr",           "setxattr",         OP_SETXATTR,         3, 3, MOD_SQE, 0 },
	{ "getxattr",           "getxattr",         OP_GETXATTR,         2, 2, MOD_SQE, 0 },
	{ "fsetxattr",          "fsetxattr",        OP_FSETXATTR,        3, 3, MOD_FIXABLE, 0 },
	{ "fgetxattr",          "fgetxattr",        OP_FGETXATTR,        2, 2, MOD_FIXABLE, 0 },
	{ "ftruncate",          "ftruncate",        OP_FTRUNCATE,        2, 2, MOD_FIXABLE, 0 },
	{ "fallocate",          "fallocate",        OP_FALLOCATE,        2, 2, MOD_FIXABLE, 0 },
	{ "fixed_fd_install",   "fixed_fd_install", OP_FIXED_FD_INSTALL, 1, 1, MOD_SQE, F },
	{ "socket",             "socket",           OP_SOCKET,           2, 2, MOD_SOCKET, 0 },
	{ "bind",               "bind",             OP_BIND,             2, 2, MOD_SQE, S },
	{ "bind_unix",          "bind",             OP_BIND_UNIX,        1, 1, MOD_SQE, S },
	{ "listen",             "listen",           OP_LISTEN,           1, 1, MOD_SQE, S },
	{ "sys_bind",           NULL,               OP_SYS_BIND,         2, 2, 0, S },
	{ "sys_bind_unix",      NULL,               OP_SYS_BIND_UNIX,    1, 1, 0, S },
	{ "sys_listen",         NULL,               OP_SYS_LISTEN,       1, 1, 0, S },
	{ "connect",            "connect",          OP_CONNECT,          2, 2, MOD_SQE, S | T },
	{ "connect_unix",       "connect",          OP_CONNECT_UNIX,     1, 1, MOD_SQE, S },
	{ "accept",             "accept",           OP_ACCEPT,           1, 1, MOD_SOCKET, S },
	{ "sendmsg_to",         "sendmsg",          OP_SENDMSG_TO,       2, 2, MOD_SQE, S | U },
	{ "sendmsg_zc_to",      "sendmsg_zc",       OP_SENDMSG_ZC_TO,    2, 2, MOD_NOSKIP, S | U },
	{ "send",               "send",             OP_SEND,             1, 1, MOD_SQE, S },
	{ "recv",               "recv",             OP_RECV,             1, 1, MOD_SQE, S },
	{ "shutdown",           "shutdown",         OP_SHUTDOWN,         1, 1, MOD_SQE, S },
	{ "sock_cmd",           "uring_cmd",        OP_SOCK_CMD,         1, 1, MOD_SQE, S },
	{ "udp_server",         NULL,               OP_UDP_SERVER,       2, 2, 0, 0 },
	{ "tcp_server",         NULL,               OP_TCP_SERVER,       2, 3, 0, 0 },
	{ "msg_ring_data",      "msg_ring",         OP_MSG_RING_DATA,    1, 1, MOD_NOSKIP, 0 },
	{ "msg_ring_fd",        "msg_ring",         OP_MSG_RING_FD,      2, 2, MOD_NOSKIP, F },
	{ "register_files",     NULL,               OP_REGISTER_FILES,   1, 1, 0, 0 },
	{ "register_buffers",   NULL,               OP_REGISTER_BUFFERS, 1, 1, 0, 0 },
	{ "unregister_buffers", NULL,               OP_UNREG_BUFFERS,    0, 0, 0, 0 },
};
#undef F
#undef S
#undef U
#undef T

#define MAX_ARGS 3

struct step {
	const char *text;		/* as given, for messages */
	char *copy;			/* the args point into it; kept reachable */
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
	int family, type;		/* socket: AF_*, SOCK_* */
	struct sockaddr_storage addr;	/* ADDR:PORT or a unix PATH */
	socklen_t addrlen;
	bool port_last;			/* PORT "last": a server step's port */
	struct msghdr msg;		/* sendmsg_to: read at issue, keep it alive */
	struct iovec iov;
};

static struct {
	bool sqpoll;
	unsigned int entries;		/* 0: not given */
	unsigned int cq;		/* 0: kernel default */
	bool do_setuid;
	uid_t uid;
	bool reg_pers;
	bool reg_ring_fd;
	bool restrict_ring;
	int sq_cpu;			/* -1: not given */
	const char *wait_file;
	unsigned int linger_ms; /* --linger-ms: alive this long after closing the ring */
	char *comm;
} opt = { .sq_cpu = -1 };

static struct io_uring ring;
static int personality = -1;
static uint64_t next_ud = 1;
static int last_fd = -1;		/* from the last step that made an fd */
static long long last_slot = -1;	/* from the last step that filled a slot */
static unsigned int batch_max;
static bool files_registered;		/* the ring has a fixed-file table */
static unsigned int cqe_flags;		/* flags of the CQE next_cqe() took */

/* The socket of the last socket step, which the socket steps work on. */
static struct {
	int fd;				/* descriptor, or slot if direct; -1: none */
	bool direct;
	int family;
	bool listening;			/* a listen step succeeded on it */
	struct sockaddr_storage bound;	/* bind's address: a slot has no */
	socklen_t boundlen;		/* getsockname(2) */
} sock = { .fd = -1 };

static int udp_port = -1;		/* of the last udp_server step */
static int tcp_port = -1;		/* of the last tcp_server step */

/* tcp_server: a plain listener in a thread of its own. */
struct tcp_server {
	pthread_t thread;
	int fd;
	const char *reply;
	size_t replylen;
	unsigned long long received;	/* read by main only after the join */
};

static struct tcp_server tcp_servers[TCP_SERVERS_MAX];
static int ntcp_servers;
static int servers_stop;		/* atomic: main is exiting */

static struct io_uring target_ring;	/* msg_ring steps' second ring */
static bool have_target;

/* register_buffers: kept reachable while registered. */
static struct iovec *reg_iov;

/*
 * Buffers handed to the kernel are static: with +skip a request may still
 * be in flight when its step has returned.
 */
static char io_buf[IO_SIZE] __attribute__((aligned(4096)));
static struct statx statx_buf;
static int sockopt_val;
static char payload[] = PAYLOAD;

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
"  --linger-ms N            after the steps, close the ring(s), print ring_closed=1\n"
"                           and stay alive N ms before exiting\n"
"  --comm NAME              prctl(PR_SET_NAME) first (NAME may be @hex:...)\n"
"  --restrict               IORING_SETUP_R_DISABLED, restrict the SQE ops to nop,\n"
"                           openat, close, read, write, files_update, then enable\n"
"  --sq-cpu N               with --sqpoll: IORING_SETUP_SQ_AFF on CPU N\n"
"steps: OP[:ARG[:ARG[:ARG]]][+MOD...]\n"
" files:\n"
"  nop[:N]  openat:PATH[:FLAGS]  openat2:PATH[:FLAGS]  openat_direct:PATH[:FLAGS]\n"
"  openat_at:DIR:NAME[:FLAGS]  close:FD|last  close_direct:SLOT|last\n"
"  unlinkat:PATH[:FLAGS]  mkdirat:PATH[:MODE]  renameat:OLD:NEW[:FLAGS]  symlinkat:TARGET:LINK\n"
"  linkat:OLD:NEW  statx:PATH  setxattr:PATH:NAME:VALUE  getxattr:PATH:NAME\n"
"  read:PATH  write:PATH  readn:PATH:N  fsetxattr:PATH:NAME:VALUE  fgetxattr:PATH:NAME\n"
"  ftruncate:PATH:LEN  fallocate:PATH:LEN  (these with +fixed: SLOT|last for PATH)\n"
"  fixed_fd_install:SLOT|last\n"
" sockets (ADDR: numeric IPv4/IPv6, an IPv6 one as @hex (::1 = @hex:3a3a31);\n"
"  unix PATH: a leading '@' names an abstract socket):\n"
"  socket:inet|inet6|unix:stream|dgram  then, on that socket: bind:ADDR:PORT\n"
"  bind_unix:PATH  listen:BACKLOG  connect:ADDR:PORT|last  connect_unix:PATH\n"
"  accept:N  send:TEXT  recv:N  shutdown:rd|wr|rdwr  sock_cmd:siocinq|siocoutq|getsockopt\n"
"  sendmsg_to:ADDR:PORT|last  sendmsg_zc_to:ADDR:PORT|last\n"
"  sys_bind:ADDR:PORT  sys_bind_unix:PATH  sys_listen:BACKLOG  (bind(2),\n"
"  listen(2): no request)\n"
"  udp_server:ADDR:PORT  tcp_server:ADDR:PORT[:REPLY]  (plain sockets; PORT 0: any;\n"
"  a later PORT \"last\": the last udp_server's for sendmsg*, tcp_server's for connect)\n"
" rings:\n"
"  msg_ring_data:VALUE  msg_ring_fd:SRC_SLOT|last:DST_SLOT  register_files:N\n"
"  register_buffers:N  unregister_buffers\n"
" other: link_fail:PATH  overflow:N  race:PATH_A:PATH_B:N  sleep:MS\n"
"  race_connect:PORT_A:PORT_B:N  (N UDP connects to 127.0.0.1, the port flipped\n"
"  between the two by another thread; each prints the socket's peer_port)\n"
"  race_sendmsg:N  (N UDP sendmsg to one of two receivers on 127.0.0.1, the\n"
"  msg_name's port flipped between them by another thread; each prints the\n"
"  port of the receiver that got the datagram: got_port)\n"
"mods: +async +skip +pers +persid=N +fixed +direct (socket, accept)\n"
"An argument \"@hex\" takes the next ':'-field as hex bytes: openat:@hex:2f746d70.\n"
"Paths holding ':' or '+' must be given that way. Numbers are C style (0x.., 0..).\n"
"\"last\" for a SLOT: the slot of the last openat_direct, socket+direct or\n"
"accept+direct; for an FD: of the last openat, openat2, openat_at, fixed_fd_install.\n",
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
		} else if (!strcmp(tok, "direct")) {
			mod = MOD_DIRECT;
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

struct keyword {
	const char *name;
	int value;
};

static const struct keyword families[] = {
	{ "inet", AF_INET }, { "inet6", AF_INET6 }, { "unix", AF_UNIX }, { NULL, 0 },
};
static const struct keyword sock_types[] = {
	{ "stream", SOCK_STREAM }, { "dgram", SOCK_DGRAM }, { NULL, 0 },
};
static const struct keyword shut_hows[] = {
	{ "rd", SHUT_RD }, { "wr", SHUT_WR }, { "rdwr", SHUT_RDWR }, { NULL, 0 },
};
static const struct keyword sock_cmds[] = {
	{ "siocinq", SOCKET_URING_OP_SIOCINQ },
	{ "siocoutq", SOCKET_URING_OP_SIOCOUTQ },
	{ "getsockopt", SOCKET_URING_OP_GETSOCKOPT },
	{ NULL, 0 },
};

static int step_keyword(const struct step *st, int i, const struct keyword *kw,
			const char *what)
{
	const struct keyword *k;

	for (k = kw; k->name; k++)
		if (!strcmp(st->arg[i], k->name))
			return k->value;
	fflush(stdout);
	fprintf(stderr, "%s: step '%s': %s must be one of:", progname,
		escaped(st->text), what);
	for (k = kw; k->name; k++)
		fprintf(stderr, " %s", k->name);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static void set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static int get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return -1;
}

/* ADDR:PORT at @i, @i + 1 into st->addr; PORT may be "last" if @last_ok. */
static void parse_inet(struct step *st, int i, bool last_ok)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&st->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&st->addr;

	if (inet_pton(AF_INET, st->arg[i], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		st->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, st->arg[i], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		st->addrlen = sizeof(*sin6);
	} else {
		step_error(st, "ADDR must be a numeric IPv4 or IPv6 address");
	}
	if (last_ok && !strcmp(st->arg[i + 1], "last"))
		st->port_last = true;
	else
		set_port(&st->addr,
			 (int)step_number(st, i + 1, 0, UINT16_MAX, "PORT"));
}

/* A unix socket PATH at @i; a leading '@' names an abstract socket. */
static void parse_unix(struct step *st, int i)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&st->addr;
	const char *path = st->arg[i];
	size_t len = st->arglen[i];

	sun->sun_family = AF_UNIX;
	if (len && path[0] == '@') {
		/* Abstract: a NUL, then the name's bytes, no terminator. */
		if (len > sizeof(sun->sun_path))
			step_error(st, "abstract PATH longer than %zu bytes",
				   sizeof(sun->sun_path) - 1);
		memcpy(sun->sun_path + 1, path + 1, len - 1);
		st->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
					  len);
		return;
	}
	if (!len || len >= sizeof(sun->sun_path) || strlen(path) != len)
		step_error(st, "PATH must have 1 to %zu bytes and no NUL",
			   sizeof(sun->sun_path) - 1);
	memcpy(sun->sun_path, path, len + 1);
	st->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				  len + 1);
}

/* +fixed: argument @i is SLOT|last instead of a PATH. */
static void parse_fixed_target(struct step *st, int i)
{
	if (st->mods & MOD_FIXED)
		step_number_or_last(st, i, 0, UINT_MAX - 1, "SLOT", &st->slot);
}

/* The arguments of the file, socket and ring steps added to the driver. */
static void parse_new_args(struct step *st)
{
	switch (st->desc->op) {
	case OP_OPENAT_AT:
		parse_open_flags(st, 2);
		break;
	case OP_FSETXATTR:
	case OP_FGETXATTR:
		parse_fixed_target(st, 0);
		break;
	case OP_FTRUNCATE:
	case OP_FALLOCATE:
		parse_fixed_target(st, 0);
		st->num = step_number(st, 1, 0, INT64_MAX, "LEN");
		break;
	case OP_FIXED_FD_INSTALL:
		step_number_or_last(st, 0, 0, UINT_MAX - 1, "SLOT", &st->slot);
		break;
	case OP_SOCKET:
		st->family = step_keyword(st, 0, families, "FAMILY");
		st->type = step_keyword(st, 1, sock_types, "TYPE");
		break;
	case OP_BIND:
	case OP_SYS_BIND:
	case OP_CONNECT:
	case OP_SENDMSG_TO:
	case OP_SENDMSG_ZC_TO:
	case OP_UDP_SERVER:
	case OP_TCP_SERVER:
		parse_inet(st, 0, st->desc->needs & (NEEDS_UDP | NEEDS_TCP));
		break;
	case OP_BIND_UNIX:
	case OP_SYS_BIND_UNIX:
	case OP_CONNECT_UNIX:
		parse_unix(st, 0);
		break;
	case OP_LISTEN:
	case OP_SYS_LISTEN:
		st->num = step_number(st, 0, 0, INT_MAX, "BACKLOG");
		break;
	case OP_ACCEPT:
		st->num = step_number(st, 0, 1, ACCEPT_MAX, "N");
		break;
	case OP_RECV:
		st->num = step_number(st, 0, 1, IO_SIZE, "N");
		break;
	case OP_SHUTDOWN:
		st->num = step_keyword(st, 0, shut_hows, "HOW");
		break;
	case OP_SOCK_CMD:
		st->num = step_keyword(st, 0, sock_cmds, "CMD");
		break;
	case OP_MSG_RING_DATA:
		st->num = step_number(st, 0, 0, INT_MAX, "VALUE");
		break;
	case OP_MSG_RING_FD:
		step_number_or_last(st, 0, 0, UINT_MAX - 1, "SRC_SLOT",
				    &st->slot);
		/* The kernel reads DST_SLOT + 1; ~0U would mean "allocate". */
		st->num = step_number(st, 1, 0, UINT_MAX - 2, "DST_SLOT");
		break;
	case OP_REGISTER_FILES:
		st->num = step_number(st, 0, 1, REG_FILES_MAX, "N");
		break;
	case OP_REGISTER_BUFFERS:
		st->num = step_number(st, 0, 1, REG_BUFFERS_MAX, "N");
		break;
	default:
		break;
	}
}

static void parse_step(struct step *st, const char *text)
{
	char *copy = strdup(text), *mods, *p, *tok;
	size_t i;

	if (!copy)
		fatal(EXIT_SETUP, "out of memory");
	memset(st, 0, sizeof(*st));
	st->text = text;
	st->copy = copy;
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
	case OP_RENAMEAT: /* FLAGS: RENAME_NOREPLACE 1, RENAME_EXCHANGE 2 */
		if (st->nargs > 2)
			st->flags = (unsigned int)step_number(st, 2, 0, UINT_MAX, "FLAGS");
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
	case OP_RACE_SENDMSG:
		st->num = step_number(st, 0, 1, MAX_COUNT, "N");
		break;
	case OP_RACE_CONNECT:
		/* PORT_A in mode, PORT_B in slot: the step has no file */
		st->mode = (unsigned int)step_number(st, 0, 1, UINT16_MAX, "PORT_A");
		st->slot = step_number(st, 1, 1, UINT16_MAX, "PORT_B");
		if (st->mode == st->slot)
			step_error(st, "PORT_A and PORT_B must differ");
		st->num = step_number(st, 2, 1, MAX_COUNT, "N");
		break;
	case OP_SLEEP:
		st->num = step_number(st, 0, 0, INT_MAX, "MS");
		break;
	case OP_SYMLINKAT:
	case OP_LINKAT:
	case OP_LINK_FAIL:
		break;
	default:
		parse_new_args(st);
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
 * Wait for the next CQE of ring @r; with a timeout (ms > 0) return false
 * when none came. The CQE is copied out (its flags to cqe_flags) and marked
 * seen at once.
 */
static bool ring_next_cqe(struct io_uring *r, long long ms, uint64_t *ud,
			  int *res)
{
	struct io_uring_cqe *cqe;
	int ret;

	for (;;) {
		if (ms > 0) {
			struct __kernel_timespec ts = {
				.tv_sec = ms / 1000,
				.tv_nsec = (ms % 1000) * 1000000LL,
			};

			ret = io_uring_wait_cqe_timeout(r, &cqe, &ts);
			if (ret == -ETIME)
				return false;
		} else {
			ret = io_uring_wait_cqe(r, &cqe);
		}
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			fatal(EXIT_SETUP, "waiting for a CQE: %s",
			      strerror(-ret));
		*ud = cqe->user_data;
		*res = cqe->res;
		cqe_flags = cqe->flags;
		io_uring_cqe_seen(r, cqe);
		return true;
	}
}

static bool next_cqe(long long ms, uint64_t *ud, int *res)
{
	return ring_next_cqe(&ring, ms, ud, res);
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

/* Which file a descriptor is, taken when it is (still) open. */
struct file_id {
	bool ok;
	dev_t dev;
	ino_t ino;
};

static struct file_id file_id_of(int fd)
{
	struct file_id id = { 0 };
	struct stat sb;

	if (!fstat(fd, &sb)) {
		id.ok = true;
		id.dev = sb.st_dev;
		id.ino = sb.st_ino;
	}
	return id;
}

/*
 * st_dev is in the user-space encoding; the kernel's s_dev is not. Print
 * both halves so that a test can compare with either.
 */
static void print_file_id(const struct file_id *id)
{
	if (!id->ok) {
		printf(" dev=? ino=?");
		return;
	}
	printf(" dev=%lu ino=%lu dev_major=%u dev_minor=%u",
	       (unsigned long)id->dev, (unsigned long)id->ino, major(id->dev),
	       minor(id->dev));
}

static void print_file(int fd)
{
	struct file_id id = file_id_of(fd);

	print_file_id(&id);
}

static unsigned int resolve_slot(const struct step *st)
{
	if (!st->last)
		return (unsigned int)st->slot;
	if (last_slot < 0)
		fatal(EXIT_SETUP, "step '%s': no slot left by an earlier step",
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
	struct file_id closed = { 0 };
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
		/* Which file it was: afterwards the number names nothing. */
		closed = file_id_of(fd);
		break;
	case OP_OPENAT_AT:
		/* Kept open: a test reads dfd from the daemon's record. */
		fd = open(st->arg[0], O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			fatal(EXIT_SETUP, "step '%s': open DIR: %s",
			      escaped(st->text), strerror(errno));
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
	case OP_OPENAT_AT:
		io_uring_prep_openat(sqe, fd, st->arg[1], (int)st->flags,
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
				       st->arg[1], st->flags);
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
	case OP_OPENAT_AT:
		printf(" dfd=%d", fd);
		/* fall through */
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
		print_file_id(&closed);
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

#define RACE_HOLD 64 /* spins the buffer stays whole between flips */

struct race {
	volatile char *buf;		/* the path the kernel reads */
	const char *a, *b;
	size_t *diff;			/* indexes where a and b differ */
	size_t ndiff;
	volatile int stop;
};

/* Keep the buffer whole for a moment (RACE_HOLD spins): flipping without a
 * pause leaves it torn nearly all the time, and on a loaded machine every
 * open could then fail, leaving nothing to compare. */
static void race_hold(struct race *r)
{
	unsigned int k;

	for (k = 0; k < RACE_HOLD && !__atomic_load_n(&r->stop, __ATOMIC_RELAXED); k++)
		__asm__ volatile("" ::: "memory");
}

static void *race_flipper(void *arg)
{
	struct race *r = arg;
	size_t i;

	/* volatile: stores the compiler would otherwise find dead. */
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < r->ndiff; i++)
			r->buf[r->diff[i]] = r->a[r->diff[i]];
		race_hold(r);
		for (i = 0; i < r->ndiff; i++)
			r->buf[r->diff[i]] = r->b[r->diff[i]];
		race_hold(r);
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

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;
		uint64_t ud = next_ud++;
		struct stat sf;
		const char *which = "?";
		int res;

		/* The first open sees PATH_A whole, so that there is always an
		 * opened file to compare; the flipping starts after it. */
		if (i == 1) {
			ret = pthread_create(&thr, NULL, race_flipper, &r);
			if (ret)
				fatal(EXIT_SETUP, "pthread_create: %s", strerror(ret));
		}
		sqe = get_sqe();

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
	if (n > 1)
		pthread_join(thr, NULL);
	printf("race count=%llu a=%llu b=%llu other=%llu failed=%llu\n", n,
	       cnt_a, cnt_b, cnt_other, failed);
	free((char *)r.buf);
	free(r.diff);
}

struct race_port {
	uint16_t *port;			/* sin_port of the address the kernel reads */
	uint16_t a, b;			/* network order */
	int stop;
	unsigned long flips;		/* rounds done: the thread runs */
};

static void *race_port_flipper(void *arg)
{
	struct race_port *r = arg;
	unsigned int k;

	/* one aligned 16-bit store each way: the port is never torn */
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		__atomic_store_n(r->port, r->a, __ATOMIC_RELAXED);
		for (k = 0; k < RACE_HOLD; k++)
			__asm__ volatile("" ::: "memory");
		__atomic_store_n(r->port, r->b, __ATOMIC_RELAXED);
		for (k = 0; k < RACE_HOLD; k++)
			__asm__ volatile("" ::: "memory");
		__atomic_add_fetch(&r->flips, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Until the flipping thread has flipped again: it runs as the next
 * request is submitted (on a busy machine it may otherwise sleep through
 * all of them, and every request sees one port). */
static void race_port_sync(struct race_port *r)
{
	unsigned long f = __atomic_load_n(&r->flips, __ATOMIC_RELAXED);

	while (__atomic_load_n(&r->flips, __ATOMIC_RELAXED) == f)
		sched_yield();
}

static void race_port_start(pthread_t *thr, struct race_port *r)
{
	int ret = pthread_create(thr, NULL, race_port_flipper, r);

	if (ret)
		fatal(EXIT_SETUP, "pthread_create: %s", strerror(ret));
}

/*
 * connect of a fresh UDP socket to 127.0.0.1 while another thread rewrites
 * the port in the sockaddr the SQE points at: the socket's peer
 * (getpeername) is the address the kernel copied, the truth a recorded
 * destination must agree with, or say it was read from user memory.
 */
static void run_race_connect(const struct step *st)
{
	unsigned long long n = (unsigned long long)st->num, i;
	unsigned long long cnt_a = 0, cnt_b = 0, failed = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct race_port r = { .port = &sin.sin_port };
	pthread_t thr;

	r.a = htons((uint16_t)st->mode);
	r.b = htons((uint16_t)st->slot);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = r.a;
	race_port_start(&thr, &r);
	for (i = 0; i < n; i++) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		struct io_uring_sqe *sqe;
		uint64_t ud = next_ud++;
		int fd, res;

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fatal(EXIT_SETUP, "socket: %s", strerror(errno));
		race_port_sync(&r);
		sqe = get_sqe();
		io_uring_prep_connect(sqe, fd, (struct sockaddr *)&sin, sizeof(sin));
		prep_common(sqe, st, ud, 0);
		submit();
		reap_one(st, ud, &res);
		print_req("connect", ud, true, res);
		if (res < 0 || getpeername(fd, (struct sockaddr *)&peer, &plen)) {
			failed++;
			printf("\n");
		} else {
			printf(" fd=%d peer_port=%u\n", fd, ntohs(peer.sin_port));
			if (peer.sin_port == r.a)
				cnt_a++;
			else
				cnt_b++;
		}
		close(fd);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(thr, NULL);
	printf("race_connect count=%llu a=%llu b=%llu failed=%llu\n", n, cnt_a, cnt_b, failed);
}

/* A UDP socket bound to 127.0.0.1 on a port of the kernel's choosing. */
static int udp_receiver(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		fatal(EXIT_SETUP, "socket: %s", strerror(errno));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len))
		fatal(EXIT_SETUP, "bind: %s", strerror(errno));
	*port = sin.sin_port;
	return fd;
}

/* Is the datagram carrying @ud queued on @fd? Others before it are dropped. */
static bool udp_got(int fd, uint64_t ud)
{
	uint64_t v;

	while (recv(fd, &v, sizeof(v), MSG_DONTWAIT) == (ssize_t)sizeof(v))
		if (v == ud)
			return true;
	return false;
}

/*
 * sendmsg of an unconnected UDP socket to 127.0.0.1 while another thread
 * flips the port of the msg_name between two bound receivers': the receiver
 * that got the datagram (loopback delivers it before sendmsg returns) is the
 * address the kernel used, the truth a recorded destination must agree with.
 */
static void run_race_sendmsg(const struct step *st)
{
	unsigned long long n = (unsigned long long)st->num, i;
	unsigned long long cnt_a = 0, cnt_b = 0, lost = 0, failed = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct race_port r = { .port = &sin.sin_port };
	uint16_t pa, pb;
	int ra = udp_receiver(&pa), rb = udp_receiver(&pb), fd;
	pthread_t thr;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fatal(EXIT_SETUP, "socket: %s", strerror(errno));
	r.a = pa;
	r.b = pb;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = r.a;
	race_port_start(&thr, &r);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;
		uint64_t ud = next_ud++;
		struct iovec iov = { .iov_base = &ud, .iov_len = sizeof(ud) };
		struct msghdr msg = { .msg_name = &sin, .msg_namelen = sizeof(sin),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		int res;

		race_port_sync(&r);
		sqe = get_sqe();
		io_uring_prep_sendmsg(sqe, fd, &msg, 0);
		prep_common(sqe, st, ud, 0);
		submit();
		reap_one(st, ud, &res);
		print_req("sendmsg", ud, true, res);
		if (res < 0) {
			failed++;
			printf("\n");
		} else if (udp_got(ra, ud)) {
			cnt_a++;
			printf(" got_port=%u\n", ntohs(pa));
		} else if (udp_got(rb, ud)) {
			cnt_b++;
			printf(" got_port=%u\n", ntohs(pb));
		} else {
			lost++;
			printf(" got_port=none\n");
		}
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(thr, NULL);
	printf("race_sendmsg count=%llu a=%llu b=%llu port_a=%u port_b=%u lost=%llu failed=%llu\n",
	       n, cnt_a, cnt_b, ntohs(pa), ntohs(pb), lost, failed);
	close(fd);
	close(ra);
	close(rb);
}

/*
 * Requests liburing 2.3 has no helper for, filled as Linux 6.18 reads them.
 * io_uring_prep_rw() zeroes every field but user_data, and the kernel's prep
 * functions refuse most fields that are not theirs.
 */

/* io_uring/net.c io_bind_prep(): addr, and addr2 is the address length. */
static void prep_bind(struct io_uring_sqe *sqe, int fd,
		      const struct sockaddr_storage *sa, socklen_t len)
{
	io_uring_prep_rw(IORING_OP_BIND, sqe, fd, sa, 0, len);
}

/* io_uring/net.c io_listen_prep(): len is the backlog. */
static void prep_listen(struct io_uring_sqe *sqe, int fd, int backlog)
{
	io_uring_prep_rw(IORING_OP_LISTEN, sqe, fd, NULL, (unsigned int)backlog,
			 0);
}

/* io_uring/truncate.c io_ftruncate_prep(): off is the length. */
static void prep_ftruncate(struct io_uring_sqe *sqe, int fd, long long len)
{
	io_uring_prep_rw(IORING_OP_FTRUNCATE, sqe, fd, NULL, 0, (__u64)len);
}

/*
 * io_uring/openclose.c io_install_fixed_fd_prep(): fd is the slot, with
 * IOSQE_FIXED_FILE (required); install_fd_flags, liburing 2.3's rw_flags,
 * stays 0: the new descriptor is O_CLOEXEC.
 */
static void prep_fixed_fd_install(struct io_uring_sqe *sqe, unsigned int slot)
{
	io_uring_prep_rw(IORING_OP_FIXED_FD_INSTALL, sqe, (int)slot, NULL, 0, 0);
}

/*
 * io_uring/msg_ring.c io_msg_ring_prep(): addr is the command, addr3 the
 * source slot, file_index the target slot + 1, off the user_data of the
 * target ring's CQE, len must be 0.
 */
static void prep_msg_ring_fd(struct io_uring_sqe *sqe, int ring_fd,
			     unsigned int src, unsigned int dst)
{
	io_uring_prep_rw(IORING_OP_MSG_RING, sqe, ring_fd,
			 (const void *)(uintptr_t)IORING_MSG_SEND_FD, 0,
			 MSG_RING_UD);
	sqe->addr3 = src;
	sqe->file_index = dst + 1;
}

/* Store @val into the 6.18 SQE field @field (see struct sqe_sockopt). */
#define SQE_PUT(sqe, field, val)                                            \
	do {                                                                \
		__typeof__(((struct sqe_sockopt *)0)->field) v_ = (val);    \
		memcpy((char *)(sqe) + offsetof(struct sqe_sockopt, field), \
		       &v_, sizeof(v_));                                    \
	} while (0)

/*
 * io_uring/uring_cmd.c io_uring_cmd_prep() reads cmd_op (and refuses a
 * nonzero __pad1); cmd_net.c io_uring_cmd_getsockopt() reads level,
 * optname, optval and optlen. SOL_SOCKET is the only level it takes.
 */
static void prep_sock_cmd(struct io_uring_sqe *sqe, int fd,
			  unsigned int cmd_op)
{
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	if (cmd_op != SOCKET_URING_OP_GETSOCKOPT)
		return;
	sockopt_val = 0;
	SQE_PUT(sqe, level, SOL_SOCKET);
	SQE_PUT(sqe, optname, SO_RCVBUF);
	SQE_PUT(sqe, optval, (uintptr_t)&sockopt_val);
	SQE_PUT(sqe, optlen, sizeof(sockopt_val));
}

/*
 * Finish @sqe as the next request of @st, submit and reap it, and print the
 * head of its req line. Returns false when +skip saw no CQE.
 */
static bool request(const struct step *st, struct io_uring_sqe *sqe,
		    unsigned int flags, int *res)
{
	uint64_t ud = next_ud++;
	bool have;

	*res = 0;
	prep_common(sqe, st, ud, flags);
	submit();
	have = reap_one(st, ud, res);
	print_req(st->desc->kname, ud, have, *res);
	return have;
}

/* The descriptor (or slot) a file step works on; -1 for the path ones. */
static int file_op_target(const struct step *st)
{
	switch (st->desc->op) {
	case OP_FSETXATTR:
	case OP_FGETXATTR:
		return io_target(st, O_RDWR);
	case OP_FTRUNCATE:
	case OP_FALLOCATE:
		return io_target(st, O_RDWR | O_CREAT);
	case OP_FIXED_FD_INSTALL:
		return (int)resolve_slot(st);
	default:
		return -1;
	}
}

static void prep_file_op(const struct step *st, struct io_uring_sqe *sqe,
			 int fd)
{
	unsigned int vlen = (unsigned int)st->arglen[2];

	switch (st->desc->op) {
	case OP_STATX:
		io_uring_prep_statx(sqe, AT_FDCWD, st->arg[0], 0,
				    STATX_BASIC_STATS, &statx_buf);
		break;
	case OP_SETXATTR:
		io_uring_prep_setxattr(sqe, st->arg[1], st->arg[2], st->arg[0],
				       0, vlen);
		break;
	case OP_GETXATTR:
		io_uring_prep_getxattr(sqe, st->arg[1], io_buf, st->arg[0],
				       IO_SIZE);
		break;
	case OP_FSETXATTR:
		io_uring_prep_fsetxattr(sqe, fd, st->arg[1], st->arg[2], 0, vlen);
		break;
	case OP_FGETXATTR:
		io_uring_prep_fgetxattr(sqe, fd, st->arg[1], io_buf, IO_SIZE);
		break;
	case OP_FTRUNCATE:
		prep_ftruncate(sqe, fd, st->num);
		break;
	case OP_FALLOCATE:
		io_uring_prep_fallocate(sqe, fd, 0, 0, (off_t)st->num);
		break;
	case OP_FIXED_FD_INSTALL:
		prep_fixed_fd_install(sqe, (unsigned int)fd);
		break;
	default:
		fatal(EXIT_SETUP, "internal error: %s is not a file step",
		      st->desc->step);
	}
}

/* statx, the xattr steps, ftruncate, fallocate, fixed_fd_install. */
static void run_file_op(struct step *st)
{
	enum op op = st->desc->op;
	bool install = op == OP_FIXED_FD_INSTALL;
	bool opened = !install && !(st->mods & MOD_FIXED);
	int fd = file_op_target(st), res;
	struct io_uring_sqe *sqe = get_sqe();
	bool ok;

	prep_file_op(st, sqe, fd);
	ok = request(st, sqe, install ? IOSQE_FIXED_FILE : 0, &res) &&
	     res >= 0;
	if (install) {
		printf(" slot=%d", fd);
		if (ok) {
			print_file(res);
			last_fd = res;
		}
	} else if (fd >= 0) {
		print_io_target(st, fd);
		if (opened)
			print_file(fd);
	}
	if (ok && op == OP_STATX)
		printf(" ino=%llu", (unsigned long long)statx_buf.stx_ino);
	if (ok && (op == OP_GETXATTR || op == OP_FGETXATTR))
		printf(" size=%d", res);
	printf("\n");
	if (fd >= 0 && opened)
		close(fd);
}

/* The port a socket descriptor is bound to; -1 if none or not inet. */
static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return get_port(&ss);
}

static void need_socket(const struct step *st)
{
	if (sock.fd < 0)
		fatal(EXIT_SETUP, "step '%s': no socket (the socket step failed)",
		      escaped(st->text));
}

/* A socket in a slot (socket+direct) is used as a fixed file. */
static unsigned int sock_flags(void)
{
	return sock.direct ? IOSQE_FIXED_FILE : 0;
}

static void print_sock(void)
{
	printf(sock.direct ? " slot=%d" : " fd=%d", sock.fd);
}

/* PORT "last": the port of the last server step of the kind. */
static void resolve_port(struct step *st)
{
	if (st->port_last)
		set_port(&st->addr,
			 st->desc->needs & NEEDS_TCP ? tcp_port : udp_port);
}

/* sendmsg_to, sendmsg_zc_to: PAYLOAD to st->addr. */
static void fill_msg(struct step *st)
{
	st->iov.iov_base = payload;
	st->iov.iov_len = sizeof(payload) - 1;
	memset(&st->msg, 0, sizeof(st->msg));
	st->msg.msg_name = &st->addr;
	st->msg.msg_namelen = st->addrlen;
	st->msg.msg_iov = &st->iov;
	st->msg.msg_iovlen = 1;
}

static void run_socket(struct step *st)
{
	struct io_uring_sqe *sqe = get_sqe();
	bool direct = st->mods & MOD_DIRECT;
	int res;

	if (direct)
		io_uring_prep_socket_direct_alloc(sqe, st->family, st->type, 0,
						  0);
	else
		io_uring_prep_socket(sqe, st->family, st->type, 0, 0);
	request(st, sqe, 0, &res);
	memset(&sock, 0, sizeof(sock));
	sock.fd = res < 0 ? -1 : res;
	sock.direct = direct;
	sock.family = st->family;
	if (res >= 0) {
		printf(direct ? " slot=%d" : " fd=%d", res);
		if (direct)
			last_slot = res;
	}
	printf("\n");
}

static void prep_sock_op(struct step *st, struct io_uring_sqe *sqe)
{
	const struct sockaddr *sa = (const struct sockaddr *)&st->addr;
	int fd = sock.fd;

	switch (st->desc->op) {
	case OP_BIND:
	case OP_BIND_UNIX:
		prep_bind(sqe, fd, &st->addr, st->addrlen);
		break;
	case OP_LISTEN:
		prep_listen(sqe, fd, (int)st->num);
		break;
	case OP_CONNECT:
	case OP_CONNECT_UNIX:
		io_uring_prep_connect(sqe, fd, sa, st->addrlen);
		break;
	case OP_SENDMSG_TO:
		fill_msg(st);
		io_uring_prep_sendmsg(sqe, fd, &st->msg, 0);
		break;
	case OP_SEND:
		io_uring_prep_send(sqe, fd, st->arg[0], st->arglen[0], 0);
		break;
	case OP_RECV:
		io_uring_prep_recv(sqe, fd, io_buf, (size_t)st->num, 0);
		break;
	case OP_SHUTDOWN:
		io_uring_prep_shutdown(sqe, fd, (int)st->num);
		break;
	case OP_SOCK_CMD:
		prep_sock_cmd(sqe, fd, (unsigned int)st->num);
		break;
	default:
		fatal(EXIT_SETUP, "internal error: %s is not a socket step",
		      st->desc->step);
	}
}

/* What a socket step knows after its request; @ok: it succeeded. */
static void print_sock_op(const struct step *st, bool ok, int res)
{
	int port;

	switch (st->desc->op) {
	case OP_BIND:
	case OP_BIND_UNIX:
	case OP_SYS_BIND:
	case OP_SYS_BIND_UNIX:
		if (!ok)
			break;
		sock.bound = st->addr;
		sock.boundlen = st->addrlen;
		/* A slot has no getsockname(2): only a PORT given is known. */
		port = sock.direct ? get_port(&st->addr) : local_port(sock.fd);
		if (port > 0 || (port == 0 && !sock.direct))
			printf(" port=%d", port);
		break;
	case OP_LISTEN:
	case OP_SYS_LISTEN:
		printf(" backlog=%lld", st->num);
		if (ok)
			sock.listening = true;
		break;
	case OP_CONNECT:
		if (ok && !sock.direct && (port = local_port(sock.fd)) >= 0)
			printf(" lport=%d", port);
		break;
	case OP_RECV:
		if (ok)
			printf(" bytes=%d", res);
		break;
	case OP_SOCK_CMD:
		printf(" cmd_op=%lld", st->num);
		if (ok && st->num == SOCKET_URING_OP_GETSOCKOPT)
			printf(" level=%d optname=%d value=%d", SOL_SOCKET,
			       SO_RCVBUF, sockopt_val);
		break;
	default:
		break;
	}
}

/* The steps that are one request on the last socket. */
static void run_sock_op(struct step *st)
{
	struct io_uring_sqe *sqe;
	bool have;
	int res;

	need_socket(st);
	resolve_port(st);
	sqe = get_sqe();
	prep_sock_op(st, sqe);
	have = request(st, sqe, sock_flags(), &res);
	print_sock();
	print_sock_op(st, have && res >= 0, res);
	printf("\n");
}

/*
 * sys_bind, sys_listen: bind(2) and listen(2) on the last socket, for kernels
 * without IORING_OP_BIND and IORING_OP_LISTEN (Linux 6.11), so that the
 * requests after them (accept) are still driven through io_uring there.
 */
static void run_sys_sock(struct step *st)
{
	bool is_bind = st->desc->op == OP_SYS_BIND || st->desc->op == OP_SYS_BIND_UNIX;
	int res;

	need_socket(st);
	if (sock.direct)
		fatal(EXIT_SETUP, "step '%s': a socket in a slot has no descriptor for %s(2)",
		      escaped(st->text), is_bind ? "bind" : "listen");
	if (is_bind)
		res = bind(sock.fd, (const struct sockaddr *)&st->addr, st->addrlen);
	else
		res = listen(sock.fd, (int)st->num);
	if (res)
		res = -errno;
	printf("sys op=%s res=%d", is_bind ? "bind" : "listen", res);
	print_sock();
	print_sock_op(st, res == 0, res);
	printf("\n");
}

/*
 * sendmsg_zc posts the result with IORING_CQE_F_MORE, then, under the same
 * user_data, the notification that the kernel is done with the buffer.
 */
static void run_sendmsg_zc(struct step *st)
{
	struct io_uring_sqe *sqe;
	uint64_t ud;
	int res;

	need_socket(st);
	resolve_port(st);
	fill_msg(st);
	sqe = get_sqe();
	ud = next_ud++;
	io_uring_prep_sendmsg_zc(sqe, sock.fd, &st->msg, 0);
	prep_common(sqe, st, ud, sock_flags());
	submit();
	reap_one(st, ud, &res);
	print_req(st->desc->kname, ud, true, res);
	print_sock();
	printf("\n");
	if (!(cqe_flags & IORING_CQE_F_MORE))
		return;
	reap_one(st, ud, &res);
	print_req(st->desc->kname, ud, true, res);
	printf(" notif=%d\n", !!(cqe_flags & IORING_CQE_F_NOTIF));
}

static void set_timeout(int fd, int which, long long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, which, &tv, sizeof(tv));
}

/* accept's clients, connected one after the other by a thread. */
struct clients {
	struct sockaddr_storage addr;	/* the listener's */
	socklen_t addrlen;
	int n;
	int *fds, *ports;		/* per client, in the order connected */
};

static void *clients_main(void *arg)
{
	struct clients *c = arg;
	int i;

	for (i = 0; i < c->n; i++) {
		int fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
				0);

		c->fds[i] = fd;
		c->ports[i] = -1;
		if (fd < 0)
			continue;
		/* Bounds connect(2) when the accept queue is full. */
		set_timeout(fd, SO_SNDTIMEO, CLIENT_TIMEOUT_MS);
		if (!connect(fd, (struct sockaddr *)&c->addr, c->addrlen))
			c->ports[i] = local_port(fd);
	}
	return NULL;
}

/* The address the clients connect to: the last socket, listening. */
static void listener_addr(const struct step *st, struct clients *c)
{
	if (!sock.listening)
		fatal(EXIT_SETUP, "step '%s': the last socket is not listening",
		      escaped(st->text));
	if (sock.direct) {
		/* A slot has no getsockname(2): the address is bind's. */
		if (!sock.boundlen || !get_port(&sock.bound))
			fatal(EXIT_SETUP, "step '%s': bind the +direct listener to a PORT",
			      escaped(st->text));
		c->addr = sock.bound;
		c->addrlen = sock.boundlen;
		return;
	}
	c->addrlen = sizeof(c->addr);
	if (getsockname(sock.fd, (struct sockaddr *)&c->addr, &c->addrlen))
		fatal(EXIT_SETUP, "step '%s': getsockname: %s",
		      escaped(st->text), strerror(errno));
}

/*
 * Reap accept @ud's CQEs, up to @n connections into @res; returns how many.
 * *armed: the request still posts (no CQE without IORING_CQE_F_MORE yet);
 * *fail: the error a failing CQE ended it with, else 0.
 */
static int reap_accepts(uint64_t ud, int n, int *res, bool *armed, int *fail)
{
	uint64_t got;
	int r, k = 0;

	*armed = true;
	*fail = 0;
	while (*armed && k < n && next_cqe(ACCEPT_WAIT_MS, &got, &r)) {
		if (got != ud) {
			print_stray(got, r);
			continue;
		}
		*armed = cqe_flags & IORING_CQE_F_MORE;
		if (r < 0)
			*fail = r;
		else
			res[k++] = r;
	}
	return k;
}

static void print_peer(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[INET6_ADDRSTRLEN];
	const void *a;

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return;
	if (inet_ntop(ss.ss_family, a, buf, sizeof(buf)))
		printf(" peer_port=%d peer_addr=%s", get_port(&ss), buf);
}

/* The accepted connection @k (1-based): fd or slot @res. */
static void print_accept(const struct step *st, uint64_t ud, int k, int res,
			 int client_port)
{
	print_req(st->desc->kname, ud, true, res);
	printf(" cqe=%d", k);
	if (st->mods & MOD_DIRECT) {
		printf(" slot=%d", res);
		if (client_port >= 0)
			printf(" client_port=%d", client_port);
		last_slot = res;
	} else {
		print_peer(res);
	}
	printf("\n");
}

/*
 * Cancel request @target (a multishot accept still armed, or one that saw
 * no client) and reap both the cancel's CQE and the target's last one.
 */
static void cancel_request(const struct step *st, uint64_t target)
{
	struct io_uring_sqe *sqe = get_sqe();
	uint64_t ud = next_ud++, got;
	bool cancel_seen = false, final_seen = false;
	int res;

	io_uring_prep_cancel64(sqe, target, 0);
	io_uring_sqe_set_data64(sqe, ud);
	submit();
	while ((!cancel_seen || !final_seen) &&
	       next_cqe(STRAY_PEEK_MS, &got, &res)) {
		if (got == ud) {
			cancel_seen = true;
			print_req("async_cancel", ud, true, res);
			printf(" target_user_data=%" PRIu64 "\n", target);
		} else if (got == target && !(cqe_flags & IORING_CQE_F_MORE)) {
			final_seen = true;
			print_req(st->desc->kname, target, true, res);
			printf(" final=1\n");
		} else {
			print_stray(got, res);
		}
	}
}

/*
 * accept:N: a thread connects N clients to the listening last socket; one
 * accept request (multishot when N > 1) takes them.
 */
static void run_accept(struct step *st)
{
	struct clients c = { 0 };
	int n = (int)st->num, *res = xmalloc(sizeof(int) * (size_t)n);
	struct io_uring_sqe *sqe;
	int i, got, fail, ret;
	pthread_t thr;
	uint64_t ud;
	bool armed;

	need_socket(st);
	listener_addr(st, &c);
	c.n = n;
	c.fds = xmalloc(sizeof(int) * (size_t)n);
	c.ports = xmalloc(sizeof(int) * (size_t)n);
	ret = pthread_create(&thr, NULL, clients_main, &c);
	if (ret)
		fatal(EXIT_SETUP, "pthread_create: %s", strerror(ret));

	sqe = get_sqe();
	ud = next_ud++;
	if (n == 1)
		io_uring_prep_accept(sqe, sock.fd, NULL, NULL, 0);
	else
		io_uring_prep_multishot_accept(sqe, sock.fd, NULL, NULL, 0);
	/* Not the _direct helpers: see openat_direct. */
	if (st->mods & MOD_DIRECT)
		sqe->file_index = IORING_FILE_INDEX_ALLOC;
	prep_common(sqe, st, ud, sock_flags());
	submit();
	got = reap_accepts(ud, n, res, &armed, &fail);
	pthread_join(thr, NULL);

	for (i = 0; i < got; i++)
		print_accept(st, ud, i + 1, res[i], c.ports[i]);
	if (fail) {
		print_req(st->desc->kname, ud, true, fail);
		printf(n > 1 ? " final=1\n" : "\n");
	}
	if (armed)
		cancel_request(st, ud);
	for (i = 0; i < n; i++)
		if (c.fds[i] >= 0)
			close(c.fds[i]);
	free(c.fds);
	free(c.ports);
	free(res);
}

/* A plain socket of @type bound to the step's ADDR:PORT. */
static int plain_socket(const struct step *st, int type)
{
	int fd = socket(st->addr.ss_family, type | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		fatal(EXIT_SETUP, "step '%s': socket: %s", escaped(st->text),
		      strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&st->addr, st->addrlen))
		fatal(EXIT_SETUP, "step '%s': bind: %s", escaped(st->text),
		      strerror(errno));
	return fd;
}

/* The descriptor stays open until exit: sendmsg_to needs a receiver. */
static void run_udp_server(const struct step *st)
{
	int fd = plain_socket(st, SOCK_DGRAM);

	udp_port = local_port(fd);
	printf("udp_server port=%d\n", udp_port);
}

/* Keep waiting after a timed out or interrupted call, unless exiting. */
static bool server_wait(void)
{
	return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) &&
	       !__atomic_load_n(&servers_stop, __ATOMIC_RELAXED);
}

/*
 * One connection: send the reply, count what comes until EOF. It prints
 * nothing (its lines would race the main thread's): main prints the count
 * at exit. Socket timeouts let it notice that main is exiting; reads drain
 * what is queued before they time out.
 */
static void *tcp_server_main(void *arg)
{
	struct tcp_server *srv = arg;
	char buf[IO_SIZE];
	ssize_t n;
	int c;

	while ((c = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		if (!server_wait())
			return NULL;
	set_timeout(c, SO_RCVTIMEO, SERVER_POLL_MS);
	/* Should the client be gone already, what it sent still counts. */
	send(c, srv->reply, srv->replylen, MSG_NOSIGNAL);
	for (;;) {
		n = read(c, buf, sizeof(buf));
		if (n > 0)
			srv->received += (unsigned long long)n;
		else if (!n || !server_wait())
			break;
	}
	close(c);
	return NULL;
}

static void run_tcp_server(const struct step *st)
{
	struct tcp_server *srv = &tcp_servers[ntcp_servers++];
	int ret;

	srv->fd = plain_socket(st, SOCK_STREAM);
	if (listen(srv->fd, 1))
		fatal(EXIT_SETUP, "step '%s': listen: %s", escaped(st->text),
		      strerror(errno));
	set_timeout(srv->fd, SO_RCVTIMEO, SERVER_POLL_MS);
	srv->reply = st->nargs > 2 ? st->arg[2] : DEFAULT_REPLY;
	srv->replylen = st->nargs > 2 ? st->arglen[2] : strlen(DEFAULT_REPLY);
	tcp_port = local_port(srv->fd);
	printf("tcp_server port=%d\n", tcp_port);
	ret = pthread_create(&srv->thread, NULL, tcp_server_main, srv);
	if (ret)
		fatal(EXIT_SETUP, "pthread_create: %s", strerror(ret));
}

static void stop_tcp_servers(void)
{
	int i;

	__atomic_store_n(&servers_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < ntcp_servers; i++) {
		pthread_join(tcp_servers[i].thread, NULL);
		close(tcp_servers[i].fd);
		printf("tcp_server received=%llu\n", tcp_servers[i].received);
	}
}

/* The msg_ring steps' second ring, made at the first, with a file table. */
static int target_ring_fd(void)
{
	int ret;

	if (have_target)
		return target_ring.ring_fd;
	ret = io_uring_queue_init(TARGET_ENTRIES, &target_ring, 0);
	if (ret < 0)
		fatal(EXIT_SETUP, "io_uring_queue_init (target ring): %s",
		      strerror(-ret));
	ret = io_uring_register_files_sparse(&target_ring, SPARSE_FILES);
	if (ret < 0)
		fatal(EXIT_SETUP, "io_uring_register_files_sparse (target ring): %s",
		      strerror(-ret));
	have_target = true;
	printf("target_ring fd=%d\n", target_ring.ring_fd);
	return target_ring.ring_fd;
}

static void run_msg_ring(struct step *st)
{
	bool data = st->desc->op == OP_MSG_RING_DATA;
	int tfd = target_ring_fd(), res, tres;
	struct io_uring_sqe *sqe = get_sqe();
	uint64_t tud;

	if (data)
		io_uring_prep_msg_ring(sqe, tfd, (unsigned int)st->num,
				       MSG_RING_UD, 0);
	else
		prep_msg_ring_fd(sqe, tfd, resolve_slot(st),
				 (unsigned int)st->num);
	request(st, sqe, 0, &res);
	if (!data)
		printf(" src_slot=%u dst_slot=%lld", resolve_slot(st), st->num);
	printf("\n");
	/* A failed message posts nothing there. */
	if (res >= 0 && ring_next_cqe(&target_ring, STRAY_PEEK_MS, &tud, &tres))
		printf("target_cqe user_data=%" PRIu64 " res=%d\n", tud, tres);
}

/* N copies of /dev/null, replacing any table the ring has. */
static void register_files(unsigned int n)
{
	int *fds = xmalloc(sizeof(int) * n), fd, ret;
	unsigned int i;

	if (files_registered) {
		ret = io_uring_unregister_files(&ring);
		printf("register op=unregister_files res=%d\n", ret);
		files_registered = ret < 0;
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fatal(EXIT_SETUP, "open /dev/null: %s", strerror(errno));
	for (i = 0; i < n; i++)
		fds[i] = fd;
	ret = io_uring_register_files(&ring, fds, n);
	printf("register op=files nr=%u res=%d\n", n, ret);
	if (!ret)
		files_registered = true;
	close(fd);
	free(fds);
}

/* N buffers of IO_SIZE bytes, one block; kept until unregistered. */
static void register_buffers(unsigned int n)
{
	struct iovec *iov = xmalloc(sizeof(*iov) * n);
	unsigned int i;
	void *block;
	int ret;

	if (posix_memalign(&block, IO_SIZE, (size_t)IO_SIZE * n))
		fatal(EXIT_SETUP, "out of memory");
	memset(block, 0, (size_t)IO_SIZE * n);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = (char *)block + (size_t)IO_SIZE * i;
		iov[i].iov_len = IO_SIZE;
	}
	ret = io_uring_register_buffers(&ring, iov, n);
	printf("register op=buffers nr=%u res=%d\n", n, ret);
	if (ret) {
		free(block);
		free(iov);
		return;
	}
	if (reg_iov) {
		free(reg_iov[0].iov_base);
		free(reg_iov);
	}
	reg_iov = iov;
}

static void run_register(const struct step *st)
{
	int ret;

	switch (st->desc->op) {
	case OP_REGISTER_FILES:
		register_files((unsigned int)st->num);
		break;
	case OP_REGISTER_BUFFERS:
		register_buffers((unsigned int)st->num);
		break;
	default:
		ret = io_uring_unregister_buffers(&ring);
		printf("register op=unregister_buffers res=%d\n", ret);
		if (!ret && reg_iov) {
			free(reg_iov[0].iov_base);
			free(reg_iov);
			reg_iov = NULL;
		}
		break;
	}
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
	case OP_RACE_CONNECT:
		run_race_connect(st);
		break;
	case OP_RACE_SENDMSG:
		run_race_sendmsg(st);
		break;
	case OP_SLEEP:
		sleep_ms(st->num);
		break;
	case OP_STATX:
	case OP_SETXATTR:
	case OP_GETXATTR:
	case OP_FSETXATTR:
	case OP_FGETXATTR:
	case OP_FTRUNCATE:
	case OP_FALLOCATE:
	case OP_FIXED_FD_INSTALL:
		run_file_op(st);
		break;
	case OP_SOCKET:
		run_socket(st);
		break;
	case OP_BIND:
	case OP_BIND_UNIX:
	case OP_LISTEN:
	case OP_CONNECT:
	case OP_CONNECT_UNIX:
	case OP_SENDMSG_TO:
	case OP_SEND:
	case OP_RECV:
	case OP_SHUTDOWN:
	case OP_SOCK_CMD:
		run_sock_op(st);
		break;
	case OP_SYS_BIND:
	case OP_SYS_BIND_UNIX:
	case OP_SYS_LISTEN:
		run_sys_sock(st);
		break;
	case OP_ACCEPT:
		run_accept(st);
		break;
	case OP_SENDMSG_ZC_TO:
		run_sendmsg_zc(st);
		break;
	case OP_UDP_SERVER:
		run_udp_server(st);
		break;
	case OP_TCP_SERVER:
		run_tcp_server(st);
		break;
	case OP_MSG_RING_DATA:
	case OP_MSG_RING_FD:
		run_msg_ring(st);
		break;
	case OP_REGISTER_FILES:
	case OP_REGISTER_BUFFERS:
	case OP_UNREG_BUFFERS:
		run_register(st);
		break;
	default:
		run_single(st);
		break;
	}
}

/*
 * --restrict: the SQE ops of the plain file steps only, every flag the
 * driver sets, and every io_uring_register(2) op it (or liburing) uses, so
 * that the rest of the driver still works.
 */
static void restrict_ring(void)
{
	static const __u8 sqe_ops[] = {
		IORING_OP_NOP, IORING_OP_OPENAT, IORING_OP_CLOSE, IORING_OP_READ,
		IORING_OP_WRITE, IORING_OP_FILES_UPDATE,
	};
	static const __u8 reg_ops[] = {
		IORING_REGISTER_BUFFERS, IORING_UNREGISTER_BUFFERS,
		IORING_REGISTER_FILES, IORING_UNREGISTER_FILES,
		IORING_REGISTER_FILES_UPDATE, IORING_REGISTER_PERSONALITY,
		IORING_REGISTER_ENABLE_RINGS, IORING_REGISTER_FILES2,
		IORING_REGISTER_FILES_UPDATE2, IORING_REGISTER_RING_FDS,
		IORING_UNREGISTER_RING_FDS,
	};
	struct io_uring_restriction res[ARRAY_SIZE(sqe_ops) +
					ARRAY_SIZE(reg_ops) + 1];
	unsigned int n = 0, i;
	int ret;

	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(sqe_ops); i++) {
		res[n].opcode = IORING_RESTRICTION_SQE_OP;
		res[n++].sqe_op = sqe_ops[i];
	}
	for (i = 0; i < ARRAY_SIZE(reg_ops); i++) {
		res[n].opcode = IORING_RESTRICTION_REGISTER_OP;
		res[n++].register_op = reg_ops[i];
	}
	res[n].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[n++].sqe_flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_ASYNC |
			     IOSQE_CQE_SKIP_SUCCESS;
	/*
	 * Debian's liburing 2.3 does not export io_uring_register_restrictions
	 * and io_uring_enable_rings; its io_uring_register() returns -errno.
	 */
	ret = io_uring_register((unsigned int)ring.ring_fd,
				IORING_REGISTER_RESTRICTIONS, res, n);
	printf("restrict res=%d nr=%u\n", ret, n);
	if (ret < 0)
		fatal(EXIT_SETUP, "IORING_REGISTER_RESTRICTIONS: %s",
		      strerror(-ret));
	ret = io_uring_register((unsigned int)ring.ring_fd,
				IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	if (ret < 0)
		fatal(EXIT_SETUP, "IORING_REGISTER_ENABLE_RINGS: %s",
		      strerror(-ret));
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
	if (opt.sq_cpu >= 0) {
		p.flags |= IORING_SETUP_SQ_AFF;
		p.sq_thread_cpu = (unsigned int)opt.sq_cpu;
	}
	if (opt.restrict_ring)
		p.flags |= IORING_SETUP_R_DISABLED;
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
	if (opt.restrict_ring)
		restrict_ring();

	/*
	 * liburing 2.3 registers through the real ring fd, so everything
	 * that needs io_uring_register() happens before it may be closed.
	 */
	if (need_files) {
		ret = io_uring_register_files_sparse(&ring, SPARSE_FILES);
		if (ret < 0)
			fatal(EXIT_SETUP, "io_uring_register_files_sparse: %s",
			      strerror(-ret));
		files_registered = true;
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
		} else if (!strcmp(o, "--restrict")) {
			opt.restrict_ring = true;
		} else if (!strcmp(o, "--sq-cpu")) {
			opt.sq_cpu = (int)parse_uint_opt(o, v, 0, INT_MAX);
			i++;
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
		} else if (!strcmp(o, "--linger-ms")) {
			opt.linger_ms = parse_uint_opt(o, v, 0, 3600000);
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
	if (opt.sq_cpu >= 0 && !opt.sqpoll)
		fatal(EXIT_USAGE, "--sq-cpu needs --sqpoll");
	return i;
}

/* What earlier steps provide, for the checks of check_order(). */
struct seen {
	bool fd, slot, socket, udp, tcp;
	int tcp_servers;
};

static bool makes_slot(const struct step *st)
{
	return st->desc->op == OP_OPENAT_DIRECT ||
	       ((st->desc->op == OP_SOCKET || st->desc->op == OP_ACCEPT) &&
		(st->mods & MOD_DIRECT));
}

/* A step may only refer to what an earlier step makes. */
static void check_order(const struct step *st, struct seen *s)
{
	enum op op = st->desc->op;
	unsigned int needs = st->desc->needs;

	if (st->last && op == OP_CLOSE && !s->fd)
		step_error(st, "'last' needs a step that opens an fd before");
	if (st->last && op != OP_CLOSE && !s->slot)
		step_error(st, "'last' needs a step that fills a slot before");
	if ((needs & NEEDS_SOCKET) && !s->socket)
		step_error(st, "needs a socket step before");
	if (st->port_last && (needs & NEEDS_UDP) && !s->udp)
		step_error(st, "PORT 'last' needs a udp_server step before");
	if (st->port_last && (needs & NEEDS_TCP) && !s->tcp)
		step_error(st, "PORT 'last' needs a tcp_server step before");
	if (op == OP_TCP_SERVER && ++s->tcp_servers > TCP_SERVERS_MAX)
		step_error(st, "at most %d tcp_server steps", TCP_SERVERS_MAX);

	if (op == OP_OPENAT || op == OP_OPENAT2 || op == OP_OPENAT_AT ||
	    op == OP_FIXED_FD_INSTALL)
		s->fd = true;
	if (makes_slot(st))
		s->slot = true;
	if (op == OP_SOCKET)
		s->socket = true;
	if (op == OP_UDP_SERVER)
		s->udp = true;
	if (op == OP_TCP_SERVER)
		s->tcp = true;
}

int main(int argc, char **argv)
{
	static struct step *steps; /* static: reachable until exit, no leak report */
	bool need_files = false, need_overflow = false;
	struct seen seen = { 0 };
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
		check_order(st, &seen);
		if ((st->desc->needs & NEEDS_FILES) ||
		    (st->mods & (MOD_FIXED | MOD_DIRECT)))
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
	if (have_target)
		io_uring_queue_exit(&target_ring);
	if (opt.linger_ms) {
		struct timespec ts = { opt.linger_ms / 1000, (long)(opt.linger_ms % 1000) * 1000000 };

		printf("ring_closed=1\n");
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	stop_tcp_servers();
	return 0;
}
