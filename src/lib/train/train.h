/* train: the trainers' internal interface -- the word-count table the
 * corpus reader fills, the BPE merge loop every trainer runs, and the
 * pieces that turn its result into a tokenizer. */
#ifndef TOK_TRAIN_INTERNAL_H
#define TOK_TRAIN_INTERNAL_H

#include <string.h>

#include "common.h"
#include "model.h"
#include "tok_train.h"
#include "vocab.h"

/* TOK_GROW for loops that add one element at a time: the common case,
 * room left, is decided without a call. */
#define TRAIN_GROW(ptr, cap, need) \
    ((need) <= (cap) ? TOK_OK : TOK_GROW(ptr, cap, need))

/* Asks for huge pages for a large array that is read at random (the word
 * and pair tables, the words): with 4 KiB pages nearly every access to
 * such an array also misses the TLB, and every page costs a fault.  Only
 * advice (madvise on Linux; nothing elsewhere). */
void train_advise_huge(void *p, size_t bytes);
/* tok_grow for those arrays, with the advice. */
int train_grow_huge(void **ptr, size_t *cap, size_t need, size_t size);

/* TRAIN_GROW for the arrays train_advise_huge is for. */
#define TRAIN_GROW_HUGE(ptr, cap, need) \
    ((need) <= (cap) ? TOK_OK \
                     : train_grow_huge((void **)&(ptr), &(cap), (need), \
                                       sizeof(*(ptr))))

/* ------------------------------------------------------------------------
 * Word counts: distinct pre-tokenized words and how often each was seen.
 * ------------------------------------------------------------------------ */

/* 32 bytes, in an array aligned to 64: a lookup touches one cache line. */
typedef struct tok_wc_entry {
    uint64_t head;      /* tok_wc_head: most words are compared without
                         * touching the arena */
    uint64_t count;
    uint64_t off;       /* into the arena */
    uint32_t hash;      /* the low half of tok_wc_hash, all the slot
                         * index ever uses (n < 2^31) */
    uint32_t len;
} tok_wc_entry;

/* An open-addressing table over an arena of strings.  Entries are dense
 * (0..n-1) in insertion order; what the trainer computes does not depend
 * on that order, so tables filled by different threads in any order give
 * the same vocabulary. */
struct tok_word_counts {
    char *arena;
    size_t arena_len, arena_cap;
    tok_wc_entry *v;    /* inside v_mem, aligned */
    void *v_mem;
    size_t n, cap;
    uint32_t *slots;    /* entry index, UINT32_MAX when empty */
    size_t nslots;      /* a power of two, at least twice n */
    uint64_t total;     /* sum of the counts */
};

void tok_wc_init(tok_word_counts *wc);
void tok_wc_dispose(tok_word_counts *wc);

