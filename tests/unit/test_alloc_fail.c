/* reliability: every allocation the library makes may fail.  For loading,
 * importing, saving, encoding, decoding (and training, when it is built
 * in), the Nth allocation is made to fail for N = 1, 2, ... until the
 * operation succeeds.  Each failure must come back as TOK_ENOMEM with a
 * message, leave the caller's objects usable, and leak nothing (the
 * sanitizer build checks leaks after every sweep). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"

#if __has_include("tok_train.h")
#include "tok_train.h"
#define HAVE_TRAIN 1
#endif

/* LeakSanitizer's entry point, present only in sanitizer builds. */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* No operation here needs more allocations than this; a sweep that gets
 * there means the operation never succeeds. */
#define MAX_ALLOCS 100000

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static const char *data_path(const char *rel)
{
    static char path[4][1024];
    static int next;
    const char *dir = getenv("TOK_TEST_DATA");
    char *p = path[next++ & 3];
    snprintf(p, sizeof path[0], "%s/%s", dir ? dir : "tests/data", rel);
    return p;
}

static const char *vocab_path(const char *name)
{
    static char path[1024];
    const char *dir = getenv("TOK_VOCAB_DIR");
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir ? dir : "vocab",
             name);
    return path;
}

static tok_tokenizer *load(const char *path)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_load(&tk, path, &err) != TOK_OK)
        fail_msg("%s: %s", path, err.message);
    return tk;
}

static void assert_no_leak(void)
{
    if (__lsan_do_recoverable_leak_check)
        assert_int_equal(__lsan_do_recoverable_leak_check(), 0);
}

/* One run of an operation under test.  `prepare` (optional) makes what
 * the run needs, with allocation failure off; `run` returns a TOK_* code;
 * `check` (optional) is called after a failed run, with allocation
 * failure off, to see that the objects the caller keeps are still
 * usable; `release` undoes what a run made, failed or not. */
typedef struct op {
    const char *what;
    void *ctx;
    void (*prepare)(void *ctx);
    int (*run)(void *ctx, tok_error *err);
    void (*check)(void *ctx);
    void (*release)(void *ctx);
} op;

/* Fails allocation 1, 2, ... of op until it succeeds.  Returns how many
 * allocations the successful run made. */
static size_t sweep(const op *o)
{
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        tok_error err;
        memset(&err, 0, sizeof err);
        if (o->prepare)
            o->prepare(o->ctx);
        tok_debug_fail_alloc_after(n);
        int rc = o->run(o->ctx, &err);
        size_t made = tok_debug_fail_alloc_after(0);
        if (rc == TOK_OK) {
            if (made >= n)
                fail_msg("%s: allocation %zu of %zu failed, yet the call "
                         "succeeded", o->what, n, made);
            if (o->release)
                o->release(o->ctx);
            return made;
        }
        if (rc != TOK_ENOMEM || err.code != TOK_ENOMEM ||
            err.message[0] == '\0')
            fail_msg("%s: with allocation %zu failing: code %d (err %d, "
                     "\"%s\"), want TOK_ENOMEM", o->what, n, rc, err.code,
                     err.message);
        if (made < n)
            fail_msg("%s: failed with TOK_ENOMEM but allocation %zu was "
                     "never made", o->what, n);
        if (o->check)
            o->check(o->ctx);
        if (o->release)
            o->release(o->ctx);
    }
    fail_msg("%s: still failing after %d allocations", o->what, MAX_ALLOCS);
    return 0;
}

/* ------------------------------------------------------------------------
 * Loading, importing and saving
 * ------------------------------------------------------------------------ */

typedef struct load_ctx {
    int kind;                 /* 0 tokenizer.json, 1 vocab.txt, 2 GPT-2 */
    const char *path, *path2;
    tok_bert_options bert;
    tok_tokenizer *tk;
} load_ctx;

static int load_run(void *p, tok_error *err)
{
    load_ctx *c = p;
    c->tk = NULL;
    int rc;
    switch (c->kind) {
    case 0:
        rc = tok_tokenizer_load(&c->tk, c->path, err);
        break;
    case 1:
        rc = tok_tokenizer_from_bert_vocab(&c->tk, c->path, &c->bert, err);
        break;
    default:
        rc = tok_tokenizer_from_gpt2_files(&c->tk, c->path, c->path2, NULL,
                                           err);
        break;
    }
    /* A failed load hands back nothing the caller would have to free. */
    if (rc != TOK_OK)
        assert_null(c->tk);
    return rc;
}

