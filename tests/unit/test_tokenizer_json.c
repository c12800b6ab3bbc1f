/* files: reading tokenizer.json and writing it back exactly as Hugging Face
 * tokenizers 0.23.2 saves it, and the errors a bad file gives. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static char *data_path(const char *rel)
{
    static char path[4][1024];
    static int next;
    const char *dir = getenv("TOK_TEST_DATA");
    char *p = path[next++ & 3];
    snprintf(p, sizeof path[0], "%s/%s", dir ? dir : "tests/data", rel);
    return p;
}

static char *vocab_path(const char *name)
{
    static char path[1024];
    const char *dir = getenv("TOK_VOCAB_DIR");
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir ? dir : "vocab",
             name);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    char *data;
    tok_error err;
    if (tok_read_file(path, &data, len, &err) != TOK_OK) {
        print_error("%s\n", err.message);
        return NULL;
    }
    return data;
}

static tok_tokenizer *load(const char *path)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_load(&tk, path, &err) != TOK_OK)
        print_error("%s\n", err.message);
    return tk;
}

static tok_tokenizer *parse(const char *json)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, json, strlen(json), &err) != TOK_OK)
        print_error("%s\n", err.message);
    return tk;
}

/* Parses json expecting failure with `code`; returns the error. */
static tok_error parse_fails(const char *json, int code)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    int rc = tok_tokenizer_from_json(&tk, json, strlen(json), &err);
    if (rc != code)
        print_error("got %d (%s), expected %d\n", rc, err.message, code);
    assert_int_equal(rc, code);
    assert_null(tk);
    assert_int_equal(err.code, code);
    return err;
}

/* Fails the test at the first differing byte, showing the context. */
static void assert_same_bytes(const char *got, size_t glen, const char *want,
                              size_t wlen)
{
    size_t i = 0;
    while (i < glen && i < wlen && got[i] == want[i])
        i++;
    if (i == glen && i == wlen)
        return;
    size_t from = i > 60 ? i - 60 : 0;
    print_error("first difference at byte %zu of %zu/%zu\n"
                "got:  ...%.*s\nwant: ...%.*s\n", i, glen, wlen,
                (int)((glen < i + 40 ? glen : i + 40) - from), got + from,
                (int)((wlen < i + 40 ? wlen : i + 40) - from), want + from);
    fail();
}

static char *to_json(const tok_tokenizer *tk, size_t *len)
{
    char *json = NULL;
    tok_error err;
    if (tok_tokenizer_to_json(tk, &json, len, &err) != TOK_OK) {
        print_error("%s\n", err.message);
        fail();
    }
    return json;
}

/* Loads `in`, writes it, and compares with the file `want`. */
static void assert_written_as(const char *in, const char *want)
{
    tok_tokenizer *tk = load(in);
    assert_non_null(tk);
    size_t len, wlen;
    char *json = to_json(tk, &len);
    char *expected = slurp(want, &wlen);
    assert_non_null(expected);
    assert_same_bytes(json, len, expected, wlen);
    free(json);
    tok_free(expected);
    tok_tokenizer_free(tk);
}

