/* Fuzz target: tokenizer.json loading, and writing back what loaded. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_from_json(&tk, (const char *)data, size, &err) !=
        TOK_OK) {
        FUZZ_CHECK(err.code < 0);
        FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        return 0;
    }
    /* What loads must serialize, and reload to the same bytes. */
    char *json = NULL;
    size_t len = 0;
    FUZZ_CHECK(tok_tokenizer_to_json(tk, &json, &len, &err) == TOK_OK);
    tok_tokenizer *again = NULL;
    FUZZ_CHECK(tok_tokenizer_from_json(&again, json, len, &err) == TOK_OK);
    char *json2 = NULL;
    size_t len2 = 0;
    FUZZ_CHECK(tok_tokenizer_to_json(again, &json2, &len2, &err) == TOK_OK);
    FUZZ_CHECK(len == len2 && memcmp(json, json2, len) == 0);
    tok_encoding *enc = tok_encoding_new();
    if (enc && tok_encode(tk, "Hello, world!", 13, NULL, enc, &err) == TOK_OK)
        fuzz_check_encoding(tk, enc, 13);
    tok_encoding_free(enc);
    free(json);
    free(json2);
    tok_tokenizer_free(again);
    tok_tokenizer_free(tk);
    return 0;
}