static void load_release(void *p)
{
    load_ctx *c = p;
    tok_tokenizer_free(c->tk);
    c->tk = NULL;
}

static void sweep_load(int kind, const char *path, const char *path2,
                       int lowercase)
{
    load_ctx c = {kind, path, path2, TOK_BERT_OPTIONS_INIT, NULL};
    c.bert.lowercase = lowercase;
    op o = {path, &c, NULL, load_run, NULL, load_release};
    sweep(&o);
    assert_no_leak();
}

static void loading_the_shipped_bert_fails_cleanly_at_every_allocation(
    void **state)
{
    (void)state;
    /* bert-base-cased takes the same paths: once is enough. */
    sweep_load(0, vocab_path("bert-base-uncased"), NULL, 0);
}

static void loading_the_shipped_gpt2_fails_cleanly_at_every_allocation(
    void **state)
{
    (void)state;
    sweep_load(0, vocab_path("gpt2"), NULL, 0);
}

static void loading_every_component_fails_cleanly_at_every_allocation(
    void **state)
{
    (void)state;
    static const char *const files[] = {
        "json/all-components.json", "json/wordpiece.json",
        "json/bpe-prefix.json", "json/all-components.hf.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        sweep_load(0, data_path(files[i]), NULL, 0);
}

static void importing_vocab_txt_fails_cleanly_at_every_allocation(
    void **state)
{
    (void)state;
    sweep_load(1, data_path("json/import/bert-base-uncased/vocab.txt"), NULL,
               1);
}

static void importing_gpt2_files_fails_cleanly_at_every_allocation(
    void **state)
{
    (void)state;
    sweep_load(2, data_path("json/import/gpt2/vocab.json"),
               data_path("json/import/gpt2/merges.txt"), 0);
}

/* A vocabulary of n tokens is read with a few growing arrays, not an
 * allocation (and a copy) per token. */
static void importing_a_vocabulary_does_not_allocate_per_token(void **state)
{
    (void)state;
    load_ctx c = {1, data_path("json/import/bert-base-uncased/vocab.txt"),
                  NULL, TOK_BERT_OPTIONS_INIT, NULL};
    tok_error err;
    tok_debug_fail_alloc_after(0);
    assert_int_equal(load_run(&c, &err), TOK_OK);
    size_t made = tok_debug_fail_alloc_after(0);
    assert_true(tok_vocab_size(c.tk) > 30000);
    assert_true(made < 1000);
    load_release(&c);
}

typedef struct save_ctx {
    tok_tokenizer *tk;
    char *json;
    size_t len;
    const char *path;
    const char *dir;
    const char *before;       /* what `path` held before the sweep */
} save_ctx;

static int to_json_run(void *p, tok_error *err)
{
    save_ctx *c = p;
    c->json = NULL;
    return tok_tokenizer_to_json(c->tk, &c->json, &c->len, err);
}

static void to_json_release(void *p)
{
    save_ctx *c = p;
    free(c->json);
    c->json = NULL;
}

static int save_run(void *p, tok_error *err)
{
    save_ctx *c = p;
    return tok_tokenizer_save(c->tk, c->path, err);
}

/* A failed save leaves the previous file whole and nothing else. */
static void save_check(void *p)
{
    save_ctx *c = p;
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(tok_read_file(c->path, &data, &len, NULL), TOK_OK);
    assert_int_equal(len, strlen(c->before));
    assert_memory_equal(data, c->before, len);
    tok_free(data);
    DIR *d = opendir(c->dir);
    assert_non_null(d);
    size_t entries = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 1);
}

