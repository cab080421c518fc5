/* SPDX-License-Identifier: MIT */
/*
 * Memory calls of the system layer (<kosh/posix.h>): anonymous private
 * mappings only, each a block of the runtime's page allocator (<kosh/page.h>:
 * a frame from the process's quota, zeroed, at an address never handed out
 * before). brk never moves, so musl's malloc takes all its memory from mmap.
 */
#include <stddef.h>

#include <kosh/page.h>
#include <kosh/posix.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#define PROT_READ     0x1
#define PROT_WRITE    0x2
#define PROT_EXEC     0x4
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MMAP_MAX      (1ull << 40)

extern char __user_end[]; /* the end of the program's data (user.ld) */

/* The break is the end of the program's data, and stays there. */
long posix_sys_brk(const long a[6])
{
	(void)a;
	return (long)(uintptr_t)__user_end;
}

/* Kosh rights for a PROT_* set: -errno for none we can give (W+X, unknown bits). */
static long rights_of(long prot)
{
	if (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -LINUX_EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -LINUX_EACCES; /* never writable and executable at once */
	/* No access at all is kept readable: a guard that only reads would not fault. */
	return KOSH_RIGHT_READ | (prot & PROT_WRITE ? KOSH_RIGHT_WRITE : 0) |
	       (prot & PROT_EXEC ? KOSH_RIGHT_EXECUTE : 0);
}

static long protect(uint64_t va, uint64_t size, long rights)
{
	int64_t r = kosh_space_protect(kosh_self()->space, va, size, (uint64_t)rights);
	return r < 0 ? -LINUX_ENOMEM : 0;
}

long posix_sys_mmap(const long a[6])
{
	uint64_t len = kosh_page_round((uint64_t)a[1]);
	long prot = a[2], flags = a[3];
	long rights = rights_of(prot);
	if (rights < 0)
		return rights;
	if (a[1] <= 0 || len > MMAP_MAX)
		return a[1] == 0 ? -LINUX_EINVAL : -LINUX_ENOMEM;
	if (!(flags & MAP_ANONYMOUS))
		return -LINUX_ENODEV; /* no file mappings */
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE || (flags & MAP_FIXED))
		return -LINUX_EINVAL;
	void *p = kosh_page_alloc(len);
	if (!p)
		return -LINUX_ENOMEM;
	if (rights != (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE) &&
	    protect((uint64_t)(uintptr_t)p, len, rights) < 0) {
		kosh_page_free(p);
		return -LINUX_EACCES;
	}
	return (long)(uintptr_t)p;
}

long posix_sys_munmap(const long a[6])
{
	uint64_t va = (uint64_t)a[0], len = kosh_page_round((uint64_t)a[1]);
	if ((va & (KOSH_PAGE_SIZE - 1)) || a[1] <= 0 || va + len < va)
		return -LINUX_EINVAL;
	return kosh_page_unmap(va, len) ? -LINUX_EINVAL : 0;
}

long posix_sys_mprotect(const long a[6])
{
	uint64_t va = (uint64_t)a[0], len = kosh_page_round((uint64_t)a[1]);
	long rights = rights_of(a[2]);
	if (va & (KOSH_PAGE_SIZE - 1))
		return -LINUX_EINVAL;
	if (rights < 0)
		return rights;
	if (len == 0)
		return 0;
	if (!kosh_page_owned(va, len))
		return -LINUX_ENOMEM;
	return protect(va, len, rights);
}

/* Mappings do not grow or move: musl's realloc copies instead. */
long posix_sys_mremap(const long a[6])
{
	(void)a;
	return -LINUX_ENOMEM;
}

long posix_sys_madvise(const long a[6])
{
	(void)a;
	return 0; /* advice only */
}
