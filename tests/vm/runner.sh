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
	if pgrep -x 'fio|dd|dmtool|iscsid|multipathd|systemd-udevd|udevadm' >/dev/null 2>&1; then
		left+=("processes: $(pgrep -l -x 'fio|dd|dmtool|iscsid|multipathd|systemd-udevd|udevadm' | tr '\n' ' ')")
		pkill -KILL -x 'fio|dd|dmtool|iscsid|multipathd|systemd-udevd|udevadm' 2>/dev/null || true
		vm_sleep 0.5
	fi
	# multipathd's configuration and abpath's udev rule (t_e2e_iscsi,
	# t_mpd_relogin, t_mpd_alua): a later test must not inherit them
	for f in /etc/multipath.conf /etc/multipath/conf.d/*.conf /run/udev/rules.d/60-abpath.rules; do
		[ -e "$f" ] || continue
		left+=("$f")
		rm -f "$f"
	done
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

# Host clock jumps (issue 20).  Under TCG the guest's clock follows the
# host's TSC; when that jumps (seen 2026-12-03: 85.9 s to 487219 s of guest
# uptime in one step) timed jobs end early, RCU prints a stall, and the
# test that was running fails for a reason that is not in the product.
# The host's clock is read through the job share (a file written there
# gets the host's time as its mtime: 9p setattr without a time, QEMU sets
# the host's now).  A test during which the guest's clock advanced more
# than VM_CLOCK_JUMP_SECS (default 30) beyond the host's is reported as a
# clock jump and, if it failed, run once more, the second run's result
# counting, but only if every bad kernel-log line of the failed run is one
# a clock jump explains (JUMP_RE: RCU stalls, soft lockups, hung tasks): a
# KASAN, lockdep or WARNING report is never retried away.  A real stall or
# hang advances both clocks alike and is never retried; a test that fails
# again fails.  The first run's bad lines, with their timestamps, go to
# .vm/klog-excused, so that vm-run's whole-log scan excuses exactly those.
# VM_FAKE_CLOCK_JUMP="TEST:SECS ..." adds SECS to the guest's side of the
# first run of TEST (fault injection for scripts/vm-selftest).
JUMP_RE='rcu: INFO|rcu_(sched|preempt) detected stall|detected stalls on CPU|soft lockup|INFO: task .* blocked'
hostclk=/run/vm/.vm/hostclock
excused=/run/vm/.vm/klog-excused
host_secs() { { : >"$hostclk" && stat -c %Y "$hostclk"; } 2>/dev/null; }
jump_slack=${VM_CLOCK_JUMP_SECS:-30}
[[ $jump_slack =~ ^[0-9]+$ ]] || { echo "runner: VM_CLOCK_JUMP_SECS='$jump_slack' is not a number of seconds" >&2; exit 2; }
for f in ${VM_FAKE_CLOCK_JUMP:-}; do
	[[ $f =~ ^[A-Za-z0-9_.-]+:[0-9]+$ ]] || { echo "runner: VM_FAKE_CLOCK_JUMP entry '$f' is not TEST:SECS" >&2; exit 2; }
done
fake_jump() { # NAME ATTEMPT -> seconds to add
	local f
	[ "$2" = 1 ] || { echo 0; return; }
	for f in ${VM_FAKE_CLOCK_JUMP:-}; do
		[ "${f%%:*}" = "$1" ] && { echo "${f#*:}"; return; }
	done
	echo 0
}
# the bad lines of the records after SEQ up to END as the console prints
# them ("[%5lu.%06lu] text"), for vm-run to match with their timestamps
klog_bad_console() {
	klog_records | awk -v s="$1" -v e="$2" '
		/^ / { next }
		{
			split($0, a, ",")
			if (a[2] + 0 <= s + 0 || a[2] + 0 > e + 0) next
			u = a[3] + 0; sub(/^[^;]*;/, "")
			printf "[%5d.%06d] %s\n", int(u / 1000000), u % 1000000, $0
		}' | klog_scan || true
}

xtrace_env=$REPO/tests/vm/xtrace.sh
n=0 failed=0 nretried=0
tmp_root=$(mktemp -d /tmp/vmtests.XXXXXX)
echo "TAP version 13"
echo "# kernel $KVER, $# test(s)"
host_secs >/dev/null || echo "# no host clock through /run/vm (clock jumps not detected)"

# run_attempt NAME PATH ATTEMPT: runs the test once; sets rc, why[], bad,
# dt (guest centiseconds), jump (seconds the guest's clock ran ahead of
# the host's, empty if the host's clock could not be read)
run_attempt() {
	local name=$1 path=$2 att=$3 t0 t1 h0 h1 trace limit=()
	export TEST_NAME=$name TEST_TMP=$tmp_root/$n-$name
	[ "$att" = 1 ] || TEST_TMP+=-retry
	mkdir -p "$TEST_TMP"
	KLOG_SEQ_START=$(klog_mark)
	export KLOG_SEQ_START
	echo "vm-runner: start $n $name" >/dev/kmsg 2>/dev/null || true
	h0=$(host_secs) || h0=""
	t0=$(uptime_cs)
	rc=0
	trace=$TEST_TMP/xtrace
	[ "${VM_TEST_TIMEOUT:-0}" = 0 ] || limit=(timeout -k 5 "$VM_TEST_TIMEOUT")
	(cd "$REPO" && BASH_ENV=$xtrace_env VM_TRACE=$trace "${limit[@]}" bash "$path") >"$TEST_TMP/output" 2>&1 </dev/null || rc=$?
	t1=$(uptime_cs)
	h1=$(host_secs) || h1=""
	dt=$((t1 - t0))
	jump=""
	[ -z "$h0" ] || [ -z "$h1" ] || jump=$(((dt + 100 * $(fake_jump "$name" "$att")) / 100 - (h1 - h0)))
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
	rm -f "$trace"
	echo "vm-runner: end $n $name rc=$rc" >/dev/kmsg 2>/dev/null || true
	KLOG_SEQ_END=$(klog_mark)
	why=()
	[ "$rc" = 0 ] || why+=("exit status $rc")
	[ "$rc" = 124 ] && [ ${#limit[@]} -gt 0 ] && why+=("timed out after ${VM_TEST_TIMEOUT}s")
	bad=""
	if ! bad=$(klog_since "$KLOG_SEQ_START" | klog_scan); then
		why+=("bad kernel log lines")
	fi
	return 0
}

# report_attempt: the test's output, hang report and bad kernel-log lines
report_attempt() {
	if [ ${#why[@]} -ne 0 ] || [ "${VM_TEST_VERBOSE:-0}" = 1 ]; then
		sed 's/^/#   /' "$TEST_TMP/output"
	fi
	[ ! -f "$TEST_TMP/hung" ] || cat "$TEST_TMP/hung"
	reset_after "$name"
	if [ -n "$bad" ]; then
		echo "# bad kernel log lines:"
		printf '%s\n' "$bad" | sed 's/^/#   KLOG: /'
		echo "# kernel log of this test (first 80 lines):"
		klog_since "$KLOG_SEQ_START" | awk 'NR <= 80' | sed 's/^/#   dmesg: /'
	fi
}

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
	run_attempt "$name" "$path" 1
	retried=0
	if [ -n "$jump" ] && [ "$jump" -gt "$jump_slack" ]; then
		jump_msg="host clock jump: the guest's clock advanced ${jump}s more than the host's during $name"
		echo "vm-runner: $jump_msg" >/dev/kmsg 2>/dev/null || true
		if [ ${#why[@]} -eq 0 ]; then
			echo "# $jump_msg; it passed anyway"
		elif [ -n "$bad" ] && printf '%s\n' "$bad" | grep -q -v -E -e "$JUMP_RE"; then
			echo "# $jump_msg; it failed with kernel-log lines a clock jump does not explain: not run again"
		else
			echo "# $jump_msg; it failed ($(IFS=,; echo "${why[*]}")) in $((dt / 100)).$(printf %02d $((dt % 100)))s: its output, then one more run, which counts"
			{ klog_bad_console "$KLOG_SEQ_START" "$KLOG_SEQ_END" >>"$excused"; } 2>/dev/null || true
			report_attempt
			run_attempt "$name" "$path" 2
			retried=1
			if [ -n "$jump" ] && [ "$jump" -gt "$jump_slack" ]; then
				echo "# host clock jump again (${jump}s): no third run"
			fi
		fi
	fi
	rtag=""
	[ "$retried" = 0 ] || rtag=" # retried after a host clock jump"
	if [ ${#why[@]} -eq 0 ]; then
		echo "ok $n - $name$rtag"
	else
		echo "not ok $n - $name$rtag"
		failed=$((failed + 1))
		echo "# failed: $(IFS=,; echo "${why[*]}")"
	fi
	nretried=$((nretried + retried))
	echo "# time $((dt / 100)).$(printf %02d $((dt % 100)))s"
	report_attempt
done
echo "1..$n"
[ "$nretried" = 0 ] || echo "# $nretried test(s) run again after a host clock jump"
[ "$failed" = 0 ] || { echo "# $failed of $n failed"; exit 1; }
exit 0
