/* SPDX-License-Identifier: MIT */
/*
 * rtc: the real-time clock driver, serving time:// with the fileserver
 * library (docs/system.md, "Time"). One program, two chips, chosen by what
 * init gives it:
 *
 *  - "mmio0" (AArch64, QEMU virt: the page at 0x9010000): an Arm PL031, whose
 *    data register counts seconds since 1970;
 *  - "ioport0" (x86-64: ports 0x70-0x71): the PC's CMOS clock, read with the
 *    update-in-progress protocol (wait for UIP clear, read every register,
 *    again until two reads agree), decoded as status register B says (BCD or
 *    binary, 12- or 24-hour), the century from register 0x32 when plausible.
 *
 *  - neither, but "rootinfo" (init's grant `boot-info`) with the firmware's
 *    clock as the loader read it (GetTime before ExitBootServices; UEFI's
 *    runtime services are not called after the hand-off): that time advanced
 *    by the monotonic clock. It is exact to the firmware's reading, so it is
 *    taken as it is, without waiting for a tick.
 *
 * The chip is read when the driver starts, at its tick (waiting up to a
 * second for its seconds to change, so the time is right to a few ms rather
 * than to a second), and again at most once a minute (on a read that finds
 * the last reading older); in between, the time is the chip's seconds
 * advanced by the monotonic clock, so reads are cheap, carry nanoseconds, and
 * never go backwards within a run (a new reading behind the time already
 * given is held at it). A chip that is absent, or gives a value out of
 * range, is EIO on every read (tried again at most once a second): the
 * driver keeps serving, so that a client's call never waits for a server
 * that is not there, and clients fall back to their monotonic clock.
 *
 * Files, read-only (opening for writing, creating, removing: EROFS — setting
 * the clock is not offered):
 *   time:///     a directory of the two files
 *   time:///now  "<Unix seconds>.<9 digits of nanoseconds>\n"
 *   time:///iso  "YYYY-MM-DDTHH:MM:SSZ\n" (UTC)
 * A READ at offset 0 takes the time afresh; further READs of the same open
 * file continue that text, so a short reader sees one consistent line.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fileserver.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/pio.h>

#include "rtctime.h"

#define MS	     1000000ull
#define RESYNC_NS    (60ull * RTC_NSEC) /* read the chip again after a minute */
#define RETRY_NS     RTC_NSEC		/* a failing chip is tried at most once a second */
#define TEXT_MAX     32			/* either file's text, with its NUL */
#define EDGE_POLL_NS (2 * MS)		/* the first reading waits for the chip's tick ... */
#define EDGE_WAIT_NS (1200 * MS)	/* ... for at most a little over a second */

#define INO_ROOT 1
#define INO_NOW	 2
#define INO_ISO	 3

/* ---- the chips ---- */

struct chip {
	const char *name;
	/* The chip's time in Unix seconds; -1 (logged by the caller) if it has none. */
	int (*read)(uint64_t *secs);
	/* Or, for a source exact to the nanosecond: the time in ns since 1970 at mono. */
	int (*read_ns)(uint64_t mono, uint64_t *ns);
};

static volatile uint32_t *pl031;

/* PL031 registers, as 32-bit word indices. */
#define PL031_DR     (0x000 / 4) /* data: the seconds counter */
#define PL031_CR     (0x00c / 4) /* control: bit 0 starts the counter */
#define PL031_PERIPH (0xfe0 / 4) /* peripheral ids 0 .. 3, a byte per word */

static int pl031_read(uint64_t *secs)
{
	/* The counter is 32 bits of seconds since 1970: every value is a date (to 2106). */
	*secs = pl031[PL031_DR];
	return 0;
}

/* The peripheral id says PL031 (part 0x031, designer Arm 0x41); start the counter if stopped. */
static int pl031_probe(void)
{
	uint32_t id0 = pl031[PL031_PERIPH] & 0xff, id1 = pl031[PL031_PERIPH + 1] & 0xff;
	uint32_t id2 = pl031[PL031_PERIPH + 2] & 0xff;
	uint32_t part = id0 | (id1 & 0x0f) << 8, designer = id1 >> 4 | (id2 & 0x0f) << 4;
	if (part != 0x031 || designer != 0x41) {
		kosh_printf("mmio0 is not a PL031 (part 0x%x, designer 0x%x)", part, designer);
		return -1;
	}
	if (!(pl031[PL031_CR] & 1)) {
		kosh_printf("the PL031's counter was stopped: starting it");
		pl031[PL031_CR] = 1;
	}
	return 0;
}

