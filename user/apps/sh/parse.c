/* SPDX-License-Identifier: MIT */
/*
 * The shell's command-line parser (parse.h, docs/shell.md).
 *
 * sh_parse reads the line once, left to right, as a small state machine over
 * tokens: a word (with its quotes, checked to be closed), a redirection
 * operator and its target, or one of '|', '&&', '||', ';' and newline. The
 * structure goes into the fixed arrays of struct sh_line, each insertion
 * checked against its limit. Words are validated here (closed quotes, ${NAME}
 * well formed, no unsupported syntax), so that sh_expand, run later on the same
 * bytes, only has to produce text; it still never reads outside the word.
 */
#include "parse.h"

#include <stdio.h>
#include <string.h>

enum op { OP_NONE, OP_PIPE, OP_SEQ, OP_AND, OP_OR };

struct parser {
	const char *s;
	uint32_t len;
	uint32_t pos;
	struct sh_line *line;
	struct sh_parse_error *err;
	int cmd_open;  /* commands[command_count] is being filled */
	int pipe_open; /* pipelines[pipeline_count] is being filled */
	int last_op;   /* enum op: the operator before the current command */
	uint32_t last_op_pos;
};

static const char *const error_text[] = {
    [SH_OK] = "no error",
    [SH_E_LINE_TOO_LONG] = "line too long",
    [SH_E_BAD_BYTE] = "control character in the line",
    [SH_E_SQUOTE] = "unterminated single quote",
    [SH_E_DQUOTE] = "unterminated double quote",
    [SH_E_ESCAPE] = "backslash at the end of the line",
    [SH_E_SUBST] = "bad ${...} substitution",
    [SH_E_REDIR_TARGET] = "missing file name after redirection",
    [SH_E_REDIR_FD] = "missing descriptor (0-9) after >& or <&",
    [SH_E_PIPE_START] = "no command before '|'",
    [SH_E_PIPE_END] = "no command after '|'",
    [SH_E_NO_COMMAND] = "no command before",
    [SH_E_LIST_END] = "no command after",
    [SH_E_UNSUPPORTED] = "unsupported syntax",
    [SH_E_TOO_MANY_WORDS] = "too many words",
    [SH_E_TOO_MANY_COMMANDS] = "too many commands",
    [SH_E_TOO_MANY_REDIRS] = "too many redirections",
    [SH_E_WORD_TOO_LONG] = "word too long",
};

