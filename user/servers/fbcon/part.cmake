# SPDX-License-Identifier: MIT
# sbin/fbcon: the framebuffer console (the terminal model of shared/lib/term.c drawn
# with the shared font), serving the write side of the serial protocol on "fb".
kosh_user_program(fbcon ARCH ${arch} INSTALL sbin/fbcon
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/render.c
          ${KOSH_ROOT}/shared/lib/term.c ${KOSH_ROOT}/shared/lib/font.c)
