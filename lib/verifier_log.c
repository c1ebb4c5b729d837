// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "verifier_log.h"

static const char begin_mark[] = "-- BEGIN PROG LOAD LOG --";
static const char end_mark[] = "-- END PROG LOAD LOG --";

int ua_verifier_reason(const char *msg, char *out, size_t outlen)
{
	const char *b = strstr(msg, begin_mark), *e, *p, *line, *best = NULL, *q;
	const char *name = "?";
	size_t namelen = 1, bestlen = 0;

	if (!b || !outlen)
		return 0;
	p = strstr(msg, "prog '");
	if (p && p < b) {
		q = strchr(p + 6, '\'');
		if (q && q < b) {
			name = p + 6;
			namelen = (size_t)(q - name);
		}
	}
	b += sizeof(begin_mark) - 1;
	e = strstr(b, end_mark);
	if (!e)
		e = b + strlen(b);
	for (line = b; line < e; line = q + 1) {
		size_t len;

		q = memchr(line, '\n', (size_t)(e - line));
		if (!q)
			q = e;
		len = (size_t)(q - line);
		if (!strncmp(line, "processed ", 10) && best)
			break; /* the summary: the refusal was the line before */
		if (len)
			best = line, bestlen = len;
		if (q == e)
			break;
	}
	if (!best)
		snprintf(out, outlen, "program '%.*s': (empty log)", (int)namelen, name);
	else
		snprintf(out, outlen, "program '%.*s': %.*s", (int)namelen, name, (int)bestlen,
			 best);
	return 1;
}
