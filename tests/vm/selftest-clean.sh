#!/bin/bash
# Harness self-test: runs after selftest-leak; passes only if the runner
# removed what that test left (see selftest-leak.sh).
left=()
f=(/sys/block/dm-*)
[ ! -e "${f[0]}" ] || left+=("dm maps: ${f[*]}")
f=(/sys/kernel/config/nullb/*/)
[ ! -e "${f[0]}" ] || left+=("null_blk: ${f[*]}")
! grep -q '^scsi_debug ' /proc/modules || left+=(scsi_debug)
! pgrep -x fio >/dev/null || left+=("fio running")
[ ${#left[@]} -eq 0 ] || { echo "selftest-clean: left from the test before: ${left[*]}"; exit 1; }
echo "selftest-clean: nothing left"
