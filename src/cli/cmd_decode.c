/* CLI stage: `tok decode` -- lines of token ids in, one line of text out
 * for each. */
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

typedef struct decode_opts {
    cli_model_opts mo;
    int skip_special;
} decode_opts;

typedef struct decode_ctx {
    const tok_tokenizer *tk;
    tok_decode_options opts;
} decode_ctx;

/* One thread's decoder: its buffers are reused from line to line. */
typedef struct decoder {
    const tok_tokenizer *tk;
    tok_decode_options opts;
    int32_t *ids;
    size_t cap;
    tok_buffer text;
} decoder;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Parses the ids of a line into d->ids.  Returns the count, or -1 with
 * `fail` saying which word is not an id in range. */
static long parse_ids(decoder *d, const char *line, size_t len,
                      cli_line_error *fail)
{
    size_t n = 0, i = 0;
    int64_t vocab = (int64_t)tok_vocab_size(d->tk);
    while (i < len) {
        while (i < len && is_blank(line[i]))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && !is_blank(line[i]))
            i++;
        const char *w = line + start;
        size_t wlen = i - start;
        size_t digits = w[0] == '-' ? 1 : 0;
        int ok = wlen > digits;
        int64_t v = 0;
        for (size_t k = digits; k < wlen && ok; k++) {
            if (w[k] < '0' || w[k] > '9')
                ok = 0;
            else if (v <= INT64_MAX / 16)
                v = v * 10 + (w[k] - '0');
        }
        int shown = wlen > 40 ? 40 : (int)wlen;
        const char *more = wlen > 40 ? "..." : "";
        if (!ok) {
            snprintf(fail->message, sizeof fail->message,
                     "'%.*s%s' is not a token id", shown, w, more);
            return -1;
        }
        if (digits || v >= vocab || v > INT32_MAX) {
            snprintf(fail->message, sizeof fail->message,
                     "id %.*s%s is out of range (the vocabulary has %lld "
                     "ids)", shown, w, more, (long long)vocab);
            return -1;
        }
        if (n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 256;
            int32_t *p = realloc(d->ids, cap * sizeof *p);
            if (!p) {
                snprintf(fail->message, sizeof fail->message,
                         "out of memory");
                return -1;
            }
            d->ids = p;
            d->cap = cap;
        }
        d->ids[n++] = (int32_t)v;
    }
    return (long)n;
}

static void *decoder_new(void *ctx)
{
    const decode_ctx *c = ctx;
    decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->tk = c->tk;
    d->opts = c->opts;
    return d;
}

static void decoder_free(void *worker)
{
    decoder *d = worker;
    free(d->ids);
    tok_buffer_dispose(&d->text);
    free(d);
}

static int decode_line(void *worker, const char *line, size_t len,
                       cli_buf *out, cli_buf *aux, cli_line_error *fail)
{
    (void)aux;
    decoder *d = worker;
    long n = parse_ids(d, line, len, fail);
    if (n < 0)
        return -1;
    tok_error err = {0};
    int rc = tok_decode(d->tk, d->ids, (size_t)n, &d->opts, &d->text, &err);
    if (rc == TOK_ERANGE && err.offset < (size_t)n) {
        snprintf(fail->message, sizeof fail->message,
                 "id %ld is out of range (the vocabulary has %zu ids)",
                 (long)d->ids[err.offset], tok_vocab_size(d->tk));
        return -1;
    }
    if (rc != TOK_OK) {
        snprintf(fail->message, sizeof fail->message, "%s",
                 err.message[0] ? err.message : tok_strerror(rc));
        return -1;
    }
    size_t before = out->len;
    if (cli_buf_add(out, d->text.data, d->text.len) != 0 ||
        cli_buf_putc(out, '\n') != 0) {
        out->len = before;
        snprintf(fail->message, sizeof fail->message, "out of memory");
        return -1;
    }
    return 0;
}

int cmd_decode(int argc, char **argv)
{
    decode_opts o = {CLI_MODEL_OPTS_INIT, 0};
    const cli_opt opts[] = {
        CLI_MODEL_OPTIONS(&o.mo),
        CLI_SWITCH(0, "skip-special", &o.skip_special, 1,
                   "leave out special tokens such as [CLS] and [SEP]"),
        CLI_END
    };
    const cli_command_spec spec = {
        "decode", "[FILE...]",
        "Decodes each line of token ids (separated by spaces) of the FILEs "
        "(standard input when there are none, or for '-') back into text, "
        "writing one output line per input line.  A word that is not an "
        "id, or an id outside the vocabulary, stops with an error naming "
        "the line, after every earlier line has been written.",
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
    decode_ctx ctx = {tk, TOK_DECODE_OPTIONS_INIT};
    ctx.opts.skip_special_tokens = o.skip_special;
    const cli_line_ops ops = {&ctx, decoder_new, decoder_free, decode_line,
                             NULL};
    static char dash[] = "-";
    char *stdin_only[] = {dash};
    status = cli_run_lines(&ops, n ? argv + 1 : stdin_only, n ? n : 1, 1);
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
