/* CLI stage: the ordered line pipeline behind `tok encode` and `tok
 * decode` -- serial, or chunks of lines spread over worker threads. */
#include "pipeline.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A chunk of about this many bytes of input is one unit of work: big
 * enough that locking costs nothing, small enough to spread a few
 * megabytes over the threads. */
#define CHUNK_BYTES (512 * 1024)

size_t cli_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (size_t)n;
}

/* ------------------------------------------------------------------------
 * One thread
 * ------------------------------------------------------------------------ */

static void flush_stdout(void *ctx)
{
    (void)ctx;
    if (cli_stdout.buf.len)
        cli_out_flush(&cli_stdout);
}

/* Returns 0 to go on with the next input, or the exit status. */
static int run_serial_input(const cli_line_ops *ops, void *worker,
                            cli_reader *r)
{
    const char *block;
    size_t block_len, line_no = 0;
    int rc;
    r->before_read = flush_stdout;
    while ((rc = cli_reader_block(r, &block, &block_len)) > 0) {
        const char *p = block, *end = block + block_len, *line;
        size_t len;
        while (cli_next_line(&p, end, &line, &len)) {
            cli_line_error fail;
            line_no++;
            if (ops->line(worker, line, len, &cli_stdout.buf, &fail)) {
                cli_error_at(r->name, line_no, "%s", fail.message);
                return CLI_EXIT_DATA;
            }
            if (cli_out_check(&cli_stdout) != 0)
                return CLI_EXIT_DATA;
        }
    }
    if (rc < 0) {
        cli_error("%s: read error: %s", r->name, strerror(r->error));
        return CLI_EXIT_DATA;
    }
    return 0;
}

static int run_serial(const cli_line_ops *ops, char **inputs, int ninputs)
{
    void *worker = ops->worker_new(ops->ctx);
    if (!worker) {
        cli_error("out of memory");
        return CLI_EXIT_DATA;
    }
    int status = 0;
    for (int i = 0; i < ninputs && status == 0; i++) {
        cli_reader r;
        if (cli_reader_open(&r, inputs[i]) != 0) {
            cli_error("%s: %s", inputs[i], strerror(errno));
            status = CLI_EXIT_DATA;
            break;
        }
        status = run_serial_input(ops, worker, &r);
        cli_reader_close(&r);
    }
    ops->worker_free(worker);
    return status;
}

/* ------------------------------------------------------------------------
 * Many threads
 * ------------------------------------------------------------------------ */

enum { CHUNK_FREE, CHUNK_QUEUED, CHUNK_BUSY, CHUNK_DONE };

typedef struct chunk {
    int state;
    cli_buf in;              /* whole lines, each with its '\n' but maybe
                              * the last line of an input */
    cli_buf out;
    const char *file;
    int first_of_file;       /* line numbers start again at 1 */
    size_t lines;            /* lines done (the failed one not counted) */
    int failed;
    cli_line_error fail;
} chunk;

typedef struct pool {
    const cli_line_ops *ops;
    pthread_mutex_t mu;
    pthread_cond_t work;     /* a chunk was queued, or stop was set */
    pthread_cond_t done;     /* a chunk is done */
    chunk *ring;
    size_t nring;
    uint64_t queued;         /* chunks queued so far (the next seq) */
    uint64_t taken;          /* chunks workers have taken */
    uint64_t written;        /* chunks written out */
    int stop;
    /* The main thread's side. */
    chunk *filling;          /* ring[queued % nring] once reserved */
    const char *file;
    int new_file;
    size_t file_lines;       /* lines of the current file written */
    int status;              /* set once the run must stop */
} pool;

