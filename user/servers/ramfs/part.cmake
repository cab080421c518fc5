# SPDX-License-Identifier: MIT
# ramfs (docs/vfs.md). Included by user/CMakeLists.txt once per architecture.
kosh_user_program(ramfs ARCH ${arch} INSTALL sbin/ramfs
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c)
