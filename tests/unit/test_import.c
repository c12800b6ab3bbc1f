/* files: importing BERT vocab.txt and GPT-2 vocab.json + merges.txt into
 * the tokenizers Hugging Face's converters build, and the errors bad
 * files give (with their line and byte offset). */
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

static char tmpdir[] = "/tmp/tok-import-XXXXXX";

static int make_tmpdir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    static const char *const names[] = {
        "vocab.txt", "vocab.json", "merges.txt"
    };
    char path[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

/* Writes `len` bytes to NAME in the temporary directory; returns the path
 * (one static buffer per name, so several can be alive at once). */
static const char *write_tmp(const char *name, const char *data, size_t len)
{
    static char paths[3][128];
    int slot = strcmp(name, "vocab.txt") == 0 ? 0
             : strcmp(name, "vocab.json") == 0 ? 1 : 2;
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", tmpdir, name);
    FILE *f = fopen(paths[slot], "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return paths[slot];
}

static const char *write_str(const char *name, const char *data)
{
    return write_tmp(name, data, strlen(data));
}

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

/* The tokenizer must serialize to exactly the shipped tokenizer.json. */
static void assert_writes_shipped(const tok_tokenizer *tk, const char *name)
{
    char *json, *want;
    size_t len, wlen;
    tok_error err;
    assert_int_equal(tok_tokenizer_to_json(tk, &json, &len, &err), TOK_OK);
    assert_int_equal(tok_read_file(vocab_path(name), &want, &wlen, &err),
                     TOK_OK);
    assert_same_bytes(json, len, want, wlen);
    free(json);
    tok_free(want);
}

static tok_error bert_fails(const char *path, const tok_bert_options *opts,
                            int code)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    int rc = tok_tokenizer_from_bert_vocab(&tk, path, opts, &err);
    if (rc != code)
        print_error("got %d (%s), expected %d\n", rc, err.message, code);
    assert_int_equal(rc, code);
    assert_null(tk);
    return err;
}

static tok_error gpt2_fails(const char *vocab, const char *merges,
                            const char *const *special, int code)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    int rc = tok_tokenizer_from_gpt2_files(&tk, vocab, merges, special, &err);
    if (rc != code)
        print_error("got %d (%s), expected %d\n", rc, err.message, code);
    assert_int_equal(rc, code);
    assert_null(tk);
    return err;
}

/* A small GPT-2 style vocabulary: "Ġ" is the space of the byte alphabet. */
#define SMALL_VOCAB_JSON \
    "{\"a\": 0, \"b\": 1, \"\\u0120\": 2, \"ab\": 3, \"\\u0120a\": 4, " \
    "\"<|endoftext|>\": 5}"

/* ------------------------------------------------------------------------
 * The shipped vocabularies
 * ------------------------------------------------------------------------ */

static void bert_uncased_vocab_txt_imports_to_the_shipped_file(void **state)
{
    (void)state;
    tok_tokenizer *tk = NULL;
    tok_error err;
    tok_bert_options opts = TOK_BERT_OPTIONS_INIT;
    opts.lowercase = 1;
    assert_int_equal(tok_tokenizer_from_bert_vocab(
                         &tk, data_path("json/import/bert-base-uncased/"
                                        "vocab.txt"), &opts, &err), TOK_OK);
    assert_writes_shipped(tk, "bert-base-uncased");
    assert_int_equal(tok_token_to_id(tk, "[CLS]", 5), 101);
    assert_true(tok_id_is_special(tk, 103));
    tok_tokenizer_free(tk);
}

static void bert_cased_vocab_txt_imports_to_the_shipped_file(void **state)
{
    (void)state;
    tok_tokenizer *tk = NULL;
    tok_error err;
    tok_bert_options opts = TOK_BERT_OPTIONS_INIT;
    opts.lowercase = 0;
    assert_int_equal(tok_tokenizer_from_bert_vocab(
                         &tk, data_path("json/import/bert-base-cased/"
                                        "vocab.txt"), &opts, &err), TOK_OK);
    assert_writes_shipped(tk, "bert-base-cased");
    tok_tokenizer_free(tk);
}

static void gpt2_files_import_to_the_shipped_file(void **state)
{
    (void)state;
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(
                         &tk, data_path("json/import/gpt2/vocab.json"),
                         data_path("json/import/gpt2/merges.txt"), NULL,
                         &err), TOK_OK);
    assert_writes_shipped(tk, "gpt2");
    assert_int_equal(tok_added_count(tk), 1);
    assert_true(tok_id_is_special(tk, 50256));
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * vocab.txt
 * ------------------------------------------------------------------------ */

