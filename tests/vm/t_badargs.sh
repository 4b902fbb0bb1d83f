#!/bin/bash
# Bad selector tables are refused with a clear dm error; nothing leaks
# (module refcounts back to 0, no map left), the kernel stays healthy.
set -uo pipefail
. "$(dirname "$0")/mp.sh"
mp_load
# a fresh null_blk: an earlier test may have left it loaded with other
# parameters (nr_devices=0 for configfs devices), and modprobe would keep them
modprobe -r null_blk 2>/dev/null
modprobe null_blk nr_devices=2 gb=1 queue_mode=2 || fail "modprobe null_blk"
[ -b /dev/nullb0 ] && [ -b /dev/nullb1 ] || fail "null_blk made no nullb0/nullb1"
A=$(cat /sys/block/nullb0/dev) B=$(cat /sys/block/nullb1/dev)
S=$(cat /sys/block/nullb0/size)
t() { echo "0 $S multipath 0 0 1 1 $1"; }

bad=(
	# selector-level arguments
	"least-blocks 1 x 2 1 $A 1 $B 1|multipath least-blocks: takes no selector arguments"
	"least-blocks 2 a b 2 1 $A 1 $B 1|"
	"weighted-paths 1 roundrobin 2 1 $A 1 $B 1|multipath weighted-paths: unknown selector argument"
	"weighted-paths 2 priority priority 2 1 $A 1 $B 1|multipath weighted-paths: too many selector arguments"
	"weighted-paths-priority 1 fast 2 1 $A 1 $B 1|multipath weighted-paths: unknown selector argument"
	# per-path weights
	"least-blocks 0 2 1 $A 0 $B 1|least-blocks ps: path weight out of range (1..4294967295)"
	"least-blocks 0 2 1 $A -1 $B 1|least-blocks ps: path weight is not a canonical decimal"
	"least-blocks 0 2 1 $A 4294967296 $B 1|out of range"
	"least-blocks 0 2 1 $A 99999999999 $B 1|out of range"
	"least-blocks 0 2 1 $A 4294967297 $B 1|out of range"
	"least-blocks 0 2 1 $A abc $B 1|not a canonical decimal"
	"least-blocks 0 2 1 $A 01 $B 1|not a canonical decimal"
	"least-blocks 0 2 1 $A 1x $B 1|not a canonical decimal"
	"least-blocks 0 2 1 $A +1 $B 1|not a canonical decimal"
	"least-blocks 0 2 2 $A 1 1 $B 1 1|least-blocks ps: too many per-path arguments"
	"weighted-paths 0 2 1 $A -3 $B 1|weighted-paths ps: path weight is not a canonical decimal"
	"weighted-paths 0 2 1 $A 4294967296 $B 1|weighted-paths ps: path weight out of range (0..4294967295)"
	"weighted-paths 0 2 1 $A 3.5 $B 1|not a canonical decimal"
	"weighted-paths 0 2 2 $A 3 0 $B 1 0|weighted-paths ps: too many per-path arguments"
	"weighted-paths-priority 0 2 1 $A 0x1 $B 1|weighted-paths ps: path weight is not a canonical decimal"
	# unknown selector
	"least-block 0 2 1 $A 1 $B 1|"
)
n=0
for entry in "${bad[@]}"; do
	sel=${entry%%|*} msg=${entry#*|}
	dmesg -C
	if dmsetup create bad --table "$(t "$sel")" 2>/dev/null; then
		dmsetup remove bad
		fail "accepted: $sel"
	fi
	dmsetup info bad >/dev/null 2>&1 && { dmsetup remove bad; fail "map left behind after refusing: $sel"; }
	if [ -n "$msg" ] && ! dmesg | grep -q -- "$msg"; then
		dmesg | tail -n 3 | sed 's/^/# /'
		fail "no '$msg' in the kernel log for: $sel"
	fi
	n=$((n + 1))
done
note "$n bad tables refused with the expected messages"

for m in dm_least_blocks dm_weighted_paths; do
	r=$(cat /sys/module/$m/refcnt)
	[ "$r" = 0 ] || fail "$m refcount $r after refused tables (leak)"
done

# A good table still works afterwards, and 0 per-path args means weight 1.
dmsetup create good --table "$(t "least-blocks 0 2 0 $A $B")" || fail "good table refused"
[[ $(dmsetup table good) == *"least-blocks 0 2 1 $A 1 $B 1"* ]] || fail "default weight: $(dmsetup table good)"
dmsetup remove good
# Weights multipathd writes with rr_weight priorities (rr_min_io_rq x ALUA
# priority: 100 x 50, 100 x 10; 1000 x 50) and the largest: they load and
# read back exactly (multipathd reloads a map whose read-back differs).
# Catches a selector that refuses them: multipathd then cannot create the
# map at all (issue 17).
for tbl in "weighted-paths 0 2 1 $A 5000 $B 1000" "least-blocks 0 2 1 $A 50000 $B 10000" \
	"weighted-paths-priority 0 2 1 $A 4294967295 $B 2147483647" "least-blocks 0 2 1 $A 4294967295 $B 1"; do
	dmsetup create good --table "$(t "$tbl")" || fail "refused: $tbl"
	[[ $(dmsetup table good) == *"$tbl"* ]] || fail "read-back of '$tbl': $(dmsetup table good)"
	dd if=/dev/mapper/good of=/dev/null bs=4k count=64 iflag=direct status=none || fail "I/O on: $tbl"
	dmsetup remove good
done
dmsetup create good --table "$(t "weighted-paths 0 2 1 $A 0 $B 0")" || fail "all-standby table refused"
dd if=/dev/mapper/good of=/dev/null bs=4k count=64 iflag=direct status=none || fail "I/O on all-standby map"
dmsetup remove good
rmmod dm_least_blocks dm_weighted_paths || fail "rmmod after bad tables"
modprobe -r null_blk
