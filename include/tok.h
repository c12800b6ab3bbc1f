/*
 * tok.h -- libtok, a tokenizer library compatible with Hugging Face
 * tokenizer.json files: WordPiece and BPE (character- and byte-level).
 *
 * Ownership, in one sentence: every object you get from a tok_*_new or
 * tok_*_load call is yours and is released with the matching tok_*_free;
 * every pointer the library hands back from an accessor (ids, tokens,
 * offsets, names) is borrowed from the object it came from and stays valid
 * until that object is changed or freed.
 *
 * Threads: a tok_tokenizer is immutable once loaded, so any number of
 * threads may use one at the same time.  Each thread brings its own
 * tok_encoding (the result, which also holds the scratch buffers and caches
 * that make repeated calls allocation-free) and its own tok_error.
 *
 * Errors: functions that can fail return an int: TOK_OK (0) on success or a
 * negative TOK_E* code.  When the caller passes a tok_error, it is filled
 * with the code and a message meant for people ("file.json: model.vocab:
 * expected an object").  There is no global error state.
 *
 * The pipeline, as in Hugging Face tokenizers: added tokens are matched in
 * the raw text, the rest is normalized, pre-tokenized into words, each word
 * is split by the model (WordPiece or BPE), and the post-processor adds the
 * template's special tokens.  Decoding runs the decoder chain back.
 *
 * A short example (error handling trimmed):
 *
 *     tok_error err;
 *     tok_tokenizer *tk;
 *     if (tok_tokenizer_load(&tk, "vocab/bert-base-uncased/tokenizer.json",
 *                            &err) != TOK_OK) {
 *         fprintf(stderr, "%s\n", err.message);
 *         return 1;
 *     }
 *     tok_encoding *enc = tok_encoding_new();
 *     tok_encode(tk, "Hello, world!", 13, NULL, enc, &err);
 *     for (size_t i = 0; i < tok_encoding_len(enc); i++)
 *         printf("%d ", tok_encoding_ids(enc)[i]);    // 101 7592 1010 ...
 *     tok_encoding_free(enc);
 *     tok_tokenizer_free(tk);
 */
#ifndef TOK_H
#define TOK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TOK_BUILDING) && defined(__GNUC__)
#define TOK_API __attribute__((visibility("default")))
#else
#define TOK_API
#endif

/* The library version, "MAJOR.MINOR.PATCH". */
TOK_API const char *tok_version(void);

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

enum {
    TOK_OK = 0,
    TOK_ENOMEM = -1,      /* an allocation failed */
    TOK_EIO = -2,         /* a file could not be read or written */
    TOK_EFORMAT = -3,     /* a file or string is malformed */
    TOK_EUNSUPPORTED = -4,/* a component tok does not implement */
    TOK_EINVAL = -5,      /* a bad argument or option */
    TOK_EUTF8 = -6,       /* text is not valid UTF-8 */
    TOK_ERANGE = -7,      /* an id outside the vocabulary */
    TOK_ESPECIAL = -8     /* a special token in the text, with REJECT */
};

/* Filled by any call that is given one.  `offset` is a byte offset into
 * the input the call was reading (text or file) and `line` a 1-based line
 * in a file, both 0 when they do not apply. */
typedef struct tok_error {
    int code;
    size_t line;
    size_t offset;
    char message[512];
} tok_error;

/* A short, static description of an error code ("out of memory"). */
TOK_API const char *tok_strerror(int code);

/* ------------------------------------------------------------------------
 * Tokenizers
 * ------------------------------------------------------------------------ */

typedef struct tok_tokenizer tok_tokenizer;

/* Loads a Hugging Face tokenizer.json file. */
TOK_API int tok_tokenizer_load(tok_tokenizer **out, const char *path,
                               tok_error *err);

/* Parses a tokenizer.json document held in memory (len bytes; it need not
 * be NUL-terminated). */
TOK_API int tok_tokenizer_from_json(tok_tokenizer **out, const char *json,
                                    size_t len, tok_error *err);

/* Options for importing a BERT vocab.txt (one token per line, the id is the
 * 0-based line number).  The result is the classic BERT pipeline:
 * BertNormalizer, BertPreTokenizer, WordPiece with "##", the
 * "[CLS] $A [SEP]" template and the WordPiece decoder. */
