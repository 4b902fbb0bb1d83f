#!/bin/bash
# The Debian packages, installed for real (TAP on stdout).
#   tests/deb/run.sh [KVER...]   guests to boot (default: the newest installed
#                                6.1 and 6.12 with headers, as make check)
# Needs root, apt, dkms, the kernels' headers.  Env DEB_VM=0 skips the
# guests (only for quick runs of a broken packaging, see below).
#
# 1. make deb: dpkg-buildpackage + lintian (warnings fail); each .deb holds
#    exactly the expected files; /etc/abpath.json is a conffile.
# 2. apt-get install ./dm-ps-weighted-dkms_*.deb ./abpath_*.deb (refused if
#    apt would pull in anything else): DKMS builds and installs the modules
#    for every kernel with headers that dkms.conf's range takes, the ABI
#    guard ran first; abpath, its man page, completion and conffile work.
# 3. New kernel: the module of the last KVER is removed from DKMS, then the
#    kernel's postinst hook (/etc/kernel/postinst.d/dkms KVER IMAGE, as
#    run-parts calls it from linux-image-KVER's postinst; the headers'
#    header_postinst.d hook is the same script) must build and install it
#    again.  This proves the AUTOINSTALL path for a kernel that has headers
#    and no module; no kernel package is actually installed.
# 4. One guest per KVER loads the DKMS-built modules by modprobe and by a
#    table naming the selector (tests/deb/guest.sh).
# 5. apt-get purge: /usr /etc /lib /var/lib/dkms list the same paths as
#    before the install (dkms's MOK key excepted: dkms creates it, this test
#    removes it if it was not there before), dkms status as before.
#
# Bugs it catches (each seen failing, 2026-12-07): a file dropped from an
# install list (debian/abpath.install without abpath.json: contents and
# conffile tests fail); a maintainer script leaving a file behind on purge
# (a postinst writing /etc/modules-load.d/dm-ps-weighted.conf: the file
# lists differ);
# the package's postinst without its loop, dh_dkms's alone (builds for the
# running and the newest kernel only: the 6.1 RT kernel had no modules).
#
# The machine is restored whatever happens (trap): packages purged, DKMS
# entries removed.  If either package or the DKMS module is there before the
# test, it refuses to run rather than remove someone's install.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

# shellcheck source=tests/tap.sh
. tests/tap.sh
bail() { nok "$*"; echo "1..$n"; exit 1; }

name=dm-ps-weighted
version=$(cat VERSION)
arch=$(dpkg --print-architecture)
pkgs=(dm-ps-weighted-dkms abpath)
debs=("build/deb/dm-ps-weighted-dkms_${version}_all.deb" "build/deb/abpath_${version}_$arch.deb")
pkg_present() { dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null | grep -qv '^not-installed$'; }

[ "$(id -u)" = 0 ] || bail "must run as root (apt-get install, dkms)"
for p in "${pkgs[@]}"; do
	pkg_present "$p" && bail "$p is installed already: refusing to run (the test purges it)"
done
[ -z "$(dkms status -m "$name" 2>/dev/null)" ] && [ ! -e "/usr/src/$name-$version" ] ||
	bail "$name is in DKMS or /usr/src already (make dkms-install?): refusing to run"

