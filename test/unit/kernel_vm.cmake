# SPDX-License-Identifier: MIT
# Host tests of the shared page-table code (shared/lib/pagetable.c) and the
# kernel's virtual memory on top of it (kernel/vm.c, with the fake pmm of
# test/fake/pmm_fake.c). pagetable.c takes its entry encoding from <arch/pte.h>,
# so each test is built twice, once per architecture's include directory.
# Included by test/CMakeLists.txt, whose helpers it uses.

foreach(arch x86_64 aarch64)
  string(TOUPPER ${arch} ARCH)
  kosh_host_test(pagetable_${arch}_test
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/pagetable_test.c ${KOSH_ROOT}/shared/lib/pagetable.c
    INCLUDES ${KOSH_ROOT}/arch-${arch}/include
    DEFINES KOSH_TEST_ARCH_${ARCH})
  kosh_host_test(vm_${arch}_test
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/vm_test.c ${KOSH_ROOT}/kernel/vm.c
            ${KOSH_ROOT}/shared/lib/pagetable.c ${CMAKE_CURRENT_SOURCE_DIR}/fake/pmm_fake.c
    LIBS kosh_arch_fake
    INCLUDES ${KOSH_ROOT}/arch-${arch}/include ${KOSH_ROOT}/kernel ${KOSH_ROOT}/kernel/include
    DEFINES KOSH_TEST_ARCH_${ARCH})
endforeach()
