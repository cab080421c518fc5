/* SPDX-License-Identifier: MIT */
/*
 * Dumping the firmware's ACPI tables to the kernel log as hex, for debugging a
 * machine and for capturing test fixtures (scripts/acpidump.py turns a log back
 * into table files). Enabled by "kosh.acpidump" on the command line.
 */
#ifndef KERNEL_FWDUMP_H
#define KERNEL_FWDUMP_H

struct acpi;

/* Log every table the root table lists, whatever its checksum says. */
void fwdump_acpi(const struct acpi *a);

#endif
