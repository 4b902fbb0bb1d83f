#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of `make bench` (scripts/bench.sh runs it in one QEMU boot).
# Every case runs all of its selectors as jobs of ONE fio invocation per
# repetition (stonewall: one job at a time), the job order rotated from one
# repetition to the next, so that drift in the loaded TCG host hits every
# selector alike.  Raw figures go to $BENCH_RAW, one per line:
#   CASE <tab> CONFIG <tab> SELECTOR <tab> REP <tab> VALUE
# scripts/bench.sh turns them into medians and min-max.
#
# env: BENCH_REPS (5), BENCH_RT1 (s per job, case 1), BENCH_RT2 (case 2),
#      BENCH_RT3, BENCH_RT4, BENCH_RT7 (s per run, case 7), BENCH_CASES
#      ("1 2 4 3 6 7"; 3, 6 and 7 need tests/vm/iscsi.sh), BENCH_HST (dir with
#      dm-historical-service-time.ko, optional), BENCH_LB_OLD (dir with
#      dm-least-blocks-old.ko, selector "lbo", optional), BENCH_SELS
#      (selectors), BENCH_NPATHS, BENCH_QDS (case 1), BENCH_RAW (output file)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/.." && pwd)
. "$REPO/tests/vm/lib.sh"
. "$REPO/tests/vm/mp.sh"

REPS=${BENCH_REPS:-5}
RT1=${BENCH_RT1:-2.5}
RT2=${BENCH_RT2:-3}
RT2L=${BENCH_RT2L:-4}
RT4=${BENCH_RT4:-3}
RT3=${BENCH_RT3:-4}
RT7=${BENCH_RT7:-20}
CASES=${BENCH_CASES:-"1 2 4 3 6 7"}
RAW=${BENCH_RAW:?BENCH_RAW: output file}
: >"$RAW" || { echo "bench: cannot write $RAW" >&2; exit 1; }

mp_load
for m in dm-round-robin dm-queue-length dm-service-time; do
	modprobe "$m" || fail "modprobe $m"
done
HST=0
if [ -n "${BENCH_HST:-}" ] && [ -f "$BENCH_HST/dm-historical-service-time.ko" ]; then
	insmod "$BENCH_HST/dm-historical-service-time.ko" && HST=1
fi
LBO=0
if [ -n "${BENCH_LB_OLD:-}" ] && [ -f "$BENCH_LB_OLD/dm-least-blocks-old.ko" ]; then
	insmod "$BENCH_LB_OLD/dm-least-blocks-old.ko" && LBO=1
fi
note "selectors loaded (historical-service-time: $HST, least-blocks-old: $LBO)"

emit() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }

# fio_rot REP JOBARGS NAME=DEV ... : one fio run, the jobs in an order
# rotated by REP; prints "NAME IOPS KIBPS" per job.
fio_rot() {
	local rep=$1 args=$2 i n jf=$TEST_TMP/jobs.fio
	shift 2
	local jobs=("$@")
	n=${#jobs[@]}
	{
		printf '[global]\nioengine=libaio\ndirect=1\nrw=randread\ntime_based\nnorandommap\nrandrepeat=0\n'
		printf '%s\n' $args
		for ((i = 0; i < n; i++)); do
			local j=${jobs[(i + rep) % n]}
			printf '[%s]\nfilename=%s\nstonewall\n' "${j%%=*}" "${j#*=}"
		done
	} >"$jf"
	# FIO_ROT_LAT=1: also mean latency (us) and p99 completion latency (us)
	fio --output-format=terse --terse-version=3 "$jf" 2>"$TEST_TMP/fio.err" |
		awk -F';' -v lat="${FIO_ROT_LAT:-0}" '/^3;/ { if ($5 != 0) bad = 1
			if (lat) { split($30, q, "="); print $3, $8, $7, $40, q[2] }
			else print $3, $8, $7 } END { exit bad }' ||
		{ cat "$TEST_TMP/fio.err" >&2; fail "fio failed: $(cat "$jf" | tr '\n' ' ')"; }
}

sel_spec() {	# short name -> selector string
	case $1 in
	rr) echo "round-robin 0" ;;
	ql) echo "queue-length 0" ;;
	st) echo "service-time 0" ;;
	hst) echo "historical-service-time 0" ;;
	lb) echo "least-blocks 0" ;;
	lbo) echo "least-blocks-old 0" ;;
	wp) echo "weighted-paths 0" ;;
	esac
}

SELS="rr ql st lb wp"
[ "$HST" = 1 ] && SELS="rr ql st hst lb wp"
[ "$LBO" = 1 ] && SELS="$SELS lbo"
SELS=${BENCH_SELS:-$SELS}
NPATHS=${BENCH_NPATHS:-"2 8"}
QDS=${BENCH_QDS:-"16 32"}

