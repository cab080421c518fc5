#!/bin/sh
# SPDX-License-Identifier: MIT
# Make a FAT32 disk image (no partition table, as on removable media) with mtools
# and copy files into it.
#   scripts/mkimage.sh OUT.img [--size MiB] PATH/IN/IMAGE=HOST_FILE ...
# Directories in the image are created as needed.
set -eu
out=$1; shift
size=64
if [ "${1:-}" = "--size" ]; then size=$2; shift 2; fi
[ "$size" -ge 33 ] || { echo "mkimage: FAT32 needs at least 33 MiB" >&2; exit 1; }
rm -f "$out.tmp"
# 512-byte clusters: FAT32 needs at least 65525 of them.
mformat -i "$out.tmp" -C -T $((size * 2048)) -h 64 -s 32 -c 1 -F -N 4b4f5348 -v KOSH ::
for spec in "$@"; do
	dest=${spec%%=*} src=${spec#*=}
	dir=$(dirname "$dest") path=""
	for part in $(echo "$dir" | tr '/' ' '); do
		[ "$part" = "." ] && continue
		path="$path/$part"
		mmd -D s -i "$out.tmp" "::$path" 2>/dev/null || true
	done
	mcopy -o -i "$out.tmp" "$src" "::/$dest"
done
mv "$out.tmp" "$out"
