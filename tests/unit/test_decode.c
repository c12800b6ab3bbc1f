/* Tests for the decoder stage (src/lib/decode.c): Hugging Face's own
 * results (tests/data/decode/hf-decode.json), the golden decodings of
 * GPT-2 and BERT, tok's byte-exact ByteLevel, and buffer reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "bytelevel.h"
#include "decode.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static cJSON *read_json(const char *name)
{
    const char *dir = getenv("TOK_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "data", name);
    char *data;
    size_t n;
    tok_error err;
    if (tok_read_file(path, &data, &n, &err) != TOK_OK)
        fail_msg("cannot read %s: %s", path, err.message);
    cJSON *j = cJSON_Parse(data);
    tok_free(data);
    assert_non_null(j);
    return j;
}

static const char *jstr(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? tok_strdup(s) : NULL;
}

/* A decoder from its tokenizer.json spelling. */
static tok_decoder *decoder_from_json(const cJSON *j)
{
    const char *type = jstr(j, "type");
    assert_non_null(type);
    tok_decoder *d;
    if (strcmp(type, "WordPiece") == 0) {
        d = tok_decoder_new(TOK_DEC_WORDPIECE);
        d->u.wordpiece.prefix = dup_or_null(jstr(j, "prefix"));
        d->u.wordpiece.cleanup =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "cleanup"));
    } else if (strcmp(type, "ByteLevel") == 0) {
        d = tok_decoder_new(TOK_DEC_BYTELEVEL);
    } else if (strcmp(type, "Metaspace") == 0) {
        d = tok_decoder_new(TOK_DEC_METASPACE);
        snprintf(d->u.metaspace.replacement,
                 sizeof d->u.metaspace.replacement, "%s",
                 jstr(j, "replacement"));
        const char *scheme = jstr(j, "prepend_scheme");
        d->u.metaspace.prepend_scheme =
            strcmp(scheme, "never") == 0 ? TOK_PREPEND_NEVER
            : strcmp(scheme, "first") == 0 ? TOK_PREPEND_FIRST
            : TOK_PREPEND_ALWAYS;
    } else if (strcmp(type, "BPEDecoder") == 0) {
        d = tok_decoder_new(TOK_DEC_BPE);
        d->u.bpe.suffix = dup_or_null(jstr(j, "suffix"));
    } else if (strcmp(type, "ByteFallback") == 0) {
        d = tok_decoder_new(TOK_DEC_BYTE_FALLBACK);
    } else if (strcmp(type, "Fuse") == 0) {
        d = tok_decoder_new(TOK_DEC_FUSE);
    } else if (strcmp(type, "Strip") == 0) {
        d = tok_decoder_new(TOK_DEC_STRIP);
        d->u.strip.content = dup_or_null(jstr(j, "content"));
        d->u.strip.start = (size_t)cJSON_GetObjectItemCaseSensitive(
            j, "start")->valuedouble;
        d->u.strip.stop = (size_t)cJSON_GetObjectItemCaseSensitive(
            j, "stop")->valuedouble;
    } else if (strcmp(type, "Replace") == 0) {
        d = tok_decoder_new(TOK_DEC_REPLACE);
        d->u.replace.pattern = dup_or_null(jstr(
            cJSON_GetObjectItemCaseSensitive(j, "pattern"), "String"));
        d->u.replace.content = dup_or_null(jstr(j, "content"));
    } else if (strcmp(type, "Sequence") == 0) {
        d = tok_decoder_new(TOK_DEC_SEQUENCE);
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "decoders");
        size_t n = (size_t)cJSON_GetArraySize(items);
        d->u.seq.items = tok_calloc(n ? n : 1, sizeof *d->u.seq.items);
        assert_non_null(d->u.seq.items);
        const cJSON *e;
        cJSON_ArrayForEach(e, items)
            d->u.seq.items[d->u.seq.n++] = decoder_from_json(e);
    } else {
        fail_msg("unknown decoder type %s", type);
        return NULL;
    }
    assert_non_null(d);
    return d;
}

static void push_all(tok_strlist *l, const char *const *tokens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(tok_strlist_push(l, tokens[i], strlen(tokens[i])),
                         TOK_OK);
}

