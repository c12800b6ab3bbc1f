/* components: constructors and destructors of the stage descriptions
 * (normalizers, pre-tokenizers, post-processors, decoders) and the small
 * growable lists the stages pass between them. */
#include <string.h>

#include "decode.h"
#include "model.h"
#include "normalize.h"
#include "postprocess.h"
#include "pretokenize.h"

tok_normalizer *tok_normalizer_new(tok_normalizer_type type)
{
    tok_normalizer *n = tok_calloc(1, sizeof *n);
    if (n)
        n->type = type;
    return n;
}

void tok_normalizer_free(tok_normalizer *n)
{
    if (!n)
        return;
    switch (n->type) {
    case TOK_NORM_REPLACE:
        tok_free(n->u.replace.pattern);
        tok_free(n->u.replace.content);
        break;
    case TOK_NORM_PREPEND:
        tok_free(n->u.prepend.prepend);
        break;
    case TOK_NORM_SEQUENCE:
        for (size_t i = 0; i < n->u.seq.n; i++)
            tok_normalizer_free(n->u.seq.items[i]);
        tok_free(n->u.seq.items);
        break;
    default:
        break;
    }
    tok_free(n);
}

tok_pretok *tok_pretok_new(tok_pretok_type type)
{
    tok_pretok *p = tok_calloc(1, sizeof *p);
    if (p)
        p->type = type;
    return p;
}

void tok_pretok_free(tok_pretok *p)
{
    if (!p)
        return;
    if (p->type == TOK_PT_SPLIT)
        tok_free(p->u.split.pattern);
    if (p->type == TOK_PT_SEQUENCE) {
        for (size_t i = 0; i < p->u.seq.n; i++)
            tok_pretok_free(p->u.seq.items[i]);
        tok_free(p->u.seq.items);
    }
    tok_free(p);
}

tok_postproc *tok_postproc_new(tok_postproc_type type)
{
    tok_postproc *p = tok_calloc(1, sizeof *p);
    if (p) {
        p->type = type;
        p->sep_id = p->cls_id = -1;
    }
    return p;
}

static void free_template(tok_template_piece *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tok_free(t[i].special);
    tok_free(t);
}

void tok_postproc_free(tok_postproc *p)
{
    if (!p)
        return;
    free_template(p->single, p->nsingle);
    free_template(p->pair, p->npair);
    for (size_t i = 0; i < p->nspecials; i++) {
        tok_template_special *s = &p->specials[i];
        tok_free(s->name);
        tok_free(s->ids);
        for (size_t j = 0; j < s->n; j++)
            tok_free(s->tokens[j]);
        tok_free(s->tokens);
    }
    tok_free(p->specials);
    tok_free(p->sep_token);
    tok_free(p->cls_token);
    for (size_t i = 0; i < p->nitems; i++)
        tok_postproc_free(p->items[i]);
    tok_free(p->items);
    tok_free(p);
}

tok_decoder *tok_decoder_new(tok_decoder_type type)
{
    tok_decoder *d = tok_calloc(1, sizeof *d);
    if (d)
        d->type = type;
    return d;
}

void tok_decoder_free(tok_decoder *d)
{
    if (!d)
        return;
    switch (d->type) {
    case TOK_DEC_WORDPIECE:
        tok_free(d->u.wordpiece.prefix);
        break;
    case TOK_DEC_BPE:
        tok_free(d->u.bpe.suffix);
        break;
    case TOK_DEC_STRIP:
        tok_free(d->u.strip.content);
        break;
    case TOK_DEC_REPLACE:
        tok_free(d->u.replace.pattern);
        tok_free(d->u.replace.content);
        break;
    case TOK_DEC_SEQUENCE:
        for (size_t i = 0; i < d->u.seq.n; i++)
            tok_decoder_free(d->u.seq.items[i]);
        tok_free(d->u.seq.items);
        break;
    default:
        break;
    }
    tok_free(d);
}

int tok_splits_push(tok_splits *s, uint32_t start, uint32_t end, int32_t id)
{
    if (TOK_UNLIKELY(s->len == s->cap) && TOK_GROW(s->v, s->cap, s->len + 1))
        return TOK_ENOMEM;
    s->v[s->len].start = start;
    s->v[s->len].end = end;
    s->v[s->len].id = id;
    s->len++;
    return TOK_OK;
}

void tok_splits_dispose(tok_splits *s)
{
    tok_free(s->v);
    s->v = NULL;
    s->len = s->cap = 0;
}

int tok_pieces_push(tok_pieces *p, int32_t id, uint32_t start, uint32_t end)
{
    if (TOK_UNLIKELY(p->len == p->cap) && TOK_GROW(p->v, p->cap, p->len + 1))
        return TOK_ENOMEM;
    p->v[p->len].id = id;
    p->v[p->len].start = start;
    p->v[p->len].end = end;
    p->len++;
    return TOK_OK;
}

void tok_strlist_dispose(tok_strlist *l)
{
    tok_free(l->data);
    tok_free(l->off);
    tok_free(l->len);
    memset(l, 0, sizeof *l);
}

int tok_strlist_push(tok_strlist *l, const char *s, size_t len)
{
    if (l->data_len + len + 1 > UINT32_MAX)
        return TOK_ENOMEM;
    if (TOK_GROW(l->data, l->data_cap, l->data_len + len + 1))
        return TOK_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap;
        if (TOK_GROW(l->off, cap, l->n + 1))
            return TOK_ENOMEM;
        uint32_t *lens = tok_realloc(l->len, cap * sizeof *lens);
        if (!lens)
            return TOK_ENOMEM;
        l->len = lens;
        l->cap = cap;
    }
    if (len)
        memcpy(l->data + l->data_len, s, len);
    l->off[l->n] = (uint32_t)l->data_len;
    l->len[l->n] = (uint32_t)len;
    l->n++;
    l->data_len += len;
    l->data[l->data_len] = '\0';
    return TOK_OK;
}

