/* CLI stage: `tok train` -- learn a BPE, byte-level BPE or WordPiece
 * vocabulary from text files and write it as tokenizer.json. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "model.h"
#include "opts.h"
#include "tok.h"
#include "tok_train.h"

/* Progress on stderr, drawn over one line ("\r"), only on a terminal. */
typedef struct progress {
    struct timespec start;
    tok_train_phase phase;
    int drawn;
} progress;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(void *data, const tok_train_progress *p)
{
    progress *pr = data;
    if (!pr->drawn || p->phase != pr->phase) {
        if (pr->drawn)
            fputc('\n', stderr);
        pr->phase = p->phase;
        clock_gettime(CLOCK_MONOTONIC, &pr->start);
    }
    pr->drawn = 1;
    double secs = seconds_since(&pr->start);
    if (p->phase == TOK_TRAIN_COUNTING) {
        double mb = (double)p->done / 1e6;
        fprintf(stderr, "\rcounting: %.1f MB read", mb);
        if (p->total)
            fprintf(stderr, " of %.1f MB", (double)p->total / 1e6);
        if (secs > 0)
            fprintf(stderr, ", %.1f MB/s", mb / secs);
    } else {
        fprintf(stderr, "\rmerging: %" PRIu64 " of at most %" PRIu64
                        " merges", p->done, p->total);
        if (p->done > 0 && p->done < p->total && secs > 0.5) {
            double left = secs * (double)(p->total - p->done) /
                          (double)p->done;
            fprintf(stderr, ", about %.0f s left", left);
        }
    }
    fputs("\033[K", stderr);
    fflush(stderr);
}

/* "a,b,c" -> {"a", "b", "c"} (the strings point into `list`, which is
 * modified). */
