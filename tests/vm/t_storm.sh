#!/bin/bash
# Path-state storm under I/O without queue_if_no_path (issue 14).
#
# Catches: a select_path that returns NO path while one is usable, which
# dm-mpath turns into EIO when the map has no queue_if_no_path.  fail_path
# and reinstate_path rewrite the per-path flags one at a time under
# dm-mpath's m->lock while select_path scans them without it; an unfixed
# scan can see an empty set in the middle of a rewrite (weighted-paths
# priority mode when a lower-weight path at a higher index comes back;
# proportional mode when the weighted path comes back behind standby
# paths, whose flags are cleared first).  Path 0 is never failed here, so
# every EIO is the selector's fault.  Its mutant is "no-retry"
# (tests/mutants/no-retry.patch: the rescan of an empty scan removed;
# "unfixed" reverts the whole fix), run by scripts/mutants.sh --long (make
# torture).  Measured 2026-12-03 on the loaded 2-core machine under TCG:
# 57-530 path messages/s per map (the issue's report: ~8000/s), and no
# EIO from the unfixed modules in 20-60 s per map on 6.12 (also MTTCG),
# 6.1 RT and with 1024 paths: the race needs the writer descheduled
# inside a flag rewrite, so its rate scales with messages/s.  The test
# proves the fix only where it reaches the issue's rate; here it proves
# no regression (0 errors, counters 0) and the mutant run shows whether
# it caught the race.
#
# Setup: a guest with 4 vCPUs (make check: scripts/check.sh starts it with
# --smp 4); for every map, fio with 4 jobs, one per CPU, direct I/O with
# crc32c verify and error counting (continue_on_error), and one
# `dmtool storm` process toggling paths 1..n-1 (fail if up, reinstate if
# down) through DM_DEVICE_TARGET_MSG as fast as it can.
# Maps (STORM_MAPS keys; path 0 first, never failed):
#   lbu3 lbu64   least-blocks, uniform weights (path order of the storm:
#                1..n-1 in turn, unless said otherwise)
#   lbw3 lbw64   least-blocks, mixed weights
#   wpp3 wpp64   weighted-paths proportional (all weighted)
#   wps3 wps64   weighted-paths with standby: 0 0 1 (64: 63 standby, the
#                one weighted path last); storm order "wave": fail 1..n-1,
#                reinstate n-1..1, so the weighted path comes back while
#                path 0 alone is in use and the rewrite clears path 0 first
#                and sets path n-1 last
#   wpr3 wpr64   weighted-paths-priority: 3 2 1 (64: 500, 62 x 1000, 1:
#                the lowest weight last, path 0's tier in use while it is
#                down); on 64 paths storm order "hot": every other message
#                toggles the last path
# Any other count works as a bio-mode key (4..1024 paths, e.g. wpr1024:
# the flag rewrite, and so the window, grows with the paths; scripts/
# mutants.sh uses it).
# *3: request-based, 3 scsi_debug disks over one store; *64: queue_mode
# bio, 64 dm-linear paths over one memory-backed null_blk (the bio maps
# share the dm-linear devices; each map has its own fio region).
# Pass: fio 0 errors on every map, every path active and 0 bytes in flight
# at the end; messages/s reported per map.
# Env: STORM_SECS   storm time per map (default 60: make check; torture 600)
#      STORM_MAPS   subset of the keys above (default: all ten)
#      STORM_PAR    maps stormed at once (default 5: the request-based maps,
#                   then the bio maps; 10 = all at once)
#      STORM_IODEPTH fio iodepth per job (default 4)
#      STORM_CPUS    CPUs the guest must have (default 4; fails with fewer)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe
mp_load
secs=${STORM_SECS:-60}
keys=${STORM_MAPS:-"lbu3 wps3 wpr3 lbw3 wpp3 lbu64 wps64 wpr64 lbw64 wpp64"}
par=${STORM_PAR:-5}
qd=${STORM_IODEPTH:-4}
ncpu=$(nproc)
pin=(--cpus_allowed=0-3 --cpus_allowed_policy=split)
# The race needs CPUs: a guest that came up with fewer than asked (the
# debug kernel without the MP table parser ran on 1 of 4) must fail, not
# storm on one CPU and pass.  STORM_CPUS=1 for a deliberate small run.
if [ "$ncpu" -lt "${STORM_CPUS:-4}" ]; then
	fail "only $ncpu CPUs online, the storm wants ${STORM_CPUS:-4} (vm-run --smp 4; the guest kernel must bring them up)"
fi
[ "$ncpu" -ge 4 ] || pin=()
DMTOOL=$REPO/build/tools/dmtool
[ -x "$DMTOOL" ] || fail "$DMTOOL missing: build it on the host (scripts/build-vmtools.sh; make check does)"
read -r -a K <<<"$keys"
REG_MB=16	# fio region per map: 4 jobs x 4 MiB

