/* tokenizer: the tok_tokenizer object, its accessors and descriptions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tokenizer.h"

tok_tokenizer *tok_tokenizer_new(void)
{
    tok_tokenizer *tk = tok_calloc(1, sizeof *tk);
    if (tk)
        tok_added_init(&tk->added);
    return tk;
}

void tok_tokenizer_free(tok_tokenizer *tk)
{
    if (!tk)
        return;
    tok_normalizer_free(tk->normalizer);
    tok_pretok_free(tk->pretok);
    tok_model_free(tk->model);
    tok_postproc_free(tk->postproc);
    tok_decoder_free(tk->decoder);
    tok_added_dispose(&tk->added);
    tok_free(tk->truncation_json);
    tok_free(tk->padding_json);
    tok_free(tk->pad_token);
    for (size_t i = 0; i < 5; i++)
        tok_free(tk->describe[i]);
    tok_free(tk);
}

static const char *const stage_names[5] = {
    "model", "normalizer", "pre_tokenizer", "post_processor", "decoder"
};

/* A description being written; an allocation failure sticks. */
typedef struct desc {
    tok_buffer buf;
    bool oom;
} desc;

static void put(desc *d, const char *fmt, ...) TOK_PRINTF(2, 3);
static void put(desc *d, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        /* Long descriptions (patterns, names) are cut, never lost. */
        n = (int)sizeof tmp - 1;
    }
    if (tok_buffer_append(&d->buf, tmp, (size_t)n))
        d->oom = true;
}

static const char *bool_str(bool b)
{
    return b ? "true" : "false";
}

static void describe_normalizer(const tok_normalizer *n, desc *b)
{
    static const char *const names[] = {
        "BertNormalizer", "NFC", "NFD", "NFKC", "NFKD", "Lowercase",
        "StripAccents", "Strip", "Replace", "Prepend", "Sequence"
    };
    put(b, "%s", names[n->type]);
    switch (n->type) {
    case TOK_NORM_BERT:
        put(b,
            "(clean_text=%s, handle_chinese_chars=%s, strip_accents=%s, "
            "lowercase=%s)", bool_str(n->u.bert.clean_text),
            bool_str(n->u.bert.handle_chinese_chars),
            n->u.bert.strip_accents < 0 ? "null"
                                        : bool_str(n->u.bert.strip_accents),
            bool_str(n->u.bert.lowercase));
        break;
    case TOK_NORM_STRIP:
        put(b, "(left=%s, right=%s)",
                          bool_str(n->u.strip.left),
                          bool_str(n->u.strip.right));
        break;
    case TOK_NORM_REPLACE:
        put(b, "(\"%s\" -> \"%s\")", n->u.replace.pattern,
                          n->u.replace.content);
        break;
    case TOK_NORM_PREPEND:
        put(b, "(\"%s\")", n->u.prepend.prepend);
        break;
    case TOK_NORM_SEQUENCE:
        put(b, "[");
        for (size_t i = 0; i < n->u.seq.n; i++) {
            if (i)
                put(b, ", ");
            describe_normalizer(n->u.seq.items[i], b);
        }
        put(b, "]");
        break;
    default:
        break;
    }
}

