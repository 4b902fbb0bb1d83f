#!/bin/bash
# least-blocks over two bandwidth-limited null_blk paths, 4 : 1 MiB/s
# (device-bound, stable under TCG): the faster path carries the larger
# share; the efficiency (map throughput / sum of the single-path
# throughputs) is printed, not asserted: it is a performance figure, and
# make bench measures it interleaved and repeated.  One block size (4k, 4 : 1 MiB/s) and mixed sizes
# (4k/64k/128k, 32 : 8 MiB/s: null_blk refills its budget every 20 ms and
# never passes a request larger than one refill, so 128k needs >= 7 MiB/s;
# faster rates make the emulated guest CPU-bound).
set -uo pipefail
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/lib.sh"
mp_load

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
	for sel in "least-blocks 0|$FD:1|$LD:1" "weighted-paths 0|$FD:4|$LD:1"; do
		IFS='|' read -r s p1 p2 <<<"$sel"
		mp_create asym "$(mp_table "$S" rq "$s" "$p1" "$p2")"
		m=$(bw /dev/mapper/asym "$variant")
		fb=$(mp_field asym "$FD" 5) lb=$(mp_field asym "$LD" 5)
		share=$(pct "$fb" $((fb + lb)))
		eff=$(( m * 100 / (f1 + l1) ))
		note "$variant ${s% 0}: single fast $f1 KiB/s, slow $l1 KiB/s; map $m KiB/s = efficiency $((eff / 100)).$(printf %02d $((eff % 100))); fast path carried $share% of the bytes"
		[ "$share" -gt 55 ] || fail "$s: fast path carried only $share% of the bytes"
		mp_assert_idle asym "$FD" "$LD"
		mp_remove asym
	done
	nullb_remove fast
	nullb_remove slow
done
modprobe -r null_blk || fail "modprobe -r null_blk"
