# SPDX-License-Identifier: MIT
# Host tests of the kernel core on the fake port.
kosh_host_test(klog_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/klog_test.c ${KOSH_ROOT}/kernel/klog.c
          ${KOSH_ROOT}/kernel/clock.c
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)

kosh_host_test(timer_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/timer_test.c ${KOSH_ROOT}/kernel/timer.c
          ${KOSH_ROOT}/kernel/cpu.c ${KOSH_ROOT}/kernel/clock.c
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)

kosh_host_test(cap_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/cap_test.c ${KOSH_ROOT}/kernel/cap.c
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)

kosh_host_test(runqueue_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/runqueue_test.c ${KOSH_ROOT}/kernel/runqueue.c
  INCLUDES ${KOSH_ROOT}/kernel)

kosh_host_test(quota_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/quota_test.c ${KOSH_ROOT}/kernel/quota.c
          ${KOSH_ROOT}/kernel/cap.c
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)
