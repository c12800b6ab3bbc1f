/* bpe: the model stage for byte-pair encoding, which splits one
 * pre-tokenized word into vocabulary pieces exactly as Hugging Face's BPE
 * model does (initial symbols, unknown characters, merge order). */
#include <string.h>

#include "model.h"
#include "utf8.h"

/* ------------------------------------------------------------------------
 * Lookup structures, built once and shared by all threads
 * ------------------------------------------------------------------------ */

/* One entry of the pair -> merge table.  A pair that appears twice in the
 * merges keeps the later rank and result, as Hugging Face's HashMap does. */
typedef struct bpe_slot {
    uint64_t key;       /* (left << 32) | right; BPE_EMPTY when free */
    uint32_t rank;
    int32_t result;
} bpe_slot;

#define BPE_EMPTY UINT64_MAX

/* Code points below this get a direct char -> id table; the byte-level
 * alphabet ends at U+0143, so GPT-2 style words never leave the tables. */
#define BPE_TAB_CHARS 0x800u

/* The four spellings of a character: bit 0 adds the continuing-subword
 * prefix (not the first char), bit 1 the end-of-word suffix (the last). */
enum { BPE_PREFIX = 1, BPE_SUFFIX = 2 };

typedef struct bpe_impl {
    bpe_slot *slots;
    size_t mask;
    unsigned shift;                 /* 64 - log2(number of slots) */
    int32_t *tab[4];                /* variant -> [BPE_TAB_CHARS] ids */
    int32_t *tab_mem;
    int32_t byte_id[256];           /* id of "<0xXX>", -1 when absent */
    const char *prefix, *suffix;    /* "" when none */
    size_t plen, slen;
} bpe_impl;

static inline uint64_t pair_key(int32_t left, int32_t right)
{
    return ((uint64_t)(uint32_t)left << 32) | (uint32_t)right;
}

static inline const bpe_slot *find_merge(const bpe_impl *b, int32_t left,
                                         int32_t right)
{
    uint64_t key = pair_key(left, right);
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> b->shift);
    for (;;) {
        const bpe_slot *s = &b->slots[i];
        if (s->key == key)
            return s;
        if (s->key == BPE_EMPTY)
            return NULL;
        i = (i + 1) & b->mask;
    }
}

/* Looks up prefix + s + suffix (as the variant asks) in the vocabulary. */
static int32_t find_affixed(const tok_model *m, const bpe_impl *b,
                            const char *s, size_t n, int variant, char *buf)
{
    size_t len = 0;
    if (variant & BPE_PREFIX) {
        memcpy(buf, b->prefix, b->plen);
        len = b->plen;
    }
    memcpy(buf + len, s, n);
    len += n;
    if (variant & BPE_SUFFIX) {
        memcpy(buf + len, b->suffix, b->slen);
        len += b->slen;
    }
    return tok_vocab_find(&m->vocab, buf, len);
}

static void bpe_free_impl(tok_model *m)
{
    bpe_impl *b = m->impl;
    if (!b)
        return;
    tok_free(b->slots);
    tok_free(b->tab_mem);
    tok_free(b);
    m->impl = NULL;
}

static int build_merges(tok_model *m, bpe_impl *b, tok_error *err)
{
    size_t nslots = 16;
    unsigned bits = 4;
    while (nslots < m->nmerges * 2) {
        nslots *= 2;
        bits++;
    }
    b->slots = tok_malloc(nslots * sizeof *b->slots);
    if (!b->slots)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (size_t i = 0; i < nslots; i++)
        b->slots[i].key = BPE_EMPTY;
    b->mask = nslots - 1;
    b->shift = 64 - bits;
    if (m->nmerges > UINT32_MAX)
        return tok_error_set(err, TOK_EFORMAT, "BPE: too many merges");
    for (size_t r = 0; r < m->nmerges; r++) {
        const tok_merge *mg = &m->merges[r];
        if (!tok_vocab_str(&m->vocab, mg->left, NULL) ||
            !tok_vocab_str(&m->vocab, mg->right, NULL) ||
            !tok_vocab_str(&m->vocab, mg->result, NULL))
            return tok_error_set(err, TOK_EFORMAT,
                                 "BPE: merge %zu uses an id outside the "
                                 "vocabulary", r);
        uint64_t key = pair_key(mg->left, mg->right);
        size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> b->shift);
        while (b->slots[i].key != BPE_EMPTY && b->slots[i].key != key)
            i = (i + 1) & b->mask;
        b->slots[i].key = key;
        b->slots[i].rank = (uint32_t)r;
        b->slots[i].result = mg->result;
    }
    return TOK_OK;
}

