/* CLI stage: the ordered record pipeline behind `tok encode` and `tok
 * decode` -- serial, or chunks of records spread over worker threads. */
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
static int run_serial_input(const cli_line_ops *ops, const cli_run_opts *ro,
                            void *worker, cli_reader *r, cli_buf *aux,
                            size_t *skipped)
{
    const char *block;
    size_t block_len, rec_no = 0;
    int rc;
    r->before_read = flush_stdout;
    r->sep = ro->sep;
    while ((rc = cli_reader_block(r, &block, &block_len)) > 0) {
        const char *p = block, *end = block + block_len, *rec;
        size_t len;
        while (cli_next_record(&p, end, ro->sep, &rec, &len)) {
            cli_line_error fail;
            fail.fatal = 0;
            rec_no++;
            if (ops->line(worker, rec, len, &cli_stdout.buf, aux, &fail)) {
                cli_error_at(r->name, rec_no, "%s", fail.message);
                if (!ro->skip_errors || fail.fatal)
                    return CLI_EXIT_DATA;
                (*skipped)++;
                continue;
            }
            if (aux->len) {
                if (ops->write_aux(ops->ctx, aux->data, aux->len) != 0)
                    return CLI_EXIT_DATA;
                aux->len = 0;
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

static int run_serial(const cli_line_ops *ops, char **inputs, int ninputs,
                      const cli_run_opts *ro, size_t *skipped)
{
    void *worker = ops->worker_new(ops->ctx);
    if (!worker) {
        cli_error("out of memory");
        return CLI_EXIT_DATA;
    }
    cli_buf aux = CLI_BUF_INIT;
    int status = 0;
    for (int i = 0; i < ninputs && status == 0; i++) {
        cli_reader r;
        if (cli_reader_open(&r, inputs[i]) != 0) {
            cli_error("%s: %s", inputs[i], strerror(errno));
            status = CLI_EXIT_DATA;
            break;
        }
        status = run_serial_input(ops, ro, worker, &r, &aux, skipped);
        cli_reader_close(&r);
    }
    cli_buf_dispose(&aux);
    ops->worker_free(worker);
    return status;
}

/* ------------------------------------------------------------------------
 * Many threads
 * ------------------------------------------------------------------------ */

enum { CHUNK_FREE, CHUNK_QUEUED, CHUNK_BUSY, CHUNK_DONE };

/* A record skipped in a chunk: its number there (from 0), how much output
 * came before it, and where its message is in the chunk's `notes`. */
typedef struct skip_note {
    size_t record;
    size_t out_at, aux_at, msg_at;
} skip_note;

typedef struct chunk {
    int state;
    cli_buf in;              /* whole records, each with its separator but
                              * maybe the last record of an input */
    cli_buf out;
    cli_buf aux;
    const char *file;
    int first_of_file;       /* record numbers start again at 1 */
    size_t records;          /* records done, skipped ones included (the
                              * one that failed the chunk not counted) */
    int failed;
    cli_line_error fail;
    skip_note *skips;
    size_t nskips, skipcap;
    cli_buf notes;           /* the skipped records' messages */
} chunk;

typedef struct pool {
    const cli_line_ops *ops;
    const cli_run_opts *ro;
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
    size_t file_records;     /* records of the current file written */
    size_t skipped;
    int status;              /* set once the run must stop */
} pool;

/* Notes a skipped record; -1 when memory ran out. */
static int note_skip(chunk *c, const cli_line_error *fail)
{
    size_t n = strlen(fail->message) + 1;
    if (c->nskips == c->skipcap) {
        size_t cap = c->skipcap ? c->skipcap * 2 : 16;
        skip_note *v = realloc(c->skips, cap * sizeof *v);
        if (!v)
            return -1;
        c->skips = v;
        c->skipcap = cap;
    }
    skip_note *k = &c->skips[c->nskips];
    k->record = c->records;
    k->out_at = c->out.len;
    k->aux_at = c->aux.len;
    k->msg_at = c->notes.len;
    if (cli_buf_add(&c->notes, fail->message, n) != 0)
        return -1;
    c->nskips++;
    return 0;
}

static void run_chunk(pool *p, chunk *c, void *worker)
{
    c->out.len = 0;
    c->aux.len = 0;
    c->notes.len = 0;
    c->nskips = 0;
    c->records = 0;
    c->failed = 0;
    if (!worker) {
        c->failed = 1;
        strcpy(c->fail.message, "out of memory");
        return;
    }
    const char *q = c->in.data, *end = c->in.data + c->in.len, *rec;
    size_t len;
    char sep = p->ro->sep;
    while (cli_next_record(&q, end, sep, &rec, &len)) {
        c->fail.fatal = 0;
        if (p->ops->line(worker, rec, len, &c->out, &c->aux, &c->fail)) {
            if (!p->ro->skip_errors || c->fail.fatal) {
                c->failed = 1;
                return;
            }
            if (note_skip(c, &c->fail) != 0) {
                strcpy(c->fail.message, "out of memory");
                c->failed = 1;
                return;
            }
        }
        c->records++;
    }
}

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

        run_chunk(p, c, worker);

        pthread_mutex_lock(&p->mu);
        c->state = CHUNK_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    if (worker)
        p->ops->worker_free(worker);
    return NULL;
}

/* Writes out[from..to) and aux[afrom..ato) of a chunk.  Returns 0, or -1
 * when the run must stop (p->status says how). */
static int write_part(pool *p, const chunk *c, size_t from, size_t to,
                      size_t afrom, size_t ato)
{
    if (to > from && (cli_out_flush(&cli_stdout) != 0 ||
                      cli_buf_add(&cli_stdout.buf, c->out.data + from,
                                  to - from) != 0 ||
                      cli_out_check(&cli_stdout) != 0)) {
        if (!cli_stdout.closed && !cli_stdout.failed)
            cli_error("out of memory");
        p->status = CLI_EXIT_DATA;
        return -1;
    }
    if (ato > afrom &&
        p->ops->write_aux(p->ops->ctx, c->aux.data + afrom, ato - afrom)) {
        p->status = CLI_EXIT_DATA;
        return -1;
    }
    return 0;
}

/* Writes the oldest chunk once it is done, with the messages of the
 * records it skipped in their places.  Returns 0, or -1 when the run must
 * stop (p->status says how). */
static int write_oldest(pool *p)
{
    chunk *c = &p->ring[p->written % p->nring];
    pthread_mutex_lock(&p->mu);
    while (c->state != CHUNK_DONE)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->written++;
    if (c->first_of_file)
        p->file_records = 0;
    int rc = 0;
    size_t at = 0, aat = 0;
    for (size_t i = 0; i < c->nskips && rc == 0; i++) {
        const skip_note *k = &c->skips[i];
        rc = write_part(p, c, at, k->out_at, aat, k->aux_at);
        if (rc == 0) {
            cli_error_at(c->file, p->file_records + k->record + 1, "%s",
                         c->notes.data + k->msg_at);
            p->skipped++;
        }
        at = k->out_at;
        aat = k->aux_at;
    }
    if (rc == 0)
        rc = write_part(p, c, at, c->out.len, aat, c->aux.len);
    if (rc == 0 && c->failed) {
        cli_error_at(c->file, p->file_records + c->records + 1, "%s",
                     c->fail.message);
        p->status = CLI_EXIT_DATA;
        rc = -1;
    }
    p->file_records += c->records;
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
    rd->r.sep = p->ro->sep;
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
                       const cli_run_opts *ro, size_t *skipped)
{
    size_t threads = ro->threads;
    pool p;
    memset(&p, 0, sizeof p);
    p.ops = ops;
    p.ro = ro;
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
        cli_buf_dispose(&p.ring[i].aux);
        cli_buf_dispose(&p.ring[i].notes);
        free(p.ring[i].skips);
    }
    free(p.ring);
    free(tids);
    *skipped = p.skipped;
    return p.status;
}

int cli_run_records(const cli_line_ops *ops, char **inputs, int ninputs,
                    const cli_run_opts *ro)
{
    size_t skipped = 0;
    int status = ro->threads <= 1
                     ? run_serial(ops, inputs, ninputs, ro, &skipped)
                     : run_threads(ops, inputs, ninputs, ro, &skipped);
    /* Stopping because the reader of stdout left is not a failure. */
    if (cli_stdout.closed && !cli_stdout.failed)
        return CLI_EXIT_OK;
    if (skipped) {
        cli_error("skipped %zu bad record%s", skipped,
                  skipped == 1 ? "" : "s");
        if (status == CLI_EXIT_OK)
            status = CLI_EXIT_SKIPPED;
    }
    return status;
}

int cli_run_lines(const cli_line_ops *ops, char **inputs, int ninputs,
                  size_t threads)
{
    cli_run_opts ro = {threads, '\n', 0};
    return cli_run_records(ops, inputs, ninputs, &ro);
}
