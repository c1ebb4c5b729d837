/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed pseudo-random function: without the
 * 128-bit key its outputs cannot be inverted or linked to its inputs. Records name rings by
 * SipHash of the kernel's ring serial under a key drawn at daemon start, so that no record
 * carries, or lets anyone compute, a kernel address.
 */
#ifndef UA_SIPHASH_H
#define UA_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct ua_siphash_key {
	uint64_t k0, k1;
};

uint64_t ua_siphash(const struct ua_siphash_key *key, const void *data, size_t len);

/* SipHash of one 64-bit value (its little-endian bytes). */
uint64_t ua_siphash_u64(const struct ua_siphash_key *key, uint64_t v);

/* A key from the kernel's random source (getrandom). 0, or -errno. */
int ua_siphash_key_random(struct ua_siphash_key *key);

#endif /* UA_SIPHASH_H */