/* Decodes tokens (a NULL-terminated list) into out. */
static void decode_into(const tok_decoder *d, const char *const *tokens,
                        tok_buffer *out)
{
    tok_strlist in = {0}, tmp = {0};
    size_t n = 0;
    while (tokens[n])
        n++;
    push_all(&in, tokens, n);
    out->len = 0;
    tok_error err;
    assert_int_equal(tok_decoder_run(d, &in, &tmp, out, &err), TOK_OK);
    tok_strlist_dispose(&in);
    tok_strlist_dispose(&tmp);
}

static const char *decode_s(const tok_decoder *d, const char *const *tokens)
{
    static tok_buffer out = TOK_BUFFER_INIT;
    decode_into(d, tokens, &out);
    return out.data;
}

/* ------------------------------------------------------------------------
 * Hugging Face's answers
 * ------------------------------------------------------------------------ */

static void every_decoder_matches_hugging_face(void **state)
{
    (void)state;
    cJSON *all = read_json("decode/hf-decode.json");
    const cJSON *c;
    tok_strlist in = {0}, tmp = {0};
    tok_buffer out = TOK_BUFFER_INIT;
    size_t ncases = 0;
    cJSON_ArrayForEach(c, all) {
        tok_decoder *d =
            decoder_from_json(cJSON_GetObjectItemCaseSensitive(c, "decoder"));
        in.n = in.data_len = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(c, "tokens"))
            assert_int_equal(tok_strlist_push(&in, t->valuestring,
                                              strlen(t->valuestring)),
                             TOK_OK);
        out.len = 0;
        tok_error err;
        assert_int_equal(tok_decoder_run(d, &in, &tmp, &out, &err), TOK_OK);
        const char *want = jstr(c, "text");
        if (out.len != strlen(want) || memcmp(out.data, want, out.len) != 0)
            fail_msg("case %zu (%s): got \"%.*s\", Hugging Face \"%s\"",
                     ncases, jstr(cJSON_GetObjectItemCaseSensitive(c,
                                                                   "decoder"),
                                  "type"),
                     (int)out.len, out.data, want);
        tok_decoder_free(d);
        ncases++;
    }
    assert_true(ncases >= 45);
    tok_strlist_dispose(&in);
    tok_strlist_dispose(&tmp);
    tok_buffer_dispose(&out);
    cJSON_Delete(all);
}

/* ------------------------------------------------------------------------
 * Golden decodings
 * ------------------------------------------------------------------------ */

static char *read_data(const char *name)
{
    const char *dir = getenv("TOK_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "data", name);
    char *data;
    size_t n;
    tok_error err;
    if (tok_read_file(path, &data, &n, &err) != TOK_OK)
        fail_msg("cannot read %s: %s", path, err.message);
    return data;
}

/* Runs the decoder over each golden record's tokens (less the special
 * ones when skip is set) and compares with the record's field. */
static size_t check_golden(const char *file, const tok_decoder *d,
                           const char *field, bool skip)
{
    static const char *const special[] = {"[PAD]", "[UNK]", "[CLS]",
                                          "[SEP]", "[MASK]"};
    char *data = read_data(file);
    tok_strlist in = {0}, tmp = {0};
    tok_buffer out = TOK_BUFFER_INIT;
    size_t checked = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        cJSON *r = cJSON_Parse(line);
        assert_non_null(r);
        const char *want = jstr(r, field);
        in.n = in.data_len = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r, "tokens")) {
            bool drop = false;
            for (size_t k = 0; skip && k < 5; k++)
                drop |= strcmp(t->valuestring, special[k]) == 0;
            if (!drop)
                assert_int_equal(tok_strlist_push(&in, t->valuestring,
                                                  strlen(t->valuestring)),
                                 TOK_OK);
        }
        out.len = 0;
        tok_error err;
        assert_int_equal(tok_decoder_run(d, &in, &tmp, &out, &err), TOK_OK);
        /* cJSON ends strings at U+0000; such a text is compared as far as
         * it goes. */
        size_t wl = strlen(want);
        if (out.len < wl || memcmp(out.data, want, wl) != 0 ||
            (out.len != wl && memchr(out.data, 0, out.len) == NULL))
            fail_msg("%s: \"%s\" decodes to \"%.*s\"", file, want,
                     (int)out.len, out.data);
        checked++;
        cJSON_Delete(r);
    }
    tok_strlist_dispose(&in);
    tok_strlist_dispose(&tmp);
    tok_buffer_dispose(&out);
    tok_free(data);
    return checked;
}

