/* Tests for the pre-tokenize split scanners (src/lib/pretok_scan.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/lib/pretok_scan.h"

/* The fixtures are found from this file's own path, so the test runs from
 * any directory when the compiler is given an absolute path (CMake does);
 * TOK_SCAN_FIXTURE_DIR overrides both at build and at run time. */
static void fixture_path(char *out, size_t size, const char *name)
{
    const char *env = getenv("TOK_SCAN_FIXTURE_DIR");
    const char *file = __FILE__;
    const char *cut;

    if (env != NULL && env[0] != '\0') {
        snprintf(out, size, "%s/%s", env, name);
        return;
    }
#ifdef TOK_SCAN_FIXTURE_DIR
    snprintf(out, size, "%s/%s", TOK_SCAN_FIXTURE_DIR, name);
    return;
#endif
    cut = strstr(file, "unit/test_pretok_scan.c");
    if (cut == NULL) {
        snprintf(out, size, "tests/data/scan/%s", name);
        return;
    }
    snprintf(out, size, "%.*sdata/scan/%s", (int)(cut - file), file, name);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

typedef struct {
    size_t cases;
    size_t pieces;
} fixture_stats;

/* Reads one fixture line "name\thex\tlen,len,..." and checks the scanner
 * against it. The text lives in a buffer of exactly its size, so
 * AddressSanitizer catches any read past len. */
static void check_line(tok_scan_pattern pat, char *line, const char *file,
                       size_t lineno, fixture_stats *st)
{
    char *name = line, *hex, *lens, *p;
    size_t hexlen, len, i, pos = 0, piece = 0;
    unsigned char *text;

    hex = strchr(name, '\t');
    if (hex == NULL)
        fail_msg("%s:%zu: no text field", file, lineno);
    *hex++ = '\0';
    lens = strchr(hex, '\t');
    if (lens == NULL)
        fail_msg("%s:%zu: no lengths field", file, lineno);
    *lens++ = '\0';
    lens[strcspn(lens, "\r\n")] = '\0';

    hexlen = strlen(hex);
    if (hexlen % 2 != 0)
        fail_msg("%s:%zu: odd hex length", file, lineno);
    len = hexlen / 2;
    text = malloc(len > 0 ? len : 1);
    assert_non_null(text);
    for (i = 0; i < len; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            fail_msg("%s:%zu: bad hex", file, lineno);
        text[i] = (unsigned char)(hi << 4 | lo);
    }

    p = lens;
    while (*p != '\0') {
        char *endp;
        unsigned long want = strtoul(p, &endp, 10);
        size_t end;

        if (endp == p)
            fail_msg("%s:%zu: bad lengths", file, lineno);
        p = *endp == ',' ? endp + 1 : endp;
        if (pos >= len)
            fail_msg("%s:%zu (%s): text ends before piece %zu", file, lineno,
                     name, piece);
        end = tok_scan_next(pat, (const char *)text, len, pos);
        if (end != pos + want)
            fail_msg("%s:%zu (%s): piece %zu at byte %zu: expected %lu bytes,"
                     " got %zu",
                     file, lineno, name, piece, pos, want, end - pos);
        pos = end;
        piece++;
    }
    if (pos != len)
        fail_msg("%s:%zu (%s): fixture pieces end at %zu of %zu", file,
                 lineno, name, pos, len);
    free(text);
    st->cases++;
    st->pieces += piece;
}

static void check_fixture_file(tok_scan_pattern pat, const char *name)
{
    char path[4096];
    static char line[1 << 16];
    size_t lineno = 0;
    fixture_stats st = {0, 0};
    FILE *f;

    fixture_path(path, sizeof path, name);
    f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open fixture %s", path);
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f))
            fail_msg("%s:%zu: line too long", path, lineno);
        if (line[0] == '#' || line[0] == '\n')
            continue;
        check_line(pat, line, path, lineno, &st);
    }
    fclose(f);
    /* Guards against a truncated or empty fixture passing silently. */
    assert_true(st.cases >= 2000);
    print_message("%s: %zu cases, %zu pieces\n", name, st.cases, st.pieces);
}

static void gpt2_pieces_match_the_regex_on_every_fixture(void **state)
{
    (void)state;
    check_fixture_file(TOK_SCAN_GPT2, "gpt2.txt");
}

static void cl100k_pieces_match_the_regex_on_every_fixture(void **state)
{
    (void)state;
    check_fixture_file(TOK_SCAN_CL100K, "cl100k.txt");
}