static uint64_t fnv1a64(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* A minimal BPE model for the error tests. */
#define MODEL "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1," \
              "\"ab\":2},\"merges\":[\"a b\"]}"

/* ------------------------------------------------------------------------
 * Writing back what Hugging Face wrote
 * ------------------------------------------------------------------------ */

static void bert_base_uncased_is_written_back_byte_for_byte(void **state)
{
    (void)state;
    const char *p = vocab_path("bert-base-uncased");
    assert_written_as(p, p);
}

static void bert_base_cased_is_written_back_byte_for_byte(void **state)
{
    (void)state;
    const char *p = vocab_path("bert-base-cased");
    assert_written_as(p, p);
}

static void gpt2_is_written_back_byte_for_byte(void **state)
{
    (void)state;
    const char *p = vocab_path("gpt2");
    assert_written_as(p, p);
}

/* Written by tok convert from cl100k_base.tiktoken; Hugging Face saves
 * the same bytes for it (Split with a Regex, ids left unused). */
static void cl100k_base_is_written_back_byte_for_byte(void **state)
{
    (void)state;
    const char *p = vocab_path("cl100k_base");
    assert_written_as(p, p);
}

/* The training references were not written in HF's layout, so the test
 * compares with the digest of what tokenizers 0.23.2 writes for them. */
static void trained_files_are_written_as_hugging_face_saves_them(void **s)
{
    (void)s;
    size_t len;
    char *digests = slurp(data_path("json/train-hf-digests.txt"), &len);
    assert_non_null(digests);
    int checked = 0;
    char *save = NULL;
    for (char *line = strtok_r(digests, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char name[128], rel[160];
        size_t want_len;
        unsigned long long want_hash;
        assert_int_equal(sscanf(line, "%127s %zu %llx", name, &want_len,
                                &want_hash), 3);
        snprintf(rel, sizeof rel, "train/%s", name);
        tok_tokenizer *tk = load(data_path(rel));
        if (!tk)
            print_error("while loading %s\n", name);
        assert_non_null(tk);
        size_t jlen;
        char *json = to_json(tk, &jlen);
        if (jlen != want_len || fnv1a64(json, jlen) != want_hash)
            print_error("%s: %zu bytes, hash %016llx; HF: %zu, %016llx\n",
                        name, jlen,
                        (unsigned long long)fnv1a64(json, jlen), want_len,
                        want_hash);
        assert_int_equal(jlen, want_len);
        assert_true(fnv1a64(json, jlen) == want_hash);
        free(json);
        tok_tokenizer_free(tk);
        checked++;
    }
    assert_int_equal(checked, 3);
    tok_free(digests);
}

static void every_component_is_written_as_hugging_face_writes_it(void **s)
{
    (void)s;
    assert_written_as(data_path("json/all-components.json"),
                      data_path("json/all-components.hf.json"));
}

static void wordpiece_with_bert_processing_is_written_as_hf_does(void **s)
{
    (void)s;
    assert_written_as(data_path("json/wordpiece.json"),
                      data_path("json/wordpiece.hf.json"));
}

static void bpe_with_a_continuing_prefix_is_written_as_hf_does(void **s)
{
    (void)s;
    assert_written_as(data_path("json/bpe-prefix.json"),
                      data_path("json/bpe-prefix.hf.json"));
}

static void a_written_file_reads_back_to_the_same_bytes(void **state)
{
    (void)state;
    const char *p = data_path("json/all-components.hf.json");
    assert_written_as(p, p);
}

static void save_writes_the_same_bytes_as_to_json(void **state)
{
    (void)state;
    tok_tokenizer *tk = load(data_path("json/wordpiece.json"));
    assert_non_null(tk);
    char dir[] = "/tmp/tok-json-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/out.json", dir);
    tok_error err;
    assert_int_equal(tok_tokenizer_save(tk, path, &err), TOK_OK);
    size_t len, flen;
    char *json = to_json(tk, &len);
    char *file = slurp(path, &flen);
    assert_non_null(file);
    assert_same_bytes(file, flen, json, len);
    free(json);
    tok_free(file);
    unlink(path);
    rmdir(dir);
    tok_tokenizer_free(tk);
}

static void save_to_a_missing_directory_is_an_io_error(void **state)
{
    (void)state;
    tok_tokenizer *tk = load(data_path("json/wordpiece.json"));
    assert_non_null(tk);
    tok_error err;
    assert_int_equal(tok_tokenizer_save(tk, "/nonexistent-dir/t.json", &err),
                     TOK_EIO);
    assert_non_null(strstr(err.message, "/nonexistent-dir/t.json"));
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * What the reader keeps
 * ------------------------------------------------------------------------ */

static void added_token_ids_are_assigned_as_hugging_face_does(void **s)
{
    (void)s;
    tok_tokenizer *tk = load(data_path("json/all-components.json"));
    assert_non_null(tk);
    /* The file says 99, 0, 7 (empty content), 50, 99 again; HF keeps the
     * vocabulary's id for "<unk>", numbers the rest after the vocabulary
     * (15 ids), drops the empty one and lets the repeat replace flags. */
    assert_int_equal(tk->added.n, 3);
    assert_int_equal(tk->added.v[0].id, 0);
    assert_string_equal(tk->added.v[0].content, "<unk>");
    assert_int_equal(tk->added.v[1].id, 15);
    assert_string_equal(tk->added.v[1].content, "<extra>");
    assert_false(tk->added.v[1].single_word);
    assert_true(tk->added.v[1].rstrip);
    assert_true(tk->added.v[1].special);
    assert_int_equal(tk->added.v[2].id, 16);
    assert_string_equal(tk->added.v[2].content, "<mask>");
    assert_int_equal(tok_token_to_id(tk, "<mask>", 6), 16);
    tok_tokenizer_free(tk);
}

static void legacy_merges_are_read_and_a_repeated_merge_keeps_its_last_rank(
    void **state)
{
    (void)state;
    tok_tokenizer *tk = load(data_path("json/all-components.json"));
    assert_non_null(tk);
    const tok_model *m = tk->model;
    assert_true(m->merges_as_strings);
    /* "#version", "a b", "ab c", "a b", "é t" */
    assert_int_equal(m->nmerges, 3);
    assert_int_equal(m->merges[0].left, 3);     /* ab + c = abc */
    assert_int_equal(m->merges[0].right, 4);
    assert_int_equal(m->merges[0].result, 5);
    assert_int_equal(m->merges[1].left, 1);     /* a + b = ab */
    assert_int_equal(m->merges[1].result, 3);
    assert_int_equal(m->merges[2].result, 8);   /* é + t */
    tok_tokenizer_free(tk);
}

static void merges_drop_the_continuing_prefix_of_the_right_part(void **s)
{
    (void)s;
    tok_tokenizer *tk = load(data_path("json/bpe-prefix.json"));
    assert_non_null(tk);
    const tok_model *m = tk->model;
    assert_false(m->merges_as_strings);
    assert_int_equal(m->nmerges, 3);
    assert_int_equal(m->merges[0].result, 2);   /* a ##b -> ab */
    assert_int_equal(m->merges[1].result, 4);   /* ab ##c -> abc */
    assert_int_equal(m->merges[2].result, 7);   /* ##a ##b -> ##ab */
    tok_tokenizer_free(tk);
}

static void truncation_and_padding_are_kept_in_canonical_form(void **s)
{
    (void)s;
    tok_tokenizer *tk = load(data_path("json/all-components.json"));
    assert_non_null(tk);
    assert_string_equal(tk->truncation_json,
                        "{\"direction\":\"Right\",\"max_length\":128,"
                        "\"strategy\":\"OnlyFirst\",\"stride\":2}");
    assert_string_equal(tk->padding_json,
                        "{\"strategy\":{\"Fixed\":64},\"direction\":\"Left\","
                        "\"pad_to_multiple_of\":8,\"pad_id\":3,"
                        "\"pad_type_id\":1,\"pad_token\":\"<pad>\"}");
    tok_tokenizer_free(tk);
    tk = load(vocab_path("gpt2"));
    assert_non_null(tk);
    assert_null(tk->truncation_json);
    assert_null(tk->padding_json);
    tok_tokenizer_free(tk);
}

static void components_are_read_with_their_options(void **state)
{
    (void)state;
    tok_tokenizer *tk = load(data_path("json/all-components.json"));
    assert_non_null(tk);
    const tok_normalizer *n = tk->normalizer;
    assert_int_equal(n->type, TOK_NORM_SEQUENCE);
    assert_int_equal(n->u.seq.n, 12);
    assert_int_equal(n->u.seq.items[0]->u.bert.strip_accents, 0);
    assert_int_equal(n->u.seq.items[1]->u.bert.strip_accents, -1);
    assert_true(n->u.seq.items[1]->u.bert.lowercase);
    assert_string_equal(n->u.seq.items[9]->u.replace.pattern, "``");
    assert_string_equal(n->u.seq.items[9]->u.replace.content, "\"");
    const tok_pretok *p = tk->pretok;
    assert_int_equal(p->u.seq.n, 11);
    assert_int_equal(p->u.seq.items[3]->u.punct.behavior,
                     TOK_SPLIT_CONTIGUOUS);
    assert_int_equal(p->u.seq.items[4]->u.punct.behavior,
                     TOK_SPLIT_ISOLATED);
    assert_true(p->u.seq.items[6]->u.bytelevel.use_regex);
    assert_string_equal(p->u.seq.items[7]->u.metaspace.replacement, "_");
    assert_int_equal(p->u.seq.items[7]->u.metaspace.prepend_scheme,
                     TOK_PREPEND_FIRST);
    assert_int_equal(p->u.seq.items[9]->u.metaspace.prepend_scheme,
                     TOK_PREPEND_NEVER);
    assert_true(p->u.seq.items[10]->u.split.invert);
    const tok_postproc *pp = tk->postproc->items[0];
    assert_int_equal(pp->nspecials, 2);
    assert_string_equal(pp->specials[0].name, "</s>");
    assert_int_equal(pp->specials[1].n, 2);
    assert_int_equal(pp->specials[1].ids[1], 3);
    assert_int_equal(pp->npair, 3);
    assert_int_equal(pp->pair[1].sequence, 1);
    assert_int_equal(pp->pair[1].type_id, 1);
    assert_int_equal(tk->postproc->items[1]->sep_id, 2);
    const tok_decoder *d = tk->decoder;
    assert_int_equal(d->u.seq.n, 9);
    assert_string_equal(d->u.seq.items[6]->u.strip.content, " ");
    assert_int_equal(d->u.seq.items[6]->u.strip.start, 1);
    assert_true(tk->model->fuse_unk && tk->model->byte_fallback &&
                tk->model->ignore_merges);
    assert_string_equal(tk->model->end_of_word_suffix, "</w>");
    assert_null(tk->model->continuing_subword_prefix);
    tok_tokenizer_free(tk);
}

static void a_minimal_file_with_only_a_model_loads(void **state)
{
    (void)state;
    tok_tokenizer *tk = parse("{" MODEL "}");
    assert_non_null(tk);
    assert_null(tk->normalizer);
    assert_null(tk->pretok);
    assert_null(tk->postproc);
    assert_null(tk->decoder);
    assert_int_equal(tk->added.n, 0);
    tok_tokenizer_free(tk);
}

static void the_document_need_not_be_nul_terminated(void **state)
{
    (void)state;
    const char doc[] = "{" MODEL "}garbage";
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_json(&tk, doc, sizeof doc - 8, &err),
                     TOK_OK);
    tok_tokenizer_free(tk);
}

static void the_cjson_version_is_reported(void **state)
{
    (void)state;
    const char *v = tok_cjson_version();
    assert_non_null(v);
    unsigned a, b, c;
    assert_int_equal(sscanf(v, "%u.%u.%u", &a, &b, &c), 3);
    assert_int_equal(a, 1);
}

/* ------------------------------------------------------------------------
 * Malformed files
 * ------------------------------------------------------------------------ */

static void malformed_json_reports_line_and_offset(void **state)
{
    (void)state;
    tok_error err = parse_fails("{\n  \"model\": [1,\n  }\n}", TOK_EFORMAT);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.offset, 19);
    assert_non_null(strstr(err.message, "line 3, column 3"));
    assert_non_null(strstr(err.message, "near '}'"));
}

