/* cli: what every `tok` subcommand shares -- exit codes, the command
 * signature, error reporting. */
#ifndef TOK_CLI_H
#define TOK_CLI_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* Exit statuses, documented in `tok --help` and src/cli/README.md. */
enum {
    CLI_EXIT_OK = 0,     /* done; also when stdout was closed early */
    CLI_EXIT_DATA = 1,   /* bad data or a runtime failure */
    CLI_EXIT_USAGE = 2,  /* bad command line */
    CLI_EXIT_SKIPPED = 3 /* done, but bad records were skipped */
};

/* A subcommand: argv[0] is its name ("encode"), the rest its arguments.
 * Returns an exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_encode(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_count(int argc, char **argv);

struct cli_command_spec;

/* Writes the generated help of a command to stdout; returns the exit
 * status. */
int cli_print_help(const struct cli_command_spec *spec);

/* Parses a command's arguments with cli_parse.  Returns 1 when the
 * command ends there -- its help printed, or a usage error -- with the
 * exit status in *status; 0 when it goes on with *noperands operands. */
int cli_parse_command(const struct cli_command_spec *spec, int argc,
                      char **argv, int *noperands, int *status);

/* Prints "tok: message" on stderr (after flushing what stdout holds, so
 * the error comes after every line already produced). */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
void cli_verror(const char *fmt, va_list ap);

/* Prints "tok: FILE:LINE: message". */
void cli_error_at(const char *file, size_t line, const char *fmt, ...)
    CLI_PRINTF(3, 4);

#endif