static void null_bert_options_mean_the_uncased_defaults(void **state)
{
    (void)state;
    const char *p = write_str("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"
                              "[MASK]\nhello\n##lo\n");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_bert_vocab(&tk, p, NULL, &err),
                     TOK_OK);
    assert_true(tk->normalizer->u.bert.lowercase);
    assert_int_equal(tk->normalizer->u.bert.strip_accents, -1);
    assert_int_equal(tk->model->max_input_chars_per_word, 100);
    assert_string_equal(tk->model->continuing_subword_prefix, "##");
    assert_int_equal(tok_added_count(tk), 5);
    assert_int_equal(tk->postproc->specials[0].ids[0], 2);
    tok_tokenizer_free(tk);
}

static void bert_options_rename_the_special_tokens(void **state)
{
    (void)state;
    const char *p = write_str("vocab.txt", "<pad>\n<unk>\n<s>\n</s>\n"
                              "<mask>\nx\n");
    tok_bert_options opts = TOK_BERT_OPTIONS_INIT;
    opts.lowercase = 0;
    opts.unk_token = "<unk>";
    opts.cls_token = "<s>";
    opts.sep_token = "</s>";
    opts.pad_token = "<pad>";
    opts.mask_token = "<mask>";
    opts.max_input_chars_per_word = 12;
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_bert_vocab(&tk, p, &opts, &err),
                     TOK_OK);
    assert_string_equal(tk->model->unk_token, "<unk>");
    assert_int_equal(tk->model->max_input_chars_per_word, 12);
    /* special_tokens is sorted by name: "</s>" before "<s>". */
    const tok_postproc *pp = tk->postproc;
    assert_int_equal(pp->nspecials, 2);
    assert_string_equal(pp->specials[0].name, "</s>");
    assert_int_equal(pp->specials[0].ids[0], 3);
    assert_string_equal(pp->specials[1].name, "<s>");
    assert_string_equal(pp->single[0].special, "<s>");
    assert_string_equal(pp->pair[4].special, "</s>");
    assert_int_equal(pp->pair[4].type_id, 1);
    for (int32_t id = 0; id < 5; id++)
        assert_true(tok_id_is_special(tk, id));
    tok_tokenizer_free(tk);
}

static void a_special_token_missing_from_vocab_txt_gets_the_next_id(
    void **state)
{
    (void)state;
    /* No [MASK] line: transformers adds it after the vocabulary. */
    const char *p = write_str("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\n");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_bert_vocab(&tk, p, NULL, &err),
                     TOK_OK);
    assert_int_equal(tok_token_to_id(tk, "[MASK]", 6), 5);
    tok_tokenizer_free(tk);
}

static void vocab_txt_lines_lose_trailing_white_space(void **state)
{
    (void)state;
    /* CRLF, trailing blanks and a trailing U+3000 are not part of a token
     * (Rust's trim_end); a last line without a newline still counts. */
    const char *p = write_str("vocab.txt", "[PAD]\r\n[UNK]  \n[CLS]\t\n"
                              "[SEP]\xe3\x80\x80\n[MASK]\nend");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_bert_vocab(&tk, p, NULL, &err),
                     TOK_OK);
    assert_int_equal(tok_token_to_id(tk, "[PAD]", 5), 0);
    assert_int_equal(tok_token_to_id(tk, "[UNK]", 5), 1);
    assert_int_equal(tok_token_to_id(tk, "[SEP]", 5), 3);
    assert_int_equal(tok_token_to_id(tk, "end", 3), 5);
    assert_int_equal(tk->model->vocab.size, 6);
    tok_tokenizer_free(tk);
}

static void vocab_txt_with_a_duplicate_token_names_both_lines(void **state)
{
    (void)state;
    const char *p = write_str("vocab.txt", "[PAD]\n[UNK]\nhello\n[CLS]\n"
                              "hello\n");
    tok_error err = bert_fails(p, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.offset, 24);
    assert_non_null(strstr(err.message, ":5: token \"hello\" is already on "
                           "line 3"));
    assert_memory_equal(err.message, p, strlen(p));
}

static void vocab_txt_with_invalid_utf8_names_line_and_offset(void **state)
{
    (void)state;
    const char *p = write_str("vocab.txt", "[PAD]\n[UNK]\nca\xff" "e\n");
    tok_error err = bert_fails(p, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.offset, 14);
    assert_non_null(strstr(err.message, ":3: invalid UTF-8 at byte 14"));
}

static void an_empty_vocab_txt_is_rejected(void **state)
{
    (void)state;
    const char *p = write_tmp("vocab.txt", "", 0);
    tok_error err = bert_fails(p, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "the file is empty"));
}

