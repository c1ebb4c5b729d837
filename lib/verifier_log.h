/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Why the kernel's verifier refused a program, in one line, from the message
 * libbpf prints with the verifier's log (pure text, no libbpf).
 */
#ifndef UA_VERIFIER_LOG_H
#define UA_VERIFIER_LOG_H

#include <stddef.h>

/*
 * @msg: one message libbpf printed. When it holds a program's load log
 * ("prog 'NAME': -- BEGIN PROG LOAD LOG --\n...-- END PROG LOAD LOG --"),
 * writes "program 'NAME': REASON" to @out and returns 1, REASON being the
 * log's last line before its "processed N insns" summary (the verifier
 * writes the refusal there), else its last non-empty line. Returns 0 for
 * any other message (@out untouched).
 */
int ua_verifier_reason(const char *msg, char *out, size_t outlen);

#endif /* UA_VERIFIER_LOG_H */
