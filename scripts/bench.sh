#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks: print figures, never pass or fail on time. Guest time runs under
# -icount shift=0,sleep=off, so in-guest figures are a pure function of the
# instructions executed and repeat exactly (OVMF takes ~30 s to start this way).
#   scripts/bench.sh [x86_64|aarch64 ...]
# Figures: boot time from the loader's first instruction to kmain (the loader
# reads the counter first thing; the kernel prints the difference).
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
		-- -icount shift=0,sleep=off 2>&1 | tr -d '\r' || true)
	rm -rf "$tmp"
	us=$(echo "$out" | sed -n 's/^boot: loader start to kmain \([0-9]*\) us$/\1/p')
	echo "bench: $arch: loader start to kmain: ${us:-?} us (guest time, icount)"
done
