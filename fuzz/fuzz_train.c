/* Fuzz target: training on small random corpora.  The first 4 bytes pick
 * the model, the size of the vocabulary and the options; the rest is the
 * corpus.  Checked: training is deterministic (one thread or two, from the
 * files or from saved and reloaded word counts, the same bytes), the
 * vocabulary is no larger than asked, and what comes out saves, loads,
 * encodes its own corpus and decodes it. */
#include <stdint.h>

#include "fuzz_common.h"
#include "tok_train.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* tokenizer.json, or NULL for a vocabulary holding U+0000, which it
 * cannot hold here (a corpus with NUL bytes and a pipeline that keeps
 * them). */
static char *to_json(const tok_tokenizer *tk, size_t *len)
{
    char *json = NULL;
    tok_error err;
    int rc = tok_tokenizer_to_json(tk, &json, len, &err);
    FUZZ_CHECK(rc == TOK_OK || rc == TOK_EUNSUPPORTED);
    if (rc != TOK_OK)
        *len = 0;
    return json;
}

static void check_same(const char *a, size_t alen, const char *b,
                       size_t blen)
{
    FUZZ_CHECK((a == NULL) == (b == NULL));
    FUZZ_CHECK(alen == blen && (alen == 0 || memcmp(a, b, alen) == 0));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const char *const normalizers[] = {
        NULL, "none", "bert", "nfkc,lowercase", "strip-accents", "nfd"};
    static const char *const pretokenizers[] = {
        NULL, "whitespace-split", "bytelevel-prefix", "metaspace",
        "punctuation,digits-individual", "bert"};
    static const char *const specials[] = {"[UNK]", "[CLS]", "[SEP]", "<s>",
                                           "</s>", "[UNK]"};
    if (size < 4)
        return 0;
    tok_train_options o = TOK_TRAIN_OPTIONS_INIT;
    o.model = (tok_train_model)(data[0] % 3);
    o.vocab_size = 1 + (size_t)data[1] * 2;
    o.min_frequency = data[2] & 3;
    o.limit_alphabet = (data[2] >> 2) & 1 ? 1 + (data[2] >> 3) : 0;
    o.max_token_length = (data[3] & 1) ? 1 + (data[3] >> 5) : 0;
    o.end_of_word_suffix = (data[3] & 2) ? "</w>" : NULL;
    o.continuing_subword_prefix = (data[3] & 4) ? "##" : NULL;
    o.initial_alphabet = (data[3] & 8) ? "xyz\xc3\xa9" : NULL;
    o.special_tokens = specials;
    o.nspecial_tokens = (size_t)(data[0] >> 2) % 7;
    o.normalizer = normalizers[(data[0] >> 5) % 6];
    o.pre_tokenizer = pretokenizers[((data[3] >> 4) & 7) % 6];
    o.threads = 1;
    const char *text = (const char *)data + 4;
    size_t len = size - 4;
    const char *path = fuzz_write_tmp(0, text, len);
    const char *files[] = {path};

    tok_tokenizer *tk = NULL;
    tok_error err;
    int rc = tok_train_files(&tk, files, 1, &o, &err);
    if (rc != TOK_OK) {
        FUZZ_CHECK(tk == NULL);
        FUZZ_CHECK(rc == TOK_EINVAL || rc == TOK_EUTF8);
        FUZZ_CHECK(err.code == rc);
        return 0;
    }
    /* WordPiece adds its unk token after training when it is not among
     * the special tokens. */
    FUZZ_CHECK(tok_vocab_size(tk) <= o.vocab_size + 1);
    size_t jlen;
    char *json = to_json(tk, &jlen);

    /* Two threads count the same words. */
    o.threads = 2;
    tok_tokenizer *again = NULL;
    FUZZ_CHECK(tok_train_files(&again, files, 1, &o, &err) == TOK_OK);
    size_t jlen2;
    char *json2 = to_json(again, &jlen2);
    check_same(json, jlen, json2, jlen2);
    tok_tokenizer_free(again);
    free(json2);

    /* Counted words written out and read back train the same vocabulary. */
    tok_word_counts *wc = NULL, *wc2 = NULL;
    FUZZ_CHECK(tok_word_counts_new(&wc) == TOK_OK);
    FUZZ_CHECK(tok_word_counts_add_files(wc, files, 1, &o, &err) == TOK_OK);
    char *counts = NULL;
    size_t clen;
    FUZZ_CHECK(tok_word_counts_to_text(wc, &counts, &clen, &err) == TOK_OK);
    const char *cpath = fuzz_write_tmp(1, counts, clen);
    FUZZ_CHECK(tok_word_counts_new(&wc2) == TOK_OK);
    if (tok_word_counts_load(wc2, cpath, &err) != TOK_OK) {
        fprintf(stderr, "saved word counts do not load: %s\n", err.message);
        abort();
    }
    FUZZ_CHECK(tok_word_counts_size(wc2) == tok_word_counts_size(wc));
    FUZZ_CHECK(tok_word_counts_total(wc2) == tok_word_counts_total(wc));
    FUZZ_CHECK(tok_train(&again, wc2, &o, &err) == TOK_OK);
    json2 = to_json(again, &jlen2);
    check_same(json, jlen, json2, jlen2);
    tok_tokenizer_free(again);
    free(json2);
    free(counts);
    tok_word_counts_free(wc);
    tok_word_counts_free(wc2);
    free(json);

    fuzz_check_tokenizer(tk, text, len < 4096 ? len : 4096);
    tok_tokenizer_free(tk);
    return 0;
}
