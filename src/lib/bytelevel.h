/* bytelevel: GPT-2's reversible byte <-> printable character mapping,
 * shared by the ByteLevel pre-tokenizer, decoder and trainer. */
#ifndef TOK_BYTELEVEL_H
#define TOK_BYTELEVEL_H

#include <stddef.h>
#include <stdint.h>

/* The code point byte b is shown as ('Ġ' for ' ', 'a' for 'a'). */
uint32_t tok_bytelevel_char(unsigned char b);
/* The UTF-8 of that character: *len is 1 or 2. */
const char *tok_bytelevel_utf8(unsigned char b, size_t *len);
/* The whole alphabet, for loops over many bytes: byte b is the len[b]
 * (1 or 2) bytes at utf8[b]. */
void tok_bytelevel_tables(const char (**utf8)[2], const unsigned char **len);
/* The byte a code point stands for, or -1 when it is not in the alphabet. */
int tok_bytelevel_byte(uint32_t cp);

#endif
