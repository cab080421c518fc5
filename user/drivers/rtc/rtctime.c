/* SPDX-License-Identifier: MIT */
/*
 * The RTC driver's arithmetic (rtctime.h): no device, no C library, so the
 * host tests run it as the driver does.
 */
#include "rtctime.h"

#define SECS_PER_DAY 86400ull
/* Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_TO_EPOCH 719468ull
#define DAYS_PER_ERA  146097ull /* 400 years */

int rtc_is_leap(uint32_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

uint32_t rtc_days_in_month(uint32_t year, uint32_t mon)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mon < 1 || mon > 12)
		return 0;
	return days[mon - 1] + (mon == 2 && rtc_is_leap(year));
}

int rtc_bcd(uint8_t v, uint8_t *out)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	*out = (uint8_t)((v >> 4) * 10 + (v & 0x0f));
	return 0;
}

/*
 * Days since 1970-01-01 of a checked date: years counted from March, so the
 * leap day is the last of its year and the month lengths before it follow
 * the (153 m + 2) / 5 pattern (H. Hinnant's days_from_civil, for year >= 1).
 */
static uint64_t days_from_civil(uint32_t y, uint32_t m, uint32_t d)
{
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y % 400;
	uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * DAYS_PER_ERA + doe - DAYS_TO_EPOCH;
}

int rtc_to_unix(const struct rtc_tm *tm, uint64_t *secs)
{
	if (tm->year < RTC_YEAR_MIN || tm->year > RTC_YEAR_MAX || tm->mon < 1 || tm->mon > 12 ||
	    tm->day < 1 || tm->day > rtc_days_in_month(tm->year, tm->mon) || tm->hour > 23 ||
	    tm->min > 59 || tm->sec > 59)
		return -1;
	*secs = days_from_civil(tm->year, tm->mon, tm->day) * SECS_PER_DAY + tm->hour * 3600u +
		tm->min * 60u + tm->sec;
	return 0;
}

int rtc_from_unix(uint64_t secs, struct rtc_tm *tm)
{
	uint64_t days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;
	uint64_t z = days + DAYS_TO_EPOCH;
	uint64_t era = z / DAYS_PER_ERA, doe = z % DAYS_PER_ERA;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	uint64_t d = doy - (153 * mp + 2) / 5 + 1;
	uint64_t m = mp < 10 ? mp + 3 : mp - 9;
	uint64_t y = yoe + era * 400 + (m <= 2);
	if (y > RTC_YEAR_MAX)
		return -1;
	tm->year = (uint32_t)y;
	tm->mon = (uint8_t)m;
	tm->day = (uint8_t)d;
	tm->hour = (uint8_t)(rem / 3600);
	tm->min = (uint8_t)(rem / 60 % 60);
	tm->sec = (uint8_t)(rem % 60);
	return 0;
}

/* A register in the chip's coding: BCD or binary, checked against max. */
static int cmos_field(uint8_t v, int binary, uint8_t max, uint8_t *out)
{
	if (binary)
		*out = v;
	else if (rtc_bcd(v, out))
		return -1;
	return *out <= max ? 0 : -1;
}

int rtc_cmos_decode(const struct rtc_cmos_raw *raw, struct rtc_tm *tm)
{
	int binary = raw->status_b & RTC_CMOS_B_BINARY;
	uint8_t sec, min, hour, day, mon, year, century;
	if (cmos_field(raw->sec, binary, 59, &sec) || cmos_field(raw->min, binary, 59, &min) ||
	    cmos_field(raw->day, binary, 31, &day) || cmos_field(raw->mon, binary, 12, &mon) ||
	    cmos_field(raw->year, binary, 99, &year))
		return -1;
	if (raw->status_b & RTC_CMOS_B_24H) {
		if (cmos_field(raw->hour, binary, 23, &hour))
			return -1;
	} else {
		/* 12-hour: 12 AM is midnight (0), 12 PM noon (12), bit 7 is PM. */
		if (cmos_field(raw->hour & 0x7f, binary, 12, &hour) || hour == 0)
			return -1;
		hour = (uint8_t)(hour % 12 + (raw->hour & 0x80 ? 12 : 0));
	}
	if (cmos_field(raw->century, binary, 99, &century) || century < 19 || century > 21)
		century = 20; /* no century register, or one nobody set */
	tm->year = century * 100u + year;
	tm->mon = mon;
	tm->day = day;
	tm->hour = hour;
	tm->min = min;
	tm->sec = sec;
	uint64_t secs;
	return rtc_to_unix(tm, &secs); /* the day against the month, the year against 1970 */
}

int rtc_efi_decode(const struct kosh_efi_time *t, uint64_t *secs, uint32_t *nsec)
{
	struct rtc_tm tm = {t->year, t->month, t->day, t->hour, t->minute, t->second};
	uint64_t local;
	int64_t zone = 0;
	if (t->nanosecond >= RTC_NSEC || rtc_to_unix(&tm, &local))
		return -1;
	if (t->time_zone != RTC_EFI_TZ_UNSPECIFIED) {
		if (t->time_zone < -1440 || t->time_zone > 1440)
			return -1;
		zone = (int64_t)t->time_zone * 60;
	}
	/* UTC = local - TimeZone; a result before 1970 is out of range too. */
	if (zone > 0 && local < (uint64_t)zone)
		return -1;
	*secs = local - (uint64_t)zone;
	*nsec = t->nanosecond;
	return 0;
}

/* Append the decimal digits of v, at least width of them, at buf[*at]; -1 if they do not fit. */
static int put_num(char *buf, size_t size, size_t *at, uint64_t v, unsigned width)
{
	char tmp[20];
	unsigned n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	if (size - *at <= n)
		return -1; /* room for the digits and, later, at least a NUL */
	while (n)
		buf[(*at)++] = tmp[--n];
	return 0;
}

static int put_char(char *buf, size_t size, size_t *at, char c)
{
	if (size - *at <= 1)
		return -1;
	buf[(*at)++] = c;
	return 0;
}

int rtc_format_now(char *buf, size_t size, uint64_t ns)
{
	size_t at = 0;
	if (!size || put_num(buf, size, &at, ns / RTC_NSEC, 1) || put_char(buf, size, &at, '.') ||
	    put_num(buf, size, &at, ns % RTC_NSEC, 9) || put_char(buf, size, &at, '\n'))
		return -1;
	buf[at] = 0;
	return (int)at;
}

int rtc_format_iso(char *buf, size_t size, uint64_t secs)
{
	struct rtc_tm tm;
	size_t at = 0;
	if (!size || rtc_from_unix(secs, &tm) || put_num(buf, size, &at, tm.year, 4) ||
	    put_char(buf, size, &at, '-') || put_num(buf, size, &at, tm.mon, 2) ||
	    put_char(buf, size, &at, '-') || put_num(buf, size, &at, tm.day, 2) ||
	    put_char(buf, size, &at, 'T') || put_num(buf, size, &at, tm.hour, 2) ||
	    put_char(buf, size, &at, ':') || put_num(buf, size, &at, tm.min, 2) ||
	    put_char(buf, size, &at, ':') || put_num(buf, size, &at, tm.sec, 2) ||
	    put_char(buf, size, &at, 'Z') || put_char(buf, size, &at, '\n'))
		return -1;
	buf[at] = 0;
	return (int)at;
}
