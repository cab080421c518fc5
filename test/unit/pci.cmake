# SPDX-License-Identifier: MIT
# PCI configuration space parsing (shared/lib/pci.c): host tests on the dumped
# configuration spaces in test/unit/data/pci/, and a fuzz target.
kosh_host_test(pci_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/pci_test.c
  ${KOSH_ROOT}/shared/lib/pci.c)
kosh_fuzz_target(fuzz_pci SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_pci.c
  ${KOSH_ROOT}/shared/lib/pci.c)
