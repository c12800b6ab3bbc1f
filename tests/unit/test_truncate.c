/* Truncation, overflowing windows and padding (truncate.c): every case
 * that tests/gen/gen_truncation_fixtures.js recorded from Hugging Face
 * comes out the same, both from the tokenizer.json sections and from the
 * encode options; plus the API's own promises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "common.h"
#include "tok.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

static cJSON *read_json(const char *path)
{
    char *text = read_all(path, NULL);
    if (!text)
        return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}

static cJSON *base_json(const char *base)
{
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir ? dir : "vocab",
             base);
    return read_json(path);
}

static tok_tokenizer *load_tokenizer(const cJSON *j)
{
    char *text = cJSON_PrintUnformatted(j);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, text, strlen(text), &err) != TOK_OK)
        print_error("loading: %s\n", err.message);
    free(text);
    return tk;
}

/* The tokenizer.json sections as the options' structs. */
static void to_truncation(const cJSON *j, tok_truncation *t)
{
    const char *dir = cJSON_GetObjectItem(j, "direction")->valuestring;
    const char *st = cJSON_GetObjectItem(j, "strategy")->valuestring;
    t->side = strcmp(dir, "Left") == 0 ? TOK_SIDE_LEFT : TOK_SIDE_RIGHT;
    t->strategy = strcmp(st, "OnlyFirst") == 0    ? TOK_TRUNCATE_ONLY_FIRST
                  : strcmp(st, "OnlySecond") == 0 ? TOK_TRUNCATE_ONLY_SECOND
                                                  : TOK_TRUNCATE_LONGEST_FIRST;
    t->max_length = (size_t)cJSON_GetObjectItem(j, "max_length")->valuedouble;
    t->stride = (size_t)cJSON_GetObjectItem(j, "stride")->valuedouble;
}

static void to_padding(const cJSON *j, tok_padding *p)
{
    const cJSON *st = cJSON_GetObjectItem(j, "strategy");
    const cJSON *mult = cJSON_GetObjectItem(j, "pad_to_multiple_of");
    const char *dir = cJSON_GetObjectItem(j, "direction")->valuestring;
    if (cJSON_IsObject(st)) {
        p->strategy = TOK_PAD_FIXED;
        p->length = (size_t)cJSON_GetObjectItem(st, "Fixed")->valuedouble;
    } else {
        p->strategy = TOK_PAD_LONGEST;
    }
    p->pad_to_multiple_of = cJSON_IsNumber(mult) ? (size_t)mult->valuedouble
                                                 : 0;
    p->side = strcmp(dir, "Left") == 0 ? TOK_SIDE_LEFT : TOK_SIDE_RIGHT;
    p->pad_id = (int32_t)cJSON_GetObjectItem(j, "pad_id")->valuedouble;
    p->pad_type_id =
        (uint32_t)cJSON_GetObjectItem(j, "pad_type_id")->valuedouble;
    p->pad_token = cJSON_GetObjectItem(j, "pad_token")->valuestring;
}

/* Compares one encoding with a recorded result; prints the first
 * difference and returns 1. */
static int compare(const tok_encoding *e, const cJSON *want, int line,
                   const char *what)
{
    size_t n = tok_encoding_len(e);
    const cJSON *ids = cJSON_GetObjectItem(want, "ids");
    if ((size_t)cJSON_GetArraySize(ids) != n) {
        print_error("case at line %d (%s): %d tokens expected, %zu got\n",
                    line, what, cJSON_GetArraySize(ids), n);
        return 1;
    }
    static const char *const fields[] = {
        "ids", "type_ids", "attention_mask", "special_tokens_mask",
        "sequence_ids"
    };
    for (size_t f = 0; f < 5; f++) {
        const cJSON *arr = cJSON_GetObjectItem(want, fields[f]);
        for (size_t i = 0; i < n; i++) {
            long long w = (long long)cJSON_GetArrayItem(arr, (int)i)
                              ->valuedouble;
            long long g;
            switch (f) {
            case 0: g = tok_encoding_ids(e)[i]; break;
            case 1: g = tok_encoding_type_ids(e)[i]; break;
            case 2: g = tok_encoding_attention_mask(e)[i]; break;
            case 3: g = tok_encoding_special_mask(e)[i]; break;
            default: g = tok_encoding_sequence_ids(e)[i]; break;
            }
            if (w != g) {
                print_error("case at line %d (%s): %s[%zu]: %lld expected, "
                            "%lld got\n", line, what, fields[f], i, w, g);
                return 1;
            }
        }
    }
    const cJSON *tokens = cJSON_GetObjectItem(want, "tokens");
    const cJSON *offsets = cJSON_GetObjectItem(want, "offsets");
    for (size_t i = 0; i < n; i++) {
        const char *w = cJSON_GetArrayItem(tokens, (int)i)->valuestring;
        if (strcmp(w, tok_encoding_token(e, i)) != 0) {
            print_error("case at line %d (%s): token %zu: \"%s\" expected, "
                        "\"%s\" got\n", line, what, i, w,
                        tok_encoding_token(e, i));
            return 1;
        }
        const cJSON *o = cJSON_GetArrayItem(offsets, (int)i);
        uint32_t s = (uint32_t)cJSON_GetArrayItem(o, 0)->valuedouble;
        uint32_t z = (uint32_t)cJSON_GetArrayItem(o, 1)->valuedouble;
        tok_offset got = tok_encoding_offsets(e)[i];
        if (got.start != s || got.end != z) {
            print_error("case at line %d (%s): offsets %zu: (%u, %u) "
                        "expected, (%u, %u) got\n", line, what, i, s, z,
                        got.start, got.end);
            return 1;
        }
    }
    return 0;
}

