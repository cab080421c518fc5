# SPDX-License-Identifier: MIT
# bin/netcheck: an ARP exchange with QEMU's user-mode gateway through dev:///net0 and
# the rings of <kosh/proto/net.h> (test/qemu/virtiotest.py).
kosh_user_program(netcheck ARCH ${arch} INSTALL bin/netcheck LIBC
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/netcheck.c ${KOSH_ROOT}/user/drivers/virtio-net/netring.c
  INCLUDES ${KOSH_ROOT}/user/drivers/virtio-net DEFINES _POSIX_C_SOURCE=200809L)
