/* bpe: the model stage for byte-pair encoding, which splits one
 * pre-tokenized word into vocabulary pieces exactly as Hugging Face's BPE
 * model does (initial symbols, unknown characters, merge order). */
#include <stdatomic.h>
#include <string.h>

#include "bytelevel.h"
#include "model.h"
#include "utf8.h"

/* ------------------------------------------------------------------------
 * Lookup structures, built once and shared by all threads
 * ------------------------------------------------------------------------ */

/* The pair -> merge table packs one merge in 64 bits: from the top, left
 * id, right id, rank and -- when the bits suffice (GPT-2: 16 + 16 + 16 +
 * 16) -- the id the merge makes, so GPT-2's 50,000 merges take 1 MiB
 * (cache misses on this table are most of the cost of a merge) and a
 * merge needs no second look-up for its result.  A pair listed twice
 * keeps the later rank, as Hugging Face's HashMap does. */
#define BPE_EMPTY UINT64_MAX
#define BPE_NONE UINT32_MAX

/* Code points below this get a direct char -> id table; the byte-level
 * alphabet ends at U+0143, so GPT-2 style words never leave the tables. */
#define BPE_TAB_CHARS 0x800u

/* The four spellings of a character: bit 0 adds the continuing-subword
 * prefix (not the first char), bit 1 the end-of-word suffix (the last). */
enum { BPE_PREFIX = 1, BPE_SUFFIX = 2 };

typedef struct bpe_impl {
    uint64_t *slots;                /* (left, right, rank) or BPE_EMPTY */
    size_t mask;
    unsigned shift;                 /* 64 - log2(number of slots) */
    unsigned id_bits;               /* bits of each id in a slot */
    unsigned rank_bits;             /* bits of the rank */
    unsigned res_bits;              /* the lowest bits: the result, or 0 */
    unsigned low_bits;              /* rank_bits + res_bits */
    int32_t *results;               /* rank -> the id the merge makes */
    int32_t *tab[4];                /* variant -> [BPE_TAB_CHARS] ids */
    int32_t *tab_mem;
    int32_t byte_id[256];           /* id of "<0xXX>", -1 when absent */
    /* The id of each byte's byte-level character, when all 256 are
     * tokens and nothing else decides a character's symbol (no affixes,
     * no ignore_merges): then raw bytes are symbols directly. */
    int32_t raw_id[256];
    bool raw_ok;
    /* With raw_ok and 32-bit low bits: the low bits (or UINT32_MAX) of the
     * pair of the characters of bytes a, b at [a << 8 | b], so a raw
     * word's first pairs need no hashing. */
    uint32_t *byte_pairs;
    const char *prefix, *suffix;    /* "" when none */
    size_t plen, slen;
    bool affixed;                   /* plen or slen */
    /* The options as they were at build, so a model changed later
     * behaves as built until it is built again. */
    bool has_unk, fuse_unk, byte_fallback, ignore_merges;
    int32_t unk_id;
    uint64_t stamp;                 /* tells one build from another */
    /* No two merges give the same token, so a queued merge can only be
     * stale by rank: short words may then take the simple scan. */
    bool distinct_results;
    bool queue_only;                /* test hook: always use the queue */
} bpe_impl;

static inline uint64_t pair_key(const bpe_impl *b, int32_t left,
                                int32_t right)
{
    return (((uint64_t)(uint32_t)left << b->id_bits) | (uint32_t)right)
           << b->low_bits;
}

/* The low bits of the slot of (left, right) -- rank, then result when
 * kept -- or BPE_NONE64: ordered by rank, as the merge order wants. */
#define BPE_NONE64 UINT64_MAX
static inline uint64_t merge_low(const bpe_impl *b, int32_t left,
                                 int32_t right)
{
    uint64_t key = pair_key(b, left, right);
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> b->shift);
    for (;;) {
        uint64_t v = b->slots[i];
        if (v == BPE_EMPTY)
            return BPE_NONE64;
        if (((v ^ key) >> b->low_bits) == 0)
            return v & ((UINT64_C(1) << b->low_bits) - 1);
        i = (i + 1) & b->mask;
    }
}

