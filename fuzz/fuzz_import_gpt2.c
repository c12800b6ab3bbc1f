/* Fuzz target: importing GPT-2 vocab.json + merges.txt.  The first NUL
 * byte splits the input into the two files (merges.txt is empty when
 * there is none). */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* GPT-2's byte alphabet: the character that stands for byte b, as UTF-8
 * (printable Latin-1 for itself, the others from U+0100 on). */
static size_t byte_char(unsigned b, char out[3])
{
    static unsigned map[256];
    if (!map['A']) {
        unsigned next = 256;
        for (unsigned i = 0; i < 256; i++) {
            int keep = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) ||
                       i >= 0xAE;
            map[i] = keep ? i : next++;
        }
    }
    unsigned cp = map[b];
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const unsigned char *nul = memchr(data, '\0', size);
    size_t vlen = nul ? (size_t)(nul - data) : size;
    const char *merges = nul ? (const char *)nul + 1 : "";
    size_t mlen = nul ? size - vlen - 1 : 0;
    const char *vpath = fuzz_write_tmp(0, data, vlen);
    const char *mpath = fuzz_write_tmp(1, merges, mlen);
    tok_tokenizer *tk = NULL;
    tok_error err;
    int rc = tok_tokenizer_from_gpt2_files(&tk, vpath, mpath, NULL, &err);
    if (rc != TOK_OK) {
        FUZZ_CHECK(tk == NULL);
        FUZZ_CHECK(rc == TOK_EFORMAT || rc == TOK_EINVAL ||
                   rc == TOK_EUNSUPPORTED);
        FUZZ_CHECK(err.code == rc);
        FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        return 0;
    }
    const char *text = (const char *)data;
    size_t len = size < 4096 ? size : 4096;
    fuzz_check_tokenizer(tk, text, len);

    /* With the whole byte alphabet in the vocabulary, any bytes encode and
     * decode back to themselves. */
    int whole = 1;
    for (unsigned b = 0; b < 256 && whole; b++) {
        char c[3];
        size_t n = byte_char(b, c);
        whole = tok_token_to_id(tk, c, n) >= 0;
    }
    if (whole) {
        tok_encoding *enc = tok_encoding_new();
        tok_buffer out = TOK_BUFFER_INIT;
        tok_encode_options o = TOK_ENCODE_OPTIONS_INIT;
        o.special_in_text = TOK_SPECIAL_TEXT;
        FUZZ_CHECK(enc != NULL);
        FUZZ_CHECK(tok_encode(tk, text, len, &o, enc, &err) == TOK_OK);
        FUZZ_CHECK(tok_decode(tk, tok_encoding_ids(enc),
                              tok_encoding_len(enc), NULL, &out,
                              &err) == TOK_OK);
        FUZZ_CHECK(out.len == len);
        FUZZ_CHECK(len == 0 || memcmp(out.data, text, len) == 0);
        tok_buffer_dispose(&out);
        tok_encoding_free(enc);
    }
    tok_tokenizer_free(tk);
    return 0;
}
