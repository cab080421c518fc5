#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every test: install what is missing, build, then the whole ctest suite —
# host unit tests (label host), fuzz targets briefly (fuzz) and QEMU boot tests
# on both architectures (qemu). Extra arguments go to ctest (e.g. -L host).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOSH_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$build"
exec ctest --output-on-failure -j "$(nproc)" "$@"
