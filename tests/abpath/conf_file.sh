#!/bin/bash
# abpath conf --output / --refresh / --reconfigure (issue 17: weights that
# survive a re-login).  TAP on stdout.  Run from tests/abpath; env ABPATH.
# A fake multipathd on PATH records each "reconfigure" it gets; its "pid
# file" (ABPATH_MULTIPATHD_PIDFILE) names this shell, so it "runs".
# Catches (each seen failing with the code broken that way, 2026-12-07):
#  - a file rewritten although its text did not change (case 2: a new
#    inode; with --reconfigure that is a multipathd reload per disk event)
#  - reconfigure run when nothing changed (case 5), or not run when the
#    file changed (case 4)
#  - relative --sysfs/--config recorded: udev runs --refresh from /
#    (case 3, run from /)
#  - a failed reconfigure never tried again (FILE.reconfigure-pending)
#  - reconfigure asked of a multipathd that is not running
#  - $ABPATH_CONFIG not recorded (the refresh would read other sides)
#  - a recorded option outside what --output writes (--reconf) replayed
#  - bad input that changes the file
# The re-login itself, with multipathd and udev: tests/vm/t_mpd_relogin.sh.
set -u
AB=${ABPATH:?ABPATH=path/to/abpath}
AB=$(cd "$(dirname "$AB")" && pwd)/$(basename "$AB")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abpath-conffile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
cat >"$tmp/bin/multipathd" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/mpd.calls"
[ -e "$tmp/mpd.fail" ] && exit 1
echo ok
EOF
chmod +x "$tmp/bin/multipathd"
export PATH="$tmp/bin:$PATH"
echo $$ >"$tmp/mpd.pid"
export ABPATH_MULTIPATHD_PIDFILE=$tmp/mpd.pid
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $*"; }
calls() { [ -f "$tmp/mpd.calls" ] && grep -c reconfigure "$tmp/mpd.calls" || echo 0; }
F=$tmp/abpath.conf
echo "TAP version 13"

# 1. --output writes, records the arguments with absolute paths
out=$("$AB" --sysfs fixtures/two-portals --no-config conf --policy weighted-paths --weight A=3,B=1 \
	--output "$F" --reconfigure 2>&1)
rc=$?
fx=$(cd fixtures/two-portals && pwd)
if [ $rc = 0 ] && [ "$out" = "$F: written" ] &&
	[ "$(head -n 1 "$F")" = "# abpath conf arguments: --sysfs $fx --no-config --policy weighted-paths --weight A=3,B=1" ] &&
	grep -q 'prio_args "hbtl ^2:0:0:0\$ 3 ^3:0:0:0\$ 1"' "$F" && [ "$(calls)" = 1 ]; then
	ok "--output writes the snippet, records the arguments, reconfigures once"
else
	nok "--output: rc $rc, '$out', first line '$(head -n 1 "$F" 2>/dev/null)', reconfigures $(calls)"
fi
# the rest of the file is what conf prints
if diff <(tail -n +2 "$F") <("$AB" --sysfs fixtures/two-portals --no-config conf --policy weighted-paths --weight A=3,B=1) >/dev/null; then
	ok "--output FILE holds conf's stdout text after the arguments line"
else
	nok "--output FILE differs from conf's stdout"
fi

# 2. the same again: not rewritten (same inode), no reconfigure
ino=$(stat -c %i "$F")
out=$("$AB" --sysfs fixtures/two-portals --no-config conf --policy weighted-paths --weight A=3,B=1 \
	--output "$F" --reconfigure 2>&1)
if [ $? = 0 ] && [ "$out" = "$F: unchanged" ] && [ "$(stat -c %i "$F")" = "$ino" ] && [ "$(calls)" = 1 ]; then
	ok "unchanged text: file left alone, no reconfigure"
else
	nok "unchanged text: '$out', inode $ino -> $(stat -c %i "$F"), reconfigures $(calls)"
fi

# 3. a re-login moved A to another SCSI host: the file is stale (simulated
#    by editing it); --refresh from / writes it again with its arguments
sed -i 's/\^2:0:0:0\$ 3/^7:0:0:0$ 3/' "$F"
out=$(cd / && "$AB" conf --refresh "$F" --reconfigure 2>&1)
rc=$?
if [ $rc = 0 ] && [ "$out" = "$F: written" ] && grep -q 'prio_args "hbtl ^2:0:0:0\$ 3 ^3:0:0:0\$ 1"' "$F" &&
	[ "$(calls)" = 2 ]; then
	ok "--refresh (run from /) rewrites a stale file with the recorded arguments and reconfigures"
else
	nok "--refresh: rc $rc, '$out', $(grep prio_args "$F"), reconfigures $(calls)"
fi

# 4. --refresh again: unchanged, no reconfigure
out=$("$AB" conf --refresh "$F" --reconfigure 2>&1)
if [ $? = 0 ] && [ "$out" = "$F: unchanged" ] && [ "$(calls)" = 2 ]; then
	ok "--refresh of a current file: unchanged, no reconfigure"
else
	nok "--refresh current: '$out', reconfigures $(calls)"
fi

