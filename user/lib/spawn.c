/* SPDX-License-Identifier: MIT */
/*
 * Starting a program from an ELF image in memory (<kosh/spawn.h>).
 *
 * The image is validated by shared/lib/elf.c before anything is made. Each
 * PT_LOAD segment gets its own frame, filled through a temporary mapping in our
 * own space (file bytes, the rest zero) and mapped into the child with the
 * segment's rights, never writable and executable at once. The stack, the IPC
 * buffer and the start page follow (<kosh/start.h>: arguments, environment and
 * a copy of the program headers, so the C library finds PT_TLS), then the
 * process and its thread. The child's table receives the caller's handles, the frames (moved,
 * so they live exactly as long as the child) and copies of its own process,
 * space and thread handles; the start page lists them by name. Only then does
 * the thread start. Every failure undoes all of it (spawn_undo).
 */
#include <stddef.h>

#include <kosh/elf.h>
#include <kosh/file.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/start.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/user.h>

#define SPAWN_FRAMES_MAX  (KOSH_ELF_MAX_SEGMENTS + 3) /* segments, stack, IPC buffer, start page */
#define SPAWN_STACK_MAX   (64ull << 20)
#define SPAWN_TLS_MAX     (1u << 20) /* a program's thread-local data, at most */

/* ELF64 header and program header fields (shared/lib/elf.c checked the table's place and size). */
#define ELF_PHOFF      32
#define ELF_PHENTSIZE  54
#define ELF_PHNUM      56
#define ELF_PT_LOAD    1
#define ELF_PT_TLS     7

struct spawn_state {
	const struct kosh_spawn *s;
	struct kosh_elf_image image;
	kosh_handle_t space, process, thread;
	kosh_handle_t frames[SPAWN_FRAMES_MAX]; /* 0 once moved to the child */
	uint32_t frame_count;
	kosh_handle_t start_frame;              /* also in frames[] */
	struct kosh_start *page;                /* the start page, mapped in our space */
	uint32_t caller_done;                   /* caller's handles given so far */
};

static uint32_t map_rights(uint32_t pf)
{
	return (pf & KOSH_ELF_PF_R ? KOSH_RIGHT_READ : 0) |
	       (pf & KOSH_ELF_PF_W ? KOSH_RIGHT_WRITE : 0) |
	       (pf & KOSH_ELF_PF_X ? KOSH_RIGHT_EXECUTE : 0);
}

static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

/* Room the argument and environment strings take in the start page. */
static uint64_t strings_size(const struct kosh_spawn *s)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < s->argc; i++)
		n += bounded_len(s->argv[i], KOSH_START_SIZE) + 1;
	for (uint32_t i = 0; i < s->envc; i++)
		n += bounded_len(s->envp[i], KOSH_START_SIZE) + 1;
	return n;
}

static kosh_err_t check_request(const struct kosh_spawn *s)
{
	if (!s->name || !s->image || !s->quota || s->argc > KOSH_START_ARGS_MAX ||
	    (s->argc && !s->argv) || s->envc > KOSH_START_ENV_MAX || (s->envc && !s->envp) ||
	    s->handle_count > KOSH_SPAWN_HANDLES_MAX ||
	    (s->handle_count && !s->handles) || s->stack_size > SPAWN_STACK_MAX)
		return KOSH_E_INVALID_ARGUMENT;
	for (uint32_t i = 0; i < s->handle_count; i++) {
		const char *name = s->handles[i].name;
		size_t n = name ? bounded_len(name, KOSH_START_NAME_MAX) : 0;
		if (n == 0 || n >= KOSH_START_NAME_MAX)
			return KOSH_E_INVALID_ARGUMENT;
	}
	for (uint32_t i = 0; i < s->argc; i++)
		if (!s->argv[i])
			return KOSH_E_INVALID_ARGUMENT;
	for (uint32_t i = 0; i < s->envc; i++)
		if (!s->envp[i])
			return KOSH_E_INVALID_ARGUMENT;
	if (strings_size(s) > KOSH_START_SIZE - sizeof(struct kosh_start) -
				      KOSH_START_PHDRS_MAX * KOSH_START_PHDR_SIZE)
		return KOSH_E_TOO_BIG;
	return KOSH_OK;
}

