#!/bin/bash
# weighted-paths over paths to one store, request and bio mode:
#  - weights 3:1: share from the status counters within +-1 point over
#    >= 20000 I/Os (a read-only stream, fast), fio verify 0 errors;
#  - fail the weight-3 path under fio verify: 0 errors, all new I/O on B;
#  - weight 0 = standby: takes over only when the weighted paths fail,
#    back to standby when one returns;
#  - priority mode (weighted-paths-priority and "1 priority"): lowest
#    weight only, failover to the next lowest, failback.
# Every share and distribution check is made twice (issue 14): on the
# selector's status counters and on the path disks' own /sys/block/*/stat
# (ds_* in mp.sh; the streams are fixed 4k, so sectors / 8 is the I/O
# count, merges or not), and the shares must agree (3:1: within 10 per
# mille; failover pair: 5 points).  The disk side catches a selector that
# counts I/O on another path than the one it sent it to:
# tests/mutants/wp-rr-fake-status.patch (round-robin over the usable
# paths, completions credited per the weight schedule) passes every
# status check here and fails the disk checks of the 3:1 share, of the
# idle standby path and of priority mode (preferred path, failback).
# Env: PSW_KO_DIR=DIR loads the modules from DIR (or DIR/KVER; mp.sh), e.g. a
# mutant build; MP_DISK_SOFT=1 reports failing disk checks and goes on.
set -uo pipefail
. "$(dirname "$0")/mp.sh"
mp_load
sd_setup 3 64 20000
A=${SD_DEVS[0]} B=${SD_DEVS[1]} C=${SD_DEVS[2]}

# reads N 4k I/Os through the map, qd 16
stream() {
	fio --name=s --filename="/dev/mapper/$1" --direct=1 --ioengine=libaio --iodepth=16 \
		--rw=randread --bs=4k --size=48M --io_size=$(($2 * 4))k --output-format=terse \
		>"$TEST_TMP/stream" 2>&1 || { cat "$TEST_TMP/stream"; fail "fio stream on $1"; }
}
# dsn I: 4k I/Os that path I's disk moved in the last ds_delta
dsn() { echo $((DS_SEC[$1] / 8)); }

