/* SPDX-License-Identifier: MIT */
/*
 * ps: the processes procd knows (every process init and the shell started),
 * one line each from proc:///<id>/status: id, parent, state, threads, CPU
 * time, memory in use and the limit of its quota, name. Sorted by id.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PROC_URI  "proc:///"
#define PROCS_MAX 1024

struct proc {
	unsigned long long id;
	char text[512];
};

/* The value of "key: value" in text, into out (a "-" when missing). */
static void field(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, key, klen) != 0 || p[klen] != ':')
			continue;
		p += klen + 1;
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, "\n");
		if (len >= size)
			len = size - 1;
		memcpy(out, p, len);
		out[len] = '\0';
		return;
	}
	snprintf(out, size, "-");
}

static int by_id(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

/* Decimal ids only: the directory also holds meminfo and uptime. */
static int is_id(const char *name, unsigned long long *id)
{
	char *end;
	if (name[0] < '0' || name[0] > '9')
		return 0;
	*id = strtoull(name, &end, 10);
	return *end == '\0';
}

static void show(const struct proc *p)
{
	static const char *const keys[] = {"id",     "parent",	   "state",	"threads",
					   "cpu_ms", "memory_kib", "limit_kib", "name"};
	char v[8][64];
	for (int k = 0; k < 8; k++)
		field(p->text, keys[k], v[k], sizeof(v[k]));
	printf("%5s %5s %-8s %4s %8s %8s %8s  %s\n", v[0], v[1], v[2], v[3], v[4], v[5], v[6],
	       v[7]);
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "ps", "", "", flags);
	struct proc *procs = NULL;
	size_t count = 0;
	struct dirent *e;
	if (i != argc)
		util_usage("", "extra operand '%s'", argv[i]);
	DIR *d = opendir(PROC_URI);
	if (!d) {
		util_error(PROC_URI, errno);
		return UTIL_FAIL;
	}
	procs = calloc(PROCS_MAX, sizeof(*procs));
	if (!procs) {
		util_error("memory", ENOMEM);
		return UTIL_FAIL;
	}
	while ((e = readdir(d)) && count < PROCS_MAX) {
		char path[64];
		struct proc *p = &procs[count];
		if (!is_id(e->d_name, &p->id))
			continue;
		snprintf(path, sizeof(path), PROC_URI "%llu/status", p->id);
		char *text = util_read_file(path, sizeof(p->text) - 1, NULL);
		if (!text)
			continue; /* exited since the listing */
		snprintf(p->text, sizeof(p->text), "%s", text);
		free(text);
		count++;
	}
	closedir(d);
	qsort(procs, count, sizeof(*procs), by_id);
	printf("%5s %5s %-8s %4s %8s %8s %8s  %s\n", "PID", "PPID", "STATE", "THR", "CPU_MS",
	       "MEM_KIB", "LIM_KIB", "NAME");
	for (size_t k = 0; k < count; k++)
		show(&procs[k]);
	free(procs);
	if (fflush(stdout) != 0) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return 0;
}