static inline uint32_t tok_wc_load32(const unsigned char *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* The first 8 bytes of a word, zero-padded. */
static inline uint64_t tok_wc_head(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (len >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    if (len >= 4)       /* two overlapping loads, no loop */
        return tok_wc_load32(p) |
               (uint64_t)tok_wc_load32(p + len - 4) >> (8 * (8 - len))
                   << 32;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

/* The hash of a word in the table, given its head: words are short, and
 * a short word is its head and length. */
static inline uint64_t tok_wc_hash(const char *s, size_t len, uint64_t head)
{
    uint64_t h = head ^ (len * 0x9E3779B97F4A7C15ull);
    if (len > 8) {
        /* 8-byte steps, the last one overlapping the one before. */
        const unsigned char *p = (const unsigned char *)s + 8;
        for (size_t left = len - 8;; ) {
            h = (h ^ h >> 31) * 0xBF58476D1CE4E5B9ull;
            uint64_t x;
            if (left <= 8) {
                memcpy(&x, p + left - 8, 8);
                h ^= x;
                break;
            }
            memcpy(&x, p, 8);
            h ^= x;
            p += 8;
            left -= 8;
        }
    }
    h = (h ^ h >> 30) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ h >> 27) * 0x94D049BB133111EBull;
    return h ^ h >> 31;
}

/* Adds a word that is not in the table yet, or that needs the table to
 * grow first (the slow path of tok_wc_add). */
int tok_wc_insert(tok_word_counts *wc, const char *s, size_t len,
                  uint64_t hash, uint64_t head, uint64_t count);

/* Adds `count` to the word (which need not be valid UTF-8 here; callers
 * check).  Inline: counting calls it for every word of the corpus, and
 * nearly every word is already in the table. */
static inline int tok_wc_add(tok_word_counts *wc, const char *s, size_t len,
                             uint64_t count)
{
    uint64_t head = tok_wc_head(s, len);
    uint64_t hash = tok_wc_hash(s, len, head);
    if (TOK_LIKELY(wc->nslots != 0)) {
        size_t mask = wc->nslots - 1;
        for (size_t slot = (size_t)hash & mask;; slot = (slot + 1) & mask) {
            uint32_t i = wc->slots[slot];
            if (i == UINT32_MAX)
                break;
            tok_wc_entry *e = &wc->v[i];
            if (e->hash == (uint32_t)hash && e->len == len &&
                e->head == head &&
                (len <= 8 ||
                 memcmp(wc->arena + e->off + 8, s + 8, len - 8) == 0)) {
                e->count += count;
                wc->total += count;
                return TOK_OK;
            }
        }
    }
    return tok_wc_insert(wc, s, len, hash, head, count);
}

/* Adds every word of src to dst. */
int tok_wc_merge(tok_word_counts *dst, const tok_word_counts *src);
static inline const char *tok_wc_word(const tok_word_counts *wc, size_t i)
{
    return wc->arena + wc->v[i].off;
}

/* ------------------------------------------------------------------------
 * The BPE trainer (also WordPiece's: a BPE with "##" continuing prefix).
 * ------------------------------------------------------------------------ */

typedef struct tok_bpe_train_config {
    size_t vocab_size;
    uint64_t min_frequency;
    const char *const *specials;
    size_t nspecials;
    size_t limit_alphabet;          /* SIZE_MAX: no limit */
    const uint32_t *initial_alphabet;
    size_t ninitial;
    size_t max_token_length;        /* 0: no limit */
    const char *prefix;             /* continuing subword prefix, or NULL */
    const char *suffix;             /* end-of-word suffix, or NULL */
    /* For tests that reproduce a vocabulary made elsewhere: these tokens
     * (the prefixed/suffixed alphabet entries whose order Hugging Face
     * takes from a hash map) get their ids first, in this order; the
     * others follow in byte order.  NULL in normal use. */
    const char *const *decorated_order;
    size_t ndecorated_order;
    /* Words of more symbols than this are merged through a position index
     * instead of a scan.  0: the default (1024); tests set it to check that
     * both ways give the same result. */
    size_t long_word;
    /* When set (to the table being trained from, which the caller no
     * longer needs), its memory is released as soon as the words are
     * symbols, before merging needs its own. */
    tok_word_counts *release_counts;
    tok_train_progress_fn progress;
    void *progress_data;
} tok_bpe_train_config;

typedef struct tok_bpe_train_result {
    tok_vocab vocab;                /* ids 0..size-1, no holes */
    tok_merge *merges;              /* in rank order, each pair once */
    size_t nmerges;
    size_t initial_size;            /* specials + alphabet (+ decorated) */
} tok_bpe_train_result;

int tok_bpe_train(const tok_word_counts *wc, const tok_bpe_train_config *cfg,
                  tok_bpe_train_result *out, tok_error *err);
void tok_bpe_train_result_dispose(tok_bpe_train_result *r);

/* ------------------------------------------------------------------------
 * Reading a corpus: lines (with their line ending, as Hugging Face feeds
 * its trainers) through a normalizer and pre-tokenizer into counts.
 * ------------------------------------------------------------------------ */

struct tok_normalizer;
struct tok_pretok;

typedef struct tok_corpus_config {
    const struct tok_normalizer *normalizer;   /* may be NULL */
    const struct tok_pretok *pretok;           /* may be NULL */
    unsigned threads;                          /* at least 1 */
    tok_train_progress_fn progress;
    void *progress_data;
} tok_corpus_config;

/* Streams each file ("-" is standard input) in blocks and adds its words
 * to wc.  Invalid UTF-8 fails with TOK_EUTF8, naming the file, the line
 * and the byte offset in the file (err->line, err->offset); with several
 * threads the error reported is still the first one in the input. */
int tok_corpus_count(tok_word_counts *wc, const char *const *files,
                     size_t nfiles, const tok_corpus_config *cfg,
                     tok_error *err);

#endif
