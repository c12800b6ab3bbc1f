/* reliability: hostile and broken inputs -- JSON nested 100000 deep,
 * vocabulary files cut anywhere, ids past the vocabulary, NUL bytes and
 * invalid UTF-8 in text and corpora -- fail with an error or succeed, and
 * never crash; files are written whole or not at all, even when the
 * writer is killed or the disk is full.  Inputs the fuzzers found have a
 * test here, named after the corpus file that holds them. */
/* mknod and makedev, to make a device node of the test's own. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"
#include "tok_train.h"
#include "tokenizer.h"

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

static tok_tokenizer *from_json(const char *json)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        fail_msg("%s", err.message);
    return tk;
}

static char *read_whole(const char *path, size_t *len)
{
    char *data = NULL;
    tok_error err;
    if (tok_read_file(path, &data, len, &err) != TOK_OK)
        fail_msg("%s", err.message);
    return data;
}

static void write_whole(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tok-adversarial-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Every file a test leaves in the directory, removed. */
static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (!d)
        return -1;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return rmdir(tmpdir);
}

static const char *tmp_path(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ & 3];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    return p;
}

/* The names in the temporary directory, sorted, space-separated. */
static const char *dir_listing(void)
{
    static char list[1024];
    struct dirent **names;
    int n = scandir(tmpdir, &names, NULL, alphasort);
    assert_true(n >= 0);
    list[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' || strlen(names[i]->d_name) > 2) {
            if (list[0])
                strncat(list, " ", sizeof list - strlen(list) - 1);
            strncat(list, names[i]->d_name, sizeof list - strlen(list) - 1);
        }
        free(names[i]);
    }
    free(names);
    return list;
}

static void assert_file_is(const char *path, const char *want);

static void encode_ok(const tok_tokenizer *tk, const char *text, size_t len,
                      const tok_encode_options *o, tok_encoding *enc)
{
    tok_error err;
    if (tok_encode(tk, text, len, o, enc, &err) != TOK_OK)
        fail_msg("%s", err.message);
}

/* ------------------------------------------------------------------------
 * Inputs the fuzzers found
 * ------------------------------------------------------------------------ */

/* fuzz/corpus/fuzz_load_json/bpe-unknown-word-without-unk-token.json: a
 * BPE without unk_token drops unknown characters, as Hugging Face does; a
 * word made only of them left no piece, and the model did arithmetic on a
 * NULL array (undefined behaviour that UBSan reports). */
static void bpe_unknown_word_without_unk_token_gives_no_tokens(void **state)
{
    (void)state;
    tok_tokenizer *tk = from_json(
        "{\"version\": \"1.0\", \"added_tokens\": [],"
        " \"normalizer\": null,"
        " \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
        " \"post_processor\": null, \"decoder\": null,"
        " \"model\": {\"type\": \"BPE\", \"unk_token\": null,"
        "  \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2},"
        "  \"merges\": [\"a b\"]}}");
    tok_encoding *enc = tok_encoding_new();
    assert_non_null(enc);
    encode_ok(tk, "xyz", 3, NULL, enc);
    assert_int_equal(tok_encoding_len(enc), 0);
    encode_ok(tk, "xyz ab zz b", 11, NULL, enc);
    assert_int_equal(tok_encoding_len(enc), 2);
    assert_int_equal(tok_encoding_ids(enc)[0], 2);
    assert_int_equal(tok_encoding_ids(enc)[1], 1);
    assert_int_equal(tok_encoding_offsets(enc)[1].start, 10);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

/* fuzz/corpus/fuzz_train/fresh-encoding-word-without-pieces-cache and
 * -offsets: a fresh encoding whose first word leaves no piece has no
 * piece storage yet, and the word cache, the offset mapping and
 * truncation's window copy did arithmetic on that NULL (clang's UBSan:
 * "applying zero offset to null pointer").  Every path, each on a fresh
 * encoding: the general path and the lane, the cache miss and then the
 * hit, truncation, a pair. */
static void a_fresh_encoding_whose_words_leave_no_piece_is_empty(void **s)
{
    (void)s;
    static const char *const pretoks[] = {
        "{\"type\": \"Whitespace\"}",
        "{\"type\": \"ByteLevel\", \"add_prefix_space\": false,"
        " \"trim_offsets\": false, \"use_regex\": true}",
    };
    for (size_t k = 0; k < 2; k++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"version\": \"1.0\", \"added_tokens\": [],"
                 " \"pre_tokenizer\": %s,"
                 " \"model\": {\"type\": \"BPE\", \"unk_token\": null,"
                 "  \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2},"
                 "  \"merges\": [\"a b\"]}}",
                 pretoks[k]);
        tok_tokenizer *tk = from_json(json);
        tok_encode_options trunc = TOK_ENCODE_OPTIONS_INIT;
        trunc.truncate = TOK_SETTING_ON;
        trunc.truncation.max_length = 1;
        const tok_encode_options *opts[] = {NULL, &trunc};
        for (size_t o = 0; o < 2; o++) {
            for (int round = 0; round < 2; round++) {
                tok_encoding *enc = tok_encoding_new();
                assert_non_null(enc);
                encode_ok(tk, "xyz", 3, opts[o], enc);
                assert_int_equal(tok_encoding_len(enc), 0);
                tok_error err;
                assert_int_equal(tok_encode_pair(tk, "xyz", 3, "", 0,
                                                 opts[o], enc, &err),
                                 TOK_OK);
                assert_int_equal(tok_encoding_len(enc), 0);
                tok_encoding_free(enc);
            }
        }
        tok_tokenizer_free(tk);
    }
}

