#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The ABI guard, run before every build (scripts/build-modules.sh, DKMS
# PRE_BUILD and MAKE, make install): compare our declaration of dm-multipath's
# private selector interface (kernel/psw_abi.h) with the TARGET kernel's own,
# read from its BTF, and refuse on any difference.
#
#   scripts/abi-check.sh [--kver KVER] [--kdir DIR] [options]
#     --kver KVER      target kernel (default: from --kdir, else uname -r)
#     --kdir DIR       its kbuild dir (default /lib/modules/KVER/build)
#     --work DIR       scratch and verdict dir (default build/abi-btf/KVER)
#     --btf FILE       read the kernel side from FILE (raw BTF or ELF with
#                      .BTF) instead of finding dm-multipath.ko; --base FILE
#                      is its base BTF if FILE is split BTF (self-tests)
#     --no-source-fallback   without BTF, refuse instead of falling back to
#                      the linux-source comparison (tests/abi/run.sh)
#     --require        DKMS MAKE: succeed only if the verdict of an earlier
#                      run (PRE_BUILD) for KVER is "ok"; run the check if none
#
# Kernel side: struct dm_path, path_selector, path_selector_type and the
# prototypes of dm_register_path_selector/dm_unregister_path_selector from
# the BTF of /lib/modules/KVER/kernel/drivers/md/dm-multipath.ko (split BTF:
# base = /sys/kernel/btf/vmlinux when KVER is running, else KDIR/vmlinux
# (Debian's 6.12 headers ship a BTF-only vmlinux), a debug vmlinux, or the
# .BTF of the vmlinux unpacked from /boot/vmlinuz-KVER).
# Our side: every struct and function kernel/psw_abi.h declares, compiled
# against KDIR with -g into a probe object and converted to BTF by pahole.
# Both go through scripts/abi-btf.pl (size, member order, offsets, member
# types, function-pointer and function prototypes, typedefs used) and are
# compared with diff.  Exit 0: identical; 1: refused (message on stderr).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
me=abi-check

kver='' kdir='' work='' btf='' base='' mod='' fallback=1 require=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--kdir) kdir=${2:?}; shift 2 ;;
	--work) work=${2:?}; shift 2 ;;
	--btf) btf=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	--no-source-fallback) fallback=0; shift ;;
	--require) require=1; shift ;;
	*) echo "$me: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -z "$kver" ]; then
	if [ -n "$kdir" ]; then
		case $(readlink -f "$kdir") in
		/usr/src/linux-headers-*) kver=$(basename "$(readlink -f "$kdir")") kver=${kver#linux-headers-} ;;
		*) kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null) || kver= ;;
		esac
	fi
	kver=${kver:-$(uname -r)}
fi
kdir=${kdir:-/lib/modules/$kver/build}
work=${work:-$top/build/abi-btf/$kver}
mkdir -p "$work" || exit 1
verdict=$work/verdict

refuse() {
	{
		echo "$me: REFUSED: not building dm-ps-weighted for kernel $kver."
		printf '%s\n' "$@"
	} | tee "$verdict" >&2
	exit 1
}

if [ "$require" = 1 ] && [ -f "$verdict" ]; then
	if [ "$(head -n 1 "$verdict")" = ok ]; then
		echo "$me: $kver: ABI checked before the build: $(sed -n 2p "$verdict")"
		exit 0
	fi
	cat "$verdict" >&2
	exit 1
fi
rm -f "$verdict"

