/* common: allocation, errors and growable arrays shared by every stage. */
#ifndef TOK_COMMON_H
#define TOK_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tok.h"

#if defined(__GNUC__)
#define TOK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TOK_LIKELY(x) __builtin_expect(!!(x), 1)
#define TOK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TOK_PRINTF(a, b)
#define TOK_LIKELY(x) (x)
#define TOK_UNLIKELY(x) (x)
#endif

/* Every allocation of the library goes through these, so that the
 * allocation-failure tests can make the Nth one fail. */
void *tok_malloc(size_t n);
void *tok_calloc(size_t n, size_t size);
void *tok_realloc(void *p, size_t n);
void tok_free(void *p);
char *tok_strndup(const char *s, size_t n);
char *tok_strdup(const char *s);

/* Test hook: make the nth allocation from now fail (1 = the next one);
 * 0 turns failure injection off.  Returns how many allocations were made
 * since the last call (so a test can tell when an operation succeeded
 * without reaching n). */
TOK_API size_t tok_debug_fail_alloc_after(size_t n);

/* Fills err (when not NULL) and returns code. */
int tok_error_set(tok_error *err, int code, const char *fmt, ...)
    TOK_PRINTF(3, 4);
/* Same, with a line and byte offset. */
int tok_error_at(tok_error *err, int code, size_t line, size_t offset,
                 const char *fmt, ...) TOK_PRINTF(5, 6);
/* Prefixes the message already in err with "prefix: ". */
void tok_error_prefix(tok_error *err, const char *prefix);

/* Grows an array so that it holds at least `need` elements.  Capacity
 * doubles, so appends are amortized O(1); returns 0 or TOK_ENOMEM. */
int tok_grow(void **ptr, size_t *cap, size_t need, size_t elem_size);
#define TOK_GROW(ptr, cap, need)                                         \
    ((need) <= (cap) ? TOK_OK                                             \
                     : tok_grow((void **)&(ptr), &(cap), (need),          \
                                sizeof(*(ptr))))

/* A growable byte string (the public tok_buffer).  Appends keep a NUL
 * after the data so it can be printed. */
int tok_buffer_reserve(tok_buffer *b, size_t extra);
/* Frees what tok_decode keeps in a buffer (detokenize.c); NULL is fine. */
void tok_decode_work_free(struct tok_decode_work *w);
int tok_buffer_append(tok_buffer *b, const void *data, size_t n);
int tok_buffer_append_char(tok_buffer *b, char c);
int tok_buffer_printf(tok_buffer *b, const char *fmt, ...) TOK_PRINTF(2, 3);

/* Reads a whole file; the data is NUL-terminated. */
int tok_read_file(const char *path, char **data, size_t *len,
                  tok_error *err);
/* Writes a file whole or not at all (temporary file + rename). */
int tok_write_file_atomic(const char *path, const void *data, size_t len,
                          tok_error *err);

#endif
