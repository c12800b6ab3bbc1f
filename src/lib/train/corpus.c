/* corpus: training, counting phase -- streams text files in blocks of
 * whole lines, runs each line through the normalizer and pre-tokenizer,
 * and counts the words, on several threads when asked.
 *
 * Hugging Face feeds its trainer one line at a time, line ending included
 * (so byte-level models learn "Ċ"), and so does this.  The calling thread
 * reads; worker threads take blocks from a bounded queue, so memory is a
 * few blocks per thread plus the tables of distinct words.  Each worker
 * counts into its own table and the tables are added up at the end: the
 * sums, and so the trained vocabulary, do not depend on which thread
 * counted what.  An error is kept only if it is the earliest in the input
 * so far, and blocks after it are skipped, so the error reported is the
 * first one whatever the thread count. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "normalize.h"
#include "pretokenize.h"
#include "train.h"
#include "utf8.h"

#define BLOCK_SIZE (1u << 20)

typedef struct block {
    char *data;
    size_t len, cap;
    size_t file;        /* index in the file list */
    uint64_t line;      /* line number of data[0], 1-based */
    uint64_t offset;    /* byte offset of data[0] in its file */
    uint64_t seq;       /* position in the input */
} block;

/* One counting thread's tables and scratch buffers. */
typedef struct worker {
    tok_word_counts own;
    tok_word_counts *wc;      /* own, or the caller's table (one thread) */
    tok_normalized text, spare;
    tok_splits splits, next;
    tok_norm_scratch ns;
    tok_span *zero_align;     /* line-sized, all (0, 0): alignments are */
    size_t zero_cap;          /* not needed to count words */
    struct shared *sh;
    int rc;
    tok_error err;
} worker;

typedef struct shared {
    const tok_corpus_config *cfg;
    const char *const *files;
    pthread_mutex_t mu;
    pthread_cond_t has_work, has_free;
    block **queue;            /* ring of blocks to count */
    size_t qhead, qlen, qcap;
    block **free_blocks;
    size_t nfree;
    bool done;
    uint64_t err_seq;         /* earliest failing block, UINT64_MAX none */
    int rc;
    tok_error err;
    worker *workers;
} shared;

static void worker_dispose(worker *w)
{
    tok_wc_dispose(&w->own);
    tok_normalized_dispose(&w->text);
    tok_normalized_dispose(&w->spare);
    tok_splits_dispose(&w->splits);
    tok_splits_dispose(&w->next);
    tok_norm_scratch_dispose(&w->ns);
    tok_free(w->zero_align);
}

static int count_line(const tok_corpus_config *cfg, worker *w,
                      const char *line, size_t n)
{
    tok_normalized_clear(&w->text);
    if (cfg->normalizer) {
        if (n > w->zero_cap) {
            size_t cap = w->zero_cap ? w->zero_cap : 256;
            while (cap < n)
                cap *= 2;
            tok_span *z = tok_calloc(cap, sizeof *z);
            if (!z)
                return TOK_ENOMEM;
            tok_free(w->zero_align);
            w->zero_align = z;
            w->zero_cap = cap;
        }
        int rc = tok_normalize(cfg->normalizer, line, w->zero_align, n,
                               &w->text, &w->ns);
        if (rc)
            return rc;
    } else {
        tok_span none = {0, 0};
        if (tok_normalized_append(&w->text, line, n, none))
            return TOK_ENOMEM;
    }
    if (w->text.len == 0)
        return TOK_OK;
    w->splits.len = 0;
    if (tok_splits_push(&w->splits, 0, (uint32_t)w->text.len, -1))
        return TOK_ENOMEM;
    tok_pretok_state st = {&w->text, &w->spare, &w->splits, &w->next, true};
    int rc = tok_pretokenize(cfg->pretok, &st);
    if (rc)
        return rc;
    const char *t = st.text->text;
    for (size_t i = 0; i < st.splits->len; i++) {
        const tok_split *s = &st.splits->v[i];
        if (s->end <= s->start)
            continue;
        size_t len = s->end - s->start;
        if (tok_wc_add_hashed(w->wc, t + s->start, len,
                              tok_hash_bytes(t + s->start, len), 1))
            return TOK_ENOMEM;
    }
    return TOK_OK;
}