/* Splits s (length len, may hold NUL) and compares with the expected piece
 * lengths, terminated by 0. */
static void expect_pieces(tok_scan_pattern pat, const char *s, size_t len,
                          const size_t *want)
{
    char *copy = malloc(len > 0 ? len : 1);
    size_t pos = 0, k = 0;

    assert_non_null(copy);
    memcpy(copy, s, len);
    while (pos < len) {
        size_t end = tok_scan_next(pat, copy, len, pos);
        if (want[k] == 0)
            fail_msg("extra piece at byte %zu", pos);
        if (end - pos != want[k])
            fail_msg("piece %zu at byte %zu: expected %zu bytes, got %zu", k,
                     pos, want[k], end - pos);
        pos = end;
        k++;
    }
    assert_int_equal(want[k], 0);
    free(copy);
}

#define EXPECT(pat, lit, ...)                                                 \
    do {                                                                      \
        static const size_t want_[] = {__VA_ARGS__, 0};                       \
        expect_pieces(pat, lit, sizeof(lit) - 1, want_);                      \
    } while (0)

static void invalid_utf8_bytes_are_other_characters_of_their_own(void **state)
{
    (void)state;
    /* A stray byte splits letters like punctuation would. */
    EXPECT(TOK_SCAN_GPT2, "a\xff" "b", 1, 1, 1);
    /* Invalid bytes form a run with each other and with punctuation. */
    EXPECT(TOK_SCAN_GPT2, " \xff\xfe!x", 4, 1);
    /* Truncated, overlong, surrogate and too-large sequences. */
    EXPECT(TOK_SCAN_GPT2, "ab\xe2\x80", 2, 2);
    EXPECT(TOK_SCAN_GPT2, "\xc0\xaf" "x", 2, 1);
    EXPECT(TOK_SCAN_GPT2, "abc\xed\xa0\x80", 3, 3);
    EXPECT(TOK_SCAN_GPT2, "\xf4\x90\x80\x80" "1", 4, 1);
    EXPECT(TOK_SCAN_GPT2, "\xf5\x80" " x", 2, 2);
    /* A valid letter right after an invalid lead byte is still a letter. */
    EXPECT(TOK_SCAN_GPT2, "\xc3\xc3\xa9", 1, 2);
    EXPECT(TOK_SCAN_GPT2, "\xe2\x82\xac\xe2\x82", 5);
    /* Not whitespace: the space run before it gives no character back. */
    EXPECT(TOK_SCAN_GPT2, "  \x80", 1, 2);
    /* In cl100k an invalid byte can be the one-character word prefix. */
    EXPECT(TOK_SCAN_CL100K, "\xff" "abc", 4);
    EXPECT(TOK_SCAN_CL100K, "\xff\xfe\n\nab", 4, 2);
    EXPECT(TOK_SCAN_CL100K, "12\xff" "3", 2, 1, 1);
}

static void contractions_follow_each_pattern_case_rules(void **state)
{
    (void)state;
    EXPECT(TOK_SCAN_GPT2, "'s'S'll'LL", 2, 1, 1, 3, 1, 2);
    EXPECT(TOK_SCAN_CL100K, "'s'S'll'LL'Ve", 2, 2, 3, 3, 3);
    /* U+017F LATIN SMALL LETTER LONG S folds to s. */
    EXPECT(TOK_SCAN_CL100K, "'\xc5\xbf" "x", 3, 1);
    EXPECT(TOK_SCAN_GPT2, "'\xc5\xbf" "x", 1, 3);
    /* Cut short by the end of the text. */
    EXPECT(TOK_SCAN_GPT2, "'", 1);
    EXPECT(TOK_SCAN_GPT2, "'l", 1, 1);
    EXPECT(TOK_SCAN_CL100K, "'\xc5", 2);
    EXPECT(TOK_SCAN_CL100K, "'R", 2);
}

static void whitespace_runs_give_back_their_last_character(void **state)
{
    (void)state;
    EXPECT(TOK_SCAN_GPT2, "a   b", 1, 2, 2);
    EXPECT(TOK_SCAN_GPT2, "a   ", 1, 3);
    EXPECT(TOK_SCAN_GPT2, "a\n\nb", 1, 1, 1, 1);
    EXPECT(TOK_SCAN_CL100K, "a \n  b", 1, 2, 1, 2);
    EXPECT(TOK_SCAN_CL100K, "a\t\tb", 1, 1, 2);
    EXPECT(TOK_SCAN_CL100K, "x 12", 1, 1, 2);
}