static int check_case(const tok_tokenizer *tk, const cJSON *c,
                      const tok_encode_options *o, tok_encoding *e,
                      int line, const char *how)
{
    const char *text = cJSON_GetObjectItem(c, "text")->valuestring;
    const cJSON *pair = cJSON_GetObjectItem(c, "pair");
    const cJSON *want = cJSON_GetObjectItem(c, "result");
    tok_error err = {0};
    int rc = pair ? tok_encode_pair(tk, text, strlen(text),
                                    pair->valuestring,
                                    strlen(pair->valuestring), o, e, &err)
                  : tok_encode(tk, text, strlen(text), o, e, &err);
    if (cJSON_GetObjectItem(want, "error")) {
        if (rc != TOK_EINVAL || tok_encoding_len(e) != 0 ||
            tok_encoding_overflow_count(e) != 0) {
            print_error("case at line %d (%s): an error expected, got %d\n",
                        line, how, rc);
            return 1;
        }
        return 0;
    }
    if (rc != TOK_OK) {
        print_error("case at line %d (%s): %s\n", line, how, err.message);
        return 1;
    }
    if (compare(e, want, line, how))
        return 1;
    const cJSON *over = cJSON_GetObjectItem(want, "overflowing");
    size_t nover = (size_t)cJSON_GetArraySize(over);
    if (cJSON_IsTrue(cJSON_GetObjectItem(c, "early_exit"))) {
        /* Hugging Face's windows stop where it stopped tokenizing: for one
         * text, all but its last are tok's first ones. */
        if (cJSON_GetObjectItem(c, "pair") || nover == 0)
            return 0;
        if (tok_encoding_overflow_count(e) < nover) {
            print_error("case at line %d (%s): %zu overflowing, fewer than "
                        "Hugging Face's %zu\n", line, how,
                        tok_encoding_overflow_count(e), nover);
            return 1;
        }
        nover--;
    } else if (tok_encoding_overflow_count(e) != nover) {
        print_error("case at line %d (%s): %zu overflowing expected, %zu "
                    "got\n", line, how, nover,
                    tok_encoding_overflow_count(e));
        return 1;
    }
    for (size_t i = 0; i < nover; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s, overflowing %zu", how, i);
        if (compare(tok_encoding_overflow(e, i),
                    cJSON_GetArrayItem(over, (int)i), line, what))
            return 1;
    }
    return 0;
}

