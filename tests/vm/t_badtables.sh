#!/bin/bash
# Generated malformed tables (issue 8): >= 200 bad selector-level and
# per-path argument sets through dmsetup, for least-blocks,
# weighted-paths and weighted-paths-priority, request and bio mode: bad
# numbers, signs, huge values, wrong argument counts, escaped blanks
# (the nearest to an empty string dm's argument splitter allows), unknown
# words and selector names; the bad weight alternately on the first and
# the last path (a half-built path table must be freed).
# Each must be refused, with the expected clear message in the kernel log
# (checked per table between /dev/kmsg markers), and leave no map behind.
# The first BAD_DMSETUP (default 6, torture: all) go through dmsetup, the
# rest through build/tools/dmtool (libdevmapper, same ioctls, one process).
# Nothing leaked: module refcounts back to 0 (and dm_multipath's to its
# baseline), no kmalloc call site keeping objects across 120 refusals of
# each kind (kmem tracepoints), the modules unload; a good table still works.
# Catches: a refused table's half-built path table not freed (mutant
# "leak-table": psw_ktable_free frees nothing; the kmalloc growth check
# fails), a missing or wrong refusal message, a map or module reference
# left behind.
# Env: BAD_PASSES (default 2; make torture sets 3): pass 1 warms up, the
#      leak check covers passes 2..N
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mp.sh"
need_cmd dmsetup modprobe awk
mp_load
passes=${BAD_PASSES:-2}
[ "$passes" -ge 2 ] || fail "BAD_PASSES must be >= 2 (pass 1 is the warm-up of the leak check)"
# a fresh null_blk: an earlier test may have left it loaded with other
# parameters (nr_devices=0 for configfs devices), and modprobe would keep them
modprobe -r null_blk 2>/dev/null
modprobe null_blk nr_devices=2 gb=1 queue_mode=2 || fail "modprobe null_blk"
[ -b /dev/nullb0 ] && [ -b /dev/nullb1 ] || fail "null_blk made no nullb0/nullb1"
A=$(cat /sys/block/nullb0/dev) B=$(cat /sys/block/nullb1/dev)
S=$(cat /sys/block/nullb0/size)
[ -r /proc/slabinfo ] || fail "/proc/slabinfo not readable: cannot check for leaks"
# /dev/kmsg writes are rate-limited (10 per 5 s) by default: the markers
# must all get through
read -r devkmsg0 </proc/sys/kernel/printk_devkmsg || fail "no printk_devkmsg sysctl"
echo on >/proc/sys/kernel/printk_devkmsg || fail "cannot set printk_devkmsg"
# (and the tracing the leak check turns on, below)
trap 'echo "$devkmsg0" >/proc/sys/kernel/printk_devkmsg
	T=/sys/kernel/tracing
	if [ -d $T/events/kmem/kmalloc ]; then
		echo 0 >$T/tracing_on; echo 0 >$T/events/kmem/kmalloc/enable
		echo 0 >$T/events/kmem/kfree/enable; : >$T/trace
	fi 2>/dev/null' EXIT

# --- generate: entries "FEATURES|SELECTOR AND PATHS|expected message" ---
gen=$TEST_TMP/bad.txt
: >"$gen"
add() { printf '%s|%s|%s\n' "$1" "$2" "$3" >>"$gen"; }
bad_weights=(-1 -0 +1 +0 01 00 007 0x1 0X10 1e3 1.0 3.5 1,5 1_0 abc 1x x1 - + 0b1
	inf nan NULL ½ '\ ' '1\ ' 4294967296 4294967297 9999999999 10000000000
	99999999999 18446744073709551617)