# ---- case 1: overhead on symmetric fast paths ---------------------------
case1() {
	local i devs=() np sel qd rep jobs line
	for i in 0 1 2 3 4 5 6 7; do
		devs+=("$(devnum "$(nullb_create "f$i" 1024)")") || fail "null_blk f$i"
	done
	local sec
	sec=$(cat /sys/block/f0/size)
	for np in $NPATHS; do
		for sel in $SELS; do
			mp_create "o${np}_$sel" "$(mp_table "$sec" rq "$(sel_spec "$sel")" "${devs[@]:0:np}")"
		done
	done
	for qd in $QDS; do
		for rep in $(seq "$REPS"); do
			jobs=()
			for np in $NPATHS; do
				for sel in $SELS; do jobs+=("${np}_$sel=/dev/mapper/o${np}_$sel"); done
			done
			fio_rot "$rep" "bs=4k iodepth=$qd runtime=$RT1 ramp_time=0.5" "${jobs[@]}" |
				while read -r name iops _; do
					emit overhead "${name%%_*}p qd$qd" "${name#*_}" "$rep" "$iops"
				done
		done
		note "case 1 qd $qd done"
	done
	for np in $NPATHS; do for sel in $SELS; do mp_remove "o${np}_$sel"; done; done
}

# ---- case 2: capacity efficiency on 4:1 bandwidth ------------------------
case2() {
	local v variant fmb smb F L FD LD sec sel rep jobs name iops kib
	for v in "4k|--bs=4k|4|1" "mixed|bssplit=4k/50:64k/30:128k/20|32|8"; do
		IFS='|' read -r variant args fmb smb <<<"$v"
		args=${args#--}
		F=$(nullb_create fast 1024 "$fmb") || fail "null_blk fast"
		L=$(nullb_create slow 1024 "$smb") || fail "null_blk slow"
		FD=$(devnum "$F") LD=$(devnum "$L")
		sec=$(cat "/sys/block/${F##*/}/size")
		for sel in $SELS; do
			case $sel in
			wp) mp_create "e_$sel" "$(mp_table "$sec" rq "$(sel_spec wp)" "$FD:4" "$LD:1")" ;;
			*) mp_create "e_$sel" "$(mp_table "$sec" rq "$(sel_spec "$sel")" "$FD" "$LD")" ;;
			esac
		done
		for rep in $(seq "$REPS"); do
			jobs=("fast=$F" "slow=$L")
			for sel in $SELS; do jobs+=("$sel=/dev/mapper/e_$sel"); done
			fio_rot "$rep" "$args iodepth=16 runtime=$RT2 ramp_time=0.5" "${jobs[@]}" |
				while read -r name iops kib; do
					emit capacity "$variant" "$name" "$rep" "$kib"
				done
		done
		for sel in lb wp; do
			local fb lb
			fb=$(mp_field "e_$sel" "$FD" 5) lb=$(mp_field "e_$sel" "$LD" 5)
			emit share "$variant" "$sel" 0 "$(pct "$fb" $((fb + lb)))"
		done
		[ "$variant" = mixed ] && case2_latency "$args" "$F" "$L" "$FD" "$LD" "$sec"
		for sel in $SELS; do mp_remove "e_$sel"; done
		nullb_remove fast
		nullb_remove slow
		note "case 2 $variant done"
	done
}

