#!/bin/bash
# Module lifecycle (issue 8): CYCLES times: insmod both modules, create
# 5 maps with every selector name and form (request and bio mode), do I/O, check that
# rmmod is refused while a map uses a module (refcnt > 0, module still
# there, the map still works), remove the maps, refcnt back to 0, rmmod
# succeeds and the selector names are gone from dm's target list.
# Env: CYCLES (default 2 for make check; make torture sets 30)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd dmsetup modprobe insmod rmmod dd
cycles=${CYCLES:-2}
modprobe dm-multipath || fail "modprobe dm-multipath"
for m in dm_least_blocks dm_weighted_paths; do
	[ -d /sys/module/$m ] && { rmmod $m || fail "rmmod $m before the test"; }
done
# a fresh null_blk: an earlier test may have left it loaded with other
# parameters (nr_devices=0 for configfs devices), and modprobe would keep them
modprobe -r null_blk 2>/dev/null
modprobe null_blk nr_devices=2 gb=1 queue_mode=2 || fail "modprobe null_blk"
[ -b /dev/nullb0 ] && [ -b /dev/nullb1 ] || fail "null_blk made no nullb0/nullb1"
A=$(cat /sys/block/nullb0/dev) B=$(cat /sys/block/nullb1/dev)
S=$(cat /sys/block/nullb0/size)

refcnt() { local r; read -r r <"/sys/module/$1/refcnt" || fail "no /sys/module/$1/refcnt"; echo "$r"; }

for ((c = 1; c <= cycles; c++)); do
	mp_load
	i=0
	for ms in "rq|least-blocks 0" "bio|weighted-paths 0" "rq|weighted-paths 1 priority" \
		"bio|weighted-paths-priority 0" "bio|least-blocks 0"; do
		i=$((i + 1))
		mp_create lc$i "$(mp_table "$S" "${ms%%|*}" "${ms#*|}" "$A:1" "$B:2")"
	done
	for ((j = 1; j <= i; j++)); do
		dd if=/dev/mapper/lc$j of=/dev/null bs=4k count=32 iflag=direct status=none || fail "cycle $c: I/O on lc$j"
	done
	rl=$(refcnt dm_least_blocks) rw=$(refcnt dm_weighted_paths)
	[ "$rl" = 2 ] || fail "cycle $c: dm_least_blocks refcnt $rl with 2 maps using it"
	[ "$rw" = 3 ] || fail "cycle $c: dm_weighted_paths refcnt $rw with 3 maps using it"
	for m in dm_least_blocks dm_weighted_paths; do
		rmmod $m 2>"$TEST_TMP/rmmod.err" && fail "cycle $c: rmmod $m succeeded while maps use it"
		grep -qi 'in use' "$TEST_TMP/rmmod.err" || fail "cycle $c: rmmod $m refused without 'in use': $(cat "$TEST_TMP/rmmod.err")"
		[ -d /sys/module/$m ] || fail "cycle $c: $m gone after a refused rmmod"
	done
	# the maps still work after the refused unloads
	dd if=/dev/mapper/lc1 of=/dev/null bs=4k count=32 iflag=direct status=none || fail "cycle $c: I/O after refused rmmod"
	# remove the maps in a cycle-dependent order
	for ((j = 1; j <= i; j++)); do
		k=$(( (j + c - 2) % i + 1 ))
		mp_remove lc$k || fail "cycle $c: remove lc$k"
	done
	rl=$(refcnt dm_least_blocks) rw=$(refcnt dm_weighted_paths)
	[ "$rl" = 0 ] && [ "$rw" = 0 ] || fail "cycle $c: refcnt $rl/$rw after all maps are gone (leak)"
	rmmod dm_least_blocks dm_weighted_paths || fail "cycle $c: rmmod after the maps are gone"
	for m in dm_least_blocks dm_weighted_paths; do
		[ ! -d /sys/module/$m ] || fail "cycle $c: $m still loaded after rmmod"
	done
	# once unloaded, dm must not know the names any more (no autoload: the
	# modules are not installed under /lib/modules)
	dmsetup targets | grep -q '^multipath' || fail "multipath target gone"
	if dmsetup create lcx --table "$(mp_table "$S" rq "least-blocks 0" "$A:1")" 2>/dev/null; then
		mp_remove lcx
		[ -d /sys/module/dm_least_blocks ] || fail "cycle $c: a least-blocks map was created with the module unloaded"
		note "cycle $c: least-blocks autoloaded (module installed on this system)"
		rmmod dm_least_blocks || fail "rmmod autoloaded dm_least_blocks"
	fi
done
note "$cycles load/use/refuse-unload/unload cycles, $i maps each"
modprobe -r null_blk || fail "modprobe -r null_blk"
check_klog_clean || fail "kernel log not clean"
