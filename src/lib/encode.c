/* encode: the pipeline that runs the stages in order -- added tokens,
 * normalizer, pre-tokenizer, model, post-processor -- for one text or a
 * pair, into a reusable tok_encoding. */
#include <string.h>

#include "encoding.h"
#include "tokenizer.h"
#include "utf8.h"

static const tok_encode_options default_options = TOK_ENCODE_OPTIONS_INIT;

/* Copies the input into e->base with each byte aligned to its character,
 * checking UTF-8 on the way.  Byte-level models take any bytes (a bad byte
 * is a character of its own); others fail or substitute U+FFFD. */
static int load_input(const tok_tokenizer *tk, const char *text, size_t len,
                      const tok_encode_options *o, tok_encoding *e,
                      tok_error *err)
{
    tok_normalized *b = &e->base;
    tok_normalized_clear(b);
    if (len >= UINT32_MAX - 4)
        return tok_error_set(err, TOK_EINVAL,
                             "text of %zu bytes is too long (limit 4 GiB)",
                             len);
    if (tok_normalized_reserve(b, len))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs: one span per byte. */
        size_t j = i;
        while (j < len && u[j] < 0x80)
            j++;
        if (j > i) {
            if (tok_normalized_reserve(b, j - i))
                return tok_error_set(err, TOK_ENOMEM, "out of memory");
            memcpy(b->text + b->len, text + i, j - i);
            for (size_t k = i; k < j; k++) {
                b->align[b->len].start = (uint32_t)k;
                b->align[b->len].end = (uint32_t)k + 1;
                b->len++;
            }
            i = j;
            continue;
        }
        uint32_t cp;
        size_t n = tok_utf8_decode(u, len, i, &cp);
        tok_span span;
        if (n == 0) {
            if (tk->bytelevel) {
                n = 1;
            } else if (o->invalid_utf8 == TOK_INVALID_REPLACE) {
                /* One U+FFFD per maximal bad prefix: a lead byte with its
                 * continuation bytes, or a lone byte. */
                size_t k = i + 1;
                while (k < len && k - i < 4 && (u[k] & 0xC0) == 0x80)
                    k++;
                span.start = (uint32_t)i;
                span.end = (uint32_t)k;
                if (tok_normalized_append(b, "\xEF\xBF\xBD", 3, span))
                    return tok_error_set(err, TOK_ENOMEM, "out of memory");
                i = k;
                continue;
            } else {
                return tok_error_at(err, TOK_EUTF8, 0, i,
                                    "invalid UTF-8 at byte %zu", i);
            }
        }
        span.start = (uint32_t)i;
        span.end = (uint32_t)(i + n);
        if (tok_normalized_append(b, text + i, n, span))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        i += n;
    }
    b->text[b->len] = '\0';
    return TOK_OK;
}

/* The word cache: recent words and the pieces the model gave them.  Text
 * repeats its words, so most words skip the model; this is the only cache
 * of model results, for every model type.
 *
 * It keeps words of up to WC_WORD bytes that split into at most WC_PIECES
 * pieces laid end to end from the word's start (what WordPiece and BPE
 * give), one 64-byte line each.  It is 4-way set-associative with tree
 * pseudo-LRU replacement, and the tags of a set share 16 bytes, so a miss
 * reads no entry.  An entry keeps the word itself as its key (words
 * loaded from both ends, overlapping), so comparing is four loads and no
 * call.  Words of one byte skip it: the models answer those from a table
 * faster than a probe. */
#define WC_WORD 32
#define WC_PIECES 6
#define WC_SET_BITS 15
#define WC_WAYS 4
#define WC_LINE 64

typedef struct wc_entry {
    uint8_t wlen;
    uint8_t npieces;
    uint8_t ends[WC_PIECES];
    int32_t ids[WC_PIECES];
    uint64_t key[4];
} wc_entry;

typedef struct wc_set {
    uint32_t tag[WC_WAYS];      /* 0: empty way */
} wc_set;

struct tok_word_cache {
    wc_entry *entries;          /* aligned to a line inside mem */
    void *mem;
    wc_set *sets;
    uint8_t *plru;              /* per set: the three tree bits */
};

#define WC_SETS ((size_t)1 << WC_SET_BITS)

