/* CLI stage: option parsing and help generation from one option table. */
#include "opts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 26
#define WRAP_WIDTH 79

void cli_str_add(cli_str *s, const char *text, size_t n)
{
    if (s->failed)
        return;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *p = realloc(s->data, cap);
        if (!p) {
            s->failed = 1;
            return;
        }
        s->data = p;
        s->cap = cap;
    }
    memcpy(s->data + s->len, text, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void cli_str_puts(cli_str *s, const char *text)
{
    cli_str_add(s, text, strlen(text));
}

static void add_spaces(cli_str *s, size_t n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        cli_str_add(s, spaces, k);
        n -= k;
    }
}

void cli_wrap(cli_str *s, const char *text, size_t indent, size_t col)
{
    const char *p = text;
    int first_word = 1;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        /* A word longer than the line still goes out whole. */
        if (!first_word && col + 1 + n > WRAP_WIDTH) {
            cli_str_add(s, "\n", 1);
            add_spaces(s, indent);
            col = indent;
        } else if (!first_word) {
            cli_str_add(s, " ", 1);
            col++;
        }
        cli_str_add(s, p, n);
        col += n;
        p += n;
        first_word = 0;
    }
    cli_str_add(s, "\n", 1);
}

/* "ids|tokens|jsonl" for a choice, the value name otherwise. */
static void add_value_name(cli_str *s, const cli_opt *o)
{
    if (o->type == CLI_OPT_CHOICE) {
        for (size_t i = 0; o->choices[i]; i++) {
            if (i)
                cli_str_add(s, "|", 1);
            cli_str_puts(s, o->choices[i]);
        }
    } else if (o->value_name) {
        cli_str_puts(s, o->value_name);
    }
}

static void add_option_help(cli_str *s, const cli_opt *o)
{
    size_t start = s->len;
    cli_str_puts(s, "  ");
    if (o->short_name) {
        char flag[3] = {'-', o->short_name, '\0'};
        cli_str_puts(s, flag);
        cli_str_puts(s, o->long_name ? ", " : "");
    } else {
        cli_str_puts(s, "    ");
    }
    if (o->long_name) {
        cli_str_puts(s, "--");
        cli_str_puts(s, o->long_name);
    }
    if (o->type != CLI_OPT_SWITCH) {
        cli_str_add(s, " ", 1);
        add_value_name(s, o);
    }
    size_t width = s->failed ? 0 : s->len - start;
    if (width + 2 > HELP_COLUMN) {
        cli_str_add(s, "\n", 1);
        add_spaces(s, HELP_COLUMN);
    } else {
        add_spaces(s, HELP_COLUMN - width);
    }
    cli_wrap(s, o->help, HELP_COLUMN, HELP_COLUMN);
}

char *cli_help_text(const cli_command_spec *spec)
{
    cli_str s = CLI_STR_INIT;
    cli_str_puts(&s, "usage: tok ");
    cli_str_puts(&s, spec->name);
    cli_str_puts(&s, " [options]");
    if (spec->operands) {
        cli_str_add(&s, " ", 1);
        cli_str_puts(&s, spec->operands);
    }
    cli_str_puts(&s, "\n\n");
    if (spec->description) {
        cli_wrap(&s, spec->description, 0, 0);
        cli_str_add(&s, "\n", 1);
    }
    cli_str_puts(&s, "Options:\n");
    for (const cli_opt *o = spec->opts; o->type != CLI_OPT_END; o++)
        add_option_help(&s, o);
    static const cli_opt help = CLI_SWITCH('h', "help", NULL, 1,
                                           "show this help and exit");
    add_option_help(&s, &help);
    if (s.failed) {
        free(s.data);
        return NULL;
    }
    return s.data;
}

void cli_usage_error(const cli_command_spec *spec, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tok %s: ", spec->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'tok %s --help'.\n", spec->name);
}

