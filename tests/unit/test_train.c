/* training: vocabularies and merges equal to Hugging Face's trainers,
 * determinism across threads and runs, options, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "tok_train.h"
#include "tokenizer.h"
#include "train/train.h"
#include "utf8.h"

static char *data_path(const char *name)
{
    const char *dir = getenv("TOK_TEST_DATA");
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/train/%s", dir ? dir : "tests/data", name);
    return buf;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* A reference tokenizer.json: its model's tokens by id and its merges. */
typedef struct reference {
    cJSON *root;
    const char **by_id;
    size_t n;
    cJSON *merges;
} reference;

static void load_reference(reference *r, const char *name)
{
    char *text = read_all(data_path(name));
    r->root = cJSON_Parse(text);
    free(text);
    assert_non_null(r->root);
    cJSON *model = cJSON_GetObjectItem(r->root, "model");
    cJSON *vocab = cJSON_GetObjectItem(model, "vocab");
    r->n = (size_t)cJSON_GetArraySize(vocab);
    r->by_id = calloc(r->n, sizeof *r->by_id);
    for (cJSON *e = vocab->child; e; e = e->next) {
        size_t id = (size_t)e->valuedouble;
        assert_true(id < r->n);
        r->by_id[id] = e->string;
    }
    r->merges = cJSON_GetObjectItem(model, "merges");
}

static void free_reference(reference *r)
{
    free(r->by_id);
    cJSON_Delete(r->root);
}

static const char *corpus(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s", data_path("corpus.txt"));
    return path;
}

static tok_tokenizer *train_corpus(tok_train_options *o)
{
    const char *files[] = {corpus()};
    tok_tokenizer *tk = NULL;
    tok_error err;
    int rc = tok_train_files(&tk, files, 1, o, &err);
    if (rc)
        fail_msg("training failed: %s", err.message);
    return tk;
}

static void assert_same_merges(const tok_tokenizer *tk, const reference *r)
{
    const tok_model *m = tk->model;
    assert_int_equal(m->nmerges, (size_t)cJSON_GetArraySize(r->merges));
    size_t i = 0;
    for (cJSON *e = r->merges->child; e; e = e->next, i++) {
        const char *a = tok_vocab_str(&m->vocab, m->merges[i].left, NULL);
        const char *b = tok_vocab_str(&m->vocab, m->merges[i].right, NULL);
        const char *ra = cJSON_GetArrayItem(e, 0)->valuestring;
        const char *rb = cJSON_GetArrayItem(e, 1)->valuestring;
        if (strcmp(a, ra) != 0 || strcmp(b, rb) != 0)
            fail_msg("merge %zu: tok has \"%s %s\", Hugging Face \"%s %s\"",
                     i, a, b, ra, rb);
    }
}

static void assert_same_vocab(const tok_tokenizer *tk, const reference *r,
                              size_t from, size_t to)
{
    for (size_t id = from; id < to; id++) {
        const char *t = tok_id_to_token(tk, (int32_t)id);
        assert_non_null(t);
        if (strcmp(t, r->by_id[id]) != 0)
            fail_msg("id %zu: tok has \"%s\", Hugging Face \"%s\"", id, t,
                     r->by_id[id]);
    }
}

/* Compares two JSON objects member by member (cJSON_Compare on objects
 * is quadratic, too slow for a vocabulary); members named in `skip` are
 * checked elsewhere. */
static void assert_same_members(const cJSON *mine, const cJSON *ref,
                                const char *where, const char *skip)
{
    for (const cJSON *e = ref->child; e; e = e->next) {
        if (skip && strstr(skip, e->string))
            continue;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(mine, e->string);
        if (!cJSON_Compare(m, e, 1))
            fail_msg("%s\"%s\" differs from Hugging Face's", where,
                     e->string);
    }
    assert_int_equal(cJSON_GetArraySize(mine), cJSON_GetArraySize(ref));
}

/* The whole tokenizer.json -- pipeline, model options, added tokens -- is
 * the one Hugging Face wrote, up to formatting (vocab and merges are
 * compared by assert_same_vocab and assert_same_merges). */
