#!/bin/bash
# Path flapping under verified I/O (issue 8).
# 4 paths to ONE store (scsi_debug hosts sharing one RAM store); for each
# selector (least-blocks, weighted-paths proportional, weighted-paths
# priority) in request and bio mode: fio verify=crc32c runs while a loop
# fails or reinstates a random path every 100-300 ms (never all four down;
# build/tools/dmtool, one process, sends the dm messages).
# Pass: fio 0 errors, every path's in-flight counter 0 at the end, the
# selector's completed-I/O counters moved, no kernel warnings (runner).
#
# Env: FLAP_SECS  flapping time per selector and mode (default 4: 16 s of
#                 flapping in all for make check; make torture sets 180)
#      FLAP_SELS  "lb wp wpp" subset (default "lb wp"; torture all three)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe
mp_load
secs=${FLAP_SECS:-4}
sels=${FLAP_SELS:-"lb wp"}
sd_setup 4 32 50000
P=("${SD_DEVS[@]}")

DMTOOL=$REPO/build/tools/dmtool
[ -x "$DMTOOL" ] || fail "$DMTOOL missing: build it on the host (scripts/build-vmtools.sh; make check does)"

total_flaps=0
for sel in $sels; do
	case $sel in
	lb) s="least-blocks 0" w=(1 2 3 4) ;;
	wp) s="weighted-paths 0" w=(1 3 0 2) ;;
	wpp) s="weighted-paths 1 priority" w=(1 2 2 0) ;;
	*) fail "unknown selector key $sel" ;;
	esac
	for mode in rq bio; do
		mp_create flap "$(mp_table "$SD_SECTORS" $mode "$s" "${P[0]}:${w[0]}" "${P[1]}:${w[1]}" "${P[2]}:${w[2]}" "${P[3]}:${w[3]}")"
		fio_verify /dev/mapper/flap $((secs + 2)) --size=16M &
		fpid=$!
		vm_sleep 1
		# one process flaps (an exec per message would not keep the pace)
		out=$("$DMTOOL" flap flap "$secs" 100 300 "${P[@]}") || fail "$sel $mode: dmtool flap failed"
		read -r nf nr <<<"$out"
		[ "$nf" -gt 0 ] || fail "$sel $mode: the loop failed no path"
		wait $fpid || fail "$sel $mode: fio verify failed under flapping"
		# one status read (an exec costs up to seconds here): every path
		# active again, nothing in flight, I/O counted
		read -ra tok <<<"$(dmsetup status flap)" || fail "dmsetup status"
		ios="" sum=0
		for d in "${P[@]}"; do
			for ((t = 0; t < ${#tok[@]}; t++)); do [ "${tok[t]}" = "$d" ] && break; done
			[ $t -lt ${#tok[@]} ] || fail "$sel $mode: path $d not in the status: ${tok[*]}"
			[ "${tok[t + 1]}" = A ] || fail "$sel $mode: path $d not active after the final reinstate"
			[ "${tok[t + 3]}" = 0 ] || fail "$sel $mode: path $d: ${tok[t + 3]} bytes in flight after I/O stopped"
			ios+="${tok[t + 4]} " sum=$((sum + tok[t + 4]))
		done
		[ "$sum" -gt 100 ] || fail "$sel $mode: only $sum I/Os counted ($ios)"
		note "$sel $mode: ${secs}s, $nf fails / $nr reinstates, I/Os per path: $ios"
		total_flaps=$((total_flaps + nf))
		mp_remove flap || fail "remove flap"
	done
done
note "$total_flaps path failures in all, fio verify clean"
check_klog_clean || fail "kernel log not clean"
sd_teardown
