# SPDX-License-Identifier: MIT
# The PS/2 keyboard's keymap (user/drivers/i8042/keymap.c), on the host.
kosh_host_test(keymap_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/keymap_test.c ${KOSH_ROOT}/user/drivers/i8042/keymap.c
  INCLUDES ${KOSH_ROOT}/user/drivers/i8042)
