/* SPDX-License-Identifier: MIT */
/*
 * RDRAND (x86-64): present when CPUID leaf 1 says so (ECX bit 30). RDRAND may
 * fail transiently (carry clear) when the DRNG is drained; Intel's guide says
 * ten retries make a failure practically impossible on a working part, so
 * more than that is an error. Some parts have shipped an RDRAND that returns
 * the same value (all ones) forever: the probe draws a few values and refuses
 * an instruction whose values repeat.
 */
#include "cpu_random.h"

#include <kosh/string.h>

#define RDRAND_RETRIES 10
#define PROBE_DRAWS    8

static int rdrand64(uint64_t *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0\n\tsetc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return 0;
	}
	return -1;
}

int cpu_random_probe(const char **why)
{
	uint32_t eax = 1, ebx, ecx = 0, edx;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	if (!(ecx & (1u << 30))) {
		*why = "the CPU has no RDRAND (CPUID.1:ECX bit 30 clear)";
		return -1;
	}
	uint64_t v[PROBE_DRAWS];
	for (int i = 0; i < PROBE_DRAWS; i++) {
		if (rdrand64(&v[i])) {
			*why = "RDRAND keeps failing";
			return -1;
		}
		for (int j = 0; j < i; j++) {
			if (v[j] == v[i]) {
				*why = "RDRAND repeats its values: broken";
				return -1;
			}
		}
	}
	return 0;
}

int cpu_random_fill(void *buf, uint32_t len)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t v;
		if (rdrand64(&v))
			return -1;
		uint32_t n = len < sizeof(v) ? len : (uint32_t)sizeof(v);
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	return 0;
}
