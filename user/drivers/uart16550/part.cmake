# SPDX-License-Identifier: MIT
# sbin/drivers/uart16550: the 16550 serial driver of PCs (x86-64 only), on the
# serial drivers' shared loop (user/drivers/serial/).
if(arch STREQUAL "x86_64")
  kosh_user_program(uart16550 ARCH ${arch} INSTALL sbin/drivers/uart16550
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${KOSH_ROOT}/user/drivers/serial/serial_server.c
    INCLUDES ${KOSH_ROOT}/user/drivers/serial)
endif()
