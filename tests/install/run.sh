#!/bin/bash
# make install / uninstall and DKMS, tested on the host (TAP on stdout).
#   tests/install/run.sh [KVER...]     (default: the newest installed 6.1 and
#                                       6.12 with headers, as make check)
# Needs root (dkms), the modules built for each KVER (scripts/build-modules.sh,
# which `make install` also runs) and dkms.  Everything happens under a
# temporary directory: DESTDIR installs, a symlinked copy of
# /lib/modules/KVER for `depmod -b`, and DKMS source/build/install trees
# (--sourcetree/--dkmstree/--installtree, MOK key in the temp dir too).
# The host's /usr/src, /var/lib/dkms and /lib/modules are compared before
# and after.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

# shellcheck source=tests/tap.sh
. tests/tap.sh

newest() { # SERIES
	local v best=""
	for v in /lib/modules/"$1".*; do
		v=${v#/lib/modules/}
		[[ $v == *-rt-* || $v == *cloud* ]] && continue
		[ -e "/lib/modules/$v/build/Makefile" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n 1)
	done
	echo "$best"
}
if [ $# -gt 0 ]; then kvers=("$@"); else read -r -a kvers <<<"$(newest 6.1) $(newest 6.12)"; fi
[ ${#kvers[@]} -ge 1 ] || { echo "not ok 1 - no kernel headers installed"; exit 1; }
echo "# kernels: ${kvers[*]}"

tmp=$(mktemp -d /tmp/dmpsw-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
k1=${kvers[0]}
version=$(cat VERSION)

host_state() {
	{
		ls -la /usr/src /var/lib/dkms 2>&1
		find /lib/modules -maxdepth 3 -path '*/updates*' 2>/dev/null
		for k in "${kvers[@]}"; do stat -c '%n %s %Y' "/lib/modules/$k/modules.dep"; done
		ls /etc/modules-load.d /var/lib/dm-ps-weighted 2>&1
	} | sort
}
host_state >"$tmp/host.before"

# ---- make install / uninstall into DESTDIR --------------------------------
expected_files() { # KVER...
	local k
	for k in "$@"; do
		echo "lib/modules/$k/updates/dm-least-blocks.ko"
		echo "lib/modules/$k/updates/dm-weighted-paths.ko"
	done
	printf '%s\n' usr/sbin/abpath usr/share/man/man8/abpath.8 usr/share/man/man7/dm-ps-weighted.7 \
		etc/modules-load.d/dm-ps-weighted.conf var/lib/dm-ps-weighted/manifest \
		lib/udev/rules.d/60-abpath.rules
}
files_in() { (cd "$1" && find . -type f -o -type l) | sed 's|^\./||' | sort; }

d=$tmp/root
mkdir -p "$d/usr/sbin"
echo keep >"$d/usr/sbin/foreign"	# somebody else's file: uninstall keeps it
t=$(now)
if make -s install KVER="$k1" DESTDIR="$d" >"$tmp/install1.log" 2>&1; then
	ok "make install KVER=$k1 DESTDIR=... ($(dt "$t"))"
else
	nok "make install KVER=$k1 DESTDIR=..."
	diag <"$tmp/install1.log"
fi
{ expected_files "$k1"; echo usr/sbin/foreign; } | sort >"$tmp/want1"
files_in "$d" >"$tmp/got1"
if cmp -s "$tmp/want1" "$tmp/got1"; then ok "installed file list ($(wc -l <"$tmp/got1") files)"; else
	nok "installed file list"; diff "$tmp/want1" "$tmp/got1" | diag; fi
check "no depmod output under DESTDIR (depmod skipped)" \
	test ! -e "$d/lib/modules/$k1/modules.dep"
for m in dm-least-blocks dm-weighted-paths; do
	check "$m.ko installed = build/ko/$k1/$m.ko" cmp -s "build/ko/$k1/$m.ko" "$d/lib/modules/$k1/updates/$m.ko"
done
check "installed dm-weighted-paths.ko has alias dm-weighted-paths-priority" \
	bash -c "modinfo -F alias '$d/lib/modules/$k1/updates/dm-weighted-paths.ko' | grep -qx dm-weighted-paths-priority"
check "modules-load.d lists dm-least-blocks and dm-weighted-paths" \
	test "$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$d/etc/modules-load.d/dm-ps-weighted.conf" | tr '\n' ' ')" = "dm-least-blocks dm-weighted-paths "
check "abpath installed executable, mode 0755" test "$(stat -c %a "$d/usr/sbin/abpath")" = 755
check "manifest lists exactly the installed files" \
	bash -c "diff <(sed -n 's|^f /||p' '$d/var/lib/dm-ps-weighted/manifest' | sort) <(grep -vx usr/sbin/foreign '$tmp/got1')"
for page in usr/share/man/man8/abpath.8 usr/share/man/man7/dm-ps-weighted.7; do
	if out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$d/$page" 2>&1 >/dev/null) && [ -z "$out" ]; then
		ok "man page $page renders without warnings"
	else
		nok "man page $page renders without warnings"; echo "$out" | diag
	fi
done

# A second kernel adds to the same install and manifest.
if [ ${#kvers[@]} -ge 2 ]; then
	k2=${kvers[1]}
	if make -s install KVER="$k2" DESTDIR="$d" >"$tmp/install2.log" 2>&1; then
		ok "make install KVER=$k2 into the same DESTDIR"
	else
		nok "make install KVER=$k2 into the same DESTDIR"; diag <"$tmp/install2.log"
	fi
	{ expected_files "$k1" "$k2"; echo usr/sbin/foreign; } | sort -u >"$tmp/want2"
	files_in "$d" >"$tmp/got2"
	if cmp -s "$tmp/want2" "$tmp/got2"; then ok "file list with both kernels"; else
		nok "file list with both kernels"; diff "$tmp/want2" "$tmp/got2" | diag; fi
fi

if make -s uninstall DESTDIR="$d" >"$tmp/uninstall1.log" 2>&1; then
	ok "make uninstall DESTDIR=..."
else
	nok "make uninstall DESTDIR=..."; diag <"$tmp/uninstall1.log"
fi
left=$(cd "$d" && find . -mindepth 1 | sort | tr '\n' ' ')
check "uninstall leaves only the foreign file (left: $left)" \
	test "$left" = "./usr ./usr/sbin ./usr/sbin/foreign "
if make -s uninstall DESTDIR="$d" >"$tmp/uninstall2.log" 2>&1; then
	nok "a second uninstall (no manifest) fails"
else
	ok "a second uninstall (no manifest) fails: $(tail -n 1 "$tmp/uninstall2.log")"
fi

# Into an empty DESTDIR: uninstall leaves nothing at all.
d=$tmp/empty
mkdir -p "$d"
make -s install KVER="$k1" DESTDIR="$d" >"$tmp/install3.log" 2>&1 &&
	make -s uninstall DESTDIR="$d" >>"$tmp/install3.log" 2>&1
rc=$?
left=$(cd "$d" && find . -mindepth 1 | wc -l)
if [ $rc = 0 ] && [ "$left" = 0 ]; then ok "install + uninstall into an empty DESTDIR leaves it empty"; else
	nok "install + uninstall into an empty DESTDIR leaves it empty (rc $rc, $left left)"
	diag <"$tmp/install3.log"; (cd "$d" && find . -mindepth 1) | diag
fi

# ---- depmod: the real index of an install --------------------------------
# A copy of /lib/modules/K1 made of symlinks (the index files themselves
# copied), install into it with DEPMOD=1: depmod -b runs on it.
s=$tmp/depmod
mkdir -p "$s/lib/modules"
cp -rs "/lib/modules/$k1" "$s/lib/modules/"
find "$s/lib/modules/$k1" -maxdepth 1 -name 'modules.*' -type l -delete
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp -L "/lib/modules/$k1/$f" "$s/lib/modules/$k1/" 2>/dev/null
done
t=$(now)
if DEPMOD=1 scripts/install.sh install --kver "$k1" --destdir "$s" >"$tmp/depmod1.log" 2>&1; then
	ok "install with DEPMOD=1 runs depmod -b on a copy of /lib/modules/$k1 ($(dt "$t"))"
else
	nok "install with DEPMOD=1 runs depmod -b"; diag <"$tmp/depmod1.log"
fi
dep=$s/lib/modules/$k1/modules.dep
for m in dm-least-blocks dm-weighted-paths; do
	check "modules.dep: updates/$m.ko depends on dm-multipath" \
		grep -Eq "^updates/$m\.ko: .*kernel/drivers/md/dm-multipath\.ko" "$dep"
done
for a in "dm-least-blocks dm_least_blocks" "dm-weighted-paths dm_weighted_paths" \
	"dm-weighted-paths-priority dm_weighted_paths"; do
	check "modules.alias: alias $a" grep -qx "alias $a" "$s/lib/modules/$k1/modules.alias"
done
check "modprobe resolves dm-weighted-paths-priority to updates/ in the copy" \
	bash -c "modprobe -d '$s' -S '$k1' --show-depends dm-weighted-paths-priority | tail -n 1 | grep -q '/updates/dm-weighted-paths.ko'"
if DEPMOD=1 scripts/install.sh uninstall --destdir "$s" >"$tmp/depmod2.log" 2>&1; then
	ok "uninstall with DEPMOD=1"
else
	nok "uninstall with DEPMOD=1"; diag <"$tmp/depmod2.log"
fi
check "after uninstall + depmod the index has no dm-ps-weighted module" \
	bash -c "! grep -q 'dm-least-blocks\|dm-weighted-paths' '$dep' '$s/lib/modules/$k1/modules.alias'"
rm -rf "$s"

# ---- DKMS -------------------------------------------------------------------
check "dkms.conf PACKAGE_VERSION = VERSION ($version)" grep -qx "PACKAGE_VERSION=\"$version\"" dkms.conf
# BUILD_EXCLUSIVE_KERNEL: what dkms does with it ([[ $kernelver =~ $re ]]).
re=$(bash -c '. ./dkms.conf; echo "$BUILD_EXCLUSIVE_KERNEL"')
bad=""
for k in 6.1.0-56-amd64 6.1.0-56-rt-amd64 6.12.117+deb12-amd64 6.5.0-1-amd64 6.10.3-amd64; do
	[[ $k =~ $re ]] || bad+=" $k(refused)"
done
for k in 6.13.0-1-amd64 6.0.0-1-amd64 5.10.0-30-amd64 7.1.0-1-amd64 6.100.1; do
	[[ $k =~ $re ]] && bad+=" $k(accepted)"
done
check "BUILD_EXCLUSIVE_KERNEL takes 6.1..6.12 only${bad:+:$bad}" test -z "$bad"

if ! command -v dkms >/dev/null; then
	nok "dkms installed (scripts/deps.sh)"
else
	dk=$tmp/dkms
	src=$dk/src
	mkdir -p "$dk/tree" "$dk/inst"
	scripts/dkms.sh source "$src/dm-ps-weighted-$version"
	export mok_signing_key=$dk/mok.key mok_certificate=$dk/mok.pub
	dko=(--sourcetree "$src" --dkmstree "$dk/tree" --installtree "$dk/inst")
	if dkms add -m dm-ps-weighted -v "$version" "${dko[@]}" >"$tmp/dkms-add.log" 2>&1; then
		ok "dkms add (source tree in a temp dir)"
	else
		nok "dkms add"; diag <"$tmp/dkms-add.log"
	fi
	for k in "${kvers[@]}"; do
		t=$(now)
		if dkms build -m dm-ps-weighted -v "$version" -k "$k" "${dko[@]}" >"$tmp/dkms-build-$k.log" 2>&1; then
			ok "dkms build -k $k ($(dt "$t"))"
		else
			nok "dkms build -k $k"; tail -n 30 "$tmp/dkms-build-$k.log" | diag
			tail -n 30 "$dk/tree/dm-ps-weighted/$version/build/make.log" 2>/dev/null | diag
		fi
		for m in dm-least-blocks dm-weighted-paths; do
			ko=$(find "$dk/tree/dm-ps-weighted/$version/$k" -path "*/module/$m.ko*" 2>/dev/null | head -n 1)
			if [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$k "; then
				ok "dkms built $m for $k ($(basename "$ko"))"
			else
				nok "dkms built $m for $k (${ko:-no .ko})"
			fi
		done
		mkdir -p "$dk/inst/$k"	# dkms refuses a kernel without its dir
		if dkms install -m dm-ps-weighted -v "$version" -k "$k" --no-depmod "${dko[@]}" >"$tmp/dkms-inst-$k.log" 2>&1 &&
			ls "$dk/inst/$k/updates/dkms/dm-least-blocks.ko"* "$dk/inst/$k/updates/dkms/dm-weighted-paths.ko"* >/dev/null 2>&1; then
			ok "dkms install -k $k puts both modules in updates/dkms/ (temp install tree)"
		else
			nok "dkms install -k $k"; tail -n 20 "$tmp/dkms-inst-$k.log" | diag
		fi
	done
	if dkms remove -m dm-ps-weighted -v "$version" --all --no-depmod "${dko[@]}" >"$tmp/dkms-rm.log" 2>&1 &&
		[ -z "$(ls -A "$dk/tree")" ] && [ -z "$(find "$dk/inst" -type f -o -type l)" ]; then
		ok "dkms remove --all empties the DKMS and install trees"
	else
		nok "dkms remove --all"; diag <"$tmp/dkms-rm.log"; find "$dk/tree" "$dk/inst" -type f | diag
	fi
	unset mok_signing_key mok_certificate
fi

host_state >"$tmp/host.after"
if cmp -s "$tmp/host.before" "$tmp/host.after"; then
	ok "host /usr/src, /var/lib/dkms, /lib/modules, /etc/modules-load.d unchanged"
else
	nok "host state changed"; diff "$tmp/host.before" "$tmp/host.after" | diag
fi

echo "1..$n"
[ "$failed" = 0 ]
