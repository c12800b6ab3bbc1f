/* CLI stage: `tok decode` -- lines of token ids in, one line of text out
 * for each. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "tok.h"

typedef struct decode_opts {
    cli_model_opts mo;
    int skip_special;
} decode_opts;

typedef struct decoder {
    const tok_tokenizer *tk;
    tok_decode_options opts;
    int32_t *ids;           /* reused from line to line */
    size_t cap;
    tok_buffer text;
} decoder;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Parses the ids of a line into d->ids.  Returns the count, or -1 after
 * reporting a word that is not an id in range. */
static long parse_ids(decoder *d, const char *line, size_t len,
                      const char *file, size_t line_no)
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
            cli_error_at(file, line_no, "'%.*s%s' is not a token id", shown,
                         w, more);
            return -1;
        }
        if (digits || v >= vocab || v > INT32_MAX) {
            cli_error_at(file, line_no, "id %.*s%s is out of range (the "
                         "vocabulary has %lld ids)", shown, w, more,
                         (long long)vocab);
            return -1;
        }
        if (n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 256;
            int32_t *p = realloc(d->ids, cap * sizeof *p);
            if (!p) {
                cli_error("out of memory");
                return -1;
            }
            d->ids = p;
            d->cap = cap;
        }
        d->ids[n++] = (int32_t)v;
    }
    return (long)n;
}

static int decode_line(decoder *d, const char *line, size_t len,
                       const char *file, size_t line_no)
{
    long n = parse_ids(d, line, len, file, line_no);
    if (n < 0)
        return -1;
    tok_error err = {0};
    int rc = tok_decode(d->tk, d->ids, (size_t)n, &d->opts, &d->text, &err);
    if (rc == TOK_ERANGE && err.offset < (size_t)n) {
        cli_error_at(file, line_no, "id %ld is out of range (the "
                     "vocabulary has %zu ids)", (long)d->ids[err.offset],
                     tok_vocab_size(d->tk));
        return -1;
    }
    if (rc != TOK_OK) {
        cli_error_at(file, line_no, "%s",
                     err.message[0] ? err.message : tok_strerror(rc));
        return -1;
    }
    if (cli_buf_add(&cli_stdout.buf, d->text.data, d->text.len) != 0 ||
        cli_buf_putc(&cli_stdout.buf, '\n') != 0) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

static void flush_stdout(void *ctx)
{
    (void)ctx;
    if (cli_stdout.buf.len)
        cli_out_flush(&cli_stdout);
}

static int decode_input(decoder *d, cli_reader *r)
{
    const char *block;
    size_t block_len, line_no = 0;
    int rc;
    r->before_read = flush_stdout;
    while ((rc = cli_reader_block(r, &block, &block_len)) > 0) {
        const char *p = block, *end = block + block_len, *line;
        size_t len;
        while (cli_next_line(&p, end, &line, &len)) {
            if (decode_line(d, line, len, r->name, ++line_no) != 0)
                return CLI_EXIT_DATA;
            if (cli_out_check(&cli_stdout) != 0)
                return CLI_EXIT_DATA;
        }
    }
    if (rc < 0) {
        cli_error("%s: read error: %s", r->name, strerror(r->error));
        return CLI_EXIT_DATA;
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
    decoder d = {tk, TOK_DECODE_OPTIONS_INIT, NULL, 0, TOK_BUFFER_INIT};
    d.opts.skip_special_tokens = o.skip_special;
    static char dash[] = "-";
    char *stdin_only[] = {dash};
    char **inputs = n ? argv + 1 : stdin_only;
    int ninputs = n ? n : 1;
    for (int i = 0; i < ninputs && status == 0; i++) {
        cli_reader r;
        if (cli_reader_open(&r, inputs[i]) != 0) {
            cli_error("%s: %s", inputs[i], strerror(errno));
            status = CLI_EXIT_DATA;
            break;
        }
        status = decode_input(&d, &r);
        cli_reader_close(&r);
    }
    if (cli_stdout.closed)
        status = CLI_EXIT_OK;
    free(d.ids);
    tok_buffer_dispose(&d.text);
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
