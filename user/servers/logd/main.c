/* SPDX-License-Identifier: MIT */
/*
 * logd: serves log:// (docs/system.md, "logd and procd") with the fileserver
 * library. The scheme has one file, its root ("log://", "log:///"):
 *
 *  - reading gives every kernel log record still in the ring, oldest first, as
 *    text lines "[   12.345678] text" (seconds and microseconds of the
 *    monotonic clock), then end of file. Servers log through the kernel log
 *    too, so this is every server's lines as well. Records overwritten while
 *    a reader is slow are skipped (log_read goes on from the oldest kept);
 *  - writing appends each line written (split at '\n', cut at 240 bytes) to
 *    the kernel log, as "logd: text", so `echo hi > log://` works.
 *
 * Start handles: "log", the endpoint (read and duplicate rights), and
 * "klog-read", the kernel log with the read right; lines are written through
 * the runtime's own "klog". Without "klog-read" reading gives an empty file.
 * Each open file streams on its own: it keeps the next sequence number and the
 * rest of a line a short READ did not take.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fileserver.h>
#include <kosh/fmt.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define LINE_MAX (KOSH_LOG_TEXT_MAX + 32) /* "[seconds.micros] " + text + '\n' */

/* A reader's place in the log. */
struct reader {
	int used;
	uint64_t seq;	   /* the next record to read */
	uint32_t len, off; /* line[off .. len) is still to be given */
	char line[LINE_MAX];
};

static struct reader readers[KOSH_FSRV_FILES_MAX];
static kosh_handle_t klog_read; /* 0: not given */
#define ROOT_INO 1 /* the one file */

static struct reader *reader_new(void)
{
	for (size_t i = 0; i < KOSH_FSRV_FILES_MAX; i++) {
		if (!readers[i].used) {
			memset(&readers[i], 0, sizeof(readers[i]));
			readers[i].used = 1;
			return &readers[i];
		}
	}
	return NULL;
}

/* The next record from r->seq as a text line into r->line; 0 when there is none (yet). */
static int next_line(struct reader *r)
{
	struct kosh_log_record rec;
	uint64_t a[KOSH_SYSCALL_ARGS_MAX] = {klog_read, r->seq, (uint64_t)(uintptr_t)&rec,
					     sizeof(rec)};

	if (!klog_read || kosh_syscall(KOSH_SYS_log_read, a) < 0)
		return 0;
	r->seq = a[1];
	if (rec.len >= KOSH_LOG_TEXT_MAX)
		rec.len = KOSH_LOG_TEXT_MAX - 1;
	rec.text[rec.len] = 0;
	uint64_t us = rec.time_ns / 1000;
	int n = kosh_snprintf(r->line, sizeof(r->line), "[%5llu.%06llu] %s\n",
			      (unsigned long long)(us / 1000000),
			      (unsigned long long)(us % 1000000), rec.text);
	r->len = n < 0 ? 0 : (uint32_t)n < sizeof(r->line) ? (uint32_t)n : sizeof(r->line) - 1;
	if (r->len && r->line[r->len - 1] != '\n')
		r->line[r->len - 1] = '\n'; /* cut: still one line */
	r->off = 0;
	return 1;
}

static uint32_t logd_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			  struct kosh_fsrv_file *f)
{
	if (len != 1 || path[0] != '/')
		return KOSH_VFS_ENOENT;
	if (flags & KOSH_VFS_O_DIRECTORY)
		return KOSH_VFS_ENOTDIR;
	if ((flags & KOSH_VFS_O_CREATE) && (flags & KOSH_VFS_O_EXCL))
		return KOSH_VFS_EEXIST;
	struct reader *r = reader_new();
	if (!r)
		return KOSH_VFS_ENFILE;
	f->node = r;
	f->type = KOSH_VFS_FILE;
	f->seekable = 0;
	return 0;
}

static void fill_stat(struct kosh_vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->type = KOSH_VFS_FILE;
	st->mode = 0644;
	st->ino = ROOT_INO;
	st->nlink = 1;
	st->blksize = KOSH_VFS_IO_MAX;
}

static uint32_t logd_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			   struct kosh_vfs_stat *st)
{
	if (len != 1 || path[0] != '/')
		return KOSH_VFS_ENOENT;
	fill_stat(st);
	return 0;
}

static uint32_t logd_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	fill_stat(st);
	return 0;
}

static uint32_t logd_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			  uint32_t want, uint32_t *got)
{
	struct reader *r = f->node;
	char *out = buf;
	uint32_t n = 0;

	while (n < want) {
		if (r->off == r->len && !next_line(r))
			break; /* the newest record was given: end of file for now */
		uint32_t k = r->len - r->off < want - n ? r->len - r->off : want - n;
		memcpy(out + n, r->line + r->off, k);
		r->off += k;
		n += k;
	}
	*got = n;
	return 0;
}

/* Each line of buf becomes a kernel log line; an empty line is skipped. */
static uint32_t logd_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			   const void *buf, uint32_t len, uint32_t *taken)
{
	const char *p = buf, *end = p + len;

	while (p < end) {
		const char *nl = p;
		while (nl < end && *nl != '\n')
			nl++;
		size_t n = (size_t)(nl - p);
		for (size_t at = 0; at < n; at += KOSH_LOG_LINE_MAX) {
			size_t k = n - at < KOSH_LOG_LINE_MAX ? n - at : KOSH_LOG_LINE_MAX;
			int64_t e =
			    kosh_log_write(kosh_self()->log, (uint64_t)(uintptr_t)(p + at), k);
			if (e < 0)
				return KOSH_VFS_EIO;
		}
		p = nl < end ? nl + 1 : end;
	}
	*taken = len;
	return 0;
}

static void logd_close(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct reader *r = f->node;
	if (r)
		r->used = 0;
}

/* A DUP'd file reads on from where the original is, on its own from then on. */
static uint32_t logd_dup(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct reader *from = f->node, *r = reader_new();
	if (!r)
		return KOSH_VFS_ENFILE;
	memcpy(r, from, sizeof(*r));
	f->node = r;
	return 0;
}

static const struct kosh_fsrv_ops logd_ops = {
    .open = logd_open,
    .statp = logd_statp,
    .read = logd_read,
    .write = logd_write,
    .stat = logd_stat,
    .close = logd_close,
    .dup = logd_dup,
};

int main(int argc, char **argv)
{
	struct kosh_fsrv *srv;
	kosh_handle_t ep = kosh_start_handle("log", NULL);

	if (!ep) {
		kosh_printf("no \"log\" endpoint given");
		return 1;
	}
	klog_read = kosh_start_handle("klog-read", NULL);
	if (!klog_read)
		kosh_printf("no \"klog-read\" handle: log:// reads as empty");
	struct kosh_fsrv_config cfg = {
	    .name = "logd",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &logd_ops,
	};
	kosh_err_t err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK) {
		kosh_printf("cannot serve: %s", kosh_strerror(err));
		return 1;
	}
	kosh_printf("serving log://");
	return kosh_fsrv_run(srv) == KOSH_OK ? 0 : 1;
}
