/* normalize: the normalizer stage (BertNormalizer, NFC/NFD/NFKC/NFKD,
 * Lowercase, StripAccents, Strip, Replace, Prepend, Sequence). */
#ifndef TOK_NORMALIZE_H
#define TOK_NORMALIZE_H

#include "normalized.h"

typedef enum tok_normalizer_type {
    TOK_NORM_BERT,
    TOK_NORM_NFC,
    TOK_NORM_NFD,
    TOK_NORM_NFKC,
    TOK_NORM_NFKD,
    TOK_NORM_LOWERCASE,
    TOK_NORM_STRIP_ACCENTS,
    TOK_NORM_STRIP,
    TOK_NORM_REPLACE,   /* Replace with a plain string pattern */
    TOK_NORM_PREPEND,
    TOK_NORM_SEQUENCE
} tok_normalizer_type;

/* A normalizer is a plain description; what each type does is in
 * normalize.c.  Fields are read by the tokenizer.json writer. */
typedef struct tok_normalizer {
    tok_normalizer_type type;
    union {
        struct {
            bool clean_text;
            bool handle_chinese_chars;
            int strip_accents;    /* -1: null (follows lowercase), 0, 1 */
            bool lowercase;
        } bert;
        struct {
            bool left, right;
        } strip;
        struct {
            char *pattern;        /* NUL-terminated, non-empty */
            char *content;
        } replace;
        struct {
            char *prepend;
        } prepend;
        struct {
            struct tok_normalizer **items;
            size_t n;
        } seq;
    } u;
} tok_normalizer;

/* Allocates a zeroed normalizer of the type (NULL on ENOMEM). */
tok_normalizer *tok_normalizer_new(tok_normalizer_type type);
void tok_normalizer_free(tok_normalizer *n);

/* Scratch buffers a thread keeps for Sequence and for per-character work;
 * zero-initialize, dispose when done. */
struct tok_norm_piece;
typedef struct tok_norm_scratch {
    tok_normalized a, b;
    uint32_t *cps;        /* code point buffer */
    size_t cps_cap;
    /* Decomposed characters waiting for canonical reordering, and the
     * spans of the characters they came from (normalize.c). */
    struct tok_norm_piece *pieces;
    size_t pieces_cap;
    tok_span *spans;
    size_t spans_cap;
} tok_norm_scratch;
void tok_norm_scratch_dispose(tok_norm_scratch *s);

/* Normalizes in[0..len) (valid UTF-8, with its alignments) and APPENDS
 * the result with alignments to out.  A NULL normalizer copies.
 *
 * The result is Hugging Face tokenizers 0.23.2's, text and alignments:
 * - spans are handed out by position, as HF's NormalizedString does: a
 *   character that replaces input takes the span of the first input
 *   character not yet consumed, an inserted one the span of the last
 *   consumed.  So a composed character (NFC) carries the span of its
 *   first part, marks moved by canonical reordering take the spans of the
 *   places they land on, a Replace replacement carries the span of the
 *   last character of the match, and the characters of a decomposition,
 *   of a lowercase expansion or of Prepend that of their source;
 * - BertNormalizer deletes U+0000, U+FFFD and the Cc, Cf and Co
 *   characters of Unicode 8.0 but tab, LF and CR (not unassigned ones),
 *   turns White_Space into ' ', and strips the Mn of Unicode 8.0 after
 *   NFD; StripAccents deletes every mark (M*) of Unicode 9.0 and does no
 *   NFD; the normal forms use Unicode 9.0 data; lowercase is Rust's
 *   char::to_lowercase, one character at a time (no final sigma).
 * scratch may be NULL only with a NULL normalizer.  Returns TOK_OK,
 * TOK_ENOMEM, TOK_EUTF8 (invalid input) or TOK_EINVAL (no scratch, an
 * empty Replace pattern, Sequences nested deeper than 64). */
int tok_normalize(const tok_normalizer *n, const char *text,
                  const tok_span *align, size_t len, tok_normalized *out,
                  tok_norm_scratch *scratch);

#endif