# Kernels with headers, and those of them dkms.conf's BUILD_EXCLUSIVE_KERNEL takes.
re=$(bash -c '. ./dkms.conf; echo "$BUILD_EXCLUSIVE_KERNEL"')
in_range=() out_range=()
for d in /lib/modules/*/build/include; do
	[ -d "$d" ] || continue
	k=${d#/lib/modules/} k=${k%/build/include}
	if [[ $k =~ $re ]]; then in_range+=("$k"); else out_range+=("$k"); fi
done
echo "# kernels with headers in 6.1..6.12: ${in_range[*]}; outside: ${out_range[*]:-none}"
echo "# all of /lib/modules: $(ls /lib/modules | tr '\n' ' ')(running: $(uname -r))"
if [ $# -gt 0 ]; then vm_kvers=("$@"); else
	vm_kvers=()
	for s in 6.1 6.12; do
		k=$(printf '%s\n' "${in_range[@]}" | grep -v -e -rt- -e cloud | grep "^$s[.-]" | sort -V | tail -n 1)
		[ -n "$k" ] && vm_kvers+=("$k")
	done
fi

out=$top/build/deb-test
rm -rf "$out" && mkdir -p "$out"
snap() { # the paths an install can touch
	local d
	for d in /usr /etc /lib /var/lib/dkms; do
		[ -L "$d" ] || find "$d" -xdev 2>/dev/null
	done | grep -v '^/var/lib/dkms/mok\.' | sort
}
mok_before=0
[ -e /var/lib/dkms/mok.key ] && mok_before=1
restore() {
	local p left=() j
	# guests still running (interrupted in step 4): stop them first
	for j in $(jobs -p); do pkill -TERM -P "$j" 2>/dev/null; kill "$j" 2>/dev/null; done
	wait 2>/dev/null
	for p in "${pkgs[@]}"; do pkg_present "$p" && left+=("$p"); done
	if [ ${#left[@]} -gt 0 ]; then
		echo "# restore: purging ${left[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${left[@]}" >"$out/restore.log" 2>&1 ||
			dpkg --purge --force-all "${left[@]}" >>"$out/restore.log" 2>&1
	fi
	if [ -n "$(dkms status -m "$name" 2>/dev/null)" ]; then
		echo "# restore: dkms remove $name --all"
		dkms remove -m "$name" -v "$version" --all >>"$out/restore.log" 2>&1
	fi
	pkg_present dm-ps-weighted-dkms || rm -rf "/usr/src/$name-$version"
	[ "$mok_before" = 1 ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	# say so if the machine could not be restored
	left=()
	for p in "${pkgs[@]}"; do pkg_present "$p" && left+=("$p"); done
	p=0
	[ ${#left[@]} -eq 0 ] || { echo "not ok - restore: still installed: ${left[*]} (see $out/restore.log)"; p=1; }
	[ -z "$(dkms status -m "$name" 2>/dev/null)" ] ||
		{ echo "not ok - restore: dkms still lists $name (see $out/restore.log)"; p=1; }
	[ $p = 0 ] || exit 1
}
trap restore EXIT
trap 'exit 130' INT TERM

# ---- 1. build ---------------------------------------------------------------
t=$(now)
if nice -n 10 make -s deb >"$out/make-deb.log" 2>&1; then
	ok "make deb: dpkg-buildpackage -us -uc -b and lintian without errors or warnings ($(dt "$t"))"
else
	tail -n 40 "$out/make-deb.log" | diag
	bail "make deb"
fi
want_dkms() {
	local d=usr/share/doc/dm-ps-weighted-dkms
	printf '%s\n' "$d/README.md.gz" "$d/changelog.gz" "$d/copyright" "$d/dm-least-blocks.rst.gz" \
		"$d/dm-mpath-bio-double-end-io.rst.gz" "$d/dm-weighted-paths.rst.gz" \
		"$d/examples/modules-load.conf" usr/share/man/man7/dm-ps-weighted.7.gz
	scripts/dkms.sh source "$out/stage" # the DKMS tree of make dkms-install, without COPYING
	(cd "$out/stage" && find . -type f ! -name COPYING) | sed "s|^\.|usr/src/$name-$version|"
}
want_abpath() {
	printf '%s\n' etc/abpath.json usr/sbin/abpath usr/share/bash-completion/completions/abpath \
		lib/udev/rules.d/60-abpath.rules \
		usr/share/doc/abpath/README.Debian usr/share/doc/abpath/README.md.gz \
		usr/share/doc/abpath/changelog.gz usr/share/doc/abpath/copyright usr/share/man/man8/abpath.8.gz
}
for i in 0 1; do
	want=$(if [ $i = 0 ]; then want_dkms; else want_abpath; fi | sort)
	got=$(dpkg-deb -c "${debs[i]}" 2>/dev/null | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort)
	if [ -n "$got" ] && [ "$want" = "$got" ]; then ok "${debs[i]##*/}: the $(wc -l <<<"$got") expected files"; else
		nok "${debs[i]##*/}: the expected files"; diff <(echo "$want") <(echo "$got") | diag; fi
done
check "dm-ps-weighted-dkms is Architecture: all, Depends on dkms and the headers" \
	bash -c "[ \"\$(dpkg-deb -f '${debs[0]}' Architecture)\" = all ] &&
		dpkg-deb -f '${debs[0]}' Depends | grep -q 'linux-headers-amd64 | linux-headers-generic | linux-headers.*dkms'"