#if ARCH_HAS_PORT_IO
#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#define CMOS_A	    0x0a
#define CMOS_B	    0x0b
#define CMOS_A_UIP  0x80
#define UIP_WAIT_NS (10 * MS) /* an update lasts at most 1984 us */
#define CMOS_TRIES  5

/* Bit 7 of the index port is the NMI mask: left clear (NMIs enabled, as at boot). */
static uint8_t cmos(uint8_t reg)
{
	arch_outb(CMOS_INDEX, reg);
	return arch_inb(CMOS_DATA);
}

/* Wait until no update is in progress; -1 if one never ends. */
static int cmos_wait_uip(void)
{
	uint64_t end = (uint64_t)kosh_clock_get() + UIP_WAIT_NS;
	while (cmos(CMOS_A) & CMOS_A_UIP)
		if ((uint64_t)kosh_clock_get() > end)
			return -1;
	return 0;
}

static int cmos_snapshot(struct rtc_cmos_raw *r)
{
	if (cmos_wait_uip())
		return -1;
	r->sec = cmos(0x00);
	r->min = cmos(0x02);
	r->hour = cmos(0x04);
	r->day = cmos(0x07);
	r->mon = cmos(0x08);
	r->year = cmos(0x09);
	r->century = cmos(0x32);
	r->status_b = cmos(CMOS_B);
	return 0;
}

static int cmos_read(uint64_t *secs)
{
	struct rtc_cmos_raw a, b;
	struct rtc_tm tm;
	if (cmos_snapshot(&a)) {
		kosh_printf("CMOS: the update-in-progress flag never clears");
		return -1;
	}
	/* An update may begin between the check and the reads: read until two agree. */
	for (int i = 0; i < CMOS_TRIES; i++) {
		if (cmos_snapshot(&b)) {
			kosh_printf("CMOS: the update-in-progress flag never clears");
			return -1;
		}
		if (memcmp(&a, &b, sizeof(a)) == 0) {
			if (rtc_cmos_decode(&a, &tm) || rtc_to_unix(&tm, secs)) {
				kosh_printf(
				    "CMOS: registers out of range (%02x:%02x:%02x %02x-%02x-"
				    "%02x%02x, status B %02x)",
				    a.hour, a.min, a.sec, a.day, a.mon, a.century, a.year,
				    a.status_b);
				return -1;
			}
			return 0;
		}
		a = b;
	}
	kosh_printf("CMOS: no two reads agree");
	return -1;
}
#endif

/* ---- the time ---- */

static struct {
	const struct chip *chip;
	int synced;	     /* offset is set */
	int failing;	     /* the last reading failed (logged once until it works again) */
	uint64_t offset;     /* the time in ns = the monotonic clock + offset */
	uint64_t last_try;   /* monotonic ns of the last reading (0: none) */
	uint64_t last_given; /* the latest time given: never go back within a run */
} rtc;

/* Wait about ns: on a notification nothing signals, else by yielding. */
static void pause_ns(uint64_t ns)
{
	static kosh_handle_t timer;
	uint64_t bits, end = (uint64_t)kosh_clock_get() + ns;
	if (!timer) {
		int64_t h = kosh_notification_create(kosh_self()->quota);
		timer = h > 0 ? (kosh_handle_t)h : 0;
	}
	if (timer && kosh_notify_wait(timer, ns, &bits) == KOSH_E_TIMED_OUT)
		return;
	while ((uint64_t)kosh_clock_get() < end)
		kosh_yield();
}

/*
 * The chip counts whole seconds, so a reading S means [S, S + 1). The first
 * reading is made exact by waiting for the chip's next tick (polled every
 * EDGE_POLL_NS): its seconds change at S + 1 exactly. A clock that does not
 * tick within EDGE_WAIT_NS is taken as it reads (and logged).
 */
static int read_at_tick(uint64_t *secs, uint64_t *mono)
{
	uint64_t first, now, start = (uint64_t)kosh_clock_get();
	if (rtc.chip->read(&first))
		return -1;
	do {
		pause_ns(EDGE_POLL_NS);
		*mono = (uint64_t)kosh_clock_get();
		if (rtc.chip->read(&now))
			return -1;
		if (now != first) {
			*secs = now;
			return 0;
		}
	} while (*mono - start < EDGE_WAIT_NS);
	kosh_printf("the %s does not tick: its time is taken as it reads", rtc.chip->name);
	*secs = first;
	return 0;
}

