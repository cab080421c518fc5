# SPDX-License-Identifier: MIT
# Host tests of the kernel's memory allocators on the fake port: the buddy
# allocator (kernel/pmm.c) and the slab caches and kmalloc on top of it
# (kernel/kheap.c). Included by test/CMakeLists.txt, whose helpers it uses.
set(KOSH_MEM_TEST_SOURCES ${KOSH_ROOT}/kernel/pmm.c ${KOSH_ROOT}/kernel/klog.c
  ${KOSH_ROOT}/kernel/clock.c)

kosh_host_test(pmm_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/pmm_test.c ${KOSH_MEM_TEST_SOURCES}
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)

kosh_host_test(kheap_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/kheap_test.c ${KOSH_ROOT}/kernel/kheap.c
          ${KOSH_MEM_TEST_SOURCES}
  LIBS kosh_arch_fake kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include)
