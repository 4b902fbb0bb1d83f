#!/bin/bash
# multipathd + ALUA on real iSCSI (issue 17, part 2).  LIO with one target
# port group per portal (tests/vm/iscsi.sh, ISCSI_ALUA): side A
# active/optimized, side B active/non-optimized, implicit ALUA only.
# multipathd (multipath-tools 0.9.4, -v3) builds the map with prio alua,
# rr_weight priorities, path_grouping_policy multibus (overrides): the
# per-path weight is rr_min_io_rq (1) x priority, A 50, B 10.
#  1. /sys/block/sdX/device/access_state: A active/optimized, B
#     active/non-optimized (after a rescan, see there).  Catches: an ALUA
#     set-up the initiator does not see (all below would test nothing);
#     without the rescan it fails: B read active/optimized.
#  2. path_selector "weighted-paths-rank 0": the table carries A 50 B 10
#     (catches: prio alua not reading the states); status parsing (4);
#     then a dd of 300 x 64k reads on the map: the A disk does all of them
#     and B at most 8, counted on the sd disks' own /sys/block/sdX/stat
#     (catches: rank mode picking the lowest weight; mutant rank-lowest:
#     A 0, B 300); abpath check --json reads the map (maps_checked >= 1)
#     and gives no alua-non-optimized finding (catches: a check that warns
#     about a correct rank map; an abpath whose rank tier is the lowest
#     weight warned here).
#  3. path_selector "weighted-paths-priority 0" (MSDSM: the lowest weight
#     wins): the B disk does all the reads -- the documented pitfall, on
#     the disks -- and abpath check has an alua-non-optimized finding and
#     exits 1 (catches: a check that misses the upside-down priority under
#     multipathd; an abpath without the ALUA check exited 0 here).
#  4. Status parsing, under weighted-paths-rank (in 2) and least-blocks 0:
#     each path in turn failed by "dmsetup message fail_path" must be seen
#     failed by multipathd ("sdX: mark as failed": it read the F in our
#     status line) and reinstated by its checker ("MAJ:MIN: reinstated");
#     its -v3 log must have none of 0.9.4's complaints about a map it
#     cannot read (MPD_BAD below: "cannot disassemble status" and the
#     like), no reload in these windows ("selector change" / "minio
#     change": a table read-back that differs), and "multipathd show
#     paths" must show both paths active/ready/running, "show maps" the
#     map with 2 paths.  Catches: a status line that does not match the
#     selector's declared info_args (mutant status-short, scripts/
#     mutants.sh: multipathd showed sdb's dm state "undef" and reinstated
#     it again and again; 0.9.4 prints no complaint for it).
# multipathd's -v3 log is $TEST_TMP/multipathd.log (its tail is printed on
# a failure).  Env MPD_ALUA_ABPATH: another abpath binary (break checks).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
. "$(dirname "$0")/iscsi.sh"

# MPD_ALUA_ABPATH: another abpath binary (break checks: a broken check)
AB=${MPD_ALUA_ABPATH:-$REPO/userspace/abpath}
need_cmd dd dmsetup ip nsenter iscsid iscsiadm multipathd udevadm awk modprobe insmod
[ -x /lib/systemd/systemd-udevd ] || die "/lib/systemd/systemd-udevd missing (package systemd/udev)"
[ -x "$AB" ] || die "$AB not built (make -C userspace)"