/* The rank of the merge of (left, right), or BPE_NONE. */
static inline uint32_t merge_rank(const bpe_impl *b, int32_t left,
                                  int32_t right)
{
    uint64_t key = pair_key(b, left, right);
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> b->shift);
    for (;;) {
        uint64_t v = b->slots[i];
        if (v == BPE_EMPTY)
            return BPE_NONE;
        if (((v ^ key) >> b->low_bits) == 0)
            return (uint32_t)((v >> b->res_bits) &
                              ((UINT64_C(1) << b->rank_bits) - 1));
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
    tok_free(b->results);
    tok_free(b->tab_mem);
    tok_free(b->byte_pairs);
    tok_free(b);
    m->impl = NULL;
}

static int build_merges(tok_model *m, bpe_impl *b, tok_error *err)
{
    unsigned id_bits = 1;
    while (((size_t)1 << id_bits) < m->vocab.size)
        id_bits++;
    /* Ranks stay below the all-ones rank, so no slot equals BPE_EMPTY. */
    unsigned rank_bits = 1;
    while (rank_bits < 32 &&
           ((uint64_t)1 << rank_bits) - 1 <= (uint64_t)m->nmerges)
        rank_bits++;
    if (2 * id_bits > 48 || 2 * id_bits + rank_bits > 64 ||
        m->nmerges >= (((uint64_t)1 << rank_bits) - 1))
        return tok_error_set(err, TOK_EUNSUPPORTED,
                             "BPE: %zu ids and %zu merges are too many",
                             m->vocab.size, m->nmerges);
    b->id_bits = id_bits;
    b->rank_bits = rank_bits;
    b->res_bits = 3 * id_bits + rank_bits <= 64 ? id_bits : 0;
    b->low_bits = rank_bits + b->res_bits;
    b->results = tok_malloc((m->nmerges ? m->nmerges : 1) *
                            sizeof *b->results);
    if (!b->results)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (size_t r = 0; r < m->nmerges; r++)
        b->results[r] = m->merges[r].result;

    size_t nslots = 16;
    unsigned bits = 4;
    while (nslots < m->nmerges * 2) {
        nslots *= 2;
        bits++;
    }
    b->slots = tok_malloc(nslots * sizeof *b->slots);
    if (!b->slots)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    memset(b->slots, 0xff, nslots * sizeof *b->slots);
    b->mask = nslots - 1;
    b->shift = 64 - bits;
    for (size_t r = 0; r < m->nmerges; r++) {
        const tok_merge *mg = &m->merges[r];
        if (!tok_vocab_str(&m->vocab, mg->left, NULL) ||
            !tok_vocab_str(&m->vocab, mg->right, NULL) ||
            !tok_vocab_str(&m->vocab, mg->result, NULL))
            return tok_error_set(err, TOK_EFORMAT,
                                 "BPE: merge %zu uses an id outside the "
                                 "vocabulary", r);
        uint64_t key = pair_key(b, mg->left, mg->right);
        size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> b->shift);
        while (b->slots[i] != BPE_EMPTY &&
               ((b->slots[i] ^ key) >> b->low_bits) != 0)
            i = (i + 1) & b->mask;
        b->slots[i] = key | (uint64_t)r << b->res_bits |
                      (b->res_bits ? (uint64_t)(uint32_t)mg->result : 0);
    }

    /* One bit per id: has a merge already produced it? */
    size_t nwords = (m->vocab.size + 63) / 64;
    uint64_t *seen = tok_calloc(nwords ? nwords : 1, sizeof *seen);
    if (!seen)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    b->distinct_results = true;
    for (size_t r = 0; r < m->nmerges && b->distinct_results; r++) {
        const tok_merge *mg = &m->merges[r];
        if (merge_rank(b, mg->left, mg->right) != r)
            continue;           /* a pair listed again later */
        size_t id = (size_t)mg->result;
        uint64_t bit = (uint64_t)1 << (id % 64);
        b->distinct_results = !(seen[id / 64] & bit);
        seen[id / 64] |= bit;
    }
    tok_free(seen);
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
    b->raw_ok = !b->affixed && !b->ignore_merges;
    for (int i = 0; i < 256; i++) {
        b->raw_id[i] = b->tab[0][tok_bytelevel_char((unsigned char)i)];
        b->raw_ok &= b->raw_id[i] >= 0;
    }
    if (b->raw_ok && b->low_bits <= 32) {
        b->byte_pairs = tok_malloc(65536 * sizeof *b->byte_pairs);
        if (!b->byte_pairs)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        for (size_t k = 0; k < 65536; k++) {
            uint64_t low = merge_low(b, b->raw_id[k >> 8], b->raw_id[k & 255]);
            b->byte_pairs[k] = low == BPE_NONE64 ? UINT32_MAX : (uint32_t)low;
        }
    }
    return TOK_OK;
}

