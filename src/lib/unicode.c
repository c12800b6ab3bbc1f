/* unicode: character classes and case mapping (the unicode stage), read
 * from the tables that tests/gen/mkunicode.c generates from what Hugging
 * Face tokenizers answers, so that every class is HF's, whatever Unicode
 * version utf8proc has. */
#include "unicode.h"

#include <utf8proc.h>

bool tok_uni_is_space(uint32_t cp)
{
    /* Called on every character by several splitters: ASCII first. */
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return (tok_uni_props(cp) & TOK_UNI_SPACE) != 0;
}

bool tok_uni_is_letter(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_LETTER) != 0;
}

bool tok_uni_is_number(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_NUMBER) != 0;
}

bool tok_uni_is_numeric(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_NUMERIC) != 0;
}

bool tok_uni_is_digit(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND;
}

bool tok_uni_is_mark(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_MARK) != 0;
}

bool tok_uni_is_mark_nonspacing(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_MARK_NONSPACING) != 0;
}

bool tok_uni_is_punct(uint32_t cp)
{
    /* ASCII P*: BERT's ASCII punctuation less the symbols $ + < = > ^ `
     * | ~, which are S*. */
    if (cp < 0x80)
        return (tok_uni_props(cp) & TOK_UNI_BERT_PUNCT) && cp != '$' &&
               cp != '+' && cp != '<' && cp != '=' && cp != '>' &&
               cp != '^' && cp != '`' && cp != '|' && cp != '~';
    return (tok_uni_props(cp) & TOK_UNI_BERT_PUNCT) != 0;
}

bool tok_uni_is_other(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_OTHER) != 0;
}

bool tok_uni_is_bert_punct(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_BERT_PUNCT) != 0;
}

bool tok_uni_is_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) ||
           (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool tok_uni_is_word(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_WORD) != 0;
}

size_t tok_uni_lower(uint32_t cp, uint32_t out[3])
{
    size_t lo = 0, hi = tok_uni_lower_runs_len, n = 0;

    out[0] = cp;
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            out[0] = cp + 32;
        return 1;
    }
    if (!(tok_uni_props(cp) & TOK_UNI_LOWER))
        return 1;
    /* The last run that starts at or before cp. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tok_uni_lower_runs[mid].first <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        const tok_uni_lower_run *r = &tok_uni_lower_runs[lo - 1];
        if (cp <= r->last && (cp - r->first) % r->stride == 0) {
            out[0] = (uint32_t)((int32_t)cp + r->delta);
            return 1;
        }
    }
    for (size_t i = 0; i < tok_uni_lower_multis_len; i++) {
        if (tok_uni_lower_multis[i].cp != cp)
            continue;
        while (n < 3 && tok_uni_lower_multis[i].out[n] != 0) {
            out[n] = tok_uni_lower_multis[i].out[n];
            n++;
        }
        return n;
    }
    return 1;
}
