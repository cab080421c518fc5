# SPDX-License-Identifier: MIT
# procd: serves proc:// (docs/system.md). Included by user/CMakeLists.txt once per architecture.
kosh_user_program(procd ARCH ${arch} INSTALL sbin/procd
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/registry.c
          ${CMAKE_CURRENT_LIST_DIR}/files.c)
