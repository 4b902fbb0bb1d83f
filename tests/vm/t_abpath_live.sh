#!/bin/bash
# abpath on a live map (issue 16): every change it makes is safe under load.
# Real LIO iSCSI A/B portals (tests/vm/iscsi.sh), map made by abpath.
#  1. queued: map with queue_if_no_path, both sides cut, both dm paths
#     failed, one dd write (1 MiB, O_DIRECT) queued in dm; sides restored,
#     sessions back; "abpath apply" reloads the map with healthy paths: the
#     write must complete and read back intact.  Catches a reload whose
#     resume flushes (no DM_NOFLUSH_FLAG): dm-mpath's presuspend then turns
#     queue_if_no_path off and fails the queued write (issue 16 found 1).
#  2. resumefail: abpath-fi (the fault-injection build, userspace/Makefile)
#     with ABPATH_FAULT_RESUME=1 fails the resume the way a failed table
#     swap does in the kernel (map suspended, new table dropped), =2 also
#     fails the second resume.  apply must exit non-zero and leave the map
#     ACTIVE (not SUSPENDED) with its old table, no inactive table, and I/O
#     must work.  Catches a reload that gives up after a failed resume
#     (issue 16 found 2: all I/O to the LUN hangs).
#  3. fio: fio verify (crc32c, iodepth 16) on the map while "abpath apply"
#     reloads it 50 times with changing weights: 0 I/O and verify errors.
#     Guards the reload path under load (it passes on the old code too:
#     a flushing suspend with healthy paths loses nothing).
#  4. failback: failover layout (group 1 = side A, preferred), reads
#     running; A cut: I/O moves to B; A restored and logged in again:
#     "abpath reinstate" reinstates A's path and sends switch_group 1, and
#     the reads go to A's disk again (its own /sys/block counters), B's
#     stop.  Catches a reinstate without failback (issue 16 found 5:
#     dm-mpath stays on group 2 for good while it has a valid path).
# Env: LIVE_ABPATH / LIVE_ABPATH_FI (binaries to test, default userspace/),
#      LIVE_PARTS="queued resumefail fio" (default all), LIVE_RELOADS=50.
# Every part runs even after an earlier one failed; exit 1 if any failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iscsi.sh"

AB=${LIVE_ABPATH:-$REPO/userspace/abpath}
ABFI=${LIVE_ABPATH_FI:-$REPO/userspace/abpath-fi}
PARTS=${LIVE_PARTS:-queued resumefail fio failback}
RELOADS=${LIVE_RELOADS:-50}
need_cmd fio dmsetup dd cmp ip nsenter iscsid iscsiadm modprobe insmod
[ -x "$AB" ] && [ -x "$ABFI" ] || die "$AB / $ABFI not built (make -C userspace)"

FAILED=0
note() { echo "# $*"; }
pfail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }

iscsi_ab_setup 64
DD_PID="" FIO_PID=""
trap 'kill $DD_PID $FIO_PID 2>/dev/null; dmsetup resume e2e 2>/dev/null; dmsetup remove e2e 2>/dev/null; iscsi_teardown' EXIT
load_modules
MAP=$ISCSI_MAP A=$ISCSI_DEV_A B=$ISCSI_DEV_B
abp() { "$AB" --config "$ISCSI_CONF" "$@"; }
abfi() { "$ABFI" --config "$ISCSI_CONF" "$@"; }
note "iSCSI: A=$ISCSI_SD_A ($A) B=$ISCSI_SD_B ($B) WWID $ISCSI_WWID"

# path state (A/F) of MAJ:MIN in the map's status
path_state() {
	local w prev="" st
	st=$(dmsetup status "$MAP")
	for w in $st; do
		[ "$prev" = "$1" ] && { echo "$w"; return 0; }
		prev=$w
	done
}
map_state() { dmsetup info -c --noheadings -o attr "$MAP" 2>/dev/null; }	# e.g. L--w / s-L-w
suspended() { [[ $(dmsetup info "$MAP" 2>/dev/null) == *SUSPENDED* ]]; }

abp apply "$MAP" --policy least-blocks --queue-if-no-path >"$TEST_TMP/apply0.txt" 2>&1 ||
	{ cat "$TEST_TMP/apply0.txt"; die "abpath apply (create)"; }
[ -b "/dev/mapper/$MAP" ] || die "no /dev/mapper/$MAP"
dmsetup table "$MAP" | grep -q queue_if_no_path || die "map without queue_if_no_path: $(dmsetup table "$MAP")"

