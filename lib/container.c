// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "container.h"

static int is_lhex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Last 64-hex-digit run in [p, end) bounded by non-hex characters. */
static const char *last_id(const char *p, const char *end)
{
	const char *found = NULL;

	while (p < end) {
		const char *s = p;

		while (p < end && is_lhex(*p))
			p++;
		if (p - s == UA_CONTAINER_ID_LEN)
			found = s;
		if (p == s)
			p++;
	}
	return found;
}

int ua_container_id(const char *text, size_t len, char out[UA_CONTAINER_ID_LEN + 1])
{
	const char *p = text, *end = text + len, *id = NULL;

	/* Prefer the unified hierarchy; fall back to any line (cgroup v1). */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *found = last_id(p, eol);

		if (found && (!id || (eol - p > 3 && !memcmp(p, "0::", 3))))
			id = found;
		p = eol + 1;
	}
	if (!id)
		return -ENOENT;
	memcpy(out, id, UA_CONTAINER_ID_LEN);
	out[UA_CONTAINER_ID_LEN] = '\0';
	return 0;
}
