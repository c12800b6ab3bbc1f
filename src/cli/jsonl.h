/* jsonl: JSON Lines records for `tok encode --jsonl-field` -- checking
 * that a record is one JSON object, finding the members of its top level,
 * decoding the text field and copying the others to the output.
 *
 * The scanner follows RFC 8259 strictly (no comments, no trailing commas,
 * no NaN, no control characters in strings), with one liberty: bytes that
 * are not UTF-8 may appear inside strings.  They are the encoder's to
 * judge in the text field (an error, U+FFFD or, for byte-level models,
 * bytes like any other), and are written as "\udcXX" when another field
 * is copied to the output, so the output is always UTF-8.  For the same
 * round trip, a lone "\udc80".."\udcff" escape in the text field stands
 * for the byte 0x80..0xff, as Python's surrogateescape writes it (and as
 * `tok encode -f jsonl` writes tokens that are not UTF-8).
 *
 * Nesting is tracked on a stack that grows, so depth is limited only by
 * memory, and every record is scanned in linear time.
 */
#ifndef TOK_CLI_JSONL_H
#define TOK_CLI_JSONL_H

#include <stddef.h>

#include "io.h"

/* One member of the top-level object: byte ranges in the record. */
typedef struct cli_json_member {
    size_t key_start, key_end;      /* the key, quotes included */
    size_t value_start, value_end;  /* the value, without white space */
} cli_json_member;

/* A scanner's reusable state (one per thread); start from CLI_JSONL_INIT
 * and release with cli_jsonl_dispose. */
typedef struct cli_jsonl {
    cli_json_member *members;   /* the members of the last record */
    size_t n, cap;
    unsigned char *stack;       /* '{' or '[' per open container */
    size_t depth, stack_cap;
    cli_buf key;                /* a decoded key, for comparisons */
} cli_jsonl;
#define CLI_JSONL_INIT {NULL, 0, 0, NULL, 0, 0, CLI_BUF_INIT}

void cli_jsonl_dispose(cli_jsonl *j);

enum {
    CLI_JSONL_OK = 0,
    CLI_JSONL_BAD = -1,     /* not one JSON object: *at and *why say why */
    CLI_JSONL_NOMEM = -2
};

/* Scans rec[0..len) as one JSON object, white space around it allowed,
 * and lists its members in j->members.  On CLI_JSONL_BAD, *at is the byte
 * offset of the problem in rec and *why a short static description
 * ("expected ':'"). */
int cli_jsonl_parse(cli_jsonl *j, const char *rec, size_t len, size_t *at,
                    const char **why);

/* The index of the last member whose key is `name` (after decoding
 * escapes, as json.loads would keep it), or -1. */
long cli_jsonl_find(cli_jsonl *j, const char *rec, const char *name);

/* Decodes the JSON string rec[start..end) (quotes included, as scanned)
 * into `out`, replacing what it held.  A lone "\udcXX" escape (XX from 80
 * to ff) becomes that byte; any other lone surrogate is CLI_JSONL_BAD with
 * *at its offset in rec. */
int cli_json_unescape(cli_buf *out, const char *rec, size_t start,
                      size_t end, size_t *at, const char **why);

/* The offset in rec of byte k of the string decoded from rec[start..end)
 * (the escape that made it, for a byte an escape made). */
size_t cli_json_source_offset(const char *rec, size_t start, size_t end,
                              size_t k);

/* Appends s[0..n) (JSON text as scanned) with each byte that is not part
 * of valid UTF-8 written as "\udcXX"; returns 0 or -1 (out of memory). */
int cli_json_copy(cli_buf *out, const char *s, size_t n);

#endif
