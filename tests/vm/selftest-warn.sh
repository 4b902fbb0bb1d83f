#!/bin/bash
# Harness self-test: loads tests/vm/warnmod (WARN_ON(1) in its init) and
# exits 0; the runner must still fail it because of the kernel log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ko=$REPO/build/vm/warnmod/$KVER/vm_warnmod.ko
[ -f "$ko" ] || die "no $ko (scripts/vm-selftest builds it)"
insmod "$ko"
rmmod vm_warnmod
exit 0
