// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Holders of SQPOLL rings (issue 10 item 8): the daemon's side of
 * bpf/holders.bpf.c. When the consumer sees a request run by a ring's SQ
 * thread, it asks whether the ring's holders are due a listing (not listed
 * within UA_HOLDERS_RESCAN_MS); a listing runs the three iterators (fds,
 * mappings, registered ring fds) over every task, merges their lines per
 * (ring, process) and hands each to the caller. One listing covers every
 * SQPOLL ring, so every ring known here is marked listed by it.
 *
 * Nothing here runs per request in the kernel: the iterators run only when
 * read. Listings are spaced at least UA_HOLDERS_GAP_MS apart; a ring due
 * sooner waits for the next tick (ua_holders_tick).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "holders.h"
#include "holders.skel.h"

#define UA_HOLDERS_RESCAN_MS 1000
#define UA_HOLDERS_GAP_MS 100
#define RINGS_MAX 1024 /* a power of two */

struct ring_seen {
	uint64_t ring; /* kernel key; 0: free */
	uint64_t listed_ms;
	int listed;	  /* listed at least once */
	uint32_t holders; /* other processes at the last listing */
};

struct ua_holders {
	struct holders *skel;
	struct bpf_link *links[3];
	struct ring_seen rings[RINGS_MAX];
	size_t nrings;
	uint64_t last_scan_ms;
	int want; /* a ring is due but the gap has not passed */
	struct ua_holders_stats st;
	char *buf;
	size_t cap;
	/* The last listing, merged and sorted: a holder already in it is not
	 * written again. */
	struct ua_holder *prev;
	size_t nprev;
	/* The iterators see ring addresses; records and requests name rings by
	 * the main programs' serial: this gives it (0, or -1: none). */
	int (*serial_of)(void *ctx, uint64_t addr, uint64_t *serial);
	void *serial_ctx;
};

void ua_holders_set_serial(struct ua_holders *h,
			   int (*serial_of)(void *ctx, uint64_t addr, uint64_t *serial), void *ctx)
{
	h->serial_of = serial_of;
	h->serial_ctx = ctx;
}

struct ua_holders *ua_holders_open(char *err, size_t errlen)
{
	struct ua_holders *h = calloc(1, sizeof(*h));
	struct bpf_program *progs[3];
	int rc, i;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	h->skel = holders__open_and_load();
	if (!h->skel) {
		rc = -errno;
		snprintf(err, errlen, "holders iterators: load: %s", strerror(-rc));
		goto fail;
	}
	progs[0] = h->skel->progs.holder_fd;
	progs[1] = h->skel->progs.holder_mmap;
	progs[2] = h->skel->progs.holder_registered;
	for (i = 0; i < 3; i++) {
		h->links[i] = bpf_program__attach_iter(progs[i], NULL);
		if (!h->links[i]) {
			rc = -errno;
			snprintf(err, errlen, "holders iterators: attach %s: %s",
				 bpf_program__name(progs[i]), strerror(-rc));
			goto fail;
		}
	}
	return h;
fail:
	ua_holders_free(h);
	errno = -rc;
	return NULL;
}

void ua_holders_free(struct ua_holders *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < 3; i++)
		bpf_link__destroy(h->links[i]);
	holders__destroy(h->skel);
	free(h->prev);
	free(h->buf);
	free(h);
}

/* Rings seen, by kernel key: open addressing, linear probing. When 3/4
 * full the table starts again empty; the rings then forgotten are listed
 * again when next seen (listings stay UA_HOLDERS_GAP_MS apart). */
static struct ring_seen *ring_find(struct ua_holders *h, uint64_t ring, int add)
{
	uint64_t k = ring * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(k >> 54) & (RINGS_MAX - 1), n;

	for (n = 0; n < RINGS_MAX; n++, i = (i + 1) & (RINGS_MAX - 1)) {
		struct ring_seen *r = &h->rings[i];

		if (r->ring == ring)
			return r;
		if (!r->ring)
			break;
	}
	if (!add)
		return NULL;
	if (h->nrings >= RINGS_MAX / 4 * 3) {
		memset(h->rings, 0, sizeof(h->rings));
		h->nrings = 0;
		return ring_find(h, ring, add);
	}
	h->rings[i].ring = ring;
	h->nrings++;
	return &h->rings[i];
}

int ua_holders_due(struct ua_holders *h, uint64_t ring, uint64_t now_ms)
{
	struct ring_seen *r = ring_find(h, ring, 1);

	if (r->listed && now_ms - r->listed_ms < UA_HOLDERS_RESCAN_MS)
		return 0;
	if (h->last_scan_ms && now_ms - h->last_scan_ms < UA_HOLDERS_GAP_MS) {
		h->want = 1;
		return 0;
	}
	return 1;
}

