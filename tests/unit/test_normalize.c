/* normalize: the normalizer stage, checked against what Hugging Face
 * tokenizers 0.23.2 does (fixtures from tests/gen/hf_cases.js and
 * tests/gen/hf_codepoints.js) and on the corner cases by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "normalize.h"
#include "utf8.h"

/* ---- Helpers ---- */

/* Alignments of a fresh text: every byte maps to its own character. */
static tok_span *natural_align(const char *text, size_t len)
{
    tok_span *a = malloc((len ? len : 1) * sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = tok_utf8_decode((const unsigned char *)text, len, i, &cp);
        assert_true(k > 0);
        for (size_t j = 0; j < k; j++)
            a[i + j] = (tok_span){(uint32_t)i, (uint32_t)(i + k)};
        i += k;
    }
    return a;
}

/* Checks that every byte of each output character has the same span and
 * collects the spans, one per character; returns the count. */
static size_t char_spans(const tok_normalized *n, tok_span *spans)
{
    size_t c = 0;
    for (size_t i = 0; i < n->len;) {
        uint32_t cp;
        size_t k = tok_utf8_decode((const unsigned char *)n->text, n->len, i,
                                   &cp);
        assert_true(k > 0);
        for (size_t j = 1; j < k; j++) {
            assert_int_equal(n->align[i + j].start, n->align[i].start);
            assert_int_equal(n->align[i + j].end, n->align[i].end);
        }
        spans[c++] = n->align[i];
        i += k;
    }
    return c;
}

typedef struct run {
    tok_normalized out;
    tok_norm_scratch s;
    tok_span spans[512];
    size_t nspans;
} run;

/* Normalizes text (with natural alignments) into r->out. */
static int norm(run *r, const tok_normalizer *n, const char *text,
                size_t len)
{
    tok_span *a = natural_align(text, len);
    tok_normalized_clear(&r->out);
    int rc = tok_normalize(n, text, a, len, &r->out, &r->s);
    free(a);
    if (rc == TOK_OK && r->out.len <= 512)
        r->nspans = char_spans(&r->out, r->spans);
    return rc;
}

static void run_dispose(run *r)
{
    tok_normalized_dispose(&r->out);
    tok_norm_scratch_dispose(&r->s);
}

static void assert_text(const run *r, const char *want)
{
    if (r->out.len != strlen(want) || memcmp(r->out.text, want, r->out.len))
        fail_msg("normalized \"%.*s\", expected \"%s\"", (int)r->out.len,
                 r->out.text, want);
    assert_int_equal(r->out.text[r->out.len], '\0');
}

/* want: start, end of each output character, in bytes. */
static void assert_spans(const run *r, const uint32_t *want, size_t n)
{
    assert_int_equal(r->nspans, n);
    for (size_t i = 0; i < n; i++) {
        if (r->spans[i].start != want[2 * i] ||
            r->spans[i].end != want[2 * i + 1])
            fail_msg("character %zu: span [%u, %u), expected [%u, %u)", i,
                     r->spans[i].start, r->spans[i].end, want[2 * i],
                     want[2 * i + 1]);
    }
}

#define SPANS(r, ...) do { \
    static const uint32_t want_[] = {__VA_ARGS__}; \
    assert_spans((r), want_, sizeof want_ / sizeof *want_ / 2); \
} while (0)

static tok_normalizer bert(bool clean, bool cjk, int strip, bool lower)
{
    tok_normalizer n = {.type = TOK_NORM_BERT};
    n.u.bert.clean_text = clean;
    n.u.bert.handle_chinese_chars = cjk;
    n.u.bert.strip_accents = strip;
    n.u.bert.lowercase = lower;
    return n;
}

static const char *data_path(const char *name, char *buf, size_t size)
{
    const char *dir = getenv("TOK_TEST_DATA");
    snprintf(buf, size, "%s/normalize/%s", dir ? dir : "tests/data", name);
    return buf;
}

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    char *data;
    if (tok_read_file(data_path(name, path, sizeof path), &data, len, NULL))
        fail_msg("cannot read %s (set TOK_TEST_DATA)", path);
    return data;
}

/* ---- HF's JSON description of a normalizer ---- */

static bool jbool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsString(v));
    return tok_strdup(v->valuestring);
}

static tok_normalizer *from_json(const cJSON *j)
{
    const char *type =
        cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring;
    static const struct {
        const char *name;
        tok_normalizer_type type;
    } types[] = {
        {"BertNormalizer", TOK_NORM_BERT}, {"NFC", TOK_NORM_NFC},
        {"NFD", TOK_NORM_NFD}, {"NFKC", TOK_NORM_NFKC},
        {"NFKD", TOK_NORM_NFKD}, {"Lowercase", TOK_NORM_LOWERCASE},
        {"StripAccents", TOK_NORM_STRIP_ACCENTS}, {"Strip", TOK_NORM_STRIP},
        {"Replace", TOK_NORM_REPLACE}, {"Prepend", TOK_NORM_PREPEND},
        {"Sequence", TOK_NORM_SEQUENCE},
    };
    size_t t = 0;
    while (t < sizeof types / sizeof *types && strcmp(types[t].name, type))
        t++;
    if (t == sizeof types / sizeof *types)
        fail_msg("unknown normalizer %s", type);
    tok_normalizer *n = tok_normalizer_new(types[t].type);
    assert_non_null(n);
    switch (n->type) {
    case TOK_NORM_BERT: {
        const cJSON *sa = cJSON_GetObjectItemCaseSensitive(j, "strip_accents");
        n->u.bert.clean_text = jbool(j, "clean_text");
        n->u.bert.handle_chinese_chars = jbool(j, "handle_chinese_chars");
        n->u.bert.strip_accents = cJSON_IsNull(sa) ? -1 : cJSON_IsTrue(sa);
        n->u.bert.lowercase = jbool(j, "lowercase");
        break;
    }
    case TOK_NORM_STRIP:
        n->u.strip.left = jbool(j, "strip_left");
        n->u.strip.right = jbool(j, "strip_right");
        break;
    case TOK_NORM_REPLACE:
        n->u.replace.pattern =
            jstr(cJSON_GetObjectItemCaseSensitive(j, "pattern"), "String");
        n->u.replace.content = jstr(j, "content");
        break;
    case TOK_NORM_PREPEND:
        n->u.prepend.prepend = jstr(j, "prepend");
        break;
    case TOK_NORM_SEQUENCE: {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "normalizers");
        size_t count = (size_t)cJSON_GetArraySize(items);
        n->u.seq.items = tok_calloc(count, sizeof *n->u.seq.items);
        assert_non_null(n->u.seq.items);
        n->u.seq.n = count;
        size_t i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
            n->u.seq.items[i++] = from_json(it);
        break;
    }
    default:
        break;
    }
    return n;
}