/*
 * Read the chip at monotonic time mono. Later readings keep the offset while
 * our estimate falls within the chip's second, and move it to S otherwise
 * (the chip was set, or the clocks drifted apart).
 */
static void log_time(uint64_t secs)
{
	char iso[TEXT_MAX];
	int n = rtc_format_iso(iso, sizeof(iso), secs);
	if (n > 0) {
		iso[n - 1] = 0; /* without the '\n' */
		kosh_printf("%s: %s", rtc.chip->name, iso);
	}
}

static void sync_chip(uint64_t mono)
{
	uint64_t secs;
	rtc.last_try = mono;
	if (rtc.chip->read_ns) {
		uint64_t ns;
		if (rtc.chip->read_ns(mono, &ns) == 0) {
			if (!rtc.synced)
				log_time(ns / RTC_NSEC);
			rtc.offset = ns - mono;
			rtc.synced = 1;
		}
		return;
	}
	int err = rtc.synced ? rtc.chip->read(&secs) : read_at_tick(&secs, &mono);
	if (err || secs > UINT64_MAX / RTC_NSEC - 1) {
		if (!rtc.failing)
			kosh_printf("cannot read the %s: time:// reads fail (EIO)", rtc.chip->name);
		rtc.failing = 1;
		return;
	}
	if (rtc.failing)
		kosh_printf("the %s reads again", rtc.chip->name);
	rtc.failing = 0;
	uint64_t chip_ns = secs * RTC_NSEC, estimate = mono + rtc.offset;
	if (rtc.synced && estimate >= chip_ns && estimate < chip_ns + RTC_NSEC)
		return;
	rtc.offset = chip_ns - mono; /* modulo 2^64: chip_ns may be below mono (1970) */
	if (!rtc.synced)
		log_time(secs);
	rtc.synced = 1;
}

/* The time in ns since 1970, or EIO. */
static uint32_t time_now(uint64_t *ns)
{
	uint64_t mono = (uint64_t)kosh_clock_get();
	uint64_t since = mono - rtc.last_try;
	if (!rtc.last_try || since >= (rtc.synced && !rtc.failing ? RESYNC_NS : RETRY_NS)) {
		sync_chip(mono);
		mono = (uint64_t)kosh_clock_get(); /* a first reading waits for the tick */
	}
	if (!rtc.synced)
		return KOSH_VFS_EIO;
	uint64_t t = mono + rtc.offset;
	if (t < rtc.last_given)
		t = rtc.last_given;
	rtc.last_given = t;
	*ns = t;
	return 0;
}

/* ---- time:// ---- */

/* The inode of a path, 0 if there is none. */
static uint64_t lookup(const char *path, uint32_t len)
{
	if (len == 1 && path[0] == '/')
		return INO_ROOT;
	if (len == 4 && memcmp(path, "/now", 4) == 0)
		return INO_NOW;
	if (len == 4 && memcmp(path, "/iso", 4) == 0)
		return INO_ISO;
	return 0;
}

static void fill_stat(uint64_t ino, struct kosh_vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->type = ino == INO_ROOT ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	st->mode = ino == INO_ROOT ? 0555 : 0444;
	st->size = ino == INO_ROOT ? 2 : 21; /* both texts, until the year 2286 */
	st->ino = ino;
	st->nlink = 1;
	st->blksize = KOSH_VFS_IO_MAX;
}

static uint32_t time_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			  struct kosh_fsrv_file *f)
{
	uint64_t ino = lookup(path, len);
	(void)s;
	if (!ino)
		return flags & KOSH_VFS_O_CREATE ? KOSH_VFS_EROFS : KOSH_VFS_ENOENT;
	if ((flags & KOSH_VFS_O_CREATE) && (flags & KOSH_VFS_O_EXCL))
		return KOSH_VFS_EEXIST;
	if (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_TRUNC | KOSH_VFS_O_APPEND))
		return KOSH_VFS_EROFS;
	if ((flags & KOSH_VFS_O_DIRECTORY) && ino != INO_ROOT)
		return KOSH_VFS_ENOTDIR;
	f->node = (void *)(uintptr_t)ino;
	f->type = ino == INO_ROOT ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	f->seekable = ino != INO_ROOT;
	f->priv = 0; /* the time of the text being read (set by a READ at offset 0) */
	return 0;
}

