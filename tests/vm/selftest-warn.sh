#!/bin/bash
# Harness self-test: loads tests/vm/warnmod (WARN_ON(1) in its init) and
# exits 0; the runner must still fail it because of the kernel log.
# 200 log lines first: the runner prints the test's kernel log (80 lines)
# and must go on to the next test (it ended with SIGPIPE, exit 141, when
# `head` closed the pipe under pipefail: later tests silently skipped).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ko=$REPO/build/vm/warnmod/$KVER/vm_warnmod.ko
[ -f "$ko" ] || die "no $ko (scripts/vm-selftest builds it)"
for i in $(seq 200); do echo "selftest-warn: filler line $i" >/dev/kmsg; done
insmod "$ko"
rmmod vm_warnmod
exit 0
