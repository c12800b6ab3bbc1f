/* encode: the pipeline that runs the stages in order -- added tokens,
 * normalizer, pre-tokenizer, model, post-processor -- for one text or a
 * pair, into a reusable tok_encoding. */
#include <string.h>

#include "bytelevel.h"
#include "encoding.h"
#include "pretok_scan.h"
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
        /* Room was made for len bytes, which U+FFFD substitutes can
         * outgrow. */
        if (TOK_UNLIKELY(b->cap - b->len < n + 1) &&
            tok_normalized_reserve(b, n))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        span.start = (uint32_t)i;
        span.end = (uint32_t)(i + n);
        for (size_t k = 0; k < n; k++) {
            b->text[b->len] = text[i + k];
            b->align[b->len++] = span;
        }
        i += n;
    }
    b->text[b->len] = '\0';
    return TOK_OK;
}

/* The word cache: recent words and the pieces the model gave them.  Text
 * repeats its words, so most words skip the model; this is the only cache
 * of model results, for every model type.
 *
 * It keeps words of 1 to WC_WORD bytes that split into pieces laid end to
 * end from the word's start (what WordPiece and BPE give), one 64-byte
 * line each: up to 10 pieces when the vocabulary's ids fit 16 bits (GPT-2,
 * BERT), else up to 6.  It is 4-way set-associative with tree pseudo-LRU
 * replacement, and the tags of a set share 16 bytes, so a miss reads no
 * entry.  An entry keeps the word itself as its key (words loaded from
 * both ends, overlapping), so comparing is four loads and no call. */
#define WC_WORD 32
#define WC_PIECES 6
#define WC_PIECES_NARROW 10
#define WC_SET_BITS 15
#define WC_WAYS 4
#define WC_LINE 64

/* The two layouts share their first two bytes and the key's place. */
typedef union wc_entry {
    struct {
        uint8_t wlen;           /* the length, and the key kind (below) */
        uint8_t npieces;
        uint8_t ends[WC_PIECES];
        int32_t ids[WC_PIECES];
        uint64_t key[4];
    } w;
    struct {
        uint8_t wlen;
        uint8_t npieces;
        uint8_t ends[WC_PIECES_NARROW];
        uint16_t ids[WC_PIECES_NARROW];
        uint64_t key[4];
    } n;
} wc_entry;

typedef struct wc_set {
    uint32_t tag[WC_WAYS];      /* 0: empty way */
} wc_set;

/* The near part: words of up to 8 bytes that are one token, 16 bytes
 * each, direct-mapped.  Small enough to stay in the core's own cache,
 * it answers the commonest words ("the", ",", " of") without reaching
 * for the large part, whose lines come from farther away. */
#define WC_NEAR_BITS 14

typedef struct wc_near {
    uint64_t key;               /* the probe's key[0] */
    int32_t id;
    uint8_t wlen;               /* as an entry's; 0: empty */
} wc_near;

struct tok_word_cache {
    bool narrow;                /* entries keep 16-bit ids */
    size_t set_mask;            /* WC_SETS - 1, less in tests */
    size_t near_mask;
    wc_near *near;
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
    tok_free(c->near);
    tok_free(c);
}

