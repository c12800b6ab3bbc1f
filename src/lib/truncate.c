/* truncate: the last step of encoding -- truncation to a maximum length
 * (keeping the overflowing windows), the post-processor, then padding --
 * as Hugging Face's Tokenizer::post_process does it; and the tokenizer's
 * defaults for both, read from the tokenizer.json sections the reader
 * keeps as canonical JSON. */
#include <string.h>

#include "encoding.h"
#include "tokenizer.h"

/* A window [start, stop) of a text's tokens. */
typedef struct win {
    size_t start, stop;
} win;

/* The end of one pre-token's tokens in e->seq[s], and whether it was an
 * added token (which Hugging Face's early stop does not count as a reason
 * to stop). */
typedef struct split_end {
    size_t end;
    bool added;
} split_end;

struct tok_trunc_state {
    split_end *splits[2];     /* per text, in order */
    size_t nsplits[2], splitcap[2];
    tok_pieces full[2];       /* every token of A and B, untruncated */
    win *win[2];              /* window 0 is the kept one */
    size_t nwin[2], wincap[2];
    tok_encoding **over;      /* the overflowing windows, reused */
    int8_t *pad_seq;          /* the sequence id of each one's padding */
    size_t nover, nalloc, overcap, padcap;
    char *pad_token;          /* a copy of the options' pad token */
    size_t pad_token_cap;
};

void tok_trunc_state_free(struct tok_trunc_state *t)
{
    if (!t)
        return;
    for (int s = 0; s < 2; s++) {
        tok_free(t->splits[s]);
        tok_free(t->full[s].v);
        tok_free(t->win[s]);
    }
    for (size_t i = 0; i < t->nalloc; i++)
        tok_encoding_free(t->over[i]);
    tok_free(t->over);
    tok_free(t->pad_seq);
    tok_free(t->pad_token);
    tok_free(t);
}

void tok_encoding_reset_overflow(tok_encoding *e)
{
    if (e->trunc)
        e->trunc->nover = 0;
}

size_t tok_encoding_overflow_count(const tok_encoding *e)
{
    return e->trunc ? e->trunc->nover : 0;
}

const tok_encoding *tok_encoding_overflow(const tok_encoding *e, size_t i)
{
    return i < tok_encoding_overflow_count(e) ? e->trunc->over[i] : NULL;
}

/* ------------------------------------------------------------------------
 * What the post-processor does, as truncation needs to know it
 * ------------------------------------------------------------------------ */

/* The number of special tokens the post-processor adds (Hugging Face's
 * PostProcessor::added_tokens): truncation keeps room for them. */
static size_t added_tokens(const tok_postproc *p, bool pair)
{
    if (!p)
        return 0;
    size_t n = 0;
    switch (p->type) {
    case TOK_POST_TEMPLATE: {
        const tok_template_piece *t = pair ? p->pair : p->single;
        size_t nt = pair ? p->npair : p->nsingle;
        for (size_t i = 0; i < nt; i++) {
            if (t[i].is_sequence)
                continue;
            for (size_t k = 0; k < p->nspecials; k++)
                if (strcmp(p->specials[k].name, t[i].special) == 0)
                    n += p->specials[k].n;
        }
        return n;
    }
    case TOK_POST_BERT:
        return pair ? 3 : 2;
    case TOK_POST_ROBERTA:
        return pair ? 4 : 2;
    case TOK_POST_BYTELEVEL:
        return 0;
    case TOK_POST_SEQUENCE:
        for (size_t i = 0; i < p->nitems; i++)
            n += added_tokens(p->items[i], pair);
        return n;
    }
    return 0;
}

/* The processor that lays the tokens out (the first template, Bert or
 * Roberta one, as tok_postprocess picks it), or NULL. */
static const tok_postproc *layout(const tok_postproc *p)
{
    if (!p || p->type == TOK_POST_BYTELEVEL)
        return NULL;
    if (p->type != TOK_POST_SEQUENCE)
        return p;
    for (size_t i = 0; i < p->nitems; i++) {
        const tok_postproc *q = layout(p->items[i]);
        if (q)
            return q;
    }
    return NULL;
}

