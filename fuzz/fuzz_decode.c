/* Fuzz target: decoding arbitrary id sequences. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *const models[] = {"bert-base-uncased", "gpt2"};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static tok_tokenizer *tk[2];
    static tok_buffer out = TOK_BUFFER_INIT;
    static int32_t ids[4096];
    if (!tk[0])
        for (size_t i = 0; i < 2; i++)
            tk[i] = fuzz_load_model(models[i]);
    if (size < 1)
        return 0;
    const tok_tokenizer *t = tk[data[0] & 1];
    size_t n = 0;
    for (size_t i = 1; i + 2 < size && n < 4096; i += 3)
        ids[n++] = (int32_t)(((uint32_t)data[i] << 16 |
                              (uint32_t)data[i + 1] << 8 | data[i + 2]) %
                             (tok_vocab_size(t) + 10));
    tok_decode_options o = TOK_DECODE_OPTIONS_INIT;
    o.skip_special_tokens = data[0] & 2;
    tok_error err;
    int rc = tok_decode(t, ids, n, &o, &out, &err);
    int out_of_range = 0;
    for (size_t i = 0; i < n; i++)
        out_of_range |= (size_t)ids[i] >= tok_vocab_size(t);
    FUZZ_CHECK(out_of_range ? rc == TOK_ERANGE : rc == TOK_OK);
    return 0;
}
