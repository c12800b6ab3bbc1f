/* CLI input and output: line splitting, checked writes, output escapes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The I/O layer is part of the tok program, not of the library. */
#include "../../src/cli/io.c"

/* Writes data to a fresh temporary file and returns its path. */
static char *temp_file(const void *data, size_t len)
{
    static char path[64];
    strcpy(path, "/tmp/tok-test-io-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        assert_true(n > 0);
        done += (size_t)n;
    }
    close(fd);
    return path;
}

typedef struct lines {
    size_t n;
    size_t total;           /* bytes of all lines */
    char *first, *last;     /* copies */
    size_t first_len, last_len;
} lines;

static void read_lines(const char *path, lines *out)
{
    cli_reader r;
    memset(out, 0, sizeof *out);
    assert_int_equal(cli_reader_open(&r, path), 0);
    const char *block;
    size_t block_len;
    int rc;
    while ((rc = cli_reader_block(&r, &block, &block_len)) > 0) {
        const char *p = block, *end = block + block_len, *line;
        size_t len;
        while (cli_next_line(&p, end, &line, &len)) {
            if (out->n == 0) {
                out->first = malloc(len + 1);
                memcpy(out->first, line, len);
                out->first_len = len;
            }
            free(out->last);
            out->last = malloc(len + 1);
            memcpy(out->last, line, len);
            out->last_len = len;
            out->n++;
            out->total += len;
        }
    }
    assert_int_equal(rc, 0);
    cli_reader_close(&r);
}

static void free_lines(lines *l)
{
    free(l->first);
    free(l->last);
}

static void only_newline_ends_a_line(void **state)
{
    (void)state;
    static const char data[] = "a\rb\0c\n\r\n\n";
    char *path = temp_file(data, sizeof data - 1);
    lines l;
    read_lines(path, &l);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.first_len, 5);
    assert_memory_equal(l.first, "a\rb\0c", 5);
    assert_int_equal(l.last_len, 0);
    free_lines(&l);
    unlink(path);
}

static void a_last_line_without_newline_still_counts(void **state)
{
    (void)state;
    char *path = temp_file("one\ntwo", 7);
    lines l;
    read_lines(path, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.last_len, 3);
    assert_memory_equal(l.last, "two", 3);
    free_lines(&l);
    unlink(path);
}

static void empty_input_has_no_lines_and_a_newline_has_one(void **state)
{
    (void)state;
    char *path = temp_file("", 0);
    lines l;
    read_lines(path, &l);
    assert_int_equal(l.n, 0);
    free_lines(&l);
    unlink(path);
    path = temp_file("\n", 1);
    read_lines(path, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.first_len, 0);
    free_lines(&l);
    unlink(path);
}

static void lines_across_buffer_boundaries_arrive_whole(void **state)
{
    (void)state;
    /* Lines of many lengths, numbered, over several read buffers. */
    size_t cap = 3 * 1024 * 1024, len = 0, count = 0;
    char *data = malloc(cap);
    unsigned seed = 7;
    while (len < cap - 70000) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 8) % (count % 50 == 0 ? 60000 : 300);
        int k = snprintf(data + len, 32, "%zu:", count++);
        len += (size_t)k;
        memset(data + len, 'x', n);
        len += n;
        data[len++] = '\n';
    }
    char *path = temp_file(data, len);
    cli_reader r;
    assert_int_equal(cli_reader_open(&r, path), 0);
    const char *block, *line;
    size_t block_len, line_len, seen = 0, bytes = 0;
    while (cli_reader_block(&r, &block, &block_len) > 0) {
        const char *p = block, *end = block + block_len;
        while (cli_next_line(&p, end, &line, &line_len)) {
            char want[32];
            int k = snprintf(want, sizeof want, "%zu:", seen++);
            assert_true(line_len >= (size_t)k);
            assert_memory_equal(line, want, (size_t)k);
            for (size_t i = (size_t)k; i < line_len; i++)
                assert_int_equal(line[i], 'x');
            bytes += line_len + 1;
        }
    }
    assert_int_equal(seen, count);
    assert_int_equal(bytes, len);
    cli_reader_close(&r);
    unlink(path);
    free(data);
}