part_queued() {
	local i st dd_rc pat=$TEST_TMP/pattern back=$TEST_TMP/back
	dd if=/dev/urandom of="$pat" bs=1M count=1 status=none || die "pattern"
	iscsi_cut A
	iscsi_cut B
	# the write goes to a path, fails there after replacement_timeout,
	# fails the other one too, then waits queued in dm
	dd if="$pat" of="/dev/mapper/$MAP" bs=1M count=1 seek=8 oflag=direct \
		>"$TEST_TMP/dd.txt" 2>&1 &
	DD_PID=$!
	for ((i = 0; i < 120; i++)); do
		[ "$(path_state "$A")" = F ] && [ "$(path_state "$B")" = F ] && break
		vm_sleep 0.5
	done
	st=$(dmsetup status "$MAP")
	[ "$(path_state "$A")" = F ] && [ "$(path_state "$B")" = F ] ||
		{ pfail "queued: both paths not failed after 60 s: $st"; iscsi_restore A; iscsi_restore B; return; }
	kill -0 "$DD_PID" 2>/dev/null || { cat "$TEST_TMP/dd.txt"; pfail "queued: dd ended while no path was usable (not queued)"; }
	note "queued: both paths failed, dd waiting: $st"
	iscsi_restore A
	iscsi_restore B
	iscsi_wait_session A 60
	iscsi_wait_session B 60
	# the SCSI disks are back ("running") before the map is reloaded
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/sys/block/$ISCSI_SD_A/device/state")" = running ] &&
			[ "$(cat "/sys/block/$ISCSI_SD_B/device/state")" = running ] && break
		vm_sleep 0.2
	done
	kill -0 "$DD_PID" 2>/dev/null || { cat "$TEST_TMP/dd.txt"; pfail "queued: dd ended before the reload"; }
	abp apply "$MAP" --policy least-blocks --queue-if-no-path >"$TEST_TMP/apply1.txt" 2>&1 ||
		{ cat "$TEST_TMP/apply1.txt"; pfail "queued: abpath apply (reload) failed"; }
	for ((i = 0; i < 60; i++)); do
		kill -0 "$DD_PID" 2>/dev/null || break
		vm_sleep 0.5
	done
	if kill -0 "$DD_PID" 2>/dev/null; then
		pfail "queued: dd still waiting 30 s after the reload: $(dmsetup status "$MAP")"
		kill "$DD_PID"
	fi
	wait "$DD_PID"
	dd_rc=$?
	DD_PID=""
	note "queued: dd exit $dd_rc: $(tr '\n' ' ' <"$TEST_TMP/dd.txt")"
	[ "$dd_rc" = 0 ] || { pfail "queued: the queued write failed across abpath apply (exit $dd_rc)"; return; }
	dd if="/dev/mapper/$MAP" of="$back" bs=1M count=1 skip=8 iflag=direct status=none ||
		{ pfail "queued: read back"; return; }
	cmp -s "$pat" "$back" || { pfail "queued: data read back differs from the queued write"; return; }
	note "queued: PASS (write completed after the reload, data intact)"
}

part_resumefail() {
	local n old new rc
	modprobe dm-round-robin || die "modprobe dm-round-robin"
	for n in 1 2; do
		old=$(dmsetup table "$MAP")
		ABPATH_FAULT_RESUME=$n abfi apply "$MAP" --policy round-robin --queue-if-no-path \
			>"$TEST_TMP/fi$n.txt" 2>&1
		rc=$?
		sed "s/^/# fi$n: /" "$TEST_TMP/fi$n.txt"
		new=$(dmsetup table "$MAP")
		[ "$rc" != 0 ] || pfail "resumefail $n: apply exited 0 after a failed resume"
		if suspended; then
			pfail "resumefail $n: map left SUSPENDED after a failed resume: $(dmsetup info "$MAP" | tr '\n' ' ')"
			dmsetup resume "$MAP"
			continue
		fi
		[ "$new" = "$old" ] || pfail "resumefail $n: table changed: '$old' -> '$new'"
		dmsetup info "$MAP" | grep -q 'Tables present: *LIVE$' ||
			pfail "resumefail $n: tables: $(dmsetup info "$MAP" | grep Tables)"
		timeout 20 dd if="/dev/mapper/$MAP" of=/dev/null bs=64k count=16 iflag=direct status=none ||
			pfail "resumefail $n: I/O to the map failed or hung after the recovery"
		note "resumefail $n: apply exit $rc, map live, table unchanged"
	done
}