static void cl100k_numbers_come_in_groups_of_three(void **state)
{
    (void)state;
    EXPECT(TOK_SCAN_CL100K, "1234567", 3, 3, 1);
    /* U+0663 ARABIC-INDIC DIGIT THREE, U+00BD VULGAR FRACTION ONE HALF */
    EXPECT(TOK_SCAN_CL100K, "1\xd9\xa3\xc2\xbd" "4", 5, 1);
}

/* Hugging Face's Oniguruma has Unicode 16 classes, utf8proc 2.8 Unicode
 * 15: the scanners follow HF (pieces checked against HF 0.23.2). */
static void letters_and_numbers_follow_the_unicode_of_hugging_face(void **s)
{
    (void)s;
    /* U+1C89 and U+A7CB are letters, U+10D40 and U+10D41 numbers;
     * U+11DE0 (a Unicode 17 digit) and U+2E4F (no longer punctuation for
     * BERT, still not a letter) are other. */
    EXPECT(TOK_SCAN_GPT2,
           "a\xe1\xb2\x89\xea\x9f\x8b" "b \xf0\x90\xb5\x80\xf0\x90\xb5\x81"
           "x \xf0\x91\xb7\xa0\xe2\xb9\x8f!", 8, 9, 1, 9);
    EXPECT(TOK_SCAN_CL100K,
           "\xf0\x90\xb5\x80\xf0\x90\xb5\x81\xf0\x90\xb5\x82"
           "\xf0\x90\xb5\x83", 12, 4);
    EXPECT(TOK_SCAN_CL100K, "!\xe1\xb2\x89" "x\xf0\x91\xb7\xa0" "1", 5, 4, 1);
}

static void a_position_at_or_past_the_end_returns_the_length(void **state)
{
    (void)state;
    assert_int_equal(tok_scan_next(TOK_SCAN_GPT2, "ab", 2, 2), 2);
    assert_int_equal(tok_scan_next(TOK_SCAN_CL100K, "ab", 2, 7), 2);
    assert_int_equal(tok_scan_next(TOK_SCAN_GPT2, NULL, 0, 0), 0);
}

/* ---- random input ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Byte strings that hit every branch: ASCII classes, whitespace, apostrophes
 * before contraction letters, valid multi-byte characters of each class,
 * and lead, continuation and out-of-range bytes in the wrong places. */
static const char *const FRAGMENTS[] = {
    " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "a", "Z", "s", "t", "re",
    "ll", "S", "'", "'", "0", "9", "!", ".", "\xc2\x85", "\xc2\xa0",
    "\xe3\x80\x80", "\xe2\x80\xa8", "\xc3\xa9", "\xcc\x81", "\xe4\xb8\xad",
    "\xd9\xa3", "\xc2\xbd", "\xf0\x9f\x98\x80", "\xc5\xbf", "\xef\xbb\xbf",
    "\x80", "\xbf", "\xc2", "\xc3", "\xe0", "\xe2\x80", "\xed\xa0\x80",
    "\xf0", "\xf0\x9f", "\xf0\x9f\x98", "\xf4\x90\x80\x80", "\xf5", "\xff",
    "\xc0\x80", "\x00",
};

static void fill_random(unsigned char *buf, size_t len)
{
    size_t i = 0, nfrag = sizeof FRAGMENTS / sizeof FRAGMENTS[0];

    while (i < len) {
        if (rng() % 4 == 0) {
            buf[i++] = (unsigned char)rng();
            continue;
        }
        {
            const char *f = FRAGMENTS[rng() % nfrag];
            size_t n = f[0] == '\0' ? 1 : strlen(f);
            if (n > len - i)
                n = len - i;
            memcpy(buf + i, f, n);
            i += n;
        }
    }
}

/* Start of every character under the scanner's reading of invalid UTF-8,
 * decoded independently of it: a piece must never end inside one. */