static uint64_t read_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The program header table of a validated image, or NULL if it is not copied. */
static const uint8_t *phdr_table(const struct kosh_spawn *s, uint32_t *count)
{
	const uint8_t *ehdr = s->image;
	uint64_t off = read_le(ehdr + ELF_PHOFF, 8);
	*count = (uint32_t)read_le(ehdr + ELF_PHNUM, 2);
	if (read_le(ehdr + ELF_PHENTSIZE, 2) != KOSH_START_PHDR_SIZE ||
	    *count > KOSH_START_PHDRS_MAX)
		return NULL;
	return ehdr + off;
}

/*
 * A PT_TLS header is used by the child's C library as it stands: its
 * initialisation image must lie in a loaded segment's file bytes, and its size
 * and alignment must be sane, or the image is refused.
 */
static kosh_err_t check_tls(const struct kosh_spawn *s)
{
	uint32_t count;
	const uint8_t *ph = phdr_table(s, &count);
	for (uint32_t i = 0; ph && i < count; i++, ph += KOSH_START_PHDR_SIZE) {
		if (read_le(ph, 4) != ELF_PT_TLS)
			continue;
		uint64_t va = read_le(ph + 16, 8), filesz = read_le(ph + 32, 8);
		uint64_t memsz = read_le(ph + 40, 8), align = read_le(ph + 48, 8);
		if (filesz > memsz || memsz > SPAWN_TLS_MAX || align > KOSH_PAGE_SIZE ||
		    (align & (align - 1)))
			return KOSH_E_INVALID_ARGUMENT;
		int inside = filesz == 0;
		const uint8_t *lp = phdr_table(s, &count);
		for (uint32_t j = 0; j < count && !inside; j++, lp += KOSH_START_PHDR_SIZE) {
			uint64_t lva = read_le(lp + 16, 8), lfs = read_le(lp + 32, 8);
			inside = read_le(lp, 4) == ELF_PT_LOAD && va >= lva && va - lva <= lfs &&
				 filesz <= lfs - (va - lva);
		}
		if (!inside)
			return KOSH_E_INVALID_ARGUMENT;
	}
	return KOSH_OK;
}

/* A new frame for at least size bytes, remembered for undo or the move to the child. */
static kosh_err_t new_frame(struct spawn_state *st, uint64_t size, kosh_handle_t *out)
{
	if (st->frame_count == SPAWN_FRAMES_MAX)
		return KOSH_E_TOO_BIG;
	int64_t h = kosh_frame_new(st->s->quota, size);
	if (h < 0)
		return (kosh_err_t)h;
	st->frames[st->frame_count++] = (kosh_handle_t)h;
	*out = (kosh_handle_t)h;
	return KOSH_OK;
}

static kosh_err_t load_segment(struct spawn_state *st, const struct kosh_elf_segment *seg)
{
	uint64_t start = seg->vaddr & ~(uint64_t)(KOSH_PAGE_SIZE - 1);
	uint64_t len = kosh_page_round(seg->vaddr + seg->memsz) - start;
	uint64_t head = seg->vaddr - start;
	uint32_t rights = map_rights(seg->flags);
	kosh_handle_t frame;
	kosh_err_t err;
	if ((rights & KOSH_RIGHT_WRITE) && (rights & KOSH_RIGHT_EXECUTE))
		return KOSH_E_INVALID_ARGUMENT; /* W^X, before the kernel has to say so */
	if ((err = new_frame(st, len, &frame)))
		return err;
	uint8_t *tmp = kosh_frame_map(frame, 0, len, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!tmp)
		return err;
	memset(tmp, 0, head);
	memcpy(tmp + head, (const uint8_t *)st->s->image + seg->offset, seg->filesz);
	memset(tmp + head + seg->filesz, 0, len - head - seg->filesz);
	kosh_frame_unmap(tmp, len);
	return (kosh_err_t)kosh_space_map(st->space, frame, 0, start, len, rights);
}

/* A fresh frame mapped into the child at va, readable and writable. */
static kosh_err_t map_fresh(struct spawn_state *st, uint64_t va, uint64_t size)
{
	kosh_handle_t frame;
	kosh_err_t err = new_frame(st, size, &frame);
	if (err)
		return err;
	return (kosh_err_t)kosh_space_map(st->space, frame, 0, va, size,
					  KOSH_RIGHT_READ | KOSH_RIGHT_WRITE);
}

