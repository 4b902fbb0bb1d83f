#!/bin/bash
# Harness self-test: as selftest-flaky, but its first run prints a WARNING
# (a report a host clock jump does not explain): the runner must not run
# it again, clock jump or not (scripts/vm-selftest).
set -euo pipefail
once=/tmp/selftest-flaky-warn.ran
if [ ! -e "$once" ]; then
	: >"$once"
	echo "WARNING: selftest-flaky-warn: a report no clock jump explains (not a real one)" >/dev/kmsg
	echo "first run: fails on purpose"
	exit 9
fi
echo "later run: passes"
