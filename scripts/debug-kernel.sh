#!/bin/bash
# The debug-kernel lane's guest kernel: Debian's linux-source-6.12 built with
# lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, KASAN, KFENCE,
# DEBUG_LIST (tests/vm/debug-kernel/debug.config), from the committed
# config tests/vm/debug-kernel/config, with tests/vm/debug-kernel/patches/
# applied (fixes of two lockdep reports in LIO, the guests' iSCSI target:
# false RCU-list reports, and a real softirq lock inversion; see each
# patch's header).
#
#   scripts/debug-kernel.sh [--kcsan] [MODE]
#   --kcsan: the KCSAN variant instead (KCSAN and KASAN exclude each other):
#   kcsan.config instead of debug.config, config-kcsan, build/debug-kernel-kcsan/,
#   kernel.release 6.12.N-pswkcsan; with every MODE (--regen-config too,
#   writing config-kcsan).  MODE:
#   scripts/debug-kernel.sh              build if missing or stale; print the release
#   scripts/debug-kernel.sh --status     exit 0 if the cache is current (no build)
#   scripts/debug-kernel.sh --release    print the cached kernel.release (exit 1 if none)
#   scripts/debug-kernel.sh --dir        print the cache dir (vmlinux, kernel.release,
#                                        lib/modules/RELEASE/, tree -> the build tree)
#   scripts/debug-kernel.sh --regen-config
#       rewrite tests/vm/debug-kernel/config: `make allnoconfig` with
#       base.config (what the guests need) and debug.config (the checks) as
#       KCONFIG_ALLCONFIG; fails unless every line of both holds in the
#       result.  Review the diff and commit it.
#
# Cache: build/debug-kernel/out/ holds vmlinux, kernel.release, the modules
# (modules_install INSTALL_MOD_PATH, depmod) and "key" = linux-source-6.12
# package version + sha256 of config, of the patch set (patches/*.patch, applied
# after extraction) and of this script.  A matching
# key means no build.  The tree (build/debug-kernel/linux-source-6.12/) is
# built in place, so a changed key rebuilds only what make finds changed.
# make runs under nice -n 10 (env DEBUG_KERNEL_NICE) with -j$(nproc) (env
# DEBUG_KERNEL_JOBS); the wall and CPU time of the build go to the log line
# and to out/build-time.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cfgdir=$top/tests/vm/debug-kernel
# variant: build dir, committed config, checks fragment, release suffix
base=$top/build/debug-kernel config=$cfgdir/config frag=$cfgdir/debug.config suffix=-pswdebug
tarball=/usr/src/linux-source-6.12.tar.xz
tree=$base/linux-source-6.12
out=$base/out
jobs=${DEBUG_KERNEL_JOBS:-$(nproc)}
niceness=${DEBUG_KERNEL_NICE:-10}

die() { echo "debug-kernel: error: $*" >&2; exit 1; }
log() { echo "debug-kernel: $*" >&2; }

mode=build
for a in "$@"; do
	case $a in
	--kcsan)
		base=$top/build/debug-kernel-kcsan config=$cfgdir/config-kcsan frag=$cfgdir/kcsan.config suffix=-pswkcsan
		tree=$base/linux-source-6.12 out=$base/out ;;
	--status | --release | --dir | --regen-config)
		[ "$mode" = build ] || die "one of --status --release --dir --regen-config at most (--help)"
		mode=${a#--} ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $a (--help)" ;;
	esac
done

case $mode in
dir) echo "$out"; exit 0 ;;
release)
	[ -s "$out/kernel.release" ] || exit 1
	cat "$out/kernel.release"
	exit 0 ;;
esac

