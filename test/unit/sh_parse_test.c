/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the shell's parser (user/apps/sh/parse.c, docs/shell.md).
 *
 * Each line is handed to sh_parse as exactly its bytes, copied to the heap
 * without a terminating NUL, so AddressSanitizer catches a read past the end.
 * A parsed line is checked through a dump that shows its whole structure with
 * every word expanded: `<echo> <a b> 1>[out] | <wc> && <x>`. Errors are checked
 * by code, position and message, and must leave the line empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

static struct sh_line line; /* about 1.5 KiB, and the copy below: not on the stack */
static char *copy;
static char dump_buf[65536];

static const char *const vars[][2] = {
    {"HOME", "/home"}, {"A", "alpha"}, {"E", ""}, {"?", "3"}, {"1", "one"}, {"SP", "a b"},
};

static const char *lookup(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strlen(vars[i][0]) == len && memcmp(vars[i][0], name, len) == 0)
			return vars[i][1];
	return NULL;
}

static int parse_n(const char *text, size_t len, struct sh_parse_error *err)
{
	free(copy);
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	return sh_parse(copy, len, &line, err);
}

static void add(size_t *used, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(size_t *used, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dump_buf + *used, sizeof(dump_buf) - *used, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(dump_buf) - *used);
	*used += (size_t)n;
}

static void add_word(size_t *used, struct sh_word w, const char *open, const char *close)
{
	char word[SH_WORD_MAX];
	int removed = 0;
	assert_int_equal(sh_expand(&line, w, lookup, NULL, word, sizeof(word), &removed), SH_OK);
	if (!removed)
		add(used, "%s%s%s", open, word, close);
}

/* The structure of the parsed line, words expanded. */
static const char *dump(void)
{
	static const char *const next[] = {"", " ;", " &&", " ||"};
	static const char *const redir[] = {"<", ">", ">>", ">&"};
	size_t used = 0;
	dump_buf[0] = '\0';
	for (unsigned p = 0; p < line.pipeline_count; p++) {
		const struct sh_pipeline *pl = &line.pipelines[p];
		for (unsigned c = pl->command; c < pl->command + pl->commands; c++) {
			const struct sh_command *cmd = &line.commands[c];
			if (c != pl->command)
				add(&used, " |");
			for (unsigned w = cmd->word; w < cmd->word + cmd->words; w++)
				add_word(&used, line.words[w], used ? " <" : "<", ">");
			for (unsigned r = cmd->redir; r < cmd->redir + cmd->redirs; r++) {
				const struct sh_redir *rd = &line.redirs[r];
				add(&used, "%s%u%s", used ? " " : "", rd->fd, redir[rd->kind]);
				if (rd->kind == SH_REDIR_DUP)
					add(&used, "%u", rd->dup_fd);
				else
					add_word(&used, rd->target, "[", "]");
			}
		}
		add(&used, "%s", next[pl->next]);
	}
	return dump_buf;
}

static const char *parsed(const char *text)
{
	struct sh_parse_error err;
	int code = parse_n(text, strlen(text), &err);
	if (code != SH_OK)
		fail_msg("'%s': %s", text, err.message);
	return dump();
}

static void expect_error(const char *text, int code, uint32_t pos, const char *message)
{
	struct sh_parse_error err;
	assert_int_equal(parse_n(text, strlen(text), &err), code);
	assert_int_equal(err.code, code);
	assert_int_equal(err.pos, pos);
	if (message)
		assert_string_equal(err.message, message);
	assert_int_equal(line.pipeline_count, 0);
	assert_int_equal(line.command_count, 0);
	assert_int_equal(line.word_count, 0);
	assert_int_equal(line.redir_count, 0);
}

static void test_sh_parse_words(void **state)
{
	assert_string_equal(parsed("echo hello world"), "<echo> <hello> <world>");
	assert_string_equal(parsed("  \techo\t  a   "), "<echo> <a>");
	assert_string_equal(parsed("ls fs:///home initfs:///bin"),
			    "<ls> <fs:///home> <initfs:///bin>");
	assert_string_equal(parsed("echo a{b}c! *? %"), "<echo> <a{b}c!> <*?> <%>");
	assert_string_equal(parsed("echo h\xc3\xa9llo"), "<echo> <h\xc3\xa9llo>");
	assert_string_equal(parsed("echo a\r"), "<echo> <a>");
}