uptime_cs() { local u _; read -r u _ </proc/uptime; u=${u/./}; echo $((10#$u)); }
T0=$(uptime_cs)
el() { local t; t=$(uptime_cs); echo "$(((t - T0) / 100)).$(printf %02d $(((t - T0) % 100)))s"; }

# 0.9.4's words for a map or status it cannot read or load
MPD_BAD='cannot disassemble|error getting map status|invalid target found|failed to setup (map|multipath)|failed to update paths|cannot access table|failed reload|failed to load map|reinstate failed|parse error|failure for create/reload'
MPD_LOG=$TEST_TMP/multipathd.log
MPD_PID=""
cleanup() {
	if [ -n "$MPD_PID" ]; then
		kill "$MPD_PID" 2>/dev/null
		wait "$MPD_PID" 2>/dev/null
	fi
	dmsetup remove "${ISCSI_MAP:-e2e}" 2>/dev/null
	udevadm control --exit 2>/dev/null
	iscsi_teardown
	# ours (the guest's /etc is a tmpfs overlay; the host has none)
	rm -f /etc/multipath.conf
}
mpd_fail() { # MSG: the multipathd log's tail, then fail
	[ ! -s "$MPD_LOG" ] || tail -40 "$MPD_LOG" | sed 's/^/# mpd: /'
	fail "$*"
}

# scsi_dh_alua before the logins: the disks attach it at scan time
# (access_state exists only with a device handler)
modprobe scsi_dh_alua || die "modprobe scsi_dh_alua"
ISCSI_ALUA="0 1" iscsi_ab_setup 32
trap cleanup EXIT
load_modules
A=$ISCSI_DEV_A B=$ISCSI_DEV_B MAP=$ISCSI_MAP
note "iSCSI up at $(el): A=$ISCSI_SD_A ($A) B=$ISCSI_SD_B ($B) WWID $ISCSI_WWID"

# ---- 1: the ALUA states as the initiator sees them ----
# scsi_dh_alua queues no REPORT TARGET PORT GROUPS when it attaches at scan
# time (alua_rtpg_queue finds no sdev->handler_data yet: alua_bus_attach sets
# it after alua_initialize, 6.1 and 6.12 sources):
# access_state stays at its initial active/optimized until something
# queues one (dm-multipath's pg_init with hardware_handler alua, a unit
# attention, a rescan; seen on 6.12: B active/optimized while LIO reported
# active/non-optimized to sg_rtpg).  A rescan runs alua_rescan -> RTPG.
for d in "$ISCSI_SD_A" "$ISCSI_SD_B"; do
	echo 1 >"/sys/block/$d/device/rescan" || fail "rescan $d"
done
for ((i = 0; i < 40; i++)); do
	read -r sa <"/sys/block/$ISCSI_SD_A/device/access_state" || fail "no access_state on $ISCSI_SD_A (scsi_dh_alua not attached)"
	read -r sb <"/sys/block/$ISCSI_SD_B/device/access_state" || fail "no access_state on $ISCSI_SD_B (scsi_dh_alua not attached)"
	[ "$sb" = active/optimized ] || break
	vm_sleep 0.25
done
note "access_state: A $ISCSI_SD_A $sa, B $ISCSI_SD_B $sb (after a rescan, $((i * 250)) ms)"
[ "$sa" = active/optimized ] && [ "$sb" = active/non-optimized ] ||
	fail "ALUA states A '$sa' B '$sb', wanted active/optimized and active/non-optimized"

# ---- helpers ----
abp() { "$AB" --config "$ISCSI_CONF" "$@"; }
# reads completed by the A and B disks: "A B"
rsnap() {
	local a b
	read -r -a a <"/sys/block/$ISCSI_SD_A/stat"
	read -r -a b <"/sys/block/$ISCSI_SD_B/stat"
	echo "${a[0]} ${b[0]}"
}
# rd LABEL: N direct 64k reads through the map; sets RD_A RD_B (disk reads)
RD_N=300
rd() {
	local s0 s1
	read -r -a s0 <<<"$(rsnap)"
	dd if="/dev/mapper/$MAP" of=/dev/null bs=64k count=$RD_N iflag=direct status=none ||
		fail "$1: dd on /dev/mapper/$MAP failed"
	read -r -a s1 <<<"$(rsnap)"
	RD_A=$((s1[0] - s0[0])) RD_B=$((s1[1] - s0[1]))
	note "$1: $RD_N reads of 64k on the map: disk A ($ISCSI_SD_A, optimized) $RD_A, disk B ($ISCSI_SD_B, non-optimized) $RD_B"
}
# path_state DEV: A or F from dmsetup status (mp.sh)
path_state() { mp_field "$MAP" "$1" 1; }
# wait_state DEV A|F SECS: sets WS_CS (centiseconds waited); no subshell,
# so that its fail ends the test
wait_state() {
	local t0 i
	t0=$(uptime_cs)
	for ((i = 0; i < $3 * 4; i++)); do
		[ "$(path_state "$1")" = "$2" ] && { WS_CS=$(($(uptime_cs) - t0)); return 0; }
		vm_sleep 0.25
	done
	mpd_fail "path $1 not in state $2 after $3 s: $(dmsetup status "$MAP")"
}
mpconf() { # SELECTOR (the path_selector string)
	cat >/etc/multipath.conf <<-EOF
		defaults {
			find_multipaths no
			user_friendly_names no
			polling_interval 2
		}
		overrides {
			path_grouping_policy multibus
			prio alua
			rr_weight priorities
			path_selector "$1"
		}
		multipaths {
			multipath {
				wwid $ISCSI_WWID
				alias $MAP
			}
		}
	EOF
}
# wait_table PATTERN: multipathd has (re)built the map with it
wait_table() {
	local i
	for ((i = 0; i < 150; i++)); do
		dmsetup table "$MAP" 2>/dev/null | grep -q -e "$1" && break
		vm_sleep 0.2
	done
	dmsetup table "$MAP" 2>/dev/null | grep -q -e "$1" ||
		mpd_fail "multipathd did not build $MAP with '$1': $(dmsetup table "$MAP" 2>&1)"
	udevadm settle --timeout=30
	note "multipathd built at $(el): $(dmsetup table "$MAP")"
}
# weights SELECTOR: the table gives A 50 and B 10 (prio alua x rr_min_io_rq 1)
weights() {
	local t
	t=$(dmsetup table "$MAP")
	[[ $t == *"$1 0 2 1 "* && $t == *" $A 50"* && $t == *" $B 10"* ]] ||
		mpd_fail "$1: the table does not carry A=50 B=10 (prio alua): $t"
}
# check_run NAME: abpath check --json; sets CK_RC, CK_ALUA (findings with
# code alua-non-optimized), CK_MAPS (maps_checked: the map must have been
# read, or "no warning" means nothing)
check_run() {
	abp check --json >"$TEST_TMP/check-$1.json" 2>"$TEST_TMP/check-$1.err"
	CK_RC=$?
	CK_ALUA=$(grep -c '"code": *"alua-non-optimized"' "$TEST_TMP/check-$1.json")
	CK_MAPS=$(sed -n 's/.*"maps_checked": *\([0-9]*\).*/\1/p' "$TEST_TMP/check-$1.json")
	note "$1: abpath check exit $CK_RC, maps checked ${CK_MAPS:-none}, alua-non-optimized findings $CK_ALUA"
}
check_show() { cat "$TEST_TMP/check-$1.json" "$TEST_TMP/check-$1.err" | sed 's/^/# check: /'; }
# failcycle SELECTOR SIDE(A|B): fail that path by dm message; multipathd
# must see it failed (from our status line) and reinstate it by itself;
# no complaints, no reloads.  Both paths in turn: a status line with a
# token too few or too many per path still parses for the first path of
# a group in 0.9.4 (disassemble_status skips the declared count of
# selector words, then reads the next path's words shifted), not for the
# later ones.
failcycle() {
	local sel=$1 side=$2 dev sd l0 fc0 fc1 tr w
	if [ "$side" = A ]; then dev=$A sd=$ISCSI_SD_A; else dev=$B sd=$ISCSI_SD_B; fi
	l0=$(wc -l <"$MPD_LOG")
	[ "$(path_state "$dev")" = A ] || mpd_fail "$sel: $side not active before fail_path: $(dmsetup status "$MAP")"
	fc0=$(mp_field "$MAP" "$dev" 2)
	# fail_path is synchronous: dm's fail count of the path moves at once
	# (multipathd may reinstate the path before a poll sees F)
	dmsetup message "$MAP" 0 "fail_path $dev" || fail "$sel: dmsetup message fail_path $dev"
	fc1=$(mp_field "$MAP" "$dev" 2)
	[ "$fc1" -gt "$fc0" ] || fail "$sel: fail_path $dev did not fail it (fail count $fc0 -> $fc1)"
	wait_state "$dev" A 30
	tr=$WS_CS
	# the reinstate may reach the log after dm shows it; give it a moment
	for ((w = 0; w < 20; w++)); do
		tail -n +"$((l0 + 1))" "$MPD_LOG" | grep -q "$sd: mark as failed" && break
		vm_sleep 0.25
	done
	tail -n +"$((l0 + 1))" "$MPD_LOG" >"$TEST_TMP/window-$sel-$side.log"
	note "$sel: fail_path $side (dm fail count $fc0 -> $fc1), multipathd reinstated it after $((tr * 10)) ms; $(grep -c . "$TEST_TMP/window-$sel-$side.log") log lines in the window"
	grep -E "$sd: mark as failed|reinstat|$MAP: (load table|reload)|(selector|minio) change" \
		"$TEST_TMP/window-$sel-$side.log" | head -8 | sed "s/^/#   $sel mpd: /"
	grep -q "$sd: mark as failed" "$TEST_TMP/window-$sel-$side.log" ||
		mpd_fail "$sel: multipathd did not mark $sd ($side) failed: it did not read the F in the status line"
	grep -q "$dev: reinstated" "$TEST_TMP/window-$sel-$side.log" ||
		mpd_fail "$sel: $side active again, but multipathd logged no '$dev: reinstated'"
	if grep -q -E "(selector|minio) change" "$TEST_TMP/window-$sel-$side.log"; then
		grep -E "(selector|minio) change" "$TEST_TMP/window-$sel-$side.log" | sed 's/^/# mpd: /'
		fail "$sel: multipathd reloaded $MAP while failing/reinstating $side (table read-back differs)"
	fi
	mpd_clean "$sel, $side failed and reinstated"
	show_ok "$sel, $side"
}
# mpd_clean WHAT: no complaint about the map in the whole log so far
mpd_clean() {
	if grep -q -E "$MPD_BAD" "$MPD_LOG"; then
		grep -E "$MPD_BAD" "$MPD_LOG" | head -20 | sed 's/^/# mpd: /'
		fail "$1: multipathd -v3 complains about the map (see above)"
	fi
}
# show_ok WHAT: multipathd's own view: both paths active/ready, the map
show_ok() {
	local p m d
	p=$(multipathd show paths format "%d %t %T %o" 2>&1) || fail "$1: multipathd show paths: $p"
	m=$(multipathd show maps format "%n %w %N %t" 2>&1) || fail "$1: multipathd show maps: $m"
	printf '%s\n' "$p" "$m" | sed "s/^/#   $1 show: /"
	for d in "$ISCSI_SD_A" "$ISCSI_SD_B"; do
		grep -q -E "^$d +active +ready +running" <<<"$p" ||
			mpd_fail "$1: multipathd show paths: $d not active/ready/running"
	done
	grep -q -E "^$MAP +$ISCSI_WWID +2 +active" <<<"$m" || mpd_fail "$1: multipathd show maps: $MAP not 2 paths, active"
	! grep -q -i -E 'error|fail|undef|invalid' <<<"$p$m" || mpd_fail "$1: multipathd show output has errors"
}

# ---- 2: multipathd, weighted-paths-rank ----
note "=== multipathd $(dpkg-query -W -f='${Version}' multipath-tools 2>/dev/null), prio alua, rr_weight priorities, multibus, weighted-paths-rank 0"
mpconf "weighted-paths-rank 0"
iscsi_multipathd "$MPD_LOG"
wait_table "weighted-paths-rank 0 2 1"
weights weighted-paths-rank
mpd_clean "rank map built"
note "=== status parsing: weighted-paths-rank, fail and reinstate A, then B"
failcycle weighted-paths-rank A
failcycle weighted-paths-rank B
rd rank
[ "$RD_A" -ge "$RD_N" ] && [ "$RD_B" -le 8 ] ||
	fail "rank: the optimized disk A did $RD_A reads, B $RD_B: the highest weight (A, 50) must carry all $RD_N"
check_run rank
[ "${CK_MAPS:-0}" -ge 1 ] && [ "$CK_ALUA" = 0 ] && [ "$CK_RC" -le 1 ] ||
	{ check_show rank; fail "rank: abpath check read no map, or warns alua-non-optimized (or errs, exit $CK_RC) on a rank map whose I/O goes to the optimized path"; }

# ---- 3: weighted-paths-priority: the documented pitfall ----
note "=== weighted-paths-priority 0 (MSDSM: lowest weight wins)"
mpconf "weighted-paths-priority 0"
multipathd reconfigure >/dev/null 2>&1 || mpd_fail "multipathd reconfigure"
wait_table "weighted-paths-priority 0 2 1"
weights weighted-paths-priority
rd priority
[ "$RD_B" -ge "$RD_N" ] && [ "$RD_A" -le 8 ] ||
	fail "priority: the non-optimized disk B did $RD_B reads, A $RD_A: the lowest weight (B, 10) must carry all $RD_N (MSDSM rule)"
check_run priority
[ "$CK_ALUA" -ge 1 ] && [ "$CK_RC" = 1 ] ||
	{ check_show priority; fail "priority: abpath check must warn alua-non-optimized with exit 1 (exit $CK_RC, $CK_ALUA findings)"; }
abp check 2>&1 | grep -A1 'gives I/O to' | sed 's/^/#   check: /'
mpd_clean "priority map built"

# ---- 4b: least-blocks ----
note "=== least-blocks 0: status parsing, fail and reinstate A, then B"
mpconf "least-blocks 0"
multipathd reconfigure >/dev/null 2>&1 || mpd_fail "multipathd reconfigure"
wait_table "least-blocks 0 2 1"
failcycle least-blocks A
failcycle least-blocks B

kill "$MPD_PID" 2>/dev/null
wait "$MPD_PID" 2>/dev/null
MPD_PID=""
dmsetup remove "$MAP" 2>/dev/null || { vm_sleep 1; dmsetup remove "$MAP" || fail "remove $MAP"; }
note "multipathd log: $(grep -c . "$MPD_LOG") lines, none of: $MPD_BAD"
note "done at $(el)"
