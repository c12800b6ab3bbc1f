/* CLI JSON Lines scanner: what it accepts, what it refuses and where,
 * how strings decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The scanner is part of the tok program, not of the library. */
#include "../../src/cli/io.c"
#include "../../src/cli/jsonl.c"

static int parse(cli_jsonl *j, const char *rec, size_t *at, const char **why)
{
    return cli_jsonl_parse(j, rec, strlen(rec), at, why);
}

static void objects_list_their_top_level_members(void **state)
{
    (void)state;
    cli_jsonl j = CLI_JSONL_INIT;
    size_t at;
    const char *why;
    const char *rec = " {\"id\": 7, \"text\" : \"hi\", \"meta\": {\"a\": [1, "
                      "2.5e-3, {\"b\": null}], \"c\": \"}\"}, \"ok\": true}\r";
    assert_int_equal(parse(&j, rec, &at, &why), CLI_JSONL_OK);
    assert_int_equal(j.n, 4);
    const cli_json_member *m = &j.members[2];
    assert_int_equal(m->key_end - m->key_start, 6);
    assert_memory_equal(rec + m->key_start, "\"meta\"", 6);
    assert_memory_equal(rec + m->value_start, "{\"a\"", 4);
    assert_int_equal(rec[m->value_end - 1], '}');
    assert_memory_equal(rec + j.members[1].value_start, "\"hi\"", 4);
    assert_int_equal(j.members[1].value_end - j.members[1].value_start, 4);
    assert_int_equal(cli_jsonl_find(&j, rec, "text"), 1);
    assert_int_equal(cli_jsonl_find(&j, rec, "missing"), -1);
    assert_int_equal(parse(&j, "{}", &at, &why), CLI_JSONL_OK);
    assert_int_equal(j.n, 0);
    cli_jsonl_dispose(&j);
}

static void the_last_of_repeated_keys_counts_and_keys_may_be_escaped(void **s)
{
    (void)s;
    cli_jsonl j = CLI_JSONL_INIT;
    size_t at;
    const char *why;
    const char *rec = "{\"text\": \"a\", \"t\\u0065xt\": \"b\", \"x\": 1}";
    assert_int_equal(parse(&j, rec, &at, &why), CLI_JSONL_OK);
    assert_int_equal(cli_jsonl_find(&j, rec, "text"), 1);
    cli_jsonl_dispose(&j);
}

static void malformed_records_say_where_and_why(void **state)
{
    (void)state;
    static const struct {
        const char *rec;
        size_t at;
        const char *why;
    } cases[] = {
        {"", 0, "expected a JSON object"},
        {"   ", 3, "expected a JSON object"},
        {"[1]", 0, "expected a JSON object"},
        {"\"text\"", 0, "expected a JSON object"},
        {"{\"a\" 1}", 5, "expected ':'"},
        {"{\"a\": 1,}", 8, "expected a key (a string)"},
        {"{a: 1}", 1, "expected a key (a string)"},
        {"{\"a\": 1} {}", 9, "more after the JSON object"},
        {"{\"a\": [1, 2}", 11, "expected ',' or ']'"},
        {"{\"a\": {\"b\": 1]}", 13, "expected ',' or '}'"},
        {"{\"a\": [1,]}", 9, "expected a value"},
        {"{\"a\": tru}", 6, "expected a value"},
        {"{\"a\": 01}", 7, "expected ',' or '}'"},
        {"{\"a\": -}", 6, "bad number"},
        {"{\"a\": 1.}", 6, "bad number"},
        {"{\"a\": 1e}", 6, "bad number"},
        {"{\"a\": \"x\ty\"}", 8, "control character in a string"},
        {"{\"a\": \"\\x\"}", 7, "bad escape in a string"},
        {"{\"a\": \"\\u12g4\"}", 7, "bad \\u escape"},
        {"{\"a\": \"open}", 6, "unterminated string"},
        {"{\"a\": [", 7, "unexpected end of the record"},
        {"{\"a\": 1", 7, "expected ',' or '}'"},
    };
    cli_jsonl j = CLI_JSONL_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t at = 999;
        const char *why = NULL;
        int rc = parse(&j, cases[i].rec, &at, &why);
        if (rc != CLI_JSONL_BAD || at != cases[i].at ||
            strcmp(why, cases[i].why) != 0)
            fail_msg("'%s': got %d at %zu (%s)", cases[i].rec, rc, at,
                     why ? why : "-");
    }
    cli_jsonl_dispose(&j);
}