static void test_sh_parse_quotes(void **state)
{
	assert_string_equal(parsed("echo 'a  b' \"c  d\""), "<echo> <a  b> <c  d>");
	assert_string_equal(parsed("echo a'b'\"c\"\\d"), "<echo> <abcd>");
	assert_string_equal(parsed("echo '' \"\""), "<echo> <> <>");
	assert_string_equal(parsed("echo 'a|b;c&&d>e' \"<f #g\""), "<echo> <a|b;c&&d>e> <<f #g>");
	assert_string_equal(parsed("echo \\| \\; \\> \\# \\\\ \\ x"),
			    "<echo> <|> <;> <>> <#> <\\> < x>");
	/* Between double quotes a backslash escapes only $ ` " \ and newline. */
	assert_string_equal(parsed("echo \"\\$A \\\" \\\\ \\a \\n\""), "<echo> <$A \" \\ \\a \\n>");
	assert_string_equal(parsed("echo 'it''s' \"'\" '\"'"), "<echo> <its> <'> <\">");
	assert_string_equal(parsed("echo '\\'"), "<echo> <\\>");
}

static void test_sh_parse_variables(void **state)
{
	assert_string_equal(parsed("echo $A ${A}x $Ax $?"), "<echo> <alpha> <alphax> <3>");
	assert_string_equal(parsed("echo \"$A-$?\" '$A' \\$A"), "<echo> <alpha-3> <$A> <$A>");
	assert_string_equal(parsed("echo $ a$ \"$\" $. $1 $12"),
			    "<echo> <$> <a$> <$> <$.> <one> <one2>");
	assert_string_equal(parsed("echo ${?} ${HOME}/x"), "<echo> <3> </home/x>");
	/* No field splitting: a value with a blank stays one word. */
	assert_string_equal(parsed("echo $SP"), "<echo> <a b>");
	/* Unquoted variables that are all empty make no word; quoted ones an empty word. */
	assert_string_equal(parsed("echo $E $NOPE$E \"\" \"$E\" x$E"), "<echo> <> <> <x>");
	assert_string_equal(parsed("$NOPE"), "");
}

static void test_sh_parse_tilde(void **state)
{
	assert_string_equal(parsed("cd ~ ~/a a~ ~b '~' \\~"),
			    "<cd> </home> </home/a> <a~> <~b> <~> <~>");
}

static void test_sh_parse_operators(void **state)
{
	assert_string_equal(parsed("a | b | c"), "<a> | <b> | <c>");
	assert_string_equal(parsed("a|b||c&&d;e"), "<a> | <b> || <c> && <d> ; <e>");
	assert_string_equal(parsed("a ; b ;"), "<a> ; <b>");
	assert_string_equal(parsed("a\nb"), "<a> ; <b>");
	assert_string_equal(parsed("a |\n b &&\n\n c"), "<a> | <b> && <c>");
	assert_string_equal(parsed("a\n"), "<a>");
	assert_int_equal(line.pipeline_count, 1);
	assert_int_equal(line.pipelines[0].next, SH_NEXT_END);
	parsed("a | b && c ; d");
	assert_int_equal(line.pipeline_count, 3);
	assert_int_equal(line.command_count, 4);
	assert_int_equal(line.pipelines[0].commands, 2);
	assert_int_equal(line.pipelines[0].next, SH_NEXT_AND);
	assert_int_equal(line.pipelines[1].command, 2);
	assert_int_equal(line.pipelines[1].next, SH_NEXT_SEQ);
	assert_int_equal(line.pipelines[2].next, SH_NEXT_END);
}

static void test_sh_parse_redirections(void **state)
{
	assert_string_equal(parsed("sort <in >out"), "<sort> 0<[in] 1>[out]");
	assert_string_equal(parsed("echo a >> log 2> err"), "<echo> <a> 1>>[log] 2>[err]");
	assert_string_equal(parsed("cmd 2>&1 >&2 0<&1"), "<cmd> 2>&1 1>&2 0>&1");
	/* "2 >" is a word and a redirection of fd 1; "a2>" too. */
	assert_string_equal(parsed("echo 2 > f a2>g"), "<echo> <2> <a2> 1>[f] 1>[g]");
	assert_string_equal(parsed("> f"), "1>[f]");
	assert_string_equal(parsed("cat < \"my file\" >$A"), "<cat> 0<[my file] 1>[alpha]");
	assert_string_equal(parsed("echo >#x"), "<echo> 1>[#x]");
	assert_string_equal(parsed("a >x | b <y"), "<a> 1>[x] | <b> 0<[y]");
	assert_int_equal(line.commands[0].redirs, 1);
	assert_int_equal(line.commands[1].redir, 1);
}

