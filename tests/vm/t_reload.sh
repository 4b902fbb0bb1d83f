#!/bin/bash
# Table reloads under verified I/O (issue 8).
# 4 paths to one store; request and bio mode.  While fio verify=crc32c
# runs on the map, RELOADS new tables go in: random selector
# (least-blocks / weighted-paths / weighted-paths priority), random subset
# of 1..4 paths (paths added and removed), random weights; alternately
# "dmsetup reload + suspend + resume" and "dmsetup load + resume" (resume
# of an unsuspended map with an inactive table swaps it, suspending
# first).  Every new table must read back as loaded.  The first
# RELOADS_DMSETUP (default 1, torture: all) per mode go through dmsetup,
# the rest through build/tools/dmtool (libdevmapper, same ioctls).
# Pass: fio 0 errors, in-flight 0 at the end, no kernel warnings.
#
# Env: RELOADS  reloads per mode (default 8, about 16 in all for make
#               check; make torture sets 100)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe
mp_load
reloads=${RELOADS:-8}
DMTOOL=$REPO/build/tools/dmtool
[ -x "$DMTOOL" ] || fail "$DMTOOL missing: build it on the host (scripts/build-vmtools.sh; make check does)"
sd_setup 4 32 50000
P=("${SD_DEVS[@]}")

# rand_table MODE -> sets TBL (table line) and WANT (expected TABLE
# read-back fragment: selector, args and per-path part)
# (the table rand_table returns for reload r follows the reload/load
# alternation by r; dmtool alternates by its own line number, which is fine:
# both ways are exercised either way)
rand_table() {
	local mode=$1 k n i sel paths=() want
	k=$((RANDOM % 3))
	n=$((1 + RANDOM % 4))
	# a random subset of n paths, in a random rotation
	local start=$((RANDOM % 4))
	for ((i = 0; i < n; i++)); do
		local d=${P[$(((start + i) % 4))]} w
		if [ $k = 0 ]; then w=$((1 + RANDOM % 1000)); else w=$((RANDOM % 12)); fi
		paths+=("$d:$w")
		want+=" $d $w"
	done
	case $k in
	0) sel="least-blocks 0" ;;
	1) sel="weighted-paths 0" ;;
	2) sel="weighted-paths 1 priority" ;;
	esac
	TBL=$(mp_table "$SD_SECTORS" "$mode" "$sel" "${paths[@]}")
	WANT="$sel $n 1$want"
}

# one_mode MODE OFFSET_MB: a map rl_MODE, fio on its own 12 MiB region
one_mode() {
	local mode=$1 off=$2 rl=rl_$1 r fpid got v d ndm st=$TEST_TMP/stop.$1
	mp_create $rl "$(mp_table "$SD_SECTORS" $mode "least-blocks 0" "${P[0]}:1" "${P[1]}:1")"
	# back-to-back 3 s verify runs until told to stop (a stop file: a
	# signal would not reach fio cleanly through the background subshell)
	rm -f "$st"
	( runs=0
	  while [ ! -e "$st" ]; do
		fio_verify /dev/mapper/$rl 3 --offset=${off}M --size=12M
		runs=$((runs + 1))
	  done
	  echo $runs >"$st.runs" ) &
	fpid=$!
	vm_sleep 1
	# the first RELOADS_DMSETUP through dmsetup itself (an exec each:
	# 0.2-2 s in a loaded TCG guest), the rest through dmtool reloads
	# (libdevmapper: the same reload/suspend/resume ioctls, one process)
	ndm=${RELOADS_DMSETUP:-1}
	: >"$st.txt"
	for ((r = 1; r <= reloads; r++)); do
		rand_table $mode
		if [ $r -gt "$ndm" ]; then
			# dmtool numbers from 1: keep the reload/load alternation
			echo "${TBL}|${WANT}" >>"$st.txt"
			continue
		fi
		if [ $((r % 2)) = 1 ]; then
			dmsetup reload $rl --table "$TBL" || fail "$mode reload $r: $TBL"
			dmsetup suspend $rl || fail "$mode suspend $r"
			dmsetup resume $rl || fail "$mode resume $r"
		else
			dmsetup load $rl --table "$TBL" || fail "$mode load $r: $TBL"
			dmsetup resume $rl || fail "$mode resume (load) $r"
		fi
		got=$(dmsetup table $rl)
		got=${got% }
		[[ $got == *"$WANT" ]] || fail "$mode reload $r: table reads back '$got', want '...$WANT'"
		kill -0 $fpid 2>/dev/null || { wait $fpid; fail "$mode: fio ended during reload $r"; }
	done
	if [ -s "$st.txt" ]; then
		"$DMTOOL" reloads $rl "$st.txt" >/dev/null || fail "$mode: dmtool reloads failed"
	fi
	kill -0 $fpid 2>/dev/null || { wait $fpid; fail "$mode: fio ended during the reloads"; }
	# let I/O run on the last table, then stop after the current run
	vm_sleep 1
	: >"$st"
	wait $fpid || fail "$mode: fio verify failed across $reloads reloads"
	# the last table's paths must count nothing in flight
	for d in "${P[@]}"; do
		v=$(mp_field $rl "$d" 3)
		[ -z "$v" ] || [ "$v" = 0 ] || fail "$mode: path $d: $v bytes in flight after I/O stopped"
	done
	note "$mode: $reloads reloads under $(cat "$st.runs") fio verify runs, 0 errors; last: $WANT"
	mp_remove $rl || fail "remove $rl"
}

# both modes at once (separate maps, regions and fio loops)
one_mode rq 0 >"$TEST_TMP/out.rq" 2>&1 &
p1=$!
one_mode bio 16 >"$TEST_TMP/out.bio" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
cat "$TEST_TMP/out.rq" "$TEST_TMP/out.bio"
[ $r1 = 0 ] && [ $r2 = 0 ] || fail "reloads under I/O failed (rq $r1, bio $r2)"
check_klog_clean || fail "kernel log not clean"
sd_teardown
