/* bpe_trainer: training, merging phase -- Hugging Face's BpeTrainer (and
 * so WordPieceTrainer) step by step, with flat arrays instead of hash maps
 * of hash sets.
 *
 * What has to match Hugging Face exactly, and why the code looks the way
 * it does:
 *  - The queue holds entries (count, pair, set of words).  An entry only
 *    merges the words of its own set; the words where a merge creates a
 *    pair become a NEW entry for that pair, pushed after the merge, while
 *    older entries for it stay in the queue.  An entry whose count is out
 *    of date is pushed back with the current count.  The count of the pair
 *    being merged is never lowered.  Together these decide when a pair that
 *    shows up again (a token made from two different pairs) is merged once
 *    more -- which moves it later in the merges list -- so they are kept.
 *  - Counts change by -1/+1 times the word's count for the pairs around
 *    each merge, as Word::merge reports them, including its
 *    max_token_length test ("<") that skips a +1 but never a -1, and a
 *    count gone negative is compared as a huge unsigned number.
 *  - Ties: higher count first, then the smaller (left id, right id).
 *    Entries of the same pair and count (rare) go oldest first, which
 *    makes the whole run a function of the corpus alone.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train.h"
#include "utf8.h"

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* ------------------------------------------------------------------------
 * Character counts (the alphabet)
 * ------------------------------------------------------------------------ */

typedef struct cp_table {
    uint32_t *cp;        /* code point + 1; 0 is an empty slot */
    uint64_t *count;
    size_t nslots, n;
} cp_table;

static size_t cp_slot(const cp_table *t, uint32_t cp)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)((cp * 0x9E3779B1u) >> 8) & mask;
    while (t->cp[i] && t->cp[i] != cp + 1)
        i = (i + 1) & mask;
    return i;
}

static int cp_grow(cp_table *t)
{
    cp_table g = {NULL, NULL, t->nslots ? t->nslots * 2 : 256, 0};
    g.cp = tok_calloc(g.nslots, sizeof *g.cp);
    g.count = tok_calloc(g.nslots, sizeof *g.count);
    if (!g.cp || !g.count) {
        tok_free(g.cp);
        tok_free(g.count);
        return TOK_ENOMEM;
    }
    for (size_t i = 0; i < t->nslots; i++) {
        if (!t->cp[i])
            continue;
        size_t s = cp_slot(&g, t->cp[i] - 1);
        g.cp[s] = t->cp[i];
        g.count[s] = t->count[i];
        g.n++;
    }
    tok_free(t->cp);
    tok_free(t->count);
    *t = g;
    return TOK_OK;
}

/* Adds to a character's count (saturating, as usize::MAX marks the
 * initial alphabet); `set_max` stores the maximum instead. */
static int cp_add(cp_table *t, uint32_t cp, uint64_t count, bool set_max)
{
    if ((t->n + 1) * 2 > t->nslots && cp_grow(t))
        return TOK_ENOMEM;
    size_t s = cp_slot(t, cp);
    if (!t->cp[s]) {
        t->cp[s] = cp + 1;
        t->n++;
    }
    if (set_max)
        t->count[s] = UINT64_MAX;
    else
        t->count[s] = t->count[s] > UINT64_MAX - count ? UINT64_MAX
                                                        : t->count[s] + count;
    return TOK_OK;
}

static void cp_dispose(cp_table *t)
{
    tok_free(t->cp);
    tok_free(t->count);
}

typedef struct cp_item {
    uint32_t cp;
    uint64_t count;
} cp_item;

/* Least frequent first; among equals the larger code point first, so that
 * limit_alphabet drops those (Hugging Face's order here is hash order). */
static int cmp_drop_order(const void *pa, const void *pb)
{
    const cp_item *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count < b->count ? -1 : 1;
    return a->cp > b->cp ? -1 : a->cp < b->cp;
}

static int cmp_cp(const void *pa, const void *pb)
{
    const cp_item *a = pa, *b = pb;
    return a->cp < b->cp ? -1 : a->cp > b->cp;
}

/* ------------------------------------------------------------------------
 * Symbol cache: (code point, first/last in word) -> starting token id
 * ------------------------------------------------------------------------ */

enum { V_PREFIX = 1, V_SUFFIX = 2 };
#define SYM_SKIP (-1)           /* the character is not in the alphabet */
#define SYM_PENDING(k) (-2 - (int32_t)(k))

typedef struct sym_cache {
    uint64_t *key;       /* (cp << 2 | variant) + 1; 0 empty */
    int32_t *id;
    size_t nslots, n;
} sym_cache;

static size_t sc_slot(const sym_cache *c, uint64_t key)
{
    size_t mask = c->nslots - 1;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    while (c->key[i] && c->key[i] != key + 1)
        i = (i + 1) & mask;
    return i;
}

static int sc_grow(sym_cache *c)
{
    sym_cache g = {NULL, NULL, c->nslots ? c->nslots * 2 : 1024, 0};
    g.key = tok_calloc(g.nslots, sizeof *g.key);
    g.id = tok_malloc(g.nslots * sizeof *g.id);
    if (!g.key || !g.id) {
        tok_free(g.key);
        tok_free(g.id);
        return TOK_ENOMEM;
    }
    for (size_t i = 0; i < c->nslots; i++) {
        if (!c->key[i])
            continue;
        size_t s = sc_slot(&g, c->key[i] - 1);
        g.key[s] = c->key[i];
        g.id[s] = c->id[i];
        g.n++;
    }
    tok_free(c->key);
    tok_free(c->id);
    *c = g;
    return TOK_OK;
}

static void sc_dispose(sym_cache *c)
{
    tok_free(c->key);
    tok_free(c->id);
}

/* ------------------------------------------------------------------------
 * Pair table: (left, right) -> index, with per-pair count
 * ------------------------------------------------------------------------ */

/* A pair and its count side by side: a merge looks a pair up and later
 * changes its count, and the second access then finds the line cached. */
typedef struct pair_rec {
    uint64_t key;        /* left << 32 | right */
    int64_t count;
} pair_rec;

/* Slots are (tag << 32 | index + 1), 0 when empty: eight bytes, so the
 * table is half the size it would be with the key in it, and the tag
 * (other bits of the hash) spares the record of most other pairs. */
typedef struct pair_table {
    pair_rec *v;
    size_t n, cap;
    uint64_t *slots;
    size_t nslots;
    unsigned shift;      /* 64 - log2(nslots) */
} pair_table;

static inline uint64_t pt_mix(uint64_t key)
{
    return key * 0x9E3779B97F4A7C15ull;
}

static inline uint64_t pt_tag(uint64_t h)
{
    return (h >> 8 & 0xffffffffu) << 32;
}

static int pt_rehash(pair_table *t, size_t nslots)
{
    uint64_t *slots = tok_malloc(nslots * sizeof *slots);
    if (!slots)
        return TOK_ENOMEM;
    train_advise_huge(slots, nslots * sizeof *slots);
    memset(slots, 0, nslots * sizeof *slots);
    unsigned bits = 0;
    while (((size_t)1 << bits) < nslots)
        bits++;
    t->shift = 64 - bits;
    size_t mask = nslots - 1;
    for (size_t p = 0; p < t->n; p++) {
        uint64_t h = pt_mix(t->v[p].key);
        size_t i = (size_t)(h >> t->shift);
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = pt_tag(h) | (p + 1);
    }
    tok_free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return TOK_OK;
}

