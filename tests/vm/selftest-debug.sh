#!/bin/bash
# Debug-lane self-test: loads tests/vm/debugmod with bug=$DEBUGMOD_BUG
# (lockorder, uaf, sleep, rcu, odebug, race, none) and exits 0; on the debug
# kernel the runner must still fail it because of the kernel's report
# (scripts/vm-selftest debug).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ko=$REPO/build/vm/debugmod/$KVER/vm_debugmod.ko
[ -f "$ko" ] || die "no $ko (scripts/vm-selftest builds it)"
insmod "$ko" bug="${DEBUGMOD_BUG:?DEBUGMOD_BUG=lockorder|uaf|sleep|rcu|odebug|race|none}"
rmmod vm_debugmod
exit 0