static uint32_t time_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			   struct kosh_vfs_stat *st)
{
	uint64_t ino = lookup(path, len);
	(void)s;
	if (!ino)
		return KOSH_VFS_ENOENT;
	fill_stat(ino, st);
	return 0;
}

static uint32_t time_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	(void)s;
	fill_stat((uint64_t)(uintptr_t)f->node, st);
	return 0;
}

static uint32_t time_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			  uint32_t want, uint32_t *got)
{
	uint64_t ino = (uint64_t)(uintptr_t)f->node;
	char text[TEXT_MAX];
	int len;
	(void)s;
	if (ino == INO_ROOT)
		return KOSH_VFS_EISDIR;
	if (off == 0 || !f->priv) {
		uint64_t ns;
		uint32_t err = time_now(&ns);
		if (err)
			return err;
		f->priv = ns + 1; /* 0 is "not taken yet"; ns is far below UINT64_MAX */
	}
	uint64_t ns = f->priv - 1;
	len = ino == INO_NOW ? rtc_format_now(text, sizeof(text), ns)
			     : rtc_format_iso(text, sizeof(text), ns / RTC_NSEC);
	if (len < 0)
		return KOSH_VFS_EIO;
	return kosh_fsrv_read_text(text, (uint64_t)len, off, buf, want, got);
}

static uint32_t time_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			   const void *buf, uint32_t len, uint32_t *taken)
{
	(void)s, (void)f, (void)off, (void)buf, (void)len, (void)taken;
	return KOSH_VFS_EROFS;
}

static uint32_t time_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
			     void *buf, uint32_t size, uint32_t *used, uint64_t *next, int *end)
{
	static const char *const names[] = {"now", "iso"};
	(void)s;
	*used = 0;
	if ((uint64_t)(uintptr_t)f->node != INO_ROOT)
		return KOSH_VFS_ENOTDIR;
	for (; cookie < 2; cookie++)
		if (kosh_vfs_dirent_put(buf, size, used, INO_NOW + cookie, KOSH_VFS_FILE,
					names[cookie], 3))
			break;
	*next = cookie;
	*end = cookie >= 2;
	return cookie < 2 && !*used ? KOSH_VFS_EINVAL : 0;
}

static uint32_t time_rofs_path(struct kosh_fsrv *s, const char *path, uint32_t len)
{
	(void)s, (void)path, (void)len;
	return KOSH_VFS_EROFS;
}

static uint32_t time_unlink(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags)
{
	(void)flags;
	return time_rofs_path(s, path, len);
}

static uint32_t time_rename(struct kosh_fsrv *s, const char *from, uint32_t from_len,
			    const char *to, uint32_t to_len)
{
	(void)to, (void)to_len;
	return time_rofs_path(s, from, from_len);
}

static uint32_t time_truncate(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t size)
{
	(void)s, (void)f, (void)size;
	return KOSH_VFS_EROFS;
}

static const struct kosh_fsrv_ops time_ops = {
    .open = time_open,
    .statp = time_statp,
    .mkdir = time_rofs_path,
    .unlink = time_unlink,
    .rename = time_rename,
    .read = time_read,
    .write = time_write,
    .stat = time_stat,
    .readdir = time_readdir,
    .truncate = time_truncate,
};

/* ---- start ---- */

static const struct chip pl031_chip = {"PL031", pl031_read, NULL};
#if ARCH_HAS_PORT_IO
static const struct chip cmos_chip = {"CMOS clock", cmos_read, NULL};
#endif

static int no_chip_read(uint64_t *secs)
{
	(void)secs;
	return -1;
}

static const struct chip no_chip = {"real-time clock", no_chip_read, NULL};

/* The firmware's clock at boot (Unix ns) and the monotonic clock then. */
static uint64_t efi_ns, efi_mono;

static int efi_read_ns(uint64_t mono, uint64_t *ns)
{
	*ns = efi_ns + (mono - efi_mono); /* mono only grows: efi_mono <= mono */
	return 0;
}

static const struct chip efi_chip = {"firmware clock (EFI GetTime at boot)", NULL, efi_read_ns};

