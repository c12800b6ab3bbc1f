/* encode: the pipeline that runs the stages in order -- added tokens,
 * normalizer, pre-tokenizer, model, post-processor -- for one text or a
 * pair, into a reusable tok_encoding. */
#include <string.h>

#include "encoding.h"
#include "tokenizer.h"
#include "utf8.h"

static const tok_encode_options default_options = TOK_ENCODE_OPTIONS_INIT;

/* Copies the input into e->base with each byte aligned to its character,
 * checking UTF-8 on the way.  Byte-level models take any bytes (a bad byte
 * is a character of its own); others fail or substitute U+FFFD. */
static int load_input(const tok_tokenizer *tk, const char *text, size_t len,
                      const tok_encode_options *o, tok_encoding *e,
                      tok_error *err)
{
    tok_normalized *b = &e->base;
    tok_normalized_clear(b);
    if (len >= UINT32_MAX - 4)
        return tok_error_set(err, TOK_EINVAL,
                             "text of %zu bytes is too long (limit 4 GiB)",
                             len);
    if (tok_normalized_reserve(b, len))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs: one span per byte. */
        size_t j = i;
        while (j < len && u[j] < 0x80)
            j++;
        if (j > i) {
            if (tok_normalized_reserve(b, j - i))
                return tok_error_set(err, TOK_ENOMEM, "out of memory");
            memcpy(b->text + b->len, text + i, j - i);
            for (size_t k = i; k < j; k++) {
                b->align[b->len].start = (uint32_t)k;
                b->align[b->len].end = (uint32_t)k + 1;
                b->len++;
            }
            i = j;
            continue;
        }
        uint32_t cp;
        size_t n = tok_utf8_decode(u, len, i, &cp);
        tok_span span;
        if (n == 0) {
            if (tk->bytelevel) {
                n = 1;
            } else if (o->invalid_utf8 == TOK_INVALID_REPLACE) {
                /* One U+FFFD per maximal bad prefix: a lead byte with its
                 * continuation bytes, or a lone byte. */
                size_t k = i + 1;
                while (k < len && k - i < 4 && (u[k] & 0xC0) == 0x80)
                    k++;
                span.start = (uint32_t)i;
                span.end = (uint32_t)k;
                if (tok_normalized_append(b, "\xEF\xBF\xBD", 3, span))
                    return tok_error_set(err, TOK_ENOMEM, "out of memory");
                i = k;
                continue;
            } else {
                return tok_error_at(err, TOK_EUTF8, 0, i,
                                    "invalid UTF-8 at byte %zu", i);
            }
        }
        span.start = (uint32_t)i;
        span.end = (uint32_t)(i + n);
        if (tok_normalized_append(b, text + i, n, span))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        i += n;
    }
    b->text[b->len] = '\0';
    return TOK_OK;
}

/* A direct-mapped cache of recent words and their pieces.  Text repeats
 * its words, so most words skip the model; a miss costs one probe. */
#define WC_SLOTS 8192
#define WC_KEY 40
#define WC_PIECES 8

typedef struct wc_entry {
    uint64_t hash;            /* 0: empty */
    uint8_t len;
    uint8_t n;
    uint8_t start[WC_PIECES];
    uint8_t end[WC_PIECES];
    int32_t id[WC_PIECES];
    char key[WC_KEY];
} wc_entry;

struct tok_word_cache {
    wc_entry slot[WC_SLOTS];
};

/* Makes sure the thread's model scratch and word cache belong to tk. */
static int prepare_scratch(const tok_tokenizer *tk, tok_encoding *e)
{
    if (e->scratch_owner == tk->uid)
        return TOK_OK;
    if (e->model_scratch && e->model_scratch_free)
        e->model_scratch_free(e->model_scratch);
    e->model_scratch = NULL;
    e->scratch_owner = 0;
    if (tk->model->ops->scratch_new) {
        e->model_scratch = tk->model->ops->scratch_new(tk->model);
        if (!e->model_scratch)
            return TOK_ENOMEM;
    }
    e->model_scratch_free = tk->model->ops->scratch_free;
    if (!e->wcache) {
        e->wcache = tok_malloc(sizeof *e->wcache);
        if (!e->wcache)
            return TOK_ENOMEM;
    }
    memset(e->wcache, 0, sizeof *e->wcache);
    e->scratch_owner = tk->uid;
    return TOK_OK;
}

