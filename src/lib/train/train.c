/* train: training, the public entry points -- options and their
 * defaults per model, the pipeline named in the options, and the trained
 * vocabulary turned into a complete tokenizer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokenizer.h"
#include "train.h"
#include "utf8.h"

/* ------------------------------------------------------------------------
 * Pipelines by name
 * ------------------------------------------------------------------------ */

static tok_normalizer *normalizer_named(const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    tok_normalizer *n = NULL;
    if (IS("bert") || IS("bert-cased")) {
        n = tok_normalizer_new(TOK_NORM_BERT);
        if (n) {
            n->u.bert.clean_text = true;
            n->u.bert.handle_chinese_chars = true;
            n->u.bert.strip_accents = -1;
            n->u.bert.lowercase = IS("bert");
        }
    } else if (IS("nfc")) {
        n = tok_normalizer_new(TOK_NORM_NFC);
    } else if (IS("nfd")) {
        n = tok_normalizer_new(TOK_NORM_NFD);
    } else if (IS("nfkc")) {
        n = tok_normalizer_new(TOK_NORM_NFKC);
    } else if (IS("nfkd")) {
        n = tok_normalizer_new(TOK_NORM_NFKD);
    } else if (IS("lowercase")) {
        n = tok_normalizer_new(TOK_NORM_LOWERCASE);
    } else if (IS("strip-accents")) {
        n = tok_normalizer_new(TOK_NORM_STRIP_ACCENTS);
    } else if (IS("strip")) {
        n = tok_normalizer_new(TOK_NORM_STRIP);
        if (n)
            n->u.strip.left = n->u.strip.right = true;
    }
    return n;
#undef IS
}

static tok_pretok *pretok_named(const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    tok_pretok *p = NULL;
    if (IS("whitespace")) {
        p = tok_pretok_new(TOK_PT_WHITESPACE);
    } else if (IS("whitespace-split")) {
        p = tok_pretok_new(TOK_PT_WHITESPACE_SPLIT);
    } else if (IS("bert")) {
        p = tok_pretok_new(TOK_PT_BERT);
    } else if (IS("bytelevel") || IS("bytelevel-prefix")) {
        p = tok_pretok_new(TOK_PT_BYTELEVEL);
        if (p) {
            p->u.bytelevel.add_prefix_space = IS("bytelevel-prefix");
            p->u.bytelevel.trim_offsets = true;
            p->u.bytelevel.use_regex = true;
        }
    } else if (IS("metaspace")) {
        p = tok_pretok_new(TOK_PT_METASPACE);
        if (p) {
            memcpy(p->u.metaspace.replacement, "\xE2\x96\x81", 4);
            p->u.metaspace.prepend_scheme = TOK_PREPEND_ALWAYS;
            p->u.metaspace.split = true;
        }
    } else if (IS("punctuation")) {
        p = tok_pretok_new(TOK_PT_PUNCTUATION);
        if (p)
            p->u.punct.behavior = TOK_SPLIT_ISOLATED;
    } else if (IS("digits") || IS("digits-individual")) {
        p = tok_pretok_new(TOK_PT_DIGITS);
        if (p)
            p->u.digits.individual_digits = IS("digits-individual");
    }
    return p;
#undef IS
}

static const char *const normalizer_names[] = {
    "bert", "bert-cased", "nfc", "nfd", "nfkc", "nfkd", "lowercase",
    "strip-accents", "strip", NULL
};
static const char *const pretok_names[] = {
    "whitespace", "whitespace-split", "bert", "bytelevel",
    "bytelevel-prefix", "metaspace", "punctuation", "digits",
    "digits-individual", NULL
};

/* Tells an unknown name from a failed allocation. */
static bool name_known(bool normalizer, const char *name, size_t len)
{
    const char *const *names = normalizer ? normalizer_names : pretok_names;
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return true;
    return false;
}

