#!/bin/bash
# least-blocks over two symmetric paths to one store, request and bio mode:
# fio verify 0 errors, shares 50+-5%, fail_path under I/O moves all new I/O
# to the other path, reinstate_path brings it back, in-flight 0 at the end,
# rmmod refused while a map uses the module.
# Every share and "no new I/O" check is made twice (issue 14): on the
# selector's status counters and on the path disks' own /sys/block/*/stat
# (ds_* in mp.sh), and the two shares must agree within 3 points.  The
# disk side catches a selector whose status counts I/O on another path
# than the one it sent it to: tests/mutants/lb-pin-fake-status.patch
# (all I/O to path 0, failed or not; completions credited round-robin to
# the usable paths) passes every status check here and fails the disk
# checks of the 50/50 share and of the failed path.
# Env: PSW_KO_DIR=DIR loads the modules from DIR (or DIR/KVER; mp.sh), e.g. a
# mutant build; MP_DISK_SOFT=1 reports failing disk checks and goes on.
set -uo pipefail
. "$(dirname "$0")/mp.sh"
mp_load
sd_setup 2 64
A=${SD_DEVS[0]} B=${SD_DEVS[1]}

for mode in rq bio; do
	mp_create lb "$(mp_table "$SD_SECTORS" $mode "least-blocks 0" "$A:1" "$B:1")"
	got=$(dmsetup table lb)
	[[ $got == *"least-blocks 0 2 1 $A 1 $B 1"* ]] || fail "TABLE read-back: $got"

	# 1. symmetric share under verify (status counters start at 0 with
	# the map, the disks' at the snapshot right after it)
	ds_snap d0 "$A" "$B"
	fio_verify /dev/mapper/lb 6
	read -r a b <<<"$(mp_ios lb "$A" "$B")"
	ds_snap d1 "$A" "$B"
	ds_delta d0 d1
	s=$(pct "$a" $((a + b)))
	ds=$(ds_share 0 100 ios)
	note "$mode: symmetric shares A=$a B=$b ($s% on A); disks $(ds_name "$A")/$(ds_name "$B"): A=${DS_IOS[0]} B=${DS_IOS[1]} I/Os ($ds% on A; $(ds_share 0 100)% of the sectors)"
	[ $((a + b)) -ge 500 ] || fail "$mode: only $((a + b)) I/Os counted"
	within "$mode share of A" "$s" 45 55
	[ "$DS_IOS_SUM" -ge 500 ] || ds_fail "$mode: the path disks completed only $DS_IOS_SUM I/Os"
	ds_within "$mode share of A on the disks" "$ds" 45 55
	ds_agree "$mode share of A" "$ds" "$s" 3
	mp_assert_idle lb "$A" "$B"

	# 2. fail A under I/O: no new I/O on A, 0 errors; then reinstate.
	fio_verify_bg /dev/mapper/lb
	mp_wait_io lb "$A"
	mp_wait_io lb "$B"
	dmsetup message lb 0 fail_path "$A" || fail "fail_path"
	sleep 1
	a1=$(mp_field lb "$A" 4) b1=$(mp_field lb "$B" 4)
	ds_snap f1 "$A" "$B"
	[ "$(mp_field lb "$A" 1)" = F ] || fail "$mode: path A not marked failed"
	mp_wait_io lb "$B" 30
	sleep 1
	a2=$(mp_field lb "$A" 4) b2=$(mp_field lb "$B" 4)
	ds_snap f2 "$A" "$B"
	ds_delta f1 f2
	fa=${DS_IOS[0]} fb=${DS_IOS[1]}
	[ "$a2" = "$a1" ] || fail "$mode: failed path A got new I/O ($a1 -> $a2)"
	[ "$fa" = 0 ] || ds_fail "$mode: failed path A's disk completed $fa new I/Os (status: $a1 -> $a2)"
	[ "$fb" -gt 0 ] || ds_fail "$mode: path B's disk completed no I/O while A was failed"
	dmsetup message lb 0 reinstate_path "$A" || fail "reinstate_path"
	mp_wait_io lb "$A" 30
	a3=$(mp_field lb "$A" 4)
	ds_snap f3 "$A" "$B"
	ds_delta f2 f3
	[ "$a3" -gt "$a2" ] || fail "$mode: reinstated path A not used again ($a2 -> $a3)"
	[ "${DS_IOS[0]}" -gt 0 ] || ds_fail "$mode: reinstated path A's disk got no I/O"
	fio_verify_stop
	note "$mode: fail/reinstate: A $a1 -> $a2 (failed) -> $a3 (reinstated), B $b1 -> $b2; disks while A failed: A +$fa B +$fb I/Os, after reinstate A +${DS_IOS[0]}"
	mp_assert_idle lb "$A" "$B"

	# 3. the module is pinned while the map exists
	if rmmod dm_least_blocks 2>/dev/null; then
		fail "rmmod dm_least_blocks succeeded while map lb uses it"
	fi
	mp_remove lb
done
rmmod dm_least_blocks || fail "rmmod after the last map was removed"
sd_teardown
ds_done