static void assert_same_file(const tok_tokenizer *tk, const reference *r)
{
    char *json;
    size_t len;
    assert_int_equal(tok_tokenizer_to_json(tk, &json, &len, NULL), TOK_OK);
    cJSON *mine = cJSON_ParseWithLength(json, len);
    free(json);
    assert_non_null(mine);
    assert_same_members(mine, r->root, "", "model");
    assert_same_members(cJSON_GetObjectItem(mine, "model"),
                        cJSON_GetObjectItem(r->root, "model"), "model.",
                        "vocab merges");
    cJSON_Delete(mine);
}

/* ------------------------------------------------------------------------
 * Parity with Hugging Face
 * ------------------------------------------------------------------------ */

static void bpe_with_whitespace_words_matches_hugging_face(void **state)
{
    (void)state;
    reference r;
    load_reference(&r, "hf-bpe-ws.json");
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.threads = 1;
    tok_tokenizer *tk = train_corpus(&o);
    assert_int_equal(tok_vocab_size(tk), r.n);
    assert_same_vocab(tk, &r, 0, r.n);
    assert_same_merges(tk, &r);
    assert_same_file(tk, &r);
    tok_tokenizer_free(tk);
    free_reference(&r);
}

static void byte_level_bpe_matches_hugging_face(void **state)
{
    (void)state;
    reference r;
    load_reference(&r, "hf-bpe-bytelevel.json");
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = TOK_TRAIN_BYTELEVEL_BPE;
    o.threads = 2;
    tok_tokenizer *tk = train_corpus(&o);
    assert_int_equal(tok_vocab_size(tk), r.n);
    assert_same_vocab(tk, &r, 0, r.n);
    assert_same_merges(tk, &r);
    assert_true(tk->bytelevel);
    assert_same_file(tk, &r);
    tok_tokenizer_free(tk);
    free_reference(&r);
}

/* Hugging Face numbers the "##" alphabet in hash order; given that order,
 * every id is the same, which shows the rest of the algorithm is. */
static void wordpiece_matches_hugging_face_given_its_hash_order(void **st)
{
    (void)st;
    reference r;
    load_reference(&r, "hf-wordpiece.json");
    const char *order[512];
    size_t norder = 0;
    for (size_t id = 0; id < r.n && norder < 512; id++)
        if (strncmp(r.by_id[id], "##", 2) == 0 &&
            tok_utf8_count(r.by_id[id], strlen(r.by_id[id])) == 3)
            order[norder++] = r.by_id[id];
    assert_true(norder > 0);

    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = TOK_TRAIN_WORDPIECE;
    o.threads = 1;
    tok_word_counts *wc;
    assert_int_equal(tok_word_counts_new(&wc), TOK_OK);
    const char *files[] = {corpus()};
    tok_error err;
    assert_int_equal(tok_word_counts_add_files(wc, files, 1, &o, &err),
                     TOK_OK);
    tok_bpe_train_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.vocab_size = 30000;
    cfg.limit_alphabet = SIZE_MAX;
    cfg.prefix = "##";
    cfg.decorated_order = order;
    cfg.ndecorated_order = norder;
    tok_bpe_train_result res;
    assert_int_equal(tok_bpe_train(wc, &cfg, &res, &err), TOK_OK);
    assert_int_equal(res.vocab.size, r.n);
    for (size_t id = 0; id < r.n; id++)
        if (strcmp(tok_vocab_str(&res.vocab, (int32_t)id, NULL),
                   r.by_id[id]) != 0)
            fail_msg("id %zu: tok has \"%s\", Hugging Face \"%s\"", id,
                     tok_vocab_str(&res.vocab, (int32_t)id, NULL),
                     r.by_id[id]);
    tok_bpe_train_result_dispose(&res);
    tok_word_counts_free(wc);
    free_reference(&r);
}

/* Without a reference to copy, the "##" alphabet follows the alphabet in
 * byte order; the alphabet itself is Hugging Face's. */
