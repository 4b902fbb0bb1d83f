#!/bin/bash
# Harness self-test: fails the first time it runs in a boot, printing to
# the kernel log what a host clock jump makes the guest kernel print (an
# RCU stall report), and passes every later time.  scripts/vm-selftest runs
# it with VM_FAKE_CLOCK_JUMP (the runner must run it again and pass, and
# vm-run must excuse exactly those lines) and without (it must fail: a
# failure without a clock jump is never retried).
set -euo pipefail
once=/tmp/selftest-flaky.ran
if [ ! -e "$once" ]; then
	: >"$once"
	echo "rcu: INFO: rcu_preempt self-detected stall on CPU (selftest-flaky, not a real one)" >/dev/kmsg
	echo "first run: fails on purpose"
	exit 9
fi
echo "later run: passes"
