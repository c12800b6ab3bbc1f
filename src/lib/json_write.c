/* files: the tokenizer.json writer.  It lays the file out byte for byte
 * as tokenizers 0.23.2's Tokenizer.save(path, pretty=true) does: serde's
 * field order for each component and serde_json's pretty printer (two
 * spaces per level, "key": value, empty containers as {} and []). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

/* Deeper than anything the reader accepts (Sequence nesting is capped),
 * so only a hand-built tokenizer can reach it. */
#define MAX_LEVELS 256

typedef struct writer {
    tok_buffer *b;
    int depth;
    bool first[MAX_LEVELS];  /* no member written yet at this level */
    int rc;                  /* sticky: the first failure */
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->rc == TOK_OK && tok_buffer_append(w->b, s, n))
        w->rc = TOK_ENOMEM;
}

static void puts_(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void newline(writer *w)
{
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    size_t n = (size_t)w->depth * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(w, spaces, k);
        n -= k;
    }
}

int tok_json_put_string(tok_buffer *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (tok_buffer_reserve(out, len + 2))
        return TOK_ENOMEM;
    if (tok_buffer_append_char(out, '"'))
        return TOK_ENOMEM;
    size_t run = 0;     /* bytes copied as they are, in one append */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t n = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            n = 2;
        } else if (c < 0x20) {
            esc[0] = '\\';
            n = 2;
            switch (c) {
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default:
                memcpy(esc + 1, "u00", 3);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                n = 6;
            }
        } else {
            run++;
            continue;
        }
        if (tok_buffer_append(out, s + i - run, run) ||
            tok_buffer_append(out, esc, n))
            return TOK_ENOMEM;
        run = 0;
    }
    if (tok_buffer_append(out, s + len - run, run) ||
        tok_buffer_append_char(out, '"'))
        return TOK_ENOMEM;
    return TOK_OK;
}

static void str_n(writer *w, const char *s, size_t n)
{
    if (w->rc != TOK_OK)
        return;
    /* The reader refuses U+0000 in strings (cJSON ends them there): a
     * file tok could not load back is not written at all. */
    if (memchr(s, '\0', n))
        w->rc = TOK_EUNSUPPORTED;
    else if (tok_json_put_string(w->b, s, n))
        w->rc = TOK_ENOMEM;
}

static void str(writer *w, const char *s)
{
    str_n(w, s, strlen(s));
}