static struct tok_word_cache *wc_new(void)
{
    struct tok_word_cache *c = tok_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* Entries are read only under a matching tag: no need to zero them. */
    c->mem = tok_malloc((WC_SETS * WC_WAYS + 1) * sizeof *c->entries);
    _Static_assert(sizeof(wc_entry) == WC_LINE, "one entry, one line");
    c->sets = tok_calloc(WC_SETS, sizeof *c->sets);
    c->plru = tok_calloc(WC_SETS, 1);
    c->near = tok_calloc((size_t)1 << WC_NEAR_BITS, sizeof *c->near);
    if (!c->mem || !c->sets || !c->plru || !c->near) {
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
    memset(c->near, 0, ((size_t)1 << WC_NEAR_BITS) * sizeof *c->near);
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
    e->wcache->narrow = tk->model->vocab.size <= 65536;
    /* The test hook crowds every word into a few places. */
    e->wcache->set_mask = e->wcache_crowd ? 0 : WC_SETS - 1;
    e->wcache->near_mask = e->wcache_crowd ? 0
                                          : ((size_t)1 << WC_NEAR_BITS) - 1;
    e->scratch_owner = tk->uid;
    return TOK_OK;
}

/* What a cached word's bytes are: the text the model reads, or (lanes of
 * byte-level models) the raw input it is made from.  Kept in each entry,
 * so the two never answer for each other. */
enum { KEY_TEXT = 0, KEY_RAW = 1 };

/* A lane met what it does not map simply (see "Lanes" below). */
#define LANE_BAIL (-1000)

/* A word's cache key and hash, made ahead of its look-up so that the
 * memory it needs can be fetched meanwhile.  hash 0: not cached. */
typedef struct wc_probe {
    uint64_t key[4];
    uint64_t hash;
    uint8_t wlen;       /* the length, and the lane in the top bits */
} wc_probe;

static inline void wc_prepare(wc_probe *p, const char *word, size_t len,
                              int lane)
{
    if (len > WC_WORD || len == 0) {
        p->hash = 0;
        return;
    }
    p->wlen = (uint8_t)(len | (size_t)lane << 6);
    wc_key(p->key, word, len);
    p->hash = wc_hash(p->key, p->wlen) | 1;
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
        __builtin_prefetch(&wc->sets[p->hash & wc->set_mask]);
}

/* Second step ahead, once the tags are near: the entry they point to, or
 * NULL.  (The caller prefetches: GCC takes a function that only
 * prefetches for one without effects, and drops its calls.) */
static inline const wc_entry *wc_entry_of(const struct tok_word_cache *wc,
                                          const wc_probe *p)
{
    if (!p->hash)
        return NULL;
    size_t set = (size_t)p->hash & wc->set_mask;
    unsigned hits = wc_hits(&wc->sets[set], (uint32_t)(p->hash >> 32) | 1);
    if (!hits)
        return NULL;
    return &wc->entries[set * WC_WAYS + (unsigned)__builtin_ctz(hits)];
}

/* The model's pieces of one word, at offsets[from..) of out. */
static int run_model(const tok_tokenizer *tk, tok_encoding *e,
                     const char *word, size_t len, int lane,
                     tok_pieces *out);

static void wc_insert(struct tok_word_cache *wc, size_t set, uint32_t tag,
                      const wc_probe *pr, const tok_piece *p, size_t count,
                      size_t len);

/* Makes the pieces of a lane's word, from out[first..), absolute: `at`
 * added; a piece that covers nothing sends the line the general way. */
static inline int place_pieces(tok_pieces *out, size_t first, uint32_t at)
{
    if (first == out->len)
        return TOK_OK;
    for (tok_piece *p = out->v + first, *end = out->v + out->len; p < end;
         p++) {
        if (p->end <= p->start)
            return LANE_BAIL;
        p->start += at;
        p->end += at;
    }
    return TOK_OK;
}

/* The cached pieces of the probed word, appended at offset base: 1 when
 * found, 0 when not, or TOK_ENOMEM.  Inlined where words are looked up:
 * the hit is the common case and costs less than a call. */
static inline wc_near *wc_near_of(const struct tok_word_cache *wc,
                                  const wc_probe *pr);

/* A short word of one token goes near. */
static inline void wc_near_put(struct tok_word_cache *wc, const wc_probe *pr,
                               int32_t id)
{
    wc_near *nr = wc_near_of(wc, pr);
    nr->key = pr->key[0];
    nr->id = id;
    nr->wlen = pr->wlen;
}

static inline wc_near *wc_near_of(const struct tok_word_cache *wc,
                                  const wc_probe *pr)
{
    return &wc->near[(pr->hash >> 40) & wc->near_mask];
}

static inline int wc_lookup(struct tok_word_cache *wc, const wc_probe *pr,
                            uint32_t base, tok_pieces *out)
{
    const uint64_t *key = pr->key;
    bool short_word = (pr->wlen & 63) <= 8;
    if (short_word) {
        const wc_near *nr = wc_near_of(wc, pr);
        if (nr->wlen == pr->wlen && nr->key == key[0]) {
            if (TOK_UNLIKELY(out->len == out->cap) &&
                TOK_GROW(out->v, out->cap, out->len + 1))
                return TOK_ENOMEM;
            tok_piece *p = &out->v[out->len++];
            p->id = nr->id;
            p->start = base;
            p->end = base + (pr->wlen & 63);
            return 1;
        }
    }
    size_t set = (size_t)pr->hash & wc->set_mask;
    uint32_t tag = (uint32_t)(pr->hash >> 32) | 1;
    const wc_entry *ways = &wc->entries[set * WC_WAYS];
    unsigned hits = wc_hits(&wc->sets[set], tag);
    while (hits) {
        unsigned w = (unsigned)__builtin_ctz(hits);
        hits &= hits - 1;
        const wc_entry *c = &ways[w];
        const uint64_t *ck = c->w.key;
        if (c->w.wlen != pr->wlen ||
            ((ck[0] ^ key[0]) | (ck[1] ^ key[1]) | (ck[2] ^ key[2]) |
             (ck[3] ^ key[3])) != 0)
            continue;
        wc->plru[set] = plru_touch(wc->plru[set], w);
        size_t n = c->w.npieces, need = out->len + n;
        /* One token for the whole word: it may go near. */
        if (short_word && n == 1 &&
            (wc->narrow ? c->n.ends[0] : c->w.ends[0]) == (pr->wlen & 63))
            wc_near_put(wc, pr, wc->narrow ? c->n.ids[0] : c->w.ids[0]);
        if (need > out->cap && TOK_GROW(out->v, out->cap, need))
            return TOK_ENOMEM;
        if (n == 0) /* a word that leaves no piece; v may still be NULL */
            return 1;
        tok_piece *p = out->v + out->len;
        uint32_t start = base;
        if (wc->narrow) {
            for (size_t i = 0; i < n; i++) {
                p[i].id = c->n.ids[i];
                p[i].start = start;
                p[i].end = start = base + c->n.ends[i];
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                p[i].id = c->w.ids[i];
                p[i].start = start;
                p[i].end = start = base + c->w.ends[i];
            }
        }
        out->len = need;
        return 1;
    }
    return 0;
}

/* Runs the model on a word the cache does not hold, and keeps it there
 * when the probe says it may.  In a lane (`at` not UINT32_MAX) the pieces
 * come out at word offset `at`, else relative to the word. */
static int tokenize_miss(const tok_tokenizer *tk, tok_encoding *e,
                         const char *word, size_t len, const wc_probe *pr,
                         int lane, uint32_t at, tok_pieces *out)
{
    size_t first = out->len;
    int rc = run_model(tk, e, word, len, lane, out);
    size_t count = out->len - first;
    if (rc == TOK_OK && pr->hash &&
        count <= (e->wcache->narrow ? WC_PIECES_NARROW : WC_PIECES)) {
        size_t set = (size_t)pr->hash & e->wcache->set_mask;
        uint32_t tag = (uint32_t)(pr->hash >> 32) | 1;
        /* A word may leave no piece before any was stored: v is NULL. */
        wc_insert(e->wcache, set, tag, pr, count ? out->v + first : NULL,
                  count, len);
    }
    return rc || at == UINT32_MAX ? rc : place_pieces(out, first, at);
}

/* Runs the model on one word, through the cache. */
static inline int tokenize_word(const tok_tokenizer *tk, tok_encoding *e,
                                const char *word, size_t len,
                                const wc_probe *pr, int lane, uint32_t at,
                                tok_pieces *out)
{
    if (pr->hash) {
        int hit = wc_lookup(e->wcache, pr, at == UINT32_MAX ? 0 : at, out);
        if (hit)
            return hit < 0 ? hit : TOK_OK;
    }
    return tokenize_miss(tk, e, word, len, pr, lane, at, out);
}

/* Keeps pieces[0..count) of a word in the cache, when they fit an entry:
 * laid end to end from 0, none empty (so a hit never gives an empty
 * piece). */
static void wc_insert(struct tok_word_cache *wc, size_t set, uint32_t tag,
                      const wc_probe *pr, const tok_piece *p, size_t count,
                      size_t len)
{
    uint32_t to = 0;
    for (size_t i = 0; i < count; i++) {
        if (p[i].start != to || p[i].end <= to || p[i].end > len)
            return;
        to = p[i].end;
    }
    wc_set *cs = &wc->sets[set];
    wc_entry *ways = &wc->entries[set * WC_WAYS];
    unsigned w = plru_victim(wc->plru[set]);
    wc_entry *c = &ways[w];
    cs->tag[w] = tag;
    wc->plru[set] = plru_touch(wc->plru[set], w);
    if (count == 1 && len <= 8 && p[0].end == len)
        wc_near_put(wc, pr, p[0].id);
    c->w.wlen = pr->wlen;
    c->w.npieces = (uint8_t)count;
    memcpy(c->w.key, pr->key, sizeof c->w.key);
    for (size_t i = 0; i < count; i++) {
        if (wc->narrow) {
            c->n.ids[i] = (uint16_t)p[i].id;
            c->n.ends[i] = (uint8_t)p[i].end;
        } else {
            c->w.ids[i] = p[i].id;
            c->w.ends[i] = (uint8_t)p[i].end;
        }
    }
}

/* Words are looked up in chunks: the tags of the next chunk and the
 * entries of this one are fetched before this one is looked up, so the
 * cache's misses overlap instead of coming one after another. */
#define WC_CHUNK 16

static void prepare_chunk(const char *text, const tok_splits *sp,
                          const struct tok_word_cache *wc, size_t from,
                          int lane, wc_probe *ring)
{
    size_t to = from + WC_CHUNK < sp->len ? from + WC_CHUNK : sp->len;
    for (size_t i = from; i < to; i++) {
        tok_split s = sp->v[i];
        wc_probe *p = &ring[i % (2 * WC_CHUNK)];
        if (s.id >= 0 || s.end <= s.start) {
            p->hash = 0;
            continue;
        }
        wc_prepare(p, text + s.start, s.end - s.start, lane);
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

/* ------------------------------------------------------------------------
 * Lanes: plain ASCII text through the two common pipelines
 *
 * BERT's (BertNormalizer, BertPreTokenizer) and GPT-2's (no normalizer,
 * ByteLevel with its regex) pipelines do little to ASCII: lowercasing, or
 * nothing, and every byte stays where it was.  So a line of ASCII (and,
 * for BERT, no control character but tab, LF and CR, which clean_text
 * would delete) is cut into words straight from the input, with offsets
 * that are the words' own, skipping the copies with alignments the general
 * pipeline makes.  The words, and so the model's pieces, are the general
 * pipeline's: GPT-2's are looked up as raw bytes (cached under their own
 * key kind) and shown to the model in the byte-level alphabet on a miss.
 * A lane gives up (LANE_BAIL) on what it does not map simply, a piece
 * that covers no bytes, and the line goes the general way.
 * ------------------------------------------------------------------------ */

enum { PATH_GENERAL, PATH_BERT, PATH_BYTES };

/* BertPreTokenizer's classes of ASCII bytes: 1 splits, 2 is a word of
 * its own (punctuation, symbols included), 0 is part of a word. */
static const unsigned char bert_class[128] = {
    /*      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
    /* 00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
    /* 10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 20 */ 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 30 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2,
    /* 40 */ 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2,
    /* 60 */ 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 70 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 0,
};

#define ONES8 0x0101010101010101u
#define HIGHS8 0x8080808080808080u

/* True when text is ASCII with no byte below 0x20 but tab, LF and CR, and
 * no DEL; writes it lowercased to lower (when not NULL) on the way. */
static bool bert_ascii_line(const char *text, size_t len, char *lower)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, u + i, 8);
        if (x & HIGHS8)
            return false;
        /* A byte below 0x20 or equal to 0x7F: look closer. */
        uint64_t odd = ((x - 0x20 * ONES8) | ((x ^ 0x7F * ONES8) - ONES8)) &
                       ~x & HIGHS8;
        if (odd)
            for (size_t k = i; k < i + 8; k++)
                if ((u[k] < 0x20 && u[k] != '\t' && u[k] != '\n' &&
                     u[k] != '\r') || u[k] == 0x7F)
                    return false;
        if (lower) {
            /* 'A'..'Z' gain 0x20: bytes above '@' and below '['. */
            uint64_t ge_a = x + (0x80 - 'A') * ONES8;
            uint64_t gt_z = x + (0x7F - 'Z') * ONES8;
            x |= (ge_a & ~gt_z & HIGHS8) >> 2;
            memcpy(lower + i, &x, 8);
        }
    }
    for (; i < len; i++) {
        unsigned c = u[i];
        if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
            c == 0x7F)
            return false;
        if (lower)
            lower[i] = (char)(c + ((unsigned)(c - 'A' < 26u) << 5));
    }
    return true;
}

