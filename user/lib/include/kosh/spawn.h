/* SPDX-License-Identifier: MIT */
/*
 * Starting a program from an ELF image in memory (the ELF loader runs in
 * userspace, on shared/lib/elf.c): a new address space with a frame per
 * segment, a stack, an IPC buffer and a start page (<kosh/start.h>), a process
 * and its first thread, its arguments and environment, and the handles the
 * caller names given to it. Everything the child uses is charged to the quota
 * the caller passes. kosh_spawn_file reads the image from a file first.
 */
#ifndef KOSH_USER_SPAWN_H
#define KOSH_USER_SPAWN_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/start.h>

/* Handles a caller may give: the start page keeps three for process, space and thread. */
#define KOSH_SPAWN_HANDLES_MAX (KOSH_START_HANDLES_MAX - 3)

struct kosh_spawn_handle {
	const char *name;     /* under which the child finds it (< KOSH_START_NAME_MAX bytes) */
	kosh_handle_t handle; /* the caller's */
	uint32_t flags;       /* 0: give a copy (needs the transfer right); KOSH_GIVE_MOVE: move */
	uint64_t value;       /* passed along in the start page (a frame's size), or 0 */
};

struct kosh_spawn {
	const char *name;                        /* the process's name (kernel log lines) */
	const void *image;                       /* the ELF executable */
	uint64_t image_size;
	const char *const *argv;                 /* argc strings, argv[0] by convention the path */
	uint32_t argc;
	const char *const *envp;                 /* envc "NAME=value" strings (<= KOSH_START_ENV_MAX) */
	uint32_t envc;
	const struct kosh_spawn_handle *handles; /* handle_count of them */
	uint32_t handle_count;
	kosh_handle_t quota;                     /* charged for the child's objects and memory */
	uint64_t stack_size;                     /* 0: KOSH_START_STACK_SIZE */
};

struct kosh_child {
	kosh_handle_t process; /* wait on it; closing it does not stop the child */
	kosh_handle_t thread;  /* its first thread */
	int elf_error;         /* enum kosh_elf_error when the image was refused, else 0 */
	uint32_t file_error;   /* kosh_spawn_file: KOSH_VFS_E* when the file could not be read, else 0 */
};

/*
 * Start the program. On success *out holds the caller's handles to the new
 * process and its first thread. On failure everything made is undone and the
 * result is the error (KOSH_E_INVALID_ARGUMENT for a refused image, see
 * out->elf_error). Handles given with KOSH_GIVE_MOVE are consumed either way.
 */
kosh_err_t kosh_spawn(const struct kosh_spawn *s, struct kosh_child *out);

/*
 * kosh_spawn of the ELF file at uri (<kosh/file.h>'s kosh_file_load through
 * the namespace ns, normally kosh_vfs()); s->image and s->image_size are
 * ignored. A file that cannot be read is KOSH_E_NOT_FOUND, with the file
 * protocol's error (KOSH_VFS_ENOENT …) in out->file_error; the image is freed
 * before returning. Handles given with KOSH_GIVE_MOVE are consumed either way.
 */
kosh_err_t kosh_spawn_file(kosh_handle_t ns, const char *uri, const struct kosh_spawn *s,
			   struct kosh_child *out);

#endif
