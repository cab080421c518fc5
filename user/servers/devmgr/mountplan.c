/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of devmgr's mounting (see mountplan.h): the boot plan from
 * the disks' partition tables, and the check of a request on "mount", which
 * comes from any shell and is checked field by field before anything is done.
 */
#include "mountplan.h"

#include <kosh/fmt.h>
#include <kosh/proto/mount.h>
#include <kosh/proto/vfs.h>
#include <kosh/string.h>

#define SOURCE_PREFIX "dev:///"

int devmgr_part_name(const char *disk, uint32_t index, char *out, size_t size)
{
	size_t len = strlen(disk);
	int digit = len && disk[len - 1] >= '0' && disk[len - 1] <= '9';
	int n = kosh_snprintf(out, size, "%s%s%u", disk, digit ? "p" : "", index);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int add(struct devmgr_candidate *out, uint32_t *n, uint32_t max, const char *name, int esp)
{
	if (*n == max || strlen(name) >= sizeof(out[0].name))
		return 0;
	memcpy(out[*n].name, name,
	       strlen(name) + 1); /* fits: checked above (and no strlcpy on hosts) */
	out[*n].esp = esp;
	(*n)++;
	return 1;
}

uint32_t devmgr_candidates(const char *disk, uint32_t err, const struct kosh_part_table *table,
			   struct devmgr_candidate *out, uint32_t *n, uint32_t max)
{
	char name[KOSH_DEV_NAME_MAX];
	uint32_t added = 0;
	/*
	 * No table, or an MBR that lists nothing (a FAT boot sector ends in
	 * 0x55AA too, and reads as an empty MBR): the whole disk, for fatfsd to
	 * judge.
	 */
	if (err == KOSH_PART_E_NO_TABLE ||
	    (err == KOSH_PART_OK && table->scheme == KOSH_PART_SCHEME_MBR && table->count == 0))
		return (uint32_t)add(out, n, max, disk, 0);
	if (err != KOSH_PART_OK)
		return 0;
	for (uint32_t i = 0; i < table->count && i < KOSH_PART_MAX; i++) {
		const struct kosh_part *p = &table->part[i];
		if (devmgr_part_name(disk, p->index, name, sizeof(name)) == 0)
			added +=
			    (uint32_t)add(out, n, max, name, (p->flags & KOSH_PART_F_ESP) != 0);
	}
	return added;
}

uint32_t devmgr_plan(const struct devmgr_candidate *c, uint32_t n, uint32_t *root, int *esp)
{
	uint32_t roots = 0;
	*esp = -1;
	for (uint32_t i = 0; i < n; i++) {
		if (!c[i].esp)
			root[roots++] = i;
		else if (*esp < 0)
			*esp = (int)i;
	}
	return roots;
}

int devmgr_is_block_driver(const char *entry_name)
{
	return strcmp(entry_name, "virtio-blk") == 0;
}

/* "dev:///<name>" of len bytes: the name into device (a-z, 0-9, as devmgr names devices). */
static uint32_t take_source(const char *s, uint32_t len, char *device)
{
	uint32_t prefix = sizeof(SOURCE_PREFIX) - 1, n = len - prefix;
	if (len <= prefix || memcmp(s, SOURCE_PREFIX, prefix) != 0 || n >= KOSH_DEV_NAME_MAX)
		return KOSH_VFS_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		char c = s[prefix + i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return KOSH_VFS_EINVAL;
	}
	memcpy(device, s + prefix, n);
	device[n] = '\0';
	return 0;
}

/* The target, normalised to "scheme://" and its path. */
static uint32_t take_target(const char *s, uint32_t len, char *target)
{
	char scheme[KOSH_VFS_SCHEME_MAX + 1], path[KOSH_VFS_PATH_MAX + 1];
	uint32_t err = kosh_vfs_uri_split(s, len, scheme, path, sizeof(path));
	int n;
	if (err)
		return err == KOSH_VFS_ENAMETOOLONG ? err : KOSH_VFS_EINVAL;
	n = kosh_snprintf(target, KOSH_DRV_URI_MAX, "%s://%s", scheme, path);
	return n < 0 || n >= KOSH_DRV_URI_MAX ? KOSH_VFS_ENAMETOOLONG : 0;
}

uint32_t devmgr_mount_decode(uint64_t tag, const uint64_t words[4], const void *data,
			     struct devmgr_mount_req *req)
{
	uint32_t label = KOSH_MSG_LABEL(tag), count = KOSH_MSG_WORDS(tag);
	uint64_t bytes = count > 4 ? (uint64_t)(count - 4) * 8 : 0, a, b;
	const char *text = data;
	uint32_t err;
	memset(req, 0, sizeof(*req));
	if (KOSH_MSG_CAPS(tag) || (label != KOSH_MOUNT_MOUNT && label != KOSH_MOUNT_UNMOUNT))
		return KOSH_VFS_EPROTO;
	req->op = label;
	if (label == KOSH_MOUNT_UNMOUNT) {
		a = words[1];
		if (a == 0 || a > bytes)
			return KOSH_VFS_EPROTO;
		return take_target(text, (uint32_t)a, req->target);
	}
	a = words[1];
	b = words[2];
	if (a == 0 || b == 0 || a > bytes || b > bytes - a)
		return KOSH_VFS_EPROTO;
	if (words[0] & ~(uint64_t)KOSH_MOUNT_ALL)
		return KOSH_VFS_EINVAL;
	req->flags = (uint32_t)words[0];
	if ((err = take_source(text, (uint32_t)a, req->device)))
		return err;
	return take_target(text + a, (uint32_t)b, req->target);
}