typedef struct tok_bert_options {
    int lowercase;            /* 1 for uncased vocabularies (strips accents) */
    const char *unk_token;    /* default "[UNK]" */
    const char *cls_token;    /* default "[CLS]" */
    const char *sep_token;    /* default "[SEP]" */
    const char *pad_token;    /* default "[PAD]" */
    const char *mask_token;   /* default "[MASK]" */
    size_t max_input_chars_per_word; /* default 100 */
} tok_bert_options;
#define TOK_BERT_OPTIONS_INIT {1, NULL, NULL, NULL, NULL, NULL, 100}

TOK_API int tok_tokenizer_from_bert_vocab(tok_tokenizer **out,
                                          const char *vocab_txt_path,
                                          const tok_bert_options *opts,
                                          tok_error *err);

/* Imports GPT-2 style vocab.json + merges.txt as a byte-level BPE
 * tokenizer (ByteLevel pre-tokenizer, post-processor and decoder).
 * `special` names tokens of the vocabulary to register as special added
 * tokens (NULL-terminated list, or NULL for "<|endoftext|>" if present). */
TOK_API int tok_tokenizer_from_gpt2_files(tok_tokenizer **out,
                                          const char *vocab_json_path,
                                          const char *merges_txt_path,
                                          const char *const *special,
                                          tok_error *err);

/* A special token of a tiktoken encoding, with its id. */
typedef struct tok_tiktoken_special {
    const char *content;      /* "<|endoftext|>" */
    int32_t id;               /* 100257 */
} tok_tiktoken_special;

/* What a tiktoken encoding keeps outside its .tiktoken file (tiktoken has
 * them in code): the split regex and the special tokens.  Give them here,
 * or name a special_tokens.json to read them from, an object with
 * "pat_str" and "special_tokens" (content -> id), as tok's vocabularies
 * keep them beside cl100k_base.tiktoken; `pattern` then overrides the
 * file's pat_str, and `specials` come before the file's. */
typedef struct tok_tiktoken_options {
    const char *pattern;      /* tiktoken's pat_str */
    const tok_tiktoken_special *specials;
    size_t nspecials;
    const char *special_tokens_json;  /* a path, or NULL */
} tok_tiktoken_options;
#define TOK_TIKTOKEN_OPTIONS_INIT {NULL, NULL, 0, NULL}

/* Imports a tiktoken vocabulary (a .tiktoken file: "base64(token) rank"
 * per line, as tiktoken's load_tiktoken_bpe reads it) as the byte-level
 * BPE tokenizer Hugging Face's conversions of tiktoken encodings make, so
 * that it encodes as tiktoken's encode(text, allowed_special="all"), and
 * as encode_ordinary with TOK_SPECIAL_TEXT:
 *  - pre-tokenizer Sequence[Split(Regex pattern, Isolated), ByteLevel
 *    without its own regex], post-processor and decoder ByteLevel;
 *  - BPE with ignore_merges (a piece that is a token is that token, as in
 *    tiktoken), the id of a token is its rank, and the merge of each
 *    token of two or more bytes, in rank order, is the pair its bytes end
 *    in when BPE runs on them with the lower ranks only;
 *  - the special tokens are in the vocabulary at their ids (which may
 *    leave ids unused, as cl100k_base's 100256) and are special added
 *    tokens.
 * tok has no regex engine: the pattern must be one it has a scanner for,
 * cl100k_base's pat_str or the GPT-2 regex, spelled exactly, else
 * TOK_EUNSUPPORTED.  A file that is not a tiktoken vocabulary is
 * TOK_EFORMAT with err->line: bad base64, a rank that is not a number, a
 * token or rank given twice, a missing single byte (all 256 must be
 * tokens); a special token whose id or content is taken is TOK_EINVAL. */
TOK_API int tok_tokenizer_from_tiktoken(tok_tokenizer **out,
                                        const char *tiktoken_path,
                                        const tok_tiktoken_options *opts,
                                        tok_error *err);

TOK_API void tok_tokenizer_free(tok_tokenizer *tk);

/* Serializes the tokenizer as tokenizer.json, formatted the way Hugging
 * Face's Tokenizer.save formats it.  The same tokenizer always gives the
 * same bytes.  The returned buffer is the caller's: release it with
 * free(). */
TOK_API int tok_tokenizer_to_json(const tok_tokenizer *tk, char **json,
                                  size_t *len, tok_error *err);

/* Writes tokenizer.json to `path` whole or not at all: a temporary file in
 * the same directory, renamed over `path` once complete. */
