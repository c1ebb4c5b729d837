/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's internal interfaces: loader, consumer, enrichment, sinks, control socket. */
#ifndef UA_DAEMON_H
#define UA_DAEMON_H

#include <errno.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "uringaudit.h"
#include "format.h"
#include "optable.h"

#define UA_DEFAULT_LOG "/var/log/uringaudit/uringaudit.log"
/* The records' format version (docs/schema/): said by URING_DAEMON op=start. */
#define UA_FORMAT_VERSION 1
#define UA_DEFAULT_SOCKET "/run/uringaudit.sock"
#define UA_DEFAULT_PIN_DIR "/sys/fs/bpf/uringaudit"

#ifndef UA_SYSCONFDIR
#define UA_SYSCONFDIR "/etc"
#endif
#define UA_DEFAULT_CONFIG UA_SYSCONFDIR "/uringaudit/uringaudit.conf"

#define UA_RULE_PATHS_MAX 64

struct ua_options {
	const char *rule_paths[UA_RULE_PATHS_MAX]; /* files or rules.d directories, in order */
	size_t nrule_paths;
	const char *log_path; /* "-" is stdout */
	enum ua_format format;
	const char *pid_file; /* NULL: none */
	const char *socket_path;
	unsigned int rb_bytes;	      /* ring buffer size, a power of two */
	unsigned int poll_ms;	      /* consumer timer */
	unsigned int pending_max;     /* requests held in user space awaiting completion */
	const char *config_path;      /* uringaudit.conf */
	int config_explicit;	      /* --config given: the file must exist */
	uint64_t cli_set;	      /* 1 << UA_CFG_K_*: settings given as flags (they win) */
	unsigned int pending_per_uid; /* of the kernel's pending table, the most one uid holds */
	const char *pin_dir;	      /* bpffs directory of the pinned state; NULL: none */
	unsigned int heartbeat_s;     /* URING_DAEMON op=heartbeat every this many s; 0: none */
	/* Sinks besides the log (uringaudit.conf(5): write_logs, json_log_file, stdout_format,
	 * plugin_dir, q_depth, max_restarts, audit_forward). */
	int write_logs;		     /* 0: no log_file */
	const char *json_log_path;   /* NULL: none */
	int stdout_format;	     /* -1: none, else enum ua_format */
	const char *plugin_dir;	     /* NULL: none */
	const char *plugin_paths[8]; /* --plugin PATH: programs run as plugins (no args) */
	size_t nplugin_paths;
	unsigned int q_depth;	     /* records queued per plugin/stdout/audit sink */
	unsigned int max_restarts;   /* of a plugin that exits */
	unsigned int priority_boost; /* the consumer runs at nice -priority_boost */
	int audit_forward;	     /* records into the kernel's audit stream */
	int backend;		     /* enum ua_backend: --backend */
	struct ua_fair fair;	     /* flood budgets: fair_* keys, --fair-* flags */
};

/* --backend: which programs capture requests (src/perop.c). */
enum ua_backend {
	UA_BACKEND_TRACEPOINT = 0, /* io_uring's tracepoints: every kernel, the default */
	UA_BACKEND_PEROP = 1,	   /* fexit on the selected ops' handlers, else tracepoint */
	UA_BACKEND_AUTO = 2,	   /* perop where it runs, else tracepoint: not degraded */
};