/* ---- Replaying Hugging Face's outputs ---- */

static void print_escaped(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '\\')
            print_error("\\x%02x", c);
        else
            print_error("%c", c);
    }
}

static void texts_match_hf_text_and_alignments(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("cases.jsonl", &len);
    enum { MAXCONF = 64 };
    const char *names[MAXCONF];
    tok_normalizer *norms[MAXCONF];
    cJSON *docs[MAXCONF];
    size_t nconf = 0, cases = 0, failures = 0;
    tok_normalized out = {0};
    tok_norm_scratch s = {0};
    for (char *line = data; line < data + len;) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        if (!nl)
            nl = data + len;
        *nl = '\0';
        /* C strings end at U+0000: that text is checked by name. */
        cJSON *j = strstr(line, "\\u0000") ? NULL : cJSON_Parse(line);
        line = nl + 1;
        if (!j)
            continue;
        const char *config =
            cJSON_GetObjectItemCaseSensitive(j, "config")->valuestring;
        const cJSON *def = cJSON_GetObjectItemCaseSensitive(j, "normalizer");
        if (def) {
            assert_true(nconf < MAXCONF);
            names[nconf] = config;
            norms[nconf] = from_json(def);
            docs[nconf++] = j;  /* keeps names[] alive */
            continue;
        }
        size_t c = 0;
        while (c < nconf && strcmp(names[c], config))
            c++;
        assert_true(c < nconf);
        /* Texts may hold U+0000: take the lengths from the UTF-8. */
        const cJSON *jt = cJSON_GetObjectItemCaseSensitive(j, "text");
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(j, "normalized");
        const cJSON *ja = cJSON_GetObjectItemCaseSensitive(j, "align");
        const char *text = jt->valuestring;
        const char *want = jn->valuestring;
        size_t tlen = strlen(text), wlen = strlen(want);
        cases++;
        tok_span *a = natural_align(text, tlen);
        tok_normalized_clear(&out);
        int rc = tok_normalize(norms[c], text, a, tlen, &out, &s);
        free(a);
        assert_int_equal(rc, TOK_OK);
        bool ok = out.len == wlen && !memcmp(out.text, want, wlen);
        size_t nchars = 0;
        tok_span *spans = malloc((out.len + 1) * sizeof *spans);
        if (ok) {
            nchars = char_spans(&out, spans);
            ok = nchars == (size_t)cJSON_GetArraySize(ja) / 2;
        }
        for (size_t i = 0; ok && i < nchars; i++) {
            ok = spans[i].start ==
                     (uint32_t)cJSON_GetArrayItem(ja, (int)(2 * i))->valueint &&
                 spans[i].end ==
                     (uint32_t)cJSON_GetArrayItem(ja, (int)(2 * i + 1))
                         ->valueint;
        }
        free(spans);
        if (!ok && failures++ < 10) {
            print_error("%s: \"", config);
            print_escaped(text, tlen);
            print_error("\" gave \"");
            print_escaped(out.text, out.len);
            print_error("\" with");
            for (size_t i = 0; i < out.len; i++)
                print_error(" %u-%u", out.align[i].start, out.align[i].end);
            print_error(", HF \"");
            print_escaped(want, wlen);
            print_error("\" with %s\n", cJSON_PrintUnformatted(ja));
        }
        cJSON_Delete(j);
    }
    print_message("%zu texts under %zu normalizers, %zu differ\n", cases,
                  nconf, failures);
    for (size_t c = 0; c < nconf; c++) {
        tok_normalizer_free(norms[c]);
        cJSON_Delete(docs[c]);
    }
    tok_normalized_dispose(&out);
    tok_norm_scratch_dispose(&s);
    free(data);
    assert_true(cases > 1000);
    assert_int_equal(failures, 0);
}

/* The golden BERT encodings (split_special files: no added tokens in the
 * text) must tile the normalized text, spaces aside, and each token's
 * offsets must be the spans of its first and last bytes. */
