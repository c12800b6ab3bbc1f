/* CLI line pipeline: order, errors and line numbers on one thread or many,
 * with a per-line function that needs no tokenizer. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The pipeline is part of the tok program, not of the library. */
#include "../../src/cli/io.c"
#include "../../src/cli/pipeline.c"

/* Writes "<length>:<line reversed>" and fails on a line that is "FAIL". */
static void *rev_new(void *ctx)
{
    (void)ctx;
    return malloc(1);
}

static void rev_free(void *worker)
{
    free(worker);
}

static int rev_line(void *worker, const char *line, size_t len, cli_buf *out,
                    cli_buf *aux, cli_line_error *fail)
{
    (void)worker;
    if (len == 4 && memcmp(line, "FAIL", 4) == 0) {
        snprintf(fail->message, sizeof fail->message, "bad line");
        return -1;
    }
    /* The side stream gets each record's length, as a decimal line. */
    if (cli_buf_u64(aux, len) || cli_buf_putc(aux, '\n'))
        return -1;
    if (cli_buf_u64(out, len) || cli_buf_putc(out, ':') ||
        cli_buf_reserve(out, len + 1))
        return -1;
    for (size_t i = 0; i < len; i++)
        out->data[out->len++] = line[len - 1 - i];
    out->data[out->len++] = '\n';
    return 0;
}

