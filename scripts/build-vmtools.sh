#!/bin/bash
# Build the guest-side helpers of the VM tests on the host (the guest sees
# the repo read-only): build/tools/dmtool (tests/vm/dmtool.c, libdevmapper).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/build/tools"
src=$top/tests/vm/dmtool.c out=$top/build/tools/dmtool
if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -o "$out.tmp" "$src" -ldevmapper
	mv "$out.tmp" "$out"
fi
echo "ok - dmtool built ($out)"
