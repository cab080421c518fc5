# SPDX-License-Identifier: MIT
# bin/blkbench: sequential read throughput of a block device through the block
# protocol, 4 KiB and 64 KiB requests (scripts/bench.sh, docs/performance.md).
kosh_user_program(blkbench ARCH ${arch} INSTALL bin/blkbench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/blkbench.c ${KOSH_ROOT}/user/apps/blkcheck/blkout.c
  INCLUDES ${KOSH_ROOT}/user/apps/blkcheck)