static void truncated_json_reports_the_end_of_the_input(void **state)
{
    (void)state;
    tok_error err = parse_fails("{\"model\": {\"type\": \"BPE\"",
                                TOK_EFORMAT);
    assert_int_equal(err.offset, 24);
    assert_non_null(strstr(err.message, "end of the input"));
}

static void an_empty_document_is_a_format_error(void **state)
{
    (void)state;
    tok_error err = parse_fails("", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "empty"));
    parse_fails(" \n\t ", TOK_EFORMAT);
}

static void invalid_utf8_in_the_document_reports_its_offset(void **state)
{
    (void)state;
    tok_error err = parse_fails("{\"model\":\n\"\xc3\x28\"}", TOK_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.offset, 11);
    assert_non_null(strstr(err.message, "invalid UTF-8"));
}

static void characters_after_the_document_are_rejected(void **state)
{
    (void)state;
    tok_error err = parse_fails("{" MODEL "} {}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "trailing characters"));
    assert_int_equal(err.offset, strlen("{" MODEL "} "));
}

static void deeply_nested_json_is_rejected_without_crashing(void **state)
{
    (void)state;
    size_t n = 200000;
    char *doc = malloc(n + 1);
    assert_non_null(doc);
    memset(doc, '[', n);
    doc[n] = '\0';
    tok_error err = parse_fails(doc, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "nested deeper"));
    free(doc);
}

