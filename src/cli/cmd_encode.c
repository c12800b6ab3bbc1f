/* CLI stage: `tok encode` -- lines of text in, one line of tokens out for
 * each, in order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "encoder.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "tok.h"

static const char *const formats[] = {"ids", "tokens", "jsonl", NULL};
static const char *const offset_units[] = {"bytes", "chars", NULL};
static const char *const special_policies[] = {"match", "text", "reject",
                                               NULL};
static const char *const invalid_policies[] = {"error", "replace", NULL};

int cli_encoder_init(cli_encoder *e, const tok_tokenizer *tk,
                     const cli_encode_opts *o)
{
    tok_encode_options eo = TOK_ENCODE_OPTIONS_INIT;
    eo.add_special_tokens = !o->no_special;
    eo.special_in_text = (tok_special_policy)o->special;
    eo.offsets = (tok_offset_unit)o->offsets;
    eo.invalid_utf8 = (tok_invalid_policy)o->invalid;
    e->tk = tk;
    e->o = o;
    e->eo = eo;
    e->enc = tok_encoding_new();
    return e->enc ? 0 : -1;
}

void cli_encoder_dispose(cli_encoder *e)
{
    tok_encoding_free(e->enc);
    e->enc = NULL;
}

static int format_ids(const tok_encoding *enc, cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    const int32_t *ids = tok_encoding_ids(enc);
    /* An id is at most 11 characters with its separator. */
    if (n > ((size_t)-1 - 1) / 12 || cli_buf_reserve(out, n * 12 + 1) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (i)
            out->data[out->len++] = ' ';
        cli_buf_i64(out, ids[i]);
    }
    out->data[out->len++] = '\n';
    return 0;
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

static int json_ints_u8(cli_buf *out, const char *key, const uint8_t *v,
                        size_t n)
{
    if (cli_buf_puts(out, key) != 0 || cli_buf_reserve(out, 2 * n + 2))
        return -1;
    out->data[out->len++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            out->data[out->len++] = ',';
        out->data[out->len++] = (char)('0' + (v[i] != 0));
    }
    out->data[out->len++] = ']';
    return 0;
}

static int format_jsonl(const tok_encoding *enc, cli_buf *out)
{
    size_t n = tok_encoding_len(enc);
    const int32_t *ids = tok_encoding_ids(enc);
    const uint32_t *types = tok_encoding_type_ids(enc);
    const tok_offset *offs = tok_encoding_offsets(enc);
    int rc = cli_buf_puts(out, "{\"input_ids\":[");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = (i ? cli_buf_putc(out, ',') : 0) || cli_buf_i64(out, ids[i]);
    rc = rc || cli_buf_puts(out, "],\"tokens\":[");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *t = tok_encoding_token(enc, i);
        rc = (i ? cli_buf_putc(out, ',') : 0) ||
             cli_buf_json_string(out, t, strlen(t));
    }
    rc = rc || cli_buf_puts(out, "],\"offsets\":[");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = cli_buf_puts(out, i ? ",[" : "[") ||
             cli_buf_u64(out, offs[i].start) || cli_buf_putc(out, ',') ||
             cli_buf_u64(out, offs[i].end) || cli_buf_putc(out, ']');
    rc = rc || cli_buf_puts(out, "],\"token_type_ids\":[");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = (i ? cli_buf_putc(out, ',') : 0) || cli_buf_u64(out, types[i]);
    rc = rc || cli_buf_putc(out, ']') ||
         json_ints_u8(out, ",\"attention_mask\":",
                      tok_encoding_attention_mask(enc), n) ||
         json_ints_u8(out, ",\"special_tokens_mask\":",
                      tok_encoding_special_mask(enc), n) ||
         cli_buf_puts(out, "}\n");
    return rc ? -1 : 0;
}

int cli_encode_line(cli_encoder *e, const char *line, size_t len,
                    cli_buf *out, cli_line_error *fail)
{
    tok_error err = {0};
    int rc;
    if (e->o->pair) {
        const char *tab = memchr(line, '\t', len);
        if (!tab) {
            fail->code = TOK_EINVAL;
            snprintf(fail->message, sizeof fail->message,
                     "no TAB in the line (--pair reads 'A<TAB>B')");
            return -1;
        }
        size_t alen = (size_t)(tab - line);
        rc = tok_encode_pair(e->tk, line, alen, tab + 1, len - alen - 1,
                             &e->eo, e->enc, &err);
    } else {
        rc = tok_encode(e->tk, line, len, &e->eo, e->enc, &err);
    }
    if (rc != TOK_OK) {
        fail->code = rc;
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
    switch (e->o->format) {
    case CLI_FORMAT_TOKENS:
        rc = format_tokens(e->enc, out);
        break;
    case CLI_FORMAT_JSONL:
        rc = format_jsonl(e->enc, out);
        break;
    default:
        rc = format_ids(e->enc, out);
        break;
    }
    if (rc != 0) {
        fail->code = TOK_ENOMEM;
        snprintf(fail->message, sizeof fail->message, "out of memory");
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

/* Encodes one input on this thread.  Returns 0 to go on with the next
 * input, or the exit status to stop with. */
static int encode_input(cli_encoder *e, cli_reader *r)
{
    const char *block;
    size_t block_len, line_no = 0;
    int rc;
    r->before_read = flush_stdout;
    while ((rc = cli_reader_block(r, &block, &block_len)) > 0) {
        const char *p = block, *end = block + block_len, *line;
        size_t len;
        while (cli_next_line(&p, end, &line, &len)) {
            cli_line_error fail;
            line_no++;
            if (cli_encode_line(e, line, len, &cli_stdout.buf, &fail)) {
                cli_error_at(r->name, line_no, "%s", fail.message);
                return CLI_EXIT_DATA;
            }
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

static int encode_serial(const tok_tokenizer *tk, const cli_encode_opts *o,
                         char **inputs, int ninputs)
{
    cli_encoder e;
    if (cli_encoder_init(&e, tk, o) != 0) {
        cli_error("out of memory");
        return CLI_EXIT_DATA;
    }
    int status = 0;
    for (int i = 0; i < ninputs && status == 0; i++) {
        cli_reader r;
        if (cli_reader_open(&r, inputs[i]) != 0) {
            cli_error("%s: %s", inputs[i], strerror(errno));
            status = CLI_EXIT_DATA;
            break;
        }
        status = encode_input(&e, &r);
        cli_reader_close(&r);
    }
    cli_encoder_dispose(&e);
    /* Stopping because the reader of stdout left is not a failure. */
    if (cli_stdout.closed)
        status = CLI_EXIT_OK;
    return status;
}

int cmd_encode(int argc, char **argv)
{
    cli_encode_opts o = {CLI_MODEL_OPTS_INIT, 0, 0, 0, 0, 0, 0, 0};
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
    status = encode_serial(tk, &o, inputs, n ? n : 1);
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
