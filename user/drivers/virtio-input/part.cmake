# SPDX-License-Identifier: MIT
# sbin/drivers/virtio-input: a virtio keyboard as typed text in the serial protocol on
# init's "input" endpoint (docs/virtio.md, "virtio-input"), through the runtime's
# keymap (user/lib/keymap.c).
kosh_user_program(virtio-input ARCH ${arch} INSTALL sbin/drivers/virtio-input
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c)
