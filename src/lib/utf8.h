/* utf8: decoding and encoding UTF-8 without Unicode tables. */
#ifndef TOK_UTF8_H
#define TOK_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the character at s[pos] (pos < len).  Returns its length in
 * bytes (1-4) and stores the code point; on an invalid or truncated
 * sequence returns 0 and stores the byte itself in *cp (the caller decides:
 * one-byte "character" for byte-level models, an error otherwise).
 * Overlong forms, surrogates and values above U+10FFFF are invalid. */
static inline size_t tok_utf8_decode(const unsigned char *s, size_t len,
                                     size_t pos, uint32_t *cp)
{
    unsigned char c = s[pos];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1Fu; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07u; min = 0x10000;
    } else {
        *cp = c;
        return 0;
    }
    if (len - pos < n) {
        *cp = c;
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char d = s[pos + i];
        if ((d & 0xC0) != 0x80) {
            *cp = c;
            return 0;
        }
        v = (v << 6) | (d & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = c;
        return 0;
    }
    *cp = v;
    return n;
}

/* Writes cp as UTF-8 into out (4 bytes room); returns the length. */
size_t tok_utf8_encode(uint32_t cp, char *out);

/* Returns the offset of the first invalid byte, or len when s is valid. */
size_t tok_utf8_validate(const char *s, size_t len);

/* The number of code points in s[0..len) (invalid bytes count as one). */
size_t tok_utf8_count(const char *s, size_t len);

#endif
