# shellcheck shell=bash
# LIO iSCSI target with one LUN on an A-side and a B-side portal, inside the
# guest, for the end-to-end tests and benchmarks.  Source it from a guest
# script (tests/vm/*.sh, scripts/demo.sh's guest part):
#     . "$REPO/tests/vm/iscsi.sh"
#
# Network (everything inside the guest; the guest has no NIC):
#   target netns $ISCSI_NS (default "abtgt") behind two veth pairs
#     side A: initiator abA 10.0.1.1/24  <->  target abA-t 10.0.1.10/24
#     side B: initiator abB 10.0.2.1/24  <->  target abB-t 10.0.2.10/24
#   LIO (configfs, no targetcli): rd_mcp RAM LUN, IQN $ISCSI_IQN, tpgt_1,
#   portals 10.0.1.10:3260 and 10.0.2.10:3260 (made from inside the netns),
#   demo mode (generate_node_acls, no auth, writable).
#   open-iscsi: iscsid started here (-f, in the background), iscsid.conf in
#   the /etc overlay: replacement_timeout 5, noop_out_interval 2,
#   noop_out_timeout 2; discovery + one login per portal.
#
# Functions (all die loudly on any error; nothing is ever skipped):
#   iscsi_ab_setup [LUN_MB]   (default 64) set all of the above up and export
#       ISCSI_SD_A ISCSI_SD_B     disk names (sdX) of the A / B session
#       ISCSI_DEV_A ISCSI_DEV_B   their MAJ:MIN
#       ISCSI_WWID                the LUN's multipath WWID (36001405...)
#       ISCSI_SECTORS             LUN size in 512-byte sectors
#       ISCSI_CONF                abpath config JSON (A = 10.0.1.0/24,
#                                 B = 10.0.2.0/24, alias "e2e" for the LUN:
#                                 abpath's map is /dev/mapper/e2e)
#       ISCSI_MAP                 "e2e" (the alias)
#   iscsi_cut A|B             ip link set abA|abB down (initiator end): the
#                             session sees nothing more (no RST, no error);
#                             iSCSI notices through noop-out after 2-4 s,
#                             I/O fails over after replacement_timeout 5 s
#   iscsi_restore A|B         link up again; iscsid logs back in by itself
#   iscsi_wait_session A|B [SECS]  wait until that side's session is LOGGED_IN
#   iscsi_slow A|B DELAY_MS   netem delay on the initiator's egress of that
#                             side (adds DELAY_MS to the round trip);
#                             DELAY_MS 0 removes it
#   iscsi_teardown            logout, stop iscsid, remove LIO config, netns
# Env ISCSI_ALUA="STATE_A STATE_B" (LIO ALUA access state numbers: 0
#   active/optimized, 1 active/non-optimized, 2 standby): one TPG per side
#   instead (tpgt_1 portal A, tpgt_2 portal B, one lun_0 each over the same
#   backstore), each LUN in a target port group of its own (ab_a id 1,
#   ab_b id 2; implicit ALUA only) set to that state before the logins,
#   so that the initiator's REPORT TARGET PORT GROUPS (scsi_dh_alua,
#   multipathd's prio alua) sees A and B in different states.
# Needs: ip nsenter iscsid iscsiadm tc modprobe, kernel modules iscsi_tcp
# sd_mod target_core_mod iscsi_target_mod veth (sch_netem for iscsi_slow).

ISCSI_NS=${ISCSI_NS:-abtgt}
ISCSI_IQN=${ISCSI_IQN:-iqn.2003-01.org.linux-iscsi.vm:e2e}
ISCSI_MAP=e2e
_ISCSI_CFS=/sys/kernel/config/target

_iscsi_die() { echo "FATAL: iscsi: $*" >&2; exit 1; }
_iscsi_sleep() {
	[ -n "${_ISCSI_SLEEP_FD:-}" ] || exec {_ISCSI_SLEEP_FD}<> <(:)
	read -r -t "$1" -u "$_ISCSI_SLEEP_FD" _ || true
}
_iscsi_if() {
	case $1 in A) echo abA ;; B) echo abB ;; *) _iscsi_die "side must be A or B, got '$1'" ;; esac
}
_iscsi_ip() {
	case $1 in A) echo 10.0.1.10 ;; B) echo 10.0.2.10 ;; *) _iscsi_die "side must be A or B, got '$1'" ;; esac
}