/* Which text comes first in the pair's layout: Hugging Face merges the
 * windows in that order, which sets the order of the overflowing ones. */
static int first_text(const tok_postproc *p)
{
    if (p && p->type == TOK_POST_TEMPLATE)
        for (size_t i = 0; i < p->npair; i++)
            if (p->pair[i].is_sequence)
                return p->pair[i].sequence;
    return 0;
}

/* ------------------------------------------------------------------------
 * Truncation
 * ------------------------------------------------------------------------ */

static struct tok_trunc_state *state(tok_encoding *e)
{
    if (!e->trunc)
        e->trunc = tok_calloc(1, sizeof *e->trunc);
    return e->trunc;
}

static const tok_truncation *truncation_of(const tok_tokenizer *tk,
                                           const tok_encode_options *o)
{
    if (o->truncate == TOK_SETTING_ON)
        return &o->truncation;
    if (o->truncate == TOK_FROM_TOKENIZER && tk->has_truncation)
        return &tk->truncation;
    return NULL;
}

bool tok_trunc_tracking(const tok_tokenizer *tk, const tok_encode_options *o,
                        tok_encoding *e, int which)
{
    if (!truncation_of(tk, o))
        return false;
    if (e->trunc)
        e->trunc->nsplits[which] = 0;
    return true;
}

int tok_trunc_note_split(tok_encoding *e, int which, size_t end, bool added)
{
    struct tok_trunc_state *st = state(e);
    if (!st || TOK_GROW(st->splits[which], st->splitcap[which],
                        st->nsplits[which] + 1))
        return TOK_ENOMEM;
    split_end *x = &st->splits[which][st->nsplits[which]++];
    x->end = end;
    x->added = added;
    return TOK_OK;
}

/* How many tokens Hugging Face 0.23 has of text s when it plans the
 * truncation: it tokenizes pre-tokens from the side being cut until it
 * has max_length tokens (finishing the pre-token that gets there), and
 * plans with that count -- which, for a pair, can change which text counts
 * as the longer one.  (It then drops the other tokens, so its overflowing
 * windows stop there; tok's cover the whole text, as Hugging Face's
 * Encoding::truncate defines them and as its 0.22 gave them: see
 * huggingface/tokenizers#2091.) */
static size_t counted(const struct tok_trunc_state *st, int s, size_t n,
                      const tok_truncation *t)
{
    if (!st || st->nsplits[s] == 0)
        return n;
    const split_end *x = st->splits[s];
    size_t k = st->nsplits[s], total = 0;
    for (size_t j = 0; j < k; j++) {
        size_t i = t->side == TOK_SIDE_RIGHT ? j : k - 1 - j;
        total += x[i].end - (i ? x[i - 1].end : 0);
        if (!x[i].added && total >= t->max_length)
            return total;
    }
    return n;
}

static const char *const text_name[2] = {"first", "second"};

/* How many tokens of each text to keep (Hugging Face's
 * truncate_encodings): sets keep[0..1]. */
static int plan(const tok_truncation *t, size_t max, bool pair,
                const size_t n[2], size_t keep[2], tok_error *err)
{
    keep[0] = n[0];
    keep[1] = n[1];
    if (max == 0) {
        keep[0] = keep[1] = 0;
        return TOK_OK;
    }
    size_t total = n[0] + n[1];
    if (total <= max)
        return TOK_OK;
    size_t remove = total - max;
    if (t->strategy == TOK_TRUNCATE_LONGEST_FIRST) {
        if (!pair) {
            keep[0] = max;
            return TOK_OK;
        }
        bool swap = n[0] > n[1];
        size_t a = swap ? n[1] : n[0];
        size_t b;
        if (a > max)
            b = a;
        else
            b = a > max - a ? a : max - a;
        if (a + b > max) {
            a = max / 2;
            b = a + max % 2;
        }
        keep[0] = swap ? b : a;
        keep[1] = swap ? a : b;
        return TOK_OK;
    }
    int s = t->strategy == TOK_TRUNCATE_ONLY_SECOND;
    if (s && !pair)
        return tok_error_set(err, TOK_EINVAL,
                             "truncation only_second needs a pair of "
                             "texts");
    if (n[s] <= remove)
        return tok_error_set(err, TOK_EINVAL,
                             "truncation only_%s: the %s text is too short "
                             "to make the %s fit in %zu tokens",
                             s ? "second" : "first", text_name[s],
                             pair ? "pair" : "text", max);
    keep[s] = n[s] - remove;
    return TOK_OK;
}

