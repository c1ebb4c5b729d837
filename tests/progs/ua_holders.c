// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test program for t_holders.sh (issue 10 item 8): a SQPOLL ring made by root
 * and driven by a uid-65534 process that inherited it.
 *
 *   ua_holders run RELEASE_FILE
 *
 * As root: sets up a "lone" SQPOLL ring that nobody else gets, and a
 * "shared" SQPOLL ring whose fd (close-on-exec cleared) a child inherits;
 * the child drops to uid/gid 65534 and execs this program again ("drive"),
 * which maps the shared ring from the inherited fd, registers it as a ring
 * fd, and writes an openat of /etc/shadow into the SQ ring without any
 * system call (the SQ thread, idle 30 s, picks it up, and opens the file
 * with root's credentials). Then the parent opens
 * /etc/hostname through the lone ring the same way. Both wait for their CQE
 * by reading the CQ ring, then hold everything until RELEASE_FILE exists
 * (60 s at most), so that the daemon can list them.
 *
 * Prints one line: parent= child= shared_fd= lone_fd= shadow_res= hostname_res=
 * Exit 0, or 1 with a message when a step fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IDLE_MS 30000
#define WAIT_MS 20000
#define HOLD_MS 60000

static void die(const char *what, int err)
{
	fprintf(stderr, "ua_holders: %s: %s\n", what, strerror(err));
	exit(1);
}

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Submit one openat of @path through the SQ ring only (the SQ thread is
 * awake: no io_uring_enter), and read its CQE from the CQ ring. The SQ
 * thread reads the name in its own process's memory: @path_at is where
 * that process sees it. */
static int open_via_sq(struct io_uring *ring, const char *path, unsigned long path_at)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int i, res;

	if (!sqe)
		die("no SQE", EBUSY);
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	sqe->addr = path_at;
	sqe->user_data = 0x5109;
	/* liburing enters only when the SQ thread sleeps (IORING_SQ_NEED_WAKEUP);
	 * with a 30 s idle it does not. */
	if (io_uring_submit(ring) < 0)
		die("submit", EIO);
	for (i = 0; i < WAIT_MS / 2; i++) {
		if (io_uring_peek_cqe(ring, &cqe) == 0) {
			res = cqe->res;
			io_uring_cqe_seen(ring, cqe);
			return res;
		}
		nap();
	}
	die("no CQE", ETIMEDOUT);
	return -1;
}

static void hold(const char *release)
{
	int i;

	for (i = 0; i < HOLD_MS / 2 && access(release, F_OK) != 0; i++)
		nap();
}

static struct io_uring_params sqpoll_params(void)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = IDLE_MS;
	return p;
}

/*
 * The child, after exec as uid 65534:
 *   argv = drive FD PARAMS_HEX RELEASE STATUS_FD PARENT_SQES
 * Its own memory means nothing to the SQ thread, which runs in the parent's
 * address space; the SQE array is mapped in both, so the name goes into its
 * last (unused) slot and the SQE points at that slot as the parent maps it.
 */
static int drive(char **argv)
{
	static const char shadow[] = "/etc/shadow";
	struct io_uring_params p;
	struct io_uring ring;
	int fd = atoi(argv[2]), sfd = atoi(argv[5]);
	unsigned long parent_sqes = strtoul(argv[6], NULL, 0), last;
	const char *hex = argv[3];
	unsigned char *b = (unsigned char *)&p;
	size_t i;
	int rc, res;

	if (strlen(hex) != 2 * sizeof(p))
		die("params", EINVAL);
	for (i = 0; i < sizeof(p); i++)
		sscanf(hex + 2 * i, "%2hhx", &b[i]);
	rc = io_uring_queue_mmap(fd, &p, &ring);
	if (rc)
		die("mmap the inherited ring", -rc);
	rc = io_uring_register_ring_fd(&ring);
	if (rc != 1)
		die("register the ring fd", rc < 0 ? -rc : EIO);
	last = ring.sq.ring_entries - 1;
	memcpy(&ring.sq.sqes[last], shadow, sizeof(shadow));
	res = open_via_sq(&ring, shadow, parent_sqes + last * sizeof(struct io_uring_sqe));
	dprintf(sfd, "%d\n", res);
	close(sfd);
	hold(argv[4]);
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring shared, lone;
	struct io_uring_params ps = sqpoll_params(), pl = sqpoll_params();
	char self[4096], hex[2 * sizeof(ps) + 1], fdbuf[16], sfdbuf[16], sqesbuf[32],
		resbuf[32] = "";
	int st[2], rc, status, hostname_res;
	pid_t child;
	size_t i;
	ssize_t n;

	if (argc == 7 && strcmp(argv[1], "drive") == 0)
		return drive(argv);
	if (argc != 3 || strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "usage: ua_holders run RELEASE_FILE\n");
		return 2;
	}
	rc = io_uring_queue_init_params(4, &lone, &pl);
	if (rc)
		die("lone SQPOLL ring", -rc);
	rc = io_uring_queue_init_params(4, &shared, &ps);
	if (rc)
		die("shared SQPOLL ring", -rc);
	if (fcntl(shared.ring_fd, F_SETFD, 0))
		die("clear close-on-exec", errno);
	for (i = 0; i < sizeof(ps); i++)
		sprintf(hex + 2 * i, "%02x", ((unsigned char *)&ps)[i]);
	if (pipe(st))
		die("pipe", errno);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		die("readlink /proc/self/exe", errno);
	self[n] = '\0';
	child = fork();
	if (child < 0)
		die("fork", errno);
	if (child == 0) {
		close(st[0]);
		snprintf(fdbuf, sizeof(fdbuf), "%d", shared.ring_fd);
		snprintf(sfdbuf, sizeof(sfdbuf), "%d", st[1]);
		snprintf(sqesbuf, sizeof(sqesbuf), "%#lx", (unsigned long)shared.sq.sqes);
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			die("drop to 65534", errno);
		execl(self, "ua_holders", "drive", fdbuf, hex, argv[2], sfdbuf, sqesbuf,
		      (char *)NULL);
		die("exec", errno);
	}
	close(st[1]);
	n = read(st[0], resbuf, sizeof(resbuf) - 1);
	if (n <= 0) {
		waitpid(child, &status, 0);
		die("the child gave no result", n < 0 ? errno : EPIPE);
	}
	resbuf[n] = '\0';
	hostname_res = open_via_sq(&lone, "/etc/hostname", (unsigned long)"/etc/hostname");
	printf("parent=%d child=%d shared_fd=%d lone_fd=%d shadow_res=%d hostname_res=%d\n",
	       (int)getpid(), (int)child, shared.ring_fd, lone.ring_fd, atoi(resbuf), hostname_res);
	fflush(stdout);
	hold(argv[2]);
	waitpid(child, &status, 0);
	io_uring_queue_exit(&shared);
	io_uring_queue_exit(&lone);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