part_fio() {
	local i w rc errs fails=0
	fio --filename="/dev/mapper/$MAP" --direct=1 --ioengine=libaio --iodepth=16 \
		--bsrange=4k-128k --runtime=600 --time_based --output-format=terse --terse-version=3 \
		--name=verify --rw=randwrite --size=48M --verify=crc32c --verify_backlog=32 \
		--verify_fatal=1 --verify_state_save=0 >"$TEST_TMP/fio.out" 2>&1 &
	FIO_PID=$!
	vm_sleep 2
	for ((i = 0; i < RELOADS; i++)); do
		w=$((i % 3 + 1))
		abp apply "$MAP" --policy least-blocks --weight "A=$w,B=1" --queue-if-no-path \
			>"$TEST_TMP/apply-fio.txt" 2>&1 || { fails=$((fails + 1)); cat "$TEST_TMP/apply-fio.txt"; }
		kill -0 "$FIO_PID" 2>/dev/null || break
	done
	note "fio: $i reloads done, $fails failed"
	kill -INT "$FIO_PID" 2>/dev/null
	wait "$FIO_PID"
	rc=$?
	FIO_PID=""
	[ $rc = 128 ] && grep -q 'terminating on signal 2' "$TEST_TMP/fio.out" && rc=0
	errs=$(awk -F';' '/^3;/ { e += $5 } END { print e + 0 }' "$TEST_TMP/fio.out")
	if [ "$rc" != 0 ] || [ "$errs" != 0 ] || [ "$i" != "$RELOADS" ] ||
		grep -qi 'verify.*fail\|bad magic\|crc32c.*mismatch\|error' "$TEST_TMP/fio.out"; then
		sed 's/^/# fio: /' "$TEST_TMP/fio.out"
		pfail "fio: rc $rc, errors $errs, reloads $i/$RELOADS"
	fi
	[ "$fails" = 0 ] || pfail "fio: $fails of $RELOADS applies failed"
	suspended && pfail "fio: map SUSPENDED at the end"
	note "fio: verify rc $rc, $errs errors over $i reloads"
}

# I/Os completed by a disk (reads + writes), from its own stat file
ios() { local a; read -r -a a <"/sys/block/$1/stat"; echo $((a[0] + a[4])); }

part_failback() {
	local i a0 b0 a1 b1 out
	abp apply "$MAP" --policy least-blocks --layout failover --prefer A --queue-if-no-path \
		>"$TEST_TMP/apply-fo.txt" 2>&1 || { cat "$TEST_TMP/apply-fo.txt"; pfail "failback: apply failover"; return; }
	dmsetup table "$MAP" | grep -q " 2 1 least-blocks 0 1 1 $A 1 least-blocks 0 1 1 $B 1" ||
		{ pfail "failback: not a failover table with A first: $(dmsetup table "$MAP")"; return; }
	fio --filename="/dev/mapper/$MAP" --direct=1 --ioengine=libaio --iodepth=4 --bs=4k \
		--rw=randread --runtime=300 --time_based --name=r >"$TEST_TMP/fio-fb.out" 2>&1 &
	FIO_PID=$!
	vm_sleep 2
	iscsi_cut A
	for ((i = 0; i < 120; i++)); do
		[ "$(path_state "$A")" = F ] && break
		vm_sleep 0.5
	done
	[ "$(path_state "$A")" = F ] || { pfail "failback: A not failed after the cut"; iscsi_restore A; return; }
	iscsi_restore A
	iscsi_wait_session A 60
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/sys/block/$ISCSI_SD_A/device/state")" = running ] && break
		vm_sleep 0.2
	done
	a0=$(ios "$ISCSI_SD_A") b0=$(ios "$ISCSI_SD_B")
	vm_sleep 2
	a1=$(ios "$ISCSI_SD_A") b1=$(ios "$ISCSI_SD_B")
	note "failback: before reinstate, 2 s: A $((a1 - a0)) I/Os, B $((b1 - b0))"
	out=$(abp reinstate "$MAP" 2>&1)
	note "failback: reinstate: $(echo "$out" | tr '\n' ' ')"
	[[ $out == *"reinstated $MAP $A"* ]] || pfail "failback: A's path not reinstated"
	[[ $out == *"failed back $MAP group 1"* ]] || pfail "failback: no switch_group 1 sent"
	vm_sleep 1
	a0=$(ios "$ISCSI_SD_A") b0=$(ios "$ISCSI_SD_B")
	vm_sleep 3
	a1=$(ios "$ISCSI_SD_A") b1=$(ios "$ISCSI_SD_B")
	note "failback: after reinstate, 3 s: A $((a1 - a0)) I/Os, B $((b1 - b0)); $(dmsetup status "$MAP")"
	[ $((a1 - a0)) -gt 50 ] && [ $((b1 - b0)) -lt $(((a1 - a0) / 10 + 5)) ] ||
		pfail "failback: I/O did not move back to side A (A $((a1 - a0)), B $((b1 - b0)))"
	kill "$FIO_PID" 2>/dev/null
	wait "$FIO_PID"
	FIO_PID=""
}

for p in $PARTS; do
	note "---- part $p ----"
	"part_$p"
done
[ "$FAILED" = 0 ] || { echo "FAIL: $FAILED check(s) failed" >&2; exit 1; }
note "all parts passed: $PARTS"
