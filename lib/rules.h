/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rules: auditctl's grammar for the io_uring list.
 *
 *   -a always,io_uring -S openat,openat2 -F auid>=1000 -F auid!=unset -k user-open
 *
 * Pure: the parser takes the file's bytes and returns rules or diagnostics;
 * reading files, resolving exe= paths to inodes and cgroup= paths to ids
 * happen in the daemon (src/), which fills the resolved values in.
 *
 * The grammar, line by line (tokens are separated by spaces and tabs; a token
 * may contain double-quoted parts, "a b", in which only \" and \\ are escapes):
 *
 *   # comment            only as the first non-blank character of a line
 *   -D                   delete all: only at the top of the first file
 *   -e 0|1|2             2 locks the set until the daemon restarts (like
 *                        augenrules, for the whole set wherever it appears);
 *                        1 is a no-op; 0 is an error
 *   --enforce required|best-effort
 *                        (also --enforce=VALUE) what deny and kill rules do
 *                        where the kernel cannot enforce them (no BPF-LSM):
 *                        required (the default) refuses the set;
 *                        best-effort records deny rules' requests, and kill
 *                        rules SIGKILL the submitter, without stopping the
 *                        request (for the whole set, wherever it appears)
 *   --deny sqpoll|personality|unrecorded
 *                        (also --deny=NAME) a policy, for the whole set
 *                        (needs BPF-LSM): no SQPOLL rings, no
 *                        sqe->personality, no request a rule selects whose
 *                        record would be lost (the ring buffer is full)
 *   -a ACTION,io_uring   (or io_uring,ACTION) then -S, -F, -k in any order:
 *   -A ACTION,io_uring   the same, but the rule goes to the front of the set
 *                        (auditctl's prepend); later -A rules go before earlier
 *      -S op[,op...]     op names, numbers 0..255, or all; repeatable; required
 *      -F fieldOPvalue   one token, no spaces around OP (quote the value)
 *      -k key            at most one key per rule (-F key=... counts as -k)
 *      -F errno=E        deny and kill rules only, at most once: the error
 *                        (a name as exit= takes, EPERM, or 1..4095) the
 *                        stopped request gets instead of EACCES
 *
 * Option arguments may be glued as getopt allows (-Sopenat, -Fuid=0, -kkey).
 * Every other auditctl option (-w, -b, -f, -r, -l, ...) is an error.
 * Actions: always, never; extensions: deny, kill.
 */
#ifndef UA_RULES_H
#define UA_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ua_abi.h"
#include "optable.h"

#define UA_RULES_MAX 256       /* rules in one set (the kernel map's size) */
#define UA_RULE_FIELDS_MAX 64  /* -F per rule (-F key= and -k not counted) */
#define UA_RULE_KEY_MAX 256    /* bytes of -k */
#define UA_RULE_LINE_MAX 8192  /* bytes of one line, newline excluded */
#define UA_RULE_STR_MAX 255    /* bytes of a path/dir value */
#define UA_RULE_COMM_MAX 15    /* bytes of a comm value (TASK_COMM_LEN - 1) */
#define UA_RULE_EXE_MAX 4095   /* bytes of an exe or cgroup path (PATH_MAX - 1) */
#define UA_RULE_UNIX_MAX 107   /* addr=: bytes of a unix socket path, or of an abstract name */
#define UA_DIAG_ERRORS_MAX 100 /* errors kept in one ua_diags; then "too many errors" */

/*
 * Field ids, operators and actions are the rule ABI, enums of bpf/ua_abi.h shared with the
 * BPF programs. What the parser stores for each field id (struct ua_rule_field):
 *   pid ppid                        num: 0..4294967295
 *   uid euid suid fsuid             num: 0..4294967295 (-1 is 4294967295)
 *   gid egid sgid fsgid             num: 0..4294967295 (-1 is 4294967295)
 *   auid ses                        num: 0..4294967295 (-1 and unset are 4294967295)
 *   exe                             str: an absolute path, is_str = 1
 *   comm                            str: 1..15 bytes, is_str = 1
 *   cgroup                          str: a path starting with /, is_str = 1;
 *                                   or num: an id 1..2^63-1, is_str = 0
 *   success                         num: 0 or 1 (no/yes)
 *   exit                            num: -2^31..2^31-1 (EACCES and -EACCES are -13)
 *   ctx                             num: task 0, sqpoll 1, iowq 2
 *   cred                            num: task 0, personality 1, sqpoll 2
 *   personality                     num: 1..65535
 *   dir path                        str: an absolute path of 1..255 bytes, is_str = 1
 *   family                          num: the address family (AF_*), 0..65535
 *   addr                            str: the address's bytes, is_str = 1; num: its family
 *                                   (UA_AF_*), prefix: the prefix length in bits:
 *                                     inet   4 bytes, network order, prefix 0..32
 *                                     inet6  16 bytes, network order, prefix 0..128
 *                                     unix   sun_path's bytes, 1..107 ('/...'), or a NUL
 *                                            and 1..107 bytes ('@...', abstract); prefix 0
 *                                   host bits beyond the prefix are always 0
 *   port                            num: 0..65535
 *   obj_uid obj_gid                 num: 0..4294967295 (-1 is 4294967295)
 *   key                             never in fields: -F key=K is stored as -k K
 *
 * saddr and saddr_fam are other names for addr and family (auditctl spells them so); the
 * normal form writes addr and family.
 *
 * Operators: numeric fields (ids, pid, ppid, personality, exit, port,
 * obj_uid, obj_gid) take all of them; exe, comm, cgroup, success, ctx, cred,
 * family and addr take = and != only; dir, path and key take = only.
 */

struct ua_rule_field {
	enum ua_field_id id;
	enum ua_cmp cmp;
	int64_t num;	/* numeric value (uids as unsigned 32-bit; exit signed) */
	char *str;	/* string fields: the bytes given (NUL-terminated copy), else NULL */
	size_t str_len; /* bytes of str, NUL excluded */
	int is_str; /* the value is str (always for exe/comm/dir/path/addr; cgroup path vs id) */
	int prefix; /* addr: prefix length in bits (inet 0..32, inet6 0..128); else 0 */
	/* Filled by the daemon for exe= and cgroup= paths: */
	uint64_t res1,
		res2; /* exe, path, dir: ino, dev (path, dir: 0 if absent at load); cgroup: id, level */
	int line, col; /* where the field (the token after -F) starts, for messages */
};

struct ua_rule {
	int file;      /* index in ua_ruleset.files of the text it came from */
	int line, col; /* where its -a (or -A) is */
	enum ua_action action;
	uint64_t opmask[4]; /* -S; "all" sets all 256 bits, named or not */
	int all_ops;	    /* -S all was given (formatted back as -S all) */
	struct ua_rule_field *fields;
	size_t nfields;
	char *key; /* NULL when none; NUL-terminated, no control bytes */
	size_t key_len;
	int err; /* deny/kill: -F errno=, the error of the stopped request (1..4095); 0: EACCES */
	/*
	 * Set by the parser (ua_rule_at_completion() with its op table): some field of the
	 * rule is known only when the request completes, for some op of the rule. The
	 * compiler turns it into UA_KR_COMPLETION. Derived: ua_rules_equal() ignores it.
	 */
	int completion;
};

/* Zero-initialise ({ 0 }) before the first ua_rules_parse(). */
struct ua_ruleset {
	struct ua_rule *rules; /* in evaluation order: first match wins */
	size_t n;
	int delete_all;		    /* -D at the top */
	int locked;		    /* -e 2 */
	int best_effort;	    /* --enforce best-effort: deny/kill without BPF-LSM */
	unsigned int deny_policies; /* --deny NAME: UA_RULES_DENY_* */
	char **files;		    /* the names given to ua_rules_parse(), in call order */
	size_t nfiles;
};

/* ua_ruleset.deny_policies: the bit of each --deny policy (bpf/deny.h's
 * UA_POL_* have the same values). */
#define UA_RULES_DENY_SQPOLL (1u << 0)
#define UA_RULES_DENY_PERSONALITY (1u << 1)
#define UA_RULES_DENY_UNRECORDED (1u << 2)

/* One message about the input: file:line:col: text. */
struct ua_diag {
	int file; /* index in ua_ruleset.files */
	int line, col;
	int warning; /* 0: error (nothing is loaded), 1: warning */
	char msg[320];
};

/* Zero-initialise ({ 0 }) before use; may collect the diagnostics of several texts. */
struct ua_diags {
	struct ua_diag *v;
	size_t n, cap;
	size_t errors; /* diagnostics in v with warning == 0 */
};

/*
 * Parse @len bytes of rule text named @name (a file name for messages, copied
 * into rs->files; NULL is shown as "<input>"). Every line is checked; each
 * problem is added to @d (may be NULL), in line order; after
 * UA_DIAG_ERRORS_MAX errors in @d a last "too many errors" ends the parse.
 *
 * Returns 0 when the text has no error, -EINVAL when it has, -ENOMEM. Rules
 * are appended to @rs (or, for -A, put in front), so several files parse into
 * one set in order. On -EINVAL and -ENOMEM nothing of this text is added to
 * @rs (rules, -D, -e) except its name, which still counts as a file: -D is
 * allowed only while rs->nfiles is 0, i.e. at the top of the first text.
 * The limit of UA_RULES_MAX counts the rules already in @rs. A rule whose
 * normal form (ua_rules_format) would not fit in UA_RULE_LINE_MAX is an
 * error too, so that the normal form always reads back.
 */
int ua_rules_parse(struct ua_ruleset *rs, const char *name, const char *text, size_t len,
		   const struct ua_optable *ops, struct ua_diags *d);

/*
 * Warnings that need the whole set, added to @d: a rule shadowed by an earlier
 * one with no -F fields whose ops include all of its ops ("rule shadowed by
 * line N"); fields of one rule that no request can satisfy together ("fields
 * contradict: the rule never matches ..."). Only numeric fields (family and
 * port included), success, ctx, cred and comm are compared; exe (hard links),
 * cgroup, dir and path (a request may have two names) and addr (prefixes
 * nest) never count as contradicting. Returns 0 or -ENOMEM.
 */
int ua_rules_check_set(const struct ua_ruleset *rs, const struct ua_optable *ops,
		       struct ua_diags *d);

/*
 * Print the set in normal form: -D first if delete_all, one rule a line, ops
 * by name in number order (numbers for ops @ops does not name) or -S all,
 * fields in the order given with canonical values (auid/ses 4294967295 as
 * unset, exit as a number, ctx/cred as names, success as 0/1, family as
 * inet/inet6/unix or a number, addr as inet_ntop() writes it with /N only
 * below 32 or 128 bits, abstract unix names with '@'; saddr and saddr_fam as
 * addr and family), values and keys quoted when they hold a space, tab or
 * '"', -e 2 last if locked.
 * Parsing the output gives an equal set (ua_rules_equal). Returns out->err,
 * or -EINVAL for a field the parser would not produce.
 */
int ua_rules_format(const struct ua_ruleset *rs, const struct ua_optable *ops, struct ua_buf *out);

/* One field as in the normal form, without "-F ": auid!=unset. Returns out->err or -EINVAL. */
int ua_rule_field_format(const struct ua_rule_field *f, struct ua_buf *out);

/*
 * 1 if @a and @b hold the same rules in the same order (action, ops, all_ops,
 * fields with their values, keys) and the same delete_all and locked; 0
 * otherwise. Positions, file names, the daemon's res1/res2 and the derived
 * completion flag are ignored.
 */
int ua_rules_equal(const struct ua_ruleset *a, const struct ua_ruleset *b);

/* Union of every rule's opcodes that can record (always/deny/kill). */
void ua_rules_opmask(const struct ua_ruleset *rs, uint64_t mask[4]);

/*
 * The ops a field can match: returns 1 and fills @mask for a field restricted
 * to some ops, 0 for a field that applies to every op, -EINVAL for an unknown
 * id. The ops come from the class column of lib/ops.def, found by name in @ops
 * (a name @ops lacks is simply absent):
 *   dir path          classes NAMES and FD (ops that carry names, ops on a
 *                     file descriptor or fixed file)
 *   family            classes SOCK and FAMILY (ops that may work on a socket,
 *                     and socket)
 *   addr port         class SOCK
 *   obj_uid obj_gid   every op (named or not) but those of class NOOBJ (no
 *                     object: nop, timeouts, buffers, futexes, waitid, and the
 *                     *at ops that make or remove names)
 * A rule none of whose ops a field can match never matches: an error at parse.
 */
int ua_field_ops(enum ua_field_id id, const struct ua_optable *ops, uint64_t mask[4]);

/*
 * 1 if some field of @r is known only when a request completes, for some op of
 * @r (ops found by name in @ops): success, exit, ctx, obj_uid, obj_gid always;
 * dir and path when an op of @r is not of class NAMES (the others resolve their
 * file at completion); family, addr and port when an op of @r is of neither
 * class ADDR nor FAMILY (which carry the address, or the family, at submit).
 * 0 otherwise. The parser stores it in r->completion.
 */
int ua_rule_at_completion(const struct ua_rule *r, const struct ua_optable *ops);

/*
 * Whether the kernel decides rule @r at completion (UA_KR_COMPLETION): r->completion as the
 * parser set it, or a field known only at completion whatever the op (success, exit, ctx,
 * obj_uid, obj_gid), so that a rule built without the parser is right for those still.
 */
int ua_rule_completion(const struct ua_rule *r);

/*
 * What the kernel compares a field with (struct ua_kfield in bpf/uringaudit.h): val, val2,
 * and for string values the bytes that go to the bank's string table (str_idx, str_len).
 */
struct ua_kval {
	uint64_t val, val2;
	const char *str; /* NULL: no string entry; else str_len bytes, NULs allowed (addr) */
	size_t str_len;
};

/*
 * Fill @kv for @f:
 *   numeric fields (ids, pid, ppid, auid, ses, success, exit, ctx, cred,
 *   personality, family, port, obj_uid, obj_gid)
 *                    val = num (family: the AF_* number; exit: the signed
 *                    value as 64 bits)
 *   exe              val = inode, val2 = device (res1, res2, from the daemon)
 *   cgroup           a path: val = id, val2 = level (res1, res2); an id:
 *                    val = the id, val2 = (uint64_t)-1 (exact)
 *   comm dir path    str = the value's bytes; dir and path also val = inode,
 *                    val2 = device (res1, res2: the directory or file as the
 *                    daemon found it at load, 0 when absent)
 *   addr             inet/inet6: str = the address in network order (4 or 16
 *                    bytes), val = UA_AF_INET or UA_AF_INET6, val2 = the
 *                    prefix length in bits; unix: str = the path's bytes
 *                    (abstract: a NUL, then the name), val = UA_AF_UNIX,
 *                    val2 = 0
 * Returns 0, or -EINVAL for a field the parser would not produce.
 */
int ua_rule_field_kval(const struct ua_rule_field *f, struct ua_kval *kv);

/* Names as written in rules ("auid", "always", "<="), or NULL for an unknown value. */
const char *ua_field_name(enum ua_field_id id);
const char *ua_action_name(enum ua_action a);
const char *ua_cmp_name(enum ua_cmp c);

/*
 * "NAME:LINE:COL: MSG" or "NAME:LINE:COL: warning: MSG", NAME from
 * rs->files[g->file] ("<input>" if unknown). Returns out->err.
 */
int ua_diag_format(const struct ua_ruleset *rs, const struct ua_diag *g, struct ua_buf *out);

/* Free everything; the structure is then as zero-initialised. */
void ua_ruleset_release(struct ua_ruleset *rs);
void ua_diags_release(struct ua_diags *d);

#endif /* UA_RULES_H */
