/* added: added tokens ([CLS], <|endoftext|>, user tokens) and finding
 * them in text before normalization, as Hugging Face's AddedVocabulary. */
#ifndef TOK_ADDED_H
#define TOK_ADDED_H

#include "pretokenize.h"

typedef struct tok_added_token {
    int32_t id;
    char *content;
    size_t len;
    bool single_word;
    bool lstrip;
    bool rstrip;
    bool normalized;
    bool special;
} tok_added_token;

/* The added tokens of a tokenizer, in id order, and a trie for matching
 * (built by tok_added_build). */
typedef struct tok_added_vocab {
    tok_added_token *v;
    size_t n, cap;
    void *matcher;          /* tokens matched in raw text (normalized=false) */
    void *norm_matcher;     /* tokens matched after normalization */
} tok_added_vocab;

void tok_added_init(tok_added_vocab *a);
void tok_added_dispose(tok_added_vocab *a);
/* Copies the token; the matcher must be rebuilt afterwards. */
int tok_added_push(tok_added_vocab *a, const tok_added_token *t);
int tok_added_build(tok_added_vocab *a, tok_error *err);
const tok_added_token *tok_added_by_id(const tok_added_vocab *a, int32_t id);
const tok_added_token *tok_added_by_content(const tok_added_vocab *a,
                                            const char *s, size_t len);

/* Finds added tokens in text[0..len) with leftmost-longest matching and
 * emits the pieces (tokens with their id, the text between with id -1) as
 * splits offset by `base`.  `normalized` picks which tokens are looked for;
 * `skip_special` leaves special tokens as text. */
int tok_added_split(const tok_added_vocab *a, bool normalized,
                    bool skip_special, const char *text, size_t len,
                    uint32_t base, tok_splits *out);

#endif