for feat in "0" "2 queue_mode bio"; do
	# per-path weights
	for sel in "least-blocks 0" "weighted-paths 0" "weighted-paths-priority 0"; do
		lo=0 ps="weighted-paths ps: "	# add_path's prefix, per module
		[ "${sel%% *}" = least-blocks ] && lo=1 ps="least-blocks ps: "
		vals=("${bad_weights[@]}")
		[ $lo = 1 ] && vals+=(0)
		i=0
		for w in "${vals[@]}"; do
			i=$((i + 1))
			case $w in
			0 | [1-9][0-9][0-9][0-9]*) msg="${ps}path weight out of range ($lo..4294967295)" ;;
			*) msg="${ps}path weight is not a canonical decimal number" ;;
			esac
			if [ $((i % 2)) = 0 ]; then
				add "$feat" "$sel 2 1 $A $w $B 1" "$msg"
			else
				add "$feat" "$sel 2 1 $A 1 $B $w" "$msg"
			fi
		done
		# wrong per-path argument counts
		add "$feat" "$sel 2 2 $A 1 1 $B 1 1" "${ps}too many per-path arguments"
		add "$feat" "$sel 2 3 $A 1 2 3 $B 1 2 3" "${ps}too many per-path arguments"
		add "$feat" "$sel 1 2 $A 1 priority" "${ps}too many per-path arguments"
		add "$feat" "$sel 2 1 $A 1 $B" "not enough path parameters"
		add "$feat" "$sel 2 1 $A 1" "not enough path parameters"
		add "$feat" "$sel 3 1 $A 1 $B 1" "not enough path parameters"
		add "$feat" "$sel 1 1025 $A 1" "invalid number of selector args"
	done
	# selector-level arguments
	for a in "1 x" "1 0" "1 1" "1 priority" "1 proportional" "2 a b" "1 \\ " "3 a b c"; do
		add "$feat" "least-blocks $a 2 1 $A 1 $B 1" "multipath least-blocks: takes no selector arguments"
	done
	for sel in weighted-paths weighted-paths-priority; do
		for a in Priority PRIORITY prio priorityx proportional, PROPORTIONAL roundrobin 0 1 -1 \
			'\ ' 'priority\ ' '\ priority' ½ priority=1; do
			add "$feat" "$sel 1 $a 2 1 $A 1 $B 1" "multipath weighted-paths: unknown selector argument"
		done
		for a in "2 priority priority" "2 proportional priority" "3 a b c"; do
			add "$feat" "$sel $a 2 1 $A 1 $B 1" "multipath weighted-paths: too many selector arguments"
		done
	done
	# argument counts dm-mpath itself checks around the selector
	add "$feat" "weighted-paths 1025 2 1 $A 1 $B 1" "invalid number of path selector args"
	add "$feat" "weighted-paths 9 priority 2 1 $A 1 $B 1" "invalid number of path selector args"
	add "$feat" "least-blocks -1 2 1 $A 1 $B 1" "invalid number of path selector args"
	# unknown selector names
	for s in least-block weighted-path weighted_paths LEAST-BLOCKS least-blocks-priority weighted-paths-prio; do
		add "$feat" "$s 0 2 1 $A 1 $B 1" "unknown path selector type"
	done
done
total=$(grep -c . "$gen")
[ "$total" -ge 200 ] || fail "only $total generated bad tables (want >= 200)"

# Active kmalloc objects, after shrinking each kmalloc cache: on a KASAN
# kernel (the debug lane) freed objects wait in KASAN's quarantine and still
# count as active until the cache is shrunk (2142 "grown" over 342 tables
# without the shrink, on 6.12-pswdebug); elsewhere it only flushes the
# per-CPU partial slabs.
slab_kmalloc() {
	local c
	for c in /sys/kernel/slab/kmalloc-*/shrink; do
		[ -w "$c" ] && echo 1 >"$c" 2>/dev/null
	done
	awk '/^kmalloc-/ { n += $2 } END { print n + 0 }' /proc/slabinfo
}
refcnt() { local r; read -r r <"/sys/module/$1/refcnt"; echo "$r"; }
mp_ref0=$(refcnt dm_multipath)

DMTOOL=$REPO/build/tools/dmtool
[ -x "$DMTOOL" ] || fail "$DMTOOL missing: build it on the host (scripts/build-vmtools.sh; make check does)"
export DMTOOL_SECTORS=$S

# run_batch PASS: every entry once, marking the kernel log before each.
# Through dmsetup (an exec per table: 0.2-2 s in a loaded TCG guest) for
# the first BAD_DMSETUP entries (default 6; "all" in make torture), the
# rest through dmtool badbatch: libdevmapper, the same create/load/remove
# ioctls as "dmsetup create", from one process.
run_batch() {
	local n=0 feat sel msg ndm=${BAD_DMSETUP:-6}
	[ "$ndm" = all ] && ndm=$total
	[ "$1" = 1 ] || [ "${BAD_DMSETUP:-}" = all ] || ndm=0	# dmsetup in pass 1
	head -n "$ndm" "$gen" >"$TEST_TMP/dm.txt"
	while IFS='|' read -r feat sel msg; do
		n=$((n + 1))
		echo "psw-badtables: $1.$n" >/dev/kmsg
		if dmsetup create bad --table "0 $S multipath $feat 0 1 1 $sel" 2>>"$TEST_TMP/dmsetup.err"; then
			dmsetup remove bad
			fail "accepted: [$feat] $sel"
		fi
	done <"$TEST_TMP/dm.txt"
	DM_N=$n
	[ "$n" -lt "$total" ] || return 0
	# dmtool numbers its lines from 1: renumber the markers after ours
	DM_N=$n
	tail -n +$((n + 1)) "$gen" >"$TEST_TMP/rest.txt"
	"$DMTOOL" badbatch "$TEST_TMP/rest.txt" "$1.r" >"$TEST_TMP/acc.txt" ||
		fail "dmtool badbatch: $(head -n 3 "$TEST_TMP/acc.txt")"
}

