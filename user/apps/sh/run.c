/* SPDX-License-Identifier: MIT */
/*
 * Running a parsed line (docs/shell.md): pipelines one after another as ';',
 * '&&' and '||' say, and in each pipeline every command either run by the
 * shell itself (a builtin, an assignment, a lone redirection) or spawned from
 * its ELF file (kosh_spawn_file) with the handles it needs: klog, a child
 * quota, vfs, and its stdin, stdout and stderr; and registered with procd
 * when the shell holds its "procreg" endpoint. Builtins that only print may
 * be part of a pipeline: they run in the shell once its programs started.
 *
 * The streams. Each file a command gets is a handle the shell made for it (a
 * pipe end, a file opened for a redirection, a fresh open of the terminal) and
 * gives it a copy of; the shell keeps its own and, once the command has
 * ended, sends CLOSE on it (kosh_file_close). So a pipe's reader sees the end
 * of file when its writer ends, even by a fault, and no child ever holds the
 * shell's own terminal file: a CLOSE it sends at its exit closes only its own
 * open of the terminal. A second CLOSE of a file the child closed already is
 * refused by the server (badges carry a generation), never misdirected.
 *
 * Waiting. Each process of the job signals its bit on sh.notify when it ends
 * (process_notify); the terminal signals SH_INTR_BIT there on Ctrl-C while the
 * job is in the foreground (TTY_FOREGROUND). On Ctrl-C every process still
 * running is killed and the job's status is 130.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/posix.h>
#include <kosh/proto/proc.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/syscall.h>

#include "sh.h"

#define SH_INTR_BIT (1ull << 63)

/*
 * Quota policy: each spawned command gets a child quota of an equal share of
 * what is free in ours, less SH_QUOTA_RESERVE the shell keeps for itself (it
 * reads each program's image into its own memory to spawn it), at most
 * SH_QUOTA_CHILD_MAX, so that programs that ended and whose quota is not back
 * yet (procd still holds it) leave room for the next; less than
 * SH_QUOTA_CHILD_MIN and the shell waits up to SH_QUOTA_TRIES *
 * SH_QUOTA_PAUSE_NS for memory to come back, then does not run the command.
 */
#define SH_QUOTA_RESERVE   (1024u << 10)
#define SH_QUOTA_CHILD_MIN (512u << 10)
#define SH_QUOTA_CHILD_MAX (4u << 20)
#define SH_QUOTA_TRIES	   60
#define SH_QUOTA_PAUSE_NS  50000000 /* 50 ms: 3 s in all */

#define OWNED_MAX (int)(3 + SH_REDIRS_MAX) /* pipe ends, terminal opens, redirections */

struct job_cmd {
	const struct sh_command *syntax;
	char *argv[KOSH_START_ARGS_MAX + 1];
	int argc;
	char *assign[KOSH_START_ENV_MAX];
	int assigns;
	int builtin;		 /* its index, or -1 */
	kosh_handle_t stream[3]; /* stdin, stdout, stderr as given (0: none) */
	uint32_t stream_type[3]; /* KOSH_VFS_FILE ... as OPEN said (0: not known) */
	int stream_set[3];
	kosh_handle_t owned[OWNED_MAX]; /* made for it: CLOSEd when it ends */
	int owned_count;
	kosh_handle_t process; /* 0: not running */
	int status;
	int failed; /* could not be started (status says why) */
};

struct job {
	struct job_cmd cmd[SH_COMMANDS_MAX];
	int count;
};

static struct job job; /* about 30 KiB: not on the stack */
static const struct sh_line *cur_line;

/* ---- words ---- */

static void free_words(struct job_cmd *c)
{
	for (int i = 0; i < c->argc; i++)
		free(c->argv[i]);
	for (int i = 0; i < c->assigns; i++)
		free(c->assign[i]);
	c->argc = c->assigns = 0;
}

