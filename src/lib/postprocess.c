/* postprocess: templates that add special tokens around the encoded
 * texts, and ByteLevel offset trimming. */
#include <string.h>

#include "encoding.h"
#include "tokenizer.h"
#include "unicode.h"
#include "utf8.h"

int tok_template_parse(const char *s, tok_template_piece **out, size_t *n,
                       tok_error *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t wl = (size_t)(p - w);
        /* An optional ":type_id" suffix. */
        uint32_t type_id = 0;
        size_t name_len = wl;
        const char *colon = memchr(w, ':', wl);
        if (colon && colon + 1 < w + wl) {
            uint32_t v = 0;
            const char *d = colon + 1;
            while (d < w + wl && *d >= '0' && *d <= '9')
                v = v * 10 + (uint32_t)(*d++ - '0');
            if (d == w + wl) {
                type_id = v;
                name_len = (size_t)(colon - w);
            }
        }
        if (TOK_GROW(*out, cap, *n + 1))
            goto nomem;
        tok_template_piece *t = &(*out)[*n];
        memset(t, 0, sizeof *t);
        t->type_id = type_id;
        if (name_len == 2 && w[0] == '$' && (w[1] == 'A' || w[1] == 'B')) {
            t->is_sequence = true;
            t->sequence = w[1] == 'B';
        } else if (name_len == 1 && w[0] == '$') {
            t->is_sequence = true;
        } else if (name_len >= 2 && w[0] == '$' && w[1] >= '0' &&
                   w[1] <= '9') {
            /* "$0"/"$1" are a type id on sequence A. */
            t->is_sequence = true;
            t->type_id = (uint32_t)(w[1] - '0');
        } else {
            t->special = tok_strndup(w, name_len);
            if (!t->special)
                goto nomem;
        }
        (*n)++;
    }
    return TOK_OK;
nomem:
    for (size_t i = 0; i < *n; i++)
        tok_free((*out)[i].special);
    tok_free(*out);
    *out = NULL;
    *n = 0;
    return tok_error_set(err, TOK_ENOMEM, "out of memory");
}

static int push(tok_encoding *e, int32_t id, tok_offset off,
                uint32_t type_id, bool special, int8_t seq)
{
    if (tok_encoding_reserve(e, e->len + 1))
        return TOK_ENOMEM;
    size_t i = e->len++;
    e->ids[i] = id;
    e->offsets[i] = off;
    e->type_ids[i] = type_id;
    e->special_mask[i] = special;
    e->attention_mask[i] = 1;
    e->sequence_ids[i] = seq;
    return TOK_OK;
}

/* The tokens of one text, array by array. */
static int push_seq(tok_encoding *e, int which, uint32_t type_id)
{
    const tok_pieces *p = &e->seq[which];
    size_t n = p->len, at = e->len;
    if (n == 0)
        return TOK_OK;
    if (tok_encoding_reserve(e, at + n))
        return TOK_ENOMEM;
    const tok_piece *v = p->v;
    int32_t *ids = e->ids + at;
    tok_offset *off = e->offsets + at;
    uint32_t *types = e->type_ids + at;
    for (size_t j = 0; j < n; j++) {
        ids[j] = v[j].id;
        off[j].start = v[j].start;
        off[j].end = v[j].end;
        types[j] = type_id;
    }
    memset(e->special_mask + at, 0, n);
    memset(e->attention_mask + at, 1, n);
    memset(e->sequence_ids + at, which, n);
    e->len = at + n;
    return TOK_OK;
}

static int push_special(tok_encoding *e, int32_t id, uint32_t type_id)
{
    tok_offset zero = {0, 0};
    return push(e, id, zero, type_id, true, -1);
}

static const tok_template_special *find_special(const tok_postproc *p,
                                                const char *name)
{
    for (size_t i = 0; i < p->nspecials; i++)
        if (strcmp(p->specials[i].name, name) == 0)
            return &p->specials[i];
    return NULL;
}