static void a_vocab_txt_without_the_unk_token_is_rejected(void **state)
{
    (void)state;
    const char *p = write_str("vocab.txt", "[PAD]\n[CLS]\n[SEP]\nx\n");
    tok_error err = bert_fails(p, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "[UNK]"));
}

static void a_vocab_txt_without_the_cls_token_is_rejected(void **state)
{
    (void)state;
    const char *p = write_str("vocab.txt", "[PAD]\n[UNK]\n[SEP]\nx\n");
    tok_error err = bert_fails(p, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "the cls token \"[CLS]\" is not in "
                           "the vocabulary"));
}

static void a_missing_vocab_txt_is_an_io_error(void **state)
{
    (void)state;
    tok_error err = bert_fails("/nonexistent/vocab.txt", NULL, TOK_EIO);
    assert_non_null(strstr(err.message, "/nonexistent/vocab.txt"));
}

/* ------------------------------------------------------------------------
 * vocab.json + merges.txt
 * ------------------------------------------------------------------------ */

static void gpt2_files_build_the_byte_level_pipeline(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\r\n"
                              "\xc4\xa0 a\n");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(&tk, v, m, NULL, &err),
                     TOK_OK);
    assert_int_equal(tk->model->nmerges, 2);
    assert_int_equal(tk->model->merges[0].result, 3);
    assert_int_equal(tk->model->merges[1].result, 4);
    assert_int_equal(tk->pretok->type, TOK_PT_BYTELEVEL);
    assert_false(tk->pretok->u.bytelevel.add_prefix_space);
    assert_int_equal(tk->postproc->type, TOK_POST_BYTELEVEL);
    assert_false(tk->postproc->trim_offsets);
    assert_int_equal(tk->decoder->type, TOK_DEC_BYTELEVEL);
    assert_string_equal(tk->model->continuing_subword_prefix, "");
    assert_true(tk->bytelevel);
    assert_int_equal(tok_added_count(tk), 1);
    assert_true(tok_id_is_special(tk, 5));
    tok_tokenizer_free(tk);
}

static void gpt2_without_endoftext_has_no_added_tokens(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    const char *m = write_str("merges.txt", "#version: 0.2\na b\n");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(&tk, v, m, NULL, &err),
                     TOK_OK);
    assert_int_equal(tok_added_count(tk), 0);
    tok_tokenizer_free(tk);
}

static void a_custom_special_list_registers_those_tokens(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\n");
    static const char *const special[] = {"ab", "a", NULL};
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(&tk, v, m, special, &err),
                     TOK_OK);
    assert_int_equal(tok_added_count(tk), 2);
    assert_true(tok_id_is_special(tk, 0));
    assert_true(tok_id_is_special(tk, 3));
    assert_false(tok_id_is_special(tk, 5));
    tok_tokenizer_free(tk);
}

static void a_special_token_outside_vocab_json_is_rejected(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\n");
    static const char *const special[] = {"<pad>", NULL};
    tok_error err = gpt2_fails(v, m, special, TOK_EINVAL);
    assert_non_null(strstr(err.message, "\"<pad>\" is not in the "
                           "vocabulary"));
}

static void merges_txt_with_an_unknown_token_names_the_line(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\nb zz\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.offset, 18);
    assert_non_null(strstr(err.message, "merges.txt:3: token \"zz\" is not "
                           "in the vocabulary"));
}

static void merges_txt_whose_merged_token_is_unknown_names_the_line(
    void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "b a\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "merges.txt:1: merged token \"ba\" "
                           "is not in the vocabulary"));
}

static void merges_txt_with_a_malformed_line_names_it(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\n\na b\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "merges.txt:3: expected two tokens "
                           "separated by one space"));
    m = write_str("merges.txt", "a b c\n");
    err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 1);
}

static void merges_txt_with_invalid_utf8_names_line_and_offset(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\na \xc0\xaf\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.offset, 20);
    assert_non_null(strstr(err.message, "merges.txt:3: invalid UTF-8 at "
                           "byte 20"));
}

static void an_empty_merges_txt_is_rejected(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_tmp("merges.txt", "", 0);
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "merges.txt: the file is empty"));
}

static void a_repeated_merge_in_merges_txt_keeps_its_last_rank(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "a b\n\xc4\xa0 a\na b\n");
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_gpt2_files(&tk, v, m, NULL, &err),
                     TOK_OK);
    assert_int_equal(tk->model->nmerges, 2);
    assert_int_equal(tk->model->merges[0].result, 4);
    assert_int_equal(tk->model->merges[1].result, 3);
    tok_tokenizer_free(tk);
}

