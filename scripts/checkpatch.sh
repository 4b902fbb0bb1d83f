#!/bin/bash
# checkpatch.pl --strict (from Debian's linux-source-6.12) on all kernel
# code: the module glue and the policy core.  psw_user.h is userspace-only.
# psw_abi.h must compare LINUX_VERSION_CODE: that is its whole job, so the
# two checks about it are ignored for that file alone.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=$("$top/scripts/ksrc.sh" 6.12) || exit 1
cp="perl $ksrc/scripts/checkpatch.pl --no-tree --strict --terse --show-types -f"
cd "$top"
rc=0
for f in kernel/*.[ch] dm-ps-weighted/*.[ch]; do
	case $f in
	dm-ps-weighted/psw_user.h) continue ;;
	kernel/psw_abi.h) extra="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON" ;;
	*) extra="" ;;
	esac
	# shellcheck disable=SC2086
	res=$($cp $extra "$f" 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
	if [ -n "$res" ]; then
		echo "not ok - checkpatch --strict $f"
		echo "$res" | sed 's/^/# /'
		rc=1
	else
		echo "ok - checkpatch --strict $f"
	fi
done
exit $rc
