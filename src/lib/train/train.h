/* train: the trainers' internal interface -- the word-count table the
 * corpus reader fills, the BPE merge loop every trainer runs, and the
 * pieces that turn its result into a tokenizer. */
#ifndef TOK_TRAIN_INTERNAL_H
#define TOK_TRAIN_INTERNAL_H

#include "common.h"
#include "model.h"
#include "tok_train.h"
#include "vocab.h"

/* ------------------------------------------------------------------------
 * Word counts: distinct pre-tokenized words and how often each was seen.
 * ------------------------------------------------------------------------ */

typedef struct tok_wc_entry {
    uint64_t hash;      /* tok_hash_bytes of the word */
    uint64_t count;
    uint64_t off;       /* into the arena */
    uint64_t head;      /* the first 8 bytes, zero-padded: most words are
                         * compared without touching the arena */
    uint32_t len;
} tok_wc_entry;

/* An open-addressing table over an arena of strings.  Entries are dense
 * (0..n-1) in insertion order; what the trainer computes does not depend
 * on that order, so tables filled by different threads in any order give
 * the same vocabulary. */
struct tok_word_counts {
    char *arena;
    size_t arena_len, arena_cap;
    tok_wc_entry *v;
    size_t n, cap;
    uint32_t *slots;    /* entry index, UINT32_MAX when empty */
    size_t nslots;      /* a power of two, at least twice n */
    uint64_t total;     /* sum of the counts */
};

void tok_wc_init(tok_word_counts *wc);
void tok_wc_dispose(tok_word_counts *wc);
/* Adds `count` to the word (which need not be valid UTF-8 here; callers
 * check), with its tok_hash_bytes already computed. */
int tok_wc_add_hashed(tok_word_counts *wc, const char *s, size_t len,
                      uint64_t hash, uint64_t count);
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
