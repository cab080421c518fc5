#!/bin/sh
# SPDX-License-Identifier: MIT
# Start QEMU on a Kosh disk image, the one place that knows the machine set-up.
# Used by scripts/run.sh and by the boot tests (test/qemu/boottest.py).
#   scripts/qemu.sh ARCH IMAGE [--memory SIZE] [--machine OPTS] [--gui] [--gdb] [-- QEMU ARGS...]
# ARCH: x86_64 (q35 + OVMF) or aarch64 (virt + AAVMF). --machine adds machine
# options (e.g. acpi=off, virtualization=on). The serial console is on stdio.
# --gui opens a window on the framebuffer, where sbin/fbcon shows the shell too:
# x86-64 types on the PS/2 keyboard, AArch64 gets ramfb and a virtio keyboard.
set -eu
arch=$1 image=$2; shift 2
memory=512M machine_opts="" gui=0 gdb=0
while [ $# -gt 0 ]; do
	case $1 in
	--memory) memory=$2; shift 2 ;;
	--machine) machine_opts=",$2"; shift 2 ;;
	--gui) gui=1; shift ;;
	--gdb) gdb=1; shift ;;
	--) shift; break ;;
	*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

# On a terminal, Ctrl-C belongs to the guest (the shell interrupts its program):
# QEMU's own keys are behind Ctrl-A (Ctrl-A X quits). Pipes (the tests) get the
# plain serial port.
serial=stdio
if [ -t 0 ]; then
	set -- -chardev stdio,id=console,mux=on,signal=off "$@"
	serial=chardev:console
fi
set --  -m "$memory" -nic none -no-reboot "$@"
if [ $gui = 1 ]; then
	set -- "$@" -serial $serial
else
	set -- "$@" -display none -serial $serial -monitor none
fi
[ $gdb = 1 ] && set -- "$@" -s -S && echo "qemu.sh: waiting for gdb on localhost:1234" >&2

case $arch in
x86_64)
	exec qemu-system-x86_64 -machine "q35$machine_opts" -bios /usr/share/ovmf/OVMF.fd \
		-drive "format=raw,file=$image" "$@" ;;
aarch64)
	# A framebuffer (AAVMF's GOP on ramfb) and a keyboard Kosh drives (virtio-input).
	[ $gui = 1 ] && set -- "$@" -device ramfb -device virtio-keyboard-pci
	exec qemu-system-aarch64 -machine "virt$machine_opts" -cpu cortex-a72 \
		-bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd \
		-drive "if=none,format=raw,file=$image,id=disk" -device virtio-blk-device,drive=disk \
		"$@" ;;
*)
	echo "qemu.sh: unknown architecture '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
esac
