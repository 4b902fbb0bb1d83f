#!/bin/bash
# least-blocks' weights in the kernel (issue 19): 3:1 on two symmetric
# paths gives path A 75 +- 3 % of the bytes, on the disks' own counters.
# The paths: two null_blk disks that complete every I/O after the same
# fixed time (timer mode, 10 ms), whatever its size and the queue depth, so
# each path's throughput is proportional to the bytes it has in flight,
# and least-blocks keeps those at the weights' ratio.  Mixed sizes (4k to
# 64k) make it a byte share, not a request share.  Before this test the
# weights were only unit-tested: a glue that ignored them passed make
# check.  Catches: tests/mutants/lb-ignore-weights.patch (every path
# weight 1: 50 %), run by scripts/mutants.sh.  Also: a reload of the map
# with the weights swapped (1:3) takes effect (25 +- 3 %).  The points
# over 75 are least-blocks' rule itself: a new I/O costs (in flight + its
# size) / weight, so a large one leans to the heavier path a little more,
# the more the fewer I/Os are in flight.  Hence 10 ms: 32 in flight need
# only ~3200 I/Os a second, which a loaded TCG guest keeps up (at 2 ms it
# measured 77 %, and a slower guest with fewer really in flight would
# drift past 78); the depth reached is printed.  Make torture's debug
# kernel keeps about 2 in flight (83 % measured): there the share is printed,
# not asserted (MP_PERF_SOFT=1, perf_fail in mp.sh).
# Env: PSW_KO_DIR=DIR (mp.sh), LB_W_SECS (fio seconds per share, 8)
set -uo pipefail
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/lib.sh"
need_cmd fio dmsetup
mp_load
secs=${LB_W_SECS:-8}
NULLB_COMPLETION_NSEC=10000000
export NULLB_COMPLETION_NSEC
PA=$(nullb_create lbwa 64) || fail "null_blk A"
PB=$(nullb_create lbwb 64) || fail "null_blk B"
A=$(devnum "$PA") || fail "devnum $PA"
B=$(devnum "$PB") || fail "devnum $PB"
S=$(cat "/sys/block/${PA##*/}/size")

# share WEIGHT_A WEIGHT_B LO HI: fio through the map, A's byte share on the
# disks must be in LO..HI; prints it
share() {
	local s
	ds_snap d0 "$A" "$B"
	fio --name=w --filename=/dev/mapper/lbw --direct=1 --ioengine=libaio --iodepth=32 \
		--rw=randread --bssplit=4k/40:16k/30:64k/30 --runtime="$secs" --time_based \
		--output-format=terse --terse-version=3 >"$TEST_TMP/fio" 2>&1 ||
		{ cat "$TEST_TMP/fio"; fail "fio"; }
	ds_snap d1 "$A" "$B"
	ds_delta d0 d1
	s=$(ds_share 0 100)
	note "weights $1:$2: A moved $s% of the sectors (disks: $((DS_SEC[0] / 2)) / $((DS_SEC[1] / 2)) KiB, ${DS_IOS[0]} / ${DS_IOS[1]} I/Os; about $((DS_IOS_SUM * 10 / (secs * 1000))) in flight of 32)"
	[ "$DS_IOS_SUM" -ge 500 ] || fail "weights $1:$2: only $DS_IOS_SUM I/Os reached the disks"
	[ "$s" -ge "$3" ] && [ "$s" -le "$4" ] ||
		perf_fail "weights $1:$2: A's share of the bytes (disks) = $s, expected $3..$4"
}

mp_create lbw "$(mp_table "$S" rq "least-blocks 0" "$A:3" "$B:1")"
share 3 1 72 78
mp_assert_idle lbw "$A" "$B"
# a reload with the weights swapped takes effect
dmsetup load lbw --table "$(mp_table "$S" rq "least-blocks 0" "$A:1" "$B:3")" || fail "load 1:3"
dmsetup resume lbw || fail "resume 1:3"
share 1 3 22 28
mp_assert_idle lbw "$A" "$B"
mp_remove lbw || fail "remove lbw"
nullb_remove lbwa
nullb_remove lbwb
check_klog_clean || fail "kernel log not clean"