static void deep_nesting_is_scanned_without_recursion(void **state)
{
    (void)state;
    size_t depth = 1000000;
    /* {"a":[{"k":[{"k":...1...}]}]} */
    char *rec = malloc(5 * depth + 16);
    memcpy(rec, "{\"a\":", 5);
    size_t n = 5;
    for (size_t i = 0; i < depth; i++) {
        if (i % 2 == 0) {
            rec[n++] = '[';
        } else {
            memcpy(rec + n, "{\"k\":", 5);
            n += 5;
        }
    }
    rec[n++] = '1';
    for (size_t i = depth; i-- > 0;)
        rec[n++] = i % 2 == 0 ? ']' : '}';
    rec[n++] = '}';
    cli_jsonl j = CLI_JSONL_INIT;
    size_t at;
    const char *why;
    assert_int_equal(cli_jsonl_parse(&j, rec, n, &at, &why), CLI_JSONL_OK);
    assert_int_equal(j.n, 1);
    assert_int_equal(j.members[0].value_end, n - 1);
    /* One closing bracket short. */
    assert_int_equal(cli_jsonl_parse(&j, rec, n - 2, &at, &why),
                     CLI_JSONL_BAD);
    cli_jsonl_dispose(&j);
    free(rec);
}

static void strings_decode_escapes_surrogate_pairs_and_escaped_bytes(void **s)
{
    (void)s;
    cli_buf out = CLI_BUF_INIT;
    size_t at;
    const char *why;
    const char *rec = "\"a\\n\\\"\\u00e9\\ud83d\\ude00\\udcff\\u0000z\"";
    assert_int_equal(cli_json_unescape(&out, rec, 0, strlen(rec), &at, &why),
                     CLI_JSONL_OK);
    assert_int_equal(out.len, 12);
    assert_memory_equal(out.data, "a\n\"\xc3\xa9\xf0\x9f\x98\x80\xff\0z", 12);
    /* Where decoded bytes came from: each byte of an escape's character
     * from the escape. */
    size_t n = strlen(rec);
    assert_int_equal(cli_json_source_offset(rec, 0, n, 0), 1);
    assert_int_equal(cli_json_source_offset(rec, 0, n, 2), 4);
    assert_int_equal(cli_json_source_offset(rec, 0, n, 4), 6);
    assert_int_equal(cli_json_source_offset(rec, 0, n, 6), 12);
    assert_int_equal(cli_json_source_offset(rec, 0, n, 9), 24);
    assert_int_equal(cli_json_source_offset(rec, 0, n, 11), 36);
    /* A lone surrogate that is not an escaped byte. */
    const char *lone = "\"ab\\ud800c\"";
    assert_int_equal(cli_json_unescape(&out, lone, 0, strlen(lone), &at,
                                       &why), CLI_JSONL_BAD);
    assert_int_equal(at, 3);
    const char *low = "\"\\udc7f\"";
    assert_int_equal(cli_json_unescape(&out, low, 0, strlen(low), &at,
                                       &why), CLI_JSONL_BAD);
    cli_buf_dispose(&out);
}

static void copies_write_bytes_that_are_not_utf8_as_escapes(void **state)
{
    (void)state;
    cli_buf out = CLI_BUF_INIT;
    const char in[] = "\"caf\xc3\xa9 \xff\xc3\"";
    assert_int_equal(cli_json_copy(&out, in, sizeof in - 1), 0);
    assert_int_equal(out.len, 20);
    assert_memory_equal(out.data, "\"caf\xc3\xa9 \\udcff\\udcc3\"", 20);
    cli_buf_dispose(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(objects_list_their_top_level_members),
        cmocka_unit_test(
            the_last_of_repeated_keys_counts_and_keys_may_be_escaped),
        cmocka_unit_test(malformed_records_say_where_and_why),
        cmocka_unit_test(deep_nesting_is_scanned_without_recursion),
        cmocka_unit_test(
            strings_decode_escapes_surrogate_pairs_and_escaped_bytes),
        cmocka_unit_test(copies_write_bytes_that_are_not_utf8_as_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
