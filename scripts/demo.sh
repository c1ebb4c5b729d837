#!/bin/sh
# make demo: start the daemon with the built-in rules, records on stdout; make
# three io_uring requests it records (an open, an async open, one that
# fails); stop it. The daemon's own start and stop records frame them.
set -u
B=${1:-build}
UA="$B/uringaudit"
DRV="$B/tests/uring_driver"
T=$(mktemp -d /tmp/uringaudit-demo.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
"$UA" run --log - --pid-file "$T/pid" --socket "$T/sock" &
ua=$!
i=0
# The verifier can take a while on a busy machine: wait for the pid file.
while [ ! -s "$T/pid" ]; do
	if ! kill -0 "$ua" 2>/dev/null; then
		wait "$ua"
		rc=$?
		echo "demo: the daemon did not start (exit $rc)" >&2
		exit 1
	fi
	i=$((i + 1))
	if [ $i -gt 1200 ]; then
		echo "demo: the daemon is not ready after 120 s" >&2
		kill "$ua"
		exit 1
	fi
	sleep 0.1
done
echo "demo: $DRV openat:/etc/hostname openat:/etc/shadow+async openat:/nonexistent" >&2
"$DRV" openat:/etc/hostname openat:/etc/shadow+async openat:/nonexistent >/dev/null
sleep 0.5
kill -TERM "$ua"
wait "$ua"