const char *sh_error_text(int code)
{
	if (code < 0 || (size_t)code >= sizeof(error_text) / sizeof(error_text[0]))
		return "unknown error";
	return error_text[code];
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Bytes that end an unquoted word. */
static int is_meta(char c)
{
	return is_blank(c) || c == '\n' || c == '|' || c == '&' || c == ';' || c == '<' ||
	       c == '>' || c == '(' || c == ')';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || is_digit(c);
}

int sh_valid_name(const char *name, size_t len)
{
	if (len == 0 || len >= SH_VAR_NAME_MAX || !is_name_start(name[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(name[i]))
			return 0;
	return 1;
}

/* Record the error (the operator's text for the two that name one) and fail. */
static int fail(struct parser *p, int code, uint32_t pos)
{
	struct sh_parse_error *e = p->err;
	const char *text = sh_error_text(code);
	e->code = code;
	e->pos = pos;
	if (code == SH_E_NO_COMMAND || code == SH_E_LIST_END) {
		int oplen =
		    pos + 1 < p->len && p->s[pos + 1] == p->s[pos] && p->s[pos] != ';' ? 2 : 1;
		snprintf(e->message, sizeof(e->message), "%s '%.*s' (column %u)", text, oplen,
			 p->s + pos, (unsigned)pos + 1);
	} else {
		snprintf(e->message, sizeof(e->message), "%s (column %u)", text, (unsigned)pos + 1);
	}
	return code;
}

/*
 * A '$' at p->pos, in a word or between double quotes: ${NAME} must be whole,
 * $( is refused; anything else is left for sh_expand (a '$' that starts no name
 * is a plain '$').
 */
static int check_dollar(struct parser *p)
{
	uint32_t at = p->pos++;
	if (p->pos >= p->len)
		return SH_OK;
	if (p->s[p->pos] == '(')
		return fail(p, SH_E_UNSUPPORTED, at);
	if (p->s[p->pos] != '{')
		return SH_OK;
	uint32_t i = ++p->pos;
	if (i < p->len && p->s[i] == '?') {
		i++;
	} else {
		while (i < p->len && is_name_char(p->s[i]))
			i++;
	}
	if (i == p->pos || i >= p->len || p->s[i] != '}')
		return fail(p, SH_E_SUBST, at);
	p->pos = i + 1;
	return SH_OK;
}

/* A double-quoted part from its opening quote at p->pos to after its closing one. */
static int scan_dquote(struct parser *p)
{
	uint32_t open = p->pos++;
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		int err = SH_OK;
		if (c == '"') {
			p->pos++;
			return SH_OK;
		} else if (c == '\\') {
			p->pos += 2; /* past the end: the loop ends, unterminated */
		} else if (c == '`') {
			return fail(p, SH_E_UNSUPPORTED, p->pos);
		} else if (c == '$') {
			err = check_dollar(p);
		} else {
			p->pos++;
		}
		if (err)
			return err;
	}
	return fail(p, SH_E_DQUOTE, open);
}

/* One word from p->pos to the first unquoted byte that ends a word. */
static int scan_word(struct parser *p, struct sh_word *w)
{
	uint32_t start = p->pos;
	while (p->pos < p->len && !is_meta(p->s[p->pos])) {
		char c = p->s[p->pos];
		int err = SH_OK;
		if (c == '\'') {
			const char *close = memchr(p->s + p->pos + 1, '\'', p->len - p->pos - 1);
			if (!close)
				return fail(p, SH_E_SQUOTE, p->pos);
			p->pos = (uint32_t)(close - p->s) + 1;
		} else if (c == '"') {
			err = scan_dquote(p);
		} else if (c == '\\') {
			if (p->pos + 1 >= p->len)
				return fail(p, SH_E_ESCAPE, p->pos);
			p->pos += 2;
		} else if (c == '`') {
			return fail(p, SH_E_UNSUPPORTED, p->pos);
		} else if (c == '$') {
			err = check_dollar(p);
		} else {
			p->pos++;
		}
		if (err)
			return err;
	}
	w->start = (uint16_t)start;
	w->len = (uint16_t)(p->pos - start);
	return SH_OK;
}

/* Make sure a command (and a pipeline around it) is open to take a word or redirection. */
static int command_begin(struct parser *p, uint32_t at)
{
	struct sh_line *l = p->line;
	if (p->cmd_open)
		return SH_OK;
	if (l->command_count == SH_COMMANDS_MAX)
		return fail(p, SH_E_TOO_MANY_COMMANDS, at);
	if (!p->pipe_open) {
		l->pipelines[l->pipeline_count] =
		    (struct sh_pipeline){.command = l->command_count, .next = SH_NEXT_END};
		p->pipe_open = 1;
	}
	l->commands[l->command_count] =
	    (struct sh_command){.word = l->word_count, .redir = l->redir_count};
	l->pipelines[l->pipeline_count].commands++;
	p->cmd_open = 1;
	return SH_OK;
}

static void pipeline_end(struct parser *p, int next)
{
	struct sh_line *l = p->line;
	if (p->cmd_open)
		l->command_count++;
	p->cmd_open = 0;
	if (p->pipe_open) {
		l->pipelines[l->pipeline_count].next = (uint8_t)next;
		l->pipeline_count++;
	}
	p->pipe_open = 0;
}

/* '|', ';', '&&' or '||' at position at. */
static int operator(struct parser *p, int op, uint32_t at)
{
	static const uint8_t next[] = {
	    [OP_SEQ] = SH_NEXT_SEQ, [OP_AND] = SH_NEXT_AND, [OP_OR] = SH_NEXT_OR};
	if (!p->cmd_open) {
		if (p->last_op == OP_PIPE)
			return fail(p, SH_E_PIPE_END, p->last_op_pos);
		return fail(p, op == OP_PIPE ? SH_E_PIPE_START : SH_E_NO_COMMAND, at);
	}
	if (op == OP_PIPE) {
		p->line->command_count++;
		p->cmd_open = 0;
	} else {
		pipeline_end(p, next[op]);
	}
	p->last_op = op;
	p->last_op_pos = at;
	return SH_OK;
}

/* A newline: ends the command like ';', or after '|', '&&', '||' continues the line. */
static int newline(struct parser *p)
{
	uint32_t at = p->pos++;
	if (p->cmd_open)
		return operator(p, OP_SEQ, at);
	return SH_OK;
}

static int add_word(struct parser *p)
{
	struct sh_line *l = p->line;
	uint32_t at = p->pos;
	struct sh_word w;
	int err = command_begin(p, at);
	if (!err)
		err = scan_word(p, &w);
	if (err)
		return err;
	if (l->word_count == SH_WORDS_MAX)
		return fail(p, SH_E_TOO_MANY_WORDS, at);
	l->words[l->word_count++] = w;
	l->commands[l->command_count].words++;
	return SH_OK;
}

/* [n]<word, [n]>word, [n]>>word, [n]>&m, [n]<&m at p->pos. */
static int add_redirection(struct parser *p)
{
	struct sh_line *l = p->line;
	uint32_t at = p->pos;
	struct sh_redir r = {0};
	int err = command_begin(p, at);
	if (err)
		return err;
	int fd = -1;
	if (is_digit(p->s[p->pos]))
		fd = p->s[p->pos++] - '0';
	if (p->s[p->pos++] == '>') {
		r.kind = SH_REDIR_OUT;
		if (p->pos < p->len && p->s[p->pos] == '>') {
			r.kind = SH_REDIR_APPEND;
			p->pos++;
		}
	} else {
		r.kind = SH_REDIR_IN;
	}
	r.fd = (uint8_t)(fd >= 0 ? fd : r.kind == SH_REDIR_IN ? 0 : 1);
	if (r.kind != SH_REDIR_APPEND && p->pos < p->len && p->s[p->pos] == '&') {
		p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos]) ||
		    (p->pos + 1 < p->len && !is_meta(p->s[p->pos + 1])))
			return fail(p, SH_E_REDIR_FD, at);
		r.kind = SH_REDIR_DUP;
		r.dup_fd = (uint8_t)(p->s[p->pos++] - '0');
	} else {
		uint32_t after_op = p->pos;
		while (p->pos < p->len && is_blank(p->s[p->pos]))
			p->pos++;
		if (p->pos >= p->len || is_meta(p->s[p->pos]) ||
		    (p->s[p->pos] == '#' && p->pos != after_op))
			return fail(p, SH_E_REDIR_TARGET, at);
		err = scan_word(p, &r.target);
		if (err)
			return err;
	}
	if (l->redir_count == SH_REDIRS_MAX)
		return fail(p, SH_E_TOO_MANY_REDIRS, at);
	l->redirs[l->redir_count++] = r;
	l->commands[l->command_count].redirs++;
	return SH_OK;
}

