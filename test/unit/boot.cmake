# SPDX-License-Identifier: MIT
# Host tests of the kernel's boot-info checks and of the initfs packing.
kosh_host_test(bootinfo_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/bootinfo_test.c ${KOSH_ROOT}/kernel/bootinfo.c
  LIBS kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel)
add_test(NAME initfs_reproducible
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/unit/initfs_repro.sh ${KOSH_ROOT})
set_tests_properties(initfs_reproducible PROPERTIES LABELS host TIMEOUT 60)

add_test(NAME headers_compile_alone COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/unit/headers.sh ${KOSH_ROOT})
set_tests_properties(headers_compile_alone PROPERTIES LABELS host TIMEOUT 120)

add_test(NAME install_esp
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/unit/install_esp.sh ${KOSH_ROOT} ${CMAKE_BINARY_DIR})
set_tests_properties(install_esp PROPERTIES LABELS host TIMEOUT 60)
