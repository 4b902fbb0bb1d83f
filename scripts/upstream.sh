#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make upstream: the two selectors as an in-tree patch series against
# Debian's linux-source-6.12, and a check that it builds there.
#
#   scripts/upstream.sh [--check]
#
# Writes build/upstream/series/0001-*.patch (least-blocks) and 0002-*.patch
# (weighted-paths): drivers/md/dm-ps-least-blocks.c and
# dm-ps-weighted-paths.c (one file each, made by scripts/upstream-gen.py
# from dm-ps-weighted/ and kernel/, using the kernel's own
# drivers/md/dm-path-selector.h instead of kernel/psw_abi.h), Kconfig
# entries DM_MULTIPATH_LB / DM_MULTIPATH_WP and Makefile entries.
#
# --check also, with TAP lines:
#   - checkpatch.pl --strict (the tree's own) on the series; ignored:
#     FILE_PATH_CHANGES (new files under drivers/md/dm*, which MAINTAINERS
#     already covers);
#   - applies the series to linux-source-6.12 extracted in
#     build/upstream/linux-source-6.12 (kept between runs; a series
#     applied by an earlier run is reversed first), configures it with
#     Debian's 6.12 config (/boot/config-6.12.*) and both selectors =m,
#     `make prepare` (once), then builds the two objects with the kernel's
#     own kbuild at W=1 with sparse (C=1): any warning fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
check=0
[ "${1:-}" = --check ] && check=1
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || { echo "upstream: $tarball missing (apt-get install linux-source-6.12)" >&2; exit 1; }
up=$top/build/upstream
tree=$up/linux-source-6.12
series=$up/series
gen=$up/gen
mkdir -p "$up"

extract() {
	if [ ! -f "$tree/.psw-extracted" ]; then
		rm -rf "$tree"
		tar -xJf "$tarball" -C "$up"
		touch "$tree/.psw-extracted"
	fi
}

# ---- the series -----------------------------------------------------------
# A scratch git repository holding the two files the series changes, as in
# linux-source-6.12, then one commit per selector; git format-patch.
orig=$up/orig
if [ ! -f "$orig/drivers/md/Kconfig" ]; then
	mkdir -p "$orig"
	if [ -f "$tree/.psw-extracted" ] && [ ! -f "$up/applied/0001.patch" ]; then
		mkdir -p "$orig/drivers/md"
		cp "$tree/drivers/md/Kconfig" "$tree/drivers/md/Makefile" "$orig/drivers/md/"
	else
		tar -xJf "$tarball" -C "$orig" --strip-components=1 \
			linux-source-6.12/drivers/md/Kconfig linux-source-6.12/drivers/md/Makefile
	fi
fi
rm -rf "$gen" "$series"
python3 scripts/upstream-gen.py "$top" "$gen"
repo=$up/repo
rm -rf "$repo"
mkdir -p "$repo/drivers/md"
cp "$orig/drivers/md/Kconfig" "$orig/drivers/md/Makefile" "$repo/drivers/md/"
id="dm-ps-weighted developers"
mail="dm-ps-weighted@example.org"
g() { git -C "$repo" -c user.name="$id" -c user.email="$mail" \
	-c commit.gpgsign=false "$@"; }
g init -q
g add -A
g commit -q -m "linux-source-6.12: drivers/md/Kconfig, Makefile"

