# SPDX-License-Identifier: MIT
# Host tests and the fuzz target for the file protocol's checks (shared/lib/vfs.c).
# Included by test/CMakeLists.txt, whose helpers it uses.

kosh_host_test(vfs_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/vfs_test.c
  LIBS kosh_shared_host)

# vfs.c is compiled into the fuzz target itself so that libFuzzer sees its coverage.
kosh_fuzz_target(fuzz_vfs SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_vfs.c
  ${KOSH_ROOT}/shared/lib/vfs.c)
