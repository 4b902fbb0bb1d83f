#!/bin/bash
# Beyond two paths (issue 19): 8 and 64 paths, both selectors, shares on
# the paths' own disk counters, tie rotation, and three priority groups.
#
# Paths: dm-linear devices over one null_blk that completes every I/O
# after the same fixed time (timer mode, 1 ms), so no path is faster than
# another; the multipath maps are bio-based (dm-linear is not blk-mq).
# Shares are counted on each dm-linear device's /sys/block/dm-N/stat
# (ds_* in mp.sh), never on the selector's own status.
#   1. weighted-paths, 8 paths, weights 1..8: each path's share of the
#      I/Os within 1 point of w/36 (the schedule is exact per 36 I/Os).
#   2. least-blocks, 8 paths, weight 1: each path 12.5 +- 4 %.
#   3. least-blocks, 64 paths, one I/O at a time: every path is idle at
#      every choice, a tie; the per-CPU rotor must spread them, so every
#      one of the 64 paths gets I/O.  Catches tests/mutants/lb-no-rotor.patch
#      (the scan always starts at path 0: path 0 takes everything; run by
#      scripts/mutants.sh).
#   4. weighted-paths, 64 paths, weights 1, 2, 3 in turn: the three weight
#      classes (22, 21 and 21 paths: 22, 42 and 63 of 127) get their share
#      of the I/Os within 10 permille, over at least 2000 I/Os (the
#      schedule has runs of up to 43 entries of one class).
#   5. three priority groups (least-blocks, least-blocks, weighted-paths,
#      2 paths each): I/O only on group 1; both its paths failed -> only on
#      group 2; group 2 failed too -> only on group 3; all reinstated and
#      switch_group 1 -> only on group 1 again.  Catches a selector whose
#      instances share state across the groups of a map.
# Shares 1 and 4 also fail tests/mutants/wp-rr-fake-status.patch (plain
# round-robin: 12.5 % each), shown by hand (2026-12-07).
# Env: PSW_KO_DIR=DIR (mp.sh), MANY_SECS (fio seconds per case, 5)
set -uo pipefail
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/lib.sh"
need_cmd fio dmsetup
mp_load
secs=${MANY_SECS:-5}
NULLB_COMPLETION_NSEC=1000000
export NULLB_COMPLETION_NSEC
NB=$(nullb_create many 256) || fail "null_blk"
nbdev=$(devnum "$NB")
read -r nbsec <"/sys/block/${NB##*/}/size"
mp_linear_paths mn_l 64 "$nbdev" "$nbsec"
P=("${LPATHS[@]}")

# io NAME IODEPTH: fio random 4k reads through /dev/mapper/NAME for $secs
io() {
	fio --name=m --filename="/dev/mapper/$1" --direct=1 --ioengine=libaio --iodepth="$2" \
		--rw=randread --bs=4k --runtime="$secs" --time_based \
		--output-format=terse --terse-version=3 >"$TEST_TMP/fio" 2>&1 ||
		{ cat "$TEST_TMP/fio"; fail "fio through $1"; }
}
# measure NAME IODEPTH N [MIN]: I/O through the map, per-path deltas of
# the first N paths in DS_IOS (ds_delta); at least MIN (300) I/Os
measure() {
	ds_snap m0 "${P[@]:0:$3}"
	io "$1" "$2"
	ds_snap m1 "${P[@]:0:$3}"
	ds_delta m0 m1
	[ "$DS_IOS_SUM" -ge "${4:-300}" ] || fail "$1: only $DS_IOS_SUM I/Os reached the paths (want ${4:-300})"
}
# permille I -> path I's share of the last delta in 1/1000
permille() { ds_share "$1" 1000 ios; }

# 1. weighted-paths, 8 paths, weights 1..8
args=()
for ((p = 0; p < 8; p++)); do args+=("${P[p]}:$((p + 1))"); done
mp_create mn "$(mp_table "$nbsec" bio "weighted-paths 0" "${args[@]}")"
measure mn 8 8
line=""
for ((p = 0; p < 8; p++)); do
	s=$(permille $p) want=$(((p + 1) * 1000 / 36))
	line+=" $s"
	d=$((s - want))
	[ "${d#-}" -le 10 ] || ds_fail "weighted-paths 8 paths: path $p (weight $((p + 1))) got $s permille of the I/Os, want $want +- 10"
done
note "weighted-paths 8 paths, weights 1..8: permille$line of $DS_IOS_SUM I/Os (want w x 1000 / 36)"
mp_assert_idle mn "${P[@]:0:8}"
mp_remove mn || fail "remove mn"

# 2. least-blocks, 8 paths, weight 1
args=()
for ((p = 0; p < 8; p++)); do args+=("${P[p]}:1"); done
mp_create mn "$(mp_table "$nbsec" bio "least-blocks 0" "${args[@]}")"
measure mn 16 8
line=""
for ((p = 0; p < 8; p++)); do
	s=$(permille $p)
	line+=" $s"
	ds_within "least-blocks 8 paths: path $p's permille of the I/Os" "$s" 85 165
