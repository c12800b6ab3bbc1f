/* bytelevel: GPT-2's byte <-> unicode alphabet. */
#include "bytelevel.h"

#include <pthread.h>

/* GPT-2 keeps the printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') as
 * themselves and moves the other 68 bytes to U+0100.. in byte order, so
 * every byte has a visible, non-space character. */
static uint32_t byte_char[256];
static char byte_utf8[256][2];
static unsigned char byte_utf8_len[256];
static int char_byte[324];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    uint32_t next = 256;
    for (int b = 0; b < 256; b++) {
        int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
                   (b >= 0xAE && b <= 0xFF);
        byte_char[b] = keep ? (uint32_t)b : next++;
    }
    for (int i = 0; i < 324; i++)
        char_byte[i] = -1;
    for (int b = 0; b < 256; b++) {
        uint32_t c = byte_char[b];
        char_byte[c] = b;
        if (c < 0x80) {
            byte_utf8[b][0] = (char)c;
            byte_utf8_len[b] = 1;
        } else {
            byte_utf8[b][0] = (char)(0xC0 | (c >> 6));
            byte_utf8[b][1] = (char)(0x80 | (c & 0x3F));
            byte_utf8_len[b] = 2;
        }
    }
}

#define ENSURE() pthread_once(&once, init)

uint32_t tok_bytelevel_char(unsigned char b)
{
    ENSURE();
    return byte_char[b];
}

const char *tok_bytelevel_utf8(unsigned char b, size_t *len)
{
    ENSURE();
    *len = byte_utf8_len[b];
    return byte_utf8[b];
}

int tok_bytelevel_byte(uint32_t cp)
{
    ENSURE();
    return cp < 324 ? char_byte[cp] : -1;
}

void tok_bytelevel_tables(const char (**utf8)[2], const unsigned char **len)
{
    ENSURE();
    *utf8 = (const char (*)[2])byte_utf8;
    *len = byte_utf8_len;
}
