/* SPDX-License-Identifier: MIT */
/*
 * Parser for etc/services (see <kosh/services.h> and docs/services.md).
 *
 * The text is untrusted and not NUL-terminated: it is only read inside
 * [text, text + len), line by line. Every byte of every line, comments included,
 * must be printable ASCII or a tab, with a CR allowed only just before the LF, so
 * every value copied out (and quoted in a message) is printable. Conflicts between
 * services (an IRQ, an I/O port, an MMIO page or a served endpoint given twice) are
 * caught on the line that adds the second one; dependencies are resolved, and
 * cycles refused, once the whole file is read. On any error *out is emptied, so a
 * half-read file is never mistaken for a short one. Endpoint names double as
 * the names of start-page handles, so they are short (15 characters) and may
 * not be one of the names init gives other handles under (klog, quota …).
 */
#include <kosh/fmt.h>
#include <kosh/services.h>
#include <kosh/span.h>
#include <kosh/string.h>

#include <stdarg.h>

#define BACKOFF_INITIAL_MS 100u
#define BACKOFF_MAX_MS	   10000u
#define SHOW_MAX	   40 /* characters of a value quoted in a message */

enum key {
	KEY_BINARY,
	KEY_ARGS,
	KEY_ENDPOINT,
	KEY_IRQ,
	KEY_IOPORT,
	KEY_MMIO,
	KEY_QUOTA,
	KEY_AFTER,
	KEY_RESTART,
	KEY_BACKOFF,
	KEY_ARCH,
	KEY_SCHEME,
	KEY_STDIO,
	KEY_GRANT,
	KEY_COUNT
};

/* Keys that may appear at most once in a section. */
#define ONCE_KEYS                                                                                  \
	((1u << KEY_BINARY) | (1u << KEY_ARGS) | (1u << KEY_QUOTA) | (1u << KEY_RESTART) |         \
	 (1u << KEY_BACKOFF) | (1u << KEY_ARCH) | (1u << KEY_STDIO))

static const char *const key_names[KEY_COUNT] = {
    [KEY_BINARY] = "binary",   [KEY_ARGS] = "args",	[KEY_ENDPOINT] = "endpoint",
    [KEY_IRQ] = "irq",	       [KEY_IOPORT] = "ioport", [KEY_MMIO] = "mmio",
    [KEY_QUOTA] = "quota",     [KEY_AFTER] = "after",	[KEY_RESTART] = "restart",
    [KEY_BACKOFF] = "backoff", [KEY_ARCH] = "arch",	[KEY_SCHEME] = "scheme",
    [KEY_STDIO] = "stdio",     [KEY_GRANT] = "grant",
};

/*
 * Start-page names init gives a service besides its endpoints (docs/services.md,
 * "What init gives a service"); "irq", "ioport", "mmio", "acpi", "dtb" and "fb"
 * followed by digits too, and the grants' own names (grant_names).
 */
static const char *const reserved_names[] = {
    "klog",  "quota",  "process", "space",	"thread",
    "stdin", "stdout", "stderr",  "irq-notify", "rootinfo",
};
static const char *const numbered_names[] = {"irq", "ioport", "mmio", "acpi", "dtb", "fb"};

/* The grant words, bit k of kosh_service.grants being grant_names[k]. */
static const char *const grant_names[] = {
    "klog-read",   "klog-console", "quota-root",  "firmware",
    "framebuffer", "mmio-control", "irq-control", "ioport-control",
    "boot-info",
};
_Static_assert(sizeof(grant_names) / sizeof(grant_names[0]) == 9, "a name per grant bit");

/* A piece of the text: not NUL-terminated. */
/* A value quoted in a message: at most SHOW_MAX characters, then "...". */
struct shown {
	char s[SHOW_MAX + 4];
};

struct parser {
	struct kosh_services *out;
	struct kosh_service *cur; /* the section being read, or NULL before the first */
	uint32_t seen;		  /* ONCE_KEYS already given in this section */
	size_t arg_used;	  /* bytes of cur->arg_text in use */
	uint32_t line;
	uint32_t after_line[KOSH_SERVICES_MAX][KOSH_SERVICES_CAPS_MAX];
	uint32_t scheme_line[KOSH_SERVICES_CAPS_MAX]; /* of cur's schemes */
	struct kosh_services_error *err;
};

/* ---- text helpers ---- */

