# SPDX-License-Identifier: MIT
# The framebuffer console on the host: sbin/fbcon's renderer (user/servers/fbcon/render.c)
# over the terminal model and the shared font; the console's output queue to it
# (user/servers/console/outq.c); and fbrender, the host tool that draws a screen as
# fbcon does, for the QEMU screen test (test/qemu/fbtest.py runs <build>/tools/fbrender).
set(KOSH_FBCON_HOST_SOURCES ${KOSH_ROOT}/user/servers/fbcon/render.c
  ${KOSH_ROOT}/shared/lib/term.c ${KOSH_ROOT}/shared/lib/font.c)

kosh_host_test(fbcon_render_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/fbcon_render_test.c ${KOSH_FBCON_HOST_SOURCES}
  INCLUDES ${KOSH_ROOT}/user/servers/fbcon)

kosh_host_test(outq_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/outq_test.c ${KOSH_ROOT}/user/servers/console/outq.c
  LIBS pthread INCLUDES ${KOSH_ROOT}/user/servers/console)

add_executable(fbrender ${CMAKE_CURRENT_SOURCE_DIR}/tools/fbrender.c ${KOSH_FBCON_HOST_SOURCES})
target_compile_options(fbrender PRIVATE -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror
  -Wno-unused-parameter)
target_include_directories(fbrender PRIVATE ${KOSH_ROOT}/shared/include
  ${KOSH_ROOT}/user/servers/fbcon)
set_target_properties(fbrender PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools)
