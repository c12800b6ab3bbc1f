/* decode: the decoder stage, which turns token strings back into text
 * (WordPiece, ByteLevel, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip,
 * Replace, CTC-free Sequence). */
#ifndef TOK_DECODE_H
#define TOK_DECODE_H

#include "common.h"
#include "pretokenize.h"

typedef enum tok_decoder_type {
    TOK_DEC_WORDPIECE,
    TOK_DEC_BYTELEVEL,
    TOK_DEC_METASPACE,
    TOK_DEC_BPE,          /* BPEDecoder: suffix marks word ends */
    TOK_DEC_BYTE_FALLBACK,
    TOK_DEC_FUSE,
    TOK_DEC_STRIP,
    TOK_DEC_REPLACE,      /* plain string pattern */
    TOK_DEC_SEQUENCE
} tok_decoder_type;

typedef struct tok_decoder {
    tok_decoder_type type;
    union {
        struct {
            char *prefix;
            bool cleanup;
        } wordpiece;
        struct {
            bool add_prefix_space, trim_offsets, use_regex;
        } bytelevel;
        struct {
            char replacement[8];
            tok_prepend_scheme prepend_scheme;
            bool split;
        } metaspace;
        struct {
            char *suffix;
        } bpe;
        struct {
            char *content;
            size_t start, stop;
        } strip;
        struct {
            char *pattern;
            char *content;
        } replace;
        struct {
            struct tok_decoder **items;
            size_t n;
        } seq;
    } u;
} tok_decoder;

tok_decoder *tok_decoder_new(tok_decoder_type type);
void tok_decoder_free(tok_decoder *d);

/* The token strings being decoded: piece i is data[off[i] .. off[i]+len[i]).
 * Decoders rewrite the list stage by stage, as Hugging Face's decode_chain
 * does on a Vec<String>. */
typedef struct tok_strlist {
    char *data;
    size_t data_len, data_cap;
    uint32_t *off;
    uint32_t *len;
    size_t n, cap;
} tok_strlist;

void tok_strlist_dispose(tok_strlist *l);
int tok_strlist_push(tok_strlist *l, const char *s, size_t len);

/* Runs the decoder over `in` (which it may consume) and appends the text
 * to out.  A NULL decoder joins the pieces as they are (tok_decode does
 * not pass NULL: without a decoder, Hugging Face joins with spaces). */
int tok_decoder_run(const tok_decoder *d, tok_strlist *in, tok_strlist *tmp,
                    tok_buffer *out, tok_error *err);

#endif
