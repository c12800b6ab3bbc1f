/* model: the parameters every model type shares, and its life cycle. */
#include <string.h>

#include "model.h"

tok_model *tok_model_new(tok_model_type type)
{
    tok_model *m = tok_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->type = type;
    m->ops = type == TOK_MODEL_WORDPIECE ? &tok_wordpiece_ops : &tok_bpe_ops;
    m->unk_id = -1;
    m->max_input_chars_per_word = 100;
    tok_vocab_init(&m->vocab);
    return m;
}

int tok_model_build(tok_model *m, tok_error *err)
{
    m->unk_id = m->unk_token
        ? tok_vocab_find(&m->vocab, m->unk_token, strlen(m->unk_token))
        : -1;
    /* Ids may leave gaps (tiktoken's vocabularies do, before their
     * special tokens): a missing id is simply never produced, and decoding
     * it fails with TOK_ERANGE. */
    return m->ops->build ? m->ops->build(m, err) : TOK_OK;
}

void tok_model_free(tok_model *m)
{
    if (!m)
        return;
    if (m->impl && m->ops->free_impl)
        m->ops->free_impl(m);
    tok_vocab_dispose(&m->vocab);
    tok_free(m->unk_token);
    tok_free(m->continuing_subword_prefix);
    tok_free(m->end_of_word_suffix);
    tok_free(m->merges);
    tok_free(m);
}
