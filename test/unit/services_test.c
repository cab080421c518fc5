/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the etc/services parser (shared/lib/services.c).
 *
 * Every error is checked with its exact message, which names the line, and every
 * failing parse must leave the result empty. The parser is always handed exactly
 * len bytes, copied to the heap without a terminating NUL, so AddressSanitizer
 * catches a read past the end. The last test parses user/initfs/etc/services.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/services.h>

#define SAMPLE_PATH KOSH_SOURCE_DIR "/user/initfs/etc/services"

static struct kosh_services svcs; /* about 51 KiB: not on the stack */

/*
 * Text for building large inputs, in one static buffer (a failing check does not
 * return, so nothing here may need freeing); one text at a time.
 */
struct text {
	char *p;
	size_t len;
};

static struct text text_new(void)
{
	static char buf[KOSH_SERVICES_FILE_MAX + 4096];
	buf[0] = '\0';
	return (struct text){buf, 0};
}

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	char line[2048];
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(line));
	assert_true(t->len + (size_t)n < KOSH_SERVICES_FILE_MAX + 4096);
	memcpy(t->p + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
}

static int parse_n(const char *text, size_t len, struct kosh_services_error *err)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	int r = kosh_services_parse(copy, len, &svcs, err);
	free(copy);
	return r;
}

static int parse(const char *text, struct kosh_services_error *err)
{
	return parse_n(text, strlen(text), err);
}

static void expect_ok_n(const char *text, size_t len)
{
	struct kosh_services_error err;
	if (parse_n(text, len, &err))
		fail_msg("unexpected error: %s", err.message);
}

static void expect_ok(const char *text)
{
	expect_ok_n(text, strlen(text));
}

static int is_empty(const struct kosh_services *s)
{
	static const struct kosh_services zero;
	return memcmp(s, &zero, sizeof(*s)) == 0;
}

/* text must fail on line with exactly message, leaving svcs empty. */
static void expect_error_n(const char *text, size_t len, uint32_t line, const char *message)
{
	struct kosh_services_error err;
	memset(&svcs, 0x5a, sizeof(svcs));
	assert_int_equal(parse_n(text, len, &err), -1);
	assert_string_equal(err.message, message);
	assert_int_equal(err.line, line);
	assert_true(is_empty(&svcs));
}

static void expect_error(const char *text, uint32_t line, const char *message)
{
	expect_error_n(text, strlen(text), line, message);
}

static const struct kosh_service *svc(const char *name)
{
	int i = kosh_services_find(&svcs, name);
	if (i < 0)
		fail_msg("no service %s", name);
	return &svcs.services[i];
}

static const char *arg(const struct kosh_service *s, uint32_t i)
{
	assert_true(i < s->arg_count);
	return s->arg_text + s->arg_offset[i];
}

/* ---- valid files ---- */

static void test_services_empty_file(void **state)
{
	expect_ok("");
	assert_int_equal(svcs.count, 0);
	expect_ok("# only a comment\n\n   \n\t\n");
	assert_int_equal(svcs.count, 0);
}

static void test_services_parses_every_key(void **state)
{
	const char *text = "[service net]\n"
			   "binary = initfs:///sbin/net\n"
			   "args = -v \"a b\" \"\" x=1 #not-a-comment\n"
			   "arch = x86_64\n"
			   "endpoint = serve net dns\n"
			   "endpoint = use log\n"
			   "irq = 11 0x2b\n"
			   "ioport = 0xc000-0x20 0x60-1\n"
			   "mmio = 0xfebf0000-64K 0x1000-0x1000\n"
			   "quota = 16M\n"
			   "after = log\n"
			   "restart = on-failure\n"
			   "backoff = 250ms 30s\n"
			   "[service log]\n"
			   "binary = fs:///bin/logd\n"
			   "restart = never\n";
	const struct kosh_service *s;
	expect_ok(text);
	assert_int_equal(svcs.count, 2);
	s = svc("net");
	assert_string_equal(s->name, "net");
	assert_string_equal(s->binary, "initfs:///sbin/net");
	assert_int_equal(s->arg_count, 5);
	assert_string_equal(arg(s, 0), "-v");
	assert_string_equal(arg(s, 1), "a b");
	assert_string_equal(arg(s, 2), "");
	assert_string_equal(arg(s, 3), "x=1");
	assert_string_equal(arg(s, 4), "#not-a-comment");
	assert_int_equal(s->arches, KOSH_SERVICE_ARCH_X86_64);
	assert_int_equal(s->endpoint_count, 3);
	assert_string_equal(s->endpoints[0].name, "net");
	assert_int_equal(s->endpoints[0].role, KOSH_SERVICE_SERVE);
	assert_string_equal(s->endpoints[1].name, "dns");
	assert_int_equal(s->endpoints[1].role, KOSH_SERVICE_SERVE);
	assert_string_equal(s->endpoints[2].name, "log");
	assert_int_equal(s->endpoints[2].role, KOSH_SERVICE_USE);
	assert_int_equal(s->irq_count, 2);
	assert_int_equal(s->irqs[0], 11);
	assert_int_equal(s->irqs[1], 43);
	assert_int_equal(s->ioport_count, 2);
	assert_int_equal(s->ioports[0].base, 0xc000);
	assert_int_equal(s->ioports[0].size, 0x20);
	assert_int_equal(s->ioports[1].base, 0x60);
	assert_int_equal(s->ioports[1].size, 1);
	assert_int_equal(s->mmio_count, 2);
	assert_int_equal(s->mmio[0].base, 0xfebf0000);
	assert_int_equal(s->mmio[0].size, 64 * 1024);
	assert_int_equal(s->mmio[1].base, 0x1000);
	assert_int_equal(s->mmio[1].size, 0x1000);
	assert_int_equal(s->quota, 16 << 20);
	assert_int_equal(s->after_count, 1);
	assert_string_equal(s->after[0], "log");
	assert_int_equal(s->after_index[0], 1);
	assert_int_equal(s->restart, KOSH_SERVICE_RESTART_ON_FAILURE);
	assert_int_equal(s->backoff_initial_ms, 250);
	assert_int_equal(s->backoff_max_ms, 30000);
	assert_int_equal(s->line, 1);
	s = svc("log");
	assert_string_equal(s->binary, "fs:///bin/logd");
	assert_int_equal(s->restart, KOSH_SERVICE_RESTART_NEVER);
	assert_int_equal(s->line, 14);
}

static void test_services_defaults(void **state)
{
	const struct kosh_service *s;
	expect_ok("[service a]\nbinary = initfs:///a\n");
	s = svc("a");
	assert_int_equal(s->arg_count, 0);
	assert_int_equal(s->arches, KOSH_SERVICE_ARCH_ALL);
	assert_int_equal(s->endpoint_count + s->irq_count + s->ioport_count + s->mmio_count, 0);
	assert_int_equal(s->quota, 0);
	assert_int_equal(s->after_count, 0);
	assert_int_equal(s->restart, KOSH_SERVICE_RESTART_ALWAYS);
	assert_int_equal(s->backoff_initial_ms, 100);
	assert_int_equal(s->backoff_max_ms, 10000);
}

