#!/bin/bash
# DKMS helper (make dkms-install / dkms-uninstall; tests/install/run.sh).
#
#   scripts/dkms.sh source DIR     copy the module sources DKMS needs into DIR
#                                  (normally /usr/src/dm-ps-weighted-VERSION)
#   scripts/dkms.sh install [KVER...]
#                                  source /usr/src/dm-ps-weighted-VERSION, then
#                                  dkms add, build, install for each KVER
#                                  (default: the running kernel)
#   scripts/dkms.sh uninstall      dkms remove --all, rm the /usr/src copy
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
name=dm-ps-weighted
version=$(cat "$top/VERSION")

die() { echo "dkms: $*" >&2; exit 1; }

grep -qx "PACKAGE_VERSION=\"$version\"" "$top/dkms.conf" ||
	die "dkms.conf PACKAGE_VERSION differs from VERSION ($version)"

stage() { # DIR
	local d=$1
	mkdir -p "$d/kernel" "$d/dm-ps-weighted" "$d/scripts"
	cp "$top/dkms.conf" "$top/Kbuild" "$top/VERSION" "$top/COPYING" "$d/"
	cp "$top/scripts/abi-check.sh" "$top/scripts/abi-btf.pl" "$d/scripts/"	# the ABI guard
	cp "$top"/kernel/*.[ch] "$d/kernel/"
	cp "$top"/dm-ps-weighted/*.[ch] "$d/dm-ps-weighted/"
}

case ${1:-} in
source)
	[ -n "${2:-}" ] || die "usage: scripts/dkms.sh source DIR"
	stage "$2" ;;
install)
	shift
	command -v dkms >/dev/null || die "dkms not installed (apt-get install dkms)"
	src=/usr/src/$name-$version
	[ $# -gt 0 ] || set -- "$(uname -r)"
	if dkms status -m "$name" -v "$version" | grep -q .; then
		dkms remove -m "$name" -v "$version" --all
	fi
	rm -rf "$src"
	stage "$src"
	dkms add -m "$name" -v "$version"
	for k in "$@"; do
		dkms build -m "$name" -v "$version" -k "$k"
		dkms install -m "$name" -v "$version" -k "$k"
	done
	dkms status -m "$name" ;;
uninstall)
	command -v dkms >/dev/null || die "dkms not installed"
	if dkms status -m "$name" -v "$version" | grep -q .; then
		dkms remove -m "$name" -v "$version" --all
	fi
	rm -rf "/usr/src/$name-$version" ;;
*)
	die "usage: scripts/dkms.sh source DIR | install [KVER...] | uninstall" ;;
esac
