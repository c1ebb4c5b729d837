// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Container ids from /proc/PID/cgroup contents. */
#include <errno.h>
#include <string.h>

#include "container.h"
#include "test.h"

#define ID "3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct {
	const char *name, *text, *want; /* want NULL: no container */
} cases[] = {
	{ "docker_systemd", "0::/system.slice/docker-" ID ".scope\n", ID },
	{ "docker_cgroupfs", "0::/docker/" ID "\n", ID },
	{ "podman", "0::/machine.slice/libpod-" ID ".scope/container\n", ID },
	{ "containerd", "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-" ID ".scope\n", ID },
	{ "host", "0::/user.slice/user-1000.slice/session-3.scope\n", NULL },
	{ "root", "0::/\n", NULL },
	{ "too_short", "0::/docker/" "3f2a9c0d3f2a9c0d" "\n", NULL },
	{ "too_long", "0::/docker/" ID "0\n", NULL },
	{ "uppercase_is_not_an_id", "0::/docker/3F2A9C0D3F2A9C0D3F2A9C0D3F2A9C0D3F2A9C0D3F2A9C0D3F2A9C0D3F2A9C0D\n", NULL },
	{ "last_id_wins", "0::/docker/" ID2 "/nested-" ID ".scope\n", ID },
	{ "v2_preferred_over_v1", "0::/docker/" ID "\n4:cpu:/docker/" ID2 "\n", ID },
	{ "v1_only", "12:memory:/docker/" ID2 "\n", ID2 },
	{ "no_trailing_newline", "0::/docker/" ID, ID },
	{ "empty", "", NULL },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[UA_CONTAINER_ID_LEN + 1];
		int rc = ua_container_id(cases[i].text, strlen(cases[i].text), out);

		if (!cases[i].want) {
			ASSERT_EQ(rc, -ENOENT, cases[i].name);
			continue;
		}
		if (ASSERT_EQ(rc, 0, cases[i].name))
			ASSERT_STREQ(out, cases[i].want, cases[i].name);
	}
}

int main(void)
{
	RUN_TEST(test_cases);
	return test_main_end();
}
