/* Byte-level BPE gives back every input byte for byte, valid UTF-8 or not;
 * character-level BPE with byte fallback gives back every valid UTF-8
 * input, and without it unknown characters become the unknown token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tok.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static tok_tokenizer *load(const char *name)
{
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir ? dir : "vocab",
             name);
    tok_tokenizer *tk = NULL;
    assert_int_equal(tok_tokenizer_load(&tk, path, NULL), TOK_OK);
    return tk;
}

/* Random text: mostly bytes from a small alphabet of ASCII, spaces,
 * multi-byte characters and stray or truncated UTF-8 sequences. */
static size_t random_bytes(char *buf, size_t max)
{
    static const char *const pieces[] = {
        "a", "b", "z", " ", "  ", "\n", "\t", "'s", "0", "9", "é", "ß",
        "中", "😀", "\xff", "\xc3", "\xe2\x82", "\x80", "\xf0\x9f\x98",
        "<|endoftext|>", "\r\n", ".", "!", "\0", "\xc0\xaf", "\xed\xa0\x80",
    };
    size_t n = next_random() % max, len = 0;
    while (len < n) {
        const char *p;
        size_t pl;
        if (next_random() % 4 == 0) {
            char b = (char)(next_random() & 0xFF);
            p = &b;
            pl = 1;
            if (len + pl > max)
                break;
            memcpy(buf + len, p, pl);
        } else {
            size_t k = next_random() % (sizeof pieces / sizeof *pieces);
            p = pieces[k];
            pl = k == 23 ? 1 : strlen(p);
            if (len + pl > max)
                break;
            memcpy(buf + len, p, pl);
        }
        len += pl;
    }
    return len;
}

static void byte_level_decode_gives_back_any_bytes(void **state)
{
    (void)state;
    tok_tokenizer *tk = load("gpt2");
    tok_encoding *enc = tok_encoding_new();
    tok_buffer out = TOK_BUFFER_INIT;
    char buf[512];
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    for (int i = 0; i < 5000; i++) {
        size_t len = random_bytes(buf, sizeof buf);
        o.special_in_text = i % 2 ? TOK_SPECIAL_TEXT : TOK_SPECIAL_MATCH;
        assert_int_equal(tok_encode(tk, buf, len, &o, enc, NULL), TOK_OK);
        assert_int_equal(tok_decode(tk, tok_encoding_ids(enc),
                                    tok_encoding_len(enc), NULL, &out, NULL),
                         TOK_OK);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, buf, len);
    }
    tok_buffer_dispose(&out);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

/* A character-level BPE in the Llama style: Metaspace-like normalizer,
 * byte fallback, and a decoder chain that undoes both. */
static const char *const fallback_json =
    "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
    "\"added_tokens\":[{\"id\":0,\"content\":\"<unk>\",\"single_word\":false,"
    "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
    "\"special\":true}],"
    "\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},"
    "\"content\":\"\\u2581\"},\"pre_tokenizer\":null,\"post_processor\":null,"
    "\"decoder\":{\"type\":\"Sequence\",\"decoders\":["
    "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\\u2581\"},"
    "\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]},"
    "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":\"<unk>\","
    "\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,"
    "\"fuse_unk\":true,\"byte_fallback\":%s,\"ignore_merges\":false,"
    "\"vocab\":{%s},\"merges\":[\"a b\",\"\\u2581 ab\"]}}";

static tok_tokenizer *load_fallback(int byte_fallback)
{
    char vocab[16384];
    size_t n = (size_t)snprintf(vocab, sizeof vocab,
                                "\"<unk>\":0,\"a\":1,\"b\":2,\"\\u2581\":3,"
                                "\"ab\":4,\"\\u2581ab\":5");
    for (int b = 0; b < 256; b++)
        n += (size_t)snprintf(vocab + n, sizeof vocab - n,
                              ",\"<0x%02X>\":%d", b, 6 + b);
    char json[20000];
    snprintf(json, sizeof json, fallback_json,
             byte_fallback ? "true" : "false", vocab);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        print_error("%s\n", err.message);
    assert_non_null(tk);
    return tk;
}

static void byte_fallback_gives_back_every_valid_text(void **state)
{
    (void)state;
    tok_tokenizer *tk = load_fallback(1);
    tok_encoding *enc = tok_encoding_new();
    tok_buffer out = TOK_BUFFER_INIT;
    char buf[512];
    int tested = 0;
    for (int i = 0; tested < 2000; i++) {
        size_t len = random_bytes(buf, sizeof buf);
        tok_error err;
        if (tok_encode(tk, buf, len, NULL, enc, &err) != TOK_OK) {
            assert_int_equal(err.code, TOK_EUTF8);  /* invalid input */
            continue;
        }
        tested++;
        for (size_t k = 0; k < tok_encoding_len(enc); k++)
            assert_int_not_equal(tok_encoding_ids(enc)[k], 0);
        assert_int_equal(tok_decode(tk, tok_encoding_ids(enc),
                                    tok_encoding_len(enc), NULL, &out, NULL),
                         TOK_OK);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, buf, len);
    }
    tok_buffer_dispose(&out);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

static void without_byte_fallback_unknown_characters_become_unk(void **state)
{
    (void)state;
    tok_tokenizer *tk = load_fallback(0);
    tok_encoding *enc = tok_encoding_new();
    const char *text = "ab é中a";
    assert_int_equal(tok_encode(tk, text, strlen(text), NULL, enc, NULL),
                     TOK_OK);
    /* "ab", "▁", then é and 中 as one fused <unk>, "a". */
    size_t n = tok_encoding_len(enc);
    int unks = 0;
    for (size_t k = 0; k < n; k++)
        unks += tok_encoding_ids(enc)[k] == 0;
    assert_int_equal(tok_encoding_ids(enc)[0], 4);   /* "ab" */
    assert_int_equal(unks, 1);                       /* é中 fused */
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(byte_level_decode_gives_back_any_bytes),
        cmocka_unit_test(byte_fallback_gives_back_every_valid_text),
        cmocka_unit_test(without_byte_fallback_unknown_characters_become_unk),
    };
    return cmocka_run_group_tests_name("roundtrip", tests, NULL, NULL);
}
