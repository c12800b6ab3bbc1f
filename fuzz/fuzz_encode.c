/* Fuzz target: encoding arbitrary bytes with each shipped model.  The first
 * byte picks the model and the options; the rest is the text. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *const models[] = {"bert-base-uncased", "bert-base-cased",
                                     "gpt2"};
#define NMODELS (sizeof models / sizeof *models)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static tok_tokenizer *tk[NMODELS];
    static tok_encoding *enc;
    static tok_buffer out = TOK_BUFFER_INIT;
    if (!enc) {
        for (size_t i = 0; i < NMODELS; i++)
            tk[i] = fuzz_load_model(models[i]);
        enc = tok_encoding_new();
    }
    if (size < 1)
        return 0;
    unsigned char sel = data[0];
    const tok_tokenizer *t = tk[sel % NMODELS];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.special_in_text = (tok_special_policy)((sel >> 2) % 3);
    o.invalid_utf8 = (sel & 0x20) ? TOK_INVALID_REPLACE : TOK_INVALID_ERROR;
    o.add_special_tokens = !(sel & 0x40);
    tok_error err;
    int rc = tok_encode(t, text, len, &o, enc, &err);
    if (rc != TOK_OK) {
        FUZZ_CHECK(rc == TOK_EUTF8 || rc == TOK_ESPECIAL);
        return 0;
    }
    fuzz_check_encoding(t, enc, len);
    tok_decode_options d = TOK_DECODE_OPTIONS_INIT;
    FUZZ_CHECK(tok_decode(t, tok_encoding_ids(enc), tok_encoding_len(enc),
                          &d, &out, &err) == TOK_OK);
    /* Byte-level BPE must give back every byte, valid UTF-8 or not. */
    if (sel % NMODELS == 2 && o.special_in_text != TOK_SPECIAL_REJECT) {
        FUZZ_CHECK(out.len == len);
        FUZZ_CHECK(len == 0 || memcmp(out.data, text, len) == 0);
    }
    return 0;
}