/* Word w expanded into a malloc'd string (*removed: dropped); NULL after an error message. */
static char *expand(struct sh_word w, int *removed)
{
	static char buf[SH_WORD_MAX];
	if (sh_expand(cur_line, w, sh_lookup, NULL, buf, sizeof(buf), removed) != SH_OK) {
		sh_error("word too long (at most %u bytes)", SH_WORD_MAX - 1);
		return NULL;
	}
	char *s = strdup(buf);
	if (!s)
		sh_error("out of memory");
	return s;
}

/* The command's words: leading NAME=value words into assign[], the rest into argv[]. */
static int expand_command(struct job_cmd *c)
{
	const struct sh_command *sc = c->syntax;
	int assigning = 1;
	for (unsigned i = sc->word; i < (unsigned)sc->word + sc->words; i++) {
		struct sh_word w = cur_line->words[i];
		int removed = 0;
		assigning = assigning && sh_assignment(cur_line, w) > 0;
		char *s = expand(w, &removed);
		if (!s)
			return -1;
		if (removed && !assigning) {
			free(s);
			continue;
		}
		if (assigning ? c->assigns == KOSH_START_ENV_MAX : c->argc == KOSH_START_ARGS_MAX) {
			free(s);
			sh_error("too many %s (at most %u)",
				 assigning ? "assignments" : "arguments",
				 assigning ? KOSH_START_ENV_MAX : KOSH_START_ARGS_MAX);
			return -1;
		}
		if (assigning)
			c->assign[c->assigns++] = s;
		else
			c->argv[c->argc++] = s;
	}
	c->argv[c->argc] = NULL;
	c->builtin = c->argc ? sh_builtin_find(c->argv[0]) : -1;
	return 0;
}

