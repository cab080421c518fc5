# SPDX-License-Identifier: MIT
# sbin/drivers/i8042: the PS/2 keyboard behind the i8042 controller (x86-64 only),
# a receive-only chip of the serial drivers' shared loop (user/drivers/serial/). Its
# keymap is the runtime's (user/lib/keymap.c, shared with virtio-input).
if(arch STREQUAL "x86_64")
  kosh_user_program(i8042 ARCH ${arch} INSTALL sbin/drivers/i8042
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c
    ${KOSH_ROOT}/user/drivers/serial/serial_server.c
    INCLUDES ${KOSH_ROOT}/user/drivers/serial)
endif()