# prints the sessionN dir of side A|B (by the connection's portal address)
_iscsi_session_of() {
	local want s n a
	want=$(_iscsi_ip "$1")
	for s in /sys/class/iscsi_session/session*; do
		[ -e "$s" ] || continue
		n=${s##*/session}
		read -r a <"/sys/class/iscsi_connection/connection$n:0/persistent_address" 2>/dev/null || continue
		[ "$a" = "$want" ] && { echo "$s"; return 0; }
	done
	return 1
}

iscsi_ab_setup() {
	local mb=${1:-64} c m side s d tries
	for c in ip nsenter iscsid iscsiadm tc modprobe; do
		command -v "$c" >/dev/null 2>&1 || _iscsi_die "required command '$c' is missing (scripts/deps.sh: iproute2 util-linux open-iscsi)"
	done
	for m in iscsi_tcp sd_mod sg target_core_mod iscsi_target_mod veth; do
		modprobe "$m" || _iscsi_die "modprobe $m failed"
	done
	mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config ||
		_iscsi_die "cannot mount configfs"
	[ -d "$_ISCSI_CFS" ] || _iscsi_die "no $_ISCSI_CFS (target_core_mod)"
	[ ! -e "/run/netns/$ISCSI_NS" ] || _iscsi_die "netns $ISCSI_NS exists already (iscsi_teardown first)"

	# --- network: target netns behind two veth pairs ---
	ip link set lo up
	ip netns add "$ISCSI_NS" || _iscsi_die "ip netns add"
	ip -n "$ISCSI_NS" link set lo up || _iscsi_die "netns lo"
	for side in A B; do
		d=$(_iscsi_if $side)
		local net=10.0.1
		[ $side = B ] && net=10.0.2
		ip link add "$d" type veth peer name "$d-t" netns "$ISCSI_NS" || _iscsi_die "veth $d"
		ip addr add "$net.1/24" dev "$d" || _iscsi_die "addr $d"
		ip link set "$d" up || _iscsi_die "up $d"
		ip -n "$ISCSI_NS" addr add "$net.10/24" dev "$d-t" || _iscsi_die "addr $d-t"
		ip -n "$ISCSI_NS" link set "$d-t" up || _iscsi_die "up $d-t"
	done

	# --- LIO target ---
	local bs=$_ISCSI_CFS/core/rd_mcp_0/lun0 T=$_ISCSI_CFS/iscsi/$ISCSI_IQN/tpgt_1
	mkdir -p "$bs" || _iscsi_die "LIO backstore"
	echo "rd_pages=$((mb * 256))" >"$bs/control" || _iscsi_die "rd_pages"
	echo e2eab0001 >"$bs/wwn/vpd_unit_serial" || _iscsi_die "vpd_unit_serial"
	echo 1 >"$bs/enable" || _iscsi_die "enable backstore"
	# tpgs: the TPG of side A and of side B; utpgs: each once
	local tpgs=("$T" "$T") utpgs=("$T") alua=()
	if [ -n "${ISCSI_ALUA:-}" ]; then
		read -r -a alua <<<"$ISCSI_ALUA"
		[ ${#alua[@]} = 2 ] || _iscsi_die "ISCSI_ALUA='$ISCSI_ALUA': want two states (A B)"
		tpgs=("$T" "${T%_1}_2") utpgs=("$T" "${T%_1}_2")
	fi
	for T in "${utpgs[@]}"; do
		mkdir -p "$T/lun/lun_0" || _iscsi_die "LIO tpg"
		ln -s "$bs" "$T/lun/lun_0/port0" || _iscsi_die "LIO lun link"
	done
	# the listening socket is made in the netns of the process doing mkdir
	# (no "ip netns exec": it remounts /sys and hides configfs)
	for side in A B; do
		T=${tpgs[0]}
		[ $side = A ] || T=${tpgs[1]}
		nsenter --net="/run/netns/$ISCSI_NS" mkdir "$T/np/$(_iscsi_ip $side):3260" ||
			_iscsi_die "LIO portal $side"
	done
	if [ ${#alua[@]} = 2 ]; then
		# one target port group per side; the LUN of each side's TPG in
		# it; implicit ALUA (1) only, the state set here
		local g i=0
		for g in ab_a ab_b; do
			mkdir "$bs/alua/$g" || _iscsi_die "ALUA group $g"
			echo $((i + 1)) >"$bs/alua/$g/tg_pt_gp_id" || _iscsi_die "ALUA $g id"
			echo 1 >"$bs/alua/$g/alua_access_type" || _iscsi_die "ALUA $g implicit"
			echo "${alua[i]}" >"$bs/alua/$g/alua_access_state" ||
				_iscsi_die "ALUA $g state ${alua[i]}"
			echo "$g" >"${tpgs[i]}/lun/lun_0/alua_tg_pt_gp" || _iscsi_die "ALUA $g member"
			i=$((i + 1))
		done
	fi
	for T in "${utpgs[@]}"; do
		for a in generate_node_acls=1 cache_dynamic_acls=1 demo_mode_write_protect=0 authentication=0; do
			echo "${a#*=}" >"$T/attrib/${a%=*}" || _iscsi_die "tpg attrib $a"
		done
		echo 1 >"$T/enable" || _iscsi_die "enable tpg"
	done

	# --- initiator ---
	mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
	echo "InitiatorName=iqn.2005-03.org.open-iscsi:e2evm" >/etc/iscsi/initiatorname.iscsi
	[ -f /etc/iscsi/iscsid.conf ] || _iscsi_die "no /etc/iscsi/iscsid.conf (open-iscsi)"
	sed -i -e 's/^node.session.timeo.replacement_timeout.*/node.session.timeo.replacement_timeout = 5/' \
		-e 's/^node.conn\[0\].timeo.noop_out_interval.*/node.conn[0].timeo.noop_out_interval = 2/' \
		-e 's/^node.conn\[0\].timeo.noop_out_timeout.*/node.conn[0].timeo.noop_out_timeout = 2/' \
		-e 's/^node.startup.*/node.startup = manual/' \
		/etc/iscsi/iscsid.conf || _iscsi_die "iscsid.conf"
	grep -q '^node.session.timeo.replacement_timeout = 5$' /etc/iscsi/iscsid.conf ||
		_iscsi_die "iscsid.conf has no replacement_timeout line to set"
	# own session/process group: iscsid signals its whole process group
	# when it stops, which would kill the calling test
	setsid iscsid -f >"${TEST_TMP:-/tmp}/iscsid.log" 2>&1 &
	_ISCSI_IscsidPID=$!
	for ((tries = 0; tries < 100; tries++)); do
		grep -q ISCSIADM_ABSTRACT_NAMESPACE /proc/net/unix && break
		_iscsi_sleep 0.1
	done
	grep -q ISCSIADM_ABSTRACT_NAMESPACE /proc/net/unix || _iscsi_die "iscsid did not start"
	# node records of an earlier set-up (the /etc overlay outlives a test)
	# would be logged into too: with ISCSI_ALUA, B's portal is tpgt 2, and
	# an old "10.0.2.10:3260,1" record fails the login ("session exists")
	iscsiadm -m node -o delete >/dev/null 2>&1
	iscsiadm -m discovery -t st -p 10.0.1.10 >/dev/null || _iscsi_die "discovery via A"
	for side in A B; do
		iscsiadm -m node -T "$ISCSI_IQN" -p "$(_iscsi_ip $side):3260" --login >/dev/null ||
			_iscsi_die "login $side"
	done
	for side in A B; do
		d=""
		for ((tries = 0; tries < 200; tries++)); do
			if s=$(_iscsi_session_of $side); then
				for d in "$s"/device/target*/*:*/block/*; do [ -e "$d/dev" ] && break; d=""; done
				[ -n "$d" ] && [ -b "/dev/${d##*/}" ] && break
			fi
			d=""
			_iscsi_sleep 0.1
		done
		[ -n "$d" ] || _iscsi_die "no disk for side $side"
		local r
		read -r r <"$s/recovery_tmo"
		[ "$r" = 5 ] || _iscsi_die "side $side recovery_tmo $r, wanted 5"
		if [ $side = A ]; then
			ISCSI_SD_A=${d##*/}
			read -r ISCSI_DEV_A <"$d/dev"
		else
			ISCSI_SD_B=${d##*/}
			read -r ISCSI_DEV_B <"$d/dev"
		fi
	done
	local wa wb
	read -r wa <"/sys/block/$ISCSI_SD_A/device/wwid" || _iscsi_die "no wwid for $ISCSI_SD_A"
	read -r wb <"/sys/block/$ISCSI_SD_B/device/wwid" || _iscsi_die "no wwid for $ISCSI_SD_B"
	[ "$wa" = "$wb" ] || _iscsi_die "A and B disks differ: $wa / $wb"
	case $wa in naa.*) ISCSI_WWID=3${wa#naa.} ;; *) _iscsi_die "unexpected wwid $wa" ;; esac
	ISCSI_WWID=${ISCSI_WWID,,}
	read -r ISCSI_SECTORS <"/sys/block/$ISCSI_SD_A/size"
	ISCSI_CONF=${TEST_TMP:-/tmp}/abpath-e2e.json
	cat >"$ISCSI_CONF" <<-EOF
		{
		  "sides": {
		    "A": { "subnets": ["10.0.1.0/24"] },
		    "B": { "subnets": ["10.0.2.0/24"] }
		  },
		  "aliases": { "$ISCSI_WWID": "$ISCSI_MAP" }
		}
	EOF
	export ISCSI_SD_A ISCSI_SD_B ISCSI_DEV_A ISCSI_DEV_B ISCSI_WWID ISCSI_SECTORS ISCSI_CONF ISCSI_MAP
}

iscsi_cut() { ip link set "$(_iscsi_if "${1:?iscsi_cut A|B}")" down || _iscsi_die "cut $1"; }
iscsi_restore() { ip link set "$(_iscsi_if "${1:?iscsi_restore A|B}")" up || _iscsi_die "restore $1"; }

iscsi_wait_session() {
	local side=${1:?iscsi_wait_session A|B [SECS]} t=${2:-30} s st i
	for ((i = 0; i < t * 10; i++)); do
		if s=$(_iscsi_session_of "$side") && read -r st <"$s/state" && [ "$st" = LOGGED_IN ]; then
			return 0
		fi
		_iscsi_sleep 0.1
	done
	_iscsi_die "side $side session not LOGGED_IN after ${t}s (state ${st:-?})"
}

iscsi_slow() {
	local d ms=${2:?iscsi_slow A|B DELAY_MS}
	d=$(_iscsi_if "${1:?iscsi_slow A|B DELAY_MS}")
	if [ "$ms" = 0 ]; then
		tc qdisc del dev "$d" root 2>/dev/null || true
	else
		modprobe sch_netem || _iscsi_die "modprobe sch_netem"
		tc qdisc replace dev "$d" root netem delay "${ms}ms" || _iscsi_die "netem on $d"
	fi
}

# iscsi_multipathd LOG [UEVENTS]: systemd-udevd (DM uevents on), a trigger
# and settle of the block devices, a udev monitor of block uevents into
# UEVENTS when given (MON_PID), then multipathd -d -v3 logging into LOG
# (MPD_PID).  /etc/multipath.conf must exist before: without it udev's
# "multipath -u" made a settle take 150 s.  The caller's trap kills the two
# PIDs and runs "udevadm control --exit".
iscsi_multipathd() {
	unset DM_DISABLE_UDEV
	/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || _iscsi_die "systemd-udevd --daemon failed"
	udevadm trigger --subsystem-match=block || _iscsi_die "udevadm trigger"
	udevadm settle --timeout=60 || _iscsi_die "udevadm settle timed out"
	if [ -n "${2:-}" ]; then
		udevadm monitor --kernel --property --subsystem-match=block >"$2" 2>&1 &
		MON_PID=$!
	fi
	multipathd -d -v3 >"$1" 2>&1 &
	MPD_PID=$!
}

iscsi_teardown() {
	local T side g d
	# The sessions' disks go first, from here: a logout removes them from
	# scsi_transport_iscsi's WQ_MEM_RECLAIM workqueue, and Debian's 6.12
	# once warned there (make check, 2026-12-07: "WQ_MEM_RECLAIM
	# iscsi_ctrl_0:1:__iscsi_unbind_session is flushing !WQ_MEM_RECLAIM
	# pm:pm_runtime_work", check_flush_dependency, at the first logout of
	# the boot): the runtime-PM work the removal queues then runs before
	# the logout, not inside it.  Kernel code, not ours; seen once.
	for d in /sys/class/iscsi_session/session*/device/target*/*:*:*:*/delete; do
		[ -e "$d" ] && echo 1 >"$d" 2>/dev/null
	done
	_iscsi_sleep 0.5
	iscsiadm -m node --logoutall=all >/dev/null 2>&1 || true
	iscsiadm -m node -o delete >/dev/null 2>&1
	if [ -n "${_ISCSI_IscsidPID:-}" ]; then
		kill "$_ISCSI_IscsidPID" 2>/dev/null
		wait "$_ISCSI_IscsidPID" 2>/dev/null
		_ISCSI_IscsidPID=""
	fi
	# tpgt_1 (and tpgt_2 with ISCSI_ALUA)
	for T in "$_ISCSI_CFS/iscsi/$ISCSI_IQN"/tpgt_*; do
		[ -d "$T" ] || continue
		echo 0 >"$T/enable" 2>/dev/null
		for side in A B; do rmdir "$T/np/$(_iscsi_ip $side):3260" 2>/dev/null; done
		rm -f "$T/lun/lun_0/port0"
		rmdir "$T/lun/lun_0" "$T" 2>/dev/null
	done
	if [ -d "$_ISCSI_CFS/core/rd_mcp_0" ]; then
		rmdir "$_ISCSI_CFS/iscsi/$ISCSI_IQN" 2>/dev/null
		for g in "$_ISCSI_CFS/core/rd_mcp_0/lun0/alua"/*/; do
			g=${g%/}
			[ "${g##*/}" = default_tg_pt_gp ] || rmdir "$g" 2>/dev/null
		done
		rmdir "$_ISCSI_CFS/core/rd_mcp_0/lun0" "$_ISCSI_CFS/core/rd_mcp_0" 2>/dev/null
	fi
	ip link del abA 2>/dev/null
	ip link del abB 2>/dev/null
	ip netns del "$ISCSI_NS" 2>/dev/null
	return 0
}