static int build_tables(tok_model *m, bpe_impl *b, tok_error *err)
{
    /* Only the spellings that differ get a table of their own. */
    int nvar = 1 + (b->plen > 0) + (b->slen > 0) + (b->plen && b->slen);
    b->tab_mem = tok_malloc((size_t)nvar * BPE_TAB_CHARS * sizeof(int32_t));
    if (!b->tab_mem)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    int next = 0;
    for (int v = 0; v < 4; v++) {
        if (((v & BPE_PREFIX) && !b->plen) || ((v & BPE_SUFFIX) && !b->slen))
            continue;
        b->tab[v] = b->tab_mem + (size_t)next++ * BPE_TAB_CHARS;
    }
    b->tab[1] = b->tab[1] ? b->tab[1] : b->tab[0];
    b->tab[2] = b->tab[2] ? b->tab[2] : b->tab[0];
    b->tab[3] = b->tab[3] ? b->tab[3] : b->tab[b->plen ? 1 : (b->slen ? 2 : 0)];

    char *buf = tok_malloc(b->plen + b->slen + 4);
    if (!buf)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (int v = 0; v < 4; v++) {
        if (((v & BPE_PREFIX) && !b->plen) || ((v & BPE_SUFFIX) && !b->slen))
            continue;
        for (uint32_t cp = 0; cp < BPE_TAB_CHARS; cp++) {
            char u[4];
            size_t n = tok_utf8_encode(cp, u);
            b->tab[v][cp] = find_affixed(m, b, u, n, v, buf);
        }
    }
    tok_free(buf);

    for (int i = 0; i < 256; i++) {
        char name[8];
        static const char hex[] = "0123456789ABCDEF";
        memcpy(name, "<0x", 3);
        name[3] = hex[i >> 4];
        name[4] = hex[i & 15];
        name[5] = '>';
        b->byte_id[i] = tok_vocab_find(&m->vocab, name, 6);
    }
    return TOK_OK;
}

static int bpe_build(tok_model *m, tok_error *err)
{
    if (m->impl)
        bpe_free_impl(m);
    bpe_impl *b = tok_calloc(1, sizeof *b);
    if (!b)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    m->impl = b;
    b->prefix = m->continuing_subword_prefix ? m->continuing_subword_prefix
                                             : "";
    b->suffix = m->end_of_word_suffix ? m->end_of_word_suffix : "";
    b->plen = strlen(b->prefix);
    b->slen = strlen(b->suffix);
    int rc = build_merges(m, b, err);
    if (rc == TOK_OK)
        rc = build_tables(m, b, err);
    if (rc != TOK_OK)
        bpe_free_impl(m);
    return rc;
}

/* ------------------------------------------------------------------------
 * Per-thread scratch: symbol list, merge queue, buffers and word cache
 * ------------------------------------------------------------------------ */

/* A symbol of the word being merged; the list is doubly linked through
 * indexes so a merge is O(1).  id < 0 marks a symbol merged away. */
typedef struct bpe_sym {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t len;       /* bytes of the word it covers */
} bpe_sym;

/* The cache keeps words of up to CACHE_WORD bytes that split into at most
 * CACHE_PIECES pieces: that covers nearly all of natural text, whose
 * frequent words repeat, in one 64-byte line per entry.  It is
 * direct-mapped: a new word simply replaces the one in its slot. */
#define CACHE_WORD 28
#define CACHE_PIECES 6
#define CACHE_BITS 13

typedef struct bpe_cache_entry {
    uint32_t hash;
    uint8_t wlen;       /* 0: empty */
    uint8_t npieces;
    uint8_t ends[CACHE_PIECES];
    int32_t ids[CACHE_PIECES];
    char word[CACHE_WORD];
} bpe_cache_entry;

/* Above this many symbols the arrays are given back after the word, so a
 * single huge word does not pin its memory in the thread's scratch. */
