/* Tests for the unicode stage (src/lib/unicode.c and its generated tables):
 * every class and the lowercase mapping against what Hugging Face
 * tokenizers 0.23.2 answers for every code point
 * (tests/data/unicode/hf_props.txt, probed from HF by
 * tests/gen/gen_unicode_fixture.js). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unicode.h"

#define NCP 0x110000u

/* The properties of the fixture, in the order of the TOK_UNI_* bits. */
static const char *const prop_names[] = {
    "space", "letter", "number", "numeric", "word", "bert_punct",
    "other", "mark_nonspacing", "combining_mark", "lower", "cjk",
};
enum { NPROPS = 11, P_LOWER = 9, P_CJK = 10 };

typedef bool (*class_fn)(uint32_t cp);
static const class_fn prop_fns[] = {
    tok_uni_is_space, tok_uni_is_letter, tok_uni_is_number,
    tok_uni_is_numeric, tok_uni_is_word, tok_uni_is_bert_punct,
    tok_uni_is_other, tok_uni_is_mark_nonspacing, tok_uni_is_mark,
    NULL, tok_uni_is_cjk,
};

/* HF's answers: a bit per property and code point, and the lowercase. */
static uint16_t *hf_props;
static uint32_t (*hf_lower)[3];

static const char *data_dir(void)
{
    const char *d = getenv("TOK_TEST_DATA");
    return d && *d ? d : "tests/data";
}

static FILE *open_data(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/unicode/%s", data_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (set TOK_TEST_DATA)", path);
    return f;
}

static int prop_index(const char *name)
{
    for (int i = 0; i < NPROPS; i++)
        if (!strcmp(name, prop_names[i]))
            return i;
    return -1;
}

/* "FIRST[..LAST]" in hex. */
static void parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
    const char *dots = strstr(s, "..");
    *lo = (uint32_t)strtoul(s, NULL, 16);
    *hi = dots ? (uint32_t)strtoul(dots + 2, NULL, 16) : *lo;
}

/* "X[,Y[,Z]]" in hex: the code points, 0 after the last. */
static void parse_cps(const char *s, uint32_t out[3])
{
    char *end;
    out[0] = out[1] = out[2] = 0;
    for (int k = 0; k < 3; k++) {
        out[k] = (uint32_t)strtoul(s, &end, 16);
        if (*end != ',')
            break;
        s = end + 1;
    }
}

static int setup(void **state)
{
    char line[256];
    int lineno = 0;
    FILE *f;

    (void)state;
    hf_props = calloc(NCP, sizeof *hf_props);
    hf_lower = calloc(NCP, sizeof *hf_lower);
    if (!hf_props || !hf_lower)
        return -1;
    for (uint32_t c = 0; c < NCP; c++)
        hf_lower[c][0] = c;
    f = open_data("hf_props.txt");
    while (fgets(line, sizeof line, f)) {
        char kind[32], range[32], value[64] = "";
        uint32_t lo, hi;
        lineno++;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%31s %31s %63s", kind, range, value) < 2)
            fail_msg("hf_props.txt:%d: bad line", lineno);
        int p = prop_index(kind);
        parse_range(range, &lo, &hi);
        if (p < 0 || hi < lo || hi >= NCP)
            fail_msg("hf_props.txt:%d: bad line", lineno);
        for (uint32_t c = lo; c <= hi; c++) {
            hf_props[c] |= (uint16_t)(1u << p);
            if (p != P_LOWER)
                continue;
            if (strchr(value, ',')) {
                parse_cps(value, hf_lower[c]);
            } else {
                long d = strtol(value + 1, NULL, 16);
                hf_lower[c][0] = c + (uint32_t)(value[0] == '-' ? -d : d);
            }
        }
    }
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(hf_props);
    free(hf_lower);
    return 0;
}

static bool is_surrogate(uint32_t c)
{
    return c >= 0xD800 && c <= 0xDFFF;
}

static void every_code_point_has_the_classes_hugging_face_gives_it(void **s)
{
    long checked = 0;

    (void)s;
    for (uint32_t c = 0; c < NCP; c++) {
        if (is_surrogate(c))
            continue;
        for (int p = 0; p < NPROPS; p++) {
            if (!prop_fns[p])
                continue;
            bool want = (hf_props[c] >> p) & 1;
            if (prop_fns[p](c) != want)
                fail_msg("%s(U+%04X): HF says %d", prop_names[p],
                         (unsigned)c, want);
            checked++;
        }
    }
    assert_int_equal(checked, (long)(NCP - 0x800) * (NPROPS - 1));
}

