/* Parity with Hugging Face tokenizers and tiktoken: every record of the
 * golden files in tests/data/golden must come out the same (ids, tokens,
 * offsets, type ids, decoded text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "tok.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static tok_tokenizer *load_model(const char *name)
{
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json", dir ? dir : "vocab",
             name);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_load(&tk, path, &err) != TOK_OK) {
        print_error("loading %s: %s\n", path, err.message);
        return NULL;
    }
    return tk;
}

/* The golden texts hold U+0000, which cJSON's C strings cannot carry, so
 * text fields are decoded from the raw line here (the golden files use no
 * surrogate-pair escapes).  Returns a malloc'd buffer, or NULL when the
 * field is absent. */
static char *raw_text(const char *line, const char *key, size_t *len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    char *out = malloc(strlen(p) + 1);
    size_t n = 0;
    while (*p && *p != '"') {
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'u': {
            unsigned v = 0;
            for (int i = 0; i < 4; i++, p++)
                v = v * 16 + (unsigned)(*p <= '9' ? *p - '0'
                                                  : (*p | 0x20) - 'a' + 10);
            if (v < 0x80) {
                out[n++] = (char)v;
            } else if (v < 0x800) {
                out[n++] = (char)(0xC0 | (v >> 6));
                out[n++] = (char)(0x80 | (v & 0x3F));
            } else {
                out[n++] = (char)(0xE0 | (v >> 12));
                out[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default: out[n++] = c; break;
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

typedef struct check {
    const char *model;
    const char *file;
    tok_special_policy special;
    bool pairs;
} check;

static int compare_ints(const cJSON *arr, const int64_t *got, size_t n,
                        const char *what, int id)
{
    if ((size_t)cJSON_GetArraySize(arr) != n) {
        print_error("record %d: %s: %d expected, %zu got\n", id, what,
                    cJSON_GetArraySize(arr), n);
        return 1;
    }
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        if ((int64_t)v->valuedouble != got[i]) {
            print_error("record %d: %s[%zu]: %lld expected, %lld got\n", id,
                        what, i, (long long)v->valuedouble,
                        (long long)got[i]);
            return 1;
        }
        i++;
    }
    return 0;
}

static int compare_offsets(const cJSON *arr, const tok_offset *got, size_t n,
                           const char *what, int id)
{
    if (!arr)
        return 0;
    if ((size_t)cJSON_GetArraySize(arr) != n) {
        print_error("record %d: %s: wrong count\n", id, what);
        return 1;
    }
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        uint32_t s = (uint32_t)cJSON_GetArrayItem(v, 0)->valuedouble;
        uint32_t e = (uint32_t)cJSON_GetArrayItem(v, 1)->valuedouble;
        if (got[i].start != s || got[i].end != e) {
            print_error("record %d: %s[%zu]: (%u, %u) expected, (%u, %u) "
                        "got\n", id, what, i, s, e, got[i].start, got[i].end);
            return 1;
        }
        i++;
    }
    return 0;
}

static int compare_decoded(const tok_tokenizer *tk, const char *line,
                           const char *key, const int32_t *ids, size_t n,
                           int skip, int id)
{
    size_t want_len = 0;
    char *want = raw_text(line, key, &want_len);
    if (!want)
        return 0;
    tok_buffer buf = TOK_BUFFER_INIT;
    tok_decode_options o = TOK_DECODE_OPTIONS_INIT;
    o.skip_special_tokens = skip;
    tok_error err;
    int bad = 0;
    if (tok_decode(tk, ids, n, &o, &buf, &err) != TOK_OK) {
        print_error("record %d: decode failed: %s\n", id, err.message);
        bad = 1;
    } else if (buf.len != want_len || memcmp(buf.data, want, want_len)) {
        print_error("record %d: %s: \"%s\" expected, \"%s\" got\n", id, key,
                    want, buf.data);
        bad = 1;
    }
    tok_buffer_dispose(&buf);
    free(want);
    return bad;
}

static int check_record(const tok_tokenizer *tk, const check *c,
                        const char *line, const cJSON *rec,
                        tok_offset_unit unit,
                        tok_encoding *enc)
{
    int id = cJSON_GetObjectItem(rec, "id")->valueint;
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.special_in_text = c->special;
    o.offsets = unit;
    tok_error err;
    int rc;
    if (c->pairs) {
        size_t al = 0, bl = 0;
        char *a = raw_text(line, "text_a", &al);
        char *b = raw_text(line, "text_b", &bl);
        rc = tok_encode_pair(tk, a, al, b, bl, &o, enc, &err);
        free(a);
        free(b);
    } else {
        size_t tl = 0;
        char *t = raw_text(line, "text", &tl);
        rc = tok_encode(tk, t, tl, &o, enc, &err);
        free(t);
    }
    if (rc != TOK_OK) {
        print_error("record %d: encode failed: %s\n", id, err.message);
        return 1;
    }
    size_t n = tok_encoding_len(enc);
    int64_t *tmp = calloc(n + 1, sizeof *tmp);
    int bad = 0;
    if (!tmp)
        return 1;
    if (unit == TOK_OFFSETS_BYTES) {
        bad |= compare_offsets(cJSON_GetObjectItem(rec, "byte_offsets"),
                               tok_encoding_offsets(enc), n, "byte_offsets",
                               id);
        free(tmp);
        return bad;
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = tok_encoding_ids(enc)[i];
    bad |= compare_ints(cJSON_GetObjectItem(rec, "ids"), tmp, n, "ids", id);
    const cJSON *types = cJSON_GetObjectItem(rec, "type_ids");
    if (!bad && types) {
        for (size_t i = 0; i < n; i++)
            tmp[i] = tok_encoding_type_ids(enc)[i];
        bad |= compare_ints(types, tmp, n, "type_ids", id);
    }
    const cJSON *seqs = cJSON_GetObjectItem(rec, "sequence_ids");
    if (!bad && seqs) {
        size_t i = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, seqs) {
            int want = cJSON_IsNull(v) ? -1 : v->valueint;
            if (i >= n || tok_encoding_sequence_ids(enc)[i] != want) {
                print_error("record %d: sequence_ids[%zu] differ\n", id, i);
                bad = 1;
                break;
            }
            i++;
        }
    }
    const cJSON *tokens = cJSON_GetObjectItem(rec, "tokens");
    if (!bad && tokens) {
        size_t i = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, tokens) {
            if (strcmp(v->valuestring, tok_encoding_token(enc, i)) != 0) {
                print_error("record %d: tokens[%zu]: \"%s\" expected, \"%s\" "
                            "got\n", id, i, v->valuestring,
                            tok_encoding_token(enc, i));
                bad = 1;
                break;
            }
            i++;
        }
    }
    if (!bad)
        bad |= compare_offsets(cJSON_GetObjectItem(rec, "offsets"),
                               tok_encoding_offsets(enc), n, "offsets", id);
    if (!bad) {
        int32_t *ids = malloc((n + 1) * sizeof *ids);
        memcpy(ids, tok_encoding_ids(enc), n * sizeof *ids);
        /* BERT's "decoded" skips special tokens; GPT-2's keeps them. */
        int skip = strncmp(c->model, "bert", 4) == 0;
        bad |= compare_decoded(tk, line, "decoded", ids, n, skip, id);
        bad |= compare_decoded(tk, line, "decoded_with_special", ids, n, 0,
                               id);
        free(ids);
    }
    free(tmp);
    return bad;
}

static void run_check(void **state)
{
    const check *c = *state;
    tok_tokenizer *tk = load_model(c->model);
    assert_non_null(tk);
    const char *dir = getenv("TOK_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/%s", dir ? dir : "data", c->file);
    size_t len = 0;
    char *data = read_all(path, &len);
    assert_non_null(data);
    tok_encoding *enc = tok_encoding_new();
    assert_non_null(enc);
    int records = 0, failures = 0;
    char *line = data;
    while (line < data + len) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        if (nl)
            *nl = '\0';
        if (*line) {
            cJSON *rec = cJSON_Parse(line);
            assert_non_null(rec);
            records++;
            int bad = check_record(tk, c, line, rec, TOK_OFFSETS_CHARS, enc);
            if (!bad)
                bad = check_record(tk, c, line, rec, TOK_OFFSETS_BYTES, enc);
            failures += bad;
            cJSON_Delete(rec);
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    if (failures)
        print_error("%s: %d of %d records differ\n", c->file, failures,
                    records);
    assert_true(records > 0);
    assert_int_equal(failures, 0);
    tok_encoding_free(enc);
    free(data);
    tok_tokenizer_free(tk);
}

static check bert_uncased = {"bert-base-uncased", "bert-base-uncased.jsonl",
                             TOK_SPECIAL_MATCH, false};
static check bert_uncased_split = {"bert-base-uncased",
                                   "bert-base-uncased.split_special.jsonl",
                                   TOK_SPECIAL_TEXT, false};
static check bert_uncased_pairs = {"bert-base-uncased",
                                   "bert-base-uncased.pairs.jsonl",
                                   TOK_SPECIAL_MATCH, true};
static check bert_cased = {"bert-base-cased", "bert-base-cased.jsonl",
                           TOK_SPECIAL_MATCH, false};
static check bert_cased_split = {"bert-base-cased",
                                 "bert-base-cased.split_special.jsonl",
                                 TOK_SPECIAL_TEXT, false};
static check gpt2 = {"gpt2", "gpt2.jsonl", TOK_SPECIAL_MATCH, false};
static check gpt2_split = {"gpt2", "gpt2.split_special.jsonl",
                           TOK_SPECIAL_TEXT, false};
/* tiktoken's encode(text, allowed_special="all"), and encode_ordinary. */
static check cl100k = {"cl100k_base", "cl100k_base.jsonl", TOK_SPECIAL_MATCH,
                       false};
static check cl100k_split = {"cl100k_base", "cl100k_base.split_special.jsonl",
                             TOK_SPECIAL_TEXT, false};

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(run_check, &bert_uncased),
        cmocka_unit_test_prestate(run_check, &bert_uncased_split),
        cmocka_unit_test_prestate(run_check, &bert_uncased_pairs),
        cmocka_unit_test_prestate(run_check, &bert_cased),
        cmocka_unit_test_prestate(run_check, &bert_cased_split),
        cmocka_unit_test_prestate(run_check, &gpt2),
        cmocka_unit_test_prestate(run_check, &gpt2_split),
        cmocka_unit_test_prestate(run_check, &cl100k),
        cmocka_unit_test_prestate(run_check, &cl100k_split),
    };
    return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
