/* pipeline: runs every line of the inputs through a per-line function and
 * writes the results to stdout in input order, on one thread or many.
 *
 * With several threads, the main thread reads the input in chunks of
 * whole lines, worker threads turn chunks into output, and the main
 * thread writes the chunks' output in the order of the input.  A fixed
 * number of chunks is in flight, so memory stays bounded whatever the
 * input's size.  When a line fails, everything before it is written, then
 * the error, then the run stops -- the same with 1 thread or 64.  When the
 * input stalls (a terminal, a co-process), what has been read so far is
 * finished and written before waiting, so answers come line by line.
 */
#ifndef TOK_CLI_PIPELINE_H
#define TOK_CLI_PIPELINE_H

#include <stddef.h>

#include "io.h"

/* Why a line failed, kept until the lines before it are written. */
typedef struct cli_line_error {
    char message[600];
} cli_line_error;

typedef struct cli_line_ops {
    void *ctx;
    /* Makes one thread's state (NULL when out of memory). */
    void *(*worker_new)(void *ctx);
    void (*worker_free)(void *worker);
    /* Appends the output of line[0..len) (without its '\n') to `out`.
     * Returns 0, or -1 with `fail` filled and `out` as it was. */
    int (*line)(void *worker, const char *line, size_t len, cli_buf *out,
                cli_line_error *fail);
} cli_line_ops;

/* Runs the inputs (paths, "-" for stdin) through ops with `threads`
 * threads (1: all on the calling thread).  Errors are reported on stderr
 * as "tok: FILE:LINE: message".  Returns the exit status: 0 also when the
 * reader of stdout went away. */
int cli_run_lines(const cli_line_ops *ops, char **inputs, int ninputs,
                  size_t threads);

/* The number of threads `--threads` means by default: the cores online. */
size_t cli_default_threads(void);

#endif