static void gpt2_golden_tokens_decode_to_their_text(void **state)
{
    (void)state;
    tok_decoder *d = tok_decoder_new(TOK_DEC_BYTELEVEL);
    assert_true(check_golden("golden/gpt2.jsonl", d, "text", false) >= 280);
    tok_decoder_free(d);
}

static void bert_golden_tokens_decode_as_hugging_face(void **state)
{
    (void)state;
    tok_decoder *d = tok_decoder_new(TOK_DEC_WORDPIECE);
    d->u.wordpiece.prefix = tok_strdup("##");
    d->u.wordpiece.cleanup = true;
    const char *files[] = {"golden/bert-base-uncased.jsonl",
                           "golden/bert-base-cased.jsonl"};
    for (size_t i = 0; i < 2; i++) {
        assert_true(check_golden(files[i], d, "decoded", true) >= 280);
        assert_true(check_golden(files[i], d, "decoded_with_special",
                                 false) >= 280);
    }
    tok_decoder_free(d);
}

/* ------------------------------------------------------------------------
 * Behaviour tok defines
 * ------------------------------------------------------------------------ */

static void bytelevel_gives_back_every_byte_exactly(void **state)
{
    (void)state;
    tok_decoder *d = tok_decoder_new(TOK_DEC_BYTELEVEL);
    tok_strlist in = {0}, tmp = {0};
    /* All 256 bytes, one token each, then in one token. */
    char all[512];
    size_t an = 0;
    for (int b = 0; b < 256; b++) {
        size_t n;
        const char *c = tok_bytelevel_utf8((unsigned char)b, &n);
        assert_int_equal(tok_strlist_push(&in, c, n), TOK_OK);
        memcpy(all + an, c, n);
        an += n;
    }
    assert_int_equal(tok_strlist_push(&in, all, an), TOK_OK);
    tok_buffer out = TOK_BUFFER_INIT;
    tok_error err;
    assert_int_equal(tok_decoder_run(d, &in, &tmp, &out, &err), TOK_OK);
    assert_int_equal(out.len, 512);
    for (int b = 0; b < 512; b++)
        assert_int_equal((unsigned char)out.data[b], b % 256);
    tok_buffer_dispose(&out);
    tok_strlist_dispose(&in);
    tok_strlist_dispose(&tmp);
    tok_decoder_free(d);
}

static void bytelevel_keeps_invalid_utf8_as_raw_bytes(void **state)
{
    (void)state;
    tok_decoder *d = tok_decoder_new(TOK_DEC_BYTELEVEL);
    /* U+0142 and U+0143 stand for bytes 0xA0 and 0xAD: not UTF-8 alone,
     * where Hugging Face would write U+FFFD twice. */
    const char *toks[] = {"\xc5\x82", "\xc5\x83", "\xc4\xa0", "\xc3\xa2",
                          NULL};
    assert_string_equal(decode_s(d, toks), "\xa0\xad \xe2");
    tok_decoder_free(d);
}

static void bytelevel_passes_tokens_outside_the_alphabet_whole(void **state)
{
    (void)state;
    tok_decoder *d = tok_decoder_new(TOK_DEC_BYTELEVEL);
    /* "Ġ€": the euro sign is not in the alphabet, so "Ġ" stays too. */
    const char *toks[] = {"\xc4\xa0\xe2\x82\xac", "\xc4\xa0x", "\xff", NULL};
    assert_string_equal(decode_s(d, toks), "\xc4\xa0\xe2\x82\xac x\xff");
    tok_decoder_free(d);
}

static void no_decoder_joins_the_tokens_as_they_are(void **state)
{
    (void)state;
    const char *toks[] = {"a", "##b", " c", NULL};
    assert_string_equal(decode_s(NULL, toks), "a##b c");
}

