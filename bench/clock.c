// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Time and the stop flag, shared by every bench file. Kept out of
 * uabench.c (the main program) so that the workload, variant and /proc
 * files depend on this small file and not on the program that uses them.
 */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

volatile sig_atomic_t bench_stop;

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sleep_s(double secs)
{
	double end = now_s() + secs;

	while (!bench_stop && now_s() < end)
		usleep(secs < 0.01 ? (useconds_t)(secs * 1e6) : 10000);
}
