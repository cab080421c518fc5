# SPDX-License-Identifier: MIT
# sbin/console: the console server (console://) with its line discipline and its
# output queue to the framebuffer console.
kosh_user_program(console ARCH ${arch} INSTALL sbin/console
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/ldisc.c
          ${CMAKE_CURRENT_LIST_DIR}/outq.c)
