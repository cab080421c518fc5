# SPDX-License-Identifier: MIT
# bootstrap, the root task (included by user/CMakeLists.txt once per architecture,
# ${arch} set): the test and benchmark runner (main.c), the initfs:// server
# (initfs.c, serve.c) and init's start (start.c).
kosh_user_program(bootstrap ARCH ${arch} INSTALL sbin/bootstrap
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c
          ${CMAKE_CURRENT_LIST_DIR}/initfs.c
          ${CMAKE_CURRENT_LIST_DIR}/serve.c
          ${CMAKE_CURRENT_LIST_DIR}/start.c)
