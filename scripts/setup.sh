#!/bin/sh
# SPDX-License-Identifier: MIT
# Install everything Kosh's build and tests need on Debian 12, and fetch gnu-efi's
# AArch64 headers into .deps/. Idempotent: each step checks first and says what
# it does; a machine that has everything is left untouched.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES="clang lld llvm cmake ninja-build python3 tar mtools dosfstools gnu-efi \
libcmocka-dev libclang-rt-14-dev ovmf qemu-efi-aarch64 qemu-system-x86 qemu-system-arm"

say() { echo "setup: $*"; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

updated=0
apt_update() {
	if [ $updated = 0 ]; then
		say "apt-get update"
		as_root apt-get update -q >/dev/null
		updated=1
	fi
}

if [ -n "$missing" ]; then
	apt_update
	say "installing$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >/dev/null
fi

# gnu-efi's AArch64 efibind.h: Debian's amd64 package has only x86 headers.
efi_arm64="$root/.deps/gnu-efi-arm64"
if [ ! -f "$efi_arm64/usr/include/efi/aarch64/efibind.h" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		say "dpkg --add-architecture arm64 (to download gnu-efi:arm64's headers)"
		as_root dpkg --add-architecture arm64
		updated=0
	fi
	apt_update
	say "fetching gnu-efi:arm64 headers into .deps/"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q gnu-efi:arm64 >/dev/null 2>&1)
	rm -rf "$efi_arm64"
	mkdir -p "$efi_arm64"
	dpkg -x "$tmp"/gnu-efi_*_arm64.deb "$efi_arm64"
	rm -rf "$tmp"
fi
say "ready"