TOK_API int tok_tokenizer_save(const tok_tokenizer *tk, const char *path,
                               tok_error *err);

/* One more than the largest id of the model's vocabulary, the added
 * tokens and the post-processor's template: the rows an embedding table
 * needs.  Where a vocabulary skips ids (cl100k_base has no 100256 and
 * none of 100261..100275) this is more than the number of tokens, which
 * is what Hugging Face's get_vocab_size(with_added_tokens=true) counts
 * (100277 against 100261). */
TOK_API size_t tok_vocab_size(const tok_tokenizer *tk);

/* The string of an id (as the vocabulary spells it, e.g. "Ġthe" or
 * "##ing") or NULL when the id is out of range. */
TOK_API const char *tok_id_to_token(const tok_tokenizer *tk, int32_t id);

/* The id of a token string, or -1. */
TOK_API int32_t tok_token_to_id(const tok_tokenizer *tk, const char *token,
                                size_t len);

/* 1 when `id` is a special added token (such as [CLS] or <|endoftext|>). */
TOK_API int tok_id_is_special(const tok_tokenizer *tk, int32_t id);

/* A one-line description of each stage ("BertNormalizer(lowercase=true,
 * ...)"), for `tok info`.  Stage is one of "model", "normalizer",
 * "pre_tokenizer", "post_processor", "decoder"; returns "none" for an
 * absent stage and NULL for an unknown name. */
TOK_API const char *tok_tokenizer_describe(const tok_tokenizer *tk,
                                           const char *stage);

/* The added tokens, in id order: i from 0 to tok_added_count()-1.
 * Returns TOK_ERANGE past the end. */
TOK_API size_t tok_added_count(const tok_tokenizer *tk);
TOK_API int tok_added_token_at(const tok_tokenizer *tk, size_t i,
                               int32_t *id,
                               const char **content, int *special);

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */

/* What to do with added tokens (such as "[CLS]" or "<|endoftext|>") written
 * inside the input text. */
typedef enum tok_special_policy {
    TOK_SPECIAL_MATCH = 0,  /* match them, as Hugging Face does by default */
    TOK_SPECIAL_TEXT = 1,   /* treat special tokens as plain text */
    TOK_SPECIAL_REJECT = 2  /* fail with TOK_ESPECIAL */
} tok_special_policy;

typedef enum tok_offset_unit {
    TOK_OFFSETS_BYTES = 0,  /* UTF-8 byte offsets into the input */
    TOK_OFFSETS_CHARS = 1   /* Unicode code point offsets (as Python) */
} tok_offset_unit;

typedef enum tok_invalid_policy {
    TOK_INVALID_ERROR = 0,   /* invalid UTF-8 fails with TOK_EUTF8 */
    TOK_INVALID_REPLACE = 1  /* each bad sequence becomes U+FFFD */
} tok_invalid_policy;

/* Truncation and padding, as Hugging Face's TruncationParams and
 * PaddingParams define them.  Both apply after the texts are split into
 * tokens: truncation cuts the tokens of the text(s) so that, with the
 * template's special tokens, at most max_length remain; the post-processor
 * adds the special tokens; padding then appends (or prepends) pad tokens up
 * to a length, with attention mask 0.  The tokens cut away are not lost:
 * they form "overflowing" windows of the same length (see
 * tok_encoding_overflow), each a complete encoding with its own special
 * tokens and padding. */

/* Which text loses tokens when a pair is too long. */
typedef enum tok_truncation_strategy {
    /* The longer text loses tokens until both are of the same length, then
     * both lose: the kept lengths are max/2 and max - max/2, the longer
     * text getting the larger part. */
    TOK_TRUNCATE_LONGEST_FIRST = 0,
    TOK_TRUNCATE_ONLY_FIRST = 1,    /* only the first text */
    TOK_TRUNCATE_ONLY_SECOND = 2    /* only the second (fails on one text) */
} tok_truncation_strategy;

/* The end of the tokens that truncation cuts, or padding fills. */
typedef enum tok_side {
    TOK_SIDE_RIGHT = 0,
    TOK_SIDE_LEFT = 1
} tok_side;

typedef struct tok_truncation {
    /* The most tokens an encoding keeps, the template's special tokens
     * included (a pair's template usually adds 3, a single text's 2). */
    size_t max_length;
    tok_truncation_strategy strategy;
    tok_side side;              /* which end of a text is cut */
    /* How many tokens each overflowing window repeats from the window
     * before it; must be below the text's kept length. */
    size_t stride;
} tok_truncation;
#define TOK_TRUNCATION_INIT \
    {512, TOK_TRUNCATE_LONGEST_FIRST, TOK_SIDE_RIGHT, 0}

