/* SPDX-License-Identifier: MIT */
/*
 * Parser for kosh.cfg (see <kosh/cfg.h>).
 *
 * The text is untrusted and not NUL-terminated: it is only read inside
 * [text, text + len), line by line. Every byte of every line, comments included,
 * must be printable ASCII or a tab, with a CR allowed only just before the end of
 * a line. The parse runs on a copy of the configuration, which replaces the
 * caller's only when the whole file was accepted, so an error never leaves a
 * half-applied configuration behind. Every stored value is NUL-terminated.
 */
#include <kosh/cfg.h>
#include <kosh/span.h>
#include <kosh/string.h>

#define CFG_VIDEO_MAX 16384u

enum cfg_key {
	CFG_KERNEL,
	CFG_INITFS,
	CFG_CMDLINE,
	CFG_VIDEO,
	CFG_KEY_COUNT
};

/* A piece of the text: not NUL-terminated. */
struct parser {
	struct kosh_cfg cfg;
	int seen[CFG_KEY_COUNT];
};

static const char *const cfg_key_names[CFG_KEY_COUNT] = {
	[CFG_KERNEL] = "kernel",
	[CFG_INITFS] = "initfs",
	[CFG_CMDLINE] = "cmdline",
	[CFG_VIDEO] = "video",
};

static void copy_string(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void kosh_cfg_defaults(struct kosh_cfg *cfg, const char *kernel_name)
{
	memset(cfg, 0, sizeof(*cfg));
	if (kernel_name)
		copy_string(cfg->kernel, sizeof(cfg->kernel), kernel_name, strlen(kernel_name));
	copy_string(cfg->initfs, sizeof(cfg->initfs), "initfs.tar", 10);
}

static int is_printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* 0 if every byte is printable or a tab, and a CR (if any) is the last byte. */
static int check_line_bytes(struct kosh_span line)
{
	for (size_t i = 0; i < line.len; i++) {
		char c = line.p[i];
		if (c == '\r' && i == line.len - 1)
			continue;
		if (!is_printable(c) && c != '\t')
			return -1;
	}
	return 0;
}

static int check_path(struct kosh_span v, const char **msg)
{
	if (v.len >= KOSH_CFG_PATH_MAX) {
		*msg = "value too long";
		return -1;
	}
	if (v.p[0] == '/' || v.p[0] == '\\') {
		*msg = "path must be relative to the loader's directory";
		return -1;
	}
	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];
		if (!is_printable(c) || c == '"' || c == '*' || c == ':' || c == '<' || c == '>' ||
		    c == '?' || c == '|') {
			*msg = "bad character in path";
			return -1;
		}
	}
	return 0;
}

static int check_cmdline(struct kosh_span v, const char **msg)
{
	if (v.len >= KOSH_CMDLINE_MAX) {
		*msg = "value too long";
		return -1;
	}
	for (size_t i = 0; i < v.len; i++) {
		if (!is_printable(v.p[i])) {
			*msg = "bad character in cmdline";
			return -1;
		}
	}
	return 0;
}

/* Parses 1..CFG_VIDEO_MAX in decimal from *s onwards; advances *s past the digits. */
static int parse_dimension(struct kosh_span *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t n = 0;
	while (n < s->len && s->p[n] >= '0' && s->p[n] <= '9') {
		v = v * 10 + (uint32_t)(s->p[n] - '0');
		if (v > CFG_VIDEO_MAX)
			return -1;
		n++;
	}
	if (n == 0 || v == 0)
		return -1;
	s->p += n;
	s->len -= n;
	*out = v;
	return 0;
}

static int parse_video(struct kosh_span v, struct kosh_cfg *cfg, const char **msg)
{
	uint32_t w, h;
	*msg = "bad video mode (expected WxH, e.g. 1280x720, each 1..16384)";
	if (parse_dimension(&v, &w) || v.len == 0 || (v.p[0] != 'x' && v.p[0] != 'X'))
		return -1;
	v.p++; /* past the 'x' */
	v.len--;
	if (parse_dimension(&v, &h) || v.len != 0)
		return -1;
	cfg->video_width = w;
	cfg->video_height = h;
	return 0;
}

