/* src/lib/pretok_scan.h -- pre-tokenize stage: regex-free split scanners
 *
 * Byte-level BPE tokenizers first cut the text into pieces with a regex and
 * run BPE on each piece alone. These scanners find the same pieces as
 * Hugging Face tokenizers (Oniguruma) and tiktoken (fancy-regex) do, without
 * a regex engine, in one linear pass that allocates nothing.
 *
 * TOK_SCAN_GPT2 follows
 *     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+
 *     |\s+(?!\S)|\s+
 * and TOK_SCAN_CL100K follows
 *     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
 *     | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * with backtracking semantics: the first alternative that matches wins, and
 * each quantifier is greedy.
 *
 * Character classes: \s is Unicode White_Space (U+0009-U+000D, U+0020,
 * U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000); \p{L} and \p{N} are the general categories L* and N* as HF's
 * Oniguruma has them (Unicode 16: tok_uni_is_letter, tok_uni_is_number).
 * Only U+0020 can be the optional " ?" prefix. GPT-2
 * contractions are case-sensitive; cl100k ones use Unicode simple case
 * folding, so "'S" and "'\u017F" (long s) are contractions there too.
 *
 * Invalid UTF-8: a byte that does not start a valid sequence (overlong forms,
 * surrogates and code points above U+10FFFF are invalid) is a character of
 * its own that is neither letter, number nor whitespace.
 *
 * The functions are pure and thread-safe; the text is only borrowed.
 */
#ifndef TOK_PRETOK_SCAN_H
#define TOK_PRETOK_SCAN_H

#include <stddef.h>

typedef enum { TOK_SCAN_GPT2 = 0, TOK_SCAN_CL100K = 1 } tok_scan_pattern;

/* Returns the end (exclusive byte index) of the piece that starts at pos,
 * 0 <= pos < len.
 * Pieces tile the input: call with pos = previous end until pos == len.
 * Never returns <= pos. Invalid UTF-8: every byte that does not start a
 * valid sequence is a character of its own that is neither letter, number
 * nor whitespace (so it falls in the "other" class). Never reads past len.
 * A call with pos >= len breaks the contract; it returns len and reads
 * nothing, so a caller looping "while (pos < len)" stops. */
size_t tok_scan_next(tok_scan_pattern pat, const char *s, size_t len,
                     size_t pos);

#endif /* TOK_PRETOK_SCAN_H */