/* fuzz/corpus/fuzz_load_json/template-token-outside-the-vocabulary.json:
 * the template adds [CLS] as id 1 and [SEP] as id 2, ids neither the
 * vocabulary nor the added tokens hold (those got other ids), and the
 * encoding had no string for them; -past-the-vocabulary.json: a template
 * id past every other, which tok_vocab_size left out.  Hugging Face shows the template's
 * strings; decoding writes them too, as special tokens; an id the
 * vocabulary skips is an error that says so. */
static void a_template_token_outside_the_vocabulary_has_its_string(void **s)
{
    (void)s;
    tok_tokenizer *tk = from_json(
        "{\"version\": \"1.0\", \"added_tokens\": [],"
        " \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
        " \"post_processor\": {\"type\": \"TemplateProcessing\","
        "  \"single\": ["
        "   {\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}},"
        "   {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
        "   {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}],"
        "  \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
        "   {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
        "  \"special_tokens\": {"
        "   \"[CLS]\": {\"id\": \"[CLS]\", \"ids\": [1],"
        "             \"tokens\": [\"[CLS]\"]},"
        "   \"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [9],"
        "             \"tokens\": [\"[SEP]\"]}}},"
        " \"decoder\": {\"type\": \"WordPiece\", \"prefix\": \"##\","
        "  \"cleanup\": true},"
        " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\","
        "  \"continuing_subword_prefix\": \"##\","
        "  \"max_input_chars_per_word\": 100,"
        "  \"vocab\": {\"[UNK]\": 0, \"!\": 5, \"h\": 6, \"##i\": 7}}}");
    tok_encoding *enc = tok_encoding_new();
    assert_non_null(enc);
    encode_ok(tk, "hi!", 3, NULL, enc);
    assert_int_equal(tok_encoding_len(enc), 5);
    static const char *const want[] = {"[CLS]", "h", "##i", "!", "[SEP]"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(tok_encoding_token(enc, i), want[i]);
        assert_int_equal(tok_encoding_token_len(enc, i), strlen(want[i]));
    }
    assert_int_equal(tok_encoding_ids(enc)[0], 1);
    assert_int_equal(tok_encoding_ids(enc)[4], 9);
    /* The template's 9 is past the vocabulary's 7: ids run to 9. */
    assert_int_equal(tok_vocab_size(tk), 10);
    tok_buffer out = TOK_BUFFER_INIT;
    tok_error err;
    assert_int_equal(tok_decode(tk, tok_encoding_ids(enc), 5, NULL, &out,
                                &err),
                     TOK_OK);
    assert_string_equal(out.data, "[CLS] hi! [SEP]");
    tok_decode_options skip = TOK_DECODE_OPTIONS_INIT;
    skip.skip_special_tokens = 1;
    assert_int_equal(tok_decode(tk, tok_encoding_ids(enc), 5, &skip, &out,
                                &err),
                     TOK_OK);
    assert_string_equal(out.data, "hi!");
    static const int32_t gap[] = {6, 3};
    assert_int_equal(tok_decode(tk, gap, 2, NULL, &out, &err), TOK_ERANGE);
    assert_int_equal(err.offset, 1);
    assert_non_null(strstr(err.message, "id 3 has no token"));
    tok_buffer_dispose(&out);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

/* fuzz/corpus/fuzz_import_bert/vocab-txt-token-with-nul: vocab.txt took a
 * line holding a NUL byte as a token, and the tokenizer it made was saved
 * as a tokenizer.json that the reader refuses (cJSON strings end at
 * U+0000).  The importer now says so itself. */
static void vocab_txt_token_with_nul_is_rejected(void **state)
{
    (void)state;
    static const char txt[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nab\0cd\n";
    write_whole(tmp_path("vocab.txt"), txt, sizeof txt - 1);
    tok_tokenizer *tk = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(tok_tokenizer_from_bert_vocab(&tk, tmp_path("vocab.txt"),
                                                   NULL, &err),
                     TOK_EUNSUPPORTED);
    assert_null(tk);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.offset, 26);
}

/* fuzz/corpus/fuzz_load_json/raw-control-characters.json, met while
 * looking at the finding above: cJSON takes raw control characters in
 * strings and between values, and ends a string at a raw NUL, so
 * {"x\0y": 5} loaded as the token "x".  JSON (and Hugging Face) reject
 * them; so does tok now, naming the place. */
static void raw_control_characters_in_json_are_rejected(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"version\": \"1.0\", \"added_tokens\": [], \"model\": "
        "{\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
        "\"vocab\": {\"[UNK]\": 0, \"x\0y\": 1}}}",
        "{\"version\": \"1.0\", \"added_tokens\": [], \"model\": "
        "{\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
        "\"vocab\": {\"[UNK]\": 0, \"x\ty\": 1}}}",
        "{\"version\": \"1.0\",\x01 \"added_tokens\": []}",
    };
    static const size_t lens[] = {125, 125, 39};
    static const size_t at[] = {116, 116, 18};
    for (size_t i = 0; i < 3; i++) {
        tok_tokenizer *tk = NULL;
        tok_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(tok_tokenizer_from_json(&tk, docs[i], lens[i], &err),
                         TOK_EFORMAT);
        assert_null(tk);
        assert_int_equal(err.offset, at[i]);
    }
    /* vocab.json is read by the same parser. */
    static const char vjson[] = "{\"a\\u0000\": 0, \"b\0c\": 1}";
    write_whole(tmp_path("vocab.json"), vjson, sizeof vjson - 1);
    write_whole(tmp_path("merges.txt"), "", 0);
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(
                         &tk, tmp_path("vocab.json"), tmp_path("merges.txt"),
                         NULL, &err), TOK_EFORMAT);
    assert_int_equal(err.offset, 17);
}