pkgver() { dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null; }
want_key() {
	local v
	v=$(pkgver) || die "linux-source-6.12 is not installed (scripts/deps.sh)"
	printf 'linux-source-6.12=%s config=%s patches=%s script=%s\n' "$v" \
		"$(sha256sum <"$config" | cut -c1-16)" \
		"$(patchset | sha256sum | cut -c1-16)" \
		"$(sha256sum <"$top/scripts/debug-kernel.sh" | cut -c1-16)"
}
# The patch set, in order (tests/vm/debug-kernel/patches/*.patch, -p1): fixes
# of false reports in kernel code outside this project, each with its reason
# in its header; applied to the debug kernel only.
patchset() {
	local f
	for f in "$cfgdir"/patches/*.patch; do
		[ -e "$f" ] && cat "$f"
	done
	return 0
}
current() {
	[ -s "$out/key" ] && [ -s "$out/vmlinux" ] && [ -s "$out/kernel.release" ] &&
		[ -d "$out/lib/modules/$(cat "$out/kernel.release")" ] &&
		[ "$(cat "$out/key")" = "$(want_key)" ]
}

if [ "$mode" = status ]; then
	current
	exit
fi

mkdir -p "$base"
exec 9>"$base/.lock"
flock 9

# Source tree of the installed package version (re-extracted when it changes).
extract() {
	local v
	v=$(pkgver) || die "linux-source-6.12 is not installed (scripts/deps.sh)"
	[ -r "$tarball" ] || die "no $tarball (scripts/deps.sh installs linux-source-6.12)"
	if [ "$(cat "$tree/.pswdebug-pkgver" 2>/dev/null)" != "$v" ]; then
		log "extracting $tarball ($v)"
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		nice tar -xf "$tarball" -C "$tree.tmp"
		mv "$tree.tmp/linux-source-6.12" "$tree"
		rmdir "$tree.tmp"
		echo "$v" >"$tree/.pswdebug-pkgver"
	fi
	# the patch set: the applied one (copies in .pswdebug-patches.d/)
	# reversed, last first, then the current one applied one by one, each
	# recorded once it is in; a tree that will not reverse, or a patch that
	# does not apply, marks the tree for a fresh extraction
	local f rec=$tree/.pswdebug-patches.d
	if ! cmp -s <(patchset) <(cat "$rec"/*.patch 2>/dev/null); then
		mkdir -p "$rec"
		for f in $(cd "$rec" && ls -r -- *.patch 2>/dev/null); do
			(cd "$tree" && patch -s -R -p1 --no-backup-if-mismatch <"$rec/$f") || {
				log "applied patch $f does not reverse: extracting again"
				rm -f "$tree/.pswdebug-pkgver"
				extract
				return
			}
			rm -f "$rec/$f"
		done
		for f in "$cfgdir"/patches/*.patch; do
			[ -e "$f" ] || continue
			log "applying $(basename "$f")"
			if ! (cd "$tree" && patch -s -p1 --forward --dry-run <"$f" >/dev/null &&
				patch -s -p1 --forward --no-backup-if-mismatch <"$f"); then
				rm -f "$tree/.pswdebug-pkgver"
				die "$f does not apply to linux-source-6.12 $v (the next run extracts the tree again)"
			fi
			cp "$f" "$rec/"
		done
	fi
	local t
	for t in flex bison bc; do
		command -v $t >/dev/null || die "$t missing (scripts/deps.sh)"
	done
	[ -e /usr/include/gelf.h ] || die "libelf-dev missing (scripts/deps.sh)"
	[ -e /usr/include/openssl/opensslv.h ] || die "libssl-dev missing (scripts/deps.sh)"
}

# Every line of FRAGMENT must hold in CONFIG: "CONFIG_X=v" literally,
# "# CONFIG_X is not set" as X absent or not set.
# check_fragment CONFIG FRAGMENT
check_fragment() {
	local cfg=$1 frag=$2 l sym bad=0
	while IFS= read -r l; do
		case $l in
		'# CONFIG_'*' is not set')
			sym=${l#'# '}
			sym=${sym%' is not set'}
			if grep -q "^$sym=" "$cfg"; then
				echo "debug-kernel: $cfg has $(grep "^$sym=" "$cfg"), $(basename "$frag") wants it unset" >&2
				bad=1
			fi ;;
		CONFIG_*)
			grep -qxF "$l" "$cfg" || {
				echo "debug-kernel: $cfg lacks '$l' (has: $(grep "^${l%%=*}=" "$cfg" || echo unset))" >&2
				bad=1
			} ;;
		esac
	done <"$frag"
	return $bad
}

if [ "$mode" = regen-config ]; then
	extract
	log "regenerating $config: allnoconfig + base.config + $(basename "$frag")"
	cat "$cfgdir/base.config" "$frag" >"$base/allconfig"
	(cd "$tree" && make -s KCONFIG_ALLCONFIG="$base/allconfig" allnoconfig >"$base/merge.log" 2>&1) ||
		{ tail -n 30 "$base/merge.log" >&2; die "allnoconfig failed"; }
	check_fragment "$tree/.config" "$cfgdir/base.config" || die "base.config does not hold after allnoconfig (a missing dependency? see above)"
	check_fragment "$tree/.config" "$frag" || die "$(basename "$frag") does not hold after allnoconfig (see above)"
	{
		echo "# tests/vm/debug-kernel/$(basename "$config"): generated by scripts/debug-kernel.sh$([ "$suffix" = -pswkcsan ] && echo " --kcsan") --regen-config"
		echo "# from allnoconfig + base.config + $(basename "$frag"); do not edit by hand"
		grep -v '^# Automatically generated file; DO NOT EDIT.$' "$tree/.config"
	} >"$config"
	log "wrote $config ($(grep -c '=[ym]$' "$config") options =y/=m; $(grep -c '=m$' "$config") modules)"
	exit 0
fi

# build
if current; then
	log "up to date: $(cat "$out/kernel.release") in $out ($(cat "$out/key"))"
	[ ! -s "$out/build-time" ] || log "last build: $(cat "$out/build-time")"
	cat "$out/kernel.release"
	exit 0
fi
[ -s "$config" ] || die "no $config (scripts/debug-kernel.sh --regen-config)"
# the key of the inputs this build uses (taken before: a patch or config
# edited during the build must not be recorded as built)
key=$(want_key)
extract
t0=$(date +%s)
if ! cmp -s "$config" "$tree/.pswdebug-config"; then
	cp "$config" "$tree/.config"
	(cd "$tree" && make -s olddefconfig) || die "olddefconfig failed"
	check_fragment "$tree/.config" "$cfgdir/base.config" && check_fragment "$tree/.config" "$frag" ||
		die "the committed config does not hold base.config + $(basename "$frag") (--regen-config)"
	cp "$config" "$tree/.pswdebug-config"
fi
log "building the debug kernel in $tree (make -j$jobs, nice -n $niceness; log $base/build.log)"
if ! (cd "$tree" && /usr/bin/time -o "$base/time.txt" -f '%e %U %S' \
	nice -n "$niceness" make -j"$jobs" vmlinux modules) >"$base/build.log" 2>&1; then
	grep -E -B2 -A8 'error:|Error [0-9]' "$base/build.log" | tail -n 60 >&2
	die "kernel build failed (full log $base/build.log)"
fi
t1=$(date +%s)
read -r _ cpu_u cpu_s _ <"$base/time.txt" || cpu_u=0 cpu_s=0
# (kernel.release is written by the build: before it, setlocalversion has no
# auto.conf and leaves out CONFIG_LOCALVERSION)
rel=$(cat "$tree/include/config/kernel.release")
case $rel in *"$suffix") ;; *) die "kernel.release '$rel' lacks $suffix" ;; esac
rm -rf "$out.new"
mkdir -p "$out.new"
(cd "$tree" && make -s INSTALL_MOD_PATH="$out.new" modules_install) >>"$base/build.log" 2>&1 ||
	die "modules_install failed (log $base/build.log)"
depmod -b "$out.new" "$rel" || die "depmod failed"
cp "$tree/vmlinux" "$out.new/vmlinux"
echo "$rel" >"$out.new/kernel.release"
ln -sfn "$tree" "$out.new/tree"
echo "$key" >"$out.new/key"
bt="$(((t1 - t0) / 60))m$(((t1 - t0) % 60))s wall, make CPU ${cpu_u}s user + ${cpu_s}s sys, -j$jobs, load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$bt" >"$out.new/build-time"
rm -rf "$out"
mv "$out.new" "$out"
log "built $rel: $bt; cache $out"
echo "$rel"
