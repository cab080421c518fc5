# SPDX-License-Identifier: MIT
# Host tests and the fuzz target for the terminal model (shared/lib/term.c), the core
# of the framebuffer console. term.c is compiled into both directly: it is user-only
# code, not (yet) part of kosh_shared_host, and libFuzzer needs it instrumented.
# Included by test/CMakeLists.txt, whose helpers it uses.

kosh_host_test(term_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/term_test.c
  ${KOSH_ROOT}/shared/lib/term.c)

kosh_fuzz_target(fuzz_term SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_term.c
  ${KOSH_ROOT}/shared/lib/term.c)
