/* files: importing tiktoken vocabularies (.tiktoken files and the
 * special_tokens.json beside them) as byte-level BPE tokenizers that
 * encode as tiktoken does, and the errors bad files give (with their line
 * and byte offset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bytelevel.h"
#include "files.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

#define CL100K_REGEX \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" \
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|" \
    "\\s+(?!\\S)|\\s+"
#define GPT2_REGEX \
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|" \
    "\\s+(?!\\S)|\\s+"

static char tmpdir[] = "/tmp/tok-tiktoken-XXXXXX";

static int make_tmpdir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    static const char *const names[] = {"v.tiktoken", "special.json"};
    char path[128];
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

static const char *write_tmp(const char *name, const char *data, size_t len)
{
    static char paths[2][128];
    int slot = strcmp(name, "v.tiktoken") == 0 ? 0 : 1;
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", tmpdir, name);
    FILE *f = fopen(paths[slot], "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return paths[slot];
}

static void base64(tok_buffer *b, const unsigned char *s, size_t n)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = {abc[v >> 18], abc[(v >> 12) & 63],
                     i + 1 < n ? abc[(v >> 6) & 63] : '=',
                     i + 2 < n ? abc[v & 63] : '='};
        assert_int_equal(tok_buffer_append(b, q, 4), 0);
    }
}

/* A .tiktoken file: every single byte at rank = its value, then `extra`
 * (NULL-terminated) at ranks 256, 257, ...; returns its path. */
static const char *vocab_file(const char *const *extra)
{
    tok_buffer b = TOK_BUFFER_INIT;
    size_t rank = 0;
    for (int c = 0; c < 256; c++) {
        unsigned char byte = (unsigned char)c;
        base64(&b, &byte, 1);
        assert_int_equal(tok_buffer_printf(&b, " %zu\n", rank++), 0);
    }
    for (size_t i = 0; extra && extra[i]; i++) {
        base64(&b, (const unsigned char *)extra[i], strlen(extra[i]));
        assert_int_equal(tok_buffer_printf(&b, " %zu\n", rank++), 0);
    }
    const char *path = write_tmp("v.tiktoken", b.data, b.len);
    tok_buffer_dispose(&b);
    return path;
}

/* The 256 bytes and then `tail`, written as it is (for bad lines). */
static const char *vocab_with_tail(const char *tail)
{
    tok_buffer b = TOK_BUFFER_INIT;
    for (int c = 0; c < 256; c++) {
        unsigned char byte = (unsigned char)c;
        base64(&b, &byte, 1);
        assert_int_equal(tok_buffer_printf(&b, " %d\n", c), 0);
    }
    assert_int_equal(tok_buffer_append(&b, tail, strlen(tail)), 0);
    const char *path = write_tmp("v.tiktoken", b.data, b.len);
    tok_buffer_dispose(&b);
    return path;
}

static tok_tokenizer *import(const char *path, const char *pattern,
                             const tok_tiktoken_special *sp, size_t n)
{
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = pattern;
    o.specials = sp;
    o.nspecials = n;
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_tiktoken(&tk, path, &o, &err) != TOK_OK)
        print_error("%s\n", err.message);
    assert_non_null(tk);
    return tk;
}

static tok_error import_fails(const char *path,
                              const tok_tiktoken_options *o, int code)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    memset(&err, 0, sizeof err);
    int rc = tok_tokenizer_from_tiktoken(&tk, path, o, &err);
    if (rc != code)
        print_error("got %d (%s), expected %d\n", rc, err.message, code);
    assert_int_equal(rc, code);
    assert_null(tk);
    return err;
}

static tok_error bad_file(const char *tail, int code)
{
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    return import_fails(vocab_with_tail(tail), &o, code);
}

/* "id id ..." of the encoding of text. */
static const char *ids_of(const tok_tokenizer *tk, const char *text,
                          tok_special_policy policy)
{
    static char buf[512];
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.special_in_text = policy;
    tok_encoding *enc = tok_encoding_new();
    assert_non_null(enc);
    tok_error err;
    assert_int_equal(tok_encode(tk, text, strlen(text), &o, enc, &err),
                     TOK_OK);
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < tok_encoding_len(enc); i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d", i ? " " : "",
                              tok_encoding_ids(enc)[i]);
    tok_encoding_free(enc);
    return buf;
}

