# shellcheck shell=bash
# Kernel-log scanner shared by scripts/vm-run (host) and tests/vm/runner.sh,
# tests/vm/lib.sh (guest).  One grep per scan.
#   klog_load_patterns [FILE]  (default: tests/vm/bad-kernel-patterns.txt)
#   klog_scan < LOG            print the offending lines; return 1 if any

KLOG_PATTERNS=${KLOG_PATTERNS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bad-kernel-patterns.txt}
KLOG_BAD_RE=
KLOG_OK_RE=

klog_load_patterns() {
	local f=${1:-$KLOG_PATTERNS} l
	[ -r "$f" ] || { echo "klog: cannot read pattern file $f" >&2; return 2; }
	KLOG_BAD_RE= KLOG_OK_RE=
	while IFS= read -r l || [ -n "$l" ]; do
		case $l in
		'' | '#'*) ;;
		'!'*) KLOG_OK_RE+="${KLOG_OK_RE:+|}(${l#!})" ;;
		*) KLOG_BAD_RE+="${KLOG_BAD_RE:+|}($l)" ;;
		esac
	done <"$f"
	[ -n "$KLOG_BAD_RE" ] || { echo "klog: no patterns in $f" >&2; return 2; }
}

klog_scan() {
	local rc
	[ -n "$KLOG_BAD_RE" ] || klog_load_patterns || return 2
	if [ -n "$KLOG_OK_RE" ]; then
		tr -d '\r' | grep -E -e "$KLOG_BAD_RE" | grep -v -E -e "$KLOG_OK_RE"
	else
		tr -d '\r' | grep -E -e "$KLOG_BAD_RE"
	fi
	rc=$?
	# grep: 0 = lines found (bad), 1 = none (clean), 2 = error
	case $rc in
	0) return 1 ;;
	1) return 0 ;;
	*) echo "klog: grep failed ($rc)" >&2; return 2 ;;
	esac
}
