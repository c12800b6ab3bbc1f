/* io: line input, checked output and the escapes the output formats use.
 *
 * Input is split at '\n' only: '\r', NUL and every other byte belong to
 * the line, a line may be any length (it only has to fit in memory), and
 * a last line without '\n' is still a line.
 *
 * Output goes through a buffer whose every write is checked.  When the
 * reader of stdout goes away (EPIPE: `tok encode | head -1`), the output
 * is marked closed and the command stops quietly with status 0; any other
 * write error (a full disk) is reported and the command exits 1.
 */
#ifndef TOK_CLI_IO_H
#define TOK_CLI_IO_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Byte buffers
 * ------------------------------------------------------------------------ */

typedef struct cli_buf {
    char *data;
    size_t len;
    size_t cap;
} cli_buf;
#define CLI_BUF_INIT {NULL, 0, 0}

/* Each returns 0, or -1 when memory ran out (the buffer is unchanged). */
int cli_buf_reserve(cli_buf *b, size_t extra);
int cli_buf_add(cli_buf *b, const void *data, size_t n);
int cli_buf_puts(cli_buf *b, const char *s);
int cli_buf_putc(cli_buf *b, char c);
int cli_buf_u64(cli_buf *b, uint64_t v);
int cli_buf_i64(cli_buf *b, int64_t v);
int cli_buf_printf(cli_buf *b, const char *fmt, ...) CLI_PRINTF(2, 3);
void cli_buf_dispose(cli_buf *b);

/* Writes v in decimal at o (which has room for 10 bytes) and returns the
 * end: for formatters that reserve space once and fill it. */
char *cli_put_u32(char *o, uint32_t v);

/* Appends s[0..n) as a quoted JSON string.  Valid UTF-8 is copied as is
 * (only '"', '\\' and control characters are escaped); each byte that is
 * not part of valid UTF-8 becomes a lone surrogate "\udcXX", the way
 * Python's "surrogateescape" error handler writes it, so that
 * json.loads(line) then s.encode("utf-8", "surrogateescape") gives the
 * bytes back. */
int cli_buf_json_string(cli_buf *b, const char *s, size_t n);

/* Appends a token for the space-separated `-f tokens` format: '\\' as
 * "\\\\", space as "\\x20", '\t' '\n' '\r' as "\\t" "\\n" "\\r", other
 * control bytes and bytes that are not valid UTF-8 as "\\xHH"; everything
 * else as is. */
int cli_buf_token(cli_buf *b, const char *s, size_t n);

/* The length of the valid UTF-8 sequence at s[0..n) (1 to 4), or 0 when
 * s[0] does not start one. */
size_t cli_utf8_seq(const unsigned char *s, size_t n);

/* The byte offset of the first invalid UTF-8 sequence in s[0..n), or n
 * when all of it is valid. */
size_t cli_utf8_check(const char *s, size_t n);

/* ------------------------------------------------------------------------
 * Checked output
 * ------------------------------------------------------------------------ */

typedef struct cli_out {
    int fd;
    cli_buf buf;
    int closed;   /* the reader went away (EPIPE): stop, quietly */
    int failed;   /* a write failed otherwise; already reported */
} cli_out;

/* Standard output. */
extern cli_out cli_stdout;

/* Commands append to out->buf and call cli_out_check after each record:
 * it writes the buffer out once it holds enough.  Both return 0, or -1
 * when output cannot go on (see `closed` and `failed`). */
int cli_out_check(cli_out *out);
int cli_out_flush(cli_out *out);

/* The exit status of a command that would otherwise exit with `status`:
 * flushes stdout, turns a write failure into CLI_EXIT_DATA and frees the
 * buffer. */
int cli_finish(int status);

/* ------------------------------------------------------------------------
 * Line input
 * ------------------------------------------------------------------------ */

typedef struct cli_reader {
    int fd;
    int owns_fd;
    const char *name;     /* for messages: the path, or "<stdin>" */
    char sep;             /* the byte that ends a record: '\n' unless set
                           * after opening ('\0' for `-z`) */
    char *buf;
    size_t cap;
    size_t start;         /* buf[start..end) is not handed out yet */
    size_t end;
    size_t scanned;       /* buf[start..scanned) holds no '\n' */
    int eof;
    int error;            /* errno of a failed read */
    /* Called before a read that may block, so that output already made is
     * flushed first and `tok` answers line by line when used
     * interactively or as a co-process. */
    void (*before_read)(void *ctx);
    void *ctx;
} cli_reader;

/* Opens `path`, or standard input for "-".  Returns 0, or -1 with errno
 * set. */
int cli_reader_open(cli_reader *r, const char *path);
void cli_reader_close(cli_reader *r);

/* Hands out the next block of whole records (lines): each ends with
 * r->sep except the last one of the input when it has none.  Returns 1
 * with *data and *len set (valid until the next call), 0 at the end of the
 * input, -1 on a read error (r->error holds errno). */
int cli_reader_block(cli_reader *r, const char **data, size_t *len);

/* Hands out whatever bytes come next, records or not (for binary input):
 * returns 1 with *data and *len set (valid until the next call), 0 at the
 * end, -1 on a read error. */
int cli_reader_bytes(cli_reader *r, const char **data, size_t *len);

/* Splits the first record off a block [*p, end): sets *rec and *len (the
 * separator not included) and advances *p.  Returns 0 when the block is
 * used up.  cli_next_line is the same for '\n'. */
int cli_next_record(const char **p, const char *end, char sep,
                    const char **rec, size_t *len);
int cli_next_line(const char **p, const char *end, const char **line,
                  size_t *len);

#endif
