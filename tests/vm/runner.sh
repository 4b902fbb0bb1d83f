#!/bin/bash
# In-guest TAP runner:  tests/vm/runner.sh TEST...
# TEST: a path (tests/vm/foo.sh) or a name under tests/vm/ (foo or foo.sh).
# Each test is a bash script: exit 0 = pass, anything else = fail.  After each
# test the kernel-log records it produced are checked against
# tests/vm/bad-kernel-patterns.txt; a match fails the test.
# Exported to tests: REPO, KVER (uname -r), TEST_TMP (fresh per test),
# TEST_NAME, KLOG_SEQ_START (kernel log sequence at test start).
# Env: VM_TEST_TIMEOUT=SECS per-test limit (default none): a test that
# runs longer is killed and fails, printed with the last commands it ran
# (every bash of a test traces into a file, tests/vm/xtrace.sh) and the
# tasks left blocked in the kernel (sysrq w); VM_TEST_VERBOSE=1
# prints every test's output (not only the failing ones').
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
export REPO
# shellcheck source=tests/vm/lib.sh
. "$REPO/tests/vm/lib.sh"
klog_load_patterns || exit 2

[ $# -gt 0 ] || { echo "usage: tests/vm/runner.sh TEST..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "runner: must run as root (in the guest: scripts/vm-run -- tests/vm/runner.sh ...)" >&2; exit 2; }

# uptime in centiseconds (no exec)
uptime_cs() { local u _; read -r u _ </proc/uptime; u=${u/./}; echo $((10#$u)); }

# reset_after NAME: undo what a test left behind, so that one failing test
# (its `fail` exits before its own teardown) does not fail the tests after
# it: processes it started, device-mapper maps, null_blk and scsi_debug
# devices, iSCSI sessions and the LIO target.  Prints what it found; costs
# no exec when the test cleaned up after itself.
reset_after() {
	local left=() f d
	if pgrep -x 'fio|dd|dmtool|iscsid|multipathd' >/dev/null 2>&1; then
		left+=("processes: $(pgrep -l -x 'fio|dd|dmtool|iscsid|multipathd' | tr '\n' ' ')")
		pkill -KILL -x 'fio|dd|dmtool|iscsid|multipathd' 2>/dev/null || true
		vm_sleep 0.5
	fi
	f=(/sys/block/dm-*)
	if [ -e "${f[0]}" ]; then
		left+=("dm maps: $(dmsetup ls 2>/dev/null | cut -f1 | tr '\n' ' ')")
		dmsetup remove_all --force >/dev/null 2>&1 || true
	fi
	f=(/sys/class/iscsi_session/session*)
	if [ -e "${f[0]}" ]; then
		left+=("iSCSI sessions")
		iscsiadm -m node --logoutall=all >/dev/null 2>&1 || true
	fi
	f=(/sys/kernel/config/target/iscsi/iqn.*)
	if [ -e "${f[0]}" ]; then
		left+=("LIO target")
		(. "$REPO/tests/vm/iscsi.sh" && iscsi_teardown) >/dev/null 2>&1 || true
	fi
	f=(/sys/kernel/config/nullb/*/)
	if [ -e "${f[0]}" ]; then
		left+=("null_blk: ${f[*]}")
		for d in "${f[@]}"; do
			echo 0 >"$d/power" 2>/dev/null || true
			rmdir "$d" 2>/dev/null || true
		done
	fi
	if grep -q '^scsi_debug ' /proc/modules; then
		left+=("scsi_debug")
		modprobe -r scsi_debug 2>/dev/null || true
	fi
	[ ${#left[@]} -eq 0 ] || printf '# %s left behind (removed): %s\n' "$1" "${left[*]}"
}

xtrace_env=$REPO/tests/vm/xtrace.sh
n=0 failed=0
tmp_root=$(mktemp -d /tmp/vmtests.XXXXXX)
echo "TAP version 13"
echo "# kernel $KVER, $# test(s)"
for t in "$@"; do
	n=$((n + 1))
	path=$t
	[ -f "$path" ] || path=$REPO/tests/vm/$t
	[ -f "$path" ] || path=$REPO/tests/vm/$t.sh
	name=$(basename "$t" .sh)
	if [ ! -f "$path" ]; then
		echo "not ok $n - $name"
		echo "# no such test: $t"
		failed=$((failed + 1))
		continue
	fi
	export TEST_NAME=$name TEST_TMP=$tmp_root/$n-$name
	mkdir -p "$TEST_TMP"
	KLOG_SEQ_START=$(klog_mark)
	export KLOG_SEQ_START
	echo "vm-runner: start $n $name" >/dev/kmsg 2>/dev/null || true
	t0=$(uptime_cs)
	rc=0
	trace=$TEST_TMP/xtrace
	limit=()
	[ "${VM_TEST_TIMEOUT:-0}" = 0 ] || limit=(timeout -k 5 "$VM_TEST_TIMEOUT")
	(cd "$REPO" && BASH_ENV=$xtrace_env VM_TRACE=$trace "${limit[@]}" bash "$path") >"$TEST_TMP/output" 2>&1 </dev/null || rc=$?
	t1=$(uptime_cs)
	if [ "$rc" = 124 ] && [ ${#limit[@]} -gt 0 ]; then
		# Where it hung: the test's last commands, and the tasks still
		# blocked in the kernel after the kill (uninterruptible sleep).
		hung_mark=$(klog_mark)
		echo w >/proc/sysrq-trigger 2>/dev/null || true
		{
			echo "# last commands of the test (xtrace):"
			tail -n 25 "$trace" 2>/dev/null | sed 's/^/#   /'
			echo "# blocked tasks after the timeout (sysrq w):"
			klog_since "$hung_mark" | awk 'NR <= 120' | sed 's/^/#   /'
		} >"$TEST_TMP/hung"
	fi
	echo "vm-runner: end $n $name rc=$rc" >/dev/kmsg 2>/dev/null || true
	why=()
	[ "$rc" = 0 ] || why+=("exit status $rc")
	[ "$rc" = 124 ] && [ ${#limit[@]} -gt 0 ] && why+=("timed out after ${VM_TEST_TIMEOUT}s")
	bad=""
	if ! bad=$(klog_since "$KLOG_SEQ_START" | klog_scan); then
		why+=("bad kernel log lines")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		failed=$((failed + 1))
		echo "# failed: $(IFS=,; echo "${why[*]}")"
	fi
	dt=$((t1 - t0))
	echo "# time $((dt / 100)).$(printf %02d $((dt % 100)))s"
	if [ ${#why[@]} -ne 0 ] || [ "${VM_TEST_VERBOSE:-0}" = 1 ]; then
		sed 's/^/#   /' "$TEST_TMP/output"
	fi
	[ ! -f "$TEST_TMP/hung" ] || cat "$TEST_TMP/hung"
	reset_after "$name"
	rm -f "$trace"
	if [ -n "$bad" ]; then
		echo "# bad kernel log lines:"
		printf '%s\n' "$bad" | sed 's/^/#   KLOG: /'
		echo "# kernel log of this test (first 80 lines):"
		klog_since "$KLOG_SEQ_START" | awk 'NR <= 80' | sed 's/^/#   dmesg: /'
	fi
done
echo "1..$n"
[ "$failed" = 0 ] || { echo "# $failed of $n failed"; exit 1; }
exit 0
