/* encode: the pipeline and its word cache, which must never answer one
 * word with another's pieces, nor one tokenizer with another's; and the
 * lanes that take plain ASCII through the BERT and GPT-2 pipelines,
 * which must give what the general pipeline gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"
#include "tokenizer.h"

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
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    /* Spread out, and crowded into one set and one near place, where
     * each word meets the words next to it in the family. */
    for (int crowd = 0; crowd < 2; crowd++) {
        tok_encoding *enc = tok_encoding_new();
        enc->wcache_crowd = crowd;
        for (int round = 0; round < 2; round++) {
            assert_int_equal(tok_encode(tk, text, tl, &o, enc, NULL),
                             TOK_OK);
            assert_int_equal(tok_encoding_len(enc), 2 * nw);
            for (size_t k = 0; k < 2 * nw; k++)
                if (tok_encoding_ids(enc)[k] != (int32_t)(k % nw) + 1)
                    fail_msg("\"%.*s\" gave another word's token",
                             (int)lens[k % nw], words[k % nw]);
        }
        tok_encoding_free(enc);
    }
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
    /* One piece per byte: words of 6, 7, 10 and 11 pieces (around what an
     * entry holds), and of 40 bytes (longer than a cached word). */
    const char *text = "xyxyxy xyxyxyx xyxyxyxyxy xyxyxyxyxyx "
                       "xyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxy";
    size_t len = strlen(text), n = 0;
    for (size_t k = 0; k < len; k++)
        n += text[k] != ' ';
    for (int round = 0; round < 2; round++) {
        assert_int_equal(tok_encode(tk, text, len, &o, enc, NULL), TOK_OK);
        assert_int_equal(tok_encoding_len(enc), n);
        const tok_offset *off = tok_encoding_offsets(enc);
        size_t i = 0;
        for (size_t at = 0; at < len; at++) {
            if (text[at] == ' ')
                continue;
            bool first = at == 0 || text[at - 1] == ' ';
            int32_t want = (text[at] == 'x' ? 1 : 3) + !first;
            assert_int_equal(tok_encoding_ids(enc)[i], want);
            assert_int_equal(off[i].start, at);
            assert_int_equal(off[i].end, at + 1);
            i++;
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

/* ------------------------------------------------------------------------
 * Lanes against the general pipeline
 * ------------------------------------------------------------------------ */

static tok_tokenizer *shipped(const char *name)
{
    char path[1024];
    const char *dir = getenv("TOK_VOCAB_DIR");
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir ? dir : "vocab",
             name);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_load(&tk, path, &err) != TOK_OK)
        fail_msg("%s", err.message);
    return tk;
}

/* Encodes text with lanes and without; both must succeed or fail alike
 * and give the same ids and offsets. */
static void same_both_ways(const tok_tokenizer *tk, tok_encoding *lane,
                           tok_encoding *general, const char *text,
                           size_t len, const tok_encode_options *o)
{
    tok_error e1, e2;
    general->no_lanes = true;
    int r1 = tok_encode(tk, text, len, o, lane, &e1);
    int r2 = tok_encode(tk, text, len, o, general, &e2);
    if (r1 != r2)
        fail_msg("\"%.*s\": %d with lanes, %d without", (int)len, text, r1,
                 r2);
    if (r1 != TOK_OK) {
        assert_string_equal(e1.message, e2.message);
        return;
    }
    size_t n = tok_encoding_len(lane);
    if (n != tok_encoding_len(general))
        fail_msg("\"%.*s\": %zu tokens with lanes, %zu without", (int)len,
                 text, n, tok_encoding_len(general));
    const tok_offset *a = tok_encoding_offsets(lane);
    const tok_offset *b = tok_encoding_offsets(general);
    for (size_t i = 0; i < n; i++)
        if (tok_encoding_ids(lane)[i] != tok_encoding_ids(general)[i] ||
            a[i].start != b[i].start || a[i].end != b[i].end)
            fail_msg("\"%.*s\": token %zu is %d (%u, %u) with lanes, %d "
                     "(%u, %u) without", (int)len, text, i,
                     tok_encoding_ids(lane)[i], a[i].start, a[i].end,
                     tok_encoding_ids(general)[i], b[i].start, b[i].end);
}

