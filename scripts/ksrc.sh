#!/bin/bash
# Extract the files the tests need from Debian's linux-source package:
# the private dm headers and checkpatch.pl.
#   scripts/ksrc.sh SERIES      (6.1 or 6.12) -> prints build/ksrc/SERIES
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${1:?usage: ksrc.sh 6.1|6.12}
tarball=/usr/src/linux-source-$series.tar.xz
[ -f "$tarball" ] || { echo "ksrc: $tarball missing (apt-get install linux-source-$series)" >&2; exit 1; }
dst=$top/build/ksrc/$series
stamp=$dst/.stamp
if [ ! -f "$stamp" ] || [ "$tarball" -nt "$stamp" ]; then
	rm -rf "$dst"
	mkdir -p "$dst"
	tar -xJf "$tarball" -C "$dst" --strip-components=1 \
		"linux-source-$series/drivers/md/dm-path-selector.h" \
		"linux-source-$series/drivers/md/dm-mpath.h" \
		"linux-source-$series/drivers/md/dm-mpath.c" \
		"linux-source-$series/drivers/md/dm-ps-service-time.c" \
		"linux-source-$series/drivers/md/dm-ps-historical-service-time.c" \
		"linux-source-$series/scripts/checkpatch.pl" \
		"linux-source-$series/scripts/spelling.txt" \
		"linux-source-$series/scripts/const_structs.checkpatch"
	touch "$stamp"
fi
echo "$dst"