static int push_win(struct tok_trunc_state *st, int s, size_t start,
                    size_t stop)
{
    if (TOK_GROW(st->win[s], st->wincap[s], st->nwin[s] + 1))
        return TOK_ENOMEM;
    st->win[s][st->nwin[s]].start = start;
    st->win[s][st->nwin[s]].stop = stop;
    st->nwin[s]++;
    return TOK_OK;
}

/* The windows of text s of n tokens cut to k (Hugging Face's
 * Encoding::truncate): the kept one first, then the overflowing ones,
 * each starting k - stride tokens after the one before (from the end,
 * when cutting on the left).  With `all` false, only the kept one. */
static int windows(struct tok_trunc_state *st, int s, size_t n, size_t k,
                   const tok_truncation *t, size_t max, size_t nadded,
                   bool all, tok_error *err)
{
    st->nwin[s] = 0;
    if (k >= n)
        return push_win(st, s, 0, n);
    if (k == 0) {
        if (push_win(st, s, 0, 0) || (all && push_win(st, s, 0, n)))
            return TOK_ENOMEM;
        return TOK_OK;
    }
    if (t->stride >= k)
        return tok_error_set(err, TOK_EINVAL,
                             "truncation: stride %zu must be less than "
                             "the %zu tokens kept of the %s text "
                             "(max_length %zu, %zu of them special tokens)",
                             t->stride, k, text_name[s], max, nadded);
    size_t step = k - t->stride;
    if (t->side == TOK_SIDE_RIGHT) {
        for (size_t start = 0;; start += step) {
            size_t stop = n - start > k ? start + k : n;
            if (push_win(st, s, start, stop))
                return TOK_ENOMEM;
            if (stop == n || !all)
                break;
        }
    } else {
        for (size_t stop = n;; stop -= step) {
            size_t start = stop > k ? stop - k : 0;
            if (push_win(st, s, start, stop))
                return TOK_ENOMEM;
            if (start == 0 || !all || stop <= step)
                break;
        }
    }
    return TOK_OK;
}

/* Puts window w of text s into e->seq[s]. */
static int load_window(struct tok_trunc_state *st, tok_encoding *e, int s,
                       size_t w)
{
    win x = st->win[s][w];
    tok_pieces *p = &e->seq[s];
    size_t n = x.stop - x.start;
    if (n > p->cap && TOK_GROW(p->v, p->cap, n))
        return TOK_ENOMEM;
    if (n) /* an empty window of an empty text: no storage to copy from */
        memcpy(p->v, st->full[s].v + x.start, n * sizeof *p->v);
    p->len = n;
    return TOK_OK;
}

