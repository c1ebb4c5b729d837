/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Escaping of untrusted byte strings (paths, comm, exe, keys) for the two record formats.
 * Any byte may appear, NUL included; a record must stay one line and parse back to the exact
 * bytes, whatever a hostile process names its files.
 */
#ifndef UA_ESCAPE_H
#define UA_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/*
 * The kernel audit rule (audit_string_contains_control, audit_log_n_untrustedstring): if
 * every byte is in 0x21..0x7E and none is '"', the string in double quotes; otherwise every
 * byte as two uppercase hex digits, unquoted. "" for the empty string. Returns out->err.
 */
int ua_escape_text(struct ua_buf *out, const char *s, size_t len);
/*
 * Inverse of ua_escape_text() for one field value: "..." or an even number of hex digits
 * (either case). Sentinels such as ? or (none) are the caller's business: -EINVAL here, as
 * for anything malformed. On error nothing is appended.
 */
int ua_unescape_text(const char *in, size_t inlen, struct ua_buf *out);

/*
 * A JSON string, quotes included, that encodes bytes: 0x20..0x7E as themselves except '"'
 * and '\' (written \" and \\), each well-formed UTF-8 character (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) as itself, and every other byte b (controls,
 * DEL, bytes of no well-formed character) as \u00XX (lowercase hex). So UTF-8 names read as
 * written, the output is valid UTF-8 with no raw control byte, and it decodes back to the
 * same bytes: an escape \u0080..\u00ff stands for that raw byte, never for the character
 * U+0080..U+00FF (which, being valid, is written as its UTF-8 bytes). Returns out->err.
 */
int ua_escape_json(struct ua_buf *out, const char *s, size_t len);
/*
 * Parse one JSON string starting at in[0] == '"' and append its bytes to @out. Accepts
 * \" \\ \/ \b \f \n \r \t, \u00XX (the byte XX) and raw well-formed UTF-8 characters; a \u
 * escape above 0xff, a raw control byte or raw bytes that are no well-formed UTF-8
 * character (never produced by ua_escape_json) are -EINVAL. *consumed (if not NULL)
 * gets the bytes of @in used, closing quote included. On error nothing is appended.
 */
int ua_unescape_json(const char *in, size_t inlen, struct ua_buf *out, size_t *consumed);

/* The length of the well-formed UTF-8 character at @p (@avail bytes there): 1..4, or 0 when
 * the bytes are no such character (a lone continuation, an overlong form, a surrogate, a
 * code point above U+10FFFF, a truncated sequence). */
size_t ua_utf8_len(const unsigned char *p, size_t avail);

#endif /* UA_ESCAPE_H */