# No BTF to read: today's comparison with the kernel series' source, where
# the tree and Debian's linux-source package are there (make, not DKMS).
no_btf() { # REASON
	local series
	series=$(echo "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	if [ -f "$kdir/drivers/md/dm-path-selector.h" ]; then
		what="the source tree $kdir"	# a full kernel tree: its own headers
	else
		what=linux-source-$series
	fi
	if [ "$fallback" = 1 ] && [ -x "$top/tests/abi/run.sh" ] &&
		{ [ -f "/usr/src/linux-source-$series.tar.xz" ] || [ "$what" != "linux-source-$series" ]; }; then
		echo "$me: $kver: $1; falling back to the comparison with $what" >&2
		if "$top/tests/abi/run.sh" "$kver" "$series" "$kdir" >"$work/source-check.log" 2>&1; then
			printf 'ok\n%s\n' "source comparison with $what (no BTF: $1)" >"$verdict"
			echo "$me: $kver: psw_abi.h matches $what (no BTF: $1)"
			exit 0
		fi
		refuse "$1, and psw_abi.h differs from $what:" "$(cat "$work/source-check.log")"
	fi
	refuse "$1." \
		"The ABI guard reads dm-multipath's structures from the kernel's BTF" \
		"(CONFIG_DEBUG_INFO_BTF_MODULES, as in Debian's kernels) and will not build blind."
}

command -v pahole >/dev/null ||
	no_btf "pahole is not installed (apt-get install pahole; Debian: package pahole or dwarves)"
[ -f "$kdir/Makefile" ] || refuse "No kernel build dir $kdir (install linux-headers-$kver)."

# ---- the kernel's side -------------------------------------------------------
has_btf() { # FILE: raw BTF, or ELF with a .BTF section
	[ -s "$1" ] || return 1
	[ "$(od -An -tx1 -N2 "$1" | tr -d ' ')" = 9feb ] && return 0
	LC_ALL=C readelf -S -W "$1" 2>/dev/null | grep -q ' \.BTF  *PROGBITS'
}

unpack() { # FILE OUT: decompress FILE (.ko, .ko.xz, .ko.zst, .ko.gz) to OUT
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -q -dc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# vmlinux out of /boot/vmlinuz-KVER, the way scripts/extract-vmlinux does it:
# try every compressed stream the image holds until one is an ELF file.
extract_vmlinux() { # IMAGE OUT
	local img=$1 out=$2 magic cmd off
	for magic in '\xfd7zXZ\x00:xz -dc' '\x28\xb5\x2f\xfd:zstd -q -dc' '\x1f\x8b\x08:gzip -dc' \
		'\x5d\x00\x00\x00:xz -F lzma -dc' '\x89\x4c\x5a:lzop -dc' '\x02\x21\x4c\x18:lz4 -dc' \
		'BZh:bzip2 -dc'; do
		cmd=${magic#*:}
		command -v "${cmd%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$img" 2>/dev/null | cut -d: -f1 | head -n 5); do
			# shellcheck disable=SC2086
			tail -c "+$((off + 1))" "$img" | $cmd >"$out" 2>/dev/null
			[ "$(head -c 4 "$out" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && return 0
		done
	done
	rm -f "$out"
	return 1
}

find_base() { # -> path of vmlinux BTF for KVER (raw or ELF), or nothing
	local f cache=$work/vmlinux.btf img=/boot/vmlinuz-$kver
	if [ "$kver" = "$(uname -r)" ] && [ -r /sys/kernel/btf/vmlinux ]; then
		echo /sys/kernel/btf/vmlinux; return
	fi
	for f in "$kdir/vmlinux" "/usr/lib/debug/boot/vmlinux-$kver" "/usr/lib/debug/lib/modules/$kver/vmlinux"; do
		has_btf "$f" && { echo "$f"; return; }
	done
	if [ -s "$cache" ] && [ -f "$img" ] && [ "$cache" -nt "$img" ]; then
		echo "$cache"; return
	fi
	[ -r "$img" ] || return 0
	if extract_vmlinux "$img" "$work/vmlinux.elf" && has_btf "$work/vmlinux.elf" &&
		objcopy -O binary --only-section=.BTF "$work/vmlinux.elf" "$cache" && has_btf "$cache"; then
		rm -f "$work/vmlinux.elf"
		echo "$cache"
	fi
	rm -f "$work/vmlinux.elf"
}

structs=$(sed -n 's/^struct \([a-z_0-9]*\) {.*/\1/p' "$top/kernel/psw_abi.h" | paste -sd, -)
funcs=$(sed -n 's/^[a-z].*[ *]\([a-z_0-9]*\)(.*);$/\1/p' "$top/kernel/psw_abi.h" | paste -sd, -)
if [ -z "$structs" ] || [ -z "$funcs" ]; then
	refuse "Cannot find the declarations in kernel/psw_abi.h."
fi

src=
if [ -n "$btf" ]; then
	src=$btf
else
	mod=
	for f in "/lib/modules/$kver/kernel/drivers/md/dm-multipath.ko"{,.xz,.zst,.gz} \
		"$kdir/drivers/md/dm-multipath.ko"; do
		[ -f "$f" ] && { mod=$f; break; }
	done
	if [ -n "$mod" ]; then
		unpack "$mod" "$work/dm-multipath.ko" || refuse "Cannot unpack $mod."
		has_btf "$work/dm-multipath.ko" || no_btf "$mod has no BTF"
		src=$work/dm-multipath.ko
		base=$(find_base)
		[ -n "$base" ] || no_btf "no vmlinux BTF for $kver (tried /sys/kernel/btf/vmlinux if running, $kdir/vmlinux, /usr/lib/debug, /boot/vmlinuz-$kver)"
	elif [ "$kver" = "$(uname -r)" ] && [ -r /sys/kernel/btf/dm_multipath ]; then
		mod=/sys/kernel/btf/dm_multipath src=$mod base=/sys/kernel/btf/vmlinux
	elif grep -q '^CONFIG_DM_MULTIPATH=y' "$kdir/.config" 2>/dev/null; then
		src=$(find_base)	# built in: the structures are in vmlinux's BTF
		[ -n "$src" ] || no_btf "dm-multipath is built in and there is no vmlinux BTF for $kver"
		mod="vmlinux ($src)"
	else
		refuse "No dm-multipath module for $kver (/lib/modules/$kver/kernel/drivers/md/dm-multipath.ko*):" \
			"the selectors need it."
	fi
fi
if ! perl "$top/scripts/abi-btf.pl" ${base:+--base "$base"} --structs "$structs" --funcs "$funcs" \
	"$src" >"$work/kernel.txt" 2>"$work/kernel.err"; then
	if grep -q 'no .BTF section' "$work/kernel.err"; then
		no_btf "$(sed 's/^abi-btf: //' "$work/kernel.err")"
	fi
	refuse "Reading the kernel's BTF (${mod:-$src}${base:+, base $base}) failed:" "$(cat "$work/kernel.err")"
fi

printf '%s\n%s\n' "$src" "$base" >"$work/kernel.src"	# for tests/abi/btf-selftest.sh

# ---- our side ----------------------------------------------------------------
# psw_abi.h compiled against KDIR with -g, turned into BTF by pahole, read
# back the same way; rebuilt only when psw_abi.h or KDIR changed.
p=$work/probe
build_ours() {
	rm -rf "$p" "$work/ours.txt"
	mkdir -p "$p"
	cp "$top/kernel/psw_abi.h" "$p/"
	{
		echo '// SPDX-License-Identifier: GPL-2.0-only'
		echo '/* Generated by scripts/abi-check.sh: every declaration of psw_abi.h. */'
		echo '#include "psw_abi.h"'
		echo 'struct psw_abi_funcs {'
		for f in ${funcs//,/ }; do echo "	typeof(&$f) $f;"; done
		echo '};'
		for s in ${structs//,/ }; do echo "struct $s psw_abi_probe_$s;"; done
		echo 'struct psw_abi_funcs psw_abi_probe_funcs;'
	} >"$p/psw_abi_probe.c"
	echo 'obj-m := psw_abi_probe.o' >"$p/Kbuild"
	make -C "$kdir" M="$p" KCFLAGS="-g -DPSW_ABI_BTF_CHECKED" psw_abi_probe.o >"$p/build.log" 2>&1 ||
		refuse "Cannot compile kernel/psw_abi.h against $kdir:" "$(cat "$p/build.log")"
	if ! pahole -J --btf_encode_detached="$p/ours.btf" "$p/psw_abi_probe.o" >"$p/pahole.log" 2>&1 ||
		! perl "$top/scripts/abi-btf.pl" --structs "$structs" --funcs-from-struct psw_abi_funcs \
			"$p/ours.btf" >"$work/ours.txt" 2>>"$p/pahole.log"; then
		rm -f "$work/ours.txt"
		refuse "Cannot read our declaration back from BTF (pahole):" "$(cat "$p/pahole.log")"
	fi
}
key=$({
	cat "$top/kernel/psw_abi.h" "$top/scripts/abi-check.sh" "$top/scripts/abi-btf.pl"
	readlink -f "$kdir"
	stat -L -c '%n %s %Y' "$kdir/Makefile" "$kdir/.config" "$kdir/include/generated/autoconf.h" 2>&1
} | md5sum)
if [ ! -s "$work/ours.txt" ] || [ "$(cat "$p/key" 2>/dev/null)" != "$key" ]; then
	build_ours
	echo "$key" >"$p/key"
fi

# ---- compare -----------------------------------------------------------------
# One accepted difference: dm_unregister_path_selector() returning void
# (mainline ~6.17); psw_abi.h declares it int and we never use its value.
cp "$work/kernel.txt" "$work/kernel.cmp"
note=
u='func dm_unregister_path_selector: '
if grep -qxF "${u}void dm_unregister_path_selector(struct path_selector_type *)" "$work/kernel.txt" &&
	grep -qxF "${u}int dm_unregister_path_selector(struct path_selector_type *)" "$work/ours.txt"; then
	sed -i "s/^${u}void /${u}int /" "$work/kernel.cmp"
	note=" (dm_unregister_path_selector returns void here: accepted, its value is never used)"
fi
if ! diff -U 0 --label "kernel $kver (${mod:-$src})" --label "ours (kernel/psw_abi.h)" \
	"$work/kernel.cmp" "$work/ours.txt" >"$work/diff"; then
	refuse "kernel/psw_abi.h does not match the layout or the prototypes of this kernel's" \
		"dm-multipath (read from its BTF${base:+, base $base}); differences (- kernel, + ours):" \
		"$(sed -n '3,$p' "$work/diff" | grep -v '^@@')" \
		"dm would call our modules through misplaced or mistyped function pointers."
fi
n=$(grep -c '^struct .* size ' "$work/ours.txt")
m=$(grep -c '^func ' "$work/ours.txt")
what="$n structs, $m functions identical in ${mod:-$src}'s BTF${base:+ (base $base)}$note"
printf 'ok\n%s\n' "$what" >"$verdict"
echo "$me: $kver: psw_abi.h matches: $what"
exit 0