for mode in rq bio; do
	# --- proportional 3:1 ---
	mp_create wp "$(mp_table "$SD_SECTORS" $mode "weighted-paths 0" "$A:3" "$B:1")"
	got=$(dmsetup table wp)
	[[ $got == *"weighted-paths 0 2 1 $A 3 $B 1"* ]] || fail "TABLE read-back: $got"
	ds_snap d0 "$A" "$B"
	stream wp 24000
	read -r a b <<<"$(mp_ios wp "$A" "$B")"
	ds_snap d1 "$A" "$B"
	ds_delta d0 d1
	[ $((a + b)) -ge 20000 ] || fail "$mode: only $((a + b)) I/Os counted"
	# share in tenths of a percent, must be 740..760
	s=$(( (a * 1000 + (a + b) / 2) / (a + b) ))
	ds=$(ds_share 0 1000)
	note "$mode: 3:1 shares A=$a B=$b (A $((s / 10)).$((s % 10))%); disks $(ds_name "$A")/$(ds_name "$B"): A=$(dsn 0) B=$(dsn 1) 4k I/Os (A $((ds / 10)).$((ds % 10))%; completions ${DS_IOS[0]}/${DS_IOS[1]})"
	within "$mode 3:1 share of A (per mille)" "$s" 740 760
	[ $((DS_SEC_SUM / 8)) -ge 20000 ] || ds_fail "$mode: the path disks moved only $((DS_SEC_SUM / 8)) 4k I/Os"
	ds_within "$mode 3:1 share of A on the disks (per mille)" "$ds" 740 760
	ds_agree "$mode 3:1 share of A (per mille)" "$ds" "$s" 10
	fio_verify /dev/mapper/wp 4
	mp_assert_idle wp "$A" "$B"

	# --- fail the weight-3 path under verify ---
	fio_verify_bg /dev/mapper/wp
	mp_wait_io wp "$A"
	dmsetup message wp 0 fail_path "$A" || fail "fail_path"
	sleep 1
	a1=$(mp_field wp "$A" 4) b1=$(mp_field wp "$B" 4)
	ds_snap f1 "$A" "$B"
	mp_wait_io wp "$B"
	sleep 1
	a2=$(mp_field wp "$A" 4)
	ds_snap f2 "$A" "$B"
	ds_delta f1 f2
	fa=${DS_IOS[0]} fb=${DS_IOS[1]}
	[ "$a2" = "$a1" ] || fail "$mode: failed weight-3 path got new I/O ($a1 -> $a2)"
	[ "$fa" = 0 ] || ds_fail "$mode: failed weight-3 path's disk completed $fa new I/Os (status: $a1 -> $a2)"
	[ "$fb" -gt 0 ] || ds_fail "$mode: B's disk completed no I/O while A was failed"
	dmsetup message wp 0 reinstate_path "$A" || fail "reinstate_path"
	mp_wait_io wp "$A" 30
	ds_snap f3 "$A" "$B"
	ds_delta f2 f3
	[ "${DS_IOS[0]}" -gt 0 ] || ds_fail "$mode: reinstated path A's disk got no I/O"
	fio_verify_stop
	note "$mode: fail A: A stayed at $a1, B $b1 -> $(mp_field wp "$B" 4); A used again after reinstate; disks while A failed: A +$fa B +$fb I/Os, after reinstate A +${DS_IOS[0]}"
	mp_assert_idle wp "$A" "$B"
	mp_remove wp

	# --- standby: A=1 B=1 C=0 ---
	mp_create wp "$(mp_table "$SD_SECTORS" $mode "weighted-paths 0" "$A:1" "$B:1" "$C:0")"
	ds_snap w0 "$A" "$B" "$C"
	stream wp 2000
	c0=$(mp_field wp "$C" 4)
	ds_snap w1 "$A" "$B" "$C"
	ds_delta w0 w1
	dc0=${DS_IOS[2]}
	[ "$c0" = 0 ] || fail "$mode: standby path got $c0 I/Os while weighted paths were up"
	[ "$dc0" = 0 ] || ds_fail "$mode: standby path's disk completed $dc0 I/Os while weighted paths were up (status: $c0)"
	dmsetup message wp 0 fail_path "$A"
	stream wp 2000
	[ "$(mp_field wp "$C" 4)" = 0 ] || fail "$mode: standby used while B was still up"
	ds_snap w2 "$A" "$B" "$C"
	ds_delta w1 w2
	[ "${DS_IOS[2]}" = 0 ] || ds_fail "$mode: standby path's disk completed ${DS_IOS[2]} I/Os while B was still up"
	[ "${DS_IOS[0]}" = 0 ] || ds_fail "$mode: failed path A's disk completed ${DS_IOS[0]} I/Os"
	dmsetup message wp 0 fail_path "$B"
	stream wp 2000
	c1=$(mp_field wp "$C" 4)
	ds_snap w3 "$A" "$B" "$C"
	ds_delta w2 w3
	dc1=$(dsn 2)
	[ "$c1" -ge 1900 ] || fail "$mode: standby took only $c1 of 2000 I/Os with all weighted paths failed"
	[ "$dc1" -ge 1900 ] || ds_fail "$mode: standby path's disk moved only $dc1 of 2000 4k I/Os with all weighted paths failed"
	[ $((DS_IOS[0] + DS_IOS[1])) = 0 ] || ds_fail "$mode: failed paths' disks completed $((DS_IOS[0] + DS_IOS[1])) I/Os"
	dmsetup message wp 0 reinstate_path "$B"
	sleep 0.5
	stream wp 2000
	c2=$(mp_field wp "$C" 4)
	ds_snap w4 "$A" "$B" "$C"
	ds_delta w3 w4
	dc2=$(dsn 2)
	[ $((c2 - c1)) -le 100 ] || fail "$mode: standby kept $((c2 - c1)) I/Os after B returned"
	[ "$dc2" -le 100 ] || ds_fail "$mode: standby path's disk kept $dc2 4k I/Os after B returned"
	note "$mode: standby C: 0 while A/B up, $c1 after both failed, +$((c2 - c1)) after B returned; disks: C $dc0, $dc1, +$dc2"
	mp_assert_idle wp "$A" "$B" "$C"
	mp_remove wp

	# --- priority mode: A=1 (preferred) B=2 C=2 ---
	for sel in "weighted-paths-priority 0" "weighted-paths 1 priority"; do
		mp_create wp "$(mp_table "$SD_SECTORS" $mode "$sel" "$A:1" "$B:2" "$C:2")"
		got=$(dmsetup table wp)
		[[ $got == *"$sel 3 1 $A 1 $B 2 $C 2"* ]] || fail "TABLE read-back: $got"
		ds_snap p0 "$A" "$B" "$C"
		stream wp 2000
		read -r a b c <<<"$(mp_ios wp "$A" "$B" "$C")"
		ds_snap p1 "$A" "$B" "$C"
		ds_delta p0 p1
		da=$(dsn 0) dbc=$(($(dsn 1) + $(dsn 2)))
		[ "$a" -ge 1900 ] && [ $((b + c)) -le 100 ] || fail "$mode $sel: preferred path A=$a B=$b C=$c"
		[ "$da" -ge 1900 ] && [ "$dbc" -le 100 ] || ds_fail "$mode $sel: preferred path on the disks A=$da B+C=$dbc"
		dmsetup message wp 0 fail_path "$A"
		stream wp 4000
		read -r a2 b2 c2 <<<"$(mp_ios wp "$A" "$B" "$C")"
		ds_snap p2 "$A" "$B" "$C"
		ds_delta p1 p2
		[ $((a2 - a)) -le 20 ] || fail "$mode $sel: failed A got $((a2 - a)) I/Os"
		[ "$(dsn 0)" -le 20 ] || ds_fail "$mode $sel: failed A's disk moved $(dsn 0) 4k I/Os"
		sb=$(pct $((b2 - b)) $((b2 - b + c2 - c)))
		dsb=$(pct "${DS_SEC[1]}" $((DS_SEC[1] + DS_SEC[2])))
		within "$mode $sel: B's share of the failover pair" "$sb" 40 60
		ds_within "$mode $sel: B's share of the failover pair on the disks" "$dsb" 40 60
		ds_agree "$mode $sel: B's share of the failover pair" "$dsb" "$sb" 5
		dmsetup message wp 0 reinstate_path "$A"
		sleep 0.5
		stream wp 2000
		a3=$(mp_field wp "$A" 4)
		ds_snap p3 "$A" "$B" "$C"
		ds_delta p2 p3
		[ $((a3 - a2)) -ge 1900 ] || fail "$mode $sel: no failback to A ($((a3 - a2)) of 2000)"
		[ "$(dsn 0)" -ge 1900 ] || ds_fail "$mode $sel: no failback to A on the disks ($(dsn 0) of 2000)"
		note "$mode $sel: A=$a first; after fail B/C split $sb%; failback A +$((a3 - a2)); disks: A=$da first, B/C split $dsb%, failback A +$(dsn 0)"
		mp_assert_idle wp "$A" "$B" "$C"
		mp_remove wp
	done
done
rmmod dm_weighted_paths || fail "rmmod dm_weighted_paths"
sd_teardown
ds_done
