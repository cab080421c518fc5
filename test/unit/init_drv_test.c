/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the checks of init's driver registration
 * (user/servers/init/drvcheck.c, <kosh/proto/drv.h>): a good spec read back as
 * the service init supervises, every field refused with its own error
 * (unterminated strings, bad names, binaries, arguments, quotas, restart
 * policies, schemes, endpoints), handle names (reserved, twice, too many),
 * the conflicts with the services and drivers init already has, and the
 * checks of MOUNT, UNMOUNT and REMOVE: the mount point, the index of a
 * committed driver, when an unmount is forgotten.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/proto/vfs.h>

#include "drvcheck.h"

static struct kosh_drv_spec good(void)
{
	struct kosh_drv_spec s;
	memset(&s, 0, sizeof(s));
	strcpy(s.name, "virtio-rng");
	strcpy(s.binary, "initfs:///sbin/drivers/virtio-rng");
	memcpy(s.args, "--name\0rng0\0", 12);
	s.arg_count = 2;
	s.quota = 2u << 20;
	strcpy(s.scheme, "rng");
	return s;
}

static void test_init_drv_reads_a_good_spec(void **state)
{
	struct kosh_drv_spec spec = good();
	struct kosh_service svc;
	assert_int_equal(init_drv_spec(&spec, &svc), 0);
	assert_string_equal(svc.name, "virtio-rng");
	assert_string_equal(svc.binary, "initfs:///sbin/drivers/virtio-rng");
	assert_int_equal(svc.arg_count, 2);
	assert_string_equal(svc.arg_text + svc.arg_offset[0], "--name");
	assert_string_equal(svc.arg_text + svc.arg_offset[1], "rng0");
	assert_int_equal(svc.restart, KOSH_SERVICE_RESTART_ALWAYS);
	assert_int_equal(svc.backoff_initial_ms, 100);
	assert_int_equal(svc.backoff_max_ms, 10000);
	assert_int_equal(svc.quota, 2u << 20);
	assert_int_equal(svc.scheme_count, 1);
	assert_string_equal(svc.schemes[0], "rng");
	assert_int_equal(svc.endpoint_count, 0);
	/* A served endpoint of init's, a policy and a back-off of its own. */
	strcpy(spec.endpoint, "input");
	spec.scheme[0] = '\0';
	spec.restart = KOSH_SERVICE_RESTART_ON_FAILURE;
	spec.backoff_initial_ms = 50;
	spec.backoff_max_ms = 50;
	spec.arg_count = 0;
	assert_int_equal(init_drv_spec(&spec, &svc), 0);
	assert_int_equal(svc.endpoint_count, 1);
	assert_string_equal(svc.endpoints[0].name, "input");
	assert_int_equal(svc.endpoints[0].role, KOSH_SERVICE_SERVE);
	assert_int_equal(svc.scheme_count, 0);
	assert_int_equal(svc.arg_count, 0);
	assert_int_equal(svc.restart, KOSH_SERVICE_RESTART_ON_FAILURE);
	assert_int_equal(svc.backoff_initial_ms, 50);
}