/* Copies the result arrays of e into the next overflowing window. */
static int push_overflow(struct tok_trunc_state *st, tok_encoding *e,
                         int8_t pad_seq)
{
    if (st->nover == st->nalloc) {
        if (TOK_GROW(st->over, st->overcap, st->nalloc + 1) ||
            TOK_GROW(st->pad_seq, st->padcap, st->nalloc + 1))
            return TOK_ENOMEM;
        st->over[st->nalloc] = tok_encoding_new();
        if (!st->over[st->nalloc])
            return TOK_ENOMEM;
        st->nalloc++;
    }
    tok_encoding *o = st->over[st->nover];
    size_t n = e->len;
    if (tok_encoding_reserve(o, n))
        return TOK_ENOMEM;
    memcpy(o->ids, e->ids, n * sizeof *o->ids);
    memcpy(o->type_ids, e->type_ids, n * sizeof *o->type_ids);
    memcpy(o->offsets, e->offsets, n * sizeof *o->offsets);
    memcpy(o->special_mask, e->special_mask, n * sizeof *o->special_mask);
    memcpy(o->attention_mask, e->attention_mask,
           n * sizeof *o->attention_mask);
    memcpy(o->sequence_ids, e->sequence_ids, n * sizeof *o->sequence_ids);
    o->len = n;
    o->tk = e->tk;
    st->pad_seq[st->nover++] = pad_seq;
    return TOK_OK;
}

/* Lays out windows (wa, wb) with the post-processor as one overflowing
 * encoding.  Hugging Face sets the template's type ids on the kept
 * windows only: tokens of the other windows keep the type id of their
 * text (0 or 1) -- except under RobertaProcessing adding its special
 * tokens, which writes 0 everywhere. */
static int emit(const tok_tokenizer *tk, struct tok_trunc_state *st,
                tok_encoding *e, bool pair, bool add_special,
                bool roberta, size_t wa, size_t wb)
{
    int rc;
    if ((rc = load_window(st, e, 0, wa)) ||
        (pair && (rc = load_window(st, e, 1, wb))) ||
        (rc = tok_postprocess(tk, e, pair, add_special)))
        return rc;
    if (!(roberta && add_special)) {
        for (size_t i = 0; i < e->len; i++) {
            int s = e->sequence_ids[i];
            if ((s == 0 && wa) || (s == 1 && wb))
                e->type_ids[i] = (uint32_t)s;
        }
    }
    int8_t pad_seq = -1;
    if (!tk->postproc) {
        /* Without a post-processor, Hugging Face marks where each text's
         * tokens are on the kept windows only: with an overflowing window
         * of the first text, nothing is marked and every token counts as
         * the first text's, padding included; with the kept one, the
         * second text's tokens count as no text's. */
        pad_seq = !pair || wa ? 0 : -1;
        for (size_t i = 0; pair && i < e->len; i++)
            e->sequence_ids[i] = wa ? 0 : e->sequence_ids[i] ? -1 : 0;
    }
    return push_overflow(st, e, pad_seq);
}

/* Truncates seq[0] (and seq[1]), then runs the post-processor for the
 * kept windows and, when asked, every overflowing combination. */
