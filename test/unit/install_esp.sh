#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/install-esp.sh puts the files of each architecture into DIR/EFI/KOSH/,
# leaves what else is on the partition alone, keeps a kosh.cfg the user edited,
# and refuses a missing directory or an unknown architecture.
set -eu
root=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KOSH_BUILD_DIR="$build"
mkdir -p "$tmp/esp/EFI/BOOT" "$tmp/esp/EFI/KOSH"
echo other > "$tmp/esp/EFI/BOOT/BOOTX64.EFI"
echo "cmdline = mine" > "$tmp/esp/EFI/KOSH/kosh.cfg"
"$root/scripts/install-esp.sh" "$tmp/esp" x86_64 >/dev/null
"$root/scripts/install-esp.sh" "$tmp/esp" aarch64 >/dev/null
for f in BOOTX64.EFI kernel-x86_64.elf BOOTAA64.EFI kernel-aarch64.elf; do
	arch=x86_64; case $f in *AA64*|*aarch64*) arch=aarch64 ;; esac
	cmp "$build/$arch/$f" "$tmp/esp/EFI/KOSH/$f"
done
cmp "$build/initfs-aarch64.tar" "$tmp/esp/EFI/KOSH/initfs.tar" # the last one installed: one initfs per folder
[ "$(cat "$tmp/esp/EFI/BOOT/BOOTX64.EFI")" = other ]
[ "$(cat "$tmp/esp/EFI/KOSH/kosh.cfg")" = "cmdline = mine" ]
rm "$tmp/esp/EFI/KOSH/kosh.cfg"
"$root/scripts/install-esp.sh" "$tmp/esp" x86_64 >/dev/null
cmp "$build/x86_64/kosh.cfg" "$tmp/esp/EFI/KOSH/kosh.cfg"
if "$root/scripts/install-esp.sh" "$tmp/nonexistent" x86_64 2>/dev/null; then exit 1; fi
if "$root/scripts/install-esp.sh" "$tmp/esp" riscv64 2>/dev/null; then exit 1; fi
echo "install-esp: both architectures installed, other files and kosh.cfg kept"
