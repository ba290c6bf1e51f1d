#ifndef CALFARM_PNG_ENCODE_H
#define CALFARM_PNG_ENCODE_H
#include <stddef.h>
#include <stdint.h>

/// Encodes an 8-bit indexed image (one palette index per pixel, rows top to bottom) as PNG in
/// memory with libpng. `palette` holds `colors` RGB triples. On success returns 0 and sets
/// `*out` (free with calfarm_png_free) and `*out_size`; otherwise returns -1.
int calfarm_png_encode_indexed(const uint8_t *pixels, int width, int height, const uint8_t *palette, int colors,
                               uint8_t **out, size_t *out_size);
void calfarm_png_free(uint8_t *data);

#endif