/* The index of pair `key`, added with count 0 when new; -1 on ENOMEM. */
static inline int64_t pt_get(pair_table *t, uint64_t key)
{
    size_t mask = t->nslots - 1;
    uint64_t h = pt_mix(key), tag = pt_tag(h);
    size_t i = (size_t)(h >> t->shift);
    for (;;) {
        uint64_t s = t->slots[i];
        if (!s)
            break;
        if ((s & 0xffffffff00000000ull) == tag &&
            t->v[(uint32_t)s - 1].key == key)
            return (uint32_t)s - 1;
        i = (i + 1) & mask;
    }
    if (TOK_UNLIKELY((t->n + 1) * 2 > t->nslots)) {
        if (t->n >= UINT32_MAX - 1 || pt_rehash(t, t->nslots * 2))
            return -1;
        return pt_get(t, key);
    }
    if (TRAIN_GROW_HUGE(t->v, t->cap, t->n + 1))
        return -1;
    size_t p = t->n++;
    t->v[p].key = key;
    t->v[p].count = 0;
    t->slots[i] = tag | (p + 1);
    return (int64_t)p;
}

static void pt_dispose(pair_table *t)
{
    tok_free(t->v);
    tok_free(t->slots);
}

/* ------------------------------------------------------------------------
 * The queue
 * ------------------------------------------------------------------------ */

typedef struct qentry {
    uint64_t count;      /* as Hugging Face compares it: unsigned */
    uint64_t key;
    uint32_t seq;        /* push order, for entries of one pair and count */
    uint32_t pidx;
    /* The words: (w << 1 | 1) for a single word w, else the address of
     * {n, w1, ..., wn} -- allocated for the entry, or inside the initial
     * lists.  32 bytes an entry: the queue holds every pair. */
    uint64_t words;
} qentry;

#define ONE_WORD(w) ((uint64_t)(w) << 1 | 1)

/* Entries counted in [2^(b-1), 2^b), in no order (b = 0: count 0). */
typedef struct q_bucket {
    qentry *v;
    size_t n, cap;
} q_bucket;

/* The queue in two parts: a heap of the entries counted at least `floor`
 * and, bucketed by the bit width of their count, the others -- most pairs
 * a merge creates are rare and never reach the top, and the heap stays
 * small enough to be cached.  Every heap entry pops before every other
 * one, so the pops are those of one heap over all entries. */
typedef struct queue {
    qentry *v;           /* the heap */
    size_t n, cap;
    q_bucket cold[65];
    uint64_t floor;      /* 0 or a power of two */
} queue;

static inline const uint32_t *entry_list(const qentry *e)
{
    return (const uint32_t *)(uintptr_t)e->words;
}

/* ------------------------------------------------------------------------
 * Word lists of the entries a merge pushes: carved out of large chunks,
 * all released at the end.  Most entries stay in the queue to the end
 * anyway, and one malloc per entry cost more than the lists of the few
 * popped ones.
 * ------------------------------------------------------------------------ */

#define POOL_CHUNK ((size_t)1 << 20)     /* uint32_t values */

typedef struct pool_chunk {
    struct pool_chunk *prev;
    size_t used, cap;
    uint32_t v[];
} pool_chunk;

static uint32_t *pool_alloc(pool_chunk **pool, size_t n)
{
    pool_chunk *c = *pool;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > POOL_CHUNK ? n : POOL_CHUNK;
        c = tok_malloc(sizeof *c + cap * sizeof c->v[0]);
        if (!c)
            return NULL;
        train_advise_huge(c, sizeof *c + cap * sizeof c->v[0]);
        c->prev = *pool;
        c->used = 0;
        c->cap = cap;
        *pool = c;
    }
    uint32_t *p = c->v + c->used;
    c->used += n;
    return p;
}

static void pool_dispose(pool_chunk *pool)
{
    while (pool) {
        pool_chunk *prev = pool->prev;
        tok_free(pool);
        pool = prev;
    }
}

/* True when a pops before b. */
static inline bool q_before(const qentry *a, const qentry *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    if (a->key != b->key)
        return a->key < b->key;
    return (uint32_t)(a->seq - b->seq) > UINT32_MAX / 2;
}

/* A 4-ary heap: half the depth of a binary one, and the four children of
 * a node share two cache lines.  The order is strict (count, pair, seq),
 * so the shape of the heap never decides anything. */
#define Q_ARITY 4

static void q_sift_down(queue *q, size_t i)
{
    qentry e = q->v[i];
    for (;;) {
        size_t c = Q_ARITY * i + 1;
        if (c >= q->n)
            break;
        size_t end = c + Q_ARITY < q->n ? c + Q_ARITY : q->n;
        size_t best = c;
        for (size_t k = c + 1; k < end; k++)
            if (q_before(&q->v[k], &q->v[best]))
                best = k;
        if (!q_before(&q->v[best], &e))
            break;
        q->v[i] = q->v[best];
        i = best;
    }
    q->v[i] = e;
}

static int q_push(queue *q, const qentry *e)
{
    if (TRAIN_GROW_HUGE(q->v, q->cap, q->n + 1))
        return TOK_ENOMEM;
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / Q_ARITY;
        if (!q_before(e, &q->v[parent]))
            break;
        q->v[i] = q->v[parent];
        i = parent;
    }
    q->v[i] = *e;
    return TOK_OK;
}

static qentry q_pop(queue *q)
{
    qentry top = q->v[0];
    q->v[0] = q->v[--q->n];
    if (q->n)
        q_sift_down(q, 0);
    return top;
}

