#!/bin/sh
# SPDX-License-Identifier: MIT
# Every header compiles on its own, for the target it serves: shared/ and kernel/
# headers freestanding for both kernels (each with its port's <arch/...>), loader/ headers with gnu-efi for both
# loaders. A header that leans on an include it does not make fails here.
set -eu
root=$1
res=$(clang -print-resource-dir)
fails=0 count=0
check() { # target extra-flags header
	count=$((count + 1))
	if ! printf '#include "%s"\n' "$3" | clang --target="$1" -std=c11 -ffreestanding -nostdinc \
		-isystem "$res/include" -I"$root/shared/include" -I"$root/kernel" \
		-I"$root/kernel/include" $2 -Wall -Wextra -Werror -fsyntax-only -x c -; then
		echo "header does not compile alone ($1): $3" >&2
		fails=$((fails + 1))
	fi
}
efi_x86="-isystem /usr/include/efi -isystem /usr/include/efi/x86_64 -fno-ms-extensions -fshort-wchar"
efi_arm="-isystem $root/.deps/gnu-efi-arm64/usr/include/efi"
efi_arm="$efi_arm -isystem $root/.deps/gnu-efi-arm64/usr/include/efi/aarch64 -fno-ms-extensions -fshort-wchar"
for h in "$root"/shared/include/kosh/*.h "$root"/shared/include/kosh/proto/*.h "$root"/kernel/*.h "$root"/kernel/include/*.h; do
	check x86_64-unknown-none-elf "-I$root/arch-x86_64/include" "$h"
	check aarch64-unknown-none-elf "-I$root/arch-aarch64/include" "$h"
done
for h in "$root"/loader/*.h; do
	check x86_64-unknown-windows "$efi_x86" "$h"
	check aarch64-unknown-windows "$efi_arm" "$h"
done
echo "$count header compilations, $fails failed"
[ "$fails" = 0 ]
