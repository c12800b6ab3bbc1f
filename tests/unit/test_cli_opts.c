/* CLI option parser: the tables that parse argv and print --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The parser is part of the tok program, not of the library. */
#include "../../src/cli/opts.c"

static const char *const colors[] = {"red", "green", "blue", NULL};

typedef struct parsed {
    const char *model;
    int color;
    int pair;
    int verbose;
    size_t threads;
} parsed;

static int parse(parsed *p, char **argv, int *noperands)
{
    const cli_opt opts[] = {
        CLI_VALUE('m', "model", "MODEL", &p->model, "the model"),
        CLI_CHOICE('c', "color", &p->color, colors, "a color"),
        CLI_SWITCH(0, "pair", &p->pair, 1, "pairs"),
        CLI_SWITCH('v', "verbose", &p->verbose, 1, "say more"),
        CLI_SWITCH('q', "quiet", &p->verbose, 0, "say less"),
        CLI_COUNT(0, "threads", "N", &p->threads, "threads"),
        CLI_END
    };
    const cli_command_spec spec = {"test", "[FILE...]", NULL, opts};
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(p, 0, sizeof *p);
    return cli_parse(&spec, argc, argv, noperands);
}

static void every_spelling_of_a_value_is_accepted(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *a1[] = {"test", "-m", "one", NULL};
    assert_int_equal(parse(&p, a1, &n), CLI_PARSE_OK);
    assert_string_equal(p.model, "one");
    char *a2[] = {"test", "-mtwo", NULL};
    assert_int_equal(parse(&p, a2, &n), CLI_PARSE_OK);
    assert_string_equal(p.model, "two");
    char *a3[] = {"test", "--model", "three", NULL};
    assert_int_equal(parse(&p, a3, &n), CLI_PARSE_OK);
    assert_string_equal(p.model, "three");
    char *a4[] = {"test", "--model=four=4", NULL};
    assert_int_equal(parse(&p, a4, &n), CLI_PARSE_OK);
    assert_string_equal(p.model, "four=4");
    char *a5[] = {"test", "--model=", NULL};
    assert_int_equal(parse(&p, a5, &n), CLI_PARSE_OK);
    assert_string_equal(p.model, "");
    assert_int_equal(n, 0);
}

static void short_switches_group_and_the_last_may_take_a_value(void **st)
{
    (void)st;
    parsed p;
    int n;
    char *a[] = {"test", "-vcgreen", NULL};
    assert_int_equal(parse(&p, a, &n), CLI_PARSE_OK);
    assert_int_equal(p.verbose, 1);
    assert_int_equal(p.color, 1);
    char *b[] = {"test", "-vqm", "x", NULL};
    assert_int_equal(parse(&p, b, &n), CLI_PARSE_OK);
    assert_int_equal(p.verbose, 0);
    assert_string_equal(p.model, "x");
}

static void operands_keep_their_order_among_options(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *a[] = {"test", "a", "--pair", "b", "-m", "M", "-", "c", NULL};
    assert_int_equal(parse(&p, a, &n), CLI_PARSE_OK);
    assert_int_equal(n, 4);
    assert_string_equal(a[1], "a");
    assert_string_equal(a[2], "b");
    assert_string_equal(a[3], "-");
    assert_string_equal(a[4], "c");
    assert_int_equal(p.pair, 1);
    assert_string_equal(p.model, "M");
}

