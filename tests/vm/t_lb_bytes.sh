#!/bin/bash
# least-blocks counts bytes, not requests (issue 19).
#
# Where bytes matter: a path whose queue is FIFO in bytes.  Real iSCSI is
# one: one TCP stream per session, so a small read queued behind a 1 MiB
# read on the same session waits until the whole megabyte has crossed the
# link.  Here: the A/B LIO set-up (tests/vm/iscsi.sh), both links limited
# to the same rate by tc tbf on the target's egress (reads flow target ->
# initiator), a stream of 1 MiB reads and one of 64 KiB reads (qd 1 each)
# keeping both links busy, and a light latency-sensitive job (4k reads,
# qd 1, rate-limited).  A selector that counts in-flight bytes puts the
# two streams on different links and sends the small read to the link with
# 64 KiB ahead of it; one that counts requests (queue-length) sees one
# request on each link and picks either: half the time the one behind a
# megabyte.  Not a timing test: each selector runs in the same boot on the
# same links, interleaved (REPS rounds, 2 by default, of least-blocks, queue-length,
# service-time), and the assertion is a ratio with margin: least-blocks'
# small-read p99 latency (median over the rounds) must be at most
# LB_BYTES_MAX_RATIO (default 0.50, the issue's goal) of queue-length's.
# The p99 is the figure that tells the two rules apart: it is the small
# reads that waited behind a megabyte (1 MiB at 16 Mbit/s: 0.52 s).
# least-blocks 0.07-0.08 in every run (6.1, 6.12; 37-40 ms against
# 541-558 ms), the request-counting mutant 1.00-1.04.  The mean was the
# assertion first and is only reported now: it also counts the many small
# reads queue-length sends to a link with nothing ahead (queue-length wins
# the median), so it moved with the load: the mutant measured 0.77 in a
# CI run (2026-12-07, passing the old limit 0.80), and least-blocks
# 0.47-0.58 in four runs with the small job at 16/s (left at 8/s, the
# workload of make bench case 7).
# Catches: a least-blocks that counts requests instead of bytes
# (tests/mutants/lb-count-requests.patch, run by scripts/mutants.sh);
# make check passed with such a module before this test.
# Env: LB_BYTES_RATE (tbf rate per link, default 16mbit: well below what
#      TCG moves, so the links are the limit), LB_BYTES_SECS (per run, 12),
#      LB_BYTES_REPS (2), LB_BYTES_MAX_RATIO (0.50)
set -uo pipefail
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iscsi.sh"
need_cmd fio dmsetup ip tc python3
rate=${LB_BYTES_RATE:-16mbit}
secs=${LB_BYTES_SECS:-12}
reps=${LB_BYTES_REPS:-2}
max_ratio=${LB_BYTES_MAX_RATIO:-0.50}

iscsi_ab_setup 128
trap 'dmsetup remove lbb 2>/dev/null; iscsi_teardown' EXIT
mp_load
for m in dm-queue-length dm-service-time sch_tbf; do modprobe "$m" || fail "modprobe $m"; done
A=$ISCSI_DEV_A B=$ISCSI_DEV_B
for s in A B; do
	# burst: one 64 KiB GSO packet must fit; limit: the data of 8 MiB
	# reads never drops, it waits (TCP backs off, the FIFO holds)
	tc -n "$ISCSI_NS" qdisc add dev "$(_iscsi_if $s)-t" root tbf rate "$rate" burst 96kb limit 4mb ||
		fail "tbf on side $s"
done
note "links A and B: tbf $rate each on the target's egress"

# run_one SELECTOR-WITH-ARGS KEY ROUND: one fio run through a fresh map;
# appends "KEY p99_us p50_us mean_us big_KiB/s" to $TEST_TMP/res
run_one() {
	local sel=$1 key=$2 j=$TEST_TMP/fio.$2.$3.json
	mp_create lbb "$(mp_table "$ISCSI_SECTORS" rq "$sel" "$A:1" "$B:1")"
	fio --output-format=json --output="$j" \
		--direct=1 --ioengine=libaio --filename=/dev/mapper/lbb \
		--time_based --runtime="$secs" --ramp_time=2 \
		--name=big --rw=randread --bs=1m --iodepth=1 --offset=0 --size=64M \
		--name=medium --rw=randread --bs=64k --iodepth=1 --offset=64M --size=32M \
		--name=small --rw=randread --bs=4k --iodepth=1 --rate_iops=8 \
		--offset=96M --size=16M >"$TEST_TMP/fio.err" 2>&1 ||
		{ cat "$TEST_TMP/fio.err"; fail "fio through $key"; }
	mp_assert_idle lbb "$A" "$B"
	mp_remove lbb || fail "remove lbb"
	python3 - "$j" "$key" >>"$TEST_TMP/res" <<-'EOF' || fail "fio JSON of $key"
		import json, sys
		jobs = {j["jobname"]: j for j in json.load(open(sys.argv[1]))["jobs"]}
		s, b, m = (jobs[k]["read"] for k in ("small", "big", "medium"))
		if min(s["total_ios"], b["total_ios"], m["total_ios"]) < 10:
		    sys.exit("too few I/Os: small %d big %d medium %d" %
		             (s["total_ios"], b["total_ios"], m["total_ios"]))
		p = s["clat_ns"]["percentile"]
		print(sys.argv[2], int(p["99.000000"] / 1000), int(p["50.000000"] / 1000),
		      int(s["clat_ns"]["mean"] / 1000), b["bw"] + m["bw"])
	EOF
}

: >"$TEST_TMP/res"
for ((r = 1; r <= reps; r++)); do
	run_one "least-blocks 0" lb "$r"
	run_one "queue-length 0" ql "$r"
	run_one "service-time 0" st "$r"
done

# medians over the rounds, per selector and figure
med() { # KEY FIELD (2 p99, 3 p50, 4 mean, 5 big KiB/s)
	awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$TEST_TMP/res" | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
for k in lb ql st; do
	note "$k: small 4k reads p99 $(med $k 2) us, p50 $(med $k 3) us, mean $(med $k 4) us; 1m + 64k streams $(med $k 5) KiB/s (medians of $reps rounds)"
done
sed 's/^/#   round: /' "$TEST_TMP/res"
lb99=$(med lb 2) ql99=$(med ql 2)
lbm=$(med lb 4) qlm=$(med ql 4)
[[ $lb99 =~ ^[0-9]+$ && $ql99 =~ ^[0-9]+$ && $ql99 -gt 0 && $qlm -gt 0 ]] ||
	fail "no latency figures (lb '$lb99', ql '$ql99')"
ratio=$(awk -v a="$lb99" -v b="$ql99" 'BEGIN { printf "%.2f", a / b }')
note "least-blocks / queue-length small-read p99 latency: $ratio (limit $max_ratio); mean: $(awk -v a="$lbm" -v b="$qlm" 'BEGIN { printf "%.2f", a / b }')"
# (make torture's debug kernel, MP_PERF_SOFT=1: printed, not asserted)
awk -v r="$ratio" -v m="$max_ratio" 'BEGIN { exit !(r + 0 <= m + 0) }' ||
	perf_fail "least-blocks' small-read p99 latency is $ratio of queue-length's (> $max_ratio): small reads wait behind large ones; does it count requests, not bytes?"
check_klog_clean || fail "kernel log not clean"
