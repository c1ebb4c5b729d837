#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The log on a full disk (a small tmpfs): records that cannot be written are
# counted as lost, never glued to a fragment, said by a URING_LOST record once
# space returns, and `recorded` counts only what was written.
. "$(dirname "$0")/lib.sh"

CASES=(disk_full_no_torn_line disk_full_loss_said disk_full_counts_add_up disk_full_recorded
	disk_full_suspend)
ua_require "${CASES[@]}"

SMALL=$UA_TMP/small
mkdir -m 0700 "$SMALL"
if ! mount -t tmpfs -o size=64k,mode=0700 tmpfs "$SMALL" 2>"$UA_TMP/mount.err"; then
	for n in "${CASES[@]}"; do skip "$n" "cannot mount a tmpfs: $(cat "$UA_TMP/mount.err")"; done
	exit 0
fi
trap "ua_cleanup_disk" EXIT
ua_cleanup_disk() {
	ua_stop >/dev/null 2>&1
	umount "$SMALL" 2>/dev/null
	ua_cleanup
}

N=150
KEY=disk$$
# A path no other process opens: other tests run at the same time.
NOFILE=/nonexistent-uringaudit-disk-$$
printf -- '-a always,io_uring -S openat -F path=%s -k %s\n' "$NOFILE" "$KEY" >"$UA_TMP/disk.rules"
UA_LOG=$SMALL/log.json
ua_start --rules "$UA_TMP/disk.rules" || { fail disk_full_no_torn_line "daemon did not start"; exit 0; }

# Fill what the start record left, then N opens whose records cannot be written.
dd if=/dev/zero of="$SMALL/filler" bs=1k count=128 2>/dev/null
steps=()
for ((i = 0; i < N; i++)); do steps+=("openat:$NOFILE"); done
drive "${steps[@]}"
pid1=$(drv pid)
# The daemon has seen them all when its counters say so; then space returns.
wait_for eval '[ "$("$UA" status --json --socket "$UA_TMP/sock" | jq .events)" -ge $N ]'
rm -f "$SMALL/filler"
drive openat:$NOFILE
pid2=$(drv pid)
wait_for grep -q "\"pid\":$pid2" "$UA_LOG"
wait_for grep -q '"type":"URING_LOST".*"reason":"write_error"' "$UA_LOG"

# One snapshot for the three counts: the daemon keeps writing (other
# processes' requests) between reads of the live log.
cp "$UA_LOG" "$UA_TMP/snap.json"
lines=$(wc -l <"$UA_TMP/snap.json")
parsed=$(jq -c . "$UA_TMP/snap.json" 2>/dev/null | wc -l)
starts=$(grep -c '^{"type":' "$UA_TMP/snap.json")
if [ "$parsed" = "$lines" ] && [ "$starts" = "$lines" ]; then
	ok disk_full_no_torn_line
else
	fail disk_full_no_torn_line "$lines lines, $parsed parse as JSON, $starts start a record"
fi

lost=$(jq -r 'select(.type=="URING_LOST" and .reason=="write_error") | .lost' "$UA_LOG" |
	awk '{s += $1} END {print s + 0}')
if [ "$lost" -gt 0 ]; then
	ok disk_full_loss_said
else
	fail disk_full_loss_said "no URING_LOST reason=write_error with a count"
fi

# Every record of the first driver is in the log or counted lost: its ring's
# URING_SETUP and N URINGOP. Nothing else is selected (one key, one path).
written=$(jq -c "select(.pid==$pid1)" "$UA_LOG" | wc -l)
echo "# written=$written lost=$lost" >&2
check_eq disk_full_counts_add_up "$((written + lost))" "$((N + 1))" && ok disk_full_counts_add_up

# recorded counts the URINGOP records written, not those lost.
# recorded counts the URINGOP records written, not those lost; unwritten the lost.
st=$("$UA" status --json --socket "$UA_TMP/sock")
inlog=$(jq -c 'select(.type=="URINGOP")' "$UA_LOG" | wc -l)
check_eq disk_full_recorded "$(jq -r '"\(.recorded) \(.unwritten)"' <<<"$st")" "$inlog $lost" &&
	ok disk_full_recorded

# disk_full_action = suspend: nothing written until SIGUSR2, then the loss said.
ua_stop
rm -f "$SMALL"/*
cat >"$UA_TMP/s.conf" <<EOC
log_file = $SMALL/s.json
log_format = json
disk_full_action = suspend
EOC
UA_LOG=$SMALL/s.json
if ua_start --rules "$UA_TMP/disk.rules" --config "$UA_TMP/s.conf"; then
	dd if=/dev/zero of="$SMALL/filler" bs=1k count=128 2>/dev/null
	# Enough records to overflow the free end of the log's last page (a
	# tmpfs page holds up to 4 KiB more of a file without a new block).
	drive openat:$NOFILE openat:$NOFILE openat:$NOFILE openat:$NOFILE openat:$NOFILE \
		openat:$NOFILE openat:$NOFILE openat:$NOFILE
	wait_for grep -q "writing suspended" "$UA_TMP/daemon.err"
	rm -f "$SMALL/filler"
	drive openat:$NOFILE
	p3=$(drv pid)
	wait_for eval '[ "$("$UA" status --json --socket "$UA_TMP/sock" | jq .unwritten)" -ge 4 ]'
	before=$(grep -c "\"pid\":$p3," "$UA_LOG")
	kill -USR2 "$UA_PID"
	wait_for grep -q '"type":"URING_LOST".*"reason":"suspended"' "$UA_LOG"
	ops=$(jq -r 'select(.type=="URING_DAEMON") | .op' "$UA_LOG" | tr '\n' ' ')
	if [ "$before" = 0 ] && [[ $ops == "start disk_full suspend resume "* ]]; then
		ok disk_full_suspend
	else
		fail disk_full_suspend "before=$before daemon records: $ops"; cat "$UA_LOG" >&2; cat "$UA_TMP/daemon.err" >&2
	fi
else
	fail disk_full_suspend "daemon did not start"
fi
