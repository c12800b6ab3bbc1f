/* files: importing plain vocabulary files (BERT vocab.txt, GPT-2
 * merges.txt) into the tokenizers Hugging Face's converters build from
 * them, and the id and merge rules the tokenizer.json reader shares. */
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "unicode.h"
#include "utf8.h"

/* ------------------------------------------------------------------------
 * Lines of a text file
 * ------------------------------------------------------------------------ */

/* Both importers point at the first bad byte with its line, so that a
 * user can open the file there. */
static size_t line_of(const char *data, size_t offset)
{
    size_t line = 1;
    const char *p = data, *end = data + offset;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

static int check_text(const char *data, size_t len, const char *name,
                      tok_error *err)
{
    if (len == 0)
        return tok_error_at(err, TOK_EFORMAT, 0, 0, "%s: the file is empty",
                            name);
    size_t bad = tok_utf8_validate(data, len);
    if (bad < len) {
        size_t line = line_of(data, bad);
        return tok_error_at(err, TOK_EFORMAT, line, bad,
                            "%s:%zu: invalid UTF-8 at byte %zu", name, line,
                            bad);
    }
    return TOK_OK;
}

/* Rust's str::trim_end, which Hugging Face applies to each vocab.txt line:
 * it drops trailing White_Space characters, not only ASCII ones. */
static size_t trim_end(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    while (len > 0) {
        size_t start = len - 1;
        while (start > 0 && len - start < 4 && (u[start] & 0xC0) == 0x80)
            start--;
        uint32_t cp;
        size_t n = tok_utf8_decode(u, len, start, &cp);
        if (n != len - start || !tok_uni_is_space(cp))
            break;
        len = start;
    }
    return len;
}

static void quote_token(char *out, size_t outsz, const char *s, size_t len)
{
    /* Long tokens are cut for the message; the cut may split a character,
     * which is harmless in a diagnostic. */
    int n = len > 60 ? 60 : (int)len;
    snprintf(out, outsz, "\"%.*s%s\"", n, s, len > 60 ? "..." : "");
}

/* ------------------------------------------------------------------------
 * vocab.txt
 * ------------------------------------------------------------------------ */

int tok_vocab_txt_read(tok_vocab *v, const char *data, size_t len,
                       const char *name, tok_error *err)
{
    int rc = check_text(data, len, name, err);
    if (rc)
        return rc;
    size_t pos = 0, line = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        const char *tok = data + pos;
        size_t tlen = trim_end(tok, end - pos);
        line++;
        if (line > (size_t)INT32_MAX)
            return tok_error_at(err, TOK_EFORMAT, line, pos,
                                "%s:%zu: too many lines", name, line);
        /* The tokenizer.json reader refuses U+0000 in strings, so such a
         * token would make a tokenizer that cannot be loaded once saved. */
        const char *nul = memchr(tok, '\0', tlen);
        if (nul)
            return tok_error_at(err, TOK_EUNSUPPORTED, line,
                                (size_t)(nul - data),
                                "%s:%zu: a token holding U+0000 is not "
                                "supported", name, line);
        int32_t old = tok_vocab_find(v, tok, tlen);
        if (old >= 0) {
            char q[80];
            quote_token(q, sizeof q, tok, tlen);
            return tok_error_at(err, TOK_EFORMAT, line, pos,
                                "%s:%zu: token %s is already on line %d",
                                name, line, q, old + 1);
        }
        rc = tok_vocab_add(v, tok, tlen, (int32_t)(line - 1), err);
        if (rc) {
            tok_error_prefix(err, name);
            return rc;
        }
        pos = end + 1;
    }
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Merges
 * ------------------------------------------------------------------------ */

int tok_merge_append(tok_model *m, size_t *cap, const char *a, size_t alen,
                     const char *b, size_t blen, tok_error *err)
{
    char q[80];
    int32_t left = tok_vocab_find(&m->vocab, a, alen);
    if (left < 0) {
        quote_token(q, sizeof q, a, alen);
        return tok_error_set(err, TOK_EFORMAT,
                             "token %s is not in the vocabulary", q);
    }
    int32_t right = tok_vocab_find(&m->vocab, b, blen);
    if (right < 0) {
        quote_token(q, sizeof q, b, blen);
        return tok_error_set(err, TOK_EFORMAT,
                             "token %s is not in the vocabulary", q);
    }
    /* Hugging Face drops the continuing-subword prefix from the right part
     * by length, without checking that it is there. */
    size_t plen = m->continuing_subword_prefix
        ? strlen(m->continuing_subword_prefix) : 0;
    if (blen < plen) {
        quote_token(q, sizeof q, b, blen);
        return tok_error_set(err, TOK_EFORMAT,
                             "token %s is shorter than the "
                             "continuing_subword_prefix", q);
    }
    size_t mlen = alen + blen - plen;
    char small[256];
    char *merged = mlen <= sizeof small ? small : tok_malloc(mlen);
    if (!merged)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    memcpy(merged, a, alen);
    memcpy(merged + alen, b + plen, blen - plen);
    int32_t result = tok_vocab_find(&m->vocab, merged, mlen);
    if (result < 0)
        quote_token(q, sizeof q, merged, mlen);
    if (merged != small)
        tok_free(merged);
    if (result < 0)
        return tok_error_set(err, TOK_EFORMAT,
                             "merged token %s is not in the vocabulary", q);
    if (m->nmerges == *cap && TOK_GROW(m->merges, *cap, m->nmerges + 1))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    m->merges[m->nmerges].left = left;
    m->merges[m->nmerges].right = right;
    m->merges[m->nmerges].result = result;
    m->nmerges++;
    return TOK_OK;
}

static size_t pair_hash(int32_t l, int32_t r, size_t mask)
{
    uint64_t k = ((uint64_t)(uint32_t)l << 32) | (uint32_t)r;
    k *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(k >> 29) & mask;
}

int tok_merges_dedup(tok_model *m, tok_error *err)
{
    size_t n = m->nmerges;
    if (n < 2)
        return TOK_OK;
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    size_t *slots = tok_malloc(nslots * sizeof *slots);
    if (!slots)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    memset(slots, 0xff, nslots * sizeof *slots);
    size_t mask = nslots - 1;
    bool dup = false;
    for (size_t i = 0; i < n; i++) {
        const tok_merge *g = &m->merges[i];
        size_t s = pair_hash(g->left, g->right, mask);
        while (slots[s] != SIZE_MAX) {
            const tok_merge *o = &m->merges[slots[s]];
            if (o->left == g->left && o->right == g->right)
                break;
            s = (s + 1) & mask;
        }
        dup |= slots[s] != SIZE_MAX;
        slots[s] = i;       /* the later entry wins, as in a HashMap */
    }
    if (dup) {
        /* Decide first, move afterwards: the probes compare entries by
         * index, so nothing may move while they run. */
        unsigned char *keep = tok_malloc(n);
        if (!keep) {
            tok_free(slots);
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            const tok_merge *g = &m->merges[i];
            size_t s = pair_hash(g->left, g->right, mask);
            while (m->merges[slots[s]].left != g->left ||
                   m->merges[slots[s]].right != g->right)
                s = (s + 1) & mask;
            keep[i] = slots[s] == i;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i])
                m->merges[k++] = m->merges[i];
        m->nmerges = k;
        tok_free(keep);
    }
    tok_free(slots);
    return TOK_OK;
}