static const char *data_path(const char *rel)
{
    static char path[2][1024];
    static int next;
    const char *dir = getenv("TOK_TEST_DATA");
    char *p = path[next++ & 1];
    snprintf(p, sizeof path[0], "%s/%s", dir ? dir : "tests/data", rel);
    return p;
}

/* ------------------------------------------------------------------------
 * cl100k_base
 * ------------------------------------------------------------------------ */

static void cl100k_base_imports_to_the_shipped_file(void **state)
{
    (void)state;
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.special_tokens_json =
        data_path("json/import/cl100k_base/special_tokens.json");
    tok_tokenizer *tk = NULL;
    tok_error err;
    int rc = tok_tokenizer_from_tiktoken(
        &tk, data_path("json/import/cl100k_base/cl100k_base.tiktoken"), &o,
        &err);
    if (rc)
        print_error("%s\n", err.message);
    assert_int_equal(rc, TOK_OK);
    assert_int_equal(tk->model->nmerges, 100000);
    assert_int_equal(tok_token_to_id(tk, "<|endofprompt|>", 15), 100276);
    assert_null(tok_id_to_token(tk, 100256));
    /* Ids run to 100276 with gaps: an embedding table needs 100277 rows. */
    assert_int_equal(tok_vocab_size(tk), 100277);
    char *json, *want;
    size_t len, wlen;
    assert_int_equal(tok_tokenizer_to_json(tk, &json, &len, &err), TOK_OK);
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/cl100k_base/tokenizer.json",
             dir ? dir : "vocab");
    assert_int_equal(tok_read_file(path, &want, &wlen, &err), TOK_OK);
    assert_true(len == wlen && memcmp(json, want, len) == 0);
    free(json);
    tok_free(want);
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * Merges and encoding
 * ------------------------------------------------------------------------ */

/* "bc" outranks "ab", so BPE on "abc" ends with "a" + "bc": that is the
 * merge, not the first cut that happens to be two tokens. */
static void a_merge_is_the_pair_bpe_ends_with_on_the_token(void **state)
{
    (void)state;
    static const char *const extra[] = {"bc", "ab", "abc", NULL};
    tok_tokenizer *tk = import(vocab_file(extra), GPT2_REGEX, NULL, 0);
    const tok_model *m = tk->model;
    assert_int_equal(m->nmerges, 3);
    assert_int_equal(m->merges[0].left, 'b');
    assert_int_equal(m->merges[0].right, 'c');
    assert_int_equal(m->merges[0].result, 256);
    assert_int_equal(m->merges[1].result, 257);
    assert_int_equal(m->merges[2].left, 'a');
    assert_int_equal(m->merges[2].right, 256);
    assert_int_equal(m->merges[2].result, 258);
    assert_true(m->ignore_merges);
    /* tiktoken: "xabc" merges b+c first, then a+bc. */
    assert_string_equal(ids_of(tk, "xabc", TOK_SPECIAL_MATCH), "120 258");
    assert_string_equal(ids_of(tk, "abab", TOK_SPECIAL_MATCH), "257 257");
    tok_tokenizer_free(tk);
}

/* tiktoken takes a piece whole when it is a token, whatever the merges;
 * a token that BPE cannot build from two lower ranks has no merge, and is
 * reachable that way only. */
static void a_token_bpe_cannot_build_is_produced_only_whole(void **state)
{
    (void)state;
    static const char *const extra[] = {"abc", NULL};
    tok_tokenizer *tk = import(vocab_file(extra), GPT2_REGEX, NULL, 0);
    assert_int_equal(tk->model->nmerges, 0);
    assert_string_equal(ids_of(tk, "abc", TOK_SPECIAL_MATCH), "256");
    assert_string_equal(ids_of(tk, "abcd", TOK_SPECIAL_MATCH),
                        "97 98 99 100");
    tok_tokenizer_free(tk);
}