/* How messages name a file. */
static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* Counts the lines of one block; on failure fills w->err (and w->rc). */
static int count_block(const tok_corpus_config *cfg, const char *name,
                       worker *w, const block *b)
{
    const char *p = b->data, *end = b->data + b->len;
    uint64_t line = b->line;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        size_t bad = tok_utf8_validate(p, n);
        if (bad != n) {
            uint64_t off = b->offset + (uint64_t)(p - b->data) + bad;
            w->rc = tok_error_at(&w->err, TOK_EUTF8, (size_t)line,
                                 (size_t)off,
                                 "%s:%llu: invalid UTF-8 at byte %zu of the "
                                 "line (byte offset %llu in the file)",
                                 name, (unsigned long long)line, bad,
                                 (unsigned long long)off);
            return w->rc;
        }
        if (n > UINT32_MAX) {
            w->rc = tok_error_at(&w->err, TOK_EINVAL, (size_t)line, 0,
                                 "%s:%llu: line longer than 4 GiB", name,
                                 (unsigned long long)line);
            return w->rc;
        }
        int rc = count_line(cfg, w, p, n);
        if (rc) {
            w->rc = rc == TOK_ENOMEM
                ? tok_error_set(&w->err, rc, "out of memory")
                : tok_error_at(&w->err, rc, (size_t)line, 0,
                               "%s:%llu: the pipeline failed: %s", name,
                               (unsigned long long)line, tok_strerror(rc));
            return w->rc;
        }
        line++;
        p += n;
    }
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Workers
 * ------------------------------------------------------------------------ */

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        while (sh->qlen == 0 && !sh->done)
            pthread_cond_wait(&sh->has_work, &sh->mu);
        if (sh->qlen == 0) {
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        block *b = sh->queue[sh->qhead];
        sh->qhead = (sh->qhead + 1) % sh->qcap;
        sh->qlen--;
        bool skip = b->seq > sh->err_seq;
        pthread_mutex_unlock(&sh->mu);

        int rc = skip ? TOK_OK
                      : count_block(sh->cfg, display_name(sh->files[b->file]),
                                    w, b);

        pthread_mutex_lock(&sh->mu);
        if (rc && b->seq < sh->err_seq) {
            sh->err_seq = b->seq;
            sh->rc = rc;
            sh->err = w->err;
        }
        sh->free_blocks[sh->nfree++] = b;
        pthread_cond_signal(&sh->has_free);
        pthread_mutex_unlock(&sh->mu);
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------ */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

typedef struct reader {
    const tok_corpus_config *cfg;
    uint64_t done, total, last_report;
} reader;

static void progress(reader *r, bool final)
{
    if (!r->cfg->progress)
        return;
    uint64_t now = now_ms();
    if (!final && now - r->last_report < 200)
        return;
    r->last_report = now;
    tok_train_progress p = {TOK_TRAIN_COUNTING, r->done,
                            final || r->total < r->done ? r->done
                                                        : r->total};
    if (!final && r->total == 0)
        p.total = 0;
    r->cfg->progress(r->cfg->progress_data, &p);
}

/* Fills b with whole lines from f, starting with `carry` (the partial line
 * the previous block ended with), and leaves the new partial line in
 * carry.  *eof is set at end of file (the last line need not end with a
 * newline). */
static int fill_block(FILE *f, block *b, tok_buffer *carry, bool *eof)
{
    b->len = 0;
    if (carry->len) {
        if (TOK_GROW(b->data, b->cap, carry->len + BLOCK_SIZE))
            return TOK_ENOMEM;
        memcpy(b->data, carry->data, carry->len);
        b->len = carry->len;
        carry->len = 0;
    }
    size_t scanned = b->len;    /* the carried part holds no newline */
    for (;;) {
        if (b->cap < b->len + BLOCK_SIZE / 2 &&
            TOK_GROW(b->data, b->cap, b->len + BLOCK_SIZE))
            return TOK_ENOMEM;
        size_t n = fread(b->data + b->len, 1, b->cap - b->len, f);
        b->len += n;
        if (n == 0) {
            if (ferror(f))
                return TOK_EIO;
            *eof = true;
            return TOK_OK;
        }
        if (b->len < BLOCK_SIZE)
            continue;
        /* Cut after the last newline.  A block with none (a very long
         * line) keeps growing, and only the new bytes are searched next
         * time, so a long line costs linear time. */
        size_t keep = 0;
        for (size_t i = b->len; i > scanned; i--)
            if (b->data[i - 1] == '\n') {
                keep = i;
                break;
            }
        scanned = b->len;
        if (keep == 0)
            continue;
        if (tok_buffer_append(carry, b->data + keep, b->len - keep))
            return TOK_ENOMEM;
        b->len = keep;
        return TOK_OK;
    }
}

static uint64_t count_newlines(const char *s, size_t n)
{
    uint64_t k = 0;
    const char *end = s + n;
    while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        k++;
        s++;
    }
    return k;
}