static void everything_after_a_double_dash_is_an_operand(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *a[] = {"test", "--pair", "--", "--verbose", "-m", "--", NULL};
    assert_int_equal(parse(&p, a, &n), CLI_PARSE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(a[1], "--verbose");
    assert_string_equal(a[2], "-m");
    assert_string_equal(a[3], "--");
    assert_int_equal(p.verbose, 0);
}

static void a_choice_stores_its_index_and_rejects_others(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *a[] = {"test", "--color", "blue", NULL};
    assert_int_equal(parse(&p, a, &n), CLI_PARSE_OK);
    assert_int_equal(p.color, 2);
    char *b[] = {"test", "--color=Blue", NULL};
    assert_int_equal(parse(&p, b, &n), CLI_PARSE_ERROR);
    char *c[] = {"test", "-c", "", NULL};
    assert_int_equal(parse(&p, c, &n), CLI_PARSE_ERROR);
}

static void a_count_is_a_whole_number_of_at_least_one(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *a[] = {"test", "--threads", "12", NULL};
    assert_int_equal(parse(&p, a, &n), CLI_PARSE_OK);
    assert_int_equal(p.threads, 12);
    char *bad[][4] = {
        {"test", "--threads", "0", NULL},
        {"test", "--threads", "-1", NULL},
        {"test", "--threads", "2x", NULL},
        {"test", "--threads", "", NULL},
        {"test", "--threads", "99999999999999999999999", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(&p, bad[i], &n), CLI_PARSE_ERROR);
}

static void usage_mistakes_are_errors(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *unknown_long[] = {"test", "--nope", NULL};
    assert_int_equal(parse(&p, unknown_long, &n), CLI_PARSE_ERROR);
    char *unknown_short[] = {"test", "-vx", NULL};
    assert_int_equal(parse(&p, unknown_short, &n), CLI_PARSE_ERROR);
    char *missing[] = {"test", "--model", NULL};
    assert_int_equal(parse(&p, missing, &n), CLI_PARSE_ERROR);
    char *missing_short[] = {"test", "-m", NULL};
    assert_int_equal(parse(&p, missing_short, &n), CLI_PARSE_ERROR);
    char *value_on_switch[] = {"test", "--pair=yes", NULL};
    assert_int_equal(parse(&p, value_on_switch, &n), CLI_PARSE_ERROR);
    char *prefix[] = {"test", "--mod", "x", NULL};
    assert_int_equal(parse(&p, prefix, &n), CLI_PARSE_ERROR);
}

static void help_is_recognised_in_both_spellings(void **state)
{
    (void)state;
    parsed p;
    int n;
    char *a[] = {"test", "a", "--help", NULL};
    assert_int_equal(parse(&p, a, &n), CLI_PARSE_HELP);
    char *b[] = {"test", "-vh", NULL};
    assert_int_equal(parse(&p, b, &n), CLI_PARSE_HELP);
    char *c[] = {"test", "--", "--help", NULL};
    assert_int_equal(parse(&p, c, &n), CLI_PARSE_OK);
}

static void help_lists_every_option_within_80_columns(void **state)
{
    (void)state;
    int value = 0;
    const char *s = NULL;
    const cli_opt opts[] = {
        CLI_VALUE('m', "model", "MODEL", &s,
                  "a very long help text that goes on and on, well past "
                  "the end of one line of the terminal, so that it has "
                  "to be wrapped onto a second and even a third line to "
                  "stay within eighty columns"),
        CLI_CHOICE(0, "special-in-text", &value, colors, "a color"),
        CLI_SWITCH(0, "pair", &value, 1, "pairs"),
        CLI_END
    };
    const cli_command_spec spec = {"test", "[FILE...]", "Tests.", opts};
    char *text = cli_help_text(&spec);
    assert_non_null(text);
    assert_non_null(strstr(text, "usage: tok test [options] [FILE...]\n"));
    assert_non_null(strstr(text, "  -m, --model MODEL       a very long"));
    assert_non_null(strstr(text, "--special-in-text red|green|blue\n"));
    assert_non_null(strstr(text, "      --pair              pairs\n"));
    assert_non_null(strstr(text, "  -h, --help              show this"));
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        assert_true(len <= 79);
        line += len + (line[len] == '\n');
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_spelling_of_a_value_is_accepted),
        cmocka_unit_test(short_switches_group_and_the_last_may_take_a_value),
        cmocka_unit_test(operands_keep_their_order_among_options),
        cmocka_unit_test(everything_after_a_double_dash_is_an_operand),
        cmocka_unit_test(a_choice_stores_its_index_and_rejects_others),
        cmocka_unit_test(a_count_is_a_whole_number_of_at_least_one),
        cmocka_unit_test(usage_mistakes_are_errors),
        cmocka_unit_test(help_is_recognised_in_both_spellings),
        cmocka_unit_test(help_lists_every_option_within_80_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