/* The token ids are the ranks; a byte becomes its byte-level character. */
static void tokens_are_byte_level_strings_with_their_ranks(void **state)
{
    (void)state;
    static const char *const extra[] = {" t", "\xe2\x82", NULL};
    tok_tokenizer *tk = import(vocab_file(extra), CL100K_REGEX, NULL, 0);
    assert_string_equal(tok_id_to_token(tk, ' '), "\xc4\xa0");
    assert_string_equal(tok_id_to_token(tk, 256), "\xc4\xa0t");
    /* 0xe2 is 'â'; 0x82 is not printable, so GPT-2's alphabet shows it
     * as U+0124 'Ĥ' (unprintable bytes get 256 and up, in order). */
    size_t n1, n2;
    const char *c1 = tok_bytelevel_utf8(0xe2, &n1);
    const char *c2 = tok_bytelevel_utf8(0x82, &n2);
    char want[8];
    memcpy(want, c1, n1);
    memcpy(want + n1, c2, n2);
    want[n1 + n2] = '\0';
    assert_string_equal(tok_id_to_token(tk, 257), want);
    assert_string_equal(want, "\xc3\xa2\xc4\xa4");
    assert_string_equal(ids_of(tk, "a t \xe2\x82\xac", TOK_SPECIAL_MATCH),
                        "97 256 32 257 172");
    tok_buffer out = TOK_BUFFER_INIT;
    const int32_t ids[] = {97, 256, 32, 257, 172};
    tok_error err;
    assert_int_equal(tok_decode(tk, ids, 5, NULL, &out, &err), TOK_OK);
    assert_string_equal(out.data, "a t \xe2\x82\xac");
    tok_buffer_dispose(&out);
    tok_tokenizer_free(tk);
}

/* The Split runs the pattern's own scanner: cl100k_base keeps at most
 * three digits together, GPT-2 any number. */
static void the_split_pattern_is_the_one_given(void **state)
{
    (void)state;
    tok_tokenizer *tk = import(vocab_file(NULL), CL100K_REGEX, NULL, 0);
    const tok_pretok *split = tk->pretok->u.seq.items[0];
    assert_int_equal(split->type, TOK_PT_SPLIT);
    assert_true(split->u.split.regex);
    assert_int_equal(split->u.split.scan, TOK_SCAN_CL100K);
    assert_string_equal(split->u.split.pattern, CL100K_REGEX);
    assert_int_equal(split->u.split.behavior, TOK_SPLIT_ISOLATED);
    assert_false(tk->pretok->u.seq.items[1]->u.bytelevel.use_regex);
    tok_tokenizer_free(tk);
    tk = import(vocab_file(NULL), GPT2_REGEX, NULL, 0);
    assert_int_equal(tk->pretok->u.seq.items[0]->u.split.scan,
                     TOK_SCAN_GPT2);
    tok_tokenizer_free(tk);
}

/* ------------------------------------------------------------------------
 * Special tokens
 * ------------------------------------------------------------------------ */

static void special_tokens_keep_their_ids_past_a_gap(void **state)
{
    (void)state;
    static const tok_tiktoken_special sp[] = {
        {"<|end|>", 260}, {"<|fim|>", 258}, {"<|end|>", 260}
    };
    tok_tokenizer *tk = import(vocab_file(NULL), CL100K_REGEX, sp, 3);
    assert_int_equal(tok_added_count(tk), 2);
    assert_int_equal(tok_token_to_id(tk, "<|end|>", 7), 260);
    assert_true(tok_id_is_special(tk, 258));
    assert_null(tok_id_to_token(tk, 256));
    assert_null(tok_id_to_token(tk, 259));
    assert_string_equal(ids_of(tk, "a<|end|>", TOK_SPECIAL_MATCH), "97 260");
    /* As tiktoken's encode_ordinary. */
    assert_string_equal(ids_of(tk, "a<|end|>", TOK_SPECIAL_TEXT),
                        "97 60 124 101 110 100 124 62");
    const int32_t ids[] = {258, 97};
    tok_buffer out = TOK_BUFFER_INIT;
    tok_error err;
    assert_int_equal(tok_decode(tk, ids, 2, NULL, &out, &err), TOK_OK);
    assert_string_equal(out.data, "<|fim|>a");
    const int32_t gap[] = {97, 256};
    assert_int_equal(tok_decode(tk, gap, 2, NULL, &out, &err), TOK_ERANGE);
    assert_int_equal(err.offset, 1);
    tok_buffer_dispose(&out);
    /* The file keeps the gap, and reads back the same. */
    char *json;
    size_t len;
    assert_int_equal(tok_tokenizer_to_json(tk, &json, &len, &err), TOK_OK);
    assert_non_null(strstr(json, "\"\xc3\xbf\": 255,\n"
                           "      \"<|fim|>\": 258,\n"
                           "      \"<|end|>\": 260\n"));
    tok_tokenizer *again = NULL;
    assert_int_equal(tok_tokenizer_from_json(&again, json, len, &err),
                     TOK_OK);
    char *json2;
    size_t len2;
    assert_int_equal(tok_tokenizer_to_json(again, &json2, &len2, &err),
                     TOK_OK);
    assert_true(len == len2 && memcmp(json, json2, len) == 0);
    free(json);
    free(json2);
    tok_tokenizer_free(again);
    tok_tokenizer_free(tk);
}

