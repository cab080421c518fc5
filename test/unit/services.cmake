# SPDX-License-Identifier: MIT
# Host tests and the fuzz target for the etc/services parser (shared/lib/services.c).
# services_test also parses user/initfs/etc/services, so the shipped file stays valid.
# Included by test/CMakeLists.txt, whose helpers it uses.

kosh_host_test(services_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/services_test.c
  LIBS kosh_shared_host)

# As in shared.cmake, the parser is compiled into the fuzz target itself (with its
# formatter) so that libFuzzer gets coverage feedback from it.
kosh_fuzz_target(fuzz_services SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_services.c
  ${KOSH_ROOT}/shared/lib/services.c ${KOSH_ROOT}/shared/lib/fmt.c)
