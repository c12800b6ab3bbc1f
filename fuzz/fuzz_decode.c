/* Fuzz target: decoding arbitrary id sequences. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* cl100k_base skips ids (100256, 100261..100275): decoding one of those
 * fails like an id past the end. */
static const char *const models[] = {"bert-base-uncased", "gpt2",
                                     "cl100k_base"};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static tok_tokenizer *tk[3];
    static tok_buffer out = TOK_BUFFER_INIT;
    static int32_t ids[4096];
    if (!tk[0])
        for (size_t i = 0; i < 3; i++)
            tk[i] = fuzz_load_model(models[i]);
    if (size < 1)
        return 0;
    const tok_tokenizer *t = tk[(data[0] & 1) + ((data[0] & 4) ? 1 : 0)];
    /* Bit 3: ids near the end of the vocabulary, where the special
     * tokens and cl100k_base's gaps are. */
    size_t span = tok_vocab_size(t) + 10;
    size_t base = (data[0] & 8) && span > 64 ? span - 64 : 0;
    size_t n = 0;
    for (size_t i = 1; i + 2 < size && n < 4096; i += 3)
        ids[n++] = (int32_t)(base + ((uint32_t)data[i] << 16 |
                                     (uint32_t)data[i + 1] << 8 |
                                     data[i + 2]) % (span - base));
    tok_decode_options o = TOK_DECODE_OPTIONS_INIT;
    o.skip_special_tokens = data[0] & 2;
    tok_error err;
    int rc = tok_decode(t, ids, n, &o, &out, &err);
    /* The shipped models' templates use ids their vocabularies hold, so
     * an id without a token is one past the end or in a gap. */
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++)
        if (tok_id_to_token(t, ids[i]) == NULL)
            bad = i;
    FUZZ_CHECK(bad < n ? rc == TOK_ERANGE && err.offset == bad
                       : rc == TOK_OK);
    return 0;
}
