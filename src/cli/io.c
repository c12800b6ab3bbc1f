/* CLI stage: reading lines, writing checked output, escaping for the
 * output formats. */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Output is written in blocks of about this size: large enough that the
 * write(2) calls cost nothing next to encoding. */
#define OUT_BLOCK (64 * 1024)
#define IN_BLOCK (128 * 1024)

/* ------------------------------------------------------------------------
 * Byte buffers
 * ------------------------------------------------------------------------ */

int cli_buf_reserve(cli_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    if (extra > (size_t)-1 / 2 - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int cli_buf_add(cli_buf *b, const void *data, size_t n)
{
    if (cli_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    return 0;
}

int cli_buf_puts(cli_buf *b, const char *s)
{
    return cli_buf_add(b, s, strlen(s));
}

int cli_buf_putc(cli_buf *b, char c)
{
    if (b->len == b->cap && cli_buf_reserve(b, 1) != 0)
        return -1;
    b->data[b->len++] = c;
    return 0;
}

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

char *cli_put_u32(char *o, uint32_t v)
{
    char tmp[10];
    char *p = tmp + sizeof tmp;
    /* Two digits per division: ids are written by the million. */
    while (v >= 100) {
        uint32_t q = v / 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * (v - q * 100), 2);
        v = q;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(o, p, n);
    return o + n;
}

int cli_buf_u64(cli_buf *b, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return cli_buf_add(b, tmp + i, sizeof tmp - i);
}

int cli_buf_i64(cli_buf *b, int64_t v)
{
    if (v >= 0)
        return cli_buf_u64(b, (uint64_t)v);
    if (cli_buf_putc(b, '-') != 0)
        return -1;
    return cli_buf_u64(b, (uint64_t)0 - (uint64_t)v);
}

int cli_buf_printf(cli_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || cli_buf_reserve(b, (size_t)n + 1) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void cli_buf_dispose(cli_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

size_t cli_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need;
}

size_t cli_utf8_check(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = cli_utf8_seq(u + i, n - i);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

static const char hex[] = "0123456789abcdef";

int cli_buf_json_string(cli_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    /* Worst case: every byte becomes "\udcXX" (6 bytes), plus quotes. */
    if (n > ((size_t)-1 - 2) / 6 || cli_buf_reserve(b, n * 6 + 2) != 0)
        return -1;
    char *o = b->data + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c < 0x80) {
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                memcpy(o, "u00", 3);
                o += 3;
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
            i++;
            continue;
        }
        size_t k = cli_utf8_seq(u + i, n - i);
        if (k == 0) {
            memcpy(o, "\\udc", 4);
            o += 4;
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
            i++;
            continue;
        }
        memcpy(o, u + i, k);
        o += k;
        i += k;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    return 0;
}

int cli_buf_token(cli_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n > (size_t)-1 / 4 || cli_buf_reserve(b, n * 4) != 0)
        return -1;
    char *o = b->data + b->len;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        if (c > 0x20 && c < 0x7f && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        size_t k = c >= 0x80 ? cli_utf8_seq(u + i, n - i) : 0;
        if (k > 0) {
            memcpy(o, u + i, k);
            o += k;
            i += k;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        i++;
    }
    b->len = (size_t)(o - b->data);
    return 0;
}

/* ------------------------------------------------------------------------
 * Checked output
 * ------------------------------------------------------------------------ */

cli_out cli_stdout = {1, CLI_BUF_INIT, 0, 0};

int cli_out_flush(cli_out *out)
{
    if (out->closed || out->failed)
        return -1;
    size_t done = 0;
    while (done < out->buf.len) {
        ssize_t n = write(out->fd, out->buf.data + done,
                          out->buf.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            out->buf.len = 0;
            if (e == EPIPE) {
                out->closed = 1;
            } else {
                out->failed = 1;
                fprintf(stderr, "tok: write error: %s\n", strerror(e));
            }
            return -1;
        }
        done += (size_t)n;
    }
    out->buf.len = 0;
    return 0;
}

int cli_out_check(cli_out *out)
{
    if (out->buf.len >= OUT_BLOCK)
        return cli_out_flush(out);
    return out->closed || out->failed ? -1 : 0;
}

int cli_finish(int status)
{
    cli_out_flush(&cli_stdout);
    cli_buf_dispose(&cli_stdout.buf);
    if (cli_stdout.failed)
        return CLI_EXIT_DATA;
    return status;
}

void cli_verror(const char *fmt, va_list ap)
{
    /* Whatever stdout holds came first: it goes out before the error. */
    if (cli_stdout.buf.len)
        cli_out_flush(&cli_stdout);
    fputs("tok: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(fmt, ap);
    va_end(ap);
}

void cli_error_at(const char *file, size_t line, const char *fmt, ...)
{
    if (cli_stdout.buf.len)
        cli_out_flush(&cli_stdout);
    fprintf(stderr, "tok: %s:%zu: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------------
 * Line input
 * ------------------------------------------------------------------------ */

int cli_reader_open(cli_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->sep = '\n';
    if (strcmp(path, "-") == 0) {
        r->fd = 0;
        r->name = "<stdin>";
        return 0;
    }
    int fd;
    do {
        fd = open(path, O_RDONLY);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -1;
    r->fd = fd;
    r->owns_fd = 1;
    r->name = path;
    return 0;
}

void cli_reader_close(cli_reader *r)
{
    if (r->owns_fd)
        close(r->fd);
    free(r->buf);
    r->buf = NULL;
    r->owns_fd = 0;
}

/* Reads once into the free end of the buffer, growing it when full. */
static int fill(cli_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scanned -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : IN_BLOCK;
        if (cap < r->cap) {
            r->error = ENOMEM;
            return -1;
        }
        char *p = realloc(r->buf, cap);
        if (!p) {
            r->error = ENOMEM;
            return -1;
        }
        r->buf = p;
        r->cap = cap;
    }
    if (r->before_read)
        r->before_read(r->ctx);
    ssize_t n;
    do {
        n = read(r->fd, r->buf + r->end, r->cap - r->end);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        r->error = errno;
        return -1;
    }
    if (n == 0)
        r->eof = 1;
    r->end += (size_t)n;
    return 0;
}

int cli_reader_block(cli_reader *r, const char **data, size_t *len)
{
    for (;;) {
        if (r->scanned < r->end) {
            const char *nl = memchr(r->buf + r->scanned, r->sep,
                                    r->end - r->scanned);
            if (nl) {
                /* Hand out every whole record buffered, not just one. */
                size_t last = r->end - 1;
                while (r->buf[last] != r->sep)
                    last--;
                *data = r->buf + r->start;
                *len = last + 1 - r->start;
                r->start = last + 1;
                r->scanned = r->end;
                return 1;
            }
            r->scanned = r->end;
        }
        if (r->eof) {
            if (r->start == r->end)
                return 0;
            *data = r->buf + r->start;
            *len = r->end - r->start;
            r->start = r->end;
            return 1;
        }
        if (fill(r) != 0)
            return -1;
    }
}

int cli_reader_bytes(cli_reader *r, const char **data, size_t *len)
{
    if (r->start == r->end) {
        if (r->eof)
            return 0;
        r->start = r->end = r->scanned = 0;
        if (fill(r) != 0)
            return -1;
        if (r->start == r->end)
            return 0;
    }
    *data = r->buf + r->start;
    *len = r->end - r->start;
    r->start = r->scanned = r->end;
    return 1;
}

int cli_next_line(const char **p, const char *end, const char **line,
                  size_t *len)
{
    return cli_next_record(p, end, '\n', line, len);
}

int cli_next_record(const char **p, const char *end, char sep,
                    const char **line, size_t *len)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, sep, (size_t)(end - *p));
    *line = *p;
    if (nl) {
        *len = (size_t)(nl - *p);
        *p = nl + 1;
    } else {
        *len = (size_t)(end - *p);
        *p = end;
    }
    return 1;
}
