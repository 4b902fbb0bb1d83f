# shellcheck shell=bash
# Helpers for guest-side tests (tests/vm/*.sh), sourced by each test:
#   . "$REPO/tests/vm/lib.sh"      (or relative to the test: "$(dirname "$0")/lib.sh")
# The runner exports REPO, KVER, TEST_TMP, KLOG_SEQ_START; defaults are set
# here so a test also works when run by hand inside the guest.
#
#   die MSG...                 print "FATAL: MSG" to stderr, exit 1
#   log MSG...                 print "# MSG" (TAP diagnostic) to stderr
#   need_cmd CMD...            die unless every CMD is in PATH (never skip)
#   load_modules               modprobe dm-multipath; insmod build/ko/KVER/*.ko
#                              (env PSW_KO_DIR=DIR: DIR/KVER/*.ko or DIR/*.ko
#                              instead, e.g. a mutant's build/ko-mutant/NAME,
#                              relative to REPO or absolute)
#   nullb_create NAME SIZE_MB [MBPS]  -> prints the disk: /dev/NAME on 6.1/6.12
#                              (/dev/nullbINDEX on old kernels); queue_mode 2,
#                              power 1; env NULLB_MEMORY_BACKED=1 keeps data,
#                              NULLB_BS=512 logical block size,
#                              NULLB_COMPLETION_NSEC=N fixed completion time

#   nullb_remove NAME
#   scsi_debug_shared N_HOSTS SIZE_MB -> prints N /dev/sdX (one per line),
#                              all the same RAM store (verified)
#   scsi_debug_remove          unload scsi_debug (after dm maps are gone)
#   vm_sleep SECS              sleep (fractions ok) without an exec
#   devnum DEV                 prints MAJOR:MINOR of a block device
#   dm_wait_quiet              wait for udev/dm events to settle (if udevd runs)
#   klog_mark                  print the current last kernel-log sequence number
#   klog_since SEQ             print kernel-log records after SEQ
#   check_klog_clean [SEQ]     fail (return 1, print lines) if the kernel log
#                              since SEQ (default: test start) matches
#                              tests/vm/bad-kernel-patterns.txt

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KVER=${KVER:-$(uname -r)}
TEST_TMP=${TEST_TMP:-$(mktemp -d /tmp/vmtest.XXXXXX)}
export REPO KVER TEST_TMP
# shellcheck source=tests/vm/klog.sh
. "$REPO/tests/vm/klog.sh"

die() {
	echo "FATAL: $*" >&2
	exit 1
}

log() {
	echo "# $*" >&2
}

# Sleep without an exec (each exec costs 0.1-0.2 s under TCG).
vm_sleep() {
	[ -n "${_VM_SLEEP_FD:-}" ] || exec {_VM_SLEEP_FD}<> <(:)
	read -r -t "$1" -u "$_VM_SLEEP_FD" _ || true
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "required command '$c' is missing (install its package: scripts/deps.sh)"
	done
}

