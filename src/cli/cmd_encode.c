/* CLI stage: `tok encode` -- records of text in (lines, NUL-separated
 * records or JSON Lines), tokens out for each, in order: as text lines,
 * JSON Lines, or a binary stream of ids with an index. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "jsonl.h"
#include "model.h"
#include "opts.h"
#include "pipeline.h"
#include "tok.h"

enum { FORMAT_IDS, FORMAT_TOKENS, FORMAT_JSONL, FORMAT_U16, FORMAT_U32 };
enum { TRUNC_NONE = 3 };             /* after the library's strategies */
enum { PAD_MAX_LENGTH, PAD_LONGEST, PAD_NONE };

/* The options of `tok encode`; the ints hold the index of the choice in
 * the option table (-1: not given), which follows the order of the
 * library's enums where there is one. */
typedef struct encode_opts {
    cli_model_opts mo;
    int format;
    int offsets;      /* tok_offset_unit */
    int pair;
    int no_special;
    int special;      /* tok_special_policy */
    int invalid;      /* tok_invalid_policy */
    size_t threads;
    int zero;
    const char *jsonl_field;
    const char *append;
    const char *index;
    size_t max_length;        /* 0: not given */
    int truncation;           /* tok_truncation_strategy or TRUNC_NONE */
    int truncation_side;      /* tok_side */
    const char *stride;
    int padding;
    size_t pad_multiple;      /* 0: not given */
    int padding_side;         /* tok_side */
    const char *pad_token;
    int on_error;
} encode_opts;

typedef struct encode_ctx {
    const tok_tokenizer *tk;
    tok_encode_options eo;
    int format;
    int pair;
    int windows;              /* write the overflowing windows too */
    const char *field[2];     /* --jsonl-field: the text(s); NULL: none */
    int32_t append;           /* -1: nothing */
    cli_out index;            /* --index; fd -1 when none */
    uint64_t offset;          /* bytes of binary output so far */
} encode_ctx;

/* One thread's encoder: the library's result object and the scanner's
 * buffers are reused from record to record, so steady-state encoding
 * allocates nothing. */
typedef struct encoder {
    const encode_ctx *ctx;
    tok_encoding *enc;
    cli_jsonl json;
    cli_buf text;             /* the decoded text field(s) */
    cli_buf second;           /* the second field, before joining */
    cli_buf keep;             /* the other fields, for -f jsonl */
} encoder;

static const char *const formats[] = {"ids", "tokens", "jsonl", "u16", "u32",
                                      NULL};
static const char *const offset_units[] = {"bytes", "chars", NULL};
static const char *const special_policies[] = {"match", "text", "reject",
                                               NULL};
static const char *const invalid_policies[] = {"error", "replace", NULL};
static const char *const strategies[] = {"longest_first", "only_first",
                                         "only_second", "none", NULL};
static const char *const sides[] = {"right", "left", NULL};
static const char *const paddings[] = {"max_length", "longest", "none",
                                       NULL};
static const char *const on_errors[] = {"fail", "skip", NULL};

/* The fields of -f jsonl, which a record's own fields of the same name
 * give way to. */
static const char *const output_fields[] = {
    "input_ids", "tokens", "offsets", "token_type_ids", "attention_mask",
    "special_tokens_mask", NULL
};

static void *encoder_new(void *ctx)
{
    encoder *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->ctx = ctx;
    e->json = (cli_jsonl)CLI_JSONL_INIT;
    e->enc = tok_encoding_new();
    if (!e->enc) {
        free(e);
        return NULL;
    }
    return e;
}

static void encoder_free(void *worker)
{
    encoder *e = worker;
    tok_encoding_free(e->enc);
    cli_jsonl_dispose(&e->json);
    cli_buf_dispose(&e->text);
    cli_buf_dispose(&e->second);
    cli_buf_dispose(&e->keep);
    free(e);
}

/* ------------------------------------------------------------------------
 * Output formats
 * ------------------------------------------------------------------------ */

/* Numbers are written in batches: the room for a batch is reserved once,
 * and a huge line never reserves much more than it uses. */