static int choose_path(const tok_tokenizer *tk, const tok_encode_options *o,
                       size_t len)
{
    const tok_normalizer *n = tk->normalizer;
    const tok_pretok *p = tk->pretok;
    /* REJECT reports a place found through the alignments: general. */
    if (o->special_in_text == TOK_SPECIAL_REJECT || len >= (1u << 30) ||
        tk->added.norm_matcher || !p)
        return PATH_GENERAL;
    /* Whether the line is plain ASCII, run_lane finds out as it reads. */
    if (n && n->type == TOK_NORM_BERT && p->type == TOK_PT_BERT)
        return PATH_BERT;
    if (!n && p->type == TOK_PT_BYTELEVEL && p->u.bytelevel.use_regex &&
        !p->u.bytelevel.add_prefix_space)
        return PATH_BYTES;
    return PATH_GENERAL;
}

/* The byte-level pipeline gives each byte the span of the character it
 * belongs to (a byte that starts no valid sequence is a character of its
 * own), so a piece that starts or ends inside a character covers all of
 * it.  Widens out[first..) -- pieces in order, of the word text[from,
 * to), which starts a character -- the same way. */
static void widen_to_characters(const char *text, uint32_t from,
                                uint32_t to, tok_pieces *out, size_t first)
{
    const unsigned char *u = (const unsigned char *)text;
    uint32_t i = from;
    while (i < to && u[i] < 0x80)
        i++;
    if (i == to)
        return;         /* ASCII: every byte is a character */
    uint32_t cs = from, ce = from;  /* the character at the cursor */
    for (size_t k = first; k < out->len; k++) {
        tok_piece *p = &out->v[k];
        uint32_t last = p->end - 1;
        for (int side = 0; side < 2; side++) {
            uint32_t x = side ? last : p->start;
            while (ce <= x) {
                uint32_t cp;
                size_t n = tok_utf8_decode(u, to, ce, &cp);
                cs = ce;
                ce += n ? (uint32_t)n : 1;
            }
            if (side)
                p->end = ce;
            else
                p->start = cs;
        }
    }
}