static void special_tokens_json_gives_the_pattern_and_the_specials(
    void **state)
{
    (void)state;
    /* The regex in a JSON string: each backslash doubled. */
    tok_buffer b = TOK_BUFFER_INIT;
    const char *re = GPT2_REGEX;
    assert_int_equal(tok_buffer_printf(&b, "{\"pat_str\": \""), 0);
    for (const char *p = re; *p; p++) {
        if (*p == '\\')
            assert_int_equal(tok_buffer_append_char(&b, '\\'), 0);
        assert_int_equal(tok_buffer_append_char(&b, *p), 0);
    }
    assert_int_equal(tok_buffer_printf(&b, "\", \"special_tokens\": "
                                       "{\"<|a|>\": 300}}"), 0);
    const char *js = write_tmp("special.json", b.data, b.len);
    tok_buffer_dispose(&b);
    const char *v = vocab_file(NULL);

    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.special_tokens_json = js;
    tok_tokenizer *tk = NULL;
    tok_error err;
    assert_int_equal(tok_tokenizer_from_tiktoken(&tk, v, &o, &err), TOK_OK);
    assert_int_equal(tk->pretok->u.seq.items[0]->u.split.scan,
                     TOK_SCAN_GPT2);
    assert_int_equal(tok_token_to_id(tk, "<|a|>", 5), 300);
    tok_tokenizer_free(tk);

    /* The options' pattern wins, their specials come first. */
    static const tok_tiktoken_special sp[] = {{"<|b|>", 299}};
    o.pattern = CL100K_REGEX;
    o.specials = sp;
    o.nspecials = 1;
    assert_int_equal(tok_tokenizer_from_tiktoken(&tk, v, &o, &err), TOK_OK);
    assert_int_equal(tk->pretok->u.seq.items[0]->u.split.scan,
                     TOK_SCAN_CL100K);
    assert_int_equal(tok_added_count(tk), 2);
    assert_int_equal(tok_token_to_id(tk, "<|b|>", 5), 299);
    tok_tokenizer_free(tk);
}

static void a_special_token_whose_id_or_content_is_taken_is_rejected(
    void **state)
{
    (void)state;
    static const char *const extra[] = {"<|x|>", NULL};
    const char *v = vocab_file(extra);
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    static const tok_tiktoken_special rank[] = {{"<|end|>", 97}};
    o.specials = rank;
    o.nspecials = 1;
    tok_error err = import_fails(v, &o, TOK_EINVAL);
    assert_non_null(strstr(err.message, ": special token \"<|end|>\": id 97 "
                           "is the rank of the token on line 98"));
    static const tok_tiktoken_special token[] = {{"<|x|>", 300}};
    o.specials = token;
    err = import_fails(v, &o, TOK_EINVAL);
    assert_non_null(strstr(err.message, ": special token \"<|x|>\" is the "
                           "token on line 257"));
    static const tok_tiktoken_special twice[] = {
        {"<|a|>", 300}, {"<|a|>", 301}
    };
    o.specials = twice;
    o.nspecials = 2;
    err = import_fails(v, &o, TOK_EINVAL);
    assert_non_null(strstr(err.message, ": special token \"<|a|>\" has two "
                           "ids, 300 and 301"));
    static const tok_tiktoken_special same_id[] = {
        {"<|a|>", 300}, {"<|b|>", 300}
    };
    o.specials = same_id;
    err = import_fails(v, &o, TOK_EINVAL);
    assert_non_null(strstr(err.message, ": id 300 is given to both "
                           "\"<|a|>\" and \"<|b|>\""));
    static const tok_tiktoken_special far[] = {{"<|a|>", 2000000000}};
    o.specials = far;
    o.nspecials = 1;
    err = import_fails(v, &o, TOK_EINVAL);
    assert_non_null(strstr(err.message, "id 2000000000 is too far past the "
                           "vocabulary"));
}

/* ------------------------------------------------------------------------
 * The split pattern
 * ------------------------------------------------------------------------ */

