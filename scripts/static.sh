#!/bin/bash
# Static analysis of the userspace-compiled C: the policy core
# (dm-ps-weighted/, as the unit tests and fuzzers build it, without
# __KERNEL__) and abpath (userspace/).  One TAP line per tool and tree;
# findings are printed.  (The kernel build is checked by sparse, C=1, in
# make check's build step; checkpatch separately.)
#
# Suppressed, with the reason:
#  cppcheck
#   variableScope    kernel style declares locals at the top of a block
#  clang-tidy (clang 14)
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
#                    wants C11 Annex K *_s functions, which glibc lacks
#   clang-analyzer-valist.Uninitialized
#                    false positive of clang 14 on every va_start'ed list
#                    passed to v*printf (util.c ab_err is the plain idiom)
#   bugprone-easily-swappable-parameters   API shape, not a defect
#   bugprone-suspicious-string-compare     the "!strcmp(a, b)" idiom
#   bugprone-reserved-identifier           #define _GNU_SOURCE
#   bugprone-integer-division   status.c rounds a share to per mille on
#                    purpose before the /10.0
#   bugprone-branch-clone       switch cases listed one per policy
#   bugprone-sizeof-expression  clang 14 flags every sizeof(*p) whose
#                    element is a pointer to a struct (arrays of pointers,
#                    cli_luns.c/sysfs.c) and has no option to turn that part off
#                    (WarnOnSizeOfPointerToAggregate arrived in clang 15)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fail=0
core=(dm-ps-weighted/*.c)
us=(userspace/*.c)
usinc=$(pkg-config --cflags json-c devmapper)

for t in cppcheck clang-tidy; do
	command -v $t >/dev/null || { echo "not ok - $t missing (scripts/deps.sh installs it)"; exit 1; }
done

cpp() { # NAME ARGS...
	local name=$1 out
	shift
	out=$(cppcheck -q --enable=warning,style,portability,performance --std=c11 \
		--suppress=variableScope --inline-suppr --error-exitcode=1 "$@" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok - cppcheck $name"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok - cppcheck $name"
		fail=1
	fi
}
cpp dm-ps-weighted -U__KERNEL__ -Idm-ps-weighted "${core[@]}"
# shellcheck disable=SC2086
cpp userspace -D_GNU_SOURCE -Iuserspace "${us[@]}"

checks='-*,clang-analyzer-*,bugprone-*'
checks+=',-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
checks+=',-clang-analyzer-valist.Uninitialized'
checks+=',-bugprone-easily-swappable-parameters,-bugprone-suspicious-string-compare'
checks+=',-bugprone-reserved-identifier,-bugprone-integer-division,-bugprone-branch-clone'
checks+=',-bugprone-sizeof-expression'

tidy() { # NAME FILE... -- FLAGS
	local name=$1 out
	shift
	local all st
	# one file per process, two at a time (clang-tidy is slow: ~1-2 min);
	# xargs exits non-zero when any clang-tidy did (a finding, a compile
	# error or a crash): that fails the step even with no finding printed
	all=$(printf '%s\n' "$@" | sed '/^--$/,$d' | xargs -P 2 -I{} \
		clang-tidy -quiet --checks="$checks" --warnings-as-errors='*' {} \
		-- "${flags[@]}" 2>&1)
	st=$?
	out=$(printf '%s\n' "$all" | grep -E -A3 'warning:|error:')
	if [ -z "$out" ] && [ $st -eq 0 ]; then
		echo "ok - clang-tidy $name"
	else
		printf '%s\n' "${out:-$all}" | tail -n 40 | sed 's/^/# /'
		echo "not ok - clang-tidy $name (exit status $st)"
		fail=1
	fi
}
# The tools work at all: a planted null dereference must be reported by
# both (a broken install that reports nothing would pass every tree).
planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
printf 'int f(int c)\n{\n\tint *p = 0;\n\tif (c)\n\t\treturn *p;\n\treturn 0;\n}\n' >"$planted/planted.c"
for t in cppcheck clang-tidy; do
	case $t in
	cppcheck) cppcheck -q --error-exitcode=1 "$planted/planted.c" >"$planted/out" 2>&1 ;;
	clang-tidy) clang-tidy -quiet --checks='-*,clang-analyzer-core.NullDereference' \
		"$planted/planted.c" -- >"$planted/out" 2>&1 ;;
	esac
	if grep -qi 'null' "$planted/out"; then
		echo "ok - $t reports a planted null dereference"
	else
		sed 's/^/# /' "$planted/out"
		echo "not ok - $t did not report a planted null dereference (broken tool?)"
		fail=1
	fi
done

flags=(-std=gnu11 -Idm-ps-weighted)
tidy dm-ps-weighted "${core[@]}"
# shellcheck disable=SC2206
flags=(-std=gnu11 -D_GNU_SOURCE -Iuserspace $usinc)
tidy userspace "${us[@]}"
exit $fail
