# SPDX-License-Identifier: MIT
# Host tests for the driver manager's pure parts (user/servers/devmgr): the
# etc/drivers parser and matcher (drivers.c, which also parses the shipped
# user/initfs/etc/drivers), the text of dev:///pci and dev:///devices (text.c),
# and the pure parts of mounting (mountplan.c: the boot plan, "mount" requests).
# Included by test/CMakeLists.txt.

kosh_host_test(devmgr_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/devmgr_test.c
    ${KOSH_ROOT}/user/servers/devmgr/drivers.c ${KOSH_ROOT}/user/servers/devmgr/text.c
    ${KOSH_ROOT}/user/servers/devmgr/mountplan.c
  INCLUDES ${KOSH_ROOT}/user/servers/devmgr
  LIBS kosh_shared_host)

# The etc/drivers parser on arbitrary bytes (compiled in, with its formatter, for coverage).
kosh_fuzz_target(fuzz_drivers SOURCES ${KOSH_ROOT}/test/fuzz/fuzz_drivers.c
  ${KOSH_ROOT}/user/servers/devmgr/drivers.c ${KOSH_ROOT}/shared/lib/fmt.c
  INCLUDES ${KOSH_ROOT}/user/servers/devmgr)
