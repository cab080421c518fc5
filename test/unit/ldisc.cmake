# SPDX-License-Identifier: MIT
# The console's line discipline (user/servers/console/ldisc.c), on the host.
kosh_host_test(ldisc_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/ldisc_test.c ${KOSH_ROOT}/user/servers/console/ldisc.c
  INCLUDES ${KOSH_ROOT}/user/servers/console)