/* Runs the model on one word, through the cache. */
static int tokenize_word(const tok_tokenizer *tk, tok_encoding *e,
                         const char *word, size_t len, tok_pieces *out)
{
    if (len > WC_KEY)
        return tk->model->ops->tokenize(tk->model, e->model_scratch, word,
                                        len, out);
    uint64_t h = tok_hash_bytes(word, len) | 1;
    wc_entry *c = &e->wcache->slot[h & (WC_SLOTS - 1)];
    if (c->hash == h && c->len == len && memcmp(c->key, word, len) == 0) {
        if (out->cap - out->len < c->n &&
            TOK_GROW(out->v, out->cap, out->len + c->n))
            return TOK_ENOMEM;
        for (size_t i = 0; i < c->n; i++) {
            tok_piece *p = &out->v[out->len++];
            p->id = c->id[i];
            p->start = c->start[i];
            p->end = c->end[i];
        }
        return TOK_OK;
    }
    size_t first = out->len;
    int rc = tk->model->ops->tokenize(tk->model, e->model_scratch, word, len,
                                      out);
    if (rc || out->len - first > WC_PIECES)
        return rc;
    c->hash = h;
    c->len = (uint8_t)len;
    c->n = (uint8_t)(out->len - first);
    memcpy(c->key, word, len);
    for (size_t i = 0; i < c->n; i++) {
        const tok_piece *p = &out->v[first + i];
        c->id[i] = p->id;
        c->start[i] = (uint8_t)p->start;
        c->end[i] = (uint8_t)p->end;
    }
    return TOK_OK;
}

/* Finds added tokens in the raw input, then normalizes the text between
 * them, piece by piece, into e->text. */
