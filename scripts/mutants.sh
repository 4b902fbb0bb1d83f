#!/bin/bash
# Mutation checks of the issue-14 VM tests: each test runs in a guest
# against a deliberately broken build of the selectors (tests/mutants/
# NAME.patch, built by scripts/build-mutant.sh) and must FAIL, for the
# reason it is written for (a line of its output is matched).
#
#   scripts/mutants.sh [--long] KVER [KVER...]
#
#   mutant            test      must fail with
#   noop-fail-path    t_flap    "failed paths got new I/O"  (fail_path ignored)
#   no-sat            t_devfail "wrapped counter" (part c: bio double end_io)
#   no-retry          t_storm   "I/O FAILED although path 0" (the racing
#                               empty scan, EIO without queue_if_no_path)
# A mutant whose patch is missing (not yet written) is reported as a
# failure, never skipped.  TAP: "ok N - KVER MUTANT test fails as it must".
# Env: MUTANTS="noop-fail-path no-sat no-retry" (subset; default without
# --long: noop-fail-path no-sat), MUTANT_STORM_SECS (default 60; --long
# 600), MUTANT_FLAP_SECS (default 15; --long 60).  The storm guest has 4
# vCPUs (vm-run --smp 4).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
long=0
[ "${1:-}" = --long ] && { long=1; shift; }
[ $# -gt 0 ] || { echo "usage: scripts/mutants.sh [--long] KVER..." >&2; exit 2; }
# make check: the two cheap ones; --long (make torture) adds no-retry,
# whose storm did not reproduce the race in 60 s on the loaded 2-core
# machine (2026-12-03: 100-500 path messages/s per map under TCG, against
# ~8000/s in the issue's report; see README / issue 14)
if [ $long = 1 ]; then
	mutants=${MUTANTS:-"noop-fail-path no-sat no-retry"}
else
	mutants=${MUTANTS:-"noop-fail-path no-sat"}
fi
storm_secs=${MUTANT_STORM_SECS:-$((long ? 600 : 60))}
flap_secs=${MUTANT_FLAP_SECS:-$((long ? 60 : 15))}
outdir=${MUTANTS_OUT:-$top/build/mutants}
mkdir -p "$outdir"

n=0 failed=0
echo "TAP version 13"
for k in "$@"; do
	for mu in $mutants; do
		n=$((n + 1))
		case $mu in
		noop-fail-path) t=t_flap want="failed paths got new I/O" smp=2
			envs=(--env FLAP_SECS="$flap_secs") ;;
		no-sat) t=t_devfail want="wrapped counter" smp=2
			envs=(--env DEVFAIL_PARTS=c) ;;
		no-retry) t=t_storm want="I/O FAILED although path 0" smp=4
			envs=(--env STORM_SECS="$storm_secs" --env "STORM_MAPS=wpr1024 wps64 wpr64 wpr3" --env STORM_PAR=4) ;;
		*) echo "not ok $n - $k $mu: unknown mutant"; failed=$((failed + 1)); continue ;;
		esac
		log=$outdir/$mu-$k.log
		if ! scripts/build-mutant.sh "$mu" "$k" >"$log" 2>&1; then
			cat "$log"
			echo "not ok $n - $k $mu: mutant does not build"
			failed=$((failed + 1))
			continue
		fi
		t0=$(date +%s)
		scripts/vm-run --kver "$k" --smp "$smp" --timeout 2400 --out "$outdir/vm-$mu-$k" \
			--env PSW_KO_DIR="build/ko-mutant/$mu" --env VM_TEST_VERBOSE=1 \
			--env VM_TEST_TIMEOUT=1800 "${envs[@]}" \
			-- tests/vm/runner.sh "$t" >>"$log" 2>&1
		rc=$?
		dt=$(($(date +%s) - t0))
		sed 's/^/# /' "$log" | grep -E '^# #   # |^# (not )?ok |^# vm: ' | head -n 40
		if [ $rc = 1 ] && grep -q "$want" "$log"; then
			echo "ok $n - $k $mu: $t fails as it must (${dt}s)"
		else
			echo "not ok $n - $k $mu: $t did not fail with \"$want\" (vm-run exit $rc, ${dt}s; $log)"
			failed=$((failed + 1))
		fi
	done
done
echo "1..$n"
[ $failed = 0 ]