/* fuzz/corpus/fuzz_import_gpt2/bpe-cached-word-without-pieces: the same
 * word again, when the encoder's own cache has lost it to another word,
 * comes from the BPE model's cache, which did the same arithmetic on an
 * empty result.  The model is called directly, as the encoder does on a
 * miss. */
static void bpe_cached_word_without_pieces_gives_no_tokens(void **state)
{
    (void)state;
    tok_tokenizer *tk = from_json(
        "{\"version\": \"1.0\", \"added_tokens\": [],"
        " \"model\": {\"type\": \"BPE\", \"unk_token\": null,"
        "  \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2},"
        "  \"merges\": [\"a b\"]}}");
    const tok_model *m = tk->model;
    void *scratch = m->ops->scratch_new(m);
    assert_non_null(scratch);
    for (int round = 0; round < 2; round++) {
        tok_pieces out = {NULL, 0, 0};
        assert_int_equal(m->ops->tokenize(m, scratch, "xyz", 3, &out),
                         TOK_OK);
        assert_int_equal(out.len, 0);
        tok_free(out.v);
    }
    /* Hugging Face counts offsets over the characters it keeps, so "ab"
     * starts at 0 in "xaby". */
    tok_pieces out = {NULL, 0, 0};
    assert_int_equal(m->ops->tokenize(m, scratch, "xaby", 4, &out), TOK_OK);
    assert_int_equal(out.len, 1);
    assert_int_equal(out.v[0].id, 2);
    assert_int_equal(out.v[0].start, 0);
    assert_int_equal(out.v[0].end, 2);
    tok_free(out.v);
    m->ops->scratch_free(scratch);
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * JSON nested 100000 deep
 * ------------------------------------------------------------------------ */

#define DEEP 100000

/* prefix, then `open` DEEP times, `middle`, `close` DEEP times, suffix. */
static char *nested(const char *prefix, const char *open, const char *middle,
                    const char *close, const char *suffix)
{
    size_t lo = strlen(open), lc = strlen(close);
    size_t n = strlen(prefix) + DEEP * (lo + lc) + strlen(middle) +
               strlen(suffix);
    char *s = malloc(n + 1), *p = s;
    assert_non_null(s);
    p += sprintf(p, "%s", prefix);
    for (size_t i = 0; i < DEEP; i++, p += lo)
        memcpy(p, open, lo);
    p += sprintf(p, "%s", middle);
    for (size_t i = 0; i < DEEP; i++, p += lc)
        memcpy(p, close, lc);
    sprintf(p, "%s", suffix);
    return s;
}

static void assert_rejected_json(char *json)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(tok_tokenizer_from_json(&tk, json, strlen(json), &err),
                     TOK_EFORMAT);
    assert_null(tk);
    assert_int_equal(err.code, TOK_EFORMAT);
    assert_true(err.message[0] != '\0');
    free(json);
}

