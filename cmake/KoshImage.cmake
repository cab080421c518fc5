# SPDX-License-Identifier: MIT
# The bootable FAT32 disk image of each architecture: the loader as the
# removable-media default \EFI\BOOT\BOOT<ARCH>.EFI with the kernel, kosh.cfg and
# the architecture's own initfs (build/initfs-<arch>.tar, which holds that
# architecture's programs) beside it. On the disk the initfs keeps the name the
# loader is configured with (and defaults to): initfs.tar.
foreach(arch IN LISTS KOSH_ARCHES)
  set(img ${CMAKE_BINARY_DIR}/kosh-${arch}.img)
  set(cfg ${CMAKE_BINARY_DIR}/${arch}/kosh.cfg)
  file(WRITE ${cfg} "# Kosh loader configuration; every key is optional.\nkernel = kernel-${arch}.elf\ninitfs = initfs.tar\n")
  add_custom_command(OUTPUT ${img}
    COMMAND ${KOSH_ROOT}/scripts/mkimage.sh ${img}
            EFI/BOOT/${KOSH_EFI_NAME_${arch}}=${KOSH_LOADER_${arch}}
            EFI/BOOT/kernel-${arch}.elf=${KOSH_KERNEL_${arch}}
            EFI/BOOT/initfs.tar=${KOSH_INITFS_${arch}}
            EFI/BOOT/kosh.cfg=${cfg}
    DEPENDS loader_${arch} kernel_${arch} initfs_${arch} ${KOSH_LOADER_${arch}}
            ${KOSH_KERNEL_${arch}} ${KOSH_INITFS_${arch}} ${KOSH_ROOT}/scripts/mkimage.sh
    COMMENT "Making kosh-${arch}.img")
  add_custom_target(image_${arch} ALL DEPENDS ${img})
endforeach()