static void block_free(block *b)
{
    if (b) {
        tok_free(b->data);
        tok_free(b);
    }
}

/* With worker threads: the next empty block, waiting for one; NULL once
 * a worker has failed (nothing after the failure matters). */
static block *take_free(shared *sh)
{
    pthread_mutex_lock(&sh->mu);
    while (sh->nfree == 0)
        pthread_cond_wait(&sh->has_free, &sh->mu);
    block *b = NULL;
    if (sh->err_seq == UINT64_MAX)
        b = sh->free_blocks[--sh->nfree];
    pthread_mutex_unlock(&sh->mu);
    return b;
}

static void give_back(shared *sh, block *b)
{
    pthread_mutex_lock(&sh->mu);
    sh->free_blocks[sh->nfree++] = b;
    pthread_mutex_unlock(&sh->mu);
}

static void enqueue(shared *sh, block *b)
{
    pthread_mutex_lock(&sh->mu);
    sh->queue[(sh->qhead + sh->qlen) % sh->qcap] = b;
    sh->qlen++;
    pthread_cond_signal(&sh->has_work);
    pthread_mutex_unlock(&sh->mu);
}

/* Reads every file into blocks and counts them: here (sh == NULL, with
 * `solo`) or on the workers.  A reading error goes to *rerr. */
