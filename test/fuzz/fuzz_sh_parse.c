/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the shell's parser (user/apps/sh/parse.c): on success
 * every count must be within its limit, every word and redirection target
 * inside the line, the commands and redirections of each command and the
 * commands of each pipeline contiguous and in order, and every word must expand
 * (with long and empty values) to a terminated string within the buffer; on
 * failure the line must be empty and the error a terminated one-line message at
 * a position inside the line.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static struct sh_line line;
static char value[SH_WORD_MAX + 16];

/* Values: short, empty, unset, and one of SH_WORD_MAX bytes that can never fit. */
static const char *lookup(void *ctx, const char *name, size_t len)
{
	CHECK(len > 0 && len < SH_LINE_MAX);
	switch (name[0] % 4) {
	case 0:
		return "v";
	case 1:
		return "";
	case 2:
		return NULL;
	default:
		return value;
	}
}

static void check_word(struct sh_word w, uint32_t len)
{
	static char out[SH_WORD_MAX];
	int removed = 0;
	CHECK(w.len > 0 && (uint32_t)w.start + w.len <= len);
	int err = sh_expand(&line, w, lookup, NULL, out, sizeof(out), &removed);
	CHECK(err == SH_OK || err == SH_E_WORD_TOO_LONG);
	CHECK(memchr(out, '\0', sizeof(out)) != NULL);
	CHECK(!removed || out[0] == '\0');
	(void)sh_assignment(&line, w);
}

static void check_line(uint32_t len)
{
	CHECK(line.word_count <= SH_WORDS_MAX && line.redir_count <= SH_REDIRS_MAX);
	CHECK(line.command_count <= SH_COMMANDS_MAX && line.pipeline_count <= line.command_count);
	uint32_t word = 0, redir = 0, command = 0;
	for (uint32_t p = 0; p < line.pipeline_count; p++) {
		const struct sh_pipeline *pl = &line.pipelines[p];
		CHECK(pl->command == command && pl->commands > 0);
		CHECK(pl->next <= SH_NEXT_OR);
		CHECK((pl->next == SH_NEXT_END) == (p + 1 == line.pipeline_count));
		for (uint32_t c = pl->command; c < (uint32_t)pl->command + pl->commands; c++) {
			const struct sh_command *cmd = &line.commands[c];
			CHECK(c < line.command_count);
			CHECK(cmd->word == word && cmd->redir == redir);
			CHECK(cmd->words + cmd->redirs > 0);
			word += cmd->words;
			redir += cmd->redirs;
			CHECK(word <= line.word_count && redir <= line.redir_count);
			for (uint32_t r = cmd->redir; r < redir; r++) {
				const struct sh_redir *rd = &line.redirs[r];
				CHECK(rd->kind <= SH_REDIR_DUP && rd->fd <= 9);
				if (rd->kind == SH_REDIR_DUP)
					CHECK(rd->dup_fd <= 9);
				else
					check_word(rd->target, len);
			}
		}
		command += pl->commands;
	}
	CHECK(command == line.command_count && word == line.word_count &&
	      redir == line.redir_count);
	for (uint32_t w = 0; w < line.word_count; w++)
		check_word(line.words[w], len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_parse_error err;
	memset(value, 'x', SH_WORD_MAX);
	value[SH_WORD_MAX] = '\0';
	int code = sh_parse((const char *)data, size, &line, &err);
	if (code == SH_OK) {
		CHECK(err.code == SH_OK);
		check_line(line.len);
		CHECK(line.len <= size && line.len <= SH_LINE_MAX);
		return 0;
	}
	CHECK(code == err.code && code > SH_OK && code < SH_E_WORD_TOO_LONG);
	CHECK(line.word_count == 0 && line.command_count == 0 && line.pipeline_count == 0 &&
	      line.redir_count == 0);
	CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL && err.message[0] != '\0');
	CHECK(strchr(err.message, '\n') == NULL);
	CHECK(err.pos <= size);
	return 0;
}
