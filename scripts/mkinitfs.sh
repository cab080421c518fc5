#!/bin/sh
# SPDX-License-Identifier: MIT
# Pack the initfs: a POSIX ustar archive, byte-for-byte reproducible (sorted
# names, mtime 0, owner 0:0, normalised modes), from a source tree plus a
# generated etc/version and any number of extra files (built programs), each
# given as PATH=FILE: FILE is stored as PATH, mode 0755.
#   scripts/mkinitfs.sh OUT.tar SRC_DIR VERSION [PATH=FILE ...]
set -eu
out=$1 src=$2 version=$3
shift 3
stage=$(mktemp -d "${TMPDIR:-/tmp}/kosh-initfs.XXXXXX")
trap 'rm -rf "$stage" "$stage.list"' EXIT
cp -R "$src"/. "$stage"/
mkdir -p "$stage/etc"
printf '%s\n' "$version" > "$stage/etc/version"
for spec in "$@"; do
	path=${spec%%=*} file=${spec#*=}
	case $path in
	"" | /* | *..* | "$spec") echo "mkinitfs: bad extra file '$spec' (PATH=FILE)" >&2; exit 2 ;;
	esac
	mkdir -p "$stage/$(dirname "$path")"
	cp "$file" "$stage/$path"
	chmod 0755 "$stage/$path"
done
(cd "$stage" && find . -mindepth 1 -print | LC_ALL=C sort) | sed 's|^\./||' > "$stage.list"
tar --format=ustar --no-recursion --numeric-owner --owner=0 --group=0 \
    --mtime=@0 --mode='u=rwX,go=rX' -C "$stage" -cf "$out.tmp" -T "$stage.list"
mv "$out.tmp" "$out"
