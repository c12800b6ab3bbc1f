/* normalized: the aligned text buffer normalizers write into. */
#include "normalized.h"

#include <string.h>

void tok_normalized_dispose(tok_normalized *n)
{
    tok_free(n->text);
    tok_free(n->align);
    n->text = NULL;
    n->align = NULL;
    n->len = n->cap = 0;
}

int tok_normalized_reserve(tok_normalized *n, size_t extra)
{
    size_t need = n->len + extra + 1;
    if (need <= n->cap)
        return TOK_OK;
    size_t cap = n->cap;
    char *text = n->text;
    if (TOK_GROW(text, cap, need))
        return TOK_ENOMEM;
    n->text = text;
    tok_span *align = tok_realloc(n->align, cap * sizeof *align);
    if (!align)
        return TOK_ENOMEM;  /* text grew; cap stays, so a retry regrows */
    n->align = align;
    n->cap = cap;
    return TOK_OK;
}

int tok_normalized_append(tok_normalized *n, const char *bytes, size_t len,
                          tok_span span)
{
    if (tok_normalized_reserve(n, len))
        return TOK_ENOMEM;
    memcpy(n->text + n->len, bytes, len);
    for (size_t i = 0; i < len; i++)
        n->align[n->len + i] = span;
    n->len += len;
    n->text[n->len] = '\0';
    return TOK_OK;
}

int tok_normalized_append_aligned(tok_normalized *n, const char *bytes,
                                  const tok_span *align, size_t len)
{
    if (tok_normalized_reserve(n, len))
        return TOK_ENOMEM;
    memcpy(n->text + n->len, bytes, len);
    memcpy(n->align + n->len, align, len * sizeof *align);
    n->len += len;
    n->text[n->len] = '\0';
    return TOK_OK;
}