int tok_merges_txt_read(tok_model *m, const char *data, size_t len,
                        const char *name, tok_error *err)
{
    int rc = check_text(data, len, name, err);
    if (rc)
        return rc;
    size_t cap = m->nmerges;
    size_t pos = 0, line = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t llen = end - pos;
        const char *s = data + pos;
        line++;
        if (llen > 0 && s[llen - 1] == '\r')
            llen--;
        if (!(llen >= 8 && memcmp(s, "#version", 8) == 0)) {
            const char *sp = memchr(s, ' ', llen);
            if (!sp || memchr(sp + 1, ' ', llen - (size_t)(sp + 1 - s)))
                return tok_error_at(err, TOK_EFORMAT, line, pos,
                                    "%s:%zu: expected two tokens separated "
                                    "by one space", name, line);
            size_t alen = (size_t)(sp - s);
            rc = tok_merge_append(m, &cap, s, alen, sp + 1, llen - alen - 1,
                                  err);
            if (rc) {
                char where[300];
                snprintf(where, sizeof where, "%s:%zu", name, line);
                tok_error_prefix(err, where);
                if (err) {
                    err->line = line;
                    err->offset = pos;
                }
                return rc;
            }
        }
        pos = end + 1;
    }
    return tok_merges_dedup(m, err);
}

