/* SPDX-License-Identifier: MIT */
/*
 * The shell's command-line parser (docs/shell.md). Pure C with no Kosh call, so
 * the host tests and the fuzzer run the very code the shell runs.
 *
 * Two steps. sh_parse checks a whole line and records its structure: pipelines
 * joined by ';', '&&' and '||', each a list of simple commands joined by '|',
 * each a list of words and redirections. A word is kept as a byte range of the
 * line with its quotes and '$' still in it; sh_expand turns it into its text
 * when its command is about to run, so that in `false; echo $?` the '$?' is the
 * status of `false`. Everything is in fixed arrays: a line that needs more than
 * the limits below is refused with an error, never allocated for.
 */
#ifndef SH_PARSE_H
#define SH_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define SH_LINE_MAX	4096u /* bytes of a command line, without its newline */
#define SH_WORDS_MAX	256u  /* words of a line (redirection targets not counted) */
#define SH_COMMANDS_MAX 32u   /* simple commands of a line (and so pipelines) */
#define SH_REDIRS_MAX	32u   /* redirections of a line */
#define SH_WORD_MAX	4096u /* bytes of one expanded word, its NUL included */
#define SH_VAR_NAME_MAX 64u   /* bytes of a variable's name */
#define SH_ERROR_MAX	96u   /* bytes of an error message, its NUL included */

/* A word: bytes [start, start + len) of the line, quotes and '$' not yet expanded. */
struct sh_word {
	uint16_t start;
	uint16_t len;
};

enum sh_redir_kind {
	SH_REDIR_IN,	 /* fd < target */
	SH_REDIR_OUT,	 /* fd > target (created, truncated) */
	SH_REDIR_APPEND, /* fd >> target (created, appended to) */
	SH_REDIR_DUP,	 /* fd >& dup_fd, fd <& dup_fd: fd becomes a copy of dup_fd */
};

struct sh_redir {
	uint8_t kind;	       /* enum sh_redir_kind */
	uint8_t fd;	       /* 0 .. 9: what it redirects (default 0 for '<', 1 for '>') */
	uint8_t dup_fd;	       /* SH_REDIR_DUP: 0 .. 9 */
	struct sh_word target; /* the file (not for SH_REDIR_DUP) */
};

/* A simple command: words [word, word + words), redirections [redir, redir + redirs). */
struct sh_command {
	uint16_t word;
	uint16_t words; /* 0 with a redirection: `> file` just creates the file */
	uint8_t redir;
	uint8_t redirs;
};

/* What joins a pipeline to the next. */
enum sh_next {
	SH_NEXT_END, /* the last of the line */
	SH_NEXT_SEQ, /* ';': run the next in any case */
	SH_NEXT_AND, /* '&&': run the next if this one's status is 0 */
	SH_NEXT_OR,  /* '||': run the next if this one's status is not 0 */
};

/* A pipeline: commands [command, command + commands), joined by '|'. */
struct sh_pipeline {
	uint8_t command;
	uint8_t commands;
	uint8_t next; /* enum sh_next */
};

/* A parsed line. It points into the text given to sh_parse, which must outlive it. */
struct sh_line {
	const char *text;
	uint32_t len;
	uint16_t word_count;
	uint8_t redir_count;
	uint8_t command_count;
	uint8_t pipeline_count; /* 0: nothing to run (an empty line, a comment) */
	struct sh_word words[SH_WORDS_MAX];
	struct sh_redir redirs[SH_REDIRS_MAX];
	struct sh_command commands[SH_COMMANDS_MAX];
	struct sh_pipeline pipelines[SH_COMMANDS_MAX];
};

enum sh_error {
	SH_OK = 0,
	SH_E_LINE_TOO_LONG,	/* more than SH_LINE_MAX bytes */
	SH_E_BAD_BYTE,		/* a NUL or another control byte but tab and newline */
	SH_E_SQUOTE,		/* a ' without its closing ' */
	SH_E_DQUOTE,		/* a " without its closing " */
	SH_E_ESCAPE,		/* a \ at the end of the line */
	SH_E_SUBST,		/* ${ without a name and } */
	SH_E_REDIR_TARGET,	/* <, >, >> with no word after it */
	SH_E_REDIR_FD,		/* >& / <& without a descriptor 0 .. 9 after it */
	SH_E_PIPE_START,	/* '|' with no command before it */
	SH_E_PIPE_END,		/* '|' with no command after it */
	SH_E_NO_COMMAND,	/* ';', '&&' or '||' with no command before it */
	SH_E_LIST_END,		/* '&&' or '||' at the end of the line */
	SH_E_UNSUPPORTED,	/* '&' (background), '(', ')', '`', '$(' */
	SH_E_TOO_MANY_WORDS,	/* more than SH_WORDS_MAX */
	SH_E_TOO_MANY_COMMANDS, /* more than SH_COMMANDS_MAX */
	SH_E_TOO_MANY_REDIRS,	/* more than SH_REDIRS_MAX */
	SH_E_WORD_TOO_LONG,	/* sh_expand: more than SH_WORD_MAX - 1 bytes */
};

struct sh_parse_error {
	int code;		    /* enum sh_error */
	uint32_t pos;		    /* byte offset in the line where it was found */
	char message[SH_ERROR_MAX]; /* "unterminated ' (column 6)" */
};

/*
 * Parse len bytes of text (no NUL needed; a trailing newline is ignored). Returns
 * SH_OK and fills *line, or an error code with *err filled and *line empty.
 */
int sh_parse(const char *text, size_t len, struct sh_line *line, struct sh_parse_error *err);

/* English text of an error code ("unterminated single quote"). */
const char *sh_error_text(int code);

/*
 * A variable's value: name is len bytes ("HOME", "?", "1"); the result is a
 * NUL-terminated string, or NULL when the variable is not set.
 */
typedef const char *(*sh_lookup_fn)(void *ctx, const char *name, size_t len);

/*
 * Expand word w of line into out (size bytes, NUL-terminated): quotes removed,
 * escapes applied, $NAME, ${NAME}, $? and $0 .. $9 replaced by lookup's answer
 * (empty when unset), a leading unquoted ~ followed by / or nothing by $HOME.
 * No field splitting, no globbing. *removed is 1 when the word was only
 * unquoted variables, all empty: the shell drops such a word, as POSIX does.
 * Returns SH_OK or SH_E_WORD_TOO_LONG (out then holds the cut text).
 */
int sh_expand(const struct sh_line *line, struct sh_word w, sh_lookup_fn lookup, void *ctx,
	      char *out, size_t size, int *removed);

/*
 * Whether word w is an assignment, NAME=value with NAME unquoted and valid
 * ([A-Za-z_][A-Za-z0-9_]*, at most SH_VAR_NAME_MAX - 1 bytes): returns the
 * name's length, or 0. The value is the expansion of the rest of the word.
 */
size_t sh_assignment(const struct sh_line *line, struct sh_word w);

/* Whether name (len bytes) is a valid variable name. */
int sh_valid_name(const char *name, size_t len);

#endif