done
note "least-blocks 8 paths: permille$line of $DS_IOS_SUM I/Os"
mp_assert_idle mn "${P[@]:0:8}"
mp_remove mn || fail "remove mn"

# 3. least-blocks, 64 paths, qd 1: ties, the rotor spreads them
args=()
for ((p = 0; p < 64; p++)); do args+=("${P[p]}:1"); done
mp_create mn "$(mp_table "$nbsec" bio "least-blocks 0" "${args[@]}")"
measure mn 1 64
unused=0 maxp=0
for ((p = 0; p < 64; p++)); do
	[ "${DS_IOS[p]}" -gt 0 ] || unused=$((unused + 1))
	[ "${DS_IOS[p]}" -le "$maxp" ] || maxp=${DS_IOS[p]}
done
note "least-blocks 64 idle paths, one I/O at a time: $DS_IOS_SUM I/Os, $((64 - unused)) paths used, the busiest took $maxp"
[ "$unused" = 0 ] || ds_fail "least-blocks 64 paths: $unused of 64 idle paths never used (ties not rotated)"
mp_assert_idle mn "${P[@]}"
mp_remove mn || fail "remove mn"

# 4. weighted-paths, 64 paths, weights 1 2 3 1 2 3 ...
args=()
for ((p = 0; p < 64; p++)); do args+=("${P[p]}:$((p % 3 + 1))"); done
mp_create mn "$(mp_table "$nbsec" bio "weighted-paths 0" "${args[@]}")"
measure mn 16 64 2000
cls=(0 0 0) wsum=(0 0 0)
for ((p = 0; p < 64; p++)); do
	cls[p % 3]=$((cls[p % 3] + DS_IOS[p]))
	wsum[p % 3]=$((wsum[p % 3] + p % 3 + 1))
done
W=$((wsum[0] + wsum[1] + wsum[2]))
line=""
for c in 0 1 2; do
	s=$((cls[c] * 1000 / DS_IOS_SUM)) want=$((wsum[c] * 1000 / W))
	line+=" w$((c + 1)): $s (want $want)"
	d=$((s - want))
	[ "${d#-}" -le 10 ] || ds_fail "weighted-paths 64 paths: weight-$((c + 1)) paths got $s permille, want $want +- 10"
done
note "weighted-paths 64 paths, permille per weight class:$line, $DS_IOS_SUM I/Os"
mp_assert_idle mn "${P[@]}"
mp_remove mn || fail "remove mn"

# 5. three priority groups, 2 paths each
tbl="0 $nbsec multipath 2 queue_mode bio 0 3 1"
tbl+=" least-blocks 0 2 1 ${P[0]} 1 ${P[1]} 1"
tbl+=" least-blocks 0 2 1 ${P[2]} 1 ${P[3]} 1"
tbl+=" weighted-paths 0 2 1 ${P[4]} 2 ${P[5]} 1"
mp_create mn "$tbl"
# only GROUP (1..3) moved I/O, both of its paths
only_group() {
	local g=$1 p lo=$((2 * ($1 - 1)))
	measure mn 8 6
	for ((p = 0; p < 6; p++)); do
		if [ "$p" -ge "$lo" ] && [ "$p" -le $((lo + 1)) ]; then
			[ "${DS_IOS[p]}" -gt 0 ] || ds_fail "groups: $2: path $p of group $g got no I/O"
		else
			[ "${DS_IOS[p]}" = 0 ] || ds_fail "groups: $2: path $p (not in group $g) got ${DS_IOS[p]} I/Os"
		fi
	done
	note "groups: $2: I/Os per path ${DS_IOS[*]}"
}
only_group 1 "all paths up"
for p in 0 1; do dmsetup message mn 0 fail_path "${P[p]}" || fail "fail_path ${P[p]}"; done
only_group 2 "group 1 failed"
for p in 2 3; do dmsetup message mn 0 fail_path "${P[p]}" || fail "fail_path ${P[p]}"; done
only_group 3 "groups 1 and 2 failed"
for p in 0 1 2 3; do dmsetup message mn 0 reinstate_path "${P[p]}" || fail "reinstate_path ${P[p]}"; done
dmsetup message mn 0 switch_group 1 || fail "switch_group 1"
only_group 1 "all reinstated, switch_group 1"
mp_assert_idle mn "${P[@]:0:6}"
mp_remove mn || fail "remove mn"

names=()
for ((p = 0; p < 64; p++)); do names+=("mn_l$p"); done
dmsetup remove "${names[@]}" || fail "remove the dm-linear paths"
nullb_remove many
ds_done
check_klog_clean || fail "kernel log not clean"
