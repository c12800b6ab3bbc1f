/* CLI stage: `tok encode` -- lines of text in, one line of tokens out for
 * each, in order. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "pipeline.h"
#include "tok.h"

enum { FORMAT_IDS, FORMAT_TOKENS, FORMAT_JSONL };

/* The options of `tok encode`; the ints hold the index of the choice in
 * the option table, which follows the order of the library's enums. */
typedef struct encode_opts {
    cli_model_opts mo;
    int format;
    int offsets;      /* tok_offset_unit */
    int pair;
    int no_special;
    int special;      /* tok_special_policy */
    int invalid;      /* tok_invalid_policy */
    size_t threads;
} encode_opts;

typedef struct encode_ctx {
    const tok_tokenizer *tk;
    tok_encode_options eo;
    int format;
    int pair;
} encode_ctx;

/* One thread's encoder: the library's result object is reused from line
 * to line, so steady-state encoding allocates nothing. */
typedef struct encoder {
    const encode_ctx *ctx;
    tok_encoding *enc;
} encoder;

static const char *const formats[] = {"ids", "tokens", "jsonl", NULL};
static const char *const offset_units[] = {"bytes", "chars", NULL};
static const char *const special_policies[] = {"match", "text", "reject",
                                               NULL};
static const char *const invalid_policies[] = {"error", "replace", NULL};

static void *encoder_new(void *ctx)
{
    encoder *e = malloc(sizeof *e);
    if (!e)
        return NULL;
    e->ctx = ctx;
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
    free(e);
}

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

static int format_ids(const tok_encoding *enc, cli_buf *out)
{
    if (put_ids(out, tok_encoding_ids(enc), tok_encoding_len(enc), ' '))
        return -1;
    return cli_buf_putc(out, '\n');
}

static int format_tokens(const tok_encoding *enc, cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    for (size_t i = 0; i < n; i++) {
        const char *t = tok_encoding_token(enc, i);
        if ((i && cli_buf_putc(out, ' ') != 0) ||
            cli_buf_token(out, t, strlen(t)) != 0)
            return -1;
    }
    return cli_buf_putc(out, '\n');
}

