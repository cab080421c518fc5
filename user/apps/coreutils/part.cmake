# SPDX-License-Identifier: MIT
# The utilities (docs/shell.md), one musl program each: bin/<tool> from <tool>.c,
# with util.c (messages, options, paths) and copy.c (cp and mv) linked into all.
# crash and spin are test programs for the QEMU shell test: a NULL dereference
# and an endless loop (for Ctrl-C). Included by user/CMakeLists.txt once per
# architecture, with ${arch} set.
set(dir ${CMAKE_CURRENT_LIST_DIR})
foreach(tool ls cat echo mkdir rm cp mv ps kill svc dmesg uptime free uname env true false sleep date
    df sync crash spin)
  kosh_user_program(${tool} ARCH ${arch} INSTALL bin/${tool} LIBC
    SOURCES ${dir}/${tool}.c ${dir}/util.c ${dir}/copy.c
    DEFINES _POSIX_C_SOURCE=200809L KOSH_ARCH_NAME="${arch}")
endforeach()
# lspci and lsdev print what the driver manager found (dev:///pci, dev:///devices),
# with the names of pcinames.c.
foreach(tool lspci lsdev)
  kosh_user_program(${tool} ARCH ${arch} INSTALL bin/${tool} LIBC
    SOURCES ${dir}/${tool}.c ${dir}/pcinames.c ${dir}/util.c ${dir}/copy.c
    DEFINES _POSIX_C_SOURCE=200809L KOSH_ARCH_NAME="${arch}")
endforeach()