load_modules() {
	local d=${PSW_KO_DIR:-$REPO/build/ko/$KVER} ko n=0
	[[ $d == /* ]] || d=$REPO/$d
	[ ! -d "$d/$KVER" ] || d=$d/$KVER
	[ -z "${PSW_KO_DIR:-}" ] || log "modules from $d"
	modprobe dm-multipath || die "modprobe dm-multipath failed"
	[ -d "$d" ] || die "no built modules in $d: build the project modules for $KVER first (the top Makefile copies them to build/ko/KVER/)"
	for ko in "$d"/*.ko; do
		[ -e "$ko" ] || continue
		local name
		name=$(basename "$ko" .ko)
		if grep -q "^${name//-/_} " /proc/modules; then
			n=$((n + 1))
			continue
		fi
		insmod "$ko" || die "insmod $ko failed"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no *.ko in $d"
}

# null_blk through configfs.  SIZE_MB; optional MBPS bandwidth cap (0/empty: none).
nullb_create() {
	local name=${1:?nullb_create NAME SIZE_MB [MBPS]} size=${2:?nullb_create NAME SIZE_MB [MBPS]} mbps=${3:-}
	local d=/sys/kernel/config/nullb/$name idx
	[ -d /sys/kernel/config/nullb ] || modprobe null_blk nr_devices=0 || die "modprobe null_blk failed"
	[ -d /sys/kernel/config/nullb ] || die "no /sys/kernel/config/nullb (configfs not mounted or null_blk too old)"
	[ ! -e "$d" ] || die "nullb $name already exists"
	mkdir "$d" || die "mkdir $d failed"
	echo 2 >"$d/queue_mode" || die "nullb $name: queue_mode"
	echo "$size" >"$d/size" || die "nullb $name: size"
	echo "${NULLB_BS:-512}" >"$d/blocksize" || die "nullb $name: blocksize"
	if [ -n "${NULLB_MEMORY_BACKED:-}" ]; then
		echo 1 >"$d/memory_backed" || die "nullb $name: memory_backed"
	fi
	if [ -n "${NULLB_COMPLETION_NSEC:-}" ]; then
		# timer completion: every I/O takes this long, whatever its size
		# and the queue depth
		echo 2 >"$d/irqmode" || die "nullb $name: irqmode"
		echo "$NULLB_COMPLETION_NSEC" >"$d/completion_nsec" || die "nullb $name: completion_nsec"
	fi
	if [ -n "$mbps" ] && [ "$mbps" != 0 ]; then
		[ -e "$d/mbps" ] || die "null_blk of $KVER has no mbps attribute"
		echo "$mbps" >"$d/mbps" || die "nullb $name: mbps $mbps"
	fi
	echo 1 >"$d/power" || die "nullb $name: power on failed"
	read -r idx <"$d/index" || die "nullb $name: no index"
	# 6.1/6.12 name configfs-made disks after the item (/dev/NAME); older
	# kernels used nullbINDEX.
	if [ -b "/dev/$name" ] && [ -e "/sys/block/$name" ]; then
		echo "/dev/$name"
	elif [ -b "/dev/nullb$idx" ]; then
		echo "/dev/nullb$idx"
	else
		die "nullb $name (index $idx): neither /dev/$name nor /dev/nullb$idx appeared"
	fi
}

nullb_remove() {
	local d=/sys/kernel/config/nullb/${1:?nullb_remove NAME}
	[ -d "$d" ] || return 0
	echo 0 >"$d/power" 2>/dev/null || true
	rmdir "$d" || die "rmdir $d failed (still in use?)"
}

# N_HOSTS disks of one scsi_debug store (a WWID per host).  Prints /dev/sdX lines.
scsi_debug_shared() {
	local n=${1:?scsi_debug_shared N_HOSTS SIZE_MB} size=${2:?scsi_debug_shared N_HOSTS SIZE_MB}
	local h blk devs=() i tries
	[ "$n" -ge 2 ] || die "scsi_debug_shared: need 2+ hosts"
	if [ -d /sys/bus/pseudo/drivers/scsi_debug ]; then
		die "scsi_debug is already loaded (call scsi_debug_remove first)"
	fi
	modprobe sd_mod || die "modprobe sd_mod failed"	# no udev to autoload it
	# vpd_use_hostno=1: no ALUA standby disk (see sd_setup in mp.sh)
	modprobe scsi_debug add_host="$n" num_tgts=1 max_luns=1 vpd_use_hostno=1 \
		per_host_store=0 dev_size_mb="$size" ${SCSI_DEBUG_OPTS:-} ||
		die "modprobe scsi_debug failed"
	# Hosts are probed synchronously by modprobe; the disks' block devices
	# may be registered a little later (async scan): wait on sysfs.
	for ((tries = 0; tries < 200; tries++)); do
		devs=()
		for h in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*/block/*; do
			[ -e "$h" ] && devs+=("$(basename "$h")")
		done
		[ "${#devs[@]}" -ge "$n" ] && break
		vm_sleep 0.05
	done
	[ "${#devs[@]}" -eq "$n" ] || die "scsi_debug: expected $n disks, found ${#devs[@]} (${devs[*]:-none})"
	for blk in "${devs[@]}"; do
		for ((tries = 0; tries < 100; tries++)); do [ -b "/dev/$blk" ] && break; vm_sleep 0.05; done
		[ -b "/dev/$blk" ] || die "scsi_debug: /dev/$blk did not appear"
	done
	# Same store: write a random block via the first, read it via each other.
	local pat=$TEST_TMP/sdbg.pat got=$TEST_TMP/sdbg.got
	dd if=/dev/urandom of="$pat" bs=4096 count=1 status=none
	dd if="$pat" of="/dev/${devs[0]}" bs=4096 count=1 seek=1 oflag=direct conv=notrunc status=none ||
		die "scsi_debug: write to /dev/${devs[0]} failed"
	for ((i = 1; i < ${#devs[@]}; i++)); do
		dd if="/dev/${devs[i]}" of="$got" bs=4096 count=1 skip=1 iflag=direct status=none ||
			die "scsi_debug: read from /dev/${devs[i]} failed"
		cmp -s "$pat" "$got" || die "scsi_debug: /dev/${devs[0]} and /dev/${devs[i]} do not share one store"
	done
	printf '/dev/%s\n' "${devs[@]}"
}

scsi_debug_remove() {
	[ -d /sys/module/scsi_debug ] || return 0
	modprobe -r scsi_debug || die "modprobe -r scsi_debug failed (disks still in use?)"
}

devnum() {
	local dev=${1:?devnum DEV} b n
	[ -L "$dev" ] && dev=$(readlink -f "$dev")
	[ -b "$dev" ] || die "devnum: $1 is not a block device"
	b=${dev##*/}
	# sysfs first (no exec); /dev/mapper/NAME nodes are not named like sysfs
	if [ -r "/sys/class/block/$b/dev" ] && read -r n <"/sys/class/block/$b/dev"; then
		echo "$n"
	else
		printf '%d:%d\n' "0x$(stat -L -c %t "$dev")" "0x$(stat -L -c %T "$dev")"
	fi
}


dm_wait_quiet() {
	if command -v udevadm >/dev/null 2>&1 && [ -S /run/udev/control ]; then
		udevadm settle --timeout=30 || die "udevadm settle timed out"
	fi
	# Without udevd (DM_DISABLE_UDEV=1) dmsetup is synchronous; wait for
	# any dm uevent cookies anyway.
	if command -v dmsetup >/dev/null 2>&1; then
		dmsetup udevcomplete_all -y >/dev/null 2>&1 || true
	fi
}

# Kernel log access through /dev/kmsg records "prio,seq,usec,flags;text".
klog_records() {
	dd if=/dev/kmsg iflag=nonblock bs=16384 status=none 2>/dev/null || true
}

klog_mark() {
	klog_records | awk -F, '!/^ / { l = $2 } END { print l + 0 }'
}

klog_since() {
	klog_records | awk -v s="${1:-0}" '
		/^ / { next }
		{ split($0, a, ","); if (a[2] + 0 > s + 0) { sub(/^[^;]*;/, ""); print } }'
}

check_klog_clean() {
	local since=${1:-${KLOG_SEQ_START:-0}} bad
	klog_load_patterns || return 1
	if ! bad=$(klog_since "$since" | klog_scan); then
		echo "kernel log has bad lines:" >&2
		printf '%s\n' "$bad" | sed 's/^/  /' >&2
		return 1
	fi
}
