/* SPDX-License-Identifier: MIT */
/*
 * The shell (docs/shell.md): its state and the parts that share it. main.c
 * reads lines, keeps the prompt and looks variables up, run.c runs parsed
 * lines (programs are spawned from their ELF files with the handles they need,
 * then waited for), builtin.c has the commands the shell runs itself,
 * report.c finds where a program faulted, parse.c is the parser (parse.h).
 */
#ifndef SH_SH_H
#define SH_SH_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>

#include "parse.h"

#define SH_PATH_DEFAULT "initfs:///bin:fs:///bin"
#define SH_HOME_DEFAULT "fs:///home"
#define SH_TTY_DEFAULT	"console://"

/* Exit statuses the shell makes itself (POSIX's, and 128 + signal for ends by force). */
#define SH_STATUS_USAGE	      2
#define SH_STATUS_CANNOT_RUN  126
#define SH_STATUS_NOT_FOUND   127
#define SH_STATUS_INTERRUPTED 130 /* Ctrl-C: 128 + SIGINT */
#define SH_STATUS_KILLED      137 /* ended by process_kill (kill, procd): 128 + SIGKILL */

struct sh_state {
	int status;	      /* $?: the last pipeline's */
	int interactive;      /* a terminal on stdin: prompt, Ctrl-C */
	int done;	      /* exit was run: stop reading */
	int interrupted;      /* the last job was stopped by Ctrl-C: skip the rest of the line */
	kosh_handle_t notify; /* the job's exits (bit per process) and Ctrl-C */
	kosh_handle_t tty;    /* the terminal (stdin's file), for TTY_FOREGROUND; 0: none */
	int argc;	      /* $0 .. $9: the script and its arguments */
	char **argv;
};

extern struct sh_state sh;

/* Parse and run one line (len bytes); sh.status is the result. */
void sh_run_line(const char *text, size_t len);

/* The builtin called name, or -1. */
int sh_builtin_find(const char *name);

/* Whether builtin index may be part of a pipeline (it only prints). */
int sh_builtin_piped(int index);

/* Run builtin index with argv (its output on fds 1 and 2); returns its status. */
int sh_builtin_run(int index, int argc, char **argv);

/* The mount and umount builtins (mount.c). */
int sh_b_mount(int argc, char **argv);
int sh_b_umount(int argc, char **argv);

/* The parser's lookup (parse.h): "?", "0" .. "9", or an environment variable. */
const char *sh_lookup(void *ctx, const char *name, size_t len);

/* Where the process with kernel id faulted, from the kernel's report in log://: " at 0x…" or "". */
void sh_fault_where(uint64_t id, char *out, size_t size);

/* printf to a descriptor, in one write. */
void sh_print(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "sh: " and the message on stderr. */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The working directory as a URI (for the prompt, pwd and PWD). */
const char *sh_cwd(void);

#endif
