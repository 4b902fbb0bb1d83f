#!/bin/bash
# weighted-paths rank mode: the HIGHEST weight wins (multipathd's order,
# rr_weight priorities writes rr_min_io_rq x priority: ALUA optimised 50,
# non-optimised 10), failover to the next highest, failback, standby last.
# Request and bio mode, selected by name (weighted-paths-rank, zero
# selector arguments, as multipath.conf must) and by argument (1 rank).
# Shares are measured on the path disks (/sys/block/*/stat), not on the
# selector's own counters.
#
# Catches: priority mode upside down under multipathd (issue 17): with
# weighted-paths-priority the non-optimised paths carried all the I/O;
# a rank mode that picked the lowest weight, or ignored failures, fails
# the tier checks below.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe
mp_load
sd_setup 4 64 50000
P=("${SD_DEVS[@]}")

# rd MAP SECS: 4k random reads, then the disk-stat delta of all four paths
rd() {
	local s0 s1
	ds_snap s0 "${P[@]}"
	fio --name=rank --filename="/dev/mapper/$1" --direct=1 --ioengine=libaio \
		--iodepth=8 --rw=randread --bs=4k --size=32M --runtime="$2" \
		--time_based --output-format=terse >"$TEST_TMP/fio.$1" 2>&1 ||
		{ cat "$TEST_TMP/fio.$1"; fail "$1: fio failed"; }
	ds_snap s1 "${P[@]}"
	ds_delta s0 s1
	[ "$DS_IOS_SUM" -gt 100 ] || fail "$1: only $DS_IOS_SUM I/Os reached the disks"
}
# only MAP WHAT IDX...: the listed paths carry >= 99% of the I/Os, evenly
only() {
	local m=$1 what=$2 i sum=0 share
	shift 2
	for i in "$@"; do sum=$((sum + DS_IOS[i])); done
	share=$(((sum * 1000) / DS_IOS_SUM))
	[ "$share" -ge 990 ] || fail "$m, $what: paths $* got $share/1000 of the I/Os (per path: ${DS_IOS[*]})"
	if [ $# -eq 2 ]; then
		within "$m, $what: path $1's part of the tier" "$(pct "${DS_IOS[$1]}" "$sum")" 35 65
	fi
	note "$m, $what: I/Os per path ${DS_IOS[*]}"
}

for mode in rq bio; do
	for sel in "weighted-paths-rank 0" "weighted-paths 1 rank"; do
		m=rank_$mode
		# ALUA x rr_min_io_rq 100: P1, P2 optimised (5000), P0
		# non-optimised (1000), P3 standby (0)
		mp_create $m "$(mp_table "$SD_SECTORS" $mode "$sel" "${P[0]}:1000" "${P[1]}:5000" "${P[2]}:5000" "${P[3]}:0")"
		[[ $(dmsetup table $m) == *"$sel 4 1 ${P[0]} 1000 ${P[1]} 5000 ${P[2]} 5000 ${P[3]} 0"* ]] ||
			fail "$m: read-back $(dmsetup table $m)"
		rd $m 3
		only $m "all up ($sel)" 1 2
		dmsetup message $m 0 "fail_path ${P[1]}" || fail "fail_path"
		rd $m 2
		only $m "P1 failed" 2
		dmsetup message $m 0 "fail_path ${P[2]}" || fail "fail_path"
		rd $m 2
		only $m "optimised tier failed: failover" 0
		dmsetup message $m 0 "fail_path ${P[0]}" || fail "fail_path"
		rd $m 2
		only $m "all weighted failed: standby" 3
		dmsetup message $m 0 "reinstate_path ${P[0]}" || fail "reinstate_path"
		rd $m 2
		only $m "P0 back" 0
		dmsetup message $m 0 "reinstate_path ${P[2]}" || fail "reinstate_path"
		rd $m 2
		only $m "P2 back: failback" 2
		dmsetup message $m 0 "reinstate_path ${P[1]}" || fail "reinstate_path"
		rd $m 2
		only $m "all back" 1 2
		mp_assert_idle $m "${P[@]}"
		mp_remove $m || fail "remove $m"
	done
done
check_klog_clean || fail "kernel log not clean"
sd_teardown
