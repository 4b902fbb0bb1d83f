# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers of the host-side tests (tests/install/run.sh,
# tests/deb/run.sh), sourced: ok/nok/check print numbered TAP lines and
# count failures in $failed; diag indents a command's output as comments;
# now/dt time a step.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # NAME CMD...: ok if CMD succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
diag() { sed 's/^/# /'; }
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