static void test_sh_parse_comments(void **state)
{
	assert_string_equal(parsed("echo a # b | c"), "<echo> <a>");
	assert_string_equal(parsed("echo a#b"), "<echo> <a#b>");
	assert_string_equal(parsed("# all of it"), "");
	assert_string_equal(parsed(""), "");
	assert_string_equal(parsed("   \t "), "");
	assert_string_equal(parsed("\n"), "");
	assert_int_equal(line.pipeline_count, 0);
}

static void test_sh_parse_errors(void **state)
{
	expect_error("echo 'abc", SH_E_SQUOTE, 5, "unterminated single quote (column 6)");
	expect_error("echo \"abc", SH_E_DQUOTE, 5, "unterminated double quote (column 6)");
	expect_error("echo \"abc\\\"", SH_E_DQUOTE, 5, NULL);
	expect_error("echo abc\\", SH_E_ESCAPE, 8, NULL);
	expect_error("echo ${", SH_E_SUBST, 5, NULL);
	expect_error("echo ${A", SH_E_SUBST, 5, NULL);
	expect_error("echo ${} x", SH_E_SUBST, 5, NULL);
	expect_error("echo ${A-b}", SH_E_SUBST, 5, NULL);
	expect_error("echo \"${A\"", SH_E_SUBST, 6, NULL);
	expect_error("echo >", SH_E_REDIR_TARGET, 5,
		     "missing file name after redirection (column 6)");
	expect_error("echo > | x", SH_E_REDIR_TARGET, 5, NULL);
	expect_error("echo 2>  ", SH_E_REDIR_TARGET, 5, NULL);
	expect_error("echo > # c", SH_E_REDIR_TARGET, 5, NULL);
	expect_error("echo < ;", SH_E_REDIR_TARGET, 5, NULL);
	expect_error("echo 2>&x", SH_E_REDIR_FD, 5, NULL);
	expect_error("echo 2>&12", SH_E_REDIR_FD, 5, NULL);
	expect_error("echo >&", SH_E_REDIR_FD, 5, NULL);
	expect_error("| x", SH_E_PIPE_START, 0, "no command before '|' (column 1)");
	expect_error("x |", SH_E_PIPE_END, 2, "no command after '|' (column 3)");
	expect_error("x | | y", SH_E_PIPE_END, 2, NULL);
	expect_error("x | && y", SH_E_PIPE_END, 2, NULL);
	expect_error("x |  # c", SH_E_PIPE_END, 2, NULL);
	expect_error("; x", SH_E_NO_COMMAND, 0, "no command before ';' (column 1)");
	expect_error("x ;; y", SH_E_NO_COMMAND, 3, "no command before ';' (column 4)");
	expect_error("&& x", SH_E_NO_COMMAND, 0, "no command before '&&' (column 1)");
	expect_error("x && || y", SH_E_NO_COMMAND, 5, "no command before '||' (column 6)");
	expect_error("x &&", SH_E_LIST_END, 2, "no command after '&&' (column 3)");
	expect_error("x ||  ", SH_E_LIST_END, 2, "no command after '||' (column 3)");
	expect_error("x &", SH_E_UNSUPPORTED, 2, "unsupported syntax (column 3)");
	expect_error("(x)", SH_E_UNSUPPORTED, 0, NULL);
	expect_error("echo `x`", SH_E_UNSUPPORTED, 5, NULL);
	expect_error("echo \"`x`\"", SH_E_UNSUPPORTED, 6, NULL);
	expect_error("echo $(x)", SH_E_UNSUPPORTED, 5, NULL);
	expect_error("echo \"$(x)\"", SH_E_UNSUPPORTED, 6, NULL);
	expect_error("echo a\x01", SH_E_BAD_BYTE, 6, "control character in the line (column 7)");
	expect_error("echo \x7f", SH_E_BAD_BYTE, 5, NULL);
	expect_error("echo '\x1b[2J'", SH_E_BAD_BYTE, 6, NULL);
	/* A NUL inside the line. */
	struct sh_parse_error err;
	assert_int_equal(parse_n("echo a\0b", 8, &err), SH_E_BAD_BYTE);
	assert_int_equal(err.pos, 6);
}

