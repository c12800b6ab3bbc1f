/* Fuzz target: the CLI's option parser (src/cli/opts.c) on arbitrary
 * argument lists.  NUL bytes split the input into arguments; the table has
 * every kind of option, as the commands use them. */
#include <stdint.h>

#include "fuzz_common.h"
#include "opts.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MAX_ARGS 64

static const char *const formats[] = {"ids", "tokens", "jsonl", NULL};
static const char *const units[] = {"bytes", "chars", NULL};

/* Where each parsed value went. */
static const char *model, *output;
static int format, unit, pair, no_special, quiet;
static size_t threads, batch;

static const cli_opt opts[] = {
    CLI_VALUE('m', "model", "MODEL", &model,
              "the tokenizer: a tokenizer.json, a directory or a shipped "
              "name (default bert-base-uncased)"),
    CLI_CHOICE('f', "format", &format, formats, "the output format"),
    CLI_CHOICE(0, "offsets", &unit, units, "offsets in bytes or chars"),
    CLI_SWITCH('p', "pair", &pair, 1, "encode tab-separated pairs"),
    CLI_SWITCH(0, "no-special", &no_special, 1,
               "do not add the template's special tokens"),
    CLI_SWITCH('q', NULL, &quiet, 1, "say less"),
    CLI_COUNT('j', "threads", "N", &threads, "encode on N threads"),
    CLI_COUNT(0, "batch", "N", &batch, "lines per batch"),
    CLI_VALUE('o', "output", "FILE", &output, "write to FILE"),
    CLI_END
};

static const cli_command_spec spec = {
    "encode", "[FILE...]",
    "Encodes each line of the files (standard input when there are none) "
    "and writes one line of ids per input line.",
    opts
};

/* A value the parser stored must be one of the arguments or a tail of
 * one ("-mNAME", "--model=NAME"). */
static int inside_an_argument(const char *v, char *const *args, int n)
{
    for (int i = 0; i < n; i++)
        if (v >= args[i] && v <= args[i] + strlen(args[i]))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int help_checked;
    if (!help_checked) {
        /* The generated help keeps within 80 columns. */
        char *help = cli_help_text(&spec);
        FUZZ_CHECK(help != NULL);
        for (char *line = help, *nl; *line; line = nl + 1) {
            nl = strchr(line, '\n');
            FUZZ_CHECK(nl != NULL);
            FUZZ_CHECK(nl - line <= 80);
        }
        free(help);
        help_checked = 1;
    }
    char *copy = malloc(size + 1);
    FUZZ_CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    char *args[MAX_ARGS + 1], *orig[MAX_ARGS + 1];
    int argc = 0;
    args[argc++] = (char *)"encode";
    for (size_t i = 0; i <= size && argc < MAX_ARGS;) {
        args[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    args[argc] = NULL;
    memcpy(orig, args, sizeof args);

    model = output = NULL;
    format = unit = pair = no_special = quiet = 0;
    threads = batch = 0;
    int noperands = -1;
    int rc = cli_parse(&spec, argc, args, &noperands);
    FUZZ_CHECK(rc == CLI_PARSE_OK || rc == CLI_PARSE_HELP ||
               rc == CLI_PARSE_ERROR);
    if (rc == CLI_PARSE_OK) {
        FUZZ_CHECK(noperands >= 0 && noperands < argc);
        /* Operands keep their order, each an argument given. */
        int last = 0;
        for (int i = 1; i <= noperands; i++) {
            int at = 0;
            for (int j = last + 1; j < argc && !at; j++)
                if (orig[j] == args[i])
                    at = j;
            FUZZ_CHECK(at > last);
            last = at;
        }
        FUZZ_CHECK(format >= 0 && format < 3);
        FUZZ_CHECK(unit >= 0 && unit < 2);
        FUZZ_CHECK(!model || inside_an_argument(model, orig + 1, argc - 1));
        FUZZ_CHECK(!output || inside_an_argument(output, orig + 1,
                                                 argc - 1));
    }
    free(copy);
    return 0;
}