# check_msgs PASS SEQ: every table of the pass has its expected message in
# the kernel log between its marker and the next (checked per pass: 128 KiB
# of kernel log holds one pass, not three)
check_msgs() {
	klog_since "$2" >"$TEST_TMP/klog.txt"
	awk -F'|' -v p="$1" -v dmn="$DM_N" '
	FNR == NR { want[FNR] = $3; n = FNR; next }
	/psw-badtables: / {
		cur = $0; sub(/.*psw-badtables: /, "", cur)
		# "P.r.N" (dmtool, N counted after the dmsetup ones) -> "P.(dmn+N)"
		if (split(cur, a, ".") == 3) cur = a[1] "." (dmn + a[3])
		seen[cur] = 1; next
	}
	cur != "" { buf[cur] = buf[cur] "\n" $0 }
	END {
		bad = 0
		for (i = 1; i <= n; i++) {
			k = p "." i
			if (!(k in seen)) { print "no marker " k; bad++; continue }
			if (index(buf[k], want[i]) == 0) {
				print "table " i " (pass " p "): no \"" want[i] "\" in:" buf[k]
				bad++
			}
		}
		exit bad > 0
	}' "$gen" "$TEST_TMP/klog.txt" >"$TEST_TMP/msgcheck" ||
		{ head -n 40 "$TEST_TMP/msgcheck"; fail "bad tables without the expected kernel message (first: $(head -n 1 "$TEST_TMP/msgcheck"))"; }
}

DM_N=0
for ((p = 1; p <= passes; p++)); do
	seq0=$(klog_mark)
	run_batch $p
	check_msgs $p "$seq0"
	# pass 1 warms up (first-use allocations: dm, request_module, slab
	# per-CPU partial lists); leaks are measured over passes 2..N
	[ $p = 1 ] && { slab0=$(slab_kmalloc); cp /proc/slabinfo "$TEST_TMP/slab0"; }
done
slab1=$(slab_kmalloc)
cp /proc/slabinfo "$TEST_TMP/slab1"
measured=$((total * (passes - 1)))

dmsetup ls | grep -q '^bad' && fail "a refused map was left behind"
for m in dm_least_blocks dm_weighted_paths; do
	r=$(refcnt $m)
	[ "$r" = 0 ] || fail "$m refcount $r after $((total * passes)) refused tables (leak)"
done
[ "$(refcnt dm_multipath)" = "$mp_ref0" ] || fail "dm_multipath refcount $(refcnt dm_multipath), was $mp_ref0"
grow=$((slab1 - slab0))
note "$total generated bad tables x $passes passes refused with the expected messages"
note "active kmalloc objects: $slab0 -> $slab1 ($grow) over the $measured refused tables of passes 2..$passes"
note "largest growth: $(awk 'FNR == NR { a[$1] = $2; next } /^kmalloc-/ { d = $2 - a[$1]; if (d) print d, $1 }' \
	"$TEST_TMP/slab0" "$TEST_TMP/slab1" | sort -rn | head -n 3 | tr '\n' ' ')"