static inline unsigned bit_width(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static int q_add_cold(queue *q, const qentry *e)
{
    q_bucket *c = &q->cold[bit_width(e->count)];
    if (TRAIN_GROW_HUGE(c->v, c->cap, c->n + 1))
        return TOK_ENOMEM;
    c->v[c->n++] = *e;
    return TOK_OK;
}

/* Adds an entry to the queue. */
static int q_add(queue *q, const qentry *e)
{
    return e->count >= q->floor ? q_push(q, e) : q_add_cold(q, e);
}

/* Once the heap is empty: lowers the floor to bring the highest buckets
 * into the heap, Q_REFILL entries or more -- each entry is moved once, so
 * this costs a constant per entry. */
#define Q_REFILL 1024

static int q_refill(queue *q)
{
    size_t moved = 0;
    unsigned b = 65;
    while (b > 0 && moved < Q_REFILL)
        moved += q->cold[--b].n;
    if (TRAIN_GROW_HUGE(q->v, q->cap, q->n + moved))
        return TOK_ENOMEM;
    q->floor = b ? (uint64_t)1 << (b - 1) : 0;
    for (unsigned i = b; i < 65; i++) {
        q_bucket *c = &q->cold[i];
        if (c->n == 0)
            continue;   /* an empty bucket may have no array at all */
        memcpy(q->v + q->n, c->v, c->n * sizeof *c->v);
        q->n += c->n;
        c->n = 0;
    }
    for (size_t i = q->n / Q_ARITY + 1; i-- > 0;)
        if (i < q->n)
            q_sift_down(q, i);
    return TOK_OK;
}

/* The entry that pops next, or NULL when the queue is empty (*rc set on
 * ENOMEM). */
static qentry *q_top(queue *q, int *rc)
{
    *rc = TOK_OK;
    if (q->n == 0 && q->floor && (*rc = q_refill(q)) != TOK_OK)
        return NULL;
    return q->n ? &q->v[0] : NULL;
}

static void q_dispose(queue *q)
{
    tok_free(q->v);
    for (size_t i = 0; i < 65; i++)
        tok_free(q->cold[i].v);
}

/* ------------------------------------------------------------------------
 * Trainer state
 * ------------------------------------------------------------------------ */

/* A word is named by the offset of its header in sym; the header and the
 * symbols after it are one record, so a visit to a word is one memory
 * access, which the merge loop can prefetch from the list alone. */
enum {
    W_LEN,               /* symbols left */
    W_LONG,              /* index in longs + 1, or 0 */
    W_COUNT_LO,          /* the word's count, 64 bits */
    W_COUNT_HI,
    WHDR                 /* header size, in uint32_t */
};

static inline uint64_t word_count(const uint32_t *h)
{
    return (uint64_t)h[W_COUNT_HI] << 32 | h[W_COUNT_LO];
}

typedef struct trainer {
    const tok_bpe_train_config *cfg;
    tok_vocab *vocab;
    size_t nchars;       /* characters in the distinct words */
    /* Words with two symbols or more, each a header then its symbols. */
    uint32_t *sym;
    size_t nsym, symcap;
    uint32_t *lens;      /* characters per symbol (same offsets as sym);
                          * only with a maximum token length */
    pair_table pairs;
    queue q;
    uint64_t seq;
    uint32_t iter;
    /* This iteration's new (pair, word) records, in the order the words
     * were visited: the pair is an index in touched. */
    uint32_t *rec_word;
    uint32_t *rec_pair;
    size_t nrec, reccap;
    uint32_t *initial_lists;
    pool_chunk *lists;   /* the lists of later entries */
    tok_merge *merges;   /* every merge done, repeats included */
    size_t nmerges, mergecap;
    /* Words longer than LONG_WORD symbols, indexed by position. */
    struct long_word *longs;
    size_t nlongs;
    /* Within one merge of (a, b) into n, an occurrence with neighbours x
     * and y takes from (x, a) and (b, y) what it gives to (x, n) and
     * (n, y).  These caches, indexed by the neighbour's id and valid for
     * one iteration, hold the touched entries of both pairs of its side,
     * so that only the first occurrence next to x or y hashes. */
    struct side_cache *left, *right;
    size_t ncache;
    /* The neighbours met in a batch of words, waiting to be counted: the
     * pairs they lead to are fetched ahead of their turn. */
    struct neighbour *nbs;
    size_t nnbs, nbscap;
    /* The pairs one merge touches, with their count changes (applied
     * once per pair when the merge is done, not once per occurrence) and,
     * for the pairs it creates, the words where it does. */
    struct touched *touched;
    size_t ntouched, touchedcap;
} trainer;

typedef struct side_cache {
    uint32_t iter;
    uint32_t old;        /* touched index of (x, a), or of (b, y) */
    uint32_t made;       /* touched index of (x, n), or of (n, y) */
} side_cache;

typedef struct touched {
    int64_t delta;
    uint32_t pidx;
    uint32_t nrec;       /* words where the merge created the pair */
    uint32_t last;       /* the last of them + 1; 0 none */
    uint32_t *list;      /* its new entry's list, while it is filled */
} touched;

#define NO_TOUCH UINT32_MAX

/* A new touched entry for pair `key`; NO_TOUCH on ENOMEM. */
static uint32_t new_touched(trainer *t, uint64_t key)
{
    int64_t p = pt_get(&t->pairs, key);
    if (TOK_UNLIKELY(p < 0) ||
        TRAIN_GROW(t->touched, t->touchedcap, t->ntouched + 1))
        return NO_TOUCH;
    touched *d = &t->touched[t->ntouched];
    d->delta = 0;
    d->pidx = (uint32_t)p;
    d->nrec = 0;
    d->last = 0;
    return (uint32_t)t->ntouched++;
}

/* Fills the cache of neighbour x, on the right of the merged pair (a, b)
 * or on its left, at its first occurrence in this merge.  (n, n) is made
 * from either side, and Hugging Face has one entry for it: both sides
 * share it.  NULL on ENOMEM. */
static side_cache *side_setup(trainer *t, bool right, uint32_t x,
                              uint32_t a, uint32_t b, uint32_t n)
{
    side_cache *e = right ? &t->right[x] : &t->left[x];
    const side_cache *twin = right ? &t->left[n] : &t->right[n];
    e->old = new_touched(t, right ? (uint64_t)b << 32 | x
                                  : (uint64_t)x << 32 | a);
    if (x == n && twin->iter == t->iter)
        e->made = twin->made;
    else
        e->made = new_touched(t, right ? (uint64_t)n << 32 | x
                                       : (uint64_t)x << 32 | n);
    if (e->old == NO_TOUCH || e->made == NO_TOUCH)
        return NULL;
    e->iter = t->iter;
    return e;
}

static inline side_cache *side_of(trainer *t, bool right, uint32_t x,
                                  uint32_t a, uint32_t b, uint32_t n)
{
    side_cache *e = right ? &t->right[x] : &t->left[x];
    return e->iter == t->iter ? e : side_setup(t, right, x, a, b, n);
}

static int grow_records(trainer *t)
{
    size_t cap = t->reccap;
    if (TOK_GROW(t->rec_word, cap, t->nrec + 1))
        return TOK_ENOMEM;
    uint32_t *n = tok_realloc(t->rec_pair, cap * sizeof *n);
    if (!n)
        return TOK_ENOMEM;
    t->rec_pair = n;
    t->reccap = cap;
    return TOK_OK;
}

/* Counts one more merge-created pair (touched entry m) in word w: the +1
 * of Word::merge; the word goes into the pair's new entry once. */
static inline int made_pair(trainer *t, uint32_t m, int64_t c, uint32_t w)
{
    touched *d = &t->touched[m];
    d->delta += c;
    if (d->last == w + 1)
        return TOK_OK;
    if (TOK_UNLIKELY(t->nrec == t->reccap) && grow_records(t))
        return TOK_ENOMEM;
    t->rec_word[t->nrec] = w;
    t->rec_pair[t->nrec] = m;
    t->nrec++;
    d->nrec++;
    d->last = w + 1;
    return TOK_OK;
}

/* A neighbour of one occurrence of the merged pair: x (left) or y
 * (right) in word w; `made` is false when max_token_length forbids the new
 * pair.  Recorded while the words of a batch are merged, and counted after
 * them in the same order. */
typedef struct neighbour {
    uint32_t x;
    uint32_t w;
    uint8_t right;
    uint8_t made;
} neighbour;

#define NB_BATCH 1024

static inline int meet(trainer *t, uint32_t x, uint32_t w, bool right,
                       bool made)
{
    if (TRAIN_GROW(t->nbs, t->nbscap, t->nnbs + 1))
        return TOK_ENOMEM;
    neighbour *m = &t->nbs[t->nnbs++];
    m->x = x;
    m->w = w;
    m->right = right;
    m->made = made;
    return TOK_OK;
}

/* The slot where a lookup of `key` starts. */
static inline void pt_prefetch(const pair_table *pt, uint64_t key)
{
    PREFETCH(&pt->slots[pt_mix(key) >> pt->shift]);
}

/* Counts the neighbours met so far: (x, a) and (b, y) lose the word's
 * count, (x, n) and (n, y) gain it.  A neighbour new to this merge needs
 * two lookups in a table too large for the cache: their slots are fetched
 * NB_AHEAD neighbours in advance. */
#define NB_AHEAD 16

static int count_neighbours(trainer *t, uint32_t a, uint32_t b, uint32_t n)
{
    const neighbour *v = t->nbs;
    size_t nn = t->nnbs;
    t->nnbs = 0;
    for (size_t k = 0; k < nn; k++) {
        if (k + NB_AHEAD < nn) {
            const neighbour *f = &v[k + NB_AHEAD];
            uint32_t x = f->x;
            const side_cache *c = f->right ? &t->right[x] : &t->left[x];
            if (c->iter != t->iter) {
                pt_prefetch(&t->pairs, f->right ? (uint64_t)b << 32 | x
                                                : (uint64_t)x << 32 | a);
                pt_prefetch(&t->pairs, f->right ? (uint64_t)n << 32 | x
                                                : (uint64_t)x << 32 | n);
            }
        }
        const neighbour *m = &v[k];
        const side_cache *e = side_of(t, m->right, m->x, a, b, n);
        if (!e)
            return TOK_ENOMEM;
        int64_t c = (int64_t)word_count(t->sym + m->w);
        t->touched[e->old].delta -= c;
        if (m->made && made_pair(t, e->made, c, m->w))
            return TOK_ENOMEM;
    }
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Long words
 *
 * Scanning a word for the pair costs its length at every merge that
 * touches it, which is quadratic for one very long word (a line of base64
 * under a whitespace pre-tokenizer).  Words longer than LONG_WORD symbols
 * instead keep their symbols in place, linked, with the positions where
 * each pair starts; a merge visits only those positions, in increasing
 * order, which is the order of Hugging Face's left-to-right scan.
 * Positions are checked when used, so stale ones cost nothing more.  The
 * index costs tens of bytes a symbol, and on words of a hundred characters
 * it is slower than scanning, hence the high threshold.
 * ------------------------------------------------------------------------ */

#define LONG_WORD 1024  /* unless the config says otherwise (tests) */
#define NO_POS UINT32_MAX

typedef struct pos_list {
    uint32_t *v;
    uint32_t n, cap;
} pos_list;

typedef struct long_word {
    uint32_t *next, *prev;   /* symbol links within the word, or NO_POS */
    uint64_t *keys;          /* pair key of each slot */
    uint32_t *idx;           /* list index + 1 of each slot; 0 empty */
    size_t nslots, n;
    pos_list *lists;
} long_word;

static void lw_dispose(long_word *lw)
{
    tok_free(lw->next);
    tok_free(lw->prev);
    tok_free(lw->keys);
    tok_free(lw->idx);
    for (size_t i = 0; i < lw->n; i++)
        tok_free(lw->lists[i].v);
    tok_free(lw->lists);
}

static size_t lw_slot(const long_word *lw, uint64_t key)
{
    size_t mask = lw->nslots - 1;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    while (lw->idx[i] && lw->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static int lw_rehash(long_word *lw)
{
    long_word g = *lw;
    g.nslots = lw->nslots ? lw->nslots * 2 : 64;
    g.keys = tok_malloc(g.nslots * sizeof *g.keys);
    g.idx = tok_calloc(g.nslots, sizeof *g.idx);
    pos_list *lists = tok_realloc(lw->lists, g.nslots / 2 * sizeof *lists);
    if (!g.keys || !g.idx || !lists) {
        tok_free(g.keys);
        tok_free(g.idx);
        if (lists)
            lw->lists = lists;
        return TOK_ENOMEM;
    }
    g.lists = lists;
    for (size_t i = 0; i < lw->nslots; i++)
        if (lw->idx[i]) {
            size_t j = lw_slot(&g, lw->keys[i]);
            g.keys[j] = lw->keys[i];
            g.idx[j] = lw->idx[i];
        }
    tok_free(lw->keys);
    tok_free(lw->idx);
    *lw = g;
    return TOK_OK;
}

/* The positions of a pair in the word; NULL when there are none yet. */
static pos_list *lw_find(long_word *lw, uint64_t key)
{
    size_t i = lw_slot(lw, key);
    return lw->idx[i] ? &lw->lists[lw->idx[i] - 1] : NULL;
}

static int lw_add(long_word *lw, uint64_t key, uint32_t pos)
{
    if ((lw->n + 1) * 2 > lw->nslots && lw_rehash(lw))
        return TOK_ENOMEM;
    size_t i = lw_slot(lw, key);
    if (!lw->idx[i]) {
        lw->keys[i] = key;
        lw->idx[i] = (uint32_t)++lw->n;
        memset(&lw->lists[lw->n - 1], 0, sizeof(pos_list));
    }
    pos_list *l = &lw->lists[lw->idx[i] - 1];
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        uint32_t *v = tok_realloc(l->v, cap * sizeof *v);
        if (!v)
            return TOK_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = pos;
    return TOK_OK;
}

static int lw_init(long_word *lw, const uint32_t *s, size_t len)
{
    memset(lw, 0, sizeof *lw);
    lw->next = tok_malloc(len * sizeof *lw->next);
    lw->prev = tok_malloc(len * sizeof *lw->prev);
    if (!lw->next || !lw->prev)
        return TOK_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        lw->next[i] = i + 1 < len ? (uint32_t)i + 1 : NO_POS;
        lw->prev[i] = i > 0 ? (uint32_t)i - 1 : NO_POS;
        if (i + 1 < len &&
            lw_add(lw, (uint64_t)s[i] << 32 | s[i + 1], (uint32_t)i))
            return TOK_ENOMEM;
    }
    return TOK_OK;
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/* merge_at for a long word: the same changes, found by position. */
static int merge_long(trainer *t, uint32_t w, uint32_t a, uint32_t b,
                      uint32_t nid)
{
    uint32_t *h = t->sym + w;
    long_word *lw = &t->longs[h[W_LONG] - 1];
    pos_list *found = lw_find(lw, (uint64_t)a << 32 | b);
    if (!found || found->n == 0)
        return TOK_OK;
    pos_list l = *found;              /* detached: new positions of this */
    memset(found, 0, sizeof *found);  /* pair go to a fresh list */
    qsort(l.v, l.n, sizeof *l.v, cmp_u32);
    uint32_t *s = h + WHDR;
    uint32_t *ln = t->lens ? t->lens + w + WHDR : NULL;
    size_t maxlen = t->cfg->max_token_length;
    int rc = TOK_OK;
    for (uint32_t k = 0; k < l.n && rc == TOK_OK; k++) {
        uint32_t p = l.v[k];
        if (s[p] != a)
            continue;
        uint32_t q = lw->next[p];
        if (q == NO_POS || s[q] != b)
            continue;
        uint32_t nl = ln ? ln[p] + ln[q] : 0;
        uint32_t pr = lw->prev[p], nx = lw->next[q];
        if (pr != NO_POS) {
            rc |= meet(t, s[pr], w, false,
                       !ln || (size_t)ln[pr] + nl < maxlen);
            rc |= lw_add(lw, (uint64_t)s[pr] << 32 | nid, pr);
        }
        if (nx != NO_POS) {
            rc |= meet(t, s[nx], w, true,
                       !ln || (size_t)ln[nx] + nl < maxlen);
            rc |= lw_add(lw, (uint64_t)nid << 32 | s[nx], p);
            lw->prev[nx] = p;
        }
        s[p] = nid;
        if (ln)
            ln[p] = nl;
        s[q] = NO_POS;
        lw->next[p] = nx;
        h[W_LEN]--;
    }
    tok_free(l.v);
    return rc ? TOK_ENOMEM : TOK_OK;
}

/* Word::merge on word w, from r, the first occurrence of (a, b): every
 * non-overlapping (a, b), left to right, becomes nid, reporting the pair
 * changes around each one. */
static int merge_at(trainer *t, uint32_t w, size_t r, uint32_t a,
                    uint32_t b, uint32_t nid)
{
    uint32_t *h = t->sym + w;
    uint32_t *s = h + WHDR;
    uint32_t *ln = t->lens ? t->lens + w + WHDR : NULL;
    size_t len = h[W_LEN];
    size_t maxlen = t->cfg->max_token_length;
    size_t j = r;
    int rc = TOK_OK;
    while (r < len) {
        if (s[r] != a || r + 1 >= len || s[r + 1] != b) {
            s[j] = s[r];
            if (ln)
                ln[j] = ln[r];
            j++;
            r++;
            continue;
        }
        uint32_t nl = ln ? ln[r] + ln[r + 1] : 0;
        if (j > 0)
            rc |= meet(t, s[j - 1], w, false,
                       !ln || (size_t)ln[j - 1] + nl < maxlen);
        if (r + 2 < len)
            rc |= meet(t, s[r + 2], w, true,
                       !ln || (size_t)ln[r + 2] + nl < maxlen);
        if (rc)
            return TOK_ENOMEM;
        s[j] = nid;
        if (ln)
            ln[j] = nl;
        j++;
        r += 2;
    }
    h[W_LEN] = (uint32_t)j;
    return TOK_OK;
}

/* Merges (a, b) into nid in word w.  Half the words of an entry no longer
 * hold the pair, so the scan for it is kept apart and inline. */
static inline int merge_word(trainer *t, uint32_t w, uint32_t a, uint32_t b,
                             uint32_t nid)
{
    const uint32_t *h = t->sym + w;
    if (h[W_LONG])
        return merge_long(t, w, a, b, nid);
    const uint32_t *s = h + WHDR;
    size_t len = h[W_LEN];
    for (size_t r = 0; r + 1 < len; r++)
        if (s[r] == a && s[r + 1] == b)
            return merge_at(t, w, r, a, b, nid);
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Setup: specials, alphabet, words as symbols, pair counts, queue
 * ------------------------------------------------------------------------ */

static int add_specials(trainer *t, tok_error *err)
{
    for (size_t i = 0; i < t->cfg->nspecials; i++) {
        const char *s = t->cfg->specials[i];
        size_t len = strlen(s);
        if (tok_vocab_find(t->vocab, s, len) >= 0)
            continue;
        if (tok_vocab_push(t->vocab, s, len) < 0)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    return TOK_OK;
}

static int add_alphabet(trainer *t, const tok_word_counts *wc,
                        tok_error *err)
{
    cp_table tab = {NULL, NULL, 0, 0};
    cp_item *items = NULL;
    int rc = TOK_ENOMEM;
    /* ASCII, most of most corpora, is counted without the table. */
    uint64_t ascii[128] = {0};
    bool seen[128] = {false};
    size_t nchars = 0;
    for (size_t i = 0; i < wc->n; i++) {
        const unsigned char *s = (const unsigned char *)tok_wc_word(wc, i);
        size_t len = wc->v[i].len;
        uint64_t count = wc->v[i].count;
        for (size_t p = 0; p < len; nchars++) {
            if (s[p] < 0x80) {
                uint64_t *a = &ascii[s[p]];
                *a = *a > UINT64_MAX - count ? UINT64_MAX : *a + count;
                seen[s[p++]] = true;
                continue;
            }
            uint32_t cp;
            size_t n = tok_utf8_decode(s, len, p, &cp);
            if (cp_add(&tab, cp, count, false))
                goto out;
            p += n ? n : 1;
        }
    }
    for (uint32_t c = 0; c < 128; c++)
        if (seen[c] && cp_add(&tab, c, ascii[c], false))
            goto out;
    for (size_t i = 0; i < t->cfg->ninitial; i++)
        if (cp_add(&tab, t->cfg->initial_alphabet[i], 0, true))
            goto out;
    items = tok_malloc((tab.n ? tab.n : 1) * sizeof *items);
    if (!items)
        goto out;
    size_t n = 0;
    for (size_t i = 0; i < tab.nslots; i++)
        if (tab.cp[i]) {
            items[n].cp = tab.cp[i] - 1;
            items[n].count = tab.count[i];
            n++;
        }
    size_t skip = 0;
    if (n > t->cfg->limit_alphabet) {
        skip = n - t->cfg->limit_alphabet;
        qsort(items, n, sizeof *items, cmp_drop_order);
    }
    qsort(items + skip, n - skip, sizeof *items, cmp_cp);
    for (size_t i = skip; i < n; i++) {
        char u[4];
        size_t ulen = tok_utf8_encode(items[i].cp, u);
        if (tok_vocab_find(t->vocab, u, ulen) < 0 &&
            tok_vocab_push(t->vocab, u, ulen) < 0)
            goto out;
    }
    t->nchars = nchars;
    rc = TOK_OK;
out:
    cp_dispose(&tab);
    tok_free(items);
    if (rc)
        tok_error_set(err, TOK_ENOMEM, "out of memory");
    return rc;
}

/* A decorated alphabet entry waiting for its id. */
typedef struct pending {
    size_t off;          /* into the pending arena */
    size_t len;
    size_t rank;         /* position in decorated_order, or SIZE_MAX */
    const char *s;       /* set once the arena stops moving, for sorting */
    int32_t id;
} pending;

typedef struct pending_list {
    pending *v;
    size_t n, cap;
    tok_buffer arena;
} pending_list;

static int cmp_pending(const void *pa, const void *pb)
{
    const pending *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* The starting id of (cp, variant), resolving it on first sight. */
static int resolve_symbol(trainer *t, sym_cache *sc, pending_list *pl,
                          uint32_t cp, unsigned variant, int32_t *id)
{
    uint64_t key = (uint64_t)cp << 2 | variant;
    size_t s = sc->nslots ? sc_slot(sc, key) : 0;
    if (sc->nslots && sc->key[s]) {
        *id = sc->id[s];
        return TOK_OK;
    }
    if ((sc->n + 1) * 2 > sc->nslots) {
        if (sc_grow(sc))
            return TOK_ENOMEM;
        s = sc_slot(sc, key);
    }
    char u[4];
    size_t ulen = tok_utf8_encode(cp, u);
    int32_t r = tok_vocab_find(t->vocab, u, ulen);
    if (r >= 0 && variant) {
        const char *pre = (variant & V_PREFIX) ? t->cfg->prefix : "";
        const char *suf = (variant & V_SUFFIX) ? t->cfg->suffix : "";
        size_t off = pl->arena.len;
        if (tok_buffer_append(&pl->arena, pre, strlen(pre)) ||
            tok_buffer_append(&pl->arena, u, ulen) ||
            tok_buffer_append(&pl->arena, suf, strlen(suf)))
            return TOK_ENOMEM;
        size_t dlen = pl->arena.len - off;
        r = tok_vocab_find(t->vocab, pl->arena.data + off, dlen);
        if (r >= 0) {
            pl->arena.len = off;
        } else {
            if (TOK_GROW(pl->v, pl->cap, pl->n + 1))
                return TOK_ENOMEM;
            pending *p = &pl->v[pl->n];
            p->off = off;
            p->len = dlen;
            p->rank = SIZE_MAX;
            p->s = NULL;
            p->id = -1;
            for (size_t k = 0; k < t->cfg->ndecorated_order; k++) {
                const char *o = t->cfg->decorated_order[k];
                if (strlen(o) == dlen &&
                    memcmp(o, pl->arena.data + off, dlen) == 0) {
                    p->rank = k;
                    break;
                }
            }
            r = SYM_PENDING(pl->n);
            pl->n++;
        }
    } else if (r < 0) {
        r = SYM_SKIP;
    }
    sc->key[s] = key + 1;
    sc->id[s] = r;
    sc->n++;
    *id = r;
    return TOK_OK;
}

/* Gives the new decorated tokens their ids: decorated_order first, then
 * byte order. */
static int number_pending(trainer *t, sym_cache *sc, pending_list *pl)
{
    pending *sorted = tok_malloc(pl->n * sizeof *sorted);
    if (!sorted)
        return TOK_ENOMEM;
    memcpy(sorted, pl->v, pl->n * sizeof *sorted);
    for (size_t k = 0; k < pl->n; k++) {
        sorted[k].s = pl->arena.data + sorted[k].off;
        sorted[k].id = (int32_t)k;          /* the pending index */
    }
    qsort(sorted, pl->n, sizeof *sorted, cmp_pending);
    for (size_t k = 0; k < pl->n; k++) {
        int32_t id = tok_vocab_push(t->vocab, sorted[k].s, sorted[k].len);
        if (id < 0) {
            tok_free(sorted);
            return TOK_ENOMEM;
        }
        pl->v[sorted[k].id].id = id;
    }
    tok_free(sorted);
    for (size_t k = 0; k < sc->nslots; k++)
        if (sc->key[k] && sc->id[k] <= SYM_PENDING(0))
            sc->id[k] = pl->v[-(sc->id[k] + 2)].id;
    return TOK_OK;
}

static inline unsigned variant_of(const trainer *t, bool first, bool last)
{
    unsigned v = 0;
    if (!first && t->cfg->prefix)
        v |= V_PREFIX;
    if (last && t->cfg->suffix)
        v |= V_SUFFIX;
    return v;
}

#define ASCII_UNSET INT32_MIN

/* Characters below this (one or two UTF-8 bytes: Latin, Greek, Cyrillic,
 * Hebrew, Arabic, GPT-2's byte alphabet) have a direct table in front of
 * resolve_symbol. */
#define SMALL_CP 0x800

/* The starting id of the character at s[*p] (advancing *p). */
static inline int symbol_at(trainer *t, sym_cache *sc, pending_list *pl,
                            int32_t *small_ids, const unsigned char *s,
                            size_t len, size_t *p, int32_t *id)
{
    size_t at = *p, n = 1;
    uint32_t cp = s[at];
    if (cp >= 0x80) {
        if (cp >= 0xC2 && cp <= 0xDF && at + 1 < len &&
            (s[at + 1] & 0xC0) == 0x80) {
            cp = (cp & 0x1F) << 6 | (s[at + 1] & 0x3F);
            n = 2;
        } else {
            n = tok_utf8_decode(s, len, at, &cp);
            n = n ? n : 1;
        }
    }
    *p = at + n;
    unsigned v = variant_of(t, at == 0, at + n == len);
    if (cp >= SMALL_CP)
        return resolve_symbol(t, sc, pl, cp, v, id);
    int32_t *slot = &small_ids[cp * 4 + v];
    if (*slot != ASCII_UNSET) {
        *id = *slot;
        return TOK_OK;
    }
    int rc = resolve_symbol(t, sc, pl, cp, v, id);
    if (rc == TOK_OK)
        *slot = *id;
    return rc;
}

/* Turns each word into starting ids (adding the decorated alphabet in its
 * defined order) and keeps the words that have a pair. */
static int tokenize_words(trainer *t, const tok_word_counts *wc,
                          tok_error *err)
{
    sym_cache sc = {NULL, NULL, 0, 0};
    pending_list pl = {NULL, 0, 0, TOK_BUFFER_INIT};
    int rc = TOK_ENOMEM;

    int32_t *small_ids = tok_malloc(SMALL_CP * 4 * sizeof *small_ids);
    if (!small_ids)
        goto out;
    for (size_t k = 0; k < SMALL_CP * 4; k++)
        small_ids[k] = ASCII_UNSET;
    size_t nchars = t->nchars;
    if (t->cfg->prefix || t->cfg->suffix) {
        /* Pass 1: find every (character, place) and the new decorated
         * tokens (without a prefix or suffix there are none). */
        for (size_t i = 0; i < wc->n; i++) {
            const unsigned char *s =
                (const unsigned char *)tok_wc_word(wc, i);
            size_t len = wc->v[i].len;
            for (size_t p = 0; p < len;) {
                int32_t id;
                if (symbol_at(t, &sc, &pl, small_ids, s, len, &p, &id))
                    goto out;
            }
        }
        if (pl.n && number_pending(t, &sc, &pl))
            goto out;
        for (size_t k = 0; k < SMALL_CP * 4; k++)
            small_ids[k] = ASCII_UNSET;     /* pending ids have changed */
    }
    /* Sized once: memory here is most of the merging phase's.  A word
     * with a pair has at least two characters, so there are at most
     * nchars / 2 headers. */
    if (nchars > (UINT32_MAX - WHDR - 2) / (WHDR / 2 + 1))
        goto out;       /* words are named by 32-bit offsets */
    /* The slack: a word left out (fewer than two symbols) still writes
     * its symbol after the next header. */
    t->symcap = nchars + nchars / 2 * WHDR + WHDR + 1;
    t->sym = tok_malloc(t->symcap * sizeof *t->sym);
    if (!t->sym)
        goto out;
    train_advise_huge(t->sym, t->symcap * sizeof *t->sym);

    /* Pass 2: the symbols of every word that has at least one pair (there
     * are at most nchars of them). */
    if (t->cfg->max_token_length) {
        t->lens = tok_malloc(t->symcap * sizeof *t->lens);
        if (!t->lens)
            goto out;
    }
    for (size_t i = 0; i < wc->n; i++) {
        const unsigned char *s = (const unsigned char *)tok_wc_word(wc, i);
        size_t len = wc->v[i].len;
        size_t start = t->nsym + WHDR, k = start;
        for (size_t p = 0; p < len;) {
            int32_t id;
            if (symbol_at(t, &sc, &pl, small_ids, s, len, &p, &id))
                goto out;
            if (id >= 0) {
                t->sym[k] = (uint32_t)id;
                if (t->lens)
                    t->lens[k] = 1;
                k++;
            }
        }
        if (k - start < 2)
            continue;
        uint32_t *h = t->sym + t->nsym;
        h[W_LEN] = (uint32_t)(k - start);
        h[W_LONG] = 0;
        h[W_COUNT_LO] = (uint32_t)wc->v[i].count;
        h[W_COUNT_HI] = (uint32_t)(wc->v[i].count >> 32);
        t->nsym = k;
    }
    rc = TOK_OK;
out:
    tok_free(small_ids);
    sc_dispose(&sc);
    tok_free(pl.v);
    tok_buffer_dispose(&pl.arena);
    if (rc)
        tok_error_set(err, TOK_ENOMEM, "out of memory");
    return rc;
}

/* Counts every pair and fills the queue with one entry per pair, its list
 * the words containing it (Hugging Face's count_pairs). */
static int count_pairs(trainer *t)
{
    pair_table *pt = &t->pairs;
    if (pt_rehash(pt, 4096))
        return TOK_ENOMEM;
    /* The pair at each position, found once and read again below. */
    uint32_t *at = tok_malloc((t->nsym ? t->nsym : 1) * sizeof *at);
    uint32_t *mark = NULL, *fill = NULL;
    size_t *off = NULL;
    int rc = TOK_ENOMEM;
    if (!at)
        goto out;
    size_t k = 0;
    /* Pass A: the counts. */
    for (size_t w = 0; w < t->nsym; w += WHDR + t->sym[w + W_LEN]) {
        const uint32_t *s = t->sym + w + WHDR;
        int64_t c = (int64_t)word_count(t->sym + w);
        for (size_t i = 0; i + 1 < t->sym[w + W_LEN]; i++) {
            int64_t p = pt_get(pt, (uint64_t)s[i] << 32 | s[i + 1]);
            if (p < 0)
                goto out;
            at[k++] = (uint32_t)p;
            pt->v[p].count += c;
        }
    }
    /* Pass B: the number of words per pair in fill[] (mark[] holds the
     * last word seen, + 1, to count each word once); pass C: the lists,
     * each {n, words...} as an entry's words are, with fill[] as the
     * fill position. */
    mark = tok_calloc(pt->n, sizeof *mark);
    fill = tok_calloc(pt->n, sizeof *fill);
    off = tok_malloc((pt->n + 1) * sizeof *off);
    if (!mark || !fill || !off)
        goto out;
    k = 0;
    for (size_t w = 0; w < t->nsym; w += WHDR + t->sym[w + W_LEN]) {
        for (size_t i = 0; i + 1 < t->sym[w + W_LEN]; i++) {
            uint32_t p = at[k++];
            if (mark[p] != w + 1) {
                mark[p] = (uint32_t)w + 1;
                fill[p]++;
            }
        }
    }
    size_t total = 0;
    for (size_t p = 0; p < pt->n; p++) {
        off[p] = total;
        total += (size_t)fill[p] + 1;
        fill[p] = 0;
        mark[p] = 0;
    }
    off[pt->n] = total;
    t->initial_lists = tok_malloc((total ? total : 1) * sizeof(uint32_t));
    if (!t->initial_lists)
        goto out;
    train_advise_huge(t->initial_lists, total * sizeof(uint32_t));
    k = 0;
    for (size_t w = 0; w < t->nsym; w += WHDR + t->sym[w + W_LEN]) {
        for (size_t i = 0; i + 1 < t->sym[w + W_LEN]; i++) {
            uint32_t p = at[k++];
            if (mark[p] != w + 1) {
                mark[p] = (uint32_t)w + 1;
                t->initial_lists[off[p] + 1 + fill[p]++] = (uint32_t)w;
            }
        }
    }
    /* All cold: the first look at the top chooses the floor. */
    t->q.floor = UINT64_MAX;
    for (size_t p = 0; p < pt->n; p++) {
        uint32_t *list = t->initial_lists + off[p];
        list[0] = fill[p];
        if (pt->v[p].count <= 0)
            continue;
        qentry e;
        e.count = (uint64_t)pt->v[p].count;
        e.key = pt->v[p].key;
        e.seq = (uint32_t)t->seq++;
        e.pidx = (uint32_t)p;
        e.words = (uint64_t)(uintptr_t)list;
        if (q_add_cold(&t->q, &e))
            goto out;
    }
    rc = TOK_OK;
out:
    tok_free(at);
    tok_free(mark);
    tok_free(fill);
    tok_free(off);
    return rc;
}

/* The neighbour caches cover every id the vocabulary can reach. */
static int setup_caches(trainer *t)
{
    size_t n = t->cfg->vocab_size > t->vocab->count ? t->cfg->vocab_size
                                                     : t->vocab->count;
    t->ncache = n + 1;
    t->left = tok_calloc(t->ncache, sizeof *t->left);
    t->right = tok_calloc(t->ncache, sizeof *t->right);
    return t->left && t->right ? TOK_OK : TOK_ENOMEM;
}

/* Gives every long word its position index. */
static int setup_long_words(trainer *t)
{
    size_t limit = t->cfg->long_word ? t->cfg->long_word : LONG_WORD;
    size_t n = 0;
    for (size_t w = 0; w < t->nsym; w += WHDR + t->sym[w + W_LEN])
        n += t->sym[w + W_LEN] > limit;
    if (n == 0)
        return TOK_OK;
    t->longs = tok_calloc(n, sizeof *t->longs);
    if (!t->longs)
        return TOK_ENOMEM;
    for (size_t w = 0; w < t->nsym; w += WHDR + t->sym[w + W_LEN]) {
        uint32_t *h = t->sym + w;
        if (h[W_LEN] <= limit)
            continue;
        h[W_LONG] = (uint32_t)++t->nlongs;
        if (lw_init(&t->longs[t->nlongs - 1], h + WHDR, h[W_LEN]))
            return TOK_ENOMEM;
    }
    return TOK_OK;
}

/* Applies this merge's count changes, then pushes the pairs it created
 * (Hugging Face drains its where_to_update map into the queue). */
static int push_new_pairs(trainer *t)
{
    pair_table *pt = &t->pairs;
    for (size_t k = 0; k < t->ntouched; k++)
        pt->v[t->touched[k].pidx].count += t->touched[k].delta;
    for (size_t k = 0; k < t->ntouched; k++) {
        touched *d = &t->touched[k];
        uint32_t p = d->pidx;
        d->list = NULL;
        if (!d->nrec || pt->v[p].count <= 0)
            continue;
        qentry e;
        e.count = (uint64_t)pt->v[p].count;
        e.key = pt->v[p].key;
        e.seq = (uint32_t)t->seq++;
        e.pidx = p;
        if (d->nrec == 1) {
            e.words = ONE_WORD(d->last - 1);
        } else {
            /* Filled below, from the records. */
            d->list = pool_alloc(&t->lists, (size_t)d->nrec + 1);
            if (!d->list)
                return TOK_ENOMEM;
            d->list[0] = 0;
            e.words = (uint64_t)(uintptr_t)d->list;
        }
        if (q_add(&t->q, &e))
            return TOK_ENOMEM;
    }
    /* In visiting order, so each list is in the order of the list it came
     * from: increasing offsets, which the next visits read in passing. */
    for (size_t r = 0; r < t->nrec; r++) {
        uint32_t *list = t->touched[t->rec_pair[r]].list;
        if (list)
            list[++list[0]] = t->rec_word[r];
    }
    t->ntouched = 0;
    t->nrec = 0;
    return TOK_OK;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void report(trainer *t, uint64_t done, uint64_t total)
{
    if (!t->cfg->progress)
        return;
    tok_train_progress p = {TOK_TRAIN_MERGING, done, total};
    t->cfg->progress(t->cfg->progress_data, &p);
}

/* The token a merge makes: left + right, without right's prefix. */
static int32_t merged_token(trainer *t, uint32_t a, uint32_t b,
                            tok_buffer *buf)
{
    size_t la = 0, lb = 0;
    const char *sa = tok_vocab_str(t->vocab, (int32_t)a, &la);
    const char *sb = tok_vocab_str(t->vocab, (int32_t)b, &lb);
    const char *pre = t->cfg->prefix;
    size_t lp = pre ? strlen(pre) : 0;
    if (pre && lb >= lp && memcmp(sb, pre, lp) == 0) {
        sb += lp;
        lb -= lp;
    }
    buf->len = 0;
    if (tok_buffer_append(buf, sa, la) || tok_buffer_append(buf, sb, lb))
        return TOK_ENOMEM;
    int32_t id = tok_vocab_find(t->vocab, buf->data, buf->len);
    return id >= 0 ? id : tok_vocab_push(t->vocab, buf->data, buf->len);
}

static int merge_loop(trainer *t, tok_error *err)
{
    const tok_bpe_train_config *cfg = t->cfg;
    tok_buffer buf = TOK_BUFFER_INIT;
    uint64_t target = cfg->vocab_size > t->vocab->count
                          ? cfg->vocab_size - t->vocab->count : 0;
    uint64_t last = now_ms();
    size_t start = t->vocab->count;
    int rc = TOK_OK;
    while (t->vocab->count < cfg->vocab_size) {
        qentry *head = q_top(&t->q, &rc);
        if (!head)
            break;
        uint64_t cur = (uint64_t)t->pairs.v[head->pidx].count;
        if (head->count != cur) {
            /* Out of date: back in the queue with the current count, as
             * Hugging Face pushes it back (here without leaving the
             * heap when it still belongs there). */
            head->count = cur;
            head->seq = (uint32_t)t->seq++;
            if (cur >= t->q.floor) {
                q_sift_down(&t->q, 0);
            } else {
                qentry e = q_pop(&t->q);
                if ((rc = q_add_cold(&t->q, &e)) != TOK_OK)
                    break;
            }
            continue;
        }
        qentry top = q_pop(&t->q);
        if (top.count < 1 || cfg->min_frequency > top.count)
            break;
        uint32_t a = (uint32_t)(top.key >> 32), b = (uint32_t)top.key;
        int32_t nid = merged_token(t, a, b, &buf);
        if (nid < 0 || TRAIN_GROW(t->merges, t->mergecap, t->nmerges + 1)) {
            rc = TOK_ENOMEM;
            break;
        }
        t->merges[t->nmerges].left = (int32_t)a;
        t->merges[t->nmerges].right = (int32_t)b;
        t->merges[t->nmerges].result = nid;
        t->nmerges++;
        t->iter++;
        if (top.words & 1) {
            rc = merge_word(t, (uint32_t)(top.words >> 1), a, b,
                            (uint32_t)nid);
        } else {
            const uint32_t *list = entry_list(&top);
            uint32_t n = list[0];
            for (uint32_t i = 1; i <= n && rc == TOK_OK; i++) {
                /* Words are scattered: fetch ahead. */
                if (i + 8 <= n)
                    PREFETCH(t->sym + list[i + 8]);
                rc = merge_word(t, list[i], a, b, (uint32_t)nid);
                if (rc == TOK_OK && t->nnbs >= NB_BATCH)
                    rc = count_neighbours(t, a, b, (uint32_t)nid);
            }
        }
        if (rc == TOK_OK)
            rc = count_neighbours(t, a, b, (uint32_t)nid);
        if (rc || (rc = push_new_pairs(t)) != TOK_OK)
            break;
        if (cfg->progress && (t->nmerges & 63) == 0) {
            uint64_t now = now_ms();
            if (now - last >= 200) {
                last = now;
                report(t, t->vocab->count - start, target);
            }
        }
    }
    tok_buffer_dispose(&buf);
    if (rc)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    report(t, target, target);
    return TOK_OK;
}

/* Hugging Face keeps merges in a map from pair to (rank, id), so a pair
 * merged twice keeps its last rank; the list is written in rank order. */
static int final_merges(trainer *t, tok_bpe_train_result *out)
{
    pair_table *pt = &t->pairs;
    uint8_t *mark = tok_calloc(pt->n, 1);
    if (!mark)
        return TOK_ENOMEM;
    size_t keep = 0;
    for (size_t i = t->nmerges; i-- > 0;) {
        const tok_merge *m = &t->merges[i];
        int64_t p = pt_get(pt, (uint64_t)(uint32_t)m->left << 32 |
                                   (uint32_t)m->right);
        if (p < 0) {
            tok_free(mark);
            return TOK_ENOMEM;
        }
        if (mark[p])
            continue;
        mark[p] = 1;
        keep++;
    }
    out->merges = tok_malloc((keep ? keep : 1) * sizeof *out->merges);
    if (!out->merges) {
        tok_free(mark);
        return TOK_ENOMEM;
    }
    size_t k = keep;
    for (size_t i = t->nmerges; i-- > 0;) {
        const tok_merge *m = &t->merges[i];
        int64_t p = pt_get(pt, (uint64_t)(uint32_t)m->left << 32 |
                                   (uint32_t)m->right);
        if (mark[p] != 1)
            continue;
        mark[p] = 2;
        out->merges[--k] = *m;
    }
    out->nmerges = keep;
    tok_free(mark);
    return TOK_OK;
}

void tok_bpe_train_result_dispose(tok_bpe_train_result *r)
{
    tok_vocab_dispose(&r->vocab);
    tok_free(r->merges);
    r->merges = NULL;
    r->nmerges = 0;
}

int tok_bpe_train(const tok_word_counts *wc, const tok_bpe_train_config *cfg,
                  tok_bpe_train_result *out, tok_error *err)
{
    memset(out, 0, sizeof *out);
    tok_vocab_init(&out->vocab);
    trainer t;
    memset(&t, 0, sizeof t);
    t.cfg = cfg;
    t.vocab = &out->vocab;
    int rc = add_specials(&t, err);
    if (!rc)
        rc = add_alphabet(&t, wc, err);
    if (!rc)
        rc = tokenize_words(&t, wc, err);
    if (!rc) {
        out->initial_size = t.vocab->count;
        if (out->initial_size > cfg->vocab_size)
            rc = tok_error_set(err, TOK_EINVAL,
                               "vocabulary size %zu is smaller than the "
                               "starting vocabulary: %zu special tokens "
                               "and alphabet entries (raise the vocabulary "
                               "size or limit the alphabet)",
                               cfg->vocab_size, out->initial_size);
    }
    if (!rc && cfg->release_counts)
        tok_wc_dispose(cfg->release_counts);
    if (!rc && (setup_long_words(&t) || count_pairs(&t) ||
                setup_caches(&t)))
        rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
    if (!rc)
        rc = merge_loop(&t, err);
    if (!rc && final_merges(&t, out))
        rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_free(t.sym);
    tok_free(t.lens);
    pt_dispose(&t.pairs);
    q_dispose(&t.q);
    tok_free(t.rec_word);
    tok_free(t.rec_pair);
    tok_free(t.touched);
    tok_free(t.initial_lists);
    pool_dispose(t.lists);
    tok_free(t.merges);
    tok_free(t.left);
    tok_free(t.right);
    tok_free(t.nbs);
    for (size_t i = 0; i < t.nlongs; i++)
        lw_dispose(&t.longs[i]);
    tok_free(t.longs);
    if (rc)
        tok_bpe_train_result_dispose(out);
    return rc;
}
