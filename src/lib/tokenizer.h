/* tokenizer: the tok_tokenizer object that holds every stage. */
#ifndef TOK_TOKENIZER_H
#define TOK_TOKENIZER_H

#include "added.h"
#include "decode.h"
#include "model.h"
#include "normalize.h"
#include "postprocess.h"
#include "pretokenize.h"

struct tok_tokenizer {
    tok_normalizer *normalizer;   /* each stage may be NULL */
    tok_pretok *pretok;
    tok_model *model;             /* never NULL once loaded */
    tok_postproc *postproc;
    tok_decoder *decoder;
    tok_added_vocab added;
    bool bytelevel;               /* the model sees byte-level text */
    /* Unique for the life of the process, so per-thread caches made for
     * one tokenizer are never used with another at the same address. */
    uint64_t uid;
    /* truncation and padding from the file ("null" when absent): kept
     * verbatim for the writer until they are implemented as options. */
    char *truncation_json;
    char *padding_json;
    /* The same, parsed at finish for encoding (truncate.c); the pad token
     * string is owned here. */
    bool has_truncation, has_padding;
    tok_truncation truncation;
    tok_padding padding;
    char *pad_token;
    /* Descriptions for tok_tokenizer_describe, made at load. */
    char *describe[5];
};

/* Allocates an empty tokenizer (no stages). */
tok_tokenizer *tok_tokenizer_new(void);
/* Finishes a tokenizer whose stages are set: builds the added-token
 * matcher, resolves ids, computes descriptions.  Called by every loader. */
int tok_tokenizer_finish(tok_tokenizer *tk, tok_error *err);

/* truncate.c: parses truncation_json and padding_json into the fields
 * above (called by tok_tokenizer_finish). */
int tok_tokenizer_parse_limits(tok_tokenizer *tk, tok_error *err);

#endif
