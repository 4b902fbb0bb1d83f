#!/bin/bash
# abpath's mutants: each tests/abpath/mutants/NAME.patch breaks abpath on
# purpose, and the unit and golden tests (test_abpath) must fail on it.
# Every mutant is built in a copy of userspace/ and tests/abpath/ (the
# tree is not touched); TAP on stdout, one line per mutant, naming the
# tests that caught it.  Not part of make check (about 5 s per mutant).
#   tests/abpath/mutants.sh [NAME...]      (default: every patch)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for p in tests/abpath/mutants/*.patch; do
		names+=("$(basename "$p" .patch)")
	done
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abpath-mutants.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "TAP version 13"
echo "1..${#names[@]}"
n=0 bad=0
for name in "${names[@]}"; do
	n=$((n + 1))
	w=$tmp/$name
	mkdir -p "$w/tests"
	cp -a VERSION userspace "$w/"
	cp -a tests/abpath "$w/tests/"
	make -s -C "$w/userspace" clean >/dev/null 2>&1
	if ! patch -s -p1 --fuzz=0 -d "$w" <"tests/abpath/mutants/$name.patch" >"$w.log" 2>&1; then
		sed 's/^/# /' "$w.log"
		echo "not ok $n - $name: the patch does not apply"
		bad=$((bad + 1))
		continue
	fi
	if ! make -s -C "$w/userspace" abpath ../tests/abpath/test_abpath >"$w.log" 2>&1; then
		tail -5 "$w.log" | sed 's/^/# /'
		echo "not ok $n - $name: does not build"
		bad=$((bad + 1))
		continue
	fi
	(cd "$w/tests/abpath" && CMOCKA_MESSAGE_OUTPUT=TAP ABPATH=$w/userspace/abpath \
		./test_abpath) >"$w.out" 2>&1
	rc=$?
	caught=$(grep -E '^not ok [0-9]+ - ' "$w.out" | sed -E 's/^not ok [0-9]+ - //' | tr '\n' ' ')
	if [ $rc -ne 0 ] && [ -n "$caught" ]; then
		echo "ok $n - $name caught by: $caught"
		grep -E 'alua case [0-9]+ failed' "$w.out" | sed 's/^[# ]*/#   /'
	else
		echo "not ok $n - $name: test_abpath passed (exit $rc)"
		bad=$((bad + 1))
	fi
done
[ $bad = 0 ]
