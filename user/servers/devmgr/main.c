/* SPDX-License-Identifier: MIT */
/*
 * devmgr: the driver manager (docs/devices.md, "devmgr"). At start-up it reads
 * initfs:///etc/drivers, finds the devices (firmware.c: the ACPI tables or the
 * device tree; pci.c: the PCI functions behind ECAM), has init start a driver
 * for each device etc/drivers names one for (launch.c, drvreg), and then
 * serves dev:// (devfs.c): the lists lspci and lsdev print, and the opens of
 * the devices' files, forwarded to their drivers. A second thread (mount.c)
 * mounts the disks' FAT volumes at boot and serves "mount" (the shell's mount
 * and umount).
 *
 * Its start handles (etc/services): dev and mount (served), initfs, drvreg, vfs, rootinfo
 * and the acpi<i> / dtb<i> frames (grant = firmware), mmio-control,
 * irq-control, ioport-control (x86-64). Without one, what needs it is logged
 * and skipped: devmgr still serves what it found.
 */
#include <kosh/file.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/proto/drv.h>
#include <kosh/proto/mount.h>
#include <kosh/runtime.h>
#include <kosh/string.h>

#include "devmgr.h"

#define DRIVERS_PATH "/etc/drivers" /* in initfs:// */

struct devmgr devmgr;

struct devmgr_device *devmgr_device_add(void)
{
	struct devmgr_device *d;
	if (devmgr.device_count == DEVMGR_DEVICES_MAX) {
		kosh_printf("more than %u devices: the rest are not listed", DEVMGR_DEVICES_MAX);
		return NULL;
	}
	d = &devmgr.devices[devmgr.device_count++];
	memset(d, 0, sizeof(*d));
	d->driver = -1;
	return d;
}

static void take_handles(void)
{
	devmgr.quota = kosh_self()->quota;
	devmgr.dev = kosh_start_handle("dev", NULL);
	devmgr.initfs = kosh_start_handle("initfs", NULL);
	devmgr.drvreg = kosh_start_handle(KOSH_DRV_ENDPOINT, NULL);
	devmgr.mount = kosh_start_handle(KOSH_MOUNT_ENDPOINT, NULL);
	devmgr.rootinfo = kosh_start_handle("rootinfo", NULL);
	devmgr.mmio_control = kosh_start_handle("mmio-control", NULL);
	devmgr.irq_control = kosh_start_handle("irq-control", NULL);
	devmgr.ioport_control = kosh_start_handle("ioport-control", NULL);
}

static void read_drivers(void)
{
	struct drivers_error perr;
	void *text;
	uint64_t len;
	uint32_t err = devmgr.initfs ? kosh_file_load(devmgr.initfs, DRIVERS_PATH, &text, &len)
				     : KOSH_VFS_ENOENT;
	if (err) {
		kosh_printf("cannot read initfs://%s: %s: no drivers", DRIVERS_PATH,
			    kosh_vfs_strerror(err));
		return;
	}
	if (drivers_parse(text, len, &devmgr.drivers, &perr))
		kosh_printf("initfs://%s: %s: no drivers", DRIVERS_PATH, perr.message);
	kosh_page_free(text);
}

int main(int argc, char **argv)
{
	uint32_t pci = 0;
	take_handles();
	if (!devmgr.dev) {
		kosh_printf("no \"dev\" endpoint to serve");
		return 1;
	}
	read_drivers();
	devmgr_firmware_scan();
	devmgr_pci_scan();
	for (uint32_t i = 0; i < devmgr.device_count; i++)
		pci += devmgr.devices[i].bus == DEVMGR_PCI;
	kosh_printf("%u PCI functions, %u platform devices, %u drivers in initfs://%s", pci,
		    devmgr.device_count - pci, devmgr.drivers.count, DRIVERS_PATH);
	if (devmgr.drvreg)
		devmgr_start_drivers();
	else
		kosh_printf("no drvreg endpoint: no drivers started");
	devmgr_mount_start();
	devmgr_serve();
	return 1;
}
