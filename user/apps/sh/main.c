/* SPDX-License-Identifier: MIT */
/*
 * sh, the Kosh shell (docs/shell.md).
 *
 *   sh [-l]                 read commands from stdin; a prompt when it is a terminal
 *   sh -c 'command line'    run one line
 *   sh file [arg...]        run a script ($0 the file, $1 ... the arguments)
 *
 * -l (a login shell, as init starts it) prints a one-line banner and
 * initfs:///etc/motd, and starts in $HOME. The prompt is exactly
 * "kosh:<working directory as a URI>$ " (the QEMU harness waits for it). Lines
 * longer than SH_LINE_MAX are refused whole. End of input (Ctrl-D on an empty
 * line) ends the shell with the last status.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <kosh/posix.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "sh.h"

struct sh_state sh;

void sh_print(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	for (size_t done = 0; done < len;) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		done += (size_t)w;
	}
}

void sh_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sh_print(2, "sh: %s\n", buf);
}

/* The full URI: getcwd() gives fs:// directories as bare paths, for POSIX programs. */
const char *sh_cwd(void)
{
	return kosh_posix_cwd();
}

const char *sh_lookup(void *ctx, const char *name, size_t len)
{
	static char status[16];
	static char key[SH_VAR_NAME_MAX];
	if (len == 1 && name[0] == '?') {
		snprintf(status, sizeof(status), "%d", sh.status);
		return status;
	}
	if (len == 1 && name[0] >= '0' && name[0] <= '9') {
		int i = name[0] - '0';
		return i < sh.argc ? sh.argv[i] : NULL;
	}
	if (len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	return getenv(key);
}

/* ---- input ---- */

struct input {
	int fd;
	int eof;
	int too_long; /* the line being read did not fit: drop it up to its newline */
	size_t len;
	char buf[SH_LINE_MAX + 1];
};

static struct input in;
static char line[SH_LINE_MAX + 1];

static void std_streams(void);

/* The terminal's handle, for Ctrl-C (KOSH_VFS_TTY_FOREGROUND), if stdin is one. */
static void find_tty(void)
{
	struct posix_file *f = posix_fd_get(0);
	sh.tty = f && f->kind == POSIX_FILE_VFS ? f->handle : 0;
}

/*
 * The terminal failed under us: its server (the console) was restarted, and
 * our files of the old one are gone. Open it again, giving the new console up
 * to 10 s to come up, so the shell and its state (directory, variables)
 * outlive the console.
 */
static int reopen_terminal(void)
{
	for (int tries = 0; tries < 50; tries++) {
		close(0);
		close(1);
		close(2);
		std_streams();
		if (isatty(0)) {
			find_tty();
			sh_error("the terminal was restarted");
			return 1;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	}
	return 0;
}

/*
 * The next line of in (without its newline) into line[]: 1 and its length in
 * *len, 0 at the end of input, -1 when the read was interrupted (Ctrl-C).
 */
static int read_line(size_t *len)
{
	for (;;) {
		char *nl = memchr(in.buf, '\n', in.len);
		if (nl || (in.eof && in.len)) {
			size_t n = nl ? (size_t)(nl - in.buf) : in.len;
			size_t used = nl ? n + 1 : n;
			memcpy(line, in.buf, n);
			memmove(in.buf, in.buf + used, in.len - used);
			in.len -= used;
			if (in.too_long) {
				in.too_long = 0;
				sh_error("line too long (at most %u bytes)", SH_LINE_MAX);
				sh.status = SH_STATUS_USAGE;
				continue;
			}
			*len = n;
			return 1;
		}
		if (in.eof)
			return 0;
		if (in.len == sizeof(in.buf)) {
			in.too_long = 1;
			in.len = 0;
		}
		ssize_t got = read(in.fd, in.buf + in.len, sizeof(in.buf) - in.len);
		if (got < 0 && errno == EINTR)
			return -1;
		if (got < 0 && sh.interactive && errno != EINVAL && reopen_terminal()) {
			in.len = 0;
			return -1; /* a new prompt on the new terminal */
		}
		if (got < 0) {
			sh_error("read error: %s", strerror(errno));
			return 0;
		}
		if (got == 0)
			in.eof = 1;
		in.len += (size_t)got;
	}
}

static void prompt(void)
{
	if (sh.interactive)
		sh_print(2, "kosh:%s$ ", sh_cwd());
}

static void loop(void)
{
	for (;;) {
		size_t len;
		prompt();
		int r = read_line(&len);
		if (r < 0)
			continue; /* Ctrl-C: the console echoed "^C" and a new line; prompt again */
		if (r == 0)
			break;
		sh_run_line(line, len);
		if (sh.done)
			break;
	}
	if (!sh.done && sh.interactive)
		sh_print(2, "exit\n");
}

/* ---- start ---- */

/* Descriptors 0, 1, 2 on the terminal when the start page gave us none. */
static void std_streams(void)
{
	for (int k = 0; k < 3; k++) {
		if (fcntl(k, F_GETFD) >= 0)
			continue;
		int fd = open(SH_TTY_DEFAULT, k == 0 ? O_RDONLY : O_WRONLY);
		if (fd >= 0 && fd != k) {
			dup2(fd, k);
			close(fd);
		}
	}
}

static void login(void)
{
	struct utsname u;
	const char *home = getenv("HOME");
	struct timespec now;
	/* The monotonic clock counts from the loader's start (docs/abi.md, clock_get). */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (uname(&u) == 0 && u.sysname[0])
		sh_print(1, "%s %s on %s", u.sysname, u.release, u.machine);
	else
		sh_print(1, "Kosh %s on %s", KOSH_VERSION, KOSH_ARCH_NAME);
	sh_print(1, ", ready %lld.%03ld ms after the loader started\n", (long long)now.tv_sec * 1000 +
		 now.tv_nsec / 1000000, (now.tv_nsec / 1000) % 1000);
	int fd = open("initfs:///etc/motd", O_RDONLY);
	if (fd >= 0) {
		char buf[1024];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			sh_print(1, "%.*s", (int)n, buf);
		close(fd);
	}
	if (!home) {
		home = SH_HOME_DEFAULT;
		setenv("HOME", home, 1);
	}
	mkdir(home, 0755); /* the RAM filesystem starts empty: EEXIST is the usual answer */
	if (chdir(home) < 0)
		sh_error("cd: %s: %s", home, strerror(errno));
}

static int usage(void)
{
	sh_error("usage: sh [-l] | sh -c 'command line' | sh file [arg...]");
	return SH_STATUS_USAGE;
}

int main(int argc, char **argv)
{
	int i = 1, is_login = 0;
	const char *command = NULL;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-l") == 0) {
			is_login = 1;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			command = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return usage();
		}
	}
	std_streams();
	int64_t n = kosh_notification_create(kosh_self()->quota);
	if (n < 0) {
		sh_error("cannot make a notification: %s", kosh_strerror((kosh_err_t)n));
		return 1;
	}
	sh.notify = (kosh_handle_t)n;
	if (!getenv("PATH"))
		setenv("PATH", SH_PATH_DEFAULT, 1);
	sh.argc = argc - i + 1;
	sh.argv = argv + i - 1;
	sh.argv[0] = argv[0];
	if (command) {
		sh_run_line(command, strlen(command));
		return sh.status;
	}
	in.fd = 0;
	if (i < argc) {
		sh.argv = argv + i;
		sh.argc = argc - i;
		in.fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (in.fd < 0) {
			sh_error("%s: %s", argv[i], strerror(errno));
			return SH_STATUS_NOT_FOUND;
		}
	}
	sh.interactive = in.fd == 0 && isatty(0);
	if (sh.interactive)
		find_tty();
	if (is_login)
		login();
	setenv("PWD", sh_cwd(), 1);
	loop();
	return sh.status;
}