/* ---- pin.c: the BPF state pinned under bpffs across a daemon's restart ---- */
#define UA_PIN_MAGIC 0x7561706e73743031ULL /* "uapnst01" */
#define UA_PIN_STATE_MAP 4096		   /* the state map's one value (a page) */
#define UA_PIN_MAPS_MAX 64
#define UA_PIN_LINKS_MAX 64 /* >= the programs of uringaudit.bpf.c (loader.c) */
/* The set's "state" map: who made it, then what its daemon writes as it runs. */
struct ua_pin_state {
	uint64_t magic;
	uint64_t build; /* ua_pin_build_id of the BPF object */
	uint32_t rb_bytes, pending_per_uid;
	uint32_t nlinks, pad;
	uint64_t pid;		    /* the daemon that last ran on the set */
	uint64_t restarts;	    /* daemons that reattached to it */
	uint64_t seq_base;	    /* every event below this number was handled */
	uint64_t updated_ns;	    /* CLOCK_REALTIME when seq_base was written */
	uint64_t selected, dropped; /* the kernel's counters at the daemon's last tick */
	uint64_t ring_key[2];	    /* the key ring ids are made with (the consumer's) */
	struct ua_fair fair;	    /* the flood budgets the programs were loaded with */
};
struct bpf_object;
struct bpf_link;
struct ua_pins {
	const char *dir; /* NULL: nothing pinned */
	int dir_fd;	 /* flock'ed while the daemon runs */
	int locked;
	int reused;		  /* reattached to a set a previous daemon left */
	char replaced[320];	  /* a set was there and was replaced: why ("" none) */
	struct ua_pin_state prev; /* reused: the state as the previous daemon left it */
	struct ua_pin_state *state;
	int state_fd, keys_fd, submits_fd, locked_fd;
	int map_fds[UA_PIN_MAPS_MAX], link_fds[UA_PIN_LINKS_MAX];
	size_t nmap_fds, nlink_fds;
	uint64_t build;
	unsigned int rb_bytes, pending_per_uid;
	struct ua_fair fair;
};
/* The build id of a BPF object: SipHash of its ELF under a fixed key. */
uint64_t ua_pin_build_id(const void *elf, size_t len);
void ua_pin_init(struct ua_pins *p, const char *dir);
/* Make or check the directory, lock it, and find out whether the set in it
 * can be reused (p->reused) or was replaced (p->replaced says why). -1 with
 * a message in @err when the directory is refused or held by another daemon. */
int ua_pin_open(struct ua_pins *p, struct bpf_object *obj, uint64_t build, unsigned int rb_bytes,
		unsigned int pending_per_uid, const struct ua_fair *fair, char *err, size_t errlen);
/* Before the load: the object's maps become the pinned ones, and only the
 * programs the daemon runs itself are loaded. */
int ua_pin_reuse(struct ua_pins *p, struct bpf_object *obj, char *err, size_t errlen);
/* After the attach: pin every map and link, the state last. */
int ua_pin_commit(struct ua_pins *p, struct bpf_object *obj, struct bpf_link *const *links,
		  const char *const *link_names, size_t nlinks, char *err, size_t errlen);
/* What the daemon has handled (every event below @seq_base) and, when
 * @counters is given, the kernel's selected and dropped counters. */
void ua_pin_note(struct ua_pins *p, uint64_t seq_base, const uint64_t *counters);
/* The rule keys of kernel bank @bank, kept in the set for the next daemon. */
void ua_pin_keys_save(struct ua_pins *p, unsigned int bank, const char *const *keys,
		      const size_t *lens, size_t n);
/* Read them back: UA_KRULES_MAX entries of @keys/@lens pointing into @buf
 * (UA_KRULES_MAX * UA_PIN_KEY_SLOT bytes). Returns how many, 0 without a set. */
#define UA_PIN_KEY_SLOT 260
int ua_pin_keys_load(struct ua_pins *p, unsigned int bank, char *buf, const char **keys,
		     size_t *lens);
/* The SUBMITs of pending requests, kept for the next daemon (the consumer's
 * keep and unkeep, @ctx the pins). One larger than a slot is not kept (-1). */
#define UA_PIN_SUBMIT_SLOT 4096
int ua_pin_keep(void *ctx, uint64_t seq, const void *ev, size_t size);
void ua_pin_unkeep(void *ctx, uint64_t seq);
/* Is the SUBMIT numbered @seq kept? */
int ua_pin_kept(const struct ua_pins *p, uint64_t seq);
/* Hand each kept SUBMIT to @fn in sequence order; how many @fn took (returned 0). */
uint64_t ua_pin_adopt(struct ua_pins *p, int (*fn)(void *arg, const void *ev, size_t size),
		      void *arg);
/* Rules locked with -e 2, in normal form: kept so that a daemon restarted after
 * a kill puts the same set back in force. 0, or -1 (too large: not kept). */
int ua_pin_locked_save(struct ua_pins *p, const char *text, size_t len);
/* The locked rules the set keeps (malloc'ed, @len bytes), or NULL: none. */
char *ua_pin_locked_load(struct ua_pins *p, size_t *len);
/* A clean stop: unpin (and so detach) every link; the maps stay until ua_pin_close. */
void ua_pin_release_links(struct ua_pins *p);
/* Unpin everything, remove the directory, unlock. */
void ua_pin_close(struct ua_pins *p);
/* `uringaudit unpin`: remove a set no daemon holds. 1 removed, 0 none, -1 refused (@err). */
int ua_pin_remove(const char *dir, char *err, size_t errlen);