static void test_services_accepts_crlf_and_missing_final_newline(void **state)
{
	expect_ok("[service a]\r\nbinary = initfs:///a\r\nquota = 4K\r\n[service b]\r\n"
		  "binary = initfs:///b\r\nafter = a");
	assert_int_equal(svcs.count, 2);
	assert_string_equal(svc("a")->binary, "initfs:///a");
	assert_int_equal(svc("a")->quota, 4096);
	assert_string_equal(svc("b")->after[0], "a");
	assert_int_equal(svc("b")->line, 4);
	expect_error("[service a]\r\nbinary = initfs:///a\r\nirqs = 1\r\n", 3,
		     "line 3: unknown key 'irqs'");
	expect_error("[service a]\r\nbinary = initfs:///a\r\nirq = 1\r\rx\n", 3,
		     "line 3: control or non-ASCII byte 0x0d in column 8");
}

static void test_services_skips_comments_and_blank_lines(void **state)
{
	expect_ok("# head\n\n  # indented comment\n[service a]\n\t# tab\n\n"
		  "  binary\t=\tinitfs:///a  \n# [service b]\n#binary = x\n");
	assert_int_equal(svcs.count, 1);
	assert_int_equal(svc("a")->line, 4);
}

static void test_services_skips_utf8_bom(void **state)
{
	expect_ok("\xef\xbb\xbf[service a]\nbinary = initfs:///a\n");
	assert_int_equal(svcs.count, 1);
}

static void test_services_orders_by_dependencies(void **state)
{
	uint8_t order[KOSH_SERVICES_MAX];
	const char *text = "[service sh]\nbinary = initfs:///sh\nafter = console fs\n"
			   "[service console]\nbinary = initfs:///c\nafter = log\n"
			   "[service fs]\nbinary = initfs:///f\nafter = log\n"
			   "[service log]\nbinary = initfs:///l\n"
			   "[service free]\nbinary = initfs:///x\n";
	expect_ok(text);
	assert_int_equal(kosh_services_order(&svcs, order), 5);
	/* Each step takes the first ready service in file order. */
	const char *want[] = {"log", "console", "fs", "sh", "free"};
	for (int i = 0; i < 5; i++)
		assert_string_equal(svcs.services[order[i]].name, want[i]);
}

static void test_services_order_keeps_file_order_without_dependencies(void **state)
{
	uint8_t order[KOSH_SERVICES_MAX];
	expect_ok("[service c]\nbinary = initfs:///c\n[service a]\nbinary = initfs:///a\n"
		  "[service b]\nbinary = initfs:///b\n");
	assert_int_equal(kosh_services_order(&svcs, order), 3);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
}

static void test_services_order_stops_short_on_a_cycle(void **state)
{
	uint8_t order[KOSH_SERVICES_MAX];
	static struct kosh_services s;
	memset(&s, 0, sizeof(s));
	s.count = 3;
	s.services[1].after_count = 1;
	s.services[1].after_index[0] = 2;
	s.services[2].after_count = 1;
	s.services[2].after_index[0] = 1;
	assert_int_equal(kosh_services_order(&s, order), 1);
	assert_int_equal(order[0], 0);
}

static void test_services_args_quoting(void **state)
{
	const struct kosh_service *s;
	expect_ok("[service a]\nbinary = initfs:///a\nargs = \"  two  spaces \"\tb\t\"c=d\" e\n");
	s = svc("a");
	assert_int_equal(s->arg_count, 4);
	assert_string_equal(arg(s, 0), "  two  spaces ");
	assert_string_equal(arg(s, 1), "b");
	assert_string_equal(arg(s, 2), "c=d");
	assert_string_equal(arg(s, 3), "e");
	expect_ok("[service a]\nbinary = initfs:///a\nargs = \"\tx\ty\"\n");
	assert_string_equal(arg(svc("a"), 0), "\tx\ty"); /* tabs inside quotes are kept */
	expect_error("[service a]\nargs = a \"b c\n", 2, "line 2: args: unterminated '\"'");
	expect_error("[service a]\nargs = a\"b\"\n", 2,
		     "line 2: args: '\"' inside a word (quote the whole argument)");
	expect_error("[service a]\nargs = \"b\"c\n", 2,
		     "line 2: args: a blank must follow a closing '\"'");
}

/* ---- error classes ---- */

static void test_services_rejects_unknown_key(void **state)
{
	expect_error("[service net]\nbinary = initfs:///net\n\n\n\n\nirqs = 4\n", 7,
		     "line 7: unknown key 'irqs'");
	expect_error("[service net]\nBinary = initfs:///net\n", 2, "line 2: unknown key 'Binary'");
	expect_error("[service net]\n= x\n", 2, "line 2: unknown key ''");
	/* Found by fuzz_services: a tab inside a quoted value is shown as a space. */
	expect_error("z\t; =\n", 1, "line 1: unknown key 'z ;'");
}

static void test_services_rejects_bad_quota(void **state)
{
	const char *head = "[service a]\nbinary = initfs:///a\n";
	char text[256];
	static const struct {
		const char *value, *message;
	} cases[] = {
	    {"12Q", "line 3: quota '12Q': unknown suffix (use K, M or G)"},
	    {"12k", "line 3: quota '12k': unknown suffix (use K, M or G)"},
	    {"4KB", "line 3: quota '4KB': unknown suffix (use K, M or G)"},
	    {"M", "line 3: quota 'M' is not a number"},
	    {"0", "line 3: quota '0' is not a whole, non-zero number of 4K pages"},
	    {"4097", "line 3: quota '4097' is not a whole, non-zero number of 4K pages"},
	    {"1025G", "line 3: quota '1025G' is too large (at most 1024G)"},
	    {"99999999999G", "line 3: quota '99999999999G': number too large"},
	    {"99999999999999999999", "line 3: quota '99999999999999999999': number too large"},
	    {"4K 8K", "line 3: quota '4K 8K': unknown suffix (use K, M or G)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%squota = %s\n", head, cases[i].value);
		expect_error(text, 3, cases[i].message);
	}
	snprintf(text, sizeof(text), "%squota = 1024G\n", head);
	expect_ok(text);
	assert_int_equal(svc("a")->quota, 1ull << 40);
	snprintf(text, sizeof(text), "%squota = 0x1000\n", head);
	expect_ok(text);
	assert_int_equal(svc("a")->quota, 4096);
}

static void test_services_rejects_unknown_dependency(void **state)
{
	expect_error("[service net]\nbinary = initfs:///net\nafter = log\n\nafter = dhcp\n"
		     "[service log]\nbinary = initfs:///log\n",
		     5, "line 5: service 'net' depends on unknown service 'dhcp'");
}

