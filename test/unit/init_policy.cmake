# SPDX-License-Identifier: MIT
# Host tests for init's supervision decisions (user/servers/init/policy.c).
# Included by test/CMakeLists.txt.

kosh_host_test(init_policy_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/init_policy_test.c ${KOSH_ROOT}/user/servers/init/policy.c
  INCLUDES ${KOSH_ROOT}/user/servers/init
  LIBS kosh_shared_host)

# The text of svc:// (user/servers/init/svctext.c), as `svc list` shows it.
kosh_host_test(init_svc_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/init_svc_test.c ${KOSH_ROOT}/user/servers/init/svctext.c
    ${KOSH_ROOT}/user/servers/init/policy.c
  INCLUDES ${KOSH_ROOT}/user/servers/init
  LIBS kosh_shared_host)

# The checks of init's driver registration (user/servers/init/drvcheck.c, drvreg).
kosh_host_test(init_drv_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/init_drv_test.c ${KOSH_ROOT}/user/servers/init/drvcheck.c
  INCLUDES ${KOSH_ROOT}/user/servers/init
  LIBS kosh_shared_host)
