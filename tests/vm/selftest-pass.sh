#!/bin/bash
# Harness self-test: a passing test using the lib.sh helpers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_cmd dmsetup modprobe dd cmp
[ -d "$TEST_TMP" ] || die "no TEST_TMP"
[ "$KVER" = "$(uname -r)" ] || die "KVER mismatch"
a=$(nullb_create vmself_a 64)
b=$(nullb_create vmself_b 64 4)
log "nullb: $a $b ($(devnum "$a"), $(devnum "$b"))"
[ "$a" != "$b" ] || die "same nullb twice"
modprobe dm-multipath
sz=$(blockdev --getsz "$a")
echo "0 $sz multipath 0 0 1 1 round-robin 0 2 1 $(devnum "$a") 1 $(devnum "$b") 1" | dmsetup create vmself
dm_wait_quiet
[ -b /dev/mapper/vmself ] || die "no /dev/mapper/vmself (DM_DISABLE_UDEV=${DM_DISABLE_UDEV:-unset})"
dd if=/dev/mapper/vmself of=/dev/null bs=4k count=256 iflag=direct status=none
dmsetup remove vmself
nullb_remove vmself_a
nullb_remove vmself_b
mapfile -t sd < <(scsi_debug_shared 2 16)
log "scsi_debug: ${sd[*]}"
[ ${#sd[@]} = 2 ] || die "expected 2 scsi_debug disks"
scsi_debug_remove
check_klog_clean