/* ------------------------------------------------------------------------
 * Added tokens
 * ------------------------------------------------------------------------ */

/* Slots index the existing tokens (below a->n) and then the new ones, so
 * that a repeated content is found wherever its first copy is. */
static size_t content_slot(const size_t *slots, size_t mask,
                           const tok_added_vocab *a,
                           const tok_added_token *fresh, const char *s,
                           size_t len)
{
    size_t i = (size_t)tok_hash_bytes(s, len) & mask;
    while (slots[i] != SIZE_MAX) {
        const tok_added_token *t = slots[i] < a->n ? &a->v[slots[i]]
                                                   : &fresh[slots[i] - a->n];
        if (t->len == len && memcmp(t->content, s, len) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

int tok_added_assign(tok_tokenizer *tk, const tok_added_token *tokens,
                     size_t n, tok_error *err)
{
    tok_added_vocab *a = &tk->added;
    /* Hugging Face's get_vocab_size: the number of entries, which is less
     * than the highest id + 1 when the vocabulary leaves ids unused. */
    size_t vsize = tk->model ? tk->model->vocab.count : 0;
    /* The next new id, as Hugging Face computes it once per call. */
    int64_t next = (int64_t)vsize;
    if (a->n > 0) {
        int32_t max = a->v[0].id;
        for (size_t i = 1; i < a->n; i++)
            if (a->v[i].id > max)
                max = a->v[i].id;
        if ((size_t)max >= vsize || vsize == 0)
            next = (int64_t)max + 1;
    }
    size_t nslots = 16;
    while (nslots < 2 * (a->n + n))
        nslots *= 2;
    size_t *slots = tok_malloc(nslots * sizeof *slots);
    tok_added_token *fresh = tok_calloc(n, sizeof *fresh);
    if (!slots || !fresh) {
        tok_free(slots);
        tok_free(fresh);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    memset(slots, 0xff, nslots * sizeof *slots);
    size_t mask = nslots - 1, nfresh = 0;
    for (size_t i = 0; i < a->n; i++)
        slots[content_slot(slots, mask, a, fresh, a->v[i].content,
                           a->v[i].len)] = i;

    int rc = TOK_OK;
    for (size_t i = 0; i < n; i++) {
        const tok_added_token *t = &tokens[i];
        if (t->len == 0)
            continue;
        size_t s = content_slot(slots, mask, a, fresh, t->content, t->len);
        if (slots[s] != SIZE_MAX) {
            /* The same content again: the later flags replace the
             * earlier ones under the same id. */
            tok_added_token *old = slots[s] < a->n
                ? &a->v[slots[s]] : &fresh[slots[s] - a->n];
            int32_t id = old->id;
            char *content = old->content;
            *old = *t;
            old->id = id;
            old->content = content;
            continue;
        }
        int32_t id = tk->model
            ? tok_vocab_find(&tk->model->vocab, t->content, t->len) : -1;
        if (id < 0) {
            if (next >= INT32_MAX) {
                rc = tok_error_set(err, TOK_EFORMAT, "too many tokens");
                break;
            }
            id = (int32_t)next++;
        }
        fresh[nfresh] = *t;
        fresh[nfresh].id = id;
        slots[s] = a->n + nfresh++;
    }
    /* tok_added_push keeps the list in id order. */
    for (size_t i = 0; i < nfresh && rc == TOK_OK; i++)
        if (tok_added_push(a, &fresh[i]))
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_free(slots);
    tok_free(fresh);
    return rc;
}

/* ------------------------------------------------------------------------
 * BERT vocab.txt -> the classic BERT pipeline
 * ------------------------------------------------------------------------ */

static int set_special(tok_template_special *sp, const char *name,
                       int32_t id)
{
    sp->name = tok_strdup(name);
    sp->ids = tok_malloc(sizeof *sp->ids);
    sp->tokens = tok_malloc(sizeof *sp->tokens);
    if (!sp->name || !sp->ids || !sp->tokens)
        return TOK_ENOMEM;
    sp->tokens[0] = tok_strdup(name);
    if (!sp->tokens[0])
        return TOK_ENOMEM;
    sp->ids[0] = id;
    sp->n = 1;
    return TOK_OK;
}

static int set_piece(tok_template_piece *p, const char *special, int seq,
                     uint32_t type_id)
{
    p->is_sequence = special == NULL;
    p->sequence = seq;
    p->type_id = type_id;
    if (special && !(p->special = tok_strdup(special)))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* "[CLS] $A [SEP]" and "[CLS] $A [SEP] $B:1 [SEP]:1" with the two special
 * tokens, as transformers' BertConverter writes them. */
static tok_postproc *bert_template(const char *cls, int32_t cls_id,
                                   const char *sep, int32_t sep_id)
{
    tok_postproc *p = tok_postproc_new(TOK_POST_TEMPLATE);
    if (!p)
        return NULL;
    p->single = tok_calloc(3, sizeof *p->single);
    p->pair = tok_calloc(5, sizeof *p->pair);
    bool same = strcmp(cls, sep) == 0;
    p->specials = tok_calloc(2, sizeof *p->specials);
    if (!p->single || !p->pair || !p->specials)
        goto fail;
    p->nsingle = 3;
    p->npair = 5;
    if (set_piece(&p->single[0], cls, 0, 0) ||
        set_piece(&p->single[1], NULL, 0, 0) ||
        set_piece(&p->single[2], sep, 0, 0) ||
        set_piece(&p->pair[0], cls, 0, 0) ||
        set_piece(&p->pair[1], NULL, 0, 0) ||
        set_piece(&p->pair[2], sep, 0, 0) ||
        set_piece(&p->pair[3], NULL, 1, 1) ||
        set_piece(&p->pair[4], sep, 0, 1))
        goto fail;
    /* special_tokens is a map sorted by name in the file. */
    bool cls_first = strcmp(cls, sep) < 0;
    p->nspecials = same ? 1 : 2;
    if (set_special(&p->specials[0], cls_first ? cls : sep,
                    cls_first ? cls_id : sep_id))
        goto fail;
    if (!same && set_special(&p->specials[1], cls_first ? sep : cls,
                             cls_first ? sep_id : cls_id))
        goto fail;
    return p;
fail:
    tok_postproc_free(p);
    return NULL;
}

static int32_t require_token(const tok_model *m, const char *path,
                             const char *what, const char *tok,
                             tok_error *err)
{
    int32_t id = tok_vocab_find(&m->vocab, tok, strlen(tok));
    if (id < 0)
        tok_error_set(err, TOK_EFORMAT,
                      "%s: the %s token \"%s\" is not in the vocabulary",
                      path, what, tok);
    return id;
}

int tok_tokenizer_from_bert_vocab(tok_tokenizer **out,
                                  const char *vocab_txt_path,
                                  const tok_bert_options *opts,
                                  tok_error *err)
{
    static const tok_bert_options defaults = TOK_BERT_OPTIONS_INIT;
    if (!out || !vocab_txt_path)
        return tok_error_set(err, TOK_EINVAL, "no output or path given");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    const char *unk = opts->unk_token ? opts->unk_token : "[UNK]";
    const char *cls = opts->cls_token ? opts->cls_token : "[CLS]";
    const char *sep = opts->sep_token ? opts->sep_token : "[SEP]";
    const char *pad = opts->pad_token ? opts->pad_token : "[PAD]";
    const char *mask = opts->mask_token ? opts->mask_token : "[MASK]";

    char *data;
    size_t len;
    int rc = tok_read_file(vocab_txt_path, &data, &len, err);
    if (rc)
        return rc;
    tok_tokenizer *tk = tok_tokenizer_new();
    if (!tk) {
        tok_free(data);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    tok_model *m = tk->model = tok_model_new(TOK_MODEL_WORDPIECE);
    if (!m)
        goto nomem;
    rc = tok_vocab_txt_read(&m->vocab, data, len, vocab_txt_path, err);
    tok_free(data);
    data = NULL;
    if (rc)
        goto fail;
    m->unk_token = tok_strdup(unk);
    m->continuing_subword_prefix = tok_strdup("##");
    if (!m->unk_token || !m->continuing_subword_prefix)
        goto nomem;
    m->max_input_chars_per_word = opts->max_input_chars_per_word
        ? opts->max_input_chars_per_word : 100;
    /* Hugging Face would load these anyway and fail at encode time; an
     * import names the missing token at once instead. */
    int32_t cls_id, sep_id;
    if (require_token(m, vocab_txt_path, "unk", unk, err) < 0 ||
        (cls_id = require_token(m, vocab_txt_path, "cls", cls, err)) < 0 ||
        (sep_id = require_token(m, vocab_txt_path, "sep", sep, err)) < 0) {
        rc = TOK_EFORMAT;
        goto fail;
    }
    if ((rc = tok_model_build(m, err)) != TOK_OK) {
        tok_error_prefix(err, vocab_txt_path);
        goto fail;
    }
    if (!(tk->normalizer = tok_normalizer_new(TOK_NORM_BERT)))
        goto nomem;
    tk->normalizer->u.bert.clean_text = true;
    tk->normalizer->u.bert.handle_chinese_chars = true;
    tk->normalizer->u.bert.strip_accents = -1;
    tk->normalizer->u.bert.lowercase = opts->lowercase != 0;
    if (!(tk->pretok = tok_pretok_new(TOK_PT_BERT)))
        goto nomem;
    if (!(tk->postproc = bert_template(cls, cls_id, sep, sep_id)))
        goto nomem;
    if (!(tk->decoder = tok_decoder_new(TOK_DEC_WORDPIECE)))
        goto nomem;
    if (!(tk->decoder->u.wordpiece.prefix = tok_strdup("##")))
        goto nomem;
    tk->decoder->u.wordpiece.cleanup = true;

    /* transformers adds the special tokens in this order, which only
     * matters for ids of tokens missing from the vocabulary. */
    const char *specials[5] = {unk, sep, pad, cls, mask};
    tok_added_token added[5];
    memset(added, 0, sizeof added);
    for (int i = 0; i < 5; i++) {
        added[i].content = (char *)specials[i];
        added[i].len = strlen(specials[i]);
        added[i].special = true;
    }
    if ((rc = tok_added_assign(tk, added, 5, err)) != TOK_OK)
        goto fail;
    if ((rc = tok_tokenizer_finish(tk, err)) != TOK_OK)
        goto fail;
    *out = tk;
    return TOK_OK;
nomem:
    rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
fail:
    tok_free(data);
    tok_tokenizer_free(tk);
    return rc;
}

/* ------------------------------------------------------------------------
 * GPT-2 vocab.json + merges.txt -> byte-level BPE
 * ------------------------------------------------------------------------ */

int tok_tokenizer_from_gpt2_files(tok_tokenizer **out,
                                  const char *vocab_json_path,
                                  const char *merges_txt_path,
                                  const char *const *special,
                                  tok_error *err)
{
    static const char *const eot[] = {"<|endoftext|>", NULL};
    if (!out || !vocab_json_path || !merges_txt_path)
        return tok_error_set(err, TOK_EINVAL, "no output or path given");
    *out = NULL;
    char *data = NULL;
    size_t len;
    tok_added_token *added = NULL;
    int rc = tok_read_file(vocab_json_path, &data, &len, err);
    if (rc)
        return rc;
    tok_tokenizer *tk = tok_tokenizer_new();
    if (!tk) {
        tok_free(data);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    tok_model *m = tk->model = tok_model_new(TOK_MODEL_BPE);
    if (!m)
        goto nomem;
    /* The GPT-2 converter spells "no prefix" and "no suffix" as "". */
    m->continuing_subword_prefix = tok_strdup("");
    m->end_of_word_suffix = tok_strdup("");
    if (!m->continuing_subword_prefix || !m->end_of_word_suffix)
        goto nomem;
    rc = tok_vocab_json_read(&m->vocab, data, len, vocab_json_path, err);
    tok_free(data);
    data = NULL;
    if (rc)
        goto fail;
    if ((rc = tok_read_file(merges_txt_path, &data, &len, err)) != TOK_OK)
        goto fail;
    rc = tok_merges_txt_read(m, data, len, merges_txt_path, err);
    tok_free(data);
    data = NULL;
    if (rc)
        goto fail;
    m->merges_as_strings = true;
    if ((rc = tok_model_build(m, err)) != TOK_OK) {
        tok_error_prefix(err, vocab_json_path);
        goto fail;
    }

    if (!(tk->pretok = tok_pretok_new(TOK_PT_BYTELEVEL)))
        goto nomem;
    tk->pretok->u.bytelevel.add_prefix_space = false;
    tk->pretok->u.bytelevel.trim_offsets = true;
    tk->pretok->u.bytelevel.use_regex = true;
    if (!(tk->postproc = tok_postproc_new(TOK_POST_BYTELEVEL)))
        goto nomem;
    tk->postproc->add_prefix_space = true;
    tk->postproc->trim_offsets = false;
    tk->postproc->use_regex = true;
    if (!(tk->decoder = tok_decoder_new(TOK_DEC_BYTELEVEL)))
        goto nomem;
    tk->decoder->u.bytelevel.add_prefix_space = true;
    tk->decoder->u.bytelevel.trim_offsets = true;
    tk->decoder->u.bytelevel.use_regex = true;

    bool implicit = special == NULL;
    if (implicit)
        special = eot;
    size_t n = 0;
    while (special[n])
        n++;
    if (n && !(added = tok_calloc(n, sizeof *added)))
        goto nomem;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t slen = strlen(special[i]);
        if (tok_vocab_find(&m->vocab, special[i], slen) < 0) {
            if (implicit)
                continue;
            rc = tok_error_set(err, TOK_EINVAL,
                               "%s: special token \"%s\" is not in the "
                               "vocabulary", vocab_json_path, special[i]);
            goto fail;
        }
        added[k].content = (char *)special[i];
        added[k].len = slen;
        added[k].special = true;
        k++;
    }
    if ((rc = tok_added_assign(tk, added, k, err)) != TOK_OK)
        goto fail;
    tok_free(added);
    added = NULL;
    if ((rc = tok_tokenizer_finish(tk, err)) != TOK_OK)
        goto fail;
    *out = tk;
    return TOK_OK;
nomem:
    rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
fail:
    tok_free(added);
    tok_free(data);
    tok_tokenizer_free(tk);
    return rc;
}
