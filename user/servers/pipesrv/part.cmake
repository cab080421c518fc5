# SPDX-License-Identifier: MIT
# pipesrv (docs/vfs.md). Included by user/CMakeLists.txt once per architecture.
kosh_user_program(pipesrv ARCH ${arch} INSTALL sbin/pipesrv
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c)
