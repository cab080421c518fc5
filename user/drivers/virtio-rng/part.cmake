# SPDX-License-Identifier: MIT
# sbin/drivers/virtio-rng: rng:// from a virtio entropy device, or from the CPU
# (cpu_<arch>.c) when devmgr starts it without one (docs/virtio.md, "virtio-rng").
kosh_user_program(virtio-rng ARCH ${arch} INSTALL sbin/drivers/virtio-rng
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/cpu_${arch}.c)