/* The next token at p->pos (blanks skipped); 1 at the end of the line or a comment. */
static int token(struct parser *p, int *done)
{
	const char *s = p->s;
	while (p->pos < p->len && is_blank(s[p->pos]))
		p->pos++;
	if (p->pos >= p->len || s[p->pos] == '#') {
		*done = 1;
		return SH_OK;
	}
	uint32_t at = p->pos;
	char c = s[at];
	int twice = at + 1 < p->len && s[at + 1] == c;
	switch (c) {
	case '\n':
		return newline(p);
	case '|':
		p->pos += twice ? 2 : 1;
		return operator(p, twice ? OP_OR : OP_PIPE, at);
	case '&':
		if (!twice)
			return fail(p, SH_E_UNSUPPORTED, at);
		p->pos += 2;
		return operator(p, OP_AND, at);
	case ';':
		p->pos++;
		return operator(p, OP_SEQ, at);
	case '(':
	case ')':
		return fail(p, SH_E_UNSUPPORTED, at);
	case '<':
	case '>':
		return add_redirection(p);
	}
	if (is_digit(c) && at + 1 < p->len && (s[at + 1] == '<' || s[at + 1] == '>'))
		return add_redirection(p);
	return add_word(p);
}

/* The line's end: an operator still waiting for its command is an error. */
static int finish(struct parser *p)
{
	struct sh_line *l = p->line;
	if (!p->cmd_open) {
		if (p->last_op == OP_PIPE)
			return fail(p, SH_E_PIPE_END, p->last_op_pos);
		if (p->last_op == OP_AND || p->last_op == OP_OR)
			return fail(p, SH_E_LIST_END, p->last_op_pos);
	}
	pipeline_end(p, SH_NEXT_END);
	/* A trailing ';' (or newline) leaves nothing to run after the last pipeline. */
	if (l->pipeline_count && l->pipelines[l->pipeline_count - 1].next == SH_NEXT_SEQ)
		l->pipelines[l->pipeline_count - 1].next = SH_NEXT_END;
	return SH_OK;
}

static int parse(struct parser *p)
{
	if (p->len > SH_LINE_MAX)
		return fail(p, SH_E_LINE_TOO_LONG, SH_LINE_MAX);
	for (uint32_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return fail(p, SH_E_BAD_BYTE, i);
	}
	int done = 0;
	while (!done) {
		int err = token(p, &done);
		if (err)
			return err;
	}
	return finish(p);
}