static size_t golden_bert_check(const char *file, const tok_normalizer *n,
                                size_t *checked)
{
    char path[1024];
    const char *dir = getenv("TOK_TEST_DATA");
    snprintf(path, sizeof path, "%s/golden/%s", dir ? dir : "tests/data",
             file);
    char *data;
    size_t len, failures = 0;
    if (tok_read_file(path, &data, &len, NULL))
        fail_msg("cannot read %s", path);
    run r = {0};
    for (char *line = data; line < data + len;) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        if (!nl)
            nl = data + len;
        *nl = '\0';
        cJSON *j = strstr(line, "\\u0000") ? NULL : cJSON_Parse(line);
        line = nl + 1;
        if (!j)
            continue;
        const char *text =
            cJSON_GetObjectItemCaseSensitive(j, "text")->valuestring;
        const cJSON *toks = cJSON_GetObjectItemCaseSensitive(j, "tokens");
        const cJSON *offs =
            cJSON_GetObjectItemCaseSensitive(j, "byte_offsets");
        int nt = cJSON_GetArraySize(toks);
        /* [UNK] stands for a whole word; special tokens in the text are
         * matched before normalization. */
        bool skip = false;
        static const char *const special[] = {"[UNK]", "[PAD]", "[CLS]",
                                              "[SEP]", "[MASK]"};
        for (int t = 1; t + 1 < nt; t++)
            for (size_t k = 0; k < 5; k++)
                skip |= !strcmp(cJSON_GetArrayItem(toks, t)->valuestring,
                                special[k]);
        if (skip) {
            cJSON_Delete(j);
            continue;
        }
        assert_int_equal(norm(&r, n, text, strlen(text)), TOK_OK);
        size_t pos = 0;
        bool ok = true;
        for (int t = 1; ok && t + 1 < nt; t++) {
            const char *tok = cJSON_GetArrayItem(toks, t)->valuestring;
            if (t > 1 && !strncmp(tok, "##", 2))
                tok += 2;
            size_t tl = strlen(tok);
            while (pos < r.out.len && r.out.text[pos] == ' ')
                pos++;
            ok = pos + tl <= r.out.len && !memcmp(r.out.text + pos, tok, tl);
            const cJSON *o = cJSON_GetArrayItem(offs, t);
            ok = ok && tl > 0 &&
                 r.out.align[pos].start ==
                     (uint32_t)cJSON_GetArrayItem(o, 0)->valueint &&
                 r.out.align[pos + tl - 1].end ==
                     (uint32_t)cJSON_GetArrayItem(o, 1)->valueint;
            pos += tl;
        }
        while (pos < r.out.len && r.out.text[pos] == ' ')
            pos++;
        if ((!ok || pos != r.out.len) && failures++ < 10)
            print_error("%s: \"%s\" does not tile\n", file, text);
        (*checked)++;
        cJSON_Delete(j);
    }
    run_dispose(&r);
    free(data);
    return failures;
}

static void golden_bert_tokens_tile_the_text_with_their_offsets(void **state)
{
    (void)state;
    tok_normalizer uncased = bert(true, true, -1, true);
    tok_normalizer cased = bert(true, true, -1, false);
    size_t checked = 0;
    size_t failures =
        golden_bert_check("bert-base-uncased.split_special.jsonl", &uncased,
                          &checked) +
        golden_bert_check("bert-base-uncased.jsonl", &uncased, &checked) +
        golden_bert_check("bert-base-cased.jsonl", &cased, &checked);
    print_message("%zu golden encodings checked\n", checked);
    assert_true(checked > 400);
    assert_int_equal(failures, 0);
}

/* One kind of line of codepoints.txt: what a normalizer does to each code
 * point when it is alone. */
typedef struct cp_kind {
    const char *name;
    tok_normalizer n;
    bool hangul_sampled;   /* the generator kept only some syllables */
} cp_kind;

static bool hangul_skipped(uint32_t c)
{
    return c >= 0xAC00 && c <= 0xD7A3 && (c - 0xAC00) % 28 != 0 &&
           (c - 0xAC00) % 37 != 0;
}

/* Parses "KIND FIRST[..LAST] RESULT"; returns false at the end. */
static bool next_line(char **p, char *end, char *kind, uint32_t *lo,
                      uint32_t *hi, char *result, size_t rsize)
{
    if (*p >= end)
        return false;
    char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        nl = end;
    char range[64];
    int got = sscanf(*p, "%31s %63s %s", kind, range, result);
    assert_int_equal(got, 3);
    assert_true(strlen(result) < rsize);
    *lo = (uint32_t)strtoul(range, NULL, 16);
    char *dots = strstr(range, "..");
    *hi = dots ? (uint32_t)strtoul(dots + 2, NULL, 16) : *lo;
    *p = nl + 1;
    return true;
}

/* "-" or hex code points joined by ',' to UTF-8. */
static size_t result_utf8(const char *result, char *out)
{
    size_t n = 0;
    if (!strcmp(result, "-"))
        return 0;
    for (const char *r = result; *r;) {
        char *e;
        uint32_t cp = (uint32_t)strtoul(r, &e, 16);
        n += tok_utf8_encode(cp, out + n);
        r = *e ? e + 1 : e;
    }
    return n;
}

static void every_code_point_alone_matches_hf(void **state)
{
    (void)state;
    cp_kind kinds[] = {
        {"clean", bert(true, false, 0, false), false},
        {"bertstrip", bert(false, false, 1, false), true},
        {"bertchinese", bert(false, true, 0, false), false},
        {"lower", {.type = TOK_NORM_LOWERCASE}, false},
        {"stripaccents", {.type = TOK_NORM_STRIP_ACCENTS}, false},
        {"nfd", {.type = TOK_NORM_NFD}, true},
        {"nfkd", {.type = TOK_NORM_NFKD}, true},
        {"nfc", {.type = TOK_NORM_NFC}, false},
        {"nfkc", {.type = TOK_NORM_NFKC}, false},
    };
    enum { NK = sizeof kinds / sizeof *kinds };
    size_t len;
    char *data = slurp("codepoints.txt", &len);
    /* Expected output per kind and code point, as offsets into one pool;
     * UINT32_MAX: unchanged. */
    uint32_t(*want)[NK] = malloc(sizeof(uint32_t[NK]) * 0x110000);
    size_t cap = 1 << 20;
    char *pool = malloc(cap);
    assert_non_null(want);
    assert_non_null(pool);
    memset(want, 0xFF, sizeof(uint32_t[NK]) * 0x110000);
    size_t used = 0;
    char *p = data, kind[32], result[512];
    uint32_t lo, hi;
    while (next_line(&p, data + len, kind, &lo, &hi, result, sizeof result)) {
        size_t k = 0;
        while (k < NK && strcmp(kinds[k].name, kind))
            k++;
        if (k == NK)
            continue;
        for (uint32_t c = lo; c <= hi; c++) {
            if (used + 2 * sizeof result > cap) {
                cap *= 2;
                pool = realloc(pool, cap);
                assert_non_null(pool);
            }
            want[c][k] = (uint32_t)used;
            char *o = pool + used + 1;
            size_t n;
            if (!strcmp(kind, "bertchinese")) {
                o[0] = ' ';
                n = 1 + tok_utf8_encode(c, o + 1);
                o[n++] = ' ';
            } else {
                n = result_utf8(result, o);
            }
            pool[used] = (char)n;
            used += n + 1;
        }
    }
    size_t failures = 0, checked = 0;
    tok_normalized out = {0};
    tok_norm_scratch s = {0};
    for (uint32_t c = 0; c < 0x110000; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        char in[4];
        size_t ilen = tok_utf8_encode(c, in);
        tok_span a[4];
        for (size_t i = 0; i < ilen; i++)
            a[i] = (tok_span){0, (uint32_t)ilen};
        for (size_t k = 0; k < NK; k++) {
            if (kinds[k].hangul_sampled && hangul_skipped(c))
                continue;
            const char *w = in;
            size_t wlen = ilen;
            if (want[c][k] != UINT32_MAX) {
                w = pool + want[c][k] + 1;
                wlen = (unsigned char)pool[want[c][k]];
            }
            tok_normalized_clear(&out);
            assert_int_equal(tok_normalize(&kinds[k].n, in, a, ilen, &out, &s),
                             TOK_OK);
            checked++;
            bool ok = out.len == wlen && !memcmp(out.text, w, wlen);
            for (size_t i = 0; ok && i < out.len; i++)
                ok = out.align[i].start == 0 && out.align[i].end == ilen;
            if (!ok && failures++ < 20)
                print_error("%s U+%04X: got %zu bytes, HF %zu\n",
                            kinds[k].name, c, out.len, wlen);
        }
    }
    print_message("%zu code point checks, %zu differ\n", checked, failures);
    tok_normalized_dispose(&out);
    tok_norm_scratch_dispose(&s);
    free(want);
    free(pool);
    free(data);
    assert_int_equal(failures, 0);
}