#define BATCH 4096

/* Writes v[0..n) separated by `sep`. */
static int put_ids(cli_buf *out, const int32_t *v, size_t n, char sep)
{
    for (size_t i = 0; i < n;) {
        size_t end = n - i > BATCH ? i + BATCH : n;
        /* Sign, 10 digits and a separator. */
        if (cli_buf_reserve(out, (end - i) * 12) != 0)
            return -1;
        char *o = out->data + out->len;
        for (; i < end; i++) {
            if (i)
                *o++ = sep;
            uint32_t u = (uint32_t)v[i];
            if (v[i] < 0) {
                *o++ = '-';
                u = 0u - u;
            }
            o = cli_put_u32(o, u);
        }
        out->len = (size_t)(o - out->data);
    }
    return 0;
}

static int put_type_ids(cli_buf *out, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t end = n - i > BATCH ? i + BATCH : n;
        if (cli_buf_reserve(out, (end - i) * 11) != 0)
            return -1;
        char *o = out->data + out->len;
        for (; i < end; i++) {
            if (i)
                *o++ = ',';
            o = cli_put_u32(o, v[i]);
        }
        out->len = (size_t)(o - out->data);
    }
    return 0;
}

static int put_offsets(cli_buf *out, const tok_offset *v, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t end = n - i > BATCH ? i + BATCH : n;
        /* ",[" + 10 digits + "," + 10 digits + "]" */
        if (cli_buf_reserve(out, (end - i) * 25) != 0)
            return -1;
        char *o = out->data + out->len;
        for (; i < end; i++) {
            if (i)
                *o++ = ',';
            *o++ = '[';
            o = cli_put_u32(o, v[i].start);
            *o++ = ',';
            o = cli_put_u32(o, v[i].end);
            *o++ = ']';
        }
        out->len = (size_t)(o - out->data);
    }
    return 0;
}

static int put_mask(cli_buf *out, const uint8_t *v, size_t n)
{
    if (n > (size_t)-1 / 2 || cli_buf_reserve(out, 2 * n) != 0)
        return -1;
    char *o = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *o++ = ',';
        *o++ = (char)('0' + (v[i] != 0));
    }
    out->len = (size_t)(o - out->data);
    return 0;
}

static int format_ids(const encode_ctx *c, const tok_encoding *enc,
                      cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    if (put_ids(out, tok_encoding_ids(enc), n, ' '))
        return -1;
    if (c->append >= 0 && ((n && cli_buf_putc(out, ' ') != 0) ||
                           put_ids(out, &c->append, 1, ' ') != 0))
        return -1;
    return cli_buf_putc(out, '\n');
}

static int put_token(cli_buf *out, const tok_encoding *enc, size_t i)
{
    return cli_buf_token(out, tok_encoding_token(enc, i),
                         tok_encoding_token_len(enc, i));
}

static int format_tokens(const encode_ctx *c, const tok_encoding *enc,
                         cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    for (size_t i = 0; i < n; i++)
        if ((i && cli_buf_putc(out, ' ') != 0) || put_token(out, enc, i))
            return -1;
    if (c->append >= 0) {
        const char *t = tok_id_to_token(c->tk, c->append);
        if ((n && cli_buf_putc(out, ' ') != 0) ||
            cli_buf_token(out, t, strlen(t)) != 0)
            return -1;
    }
    return cli_buf_putc(out, '\n');
}

static int format_jsonl(const tok_encoding *enc, const cli_buf *keep,
                        cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    if (cli_buf_putc(out, '{') || cli_buf_add(out, keep->data, keep->len) ||
        cli_buf_puts(out, "\"input_ids\":[") ||
        put_ids(out, tok_encoding_ids(enc), n, ',') ||
        cli_buf_puts(out, "],\"tokens\":["))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((i && cli_buf_putc(out, ',') != 0) ||
            cli_buf_json_string(out, tok_encoding_token(enc, i),
                                tok_encoding_token_len(enc, i)) != 0)
            return -1;
    }
    if (cli_buf_puts(out, "],\"offsets\":[") ||
        put_offsets(out, tok_encoding_offsets(enc), n) ||
        cli_buf_puts(out, "],\"token_type_ids\":[") ||
        put_type_ids(out, tok_encoding_type_ids(enc), n) ||
        cli_buf_puts(out, "],\"attention_mask\":[") ||
        put_mask(out, tok_encoding_attention_mask(enc), n) ||
        cli_buf_puts(out, "],\"special_tokens_mask\":[") ||
        put_mask(out, tok_encoding_special_mask(enc), n) ||
        cli_buf_puts(out, "]}\n"))
        return -1;
    return 0;
}

