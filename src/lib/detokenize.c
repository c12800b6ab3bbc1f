/* detokenize: ids back to token strings, then through the decoder. */
#include <string.h>

#include "decode.h"
#include "tokenizer.h"

static const tok_decode_options default_options = TOK_DECODE_OPTIONS_INIT;

/* The token strings and the decoders' second list, reused from call to
 * call through the output buffer. */
struct tok_decode_work {
    tok_strlist pieces, tmp;
};

void tok_decode_work_free(struct tok_decode_work *w)
{
    if (!w)
        return;
    tok_strlist_dispose(&w->pieces);
    tok_strlist_dispose(&w->tmp);
    tok_free(w);
}

int tok_decode(const tok_tokenizer *tk, const int32_t *ids, size_t n,
               const tok_decode_options *opts, tok_buffer *out,
               tok_error *err)
{
    const tok_decode_options *o = opts ? opts : &default_options;
    out->len = 0;
    if (tok_buffer_reserve(out, 0))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    out->data[0] = '\0';
    if (!out->work && !(out->work = tok_calloc(1, sizeof *out->work)))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_strlist *pieces = &out->work->pieces, *tmp = &out->work->tmp;
    pieces->n = pieces->data_len = 0;
    int rc = TOK_OK;
    for (size_t i = 0; i < n; i++) {
        const tok_added_token *a = tok_added_by_id(&tk->added, ids[i]);
        const char *s;
        size_t len;
        if (a) {
            if (o->skip_special_tokens && a->special)
                continue;
            s = a->content;
            len = a->len;
        } else {
            s = tok_vocab_str(&tk->model->vocab, ids[i], &len);
            /* An id only the post-processor knows (a template token of a
             * file whose vocabulary lacks it): the template's string, as
             * encoding shows it, a special token.  (Hugging Face drops
             * such an id silently.) */
            const char *t = s ? NULL : tok_postproc_token(tk->postproc,
                                                           ids[i]);
            if (t && o->skip_special_tokens)
                continue;
            if (t) {
                s = t;
                len = strlen(t);
            }
        }
        if (!s) {
            size_t size = tok_vocab_size(tk);
            if (ids[i] >= 0 && (size_t)ids[i] < size)
                rc = tok_error_at(err, TOK_ERANGE, 0, i,
                                  "id %d has no token (the vocabulary "
                                  "skips it)", ids[i]);
            else
                rc = tok_error_at(err, TOK_ERANGE, 0, i,
                                  "id %d is out of range (vocabulary size "
                                  "%zu)", ids[i], size);
            goto done;
        }
        if (tok_strlist_push(pieces, s, len)) {
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (tk->decoder) {
        rc = tok_decoder_run(tk->decoder, pieces, tmp, out, err);
    } else {
        /* Without a decoder Hugging Face joins the tokens with spaces. */
        for (size_t i = 0; i < pieces->n && !rc; i++) {
            if (i && tok_buffer_append_char(out, ' '))
                rc = TOK_ENOMEM;
            if (!rc && tok_buffer_append(out, pieces->data + pieces->off[i],
                                         pieces->len[i]))
                rc = TOK_ENOMEM;
        }
        if (rc)
            tok_error_set(err, rc, "out of memory");
    }
done:
    if (rc)
        out->len = 0;
    return rc;
}
