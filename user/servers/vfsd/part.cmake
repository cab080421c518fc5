# SPDX-License-Identifier: MIT
# vfsd (docs/vfs.md). Included by user/CMakeLists.txt once per architecture.
kosh_user_program(vfsd ARCH ${arch} INSTALL sbin/vfsd
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c)