/* Little-endian ids of 2 or 4 bytes; the record's size in bytes goes to
 * the side stream, for the index. */
static int format_binary(const encode_ctx *c, const tok_encoding *enc,
                         cli_buf *out, cli_buf *aux)
{
    size_t n = tok_encoding_len(enc);
    size_t width = c->format == FORMAT_U16 ? 2 : 4;
    size_t total = n + (c->append >= 0);
    if (total > SIZE_MAX / 4 || cli_buf_reserve(out, total * width) != 0)
        return -1;
    const int32_t *ids = tok_encoding_ids(enc);
    unsigned char *o = (unsigned char *)out->data + out->len;
    for (size_t i = 0; i < total; i++) {
        /* Every id was checked to fit the width before the run. */
        uint32_t v = (uint32_t)(i < n ? ids[i] : c->append);
        *o++ = (unsigned char)(v & 0xFF);
        *o++ = (unsigned char)((v >> 8) & 0xFF);
        if (width == 4) {
            *o++ = (unsigned char)((v >> 16) & 0xFF);
            *o++ = (unsigned char)(v >> 24);
        }
    }
    out->len += total * width;
    uint64_t bytes = (uint64_t)(total * width);
    return c->index.fd >= 0 ? cli_buf_add(aux, &bytes, sizeof bytes) : 0;
}

static int format_one(const encoder *e, const tok_encoding *enc,
                      cli_buf *out, cli_buf *aux)
{
    const encode_ctx *c = e->ctx;
    switch (c->format) {
    case FORMAT_TOKENS:
        return format_tokens(c, enc, out);
    case FORMAT_JSONL:
        return format_jsonl(enc, &e->keep, out);
    case FORMAT_U16:
    case FORMAT_U32:
        return format_binary(c, enc, out, aux);
    default:
        return format_ids(c, enc, out);
    }
}

/* ------------------------------------------------------------------------
 * One record
 * ------------------------------------------------------------------------ */

static int fail_with(cli_line_error *fail, const char *fmt, ...)
    CLI_PRINTF(2, 3);
static int fail_with(cli_line_error *fail, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail->message, sizeof fail->message, fmt, ap);
    va_end(ap);
    return -1;
}

static int out_of_memory(cli_line_error *fail)
{
    fail->fatal = 1;
    return fail_with(fail, "out of memory");
}

/* Where the text fields of a JSON record are, for error offsets. */
typedef struct source {
    int json;
    size_t start[2], end[2];  /* the fields' strings in the record */
    size_t split;             /* where the second text starts in text */
} source;

/* Finds the text field(s) of a JSON record, decodes them into e->text
 * (two fields joined by a TAB) and gathers the other fields for -f jsonl
 * into e->keep. */