/* A line of n bytes: "echo" then "a"s. */
static void long_line(char *buf, size_t n)
{
	memset(buf, 'a', n);
	memcpy(buf, "echo ", 5);
}

static void test_sh_parse_line_limit(void **state)
{
	static char buf[SH_LINE_MAX + 2];
	struct sh_parse_error err;
	long_line(buf, SH_LINE_MAX);
	assert_int_equal(parse_n(buf, SH_LINE_MAX, &err), SH_OK);
	assert_int_equal(line.word_count, 2);
	assert_int_equal(line.words[1].len, SH_LINE_MAX - 5);
	/* The newline that ends a full line does not count. */
	buf[SH_LINE_MAX] = '\n';
	assert_int_equal(parse_n(buf, SH_LINE_MAX + 1, &err), SH_OK);
	long_line(buf, SH_LINE_MAX + 1);
	assert_int_equal(parse_n(buf, SH_LINE_MAX + 1, &err), SH_E_LINE_TOO_LONG);
	assert_string_equal(err.message, "line too long (column 4097)");
	assert_int_equal(line.word_count, 0);
}

/* n times unit, joined, into buf. */
static const char *repeat(const char *unit, unsigned n)
{
	static char buf[SH_LINE_MAX * 2];
	size_t used = 0, len = strlen(unit);
	for (unsigned i = 0; i < n; i++) {
		assert_true(used + len < sizeof(buf));
		memcpy(buf + used, unit, len);
		used += len;
	}
	buf[used] = '\0';
	return buf;
}

static void test_sh_parse_count_limits(void **state)
{
	struct sh_parse_error err;
	const char *text = repeat("w ", SH_WORDS_MAX);
	assert_int_equal(parse_n(text, strlen(text), &err), SH_OK);
	assert_int_equal(line.word_count, SH_WORDS_MAX);
	text = repeat("w ", SH_WORDS_MAX + 1);
	assert_int_equal(parse_n(text, strlen(text), &err), SH_E_TOO_MANY_WORDS);
	assert_int_equal(err.pos, SH_WORDS_MAX * 2);
	assert_string_equal(err.message, "too many words (column 513)");

	text = repeat("c|", SH_COMMANDS_MAX - 1);
	char buf[256];
	snprintf(buf, sizeof(buf), "%sc", text);
	assert_int_equal(parse_n(buf, strlen(buf), &err), SH_OK);
	assert_int_equal(line.command_count, SH_COMMANDS_MAX);
	assert_int_equal(line.pipelines[0].commands, SH_COMMANDS_MAX);
	snprintf(buf, sizeof(buf), "%sc;d", text);
	assert_int_equal(parse_n(buf, strlen(buf), &err), SH_E_TOO_MANY_COMMANDS);
	text = repeat("c;", SH_COMMANDS_MAX);
	assert_int_equal(parse_n(text, strlen(text), &err), SH_OK);
	assert_int_equal(line.pipeline_count, SH_COMMANDS_MAX);
	text = repeat("c;", SH_COMMANDS_MAX + 1);
	assert_int_equal(parse_n(text, strlen(text), &err), SH_E_TOO_MANY_COMMANDS);

	text = repeat(">f ", SH_REDIRS_MAX);
	assert_int_equal(parse_n(text, strlen(text), &err), SH_OK);
	assert_int_equal(line.redir_count, SH_REDIRS_MAX);
	assert_int_equal(line.command_count, 1);
	text = repeat(">f ", SH_REDIRS_MAX + 1);
	assert_int_equal(parse_n(text, strlen(text), &err), SH_E_TOO_MANY_REDIRS);
	assert_int_equal(line.redir_count, 0);
}

static const char *big_value;

static const char *lookup_big(void *ctx, const char *name, size_t len)
{
	return len == 1 && name[0] == 'B' ? big_value : NULL;
}

