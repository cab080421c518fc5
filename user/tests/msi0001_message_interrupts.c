/* SPDX-License-Identifier: MIT */
/*
 * MSI0001: message-signalled interrupts (irq_create_msi) and device memory
 * (mmio_create). Each MSI gets a message of its own (x86-64: a local APIC
 * vector of the MSI pool at 0xfee00000 with the boot CPU's APIC id; AArch64:
 * an SPI of the GICv2m frame, written to its MSI_SETSPI_NS); the pool runs out
 * with KOSH_E_NO_SLOTS and closing the handles gives it back; a bad pointer
 * for the message allocates nothing; bits 0 and a notification without the
 * signal right are refused. mmio_create refuses RAM (our own quota's page).
 *
 * Then a real delivery: QEMU's edu device (-device edu: 1234:11e8, one MSI),
 * found on bus 0 of the PCI Express ECAM (x86-64 q35 at 0xb0000000, AArch64
 * virt at 0x4010000000), its MSI capability programmed with the message, BAR0
 * mapped with mmio_create; writing its interrupt-raise register (0x60) raises
 * the MSI. Every write signals the bits once: the interrupt is edge-triggered
 * and never masked, irq_ack changes nothing, and after the handle is closed a
 * raise signals nothing. Without an edu device the delivery part is skipped
 * (noted). AArch64 with GICv3 (an ITS, no GICv2m frame): KOSH_E_NOT_SUPPORTED.
 * bootstrap gives every test "irq_control" and "mmio_control".
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include <arch/test_device.h>
#include <arch/user.h>

#include "check.h"
#include "helper.h"

#define BITS	   0x30
#define POOL_MAX   256 /* more than any pool: the test stops at NO_SLOTS */
#define ECAM_BUS0  (1ull << 20) /* 32 devices x 8 functions x 4 KiB */
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_BAR	   (1ull << 20)

#define ECAM_BASE  ARCH_TEST_ECAM_BASE

/* PCI configuration space (PCI 3.0 §6.1, §6.8.1). */
#define PCI_COMMAND	 0x04
#define PCI_STATUS_CAPS	 0x100000u /* in the dword at 0x04: a capability list */
#define PCI_CMD_MEMORY	 0x2u
#define PCI_CMD_MASTER	 0x4u
#define PCI_BAR0	 0x10
#define PCI_CAP_PTR	 0x34
#define PCI_CAP_MSI	 0x05
#define MSI_CTL_ENABLE	 0x1u
#define MSI_CTL_64BIT	 0x80u

/* edu's registers (QEMU docs/specs/edu.rst). */
#define EDU_ID	      0x00
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK   0x64

static volatile uint32_t *reg32(volatile void *base, uint32_t offset)
{
	return (volatile uint32_t *)((volatile uint8_t *)base + offset);
}

static int64_t create(kosh_handle_t ctl, kosh_handle_t n, uint64_t bits, struct kosh_msi *msi)
{
	return kosh_irq_create_msi(ctl, n, bits, (uint64_t)(uintptr_t)msi);
}

static void check_message(const struct kosh_msi *m)
{
	CHECK(arch_test_msi_plausible(m));
	CHECK_EQ(m->irq, m->data);
}

/* Creates MSIs until the pool is empty; their handles in h[], how many. */
static uint32_t fill(kosh_handle_t ctl, kosh_handle_t n, kosh_handle_t *h)
{
	struct kosh_msi m;
	uint32_t count = 0;
	for (;;) {
		int64_t r = create(ctl, n, 1, &m);
		if (r == KOSH_E_NO_SLOTS)
			return count;
		CHECK(r > 0);
		CHECK(count < POOL_MAX);
		h[count++] = (kosh_handle_t)r;
	}
}

static void close_all(kosh_handle_t *h, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		CHECK_EQ(kosh_handle_close(h[i]), KOSH_OK);
}

static void allocation(kosh_handle_t ctl, kosh_handle_t n)
{
	static kosh_handle_t h[POOL_MAX];
	struct kosh_msi a = { 0 }, b = { 0 };
	kosh_handle_t ha = (kosh_handle_t)CHECK_OK(create(ctl, n, BITS, &a));
	kosh_handle_t hb = (kosh_handle_t)CHECK_OK(create(ctl, n, BITS, &b));
	check_message(&a);
	check_message(&b);
	CHECK(a.data != b.data); /* two interrupts, two messages */
	check_note("messages 0x%llx/0x%x (irq %u) and 0x%llx/0x%x (irq %u)",
		   (unsigned long long)a.address, a.data, a.irq, (unsigned long long)b.address,
		   b.data, b.irq);
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info(ha, &info), KOSH_OK);
	CHECK_EQ(info.type, KOSH_OBJ_IRQ);
	CHECK_EQ(kosh_irq_ack(ha), KOSH_OK); /* an MSI: succeeds, changes nothing */
	CHECK_EQ(kosh_handle_close(ha), KOSH_OK);
	CHECK_EQ(kosh_handle_close(hb), KOSH_OK);

	/* Exhaustion, and closing gives every one back. */
	uint32_t count = fill(ctl, n, h);
	CHECK(count >= 2);
	close_all(h, count);
	CHECK_EQ(fill(ctl, n, h), count);
	close_all(h, count);
	check_note("%u MSIs before KOSH_E_NO_SLOTS, all back after closing", count);

	/* A bad pointer: an error, and nothing kept (the pool is as large as before). */
	const uint64_t bad[] = { 0, 8, 0xffff800000000000ull, ARCH_USER_TOP - 8,
				 (uint64_t)(uintptr_t)"read-only text" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_ERR(kosh_irq_create_msi(ctl, n, 1, bad[i]), KOSH_E_BAD_ADDRESS);
	CHECK_EQ(fill(ctl, n, h), count);
	close_all(h, count);
}

