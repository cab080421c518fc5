/* SPDX-License-Identifier: MIT */
/*
 * Parser for etc/services, init's list of the services it starts and supervises
 * (the format is described in docs/services.md).
 *
 * One "[service NAME]" section per service, then "key = value" lines: binary,
 * args, arch, endpoint, irq, ioport, mmio, quota, after, restart, backoff,
 * scheme, stdio, grant. The parser fills fixed-size arrays (no allocation),
 * resolves every dependency to an index, refuses cycles, and names the line of
 * every error in a one-line message.
 * struct kosh_services is about 51 KiB: keep it in static storage, not on a stack.
 */
#ifndef KOSH_SERVICES_H
#define KOSH_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#define KOSH_SERVICES_MAX	     32	 /* services in one file */
#define KOSH_SERVICES_NAME_MAX	     32	 /* service names: 1..31 chars + NUL */
#define KOSH_SERVICES_ENDPOINT_MAX   16	 /* endpoint names: 1..15 chars + NUL (a start-page name) */
#define KOSH_SERVICES_SCHEME_MAX     16	 /* scheme names: 1..15 chars of a-z 0-9 + NUL */
#define KOSH_SERVICES_HANDLES_MAX    29	 /* start-page handles init may give one service */
#define KOSH_SERVICES_FIRMWARE_MAX   8	 /* acpi<i> and dtb<i> frames "grant = firmware" gives */
#define KOSH_SERVICES_PATH_MAX	     128 /* binary: up to 127 chars + NUL */
#define KOSH_SERVICES_ARGS_MAX	     16	 /* arguments of one service */
#define KOSH_SERVICES_ARGS_BYTES     256 /* their text, each argument NUL-terminated */
#define KOSH_SERVICES_CAPS_MAX	     8	 /* of each kind: endpoints, irqs, ioports, mmio, after */
#define KOSH_SERVICES_LINE_MAX	     512 /* bytes of one line, without its CR LF */
#define KOSH_SERVICES_FILE_MAX	     65536 /* larger files are refused */
#define KOSH_SERVICES_IRQ_LAST	     1023  /* highest IRQ number */
#define KOSH_SERVICES_IOPORT_END     0x10000u
#define KOSH_SERVICES_PAGE_SIZE	     4096u	  /* mmio ranges and quotas are whole pages */
#define KOSH_SERVICES_PHYS_END	     (1ull << 52) /* mmio ranges lie below */
#define KOSH_SERVICES_QUOTA_MAX	     (1ull << 40)
#define KOSH_SERVICES_BACKOFF_MAX_MS 3600000u /* one hour */
#define KOSH_SERVICES_ERROR_MAX	     160

enum kosh_service_restart {
	KOSH_SERVICE_RESTART_ALWAYS, /* the default */
	KOSH_SERVICE_RESTART_ON_FAILURE,
	KOSH_SERVICE_RESTART_NEVER,
};

enum kosh_service_role {
	KOSH_SERVICE_SERVE, /* the service receives on the endpoint */
	KOSH_SERVICE_USE,   /* the service may call the endpoint */
};

/*
 * Bits of kosh_service.grants: parts of init's own authority a service is given,
 * "klog-read" (reads the kernel log: logd), "klog-console" (takes the UART from
 * the kernel: the serial driver), "quota-root" (init's quota, read only: the
 * system's memory figures, for procd); for the driver manager and the
 * framebuffer console (docs/devices.md): "firmware" (the "rootinfo" page and
 * the ACPI tables' and device tree's frames, acpi<i> and dtb<i>),
 * "framebuffer" ("rootinfo" and the GOP framebuffer's frame fb<i>),
 * "mmio-control", "irq-control" and "ioport-control" (the machine's authority
 * over device memory, interrupts and I/O ports).
 */
#define KOSH_SERVICE_GRANT_KLOG_READ	  (1u << 0)
#define KOSH_SERVICE_GRANT_KLOG_CONSOLE	  (1u << 1)
#define KOSH_SERVICE_GRANT_QUOTA_ROOT	  (1u << 2)
#define KOSH_SERVICE_GRANT_FIRMWARE	  (1u << 3)
#define KOSH_SERVICE_GRANT_FRAMEBUFFER	  (1u << 4)
#define KOSH_SERVICE_GRANT_MMIO_CONTROL	  (1u << 5)
#define KOSH_SERVICE_GRANT_IRQ_CONTROL	  (1u << 6)
#define KOSH_SERVICE_GRANT_IOPORT_CONTROL (1u << 7)
#define KOSH_SERVICE_GRANT_BOOT_INFO	  (1u << 8) /* "rootinfo" alone: boot facts, no authority */
#define KOSH_SERVICE_GRANTS_ALL                                                                    \
	(KOSH_SERVICE_GRANT_KLOG_READ | KOSH_SERVICE_GRANT_KLOG_CONSOLE |                          \
	 KOSH_SERVICE_GRANT_QUOTA_ROOT | KOSH_SERVICE_GRANT_FIRMWARE |                             \
	 KOSH_SERVICE_GRANT_FRAMEBUFFER | KOSH_SERVICE_GRANT_MMIO_CONTROL |                        \
	 KOSH_SERVICE_GRANT_IRQ_CONTROL | KOSH_SERVICE_GRANT_IOPORT_CONTROL |                      \
	 KOSH_SERVICE_GRANT_BOOT_INFO)