/* Random text from pieces that matter to the lanes: both cases, digits,
 * punctuation, every kind of ASCII white space and control, DEL, added
 * tokens, contractions, long words, and non-ASCII text (which BERT's lane
 * leaves to the general way, and GPT-2's takes): other scripts, emoji
 * whose bytes the model splits, combining marks, bytes of no valid
 * sequence (cut sequences, a surrogate, past U+10FFFF). */
static size_t random_line(char *out, size_t max)
{
    static const char *const parts[] = {
        "the", "The", "THE", " ", "  ", "\t", "\n", "\r", "\v", "\f",
        "\x01", "\x7f", "\x1f", ".", ",", "!", "'s", "'ll", "'", "$", "^",
        "`", "~", "0", "42", "1234567", "Zz", "AZaz@[`{", "[CLS]", "[SEP]", "[MASK]", "[",
        "]", "<|endoftext|>", "<|", "tokenization",
        "pneumonoultramicroscopicsilicovolcanoconiosis",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x", "Q",
        "\xc3\xa9", "\xe4\xb8\xad", "\0", "-", "_", "(", ")", "don't",
        "  \n", "\n\n", "\xd0\x9f\xd1\x80\xd0\xb8", "\xf0\x9f\x98\x80",
        "\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82", "\xff",
        "\xc3", "\x80", "\xe4\xb8", "e\xcc\x81", "\xe3\x80\x80",
        "\xc2\xa0", "\xe2\x80\x8b", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        ("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96"
         "\x87"),
    };
    size_t nparts = sizeof parts / sizeof *parts, len = 0;
    size_t count = (size_t)rand() % 12;
    for (size_t k = 0; k < count; k++) {
        size_t i = (size_t)rand() % nparts;
        size_t pl = parts[i][0] ? strlen(parts[i]) : 1;
        if (len + pl > max)
            break;
        memcpy(out + len, parts[i], pl);
        len += pl;
    }
    return len;
}

static void lanes_give_what_the_general_pipeline_gives(void **state)
{
    (void)state;
    const char *const names[] = {"bert-base-uncased", "bert-base-cased",
                                 "gpt2"};
    srand(11);
    for (size_t m = 0; m < 3; m++) {
        tok_tokenizer *tk = shipped(names[m]);
        tok_encoding *lane = tok_encoding_new();
        tok_encoding *general = tok_encoding_new();
        tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
        /* Runs of ASCII that go on in non-ASCII letters, digits and
         * other characters: one piece, not two. */
        static const char *const runs[] = {
            "caf\xc3\xa9s", "na\xc3\xafve", " x\xc3\xa9y", "123\xd9\xa3",
            "..\xe2\x80\xa6!", " na\xc3\xafvet\xc3\xa9", "ab\xd0\x9f",
            ("Stra\xc3\x9f" "e"), " 12\xef\xbc\x93", "'\xc3\xa9s",
            " caf\xc3\xa9", " r\xc3\xa9sum\xc3\xa9",
        };
        for (size_t k = 0; k < sizeof runs / sizeof *runs; k++)
            same_both_ways(tk, lane, general, runs[k], strlen(runs[k]), &o);
        for (int round = 0; round < 6000; round++) {
            char text[400];
            size_t len = random_line(text, sizeof text);
            o.special_in_text = round % 3 == 1 ? TOK_SPECIAL_TEXT
                                               : TOK_SPECIAL_MATCH;
            o.offsets = round % 5 == 2 ? TOK_OFFSETS_CHARS
                                       : TOK_OFFSETS_BYTES;
            o.add_special_tokens = round % 7 != 3;
            same_both_ways(tk, lane, general, text, len, &o);
        }
        tok_encoding_free(lane);
        tok_encoding_free(general);
        tok_tokenizer_free(tk);
    }
}

/* A byte-level BPE whose suffix is spelled in <0xXX> pieces that cover no
 * bytes: the lane gives such a line to the general pipeline. */