static const cli_opt *find_long(const cli_opt *opts, const char *name,
                                size_t n)
{
    for (const cli_opt *o = opts; o->type != CLI_OPT_END; o++)
        if (o->long_name && strlen(o->long_name) == n &&
            memcmp(o->long_name, name, n) == 0)
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (const cli_opt *o = opts; o->type != CLI_OPT_END; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

/* How the user spelled the option, for messages: "--model" or "-m". */
static const char *spelled(const cli_opt *o, int as_long, char buf[64])
{
    if (as_long || !o->short_name)
        snprintf(buf, 64, "--%s", o->long_name);
    else
        snprintf(buf, 64, "-%c", o->short_name);
    return buf;
}

static int store_value(const cli_command_spec *spec, const cli_opt *o,
                       int as_long, const char *value)
{
    char name[64];
    switch (o->type) {
    case CLI_OPT_VALUE:
        *(const char **)o->target = value;
        return 0;
    case CLI_OPT_CHOICE:
        for (int i = 0; o->choices[i]; i++) {
            if (strcmp(o->choices[i], value) == 0) {
                *(int *)o->target = i;
                return 0;
            }
        }
        {
            cli_str list = CLI_STR_INIT;
            for (size_t i = 0; o->choices[i]; i++) {
                if (i)
                    cli_str_puts(&list, o->choices[i + 1] ? ", " : " or ");
                cli_str_puts(&list, o->choices[i]);
            }
            cli_usage_error(spec, "invalid value '%s' for %s (use %s)",
                            value, spelled(o, as_long, name),
                            list.failed ? "?" : list.data);
            free(list.data);
        }
        return -1;
    case CLI_OPT_COUNT: {
        size_t n = 0;
        const char *p = value;
        int ok = *p != '\0';
        for (; ok && *p; p++) {
            if (*p < '0' || *p > '9' || n > ((size_t)-1 - 9) / 10) {
                ok = 0;
                break;
            }
            n = n * 10 + (size_t)(*p - '0');
        }
        if (!ok || n == 0) {
            cli_usage_error(spec, "%s needs a whole number of at least 1, "
                            "not '%s'", spelled(o, as_long, name), value);
            return -1;
        }
        *(size_t *)o->target = n;
        return 0;
    }
    case CLI_OPT_SWITCH:
    case CLI_OPT_END:
        break;
    }
    return 0;
}

int cli_parse(const cli_command_spec *spec, int argc, char **argv,
              int *noperands)
{
    int n = 0;
    int only_operands = 0;
    char name[64];
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (only_operands || arg[0] != '-' || arg[1] == '\0') {
            argv[1 + n++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (arg[1] == '-') {
            const char *lname = arg + 2;
            const char *eq = strchr(lname, '=');
            size_t len = eq ? (size_t)(eq - lname) : strlen(lname);
            const cli_opt *o = find_long(spec->opts, lname, len);
            if (!o && len == 4 && memcmp(lname, "help", 4) == 0)
                return CLI_PARSE_HELP;
            if (!o) {
                cli_usage_error(spec, "unknown option '--%.*s'", (int)len,
                                lname);
                return CLI_PARSE_ERROR;
            }
            if (o->type == CLI_OPT_SWITCH) {
                if (eq) {
                    cli_usage_error(spec, "%s takes no value",
                                    spelled(o, 1, name));
                    return CLI_PARSE_ERROR;
                }
                *(int *)o->target = o->value;
                continue;
            }
            const char *value = eq ? eq + 1 : NULL;
            if (!value) {
                if (i + 1 >= argc) {
                    cli_usage_error(spec, "%s needs a value",
                                    spelled(o, 1, name));
                    return CLI_PARSE_ERROR;
                }
                value = argv[++i];
            }
            if (store_value(spec, o, 1, value) != 0)
                return CLI_PARSE_ERROR;
            continue;
        }
        /* A group of short options: switches, then maybe one that takes
         * the rest of the group (or the next argument) as its value. */
        for (const char *p = arg + 1; *p; p++) {
            const cli_opt *o = find_short(spec->opts, *p);
            if (!o && *p == 'h')
                return CLI_PARSE_HELP;
            if (!o) {
                cli_usage_error(spec, "unknown option '-%c'", *p);
                return CLI_PARSE_ERROR;
            }
            if (o->type == CLI_OPT_SWITCH) {
                *(int *)o->target = o->value;
                continue;
            }
            const char *value = p[1] ? p + 1 : NULL;
            if (!value) {
                if (i + 1 >= argc) {
                    cli_usage_error(spec, "%s needs a value",
                                    spelled(o, 0, name));
                    return CLI_PARSE_ERROR;
                }
                value = argv[++i];
            }
            if (store_value(spec, o, 0, value) != 0)
                return CLI_PARSE_ERROR;
            break;
        }
    }
    *noperands = n;
    return CLI_PARSE_OK;
}