void tok_postproc_resolve(tok_postproc *p)
{
    if (p->type == TOK_POST_SEQUENCE) {
        for (size_t i = 0; i < p->nitems; i++)
            tok_postproc_resolve(p->items[i]);
        return;
    }
    for (int k = 0; k < 2; k++) {
        tok_template_piece *t = k ? p->pair : p->single;
        size_t n = k ? p->npair : p->nsingle;
        for (size_t i = 0; i < n; i++)
            if (!t[i].is_sequence && t[i].special)
                t[i].resolved = find_special(p, t[i].special);
    }
}

const char *tok_postproc_token(const tok_postproc *p, int32_t id)
{
    if (!p)
        return NULL;
    switch (p->type) {
    case TOK_POST_SEQUENCE:
        for (size_t i = 0; i < p->nitems; i++) {
            const char *s = tok_postproc_token(p->items[i], id);
            if (s)
                return s;
        }
        return NULL;
    case TOK_POST_TEMPLATE:
        for (size_t i = 0; i < p->nspecials; i++) {
            const tok_template_special *sp = &p->specials[i];
            for (size_t j = 0; j < sp->n; j++)
                if (sp->ids[j] == id && sp->tokens && sp->tokens[j])
                    return sp->tokens[j];
        }
        return NULL;
    case TOK_POST_BERT:
    case TOK_POST_ROBERTA:
        return id == p->cls_id ? p->cls_token
             : id == p->sep_id ? p->sep_token
                               : NULL;
    case TOK_POST_BYTELEVEL:
        break;
    }
    return NULL;
}

int32_t tok_postproc_max_id(const tok_postproc *p)
{
    int32_t max = -1;
    if (!p)
        return max;
    switch (p->type) {
    case TOK_POST_SEQUENCE:
        for (size_t i = 0; i < p->nitems; i++) {
            int32_t m = tok_postproc_max_id(p->items[i]);
            max = m > max ? m : max;
        }
        break;
    case TOK_POST_TEMPLATE:
        for (size_t i = 0; i < p->nspecials; i++)
            for (size_t j = 0; j < p->specials[i].n; j++)
                if (p->specials[i].ids[j] > max)
                    max = p->specials[i].ids[j];
        break;
    case TOK_POST_BERT:
    case TOK_POST_ROBERTA:
        max = p->cls_id > p->sep_id ? p->cls_id : p->sep_id;
        break;
    case TOK_POST_BYTELEVEL:
        break;
    }
    return max;
}

static int apply_template(const tok_postproc *p, tok_encoding *e, bool pair,
                          bool add_special)
{
    const tok_template_piece *t = pair ? p->pair : p->single;
    size_t n = pair ? p->npair : p->nsingle;
    for (size_t i = 0; i < n; i++) {
        if (t[i].is_sequence) {
            if (push_seq(e, t[i].sequence, t[i].type_id))
                return TOK_ENOMEM;
            continue;
        }
        if (!add_special)
            continue;
        const tok_template_special *sp =
            t[i].resolved ? t[i].resolved : find_special(p, t[i].special);
        if (!sp)
            continue;  /* checked at load time */
        for (size_t j = 0; j < sp->n; j++)
            if (push_special(e, sp->ids[j], t[i].type_id))
                return TOK_ENOMEM;
    }
    return TOK_OK;
}

