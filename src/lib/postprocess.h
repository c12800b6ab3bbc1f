/* postprocess: the post-processor stage, which adds the template's special
 * tokens around one or two encoded texts (TemplateProcessing,
 * BertProcessing, RobertaProcessing, ByteLevel, Sequence). */
#ifndef TOK_POSTPROCESS_H
#define TOK_POSTPROCESS_H

#include "common.h"

/* One element of a template: a special token or a sequence ($A or $B). */
typedef struct tok_template_piece {
    bool is_sequence;
    int sequence;          /* 0 for $A, 1 for $B */
    char *special;         /* the special token's name (key in specials) */
    uint32_t type_id;
    /* specials' entry of that name, once tok_postproc_resolve ran (NULL:
     * looked up by name at each encode) */
    const struct tok_template_special *resolved;
} tok_template_piece;

/* A special token of the template: its name and the ids/tokens it stands
 * for (usually one). */
typedef struct tok_template_special {
    char *name;
    int32_t *ids;
    char **tokens;
    size_t n;
} tok_template_special;

typedef enum tok_postproc_type {
    TOK_POST_TEMPLATE,
    TOK_POST_BERT,
    TOK_POST_ROBERTA,
    TOK_POST_BYTELEVEL,
    TOK_POST_SEQUENCE
} tok_postproc_type;

typedef struct tok_postproc {
    tok_postproc_type type;
    /* TEMPLATE */
    tok_template_piece *single;
    size_t nsingle;
    tok_template_piece *pair;
    size_t npair;
    tok_template_special *specials;  /* sorted by name, as the file has */
    size_t nspecials;
    /* BERT and ROBERTA: sep and cls token and id */
    char *sep_token, *cls_token;
    int32_t sep_id, cls_id;
    /* ROBERTA and BYTELEVEL */
    bool trim_offsets;
    bool add_prefix_space;
    bool use_regex;
    /* SEQUENCE */
    struct tok_postproc **items;
    size_t nitems;
} tok_postproc;

tok_postproc *tok_postproc_new(tok_postproc_type type);
void tok_postproc_free(tok_postproc *p);

/* Points each template piece at its special token's entry, so encoding
 * looks up no names.  Call once the post-processor is complete (the
 * tokenizer does, when it is finished). */
void tok_postproc_resolve(tok_postproc *p);

/* The token string the post-processor gives `id` (its template's
 * special tokens, BertProcessing's cls and sep), or NULL.  Hugging Face
 * shows these strings for the tokens the template adds, whatever the
 * vocabulary holds under the id. */
const char *tok_postproc_token(const tok_postproc *p, int32_t id);

/* The largest id the post-processor adds, or -1 when it adds none. */
int32_t tok_postproc_max_id(const tok_postproc *p);

/* Parses "[CLS] $A [SEP]" / "$A:0 [SEP]:1" template strings. */
int tok_template_parse(const char *s, tok_template_piece **out, size_t *n,
                       tok_error *err);

#endif
