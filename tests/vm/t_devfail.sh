#!/bin/bash
# Real path failures, not messages (issue 14): paths fail through I/O
# errors while I/O is in flight, and dm-mpath fails the path and requeues
# the I/O by itself.  Both selectors (least-blocks, weighted-paths).
#
#  (a) request-based over 3 scsi_debug disks of one store: one disk at a
#      time goes `offline` (the SCSI layer rejects its I/O), dm-mpath fails
#      it on the first error; then `running` and reinstate_path.
#  (b) bio mode over 3 dm-linear paths of one null_blk: one path at a time
#      is switched to the `error` target (reload + resume of the lower
#      device) and back, then reinstated.
#      (a) and (b) run fio verify on every map throughout; another path is
#      usable at every moment, so fio must see 0 errors.
#  (c) the bio double end_io recipe of issue 14: a `queue_mode bio
#      queue_if_no_path` map over two dm-linear paths, both switched to
#      `error`, one direct read (it fails on both paths and is queued),
#      `fail_if_no_path` (dm-mpath kills the queued bio with EIO and calls
#      the selector's end_io a second time for it), restore the lower
#      devices, reinstate the paths.  Every in-flight counter must then be
#      0 (an unsaturated subtract shows 18446744073709547520) and new I/O
#      must reach both paths (least-blocks starves a path with a wrapped
#      count), measured on the path disks' own stat, not only the status.
# Catches: (c) the wrapping in-flight decrement; the mutant "no-sat"
# (tests/mutants/no-sat.patch: plain subtract) fails it; (a)/(b) a
# selector that returns no path, or a dead one, while a path is usable
# under real failures (mutant "no-retry" can fail them, rarely: real
# failures are too slow to storm; t_storm.sh is the sure catch for that).
# Pass: fio 0 errors, counters 0 at the end, both paths used after (c).
# Env: DEVFAIL_CYCLES  path failures per part (default 3, one per path;
#                       torture 30)
#      DEVFAIL_PARTS   subset of "a b c" (default all)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd fio dmsetup modprobe dd
mp_load
cycles=${DEVFAIL_CYCLES:-3}
parts=${DEVFAIL_PARTS:-"a b c"}
SELS=("least-blocks 0" "weighted-paths 0")
bad=0

# path_state MAP DEV -> A or F
path_state() { mp_field "$1" "$2" 1; }

# wait_state MAP DEV STATE SECS: 0 once the path is in STATE
wait_state() {
	local i
	for ((i = 0; i < $4 * 4; i++)); do
		[ "$(path_state "$1" "$2")" = "$3" ] && return 0
		vm_sleep 0.25
	done
	return 1
}

# fio_start MAP OFFSET_MB: fio randwrite + crc32c verify, 2 jobs (4 MiB
# each from OFFSET_MB), errors counted (continue_on_error), until
# fio_stop; pid in FIO_PID
fio_start() {
	fio --name=df --filename="/dev/mapper/$1" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randwrite --bsrange=4k-64k --verify=crc32c --verify_backlog=32 \
		--verify_fatal=0 --do_verify=1 --numjobs=2 --offset="$2"M --size=4M \
		--offset_increment=4M --continue_on_error=all --group_reporting \
		--runtime=3600 --time_based --output-format=terse --terse-version=3 \
		>"$TEST_TMP/fio.$1" 2>"$TEST_TMP/fio.$1.err" &
	FIO_PID=$!
}

# fio_stop MAP PID: stop it (SIGINT: fio ends and reports), then fail the
# test (bad=1) on any error it counted
fio_stop() {
	local errs
	kill -INT "$2" 2>/dev/null
	wait "$2"
	errs=$(awk -F';' '/^3;/ { e += $5; n++ } END { if (n) print e; else print "none" }' "$TEST_TMP/fio.$1")
	if [ "$errs" != 0 ]; then
		note "$1: fio errors: $errs"
		sed 's/^/#   fio: /' "$TEST_TMP/fio.$1.err" | sort | uniq -c | head -n 10
		bad=1
	fi
	FIO_ERRS=$errs
}

# linear_table DEV SECTORS
linear_table() { echo "0 $2 linear $1 0"; }

# lower_set NAME TABLE: reload and resume a lower device (resume suspends
# first: I/O in flight on it drains)
lower_set() {
	dmsetup reload "$1" --table "$2" || fail "reload $1"
	dmsetup resume "$1" || fail "resume $1"
}