static void no_tokens_decode_to_empty_text(void **state)
{
    (void)state;
    tok_decoder_type types[] = {
        TOK_DEC_WORDPIECE, TOK_DEC_BYTELEVEL, TOK_DEC_METASPACE, TOK_DEC_BPE,
        TOK_DEC_BYTE_FALLBACK, TOK_DEC_FUSE, TOK_DEC_STRIP, TOK_DEC_REPLACE,
        TOK_DEC_SEQUENCE};
    const char *none[] = {NULL};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        tok_decoder *d = tok_decoder_new(types[i]);
        assert_string_equal(decode_s(d, none), "");
        tok_decoder_free(d);
    }
    assert_string_equal(decode_s(NULL, none), "");
}

static void strip_past_a_token_gives_an_empty_token(void **state)
{
    (void)state;
    /* Hugging Face panics here; tok strips what there is. */
    tok_decoder *d = tok_decoder_new(TOK_DEC_STRIP);
    d->u.strip.content = tok_strdup("x");
    d->u.strip.start = 3;
    d->u.strip.stop = 3;
    const char *toks[] = {"x", "xx", "", "xxaxx", "axa", NULL};
    assert_string_equal(decode_s(d, toks), "aaxa");
    tok_decoder_free(d);
}

static void long_byte_fallback_runs_decode_whole(void **state)
{
    (void)state;
    tok_decoder *d = tok_decoder_new(TOK_DEC_BYTE_FALLBACK);
    tok_strlist in = {0}, tmp = {0};
    /* 1000 euro signs spelled as bytes: one valid run of 3000 bytes. */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(tok_strlist_push(&in, "<0xE2>", 6), TOK_OK);
        assert_int_equal(tok_strlist_push(&in, "<0x82>", 6), TOK_OK);
        assert_int_equal(tok_strlist_push(&in, "<0xAC>", 6), TOK_OK);
    }
    assert_int_equal(tok_strlist_push(&in, "!", 1), TOK_OK);
    tok_buffer out = TOK_BUFFER_INIT;
    tok_error err;
    assert_int_equal(tok_decoder_run(d, &in, &tmp, &out, &err), TOK_OK);
    assert_int_equal(out.len, 3001);
    assert_memory_equal(out.data + 2997, "\xe2\x82\xac!", 4);
    tok_buffer_dispose(&out);
    tok_strlist_dispose(&in);
    tok_strlist_dispose(&tmp);
    tok_decoder_free(d);
}

/* A Llama-style chain over the same lists twice: the second run finds
 * every buffer big enough and allocates nothing. */
static tok_decoder *llama_decoder(void)
{
    tok_decoder *d = tok_decoder_new(TOK_DEC_SEQUENCE);
    d->u.seq.items = tok_calloc(4, sizeof *d->u.seq.items);
    tok_decoder *r = tok_decoder_new(TOK_DEC_REPLACE);
    r->u.replace.pattern = tok_strdup("\xe2\x96\x81");
    r->u.replace.content = tok_strdup(" ");
    tok_decoder *s = tok_decoder_new(TOK_DEC_STRIP);
    s->u.strip.content = tok_strdup(" ");
    s->u.strip.start = 1;
    d->u.seq.items[0] = r;
    d->u.seq.items[1] = tok_decoder_new(TOK_DEC_BYTE_FALLBACK);
    d->u.seq.items[2] = tok_decoder_new(TOK_DEC_FUSE);
    d->u.seq.items[3] = s;
    d->u.seq.n = 4;
    return d;
}

static const char *const llama_tokens[] = {
    "\xe2\x96\x81Hello", "\xe2\x96\x81", "<0xE2>", "<0x82>", "<0xAC>",
    "\xe2\x96\x81world", "!"};

