#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Where make check's time goes, from its own output (the figures in README
# "The two commands" and "The debug lane" come from this).
#
#   scripts/check-times.sh --extract LOG >FILE   keep only the lines the
#       report reads (step starts, TAP results, per-test times, vm-run's
#       exit lines, the debug kernel build line, the summary), unchanged;
#       Documentation/data/make-check-*.txt are such extracts
#   scripts/check-times.sh LOG|FILE              the report: total, each
#       step's start, each guest's wall time and each VM test's time
#
# LOG is the output of `make check` (or .ci/run): the steps' logs are in it
# because scripts/tap-steps.sh cats each one after its "=== NAME (time)".
set -euo pipefail
pat='^=== |^(not )?ok [0-9]+ - |^# time |^vm: .*: exit [0-9]+;|^debug-kernel: built|^# debug kernel ready|^[0-9]+ passed, [0-9]+ failed'
if [ "${1:-}" = --extract ]; then
	[ $# = 2 ] || { echo "usage: check-times.sh --extract LOG" >&2; exit 2; }
	grep -E "$pat" "$2" | sed 's/^# #   /# /' || true
	exit 0
fi
[ $# = 1 ] || { echo "usage: check-times.sh [--extract] LOG" >&2; exit 2; }
grep -E "$pat" "$1" | awk '
	/^=== summary/ { gsub(/[()]/, "", $3); total = $3; next }
	/^=== / { step = $2; gsub(/[()]/, "", $3); printf "step %-34s started %s\n", step, $3; next }
	/^debug-kernel: built/ { sub(/^debug-kernel: built /, ""); print "debug kernel: " $0; next }
	/^# debug kernel ready/ { print substr($0, 3); next }
	/^(not )?ok [0-9]+ - / { t = $0; sub(/^(not )?ok [0-9]+ - /, "", t); res = ($1 == "ok") ? "ok" : "FAILED"; next }
	/^# time / { if (t != "") printf "  test %-24s %9s %s (%s)\n", t, $3, res, step; t = ""; next }
	/^vm: .*: exit [0-9]+;/ {
		w = $0; sub(/.*wall /, "", w)
		k = $2; sub(/:$/, "", k)
		printf "  guest %-28s wall %s (%s)\n", k, w, step; next
	}
	/passed, .* failed/ { res_line = $0 }
	END { printf "total %s s, %s\n", total, res_line }
'
