#!/bin/bash
# Every CPU in one path's start_io/end_io at once (issue 15): a
# least-blocks map (request mode) and a weighted-paths map (bio mode), two
# paths each over null_blk disks that complete at once, and fio with one
# job per online CPU, 4k random reads at queue depth 8, HOT_SECS (20) per
# map.  Unlike t_storm (path messages at human-made rates against slow
# I/O), this puts the per-I/O accounting of one path on several CPUs in the
# same microseconds, thousands of times a second: the window in which an
# unmarked, non-atomic update of a path's in-flight count loses an update.
# Checks: fio 0 errors; both paths carried I/O; every path back to 0 bytes
# in flight once the I/O has stopped (a lost add or subtract leaves the
# count off, for good).  On the KCSAN kernel (make torture's kcsan part:
# TCG multi, the vCPUs really run at once) KCSAN reports such an access,
# and the report fails the test (tests/vm/bad-kernel-patterns.txt).
# Catches: tests/mutants/kcsan-plain-inflight.patch (start_io's add a
# plain read-modify-write), run by scripts/mutants.sh on the KCSAN kernel.
# Env: PSW_KO_DIR=DIR (mp.sh), HOT_SECS (fio seconds per map, 20).
set -uo pipefail
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/lib.sh"
need_cmd fio dmsetup
mp_load
secs=${HOT_SECS:-20}
ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || fail "only $ncpu CPU online: nothing can race (vm-run --smp 4)"
PA=$(nullb_create hota 64) || fail "null_blk A"
PB=$(nullb_create hotb 64) || fail "null_blk B"
A=$(devnum "$PA") || fail "devnum $PA"
B=$(devnum "$PB") || fail "devnum $PB"
S=$(cat "/sys/block/${PA##*/}/size")

for v in "least-blocks 0|rq" "weighted-paths 0|bio"; do
	IFS='|' read -r sel mode <<<"$v"
	mp_create hot "$(mp_table "$S" "$mode" "$sel" "$A:1" "$B:1")"
	fio --name=hot --filename=/dev/mapper/hot --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randread --bs=4k --numjobs="$ncpu" --time_based --runtime="$secs" \
		--group_reporting --output-format=terse --terse-version=3 >"$TEST_TMP/fio" 2>&1 ||
		{ cat "$TEST_TMP/fio"; fail "$sel: fio"; }
	errs=$(awk -F';' '/^3;/ { print $5 }' "$TEST_TMP/fio")
	read -r a b <<<"$(mp_ios hot "$A" "$B")"
	note "$sel ($mode): $ncpu jobs, $((a + b)) I/Os in ${secs}s (A $a, B $b), fio errors ${errs:-?}"
	[ "${errs:-1}" = 0 ] || fail "$sel: fio reported errors ($errs)"
	[ "$a" -gt 0 ] && [ "$b" -gt 0 ] || fail "$sel: a path carried no I/O (A $a, B $b)"
	mp_assert_idle hot "$A" "$B"
	mp_remove hot || fail "remove hot"
done
nullb_remove hota
nullb_remove hotb
check_klog_clean || fail "kernel log not clean"
