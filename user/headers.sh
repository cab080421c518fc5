#!/bin/sh
# SPDX-License-Identifier: MIT
# Every userspace header compiles on its own, for both architectures, with the
# include path user programs get (cmake/KoshUser.cmake): the runtime's
# user/lib/include/kosh/, each port's arch-<arch>/user/include/arch/, and the
# tests' check.h. Run by ctest as user_headers_compile_alone (label host).
set -eu
root=$1
res=$(clang -print-resource-dir)
fails=0 count=0
for arch in x86_64 aarch64; do
	for h in "$root"/user/lib/include/kosh/*.h "$root/arch-$arch"/user/include/arch/*.h \
		"$root"/user/tests/lib/check.h; do
		count=$((count + 1))
		if ! printf '#include "%s"\n' "$h" | clang --target="$arch-unknown-none-elf" -std=c11 \
			-ffreestanding -nostdinc -isystem "$res/include" -I"$root/user/lib/include" \
			-I"$root/arch-$arch/user/include" -I"$root/shared/include" \
			-Wall -Wextra -Werror -fsyntax-only -x c -; then
			echo "header does not compile alone ($arch): $h" >&2
			fails=$((fails + 1))
		fi
	done
done
echo "$count user header compilations, $fails failed"
[ "$fails" = 0 ]
