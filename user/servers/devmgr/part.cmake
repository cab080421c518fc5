# SPDX-License-Identifier: MIT
# devmgr (sbin/devmgr): the driver manager, docs/devices.md. It reads the
# firmware's tables with the kernel's own parsers (kernel/acpi*.c, fdt.c: pure
# code over a map function), compiled in unchanged.
# Included once per architecture by user/CMakeLists.txt, ${arch} set.
kosh_user_program(devmgr ARCH ${arch} INSTALL sbin/devmgr
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/firmware.c
          ${CMAKE_CURRENT_LIST_DIR}/pci.c ${CMAKE_CURRENT_LIST_DIR}/launch.c
          ${CMAKE_CURRENT_LIST_DIR}/devfs.c ${CMAKE_CURRENT_LIST_DIR}/text.c
          ${CMAKE_CURRENT_LIST_DIR}/drivers.c ${CMAKE_CURRENT_LIST_DIR}/mount.c
          ${CMAKE_CURRENT_LIST_DIR}/mountplan.c
          ${KOSH_ROOT}/kernel/acpi.c ${KOSH_ROOT}/kernel/acpi_tables.c ${KOSH_ROOT}/kernel/fdt.c
  INCLUDES ${KOSH_ROOT}/kernel)
