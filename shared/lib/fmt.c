/* SPDX-License-Identifier: MIT */
/*
 * kosh_vsnprintf: the one formatter of the loader and the kernel. It never writes
 * past buf[size - 1] and always terminates (when size > 0).
 */
#include <kosh/fmt.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, written or not */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padding(struct out *o, int count, char c)
{
	while (count-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const char *s, int width, int left)
{
	int n = 0;
	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	if (!left)
		put_padding(o, width - n, ' ');
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		put_padding(o, width - n, ' ');
}

static void put_num(struct out *o, uint64_t v, int neg, unsigned base, int upper, int width,
		    char pad, int left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + neg;
	if (!left && pad == ' ')
		put_padding(o, width - len, ' ');
	if (neg)
		put(o, '-');
	if (!left && pad == '0')
		put_padding(o, width - len, '0');
	while (n)
		put(o, tmp[--n]);
	if (left)
		put_padding(o, width - len, ' ');
}

/* Reads the argument of the given length modifier as unsigned (or signed). */
static uint64_t arg_unsigned(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, long long);
	if (lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static void format_one(struct out *o, const char **pf, va_list *ap)
{
	const char *f = *pf;
	int left = 0, width = 0, lng = 0;
	char pad = ' ';
	for (; *f == '-' || *f == '0'; f++) {
		if (*f == '-')
			left = 1;
		else
			pad = '0';
	}
	for (; *f >= '0' && *f <= '9'; f++)
		width = width * 10 + (*f - '0');
	for (; *f == 'l' || *f == 'z'; f++)
		lng += *f == 'z' ? 2 : 1;
	switch (*f) {
	case 's':
		put_str(o, va_arg(*ap, const char *), width, left);
		break;
	case 'c':
		put(o, (char)va_arg(*ap, int));
		break;
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, lng);
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		put_num(o, mag, v < 0, 10, 0, width, pad, left);
		break;
	}
	case 'u':
		put_num(o, arg_unsigned(ap, lng), 0, 10, 0, width, pad, left);
		break;
	case 'x':
	case 'X':
		put_num(o, arg_unsigned(ap, lng), 0, 16, *f == 'X', width, pad, left);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_num(o, (uintptr_t)va_arg(*ap, void *), 0, 16, 0, 16, '0', 0);
		break;
	case '\0':
		f--; /* a lone '%' at the end: stop at the NUL */
		break;
	default: /* '%' and anything unknown are printed as is */
		put(o, *f);
		break;
	}
	*pf = f + 1;
}

int kosh_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		format_one(&o, &fmt, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int kosh_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
