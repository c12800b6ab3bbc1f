/* unicode: character classes and case mapping, checked against what Hugging
 * Face tokenizers 0.23.2 does to every code point
 * (tests/data/normalize/codepoints.txt, from tests/gen/hf_codepoints.js). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "unicode.h"

#define NCP 0x110000

/* The code points listed under one kind, and for "lower" their mapping. */
static unsigned char *listed(const char *kind, uint32_t (*map)[3])
{
    const char *dir = getenv("TOK_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/normalize/codepoints.txt",
             dir ? dir : "tests/data");
    char *data;
    size_t len;
    if (tok_read_file(path, &data, &len, NULL))
        fail_msg("cannot read %s (set TOK_TEST_DATA)", path);
    unsigned char *set = calloc(NCP, 1);
    assert_non_null(set);
    for (char *p = data; p < data + len;) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p));
        if (!nl)
            nl = data + len;
        *nl = '\0';
        char k[32], range[64], result[512];
        assert_int_equal(sscanf(p, "%31s %63s %511s", k, range, result), 3);
        p = nl + 1;
        if (strcmp(k, kind))
            continue;
        uint32_t lo = (uint32_t)strtoul(range, NULL, 16), hi = lo;
        char *dots = strstr(range, "..");
        if (dots)
            hi = (uint32_t)strtoul(dots + 2, NULL, 16);
        for (uint32_t c = lo; c <= hi; c++) {
            set[c] = 1;
            if (!map)
                continue;
            size_t n = 0;
            for (char *r = result; *r && n < 3;) {
                char *e;
                map[c][n++] = (uint32_t)strtoul(r, &e, 16);
                r = *e ? e + 1 : e;
            }
            set[c] = (unsigned char)n;
        }
    }
    free(data);
    return set;
}

static void bert_punctuation_is_hf_unicode_8_punctuation(void **state)
{
    (void)state;
    unsigned char *punct = listed("punct", NULL);
    size_t failures = 0;
    for (uint32_t c = 0; c < NCP; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        if (tok_uni_is_bert_punct(c) != (punct[c] != 0) && failures++ < 20)
            print_error("U+%04X: ours %d, HF %d\n", c,
                        tok_uni_is_bert_punct(c), punct[c]);
    }
    free(punct);
    /* Newer punctuation (U+2E4F, Unicode 11) and characters that were P*
     * in 8.0 (U+166D) follow HF. */
    assert_false(tok_uni_is_bert_punct(0x2E4F));
    assert_true(tok_uni_is_bert_punct(0x166D));
    assert_int_equal(failures, 0);
}

static void white_space_is_rust_white_space(void **state)
{
    (void)state;
    unsigned char *space = listed("space", NULL);
    for (uint32_t c = 0; c < NCP; c++)
        if (c < 0xD800 || c > 0xDFFF)
            assert_int_equal(tok_uni_is_space(c), space[c] != 0);
    free(space);
}

static void lowercase_is_rust_to_lowercase(void **state)
{
    (void)state;
    uint32_t(*map)[3] = calloc(NCP, sizeof *map);
    assert_non_null(map);
    unsigned char *n = listed("lower", map);
    size_t failures = 0;
    for (uint32_t c = 0; c < NCP; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        uint32_t got[3];
        size_t k = tok_uni_lower(c, got);
        bool ok = n[c] ? k == n[c] && !memcmp(got, map[c], k * sizeof *got)
                       : k == 1 && got[0] == c;
        if (!ok && failures++ < 20)
            print_error("U+%04X: ours U+%04X (%zu), HF U+%04X (%u)\n", c,
                        got[0], k, map[c][0], n[c]);
    }
    /* Unicode 16 letters utf8proc 2.8 does not know: U+A7CB → U+0264. */
    uint32_t lo[3];
    assert_int_equal(tok_uni_lower(0xA7CB, lo), 1);
    assert_int_equal(lo[0], 0x264);
    free(n);
    free(map);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bert_punctuation_is_hf_unicode_8_punctuation),
        cmocka_unit_test(white_space_is_rust_white_space),
        cmocka_unit_test(lowercase_is_rust_to_lowercase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
