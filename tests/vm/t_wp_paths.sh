#!/bin/bash
# weighted-paths over paths to one store, request and bio mode:
#  - weights 3:1: share from the status counters within +-1 point over
#    >= 20000 I/Os (a read-only stream, fast), fio verify 0 errors;
#  - fail the weight-3 path under fio verify: 0 errors, all new I/O on B;
#  - weight 0 = standby: takes over only when the weighted paths fail,
#    back to standby when one returns;
#  - priority mode (weighted-paths-priority and "1 priority"): lowest
#    weight only, failover to the next lowest, failback.
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

for mode in rq bio; do
	# --- proportional 3:1 ---
	mp_create wp "$(mp_table "$SD_SECTORS" $mode "weighted-paths 0" "$A:3" "$B:1")"
	got=$(dmsetup table wp)
	[[ $got == *"weighted-paths 0 2 1 $A 3 $B 1"* ]] || fail "TABLE read-back: $got"
	stream wp 24000
	read -r a b <<<"$(mp_ios wp "$A" "$B")"
	[ $((a + b)) -ge 20000 ] || fail "$mode: only $((a + b)) I/Os counted"
	# share in tenths of a percent, must be 740..760
	s=$(( (a * 1000 + (a + b) / 2) / (a + b) ))
	note "$mode: 3:1 shares A=$a B=$b (A $((s / 10)).$((s % 10))%)"
	within "$mode 3:1 share of A (per mille)" "$s" 740 760
	fio_verify /dev/mapper/wp 4
	mp_assert_idle wp "$A" "$B"

	# --- fail the weight-3 path under verify ---
	fio_verify_bg /dev/mapper/wp
	mp_wait_io wp "$A"
	dmsetup message wp 0 fail_path "$A" || fail "fail_path"
	sleep 1
	a1=$(mp_field wp "$A" 4) b1=$(mp_field wp "$B" 4)
	mp_wait_io wp "$B"
	sleep 1
	a2=$(mp_field wp "$A" 4)
	[ "$a2" = "$a1" ] || fail "$mode: failed weight-3 path got new I/O ($a1 -> $a2)"
	dmsetup message wp 0 reinstate_path "$A" || fail "reinstate_path"
	mp_wait_io wp "$A" 30
	fio_verify_stop
	note "$mode: fail A: A stayed at $a1, B $b1 -> $(mp_field wp "$B" 4); A used again after reinstate"
	mp_assert_idle wp "$A" "$B"
	mp_remove wp

	# --- standby: A=1 B=1 C=0 ---
	mp_create wp "$(mp_table "$SD_SECTORS" $mode "weighted-paths 0" "$A:1" "$B:1" "$C:0")"
	stream wp 2000
	c0=$(mp_field wp "$C" 4)
	[ "$c0" = 0 ] || fail "$mode: standby path got $c0 I/Os while weighted paths were up"
	dmsetup message wp 0 fail_path "$A"
	stream wp 2000
	[ "$(mp_field wp "$C" 4)" = 0 ] || fail "$mode: standby used while B was still up"
	dmsetup message wp 0 fail_path "$B"
	stream wp 2000
	c1=$(mp_field wp "$C" 4)
	[ "$c1" -ge 1900 ] || fail "$mode: standby took only $c1 of 2000 I/Os with all weighted paths failed"
	dmsetup message wp 0 reinstate_path "$B"
	sleep 0.5
	stream wp 2000
	c2=$(mp_field wp "$C" 4)
	[ $((c2 - c1)) -le 100 ] || fail "$mode: standby kept $((c2 - c1)) I/Os after B returned"
	note "$mode: standby C: 0 while A/B up, $c1 after both failed, +$((c2 - c1)) after B returned"
	mp_assert_idle wp "$A" "$B" "$C"
	mp_remove wp

	# --- priority mode: A=1 (preferred) B=2 C=2 ---
	for sel in "weighted-paths-priority 0" "weighted-paths 1 priority"; do
		mp_create wp "$(mp_table "$SD_SECTORS" $mode "$sel" "$A:1" "$B:2" "$C:2")"
		got=$(dmsetup table wp)
		[[ $got == *"$sel 3 1 $A 1 $B 2 $C 2"* ]] || fail "TABLE read-back: $got"
		stream wp 2000
		read -r a b c <<<"$(mp_ios wp "$A" "$B" "$C")"
		[ "$a" -ge 1900 ] && [ $((b + c)) -le 100 ] || fail "$mode $sel: preferred path A=$a B=$b C=$c"
		dmsetup message wp 0 fail_path "$A"
		stream wp 4000
		read -r a2 b2 c2 <<<"$(mp_ios wp "$A" "$B" "$C")"
		[ $((a2 - a)) -le 20 ] || fail "$mode $sel: failed A got $((a2 - a)) I/Os"
		sb=$(pct $((b2 - b)) $((b2 - b + c2 - c)))
		within "$mode $sel: B's share of the failover pair" "$sb" 40 60
		dmsetup message wp 0 reinstate_path "$A"
		sleep 0.5
		stream wp 2000
		a3=$(mp_field wp "$A" 4)
		[ $((a3 - a2)) -ge 1900 ] || fail "$mode $sel: no failback to A ($((a3 - a2)) of 2000)"
		note "$mode $sel: A=$a first; after fail B/C split $sb%; failback A +$((a3 - a2))"
		mp_assert_idle wp "$A" "$B" "$C"
		mp_remove wp
	done
done
rmmod dm_weighted_paths || fail "rmmod dm_weighted_paths"
sd_teardown