check "/etc/abpath.json is a conffile of abpath" \
	bash -c "dpkg-deb -I '${debs[1]}' conffiles 2>/dev/null | grep -qx /etc/abpath.json"

# ---- 2. install ---------------------------------------------------------------
sim=$(apt-get install -s "${debs[@]/#/./}" 2>&1 | awk '/^Inst / { print $2 }' | sort | tr '\n' ' ')
[ "$sim" = "abpath dm-ps-weighted-dkms " ] ||
	bail "apt-get would install exactly our two packages (would install: ${sim:-nothing}; run scripts/deps.sh)"
snap >"$out/before.list"
dkms status >"$out/dkms-status.before" 2>/dev/null
# As on a host running the first guest kernel: a uname shim (apt's
# DPkg::Path) shows it to dh_dkms's common.postinst, which then builds for
# the running and the newest kernel only (a running kernel missing from
# /lib/modules, as in a container, makes it build for all): the other
# kernels must come from the package's own postinst loop.
mkdir -p "$out/shim"
cat >"$out/shim/uname" <<EOF
#!/bin/sh
# only for common.postinst (scripts/abi-check.sh reads the running kernel's BTF)
if [ "\$*" = -r ] && grep -q common.postinst /proc/\$PPID/cmdline; then echo ${vm_kvers[0]}; exit 0; fi
exec /usr/bin/uname "\$@"
EOF
chmod +x "$out/shim/uname"
t=$(now)
if DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Path="$out/shim:/usr/sbin:/usr/bin:/sbin:/bin" "${debs[@]/#/./}" >"$out/install.log" 2>&1; then
	ok "apt-get install ./${debs[0]##*/} ./${debs[1]##*/} ($(dt "$t"))"
else
	tail -n 40 "$out/install.log" | diag
	bail "apt-get install of the packages"
fi
grep -E '^(Building|Module build|Loading|dkms|Error|Skipped)|BUILD_EXCLUSIVE|abi-check' "$out/install.log" | diag
dkms status -m "$name" 2>/dev/null | diag
modfile() { ls "/lib/modules/$1/updates/dkms/$2.ko"* 2>/dev/null | head -n 1; }
for k in "${in_range[@]}"; do
	bad=""
	dkms status -m "$name" -v "$version" -k "$k" 2>/dev/null | grep -q ': installed' || bad+=" not-installed-in-dkms"
	for m in dm-least-blocks dm-weighted-paths; do
		f=$(modfile "$k" "$m")
		[ -n "$f" ] || { bad+=" no-$m"; continue; }
		modinfo -F vermagic "$f" | grep -q "^$k " || bad+=" $m-vermagic"
		[ "$(modinfo -F version "$f")" = "$version" ] || bad+=" $m-version"
	done
	modprobe -S "$k" --show-depends dm-weighted-paths-priority 2>/dev/null | tail -n 1 |
		grep -q "/updates/dkms/dm-weighted-paths.ko" || bad+=" depmod-index"
	grep -q "ABI checked before the build" "/var/lib/dkms/$name/$version/$k/"*/log/make.log 2>/dev/null ||
		bad+=" no-abi-check-in-make.log"
	if [ -z "$bad" ]; then ok "DKMS built and installed both modules for $k (ABI guard ran, depmod indexed them)"; else
		nok "DKMS modules for $k:$bad"; fi
done
for k in "${out_range[@]}"; do
	check "$k (outside 6.1..6.12) skipped, the install did not fail" test -z "$(modfile "$k" dm-least-blocks)"
done
check "abpath --version is $version" test "$(abpath --version 2>&1)" = "abpath $version"
check "man abpath, man 7 dm-ps-weighted" bash -c 'man -w abpath >/dev/null && man -w 7 dm-ps-weighted >/dev/null'
# The shipped /etc/abpath.json is the built-in defaults: same output but the
# line naming where the sides come from.
fx=tests/abpath/fixtures/two-portals
same=1
for c in show "table --all" conf check "plan --host 5"; do
	a=$(abpath --sysfs "$fx" --no-config $c 2>&1 | grep -v -e 'sides' -e 'RackStack pair')
	b=$(abpath --sysfs "$fx" $c 2>&1 | grep -v -e 'sides' -e 'RackStack pair')
	[ "$a" = "$b" ] || { same=0; echo "# differs: abpath $c"; }
