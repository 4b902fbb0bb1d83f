#!/bin/bash
# ABI guard test: compare sizeof/offsetof of every member of the private
# path-selector structures in kernel/psw_abi.h with the real headers of the
# matching Debian linux-source, built with the kernel's own flags.  Then
# prove the comparison can fail: move one member in a copy of our header
# and expect a mismatch.  Prints TAP lines.
#   tests/abi/run.sh KVER SERIES [KDIR]   e.g. 6.1.0-56-amd64 6.1
# KDIR (default /lib/modules/KVER/build): a full kernel tree is its own
# source (scripts/abi-check.sh falls back to this test where there is no BTF).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=$1
series=$2
kdir=${3:-/lib/modules/$kver/build}
if [ -f "$kdir/drivers/md/dm-path-selector.h" ]; then
	ksrc=$(cd "$kdir" && pwd) series="$series (the tree $kdir)"
else
	ksrc=$("$top/scripts/ksrc.sh" "$series") || { echo "not ok - abi $series: cannot extract linux-source-$series"; exit 1; }
fi
work=$top/build/abi/$kver
rc=0

# dump HEADER_DIR OUT: compile both files, write the markers of each.
dump() {
	local ours=$1 out=$2 f
	rm -rf "$work/src"
	mkdir -p "$work/src" "$out"
	cp "$top"/tests/abi/{Kbuild,abi_fields.h,abi_real.c,abi_ours.c} "$work/src/"
	for f in abi_real abi_ours; do
		if ! make -s -C "$kdir" M="$work/src" ABI_KSRC="$ksrc" ABI_OURS="$ours" "$f.s" \
			>"$out/$f.log" 2>&1; then
			sed 's/^/# /' "$out/$f.log"
			return 1
		fi
		grep -o -- '->ABI [^"]*' "$work/src/$f.s" | sed 's/\$//' >"$out/$f.txt"
	done
	[ -s "$out/abi_real.txt" ] && [ "$(wc -l <"$out/abi_real.txt")" -ge 20 ]
}

if dump "$top/kernel" "$work/good" &&
	diff -u "$work/good/abi_real.txt" "$work/good/abi_ours.txt" >"$work/good.diff" &&
	! grep -q 'signature.* 0$' "$work/good/abi_real.txt"; then
	echo "ok - abi $kver: psw_abi.h matches linux-source-$series ($(wc -l <"$work/good/abi_real.txt") values)"
else
	echo "not ok - abi $kver: psw_abi.h differs from linux-source-$series"
	sed 's/^/# /' "$work/good.diff" 2>/dev/null
	rc=1
fi

# The test of the test: move 'features' behind 'end_io' in a copy.
mkdir -p "$work/moved"
sed -e '/^\tunsigned int features;$/d' \
	-e 's/^\(\t\t      size_t nr_bytes, u64 start_time);\)$/\1\n\tunsigned int features;/' \
	"$top/kernel/psw_abi.h" >"$work/moved/psw_abi.h"
if cmp -s "$top/kernel/psw_abi.h" "$work/moved/psw_abi.h"; then
	echo "not ok - abi $kver: could not make the moved-member copy"
	rc=1
elif dump "$work/moved" "$work/bad" &&
	! diff -q "$work/bad/abi_real.txt" "$work/bad/abi_ours.txt" >/dev/null; then
	echo "ok - abi $kver: a moved member is detected ($(diff "$work/bad/abi_real.txt" "$work/bad/abi_ours.txt" | grep -c '^>') values differ)"
else
	echo "not ok - abi $kver: a moved member went unnoticed"
	rc=1
fi
exit $rc