/* Builds a stage from "a,b,c" (a Sequence when there are several). */
static int build_stage(const char *spec, bool normalizer, void **out,
                       tok_error *err)
{
    *out = NULL;
    if (strcmp(spec, "none") == 0 || spec[0] == '\0')
        return TOK_OK;
    void *items[16];
    size_t n = 0;
    const char *p = spec;
    int rc = TOK_OK;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 16) {
            rc = tok_error_set(err, TOK_EINVAL, "%s \"%s\": at most 16 "
                               "stages", normalizer ? "normalizer"
                                                    : "pre-tokenizer",
                               spec);
            break;
        }
        void *item = normalizer ? (void *)normalizer_named(p, len)
                                : (void *)pretok_named(p, len);
        if (!item && name_known(normalizer, p, len)) {
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
            break;
        }
        if (!item) {
            rc = tok_error_set(err, TOK_EINVAL,
                               "unknown %s \"%.*s\" (known: %s)",
                               normalizer ? "normalizer" : "pre-tokenizer",
                               (int)len, p,
                               normalizer
                                   ? "none, bert, bert-cased, nfc, nfd, "
                                     "nfkc, nfkd, lowercase, strip-accents, "
                                     "strip"
                                   : "none, whitespace, whitespace-split, "
                                     "bert, bytelevel, bytelevel-prefix, "
                                     "metaspace, punctuation, digits, "
                                     "digits-individual");
            break;
        }
        items[n++] = item;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (rc == TOK_OK && n == 1) {
        *out = items[0];
        return TOK_OK;
    }
    if (rc == TOK_OK) {
        void **arr = tok_malloc(n * sizeof *arr);
        void *seq = arr ? (normalizer
                               ? (void *)tok_normalizer_new(TOK_NORM_SEQUENCE)
                               : (void *)tok_pretok_new(TOK_PT_SEQUENCE))
                        : NULL;
        if (!seq) {
            tok_free(arr);
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
        } else {
            memcpy(arr, items, n * sizeof *arr);
            if (normalizer) {
                ((tok_normalizer *)seq)->u.seq.items =
                    (tok_normalizer **)arr;
                ((tok_normalizer *)seq)->u.seq.n = n;
            } else {
                ((tok_pretok *)seq)->u.seq.items = (tok_pretok **)arr;
                ((tok_pretok *)seq)->u.seq.n = n;
            }
            *out = seq;
            return TOK_OK;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (normalizer)
            tok_normalizer_free(items[i]);
        else
            tok_pretok_free(items[i]);
    }
    return rc;
}

static const char *default_normalizer(tok_train_model m)
{
    return m == TOK_TRAIN_WORDPIECE ? "bert" : "none";
}

static const char *default_pretok(tok_train_model m)
{
    return m == TOK_TRAIN_WORDPIECE     ? "bert"
           : m == TOK_TRAIN_BYTELEVEL_BPE ? "bytelevel"
                                          : "whitespace";
}

typedef struct pipeline {
    tok_normalizer *normalizer;
    tok_pretok *pretok;
} pipeline;

static void pipeline_dispose(pipeline *p)
{
    tok_normalizer_free(p->normalizer);
    tok_pretok_free(p->pretok);
    p->normalizer = NULL;
    p->pretok = NULL;
}

