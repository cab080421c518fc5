# SPDX-License-Identifier: MIT
# Host tests of the kernel's memory objects: frames and address spaces
# (kernel/frame.c, kernel/space.c) on kernel/vm.c and the fake pmm, and the
# system calls on them, on quotas and on the log (kernel/sys_*.c) with a fake
# thread and process. Built once per architecture's <arch/pte.h>, like
# kernel_vm.cmake. test/fake/kobj gives <arch/types.h>; test/fake/mem_fake.c the
# MMU hooks, test/fake/kheap_fake.c kmalloc. Included by test/CMakeLists.txt.
set(KOSH_OBJ_TEST_SOURCES
  ${KOSH_ROOT}/kernel/frame.c ${KOSH_ROOT}/kernel/space.c ${KOSH_ROOT}/kernel/sys_memory.c
  ${KOSH_ROOT}/kernel/mmio.c
  ${KOSH_ROOT}/kernel/sys_common.c ${KOSH_ROOT}/kernel/cpu.c
  ${KOSH_ROOT}/kernel/sys_quota.c ${KOSH_ROOT}/kernel/sys_log.c ${KOSH_ROOT}/kernel/vm.c
  ${KOSH_ROOT}/kernel/quota.c ${KOSH_ROOT}/kernel/cap.c ${KOSH_ROOT}/kernel/usercopy.c
  ${KOSH_ROOT}/kernel/klog.c ${KOSH_ROOT}/kernel/clock.c ${KOSH_ROOT}/shared/lib/pagetable.c
  ${KOSH_ROOT}/kernel/fbcon.c ${KOSH_ROOT}/shared/lib/font.c
  ${CMAKE_CURRENT_SOURCE_DIR}/fake/pmm_fake.c ${CMAKE_CURRENT_SOURCE_DIR}/fake/mem_fake.c
  ${CMAKE_CURRENT_SOURCE_DIR}/fake/kheap_fake.c)

foreach(arch x86_64 aarch64)
  string(TOUPPER ${arch} ARCH)
  foreach(part frame space mmio)
    kosh_host_test(${part}_${arch}_test
      SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${part}_test.c ${KOSH_OBJ_TEST_SOURCES}
      LIBS kosh_arch_fake kosh_shared_host
      INCLUDES ${CMAKE_CURRENT_SOURCE_DIR}/fake/kobj ${CMAKE_CURRENT_SOURCE_DIR}/fake
               ${KOSH_ROOT}/arch-${arch}/include ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include
      DEFINES KOSH_TEST_ARCH_${ARCH})
  endforeach()
endforeach()