/* Each build gets a new stamp; a scratch made under another stamp
 * resizes its look-up buffer first. */
static atomic_uint_fast64_t build_stamps;

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
    b->affixed = b->plen || b->slen;
    b->has_unk = m->unk_token != NULL;
    b->unk_id = m->unk_id;
    b->fuse_unk = m->fuse_unk;
    b->byte_fallback = m->byte_fallback;
    b->ignore_merges = m->ignore_merges;
    b->stamp = atomic_fetch_add(&build_stamps, 1) + 1;
    int rc = build_merges(m, b, err);
    if (rc == TOK_OK)
        rc = build_tables(m, b, err);
    if (rc != TOK_OK)
        bpe_free_impl(m);
    return rc;
}

/* ------------------------------------------------------------------------
 * Per-thread scratch: symbol list, merge queue and buffers
 * ------------------------------------------------------------------------ */

/* A symbol of the word being merged; the list is doubly linked through
 * indexes so a merge is O(1).  id < 0 marks a symbol merged away. */
typedef struct bpe_sym {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t len;       /* bytes of the word it covers */
    uint32_t rank;      /* of the pair (this, next); the queue's only */
} bpe_sym;

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
    uint64_t stamp;     /* the build buf was sized for */
} bpe_scratch;

static void bpe_scratch_free(void *p)
{
    bpe_scratch *s = p;
    if (!s)
        return;
    tok_free(s->syms);
    tok_free(s->heap);
    tok_free(s->buf);
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
    s->stamp = b ? b->stamp : 0;
    if (!s->buf) {
        bpe_scratch_free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------------
 * The merge queue: a 4-ary min-heap of (rank, position) packed in one
 * integer, so the lowest rank comes first and, on a tie, the leftmost
 * pair (positions only grow along the list).  Four children share half a
 * cache line, and the tree is half as deep as a binary one: on megabyte
 * words the queue's cache misses are most of the time.
 * ------------------------------------------------------------------------ */

static int heap_push(bpe_scratch *s, uint64_t v)
{
    if (TOK_UNLIKELY(s->heap_len == s->heap_cap) &&
        TOK_GROW(s->heap, s->heap_cap, s->heap_len + 1))
        return TOK_ENOMEM;
    uint64_t *h = s->heap;
    size_t i = s->heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
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
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t best = c;
        size_t end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            best = h[k] < h[best] ? k : best;
        if (v <= h[best])
            break;
        h[i] = h[best];
        i = best;
    }
    if (n)
        h[i] = v;
    return top;
}

/* ------------------------------------------------------------------------
 * Tokenizing one word
 * ------------------------------------------------------------------------ */

/* Symbols are written as a plain array; merge_all links them itself. */
static inline void add_sym(bpe_sym *syms, size_t *n, int32_t id,
                           uint32_t len)
{
    size_t i = (*n)++;
    syms[i].id = id;
    syms[i].len = len;
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
        int variant = b->affixed ? (pos > 0 ? BPE_PREFIX : 0) |
                                   (pos + clen == len ? BPE_SUFFIX : 0)
                                 : 0;
        int32_t id = valid && cp < BPE_TAB_CHARS
            ? b->tab[variant][cp]
            : find_affixed(m, b, word + pos, clen, variant, s->buf);
        if (TOK_LIKELY(id >= 0)) {
            if (have_unk) {
                add_sym(syms, &n, b->unk_id, unk_len);
                have_unk = false;
            }
            add_sym(syms, &n, id, (uint32_t)clen);
            pos += clen;
            continue;
        }
        if (b->byte_fallback) {
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
        if (b->has_unk) {
            if (b->unk_id < 0)
                return TOK_EFORMAT;     /* as Hugging Face: unk not in vocab */
            if (have_unk && b->fuse_unk) {
                unk_len += (uint32_t)clen;
            } else {
                if (have_unk)
                    add_sym(syms, &n, b->unk_id, unk_len);
                have_unk = true;
                unk_len = (uint32_t)clen;
            }
        }
        pos += clen;
    }
    if (have_unk)
        add_sym(syms, &n, b->unk_id, unk_len);
    *nsyms = n;
    return TOK_OK;
}

static inline int queue_pair(bpe_scratch *s, uint32_t rank, size_t pos)
{
    if (rank == BPE_NONE)
        return TOK_OK;
    return heap_push(s, ((uint64_t)rank << 32) | pos);
}

/* Hugging Face's merge_all: every adjacent pair with a merge goes in the
 * queue; the lowest (rank, position) is applied unless it went stale.  An
 * entry is stale when its left symbol was merged away or is last, or when
 * the pair now there does not produce the entry's result; like Hugging
 * Face we compare results, not ranks, so a different pair that yields the
 * same token is merged at the entry's rank.  Each merge queues at most
 * two new pairs, so the work is O(n log n) whatever the word. */
static int merge_all(const bpe_impl *b, bpe_scratch *s, size_t n)
{
    bpe_sym *sy = s->syms;
    s->heap_len = 0;
    /* sy[i].rank follows the pair (i, next) as it changes, so checking an
     * entry needs no look-up. */
    for (size_t i = 0; i < n; i++) {
        sy[i].prev = (int32_t)i - 1;
        sy[i].next = i + 1 < n ? (int32_t)i + 1 : -1;
    }
    sy[n - 1].rank = BPE_NONE;
    for (size_t i = 0; i + 1 < n; i++) {
        sy[i].rank = merge_rank(b, sy[i].id, sy[i + 1].id);
        if (queue_pair(s, sy[i].rank, i))
            return TOK_ENOMEM;
    }
    while (s->heap_len) {
        uint64_t top = heap_pop(s);
        uint32_t rank = (uint32_t)(top >> 32);
        int32_t p = (int32_t)(uint32_t)top;
        uint32_t now = sy[p].rank;
        if (sy[p].id < 0 || now == BPE_NONE)
            continue;
        int32_t result = b->results[rank];
        if (now != rank && b->results[now] != result)
            continue;
        int32_t q = sy[p].next;
        sy[p].id = result;
        sy[p].len += sy[q].len;
        sy[p].next = sy[q].next;
        sy[q].id = -1;
        sy[p].rank = BPE_NONE;
        if (sy[p].next >= 0) {
            int32_t r = sy[p].next;
            sy[r].prev = p;
            sy[p].rank = merge_rank(b, result, sy[r].id);
            if (queue_pair(s, sy[p].rank, (size_t)p))
                return TOK_ENOMEM;
        }
        if (sy[p].prev >= 0) {
            int32_t l = sy[p].prev;
            sy[l].rank = merge_rank(b, sy[l].id, result);
            if (queue_pair(s, sy[l].rank, (size_t)l))
                return TOK_ENOMEM;
        }
    }
    return TOK_OK;
}

/* Words of up to this many symbols merge by scanning an array of pair
 * ranks (no queue): for short words that is faster, and with distinct
 * merge results it picks the same merges as the queue. */
#define BPE_SMALL 32

/* Lowest rank first, leftmost on a tie.  Each pair is its slot's low
 * bits -- the rank, then the result when the table keeps it -- shifted
 * over its position, so the least value is the pair to merge and says
 * where it is. */
#define POS_BITS 5
static size_t merge_small(const bpe_impl *b, bpe_sym *sy, size_t n,
                          const unsigned char *raw)
{
    uint64_t pr[BPE_SMALL];
    for (size_t i = 0; i + 1 < n; i++) {
        uint64_t low;
        if (raw) {
            uint32_t v = b->byte_pairs[raw[i] << 8 | raw[i + 1]];
            low = v == UINT32_MAX ? BPE_NONE64 : v;
        } else {
            low = merge_low(b, sy[i].id, sy[i + 1].id);
        }
        pr[i] = low == BPE_NONE64 ? low : low << POS_BITS | i;
    }
    const uint64_t res_mask = (UINT64_C(1) << b->res_bits) - 1;
    while (n > 1) {
        /* Two running minimums: half the chain of dependent selects. */
        uint64_t b0 = BPE_NONE64, b1 = BPE_NONE64;
        size_t i = 0;
        for (; i + 2 < n; i += 2) {
            b0 = pr[i] < b0 ? pr[i] : b0;
            b1 = pr[i + 1] < b1 ? pr[i + 1] : b1;
        }
        if (i + 1 < n)
            b0 = pr[i] < b0 ? pr[i] : b0;
        uint64_t best = b0 < b1 ? b0 : b1;
        /* No merge left: every pair is a none, however moved down. */
        if (best >> 63)
            break;
        size_t at = (size_t)(best & ((1u << POS_BITS) - 1));
        uint64_t low = best >> POS_BITS;
        sy[at].id = b->res_bits ? (int32_t)(low & res_mask)
                                : b->results[low >> b->res_bits];
        sy[at].len += sy[at + 1].len;
        /* Drop symbol at+1 and pair at+1 (the pairs after it move down
         * one place); pairs at-1 and at are new.  Plain loops: the
         * arrays are short, a library call costs more. */
        for (size_t k = at + 1; k + 1 < n; k++)
            sy[k] = sy[k + 1];
        for (size_t k = at + 1; k + 2 < n; k++)
            pr[k] = pr[k + 1] - 1;
        n--;
        if (at > 0) {
            low = merge_low(b, sy[at - 1].id, sy[at].id);
            pr[at - 1] = low == BPE_NONE64 ? low : low << POS_BITS | (at - 1);
        }
        if (at + 1 < n) {
            low = merge_low(b, sy[at].id, sy[at + 1].id);
            pr[at] = low == BPE_NONE64 ? low : low << POS_BITS | at;
        }
    }
    return n;
}

static int merge_symbols(const bpe_impl *b, bpe_scratch *s, size_t n,
                         const unsigned char *raw, tok_pieces *out);

static int merge_word(const tok_model *m, const bpe_impl *b, bpe_scratch *s,
                      const char *word, size_t len, tok_pieces *out)
{
    size_t bound = len;
    if (b->byte_fallback)
        bound = len * (1 + b->plen) + b->slen;
    if (bound >= INT32_MAX)
        return TOK_EINVAL;
    if (bound > s->syms_cap && TOK_GROW(s->syms, s->syms_cap, bound))
        return TOK_ENOMEM;
    size_t n;
    int rc = initial_symbols(m, b, s, word, len, &n);
    if (rc != TOK_OK)
        return rc;
    return merge_symbols(b, s, n, NULL, out);
}

/* Merges the n symbols in s->syms and appends the pieces.  raw: the
 * bytes they were made from, one each (tokenize_bytes), or NULL. */
static int merge_symbols(const bpe_impl *b, bpe_scratch *s, size_t n,
                         const unsigned char *raw, tok_pieces *out)
{
    int rc;
    bpe_sym *sy = s->syms;
    size_t count = n;
    if (n > 1 && n <= BPE_SMALL && b->distinct_results && !b->queue_only) {
        count = merge_small(b, sy, n, b->byte_pairs ? raw : NULL);
    } else if (n > 1) {
        rc = merge_all(b, s, n);
        if (rc != TOK_OK)
            return rc;
        /* Gather the survivors at the front, in order. */
        count = 0;
        for (int32_t i = 0; i >= 0; i = sy[i].next)
            sy[count++] = sy[i];
    }

    size_t need = out->len + count;
    if (need > out->cap && TOK_GROW(out->v, out->cap, need))
        return TOK_ENOMEM;
    /* A word of unknown characters without an unk token leaves no
     * piece, and out->v may still be NULL: no pointer arithmetic then. */
    tok_piece *p = count ? out->v + out->len : NULL;
    uint32_t start = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t end = start + sy[i].len;
        p[i].id = sy[i].id;
        p[i].start = start;
        p[i].end = end;
        start = end;
    }
    out->len = need;
    if (s->syms_cap > BPE_KEEP_SYMS) {
        tok_free(s->syms);
        tok_free(s->heap);
        s->syms = NULL;
        s->heap = NULL;
        s->syms_cap = s->heap_cap = 0;
    }
    return TOK_OK;
}

