/* SPDX-License-Identifier: MIT */
/*
 * The host tests' kernel heap (see kheap_fake.h).
 */
#include "kheap_fake.h"

#include <stdlib.h>
#include <string.h>

#include "kheap.h"

struct kheap_fake kheap_fake = { .fail_after = -1 };

void kheap_fake_reset(void)
{
	memset(&kheap_fake, 0, sizeof(kheap_fake));
	kheap_fake.fail_after = -1;
}

void *kmalloc(size_t size)
{
	if (!size || kheap_fake.fail_after == 0)
		return NULL;
	if (kheap_fake.fail_after > 0)
		kheap_fake.fail_after--;
	void *p = malloc(size);
	if (p) {
		memset(p, 0xa5, size); /* not zeroed, as the kernel's */
		kheap_fake.kmallocs++;
	}
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (p)
		kheap_fake.kfrees++;
	free(p);
}
