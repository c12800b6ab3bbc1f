/* Shared by the fuzz targets: loading shipped models once, and the checks
 * every encoding must pass whatever the input. */
#ifndef TOK_FUZZ_COMMON_H
#define TOK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok.h"

#define FUZZ_CHECK(cond)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,    \
                    __LINE__, #cond);                                     \
            abort();                                                      \
        }                                                                 \
    } while (0)

static inline tok_tokenizer *fuzz_load_model(const char *name)
{
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/tokenizer.json",
             dir ? dir : TOK_FUZZ_VOCAB_DIR, name);
    tok_tokenizer *tk = NULL;
    tok_error err;
    if (tok_tokenizer_load(&tk, path, &err) != TOK_OK) {
        fprintf(stderr, "fuzz: cannot load %s: %s\n", path, err.message);
        abort();
    }
    return tk;
}

/* Ids in range, offsets inside the input and non-decreasing in start. */
static inline void fuzz_check_encoding(const tok_tokenizer *tk,
                                       const tok_encoding *enc, size_t len)
{
    size_t n = tok_encoding_len(enc);
    const int32_t *ids = tok_encoding_ids(enc);
    const tok_offset *off = tok_encoding_offsets(enc);
    const uint8_t *special = tok_encoding_special_mask(enc);
    uint32_t last = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < tok_vocab_size(tk));
        FUZZ_CHECK(tok_encoding_token(enc, i) != NULL);
        if (special[i])
            continue;
        FUZZ_CHECK(off[i].start <= off[i].end);
        FUZZ_CHECK(off[i].end <= len);
        FUZZ_CHECK(off[i].start >= last);
        last = off[i].start;
    }
}

#endif
