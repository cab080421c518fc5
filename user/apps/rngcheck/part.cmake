# SPDX-License-Identifier: MIT
# bin/rngcheck: reads rng:// and checks the bytes look random (test/qemu/virtiotest.py).
kosh_user_program(rngcheck ARCH ${arch} INSTALL bin/rngcheck LIBC
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/rngcheck.c DEFINES _POSIX_C_SOURCE=200809L)