int sh_parse(const char *text, size_t len, struct sh_line *line, struct sh_parse_error *err)
{
	struct parser p = {.s = text, .line = line, .err = err, .last_op = OP_NONE};
	memset(line, 0, sizeof(*line));
	memset(err, 0, sizeof(*err));
	/* The newline that ended the line, if any, is not part of it. */
	if (len && text[len - 1] == '\n')
		len--;
	p.len = len > SH_LINE_MAX ? SH_LINE_MAX + 1 : (uint32_t)len;
	line->text = text;
	line->len = p.len;
	int code = parse(&p);
	if (code != SH_OK) {
		memset(line, 0, sizeof(*line));
		line->text = text;
	}
	return code;
}

/* The text being built by sh_expand. */
struct out {
	char *p;
	size_t size;
	size_t len;
	int full;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->p[o->len++] = c;
	else
		o->full = 1;
}

static void put_string(struct out *o, const char *s)
{
	for (; s && *s; s++)
		put(o, *s);
}

/*
 * The '$' at s[i] (the word is s[0 .. n)): its value into o. Returns the index
 * after what it used; *plain is 1 when it was a plain '$'.
 */
static size_t expand_dollar(const char *s, size_t n, size_t i, struct out *o, sh_lookup_fn lookup,
			    void *ctx, int *plain)
{
	size_t name = i + 1, end;
	*plain = 0;
	if (name < n && s[name] == '{') {
		name++;
		end = name;
		while (end < n && s[end] != '}')
			end++;
		if (end >= n || end == name) { /* sh_parse refuses it: kept as it is */
			*plain = 1;
			put(o, '$');
			return i + 1;
		}
		put_string(o, lookup(ctx, s + name, end - name));
		return end + 1;
	}
	if (name < n && (s[name] == '?' || is_digit(s[name]))) {
		put_string(o, lookup(ctx, s + name, 1));
		return name + 1;
	}
	if (name >= n || !is_name_start(s[name])) {
		*plain = 1;
		put(o, '$');
		return i + 1;
	}
	end = name;
	while (end < n && is_name_char(s[end]))
		end++;
	put_string(o, lookup(ctx, s + name, end - name));
	return end;
}

/* The double-quoted part whose opening quote is s[i]; returns the index after its close. */
static size_t expand_dquote(const char *s, size_t n, size_t i, struct out *o, sh_lookup_fn lookup,
			    void *ctx)
{
	int plain;
	i++;
	while (i < n && s[i] != '"') {
		if (s[i] == '\\' && i + 1 < n && strchr("$`\"\\\n", s[i + 1])) {
			if (s[i + 1] != '\n')
				put(o, s[i + 1]);
			i += 2;
		} else if (s[i] == '$') {
			i = expand_dollar(s, n, i, o, lookup, ctx, &plain);
		} else {
			put(o, s[i++]);
		}
	}
	return i + 1;
}

int sh_expand(const struct sh_line *line, struct sh_word w, sh_lookup_fn lookup, void *ctx,
	      char *out, size_t size, int *removed)
{
	const char *s = line->text + w.start;
	size_t n = w.len, i = 0;
	struct out o = {.p = out, .size = size};
	int literal = 0; /* anything but an unquoted variable */
	int plain;
	if (size == 0)
		return SH_E_WORD_TOO_LONG;
	if (n && s[0] == '~' && (n == 1 || s[1] == '/')) {
		const char *home = lookup(ctx, "HOME", 4);
		put_string(&o, home ? home : "~");
		literal = 1;
		i = 1;
	}
	while (i < n) {
		char c = s[i];
		if (c == '\'') {
			literal = 1;
			for (i++; i < n && s[i] != '\''; i++)
				put(&o, s[i]);
			i++;
		} else if (c == '"') {
			literal = 1;
			i = expand_dquote(s, n, i, &o, lookup, ctx);
		} else if (c == '\\') {
			literal = 1;
			if (i + 1 < n && s[i + 1] != '\n')
				put(&o, s[i + 1]);
			i += 2;
		} else if (c == '$') {
			i = expand_dollar(s, n, i, &o, lookup, ctx, &plain);
			literal |= plain;
		} else {
			literal = 1;
			put(&o, c);
			i++;
		}
	}
	out[o.len] = '\0';
	*removed = !literal && o.len == 0;
	return o.full ? SH_E_WORD_TOO_LONG : SH_OK;
}

size_t sh_assignment(const struct sh_line *line, struct sh_word w)
{
	const char *s = line->text + w.start;
	size_t i = 0;
	if (w.len == 0 || !is_name_start(s[0]))
		return 0;
	while (i < w.len && is_name_char(s[i]))
		i++;
	if (i >= w.len || s[i] != '=' || i >= SH_VAR_NAME_MAX)
		return 0;
	return i;
}
