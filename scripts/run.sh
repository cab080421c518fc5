#!/bin/sh
# SPDX-License-Identifier: MIT
# Run Kosh: install what is missing, build, and boot the disk image in QEMU with
# the serial console on this terminal.
#   scripts/run.sh [x86_64|aarch64] [--gui] [--gdb] [--memory SIZE] [-- QEMU ARGS...]
# --gui opens a window showing the shell on the framebuffer (sbin/fbcon), which
# takes keys too: the PS/2 keyboard on x86-64; on AArch64 a ramfb framebuffer and
# a virtio keyboard (virtio-input);
# --gdb makes QEMU wait for a debugger on localhost:1234.
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
exec "$root/scripts/qemu.sh" "$arch" "$build/kosh-$arch.img" "$@" -device virtio-rng-pci