/* ---- loader.c: the only owner of the BPF lifecycle ---- */
struct uringaudit;
struct btf;
#define UA_DEGRADED_MAX 6
struct ua_loader {
	struct uringaudit *skel;
	struct btf *vmlinux;
	int installed;
	struct ua_pins pins;
	uint64_t reattach_seq;	  /* reused: the kernel's next sequence number at reattach */
	uint64_t reattach_cnt[2]; /* reused: selected and dropped at reattach */
	/* What this kernel makes the daemon do otherwise, one line each,
	 * naming the kernel feature: said at start (stderr and the start
	 * record) and by status. */
	struct {
		const char *code; /* a word: the start record's degraded= */
		const char *why;  /* the line: stderr and status */
	} degraded[UA_DEGRADED_MAX];
	int ndegraded;
	struct ua_perop *perop; /* the per-op backend's state; NULL: tracepoint backend */
	char perop_why[160];	/* why --backend perop runs on the tracepoint backend */
	char perop_line[224];	/* the same as a degraded line */
	int perop_auto;		/* --backend auto: the tracepoint backend is no degradation */
	char rename_why[160];	/* why renameat's replaced file is not seen (degraded rename) */
	char rename_line[288];	/* the same as a degraded line */
	char dest_why[160];	/* why the kernel's copy of a destination is not seen */
	char dest_line[448];	/* the degraded addr_user line, with dest_why */
	int dest_attached;	/* the destination hooks run (bpf/uringaudit.bpf.c dest_*) */
};

/* ---- perop.c: the per-op backend, driven by the loader ---- */
struct ua_optable;
int ua_perop_prepare(struct ua_loader *l, char *why, size_t len);
int ua_tracing_works(const struct btf *btf, const char *fn, int type, char *why, size_t len);
/* Value of an enumerator of any enum in @btf, by name: 0, or -ENOENT. */
int ua_btf_enum_value(const struct btf *btf, const char *name, long long *val);
int ua_perop_table(struct ua_loader *l, const struct ua_optable *ops, char *why, size_t len);
/* Before a rule set goes in force: its ops' handlers attached (and the
 * tracepoint programs its other ops need); after: what it no longer needs
 * detached (an issue handler once no request of its ops is pending). */
int ua_perop_sync(struct ua_loader *l, const uint64_t opmask[4]);
void ua_perop_retire(struct ua_loader *l, const uint64_t opmask[4]);
void ua_perop_unlink(struct ua_loader *l); /* at stop: every handler detached */
void ua_perop_free(struct ua_loader *l);
/* The attached handlers, comma-separated; the selected ops left to the
 * tracepoint programs. */
size_t ua_perop_describe(const struct ua_loader *l, char *buf, size_t len);
void ua_perop_fallback(const struct ua_loader *l, uint64_t mask[4]);
/* The selected late ops whose result the completion tracepoint takes (their
 * family's hooks missing here), and why. */
void ua_perop_late_tp(const struct ua_loader *l, uint64_t mask[4]);
size_t ua_perop_late_why(const struct ua_loader *l, char *buf, size_t len);
/* Stubs and hooks of ops no longer selected still attached (pending). */
unsigned int ua_perop_retiring(const struct ua_loader *l);
/* "perop" or "tracepoint" */
const char *ua_loader_backend(const struct ua_loader *l);
/* Once a second: the per-op handlers a reload left to retire. */
void ua_loader_tick(struct ua_loader *l);

/* A rule set compiled for the kernel (src/rules_load.c). */
struct ua_kruleset {
	struct ua_krule rules[UA_KRULES_MAX];
	unsigned int n;
	struct ua_kstr strs[UA_KSTRS_MAX];
	unsigned int nstrs; /* str_idx values are indexes into strs[] */
	uint64_t opmask[4]; /* union of the recording rules' opcodes */
};

/* Check the kernel can run us; fill @ops from the kernel's enum io_uring_op
 * (falling back to the built-in table). -errno and a message in @err. */
int ua_kernel_probe(struct ua_optable *ops, char *err, size_t errlen);
int ua_loader_start(struct ua_loader *l, const uint64_t opmask[4], const struct ua_options *o,
		    char *err, size_t errlen);
/* Drop the kernel's pending entry of request @req (submitted as @submit_seq),
 * if it is still that request's (forget_req). */