/* Bits of kosh_service.arches: where a service runs. */
#define KOSH_SERVICE_ARCH_X86_64  (1u << 0)
#define KOSH_SERVICE_ARCH_AARCH64 (1u << 1)
#define KOSH_SERVICE_ARCH_ALL	  (KOSH_SERVICE_ARCH_X86_64 | KOSH_SERVICE_ARCH_AARCH64)

struct kosh_service_endpoint {
	char name[KOSH_SERVICES_NAME_MAX];
	enum kosh_service_role role;
};

/* [base, base + size): I/O ports (size = count) or physical memory (bytes). */
struct kosh_service_range {
	uint64_t base;
	uint64_t size;
};

struct kosh_service {
	char name[KOSH_SERVICES_NAME_MAX];
	char binary[KOSH_SERVICES_PATH_MAX]; /* "initfs:///..." or "fs:///..." */
	char arg_text[KOSH_SERVICES_ARGS_BYTES];
	uint16_t arg_offset[KOSH_SERVICES_ARGS_MAX]; /* argument i is arg_text + arg_offset[i] */
	uint32_t arg_count;
	struct kosh_service_endpoint endpoints[KOSH_SERVICES_CAPS_MAX];
	uint32_t endpoint_count;
	uint32_t irqs[KOSH_SERVICES_CAPS_MAX];
	uint32_t irq_count;
	struct kosh_service_range ioports[KOSH_SERVICES_CAPS_MAX];
	uint32_t ioport_count;
	struct kosh_service_range mmio[KOSH_SERVICES_CAPS_MAX];
	uint32_t mmio_count;
	uint64_t quota;						    /* bytes; 0: init's default */
	char after[KOSH_SERVICES_CAPS_MAX][KOSH_SERVICES_NAME_MAX]; /* dependencies by name */
	uint8_t after_index[KOSH_SERVICES_CAPS_MAX];		    /* the same, as indices */
	uint32_t after_count;
	enum kosh_service_restart restart;
	uint32_t backoff_initial_ms; /* first restart delay, doubled up to the cap */
	uint32_t backoff_max_ms;
	uint32_t arches; /* KOSH_SERVICE_ARCH_* bits; all unless "arch" says otherwise */
	uint32_t line;	 /* of its [service NAME] header */
	/* Schemes init registers with vfsd for it, each one of its "serve" endpoints. */
	char schemes[KOSH_SERVICES_CAPS_MAX][KOSH_SERVICES_SCHEME_MAX];
	uint32_t scheme_count;
	/* "console://": opened as stdin, stdout and stderr; "": none. */
	char stdio[KOSH_SERVICES_PATH_MAX];
	uint32_t grants; /* KOSH_SERVICE_GRANT_* bits */
};

struct kosh_services {
	uint32_t count;
	struct kosh_service services[KOSH_SERVICES_MAX]; /* in file order */
};

struct kosh_services_error {
	uint32_t line; /* 1-based line of the problem, 0 for the whole file */
	char message[KOSH_SERVICES_ERROR_MAX]; /* "line 7: unknown key 'irqs'" */
};

/*
 * Parse text[0..len) (not NUL-terminated) into *out. 0 on success; -1 with *err
 * filled (if err is not NULL) and *out emptied (count 0) otherwise.
 */
__attribute__((warn_unused_result)) int kosh_services_parse(const char *text, size_t len,
							    struct kosh_services *out,
							    struct kosh_services_error *err);

/*
 * Write a start order to order[0..count): indices of services, each after all its
 * dependencies, ties broken by file order. Returns how many were placed: all of
 * them for a parsed file (cycles are refused by the parser), fewer on a cycle.
 */
uint32_t kosh_services_order(const struct kosh_services *svcs, uint8_t order[KOSH_SERVICES_MAX]);

/* The index of the service called name, or -1. */
int kosh_services_find(const struct kosh_services *svcs, const char *name);

/*
 * The grant word of a single KOSH_SERVICE_GRANT_* bit ("klog-read" …), or NULL;
 * and the bit of a word (len bytes), or 0.
 */
const char *kosh_services_grant_name(uint32_t bit);
uint32_t kosh_services_grant_bit(const char *word, size_t len);

/*
 * 1 if name (len bytes) is a start-page name init gives some other handle
 * under: klog, quota, process, space, thread, stdin, stdout, stderr, rootinfo,
 * irq-notify, the grants' names, and irq, ioport, mmio, acpi, dtb or fb
 * followed by digits only.
 */
int kosh_services_reserved_name(const char *name, size_t len);

#endif
