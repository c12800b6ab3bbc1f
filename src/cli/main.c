/* CLI stage: the `tok` entry point -- the command table, `tok --help` and
 * `tok --version`. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "cli.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "tok.h"

/* The library's cJSON version (the CLI itself does not link cJSON). */
const char *tok_cjson_version(void);

typedef struct cli_command {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} cli_command;

/* Every subcommand, in the order `tok --help` lists them.  A new command
 * is a cmd_<name>.c file, its declaration in cli.h and one line here. */
static const cli_command commands[] = {
    {"encode", cmd_encode, "text to token ids, one output line per input "
                           "line"},
    {"decode", cmd_decode, "token ids to text, one output line per input "
                           "line"},
    {"info", cmd_info, "describe a tokenizer: model, vocabulary, special "
                       "tokens, stages"},
    {"train", cmd_train, "learn a BPE, byte-level BPE or WordPiece "
                         "vocabulary from text files or word counts"},
    {"count", cmd_count, "count the words of a corpus as tok train would, "
                         "or add counts up (--merge)"},
    {"convert", cmd_convert, "write any model tok reads (vocab.txt, "
                             "vocab.json, .tiktoken) as tokenizer.json"},
};

static void main_help(cli_str *s)
{
    cli_str_puts(s, "usage: tok COMMAND [options] [FILE...]\n"
                    "       tok --help | --version\n\n");
    cli_wrap(s, "tok turns text into token ids and back with Hugging Face "
                "tokenizer.json files (WordPiece and BPE), giving the same "
                "ids, tokens and offsets as Hugging Face tokenizers.",
             0, 0);
    cli_str_puts(s, "\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t n = strlen(commands[i].name);
        cli_str_puts(s, "  ");
        cli_str_puts(s, commands[i].name);
        cli_str_add(s, "          ", 10 - n);
        cli_wrap(s, commands[i].summary, 12, 12);
    }
    cli_str_puts(s, "\nOptions:\n"
                    "  -h, --help     show this help and exit\n"
                    "  -V, --version  show the versions of tok, utf8proc "
                    "and cJSON and exit\n\n");
    cli_str_puts(s, "Models (-m MODEL): ");
    cli_str names = CLI_STR_INIT;
    cli_model_list_names(&names);
    cli_str text = CLI_STR_INIT;
    cli_str_puts(&text, "a path to a tokenizer.json, a BERT vocab.txt, a "
                        "GPT-2 vocab.json (merges.txt beside it), a "
                        ".tiktoken file (special_tokens.json beside it), or "
                        "the name of a shipped vocabulary: ");
    cli_str_puts(&text, names.data && !names.failed ? names.data
                                                     : "(none found)");
    cli_str_puts(&text, ".  The default is " CLI_DEFAULT_MODEL ".");
    cli_wrap(s, text.failed ? "" : text.data, 0, 19);
    free(names.data);
    free(text.data);
    cli_str_puts(s, "\nExit status:\n"
                    "  0  success (also when the reader of the output "
                    "stops early)\n"
                    "  1  bad data or a runtime failure (the error names "
                    "the file and line;\n"
                    "     every line before it has been written)\n"
                    "  2  bad usage\n"
                    "  3  done, but bad records were skipped (tok encode "
                    "--on-error=skip)\n\n"
                    "Run 'tok COMMAND --help' for the options of a "
                    "command.\n");
}

static int print_text(const char *text)
{
    if (!text || cli_buf_puts(&cli_stdout.buf, text) != 0) {
        cli_error("out of memory");
        return cli_finish(CLI_EXIT_DATA);
    }
    return cli_finish(CLI_EXIT_OK);
}

int cli_print_help(const cli_command_spec *spec)
{
    char *text = cli_help_text(spec);
    int status = print_text(text);
    free(text);
    return status;
}

int cli_parse_command(const cli_command_spec *spec, int argc, char **argv,
                      int *noperands, int *status)
{
    switch (cli_parse(spec, argc, argv, noperands)) {
    case CLI_PARSE_HELP:
        *status = cli_print_help(spec);
        return 1;
    case CLI_PARSE_ERROR:
        *status = CLI_EXIT_USAGE;
        return 1;
    default:
        return 0;
    }
}

static int show_help(void)
{
    cli_str s = CLI_STR_INIT;
    main_help(&s);
    int status = print_text(s.failed ? NULL : s.data);
    free(s.data);
    return status;
}

static int show_version(void)
{
    cli_buf *b = &cli_stdout.buf;
    if (cli_buf_printf(b, "tok %s\nutf8proc %s\ncJSON %s\n", tok_version(),
                       utf8proc_version(), tok_cjson_version()) != 0) {
        cli_error("out of memory");
        return cli_finish(CLI_EXIT_DATA);
    }
    return cli_finish(CLI_EXIT_OK);
}

static void usage_hint(void)
{
    fputs("Try 'tok --help'.\n", stderr);
}

int main(int argc, char **argv)
{
    /* A closed stdout shows up as EPIPE from write(2), which the output
     * code turns into a quiet stop instead of a death by signal. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fputs("usage: tok COMMAND [options] [FILE...]\n", stderr);
        usage_hint();
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return show_help();
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return show_version();
    /* `tok help encode` is `tok encode --help`. */
    if (strcmp(name, "help") == 0) {
        if (argc < 3)
            return show_help();
        static char help_flag[] = "--help";
        char *args[] = {argv[2], help_flag, NULL};
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(commands[i].name, argv[2]) == 0)
                return commands[i].fn(2, args);
        fprintf(stderr, "tok: unknown command '%s'\n", argv[2]);
        usage_hint();
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    if (name[0] == '-')
        fprintf(stderr, "tok: unknown option '%s'\n", name);
    else
        fprintf(stderr, "tok: unknown command '%s'\n", name);
    usage_hint();
    return CLI_EXIT_USAGE;
}
