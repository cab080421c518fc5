# SPDX-License-Identifier: MIT
# The framebuffer console and its font, drawn into memory on the host.
kosh_host_test(fbcon_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/fbcon_test.c ${KOSH_ROOT}/kernel/fbcon.c
          ${KOSH_ROOT}/shared/lib/font.c
  LIBS kosh_arch_fake INCLUDES ${KOSH_ROOT}/kernel)
