#!/bin/sh
# SPDX-License-Identifier: MIT
# Run Kosh: install what is missing, build, and boot the disk image in QEMU with
# the serial console on this terminal.
#   scripts/run.sh [x86_64|aarch64] [--gui] [--gdb] [--memory SIZE] [-- QEMU ARGS...]
# --gui opens a window showing the shell on the framebuffer (sbin/fbcon), which
# takes keys too: the PS/2 keyboard on x86-64; on AArch64 a ramfb framebuffer and
# a virtio keyboard (virtio-input);
# --gdb makes QEMU wait for a debugger on localhost:1234.
# The files you make under fs:/// stay from run to run: they live on a data disk,
# $KOSH_DATA_DISK or build/data-<arch>.img, a 64 MiB FAT32 volume made at the first
# run (no partition table; mtools reads it: mdir -i build/data-x86_64.img ::/),
# which Kosh mounts at fs:/// (docs/vfs.md, "Mounts").
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
arch=x86_64
case ${1:-} in
x86_64|aarch64) arch=$1; shift ;;
esac
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${KOSH_BUILD_DIR:-$root/build}
# An entropy device, so that rng:// has a source on AArch64 too (x86-64 would
# fall back to RDRAND, which QEMU's default CPU lacks): after the caller's QEMU
# arguments, behind the "--" that starts them.
for a in "$@"; do [ "$a" = -- ] && break; done
[ "${a:-}" = -- ] || set -- "$@" --
data=${KOSH_DATA_DISK:-$build/data-$arch.img}
if [ ! -e "$data" ]; then
	rm -f "$data.tmp"
	PATH=$PATH:/usr/sbin:/sbin mkfs.fat -F 32 -n KOSHDATA -C "$data.tmp" 65536 >/dev/null
	mmd -i "$data.tmp" ::/home ::/tmp ::/bin
	mv "$data.tmp" "$data"
fi
exec "$root/scripts/qemu.sh" "$arch" "$build/kosh-$arch.img" "$@" -device virtio-rng-pci \
	-drive "if=none,id=data,format=raw,file=$data" -device virtio-blk-pci,drive=data