/* The start page: read-only in the child, writable through our own mapping until filled. */
static kosh_err_t map_start_page(struct spawn_state *st)
{
	kosh_err_t err = new_frame(st, KOSH_START_SIZE, &st->start_frame);
	if (err)
		return err;
	st->page = kosh_frame_map(st->start_frame, 0, KOSH_START_SIZE,
				  KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!st->page)
		return err;
	memset(st->page, 0, KOSH_START_SIZE);
	return (kosh_err_t)kosh_space_map(st->space, st->start_frame, 0, KOSH_START_VA,
					  KOSH_START_SIZE, KOSH_RIGHT_READ);
}

static uint64_t stack_size(const struct kosh_spawn *s)
{
	return kosh_page_round(s->stack_size ? s->stack_size : KOSH_START_STACK_SIZE);
}

static kosh_err_t build_space(struct spawn_state *st)
{
	int64_t h = kosh_space_create(st->s->quota);
	if (h < 0)
		return (kosh_err_t)h;
	st->space = (kosh_handle_t)h;
	kosh_err_t err = KOSH_OK;
	for (uint32_t i = 0; i < st->image.count && !err; i++)
		err = load_segment(st, &st->image.seg[i]);
	uint64_t stack = stack_size(st->s);
	if (!err)
		err = map_fresh(st, KOSH_START_STACK_TOP - stack, stack);
	if (!err)
		err = map_fresh(st, KOSH_START_IPC_VA, KOSH_IPC_BUFFER_SIZE);
	if (!err)
		err = map_start_page(st);
	return err;
}

static kosh_err_t build_process(struct spawn_state *st)
{
	const char *name = st->s->name;
	int64_t h = kosh_process_create(st->s->quota, st->space, (uint64_t)(uintptr_t)name,
					bounded_len(name, 31)); /* the kernel keeps 31 bytes */
	if (h < 0)
		return (kosh_err_t)h;
	st->process = (kosh_handle_t)h;
	h = kosh_thread_create(st->process);
	if (h < 0)
		return (kosh_err_t)h;
	st->thread = (kosh_handle_t)h;
	return KOSH_OK;
}

/* Put h into the child's table; with a name, list it in the start page. */
static kosh_err_t give(struct spawn_state *st, kosh_handle_t h, uint32_t flags, const char *name,
		       uint64_t value)
{
	int64_t child = kosh_process_give(st->process, h, flags);
	if (child < 0)
		return (kosh_err_t)child;
	if (!name)
		return KOSH_OK;
	struct kosh_start_handle *e = &st->page->handles[st->page->handle_count++];
	memcpy(e->name, name, bounded_len(name, KOSH_START_NAME_MAX - 1));
	e->handle = (kosh_handle_t)child;
	e->value = value;
	return KOSH_OK;
}

static kosh_err_t give_handles(struct spawn_state *st)
{
	const struct kosh_spawn *s = st->s;
	kosh_err_t err = KOSH_OK;
	for (; st->caller_done < s->handle_count && !err; st->caller_done++) {
		const struct kosh_spawn_handle *g = &s->handles[st->caller_done];
		err = give(st, g->handle, g->flags, g->name, g->value);
		if (err && (g->flags & KOSH_GIVE_MOVE))
			kosh_handle_close(g->handle); /* a moved handle is consumed either way */
	}
	for (uint32_t i = 0; i < st->frame_count && !err; i++) {
		err = give(st, st->frames[i], KOSH_GIVE_MOVE, NULL, 0);
		if (!err)
			st->frames[i] = 0;
	}
	/* Last: the child's handles to itself keep it alive until it exits. */
	if (!err)
		err = give(st, st->process, 0, "process", 0);
	if (!err)
		err = give(st, st->space, 0, "space", 0);
	if (!err)
		err = give(st, st->thread, 0, "thread", 0);
	return err;
}

/* count strings into the page at *at, their addresses in the child into va[]. */
static void put_strings(struct kosh_start *p, uint64_t *at, const char *const *str, uint32_t count,
			uint64_t *va)
{
	for (uint32_t i = 0; i < count; i++) {
		size_t n = bounded_len(str[i], KOSH_START_SIZE);
		memcpy((char *)p + *at, str[i], n);
		((char *)p)[*at + n] = '\0';
		va[i] = KOSH_START_VA + *at;
		*at += n + 1;
	}
}