# add_selector NAME SYMBOL MODULE FILE TITLE HELP-FILE MESSAGE-FILE
add_selector() {
	local sym=$2 mod=$3 file=$4 title=$5 help=$6 msg=$7
	cp "$gen/drivers/md/$file" "$repo/drivers/md/"
	# Kconfig: after the last path selector before io-affinity
	python3 - "$repo/drivers/md/Kconfig" "$sym" "$title" "$help" <<'EOF'
import sys
path, sym, title, helpf = sys.argv[1:5]
s = open(path).read()
text = "".join("\t  " + ln if ln.strip() else "\n"
               for ln in open(helpf).read().splitlines(True))
entry = ("config %s\n\ttristate \"%s\"\n\tdepends on DM_MULTIPATH\n\thelp\n%s\n"
         "\t  If unsure, say N.\n\n" % (sym, title, text))
anchor = "config DM_MULTIPATH_IOA\n"
assert s.count(anchor) == 1, "no DM_MULTIPATH_IOA in Kconfig"
open(path, "w").write(s.replace(anchor, entry + anchor))
EOF
	python3 - "$repo/drivers/md/Makefile" "$sym" "$mod" "${file%.c}" <<'EOF'
import sys
path, sym, mod, obj = sys.argv[1:5]
s = open(path).read()
a = "dm-service-time-y += dm-ps-service-time.o\n"
b = "obj-$(CONFIG_DM_MULTIPATH_IOA)\t+= dm-io-affinity.o\n"
assert s.count(a) == 1 and s.count(b) == 1, "Makefile anchors missing"
s = s.replace(a, a + "%s-y += %s.o\n" % (mod, obj))
s = s.replace(b, b + "obj-$(CONFIG_%s)\t+= %s.o\n" % (sym, mod))
open(path, "w").write(s)
EOF
	g add -A
	g commit -q -F "$msg"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/lb-help" <<'EOF'
This path selector sends each I/O to the usable path with the
fewest bytes in flight, divided by an optional per-path weight
(the Windows MSDSM "Least Blocks" policy). Counting bytes rather
than requests balances a mix of small and large I/O on paths of
unequal speed. The selector takes no lock per I/O.
EOF
cat >"$tmp/lb-msg" <<EOF
dm mpath: add the least-blocks path selector

least-blocks sends each I/O to the usable path with the fewest bytes in
flight, divided by the path's weight (1..4294967295, default 1): the
Windows MSDSM "Least Blocks" policy.  Loads are compared by 96-bit
cross-multiplication, so there is no division and no overflow.  One
scan per I/O, from a per-CPU rotating start index (ties rotate without
a shared counter); it stops at an idle path of the largest weight.

No lock is taken per I/O: 64-bit atomic counters per path, updated in
start_io and end_io; the in-flight count never goes below 0 (bio mode
can end one I/O twice).  fail_path and reinstate_path change a usable
flag inside a per-selector seqlock, and a lockless scan that found no
usable path scans again until it has seen a state no writer changed:
select_path returns NULL only if no path was usable at one instant.

Table: least-blocks 0 <#paths> 1 <dev> [<weight>] ...
Status per path: INFO in-flight bytes, completed I/Os, completed
bytes, weight; TABLE weight.

Generated from dm-ps-weighted $(cat VERSION) ($(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)).

Signed-off-by: $id <$mail>
EOF
cat >"$tmp/wp-help" <<'EOF'
This path selector distributes I/O by administrator-assigned
weights, in a smooth precomputed schedule (weight 0: standby
path). The "priority" mode uses the path of the lowest weight
and fails over to the next (MSDSM "Weighted Paths"); the "rank"
mode uses the highest weight, for weights from multipathd's
path priorities.
EOF
cat >"$tmp/wp-msg" <<EOF
dm mpath: add the weighted-paths path selector

weighted-paths sends I/O to the paths in proportion to per-path weights
(0..4294967295, 0 = standby), from a precomputed smooth schedule: every
window of W = sum of weights consecutive I/Os gives each path exactly
its weight.  One atomic ticket per I/O; fail and reinstate recompute
the active set and rebuild the schedule in a work item, published with
RCU.  Modes: proportional (default), priority (lowest weight wins, with
failover and failback: MSDSM "Weighted Paths"), rank (highest weight
wins: multipathd's priorities as weights).  Registered as
weighted-paths, weighted-paths-priority and weighted-paths-rank.

As in least-blocks, a lockless pick that found no usable path is
repeated under a seqlock: select_path returns NULL only if no path was
usable at one instant.

Table: weighted-paths <0 | 1 proportional|priority|rank> <#paths> 1
<dev> [<weight>] ...

Generated from dm-ps-weighted $(cat VERSION) ($(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)).

Signed-off-by: $id <$mail>
EOF
add_selector least-blocks DM_MULTIPATH_LB dm-least-blocks dm-ps-least-blocks.c \
	"I/O Path Selector based on the number of in-flight bytes" "$tmp/lb-help" "$tmp/lb-msg"
add_selector weighted-paths DM_MULTIPATH_WP dm-weighted-paths dm-ps-weighted-paths.c \
	"I/O Path Selector based on path weights" "$tmp/wp-help" "$tmp/wp-msg"
mkdir -p "$series"
g format-patch -q -o "$series" HEAD~2
echo "upstream: $(ls "$series" | wc -l) patches in $series"
[ $check = 1 ] || exit 0

# ---- the check ------------------------------------------------------------
fail=0
extract
cp="perl $tree/scripts/checkpatch.pl --strict --terse --show-types --ignore FILE_PATH_CHANGES"
for p in "$series"/*.patch; do
	if out=$(cd "$tree" && $cp "$p" 2>&1); then
		echo "ok - checkpatch --strict $(basename "$p")"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok - checkpatch --strict $(basename "$p")"
		fail=1
	fi
done

# Reverse a series an earlier run applied, then apply this one.
if [ -d "$up/applied" ]; then
	for p in $(ls "$up/applied"/*.patch | sort -r); do
		patch -s -R -p1 -d "$tree" <"$p" || { echo "not ok - cannot reverse $p: remove $tree"; exit 1; }
	done
	rm -rf "$up/applied"
fi
mkdir -p "$up/applied"
n=0
for p in "$series"/*.patch; do
	n=$((n + 1))
	patch -s -p1 -F0 -d "$tree" <"$p" || { echo "not ok - $(basename "$p") does not apply"; exit 1; }
	cp "$p" "$up/applied/$(printf %04d $n).patch"
done
echo "ok - the series applies to linux-source-6.12"

config=$(ls /boot/config-6.12.*-amd64 2>/dev/null | grep -v -- -rt- | sort -V | tail -n1)
[ -n "$config" ] || { echo "not ok - no /boot/config-6.12.*-amd64 (linux-image-6.12)"; exit 1; }
log=$up/build.log
jobs=${UPSTREAM_JOBS:-2}
{
	if [ ! -f "$tree/.psw-prepared" ] || ! cmp -s "$config" "$tree/.psw-config"; then
		cp "$config" "$tree/.config"
		cp "$config" "$tree/.psw-config"
		make -C "$tree" -s olddefconfig
		make -C "$tree" -s -j"$jobs" prepare
		touch "$tree/.psw-prepared"
	fi
	"$tree/scripts/config" --file "$tree/.config" --module DM_MULTIPATH_LB --module DM_MULTIPATH_WP
	make -C "$tree" -s olddefconfig
	rm -f "$tree"/drivers/md/dm-ps-least-blocks.o "$tree"/drivers/md/dm-ps-weighted-paths.o
	make -C "$tree" -j"$jobs" W=1 C=1 drivers/md/dm-ps-least-blocks.o drivers/md/dm-ps-weighted-paths.o
} >"$log" 2>&1 || { tail -n 30 "$log" | sed 's/^/# /'; echo "not ok - kernel build (log $log)"; exit 1; }
# what the kernel's own build of scripts/ says before our objects is not ours
ours() { sed -n '/drivers\/md\/dm-ps-/,$p' "$1" | grep -E 'warning|error' | grep -v '^make'; }
if ours "$log" >/dev/null; then
	ours "$log" | head -n 30 | sed 's/^/# /'
	echo "not ok - W=1 C=1 build of the two selectors: warnings (log $log)"
	fail=1
elif [ ! -f "$tree/drivers/md/dm-ps-least-blocks.o" ] || [ ! -f "$tree/drivers/md/dm-ps-weighted-paths.o" ]; then
	echo "not ok - the objects were not built (log $log)"
	fail=1
else
	echo "ok - dm-ps-least-blocks.o and dm-ps-weighted-paths.o build in linux-source-6.12 (W=1, sparse, Debian config)"
fi

# The check must be able to fail: a planted unused static variable is a
# W=1 warning that the filter above has to see.
f=$tree/drivers/md/dm-ps-least-blocks.c
cp "$f" "$up/lb.c.orig"
echo 'static int psw_planted_unused;' >>"$f"
rm -f "$tree/drivers/md/dm-ps-least-blocks.o"
make -C "$tree" W=1 C=1 drivers/md/dm-ps-least-blocks.o >"$up/planted.log" 2>&1 || true
cp "$up/lb.c.orig" "$f"
rm -f "$tree/drivers/md/dm-ps-least-blocks.o"
if ours "$up/planted.log" | grep -q psw_planted_unused; then
	echo "ok - the build check reports a planted W=1 warning"
else
	echo "not ok - a planted W=1 warning was not reported (log $up/planted.log)"
	fail=1
fi
exit $fail