/* Each mutation of a good spec and the error it must give. */
static void test_init_drv_refuses_bad_specs(void **state)
{
	struct kosh_drv_spec s;
	struct kosh_service svc;
#define REFUSE(change, error)                                                                      \
	do {                                                                                       \
		s = good();                                                                        \
		change;                                                                            \
		assert_int_equal(init_drv_spec(&s, &svc), error);                                  \
	} while (0)
	REFUSE(s.name[0] = '\0', KOSH_DRV_E_NAME);
	REFUSE(strcpy(s.name, "Virtio"), KOSH_DRV_E_NAME);
	REFUSE(strcpy(s.name, "-rng"), KOSH_DRV_E_NAME);
	REFUSE(memset(s.name, 'a', sizeof(s.name)), KOSH_DRV_E_NAME); /* no NUL */
	REFUSE(strcpy(s.binary, "sbin/drivers/x"), KOSH_DRV_E_BINARY);
	REFUSE(strcpy(s.binary, "initfs:///sbin/"), KOSH_DRV_E_BINARY);
	REFUSE(strcpy(s.binary, "initfs:///a b"), KOSH_DRV_E_BINARY);
	REFUSE(strcpy(s.binary, "http:///a"), KOSH_DRV_E_BINARY);
	REFUSE(memset(s.binary, 'a', sizeof(s.binary)), KOSH_DRV_E_BINARY);
	REFUSE(s.arg_count = KOSH_DRV_ARGS_MAX + 1, KOSH_DRV_E_ARGS);
	REFUSE((memset(s.args, 'x', sizeof(s.args)), s.arg_count = 1), KOSH_DRV_E_ARGS);
	REFUSE(s.args[1] = '\n', KOSH_DRV_E_ARGS);
	REFUSE(s.quota = 0, KOSH_DRV_E_QUOTA);
	REFUSE(s.quota = 4097, KOSH_DRV_E_QUOTA);
	REFUSE(s.quota = (1ull << 40) + 4096, KOSH_DRV_E_QUOTA);
	REFUSE(s.restart = 3, KOSH_DRV_E_RESTART);
	REFUSE(s.backoff_initial_ms = 10, KOSH_DRV_E_RESTART); /* a cap below it (0) */
	REFUSE((s.backoff_initial_ms = 0, s.backoff_max_ms = 10), KOSH_DRV_E_RESTART);
	REFUSE((s.backoff_initial_ms = 1, s.backoff_max_ms = 3600001), KOSH_DRV_E_RESTART);
	REFUSE(strcpy(s.scheme, "rng-0"), KOSH_DRV_E_SCHEME);
	REFUSE(strcpy(s.scheme, "RNG"), KOSH_DRV_E_SCHEME);
	REFUSE(memset(s.scheme, 'a', sizeof(s.scheme)), KOSH_DRV_E_SCHEME);
	REFUSE(strcpy(s.endpoint, "klog"), KOSH_DRV_E_ENDPOINT);
	REFUSE(strcpy(s.endpoint, "irq3"), KOSH_DRV_E_ENDPOINT);
	REFUSE(strcpy(s.endpoint, "svc"), KOSH_DRV_E_ENDPOINT);
	REFUSE(strcpy(s.endpoint, "drvreg"), KOSH_DRV_E_ENDPOINT);
	REFUSE(strcpy(s.endpoint, "In"), KOSH_DRV_E_ENDPOINT);
	REFUSE(memset(s.endpoint, 'a', sizeof(s.endpoint)), KOSH_DRV_E_ENDPOINT);
#undef REFUSE
	/* The empty third argument of the case above is accepted. */
	s = good();
	s.arg_count = 3;
	assert_int_equal(init_drv_spec(&s, &svc), 0);
	assert_string_equal(svc.arg_text + svc.arg_offset[2], "");
}

static void test_init_drv_checks_handle_names(void **state)
{
	char given[KOSH_DRV_HANDLES_MAX][KOSH_DRV_HNAME_MAX];
	char name[KOSH_DRV_HNAME_MAX];
	static const char *own[] = {"process", "space", "thread", "klog",   "quota",
				    "vfs",     "serve", "stdin",  "stdout", "stderr"};
	memset(given, 0, sizeof(given));
	strcpy(given[0], "devinfo");
	strcpy(given[1], "cfg");
	assert_int_equal(init_drv_handle_name("bar0", given, 2), 0);
	assert_int_equal(init_drv_handle_name("irq7", given, 2), 0);
	assert_int_equal(init_drv_handle_name("ioport2", given, 2), 0);
	assert_int_equal(init_drv_handle_name("cfg", given, 2), KOSH_DRV_E_HANDLE_TWICE);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		assert_int_equal(init_drv_handle_name(own[i], given, 2), KOSH_DRV_E_HANDLE_NAME);
	assert_int_equal(init_drv_handle_name("", given, 2), KOSH_DRV_E_HANDLE_NAME);
	assert_int_equal(init_drv_handle_name("Bar0", given, 2), KOSH_DRV_E_HANDLE_NAME);
	memset(name, 'a', sizeof(name));
	assert_int_equal(init_drv_handle_name(name, given, 2), KOSH_DRV_E_HANDLE_NAME);
	for (uint32_t i = 0; i < KOSH_DRV_HANDLES_MAX; i++)
		snprintf(given[i], sizeof(given[i]), "h%u", i);
	assert_int_equal(init_drv_handle_name("more", given, KOSH_DRV_HANDLES_MAX - 1), 0);
	assert_int_equal(init_drv_handle_name("more", given, KOSH_DRV_HANDLES_MAX),
			 KOSH_DRV_E_TOO_MANY);
}