static int apply_bert(const tok_postproc *p, tok_encoding *e, bool pair,
                      bool add_special, bool roberta)
{
    if (!add_special) {
        /* RoBERTa's type ids are 0 with or without its special tokens. */
        if (push_seq(e, 0, 0))
            return TOK_ENOMEM;
        return pair ? push_seq(e, 1, roberta ? 0 : 1) : TOK_OK;
    }
    if (push_special(e, p->cls_id, 0) || push_seq(e, 0, 0) ||
        push_special(e, p->sep_id, 0))
        return TOK_ENOMEM;
    if (!pair)
        return TOK_OK;
    /* RoBERTa has no segment embeddings: its pair keeps type id 0. */
    uint32_t b_type = roberta ? 0 : 1;
    if (roberta && push_special(e, p->sep_id, 0))
        return TOK_ENOMEM;
    if (push_seq(e, 1, b_type) || push_special(e, p->sep_id, b_type))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* HF's ByteLevel offset trimming: offsets of a token stop short of the
 * spaces ("Ġ" or whitespace) at its ends. */
static void trim_offsets(const tok_tokenizer *tk, tok_pieces *p,
                         bool add_prefix_space)
{
    for (size_t i = 0; i < p->len; i++) {
        size_t len;
        const char *s = tok_vocab_str(&tk->model->vocab, p->v[i].id, &len);
        if (!s)
            continue;
        const unsigned char *u = (const unsigned char *)s;
        uint32_t lead = 0, trail = 0;
        size_t pos = 0;
        while (pos < len) {
            uint32_t cp;
            size_t n = tok_utf8_decode(u, len, pos, &cp);
            if (n == 0 || !(cp == 0x120 || tok_uni_is_space(cp)))
                break;
            lead++;
            pos += n;
        }
        if (pos < len) {
            size_t end = len;
            while (end > pos) {
                size_t b = end - 1;
                while (b > pos && (u[b] & 0xC0) == 0x80)
                    b--;
                uint32_t cp;
                if (tok_utf8_decode(u, len, b, &cp) == 0 ||
                    !(cp == 0x120 || tok_uni_is_space(cp)))
                    break;
                trail++;
                end = b;
            }
        } else {
            trail = lead;
        }
        tok_piece *pc = &p->v[i];
        if (lead > 0) {
            bool first = i == 0 || pc->start == 0;
            if (first && add_prefix_space && lead == 1)
                lead = 0;
            pc->start = pc->start + lead < pc->end ? pc->start + lead
                                                   : pc->end;
        }
        if (trail > 0 && pc->end >= trail)
            pc->end = pc->end - trail > pc->start ? pc->end - trail
                                                  : pc->start;
    }
}

static int apply(const tok_postproc *p, const tok_tokenizer *tk,
                 tok_encoding *e, bool pair, bool add_special, bool *done)
{
    switch (p->type) {
    case TOK_POST_TEMPLATE:
        *done = true;
        return apply_template(p, e, pair, add_special);
    case TOK_POST_BERT:
    case TOK_POST_ROBERTA:
        if (p->type == TOK_POST_ROBERTA && p->trim_offsets) {
            trim_offsets(tk, &e->seq[0], p->add_prefix_space);
            if (pair)
                trim_offsets(tk, &e->seq[1], p->add_prefix_space);
        }
        *done = true;
        return apply_bert(p, e, pair, add_special,
                          p->type == TOK_POST_ROBERTA);
    case TOK_POST_BYTELEVEL:
        if (p->trim_offsets) {
            trim_offsets(tk, &e->seq[0], p->add_prefix_space);
            if (pair)
                trim_offsets(tk, &e->seq[1], p->add_prefix_space);
        }
        return TOK_OK;
    case TOK_POST_SEQUENCE:
        for (size_t i = 0; i < p->nitems && !*done; i++) {
            int rc = apply(p->items[i], tk, e, pair, add_special, done);
            if (rc)
                return rc;
        }
        return TOK_OK;
    }
    return TOK_OK;
}

int tok_postprocess(const tok_tokenizer *tk, tok_encoding *e, bool pair,
                    bool add_special)
{
    e->len = 0;
    e->tk = tk;
    bool done = false;
    if (tk->postproc) {
        int rc = apply(tk->postproc, tk, e, pair, add_special, &done);
        if (rc || done)
            return rc;
    }
    if (push_seq(e, 0, 0))
        return TOK_ENOMEM;
    return pair ? push_seq(e, 1, 1) : TOK_OK;
}