static void json_nested_100000_deep_is_rejected_without_a_crash(
    void **state)
{
    (void)state;
    assert_rejected_json(nested("", "[", "", "]", ""));
    assert_rejected_json(nested("", "{\"a\":", "1", "}", ""));
    assert_rejected_json(nested("", "[", "", "", ""));
    assert_rejected_json(nested("{\"model\": ", "[", "", "]", "}"));
    /* Deep where a stage is read, and deep in the stages themselves. */
    assert_rejected_json(nested(
        "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": ",
        "{\"type\": \"Sequence\", \"normalizers\": [", "{\"type\": \"NFC\"}",
        "]}", ", \"model\": {\"type\": \"WordPiece\", \"vocab\": "
        "{\"[UNK]\": 0}}}"));
    assert_rejected_json(nested(
        "{\"version\": \"1.0\", \"added_tokens\": [], \"decoder\": ",
        "{\"type\": \"Sequence\", \"decoders\": [", "", "]}",
        ", \"model\": {\"type\": \"WordPiece\", \"vocab\": "
        "{\"[UNK]\": 0}}}"));
}

/* Nesting that is deep but not absurd: the stages run Sequences
 * recursively, so the reader puts a bound on them. */
static void sequences_nested_past_the_reader_bound_are_rejected(
    void **state)
{
    (void)state;
    char json[16384], *p = json;
    p += sprintf(p, "{\"version\": \"1.0\", \"added_tokens\": [], "
                    "\"pre_tokenizer\": ");
    for (int i = 0; i < 100; i++)
        p += sprintf(p, "{\"type\": \"Sequence\", \"pretokenizers\": [");
    p += sprintf(p, "{\"type\": \"Whitespace\"}");
    for (int i = 0; i < 100; i++)
        p += sprintf(p, "]}");
    sprintf(p, ", \"model\": {\"type\": \"WordPiece\", \"vocab\": "
               "{\"[UNK]\": 0}}}");
    assert_rejected_json(strdup(json));
}

static void a_vocab_json_nested_100000_deep_is_rejected(void **state)
{
    (void)state;
    char *deep = nested("{\"a\": ", "[", "", "]", "}");
    write_whole(tmp_path("vocab.json"), deep, strlen(deep));
    free(deep);
    write_whole(tmp_path("merges.txt"), "", 0);
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(
                         &tk, tmp_path("vocab.json"), tmp_path("merges.txt"),
                         NULL, &err), TOK_EFORMAT);
    assert_null(tk);
}

/* ------------------------------------------------------------------------
 * Vocabulary files cut at every kth byte
 * ------------------------------------------------------------------------ */

static void assert_usable(const tok_tokenizer *tk)
{
    tok_encoding *enc = tok_encoding_new();
    assert_non_null(enc);
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.invalid_utf8 = TOK_INVALID_REPLACE;
    tok_error err;
    static const char text[] = "Hello, world! The quick brown fox.";
    int rc = tok_encode(tk, text, sizeof text - 1, &o, enc, &err);
    /* A WordPiece whose unk token was cut off fails when a word needs
     * it, as Hugging Face's does. */
    if (rc != TOK_OK)
        assert_int_equal(rc, TOK_EFORMAT);
    for (size_t i = 0; i < tok_encoding_len(enc); i++)
        assert_true((size_t)tok_encoding_ids(enc)[i] < tok_vocab_size(tk));
    tok_encoding_free(enc);
}

/* A tokenizer.json cut short is never a whole JSON document. */
static void check_json_cuts(const char *path, size_t k)
{
    size_t len;
    char *json = read_whole(path, &len);
    size_t cuts = 0;
    for (size_t cut = k; cut < len; cut += k, cuts++) {
        tok_tokenizer *tk = NULL;
        tok_error err;
        int rc = tok_tokenizer_from_json(&tk, json, cut, &err);
        if (rc != TOK_EFORMAT)
            fail_msg("%s cut at %zu: %d %s", path, cut, rc, err.message);
        assert_null(tk);
    }
    assert_true(cuts >= 8);
    tok_free(json);
}

