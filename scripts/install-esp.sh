#!/bin/sh
# SPDX-License-Identifier: MIT
# Copy Kosh onto a mounted EFI system partition, into DIR/EFI/KOSH/ beside
# whatever else is installed there (nothing else is touched). The initfs is the
# architecture's own (build/initfs-<arch>.tar) and is installed as initfs.tar, the
# name kosh.cfg gives it: one architecture's initfs per folder.
#   scripts/install-esp.sh DIR [x86_64|aarch64]   (default: this machine's)
# Then add a boot entry for \EFI\KOSH\BOOTX64.EFI (or BOOTAA64.EFI), e.g.
#   efibootmgr -c -d /dev/sdX -p 1 -L Kosh -l '\EFI\KOSH\BOOTX64.EFI'
# or start it from the UEFI shell.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DIR [x86_64|aarch64]" >&2; exit 2; }
esp=$1
arch=${2:-$(uname -m | sed 's/^arm64$/aarch64/')}
case $arch in
x86_64) efi=BOOTX64.EFI ;;
aarch64) efi=BOOTAA64.EFI ;;
*) echo "install-esp: unknown architecture '$arch'" >&2; exit 2 ;;
esac
[ -d "$esp" ] || { echo "install-esp: $esp is not a directory" >&2; exit 1; }
build=${KOSH_BUILD_DIR:-$root/build}
for f in "$arch/$efi" "$arch/kernel-$arch.elf" "$arch/kosh.cfg" "initfs-$arch.tar"; do
	[ -f "$build/$f" ] || { echo "install-esp: $build/$f missing; run scripts/build.sh" >&2; exit 1; }
done
dest="$esp/EFI/KOSH"
mkdir -p "$dest"
cp "$build/$arch/$efi" "$build/$arch/kernel-$arch.elf" "$dest/"
cp "$build/initfs-$arch.tar" "$dest/initfs.tar"
[ -f "$dest/kosh.cfg" ] || cp "$build/$arch/kosh.cfg" "$dest/"
echo "install-esp: installed into $dest ($(ls "$dest" | tr '\n' ' '))"
