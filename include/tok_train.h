/*
 * tok_train.h -- training tokenizers with libtok: BPE (character-level),
 * byte-level BPE and WordPiece, giving the vocabularies and merges that
 * Hugging Face tokenizers' BpeTrainer and WordPieceTrainer (0.23.2) give
 * on the same corpus with the same options.
 *
 * Ownership, in one sentence: the tok_tokenizer and tok_word_counts you
 * get from these calls are yours and are released with tok_tokenizer_free
 * and tok_word_counts_free; the strings and arrays in tok_train_options
 * stay yours and are only read during the call.
 *
 * The simple call:
 *
 *     const char *files[] = {"corpus.txt"};
 *     const char *special[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]",
 *                              "[MASK]"};
 *     tok_train_options opts = TOK_TRAIN_OPTIONS_INIT;
 *     opts.model = TOK_TRAIN_WORDPIECE;
 *     opts.vocab_size = 30000;
 *     opts.special_tokens = special;
 *     opts.nspecial_tokens = 5;
 *     tok_tokenizer *tk;
 *     tok_error err;
 *     if (tok_train_files(&tk, files, 1, &opts, &err) != TOK_OK)
 *         fprintf(stderr, "%s\n", err.message);
 *     else
 *         tok_tokenizer_save(tk, "my-bert.json", &err);
 *
 * Training runs in two phases, and both can be called separately:
 *
 *  1. Counting.  Each file is read as a stream of lines, each line with
 *     its line ending ("\n" or "\r\n") as Hugging Face reads it; the line
 *     is normalized and pre-tokenized by the pipeline of the options and
 *     every pre-token ("word") is counted in a tok_word_counts table.
 *     Memory grows with the number of distinct words, not with the size of
 *     the corpus.  With several threads, blocks of lines are counted in
 *     parallel, each thread in its own table, and the tables are added up.
 *
 *  2. Merging.  The alphabet (every character of the words, or only the
 *     `limit_alphabet` most frequent ones, plus `initial_alphabet`) gets
 *     the ids after the special tokens, sorted by code point; then the most
 *     frequent pair of adjacent tokens is merged into a new token, again
 *     and again, until the vocabulary has `vocab_size` tokens or no pair is
 *     seen at least `min_frequency` times (and at least once).  Pairs seen
 *     equally often are taken in the order of (left id, right id), smallest
 *     first -- the rule of Hugging Face's trainer, which this one follows
 *     step by step, including how it updates pair counts after each merge.
 *
 * Where this differs from Hugging Face, on purpose:
 *
 *  - Order that Hugging Face takes from a hash map.  When a continuing
 *    subword prefix (WordPiece's "##") or an end-of-word suffix is used,
 *    the alphabet also gets prefixed/suffixed forms ("##a", "a</w>").
 *    Hugging Face numbers them in the iteration order of a randomly seeded
 *    hash map, so two runs of its trainer on the same corpus number them
 *    differently -- and because ties between pairs are broken by id, the
 *    merges after them differ too: four of its WordPiece runs on the 2 MB
 *    reference corpus each differ from the others in 30 to 135 of the
 *    30000 tokens, and in the ids of 15000 or more.  tok gives these
 *    forms their ids in the byte order of their UTF-8 strings ("##0" <
 *    "##a" < "##é"), right after the alphabet; given the order one
 *    Hugging Face run used, tok reproduces that run's vocabulary exactly.  Likewise, when
 *    `limit_alphabet` drops characters seen equally often, Hugging Face's
 *    choice depends on hash order; tok drops the larger code points first.
 *  - Counts are 64-bit (Hugging Face's pair counts are 32-bit).
 *  - A `vocab_size` smaller than the starting vocabulary (special tokens,
 *    alphabet and its prefixed/suffixed forms) is an error here, where
 *    Hugging Face silently returns the larger starting vocabulary.
 *  - WordPiece needs its unknown token in the vocabulary.  When
 *    `unk_token` (default "[UNK]") is not among the special tokens, it is
 *    added after training with the next id, as a special token.
 *
 * Determinism: the same corpus and options give the same tokenizer, byte
 * for byte once saved, whatever the number of threads and on any machine;
 * nothing depends on hash-table layout or thread scheduling.
 *
 * Threads: a call uses up to `threads` threads of its own; any number of
 * calls may run at the same time on different objects.
 */
#ifndef TOK_TRAIN_H
#define TOK_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "tok.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tok_train_model {
    /* BPE over characters.  Default pipeline: no normalizer, the
     * Whitespace pre-tokenizer (\w+|[^\w\s]+), the BPEDecoder. */
    TOK_TRAIN_BPE = 0,
    /* BPE over GPT-2's byte alphabet.  Default pipeline: no normalizer,
     * the ByteLevel pre-tokenizer (GPT-2 regex, no prefix space), the
     * ByteLevel decoder. */
    TOK_TRAIN_BYTELEVEL_BPE = 1,
    /* WordPiece, trained as BPE with the continuing subword prefix "##".
     * Default pipeline: BertNormalizer (lowercase), BertPreTokenizer, the
     * WordPiece decoder. */
    TOK_TRAIN_WORDPIECE = 2
} tok_train_model;

typedef enum tok_train_phase {
    TOK_TRAIN_COUNTING = 0,   /* done/total: bytes read / bytes to read */
    TOK_TRAIN_MERGING = 1     /* done/total: merges done / at most */
} tok_train_phase;

/* Progress reports, a few per second at most while the work goes on and
 * one when a phase ends (done == total).  `total` is 0 when not known
 * (standard input).  Called from the thread that called the library. */
typedef struct tok_train_progress {
    tok_train_phase phase;
    uint64_t done;
    uint64_t total;
} tok_train_progress;
typedef void (*tok_train_progress_fn)(void *data,
                                      const tok_train_progress *p);