typedef enum tok_padding_strategy {
    /* Hugging Face's BatchLongest: the length of the longest encoding of a
     * batch; one text is a batch of one, so only pad_to_multiple_of (and
     * the overflowing windows, padded to the main encoding's length)
     * change anything. */
    TOK_PAD_LONGEST = 0,
    TOK_PAD_FIXED = 1           /* to `length` tokens */
} tok_padding_strategy;

typedef struct tok_padding {
    tok_padding_strategy strategy;
    size_t length;              /* with TOK_PAD_FIXED */
    size_t pad_to_multiple_of;  /* round the length up to this; 0: no */
    tok_side side;              /* where the pad tokens go */
    int32_t pad_id;
    uint32_t pad_type_id;
    /* The token string of the pad tokens; NULL: pad_id's string.  Copied:
     * it need not outlive the call.  (tok_encoding_token_len gives the
     * length of pad_id's string: with a pad_token of its own, take the
     * strlen of tok_encoding_token.) */
    const char *pad_token;
} tok_padding;
#define TOK_PADDING_INIT {TOK_PAD_LONGEST, 0, 0, TOK_SIDE_RIGHT, 0, 0, NULL}

/* Where an encode call takes its truncation or padding from. */
typedef enum tok_setting {
    /* The tokenizer's own: the "truncation" and "padding" sections of its
     * tokenizer.json (none when the file has null there). */
    TOK_FROM_TOKENIZER = 0,
    TOK_SETTING_OFF = 1,        /* none, whatever the tokenizer says */
    TOK_SETTING_ON = 2          /* the struct in the options */
} tok_setting;

typedef struct tok_encode_options {
    int add_special_tokens;          /* apply the post-processor template */
    tok_special_policy special_in_text;
    tok_offset_unit offsets;
    /* Byte-level models encode any bytes and ignore this. */
    tok_invalid_policy invalid_utf8;
    tok_setting truncate;            /* default: as the tokenizer says */
    tok_truncation truncation;       /* with TOK_SETTING_ON */
    tok_setting pad;                 /* default: as the tokenizer says */
    tok_padding padding;             /* with TOK_SETTING_ON */
    /* 1 (the default, as Hugging Face) keeps the windows truncation cut
     * away (tok_encoding_overflow); 0 drops them, which saves the time
     * and memory of making them. */
    int overflowing;
} tok_encode_options;
#define TOK_ENCODE_OPTIONS_INIT                                           \
    {1, TOK_SPECIAL_MATCH, TOK_OFFSETS_BYTES, TOK_INVALID_ERROR,          \
     TOK_FROM_TOKENIZER, TOK_TRUNCATION_INIT, TOK_FROM_TOKENIZER,         \
     TOK_PADDING_INIT, 1}

/* The truncation and padding a tokenizer applies by default, from the
 * "truncation" and "padding" sections of its tokenizer.json.  Each returns
 * 1 and fills *out when the tokenizer has them, 0 when it has none.  The
 * pad_token string is borrowed from the tokenizer. */
TOK_API int tok_tokenizer_truncation(const tok_tokenizer *tk,
                                     tok_truncation *out);
TOK_API int tok_tokenizer_padding(const tok_tokenizer *tk,
                                  tok_padding *out);

/* The result of encoding one text or pair.  Reuse one per thread: its
 * buffers only grow, so steady-state encoding allocates nothing. */
typedef struct tok_encoding tok_encoding;

/* [start, end) into the input, in the unit the options asked for.  For a
 * pair, the tokens of the second text are relative to the second text.
 * Tokens added by the template have (0, 0). */
typedef struct tok_offset {
    uint32_t start;
    uint32_t end;
} tok_offset;

TOK_API tok_encoding *tok_encoding_new(void);
TOK_API void tok_encoding_free(tok_encoding *enc);

/* Encodes `len` bytes of `text` (need not be NUL-terminated; NUL bytes are
 * text).  `opts` may be NULL for the defaults.  On failure the encoding is
 * left empty.  Truncation fails with TOK_EINVAL when it cannot be done:
 * TOK_TRUNCATE_ONLY_SECOND on one text, a text too short to lose the
 * tokens asked of it, a stride too large (see tok_encoding_overflow). */