# 5. multipathd fails: exit 69, the file is written all the same
sed -i 's/\^2:0:0:0\$ 3/^7:0:0:0$ 3/' "$F"
touch "$tmp/mpd.fail"
out=$("$AB" conf --refresh "$F" --reconfigure 2>&1)
rc=$?
rm -f "$tmp/mpd.fail"
if [ $rc = 69 ] && grep -q 'prio_args "hbtl ^2:0:0:0\$ 3' "$F" && [ "$(calls)" = 3 ] && [ -e "$F.reconfigure-pending" ]; then
	ok "multipathd reconfigure failing: exit 69, file written, FILE.reconfigure-pending left"
else
	nok "reconfigure failing: rc $rc ('$out'), reconfigures $(calls), pending $(ls "$F".reconfigure-pending 2>&1)"
fi
# ... and the next --reconfigure tries again although the text is unchanged
out=$("$AB" conf --refresh "$F" --reconfigure 2>&1)
if [ $? = 0 ] && [ "$out" = "$F: unchanged" ] && [ "$(calls)" = 4 ] && [ ! -e "$F.reconfigure-pending" ]; then
	ok "a pending reconfigure is done by the next --refresh, the marker removed"
else
	nok "pending reconfigure: '$out', reconfigures $(calls), pending $(ls "$F".reconfigure-pending 2>&1)"
fi
# multipathd not running: no reconfigure asked (it reads the file at start)
sed -i 's/\^2:0:0:0\$ 3/^7:0:0:0$ 3/' "$F"
out=$(ABPATH_MULTIPATHD_PIDFILE=$tmp/none.pid "$AB" conf --refresh "$F" --reconfigure 2>&1)
if [ $? = 0 ] && [[ $out == *"$F: written"*"not running"* ]] && [ "$(calls)" = 4 ]; then
	ok "multipathd not running: file written, no reconfigure, exit 0"
else
	nok "multipathd not running: '$out', reconfigures $(calls)"
fi

# 6. without --reconfigure: no multipathd
sed -i 's/\^2:0:0:0\$ 3/^7:0:0:0$ 3/' "$F"
out=$("$AB" conf --refresh "$F" 2>&1)
if [ $? = 0 ] && [ "$out" = "$F: written" ] && [ "$(calls)" = 4 ]; then
	ok "--refresh without --reconfigure leaves multipathd alone"
else
	nok "no --reconfigure: '$out', reconfigures $(calls)"
fi

# 7-9. bad input: a clear error, the exit status of abpath(8), nothing changed
sum=$(md5sum <"$F")
bad_case() { # WANT_RC WHAT ARGS...
	local want=$1 what=$2 rc err
	shift 2
	err=$("$AB" "$@" 2>&1 >/dev/null)
	rc=$?
	err=${err%%$'\n'*}
	if [ $rc = "$want" ] && [ -n "$err" ] && [ "$(md5sum <"$F")" = "$sum" ] && [ "$(calls)" = 4 ]; then
		ok "$what: exit $rc ($err)"
	else
		nok "$what: exit $rc (want $want), '$err', file changed: $([ "$(md5sum <"$F")" = "$sum" ] && echo no || echo yes)"
	fi
}
bad_case 64 "--refresh with a table option" conf --refresh "$F" --policy round-robin
bad_case 64 "--refresh with --output" conf --refresh "$F" --output "$F"
bad_case 64 "--reconfigure alone" --sysfs fixtures/two-portals --no-config conf --reconfigure
bad_case 64 "--output with --json" --sysfs fixtures/two-portals --no-config conf --json --output "$F"
bad_case 66 "--refresh of a missing file" conf --refresh "$tmp/none.conf"
bad_case 65 "--refresh of a file abpath did not write" conf --refresh fixtures/four-portals/abpath.json
bad_case 66 "--output into a missing directory" --sysfs fixtures/two-portals --no-config conf --output "$tmp/no/such/dir.conf"
# a recorded argument that is now bad: refused, the file kept
cp "$F" "$tmp/keep"
sed -i '1s/--policy weighted-paths/--policy nonsense/' "$F"
sum=$(md5sum <"$F")
bad_case 65 "--refresh with a bad recorded policy" conf --refresh "$F" --reconfigure
sed -i '1s/$/ --refresh x/' "$F"
sum=$(md5sum <"$F")
bad_case 65 "--refresh with --refresh recorded (no recursion)" conf --refresh "$F"
cp "$tmp/keep" "$F"
sed -i '1s/$/ --reconf/' "$F"
sum=$(md5sum <"$F")
bad_case 65 "--refresh with an abbreviated option recorded (--reconf)" conf --refresh "$F"
# $ABPATH_CONFIG is the config conf read: recorded as --config
G=$tmp/g.conf
out=$(ABPATH_CONFIG=fixtures/four-portals/abpath.json "$AB" --sysfs fixtures/four-portals conf --weight A=3,B=1 --output "$G" 2>&1)
cf=$(cd fixtures/four-portals && pwd)/abpath.json
if [ $? = 0 ] && head -n 1 "$G" | grep -qF -- "--config $cf " &&
	(cd / && "$AB" conf --refresh "$G" >/dev/null 2>&1); then
	ok "\$ABPATH_CONFIG recorded as --config (absolute), the refresh reads it"
else
	nok "ABPATH_CONFIG: '$out', first line '$(head -n 1 "$G" 2>/dev/null)'"
fi
[ -z "$(ls "$tmp" | grep abpath-)" ] && ok "no temporary file left behind" || nok "temporary files left: $(ls "$tmp")"
echo "1..$n"
[ $bad = 0 ]
