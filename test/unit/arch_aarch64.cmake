# SPDX-License-Identifier: MIT
# Host tests of the AArch64 port's plain-C pieces: the GIC's arithmetic and
# redistributor walk (arch-aarch64/kernel/gic.c) and the generic counter's
# deadline arithmetic (arch-aarch64/kernel/counter.c), which use no system
# register and so build for the host. Included by test/CMakeLists.txt.
kosh_host_test(aarch64_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/aarch64_test.c
          ${KOSH_ROOT}/arch-aarch64/kernel/gic.c ${KOSH_ROOT}/arch-aarch64/kernel/counter.c
  INCLUDES ${KOSH_ROOT}/arch-aarch64/kernel)
