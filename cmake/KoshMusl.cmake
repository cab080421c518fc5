# SPDX-License-Identifier: MIT
# musl, the C library of user programs (DESIGN.md §8, docs/build.md): Debian's
# source package, fetched by scripts/setup.sh into .deps/src/musl (never
# committed, never edited), cross-built here for each architecture in
# KOSH_ARCHES by musl's own configure and Makefile, out of tree, with the one
# clang of the build:
#
#   <build>/<arch>/musl/include/   the installed headers (make install-headers)
#   <build>/<arch>/musl/lib/libc.a the static library
#   <build>/<arch>/musl/obj/       musl's build directory
#
# System calls: user/lib/musl/syscall_arch.h (one for every architecture) replaces musl's
# arch/<arch>/syscall_arch.h. It is passed first with -iquote, which wins over
# musl's -I$(srcdir)/arch/<arch> for the quoted #include "syscall_arch.h" in
# src/internal/syscall.h; its __syscallN call __kosh_linux_syscall
# (user/lib/linux_syscall.c).
#
# The build runs once and again only when its inputs change (the fetched
# version, the replacement header, this file); then it starts from scratch, as
# musl's Makefile does not know about the replacement header.
#
# musl needs compiler-rt's builtins (on AArch64 the soft 128-bit long double of
# printf): the host's libclang_rt.builtins-x86_64.a (libclang-rt-14-dev), and for
# AArch64 the copy scripts/setup.sh takes from libclang-rt-14-dev:arm64.
#
# Sets KOSH_MUSL_VERSION, and per architecture KOSH_MUSL_INCLUDE_<arch>,
# KOSH_MUSL_LIBC_<arch>, KOSH_MUSL_RT_<arch> (files) and the target kosh_musl_<arch>.

set(KOSH_MUSL_SRC ${KOSH_ROOT}/.deps/src/musl)
set(KOSH_MUSL_VERSION_FILE ${KOSH_ROOT}/.deps/src/musl.version)
if(NOT EXISTS ${KOSH_MUSL_SRC}/configure OR NOT EXISTS ${KOSH_MUSL_VERSION_FILE})
  message(FATAL_ERROR "musl's source is missing (${KOSH_MUSL_SRC}); run scripts/setup.sh")
endif()
file(STRINGS ${KOSH_MUSL_VERSION_FILE} KOSH_MUSL_VERSION LIMIT_COUNT 1)
find_program(KOSH_MAKE NAMES gmake make REQUIRED)
find_program(KOSH_LLVM_RANLIB NAMES llvm-ranlib llvm-ranlib-14 REQUIRED)
find_program(KOSH_LLVM_AR NAMES llvm-ar llvm-ar-14 REQUIRED)

set(KOSH_MUSL_RT_x86_64 ${KOSH_CLANG_RESOURCE_DIR}/lib/linux/libclang_rt.builtins-x86_64.a)
set(KOSH_MUSL_RT_aarch64 ${KOSH_ROOT}/.deps/clang-rt-arm64/libclang_rt.builtins-aarch64.a)
foreach(arch IN LISTS KOSH_ARCHES)
  if(NOT EXISTS ${KOSH_MUSL_RT_${arch}})
    message(FATAL_ERROR "compiler-rt builtins missing (${KOSH_MUSL_RT_${arch}}); run scripts/setup.sh")
  endif()
endforeach()

# Like user programs: static, non-PIC, at a fixed address.
set(KOSH_MUSL_CFLAGS -fno-pic -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables)

foreach(arch IN LISTS KOSH_ARCHES)
  set(dir ${CMAKE_BINARY_DIR}/${arch}/musl)
  set(syscall_h ${KOSH_ROOT}/user/lib/musl/syscall_arch.h)
  set(cc "${CMAKE_C_COMPILER} --target=${arch}-unknown-none-elf")
  list(JOIN KOSH_MUSL_CFLAGS " " cflags)
  set(cflags "${cflags} -iquote ${KOSH_ROOT}/user/lib/musl")
  set(make ${KOSH_MAKE} -C ${dir}/obj -j2 AR=${KOSH_LLVM_AR} RANLIB=${KOSH_LLVM_RANLIB})
  add_custom_command(OUTPUT ${dir}/lib/libc.a ${dir}/include/stdio.h
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${dir}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}/obj
    COMMAND ${CMAKE_COMMAND} -E chdir ${dir}/obj
            ${CMAKE_COMMAND} -E env "CC=${cc}" "CFLAGS=${cflags}" "AR=${KOSH_LLVM_AR}"
            "RANLIB=${KOSH_LLVM_RANLIB}"
            ${KOSH_MUSL_SRC}/configure --target=${arch} --disable-shared --prefix=${dir}
            > ${dir}/configure.log
    COMMAND ${make} install-headers > ${dir}/make.log
    COMMAND ${make} lib/libc.a >> ${dir}/make.log
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}/lib
    COMMAND ${CMAKE_COMMAND} -E copy ${dir}/obj/lib/libc.a ${dir}/lib/libc.a
    DEPENDS ${KOSH_MUSL_VERSION_FILE} ${syscall_h} ${KOSH_ROOT}/cmake/KoshMusl.cmake
    VERBATIM
    COMMENT "Building musl ${KOSH_MUSL_VERSION} (${arch}; log in ${arch}/musl/make.log)")
  add_custom_target(kosh_musl_${arch} DEPENDS ${dir}/lib/libc.a ${dir}/include/stdio.h)
  set(KOSH_MUSL_INCLUDE_${arch} ${dir}/include)
  set(KOSH_MUSL_LIBC_${arch} ${dir}/lib/libc.a)
endforeach()