static void a_pattern_tok_has_no_scanner_for_is_unsupported(void **state)
{
    (void)state;
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = "\\w+|\\s+";
    tok_error err = import_fails(vocab_file(NULL), &o, TOK_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "v.tiktoken: the split pattern "
                           "\"\\w+|\\s+\" is not supported: tok has no regex "
                           "engine"));
}

static void a_missing_pattern_is_an_invalid_argument(void **state)
{
    (void)state;
    tok_error err = import_fails(vocab_file(NULL), NULL, TOK_EINVAL);
    assert_non_null(strstr(err.message, "no split pattern"));
}

/* ------------------------------------------------------------------------
 * Bad files
 * ------------------------------------------------------------------------ */

/* The 256 byte lines come first, so the bad line is line 257. */
static void bad_base64_names_the_line_and_the_byte(void **state)
{
    (void)state;
    tok_error err = bad_file("YWJj 256\nYW*j 257\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken:258: invalid base64: "
                           "unexpected '*' at byte"));
    assert_int_equal(err.line, 258);
    assert_true(err.offset > 0);
    err = bad_file("YWJ 256\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken:257: invalid base64: "
                           "the length 3 is not a multiple of 4"));
    assert_int_equal(err.line, 257);
    err = bad_file("YQ=j 256\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, ":257: invalid base64: unexpected "
                           "'='"));
}

static void a_bad_rank_names_the_line(void **state)
{
    (void)state;
    tok_error err = bad_file("YWJj 25x\n", TOK_EFORMAT);
    assert_string_equal(strstr(err.message, "v.tiktoken:"),
                        "v.tiktoken:257: the rank \"25x\" is not a number");
    assert_int_equal(err.line, 257);
    err = bad_file("YWJj -1\n", TOK_EFORMAT);
    assert_int_equal(err.line, 257);
    /* Ranks bound the tables, so they must stay near the line count. */
    err = bad_file("YWJj 1540\n", TOK_EFORMAT);
    assert_string_equal(strstr(err.message, "v.tiktoken:"),
                        "v.tiktoken:257: the rank 1540 is too far past the "
                        "number of lines (ranks may leave gaps, but must "
                        "stay below 1540)");
    err = bad_file("YWJj 99999999999999999999999\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "the rank 99999999999999999999... "
                           "is too far past"));
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    tok_tokenizer *tk = NULL;
    assert_int_equal(tok_tokenizer_from_tiktoken(
                         &tk, vocab_with_tail("YWJj 1539\n"), &o, &err),
                     TOK_OK);
    assert_int_equal(tok_token_to_id(tk, "abc", 3), 1539);
    tok_tokenizer_free(tk);
}

static void a_malformed_line_is_named(void **state)
{
    (void)state;
    tok_error err = bad_file("YWJj\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken:257: expected a base64 "
                           "token, a space and a rank"));
    err = bad_file("YWJj 256 7\n", TOK_EFORMAT);
    assert_int_equal(err.line, 257);
    err = bad_file("= 256\n", TOK_EFORMAT);
    assert_int_equal(err.line, 257);
}

static void a_duplicate_token_or_rank_names_both_lines(void **state)
{
    (void)state;
    tok_error err = bad_file("YWJj 256\nYWJj 257\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken:258: token \"abc\" is "
                           "already on line 257"));
    assert_int_equal(err.line, 258);
    err = bad_file("YWJj 256\nYWJk 256\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken:258: rank 256 is already "
                           "on line 257"));
    err = bad_file("AA== 256\n", TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken:257: token \"\\x00\" is "
                           "already on line 1"));
}

static void blank_lines_and_crlf_are_accepted(void **state)
{
    (void)state;
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    tok_tokenizer *tk = NULL;
    tok_error err;
    const char *v = vocab_with_tail("\nYWJj 300\r\n\n  YWI=\t 299  \n");
    assert_int_equal(tok_tokenizer_from_tiktoken(&tk, v, &o, &err), TOK_OK);
    assert_int_equal(tok_token_to_id(tk, "abc", 3), 300);
    assert_int_equal(tok_token_to_id(tk, "ab", 2), 299);
    assert_int_equal(tk->model->nmerges, 2);
    tok_tokenizer_free(tk);
}

static void a_vocabulary_missing_a_byte_is_rejected(void **state)
{
    (void)state;
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    const char *v = write_tmp("v.tiktoken", "YQ== 0\nYg== 1\nYWI= 2\n", 21);
    tok_error err = import_fails(v, &o, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken: the byte 0x00 is not a "
                           "token (byte-level BPE needs all 256)"));
}

