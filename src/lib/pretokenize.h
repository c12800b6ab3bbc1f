/* pretokenize: the pre-tokenizer stage, which cuts normalized text into
 * the words the model sees (BertPreTokenizer, Whitespace, WhitespaceSplit,
 * Punctuation, Digits, ByteLevel, Metaspace, Split, Sequence). */
#ifndef TOK_PRETOKENIZE_H
#define TOK_PRETOKENIZE_H

#include "normalized.h"
#include "pretok_scan.h"

/* A piece of the current text: bytes [start, end) of the normalized text.
 * id >= 0 marks a piece that is already a token (an added token matched
 * in the input); pre-tokenizers and the model leave those alone. */
typedef struct tok_split {
    uint32_t start;
    uint32_t end;
    int32_t id;
} tok_split;

typedef struct tok_splits {
    tok_split *v;
    size_t len;
    size_t cap;
} tok_splits;

int tok_splits_push(tok_splits *s, uint32_t start, uint32_t end, int32_t id);
void tok_splits_dispose(tok_splits *s);

/* How a delimiter is kept, as Hugging Face's SplitDelimiterBehavior. */
typedef enum tok_split_behavior {
    TOK_SPLIT_REMOVED,
    TOK_SPLIT_ISOLATED,
    TOK_SPLIT_MERGED_WITH_PREVIOUS,
    TOK_SPLIT_MERGED_WITH_NEXT,
    TOK_SPLIT_CONTIGUOUS
} tok_split_behavior;

/* Hugging Face's names of the behaviors ("Removed", ...), indexed by
 * tok_split_behavior and ended by NULL: read, written and shown alike. */
extern const char *const tok_split_behavior_names[];

typedef enum tok_prepend_scheme {
    TOK_PREPEND_ALWAYS,
    TOK_PREPEND_NEVER,
    TOK_PREPEND_FIRST
} tok_prepend_scheme;

typedef enum tok_pretok_type {
    TOK_PT_BERT,
    TOK_PT_WHITESPACE,        /* \w+|[^\w\s]+ */
    TOK_PT_WHITESPACE_SPLIT,  /* split on whitespace, drop it */
    TOK_PT_PUNCTUATION,
    TOK_PT_DIGITS,
    TOK_PT_BYTELEVEL,
    TOK_PT_METASPACE,
    TOK_PT_SPLIT,             /* Split with a string or known regex */
    TOK_PT_SEQUENCE
} tok_pretok_type;

typedef struct tok_pretok {
    tok_pretok_type type;
    union {
        struct {
            tok_split_behavior behavior;
        } punct;
        struct {
            bool individual_digits;
        } digits;
        struct {
            bool add_prefix_space;
            bool trim_offsets;
            bool use_regex;
        } bytelevel;
        struct {
            char replacement[8];  /* UTF-8 of one character, e.g. "▁" */
            tok_prepend_scheme prepend_scheme;
            bool split;
        } metaspace;
        struct {
            char *pattern;        /* the String pattern, or the Regex */
            tok_split_behavior behavior;
            bool invert;
            /* A Regex pattern: tok has no regex engine, so only the
             * regexes a scanner of pretok_scan.h follows are read, and
             * `scan` names it; `pattern` keeps the regex's text. */
            bool regex;
            tok_scan_pattern scan;
        } split;
        struct {
            struct tok_pretok **items;
            size_t n;
        } seq;
    } u;
} tok_pretok;

tok_pretok *tok_pretok_new(tok_pretok_type type);
void tok_pretok_free(tok_pretok *p);

/* The state a pre-tokenizer works on.  It reads `splits` (over `text`) and
 * leaves its result in `splits` again; `next` is a spare it may use and
 * swap.  A pre-tokenizer that rewrites the text (ByteLevel maps bytes to
 * its printable alphabet, Metaspace turns spaces into "▁") writes the new
 * text, alignments included, into `spare` and swaps it with `text`; pieces
 * with id >= 0 are carried over unchanged in content. */
typedef struct tok_pretok_state {
    tok_normalized *text;
    tok_normalized *spare;
    tok_splits *splits;
    tok_splits *next;
    bool first_piece;   /* for Metaspace prepend_scheme=first */
} tok_pretok_state;

/* Runs the pre-tokenizer (NULL: no change), with the semantics of Hugging
 * Face tokenizers 0.23:
 *  - Pieces with id >= 0 are kept, in order; empty pieces with id < 0 are
 *    dropped, as HF drops empty splits.
 *  - A rewriting stage (ByteLevel, Metaspace) leaves in `text` only the
 *    pieces, one after the other; text between them (removed delimiters)
 *    is gone.  Alignments of copied bytes are kept as they are.
 *  - ByteLevel: with add_prefix_space, every piece that does not start
 *    with ' ' gets one (in a Sequence, every piece of the previous stage),
 *    spanning the piece's first character; then the GPT-2 regex splits
 *    each piece on its own; then each byte becomes its byte-level
 *    character with the span of the character it belongs to.  A byte that
 *    starts no valid UTF-8 sequence is a character of its own, and nothing
 *    past a piece's end is read.  trim_offsets plays no part here.
 *  - Metaspace: ' ' becomes the replacement (with the space's span); the
 *    replacement is prepended (with the first character's span) to a piece
 *    that does not start with it when prepend_scheme is always, or is
 *    first and the piece begins at original offset 0 (align[start].start
 *    == 0, which is HF's test: so not after a leading added token, nor
 *    when a normalizer removed the first characters).  `first_piece` is
 *    not consulted.  split cuts before every replacement character.
 *  - Split with a Regex: the pieces of its scanner are the matches (they
 *    leave no text between them), kept as `behavior` and `invert` say.
 * Returns TOK_OK, TOK_ENOMEM, or TOK_EINVAL for a bad option (a missing
 * Split pattern, an empty replacement) or a text that would outgrow
 * 32-bit offsets. */
int tok_pretokenize(const tok_pretok *p, tok_pretok_state *st);

/* True when the pre-tokenizer (or one in its sequence) is ByteLevel: the
 * text the model sees is then in the byte-to-unicode alphabet. */
bool tok_pretok_is_bytelevel(const tok_pretok *p);

#endif