static void test_services_rejects_dependency_cycles(void **state)
{
	expect_error("[service a]\nbinary = initfs:///a\nafter = b\n"
		     "[service b]\nbinary = initfs:///b\nafter = a\n",
		     1, "line 1: a dependency cycle: a -> b -> a");
	/* The walk starts at the first service left over; x leads into the cycle. */
	expect_error("[service ok]\nbinary = initfs:///o\n"
		     "[service x]\nbinary = initfs:///x\nafter = ok c\n"
		     "[service c]\nbinary = initfs:///c\nafter = d\n"
		     "[service d]\nbinary = initfs:///d\nafter = e\n"
		     "[service e]\nbinary = initfs:///e\nafter = ok c\n",
		     6, "line 6: a dependency cycle: c -> d -> e -> c");
	expect_error("[service a]\nbinary = initfs:///a\nafter = a\n", 3,
		     "line 3: service 'a' cannot depend on itself");
}

static void test_services_cycle_message_is_truncated(void **state)
{
	struct text t = text_new();
	struct kosh_services_error err;
	for (int i = 0; i < 32; i++)
		add(&t, "[service %s-%02d]\nbinary = initfs:///x\nafter = %s-%02d\n",
		    "a-rather-long-service-name", i, "a-rather-long-service-name", (i + 1) % 32);
	assert_int_equal(parse_n(t.p, t.len, &err), -1);
	assert_int_equal(err.line, 1);
	assert_true(strncmp(err.message,
			    "line 1: a dependency cycle: a-rather-long-service-name-00 -> "
			    "a-rather-long-service-name-01 -> ",
			    90) == 0);
	assert_true(strlen(err.message) == KOSH_SERVICES_ERROR_MAX - 1);
}

static void test_services_rejects_duplicates(void **state)
{
	expect_error("[service a]\nbinary = initfs:///a\n\n[service a]\n", 4,
		     "line 4: duplicate service 'a' (first on line 1)");
	expect_error("[service a]\nbinary = initfs:///a\nbinary = initfs:///b\n", 3,
		     "line 3: duplicate key 'binary' in service 'a'");
	expect_error("[service a]\nbinary = initfs:///a\nargs = x\nargs = y\n", 4,
		     "line 4: duplicate key 'args' in service 'a'");
	expect_error("[service a]\nbinary = initfs:///a\nquota = 4K\nquota = 4K\n", 4,
		     "line 4: duplicate key 'quota' in service 'a'");
	expect_error("[service a]\nbinary = initfs:///a\nrestart = never\nrestart = never\n", 4,
		     "line 4: duplicate key 'restart' in service 'a'");
	expect_error("[service a]\nbinary = initfs:///a\nbackoff = 1s 2s\nbackoff = 1s 2s\n", 4,
		     "line 4: duplicate key 'backoff' in service 'a'");
	expect_error("[service a]\narch = x86_64\narch = aarch64\n", 3,
		     "line 3: duplicate key 'arch' in service 'a'");
	expect_error("[service a]\nendpoint = serve x\nendpoint = use y x\n", 3,
		     "line 3: endpoint 'x' listed twice");
	expect_error("[service a]\nirq = 3 4\nirq = 3\n", 3, "line 3: irq 3 listed twice");
	expect_error("[service a]\nafter = b\nafter = c b\n", 3,
		     "line 3: dependency 'b' listed twice");
	expect_error("[service a]\narch = x86_64 x86_64\n", 2,
		     "line 2: arch 'x86_64' listed twice");
}

static void test_services_rejects_missing_binary(void **state)
{
	expect_error("[service a]\nquota = 4K\n[service b]\nbinary = initfs:///b\n", 1,
		     "line 1: service 'a' has no binary");
	expect_error("[service a]\nbinary = initfs:///a\n\n[service b]\nargs = x\n", 4,
		     "line 4: service 'b' has no binary");
}

static void test_services_rejects_bad_binary(void **state)
{
	static const char *bad[] = {"/sbin/a",	 "initfs://sbin/a", "initfs:///",    "fs:///a/",
				    "http:///a", "initfs:/",	    "initfs:///a b", "fs:///\"a\""};
	char text[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kosh_services_error err;
		snprintf(text, sizeof(text), "[service a]\nbinary = %s\n", bad[i]);
		assert_int_equal(parse(text, &err), -1);
		assert_int_equal(err.line, 2);
	}
	expect_error("[service a]\nbinary = sbin/a\n", 2,
		     "line 2: binary 'sbin/a' must be an initfs:/// or fs:/// file path");
	expect_error("[service a]\nbinary = initfs:///a b\n", 2,
		     "line 2: binary 'initfs:///a b': no spaces or quotes in a path");
}

static void test_services_rejects_misplaced_and_malformed_lines(void **state)
{
	expect_error("# x\nbinary = initfs:///a\n", 2,
		     "line 2: key 'binary' before any [service NAME]");
	expect_error("[service a]\nbinary initfs:///a\n", 2,
		     "line 2: missing '=' (expected key = value)");
	expect_error("[service a]\nbinary =  \n", 2, "line 2: key 'binary' has no value");
	expect_error("[service a\n", 1,
		     "line 1: malformed section header (expected [service NAME])");
	expect_error("[", 1, "line 1: malformed section header (expected [service NAME])");
	expect_error("[driver a]\n", 1,
		     "line 1: unknown section '[driver a]' (expected [service NAME])");
	expect_error("[service]\n", 1,
		     "line 1: unknown section '[service]' (expected [service NAME])");
	expect_error("[]\n", 1, "line 1: unknown section '[]' (expected [service NAME])");
	expect_error("[service a b]\n", 1,
		     "line 1: bad service name 'a b' (use a-z, 0-9 and '-', not first)");
}

static void test_services_rejects_bad_names(void **state)
{
	static const char *bad[] = {"Net", "-net", "net_1", "net.d", "n\xc3\xa9t"};
	char text[128];
	for (size_t i = 0; i < 4; i++) {
		char want[160];
		snprintf(text, sizeof(text), "[service %s]\n", bad[i]);
		snprintf(want, sizeof(want),
			 "line 1: bad service name '%s' (use a-z, 0-9 and '-', not first)", bad[i]);
		expect_error(text, 1, want);
	}
	expect_error("[service x]\nbinary = initfs:///x\nendpoint = use Log\n", 3,
		     "line 3: bad endpoint name 'Log' (use a-z, 0-9 and '-', not first)");
	expect_error("[service x]\nbinary = initfs:///x\nafter = a_b\n", 3,
		     "line 3: bad service name 'a_b' (use a-z, 0-9 and '-', not first)");
	expect_ok("[service 9-a-]\nbinary = initfs:///x\n");
}

