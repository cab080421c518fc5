# SPDX-License-Identifier: MIT
# Host tests and the fuzz target for the shell's command-line parser
# (user/apps/sh/parse.c, docs/shell.md). Included by test/CMakeLists.txt, whose
# helpers it uses. The parser is pure C, compiled into each binary as it is.

kosh_host_test(sh_parse_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/sh_parse_test.c
  ${KOSH_ROOT}/user/apps/sh/parse.c INCLUDES ${KOSH_ROOT}/user/apps/sh)

kosh_fuzz_target(fuzz_sh_parse SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_sh_parse.c
  ${KOSH_ROOT}/user/apps/sh/parse.c INCLUDES ${KOSH_ROOT}/user/apps/sh)
