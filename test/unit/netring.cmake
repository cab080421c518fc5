# SPDX-License-Identifier: MIT
# The raw network rings (user/drivers/virtio-net/netring.c, <kosh/proto/net.h>): host
# test and a fuzz target on the checks of what a client writes.
kosh_host_test(netring_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/netring_test.c
  ${KOSH_ROOT}/user/drivers/virtio-net/netring.c
  INCLUDES ${KOSH_ROOT}/user/drivers/virtio-net)

kosh_fuzz_target(fuzz_netring SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_netring.c
  ${KOSH_ROOT}/user/drivers/virtio-net/netring.c
  INCLUDES ${KOSH_ROOT}/user/drivers/virtio-net)
