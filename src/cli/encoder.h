/* encoder: one line of text to one line of output, as `tok encode` does
 * it, shared by the serial loop and the worker threads. */
#ifndef TOK_CLI_ENCODER_H
#define TOK_CLI_ENCODER_H

#include <stddef.h>

#include "io.h"
#include "model.h"
#include "tok.h"

enum { CLI_FORMAT_IDS, CLI_FORMAT_TOKENS, CLI_FORMAT_JSONL };

/* The options of `tok encode`; the ints hold the index of the choice in
 * the option table, which follows the order of the library's enums. */
typedef struct cli_encode_opts {
    cli_model_opts mo;
    int format;
    int offsets;      /* tok_offset_unit */
    int pair;
    int no_special;
    int special;      /* tok_special_policy */
    int invalid;      /* tok_invalid_policy */
    size_t threads;
} cli_encode_opts;

/* One thread's encoder: the library's result object is reused from line
 * to line, so steady-state encoding allocates nothing. */
typedef struct cli_encoder {
    const tok_tokenizer *tk;
    const cli_encode_opts *o;
    tok_encode_options eo;
    tok_encoding *enc;
} cli_encoder;

/* Why a line failed, kept until the lines before it are written. */
typedef struct cli_line_error {
    int code;
    char message[600];
} cli_line_error;

int cli_encoder_init(cli_encoder *e, const tok_tokenizer *tk,
                     const cli_encode_opts *o);
void cli_encoder_dispose(cli_encoder *e);

/* Encodes line[0..len) and appends its output line to `out`.  Returns 0,
 * or -1 with `fail` filled (and `out` as it was). */
int cli_encode_line(cli_encoder *e, const char *line, size_t len,
                    cli_buf *out, cli_line_error *fail);

#endif