static void test_init_drv_finds_conflicts(void **state)
{
	struct kosh_service vfsd, rngd, kbd, d;
	const struct kosh_service *all[] = {&vfsd, &rngd, &kbd};
	struct kosh_drv_spec spec = good();
	memset(&vfsd, 0, sizeof(vfsd));
	strcpy(vfsd.name, "vfsd");
	strcpy(vfsd.endpoints[0].name, "vfs");
	vfsd.endpoint_count = 1;
	memset(&kbd, 0, sizeof(kbd));
	strcpy(kbd.name, "console");
	strcpy(kbd.endpoints[0].name, "input");
	kbd.endpoints[0].role = KOSH_SERVICE_USE; /* a user does not conflict */
	kbd.endpoint_count = 1;
	memset(&rngd, 0, sizeof(rngd));
	strcpy(rngd.name, "virtio-net");
	strcpy(rngd.schemes[0], "net");
	rngd.scheme_count = 1;
	assert_int_equal(init_drv_spec(&spec, &d), 0);
	assert_int_equal(init_drv_conflict(all, 3, &d), 0);
	strcpy(spec.name, "virtio-net");
	assert_int_equal(init_drv_spec(&spec, &d), 0);
	assert_int_equal(init_drv_conflict(all, 3, &d), KOSH_DRV_E_EXISTS);
	spec = good();
	strcpy(spec.scheme, "net");
	assert_int_equal(init_drv_spec(&spec, &d), 0);
	assert_int_equal(init_drv_conflict(all, 3, &d), KOSH_DRV_E_SCHEME_TAKEN);
	strcpy(spec.scheme, "svc");
	assert_int_equal(init_drv_spec(&spec, &d), 0);
	assert_int_equal(init_drv_conflict(all, 0, &d), KOSH_DRV_E_SCHEME_TAKEN);
	spec = good();
	strcpy(spec.endpoint, "vfs");
	assert_int_equal(init_drv_spec(&spec, &d), 0);
	assert_int_equal(init_drv_conflict(all, 3, &d), KOSH_DRV_E_ENDPOINT_TAKEN);
	strcpy(spec.endpoint, "input");
	assert_int_equal(init_drv_spec(&spec, &d), 0);
	assert_int_equal(init_drv_conflict(all, 3, &d), 0);
}

static void test_init_drv_names_its_errors(void **state)
{
	assert_string_equal(kosh_drv_strerror(0), "ok");
	for (uint32_t e = 1; e <= KOSH_DRV_E_VFS; e++)
		assert_string_not_equal(kosh_drv_strerror(e), "unknown error");
	assert_string_equal(kosh_drv_strerror(KOSH_DRV_E_VFS + 1), "unknown error");
}

/* A URI in a KOSH_DRV_URI_MAX array, the rest zeros, as MOUNT carries it. */
static uint32_t uri_check(const char *text)
{
	char uri[KOSH_DRV_URI_MAX];
	memset(uri, 0, sizeof(uri));
	memcpy(uri, text, strlen(text) < sizeof(uri) ? strlen(text) : sizeof(uri));
	return init_drv_uri(uri);
}

