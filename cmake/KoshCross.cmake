# SPDX-License-Identifier: MIT
# Cross-compilation with the one clang of the build. Objects are compiled by CMake
# object libraries carrying per-target flags; images are linked by calling the
# linker directly (ld.lld for the kernel ELF, lld-link for the EFI loader), so no
# host toolchain default can leak into a freestanding image.

find_program(KOSH_LD_LLD NAMES ld.lld REQUIRED)
find_program(KOSH_LLD_LINK NAMES lld-link REQUIRED)

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-resource-dir
  OUTPUT_VARIABLE KOSH_CLANG_RESOURCE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)

# gnu-efi headers: the host's for x86-64, scripts/setup.sh's copy for AArch64.
set(KOSH_EFI_INCLUDE_x86_64 /usr/include/efi /usr/include/efi/x86_64)
set(KOSH_EFI_ARM64_ROOT ${KOSH_ROOT}/.deps/gnu-efi-arm64/usr/include/efi)
set(KOSH_EFI_INCLUDE_aarch64 ${KOSH_EFI_ARM64_ROOT} ${KOSH_EFI_ARM64_ROOT}/aarch64)
foreach(arch IN LISTS KOSH_ARCHES)
  foreach(dir IN LISTS KOSH_EFI_INCLUDE_${arch})
    if(NOT EXISTS ${dir})
      message(FATAL_ERROR "gnu-efi headers missing (${dir}); run scripts/setup.sh")
    endif()
  endforeach()
endforeach()

set(KOSH_FREESTANDING_FLAGS
  -std=c11 -ffreestanding -nostdinc -isystem ${KOSH_CLANG_RESOURCE_DIR}/include
  -fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing
  -Wall -Wextra -Werror -Wno-unused-parameter -Wvla -Wshadow -Wstrict-prototypes
  -O2 -g)

set(KOSH_KERNEL_FLAGS_x86_64 --target=x86_64-unknown-none-elf -mcmodel=kernel
  -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-80387 -fno-pic -fno-pie
  -fno-asynchronous-unwind-tables)
set(KOSH_KERNEL_FLAGS_aarch64 --target=aarch64-unknown-none-elf -mgeneral-regs-only
  -fno-pic -fno-pie -fno-asynchronous-unwind-tables)

set(KOSH_EFI_FLAGS_x86_64 --target=x86_64-unknown-windows -fno-ms-extensions -mno-red-zone -mno-mmx -mno-sse
  -mno-stack-arg-probe)
set(KOSH_EFI_FLAGS_aarch64 --target=aarch64-unknown-windows -fno-ms-extensions -mgeneral-regs-only
  -mno-stack-arg-probe)
set(KOSH_EFI_MACHINE_x86_64 x64)
set(KOSH_EFI_MACHINE_aarch64 arm64)
set(KOSH_EFI_NAME_x86_64 BOOTX64.EFI)
set(KOSH_EFI_NAME_aarch64 BOOTAA64.EFI)

# kosh_objects(<name> ARCH <arch> ENV <kernel|efi> SOURCES ... [INCLUDES ...] [DEFINES ...])
function(kosh_objects name)
  cmake_parse_arguments(A "" "ARCH;ENV" "SOURCES;INCLUDES;DEFINES" ${ARGN})
  add_library(${name} OBJECT ${A_SOURCES})
  if(A_ENV STREQUAL "kernel")
    set(flags ${KOSH_KERNEL_FLAGS_${A_ARCH}})
    set(incs)
  else()
    set(flags ${KOSH_EFI_FLAGS_${A_ARCH}} -fshort-wchar)
    set(incs ${KOSH_EFI_INCLUDE_${A_ARCH}})
  endif()
  target_compile_options(${name} PRIVATE ${flags} ${KOSH_FREESTANDING_FLAGS})
  target_include_directories(${name} PRIVATE ${A_INCLUDES} ${KOSH_ROOT}/shared/include)
  target_include_directories(${name} SYSTEM PRIVATE ${incs})
  target_compile_definitions(${name} PRIVATE ${A_DEFINES})
endfunction()

# kosh_object_files(<var> <objlib>...): the object files of object libraries.
function(kosh_object_files var)
  set(objs)
  foreach(lib IN LISTS ARGN)
    list(APPEND objs $<TARGET_OBJECTS:${lib}>)
  endforeach()
  set(${var} ${objs} PARENT_SCOPE)
endfunction()

# kosh_link_kernel(<target> ARCH <arch> SCRIPT <ld> OUTPUT <file> OBJECTS <objlib>...)
function(kosh_link_kernel target)
  cmake_parse_arguments(A "" "ARCH;SCRIPT;OUTPUT" "OBJECTS" ${ARGN})
  kosh_object_files(objs ${A_OBJECTS})
  add_custom_command(OUTPUT ${A_OUTPUT}
    COMMAND ${KOSH_LD_LLD} -nostdlib -static --no-dynamic-linker -z max-page-size=4096
            -z noexecstack --build-id=none --no-undefined -T ${A_SCRIPT} -o ${A_OUTPUT} ${objs}
    DEPENDS ${A_OBJECTS} ${objs} ${A_SCRIPT}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking ${A_OUTPUT}")
  add_custom_target(${target} ALL DEPENDS ${A_OUTPUT})
endfunction()

# kosh_link_efi(<target> ARCH <arch> OUTPUT <file> OBJECTS <objlib>...)
function(kosh_link_efi target)
  cmake_parse_arguments(A "" "ARCH;OUTPUT" "OBJECTS" ${ARGN})
  kosh_object_files(objs ${A_OBJECTS})
  add_custom_command(OUTPUT ${A_OUTPUT}
    COMMAND ${KOSH_LLD_LINK} /nologo /subsystem:efi_application /entry:efi_main
            /nodefaultlib /machine:${KOSH_EFI_MACHINE_${A_ARCH}} /nxcompat /dynamicbase
            /debug:none /out:${A_OUTPUT} ${objs}
    DEPENDS ${A_OBJECTS} ${objs}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking ${A_OUTPUT}")
  add_custom_target(${target} ALL DEPENDS ${A_OUTPUT})
endfunction()