static int read_json(encoder *e, const char *rec, size_t len, source *src,
                     cli_line_error *fail)
{
    const encode_ctx *c = e->ctx;
    size_t at;
    const char *why;
    int rc = cli_jsonl_parse(&e->json, rec, len, &at, &why);
    if (rc == CLI_JSONL_NOMEM)
        return out_of_memory(fail);
    if (rc != CLI_JSONL_OK)
        return fail_with(fail, "malformed JSON at byte %zu: %s", at, why);
    long idx[2] = {-1, -1};
    int nfields = c->field[1] ? 2 : 1;
    for (int f = 0; f < nfields; f++) {
        idx[f] = cli_jsonl_find(&e->json, rec, c->field[f]);
        if (idx[f] < 0)
            return fail_with(fail, "no \"%s\" field in the JSON object",
                             c->field[f]);
        const cli_json_member *m = &e->json.members[idx[f]];
        if (rec[m->value_start] != '"')
            return fail_with(fail, "the \"%s\" field is not a string "
                             "(byte %zu)", c->field[f], m->value_start);
        src->start[f] = m->value_start;
        src->end[f] = m->value_end;
    }
    cli_buf *t = &e->text, *second = &e->second;
    rc = cli_json_unescape(t, rec, src->start[0], src->end[0], &at, &why);
    if (rc == CLI_JSONL_OK && nfields == 2) {
        rc = cli_json_unescape(second, rec, src->start[1], src->end[1], &at,
                               &why);
        src->split = t->len + 1;
        if (rc == CLI_JSONL_OK &&
            (cli_buf_putc(t, '\t') || cli_buf_add(t, second->data,
                                                  second->len)))
            rc = CLI_JSONL_NOMEM;
    }
    if (rc == CLI_JSONL_NOMEM)
        return out_of_memory(fail);
    if (rc != CLI_JSONL_OK)
        return fail_with(fail, "%s at byte %zu", why, at);
    src->json = 1;

    e->keep.len = 0;
    if (c->format != FORMAT_JSONL)
        return 0;
    for (size_t i = 0; i < e->json.n; i++) {
        const cli_json_member *m = &e->json.members[i];
        if ((long)i == idx[0] || (long)i == idx[1])
            continue;
        int dropped = 0;
        for (size_t k = 0; !dropped && output_fields[k]; k++) {
            size_t n = strlen(output_fields[k]);
            dropped = m->key_end - m->key_start == n + 2 &&
                      memcmp(rec + m->key_start + 1, output_fields[k], n) ==
                          0;
        }
        /* A repeated key keeps its last value, as json.loads does. */
        for (size_t k = i + 1; !dropped && k < e->json.n; k++) {
            const cli_json_member *o = &e->json.members[k];
            dropped = o->key_end - o->key_start ==
                          m->key_end - m->key_start &&
                      memcmp(rec + o->key_start, rec + m->key_start,
                             m->key_end - m->key_start) == 0;
        }
        if (dropped)
            continue;
        if (cli_json_copy(&e->keep, rec + m->key_start,
                          m->key_end - m->key_start) ||
            cli_buf_putc(&e->keep, ':') ||
            cli_json_copy(&e->keep, rec + m->value_start,
                          m->value_end - m->value_start) ||
            cli_buf_putc(&e->keep, ','))
            return out_of_memory(fail);
    }
    return 0;
}

/* The byte of the record that the text's byte `at` came from. */
static size_t record_offset(const source *src, const char *rec, size_t at)
{
    if (!src->json)
        return at;
    int f = src->start[1] && at >= src->split;
    size_t k = f ? at - src->split : at;
    return cli_json_source_offset(rec, src->start[f], src->end[f], k);
}

static int encode_line(void *worker, const char *rec, size_t len,
                       cli_buf *out, cli_buf *aux, cli_line_error *fail)
{
    encoder *e = worker;
    const encode_ctx *c = e->ctx;
    source src = {0, {0, 0}, {0, 0}, 0};
    const char *text = rec;
    size_t tlen = len;
    if (c->field[0]) {
        if (read_json(e, rec, len, &src, fail) != 0)
            return -1;
        text = e->text.data ? e->text.data : "";
        tlen = e->text.len;
    }
    tok_error err = {0};
    int rc;
    if (c->pair) {
        const char *tab = memchr(text, '\t', tlen);
        if (!tab)
            return fail_with(fail, "no TAB in the line (--pair reads "
                             "'A<TAB>B')");
        size_t alen = (size_t)(tab - text);
        rc = tok_encode_pair(c->tk, text, alen, tab + 1, tlen - alen - 1,
                             &c->eo, e->enc, &err);
    } else {
        rc = tok_encode(c->tk, text, tlen, &c->eo, e->enc, &err);
    }
    if (rc == TOK_ENOMEM)
        return out_of_memory(fail);
    if (rc != TOK_OK) {
        if (rc == TOK_EUTF8) {
            /* The offset in the record, whichever text of a pair it is in:
             * the TAB between them is valid UTF-8. */
            size_t at = cli_utf8_check(text, tlen);
            if (at == tlen)
                at = err.offset;
            return fail_with(fail, "invalid UTF-8 at byte %zu "
                             "(--invalid=replace writes U+FFFD instead)",
                             record_offset(&src, rec, at));
        }
        return fail_with(fail, "%s", err.message[0] ? err.message
                                                     : tok_strerror(rc));
    }
    size_t before = out->len, abefore = aux->len;
    size_t nwin = c->windows ? tok_encoding_overflow_count(e->enc) : 0;
    rc = format_one(e, e->enc, out, aux);
    for (size_t i = 0; rc == 0 && i < nwin; i++)
        rc = format_one(e, tok_encoding_overflow(e->enc, i), out, aux);
    if (rc != 0) {
        out->len = before;
        aux->len = abefore;
        return out_of_memory(fail);
    }
    return 0;
}

