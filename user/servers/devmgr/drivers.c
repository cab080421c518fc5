/* SPDX-License-Identifier: MIT */
/*
 * The etc/drivers parser and the matching of devices to drivers (see
 * drivers.h, docs/devices.md "etc/drivers").
 *
 * The text is untrusted and not NUL-terminated: it is read only inside
 * [text, text + len), line by line, and every byte must be printable ASCII or a
 * tab (a CR only before the LF). Every value is checked as init will check it
 * again (drvreg): a driver name devmgr builds from an entry is the entry's
 * name and a device name, so the entry's name leaves room for one.
 */
#include "drivers.h"

#include <kosh/fmt.h>
#include <kosh/span.h>
#include <kosh/string.h>

#include <stdarg.h>

#define QUOTA_DEFAULT (1ull << 20)
#define QUOTA_MAX     (1ull << 32) /* a driver's memory, DMA buffers included */

struct parser {
	struct drivers *out;
	struct drivers_entry *cur;
	uint32_t line;
	uint32_t seen; /* once-only keys given in this section, by bit */
	size_t arg_used;
	struct drivers_error *err;
};

enum key {
	KEY_BINARY,
	KEY_ARGS,
	KEY_PCI,
	KEY_CLASS,
	KEY_COMPATIBLE,
	KEY_NAME,
	KEY_QUOTA,
	KEY_SCHEME,
	KEY_ENDPOINT,
	KEY_NODEVICE,
	KEY_RESTART,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
    "binary", "args",	"pci",	    "class",	"compatible", "name",
    "quota",  "scheme", "endpoint", "nodevice", "restart",
};

/* pci, class and compatible may be repeated; the others are once-only. */
#define REPEATABLE ((1u << KEY_PCI) | (1u << KEY_CLASS) | (1u << KEY_COMPATIBLE))

/* A value quoted in a message: at most 40 characters, then "...". */
struct shown {
	char s[44];
};

