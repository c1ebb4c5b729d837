// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SipHash-2-4 against the reference test vectors (key 00..0f, messages 00 01 02 ...). */
#include <stdint.h>

#include "siphash.h"
#include "test.h"

static const struct ua_siphash_key ref_key = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };

static void test_vectors(void)
{
	/* The reference implementation's outputs for messages of length 0, 1, 2, 3. */
	static const uint64_t want[] = { 0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL,
					 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL };
	unsigned char msg[16];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ASSERT_EQ(ua_siphash(&ref_key, msg, i), want[i], "reference vector");
}

static void test_u64(void)
{
	unsigned char b[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };

	ASSERT_EQ(ua_siphash_u64(&ref_key, 0x8877665544332211ULL), ua_siphash(&ref_key, b, 8),
		  "u64 is its little-endian bytes");
	ASSERT_TRUE(ua_siphash_u64(&ref_key, 1) != ua_siphash_u64(&ref_key, 2), "differs");
}

static void test_random_key(void)
{
	struct ua_siphash_key a, b;

	ASSERT_OK(ua_siphash_key_random(&a), "getrandom");
	ASSERT_OK(ua_siphash_key_random(&b), "getrandom again");
	ASSERT_TRUE(a.k0 != b.k0 || a.k1 != b.k1, "two keys differ");
	ASSERT_TRUE(ua_siphash_u64(&a, 7) != ua_siphash_u64(&b, 7), "ids differ under two keys");
}

int main(void)
{
	RUN_TEST(test_vectors);
	RUN_TEST(test_u64);
	RUN_TEST(test_random_key);
	return test_main_end();
}
