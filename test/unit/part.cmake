# SPDX-License-Identifier: MIT
# Host tests and fuzz targets for partition tables (shared/lib/part.c) and the
# block protocol's checks (shared/lib/block.c). Included by test/CMakeLists.txt,
# whose helpers it uses. The two sources are compiled into each target here
# rather than taken from kosh_shared_host (they are not in shared/CMakeLists.txt's
# lists yet), and into the fuzz targets so that libFuzzer sees their coverage.

kosh_host_test(part_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/part_test.c
  ${KOSH_ROOT}/shared/lib/part.c)
kosh_host_test(block_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/block_test.c
  ${KOSH_ROOT}/shared/lib/block.c)

kosh_fuzz_target(fuzz_part SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_part.c
  ${KOSH_ROOT}/shared/lib/part.c)
kosh_fuzz_target(fuzz_block SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_block.c
  ${KOSH_ROOT}/shared/lib/block.c)