static void wc_free(struct tok_word_cache *c)
{
    if (!c)
        return;
    tok_free(c->mem);
    tok_free(c->sets);
    tok_free(c->plru);
    tok_free(c);
}

static struct tok_word_cache *wc_new(void)
{
    struct tok_word_cache *c = tok_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* Entries are read only under a matching tag: no need to zero them. */
    c->mem = tok_malloc((WC_SETS * WC_WAYS + 1) * sizeof *c->entries);
    c->sets = tok_calloc(WC_SETS, sizeof *c->sets);
    c->plru = tok_calloc(WC_SETS, 1);
    if (!c->mem || !c->sets || !c->plru) {
        wc_free(c);
        return NULL;
    }
    uintptr_t at = (uintptr_t)c->mem;
    at = (at + WC_LINE - 1) & ~(uintptr_t)(WC_LINE - 1);
    c->entries = (wc_entry *)at;
    return c;
}

static void wc_clear(struct tok_word_cache *c)
{
    memset(c->sets, 0, WC_SETS * sizeof *c->sets);
    memset(c->plru, 0, WC_SETS);
}

void tok_word_cache_free(struct tok_word_cache *c)
{
    wc_free(c);
}

static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The key of a word of 1 to 32 bytes: words loaded from its start and its
 * end, overlapping; with the length they fix every byte, and nothing is
 * read outside the word. */
static inline void wc_key(uint64_t k[4], const char *p, size_t len)
{
    if (len >= 16) {
        k[0] = load64(p);
        k[1] = load64(p + 8);
        k[2] = load64(p + len - 16);
        k[3] = load64(p + len - 8);
    } else if (len >= 8) {
        k[0] = load64(p);
        k[1] = load64(p + len - 8);
        k[2] = k[3] = 0;
    } else if (len >= 4) {
        k[0] = ((uint64_t)load32(p) << 32) | load32(p + len - 4);
        k[1] = k[2] = k[3] = 0;
    } else {
        k[0] = ((uint64_t)(unsigned char)p[0] << 16) |
               ((uint64_t)(unsigned char)p[len / 2] << 8) |
               (unsigned char)p[len - 1];
        k[1] = k[2] = k[3] = 0;
    }
}