/* HF composes 'a' with U+0301 or U+0323 across a character exactly when
 * that character has a nonzero combining class in its Unicode 9.0 data. */
static void combining_classes_block_composition_as_in_hf(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("codepoints.txt", &len);
    unsigned char *nonzero = calloc(0x110000, 1);
    assert_non_null(nonzero);
    char *p = data, kind[32], result[512];
    uint32_t lo, hi;
    while (next_line(&p, data + len, kind, &lo, &hi, result, sizeof result))
        if (!strcmp(kind, "ccc"))
            for (uint32_t c = lo; c <= hi; c++)
                nonzero[c] = 1;
    tok_normalizer nfc = {.type = TOK_NORM_NFC};
    run r = {0};
    size_t failures = 0;
    for (uint32_t c = 0; c < 0x110000; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        bool composed = false;
        for (int m = 0; m < 2; m++) {
            char in[16] = "a";
            size_t n = 1 + tok_utf8_encode(c, in + 1);
            memcpy(in + n, m ? "\xcc\xa3" : "\xcc\x81", 2);
            assert_int_equal(norm(&r, &nfc, in, n + 2), TOK_OK);
            composed |= r.out.text[0] != 'a';
        }
        if (composed != (nonzero[c] != 0) && failures++ < 20)
            print_error("U+%04X: composed %d, HF %d\n", c, composed,
                        nonzero[c]);
    }
    run_dispose(&r);
    free(nonzero);
    free(data);
    assert_int_equal(failures, 0);
}

/* ---- BertNormalizer ---- */

static void bert_uncased_lowercases_and_strips_accents_of_nfc_and_nfd(
    void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, true);
    run r = {0};
    assert_int_equal(norm(&r, &n, "Caf\xc3\xa9", 5), TOK_OK);   /* Café */
    assert_text(&r, "cafe");
    SPANS(&r, 0, 1, 1, 2, 2, 3, 3, 5);
    assert_int_equal(norm(&r, &n, "Cafe\xcc\x81", 6), TOK_OK);  /* NFD */
    assert_text(&r, "cafe");
    SPANS(&r, 0, 1, 1, 2, 2, 3, 3, 4);
    run_dispose(&r);
}

static void bert_cased_keeps_accents_and_combining_marks(void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, false);
    run r = {0};
    assert_int_equal(norm(&r, &n, "Cafe\xcc\x81 \xc3\x89", 9), TOK_OK);
    assert_text(&r, "Cafe\xcc\x81 \xc3\x89");
    run_dispose(&r);
}

static void bert_deletes_controls_and_turns_unicode_spaces_into_spaces(
    void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, true);
    run r = {0};
    /* bell, NUL, U+FFFD, ZWSP (Cf), NEL (Cc though White_Space), NBSP,
     * ideographic space, tab. */
    static const char in[] = "a\x07" "b\0c\xef\xbf\xbd" "d\xe2\x80\x8b"
                             "e\xc2\x85" "f\xc2\xa0g\xe3\x80\x80h\ti";
    assert_int_equal(norm(&r, &n, in, sizeof in - 1), TOK_OK);
    assert_text(&r, "abcdef g h i");
    SPANS(&r, 0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 15, 16, 16, 18, 18, 19, 19, 22,
          22, 23, 23, 24, 24, 25);
    run_dispose(&r);
}

static void bert_keeps_unassigned_and_newer_format_characters(void **state)
{
    (void)state;
    /* U+0378 is unassigned (Cn), U+08E2 a format character added after
     * the Unicode 8.0 that HF's classes know. */
    tok_normalizer n = bert(true, true, -1, false);
    run r = {0};
    assert_int_equal(norm(&r, &n, "\xcd\xb8\xe0\xa3\xa2", 5), TOK_OK);
    assert_text(&r, "\xcd\xb8\xe0\xa3\xa2");
    run_dispose(&r);
}

static void bert_puts_spaces_around_ideographs_aligned_to_them(void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, true);
    run r = {0};
    /* 中 is an ideograph; か (kana) and 안 (hangul) are not. */
    assert_int_equal(norm(&r, &n, "a\xe4\xb8\xad" "b", 5), TOK_OK);
    assert_text(&r, "a \xe4\xb8\xad b");
    SPANS(&r, 0, 1, 1, 4, 1, 4, 1, 4, 4, 5);
    assert_int_equal(norm(&r, &n, "\xe3\x81\x8b", 3), TOK_OK);
    assert_text(&r, "\xe3\x81\x8b");
    tok_normalizer cased = bert(true, true, -1, false);
    assert_int_equal(norm(&r, &cased, "\xec\x95\x88", 3), TOK_OK);
    assert_text(&r, "\xec\x95\x88");
    run_dispose(&r);
}

