#!/bin/bash
# least-blocks over two symmetric paths to one store, request and bio mode:
# fio verify 0 errors, shares 50+-5%, fail_path under I/O moves all new I/O
# to the other path, reinstate_path brings it back, in-flight 0 at the end,
# rmmod refused while a map uses the module.
set -uo pipefail
. "$(dirname "$0")/mp.sh"
mp_load
sd_setup 2 64
A=${SD_DEVS[0]} B=${SD_DEVS[1]}

for mode in rq bio; do
	mp_create lb "$(mp_table "$SD_SECTORS" $mode "least-blocks 0" "$A:1" "$B:1")"
	got=$(dmsetup table lb)
	[[ $got == *"least-blocks 0 2 1 $A 1 $B 1"* ]] || fail "TABLE read-back: $got"

	# 1. symmetric share under verify
	fio_verify /dev/mapper/lb 6
	read -r a b <<<"$(mp_ios lb "$A" "$B")"
	s=$(pct "$a" $((a + b)))
	note "$mode: symmetric shares A=$a B=$b ($s% on A)"
	[ $((a + b)) -ge 500 ] || fail "$mode: only $((a + b)) I/Os counted"
	within "$mode share of A" "$s" 45 55
	mp_assert_idle lb "$A" "$B"

	# 2. fail A under I/O: no new I/O on A, 0 errors; then reinstate.
	fio_verify_bg /dev/mapper/lb
	mp_wait_io lb "$A"
	mp_wait_io lb "$B"
	dmsetup message lb 0 fail_path "$A" || fail "fail_path"
	sleep 1
	a1=$(mp_field lb "$A" 4) b1=$(mp_field lb "$B" 4)
	[ "$(mp_field lb "$A" 1)" = F ] || fail "$mode: path A not marked failed"
	mp_wait_io lb "$B" 30
	sleep 1
	a2=$(mp_field lb "$A" 4) b2=$(mp_field lb "$B" 4)
	[ "$a2" = "$a1" ] || fail "$mode: failed path A got new I/O ($a1 -> $a2)"
	dmsetup message lb 0 reinstate_path "$A" || fail "reinstate_path"
	mp_wait_io lb "$A" 30
	a3=$(mp_field lb "$A" 4)
	[ "$a3" -gt "$a2" ] || fail "$mode: reinstated path A not used again ($a2 -> $a3)"
	fio_verify_stop
	note "$mode: fail/reinstate: A $a1 -> $a2 (failed) -> $a3 (reinstated), B $b1 -> $b2"
	mp_assert_idle lb "$A" "$B"

	# 3. the module is pinned while the map exists
	if rmmod dm_least_blocks 2>/dev/null; then
		fail "rmmod dm_least_blocks succeeded while map lb uses it"
	fi
	mp_remove lb
done
rmmod dm_least_blocks || fail "rmmod after the last map was removed"
sd_teardown