# check_idle MAP DEV...: every path active and 0 bytes in flight
check_idle() {
	local m=$1 d v s
	shift
	for d in "$@"; do
		s=$(path_state "$m" "$d") v=$(mp_field "$m" "$d" 3)
		[ "$s" = A ] || { note "$m path $d is $s at the end"; bad=1; }
		[ "$v" = 0 ] || { note "$m path $d: $v bytes in flight after I/O stopped"; bad=1; }
	done
}

# ---- (a) request-based: SCSI device offline / running ----
part_a() {
	local maps=() fpids=() i m d dev name p
	sd_setup 3 20 50000
	for i in 0 1; do
		m=dfa$i
		mp_create $m "$(mp_table "$SD_SECTORS" rq "${SELS[i]}" "${SD_DEVS[0]}:1" "${SD_DEVS[1]}:1" "${SD_DEVS[2]}:1")"
		maps+=($m)
		fio_start $m $((i * 8))
		fpids+=($FIO_PID)
	done
	vm_sleep 1
	for ((c = 0; c < cycles; c++)); do
		p=$((c % 3)) dev=${SD_DEVS[p]} name=${SD_NAMES[p]}
		echo offline >"/sys/block/$name/device/state" || fail "offline $name"
		for m in "${maps[@]}"; do
			wait_state $m "$dev" F 20 || { note "(a) $m: $name offline but path $dev not failed within 20 s"; bad=1; }
		done
		echo running >"/sys/block/$name/device/state" || fail "running $name"
		for m in "${maps[@]}"; do
			dmsetup message $m 0 reinstate_path "$dev" || fail "reinstate $dev in $m"
		done
		vm_sleep 0.5
	done
	for i in 0 1; do
		m=${maps[i]}
		fio_stop $m "${fpids[i]}"
		note "(a) $m (${SELS[i]}): fio errors $FIO_ERRS"
		check_idle $m "${SD_DEVS[@]}"
		mp_remove $m || fail "remove $m"
	done
	note "(a) request-based: $cycles SCSI offline/running failures under fio verify, both selectors"
	sd_teardown
}

# ---- (b) bio mode: dm-linear paths switched to the error target ----
part_b() {
	local NB nbdev secs maps=() fpids=() i m p dev
	NB=$(NULLB_MEMORY_BACKED=1 nullb_create dfb 20) || fail "null_blk"
	nbdev=$(devnum "$NB")
	read -r secs <"/sys/block/${NB##*/}/size"
	local D=()
	for p in 0 1 2; do
		dmsetup create dfb_l$p --table "$(linear_table "$nbdev" "$secs")" || fail "create dfb_l$p"
		D+=("$(devnum /dev/mapper/dfb_l$p)")
	done
	for i in 0 1; do
		m=dfb$i
		mp_create $m "$(mp_table "$secs" bio "${SELS[i]}" "${D[0]}:1" "${D[1]}:1" "${D[2]}:1")"
		maps+=($m)
		fio_start $m $((i * 8))
		fpids+=($FIO_PID)
	done
	vm_sleep 1
	for ((c = 0; c < cycles; c++)); do
		p=$((c % 3)) dev=${D[p]}
		lower_set dfb_l$p "0 $secs error"
		for m in "${maps[@]}"; do
			wait_state $m "$dev" F 20 || { note "(b) $m: dfb_l$p errors but path $dev not failed within 20 s"; bad=1; }
		done
		lower_set dfb_l$p "$(linear_table "$nbdev" "$secs")"
		for m in "${maps[@]}"; do
			dmsetup message $m 0 reinstate_path "$dev" || fail "reinstate $dev in $m"
		done
		vm_sleep 0.5
	done
	for i in 0 1; do
		m=${maps[i]}
		fio_stop $m "${fpids[i]}"
		note "(b) $m (${SELS[i]}): fio errors $FIO_ERRS"
		check_idle $m "${D[@]}"
		mp_remove $m || fail "remove $m"
	done
	dmsetup remove dfb_l0 dfb_l1 dfb_l2 || fail "remove dfb_l*"
	nullb_remove dfb
	note "(b) bio mode: $cycles error-target failures under fio verify, both selectors"
}

