/* encode: the pipeline and its word cache, which must never answer one
 * word with another's pieces, nor one tokenizer with another's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tok.h"

/* A WordPiece tokenizer that splits on whitespace, whose vocabulary is
 * the given JSON members ("\"a\": 1, ..."); [UNK] is id 0. */
static tok_tokenizer *wordpiece(const char *vocab)
{
    static const char head[] =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
        "\"added_tokens\":[],\"normalizer\":null,"
        "\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
        "\"post_processor\":null,\"decoder\":null,"
        "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
        "\"continuing_subword_prefix\":\"##\","
        "\"max_input_chars_per_word\":100,\"vocab\":{\"[UNK]\":0";
    size_t len = strlen(head) + strlen(vocab) + 16;
    char *json = malloc(len);
    assert_non_null(json);
    snprintf(json, len, "%s%s%s}}}", head, *vocab ? "," : "", vocab);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        fail_msg("%s", err.message);
    free(json);
    return tk;
}

/* The words "^aaa", "^baa", "^aba", "^aab"... of 1 to 40 bytes: a caret,
 * then a's with at most one b, so two words of one length differ in one
 * or two bytes anywhere.  Returns the number of words written. */
static size_t family(char words[][48], size_t *lens)
{
    size_t n = 0;
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 1; at <= len; at++) {
            words[n][0] = '^';
            memset(words[n] + 1, 'a', len - 1);
            if (at < len)
                words[n][at] = 'b';
            lens[n++] = len;
        }
    return n;
}

static void words_one_byte_apart_never_share_a_cache_entry(void **state)
{
    (void)state;
    /* Every word of up to 40 bytes is a token of its own, and the text
     * holds each twice: the second time answers from the cache. */
    static char words[820][48];
    size_t lens[820];
    size_t nw = family(words, lens);
    assert_int_equal(nw, 820);
    char *vocab = malloc(nw * 64);
    char *text = malloc(nw * 2 * 48);
    assert_non_null(vocab);
    assert_non_null(text);
    size_t vl = 0, tl = 0;
    for (size_t k = 0; k < nw; k++)
        vl += (size_t)sprintf(vocab + vl, "%s\"%.*s\":%zu", k ? "," : "",
                              (int)lens[k], words[k], k + 1);
    for (size_t k = 0; k < 2 * nw; k++) {
        memcpy(text + tl, words[k % nw], lens[k % nw]);
        tl += lens[k % nw];
        text[tl++] = ' ';
    }
    tok_tokenizer *tk = wordpiece(vocab);
    tok_encoding *enc = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(tok_encode(tk, text, tl, &o, enc, NULL), TOK_OK);
        assert_int_equal(tok_encoding_len(enc), 2 * nw);
        for (size_t k = 0; k < 2 * nw; k++)
            if (tok_encoding_ids(enc)[k] != (int32_t)(k % nw) + 1)
                fail_msg("\"%.*s\" gave another word's token",
                         (int)lens[k % nw], words[k % nw]);
    }
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
    free(vocab);
    free(text);
}

static void long_words_and_many_pieces_come_out_the_same_twice(void **state)
{
    (void)state;
    tok_tokenizer *tk = wordpiece("\"x\":1,\"##x\":2,\"y\":3,\"##y\":4");
    tok_encoding *enc = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    /* 7 and 40 pieces, 7 and 40 bytes: beyond what an entry holds. */
    const char *text = "xyxyxyx "
                       "xyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxy";
    for (int round = 0; round < 2; round++) {
        assert_int_equal(tok_encode(tk, text, strlen(text), &o, enc, NULL),
                         TOK_OK);
        assert_int_equal(tok_encoding_len(enc), 47);
        const tok_offset *off = tok_encoding_offsets(enc);
        for (size_t i = 0; i < 47; i++) {
            size_t at = i < 7 ? i : i + 1;
            int32_t want = (text[at] == 'x' ? 1 : 3) + (i != 0 && i != 7);
            assert_int_equal(tok_encoding_ids(enc)[i], want);
            assert_int_equal(off[i].start, at);
            assert_int_equal(off[i].end, at + 1);
        }
    }
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

static void one_encoding_serves_two_tokenizers_in_turn(void **state)
{
    (void)state;
    /* The same word, another id in each: a cache shared between them
     * would answer the second with the first one's id. */
    tok_tokenizer *a = wordpiece("\"word\":1");
    tok_tokenizer *b = wordpiece("\"other\":1,\"word\":2");
    tok_encoding *enc = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(tok_encode(a, "word", 4, &o, enc, NULL), TOK_OK);
        assert_int_equal(tok_encoding_ids(enc)[0], 1);
        assert_int_equal(tok_encode(b, "word", 4, &o, enc, NULL), TOK_OK);
        assert_int_equal(tok_encoding_ids(enc)[0], 2);
    }
    tok_encoding_free(enc);
    tok_tokenizer_free(a);
    tok_tokenizer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_one_byte_apart_never_share_a_cache_entry),
        cmocka_unit_test(long_words_and_many_pieces_come_out_the_same_twice),
        cmocka_unit_test(one_encoding_serves_two_tokenizers_in_turn),
    };
    return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
