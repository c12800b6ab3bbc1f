/* pretok_scan.c -- pre-tokenize stage: GPT-2 and cl100k split scanners */
#include "pretok_scan.h"

#include <stdint.h>

#include "unicode.h"

/*
 * The scanners decide between the regex alternatives from the first one or
 * two characters, which gives the regex's leftmost-first answer because
 * every quantified class is disjoint from what may follow it. The two
 * exceptions, "\s+(?!\S)" and "\s*[\r\n]+", backtrack within a
 * whitespace run, and their outcome is known once the run has been read to
 * its end. What a piece leaves of the run is one character, or a stretch
 * without CR or LF that the next piece takes in one go, so each byte is
 * read at most twice and the scan is linear on every input.
 */

enum {
    CL_OTHER = 0,
    CL_LETTER = 1,
    CL_NUMBER = 2,
    CL_SPACE = 3,
    CL_END = 4,
    CL_MULTI = 5
};

#define O CL_OTHER
#define L CL_LETTER
#define N CL_NUMBER
#define S CL_SPACE
#define M CL_MULTI
/* Non-ASCII bytes map to CL_MULTI, which equals no class, so run loops
 * need one comparison per ASCII byte and fall out to decode the rest. */
static const unsigned char byte_class[256] = {
    /*      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
    /* 00 */ O, O, O, O, O, O, O, O, O, S, S, S, S, S, O, O,
    /* 10 */ O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
    /* 20 */ S, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
    /* 30 */ N, N, N, N, N, N, N, N, N, N, O, O, O, O, O, O,
    /* 40 */ O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    /* 50 */ L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, O,
    /* 60 */ O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    /* 70 */ L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, O,
    /* 80 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* a0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* b0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* c0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* d0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* e0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* f0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
};
#undef O
#undef L
#undef N
#undef S
#undef M

static int is_cont(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

/* Length of the valid UTF-8 sequence at s[i], or 0. The second-byte ranges
 * reject overlong forms, surrogates and values above U+10FFFF, so a
 * decoded value is always a Unicode scalar value. */
static size_t utf8_decode(const unsigned char *s, size_t len, size_t i,
                          int32_t *cp)
{
    unsigned char b = s[i];
    size_t avail = len - i;
    unsigned char lo = 0x80, hi = 0xBF;

    if (b >= 0xC2 && b <= 0xDF) {
        if (avail < 2 || !is_cont(s[i + 1]))
            return 0;
        *cp = (int32_t)(b & 0x1F) << 6 | (int32_t)(s[i + 1] & 0x3F);
        return 2;
    }
    if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0)
            lo = 0xA0;
        else if (b == 0xED)
            hi = 0x9F;
        if (avail < 3 || s[i + 1] < lo || s[i + 1] > hi || !is_cont(s[i + 2]))
            return 0;
        *cp = (int32_t)(b & 0x0F) << 12 | (int32_t)(s[i + 1] & 0x3F) << 6 |
              (int32_t)(s[i + 2] & 0x3F);
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
        if (avail < 4 || s[i + 1] < lo || s[i + 1] > hi ||
            !is_cont(s[i + 2]) || !is_cont(s[i + 3]))
            return 0;
        *cp = (int32_t)(b & 0x07) << 18 | (int32_t)(s[i + 1] & 0x3F) << 12 |
              (int32_t)(s[i + 2] & 0x3F) << 6 | (int32_t)(s[i + 3] & 0x3F);
        return 4;
    }
    return 0;
}

/* The classes come from unicode.h's tables, which are HF's own: its
 * Oniguruma has newer Unicode than utf8proc (U+1C89 is a letter). */
static int nonascii_class(const unsigned char *s, size_t len, size_t i,
                          size_t *n)
{
    int32_t cp = 0;
    size_t k = utf8_decode(s, len, i, &cp);
    unsigned props;

    if (k == 0) {
        *n = 1;
        return CL_OTHER;
    }
    *n = k;
    props = tok_uni_props((uint32_t)cp);
    if (props & TOK_UNI_LETTER)
        return CL_LETTER;
    if (props & TOK_UNI_NUMBER)
        return CL_NUMBER;
    if (props & TOK_UNI_SPACE)
        return CL_SPACE;
    return CL_OTHER;
}

/* Class of the character at s[i], CL_END at the end of the text. */
static inline int char_class(const unsigned char *s, size_t len, size_t i,
                             size_t *n)
{
    if (i >= len) {
        *n = 0;
        return CL_END;
    }
    if (s[i] < 0x80) {
        *n = 1;
        return byte_class[s[i]];
    }
    return nonascii_class(s, len, i, n);
}

/* End of the run of characters of class cl that starts at i. */
static size_t run_end(const unsigned char *s, size_t len, size_t i, int cl)
{
    size_t n;

    for (;;) {
        while (i < len && byte_class[s[i]] == cl)
            i++;
        if (i >= len || s[i] < 0x80 || nonascii_class(s, len, i, &n) != cl)
            return i;
        i += n;
    }
}

static int is_newline(unsigned char b)
{
    return b == '\r' || b == '\n';
}