static void wordpiece_numbers_its_prefixed_alphabet_in_byte_order(void **st)
{
    (void)st;
    reference r;
    load_reference(&r, "hf-wordpiece.json");
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = TOK_TRAIN_WORDPIECE;
    tok_tokenizer *tk = train_corpus(&o);
    size_t alpha = 0;
    while (strncmp(r.by_id[alpha], "##", 2) != 0)
        alpha++;
    assert_same_vocab(tk, &r, 0, alpha);
    const char *prev = NULL;
    size_t id = alpha;
    for (;; id++) {
        const char *t = tok_id_to_token(tk, (int32_t)id);
        if (strncmp(t, "##", 2) != 0 ||
            tok_utf8_count(t, strlen(t)) != 3)
            break;
        if (prev)
            assert_true(strcmp(prev, t) < 0);
        prev = t;
    }
    size_t ref_end = alpha;
    while (strncmp(r.by_id[ref_end], "##", 2) == 0 &&
           tok_utf8_count(r.by_id[ref_end], strlen(r.by_id[ref_end])) == 3)
        ref_end++;
    assert_int_equal(id, ref_end);
    /* [UNK] was not among the special tokens: it comes after training,
     * where the reference's script added it. */
    assert_int_equal(tok_vocab_size(tk), 30001);
    assert_int_equal(tok_token_to_id(tk, "[UNK]", 5), 30000);
    assert_true(tok_id_is_special(tk, 30000));
    tok_tokenizer_free(tk);
    free_reference(&r);
}

/* ------------------------------------------------------------------------
 * Hugging Face's own trainer tests, on counted words
 * ------------------------------------------------------------------------ */

static tok_word_counts *counts(const char *const *words,
                               const uint64_t *n, size_t k)
{
    tok_word_counts *wc;
    assert_int_equal(tok_word_counts_new(&wc), TOK_OK);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(tok_word_counts_add(wc, words[i], strlen(words[i]),
                                             n[i], NULL),
                         TOK_OK);
    return wc;
}

static void min_frequency_stops_merging_at_rarer_pairs(void **state)
{
    (void)state;
    const char *w[] = {"roses", "are", "red", "voilets", "blue", "BERT",
                       "is", "big", "and", "so", "GPT-2"};
    const uint64_t n[] = {1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1};
    tok_word_counts *wc = counts(w, n, 11);
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.min_frequency = 2;
    tok_tokenizer *tk;
    assert_int_equal(tok_train(&tk, wc, &o, NULL), TOK_OK);
    const char *expect[] = {"-", "2", "B", "E", "G", "P", "R", "T", "a",
                            "b", "d", "e", "g", "i", "l", "n", "o", "r",
                            "s", "t", "u", "v", "re", "are", "is"};
    assert_int_equal(tok_vocab_size(tk), 25);
    for (int32_t i = 0; i < 25; i++)
        assert_string_equal(tok_id_to_token(tk, i), expect[i]);
    const tok_model *m = tk->model;
    assert_int_equal(m->nmerges, 3);
    int32_t want[3][3] = {{17, 11, 22}, {8, 22, 23}, {13, 18, 24}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(m->merges[i].left, want[i][0]);
        assert_int_equal(m->merges[i].right, want[i][1]);
        assert_int_equal(m->merges[i].result, want[i][2]);
    }
    tok_tokenizer_free(tk);
    tok_word_counts_free(wc);
}

