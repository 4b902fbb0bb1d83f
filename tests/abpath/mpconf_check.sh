#!/bin/bash
# Every "abpath conf" snippet must be accepted by multipath-tools as the only
# configuration: "multipath -t" (multipath-tools on the host) reads it from
# /etc/multipath.conf inside a private mount namespace whose /etc is an
# overlay (nothing on the host changes), and must print no "invalid keyword"
# or other config-parse complaint, and must show our settings back
# (issue 16 found 6: hardware_handler in multipaths{} was dropped as an
# invalid keyword).  TAP on stdout.  Run from tests/abpath; env ABPATH.
# Needs root (mount namespace) and multipath(8); without them every case is
# reported as skipped.
set -u
AB=${ABPATH:?ABPATH=path/to/abpath}
cases=(
	"--sysfs fixtures/two-portals --no-config conf"
	"--sysfs fixtures/two-portals --no-config conf --weight A=3,B=1 --no-path-retry 12"
	"--sysfs fixtures/two-portals --no-config conf --weight A=3,B=1 --hw-handler alua"
	"--sysfs fixtures/two-portals --no-config conf --layout failover --policy round-robin --no-path-retry queue"
	"--sysfs fixtures/two-portals --no-config conf --policy weighted-paths --wp-mode priority --weight A=1,B=2"
	"--sysfs fixtures/four-portals --config fixtures/four-portals/abpath.json conf --hw-handler alua"
	"--sysfs fixtures/multi-iqn --no-config conf --policy least-blocks --weight A=1,B=4"
)
skip=""
[ "$(id -u)" = 0 ] || skip="not root"
command -v multipath >/dev/null || skip="multipath (multipath-tools) not installed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abpath-mpconf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
echo "TAP version 13"
echo "1..${#cases[@]}"
for c in "${cases[@]}"; do
	n=$((n + 1))
	if [ -n "$skip" ]; then
		echo "ok $n - multipath -t: abpath $c # SKIP $skip"
		continue
	fi
	# shellcheck disable=SC2086
	"$AB" $c >"$tmp/snip.conf" 2>"$tmp/abpath.err" || {
		echo "not ok $n - multipath -t: abpath $c (abpath exit $?)"
		sed 's/^/# /' "$tmp/abpath.err"
		bad=$((bad + 1))
		continue
	}
	rm -rf "$tmp/u" "$tmp/w"
	mkdir "$tmp/u" "$tmp/w"
	unshare -m sh -c "mount -t overlay overlay -o lowerdir=/etc,upperdir=$tmp/u,workdir=$tmp/w /etc &&
		rm -rf /etc/multipath /etc/multipath.conf && cp '$tmp/snip.conf' /etc/multipath.conf &&
		multipath -t" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	why=""
	[ $rc = 0 ] || why="multipath -t exit $rc"
	# config complaints go to stderr ("/etc/multipath.conf line N, invalid
	# keyword ..."): any line there fails the case
	[ -s "$tmp/err" ] && why="$why; multipath -t said: $(head -3 "$tmp/err" | tr '\n' ' ')"
	# our settings must come back in the effective configuration
	for w in $(grep -oE '^[[:space:]]+wwid "[^"]+"' "$tmp/snip.conf" | grep -oE '"[^"]+"'); do
		grep -qF "wwid $w" "$tmp/out" || why="$why; wwid $w missing from multipath -t"
	done
	if grep -q 'failback immediate' "$tmp/snip.conf"; then
		grep -q 'failback "\?immediate' "$tmp/out" || why="$why; failback immediate missing"
	fi
	if grep -q '^devices {' "$tmp/snip.conf"; then
		v=$(grep -m1 -oE 'vendor "[^"]+"' "$tmp/snip.conf")
		grep -qF "$v" "$tmp/out" || why="$why; devices entry ($v) missing"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - multipath -t: abpath $c"
	else
		echo "not ok $n - multipath -t: abpath $c: ${why#; }"
		bad=$((bad + 1))
	fi
done
[ $bad = 0 ]