static int truncate_and_process(const tok_tokenizer *tk, tok_encoding *e,
                                bool pair, const tok_truncation *t,
                                const tok_encode_options *o, tok_error *err)
{
    bool add = o->add_special_tokens;
    size_t nadded = add ? added_tokens(tk->postproc, pair) : 0;
    if (t->max_length < nadded)
        return tok_error_set(err, TOK_EINVAL,
                             "truncation: max_length %zu is less than the "
                             "%zu special tokens the template adds",
                             t->max_length, nadded);
    size_t max = t->max_length - nadded;
    size_t n[2] = {e->seq[0].len, pair ? e->seq[1].len : 0};
    /* Hugging Face does not stop early on the first text with
     * only_second. */
    size_t c[2] = {t->strategy == TOK_TRUNCATE_ONLY_SECOND
                       ? n[0] : counted(e->trunc, 0, n[0], t),
                   pair ? counted(e->trunc, 1, n[1], t) : 0};
    size_t keep[2];
    int rc = plan(t, max, pair, c, keep, err);
    if (rc)
        return rc;
    if (keep[0] >= n[0] && keep[1] >= n[1])
        return tok_postprocess(tk, e, pair, add);

    struct tok_trunc_state *st = state(e);
    if (!st)
        return TOK_ENOMEM;
    int ntexts = pair ? 2 : 1;
    bool all = o->overflowing != 0;
    for (int s = 0; s < ntexts; s++) {
        rc = windows(st, s, n[s], keep[s], t, t->max_length, nadded, all,
                     err);
        if (rc)
            return rc;
        tok_pieces *f = &st->full[s];
        if (n[s] > f->cap && TOK_GROW(f->v, f->cap, n[s]))
            return TOK_ENOMEM;
        memcpy(f->v, e->seq[s].v, n[s] * sizeof *f->v);
        f->len = n[s];
    }
    if (all) {
        const tok_postproc *lay = layout(tk->postproc);
        bool roberta = lay && lay->type == TOK_POST_ROBERTA;
        if (!pair) {
            for (size_t x = 1; x < st->nwin[0]; x++)
                if ((rc = emit(tk, st, e, false, add, roberta, x, 0)))
                    return rc;
        } else {
            /* Hugging Face's Encoding::merge_with order: each window of
             * the first text in the layout with every window of the other
             * (its kept one first), then the kept window of the first with
             * the other's overflowing ones. */
            int f = first_text(lay), g = 1 - f;
            size_t w[2];
            for (size_t x = 1; x < st->nwin[f]; x++) {
                for (size_t y = 0; y < st->nwin[g]; y++) {
                    w[f] = x;
                    w[g] = y;
                    if ((rc = emit(tk, st, e, true, add, roberta, w[0],
                                   w[1])))
                        return rc;
                }
            }
            for (size_t y = 1; y < st->nwin[g]; y++) {
                w[f] = 0;
                w[g] = y;
                if ((rc = emit(tk, st, e, true, add, roberta, w[0], w[1])))
                    return rc;
            }
        }
    }
    if ((rc = load_window(st, e, 0, 0)) ||
        (pair && (rc = load_window(st, e, 1, 0))))
        return rc;
    return tok_postprocess(tk, e, pair, add);
}

/* ------------------------------------------------------------------------
 * Padding
 * ------------------------------------------------------------------------ */

static int pad(tok_encoding *e, size_t target, const tok_padding *p,
               int8_t seq)
{
    if (e->len >= target)
        return TOK_OK;
    if (tok_encoding_reserve(e, target))
        return TOK_ENOMEM;
    size_t n = target - e->len;
    size_t at = e->len;
    if (p->side == TOK_SIDE_LEFT) {
        memmove(e->ids + n, e->ids, e->len * sizeof *e->ids);
        memmove(e->type_ids + n, e->type_ids, e->len * sizeof *e->type_ids);
        memmove(e->offsets + n, e->offsets, e->len * sizeof *e->offsets);
        memmove(e->special_mask + n, e->special_mask, e->len);
        memmove(e->attention_mask + n, e->attention_mask, e->len);
        memmove(e->sequence_ids + n, e->sequence_ids, e->len);
        at = 0;
    }
    for (size_t i = at; i < at + n; i++) {
        e->ids[i] = p->pad_id;
        e->type_ids[i] = p->pad_type_id;
        e->offsets[i].start = e->offsets[i].end = 0;
    }
    memset(e->special_mask + at, 1, n);
    memset(e->attention_mask + at, 0, n);
    memset(e->sequence_ids + at, seq, n);
    e->len = target;
    return TOK_OK;
}

static int pad_all(const tok_tokenizer *tk, tok_encoding *e, bool pair,
                   const tok_padding *p, tok_error *err)
{
    const char *token = tok_id_to_token(tk, p->pad_id);
    if (!token)
        return tok_error_set(err, TOK_ERANGE,
                             "padding: pad id %ld is not in the vocabulary",
                             (long)p->pad_id);
    if (p->pad_token) {
        struct tok_trunc_state *st = state(e);
        size_t len = strlen(p->pad_token);
        if (!st || TOK_GROW(st->pad_token, st->pad_token_cap, len + 1))
            return TOK_ENOMEM;
        memcpy(st->pad_token, p->pad_token, len + 1);
        token = st->pad_token;
    }
    size_t target = p->strategy == TOK_PAD_FIXED ? p->length : e->len;
    size_t m = p->pad_to_multiple_of;
    if (m > 0 && target % m) {
        if (target > SIZE_MAX - m)
            return tok_error_set(err, TOK_EINVAL, "padding: too long");
        target += m - target % m;
    }
    /* Without a post-processor, Hugging Face never marks where a single
     * text's tokens are, so it counts every token as the text's, pad
     * tokens too. */
    int8_t seq = !tk->postproc && !pair ? 0 : -1;
    int rc = pad(e, target, p, seq);
    for (size_t i = 0; !rc && i < tok_encoding_overflow_count(e); i++)
        rc = pad(e->trunc->over[i], target, p, e->trunc->pad_seq[i]);
    return rc;
}

