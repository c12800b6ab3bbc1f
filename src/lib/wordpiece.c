/* model (WordPiece): greedy longest-match-first word pieces, as BERT. */
#include <string.h>

#include "model.h"
#include "utf8.h"

typedef struct wp_impl {
    size_t max_token_len;   /* longest vocabulary entry, in bytes */
    size_t prefix_len;
} wp_impl;

typedef struct wp_scratch {
    char *buf;              /* prefix + the rest of the word, for lookups */
    size_t cap;
} wp_scratch;

static int wp_build(tok_model *m, tok_error *err)
{
    wp_impl *w = tok_calloc(1, sizeof *w);
    if (!w)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->vocab.size; i++)
        if (m->vocab.str_len[i] > w->max_token_len)
            w->max_token_len = m->vocab.str_len[i];
    w->prefix_len = m->continuing_subword_prefix
        ? strlen(m->continuing_subword_prefix) : 0;
    m->impl = w;
    return TOK_OK;
}

static void wp_free_impl(tok_model *m)
{
    tok_free(m->impl);
    m->impl = NULL;
}

static void *wp_scratch_new(const tok_model *m)
{
    const wp_impl *w = m->impl;
    wp_scratch *s = tok_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = w->prefix_len + w->max_token_len + 4;
    s->buf = tok_malloc(s->cap);
    if (!s->buf) {
        tok_free(s);
        return NULL;
    }
    if (w->prefix_len)
        memcpy(s->buf, m->continuing_subword_prefix, w->prefix_len);
    return s;
}

static void wp_scratch_free(void *p)
{
    wp_scratch *s = p;
    if (s)
        tok_free(s->buf);
    tok_free(s);
}

/* Steps back from `end` to the previous character boundary. */
static size_t prev_boundary(const char *s, size_t start, size_t end)
{
    size_t i = end - 1;
    while (i > start && ((unsigned char)s[i] & 0xC0) == 0x80 && end - i < 4)
        i--;
    return i;
}

/* The whole word as the unknown token.  HF loads a WordPiece whose
 * unk_token is missing from the vocabulary and fails only when a word needs
 * it; so do we. */
static int unk(const tok_model *m, tok_pieces *out, size_t len)
{
    if (m->unk_id < 0)
        return TOK_EFORMAT;
    return tok_pieces_push(out, m->unk_id, 0, (uint32_t)len);
}

static int wp_tokenize(const tok_model *m, void *scratch, const char *word,
                       size_t len, tok_pieces *out)
{
    const wp_impl *w = m->impl;
    wp_scratch *s = scratch;
    size_t mark = out->len;

    /* The limit counts code points, as HF counts chars. */
    if (tok_utf8_count(word, len) > m->max_input_chars_per_word)
        return unk(m, out, len);

    size_t start = 0;
    while (start < len) {
        size_t end = len - start > w->max_token_len
            ? start + w->max_token_len : len;
        /* Never cut a character in two. */
        while (end < len && end > start &&
               ((unsigned char)word[end] & 0xC0) == 0x80)
            end--;
        const char *base;
        size_t plen;
        if (start == 0) {
            base = word;
            plen = 0;
        } else {
            plen = w->prefix_len;
            memcpy(s->buf + plen, word + start, end - start);
            base = s->buf;
        }
        int32_t found = -1;
        while (end > start) {
            found = tok_vocab_find(&m->vocab, start ? base : word,
                                   plen + end - start);
            if (found >= 0)
                break;
            end = prev_boundary(word, start, end);
        }
        if (found < 0) {
            out->len = mark;
            return unk(m, out, len);
        }
        if (tok_pieces_push(out, found, (uint32_t)start, (uint32_t)end))
            return TOK_ENOMEM;
        start = end;
    }
    return TOK_OK;
}

const tok_model_ops tok_wordpiece_ops = {
    "WordPiece", wp_tokenize, wp_scratch_new, wp_scratch_free, wp_build,
    wp_free_impl
};