static void max_token_length_limits_merged_tokens(void **state)
{
    (void)state;
    const char *w[] = {"sin", "Sin", "Lon", "Ano",
                       "\xEC\xA7\xA7\xEC\x9D\x80\xED\x95\x9C",
                       "\xEA\xB8\xB4\xED\x95\x9C\xEA\xB8\x80",
                       "\xE7\x9F\xAD\xE5\xAD\x97\xE7\xAC\xA6",
                       "\xE9\x95\xBF\xE5\xAD\x97\xE7\xAC\xA6",
                       "\xE7\x9F\xAD\xE3\x81\x84\xE6\x96\x87",
                       "\xE9\x95\xB7\xE3\x81\x84\xE6\x96\x87", "so", "GP"};
    const uint64_t n[] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    tok_word_counts *wc = counts(w, n, 12);
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.max_token_length = 2;
    tok_tokenizer *tk;
    assert_int_equal(tok_train(&tk, wc, &o, NULL), TOK_OK);
    /* Hugging Face's bpe_test_max_token_length_direct_assert. */
    static const struct {
        const char *t;
        int32_t id;
    } expect[] = {
        {"\xE7\x9F\xAD", 12}, {"n", 6}, {"i", 5}, {"s", 8},
        {"\xE5\xAD\x97\xE7\xAC\xA6", 23}, {"\xE9\x95\xB7", 14},
        {"\xEA\xB8\xB4", 17}, {"\xE3\x81\x84\xE6\x96\x87", 22}, {"L", 2},
        {"in", 21}, {"o", 7}, {"\xEC\x9D\x80\xED\x95\x9C", 29}, {"S", 4},
        {"P", 3}, {"so", 27}, {"\xE7\xAC\xA6", 13}, {"\xE6\x96\x87", 11},
        {"\xE5\xAD\x97", 10}, {"\xEC\xA7\xA7", 19}, {"GP", 25},
        {"\xEA\xB8\x80", 16}, {"G", 1}, {"An", 24}, {"\xE9\x95\xBF", 15},
        {"A", 0}, {"Lo", 26}, {"\xEA\xB8\xB4\xED\x95\x9C", 28},
        {"\xE3\x81\x84", 9}, {"\xED\x95\x9C", 20}, {"\xEC\x9D\x80", 18},
    };
    size_t k = sizeof expect / sizeof *expect;
    assert_int_equal(tok_vocab_size(tk), k);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(tok_token_to_id(tk, expect[i].t,
                                         strlen(expect[i].t)),
                         expect[i].id);
    tok_tokenizer_free(tk);
    tok_word_counts_free(wc);
}

/* ------------------------------------------------------------------------
 * Long words
 * ------------------------------------------------------------------------ */

static void train_result(const tok_word_counts *wc, size_t long_word,
                         size_t max_len, const char *prefix,
                         tok_bpe_train_result *r)
{
    tok_bpe_train_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.vocab_size = 30000;
    cfg.limit_alphabet = SIZE_MAX;
    cfg.long_word = long_word;
    cfg.max_token_length = max_len;
    cfg.prefix = prefix;
    assert_int_equal(tok_bpe_train(wc, &cfg, r, NULL), TOK_OK);
}

static void assert_same_result(const tok_bpe_train_result *a,
                               const tok_bpe_train_result *b)
{
    assert_int_equal(a->vocab.size, b->vocab.size);
    for (int32_t id = 0; id < (int32_t)a->vocab.size; id++)
        assert_string_equal(tok_vocab_str(&a->vocab, id, NULL),
                            tok_vocab_str(&b->vocab, id, NULL));
    assert_int_equal(a->nmerges, b->nmerges);
    assert_memory_equal(a->merges, b->merges,
                        a->nmerges * sizeof *a->merges);
}

/* Long words are merged through a position index, short ones by a scan;
 * taking every word as long, or none, must not change a single merge. */
static void long_words_merge_exactly_as_short_ones(void **state)
{
    (void)state;
    tok_word_counts *wc;
    assert_int_equal(tok_word_counts_new(&wc), TOK_OK);
    const char *files[] = {corpus()};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.threads = 1;
    assert_int_equal(tok_word_counts_add_files(wc, files, 1, &o, NULL),
                     TOK_OK);
    /* Repeats that overlap, and a long word of a few letters. */
    char w[600];
    for (size_t i = 0; i < sizeof w - 1; i++)
        w[i] = "aaab"[i % 4 == 3 ? 3 : 0];
    w[sizeof w - 1] = '\0';
    assert_int_equal(tok_word_counts_add(wc, w, strlen(w), 3, NULL), 0);
    for (size_t i = 0; i < sizeof w - 1; i++)
        w[i] = "abcab"[(i * 7 + i / 5) % 5];
    assert_int_equal(tok_word_counts_add(wc, w, strlen(w), 2, NULL), 0);
    for (int variant = 0; variant < 3; variant++) {
        size_t max_len = variant == 1 ? 5 : 0;
        const char *prefix = variant == 2 ? "##" : NULL;
        tok_bpe_train_result scan, indexed;
        train_result(wc, SIZE_MAX, max_len, prefix, &scan);
        train_result(wc, 1, max_len, prefix, &indexed);
        assert_same_result(&scan, &indexed);
        tok_bpe_train_result_dispose(&scan);
        tok_bpe_train_result_dispose(&indexed);
    }
    tok_word_counts_free(wc);
}

/* ------------------------------------------------------------------------
 * Determinism
 * ------------------------------------------------------------------------ */