static void a_line_of_over_100_megabytes_is_read_whole(void **state)
{
    (void)state;
    size_t big = 100u * 1024 * 1024 + 3;
    char *data = malloc(big + 6);
    memset(data, 'a', big);
    memcpy(data + big, "\nend\n", 5);
    char *path = temp_file(data, big + 5);
    free(data);
    lines l;
    read_lines(path, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.first_len, big);
    assert_int_equal(l.first[big - 1], 'a');
    assert_int_equal(l.last_len, 3);
    free_lines(&l);
    unlink(path);
}

static void a_missing_file_fails_to_open(void **state)
{
    (void)state;
    cli_reader r;
    assert_int_equal(cli_reader_open(&r, "/nonexistent/tok/file"), -1);
    assert_int_equal(errno, ENOENT);
}

static void reading_a_directory_is_a_read_error(void **state)
{
    (void)state;
    cli_reader r;
    const char *block;
    size_t len;
    assert_int_equal(cli_reader_open(&r, "/"), 0);
    assert_int_equal(cli_reader_block(&r, &block, &len), -1);
    assert_int_equal(r.error, EISDIR);
    cli_reader_close(&r);
}

static void numbers_are_written_in_decimal(void **state)
{
    (void)state;
    cli_buf b = CLI_BUF_INIT;
    cli_buf_u64(&b, 0);
    cli_buf_putc(&b, ' ');
    cli_buf_u64(&b, UINT64_MAX);
    cli_buf_putc(&b, ' ');
    cli_buf_i64(&b, INT64_MIN);
    cli_buf_putc(&b, ' ');
    cli_buf_i64(&b, 30522);
    cli_buf_putc(&b, '\0');
    assert_string_equal(b.data, "0 18446744073709551615 "
                                "-9223372036854775808 30522");
    cli_buf_dispose(&b);
    static const uint32_t values[] = {0, 7, 10, 99, 100, 101, 30522,
                                      1000000, 4294967295u};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char got[16], want[16];
        *cli_put_u32(got, values[i]) = '\0';
        snprintf(want, sizeof want, "%lu", (unsigned long)values[i]);
        assert_string_equal(got, want);
    }
}

static void json_strings_escape_controls_and_keep_utf8(void **state)
{
    (void)state;
    cli_buf b = CLI_BUF_INIT;
    static const char s[] = "a\"b\\c\n\t\r\x01\x7f\xc3\xa9\xf0\x9f\x98\x80";
    assert_int_equal(cli_buf_json_string(&b, s, sizeof s - 1), 0);
    cli_buf_putc(&b, '\0');
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\r\\u0001\x7f"
                                "\xc3\xa9\xf0\x9f\x98\x80\"");
    cli_buf_dispose(&b);
}

static void json_strings_write_bad_bytes_as_surrogate_escapes(void **st)
{
    (void)st;
    cli_buf b = CLI_BUF_INIT;
    /* A lone continuation byte, a truncated sequence, an overlong
     * encoding, a UTF-16 surrogate and a code point above U+10FFFF. */
    static const char s[] = "\x80" "a\xe2\x82" "b\xc0\xaf" "\xed\xa0\x80"
                            "\xf4\x90\x80\x80";
    assert_int_equal(cli_buf_json_string(&b, s, sizeof s - 1), 0);
    cli_buf_putc(&b, '\0');
    assert_string_equal(b.data,
                        "\"\\udc80a\\udce2\\udc82b\\udcc0\\udcaf"
                        "\\udced\\udca0\\udc80"
                        "\\udcf4\\udc90\\udc80\\udc80\"");
    cli_buf_dispose(&b);
}

