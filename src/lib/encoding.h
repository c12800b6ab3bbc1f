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
    /* Truncation's scratch and overflowing windows (truncate.c); NULL
     * until a call truncates or pads. */
    struct tok_trunc_state *trunc;
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

/* Truncation and padding (truncate.c): the last step of an encode call,
 * in place of tok_postprocess -- truncates seq[0] (and seq[1]) as the
 * options or the tokenizer ask, runs tok_postprocess for the kept tokens
 * and for each overflowing window, then pads. */
int tok_encoding_finish(const tok_tokenizer *tk, tok_encoding *e, bool pair,
                        const tok_encode_options *o, tok_error *err);
/* Hugging Face 0.23 stops tokenizing a text once it has max_length
 * tokens, and decides the kept lengths of a pair from what it tokenized:
 * to decide the same, the pipeline notes where each pre-token's tokens end
 * when tok_trunc_tracking says truncation applies. */
/* The pad token string of the last padding (NULL: the pad id's own). */
const char *tok_trunc_pad_token(const tok_encoding *e);
bool tok_trunc_tracking(const tok_tokenizer *tk, const tok_encode_options *o,
                        tok_encoding *e, int which);
int tok_trunc_note_split(tok_encoding *e, int which, size_t end,
                         bool added);
/* Forgets the windows of the previous call (at the start of each call). */
void tok_encoding_reset_overflow(tok_encoding *e);
void tok_trunc_state_free(struct tok_trunc_state *t);

#endif
