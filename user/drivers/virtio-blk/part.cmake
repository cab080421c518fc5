# SPDX-License-Identifier: MIT
# sbin/drivers/virtio-blk: virtio block devices over PCI, served with the block
# protocol (docs/block.md) for the whole disk and each MBR/GPT partition.
# blkstate.c is its pure part (host-tested by test/unit/virtio_blk_test.c); the
# virtqueues, PCI capabilities, partition tables and the block protocol's checks
# are shared/lib's.
kosh_user_program(virtio-blk ARCH ${arch} INSTALL sbin/drivers/virtio-blk
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/blkstate.c)
