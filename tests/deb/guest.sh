#!/bin/bash
# In the guest (tests/deb/run.sh: scripts/vm-run -- tests/vm/runner.sh
# tests/deb/guest.sh): the modules that `apt-get install` had DKMS build
# and install on the host (/lib/modules/KVER/updates/dkms, indexed by the
# host's depmod, seen here over 9p) load by modprobe, and by a table naming
# the selector (least-blocks, and weighted-paths-priority through its alias).
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$REPO/tests/vm/lib.sh"
need_cmd dmsetup modprobe rmmod modinfo

loaded() { [ -d "/sys/module/${1//-/_}" ]; }
maps=()
cleanup() {
	local m
	for m in "${maps[@]}"; do dmsetup remove "$m" >/dev/null 2>&1 || true; done
	nullb_remove deb1 2>/dev/null || true
	nullb_remove deb0 2>/dev/null || true
	rmmod dm_weighted_paths dm_least_blocks 2>/dev/null || true
}
trap cleanup EXIT

for m in dm_least_blocks dm_weighted_paths; do
	if loaded "$m"; then rmmod "$m" || die "rmmod $m"; fi
done

# modprobe, from the DKMS directory.
for m in dm-least-blocks dm-weighted-paths; do
	f=$(modinfo -F filename "$m") || die "modinfo $m: not found"
	case $f in
	"/lib/modules/$KVER/updates/dkms/$m.ko"*) ;;
	*) die "$m resolves to $f, not the DKMS build in updates/dkms" ;;
	esac
	modprobe "$m" || die "modprobe $m"
	loaded "$m" || die "$m not loaded after modprobe"
	log "modprobe $m: $f ($(modinfo -F version "$m"))"
done
rmmod dm_weighted_paths dm_least_blocks || die "rmmod after modprobe"

# Table auto-load: dm-multipath's request_module("dm-<selector>").
d0=$(nullb_create deb0 16)
d1=$(nullb_create deb1 16)
n0=$(devnum "$d0")
n1=$(devnum "$d1")
mk() { # NAME SELECTOR MODULE
	dmsetup create "$1" --table "0 32768 multipath 0 0 1 1 $2 0 2 1 $n0 1 $n1 1" ||
		die "dmsetup create $1 ($2)"
	maps+=("$1")
	dd if="/dev/mapper/$1" of=/dev/null bs=64k count=16 iflag=direct status=none || die "read through $1"
	loaded "$3" || die "table with $2 did not load $3"
	log "table with $2 loaded $3"
}
loaded dm-least-blocks && die "dm-least-blocks loaded before any table named it"
mk deb_lb least-blocks dm-least-blocks
loaded dm-weighted-paths && die "dm-weighted-paths loaded though no table named it"
mk deb_wp weighted-paths-priority dm-weighted-paths
