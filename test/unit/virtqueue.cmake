# SPDX-License-Identifier: MIT
# Host test and fuzz target for the split-virtqueue library (shared/lib/virtqueue.c).
# The library is userspace-only and not part of any shared/ source list (the kernel
# and loaders do not want it), so each target compiles it directly.
# Included by test/CMakeLists.txt, whose helpers it uses.

kosh_host_test(virtqueue_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/virtqueue_test.c
  ${KOSH_ROOT}/shared/lib/virtqueue.c)

kosh_fuzz_target(fuzz_virtqueue SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_virtqueue.c
  ${KOSH_ROOT}/shared/lib/virtqueue.c)