static void deeply_nested_sequences_are_rejected_without_crashing(void **s)
{
    (void)s;
    tok_buffer b = TOK_BUFFER_INIT;
    tok_buffer_printf(&b, "{" MODEL ",\"normalizer\":");
    for (int i = 0; i < 400; i++)
        tok_buffer_printf(&b, "{\"type\":\"Sequence\",\"normalizers\":[");
    tok_buffer_printf(&b, "{\"type\":\"NFC\"}");
    for (int i = 0; i < 400; i++)
        tok_buffer_printf(&b, "]}");
    tok_buffer_printf(&b, "}");
    tok_error err = parse_fails(b.data, TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "nested more than"));
    tok_buffer_dispose(&b);
}

static void a_nul_escape_in_a_string_is_unsupported(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\\u0000b\":0},"
        "\"merges\":[]}}", TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "U+0000"));
    assert_int_equal(err.offset, 34);
    /* An escaped backslash followed by "u0000" is plain text. */
    tok_tokenizer *tk = parse("{\"model\":{\"type\":\"BPE\",\"vocab\":"
                              "{\"a\\\\u0000b\":0},\"merges\":[]}}");
    assert_non_null(tk);
    assert_int_equal(tok_token_to_id(tk, "a\\u0000b", 8), 0);
    tok_tokenizer_free(tk);
}

static void a_document_that_is_not_an_object_is_rejected(void **state)
{
    (void)state;
    tok_error err = parse_fails("[1, 2]", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "expected a JSON object"));
}

/* ------------------------------------------------------------------------
 * Unsupported components
 * ------------------------------------------------------------------------ */

static void an_unsupported_pre_tokenizer_is_named_with_its_place(void **s)
{
    (void)s;
    tok_error err = parse_fails(
        "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Sequence\","
        "\"pretokenizers\":[{\"type\":\"Whitespace\"},"
        "{\"type\":\"UnicodeScripts\"}]}}", TOK_EUNSUPPORTED);
    assert_string_equal(err.message,
                        "pre_tokenizer.pretokenizers[1]: pre-tokenizer type "
                        "\"UnicodeScripts\" is not supported");
}

static void unsupported_components_of_every_stage_are_named(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{" MODEL ",\"normalizer\":{\"type\":\"Precompiled\"}}",
        TOK_EUNSUPPORTED);
    assert_string_equal(err.message, "normalizer: normalizer type "
                        "\"Precompiled\" is not supported");
    err = parse_fails("{" MODEL ",\"decoder\":{\"type\":\"Sequence\","
                      "\"decoders\":[{\"type\":\"CTC\"}]}}",
                      TOK_EUNSUPPORTED);
    assert_string_equal(err.message, "decoder.decoders[0]: decoder type "
                        "\"CTC\" is not supported");
    err = parse_fails("{" MODEL ",\"post_processor\":{\"type\":\"Mystery\"}}",
                      TOK_EUNSUPPORTED);
    assert_string_equal(err.message, "post_processor: post-processor type "
                        "\"Mystery\" is not supported");
    err = parse_fails("{\"model\":{\"type\":\"Unigram\",\"vocab\":[]}}",
                      TOK_EUNSUPPORTED);
    assert_string_equal(err.message,
                        "model: model type \"Unigram\" is not supported");
}

/* The two split regexes tok runs, as C strings: tiktoken's cl100k_base
 * pat_str and GPT-2's. */
#define CL100K_REGEX \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" \
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|" \
    "\\s+(?!\\S)|\\s+"
#define GPT2_REGEX \
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|" \
    "\\s+(?!\\S)|\\s+"
/* The same, as they appear inside a JSON string. */
#define CL100K_REGEX_JSON \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|" \
    "\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|" \
    "\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"
#define GPT2_REGEX_JSON \
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\\\p{L}+| ?\\\\p{N}+| " \
    "?[^\\\\s\\\\p{L}\\\\p{N}]+|\\\\s+(?!\\\\S)|\\\\s+"

static tok_tokenizer *split_regex(const char *regex_json,
                                  const char *behavior, bool invert)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":"
             "{\"Regex\":\"%s\"},\"behavior\":\"%s\",\"invert\":%s}}",
             regex_json, behavior, invert ? "true" : "false");
    return parse(json);
}

static void the_cl100k_and_gpt2_split_regexes_load(void **state)
{
    (void)state;
    tok_tokenizer *tk = split_regex(CL100K_REGEX_JSON, "Isolated", false);
    assert_non_null(tk);
    assert_int_equal(tk->pretok->type, TOK_PT_SPLIT);
    assert_true(tk->pretok->u.split.regex);
    assert_int_equal(tk->pretok->u.split.scan, TOK_SCAN_CL100K);
    assert_string_equal(tk->pretok->u.split.pattern, CL100K_REGEX);
    assert_int_equal(tk->pretok->u.split.behavior, TOK_SPLIT_ISOLATED);
    tok_tokenizer_free(tk);
    tk = split_regex(GPT2_REGEX_JSON, "Removed", true);
    assert_non_null(tk);
    assert_true(tk->pretok->u.split.regex);
    assert_int_equal(tk->pretok->u.split.scan, TOK_SCAN_GPT2);
    assert_string_equal(tk->pretok->u.split.pattern, GPT2_REGEX);
    assert_true(tk->pretok->u.split.invert);
    tok_tokenizer_free(tk);
}