typedef struct tok_train_options {
    tok_train_model model;
    /* The number of tokens wanted, special tokens included.  Default
     * 30000. */
    size_t vocab_size;
    /* Merging stops when the best pair is seen fewer times.  Default 0
     * (pairs seen once are still merged). */
    uint64_t min_frequency;
    /* Special tokens get ids 0, 1, 2, ... in this order (a duplicate keeps
     * its first id).  They are added tokens of the result, never split. */
    const char *const *special_tokens;
    size_t nspecial_tokens;
    /* Keep at most this many characters in the alphabet, the most
     * frequent; characters left out are dropped from the words.  0: no
     * limit. */
    size_t limit_alphabet;
    /* UTF-8 text whose characters are in the alphabet even when the corpus
     * lacks them (counted as the most frequent).  NULL: none. */
    const char *initial_alphabet;
    /* No merge makes a token of this many characters or more -- Hugging
     * Face's rule, which compares with "<", and which does not limit the
     * first merges of two single characters.  0: no limit. */
    size_t max_token_length;
    /* Prefix of tokens that continue a word.  NULL: "##" for WordPiece,
     * none for BPE. */
    const char *continuing_subword_prefix;
    /* Suffix of tokens that end a word (e.g. "</w>").  NULL: none. */
    const char *end_of_word_suffix;
    /* The model's unknown token.  NULL: "[UNK]" for WordPiece, none for
     * BPE (a BPE unk_token must be one of the special tokens). */
    const char *unk_token;
    /* The pipeline, by name: a normalizer is one of "none", "bert"
     * (BertNormalizer, lowercase), "bert-cased", "nfc", "nfd", "nfkc",
     * "nfkd", "lowercase", "strip-accents", "strip"; a pre-tokenizer one of
     * "none", "whitespace", "whitespace-split", "bert", "bytelevel"
     * (no prefix space), "bytelevel-prefix" (with it), "metaspace",
     * "punctuation", "digits", "digits-individual".  A comma-separated
     * list makes a Sequence ("nfkc,lowercase").  NULL: the model's
     * default (see tok_train_model). */
    const char *normalizer;
    const char *pre_tokenizer;
    /* Threads for counting.  0: one per online CPU. */
    unsigned threads;
    tok_train_progress_fn progress;   /* NULL: no reports */
    void *progress_data;
} tok_train_options;
#define TOK_TRAIN_OPTIONS_INIT \
    {TOK_TRAIN_BPE, 30000, 0, NULL, 0, 0, NULL, 0, NULL, NULL, NULL, \
     NULL, NULL, 0, NULL, NULL}

/* Trains a tokenizer on text files ("-" is standard input): counting then
 * merging.  The result is complete -- normalizer, pre-tokenizer, model,
 * the special tokens as added tokens, a TemplateProcessing post-processor
 * when the special tokens include "[CLS]" and "[SEP]" ("[CLS] $A [SEP]")
 * or "<s>" and "</s>" ("<s> $A </s>"), and the decoder -- ready for
 * tok_tokenizer_save.
 * Errors: TOK_EIO (a file cannot be read), TOK_EUTF8 (err->line and
 * err->offset locate the first bad byte: line in its file, byte offset in
 * its file), TOK_EINVAL (bad options, an empty corpus, a vocab_size below
 * the starting vocabulary). */
TOK_API int tok_train_files(tok_tokenizer **out, const char *const *files,
                            size_t nfiles, const tok_train_options *opts,
                            tok_error *err);

/* ------------------------------------------------------------------------
 * Word counts: the result of the counting phase, which can be saved,
 * loaded, built by hand, and trained from.
 * ------------------------------------------------------------------------ */

typedef struct tok_word_counts tok_word_counts;

TOK_API int tok_word_counts_new(tok_word_counts **out);
TOK_API void tok_word_counts_free(tok_word_counts *wc);

/* Counts the words of text files into wc, with the pipeline, threads and
 * progress callback of opts (the model, for its default pipeline).
 * Errors as tok_train_files. */
TOK_API int tok_word_counts_add_files(tok_word_counts *wc,
                                      const char *const *files,
                                      size_t nfiles,
                                      const tok_train_options *opts,
                                      tok_error *err);

/* Adds `count` to one word (valid UTF-8, not empty). */
TOK_API int tok_word_counts_add(tok_word_counts *wc, const char *word,
                                size_t len, uint64_t count, tok_error *err);

/* The number of distinct words, and the sum of their counts. */
TOK_API size_t tok_word_counts_size(const tok_word_counts *wc);
TOK_API uint64_t tok_word_counts_total(const tok_word_counts *wc);

/* The text form: one "word<TAB>count" line per word, the most frequent
 * first, equal counts in byte order of the words.  In a word, a backslash
 * is written "\\", a tab "\t", a newline "\n" and a carriage return "\r".
 * tok_word_counts_load reads it back (adding to what wc holds; blank lines
 * are skipped) and fails with TOK_EFORMAT or TOK_EUTF8 at a bad line
 * (err->line).  _to_text returns a buffer to release with free(). */
TOK_API int tok_word_counts_to_text(const tok_word_counts *wc, char **text,
                                    size_t *len, tok_error *err);
TOK_API int tok_word_counts_save(const tok_word_counts *wc, const char *path,
                                 tok_error *err);
TOK_API int tok_word_counts_load(tok_word_counts *wc, const char *path,
                                 tok_error *err);

/* Trains from counted words (the merging phase of tok_train_files; the
 * pipeline options only decide what the result's pipeline is). */
TOK_API int tok_train(tok_tokenizer **out, const tok_word_counts *wc,
                      const tok_train_options *opts, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOK_TRAIN_H */
