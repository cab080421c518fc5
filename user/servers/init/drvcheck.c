/* SPDX-License-Identifier: MIT */
/*
 * The checks of a driver registration (see drvcheck.h). A spec comes from
 * another process (devmgr): every string must end inside its array, and every
 * value must be one etc/services could have said, so that a driver is
 * supervised exactly as a service is.
 */
#include "drvcheck.h"

#include <kosh/abi.h>
#include <kosh/proto/vfs.h>
#include <kosh/string.h>

#define BACKOFF_INITIAL_MS 100u /* as services.c's defaults */
#define BACKOFF_MAX_MS	   10000u

/* Names init gives a driver's handles under itself (docs/devices.md, "drvreg"). */
static const char *const own_names[] = {"process", "space", "thread", "klog",	"quota",
					"vfs",	   "serve", "stdin",  "stdout", "stderr"};

/* src (terminated, checked) into dst of size bytes: strlcpy, which host libcs may lack. */
static void copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* 1 if s[0 .. size) holds a NUL. */
static int terminated(const char *s, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		if (s[i] == '\0')
			return 1;
	return 0;
}

/* 1 if s is 1 .. max - 1 characters of a-z, 0-9 and '-' (not first), NUL-terminated. */
static int is_name(const char *s, uint32_t max)
{
	uint32_t i = 0;
	for (; i < max && s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] == '-' && i > 0)))
			return 0;
	return i > 0 && i < max;
}

