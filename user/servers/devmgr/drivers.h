/* SPDX-License-Identifier: MIT */
/*
 * initfs:///etc/drivers, the driver manager's list of drivers and the devices
 * each takes (docs/devices.md, "etc/drivers"), and matching a device to it.
 * Pure (no system calls): host-tested by test/unit/devmgr_test.c.
 *
 * One "[driver NAME]" section per driver, then "key = value" lines: binary,
 * args, pci (vendor:device), class (class, subclass, programming interface),
 * compatible (device-tree compatible strings, ACPI ids), name (the first
 * device name: "vda" names vda, vdb …; "net0" net0, net1 …), quota, scheme,
 * endpoint, nodevice, restart. The text is untrusted: every line is checked
 * and an error names its line.
 */
#ifndef KOSH_DEVMGR_DRIVERS_H
#define KOSH_DEVMGR_DRIVERS_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/proto/dev.h>
#include <kosh/proto/drv.h>

#define DRIVERS_MAX	   16
#define DRIVERS_MATCH_MAX  8  /* pci ids, classes, compatible strings: of each */
#define DRIVERS_COMPAT_MAX 64 /* a compatible string + NUL */
#define DRIVERS_FILE_MAX   16384
#define DRIVERS_LINE_MAX   256
#define DRIVERS_ERROR_MAX  128
#define DRIVERS_CLASS_ANY  0xffffu /* a class entry's subclass or interface: any */

struct drivers_pci_id {
	uint16_t vendor, device;
};

/* class_code, and subclass / prog_if or DRIVERS_CLASS_ANY. */
struct drivers_class {
	uint16_t class_code, subclass, prog_if;
};

enum drivers_nodevice {
	DRIVERS_NODEVICE_IGNORE = 0, /* no device: not started (the default) */
	DRIVERS_NODEVICE_START = 1,  /* no device matched: one instance all the same */
};

struct drivers_entry {
	char name[KOSH_DRV_NAME_MAX];
	char binary[KOSH_DRV_PATH_MAX];
	char args[KOSH_DRV_ARGS_BYTES]; /* arg_count NUL-terminated strings */
	uint32_t arg_count;
	struct drivers_pci_id pci[DRIVERS_MATCH_MAX];
	uint32_t pci_count;
	struct drivers_class classes[DRIVERS_MATCH_MAX];
	uint32_t class_count;
	char compatible[DRIVERS_MATCH_MAX][DRIVERS_COMPAT_MAX];
	uint32_t compatible_count;
	char device_prefix[KOSH_DEV_NAME_MAX]; /* "vd" */
	char first_suffix;		       /* 'a' (letters) or '0' (numbers) */
	uint64_t quota;			       /* bytes */
	char scheme[KOSH_DRV_SCHEME_MAX];      /* for the first instance */
	char endpoint[KOSH_DRV_HNAME_MAX];     /* for the first instance */
	uint32_t nodevice;		       /* enum drivers_nodevice */
	uint32_t restart;		       /* enum kosh_service_restart */
	uint32_t line;
	uint32_t instances; /* devices given to it so far (devmgr's count) */
};

struct drivers {
	uint32_t count;
	struct drivers_entry entries[DRIVERS_MAX];
};

struct drivers_error {
	uint32_t line;
	char message[DRIVERS_ERROR_MAX];
};

/* Parse text[0 .. len) into *out: 0, or -1 with *err (out emptied). */
int drivers_parse(const char *text, size_t len, struct drivers *out, struct drivers_error *err);

/* What devmgr found that a driver may take. */
struct drivers_device {
	int pci; /* 1: a PCI function (ids, class); 0: a platform device (compatible) */
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if;
	const char *compatible; /* platform: its compatible string or ACPI id */
};

/*
 * The entry that takes dev, or -1: the first whose pci ids list it, else the
 * first whose classes do, else the first with its compatible string.
 */
int drivers_match(const struct drivers *d, const struct drivers_device *dev);

/*
 * Device name number n (0 first) of entry e into out: "vda" + n → "vdb" …
 * (letters: a..z, then aa, ab …), "net0" + n → "net1" …. 0, or -1 if it does
 * not fit KOSH_DEV_NAME_MAX.
 */
int drivers_device_name(const struct drivers_entry *e, uint32_t n, char out[KOSH_DEV_NAME_MAX]);

#endif