static int pipeline_make(const tok_train_options *o, pipeline *p,
                         tok_error *err)
{
    void *n = NULL, *t = NULL;
    p->normalizer = NULL;
    p->pretok = NULL;
    int rc = build_stage(o->normalizer ? o->normalizer
                                       : default_normalizer(o->model),
                         true, &n, err);
    if (rc)
        return rc;
    rc = build_stage(o->pre_tokenizer ? o->pre_tokenizer
                                      : default_pretok(o->model),
                     false, &t, err);
    if (rc) {
        tok_normalizer_free(n);
        return rc;
    }
    p->normalizer = n;
    p->pretok = t;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------ */

static int check_options(const tok_train_options *o, tok_error *err)
{
    if (o->model != TOK_TRAIN_BPE && o->model != TOK_TRAIN_BYTELEVEL_BPE &&
        o->model != TOK_TRAIN_WORDPIECE)
        return tok_error_set(err, TOK_EINVAL, "unknown model type %d",
                             (int)o->model);
    if (o->vocab_size == 0 || o->vocab_size > INT32_MAX)
        return tok_error_set(err, TOK_EINVAL,
                             "the vocabulary size must be between 1 and "
                             "%d", INT32_MAX);
    if (o->nspecial_tokens && !o->special_tokens)
        return tok_error_set(err, TOK_EINVAL, "special tokens missing");
    for (size_t i = 0; i < o->nspecial_tokens; i++) {
        const char *s = o->special_tokens[i];
        if (!s || !*s)
            return tok_error_set(err, TOK_EINVAL, "special token %zu is "
                                 "empty", i + 1);
        if (tok_utf8_validate(s, strlen(s)) != strlen(s))
            return tok_error_set(err, TOK_EUTF8, "special token %zu is not "
                                 "valid UTF-8", i + 1);
    }
    const char *strs[3] = {o->initial_alphabet, o->continuing_subword_prefix,
                           o->end_of_word_suffix};
    const char *what[3] = {"initial alphabet", "continuing subword prefix",
                           "end-of-word suffix"};
    for (size_t i = 0; i < 3; i++)
        if (strs[i] && tok_utf8_validate(strs[i], strlen(strs[i])) !=
                           strlen(strs[i]))
            return tok_error_set(err, TOK_EUTF8, "the %s is not valid "
                                 "UTF-8", what[i]);
    if (o->unk_token && !*o->unk_token)
        return tok_error_set(err, TOK_EINVAL, "the unknown token is empty");
    if (o->model != TOK_TRAIN_WORDPIECE && o->unk_token) {
        bool found = false;
        for (size_t i = 0; i < o->nspecial_tokens && !found; i++)
            found = strcmp(o->special_tokens[i], o->unk_token) == 0;
        if (!found)
            return tok_error_set(err, TOK_EINVAL,
                                 "the unknown token \"%s\" must be one of "
                                 "the special tokens", o->unk_token);
    }
    return TOK_OK;
}

static unsigned thread_count(const tok_train_options *o)
{
    if (o->threads)
        return o->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

/* ------------------------------------------------------------------------
 * Counting
 * ------------------------------------------------------------------------ */

static int count_files(tok_word_counts *wc, const char *const *files,
                       size_t nfiles, const tok_train_options *o,
                       tok_error *err)
{
    pipeline p;
    int rc = pipeline_make(o, &p, err);
    if (rc)
        return rc;
    tok_corpus_config cfg = {p.normalizer, p.pretok, thread_count(o),
                             o->progress, o->progress_data};
    rc = tok_corpus_count(wc, files, nfiles, &cfg, err);
    pipeline_dispose(&p);
    return rc;
}

int tok_word_counts_add_files(tok_word_counts *wc, const char *const *files,
                              size_t nfiles, const tok_train_options *opts,
                              tok_error *err)
{
    tok_train_options defaults = TOK_TRAIN_OPTIONS_INIT;
    const tok_train_options *o = opts ? opts : &defaults;
    int rc = check_options(o, err);
    if (rc)
        return rc;
    return count_files(wc, files, nfiles, o, err);
}

/* ------------------------------------------------------------------------
 * The trained tokenizer
 * ------------------------------------------------------------------------ */

static int add_special(tok_tokenizer *tk, const char *s, int32_t id)
{
    if (tok_added_by_id(&tk->added, id))
        return TOK_OK;
    tok_added_token t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.content = (char *)s;
    t.len = strlen(s);
    t.special = true;
    return tok_added_push(&tk->added, &t);
}

/* A TemplateProcessing with `first $A last` (and the pair form) when both
 * tokens are special tokens of the result; NULL otherwise. */
static int make_template(tok_tokenizer *tk, const char *first,
                         const char *last, bool bert, tok_postproc **out,
                         tok_error *err)
{
    *out = NULL;
    int32_t ids[2] = {tok_vocab_find(&tk->model->vocab, first,
                                     strlen(first)),
                      tok_vocab_find(&tk->model->vocab, last, strlen(last))};
    if (ids[0] < 0 || ids[1] < 0 || !tok_added_by_id(&tk->added, ids[0]) ||
        !tok_added_by_id(&tk->added, ids[1]))
        return TOK_OK;
    tok_postproc *p = tok_postproc_new(TOK_POST_TEMPLATE);
    if (!p)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    char single[256], pair[512];
    snprintf(single, sizeof single, "%s $A %s", first, last);
    if (bert)
        snprintf(pair, sizeof pair, "%s $A %s $B:1 %s:1", first, last, last);
    else
        snprintf(pair, sizeof pair, "%s $A %s %s $B %s", first, last, last,
                 last);
    int rc = tok_template_parse(single, &p->single, &p->nsingle, err);
    if (!rc)
        rc = tok_template_parse(pair, &p->pair, &p->npair, err);
    if (!rc) {
        p->specials = tok_calloc(2, sizeof *p->specials);
        rc = p->specials ? TOK_OK : TOK_ENOMEM;
    }
    /* The file lists the specials sorted by name. */
    const char *names[2] = {first, last};
    int order[2] = {0, 1};
    if (strcmp(first, last) > 0) {
        order[0] = 1;
        order[1] = 0;
    }
    for (size_t i = 0; rc == TOK_OK && i < 2; i++) {
        tok_template_special *s = &p->specials[i];
        p->nspecials++;
        s->name = tok_strdup(names[order[i]]);
        s->ids = tok_malloc(sizeof *s->ids);
        s->tokens = tok_calloc(1, sizeof *s->tokens);
        if (!s->name || !s->ids || !s->tokens) {
            rc = TOK_ENOMEM;
            break;
        }
        s->n = 1;
        s->ids[0] = ids[order[i]];
        s->tokens[0] = tok_strdup(names[order[i]]);
        if (!s->tokens[0])
            rc = TOK_ENOMEM;
    }
    if (rc) {
        tok_postproc_free(p);
        return rc == TOK_ENOMEM ? tok_error_set(err, rc, "out of memory")
                                : rc;
    }
    *out = p;
    return TOK_OK;
}

static int make_decoder(const tok_train_options *o, const tok_pretok *pt,
                        const char *suffix, tok_decoder **out)
{
    tok_decoder *d;
    if (tok_pretok_is_bytelevel(pt)) {
        d = tok_decoder_new(TOK_DEC_BYTELEVEL);
        if (d) {
            d->u.bytelevel.add_prefix_space = false;
            d->u.bytelevel.trim_offsets = true;
            d->u.bytelevel.use_regex = true;
        }
    } else if (pt && pt->type == TOK_PT_METASPACE) {
        d = tok_decoder_new(TOK_DEC_METASPACE);
        if (d) {
            memcpy(d->u.metaspace.replacement, pt->u.metaspace.replacement,
                   sizeof d->u.metaspace.replacement);
            d->u.metaspace.prepend_scheme = pt->u.metaspace.prepend_scheme;
            d->u.metaspace.split = pt->u.metaspace.split;
        }
    } else if (o->model == TOK_TRAIN_WORDPIECE) {
        d = tok_decoder_new(TOK_DEC_WORDPIECE);
        if (d) {
            d->u.wordpiece.cleanup = true;
            d->u.wordpiece.prefix = tok_strdup(
                o->continuing_subword_prefix ? o->continuing_subword_prefix
                                             : "##");
            if (!d->u.wordpiece.prefix) {
                tok_decoder_free(d);
                d = NULL;
            }
        }
    } else {
        d = tok_decoder_new(TOK_DEC_BPE);
        if (d) {
            d->u.bpe.suffix = tok_strdup(suffix ? suffix : "</w>");
            if (!d->u.bpe.suffix) {
                tok_decoder_free(d);
                d = NULL;
            }
        }
    }
    *out = d;
    return d ? TOK_OK : TOK_ENOMEM;
}

static char *dup_or_null(const char *s)
{
    return s ? tok_strdup(s) : NULL;
}

/* Moves the trained vocabulary and merges into a complete tokenizer. */
static int build_tokenizer(tok_tokenizer **out, tok_bpe_train_result *r,
                           const tok_train_options *o, pipeline *p,
                           const char *prefix, const char *suffix,
                           tok_error *err)
{
    *out = NULL;
    bool wp = o->model == TOK_TRAIN_WORDPIECE;
    const char *unk = o->unk_token ? o->unk_token : wp ? "[UNK]" : NULL;
    if (wp && tok_vocab_find(&r->vocab, unk, strlen(unk)) < 0 &&
        tok_vocab_push(&r->vocab, unk, strlen(unk)) < 0)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_tokenizer *tk = tok_tokenizer_new();
    tok_model *m = tk ? tok_model_new(wp ? TOK_MODEL_WORDPIECE
                                         : TOK_MODEL_BPE)
                      : NULL;
    if (!m) {
        tok_tokenizer_free(tk);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    tk->model = m;
    tok_vocab_dispose(&m->vocab);
    m->vocab = r->vocab;
    tok_vocab_init(&r->vocab);
    int rc = TOK_OK;
    m->unk_token = dup_or_null(unk);
    if (unk && !m->unk_token)
        rc = TOK_ENOMEM;
    if (wp) {
        m->continuing_subword_prefix = tok_strdup(prefix ? prefix : "##");
        if (!m->continuing_subword_prefix)
            rc = TOK_ENOMEM;
        m->max_input_chars_per_word = 100;
    } else {
        m->merges = r->merges;
        m->nmerges = r->nmerges;
        r->merges = NULL;
        r->nmerges = 0;
        m->continuing_subword_prefix = dup_or_null(prefix);
        m->end_of_word_suffix = dup_or_null(suffix);
        if ((prefix && !m->continuing_subword_prefix) ||
            (suffix && !m->end_of_word_suffix))
            rc = TOK_ENOMEM;
    }
    for (size_t i = 0; rc == TOK_OK && i < o->nspecial_tokens; i++) {
        const char *s = o->special_tokens[i];
        rc = add_special(tk, s, tok_vocab_find(&m->vocab, s, strlen(s)));
    }
    if (rc == TOK_OK && unk)
        rc = add_special(tk, unk, tok_vocab_find(&m->vocab, unk,
                                                 strlen(unk)));
    if (rc) {
        tok_tokenizer_free(tk);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    rc = tok_model_build(m, err);
    if (!rc)
        rc = make_template(tk, "[CLS]", "[SEP]", true, &tk->postproc, err);
    if (!rc && !tk->postproc)
        rc = make_template(tk, "<s>", "</s>", false, &tk->postproc, err);
    if (!rc && make_decoder(o, p->pretok, suffix, &tk->decoder))
        rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
    if (rc) {
        tok_tokenizer_free(tk);
        return rc;
    }
    tk->normalizer = p->normalizer;
    tk->pretok = p->pretok;
    p->normalizer = NULL;
    p->pretok = NULL;
    rc = tok_tokenizer_finish(tk, err);
    if (rc) {
        tok_tokenizer_free(tk);
        return rc;
    }
    *out = tk;
    return TOK_OK;
}

static int train_counts(tok_tokenizer **out, const tok_word_counts *wc,
                        tok_word_counts *release, const tok_train_options *o,
                        tok_error *err)
{
    *out = NULL;
    if (wc->n == 0)
        return tok_error_set(err, TOK_EINVAL,
                             "the corpus is empty: no words to train on");
    pipeline p;
    int rc = pipeline_make(o, &p, err);
    if (rc)
        return rc;
    uint32_t *alphabet = NULL;
    size_t nalpha = 0;
    if (o->initial_alphabet) {
        const unsigned char *s = (const unsigned char *)o->initial_alphabet;
        size_t len = strlen(o->initial_alphabet);
        alphabet = tok_malloc((len ? len : 1) * sizeof *alphabet);
        if (!alphabet) {
            pipeline_dispose(&p);
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < len;) {
            uint32_t cp;
            size_t n = tok_utf8_decode(s, len, i, &cp);
            alphabet[nalpha++] = cp;
            i += n ? n : 1;
        }
    }
    bool wp = o->model == TOK_TRAIN_WORDPIECE;
    const char *prefix = o->continuing_subword_prefix
                             ? o->continuing_subword_prefix
                             : wp ? "##" : NULL;
    tok_bpe_train_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.vocab_size = o->vocab_size;
    cfg.min_frequency = o->min_frequency;
    cfg.specials = o->special_tokens;
    cfg.nspecials = o->nspecial_tokens;
    cfg.limit_alphabet = o->limit_alphabet ? o->limit_alphabet : SIZE_MAX;
    cfg.initial_alphabet = alphabet;
    cfg.ninitial = nalpha;
    cfg.max_token_length = o->max_token_length;
    cfg.prefix = prefix;
    cfg.suffix = o->end_of_word_suffix;
    cfg.progress = o->progress;
    cfg.progress_data = o->progress_data;
    cfg.release_counts = release;
    tok_bpe_train_result r;
    rc = tok_bpe_train(wc, &cfg, &r, err);
    tok_free(alphabet);
    if (!rc) {
        rc = build_tokenizer(out, &r, o, &p, prefix, o->end_of_word_suffix,
                             err);
        tok_bpe_train_result_dispose(&r);
    }
    pipeline_dispose(&p);
    return rc;
}

int tok_train(tok_tokenizer **out, const tok_word_counts *wc,
              const tok_train_options *opts, tok_error *err)
{
    tok_train_options defaults = TOK_TRAIN_OPTIONS_INIT;
    const tok_train_options *o = opts ? opts : &defaults;
    *out = NULL;
    int rc = check_options(o, err);
    return rc ? rc : train_counts(out, wc, NULL, o, err);
}

int tok_train_files(tok_tokenizer **out, const char *const *files,
                    size_t nfiles, const tok_train_options *opts,
                    tok_error *err)
{
    tok_train_options defaults = TOK_TRAIN_OPTIONS_INIT;
    const tok_train_options *o = opts ? opts : &defaults;
    *out = NULL;
    int rc = check_options(o, err);
    if (rc)
        return rc;
    if (nfiles == 0)
        return tok_error_set(err, TOK_EINVAL, "no input files");
    tok_word_counts wc;
    tok_wc_init(&wc);
    rc = count_files(&wc, files, nfiles, o, err);
    if (!rc)
        rc = train_counts(out, &wc, &wc, o, err);
    tok_wc_dispose(&wc);
    return rc;
}