#define BPE_KEEP_SYMS (1u << 16)

typedef struct bpe_scratch {
    bpe_sym *syms;
    size_t syms_cap;
    uint64_t *heap;     /* (rank << 32) | position: a min-heap */
    size_t heap_len, heap_cap;
    char *buf;          /* prefix + char + suffix for vocabulary look-ups */
    size_t buf_cap;
    bpe_cache_entry *cache;
} bpe_scratch;

static void bpe_scratch_free(void *p)
{
    bpe_scratch *s = p;
    if (!s)
        return;
    tok_free(s->syms);
    tok_free(s->heap);
    tok_free(s->buf);
    tok_free(s->cache);
    tok_free(s);
}

static void *bpe_scratch_new(const tok_model *m)
{
    const bpe_impl *b = m->impl;
    bpe_scratch *s = tok_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->buf_cap = (b ? b->plen + b->slen : 0) + 4;
    s->buf = tok_malloc(s->buf_cap);
    s->cache = tok_calloc((size_t)1 << CACHE_BITS, sizeof *s->cache);
    if (!s->buf || !s->cache) {
        bpe_scratch_free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------------
 * The merge queue: a binary min-heap of (rank, position) packed in one
 * integer, so the lowest rank comes first and, on a tie, the leftmost
 * pair (positions only grow along the list).
 * ------------------------------------------------------------------------ */

static int heap_push(bpe_scratch *s, uint64_t v)
{
    if (TOK_UNLIKELY(s->heap_len == s->heap_cap) &&
        TOK_GROW(s->heap, s->heap_cap, s->heap_len + 1))
        return TOK_ENOMEM;
    uint64_t *h = s->heap;
    size_t i = s->heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h[parent] <= v)
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = v;
    return TOK_OK;
}

static uint64_t heap_pop(bpe_scratch *s)
{
    uint64_t *h = s->heap;
    uint64_t top = h[0];
    uint64_t v = h[--s->heap_len];
    size_t n = s->heap_len, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1] < h[c])
            c++;
        if (v <= h[c])
            break;
        h[i] = h[c];
        i = c;
    }
    if (n)
        h[i] = v;
    return top;
}

/* ------------------------------------------------------------------------
 * Tokenizing one word
 * ------------------------------------------------------------------------ */

static inline void add_sym(bpe_sym *syms, size_t *n, int32_t id,
                           uint32_t len)
{
    size_t i = (*n)++;
    syms[i].id = id;
    syms[i].prev = (int32_t)i - 1;
    syms[i].next = -1;
    syms[i].len = len;
    if (i > 0)
        syms[i - 1].next = (int32_t)i;
}

/* Turns the word into its initial symbols the way Hugging Face's
 * merge_word does: each character spelled with its affixes; a character
 * missing from the vocabulary becomes its "<0xXX>" bytes (all of them
 * present, affixes included), else the unknown token (fused with a pending
 * one when fuse_unk), else nothing.  A pending unknown token is written
 * only when the next known character (or the end) comes, so byte-fallback
 * pieces met meanwhile go before it, as in Hugging Face. */
