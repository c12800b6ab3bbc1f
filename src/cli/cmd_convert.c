/* CLI stage: `tok convert` -- any model tok reads, as tokenizer.json. */
#include "cli.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "tok.h"

int cmd_convert(int argc, char **argv)
{
    cli_model_opts mo = CLI_MODEL_OPTS_INIT;
    const char *out = NULL;
    const cli_opt opts[] = {
        CLI_MODEL_OPTIONS(&mo),
        CLI_VALUE('o', "output", "FILE", &out,
                  "where to write tokenizer.json (- for standard output); "
                  "it is written whole or not at all"),
        CLI_END
    };
    const cli_command_spec spec = {
        "convert", NULL,
        "Loads a model -- a BERT vocab.txt, a GPT-2 vocab.json with "
        "merges.txt, a tiktoken .tiktoken file with special_tokens.json, "
        "a tokenizer.json or a shipped name -- and writes it "
        "as a Hugging Face tokenizer.json, formatted as Hugging Face's "
        "Tokenizer.save formats it.  The same model always gives the same "
        "bytes.",
        opts
    };
    int n, early;
    if (cli_parse_command(&spec, argc, argv, &n, &early))
        return early;
    if (n > 0) {
        cli_usage_error(&spec, "unexpected argument '%s' (use -m MODEL)",
                        argv[1]);
        return CLI_EXIT_USAGE;
    }
    if (!out) {
        cli_usage_error(&spec, "no output file (use -o FILE)");
        return CLI_EXIT_USAGE;
    }
    tok_tokenizer *tk;
    int status = cli_model_load(&tk, &mo);
    if (status != 0)
        return status;
    tok_error err;
    if (cli_model_save(tk, out, &err) != TOK_OK) {
        cli_error("%s", err.message);
        status = CLI_EXIT_DATA;
    }
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
