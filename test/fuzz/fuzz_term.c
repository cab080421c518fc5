/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the terminal model (shared/lib/term.c). The input is fed
 * to a 7x3 and a 1x1 terminal, in pieces whose lengths the input's first byte
 * chooses, so sequences split across writes are covered too. After every write
 * the cursor and scroll region must lie inside the grid and every cell hold a
 * printable scalar value, known attributes and colours of a valid kind; every
 * scroll callback must name rows inside the region it moved, and every reply be
 * a short, complete control sequence.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/term.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

struct screen {
	struct kosh_term t;
	struct kosh_term_cell cells[7 * 3];
};

static struct screen screens[2];

static void on_scroll(void *ctx, uint32_t top, uint32_t bottom, int32_t n)
{
	struct kosh_term *t = ctx;
	int64_t height = (int64_t)bottom - top + 1;

	CHECK(top <= bottom && bottom < t->rows);
	CHECK(n != 0 && n <= height && n >= -height);
}

static void on_reply(void *ctx, const char *bytes, size_t len)
{
	(void)ctx;
	CHECK(len >= 3 && len <= 32);
	CHECK(bytes[0] == 0x1b && bytes[1] == '[');
	CHECK(bytes[len - 1] >= 0x40 && bytes[len - 1] <= 0x7e);
}

static void check_colour(uint32_t c)
{
	CHECK(KOSH_TERM_COLOUR_KIND(c) <= KOSH_TERM_COLOUR_RGB && (c >> 26) == 0);
	CHECK(KOSH_TERM_COLOUR_KIND(c) != KOSH_TERM_COLOUR_DEFAULT || c == 0);
	CHECK(KOSH_TERM_COLOUR_KIND(c) != KOSH_TERM_COLOUR_INDEXED || (c & 0xffff00) == 0);
}

static void check(const struct kosh_term *t)
{
	CHECK(t->x < t->cols && t->y < t->rows);
	CHECK(t->top <= t->bottom && t->bottom < t->rows);
	CHECK(t->saved.x < t->cols && t->saved.y < t->rows);
	for (uint32_t i = 0; i < t->cols * t->rows; i++) {
		const struct kosh_term_cell *c = &t->cells[i];

		CHECK((c->ch >= 0x20 && c->ch < 0x7f) || c->ch >= 0xa0);
		CHECK(c->ch <= 0x10ffff && (c->ch < 0xd800 || c->ch > 0xdfff));
		CHECK(c->attr <= KOSH_TERM_ATTR_ALL);
		check_colour(c->fg);
		check_colour(c->bg);
	}
}

static void run(struct screen *s, uint32_t cols, uint32_t rows, const uint8_t *data, size_t size,
		size_t piece)
{
	struct kosh_term_ops ops = {.scroll = on_scroll, .reply = on_reply, .ctx = &s->t};

	CHECK(kosh_term_init(&s->t, s->cells, cols, rows, &ops) == 0);
	for (size_t at = 0; at < size; at += piece) {
		size_t len = size - at < piece ? size - at : piece;

		kosh_term_write(&s->t, data + at, len);
		check(&s->t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t piece;

	if (size == 0)
		return 0;
	piece = data[0] % 16 + 1;
	run(&screens[0], 7, 3, data + 1, size - 1, piece);
	run(&screens[1], 1, 1, data + 1, size - 1, piece);
	return 0;
}
