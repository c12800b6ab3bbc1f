/* Shared by the fuzz targets: loading shipped models once, and the checks
 * every encoding must pass whatever the input. */
#ifndef TOK_FUZZ_COMMON_H
#define TOK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The importers read files: the input goes to a file of this process
 * (one per slot, made once, in /dev/shm when there is one), rewritten for
 * each run and removed at exit. */
static char fuzz_tmp_paths[2][64];

static inline void fuzz_remove_tmp(void)
{
    for (int i = 0; i < 2; i++)
        if (fuzz_tmp_paths[i][0])
            unlink(fuzz_tmp_paths[i]);
}

static inline const char *fuzz_write_tmp(int slot, const void *data,
                                         size_t len)
{
    char *path = fuzz_tmp_paths[slot];
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof fuzz_tmp_paths[0], "%s/tok-fuzz-%ld-%d", dir,
                 (long)getpid(), slot);
        if (!fuzz_tmp_paths[slot ^ 1][0])
            atexit(fuzz_remove_tmp);
    }
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(len == 0 || fwrite(data, 1, len, f) == len);
    FUZZ_CHECK(fclose(f) == 0);
    return path;
}

/* What a tokenizer writes loads back and writes the same bytes.  A token
 * holding U+0000 (trained from such a corpus) is the one thing
 * tokenizer.json cannot hold here: it is refused, not written; returns 0
 * then. */
static inline int fuzz_check_json_round_trip(const tok_tokenizer *tk)
{
    tok_error err;
    char *json = NULL, *json2 = NULL;
    size_t jlen = 0, jlen2 = 0;
    int rc = tok_tokenizer_to_json(tk, &json, &jlen, &err);
    FUZZ_CHECK(rc == TOK_OK || rc == TOK_EUNSUPPORTED);
    if (rc != TOK_OK)
        return 0;
    tok_tokenizer *again = NULL;
    if (tok_tokenizer_from_json(&again, json, jlen, &err) != TOK_OK) {
        fprintf(stderr, "written tokenizer.json does not load: %s\n",
                err.message);
        abort();
    }
    FUZZ_CHECK(tok_tokenizer_to_json(again, &json2, &jlen2, &err) ==
               TOK_OK);
    FUZZ_CHECK(jlen == jlen2 && memcmp(json, json2, jlen) == 0);
    free(json);
    free(json2);
    tok_tokenizer_free(again);
    return 1;
}

/* What loads must write tokenizer.json that loads back to the same
 * bytes, encode any text within the invariants and decode what it
 * encoded.  `text` is arbitrary bytes. */
static inline void fuzz_check_tokenizer(const tok_tokenizer *tk,
                                        const char *text, size_t len)
{
    /* Without NUL in any token, every token string finds its id. */
    int no_nul = fuzz_check_json_round_trip(tk);
    tok_error err;
    size_t n = tok_vocab_size(tk);
    for (size_t id = 0; no_nul && id < n && id < 4096; id++) {
        const char *t = tok_id_to_token(tk, (int32_t)id);
        if (t)
            FUZZ_CHECK(tok_token_to_id(tk, t, strlen(t)) >= 0);
    }
    FUZZ_CHECK(tok_id_to_token(tk, (int32_t)n) == NULL);
    FUZZ_CHECK(tok_id_to_token(tk, -1) == NULL);

    tok_encoding *enc = tok_encoding_new();
    FUZZ_CHECK(enc != NULL);
    tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
    o.invalid_utf8 = TOK_INVALID_REPLACE;
    int rc = tok_encode(tk, text, len, &o, enc, &err);
    if (rc == TOK_OK) {
        fuzz_check_encoding(tk, enc, len);
        tok_buffer out = TOK_BUFFER_INIT;
        FUZZ_CHECK(tok_decode(tk, tok_encoding_ids(enc),
                              tok_encoding_len(enc), NULL, &out,
                              &err) == TOK_OK);
        tok_buffer_dispose(&out);
    } else {
        /* A WordPiece without its unk token in the vocabulary fails at
         * encode time, as in Hugging Face; nothing else may. */
        FUZZ_CHECK(rc == TOK_EFORMAT);
    }
    tok_encoding_free(enc);
}

#endif