static void an_empty_file_is_rejected(void **state)
{
    (void)state;
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    tok_error err = import_fails(write_tmp("v.tiktoken", "", 0), &o,
                                 TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken: the file is empty"));
    err = import_fails(write_tmp("v.tiktoken", "\n\r\n", 3), &o,
                       TOK_EFORMAT);
    assert_non_null(strstr(err.message, "v.tiktoken: the file has no "
                           "tokens"));
}

static void missing_files_are_io_errors(void **state)
{
    (void)state;
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    tok_error err = import_fails("/nonexistent/cl100k_base.tiktoken", &o,
                                 TOK_EIO);
    assert_non_null(strstr(err.message, "/nonexistent/cl100k_base.tiktoken"));
    o.special_tokens_json = "/nonexistent/special_tokens.json";
    err = import_fails(vocab_file(NULL), &o, TOK_EIO);
    assert_non_null(strstr(err.message, "/nonexistent/special_tokens.json"));
}

static void a_bad_special_tokens_json_is_named(void **state)
{
    (void)state;
    const char *v = vocab_file(NULL);
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.special_tokens_json = write_tmp("special.json",
                                      "{\"special_tokens\": {\"<|a|>\": "
                                      "\"x\"}}", 34);
    tok_error err = import_fails(v, &o, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "special.json.special_tokens[\"<|a|>"
                           "\"]: expected an id"));
    o.special_tokens_json = write_tmp("special.json", "{\"pat_str\": 3}",
                                      14);
    err = import_fails(v, &o, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "special.json.pat_str: expected a "
                           "string, found a number"));
    o.special_tokens_json = write_tmp("special.json", "{\n  \"pat_str\": ",
                                      15);
    err = import_fails(v, &o, TOK_EFORMAT);
    assert_non_null(strstr(err.message, "special.json: line 2"));
}

/* Each allocation of an import may fail; the failure must come back as
 * TOK_ENOMEM without a leak or a crash. */
static void allocation_failures_during_import_are_reported(void **state)
{
    (void)state;
    static const char *const extra[] = {"bc", "ab", "abc", "<|x", NULL};
    const char *v = vocab_file(extra);
    static const tok_tiktoken_special sp[] = {{"<|end|>", 262}};
    tok_tiktoken_options o = TOK_TIKTOKEN_OPTIONS_INIT;
    o.pattern = CL100K_REGEX;
    o.specials = sp;
    o.nspecials = 1;
    for (size_t n = 1;; n++) {
        tok_tokenizer *tk = NULL;
        tok_error err;
        tok_debug_fail_alloc_after(n);
        int rc = tok_tokenizer_from_tiktoken(&tk, v, &o, &err);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cl100k_base_imports_to_the_shipped_file),
        cmocka_unit_test(a_merge_is_the_pair_bpe_ends_with_on_the_token),
        cmocka_unit_test(a_token_bpe_cannot_build_is_produced_only_whole),
        cmocka_unit_test(tokens_are_byte_level_strings_with_their_ranks),
        cmocka_unit_test(the_split_pattern_is_the_one_given),
        cmocka_unit_test(special_tokens_keep_their_ids_past_a_gap),
        cmocka_unit_test(
            special_tokens_json_gives_the_pattern_and_the_specials),
        cmocka_unit_test(
            a_special_token_whose_id_or_content_is_taken_is_rejected),
        cmocka_unit_test(a_pattern_tok_has_no_scanner_for_is_unsupported),
        cmocka_unit_test(a_missing_pattern_is_an_invalid_argument),
        cmocka_unit_test(bad_base64_names_the_line_and_the_byte),
        cmocka_unit_test(a_bad_rank_names_the_line),
        cmocka_unit_test(a_malformed_line_is_named),
        cmocka_unit_test(a_duplicate_token_or_rank_names_both_lines),
        cmocka_unit_test(blank_lines_and_crlf_are_accepted),
        cmocka_unit_test(a_vocabulary_missing_a_byte_is_rejected),
        cmocka_unit_test(an_empty_file_is_rejected),
        cmocka_unit_test(missing_files_are_io_errors),
        cmocka_unit_test(a_bad_special_tokens_json_is_named),
        cmocka_unit_test(allocation_failures_during_import_are_reported),
    };
    return cmocka_run_group_tests_name("tiktoken", tests, make_tmpdir,
                                       remove_tmpdir);
}