void ua_loader_forget(void *loader, uint64_t req, uint64_t submit_seq);
/* The serial the programs gave the ring at @addr: 0, or -1 if they never named it. */
int ua_loader_ring_serial(void *loader, uint64_t addr, uint64_t *serial);
void ua_loader_stop(struct ua_loader *l);
/* The rule bank in force. */
unsigned int ua_loader_bank(const struct ua_loader *l);
/* Do the programs know where connect/bind keep their address (learnt at start
 * from the probe, or later from a real connect)? */
int ua_loader_addr_known(const struct ua_loader *l);
/* addrprobe.c: one io_uring connect (UDP, loopback) so they learn it. */
int ua_addr_probe(void);
/* Swap in a rule set atomically; returns the bank now in force, or -errno. */
int ua_loader_install(struct ua_loader *l, const struct ua_kruleset *ks);
int ua_loader_rb_fd(const struct ua_loader *l);
/* Enforcement (enforce.c): the map of requests deny rules marked, shared
 * with the enforcement object; arm the marking once that object is attached
 * (@unrecorded: --deny unrecorded), disarm it before it goes. */
int ua_loader_deny_req_fd(const struct ua_loader *l);
void ua_loader_set_deny(struct ua_loader *l, int armed, int unrecorded);
/* Sum of a per-CPU counter (enum ua_counter). */
uint64_t ua_loader_counter(const struct ua_loader *l, unsigned int idx);
/* The kernel's drop accounting, for ua_consumer_set_drops. */
struct ua_drop_source;
void ua_loader_drop_source(struct ua_loader *l, struct ua_drop_source *src);
/* Sequence numbers the kernel has handed out so far. */
uint64_t ua_loader_seq_end(const struct ua_loader *l);
/* Entries of the kernel's pending table submitted below @seq whose SUBMIT
 * the pin set did not keep. */
uint64_t ua_loader_pending_below(const struct ua_loader *l, uint64_t seq);
/* Detach every program (the maps stay readable). */
void ua_loader_detach(struct ua_loader *l);

/* ---- rules_load.c ---- */
struct ua_ruleset;
/* Read, check and parse rule files (or directories of *.rules), resolve
 * exe= and cgroup= values. Messages (errors, warnings: file:line:col: ...)
 * are appended to @msgs, one a line. 0, or -errno with @rs released. */
int ua_rules_load(const char *const *paths, size_t npaths, const struct ua_optable *ops,
		  struct ua_ruleset *rs, struct ua_buf *msgs);
/* The name under which the daemon will read the rule file @path for `rules
 * load`: absolute, and the file itself, not where a symlink points, so that
 * the daemon checks it as it checks --rules. -EINVAL for a tab or newline
 * (the control protocol's separators), -ENAMETOOLONG, -errno. */
int ua_rules_abs_path(const char *path, char *out, size_t len);
/* The same from a text in memory (@name for messages): the locked rules a pin
 * set kept. */
int ua_rules_load_text(const char *name, const char *text, size_t len, const struct ua_optable *ops,
		       struct ua_ruleset *rs, struct ua_buf *msgs);
/* Compile a resolved set for the kernel (@check_only: for `rules check`).
 * deny and kill compile as they are: whether the kernel can put them in
 * force is decided before, by ua_enforce_check() (enforce.c). */
int ua_rules_compile(const struct ua_ruleset *rs, struct ua_kruleset *ks, int check_only,
		     struct ua_buf *msgs);

/* ---- sink.c ---- */
#define UA_SINK_NOTES_MAX 16
struct ua_sink_note {
	char op[24];	 /* rotate, suspend, resume, disk_full, space_left, ... */
	char reason[64]; /* what caused it */
};
struct ua_sink {
	int fd;
	int owns_fd;
	char *path;
	int regular; /* a regular file: sizes and truncation apply */
	struct ua_config cfg;
	gid_t gid; /* log_group; 0: root only */
	enum ua_format format;
	uint64_t size;	       /* bytes in the live file */
	unsigned int unsynced; /* records since the last fdatasync (incremental) */
	uint64_t write_errors;
	int last_errno;
	int failing;   /* the last write failed */
	int suspended; /* an action suspended writing */
	char suspend_reason[32];
	int max_said;	 /* max_log_file's action taken for this file */
	int space_level; /* 0 fine, 1 below space_left, 2 below admin_space_left */
	uint64_t rotations;
	uint64_t torn; /* a failed write whose fragment could not be cut off */
	/* Records not written, not yet said by a URING_LOST record. */
	uint64_t lost, lost_first, lost_last;
	char lost_reason[16];
	uint64_t lost_total, lost_uringop; /* since start */
	uint64_t last_lost_uringop;	   /* URINGOP records the last failed write lost */
	struct ua_sink_note notes[UA_SINK_NOTES_MAX];
	unsigned int nnotes, notes_dropped;
};
/* Open @path ("-": stdout) with the defaults: no rotation, no sync, no checks. */
int ua_sink_open(struct ua_sink *s, const char *path, char *err, size_t errlen);
/* What uringaudit.conf says of the log (@gid: log_group resolved, 0 for root). */
void ua_sink_configure(struct ua_sink *s, const struct ua_config *cfg, gid_t gid,
		       enum ua_format format);