static char *as_json(const tok_tokenizer *tk, size_t *len)
{
    char *json;
    assert_int_equal(tok_tokenizer_to_json(tk, &json, len, NULL), TOK_OK);
    return json;
}

static void one_or_two_threads_and_two_runs_give_the_same_bytes(void **st)
{
    (void)st;
    for (int model = 0; model < 2; model++) {
        tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
        o.model = model ? TOK_TRAIN_BYTELEVEL_BPE : TOK_TRAIN_BPE;
        o.vocab_size = 5000;
        o.threads = 1;
        tok_tokenizer *a = train_corpus(&o);
        o.threads = 2;
        tok_tokenizer *b = train_corpus(&o);
        tok_tokenizer *c = train_corpus(&o);
        size_t la, lb, lc;
        char *ja = as_json(a, &la), *jb = as_json(b, &lb),
             *jc = as_json(c, &lc);
        assert_int_equal(la, lb);
        assert_int_equal(lb, lc);
        assert_memory_equal(ja, jb, la);
        assert_memory_equal(jb, jc, lb);
        free(ja);
        free(jb);
        free(jc);
        tok_tokenizer_free(a);
        tok_tokenizer_free(b);
        tok_tokenizer_free(c);
    }
}

static void counting_in_parallel_gives_the_same_table(void **state)
{
    (void)state;
    const char *files[] = {corpus()};
    char *text[3];
    size_t len[3];
    for (unsigned t = 1; t <= 3; t++) {
        tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
        o.threads = t;
        tok_word_counts *wc;
        assert_int_equal(tok_word_counts_new(&wc), TOK_OK);
        assert_int_equal(tok_word_counts_add_files(wc, files, 1, &o, NULL),
                         TOK_OK);
        assert_int_equal(tok_word_counts_to_text(wc, &text[t - 1],
                                                 &len[t - 1], NULL),
                         TOK_OK);
        tok_word_counts_free(wc);
    }
    for (int i = 1; i < 3; i++) {
        assert_int_equal(len[0], len[i]);
        assert_memory_equal(text[0], text[i], len[0]);
    }
    for (int i = 0; i < 3; i++)
        free(text[i]);
}

/* ------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------ */

static tok_tokenizer *train_words(const char *const *w, const uint64_t *n,
                                  size_t k, tok_train_options *o)
{
    tok_word_counts *wc = counts(w, n, k);
    tok_tokenizer *tk;
    tok_error err;
    if (tok_train(&tk, wc, o, &err) != TOK_OK)
        fail_msg("training failed: %s", err.message);
    tok_word_counts_free(wc);
    return tk;
}

static void special_tokens_come_first_and_frame_the_template(void **st)
{
    (void)st;
    const char *w[] = {"hello", "world"};
    const uint64_t n[] = {3, 2};
    const char *sp[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                        "[PAD]"};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = TOK_TRAIN_WORDPIECE;
    o.special_tokens = sp;
    o.nspecial_tokens = 6;
    tok_tokenizer *tk = train_words(w, n, 2, &o);
    for (int32_t i = 0; i < 5; i++) {
        assert_string_equal(tok_id_to_token(tk, i), sp[i]);
        assert_true(tok_id_is_special(tk, i));
    }
    assert_int_equal(tok_added_count(tk), 5);
    assert_int_equal(tk->model->unk_id, 1);
    assert_non_null(tk->postproc);
    assert_int_equal(tk->postproc->type, TOK_POST_TEMPLATE);
    assert_int_equal(tk->postproc->nsingle, 3);
    assert_string_equal(tk->postproc->single[0].special, "[CLS]");
    assert_string_equal(tk->postproc->single[2].special, "[SEP]");
    assert_int_equal(tk->postproc->npair, 5);
    assert_int_equal(tk->postproc->pair[3].type_id, 1);
    assert_int_equal(tk->decoder->type, TOK_DEC_WORDPIECE);
    assert_int_equal(tok_token_to_id(tk, "##o", 3) > 0, 1);
    tok_tokenizer_free(tk);
}

