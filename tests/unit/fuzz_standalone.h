/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A main() for the fuzz targets when libFuzzer is not there
 * (-DUA_FUZZ_STANDALONE): each argument is an input file, or stdin without
 * arguments. Included at the end of a fuzz_*.c after its
 * LLVMFuzzerTestOneInput and its check().
 */
#ifndef UA_FUZZ_STANDALONE_H
#define UA_FUZZ_STANDALONE_H

#ifdef UA_FUZZ_STANDALONE
static void run_file(FILE *f)
{
	struct ua_buf b = UA_BUF_INIT;
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ua_buf_add(&b, chunk, n);
	check(b.err == 0, "out of memory");
	LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
	ua_buf_release(&b);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		run_file(stdin);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		run_file(f);
		fclose(f);
	}
	return 0;
}
#endif

#endif /* UA_FUZZ_STANDALONE_H */