static void tokenizer_json_cut_at_every_kth_byte_is_rejected(void **state)
{
    (void)state;
    check_json_cuts(vocab_path("bert-base-uncased"), 15013);
    check_json_cuts(vocab_path("gpt2"), 251003);
    check_json_cuts(data_path("json/all-components.json"), 97);
}

static void vocab_txt_cut_at_every_kth_byte_loads_or_is_rejected(
    void **state)
{
    (void)state;
    size_t len;
    char *txt = read_whole(data_path("json/import/bert-base-uncased/"
                                     "vocab.txt"), &len);
    const char *path = tmp_path("vocab.txt");
    size_t loaded = 0, rejected = 0;
    for (size_t cut = 1; cut < len; cut += 1709) {
        write_whole(path, txt, cut);
        tok_tokenizer *tk = NULL;
        tok_error err;
        int rc = tok_tokenizer_from_bert_vocab(&tk, path, NULL, &err);
        if (rc == TOK_OK) {
            /* Every whole line is a token; a cut one is one too. */
            assert_true(tok_vocab_size(tk) >= 103);
            assert_usable(tk);
            tok_tokenizer_free(tk);
            loaded++;
        } else {
            if (rc != TOK_EFORMAT)
                fail_msg("cut at %zu: %d %s", cut, rc, err.message);
            assert_null(tk);
            rejected++;
        }
    }
    /* Early cuts lack [UNK] or [CLS]; cuts inside a character are not
     * UTF-8; the rest load. */
    assert_true(loaded > 50);
    assert_true(rejected > 0);
    tok_free(txt);
}

static void gpt2_files_cut_at_every_kth_byte_load_or_are_rejected(
    void **state)
{
    (void)state;
    size_t vlen, mlen;
    char *vjson = read_whole(data_path("json/import/gpt2/vocab.json"), &vlen);
    char *merges = read_whole(data_path("json/import/gpt2/merges.txt"),
                              &mlen);
    const char *vpath = tmp_path("vocab.json");
    const char *mpath = tmp_path("merges.txt");
    /* vocab.json cut: never a whole document. */
    write_whole(mpath, merges, mlen);
    for (size_t cut = 1; cut < vlen; cut += 104729) {
        write_whole(vpath, vjson, cut);
        tok_tokenizer *tk = NULL;
        tok_error err;
        int rc = tok_tokenizer_from_gpt2_files(&tk, vpath, mpath, NULL, &err);
        if (rc != TOK_EFORMAT)
            fail_msg("vocab.json cut at %zu: %d %s", cut, rc, err.message);
        assert_null(tk);
    }
    /* merges.txt cut: fewer merges, or a last merge cut in two. */
    write_whole(vpath, vjson, vlen);
    size_t loaded = 0;
    for (size_t cut = 1; cut < mlen; cut += 45631) {
        write_whole(mpath, merges, cut);
        tok_tokenizer *tk = NULL;
        tok_error err;
        int rc = tok_tokenizer_from_gpt2_files(&tk, vpath, mpath, NULL, &err);
        if (rc == TOK_OK) {
            assert_usable(tk);
            tok_tokenizer_free(tk);
            loaded++;
        } else {
            if (rc != TOK_EFORMAT)
                fail_msg("merges.txt cut at %zu: %d %s", cut, rc,
                         err.message);
            assert_null(tk);
        }
    }
    assert_true(loaded > 0);
    tok_free(vjson);
    tok_free(merges);
}

/* ------------------------------------------------------------------------
 * Ids at and past the vocabulary size
 * ------------------------------------------------------------------------ */