static void a_split_regex_is_written_back_unchanged(void **state)
{
    (void)state;
    tok_tokenizer *tk = split_regex(CL100K_REGEX_JSON, "Isolated", false);
    assert_non_null(tk);
    size_t len;
    char *json = to_json(tk, &len);
    assert_non_null(strstr(json, "\"pre_tokenizer\": {\n"
                           "    \"type\": \"Split\",\n"
                           "    \"pattern\": {\n"
                           "      \"Regex\": \"" CL100K_REGEX_JSON "\"\n"
                           "    },\n"
                           "    \"behavior\": \"Isolated\",\n"
                           "    \"invert\": false\n"
                           "  },"));
    tok_tokenizer *again = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_json(&again, json, len, &err),
                     TOK_OK);
    assert_true(again->pretok->u.split.regex);
    assert_string_equal(again->pretok->u.split.pattern, CL100K_REGEX);
    free(json);
    tok_tokenizer_free(again);
    tok_tokenizer_free(tk);
}

/* Only the exact spelling is recognised: tok cannot tell whether another
 * regex, even one that differs by a character, splits the same way. */
static void any_other_split_regex_is_unsupported_and_named(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":"
        "{\"Regex\":\"\\\\s+\"},\"behavior\":\"Removed\",\"invert\":false}}",
        TOK_EUNSUPPORTED);
    assert_string_equal(err.message, "pre_tokenizer.pattern: Split with the "
                        "Regex \"\\s+\" is not supported: tok has no regex "
                        "engine and runs only the GPT-2 and cl100k_base "
                        "split patterns, spelled exactly as Hugging Face and "
                        "tiktoken spell them");
    err = parse_fails(
        "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":"
        "{\"Regex\":\"" CL100K_REGEX_JSON " \"},\"behavior\":\"Removed\","
        "\"invert\":false}}", TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "Split with the Regex \"(?i:'s|'t|"
                           "'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
                           "\\p{N}{...\" is not supported"));
    err = parse_fails(
        "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":"
        "{\"Regex\":7},\"behavior\":\"Removed\",\"invert\":false}}",
        TOK_EFORMAT);
    assert_string_equal(err.message, "pre_tokenizer.pattern: Regex: expected "
                        "a string, found a number");
}

static void replace_with_a_regex_is_unsupported(void **state)
{
    (void)state;
    /* Replace runs no scanner, whatever the regex. */
    tok_error err = parse_fails(
        "{" MODEL ",\"normalizer\":{\"type\":\"Replace\",\"pattern\":"
        "{\"Regex\":\"" GPT2_REGEX_JSON "\"},\"content\":\" \"}}",
        TOK_EUNSUPPORTED);
    assert_string_equal(err.message, "normalizer.pattern: Replace with a "
                        "Regex pattern is not supported");
    err = parse_fails(
        "{" MODEL ",\"decoder\":{\"type\":\"Replace\",\"pattern\":"
        "{\"Regex\":\" +\"},\"content\":\" \"}}", TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "decoder.pattern: Replace"));
}

static void bpe_dropout_must_be_null_or_absent(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"dropout\":0.1,\"vocab\":{},"
        "\"merges\":[]}}", TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "model.dropout"));
    tok_tokenizer *tk = parse("{\"model\":{\"type\":\"BPE\",\"dropout\":null,"
                              "\"vocab\":{},\"merges\":[]}}");
    assert_non_null(tk);
    tok_tokenizer_free(tk);
}

static void an_unknown_version_is_unsupported(void **state)
{
    (void)state;
    tok_error err = parse_fails("{\"version\":\"2.0\"," MODEL "}",
                                TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "version"));
}

/* ------------------------------------------------------------------------
 * Fields of the wrong shape
 * ------------------------------------------------------------------------ */

static void a_field_of_the_wrong_type_is_named_by_its_path(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{" MODEL ",\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":["
        "{\"type\":\"BertNormalizer\",\"clean_text\":true,"
        "\"handle_chinese_chars\":true,\"lowercase\":\"yes\"}]}}",
        TOK_EFORMAT);
    assert_string_equal(err.message, "normalizer.normalizers[0].lowercase: "
                        "expected a boolean, found a string");
    err = parse_fails("{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"a\","
                      "\"continuing_subword_prefix\":\"##\","
                      "\"max_input_chars_per_word\":-1,\"vocab\":{\"a\":0}}}",
                      TOK_EFORMAT);
    assert_non_null(strstr(err.message, "model.max_input_chars_per_word: "
                           "expected an integer"));
    err = parse_fails("{" MODEL ",\"added_tokens\":[{\"id\":5,\"content\":7,"
                      "\"single_word\":false,\"lstrip\":false,"
                      "\"rstrip\":false,\"normalized\":false,"
                      "\"special\":true}]}", TOK_EFORMAT);
    assert_string_equal(err.message,
                        "added_tokens[0].content: expected a string, found "
                        "a number");
}

static void a_missing_field_is_named(void **state)
{
    (void)state;
    tok_error err = parse_fails("{\"model\":{\"type\":\"BPE\",\"merges\":[]}}",
                                TOK_EFORMAT);
    assert_string_equal(err.message, "model: missing field \"vocab\"");
    err = parse_fails("{" MODEL ",\"decoder\":{\"prefix\":\"##\"}}",
                      TOK_EFORMAT);
    assert_string_equal(err.message, "decoder: missing field \"type\"");
}

static void a_file_without_a_model_is_rejected(void **state)
{
    (void)state;
    tok_error err = parse_fails("{\"normalizer\":null}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "missing field \"model\""));
    parse_fails("{\"model\":null}", TOK_EFORMAT);
}

static void a_bad_enumeration_value_lists_the_accepted_ones(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Punctuation\","
        "\"behavior\":\"Sideways\"}}", TOK_EFORMAT);
    assert_string_equal(err.message,
                        "pre_tokenizer.behavior: unknown value \"Sideways\", "
                        "expected one of \"Removed\", \"Isolated\", "
                        "\"MergedWithPrevious\", \"MergedWithNext\", "
                        "\"Contiguous\"");
}

