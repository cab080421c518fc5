/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the etc/services parser: on success every name, path and
 * argument must be a terminated printable string within its limit, every count
 * within its array, every dependency a valid index, and the start order must place
 * every service after its dependencies, every scheme must be a served endpoint
 * and no service need more start handles than fit (arguments may also hold tabs, from
 * quotes); on failure the result must be empty and the error a one-line message
 * naming a line of the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/services.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static struct kosh_services svcs;

/* A terminated string of printable ASCII (and tabs, if allowed) within cap. */
static void check_text(const char *s, size_t cap, int tabs)
{
	CHECK(memchr(s, '\0', cap) != NULL);
	for (; *s; s++)
		CHECK((*s >= 0x20 && *s <= 0x7e) || (tabs && *s == '\t'));
}

static void check_string(const char *s, size_t cap)
{
	check_text(s, cap, 0);
}

static void check_name(const char *s)
{
	check_string(s, KOSH_SERVICES_NAME_MAX);
	CHECK(s[0] != '\0' && s[0] != '-');
}

static void check_service(const struct kosh_service *s, uint32_t count)
{
	check_name(s->name);
	check_string(s->binary, sizeof(s->binary));
	CHECK(s->binary[0] != '\0');
	CHECK(s->arg_count <= KOSH_SERVICES_ARGS_MAX);
	for (uint32_t i = 0; i < s->arg_count; i++) {
		CHECK(s->arg_offset[i] < KOSH_SERVICES_ARGS_BYTES);
		/* A quoted argument keeps its tabs. */
		check_text(s->arg_text + s->arg_offset[i],
			   KOSH_SERVICES_ARGS_BYTES - s->arg_offset[i], 1);
	}
	CHECK(s->endpoint_count <= KOSH_SERVICES_CAPS_MAX &&
	      s->irq_count <= KOSH_SERVICES_CAPS_MAX);
	CHECK(s->ioport_count <= KOSH_SERVICES_CAPS_MAX && s->mmio_count <= KOSH_SERVICES_CAPS_MAX);
	CHECK(s->after_count <= KOSH_SERVICES_CAPS_MAX);
	for (uint32_t i = 0; i < s->endpoint_count; i++) {
		check_name(s->endpoints[i].name);
		CHECK(strlen(s->endpoints[i].name) < KOSH_SERVICES_ENDPOINT_MAX);
	}
	/* Every scheme is a served endpoint; stdio is a URI; no more start handles than fit. */
	CHECK(s->scheme_count <= KOSH_SERVICES_CAPS_MAX);
	for (uint32_t i = 0; i < s->scheme_count; i++) {
		uint32_t e = 0;
		check_name(s->schemes[i]);
		while (e < s->endpoint_count && (s->endpoints[e].role != KOSH_SERVICE_SERVE ||
						 strcmp(s->endpoints[e].name, s->schemes[i]) != 0))
			e++;
		CHECK(e < s->endpoint_count);
	}
	check_string(s->stdio, sizeof(s->stdio));
	CHECK(s->stdio[0] == '\0' || strstr(s->stdio, "://") != NULL);
	CHECK((s->grants & ~KOSH_SERVICE_GRANTS_ALL) == 0);
	CHECK(2 + s->endpoint_count + s->irq_count + !!s->irq_count + s->ioport_count +
		  s->mmio_count + __builtin_popcount(s->grants) + (s->stdio[0] ? 3 : 0) <=
	      KOSH_SERVICES_HANDLES_MAX);
	for (uint32_t i = 0; i < s->irq_count; i++)
		CHECK(s->irqs[i] <= KOSH_SERVICES_IRQ_LAST);
	for (uint32_t i = 0; i < s->ioport_count; i++)
		CHECK(s->ioports[i].size && s->ioports[i].base + s->ioports[i].size <= 0x10000);
	for (uint32_t i = 0; i < s->mmio_count; i++)
		CHECK(s->mmio[i].size && s->mmio[i].base % 4096 == 0 &&
		      s->mmio[i].size % 4096 == 0 &&
		      s->mmio[i].base + s->mmio[i].size <= KOSH_SERVICES_PHYS_END);
	for (uint32_t i = 0; i < s->after_count; i++) {
		CHECK(s->after_index[i] < count);
		check_name(s->after[i]);
	}
	CHECK(s->quota % 4096 == 0 && s->quota <= KOSH_SERVICES_QUOTA_MAX);
	CHECK(s->restart <= KOSH_SERVICE_RESTART_NEVER);
	CHECK(s->backoff_initial_ms >= 1 && s->backoff_initial_ms <= s->backoff_max_ms);
	CHECK(s->backoff_max_ms <= KOSH_SERVICES_BACKOFF_MAX_MS);
	CHECK(s->arches && (s->arches & ~KOSH_SERVICE_ARCH_ALL) == 0);
}

static void check_order(void)
{
	uint8_t order[KOSH_SERVICES_MAX], pos[KOSH_SERVICES_MAX];
	CHECK(kosh_services_order(&svcs, order) == svcs.count);
	memset(pos, 0xff, sizeof(pos));
	for (uint32_t i = 0; i < svcs.count; i++) {
		CHECK(order[i] < svcs.count && pos[order[i]] == 0xff);
		pos[order[i]] = (uint8_t)i;
	}
	for (uint32_t i = 0; i < svcs.count; i++)
		for (uint32_t k = 0; k < svcs.services[i].after_count; k++)
			CHECK(pos[svcs.services[i].after_index[k]] < pos[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kosh_services zero;
	struct kosh_services_error err;
	uint32_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (kosh_services_parse((const char *)data, size, &svcs, &err) == 0) {
		CHECK(svcs.count <= KOSH_SERVICES_MAX);
		for (uint32_t i = 0; i < svcs.count; i++)
			check_service(&svcs.services[i], svcs.count);
		check_order();
		return 0;
	}
	CHECK(memcmp(&svcs, &zero, sizeof(svcs)) == 0);
	check_string(err.message, sizeof(err.message));
	CHECK(err.message[0] != '\0' && err.line <= lines);
	CHECK(err.line > 0 || size > KOSH_SERVICES_FILE_MAX);
	return 0;
}