static void test_services_rejects_control_and_non_ascii_bytes(void **state)
{
	expect_error("[service a]\nbinary = initfs:///\x01\n", 2,
		     "line 2: control or non-ASCII byte 0x01 in column 20");
	expect_error("# caf\xc3\xa9\n", 1, "line 1: control or non-ASCII byte 0xc3 in column 6");
	expect_error("[service a]\n\x7f\n", 2,
		     "line 2: control or non-ASCII byte 0x7f in column 1");
	expect_error("#\rx\n", 1, "line 1: control or non-ASCII byte 0x0d in column 2");
	expect_error_n("[service a]\nbin\0ary = x\n", 24, 2,
		       "line 2: control or non-ASCII byte 0x00 in column 4");
}

static void test_services_rejects_bad_endpoint_lines(void **state)
{
	const char *h = "[service a]\nbinary = initfs:///a\n";
	char text[256];
	snprintf(text, sizeof(text), "%sendpoint = serves log\n", h);
	expect_error(text, 3, "line 3: endpoint 'serves': expected serve NAME... or use NAME...");
	snprintf(text, sizeof(text), "%sendpoint = use\n", h);
	expect_error(text, 3, "line 3: endpoint: no name after 'use'");
	snprintf(text, sizeof(text),
		 "%sendpoint = serve log\n[service b]\nbinary = initfs:///b\n"
		 "endpoint = use vfs\nendpoint = serve log\n",
		 h);
	expect_error(text, 7, "line 7: endpoint 'log' is already served by 'a'");
	snprintf(text, sizeof(text), "%sendpoint = use log\nendpoint = serve log\n", h);
	expect_error(text, 4, "line 4: endpoint 'log' listed twice");
}