static inline uint64_t wc_hash(const uint64_t k[4], size_t len)
{
    uint64_t h = (k[0] ^ len) * 0x9E3779B97F4A7C15ULL;
    h ^= (k[1] ^ (k[1] >> 31)) * 0xBF58476D1CE4E5B9ULL;
    h ^= (k[2] ^ (k[2] >> 29)) * 0x94D049BB133111EBULL;
    h ^= k[3] * 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* Tree pseudo-LRU over 4 ways: bit 0 picks the older half, bits 1 and
 * 2 the older way in halves 0-1 and 2-3.  Touching a way points the bits
 * on its path away from it. */
static inline uint8_t plru_touch(uint8_t bits, unsigned way)
{
    if (way < 2)
        return (uint8_t)((bits & 4u) | 1u | (way == 0 ? 2u : 0u));
    return (uint8_t)((bits & 2u) | (way == 2 ? 4u : 0u));
}

static inline unsigned plru_victim(uint8_t bits)
{
    if (bits & 1u)
        return 2u + ((bits & 4u) ? 1u : 0u);
    return (bits & 2u) ? 1u : 0u;
}

/* Makes sure the thread's model scratch and word cache belong to tk. */
static int prepare_scratch(const tok_tokenizer *tk, tok_encoding *e)
{
    if (e->scratch_owner == tk->uid)
        return TOK_OK;
    if (e->model_scratch && e->model_scratch_free)
        e->model_scratch_free(e->model_scratch);
    e->model_scratch = NULL;
    e->scratch_owner = 0;
    if (tk->model->ops->scratch_new) {
        e->model_scratch = tk->model->ops->scratch_new(tk->model);
        if (!e->model_scratch)
            return TOK_ENOMEM;
    }
    e->model_scratch_free = tk->model->ops->scratch_free;
    if (!e->wcache) {
        e->wcache = wc_new();
        if (!e->wcache)
            return TOK_ENOMEM;
    } else {
        wc_clear(e->wcache);
    }
    e->scratch_owner = tk->uid;
    return TOK_OK;
}

/* A word's cache key and hash, made ahead of its look-up so that the
 * memory it needs can be fetched meanwhile.  hash 0: not cached. */
typedef struct wc_probe {
    uint64_t key[4];
    uint64_t hash;
} wc_probe;

static inline void wc_prepare(wc_probe *p, const char *word, size_t len)
{
    if (len > WC_WORD || len < 2) {
        p->hash = 0;
        return;
    }
    wc_key(p->key, word, len);
    p->hash = wc_hash(p->key, len) | 1;
}

static inline unsigned wc_hits(const wc_set *cs, uint32_t tag)
{
    /* Which ways hold the tag, as a bit mask: one branch, not four. */
    return (unsigned)(cs->tag[0] == tag) |
           (unsigned)(cs->tag[1] == tag) << 1 |
           (unsigned)(cs->tag[2] == tag) << 2 |
           (unsigned)(cs->tag[3] == tag) << 3;
}

/* First step ahead: the word's set of tags. */
static inline void wc_fetch_set(const struct tok_word_cache *wc,
                                const wc_probe *p)
{
    if (p->hash)
        __builtin_prefetch(&wc->sets[p->hash & (WC_SETS - 1)]);
}

/* Second step ahead, once the tags are near: the entry they point to, or
 * NULL.  (The caller prefetches: GCC takes a function that only
 * prefetches for one without effects, and drops its calls.) */
static inline const wc_entry *wc_entry_of(const struct tok_word_cache *wc,
                                          const wc_probe *p)
{
    if (!p->hash)
        return NULL;
    size_t set = (size_t)p->hash & (WC_SETS - 1);
    unsigned hits = wc_hits(&wc->sets[set], (uint32_t)(p->hash >> 32) | 1);
    if (!hits)
        return NULL;
    return &wc->entries[set * WC_WAYS + (unsigned)__builtin_ctz(hits)];
}

/* Runs the model on one word, through the cache. */
static int tokenize_word(const tok_tokenizer *tk, tok_encoding *e,
                         const char *word, size_t len, const wc_probe *pr,
                         tok_pieces *out)
{
    if (!pr->hash)
        return tk->model->ops->tokenize(tk->model, e->model_scratch, word,
                                        len, out);
    struct tok_word_cache *wc = e->wcache;
    const uint64_t *key = pr->key;
    size_t set = (size_t)pr->hash & (WC_SETS - 1);
    uint32_t tag = (uint32_t)(pr->hash >> 32) | 1;
    wc_set *cs = &wc->sets[set];
    wc_entry *ways = &wc->entries[set * WC_WAYS];
    unsigned hits = wc_hits(cs, tag);
    while (hits) {
        unsigned w = (unsigned)__builtin_ctz(hits);
        hits &= hits - 1;
        const wc_entry *c = &ways[w];
        if (c->wlen != len || ((c->key[0] ^ key[0]) | (c->key[1] ^ key[1]) |
                               (c->key[2] ^ key[2]) |
                               (c->key[3] ^ key[3])) != 0)
            continue;
        wc->plru[set] = plru_touch(wc->plru[set], w);
        size_t need = out->len + c->npieces;
        if (need > out->cap && TOK_GROW(out->v, out->cap, need))
            return TOK_ENOMEM;
        tok_piece *p = out->v + out->len;
        uint32_t start = 0;
        for (size_t i = 0; i < c->npieces; i++) {
            p[i].id = c->ids[i];
            p[i].start = start;
            p[i].end = c->ends[i];
            start = c->ends[i];
        }
        out->len = need;
        return TOK_OK;
    }
    size_t first = out->len;
    int rc = tk->model->ops->tokenize(tk->model, e->model_scratch, word, len,
                                      out);
    size_t count = out->len - first;
    if (rc != TOK_OK || count > WC_PIECES)
        return rc;
    /* Only pieces laid end to end from 0 fit the entry. */
    const tok_piece *p = out->v + first;
    uint32_t at = 0;
    for (size_t i = 0; i < count; i++) {
        if (p[i].start != at || p[i].end < at || p[i].end > len)
            return TOK_OK;
        at = p[i].end;
    }
    unsigned w = plru_victim(wc->plru[set]);
    wc_entry *c = &ways[w];
    cs->tag[w] = tag;
    wc->plru[set] = plru_touch(wc->plru[set], w);
    c->wlen = (uint8_t)len;
    c->npieces = (uint8_t)count;
    memcpy(c->key, key, sizeof c->key);
    for (size_t i = 0; i < count; i++) {
        c->ids[i] = p[i].id;
        c->ends[i] = (uint8_t)p[i].end;
    }
    return TOK_OK;
}

/* Words are looked up in chunks: the tags of the next chunk and the
 * entries of this one are fetched before this one is looked up, so the
 * cache's misses overlap instead of coming one after another. */
#define WC_CHUNK 16

static void prepare_chunk(const tok_normalized *t, const tok_splits *sp,
                          const struct tok_word_cache *wc, size_t from,
                          wc_probe *ring)
{
    size_t to = from + WC_CHUNK < sp->len ? from + WC_CHUNK : sp->len;
    for (size_t i = from; i < to; i++) {
        tok_split s = sp->v[i];
        wc_probe *p = &ring[i % (2 * WC_CHUNK)];
        if (s.id >= 0 || s.end <= s.start) {
            p->hash = 0;
            continue;
        }
        wc_prepare(p, t->text + s.start, s.end - s.start);
        wc_fetch_set(wc, p);
    }
}

/* Finds added tokens in the raw input, then normalizes the text between
 * them, piece by piece, into e->text. */
static int normalize_segments(const tok_tokenizer *tk,
                              const tok_encode_options *o, tok_encoding *e,
                              tok_error *err)
{
    const tok_normalized *b = &e->base;
    e->segs.len = 0;
    bool skip_special = o->special_in_text != TOK_SPECIAL_MATCH;
    if (tok_added_split(&tk->added, false, skip_special, b->text, b->len, 0,
                        &e->segs))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_normalized_clear(&e->text);
    e->splits.len = 0;
    if (o->special_in_text == TOK_SPECIAL_REJECT) {
        /* Special tokens were left as text: find them to refuse them. */
        tok_splits *probe = &e->next;
        probe->len = 0;
        if (tok_added_split(&tk->added, false, false, b->text, b->len, 0,
                            probe))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        for (size_t i = 0; i < probe->len; i++) {
            int32_t id = probe->v[i].id;
            if (id >= 0 && tok_id_is_special(tk, id)) {
                uint32_t at = b->align[probe->v[i].start].start;
                return tok_error_at(err, TOK_ESPECIAL, 0, at,
                                    "special token \"%s\" in the text at "
                                    "byte %u", tok_id_to_token(tk, id), at);
            }
        }
    }
    for (size_t i = 0; i < e->segs.len; i++) {
        tok_split s = e->segs.v[i];
        uint32_t at = (uint32_t)e->text.len;
        if (s.id >= 0) {
            if (tok_normalized_append_aligned(&e->text, b->text + s.start,
                                              b->align + s.start,
                                              s.end - s.start) ||
                tok_splits_push(&e->splits, at, (uint32_t)e->text.len, s.id))
                return tok_error_set(err, TOK_ENOMEM, "out of memory");
            continue;
        }
        int rc = tok_normalize(tk->normalizer, b->text + s.start,
                               b->align + s.start, s.end - s.start, &e->text,
                               &e->norm);
        if (rc)
            return tok_error_set(err, rc, "normalization failed");
        size_t n = e->text.len - at;
        if (n == 0)
            continue;
        rc = tk->added.norm_matcher
            ? tok_added_split(&tk->added, true, skip_special,
                              e->text.text + at, n, at, &e->splits)
            : tok_splits_push(&e->splits, at, (uint32_t)e->text.len, -1);
        if (rc)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    return TOK_OK;
}

/* Runs the whole pipeline for one text into e->seq[which]. */
static int encode_sequence(const tok_tokenizer *tk, const char *text,
                           size_t len, const tok_encode_options *o,
                           tok_encoding *e, int which, tok_error *err)
{
    int rc = load_input(tk, text, len, o, e, err);
    if (rc)
        return rc;
    rc = normalize_segments(tk, o, e, err);
    if (rc)
        return rc;

    tok_pretok_state st = {&e->text, &e->spare, &e->splits, &e->next, true};
    rc = tok_pretokenize(tk->pretok, &st);
    if (rc)
        return tok_error_set(err, rc, "pre-tokenization failed");

    if (prepare_scratch(tk, e))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    const tok_normalized *t = st.text;
    tok_pieces *out = &e->seq[which];
    out->len = 0;
    const tok_splits *sp = st.splits;
    wc_probe ring[2 * WC_CHUNK];
    prepare_chunk(t, sp, e->wcache, 0, ring);
    for (size_t i = 0; i < sp->len; i++) {
        if (i % WC_CHUNK == 0) {
            size_t to = i + WC_CHUNK < sp->len ? i + WC_CHUNK : sp->len;
            for (size_t k = i; k < to; k++) {
                const wc_entry *c =
                    wc_entry_of(e->wcache, &ring[k % (2 * WC_CHUNK)]);
                if (c)
                    __builtin_prefetch(c);
            }
            prepare_chunk(t, sp, e->wcache, i + WC_CHUNK, ring);
        }
        tok_split s = sp->v[i];
        if (s.end <= s.start)
            continue;
        size_t first = out->len;
        if (s.id >= 0) {
            rc = tok_pieces_push(out, s.id, 0, s.end - s.start);
        } else {
            rc = tokenize_word(tk, e, t->text + s.start, s.end - s.start,
                               &ring[i % (2 * WC_CHUNK)], out);
        }
        if (rc)
            return tok_error_set(err, rc, "%s failed",
                                 tk->model->ops->name);
        /* Word-relative byte offsets -> offsets in the original input. */
        for (size_t j = first; j < out->len; j++) {
            tok_piece *p = &out->v[j];
            uint32_t a = s.start + p->start, z = s.start + p->end;
            if (z > a) {
                p->start = t->align[a].start;
                p->end = t->align[z - 1].end;
            } else {
                p->start = p->end = a < t->len ? t->align[a].start : 0;
            }
        }
    }

    if (o->offsets == TOK_OFFSETS_CHARS) {
        /* Byte offsets -> code point offsets through a prefix count. */
        if (TOK_GROW(e->char_index, e->char_index_cap, len + 1))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        uint32_t c = 0;
        const unsigned char *u = (const unsigned char *)text;
        for (size_t k = 0; k < len; k++) {
            e->char_index[k] = c;
            c += (u[k] & 0xC0) != 0x80;
        }
        e->char_index[len] = c;
        for (size_t j = 0; j < out->len; j++) {
            out->v[j].start = e->char_index[out->v[j].start];
            out->v[j].end = e->char_index[out->v[j].end];
        }
    }
    return TOK_OK;
}

int tok_encode(const tok_tokenizer *tk, const char *text, size_t len,
               const tok_encode_options *opts, tok_encoding *out,
               tok_error *err)
{
    const tok_encode_options *o = opts ? opts : &default_options;
    out->len = 0;
    out->tk = tk;
    int rc = encode_sequence(tk, text, len, o, out, 0, err);
    if (!rc)
        rc = tok_postprocess(tk, out, false, o->add_special_tokens);
    if (rc) {
        out->len = 0;
        if (rc == TOK_ENOMEM)
            tok_error_set(err, rc, "out of memory");
    }
    return rc;
}

int tok_encode_pair(const tok_tokenizer *tk, const char *a, size_t alen,
                    const char *b, size_t blen,
                    const tok_encode_options *opts, tok_encoding *out,
                    tok_error *err)
{
    const tok_encode_options *o = opts ? opts : &default_options;
    out->len = 0;
    out->tk = tk;
    int rc = encode_sequence(tk, a, alen, o, out, 0, err);
    if (!rc) {
        rc = encode_sequence(tk, b, blen, o, out, 1, err);
        if (rc && err)
            tok_error_prefix(err, "second text");
    }
    if (!rc)
        rc = tok_postprocess(tk, out, true, o->add_special_tokens);
    if (rc) {
        out->len = 0;
        if (rc == TOK_ENOMEM)
            tok_error_set(err, rc, "out of memory");
    }
    return rc;
}
