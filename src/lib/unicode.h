/* unicode: character classes and case mapping, the only place (with the
 * normalizers) that asks about characters.
 *
 * Every answer is the one Hugging Face tokenizers 0.23.2 gives, for every
 * code point.  HF takes its classes from several sources of different
 * Unicode versions: Rust's std (char::is_whitespace, is_numeric,
 * to_lowercase), the regex crate (\w), Oniguruma (\p{L}, \p{N} of the
 * GPT-2 and cl100k patterns), the unicode_categories crate, whose tables
 * are Unicode 8.0 (punctuation, C*, Mn), and unicode-normalization (M*).
 * So the classes are tables generated from HF itself
 * (tests/gen/gen_unicode_fixture.js probes it, tests/gen/mkunicode.c
 * writes unicode_tables.c), not utf8proc's categories; each function says
 * which HF component it stands for, and which of ours should call it.
 *
 * Surrogates and values above U+10FFFF have no class.  All functions are
 * pure and thread-safe. */
#ifndef TOK_UNICODE_H
#define TOK_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Unicode White_Space property: Rust's char::is_whitespace, the \s of
 * the regex crate and of Oniguruma, which agree.  Not U+FEFF, U+200B or
 * U+180E.  For BertPreTokenizer, WhitespaceSplit, Whitespace, Strip,
 * clean_text, the split scanners, added-token lstrip/rstrip and ByteLevel
 * offset trimming. */
bool tok_uni_is_space(uint32_t cp);
/* \p{L} as Oniguruma sees it (Unicode 16): the ByteLevel and cl100k
 * regexes, that is the split scanners of pretok_scan.c. */
bool tok_uni_is_letter(uint32_t cp);
/* \p{N} as Oniguruma sees it (Unicode 16): the split scanners. */
bool tok_uni_is_number(uint32_t cp);
/* Rust's char::is_numeric (N*, Unicode 17): the Digits pre-tokenizer.
 * A superset of tok_uni_is_number (U+11DE0..U+11DE9 and U+16FF4..U+16FF6
 * are only here). */
bool tok_uni_is_numeric(uint32_t cp);
/* General category Nd as utf8proc has it; no HF component asks it. */
bool tok_uni_is_digit(uint32_t cp);
/* unicode-normalization's is_combining_mark (M*, Unicode 9.0): what the
 * StripAccents normalizer deletes. */
bool tok_uni_is_mark(uint32_t cp);
/* What BertNormalizer's strip_accents deletes after NFD: the
 * unicode_categories crate's Mn (Unicode 8.0; U+1734 is still Mn there). */
bool tok_uni_is_mark_nonspacing(uint32_t cp);
/* The unicode_categories crate's P* (Unicode 8.0): char::is_punctuation
 * in HF. */
bool tok_uni_is_punct(uint32_t cp);
/* The unicode_categories crate's is_other (Cc, Cf, Co of Unicode 8.0; not
 * unassigned code points).  BertNormalizer's clean_text deletes c when
 * c == 0 || c == 0xFFFD || (tok_uni_is_other(c) && c is not tab, LF or
 * CR). */
bool tok_uni_is_other(uint32_t cp);
/* BERT's punctuation, for BertPreTokenizer and Punctuation: ASCII
 * punctuation (which includes symbols such as '$' and '^') or
 * tok_uni_is_punct. */
bool tok_uni_is_bert_punct(uint32_t cp);
/* BERT's "Chinese character" ranges (CJK ideographs), for
 * handle_chinese_chars. */
bool tok_uni_is_cjk(uint32_t cp);
/* The regex crate's \w (Unicode 16: alphabetic, marks, decimal digits,
 * connector punctuation, join controls): the Whitespace pre-tokenizer and
 * added tokens' single_word. */
bool tok_uni_is_word(uint32_t cp);
/* Full lowercase mapping of one character, as Rust's char::to_lowercase
 * (Unicode 17; U+0130 gives two characters, no final-sigma rule): the
 * Lowercase normalizer and BertNormalizer's lowercase.  Returns the count
 * (1-3). */
size_t tok_uni_lower(uint32_t cp, uint32_t out[3]);

/* ---- all classes in one lookup, for loops over every character ---- */

/* The bits of tok_uni_props(), one per function above. */
#define TOK_UNI_SPACE           0x001u
#define TOK_UNI_LETTER          0x002u
#define TOK_UNI_NUMBER          0x004u
#define TOK_UNI_NUMERIC         0x008u
#define TOK_UNI_WORD            0x010u
#define TOK_UNI_BERT_PUNCT      0x020u
#define TOK_UNI_OTHER           0x040u
#define TOK_UNI_MARK_NONSPACING 0x080u
#define TOK_UNI_MARK            0x100u
#define TOK_UNI_LOWER           0x200u  /* lowercases to something else */

/* The generated tables (unicode_tables.c): each block of 128 code points
 * is one of a few distinct blocks, which give each code point a class,
 * an index into the property sets. */
#define TOK_UNI_BLOCK_SHIFT 7
extern const uint16_t tok_uni_class_props[];
extern const uint8_t tok_uni_block_index[0x110000 >> TOK_UNI_BLOCK_SHIFT];
extern const uint8_t tok_uni_block_class[];

/* The TOK_UNI_* bits of cp; 0 above U+10FFFF. */
static inline unsigned tok_uni_props(uint32_t cp)
{
    const uint32_t mask = (1u << TOK_UNI_BLOCK_SHIFT) - 1;
    size_t block;

    if (cp > 0x10FFFF)
        return 0;
    block = tok_uni_block_index[cp >> TOK_UNI_BLOCK_SHIFT];
    return tok_uni_class_props[
        tok_uni_block_class[block << TOK_UNI_BLOCK_SHIFT | (cp & mask)]];
}

/* Lowercase mappings: first..last (every stride-th code point from first)
 * each map to themselves plus delta. */
typedef struct tok_uni_lower_run {
    uint32_t first, last, stride;
    int32_t delta;
} tok_uni_lower_run;
typedef struct tok_uni_lower_multi {
    uint32_t cp, out[3];      /* out ends at the first 0 */
} tok_uni_lower_multi;
extern const tok_uni_lower_run tok_uni_lower_runs[];
extern const size_t tok_uni_lower_runs_len;
extern const tok_uni_lower_multi tok_uni_lower_multis[];
extern const size_t tok_uni_lower_multis_len;

#endif