static void every_code_point_lowercases_as_hugging_face_does(void **s)
{
    (void)s;
    for (uint32_t c = 0; c < NCP; c++) {
        uint32_t out[3] = {0, 0, 0};
        size_t n, want_n = 1;
        if (is_surrogate(c))
            continue;
        while (want_n < 3 && hf_lower[c][want_n] != 0)
            want_n++;
        n = tok_uni_lower(c, out);
        if (n != want_n)
            fail_msg("lower(U+%04X): %zu characters, HF gives %zu",
                     (unsigned)c, n, want_n);
        for (size_t k = 0; k < n; k++)
            if (out[k] != hf_lower[c][k])
                fail_msg("lower(U+%04X)[%zu] = U+%04X, HF gives U+%04X",
                         (unsigned)c, k, (unsigned)out[k],
                         (unsigned)hf_lower[c][k]);
        /* The LOWER bit marks exactly the characters that change. */
        bool changes = n != 1 || out[0] != c;
        if (changes != ((tok_uni_props(c) & TOK_UNI_LOWER) != 0))
            fail_msg("TOK_UNI_LOWER of U+%04X", (unsigned)c);
    }
}

/* hf_vs_utf8proc.txt lists where HF and utf8proc 2.8 disagree: those are
 * the answers the tables exist for, so each is checked on its own line. */
static void code_points_where_utf8proc_differs_get_the_answer_of_hf(void **s)
{
    char line[256];
    long ranges = 0;
    FILE *f = open_data("hf_vs_utf8proc.txt");
    int lineno = 0;

    (void)s;
    while (fgets(line, sizeof line, f)) {
        char kind[32], range[32], value[64];
        uint32_t lo, hi;
        lineno++;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%31s %31s %63s", kind, range, value) != 3)
            fail_msg("hf_vs_utf8proc.txt:%d: bad line", lineno);
        int p = prop_index(kind);
        parse_range(range, &lo, &hi);
        if (p < 0 || hi < lo || hi >= NCP)
            fail_msg("hf_vs_utf8proc.txt:%d: bad line", lineno);
        for (uint32_t c = lo; c <= hi; c++) {
            if (p == P_LOWER) {
                uint32_t want[3], out[3] = {0, 0, 0};
                parse_cps(value, want);
                size_t n = tok_uni_lower(c, out);
                for (size_t k = 0; k < 3; k++)
                    if ((k < n ? out[k] : 0) != want[k])
                        fail_msg("hf_vs_utf8proc.txt:%d: lower(U+%04X)",
                                 lineno, (unsigned)c);
            } else if (prop_fns[p](c) != (value[0] == '1')) {
                fail_msg("hf_vs_utf8proc.txt:%d: %s(U+%04X)", lineno, kind,
                         (unsigned)c);
            }
        }
        ranges++;
    }
    fclose(f);
    assert_true(ranges > 0);
}

static void unicode_16_letters_are_letters_and_word_characters(void **s)
{
    (void)s;
    /* CYRILLIC CAPITAL LETTER TJE, LATIN CAPITAL LETTER LAMBDA... */
    assert_true(tok_uni_is_letter(0x1C89));
    assert_true(tok_uni_is_word(0x1C89));
    assert_true(tok_uni_is_letter(0xA7CB));
    assert_true(tok_uni_is_word(0x105C0));
    /* ...but Unicode 17's U+A7CE is not a letter to Oniguruma yet, while
     * Rust already lowercases it. */
    assert_false(tok_uni_is_letter(0xA7CE));
    uint32_t out[3];
    assert_int_equal(tok_uni_lower(0xA7CE, out), 1);
    assert_int_equal(out[0], 0xA7CF);
    assert_int_equal(tok_uni_lower(0x1C89, out), 1);
    assert_int_equal(out[0], 0x1C8A);
    assert_int_equal(tok_uni_lower(0xA7CB, out), 1);
    assert_int_equal(out[0], 0x264);
}

static void digits_split_on_more_numbers_than_the_gpt2_regex_sees(void **s)
{
    (void)s;
    /* GARAY DIGIT ZERO: a number to both. */
    assert_true(tok_uni_is_number(0x10D40));
    assert_true(tok_uni_is_numeric(0x10D40));
    /* U+11DE0 is a Unicode 17 digit: Rust's is_numeric only. */
    assert_false(tok_uni_is_number(0x11DE0));
    assert_true(tok_uni_is_numeric(0x11DE0));
    assert_true(tok_uni_is_numeric('7'));
    assert_true(tok_uni_is_numeric(0xBD));      /* VULGAR FRACTION 1/2 */
    assert_false(tok_uni_is_numeric('x'));
}

static void bert_punctuation_is_that_of_unicode_8(void **s)
{
    (void)s;
    /* ASCII symbols count, non-ASCII symbols do not. */
    assert_true(tok_uni_is_bert_punct('$'));
    assert_false(tok_uni_is_punct('$'));
    assert_true(tok_uni_is_punct('!'));
    assert_false(tok_uni_is_bert_punct(0x20AC));
    /* Punctuation added after 8.0 is not punctuation for HF... */
    assert_false(tok_uni_is_bert_punct(0x2E4F));
    assert_false(tok_uni_is_punct(0x2E4F));
    /* ...and U+166D, U+111C9 still are, as they were in 8.0. */
    assert_true(tok_uni_is_bert_punct(0x166D));
    assert_true(tok_uni_is_punct(0x111C9));
    assert_true(tok_uni_is_bert_punct(0x3001));
}

