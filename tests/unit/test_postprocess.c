/* postprocess: templates add special tokens, type ids and masks around
 * the encoded texts; ByteLevel trims offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "postprocess.h"
#include "tok.h"

/* A tiny WordPiece tokenizer with the given post_processor JSON. */
static tok_tokenizer *load_with(const char *post)
{
    char json[4096];
    snprintf(json, sizeof json,
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
        "\"added_tokens\":["
        "{\"id\":0,\"content\":\"[UNK]\",\"single_word\":false,"
        "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
        "\"special\":true},"
        "{\"id\":1,\"content\":\"[CLS]\",\"single_word\":false,"
        "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
        "\"special\":true},"
        "{\"id\":2,\"content\":\"[SEP]\",\"single_word\":false,"
        "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
        "\"special\":true}],"
        "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
        "\"post_processor\":%s,\"decoder\":null,"
        "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
        "\"continuing_subword_prefix\":\"##\","
        "\"max_input_chars_per_word\":100,\"vocab\":{\"[UNK]\":0,"
        "\"[CLS]\":1,\"[SEP]\":2,\"a\":3,\"b\":4,\"c\":5}}}", post);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        print_error("%s\n", err.message);
    return tk;
}

static void expect_ids(const tok_encoding *e, const int32_t *ids,
                       const uint32_t *types, size_t n)
{
    assert_int_equal(tok_encoding_len(e), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tok_encoding_ids(e)[i], ids[i]);
        assert_int_equal(tok_encoding_type_ids(e)[i], types[i]);
    }
}

static void a_template_wraps_single_texts_and_pairs(void **state)
{
    (void)state;
    tok_tokenizer *tk = load_with(
        "{\"type\":\"TemplateProcessing\","
        "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},"
        "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
        "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"
        "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
        "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},"
        "{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},"
        "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}}],"
        "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[1],"
        "\"tokens\":[\"[CLS]\"]},\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],"
        "\"tokens\":[\"[SEP]\"]}}}");
    assert_non_null(tk);
    tok_encoding *e = tok_encoding_new();
    assert_int_equal(tok_encode(tk, "a b", 3, NULL, e, NULL), TOK_OK);
    expect_ids(e, (const int32_t[]){1, 3, 4, 2}, (const uint32_t[]){0, 0, 0, 0},
               4);
    assert_int_equal(tok_encoding_special_mask(e)[0], 1);
    assert_int_equal(tok_encoding_special_mask(e)[1], 0);
    assert_int_equal(tok_encoding_offsets(e)[3].start, 0);
    assert_int_equal(tok_encoding_offsets(e)[3].end, 0);
    assert_int_equal(tok_encoding_offsets(e)[2].start, 2);

    assert_int_equal(tok_encode_pair(tk, "a", 1, "c b", 3, NULL, e, NULL),
                     TOK_OK);
    expect_ids(e, (const int32_t[]){3, 2, 5, 4, 2},
               (const uint32_t[]){0, 0, 1, 1, 1}, 5);
    assert_int_equal(tok_encoding_sequence_ids(e)[0], 0);
    assert_int_equal(tok_encoding_sequence_ids(e)[1], -1);
    assert_int_equal(tok_encoding_sequence_ids(e)[3], 1);
    /* Offsets of B are relative to B. */
    assert_int_equal(tok_encoding_offsets(e)[3].start, 2);

    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    assert_int_equal(tok_encode_pair(tk, "a", 1, "c", 1, &o, e, NULL),
                     TOK_OK);
    /* Without special tokens the template still gives the type ids. */
    expect_ids(e, (const int32_t[]){3, 5}, (const uint32_t[]){0, 1}, 2);
    tok_encoding_free(e);
    tok_tokenizer_free(tk);
}

static void bert_processing_adds_cls_and_sep(void **state)
{
    (void)state;
    tok_tokenizer *tk = load_with(
        "{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],"
        "\"cls\":[\"[CLS]\",1]}");
    assert_non_null(tk);
    tok_encoding *e = tok_encoding_new();
    assert_int_equal(tok_encode_pair(tk, "a", 1, "b", 1, NULL, e, NULL),
                     TOK_OK);
    expect_ids(e, (const int32_t[]){1, 3, 2, 4, 2},
               (const uint32_t[]){0, 0, 0, 1, 1}, 5);
    tok_encoding_free(e);
    tok_tokenizer_free(tk);
}

static void template_strings_parse_names_sequences_and_type_ids(void **state)
{
    (void)state;
    tok_template_piece *t;
    size_t n;
    assert_int_equal(tok_template_parse("[CLS] $A [SEP] $B:1 [SEP]:1", &t, &n,
                                        NULL), TOK_OK);
    assert_int_equal(n, 5);
    assert_string_equal(t[0].special, "[CLS]");
    assert_true(t[1].is_sequence);
    assert_int_equal(t[1].sequence, 0);
    assert_true(t[3].is_sequence);
    assert_int_equal(t[3].sequence, 1);
    assert_int_equal(t[3].type_id, 1);
    assert_string_equal(t[4].special, "[SEP]");
    assert_int_equal(t[4].type_id, 1);
    for (size_t i = 0; i < n; i++)
        tok_free(t[i].special);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_template_wraps_single_texts_and_pairs),
        cmocka_unit_test(bert_processing_adds_cls_and_sep),
        cmocka_unit_test(template_strings_parse_names_sequences_and_type_ids),
    };
    return cmocka_run_group_tests_name("postprocess", tests, NULL, NULL);
}
