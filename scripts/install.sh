#!/bin/bash
# Install or uninstall dm-ps-weighted (called by `make install` / `make uninstall`).
#
#   scripts/install.sh install   --kver KVER [--destdir DIR] [--prefix /usr]
#   scripts/install.sh uninstall [--destdir DIR]
#
# install copies, from an already built tree (`make` first):
#   build/ko/KVER/dm-*.ko   -> /lib/modules/KVER/updates/       (then depmod KVER)
#   userspace/abpath        -> PREFIX/sbin/abpath
#   userspace/abpath.8, man/dm-ps-weighted.7 -> PREFIX/share/man/man{8,7}/
#   debian/abpath.udev      -> /lib/udev/rules.d/60-abpath.rules (abpath's
#                              path: PREFIX/sbin; the Debian package's name)
#   dm-ps-weighted.conf     -> /etc/modules-load.d/  (preload both selectors)
# and records every file and every directory it created in the manifest
# DESTDIR/var/lib/dm-ps-weighted/manifest ("f PATH" / "d PATH" / "k KVER"
# lines, paths without DESTDIR).  Installing for a second kernel adds to it.
#
# uninstall removes exactly the manifest's files, then the directories the
# install created if they are empty, then the manifest, and runs depmod for
# every kernel it installed modules for.
#
# With DESTDIR set (staging, packaging) depmod is not run: the package's
# postinst or the admin runs `depmod KVER` on the target.  DEPMOD=0 skips
# it too, DEPMOD=1 forces `depmod -b DESTDIR KVER` (needs the kernel's
# modules.order etc. under DESTDIR).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "install: $*" >&2; exit 1; }

action=${1:-}
[ $# -gt 0 ] && shift
kver="" destdir=${DESTDIR:-} prefix=${PREFIX:-/usr}
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--destdir) destdir=${2?}; shift 2 ;;
	--prefix) prefix=${2:?}; shift 2 ;;
	*) die "unknown argument $1" ;;
	esac
done
destdir=${destdir%/}
manifest_rel=/var/lib/dm-ps-weighted/manifest
manifest=$destdir$manifest_rel
modules_conf=/etc/modules-load.d/dm-ps-weighted.conf
modules=(dm-least-blocks dm-weighted-paths)

want_depmod() {
	case ${DEPMOD:-} in
	0) return 1 ;;
	1) return 0 ;;
	esac
	[ -z "$destdir" ]
}

run_depmod() { # KVER
	want_depmod || { echo "install: DESTDIR or DEPMOD=0: not running depmod $1 (run 'depmod $1' on the target)"; return 0; }
	command -v depmod >/dev/null || die "depmod not found (install kmod)"
	if [ -n "$destdir" ]; then
		depmod -b "$destdir" "$1"
	elif [ -d "/lib/modules/$1/kernel" ]; then
		depmod -a "$1"
	else
		echo "install: /lib/modules/$1 has no kernel: not running depmod"
	fi
}

# The manifest, kept sorted and unique.
record() { # LINE...
	mkdir -p "${manifest%/*}"
	{ [ -f "$manifest" ] && cat "$manifest"; printf '%s\n' "$@"; } | sort -u >"$manifest.new"
	mv "$manifest.new" "$manifest"
}

# mkdirs DIR: create DIR (without DESTDIR) and its missing parents;
# print the ones created, outermost first.
mkdirs() {
	local d=$1 missing=()
	while [ -n "$d" ] && [ "$d" != / ] && [ ! -d "$destdir$d" ]; do
		missing=("$d" "${missing[@]}")
		d=${d%/*}
	done
	for d in "${missing[@]}"; do
		mkdir -m 0755 "$destdir$d"
		echo "d $d"
	done
}

created=()
put() { # MODE SRC DEST(without DESTDIR)
	local mode=$1 src=$2 dst=$3 l
	[ -f "$src" ] || die "$src missing: run 'make' first"
	while read -r l; do [ -n "$l" ] && created+=("$l"); done < <(mkdirs "${dst%/*}")
	install -m "$mode" "$src" "$destdir$dst"
	created+=("f $dst")
	echo "  $dst"
}

do_install() {
	[ -n "$kver" ] || die "install needs --kver KVER (make install KVER=...)"
	local ko=$top/build/ko/$kver m tmp
	[ -d "$ko" ] || die "no modules built for $kver in $ko: run 'make KVER=$kver' first"
	# The ABI guard's verdict for this kernel (the build ran it; runs it if not).
	"$top/scripts/abi-check.sh" --require --kver "$kver" || die "not installing for $kver (ABI check refused)"
	[ -z "$destdir" ] || mkdir -p "$destdir"
	# The manifest's own directory first, so that its "d" lines are recorded.
	while read -r l; do [ -n "$l" ] && created+=("$l"); done < <(mkdirs "${manifest_rel%/*}")
	echo "install: into ${destdir:-/} (kernel $kver)"
	for m in "${modules[@]}"; do
		put 0644 "$ko/$m.ko" "/lib/modules/$kver/updates/$m.ko"
	done
	put 0755 "$top/userspace/abpath" "$prefix/sbin/abpath"
	put 0644 "$top/userspace/abpath.8" "$prefix/share/man/man8/abpath.8"
	put 0644 "$top/man/dm-ps-weighted.7" "$prefix/share/man/man7/dm-ps-weighted.7"
	tmp=$(mktemp)
	sed "s|/usr/sbin/abpath|$prefix/sbin/abpath|" "$top/debian/abpath.udev" >"$tmp"
	put 0644 "$tmp" /lib/udev/rules.d/60-abpath.rules
	{
		echo "# dm-ps-weighted: load the multipath path selectors at boot so"
		echo "# that multipathd finds them (Debian preloads only dm-multipath)."
		printf '%s\n' "${modules[@]}"
	} >"$tmp"
	put 0644 "$tmp" "$modules_conf"
	rm -f "$tmp"
	record "${created[@]}" "k $kver" "f $manifest_rel"
	run_depmod "$kver"
	echo "install: manifest $manifest"
}

do_uninstall() {
	[ -f "$manifest" ] || die "no manifest $manifest: nothing installed (or installed with another DESTDIR)"
	local kind path kvers=() dirs=()
	while read -r kind path; do
		case $kind in
		f) [ "$path" = "$manifest_rel" ] && continue
		   if [ -e "$destdir$path" ] || [ -L "$destdir$path" ]; then
			rm -f "$destdir$path"
			echo "  removed $path"
		   fi ;;
		d) dirs+=("$path") ;;
		k) kvers+=("$path") ;;
		*) die "bad manifest line: $kind $path" ;;
		esac
	done <"$manifest"
	rm -f "$manifest"
	# Directories the install created, deepest first, if now empty.
	local d
	while read -r d; do
		[ -n "$d" ] || continue
		if rmdir "$destdir$d" 2>/dev/null; then echo "  removed $d/"; fi
	done < <(printf '%s\n' "${dirs[@]}" | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-)
	for d in "${kvers[@]}"; do
		run_depmod "$d"
	done
	echo "install: uninstalled from ${destdir:-/}"
}

case $action in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: scripts/install.sh install --kver KVER [--destdir DIR] | uninstall [--destdir DIR]" ;;
esac