static void clean_text_keeps_unassigned_code_points(void **s)
{
    (void)s;
    /* is_other is Cc, Cf and Co: unassigned code points, whether or not
     * a later Unicode assigns them (U+1FAE9, an emoji of Unicode 16), stay
     * in the text, as HF keeps them. */
    assert_false(tok_uni_is_other(0x378));
    assert_false(tok_uni_is_other(0xFFFF));
    assert_false(tok_uni_is_other(0x1FAE9));
    assert_true(tok_uni_is_other(0x07));
    assert_true(tok_uni_is_other(0x200B));
    assert_true(tok_uni_is_other(0xE000));
    assert_true(tok_uni_is_other(0x85));
    /* Not control: U+FFFD, which clean_text deletes by name. */
    assert_false(tok_uni_is_other(0xFFFD));
}

static void marks_follow_the_unicode_of_each_normalizer(void **s)
{
    (void)s;
    /* BERT's strip_accents (Unicode 8.0 Mn) and StripAccents (Unicode
     * 9.0 M*) both delete U+0301... */
    assert_true(tok_uni_is_mark_nonspacing(0x301));
    assert_true(tok_uni_is_mark(0x301));
    /* ...U+1734 was Mn in 8.0, it is Mc now. */
    assert_true(tok_uni_is_mark_nonspacing(0x1734));
    /* U+0898 (Unicode 14) is a mark to neither. */
    assert_false(tok_uni_is_mark_nonspacing(0x898));
    assert_false(tok_uni_is_mark(0x898));
    /* A spacing mark is a mark, not a nonspacing one. */
    assert_true(tok_uni_is_mark(0x903));
    assert_false(tok_uni_is_mark_nonspacing(0x903));
}

static void whitespace_is_the_white_space_property(void **s)
{
    (void)s;
    assert_true(tok_uni_is_space(' '));
    assert_true(tok_uni_is_space('\t'));
    assert_true(tok_uni_is_space(0x85));
    assert_true(tok_uni_is_space(0xA0));
    assert_true(tok_uni_is_space(0x3000));
    assert_false(tok_uni_is_space(0xFEFF));
    assert_false(tok_uni_is_space(0x200B));
    assert_false(tok_uni_is_space(0x180E));
}

static void lowercase_maps_one_character_at_a_time(void **s)
{
    uint32_t out[3];

    (void)s;
    assert_int_equal(tok_uni_lower('A', out), 1);
    assert_int_equal(out[0], 'a');
    /* No final-sigma rule. */
    assert_int_equal(tok_uni_lower(0x3A3, out), 1);
    assert_int_equal(out[0], 0x3C3);
    assert_int_equal(tok_uni_lower(0x1E9E, out), 1);
    assert_int_equal(out[0], 0xDF);
    assert_int_equal(tok_uni_lower(0x130, out), 2);
    assert_int_equal(out[0], 'i');
    assert_int_equal(out[1], 0x307);
    /* Every other code point of a run (U+0100 -> U+0101, U+0101 stays). */
    assert_int_equal(tok_uni_lower(0x100, out), 1);
    assert_int_equal(out[0], 0x101);
    assert_int_equal(tok_uni_lower(0x101, out), 1);
    assert_int_equal(out[0], 0x101);
}

static void values_outside_unicode_have_no_class(void **s)
{
    uint32_t out[3];

    (void)s;
    assert_int_equal(tok_uni_props(0x110000), 0);
    assert_int_equal(tok_uni_props(0xFFFFFFFF), 0);
    assert_false(tok_uni_is_other(0x110000));
    assert_false(tok_uni_is_letter(0xD800));
    assert_int_equal(tok_uni_lower(0x110000, out), 1);
    assert_int_equal(out[0], 0x110000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            every_code_point_has_the_classes_hugging_face_gives_it),
        cmocka_unit_test(every_code_point_lowercases_as_hugging_face_does),
        cmocka_unit_test(
            code_points_where_utf8proc_differs_get_the_answer_of_hf),
        cmocka_unit_test(unicode_16_letters_are_letters_and_word_characters),
        cmocka_unit_test(
            digits_split_on_more_numbers_than_the_gpt2_regex_sees),
        cmocka_unit_test(bert_punctuation_is_that_of_unicode_8),
        cmocka_unit_test(clean_text_keeps_unassigned_code_points),
        cmocka_unit_test(marks_follow_the_unicode_of_each_normalizer),
        cmocka_unit_test(whitespace_is_the_white_space_property),
        cmocka_unit_test(lowercase_maps_one_character_at_a_time),
        cmocka_unit_test(values_outside_unicode_have_no_class),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