static void saving_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    char dir[] = "/tmp/tok-allocfail-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    static const char before[] = "{\"previous\": true}\n";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(before, f);
    assert_int_equal(fclose(f), 0);

    static const char *const files[] = {"json/all-components.json",
                                        "json/wordpiece.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        save_ctx c = {load(data_path(files[i])), NULL, 0, path, dir, before};
        op to_json = {files[i], &c, NULL, to_json_run, NULL, to_json_release};
        sweep(&to_json);
        op save = {files[i], &c, NULL, save_run, save_check, NULL};
        sweep(&save);
        /* The successful save replaced the file; restore it for the next
         * round. */
        f = fopen(path, "wb");
        assert_non_null(f);
        fputs(before, f);
        assert_int_equal(fclose(f), 0);
        tok_tokenizer_free(c.tk);
    }
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_no_leak();
}

/* ------------------------------------------------------------------------
 * Encoding and decoding
 * ------------------------------------------------------------------------ */

static const char *const models[] = {"bert-base-uncased", "bert-base-cased",
                                     "gpt2"};
#define NMODELS (sizeof models / sizeof *models)

/* Texts that take every path of the pipeline: added tokens in the text,
 * accents, CJK, emoji, a word over WordPiece's 100 characters, control
 * characters, invalid UTF-8 (replaced), NUL bytes, nothing at all. */
static const struct {
    const char *s;
    size_t len;
} texts[] = {
#define T(s) {s, sizeof s - 1}
    T("Hello, world! [CLS] <|endoftext|> na\xc3\xafve caf\xc3\xa9 "
      "\xf0\x9f\x98\x80 1234"),
    T("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae text  \t\n "
      "\x01 [MASK]ed"),
    T("pneumonoultramicroscopicsilicovolcanoconiosispneumonoultramicroscopic"
      "silicovolcanoconiosispneumonoultramicroscopicsilicovolcanoconiosis!"),
    T("bad \xff\xfe bytes \xc3 and a\0NUL"),
    T(""),
#undef T
};
#define NTEXTS (sizeof texts / sizeof *texts)

typedef struct enc_ctx {
    const tok_tokenizer *tk;
    size_t a, b;              /* text indexes; b == NTEXTS: no pair */
    tok_encode_options opts;
    tok_encoding *enc;
    /* What the run gives without failures. */
    int32_t *ref_ids;
    tok_offset *ref_off;
    size_t ref_len;
} enc_ctx;

static int enc_do(const enc_ctx *c, tok_encoding *enc, tok_error *err)
{
    if (c->b == NTEXTS)
        return tok_encode(c->tk, texts[c->a].s, texts[c->a].len, &c->opts,
                          enc, err);
    return tok_encode_pair(c->tk, texts[c->a].s, texts[c->a].len,
                           texts[c->b].s, texts[c->b].len, &c->opts, enc,
                           err);
}

static void assert_same_as_ref(const enc_ctx *c, const tok_encoding *enc)
{
    assert_int_equal(tok_encoding_len(enc), c->ref_len);
    if (c->ref_len == 0)
        return;
    assert_memory_equal(tok_encoding_ids(enc), c->ref_ids,
                        c->ref_len * sizeof *c->ref_ids);
    assert_memory_equal(tok_encoding_offsets(enc), c->ref_off,
                        c->ref_len * sizeof *c->ref_off);
}

/* Each run starts from a new encoding, so that each of its first-use
 * allocations is failed in turn. */
static void enc_prepare(void *p)
{
    enc_ctx *c = p;
    c->enc = tok_encoding_new();
    assert_non_null(c->enc);
}

static int enc_run(void *p, tok_error *err)
{
    enc_ctx *c = p;
    int rc = enc_do(c, c->enc, err);
    if (rc == TOK_OK)
        assert_same_as_ref(c, c->enc);
    return rc;
}

/* After a failure the encoding is empty, and encoding again into it gives
 * the right result. */
static void enc_check(void *p)
{
    enc_ctx *c = p;
    assert_int_equal(tok_encoding_len(c->enc), 0);
    tok_error err;
    assert_int_equal(enc_do(c, c->enc, &err), TOK_OK);
    assert_same_as_ref(c, c->enc);
}

static void enc_release(void *p)
{
    enc_ctx *c = p;
    tok_encoding_free(c->enc);
    c->enc = NULL;
}