static void refusals(kosh_handle_t ctl, kosh_handle_t mmio, kosh_handle_t n)
{
	struct kosh_msi m;
	CHECK_ERR(create(ctl, n, 0, &m), KOSH_E_INVALID_ARGUMENT);
	kosh_handle_t weak = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(n, KOSH_RIGHT_WAIT | KOSH_RIGHT_DUPLICATE | KOSH_RIGHT_TRANSFER, 0));
	CHECK_ERR(create(ctl, weak, 1, &m), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(create(ctl, ctl, 1, &m), KOSH_E_WRONG_TYPE);
	CHECK_ERR(create(n, n, 1, &m), KOSH_E_WRONG_TYPE);
	CHECK_EQ(kosh_handle_close(weak), KOSH_OK);
	/* mmio_create never gives RAM: a page of our own quota, found with frame_phys. */
	int64_t ram = CHECK_OK(kosh_frame_create(kosh_self()->quota, 4096, 0));
	int64_t phys = CHECK_OK(kosh_frame_phys((uint64_t)ram));
	CHECK_ERR(kosh_mmio_create(mmio, (uint64_t)phys, 4096, KOSH_MMIO_UNCACHED),
		  KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_mmio_create(mmio, (uint64_t)phys, 4096, KOSH_MMIO_WC), KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_handle_close((kosh_handle_t)ram), KOSH_OK);
	CHECK_ERR(kosh_mmio_create(mmio, ECAM_BASE + 8, 4096, 0), KOSH_E_INVALID_ARGUMENT);
	CHECK_ERR(kosh_mmio_create(mmio, ECAM_BASE, 0, 0), KOSH_E_INVALID_ARGUMENT);
	CHECK_ERR(kosh_mmio_create(mmio, ECAM_BASE, 4096, 2), KOSH_E_INVALID_ARGUMENT);
	CHECK_ERR(kosh_mmio_create(mmio, 1ull << 62, 4096, 0), KOSH_E_OUT_OF_RANGE);
	CHECK_ERR(kosh_mmio_create(mmio, ~0xfffull, 8192, 0), KOSH_E_OUT_OF_RANGE);
	CHECK_ERR(kosh_mmio_create(ctl, ECAM_BASE, 4096, 0), KOSH_E_WRONG_TYPE);
}

/* A device frame of [phys, phys + size) mapped read-write, or NULL. */
static volatile void *map_device(kosh_handle_t mmio, uint64_t phys, uint64_t size,
				 kosh_handle_t *frame)
{
	kosh_err_t err;
	int64_t f = kosh_mmio_create(mmio, phys, size, KOSH_MMIO_UNCACHED);
	if (f < 0) {
		check_note("mmio_create(0x%llx, 0x%llx): %s", (unsigned long long)phys,
			   (unsigned long long)size, kosh_strerror((kosh_err_t)f));
		return NULL;
	}
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info((kosh_handle_t)f, &info), KOSH_OK);
	CHECK_EQ(info.rights, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_MAP |
				      KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE);
	*frame = (kosh_handle_t)f;
	void *va = kosh_frame_map(*frame, 0, size, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	CHECK(va != NULL);
	return va;
}

/* edu's configuration space on bus 0 of the ECAM, or NULL. */
static volatile void *find_edu(volatile void *ecam)
{
	for (uint32_t dev = 0; dev < 32; dev++) {
		volatile void *cfg = (volatile uint8_t *)ecam + (dev << 15);
		uint32_t id = *reg32(cfg, 0);
		if ((id & 0xffff) == EDU_VENDOR && id >> 16 == EDU_DEVICE)
			return cfg;
	}
	return NULL;
}

/* The offset of the MSI capability, or 0. */
static uint32_t msi_capability(volatile void *cfg)
{
	if (!(*reg32(cfg, PCI_COMMAND) & PCI_STATUS_CAPS))
		return 0;
	uint32_t at = *reg32(cfg, PCI_CAP_PTR) & 0xfc;
	for (int i = 0; at >= 0x40 && i < 48; i++) {
		uint32_t head = *reg32(cfg, at);
		if ((head & 0xff) == PCI_CAP_MSI)
			return at;
		at = (head >> 8) & 0xfc;
	}
	return 0;
}