static void bert_lowercases_without_a_final_sigma(void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, true);
    run r = {0};
    /* ΟΔΟΣ, İ, I, ẞ */
    assert_int_equal(norm(&r, &n, "\xce\x9f\xce\x94\xce\x9f\xce\xa3 "
                                  "\xc4\xb0 I \xe1\xba\x9e", 17), TOK_OK);
    assert_text(&r, "\xce\xbf\xce\xb4\xce\xbf\xcf\x83 i i \xc3\x9f");
    run_dispose(&r);
}

static void bert_cased_dotted_capital_i_keeps_its_dot_when_not_stripped(
    void **state)
{
    (void)state;
    /* Lowercase without stripping: İ becomes i + U+0307, both aligned to
     * the İ. */
    tok_normalizer n = bert(true, true, 0, true);
    run r = {0};
    assert_int_equal(norm(&r, &n, "\xc4\xb0x", 3), TOK_OK);
    assert_text(&r, "i\xcc\x87x");
    SPANS(&r, 0, 2, 0, 2, 2, 3);
    run_dispose(&r);
}

static void bert_stripping_splits_hangul_and_drops_dakuten_virama_points(
    void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, true);
    run r = {0};
    /* 안 → ᄋ ᅡ ᆫ, all aligned to the syllable. */
    assert_int_equal(norm(&r, &n, "\xec\x95\x88", 3), TOK_OK);
    assert_text(&r, "\xe1\x84\x8b\xe1\x85\xa1\xe1\x86\xab");
    SPANS(&r, 0, 3, 0, 3, 0, 3);
    /* です → てす */
    assert_int_equal(norm(&r, &n, "\xe3\x81\xa7\xe3\x81\x99", 6), TOK_OK);
    assert_text(&r, "\xe3\x81\xa6\xe3\x81\x99");
    /* नमस्ते: virama U+094D and the Mn vowel sign U+0947 go */
    assert_int_equal(norm(&r, &n, "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8"
                                  "\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87", 18),
                     TOK_OK);
    assert_text(&r, "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa4\xa4");
    /* שָׁלוֹם: Hebrew points go */
    assert_int_equal(norm(&r, &n, "\xd7\xa9\xd6\xb8\xd7\x81\xd7\x9c\xd7\x95"
                                  "\xd6\xb9\xd7\x9d", 14), TOK_OK);
    assert_text(&r, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
    /* ♥️ → ♥ (U+FE0F is Mn) */
    assert_int_equal(norm(&r, &n, "\xe2\x99\xa5\xef\xb8\x8f", 6), TOK_OK);
    assert_text(&r, "\xe2\x99\xa5");
    run_dispose(&r);
}

static void bert_reorders_marks_across_a_deleted_control(void **state)
{
    (void)state;
    /* clean_text runs before NFD: with the VT gone, U+1BAA (class 9, not
     * Mn) moves ahead of U+05A0 (class 230, Mn) and takes its span. */
    tok_normalizer n = bert(true, false, 1, false);
    run r = {0};
    assert_int_equal(norm(&r, &n, "C\xd6\xa0\x0b\xe1\xae\xaa", 7), TOK_OK);
    assert_text(&r, "C\xe1\xae\xaa");
    SPANS(&r, 0, 1, 1, 3);
    run_dispose(&r);
}

static void bert_does_not_fold_full_width_or_math_letters(void **state)
{
    (void)state;
    tok_normalizer n = bert(true, true, -1, true);
    run r = {0};
    /* No NFKC: Ｈ lowercases to ｈ, not h; 𝐇 has no lowercase. */
    assert_int_equal(norm(&r, &n, "\xef\xbc\xa8\xf0\x9d\x90\x87", 7), TOK_OK);
    assert_text(&r, "\xef\xbd\x88\xf0\x9d\x90\x87");
    run_dispose(&r);
}

static void bert_ascii_fast_path_agrees_with_every_option(void **state)
{
    (void)state;
    char in[128];
    for (int c = 0; c < 128; c++)
        in[c] = (char)c;
    run r = {0};
    for (int opt = 0; opt < 8; opt++) {
        tok_normalizer n = bert(opt & 1, opt & 2, -1, opt & 4);
        assert_int_equal(norm(&r, &n, in, 128), TOK_OK);
        size_t w = 0;
        for (int c = 0; c < 128; c++) {
            int m = c;
            if ((opt & 1) && (c < 0x20 || c == 0x7F)) {
                if (c != '\t' && c != '\n' && c != '\r')
                    continue;
                m = ' ';
            }
            if ((opt & 4) && c >= 'A' && c <= 'Z')
                m = c + 32;
            assert_true(w < r.out.len);
            assert_int_equal((unsigned char)r.out.text[w], m);
            assert_int_equal(r.out.align[w].start, (uint32_t)c);
            w++;
        }
        assert_int_equal(r.out.len, w);
    }
    run_dispose(&r);
}

/* ---- NFC, NFD, NFKC, NFKD ---- */

static void nfd_decomposes_and_aligns_the_parts_to_their_character(
    void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_NFD};
    run r = {0};
    assert_int_equal(norm(&r, &n, "\xc3\xa9t\xc3\xa9", 5), TOK_OK); /* été */
    assert_text(&r, "e\xcc\x81te\xcc\x81");
    SPANS(&r, 0, 2, 0, 2, 2, 3, 3, 5, 3, 5);
    run_dispose(&r);
}