static void every_case_matches_hugging_face(void **state)
{
    (void)state;
    const char *data = getenv("TOK_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/truncation/cases.jsonl",
             data ? data : "tests/data");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    cJSON *setups = cJSON_CreateObject();
    char *prev_key = NULL, *prev_name = NULL;
    cJSON *j = NULL;
    tok_tokenizer *with_sections = NULL, *plain = NULL;
    tok_encoding *e = tok_encoding_new();
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, failures = 0, cases = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        cJSON *c = cJSON_Parse(line);
        assert_non_null(c);
        const char *name = cJSON_GetObjectItem(c, "tokenizer")->valuestring;
        if (!cJSON_GetObjectItem(c, "text")) {
            cJSON_AddItemToObject(setups, name, cJSON_Duplicate(c, 1));
            cJSON_Delete(c);
            continue;
        }
        const cJSON *trunc = cJSON_GetObjectItem(c, "truncation");
        const cJSON *pad = cJSON_GetObjectItem(c, "padding");
        char *tkey = cJSON_PrintUnformatted(trunc);
        char *pkey = cJSON_PrintUnformatted(pad);
        size_t klen = strlen(name) + strlen(tkey) + strlen(pkey) + 3;
        char *key = malloc(klen);
        snprintf(key, klen, "%s|%s|%s", name, tkey, pkey);
        free(tkey);
        free(pkey);
        if (!prev_name || strcmp(name, prev_name) != 0) {
            /* A new tokenizer: its file, without the sections. */
            const cJSON *s = cJSON_GetObjectItem(setups, name);
            cJSON_Delete(j);
            j = base_json(cJSON_GetObjectItem(s, "base")->valuestring);
            assert_non_null(j);
            const cJSON *pp = cJSON_GetObjectItem(s, "post_processor");
            if (!cJSON_IsString(pp))
                cJSON_ReplaceItemInObject(j, "post_processor",
                                          cJSON_Duplicate(pp, 1));
            tok_tokenizer_free(plain);
            plain = load_tokenizer(j);
            assert_non_null(plain);
            free(prev_name);
            prev_name = strdup(name);
        }
        if (!prev_key || strcmp(key, prev_key) != 0) {
            tok_tokenizer_free(with_sections);
            cJSON_ReplaceItemInObject(j, "truncation",
                                      cJSON_Duplicate(trunc, 1));
            cJSON_ReplaceItemInObject(j, "padding", cJSON_Duplicate(pad, 1));
            with_sections = load_tokenizer(j);
            assert_non_null(with_sections);
            assert_int_equal(tok_tokenizer_truncation(with_sections, NULL),
                             !cJSON_IsNull(trunc));
            assert_int_equal(tok_tokenizer_padding(with_sections, NULL),
                             !cJSON_IsNull(pad));
        }
        free(prev_key);
        prev_key = key;

        tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
        o.offsets = TOK_OFFSETS_CHARS;
        o.add_special_tokens = cJSON_IsTrue(cJSON_GetObjectItem(
            c, "add_special"));
        failures += check_case(with_sections, c, &o, e, lineno,
                               "tokenizer.json");
        /* The same through the options, on a tokenizer without the
         * sections. */
        o.truncate = o.pad = TOK_SETTING_OFF;
        if (!cJSON_IsNull(trunc)) {
            o.truncate = TOK_SETTING_ON;
            to_truncation(trunc, &o.truncation);
        }
        if (!cJSON_IsNull(pad)) {
            o.pad = TOK_SETTING_ON;
            to_padding(pad, &o.padding);
        }
        failures += check_case(plain, c, &o, e, lineno, "options");
        cases++;
        cJSON_Delete(c);
        if (failures > 5)
            break;
    }
    free(line);
    free(prev_key);
    free(prev_name);
    cJSON_Delete(j);
    fclose(f);
    tok_encoding_free(e);
    tok_tokenizer_free(plain);
    tok_tokenizer_free(with_sections);
    cJSON_Delete(setups);
    assert_int_equal(failures, 0);
    assert_true(cases > 1000);
}

/* ------------------------------------------------------------------------
 * The API's own promises
 * ------------------------------------------------------------------------ */

static tok_tokenizer *bert(void)
{
    cJSON *j = base_json("bert-base-uncased");
    assert_non_null(j);
    tok_tokenizer *tk = load_tokenizer(j);
    cJSON_Delete(j);
    assert_non_null(tk);
    return tk;
}

static const char long_text[] = "a b c d e f g h i j";   /* 10 tokens */

static void truncation_keeps_max_length_tokens_specials_included(void **st)
{
    (void)st;
    tok_tokenizer *tk = bert();
    tok_encoding *e = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.truncate = TOK_SETTING_ON;
    o.truncation.max_length = 6;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    assert_int_equal(tok_encoding_len(e), 6);
    /* [CLS] a b c d [SEP] */
    assert_int_equal(tok_encoding_ids(e)[0], 101);
    assert_int_equal(tok_encoding_ids(e)[1], 1037);
    assert_int_equal(tok_encoding_ids(e)[5], 102);
    /* The rest in windows of 4: e f g h, i j. */
    assert_int_equal(tok_encoding_overflow_count(e), 2);
    const tok_encoding *w = tok_encoding_overflow(e, 1);
    assert_int_equal(tok_encoding_len(w), 4);
    assert_int_equal(tok_encoding_ids(w)[1], 1045);
    assert_string_equal(tok_encoding_token(w, 2), "j");
    assert_int_equal(tok_encoding_offsets(w)[2].start, 18);
    assert_null(tok_encoding_overflow(e, 2));

    /* Without the windows, the same kept tokens. */
    o.overflowing = 0;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    assert_int_equal(tok_encoding_len(e), 6);
    assert_int_equal(tok_encoding_overflow_count(e), 0);

    /* A later call without truncation forgets the windows. */
    o.overflowing = 1;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    assert_int_equal(tok_encoding_overflow_count(e), 2);
    assert_int_equal(tok_encode(tk, "a", 1, NULL, e, NULL), TOK_OK);
    assert_int_equal(tok_encoding_overflow_count(e), 0);
    tok_encoding_free(e);
    tok_tokenizer_free(tk);
}