/* Program edu's MSI capability at cap with m and enable it (and bus mastering, for the write). */
static void program_msi(volatile void *cfg, uint32_t cap, const struct kosh_msi *m)
{
	uint32_t head = *reg32(cfg, cap);
	uint32_t ctl = head >> 16;
	*reg32(cfg, cap + 4) = (uint32_t)m->address;
	if (ctl & MSI_CTL_64BIT) {
		*reg32(cfg, cap + 8) = (uint32_t)(m->address >> 32);
		*reg32(cfg, cap + 12) = m->data;
	} else {
		*reg32(cfg, cap + 8) = m->data;
	}
	ctl = (ctl & ~0x70u) | MSI_CTL_ENABLE; /* one vector */
	*reg32(cfg, cap) = (head & 0xffff) | ctl << 16;
	uint32_t cmd = *reg32(cfg, PCI_COMMAND) & 0xffff;
	*reg32(cfg, PCI_COMMAND) = cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER;
}

static void delivery(kosh_handle_t ctl, kosh_handle_t mmio, kosh_handle_t n)
{
	kosh_handle_t ecam_frame, bar_frame;
	volatile void *ecam = map_device(mmio, ECAM_BASE, ECAM_BUS0, &ecam_frame);
	CHECK(ecam != NULL);
	volatile void *cfg = find_edu(ecam);
	if (!cfg) {
		check_note("no edu device on bus 0 (QEMU -device edu): delivery not tested");
		CHECK_EQ(kosh_handle_close(ecam_frame), KOSH_OK);
		return;
	}
	uint64_t bar = *reg32(cfg, PCI_BAR0);
	CHECK_EQ(bar & 0x1, 0); /* a memory BAR */
	if ((bar & 0x6) == 0x4)
		bar |= (uint64_t)*reg32(cfg, PCI_BAR0 + 4) << 32;
	bar &= ~0xfull;
	CHECK(bar != 0);
	uint32_t cap = msi_capability(cfg);
	CHECK(cap != 0);
	struct kosh_msi m;
	kosh_handle_t irq = (kosh_handle_t)CHECK_OK(create(ctl, n, BITS, &m));
	program_msi(cfg, cap, &m);
	volatile void *regs = map_device(mmio, bar, EDU_BAR, &bar_frame);
	CHECK(regs != NULL);
	CHECK_EQ(*reg32(regs, EDU_ID) & 0xff, 0xed);
	uint64_t bits = 0;
	kosh_notify_poll(n, &bits);
	int64_t t0 = kosh_clock_get();
	for (int round = 0; round < 3; round++) {
		*reg32(regs, EDU_IRQ_RAISE) = 1u << round;
		CHECK_EQ(kosh_notify_wait(n, 2 * TEST_SECOND, &bits), KOSH_OK);
		CHECK_EQ(bits, BITS);
		*reg32(regs, EDU_IRQ_ACK) = 1u << round;
		/* Not masked: no irq_ack between rounds, the next raise arrives all the same. */
	}
	CHECK_EQ(kosh_irq_ack(irq), KOSH_OK);
	check_note("3 MSIs from edu (BAR0 0x%llx, capability 0x%x) in %lld ms",
		   (unsigned long long)bar, cap, (long long)(kosh_clock_get() - t0) / 1000000);
	/* Closed: the vector is gone, a raise signals nothing. */
	CHECK_EQ(kosh_handle_close(irq), KOSH_OK);
	*reg32(regs, EDU_IRQ_RAISE) = 1;
	CHECK_ERR(kosh_notify_wait(n, 100 * TEST_MS, &bits), KOSH_E_TIMED_OUT);
	*reg32(regs, EDU_IRQ_ACK) = 1;
	*reg32(cfg, cap) = *reg32(cfg, cap) & ~(MSI_CTL_ENABLE << 16);
	CHECK_EQ(kosh_frame_unmap((void *)regs, EDU_BAR), KOSH_OK);
	CHECK_EQ(kosh_frame_unmap((void *)ecam, ECAM_BUS0), KOSH_OK);
	CHECK_EQ(kosh_handle_close(bar_frame), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ecam_frame), KOSH_OK);
}

int main(int argc, char **argv)
{
	kosh_handle_t ctl = kosh_start_handle("irq_control", NULL);
	kosh_handle_t mmio = kosh_start_handle("mmio_control", NULL);
	CHECK(ctl != 0 && mmio != 0);
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	refusals(ctl, mmio, n);
	struct kosh_msi m;
	int64_t first = create(ctl, n, 1, &m);
	if (first == KOSH_E_NOT_SUPPORTED) {
		/* Only AArch64 without a GICv2m frame (GICv3: an ITS, which Kosh does not drive). */
		CHECK(ARCH_USER_KOSH_ARCH == KOSH_ARCH_AARCH64);
		CHECK_ERR(kosh_irq_create_msi(ctl, n, 1, 0), KOSH_E_NOT_SUPPORTED);
		check_note("no GICv2m frame: irq_create_msi is KOSH_E_NOT_SUPPORTED");
		return 0;
	}
	CHECK_OK(first);
	CHECK_EQ(kosh_handle_close((kosh_handle_t)first), KOSH_OK);
	allocation(ctl, n);
	delivery(ctl, mmio, n);
	return 0;
}
