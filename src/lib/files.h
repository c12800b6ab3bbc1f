/* files: reading and writing tokenizer.json, and importing the plain
 * vocabulary files (BERT vocab.txt, GPT-2 vocab.json + merges.txt).
 *
 * vocab_json.c is the only file of the library that uses cJSON; the
 * writer (json_write.c) and the text importers (import.c) do not. */
#ifndef TOK_FILES_H
#define TOK_FILES_H

#include "tokenizer.h"

/* The version of the cJSON library libtok was linked with ("1.7.15"). */
const char *tok_cjson_version(void);

/* True, with the scanner that follows it, when `regex` is a Split regex
 * tok runs: the cl100k_base pattern (tiktoken's pat_str) or the GPT-2
 * one, spelled exactly so.  tok has no regex engine, so any other regex,
 * even an equivalent one, is false. */
bool tok_regex_scanner(const char *regex, tok_scan_pattern *scan);

/* Reads a GPT-2 vocab.json (one JSON object, token -> id) into v.  `name`
 * prefixes error messages; syntax errors carry err->line and offset. */
int tok_vocab_json_read(tok_vocab *v, const char *json, size_t len,
                        const char *name, tok_error *err);

/* Reads a BERT vocab.txt (one token per line, the id is the 0-based line
 * number, trailing white space is not part of the token) into v.  A
 * duplicate token, invalid UTF-8 or an empty file is TOK_EFORMAT with the
 * line (and the byte offset of the bad byte). */
int tok_vocab_txt_read(tok_vocab *v, const char *data, size_t len,
                       const char *name, tok_error *err);

/* Reads the special_tokens.json kept beside a .tiktoken file: an object
 * with "pat_str" (the split regex, as tiktoken's Encoding takes it) and
 * "special_tokens" (content -> id), either may be absent or null.
 * *pat_str is NULL when absent; *specials (n entries, file order, each
 * content allocated, special set) is the caller's: free each content and
 * the array with tok_free.  `name` prefixes error messages. */
int tok_tiktoken_json_read(const char *json, size_t len, const char *name,
                           char **pat_str, tok_added_token **specials,
                           size_t *n, tok_error *err);

/* Reads merges.txt ("a b" per line, "#version" lines skipped) into the
 * merges of BPE model m, whose vocabulary must be filled already. */
int tok_merges_txt_read(tok_model *m, const char *data, size_t len,
                        const char *name, tok_error *err);

/* Appends the merge (a, b) to BPE model m as Hugging Face builds it: both
 * parts and the merged token (a followed by b without the model's
 * continuing_subword_prefix) must be in the vocabulary.  Fails with
 * TOK_EFORMAT and a message naming the missing token; the caller adds
 * where it was.  `cap` is the capacity of m->merges. */
int tok_merge_append(tok_model *m, size_t *cap, const char *a, size_t alen,
                     const char *b, size_t blen, tok_error *err);

/* Hugging Face keeps one rank per pair: when a pair is listed twice, the
 * later entry wins and the earlier one disappears (also from a saved
 * file).  Applies that to m->merges in linear time. */
int tok_merges_dedup(tok_model *m, tok_error *err);

/* Adds the added tokens of a file or importer the way Hugging Face's
 * AddedVocabulary::add_tokens does, which decides the ids itself (the
 * "id" written in tokenizer.json is not read): a token already in the
 * model's vocabulary or among the added tokens keeps that id (a repeated
 * content replaces the earlier flags), any other gets the next free id
 * after the model's vocabulary; empty contents are skipped.  Leaves
 * tk->added sorted by id. */
int tok_added_assign(tok_tokenizer *tk, const tok_added_token *tokens,
                     size_t n, tok_error *err);

/* Appends s[0..len) as a quoted JSON string escaped the way serde_json
 * escapes it: \" \\ \b \f \n \r \t, other controls as \u00xx, everything
 * else (DEL and non-ASCII included) raw. */
int tok_json_put_string(tok_buffer *out, const char *s, size_t len);

/* Re-indents a compact JSON text (as the reader keeps truncation and
 * padding) the way serde_json's pretty printer lays it out, starting at
 * nesting depth `depth` (2 spaces per level). */
int tok_json_reindent(tok_buffer *out, const char *json, size_t len,
                      int depth);

#endif