/* Makes a scratch fit the model's current build: the look-up buffer
 * must hold its affixes. */
static int rebind(bpe_scratch *s, const bpe_impl *b)
{
    if (s->buf_cap < b->plen + b->slen + 4) {
        char *buf = tok_realloc(s->buf, b->plen + b->slen + 4);
        if (!buf)
            return TOK_ENOMEM;
        s->buf = buf;
        s->buf_cap = b->plen + b->slen + 4;
    }
    s->stamp = b->stamp;
    return TOK_OK;
}

/* With ignore_merges a word that is a token is that token, merges or
 * not (Hugging Face checks the word as it is, without affixes). */
static int word_pieces(const tok_model *m, const bpe_impl *b,
                       bpe_scratch *s, const char *word, size_t len,
                       tok_pieces *out)
{
    if (b->ignore_merges) {
        int32_t id = tok_vocab_find(&m->vocab, word, len);
        if (id >= 0)
            return tok_pieces_push(out, id, 0, (uint32_t)len);
    }
    return merge_word(m, b, s, word, len, out);
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
    bpe_scratch *s = scratch;
    if (!s) {
        /* No thread scratch: a one-off one, so the call still works. */
        s = bpe_scratch_new(m);
        if (!s)
            return TOK_ENOMEM;
        int rc = word_pieces(m, b, s, word, len, out);
        bpe_scratch_free(s);
        return rc;
    }
    if (TOK_UNLIKELY(s->stamp != b->stamp) && rebind(s, b))
        return TOK_ENOMEM;
    return word_pieces(m, b, s, word, len, out);
}

