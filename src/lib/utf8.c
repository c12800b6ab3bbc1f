/* utf8: encoding, validation and counting of UTF-8 text. */
#include "utf8.h"

size_t tok_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t tok_utf8_validate(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* Skip ASCII eight bytes at a time: most text is ASCII. */
        while (i + 8 <= len) {
            uint64_t w;
            __builtin_memcpy(&w, u + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        /* Two-byte characters (Latin, Greek, Cyrillic, GPT-2's byte
         * alphabet) without the general decoder. */
        if (u[i] >= 0xC2 && u[i] <= 0xDF && i + 1 < len &&
            (u[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        uint32_t cp;
        size_t n = tok_utf8_decode(u, len, i, &cp);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

size_t tok_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}
