# shellcheck shell=bash
# Multipath helpers for the selector VM tests (sourced by tests/vm/t_*.sh).
# Every helper fails loudly: a missing tool or device is a test failure.

# env PSW_KO_DIR=DIR (relative to REPO or absolute): load the modules from
# DIR/KVER or DIR instead, e.g. a mutant's build/ko-mutant/NAME
# (scripts/build-mutant.sh, scripts/mutants.sh)
MP_KO=${PSW_KO_DIR:-${REPO:-$(pwd)}/build/ko/$(uname -r)}
[[ $MP_KO == /* ]] || MP_KO=${REPO:-$(pwd)}/$MP_KO
[ ! -d "$MP_KO/$(uname -r)" ] || MP_KO=$MP_KO/$(uname -r)

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }
needs() { local c; for c in "$@"; do command -v "$c" >/dev/null || fail "missing command $c (install it via scripts/deps.sh)"; done; }

# Load dm-multipath and our two modules (idempotent).
mp_load() {
	needs dmsetup fio insmod modprobe
	modprobe dm-multipath || fail "modprobe dm-multipath"
	local m
	for m in dm-least-blocks dm-weighted-paths; do
		[ -d "/sys/module/${m//-/_}" ] && continue
		[ -f "$MP_KO/$m.ko" ] || fail "$MP_KO/$m.ko not built (make check builds it)"
		insmod "$MP_KO/$m.ko" || fail "insmod $m"
	done
}

# scsi_debug: N disks (one per host) over ONE shared RAM store, so that a
# multipath map over them reads back what it wrote through any path.
# Sets SD_DEVS (major:minor list) and SD_NAMES (sdX list).
sd_setup() {
	local n=${1:-2} mb=${2:-64} ndelay=${3:-100000} d i
	modprobe -r scsi_debug 2>/dev/null
	modprobe sd_mod || fail "modprobe sd_mod"
	# vpd_use_hostno=1: no ALUA (no TPGS in INQUIRY), every disk usable
	# whichever test ran before.  With 0, scsi_debug claims implicit ALUA
	# and cycles the port state by host number: the disk of every third
	# host is standby, and once scsi_dh_alua is loaded (t_e2e_iscsi's
	# multipathd loads it) that disk fails all I/O with EIO (CI:
	# t_devfail and t_wp_rank failed on sdc after t_e2e_iscsi).  The
	# disks get a WWID per host; dm tables do not care.
	modprobe scsi_debug add_host="$n" num_tgts=1 max_luns=1 vpd_use_hostno=1 \
		per_host_store=0 dev_size_mb="$mb" delay=0 ndelay="$ndelay" ||
		fail "modprobe scsi_debug"
	udevadm settle 2>/dev/null || true
	SD_DEVS=() SD_NAMES=()
	for i in $(seq 50); do
		SD_NAMES=()
		for d in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*/block/*; do
			[ -e "$d/dev" ] && SD_NAMES+=("$(basename "$d")")
		done
		[ ${#SD_NAMES[@]} -ge "$n" ] && break
		sleep 0.1
	done
	[ ${#SD_NAMES[@]} -eq "$n" ] || fail "scsi_debug gave ${#SD_NAMES[@]} disks, wanted $n"
	for d in "${SD_NAMES[@]}"; do
		[ -b "/dev/$d" ] || mknod "/dev/$d" b $(tr ':' ' ' <"/sys/block/$d/dev")
		SD_DEVS+=("$(cat "/sys/block/$d/dev")")
	done
	# One store, every disk usable: a block written through the first
	# disk reads back through each of the others.
	head -c 4096 /dev/urandom >"$TEST_TMP/blk"
	dd if="$TEST_TMP/blk" of="/dev/${SD_NAMES[0]}" bs=4096 count=1 oflag=direct status=none ||
		fail "scsi_debug: write through /dev/${SD_NAMES[0]} failed"
	for d in "${SD_NAMES[@]:1}"; do
		dd if="/dev/$d" of="$TEST_TMP/blk2" bs=4096 count=1 iflag=direct status=none ||
			fail "scsi_debug: read through /dev/$d failed (ALUA state: $(cat "/sys/block/$d/device/access_state" 2>/dev/null || echo none))"
		cmp -s "$TEST_TMP/blk" "$TEST_TMP/blk2" || fail "scsi_debug: /dev/$d does not share the store of /dev/${SD_NAMES[0]}"
	done
	SD_SECTORS=$(cat "/sys/block/${SD_NAMES[0]}/size")
	note "scsi_debug: ${SD_NAMES[*]} = ${SD_DEVS[*]} ($SD_SECTORS sectors, one store)"
}

sd_teardown() {
	modprobe -r scsi_debug 2>/dev/null || true
}

# mp_table SECTORS MODE SELECTOR-WITH-ARGS DEV [ARG] ... -> table line.
# MODE: rq (request-based, default) or bio.  Path args: "DEV:W" or "DEV",
# or "DEV:A B" for two per-path arguments (service-time).
mp_table() {
	local sectors=$1 mode=$2 sel=$3 feat="0" p paths="" n=0 nargs=1 w
	shift 3
	[ "$mode" = bio ] && feat="2 queue_mode bio"
	[ "$mode" = bio_qinp ] && feat="3 queue_mode bio queue_if_no_path"
	[ "$mode" = rq_qinp ] && feat="1 queue_if_no_path"
	for p in "$@"; do
		case $p in
		*:*:*) paths+=" ${p%:*} ${p##*:}"
			read -r -a w <<<"${p##*:}"
			nargs=${#w[@]} ;;
		*) paths+=" $p"; nargs=0 ;;
		esac
		n=$((n + 1))
	done
	echo "0 $sectors multipath $feat 0 1 1 $sel $n $nargs$paths"
}

# mp_linear_paths PREFIX N DEV SECTORS: N dm-linear devices PREFIX0..
# PREFIX(N-1), each over all of DEV (MAJ:MIN), made in one exec; sets
# LPATHS=(MAJ:MIN ...) in that order (dm lets one device be a path of
# several maps, and several paths over one device make cheap test paths)
mp_linear_paths() {
	local pre=$1 n=$2 dev=$3 sec=$4 spec="" p nm ma mi
	local -A devt=()
	for ((p = 0; p < n; p++)); do
		spec+="${spec:+;}$pre$p,,,rw,0 $sec linear $dev 0"
	done
	dmsetup create --concise "$spec" || fail "dmsetup create --concise of $n dm-linear paths"
	while read -r nm ma mi; do
		devt[$nm]=$ma:$mi
	done < <(dmsetup info -c --noheadings -o name,major,minor --separator ' ')
	LPATHS=()
	for ((p = 0; p < n; p++)); do
		[ -n "${devt[$pre$p]:-}" ] || fail "no $pre$p in dmsetup info"
		LPATHS+=("${devt[$pre$p]}")
	done
}

mp_create() { # NAME TABLE
	dmsetup create "$1" --table "$2" || fail "dmsetup create $1: $2"
	[ -b "/dev/mapper/$1" ] || fail "/dev/mapper/$1 missing (DM_DISABLE_UDEV=1 expected)"
}

mp_remove() { dmsetup remove "$1" 2>/dev/null || { sleep 0.5; dmsetup remove "$1"; }; }

# mp_field MAP DEV K: the K-th token after the path's major:minor in the
# status line: 1 A/F, 2 fail count, then the selector's INFO fields:
# 3 in-flight bytes, 4 completed I/Os, 5 completed bytes, 6 weight.
mp_field() {
	# one exec, parsed in bash: tests poll this, and under TCG each exec
	# costs 0.1-0.2 s of the guest's CPU
	local st w i=-1
	st=$(dmsetup status "$1") || return
	for w in $st; do
		if [ $i -ge 0 ]; then
			i=$((i + 1))
			[ $i = "$3" ] && { echo "$w"; return 0; }
		elif [ "$w" = "$2" ]; then
			i=0
		fi
	done
}

# All paths' completed I/O counts, space separated, in the order given.
mp_ios() { local m=$1 d; shift; for d in "$@"; do printf '%s ' "$(mp_field "$m" "$d" 4)"; done; }

# Every path's in-flight byte counter must be 0 once I/O stopped.
mp_assert_idle() {
	local m=$1 d v
	shift
	for d in "$@"; do
		v=$(mp_field "$m" "$d" 3)
		[ "$v" = 0 ] || fail "$m path $d: $v bytes still counted in flight after I/O stopped"
	done
}

# fio with crc32c verification, mixed read/write; fails on any error.
# fio_verify DEV SECONDS [extra fio args]
fio_verify() {
	local dev=$1 secs=$2 out=$TEST_TMP/fio.$RANDOM
	shift 2
	fio --name=verify --filename="$dev" --direct=1 --ioengine=libaio --iodepth=16 \
		--rw=randwrite --bsrange=4k-64k --verify=crc32c --verify_backlog=64 \
		--verify_fatal=1 --do_verify=1 --size=24M --runtime="$secs" --time_based \
		--output-format=terse --terse-version=3 "$@" >"$out" 2>&1
	local rc=$?
	# terse v3: field 5 is the job's total error count
	local errs
	errs=$(awk -F';' '/^3;/ { print $5 }' "$out")
	if [ $rc -ne 0 ] || [ "${errs:-x}" != 0 ]; then
		sed 's/^/# fio: /' "$out"
		fail "fio verify on $dev: rc $rc, errors ${errs:-?}"
	fi
}

# pct PART TOTAL -> integer percent (rounded)
pct() { echo $(( ($1 * 100 + $2 / 2) / ($2 > 0 ? $2 : 1) )); }

# Checks a percentage is within [lo, hi].
within() { # NAME VALUE LO HI
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || fail "$1 = $2, expected $3..$4"
}

# perf_fail [--disk] MSG: fail (ds_fail with --disk) a check whose premise
# is a guest fast enough to keep the test's queue depth in flight
# (least-blocks' balance and efficiency, the latency ratio).  MP_PERF_SOFT=1
# is for make torture's debug-kernel guest only: under TCG, KASAN and
# lockdep submit one or two I/Os at a time, so these figures measure the
# instrumentation, not the selector.  There the failure is printed as
# "# PERF-SOFT (not asserted, MP_PERF_SOFT=1): MSG" and the test goes on to its other
# checks and the kernel-log check (what that lane is for); the Debian
# lanes of make check always assert.
perf_fail() {
	local f=fail
	[ "$1" = --disk ] && { f=ds_fail; shift; }
	if [ "${MP_PERF_SOFT:-0}" = 1 ]; then
		note "PERF-SOFT (not asserted, MP_PERF_SOFT=1): $*"
	else
		$f "$*"
	fi
}

# mp_wait_io MAP DEV [SECS]: wait until the path completes new I/O.
mp_wait_io() {
	local m=$1 d=$2 t=${3:-20} v0 i
	v0=$(mp_field "$m" "$d" 4)
	for ((i = 0; i < t * 4; i++)); do
		[ "$(mp_field "$m" "$d" 4)" -gt "$v0" ] && return 0
		sleep 0.25
	done
	fail "$m path $d completed no I/O within ${t}s"
}

# fio_verify_bg DEV: verify in back-to-back 4 s fio runs until
# fio_verify_stop; the checks in between may take as long as a loaded
# machine needs.  fio_verify_stop fails if any run failed.
fio_verify_bg() {
	rm -f "$TEST_TMP/fio.stop"
	(
		while [ ! -e "$TEST_TMP/fio.stop" ]; do
			fio_verify "$1" 4 || exit 1
		done
	) &
	FIO_BG=$!
}

fio_verify_stop() {
	touch "$TEST_TMP/fio.stop"
	wait "$FIO_BG" || fail "fio verify failed (see above)"
}

# ---- Shares measured on the path disks (issue 14) ----
# The status counters come from the selector's own start_io/end_io: a
# selector that sends I/O to one path and counts it on another passes any
# check built on them alone (tests/mutants/*-fake-status.patch do exactly
# that).  These helpers read each path disk's own /sys/block/DISK/stat,
# through /sys/dev/block/MAJ:MIN (dm-linear paths too: dm-N), with bash
# builtins only (no exec per path).  stat fields used: 1 reads completed,
# 3 sectors read, 5 writes completed, 7 sectors written.  Sectors count
# the data the disk moved; "completed" also counts a clone the disk
# refused as busy (the block layer accounts it as done, dm dispatches it
# again) and counts a merged request once, so sector shares are the
# stricter measure where the I/O size is fixed or bytes are what matter.
#   ds_snap VAR DEV...     VAR=(ios0 sec0 ios1 sec1 ...) for each MAJ:MIN
#   ds_delta VAR0 VAR1     per-path deltas: DS_IOS=() DS_SEC=(), sums
#                          DS_IOS_SUM DS_SEC_SUM
#   ds_share IDX SCALE [ios|sec]  prints path IDX's share of the last
#                          delta in 1/SCALE (100: percent), rounded; sec
#                          by default
#   ds_name DEV            prints the disk name of MAJ:MIN (sdb, dm-3)
#   ds_within NAME V LO HI / ds_agree NAME DISK STATUS TOL / ds_fail MSG
#                          disk-side checks; MP_DISK_SOFT=1 (for runs on
#                          a mutant) prints "FAIL (disk): ..." and goes on,
#                          ds_done then fails the test at its end
ds_snap() {
	local -n _ds_out=$1
	local _ds_d _ds_f
	shift
	_ds_out=()
	for _ds_d in "$@"; do
		read -r -a _ds_f <"/sys/dev/block/$_ds_d/stat" ||
			fail "ds_snap: cannot read /sys/dev/block/$_ds_d/stat"
		_ds_out+=($((_ds_f[0] + _ds_f[4])) $((_ds_f[2] + _ds_f[6])))
	done
}

ds_delta() {
	local -n _ds_a=$1 _ds_b=$2
	local i
	[ ${#_ds_a[@]} -eq ${#_ds_b[@]} ] || fail "ds_delta: $1 and $2 differ in length"
	DS_IOS=() DS_SEC=() DS_IOS_SUM=0 DS_SEC_SUM=0
	for ((i = 0; i < ${#_ds_a[@]}; i += 2)); do
		DS_IOS+=($((_ds_b[i] - _ds_a[i])))
		DS_SEC+=($((_ds_b[i + 1] - _ds_a[i + 1])))
		DS_IOS_SUM=$((DS_IOS_SUM + _ds_b[i] - _ds_a[i]))
		DS_SEC_SUM=$((DS_SEC_SUM + _ds_b[i + 1] - _ds_a[i + 1]))
	done
}

ds_share() {
	local x t
	if [ "${3:-sec}" = ios ]; then x=${DS_IOS[$1]} t=$DS_IOS_SUM; else x=${DS_SEC[$1]} t=$DS_SEC_SUM; fi
	echo $(((x * $2 + t / 2) / (t > 0 ? t : 1)))
}

ds_name() {
	local l
	while read -r l; do
		[[ $l == DEVNAME=* ]] && { echo "${l#DEVNAME=}"; return 0; }
	done <"/sys/dev/block/$1/uevent"
	echo "$1"
}

ds_fail() {
	if [ "${MP_DISK_SOFT:-0}" = 1 ]; then
		echo "FAIL (disk): $*" >&2
		DS_FAILED=$((${DS_FAILED:-0} + 1))
	else
		fail "(disk stat) $*"
	fi
}

ds_within() { # NAME VALUE LO HI
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || ds_fail "$1 = $2, expected $3..$4"
}

ds_agree() { # NAME DISK-SHARE STATUS-SHARE TOL
	local d=$(($2 - $3))
	[ "${d#-}" -le "$4" ] || ds_fail "$1: disks say $2, selector status says $3 (more than $4 apart)"
}

ds_done() {
	[ "${DS_FAILED:-0}" = 0 ] || fail "${DS_FAILED} disk-stat check(s) failed (MP_DISK_SOFT=1 run)"
}
