# SPDX-License-Identifier: MIT
# bin/blkcheck: reads a block device through <kosh/blockdev.h> and checks every
# byte against the disk test's pattern (test/qemu/disktest.py); also writes and
# reads back a scratch area, and loops over the disk while killing its driver.
kosh_user_program(blkcheck ARCH ${arch} INSTALL bin/blkcheck
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/blkcheck.c ${CMAKE_CURRENT_LIST_DIR}/blkout.c)
