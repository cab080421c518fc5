#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks: print figures, never pass or fail on time. Guest time runs under
# -icount shift=0,sleep=off, so in-guest figures are a pure function of the
# instructions executed and repeat exactly (OVMF takes ~30 s to start this way).
#   scripts/bench.sh [x86_64|aarch64 ...]
# Figures, with -smp 4 and 512 MiB: boot time from the loader's first
# instruction to kmain (the loader reads the counter first thing; the kernel
# prints the difference), from kmain to every CPU online, and the memory the
# kernel holds once booted.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOSH_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" >/dev/null
"$root/scripts/build.sh" >/dev/null
[ $# -gt 0 ] || set -- x86_64 aarch64
for arch in "$@"; do
	tmp=$(mktemp -d)
	cp "$build/kosh-$arch.img" "$tmp/disk.img"
	out=$(timeout 300 "$root/scripts/qemu.sh" "$arch" "$tmp/disk.img" \
		-- -smp 4 -icount shift=0,sleep=off 2>&1 | tr -d '\r' || true)
	rm -rf "$tmp"
	out=$(echo "$out" | sed 's/^\[ *[0-9.]* c[0-9]*\] //')
	us=$(echo "$out" | sed -n 's/^boot: loader start to kmain \([0-9]*\) us$/\1/p')
	smp=$(echo "$out" | sed -n 's/^kosh: \([0-9]*\) CPUs online, \([0-9]*\) us after kmain.*/\1 CPUs, \2 us/p')
	mem=$(echo "$out" | sed -n 's/^memory: .*the kernel uses \([0-9]*\) KiB (allocator metadata \([0-9]*\) KiB)$/\1 KiB + \2 KiB allocator metadata/p')
	echo "bench: $arch: loader start to kmain: ${us:-?} us (guest time, icount)"
	echo "bench: $arch: kmain to all CPUs online: ${smp:-?}"
	echo "bench: $arch: kernel memory after boot: ${mem:-?}"
done
