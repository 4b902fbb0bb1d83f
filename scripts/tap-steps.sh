# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# The step runner and TAP collector of scripts/check.sh and
# scripts/torture.sh (sourced, not run).
#
#   tap_init DIR       empty DIR (rm -rf + mkdir) and start DIR/tap.txt;
#                      sets out=DIR and tap=DIR/tap.txt
#   run NAME CMD...    run one step with its output in DIR/NAME.log, show
#                      the output, and collect its TAP lines as
#                      "ok - NAME: ..." / "not ok - NAME: ...".  A step
#                      that fails without printing a "not ok" line gets
#                      one; a step that passes without TAP lines gets
#                      "ok - NAME".  Always returns 0: the summary decides.
#   tap_fail MSG       record "not ok - MSG" (a precondition that failed)
#   tap_summary        print the failures and "N passed, M failed";
#                      returns 0 only if nothing failed (and something ran)

tap_init() {
	out=${1:?tap_init DIR}
	tap=$out/tap.txt
	rm -rf "$out"
	mkdir -p "$out" || exit 1
	: >"$tap"
	_tap_t0=$(date +%s)
}

run() {
	local name=$1 log=$out/$1.log rc step=$out/.step
	shift
	echo "=== $name ($(date +%T))"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	tr -d '\r' <"$log" | grep -E '^(not )?ok ' |
		sed "s/^\(\(not \)\?ok\)\( [0-9]*\)\?\( -\)\? /\1 - $name: /" >"$step"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$step"; then
		echo "not ok - $name: exited with status $rc" >>"$step"
	fi
	[ $rc -eq 0 ] && [ ! -s "$step" ] && echo "ok - $name" >>"$step"
	cat "$step" >>"$tap"
	rm -f "$step"
	return 0
}

tap_fail() {
	echo "not ok - $*" >>"$tap"
}

tap_summary() {
	local passed failed
	passed=$(grep -c '^ok ' "$tap")
	failed=$(grep -c '^not ok ' "$tap")
	echo "=== summary ($(($(date +%s) - _tap_t0)) s)"
	grep '^not ok ' "$tap"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