/* GPT-2's pattern on ASCII bytes: 1 letter, 2 digit, 3 white space, 0
 * other; 4 for bytes of 0x80 and up. */
static const unsigned char gpt2_class[256] = {
    /*      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
    /* 00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 0, 0,
    /* 10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 20 */ 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 30 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    /* 40 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 60 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 80 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* 90 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* a0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* b0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* c0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* d0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* e0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* f0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* The commonest GPT-2 pieces, " ?" and a run of ASCII letters, digits or
 * other characters, found without a call; 0 for everything else (white
 * space runs, a contraction's quote, a run that meets a non-ASCII byte),
 * which the scanner decides. */
static inline size_t gpt2_ascii_piece(const char *text, size_t n,
                                      size_t pos)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = pos;
    unsigned k = gpt2_class[u[i]];
    if (u[i] == ' ' && i + 1 < n) {
        i++;
        k = gpt2_class[u[i]];
        if (k == 3)
            return 0;
    } else if (k == 3 || u[i] == '\'') {
        return 0;
    }
    if (k == 4)
        return 0;
    i++;
    if (k == 1 || k == 2) {
        /* Letters or digits, eight bytes at a time: a mask of the bytes
         * that belong (the low seven bits compared, so nothing carries
         * from one byte to the next), then the first that does not. */
        while (i + 8 <= n) {
            uint64_t x;
            memcpy(&x, u + i, 8);
            uint64_t y = (k == 1 ? x | 0x2020202020202020u : x) &
                         0x7F7F7F7F7F7F7F7Fu;
            uint64_t lo = k == 1 ? 0x80 - 'a' : 0x80 - '0';
            uint64_t hi = k == 1 ? 0x80 - '{' : 0x80 - ':';
            uint64_t in = (y + lo * ONES8) & ~(y + hi * ONES8) & ~x &
                          HIGHS8;
            uint64_t out = ~in & HIGHS8;
            if (out) {
                i += (size_t)__builtin_ctzll(out) / 8;
                return u[i] >= 0x80 ? 0 : i;
            }
            i += 8;
        }
    }
    for (; i < n && gpt2_class[u[i]] == k; i++)
        ;
    return i < n && u[i] >= 0x80 ? 0 : i;
}

