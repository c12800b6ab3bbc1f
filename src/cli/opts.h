/* opts: the command-line option parser and the help text generator.
 *
 * Each command describes its options once, in a table; the same table
 * parses argv and prints `tok CMD --help`, so the help can never drift
 * from what the parser accepts.
 *
 *     const char *model = NULL;
 *     int format = 0;
 *     static const char *const formats[] = {"ids", "tokens", NULL};
 *     const cli_opt opts[] = {
 *         CLI_VALUE('m', "model", "MODEL", &model, "the tokenizer"),
 *         CLI_CHOICE('f', "format", &format, formats, "output format"),
 *         CLI_END
 *     };
 *
 * Accepted forms: `-m NAME`, `-mNAME`, `--model NAME`, `--model=NAME`,
 * grouped switches (`-ab`), `--` (everything after it is an operand) and
 * `-` (an operand: standard input).  Options and operands may be mixed;
 * operands keep their order.
 */
#ifndef TOK_CLI_OPTS_H
#define TOK_CLI_OPTS_H

#include <stddef.h>

typedef enum cli_opt_type {
    CLI_OPT_END = 0,
    CLI_OPT_SWITCH,   /* no value: stores `value` into *(int *)target */
    CLI_OPT_VALUE,    /* a string: stores it into *(const char **)target */
    CLI_OPT_CHOICE,   /* one of `choices`: stores its index (int) */
    CLI_OPT_COUNT     /* a whole number >= 1: stores it (size_t) */
} cli_opt_type;

typedef struct cli_opt {
    cli_opt_type type;
    char short_name;            /* 0 when there is none */
    const char *long_name;      /* NULL when there is none */
    const char *value_name;     /* shown in help: "MODEL" */
    void *target;
    int value;                  /* for switches */
    const char *const *choices; /* NULL-terminated, for CLI_OPT_CHOICE */
    const char *help;           /* one sentence; wrapped to 80 columns */
} cli_opt;

#define CLI_SWITCH(s, l, target, value, help) \
    {CLI_OPT_SWITCH, (s), (l), NULL, (target), (value), NULL, (help)}
#define CLI_VALUE(s, l, vname, target, help) \
    {CLI_OPT_VALUE, (s), (l), (vname), (target), 0, NULL, (help)}
#define CLI_CHOICE(s, l, target, choices, help) \
    {CLI_OPT_CHOICE, (s), (l), NULL, (target), 0, (choices), (help)}
#define CLI_COUNT(s, l, vname, target, help) \
    {CLI_OPT_COUNT, (s), (l), (vname), (target), 0, NULL, (help)}
#define CLI_END {CLI_OPT_END, 0, NULL, NULL, NULL, 0, NULL, NULL}

/* What a command tells the parser and the help printer about itself. */
typedef struct cli_command_spec {
    const char *name;       /* "encode" */
    const char *operands;   /* "[FILE...]", or NULL when there are none */
    const char *description;/* a paragraph for `tok CMD --help`, or NULL */
    const cli_opt *opts;    /* ends with CLI_END; --help is implicit */
} cli_command_spec;

enum {
    CLI_PARSE_OK = 0,
    CLI_PARSE_HELP = 1,     /* --help or -h was given: print help, exit 0 */
    CLI_PARSE_ERROR = -1    /* a usage error, already printed on stderr */
};

/* Parses argv[1..argc-1] (argv[0] is the command's name) against the
 * table, storing values through the targets.  The operands are moved to
 * the front of argv[1..]; their number goes to *noperands and they are
 * argv[1..*noperands].  On a usage error, prints
 * "tok CMD: problem" and a hint to stderr and returns CLI_PARSE_ERROR. */
int cli_parse(const cli_command_spec *spec, int argc, char **argv,
              int *noperands);

/* The generated help of a command, as a NUL-terminated string allocated
 * with malloc (the caller frees it); NULL when out of memory. */
char *cli_help_text(const cli_command_spec *spec);

/* A growable string for building help texts; start with {NULL, 0, 0, 0}
 * and free(s.data) at the end.  Appends after a failed allocation do
 * nothing and leave `failed` set, so callers check once at the end. */
typedef struct cli_str {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} cli_str;
#define CLI_STR_INIT {NULL, 0, 0, 0}

void cli_str_add(cli_str *s, const char *text, size_t n);
void cli_str_puts(cli_str *s, const char *text);

/* Appends `text` wrapped so that no line passes column 79: the first line
 * continues at column `col` of the current line, the others start with
 * `indent` spaces.  Ends with a newline. */
void cli_wrap(cli_str *s, const char *text, size_t indent, size_t col);

/* Prints a usage error as the parser does, for checks a command makes
 * after parsing ("--pair does not go with ..."). */
void cli_usage_error(const cli_command_spec *spec, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