# ---- case 2b: latency under open-loop load, mixed sizes, 4:1 bandwidth ---
# Throughput cannot tell least-in-flight selectors apart: any of them keeps
# both paths busy at a fixed queue depth.  Where counting bytes should pay
# is the time an I/O waits: fio issues at LAT_LOAD % of the summed
# single-path throughput of this boot (Poisson arrivals, at most 64 in
# flight) and we take mean and p99 latency.  Also least-blocks and
# service-time with the paths' 4 : 1 capacity as weight / relative
# throughput (lbw, stw).
case2_latency() { # ARGS FASTDEV SLOWDEV FAST_DEVT SLOW_DEVT SECTORS
	local args=$1 FD=$4 LD=$5 sec=$6 cap rate rep jobs sel name iops kib lat p99
	local load=${BENCH_LAT_LOAD:-60}
	cap=$(awk -F'\t' '$1 == "capacity" && $2 == "mixed" && ($3 == "fast" || $3 == "slow") { s[$4] += $5 }
		END { for (r in s) print int(s[r]) }' "$RAW" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
	[ "${cap:-0}" -gt 0 ] || fail "case 2b: no single-path throughput measured"
	rate=$((cap * load / 100))
	mp_create e_lbw "$(mp_table "$sec" rq "$(sel_spec lb)" "$FD:4" "$LD:1")"
	mp_create e_stw "$(mp_table "$sec" rq "$(sel_spec st)" "$FD:1 4" "$LD:1 1")"
	for rep in $(seq "$REPS"); do
		jobs=()
		for sel in $SELS lbw stw; do jobs+=("$sel=/dev/mapper/e_$sel"); done
		FIO_ROT_LAT=1 fio_rot "$rep" "$args rate=${rate}k rate_process=poisson iodepth=64 runtime=$RT2L ramp_time=0.5" "${jobs[@]}" |
			while read -r name iops kib lat p99; do
				emit latency "mixed $load%" "$name" "$rep" "$lat"
				emit latency99 "mixed $load%" "$name" "$rep" "$p99"
			done
	done
	mp_remove e_lbw
	mp_remove e_stw
	note "case 2b: $load% of $cap KiB/s done"
}

# ---- case 4: weighted-paths share accuracy -------------------------------
case4() {
	local i devs=() sec rep w cfg maps=() jobs name m d b tot
	for i in 0 1 2; do
		devs+=("$(devnum "$(nullb_create "w$i" 1024)")") || fail "null_blk w$i"
	done
	sec=$(cat /sys/block/w0/size)
	mp_create a31 "$(mp_table "$sec" rq "weighted-paths 0" "${devs[0]}:3" "${devs[1]}:1")"
	mp_create a721 "$(mp_table "$sec" rq "weighted-paths 0" "${devs[0]}:7" "${devs[1]}:2" "${devs[2]}:1")"
	declare -A prev
	for rep in $(seq "$REPS"); do
		for cfg in "a31|3:1|3 1" "a721|7:2:1|7 2 1"; do
			IFS='|' read -r m name w <<<"$cfg"
			fio_rot "$rep" "bs=4k iodepth=16 runtime=$RT4" "$m=/dev/mapper/$m" >/dev/null
			# share error: max over paths |share - weight share| in points
			local ws=($w) k=0 sumw=0 got=() err=0
			for i in "${ws[@]}"; do sumw=$((sumw + i)); done
			tot=0
			for ((k = 0; k < ${#ws[@]}; k++)); do
				d=${devs[k]}
				b=$(mp_field "$m" "$d" 5)
				got[k]=$((b - ${prev[$m$k]:-0}))
				prev[$m$k]=$b
				tot=$((tot + got[k]))
			done
			err=$(for ((k = 0; k < ${#ws[@]}; k++)); do echo "${got[k]} $tot ${ws[k]} $sumw"; done |
				awk '{ e = 100 * ($1 / $2 - $3 / $4); if (e < 0) e = -e; if (e > m) m = e } END { printf "%.2f", m }')
			emit accuracy "$name" wp "$rep" "$err"
		done
	done
	mp_remove a31
	mp_remove a721
	for i in 0 1 2; do nullb_remove "w$i"; done
	note "case 4 done"
}

# ---- case 3, 6 and 7: iSCSI A/B (tests/vm/iscsi.sh) ---------------------
# 128 MiB: case 7's jobs read 112 MiB of it
ISCSI_UP=0
iscsi_up() {
	[ "$ISCSI_UP" = 1 ] && return 0
	[ -f "$REPO/tests/vm/iscsi.sh" ] || fail "no tests/vm/iscsi.sh"
	. "$REPO/tests/vm/iscsi.sh"
	iscsi_ab_setup 128
	ISCSI_UP=1
	trap iscsi_teardown EXIT
	local sel
	for sel in $SELS; do
		mp_create "i_$sel" "$(mp_table "$ISCSI_SECTORS" rq "$(sel_spec "$sel")" "$ISCSI_DEV_A" "$ISCSI_DEV_B")"
	done
}

# qd 16: the guest, which also runs the target, is CPU-bound, and 5 ms on
# A limits no selector; qd 2: latency-bound, one I/O on A costs the map
# a slot for 5 ms.
case3() {
	local rep jobs sel name iops qd
	iscsi_up
	iscsi_slow A 5
	for qd in 16 2; do
		for rep in $(seq "$REPS"); do
			jobs=()
			for sel in $SELS; do jobs+=("$sel=/dev/mapper/i_$sel"); done
			fio_rot "$rep" "bs=4k iodepth=$qd runtime=$RT3 ramp_time=0.5" "${jobs[@]}" |
				while read -r name iops _; do
					emit iscsi "A+5ms qd$qd" "$name" "$rep" "$iops"
				done
		done
	done
	iscsi_slow A 0
	note "case 3 done"
}

# Longest gap between two completions (fio per-I/O completion log) while
# (--log_entries preallocates fio's in-memory log: growing it makes fio wait
# for every I/O in flight, including those stuck on the cut path, a gap
# that would be fio's own and not the selector's; see t_e2e_iscsi.sh)
# the A side is cut 3 s into a 16 s run; then A comes back and the path
# is reinstated for the next selector.
case6() {
	local sel gap lat=$TEST_TMP/lat fpid
	iscsi_up
	for sel in $SELS; do
		rm -f "$lat"*
		fio --name=cut --filename="/dev/mapper/i_$sel" --ioengine=libaio --direct=1 \
			--rw=randread --bs=4k --iodepth=16 --runtime=16 --time_based \
			--continue_on_error=all --write_lat_log="$lat" --log_offset=0 --log_entries=262144 \
			--output=/dev/null >/dev/null 2>&1 &
		fpid=$!
		vm_sleep 3
		iscsi_cut A
		wait "$fpid"
		gap=$(cat "$lat"_clat*.log 2>/dev/null | awk -F, '{ print $1 + 0 }' | sort -n |
			awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { print g + 0 }')
		emit stall "A cut" "$sel" 1 "$gap"
		iscsi_restore A
		iscsi_wait_session A 60
		vm_sleep 1
		dmsetup message "i_$sel" 0 reinstate_path "$ISCSI_DEV_A" 2>/dev/null || true
		note "case 6 $sel: longest completion gap $gap ms"
	done
}

# ---- case 7: paths whose queue is FIFO in bytes -------------------------
# The workload of tests/vm/t_lb_bytes.sh (why it tells counting bytes from
# counting requests: see there), both links tbf-limited to RATE7, measured
# instead of asserted: per repetition least-blocks, queue-length,
# service-time and round-robin, in an order rotated by the repetition, one
# fio run of RT7 s each through a fresh map; the probe job's completion
# latency (mean, p50, p99, us) and the two streams' summed KiB/s.
RATE7=16mbit
case7() {
	local s rep i sel sels=(lb ql st rr) out=$TEST_TMP/b7.terse
	iscsi_up
	modprobe sch_tbf || fail "modprobe sch_tbf"
	for s in A B; do
		tc -n "$ISCSI_NS" qdisc add dev "$(_iscsi_if $s)-t" root tbf rate "$RATE7" burst 96kb limit 4mb ||
			fail "tbf on side $s"
	done
	for rep in $(seq "$REPS"); do
		for ((i = 0; i < ${#sels[@]}; i++)); do
			sel=${sels[(i + rep) % ${#sels[@]}]}
			mp_create b7 "$(mp_table "$ISCSI_SECTORS" rq "$(sel_spec "$sel")" "$ISCSI_DEV_A:1" "$ISCSI_DEV_B:1")"
			fio --output-format=terse --terse-version=3 --output="$out" \
				--direct=1 --ioengine=libaio --filename=/dev/mapper/b7 \
				--time_based --runtime="$RT7" --ramp_time=2 \
				--name=big --rw=randread --bs=1m --iodepth=1 --offset=0 --size=64M \
				--name=medium --rw=randread --bs=64k --iodepth=1 --offset=64M --size=32M \
				--name=small --rw=randread --bs=4k --iodepth=1 --rate_iops=8 \
				--offset=96M --size=16M >"$TEST_TMP/fio.err" 2>&1 ||
				{ cat "$TEST_TMP/fio.err" >&2; fail "case 7: fio through $sel"; }
			mp_remove b7 || fail "remove b7"
			# terse v3: 3 job, 5 errors, 6 KiB read, 7 KiB/s, 16 clat
			# mean, 24 and 30 clat p50 and p99 ("50.000000%=US")
			awk -F';' -v cfg="tbf $RATE7" -v sel="$sel" -v rep="$rep" '
				/^3;/ && $5 == 0 { kib[$3] = $6; bw[$3] = $7
					if ($3 == "small") { mean = $16; split($24, a, "="); split($30, b, "=") } }
				END { if (kib["big"] < 10240 || kib["medium"] < 640 || kib["small"] < 40) exit 1
					printf "probe\t%s\t%s\t%d\t%.0f\n", cfg, sel, rep, mean
					printf "probe50\t%s\t%s\t%d\t%d\n", cfg, sel, rep, a[2]
					printf "probe99\t%s\t%s\t%d\t%d\n", cfg, sel, rep, b[2]
					printf "streams\t%s\t%s\t%d\t%d\n", cfg, sel, rep, bw["big"] + bw["medium"] }' \
				"$out" >>"$RAW" || { cat "$out" >&2; fail "case 7: $sel: an error or fewer than 10 I/Os in a job"; }
		done
	done
	for s in A B; do
		tc -n "$ISCSI_NS" qdisc del dev "$(_iscsi_if $s)-t" root || fail "tbf off side $s"
	done
	note "case 7 done"
}

for c in $CASES; do
	t0=$SECONDS
	"case$c"
	note "case $c took $((SECONDS - t0)) s"
done
