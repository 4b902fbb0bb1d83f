#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench [KVER=6.1|6.12|full version]: the selectors against the
# kernel's own, side by side in QEMU (TCG) guests, plus the core's
# instruction counts.  Writes bench/results/<kver>.md (+ .png, .tsv) and
# regenerates bench/results/RESULTS.md from every kernel's fragment.
#
# env: KVER (default 6.1), BENCH_REPS (5), BENCH_RT1/RT2/RT3/RT4/RT7 (seconds
#      per fio job), BENCH_CASES ("1 2 4 3 6 7"), BENCH_CORE=0 skips the callgrind part,
#      BENCH_TIMEOUT (guest timeout, s), BENCH_ICOUNT (3: the icount shift of
#      case 1's guest).  The guest of cases 2-7 runs with the machine to
#      itself (VM_EXCLUSIVE=1: other guests wait); case 1's icount guest
#      does not need to.
#      BENCH_SELS (selectors, default all: rr ql st [hst] lb wp),
#      BENCH_NPATHS ("2 8") and BENCH_QDS ("16 32"): case 1's maps.
#      BENCH_LB_OLD=REV: also least-blocks as of git revision REV, built
#      as dm-least-blocks-old.ko registering "least-blocks-old" (selector
#      "lbo"), in the same interleaved runs: the old and the new module
#      measured side by side.  Results then go to build/bench/KVER/res/
#      (BENCH_RES overrides), not to bench/results/.
#      BENCH_RES=DIR: results to DIR instead of bench/results/.  KVER.tsv
#      holds only the cases of this run, so a run of some cases goes to a
#      directory of its own: case 7's committed figures were made with
#      BENCH_CASES=7 BENCH_CORE=0 BENCH_RES=bench/results/case7.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
series=${KVER:-6.1}
case $series in
6.1 | 6.12) kver=$(basename "$(ls -d /lib/modules/"$series".[0-9]*-amd64 /lib/modules/"$series".*+deb12-amd64 2>/dev/null | grep -v -- -rt- | sort -V | tail -n1)") ;;
*) kver=$series series=$(echo "$series" | cut -d. -f1,2) ;;
esac
[ -n "$kver" ] && [ -d "/lib/modules/$kver/build" ] ||
	{ echo "bench: no kernel/headers for $series (scripts/deps.sh)" >&2; exit 1; }
out=$top/build/bench/$kver
res=${BENCH_RES:-$top/bench/results}
[ -z "${BENCH_LB_OLD:-}" ] || res=${BENCH_RES:-$out/res}
mkdir -p "$res" "$out/vm"
log() { echo "bench: $*" >&2; }
command -v python3 >/dev/null && command -v gnuplot >/dev/null ||
	{ echo "bench: needs python3 and gnuplot (scripts/deps.sh)" >&2; exit 1; }

log "building the modules for $kver"
scripts/build-modules.sh "$kver" >&2

# historical-service-time: Debian does not build it; build the kernel's own
# file out of tree from linux-source (never committed to this tree).
hst=$top/build/hst/$kver
hst_ok=0
if ksrc=$(scripts/ksrc.sh "$series" 2>/dev/null) &&
	[ -f "$ksrc/drivers/md/dm-ps-historical-service-time.c" ]; then
	mkdir -p "$hst"
	cp "$ksrc"/drivers/md/{dm-ps-historical-service-time.c,dm-path-selector.h,dm-mpath.h} "$hst/"
	# dm.h (private) is only needed for what <linux/device-mapper.h> gives
	sed -i 's|#include "dm.h"|#include <linux/device-mapper.h>|' "$hst/dm-ps-historical-service-time.c"
	printf 'obj-m := dm-historical-service-time.o\ndm-historical-service-time-y := dm-ps-historical-service-time.o\n' >"$hst/Kbuild"
	if make -C "/lib/modules/$kver/build" M="$hst" modules >"$hst/build.log" 2>&1; then
		hst_ok=1
	else
		log "historical-service-time did not build (see $hst/build.log); benchmarking without it"
	fi
else
	log "no linux-source-$series: benchmarking without historical-service-time"
fi

