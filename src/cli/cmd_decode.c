/* CLI stage: `tok decode` -- lines of token ids in, one line of text out
 * for each. */
#include <errno.h>
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

enum { FORMAT_IDS, FORMAT_U16, FORMAT_U32 };

typedef struct decode_opts {
    cli_model_opts mo;
    int skip_special;
    int format;
    const char *index;
    const char *split;
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
        /* One pass over the word: its end, whether it is all digits,
         * and its value (capped: a long one is out of range anyway). */
        size_t start = i;
        int64_t v = 0;
        int ok = 1;
        for (; i < len && !is_blank(line[i]); i++) {
            unsigned dig = (unsigned)(unsigned char)line[i] - '0';
            if (dig > 9)
                ok = 0;
            else if (v <= INT64_MAX / 16)
                v = v * 10 + dig;
        }
        const char *w = line + start;
        size_t wlen = i - start;
        size_t digits = 0;
        if (!ok && w[0] == '-') {
            /* A sign: digits after it make a negative id, refused below
             * as out of range rather than as not a number. */
            digits = 1;
            ok = wlen > 1;
            for (size_t k = 1; k < wlen && ok; k++)
                ok = w[k] >= '0' && w[k] <= '9';
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
    if (rc == TOK_ERANGE && err.offset < (size_t)n &&
        (size_t)d->ids[err.offset] >= tok_vocab_size(d->tk)) {
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

/* ------------------------------------------------------------------------
 * Binary input: the -f u16 / u32 streams of tok encode
 * ------------------------------------------------------------------------ */

typedef struct binary {
    decoder d;
    size_t width;            /* 2 or 4 */
    int32_t split;           /* -1: none */
    FILE *index;             /* NULL: none */
    const char *index_path;
    uint64_t next_end;       /* the end of the current record, by index */
    int has_end;
    uint64_t pos;            /* bytes of ids read */
    size_t record;           /* records written, from 1 */
    const char *file;
} binary;

/* The next offset of the index, checked; 1, 0 at its end, -1 on error. */
static int next_offset(binary *b, uint64_t *v)
{
    unsigned char le[8];
    size_t got = fread(le, 1, 8, b->index);
    if (got == 0 && !ferror(b->index))
        return 0;
    if (got != 8) {
        cli_error("%s: %s", b->index_path, ferror(b->index)
                                              ? strerror(errno)
                                              : "not a whole number of "
                                                "8-byte offsets");
        return -1;
    }
    *v = 0;
    for (int k = 7; k >= 0; k--)
        *v = (*v << 8) | le[k];
    return 1;
}

/* Decodes the ids gathered and writes one line.  Returns 0 or an exit
 * status. */
static int flush_record(binary *b, size_t n)
{
    cli_line_error fail;
    b->record++;
    size_t before = cli_stdout.buf.len;
    tok_error err = {0};
    int rc = tok_decode(b->d.tk, b->d.ids, n, &b->d.opts, &b->d.text, &err);
    if (rc == TOK_ERANGE && err.offset < n) {
        long id = (long)b->d.ids[err.offset];
        unsigned long long at =
            (unsigned long long)(b->pos - (n - err.offset) * b->width);
        size_t size = tok_vocab_size(b->d.tk);
        if (id >= 0 && (size_t)id < size)
            cli_error_at(b->file, b->record, "id %ld at byte %llu has no "
                         "token (the vocabulary skips it)", id, at);
        else
            cli_error_at(b->file, b->record, "id %ld at byte %llu is out of "
                         "range (the vocabulary has %zu ids)", id, at, size);
        return CLI_EXIT_DATA;
    }
    if (rc != TOK_OK) {
        cli_error_at(b->file, b->record, "%s",
                     err.message[0] ? err.message : tok_strerror(rc));
        return CLI_EXIT_DATA;
    }
    if (cli_buf_add(&cli_stdout.buf, b->d.text.data, b->d.text.len) ||
        cli_buf_putc(&cli_stdout.buf, '\n')) {
        cli_stdout.buf.len = before;
        snprintf(fail.message, sizeof fail.message, "out of memory");
        cli_error("%s", fail.message);
        return CLI_EXIT_DATA;
    }
    return cli_out_check(&cli_stdout) != 0 ? CLI_EXIT_DATA : 0;
}

/* Where the current record ends by the index (past the input's end when
 * the index is used up).  Returns 0 or an exit status. */
static int read_end(binary *b)
{
    uint64_t v;
    int rc = next_offset(b, &v);
    if (rc < 0)
        return CLI_EXIT_DATA;
    if (rc == 0) {
        b->has_end = 0;
        return 0;
    }
    if (v < b->next_end || v % b->width) {
        cli_error("%s: offset %llu does not follow %llu in whole ids",
                  b->index_path, (unsigned long long)v,
                  (unsigned long long)b->next_end);
        return CLI_EXIT_DATA;
    }
    b->next_end = v;
    b->has_end = 1;
    return 0;
}

static int decode_binary_input(binary *b, cli_reader *r)
{
    unsigned char part[4];
    size_t have = 0, n = 0;
    const char *data;
    size_t len;
    int rc, status = 0;
    b->file = r->name;
    b->record = 0;
    while (status == 0 && (rc = cli_reader_bytes(r, &data, &len)) > 0) {
        const unsigned char *u = (const unsigned char *)data;
        for (size_t i = 0; i < len && status == 0; i++) {
            part[have++] = u[i];
            if (have < b->width)
                continue;
            have = 0;
            uint32_t v = part[0] | (uint32_t)part[1] << 8;
            if (b->width == 4)
                v |= (uint32_t)part[2] << 16 | (uint32_t)part[3] << 24;
            b->pos += b->width;
            if (b->split >= 0 && (int64_t)v == b->split) {
                status = flush_record(b, n);
                n = 0;
                continue;
            }
            if (n == b->d.cap) {
                size_t cap = b->d.cap ? b->d.cap * 2 : 4096;
                int32_t *p = realloc(b->d.ids, cap * sizeof *p);
                if (!p) {
                    cli_error("out of memory");
                    return CLI_EXIT_DATA;
                }
                b->d.ids = p;
                b->d.cap = cap;
            }
            /* An id above INT32_MAX is out of range all the same. */
            b->d.ids[n++] = v > INT32_MAX ? INT32_MAX : (int32_t)v;
            while (status == 0 && b->index && b->has_end &&
                   b->pos == b->next_end) {
                status = flush_record(b, n);
                n = 0;
                if (status == 0)
                    status = read_end(b);
            }
        }
    }
    if (status)
        return status;
    if (rc < 0) {
        cli_error("%s: read error: %s", r->name, strerror(r->error));
        return CLI_EXIT_DATA;
    }
    if (have) {
        cli_error("%s: %llu bytes is not a whole number of %zu-byte ids",
                  r->name, (unsigned long long)(b->pos + have), b->width);
        return CLI_EXIT_DATA;
    }
    if (b->index) {
        /* Empty records at the end, then the index must be used up. */
        while (status == 0 && b->has_end && b->pos == b->next_end) {
            status = flush_record(b, 0);
            if (status == 0)
                status = read_end(b);
        }
        if (status == 0 && b->has_end) {
            cli_error("%s: offset %llu is past the end of %s (%llu bytes)",
                      b->index_path, (unsigned long long)b->next_end,
                      r->name, (unsigned long long)b->pos);
            return CLI_EXIT_DATA;
        }
        return status;
    }
    /* Without an index, what follows the last split is a record, and so
     * is a whole file without a split. */
    return n ? flush_record(b, n) : 0;
}

static int decode_binary(const decode_ctx *ctx, const decode_opts *o,
                         char **inputs, int ninputs, int32_t split)
{
    binary b;
    memset(&b, 0, sizeof b);
    b.d.tk = ctx->tk;
    b.d.opts = ctx->opts;
    b.width = o->format == FORMAT_U16 ? 2 : 4;
    b.split = split;
    int status = 0;
    if (o->index) {
        b.index = fopen(o->index, "rb");
        b.index_path = o->index;
        uint64_t first = 1;
        int rc = b.index ? next_offset(&b, &first) : -1;
        if (!b.index) {
            cli_error("%s: %s", o->index, strerror(errno));
            return CLI_EXIT_DATA;
        }
        if (rc > 0 && first != 0) {
            cli_error("%s: the first offset is %llu, not 0", o->index,
                      (unsigned long long)first);
            rc = -1;
        }
        status = rc < 0 ? CLI_EXIT_DATA : rc == 0 ? 0 : read_end(&b);
    }
    for (int i = 0; i < ninputs && status == 0; i++) {
        cli_reader r;
        if (cli_reader_open(&r, inputs[i]) != 0) {
            cli_error("%s: %s", inputs[i], strerror(errno));
            status = CLI_EXIT_DATA;
            break;
        }
        status = decode_binary_input(&b, &r);
        cli_reader_close(&r);
    }
    if (b.index)
        fclose(b.index);
    free(b.d.ids);
    tok_buffer_dispose(&b.d.text);
    if (cli_stdout.closed && !cli_stdout.failed)
        status = CLI_EXIT_OK;
    return status;
}

int cmd_decode(int argc, char **argv)
{
    static const char *const formats[] = {"ids", "u16", "u32", NULL};
    decode_opts o = {CLI_MODEL_OPTS_INIT, 0, 0, NULL, NULL};
    const cli_opt opts[] = {
        CLI_MODEL_OPTIONS(&o.mo),
        CLI_SWITCH(0, "skip-special", &o.skip_special, 1,
                   "leave out special tokens such as [CLS] and [SEP]"),
        CLI_CHOICE('f', "format", &o.format, formats,
                   "input: lines of space-separated ids (the default), or "
                   "the binary little-endian uint16 or uint32 stream of "
                   "tok encode -f u16|u32"),
        CLI_VALUE(0, "index", "FILE", &o.index,
                  "with -f u16|u32: the records are where the index of "
                  "tok encode --index says (one FILE operand at most)"),
        CLI_VALUE(0, "split", "ID|TOKEN", &o.split,
                  "with -f u16|u32: a record ends at each of this token, "
                  "which is not decoded (as tok encode --append writes "
                  "it); a number is an id"),
        CLI_END
    };
    const cli_command_spec spec = {
        "decode", "[FILE...]",
        "Decodes each line of token ids (separated by spaces) of the FILEs "
        "(standard input when there are none, or for '-') back into text, "
        "writing one output line per input line.  A word that is not an "
        "id, or an id outside the vocabulary, stops with an error naming "
        "the line, after every earlier line has been written.  Binary "
        "input (-f u16|u32) is cut into records by --index or --split; "
        "without either, each file is one record.",
        opts
    };
    int n, early;
    if (cli_parse_command(&spec, argc, argv, &n, &early))
        return early;
    if (o.format == FORMAT_IDS && (o.index || o.split)) {
        cli_usage_error(&spec, "--index and --split go with -f u16|u32");
        return CLI_EXIT_USAGE;
    }
    if (o.index && (o.split || n > 1)) {
        cli_usage_error(&spec, "--index goes with one input and without "
                        "--split");
        return CLI_EXIT_USAGE;
    }
    tok_tokenizer *tk;
    int status = cli_model_load(&tk, &o.mo);
    if (status != 0)
        return status;
    decode_ctx ctx = {tk, TOK_DECODE_OPTIONS_INIT};
    ctx.opts.skip_special_tokens = o.skip_special;
    static char dash[] = "-";
    char *stdin_only[] = {dash};
    char **inputs = n ? argv + 1 : stdin_only;
    if (o.format == FORMAT_IDS) {
        const cli_line_ops ops = {&ctx, decoder_new, decoder_free,
                                  decode_line, NULL};
        status = cli_run_lines(&ops, inputs, n ? n : 1, 1);
    } else {
        int32_t split = -1;
        if (o.split)
            split = cli_token_option(&spec, tk, "--split", o.split);
        status = o.split && split < 0
                     ? CLI_EXIT_USAGE
                     : decode_binary(&ctx, &o, inputs, n ? n : 1, split);
    }
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