static void open_(writer *w, char c)
{
    put(w, &c, 1);
    if (w->depth + 1 >= MAX_LEVELS) {
        if (w->rc == TOK_OK)
            w->rc = TOK_EINVAL;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
}

static void close_(writer *w, char c)
{
    if (w->rc != TOK_OK)
        return;
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        newline(w);
    put(w, &c, 1);
}

static void obj(writer *w) { open_(w, '{'); }
static void obj_end(writer *w) { close_(w, '}'); }
static void arr(writer *w) { open_(w, '['); }
static void arr_end(writer *w) { close_(w, ']'); }

/* Starts the next element of the array being written. */
static void elem(writer *w)
{
    if (w->rc != TOK_OK)
        return;
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    newline(w);
}

static void key(writer *w, const char *k)
{
    elem(w);
    str(w, k);
    put(w, ": ", 2);
}

static void v_bool(writer *w, bool v) { puts_(w, v ? "true" : "false"); }
static void v_null(writer *w) { puts_(w, "null"); }

static void v_u64(writer *w, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%" PRIu64, v);
    put(w, buf, (size_t)n);
}

static void v_opt_str(writer *w, const char *s)
{
    if (s)
        str(w, s);
    else
        v_null(w);
}

static void k_bool(writer *w, const char *k, bool v)
{
    key(w, k);
    v_bool(w, v);
}

static void k_str(writer *w, const char *k, const char *s)
{
    key(w, k);
    str(w, s ? s : "");
}

static void k_u64(writer *w, const char *k, uint64_t v)
{
    key(w, k);
    v_u64(w, v);
}

static void k_type(writer *w, const char *type)
{
    obj(w);
    k_str(w, "type", type);
}

/* ------------------------------------------------------------------------
 * Components
 * ------------------------------------------------------------------------ */

static const char *scheme_name(tok_prepend_scheme s)
{
    switch (s) {
    case TOK_PREPEND_ALWAYS: return "always";
    case TOK_PREPEND_NEVER: return "never";
    case TOK_PREPEND_FIRST: return "first";
    }
    return "always";
}

static void pattern_kind(writer *w, const char *kind, const char *pattern)
{
    key(w, "pattern");
    obj(w);
    k_str(w, kind, pattern);
    obj_end(w);
}

static void string_pattern(writer *w, const char *pattern)
{
    pattern_kind(w, "String", pattern);
}

static void write_normalizer(writer *w, const tok_normalizer *n)
{
    if (!n) {
        v_null(w);
        return;
    }
    switch (n->type) {
    case TOK_NORM_BERT:
        k_type(w, "BertNormalizer");
        k_bool(w, "clean_text", n->u.bert.clean_text);
        k_bool(w, "handle_chinese_chars", n->u.bert.handle_chinese_chars);
        key(w, "strip_accents");
        if (n->u.bert.strip_accents < 0)
            v_null(w);
        else
            v_bool(w, n->u.bert.strip_accents != 0);
        k_bool(w, "lowercase", n->u.bert.lowercase);
        break;
    case TOK_NORM_NFC: k_type(w, "NFC"); break;
    case TOK_NORM_NFD: k_type(w, "NFD"); break;
    case TOK_NORM_NFKC: k_type(w, "NFKC"); break;
    case TOK_NORM_NFKD: k_type(w, "NFKD"); break;
    case TOK_NORM_LOWERCASE: k_type(w, "Lowercase"); break;
    case TOK_NORM_STRIP_ACCENTS: k_type(w, "StripAccents"); break;
    case TOK_NORM_STRIP:
        k_type(w, "Strip");
        k_bool(w, "strip_left", n->u.strip.left);
        k_bool(w, "strip_right", n->u.strip.right);
        break;
    case TOK_NORM_REPLACE:
        k_type(w, "Replace");
        string_pattern(w, n->u.replace.pattern);
        k_str(w, "content", n->u.replace.content);
        break;
    case TOK_NORM_PREPEND:
        k_type(w, "Prepend");
        k_str(w, "prepend", n->u.prepend.prepend);
        break;
    case TOK_NORM_SEQUENCE:
        k_type(w, "Sequence");
        key(w, "normalizers");
        arr(w);
        for (size_t i = 0; i < n->u.seq.n; i++) {
            elem(w);
            write_normalizer(w, n->u.seq.items[i]);
        }
        arr_end(w);
        break;
    }
    obj_end(w);
}

static void bytelevel_fields(writer *w, bool add_prefix_space,
                             bool trim_offsets, bool use_regex)
{
    k_type(w, "ByteLevel");
    k_bool(w, "add_prefix_space", add_prefix_space);
    k_bool(w, "trim_offsets", trim_offsets);
    k_bool(w, "use_regex", use_regex);
}

static void metaspace_fields(writer *w, const char *replacement,
                             tok_prepend_scheme scheme, bool split)
{
    k_type(w, "Metaspace");
    k_str(w, "replacement", replacement);
    k_str(w, "prepend_scheme", scheme_name(scheme));
    k_bool(w, "split", split);
}

static void write_pretok(writer *w, const tok_pretok *p)
{
    if (!p) {
        v_null(w);
        return;
    }
    switch (p->type) {
    case TOK_PT_BERT: k_type(w, "BertPreTokenizer"); break;
    case TOK_PT_WHITESPACE: k_type(w, "Whitespace"); break;
    case TOK_PT_WHITESPACE_SPLIT: k_type(w, "WhitespaceSplit"); break;
    case TOK_PT_PUNCTUATION:
        k_type(w, "Punctuation");
        k_str(w, "behavior", tok_split_behavior_names[p->u.punct.behavior]);
        break;
    case TOK_PT_DIGITS:
        k_type(w, "Digits");
        k_bool(w, "individual_digits", p->u.digits.individual_digits);
        break;
    case TOK_PT_BYTELEVEL:
        bytelevel_fields(w, p->u.bytelevel.add_prefix_space,
                         p->u.bytelevel.trim_offsets,
                         p->u.bytelevel.use_regex);
        break;
    case TOK_PT_METASPACE:
        metaspace_fields(w, p->u.metaspace.replacement,
                         p->u.metaspace.prepend_scheme,
                         p->u.metaspace.split);
        break;
    case TOK_PT_SPLIT:
        k_type(w, "Split");
        pattern_kind(w, p->u.split.regex ? "Regex" : "String",
                     p->u.split.pattern);
        k_str(w, "behavior", tok_split_behavior_names[p->u.split.behavior]);
        k_bool(w, "invert", p->u.split.invert);
        break;
    case TOK_PT_SEQUENCE:
        k_type(w, "Sequence");
        key(w, "pretokenizers");
        arr(w);
        for (size_t i = 0; i < p->u.seq.n; i++) {
            elem(w);
            write_pretok(w, p->u.seq.items[i]);
        }
        arr_end(w);
        break;
    }
    obj_end(w);
}

static void write_template(writer *w, const char *name,
                           const tok_template_piece *t, size_t n)
{
    key(w, name);
    arr(w);
    for (size_t i = 0; i < n; i++) {
        elem(w);
        obj(w);
        if (t[i].is_sequence) {
            key(w, "Sequence");
            obj(w);
            k_str(w, "id", t[i].sequence ? "B" : "A");
        } else {
            key(w, "SpecialToken");
            obj(w);
            k_str(w, "id", t[i].special);
        }
        k_u64(w, "type_id", t[i].type_id);
        obj_end(w);
        obj_end(w);
    }
    arr_end(w);
}

/* (token, id) pairs are serde tuples: arrays of two. */
static void token_pair(writer *w, const char *name, const char *tok,
                       int32_t id)
{
    key(w, name);
    arr(w);
    elem(w);
    str(w, tok ? tok : "");
    elem(w);
    v_u64(w, (uint64_t)(uint32_t)id);
    arr_end(w);
}

static void write_postproc(writer *w, const tok_postproc *p)
{
    if (!p) {
        v_null(w);
        return;
    }
    switch (p->type) {
    case TOK_POST_TEMPLATE:
        k_type(w, "TemplateProcessing");
        write_template(w, "single", p->single, p->nsingle);
        write_template(w, "pair", p->pair, p->npair);
        key(w, "special_tokens");
        obj(w);
        for (size_t i = 0; i < p->nspecials; i++) {
            const tok_template_special *s = &p->specials[i];
            key(w, s->name);
            obj(w);
            k_str(w, "id", s->name);
            key(w, "ids");
            arr(w);
            for (size_t j = 0; j < s->n; j++) {
                elem(w);
                v_u64(w, (uint64_t)(uint32_t)s->ids[j]);
            }
            arr_end(w);
            key(w, "tokens");
            arr(w);
            for (size_t j = 0; j < s->n; j++) {
                elem(w);
                str(w, s->tokens[j]);
            }
            arr_end(w);
            obj_end(w);
        }
        obj_end(w);
        break;
    case TOK_POST_BERT:
        k_type(w, "BertProcessing");
        token_pair(w, "sep", p->sep_token, p->sep_id);
        token_pair(w, "cls", p->cls_token, p->cls_id);
        break;
    case TOK_POST_ROBERTA:
        k_type(w, "RobertaProcessing");
        token_pair(w, "sep", p->sep_token, p->sep_id);
        token_pair(w, "cls", p->cls_token, p->cls_id);
        k_bool(w, "trim_offsets", p->trim_offsets);
        k_bool(w, "add_prefix_space", p->add_prefix_space);
        break;
    case TOK_POST_BYTELEVEL:
        bytelevel_fields(w, p->add_prefix_space, p->trim_offsets,
                         p->use_regex);
        break;
    case TOK_POST_SEQUENCE:
        k_type(w, "Sequence");
        key(w, "processors");
        arr(w);
        for (size_t i = 0; i < p->nitems; i++) {
            elem(w);
            write_postproc(w, p->items[i]);
        }
        arr_end(w);
        break;
    }
    obj_end(w);
}

static void write_decoder(writer *w, const tok_decoder *d)
{
    if (!d) {
        v_null(w);
        return;
    }
    switch (d->type) {
    case TOK_DEC_WORDPIECE:
        k_type(w, "WordPiece");
        k_str(w, "prefix", d->u.wordpiece.prefix);
        k_bool(w, "cleanup", d->u.wordpiece.cleanup);
        break;
    case TOK_DEC_BYTELEVEL:
        bytelevel_fields(w, d->u.bytelevel.add_prefix_space,
                         d->u.bytelevel.trim_offsets,
                         d->u.bytelevel.use_regex);
        break;
    case TOK_DEC_METASPACE:
        metaspace_fields(w, d->u.metaspace.replacement,
                         d->u.metaspace.prepend_scheme,
                         d->u.metaspace.split);
        break;
    case TOK_DEC_BPE:
        k_type(w, "BPEDecoder");
        k_str(w, "suffix", d->u.bpe.suffix);
        break;
    case TOK_DEC_BYTE_FALLBACK: k_type(w, "ByteFallback"); break;
    case TOK_DEC_FUSE: k_type(w, "Fuse"); break;
    case TOK_DEC_STRIP:
        k_type(w, "Strip");
        k_str(w, "content", d->u.strip.content);
        k_u64(w, "start", d->u.strip.start);
        k_u64(w, "stop", d->u.strip.stop);
        break;
    case TOK_DEC_REPLACE:
        k_type(w, "Replace");
        string_pattern(w, d->u.replace.pattern);
        k_str(w, "content", d->u.replace.content);
        break;
    case TOK_DEC_SEQUENCE:
        k_type(w, "Sequence");
        key(w, "decoders");
        arr(w);
        for (size_t i = 0; i < d->u.seq.n; i++) {
            elem(w);
            write_decoder(w, d->u.seq.items[i]);
        }
        arr_end(w);
        break;
    }
    obj_end(w);
}

/* Hugging Face writes the vocabulary in id order and skips holes. */
static void write_vocab(writer *w, const tok_vocab *v)
{
    key(w, "vocab");
    obj(w);
    for (size_t id = 0; id < v->size && w->rc == TOK_OK; id++) {
        size_t len;
        const char *s = tok_vocab_str(v, (int32_t)id, &len);
        if (!s)
            continue;
        elem(w);
        str_n(w, s, len);
        put(w, ": ", 2);
        v_u64(w, id);
    }
    obj_end(w);
}

static void write_model(writer *w, const tok_model *m)
{
    if (m->type == TOK_MODEL_WORDPIECE) {
        k_type(w, "WordPiece");
        k_str(w, "unk_token", m->unk_token);
        k_str(w, "continuing_subword_prefix", m->continuing_subword_prefix);
        k_u64(w, "max_input_chars_per_word", m->max_input_chars_per_word);
        write_vocab(w, &m->vocab);
        obj_end(w);
        return;
    }
    k_type(w, "BPE");
    key(w, "dropout");
    v_null(w);
    key(w, "unk_token");
    v_opt_str(w, m->unk_token);
    key(w, "continuing_subword_prefix");
    v_opt_str(w, m->continuing_subword_prefix);
    key(w, "end_of_word_suffix");
    v_opt_str(w, m->end_of_word_suffix);
    k_bool(w, "fuse_unk", m->fuse_unk);
    k_bool(w, "byte_fallback", m->byte_fallback);
    k_bool(w, "ignore_merges", m->ignore_merges);
    write_vocab(w, &m->vocab);
    /* 0.23 always writes merges as pairs, whichever form it read. */
    key(w, "merges");
    arr(w);
    for (size_t i = 0; i < m->nmerges && w->rc == TOK_OK; i++) {
        size_t llen = 0, rlen = 0;
        const char *l = tok_vocab_str(&m->vocab, m->merges[i].left, &llen);
        const char *r = tok_vocab_str(&m->vocab, m->merges[i].right, &rlen);
        if (!l || !r) {
            w->rc = TOK_EINVAL;
            break;
        }
        elem(w);
        arr(w);
        elem(w);
        str_n(w, l, llen);
        elem(w);
        str_n(w, r, rlen);
        arr_end(w);
    }
    arr_end(w);
    obj_end(w);
}

/* ------------------------------------------------------------------------
 * Kept JSON (truncation, padding)
 * ------------------------------------------------------------------------ */

int tok_json_reindent(tok_buffer *out, const char *json, size_t len,
                      int depth)
{
    writer w;
    memset(&w, 0, sizeof w);
    w.b = out;
    w.depth = depth;
    for (size_t i = 0; i < len && w.rc == TOK_OK; i++) {
        char c = json[i];
        switch (c) {
        case '{':
        case '[': {
            size_t j = i + 1;
            while (j < len && (json[j] == ' ' || json[j] == '\n' ||
                               json[j] == '\t' || json[j] == '\r'))
                j++;
            char close = c == '{' ? '}' : ']';
            if (j < len && json[j] == close) {
                put(&w, &c, 1);
                put(&w, &close, 1);
                i = j;
            } else {
                put(&w, &c, 1);
                w.depth++;
                newline(&w);
            }
            break;
        }
        case '}':
        case ']':
            w.depth--;
            newline(&w);
            put(&w, &c, 1);
            break;
        case ',':
            put(&w, ",", 1);
            newline(&w);
            break;
        case ':':
            put(&w, ": ", 2);
            break;
        case ' ': case '\n': case '\t': case '\r':
            break;
        case '"': {
            size_t j = i + 1;
            while (j < len && json[j] != '"')
                j += json[j] == '\\' ? 2 : 1;
            if (j > len)
                j = len;
            put(&w, json + i, (j < len ? j + 1 : j) - i);
            i = j;
            break;
        }
        default:
            put(&w, &c, 1);
        }
    }
    return w.rc;
}

static void kept_json(writer *w, const char *name, const char *json)
{
    key(w, name);
    if (!json || strcmp(json, "null") == 0) {
        v_null(w);
        return;
    }
    if (w->rc == TOK_OK)
        w->rc = tok_json_reindent(w->b, json, strlen(json), w->depth);
}

/* ------------------------------------------------------------------------
 * The file
 * ------------------------------------------------------------------------ */

static int cmp_id(const void *a, const void *b)
{
    int32_t x = (*(const tok_added_token *const *)a)->id;
    int32_t y = (*(const tok_added_token *const *)b)->id;
    return (x > y) - (x < y);
}

static void write_added(writer *w, const tok_added_vocab *a)
{
    key(w, "added_tokens");
    arr(w);
    if (a->n == 0) {
        arr_end(w);
        return;
    }
    const tok_added_token **order = tok_malloc(a->n * sizeof *order);
    if (!order) {
        w->rc = TOK_ENOMEM;
        return;
    }
    for (size_t i = 0; i < a->n; i++)
        order[i] = &a->v[i];
    qsort(order, a->n, sizeof *order, cmp_id);
    for (size_t i = 0; i < a->n; i++) {
        const tok_added_token *t = order[i];
        elem(w);
        obj(w);
        k_u64(w, "id", (uint64_t)(uint32_t)t->id);
        key(w, "content");
        str_n(w, t->content, t->len);
        k_bool(w, "single_word", t->single_word);
        k_bool(w, "lstrip", t->lstrip);
        k_bool(w, "rstrip", t->rstrip);
        k_bool(w, "normalized", t->normalized);
        k_bool(w, "special", t->special);
        obj_end(w);
    }
    tok_free(order);
    arr_end(w);
}

int tok_tokenizer_to_json(const tok_tokenizer *tk, char **json, size_t *len,
                          tok_error *err)
{
    if (!tk || !json)
        return tok_error_set(err, TOK_EINVAL, "no tokenizer or output given");
    *json = NULL;
    if (len)
        *len = 0;
    if (!tk->model)
        return tok_error_set(err, TOK_EINVAL, "the tokenizer has no model");
    tok_buffer b = TOK_BUFFER_INIT;
    writer w;
    memset(&w, 0, sizeof w);
    w.b = &b;
    /* The vocabulary dominates; reserving for it saves a few copies. */
    if (tok_buffer_reserve(&b, tk->model->vocab.arena_len +
                               tk->model->vocab.size * 16 +
                               tk->model->nmerges * 40 + 4096))
        w.rc = TOK_ENOMEM;
    obj(&w);
    k_str(&w, "version", "1.0");
    kept_json(&w, "truncation", tk->truncation_json);
    kept_json(&w, "padding", tk->padding_json);
    write_added(&w, &tk->added);
    key(&w, "normalizer");
    write_normalizer(&w, tk->normalizer);
    key(&w, "pre_tokenizer");
    write_pretok(&w, tk->pretok);
    key(&w, "post_processor");
    write_postproc(&w, tk->postproc);
    key(&w, "decoder");
    write_decoder(&w, tk->decoder);
    key(&w, "model");
    write_model(&w, tk->model);
    obj_end(&w);
    if (w.rc != TOK_OK) {
        tok_buffer_dispose(&b);
        if (w.rc == TOK_ENOMEM)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        if (w.rc == TOK_EUNSUPPORTED)
            return tok_error_set(err, w.rc, "a token holds U+0000, which "
                                 "tokenizer.json files cannot hold in tok");
        return tok_error_set(err, w.rc,
                             "the tokenizer cannot be written (nested too "
                             "deeply or a merge names a missing id)");
    }
    *json = b.data;
    if (len)
        *len = b.len;
    return TOK_OK;
}

int tok_tokenizer_save(const tok_tokenizer *tk, const char *path,
                       tok_error *err)
{
    if (!path)
        return tok_error_set(err, TOK_EINVAL, "no path given");
    char *json;
    size_t len;
    int rc = tok_tokenizer_to_json(tk, &json, &len, err);
    if (rc) {
        tok_error_prefix(err, path);
        return rc;
    }
    rc = tok_write_file_atomic(path, json, len, err);
    tok_free(json);
    return rc;
}
