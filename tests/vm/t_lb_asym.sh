#!/bin/bash
# least-blocks over two bandwidth-limited null_blk paths, 4 : 1 MiB/s
# (device-bound, stable under TCG): the faster path carries the larger
# share.  Efficiency = map throughput / sum of the single-path throughputs,
# measured in the same boot, device-bound (a ratio, not a timing figure).
# least-blocks must keep it >= LB_ASYM_MIN_EFF both with unit weights and
# with 4:1 weights on the 4:1 paths: weights steer the share, they must
# not leave the slow path idle.  Catches a least-blocks that takes the
# weight as a priority (the heaviest usable path carries everything,
# efficiency 0.79: tests/mutants/lb-weight-as-priority.patch).  Asserted
# on the 4k variant (4 + 1 MiB/s, ~1300 I/Os a second: the devices are the
# limit).  The issue's goal is 0.95: least-blocks measured 0.98-1.04 with
# 1:1 and 0.99-1.01 with 4:1 in quiet runs, but 0.94 with 4:1 in a
# fresh-clone make check (four guests on two cores: both paths below their
# device rate, the fast one at 96 %, the guest short of CPU), so the limit
# here is 0.90, between that and the mutant's 0.79.  The mixed
# variant needs ~900 larger I/Os a second at 40 MiB/s, near what a TCG
# guest moves, and measured 0.91 with four guests on two cores (1.00 alone):
# there it is printed only.  For
# weighted-paths (a fixed 4:1 schedule) it is printed only: with mixed sizes
# it is 0.76-0.85, the price of counting I/Os, and make bench measures it
# interleaved and repeated.  One block size (4k, 4 : 1 MiB/s) and mixed sizes
# (4k/64k/128k, 32 : 8 MiB/s: null_blk refills its budget every 20 ms and
# never passes a request larger than one refill, so 128k needs >= 7 MiB/s;
# faster rates make the emulated guest CPU-bound).
# The share is measured twice (issue 14): bytes in the selector's status
# counters and sectors on the two null_blk disks' own /sys/block/*/stat
# (ds_* in mp.sh); both must be > 55% and agree within 5 points (not
# closer: a clone that null_blk's bandwidth limit refuses as busy goes
# through the selector's end_io, multipath_release_clone, and is sent
# again, so the status can count its bytes twice, the disk once; 0-2
# points apart in the runs of 2026-12-03).  The disk side
# catches a selector that counts I/O on another path than the one it sent
# it to: tests/mutants/wp-rr-fake-status.patch (round-robin, completions
# credited per the 4:1 schedule) shows the fast path's 4:1 share in the
# status and fails on the disks.  (tests/mutants/lb-pin-fake-status.patch
# pins all I/O on the fast path and fails the status check, not this one.)
# Env: PSW_KO_DIR=DIR loads the modules from DIR (or DIR/KVER; mp.sh), e.g. a
# mutant build; MP_DISK_SOFT=1 reports failing disk checks and goes on;
# LB_ASYM_MIN_EFF (0.90); MP_PERF_SOFT=1 (make torture's debug kernel: about
# one I/O in flight, efficiency 0.29 and 51 % measured) prints the shares and
# the efficiency instead of asserting them, and the status/disk agreement
# (the status counts clones a busy queue refused: 60 against 67 there).
set -uo pipefail
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/lib.sh"
mp_load
min_eff=${LB_ASYM_MIN_EFF:-0.90}

# bw DEV BS-ARGS -> read bandwidth in KiB/s over 5 s
bw() {
	fio --name=b --filename="$1" --direct=1 --ioengine=libaio --iodepth=16 --rw=randread \
		--runtime=5 --time_based --output-format=terse --terse-version=3 $2 2>&1 |
		awk -F';' '/^3;/ { print $7 }'
}

for v in "--bs=4k|4|1" "--bssplit=4k/50:64k/30:128k/20|32|8"; do
	IFS='|' read -r variant fmb smb <<<"$v"
	F=$(nullb_create fast 256 "$fmb") || fail "null_blk fast"
	L=$(nullb_create slow 256 "$smb") || fail "null_blk slow"
	FD=$(cat "/sys/block/$(basename "$F")/dev") LD=$(cat "/sys/block/$(basename "$L")/dev")
	S=$(cat "/sys/block/$(basename "$F")/size")
	f1=$(bw "$F" "$variant") l1=$(bw "$L" "$variant")
	[ "${f1:-0}" -gt 0 ] && [ "${l1:-0}" -gt 0 ] || fail "single-path fio failed ($f1 / $l1)"
	for sel in "least-blocks 0|$FD:1|$LD:1" "least-blocks 0|$FD:4|$LD:1" "weighted-paths 0|$FD:4|$LD:1"; do
		IFS='|' read -r s p1 p2 <<<"$sel"
		mp_create asym "$(mp_table "$S" rq "$s" "$p1" "$p2")"
		ds_snap d0 "$FD" "$LD"
		m=$(bw /dev/mapper/asym "$variant")
		ds_snap d1 "$FD" "$LD"
		ds_delta d0 d1
		fb=$(mp_field asym "$FD" 5) lb=$(mp_field asym "$LD" 5)
		share=$(pct "$fb" $((fb + lb)))
		dshare=$(ds_share 0 100)
		eff=$(( m * 100 / (f1 + l1) ))
		note "$variant ${s% 0} ${p1##*:}:${p2##*:}: single fast $f1 KiB/s, slow $l1 KiB/s; map $m KiB/s = efficiency $((eff / 100)).$(printf %02d $((eff % 100))); fast path carried $share% of the bytes (status), $dshare% of the sectors (disks: $((DS_SEC[0] / 2)) / $((DS_SEC[1] / 2)) KiB, ${DS_IOS[0]} / ${DS_IOS[1]} completions)"
		# weighted-paths' share is its schedule's: asserted on every kernel;
		# least-blocks' follows the paths' speed (perf_fail, mp.sh)
		soft=${MP_PERF_SOFT:-0}
		[ "$s" = "weighted-paths 0" ] && soft=0
		[ "$share" -gt 55 ] || MP_PERF_SOFT=$soft perf_fail "$s: fast path carried only $share% of the bytes"
		if [ "$s" = "least-blocks 0" ] && [ "$variant" = --bs=4k ]; then
			awk -v e="$eff" -v m="$min_eff" 'BEGIN { exit !(e / 100 >= m) }' ||
				perf_fail "$variant least-blocks ${p1##*:}:${p2##*:}: efficiency $((eff / 100)).$(printf %02d $((eff % 100))) < $min_eff: a path left idle?"
		fi
		[ "$dshare" -gt 55 ] || MP_PERF_SOFT=$soft perf_fail --disk "$s: fast path's disk moved only $dshare% of the sectors (status said $share%)"
		# status bytes count clones the throttled path's queue refused
		# (Documentation/dm-least-blocks.rst, Status), the disks' sectors
		# do not: they agree while the queues have room, which a slow guest
		# does not give (debug kernel: 60 against 67 with the mixed sizes)
		d=$((dshare - share))
		[ "${d#-}" -le 5 ] || perf_fail --disk "$variant $s: fast path's share: disks say $dshare, selector status says $share (more than 5 apart)"
		mp_assert_idle asym "$FD" "$LD"
		mp_remove asym
	done
	nullb_remove fast
	nullb_remove slow
done
modprobe -r null_blk || fail "modprobe -r null_blk"
ds_done