static void sweep_encode(const tok_tokenizer *tk, const char *model,
                         size_t a, size_t b, tok_encode_options opts)
{
    enc_ctx c = {tk, a, b, opts, NULL, NULL, NULL, 0};
    tok_encoding *ref = tok_encoding_new();
    assert_non_null(ref);
    tok_error err;
    if (enc_do(&c, ref, &err) != TOK_OK)
        fail_msg("%s, text %zu: %s", model, a, err.message);
    c.ref_len = tok_encoding_len(ref);
    c.ref_ids = malloc((c.ref_len + 1) * sizeof *c.ref_ids);
    c.ref_off = malloc((c.ref_len + 1) * sizeof *c.ref_off);
    assert_non_null(c.ref_ids);
    assert_non_null(c.ref_off);
    if (c.ref_len) {
        memcpy(c.ref_ids, tok_encoding_ids(ref),
               c.ref_len * sizeof *c.ref_ids);
        memcpy(c.ref_off, tok_encoding_offsets(ref),
               c.ref_len * sizeof *c.ref_off);
    }
    tok_encoding_free(ref);
    char what[128];
    snprintf(what, sizeof what, "encode %s text %zu%s", model, a,
             b == NTEXTS ? "" : " (pair)");
    op o = {what, &c, enc_prepare, enc_run, enc_check, enc_release};
    sweep(&o);
    free(c.ref_ids);
    free(c.ref_off);
}

/* The options change with the text, so that each model meets each of
 * them: bytes or characters, special tokens matched, taken as text or
 * rejected (no text asks for REJECT but the first, which holds some),
 * with or without the template, invalid UTF-8 replaced. */
static tok_encode_options options_for(size_t i)
{
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.invalid_utf8 = TOK_INVALID_REPLACE;
    o.offsets = i & 1 ? TOK_OFFSETS_CHARS : TOK_OFFSETS_BYTES;
    o.special_in_text = i % 3 == 1 ? TOK_SPECIAL_TEXT : TOK_SPECIAL_MATCH;
    o.add_special_tokens = i % 4 != 2;
    return o;
}

static void encoding_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    for (size_t m = 0; m < NMODELS; m++) {
        tok_tokenizer *tk = load(vocab_path(models[m]));
        for (size_t i = 0; i < NTEXTS; i++)
            sweep_encode(tk, models[m], i, NTEXTS, options_for(i + m));
        tok_tokenizer_free(tk);
        assert_no_leak();
    }
}

static void encoding_a_pair_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    for (size_t m = 0; m < NMODELS; m++) {
        tok_tokenizer *tk = load(vocab_path(models[m]));
        for (size_t i = 0; i < NTEXTS; i++)
            sweep_encode(tk, models[m], i, (i + 1) % NTEXTS,
                         options_for(i + m + 1));
        tok_tokenizer_free(tk);
        assert_no_leak();
    }
}

/* A special token in the text with REJECT is an error of its own, not an
 * allocation failure, whichever allocation fails first. */
static void a_rejected_special_token_is_reported_even_short_of_memory(
    void **state)
{
    (void)state;
    tok_tokenizer *tk = load(vocab_path("bert-base-uncased"));
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.special_in_text = TOK_SPECIAL_REJECT;
    for (size_t n = 1;; n++) {
        tok_encoding *enc = tok_encoding_new();
        assert_non_null(enc);
        tok_error err;
        tok_debug_fail_alloc_after(n);
        int rc = tok_encode(tk, texts[0].s, texts[0].len, &o, enc, &err);
        size_t made = tok_debug_fail_alloc_after(0);
        tok_encoding_free(enc);
        if (rc == TOK_ESPECIAL && made < n)
            break;
        assert_true(rc == TOK_ENOMEM || rc == TOK_ESPECIAL);
        assert_int_equal(err.code, rc);
        assert_true(n < MAX_ALLOCS);
    }
    tok_tokenizer_free(tk);
}

static void a_new_encoding_is_null_when_memory_runs_out(void **state)
{
    (void)state;
    tok_debug_fail_alloc_after(1);
    tok_encoding *enc = tok_encoding_new();
    tok_debug_fail_alloc_after(0);
    assert_null(enc);
    tok_encoding_free(NULL);
}

typedef struct dec_ctx {
    const tok_tokenizer *tk;
    int32_t *ids;
    size_t n;
    tok_decode_options opts;
    tok_buffer buf;
    const char *ref;
    size_t ref_len;
} dec_ctx;

