/* normalized: text that went through normalization, with alignments back
 * to the original input. */
#ifndef TOK_NORMALIZED_H
#define TOK_NORMALIZED_H

#include "common.h"

/* A byte range [start, end) of the original input. */
typedef struct tok_span {
    uint32_t start;
    uint32_t end;
} tok_span;

/* align[i] is the original span of the character that produced byte i of
 * text: every byte of one output character carries the same span, and a
 * character a normalizer inserted (a space around a CJK character, the
 * parts of a decomposition) carries the span of the character it came
 * from.  This is what Hugging Face's NormalizedString keeps, and it is how
 * offsets of tokens find their way back to the input. */
typedef struct tok_normalized {
    char *text;       /* NUL-terminated; may hold NUL bytes */
    tok_span *align;  /* len entries */
    size_t len;
    size_t cap;
} tok_normalized;

void tok_normalized_dispose(tok_normalized *n);
static inline void tok_normalized_clear(tok_normalized *n) { n->len = 0; }
int tok_normalized_reserve(tok_normalized *n, size_t extra);
/* Appends bytes that all map to one original span. */
int tok_normalized_append(tok_normalized *n, const char *bytes, size_t len,
                          tok_span span);
/* Appends bytes with their own alignments. */
int tok_normalized_append_aligned(tok_normalized *n, const char *bytes,
                                  const tok_span *align, size_t len);

#endif
