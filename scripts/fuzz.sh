#!/bin/bash
# Run the libFuzzer targets of tests/fuzz/ (ASan + UBSan, clang) for SECS
# seconds each, one after the other; TAP line per target.
#   scripts/fuzz.sh [--no-build] [--jobs N] SECS [TARGET...]
# make check: SECS=20 (about 1 minute for the three); make torture: 600.
# Seeds come from tests/fuzz/corpus/TARGET (committed), new inputs go to
# tests/fuzz/build/work/TARGET (kept between runs), crashes to
# tests/fuzz/build/artifacts/TARGET/.  --jobs N runs N targets at once.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fz=$top/tests/fuzz
build=1 jobs=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-build) build=0; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	*) break ;;
	esac
done
secs=${1:?usage: scripts/fuzz.sh [--no-build] [--jobs N] SECS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_core fuzz_abpath fuzz_sysfs)
command -v clang >/dev/null || { echo "not ok - fuzz: clang missing (scripts/deps.sh installs it)"; exit 1; }
if [ $build = 1 ]; then
	mkdir -p "$fz/build" && make -s -C "$fz" >"$fz/build/make.log" 2>&1 ||
		{ cat "$fz/build/make.log"; echo "not ok - fuzz: build failed"; exit 1; }
fi

one() {
	local t=$1 log=$fz/build/$1.log rc
	mkdir -p "$fz/build/work/$t" "$fz/build/artifacts/$t"
	# -close_fd_mask=2: the targets' own stderr (abpath warnings) is
	# dropped; libFuzzer's and the sanitizers' reports still go to the log.
	timeout -k 10 $((secs + 120)) "$fz/build/$t" -max_total_time="$secs" -timeout=20 \
		-rss_limit_mb=2048 -close_fd_mask=2 -print_final_stats=1 \
		-artifact_prefix="$fz/build/artifacts/$t/" \
		"$fz/build/work/$t" "$fz/corpus/$t" >"$log" 2>&1
	rc=$?
	local runs
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $t: ${secs}s, ${runs:-?} runs, no crash"
	else
		grep -m 20 -E 'ERROR|SUMMARY|runtime error|invariant|Test unit written' "$log" | sed 's/^/# /'
		echo "not ok - fuzz $t: exit $rc after ${runs:-?} runs (log $log)"
	fi
	return $rc
}

fail=0 pids=()
for t in "${targets[@]}"; do
	one "$t" >"$fz/build/$t.tap" &
	pids+=($!)
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}" || fail=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do wait "$p" || fail=1; done
for t in "${targets[@]}"; do cat "$fz/build/$t.tap"; done
exit $fail