static void ids_at_and_past_the_vocabulary_size_are_out_of_range(
    void **state)
{
    (void)state;
    static const char *const models[] = {"bert-base-uncased", "gpt2"};
    for (size_t m = 0; m < 2; m++) {
        tok_tokenizer *tk = load(vocab_path(models[m]));
        int32_t size = (int32_t)tok_vocab_size(tk);
        tok_buffer out = TOK_BUFFER_INIT;
        tok_error err;
        int32_t last[] = {size - 1};
        assert_int_equal(tok_decode(tk, last, 1, NULL, &out, &err), TOK_OK);
        assert_non_null(tok_id_to_token(tk, size - 1));
        const int32_t bad[] = {size, size + 1, INT32_MAX, -1, INT32_MIN};
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            int32_t ids[] = {5, 6, bad[i], 7};
            memset(&err, 0, sizeof err);
            assert_int_equal(tok_decode(tk, ids, 4, NULL, &out, &err),
                             TOK_ERANGE);
            assert_int_equal(err.code, TOK_ERANGE);
            assert_int_equal(err.offset, 2);
            tok_decode_options skip = {1};
            assert_int_equal(tok_decode(tk, ids, 4, &skip, &out, &err),
                             TOK_ERANGE);
            assert_null(tok_id_to_token(tk, bad[i]));
            assert_false(tok_id_is_special(tk, bad[i]));
        }
        tok_buffer_dispose(&out);
        tok_tokenizer_free(tk);
    }
}

/* ------------------------------------------------------------------------
 * NUL bytes and invalid UTF-8 in text
 * ------------------------------------------------------------------------ */

/* BERT deletes U+0000 like other control characters, joining the text
 * around it; byte-level BPE keeps it as the byte it is. */
static void nul_bytes_are_text(void **state)
{
    (void)state;
    static const char with[] = "null\0byte \0\0 end\0";
    static const char without[] = "nullbyte   end";
    tok_encoding *a = tok_encoding_new(), *b = tok_encoding_new();
    assert_non_null(a);
    assert_non_null(b);

    tok_tokenizer *bert = load(vocab_path("bert-base-uncased"));
    encode_ok(bert, with, sizeof with - 1, NULL, a);
    encode_ok(bert, without, sizeof without - 1, NULL, b);
    assert_int_equal(tok_encoding_len(a), tok_encoding_len(b));
    assert_memory_equal(tok_encoding_ids(a), tok_encoding_ids(b),
                        tok_encoding_len(a) * sizeof(int32_t));
    /* "byte" starts after the NUL, at byte 5 of the input. */
    assert_int_equal(tok_encoding_offsets(a)[2].start, 5);
    tok_tokenizer_free(bert);

    tok_tokenizer *gpt2 = load(vocab_path("gpt2"));
    encode_ok(gpt2, with, sizeof with - 1, NULL, a);
    tok_buffer out = TOK_BUFFER_INIT;
    tok_error err;
    assert_int_equal(tok_decode(gpt2, tok_encoding_ids(a),
                                tok_encoding_len(a), NULL, &out, &err),
                     TOK_OK);
    assert_int_equal(out.len, sizeof with - 1);
    assert_memory_equal(out.data, with, sizeof with - 1);
    tok_buffer_dispose(&out);
    tok_tokenizer_free(gpt2);
    tok_encoding_free(a);
    tok_encoding_free(b);
}