static void describe_pretok(const tok_pretok *p, desc *b)
{
    static const char *const names[] = {
        "BertPreTokenizer", "Whitespace", "WhitespaceSplit", "Punctuation",
        "Digits", "ByteLevel", "Metaspace", "Split", "Sequence"
    };
    put(b, "%s", names[p->type]);
    switch (p->type) {
    case TOK_PT_PUNCTUATION:
        put(b, "(behavior=%s)", tok_split_behavior_names[p->u.punct.behavior]);
        break;
    case TOK_PT_DIGITS:
        put(b, "(individual_digits=%s)",
                          bool_str(p->u.digits.individual_digits));
        break;
    case TOK_PT_BYTELEVEL:
        put(b, "(add_prefix_space=%s, use_regex=%s)",
                          bool_str(p->u.bytelevel.add_prefix_space),
                          bool_str(p->u.bytelevel.use_regex));
        break;
    case TOK_PT_METASPACE:
        put(b, "(replacement=\"%s\", split=%s)",
                          p->u.metaspace.replacement,
                          bool_str(p->u.metaspace.split));
        break;
    case TOK_PT_SPLIT:
        put(b, "(%s=\"%s\", behavior=%s, invert=%s)",
            p->u.split.regex ? "Regex" : "String", p->u.split.pattern,
            tok_split_behavior_names[p->u.split.behavior],
            bool_str(p->u.split.invert));
        break;
    case TOK_PT_SEQUENCE:
        put(b, "[");
        for (size_t i = 0; i < p->u.seq.n; i++) {
            if (i)
                put(b, ", ");
            describe_pretok(p->u.seq.items[i], b);
        }
        put(b, "]");
        break;
    default:
        break;
    }
}

static void describe_template(const tok_template_piece *t, size_t n,
                              desc *b)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(b, " ");
        if (t[i].is_sequence)
            put(b, "$%c", t[i].sequence ? 'B' : 'A');
        else
            put(b, "%s", t[i].special);
        if (t[i].type_id)
            put(b, ":%u", t[i].type_id);
    }
}

static void describe_postproc(const tok_postproc *p, desc *b)
{
    switch (p->type) {
    case TOK_POST_TEMPLATE:
        put(b, "TemplateProcessing(single=\"");
        describe_template(p->single, p->nsingle, b);
        put(b, "\", pair=\"");
        describe_template(p->pair, p->npair, b);
        put(b, "\")");
        break;
    case TOK_POST_BERT:
        put(b, "BertProcessing(cls=%s, sep=%s)", p->cls_token,
                          p->sep_token);
        break;
    case TOK_POST_ROBERTA:
        put(b, "RobertaProcessing(cls=%s, sep=%s)",
                          p->cls_token, p->sep_token);
        break;
    case TOK_POST_BYTELEVEL:
        put(b, "ByteLevel(trim_offsets=%s)",
                          bool_str(p->trim_offsets));
        break;
    case TOK_POST_SEQUENCE:
        put(b, "Sequence[");
        for (size_t i = 0; i < p->nitems; i++) {
            if (i)
                put(b, ", ");
            describe_postproc(p->items[i], b);
        }
        put(b, "]");
        break;
    }
}

static void describe_decoder(const tok_decoder *d, desc *b)
{
    static const char *const names[] = {
        "WordPiece", "ByteLevel", "Metaspace", "BPEDecoder", "ByteFallback",
        "Fuse", "Strip", "Replace", "Sequence"
    };
    put(b, "%s", names[d->type]);
    if (d->type == TOK_DEC_WORDPIECE)
        put(b, "(prefix=\"%s\", cleanup=%s)",
                          d->u.wordpiece.prefix,
                          bool_str(d->u.wordpiece.cleanup));
    if (d->type == TOK_DEC_SEQUENCE) {
        put(b, "[");
        for (size_t i = 0; i < d->u.seq.n; i++) {
            if (i)
                put(b, ", ");
            describe_decoder(d->u.seq.items[i], b);
        }
        put(b, "]");
    }
}

static void describe_model(const tok_model *m, desc *b)
{
    if (m->type == TOK_MODEL_WORDPIECE) {
        put(b,
            "WordPiece(vocab=%zu, unk_token=\"%s\", "
            "continuing_subword_prefix=\"%s\", max_input_chars_per_word=%zu)",
            m->vocab.size, m->unk_token ? m->unk_token : "",
            m->continuing_subword_prefix ? m->continuing_subword_prefix : "",
            m->max_input_chars_per_word);
    } else {
        put(b, "BPE(vocab=%zu, merges=%zu", m->vocab.size,
                          m->nmerges);
        if (m->unk_token)
            put(b, ", unk_token=\"%s\"", m->unk_token);
        if (m->byte_fallback)
            put(b, ", byte_fallback=true");
        put(b, ")");
    }
}