static int initial_symbols(const tok_model *m, const bpe_impl *b,
                           bpe_scratch *s, const char *word, size_t len,
                           size_t *nsyms)
{
    const unsigned char *u = (const unsigned char *)word;
    bpe_sym *syms = s->syms;
    size_t n = 0;
    bool have_unk = false;
    uint32_t unk_len = 0;
    size_t pos = 0;
    while (pos < len) {
        uint32_t cp;
        size_t clen = tok_utf8_decode(u, len, pos, &cp);
        bool valid = clen > 0;
        if (!valid)
            clen = 1;
        int variant = (pos > 0 ? BPE_PREFIX : 0) |
                      (pos + clen == len ? BPE_SUFFIX : 0);
        int32_t id = valid && cp < BPE_TAB_CHARS
            ? b->tab[variant][cp]
            : find_affixed(m, b, word + pos, clen, variant, s->buf);
        if (TOK_LIKELY(id >= 0)) {
            if (have_unk) {
                add_sym(syms, &n, m->unk_id, unk_len);
                have_unk = false;
            }
            add_sym(syms, &n, id, (uint32_t)clen);
            pos += clen;
            continue;
        }
        if (m->byte_fallback) {
            const unsigned char *pre = (const unsigned char *)b->prefix;
            const unsigned char *suf = (const unsigned char *)b->suffix;
            size_t np = variant & BPE_PREFIX ? b->plen : 0;
            size_t ns = variant & BPE_SUFFIX ? b->slen : 0;
            bool all = true;
            for (size_t i = 0; i < np && all; i++)
                all = b->byte_id[pre[i]] >= 0;
            for (size_t i = 0; i < clen && all; i++)
                all = b->byte_id[u[pos + i]] >= 0;
            for (size_t i = 0; i < ns && all; i++)
                all = b->byte_id[suf[i]] >= 0;
            if (all) {
                /* Hugging Face gives every byte piece, affix bytes too,
                 * one byte of the word, which can run past its end; here
                 * the affix bytes cover nothing so offsets stay inside. */
                for (size_t i = 0; i < np; i++)
                    add_sym(syms, &n, b->byte_id[pre[i]], 0);
                for (size_t i = 0; i < clen; i++)
                    add_sym(syms, &n, b->byte_id[u[pos + i]], 1);
                for (size_t i = 0; i < ns; i++)
                    add_sym(syms, &n, b->byte_id[suf[i]], 0);
                pos += clen;
                continue;
            }
        }
        if (m->unk_token) {
            if (m->unk_id < 0)
                return TOK_EFORMAT;     /* as Hugging Face: unk not in vocab */
            if (have_unk && m->fuse_unk) {
                unk_len += (uint32_t)clen;
            } else {
                if (have_unk)
                    add_sym(syms, &n, m->unk_id, unk_len);
                have_unk = true;
                unk_len = (uint32_t)clen;
            }
        }
        pos += clen;
    }
    if (have_unk)
        add_sym(syms, &n, m->unk_id, unk_len);
    *nsyms = n;
    return TOK_OK;
}

/* Hugging Face's merge_all: every adjacent pair with a merge goes in the
 * queue; the lowest (rank, position) is applied unless it went stale.  An
 * entry is stale when its left symbol was merged away or is last, or when
 * the pair now there does not produce the entry's result; like Hugging
 * Face we compare results, not ranks, so a different pair that yields the
 * same token is merged at the entry's rank.  Each merge queues at most
 * two new pairs, so the work is O(n log n) whatever the word. */
static int merge_all(const tok_model *m, const bpe_impl *b, bpe_scratch *s,
                     size_t n)
{
    bpe_sym *sy = s->syms;
    s->heap_len = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const bpe_slot *e = find_merge(b, sy[i].id, sy[i + 1].id);
        if (e && heap_push(s, ((uint64_t)e->rank << 32) | i))
            return TOK_ENOMEM;
    }
    while (s->heap_len) {
        uint64_t top = heap_pop(s);
        uint32_t rank = (uint32_t)(top >> 32);
        int32_t p = (int32_t)(uint32_t)top;
        if (sy[p].id < 0 || sy[p].next < 0)
            continue;
        int32_t q = sy[p].next;
        const bpe_slot *e = find_merge(b, sy[p].id, sy[q].id);
        if (!e)
            continue;
        int32_t result = e->result;
        if (e->rank != rank) {
            result = m->merges[rank].result;
            if (e->result != result)
                continue;
        }
        sy[p].id = result;
        sy[p].len += sy[q].len;
        sy[p].next = sy[q].next;
        sy[q].id = -1;
        if (sy[p].next >= 0)
            sy[sy[p].next].prev = p;
        if (sy[p].prev >= 0) {
            int32_t l = sy[p].prev;
            e = find_merge(b, sy[l].id, result);
            if (e && heap_push(s, ((uint64_t)e->rank << 32) | (uint32_t)l))
                return TOK_ENOMEM;
        }
        if (sy[p].next >= 0) {
            e = find_merge(b, result, sy[sy[p].next].id);
            if (e && heap_push(s, ((uint64_t)e->rank << 32) | (uint32_t)p))
                return TOK_ENOMEM;
        }
    }
    return TOK_OK;
}