static int read_all(const char *const *files, size_t nfiles, reader *rd,
                    shared *sh, worker *solo, block *solo_block,
                    tok_error *rerr)
{
    tok_buffer carry = TOK_BUFFER_INIT;
    uint64_t seq = 0;
    int rc = TOK_OK;
    for (size_t i = 0; i < nfiles && rc == TOK_OK; i++) {
        bool is_stdin = strcmp(files[i], "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(files[i], "rb");
        if (!f) {
            rc = tok_error_set(rerr, TOK_EIO, "%s: %s", files[i],
                               strerror(errno));
            break;
        }
        uint64_t line = 1, offset = 0;
        bool eof = false;
        carry.len = 0;
        while (!eof) {
            block *b = sh ? take_free(sh) : solo_block;
            if (!b) {
                rc = TOK_EINVAL;    /* a worker failed; its error wins */
                break;
            }
            errno = 0;
            rc = fill_block(f, b, &carry, &eof);
            if (rc || b->len == 0) {
                if (rc == TOK_EIO)
                    tok_error_set(rerr, rc, "%s: %s", display_name(files[i]),
                                  strerror(errno ? errno : EIO));
                else if (rc)
                    tok_error_set(rerr, rc, "out of memory");
                if (sh)
                    give_back(sh, b);
                if (rc)
                    break;
                continue;
            }
            b->file = i;
            b->line = line;
            b->offset = offset;
            b->seq = seq++;
            line += count_newlines(b->data, b->len);
            offset += b->len;
            rd->done += b->len;
            if (sh) {
                enqueue(sh, b);
            } else if ((rc = count_block(rd->cfg, display_name(files[i]),
                                         solo, b)) != TOK_OK) {
                if (rerr)
                    *rerr = solo->err;
                break;
            }
            progress(rd, false);
        }
        if (!is_stdin)
            fclose(f);
    }
    tok_buffer_dispose(&carry);
    return rc;
}

static int count_threaded(tok_word_counts *wc, const char *const *files,
                          size_t nfiles, reader *rd, unsigned nthreads,
                          tok_error *err)
{
    const tok_corpus_config *cfg = rd->cfg;
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.cfg = cfg;
    sh.files = files;
    sh.err_seq = UINT64_MAX;
    size_t nblocks = 2 * (size_t)nthreads + 1;
    sh.qcap = nblocks;
    sh.queue = tok_calloc(nblocks, sizeof *sh.queue);
    sh.free_blocks = tok_calloc(nblocks, sizeof *sh.free_blocks);
    worker *ws = tok_calloc(nthreads, sizeof *ws);
    pthread_t *tids = tok_calloc(nthreads, sizeof *tids);
    int rc = TOK_OK;
    if (!sh.queue || !sh.free_blocks || !ws || !tids)
        rc = TOK_ENOMEM;
    for (size_t i = 0; rc == TOK_OK && i < nblocks; i++) {
        block *b = tok_calloc(1, sizeof *b);
        if (!b)
            rc = TOK_ENOMEM;
        else
            sh.free_blocks[sh.nfree++] = b;
    }
    if (rc) {
        for (size_t i = 0; i < sh.nfree; i++)
            block_free(sh.free_blocks[i]);
        tok_free(sh.queue);
        tok_free(sh.free_blocks);
        tok_free(ws);
        tok_free(tids);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.has_work, NULL);
    pthread_cond_init(&sh.has_free, NULL);
    unsigned started = 0;
    for (; started < nthreads; started++) {
        ws[started].sh = &sh;
        ws[started].wc = &ws[started].own;
        if (pthread_create(&tids[started], NULL, worker_main,
                           &ws[started]) != 0)
            break;
    }
    tok_error rerr;
    memset(&rerr, 0, sizeof rerr);
    if (started == 0)
        rc = tok_error_set(&rerr, TOK_ENOMEM, "cannot start a thread");
    else
        rc = read_all(files, nfiles, rd, &sh, NULL, NULL, &rerr);
    pthread_mutex_lock(&sh.mu);
    sh.done = true;
    pthread_cond_broadcast(&sh.has_work);
    pthread_mutex_unlock(&sh.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    /* Blocks counted before the failure point come first in the input. */
    if (sh.err_seq != UINT64_MAX) {
        rc = sh.rc;
        if (err)
            *err = sh.err;
    } else if (rc) {
        if (err)
            *err = rerr;
    }
    /* The first table becomes the result when there is nothing to add it
     * to; each other one is freed once added, to keep the peak low. */
    for (unsigned i = 0; rc == TOK_OK && i < started; i++) {
        if (wc->n == 0) {
            tok_wc_dispose(wc);
            *wc = ws[i].own;
            tok_wc_init(&ws[i].own);
            continue;
        }
        if (tok_wc_merge(wc, &ws[i].own))
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
        tok_wc_dispose(&ws[i].own);
    }
    for (unsigned i = 0; i < nthreads; i++)
        worker_dispose(&ws[i]);
    for (size_t i = 0; i < sh.nfree; i++)
        block_free(sh.free_blocks[i]);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.has_work);
    pthread_cond_destroy(&sh.has_free);
    tok_free(sh.queue);
    tok_free(sh.free_blocks);
    tok_free(ws);
    tok_free(tids);
    return rc;
}

int tok_corpus_count(tok_word_counts *wc, const char *const *files,
                     size_t nfiles, const tok_corpus_config *cfg,
                     tok_error *err)
{
    reader rd = {cfg, 0, 0, 0};
    bool known = true;
    for (size_t i = 0; i < nfiles; i++) {
        if (strcmp(files[i], "-") == 0) {
            known = false;
            continue;
        }
        /* Every file is checked before any is read, so a typo in the
         * last name does not cost a long counting phase. */
        struct stat st;
        if (stat(files[i], &st) != 0)
            return tok_error_set(err, TOK_EIO, "%s: %s", files[i],
                                 strerror(errno));
        if (S_ISDIR(st.st_mode))
            return tok_error_set(err, TOK_EIO, "%s: %s", files[i],
                                 strerror(EISDIR));
        rd.total += (uint64_t)st.st_size;
    }
    if (!known)
        rd.total = 0;
    unsigned nthreads = cfg->threads ? cfg->threads : 1;
    int rc;
    if (nthreads > 1) {
        rc = count_threaded(wc, files, nfiles, &rd, nthreads, err);
    } else {
        worker w;
        memset(&w, 0, sizeof w);
        w.wc = wc;
        block b;
        memset(&b, 0, sizeof b);
        rc = read_all(files, nfiles, &rd, NULL, &w, &b, err);
        tok_free(b.data);
        worker_dispose(&w);
    }
    if (rc == TOK_OK)
        progress(&rd, true);
    return rc;
}
