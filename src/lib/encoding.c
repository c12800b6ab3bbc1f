/* encoding: the result object and its accessors. */
#include <string.h>

#include "encoding.h"
#include "tokenizer.h"

tok_encoding *tok_encoding_new(void)
{
    return tok_calloc(1, sizeof(tok_encoding));
}

void tok_encoding_free(tok_encoding *e)
{
    if (!e)
        return;
    tok_free(e->ids);
    tok_free(e->type_ids);
    tok_free(e->offsets);
    tok_free(e->special_mask);
    tok_free(e->attention_mask);
    tok_free(e->sequence_ids);
    tok_normalized_dispose(&e->text);
    tok_normalized_dispose(&e->spare);
    tok_normalized_dispose(&e->base);
    tok_splits_dispose(&e->splits);
    tok_splits_dispose(&e->next);
    tok_splits_dispose(&e->segs);
    tok_free(e->pieces.v);
    tok_free(e->seq[0].v);
    tok_free(e->seq[1].v);
    tok_norm_scratch_dispose(&e->norm);
    tok_free(e->char_index);
    tok_free(e->lane_text);
    tok_free(e->lane_word);
    tok_word_cache_free(e->wcache);
    if (e->model_scratch && e->model_scratch_free)
        e->model_scratch_free(e->model_scratch);
    tok_trunc_state_free(e->trunc);
    tok_free(e);
}

/* Grows one parallel array to the new capacity. */
#define GROW_TO(field, cap)                                               \
    do {                                                                  \
        void *p_ = tok_realloc(e->field, (cap) * sizeof(*e->field));      \
        if (!p_)                                                          \
            return TOK_ENOMEM;                                            \
        e->field = p_;                                                    \
    } while (0)

int tok_encoding_reserve(tok_encoding *e, size_t need)
{
    if (need <= e->cap)
        return TOK_OK;
    size_t cap = e->cap ? e->cap : 64;
    while (cap < need)
        cap *= 2;
    GROW_TO(ids, cap);
    GROW_TO(type_ids, cap);
    GROW_TO(offsets, cap);
    GROW_TO(special_mask, cap);
    GROW_TO(attention_mask, cap);
    GROW_TO(sequence_ids, cap);
    e->cap = cap;
    return TOK_OK;
}

size_t tok_encoding_len(const tok_encoding *e)
{
    return e->len;
}

const int32_t *tok_encoding_ids(const tok_encoding *e)
{
    return e->ids;
}

const uint32_t *tok_encoding_type_ids(const tok_encoding *e)
{
    return e->type_ids;
}

const tok_offset *tok_encoding_offsets(const tok_encoding *e)
{
    return e->offsets;
}

const uint8_t *tok_encoding_special_mask(const tok_encoding *e)
{
    return e->special_mask;
}

const uint8_t *tok_encoding_attention_mask(const tok_encoding *e)
{
    return e->attention_mask;
}

const int8_t *tok_encoding_sequence_ids(const tok_encoding *e)
{
    return e->sequence_ids;
}

/* Padding shows the pad token the options named, as Hugging Face does. */
static const char *pad_token_at(const tok_encoding *e, size_t i)
{
    return e->attention_mask[i] ? NULL : tok_trunc_pad_token(e);
}

/* The string of token i and its length: the pad token for padding, the
 * post-processor's string for a token its template added (no sequence),
 * else the model's entry, else the added token's (tok_id_to_token). */
static const char *token_at(const tok_encoding *e, size_t i, size_t *len)
{
    const char *s = pad_token_at(e, i);
    if (!s && e->sequence_ids[i] < 0)
        s = tok_postproc_token(e->tk->postproc, e->ids[i]);
    if (s) {
        *len = strlen(s);
        return s;
    }
    s = tok_vocab_str(&e->tk->model->vocab, e->ids[i], len);
    if (s)
        return s;
    const tok_added_token *a = tok_added_by_id(&e->tk->added, e->ids[i]);
    *len = a ? a->len : 0;
    return a ? a->content : NULL;
}

const char *tok_encoding_token(const tok_encoding *e, size_t i)
{
    size_t len;
    return i < e->len ? token_at(e, i, &len) : NULL;
}

size_t tok_encoding_token_len(const tok_encoding *e, size_t i)
{
    size_t len = 0;
    if (i < e->len)
        token_at(e, i, &len);
    return len;
}