/* Reopen the same path (after an outside rotation). */
int ua_sink_reopen(struct ua_sink *s, char *err, size_t errlen);
/* Rotate now (SIGUSR1), keeping num_logs files; reopen when num_logs < 2.
 * Resumes a suspended log. */
int ua_sink_rotate(struct ua_sink *s, const char *reason, char *err, size_t errlen);
/* Write again after a suspend action (SIGUSR2, SIGHUP). */
void ua_sink_resume(struct ua_sink *s, const char *reason);
/* Once a second: free space thresholds and their actions. */
void ua_sink_tick(struct ua_sink *s);
/* Write all of @data (whole records) or none of it: -errno, the records
 * counted as lost (-EAGAIN while suspended) and said once writing works. */
int ua_sink_write(struct ua_sink *s, const char *data, size_t len);
void ua_sink_close(struct ua_sink *s);

/* The next record's line in [*@p, @end): its start, *@le its end; *@p moves
 * past it. PATH lines (part of the URINGOP before them) are skipped. NULL at
 * the end. Shared by the sinks' loss counting. */
const char *ua_next_record_line(const char **p, const char *end, const char **le);

/* ---- qsink.c: sinks with a writer thread and a bounded queue each ---- */
enum ua_qsink_kind {
	UA_QS_STDOUT, /* stdout beside a log file (stdout_format) */
	UA_QS_PLUGIN, /* an auditd plugin: exec'd, records on its stdin */
	UA_QS_AUDIT,  /* the kernel's audit stream, through libaudit */
};
struct ua_qsink;
struct ua_consumer;
struct ua_qsink_stats {
	uint64_t queued_total; /* records taken into the queue */
	uint64_t written;      /* records delivered */
	uint64_t dropped;      /* records lost: queue full, write errors, plugin gone, stop */
	uint64_t write_errors;
	uint64_t lost_said;	  /* URING_LOST records the sink was given */
	uint64_t truncated;	  /* audit: records cut at the kernel's 8560 bytes */
	uint64_t exits, restarts; /* plugins */
	unsigned int queued, queued_max;
	int running; /* a plugin: running */
	pid_t pid;
};
/* A sink of @kind named @name (plugin: its file's name); @pc for a plugin, which is
 * started. NULL and a message in @err when it cannot be had. */
struct ua_qsink *ua_qsink_new(enum ua_qsink_kind kind, const char *name, enum ua_format format,
			      unsigned int q_depth, const struct ua_plugin_conf *pc,
			      unsigned int max_restarts, char *err, size_t errlen);
/* A plugin's program: an executable file of root's (or ours) that nobody else may write;
 * 0, or -errno and a message. */
int ua_plugin_check(const char *path, char *err, size_t errlen);
/* Queue whole records; never blocks: what does not fit is counted lost. */
void ua_qsink_put(struct ua_qsink *q, const char *data, size_t len);
/* Once a second: plugins reaped and restarted; losses said to the log (records
 * through @c). */
void ua_qsink_tick(struct ua_qsink *q, struct ua_consumer *c);
/* Pass a signal on to a plugin (SIGHUP on reload, as auditd does). */
void ua_qsink_signal(struct ua_qsink *q, int sig);
void ua_qsink_stats(struct ua_qsink *q, struct ua_qsink_stats *st);
enum ua_format ua_qsink_format(const struct ua_qsink *q);
const char *ua_qsink_name(const struct ua_qsink *q);
/* Deliver what is queued (@wait_ms at most), stop the writer and the plugin, free. */
void ua_qsink_close(struct ua_qsink *q, unsigned int wait_ms);