int tok_tokenizer_finish(tok_tokenizer *tk, tok_error *err)
{
    if (!tk->model)
        return tok_error_set(err, TOK_EFORMAT, "the tokenizer has no model");
    int rc = tok_added_build(&tk->added, err);
    if (rc)
        return rc;
    tk->bytelevel = tok_pretok_is_bytelevel(tk->pretok);
    if ((rc = tok_tokenizer_parse_limits(tk, err)) != TOK_OK)
        return rc;
    if (tk->postproc)
        tok_postproc_resolve(tk->postproc);
    static uint64_t next_uid;
    tk->uid = __atomic_add_fetch(&next_uid, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < 5; i++) {
        desc b = {TOK_BUFFER_INIT, false};
        bool present = true;
        switch (i) {
        case 0: describe_model(tk->model, &b); break;
        case 1:
            present = tk->normalizer;
            if (present)
                describe_normalizer(tk->normalizer, &b);
            break;
        case 2:
            present = tk->pretok;
            if (present)
                describe_pretok(tk->pretok, &b);
            break;
        case 3:
            present = tk->postproc;
            if (present)
                describe_postproc(tk->postproc, &b);
            break;
        default:
            present = tk->decoder;
            if (present)
                describe_decoder(tk->decoder, &b);
            break;
        }
        if (!present)
            put(&b, "none");
        if (b.oom || !b.buf.data) {
            tok_buffer_dispose(&b.buf);
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        }
        tok_free(tk->describe[i]);
        tk->describe[i] = b.buf.data;
    }
    return TOK_OK;
}

const char *tok_tokenizer_describe(const tok_tokenizer *tk, const char *stage)
{
    for (size_t i = 0; i < 5; i++)
        if (strcmp(stage, stage_names[i]) == 0)
            return tk->describe[i] ? tk->describe[i] : "none";
    return NULL;
}

size_t tok_vocab_size(const tok_tokenizer *tk)
{
    size_t n = tk->model->vocab.size;
    for (size_t i = 0; i < tk->added.n; i++)
        if ((size_t)tk->added.v[i].id + 1 > n)
            n = (size_t)tk->added.v[i].id + 1;
    /* A template may add ids of its own, past both (Hugging Face takes
     * them as they are): they are ids the tokenizer gives all the same. */
    int32_t post = tok_postproc_max_id(tk->postproc);
    if (post >= 0 && (size_t)post + 1 > n)
        n = (size_t)post + 1;
    return n;
}

const char *tok_id_to_token(const tok_tokenizer *tk, int32_t id)
{
    const tok_added_token *a = tok_added_by_id(&tk->added, id);
    if (a)
        return a->content;
    return tok_vocab_str(&tk->model->vocab, id, NULL);
}

int32_t tok_token_to_id(const tok_tokenizer *tk, const char *token,
                        size_t len)
{
    const tok_added_token *a = tok_added_by_content(&tk->added, token, len);
    if (a)
        return a->id;
    return tok_vocab_find(&tk->model->vocab, token, len);
}

int tok_id_is_special(const tok_tokenizer *tk, int32_t id)
{
    const tok_added_token *a = tok_added_by_id(&tk->added, id);
    return a && a->special;
}

size_t tok_added_count(const tok_tokenizer *tk)
{
    return tk->added.n;
}

int tok_added_token_at(const tok_tokenizer *tk, size_t i, int32_t *id,
                    const char **content, int *special)
{
    if (i >= tk->added.n)
        return TOK_ERANGE;
    if (id)
        *id = tk->added.v[i].id;
    if (content)
        *content = tk->added.v[i].content;
    if (special)
        *special = tk->added.v[i].special;
    return TOK_OK;
}