/* The firmware's clock from the "rootinfo" page, checked; NULL if there is none. */
static const struct chip *efi_clock(void)
{
	kosh_err_t err;
	uint64_t secs;
	uint32_t nsec;
	kosh_handle_t h = kosh_start_handle("rootinfo", NULL);
	if (!h)
		return NULL;
	const struct kosh_root_info *info =
	    kosh_frame_map(h, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
	if (!info) {
		kosh_printf("cannot map rootinfo: %s", kosh_strerror(err));
		return NULL;
	}
	const struct chip *chip = NULL;
	if (info->magic != KOSH_ROOT_INFO_MAGIC || info->version != KOSH_ROOT_INFO_VERSION)
		kosh_printf("rootinfo is not a root info of version %u", KOSH_ROOT_INFO_VERSION);
	else if (!(info->boot_flags & KOSH_BOOT_EFI_TIME))
		kosh_printf("the firmware gave no time (GetTime failed at boot)");
	else if (rtc_efi_decode(&info->efi_time, &secs, &nsec) ||
		 secs > UINT64_MAX / RTC_NSEC - 1 ||
		 info->efi_time_ns > (uint64_t)kosh_clock_get())
		kosh_printf("the firmware's time is out of range (%u-%u-%u %u:%u:%u, zone %d)",
			    info->efi_time.year, info->efi_time.month, info->efi_time.day,
			    info->efi_time.hour, info->efi_time.minute, info->efi_time.second,
			    info->efi_time.time_zone);
	else {
		efi_ns = secs * RTC_NSEC + nsec;
		efi_mono = info->efi_time_ns;
		chip = &efi_chip;
	}
	kosh_frame_unmap((void *)info, KOSH_PAGE_SIZE);
	return chip;
}

/* mmio0 as a PL031, or NULL (logged). */
static const struct chip *pl031_chip_of(kosh_handle_t h, uint64_t size)
{
	kosh_err_t err;
	if (size && size < KOSH_PAGE_SIZE) {
		kosh_printf("mmio0 is %llu bytes: not the PL031's page", (unsigned long long)size);
		return NULL;
	}
	pl031 = kosh_frame_map(h, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!pl031) {
		kosh_printf("cannot map the PL031 (mmio0): %s", kosh_strerror(err));
		return NULL;
	}
	return pl031_probe() ? NULL : &pl031_chip;
}

/* ioport0 as the CMOS clock's ports, or NULL (logged). */
static const struct chip *cmos_chip_of(kosh_handle_t h, uint64_t size)
{
#if ARCH_HAS_PORT_IO
	kosh_err_t err = size >= 2 ? (kosh_err_t)kosh_ioport_enable(h) : KOSH_E_OUT_OF_RANGE;
	if (!err)
		return &cmos_chip;
	kosh_printf("cannot use the CMOS ports 0x70-0x71 (ioport0): %s", kosh_strerror(err));
#endif
	return NULL;
}

/*
 * The clock of the start handles: mmio0 a PL031, ioport0 the CMOS ports; when
 * neither is given or works, the firmware's time; else none (EIO).
 */
static const struct chip *find_chip(void)
{
	uint64_t size = 0;
	const struct chip *chip = NULL;
	kosh_handle_t h = kosh_start_handle("mmio0", &size);
	if (h)
		chip = pl031_chip_of(h, size);
	else if ((h = kosh_start_handle("ioport0", &size)) != 0)
		chip = cmos_chip_of(h, size);
	if (!chip)
		chip = efi_clock();
	if (chip)
		return chip;
	kosh_printf("no clock (neither a PL031 at mmio0 nor the CMOS at ioport0, nor the "
		    "firmware's time)");
	return &no_chip;
}

int main(int argc, char **argv)
{
	struct kosh_fsrv *srv;
	(void)argv;
	if (argc > 1) {
		kosh_printf("usage: rtc (the clock comes from the start handles mmio0, ioport0 or rootinfo)");
		return 2;
	}
	kosh_handle_t ep = kosh_start_handle("time", NULL);
	if (!ep) {
		kosh_printf("no \"time\" endpoint given");
		return 1;
	}
	rtc.chip = find_chip();
	sync_chip((uint64_t)kosh_clock_get());
	struct kosh_fsrv_config cfg = {
	    .name = "rtc",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &time_ops,
	};
	kosh_err_t err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK) {
		kosh_printf("cannot serve: %s", kosh_strerror(err));
		return 1;
	}
	return kosh_fsrv_run(srv) == KOSH_OK ? 0 : 1;
}