static void limit_alphabet_keeps_the_most_frequent_characters(void **st)
{
    (void)st;
    /* a: 5, b: 5, c: 1, d: 1 -- keep three: the tie between c and d
     * drops the larger code point. */
    const char *w[] = {"ab", "ca", "db"};
    const uint64_t n[] = {4, 1, 1};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.limit_alphabet = 3;
    o.vocab_size = 3;
    tok_tokenizer *tk = train_words(w, n, 3, &o);
    assert_int_equal(tok_vocab_size(tk), 3);
    assert_string_equal(tok_id_to_token(tk, 0), "a");
    assert_string_equal(tok_id_to_token(tk, 1), "b");
    assert_string_equal(tok_id_to_token(tk, 2), "c");
    tok_tokenizer_free(tk);
}

static void initial_alphabet_adds_unseen_characters(void **st)
{
    (void)st;
    const char *w[] = {"ab"};
    const uint64_t n[] = {1};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.initial_alphabet = "z\xC3\xA9";
    o.limit_alphabet = 3;   /* the initial alphabet outranks seen ones */
    tok_tokenizer *tk = train_words(w, n, 1, &o);
    assert_string_equal(tok_id_to_token(tk, 0), "a");
    assert_true(tok_token_to_id(tk, "z", 1) >= 0);
    assert_true(tok_token_to_id(tk, "\xC3\xA9", 2) >= 0);
    assert_int_equal(tok_token_to_id(tk, "b", 1), -1);
    tok_tokenizer_free(tk);
}

