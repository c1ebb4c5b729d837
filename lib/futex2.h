/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The futex2 flags that IORING_OP_FUTEX_WAIT/WAKE (Linux 6.7) take, for
 * the test programs and the benchmark: Debian 12's uapi headers lack them.
 * The opcodes themselves are UA_OP_FUTEX_WAIT/_WAKE of optable.h.
 */
#ifndef UA_FUTEX2_H
#define UA_FUTEX2_H

#include <linux/futex.h>

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02
#endif
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE 128
#endif

#endif