static void tokens_escape_what_would_break_the_line(void **state)
{
    (void)state;
    cli_buf b = CLI_BUF_INIT;
    static const char s[] = "##a b\\\n\t\r\x00\xff\xc4\xa0";
    assert_int_equal(cli_buf_token(&b, s, sizeof s - 1), 0);
    cli_buf_putc(&b, '\0');
    assert_string_equal(b.data,
                        "##a\\x20b\\\\\\n\\t\\r\\x00\\xff\xc4\xa0");
    cli_buf_dispose(&b);
}

static void utf8_check_finds_the_first_bad_byte(void **state)
{
    (void)state;
    assert_int_equal(cli_utf8_check("abc", 3), 3);
    assert_int_equal(cli_utf8_check("a\xc3\xa9z\xc3", 5), 4);
    assert_int_equal(cli_utf8_check("\xef\xbb\xbf\xff", 4), 3);
    assert_int_equal(cli_utf8_check("a\0b", 3), 3);
}

static void writing_to_a_closed_pipe_stops_quietly(void **state)
{
    (void)state;
    int fds[2];
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    cli_out out = {fds[1], CLI_BUF_INIT, 0, 0};
    cli_buf_puts(&out.buf, "lost\n");
    assert_int_equal(cli_out_flush(&out), -1);
    assert_int_equal(out.closed, 1);
    assert_int_equal(out.failed, 0);
    assert_int_equal(cli_out_check(&out), -1);
    close(fds[1]);
    cli_buf_dispose(&out.buf);
}

static void writing_to_a_full_disk_is_a_failure(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0)
        skip();
    cli_out out = {fd, CLI_BUF_INIT, 0, 0};
    cli_buf_puts(&out.buf, "lost\n");
    assert_int_equal(cli_out_flush(&out), -1);
    assert_int_equal(out.failed, 1);
    assert_int_equal(out.closed, 0);
    close(fd);
    cli_buf_dispose(&out.buf);
}

static void output_is_held_until_a_block_is_full(void **state)
{
    (void)state;
    char *path = temp_file("", 0);
    int fd = open(path, O_WRONLY);
    cli_out out = {fd, CLI_BUF_INIT, 0, 0};
    cli_buf_puts(&out.buf, "short\n");
    assert_int_equal(cli_out_check(&out), 0);
    assert_int_equal(out.buf.len, 6);
    for (int i = 0; i < 20000; i++)
        cli_buf_puts(&out.buf, "0123456789\n");
    assert_int_equal(cli_out_check(&out), 0);
    assert_int_equal(out.buf.len, 0);
    close(fd);
    lines l;
    read_lines(path, &l);
    assert_int_equal(l.n, 20001);
    free_lines(&l);
    cli_buf_dispose(&out.buf);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_newline_ends_a_line),
        cmocka_unit_test(a_last_line_without_newline_still_counts),
        cmocka_unit_test(empty_input_has_no_lines_and_a_newline_has_one),
        cmocka_unit_test(lines_across_buffer_boundaries_arrive_whole),
        cmocka_unit_test(a_line_of_over_100_megabytes_is_read_whole),
        cmocka_unit_test(a_missing_file_fails_to_open),
        cmocka_unit_test(reading_a_directory_is_a_read_error),
        cmocka_unit_test(numbers_are_written_in_decimal),
        cmocka_unit_test(json_strings_escape_controls_and_keep_utf8),
        cmocka_unit_test(json_strings_write_bad_bytes_as_surrogate_escapes),
        cmocka_unit_test(tokens_escape_what_would_break_the_line),
        cmocka_unit_test(utf8_check_finds_the_first_bad_byte),
        cmocka_unit_test(writing_to_a_closed_pipe_stops_quietly),
        cmocka_unit_test(writing_to_a_full_disk_is_a_failure),
        cmocka_unit_test(output_is_held_until_a_block_is_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
