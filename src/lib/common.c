/* common: allocation, errors, growable buffers and whole-file I/O. */
/* O_TMPFILE and realpath are extensions; everything else stays POSIX. */
#define _GNU_SOURCE
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
    tok_decode_work_free(b->work);
    b->work = NULL;
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

/* ------------------------------------------------------------------------
 * Writing a file whole or not at all
 * ------------------------------------------------------------------------ */

static int io_error(tok_error *err, const char *path, int e)
{
    return tok_error_set(err, e == ENOMEM ? TOK_ENOMEM : TOK_EIO, "%s: %s",
                         path, strerror(e));
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        /* Linux writes at most about 2 GB per call. */
        size_t n = len > ((size_t)1 << 30) ? (size_t)1 << 30 : len;
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            /* No progress and no error: a device that takes nothing
             * would loop forever. */
            errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes, then flushes to the disk: the rename that follows must not
 * expose a file whose blocks a crash could still lose.  Some file systems
 * cannot fsync (EINVAL); there is nothing more to do on those. */
static int write_and_sync(int fd, const void *data, size_t len)
{
    if (write_all(fd, data, len) != 0)
        return -1;
    if (fsync(fd) != 0 && errno != EINVAL)
        return -1;
    return 0;
}

/* Devices, pipes and sockets (/dev/stdout, /dev/full, a FIFO) cannot be
 * replaced by a rename, and must not be: they are written in place. */
static int write_in_place(const char *path, const void *data, size_t len,
                          tok_error *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, path, errno);
    if (write_all(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        return io_error(err, path, e);
    }
    if (close(fd) != 0)
        return io_error(err, path, errno);
    return TOK_OK;
}

/* A name beside the target that no other writer (thread or process)
 * picks; the caller creates it exclusively and tries again on EEXIST. */
static void temp_name(char *buf, size_t size, const char *path)
{
    static unsigned counter;
    unsigned n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    snprintf(buf, size, "%s.tmp.%ld.%u", path, (long)getpid(), n);
}

/* The rename is durable only once the directory is on disk too.  Best
 * effort: the file is already complete under its name, and some file
 * systems refuse to sync a directory. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

#ifdef O_TMPFILE
/* Linux: the data goes to a file without a name, which vanishes if the
 * process dies before it is complete.  Once written and synced, it is
 * given a temporary name (linkat cannot replace a file) and renamed over
 * the target.  Returns 1 when this way is not available (old kernel, a
 * file system without O_TMPFILE, no /proc), so the caller falls back. */
static int write_tmpfile(const char *path, const char *dir, mode_t mode,
                         const void *data, size_t len, char *tmp,
                         size_t tmp_size, tok_error *err)
{
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        return 1;
    if ((mode && fchmod(fd, mode) != 0) ||
        write_and_sync(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        return io_error(err, path, e);
    }
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    int linked = -1;
    for (int attempt = 0; attempt < 100 && linked != 0; attempt++) {
        temp_name(tmp, tmp_size, path);
        linked = linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
        if (linked != 0 && errno != EEXIST)
            break;
    }
    int e = errno;
    close(fd);
    if (linked != 0)
        return e == ENOENT ? 1 : io_error(err, path, e);
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return io_error(err, path, e);
    }
    return TOK_OK;
}
#endif

/* Elsewhere: a temporary file beside the target, renamed over it.  A
 * process killed while writing leaves that temporary file behind, never
 * a partial target. */
static int write_named_temp(const char *path, mode_t mode, const void *data,
                            size_t len, char *tmp, size_t tmp_size,
                            tok_error *err)
{
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        temp_name(tmp, tmp_size, path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return io_error(err, path, errno);
    if ((mode && fchmod(fd, mode) != 0) ||
        write_and_sync(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return io_error(err, path, e);
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return io_error(err, path, e);
    }
    return TOK_OK;
}

int tok_write_file_atomic(const char *path, const void *data, size_t len,
                          tok_error *err)
{
    if (path[0] == '\0')
        return io_error(err, path, ENOENT);
    /* Through a symbolic link, the file it names is replaced, not the
     * link.  realpath fails for a dangling link: then the link goes. */
    struct stat st;
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        real = realpath(path, NULL);
    const char *target = real ? real : path;
    mode_t mode = 0;
    if (stat(target, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            int rc = write_in_place(target, data, len, err);
            free(real);
            return rc;
        }
        /* A replaced file keeps its permissions. */
        mode = st.st_mode & 07777;
    }
    size_t plen = strlen(target);
    char *tmp = tok_malloc(plen + 48);
    char *dir = tok_strdup(target);
    if (!tmp || !dir) {
        tok_free(tmp);
        tok_free(dir);
        free(real);
        return tok_error_set(err, TOK_ENOMEM, "%s: out of memory", path);
    }
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else
        slash[slash == dir] = '\0';
    int rc = 1;
#ifdef O_TMPFILE
    rc = write_tmpfile(target, dir, mode, data, len, tmp, plen + 48, err);
#endif
    if (rc == 1)
        rc = write_named_temp(target, mode, data, len, tmp, plen + 48, err);
    if (rc == TOK_OK)
        sync_dir(dir);
    tok_free(tmp);
    tok_free(dir);
    free(real);
    return rc;
}