static int push_cached(const bpe_cache_entry *c, tok_pieces *out)
{
    size_t need = out->len + c->npieces;
    if (need > out->cap && TOK_GROW(out->v, out->cap, need))
        return TOK_ENOMEM;
    uint32_t start = 0;
    tok_piece *p = out->v + out->len;
    for (size_t i = 0; i < c->npieces; i++) {
        p[i].id = c->ids[i];
        p[i].start = start;
        p[i].end = c->ends[i];
        start = c->ends[i];
    }
    out->len = need;
    return TOK_OK;
}

static int merge_word(const tok_model *m, const bpe_impl *b, bpe_scratch *s,
                      const char *word, size_t len, tok_pieces *out,
                      bpe_cache_entry *slot, uint32_t hash)
{
    size_t bound = len;
    if (m->byte_fallback)
        bound = len * (1 + b->plen) + b->slen;
    if (bound >= INT32_MAX)
        return TOK_EINVAL;
    if (bound > s->syms_cap && TOK_GROW(s->syms, s->syms_cap, bound))
        return TOK_ENOMEM;
    size_t n;
    int rc = initial_symbols(m, b, s, word, len, &n);
    if (rc == TOK_OK && n > 1)
        rc = merge_all(m, b, s, n);
    if (rc != TOK_OK)
        return rc;

    size_t count = 0;
    for (int32_t i = n ? 0 : -1; i >= 0; i = s->syms[i].next)
        count++;
    size_t need = out->len + count;
    if (need > out->cap && TOK_GROW(out->v, out->cap, need))
        return TOK_ENOMEM;
    tok_piece *p = out->v + out->len;
    uint32_t start = 0;
    for (int32_t i = n ? 0 : -1; i >= 0; i = s->syms[i].next) {
        uint32_t end = start + s->syms[i].len;
        p->id = s->syms[i].id;
        p->start = start;
        p->end = end;
        p++;
        start = end;
    }
    out->len = need;

    if (slot && count <= CACHE_PIECES) {
        slot->hash = hash;
        slot->wlen = (uint8_t)len;
        slot->npieces = (uint8_t)count;
        memcpy(slot->word, word, len);
        tok_piece *q = out->v + out->len - count;
        for (size_t i = 0; i < count; i++) {
            slot->ids[i] = q[i].id;
            slot->ends[i] = (uint8_t)q[i].end;
        }
    }
    if (s->syms_cap > BPE_KEEP_SYMS) {
        tok_free(s->syms);
        tok_free(s->heap);
        s->syms = NULL;
        s->heap = NULL;
        s->syms_cap = s->heap_cap = 0;
    }
    return TOK_OK;
}

static int bpe_tokenize(const tok_model *m, void *scratch, const char *word,
                        size_t len, tok_pieces *out)
{
    const bpe_impl *b = m->impl;
    if (!b)
        return TOK_EINVAL;
    if (len == 0)
        return TOK_OK;
    if (len > UINT32_MAX)
        return TOK_EINVAL;
    if (m->ignore_merges) {
        int32_t id = tok_vocab_find(&m->vocab, word, len);
        if (id >= 0)
            return tok_pieces_push(out, id, 0, (uint32_t)len);
    }
    bpe_scratch *s = scratch;
    if (!s) {
        /* No thread scratch: a one-off one, so the call still works. */
        s = bpe_scratch_new(m);
        if (!s)
            return TOK_ENOMEM;
        int rc = bpe_tokenize(m, s, word, len, out);
        bpe_scratch_free(s);
        return rc;
    }
    bpe_cache_entry *slot = NULL;
    uint32_t hash = 0;
    if (len <= CACHE_WORD) {
        uint64_t h = tok_hash_bytes(word, len);
        hash = (uint32_t)h;
        slot = &s->cache[(h >> 32) & ((1u << CACHE_BITS) - 1)];
        if (slot->hash == hash && slot->wlen == len &&
            memcmp(slot->word, word, len) == 0)
            return push_cached(slot, out);
    }
    return merge_word(m, b, s, word, len, out, slot, hash);
}

const tok_model_ops tok_bpe_ops = {
    .name = "BPE",
    .tokenize = bpe_tokenize,
    .scratch_new = bpe_scratch_new,
    .scratch_free = bpe_scratch_free,
    .build = bpe_build,
    .free_impl = bpe_free_impl,
};