static int dec_run(void *p, tok_error *err)
{
    dec_ctx *c = p;
    int rc = tok_decode(c->tk, c->ids, c->n, &c->opts, &c->buf, err);
    if (rc == TOK_OK) {
        assert_int_equal(c->buf.len, c->ref_len);
        assert_memory_equal(c->buf.data, c->ref, c->ref_len);
    }
    return rc;
}

/* The buffer a failed decode leaves takes the next decode. */
static void dec_check(void *p)
{
    dec_ctx *c = p;
    tok_error err;
    assert_int_equal(tok_decode(c->tk, c->ids, c->n, &c->opts, &c->buf,
                                &err), TOK_OK);
    assert_int_equal(c->buf.len, c->ref_len);
    assert_memory_equal(c->buf.data, c->ref, c->ref_len);
}

static void dec_release(void *p)
{
    dec_ctx *c = p;
    tok_buffer_dispose(&c->buf);
}

static void decoding_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    for (size_t m = 0; m < NMODELS; m++) {
        tok_tokenizer *tk = load(vocab_path(models[m]));
        tok_encoding *enc = tok_encoding_new();
        assert_non_null(enc);
        for (size_t i = 0; i < NTEXTS; i++) {
            tok_error err;
            tok_encode_options eo = options_for(i);
            eo.add_special_tokens = 1;
            assert_int_equal(tok_encode(tk, texts[i].s, texts[i].len, &eo,
                                        enc, &err), TOK_OK);
            for (int skip = 0; skip < 2; skip++) {
                dec_ctx c = {tk, (int32_t *)tok_encoding_ids(enc),
                             tok_encoding_len(enc), {skip},
                             TOK_BUFFER_INIT, NULL, 0};
                tok_buffer ref = TOK_BUFFER_INIT;
                assert_int_equal(tok_decode(tk, c.ids, c.n, &c.opts, &ref,
                                            &err), TOK_OK);
                c.ref = ref.data ? ref.data : "";
                c.ref_len = ref.len;
                char what[128];
                snprintf(what, sizeof what, "decode %s text %zu skip %d",
                         models[m], i, skip);
                op o = {what, &c, NULL, dec_run, dec_check, dec_release};
                sweep(&o);
                tok_buffer_dispose(&ref);
            }
        }
        tok_encoding_free(enc);
        tok_tokenizer_free(tk);
        assert_no_leak();
    }
}

/* ------------------------------------------------------------------------
 * Training
 * ------------------------------------------------------------------------ */

#ifdef HAVE_TRAIN
typedef struct train_ctx {
    const char *files[1];
    tok_train_options opts;
    tok_tokenizer *tk;
    tok_word_counts *wc;
    const char *counts_path;
    char *ref;                /* tokenizer.json trained without failures */
    size_t ref_len;
} train_ctx;

static int train_run(void *p, tok_error *err)
{
    train_ctx *c = p;
    c->tk = NULL;
    int rc = tok_train_files(&c->tk, c->files, 1, &c->opts, err);
    if (rc != TOK_OK)
        assert_null(c->tk);
    return rc;
}

/* Called with failures off: what succeeded is what training gives
 * without failures. */
static void train_release(void *p)
{
    train_ctx *c = p;
    if (c->tk) {
        char *json = NULL;
        size_t len = 0;
        tok_error err;
        assert_int_equal(tok_tokenizer_to_json(c->tk, &json, &len, &err),
                         TOK_OK);
        assert_int_equal(len, c->ref_len);
        assert_memory_equal(json, c->ref, len);
        free(json);
    }
    tok_tokenizer_free(c->tk);
    c->tk = NULL;
}

/* Counting, saving and loading word counts, and training from them, each
 * with its own failures. */
static int counts_run(void *p, tok_error *err)
{
    train_ctx *c = p;
    c->wc = NULL;
    int rc = tok_word_counts_new(&c->wc);
    if (rc != TOK_OK)
        return tok_error_set(err, rc, "out of memory");
    rc = tok_word_counts_add_files(c->wc, c->files, 1, &c->opts, err);
    if (rc == TOK_OK)
        rc = tok_word_counts_save(c->wc, c->counts_path, err);
    if (rc == TOK_OK) {
        tok_word_counts_free(c->wc);
        c->wc = NULL;
        rc = tok_word_counts_new(&c->wc);
        if (rc != TOK_OK)
            return tok_error_set(err, rc, "out of memory");
        rc = tok_word_counts_load(c->wc, c->counts_path, err);
    }
    if (rc == TOK_OK) {
        rc = tok_train(&c->tk, c->wc, &c->opts, err);
        if (rc != TOK_OK)
            assert_null(c->tk);
    }
    return rc;
}