/* NAME=value strings into the shell's own environment. */
static int apply_assignments(struct job_cmd *c)
{
	for (int i = 0; i < c->assigns; i++) {
		char *eq = strchr(c->assign[i], '=');
		*eq = '\0';
		int err = setenv(c->assign[i], eq + 1, 1);
		*eq = '=';
		if (err < 0) {
			sh_error("%s: %s", c->assign[i], strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* ---- streams ---- */

static void owned_add(struct job_cmd *c, kosh_handle_t h)
{
	/* OWNED_MAX covers every handle a command can be made: this never fails. */
	if (c->owned_count < OWNED_MAX)
		c->owned[c->owned_count++] = h;
}

/* CLOSE every handle made for the command (after it ended, or when it could not start). */
static void owned_release(struct job_cmd *c)
{
	for (int i = 0; i < c->owned_count; i++)
		kosh_file_close(c->owned[i]);
	c->owned_count = 0;
}

/* CLOSE the handles made for the command that it was not given (a pipe end a redirection replaced).
 */
static void owned_drop_unused(struct job_cmd *c)
{
	int kept = 0;
	for (int i = 0; i < c->owned_count; i++) {
		kosh_handle_t h = c->owned[i];
		if (h == c->stream[0] || h == c->stream[1] || h == c->stream[2])
			c->owned[kept++] = h;
		else
			kosh_file_close(h);
	}
	c->owned_count = kept;
}

/* The handle behind one of the shell's descriptors (0 if it has no file). */
static kosh_handle_t fd_handle(int fd)
{
	struct posix_file *f = posix_fd_get(fd);
	return f && f->kind == POSIX_FILE_VFS ? f->handle : 0;
}

static void set_stream(struct job_cmd *c, int k, kosh_handle_t h, uint32_t type)
{
	c->stream[k] = h;
	c->stream_type[k] = type;
	c->stream_set[k] = 1;
}

/* What stream k of a command is by default: the shell's own (a fresh open when a terminal). */
static int default_stream(struct job_cmd *c, int k)
{
	kosh_handle_t h;
	uint32_t type, err;
	uint64_t size;
	const char *tty;
	if (!isatty(k)) {
		struct posix_file *f = posix_fd_get(k);
		set_stream(c, k, fd_handle(k), f ? f->type : 0);
		return 0;
	}
	tty = getenv("TTY");
	if (!tty || !*tty)
		tty = SH_TTY_DEFAULT;
	err = kosh_file_open(kosh_vfs(), tty, k == 0 ? KOSH_VFS_O_READ : KOSH_VFS_O_WRITE, &h,
			     &type, &size);
	if (err) {
		sh_error("%s: %s", tty, strerror((int)err));
		return -1;
	}
	owned_add(c, h);
	set_stream(c, k, h, type);
	return 0;
}

/* Open a redirection's file: its handle (owned by the command) and type into *h, *type. */
static int open_target(struct job_cmd *c, const struct sh_redir *r, kosh_handle_t *h,
		       uint32_t *type)
{
	static const uint32_t flags[] = {
	    [SH_REDIR_IN] = KOSH_VFS_O_READ,
	    [SH_REDIR_OUT] = KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC,
	    [SH_REDIR_APPEND] = KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_APPEND,
	};
	char uri[KOSH_VFS_PATH_MAX + 1];
	uint64_t size;
	int removed = 0;
	char *name = expand(r->target, &removed);
	if (!name)
		return -1;
	long err = name[0] ? posix_path(LINUX_AT_FDCWD, name, uri, sizeof(uri)) : -ENOENT;
	if (err == 0)
		err = kosh_file_open(kosh_vfs(), uri, flags[r->kind], h, type, &size);
	if (err == 0 && *type == KOSH_VFS_DIR) {
		kosh_file_close(*h);
		err = EISDIR;
	}
	if (err) {
		sh_error("%s: %s", name[0] ? name : "''", strerror((int)(err < 0 ? -err : err)));
		free(name);
		return -1;
	}
	free(name);
	owned_add(c, *h);
	return 0;
}

/* The command's redirections, in order, over its default streams. */
static int redirect(struct job_cmd *c)
{
	const struct sh_command *sc = c->syntax;
	for (unsigned i = sc->redir; i < (unsigned)sc->redir + sc->redirs; i++) {
		const struct sh_redir *r = &cur_line->redirs[i];
		kosh_handle_t h;
		uint32_t type;
		if (r->fd > 2 || (r->kind == SH_REDIR_DUP && r->dup_fd > 2)) {
			sh_error("only descriptors 0, 1 and 2 can be redirected");
			return -1;
		}
		if (r->kind == SH_REDIR_DUP) {
			if (!c->stream_set[r->dup_fd] && default_stream(c, r->dup_fd) < 0)
				return -1;
			h = c->stream[r->dup_fd];
			type = c->stream_type[r->dup_fd];
		} else if (open_target(c, r, &h, &type) < 0) {
			return -1;
		}
		set_stream(c, r->fd, h, type);
	}
	for (int k = 0; k < 3; k++)
		if (!c->stream_set[k] && default_stream(c, k) < 0)
			return -1;
	return 0;
}

/* ---- finding and starting a program ---- */

static int is_file(const char *uri)
{
	struct stat st;
	return stat(uri, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * The URI of the program a command word names: the word itself (resolved
 * against the working directory) when it has ':' or '/', else the first
 * directory of $PATH that has it. PATH's elements are URIs, separated by a
 * ':' that is not followed by "//".
 */
static int find_program(const char *word, char *uri, size_t size)
{
	if (strchr(word, ':') || strchr(word, '/')) {
		long err = posix_path(LINUX_AT_FDCWD, word, uri, (uint32_t)size);
		return err == 0 && is_file(uri) ? 0 : -1;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = SH_PATH_DEFAULT;
	while (*path) {
		const char *end = path;
		while (*end && !(end[0] == ':' && strncmp(end + 1, "//", 2) != 0))
			end++;
		size_t len = (size_t)(end - path);
		if (len && len + strlen(word) + 2 <= size) {
			memcpy(uri, path, len);
			uri[len] = '\0';
			if (uri[len - 1] != '/')
				strcat(uri, "/");
			strcat(uri, word);
			if (is_file(uri))
				return 0;
		}
		path = *end ? end + 1 : end;
	}
	return -1;
}

/* The environment a command gets: ours, with its NAME=value words on top. */
static int command_env(struct job_cmd *c, const char **envp, uint32_t *envc)
{
	extern char **environ;
	uint32_t n = 0;
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		int shadowed = 0;
		for (int i = 0; eq && i < c->assigns && !shadowed; i++)
			shadowed = strncmp(c->assign[i], *e, (size_t)(eq - *e) + 1) == 0;
		if (shadowed)
			continue;
		if (n == KOSH_START_ENV_MAX)
			goto full;
		envp[n++] = *e;
	}
	for (int i = 0; i < c->assigns; i++) {
		if (n == KOSH_START_ENV_MAX)
			goto full;
		envp[n++] = c->assign[i];
	}
	*envc = n;
	return 0;
full:
	sh_error("%s: too many environment variables (at most %u)", c->argv[0], KOSH_START_ENV_MAX);
	return -1;
}

/* A child quota by the policy above: its handle and limit, or -1 after a message. */
/* A child quota of share bytes by the policy above, or 0 when there is not room now. */
static int64_t try_quota(int left, uint64_t *limit)
{
	struct kosh_quota_info info;
	kosh_handle_t mine = kosh_self()->quota;
	if (kosh_quota_info(mine, (uint64_t)(uintptr_t)&info) < 0 || info.used > info.limit)
		return 0;
	uint64_t free_bytes = info.limit - info.used;
	if (free_bytes < SH_QUOTA_RESERVE + SH_QUOTA_CHILD_MIN)
		return 0;
	uint64_t share = (free_bytes - SH_QUOTA_RESERVE) / (uint64_t)left;
	if (share > SH_QUOTA_CHILD_MAX)
		share = SH_QUOTA_CHILD_MAX;
	share &= ~4095ull;
	if (share < SH_QUOTA_CHILD_MIN)
		return 0;
	int64_t h = kosh_quota_create(mine, share);
	*limit = share;
	return h > 0 ? h : 0;
}

/*
 * A child quota by the policy above: its handle, a read-only copy for procd
 * and its limit, or -1 after a message. The quota of a program that ended
 * comes back only when its last handle is gone, and procd lets go of the ones
 * it was given about a second after the exit: so when there is no room, wait
 * for it a little.
 */
static int child_quota(int left, kosh_handle_t *q, kosh_handle_t *qread, uint64_t *limit)
{
	int64_t h = 0;
	for (int tries = 0; tries < SH_QUOTA_TRIES && !h; tries++) {
		struct timespec pause = {0, SH_QUOTA_PAUSE_NS};
		if (tries)
			nanosleep(&pause, NULL);
		h = try_quota(left, limit);
	}
	if (!h) {
		sh_error("not enough memory to run another program");
		return -1;
	}
	*q = (kosh_handle_t)h;
	h = kosh_handle_dup(*q, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER, 0);
	*qread = h < 0 ? 0 : (kosh_handle_t)h;
	return 0;
}

/* The last component of a URI, cut to a process name. */
static void process_name(char *out, size_t size, const char *uri)
{
	const char *base = strrchr(uri, '/');
	base = base ? base + 1 : uri;
	size_t len = strlen(base);
	if (len >= size)
		len = size - 1;
	memcpy(out, base, len);
	out[len] = '\0';
}

/*
 * Tell procd about a new process (<kosh/proto/proc.h>), when the start page
 * gave us its "procreg" endpoint: a copy of the process handle and a read-only
 * one of its quota (qread, consumed). Without it, ps does not list the process;
 * nothing else depends on it, so a failure is only logged by procd.
 */
static void register_child(kosh_handle_t process, kosh_handle_t qread)
{
	static kosh_handle_t procreg;
	static uint64_t parent;
	static int looked;
	if (!looked) {
		struct kosh_process_info me;
		looked = 1;
		procreg = kosh_start_handle(KOSH_PROC_REGISTER_ENDPOINT, NULL);
		if (kosh_proc_info(kosh_self()->process, &me) == KOSH_OK)
			parent = me.id;
	}
	int64_t copy = procreg ? kosh_handle_dup(process, KOSH_PROC_RIGHTS, 0) : -1;
	if (copy < 0) {
		if (qread)
			kosh_handle_close(qread);
		return;
	}
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t caps = 1;
	ipc->caps[0] = (kosh_handle_t)copy;
	if (qread)
		ipc->caps[caps++] = qread;
	struct kosh_msg m = {.tag = kosh_msg_tag(KOSH_PROC_REGISTER, 2, caps, (1u << caps) - 1),
			     .words = {parent, 0}};
	/* A moved capability is gone from our table even when the call fails. */
	kosh_call(procreg, &m, &m, 1000000000ull);
}

/* "sh: message" on the command's own stderr (where `cmd 2>file` would have put its errors). */
static void command_error(struct job_cmd *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	buf[n] = '\0';
	uint32_t done;
	if (!c->stream[2] || kosh_file_write(c->stream[2], "sh: ", 4, &done) ||
	    kosh_file_write(c->stream[2], buf, (uint32_t)n, &done))
		sh_print(2, "sh: %s", buf);
}

static void spawn_failed(struct job_cmd *c, const char *uri, kosh_err_t err,
			 const struct kosh_child *child)
{
	c->status = SH_STATUS_CANNOT_RUN;
	if (child->file_error)
		command_error(c, "%s: %s", c->argv[0], strerror((int)child->file_error));
	else if (child->elf_error)
		command_error(c, "%s: not a program for this machine (%s)", c->argv[0], uri);
	else
		command_error(c, "%s: cannot run: %s", c->argv[0], kosh_strerror(err));
}

/* Start command i of the job (index left commands still to start, this one included). */
static void start(struct job_cmd *c, int bit, int left)
{
	char uri[KOSH_VFS_PATH_MAX + 1];
	char name[32];
	const char *envp[KOSH_START_ENV_MAX];
	uint32_t envc = 0;
	struct kosh_spawn_handle give[6];
	uint32_t n = 0;
	kosh_handle_t quota, qread;
	uint64_t limit;
	c->failed = 1;
	c->status = 1;
	if (redirect(c) < 0)
		return;
	if (find_program(c->argv[0], uri, sizeof(uri)) < 0) {
		command_error(c, "%s: command not found", c->argv[0]);
		c->status = SH_STATUS_NOT_FOUND;
		return;
	}
	if (command_env(c, envp, &envc) < 0 || child_quota(left, &quota, &qread, &limit) < 0)
		return;
	if (kosh_self()->log)
		give[n++] = (struct kosh_spawn_handle){"klog", kosh_self()->log, 0, 0};
	give[n++] = (struct kosh_spawn_handle){"quota", quota, KOSH_GIVE_MOVE, limit};
	if (kosh_vfs())
		give[n++] = (struct kosh_spawn_handle){"vfs", kosh_vfs(), 0, 0};
	static const char *const names[3] = {"stdin", "stdout", "stderr"};
	for (int k = 0; k < 3; k++)
		if (c->stream[k])
			give[n++] = (struct kosh_spawn_handle){names[k], c->stream[k], 0,
							       c->stream_type[k]};
	process_name(name, sizeof(name), uri);
	struct kosh_spawn s = {.name = name,
			       .argv = (const char *const *)c->argv,
			       .argc = (uint32_t)c->argc,
			       .envp = envp,
			       .envc = envc,
			       .handles = give,
			       .handle_count = n,
			       .quota = quota};
	struct kosh_child child = {0};
	kosh_err_t err = kosh_spawn_file(kosh_vfs(), uri, &s, &child);
	if (err != KOSH_OK) {
		if (qread)
			kosh_handle_close(qread);
		spawn_failed(c, uri, err, &child);
		return;
	}
	register_child(child.process, qread);
	kosh_handle_close(child.thread);
	owned_drop_unused(c);
	c->process = child.process;
	c->failed = 0;
	if (kosh_process_notify(c->process, sh.notify, 1ull << bit) < 0) {
		/* Without the notification we would wait forever: stop it now. */
		sh_error("%s: cannot wait for it; stopped", c->argv[0]);
		kosh_process_kill(c->process, SH_STATUS_KILLED);
		kosh_handle_close(c->process);
		c->process = 0;
		c->failed = 1;
	}
}

/* ---- waiting ---- */

/* 128 + the signal a POSIX system would have sent for this fault. */
static int fault_status(uint64_t kind)
{
	switch (kind) {
	case KOSH_FAULT_UNDEFINED:
		return 128 + 4; /* SIGILL */
	case KOSH_FAULT_BREAKPOINT:
		return 128 + 5; /* SIGTRAP */
	case KOSH_FAULT_ALIGNMENT:
		return 128 + 7; /* SIGBUS */
	case KOSH_FAULT_ARITHMETIC:
		return 128 + 8; /* SIGFPE */
	case KOSH_FAULT_BAD_SYSCALL:
		return 128 + 31; /* SIGSYS */
	case KOSH_FAULT_PAGE:
	case KOSH_FAULT_PROTECTION:
		return 128 + 11; /* SIGSEGV */
	default:
		return 128 + 6; /* SIGABRT */
	}
}

/* The command's status from its process's exit status, with a message for a forced end. */
static int decode_status(struct job_cmd *c, uint64_t st, int interrupted)
{
	if (interrupted)
		return SH_STATUS_INTERRUPTED;
	if (st & KOSH_EXIT_FAULTED) {
		uint64_t kind = st & 0xffffffffu;
		struct kosh_process_info info;
		char where[64] = "";
		if (kosh_proc_info(c->process, &info) == KOSH_OK)
			sh_fault_where(info.id, where, sizeof(where));
		sh_error("%s: killed by %s%s", c->argv[0], kosh_fault_name(kind), where);
		return fault_status(kind);
	}
	if (st & KOSH_EXIT_KILLED) {
		sh_error("%s: killed", c->argv[0]);
		return SH_STATUS_KILLED;
	}
	return (int)(st & 0xff);
}

static void ended(struct job_cmd *c, int interrupted)
{
	uint64_t st = 0;
	if (kosh_wait(c->process, 0, &st) != KOSH_OK)
		st = KOSH_EXIT_KILLED;
	c->status = decode_status(c, st, interrupted);
	kosh_handle_close(c->process);
	c->process = 0;
	owned_release(c);
}

static void kill_all(void)
{
	for (int i = 0; i < job.count; i++)
		if (job.cmd[i].process)
			kosh_process_kill(job.cmd[i].process, SH_STATUS_INTERRUPTED);
}

/* Wait for every started process of the job; Ctrl-C kills them all. */
static void wait_job(void)
{
	int running = 0, foreground = 0, interrupted = 0;
	for (int i = 0; i < job.count; i++)
		running += job.cmd[i].process != 0;
	if (running && sh.tty && sh.interactive)
		foreground = kosh_file_tty_foreground(sh.tty, sh.notify, SH_INTR_BIT) == 0;
	while (running) {
		uint64_t bits = 0;
		if (kosh_notify_wait(sh.notify, KOSH_TIMEOUT_NEVER, &bits) != KOSH_OK) {
			/* Cannot wait: do not leave the job running behind our back. */
			sh_error("cannot wait for the job; stopping it");
			bits = SH_INTR_BIT;
		}
		if ((bits & SH_INTR_BIT) && !interrupted) {
			interrupted = 1;
			kill_all();
		}
		for (int i = 0; i < job.count; i++) {
			struct job_cmd *c = &job.cmd[i];
			if (c->process && (bits & (1ull << i))) {
				ended(c, interrupted);
				running--;
			}
		}
	}
	if (foreground)
		kosh_file_tty_foreground(sh.tty, 0, 0);
	/* The console echoed "^C" and a new line already. */
	if (interrupted)
		sh.interrupted = 1;
}

/* ---- the shell's own commands ---- */

/* Redirect the shell's own descriptors for a builtin; saved[] gets what to restore. */
static int redirect_self(const struct sh_command *sc, int saved[3])
{
	static const int flags[] = {
	    [SH_REDIR_IN] = O_RDONLY,
	    [SH_REDIR_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
	    [SH_REDIR_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
	};
	for (unsigned i = sc->redir; i < (unsigned)sc->redir + sc->redirs; i++) {
		const struct sh_redir *r = &cur_line->redirs[i];
		int fd, removed = 0;
		if (r->fd > 2 || (r->kind == SH_REDIR_DUP && r->dup_fd > 2)) {
			sh_error("only descriptors 0, 1 and 2 can be redirected");
			return -1;
		}
		if (saved[r->fd] < 0 && (saved[r->fd] = fcntl(r->fd, F_DUPFD_CLOEXEC, 10)) < 0 &&
		    errno != EBADF) {
			sh_error("cannot save descriptor %u: %s", r->fd, strerror(errno));
			return -1;
		}
		if (r->kind == SH_REDIR_DUP) {
			fd = dup(r->dup_fd);
		} else {
			char *name = expand(r->target, &removed);
			if (!name)
				return -1;
			fd = open(name, flags[r->kind], 0644);
			if (fd < 0)
				sh_error("%s: %s", name, strerror(errno));
			free(name);
		}
		if (fd < 0)
			return -1;
		if (fd != r->fd) {
			dup2(fd, r->fd);
			close(fd);
		}
	}
	return 0;
}

static void restore_self(int saved[3])
{
	for (int k = 0; k < 3; k++) {
		if (saved[k] >= 0) {
			dup2(saved[k], k);
			close(saved[k]);
		}
	}
}

/* A command the shell runs itself: a builtin, assignments, or only redirections. */
static int run_in_shell(struct job_cmd *c)
{
	int saved[3] = {-1, -1, -1};
	int status = 1;
	if (redirect_self(c->syntax, saved) == 0) {
		if (c->argc)
			status = sh_builtin_run(c->builtin, c->argc, c->argv);
		else
			status = apply_assignments(c);
	}
	restore_self(saved);
	return status;
}

/*
 * A descriptor of our own on a copy of handle h (same badge: the same open
 * file), made with the system layer's table (<kosh/posix.h>); closing it sends
 * CLOSE. Returns the descriptor or -1.
 */
static int fd_of_handle(kosh_handle_t h, uint32_t type, int writing)
{
	struct kosh_handle_info info;
	struct posix_file *f;
	int64_t copy;
	if (!h || kosh_info(h, &info) != KOSH_OK)
		return -1;
	copy = kosh_handle_dup(h, info.rights, info.badge);
	if (copy < 0)
		return -1;
	f = posix_file_new();
	if (!f) {
		kosh_handle_close((kosh_handle_t)copy);
		return -1;
	}
	f->kind = POSIX_FILE_VFS;
	f->handle = (kosh_handle_t)copy;
	f->type = type;
	f->flags = writing ? LINUX_O_WRONLY : 0;
	int fd = posix_fd_alloc(f, 10, 1);
	if (fd < 0) {
		kosh_handle_close((kosh_handle_t)copy);
		*f = (struct posix_file){0}; /* free again */
		return -1;
	}
	return fd;
}

/*
 * A builtin inside a pipeline (one that only prints): run in the shell, after
 * the programs started, with descriptors 0 .. 2 on its streams for the time it
 * runs; then its streams are closed, so its reader sees the end of file.
 */
static void run_piped(struct job_cmd *c)
{
	int saved[3] = {-1, -1, -1}, fds[3] = {-1, -1, -1};
	c->status = 1;
	if (redirect(c) == 0) {
		for (int k = 0; k < 3; k++) {
			fds[k] = fd_of_handle(c->stream[k], c->stream_type[k], k > 0);
			saved[k] = fcntl(k, F_DUPFD_CLOEXEC, 10);
			if (fds[k] >= 0)
				dup2(fds[k], k);
			else
				close(k);
		}
		c->status = sh_builtin_run(c->builtin, c->argc, c->argv);
		for (int k = 0; k < 3; k++) {
			if (saved[k] >= 0) {
				dup2(saved[k], k);
				close(saved[k]);
			} else {
				close(k);
			}
			if (fds[k] >= 0)
				close(fds[k]);
		}
	}
	owned_release(c);
}

/* ---- pipelines ---- */

static void job_clear(void)
{
	for (int i = 0; i < job.count; i++) {
		owned_release(&job.cmd[i]);
		free_words(&job.cmd[i]);
	}
	memset(&job, 0, sizeof(job));
}

/* The pipes between the job's commands, each end owned by the command that uses it. */
static int make_pipes(void)
{
	for (int i = 0; i + 1 < job.count; i++) {
		kosh_handle_t r, w;
		uint32_t err = kosh_file_pipe(kosh_vfs(), &r, &w);
		if (err) {
			sh_error("cannot make a pipe: %s", strerror((int)err));
			return -1;
		}
		owned_add(&job.cmd[i], w);
		owned_add(&job.cmd[i + 1], r);
		set_stream(&job.cmd[i], 1, w, KOSH_VFS_PIPE);
		set_stream(&job.cmd[i + 1], 0, r, KOSH_VFS_PIPE);
	}
	return 0;
}

static int run_pipeline(const struct sh_pipeline *p)
{
	int status = 0;
	job_clear();
	job.count = p->commands;
	for (int i = 0; i < job.count; i++) {
		job.cmd[i].syntax = &cur_line->commands[p->command + i];
		if (expand_command(&job.cmd[i]) < 0) {
			job_clear();
			return 1;
		}
	}
	if (job.count == 1 && (job.cmd[0].builtin >= 0 || job.cmd[0].argc == 0)) {
		status = run_in_shell(&job.cmd[0]);
		job_clear();
		return status;
	}
	for (int i = 0; i < job.count; i++) {
		struct job_cmd *c = &job.cmd[i];
		if (c->argc == 0 || (c->builtin >= 0 && !sh_builtin_piped(c->builtin))) {
			sh_error("%s: cannot be part of a pipeline (only programs, pwd, set, help, "
				 "mount, umount)",
				 c->argc ? c->argv[0] : "assignment");
			job_clear();
			return 1;
		}
	}
	if (make_pipes() < 0) {
		job_clear();
		return 1;
	}
	/* A Ctrl-C from before this job (at the prompt) must not stop it. */
	uint64_t stale;
	kosh_notify_poll(sh.notify, &stale);
	/* The programs first, so that a builtin's output has a reader. */
	int programs = 0;
	for (int i = 0; i < job.count; i++)
		programs += job.cmd[i].builtin < 0;
	for (int i = 0; i < job.count; i++) {
		if (job.cmd[i].builtin >= 0)
			continue;
		start(&job.cmd[i], i, programs--);
		if (job.cmd[i].failed)
			owned_release(&job.cmd[i]); /* its neighbours see the pipes end */
	}
	for (int i = 0; i < job.count; i++)
		if (job.cmd[i].builtin >= 0)
			run_piped(&job.cmd[i]);
	wait_job();
	status = job.cmd[job.count - 1].status;
	job_clear();
	return status;
}

void sh_run_line(const char *text, size_t len)
{
	static struct sh_line line; /* about 2 KiB */
	struct sh_parse_error err;
	if (sh_parse(text, len, &line, &err) != SH_OK) {
		sh_error("syntax error: %s", err.message);
		sh.status = SH_STATUS_USAGE;
		return;
	}
	cur_line = &line;
	sh.interrupted = 0;
	int run = 1;
	for (unsigned i = 0; i < line.pipeline_count && !sh.done && !sh.interrupted; i++) {
		const struct sh_pipeline *p = &line.pipelines[i];
		if (run)
			sh.status = run_pipeline(p);
		if (p->next == SH_NEXT_AND)
			run = sh.status == 0;
		else if (p->next == SH_NEXT_OR)
			run = sh.status != 0;
		else
			run = 1;
	}
	cur_line = NULL;
}
