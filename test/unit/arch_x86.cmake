# SPDX-License-Identifier: MIT
# Host tests of the x86-64 port's pure pieces (arch-x86_64/kernel/apic.c): APIC
# encodings and the calibration and deadline arithmetic.
kosh_host_test(x86_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/x86_test.c ${KOSH_ROOT}/arch-x86_64/kernel/apic.c
  INCLUDES ${KOSH_ROOT}/arch-x86_64/kernel ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)