# --- backing devices ---
n3=0 n64=0
# a key's path count: its number; 3 is request-based, more is bio mode
npaths() { echo "${1##*[a-z]}"; }
for k in "${K[@]}"; do
	case $k in
	*[a-z]3) n3=$((n3 + 1)) ;;
	*[a-z][0-9]*) [ "${k##*[a-z]}" -ge 4 ] && [ "${k##*[a-z]}" -le 1024 ] || fail "bad path count in $k"
		n64=$((n64 + 1)) ;;
	*) fail "unknown map key $k" ;;
	esac
done
if [ $n3 -gt 0 ]; then
	sd_setup 3 $((n3 * REG_MB + 1)) 0
	P3=("${SD_DEVS[@]}")
fi
if [ $n64 -gt 0 ]; then
	NULLB_MEMORY_BACKED=1
	export NULLB_MEMORY_BACKED
	NB=$(nullb_create storm $((n64 * REG_MB + 1))) || fail "null_blk"
	nbdev=$(devnum "$NB")
	# one set of dm-linear paths over the whole null_blk, shared by the
	# bio maps (dm lets a device be a path of several maps; each map has
	# its own fio region and its own storm): as many as the largest map
	# needs, all created in one exec
	nmax=0
	for k in "${K[@]}"; do
		[[ $k == *[a-z]3 ]] || [ "${k##*[a-z]}" -le $nmax ] || nmax=${k##*[a-z]}
	done
	read -r nbsec <"/sys/block/${NB##*/}/size"
	mp_linear_paths st_l "$nmax" "$nbdev" "$nbsec"
fi

# map_def KEY -> sets SEL (selector with args), W (weights, path order)
# and STORM_PAT (dmtool storm's order: rr, hot, wave)
map_def() {
	local n=${1##*[a-z]} j
	W=() STORM_PAT=rr
	case ${1%%[0-9]*} in
	lbu) SEL="least-blocks 0"; for ((j = 0; j < n; j++)); do W+=(1); done ;;
	lbw) SEL="least-blocks 0"; for ((j = 0; j < n; j++)); do W+=($((j % 4 * 3 + 1))); done ;;
	wpp) SEL="weighted-paths 0"; for ((j = 0; j < n; j++)); do W+=($((j % 3 + 1))); done ;;
	wps) SEL="weighted-paths 0" STORM_PAT=wave
		for ((j = 0; j < n - 1; j++)); do W+=(0); done; W+=(1) ;;
	wpr) SEL="weighted-paths-priority 0"
		if [ "$n" = 3 ]; then W=(3 2 1); else
			STORM_PAT=hot W=(500)
			for ((j = 1; j < n - 1; j++)); do W+=(1000); done
			W+=(1)
		fi ;;
	*) fail "unknown map key $1" ;;
	esac
}

