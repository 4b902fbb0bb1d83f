#!/bin/bash
# Path flapping under verified I/O (issue 8).
# 4 paths to ONE store (scsi_debug hosts sharing one RAM store); for each
# selector (least-blocks, weighted-paths proportional, weighted-paths
# priority) in request and bio mode: fio verify=crc32c runs while a loop
# fails or reinstates a random path every 100-300 ms (never all four down).
# Pass: fio 0 errors, every path's in-flight counter 0 at the end, the
# selector's completed-I/O counters moved, no kernel warnings (runner).
#
# Env: FLAP_SECS  flapping time per selector and mode (default 4: about
#                 25 s in all for make check; make torture sets 180)
#      FLAP_SELS  "lb wp wpp" subset (default all three)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe
mp_load
secs=${FLAP_SECS:-4}
sels=${FLAP_SELS:-"lb wp wpp"}
sd_setup 4 32 50000
P=("${SD_DEVS[@]}")

# flap MAP SECS: random fail/reinstate every 100-300 ms; never all paths
# down.  Prints "fails reinstates".
flap() {
	local m=$1 end=$((SECONDS + $2)) up=(1 1 1 1) nup=4 i nf=0 nr=0
	while [ $SECONDS -lt $end ]; do
		i=$((RANDOM % 4))
		if [ "${up[i]}" = 1 ]; then
			if [ $nup -gt 1 ]; then
				dmsetup message "$m" 0 fail_path "${P[i]}" || fail "fail_path ${P[i]}"
				up[i]=0 nup=$((nup - 1)) nf=$((nf + 1))
			fi
		else
			dmsetup message "$m" 0 reinstate_path "${P[i]}" || fail "reinstate_path ${P[i]}"
			up[i]=1 nup=$((nup + 1)) nr=$((nr + 1))
		fi
		vm_sleep "0.$((100 + RANDOM % 201))"
	done
	for i in 0 1 2 3; do
		[ "${up[i]}" = 1 ] && continue
		dmsetup message "$m" 0 reinstate_path "${P[i]}" || fail "final reinstate_path ${P[i]}"
		nr=$((nr + 1))
	done
	echo "$nf $nr"
}

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
		fio_verify /dev/mapper/flap $((secs + 3)) --size=16M &
		fpid=$!
		vm_sleep 1
		read -r nf nr <<<"$(flap flap "$secs")"
		[ "$nf" -gt 0 ] || fail "$sel $mode: the loop failed no path"
		wait $fpid || fail "$sel $mode: fio verify failed under flapping"
		ios=$(mp_ios flap "${P[@]}")
		sum=0
		for v in $ios; do sum=$((sum + v)); done
		[ "$sum" -gt 100 ] || fail "$sel $mode: only $sum I/Os counted ($ios)"
		# every path must be active again and count nothing in flight
		for d in "${P[@]}"; do
			[ "$(mp_field flap "$d" 1)" = A ] || fail "$sel $mode: path $d not active after the final reinstate"
		done
		mp_assert_idle flap "${P[@]}"
		note "$sel $mode: ${secs}s, $nf fails / $nr reinstates, I/Os per path: $ios"
		total_flaps=$((total_flaps + nf))
		mp_remove flap || fail "remove flap"
	done
done
note "$total_flaps path failures in all, fio verify clean"
check_klog_clean || fail "kernel log not clean"
sd_teardown