static struct shown show(struct kosh_span v)
{
	struct shown out;
	size_t n = v.len > 40 ? 40 : v.len;
	for (size_t i = 0; i < n; i++)
		out.s[i] = v.p[i] == '\t' ? ' ' : v.p[i]; /* messages stay printable */
	memcpy(out.s + n, v.len > 40 ? "..." : "", v.len > 40 ? 4 : 1);
	return out;
}

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (!ps->err)
		return -1;
	ps->err->line = ps->line;
	n = kosh_snprintf(ps->err->message, sizeof(ps->err->message), "line %u: ", ps->line);
	va_start(ap, fmt);
	kosh_vsnprintf(ps->err->message + n, sizeof(ps->err->message) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* s into dst (cap bytes with its NUL): 0, or -1 when it does not fit. */
static int copy_span(char *dst, size_t cap, struct kosh_span s)
{
	if (s.len >= cap)
		return -1;
	memcpy(dst, s.p, s.len);
	dst[s.len] = '\0';
	return 0;
}

static int is_lower_alnum(char c, int dash)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (dash && c == '-');
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly digits hex digits of s (no prefix) into *out. */
static int hex_exact(struct kosh_span s, uint32_t digits, uint32_t *out)
{
	uint32_t v = 0;
	if (s.len != digits)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		int d = hex_value(s.p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* "1af4:1042" */
static int add_pci(struct parser *ps, struct kosh_span w)
{
	struct drivers_entry *e = ps->cur;
	uint32_t vendor, device;
	if (w.len != 9 || w.p[4] != ':' || hex_exact((struct kosh_span){w.p, 4}, 4, &vendor) ||
	    hex_exact((struct kosh_span){w.p + 5, 4}, 4, &device) || vendor == 0xffff)
		return fail(ps, "pci '%s': expected VENDOR:DEVICE in hex, e.g. 1af4:1042",
			    show(w).s);
	if (e->pci_count == DRIVERS_MATCH_MAX)
		return fail(ps, "too many pci ids (at most %u)", DRIVERS_MATCH_MAX);
	e->pci[e->pci_count++] = (struct drivers_pci_id){(uint16_t)vendor, (uint16_t)device};
	return 0;
}

/* "01", "01:06" or "01:06:01" (class, subclass, programming interface). */
static int add_class(struct parser *ps, struct kosh_span w)
{
	struct drivers_entry *e = ps->cur;
	uint32_t v[3] = {0, DRIVERS_CLASS_ANY, DRIVERS_CLASS_ANY}, parts = 0;
	/* "CC", "CC:SS", "CC:SS:PP": 2, 5 or 8 characters, a ':' after each pair but the last. */
	int ok = w.len == 2 || w.len == 5 || w.len == 8;
	for (size_t pos = 0; ok && pos < w.len; pos += 3, parts++)
		ok = hex_exact((struct kosh_span){w.p + pos, 2}, 2, &v[parts]) == 0 &&
		     (pos + 2 == w.len || w.p[pos + 2] == ':');
	if (!ok)
		return fail(ps, "class '%s': expected CC, CC:SS or CC:SS:PP in hex", show(w).s);
	if (e->class_count == DRIVERS_MATCH_MAX)
		return fail(ps, "too many classes (at most %u)", DRIVERS_MATCH_MAX);
	e->classes[e->class_count++] =
	    (struct drivers_class){(uint16_t)v[0], (uint16_t)v[1], (uint16_t)v[2]};
	return 0;
}

/* A compatible string or ACPI id: printable, no blanks, "arm,pl031", "PNP0501". */
static int add_compatible(struct parser *ps, struct kosh_span w)
{
	struct drivers_entry *e = ps->cur;
	if (e->compatible_count == DRIVERS_MATCH_MAX)
		return fail(ps, "too many compatible strings (at most %u)", DRIVERS_MATCH_MAX);
	if (copy_span(e->compatible[e->compatible_count], DRIVERS_COMPAT_MAX, w))
		return fail(ps, "compatible string too long (at most %u characters)",
			    DRIVERS_COMPAT_MAX - 1);
	e->compatible_count++;
	return 0;
}

/* "vda" or "net0": a-z then a last letter or digit that counts. */
static int set_name(struct parser *ps, struct kosh_span v)
{
	struct drivers_entry *e = ps->cur;
	char last;
	if (v.len < 2 || v.len >= KOSH_DEV_NAME_MAX - 2)
		return fail(ps, "name '%s': 2 to %u characters, e.g. vda or net0", show(v).s,
			    KOSH_DEV_NAME_MAX - 4);
	for (size_t i = 0; i + 1 < v.len; i++)
		if (v.p[i] < 'a' || v.p[i] > 'z')
			return fail(ps, "name '%s': letters a-z, then the first letter or digit",
				    show(v).s);
	last = v.p[v.len - 1];
	if (last != 'a' && last != '0')
		return fail(ps, "name '%s' must end in 'a' (vda, vdb ...) or '0' (net0, net1 ...)",
			    show(v).s);
	memcpy(e->device_prefix, v.p, v.len - 1);
	e->device_prefix[v.len - 1] = '\0';
	e->first_suffix = last;
	return 0;
}

static int set_size(struct parser *ps, struct kosh_span v)
{
	uint64_t n = 0, scale = 1;
	size_t i = 0;
	for (; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return fail(ps, "quota too large");
		n = n * 10 + (uint64_t)(v.p[i] - '0');
	}
	if (i + 1 == v.len && v.p[i] == 'K')
		scale = 1ull << 10;
	else if (i + 1 == v.len && v.p[i] == 'M')
		scale = 1ull << 20;
	else if (i != v.len || i == 0)
		return fail(ps, "quota '%s': a decimal number, K or M", show(v).s);
	if (n == 0 || n > QUOTA_MAX / scale || (n * scale) % 4096)
		return fail(ps, "quota '%s': whole 4K pages, at most 4096M", show(v).s);
	ps->cur->quota = n * scale;
	return 0;
}

static int set_token(struct parser *ps, const char *key, struct kosh_span v, char *dst, size_t cap,
		     int dash)
{
	for (size_t i = 0; i < v.len; i++)
		if (!is_lower_alnum(v.p[i], dash && i > 0))
			return fail(ps, "%s '%s': use a-z and 0-9%s", key, show(v).s,
				    dash ? " and '-'" : "");
	if (copy_span(dst, cap, v))
		return fail(ps, "%s '%s' is too long (at most %u characters)", key, show(v).s,
			    (unsigned)cap - 1);
	return 0;
}

static int set_binary(struct parser *ps, struct kosh_span v)
{
	struct kosh_span path = v;
	if (v.len > 9 && memcmp(v.p, "initfs://", 9) == 0)
		path.p += 9, path.len -= 9;
	else if (v.len > 5 && memcmp(v.p, "fs://", 5) == 0)
		path.p += 5, path.len -= 5;
	else
		path.len = 0;
	for (size_t i = 0; i < v.len; i++)
		if (kosh_is_blank(v.p[i]) || v.p[i] == '"')
			path.len = 0;
	if (path.len < 2 || path.p[0] != '/' || path.p[path.len - 1] == '/' ||
	    copy_span(ps->cur->binary, sizeof(ps->cur->binary), v))
		return fail(ps,
			    "binary must be an initfs:/// or fs:/// file path (at most %u "
			    "characters)",
			    KOSH_DRV_PATH_MAX - 1);
	return 0;
}

/* Blank-separated words (no quoting): each with its NUL. */
static int set_args(struct parser *ps, struct kosh_span v)
{
	struct drivers_entry *e = ps->cur;
	struct kosh_span w;
	while (kosh_span_next_word(&v, &w)) {
		if (e->arg_count == KOSH_DRV_ARGS_MAX ||
		    ps->arg_used + w.len + 1 > KOSH_DRV_ARGS_BYTES)
			return fail(ps, "too many arguments (at most %u, %u bytes)",
				    KOSH_DRV_ARGS_MAX, KOSH_DRV_ARGS_BYTES);
		memcpy(e->args + ps->arg_used, w.p, w.len);
		e->args[ps->arg_used + w.len] = '\0';
		ps->arg_used += w.len + 1;
		e->arg_count++;
	}
	return 0;
}

static int set_choice(struct parser *ps, const char *key, struct kosh_span v,
		      const char *const *words, uint32_t n, uint32_t *out)
{
	for (uint32_t i = 0; i < n; i++)
		if (kosh_span_is(v, words[i])) {
			*out = i;
			return 0;
		}
	return fail(ps, "%s '%s' is not one of the choices", key, show(v).s);
}

static int each_word(struct parser *ps, struct kosh_span v,
		     int (*add)(struct parser *, struct kosh_span))
{
	struct kosh_span w;
	while (kosh_span_next_word(&v, &w))
		if (add(ps, w))
			return -1;
	return 0;
}

static int apply(struct parser *ps, enum key k, struct kosh_span v)
{
	static const char *const nodevice[] = {"ignore", "start"};
	static const char *const restart[] = {"always", "on-failure", "never"};
	struct drivers_entry *e = ps->cur;
	switch (k) {
	case KEY_BINARY:
		return set_binary(ps, v);
	case KEY_ARGS:
		return set_args(ps, v);
	case KEY_PCI:
		return each_word(ps, v, add_pci);
	case KEY_CLASS:
		return each_word(ps, v, add_class);
	case KEY_COMPATIBLE:
		return each_word(ps, v, add_compatible);
	case KEY_NAME:
		return set_name(ps, v);
	case KEY_QUOTA:
		return set_size(ps, v);
	case KEY_SCHEME:
		return set_token(ps, "scheme", v, e->scheme, sizeof(e->scheme), 0);
	case KEY_ENDPOINT:
		return set_token(ps, "endpoint", v, e->endpoint, sizeof(e->endpoint), 1);
	case KEY_NODEVICE:
		return set_choice(ps, "nodevice", v, nodevice, 2, &e->nodevice);
	default:
		return set_choice(ps, "restart", v, restart, 3, &e->restart);
	}
}

static int finish(struct parser *ps)
{
	struct drivers_entry *e = ps->cur;
	uint32_t line = ps->line;
	if (!e)
		return 0;
	ps->line = e->line;
	if (!e->binary[0])
		return fail(ps, "driver '%s' has no binary", e->name);
	if (!e->device_prefix[0])
		return fail(ps, "driver '%s' has no name (the first device's: vda, net0 ...)",
			    e->name);
	ps->line = line;
	return 0;
}

/* "[driver NAME]": a name that leaves room for "-" and a device name in KOSH_DRV_NAME_MAX. */
static int section(struct parser *ps, struct kosh_span l)
{
	struct kosh_span inner = {l.p + 1, l.len - 2}, w;
	struct drivers_entry *e;
	if (finish(ps))
		return -1;
	if (l.len < 3 || l.p[l.len - 1] != ']' || !kosh_span_next_word(&inner, &w) ||
	    !kosh_span_is(w, "driver") || !kosh_span_next_word(&inner, &w) || kosh_span_trim(inner).len)
		return fail(ps, "expected [driver NAME]");
	for (size_t i = 0; i < w.len; i++)
		if (!is_lower_alnum(w.p[i], i > 0))
			return fail(ps, "bad driver name (use a-z, 0-9 and '-', not first)");
	if (w.len > KOSH_DRV_NAME_MAX - KOSH_DEV_NAME_MAX - 1)
		return fail(ps, "driver name too long (at most %u characters)",
			    KOSH_DRV_NAME_MAX - KOSH_DEV_NAME_MAX - 1);
	for (uint32_t i = 0; i < ps->out->count; i++)
		if (kosh_span_is(w, ps->out->entries[i].name))
			return fail(ps, "duplicate driver '%s'", ps->out->entries[i].name);
	if (ps->out->count == DRIVERS_MAX)
		return fail(ps, "too many drivers (at most %u)", DRIVERS_MAX);
	e = &ps->out->entries[ps->out->count++];
	copy_span(e->name, sizeof(e->name), w);
	e->quota = QUOTA_DEFAULT;
	e->line = ps->line;
	ps->cur = e;
	ps->seen = 0;
	ps->arg_used = 0;
	return 0;
}

static int assignment(struct parser *ps, struct kosh_span l)
{
	size_t eq = 0;
	int k = 0;
	while (eq < l.len && l.p[eq] != '=')
		eq++;
	if (eq == l.len)
		return fail(ps, "missing '=' (expected key = value)");
	struct kosh_span key = kosh_span_trim((struct kosh_span){l.p, eq});
	struct kosh_span v = kosh_span_trim((struct kosh_span){l.p + eq + 1, l.len - eq - 1});
	while (k < KEY_COUNT && !kosh_span_is(key, key_names[k]))
		k++;
	if (k == KEY_COUNT)
		return fail(ps, "unknown key '%s'", show(key).s);
	if (!ps->cur)
		return fail(ps, "key '%s' before any [driver NAME]", key_names[k]);
	if (!(REPEATABLE & (1u << k)) && (ps->seen & (1u << k)))
		return fail(ps, "duplicate key '%s'", key_names[k]);
	if (v.len == 0)
		return fail(ps, "key '%s' has no value", key_names[k]);
	ps->seen |= 1u << k;
	return apply(ps, (enum key)k, v);
}

static int parse_line(struct parser *ps, struct kosh_span l)
{
	size_t n = l.len && l.p[l.len - 1] == '\r' ? l.len - 1 : l.len;
	if (n > DRIVERS_LINE_MAX)
		return fail(ps, "line too long (at most %u characters)", DRIVERS_LINE_MAX);
	for (size_t i = 0; i < n; i++)
		if (((uint8_t)l.p[i] < 0x20 && l.p[i] != '\t') || (uint8_t)l.p[i] > 0x7e)
			return fail(ps, "control or non-ASCII byte 0x%02x in column %u",
				    (uint8_t)l.p[i], (unsigned)(i + 1));
	l = kosh_span_trim((struct kosh_span){l.p, n});
	if (l.len == 0 || l.p[0] == '#')
		return 0;
	return l.p[0] == '[' ? section(ps, l) : assignment(ps, l);
}

int drivers_parse(const char *text, size_t len, struct drivers *out, struct drivers_error *err)
{
	struct parser ps = {.out = out, .err = err};
	size_t pos = 0;
	memset(out, 0, sizeof(*out));
	if (err)
		memset(err, 0, sizeof(*err));
	if (len > DRIVERS_FILE_MAX) {
		fail(&ps, "file too large (at most %u bytes)", DRIVERS_FILE_MAX);
		goto out_empty;
	}
	for (ps.line = 1; pos < len; ps.line++)
		if (parse_line(&ps, kosh_span_next_line(text, len, &pos)))
			goto out_empty;
	if (finish(&ps) == 0)
		return 0;
out_empty:
	memset(out, 0, sizeof(*out));
	return -1;
}

static int class_matches(const struct drivers_class *c, const struct drivers_device *dev)
{
	return c->class_code == dev->class_code &&
	       (c->subclass == DRIVERS_CLASS_ANY || c->subclass == dev->subclass) &&
	       (c->prog_if == DRIVERS_CLASS_ANY || c->prog_if == dev->prog_if);
}

int drivers_match(const struct drivers *d, const struct drivers_device *dev)
{
	for (uint32_t i = 0; i < d->count && dev->pci; i++)
		for (uint32_t k = 0; k < d->entries[i].pci_count; k++)
			if (d->entries[i].pci[k].vendor == dev->vendor &&
			    d->entries[i].pci[k].device == dev->device)
				return (int)i;
	for (uint32_t i = 0; i < d->count && dev->pci; i++)
		for (uint32_t k = 0; k < d->entries[i].class_count; k++)
			if (class_matches(&d->entries[i].classes[k], dev))
				return (int)i;
	for (uint32_t i = 0; i < d->count && !dev->pci && dev->compatible; i++)
		for (uint32_t k = 0; k < d->entries[i].compatible_count; k++)
			if (strcmp(d->entries[i].compatible[k], dev->compatible) == 0)
				return (int)i;
	return -1;
}

int drivers_device_name(const struct drivers_entry *e, uint32_t n, char out[KOSH_DEV_NAME_MAX])
{
	char suffix[12];
	int len = 0;
	if (e->first_suffix == '0') {
		len = kosh_snprintf(suffix, sizeof(suffix), "%u", n);
	} else {
		/* a .. z, aa .. zz, …: bijective base 26, as Linux names disks. */
		char rev[12];
		uint32_t v = n + 1;
		while (v && len < (int)sizeof(rev)) {
			v--;
			rev[len++] = (char)('a' + v % 26);
			v /= 26;
		}
		for (int i = 0; i < len; i++)
			suffix[i] = rev[len - 1 - i];
		suffix[len] = '\0';
	}
	if (strlen(e->device_prefix) + (size_t)len >= KOSH_DEV_NAME_MAX)
		return -1;
	kosh_snprintf(out, KOSH_DEV_NAME_MAX, "%s%s", e->device_prefix, suffix);
	return 0;
}
