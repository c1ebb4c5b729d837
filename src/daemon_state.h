/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The running daemon: its state (struct daemon) and the files that work on
 * it, one concern each:
 *   run.c             the lifecycle: start-up steps, event loop, stop
 *   control.c         the control socket: server (and its client, daemon.h)
 *   reconfig.c        rule sets put in force: at start, on reload, on SIGHUP
 *   daemon_records.c  the records about the daemon itself (URING_DAEMON,
 *                     URING_CONFIG) and the start-up read of the previous log
 *   pidfile.c         the pid file
 * main.c only parses the command line into struct ua_options and calls
 * ua_run().
 */
#ifndef UA_DAEMON_STATE_H
#define UA_DAEMON_STATE_H

#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include "buf.h"
#include "daemon.h"
#include "rules.h"

/* Control connections served at once; a client that says nothing is dropped
 * after CTL_TIMEOUT_MS. */
#define UA_CTL_CLIENTS 8
#define UA_CTL_TIMEOUT_MS 2000

struct ua_ctl_client {
	int fd; /* -1: free */
	uint64_t since_ms;
	struct ua_buf in, out;
	size_t sent;
};

struct ring_buffer;
struct deny;
struct tamper;

struct daemon {
	struct ua_options o;  /* the flags, then the file for what they do not set */
	struct ua_config cfg; /* uringaudit.conf as read (defaults without it) */
	gid_t log_gid;	      /* cfg.log_group resolved */
	struct ua_optable ops;
	struct ua_ruleset rules;	  /* in force */
	int locked;			  /* -e 2 was loaded: no more reloads */
	int prev_unclean;		  /* the log's previous daemon did not stop */
	char prev_time[32];		  /* time of the last record it wrote */
	uint64_t opmask[UA_OPMASK_WORDS]; /* the built-in rules' opcodes */
	struct ua_loader loader;
	struct ua_sink sink;	  /* log_file (or stdout) */
	struct ua_sink json_sink; /* json_log_file */
	struct ua_sinks sinks;	  /* every sink, as the consumer writes to them */
	struct ua_consumer *consumer;
	struct ring_buffer *rb;
	int sfd, ctl_fd, epfd;
	struct ua_ctl_client clients[UA_CTL_CLIENTS];
	uint64_t started_ms;
	/* The loop under load (status): drains cut short by their budget, and
	 * the longest time between two looks at signals and clients, in wall
	 * time and in this thread's CPU time (what the daemon itself spent). */
	uint64_t drains_cut;
	uint64_t loop_max_us, loop_max_cpu_us;
	int pid_written;
	int stopping;
	struct signalfd_siginfo stop_si; /* the signal that stopped it */
	/* BPF-LSM, probed once when a set first has deny or kill rules (enforce.c) */
	int lsm_probed, lsm_ok;
	char lsm_why[512]; /* why deny cannot stop requests here */
	struct deny *deny; /* the enforcement object, once armed */
	int deny_rb_added; /* its events are read with d->rb's */
	/* Tamper resistance (tamper.c), tried once the rules are locked. */
	struct tamper *tamper;	     /* the tamper object, once attached */
	int tamper_rb_added;	     /* its events are read with d->rb's */
	int tamper_tried;	     /* armed or said why not */
	unsigned int tamper_objects; /* BPF objects guarded */
	char tamper_why[512];	     /* why it is not in force ("" while it is) */
	/* Reattached to a pinned set: events read that were made before the
	 * reattach, and requests the previous daemon held when it died. */
	uint64_t kept, held, resumed;
	int lock_kept; /* the killed daemon's locked rules were put back */
};

/* ---- run.c ---- */
/* Run the daemon with options @o (parsed by main.c) until a stop signal.
 * Returns the process exit code: 0, 1 failure, 2 invalid rules. */
int ua_run(const struct ua_options *o);

/* ---- control.c: the server side (the client is in daemon.h) ---- */
void ua_control_init(struct daemon *d);
/* A connection is waiting on the listening socket. */
void ua_control_accept(struct daemon *d);
/* An event on @fd; 0 if @fd is no control client. */
int ua_control_event(struct daemon *d, int fd, uint32_t events);
/* Drop the clients that said nothing in time. */
void ua_control_expire(struct daemon *d);
void ua_control_close_all(struct daemon *d);

/* ---- reconfig.c ---- */
/* Parse the rules named by the options (or the built-in ones) into
 * d->rules before anything is loaded; messages to @msgs. 0 or -errno. */
int ua_reconfig_parse_initial(struct daemon *d, struct ua_buf *msgs);
/* Put a parsed set in force: keys for the idle bank first, then the swap.
 * Takes @rs over on success. */
int ua_reconfig_install(struct daemon *d, struct ua_ruleset *rs, struct ua_buf *msgs);
/* Replace the rules from @paths, whole, or keep them; @reply gets an exit
 * code line, then messages. 0 when the new set is in force, else 1. */
int ua_reconfig_reload(struct daemon *d, const char *const *paths, size_t n, pid_t pid, uid_t uid,
		       struct ua_buf *reply);
