# SPDX-License-Identifier: MIT
# fatfsd: one FAT volume served as files (docs/fat.md). Included by
# user/CMakeLists.txt once per architecture.
kosh_user_program(fatfsd ARCH ${arch} INSTALL sbin/fatfsd
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/fat.c
  ${CMAKE_CURRENT_LIST_DIR}/fat_dir.c ${CMAKE_CURRENT_LIST_DIR}/fat_name.c)

# bin/fatprobe: fatfsd driven by hand on a block device (probe.c).
kosh_user_program(fatprobe ARCH ${arch} INSTALL bin/fatprobe
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/probe.c)