static void nfd_reordering_hands_out_spans_by_position(void **state)
{
    (void)state;
    /* a + U+0301 (class 230) + U+0323 (class 220): the marks swap places
     * but HF keeps its spans in place, so U+0323 gets U+0301's span. */
    tok_normalizer n = {.type = TOK_NORM_NFD};
    run r = {0};
    assert_int_equal(norm(&r, &n, "a\xcc\x81\xcc\xa3", 5), TOK_OK);
    assert_text(&r, "a\xcc\xa3\xcc\x81");
    SPANS(&r, 0, 1, 1, 3, 3, 5);
    run_dispose(&r);
}

static void nfc_gives_a_composed_character_the_span_of_its_first_part(
    void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_NFC};
    run r = {0};
    assert_int_equal(norm(&r, &n, "e\xcc\x81x", 4), TOK_OK);
    assert_text(&r, "\xc3\xa9x");
    SPANS(&r, 0, 1, 3, 4);
    /* a + U+0316 + U+0301: á composes over the blocked-free U+0316, which
     * then takes the next span by position, U+0301's. */
    assert_int_equal(norm(&r, &n, "a\xcc\x96\xcc\x81" "b", 6), TOK_OK);
    assert_text(&r, "\xc3\xa1\xcc\x96" "b");
    SPANS(&r, 0, 1, 3, 5, 5, 6);
    run_dispose(&r);
}

static void nfc_composes_hangul_jamo_into_syllables(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_NFC};
    run r = {0};
    /* ᄀ ᅡ ᆨ → 각; a syllable plus a trailing consonant composes too. */
    assert_int_equal(norm(&r, &n, "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8",
                          9), TOK_OK);
    assert_text(&r, "\xea\xb0\x81");
    SPANS(&r, 0, 3);
    assert_int_equal(norm(&r, &n, "\xea\xb0\x80\xe1\x86\xa8", 6), TOK_OK);
    assert_text(&r, "\xea\xb0\x81");
    run_dispose(&r);
}

static void nfc_leaves_composition_exclusions_decomposed(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_NFC};
    run r = {0};
    /* U+2ADC decomposes to U+2ADD U+0338 and never composes back. */
    assert_int_equal(norm(&r, &n, "\xe2\xab\x9c", 3), TOK_OK);
    assert_text(&r, "\xe2\xab\x9d\xcc\xb8");
    run_dispose(&r);
}

static void normal_forms_follow_hf_unicode_9_not_newer_data(void **state)
{
    (void)state;
    run r = {0};
    /* U+11938 (Unicode 13) decomposes in utf8proc's data, not in HF's;
     * U+1ABF (Unicode 14) is a class 220 mark for utf8proc, a starter for
     * HF, so nothing is reordered around it. */
    tok_normalizer nfd = {.type = TOK_NORM_NFD};
    assert_int_equal(norm(&r, &nfd, "\xf0\x91\xa4\xb8", 4), TOK_OK);
    assert_text(&r, "\xf0\x91\xa4\xb8");
    assert_int_equal(norm(&r, &nfd, "a\xcc\x81\xe1\xaa\xbf", 6), TOK_OK);
    assert_text(&r, "a\xcc\x81\xe1\xaa\xbf");
    tok_normalizer nfc = {.type = TOK_NORM_NFC};
    assert_int_equal(norm(&r, &nfc, "\xf0\x91\xa4\xb5\xf0\x91\xa4\xb0", 8),
                     TOK_OK);
    assert_text(&r, "\xf0\x91\xa4\xb5\xf0\x91\xa4\xb0");
    run_dispose(&r);
}

static void nfkc_folds_compatibility_characters(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_NFKC};
    run r = {0};
    /* ﬁ → fi, ｈ → h, ① → 1, ㎏ → kg: every part aligned to its source. */
    assert_int_equal(norm(&r, &n, "\xef\xac\x81\xef\xbd\x88\xe2\x91\xa0"
                                  "\xe3\x8e\x8f", 12), TOK_OK);
    assert_text(&r, "fih1kg");
    SPANS(&r, 0, 3, 0, 3, 3, 6, 6, 9, 9, 12, 9, 12);
    run_dispose(&r);
}

static void nfkd_splits_a_voiced_half_width_katakana_apart(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_NFKD};
    run r = {0};
    /* ｶﾞ → カ U+3099 */
    assert_int_equal(norm(&r, &n, "\xef\xbd\xb6\xef\xbe\x9e", 6), TOK_OK);
    assert_text(&r, "\xe3\x82\xab\xe3\x82\x99");
    SPANS(&r, 0, 3, 3, 6);
    run_dispose(&r);
}

static void a_long_run_of_marks_is_reordered_stably(void **state)
{
    (void)state;
    /* 300 marks of alternating classes 230 and 220: the 220s move ahead,
     * each class keeping its order. */
    enum { N = 300 };
    char in[1 + 2 * N];
    in[0] = 'o';
    for (int i = 0; i < N; i++)
        memcpy(in + 1 + 2 * i, i % 2 ? "\xcc\xa3" : "\xcc\x81", 2);
    tok_normalizer n = {.type = TOK_NORM_NFD};
    run r = {0};
    assert_int_equal(norm(&r, &n, in, sizeof in), TOK_OK);
    assert_int_equal(r.out.len, sizeof in);
    for (int i = 0; i < N; i++)
        assert_memory_equal(r.out.text + 1 + 2 * i,
                            i < N / 2 ? "\xcc\xa3" : "\xcc\x81", 2);
    run_dispose(&r);
}

/* ---- The small normalizers ---- */

static void lowercase_maps_each_character_fully(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_LOWERCASE};
    run r = {0};
    assert_int_equal(norm(&r, &n, "AZaz@[\xc4\xb0\xc3\x89", 10), TOK_OK);
    assert_text(&r, "azaz@[i\xcc\x87\xc3\xa9");
    SPANS(&r, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 8, 6, 8, 8, 10);
    run_dispose(&r);
}

