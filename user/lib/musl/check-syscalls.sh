#!/bin/sh
# SPDX-License-Identifier: MIT
# Programs linked with musl must not issue Linux system calls themselves: every
# call goes through __kosh_linux_syscall (syscall_arch.h), and the pieces of
# musl written in assembly that would trap directly are replaced
# (user/lib/musl/start.c). This checks every such program of a build: the only
# system-call instructions (x86-64 `syscall`, AArch64 `svc`) may be in Kosh's
# own stubs, functions named kosh_*. Run by ctest as libc_no_raw_syscalls.
#   check-syscalls.sh BUILD_DIR
set -eu
build=$1
objdump=$(command -v llvm-objdump || command -v llvm-objdump-14)
nm=$(command -v llvm-nm || command -v llvm-nm-14)
count=0 fails=0
for elf in "$build"/x86_64/user/*.elf "$build"/aarch64/user/*.elf; do
	[ -f "$elf" ] || continue
	"$nm" "$elf" | grep -q ' __libc_start_main$' || continue
	count=$((count + 1))
	bad=$("$objdump" -d "$elf" | awk '/>:$/ { f = $2 } /\t(syscall|svc)[\t ]/ { print f }' |
		grep -v '^<kosh_' | sort -u | tr '\n' ' ')
	if [ -n "$bad" ]; then
		echo "$elf: system-call instructions outside Kosh's stubs, in: $bad" >&2
		fails=$((fails + 1))
	fi
done
echo "$count programs linked with musl checked, $fails with raw system calls"
[ "$count" -gt 0 ] && [ "$fails" = 0 ]
