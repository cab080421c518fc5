# SPDX-License-Identifier: MIT
# bin/fsbench: sequential write and read throughput of a file through the C
# library and a file server (scripts/bench.sh, docs/performance.md).
kosh_user_program(fsbench ARCH ${arch} INSTALL bin/fsbench LIBC
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fsbench.c
  DEFINES _POSIX_C_SOURCE=200809L)