static void *worker_main(void *arg)
{
    pool *p = arg;
    void *worker = NULL;
    pthread_mutex_lock(&p->mu);
    /* The per-thread state is made here so each thread owns its own. */
    worker = p->ops->worker_new(p->ops->ctx);
    for (;;) {
        while (!p->stop && p->taken == p->queued)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        chunk *c = &p->ring[p->taken++ % p->nring];
        c->state = CHUNK_BUSY;
        pthread_mutex_unlock(&p->mu);

        c->out.len = 0;
        c->lines = 0;
        c->failed = 0;
        if (!worker) {
            c->failed = 1;
            strcpy(c->fail.message, "out of memory");
        }
        const char *q = c->in.data, *end = c->in.data + c->in.len, *line;
        size_t len;
        while (!c->failed && cli_next_line(&q, end, &line, &len)) {
            if (p->ops->line(worker, line, len, &c->out, &c->fail) != 0)
                c->failed = 1;
            else
                c->lines++;
        }

        pthread_mutex_lock(&p->mu);
        c->state = CHUNK_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    if (worker)
        p->ops->worker_free(worker);
    return NULL;
}

/* Writes the oldest chunk once it is done.  Returns 0, or -1 when the run
 * must stop (p->status says how). */
static int write_oldest(pool *p)
{
    chunk *c = &p->ring[p->written % p->nring];
    pthread_mutex_lock(&p->mu);
    while (c->state != CHUNK_DONE)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->written++;
    if (c->first_of_file)
        p->file_lines = 0;
    int rc = 0;
    if (c->out.len && (cli_out_flush(&cli_stdout) != 0 ||
                       cli_buf_add(&cli_stdout.buf, c->out.data,
                                   c->out.len) != 0 ||
                       cli_out_check(&cli_stdout) != 0)) {
        if (!cli_stdout.closed && !cli_stdout.failed)
            cli_error("out of memory");
        p->status = CLI_EXIT_DATA;
        rc = -1;
    } else if (c->failed) {
        cli_error_at(c->file, p->file_lines + c->lines + 1, "%s",
                     c->fail.message);
        p->status = CLI_EXIT_DATA;
        rc = -1;
    }
    p->file_lines += c->lines;
    c->state = CHUNK_FREE;
    c->in.len = 0;
    return rc;
}

static int write_all(pool *p)
{
    while (p->written < p->queued)
        if (write_oldest(p) != 0)
            return -1;
    return 0;
}

/* Makes sure a chunk is reserved for the main thread to fill. */
static int reserve(pool *p)
{
    if (p->filling)
        return 0;
    while (p->queued - p->written >= p->nring)
        if (write_oldest(p) != 0)
            return -1;
    p->filling = &p->ring[p->queued % p->nring];
    p->filling->file = p->file;
    p->filling->first_of_file = p->new_file;
    p->new_file = 0;
    return 0;
}

static void queue(pool *p)
{
    if (!p->filling || p->filling->in.len == 0)
        return;
    pthread_mutex_lock(&p->mu);
    p->filling->state = CHUNK_QUEUED;
    p->queued++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    p->filling = NULL;
}

typedef struct reading {
    cli_reader r;
    pool *p;
} reading;

/* Before the reader waits for input: when none is ready now, finish and
 * write what was read, so that a co-process gets its answers. */
static void stalled(void *ctx)
{
    reading *rd = ctx;
    pool *p = rd->p;
    struct pollfd pfd = {rd->r.fd, POLLIN, 0};
    if (p->status || poll(&pfd, 1, 0) != 0)
        return;
    queue(p);
    if (write_all(p) != 0)
        return;
    flush_stdout(NULL);
}

/* Reads one input into chunks.  Returns 0, or -1 when the run must
 * stop. */
static int read_input(pool *p, reading *rd)
{
    const char *block;
    size_t len;
    int rc;
    rd->r.before_read = stalled;
    rd->r.ctx = rd;
    while ((rc = cli_reader_block(&rd->r, &block, &len)) > 0) {
        if (p->status || reserve(p) != 0)
            return -1;
        if (cli_buf_add(&p->filling->in, block, len) != 0) {
            write_all(p);
            cli_error("out of memory");
            p->status = CLI_EXIT_DATA;
            return -1;
        }
        if (p->filling->in.len >= CHUNK_BYTES)
            queue(p);
        if (cli_stdout.closed || cli_stdout.failed)
            return -1;
    }
    if (p->status)
        return -1;
    queue(p);
    if (rc < 0) {
        if (write_all(p) == 0) {
            cli_error("%s: read error: %s", rd->r.name,
                      strerror(rd->r.error));
            p->status = CLI_EXIT_DATA;
        }
        return -1;
    }
    return 0;
}

static int run_threads(const cli_line_ops *ops, char **inputs, int ninputs,
                       size_t threads)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.ops = ops;
    p.nring = threads * 2 + 2;
    p.ring = calloc(p.nring, sizeof *p.ring);
    pthread_t *tids = calloc(threads, sizeof *tids);
    if (!p.ring || !tids) {
        free(p.ring);
        free(tids);
        cli_error("out of memory");
        return CLI_EXIT_DATA;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    size_t started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tids[started], NULL, worker_main, &p) != 0)
            break;
    if (started == 0) {
        cli_error("cannot start threads");
        p.status = CLI_EXIT_DATA;
    }

    for (int i = 0; i < ninputs && !p.status; i++) {
        reading rd;
        rd.p = &p;
        if (cli_reader_open(&rd.r, inputs[i]) != 0) {
            int e = errno;
            if (write_all(&p) == 0) {
                cli_error("%s: %s", inputs[i], strerror(e));
                p.status = CLI_EXIT_DATA;
            }
            break;
        }
        p.file = rd.r.name;
        p.new_file = 1;
        int rc = read_input(&p, &rd);
        cli_reader_close(&rd.r);
        if (rc != 0)
            break;
    }
    if (!p.status)
        write_all(&p);
    if (cli_stdout.closed || cli_stdout.failed)
        p.status = CLI_EXIT_DATA;

    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    pthread_cond_destroy(&p.done);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.mu);
    for (size_t i = 0; i < p.nring; i++) {
        cli_buf_dispose(&p.ring[i].in);
        cli_buf_dispose(&p.ring[i].out);
    }
    free(p.ring);
    free(tids);
    return p.status;
}

int cli_run_lines(const cli_line_ops *ops, char **inputs, int ninputs,
                  size_t threads)
{
    int status = threads <= 1 ? run_serial(ops, inputs, ninputs)
                              : run_threads(ops, inputs, ninputs, threads);
    /* Stopping because the reader of stdout left is not a failure. */
    if (cli_stdout.closed && !cli_stdout.failed)
        status = CLI_EXIT_OK;
    return status;
}
