/* Tests for the BPE model stage (src/lib/bpe.c): Hugging Face's results on
 * small models, a slow reference merge on random and adversarial words,
 * and GPT-2's real vocabulary against the golden tokenizations. */
#include <ctype.h>
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
#include "model.h"
#include "utf8.h"

/* ------------------------------------------------------------------------
 * Helpers: files, models, splitting
 * ------------------------------------------------------------------------ */

static char *read_path(const char *dir_env, const char *fallback,
                       const char *name, size_t *len)
{
    const char *dir = getenv(dir_env);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : fallback, name);
    char *data;
    size_t n;
    tok_error err;
    if (tok_read_file(path, &data, &n, &err) != TOK_OK)
        fail_msg("cannot read %s: %s", path, err.message);
    if (len)
        *len = n;
    return data;
}

static cJSON *read_json(const char *dir_env, const char *fallback,
                        const char *name)
{
    char *data = read_path(dir_env, fallback, name, NULL);
    cJSON *j = cJSON_Parse(data);
    tok_free(data);
    assert_non_null(j);
    return j;
}

typedef struct opts {
    const char *unk;
    const char *prefix;
    const char *suffix;
    bool fuse_unk;
    bool byte_fallback;
    bool ignore_merges;
} opts;

static tok_model *new_model(const opts *o)
{
    tok_model *m = tok_model_new(TOK_MODEL_BPE);
    assert_non_null(m);
    if (o->unk)
        m->unk_token = tok_strdup(o->unk);
    if (o->prefix)
        m->continuing_subword_prefix = tok_strdup(o->prefix);
    if (o->suffix)
        m->end_of_word_suffix = tok_strdup(o->suffix);
    m->fuse_unk = o->fuse_unk;
    m->byte_fallback = o->byte_fallback;
    m->ignore_merges = o->ignore_merges;
    return m;
}

static int32_t vid(const tok_model *m, const char *s)
{
    return tok_vocab_find(&m->vocab, s, strlen(s));
}

static void push_merge(tok_model *m, int32_t left, int32_t right,
                       int32_t result)
{
    /* Capacity doubles at powers of two, so 50,000 merges copy little. */
    tok_merge *v = m->merges;
    if ((m->nmerges & (m->nmerges - 1)) == 0) {
        v = tok_realloc(v, (m->nmerges ? 2 * m->nmerges : 1) * sizeof *v);
        assert_non_null(v);
        m->merges = v;
    }
    v[m->nmerges].left = left;
    v[m->nmerges].right = right;
    v[m->nmerges].result = result;
    m->nmerges++;
}

/* Appends the merge of two tokens; its result is made as Hugging Face
 * makes it: left followed by right less the continuing-subword prefix. */
static void add_merge(tok_model *m, const char *left, const char *right)
{
    size_t plen = m->continuing_subword_prefix
        ? strlen(m->continuing_subword_prefix) : 0;
    char joined[512];
    assert_true(strlen(right) >= plen);
    snprintf(joined, sizeof joined, "%s%s", left, right + plen);
    int32_t l = vid(m, left), r = vid(m, right), res = vid(m, joined);
    if (l < 0 || r < 0 || res < 0)
        fail_msg("merge \"%s\" \"%s\" uses a token not in the vocabulary",
                 left, right);
    push_merge(m, l, r, res);
}

static void build(tok_model *m)
{
    tok_error err;
    if (tok_model_build(m, &err) != TOK_OK)
        fail_msg("build failed: %s", err.message);
}

/* A model from a space-separated vocabulary (ids in order) and
 * comma-separated merges "left right". */
static tok_model *model_of(const char *vocab, const char *merges,
                           const opts *o)
{
    tok_model *m = new_model(o);
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", vocab);
    for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
        assert_true(tok_vocab_push(&m->vocab, t, strlen(t)) >= 0);
    snprintf(buf, sizeof buf, "%s", merges);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        char *sp = strchr(t, ' ');
        assert_non_null(sp);
        *sp = '\0';
        add_merge(m, t, sp + 1);
    }
    build(m);
    return m;
}

/* The pieces of a word as "tok|tok|tok" (token strings). */
static const char *split_s(const tok_model *m, void *scratch,
                           const char *word, size_t len)
{
    static char out[8192];
    tok_pieces p = {0};
    assert_int_equal(m->ops->tokenize(m, scratch, word, len, &p), TOK_OK);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p.len; i++) {
        size_t n = 0;
        const char *s = tok_vocab_str(&m->vocab, p.v[i].id, &n);
        assert_non_null(s);
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%.*s",
                              i ? "|" : "", (int)n, s);
    }
    tok_free(p.v);
    return out;
}

static const char *split(const tok_model *m, void *scratch, const char *word)
{
    return split_s(m, scratch, word, strlen(word));
}

/* The byte spans of the pieces as "0:1 1:3". */
static const char *spans(const tok_model *m, void *scratch, const char *word)
{
    static char out[8192];
    tok_pieces p = {0};
    assert_int_equal(m->ops->tokenize(m, scratch, word, strlen(word), &p),
                     TOK_OK);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p.len; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%u:%u",
                              i ? " " : "", p.v[i].start, p.v[i].end);
    tok_free(p.v);
    return out;
}

/* ------------------------------------------------------------------------
 * The reference: Hugging Face's algorithm written the slow, plain way
 * ------------------------------------------------------------------------ */

typedef struct ref_sym {
    int32_t id;
    uint32_t len;
} ref_sym;

typedef struct ref_pair {
    uint64_t key;
    uint32_t rank;
} ref_pair;

/* Pair -> rank, by binary search in a sorted copy of the merges; a pair
 * listed twice keeps its later rank, as Hugging Face's map does.  For a
 * few ids (dense_ids) a square table answers instead, so the sweep below
 * stays fast on megabyte words. */
typedef struct ref_index {
    const tok_model *m;
    ref_pair *pairs;
    size_t n;
    int32_t *dense_of;      /* id -> dense index or -1 */
    uint32_t *dense;        /* rank + 1, 0 when none */
    size_t ndense;
} ref_index;

