# SPDX-License-Identifier: MIT
# Host tests and the fuzz target for the FAT library (user/servers/fatfsd/fat*.c),
# the pure part of fatfsd. fat_test makes its images at run time with mkfs.fat
# and mtools and checks them with fsck.fat (dosfstools and mtools come from
# scripts/setup.sh); without them those cases are skipped.

set(KOSH_FAT_SOURCES ${KOSH_ROOT}/user/servers/fatfsd/fat.c
  ${KOSH_ROOT}/user/servers/fatfsd/fat_dir.c ${KOSH_ROOT}/user/servers/fatfsd/fat_name.c)

kosh_host_test(fat_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/fat_test.c ${KOSH_FAT_SOURCES})
set_tests_properties(fat_test PROPERTIES TIMEOUT 300)

kosh_fuzz_target(fuzz_fat SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_fat.c ${KOSH_FAT_SOURCES})

# The same sources cross-compiled for Kosh, with the user programs' flags, so
# that the library keeps building freestanding for both architectures before
# fatfsd links it.
if(COMMAND kosh_user_objects)
  foreach(arch x86_64 aarch64)
    kosh_user_objects(fat_lib_${arch} ARCH ${arch} SOURCES ${KOSH_FAT_SOURCES})
  endforeach()
endif()
