#!/bin/bash
# checkpatch.pl --strict (from Debian's linux-source-6.12) on all kernel
# code: the module glue and the policy core.  psw_user.h is userspace-only.
# psw_abi.h must compare LINUX_VERSION_CODE: that is its whole job, so the
# two checks about it are ignored for that file alone.
# checkpatch's exit status counts: a run that fails without a finding
# (a crash, a missing perl module) fails the step, and a planted style
# error must be reported first (the tool works at all).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=$("$top/scripts/ksrc.sh" 6.12) || exit 1
cp="perl $ksrc/scripts/checkpatch.pl --no-tree --strict --terse --show-types -f"
cd "$top"
rc=0
planted=$(mktemp --suffix=.c)
trap 'rm -f "$planted"' EXIT
printf 'int f(int a)\n{\n\treturn a ;\n}\n' >"$planted"
if [[ $($cp "$planted" 2>&1) == *SPACING* ]]; then
	echo "ok - checkpatch reports a planted style error"
else
	echo "not ok - checkpatch did not report a planted style error (broken tool?)"
	rc=1
fi
for f in kernel/*.[ch] dm-ps-weighted/*.[ch]; do
	case $f in
	dm-ps-weighted/psw_user.h) continue ;;
	kernel/psw_abi.h) extra="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON" ;;
	*) extra="" ;;
	esac
	# shellcheck disable=SC2086
	all=$($cp $extra "$f" 2>&1)
	st=$?
	res=$(printf '%s\n' "$all" | grep -E ': (ERROR|WARNING|CHECK):')
	if [ -n "$res" ]; then
		echo "not ok - checkpatch --strict $f"
		echo "$res" | sed 's/^/# /'
		rc=1
	elif [ $st -ne 0 ]; then
		echo "not ok - checkpatch --strict $f: exit status $st without a finding"
		printf '%s\n' "$all" | tail -n 5 | sed 's/^/# /'
		rc=1
	else
		echo "ok - checkpatch --strict $f"
	fi
done
exit $rc