/* One word of a lane, at offset `at` of the input. */
static inline int lane_word(const tok_tokenizer *tk, tok_encoding *e,
                            const char *word, size_t len, uint32_t at,
                            int kind, tok_pieces *out)
{
    wc_probe pr;
    wc_prepare(&pr, word, len, kind);
    return tokenize_word(tk, e, word, len, &pr, kind, at, out);
}

/* A lane: the words of the text, cut as the pipeline named by `path`
 * would cut them, through the cache and the model into out. */
static int run_lane(const tok_tokenizer *tk, const tok_encode_options *o,
                    tok_encoding *e, const char *text, size_t len, int path,
                    tok_pieces *out)
{
    bool skip_special = o->special_in_text != TOK_SPECIAL_MATCH;
    e->segs.len = 0;
    if (tok_added_split(&tk->added, false, skip_special, text, len, 0,
                        &e->segs))
        return TOK_ENOMEM;
    const char *t = text;
    if (path == PATH_BERT) {
        bool lower = tk->normalizer->u.bert.lowercase;
        if (lower && TOK_GROW(e->lane_text, e->lane_text_cap, len + 1))
            return TOK_ENOMEM;
        if (!bert_ascii_line(text, len, lower ? e->lane_text : NULL))
            return LANE_BAIL;
        if (lower)
            t = e->lane_text;
    }
    int kind = path == PATH_BYTES ? KEY_RAW : KEY_TEXT;
    int rc = TOK_OK;
    for (size_t k = 0; k < e->segs.len && rc == TOK_OK; k++) {
        tok_split g = e->segs.v[k];
        if (g.id >= 0) {
            rc = tok_pieces_push(out, g.id, g.start, g.end);
            continue;
        }
        if (path == PATH_BYTES) {
            size_t n = g.end - g.start, pos = 0;
            while (pos < n && rc == TOK_OK) {
                /* A piece of ASCII runs has only one-byte characters. */
                size_t end = gpt2_ascii_piece(t + g.start, n, pos);
                bool ascii = end != 0;
                if (!end)
                    end = tok_scan_next(TOK_SCAN_GPT2, t + g.start, n, pos);
                size_t first = out->len;
                rc = lane_word(tk, e, t + g.start + pos, end - pos,
                               g.start + (uint32_t)pos, kind, out);
                if (rc == TOK_OK && !ascii)
                    widen_to_characters(t, g.start + (uint32_t)pos,
                                        g.start + (uint32_t)end, out,
                                        first);
                pos = end;
            }
            continue;
        }
        /* BertPreTokenizer: whitespace splits and goes, punctuation is a
         * word of its own. */
        uint32_t i = g.start, word = g.start;
        for (; i < g.end && rc == TOK_OK; i++) {
            unsigned cls = bert_class[(unsigned char)t[i]];
            if (!cls)
                continue;
            if (word < i)
                rc = lane_word(tk, e, t + word, i - word, word, kind, out);
            if (cls == 2 && rc == TOK_OK)
                rc = lane_word(tk, e, t + i, 1, i, kind, out);
            word = i + 1;
        }
        if (word < g.end && rc == TOK_OK)
            rc = lane_word(tk, e, t + word, g.end - word, word, kind, out);
    }
    return rc;
}