static char *temp_path(void)
{
    char *path = malloc(64);
    strcpy(path, "/tmp/tok-test-pipe-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* What write_aux was given, in order. */
static cli_buf aux_seen;

static int keep_aux(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    return cli_buf_add(&aux_seen, data, len);
}

typedef struct run {
    int status;
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
} run;

/* Runs the pipeline with stdout and stderr sent to files. */
static void run_records(run *r, char **inputs, int n, const cli_run_opts *ro)
{
    cli_line_ops ops = {NULL, rev_new, rev_free, rev_line, keep_aux};
    aux_seen.len = 0;
    char *out = temp_path(), *err = temp_path();
    int out_fd = open(out, O_WRONLY | O_TRUNC);
    int saved_err = dup(2);
    int err_fd = open(err, O_WRONLY | O_TRUNC);
    dup2(err_fd, 2);
    close(err_fd);
    cli_stdout.fd = out_fd;
    cli_stdout.closed = cli_stdout.failed = 0;
    r->status = cli_finish(cli_run_records(&ops, inputs, n, ro));
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    close(out_fd);
    r->out = read_file(out, &r->out_len);
    r->err = read_file(err, &r->err_len);
    unlink(out);
    unlink(err);
    free(out);
    free(err);
}

static void run_lines(run *r, char **inputs, int n, size_t threads)
{
    cli_run_opts ro = {threads, '\n', 0};
    run_records(r, inputs, n, &ro);
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

/* Some megabytes of lines of many lengths, some of them empty or long. */
static char *make_input(size_t *len, size_t *lines)
{
    size_t cap = 6u << 20, n = 0, count = 0;
    char *data = malloc(cap);
    unsigned seed = 12345;
    while (n < cap - 300000) {
        seed = seed * 1103515245u + 12345u;
        size_t k = (seed >> 9) % (count % 97 == 0 ? 200000 : 120);
        for (size_t i = 0; i < k; i++)
            data[n++] = (char)('a' + (i * 7 + count) % 26);
        data[n++] = '\n';
        count++;
    }
    *len = n;
    *lines = count;
    return data;
}

static void lines_come_out_in_input_order_on_any_thread_count(void **st)
{
    (void)st;
    size_t len, lines;
    char *data = make_input(&len, &lines);
    char *path = temp_path();
    write_file(path, data, len);
    char *inputs[] = {path};
    run one, many;
    run_lines(&one, inputs, 1, 1);
    run_lines(&many, inputs, 1, 5);
    assert_int_equal(one.status, 0);
    assert_int_equal(many.status, 0);
    assert_int_equal(one.err_len, 0);
    assert_int_equal(many.err_len, 0);
    assert_int_equal(one.out_len, many.out_len);
    assert_memory_equal(one.out, many.out, one.out_len);
    size_t newlines = 0;
    for (size_t i = 0; i < one.out_len; i++)
        newlines += one.out[i] == '\n';
    assert_int_equal(newlines, lines);
    run_free(&one);
    run_free(&many);
    unlink(path);
    free(path);
    free(data);
}

static void a_bad_line_stops_after_every_earlier_line(void **state)
{
    (void)state;
    size_t len, lines;
    char *data = make_input(&len, &lines);
    /* Two files: the bad line is line 1001 of the second one. */
    char *a = temp_path(), *b = temp_path();
    write_file(a, data, len);
    size_t cut = 0;
    for (size_t seen = 0; seen < 1000; cut++)
        seen += data[cut] == '\n';
    char *bad = malloc(len + 16);
    memcpy(bad, data, cut);
    memcpy(bad + cut, "FAIL\n", 5);
    memcpy(bad + cut + 5, data + cut, len - cut);
    write_file(b, bad, len + 5);
    char *inputs[] = {a, b};
    char want_err[128];
    snprintf(want_err, sizeof want_err, "tok: %s:1001: bad line\n", b);
    for (size_t threads = 1; threads <= 4; threads += 3) {
        run r;
        run_lines(&r, inputs, 2, threads);
        assert_int_equal(r.status, CLI_EXIT_DATA);
        assert_string_equal(r.err, want_err);
        size_t newlines = 0;
        for (size_t i = 0; i < r.out_len; i++)
            newlines += r.out[i] == '\n';
        assert_int_equal(newlines, lines + 1000);
        run_free(&r);
    }
    unlink(a);
    unlink(b);
    free(a);
    free(b);
    free(bad);
    free(data);
}

static void a_missing_input_is_reported_after_earlier_inputs(void **st)
{
    (void)st;
    char *a = temp_path();
    write_file(a, "one\ntwo", 7);
    char missing[] = "/nonexistent/tok-input";
    char *inputs[] = {a, missing, a};
    for (size_t threads = 1; threads <= 3; threads += 2) {
        run r;
        run_lines(&r, inputs, 3, threads);
        assert_int_equal(r.status, CLI_EXIT_DATA);
        assert_string_equal(r.out, "3:eno\n3:owt\n");
        assert_string_equal(r.err, "tok: /nonexistent/tok-input: No such "
                                   "file or directory\n");
        run_free(&r);
    }
    unlink(a);
    free(a);
}

static void a_full_disk_fails_on_any_thread_count(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0)
        skip();
    size_t len, lines;
    char *data = make_input(&len, &lines);
    char *path = temp_path();
    write_file(path, data, len);
    char *inputs[] = {path};
    cli_line_ops ops = {NULL, rev_new, rev_free, rev_line, keep_aux};
    for (size_t threads = 1; threads <= 2; threads++) {
        cli_stdout.fd = fd;
        cli_stdout.closed = cli_stdout.failed = 0;
        int status = cli_finish(cli_run_lines(&ops, inputs, 1, threads));
        assert_int_equal(status, CLI_EXIT_DATA);
        assert_int_equal(cli_stdout.failed, 1);
    }
    close(fd);
    unlink(path);
    free(path);
    free(data);
}

static void a_closed_pipe_ends_the_run_with_success(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    size_t len, lines;
    char *data = make_input(&len, &lines);
    char *path = temp_path();
    write_file(path, data, len);
    char *inputs[] = {path};
    cli_line_ops ops = {NULL, rev_new, rev_free, rev_line, keep_aux};
    for (size_t threads = 1; threads <= 4; threads += 3) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        close(fds[0]);
        cli_stdout.fd = fds[1];
        cli_stdout.closed = cli_stdout.failed = 0;
        int status = cli_finish(cli_run_lines(&ops, inputs, 1, threads));
        assert_int_equal(status, CLI_EXIT_OK);
        assert_int_equal(cli_stdout.closed, 1);
        close(fds[1]);
    }
    unlink(path);
    free(path);
    free(data);
}

static void records_can_end_with_nul_instead_of_newline(void **state)
{
    (void)state;
    char *a = temp_path();
    static const char in[] = "ab\0two\nlines\0\0last";
    write_file(a, in, sizeof in - 1);
    char *inputs[] = {a};
    for (size_t threads = 1; threads <= 3; threads += 2) {
        cli_run_opts ro = {threads, '\0', 0};
        run r;
        run_records(&r, inputs, 1, &ro);
        assert_int_equal(r.status, 0);
        assert_int_equal(r.out_len, 27);
        assert_memory_equal(r.out, "2:ba\n9:senil\nowt\n0:\n4:tsal\n", 27);
        run_free(&r);
    }
    unlink(a);
    free(a);
}

static void bad_records_are_skipped_in_place_on_any_thread_count(void **st)
{
    (void)st;
    size_t len, lines;
    char *data = make_input(&len, &lines);
    /* FAIL as records 1, 1001, 1002 and last, on top of every other line of
     * a few megabytes. */
    size_t cut = 0;
    for (size_t seen = 0; seen < 1000; cut++)
        seen += data[cut] == '\n';
    char *bad = malloc(len + 32);
    size_t n = 0;
    memcpy(bad, "FAIL\n", 5);
    n = 5;
    memcpy(bad + n, data, cut);
    n += cut;
    memcpy(bad + n, "FAIL\nFAIL\n", 10);
    n += 10;
    memcpy(bad + n, data + cut, len - cut);
    n += len - cut;
    memcpy(bad + n, "FAIL", 4);
    n += 4;
    char *a = temp_path(), *b = temp_path();
    write_file(a, data, len);
    write_file(b, bad, n);
    char *inputs[] = {b, a};
    char want_err[512];
    snprintf(want_err, sizeof want_err,
             "tok: %s:1: bad line\ntok: %s:1002: bad line\n"
             "tok: %s:1003: bad line\ntok: %s:%zu: bad line\n"
             "tok: skipped 4 bad records\n", b, b, b, b, lines + 4);
    run one;
    cli_run_opts ro = {1, '\n', 1};
    run_records(&one, inputs, 2, &ro);
    assert_int_equal(one.status, CLI_EXIT_SKIPPED);
    assert_string_equal(one.err, want_err);
    size_t newlines = 0;
    for (size_t i = 0; i < one.out_len; i++)
        newlines += one.out[i] == '\n';
    assert_int_equal(newlines, 2 * lines);
    cli_buf aux_one = aux_seen;
    aux_seen = (cli_buf)CLI_BUF_INIT;
    for (size_t threads = 2; threads <= 5; threads += 3) {
        run r;
        ro.threads = threads;
        run_records(&r, inputs, 2, &ro);
        assert_int_equal(r.status, CLI_EXIT_SKIPPED);
        assert_string_equal(r.err, want_err);
        assert_int_equal(r.out_len, one.out_len);
        assert_memory_equal(r.out, one.out, one.out_len);
        assert_int_equal(aux_seen.len, aux_one.len);
        assert_memory_equal(aux_seen.data, aux_one.data, aux_one.len);
        run_free(&r);
    }
    run_free(&one);
    cli_buf_dispose(&aux_one);
    cli_buf_dispose(&aux_seen);
    unlink(a);
    unlink(b);
    free(a);
    free(b);
    free(bad);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_come_out_in_input_order_on_any_thread_count),
        cmocka_unit_test(a_bad_line_stops_after_every_earlier_line),
        cmocka_unit_test(a_missing_input_is_reported_after_earlier_inputs),
        cmocka_unit_test(a_full_disk_fails_on_any_thread_count),
        cmocka_unit_test(a_closed_pipe_ends_the_run_with_success),
        cmocka_unit_test(records_can_end_with_nul_instead_of_newline),
        cmocka_unit_test(bad_records_are_skipped_in_place_on_any_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
