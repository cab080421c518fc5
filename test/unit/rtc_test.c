/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the RTC driver's arithmetic (user/drivers/rtc/rtctime.c):
 * leap years and month lengths, BCD, calendar to Unix seconds and back (known
 * dates, every day from 1970 to 2400 against the host's gmtime), every field
 * out of range, the CMOS registers in BCD and binary, 12- and 24-hour, with
 * and without a century register, and the texts of time:///now and iso.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rtctime.h"

static void leap_years_and_months(void **state)
{
	(void)state;
	assert_false(rtc_is_leap(1900));
	assert_true(rtc_is_leap(2000));
	assert_true(rtc_is_leap(2024));
	assert_false(rtc_is_leap(2023));
	assert_false(rtc_is_leap(2100));
	assert_true(rtc_is_leap(2400));
	assert_int_equal(rtc_days_in_month(2023, 2), 28);
	assert_int_equal(rtc_days_in_month(2024, 2), 29);
	assert_int_equal(rtc_days_in_month(2100, 2), 28);
	assert_int_equal(rtc_days_in_month(2024, 1), 31);
	assert_int_equal(rtc_days_in_month(2024, 4), 30);
	assert_int_equal(rtc_days_in_month(2024, 12), 31);
	assert_int_equal(rtc_days_in_month(2024, 0), 0);
	assert_int_equal(rtc_days_in_month(2024, 13), 0);
}

static void bcd(void **state)
{
	uint8_t v = 0xee;
	(void)state;
	assert_int_equal(rtc_bcd(0x00, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rtc_bcd(0x59, &v), 0);
	assert_int_equal(v, 59);
	assert_int_equal(rtc_bcd(0x99, &v), 0);
	assert_int_equal(v, 99);
	assert_int_equal(rtc_bcd(0x5a, &v), -1);
	assert_int_equal(rtc_bcd(0xa0, &v), -1);
	assert_int_equal(rtc_bcd(0xff, &v), -1);
}

static uint64_t unix_of(uint32_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s)
{
	struct rtc_tm tm = {y, mo, d, h, mi, s};
	uint64_t secs = 0;
	assert_int_equal(rtc_to_unix(&tm, &secs), 0);
	return secs;
}

static void known_dates(void **state)
{
	(void)state;
	assert_int_equal(unix_of(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(unix_of(1970, 1, 1, 0, 0, 1), 1);
	assert_int_equal(unix_of(2000, 1, 1, 0, 0, 0), 946684800);
	assert_int_equal(unix_of(2000, 2, 29, 0, 0, 0), 951782400);
	assert_int_equal(unix_of(2024, 2, 29, 12, 34, 56), 1709210096);
	assert_int_equal(unix_of(2026, 11, 22, 7, 40, 0), 1795333200);
	assert_int_equal(unix_of(2038, 1, 19, 3, 14, 7), 2147483647);
	assert_int_equal(unix_of(2106, 2, 7, 6, 28, 15), 4294967295u);
	assert_int_equal(unix_of(9999, 12, 31, 23, 59, 59), 253402300799ull);
}

static void out_of_range_fields(void **state)
{
	static const struct rtc_tm bad[] = {
	    {1969, 12, 31, 23, 59, 59}, {10000, 1, 1, 0, 0, 0}, {2024, 0, 1, 0, 0, 0},
	    {2024, 13, 1, 0, 0, 0},	{2024, 1, 0, 0, 0, 0},	{2024, 1, 32, 0, 0, 0},
	    {2024, 4, 31, 0, 0, 0},	{2023, 2, 29, 0, 0, 0}, {2100, 2, 29, 0, 0, 0},
	    {2024, 1, 1, 24, 0, 0},	{2024, 1, 1, 0, 60, 0}, {2024, 1, 1, 0, 0, 60},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t secs = 77;
		assert_int_equal(rtc_to_unix(&bad[i], &secs), -1);
		assert_int_equal(secs, 77);
	}
}

/* Every day from 1970 to 2400 (at a changing time of day) both ways, against gmtime_r. */
static void every_day_round_trip(void **state)
{
	(void)state;
	uint64_t last = 0;
	for (uint64_t day = 0; day < 157000; day++) {
		uint64_t secs = day * 86400 + (day * 7919) % 86400;
		struct rtc_tm tm;
		assert_int_equal(rtc_from_unix(secs, &tm), 0);
		time_t t = (time_t)secs;
		struct tm host;
		assert_non_null(gmtime_r(&t, &host));
		assert_int_equal(tm.year, host.tm_year + 1900);
		assert_int_equal(tm.mon, host.tm_mon + 1);
		assert_int_equal(tm.day, host.tm_mday);
		assert_int_equal(tm.hour, host.tm_hour);
		assert_int_equal(tm.min, host.tm_min);
		assert_int_equal(tm.sec, host.tm_sec);
		uint64_t back;
		assert_int_equal(rtc_to_unix(&tm, &back), 0);
		assert_int_equal(back, secs);
		assert_true(day == 0 || back > last);
		last = back;
	}
	struct rtc_tm tm;
	assert_int_equal(rtc_from_unix(253402300799ull, &tm), 0);
	assert_int_equal(tm.year, 9999);
	assert_int_equal(rtc_from_unix(253402300800ull, &tm), -1);
	assert_int_equal(rtc_from_unix(UINT64_MAX, &tm), -1);
}

static struct rtc_cmos_raw raw_of(uint8_t b, uint8_t sec, uint8_t min, uint8_t hour, uint8_t day,
				  uint8_t mon, uint8_t year, uint8_t century)
{
	return (struct rtc_cmos_raw){.sec = sec,
				     .min = min,
				     .hour = hour,
				     .day = day,
				     .mon = mon,
				     .year = year,
				     .century = century,
				     .status_b = b};
}

static uint64_t cmos_unix(struct rtc_cmos_raw raw)
{
	struct rtc_tm tm;
	uint64_t secs = 0;
	assert_int_equal(rtc_cmos_decode(&raw, &tm), 0);
	assert_int_equal(rtc_to_unix(&tm, &secs), 0);
	return secs;
}

static void cmos_bcd_and_binary(void **state)
{
	(void)state;
	/* QEMU's and most PCs': BCD, 24-hour (status B 0x02). */
	assert_int_equal(cmos_unix(raw_of(0x02, 0x00, 0x40, 0x07, 0x22, 0x11, 0x26, 0x20)),
			 1795333200);
	/* The same time in binary. */
	assert_int_equal(cmos_unix(raw_of(0x06, 0, 40, 7, 22, 11, 26, 20)), 1795333200);
	assert_int_equal(cmos_unix(raw_of(0x02, 0x56, 0x34, 0x12, 0x29, 0x02, 0x24, 0x20)),
			 1709210096);
	assert_int_equal(cmos_unix(raw_of(0x06, 56, 34, 12, 29, 2, 24, 20)), 1709210096);
	/* The status bits besides the format ones change nothing. */
	assert_int_equal(cmos_unix(raw_of(0x02 | 0x70, 0x00, 0x40, 0x07, 0x22, 0x11, 0x26, 0x20)),
			 1795333200);
}

static void cmos_twelve_hour(void **state)
{
	(void)state;
	uint64_t midnight = unix_of(2026, 11, 22, 0, 0, 0);
	/* BCD: 12 AM is 0 h, 1 AM 1 h, 12 PM (0x92) 12 h, 1 PM (0x81) 13 h, 11 PM 23 h. */
	assert_int_equal(cmos_unix(raw_of(0x00, 0, 0, 0x12, 0x22, 0x11, 0x26, 0x20)), midnight);
	assert_int_equal(cmos_unix(raw_of(0x00, 0, 0, 0x01, 0x22, 0x11, 0x26, 0x20)),
			 midnight + 3600);
	assert_int_equal(cmos_unix(raw_of(0x00, 0, 0, 0x92, 0x22, 0x11, 0x26, 0x20)),
			 midnight + 12 * 3600);
	assert_int_equal(cmos_unix(raw_of(0x00, 0, 0, 0x81, 0x22, 0x11, 0x26, 0x20)),
			 midnight + 13 * 3600);
	assert_int_equal(cmos_unix(raw_of(0x00, 0, 0, 0x91, 0x22, 0x11, 0x26, 0x20)),
			 midnight + 23 * 3600);
	/* Binary 12-hour: 12 PM is 0x8c. */
	assert_int_equal(cmos_unix(raw_of(0x04, 0, 0, 0x8c, 22, 11, 26, 20)), midnight + 12 * 3600);
	assert_int_equal(cmos_unix(raw_of(0x04, 0, 0, 12, 22, 11, 26, 20)), midnight);
	/* 0 o'clock and 13 o'clock do not exist in 12-hour mode. */
	struct rtc_tm tm;
	struct rtc_cmos_raw r = raw_of(0x00, 0, 0, 0x00, 0x22, 0x11, 0x26, 0x20);
	assert_int_equal(rtc_cmos_decode(&r, &tm), -1);
	r = raw_of(0x00, 0, 0, 0x80, 0x22, 0x11, 0x26, 0x20);
	assert_int_equal(rtc_cmos_decode(&r, &tm), -1);
	r = raw_of(0x00, 0, 0, 0x13, 0x22, 0x11, 0x26, 0x20);
	assert_int_equal(rtc_cmos_decode(&r, &tm), -1);
	r = raw_of(0x04, 0, 0, 0x8d, 22, 11, 26, 20);
	assert_int_equal(rtc_cmos_decode(&r, &tm), -1);
}

static void cmos_century(void **state)
{
	(void)state;
	struct rtc_tm tm;
	/* Absent or unset century registers: 20xx. */
	assert_int_equal(cmos_unix(raw_of(0x02, 0, 0, 0, 0x01, 0x01, 0x00, 0xff)), 946684800);
	assert_int_equal(cmos_unix(raw_of(0x02, 0, 0, 0, 0x01, 0x01, 0x00, 0x00)), 946684800);
	assert_int_equal(cmos_unix(raw_of(0x02, 0, 0, 0, 0x01, 0x01, 0x00, 0x45)), 946684800);
	assert_int_equal(cmos_unix(raw_of(0x02, 0, 0, 0, 0x01, 0x01, 0x00, 0x2a)), 946684800);
	assert_int_equal(cmos_unix(raw_of(0x06, 0, 0, 0, 1, 1, 0, 0x20)),
			 946684800); /* 32: unset */
	/* Plausible ones are used: 19xx and 21xx. */
	assert_int_equal(cmos_unix(raw_of(0x02, 0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x19)),
			 946684799);
	struct rtc_cmos_raw r = raw_of(0x02, 0, 0, 0, 0x01, 0x01, 0x00, 0x21);
	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	assert_int_equal(tm.year, 2100);
	r = raw_of(0x06, 0, 0, 0, 1, 1, 0, 21);
	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	assert_int_equal(tm.year, 2100);
	/* 1950 is before Unix time. */
	r = raw_of(0x02, 0, 0, 0, 0x01, 0x01, 0x50, 0x19);
	assert_int_equal(rtc_cmos_decode(&r, &tm), -1);
}

static void cmos_garbage(void **state)
{
	static const uint8_t bcd24 = 0x02, bin24 = 0x06;
	const struct rtc_cmos_raw bad[] = {
	    raw_of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), /* no chip: an empty bus */
	    raw_of(bcd24, 0x5a, 0, 0, 0x01, 0x01, 0x26, 0x20),	    /* a nibble above 9 */
	    raw_of(bcd24, 0x60, 0, 0, 0x01, 0x01, 0x26, 0x20),	    /* second 60 */
	    raw_of(bcd24, 0, 0x60, 0, 0x01, 0x01, 0x26, 0x20),	    /* minute 60 */
	    raw_of(bcd24, 0, 0, 0x24, 0x01, 0x01, 0x26, 0x20),	    /* hour 24 */
	    raw_of(bcd24, 0, 0, 0, 0x00, 0x01, 0x26, 0x20),	    /* day 0 */
	    raw_of(bcd24, 0, 0, 0, 0x32, 0x01, 0x26, 0x20),	    /* day 32 */
	    raw_of(bcd24, 0, 0, 0, 0x31, 0x04, 0x26, 0x20),	    /* April 31 */
	    raw_of(bcd24, 0, 0, 0, 0x29, 0x02, 0x23, 0x20),	    /* February 29, 2023 */
	    raw_of(bcd24, 0, 0, 0, 0x01, 0x00, 0x26, 0x20),	    /* month 0 */
	    raw_of(bcd24, 0, 0, 0, 0x01, 0x13, 0x26, 0x20),	    /* month 13 */
	    raw_of(bcd24, 0, 0, 0, 0x01, 0x01, 0xa0, 0x20),	    /* year not BCD */
	    raw_of(bin24, 60, 0, 0, 1, 1, 26, 20),		    /* binary second 60 */
	    raw_of(bin24, 0, 0, 24, 1, 1, 26, 20),		    /* binary hour 24 */
	    raw_of(bin24, 0, 0, 0, 1, 1, 100, 20),		    /* binary year 100 */
	    raw_of(bin24, 0, 0, 0, 0x22, 0x11, 0x26, 0x20),	    /* BCD read as binary: day 34 */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rtc_tm tm;
		assert_int_equal(rtc_cmos_decode(&bad[i], &tm), -1);
	}
}

static void texts(void **state)
{
	char buf[64];
	(void)state;
	assert_int_equal(rtc_format_now(buf, sizeof(buf), 0), 12);
	assert_string_equal(buf, "0.000000000\n");
	assert_int_equal(rtc_format_now(buf, sizeof(buf), 1795333200123456789ull), 21);
	assert_string_equal(buf, "1795333200.123456789\n");
	assert_int_equal(rtc_format_now(buf, sizeof(buf), 1000000001ull), 12);
	assert_string_equal(buf, "1.000000001\n");
	assert_int_equal(rtc_format_now(buf, 22, 1795333200123456789ull), 21);
	assert_int_equal(rtc_format_now(buf, 21, 1795333200123456789ull), -1);
	assert_int_equal(rtc_format_now(buf, 0, 0), -1);

	assert_int_equal(rtc_format_iso(buf, sizeof(buf), 0), 21);
	assert_string_equal(buf, "1970-01-01T00:00:00Z\n");
	assert_int_equal(rtc_format_iso(buf, sizeof(buf), 1795333200), 21);
	assert_string_equal(buf, "2026-11-22T07:40:00Z\n");
	assert_int_equal(rtc_format_iso(buf, sizeof(buf), 1709210096), 21);
	assert_string_equal(buf, "2024-02-29T12:34:56Z\n");
	assert_int_equal(rtc_format_iso(buf, sizeof(buf), 253402300799ull), 21);
	assert_string_equal(buf, "9999-12-31T23:59:59Z\n");
	assert_int_equal(rtc_format_iso(buf, sizeof(buf), 253402300800ull), -1);
	assert_int_equal(rtc_format_iso(buf, 22, 0), 21);
	assert_int_equal(rtc_format_iso(buf, 21, 0), -1);
	assert_int_equal(rtc_format_iso(buf, 0, 0), -1);
}

static struct kosh_efi_time efi(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi,
				 uint8_t sec, uint32_t ns, int16_t tz)
{
	return (struct kosh_efi_time){.year = y, .month = mo, .day = d, .hour = h, .minute = mi,
				      .second = sec, .nanosecond = ns, .time_zone = tz};
}

/* The firmware's clock: UTC when the zone is unspecified, local = UTC + TimeZone otherwise. */
static void efi_time(void **state)
{
	uint64_t secs;
	uint32_t ns;
	struct kosh_efi_time t = efi(2026, 11, 22, 9, 30, 15, 250000000, RTC_EFI_TZ_UNSPECIFIED);
	assert_int_equal(rtc_efi_decode(&t, &secs, &ns), 0);
	assert_int_equal(secs, 1795339815ull);
	assert_int_equal(ns, 250000000);
	t.time_zone = 60; /* 10:30:15 at UTC+1 is 09:30:15 UTC */
	t.hour = 10;
	assert_int_equal(rtc_efi_decode(&t, &secs, &ns), 0);
	assert_int_equal(secs, 1795339815ull);
	t = efi(2026, 11, 22, 4, 30, 15, 0, -300); /* 04:30 at UTC-5 */
	assert_int_equal(rtc_efi_decode(&t, &secs, &ns), 0);
	assert_int_equal(secs, 1795339815ull);
	t = efi(1970, 1, 1, 0, 0, 0, 0, 1440);
	t.daylight = 3;
	assert_int_equal(rtc_efi_decode(&t, &secs, &ns), -1); /* a day before 1970 in UTC */
	t = efi(1970, 1, 2, 0, 0, 0, 0, 1440);
	assert_int_equal(rtc_efi_decode(&t, &secs, &ns), 0);
	assert_int_equal(secs, 0);
}

static void efi_time_garbage(void **state)
{
	uint64_t secs = 7;
	uint32_t ns = 7;
	const struct kosh_efi_time bad[] = {
	    efi(1969, 12, 31, 23, 59, 59, 0, 0),   efi(2026, 0, 1, 0, 0, 0, 0, 0),
	    efi(2026, 13, 1, 0, 0, 0, 0, 0),	   efi(2026, 2, 29, 0, 0, 0, 0, 0),
	    efi(2026, 4, 31, 0, 0, 0, 0, 0),	   efi(2026, 1, 0, 0, 0, 0, 0, 0),
	    efi(2026, 1, 1, 24, 0, 0, 0, 0),	   efi(2026, 1, 1, 0, 60, 0, 0, 0),
	    efi(2026, 1, 1, 0, 0, 60, 0, 0),	   efi(2026, 1, 1, 0, 0, 0, 1000000000, 0),
	    efi(2026, 1, 1, 0, 0, 0, 0, 1441),	   efi(2026, 1, 1, 0, 0, 0, 0, -1441),
	    efi(2026, 1, 1, 0, 0, 0, 0, 2046),	   efi(10000, 1, 1, 0, 0, 0, 0, 0),
	    efi(0xffff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xffffffff, -1),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rtc_efi_decode(&bad[i], &secs, &ns), -1);
		assert_int_equal(secs, 7);
		assert_int_equal(ns, 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(efi_time), cmocka_unit_test(efi_time_garbage),
	    cmocka_unit_test(leap_years_and_months), cmocka_unit_test(bcd),
	    cmocka_unit_test(known_dates),	     cmocka_unit_test(out_of_range_fields),
	    cmocka_unit_test(every_day_round_trip),  cmocka_unit_test(cmos_bcd_and_binary),
	    cmocka_unit_test(cmos_twelve_hour),	     cmocka_unit_test(cmos_century),
	    cmocka_unit_test(cmos_garbage),	     cmocka_unit_test(texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
