#!/bin/sh
# SPDX-License-Identifier: MIT
# Pack the initfs: a POSIX ustar archive, byte-for-byte reproducible (sorted
# names, mtime 0, owner 0:0, normalised modes), from a source tree plus a
# generated etc/version.
#   scripts/mkinitfs.sh OUT.tar SRC_DIR VERSION
set -eu
out=$1 src=$2 version=$3
stage=$(mktemp -d "${TMPDIR:-/tmp}/kosh-initfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp -R "$src"/. "$stage"/
mkdir -p "$stage/etc"
printf '%s\n' "$version" > "$stage/etc/version"
(cd "$stage" && find . -mindepth 1 -print | LC_ALL=C sort) | sed 's|^\./||' > "$stage.list"
tar --format=ustar --no-recursion --numeric-owner --owner=0 --group=0 \
    --mtime=@0 --mode='u=rwX,go=rX' -C "$stage" -cf "$out.tmp" -T "$stage.list"
rm -f "$stage.list"
mv "$out.tmp" "$out"
