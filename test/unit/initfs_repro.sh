#!/bin/sh
# SPDX-License-Identifier: MIT
# The initfs is reproducible: packing the same tree twice — the second time a copy
# with other mtimes, permissions and creation order — gives identical bytes, and
# GNU tar lists the archive as ustar with fixed owner and mtime.
set -eu
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/mkinitfs.sh" "$tmp/a.tar" "$root/user/initfs" 9.9.9
mkdir "$tmp/copy"
cp -R "$root/user/initfs/." "$tmp/copy/"
find "$tmp/copy" -exec touch -d '2001-02-03 04:05:06' {} +
chmod -R g+w "$tmp/copy"
"$root/scripts/mkinitfs.sh" "$tmp/b.tar" "$tmp/copy" 9.9.9
cmp "$tmp/a.tar" "$tmp/b.tar"
tar --list --verbose --numeric-owner -f "$tmp/a.tar" > "$tmp/list"
grep -q ' 0/0 .* 1970-01-01 00:00 etc/version$' "$tmp/list"
if grep -v ' 0/0 ' "$tmp/list"; then echo "entry not owned by 0/0" >&2; exit 1; fi
[ "$(tar -xOf "$tmp/a.tar" etc/version)" = 9.9.9 ]
head -c 263 "$tmp/a.tar" | tail -c 6 | grep -q '^ustar'
echo "initfs reproducible: $(wc -c < "$tmp/a.tar") bytes, $(wc -l < "$tmp/list") entries"
