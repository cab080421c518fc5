#!/bin/sh
# SPDX-License-Identifier: MIT
# Configure (once) and build everything into build/: loaders, kernels, initfs,
# disk images and host tests, for both architectures.
#   scripts/build.sh [extra cmake -D options]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOSH_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ] || [ $# -gt 0 ]; then
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang "$@" >/dev/null
fi
ninja -C "$build"