static void counts_release(void *p)
{
    train_ctx *c = p;
    tok_word_counts_free(c->wc);
    c->wc = NULL;
    train_release(c);
}

/* The first lines of the training corpus, in a file of their own. */
static const char *small_corpus(char *dir, size_t lines)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/corpus.txt", dir);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(tok_read_file(data_path("train/corpus.txt"), &data, &len,
                                   NULL), TOK_OK);
    size_t end = 0;
    for (size_t n = 0; end < len && n < lines; end++)
        n += data[end] == '\n';
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, end, f), end);
    assert_int_equal(fclose(f), 0);
    tok_free(data);
    return path;
}

static void training_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    char dir[] = "/tmp/tok-allocfail-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char counts[64];
    snprintf(counts, sizeof counts, "%s/counts.txt", dir);
    static const char *const specials[] = {"[UNK]", "[CLS]", "[SEP]"};
    for (int model = 0; model < 3; model++) {
        for (unsigned threads = 1; threads <= 2; threads++) {
            train_ctx c;
            memset(&c, 0, sizeof c);
            c.files[0] = small_corpus(dir, 150);
            c.counts_path = counts;
            c.opts = (tok_train_options)TOK_TRAIN_OPTIONS_INIT;
            c.opts.model = (tok_train_model)model;
            c.opts.vocab_size = 400;
            c.opts.threads = threads;
            c.opts.special_tokens = specials;
            c.opts.nspecial_tokens = model == 2 ? 3 : 1;
            c.opts.end_of_word_suffix = model == 0 ? "</w>" : NULL;
            tok_error err;
            tok_tokenizer *ref = NULL;
            if (tok_train_files(&ref, c.files, 1, &c.opts, &err) != TOK_OK)
                fail_msg("%s", err.message);
            assert_int_equal(tok_tokenizer_to_json(ref, &c.ref, &c.ref_len,
                                                   &err), TOK_OK);
            tok_tokenizer_free(ref);
            char what[64];
            snprintf(what, sizeof what, "train model %d, %u threads", model,
                     threads);
            op train = {what, &c, NULL, train_run, NULL, train_release};
            sweep(&train);
            if (threads == 1) {
                snprintf(what, sizeof what, "word counts, model %d", model);
                op wc = {what, &c, NULL, counts_run, NULL, counts_release};
                sweep(&wc);
            }
            free(c.ref);
            assert_no_leak();
        }
    }
    unlink(counts);
    unlink(small_corpus(dir, 0));
    assert_int_equal(rmdir(dir), 0);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            loading_the_shipped_bert_fails_cleanly_at_every_allocation),
        cmocka_unit_test(
            loading_the_shipped_gpt2_fails_cleanly_at_every_allocation),
        cmocka_unit_test(
            loading_every_component_fails_cleanly_at_every_allocation),
        cmocka_unit_test(
            importing_vocab_txt_fails_cleanly_at_every_allocation),
        cmocka_unit_test(
            importing_gpt2_files_fails_cleanly_at_every_allocation),
        cmocka_unit_test(importing_a_vocabulary_does_not_allocate_per_token),
        cmocka_unit_test(saving_fails_cleanly_at_every_allocation),
        cmocka_unit_test(encoding_fails_cleanly_at_every_allocation),
        cmocka_unit_test(encoding_a_pair_fails_cleanly_at_every_allocation),
        cmocka_unit_test(
            a_rejected_special_token_is_reported_even_short_of_memory),
        cmocka_unit_test(a_new_encoding_is_null_when_memory_runs_out),
        cmocka_unit_test(decoding_fails_cleanly_at_every_allocation),
#ifdef HAVE_TRAIN
        cmocka_unit_test(training_fails_cleanly_at_every_allocation),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
