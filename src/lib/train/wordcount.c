/* wordcount: training, counting phase -- the table of distinct words and
 * their counts, and its "word<TAB>count" text form. */
#define _DEFAULT_SOURCE     /* madvise, MADV_HUGEPAGE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"
#include "utf8.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define EMPTY UINT32_MAX

void train_advise_huge(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (bytes >= 2 * huge && hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Not realloc: the advice has to come before the copy touches the pages,
 * or they stay small. */
int train_grow_huge(void **ptr, size_t *cap, size_t need, size_t size)
{
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size)
            return TOK_ENOMEM;
        ncap *= 2;
    }
    void *p = tok_malloc(ncap * size);
    if (!p)
        return TOK_ENOMEM;
    train_advise_huge(p, ncap * size);
    if (*ptr)
        memcpy(p, *ptr, *cap * size);
    tok_free(*ptr);
    *ptr = p;
    *cap = ncap;
    return TOK_OK;
}

void tok_wc_init(tok_word_counts *wc)
{
    memset(wc, 0, sizeof *wc);
}

void tok_wc_dispose(tok_word_counts *wc)
{
    tok_free(wc->arena);
    tok_free(wc->v_mem);
    tok_free(wc->slots);
    memset(wc, 0, sizeof *wc);
}

/* Doubles the entries, aligned to a cache line. */
static int grow_entries(tok_word_counts *wc)
{
    size_t cap = wc->cap ? wc->cap * 2 : 1024;
    if (cap > SIZE_MAX / 2 / sizeof *wc->v)
        return TOK_ENOMEM;
    size_t bytes = cap * sizeof *wc->v + 64;
    void *mem = tok_malloc(bytes);
    if (!mem)
        return TOK_ENOMEM;
    train_advise_huge(mem, bytes);
    tok_wc_entry *v = (tok_wc_entry *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    if (wc->n)
        memcpy(v, wc->v, wc->n * sizeof *v);
    tok_free(wc->v_mem);
    wc->v_mem = mem;
    wc->v = v;
    wc->cap = cap;
    return TOK_OK;
}

static int rehash(tok_word_counts *wc, size_t nslots)
{
    uint32_t *slots = tok_malloc(nslots * sizeof *slots);
    if (!slots)
        return TOK_ENOMEM;
    train_advise_huge(slots, nslots * sizeof *slots);
    memset(slots, 0xff, nslots * sizeof *slots);
    size_t mask = nslots - 1;
    for (size_t i = 0; i < wc->n; i++) {
        size_t s = (size_t)wc->v[i].hash & mask;
        while (slots[s] != EMPTY)
            s = (s + 1) & mask;
        slots[s] = (uint32_t)i;
    }
    tok_free(wc->slots);
    wc->slots = slots;
    wc->nslots = nslots;
    return TOK_OK;
}

int tok_wc_insert(tok_word_counts *wc, const char *s, size_t len,
                  uint64_t hash, uint64_t head, uint64_t count)
{
    if (TOK_UNLIKELY((wc->n + 1) * 2 > wc->nslots)) {
        if (wc->n >= UINT32_MAX / 2 || len > UINT32_MAX)
            return TOK_ENOMEM;
        if (rehash(wc, wc->nslots ? wc->nslots * 2 : 4096))
            return TOK_ENOMEM;
    }
    size_t mask = wc->nslots - 1;
    size_t slot = (size_t)hash & mask;
    for (;;) {
        uint32_t i = wc->slots[slot];
        if (i == EMPTY)
            break;
        tok_wc_entry *e = &wc->v[i];
        if (e->hash == (uint32_t)hash && e->len == len && e->head == head &&
            (len <= 8 ||
             memcmp(wc->arena + e->off + 8, s + 8, len - 8) == 0)) {
            e->count += count;
            wc->total += count;
            return TOK_OK;
        }
        slot = (slot + 1) & mask;
    }
    if ((wc->n == wc->cap && grow_entries(wc)) ||
        TRAIN_GROW_HUGE(wc->arena, wc->arena_cap, wc->arena_len + len + 1))
        return TOK_ENOMEM;
    tok_wc_entry *e = &wc->v[wc->n];
    e->hash = (uint32_t)hash;
    e->count = count;
    e->off = wc->arena_len;
    e->head = head;
    e->len = (uint32_t)len;
    memcpy(wc->arena + wc->arena_len, s, len);
    wc->arena[wc->arena_len + len] = '\0';
    wc->arena_len += len + 1;
    wc->slots[slot] = (uint32_t)wc->n++;
    wc->total += count;
    return TOK_OK;
}

int tok_wc_merge(tok_word_counts *dst, const tok_word_counts *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const tok_wc_entry *e = &src->v[i];
        int rc = tok_wc_insert(dst, src->arena + e->off, e->len, e->hash,
                               e->head, e->count);
        if (rc)
            return rc;
    }
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------ */

int tok_word_counts_new(tok_word_counts **out)
{
    *out = tok_malloc(sizeof **out);
    if (!*out)
        return TOK_ENOMEM;
    tok_wc_init(*out);
    return TOK_OK;
}

void tok_word_counts_free(tok_word_counts *wc)
{
    if (!wc)
        return;
    tok_wc_dispose(wc);
    tok_free(wc);
}

size_t tok_word_counts_size(const tok_word_counts *wc)
{
    return wc->n;
}

uint64_t tok_word_counts_total(const tok_word_counts *wc)
{
    return wc->total;
}

int tok_word_counts_add(tok_word_counts *wc, const char *word, size_t len,
                        uint64_t count, tok_error *err)
{
    if (len == 0)
        return tok_error_set(err, TOK_EINVAL, "word counts: empty word");
    size_t bad = tok_utf8_validate(word, len);
    if (bad != len)
        return tok_error_at(err, TOK_EUTF8, 0, bad,
                            "word counts: invalid UTF-8 at byte %zu of a "
                            "word", bad);
    if (tok_wc_add(wc, word, len, count))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    return TOK_OK;
}

/* A word to list: the comparator needs no context, so sorting stays
 * thread-safe. */
typedef struct wc_ref {
    const char *s;
    uint64_t count;
    uint32_t len;
} wc_ref;

/* Most frequent first, then byte order: a stable, readable listing. */
static int cmp_refs(const void *pa, const void *pb)
{
    const wc_ref *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int sorted_refs(const tok_word_counts *wc, wc_ref **out)
{
    wc_ref *r = tok_malloc(wc->n * sizeof *r);
    if (!r)
        return TOK_ENOMEM;
    for (size_t i = 0; i < wc->n; i++) {
        r[i].s = wc->arena + wc->v[i].off;
        r[i].count = wc->v[i].count;
        r[i].len = wc->v[i].len;
    }
    qsort(r, wc->n, sizeof *r, cmp_refs);
    *out = r;
    return TOK_OK;
}

int tok_word_counts_to_text(const tok_word_counts *wc, char **text,
                            size_t *len, tok_error *err)
{
    *text = NULL;
    *len = 0;
    wc_ref *order;
    if (sorted_refs(wc, &order))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    tok_buffer b = TOK_BUFFER_INIT;
    if (tok_buffer_reserve(&b, wc->arena_len + wc->n * 12))
        goto nomem;
    for (size_t k = 0; k < wc->n; k++) {
        const wc_ref *e = &order[k];
        const char *s = e->s;
        size_t run = 0;
        for (size_t i = 0; i < e->len; i++) {
            char esc = 0;
            switch (s[i]) {
            case '\\': esc = '\\'; break;
            case '\t': esc = 't'; break;
            case '\n': esc = 'n'; break;
            case '\r': esc = 'r'; break;
            default: break;
            }
            if (!esc)
                continue;
            char pair[2] = {'\\', esc};
            if (tok_buffer_append(&b, s + run, i - run) ||
                tok_buffer_append(&b, pair, 2))
                goto nomem;
            run = i + 1;
        }
        if (tok_buffer_append(&b, s + run, e->len - run) ||
            tok_buffer_printf(&b, "\t%llu\n", (unsigned long long)e->count))
            goto nomem;
    }
    if (!b.data && tok_buffer_reserve(&b, 0))
        goto nomem;
    tok_free(order);
    *text = b.data;
    *len = b.len;
    return TOK_OK;
nomem:
    tok_free(order);
    tok_buffer_dispose(&b);
    return tok_error_set(err, TOK_ENOMEM, "out of memory");
}

int tok_word_counts_save(const tok_word_counts *wc, const char *path,
                         tok_error *err)
{
    char *text;
    size_t len;
    int rc = tok_word_counts_to_text(wc, &text, &len, err);
    if (rc)
        return rc;
    rc = tok_write_file_atomic(path, text, len, err);
    tok_free(text);
    return rc;
}

/* Parses one "word<TAB>count" line (without its newline) into wc. */
static int load_line(tok_word_counts *wc, const char *path, size_t lineno,
                     const char *line, size_t n, tok_buffer *word,
                     tok_error *err)
{
    const char *tab = NULL;
    for (size_t i = n; i > 0; i--)
        if (line[i - 1] == '\t') {
            tab = line + i - 1;
            break;
        }
    if (!tab)
        return tok_error_at(err, TOK_EFORMAT, lineno, 0,
                            "%s:%zu: expected \"word<TAB>count\"", path,
                            lineno);
    const char *c = tab + 1, *end = line + n;
    if (c == end)
        return tok_error_at(err, TOK_EFORMAT, lineno, 0,
                            "%s:%zu: missing count", path, lineno);
    uint64_t count = 0;
    for (; c < end; c++) {
        if (*c < '0' || *c > '9' ||
            count > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
            return tok_error_at(err, TOK_EFORMAT, lineno, 0,
                                "%s:%zu: the count is not a number below "
                                "2^64", path, lineno);
        count = count * 10 + (uint64_t)(*c - '0');
    }
    word->len = 0;
    for (const char *p = line; p < tab; p++) {
        char ch = *p;
        if (ch == '\\') {
            char e = p + 1 < tab ? p[1] : 0;
            ch = e == '\\' ? '\\' : e == 't' ? '\t' : e == 'n' ? '\n'
               : e == 'r' ? '\r' : 0;
            if (!ch)
                return tok_error_at(err, TOK_EFORMAT, lineno, 0,
                                    "%s:%zu: unknown escape in word (use "
                                    "\\\\, \\t, \\n or \\r)", path, lineno);
            p++;
        }
        if (tok_buffer_append_char(word, ch))
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    if (word->len == 0)
        return tok_error_at(err, TOK_EFORMAT, lineno, 0,
                            "%s:%zu: empty word", path, lineno);
    size_t bad = tok_utf8_validate(word->data, word->len);
    if (bad != word->len)
        return tok_error_at(err, TOK_EUTF8, lineno, 0,
                            "%s:%zu: invalid UTF-8 in the word", path,
                            lineno);
    if (tok_wc_add(wc, word->data, word->len, count))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    return TOK_OK;
}

int tok_word_counts_load(tok_word_counts *wc, const char *path,
                         tok_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return tok_error_set(err, TOK_EIO, "%s: %s", path, strerror(errno));
    /* Streamed line by line: a counts file can be large. */
    tok_buffer line = TOK_BUFFER_INIT, word = TOK_BUFFER_INIT;
    char chunk[65536];
    size_t n, lineno = 0;
    int rc = TOK_OK;
    while (rc == TOK_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        size_t start = 0;
        for (size_t i = 0; i < n && rc == TOK_OK; i++) {
            if (chunk[i] != '\n')
                continue;
            const char *s = chunk + start;
            size_t len = i - start;
            if (line.len) {
                if (tok_buffer_append(&line, s, len)) {
                    rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
                    break;
                }
                s = line.data;
                len = line.len;
            }
            lineno++;
            if (len && s[len - 1] == '\r')
                len--;
            if (len)
                rc = load_line(wc, path, lineno, s, len, &word, err);
            line.len = 0;
            start = i + 1;
        }
        if (rc == TOK_OK && start < n &&
            tok_buffer_append(&line, chunk + start, n - start))
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    if (rc == TOK_OK && ferror(f))
        rc = tok_error_set(err, TOK_EIO, "%s: %s", path, strerror(errno));
    if (rc == TOK_OK && line.len) {
        lineno++;
        size_t len = line.len;
        if (line.data[len - 1] == '\r')
            len--;
        if (len)
            rc = load_line(wc, path, lineno, line.data, len, &word, err);
    }
    if (f != stdin)
        fclose(f);
    tok_buffer_dispose(&line);
    tok_buffer_dispose(&word);
    return rc;
}
