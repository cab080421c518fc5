/* SPDX-License-Identifier: MIT */
/*
 * The commands the shell runs itself, because they change the shell
 * (docs/shell.md): cd, pwd, exit, export, unset, set, help, and mount and
 * umount (mount.c), which use the shell's own authority. Each writes to
 * descriptors 1 and 2, which run.c has redirected as the command line says,
 * and returns its status. Every variable is in the environment, so every
 * program the shell runs gets all of them.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

extern char **environ;

static int b_cd(int argc, char **argv)
{
	char old[PATH_MAX];
	const char *dir = argc > 1 ? argv[1] : getenv("HOME");
	if (argc > 2) {
		sh_error("cd: too many arguments");
		return 1;
	}
	if (!dir || !*dir)
		dir = SH_HOME_DEFAULT;
	if (strcmp(dir, "-") == 0) {
		dir = getenv("OLDPWD");
		if (!dir) {
			sh_error("cd: OLDPWD not set");
			return 1;
		}
		sh_print(1, "%s\n", dir);
	}
	size_t len = strlen(sh_cwd());
	memcpy(old, sh_cwd(), len < sizeof(old) ? len + 1 : 1);
	if (chdir(dir) < 0) {
		sh_error("cd: %s: %s", dir, strerror(errno));
		return 1;
	}
	setenv("OLDPWD", old, 1);
	setenv("PWD", sh_cwd(), 1);
	return 0;
}

static int b_pwd(int argc, char **argv)
{
	if (argc > 1) {
		sh_error("pwd: too many arguments");
		return 1;
	}
	sh_print(1, "%s\n", sh_cwd());
	return 0;
}

static int b_exit(int argc, char **argv)
{
	int status = sh.status;
	if (argc > 2) {
		sh_error("exit: too many arguments");
		return 1;
	}
	if (argc == 2) {
		char *end;
		long v = strtol(argv[1], &end, 10);
		if (!*argv[1] || *end) {
			sh_error("exit: %s: not a number", argv[1]);
			v = SH_STATUS_USAGE;
		}
		status = (int)(v & 0xff);
	}
	sh.done = 1;
	return status;
}

/* Every variable, one NAME=value a line, with a prefix ("export "). */
static void list(const char *prefix)
{
	for (char **e = environ; e && *e; e++)
		sh_print(1, "%s%s\n", prefix, *e);
}

static int b_export(int argc, char **argv)
{
	int status = 0;
	if (argc == 1)
		list("export ");
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!sh_valid_name(argv[i], len)) {
			sh_error("export: '%s': not a valid name", argv[i]);
			status = 1;
			continue;
		}
		/* Every variable is exported: "export NAME" alone has nothing to do. */
		if (!eq)
			continue;
		*eq = '\0';
		int err = setenv(argv[i], eq + 1, 1);
		*eq = '=';
		if (err < 0) {
			sh_error("export: %s: %s", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}

static int b_unset(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		if (!sh_valid_name(argv[i], strlen(argv[i]))) {
			sh_error("unset: '%s': not a valid name", argv[i]);
			status = 1;
			continue;
		}
		unsetenv(argv[i]);
	}
	return status;
}

static int b_set(int argc, char **argv)
{
	if (argc > 1) {
		sh_error("set: options are not supported");
		return SH_STATUS_USAGE;
	}
	list("");
	return 0;
}

static int b_help(int argc, char **argv)
{
	sh_print(1,
		 "Builtins: cd [dir], pwd, exit [n], export [NAME=value...], unset NAME..., "
		 "set, help, mount [[-r] SOURCE TARGET], umount TARGET\n"
		 "Programs are found in $PATH (%s by default); see docs/shell.md.\n",
		 SH_PATH_DEFAULT);
	return 0;
}

/*
 * piped: may be part of a pipeline, where it runs in the shell with its
 * output on the pipe (those that only print); the others change the shell,
 * which in a pipeline would be surprising, and are refused there.
 */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	int piped;
} builtins[] = {
    {"cd", b_cd, 0},	   {"pwd", b_pwd, 1}, {"exit", b_exit, 0}, {"export", b_export, 0},
    {"unset", b_unset, 0}, {"set", b_set, 1}, {"help", b_help, 1},
    {"mount", sh_b_mount, 1}, {"umount", sh_b_umount, 1},
};

int sh_builtin_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return (int)i;
	return -1;
}

int sh_builtin_piped(int index)
{
	return builtins[index].piped;
}

int sh_builtin_run(int index, int argc, char **argv)
{
	return builtins[index].run(argc, argv);
}