static void invalid_utf8_is_reported_at_its_byte_or_replaced(void **state)
{
    (void)state;
    tok_tokenizer *tk = load(vocab_path("bert-base-uncased"));
    tok_encoding *enc = tok_encoding_new();
    assert_non_null(enc);
    /* Lone continuation, overlong, surrogate, past U+10FFFF, cut short. */
    static const char *const bad[] = {
        "ok \x80", "ok \xc0\xaf", "ok \xed\xa0\x80", "ok \xf4\x90\x80\x80",
        "ok \xe2\x82"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tok_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(tok_encode(tk, bad[i], strlen(bad[i]), NULL, enc,
                                    &err), TOK_EUTF8);
        assert_int_equal(err.offset, 3);
        assert_int_equal(tok_encoding_len(enc), 0);
        tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
        o.invalid_utf8 = TOK_INVALID_REPLACE;
        encode_ok(tk, bad[i], strlen(bad[i]), &o, enc);
        /* [CLS] ok <U+FFFD, deleted by BERT> [SEP] */
        assert_int_equal(tok_encoding_len(enc), 3);
    }
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * Training on hostile corpora
 * ------------------------------------------------------------------------ */

static void a_corpus_where_every_line_is_invalid_utf8_is_rejected(
    void **state)
{
    (void)state;
    const char *path = tmp_path("corpus.txt");
    static const char corpus[] = "\xff\xfe\n\x80 abc\nabc \xc3\n\xed\xa0\x80";
    write_whole(path, corpus, sizeof corpus - 1);
    for (int model = 0; model < 3; model++) {
        tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
        o.model = (tok_train_model)model;
        o.vocab_size = 1000;
        o.threads = 1;
        tok_tokenizer *tk = NULL;
        tok_error err;
        memset(&err, 0, sizeof err);
        const char *files[] = {path};
        assert_int_equal(tok_train_files(&tk, files, 1, &o, &err),
                         TOK_EUTF8);
        assert_null(tk);
        assert_int_equal(err.line, 1);
        assert_int_equal(err.offset, 0);
    }
}

/* fuzz/corpus/fuzz_train/corpus-with-nul: trained on text holding NUL
 * bytes, with a pipeline that keeps them, the vocabulary holds U+0000,
 * and the tokenizer.json written for it did not load (the reader refuses
 * U+0000).  Saving now fails instead and leaves the old file; a pipeline
 * that drops NUL (BERT's) saves as before. */
static void training_on_nul_bytes_writes_nothing_tok_cannot_read(
    void **state)
{
    (void)state;
    const char *corpus = tmp_path("corpus.txt");
    static const char text[] = "a\0b a\0b\nlow lower\n";
    write_whole(corpus, text, sizeof text - 1);
    const char *out = tmp_path("out.json");
    write_whole(out, "old\n", 4);
    const char *files[] = {corpus};
    for (int model = 0; model < 3; model++) {
        tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
        o.model = (tok_train_model)model;
        o.vocab_size = 100;
        o.threads = 1;
        tok_tokenizer *tk = NULL;
        tok_error err;
        assert_int_equal(tok_train_files(&tk, files, 1, &o, &err), TOK_OK);
        int rc = tok_tokenizer_save(tk, out, &err);
        if (model == TOK_TRAIN_BPE) {
            /* Whitespace splitting keeps "a\0b" a word. */
            assert_int_equal(rc, TOK_EUNSUPPORTED);
            assert_non_null(strstr(err.message, "out.json"));
            assert_file_is(out, "old\n");
        } else {
            /* Byte-level maps NUL to a letter; BERT deletes it. */
            assert_int_equal(rc, TOK_OK);
            tok_tokenizer_free(tk);
            tk = load(out);
        }
        tok_tokenizer_free(tk);
    }
    assert_string_equal(dir_listing(), "corpus.txt out.json");
}

/* ------------------------------------------------------------------------
 * Writing files whole or not at all
 * ------------------------------------------------------------------------ */

static void assert_file_is(const char *path, const char *want)
{
    size_t len;
    char *data = read_whole(path, &len);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
    tok_free(data);
}

static void a_written_file_replaces_the_old_one_and_nothing_is_left_beside(
    void **state)
{
    (void)state;
    const char *path = tmp_path("out.json");
    write_whole(path, "old\n", 4);
    assert_int_equal(chmod(path, 0640), 0);
    tok_error err;
    assert_int_equal(tok_write_file_atomic(path, "new\n", 4, &err), TOK_OK);
    assert_file_is(path, "new\n");
    assert_string_equal(dir_listing(), "out.json");
    /* The replaced file keeps its permissions. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* An empty file is a file too. */
    assert_int_equal(tok_write_file_atomic(path, "", 0, &err), TOK_OK);
    assert_file_is(path, "");
    assert_int_equal(unlink(path), 0);
}

/* Through a symbolic link the file it names is rewritten; the link
 * stays. */
static void a_symlink_keeps_pointing_at_the_rewritten_file(void **state)
{
    (void)state;
    const char *target = tmp_path("real.json");
    const char *link = tmp_path("link.json");
    write_whole(target, "old\n", 4);
    assert_int_equal(symlink("real.json", link), 0);
    tok_error err;
    assert_int_equal(tok_write_file_atomic(link, "new\n", 4, &err), TOK_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_file_is(target, "new\n");
    assert_string_equal(dir_listing(), "link.json real.json");
    unlink(link);
    unlink(target);
}

/* /dev/full is a device: written in place (never renamed over, which as
 * root would replace the device), and its "disk full" is an error.  When
 * it can, the test makes a node of its own for the same device, so that
 * a regression run as root cannot clobber the system's /dev/full. */
static void writing_to_a_full_device_is_an_error(void **state)
{
    (void)state;
    const char *full = tmp_path("full");
    if (mknod(full, S_IFCHR | 0666, makedev(1, 7)) != 0) {
        full = "/dev/full";
        if (geteuid() == 0)
            skip();
    }
    struct stat before, after;
    if (stat(full, &before) != 0 || !S_ISCHR(before.st_mode))
        skip();
    tok_tokenizer *tk = load(vocab_path("bert-base-uncased"));
    tok_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(tok_tokenizer_save(tk, full, &err), TOK_EIO);
    assert_non_null(strstr(err.message, full));
    assert_non_null(strstr(err.message, strerror(ENOSPC)));
    assert_int_equal(stat(full, &after), 0);
    assert_true(S_ISCHR(after.st_mode));
    assert_true(after.st_rdev == before.st_rdev);
    tok_tokenizer_free(tk);
}

static void a_write_into_a_missing_directory_is_an_error(void **state)
{
    (void)state;
    tok_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(tok_write_file_atomic(tmp_path("no/such/out.json"),
                                           "x", 1, &err), TOK_EIO);
    assert_non_null(strstr(err.message, "no/such/out.json"));
    assert_int_equal(tok_write_file_atomic("", "x", 1, &err), TOK_EIO);
}

/* Whether process pid has a file open under the temporary directory:
 * the file being written, with or without a name. */
static int writing_under_tmpdir(pid_t pid)
{
    char fds[64], link[384], target[512];
    snprintf(fds, sizeof fds, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(fds);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        snprintf(link, sizeof link, "%s/%s", fds, e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        found = strncmp(target, tmpdir, strlen(tmpdir)) == 0 &&
                target[strlen(tmpdir)] == '/';
    }
    closedir(d);
    return found;
}

/* A writer killed (SIGKILL) while it writes leaves the previous file as
 * it was and no partial file beside it. */
static void a_writer_killed_midway_leaves_the_old_file_and_nothing_else(
    void **state)
{
    (void)state;
    if (access("/proc/self/fd", R_OK) != 0)
        skip();
    const char *path = tmp_path("out.json");
    static const char old[] = "{\"previous\": true}\n";
    write_whole(path, old, sizeof old - 1);
    int caught = 0;
    for (size_t size = (size_t)64 << 20; !caught && size <= (size_t)1 << 30;
         size *= 2) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char *big = malloc(size);
            if (!big)
                _exit(2);
            memset(big, 'x', size);
            _exit(tok_write_file_atomic(path, big, size, NULL) ? 1 : 0);
        }
        struct timespec tick = {0, 100000};
        int status;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (writing_under_tmpdir(pid)) {
                kill(pid, SIGKILL);
                caught = 1;
                break;
            }
            nanosleep(&tick, NULL);
        }
        if (caught) {
            assert_int_equal(waitpid(pid, &status, 0), pid);
            assert_true(WIFSIGNALED(status));
        } else {
            /* Too quick to catch: it must have written the whole file. */
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
            write_whole(path, old, sizeof old - 1);
        }
    }
    assert_true(caught);
    assert_file_is(path, old);
    assert_string_equal(dir_listing(), "out.json");
    unlink(path);
}

