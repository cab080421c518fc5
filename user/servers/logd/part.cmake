# SPDX-License-Identifier: MIT
# logd: serves log:// (docs/system.md). Included by user/CMakeLists.txt once per architecture.
kosh_user_program(logd ARCH ${arch} INSTALL sbin/logd
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c)
