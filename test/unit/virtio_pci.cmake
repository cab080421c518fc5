# SPDX-License-Identifier: MIT
# Host tests for the virtio PCI transport (user/lib/virtio_pci.c) over stubs of the
# system calls, with a real virtio-blk function's configuration space; and for the
# pure part of sbin/drivers/virtio-blk (blkstate.c): partition names, the device
# list, badges, clients, request slots and chunks. Included by test/CMakeLists.txt.
kosh_host_test(virtio_pci_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/virtio_pci_test.c
  ${KOSH_ROOT}/user/lib/virtio_pci.c ${KOSH_ROOT}/shared/lib/virtqueue.c
  ${KOSH_ROOT}/shared/lib/pci.c
  LIBS kosh_shared_host INCLUDES ${KOSH_ROOT}/user/lib/include)
kosh_host_test(virtio_blk_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/virtio_blk_test.c
  ${KOSH_ROOT}/user/drivers/virtio-blk/blkstate.c
  INCLUDES ${KOSH_ROOT}/user/drivers/virtio-blk)
