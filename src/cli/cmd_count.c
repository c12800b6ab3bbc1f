/* CLI stage: `tok count` -- the counting phase of training on its own:
 * the pre-token counts of a corpus shard as sorted word<TAB>count lines,
 * and --merge, which adds such files up, for map-reduce training. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io.h"
#include "opts.h"
#include "tok.h"
#include "tok_train.h"

/* Writes the counts to `path`, or to standard output for NULL or "-". */
static int write_counts(const tok_word_counts *wc, const char *path,
                        tok_error *err)
{
    if (path && strcmp(path, "-") != 0)
        return tok_word_counts_save(wc, path, err);
    char *text;
    size_t len;
    int rc = tok_word_counts_to_text(wc, &text, &len, err);
    if (rc)
        return rc;
    rc = cli_buf_add(&cli_stdout.buf, text, len);
    free(text);
    if (rc) {
        err->code = TOK_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return TOK_ENOMEM;
    }
    return TOK_OK;
}

int cmd_count(int argc, char **argv)
{
    static const char *const models[] = {"bpe", "bytelevel-bpe",
                                         "wordpiece", NULL};
    int model = -1, merge = 0;
    size_t threads = 0;
    const char *out = NULL, *normalizer = NULL, *pretok = NULL;
    const cli_opt opts[] = {
        CLI_CHOICE(0, "model", &model, models,
                   "the model to be trained, whose default normalizer and "
                   "pre-tokenizer are used (default bpe)"),
        CLI_VALUE(0, "normalizer", "NAMES", &normalizer,
                  "as for tok train: none, bert, bert-cased, nfc, nfd, "
                  "nfkc, nfkd, lowercase, strip-accents or strip; a "
                  "comma-separated list is a sequence"),
        CLI_VALUE(0, "pre-tokenizer", "NAMES", &pretok,
                  "as for tok train: none, whitespace, whitespace-split, "
                  "bert, bytelevel, bytelevel-prefix, metaspace, "
                  "punctuation, digits or digits-individual; a list is a "
                  "sequence"),
        CLI_SWITCH(0, "merge", &merge, 1,
                   "the FILEs are counts (of tok count, or summed by any "
                   "other tool, in any order): add them up"),
        CLI_VALUE('o', "output", "FILE", &out,
                  "write the counts to FILE, whole or not at all (default: "
                  "standard output)"),
        CLI_COUNT(0, "threads", "N", &threads,
                  "threads for counting (default: one per CPU); the result "
                  "does not depend on it"),
        CLI_END
    };
    const cli_command_spec spec = {
        "count", "[FILE...]",
        "Counts the words of text FILEs (standard input when there are "
        "none, or for '-') the way tok train does before it merges: each "
        "line, with its line ending, is normalized and pre-tokenized by the "
        "pipeline of --model, --normalizer and --pre-tokenizer.  Writes one "
        "word<TAB>count line per word, the most frequent first, equal "
        "counts in byte order; a backslash in a word is written \\\\, a "
        "TAB \\t, a newline \\n and a carriage return \\r.  Counts of "
        "shards add up (--merge) to the counts of the whole corpus, and "
        "tok train --from-counts trains from them the same tokenizer as "
        "from the corpus, given the same pipeline options.",
        opts
    };
    int n, early;
    if (cli_parse_command(&spec, argc, argv, &n, &early))
        return early;
    if (merge && (model >= 0 || normalizer || pretok)) {
        cli_usage_error(&spec, "--merge adds up counts: it takes no "
                        "--model, --normalizer or --pre-tokenizer");
        return CLI_EXIT_USAGE;
    }
    static char dash[] = "-";
    char *stdin_only[] = {dash};
    char **inputs = n ? argv + 1 : stdin_only;
    size_t ninputs = n ? (size_t)n : 1;

    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = model == 1   ? TOK_TRAIN_BYTELEVEL_BPE
              : model == 2 ? TOK_TRAIN_WORDPIECE
                           : TOK_TRAIN_BPE;
    o.normalizer = normalizer;
    o.pre_tokenizer = pretok;
    o.threads = (unsigned)(threads > 256 ? 256 : threads);

    tok_word_counts *wc = NULL;
    tok_error err;
    int rc = tok_word_counts_new(&wc);
    if (rc != TOK_OK) {
        err.code = rc;
        snprintf(err.message, sizeof err.message, "out of memory");
    } else if (merge) {
        for (size_t i = 0; i < ninputs && rc == TOK_OK; i++)
            rc = tok_word_counts_load(wc, inputs[i], &err);
    } else {
        rc = tok_word_counts_add_files(wc, (const char *const *)inputs,
                                       ninputs, &o, &err);
    }
    if (rc == TOK_OK)
        rc = write_counts(wc, out, &err);
    int status = CLI_EXIT_OK;
    if (rc != TOK_OK) {
        cli_error("%s", err.message);
        status = CLI_EXIT_DATA;
    }
    tok_word_counts_free(wc);
    return cli_finish(status);
}
