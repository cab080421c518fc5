#!/bin/sh
# SPDX-License-Identifier: MIT
# Install everything Kosh's build and tests need on Debian 12, fetch gnu-efi's
# AArch64 headers into .deps/ and Debian's musl source package into .deps/src/musl
# (the version in .deps/src/musl.version). Idempotent: each step checks first and says what
# it does; a machine that has everything is left untouched.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES="clang lld llvm cmake ninja-build python3 tar mtools dosfstools gnu-efi dpkg-dev make \
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
# compiler-rt's builtins for AArch64 (soft 128-bit long double, which musl's printf
# uses), from Debian's libclang-rt-14-dev:arm64: the amd64 package has only x86's.
rt_arm64="$root/.deps/clang-rt-arm64"
if [ ! -f "$rt_arm64/libclang_rt.builtins-aarch64.a" ]; then
	apt_update
	say "fetching libclang-rt-14-dev:arm64's builtins into .deps/"
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt's _apt user downloads into it
	(cd "$tmp" && apt-get download -q libclang-rt-14-dev:arm64 >/dev/null 2>&1)
	dpkg -x "$tmp"/libclang-rt-14-dev_*_arm64.deb "$tmp/x"
	mkdir -p "$rt_arm64"
	cp "$tmp"/x/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.builtins-aarch64.a "$rt_arm64/"
	rm -rf "$tmp"
fi

# musl, the C library (docs/build.md): Debian's source package, unpacked (with Debian's
# patches) by apt-get source into .deps/src/musl. It needs a deb-src entry; when apt
# has none, we add one for bookworm beside the machine's own sources.
musl_src="$root/.deps/src/musl"
if [ ! -f "$musl_src/Makefile" ] || [ ! -s "$root/.deps/src/musl.version" ]; then
	if ! apt-cache showsrc musl 2>/dev/null | grep -q '^Package: musl$'; then
		if ! grep -Eqs '^[[:space:]]*deb-src[[:space:]]|^Types:.*deb-src' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			/etc/apt/sources.list.d/*.sources; then
			say "adding /etc/apt/sources.list.d/kosh-deb-src.sources (deb-src for bookworm)"
			printf '%s\n' \
				'# Added by Kosh (scripts/setup.sh): source packages, for apt-get source musl.' \
				'Types: deb-src' \
				'URIs: http://deb.debian.org/debian' \
				'Suites: bookworm bookworm-updates' \
				'Components: main' \
				'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
				as_root tee /etc/apt/sources.list.d/kosh-deb-src.sources >/dev/null
		fi
		updated=0
		apt_update
	fi
	say "fetching Debian's musl source package into .deps/src/musl"
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt's _apt user downloads into it
	if ! (cd "$tmp" && apt-get source -q musl >"$tmp/log" 2>&1); then
		cat "$tmp/log" >&2
		echo "setup: apt-get source musl failed" >&2
		rm -rf "$tmp"
		exit 1
	fi
	version=$(sed -n 's/^Version: //p' "$tmp"/musl_*.dsc | head -n 1)
	rm -rf "$musl_src"
	mkdir -p "$root/.deps/src"
	mv "$tmp"/musl-*/ "$musl_src"
	rm -rf "$tmp"
	echo "$version" >"$root/.deps/src/musl.version"
	say "musl $version"
fi
say "ready"