static void pieces_that_cover_nothing_leave_the_lane(void **state)
{
    (void)state;
    static const char json[] =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
        "\"added_tokens\":[],\"normalizer\":null,"
        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":"
        "false,\"trim_offsets\":true,\"use_regex\":true},"
        "\"post_processor\":null,\"decoder\":null,"
        "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,"
        "\"continuing_subword_prefix\":null,\"end_of_word_suffix\":\"!\","
        "\"fuse_unk\":false,\"byte_fallback\":true,\"ignore_merges\":false,"
        "\"vocab\":{\"a\":0,\"b\":1,\"<0x61>\":2,\"<0x62>\":3,\"<0x21>\":4,"
        "\"ab\":5,\"b!\":6,\"\\u0120\":7},\"merges\":[\"a b\"]}}";
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        fail_msg("%s", err.message);
    tok_encoding *lane = tok_encoding_new();
    tok_encoding *general = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    const char *const texts[] = {"ab", "ab ab", "a", "b", "ba ab b", "aab"};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < 6; i++)
            same_both_ways(tk, lane, general, texts[i], strlen(texts[i]),
                           &o);
    /* "a" ends the word: "a!" is not a token, so its bytes and the
     * suffix's come as <0xXX> pieces, the suffix's covering nothing. */
    assert_int_equal(tok_encode(tk, "a", 1, &o, lane, &err), TOK_OK);
    assert_int_equal(tok_encoding_len(lane), 2);
    assert_int_equal(tok_encoding_ids(lane)[0], 2);
    assert_int_equal(tok_encoding_ids(lane)[1], 4);
    tok_encoding_free(lane);
    tok_encoding_free(general);
    tok_tokenizer_free(tk);
}

static void replacement_characters_may_outgrow_the_input(void **state)
{
    (void)state;
    /* 40 bad bytes become 120 bytes of U+FFFD, which clean_text then
     * deletes; the 40 characters after them keep their places. */
    tok_tokenizer *tk = shipped("bert-base-uncased");
    tok_encoding *enc = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.invalid_utf8 = TOK_INVALID_REPLACE;
    o.add_special_tokens = 0;
    char text[120];
    memset(text, 0xff, 40);
    for (int i = 0; i < 40; i++)
        memcpy(text + 40 + 2 * i, "\xc3\xa9", 2);
    assert_int_equal(tok_encode(tk, text, sizeof text, &o, enc, NULL),
                     TOK_OK);
    size_t n = tok_encoding_len(enc);
    assert_true(n > 0);
    assert_int_equal(tok_encoding_offsets(enc)[0].start, 40);
    assert_int_equal(tok_encoding_offsets(enc)[n - 1].end, 120);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

/* A BPE without unk_token drops a character it does not know: "ax" is
 * the one piece "a" covering one byte, which the cache must keep as such
 * (not as a token for the whole word). */
static void a_piece_short_of_its_word_keeps_its_offsets(void **state)
{
    (void)state;
    static const char json[] =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
        "\"added_tokens\":[],\"normalizer\":null,"
        "\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
        "\"post_processor\":null,\"decoder\":null,"
        "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,"
        "\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,"
        "\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":false,"
        "\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\"]}}";
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        fail_msg("%s", err.message);
    tok_encoding *enc = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(tok_encode(tk, "ax ax", 5, &o, enc, &err), TOK_OK);
        assert_int_equal(tok_encoding_len(enc), 2);
        for (size_t i = 0; i < 2; i++) {
            assert_int_equal(tok_encoding_ids(enc)[i], 0);
            assert_int_equal(tok_encoding_offsets(enc)[i].start, 3 * i);
            assert_int_equal(tok_encoding_offsets(enc)[i].end, 3 * i + 1);
        }
    }
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_one_byte_apart_never_share_a_cache_entry),
        cmocka_unit_test(long_words_and_many_pieces_come_out_the_same_twice),
        cmocka_unit_test(one_encoding_serves_two_tokenizers_in_turn),
        cmocka_unit_test(lanes_give_what_the_general_pipeline_gives),
        cmocka_unit_test(pieces_that_cover_nothing_leave_the_lane),
        cmocka_unit_test(replacement_characters_may_outgrow_the_input),
        cmocka_unit_test(a_piece_short_of_its_word_keeps_its_offsets),
    };
    return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
