#!/bin/bash
# abpath smoke test on real iSCSI sessions, meant to run as root INSIDE a
# guest (scripts/vm-run -- tests/abpath/vm_smoke.sh from the repo root).
# LIO target with one RAM LUN and two portals on loopback (127.0.0.1 = side A,
# 127.0.0.2 = side B), open-iscsi logs in to both; then abpath show, table,
# apply (create, reload), status, check, with DM_DISABLE_UDEV=1.
# Not part of make check (needs a guest); the lead's VM test supersedes it.
set -uo pipefail
REPO=${REPO:-$(pwd)}
AB="$REPO/userspace/abpath"
SIDES="--no-config --side-a 127.0.0.1=LA --side-b 127.0.0.2=LB"
export DM_DISABLE_UDEV=1
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "### $*"; }

[ -x "$AB" ] || fail "build abpath first (make -C userspace)"
ip link set lo up
modprobe iscsi_tcp && modprobe sd_mod && modprobe target_core_mod &&
	modprobe iscsi_target_mod && modprobe dm-multipath && modprobe dm-round-robin &&
	modprobe dm-queue-length || fail modprobe
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config

C=/sys/kernel/config/target
IQN=iqn.2003-01.org.linux-iscsi.vm:abpath
mkdir -p $C/core/rd_mcp_0/lun0 || fail "LIO backstore"
echo rd_pages=16384 >$C/core/rd_mcp_0/lun0/control
echo abpathvm0001 >$C/core/rd_mcp_0/lun0/wwn/vpd_unit_serial
echo 1 >$C/core/rd_mcp_0/lun0/enable || fail "enable backstore"
T=$C/iscsi/$IQN/tpgt_1
mkdir -p $T/lun/lun_0 || fail "LIO target"
ln -s $C/core/rd_mcp_0/lun0 $T/lun/lun_0/port0
mkdir $T/np/127.0.0.1:3260 $T/np/127.0.0.2:3260 || fail "LIO portals"
for a in generate_node_acls=1 cache_dynamic_acls=1 demo_mode_write_protect=0 authentication=0; do
	echo "${a#*=}" >"$T/attrib/${a%=*}"
done
echo 1 >$T/enable || fail "enable tpg"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=iqn.2005-03.org.open-iscsi:abpathvm" >/etc/iscsi/initiatorname.iscsi
sed -i -e 's/^node.session.timeo.replacement_timeout.*/node.session.timeo.replacement_timeout = 5/' \
	-e 's/^node.conn\[0\].timeo.noop_out_interval.*/node.conn[0].timeo.noop_out_interval = 2/' \
	-e 's/^node.conn\[0\].timeo.noop_out_timeout.*/node.conn[0].timeo.noop_out_timeout = 2/' \
	/etc/iscsi/iscsid.conf
iscsid -f >/tmp/iscsid.log 2>&1 &
for _ in $(seq 100); do grep -q ISCSIADM_ABSTRACT_NAMESPACE /proc/net/unix && break; sleep 0.1; done
iscsiadm -m discovery -t st -p 127.0.0.1 >/dev/null || fail discovery
iscsiadm -m node -T $IQN -p 127.0.0.1:3260 --login >/dev/null || fail "login A"
iscsiadm -m node -T $IQN -p 127.0.0.2:3260 --login >/dev/null || fail "login B"
for _ in $(seq 100); do
	n=$(ls -d /sys/class/iscsi_session/session*/device/target*/*:*/block/* 2>/dev/null | wc -l)
	[ "$n" -ge 2 ] && break
	sleep 0.1
done
[ "$n" -ge 2 ] || fail "expected 2 iSCSI disks, got $n"

step show
$AB $SIDES show || fail "show"
$AB $SIDES show --json >/tmp/show.json || fail "show --json"
WWID=$(sed -n 's/.*"wwid": "\(3[0-9a-f]*\)".*/\1/p' /tmp/show.json | head -1)
[ -n "$WWID" ] || fail "no WWID in show --json"
step "table $WWID"
$AB $SIDES table --all --policy round-robin || fail table
step "apply create (round-robin)"
$AB $SIDES apply --all --policy round-robin --queue-if-no-path || fail "apply create"
dmsetup table "$WWID" || fail "no map $WWID"
[ "$(dmsetup info -c --noheadings -o uuid "$WWID")" = "abpath-$WWID" ] || fail "uuid"
[ -b "/dev/mapper/$WWID" ] || fail "no /dev/mapper/$WWID node"
dd if=/dev/mapper/"$WWID" of=/dev/null bs=4k count=256 iflag=direct status=none || fail "read map"
step "status"
$AB $SIDES status || fail status
step "apply reload (queue-length)"
$AB $SIDES apply "$WWID" --policy queue-length || fail "apply reload"
dmsetup table "$WWID" | grep -q queue-length || fail "reload did not take"
$AB $SIDES status --json || fail "status --json"
if [ -f "$REPO/build/ko/$(uname -r)/dm-least-blocks.ko" ]; then
	insmod "$REPO/build/ko/$(uname -r)/dm-least-blocks.ko" || fail "insmod least-blocks"
	step "apply reload (least-blocks A=3,B=1)"
	$AB $SIDES apply "$WWID" --policy least-blocks --weight A=3,B=1 || fail "apply lb"
	dd if=/dev/mapper/"$WWID" of=/dev/null bs=4k count=512 iflag=direct status=none
	$AB $SIDES status || fail "status lb"
fi
step "check (expects same-nic: both portals on loopback)"
$AB $SIDES check
rc=$?
[ $rc = 2 ] || fail "check exit $rc, expected 2 (same local address on both sides)"
dmsetup remove "$WWID" || fail "remove map"
step "refuse a held disk"
d=$(ls -d /sys/class/iscsi_session/session*/device/target*/*:*/block/* | head -1)
dmsetup create abpath-stray --table "0 8 linear /dev/${d##*/} 0" ||
	fail "stray map"
$AB $SIDES apply --all
rc=$?
[ $rc = 65 ] || fail "apply with a stray holder: exit $rc, expected 65"
dmsetup info "$WWID" >/dev/null 2>&1 && fail "apply created a map despite the stray holder"
dmsetup remove abpath-stray
iscsiadm -m node --logoutall=all >/dev/null
echo "PASS: abpath vm smoke"