static int normalize_segments(const tok_tokenizer *tk,
                              const tok_encode_options *o, tok_encoding *e,
                              tok_error *err)
{
    const tok_normalized *b = &e->base;
    e->segs.len = 0;
    bool skip_special = o->special_in_text != TOK_SPECIAL_MATCH;
    if (tok_added_split(&tk->added, false, skip_special, b->text, b->len, 0,
                        &e->segs))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_normalized_clear(&e->text);
    e->splits.len = 0;
    if (o->special_in_text == TOK_SPECIAL_REJECT) {
        /* Special tokens were left as text: find them to refuse them. */
        tok_splits *probe = &e->next;
        probe->len = 0;
        if (tok_added_split(&tk->added, false, false, b->text, b->len, 0,
                            probe))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        for (size_t i = 0; i < probe->len; i++) {
            int32_t id = probe->v[i].id;
            if (id >= 0 && tok_id_is_special(tk, id)) {
                uint32_t at = b->align[probe->v[i].start].start;
                return tok_error_at(err, TOK_ESPECIAL, 0, at,
                                    "special token \"%s\" in the text at "
                                    "byte %u", tok_id_to_token(tk, id), at);
            }
        }
    }
    for (size_t i = 0; i < e->segs.len; i++) {
        tok_split s = e->segs.v[i];
        uint32_t at = (uint32_t)e->text.len;
        if (s.id >= 0) {
            if (tok_normalized_append_aligned(&e->text, b->text + s.start,
                                              b->align + s.start,
                                              s.end - s.start) ||
                tok_splits_push(&e->splits, at, (uint32_t)e->text.len, s.id))
                return tok_error_set(err, TOK_ENOMEM, "out of memory");
            continue;
        }
        int rc = tok_normalize(tk->normalizer, b->text + s.start,
                               b->align + s.start, s.end - s.start, &e->text,
                               &e->norm);
        if (rc)
            return tok_error_set(err, rc, "normalization failed");
        size_t n = e->text.len - at;
        if (n == 0)
            continue;
        rc = tk->added.norm_matcher
            ? tok_added_split(&tk->added, true, skip_special,
                              e->text.text + at, n, at, &e->splits)
            : tok_splits_push(&e->splits, at, (uint32_t)e->text.len, -1);
        if (rc)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    return TOK_OK;
}

/* Runs the whole pipeline for one text into e->seq[which]. */
static int encode_sequence(const tok_tokenizer *tk, const char *text,
                           size_t len, const tok_encode_options *o,
                           tok_encoding *e, int which, tok_error *err)
{
    int rc = load_input(tk, text, len, o, e, err);
    if (rc)
        return rc;
    rc = normalize_segments(tk, o, e, err);
    if (rc)
        return rc;

    tok_pretok_state st = {&e->text, &e->spare, &e->splits, &e->next, true};
    rc = tok_pretokenize(tk->pretok, &st);
    if (rc)
        return tok_error_set(err, rc, "pre-tokenization failed");

    if (prepare_scratch(tk, e))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    const tok_normalized *t = st.text;
    tok_pieces *out = &e->seq[which];
    out->len = 0;
    bool track = tok_trunc_tracking(tk, o, e, which);
    for (size_t i = 0; i < st.splits->len; i++) {
        tok_split s = st.splits->v[i];
        if (s.end <= s.start)
            continue;
        size_t first = out->len;
        if (s.id >= 0) {
            rc = tok_pieces_push(out, s.id, 0, s.end - s.start);
        } else {
            rc = tokenize_word(tk, e, t->text + s.start, s.end - s.start,
                               out);
        }
        if (rc)
            return tok_error_set(err, rc, "%s failed",
                                 tk->model->ops->name);
        if (track && tok_trunc_note_split(e, which, out->len, s.id >= 0))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        /* Word-relative byte offsets -> offsets in the original input. */
        for (size_t j = first; j < out->len; j++) {
            tok_piece *p = &out->v[j];
            uint32_t a = s.start + p->start, z = s.start + p->end;
            if (z > a) {
                p->start = t->align[a].start;
                p->end = t->align[z - 1].end;
            } else {
                p->start = p->end = a < t->len ? t->align[a].start : 0;
            }
        }
    }

    if (o->offsets == TOK_OFFSETS_CHARS) {
        /* Byte offsets -> code point offsets through a prefix count. */
        if (TOK_GROW(e->char_index, e->char_index_cap, len + 1))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        uint32_t c = 0;
        const unsigned char *u = (const unsigned char *)text;
        for (size_t k = 0; k < len; k++) {
            e->char_index[k] = c;
            c += (u[k] & 0xC0) != 0x80;
        }
        e->char_index[len] = c;
        for (size_t j = 0; j < out->len; j++) {
            out->v[j].start = e->char_index[out->v[j].start];
            out->v[j].end = e->char_index[out->v[j].end];
        }
    }
    return TOK_OK;
}

int tok_encode(const tok_tokenizer *tk, const char *text, size_t len,
               const tok_encode_options *opts, tok_encoding *out,
               tok_error *err)
{
    const tok_encode_options *o = opts ? opts : &default_options;
    out->len = 0;
    tok_encoding_reset_overflow(out);
    int rc = encode_sequence(tk, text, len, o, out, 0, err);
    if (!rc)
        rc = tok_encoding_finish(tk, out, false, o, err);
    if (rc) {
        out->len = 0;
        if (rc == TOK_ENOMEM)
            tok_error_set(err, rc, "out of memory");
    }
    return rc;
}

int tok_encode_pair(const tok_tokenizer *tk, const char *a, size_t alen,
                    const char *b, size_t blen,
                    const tok_encode_options *opts, tok_encoding *out,
                    tok_error *err)
{
    const tok_encode_options *o = opts ? opts : &default_options;
    out->len = 0;
    tok_encoding_reset_overflow(out);
    int rc = encode_sequence(tk, a, alen, o, out, 0, err);
    if (!rc) {
        rc = encode_sequence(tk, b, blen, o, out, 1, err);
        if (rc && err)
            tok_error_prefix(err, "second text");
    }
    if (!rc)
        rc = tok_encoding_finish(tk, out, true, o, err);
    if (rc) {
        out->len = 0;
        if (rc == TOK_ENOMEM)
            tok_error_set(err, rc, "out of memory");
    }
    return rc;
}