static int cmp_pair(const void *a, const void *b)
{
    const ref_pair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static uint64_t key_of(int32_t l, int32_t r)
{
    return ((uint64_t)(uint32_t)l << 32) | (uint32_t)r;
}

static bool ref_rank_search(const ref_index *x, int32_t l, int32_t r,
                            uint32_t *rank)
{
    uint64_t key = key_of(l, r);
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->pairs[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == x->n || x->pairs[lo].key != key)
        return false;
    while (lo + 1 < x->n && x->pairs[lo + 1].key == key)
        lo++;
    *rank = x->pairs[lo].rank;
    return true;
}

static bool ref_rank(const ref_index *x, int32_t l, int32_t r, uint32_t *rank)
{
    if (x->dense && x->dense_of[l] >= 0 && x->dense_of[r] >= 0) {
        uint32_t v = x->dense[(size_t)x->dense_of[l] * x->ndense +
                              (size_t)x->dense_of[r]];
        *rank = v - 1;
        return v != 0;
    }
    return ref_rank_search(x, l, r, rank);
}

static ref_index *ref_index_new(const tok_model *m)
{
    ref_index *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->m = m;
    x->n = m->nmerges;
    x->pairs = malloc((x->n + 1) * sizeof *x->pairs);
    assert_non_null(x->pairs);
    for (size_t i = 0; i < x->n; i++) {
        x->pairs[i].key = key_of(m->merges[i].left, m->merges[i].right);
        x->pairs[i].rank = (uint32_t)i;
    }
    qsort(x->pairs, x->n, sizeof *x->pairs, cmp_pair);
    return x;
}

/* Adds the square table for the ids whose token uses only these bytes
 * (merges in rank order, so a pair listed twice keeps the later rank). */
static void ref_index_dense(ref_index *x, const char *bytes)
{
    const tok_vocab *v = &x->m->vocab;
    x->dense_of = malloc(v->size * sizeof *x->dense_of);
    assert_non_null(x->dense_of);
    for (size_t id = 0; id < v->size; id++) {
        size_t n = 0;
        const char *s = tok_vocab_str(v, (int32_t)id, &n);
        bool ok = s && n > 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = s[i] && strchr(bytes, s[i]) != NULL;
        x->dense_of[id] = ok ? (int32_t)x->ndense++ : -1;
    }
    x->dense = calloc(x->ndense * x->ndense, sizeof *x->dense);
    assert_non_null(x->dense);
    for (size_t i = 0; i < x->m->nmerges; i++) {
        const tok_merge *mg = &x->m->merges[i];
        int32_t l = x->dense_of[mg->left], r = x->dense_of[mg->right];
        if (l >= 0 && r >= 0)
            x->dense[(size_t)l * x->ndense + (size_t)r] = (uint32_t)i + 1;
    }
}

static void ref_index_free(ref_index *x)
{
    free(x->pairs);
    free(x->dense_of);
    free(x->dense);
    free(x);
}

/* Hugging Face's merge_word: each character spelled with its affixes and
 * looked up; if absent, its "<0xXX>" bytes when all exist (byte_fallback;
 * affix bytes cover no byte of the word in tok), else the unknown token,
 * written when the next known character comes (fused when fuse_unk), else
 * nothing.  out needs room for (1 + prefix) * len + suffix symbols. */
static size_t ref_initial(const tok_model *m, const char *w, size_t len,
                          ref_sym *out)
{
    const char *pre = m->continuing_subword_prefix
        ? m->continuing_subword_prefix : "";
    const char *suf = m->end_of_word_suffix ? m->end_of_word_suffix : "";
    size_t n = 0;
    bool unk = false;
    uint32_t unk_len = 0;
    for (size_t pos = 0; pos < len;) {
        uint32_t cp;
        size_t clen = tok_utf8_decode((const unsigned char *)w, len, pos,
                                      &cp);
        if (clen == 0)
            clen = 1;
        char s[256];
        size_t sl = 0, pl = 0;
        if (pos > 0) {
            pl = strlen(pre);
            memcpy(s, pre, pl);
            sl = pl;
        }
        memcpy(s + sl, w + pos, clen);
        sl += clen;
        if (pos + clen == len) {
            memcpy(s + sl, suf, strlen(suf));
            sl += strlen(suf);
        }
        int32_t id = tok_vocab_find(&m->vocab, s, sl);
        if (id >= 0) {
            if (unk) {
                out[n++] = (ref_sym){m->unk_id, unk_len};
                unk = false;
            }
            out[n++] = (ref_sym){id, (uint32_t)clen};
            pos += clen;
            continue;
        }
        bool done = false;
        if (m->byte_fallback) {
            int32_t ids[256];
            done = true;
            for (size_t i = 0; i < sl && done; i++) {
                char name[8];
                snprintf(name, sizeof name, "<0x%02X>", (unsigned char)s[i]);
                ids[i] = vid(m, name);
                done = ids[i] >= 0;
            }
            for (size_t i = 0; done && i < sl; i++)
                out[n++] = (ref_sym){ids[i], i >= pl && i < pl + clen};
        }
        if (!done && m->unk_token) {
            if (unk && m->fuse_unk) {
                unk_len += (uint32_t)clen;
            } else {
                if (unk)
                    out[n++] = (ref_sym){m->unk_id, unk_len};
                unk = true;
                unk_len = (uint32_t)clen;
            }
        }
        pos += clen;
    }
    if (unk)
        out[n++] = (ref_sym){m->unk_id, unk_len};
    return n;
}

/* The definition: while some adjacent pair has a merge, apply the one of
 * lowest rank, the leftmost on a tie.  O(n^2): for short words. */
static size_t ref_merge_naive(const ref_index *x, ref_sym *s, size_t n)
{
    for (;;) {
        size_t best = SIZE_MAX;
        uint32_t best_rank = UINT32_MAX, r;
        for (size_t i = 0; i + 1 < n; i++)
            if (ref_rank(x, s[i].id, s[i + 1].id, &r) && r < best_rank) {
                best_rank = r;
                best = i;
            }
        if (best == SIZE_MAX)
            return n;
        s[best].id = x->m->merges[best_rank].result;
        s[best].len += s[best + 1].len;
        memmove(&s[best + 1], &s[best + 2],
                (n - best - 2) * sizeof *s);
        n--;
    }
}

/* The same for vocabularies where a merge only makes pairs of higher
 * rank (as training does): the lowest-rank pair is then merged at every
 * place, left to right, before any other, so one pass per rank does it.
 * Checked against ref_merge_naive on medium words below. */
static size_t ref_merge_sweep(const ref_index *x, ref_sym *s, size_t n)
{
    for (;;) {
        uint32_t best = UINT32_MAX, r;
        for (size_t i = 0; i + 1 < n; i++)
            if (ref_rank(x, s[i].id, s[i + 1].id, &r) && r < best)
                best = r;
        if (best == UINT32_MAX)
            return n;
        const tok_merge *mg = &x->m->merges[best];
        size_t j = 0;
        for (size_t i = 0; i < n; j++) {
            if (i + 1 < n && s[i].id == mg->left && s[i + 1].id == mg->right) {
                s[j] = (ref_sym){mg->result, s[i].len + s[i + 1].len};
                i += 2;
            } else {
                s[j] = s[i++];
            }
        }
        n = j;
    }
}

typedef size_t (*ref_merge_fn)(const ref_index *, ref_sym *, size_t);

/* Checks tok against the reference on one word; returns the pieces. */
static size_t check_word(const ref_index *x, void *scratch, const char *w,
                         size_t len, ref_merge_fn merge)
{
    const tok_model *m = x->m;
    size_t plen = m->continuing_subword_prefix
        ? strlen(m->continuing_subword_prefix) : 0;
    size_t slen = m->end_of_word_suffix ? strlen(m->end_of_word_suffix) : 0;
    ref_sym *s = malloc(((1 + plen) * len + slen + 1) * sizeof *s);
    assert_non_null(s);
    size_t n = merge(x, s, ref_initial(m, w, len, s));

    tok_pieces p = {0};
    assert_int_equal(m->ops->tokenize(m, scratch, w, len, &p), TOK_OK);
    if (p.len != n)
        fail_msg("word of %zu bytes \"%.40s\": %zu pieces, reference %zu",
                 len, w, p.len, n);
    uint32_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (p.v[i].id != s[i].id || p.v[i].start != at ||
            p.v[i].end != at + s[i].len)
            fail_msg("word \"%.40s\" piece %zu: id %d %u:%u, reference "
                     "%d %u:%u", w, i, p.v[i].id, p.v[i].start, p.v[i].end,
                     s[i].id, at, at + s[i].len);
        at += s[i].len;
    }
    tok_free(p.v);
    free(s);
    return n;
}