static void test_services_rejects_bad_irq_ioport_mmio(void **state)
{
	const char *h = "[service a]\nbinary = initfs:///a\n";
	char text[256];
	static const struct {
		const char *line, *message;
	} cases[] = {
	    {"irq = 1024", "line 3: irq '1024' out of range (0 to 1023)"},
	    {"irq = four", "line 3: irq 'four' is not a number"},
	    {"irq = 4K", "line 3: irq '4K' is not a number"},
	    {"irq = -1", "line 3: irq '-1' is not a number"},
	    {"ioport = 0x3f8", "line 3: ioport '0x3f8': expected BASE-COUNT, e.g. 0x3f8-8"},
	    {"ioport = 0x3f8-", "line 3: ioport '0x3f8-': expected BASE-COUNT, e.g. 0x3f8-8"},
	    {"ioport = -8", "line 3: ioport '-8': expected BASE-COUNT, e.g. 0x3f8-8"},
	    {"ioport = 0x3f8-8K", "line 3: ioport '8K' is not a number"},
	    {"ioport = 0x3f8-0",
	     "line 3: ioport '0x3f8-0': ports must lie in 0 to 0xffff, count >= 1"},
	    {"ioport = 0xffff-2",
	     "line 3: ioport '0xffff-2': ports must lie in 0 to 0xffff, count >= 1"},
	    {"ioport = 0x10000-1",
	     "line 3: ioport '0x10000-1': ports must lie in 0 to 0xffff, count >= 1"},
	    {"mmio = 0x9000000", "line 3: mmio '0x9000000': expected BASE-SIZE, e.g. 0x9000000-4K"},
	    {"mmio = 0x9000800-4K",
	     "line 3: mmio '0x9000800-4K': base and size must be whole 4K pages, size > 0"},
	    {"mmio = 0x9000000-100",
	     "line 3: mmio '0x9000000-100': base and size must be whole 4K pages, size > 0"},
	    {"mmio = 0x9000000-0",
	     "line 3: mmio '0x9000000-0': base and size must be whole 4K pages, size > 0"},
	    {"mmio = 0x9000000-4Q", "line 3: mmio '4Q': unknown suffix (use K, M or G)"},
	    {"mmio = 0xfffffffffffff000-4K",
	     "line 3: mmio '0xfffffffffffff000-4K' reaches past physical address 2^52"},
	    {"mmio = 0xffffffffff000-8K",
	     "line 3: mmio '0xffffffffff000-8K' reaches past physical address 2^52"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", h, cases[i].line);
		expect_error(text, 3, cases[i].message);
	}
	snprintf(text, sizeof(text),
		 "%sirq = 0 1023\nioport = 0xffff-1 0-1\n"
		 "mmio = 0xffffffffff000-4K\n",
		 h);
	expect_ok(text);
}

static void test_services_rejects_conflicting_capabilities(void **state)
{
	const char *h = "[service a]\nbinary = initfs:///a\nirq = 4\nioport = 0x3f8-8\n"
			"mmio = 0x9000000-8K\n[service b]\nbinary = initfs:///b\n";
	char text[512];
	snprintf(text, sizeof(text), "%sirq = 4\n", h);
	expect_error(text, 8, "line 8: irq 4 is already given to 'a'");
	snprintf(text, sizeof(text), "%sioport = 0x3ff-1\n", h);
	expect_error(text, 8, "line 8: ioport '0x3ff-1' overlaps 0x3f8-0x8 of 'a'");
	snprintf(text, sizeof(text), "%smmio = 0x9001000-4K\n", h);
	expect_error(text, 8, "line 8: mmio '0x9001000-4K' overlaps 0x9000000-0x2000 of 'a'");
	expect_error("[service a]\nioport = 0x60-1 0x60-4\n", 2,
		     "line 2: ioport '0x60-4' overlaps 0x60-0x1 of 'a'");
	/* Neighbours touch but do not overlap. */
	snprintf(text, sizeof(text),
		 "%sioport = 0x3f0-8 0x400-1\nmmio = 0x8fff000-4K 0x9002000-4K\n", h);
	expect_ok(text);
}

static void test_services_conflicts_only_within_an_architecture(void **state)
{
	expect_ok(
	    "[service a]\nbinary = initfs:///a\narch = x86_64\nendpoint = serve s\nirq = 4\n"
	    "[service b]\nbinary = initfs:///b\narch = aarch64\nendpoint = serve s\nirq = 4\n");
	expect_error("[service a]\nbinary = initfs:///a\narch = x86_64\nirq = 4\n"
		     "[service b]\nbinary = initfs:///b\narch = aarch64 x86_64\nirq = 4\n",
		     8, "line 8: irq 4 is already given to 'a'");
	expect_error("[service a]\nbinary = initfs:///a\nirq = 4\narch = x86_64\n", 4,
		     "line 4: arch must come before endpoint, irq, ioport and mmio");
	expect_error("[service a]\narch = riscv64\n", 2,
		     "line 2: arch 'riscv64': expected x86_64 or aarch64");
}

static void test_services_rejects_bad_restart_and_backoff(void **state)
{
	const char *h = "[service a]\nbinary = initfs:///a\n";
	char text[256];
	static const struct {
		const char *line, *message;
	} cases[] = {
	    {"restart = sometimes",
	     "line 3: restart 'sometimes': expected always, on-failure or never"},
	    {"restart = always never",
	     "line 3: restart 'always never': expected always, on-failure or never"},
	    {"backoff = 100ms", "line 3: backoff '100ms': expected INITIAL CAP, e.g. 100ms 10s"},
	    {"backoff = 1s 2s 3s",
	     "line 3: backoff '1s 2s 3s': expected INITIAL CAP, e.g. 100ms 10s"},
	    {"backoff = 5h 10h", "line 3: backoff '5h': unknown unit (use ms or s)"},
	    {"backoff = 100 10s", "line 3: backoff '100': unknown unit (use ms or s)"},
	    {"backoff = ms 10s", "line 3: backoff 'ms' is not a duration (e.g. 100ms, 10s)"},
	    {"backoff = 0x10s 10s", "line 3: backoff '0x10s' is not a duration (e.g. 100ms, 10s)"},
	    {"backoff = 0ms 10s", "line 3: backoff '0ms' out of range (1ms to 3600s)"},
	    {"backoff = 1s 3601s", "line 3: backoff '3601s' out of range (1ms to 3600s)"},
	    {"backoff = 1s 3600001ms", "line 3: backoff '3600001ms' out of range (1ms to 3600s)"},
	    {"backoff = 1s 99999999999999999999s",
	     "line 3: backoff '99999999999999999999s' out of range (1ms to 3600s)"},
	    {"backoff = 10s 1s", "line 3: backoff '10s 1s': the cap is below the initial delay"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", h, cases[i].line);
		expect_error(text, 3, cases[i].message);
	}
	snprintf(text, sizeof(text), "%sbackoff = 1ms 3600s\n", h);
	expect_ok(text);
	assert_int_equal(svc("a")->backoff_initial_ms, 1);
	assert_int_equal(svc("a")->backoff_max_ms, 3600000);
	snprintf(text, sizeof(text), "%sbackoff = 2s 2000ms\n", h);
	expect_ok(text);
}

/* ---- limits, exactly at and one past ---- */

static void test_services_limits_service_count(void **state)
{
	struct text t = text_new();
	for (int i = 0; i < KOSH_SERVICES_MAX; i++)
		add(&t, "[service s%d]\nbinary = initfs:///s\n", i);
	expect_ok_n(t.p, t.len);
	assert_int_equal(svcs.count, KOSH_SERVICES_MAX);
	add(&t, "[service one-more]\n");
	expect_error_n(t.p, t.len, 65, "line 65: too many services (at most 32)");
}

static void test_services_limits_name_length(void **state)
{
	char name[40], text[256];
	memset(name, 'n', 31);
	name[31] = '\0';
	snprintf(text, sizeof(text), "[service %s]\nbinary = initfs:///a\nendpoint = use %.15s\n",
		 name, name);
	expect_ok(text);
	assert_string_equal(svcs.services[0].name, name);
	assert_string_equal(svcs.services[0].endpoints[0].name, name + 16);
	strcat(name, "n");
	snprintf(text, sizeof(text), "[service %s]\n", name);
	expect_error(text, 1,
		     "line 1: service name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' is too long "
		     "(at most 31 characters)");
	/* Endpoint names are start-page names: 15 characters at most. */
	snprintf(text, sizeof(text), "[service a]\nendpoint = serve %.16s\n", name);
	expect_error(text, 2,
		     "line 2: endpoint name 'nnnnnnnnnnnnnnnn' is too "
		     "long (at most 15 characters)");
}

static void test_services_limits_binary_length(void **state)
{
	char path[200], text[300];
	strcpy(path, "initfs:///");
	memset(path + 10, 'p', 117);
	path[127] = '\0';
	snprintf(text, sizeof(text), "[service a]\nbinary = %s\n", path);
	expect_ok(text);
	assert_string_equal(svcs.services[0].binary, path);
	strcat(path, "p");
	snprintf(text, sizeof(text), "[service a]\nbinary = %s\n", path);
	expect_error(text, 2,
		     "line 2: binary 'initfs:///pppppppppppppppppppppppppppppp...' is "
		     "too long (at most 127 characters)");
}

static void test_services_limits_args(void **state)
{
	struct text t = text_new();
	char big[300];
	add(&t, "[service a]\nbinary = initfs:///a\nargs =");
	for (int i = 0; i < KOSH_SERVICES_ARGS_MAX; i++)
		add(&t, " a%d", i);
	expect_ok_n(t.p, t.len);
	assert_int_equal(svcs.services[0].arg_count, 16);
	assert_string_equal(arg(&svcs.services[0], 15), "a15");
	add(&t, " x");
	expect_error_n(t.p, t.len, 3, "line 3: too many arguments (at most 16)");
	/* 256 bytes in all, each argument with its NUL: 2 x 128 fits, one more byte does not. */
	memset(big, 'b', 127);
	big[127] = '\0';
	t = text_new();
	add(&t, "[service a]\nbinary = initfs:///a\nargs = %s %s", big, big);
	expect_ok_n(t.p, t.len);
	assert_int_equal(strlen(arg(&svcs.services[0], 1)), 127);
	add(&t, "b");
	expect_error_n(t.p, t.len, 3,
		       "line 3: arguments too long (at most 256 bytes, one NUL each)");
}

/* key with n values, as one line each or all on one line. */
static void limit_case(const char *key, const char *fmt, const char *what, int one_line)
{
	struct text t = text_new();
	char want[128];
	add(&t, "[service a]\nbinary = initfs:///a\n%s", one_line ? key : "");
	for (int i = 0; i <= KOSH_SERVICES_CAPS_MAX; i++) {
		if (i == KOSH_SERVICES_CAPS_MAX)
			expect_ok_n(t.p, t.len);
		if (!one_line)
			add(&t, "%s", key);
		add(&t, fmt, i);
		if (!one_line)
			add(&t, "\n");
	}
	snprintf(want, sizeof(want), "line %d: too many %s in service 'a' (at most 8)",
		 one_line ? 3 : 11, what);
	expect_error_n(t.p, t.len, one_line ? 3 : 11, want);
}

static void test_services_limits_capabilities(void **state)
{
	for (int one_line = 0; one_line < 2; one_line++) {
		limit_case("endpoint = use", " e%d", "endpoints", one_line);
		limit_case("irq =", " %d", "irqs", one_line);
		limit_case("ioport =", " %d-1", "ioport ranges", one_line);
		limit_case("mmio =", " 0x%d0000-4K", "mmio ranges", one_line);
	}
	/* after: the services must exist for the parse at the limit to succeed. */
	struct text t = text_new();
	for (int i = 0; i < 9; i++)
		add(&t, "[service d%d]\nbinary = initfs:///d\n", i);
	add(&t, "[service a]\nbinary = initfs:///a\nafter = d0 d1 d2 d3 d4 d5 d6 d7");
	expect_ok_n(t.p, t.len);
	assert_int_equal(svc("a")->after_count, 8);
	assert_int_equal(svc("a")->after_index[7], 7);
	add(&t, " d8");
	expect_error_n(t.p, t.len, 21, "line 21: too many dependencies in service 'a' (at most 8)");
}

static void test_services_limits_line_length(void **state)
{
	char text[700];
	int n = snprintf(text, sizeof(text), "# ");
	memset(text + n, 'c', 510);
	strcpy(text + n + 510, "\r\n");
	expect_ok(text); /* 512 characters, plus CR LF */
	strcpy(text + n + 510, "c\n");
	expect_error(text, 1, "line 1: line too long (at most 512 characters)");
}

static void test_services_limits_file_size(void **state)
{
	static char text[KOSH_SERVICES_FILE_MAX + 1];
	for (size_t i = 0; i < KOSH_SERVICES_FILE_MAX + 1; i++)
		text[i] = (i % 64 == 63) ? '\n' : '#';
	expect_ok_n(text, KOSH_SERVICES_FILE_MAX);
	expect_error_n(text, KOSH_SERVICES_FILE_MAX + 1, 0, "file too large (at most 65536 bytes)");
}

/* ---- the keys init needs: scheme, stdio, grant; reserved names ---- */

static void test_services_schemes_stdio_and_grants(void **state)
{
	const struct kosh_service *s;
	expect_ok("[service fs]\nbinary = initfs:///f\nscheme = fs tmp\n"
		  "endpoint = serve fs tmp other\nscheme = other\n"
		  "grant = klog-read\ngrant = klog-console quota-root\n"
		  "[service sh]\nbinary = initfs:///sh\nstdio = console://\n");
	s = svc("fs");
	assert_int_equal(s->scheme_count, 3);
	assert_string_equal(s->schemes[0], "fs");
	assert_string_equal(s->schemes[1], "tmp");
	assert_string_equal(s->schemes[2], "other");
	assert_int_equal(s->grants, KOSH_SERVICE_GRANT_KLOG_READ | KOSH_SERVICE_GRANT_KLOG_CONSOLE |
					KOSH_SERVICE_GRANT_QUOTA_ROOT);
	assert_string_equal(s->stdio, "");
	s = svc("sh");
	assert_int_equal(s->scheme_count, 0);
	assert_int_equal(s->grants, 0);
	assert_string_equal(s->stdio, "console://");
	expect_ok("[service sh]\nbinary = initfs:///sh\nstdio = fs:///tmp/out\n");
	assert_string_equal(svc("sh")->stdio, "fs:///tmp/out");
}

static void test_services_rejects_bad_schemes(void **state)
{
	const char *h = "[service a]\nbinary = initfs:///a\nendpoint = serve fs log-x\n";
	char text[256];
	static const struct {
		const char *line, *message;
		uint32_t at;
	} cases[] = {
	    {"scheme = log-x", "line 4: scheme 'log-x': use 1 to 15 characters of a-z and 0-9", 4},
	    {"scheme = FS", "line 4: scheme 'FS': use 1 to 15 characters of a-z and 0-9", 4},
	    {"scheme = abcdefghijklmnop",
	     "line 4: scheme 'abcdefghijklmnop': use 1 to 15 characters of a-z and 0-9", 4},
	    {"scheme = fs fs", "line 4: scheme 'fs' listed twice", 4},
	    {"scheme = fs\n\nscheme = log",
	     "line 6: scheme 'log' is not an endpoint service 'a' serves", 6},
	    {"endpoint = use pipe\nscheme = pipe",
	     "line 5: scheme 'pipe' is not an endpoint service 'a' serves", 5},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", h, cases[i].line);
		expect_error(text, cases[i].at, cases[i].message);
	}
	/* Checked when the section ends: the next section's line does not matter. */
	expect_error(
	    "[service a]\nbinary = initfs:///a\nscheme = x\n[service b]\nbinary = initfs:///b\n", 3,
	    "line 3: scheme 'x' is not an endpoint service 'a' serves");
}

static void test_services_rejects_bad_stdio_and_grants(void **state)
{
	const char *h = "[service a]\nbinary = initfs:///a\n";
	char text[512], long_uri[200];
	static const struct {
		const char *line, *message;
	} cases[] = {
	    {"stdio = console", "line 3: stdio 'console' must be a URI such as console://"},
	    {"stdio = /dev/tty", "line 3: stdio '/dev/tty' must be a URI such as console://"},
	    {"stdio = Con://", "line 3: stdio 'Con://' must be a URI such as console://"},
	    {"stdio = console:/", "line 3: stdio 'console:/' must be a URI such as console://"},
	    {"stdio = console:// x", "line 3: stdio 'console:// x': no spaces or quotes in a URI"},
	    {"stdio = console://\nstdio = console://",
	     "line 4: duplicate key 'stdio' in service 'a'"},
	    {"grant = klog",
	     "line 3: grant 'klog': expected klog-read, klog-console, quota-root, firmware, "
	     "framebuffer, mmio-control, irq-control, ioport-control or boot-info"},
	    {"grant = mmio", "line 3: grant 'mmio': expected klog-read, klog-console, quota-root, "
			     "firmware, framebuffer, mmio-control, irq-control, ioport-control or "
			     "boot-info"},
	    {"grant = firmware\ngrant = firmware", "line 4: grant 'firmware' listed twice"},
	    {"grant = klog-read klog-read", "line 3: grant 'klog-read' listed twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", h, cases[i].line);
		struct kosh_services_error err;
		assert_int_equal(parse(text, &err), -1);
		assert_string_equal(err.message, cases[i].message);
	}
	strcpy(long_uri, "console://");
	memset(long_uri + 10, 'p', 117);
	long_uri[127] = '\0';
	snprintf(text, sizeof(text), "%sstdio = %s\n", h, long_uri);
	expect_ok(text);
	strcat(long_uri, "p");
	snprintf(text, sizeof(text), "%sstdio = %s\n", h, long_uri);
	expect_error(text, 3,
		     "line 3: stdio 'console://pppppppppppppppppppppppppppppp...' is too long "
		     "(at most 127 characters)");
}

static void test_services_rejects_reserved_endpoint_names(void **state)
{
	static const char *reserved[] = {
	    "klog",	      "quota",	    "process",	   "space",	   "thread",
	    "stdin",	      "stdout",	    "stderr",	   "klog-read",	   "klog-console",
	    "irq-notify",     "quota-root", "irq4",	   "ioport0",	   "mmio12",
	    "rootinfo",	      "firmware",   "framebuffer", "mmio-control", "irq-control",
	    "ioport-control", "acpi0",	    "dtb1",	   "fb0",	   "boot-info"};
	char text[256], want[256];
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		snprintf(text, sizeof(text), "[service a]\nendpoint = use %s\n", reserved[i]);
		snprintf(
		    want, sizeof(want),
		    "line 2: endpoint name '%s' is reserved (init gives a handle of that name)",
		    reserved[i]);
		expect_error(text, 2, want);
	}
	/* Only the exact names, and irq/ioport/mmio with digits only. */
	expect_ok("[service a]\nbinary = initfs:///a\nendpoint = use klogd irq mmio-x ioport4a "
		  "quotas\n");
	expect_ok("[service a]\nbinary = initfs:///a\nendpoint = use acpi fbx dtb-0 input\n");
	expect_error("[service a]\nendpoint = serve svc\n", 2,
		     "line 2: endpoint 'svc' is served by init");
	expect_error("[service a]\nendpoint = serve initfs\n", 2,
		     "line 2: endpoint 'initfs' is served by bootstrap");
	expect_ok("[service a]\nbinary = initfs:///a\nendpoint = use svc initfs\n");
}

static void test_services_limits_start_handles(void **state)
{
	/*
	 * klog, quota, 8 endpoints, stdin, stdout, stderr: 13; firmware: rootinfo
	 * and 8 frames (22); framebuffer: fb<i> (rootinfo is shared: 23); the
	 * other six grants: 29; boot-info is the same rootinfo (29).
	 */
	const char *ok =
	    "[service a]\nbinary = initfs:///a\nendpoint = use a b c d e f g h\n"
	    "stdio = console://\ngrant = firmware framebuffer mmio-control irq-control "
	    "ioport-control klog-read klog-console quota-root boot-info\n";
	char text[512];
	expect_ok(ok);
	assert_int_equal(svc("a")->grants, KOSH_SERVICE_GRANTS_ALL);
	snprintf(text, sizeof(text), "%sioport = 1-1\n", ok);
	expect_error(text, 1, "line 1: service 'a' needs 30 start handles (at most 29)");
	/* framebuffer alone is its frame and rootinfo: 2 + 8 + 9 + 8 + 2 = 29. */
	expect_ok("[service a]\nbinary = initfs:///a\nirq = 1 2 3 4 5 6 7 8\nioport = 1-1 2-1 3-1 "
		  "4-1 5-1 6-1 7-1 8-1\nendpoint = use a b c d e f g h\ngrant = framebuffer\n");
	expect_error("[service a]\nbinary = initfs:///a\nirq = 1 2 3 4 5 6 7 8\nioport = 1-1 2-1 "
		     "3-1 4-1 5-1 6-1 7-1 8-1\nendpoint = use a b c d e f g h\n"
		     "grant = framebuffer\nmmio = 0x1000-4K\n[service b]\nbinary = initfs:///b\n",
		     1, "line 1: service 'a' needs 30 start handles (at most 29)");
	/* irqs add irq-notify once; firmware counts 9: 2 + 9 + 9 + 8 + 3 = 31. */
	expect_error("[service a]\nbinary = initfs:///a\nirq = 1 2 3 4 5 6 7 8\ngrant = firmware\n"
		     "endpoint = use a b c d e f g h\nstdio = console://\n",
		     1, "line 1: service 'a' needs 31 start handles (at most 29)");
}

/* boot-info is rootinfo alone: one handle, shared with firmware's and framebuffer's. */
static void test_services_boot_info_is_one_handle(void **state)
{
	expect_ok("[service a]\nbinary = initfs:///a\nendpoint = use a b c d e f g h\n"
		  "irq = 1 2 3 4 5 6 7 8\nioport = 1-1 2-1 3-1 4-1 5-1 6-1 7-1 8-1\n"
		  "grant = boot-info\n");
	assert_int_equal(svc("a")->grants, KOSH_SERVICE_GRANT_BOOT_INFO);
	/* 2 + 8 + 8 + 1 + 8 + rootinfo = 28; mmio and klog-read make 30. */
	expect_ok("[service a]\nbinary = initfs:///a\nendpoint = use a b c d e f g h\n"
		  "irq = 1 2 3 4 5 6 7 8\nioport = 1-1 2-1 3-1 4-1 5-1 6-1 7-1 8-1\n"
		  "grant = boot-info\nmmio = 0x1000-4K\n");
	expect_error("[service a]\nbinary = initfs:///a\nendpoint = use a b c d e f g h\n"
		     "irq = 1 2 3 4 5 6 7 8\nioport = 1-1 2-1 3-1 4-1 5-1 6-1 7-1 8-1\n"
		     "grant = boot-info klog-read\nmmio = 0x1000-4K\n",
		     1, "line 1: service 'a' needs 30 start handles (at most 29)");
}

static void test_services_grant_names(void **state)
{
	for (uint32_t k = 0; k < 9; k++) {
		const char *name = kosh_services_grant_name(1u << k);
		assert_non_null(name);
		assert_int_equal(kosh_services_grant_bit(name, strlen(name)), 1u << k);
		assert_true(kosh_services_reserved_name(name, strlen(name)));
	}
	assert_null(kosh_services_grant_name(1u << 9));
	assert_null(kosh_services_grant_name(3));
	assert_int_equal(kosh_services_grant_bit("firmwar", 7), 0);
	assert_int_equal(kosh_services_grant_bit("firmware", 7), 0);
	assert_true(kosh_services_reserved_name("acpi12", 6));
	assert_false(kosh_services_reserved_name("acpi", 4));
	assert_false(kosh_services_reserved_name("serve", 5));
}

/* ---- the API's edges ---- */

static void test_services_error_may_be_null(void **state)
{
	assert_int_equal(kosh_services_parse("[service a]\n", 12, &svcs, NULL), -1);
	assert_true(is_empty(&svcs));
	assert_int_equal(
	    kosh_services_parse("[service a]\nafter=b\n[service b]\nafter=a\n", 40, &svcs, NULL),
	    -1);
}

static void test_services_reports_first_error(void **state)
{
	expect_error("[service a]\nbinary = initfs:///a\nirqs = 1\nquota = 1Q\n", 3,
		     "line 3: unknown key 'irqs'");
}

static void test_services_long_values_are_shortened_in_messages(void **state)
{
	char text[300];
	char value[100];
	memset(value, 'z', 99);
	value[99] = '\0';
	snprintf(text, sizeof(text), "[service a]\nrestart = %s\n", value);
	expect_error(text, 2,
		     "line 2: restart 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...': "
		     "expected always, on-failure or never");
}

static void test_services_find(void **state)
{
	expect_ok("[service a]\nbinary = initfs:///a\n[service b]\nbinary = initfs:///b\n");
	assert_int_equal(kosh_services_find(&svcs, "a"), 0);
	assert_int_equal(kosh_services_find(&svcs, "b"), 1);
	assert_int_equal(kosh_services_find(&svcs, "c"), -1);
	assert_int_equal(kosh_services_find(&svcs, ""), -1);
}

/* ---- the shipped file ---- */

static void test_services_sample_file_is_valid(void **state)
{
	FILE *f = fopen(SAMPLE_PATH, "rb");
	static char text[KOSH_SERVICES_FILE_MAX + 1];
	uint8_t order[KOSH_SERVICES_MAX];
	size_t len;
	if (!f)
		fail_msg("cannot open %s", SAMPLE_PATH);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_true(len > 0 && len <= KOSH_SERVICES_FILE_MAX);
	expect_ok_n(text, len);
	assert_true(svcs.count >= 5);
	assert_int_equal(kosh_services_order(&svcs, order), svcs.count);
	assert_true(kosh_services_find(&svcs, "logd") >= 0);
	assert_true(kosh_services_find(&svcs, "vfsd") >= 0);
	assert_true(kosh_services_find(&svcs, "console") >= 0);
	assert_true(kosh_services_find(&svcs, "sh") >= 0);
	/* Every scheme init registers, and the shell's terminal. */
	static const char *schemes[] = {"log", "fs", "pipe", "proc", "console"};
	for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		int found = 0;
		for (uint32_t i = 0; i < svcs.count; i++)
			for (uint32_t j = 0; j < svcs.services[i].scheme_count; j++)
				found += strcmp(svcs.services[i].schemes[j], schemes[k]) == 0;
		assert_int_equal(found, 1);
	}
	assert_string_equal(svc("sh")->stdio, "console://");
	assert_int_equal(svc("logd")->grants, KOSH_SERVICE_GRANT_KLOG_READ);
	/* Each architecture has exactly one server of the serial endpoint. */
	for (uint32_t arch = 1; arch <= 2; arch++) {
		int servers = 0;
		for (uint32_t i = 0; i < svcs.count; i++)
			for (uint32_t k = 0; k < svcs.services[i].endpoint_count; k++)
				servers +=
				    (svcs.services[i].arches & arch) &&
				    svcs.services[i].endpoints[k].role == KOSH_SERVICE_SERVE &&
				    strcmp(svcs.services[i].endpoints[k].name, "serial") == 0;
		assert_int_equal(servers, 1);
	}
	/*
	 * The serial drivers and the framebuffer console (the server of "fb"), and only
	 * they, take the kernel log's console (the UART, the framebuffer) from the kernel.
	 */
	for (uint32_t i = 0; i < svcs.count; i++) {
		int serial = 0;
		for (uint32_t k = 0; k < svcs.services[i].endpoint_count; k++)
			serial |= svcs.services[i].endpoints[k].role == KOSH_SERVICE_SERVE &&
				  (strcmp(svcs.services[i].endpoints[k].name, "serial") == 0 ||
				   strcmp(svcs.services[i].endpoints[k].name, "fb") == 0);
		assert_int_equal(!!(svcs.services[i].grants & KOSH_SERVICE_GRANT_KLOG_CONSOLE),
				 serial);
	}
}