/* Raw bytes as symbols: each byte's character is a token of its own, so
 * its id is the symbol, one byte long. */
static int bytes_pieces(const bpe_impl *b, bpe_scratch *s, const char *raw,
                        size_t len, tok_pieces *out)
{
    if (len > s->syms_cap && TOK_GROW(s->syms, s->syms_cap, len))
        return TOK_ENOMEM;
    const unsigned char *u = (const unsigned char *)raw;
    bpe_sym *sy = s->syms;
    for (size_t i = 0; i < len; i++) {
        sy[i].id = b->raw_id[u[i]];
        sy[i].len = 1;
    }
    return merge_symbols(b, s, len, u, out);
}

static int bpe_tokenize_bytes(const tok_model *m, void *scratch,
                              const char *raw, size_t len, tok_pieces *out)
{
    const bpe_impl *b = m->impl;
    if (!b || !b->raw_ok)
        return TOK_EUNSUPPORTED;
    if (len == 0)
        return TOK_OK;
    if (len >= INT32_MAX)
        return TOK_EINVAL;
    bpe_scratch *s = scratch;
    if (!s) {
        s = bpe_scratch_new(m);
        if (!s)
            return TOK_ENOMEM;
        int rc = bytes_pieces(b, s, raw, len, out);
        bpe_scratch_free(s);
        return rc;
    }
    if (TOK_UNLIKELY(s->stamp != b->stamp) && rebind(s, b))
        return TOK_ENOMEM;
    return bytes_pieces(b, s, raw, len, out);
}

void tok_bpe_debug_queue_only(tok_model *m, bool on)
{
    bpe_impl *b = m->impl;
    if (b)
        b->queue_only = on;
}

const tok_model_ops tok_bpe_ops = {
    .name = "BPE",
    .tokenize = bpe_tokenize,
    .tokenize_bytes = bpe_tokenize_bytes,
    .scratch_new = bpe_scratch_new,
    .scratch_free = bpe_scratch_free,
    .build = bpe_build,
    .free_impl = bpe_free_impl,
};