static int is_scheme(const char *s)
{
	uint32_t i = 0;
	for (; i < KOSH_DRV_SCHEME_MAX && s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i > 0 && i < KOSH_DRV_SCHEME_MAX;
}

static int is_binary(const char *b)
{
	size_t len, skip;
	if (!terminated(b, KOSH_DRV_PATH_MAX))
		return 0;
	len = strlen(b);
	skip = strncmp(b, "initfs://", 9) == 0 ? 9 : strncmp(b, "fs://", 5) == 0 ? 5 : 0;
	if (!skip || len < skip + 2 || b[skip] != '/' || b[len - 1] == '/')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (b[i] <= ' ' || b[i] > '~' || b[i] == '"')
			return 0;
	return 1;
}

/* The arguments: arg_count printable strings, each ended by a NUL, in the array. */
static uint32_t take_args(const struct kosh_drv_spec *spec, struct kosh_service *out)
{
	uint32_t pos = 0;
	if (spec->arg_count > KOSH_DRV_ARGS_MAX)
		return KOSH_DRV_E_ARGS;
	for (uint32_t k = 0; k < spec->arg_count; k++) {
		uint32_t start = pos;
		while (pos < KOSH_DRV_ARGS_BYTES && spec->args[pos]) {
			if (spec->args[pos] < ' ' || spec->args[pos] > '~')
				return KOSH_DRV_E_ARGS;
			pos++;
		}
		if (pos == KOSH_DRV_ARGS_BYTES)
			return KOSH_DRV_E_ARGS; /* no terminator */
		out->arg_offset[k] = (uint16_t)start;
		pos++;
	}
	_Static_assert(KOSH_DRV_ARGS_BYTES == KOSH_SERVICES_ARGS_BYTES, "the same argument room");
	memcpy(out->arg_text, spec->args, pos);
	out->arg_count = spec->arg_count;
	return 0;
}

static uint32_t take_restart(const struct kosh_drv_spec *spec, struct kosh_service *out)
{
	uint32_t initial = spec->backoff_initial_ms, max = spec->backoff_max_ms;
	if (spec->restart > KOSH_SERVICE_RESTART_NEVER)
		return KOSH_DRV_E_RESTART;
	if (initial == 0 && max == 0) {
		initial = BACKOFF_INITIAL_MS;
		max = BACKOFF_MAX_MS;
	}
	if (initial == 0 || max < initial || max > KOSH_SERVICES_BACKOFF_MAX_MS)
		return KOSH_DRV_E_RESTART;
	out->restart = (enum kosh_service_restart)spec->restart;
	out->backoff_initial_ms = initial;
	out->backoff_max_ms = max;
	return 0;
}

static uint32_t take_endpoint(const struct kosh_drv_spec *spec, struct kosh_service *out)
{
	if (!terminated(spec->endpoint, KOSH_DRV_HNAME_MAX))
		return KOSH_DRV_E_ENDPOINT;
	if (spec->endpoint[0] == '\0')
		return 0;
	if (!is_name(spec->endpoint, KOSH_DRV_HNAME_MAX) ||
	    kosh_services_reserved_name(spec->endpoint, strlen(spec->endpoint)) ||
	    strcmp(spec->endpoint, "initfs") == 0 || strcmp(spec->endpoint, "svc") == 0 ||
	    strcmp(spec->endpoint, KOSH_DRV_ENDPOINT) == 0)
		return KOSH_DRV_E_ENDPOINT;
	copy(out->endpoints[0].name, spec->endpoint, sizeof(out->endpoints[0].name));
	out->endpoints[0].role = KOSH_SERVICE_SERVE;
	out->endpoint_count = 1;
	return 0;
}

uint32_t init_drv_spec(const struct kosh_drv_spec *spec, struct kosh_service *out)
{
	uint32_t err;
	memset(out, 0, sizeof(*out));
	if (!terminated(spec->name, KOSH_DRV_NAME_MAX) || !is_name(spec->name, KOSH_DRV_NAME_MAX))
		return KOSH_DRV_E_NAME;
	if (!is_binary(spec->binary))
		return KOSH_DRV_E_BINARY;
	if ((err = take_args(spec, out)) || (err = take_restart(spec, out)))
		return err;
	if (spec->quota == 0 || spec->quota % KOSH_SERVICES_PAGE_SIZE ||
	    spec->quota > KOSH_SERVICES_QUOTA_MAX)
		return KOSH_DRV_E_QUOTA;
	if (!terminated(spec->scheme, KOSH_DRV_SCHEME_MAX) ||
	    (spec->scheme[0] && !is_scheme(spec->scheme)))
		return KOSH_DRV_E_SCHEME;
	if ((err = take_endpoint(spec, out)))
		return err;
	copy(out->name, spec->name, sizeof(out->name));
	copy(out->binary, spec->binary, sizeof(out->binary));
	if (spec->scheme[0]) {
		copy(out->schemes[0], spec->scheme, sizeof(out->schemes[0]));
		out->scheme_count = 1;
	}
	out->quota = spec->quota;
	out->arches = KOSH_SERVICE_ARCH_ALL;
	return 0;
}

uint32_t init_drv_handle_name(const char *name, const char (*given)[KOSH_DRV_HNAME_MAX],
			      uint32_t count)
{
	if (!terminated(name, KOSH_DRV_HNAME_MAX) || !is_name(name, KOSH_DRV_HNAME_MAX))
		return KOSH_DRV_E_HANDLE_NAME;
	for (size_t i = 0; i < sizeof(own_names) / sizeof(own_names[0]); i++)
		if (strcmp(name, own_names[i]) == 0)
			return KOSH_DRV_E_HANDLE_NAME;
	for (uint32_t i = 0; i < count; i++)
		if (strcmp(name, given[i]) == 0)
			return KOSH_DRV_E_HANDLE_TWICE;
	return count >= KOSH_DRV_HANDLES_MAX ? KOSH_DRV_E_TOO_MANY : 0;
}

/* 1 if s serves the endpoint called name. */
static int serves(const struct kosh_service *s, const char *name)
{
	for (uint32_t k = 0; k < s->endpoint_count; k++)
		if (s->endpoints[k].role == KOSH_SERVICE_SERVE &&
		    strcmp(s->endpoints[k].name, name) == 0)
			return 1;
	return 0;
}

uint32_t init_drv_conflict(const struct kosh_service *const *all, uint32_t n,
			   const struct kosh_service *d)
{
	if (d->scheme_count &&
	    (strcmp(d->schemes[0], "initfs") == 0 || strcmp(d->schemes[0], "svc") == 0))
		return KOSH_DRV_E_SCHEME_TAKEN;
	for (uint32_t i = 0; i < n; i++) {
		const struct kosh_service *s = all[i];
		if (strcmp(s->name, d->name) == 0)
			return KOSH_DRV_E_EXISTS;
		for (uint32_t k = 0; k < s->scheme_count && d->scheme_count; k++)
			if (strcmp(s->schemes[k], d->schemes[0]) == 0)
				return KOSH_DRV_E_SCHEME_TAKEN;
		if (d->endpoint_count && serves(s, d->endpoints[0].name))
			return KOSH_DRV_E_ENDPOINT_TAKEN;
	}
	return 0;
}

uint32_t init_drv_uri(const char *uri)
{
	char scheme[KOSH_VFS_SCHEME_MAX + 1], path[KOSH_DRV_URI_MAX];
	uint32_t len, i = 0;
	if (!terminated(uri, KOSH_DRV_URI_MAX))
		return KOSH_DRV_E_URI;
	len = (uint32_t)strlen(uri);
	while (i < len && ((uri[i] >= 'a' && uri[i] <= 'z') || (uri[i] >= '0' && uri[i] <= '9')))
		i++;
	if (i == 0 || i > KOSH_VFS_SCHEME_MAX || i >= KOSH_DRV_SCHEME_MAX ||
	    strncmp(uri + i, ":///", 4) != 0)
		return KOSH_DRV_E_URI;
	if (kosh_vfs_uri_split(uri, len, scheme, path, sizeof(path)) ||
	    strcmp(path, uri + i + 3) != 0)
		return KOSH_DRV_E_URI;
	return 0;
}

uint32_t init_drv_index(uint64_t w0, uint32_t first, uint32_t count, const uint8_t *driver)
{
	if (w0 < first || w0 >= count || !driver[w0 - first])
		return UINT32_MAX;
	return (uint32_t)w0;
}

int init_drv_unmount_forgets(uint32_t err)
{
	return err == 0 || err == KOSH_VFS_ENOENT || err == KOSH_VFS_EIO;
}

int init_drv_shaped(uint64_t tag, uint32_t bytes, uint32_t caps)
{
	uint32_t words = KOSH_MSG_WORDS(tag);
	if (KOSH_MSG_CAPS(tag) != caps)
		return 0;
	return bytes ? words == KOSH_MSG_WORDS_REG + (bytes + 7) / 8 : words <= KOSH_MSG_WORDS_REG;
}

uint32_t init_drv_target(uint32_t op, uint64_t tag, uint64_t w0, const char *data, uint32_t first,
			 uint32_t count, const uint8_t *slot, uint32_t *index)
{
	uint32_t i, err;
	if (!init_drv_shaped(tag, op == KOSH_DRV_MOUNT ? KOSH_DRV_URI_MAX : 0, 0))
		return KOSH_DRV_E_PROTO;
	if ((i = init_drv_index(w0, first, count, slot)) == UINT32_MAX)
		return KOSH_DRV_E_INDEX;
	if (op == KOSH_DRV_MOUNT) {
		if ((err = init_drv_uri(data)))
			return err;
		if (slot[i - first] == INIT_DRV_MOUNTED)
			return KOSH_DRV_E_MOUNTED;
	}
	if (op == KOSH_DRV_UNMOUNT && slot[i - first] != INIT_DRV_MOUNTED)
		return KOSH_DRV_E_NOT_MOUNTED;
	*index = i;
	return 0;
}