int ua_holders_want(const struct ua_holders *h, uint64_t now_ms)
{
	return h->want && now_ms - h->last_scan_ms >= UA_HOLDERS_GAP_MS;
}

uint32_t ua_holders_count(struct ua_holders *h, uint64_t ring)
{
	struct ring_seen *r = ring_find(h, ring, 0);

	return r ? r->holders : 0;
}

const struct ua_holders_stats *ua_holders_stats(const struct ua_holders *h)
{
	return &h->st;
}

/* Read iterator @link to its end, appending to h->buf at *@len. */
static int read_iter(struct ua_holders *h, struct bpf_link *link, size_t *len)
{
	int fd = bpf_iter_create(bpf_link__fd(link));
	ssize_t n;

	if (fd < 0)
		return -errno;
	for (;;) {
		if (h->cap - *len < 4096) {
			size_t cap = h->cap ? h->cap * 2 : 65536;
			char *b = realloc(h->buf, cap);

			if (!b) {
				close(fd);
				return -ENOMEM;
			}
			h->buf = b;
			h->cap = cap;
		}
		n = read(fd, h->buf + *len, h->cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return n < 0 ? -errno : 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int by_ring_pid(const void *a, const void *b)
{
	const struct ua_holder *x = a, *y = b;

	if (x->ring != y->ring)
		return x->ring < y->ring ? -1 : 1;
	if (x->owner.pid != y->owner.pid)
		return x->owner.pid < y->owner.pid ? -1 : 1;
	return 0;
}

/* Was @m (merged) in the last listing, the same process holding the same
 * ways? */
static int known(const struct ua_holders *h, const struct ua_holder *m)
{
	const struct ua_holder *p = bsearch(m, h->prev, h->nprev, sizeof(*m), by_ring_pid);

	return p && p->owner.start_time == m->owner.start_time && p->how == m->how &&
	       p->fd == m->fd && p->ring_fd == m->ring_fd;
}

int ua_holders_scan(struct ua_holders *h, uint64_t now_ms, ua_holder_fn fn, void *arg)
{
	struct ua_holder *v, m;
	size_t len = 0, n, i, j, k, nm = 0;
	uint64_t t0 = now_us();
	int rc = 0, nout = 0;

	for (i = 0; i < 3 && !rc; i++)
		rc = read_iter(h, h->links[i], &len);
	h->last_scan_ms = now_ms;
	h->want = 0;
	h->st.scans++;
	if (rc) {
		h->st.errors++;
		return rc;
	}
	/* Every ring known now was covered, holders or not. */
	for (k = 0; k < RINGS_MAX; k++) {
		if (h->rings[k].ring) {
			h->rings[k].listed = 1;
			h->rings[k].listed_ms = now_ms;
			h->rings[k].holders = 0;
		}
	}
	v = (struct ua_holder *)h->buf;
	n = len / sizeof(*v);
	/* Addresses become serials; a ring the programs never named has no
	 * request to explain and is left out (never printed as an address). */
	for (i = 0, k = 0; i < n; i++) {
		uint64_t serial;

		if (!h->serial_of || h->serial_of(h->serial_ctx, v[i].ring, &serial))
			continue;
		v[k] = v[i];
		v[k++].ring = serial;
	}
	n = k;
	qsort(v, n, sizeof(*v), by_ring_pid);
	/* Merged in place: one entry per (ring, process), at v[nm]. */
	for (i = 0; i < n; i = j) {
		struct ring_seen *r;

		m = v[i];
		m.how = 0;
		m.fd = -1;
		m.ring_fd = -1;
		for (j = i; j < n && !by_ring_pid(&v[i], &v[j]); j++) {
			m.how |= v[j].how;
			if (v[j].fd >= 0 && (m.fd < 0 || v[j].fd < m.fd))
				m.fd = v[j].fd;
			if (v[j].ring_fd >= 0 && (m.ring_fd < 0 || v[j].ring_fd < m.ring_fd))
				m.ring_fd = v[j].ring_fd;
		}
		r = ring_find(h, m.ring, 0);
		if (r)
			r->holders++;
		if (!known(h, &m)) {
			fn(arg, &m);
			nout++;
		}
		v[nm++] = m;
	}
	/* Keep this listing for the next one. */
	free(h->prev);
	h->prev = NULL;
	h->nprev = 0;
	if (nm && (h->prev = malloc(nm * sizeof(*v)))) {
		memcpy(h->prev, v, nm * sizeof(*v));
		h->nprev = nm;
	}
	h->st.holders += (uint64_t)nout;
	h->st.last_scan_us = now_us() - t0;
	return nout;
}
