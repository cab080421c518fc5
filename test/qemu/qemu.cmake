# SPDX-License-Identifier: MIT
# QEMU boot tests (label qemu): one ctest per case of test/qemu/boottest.py,
# which owns the list. Each boots under TCG with -nic none and a timeout.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(KOSH_BOOTTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/boottest.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${KOSH_BOOTTEST} --list
  OUTPUT_VARIABLE KOSH_BOOT_CASES OUTPUT_STRIP_TRAILING_WHITESPACE
  COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KOSH_BOOTTEST})
foreach(case IN LISTS KOSH_BOOT_CASES)
  add_test(NAME boot.${case}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_BOOTTEST} --build ${CMAKE_BINARY_DIR} ${case})
  set_tests_properties(boot.${case} PROPERTIES LABELS qemu TIMEOUT 300)
endforeach()

# The shell test (test/qemu/shelltest.py): the plain system, driven over the serial
# console, expect-style, on both architectures.
set(KOSH_SHELLTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/shelltest.py)
foreach(arch IN ITEMS x86_64 aarch64)
  add_test(NAME shell.${arch}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_SHELLTEST} --build ${CMAKE_BINARY_DIR} ${arch})
  set_tests_properties(shell.${arch} PROPERTIES LABELS qemu TIMEOUT 1000)
endforeach()