static void windows_repeat_stride_tokens_from_the_window_before(void **st)
{
    (void)st;
    tok_tokenizer *tk = bert();
    tok_encoding *e = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    o.truncate = TOK_SETTING_ON;
    o.truncation.max_length = 4;
    o.truncation.stride = 2;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    /* a-d, c-f, e-h, g-j */
    assert_int_equal(tok_encoding_overflow_count(e), 3);
    for (size_t i = 0; i < 3; i++) {
        const tok_encoding *w = tok_encoding_overflow(e, i);
        assert_int_equal(tok_encoding_len(w), 4);
        assert_int_equal(tok_encoding_ids(w)[0], 1037 + 2 * (int)(i + 1));
    }
    /* From the left: the kept window is the end of the text. */
    o.truncation.side = TOK_SIDE_LEFT;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    assert_string_equal(tok_encoding_token(e, 0), "g");
    assert_string_equal(tok_encoding_token(tok_encoding_overflow(e, 0), 0),
                        "e");
    tok_encoding_free(e);
    tok_tokenizer_free(tk);
}

static void options_override_the_tokenizer_json_sections(void **st)
{
    (void)st;
    cJSON *j = base_json("bert-base-uncased");
    cJSON_ReplaceItemInObject(j, "truncation", cJSON_Parse(
        "{\"direction\":\"Right\",\"max_length\":4,"
        "\"strategy\":\"LongestFirst\",\"stride\":0}"));
    cJSON_ReplaceItemInObject(j, "padding", cJSON_Parse(
        "{\"strategy\":{\"Fixed\":8},\"direction\":\"Left\","
        "\"pad_to_multiple_of\":null,\"pad_id\":0,\"pad_type_id\":0,"
        "\"pad_token\":\"[PAD]\"}"));
    tok_tokenizer *tk = load_tokenizer(j);
    cJSON_Delete(j);
    assert_non_null(tk);
    tok_truncation t;
    tok_padding p;
    assert_int_equal(tok_tokenizer_truncation(tk, &t), 1);
    assert_int_equal(t.max_length, 4);
    assert_int_equal(tok_tokenizer_padding(tk, &p), 1);
    assert_int_equal(p.strategy, TOK_PAD_FIXED);
    assert_int_equal(p.length, 8);
    assert_int_equal(p.side, TOK_SIDE_LEFT);
    assert_string_equal(p.pad_token, "[PAD]");

    tok_encoding *e = tok_encoding_new();
    /* By default: 4 tokens, padded on the left to 8. */
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), NULL, e,
                                NULL), TOK_OK);
    assert_int_equal(tok_encoding_len(e), 8);
    assert_string_equal(tok_encoding_token(e, 0), "[PAD]");
    assert_int_equal(tok_encoding_attention_mask(e)[3], 0);
    assert_int_equal(tok_encoding_attention_mask(e)[4], 1);
    assert_int_equal(tok_encoding_special_mask(e)[0], 1);
    assert_int_equal(tok_encoding_sequence_ids(e)[0], -1);
    assert_string_equal(tok_encoding_token(e, 4), "[CLS]");
    /* Every window is padded too. */
    assert_int_equal(tok_encoding_overflow_count(e), 4);
    assert_int_equal(tok_encoding_len(tok_encoding_overflow(e, 3)), 8);

    /* Turned off by the options, each on its own. */
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.truncate = TOK_SETTING_OFF;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    assert_int_equal(tok_encoding_len(e), 12);
    o.truncate = TOK_FROM_TOKENIZER;
    o.pad = TOK_SETTING_OFF;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    assert_int_equal(tok_encoding_len(e), 4);
    /* Or replaced: a pad token string of the caller's, copied. */
    char token[] = "<my pad>";
    o.pad = TOK_SETTING_ON;
    o.padding.strategy = TOK_PAD_LONGEST;
    o.padding.pad_to_multiple_of = 3;
    o.padding.pad_token = token;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                NULL), TOK_OK);
    token[1] = 'X';
    assert_int_equal(tok_encoding_len(e), 6);
    assert_string_equal(tok_encoding_token(e, 5), "<my pad>");
    assert_int_equal(tok_encoding_ids(e)[5], 0);

    /* The sections are written back unchanged. */
    char *json;
    size_t len;
    assert_int_equal(tok_tokenizer_to_json(tk, &json, &len, NULL), TOK_OK);
    assert_non_null(strstr(json, "\"max_length\": 4"));
    assert_non_null(strstr(json, "\"Fixed\": 8"));
    free(json);
    tok_encoding_free(e);
    tok_tokenizer_free(tk);
}