static void test_init_drv_checks_mount_points(void **state)
{
	char full[KOSH_DRV_URI_MAX];
	assert_int_equal(uri_check("fs:///"), 0);
	assert_int_equal(uri_check("fs:///boot"), 0);
	assert_int_equal(uri_check("fs:///mnt/usb0"), 0);
	assert_int_equal(uri_check("scheme15charsxy:///a"), 0);
	/* Not scheme:///path. */
	assert_int_equal(uri_check(""), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("/boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs://boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:/boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check(":///boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("Fs:///boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("f-s:///boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("scheme16charsxyz:///a"), KOSH_DRV_E_URI);
	/* Not in normal form: UNMOUNT could not name it again. */
	assert_int_equal(uri_check("fs:///boot/"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:////boot"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:///a//b"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:///a/./b"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:///a/../b"), KOSH_DRV_E_URI);
	/* Bytes vfsd refuses in a path. */
	assert_int_equal(uri_check("fs:///a\tb"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:///a\x7f"), KOSH_DRV_E_URI);
	assert_int_equal(uri_check("fs:///\xc3"), KOSH_DRV_E_URI);
	/* 127 bytes and a NUL fit; no NUL in the array does not. */
	memset(full, 'a', sizeof(full));
	memcpy(full, "fs:///", 6);
	full[KOSH_DRV_URI_MAX - 1] = '\0';
	assert_int_equal(init_drv_uri(full), 0);
	full[KOSH_DRV_URI_MAX - 1] = 'a';
	assert_int_equal(init_drv_uri(full), KOSH_DRV_E_URI);
}

static void test_init_drv_checks_indexes(void **state)
{
	/* Runs 10 .. 13 are drivers' slots; 11 was removed. */
	const uint8_t used[4] = {1, 0, 1, 1};
	assert_int_equal(init_drv_index(10, 10, 14, used), 10);
	assert_int_equal(init_drv_index(13, 10, 14, used), 13);
	assert_int_equal(init_drv_index(11, 10, 14, used), UINT32_MAX);
	assert_int_equal(init_drv_index(9, 10, 14, used), UINT32_MAX); /* a service's */
	assert_int_equal(init_drv_index(0, 10, 14, used), UINT32_MAX);
	assert_int_equal(init_drv_index(14, 10, 14, used), UINT32_MAX);
	assert_int_equal(init_drv_index(UINT64_MAX, 10, 14, used), UINT32_MAX);
	assert_int_equal(init_drv_index((1ull << 32) + 10, 10, 14, used), UINT32_MAX);
	assert_int_equal(init_drv_index(10, 10, 10, used), UINT32_MAX); /* no drivers */
}

static void test_init_drv_checks_targets(void **state)
{
	/* Runs 10 .. 13: mounted, removed, committed, committed. */
	const uint8_t slot[4] = {INIT_DRV_MOUNTED, INIT_DRV_FREE, INIT_DRV_COMMITTED,
				 INIT_DRV_COMMITTED};
	const uint64_t reg = kosh_msg_tag(KOSH_DRV_UNMOUNT, KOSH_MSG_WORDS_REG, 0, 0);
	const uint64_t mount = kosh_msg_tag(KOSH_DRV_MOUNT, KOSH_MSG_WORDS_REG + 16, 0, 0);
	char uri[KOSH_DRV_URI_MAX];
	uint32_t i = 99;
	memset(uri, 0, sizeof(uri));
	strcpy(uri, "fs:///mnt");
	/* MOUNT: a committed driver, not mounted, at a good URI. */
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT, mount, 12, uri, 10, 14, slot, &i), 0);
	assert_int_equal(i, 12);
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT, mount, 10, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_MOUNTED);
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT, mount, 11, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_INDEX);
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT, mount, 3, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_INDEX);
	strcpy(uri, "fs:///mnt/");
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT, mount, 12, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_URI);
	/* MOUNT's shape: exactly the URI's 16 words, no capabilities. */
	strcpy(uri, "fs:///mnt");
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT,
					 kosh_msg_tag(KOSH_DRV_MOUNT, KOSH_MSG_WORDS_REG + 2, 0, 0),
					 12, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_PROTO);
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT, reg, 12, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_PROTO);
	assert_int_equal(init_drv_target(KOSH_DRV_MOUNT,
					 kosh_msg_tag(KOSH_DRV_MOUNT, KOSH_MSG_WORDS_REG + 16, 1, 1),
					 12, uri, 10, 14, slot, &i),
			 KOSH_DRV_E_PROTO);
	/* UNMOUNT: only a mounted one. */
	assert_int_equal(init_drv_target(KOSH_DRV_UNMOUNT, reg, 10, NULL, 10, 14, slot, &i), 0);
	assert_int_equal(i, 10);
	assert_int_equal(init_drv_target(KOSH_DRV_UNMOUNT, reg, 12, NULL, 10, 14, slot, &i),
			 KOSH_DRV_E_NOT_MOUNTED);
	assert_int_equal(init_drv_target(KOSH_DRV_UNMOUNT, reg, 11, NULL, 10, 14, slot, &i),
			 KOSH_DRV_E_INDEX);
	assert_int_equal(init_drv_target(KOSH_DRV_UNMOUNT, mount, 10, NULL, 10, 14, slot, &i),
			 KOSH_DRV_E_PROTO);
	/* REMOVE: any committed driver, mounted or not. */
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE, reg, 10, NULL, 10, 14, slot, &i), 0);
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE, reg, 13, NULL, 10, 14, slot, &i), 0);
	assert_int_equal(i, 13);
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE, reg, 11, NULL, 10, 14, slot, &i),
			 KOSH_DRV_E_INDEX);
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE, reg, 14, NULL, 10, 14, slot, &i),
			 KOSH_DRV_E_INDEX);
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE,
					 kosh_msg_tag(KOSH_DRV_REMOVE, 0, 1, 1), 10, NULL, 10, 14,
					 slot, &i),
			 KOSH_DRV_E_PROTO);
	/* Fewer register words are fine without data; more are not. */
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE, kosh_msg_tag(KOSH_DRV_REMOVE, 1, 0, 0),
					 10, NULL, 10, 14, slot, &i),
			 0);
	assert_int_equal(init_drv_target(KOSH_DRV_REMOVE,
					 kosh_msg_tag(KOSH_DRV_REMOVE, KOSH_MSG_WORDS_REG + 1, 0, 0),
					 10, NULL, 10, 14, slot, &i),
			 KOSH_DRV_E_PROTO);
}

static void test_init_drv_unmount_forgets(void **state)
{
	assert_true(init_drv_unmount_forgets(0));
	assert_true(init_drv_unmount_forgets(KOSH_VFS_ENOENT)); /* vfsd restarted without it */
	assert_true(init_drv_unmount_forgets(KOSH_VFS_EIO));	/* vfsd gone: not mounted again */
	assert_false(init_drv_unmount_forgets(KOSH_VFS_EBUSY));
	assert_false(init_drv_unmount_forgets(KOSH_VFS_EPERM));
	assert_false(init_drv_unmount_forgets(KOSH_VFS_EINVAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_drv_reads_a_good_spec),
	    cmocka_unit_test(test_init_drv_refuses_bad_specs),
	    cmocka_unit_test(test_init_drv_checks_handle_names),
	    cmocka_unit_test(test_init_drv_finds_conflicts),
	    cmocka_unit_test(test_init_drv_names_its_errors),
	    cmocka_unit_test(test_init_drv_checks_mount_points),
	    cmocka_unit_test(test_init_drv_checks_indexes),
	    cmocka_unit_test(test_init_drv_checks_targets),
	    cmocka_unit_test(test_init_drv_unmount_forgets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
