# SPDX-License-Identifier: MIT
# Host unit tests and fuzz targets for the kernel's firmware-table parsers:
# kernel/acpi.c and acpi_tables.c (RSDP, RSDT/XSDT, SPCR, FADT, \_S5_, MADT, HPET,
# MCFG, GTDT), kernel/fdt.c (device trees), and kernel/platform.c, the portable
# machine description built from either. The tests read tables and trees that
# QEMU generated, from test/unit/data.
# Included by test/CMakeLists.txt, whose helpers it uses.

set(KOSH_ACPI_SOURCES ${KOSH_ROOT}/kernel/acpi.c ${KOSH_ROOT}/kernel/acpi_tables.c)
set(KOSH_FDT_SOURCES ${KOSH_ROOT}/kernel/fdt.c)

foreach(part acpi fdt)
  string(TOUPPER ${part} upper)
  kosh_host_test(${part}_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${part}_test.c
    ${KOSH_${upper}_SOURCES} INCLUDES ${KOSH_ROOT}/kernel)
  # Each fuzz target also builds the platform description from what its parser
  # accepts (kosh_shared_host for the formatter behind platform_describe), and
  # seeds itself with QEMU's tables or trees.
  kosh_fuzz_target(fuzz_${part} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${part}.c
    ${KOSH_ROOT}/kernel/platform.c ${KOSH_ACPI_SOURCES} ${KOSH_FDT_SOURCES}
    LIBS kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel)
  target_compile_definitions(fuzz_${part} PRIVATE KOSH_SOURCE_DIR="${KOSH_ROOT}")
endforeach()
target_compile_definitions(fuzz_acpi PRIVATE
  FUZZ_SEED_DIR="${CMAKE_CURRENT_BINARY_DIR}/fuzz_acpi-seeds")

kosh_host_test(platform_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/platform_test.c
  ${KOSH_ROOT}/kernel/platform.c ${KOSH_ACPI_SOURCES} ${KOSH_FDT_SOURCES}
  LIBS kosh_shared_host INCLUDES ${KOSH_ROOT}/kernel)
