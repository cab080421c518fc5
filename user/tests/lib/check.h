/* SPDX-License-Identifier: MIT */
/*
 * The in-OS tests' checks. A failing CHECK logs "# FAIL <file>:<line>: <what>"
 * (with both values for the comparisons and the error's text for results) and
 * ends the process with status 1, from whichever thread it runs on; bootstrap
 * then reports the test "not ok". A test passes by returning 0 from main.
 */
#ifndef KOSH_TEST_CHECK_H
#define KOSH_TEST_CHECK_H

#include <stdint.h>

#include <kosh/abi.h>

__attribute__((noreturn, format(printf, 3, 4))) void check_fail(const char *file, int line,
								const char *fmt, ...);

/* A "# ..." diagnostic line in the test's output. */
void check_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "KOSH_E_BAD_HANDLE (no such handle …)" or the number, for messages. */
const char *check_result_text(int64_t result);

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			check_fail(__FILE_NAME__, __LINE__, "%s", #cond); \
	} while (0)

/* a == b, as 64-bit values. */
#define CHECK_EQ(a, b)                                                                       \
	do {                                                                                 \
		uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                 \
		if (check_a_ != check_b_)                                                    \
			check_fail(__FILE_NAME__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, \
				   #b, (unsigned long long)check_a_,                        \
				   (unsigned long long)check_b_);                           \
	} while (0)

/* A system call that must succeed (result >= 0); evaluates to the result. */
#define CHECK_OK(expr)                                                                     \
	({                                                                                 \
		int64_t check_r_ = (int64_t)(expr);                                        \
		if (check_r_ < 0)                                                          \
			check_fail(__FILE_NAME__, __LINE__, "%s failed: %s", #expr,        \
				   check_result_text(check_r_));                           \
		check_r_;                                                                  \
	})

/* A system call that must fail with error err (a KOSH_E_*). */
#define CHECK_ERR(expr, err)                                                               \
	do {                                                                               \
		int64_t check_r_ = (int64_t)(expr);                                        \
		if (check_r_ != (int64_t)(err))                                            \
			check_fail(__FILE_NAME__, __LINE__, "%s: expected %s, got %s", #expr, \
				   #err, check_result_text(check_r_));                     \
	} while (0)

/* A system call that must fail, with any error. */
#define CHECK_FAILS(expr)                                                               \
	({                                                                              \
		int64_t check_r_ = (int64_t)(expr);                                     \
		if (check_r_ >= 0)                                                      \
			check_fail(__FILE_NAME__, __LINE__, "%s succeeded (%lld), expected " \
				   "an error", #expr, (long long)check_r_);             \
		check_r_;                                                               \
	})

/* C-library tests (LIBC<n>, with <errno.h>): a call that must return -1 with errno err. */
#define CHECK_ERRNO(call, err)                                                                \
	do {                                                                                  \
		errno = 0;                                                                    \
		long check_r_ = (long)(call);                                                 \
		if (check_r_ != -1 || errno != (err))                                         \
			check_fail(__FILE_NAME__, __LINE__, "%s: %ld, errno %d, expected %s", \
				   #call, check_r_, errno, #err);                             \
	} while (0)

/*
 * File-protocol tests (with <kosh/proto/vfs.h>): a result that must be want (0
 * or a KOSH_VFS_E*), both named in the message.
 */
#define VCHECK(expr, want)                                                                  \
	do {                                                                                \
		uint32_t vcheck_r_ = (expr), vcheck_w_ = (want);                            \
		if (vcheck_r_ != vcheck_w_)                                                 \
			check_fail(__FILE_NAME__, __LINE__,                                 \
				   "%s: expected %u (%s), got %u (%s)", #expr, vcheck_w_,   \
				   kosh_vfs_strerror(vcheck_w_), vcheck_r_,                 \
				   kosh_vfs_strerror(vcheck_r_));                           \
	} while (0)

#endif
