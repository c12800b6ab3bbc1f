/* training: a trained tokenizer covers its own corpus -- every line
 * encodes without unknown tokens, and its tokens and its decoder give the
 * line back (byte-level: byte for byte; otherwise the normalized words). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytelevel.h"
#include "tok_train.h"
#include "tokenizer.h"
#include "unicode.h"
#include "utf8.h"

static const char *corpus(void)
{
    const char *dir = getenv("TOK_TEST_DATA");
    static char path[4096];
    snprintf(path, sizeof path, "%s/train/corpus.txt",
             dir ? dir : "tests/data");
    return path;
}

static tok_tokenizer *train(tok_train_model model, size_t vocab_size)
{
    const char *files[] = {corpus()};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = model;
    o.vocab_size = vocab_size;
    tok_tokenizer *tk;
    tok_error err;
    if (tok_train_files(&tk, files, 1, &o, &err) != TOK_OK)
        fail_msg("training failed: %s", err.message);
    return tk;
}

/* Calls check(tk, line, len, enc) for every line of the corpus, line
 * ending included, as the trainer saw it. */
typedef void (*line_check)(const tok_tokenizer *tk, const char *line,
                           size_t len, const tok_encoding *enc);

static void each_line(const tok_tokenizer *tk, line_check check)
{
    FILE *f = fopen(corpus(), "rb");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    tok_encoding *enc = tok_encoding_new();
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.add_special_tokens = 0;
    size_t lines = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        tok_error err;
        if (tok_encode(tk, line, (size_t)n, &o, enc, &err) != TOK_OK)
            fail_msg("line %zu: %s", lines + 1, err.message);
        check(tk, line, (size_t)n, enc);
        lines++;
    }
    assert_true(lines > 1000);
    free(line);
    tok_encoding_free(enc);
    fclose(f);
}

static void bytes_come_back(const tok_tokenizer *tk, const char *line,
                            size_t len, const tok_encoding *enc)
{
    char *back = malloc(len + 1);
    size_t k = 0;
    for (size_t i = 0; i < tok_encoding_len(enc); i++) {
        const unsigned char *t =
            (const unsigned char *)tok_encoding_token(enc, i);
        size_t tl = strlen((const char *)t);
        for (size_t p = 0; p < tl;) {
            uint32_t cp;
            size_t m = tok_utf8_decode(t, tl, p, &cp);
            int b = tok_bytelevel_byte(cp);
            assert_true(m > 0 && b >= 0);
            assert_true(k < len);
            back[k++] = (char)b;
            p += m;
        }
    }
    assert_int_equal(k, len);
    assert_memory_equal(back, line, len);
    free(back);
    /* The ByteLevel decoder gives the same bytes. */
    tok_buffer text = TOK_BUFFER_INIT;
    assert_int_equal(tok_decode(tk, tok_encoding_ids(enc),
                                tok_encoding_len(enc), NULL, &text, NULL),
                     TOK_OK);
    assert_int_equal(text.len, len);
    assert_memory_equal(text.data, line, len);
    tok_buffer_dispose(&text);
}

static void every_line_comes_back_from_a_byte_level_model(void **state)
{
    (void)state;
    tok_tokenizer *tk = train(TOK_TRAIN_BYTELEVEL_BPE, 8000);
    each_line(tk, bytes_come_back);
    tok_tokenizer_free(tk);
}

/* The text with whitespace removed, after the tokenizer's normalizer. */
static size_t squeeze(const tok_tokenizer *tk, const char *s, size_t len,
                      char *out)
{
    tok_normalized norm = {0};
    tok_norm_scratch scratch = {0};
    tok_span *align = calloc(len + 1, sizeof *align);
    if (tk->normalizer)
        assert_int_equal(tok_normalize(tk->normalizer, s, align, len, &norm,
                                       &scratch), TOK_OK);
    else
        assert_int_equal(tok_normalized_append_aligned(&norm, s, align,
                                                       len), TOK_OK);
    size_t k = 0;
    const unsigned char *t = (const unsigned char *)norm.text;
    for (size_t p = 0; p < norm.len;) {
        uint32_t cp;
        size_t m = tok_utf8_decode(t, norm.len, p, &cp);
        m = m ? m : 1;
        if (!tok_uni_is_space(cp)) {
            memcpy(out + k, t + p, m);
            k += m;
        }
        p += m;
    }
    tok_normalized_dispose(&norm);
    tok_norm_scratch_dispose(&scratch);
    free(align);
    return k;
}

static void words_come_back(const tok_tokenizer *tk, const char *line,
                            size_t len, const tok_encoding *enc)
{
    const char *prefix = tk->model->continuing_subword_prefix;
    size_t lp = tk->model->type == TOK_MODEL_WORDPIECE ? strlen(prefix) : 0;
    char *want = malloc(4 * len + 16), *got = malloc(4 * len + 16);
    size_t nw = squeeze(tk, line, len, want);
    tok_buffer joined = TOK_BUFFER_INIT;
    for (size_t i = 0; i < tok_encoding_len(enc); i++) {
        const char *t = tok_encoding_token(enc, i);
        if (tk->model->unk_id >= 0)
            assert_int_not_equal(tok_encoding_ids(enc)[i],
                                 tk->model->unk_id);
        if (lp && strncmp(t, prefix, lp) == 0)
            t += lp;
        assert_int_equal(tok_buffer_append(&joined, t, strlen(t)), TOK_OK);
    }
    size_t ng = squeeze(tk, joined.data ? joined.data : "", joined.len, got);
    /* squeeze normalizes again; normalizing is idempotent for these. */
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, nw);
    tok_buffer_dispose(&joined);
    /* The decoder (WordPiece, or BPEDecoder) joins the same characters,
     * with spaces between words. */
    tok_buffer text = TOK_BUFFER_INIT;
    assert_int_equal(tok_decode(tk, tok_encoding_ids(enc),
                                tok_encoding_len(enc), NULL, &text, NULL),
                     TOK_OK);
    ng = squeeze(tk, text.data ? text.data : "", text.len, got);
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, nw);
    tok_buffer_dispose(&text);
    free(want);
    free(got);
}

static void every_line_is_spelled_by_its_wordpiece_tokens(void **state)
{
    (void)state;
    tok_tokenizer *tk = train(TOK_TRAIN_WORDPIECE, 8000);
    each_line(tk, words_come_back);
    tok_tokenizer_free(tk);
}

static void every_line_is_spelled_by_its_bpe_tokens(void **state)
{
    (void)state;
    tok_tokenizer *tk = train(TOK_TRAIN_BPE, 8000);
    each_line(tk, words_come_back);
    tok_tokenizer_free(tk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_line_comes_back_from_a_byte_level_model),
        cmocka_unit_test(every_line_is_spelled_by_its_wordpiece_tokens),
        cmocka_unit_test(every_line_is_spelled_by_its_bpe_tokens),
    };
    return cmocka_run_group_tests_name("train_roundtrip", tests, NULL,
                                       NULL);
}