# --- the maps ---
i3=0 i64=0
declare -A DEVS OFF PAT
for k in "${K[@]}"; do
	map_def "$k"
	args=()
	if [[ $k != *[a-z]3 ]]; then
		mode=bio sectors=$nbsec
		for ((p = 0; p < ${k##*[a-z]}; p++)); do
			args+=("${LPATHS[p]}:${W[p]}")
		done
		OFF[$k]=$((i64 * REG_MB))
		i64=$((i64 + 1))
	else
		mode=rq sectors=$SD_SECTORS
		for ((p = 0; p < 3; p++)); do args+=("${P3[p]}:${W[p]}"); done
		OFF[$k]=$((i3 * REG_MB))
		i3=$((i3 + 1))
	fi
	PAT[$k]=$STORM_PAT
	tbl=$(mp_table "$sectors" $mode "$SEL" "${args[@]}")
	[[ $tbl != *queue_if_no_path* ]] || fail "storm map with queue_if_no_path"
	mp_create "st_$k" "$tbl"
	d=""
	for a in "${args[@]}"; do d+="${a%:*} "; done
	DEVS[$k]=$d
	[ "$mode" = rq ] || note "st_$k: $(npaths "$k") paths ready"
done

note "maps ready after ${SECONDS}s (backing devices and tables)"

# dm-mpath logs every fail and reinstate (DMWARN, KERN_WARNING): at
# thousands per second the serial console would pace the storm and the
# ring buffer would wrap before the runner scans it.  So while storming:
# console only for KERN_ALERT and worse, and a watcher greps every record
# for the bad-kernel patterns as it arrives (a grep that falls behind gets
# EPIPE; the loop starts it again from the oldest record still kept).
klog_load_patterns || fail "no kernel-log patterns"
watch_start() {
	read -r PRINTK_SAVED <"/proc/sys/kernel/printk"
	echo 1 >/proc/sys/kernel/printk
	rm -f "$TEST_TMP/watch.stop"
	(
		while [ ! -e "$TEST_TMP/watch.stop" ]; do
			grep -a -E -e "$KLOG_BAD_RE" /dev/kmsg 2>/dev/null
		done
	) >>"$TEST_TMP/klog.bad" 2>/dev/null &
	WATCH_PID=$!
}
watch_stop() {
	touch "$TEST_TMP/watch.stop"
	echo "t_storm: watch stop" >/dev/kmsg	# wakes the grep (then killed)
	vm_sleep 0.5
	pkill -P "$WATCH_PID" grep 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null || true
	echo "${PRINTK_SAVED%%[[:space:]]*}" >/proc/sys/kernel/printk
	if [ -s "$TEST_TMP/klog.bad" ] && ! sed 's/^[^;]*;//' "$TEST_TMP/klog.bad" | klog_scan >"$TEST_TMP/klog.bad2"; then
		note "bad kernel log lines during the storm:"
		sort -u "$TEST_TMP/klog.bad2" | head -n 20 | sed 's/^/#   KLOG: /'
		bad=1
	fi
}

# run_batch KEY...: fio + storm on each map at once, then the checks
bad=0 total_msgs=0
run_batch() {
	local k fp=() sp=() j rate errs tok t
	for k in "$@"; do
		fio --name=storm --filename=/dev/mapper/st_$k --direct=1 --ioengine=libaio \
			--iodepth="$qd" --rw=randwrite --bsrange=4k-16k --verify=crc32c \
			--verify_backlog=16 --verify_fatal=0 --do_verify=1 \
			--numjobs=4 "${pin[@]}" \
			--offset=$((OFF[$k]))M --size=4M --offset_increment=4M \
			--continue_on_error=all --group_reporting \
			--runtime=$((secs + 3)) --time_based \
			--output-format=terse --terse-version=3 >"$TEST_TMP/fio.$k" 2>"$TEST_TMP/fio.$k.err" &
		fp+=($!)
	done
	vm_sleep 2	# fio running on every map
	for k in "$@"; do
		read -r -a dv <<<"${DEVS[$k]}"
		DMTOOL_STORM=${PAT[$k]} "$DMTOOL" storm "st_$k" "$secs" "${dv[@]}" >"$TEST_TMP/storm.$k" 2>&1 &
		sp+=($!)
	done
	j=0
	for k in "$@"; do
		wait "${sp[j]}" || { bad=1; note "st_$k: dmtool storm failed: $(cat "$TEST_TMP/storm.$k")"; }
		wait "${fp[j]}"
		j=$((j + 1))
	done
	for k in "$@"; do
		msgs=0 rate=0
		while read -r w1 w2 _ _ _ w6; do
			[ "$w1" = msgs ] && msgs=$w2 rate=$w6
		done <"$TEST_TMP/storm.$k"
		total_msgs=$((total_msgs + msgs))
		errs=$(awk -F';' '/^3;/ { e += $5; n++ } END { if (n) print e; else print "none" }' "$TEST_TMP/fio.$k")
		if [ "$errs" = none ]; then
			bad=1
			note "st_$k: fio gave no result:"
			sed 's/^/#   fio: /' "$TEST_TMP/fio.$k" "$TEST_TMP/fio.$k.err" | head -n 20
			errs=?
		elif [ "$errs" != 0 ]; then
			bad=1
			sed 's/^/#   fio: /' "$TEST_TMP/fio.$k.err" | sort | uniq -c | head -n 10
		fi
		# one status read: every path active, nothing in flight
		read -ra tok <<<"$(dmsetup status "st_$k")" || fail "dmsetup status st_$k"
		local notidle=0 notact=0 ios=0
		for ((t = 0; t < ${#tok[@]}; t++)); do
			[[ ${tok[t]} == *:* ]] || continue
			[ "${tok[t + 1]}" = A ] || notact=$((notact + 1))
			[ "${tok[t + 3]}" = 0 ] || { notidle=$((notidle + 1)); note "st_$k path ${tok[t]}: ${tok[t + 3]} bytes in flight after I/O stopped"; }
			ios=$((ios + tok[t + 4]))
		done
		[ $notidle = 0 ] && [ $notact = 0 ] || bad=1
		[ $ios -gt 100 ] || { bad=1; note "st_$k: only $ios I/Os completed"; }
		note "st_$k ($KVER): ${msgs:-0} path messages in ${secs}s, ${rate:-0}/s; fio errors $errs; $ios I/Os; paths not active $notact, not idle $notidle"
		[ "$errs" = 0 ] || note "st_$k: I/O FAILED although path 0 was never failed"
	done
}

watch_start
batch=()
for k in "${K[@]}"; do
	batch+=("$k")
	if [ ${#batch[@]} -ge "$par" ]; then
		run_batch "${batch[@]}"
		batch=()
	fi
done
[ ${#batch[@]} -eq 0 ] || run_batch "${batch[@]}"
watch_stop
note "storms done after ${SECONDS}s"

for k in "${K[@]}"; do mp_remove "st_$k" || fail "remove st_$k"; done
if [ $n64 -gt 0 ]; then
	names=()
	for ((p = 0; p < nmax; p++)); do names+=("st_l$p"); done
	dmsetup remove "${names[@]}" || fail "remove the dm-linear paths"
	nullb_remove storm
fi
note "$total_msgs path messages in all; torn down after ${SECONDS}s"
[ $bad = 0 ] || fail "storm: I/O errors or counters not back to 0 (see above)"
check_klog_clean || fail "kernel log not clean"
sd_teardown
