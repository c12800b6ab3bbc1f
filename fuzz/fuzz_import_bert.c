/* Fuzz target: importing a BERT vocab.txt.  The first byte picks the
 * options; the rest is the file. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned char sel = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    tok_bert_options o = TOK_BERT_OPTIONS_INIT;
    o.lowercase = sel & 1;
    /* Odd names for the special tokens too: one letter, empty. */
    if (sel & 2)
        o.unk_token = "a";
    if (sel & 4)
        o.cls_token = "";
    o.max_input_chars_per_word = (sel & 8) ? 3 : 100;
    const char *path = fuzz_write_tmp(0, text, len);
    tok_tokenizer *tk = NULL;
    tok_error err;
    int rc = tok_tokenizer_from_bert_vocab(&tk, path, &o, &err);
    if (rc != TOK_OK) {
        FUZZ_CHECK(tk == NULL);
        FUZZ_CHECK(rc == TOK_EFORMAT || rc == TOK_EINVAL ||
                   rc == TOK_EUNSUPPORTED);
        FUZZ_CHECK(err.code == rc);
        FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        return 0;
    }
    /* Ids are line numbers: every line that is a token has one. */
    FUZZ_CHECK(tok_vocab_size(tk) >= 1);
    fuzz_check_tokenizer(tk, text, len < 4096 ? len : 4096);
    tok_tokenizer_free(tk);
    return 0;
}