/* The index: the byte offset of each record's start in the binary
 * output, then the end, as little-endian uint64. */
static int write_index(void *ctx, const char *data, size_t len)
{
    encode_ctx *c = ctx;
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t bytes;
        memcpy(&bytes, data + i, 8);
        c->offset += bytes;
        unsigned char le[8];
        for (int k = 0; k < 8; k++)
            le[k] = (unsigned char)(c->offset >> (8 * k));
        if (cli_buf_add(&c->index.buf, le, 8) != 0) {
            cli_error("out of memory");
            return -1;
        }
    }
    /* A write error has been reported by the output code. */
    return cli_out_check(&c->index);
}

/* ------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------ */

/* A whole number >= 0 for --stride. */
static int parse_count(const char *s, size_t *out)
{
    size_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > ((size_t)-1 - 9) / 10)
            return -1;
        v = v * 10 + (size_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Turns the truncation and padding options into the library's, starting
 * from the tokenizer's own settings.  Returns 0 or CLI_EXIT_USAGE. */
static int limits(const cli_command_spec *spec, const encode_opts *o,
                  const tok_tokenizer *tk, encode_ctx *c)
{
    tok_encode_options *eo = &c->eo;
    tok_truncation own_t;
    tok_padding own_p;
    int has_t = tok_tokenizer_truncation(tk, &own_t);
    int has_p = tok_tokenizer_padding(tk, &own_p);
    size_t stride = 0;
    if (o->stride && parse_count(o->stride, &stride) != 0) {
        cli_usage_error(spec, "--stride needs a whole number, not '%s'",
                        o->stride);
        return CLI_EXIT_USAGE;
    }
    if (o->truncation == TRUNC_NONE) {
        if (o->stride || o->truncation_side >= 0) {
            cli_usage_error(spec, "--truncation none does not go with "
                            "--stride or --truncation-side");
            return CLI_EXIT_USAGE;
        }
        eo->truncate = TOK_SETTING_OFF;
    } else if (o->max_length || o->truncation >= 0 ||
               o->truncation_side >= 0 || o->stride) {
        eo->truncate = TOK_SETTING_ON;
        eo->truncation = has_t ? own_t : (tok_truncation)TOK_TRUNCATION_INIT;
        if (o->max_length)
            eo->truncation.max_length = o->max_length;
        else if (!has_t) {
            cli_usage_error(spec, "truncation needs --max-length (the "
                            "tokenizer has no truncation of its own)");
            return CLI_EXIT_USAGE;
        }
        if (o->truncation >= 0)
            eo->truncation.strategy = (tok_truncation_strategy)o->truncation;
        if (o->truncation_side >= 0)
            eo->truncation.side = (tok_side)o->truncation_side;
        if (o->stride)
            eo->truncation.stride = stride;
        if (eo->truncation.strategy == TOK_TRUNCATE_ONLY_SECOND &&
            !o->pair && !c->field[1]) {
            cli_usage_error(spec, "--truncation only_second needs pairs "
                            "(--pair)");
            return CLI_EXIT_USAGE;
        }
    }
    c->windows = o->stride != NULL;

    if (o->padding == PAD_NONE) {
        if (o->pad_multiple || o->padding_side >= 0 || o->pad_token) {
            cli_usage_error(spec, "--padding none does not go with the "
                            "other padding options");
            return CLI_EXIT_USAGE;
        }
        eo->pad = TOK_SETTING_OFF;
        return 0;
    }
    if (o->padding < 0 && !o->pad_multiple && o->padding_side < 0 &&
        !o->pad_token)
        return 0;
    eo->pad = TOK_SETTING_ON;
    eo->padding = has_p ? own_p : (tok_padding)TOK_PADDING_INIT;
    if (o->padding == PAD_MAX_LENGTH) {
        size_t len = o->max_length;
        if (!len && has_p && own_p.strategy == TOK_PAD_FIXED)
            len = own_p.length;
        if (!len && has_t)
            len = own_t.max_length;
        if (!len) {
            cli_usage_error(spec, "--padding max_length needs "
                            "--max-length");
            return CLI_EXIT_USAGE;
        }
        eo->padding.strategy = TOK_PAD_FIXED;
        eo->padding.length = len;
    } else if (o->padding == PAD_LONGEST) {
        eo->padding.strategy = TOK_PAD_LONGEST;
    }
    if (o->pad_multiple)
        eo->padding.pad_to_multiple_of = o->pad_multiple;
    if (o->padding_side >= 0)
        eo->padding.side = (tok_side)o->padding_side;
    if (o->pad_token || !has_p) {
        int32_t id = -1;
        if (o->pad_token) {
            id = cli_token_option(spec, tk, "--pad-token", o->pad_token);
            if (id < 0)
                return CLI_EXIT_USAGE;
        } else {
            id = tok_token_to_id(tk, "[PAD]", 5);
            if (id < 0)
                id = tok_token_to_id(tk, "<pad>", 5);
            if (id < 0) {
                cli_usage_error(spec, "the tokenizer has no [PAD] or <pad> "
                                "token: name one with --pad-token");
                return CLI_EXIT_USAGE;
            }
        }
        eo->padding.pad_id = id;
        eo->padding.pad_token = NULL;
    }
    return 0;
}

/* Checks how the options go together and with the model.  Returns 0 or
 * an exit status. */
static int setup(const cli_command_spec *spec, const encode_opts *o,
                 const tok_tokenizer *tk, encode_ctx *c, char *fields)
{
    int binary = o->format == FORMAT_U16 || o->format == FORMAT_U32;
    if (o->jsonl_field) {
        char *comma = strchr(fields, ',');
        c->field[0] = fields;
        if (comma) {
            *comma = '\0';
            c->field[1] = comma + 1;
        }
        if (!*c->field[0] || (c->field[1] && (!*c->field[1] ||
                                              strchr(c->field[1], ',')))) {
            cli_usage_error(spec, "--jsonl-field takes one field name, or "
                            "two separated by a comma");
            return CLI_EXIT_USAGE;
        }
        if (c->field[1] && o->pair) {
            cli_usage_error(spec, "--pair does not go with two "
                            "--jsonl-field names, which make pairs "
                            "already");
            return CLI_EXIT_USAGE;
        }
        c->pair = o->pair || c->field[1] != NULL;
    }
    if (o->append) {
        if (o->format == FORMAT_JSONL) {
            cli_usage_error(spec, "--append does not go with -f jsonl");
            return CLI_EXIT_USAGE;
        }
        c->append = cli_token_option(spec, tk, "--append", o->append);
        if (c->append < 0)
            return CLI_EXIT_USAGE;
    }
    if (o->index && !binary) {
        cli_usage_error(spec, "--index goes with -f u16 or -f u32");
        return CLI_EXIT_USAGE;
    }
    size_t n = tok_vocab_size(tk);
    if (o->format == FORMAT_U16 && n > 65536) {
        cli_usage_error(spec, "-f u16 holds ids below 65536, but the "
                        "vocabulary has %zu ids: use -f u32", n);
        return CLI_EXIT_USAGE;
    }
    if (binary && isatty(1)) {
        cli_usage_error(spec, "binary output (-f %s) goes to a file or a "
                        "pipe, not to a terminal", formats[o->format]);
        return CLI_EXIT_USAGE;
    }
    return limits(spec, o, tk, c);
}

int cmd_encode(int argc, char **argv)
{
    encode_opts o;
    memset(&o, 0, sizeof o);
    o.mo = (cli_model_opts)CLI_MODEL_OPTS_INIT;
    o.threads = cli_default_threads();
    o.truncation = o.truncation_side = o.padding = o.padding_side = -1;
    const cli_opt opts[] = {
        CLI_MODEL_OPTIONS(&o.mo),
        CLI_SWITCH('z', "zero-terminated", &o.zero, 1,
                   "records end with NUL instead of newline, for texts "
                   "that hold newlines (the output is still one line per "
                   "record)"),
        CLI_VALUE(0, "jsonl-field", "NAME", &o.jsonl_field,
                  "each record is a JSON object with the text in field "
                  "NAME (two names, NAME,NAME2, make pairs); -f jsonl "
                  "keeps its other fields"),
        CLI_SWITCH(0, "pair", &o.pair, 1,
                   "each line is a pair of texts A<TAB>B, split at the "
                   "first TAB"),
        CLI_CHOICE('f', "format", &o.format, formats,
                   "output: space-separated ids (the default), tokens "
                   "(backslash escapes for '\\', space, control bytes "
                   "and invalid UTF-8), JSON Lines with input_ids, "
                   "tokens, offsets, token_type_ids, attention_mask and "
                   "special_tokens_mask (bytes that are not UTF-8 as "
                   "\"\\udcXX\", as Python's surrogateescape), or the ids "
                   "as a binary stream of little-endian uint16 or uint32, "
                   "one record after the other"),
        CLI_CHOICE(0, "offsets", &o.offsets, offset_units,
                   "offsets in UTF-8 bytes (the default) or in code "
                   "points, as Python counts"),
        CLI_VALUE(0, "append", "ID|TOKEN", &o.append,
                  "add this token after each record's tokens (an "
                  "end-of-document token; a number is an id); not with -f "
                  "jsonl"),
        CLI_VALUE(0, "index", "FILE", &o.index,
                  "with -f u16 or u32: write to FILE where each record "
                  "starts in the output, in bytes, then where the last one "
                  "ends, as little-endian uint64"),
        CLI_SWITCH(0, "no-special", &o.no_special, 1,
                   "do not add the template's special tokens "
                   "([CLS] ... [SEP])"),
        CLI_CHOICE(0, "special-in-text", &o.special, special_policies,
                   "special tokens written in the text: match them (the "
                   "default, as Hugging Face does), treat them as plain "
                   "text, or reject the record"),
        CLI_CHOICE(0, "invalid", &o.invalid, invalid_policies,
                   "text that is not valid UTF-8: a bad record (the "
                   "default) or replace each bad sequence with U+FFFD"),
        CLI_COUNT(0, "max-length", "N", &o.max_length,
                  "truncate to N tokens, special tokens included (default: "
                  "the tokenizer's truncation, if it has one)"),
        CLI_CHOICE(0, "truncation", &o.truncation, strategies,
                   "which text of a pair loses tokens: the longer one "
                   "first (the default), only the first, only the second; "
                   "or none, whatever the tokenizer says"),
        CLI_CHOICE(0, "truncation-side", &o.truncation_side, sides,
                   "cut tokens at the end of the text (the default) or at "
                   "its start"),
        CLI_VALUE(0, "stride", "N", &o.stride,
                  "write the tokens truncation cut as more records, "
                  "windows of the same length each repeating N tokens of "
                  "the one before (0: none)"),
        CLI_CHOICE(0, "padding", &o.padding, paddings,
                   "pad with the pad token to --max-length, to the "
                   "record's own length (only --pad-to-multiple-of and "
                   "--stride windows change it), or not at all (default: "
                   "the tokenizer's padding, if it has one)"),
        CLI_COUNT(0, "pad-to-multiple-of", "N", &o.pad_multiple,
                  "pad to a multiple of N tokens (alone: as --padding "
                  "longest)"),
        CLI_CHOICE(0, "padding-side", &o.padding_side, sides,
                   "put pad tokens at the end (the default) or at the "
                   "start"),
        CLI_VALUE(0, "pad-token", "ID|TOKEN", &o.pad_token,
                  "the pad token (default: the tokenizer's, [PAD] or "
                  "<pad>); the attention mask is 0 for it"),
        CLI_CHOICE(0, "on-error", &o.on_error, on_errors,
                   "a bad record (invalid UTF-8, malformed JSON, a JSON "
                   "object without the field): stop after every earlier "
                   "record (the default), or report it, write nothing for "
                   "it, go on and exit with status 3"),
        CLI_COUNT(0, "threads", "N", &o.threads,
                  "encode on N threads (default: one per core); the "
                  "output is the same, in the same order"),
        CLI_END
    };
    const cli_command_spec spec = {
        "encode", "[FILE...]",
        "Encodes each record of the FILEs (standard input when there are "
        "none, or for '-') into tokens, writing one output record per input "
        "record, in order.  A record is a line: only '\\n' ends it ('\\0' "
        "with -z), '\\r', NUL and any other byte are text, and an empty "
        "line encodes to the template alone.  A bad record stops the run "
        "with an error naming the file, record and byte, after every "
        "earlier record has been written (--on-error=skip goes on).",
        opts
    };
    int n, early;
    if (cli_parse_command(&spec, argc, argv, &n, &early))
        return early;
    tok_tokenizer *tk;
    int status = cli_model_load(&tk, &o.mo);
    if (status != 0)
        return status;
    static char dash[] = "-";
    char *stdin_only[] = {dash};
    char **inputs = n ? argv + 1 : stdin_only;
    encode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.tk = tk;
    ctx.eo = (tok_encode_options)TOK_ENCODE_OPTIONS_INIT;
    ctx.format = o.format;
    ctx.pair = o.pair;
    ctx.append = -1;
    ctx.index.fd = -1;
    ctx.eo.add_special_tokens = !o.no_special;
    ctx.eo.special_in_text = (tok_special_policy)o.special;
    ctx.eo.offsets = (tok_offset_unit)o.offsets;
    ctx.eo.invalid_utf8 = (tok_invalid_policy)o.invalid;
    char *fields = o.jsonl_field ? strdup(o.jsonl_field) : NULL;
    if (o.jsonl_field && !fields) {
        cli_error("out of memory");
        status = CLI_EXIT_DATA;
    } else {
        status = setup(&spec, &o, tk, &ctx, fields);
    }
    ctx.eo.overflowing = ctx.windows;
    if (status == 0 && o.index) {
        int fd;
        do {
            fd = open(o.index, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            cli_error("%s: %s", o.index, strerror(errno));
            status = CLI_EXIT_DATA;
        } else {
            static const char zero[8];
            ctx.index.fd = fd;
            if (cli_buf_add(&ctx.index.buf, zero, 8) != 0) {
                cli_error("out of memory");
                status = CLI_EXIT_DATA;
            }
        }
    }
    if (status == 0) {
        const cli_line_ops ops = {&ctx, encoder_new, encoder_free,
                                  encode_line, write_index};
        const cli_run_opts ro = {o.threads, o.zero ? '\0' : '\n',
                                 o.on_error};
        status = cli_run_records(&ops, inputs, n ? n : 1, &ro);
    }
    if (ctx.index.fd >= 0) {
        if (cli_out_flush(&ctx.index) != 0 && !ctx.index.closed &&
            status != CLI_EXIT_DATA) {
            status = CLI_EXIT_DATA;
        }
        if (close(ctx.index.fd) != 0 && status != CLI_EXIT_DATA) {
            cli_error("%s: %s", o.index, strerror(errno));
            status = CLI_EXIT_DATA;
        }
        cli_buf_dispose(&ctx.index.buf);
    }
    free(fields);
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
