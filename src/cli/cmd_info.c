/* CLI stage: `tok info` -- what a tokenizer is made of. */
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "tok.h"

static const char *const stages[] = {"normalizer", "pre_tokenizer", "model",
                                     "post_processor", "decoder"};

/* "WordPiece" from "WordPiece(unk_token=[UNK], ...)". */
static size_t type_name_len(const char *description)
{
    size_t n = strcspn(description, "( ");
    return n;
}

static int print_added(cli_buf *b, const tok_tokenizer *tk, int special)
{
    size_t n = tok_added_count(tk);
    int rc = 0, any = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int32_t id;
        const char *content;
        int is_special;
        if (tok_added_token_at(tk, i, &id, &content,
                               &is_special) != TOK_OK ||
            (is_special != 0) != special)
            continue;
        if (!any)
            rc = cli_buf_puts(b, special ? "special tokens:\n"
                                         : "added tokens:\n");
        any = 1;
        rc = rc || cli_buf_printf(b, "  %-8ld ", (long)id) ||
             cli_buf_token(b, content, strlen(content)) ||
             cli_buf_putc(b, '\n');
    }
    if (!any && special)
        rc = cli_buf_puts(b, "special tokens: none\n");
    return rc;
}

static int print_info(cli_buf *b, const tok_tokenizer *tk)
{
    const char *model = tok_tokenizer_describe(tk, "model");
    if (!model)
        model = "unknown";
    int rc = cli_buf_printf(b, "file:            %s\n", cli_model_path()) ||
             cli_buf_printf(b, "model:           %.*s\n",
                            (int)type_name_len(model), model) ||
             cli_buf_printf(b, "vocabulary size: %zu\n",
                            tok_vocab_size(tk)) ||
             print_added(b, tk, 1) || print_added(b, tk, 0) ||
             cli_buf_puts(b, "stages:\n");
    for (size_t i = 0; i < sizeof stages / sizeof stages[0] && !rc; i++) {
        const char *d = tok_tokenizer_describe(tk, stages[i]);
        rc = cli_buf_printf(b, "  %-15s %s\n", stages[i], d ? d : "none");
    }
    return rc;
}

int cmd_info(int argc, char **argv)
{
    cli_model_opts mo = CLI_MODEL_OPTS_INIT;
    const cli_opt opts[] = {
        CLI_MODEL_OPTIONS(&mo),
        CLI_END
    };
    const cli_command_spec spec = {
        "info", NULL,
        "Describes a tokenizer: the file it comes from, the model type, "
        "the vocabulary size, the special (and other added) tokens with "
        "their ids, and each stage of the pipeline.",
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
    tok_tokenizer *tk;
    int status = cli_model_load(&tk, &mo);
    if (status != 0)
        return status;
    if (print_info(&cli_stdout.buf, tk) != 0) {
        cli_error("out of memory");
        status = CLI_EXIT_DATA;
    }
    tok_tokenizer_free(tk);
    return cli_finish(status);
}
