# SPDX-License-Identifier: MIT
# Host unit tests and fuzz targets for the kernel's firmware-table parsers:
# kernel/acpi.c (RSDP, RSDT/XSDT, SPCR, FADT, \_S5_) and kernel/fdt.c (device
# trees; the tests read QEMU's generated trees from test/unit/data).
# Included by test/CMakeLists.txt, whose helpers it uses.

foreach(part acpi fdt)
  kosh_host_test(${part}_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${part}_test.c
    ${KOSH_ROOT}/kernel/${part}.c INCLUDES ${KOSH_ROOT}/kernel)
  kosh_fuzz_target(fuzz_${part} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${part}.c
    ${KOSH_ROOT}/kernel/${part}.c INCLUDES ${KOSH_ROOT}/kernel)
endforeach()

# fuzz_fdt seeds itself with the QEMU trees above.
target_compile_definitions(fuzz_fdt PRIVATE KOSH_SOURCE_DIR="${KOSH_ROOT}")