static void char_starts(const unsigned char *s, size_t len, unsigned char *is)
{
    size_t i = 0;

    memset(is, 0, len + 1);
    while (i < len) {
        size_t n = 1;
        unsigned char b = s[i];
        unsigned lo = 0x80, hi = 0xBF;

        if (b >= 0xC2 && b <= 0xF4) {
            size_t need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
            size_t k;
            if (b == 0xE0)
                lo = 0xA0;
            if (b == 0xED)
                hi = 0x9F;
            if (b == 0xF0)
                lo = 0x90;
            if (b == 0xF4)
                hi = 0x8F;
            if (i + need <= len && s[i + 1] >= lo && s[i + 1] <= hi) {
                for (k = 2; k < need; k++)
                    if ((s[i + k] & 0xC0) != 0x80)
                        break;
                if (k == need)
                    n = need;
            }
        }
        is[i] = 1;
        i += n;
    }
    is[len] = 1;
}

static void random_bytes_are_tiled_by_pieces_of_whole_characters(void **s)
{
    unsigned char starts[257];
    int iter, p;

    (void)s;
    for (iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(rng() % 257);
        unsigned char *buf = malloc(len > 0 ? len : 1);

        assert_non_null(buf);
        fill_random(buf, len);
        char_starts(buf, len, starts);
        for (p = 0; p <= 1; p++) {
            size_t pos = 0;
            while (pos < len) {
                size_t end = tok_scan_next((tok_scan_pattern)p,
                                           (const char *)buf, len, pos);
                if (end <= pos || end > len || !starts[end])
                    fail_msg("pattern %d, iteration %d: piece [%zu, %zu) of "
                             "%zu bytes",
                             p, iter, pos, end, len);
                pos = end;
            }
        }
        free(buf);
    }
}

/* ---- linear time ---- */

static size_t count_pieces(tok_scan_pattern pat, const char *s, size_t len,
                           size_t *last_len)
{
    size_t pos = 0, n = 0, end = 0;

    while (pos < len) {
        end = tok_scan_next(pat, s, len, pos);
        *last_len = end - pos;
        pos = end;
        n++;
    }
    return n;
}

/* Each input is long enough that quadratic rescanning would not finish. */
static void long_runs_are_scanned_in_linear_time(void **state)
{
    const size_t n = (size_t)4 << 20;
    char *buf = malloc(n);
    size_t last = 0, i;
    int p;

    (void)state;
    assert_non_null(buf);
    for (p = 0; p <= 1; p++) {
        tok_scan_pattern pat = (tok_scan_pattern)p;

        memset(buf, ' ', n);
        assert_int_equal(count_pieces(pat, buf, n, &last), 1);
        buf[n - 1] = 'x';
        assert_int_equal(count_pieces(pat, buf, n, &last), 2);
        assert_int_equal(last, 2);
        buf[n - 1] = '\n';
        assert_int_equal(count_pieces(pat, buf, n, &last), 1);
        memset(buf, 'a', n);
        assert_int_equal(count_pieces(pat, buf, n, &last), 1);
        memset(buf, '!', n);
        assert_int_equal(count_pieces(pat, buf, n, &last), 1);
        memset(buf, '7', n);
        assert_int_equal(count_pieces(pat, buf, n, &last),
                         p == 0 ? 1 : (n + 2) / 3);
        memset(buf, '\n', n);
        assert_int_equal(count_pieces(pat, buf, n, &last), 1);
        for (i = 0; i < n; i++)
            buf[i] = i % 2 ? '\n' : ' ';
        buf[n - 1] = 'x';
        assert_int_equal(count_pieces(pat, buf, n, &last), 2);
        for (i = 0; i + 3 <= n; i += 3)
            memcpy(buf + i, "\xe3\x80\x80", 3); /* U+3000 */
        memset(buf + i, 'x', n - i);
        /* GPT-2 leaves the last U+3000 alone; cl100k makes it a prefix. */
        assert_int_equal(count_pieces(pat, buf, n, &last), p == 0 ? 3 : 2);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpt2_pieces_match_the_regex_on_every_fixture),
        cmocka_unit_test(cl100k_pieces_match_the_regex_on_every_fixture),
        cmocka_unit_test(invalid_utf8_bytes_are_other_characters_of_their_own),
        cmocka_unit_test(contractions_follow_each_pattern_case_rules),
        cmocka_unit_test(whitespace_runs_give_back_their_last_character),
        cmocka_unit_test(cl100k_numbers_come_in_groups_of_three),
        cmocka_unit_test(
            letters_and_numbers_follow_the_unicode_of_hugging_face),
        cmocka_unit_test(a_position_at_or_past_the_end_returns_the_length),
        cmocka_unit_test(random_bytes_are_tiled_by_pieces_of_whole_characters),
        cmocka_unit_test(long_runs_are_scanned_in_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
