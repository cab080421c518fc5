/* SPDX-License-Identifier: MIT */
/*
 * Kosh's own 8x16 bitmap font for printable ASCII (0x20..0x7e), drawn for the
 * framebuffer consoles: the kernel's (kernel/fbcon.c), sbin/fbcon's, and the
 * host tools that check a screen dump against it (test/tools/fbrender.c). A
 * glyph is KOSH_FONT_HEIGHT bytes, one per pixel row from the top, the most
 * significant bit being the leftmost pixel.
 *
 * Metrics every glyph keeps: capitals and ascenders from row 3, x-height from
 * row 6, baseline on row 12, descenders in rows 13..15; column 7 is left blank
 * so neighbouring glyphs never touch.
 */
#ifndef KOSH_FONT_H
#define KOSH_FONT_H

#include <stdint.h>

#define KOSH_FONT_WIDTH	      8
#define KOSH_FONT_HEIGHT      16
#define KOSH_FONT_FIRST	      0x20 /* ' ' */
#define KOSH_FONT_LAST	      0x7e /* '~' */
#define KOSH_FONT_GLYPH_COUNT (KOSH_FONT_LAST - KOSH_FONT_FIRST + 1)
#define KOSH_FONT_BASELINE    12 /* last row of a glyph without descender */

/* The glyphs of KOSH_FONT_FIRST..KOSH_FONT_LAST, in order. */
extern const uint8_t kosh_font_glyphs[KOSH_FONT_GLYPH_COUNT][KOSH_FONT_HEIGHT];

/* The glyph of character c (a byte or a Unicode scalar value): a hollow box
 * when c is outside KOSH_FONT_FIRST..KOSH_FONT_LAST. */
const uint8_t *kosh_font_glyph(uint32_t c);

#endif