static void fill_start_page(struct spawn_state *st)
{
	const struct kosh_spawn *s = st->s;
	struct kosh_start *p = st->page;
	uint64_t at = sizeof(*p);
	uint32_t phnum;
	const uint8_t *ph = phdr_table(s, &phnum);
	_Static_assert(sizeof(*p) % 8 == 0, "program headers 8-aligned");
	if (ph && phnum) {
		memcpy((char *)p + at, ph, phnum * KOSH_START_PHDR_SIZE);
		p->phdr = KOSH_START_VA + at;
		p->phnum = phnum;
		at += phnum * KOSH_START_PHDR_SIZE;
	}
	put_strings(p, &at, s->argv, s->argc, p->argv);
	put_strings(p, &at, s->envp, s->envc, p->envp);
	p->argc = s->argc;
	p->envc = s->envc;
	p->version = KOSH_START_VERSION;
	p->size = (uint32_t)at;
	p->ipc_buffer = KOSH_START_IPC_VA;
	p->stack_top = KOSH_START_STACK_TOP;
	p->stack_size = stack_size(s);
	p->magic = KOSH_START_MAGIC;
}

static kosh_err_t start_thread(struct spawn_state *st)
{
	fill_start_page(st);
	kosh_frame_unmap(st->page, KOSH_START_SIZE);
	st->page = NULL;
	return (kosh_err_t)kosh_thread_start(st->thread, st->image.entry, KOSH_START_STACK_TOP,
					     KOSH_START_VA, KOSH_START_IPC_VA);
}

static void spawn_undo(struct spawn_state *st)
{
	const struct kosh_spawn *s = st->s;
	if (st->page)
		kosh_frame_unmap(st->page, KOSH_START_SIZE);
	for (uint32_t i = 0; i < st->frame_count; i++)
		if (st->frames[i])
			kosh_handle_close(st->frames[i]);
	if (st->thread)
		kosh_handle_close(st->thread);
	if (st->process)
		kosh_handle_close(st->process);
	if (st->space)
		kosh_handle_close(st->space);
	for (uint32_t i = st->caller_done; i < s->handle_count; i++)
		if (s->handles && (s->handles[i].flags & KOSH_GIVE_MOVE))
			kosh_handle_close(s->handles[i].handle);
}

kosh_err_t kosh_spawn(const struct kosh_spawn *s, struct kosh_child *out)
{
	struct spawn_state st = { .s = s };
	struct kosh_elf_limits limits = {
		.machine = ARCH_USER_ELF_MACHINE,
		.window_base = KOSH_USER_IMAGE_MIN,
		.window_size = KOSH_USER_HEAP_BASE - KOSH_USER_IMAGE_MIN,
	};
	*out = (struct kosh_child){ 0 };
	kosh_err_t err = check_request(s);
	if (!err) {
		out->elf_error = kosh_elf_validate(s->image, s->image_size, &limits, &st.image);
		if (out->elf_error)
			err = KOSH_E_INVALID_ARGUMENT;
	}
	if (!err)
		err = check_tls(s);
	if (!err)
		err = build_space(&st);
	if (!err)
		err = build_process(&st);
	if (!err)
		err = give_handles(&st);
	if (!err)
		err = start_thread(&st);
	if (err) {
		spawn_undo(&st);
		return err;
	}
	kosh_handle_close(st.space);
	out->process = st.process;
	out->thread = st.thread;
	return KOSH_OK;
}

kosh_err_t kosh_spawn_file(kosh_handle_t ns, const char *uri, const struct kosh_spawn *s,
			   struct kosh_child *out)
{
	void *image = NULL;
	uint64_t size = 0;
	*out = (struct kosh_child){ 0 };
	uint32_t ferr = kosh_file_load(ns, uri, &image, &size);
	if (ferr) {
		/* Nothing was spawned: what was to be moved is consumed all the same. */
		for (uint32_t i = 0; s->handles && i < s->handle_count; i++)
			if (s->handles[i].flags & KOSH_GIVE_MOVE)
				kosh_handle_close(s->handles[i].handle);
		out->file_error = ferr;
		return KOSH_E_NOT_FOUND;
	}
	struct kosh_spawn copy = *s;
	copy.image = image;
	copy.image_size = size;
	kosh_err_t err = kosh_spawn(&copy, out);
	kosh_page_free(image);
	return err;
}