static void impossible_truncations_fail_with_einval(void **st)
{
    (void)st;
    tok_tokenizer *tk = bert();
    tok_encoding *e = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    tok_error err;
    o.truncate = TOK_SETTING_ON;
    /* Fewer than the 2 special tokens. */
    o.truncation.max_length = 1;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                &err), TOK_EINVAL);
    assert_non_null(strstr(err.message, "max_length 1"));
    assert_int_equal(tok_encoding_len(e), 0);
    /* A stride that would never move on. */
    o.truncation.max_length = 5;
    o.truncation.stride = 3;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                &err), TOK_EINVAL);
    assert_non_null(strstr(err.message, "stride 3"));
    /* The same stride is fine when nothing is cut. */
    assert_int_equal(tok_encode(tk, "a b", 3, &o, e, &err), TOK_OK);
    /* only_second on one text, when cutting is needed. */
    o.truncation.stride = 0;
    o.truncation.strategy = TOK_TRUNCATE_ONLY_SECOND;
    assert_int_equal(tok_encode(tk, long_text, strlen(long_text), &o, e,
                                &err), TOK_EINVAL);
    assert_non_null(strstr(err.message, "pair"));
    /* The second text too short to lose what the first one is over. */
    assert_int_equal(tok_encode_pair(tk, long_text, strlen(long_text), "x",
                                     1, &o, e, &err), TOK_EINVAL);
    assert_non_null(strstr(err.message, "second text is too short"));
    assert_int_equal(tok_encoding_overflow_count(e), 0);
    /* A pad id outside the vocabulary. */
    o.truncate = TOK_SETTING_OFF;
    o.pad = TOK_SETTING_ON;
    o.padding.pad_id = 1 << 30;
    assert_int_equal(tok_encode(tk, "a", 1, &o, e, &err), TOK_ERANGE);
    tok_encoding_free(e);
    tok_tokenizer_free(tk);
}

static void a_failed_allocation_leaves_an_empty_encoding(void **st)
{
    (void)st;
    tok_tokenizer *tk = bert();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.truncate = TOK_SETTING_ON;
    o.truncation.max_length = 9;
    o.truncation.stride = 1;
    o.pad = TOK_SETTING_ON;
    o.padding.strategy = TOK_PAD_FIXED;
    o.padding.length = 7;
    o.padding.side = TOK_SIDE_LEFT;
    o.padding.pad_token = "[PAD]";
    for (size_t n = 1;; n++) {
        tok_encoding *e = tok_encoding_new();
        assert_non_null(e);
        tok_debug_fail_alloc_after(n);
        tok_error err;
        int rc = tok_encode_pair(tk, long_text, strlen(long_text),
                                 long_text, 9, &o, e, &err);
        size_t made = tok_debug_fail_alloc_after(0);
        if (rc == TOK_OK) {
            assert_true(tok_encoding_overflow_count(e) > 0);
            tok_encoding_free(e);
            assert_true(made < n);
            break;
        }
        if (rc != TOK_ENOMEM)
            print_error("allocation %zu: %s\n", n, err.message);
        assert_int_equal(rc, TOK_ENOMEM);
        assert_int_equal(tok_encoding_len(e), 0);
        assert_int_equal(tok_encoding_overflow_count(e), 0);
        tok_encoding_free(e);
    }
    tok_tokenizer_free(tk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case_matches_hugging_face),
        cmocka_unit_test(truncation_keeps_max_length_tokens_specials_included),
        cmocka_unit_test(windows_repeat_stride_tokens_from_the_window_before),
        cmocka_unit_test(options_override_the_tokenizer_json_sections),
        cmocka_unit_test(impossible_truncations_fail_with_einval),
        cmocka_unit_test(a_failed_allocation_leaves_an_empty_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