/* Read uringaudit.conf into d->cfg and fill what the flags left unset in
 * d->o from it. Messages to @msgs; 0, or -errno (-EINVAL, -EPERM: invalid). */
int ua_reconfig_load_config(struct daemon *d, struct ua_buf *msgs);
/* Print @text (NULL: nothing) to stderr, each line behind "uringaudit: ". */
void ua_say_lines(const char *text);
/* SIGHUP: re-read the configuration (a bad one keeps the one in force),
 * reopen the log, resume it, reload the rule files unless they are locked. */
void ua_reconfig_hup(struct daemon *d, const struct signalfd_siginfo *si);
/* `uringaudit reload` (the control socket, root): what SIGHUP does, from
 * @pid/@uid; with the rules locked only the logs are reopened and the rest
 * is refused (URING_CONFIG op=reload res=refused, exit code 1). @reply: an
 * exit code line, then messages. Returns the exit code. */
int ua_reconfig_reopen(struct daemon *d, pid_t pid, uid_t uid, struct ua_buf *reply);

/* ---- daemon_records.c ---- */
/* Did the previous daemon writing the log at @path stop cleanly? 1 if not,
 * with the time of its last record in @last_time. */
int ua_previous_unclean(const char *path, char *last_time, size_t len);
/* URING_DAEMON op=start or op=stop (@si: the signal that stopped it). */
void ua_record_daemon(struct daemon *d, const char *op, const struct signalfd_siginfo *si);
/* URING_DAEMON op=restart: after a reattach, what happened while no daemon ran. */
void ua_record_restart(struct daemon *d);
/* URING_DAEMON op=heartbeat: the counters, every heartbeat seconds. */
void ua_record_heartbeat(struct daemon *d);
/* URING_CONFIG: a configuration change, successful or not. */
void ua_record_config(struct daemon *d, const char *op, const char *res, const char *const *paths,
		      size_t n, pid_t pid, uid_t uid, const char *reason);

/* ---- pidfile.c ---- */
/* Is the pid file at @path held by another live process? Its pid in @pid. */
int ua_pidfile_busy(const char *path, long *pid);
/* Write our pid whole (a reader never sees half of it). 0, or -errno with a
 * message in @err. */
int ua_pidfile_write(const char *path, char *err, size_t errlen);

/* enforce.c: can the set's deny and kill rules be put in force here? 0, or
 * -EOPNOTSUPP with the message naming the missing kernel feature. */
int ua_enforce_check(struct daemon *d, const struct ua_ruleset *rs, struct ua_buf *msgs);
/* 0 when BPF-LSM programs load, attach and run; else -1 and @why. */
int ua_lsm_probe(char *why, size_t len);
/* Before a load: the "lsm/HOOK" programs of @obj whose hook the running
 * kernel lacks (no bpf_lsm_HOOK in its BTF) are not loaded; their hooks in
 * @missing, joined by commas. Returns how many. */
struct bpf_object;
int ua_lsm_skip_missing(struct bpf_object *obj, char *missing, size_t len);
/* Load and attach the enforcement object where BPF-LSM works and @rs needs
 * it, and arm the marking (or disarm it for a set that needs none). */
int ua_enforce_arm(struct daemon *d, const struct ua_ruleset *rs, struct ua_buf *msgs);
/* Read its events with d->rb's (once d->rb exists). */
int ua_enforce_events(struct daemon *d);
/* What the set in force gets: "on" (BPF-LSM stops its requests),
 * "best-effort" (it cannot: d->lsm_why) or "off" (no deny, kill, --deny). */
const char *ua_enforce_state(const struct daemon *d);
void ua_enforce_stop(struct daemon *d);

/* Who a URING_DENIED or URING_TAMPER record names, in one order, from a
 * bpf/deny.h or bpf/tamper.h event (fields pid, tid, comm, auid, ses, uid,
 * euid); appended to kv[n++]. */
#define UA_KV_SUBJECT(kv, n, e)                                                                    \
	do {                                                                                       \
		(kv)[(n)++] = ua_kv_u64("pid", (e)->pid);                                          \
		(kv)[(n)++] = ua_kv_u64("tid", (e)->tid);                                          \
		(kv)[(n)++] = ua_kv_str("comm", (e)->comm, strnlen((e)->comm, sizeof((e)->comm))); \
		(kv)[(n)++] = ua_kv_u64("auid", (e)->auid);                                        \
		(kv)[(n)++] = ua_kv_u64("ses", (e)->ses);                                          \
		(kv)[(n)++] = ua_kv_u64("uid", (e)->uid);                                          \
		(kv)[(n)++] = ua_kv_u64("euid", (e)->euid);                                        \
	} while (0)

/* tamper.c: once the rules are locked (d->locked), load and attach the
 * tamper object where BPF-LSM works, or say why not (d->tamper_why); once. */
void ua_tamper_arm(struct daemon *d);
/* Read its events with d->rb's (once d->rb exists). */
int ua_tamper_events(struct daemon *d);
void ua_tamper_stop(struct daemon *d);

#endif /* UA_DAEMON_STATE_H */