# ---- (c) bio double end_io: queue_if_no_path, fail_if_no_path ----
part_c() {
	local NB nbdev secs i m sel D=() dpid rc s0 s1 v f
	NB=$(NULLB_MEMORY_BACKED=1 nullb_create dfc 8) || fail "null_blk"
	nbdev=$(devnum "$NB")
	read -r secs <"/sys/block/${NB##*/}/size"
	for i in 0 1; do
		sel=${SELS[i]} m=dfc$i
		dmsetup create ${m}_a --table "$(linear_table "$nbdev" "$secs")" || fail "create ${m}_a"
		dmsetup create ${m}_b --table "$(linear_table "$nbdev" "$secs")" || fail "create ${m}_b"
		D=("$(devnum /dev/mapper/${m}_a)" "$(devnum /dev/mapper/${m}_b)")
		mp_create $m "$(mp_table "$secs" bio_qinp "$sel" "${D[0]}:1" "${D[1]}:1")"
		lower_set ${m}_a "0 $secs error"
		lower_set ${m}_b "0 $secs error"
		dd if=/dev/mapper/$m of=/dev/null bs=4k count=1 iflag=direct status=none 2>"$TEST_TMP/dd.$m" &
		dpid=$!
		# the read fails both paths, then queues (a loaded host may take
		# seconds to even start dd: wait for the state, not a fixed time)
		wait_state $m "${D[0]}" F 30 && wait_state $m "${D[1]}" F 10 ||
			{ note "(c) $m: paths not both failed within 40 s: $(dmsetup status $m)"; bad=1; }
		vm_sleep 0.5
		kill -0 $dpid 2>/dev/null || { note "(c) $m: the read ended with both paths erroring (not queued)"; bad=1; }
		dmsetup message $m 0 fail_if_no_path || fail "fail_if_no_path $m"
		wait $dpid
		rc=$?
		[ $rc != 0 ] || { note "(c) $m: the queued read succeeded with all paths failed"; bad=1; }
		lower_set ${m}_a "$(linear_table "$nbdev" "$secs")"
		lower_set ${m}_b "$(linear_table "$nbdev" "$secs")"
		dmsetup message $m 0 reinstate_path "${D[0]}" || fail "reinstate ${D[0]}"
		dmsetup message $m 0 reinstate_path "${D[1]}" || fail "reinstate ${D[1]}"
		dmsetup message $m 0 queue_if_no_path || fail "queue_if_no_path $m"
		for d in "${D[@]}"; do
			v=$(mp_field $m "$d" 3)
			[ "$v" = 0 ] || { note "(c) $m ($sel) path $d: $v bytes in flight after fail_if_no_path + restore (wrapped counter: dm-mpath's second end_io)"; bad=1; }
		done
		# new I/O must reach both paths: 64 direct reads, counted on the
		# lower devices' own stat and in the selector's status
		ds_c_snap() { local d f; for d in "${D[@]}"; do read -r -a f <"/sys/dev/block/$d/stat"; printf '%s ' $((f[0] + f[4])); done; }
		read -r -a s0 <<<"$(ds_c_snap)"
		f=$(mp_field $m "${D[0]}" 4)/$(mp_field $m "${D[1]}" 4)
		fio --name=after --filename=/dev/mapper/$m --direct=1 --ioengine=libaio --iodepth=4 \
			--rw=randread --bs=4k --number_ios=64 --size=4M --output=/dev/null ||
			{ note "(c) $m: reads after the restore failed"; bad=1; }
		read -r -a s1 <<<"$(ds_c_snap)"
		local g0=$((s1[0] - s0[0])) g1=$((s1[1] - s0[1]))
		note "(c) $m ($sel): after restore, 64 reads: path disks $g0 + $g1 I/Os (status ios before $f, after $(mp_field $m "${D[0]}" 4)/$(mp_field $m "${D[1]}" 4))"
		if [ $g0 -lt 8 ] || [ $g1 -lt 8 ]; then
			note "(c) $m ($sel): a path is starved after the restore ($g0 / $g1 of 64 reads)"
			bad=1
		fi
		check_idle $m "${D[@]}"
		mp_remove $m || fail "remove $m"
		dmsetup remove ${m}_a ${m}_b || fail "remove ${m}_a ${m}_b"
	done
	nullb_remove dfc
	note "(c) bio queue_if_no_path + fail_if_no_path recipe, both selectors"
}

for p in $parts; do
	case $p in a) part_a ;; b) part_b ;; c) part_c ;; *) fail "unknown part $p" ;; esac
done
[ $bad = 0 ] || fail "device failures: see above"
check_klog_clean || fail "kernel log not clean"
