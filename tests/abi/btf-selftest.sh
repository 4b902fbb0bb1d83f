#!/bin/bash
# The BTF ABI guard (scripts/abi-check.sh), tested.  Prints TAP lines.
#   tests/abi/btf-selftest.sh [KVER...]   (default: every installed 6.1,
#                                          6.1 RT and 6.12 kernel with headers)
# 1. The check passes on each kernel's real BTF.
# 2. On the first kernel, inputs made from its real BTF: abi-btf.pl --emit-c
#    writes the kernel's structures and prototypes as C, one edit is made,
#    gcc -g and pahole -J turn it back into BTF, and the check must refuse
#    (exit non-zero, with a message naming what differs): a member moved,
#    a function-pointer prototype changed, a function prototype changed, no
#    BTF at all, BTF without the structures; the unedited C must pass
#    (the generated input is faithful) and so must dm_unregister_path_selector
#    returning void (the one accepted difference).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
check=$top/scripts/abi-check.sh
w=$top/build/abi-btf-selftest
rm -rf "$w"
mkdir -p "$w"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }

if [ $# -gt 0 ]; then
	kvers=("$@")
else
	kvers=()
	for d in /lib/modules/6.1.* /lib/modules/6.12.*; do
		[ -f "$d/build/Makefile" ] && kvers+=("${d#/lib/modules/}")
	done
fi
[ ${#kvers[@]} -gt 0 ] || { echo "not ok 1 - no kernel headers installed"; exit 1; }

# Start from the build's caches (vmlinux BTF, probe), not from its verdict.
seed() { # KVER DIR
	mkdir -p "$2"
	[ -d "$top/build/abi-btf/$1" ] && cp -a "$top/build/abi-btf/$1/." "$2/"
	rm -f "$2/verdict"
}
for k in "${kvers[@]}"; do
	seed "$k" "$w/$k"
	if "$check" --kver "$k" --work "$w/$k" --no-source-fallback >"$w/$k.log" 2>&1; then
		ok "abi-check $k: psw_abi.h matches the kernel's BTF"
	else
		nok "abi-check $k: psw_abi.h matches the kernel's BTF"
	fi
	diag <"$w/$k.log"
done

# ---- mutated inputs, from the first kernel's real BTF ------------------------
k=${kvers[0]}
src=$(sed -n 1p "$w/$k/kernel.src" 2>/dev/null)
base=$(sed -n 2p "$w/$k/kernel.src" 2>/dev/null)
if [ -z "$src" ]; then
	nok "self-test inputs: the check of $k did not read a BTF"
	echo "# $n tests, $failed failed"
	exit 1
fi
structs=dm_path,path_selector,path_selector_type
funcs=dm_register_path_selector,dm_unregister_path_selector
m=$w/mut
mkdir -p "$m"
seed "$k" "$m/work"
perl "$top/scripts/abi-btf.pl" ${base:+--base "$base"} --structs "$structs" --funcs "$funcs" \
	--emit-c "$src" >"$m/gen.c" 2>"$m/emit.err" || { diag <"$m/emit.err"; }

# mutant NAME SED-SCRIPT: NAME.c from real.c, then NAME.btf.
mutant() {
	local name=$1
	sed -e "$2" "$m/gen.c" >"$m/$name.c"
	if [ "$name" != real ] && cmp -s "$m/gen.c" "$m/$name.c"; then
		echo "the edit '$2' changed nothing" >"$m/$name.err"
		return 1
	fi
	gcc -g -c "$m/$name.c" -o "$m/$name.o" 2>"$m/$name.err" &&
		pahole -J --btf_encode_detached="$m/$name.btf" "$m/$name.o" 2>>"$m/$name.err"
}

# expect NAME pass|refuse PATTERN DESCRIPTION CHECK-ARGS...
expect() {
	local name=$1 want=$2 pat=$3 what=$4 rc
	shift 4
	"$check" --kver "$k" --work "$m/work" "$@" >"$m/$name.log" 2>&1
	rc=$?
	if [ "$want" = pass ] && [ $rc = 0 ] && grep -q -- "$pat" "$m/$name.log"; then
		ok "$what"
	elif [ "$want" = refuse ] && [ $rc != 0 ] && grep -q 'REFUSED' "$m/$name.log" &&
		grep -q -- "$pat" "$m/$name.log"; then
		ok "$what (exit $rc)"
	else
		nok "$what (exit $rc, wanted $want with '$pat')"
	fi
	diag <"$m/$name.log"
}

if mutant real ''; then
	expect real pass 'psw_abi.h matches' \
		"$k: C generated from the real BTF, back to BTF: passes (a faithful input)" --btf "$m/real.btf"
else
	nok "$k: C generated from the real BTF compiles"; diag <"$m/real.err"
fi

if mutant moved '/^\tunsigned int features;$/d; /^\tint (\*end_io)(/a\	unsigned int features;'; then
	expect moved refuse 'features' "$k: member 'features' moved behind end_io: refused" --btf "$m/moved.btf"
else
	nok "$k: moved-member input"; diag <"$m/moved.err"
fi

if mutant proto 's/^\(\tint (\*end_io)(.*size_t\), u64);$/\1);/'; then
	expect proto refuse 'end_io' "$k: end_io without its u64 argument (same layout): refused" --btf "$m/proto.btf"
else
	nok "$k: changed-prototype input"; diag <"$m/proto.err"
fi

if mutant func 's/^int dm_register_path_selector(\(.*\)$/long dm_register_path_selector(\1/'; then
	expect func refuse 'dm_register_path_selector' \
		"$k: dm_register_path_selector returning long: refused" --btf "$m/func.btf"
else
	nok "$k: changed-function input"; diag <"$m/func.err"
fi

if mutant unreg 's/^int dm_unregister_path_selector(\(.*\)$/void dm_unregister_path_selector(\1/'; then
	# The void function keeps its "return 0;": drop it.
	sed -i '/^void dm_unregister_path_selector(.*)$/,/^}$/{/return 0;/d}' "$m/unreg.c"
	gcc -g -c "$m/unreg.c" -o "$m/unreg.o" 2>"$m/unreg.err" &&
		pahole -J --btf_encode_detached="$m/unreg.btf" "$m/unreg.o" 2>>"$m/unreg.err"
	expect unreg pass 'accepted' \
		"$k: dm_unregister_path_selector returning void (mainline 6.17): accepted, said so" --btf "$m/unreg.btf"
else
	nok "$k: void-unregister input"; diag <"$m/unreg.err"
fi

# No BTF at all: the module with its .BTF section removed.
src_ko=$w/$k/dm-multipath.ko
if [ -f "$src_ko" ] && objcopy --remove-section=.BTF "$src_ko" "$m/nobtf.ko"; then
	expect nobtf refuse 'no .BTF section' "$k: dm-multipath.ko without BTF: refused (no fallback)" \
		--btf "$m/nobtf.ko" --no-source-fallback
	series=$(echo "$k" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	if [ -f "/usr/src/linux-source-$series.tar.xz" ]; then
		expect fallback pass "matches linux-source-$series" \
			"$k: without BTF, falls back to the linux-source-$series comparison" --btf "$m/nobtf.ko"
	fi
else
	nok "$k: no-BTF input"
fi

# BTF without the structures: vmlinux's BTF alone (no dm-multipath in it).
if [ -n "$base" ]; then
	expect nostruct refuse 'not in the BTF' "$k: BTF without dm-multipath's structures: refused" \
		--btf "$base" --no-source-fallback
fi

# DKMS's MAKE step builds only on an "ok" verdict of the PRE_BUILD run.
"$check" --kver "$k" --work "$m/work" --btf "$m/moved.btf" >/dev/null 2>&1
if ! "$check" --require --kver "$k" --work "$m/work" >"$m/require.log" 2>&1 &&
	grep -q REFUSED "$m/require.log"; then
	ok "$k: --require (DKMS MAKE) fails after a refused PRE_BUILD verdict"
else
	nok "$k: --require (DKMS MAKE) fails after a refused PRE_BUILD verdict"
fi

echo "# $n tests, $failed failed"
[ "$failed" = 0 ]
