#!/bin/bash
# Path flapping under verified I/O (issue 8).
# 4 paths to ONE store (scsi_debug hosts sharing one RAM store); for each
# selector (least-blocks, weighted-paths proportional, weighted-paths
# priority) in request and bio mode: fio verify=crc32c runs while a loop
# fails or reinstates a random path every 100-300 ms (never all four down;
# build/tools/dmtool, one process, sends the dm messages).
# Pass: fio 0 errors, every path's in-flight counter 0 at the end, the
# selector's completed-I/O counters moved, no kernel warnings (runner),
# and (issue 14) a failed path gets no new I/O while it is failed: dmtool
# reads each path disk's own /sys/block stat right after failing it and
# right before reinstating it, and the completions in between may not
# exceed what the disk had in flight at the fail plus fio's queue depth
# (DMTOOL_FLAP_BOUND).  Without that check the test passed with a
# selector that ignores fail_path (scsi_debug paths stay healthy, so the
# I/O it keeps sending them succeeds): the mutant noop-fail-path
# (tests/mutants/noop-fail-path.patch) fails it (scripts/mutants.sh).
#
# All selector/mode combinations run at once (one map each, own fio region,
# own flapping process, own 4 scsi_debug disks of the one shared store, so
# that a disk's stat counts one map's I/O only).
# Env: FLAP_SECS  flapping time (default 15 for make check; make torture
#                 sets 180, the 3 minutes)
#      FLAP_SELS  "lb wp wpp" subset (default "lb wp"; torture all three)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe
mp_load
secs=${FLAP_SECS:-15}
sels=${FLAP_SELS:-"lb wp"}
nsel=0
for sel in $sels; do nsel=$((nsel + 1)); done
# 4 disks per map (2 modes per selector), one store
sd_setup $((nsel * 2 * 4)) 64 50000

DMTOOL=$REPO/build/tools/dmtool
[ -x "$DMTOOL" ] || fail "$DMTOOL missing: build it on the host (scripts/build-vmtools.sh; make check does)"

# All selector/mode maps flap AT ONCE, each with its own fio on its own
# 8 MiB region of the store and its own dmtool flapping its paths
# independently: SECS of flapping for every combination in SECS of time.
maps=() i=0
for sel in $sels; do
	case $sel in
	lb) s="least-blocks 0" w=(1 2 3 4) ;;
	wp) s="weighted-paths 0" w=(1 3 0 2) ;;
	wpp) s="weighted-paths 1 priority" w=(1 2 2 0) ;;
	*) fail "unknown selector key $sel" ;;
	esac
	for mode in rq bio; do
		m=fl_${sel}_$mode
		P=("${SD_DEVS[@]:i * 4:4}")
		MP_P[i]="${P[*]}"
		mp_create $m "$(mp_table "$SD_SECTORS" $mode "$s" "${P[0]}:${w[0]}" "${P[1]}:${w[1]}" "${P[2]}:${w[2]}" "${P[3]}:${w[3]}")"
		maps+=("$m")
		fio_verify /dev/mapper/$m $((secs + 10)) --offset=$((i * 8))M --size=8M >"$TEST_TMP/fio.$m" 2>&1 &
		fpid[i]=$!
		i=$((i + 1))
	done
done
[ $((i * 8 * 2048)) -le "$SD_SECTORS" ] || fail "store too small for $i maps of 8 MiB"
# Flap only once fio's I/O flows on every map (a loaded guest can take
# seconds to start fio; the no-new-I/O check needs I/O to mean anything):
# each map's own disk stat, read without an exec.
declare -A MDEV
while read -r nm ma mi; do MDEV[$nm]=$ma:$mi; done < <(dmsetup info -c --noheadings -o name,major,minor --separator ' ')
for ((t = 0; t < 600; t++)); do
	idle=0
	for m in "${maps[@]}"; do
		read -r -a st <"/sys/dev/block/${MDEV[$m]}/stat" || fail "no stat for $m"
		[ $((st[0] + st[4])) -ge 20 ] || idle=1
	done
	[ $idle = 0 ] && break
	vm_sleep 0.1
done
[ $idle = 0 ] || fail "fio did not start I/O on every map within 60 s"
i=0
for m in "${maps[@]}"; do
	# one process per map flaps (an exec per message would not keep the
	# pace); a failed path may complete what was in flight on its disk at
	# the fail plus fio_verify's iodepth (16), no more
	read -r -a P <<<"${MP_P[i]}"
	DMTOOL_FLAP_BOUND=16 "$DMTOOL" flap $m "$secs" 100 300 "${P[@]}" >"$TEST_TMP/flap.$m" 2>"$TEST_TMP/flap.$m.err" &
	dpid[i]=$!
	i=$((i + 1))
done
total_flaps=0 i=0 nofail=0
for m in "${maps[@]}"; do
	read -r -a P <<<"${MP_P[i]}"
	rc=0
	wait "${dpid[i]}" || rc=$?
	if [ $rc = 3 ]; then
		sed 's/^/# /' "$TEST_TMP/flap.$m.err" | head -n 5
		note "$m: failed paths kept getting new I/O: $(cat "$TEST_TMP/flap.$m")"
		nofail=1
	elif [ $rc != 0 ]; then
		fail "$m: dmtool flap failed: $(cat "$TEST_TMP/flap.$m" "$TEST_TMP/flap.$m.err")"
	fi
	wait "${fpid[i]}" || { cat "$TEST_TMP/fio.$m"; fail "$m: fio verify failed under flapping"; }
	read -r nf nr worst over <"$TEST_TMP/flap.$m"
	[ "$nf" -gt 0 ] || fail "$m: the loop failed no path"
	# one status read (an exec costs up to seconds here): every path
	# active again, nothing in flight, I/O counted
	read -ra tok <<<"$(dmsetup status $m)" || fail "dmsetup status $m"
	ios="" sum=0
	for d in "${P[@]}"; do
		for ((t = 0; t < ${#tok[@]}; t++)); do [ "${tok[t]}" = "$d" ] && break; done
		[ $t -lt ${#tok[@]} ] || fail "$m: path $d not in the status: ${tok[*]}"
		[ "${tok[t + 1]}" = A ] || fail "$m: path $d not active after the final reinstate"
		[ "${tok[t + 3]}" = 0 ] || fail "$m: path $d: ${tok[t + 3]} bytes in flight after I/O stopped"
		ios+="${tok[t + 4]} " sum=$((sum + tok[t + 4]))
	done
	[ "$sum" -gt 100 ] || fail "$m: only $sum I/Os counted ($ios)"
	note "$m: ${secs}s, $nf fails / $nr reinstates, I/Os per path: $ios; most I/Os a failed path's disk completed while failed: $worst (over the bound: $over)"
	total_flaps=$((total_flaps + nf))
	i=$((i + 1))
done
for m in "${maps[@]}"; do mp_remove $m || fail "remove $m"; done
[ $nofail = 0 ] || fail "failed paths got new I/O (see above): fail_path not honoured"
note "$total_flaps path failures in all, fio verify clean"
check_klog_clean || fail "kernel log not clean"
sd_teardown
