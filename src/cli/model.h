/* model: what `-m MODEL` names, and loading it.
 *
 * MODEL is tried first as a path:
 *   - a directory: its tokenizer.json, else its vocab.txt, else its
 *     vocab.json with merges.txt, else its one .tiktoken file;
 *   - a file named vocab.json or encoder.json: a GPT-2 vocabulary, with
 *     merges.txt (or vocab.bpe) in the same directory;
 *   - a file ending in .tiktoken: a tiktoken vocabulary, with
 *     special_tokens.json (pat_str, special_tokens) in the same
 *     directory;
 *   - a file ending in .txt: a BERT vocab.txt (lowercased unless --cased);
 *   - any other file: a Hugging Face tokenizer.json.
 * When no such path exists and MODEL has no '/', it is the name of a
 * shipped vocabulary, looked up as DIR/MODEL/tokenizer.json in
 * $TOK_VOCAB_DIR, then the source tree's vocab/ (TOK_VOCAB_SOURCE_DIR),
 * then the installed share/tok/vocab (TOK_VOCAB_INSTALL_DIR).
 */
#ifndef TOK_CLI_MODEL_H
#define TOK_CLI_MODEL_H

#include "opts.h"
#include "tok.h"

#define CLI_DEFAULT_MODEL "bert-base-uncased"

/* The options every command that loads a model takes. */
typedef struct cli_model_opts {
    const char *model;  /* NULL: CLI_DEFAULT_MODEL */
    int lowercase;      /* -1 unset, 0 --cased, 1 --lowercase */
} cli_model_opts;
#define CLI_MODEL_OPTS_INIT {NULL, -1}

/* The entries for a command's option table. */
#define CLI_MODEL_OPTIONS(mo)                                              \
    CLI_VALUE('m', "model", "MODEL", &(mo)->model,                         \
              "the tokenizer: a tokenizer.json, a BERT vocab.txt, a "      \
              "GPT-2 vocab.json (merges.txt beside it), a .tiktoken "      \
              "file (special_tokens.json beside it), a directory "         \
              "holding one, or the name of a shipped vocabulary "          \
              "(default: " CLI_DEFAULT_MODEL ")"),                         \
    CLI_SWITCH(0, "lowercase", &(mo)->lowercase, 1,                        \
               "with a vocab.txt: lowercase and strip accents (the "       \
               "default)"),                                                \
    CLI_SWITCH(0, "cased", &(mo)->lowercase, 0,                            \
               "with a vocab.txt: keep case and accents")

/* Loads the model the options name into *out.  Returns 0, or the exit
 * status after printing why it failed: CLI_EXIT_DATA when the model is
 * missing or broken, CLI_EXIT_USAGE when the options do not fit it. */
int cli_model_load(tok_tokenizer **out, const cli_model_opts *mo);

/* The path a model was loaded from (for `tok info`); valid until the next
 * cli_model_load. */
const char *cli_model_path(void);

/* Writes the tokenizer as tokenizer.json to `path` (whole or not at all),
 * or to standard output for "-". */
int cli_model_save(const tok_tokenizer *tk, const char *path,
                   tok_error *err);

/* A token named on the command line (--append, --pad-token) by its id or
 * its string; a number is an id.  Returns the id, or -1 after printing a
 * usage error for option `opt`. */
int32_t cli_token_option(const cli_command_spec *spec,
                         const tok_tokenizer *tk, const char *opt,
                         const char *value);

/* Appends the names of the shipped vocabularies found, comma-separated,
 * in name order, to s. */
void cli_model_list_names(cli_str *s);

#endif
