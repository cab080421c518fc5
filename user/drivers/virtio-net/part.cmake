# SPDX-License-Identifier: MIT
# sbin/drivers/virtio-net: raw Ethernet frames through the shared rings of
# <kosh/proto/net.h> (docs/virtio.md, "virtio-net"); netring.c is host-tested
# (test/unit/netring.cmake).
kosh_user_program(virtio-net ARCH ${arch} INSTALL sbin/drivers/virtio-net
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/netring.c)
