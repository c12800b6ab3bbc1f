/* encoding: the result object, which also carries one thread's scratch. */
#ifndef TOK_ENCODING_H
#define TOK_ENCODING_H

#include "model.h"
#include "normalize.h"
#include "pretokenize.h"

struct tok_encoding {
    /* The result: parallel arrays of len entries. */
    size_t len, cap;
    int32_t *ids;
    uint32_t *type_ids;
    tok_offset *offsets;
    uint8_t *special_mask;
    uint8_t *attention_mask;
    int8_t *sequence_ids;
    /* The tokenizer of the last encode: token strings are looked up on
     * demand, as the result holds only ids. */
    const struct tok_tokenizer *tk;

    /* Scratch, reused from call to call. */
    tok_normalized text, spare, base;
    tok_splits splits, next, segs;
    tok_pieces pieces;            /* the model's output for one word */
    tok_pieces seq[2];            /* tokens of text A and B, offsets in
                                   * the original input */
    tok_norm_scratch norm;
    bool no_lanes;                /* test hook: always the general way */
    bool wcache_crowd;            /* test hook: one set, one near place
                                   * (takes effect with a new tokenizer) */
    char *lane_text;              /* a lane's lowercased line */
    size_t lane_text_cap;
    char *lane_word;              /* a raw word in the byte-level alphabet */
    size_t lane_word_cap;
    uint32_t *char_index;         /* byte offset -> code point offset */
    size_t char_index_cap;
    struct tok_word_cache *wcache;  /* recent word -> pieces results */
    uint64_t scratch_owner;       /* uid of the tokenizer they belong to */
    void *model_scratch;
    void (*model_scratch_free)(void *);
};

/* Frees a word cache (encode.c; NULL is fine). */
void tok_word_cache_free(struct tok_word_cache *c);

/* Makes room for `need` tokens in the result arrays. */
int tok_encoding_reserve(tok_encoding *e, size_t need);

/* Post-processing (postprocess.c): composes the final encoding from the
 * tokens of text A (seq[0]) and, for pairs, text B (seq[1]); adds the
 * template's special tokens when add_special is set. */
int tok_postprocess(const tok_tokenizer *tk, tok_encoding *e, bool pair,
                    bool add_special);

#endif