/* "\s*[\r\n]+" (only when nl_rule) then "\s+(?!\S)|\s+", at a whitespace
 * character. \s* backtracks to the last CR or LF of the run, and \s+ gives
 * back the run's last character when a non-space follows, so that character
 * can start the next piece (" word"). At the end of the text (?!\S) holds
 * and the whole run is taken. */
static size_t space_piece(const unsigned char *s, size_t len, size_t pos,
                          int nl_rule)
{
    size_t i = pos, last = pos, after_nl = 0, n;

    while (char_class(s, len, i, &n) == CL_SPACE) {
        last = i;
        i += n;
        if (is_newline(s[last]))
            after_nl = i;
    }
    if (nl_rule && after_nl != 0)
        return after_nl;
    if (i < len && last > pos)
        return last;
    return i;
}

static size_t gpt2_contraction(const unsigned char *s, size_t len,
                               size_t pos)
{
    unsigned char a, b;

    if (pos + 1 >= len)
        return 0;
    a = s[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return pos + 2;
    if (pos + 2 >= len)
        return 0;
    b = s[pos + 2];
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
        (a == 'l' && b == 'l'))
        return pos + 3;
    return 0;
}

static size_t scan_gpt2(const unsigned char *s, size_t len, size_t pos)
{
    size_t n = 1, end;
    int cl = byte_class[s[pos]];

    /* A letter, digit or space cannot start a contraction, so the common
     * starts are tested first. */
    if (cl == CL_LETTER || cl == CL_NUMBER)
        return run_end(s, len, pos + 1, cl);
    if (s[pos] == ' ') {
        /* " ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+": the three classes are
         * disjoint, so the character after the space picks one. */
        cl = char_class(s, len, pos + 1, &n);
        if (cl != CL_SPACE && cl != CL_END)
            return run_end(s, len, pos + 1 + n, cl);
        return space_piece(s, len, pos, 0);
    }
    if (s[pos] == '\'') {
        end = gpt2_contraction(s, len, pos);
        if (end != 0)
            return end;
    }
    if (cl == CL_MULTI)
        cl = nonascii_class(s, len, pos, &n);
    if (cl != CL_SPACE)
        return run_end(s, len, pos + n, cl);
    return space_piece(s, len, pos, 0);
}

static int lower_ascii(unsigned char b)
{
    return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d): simple case folding adds only U+017F LATIN
 * SMALL LETTER LONG S (C5 BF), which folds to s; no other character folds
 * to t, r, e, v, m, l or d. */
static size_t cl100k_contraction(const unsigned char *s, size_t len,
                                 size_t pos)
{
    int a, b;

    if (pos + 1 >= len)
        return 0;
    a = lower_ascii(s[pos + 1]);
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return pos + 2;
    if (pos + 2 >= len)
        return 0;
    if (s[pos + 1] == 0xC5 && s[pos + 2] == 0xBF)
        return pos + 3;
    b = lower_ascii(s[pos + 2]);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
        (a == 'l' && b == 'l'))
        return pos + 3;
    return 0;
}

/* "[\r\n]*" after a punctuation run */
static size_t newline_run_end(const unsigned char *s, size_t len, size_t i)
{
    while (i < len && is_newline(s[i]))
        i++;
    return i;
}

static size_t scan_cl100k(const unsigned char *s, size_t len, size_t pos)
{
    size_t n = 1, n2, end;
    int cl = byte_class[s[pos]], cl2, count;

    /* [^\r\n\p{L}\p{N}]?\p{L}+, tested before the contractions because a
     * letter cannot start one */
    if (cl == CL_LETTER)
        return run_end(s, len, pos + 1, CL_LETTER);
    if (s[pos] == '\'') {
        end = cl100k_contraction(s, len, pos);
        if (end != 0)
            return end;
    }
    if (cl == CL_MULTI) {
        cl = nonascii_class(s, len, pos, &n);
        if (cl == CL_LETTER)
            return run_end(s, len, pos + n, CL_LETTER);
    }
    if (cl == CL_NUMBER) {
        /* \p{N}{1,3} */
        end = pos + n;
        for (count = 1; count < 3; count++) {
            if (char_class(s, len, end, &n2) != CL_NUMBER)
                break;
            end += n2;
        }
        return end;
    }
    cl2 = char_class(s, len, pos + n, &n2);
    if (cl2 == CL_LETTER && !is_newline(s[pos]))
        return run_end(s, len, pos + n + n2, CL_LETTER);
    /*  ?[^\s\p{L}\p{N}]+[\r\n]* */
    if (cl == CL_OTHER) {
        end = cl2 == CL_OTHER ? run_end(s, len, pos + n + n2, CL_OTHER)
                              : pos + n;
        return newline_run_end(s, len, end);
    }
    if (s[pos] == ' ' && cl2 == CL_OTHER)
        return newline_run_end(s, len,
                               run_end(s, len, pos + 1 + n2, CL_OTHER));
    return space_piece(s, len, pos, 1);
}

size_t tok_scan_next(tok_scan_pattern pat, const char *s, size_t len,
                     size_t pos)
{
    const unsigned char *u = (const unsigned char *)s;

    if (pos >= len)
        return len;
    if (pat == TOK_SCAN_CL100K)
        return scan_cl100k(u, len, pos);
    return scan_gpt2(u, len, pos);
}
