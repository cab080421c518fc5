# SPDX-License-Identifier: MIT
# Host tests for bootstrap's initfs tree and the path rules of initfs://
# (user/servers/bootstrap/initfs.c). Included by test/CMakeLists.txt.

kosh_host_test(initfs_server_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/initfs_server_test.c ${KOSH_ROOT}/user/servers/bootstrap/initfs.c
  INCLUDES ${KOSH_ROOT}/user/servers/bootstrap
  LIBS kosh_shared_host)