static void strip_accents_drops_marks_without_decomposing(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_STRIP_ACCENTS};
    run r = {0};
    /* é stays (no NFD first); a separate U+0301 and the spacing mark
     * U+093F (Mc) go. */
    assert_int_equal(norm(&r, &n, "\xc3\xa9" "e\xcc\x81\xe0\xa4\x95"
                                  "\xe0\xa4\xbf", 11), TOK_OK);
    assert_text(&r, "\xc3\xa9" "e\xe0\xa4\x95");
    SPANS(&r, 0, 2, 2, 3, 5, 8);
    run_dispose(&r);
}

static void strip_removes_unicode_whitespace_at_the_ends_asked(void **state)
{
    (void)state;
    run r = {0};
    tok_normalizer both = {.type = TOK_NORM_STRIP};
    both.u.strip.left = both.u.strip.right = true;
    static const char in[] = "\xe3\x80\x80 a b\t\xc2\xa0";
    assert_int_equal(norm(&r, &both, in, sizeof in - 1), TOK_OK);
    assert_text(&r, "a b");
    SPANS(&r, 4, 5, 5, 6, 6, 7);
    tok_normalizer right = {.type = TOK_NORM_STRIP};
    right.u.strip.right = true;
    assert_int_equal(norm(&r, &right, in, sizeof in - 1), TOK_OK);
    assert_text(&r, "\xe3\x80\x80 a b");
    assert_int_equal(norm(&r, &both, " \t ", 3), TOK_OK);
    assert_text(&r, "");
    /* U+200B is not White_Space. */
    assert_int_equal(norm(&r, &both, "\xe2\x80\x8bx", 4), TOK_OK);
    assert_text(&r, "\xe2\x80\x8bx");
    run_dispose(&r);
}

static void replace_gives_the_replacement_the_span_of_the_last_matched_char(
    void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_REPLACE};
    n.u.replace.pattern = "ab";
    n.u.replace.content = "XYZ";
    run r = {0};
    assert_int_equal(norm(&r, &n, "cabd", 4), TOK_OK);
    assert_text(&r, "cXYZd");
    SPANS(&r, 0, 1, 2, 3, 2, 3, 2, 3, 3, 4);
    /* Leftmost matches that do not overlap. */
    n.u.replace.pattern = "aa";
    n.u.replace.content = "b";
    assert_int_equal(norm(&r, &n, "aaaaa", 5), TOK_OK);
    assert_text(&r, "bba");
    /* A partial match that fails restarts inside itself. */
    n.u.replace.pattern = "aab";
    n.u.replace.content = "";
    assert_int_equal(norm(&r, &n, "aaab", 4), TOK_OK);
    assert_text(&r, "a");
    tok_normalizer empty = {.type = TOK_NORM_REPLACE};
    empty.u.replace.pattern = "";
    empty.u.replace.content = "x";
    assert_int_equal(norm(&r, &empty, "ab", 2), TOK_EINVAL);
    run_dispose(&r);
}

static void prepend_aligns_the_prefix_to_the_first_character(void **state)
{
    (void)state;
    tok_normalizer n = {.type = TOK_NORM_PREPEND};
    n.u.prepend.prepend = "\xe2\x96\x81";   /* ▁ */
    run r = {0};
    assert_int_equal(norm(&r, &n, "\xc3\xa9t", 3), TOK_OK);
    assert_text(&r, "\xe2\x96\x81\xc3\xa9t");
    SPANS(&r, 0, 2, 0, 2, 2, 3);
    assert_int_equal(norm(&r, &n, "", 0), TOK_OK);
    assert_text(&r, "");
    run_dispose(&r);
}

/* ---- Sequence and the API ---- */

static void sequence_applies_in_order_and_nests(void **state)
{
    (void)state;
    tok_normalizer nfd = {.type = TOK_NORM_NFD};
    tok_normalizer strip = {.type = TOK_NORM_STRIP_ACCENTS};
    tok_normalizer lower = {.type = TOK_NORM_LOWERCASE};
    tok_normalizer *inner_items[] = {&strip, &lower};
    tok_normalizer inner = {.type = TOK_NORM_SEQUENCE};
    inner.u.seq.items = inner_items;
    inner.u.seq.n = 2;
    tok_normalizer *items[] = {&nfd, &inner};
    tok_normalizer seq = {.type = TOK_NORM_SEQUENCE};
    seq.u.seq.items = items;
    seq.u.seq.n = 2;
    run r = {0};
    assert_int_equal(norm(&r, &seq, "\xc3\x89t\xc3\xa9", 5), TOK_OK);
    assert_text(&r, "ete");
    SPANS(&r, 0, 2, 2, 3, 3, 5);
    tok_normalizer none = {.type = TOK_NORM_SEQUENCE};
    assert_int_equal(norm(&r, &none, "Ab", 2), TOK_OK);
    assert_text(&r, "Ab");
    run_dispose(&r);
}

static void output_is_appended_and_a_null_normalizer_copies(void **state)
{
    (void)state;
    tok_normalized out = {0};
    tok_norm_scratch s = {0};
    tok_span a[2] = {{7, 8}, {8, 9}};
    assert_int_equal(tok_normalize(NULL, "ab", a, 2, &out, &s), TOK_OK);
    tok_normalizer lower = {.type = TOK_NORM_LOWERCASE};
    assert_int_equal(tok_normalize(&lower, "CD", a, 2, &out, &s), TOK_OK);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.text, "abcd", 5);
    assert_int_equal(out.align[2].start, 7);
    assert_int_equal(out.align[3].end, 9);
    /* Nothing in, nothing out, even for Prepend. */
    tok_normalizer pre = {.type = TOK_NORM_PREPEND};
    pre.u.prepend.prepend = "x";
    assert_int_equal(tok_normalize(&pre, NULL, NULL, 0, &out, &s), TOK_OK);
    assert_int_equal(out.len, 4);
    assert_int_equal(tok_normalize(&lower, "CD", a, 2, &out, NULL),
                     TOK_EINVAL);
    tok_normalized_dispose(&out);
    tok_norm_scratch_dispose(&s);
}