int main(void)
{
/* Each test gets a temporary directory of its own. */
#define TEST(f) cmocka_unit_test_setup_teardown(f, make_tmpdir, remove_tmpdir)
    const struct CMUnitTest tests[] = {
        TEST(bpe_unknown_word_without_unk_token_gives_no_tokens),
        TEST(bpe_cached_word_without_pieces_gives_no_tokens),
        TEST(a_fresh_encoding_whose_words_leave_no_piece_is_empty),
        TEST(a_template_token_outside_the_vocabulary_has_its_string),
        TEST(vocab_txt_token_with_nul_is_rejected),
        TEST(raw_control_characters_in_json_are_rejected),
        TEST(json_nested_100000_deep_is_rejected_without_a_crash),
        TEST(sequences_nested_past_the_reader_bound_are_rejected),
        TEST(a_vocab_json_nested_100000_deep_is_rejected),
        TEST(tokenizer_json_cut_at_every_kth_byte_is_rejected),
        TEST(vocab_txt_cut_at_every_kth_byte_loads_or_is_rejected),
        TEST(gpt2_files_cut_at_every_kth_byte_load_or_are_rejected),
        TEST(ids_at_and_past_the_vocabulary_size_are_out_of_range),
        TEST(nul_bytes_are_text),
        TEST(invalid_utf8_is_reported_at_its_byte_or_replaced),
        TEST(a_corpus_where_every_line_is_invalid_utf8_is_rejected),
        TEST(training_on_nul_bytes_writes_nothing_tok_cannot_read),
        TEST(a_written_file_replaces_the_old_one_and_nothing_is_left_beside),
        TEST(a_symlink_keeps_pointing_at_the_rewritten_file),
        TEST(writing_to_a_full_device_is_an_error),
        TEST(a_write_into_a_missing_directory_is_an_error),
        TEST(a_writer_killed_midway_leaves_the_old_file_and_nothing_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