static int apply_value(enum cfg_key key, struct kosh_span v, struct kosh_cfg *cfg, const char **msg)
{
	switch (key) {
	case CFG_KERNEL:
		if (check_path(v, msg))
			return -1;
		copy_string(cfg->kernel, sizeof(cfg->kernel), v.p, v.len);
		return 0;
	case CFG_INITFS:
		if (check_path(v, msg))
			return -1;
		copy_string(cfg->initfs, sizeof(cfg->initfs), v.p, v.len);
		return 0;
	case CFG_CMDLINE:
		if (check_cmdline(v, msg))
			return -1;
		copy_string(cfg->cmdline, sizeof(cfg->cmdline), v.p, v.len);
		return 0;
	default:
		return parse_video(v, cfg, msg);
	}
}

static int find_key(struct kosh_span key, enum cfg_key *out)
{
	for (int k = 0; k < CFG_KEY_COUNT; k++) {
		if (kosh_span_is(key, cfg_key_names[k])) {
			*out = (enum cfg_key)k;
			return 0;
		}
	}
	return -1;
}

/* Splits "key = value" at the first '='; both sides come back trimmed. */
static int split_line(struct kosh_span line, struct kosh_span *key, struct kosh_span *value)
{
	const char *eq = NULL;
	for (size_t i = 0; i < line.len && !eq; i++) {
		if (line.p[i] == '=')
			eq = line.p + i;
	}
	if (!eq)
		return -1;
	*key = kosh_span_trim((struct kosh_span){ line.p, (size_t)(eq - line.p) });
	*value = kosh_span_trim((struct kosh_span){ eq + 1, line.len - (size_t)(eq - line.p) - 1 });
	return 0;
}

/* Handles one line, CR and LF removed; returns an error message or NULL. */
static const char *parse_line(struct parser *ps, struct kosh_span line)
{
	struct kosh_span key, value;
	enum cfg_key k;
	const char *msg = NULL;
	line = kosh_span_trim(line);
	if (line.len == 0 || line.p[0] == '#')
		return NULL;
	if (split_line(line, &key, &value))
		return "missing '=' (expected key = value)";
	if (key.len == 0)
		return "empty key";
	if (find_key(key, &k))
		return "unknown key (known keys: kernel, initfs, cmdline, video)";
	if (ps->seen[k])
		return "duplicate key";
	if (value.len == 0)
		return "empty value";
	if (apply_value(k, value, &ps->cfg, &msg))
		return msg;
	ps->seen[k] = 1;
	return NULL;
}

static void set_error(struct kosh_cfg_error *err, uint32_t line, const char *message)
{
	if (err) {
		err->line = line;
		err->message = message;
	}
}

static int skip_bom(const char *text, uint64_t len)
{
	return len >= 3 && (uint8_t)text[0] == 0xef && (uint8_t)text[1] == 0xbb &&
	       (uint8_t)text[2] == 0xbf;
}

int kosh_cfg_parse(const char *text, uint64_t len, struct kosh_cfg *cfg,
		   struct kosh_cfg_error *err)
{
	struct parser ps = { .cfg = *cfg };
	size_t pos = skip_bom(text, len) ? 3 : 0;
	if (len > KOSH_CFG_FILE_MAX) {
		set_error(err, 0, "file too large");
		return -1;
	}
	for (uint32_t n = 1; pos < len; n++) {
		struct kosh_span line = kosh_span_next_line(text, len, &pos);
		const char *msg = NULL;
		if (check_line_bytes(line))
			msg = "bad character (control or non-ASCII byte)";
		else if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		if (!msg)
			msg = parse_line(&ps, line);
		if (msg) {
			set_error(err, n, msg);
			return -1;
		}
	}
	*cfg = ps.cfg;
	return 0;
}