static tok_normalizer *every_normalizer(void)
{
    static const char *json =
        "{\"type\":\"Sequence\",\"normalizers\":["
        "{\"type\":\"BertNormalizer\",\"clean_text\":true,"
        "\"handle_chinese_chars\":true,\"strip_accents\":null,"
        "\"lowercase\":true},"
        "{\"type\":\"NFKC\"},{\"type\":\"NFD\"},{\"type\":\"NFC\"},"
        "{\"type\":\"NFKD\"},{\"type\":\"Lowercase\"},"
        "{\"type\":\"StripAccents\"},"
        "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true},"
        "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},"
        "\"content\":\"__\"},"
        "{\"type\":\"Prepend\",\"prepend\":\"^\"}]}";
    cJSON *j = cJSON_Parse(json);
    tok_normalizer *n = from_json(j);
    cJSON_Delete(j);
    return n;
}

static const char sample[] =
    "  H\xc3\xa9llo W\xc3\xb6rld \xe4\xb8\xad\xe6\x96\x87 \xef\xac\x81 "
    "a\xcc\x81\xcc\xa3 \xea\xb0\x81 \xe1\x84\x80\xe1\x85\xa1 ok ";

static void scratch_makes_repeated_calls_allocation_free(void **state)
{
    (void)state;
    tok_normalizer *n = every_normalizer();
    tok_span *a = natural_align(sample, sizeof sample - 1);
    tok_normalized out = {0};
    tok_norm_scratch s = {0};
    assert_int_equal(tok_normalize(n, sample, a, sizeof sample - 1, &out,
                                   &s), TOK_OK);
    tok_debug_fail_alloc_after(0);
    for (int i = 0; i < 3; i++) {
        tok_normalized_clear(&out);
        assert_int_equal(tok_normalize(n, sample, a, sizeof sample - 1,
                                       &out, &s), TOK_OK);
    }
    assert_int_equal(tok_debug_fail_alloc_after(0), 0);
    tok_normalized_dispose(&out);
    tok_norm_scratch_dispose(&s);
    tok_normalizer_free(n);
    free(a);
}

static void every_failed_allocation_returns_enomem(void **state)
{
    (void)state;
    tok_normalizer *n = every_normalizer();
    tok_span *a = natural_align(sample, sizeof sample - 1);
    tok_normalized want = {0};
    tok_norm_scratch ws = {0};
    assert_int_equal(tok_normalize(n, sample, a, sizeof sample - 1, &want,
                                   &ws), TOK_OK);
    bool done = false;
    for (size_t fail = 1; !done && fail < 1000; fail++) {
        tok_normalized out = {0};
        tok_norm_scratch s = {0};
        tok_debug_fail_alloc_after(fail);
        int rc = tok_normalize(n, sample, a, sizeof sample - 1, &out, &s);
        size_t made = tok_debug_fail_alloc_after(0);
        if (rc == TOK_OK) {
            assert_true(made < fail);
            assert_int_equal(out.len, want.len);
            assert_memory_equal(out.text, want.text, want.len);
            done = true;
        } else {
            assert_int_equal(rc, TOK_ENOMEM);
        }
        tok_normalized_dispose(&out);
        tok_norm_scratch_dispose(&s);
    }
    assert_true(done);
    tok_normalized_dispose(&want);
    tok_norm_scratch_dispose(&ws);
    tok_normalizer_free(n);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(texts_match_hf_text_and_alignments),
        cmocka_unit_test(golden_bert_tokens_tile_the_text_with_their_offsets),
        cmocka_unit_test(every_code_point_alone_matches_hf),
        cmocka_unit_test(combining_classes_block_composition_as_in_hf),
        cmocka_unit_test(
            bert_uncased_lowercases_and_strips_accents_of_nfc_and_nfd),
        cmocka_unit_test(bert_cased_keeps_accents_and_combining_marks),
        cmocka_unit_test(
            bert_deletes_controls_and_turns_unicode_spaces_into_spaces),
        cmocka_unit_test(bert_keeps_unassigned_and_newer_format_characters),
        cmocka_unit_test(bert_puts_spaces_around_ideographs_aligned_to_them),
        cmocka_unit_test(bert_lowercases_without_a_final_sigma),
        cmocka_unit_test(
            bert_cased_dotted_capital_i_keeps_its_dot_when_not_stripped),
        cmocka_unit_test(
            bert_stripping_splits_hangul_and_drops_dakuten_virama_points),
        cmocka_unit_test(bert_reorders_marks_across_a_deleted_control),
        cmocka_unit_test(bert_does_not_fold_full_width_or_math_letters),
        cmocka_unit_test(bert_ascii_fast_path_agrees_with_every_option),
        cmocka_unit_test(
            nfd_decomposes_and_aligns_the_parts_to_their_character),
        cmocka_unit_test(nfd_reordering_hands_out_spans_by_position),
        cmocka_unit_test(
            nfc_gives_a_composed_character_the_span_of_its_first_part),
        cmocka_unit_test(nfc_composes_hangul_jamo_into_syllables),
        cmocka_unit_test(nfc_leaves_composition_exclusions_decomposed),
        cmocka_unit_test(normal_forms_follow_hf_unicode_9_not_newer_data),
        cmocka_unit_test(nfkc_folds_compatibility_characters),
        cmocka_unit_test(nfkd_splits_a_voiced_half_width_katakana_apart),
        cmocka_unit_test(a_long_run_of_marks_is_reordered_stably),
        cmocka_unit_test(lowercase_maps_each_character_fully),
        cmocka_unit_test(strip_accents_drops_marks_without_decomposing),
        cmocka_unit_test(strip_removes_unicode_whitespace_at_the_ends_asked),
        cmocka_unit_test(
            replace_gives_the_replacement_the_span_of_the_last_matched_char),
        cmocka_unit_test(prepend_aligns_the_prefix_to_the_first_character),
        cmocka_unit_test(sequence_applies_in_order_and_nests),
        cmocka_unit_test(output_is_appended_and_a_null_normalizer_copies),
        cmocka_unit_test(scratch_makes_repeated_calls_allocation_free),
        cmocka_unit_test(every_failed_allocation_returns_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
