# SPDX-License-Identifier: MIT
# Host tests of the system layer under musl (user/lib/posix/): the descriptor
# table's rules (fd.c is pure bookkeeping; the test fakes the file side), and
# the file calls (files.c) against a fake file client, with the x86-64 port's
# Linux numbers and layouts.
# Included by test/CMakeLists.txt, whose helpers it uses.

kosh_host_test(posix_fd_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/posix_fd_test.c
  ${KOSH_ROOT}/user/lib/posix/fd.c INCLUDES ${KOSH_ROOT}/user/lib/include)
kosh_host_test(posix_files_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/posix_files_test.c
  ${KOSH_ROOT}/user/lib/posix/fd.c ${KOSH_ROOT}/user/lib/posix/files.c LIBS kosh_shared_host
  INCLUDES ${KOSH_ROOT}/user/lib/include ${KOSH_ROOT}/arch-x86_64/user/include)

# No program linked with musl issues a Linux system call itself (run after a build).
add_test(NAME libc_no_raw_syscalls
  COMMAND ${KOSH_ROOT}/user/lib/musl/check-syscalls.sh ${CMAKE_BINARY_DIR})
set_tests_properties(libc_no_raw_syscalls PROPERTIES LABELS host TIMEOUT 120)
