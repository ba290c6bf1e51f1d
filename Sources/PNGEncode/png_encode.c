// The only code that calls libpng: an indexed image to a PNG in memory. libpng reports errors
// by longjmp, which Swift cannot catch, so the setjmp lives here and the caller sees -1.
#include "png_encode.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t *data; size_t size, capacity; int failed; } buffer_t;

static void write_bytes(png_structp png, png_bytep bytes, png_size_t length) {
    buffer_t *buffer = (buffer_t *)png_get_io_ptr(png);
    if (buffer->size + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : 65536;
        while (capacity < buffer->size + length) capacity *= 2;
        uint8_t *grown = realloc(buffer->data, capacity);
        if (!grown) { buffer->failed = 1; png_error(png, "out of memory"); }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, bytes, length);
    buffer->size += length;
}

static void flush_bytes(png_structp png) { (void)png; }

int calfarm_png_encode_indexed(const uint8_t *pixels, int width, int height, const uint8_t *palette, int colors,
                               uint8_t **out, size_t *out_size) {
    if (width <= 0 || height <= 0 || colors <= 0 || colors > 256) return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    buffer_t buffer = {0};
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(buffer.data);
        return -1;
    }
    png_set_write_fn(png, &buffer, write_bytes, flush_bytes);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_color entries[256];
    for (int i = 0; i < colors; i++) {
        entries[i].red = palette[3 * i];
        entries[i].green = palette[3 * i + 1];
        entries[i].blue = palette[3 * i + 2];
    }
    png_set_PLTE(png, info, entries, colors);
    png_set_compression_level(png, 9);
    png_write_info(png, info);
    for (int row = 0; row < height; row++) png_write_row(png, (png_const_bytep)(pixels + (size_t)row * (size_t)width));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = buffer.data;
    *out_size = buffer.size;
    return 0;
}

void calfarm_png_free(uint8_t *data) { free(data); }
