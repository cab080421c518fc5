# SPDX-License-Identifier: MIT
# bin/sh, the shell (docs/shell.md): a musl program. Included by user/CMakeLists.txt
# once per architecture, with ${arch} set. parse.c is also built for the host by
# test/unit/sh.cmake (tests and fuzzer).
set(dir ${CMAKE_CURRENT_LIST_DIR})
kosh_user_program(sh ARCH ${arch} INSTALL bin/sh LIBC
  SOURCES ${dir}/main.c ${dir}/run.c ${dir}/builtin.c ${dir}/parse.c ${dir}/report.c
    ${dir}/mount.c
  DEFINES _POSIX_C_SOURCE=200809L KOSH_ARCH_NAME="${arch}")
