/* SPDX-License-Identifier: MIT */
/*
 * The RTC driver's pure arithmetic (rtctime.c), host-tested by
 * test/unit/rtc_test.c: BCD, the proleptic Gregorian calendar to and from
 * Unix seconds, the decoding of the CMOS clock's registers, and the text of
 * time:///now and time:///iso. Nothing here touches a device; every value
 * is checked, and a check that fails is -1 (the driver's EIO), never a date
 * made from garbage.
 */
#ifndef KOSH_RTCTIME_H
#define KOSH_RTCTIME_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/bootinfo.h>

#define RTC_YEAR_MIN 1970u /* Unix time 0 */
#define RTC_YEAR_MAX 9999u /* four digits in time:///iso */
#define RTC_NSEC     1000000000ull

/* A UTC date and time, every field in range once checked. */
struct rtc_tm {
	uint32_t year; /* 1970 .. 9999 */
	uint8_t mon;   /* 1 .. 12 */
	uint8_t day;   /* 1 .. days in the month */
	uint8_t hour;  /* 0 .. 23 */
	uint8_t min;   /* 0 .. 59 */
	uint8_t sec;   /* 0 .. 59 (no leap seconds: the RTCs have none) */
};

/* The CMOS clock's registers as read (status B says how the others are coded). */
struct rtc_cmos_raw {
	uint8_t sec;	  /* 0x00 */
	uint8_t min;	  /* 0x02 */
	uint8_t hour;	  /* 0x04; in 12-hour mode bit 7 is PM */
	uint8_t day;	  /* 0x07 */
	uint8_t mon;	  /* 0x08 */
	uint8_t year;	  /* 0x09, 0 .. 99 */
	uint8_t century;  /* 0x32 (the usual FADT century register); used only if plausible */
	uint8_t status_b; /* 0x0b */
};

#define RTC_CMOS_B_24H	  0x02 /* hours 0 .. 23 (else 1 .. 12 with bit 7 for PM) */
#define RTC_CMOS_B_BINARY 0x04 /* values binary (else BCD) */

int rtc_is_leap(uint32_t year);
/* 28 .. 31; 0 for a month outside 1 .. 12. */
uint32_t rtc_days_in_month(uint32_t year, uint32_t mon);

/* A BCD byte (each nibble 0 .. 9) into *out; -1 if it is not BCD. */
int rtc_bcd(uint8_t v, uint8_t *out);

/* Check tm and give its Unix seconds; -1 if any field is out of range. */
int rtc_to_unix(const struct rtc_tm *tm, uint64_t *secs);
/* Unix seconds into tm; -1 past 9999-12-31T23:59:59Z. */
int rtc_from_unix(uint64_t secs, struct rtc_tm *tm);

/*
 * Decode and check the CMOS registers: BCD or binary and 12- or 24-hour as
 * status B says; the century from its register when that holds 19, 20 or 21
 * in the same coding, else 20xx (the register is absent or unset: 0x00, 0xff).
 * -1 for any field out of range (a day 31 in April, hour 13 in 12-hour mode, a
 * BCD nibble above 9, a date before 1970).
 */
int rtc_cmos_decode(const struct rtc_cmos_raw *raw, struct rtc_tm *tm);

/*
 * The firmware's clock as the loader read it (struct kosh_efi_time, passed on
 * unchecked) into Unix seconds and nanoseconds: every field checked against
 * UEFI's ranges and the calendar, the year from 1970; the time zone applied
 * as UEFI 2.7 and later define it (local time = UTC + TimeZone, minutes in
 * -1440 .. 1440), EFI_UNSPECIFIED_TIMEZONE (2047) taken as UTC — what QEMU
 * and most PCs keep. Daylight flags change nothing (TimeZone already holds
 * the offset in force). -1 for any field out of range.
 */
#define RTC_EFI_TZ_UNSPECIFIED 2047
int rtc_efi_decode(const struct kosh_efi_time *t, uint64_t *secs, uint32_t *nsec);

/*
 * The texts of the time:// files, with '\n' and a NUL, into buf: "<seconds>.<9
 * digits of nanoseconds>\n" and "YYYY-MM-DDTHH:MM:SSZ\n". The length without
 * the NUL, or -1 if buf is too small (or the date past 9999).
 */
int rtc_format_now(char *buf, size_t size, uint64_t ns);
int rtc_format_iso(char *buf, size_t size, uint64_t secs);

#endif