static int split_list(char *list, const char ***out, size_t *n)
{
    size_t k = 1;
    for (const char *p = list; *p; p++)
        k += *p == ',';
    const char **v = calloc(k, sizeof *v);
    if (!v)
        return -1;
    *n = 0;
    for (char *p = list;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p)
            v[(*n)++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0'))
                                            / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int cmd_train(int argc, char **argv)
{
    static const char *const models[] = {"bpe", "bytelevel-bpe",
                                         "wordpiece", NULL};
    int model = 0, quiet = 0;
    size_t vocab_size = 30000, limit_alphabet = 0, max_len = 0, threads = 0;
    const char *out = NULL, *special = NULL, *min_freq = NULL;
    const char *initial = NULL, *prefix = NULL, *suffix = NULL;
    const char *normalizer = NULL, *pretok = NULL, *from_counts = NULL;
    const cli_opt opts[] = {
        CLI_CHOICE(0, "model", &model, models,
                   "the model to train (default bpe)"),
        CLI_COUNT(0, "vocab-size", "N", &vocab_size,
                  "the number of tokens wanted, special tokens included "
                  "(default 30000)"),
        CLI_VALUE('o', "output", "FILE", &out,
                  "where to write tokenizer.json (required; - for standard "
                  "output); it is written whole or not at all"),
        CLI_VALUE(0, "min-frequency", "N", &min_freq,
                  "stop merging when the best pair is seen fewer times "
                  "(default 0)"),
        CLI_VALUE(0, "special", "LIST", &special,
                  "comma-separated special tokens, given ids 0, 1, 2, ... "
                  "in order (default for wordpiece: "
                  "[PAD],[UNK],[CLS],[SEP],[MASK]; else none)"),
        CLI_COUNT(0, "limit-alphabet", "N", &limit_alphabet,
                  "keep only the N most frequent characters"),
        CLI_VALUE(0, "initial-alphabet", "CHARS", &initial,
                  "characters to put in the alphabet even when the corpus "
                  "lacks them"),
        CLI_COUNT(0, "max-token-length", "N", &max_len,
                  "make no token of N characters or more by merging"),
        CLI_VALUE(0, "continuing-subword-prefix", "PREFIX", &prefix,
                  "prefix of tokens that continue a word (default ## for "
                  "wordpiece, none for bpe)"),
        CLI_VALUE(0, "end-of-word-suffix", "SUFFIX", &suffix,
                  "suffix of tokens that end a word, such as </w>"),
        CLI_VALUE(0, "normalizer", "NAMES", &normalizer,
                  "none, bert, bert-cased, nfc, nfd, nfkc, nfkd, lowercase, "
                  "strip-accents or strip; a comma-separated list is a "
                  "sequence (default: bert for wordpiece, none otherwise)"),
        CLI_VALUE(0, "pre-tokenizer", "NAMES", &pretok,
                  "none, whitespace, whitespace-split, bert, bytelevel, "
                  "bytelevel-prefix, metaspace, punctuation, digits or "
                  "digits-individual; a list is a sequence (default: "
                  "whitespace for bpe, bytelevel for bytelevel-bpe, bert "
                  "for wordpiece)"),
        CLI_VALUE(0, "from-counts", "FILE", &from_counts,
                  "train from the word counts of tok count (- for standard "
                  "input) instead of text FILEs, with the --model, "
                  "--normalizer and --pre-tokenizer they were counted "
                  "with"),
        CLI_COUNT(0, "threads", "N", &threads,
                  "threads for counting words (default: one per CPU); the "
                  "result does not depend on it"),
        CLI_SWITCH('q', "quiet", &quiet, 1,
                   "show no progress (progress is shown only when stderr "
                   "is a terminal)"),
        CLI_END
    };
    const cli_command_spec spec = {
        "train", "FILE... | --from-counts FILE",
        "Learns a vocabulary from text files (- for standard input) and "
        "writes a complete tokenizer.json: normalizer, pre-tokenizer, "
        "model, special tokens, a [CLS] $A [SEP] template when [CLS] and "
        "[SEP] are special tokens, and decoder.  Each line is normalized "
        "and pre-tokenized, the words are counted, then the most frequent "
        "pair of tokens is merged until the vocabulary is full, as Hugging "
        "Face's BpeTrainer and WordPieceTrainer do: same corpus and "
        "options, same vocabulary and merges.  The output is the same "
        "bytes whatever --threads is, and the same as from the counts of "
        "tok count on the FILEs, whole or in shards (--from-counts).",
        opts
    };
    int n, early;
    if (cli_parse_command(&spec, argc, argv, &n, &early))
        return early;
    if (n == 0 && !from_counts) {
        cli_usage_error(&spec, "no input files (use - for standard input)");
        return CLI_EXIT_USAGE;
    }
    if (n && from_counts) {
        cli_usage_error(&spec, "--from-counts takes no text files");
        return CLI_EXIT_USAGE;
    }
    if (!out) {
        cli_usage_error(&spec, "no output file (use -o FILE)");
        return CLI_EXIT_USAGE;
    }
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = model == 1   ? TOK_TRAIN_BYTELEVEL_BPE
              : model == 2 ? TOK_TRAIN_WORDPIECE
                           : TOK_TRAIN_BPE;
    o.vocab_size = vocab_size;
    if (min_freq && parse_u64(min_freq, &o.min_frequency) != 0) {
        cli_usage_error(&spec, "--min-frequency: '%s' is not a whole number",
                        min_freq);
        return CLI_EXIT_USAGE;
    }
    o.limit_alphabet = limit_alphabet;
    o.initial_alphabet = initial;
    o.max_token_length = max_len;
    o.continuing_subword_prefix = prefix;
    o.end_of_word_suffix = suffix;
    o.normalizer = normalizer;
    o.pre_tokenizer = pretok;
    o.threads = (unsigned)(threads > 256 ? 256 : threads);

    char *special_copy = NULL;
    const char **special_list = NULL;
    if (!special && o.model == TOK_TRAIN_WORDPIECE)
        special = "[PAD],[UNK],[CLS],[SEP],[MASK]";
    if (special) {
        special_copy = strdup(special);
        if (!special_copy ||
            split_list(special_copy, &special_list,
                       &o.nspecial_tokens) != 0) {
            free(special_copy);
            cli_error("out of memory");
            return CLI_EXIT_DATA;
        }
        o.special_tokens = special_list;
    }
    progress pr;
    memset(&pr, 0, sizeof pr);
    if (!quiet && isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_data = &pr;
    }

    tok_tokenizer *tk = NULL;
    tok_error err;
    int rc;
    if (from_counts) {
        tok_word_counts *wc = NULL;
        rc = tok_word_counts_new(&wc);
        if (rc == TOK_OK)
            rc = tok_word_counts_load(wc, from_counts, &err);
        else
            snprintf(err.message, sizeof err.message, "out of memory");
        if (rc == TOK_OK)
            rc = tok_train(&tk, wc, &o, &err);
        tok_word_counts_free(wc);
    } else {
        rc = tok_train_files(&tk, (const char *const *)argv + 1, (size_t)n,
                             &o, &err);
    }
    if (pr.drawn)
        fputc('\n', stderr);
    if (rc == TOK_OK)
        rc = cli_model_save(tk, out, &err);
    int status = CLI_EXIT_OK;
    if (rc != TOK_OK) {
        cli_error("%s", err.message);
        status = CLI_EXIT_DATA;
    }
    tok_tokenizer_free(tk);
    free(special_list);
    free(special_copy);
    return cli_finish(status);
}
