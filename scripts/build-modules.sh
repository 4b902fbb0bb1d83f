#!/bin/bash
# Build both selector modules for one kernel, warning-free at W=1.
#   scripts/build-modules.sh [--kdir DIR | KVER]
# Sources are copied to build/obj/KVER/ so that several kernels can be
# built from one tree; the modules land in build/ko/KVER/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

kdir=
kver=
if [ "${1:-}" = "--kdir" ]; then
	kdir=$2
	# Name the build after the kernel the headers belong to: Debian's 6.1
	# headers say "6.1.192" in kernel.release, not "6.1.0-56-amd64".
	case $(readlink -f "$kdir") in
	/usr/src/linux-headers-*) kver=$(basename "$(readlink -f "$kdir")") kver=${kver#linux-headers-} ;;
	*) kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null) ||
		{ echo "build-modules: $kdir is not a configured kernel build dir" >&2; exit 1; } ;;
	esac
else
	kver=${1:-$(uname -r)}
	kdir=/lib/modules/$kver/build
fi
[ -f "$kdir/Makefile" ] || { echo "build-modules: no kernel build dir $kdir (install linux-headers-$kver)" >&2; exit 1; }

# The ABI guard: refuse unless kernel/psw_abi.h matches the target kernel's
# own dm-multipath structures, read from its BTF (scripts/abi-check.sh).
"$top/scripts/abi-check.sh" --kver "$kver" --kdir "$kdir" || exit 1

obj=$top/build/obj/$kver
ko=$top/build/ko/$kver
mkdir -p "$obj" "$ko"
# Copy only what changed so that kbuild's dependency tracking still works.
cp -u "$top/Kbuild" "$top/VERSION" "$obj/"
mkdir -p "$obj/kernel" "$obj/dm-ps-weighted"
cp -u "$top"/kernel/*.[ch] "$obj/kernel/"
cp -u "$top"/dm-ps-weighted/*.[ch] "$obj/dm-ps-weighted/"

log=$obj/build.log
if ! make -C "$kdir" M="$obj" W=1 ${C:+C=$C} KCFLAGS=-DPSW_ABI_BTF_CHECKED modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-modules: build failed for $kver" >&2
	exit 1
fi
if grep -E -i 'warning:|error:' "$log" >&2; then
	echo "build-modules: warnings while building for $kver (see above)" >&2
	exit 1
fi
cp "$obj"/dm-least-blocks.ko "$obj"/dm-weighted-paths.ko "$ko/"
for m in dm-least-blocks dm-weighted-paths; do
	v=$(modinfo -F version "$ko/$m.ko") || v=
	[ "$v" = "$(cat "$top/VERSION")" ] ||
		{ echo "build-modules: $m.ko says version '$v', VERSION says $(cat "$top/VERSION")" >&2; exit 1; }
done
echo "build-modules: $kver: $(cd "$ko" && echo *.ko)"