/* The shipped file gives devmgr the machine's authority, and serves drvreg to it alone. */
static void test_services_sample_file_devmgr(void **state)
{
	FILE *f = fopen(SAMPLE_PATH, "rb");
	char buf[KOSH_SERVICES_FILE_MAX];
	size_t len;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(parse_n(buf, len, NULL), 0);
	const struct kosh_service *d = svc("devmgr");
	assert_non_null(d);
	assert_int_equal(d->grants, KOSH_SERVICE_GRANT_FIRMWARE | KOSH_SERVICE_GRANT_MMIO_CONTROL |
					KOSH_SERVICE_GRANT_IRQ_CONTROL |
					KOSH_SERVICE_GRANT_IOPORT_CONTROL);
	for (uint32_t i = 0; i < svcs.count; i++)
		for (uint32_t k = 0; k < svcs.services[i].endpoint_count; k++)
			if (strcmp(svcs.services[i].endpoints[k].name, "drvreg") == 0)
				assert_string_equal(svcs.services[i].name, "devmgr");
	/* Nobody else holds the machine's authority over devices. */
	for (uint32_t i = 0; i < svcs.count; i++)
		if (&svcs.services[i] != d)
			assert_int_equal(svcs.services[i].grants &
					     (KOSH_SERVICE_GRANT_FIRMWARE |
					      KOSH_SERVICE_GRANT_MMIO_CONTROL |
					      KOSH_SERVICE_GRANT_IRQ_CONTROL |
					      KOSH_SERVICE_GRANT_IOPORT_CONTROL),
					 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_services_sample_file_devmgr),
	    cmocka_unit_test(test_services_empty_file),
	    cmocka_unit_test(test_services_parses_every_key),
	    cmocka_unit_test(test_services_defaults),
	    cmocka_unit_test(test_services_accepts_crlf_and_missing_final_newline),
	    cmocka_unit_test(test_services_skips_comments_and_blank_lines),
	    cmocka_unit_test(test_services_skips_utf8_bom),
	    cmocka_unit_test(test_services_orders_by_dependencies),
	    cmocka_unit_test(test_services_order_keeps_file_order_without_dependencies),
	    cmocka_unit_test(test_services_order_stops_short_on_a_cycle),
	    cmocka_unit_test(test_services_args_quoting),
	    cmocka_unit_test(test_services_rejects_unknown_key),
	    cmocka_unit_test(test_services_rejects_bad_quota),
	    cmocka_unit_test(test_services_rejects_unknown_dependency),
	    cmocka_unit_test(test_services_rejects_dependency_cycles),
	    cmocka_unit_test(test_services_cycle_message_is_truncated),
	    cmocka_unit_test(test_services_rejects_duplicates),
	    cmocka_unit_test(test_services_rejects_missing_binary),
	    cmocka_unit_test(test_services_rejects_bad_binary),
	    cmocka_unit_test(test_services_rejects_misplaced_and_malformed_lines),
	    cmocka_unit_test(test_services_rejects_bad_names),
	    cmocka_unit_test(test_services_rejects_control_and_non_ascii_bytes),
	    cmocka_unit_test(test_services_rejects_bad_endpoint_lines),
	    cmocka_unit_test(test_services_rejects_bad_irq_ioport_mmio),
	    cmocka_unit_test(test_services_rejects_conflicting_capabilities),
	    cmocka_unit_test(test_services_conflicts_only_within_an_architecture),
	    cmocka_unit_test(test_services_rejects_bad_restart_and_backoff),
	    cmocka_unit_test(test_services_limits_service_count),
	    cmocka_unit_test(test_services_limits_name_length),
	    cmocka_unit_test(test_services_limits_binary_length),
	    cmocka_unit_test(test_services_limits_args),
	    cmocka_unit_test(test_services_limits_capabilities),
	    cmocka_unit_test(test_services_limits_line_length),
	    cmocka_unit_test(test_services_limits_file_size),
	    cmocka_unit_test(test_services_schemes_stdio_and_grants),
	    cmocka_unit_test(test_services_rejects_bad_schemes),
	    cmocka_unit_test(test_services_rejects_bad_stdio_and_grants),
	    cmocka_unit_test(test_services_grant_names),
	    cmocka_unit_test(test_services_boot_info_is_one_handle),
	    cmocka_unit_test(test_services_rejects_reserved_endpoint_names),
	    cmocka_unit_test(test_services_limits_start_handles),
	    cmocka_unit_test(test_services_error_may_be_null),
	    cmocka_unit_test(test_services_reports_first_error),
	    cmocka_unit_test(test_services_long_values_are_shortened_in_messages),
	    cmocka_unit_test(test_services_find),
	    cmocka_unit_test(test_services_sample_file_is_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