static void a_metaspace_replacement_must_be_one_character(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{" MODEL ",\"pre_tokenizer\":{\"type\":\"Metaspace\","
        "\"replacement\":\"__\"}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "pre_tokenizer.replacement: "
                           "expected a single character"));
}

static void metaspace_add_prefix_space_false_needs_the_never_scheme(
    void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{" MODEL ",\"decoder\":{\"type\":\"Metaspace\",\"replacement\":"
        "\"_\",\"add_prefix_space\":false}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "prepend_scheme"));
}

static void a_merge_with_a_token_outside_the_vocabulary_is_named(void **s)
{
    (void)s;
    tok_error err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},"
        "\"merges\":[[\"a\",\"b\"],[\"a\",\"c\"]]}}", TOK_EFORMAT);
    assert_string_equal(err.message, "model.merges[1]: token \"c\" is not in "
                        "the vocabulary");
    err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},"
        "\"merges\":[\"a b\"]}}", TOK_EFORMAT);
    assert_string_equal(err.message, "model.merges[0]: merged token \"ab\" is "
                        "not in the vocabulary");
    err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},"
        "\"merges\":[\"a b\",[\"a\",\"b\"]]}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "model.merges[1]: expected a string"));
    err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},"
        "\"merges\":[\"a  b\"]}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "model.merges[0]: expected two "
                           "tokens"));
}

static void a_vocabulary_id_used_twice_is_rejected(void **state)
{
    (void)state;
    tok_error err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":0},"
        "\"merges\":[]}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "model.vocab: "));
    err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1.5},"
        "\"merges\":[]}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "model.vocab: \"b\": expected an id"));
}

/* tiktoken's vocabularies leave ids unused before their special tokens
 * (cl100k_base has no 100256), and Hugging Face keeps such gaps. */
static void a_vocabulary_may_leave_ids_unused(void **state)
{
    (void)state;
    tok_tokenizer *tk = parse(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,"
        "\"<s>\":5},\"merges\":[\"a b\"]},\"added_tokens\":[{\"id\":5,"
        "\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,"
        "\"rstrip\":false,\"normalized\":false,\"special\":true}]}");
    assert_non_null(tk);
    assert_int_equal(tok_token_to_id(tk, "<s>", 3), 5);
    assert_null(tok_id_to_token(tk, 3));
    tok_encoding *enc = tok_encoding_new();
    tok_error err;
    assert_int_equal(tok_encode(tk, "ab<s>", 5, NULL, enc, &err), TOK_OK);
    assert_int_equal(tok_encoding_len(enc), 2);
    assert_int_equal(tok_encoding_ids(enc)[0], 2);
    assert_int_equal(tok_encoding_ids(enc)[1], 5);
    tok_encoding_free(enc);
    const int32_t unused[] = {2, 4};
    tok_buffer out = TOK_BUFFER_INIT;
    assert_int_equal(tok_decode(tk, unused, 2, NULL, &out, &err),
                     TOK_ERANGE);
    assert_int_equal(err.offset, 1);
    tok_buffer_dispose(&out);
    size_t len;
    char *json = to_json(tk, &len);
    assert_non_null(strstr(json, "\"ab\": 2,\n      \"<s>\": 5\n"));
    free(json);
    tok_tokenizer_free(tk);
    /* A new added token gets Hugging Face's vocabulary size, the number of
     * entries (3 here, an unused id), not the highest id + 1. */
    tk = parse("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"c\":2,"
               "\"d\":5},\"merges\":[]},\"added_tokens\":[{\"id\":99,"
               "\"content\":\"<x>\",\"single_word\":false,\"lstrip\":false,"
               "\"rstrip\":false,\"normalized\":false,\"special\":true}]}");
    assert_non_null(tk);
    assert_int_equal(tok_token_to_id(tk, "<x>", 3), 3);
    tok_tokenizer_free(tk);
}

