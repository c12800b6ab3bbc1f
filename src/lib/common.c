/* common: allocation, errors, growable buffers and whole-file I/O. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Failure injection for the allocation tests.  Atomics, because threads
 * allocate concurrently; production never arms the countdown. */
static size_t fail_countdown;
static size_t alloc_count;

static bool should_fail(void)
{
    __atomic_fetch_add(&alloc_count, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&fail_countdown, __ATOMIC_RELAXED) == 0)
        return false;
    return __atomic_sub_fetch(&fail_countdown, 1, __ATOMIC_RELAXED) == 0;
}

size_t tok_debug_fail_alloc_after(size_t n)
{
    size_t made = __atomic_exchange_n(&alloc_count, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
    return made;
}

void *tok_malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n ? n : 1);
}

void *tok_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *tok_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}

void tok_free(void *p)
{
    free(p);
}

char *tok_strndup(const char *s, size_t n)
{
    char *d = tok_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *tok_strdup(const char *s)
{
    return tok_strndup(s, strlen(s));
}

const char *tok_version(void)
{
    return TOK_VERSION_STRING;
}

const char *tok_strerror(int code)
{
    switch (code) {
    case TOK_OK: return "success";
    case TOK_ENOMEM: return "out of memory";
    case TOK_EIO: return "input/output error";
    case TOK_EFORMAT: return "malformed input";
    case TOK_EUNSUPPORTED: return "not supported";
    case TOK_EINVAL: return "invalid argument";
    case TOK_EUTF8: return "invalid UTF-8";
    case TOK_ERANGE: return "id out of range";
    case TOK_ESPECIAL: return "special token in text";
    default: return "unknown error";
    }
}

static int verror(tok_error *err, int code, size_t line, size_t offset,
                  const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        err->line = line;
        err->offset = offset;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return code;
}

int tok_error_set(tok_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(err, code, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int tok_error_at(tok_error *err, int code, size_t line, size_t offset,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(err, code, line, offset, fmt, ap);
    va_end(ap);
    return code;
}

void tok_error_prefix(tok_error *err, const char *prefix)
{
    if (!err)
        return;
    char tmp[sizeof err->message];
    memcpy(tmp, err->message, sizeof tmp);
    size_t n = strlen(prefix);
    if (n > sizeof tmp - 3)
        n = sizeof tmp - 3;
    memcpy(err->message, prefix, n);
    memcpy(err->message + n, ": ", 2);
    size_t rest = strnlen(tmp, sizeof tmp);
    if (rest > sizeof err->message - n - 3)
        rest = sizeof err->message - n - 3;
    memcpy(err->message + n + 2, tmp, rest);
    err->message[n + 2 + rest] = '\0';
}

int tok_grow(void **ptr, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return TOK_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem_size)
            return TOK_ENOMEM;
        ncap *= 2;
    }
    void *p = tok_realloc(*ptr, ncap * elem_size);
    if (!p)
        return TOK_ENOMEM;
    *ptr = p;
    *cap = ncap;
    return TOK_OK;
}

int tok_buffer_reserve(tok_buffer *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return TOK_ENOMEM;
    return TOK_GROW(b->data, b->cap, b->len + extra + 1);
}

int tok_buffer_append(tok_buffer *b, const void *data, size_t n)
{
    if (tok_buffer_reserve(b, n))
        return TOK_ENOMEM;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TOK_OK;
}

int tok_buffer_append_char(tok_buffer *b, char c)
{
    return tok_buffer_append(b, &c, 1);
}

int tok_buffer_printf(tok_buffer *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || tok_buffer_reserve(b, (size_t)n))
        return TOK_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return TOK_OK;
}

void tok_buffer_dispose(tok_buffer *b)
{
    if (!b)
        return;
    tok_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int tok_read_file(const char *path, char **data, size_t *len, tok_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tok_error_set(err, TOK_EIO, "%s: %s", path, strerror(errno));
    tok_buffer b = TOK_BUFFER_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (tok_buffer_append(&b, chunk, n)) {
            fclose(f);
            tok_buffer_dispose(&b);
            return tok_error_set(err, TOK_ENOMEM, "%s: out of memory", path);
        }
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        tok_buffer_dispose(&b);
        return tok_error_set(err, TOK_EIO, "%s: %s", path, strerror(e));
    }
    fclose(f);
    if (!b.data && tok_buffer_reserve(&b, 0))
        return tok_error_set(err, TOK_ENOMEM, "%s: out of memory", path);
    b.data[b.len] = '\0';
    *data = b.data;
    *len = b.len;
    return TOK_OK;
}

int tok_write_file_atomic(const char *path, const void *data, size_t len,
                          tok_error *err)
{
    size_t plen = strlen(path);
    char *tmp = tok_malloc(plen + 32);
    if (!tmp)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        int e = errno;
        tok_free(tmp);
        return tok_error_set(err, TOK_EIO, "%s: %s", path, strerror(e));
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 && errno != EINVAL)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        fd = -1;
        goto fail;
    }
    tok_free(tmp);
    return TOK_OK;
fail:;
    int e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    tok_free(tmp);
    return tok_error_set(err, TOK_EIO, "%s: %s", path, strerror(e));
}
