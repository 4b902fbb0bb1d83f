#!/bin/bash
# Build a deliberately broken ("mutant") copy of the selector modules, to
# show that a test catches the bug it is written for (scripts/mutants.sh).
#   scripts/build-mutant.sh NAME KVER
# Copies Kbuild, kernel/ and dm-ps-weighted/ to build/mutant/NAME/KVER/,
# applies tests/mutants/NAME.patch (patch -p1, no fuzz: a patch that no
# longer applies fails the build, it is never built half-applied), builds
# with the kernel's kbuild like scripts/build-modules.sh (no W=1: a mutant
# may leave an unused variable) and puts the modules in
# build/ko-mutant/NAME/KVER/.  A guest loads them with
#   --env PSW_KO_DIR=build/ko-mutant/NAME/KVER   (tests/vm/lib.sh, mp.sh)
# Env MUTANT_BASE=REV: take the sources from git revision REV instead of
# the working tree; a NAME without a patch then builds REV unpatched (e.g.
# MUTANT_BASE=bac37ca scripts/build-mutant.sh pre-fix KVER).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: build-mutant.sh NAME KVER}
kver=${2:?usage: build-mutant.sh NAME KVER}
# (the debug kernels' build dirs are in their caches: scripts/vm-lib.sh)
# shellcheck source=scripts/vm-lib.sh
. "$top/scripts/vm-lib.sh"
kdir=$(vm_kdir "$kver")
[ -f "$kdir/Makefile" ] || { echo "build-mutant: no kernel build dir $kdir" >&2; exit 1; }
patch=$top/tests/mutants/$name.patch
if [ ! -f "$patch" ] && [ -z "${MUTANT_BASE:-}" ]; then
	echo "build-mutant: no $patch" >&2
	exit 1
fi
src=$top/build/mutant/$name/$kver
ko=$top/build/ko-mutant/$name/$kver
rm -rf "$src" "$ko"
mkdir -p "$src" "$ko"
if [ -n "${MUTANT_BASE:-}" ]; then
	git -C "$top" archive "$MUTANT_BASE" Kbuild kernel dm-ps-weighted | tar -x -C "$src"
	[ -e "$src/VERSION" ] || cp "$top/VERSION" "$src/"
else
	cp -r "$top/Kbuild" "$top/VERSION" "$top/kernel" "$top/dm-ps-weighted" "$src/"
fi
if [ -f "$patch" ]; then
	patch -s -p1 -F0 -d "$src" <"$patch" || { echo "build-mutant: $name.patch does not apply" >&2; exit 1; }
fi
log=$src/build.log
if ! make -C "$kdir" M="$src" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-mutant: build of $name failed for $kver" >&2
	exit 1
fi
cp "$src"/dm-least-blocks.ko "$src"/dm-weighted-paths.ko "$ko/"
echo "ok - mutant $name built for $kver ($ko)"
