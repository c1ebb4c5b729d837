/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef UA_CONTAINER_H
#define UA_CONTAINER_H

#include <stddef.h>

#define UA_CONTAINER_ID_LEN 64

/*
 * Container id from the contents of /proc/PID/cgroup: the last run of exactly
 * 64 lowercase hex digits in the cgroup v2 ("0::") path, as docker, podman,
 * containerd and cri-o name their scopes ("docker-<id>.scope",
 * "libpod-<id>.scope", "cri-containerd-<id>.scope", "/docker/<id>"). Writes
 * the id and a NUL to @out; returns 0, or -ENOENT when the process is in no
 * container.
 */
int ua_container_id(const char *cgroup_file, size_t len, char out[UA_CONTAINER_ID_LEN + 1]);

#endif /* UA_CONTAINER_H */