# The batch above mixes every kind of refusal; its slab count is noise
# (see below): a leak of the half-built path table (about a third of the
# tables) adds ~110 per pass and passed the old bound of half the tables
# on 6.12 (leak-table mutant: +115).  So each kind of refusal that reaches
# our allocations (create refused; create, add_path, then the table
# refused and destroyed) is repeated BAD_LEAK_N (120)
# times on its own under the kmem:kmalloc/kfree tracepoints: an object
# kmalloc'ed during the batch and not kfree'd by its end is counted against
# its call site; one object leaked per table puts >= N on one site.
leak_n=${BAD_LEAK_N:-120}
T=/sys/kernel/tracing
[ -d $T/events/kmem ] || mount -t tracefs nodev $T 2>/dev/null
[ -d $T/events/kmem/kmalloc ] || fail "no kmem:kmalloc tracepoint ($T): cannot check for leaks"
# traced_batch FILE TAG: dmtool badbatch under the tracepoints; writes
# "COUNT CALL_SITE KMALLOCS" (the call site with the most objects left) to
# $TEST_TMP/left.TAG.  Not in a subshell: its fail must end the test.
traced_batch() {
	echo 0 >$T/tracing_on
	echo 8192 >$T/buffer_size_kb
	: >$T/trace
	echo 1 >$T/events/kmem/kmalloc/enable
	echo 1 >$T/events/kmem/kfree/enable
	echo 1 >$T/tracing_on
	"$DMTOOL" badbatch "$1" "$2" >"$TEST_TMP/acc.txt"
	local rc=$?
	echo 0 >$T/tracing_on
	echo 0 >$T/events/kmem/kmalloc/enable
	echo 0 >$T/events/kmem/kfree/enable
	[ $rc = 0 ] || fail "dmtool badbatch ($2): $(head -n 3 "$TEST_TMP/acc.txt")"
	cp $T/trace "$TEST_TMP/trace.$2"
	: >$T/trace
	awk '/entries-in-buffer\/entries-written:/ { hdr = 1; split($3, a, "/"); if (a[1] != a[2]) lost = 1 }
	/ kmalloc: / { cs = ""; p = ""; nk++
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^call_site=/) cs = substr($i, 11)
			if ($i ~ /^ptr=/) p = substr($i, 5)
		}
		site[p] = cs }
	/ kfree: / { for (i = 1; i <= NF; i++) if ($i ~ /^ptr=/) delete site[substr($i, 5)] }
	END {
		if (!hdr || lost) { print "LOST"; exit }
		if (nk < 1) { print "NONE"; exit }
		for (p in site) n[site[p]]++
		best = 0; bs = "-"
		for (c in n) if (n[c] > best) { best = n[c]; bs = c }
		print best, bs, nk
	}' "$TEST_TMP/trace.$2" >"$TEST_TMP/left.$2"
}
leak_kinds=(
	"least-blocks 0 2 1 $A 1 $B x|half-built path table (least-blocks)"
	"weighted-paths 0 2 1 $A 1 $B x|half-built path table (weighted-paths)"
	"least-blocks 1 x 2 1 $A 1 $B 1|refused selector argument (least-blocks)"
	"weighted-paths 1 x 2 1 $A 1 $B 1|refused selector argument (weighted-paths)"
)
k=0
for kind in "${leak_kinds[@]}"; do
	k=$((k + 1))
	for ((i = 0; i < leak_n; i++)); do printf '0|%s|-\n' "${kind%%|*}"; done >"$TEST_TMP/leak$k.txt"
	"$DMTOOL" badbatch "$TEST_TMP/leak$k.txt" "warm$k" >"$TEST_TMP/acc.txt" ||
		fail "dmtool badbatch (warm-up $k): $(head -n 3 "$TEST_TMP/acc.txt")"
	traced_batch "$TEST_TMP/leak$k.txt" "leak$k"
	read -r left site nk <"$TEST_TMP/left.leak$k"
	[ "$left" = LOST ] && fail "${kind#*|}: the trace lost events (or has no entries header)"
	[ "$left" = NONE ] && fail "${kind#*|}: no kmem:kmalloc event traced: cannot check for leaks"
	note "${kind#*|}: $leak_n refused, $nk kmallocs; most objects left by one call site: $left ($site)"
	[[ $left =~ ^[0-9]+$ ]] || fail "${kind#*|}: no count from the trace ($left)"
	[ "$left" -lt $((leak_n / 2)) ] ||
		fail "kmalloc objects grew: $left left by $site over $leak_n refused tables: ${kind#*|} (leak)"
done
# The slab count over the whole batch is reported, not asserted: without
# any leak it moved by -13..354 over 342 tables on 6.12 (merged caches,
# per-CPU slabs, RCU-deferred frees), more than a real leak of one
# object per half-built table adds (~110).  The per-kind traced checks
# above are the leak test.

# still healthy: a good table of each selector does I/O
for sel in "least-blocks 0" "weighted-paths 0" "weighted-paths-priority 0"; do
	dmsetup create good --table "0 $S multipath 0 0 1 1 $sel 2 1 $A 1 $B 2" || fail "good table refused: $sel"
	dd if=/dev/mapper/good of=/dev/null bs=4k count=64 iflag=direct status=none || fail "I/O: $sel"
	dmsetup remove good || fail "remove good"
done
rmmod dm_least_blocks dm_weighted_paths || fail "rmmod after the bad tables"
modprobe -r null_blk
check_klog_clean || fail "kernel log not clean"