static void a_second_run_allocates_nothing(void **state)
{
    (void)state;
    tok_decoder *d = llama_decoder();
    tok_strlist a = {0}, b = {0};
    tok_buffer out = TOK_BUFFER_INIT;
    tok_error err;
    for (int run = 0; run < 2; run++) {
        /* The chain may hand its result back in either list, so both are
         * refilled the same way each run. */
        a.n = a.data_len = 0;
        b.n = b.data_len = 0;
        out.len = 0;
        tok_debug_fail_alloc_after(0);
        for (int k = 0; k < 50; k++)
            push_all(&a, llama_tokens, 7);
        assert_int_equal(tok_decoder_run(d, &a, &b, &out, &err), TOK_OK);
        size_t made = tok_debug_fail_alloc_after(0);
        if (run == 1)
            assert_int_equal(made, 0);
    }
    assert_memory_equal(out.data, "Hello \xe2\x82\xac world! Hello", 22);
    tok_buffer_dispose(&out);
    tok_strlist_dispose(&a);
    tok_strlist_dispose(&b);
    tok_decoder_free(d);
}

/* tok_decode keeps its working lists in the caller's buffer: decoding
 * into a warm buffer allocates nothing, and gives the same text (Hugging
 * Face's: the cleanup runs token by token, so "don ' t" stays). */
static void tok_decode_into_a_warm_buffer_allocates_nothing(void **state)
{
    (void)state;
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/bert-base-uncased/tokenizer.json",
             dir ? dir : "vocab");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_load(&tk, path, &err), TOK_OK);
    static const char text[] = "Hello , world ! Don't stop . Tokenizers";
    tok_encoding *enc = tok_encoding_new();
    assert_int_equal(tok_encode(tk, text, sizeof text - 1, NULL, enc, &err),
                     TOK_OK);
    tok_decode_options o = TOK_DECODE_OPTIONS_INIT;
    o.skip_special_tokens = 1;
    tok_buffer out = TOK_BUFFER_INIT;
    for (int run = 0; run < 2; run++) {
        tok_debug_fail_alloc_after(0);
        assert_int_equal(tok_decode(tk, tok_encoding_ids(enc),
                                    tok_encoding_len(enc), &o, &out, &err),
                         TOK_OK);
        size_t made = tok_debug_fail_alloc_after(0);
        if (run == 1)
            assert_int_equal(made, 0);
        assert_string_equal(out.data,
                            "hello, world! don ' t stop. tokenizers");
    }
    tok_buffer_dispose(&out);
    assert_null(out.work);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

static void allocation_failures_are_reported_not_fatal(void **state)
{
    (void)state;
    tok_decoder *d = llama_decoder();
    bool done = false;
    for (size_t n = 1; n < 100 && !done; n++) {
        tok_strlist a = {0}, b = {0};
        tok_buffer out = TOK_BUFFER_INIT;
        for (int k = 0; k < 20; k++)
            push_all(&a, llama_tokens, 7);
        tok_error err;
        tok_debug_fail_alloc_after(n);
        int rc = tok_decoder_run(d, &a, &b, &out, &err);
        size_t made = tok_debug_fail_alloc_after(0);
        if (rc == TOK_OK && made < n)
            done = true;
        else
            assert_int_equal(rc, TOK_ENOMEM);
        tok_buffer_dispose(&out);
        tok_strlist_dispose(&a);
        tok_strlist_dispose(&b);
    }
    assert_true(done);
    tok_decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_decoder_matches_hugging_face),
        cmocka_unit_test(gpt2_golden_tokens_decode_to_their_text),
        cmocka_unit_test(bert_golden_tokens_decode_as_hugging_face),
        cmocka_unit_test(bytelevel_gives_back_every_byte_exactly),
        cmocka_unit_test(bytelevel_keeps_invalid_utf8_as_raw_bytes),
        cmocka_unit_test(bytelevel_passes_tokens_outside_the_alphabet_whole),
        cmocka_unit_test(no_decoder_joins_the_tokens_as_they_are),
        cmocka_unit_test(no_tokens_decode_to_empty_text),
        cmocka_unit_test(strip_past_a_token_gives_an_empty_token),
        cmocka_unit_test(long_byte_fallback_runs_decode_whole),
        cmocka_unit_test(a_second_run_allocates_nothing),
        cmocka_unit_test(tok_decode_into_a_warm_buffer_allocates_nothing),
        cmocka_unit_test(allocation_failures_are_reported_not_fatal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
