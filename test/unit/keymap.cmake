# SPDX-License-Identifier: MIT
# The keyboards' keymap (user/lib/keymap.c: PS/2 scan codes and evdev codes), on the host.
kosh_host_test(keymap_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/keymap_test.c ${KOSH_ROOT}/user/lib/keymap.c
  INCLUDES ${KOSH_ROOT}/user/lib/include)
