/* pipeline: runs every record (line) of the inputs through a per-record
 * function and writes the results to stdout in input order, on one thread
 * or many.
 *
 * With several threads, the main thread reads the input in chunks of
 * whole records, worker threads turn chunks into output, and the main
 * thread writes the chunks' output in the order of the input.  A fixed
 * number of chunks is in flight, so memory stays bounded whatever the
 * input's size.  When a record fails, everything before it is written,
 * then the error, then the run stops -- or, when bad records are to be
 * skipped, goes on without output for it -- the same with 1 thread or 64.
 * When the input stalls (a terminal, a co-process), what has been read so
 * far is finished and written before waiting, so answers come line by
 * line.
 */
#ifndef TOK_CLI_PIPELINE_H
#define TOK_CLI_PIPELINE_H

#include <stddef.h>

#include "io.h"

/* Why a record failed, kept until the records before it are written. */
typedef struct cli_line_error {
    char message[600];
    /* Set when the failure is not the record's (out of memory): the run
     * stops even when bad records are skipped. */
    int fatal;
} cli_line_error;

typedef struct cli_line_ops {
    void *ctx;
    /* Makes one thread's state (NULL when out of memory). */
    void *(*worker_new)(void *ctx);
    void (*worker_free)(void *worker);
    /* Appends the output of rec[0..len) (without its separator) to `out`,
     * and what belongs in the side stream (an index) to `aux`.  Returns 0,
     * or -1 with `fail` filled and `out` and `aux` as they were. */
    int (*line)(void *worker, const char *rec, size_t len, cli_buf *out,
                cli_buf *aux, cli_line_error *fail);
    /* NULL, or called on the main thread, in input order, with the aux
     * bytes of records whose output has been written; returns 0, or -1
     * once it has reported a failure. */
    int (*write_aux)(void *ctx, const char *data, size_t len);
} cli_line_ops;

/* How the inputs are cut and what a bad record does. */
typedef struct cli_run_opts {
    size_t threads;     /* 1: all on the calling thread */
    char sep;           /* the byte that ends a record: '\n', or '\0' */
    int skip_errors;    /* report a bad record and go on */
} cli_run_opts;

/* Runs the inputs (paths, "-" for stdin) through ops.  Errors are reported
 * on stderr as "tok: FILE:N: message", N counting records from 1 in each
 * file.  Returns the exit status: 0 also when the reader of stdout went
 * away; CLI_EXIT_SKIPPED when records were skipped (after saying how
 * many). */
int cli_run_records(const cli_line_ops *ops, char **inputs, int ninputs,
                    const cli_run_opts *ro);

/* The same for lines, stopping at the first bad one. */
int cli_run_lines(const cli_line_ops *ops, char **inputs, int ninputs,
                  size_t threads);

/* The number of threads `--threads` means by default: the cores online. */
size_t cli_default_threads(void);

#endif
