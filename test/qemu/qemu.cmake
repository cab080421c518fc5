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

# The disk test (test/qemu/disktest.py): two more virtio-blk PCI disks with known
# data (GPT and MBR), read, written and checked through the block protocol from
# the shell, and the driver killed under load; both architectures.
set(KOSH_DISKTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/disktest.py)
foreach(arch IN ITEMS x86_64 aarch64)
  add_test(NAME disk.${arch}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_DISKTEST} --build ${CMAKE_BINARY_DIR} ${arch})
  set_tests_properties(disk.${arch} PROPERTIES LABELS qemu TIMEOUT 1000)
endforeach()

# The FAT filesystem (test/qemu/fattest.py): a GPT disk made on the host (an EFI
# system partition and a FAT32 data partition) mounted at fs:///boot and fs:///,
# written through the shell, checked with fsck.fat and mtools after power-off, and
# seen again by a second boot; both architectures.
set(KOSH_FATTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/fattest.py)
foreach(arch IN ITEMS x86_64 aarch64)
  add_test(NAME fat.${arch}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_FATTEST} --build ${CMAKE_BINARY_DIR} ${arch})
  set_tests_properties(fat.${arch} PROPERTIES LABELS qemu TIMEOUT 1200)
endforeach()

# The framebuffer console (test/qemu/fbtest.py): the shell on the screen, checked in a
# screendump against text drawn by <build>/tools/fbrender; and AArch64 without a display.
set(KOSH_FBTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/fbtest.py)
foreach(case IN ITEMS x86_64 aarch64 aarch64-serial)
  add_test(NAME fb.${case}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_FBTEST} --build ${CMAKE_BINARY_DIR} ${case})
  set_tests_properties(fb.${case} PROPERTIES LABELS qemu TIMEOUT 600)
endforeach()

# The small virtio drivers (test/qemu/virtiotest.py, which owns the list of cases):
# rng:// from virtio-rng-pci and from the CPU, raw frames through virtio-net (an ARP
# exchange with QEMU's user-mode gateway, restrict=on), keys from virtio-keyboard-pci.
set(KOSH_VIRTIOTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/virtiotest.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${KOSH_VIRTIOTEST} --list
  OUTPUT_VARIABLE KOSH_VIRTIO_CASES OUTPUT_STRIP_TRAILING_WHITESPACE
  COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KOSH_VIRTIOTEST})
string(REPLACE "\n" ";" KOSH_VIRTIO_CASES "${KOSH_VIRTIO_CASES}")
foreach(case IN LISTS KOSH_VIRTIO_CASES)
  add_test(NAME virtio.${case}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_VIRTIOTEST} --build ${CMAKE_BINARY_DIR} ${case})
  set_tests_properties(virtio.${case} PROPERTIES LABELS qemu TIMEOUT 700)
endforeach()

# The driver manager (test/qemu/devtest.py): virtio-rng, a virtio-blk disk and (x86-64)
# QEMU's edu device; lspci must list exactly what the monitor's `info pci` does, lsdev
# names the drivers, and every driver devmgr started is restarted when killed.
set(KOSH_DEVTEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/devtest.py)
# aarch64-dtb: without ACPI, ECAM and an INTx line from the device tree.
foreach(case IN ITEMS x86_64 aarch64 aarch64-dtb)
  add_test(NAME dev.${case}
    COMMAND ${Python3_EXECUTABLE} ${KOSH_DEVTEST} --build ${CMAKE_BINARY_DIR} ${case})
  set_tests_properties(dev.${case} PROPERTIES LABELS qemu TIMEOUT 1000)
endforeach()