static int run_model(const tok_tokenizer *tk, tok_encoding *e,
                     const char *word, size_t len, int lane,
                     tok_pieces *out)
{
    const tok_model *m = tk->model;
    if (lane != KEY_RAW)
        return m->ops->tokenize(m, e->model_scratch, word, len, out);
    if (m->ops->tokenize_bytes) {
        int rc = m->ops->tokenize_bytes(m, e->model_scratch, word, len, out);
        if (rc != TOK_EUNSUPPORTED)
            return rc;
    }
    /* Raw bytes: the model reads them in the byte-level alphabet, and its
     * offsets come back to bytes of the word. */
    if (TOK_GROW(e->lane_word, e->lane_word_cap, 2 * len + 1))
        return TOK_ENOMEM;
    const char (*bl)[2];
    const unsigned char *bl_len;
    tok_bytelevel_tables(&bl, &bl_len);
    const unsigned char *u = (const unsigned char *)word;
    char *b = e->lane_word;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        b[n] = bl[u[i]][0];
        b[n + 1] = bl[u[i]][1];
        n += bl_len[u[i]];
    }
    size_t first = out->len;
    int rc = m->ops->tokenize(m, e->model_scratch, b, n, out);
    if (rc)
        return rc;
    /* Pieces laid end to end, each a whole number of characters. */
    uint32_t q = 0, r = 0;
    for (size_t i = first; i < out->len; i++) {
        tok_piece *p = &out->v[i];
        if (p->start != q || p->end <= p->start)
            return LANE_BAIL;
        uint32_t from = r;
        while (q < p->end && r < len)
            q += bl_len[u[r++]];
        if (q != p->end)
            return LANE_BAIL;
        p->start = from;
        p->end = r;
    }
    return TOK_OK;
}