static void test_sh_parse_expand_limit(void **state)
{
	static char value[SH_WORD_MAX];
	char out[SH_WORD_MAX];
	struct sh_parse_error err;
	int removed;
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0'; /* SH_WORD_MAX - 1 bytes: just fits */
	big_value = value;
	assert_int_equal(parse_n("$B x$B", 6, &err), SH_OK);
	assert_int_equal(
	    sh_expand(&line, line.words[0], lookup_big, NULL, out, sizeof(out), &removed), SH_OK);
	assert_int_equal(strlen(out), SH_WORD_MAX - 1);
	/* One byte more than fits: cut, terminated, and an error. */
	assert_int_equal(
	    sh_expand(&line, line.words[1], lookup_big, NULL, out, sizeof(out), &removed),
	    SH_E_WORD_TOO_LONG);
	assert_int_equal(strlen(out), SH_WORD_MAX - 1);
	char small[4];
	assert_int_equal(
	    sh_expand(&line, line.words[1], lookup_big, NULL, small, sizeof(small), &removed),
	    SH_E_WORD_TOO_LONG);
	assert_string_equal(small, "xvv");
	assert_int_equal(sh_expand(&line, line.words[1], lookup_big, NULL, small, 0, &removed),
			 SH_E_WORD_TOO_LONG);
}

static void test_sh_parse_assignment(void **state)
{
	struct sh_parse_error err;
	const char *text = "A=1 _x9=\"a b\" =x 9a=1 a-b=1 'A'=1 A \"A=1\" A==";
	assert_int_equal(parse_n(text, strlen(text), &err), SH_OK);
	assert_int_equal(line.word_count, 9);
	static const size_t names[] = {1, 3, 0, 0, 0, 0, 0, 0, 1};
	for (unsigned i = 0; i < 9; i++)
		assert_int_equal(sh_assignment(&line, line.words[i]), names[i]);
	char long_name[SH_VAR_NAME_MAX + 8];
	memset(long_name, 'n', sizeof(long_name));
	memcpy(long_name + SH_VAR_NAME_MAX - 1, "=1", 2);
	assert_int_equal(parse_n(long_name, SH_VAR_NAME_MAX + 1, &err), SH_OK);
	assert_int_equal(sh_assignment(&line, line.words[0]), SH_VAR_NAME_MAX - 1);
	memset(long_name, 'n', sizeof(long_name));
	memcpy(long_name + SH_VAR_NAME_MAX, "=1", 2);
	assert_int_equal(parse_n(long_name, SH_VAR_NAME_MAX + 2, &err), SH_OK);
	assert_int_equal(sh_assignment(&line, line.words[0]), 0);
	assert_true(sh_valid_name("PATH", 4));
	assert_true(sh_valid_name("_", 1));
	assert_false(sh_valid_name("", 0));
	assert_false(sh_valid_name("1A", 2));
	assert_false(sh_valid_name("A-B", 3));
	assert_false(sh_valid_name(long_name, SH_VAR_NAME_MAX));
}

static void test_sh_parse_error_text(void **state)
{
	assert_string_equal(sh_error_text(SH_E_SQUOTE), "unterminated single quote");
	assert_string_equal(sh_error_text(SH_E_WORD_TOO_LONG), "word too long");
	assert_string_equal(sh_error_text(-1), "unknown error");
	assert_string_equal(sh_error_text(1000), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sh_parse_words),
	    cmocka_unit_test(test_sh_parse_quotes),
	    cmocka_unit_test(test_sh_parse_variables),
	    cmocka_unit_test(test_sh_parse_tilde),
	    cmocka_unit_test(test_sh_parse_operators),
	    cmocka_unit_test(test_sh_parse_redirections),
	    cmocka_unit_test(test_sh_parse_comments),
	    cmocka_unit_test(test_sh_parse_errors),
	    cmocka_unit_test(test_sh_parse_line_limit),
	    cmocka_unit_test(test_sh_parse_count_limits),
	    cmocka_unit_test(test_sh_parse_expand_limit),
	    cmocka_unit_test(test_sh_parse_assignment),
	    cmocka_unit_test(test_sh_parse_error_text),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	free(copy);
	return failed;
}
