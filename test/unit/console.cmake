# SPDX-License-Identifier: MIT
# The kernel's console sinks and the UART hand-over (kernel/console.c), on the fake port.
kosh_host_test(console_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/console_test.c ${KOSH_ROOT}/kernel/console.c
          ${KOSH_ROOT}/kernel/uart.c ${KOSH_ROOT}/kernel/fbcon.c ${KOSH_ROOT}/shared/lib/font.c
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)
