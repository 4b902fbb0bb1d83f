#!/bin/bash
# make install in the guest, then: a table naming least-blocks loads
# dm-least-blocks by itself (dm's request_module("dm-least-blocks")), one
# naming weighted-paths-priority loads dm-weighted-paths through its alias,
# modules-load.d preloads both (what multipathd needs at boot), and
# uninstall takes it all back.
#
# /lib/modules/KVER, /usr/sbin, /usr/share/man and /lib/udev/rules.d (the
# udev rule that keeps abpath's multipathd file current) are read-only 9p in the
# guest: each gets an overlay with a tmpfs upper for the test (/etc and
# /var already are).  The install is the real scripts/install.sh (what
# `make install` runs after building; the guest cannot build in the
# read-only tree).  Its `depmod -a` is replaced by a depmod of just the
# modules this test loads: a full depmod reads every module over 9p and
# took 296 s in a 6.1 guest under TCG (6.12's are .ko.xz: slower still).
# The full depmod of an install is checked on the host by
# tests/install/run.sh (depmod -b over a copy of /lib/modules/KVER).
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need_cmd dmsetup modprobe depmod rmmod mount umount

ov=$TEST_TMP/ov
# Leave null_blk as found: later tests load it with their own parameters.
nullb_was_loaded=0
[ -d /sys/module/null_blk ] && nullb_was_loaded=1
mounted=()
maps=()
cleanup() {
	local m
	for m in "${maps[@]}"; do dmsetup remove "$m" >/dev/null 2>&1 || true; done
	nullb_remove inst1 2>/dev/null || true
	nullb_remove inst0 2>/dev/null || true
	[ "$nullb_was_loaded" = 1 ] || modprobe -r null_blk 2>/dev/null || true
	for m in dm_least_blocks dm_weighted_paths; do
		[ -d "/sys/module/$m" ] && rmmod "$m" 2>/dev/null
	done
	for ((m = ${#mounted[@]} - 1; m >= 0; m--)); do umount "${mounted[m]}" 2>/dev/null || true; done
	rm -f /etc/modules-load.d/dm-ps-weighted.conf
	rm -rf /var/lib/dm-ps-weighted
}
trap cleanup EXIT

now_cs() { local u _; read -r u _ </proc/uptime; u=${u/./}; echo $((10#$u)); }
secs() { local d=$(( $(now_cs) - $1 )); echo "$((d / 100)).$(printf %02d $((d % 100)))s"; }
loaded() { [ -d "/sys/module/${1//-/_}" ]; }

# Start with neither selector loaded (earlier tests insmod them).
for m in dm_least_blocks dm_weighted_paths; do
	if loaded "$m"; then rmmod "$m" || die "rmmod $m (left in use by an earlier test?)"; fi
done
modprobe -r dm-multipath 2>/dev/null || true	# then the table loads it too

n=0
for d in "/lib/modules/$KVER" /usr/sbin /usr/share/man /lib/udev/rules.d; do
	n=$((n + 1))
	mkdir -p "$ov/u$n" "$ov/w$n"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$ov/u$n,workdir=$ov/w$n" "$d" ||
		die "overlay on $d"
	mounted+=("$d")
done

# The modules (with their dependencies) this test loads, from the
# original index.
base=()
for m in dm-multipath null_blk; do
	while read -r w f _; do
		[ "$w" = insmod ] && base+=("$f")
	done < <(modprobe --show-depends "$m")
done
[ ${#base[@]} -ge 2 ] || die "modprobe --show-depends found no dm-multipath/null_blk"
mini_depmod() { # [our .ko files]
	depmod "$KVER" "${base[@]}" "$@" || die "depmod $KVER (partial) failed"
}

t=$(now_cs)
DEPMOD=0 "$REPO/scripts/install.sh" install --kver "$KVER" >"$TEST_TMP/install.log" 2>&1 ||
	{ cat "$TEST_TMP/install.log"; die "scripts/install.sh install failed"; }
mini_depmod "/lib/modules/$KVER/updates/dm-least-blocks.ko" "/lib/modules/$KVER/updates/dm-weighted-paths.ko"
log "install + partial depmod: $(secs "$t")"
sed 's/^/# /' "$TEST_TMP/install.log"
for f in "/lib/modules/$KVER/updates/dm-least-blocks.ko" "/lib/modules/$KVER/updates/dm-weighted-paths.ko" \
	/usr/sbin/abpath /usr/share/man/man8/abpath.8 /usr/share/man/man7/dm-ps-weighted.7 \
	/etc/modules-load.d/dm-ps-weighted.conf /var/lib/dm-ps-weighted/manifest \
	/lib/udev/rules.d/60-abpath.rules; do
	[ -f "$f" ] || die "not installed: $f"
done
[ -x /usr/sbin/abpath ] || die "/usr/sbin/abpath is not executable"
grep -q 'RUN+="/usr/sbin/abpath conf --refresh' /lib/udev/rules.d/60-abpath.rules ||
	die "60-abpath.rules does not run the installed abpath: $(grep RUN /lib/udev/rules.d/60-abpath.rules)"

# depmod indexed the modules and the priority alias.
for name in dm-least-blocks dm-weighted-paths dm-weighted-paths-priority; do
	p=$(modprobe -n -v "$name" 2>&1 | awk '/^insmod/ { f = $2 } END { print f }')
	case $p in
	*/updates/dm-least-blocks.ko | */updates/dm-weighted-paths.ko) log "modprobe -n $name -> $p" ;;
	*) die "modprobe -n -v $name does not resolve to updates/: '$p'" ;;
	esac
done

d0=$(nullb_create inst0 16)
d1=$(nullb_create inst1 16)
n0=$(devnum "$d0")
n1=$(devnum "$d1")
sectors=$((16 * 2048))

# mk NAME SELECTOR-AND-ARGS W0 W1: create a two-path map, read through it.
mk() {
	local name=$1 sel=$2 tab
	tab="0 $sectors multipath 0 0 1 1 $sel 2 1 $n0 $3 $n1 $4"
	dmsetup create "$name" --table "$tab" || die "dmsetup create $name: $tab"
	maps+=("$name")
	dd if="/dev/mapper/$name" of=/dev/null bs=64k count=16 iflag=direct status=none ||
		die "read through $name failed"
	got=$(dmsetup table "$name")
	got=${got% }
	[ "$got" = "$tab" ] || die "table read-back of $name: '$got', want '$tab'"
}
rm_map() { dmsetup remove "$1" || die "dmsetup remove $1"; maps=("${maps[@]/$1/}"); }

loaded dm-least-blocks && die "dm-least-blocks loaded before any table named it"
mk inst_lb "least-blocks 0" 3 1
loaded dm-least-blocks || die "least-blocks table did not auto-load dm-least-blocks"
loaded dm-weighted-paths && die "dm-weighted-paths loaded though no table named it"
log "least-blocks table auto-loaded dm-least-blocks ($(modinfo -F filename dm-least-blocks))"

mk inst_wp "weighted-paths-priority 0" 10 20
loaded dm-weighted-paths || die "weighted-paths-priority table did not auto-load dm-weighted-paths"
log "weighted-paths-priority table auto-loaded dm-weighted-paths via its alias"
rm_map inst_wp
rm_map inst_lb

# Boot-time preload: what systemd-modules-load does with the installed file
# (no systemd in the guest: modprobe each name it lists).
rmmod dm_weighted_paths dm_least_blocks || die "rmmod after the auto-load test"
names=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' /etc/modules-load.d/dm-ps-weighted.conf | tr '\n' ' ')
names=${names% }
[ "$names" = "dm-least-blocks dm-weighted-paths" ] || die "modules-load.d lists '$names'"
for name in $names; do
	modprobe "$name" || die "modprobe $name (from modules-load.d) failed"
	loaded "$name" || die "$name not loaded after modprobe"
done
log "modules-load.d names load: $names"
# With the selectors preloaded a table needs no request_module at all.
mk inst_pre "weighted-paths 1 proportional" 1 3
rm_map inst_pre
rmmod dm_weighted_paths dm_least_blocks || die "rmmod after the preload test"

t=$(now_cs)
DEPMOD=0 "$REPO/scripts/install.sh" uninstall >"$TEST_TMP/uninstall.log" 2>&1 ||
	{ cat "$TEST_TMP/uninstall.log"; die "scripts/install.sh uninstall failed"; }
mini_depmod
log "uninstall + partial depmod: $(secs "$t")"
for f in "/lib/modules/$KVER/updates/dm-least-blocks.ko" "/lib/modules/$KVER/updates/dm-weighted-paths.ko" \
	/usr/sbin/abpath /usr/share/man/man7/dm-ps-weighted.7 /etc/modules-load.d/dm-ps-weighted.conf \
	/var/lib/dm-ps-weighted/manifest /lib/udev/rules.d/60-abpath.rules; do
	[ ! -e "$f" ] || die "left after uninstall: $f"
done
if modprobe -n dm-least-blocks 2>/dev/null; then
	die "modprobe still finds dm-least-blocks after uninstall + depmod"
fi
log "uninstalled; modprobe no longer finds the selectors"