static void an_id_far_past_the_end_of_the_vocabulary_is_rejected(void **s)
{
    (void)s;
    /* Refusing it before anything is sized keeps a tiny file from making
     * tables for two billion ids. */
    tok_error err = parse_fails(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,"
        "\"b\":2000000000},\"merges\":[]}}", TOK_EFORMAT);
    assert_string_equal(err.message, "model.vocab: \"b\": id 2000000000 is "
                        "too far past the end of the vocabulary (2 entries; "
                        "ids may leave gaps but must stay below 1028)");
    tok_tokenizer *tk = parse(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,"
        "\"b\":1027},\"merges\":[]}}");
    assert_non_null(tk);
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * The vocabulary and merges, read without cJSON when the file allows
 * ------------------------------------------------------------------------ */

/* A document starting with {"x":0    , and its twin starting with
 * {"model":0, -- the same length, but two "model" members, which sends the
 * twin through cJSON alone.  Both must give the same tokenizer or the same
 * error, at the same place. */
static void read_as_its_twin(const char *doc)
{
    static const char head[] = "{\"x\":0    ,";
    size_t len = strlen(doc);
    assert_true(strncmp(doc, head, sizeof head - 1) == 0);
    char *twin = malloc(len + 1);
    assert_non_null(twin);
    memcpy(twin, doc, len + 1);
    memcpy(twin, "{\"model\":0,", sizeof head - 1);
    tok_tokenizer *a = NULL, *b = NULL;
    tok_error ea, eb;
    memset(&ea, 0, sizeof ea);
    memset(&eb, 0, sizeof eb);
    int ra = tok_tokenizer_from_json(&a, doc, len, &ea);
    int rb = tok_tokenizer_from_json(&b, twin, len, &eb);
    if (ra != rb || (ra && strcmp(ea.message, eb.message) != 0))
        fail_msg("%d \"%s\" but %d \"%s\" the plain way", ra,
                 ra ? ea.message : "", rb, rb ? eb.message : "");
    if (ra) {
        assert_int_equal(ea.line, eb.line);
        assert_int_equal(ea.offset, eb.offset);
    } else {
        size_t la, lb;
        char *ja = to_json(a, &la), *jb = to_json(b, &lb);
        assert_same_bytes(ja, la, jb, lb);
        free(ja);
        free(jb);
    }
    tok_tokenizer_free(a);
    tok_tokenizer_free(b);
    free(twin);
}

#define TWIN "{\"x\":0    ,"
#define BPE_HEAD TWIN "\"model\":{\"type\":\"BPE\",\"vocab\":"

static void escaped_tokens_read_as_cjson_reads_them(void **state)
{
    (void)state;
    read_as_its_twin(BPE_HEAD "{\"a\\\"\":0,\"\\\\\":1,\"\\u00e9\\/\":2,"
                     "\"\\ud83d\\ude00\":3,\"\\b\\f\\n\\r\\t\":4,"
                     "\"a\\\"\\\\\":5},\"merges\":[[\"a\\\"\",\"\\\\\"]]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0,\"b\":1,\"ab\":2},"
                     "\"merges\":[\"#version: 0.2\",\"a b\"]}}");
    /* What the scan leaves to cJSON: cJSON decides. */
    read_as_its_twin(BPE_HEAD "{\"\\ud800\":0},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"\\udc00x\":0},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"\\u0000\":0},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"\\x\":0},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\tb\":0},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0,\"b\":1.0,\"c\":2e0,\"d\":-0},"
                     "\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":01},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0,\"a\":1},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0,\"b\":7},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"vocab\":{\"b\":0},"
                     "\"merges\":[]}}");
    read_as_its_twin(TWIN "\"mod\\u0065l\":{\"type\":\"BPE\",\"vocab\":"
                     "{\"a\":0},\"merges\":[]}}");
}

static void syntax_errors_are_placed_as_cjson_places_them(void **state)
{
    (void)state;
    read_as_its_twin(BPE_HEAD "{\"a\" 0},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0,},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"merges\":[\"a b\",]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"merges\":[[\"a\"]]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"merges\":[]},\n\"x\" 1}");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"merges\":[]}} x");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"merges\":[]}");
    read_as_its_twin(BPE_HEAD "{\"a\":0,\n\x01\"b\":1},\"merges\":[]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0},\"merges\":[\"a b\" \"b\"]}}");
    read_as_its_twin(BPE_HEAD "{\"a\":0");
}

static void a_template_naming_a_missing_special_token_is_rejected(void **s)
{
    (void)s;
    tok_error err = parse_fails(
        "{" MODEL ",\"post_processor\":{\"type\":\"TemplateProcessing\","
        "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}}],"
        "\"pair\":[],\"special_tokens\":{}}}", TOK_EFORMAT);
    assert_string_equal(err.message, "post_processor.single[0]: special "
                        "token \"[CLS]\" is not in special_tokens");
    err = parse_fails(
        "{" MODEL ",\"post_processor\":{\"type\":\"TemplateProcessing\","
        "\"single\":[{\"Sequence\":{\"id\":\"C\",\"type_id\":0}}],"
        "\"pair\":[],\"special_tokens\":{}}}", TOK_EFORMAT);
    assert_string_equal(err.message, "post_processor.single[0].Sequence.id: "
                        "expected \"A\" or \"B\"");
    err = parse_fails(
        "{" MODEL ",\"post_processor\":{\"type\":\"BertProcessing\","
        "\"sep\":[\"[SEP]\"],\"cls\":[\"[CLS]\",1]}}", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "post_processor.sep: expected "
                           "[token, id]"));
}

static void load_names_the_file_in_its_errors(void **state)
{
    (void)state;
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_load(&tk, "/nonexistent/tokenizer.json",
                                        &err), TOK_EIO);
    assert_null(tk);
    assert_non_null(strstr(err.message, "/nonexistent/tokenizer.json"));
    /* A JSON error is prefixed with the path too. */
    const char *p = data_path("json/README.md");
    assert_int_equal(tok_tokenizer_load(&tk, p, &err), TOK_EFORMAT);
    assert_memory_equal(err.message, p, strlen(p));
    assert_int_equal(err.line, 1);
}

typedef struct load_job {
    const char *path;
    char *json;
    size_t len;
    int rc;
} load_job;

static void *load_and_write(void *arg)
{
    load_job *job = arg;
    tok_tokenizer *tk = NULL;
    tok_error err;
    job->rc = tok_tokenizer_load(&tk, job->path, &err);
    if (job->rc == TOK_OK)
        job->rc = tok_tokenizer_to_json(tk, &job->json, &job->len, &err);
    tok_tokenizer_free(tk);
    return NULL;
}

