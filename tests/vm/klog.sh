# shellcheck shell=bash
# Kernel-log scanner shared by scripts/vm-run (host) and tests/vm/runner.sh,
# tests/vm/lib.sh (guest).  One grep per scan (three with exemptions).
#   klog_load_patterns [FILE]  (default: tests/vm/bad-kernel-patterns.txt)
#   klog_scan < LOG            print the offending lines; return 1 if any
# Pattern file: one ERE per line matches a bad line; "!ERE" exempts a bad
# line it matches, unless the line also matches a "=ERE" line.

KLOG_PATTERNS=${KLOG_PATTERNS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bad-kernel-patterns.txt}
KLOG_BAD_RE=
KLOG_OK_RE=
KLOG_FORCE_RE=

klog_load_patterns() {
	local f=${1:-$KLOG_PATTERNS} l
	[ -r "$f" ] || { echo "klog: cannot read pattern file $f" >&2; return 2; }
	KLOG_BAD_RE= KLOG_OK_RE= KLOG_FORCE_RE=
	while IFS= read -r l || [ -n "$l" ]; do
		case $l in
		'' | '#'*) ;;
		'!'*) KLOG_OK_RE+="${KLOG_OK_RE:+|}(${l#!})" ;;
		'='*) KLOG_FORCE_RE+="${KLOG_FORCE_RE:+|}(${l#=})" ;;
		*) KLOG_BAD_RE+="${KLOG_BAD_RE:+|}($l)" ;;
		esac
	done <"$f"
	[ -n "$KLOG_BAD_RE" ] || { echo "klog: no patterns in $f" >&2; return 2; }
	# a pattern grep cannot compile would make every scan look clean
	for l in "$KLOG_BAD_RE" "$KLOG_OK_RE" "$KLOG_FORCE_RE"; do
		[ -z "$l" ] || grep -E -e "$l" </dev/null >/dev/null 2>&1
		[ $? -le 1 ] || { echo "klog: invalid pattern in $f: $l" >&2; return 2; }
	done
}

klog_scan() {
	local bad ok forced rc
	[ -n "$KLOG_BAD_RE" ] || klog_load_patterns || return 2
	# -a: a NUL in the log must not turn the matches into "binary file matches"
	bad=$(tr -d '\r' | grep -a -E -e "$KLOG_BAD_RE")
	rc=$?
	[ "$rc" -le 1 ] || { echo "klog: grep failed ($rc)" >&2; return 2; }
	[ "$rc" = 0 ] || return 0
	if [ -n "$KLOG_OK_RE" ]; then
		ok=$(grep -a -E -e "$KLOG_OK_RE" <<<"$bad")
		rc=$?
		[ "$rc" -le 1 ] || { echo "klog: grep failed ($rc)" >&2; return 2; }
		if [ "$rc" = 0 ]; then
			# exempted lines stay bad when they match a "=" pattern
			forced=""
			if [ -n "$KLOG_FORCE_RE" ]; then
				forced=$(grep -a -E -e "$KLOG_FORCE_RE" <<<"$ok")
				rc=$?
				[ "$rc" -le 1 ] || { echo "klog: grep failed ($rc)" >&2; return 2; }
			fi
			bad=$(grep -a -v -E -e "$KLOG_OK_RE" <<<"$bad")
			rc=$?
			[ "$rc" -le 1 ] || { echo "klog: grep failed ($rc)" >&2; return 2; }
			[ -z "$forced" ] || bad+="${bad:+$'\n'}$forced"
		fi
	fi
	[ -n "$bad" ] || return 0
	printf '%s\n' "$bad"
	return 1
}