static int span_starts(struct kosh_span s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

static void copy_span(char *dst, size_t cap, struct kosh_span s)
{
	size_t n = s.len < cap ? s.len : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* Messages stay printable: a tab inside a value is shown as a space. */
static struct shown show(struct kosh_span s)
{
	struct shown v;
	size_t n = s.len <= SHOW_MAX ? s.len : SHOW_MAX;
	for (size_t i = 0; i < n; i++)
		v.s[i] = s.p[i] == '\t' ? ' ' : s.p[i];
	if (s.len > SHOW_MAX)
		memcpy(v.s + n, "...", 4);
	else
		v.s[n] = '\0';
	return v;
}

/* ---- errors ---- */

static int fail(struct parser *ps, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records "line N: <message>" (or just the message for line 0); returns -1. */
static int fail(struct parser *ps, uint32_t line, const char *fmt, ...)
{
	struct kosh_services_error *err = ps->err;
	va_list ap;
	int n = 0;
	if (!err)
		return -1;
	err->line = line;
	if (line)
		n = kosh_snprintf(err->message, sizeof(err->message), "line %u: ", line);
	va_start(ap, fmt);
	kosh_vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- names and numbers ---- */

/* 0: a valid name of at most max - 1 characters; otherwise fails naming what. */
static int check_name_max(struct parser *ps, const char *what, struct kosh_span name, size_t max)
{
	if (name.len >= max)
		return fail(ps, ps->line, "%s name '%s' is too long (at most %u characters)", what,
			    show(name).s, (unsigned)(max - 1));
	for (size_t i = 0; i < name.len; i++) {
		char c = name.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0)))
			return fail(ps, ps->line,
				    "bad %s name '%s' (use a-z, 0-9 and '-', not first)", what,
				    show(name).s);
	}
	return 0;
}

/* 0: a valid service name (endpoint names: check_endpoint_name). */
static int check_name(struct parser *ps, const char *what, struct kosh_span name)
{
	return check_name_max(ps, what, name, KOSH_SERVICES_NAME_MAX);
}

const char *kosh_services_grant_name(uint32_t bit)
{
	for (uint32_t k = 0; k < sizeof(grant_names) / sizeof(grant_names[0]); k++)
		if (bit == 1u << k)
			return grant_names[k];
	return NULL;
}

uint32_t kosh_services_grant_bit(const char *word, size_t len)
{
	struct kosh_span w = {word, len};
	for (uint32_t k = 0; k < sizeof(grant_names) / sizeof(grant_names[0]); k++)
		if (kosh_span_is(w, grant_names[k]))
			return 1u << k;
	return 0;
}

/* 1 if name is a start-page name init uses for something else. */
static int is_reserved(struct kosh_span name)
{
	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (kosh_span_is(name, reserved_names[i]))
			return 1;
	if (kosh_services_grant_bit(name.p, name.len))
		return 1;
	for (size_t i = 0; i < sizeof(numbered_names) / sizeof(numbered_names[0]); i++) {
		size_t n = strlen(numbered_names[i]), k = n;
		if (name.len <= n || memcmp(name.p, numbered_names[i], n) != 0)
			continue;
		while (k < name.len && name.p[k] >= '0' && name.p[k] <= '9')
			k++;
		if (k == name.len)
			return 1;
	}
	return 0;
}

int kosh_services_reserved_name(const char *name, size_t len)
{
	return is_reserved((struct kosh_span){name, len});
}

static int check_endpoint_name(struct parser *ps, struct kosh_span name)
{
	if (check_name_max(ps, "endpoint", name, KOSH_SERVICES_ENDPOINT_MAX))
		return -1;
	if (is_reserved(name))
		return fail(ps, ps->line,
			    "endpoint name '%s' is reserved (init gives a handle of that name)",
			    show(name).s);
	return 0;
}

static int digit_value(char c, unsigned base)
{
	int v = -1;
	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v >= 0 && (unsigned)v < base ? v : -1;
}

/*
 * Takes a decimal or 0x-hex number from the front of *s. 0 on success; -1 if no
 * digits; -2 if it does not fit in 64 bits.
 */
static int take_number(struct kosh_span *s, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0, start;
	uint64_t v = 0;
	if (s->len > 2 && s->p[0] == '0' && (s->p[1] == 'x' || s->p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	start = i;
	for (int d; i < s->len && (d = digit_value(s->p[i], base)) >= 0; i++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -2;
		v = v * base + (uint64_t)d;
	}
	if (i == start)
		return -1;
	s->p += i;
	s->len -= i;
	*out = v;
	return 0;
}

/* A whole word as a plain number; fails with a message about key's value. */
static int parse_plain(struct parser *ps, const char *key, struct kosh_span word, uint64_t *out)
{
	struct kosh_span rest = word;
	int r = take_number(&rest, out);
	if (r == -2)
		return fail(ps, ps->line, "%s '%s': number too large", key, show(word).s);
	if (r || rest.len)
		return fail(ps, ps->line, "%s '%s' is not a number", key, show(word).s);
	return 0;
}

/* A number with an optional K, M or G suffix (powers of 1024). */
static int parse_size(struct parser *ps, const char *key, struct kosh_span word, uint64_t *out)
{
	struct kosh_span rest = word;
	uint64_t v, scale = 1;
	int r = take_number(&rest, &v);
	if (r == -2)
		return fail(ps, ps->line, "%s '%s': number too large", key, show(word).s);
	if (r)
		return fail(ps, ps->line, "%s '%s' is not a number", key, show(word).s);
	if (kosh_span_is(rest, "K"))
		scale = 1ull << 10;
	else if (kosh_span_is(rest, "M"))
		scale = 1ull << 20;
	else if (kosh_span_is(rest, "G"))
		scale = 1ull << 30;
	else if (rest.len)
		return fail(ps, ps->line, "%s '%s': unknown suffix (use K, M or G)", key,
			    show(word).s);
	if (v > UINT64_MAX / scale)
		return fail(ps, ps->line, "%s '%s': number too large", key, show(word).s);
	*out = v * scale;
	return 0;
}

/* "BASE-SIZE" (the size may carry a suffix when sized is set). */
static int parse_range(struct parser *ps, const char *key, struct kosh_span word, int sized,
		       struct kosh_service_range *out)
{
	struct kosh_span base = word, size;
	size_t dash = 0;
	while (dash < word.len && word.p[dash] != '-')
		dash++;
	if (dash == 0 || dash + 1 >= word.len)
		return fail(ps, ps->line, "%s '%s': expected BASE-%s", key, show(word).s,
			    sized ? "SIZE, e.g. 0x9000000-4K" : "COUNT, e.g. 0x3f8-8");
	base.len = dash;
	size = (struct kosh_span){word.p + dash + 1, word.len - dash - 1};
	if (parse_plain(ps, key, base, &out->base))
		return -1;
	return sized ? parse_size(ps, key, size, &out->size)
		     : parse_plain(ps, key, size, &out->size);
}

/* "100ms" or "10s" (decimal), in milliseconds. */
static int parse_duration(struct parser *ps, struct kosh_span word, uint32_t *ms)
{
	struct kosh_span rest = word;
	uint64_t v = 0, scale = 1;
	int r = -1;
	if (word.p[0] >= '0' && word.p[0] <= '9' && !span_starts(word, "0x"))
		r = take_number(&rest, &v);
	if (r == -1)
		return fail(ps, ps->line, "backoff '%s' is not a duration (e.g. 100ms, 10s)",
			    show(word).s);
	if (kosh_span_is(rest, "s"))
		scale = 1000;
	else if (r == 0 && !kosh_span_is(rest, "ms"))
		return fail(ps, ps->line, "backoff '%s': unknown unit (use ms or s)", show(word).s);
	if (r == -2 || v == 0 || v > KOSH_SERVICES_BACKOFF_MAX_MS / scale)
		return fail(ps, ps->line, "backoff '%s' out of range (1ms to 3600s)", show(word).s);
	*ms = (uint32_t)(v * scale);
	return 0;
}

/* ---- conflicts between capabilities ---- */

static int overlaps(const struct kosh_service_range *a, const struct kosh_service_range *b)
{
	return a->base < b->base + b->size && b->base < a->base + a->size;
}

/* The service already holding irq, or NULL. */
static const struct kosh_service *irq_owner(const struct kosh_services *s, uint32_t arches,
					    uint32_t irq)
{
	for (uint32_t i = 0; i < s->count; i++)
		for (uint32_t k = 0; k < s->services[i].irq_count; k++)
			if ((s->services[i].arches & arches) && s->services[i].irqs[k] == irq)
				return &s->services[i];
	return NULL;
}

/* The service with an I/O-port (or MMIO) range overlapping r, or NULL; *hit is it. */
static const struct kosh_service *range_owner(const struct kosh_services *s, uint32_t arches,
					      int mmio, const struct kosh_service_range *r,
					      const struct kosh_service_range **hit)
{
	for (uint32_t i = 0; i < s->count; i++) {
		const struct kosh_service *svc = &s->services[i];
		const struct kosh_service_range *list = mmio ? svc->mmio : svc->ioports;
		uint32_t n = mmio ? svc->mmio_count : svc->ioport_count;
		if (!(svc->arches & arches))
			continue; /* never on the same machine */
		for (uint32_t k = 0; k < n; k++) {
			if (overlaps(&list[k], r)) {
				*hit = &list[k];
				return svc;
			}
		}
	}
	return NULL;
}

/* The service already serving the endpoint called name, or NULL. */
static const struct kosh_service *server_of(const struct kosh_services *s, uint32_t arches,
					    const char *name)
{
	for (uint32_t i = 0; i < s->count; i++)
		for (uint32_t k = 0; k < s->services[i].endpoint_count; k++)
			if ((s->services[i].arches & arches) &&
			    s->services[i].endpoints[k].role == KOSH_SERVICE_SERVE &&
			    strcmp(s->services[i].endpoints[k].name, name) == 0)
				return &s->services[i];
	return NULL;
}

static int too_many(struct parser *ps, const char *what)
{
	return fail(ps, ps->line, "too many %s in service '%s' (at most %u)", what, ps->cur->name,
		    KOSH_SERVICES_CAPS_MAX);
}

/* ---- keys ---- */

static int check_binary(struct parser *ps, struct kosh_span v)
{
	struct kosh_span path = v;
	if (v.len >= KOSH_SERVICES_PATH_MAX)
		return fail(ps, ps->line, "binary '%s' is too long (at most %u characters)",
			    show(v).s, KOSH_SERVICES_PATH_MAX - 1);
	if (span_starts(v, "initfs://"))
		path.p += 9, path.len -= 9;
	else if (span_starts(v, "fs://"))
		path.p += 5, path.len -= 5;
	else
		path.len = 0;
	if (path.len < 2 || path.p[0] != '/' || path.p[path.len - 1] == '/')
		return fail(ps, ps->line, "binary '%s' must be an initfs:/// or fs:/// file path",
			    show(v).s);
	for (size_t i = 0; i < v.len; i++)
		if (kosh_is_blank(v.p[i]) || v.p[i] == '"')
			return fail(ps, ps->line, "binary '%s': no spaces or quotes in a path",
				    show(v).s);
	return 0;
}

static int set_binary(struct parser *ps, struct kosh_span v)
{
	if (check_binary(ps, v))
		return -1;
	copy_span(ps->cur->binary, sizeof(ps->cur->binary), v);
	return 0;
}

/* Appends one argument (its text and a NUL) to the current service. */
static int add_arg(struct parser *ps, struct kosh_span arg)
{
	struct kosh_service *svc = ps->cur;
	size_t used = ps->arg_used;
	if (svc->arg_count == KOSH_SERVICES_ARGS_MAX)
		return fail(ps, ps->line, "too many arguments (at most %u)",
			    KOSH_SERVICES_ARGS_MAX);
	if (used + arg.len + 1 > KOSH_SERVICES_ARGS_BYTES)
		return fail(ps, ps->line, "arguments too long (at most %u bytes, one NUL each)",
			    KOSH_SERVICES_ARGS_BYTES);
	memcpy(svc->arg_text + used, arg.p, arg.len);
	svc->arg_text[used + arg.len] = '\0';
	svc->arg_offset[svc->arg_count++] = (uint16_t)used;
	ps->arg_used = used + arg.len + 1;
	return 0;
}

/* Splits v into the next argument: a bare word, or "..." (quotes removed). */
static int take_arg(struct parser *ps, struct kosh_span *v, struct kosh_span *arg)
{
	size_t i = 0;
	if (v->p[0] == '"') {
		for (i = 1; i < v->len && v->p[i] != '"'; i++)
			;
		if (i == v->len)
			return fail(ps, ps->line, "args: unterminated '\"'");
		*arg = (struct kosh_span){v->p + 1, i - 1};
		i++;
		if (i < v->len && !kosh_is_blank(v->p[i]))
			return fail(ps, ps->line, "args: a blank must follow a closing '\"'");
	} else {
		for (; i < v->len && !kosh_is_blank(v->p[i]); i++)
			if (v->p[i] == '"')
				return fail(ps, ps->line,
					    "args: '\"' inside a word (quote the whole argument)");
		*arg = (struct kosh_span){v->p, i};
	}
	v->p += i;
	v->len -= i;
	return 0;
}

static int set_args(struct parser *ps, struct kosh_span v)
{
	struct kosh_span arg;
	for (v = kosh_span_trim(v); v.len; v = kosh_span_trim(v)) {
		if (take_arg(ps, &v, &arg) || add_arg(ps, arg))
			return -1;
	}
	return 0;
}

static int add_endpoint(struct parser *ps, enum kosh_service_role role, struct kosh_span name)
{
	struct kosh_service *svc = ps->cur;
	struct kosh_service_endpoint *ep = &svc->endpoints[svc->endpoint_count];
	const struct kosh_service *owner;
	if (check_endpoint_name(ps, name))
		return -1;
	if (role == KOSH_SERVICE_SERVE &&
	    (kosh_span_is(name, "initfs") || kosh_span_is(name, "svc")))
		return fail(ps, ps->line, "endpoint '%s' is served by %s", show(name).s,
			    kosh_span_is(name, "svc") ? "init" : "bootstrap");
	for (uint32_t k = 0; k < svc->endpoint_count; k++)
		if (kosh_span_is(name, svc->endpoints[k].name))
			return fail(ps, ps->line, "endpoint '%s' listed twice",
				    svc->endpoints[k].name);
	if (svc->endpoint_count == KOSH_SERVICES_CAPS_MAX)
		return too_many(ps, "endpoints");
	copy_span(ep->name, sizeof(ep->name), name);
	if (role == KOSH_SERVICE_SERVE && (owner = server_of(ps->out, svc->arches, ep->name)))
		return fail(ps, ps->line, "endpoint '%s' is already served by '%s'", ep->name,
			    owner->name);
	ep->role = role;
	svc->endpoint_count++;
	return 0;
}

static int set_endpoint(struct parser *ps, struct kosh_span v)
{
	struct kosh_span word;
	enum kosh_service_role role;
	kosh_span_next_word(&v, &word);
	if (kosh_span_is(word, "serve"))
		role = KOSH_SERVICE_SERVE;
	else if (kosh_span_is(word, "use"))
		role = KOSH_SERVICE_USE;
	else
		return fail(ps, ps->line, "endpoint '%s': expected serve NAME... or use NAME...",
			    show(word).s);
	if (kosh_span_trim(v).len == 0)
		return fail(ps, ps->line, "endpoint: no name after '%s'", show(word).s);
	while (kosh_span_next_word(&v, &word))
		if (add_endpoint(ps, role, word))
			return -1;
	return 0;
}

static int add_irq(struct parser *ps, struct kosh_span word)
{
	struct kosh_service *svc = ps->cur;
	const struct kosh_service *owner;
	uint64_t irq;
	if (parse_plain(ps, "irq", word, &irq))
		return -1;
	if (irq > KOSH_SERVICES_IRQ_LAST)
		return fail(ps, ps->line, "irq '%s' out of range (0 to %u)", show(word).s,
			    KOSH_SERVICES_IRQ_LAST);
	for (uint32_t k = 0; k < svc->irq_count; k++)
		if (svc->irqs[k] == irq)
			return fail(ps, ps->line, "irq %u listed twice", (unsigned)irq);
	if ((owner = irq_owner(ps->out, svc->arches, (uint32_t)irq)))
		return fail(ps, ps->line, "irq %u is already given to '%s'", (unsigned)irq,
			    owner->name);
	if (svc->irq_count == KOSH_SERVICES_CAPS_MAX)
		return too_many(ps, "irqs");
	svc->irqs[svc->irq_count++] = (uint32_t)irq;
	return 0;
}

/* Checks r's bounds for its kind; 0 if fine. */
static int check_range(struct parser *ps, int mmio, struct kosh_span word,
		       const struct kosh_service_range *r)
{
	if (!mmio && (r->size == 0 || r->base >= KOSH_SERVICES_IOPORT_END ||
		      r->size > KOSH_SERVICES_IOPORT_END - r->base))
		return fail(ps, ps->line, "ioport '%s': ports must lie in 0 to 0xffff, count >= 1",
			    show(word).s);
	if (mmio && (r->size == 0 || r->base % KOSH_SERVICES_PAGE_SIZE ||
		     r->size % KOSH_SERVICES_PAGE_SIZE))
		return fail(ps, ps->line,
			    "mmio '%s': base and size must be whole 4K pages, size > 0",
			    show(word).s);
	if (mmio &&
	    (r->base >= KOSH_SERVICES_PHYS_END || r->size > KOSH_SERVICES_PHYS_END - r->base))
		return fail(ps, ps->line, "mmio '%s' reaches past physical address 2^52",
			    show(word).s);
	return 0;
}

static int add_range(struct parser *ps, int mmio, struct kosh_span word)
{
	struct kosh_service *svc = ps->cur;
	const char *key = mmio ? "mmio" : "ioport";
	struct kosh_service_range r, *list = mmio ? svc->mmio : svc->ioports;
	uint32_t *count = mmio ? &svc->mmio_count : &svc->ioport_count;
	const struct kosh_service_range *hit;
	const struct kosh_service *owner;
	if (parse_range(ps, key, word, mmio, &r) || check_range(ps, mmio, word, &r))
		return -1;
	if ((owner = range_owner(ps->out, svc->arches, mmio, &r, &hit)))
		return fail(ps, ps->line, "%s '%s' overlaps 0x%llx-0x%llx of '%s'", key,
			    show(word).s, (unsigned long long)hit->base,
			    (unsigned long long)hit->size, owner->name);
	if (*count == KOSH_SERVICES_CAPS_MAX)
		return too_many(ps, mmio ? "mmio ranges" : "ioport ranges");
	list[(*count)++] = r;
	return 0;
}

static int set_quota(struct parser *ps, struct kosh_span v)
{
	uint64_t q;
	if (parse_size(ps, "quota", v, &q))
		return -1;
	if (q == 0 || q % KOSH_SERVICES_PAGE_SIZE)
		return fail(ps, ps->line, "quota '%s' is not a whole, non-zero number of 4K pages",
			    show(v).s);
	if (q > KOSH_SERVICES_QUOTA_MAX)
		return fail(ps, ps->line, "quota '%s' is too large (at most 1024G)", show(v).s);
	ps->cur->quota = q;
	return 0;
}

static int add_after(struct parser *ps, struct kosh_span name)
{
	struct kosh_service *svc = ps->cur;
	uint32_t index = (uint32_t)(svc - ps->out->services);
	if (check_name(ps, "service", name))
		return -1;
	if (kosh_span_is(name, svc->name))
		return fail(ps, ps->line, "service '%s' cannot depend on itself", svc->name);
	for (uint32_t k = 0; k < svc->after_count; k++)
		if (kosh_span_is(name, svc->after[k]))
			return fail(ps, ps->line, "dependency '%s' listed twice", svc->after[k]);
	if (svc->after_count == KOSH_SERVICES_CAPS_MAX)
		return too_many(ps, "dependencies");
	ps->after_line[index][svc->after_count] = ps->line;
	copy_span(svc->after[svc->after_count++], KOSH_SERVICES_NAME_MAX, name);
	return 0;
}

static int set_restart(struct parser *ps, struct kosh_span v)
{
	if (kosh_span_is(v, "always"))
		ps->cur->restart = KOSH_SERVICE_RESTART_ALWAYS;
	else if (kosh_span_is(v, "on-failure"))
		ps->cur->restart = KOSH_SERVICE_RESTART_ON_FAILURE;
	else if (kosh_span_is(v, "never"))
		ps->cur->restart = KOSH_SERVICE_RESTART_NEVER;
	else
		return fail(ps, ps->line, "restart '%s': expected always, on-failure or never",
			    show(v).s);
	return 0;
}

static int set_backoff(struct parser *ps, struct kosh_span v)
{
	struct kosh_span first, second, extra, all = v;
	uint32_t initial, cap;
	if (!kosh_span_next_word(&v, &first) || !kosh_span_next_word(&v, &second) || kosh_span_next_word(&v, &extra))
		return fail(ps, ps->line, "backoff '%s': expected INITIAL CAP, e.g. 100ms 10s",
			    show(all).s);
	if (parse_duration(ps, first, &initial) || parse_duration(ps, second, &cap))
		return -1;
	if (cap < initial)
		return fail(ps, ps->line, "backoff '%s': the cap is below the initial delay",
			    show(all).s);
	ps->cur->backoff_initial_ms = initial;
	ps->cur->backoff_max_ms = cap;
	return 0;
}

/* Conflicts are checked per architecture, so arch must come before any capability. */
static int set_arch(struct parser *ps, struct kosh_span v)
{
	struct kosh_service *svc = ps->cur;
	struct kosh_span word;
	uint32_t arches = 0, bit;
	if (svc->endpoint_count || svc->irq_count || svc->ioport_count || svc->mmio_count)
		return fail(ps, ps->line, "arch must come before endpoint, irq, ioport and mmio");
	while (kosh_span_next_word(&v, &word)) {
		if (kosh_span_is(word, "x86_64"))
			bit = KOSH_SERVICE_ARCH_X86_64;
		else if (kosh_span_is(word, "aarch64"))
			bit = KOSH_SERVICE_ARCH_AARCH64;
		else
			return fail(ps, ps->line, "arch '%s': expected x86_64 or aarch64",
				    show(word).s);
		if (arches & bit)
			return fail(ps, ps->line, "arch '%s' listed twice", show(word).s);
		arches |= bit;
	}
	svc->arches = arches;
	return 0;
}

/* 1 if s is 1 .. KOSH_SERVICES_SCHEME_MAX - 1 characters of a-z and 0-9 (a vfsd scheme). */
static int is_scheme(struct kosh_span s)
{
	if (s.len == 0 || s.len >= KOSH_SERVICES_SCHEME_MAX)
		return 0;
	for (size_t i = 0; i < s.len; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9')))
			return 0;
	return 1;
}

/* One scheme; that it is served is checked when the section ends (check_schemes). */
static int add_scheme(struct parser *ps, struct kosh_span name)
{
	struct kosh_service *svc = ps->cur;
	if (!is_scheme(name))
		return fail(ps, ps->line, "scheme '%s': use 1 to %u characters of a-z and 0-9",
			    show(name).s, KOSH_SERVICES_SCHEME_MAX - 1);
	for (uint32_t k = 0; k < svc->scheme_count; k++)
		if (kosh_span_is(name, svc->schemes[k]))
			return fail(ps, ps->line, "scheme '%s' listed twice", svc->schemes[k]);
	if (svc->scheme_count == KOSH_SERVICES_CAPS_MAX)
		return too_many(ps, "schemes");
	ps->scheme_line[svc->scheme_count] = ps->line;
	copy_span(svc->schemes[svc->scheme_count++], KOSH_SERVICES_SCHEME_MAX, name);
	return 0;
}

/* "scheme://path": a URI init opens for the service's stdin, stdout and stderr. */
static int set_stdio(struct parser *ps, struct kosh_span v)
{
	size_t colon = 0;
	while (colon < v.len && v.p[colon] != ':')
		colon++;
	if (v.len >= KOSH_SERVICES_PATH_MAX)
		return fail(ps, ps->line, "stdio '%s' is too long (at most %u characters)",
			    show(v).s, KOSH_SERVICES_PATH_MAX - 1);
	if (!is_scheme((struct kosh_span){v.p, colon}) || v.len - colon < 3 ||
	    memcmp(v.p + colon, "://", 3) != 0)
		return fail(ps, ps->line, "stdio '%s' must be a URI such as console://", show(v).s);
	for (size_t i = 0; i < v.len; i++)
		if (kosh_is_blank(v.p[i]) || v.p[i] == '"')
			return fail(ps, ps->line, "stdio '%s': no spaces or quotes in a URI",
				    show(v).s);
	copy_span(ps->cur->stdio, sizeof(ps->cur->stdio), v);
	return 0;
}

static int add_grant(struct parser *ps, struct kosh_span word)
{
	uint32_t bit = kosh_services_grant_bit(word.p, word.len);
	if (!bit)
		return fail(ps, ps->line,
			    "grant '%s': expected klog-read, klog-console, quota-root, firmware, "
			    "framebuffer, mmio-control, irq-control, ioport-control or boot-info",
			    show(word).s);
	if (ps->cur->grants & bit)
		return fail(ps, ps->line, "grant '%s' listed twice", show(word).s);
	ps->cur->grants |= bit;
	return 0;
}

/* Applies each blank-separated word of v with add. */
static int each_word(struct parser *ps, struct kosh_span v,
		     int (*add)(struct parser *, struct kosh_span))
{
	struct kosh_span word;
	while (kosh_span_next_word(&v, &word))
		if (add(ps, word))
			return -1;
	return 0;
}

static int add_ioport(struct parser *ps, struct kosh_span word)
{
	return add_range(ps, 0, word);
}

static int add_mmio(struct parser *ps, struct kosh_span word)
{
	return add_range(ps, 1, word);
}

static int apply(struct parser *ps, enum key key, struct kosh_span v)
{
	switch (key) {
	case KEY_BINARY:
		return set_binary(ps, v);
	case KEY_ARGS:
		return set_args(ps, v);
	case KEY_ENDPOINT:
		return set_endpoint(ps, v);
	case KEY_IRQ:
		return each_word(ps, v, add_irq);
	case KEY_IOPORT:
		return each_word(ps, v, add_ioport);
	case KEY_MMIO:
		return each_word(ps, v, add_mmio);
	case KEY_QUOTA:
		return set_quota(ps, v);
	case KEY_AFTER:
		return each_word(ps, v, add_after);
	case KEY_RESTART:
		return set_restart(ps, v);
	case KEY_ARCH:
		return set_arch(ps, v);
	case KEY_SCHEME:
		return each_word(ps, v, add_scheme);
	case KEY_STDIO:
		return set_stdio(ps, v);
	case KEY_GRANT:
		return each_word(ps, v, add_grant);
	default:
		return set_backoff(ps, v);
	}
}

/* ---- sections and lines ---- */

/* Every scheme must be one of the service's own "serve" endpoints. */
static int check_schemes(struct parser *ps)
{
	const struct kosh_service *svc = ps->cur;
	for (uint32_t k = 0; k < svc->scheme_count; k++) {
		uint32_t e = 0;
		while (e < svc->endpoint_count &&
		       !(svc->endpoints[e].role == KOSH_SERVICE_SERVE &&
			 strcmp(svc->endpoints[e].name, svc->schemes[k]) == 0))
			e++;
		if (e == svc->endpoint_count)
			return fail(ps, ps->scheme_line[k],
				    "scheme '%s' is not an endpoint service '%s' serves",
				    svc->schemes[k], svc->name);
	}
	return 0;
}

/*
 * What init puts in the service's start page (docs/services.md); at most
 * KOSH_SERVICES_HANDLES_MAX. A grant is one handle, but firmware is "rootinfo"
 * and up to KOSH_SERVICES_FIRMWARE_MAX frames, and framebuffer is its frame
 * and "rootinfo" (one page for both grants, and for boot-info, which is that page
 * alone).
 */
static uint32_t start_handles(const struct kosh_service *svc)
{
	uint32_t n = 2 + svc->endpoint_count + svc->irq_count + svc->ioport_count + svc->mmio_count;
	n += svc->irq_count ? 1 : 0; /* irq-notify */
	n += (uint32_t)__builtin_popcount(svc->grants & ~KOSH_SERVICE_GRANT_BOOT_INFO);
	if (svc->grants & KOSH_SERVICE_GRANT_FIRMWARE)
		n += KOSH_SERVICES_FIRMWARE_MAX; /* the grant's own handle is "rootinfo" */
	else if (svc->grants & KOSH_SERVICE_GRANT_FRAMEBUFFER)
		n += 1; /* "rootinfo" besides fb<i> */
	else if (svc->grants & KOSH_SERVICE_GRANT_BOOT_INFO)
		n += 1; /* "rootinfo" */
	return n + (svc->stdio[0] ? 3 : 0);
}

/* Closes the current section: every service needs a binary. */
static int finish_service(struct parser *ps)
{
	struct kosh_service *svc = ps->cur;
	uint32_t n;
	if (!svc)
		return 0;
	if (svc->binary[0] == '\0')
		return fail(ps, svc->line, "service '%s' has no binary", svc->name);
	if (check_schemes(ps))
		return -1;
	if ((n = start_handles(svc)) > KOSH_SERVICES_HANDLES_MAX)
		return fail(ps, svc->line, "service '%s' needs %u start handles (at most %u)",
			    svc->name, n, KOSH_SERVICES_HANDLES_MAX);
	return 0;
}

static int start_service(struct parser *ps, struct kosh_span name)
{
	struct kosh_service *svc;
	int other;
	if (finish_service(ps) || check_name(ps, "service", name))
		return -1;
	for (other = 0; other < (int)ps->out->count; other++)
		if (kosh_span_is(name, ps->out->services[other].name))
			return fail(ps, ps->line, "duplicate service '%s' (first on line %u)",
				    ps->out->services[other].name, ps->out->services[other].line);
	if (ps->out->count == KOSH_SERVICES_MAX)
		return fail(ps, ps->line, "too many services (at most %u)", KOSH_SERVICES_MAX);
	svc = &ps->out->services[ps->out->count++];
	copy_span(svc->name, sizeof(svc->name), name);
	svc->restart = KOSH_SERVICE_RESTART_ALWAYS;
	svc->arches = KOSH_SERVICE_ARCH_ALL;
	svc->backoff_initial_ms = BACKOFF_INITIAL_MS;
	svc->backoff_max_ms = BACKOFF_MAX_MS;
	svc->line = ps->line;
	ps->cur = svc;
	ps->seen = 0;
	ps->arg_used = 0;
	return 0;
}

/* "[service NAME]", already trimmed and starting with '['. */
static int parse_header(struct parser *ps, struct kosh_span line)
{
	struct kosh_span inner = {line.p + 1, line.len - 1}, word;
	if (line.p[line.len - 1] != ']' || line.len < 2)
		return fail(ps, ps->line, "malformed section header (expected [service NAME])");
	inner.len--;
	if (!kosh_span_next_word(&inner, &word) || !kosh_span_is(word, "service") ||
	    kosh_span_trim(inner).len == 0)
		return fail(ps, ps->line, "unknown section '%s' (expected [service NAME])",
			    show(line).s);
	return start_service(ps, kosh_span_trim(inner));
}

static int find_key(struct kosh_span key, enum key *out)
{
	for (int k = 0; k < KEY_COUNT; k++) {
		if (kosh_span_is(key, key_names[k])) {
			*out = (enum key)k;
			return 0;
		}
	}
	return -1;
}

/* "key = value", already trimmed. */
static int parse_assignment(struct parser *ps, struct kosh_span line)
{
	struct kosh_span key = line, value;
	enum key k;
	size_t eq = 0;
	while (eq < line.len && line.p[eq] != '=')
		eq++;
	if (eq == line.len)
		return fail(ps, ps->line, "missing '=' (expected key = value)");
	key.len = eq;
	key = kosh_span_trim(key);
	value = kosh_span_trim((struct kosh_span){line.p + eq + 1, line.len - eq - 1});
	if (find_key(key, &k))
		return fail(ps, ps->line, "unknown key '%s'", show(key).s);
	if (!ps->cur)
		return fail(ps, ps->line, "key '%s' before any [service NAME]", key_names[k]);
	if ((ONCE_KEYS & (1u << k)) && (ps->seen & (1u << k)))
		return fail(ps, ps->line, "duplicate key '%s' in service '%s'", key_names[k],
			    ps->cur->name);
	if (value.len == 0)
		return fail(ps, ps->line, "key '%s' has no value", key_names[k]);
	ps->seen |= 1u << k;
	return apply(ps, k, value);
}

/* One line, without its CR LF; blank lines and '#' comments are skipped. */
static int parse_line(struct parser *ps, struct kosh_span line)
{
	line = kosh_span_trim(line);
	if (line.len == 0 || line.p[0] == '#')
		return 0;
	if (line.p[0] == '[')
		return parse_header(ps, line);
	return parse_assignment(ps, line);
}

/* 0 if line (with its CR, if any) is within limits and printable ASCII or tabs. */
static int check_line_bytes(struct parser *ps, struct kosh_span line)
{
	size_t len = line.len && line.p[line.len - 1] == '\r' ? line.len - 1 : line.len;
	if (len > KOSH_SERVICES_LINE_MAX)
		return fail(ps, ps->line, "line too long (at most %u characters)",
			    KOSH_SERVICES_LINE_MAX);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)line.p[i];
		if ((c < 0x20 && c != '\t') || c > 0x7e)
			return fail(ps, ps->line, "control or non-ASCII byte 0x%02x in column %u",
				    c, (unsigned)(i + 1));
	}
	return 0;
}

/* ---- dependencies ---- */

static int resolve_after(struct parser *ps)
{
	struct kosh_services *s = ps->out;
	for (uint32_t i = 0; i < s->count; i++) {
		struct kosh_service *svc = &s->services[i];
		for (uint32_t k = 0; k < svc->after_count; k++) {
			int dep = kosh_services_find(s, svc->after[k]);
			if (dep < 0)
				return fail(ps, ps->after_line[i][k],
					    "service '%s' depends on unknown service '%s'",
					    svc->name, svc->after[k]);
			svc->after_index[k] = (uint8_t)dep;
		}
	}
	return 0;
}

static int deps_placed(const struct kosh_service *svc, const uint8_t *placed)
{
	for (uint32_t k = 0; k < svc->after_count; k++)
		if (!placed[svc->after_index[k]])
			return 0;
	return 1;
}

uint32_t kosh_services_order(const struct kosh_services *svcs, uint8_t order[KOSH_SERVICES_MAX])
{
	uint8_t placed[KOSH_SERVICES_MAX] = {0};
	uint32_t n = 0, i = 0;
	/* Always the first ready service in file order: O(n^2) scans of n <= 32. */
	while (i < svcs->count) {
		if (!placed[i] && deps_placed(&svcs->services[i], placed)) {
			placed[i] = 1;
			order[n++] = (uint8_t)i;
			i = 0;
		} else {
			i++;
		}
	}
	return n;
}

/* Reports the cycle through the first unplaced service: "a -> b -> a". */
static int report_cycle(struct parser *ps, const uint8_t *order, uint32_t placed_count)
{
	const struct kosh_services *s = ps->out;
	uint8_t placed[KOSH_SERVICES_MAX] = {0}, path[KOSH_SERVICES_MAX + 1];
	int8_t step_of[KOSH_SERVICES_MAX];
	uint32_t steps = 0, v = 0;
	char *msg;
	size_t room;
	for (uint32_t i = 0; i < placed_count; i++)
		placed[order[i]] = 1;
	memset(step_of, -1, sizeof(step_of));
	while (placed[v])
		v++;
	/* An unplaced service has an unplaced dependency, so the walk must come back. */
	while (step_of[v] < 0) {
		const struct kosh_service *svc = &s->services[v];
		uint32_t k = 0;
		step_of[v] = (int8_t)steps;
		path[steps++] = (uint8_t)v;
		while (placed[svc->after_index[k]])
			k++;
		v = svc->after_index[k];
	}
	fail(ps, s->services[v].line, "a dependency cycle: %s", s->services[v].name);
	if (!ps->err)
		return -1;
	for (uint32_t i = (uint32_t)step_of[v] + 1; i <= steps; i++) {
		uint32_t next = i < steps ? path[i] : v;
		msg = ps->err->message + strlen(ps->err->message);
		room = sizeof(ps->err->message) - (size_t)(msg - ps->err->message);
		kosh_snprintf(msg, room, " -> %s", s->services[next].name);
	}
	return -1;
}

static int check_cycles(struct parser *ps)
{
	uint8_t order[KOSH_SERVICES_MAX];
	uint32_t n = kosh_services_order(ps->out, order);
	return n == ps->out->count ? 0 : report_cycle(ps, order, n);
}

/* ---- the entry points ---- */

int kosh_services_find(const struct kosh_services *svcs, const char *name)
{
	for (uint32_t i = 0; i < svcs->count; i++)
		if (strcmp(svcs->services[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int parse_text(struct parser *ps, const char *text, size_t len)
{
	size_t pos = 0;
	if (len > KOSH_SERVICES_FILE_MAX)
		return fail(ps, 0, "file too large (at most %u bytes)", KOSH_SERVICES_FILE_MAX);
	if (len >= 3 && (uint8_t)text[0] == 0xef && (uint8_t)text[1] == 0xbb &&
	    (uint8_t)text[2] == 0xbf)
		pos = 3; /* a UTF-8 byte-order mark */
	for (ps->line = 1; pos < len; ps->line++) {
		struct kosh_span line = kosh_span_next_line(text, len, &pos);
		if (check_line_bytes(ps, line))
			return -1;
		if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		if (parse_line(ps, line))
			return -1;
	}
	if (finish_service(ps) || resolve_after(ps))
		return -1;
	return check_cycles(ps);
}

int kosh_services_parse(const char *text, size_t len, struct kosh_services *out,
			struct kosh_services_error *err)
{
	struct parser ps = {.out = out, .err = err};
	memset(out, 0, sizeof(*out));
	if (err) {
		err->line = 0;
		err->message[0] = '\0';
	}
	if (parse_text(&ps, text, len) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	return -1;
}
