#!/bin/bash
# Install every Debian package the build, the unit tests and the VM tests need.
# Idempotent and quiet when everything is present.  Run as root.
#   scripts/deps.sh            install what is missing
#   scripts/deps.sh --list     print the package list and exit
set -euo pipefail

# The guest kernels: Debian's 6.1 metapackage and the newest 6.12 from bookworm.
pick_612() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1 | sed 's/^linux-image-//'
}

base_pkgs=(
	build-essential pkg-config kmod cpio busybox-static
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 linux-source-6.12
	qemu-system-x86 dmsetup libdevmapper-dev libjson-c-dev libcmocka-dev
	fio sparse iproute2 open-iscsi multipath-tools
	xz-utils valgrind gnuplot-nox python3 dkms
	clang libclang-rt-14-dev cppcheck clang-tidy
	linux-headers-rt-amd64 linux-image-rt-amd64
	pahole zstd	# the BTF ABI guard (scripts/abi-check.sh: pahole -J, zstd vmlinuz)
	flex bison bc libelf-dev libssl-dev time patch	# the debug kernels (scripts/debug-kernel.sh)
	debhelper dh-dkms bash-completion lintian dpkg-dev	# make deb, tests/deb
)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

updated=0
apt_update() {
	[ "$updated" = 1 ] && return
	apt-get update -qq >/dev/null
	updated=1
}

v612=$(pick_612)
if [ -z "$v612" ]; then
	apt_update
	v612=$(pick_612)
fi
[ -n "$v612" ] || { echo "deps: no linux-image-6.12.*+deb12-amd64 in the apt lists" >&2; exit 1; }
pkgs=("${base_pkgs[@]}" "linux-image-$v612" "linux-headers-$v612")

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

todo=$(missing "${pkgs[@]}")
[ -z "$todo" ] && exit 0
[ "$(id -u)" = 0 ] || { echo "deps: missing packages and not root: $todo" >&2; exit 1; }
echo "deps: installing:" $todo
apt_update
# Do not let the host's services (iscsid, multipathd) start on install.
export DEBIAN_FRONTEND=noninteractive
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $todo >/tmp/dmpsw-deps.log 2>&1 ||
	{ tail -n 30 /tmp/dmpsw-deps.log >&2; echo "deps: apt-get install failed" >&2; exit 1; }
left=$(missing "${pkgs[@]}")
[ -z "$left" ] || { echo "deps: still missing after install: $left" >&2; exit 1; }
echo "deps: done"
