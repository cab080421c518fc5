/* SPDX-License-Identifier: MIT */
/*
 * Kosh's own 8x16 bitmap font for printable ASCII (0x20..0x7e), drawn for the
 * framebuffer console. A glyph is FONT_HEIGHT bytes, one per pixel row from the
 * top, the most significant bit being the leftmost pixel.
 *
 * Metrics every glyph keeps: capitals and ascenders from row 3, x-height from
 * row 6, baseline on row 12, descenders in rows 13..15; column 7 is left blank
 * so neighbouring glyphs never touch.
 */
#ifndef KERNEL_FONT_H
#define KERNEL_FONT_H

#include <stdint.h>

#define FONT_WIDTH       8
#define FONT_HEIGHT      16
#define FONT_FIRST       0x20 /* ' ' */
#define FONT_LAST        0x7e /* '~' */
#define FONT_GLYPH_COUNT (FONT_LAST - FONT_FIRST + 1)
#define FONT_BASELINE    12   /* last row of a glyph without descender */

/* The glyphs of FONT_FIRST..FONT_LAST, in order. */
extern const uint8_t font_glyphs[FONT_GLYPH_COUNT][FONT_HEIGHT];

/* The glyph for c, or a hollow box when c is outside FONT_FIRST..FONT_LAST. */
const uint8_t *font_glyph(char c);

#endif