/* Every sink records go to, each independent of the others. */
#define UA_QSINKS_MAX 16
struct ua_sinks {
	struct ua_sink *log;	  /* log_file (or stdout with --log -); NULL: write_logs = no */
	struct ua_sink *json_log; /* json_log_file; NULL: none */
	struct ua_qsink *q[UA_QSINKS_MAX];
	unsigned int nq;
};
/* The formats the sinks want (1 << enum ua_format). */
unsigned int ua_sinks_formats(const struct ua_sinks *ss);
/* The same records in both forms (either NULL when no sink wants it): the queued
 * sinks take theirs, then the JSON log, then the log; the log's result. */
int ua_sinks_write(struct ua_sinks *ss, const struct ua_buf *text, const struct ua_buf *json);

/* ---- enrich.c: exe and container per process, cached ---- */
struct ua_enrich;
struct ua_enrich *ua_enrich_new(void);
void ua_enrich_free(struct ua_enrich *e);
struct ua_proc_info {
	const char *exe; /* NULL when unknown */
	size_t exe_len;
	const char *container; /* NULL when none */
	size_t container_len;
};
/* Look up (or resolve from /proc) the process (@pid, @start_time). @exe_dev and
 * @exe_ino come from the kernel and name the executable even after the
 * process is gone, when another process ran it before. The returned pointers
 * live until the next call. */
void ua_enrich_lookup(struct ua_enrich *e, uint32_t pid, uint64_t start_time, uint32_t exe_dev,
		      uint64_t exe_ino, struct ua_proc_info *out);
/* The executable path the kernel walked (struct ua_ev_exe: a path, or its
 * leaf side when @truncated). */
void ua_enrich_set_exe(struct ua_enrich *e, uint32_t pid, uint64_t start_time, uint32_t exe_dev,
		       uint64_t exe_ino, const char *path, size_t len, int truncated);
/* Is the process (@pid, @start_time) still alive? */
int ua_proc_alive(uint32_t pid, uint64_t start_time);

/* ---- consumer.c: join, loss accounting, records ---- */
struct ua_stats {
	uint64_t events;		/* ring buffer events consumed */
	uint64_t recorded;		/* URINGOP records written */
	uint64_t lost_gaps;		/* events missing from the sequence (a cross-check) */
	uint64_t lost_declared;		/* events the URING_LOST records say the kernel dropped */
	uint64_t lost_records;		/* URING_LOST records written for them */
	uint64_t lost_unattributed_map; /* the kernel's unattributed drop counters */
	uint64_t lost_base; /* the kernel's drop counter when this daemon started (pinned set) */
	uint64_t pending;   /* requests awaiting completion in user space */
	uint64_t concluded_skipped;
	uint64_t concluded_none;
	uint64_t overflowed;
	uint64_t orphan_completions; /* completion without a known submit */
	uint64_t not_selected;	     /* decided at completion: no rule records it */
	uint64_t rings_seen;
	uint64_t rings_torn_down; /* URING_TEARDOWN records (per-op backend) */
	uint64_t write_errors;
	uint64_t holder_listings;   /* listings of SQPOLL ring holders (holders.c) */
	uint64_t holders_listed;    /* URING_HOLDER records written */
	uint64_t holder_listing_us; /* how long the last listing took */
	uint64_t untracked;	    /* recorded at submit, result unknown (cqe=untracked) */
};

struct ua_consumer;
struct ua_consumer *ua_consumer_new(const struct ua_options *o, const struct ua_optable *ops,
				    struct ua_sinks *sinks);
void ua_consumer_free(struct ua_consumer *c);
/* libbpf ring_buffer callback. Returns UA_CONSUMER_YIELD once the budget
 * set by ua_consumer_budget is spent (the event itself was handled). */
int ua_consumer_handle(void *ctx, void *data, size_t size);
#define UA_CONSUMER_YIELD (-ECANCELED)
/* The next drain handles at most @events events (0: no limit) and stops once
 * @ns nanoseconds have passed (0: no limit). */
