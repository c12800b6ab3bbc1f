/* model: the stage that turns one pre-tokenized word into tokens
 * (WordPiece, BPE), chosen once through a function table. */
#ifndef TOK_MODEL_H
#define TOK_MODEL_H

#include "vocab.h"

/* One token of a word: [start, end) are byte offsets in the text the
 * model was given (the caller adds the word's position). */
typedef struct tok_piece {
    int32_t id;
    uint32_t start;
    uint32_t end;
} tok_piece;

typedef struct tok_pieces {
    tok_piece *v;
    size_t len;
    size_t cap;
} tok_pieces;

int tok_pieces_push(tok_pieces *p, int32_t id, uint32_t start, uint32_t end);

typedef enum tok_model_type {
    TOK_MODEL_WORDPIECE,
    TOK_MODEL_BPE
} tok_model_type;

typedef struct tok_model tok_model;

/* What a model type must provide. */
typedef struct tok_model_ops {
    const char *name;
    /* Appends the tokens of word[0..len) to out, with offsets relative to
     * the word.  `scratch` is this thread's (from scratch_new, may be NULL
     * when the type needs none). */
    int (*tokenize)(const tok_model *m, void *scratch, const char *word,
                    size_t len, tok_pieces *out);
    /* For a model whose text is in GPT-2's byte-level alphabet: the same
     * pieces as tokenize on the alphabet's spelling of raw[0..len), with
     * offsets in bytes of raw (each byte is one character there).  NULL,
     * or TOK_EUNSUPPORTED when this model cannot (the caller then spells
     * the word out and calls tokenize). */
    int (*tokenize_bytes)(const tok_model *m, void *scratch,
                          const char *raw, size_t len, tok_pieces *out);
    void *(*scratch_new)(const tok_model *m);
    void (*scratch_free)(void *scratch);
    /* Builds the lookup structures (impl) from the parameters. */
    int (*build)(tok_model *m, tok_error *err);
    /* Frees what build() made (the impl field). */
    void (*free_impl)(tok_model *m);
} tok_model_ops;

/* A BPE merge: the pair of ids (left, right) gives `result`; rank is the
 * index in the merges array. */
typedef struct tok_merge {
    int32_t left;
    int32_t right;
    int32_t result;
} tok_merge;

/* The model's parameters, as tokenizer.json has them, plus the fast
 * structures the model type builds from them (impl).  The writer reads
 * the parameters back. */
struct tok_model {
    tok_model_type type;
    const tok_model_ops *ops;
    tok_vocab vocab;
    char *unk_token;                 /* NULL: none */
    int32_t unk_id;                  /* -1 when none or not in vocab */
    char *continuing_subword_prefix; /* WordPiece "##"; BPE "" or NULL */
    /* WordPiece */
    size_t max_input_chars_per_word;
    /* BPE */
    char *end_of_word_suffix;        /* NULL or "" when none */
    tok_merge *merges;               /* in rank order */
    size_t nmerges;
    bool fuse_unk;
    bool byte_fallback;
    bool ignore_merges;
    bool merges_as_strings;          /* file spelled merges "a b" */
    void *impl;
};

/* Allocates a model of the type with an empty vocabulary; fill vocab (and
 * merges), set the options, then call tok_model_build. */
tok_model *tok_model_new(tok_model_type type);
/* Checks the parameters and builds the lookup structures. */
int tok_model_build(tok_model *m, tok_error *err);
void tok_model_free(tok_model *m);

extern const tok_model_ops tok_wordpiece_ops;

/* BPE (bpe.c) splits a word as Hugging Face's BPE model does, given the
 * merges in rank order (a pair listed twice keeps its later rank).
 * - Offsets are those Hugging Face gives: each piece covers the bytes of
 *   its characters, counted from the word's start, and characters dropped
 *   (unknown, no unk_token) count for nothing, so later offsets shift.
 *   One difference: with byte_fallback, the "<0xXX>" pieces spelling a
 *   prefix or suffix cover no bytes (Hugging Face counts one each, past
 *   the word's end).
 * - tokenize fails with TOK_EFORMAT when unk_token is set but not in the
 *   vocabulary and a character needs it (Hugging Face fails there too),
 *   TOK_EINVAL for a word of 2^31 characters or more, TOK_ENOMEM.
 * - build fails with TOK_EFORMAT for a merge id outside the vocabulary and
 *   TOK_EUNSUPPORTED when ids and ranks do not fit 64 bits together
 *   (more than 2^24 ids).
 * - The options and merges are read at build: change them, then build
 *   again.  A scratch follows its model through a rebuild.
 * - tokenize_bytes works when every byte's character is a token of its
 *   own and the model has no affixes and no ignore_merges (GPT-2).
 * - The scratch holds the merge buffers; NULL works (one-off buffers).
 *   Every word takes O(n log n) time.  Results are not cached here: the
 *   pipeline keeps one word cache for every model type (encode.c). */
extern const tok_model_ops tok_bpe_ops;

/* BPE test hook: after build, merge every word with the priority queue
 * (never the scan kept for short words), so tests can check that both
 * give the same pieces. */
void tok_bpe_debug_queue_only(tok_model *m, bool on);

#endif