/* Runs the model over the splits of `text` into out, offsets through t's
 * alignments.  With `track`, notes where each split's tokens end, for
 * truncation (truncate.c). */
static int model_splits(const tok_tokenizer *tk, tok_encoding *e,
                        const char *text, const tok_normalized *t,
                        const tok_splits *sp, int lane, tok_pieces *out,
                        int which, bool track)
{
    wc_probe ring[2 * WC_CHUNK];
    prepare_chunk(text, sp, e->wcache, 0, lane, ring);
    for (size_t i = 0; i < sp->len; i++) {
        if (i % WC_CHUNK == 0) {
            size_t to = i + WC_CHUNK < sp->len ? i + WC_CHUNK : sp->len;
            for (size_t k = i; k < to; k++) {
                const wc_entry *c =
                    wc_entry_of(e->wcache, &ring[k % (2 * WC_CHUNK)]);
                if (c)
                    __builtin_prefetch(c);
            }
            prepare_chunk(text, sp, e->wcache, i + WC_CHUNK, lane, ring);
        }
        tok_split s = sp->v[i];
        if (s.end <= s.start)
            continue;
        size_t first = out->len;
        int rc;
        if (s.id >= 0) {
            rc = tok_pieces_push(out, s.id, 0, s.end - s.start);
        } else {
            rc = tokenize_word(tk, e, text + s.start, s.end - s.start,
                               &ring[i % (2 * WC_CHUNK)], lane, UINT32_MAX,
                               out);
        }
        if (rc)
            return rc;
        if (track && tok_trunc_note_split(e, which, out->len, s.id >= 0))
            return TOK_ENOMEM;
        if (out->len == first) /* no piece; v may still be NULL */
            continue;
        tok_piece *p = out->v + first, *end = out->v + out->len;
        /* Word-relative byte offsets -> offsets in the original input. */
        for (; p < end; p++) {
            uint32_t a = s.start + p->start, z = s.start + p->end;
            if (z > a) {
                p->start = t->align[a].start;
                p->end = t->align[z - 1].end;
            } else {
                p->start = p->end = a < t->len ? t->align[a].start : 0;
            }
        }
    }
    return TOK_OK;
}