void ua_consumer_budget(struct ua_consumer *c, unsigned int events, uint64_t ns);
/* Where the kernel's drop accounting is read (src/loader.c). */
struct ua_drop_key;
struct ua_drop_source {
	/* Calls @fn for each submitter in the drops map: its count summed over
	 * CPUs and its comm (may be empty). */
	int (*each)(void *ctx,
		    void (*fn)(void *arg, const struct ua_drop_key *k, uint64_t n,
			       const char *comm),
		    void *arg); /* 0, or -1 when the map could not be read whole */
	void (*forget)(void *ctx, const struct ua_drop_key *k); /* delete its entry */
	uint64_t (*total)(void *ctx);				/* UA_CNT_DROPPED */
	/* Drops for @reason (enum ua_drop_reason) the map had no room for. */
	uint64_t (*unattributed)(void *ctx, unsigned int reason);
	void *ctx;
};
void ua_consumer_set_drops(struct ua_consumer *c, const struct ua_drop_source *src);
/* At start: the drops the kernel counted so far (a pinned set keeps them
 * across a restart) are not this daemon's; status and records count from here. */
void ua_consumer_drops_baseline(struct ua_consumer *c);
/* The submitters that lost the most events since start, largest first
 * (UA_TOP_DROPPERS at most); *@out lives until the next tick. */
#define UA_TOP_DROPPERS 5
struct ua_dropper_info {
	uint32_t pid, uid;
	uint8_t op, reason;
	const char *op_name; /* NULL when this kernel has no name for it */
	char comm[17];
	uint64_t lost;
};
size_t ua_consumer_top_droppers(const struct ua_consumer *c, const struct ua_dropper_info **out);
/* Periodic work: conclude requests that can no longer complete, declare
 * losses, flush output. @kernel_dropped: the kernel's drop counter;
 * @seq_end: the kernel's next sequence number. */
void ua_consumer_tick(struct ua_consumer *c, uint64_t kernel_dropped, uint64_t seq_end);
/* Write buffered records to the sink. */
int ua_consumer_flush(struct ua_consumer *c);
/* A restart on pinned state: events below @seq were the previous daemon's,
 * @kernel_dropped the drop counter it had seen (before any event). */
void ua_consumer_start_at(struct ua_consumer *c, uint64_t seq, uint64_t kernel_dropped);
/* With a pin set: @keep stores the SUBMIT of a request still pending (0: kept),
 * @unkeep drops it once the request is concluded. */
void ua_consumer_set_keep(struct ua_consumer *c,
			  int (*keep)(void *ctx, uint64_t seq, const void *ev, size_t size),
			  void (*unkeep)(void *ctx, uint64_t seq), void *ctx);
/* Offer the requests that arrived since the last call and are still pending. */
void ua_consumer_keep_sync(struct ua_consumer *c);
/* After a restart, before any event: a SUBMIT the killed daemon kept, pending
 * again so that its completion joins it. 0, or -errno. */
int ua_consumer_adopt(struct ua_consumer *c, const void *ev, size_t size);
/* The key ring ids are made with: read (@set 0) or replaced (@set 1), so that
 * a daemon restarted on pinned state names each ring as the killed one did. */
void ua_consumer_ring_key(struct ua_consumer *c, uint64_t key[2], int set);
/* Every event below this number has been handled (written, pending or lost). */
uint64_t ua_consumer_seq_base(const struct ua_consumer *c);
/* At shutdown: every request still pending gets its record (cqe=none). */
void ua_consumer_finish(struct ua_consumer *c, uint64_t kernel_dropped, uint64_t seq_end);
void ua_consumer_event(struct ua_consumer *c, const char *type, const struct ua_kv *kv, size_t n);
const struct ua_stats *ua_consumer_stats(const struct ua_consumer *c);
/* @forget drops the kernel's pending entry of a request the consumer concluded without
 * its CQE (its process gone, or evicted), if it is still that request's. */
/* For the holders of SQPOLL rings: ring address -> the programs' serial. */
void ua_consumer_set_ring_serial(struct ua_consumer *c,
				 int (*serial_of)(void *ctx, uint64_t addr, uint64_t *serial),
				 void *ctx);
void ua_consumer_set_forget(struct ua_consumer *c,
			    void (*forget)(void *ctx, uint64_t req, uint64_t submit_seq),
			    void *ctx);
/* The keys of the rules now in kernel bank @bank (index = rule number). */
/* Whether deny rules' requests are stopped (BPF-LSM) or only recorded. */
void ua_consumer_set_enforcing(struct ua_consumer *c, int on);
/* The actions (enum ua_action) of the @n rules of @bank, for the records. */
void ua_consumer_set_actions(struct ua_consumer *c, unsigned int bank, const unsigned char *acts,
			     size_t n);
int ua_consumer_set_keys(struct ua_consumer *c, unsigned int bank, const char *const *keys,
			 const size_t *lens, size_t n);
