#!/bin/bash
# Harness self-test: a test that fails half-way, leaving what a failing VM
# test leaves (its `fail` exits before its teardown): a scsi_debug disk, a
# null_blk device, a dm map over it with a reader still running.  Run
# before selftest-clean, which fails unless the runner removed all of it
# (a failing t_devfail once failed t_wp_rank after it: scsi_debug was
# still loaded).
. "$(dirname "$0")/lib.sh"
modprobe scsi_debug dev_size_mb=8 || die "modprobe scsi_debug"
NB=$(nullb_create leak 8) || die "null_blk"
secs=$(cat "/sys/block/${NB##*/}/size")
dmsetup create leak --table "0 $secs linear $(devnum "$NB") 0" || die "dmsetup create"
fio --name=leak --filename=/dev/mapper/leak --rw=randread --direct=1 --bs=4k --time_based \
	--runtime=600 --output=/dev/null &
vm_sleep 1
echo "selftest-leak: fails with scsi_debug, null_blk, a map and a reader left"
exit 1
