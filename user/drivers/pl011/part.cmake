# SPDX-License-Identifier: MIT
# sbin/drivers/pl011: the Arm PL011 serial driver (AArch64 only), on the serial
# drivers' shared loop (user/drivers/serial/).
if(arch STREQUAL "aarch64")
  kosh_user_program(pl011 ARCH ${arch} INSTALL sbin/drivers/pl011
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${KOSH_ROOT}/user/drivers/serial/serial_server.c
    INCLUDES ${KOSH_ROOT}/user/drivers/serial)
endif()
