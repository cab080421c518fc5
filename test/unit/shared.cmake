# SPDX-License-Identifier: MIT
# Host unit tests and fuzz targets for shared/lib: the ELF validator, the ustar
# reader, the kosh.cfg parser, the memory map conversion and the formatter.
# Included by test/CMakeLists.txt, whose helpers it uses.

foreach(part elf tar cfg memmap fmt)
  kosh_host_test(${part}_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${part}_test.c
    LIBS kosh_shared_host)
endforeach()

# Each fuzz target compiles its parser itself rather than linking kosh_shared_host:
# only code built with -fsanitize=fuzzer carries the coverage feedback that lets
# libFuzzer find its way into the parser.
foreach(part elf tar cfg memmap)
  kosh_fuzz_target(fuzz_${part} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${part}.c
    ${KOSH_ROOT}/shared/lib/${part}.c)
endforeach()

kosh_host_test(abi_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/abi_test.c LIBS kosh_shared_host)

find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME abi_doc_current
  COMMAND ${Python3_EXECUTABLE} ${KOSH_ROOT}/scripts/genabidoc.py --check ${KOSH_ROOT})
set_tests_properties(abi_doc_current PROPERTIES LABELS host TIMEOUT 30)