static void threads_may_load_and_write_at_the_same_time(void **state)
{
    (void)state;
    load_job jobs[4];
    pthread_t threads[4];
    char paths[2][1024];
    snprintf(paths[0], sizeof paths[0], "%s",
             data_path("json/all-components.json"));
    snprintf(paths[1], sizeof paths[1], "%s", vocab_path("bert-base-cased"));
    for (int i = 0; i < 4; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].path = paths[i % 2];
        assert_int_equal(pthread_create(&threads[i], NULL, load_and_write,
                                        &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(jobs[i].rc, TOK_OK);
        assert_int_equal(jobs[i].len, jobs[i % 2].len);
        assert_memory_equal(jobs[i].json, jobs[i % 2].json, jobs[i].len);
    }
    for (int i = 0; i < 4; i++)
        free(jobs[i].json);
}

/* Every allocation of a load and a write may fail; each failure must come
 * back as TOK_ENOMEM, without a leak or a crash. */
static void allocation_failures_are_reported_not_crashed(void **state)
{
    (void)state;
    size_t len;
    char *doc = slurp(data_path("json/all-components.json"), &len);
    assert_non_null(doc);
    for (size_t n = 1;; n++) {
        tok_tokenizer *tk = NULL;
        tok_error err;
        tok_debug_fail_alloc_after(n);
        int rc = tok_tokenizer_from_json(&tk, doc, len, &err);
        char *json = NULL;
        size_t jlen;
        if (rc == TOK_OK)
            rc = tok_tokenizer_to_json(tk, &json, &jlen, &err);
        size_t made = tok_debug_fail_alloc_after(0);
        free(json);
        tok_tokenizer_free(tk);
        if (rc == TOK_OK) {
            if (made >= n)
                print_error("allocation %zu failed unnoticed\n", n);
            assert_true(made < n);
            break;
        }
        if (rc != TOK_ENOMEM)
            print_error("allocation %zu: %d %s\n", n, rc, err.message);
        assert_int_equal(rc, TOK_ENOMEM);
    }
    tok_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bert_base_uncased_is_written_back_byte_for_byte),
        cmocka_unit_test(bert_base_cased_is_written_back_byte_for_byte),
        cmocka_unit_test(gpt2_is_written_back_byte_for_byte),
        cmocka_unit_test(cl100k_base_is_written_back_byte_for_byte),
        cmocka_unit_test(trained_files_are_written_as_hugging_face_saves_them),
        cmocka_unit_test(every_component_is_written_as_hugging_face_writes_it),
        cmocka_unit_test(wordpiece_with_bert_processing_is_written_as_hf_does),
        cmocka_unit_test(bpe_with_a_continuing_prefix_is_written_as_hf_does),
        cmocka_unit_test(a_written_file_reads_back_to_the_same_bytes),
        cmocka_unit_test(save_writes_the_same_bytes_as_to_json),
        cmocka_unit_test(save_to_a_missing_directory_is_an_io_error),
        cmocka_unit_test(added_token_ids_are_assigned_as_hugging_face_does),
        cmocka_unit_test(
            legacy_merges_are_read_and_a_repeated_merge_keeps_its_last_rank),
        cmocka_unit_test(merges_drop_the_continuing_prefix_of_the_right_part),
        cmocka_unit_test(truncation_and_padding_are_kept_in_canonical_form),
        cmocka_unit_test(components_are_read_with_their_options),
        cmocka_unit_test(a_minimal_file_with_only_a_model_loads),
        cmocka_unit_test(the_document_need_not_be_nul_terminated),
        cmocka_unit_test(the_cjson_version_is_reported),
        cmocka_unit_test(malformed_json_reports_line_and_offset),
        cmocka_unit_test(truncated_json_reports_the_end_of_the_input),
        cmocka_unit_test(an_empty_document_is_a_format_error),
        cmocka_unit_test(invalid_utf8_in_the_document_reports_its_offset),
        cmocka_unit_test(characters_after_the_document_are_rejected),
        cmocka_unit_test(deeply_nested_json_is_rejected_without_crashing),
        cmocka_unit_test(deeply_nested_sequences_are_rejected_without_crashing),
        cmocka_unit_test(a_nul_escape_in_a_string_is_unsupported),
        cmocka_unit_test(a_document_that_is_not_an_object_is_rejected),
        cmocka_unit_test(an_unsupported_pre_tokenizer_is_named_with_its_place),
        cmocka_unit_test(unsupported_components_of_every_stage_are_named),
        cmocka_unit_test(the_cl100k_and_gpt2_split_regexes_load),
        cmocka_unit_test(a_split_regex_is_written_back_unchanged),
        cmocka_unit_test(any_other_split_regex_is_unsupported_and_named),
        cmocka_unit_test(replace_with_a_regex_is_unsupported),
        cmocka_unit_test(bpe_dropout_must_be_null_or_absent),
        cmocka_unit_test(an_unknown_version_is_unsupported),
        cmocka_unit_test(a_field_of_the_wrong_type_is_named_by_its_path),
        cmocka_unit_test(a_missing_field_is_named),
        cmocka_unit_test(a_file_without_a_model_is_rejected),
        cmocka_unit_test(a_bad_enumeration_value_lists_the_accepted_ones),
        cmocka_unit_test(a_metaspace_replacement_must_be_one_character),
        cmocka_unit_test(
            metaspace_add_prefix_space_false_needs_the_never_scheme),
        cmocka_unit_test(a_merge_with_a_token_outside_the_vocabulary_is_named),
        cmocka_unit_test(a_vocabulary_id_used_twice_is_rejected),
        cmocka_unit_test(a_vocabulary_may_leave_ids_unused),
        cmocka_unit_test(
            an_id_far_past_the_end_of_the_vocabulary_is_rejected),
        cmocka_unit_test(escaped_tokens_read_as_cjson_reads_them),
        cmocka_unit_test(syntax_errors_are_placed_as_cjson_places_them),
        cmocka_unit_test(
            a_template_naming_a_missing_special_token_is_rejected),
        cmocka_unit_test(load_names_the_file_in_its_errors),
        cmocka_unit_test(threads_may_load_and_write_at_the_same_time),
        cmocka_unit_test(allocation_failures_are_reported_not_crashed),
    };
    return cmocka_run_group_tests_name("tokenizer_json", tests, NULL, NULL);
}
