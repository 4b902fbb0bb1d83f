#!/bin/bash
# Weights that survive an iSCSI re-login under multipathd (issue 17).
# "abpath conf" hands weights to multipathd as prio weightedpath regexes on
# SCSI H:C:T:L, and a session that logs out and in again gets a new SCSI
# host: multipathd then gives the new path prio 0, i.e. weight 1, and the
# admin's A=3,B=1 silently becomes 1:1.  The fix: abpath conf --output
# /etc/multipath/conf.d/abpath.conf records its arguments, and the udev
# rule of the package (debian/abpath.udev, installed here under /run with
# this tree's abpath) runs "abpath conf --refresh ... --reconfigure" on
# every iSCSI disk that appears.  udev finishes that before multipathd
# hears of the disk.
# The kernel hands out the lowest free SCSI host number, so a lone session
# that logs in again often gets its old number back; it gets another when
# a SCSI host appeared meanwhile (another session, a USB disk, the login
# order at boot).  The test: LIO A/B (tests/vm/iscsi.sh), multipathd builds
# the map with weighted-paths A=3,B=1 from that file; then twice: log A's
# session out, add an empty SCSI host (scsi_debug, no targets; the second
# time: remove it), log A in again (a new SCSI host, checked), wait until
# the map has A's new disk with weight 3 (the table; 60 s), then 8 s of
# fio: A's share of the bytes on the two disks' own counters 75 +- 5 %, no
# reload of the map during those 8 s (dm resume uevents; "no reload
# loop"); the reloads of each re-login are printed.
# Catches: the weight falling back to 1 after a re-login -- with
# RELOGIN_NO_RULE=1 (the rule not installed: the code before this test)
# it fails "A's new path ... weight 1" on the first re-login (2026-12-07,
# 6.12), and so did a first version whose "multipathd reconfigure" was not
# found under udev (udev gives RUN programs no PATH); a --refresh that rewrites an unchanged file and reconfigures on
# every disk event is caught by tests/abpath/conf_file.sh.
# Env: RELOGIN_NO_RULE=1 (see above), RELOGIN_ROUNDS (2).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/iscsi.sh"
AB=$REPO/userspace/abpath
CONF=/etc/multipath/conf.d/abpath.conf
RULE=/run/udev/rules.d/60-abpath.rules
rounds=${RELOGIN_ROUNDS:-2}
need_cmd fio dmsetup iscsiadm multipathd udevadm awk
[ -x /lib/systemd/systemd-udevd ] || die "/lib/systemd/systemd-udevd missing (package systemd/udev)"
[ -x "$AB" ] || die "$AB not built (make -C userspace)"

iscsi_ab_setup 64
MPD_PID="" MON_PID=""
cleanup() {
	kill $MPD_PID $MON_PID 2>/dev/null
	wait $MPD_PID $MON_PID 2>/dev/null
	dmsetup remove "$ISCSI_MAP" 2>/dev/null
	udevadm control --exit 2>/dev/null
	rm -f "$RULE" "$CONF" /etc/multipath.conf
	iscsi_teardown
	modprobe -r scsi_debug 2>/dev/null
}
trap cleanup EXIT
load_modules
MAP=$ISCSI_MAP B=$ISCSI_DEV_B

mkdir -p /etc/multipath/conf.d "${RULE%/*}"
printf 'defaults {\n\tfind_multipaths no\n\tuser_friendly_names no\n\tpolling_interval 2\n}\n' >/etc/multipath.conf
"$AB" --config "$ISCSI_CONF" conf --policy weighted-paths --weight A=3,B=1 --output "$CONF" ||
	fail "abpath conf --output $CONF"
note "$(head -n 1 "$CONF"); $(grep -E '^\s+prio_args' "$CONF" | tr -s '\t' ' ')"
if [ "${RELOGIN_NO_RULE:-0}" = 1 ]; then
	note "RELOGIN_NO_RULE=1: the udev rule is NOT installed (this must fail)"
else
	sed "s|/usr/sbin/abpath|$AB|" "$REPO/debian/abpath.udev" >"$RULE" || fail "udev rule"
fi
iscsi_multipathd "$TEST_TMP/multipathd.log" "$TEST_TMP/uevents.txt"

