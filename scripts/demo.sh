#!/bin/bash
# make demo: the whole A/B iSCSI scenario in one QEMU guest (issue 6).
#   scripts/demo.sh              Debian 6.1 guest (default)
#   KVER=6.12 scripts/demo.sh    or make demo KVER=6.12 (a series or a full KVER)
# Installs what is missing (scripts/deps.sh), builds the selectors for the
# guest kernel and abpath, then runs tests/vm/t_e2e_iscsi.sh with E2E_FULL=1
# in the guest: LIO target in a netns behind an A and a B veth pair,
# open-iscsi through both portals; abpath least-blocks map under fio verify,
# A cut and restored (per-side distribution before/during/after, longest
# completion gap), the same cut under round-robin, weighted-paths A=3,B=1
# shares, then multipathd building the map itself (least-blocks, then
# weighted-paths with weights as priorities) over a 120 s window each,
# counting map reloads.  Exit status: the scenario's (0 = every check held).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
spec=${KVER:-6.1}

scripts/deps.sh
case $spec in
6.1 | 6.12)
	kver=""
	for v in /boot/vmlinuz-"$spec".*; do
		v=${v#/boot/vmlinuz-}
		[[ $v == *-rt-* || $v == *cloud* ]] && continue
		[ -d "/lib/modules/$v/build" ] || continue
		kver=$(printf '%s\n%s\n' "$kver" "$v" | sed '/^$/d' | sort -V | tail -n 1)
	done
	[ -n "$kver" ] || { echo "demo: no installed $spec kernel with headers" >&2; exit 1; }
	;;
*) kver=$spec ;;
esac
echo "=== demo: guest kernel $kver"
scripts/build-modules.sh "$kver"
make -s -C userspace
echo "=== demo: booting the guest (TCG; the scenario takes ~8-12 minutes)"
rc=0
scripts/vm-run --kver "$kver" --timeout 1800 --env E2E_FULL=1 -- bash tests/vm/t_e2e_iscsi.sh || rc=$?
if [ $rc = 0 ]; then echo "=== demo: PASS ($kver)"; else echo "=== demo: FAIL ($kver), exit $rc"; fi
exit $rc
