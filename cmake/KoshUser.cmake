# SPDX-License-Identifier: MIT
# User programs, cross-compiled for each architecture with the one clang of the
# build (see docs/userspace.md). Like the kernel, they are compiled by CMake
# object libraries carrying per-target flags and linked by calling ld.lld
# directly with arch-<arch>/user/user.ld: static, non-PIE, at 0x400000, in
# page-aligned R-X / R-- / RW- segments. Unlike the kernel, user code may use
# the FPU and SIMD registers and the red zone.
#
#   kosh_user_objects(<name> ARCH <arch> SOURCES ... [INCLUDES ...] [DEFINES ...])
#   kosh_user_library(<name> ARCH <arch> OBJECTS <objlib>...)      -> lib<name>.a
#   kosh_user_program(<name> ARCH <arch> SOURCES ... [INSTALL <path in initfs>]
#                     [LIBS <user library>...] [INCLUDES ...] [DEFINES ...] [LIBC])
#
# A program links crt0, its objects, its LIBS and the runtime (libkosh) with
# shared/lib's freestanding code (libkosh-shared). With LIBC it is compiled
# against musl's headers and links musl's libc.a (and compiler-rt's builtins)
# first (cmake/KoshMusl.cmake), so musl's string functions are the ones used;
# crt0 stays Kosh's, and user/lib/musl/start.c joins the program's own objects:
# it enters musl's __libc_start_main and replaces the pieces of musl that would
# issue Linux system-call instructions (an object wins over archive members). With INSTALL it joins the initfs of its architecture: the
# global property KOSH_INITFS_FILES_<arch> collects "path=file" pairs for
# scripts/mkinitfs.sh.

find_program(KOSH_LLVM_AR NAMES llvm-ar llvm-ar-14 REQUIRED)
find_program(KOSH_LLVM_OBJCOPY NAMES llvm-objcopy llvm-objcopy-14 REQUIRED)

set(KOSH_USER_FLAGS_x86_64 --target=x86_64-unknown-none-elf)
set(KOSH_USER_FLAGS_aarch64 --target=aarch64-unknown-none-elf)
set(KOSH_USER_COMMON_FLAGS -fno-pic -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables
  -ffunction-sections -fdata-sections)

# kosh_user_objects(<name> ARCH <arch> SOURCES ... [INCLUDES ...] [DEFINES ...])
function(kosh_user_objects name)
  cmake_parse_arguments(A "" "ARCH" "SOURCES;INCLUDES;DEFINES" ${ARGN})
  add_library(${name} OBJECT ${A_SOURCES})
  target_compile_options(${name} PRIVATE ${KOSH_USER_FLAGS_${A_ARCH}} ${KOSH_USER_COMMON_FLAGS}
    ${KOSH_FREESTANDING_FLAGS})
  target_include_directories(${name} PRIVATE ${A_INCLUDES} ${KOSH_ROOT}/user/lib/include
    ${KOSH_ROOT}/arch-${A_ARCH}/user/include ${KOSH_ROOT}/shared/include)
  target_compile_definitions(${name} PRIVATE ${A_DEFINES} KOSH_VERSION="${PROJECT_VERSION}")
endfunction()

# kosh_user_library(<name> ARCH <arch> OBJECTS <objlib>...): a static archive of the
# object libraries' objects (llvm-ar, deterministic), target <name>, file in
# KOSH_USER_LIB_<name>.
function(kosh_user_library name)
  cmake_parse_arguments(A "" "ARCH" "OBJECTS" ${ARGN})
  kosh_object_files(objs ${A_OBJECTS})
  set(out ${CMAKE_BINARY_DIR}/${A_ARCH}/user/lib${name}.a)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/${A_ARCH}/user
    COMMAND ${CMAKE_COMMAND} -E rm -f ${out}
    COMMAND ${KOSH_LLVM_AR} rcsD ${out} ${objs}
    DEPENDS ${A_OBJECTS} ${objs}
    COMMAND_EXPAND_LISTS
    COMMENT "Archiving lib${name}.a (${A_ARCH})")
  add_custom_target(${name} DEPENDS ${out})
  set_property(GLOBAL PROPERTY KOSH_USER_LIB_${name} ${out})
endfunction()

# kosh_user_program(<name> ARCH <arch> SOURCES ... [INSTALL path] [LIBS ...] ...):
# <build>/<arch>/user/<name>.elf (with debug information) and <name> (stripped of
# it, the copy that goes into the initfs).
function(kosh_user_program name)
  cmake_parse_arguments(A "LIBC" "ARCH;INSTALL" "SOURCES;LIBS;INCLUDES;DEFINES" ${ARGN})
  set(arch ${A_ARCH})
  set(target user_${arch}_${name})
  set(libs)
  set(libc_deps)
  if(A_LIBC)
    list(APPEND A_SOURCES ${KOSH_ROOT}/user/lib/musl/start.c)
    list(APPEND A_INCLUDES ${KOSH_MUSL_INCLUDE_${arch}})
    list(APPEND libs ${KOSH_MUSL_LIBC_${arch}} ${KOSH_MUSL_RT_${arch}})
    set(libc_deps kosh_musl_${arch} ${KOSH_MUSL_LIBC_${arch}})
  endif()
  kosh_user_objects(${target}_objs ARCH ${arch} SOURCES ${A_SOURCES} INCLUDES ${A_INCLUDES}
    DEFINES ${A_DEFINES})
  if(A_LIBC)
    add_dependencies(${target}_objs kosh_musl_${arch})
  endif()
  kosh_object_files(objs ${target}_objs kosh_user_crt0_${arch})
  foreach(lib IN LISTS A_LIBS ITEMS kosh_${arch} kosh_shared_user_${arch})
    get_property(file GLOBAL PROPERTY KOSH_USER_LIB_${lib})
    if(NOT file)
      message(FATAL_ERROR "kosh_user_program(${name}): no user library ${lib}")
    endif()
    list(APPEND libs ${file})
  endforeach()
  set(dir ${CMAKE_BINARY_DIR}/${arch}/user)
  set(script ${KOSH_ROOT}/arch-${arch}/user/user.ld)
  add_custom_command(OUTPUT ${dir}/${name}.elf ${dir}/${name}
    COMMAND ${KOSH_LD_LLD} -nostdlib -static --no-dynamic-linker -z max-page-size=4096
            -z noexecstack --build-id=none --no-undefined --gc-sections -T ${script}
            -o ${dir}/${name}.elf ${objs} --start-group ${libs} --end-group
    COMMAND ${KOSH_LLVM_OBJCOPY} --strip-debug ${dir}/${name}.elf ${dir}/${name}
    DEPENDS ${target}_objs kosh_user_crt0_${arch} ${objs} ${libs} ${A_LIBS} kosh_${arch}
            kosh_shared_user_${arch} ${script} ${libc_deps}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking ${name} (${arch})")
  add_custom_target(${target} ALL DEPENDS ${dir}/${name})
  if(A_INSTALL)
    set_property(GLOBAL APPEND PROPERTY KOSH_INITFS_FILES_${arch} "${A_INSTALL}=${dir}/${name}")
    set_property(GLOBAL APPEND PROPERTY KOSH_INITFS_DEPS_${arch} ${dir}/${name})
  endif()
endfunction()