# has_weights A_DEV: the map is weighted-paths over A_DEV weight 3 and B weight 1
has_weights() {
	local t
	t=$(dmsetup table "$MAP" 2>/dev/null)
	[[ $t == *"weighted-paths 0 2 1 $1 3 $B 1"* || $t == *"weighted-paths 0 2 1 $B 1 $1 3"* ]]
}
# wait_weights A_DEV WHAT: up to 60 s
wait_weights() {
	local i
	for ((i = 0; i < 300; i++)); do
		has_weights "$1" && return 0
		vm_sleep 0.2
	done
	grep -v 'tur state' "$TEST_TMP/multipathd.log" | tail -n 30 | sed 's/^/# mpd: /'
	note "$CONF: $(grep -E '^\s+prio_args' "$CONF" | tr -s '\t' ' ')"
	fail "$2: the map is not A ($1) weight 3, B weight 1 after 60 s: $(dmsetup table "$MAP" 2>&1)"
}
# reloads of the map so far: dm resume "change" uevents (DM_COOKIE, no
# DM_ACTION: path fail/reinstate events carry DM_ACTION)
reloads() {
	awk -v dm="DEVNAME=/dev/$MAPDEV" 'BEGIN { RS = "" }
		/ACTION=change/ && index($0, dm "\n") && /DM_COOKIE=/ && !/DM_ACTION=/ { n++ } END { print n + 0 }' \
		"$TEST_TMP/uevents.txt"
}
# share A_DEV WHAT: 8 s of 64k reads; A's share of the bytes on the disks
share() {
	local r0 r1 s
	udevadm settle --timeout=30
	vm_sleep 2
	r0=$(reloads)
	ds_snap d0 "$1" "$B"
	fio --name=rl --filename="/dev/mapper/$MAP" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randread --bs=64k --runtime=8 --time_based --output-format=terse \
		--terse-version=3 >"$TEST_TMP/fio" 2>&1 || { cat "$TEST_TMP/fio"; fail "$2: fio"; }
	ds_snap d1 "$1" "$B"
	ds_delta d0 d1
	r1=$(reloads)
	s=$(ds_share 0 100)
	note "$2: A moved $s% of the bytes (disks: $((DS_SEC[0] / 2)) / $((DS_SEC[1] / 2)) KiB), map reloads during the 8 s: $((r1 - r0))"
	[ $((r1 - r0)) = 0 ] || fail "$2: multipathd reloaded $MAP $((r1 - r0)) times while nothing changed"
	within "$2: A's share of the bytes (disks)" "$s" 70 80
}

wait_weights "$ISCSI_DEV_A" "set-up"
MAPDEV=dm-$(dmsetup info -c --noheadings -o minor "$MAP") || fail "dm minor of $MAP"
note "multipathd built: $(dmsetup table "$MAP")"
share "$ISCSI_DEV_A" "before any re-login"

adev=$ISCSI_DEV_A host=$(cd "/sys/block/$ISCSI_SD_A/device" && pwd -P)
host=${host##*/}
for ((r = 1; r <= rounds; r++)); do
	r0=$(reloads)
	iscsiadm -m node -T "$ISCSI_IQN" -p 10.0.1.10:3260 --logout >/dev/null || fail "logout A"
	# another SCSI host appears while A is out: it takes A's old number
	# (the kernel hands out the lowest free one, once the old host is gone)
	for ((i = 0; i < 100; i++)); do
		[ -e "/sys/class/scsi_host/host${host%%:*}" ] || break
		vm_sleep 0.1
	done
	# (round 1); or one goes away (round 2: A moves down to its number)
	if [ $((r % 2)) = 1 ]; then
		# the number is free only when the old host is released, after its
		# sysfs entry goes (seen late on the debug kernel: scsi_debug got
		# the next number, A its old one): until scsi_debug gets A's number
		for ((i = 0; i < 30; i++)); do
			modprobe scsi_debug num_tgts=0 || fail "modprobe scsi_debug num_tgts=0"
			sdh=$(echo /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*)
			[ "${sdh##*/host}" = "${host%%:*}" ] && break
			[ $i -lt 29 ] || fail "re-login $r: scsi_debug never got A's old host${host%%:*} in 30 tries (got host${sdh##*/host})"
			modprobe -r scsi_debug || fail "modprobe -r scsi_debug"
			vm_sleep 1
		done
	else
		modprobe -r scsi_debug || fail "modprobe -r scsi_debug"
	fi
	iscsiadm -m node -T "$ISCSI_IQN" -p 10.0.1.10:3260 --login >/dev/null || fail "login A"
	iscsi_wait_session A 30
	s=$(_iscsi_session_of A) || fail "no A session"
	d=""
	for ((i = 0; i < 100; i++)); do
		for d in "$s"/device/target*/*:*/block/*; do [ -e "$d/dev" ] && break; d=""; done
		[ -n "$d" ] && break
		vm_sleep 0.2
	done
	[ -n "$d" ] || fail "re-login $r: no disk for A"
	read -r adev <"$d/dev"
	nh=$(cd "$d/../.." && pwd -P)
	nh=${nh##*/}
	note "re-login $r: A is ${d##*/} ($adev), SCSI $nh (was $host)"
	[ "${nh%%:*}" != "${host%%:*}" ] || fail "re-login $r: the same SCSI host $nh: nothing to show"
	host=$nh
	wait_weights "$adev" "re-login $r: A's new path $adev (weight 1: the stanza no longer matches)"
	grep -qF "^$nh\$ 3" "$CONF" || fail "re-login $r: $CONF does not name $nh: $(grep -E '^\s+prio_args' "$CONF")"
	note "re-login $r: map $(dmsetup table "$MAP" | cut -d' ' -f4-); reloads since the logout: $(($(reloads) - r0))"
	share "$adev" "after re-login $r"
done
grep -c -i 'reconfigure' "$TEST_TMP/multipathd.log" | sed 's/^/# multipathd log lines about reconfigure: /'
check_klog_clean || fail "kernel log not clean"