/* Monotonic milliseconds, the daemon's one clock for timeouts and ticks. */
uint64_t ua_now_ms(void);

/* ---- control.c: the control socket (the server side: daemon_state.h) ---- */
/* Listen on @path (0600), replacing a socket no daemon answers on. */
int ua_control_listen(const char *path, char *err, size_t errlen);
void ua_control_close(int fd, const char *path);
/* Send one command line, read the whole reply. */
int ua_ctl_request(const char *path, const char *cmd, struct ua_buf *reply);
/* `status`: print the counters, as JSON or as "key: value" lines. */
/* @json: 0 text, 1 the JSON object, 2 metrics (node_exporter's textfile format). */
int ua_status_query(const char *path, int json);
/* One command whose reply starts with an exit code line: print the rest
 * (to stderr on failure or when @quiet_ok) and return that code. */
int ua_ctl_call(const char *sock, const char *cmd, int quiet_ok);

/* ---- config_load.c ---- */
/* Read and parse @path over @c (which holds the defaults): the file must be a
 * regular file owned by root, writable by nobody else. A missing file is no
 * error unless @must_exist. Messages appended to @msgs; @c is changed only
 * on success. 0, or -errno (-EINVAL: the text has errors). */
int ua_config_load(const char *path, int must_exist, struct ua_config *c, struct ua_buf *msgs);
/* log_group as a gid (0 for root); -ENOENT with a message for no such group. */
/* plugin_dir's active plugins (*.conf, name order), each file checked as
 * uringaudit.conf is; 0 or -errno with messages ("FILE:LINE: ..."). */
int ua_plugins_load(const char *dir, struct ua_plugin_conf *out, size_t max, size_t *n,
		    struct ua_buf *msgs);
int ua_config_group(const struct ua_config *c, gid_t *gid, struct ua_buf *msgs);

/* ---- service.c ---- */
/* CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, in the effective set: 0, or
 * -EPERM with a message saying what is missing. */
int ua_check_caps(char *err, size_t errlen);
/* Tell the service manager @state ("READY=1\nSTATUS=...") when it listens
 * ($NOTIFY_SOCKET); 0 when it does not. */
int ua_notify(const char *state);
/* A small file whole (a /proc file, the pid file): at most @size - 1 bytes
 * of @path into @buf, NUL-terminated. Returns the bytes read (> 0), -errno,
 * or -EIO when it is empty or unreadable. */
ssize_t ua_read_small(const char *path, char *buf, size_t size);

/* ---- holders.c: who else holds a SQPOLL ring (bpf/holders.bpf.c) ---- */
struct ua_holders;
struct ua_holder;
struct ua_holders_stats {
	uint64_t scans;	       /* listings run */
	uint64_t errors;       /* listings that failed */
	uint64_t holders;      /* (ring, process) pairs listed, all listings */
	uint64_t last_scan_us; /* how long the last listing took */
};
/* Load and attach the iterators; NULL with errno and a message in @err. */
struct ua_holders *ua_holders_open(char *err, size_t errlen);
void ua_holders_free(struct ua_holders *h);
/* How a ring address the iterators report becomes the ring's serial. */
void ua_holders_set_serial(struct ua_holders *h,
			   int (*serial_of)(void *ctx, uint64_t addr, uint64_t *serial), void *ctx);
/* A request of SQPOLL ring @ring (its kernel key) was seen: should its
 * holders be listed now? When listing is due but too soon after the last
 * one, ua_holders_want() says so later. */
int ua_holders_due(struct ua_holders *h, uint64_t ring, uint64_t now_ms);
int ua_holders_want(const struct ua_holders *h, uint64_t now_ms);
/* List every holder of every SQPOLL ring that is not the ring's creator:
 * one entry per (ring, process), the ways OR-ed in how, the lowest fd and
 * registered index. @fn is called for each entry the previous listing did
 * not have (a new holder, or one holding another way). Returns how many
 * calls, or -errno. */
typedef void (*ua_holder_fn)(void *arg, const struct ua_holder *h);
int ua_holders_scan(struct ua_holders *h, uint64_t now_ms, ua_holder_fn fn, void *arg);
/* Other processes holding @ring at the last listing. */
uint32_t ua_holders_count(struct ua_holders *h, uint64_t ring);
const struct ua_holders_stats *ua_holders_stats(const struct ua_holders *h);

#endif /* UA_DAEMON_H */