static int format_jsonl(const tok_encoding *enc, cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    if (cli_buf_puts(out, "{\"input_ids\":[") ||
        put_ids(out, tok_encoding_ids(enc), n, ',') ||
        cli_buf_puts(out, "],\"tokens\":["))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *t = tok_encoding_token(enc, i);
        if ((i && cli_buf_putc(out, ',') != 0) ||
            cli_buf_json_string(out, t, strlen(t)) != 0)
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

static int encode_line(void *worker, const char *line, size_t len,
                       cli_buf *out, cli_buf *aux, cli_line_error *fail)
{
    (void)aux;
    encoder *e = worker;
    const encode_ctx *c = e->ctx;
    tok_error err = {0};
    int rc;
    if (c->pair) {
        const char *tab = memchr(line, '\t', len);
        if (!tab) {
            snprintf(fail->message, sizeof fail->message,
                     "no TAB in the line (--pair reads 'A<TAB>B')");
            return -1;
        }
        size_t alen = (size_t)(tab - line);
        rc = tok_encode_pair(c->tk, line, alen, tab + 1, len - alen - 1,
                             &c->eo, e->enc, &err);
    } else {
        rc = tok_encode(c->tk, line, len, &c->eo, e->enc, &err);
    }
    if (rc != TOK_OK) {
        if (rc == TOK_EUTF8) {
            /* The offset into the line, whichever text of a pair it is
             * in: the TAB between them is valid UTF-8. */
            size_t at = cli_utf8_check(line, len);
            if (at == len)
                at = err.offset;
            snprintf(fail->message, sizeof fail->message,
                     "invalid UTF-8 at byte %zu (--invalid=replace "
                     "writes U+FFFD instead)", at);
        } else {
            snprintf(fail->message, sizeof fail->message, "%s",
                     err.message[0] ? err.message : tok_strerror(rc));
        }
        return -1;
    }
    size_t before = out->len;
    switch (c->format) {
    case FORMAT_TOKENS:
        rc = format_tokens(e->enc, out);
        break;
    case FORMAT_JSONL:
        rc = format_jsonl(e->enc, out);
        break;
    default:
        rc = format_ids(e->enc, out);
        break;
    }
    if (rc != 0) {
        out->len = before;
        snprintf(fail->message, sizeof fail->message, "out of memory");
        return -1;
    }
    return 0;
}

int cmd_encode(int argc, char **argv)
{
    encode_opts o = {CLI_MODEL_OPTS_INIT, 0, 0, 0, 0, 0, 0, 0};
    o.threads = cli_default_threads();
    const cli_opt opts[] = {
        CLI_MODEL_OPTIONS(&o.mo),
        CLI_CHOICE('f', "format", &o.format, formats,
                   "output: space-separated ids (the default), tokens "
                   "(backslash escapes for '\\', space, control bytes "
                   "and invalid UTF-8), or JSON Lines with input_ids, "
                   "tokens, offsets, token_type_ids, attention_mask and "
                   "special_tokens_mask (bytes that are not UTF-8 as "
                   "\"\\udcXX\", as Python's surrogateescape)"),
        CLI_CHOICE(0, "offsets", &o.offsets, offset_units,
                   "offsets in UTF-8 bytes (the default) or in code "
                   "points, as Python counts"),
        CLI_SWITCH(0, "pair", &o.pair, 1,
                   "each line is a pair of texts A<TAB>B, split at the "
                   "first TAB"),
        CLI_SWITCH(0, "no-special", &o.no_special, 1,
                   "do not add the template's special tokens "
                   "([CLS] ... [SEP])"),
        CLI_CHOICE(0, "special-in-text", &o.special, special_policies,
                   "special tokens written in the text: match them (the "
                   "default, as Hugging Face does), treat them as plain "
                   "text, or reject the line"),
        CLI_CHOICE(0, "invalid", &o.invalid, invalid_policies,
                   "text that is not valid UTF-8: stop with an error (the "
                   "default) or replace each bad sequence with U+FFFD"),
        CLI_COUNT(0, "threads", "N", &o.threads,
                  "encode on N threads (default: one per core); the "
                  "output is the same, in the same order"),
        CLI_END
    };
    const cli_command_spec spec = {
        "encode", "[FILE...]",
        "Encodes each line of the FILEs (standard input when there are "
        "none, or for '-') into tokens, writing one output line per input "
        "line, in order.  Only '\\n' ends a line: '\\r', NUL and any other "
        "byte are text, and an empty line encodes to the template alone.  "
        "Invalid UTF-8 stops with an error naming the file, line and byte, "
        "after every earlier line has been written.",
        opts
    };
    int n;
    switch (cli_parse(&spec, argc, argv, &n)) {
    case CLI_PARSE_HELP:
        return cli_print_help(&spec);
    case CLI_PARSE_ERROR:
        return CLI_EXIT_USAGE;
    default:
        break;
    }
    tok_tokenizer *tk;
    int status = cli_model_load(&tk, &o.mo);
    if (status != 0)
        return status;
    static char dash[] = "-";
    char *stdin_only[] = {dash};
    char **inputs = n ? argv + 1 : stdin_only;
    encode_ctx ctx = {tk, TOK_ENCODE_OPTIONS_INIT, o.format, o.pair};
    ctx.eo.add_special_tokens = !o.no_special;
    ctx.eo.special_in_text = (tok_special_policy)o.special;
    ctx.eo.offsets = (tok_offset_unit)o.offsets;
    ctx.eo.invalid_utf8 = (tok_invalid_policy)o.invalid;
    const cli_line_ops ops = {&ctx, encoder_new, encoder_free, encode_line,
                             NULL};
    status = cli_run_lines(&ops, inputs, n ? n : 1, o.threads);
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
