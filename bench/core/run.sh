#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Instructions per I/O of the policy core, counted with callgrind
# (deterministic).  Each configuration runs twice, with ITERS1 and ITERS2
# cycles; the difference removes setup cost:
#     Ir/IO = (Ir(ITERS2) - Ir(ITERS1)) / (ITERS2 - ITERS1)
# The figure covers the whole cycle: completion of the oldest I/O
# (psw_path_end), the choice (psw_lb_select / psw_wp_pick), psw_path_start
# and the benchmark's own ring bookkeeping; the "baseline" row is that
# harness alone (start + end + bookkeeping, no policy call).
#
# usage: run.sh [ITERS1 [ITERS2]]   (env PATHS="2 8 64 1024")
set -eu

here=$(cd "$(dirname "$0")" && pwd)
it1=${1:-20000}
it2=${2:-40000}
paths=${PATHS:-"2 8 64 1024"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }
make -s -C "$here" corebench >&2

ir() {	# policy npaths iters -> total Ir
	out="$tmp/cg.$1.$2.$3"
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$here/corebench" "$1" "$2" "$3" >/dev/null 2>"$out.log" ||
		{ cat "$out.log" >&2; exit 1; }
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

printf '| policy | paths | Ir/IO |\n|---|---:|---:|\n'
for pol in rr lb wp; do
	case $pol in
	lb) name=least-blocks ;;
	wp) name=weighted-paths ;;
	rr) name="baseline (no policy)" ;;
	esac
	for n in $paths; do
		a=$(ir "$pol" "$n" "$it1")
		b=$(ir "$pol" "$n" "$it2")
		awk -v a="$a" -v b="$b" -v d="$((it2 - it1))" -v p="$name" -v n="$n" \
			'BEGIN { printf "| %s | %d | %.1f |\n", p, n, (b - a) / d }'
	done
done
