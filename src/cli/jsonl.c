/* CLI stage: JSON Lines input -- a strict, linear-time scanner for one
 * JSON object per record, and the string decoding of the text field. */
#include "jsonl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cli_jsonl_dispose(cli_jsonl *j)
{
    free(j->members);
    free(j->stack);
    cli_buf_dispose(&j->key);
    j->members = NULL;
    j->stack = NULL;
    j->n = j->cap = j->depth = j->stack_cap = 0;
}

typedef struct scan {
    const char *s;
    size_t n;
    size_t i;
    size_t at;          /* where the problem is */
    const char *why;
} scan;

static int bad(scan *c, size_t at, const char *why)
{
    c->at = at;
    c->why = why;
    return CLI_JSONL_BAD;
}

static void ws(scan *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' ||
                           c->s[c->i] == '\n' || c->s[c->i] == '\r'))
        c->i++;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The 4 hex digits at s[i..i+4), or -1. */
static long hex4(const char *s, size_t n, size_t i)
{
    if (n - i < 4)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int d = hex_value(s[i + k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string starting at c->i (a '"'); leaves c->i after its end. */
static int scan_string(scan *c)
{
    size_t start = c->i++;
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (ch == '"') {
            c->i++;
            return CLI_JSONL_OK;
        }
        if (ch < 0x20)
            return bad(c, c->i, "control character in a string");
        if (ch != '\\') {
            c->i++;
            continue;
        }
        if (c->i + 1 >= c->n)
            break;
        switch (c->s[c->i + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n':
        case 'r': case 't':
            c->i += 2;
            break;
        case 'u':
            if (hex4(c->s, c->n, c->i + 2) < 0)
                return bad(c, c->i, "bad \\u escape");
            c->i += 6;
            break;
        default:
            return bad(c, c->i, "bad escape in a string");
        }
    }
    return bad(c, start, "unterminated string");
}

static int digits(scan *c)
{
    size_t from = c->i;
    while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9')
        c->i++;
    return c->i > from;
}

static int scan_number(scan *c)
{
    size_t start = c->i;
    if (c->s[c->i] == '-')
        c->i++;
    if (c->i < c->n && c->s[c->i] == '0')
        c->i++;
    else if (!digits(c))
        return bad(c, start, "bad number");
    if (c->i < c->n && c->s[c->i] == '.') {
        c->i++;
        if (!digits(c))
            return bad(c, start, "bad number");
    }
    if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
        c->i++;
        if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-'))
            c->i++;
        if (!digits(c))
            return bad(c, start, "bad number");
    }
    return CLI_JSONL_OK;
}

static int scan_literal(scan *c, const char *word)
{
    size_t k = strlen(word);
    if (c->n - c->i < k || memcmp(c->s + c->i, word, k) != 0)
        return bad(c, c->i, "expected a value");
    c->i += k;
    return CLI_JSONL_OK;
}

static int push(cli_jsonl *j, unsigned char kind)
{
    if (j->depth == j->stack_cap) {
        size_t cap = j->stack_cap ? j->stack_cap * 2 : 64;
        unsigned char *p = realloc(j->stack, cap);
        if (!p)
            return CLI_JSONL_NOMEM;
        j->stack = p;
        j->stack_cap = cap;
    }
    j->stack[j->depth++] = kind;
    return CLI_JSONL_OK;
}

/* One value at c->i, with everything nested in it; leaves c->i after it.
 * Iterative, with the open containers on j's stack. */
static int scan_value(cli_jsonl *j, scan *c)
{
    size_t base = j->depth;
    int rc;
    for (;;) {
        /* A value starts here. */
        ws(c);
        if (c->i >= c->n)
            return bad(c, c->i, "unexpected end of the record");
        char ch = c->s[c->i];
        int opened = 0;
        rc = CLI_JSONL_OK;
        if (ch == '{' || ch == '[') {
            c->i++;
            ws(c);
            char close = ch == '{' ? '}' : ']';
            if (c->i < c->n && c->s[c->i] == close) {
                c->i++;
            } else {
                if ((rc = push(j, (unsigned char)ch)) != CLI_JSONL_OK)
                    return rc;
                opened = 1;
            }
        } else if (ch == '"') {
            rc = scan_string(c);
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            rc = scan_number(c);
        } else {
            rc = scan_literal(c, ch == 't' ? "true"
                                 : ch == 'f' ? "false" : "null");
        }
        if (rc != CLI_JSONL_OK)
            return rc;
        /* After a value, or right after an opening brace: what comes
         * next in the containers still open. */
        int need_key = opened && ch == '{';
        while (!opened || need_key) {
            if (need_key) {
                ws(c);
                if (c->i >= c->n || c->s[c->i] != '"')
                    return bad(c, c->i, "expected a key (a string)");
                if ((rc = scan_string(c)) != CLI_JSONL_OK)
                    return rc;
                ws(c);
                if (c->i >= c->n || c->s[c->i] != ':')
                    return bad(c, c->i, "expected ':'");
                c->i++;
                break;
            }
            if (j->depth == base)
                return CLI_JSONL_OK;
            ws(c);
            unsigned char top = j->stack[j->depth - 1];
            char close = top == '{' ? '}' : ']';
            if (c->i < c->n && c->s[c->i] == ',') {
                c->i++;
                if (top == '{')
                    need_key = 1;
                else
                    break;
            } else if (c->i < c->n && c->s[c->i] == close) {
                c->i++;
                j->depth--;
            } else {
                return bad(c, c->i, top == '{' ? "expected ',' or '}'"
                                               : "expected ',' or ']'");
            }
        }
    }
}

int cli_jsonl_parse(cli_jsonl *j, const char *rec, size_t len, size_t *at,
                    const char **why)
{
    scan c = {rec, len, 0, 0, NULL};
    int rc = CLI_JSONL_OK;
    j->n = 0;
    j->depth = 0;
    ws(&c);
    if (c.i >= c.n || rec[c.i] != '{') {
        rc = bad(&c, c.i, "expected a JSON object");
        goto out;
    }
    c.i++;
    ws(&c);
    if (c.i < c.n && rec[c.i] == '}') {
        c.i++;
    } else {
        for (;;) {
            ws(&c);
            if (c.i >= c.n || rec[c.i] != '"') {
                rc = bad(&c, c.i, "expected a key (a string)");
                goto out;
            }
            cli_json_member m;
            m.key_start = c.i;
            if ((rc = scan_string(&c)) != CLI_JSONL_OK)
                goto out;
            m.key_end = c.i;
            ws(&c);
            if (c.i >= c.n || rec[c.i] != ':') {
                rc = bad(&c, c.i, "expected ':'");
                goto out;
            }
            c.i++;
            ws(&c);
            m.value_start = c.i;
            if ((rc = scan_value(j, &c)) != CLI_JSONL_OK)
                goto out;
            m.value_end = c.i;
            if (j->n == j->cap) {
                size_t cap = j->cap ? j->cap * 2 : 16;
                cli_json_member *v = realloc(j->members, cap * sizeof *v);
                if (!v) {
                    rc = CLI_JSONL_NOMEM;
                    goto out;
                }
                j->members = v;
                j->cap = cap;
            }
            j->members[j->n++] = m;
            ws(&c);
            if (c.i < c.n && rec[c.i] == ',') {
                c.i++;
                continue;
            }
            if (c.i < c.n && rec[c.i] == '}') {
                c.i++;
                break;
            }
            rc = bad(&c, c.i, "expected ',' or '}'");
            goto out;
        }
    }
    ws(&c);
    if (c.i < c.n)
        rc = bad(&c, c.i, "more after the JSON object");
out:
    if (rc == CLI_JSONL_BAD) {
        *at = c.at;
        *why = c.why;
    }
    return rc;
}

/* Appends code point cp as UTF-8. */
static int put_utf8(cli_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return cli_buf_add(out, b, n);
}

/* Decodes the escape at rec[i] (a backslash) of a scanned string: sets
 * *cp (or *byte for a lone "\udcXX", with *cp = UINT32_MAX) and returns
 * its length, or 0 for a lone surrogate that stands for nothing. */
static size_t escape(const char *rec, size_t end, size_t i, uint32_t *cp,
                     unsigned char *byte)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    char e = rec[i + 1];
    if (e != 'u') {
        *cp = (unsigned char)to[strchr(from, e) - from];
        return 2;
    }
    uint32_t u = (uint32_t)hex4(rec, end, i + 2);
    if (u >= 0xD800 && u < 0xDC00 && end - i >= 12 && rec[i + 6] == '\\' &&
        rec[i + 7] == 'u') {
        long lo = hex4(rec, end, i + 8);
        if (lo >= 0xDC00 && lo < 0xE000) {
            *cp = 0x10000 + ((u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            return 12;
        }
    }
    if (u >= 0xDC80 && u <= 0xDCFF) {
        *cp = UINT32_MAX;
        *byte = (unsigned char)(u - 0xDC00);
        return 6;
    }
    if (u >= 0xD800 && u < 0xE000)
        return 0;
    *cp = u;
    return 6;
}

int cli_json_unescape(cli_buf *out, const char *rec, size_t start,
                      size_t end, size_t *at, const char **why)
{
    out->len = 0;
    size_t i = start + 1, stop = end - 1;
    while (i < stop) {
        const char *bs = memchr(rec + i, '\\', stop - i);
        size_t run = bs ? (size_t)(bs - (rec + i)) : stop - i;
        if (cli_buf_add(out, rec + i, run) != 0)
            return CLI_JSONL_NOMEM;
        i += run;
        if (i >= stop)
            break;
        uint32_t cp;
        unsigned char byte = 0;
        size_t k = escape(rec, stop, i, &cp, &byte);
        if (k == 0) {
            *at = i;
            *why = "a lone surrogate escape";
            return CLI_JSONL_BAD;
        }
        int rc = cp == UINT32_MAX ? cli_buf_putc(out, (char)byte)
                                  : put_utf8(out, cp);
        if (rc != 0)
            return CLI_JSONL_NOMEM;
        i += k;
    }
    return CLI_JSONL_OK;
}

size_t cli_json_source_offset(const char *rec, size_t start, size_t end,
                              size_t k)
{
    size_t i = start + 1, stop = end - 1, made = 0;
    while (i < stop) {
        if (rec[i] != '\\') {
            if (made == k)
                return i;
            made++;
            i++;
            continue;
        }
        uint32_t cp;
        unsigned char byte;
        size_t n = escape(rec, stop, i, &cp, &byte);
        size_t bytes = cp == UINT32_MAX ? 1
                       : cp < 0x80      ? 1
                       : cp < 0x800     ? 2
                       : cp < 0x10000   ? 3
                                        : 4;
        if (n == 0 || k < made + bytes)
            return i;
        made += bytes;
        i += n;
    }
    return i;
}

long cli_jsonl_find(cli_jsonl *j, const char *rec, const char *name)
{
    size_t nlen = strlen(name);
    for (size_t m = j->n; m-- > 0;) {
        const cli_json_member *x = &j->members[m];
        const char *k = rec + x->key_start + 1;
        size_t klen = x->key_end - x->key_start - 2;
        if (!memchr(k, '\\', klen)) {
            if (klen == nlen && memcmp(k, name, nlen) == 0)
                return (long)m;
            continue;
        }
        size_t at;
        const char *why;
        if (cli_json_unescape(&j->key, rec, x->key_start, x->key_end, &at,
                              &why) == CLI_JSONL_OK &&
            j->key.len == nlen && memcmp(j->key.data, name, nlen) == 0)
            return (long)m;
    }
    return -1;
}

int cli_json_copy(cli_buf *out, const char *s, size_t n)
{
    static const char digits16[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t from = i;
        while (i < n && u[i] < 0x80)
            i++;
        while (i < n && u[i] >= 0x80) {
            size_t k = cli_utf8_seq(u + i, n - i);
            if (k == 0)
                break;
            i += k;
        }
        if (cli_buf_add(out, s + from, i - from) != 0)
            return -1;
        if (i < n && u[i] >= 0x80) {
            char e[6] = {'\\', 'u', 'd', 'c', digits16[u[i] >> 4],
                         digits16[u[i] & 15]};
            if (cli_buf_add(out, e, 6) != 0)
                return -1;
            i++;
        }
    }
    return 0;
}