done
check "abpath reads /etc/abpath.json, which behaves as the built-in defaults" \
	bash -c "[ $same = 1 ] && abpath --sysfs $fx show 2>&1 | grep -q '^sides: from /etc/abpath.json'"
comp() { # WORDS...: what bash completion offers for the last word
	bash -c '. /usr/share/bash-completion/bash_completion
		. /usr/share/bash-completion/completions/abpath
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_abpath abpath; printf "%s\n" "${COMPREPLY[@]}"' _ "$@" | sort | tr '\n' ' '
}
c1=$(comp abpath re) c2=$(comp abpath apply --d) c3=$(comp abpath --json plan --) c4=$(comp abpath table --policy w)
check "completion: 're' -> '$c1', 'apply --d' -> '$c2', 'plan --' -> '$c3', '--policy w' -> '$c4'" \
	test "$c1|$c2|$c3|$c4" = "reinstate |--dry-run |--config --help --host --json --no-config --side-a --side-b |weighted-paths "

# ---- 3. a new kernel: the kernel postinst hook builds the module ------------
kn=${vm_kvers[${#vm_kvers[@]} - 1]:-}
if [ -n "$kn" ]; then
	dkms remove -m "$name" -v "$version" -k "$kn" >"$out/autoinstall.log" 2>&1
	if [ -z "$(modfile "$kn" dm-least-blocks)" ]; then
		t=$(now)
		/etc/kernel/postinst.d/dkms "$kn" "/boot/vmlinuz-$kn" >>"$out/autoinstall.log" 2>&1
		rc=$?
		if [ $rc = 0 ] && dkms status -m "$name" -v "$version" -k "$kn" 2>/dev/null | grep -q ': installed' &&
			modinfo -F vermagic "$(modfile "$kn" dm-least-blocks)" | grep -q "^$kn "; then
			ok "/etc/kernel/postinst.d/dkms $kn rebuilt and installed the module removed from DKMS ($(dt "$t"))"
		else
			nok "kernel postinst hook for $kn (rc $rc)"; tail -n 20 "$out/autoinstall.log" | diag
		fi
	else
		nok "dkms remove -k $kn left the module"; diag <"$out/autoinstall.log"
	fi
fi

# ---- 4. the modules in guests -------------------------------------------------
if [ "${DEB_VM:-1}" = 0 ]; then
	echo "# DEB_VM=0: guests skipped"
else
	pids=()
	for k in "${vm_kvers[@]}"; do
		{
			t=$(now)
			scripts/vm-run --kver "$k" --timeout 900 --out "$out/vm-$k" --env VM_TEST_VERBOSE=1 \
				-- tests/vm/runner.sh tests/deb/guest.sh
			echo "vm-run exit $? after $(dt "$t")"
		} >"$out/vm-$k.raw" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	for k in "${vm_kvers[@]}"; do
		r=$(tail -n 1 "$out/vm-$k.raw")
		if [ "${r#vm-run exit 0 }" != "$r" ]; then ok "guest $k: modprobe and table auto-load of the DKMS modules (${r##* })"; else
			nok "guest $k: $r"; fi
		grep -v '^vm-run exit' "$out/vm-$k.raw" | diag
	done
fi

# ---- 5. purge -------------------------------------------------------------------
t=$(now)
if DEBIAN_FRONTEND=noninteractive apt-get purge -y "${pkgs[@]}" >"$out/purge.log" 2>&1; then
	ok "apt-get purge ${pkgs[*]} ($(dt "$t"))"
else
	nok "apt-get purge"; tail -n 30 "$out/purge.log" | diag
fi
snap >"$out/after.list"
if cmp -s "$out/before.list" "$out/after.list"; then
	ok "purge left /usr /etc /lib /var/lib/dkms as before the install ($(wc -l <"$out/after.list") paths)"
else
	nok "purge left /usr /etc /lib /var/lib/dkms as before"; diff "$out/before.list" "$out/after.list" | diag
fi
dkms status >"$out/dkms-status.after" 2>/dev/null
check "dkms status as before the install ($(wc -l <"$out/dkms-status.after") lines)" \
	cmp -s "$out/dkms-status.before" "$out/dkms-status.after"
for k in "${in_range[@]}"; do
	check "modprobe finds no dm-least-blocks for $k" bash -c "! modprobe -S '$k' -n dm-least-blocks 2>/dev/null"
done

echo "1..$n"
[ "$failed" = 0 ]