static void vocab_json_that_is_not_an_object_is_rejected(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", "[\"a\", \"b\"]");
    const char *m = write_str("merges.txt", "#version: 0.2\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "vocab.json: expected an object"));
}

static void vocab_json_with_a_bad_id_names_the_token(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", "{\"a\": 0, \"b\": \"1\"}");
    const char *m = write_str("merges.txt", "#version: 0.2\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "vocab.json: \"b\": expected an id"));
    v = write_str("vocab.json", "{\"a\": 0, \"b\": 0}");
    err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "vocab.json: "));
}

static void vocab_json_with_a_syntax_error_reports_line_and_offset(
    void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", "{\"a\": 0,\n \"b\" 1}");
    const char *m = write_str("merges.txt", "#version: 0.2\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.offset, 14);
    assert_non_null(strstr(err.message, "vocab.json: line 2, column 6"));
}

static void an_empty_vocab_json_is_rejected(void **state)
{
    (void)state;
    const char *v = write_tmp("vocab.json", "", 0);
    const char *m = write_str("merges.txt", "#version: 0.2\n");
    tok_error err = gpt2_fails(v, m, NULL, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "empty"));
}

static void missing_gpt2_files_are_io_errors(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    gpt2_fails("/nonexistent/vocab.json", v, NULL, TOK_EIO);
    gpt2_fails(v, "/nonexistent/merges.txt", NULL, TOK_EIO);
}

/* Each allocation of an import may fail; the failure must come back as
 * TOK_ENOMEM without a leak or a crash. */
static void allocation_failures_during_import_are_reported(void **state)
{
    (void)state;
    const char *v = write_str("vocab.json", SMALL_VOCAB_JSON);
    const char *m = write_str("merges.txt", "#version: 0.2\na b\n"
                              "\xc4\xa0 a\na b\n");
    const char *t = write_str("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\n");
    for (int which = 0; which < 2; which++) {
        for (size_t n = 1;; n++) {
            tok_tokenizer *tk = NULL;
            tok_error err;
            tok_debug_fail_alloc_after(n);
            int rc = which == 0
                ? tok_tokenizer_from_gpt2_files(&tk, v, m, NULL, &err)
                : tok_tokenizer_from_bert_vocab(&tk, t, NULL, &err);
            size_t made = tok_debug_fail_alloc_after(0);
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
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bert_uncased_vocab_txt_imports_to_the_shipped_file),
        cmocka_unit_test(bert_cased_vocab_txt_imports_to_the_shipped_file),
        cmocka_unit_test(gpt2_files_import_to_the_shipped_file),
        cmocka_unit_test(null_bert_options_mean_the_uncased_defaults),
        cmocka_unit_test(bert_options_rename_the_special_tokens),
        cmocka_unit_test(
            a_special_token_missing_from_vocab_txt_gets_the_next_id),
        cmocka_unit_test(vocab_txt_lines_lose_trailing_white_space),
        cmocka_unit_test(vocab_txt_with_a_duplicate_token_names_both_lines),
        cmocka_unit_test(vocab_txt_with_invalid_utf8_names_line_and_offset),
        cmocka_unit_test(an_empty_vocab_txt_is_rejected),
        cmocka_unit_test(a_vocab_txt_without_the_unk_token_is_rejected),
        cmocka_unit_test(a_vocab_txt_without_the_cls_token_is_rejected),
        cmocka_unit_test(a_missing_vocab_txt_is_an_io_error),
        cmocka_unit_test(gpt2_files_build_the_byte_level_pipeline),
        cmocka_unit_test(gpt2_without_endoftext_has_no_added_tokens),
        cmocka_unit_test(a_custom_special_list_registers_those_tokens),
        cmocka_unit_test(a_special_token_outside_vocab_json_is_rejected),
        cmocka_unit_test(merges_txt_with_an_unknown_token_names_the_line),
        cmocka_unit_test(
            merges_txt_whose_merged_token_is_unknown_names_the_line),
        cmocka_unit_test(merges_txt_with_a_malformed_line_names_it),
        cmocka_unit_test(merges_txt_with_invalid_utf8_names_line_and_offset),
        cmocka_unit_test(an_empty_merges_txt_is_rejected),
        cmocka_unit_test(a_repeated_merge_in_merges_txt_keeps_its_last_rank),
        cmocka_unit_test(vocab_json_that_is_not_an_object_is_rejected),
        cmocka_unit_test(vocab_json_with_a_bad_id_names_the_token),
        cmocka_unit_test(
            vocab_json_with_a_syntax_error_reports_line_and_offset),
        cmocka_unit_test(an_empty_vocab_json_is_rejected),
        cmocka_unit_test(missing_gpt2_files_are_io_errors),
        cmocka_unit_test(allocation_failures_during_import_are_reported),
    };
    return cmocka_run_group_tests_name("import", tests, make_tmpdir,
                                       remove_tmpdir);
}