/* ------------------------------------------------------------------------
 * Small models with known answers
 * ------------------------------------------------------------------------ */

static void merges_go_lowest_rank_first(void **state)
{
    (void)state;
    opts o = {0};
    tok_model *m = model_of("a b c ab bc abc", "b c,a b,a bc", &o);
    void *s = m->ops->scratch_new(m);
    /* (b c) has the lowest rank, so "ab" never forms. */
    assert_string_equal(split(m, s, "abc"), "abc");
    assert_string_equal(split(m, s, "ab"), "ab");
    assert_string_equal(split(m, s, "cab"), "c|ab");
    assert_string_equal(split(m, s, "abcab"), "abc|ab");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void equal_ranks_merge_the_leftmost_pair_first(void **state)
{
    (void)state;
    opts o = {0};
    tok_model *m = model_of("a aa", "a a", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "aaa"), "aa|a");
    assert_string_equal(spans(m, s, "aaa"), "0:2 2:3");
    assert_string_equal(split(m, s, "aaaaa"), "aa|aa|a");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void a_pair_listed_twice_keeps_its_later_rank(void **state)
{
    (void)state;
    /* Hugging Face builds a map from the list, so the later line wins:
     * (a b) ranks after (b c) here. */
    opts o = {0};
    tok_model *m = model_of("a b c ab bc", "a b,b c,a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "abc"), "a|bc");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void a_stale_entry_still_merges_a_pair_with_the_same_result(
    void **state)
{
    (void)state;
    /* Hugging Face checks a queued merge by its result token only: after
     * (b c), the entry queued for (a b) at rank 1 finds (a bc), which
     * also gives X, and merges it at rank 1, before (bc d) at rank 2. */
    opts o = {0};
    tok_model *m = new_model(&o);
    const char *toks[] = {"a", "b", "c", "d", "X", "bc", "bcd"};
    for (size_t i = 0; i < 7; i++)
        assert_true(tok_vocab_push(&m->vocab, toks[i], strlen(toks[i])) >=
                    0);
    push_merge(m, 1, 2, 5);     /* b c -> bc */
    push_merge(m, 0, 1, 4);     /* a b -> X */
    push_merge(m, 5, 3, 6);     /* bc d -> bcd */
    push_merge(m, 0, 5, 4);     /* a bc -> X */
    build(m);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "abcd"), "X|d");
    assert_string_equal(spans(m, s, "abcd"), "0:3 3:4");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void unknown_characters_are_dropped_when_there_is_no_unk(
    void **state)
{
    (void)state;
    opts o = {0};
    tok_model *m = model_of("a b ab", "a b", &o);
    void *s = m->ops->scratch_new(m);
    /* As in Hugging Face the neighbours then merge, and the offsets only
     * count the bytes of the pieces kept. */
    assert_string_equal(split(m, s, "aXb"), "ab");
    assert_string_equal(spans(m, s, "aXb"), "0:2");
    assert_string_equal(split(m, s, "XYZ"), "");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void unknown_characters_become_unk_one_each(void **state)
{
    (void)state;
    opts o = {.unk = "<unk>"};
    tok_model *m = model_of("a b ab <unk>", "a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "aXYb"), "a|<unk>|<unk>|b");
    assert_string_equal(spans(m, s, "aXYb"), "0:1 1:2 2:3 3:4");
    assert_string_equal(split(m, s, "ab\xc3\xa9"), "ab|<unk>");
    assert_string_equal(spans(m, s, "ab\xc3\xa9"), "0:2 2:4");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void fuse_unk_joins_neighbouring_unknowns(void **state)
{
    (void)state;
    opts o = {.unk = "<unk>", .fuse_unk = true};
    tok_model *m = model_of("a b ab <unk>", "a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "aXYb"), "a|<unk>|b");
    assert_string_equal(spans(m, s, "aXYb"), "0:1 1:3 3:4");
    assert_string_equal(split(m, s, "XaY\xe4\xb8\xad"), "<unk>|a|<unk>");
    assert_string_equal(spans(m, s, "XaY\xe4\xb8\xad"), "0:1 1:2 2:6");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void an_unk_token_missing_from_the_vocabulary_fails_on_use(
    void **state)
{
    (void)state;
    opts o = {.unk = "<nope>"};
    tok_model *m = model_of("a b ab", "a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "ab"), "ab");
    tok_pieces p = {0};
    assert_int_equal(m->ops->tokenize(m, s, "aXb", 3, &p), TOK_EFORMAT);
    tok_free(p.v);
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void byte_fallback_spells_unknown_characters_as_bytes(void **state)
{
    (void)state;
    opts o = {.unk = "<unk>", .byte_fallback = true};
    tok_model *m = model_of("a b ab <unk> <0x58> <0xC3> <0xA9> <0x59>",
                            "a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "aX\xc3\xa9" "b"),
                        "a|<0x58>|<0xC3>|<0xA9>|b");
    assert_string_equal(spans(m, s, "aX\xc3\xa9" "b"),
                        "0:1 1:2 2:3 3:4 4:5");
    /* Z has no byte token, so it is unk; Hugging Face writes the pending
     * unk only when the next known character comes, after the Y byte. */
    assert_string_equal(split(m, s, "aZYb"), "a|<0x59>|<unk>|b");
    assert_string_equal(spans(m, s, "aZYb"), "0:1 1:2 2:3 3:4");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void byte_fallback_pieces_merge_like_any_other(void **state)
{
    (void)state;
    opts o = {.byte_fallback = true};
    tok_model *m = model_of("a <0xC3> <0xA9> <0xC3><0xA9>",
                            "<0xC3> <0xA9>", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "a\xc3\xa9"), "a|<0xC3><0xA9>");
    assert_string_equal(spans(m, s, "a\xc3\xa9"), "0:1 1:3");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void affix_bytes_of_byte_fallback_cover_no_text(void **state)
{
    (void)state;
    /* Hugging Face spells the prefix too ("##X" gives <0x23> <0x23>
     * <0x58>) and counts each as one byte, past the word's end; tok keeps
     * the ids and gives the prefix bytes empty spans inside the word. */
    opts o = {.prefix = "##", .byte_fallback = true};
    tok_model *m = model_of("a ##b <0x23> <0x58>", "", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "aXb"), "a|<0x23>|<0x23>|<0x58>|##b");
    assert_string_equal(spans(m, s, "aXb"), "0:1 1:1 1:1 1:2 2:3");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void prefix_and_suffix_spell_inner_and_last_characters(void **state)
{
    (void)state;
    opts o = {.prefix = "##", .suffix = "</w>"};
    tok_model *m = model_of("a ##a a</w> ##a</w> b ##b ##b</w> b</w> "
                            "ab ##ab</w> ab</w>",
                            "a ##b,##a ##b</w>,a ##b</w>", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "a"), "a</w>");
    assert_string_equal(split(m, s, "ab"), "ab</w>");
    assert_string_equal(split(m, s, "aab"), "a|##ab</w>");
    assert_string_equal(split(m, s, "aba"), "ab|##a</w>");
    assert_string_equal(spans(m, s, "aba"), "0:2 2:3");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void ignore_merges_returns_a_whole_vocabulary_word(void **state)
{
    (void)state;
    opts o = {.ignore_merges = true};
    tok_model *m = model_of("a b c ab abc cab", "a b", &o);
    void *s = m->ops->scratch_new(m);
    /* "cab" is in the vocabulary though no merge makes it. */
    assert_string_equal(split(m, s, "cab"), "cab");
    assert_string_equal(spans(m, s, "cab"), "0:3");
    assert_string_equal(split(m, s, "abc"), "abc");
    assert_string_equal(split(m, s, "cabc"), "c|ab|c");
    /* Options count from the next build; the scratch's cache then
     * forgets the words of the old build. */
    m->ignore_merges = false;
    assert_string_equal(split(m, s, "cab"), "cab");
    build(m);
    assert_string_equal(split(m, s, "cab"), "c|ab");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void a_scratch_follows_its_model_through_a_rebuild(void **state)
{
    (void)state;
    /* CJK characters are looked up with the prefix spelled out in the
     * scratch's buffer, which must grow with a longer prefix. */
    opts o = {.prefix = "#"};
    tok_model *m = model_of("\xe4\xb8\xad #\xe4\xb8\xad", "", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "\xe4\xb8\xad\xe4\xb8\xad"),
                        "\xe4\xb8\xad|#\xe4\xb8\xad");
    tok_free(m->continuing_subword_prefix);
    m->continuing_subword_prefix = tok_strdup("@@@@@@@@@@@@@@@@");
    assert_true(tok_vocab_push(&m->vocab, "@@@@@@@@@@@@@@@@\xe4\xb8\xad",
                               19) >= 0);
    build(m);
    assert_string_equal(split(m, s, "\xe4\xb8\xad\xe4\xb8\xad"),
                        "\xe4\xb8\xad|@@@@@@@@@@@@@@@@\xe4\xb8\xad");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void invalid_utf8_bytes_are_one_byte_characters(void **state)
{
    (void)state;
    opts o = {.unk = "<unk>"};
    tok_model *m = model_of("a b ab <unk>", "a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split(m, s, "a\xff" "b"), "a|<unk>|b");
    assert_string_equal(split(m, s, "ab\xe4\xb8"), "ab|<unk>|<unk>");
    assert_string_equal(spans(m, s, "ab\xe4\xb8"), "0:2 2:3 3:4");
    assert_string_equal(split(m, s, "\xc0\x80" "ab"), "<unk>|<unk>|ab");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void an_empty_word_gives_no_pieces(void **state)
{
    (void)state;
    opts o = {.unk = "<unk>"};
    tok_model *m = model_of("a b ab <unk>", "a b", &o);
    void *s = m->ops->scratch_new(m);
    assert_string_equal(split_s(m, s, "", 0), "");
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void a_null_scratch_still_tokenizes(void **state)
{
    (void)state;
    opts o = {0};
    tok_model *m = model_of("a b ab", "a b", &o);
    assert_string_equal(split(m, NULL, "abab"), "ab|ab");
    tok_model_free(m);
}

static void pieces_are_appended_after_existing_ones(void **state)
{
    (void)state;
    opts o = {0};
    tok_model *m = model_of("a b ab", "a b", &o);
    void *s = m->ops->scratch_new(m);
    tok_pieces p = {0};
    assert_int_equal(tok_pieces_push(&p, 7, 0, 0), TOK_OK);
    assert_int_equal(m->ops->tokenize(m, s, "aba", 3, &p), TOK_OK);
    assert_int_equal(m->ops->tokenize(m, s, "aba", 3, &p), TOK_OK);
    assert_int_equal(p.len, 5);
    assert_int_equal(p.v[0].id, 7);
    assert_int_equal(p.v[3].id, vid(m, "ab"));
    assert_int_equal(p.v[4].start, 2);
    tok_free(p.v);
    m->ops->scratch_free(s);
    tok_model_free(m);
}

static void a_merge_outside_the_vocabulary_fails_to_build(void **state)
{
    (void)state;
    opts o = {0};
    tok_model *m = new_model(&o);
    assert_true(tok_vocab_push(&m->vocab, "a", 1) >= 0);
    push_merge(m, 0, 0, 5);
    tok_error err;
    assert_int_equal(tok_model_build(m, &err), TOK_EFORMAT);
    assert_non_null(strstr(err.message, "merge 0"));
    tok_model_free(m);
}

/* ------------------------------------------------------------------------
 * Hugging Face's own answers (tests/data/bpe/hf-bpe.json)
 * ------------------------------------------------------------------------ */

static const char *jstr(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool jbool(const cJSON *j, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, key));
}

/* A model from a tokenizer.json "model" object. */
static tok_model *model_from_json(const cJSON *j)
{
    opts o = {
        .unk = jstr(j, "unk_token"),
        .prefix = jstr(j, "continuing_subword_prefix"),
        .suffix = jstr(j, "end_of_word_suffix"),
        .fuse_unk = jbool(j, "fuse_unk"),
        .byte_fallback = jbool(j, "byte_fallback"),
        .ignore_merges = jbool(j, "ignore_merges"),
    };
    tok_model *m = new_model(&o);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "vocab")) {
        tok_error err;
        if (tok_vocab_add(&m->vocab, e->string, strlen(e->string),
                          (int32_t)e->valuedouble, &err) != TOK_OK)
            fail_msg("vocab: %s", err.message);
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "merges")) {
        if (cJSON_IsString(e)) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s", e->valuestring);
            char *sp = strchr(buf, ' ');
            assert_non_null(sp);
            *sp = '\0';
            add_merge(m, buf, sp + 1);
        } else {
            add_merge(m, cJSON_GetArrayItem(e, 0)->valuestring,
                      cJSON_GetArrayItem(e, 1)->valuestring);
        }
    }
    build(m);
    return m;
}

/* The code point holding byte b of w (b < len), or the count at len. */
static uint32_t char_at(const char *w, size_t len, size_t b)
{
    uint32_t c = 0;
    for (size_t i = 1; i <= b && i <= len; i++)
        c += ((unsigned char)w[i] & 0xC0) != 0x80 || i == len;
    return c;
}

static void pieces_match_hugging_face_on_small_models(void **state)
{
    (void)state;
    cJSON *all = read_json("TOK_TEST_DATA", "data", "bpe/hf-bpe.json");
    const cJSON *mj;
    size_t nwords = 0;
    cJSON_ArrayForEach(mj, all) for (int queue = 0; queue < 2; queue++) {
        tok_model *m = model_from_json(mj);
        tok_bpe_debug_queue_only(m, queue);
        void *s = m->ops->scratch_new(m);
        const char *name = jstr(mj, "name");
        /* Twice: the second pass answers from the word cache. */
        for (int pass = 0; pass < 2; pass++) {
            const cJSON *c;
            cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(mj,
                                                                   "cases")) {
                const char *w = jstr(c, "word");
                size_t len = strlen(w);
                const cJSON *ids = cJSON_GetObjectItemCaseSensitive(c, "ids");
                const cJSON *offs =
                    cJSON_GetObjectItemCaseSensitive(c, "offsets");
                tok_pieces p = {0};
                assert_int_equal(m->ops->tokenize(m, s, w, len, &p), TOK_OK);
                if (p.len != (size_t)cJSON_GetArraySize(ids))
                    fail_msg("%s: \"%s\": %zu pieces, Hugging Face %d", name,
                             w, p.len, cJSON_GetArraySize(ids));
                for (size_t i = 0; i < p.len; i++) {
                    const cJSON *off = cJSON_GetArrayItem(offs, (int)i);
                    uint32_t cs = char_at(w, len, p.v[i].start);
                    uint32_t ce = p.v[i].end == 0
                        ? 0 : char_at(w, len, p.v[i].end - 1) + 1;
                    int hs = cJSON_GetArrayItem(off, 0)->valueint;
                    int he = cJSON_GetArrayItem(off, 1)->valueint;
                    int hid = cJSON_GetArrayItem(ids, (int)i)->valueint;
                    if (p.v[i].id != hid || (int)cs != hs || (int)ce != he)
                        fail_msg("%s: \"%s\" piece %zu: %d (%u,%u), Hugging "
                                 "Face %d (%d,%d)", name, w, i, p.v[i].id,
                                 cs, ce, hid, hs, he);
                }
                tok_free(p.v);
                nwords++;
            }
        }
        m->ops->scratch_free(s);
        tok_model_free(m);
    }
    assert_true(nwords > 4000);
    cJSON_Delete(all);
}

/* ------------------------------------------------------------------------
 * The reference on random and adversarial words
 * ------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 11) % n);
}

/* A random word of chars drawn from the given UTF-8 strings. */
static size_t random_word(char *w, size_t nchars, const char *const *chars,
                          size_t nchoices)
{
    size_t len = 0;
    for (size_t i = 0; i < nchars; i++) {
        const char *c = chars[rnd((uint32_t)nchoices)];
        memcpy(w + len, c, strlen(c));
        len += strlen(c);
    }
    w[len] = '\0';
    return len;
}

static const char *const small_chars[] = {
    "a", "b", "c", "d", "e", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80",
    "x", "y", "z", "\xc3\x9f", "\xff", "\xe4\xb8",
};

static void random_words_match_the_reference_on_small_models(void **state)
{
    (void)state;
    cJSON *all = read_json("TOK_TEST_DATA", "data", "bpe/hf-bpe.json");
    const cJSON *mj;
    char w[1024];
    cJSON_ArrayForEach(mj, all) {
        tok_model *m = model_from_json(mj);
        ref_index *x = ref_index_new(m);
        void *s = m->ops->scratch_new(m);
        for (int pass = 0; pass < 2; pass++) {
            rng_state = 12345;
            for (int i = 0; i < 3000; i++) {
                size_t len = random_word(w, 1 + rnd(i % 10 ? 12 : 120),
                                         small_chars, 14);
                check_word(x, s, w, len, ref_merge_naive);
            }
        }
        m->ops->scratch_free(s);
        ref_index_free(x);
        tok_model_free(m);
    }
    cJSON_Delete(all);
}

static tok_model *gpt2_model;

static tok_model *gpt2(void)
{
    if (!gpt2_model) {
        cJSON *t = read_json("TOK_VOCAB_DIR", "../vocab",
                             "gpt2/tokenizer.json");
        gpt2_model = model_from_json(cJSON_GetObjectItemCaseSensitive(t,
                                                                      "model"));
        cJSON_Delete(t);
        assert_int_equal(gpt2_model->vocab.size, 50257);
        assert_int_equal(gpt2_model->nmerges, 50000);
    }
    return gpt2_model;
}

static const char *const gpt2_chars[] = {
    "a", "b", "c", "d", "e", "i", "n", "o", "r", "s", "t", "\xc4\xa0",
    "0", "1", "9", ".", ",", "\xc4\x8a", "\xc3\xa2", "\xc4\xa2", "\xc4\xa3",
    "T", "H", "\xff",
};

static void random_words_match_the_reference_on_gpt2(void **state)
{
    (void)state;
    tok_model *m = gpt2();
    ref_index *x = ref_index_new(m);
    char w[4096];
    /* Short words take the scan, long ones the queue; the last pass makes
     * every word take the queue. */
    void *s = m->ops->scratch_new(m);
    for (int pass = 0; pass < 3; pass++) {
        tok_bpe_debug_queue_only(m, pass == 2);
        rng_state = 777;
        for (int i = 0; i < 5000; i++) {
            size_t len = random_word(w, 1 + rnd(i % 10 ? 10 : 300),
                                     gpt2_chars, 24);
            check_word(x, pass == 2 ? NULL : s, w, len, ref_merge_naive);
        }
    }
    tok_bpe_debug_queue_only(m, false);
    m->ops->scratch_free(s);
    ref_index_free(x);
}

/* Raw bytes through tokenize_bytes give the pieces their byte-level
 * spelling gives through tokenize, with offsets in raw bytes; short words
 * take the scan, long ones the queue. */
static void raw_bytes_give_the_pieces_of_their_spelling(void **state)
{
    (void)state;
    tok_model *m = gpt2();
    void *s = m->ops->scratch_new(m);
    tok_pieces a = {0}, b = {0};
    static const char bytes[] = "aeinst Tt .,\n\xc3\xa9\xe4\xb8\xad\xff\x80\x01";
    rng_state = 4242;
    for (int i = 0; i < 3000; i++) {
        char raw[400], spelled[800];
        uint32_t at[801];
        size_t len = 1 + rnd(i % 10 ? 12 : 300), n = 0;
        for (size_t k = 0; k < len; k++)
            raw[k] = bytes[rnd(sizeof bytes - 1)];
        for (size_t k = 0; k < len; k++) {
            size_t cl;
            const char *c = tok_bytelevel_utf8((unsigned char)raw[k], &cl);
            for (size_t j = 0; j < cl; j++) {
                at[n] = (uint32_t)k;
                spelled[n++] = c[j];
            }
        }
        at[n] = (uint32_t)len;
        a.len = b.len = 0;
        assert_int_equal(m->ops->tokenize_bytes(m, i % 3 ? s : NULL, raw,
                                                len, &a), TOK_OK);
        assert_int_equal(m->ops->tokenize(m, s, spelled, n, &b), TOK_OK);
        assert_int_equal(a.len, b.len);
        for (size_t k = 0; k < a.len; k++) {
            assert_int_equal(a.v[k].id, b.v[k].id);
            assert_int_equal(a.v[k].start, at[b.v[k].start]);
            assert_int_equal(a.v[k].end, at[b.v[k].end]);
        }
    }
    tok_free(a.v);
    tok_free(b.v);
    m->ops->scratch_free(s);
}

static void raw_bytes_are_refused_without_a_token_for_every_byte(void **state)
{
    (void)state;
    opts o = {.prefix = "##"};
    tok_model *m = model_of("a b ##b ab", "a ##b", &o);
    tok_pieces p = {0};
    assert_int_equal(m->ops->tokenize_bytes(m, NULL, "ab", 2, &p),
                     TOK_EUNSUPPORTED);
    assert_int_equal(p.len, 0);
    tok_model_free(m);
}

static void the_sweep_reference_agrees_with_the_definition(void **state)
{
    (void)state;
    tok_model *m = gpt2();
    ref_index *x = ref_index_new(m);
    void *s = m->ops->scratch_new(m);
    static const char *const abc[] = {"a", "b", "c"};
    char *w = malloc(3000);
    assert_non_null(w);
    for (int i = 0; i < 10; i++) {
        size_t len = random_word(w, 2000, abc, 3);
        size_t n1 = check_word(x, s, w, len, ref_merge_naive);
        size_t n2 = check_word(x, s, w, len, ref_merge_sweep);
        assert_int_equal(n1, n2);
    }
    free(w);
    m->ops->scratch_free(s);
    ref_index_free(x);
}

static void a_megabyte_of_one_letter_matches_the_reference(void **state)
{
    (void)state;
    tok_model *m = gpt2();
    ref_index *x = ref_index_new(m);
    void *s = m->ops->scratch_new(m);
    size_t len = 1 << 20;
    char *w = malloc(len + 1);
    assert_non_null(w);
    memset(w, 'a', len);
    assert_true(check_word(x, s, w, len, ref_merge_sweep) > 1000);
    memset(w, '7', len);
    check_word(x, s, w, len, ref_merge_sweep);
    /* U+0120, GPT-2's space, two bytes each. */
    for (size_t i = 0; i < len; i += 2)
        memcpy(w + i, "\xc4\xa0", 2);
    check_word(x, s, w, len, ref_merge_sweep);
    /* The scratch works on after giving back its big arrays. */
    assert_string_equal(split(m, s, "hello"), "hello");
    free(w);
    m->ops->scratch_free(s);
    ref_index_free(x);
}

static void a_megabyte_of_three_random_letters_matches_the_reference(
    void **state)
{
    (void)state;
    tok_model *m = gpt2();
    ref_index *x = ref_index_new(m);
    ref_index_dense(x, "abc");
    void *s = m->ops->scratch_new(m);
    static const char *const abc[] = {"a", "b", "c"};
    size_t len = 1 << 20;
    char *w = malloc(len + 1);
    assert_non_null(w);
    rng_state = 99;
    random_word(w, len, abc, 3);
    assert_true(check_word(x, s, w, len, ref_merge_sweep) > len / 4);
    free(w);
    m->ops->scratch_free(s);
    ref_index_free(x);
}

/* Adds word w as a token and the merges that build it from its first
 * byte: (w[0..i), w[i]) -> w[0..i]. */
static int32_t add_chain(tok_model *m, const char *w, size_t len)
{
    int32_t id = tok_vocab_find(&m->vocab, w, len);
    if (id >= 0)
        return id;
    id = tok_vocab_push(&m->vocab, w, len);
    assert_true(id >= 0);
    if (len > 1)
        push_merge(m, add_chain(m, w, len - 1),
                   add_chain(m, w + len - 1, 1), id);
    return id;
}

static void words_one_byte_apart_never_share_a_cache_entry(void **state)
{
    (void)state;
    /* Words "^aaa", "^aba", "^aab"...: every prefix starting with '^' is
     * a token made by merging in its last byte, and no other pair merges,
     * so each word is one token of its own: merging must tell words one
     * byte apart (test_encode.c checks the same of the word cache). */
    opts o = {0};
    tok_model *m = new_model(&o);
    char w[40];
    for (size_t len = 1; len <= 33; len++)
        for (size_t at = 1; at <= len; at++) {
            w[0] = '^';
            memset(w + 1, 'a', len - 1);
            if (at < len)
                w[at] = 'b';
            add_chain(m, w, len);
        }
    build(m);
    void *s = m->ops->scratch_new(m);
    tok_pieces p = {0};
    for (int round = 0; round < 2; round++)
        for (size_t len = 1; len <= 33; len++)
            for (size_t at = 1; at <= len; at++) {
                w[0] = '^';
                memset(w + 1, 'a', len - 1);
                if (at < len)
                    w[at] = 'b';
                p.len = 0;
                assert_int_equal(m->ops->tokenize(m, s, w, len, &p), TOK_OK);
                assert_int_equal(p.len, 1);
                if (p.v[0].id != tok_vocab_find(&m->vocab, w, len))
                    fail_msg("\"%.*s\" gave another word's token",
                             (int)len, w);
            }
    tok_free(p.v);
    m->ops->scratch_free(s);
    tok_model_free(m);
}

/* ------------------------------------------------------------------------
 * GPT-2 against the golden tokenizations
 * ------------------------------------------------------------------------ */

static bool is_other(unsigned char c)
{
    return !isspace(c) && !isalnum(c);
}

/* The end of the GPT-2 pre-token starting at t[i], for ASCII text:
 * 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * (the pre-tokenizer's job in tok; here only to feed the model words). */
static size_t gpt2_piece_end(const unsigned char *t, size_t n, size_t i)
{
    static const char *const contractions[] = {"'s", "'t", "'re", "'ve",
                                               "'m", "'ll", "'d"};
    for (size_t k = 0; k < 7; k++) {
        size_t cl = strlen(contractions[k]);
        if (n - i >= cl && memcmp(t + i, contractions[k], cl) == 0)
            return i + cl;
    }
    size_t j0 = i + (t[i] == ' ' && i + 1 < n);
    int (*classes[])(int) = {isalpha, isdigit};
    for (size_t k = 0; k < 2; k++)
        if (classes[k](t[j0])) {
            size_t j = j0;
            while (j < n && classes[k](t[j]))
                j++;
            return j;
        }
    if (is_other(t[j0])) {
        size_t j = j0;
        while (j < n && is_other(t[j]))
            j++;
        return j;
    }
    size_t j = i;
    while (j < n && isspace(t[j]))
        j++;
    return j < n && j - i >= 2 ? j - 1 : j;
}

static void gpt2_words_give_the_golden_ids(void **state)
{
    (void)state;
    tok_model *m = gpt2();
    void *s = m->ops->scratch_new(m);
    size_t len;
    char *data = read_path("TOK_TEST_DATA", "data", "golden/gpt2.jsonl",
                           &len);
    size_t checked = 0;
    tok_pieces p = {0};
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *r = cJSON_Parse(line);
        assert_non_null(r);
        const unsigned char *t = (const unsigned char *)jstr(r, "text");
        size_t n = strlen((const char *)t);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(r, "ids");
        const cJSON *offs = cJSON_GetObjectItemCaseSensitive(r, "offsets");
        int nids = cJSON_GetArraySize(ids);
        bool ascii = nids > 0 &&
            cJSON_GetArrayItem(cJSON_GetArrayItem(offs, nids - 1), 1)
                ->valueint == (int)n &&
            !strstr((const char *)t, "<|endoftext|>");
        for (size_t i = 0; ascii && i < n; i++)
            ascii = t[i] < 0x80;
        if (!ascii) {
            cJSON_Delete(r);
            continue;
        }
        p.len = 0;
        for (size_t i = 0; i < n;) {
            size_t e = gpt2_piece_end(t, n, i);
            char w[4096];
            size_t wl = 0;
            for (size_t k = i; k < e; k++) {
                size_t cl;
                const char *c = tok_bytelevel_utf8(t[k], &cl);
                memcpy(w + wl, c, cl);
                wl += cl;
            }
            assert_int_equal(m->ops->tokenize(m, s, w, wl, &p), TOK_OK);
            i = e;
        }
        if (p.len != (size_t)nids)
            fail_msg("text \"%s\": %zu ids, golden %d", t, p.len, nids);
        for (size_t i = 0; i < p.len; i++)
            assert_int_equal(p.v[i].id,
                             cJSON_GetArrayItem(ids, (int)i)->valueint);
        checked++;
        cJSON_Delete(r);
    }
    assert_true(checked >= 100);
    tok_free(p.v);
    tok_free(data);
    m->ops->scratch_free(s);
}

static void every_golden_text_cut_by_hugging_face_gives_its_ids(void **state)
{
    (void)state;
    /* All 288 texts, emoji and CJK included, cut into pre-tokens by
     * Hugging Face (tests/data/bpe/gpt2-words.jsonl). */
    tok_model *m = gpt2();
    void *s = m->ops->scratch_new(m);
    char *data = read_path("TOK_TEST_DATA", "data", "bpe/gpt2-words.jsonl",
                           NULL);
    size_t checked = 0;
    tok_pieces p = {0};
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        cJSON *r = cJSON_Parse(line);
        assert_non_null(r);
        p.len = 0;
        const cJSON *w;
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(r, "words"))
            assert_int_equal(m->ops->tokenize(m, s, w->valuestring,
                                              strlen(w->valuestring), &p),
                             TOK_OK);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(r, "ids");
        if (p.len != (size_t)cJSON_GetArraySize(ids))
            fail_msg("text %d: %zu ids, Hugging Face %d",
                     cJSON_GetObjectItemCaseSensitive(r, "id")->valueint,
                     p.len, cJSON_GetArraySize(ids));
        for (size_t i = 0; i < p.len; i++)
            assert_int_equal(p.v[i].id,
                             cJSON_GetArrayItem(ids, (int)i)->valueint);
        checked++;
        cJSON_Delete(r);
    }
    assert_int_equal(checked, 288);
    tok_free(p.v);
    tok_free(data);
    m->ops->scratch_free(s);
}

/* ------------------------------------------------------------------------
 * Allocation failures
 * ------------------------------------------------------------------------ */

static void allocation_failures_are_reported_not_fatal(void **state)
{
    (void)state;
    opts o = {.unk = "<unk>", .byte_fallback = true};
    tok_model *m = model_of("a b ab aab <unk> <0x58>", "a b,a ab", &o);
    char w[3000];
    for (size_t i = 0; i < sizeof w - 1; i++)
        w[i] = "abXZ"[i % 4];
    w[sizeof w - 1] = '\0';
    bool done = false;
    for (size_t n = 1; n < 200 && !done; n++) {
        tok_debug_fail_alloc_after(n);
        tok_error err;
        int rc = tok_model_build(m, &err);
        void *s = rc == TOK_OK ? m->ops->scratch_new(m) : NULL;
        tok_pieces p = {0};
        if (s)
            rc = m->ops->tokenize(m, s, w, sizeof w - 1, &p);
        size_t made = tok_debug_fail_alloc_after(0);
        if (s && rc == TOK_OK && made < n) {
            done = true;
            assert_true(p.len > 100);
        } else {
            assert_true(rc == TOK_OK || rc == TOK_ENOMEM);
        }
        tok_free(p.v);
        if (s)
            m->ops->scratch_free(s);
    }
    assert_true(done);
    build(m);
    assert_string_equal(split(m, NULL, "aab"), "aab");
    tok_model_free(m);
}

static int teardown_all(void **state)
{
    (void)state;
    tok_model_free(gpt2_model);
    gpt2_model = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merges_go_lowest_rank_first),
        cmocka_unit_test(equal_ranks_merge_the_leftmost_pair_first),
        cmocka_unit_test(a_pair_listed_twice_keeps_its_later_rank),
        cmocka_unit_test(
            a_stale_entry_still_merges_a_pair_with_the_same_result),
        cmocka_unit_test(
            unknown_characters_are_dropped_when_there_is_no_unk),
        cmocka_unit_test(unknown_characters_become_unk_one_each),
        cmocka_unit_test(fuse_unk_joins_neighbouring_unknowns),
        cmocka_unit_test(
            an_unk_token_missing_from_the_vocabulary_fails_on_use),
        cmocka_unit_test(byte_fallback_spells_unknown_characters_as_bytes),
        cmocka_unit_test(byte_fallback_pieces_merge_like_any_other),
        cmocka_unit_test(affix_bytes_of_byte_fallback_cover_no_text),
        cmocka_unit_test(prefix_and_suffix_spell_inner_and_last_characters),
        cmocka_unit_test(ignore_merges_returns_a_whole_vocabulary_word),
        cmocka_unit_test(a_scratch_follows_its_model_through_a_rebuild),
        cmocka_unit_test(invalid_utf8_bytes_are_one_byte_characters),
        cmocka_unit_test(an_empty_word_gives_no_pieces),
        cmocka_unit_test(a_null_scratch_still_tokenizes),
        cmocka_unit_test(pieces_are_appended_after_existing_ones),
        cmocka_unit_test(a_merge_outside_the_vocabulary_fails_to_build),
        cmocka_unit_test(pieces_match_hugging_face_on_small_models),
        cmocka_unit_test(random_words_match_the_reference_on_small_models),
        cmocka_unit_test(random_words_match_the_reference_on_gpt2),
        cmocka_unit_test(raw_bytes_give_the_pieces_of_their_spelling),
        cmocka_unit_test(raw_bytes_are_refused_without_a_token_for_every_byte),
        cmocka_unit_test(the_sweep_reference_agrees_with_the_definition),
        cmocka_unit_test(a_megabyte_of_one_letter_matches_the_reference),
        cmocka_unit_test(
            a_megabyte_of_three_random_letters_matches_the_reference),
        cmocka_unit_test(words_one_byte_apart_never_share_a_cache_entry),
        cmocka_unit_test(gpt2_words_give_the_golden_ids),
        cmocka_unit_test(every_golden_text_cut_by_hugging_face_gives_its_ids),
        cmocka_unit_test(allocation_failures_are_reported_not_fatal),
    };
    /* TOK_TEST_FILTER=pattern runs only the matching tests. */
    if (getenv("TOK_TEST_FILTER"))
        cmocka_set_test_filter(getenv("TOK_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
