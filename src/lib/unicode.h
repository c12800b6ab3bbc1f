/* unicode: character classes and case mapping, the only place (with the
 * normalizers) that asks utf8proc about characters. */
#ifndef TOK_UNICODE_H
#define TOK_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Unicode White_Space property (Rust's char::is_whitespace, regex \s):
 * not U+FEFF, U+200B or U+180E. */
bool tok_uni_is_space(uint32_t cp);
bool tok_uni_is_letter(uint32_t cp);   /* L* */
bool tok_uni_is_number(uint32_t cp);   /* N* */
bool tok_uni_is_digit(uint32_t cp);    /* Nd */
bool tok_uni_is_mark(uint32_t cp);     /* M* */
bool tok_uni_is_mark_nonspacing(uint32_t cp); /* Mn */
bool tok_uni_is_punct(uint32_t cp);    /* P* */
bool tok_uni_is_other(uint32_t cp);    /* C*: Cc Cf Cs Co Cn */
/* BERT's punctuation: ASCII punctuation (which includes symbols such as
 * '$' and '^') or any P* character. */
bool tok_uni_is_bert_punct(uint32_t cp);
/* BERT's "Chinese character" ranges (CJK ideographs). */
bool tok_uni_is_cjk(uint32_t cp);
/* Regex \w: alphabetic, marks, decimal digits, connector punctuation,
 * join controls. */
bool tok_uni_is_word(uint32_t cp);
/* Full lowercase mapping of one character, as Rust's char::to_lowercase
 * (U+0130 gives two characters).  Returns the count (1-3). */
size_t tok_uni_lower(uint32_t cp, uint32_t out[3]);

#endif