# BENCH_LB_OLD: least-blocks of another revision under another name, so
# that both load side by side in one guest.
if [ -n "${BENCH_LB_OLD:-}" ]; then
	old=$out/lb-old
	rm -rf "$old"
	mkdir -p "$old"
	git -C "$top" archive "$BENCH_LB_OLD" Kbuild kernel dm-ps-weighted | tar -x -C "$old"
	cp "$top/VERSION" "$old/"
	sed -i 's/"least-blocks"/"least-blocks-old"/; s/MODULE_ALIAS("dm-least-blocks")/MODULE_ALIAS("dm-least-blocks-old")/' \
		"$old/kernel/dm-least-blocks-glue.c"
	grep -q '"least-blocks-old"' "$old/kernel/dm-least-blocks-glue.c" ||
		{ echo "bench: cannot rename the selector of $BENCH_LB_OLD" >&2; exit 1; }
	sed -i 's/^obj-m := .*/obj-m := dm-least-blocks-old.o/; s/^dm-least-blocks-y :=/dm-least-blocks-old-y :=/; /^dm-weighted-paths-y/d' \
		"$old/Kbuild"
	make -C "/lib/modules/$kver/build" M="$old" KCFLAGS=-DPSW_ABI_BTF_CHECKED modules >"$old/build.log" 2>&1 ||
		{ cat "$old/build.log" >&2; echo "bench: least-blocks of $BENCH_LB_OLD does not build" >&2; exit 1; }
	log "least-blocks of $BENCH_LB_OLD built as $old/dm-least-blocks-old.ko"
fi

if [ "${BENCH_CORE:-1}" = 1 ]; then
	log "core cost (callgrind)"
	bench/core/run.sh >"$out/core.md"
fi

# Case 1 (overhead) runs in a guest of its own whose clock counts
# instructions (-icount shift=ICOUNT: 2^ICOUNT ns each, idle time skipped)
# on one vCPU: its IOPS then measure what the guest executes per I/O,
# repeatable to a few in 10^4 whatever the host does, instead of TCG's
# host-load noise (+-50% between repetitions).  The other cases are
# device- or network-bound and run in one ordinary guest.
cases=${BENCH_CASES:-"1 2 4 3 6 7"}
rest=$(echo " $cases " | sed 's/ 1 / /; s/^ *//; s/ *$//')
ICOUNT=${BENCH_ICOUNT:-3}
envs=()
for v in BENCH_REPS BENCH_RT1 BENCH_RT2 BENCH_RT3 BENCH_RT4 BENCH_RT7 BENCH_SELS BENCH_NPATHS BENCH_QDS; do
	[ -z "${!v:-}" ] || envs+=(--env "$v=${!v}")
done
[ "$hst_ok" = 1 ] && envs+=(--env "BENCH_HST=$hst")
[ -z "${BENCH_LB_OLD:-}" ] || envs+=(--env "BENCH_LB_OLD=$old")
raws=()
guest() { # EXCL DIR CASES VM-RUN-ARGS...: one guest boot for CASES;
	# EXCL=1: with the machine to itself (other guests wait)
	local excl=$1 dir=$2 cs=$3 t0=$SECONDS
	shift 3
	mkdir -p "$dir"
	rm -f "$dir/raw.tsv"
	log "guest run on $kver, cases $cs$([ "$excl" = 0 ] || echo " (waits for other guests: exclusive machine lock)")"
	VM_EXCLUSIVE=$excl scripts/vm-run --kver "$kver" --timeout "${BENCH_TIMEOUT:-2400}" \
		--out "$dir" "$@" "${envs[@]}" --env "BENCH_RAW=$dir/raw.tsv" \
		--env "BENCH_CASES=$cs" -- bench/guest.sh
	log "guest run took $((SECONDS - t0)) s"
	raws+=("$dir/raw.tsv")
}
# the icount guest's figures do not depend on host load: no exclusive lock
[[ " $cases " != *" 1 "* ]] || guest 0 "$out/vm-icount" 1 --icount "$ICOUNT" --smp 1
[ -z "$rest" ] || guest 1 "$out/vm" "$rest"

cat "${raws[@]}" >"$res/$kver.tsv"
BENCH_ICOUNT=$ICOUNT python3 bench/summarize.py "$res" "$kver" "$out/core.md" "$out"
log "wrote $res/RESULTS.md and $res/$kver.png"