static void end_of_word_suffix_marks_the_last_character(void **st)
{
    (void)st;
    const char *w[] = {"ab", "ba"};
    const uint64_t n[] = {3, 1};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.end_of_word_suffix = "</w>";
    tok_tokenizer *tk = train_words(w, n, 2, &o);
    /* a, b, then the suffixed forms in byte order, then "ab</w>". */
    assert_string_equal(tok_id_to_token(tk, 2), "a</w>");
    assert_string_equal(tok_id_to_token(tk, 3), "b</w>");
    assert_string_equal(tok_id_to_token(tk, 4), "ab</w>");
    assert_string_equal(tk->model->end_of_word_suffix, "</w>");
    assert_string_equal(tk->decoder->u.bpe.suffix, "</w>");
    tok_tokenizer_free(tk);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Hugging Face reads lines with their ending, so a byte-level model learns
 * "\r" and "\n" (č and Ċ) -- and as one word, "čĊ". */
static void line_endings_are_part_of_the_text(void **st)
{
    (void)st;
    char path[] = "/tmp/tok-train-crlf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "ab\r\nab\r\nab", 10);
    const char *files[] = {path};
    tok_word_counts *wc;
    assert_int_equal(tok_word_counts_new(&wc), TOK_OK);
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = TOK_TRAIN_BYTELEVEL_BPE;
    assert_int_equal(tok_word_counts_add_files(wc, files, 1, &o, NULL),
                     TOK_OK);
    char *text;
    size_t len;
    assert_int_equal(tok_word_counts_to_text(wc, &text, &len, NULL),
                     TOK_OK);
    assert_string_equal(text, "ab\t3\n\xC4\x8D\xC4\x8A\t2\n");
    free(text);
    tok_word_counts_free(wc);
    unlink(path);
}

/* A special token that is also a character of the corpus keeps its special
 * id; the alphabet does not add it twice. */
static void a_special_token_can_be_a_character_of_the_corpus(void **st)
{
    (void)st;
    const char *w[] = {"ab", "ba"};
    const uint64_t n[] = {2, 1};
    const char *sp[] = {"b", "<pad>"};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.special_tokens = sp;
    o.nspecial_tokens = 2;
    tok_tokenizer *tk = train_words(w, n, 2, &o);
    assert_string_equal(tok_id_to_token(tk, 0), "b");
    assert_string_equal(tok_id_to_token(tk, 1), "<pad>");
    assert_string_equal(tok_id_to_token(tk, 2), "a");
    assert_string_equal(tok_id_to_token(tk, 3), "ab");
    assert_int_equal(tok_token_to_id(tk, "b", 1), 0);
    assert_true(tok_id_is_special(tk, 0));
    tok_tokenizer_free(tk);
}

static void word_counts_survive_a_save_and_load(void **st)
{
    (void)st;
    const char *w[] = {"tab\there", "back\\slash", "plain", "new\nline"};
    const uint64_t n[] = {7, 7, 9, 1};
    tok_word_counts *wc = counts(w, n, 4);
    char *text;
    size_t len;
    assert_int_equal(tok_word_counts_to_text(wc, &text, &len, NULL),
                     TOK_OK);
    assert_string_equal(text, "plain\t9\nback\\\\slash\t7\ntab\\there\t7\n"
                              "new\\nline\t1\n");
    char path[] = "/tmp/tok-train-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tok_word_counts_save(wc, path, NULL), TOK_OK);
    tok_word_counts *back;
    assert_int_equal(tok_word_counts_new(&back), TOK_OK);
    assert_int_equal(tok_word_counts_load(back, path, NULL), TOK_OK);
    assert_int_equal(tok_word_counts_size(back), 4);
    assert_int_equal(tok_word_counts_total(back), 24);
    char *text2;
    size_t len2;
    assert_int_equal(tok_word_counts_to_text(back, &text2, &len2, NULL),
                     TOK_OK);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    unlink(path);
    tok_word_counts_free(wc);
    tok_word_counts_free(back);
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static void an_empty_corpus_is_an_error(void **st)
{
    (void)st;
    char path[] = "/tmp/tok-train-empty-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, " \n\n  \n", 6);
    const char *files[] = {path};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    tok_tokenizer *tk;
    tok_error err;
    assert_int_equal(tok_train_files(&tk, files, 1, &o, &err), TOK_EINVAL);
    assert_null(tk);
    assert_non_null(strstr(err.message, "empty"));
    unlink(path);
}

static void a_vocab_smaller_than_the_alphabet_is_an_error(void **st)
{
    (void)st;
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.vocab_size = 50;
    const char *files[] = {corpus()};
    tok_tokenizer *tk;
    tok_error err;
    assert_int_equal(tok_train_files(&tk, files, 1, &o, &err), TOK_EINVAL);
    assert_non_null(strstr(err.message, "smaller than the starting"));
}

static void an_unreadable_file_is_named(void **st)
{
    (void)st;
    const char *files[] = {corpus(), "/nonexistent/corpus.txt"};
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    tok_tokenizer *tk;
    tok_error err;
    assert_int_equal(tok_train_files(&tk, files, 2, &o, &err), TOK_EIO);
    assert_non_null(strstr(err.message, "/nonexistent/corpus.txt"));
}

static void invalid_utf8_is_reported_with_line_and_offset(void **st)
{
    (void)st;
    char path[] = "/tmp/tok-train-utf8-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* A 2 MiB file so that the bad byte is in a later block, then a
     * second bad byte after it: the first is reported, on any number of
     * threads. */
    size_t n = 2u << 20, k = 0;
    char *data = malloc(n + 64);
    size_t lines = 0;
    while (k < n) {
        memcpy(data + k, "some words here\n", 16);
        k += 16;
        lines++;
    }
    memcpy(data + k, "ok \xC3\x28 bad\nfine \xFF\n", 17);
    write_file(path, data, k + 17);
    free(data);
    for (unsigned t = 1; t <= 3; t++) {
        const char *files[] = {path};
        tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
        o.threads = t;
        tok_tokenizer *tk;
        tok_error err;
        assert_int_equal(tok_train_files(&tk, files, 1, &o, &err),
                         TOK_EUTF8);
        assert_int_equal(err.line, lines + 1);
        assert_int_equal(err.offset, k + 3);
        assert_non_null(strstr(err.message, path));
        assert_non_null(strstr(err.message, "invalid UTF-8"));
    }
    unlink(path);
}

static void bad_options_are_refused(void **st)
{
    (void)st;
    const char *w[] = {"ab"};
    const uint64_t n[] = {1};
    tok_word_counts *wc = counts(w, n, 1);
    tok_tokenizer *tk;
    tok_error err;
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.pre_tokenizer = "whitespace,nonsense";
    assert_int_equal(tok_train(&tk, wc, &o, &err), TOK_EINVAL);
    assert_non_null(strstr(err.message, "nonsense"));
    o = (tok_train_options)TOK_TRAIN_OPTIONS_INIT;
    o.unk_token = "<unk>";
    assert_int_equal(tok_train(&tk, wc, &o, &err), TOK_EINVAL);
    o = (tok_train_options)TOK_TRAIN_OPTIONS_INIT;
    o.vocab_size = 0;
    assert_int_equal(tok_train(&tk, wc, &o, &err), TOK_EINVAL);
    tok_word_counts_free(wc);
}

static void running_out_of_memory_fails_cleanly(void **st)
{
    (void)st;
    const char *w[] = {"lower", "lowest", "newer", "wider", "new"};
    const uint64_t n[] = {5, 2, 6, 3, 2};
    const char *sp[] = {"[UNK]", "[CLS]", "[SEP]"};
    tok_word_counts *wc = counts(w, n, 5);
    for (size_t fail = 1;; fail++) {
        tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
        o.model = fail % 2 ? TOK_TRAIN_WORDPIECE : TOK_TRAIN_BPE;
        o.special_tokens = sp;
        o.nspecial_tokens = 3;
        o.unk_token = "[UNK]";
        tok_tokenizer *tk = NULL;
        tok_debug_fail_alloc_after(fail);
        int rc = tok_train(&tk, wc, &o, NULL);
        size_t made = tok_debug_fail_alloc_after(0);
        if (rc == TOK_OK) {
            tok_tokenizer_free(tk);
            if (made < fail)
                break;
            continue;
        }
        assert_int_equal(rc, TOK_ENOMEM);
        assert_null(tk);
    }
    tok_word_counts_free(wc);
}

static void running_out_of_memory_while_counting_fails_cleanly(void **st)
{
    (void)st;
    char path[] = "/tmp/tok-train-oom-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const char *text = "lower lowest newer\nwider new, newest\n\nlow\n";
    write_file(path, text, strlen(text));
    const char *files[] = {path};
    for (unsigned threads = 1; threads <= 2; threads++) {
        for (size_t fail = 1;; fail++) {
            tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
            o.threads = threads;
            o.model = fail % 2 ? TOK_TRAIN_WORDPIECE
                               : TOK_TRAIN_BYTELEVEL_BPE;
            tok_tokenizer *tk = NULL;
            tok_debug_fail_alloc_after(fail);
            int rc = tok_train_files(&tk, files, 1, &o, NULL);
            size_t made = tok_debug_fail_alloc_after(0);
            if (rc == TOK_OK) {
                tok_tokenizer_free(tk);
                if (made < fail)
                    break;
                continue;
            }
            assert_int_equal(rc, TOK_ENOMEM);
            assert_null(tk);
        }
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bpe_with_whitespace_words_matches_hugging_face),
        cmocka_unit_test(byte_level_bpe_matches_hugging_face),
        cmocka_unit_test(wordpiece_matches_hugging_face_given_its_hash_order),
        cmocka_unit_test(
            wordpiece_numbers_its_prefixed_alphabet_in_byte_order),
        cmocka_unit_test(min_frequency_stops_merging_at_rarer_pairs),
        cmocka_unit_test(max_token_length_limits_merged_tokens),
        cmocka_unit_test(long_words_merge_exactly_as_short_ones),
        cmocka_unit_test(one_or_two_threads_and_two_runs_give_the_same_bytes),
        cmocka_unit_test(counting_in_parallel_gives_the_same_table),
        cmocka_unit_test(special_tokens_come_first_and_frame_the_template),
        cmocka_unit_test(limit_alphabet_keeps_the_most_frequent_characters),
        cmocka_unit_test(initial_alphabet_adds_unseen_characters),
        cmocka_unit_test(end_of_word_suffix_marks_the_last_character),
        cmocka_unit_test(line_endings_are_part_of_the_text),
        cmocka_unit_test(a_special_token_can_be_a_character_of_the_corpus),
        cmocka_unit_test(word_counts_survive_a_save_and_load),
        cmocka_unit_test(an_empty_corpus_is_an_error),
        cmocka_unit_test(a_vocab_smaller_than_the_alphabet_is_an_error),
        cmocka_unit_test(an_unreadable_file_is_named),
        cmocka_unit_test(invalid_utf8_is_reported_with_line_and_offset),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(running_out_of_memory_fails_cleanly),
        cmocka_unit_test(running_out_of_memory_while_counting_fails_cleanly),
    };
    return cmocka_run_group_tests_name("train", tests, NULL, NULL);
}