TOK_API int tok_encode(const tok_tokenizer *tk, const char *text, size_t len,
                       const tok_encode_options *opts, tok_encoding *out,
                       tok_error *err);

/* Encodes a pair of texts (for the pair template, such as
 * "[CLS] $A [SEP] $B:1 [SEP]:1"). */
TOK_API int tok_encode_pair(const tok_tokenizer *tk, const char *a,
                            size_t alen, const char *b, size_t blen,
                            const tok_encode_options *opts,
                            tok_encoding *out, tok_error *err);

/* The number of tokens, and parallel arrays of that length. */
TOK_API size_t tok_encoding_len(const tok_encoding *enc);
TOK_API const int32_t *tok_encoding_ids(const tok_encoding *enc);
TOK_API const uint32_t *tok_encoding_type_ids(const tok_encoding *enc);
TOK_API const tok_offset *tok_encoding_offsets(const tok_encoding *enc);
/* 1 for tokens the template added, 0 for tokens of the text. */
TOK_API const uint8_t *tok_encoding_special_mask(const tok_encoding *enc);
/* 1 for real tokens, 0 for padding. */
TOK_API const uint8_t *tok_encoding_attention_mask(const tok_encoding *enc);
/* Which text a token came from: 0 (first), 1 (second), -1 (template). */
TOK_API const int8_t *tok_encoding_sequence_ids(const tok_encoding *enc);
/* The vocabulary string of token i (borrowed from the tokenizer), NUL-
 * terminated; tok_encoding_token_len gives its length in bytes, for
 * vocabularies whose tokens hold NUL bytes. */
TOK_API const char *tok_encoding_token(const tok_encoding *enc, size_t i);
TOK_API size_t tok_encoding_token_len(const tok_encoding *enc, size_t i);

/* The overflowing windows of the last encode call: after truncation cut
 * tokens away, they come back here as encodings of their own (with the
 * template's special tokens, padded as the main one), in Hugging Face's
 * order: for one text, the windows after the first, each starting
 * max_length - stride tokens (less the special tokens) after the one
 * before; for a pair, every window of the first text with the second's
 * first window and then with each of its other windows, then the first
 * window of the first text with each other window of the second.
 * tok_encoding_overflow returns NULL for i out of range.  The windows are
 * borrowed from `enc` and change with its next encode call.
 *
 * Where tok differs from Hugging Face 0.23.2 on purpose:
 *  - Its windows stop about max_length tokens into each text, where it
 *    stops tokenizing a text that truncation will cut (an optimisation
 *    that loses the rest: huggingface/tokenizers#2091).  tok's windows
 *    cover the whole text, as Encoding::truncate defines them and as 0.22
 *    gave them.  The kept encoding is the same as 0.23.2's, including the
 *    lengths that early stop decides for a pair of long texts.
 *  - A max_length below the number of special tokens the template adds
 *    fails with TOK_EINVAL (Hugging Face's unsigned subtraction wraps and
 *    nothing is truncated), and so does a stride not below the kept
 *    length of a text (Hugging Face panics). */
TOK_API size_t tok_encoding_overflow_count(const tok_encoding *enc);
TOK_API const tok_encoding *tok_encoding_overflow(const tok_encoding *enc,
                                                  size_t i);

/* ------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------ */

typedef struct tok_decode_options {
    int skip_special_tokens;  /* drop special added tokens first */
} tok_decode_options;
#define TOK_DECODE_OPTIONS_INIT {0}

/* Decodes ids back to text with the tokenizer's decoder.  The text is
 * written to a buffer owned by `buf` (a tok_buffer the caller reuses);
 * it is NUL-terminated, but may hold NUL bytes, so use `*len`.  An id out
 * of range fails with TOK_ERANGE, and err->offset is its index. */
typedef struct tok_buffer {
    char *data;
    size_t len;
    size_t cap;
    /* tok_decode's working lists, kept here so that decoding into a reused
     * buffer allocates nothing once warm; freed by tok_buffer_dispose. */
    struct tok_decode_work *work;
} tok_buffer;
#define TOK_BUFFER_INIT {NULL, 0, 0, NULL}
/* Releases the buffer's memory, its working memory included (the struct
 * itself is the caller's). */
TOK_API void tok_buffer_dispose(tok_buffer *buf);

TOK_API int tok_decode(const tok_tokenizer *tk, const int32_t *ids,
                       size_t n, const tok_decode_options *opts,
                       tok_buffer *out, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOK_H */