int tok_encoding_finish(const tok_tokenizer *tk, tok_encoding *e, bool pair,
                        const tok_encode_options *o, tok_error *err)
{
    tok_encoding_reset_overflow(e);
    const tok_truncation *t = truncation_of(tk, o);
    const tok_padding *p = NULL;
    if (o->pad == TOK_SETTING_ON)
        p = &o->padding;
    else if (o->pad == TOK_FROM_TOKENIZER && tk->has_padding)
        p = &tk->padding;

    int rc = t ? truncate_and_process(tk, e, pair, t, o, err)
               : tok_postprocess(tk, e, pair, o->add_special_tokens);
    if (!rc && p)
        rc = pad_all(tk, e, pair, p, err);
    if (rc) {
        tok_encoding_reset_overflow(e);
        if (rc == TOK_ENOMEM)
            tok_error_set(err, rc, "out of memory");
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * The tokenizer's defaults
 * ------------------------------------------------------------------------ */

int tok_tokenizer_truncation(const tok_tokenizer *tk, tok_truncation *out)
{
    if (!tk->has_truncation)
        return 0;
    if (out)
        *out = tk->truncation;
    return 1;
}

int tok_tokenizer_padding(const tok_tokenizer *tk, tok_padding *out)
{
    if (!tk->has_padding)
        return 0;
    if (out)
        *out = tk->padding;
    return 1;
}

/* A cursor over the canonical JSON the reader keeps (vocab_json.c writes
 * it: fixed key order, no spaces), so a strict scanner is enough. */
typedef struct scan {
    const char *p;
    bool bad;
} scan;

static bool lit(scan *s, const char *text)
{
    size_t n = strlen(text);
    if (s->bad || strncmp(s->p, text, n) != 0) {
        s->bad = true;
        return false;
    }
    s->p += n;
    return true;
}

static bool try_lit(scan *s, const char *text)
{
    size_t n = strlen(text);
    if (s->bad || strncmp(s->p, text, n) != 0)
        return false;
    s->p += n;
    return true;
}

static uint64_t number(scan *s)
{
    uint64_t v = 0;
    if (s->bad || *s->p < '0' || *s->p > '9') {
        s->bad = true;
        return 0;
    }
    while (*s->p >= '0' && *s->p <= '9') {
        unsigned d = (unsigned)(*s->p++ - '0');
        if (v > (UINT64_MAX - d) / 10)
            s->bad = true;
        v = v * 10 + d;
    }
    return v;
}

static tok_side side(scan *s)
{
    if (try_lit(s, "\"Left\""))
        return TOK_SIDE_LEFT;
    lit(s, "\"Right\"");
    return TOK_SIDE_RIGHT;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string as tok_json_put_string writes it (only \u00XX escapes). */
static char *string(scan *s)
{
    if (!lit(s, "\""))
        return NULL;
    /* Unescaping only shrinks the text. */
    char *out = tok_malloc(strlen(s->p) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    while (*s->p && *s->p != '"') {
        char c = *s->p++;
        if (c == '\\') {
            c = *s->p;
            if (!c || (c == 'u' && strnlen(s->p + 1, 4) < 4)) {
                s->bad = true;
                break;
            }
            s->p++;
            switch (c) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                int v = hex4(s->p);
                if (v < 0 || v > 0x7f)
                    s->bad = true;
                c = (char)v;
                s->p += 4;
                break;
            }
            default: break;
            }
        }
        out[n++] = c;
    }
    out[n] = '\0';
    lit(s, "\"");
    return out;
}

static bool present(const char *json)
{
    return json && strcmp(json, "null") != 0;
}

static int parse_truncation(tok_tokenizer *tk)
{
    scan s = {tk->truncation_json, false};
    tok_truncation *t = &tk->truncation;
    lit(&s, "{\"direction\":");
    t->side = side(&s);
    lit(&s, ",\"max_length\":");
    uint64_t max = number(&s);
    lit(&s, ",\"strategy\":");
    if (try_lit(&s, "\"OnlyFirst\""))
        t->strategy = TOK_TRUNCATE_ONLY_FIRST;
    else if (try_lit(&s, "\"OnlySecond\""))
        t->strategy = TOK_TRUNCATE_ONLY_SECOND;
    else if (lit(&s, "\"LongestFirst\""))
        t->strategy = TOK_TRUNCATE_LONGEST_FIRST;
    lit(&s, ",\"stride\":");
    uint64_t stride = number(&s);
    lit(&s, "}");
    if (s.bad || max > SIZE_MAX || stride > SIZE_MAX)
        return TOK_EFORMAT;
    t->max_length = (size_t)max;
    t->stride = (size_t)stride;
    tk->has_truncation = true;
    return TOK_OK;
}

static int parse_padding(tok_tokenizer *tk)
{
    scan s = {tk->padding_json, false};
    tok_padding *p = &tk->padding;
    *p = (tok_padding)TOK_PADDING_INIT;
    lit(&s, "{\"strategy\":");
    if (try_lit(&s, "{\"Fixed\":")) {
        p->strategy = TOK_PAD_FIXED;
        uint64_t n = number(&s);
        lit(&s, "}");
        if (n > SIZE_MAX)
            s.bad = true;
        p->length = (size_t)n;
    } else {
        lit(&s, "\"BatchLongest\"");
        p->strategy = TOK_PAD_LONGEST;
    }
    lit(&s, ",\"direction\":");
    p->side = side(&s);
    lit(&s, ",\"pad_to_multiple_of\":");
    if (!try_lit(&s, "null")) {
        uint64_t m = number(&s);
        if (m > SIZE_MAX)
            s.bad = true;
        p->pad_to_multiple_of = (size_t)m;
    }
    lit(&s, ",\"pad_id\":");
    uint64_t id = number(&s);
    lit(&s, ",\"pad_type_id\":");
    uint64_t type = number(&s);
    lit(&s, ",\"pad_token\":");
    if (s.bad)
        return TOK_EFORMAT;
    char *token = string(&s);
    if (!token)
        return s.bad ? TOK_EFORMAT : TOK_ENOMEM;
    lit(&s, "}");
    if (s.bad || id > INT32_MAX || type > UINT32_MAX) {
        tok_free(token);
        return TOK_EFORMAT;
    }
    p->pad_id = (int32_t)id;
    p->pad_type_id = (uint32_t)type;
    tok_free(tk->pad_token);
    tk->pad_token = token;
    p->pad_token = token;
    tk->has_padding = true;
    return TOK_OK;
}

int tok_tokenizer_parse_limits(tok_tokenizer *tk, tok_error *err)
{
    tk->has_truncation = tk->has_padding = false;
    int rc;
    if (present(tk->truncation_json) && (rc = parse_truncation(tk)))
        return tok_error_set(err, rc, "truncation: cannot read %s",
                             tk->truncation_json);
    if (present(tk->padding_json) && (rc = parse_padding(tk))) {
        if (rc == TOK_ENOMEM)
            return tok_error_set(err, rc, "out of memory");
        return tok_error_set(err, rc, "padding: cannot read %s "
                             "(pad_id must be below 2^31)",
                             tk->padding_json);
    }
    return TOK_OK;
}

const char *tok_trunc_pad_token(const tok_encoding *e)
{
    return e->trunc ? e->trunc->pad_token : NULL;
}