/* Runs the whole pipeline for one text into e->seq[which]. */
static int encode_sequence(const tok_tokenizer *tk, const char *text,
                           size_t len, const tok_encode_options *o,
                           tok_encoding *e, int which, tok_error *err)
{
    tok_pieces *out = &e->seq[which];
    out->len = 0;
    /* Truncation needs to know where words end: the general path. */
    bool track = tok_trunc_tracking(tk, o, e, which);
    int path = e->no_lanes || track ? PATH_GENERAL
                                    : choose_path(tk, o, len);
    int rc;
    if (path != PATH_GENERAL) {
        if (prepare_scratch(tk, e))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        rc = run_lane(tk, o, e, text, len, path, out);
        if (rc == LANE_BAIL) {
            out->len = 0;
            path = PATH_GENERAL;
        } else if (rc) {
            return tok_error_set(err, rc, "%s failed", tk->model->ops->name);
        }
    }
    if (path == PATH_GENERAL) {
        rc = load_input(tk, text, len, o, e, err);
        if (rc)
            return rc;
        rc = normalize_segments(tk, o, e, err);
        if (rc)
            return rc;
        tok_pretok_state st = {&e->text, &e->spare, &e->splits, &e->next,
                               true};
        rc = tok_pretokenize(tk->pretok, &st);
        if (rc)
            return tok_error_set(err, rc, "pre-tokenization failed");
        if (prepare_scratch(tk, e))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        rc = model_splits(tk, e, st.text->text, st.text, st.splits,
                          KEY_TEXT, out, which, track);
        if (rc)
            return tok_error_set(err, rc, "%s failed", tk->model->ops->name);
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
    tok_encoding_reset_overflow(out);
    int rc = encode_sequence(tk, text, len, o, out, 0, err);
    if (!rc)
        rc = tok_encoding_finish(tk, out, false, o, err);
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
    tok_encoding_reset_overflow(out);
    int rc = encode_sequence(tk, a, alen, o, out, 0, err);
    if (!rc) {
        rc = encode_sequence(tk, b, blen, o, out, 1, err);
        if (rc && err)
            tok_error_prefix(err, "second text");
    }
    if (!rc)
        rc = tok_encoding_finish(tk, out, true, o, err);
    if (rc) {
        out->len = 0;
        if (rc == TOK_ENOMEM)
            tok_error_set(err, rc, "out of memory");
    }
    return rc;
}
