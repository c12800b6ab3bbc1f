/* vocab: the token string <-> id table every model is built on. */
#ifndef TOK_VOCAB_H
#define TOK_VOCAB_H

#include "common.h"

/* Strings live in one arena; ids are dense 0..size-1 once built.  Lookup
 * is an open-addressing hash on the bytes.  Immutable after building, so
 * shared by all threads.  Token strings may hold any bytes (byte-level
 * vocabularies are stored as Hugging Face spells them, e.g. "Ġthe"). */
/* A hash slot: the id and the top bits of its string's hash, so most
 * probes that miss never touch the strings. */
typedef struct tok_vocab_slot {
    int32_t id;           /* -1: empty */
    uint32_t tag;
} tok_vocab_slot;

typedef struct tok_vocab {
    char *arena;          /* all strings, each followed by a NUL */
    size_t arena_len, arena_cap;
    uint32_t *str_off;    /* id -> offset in arena (UINT32_MAX: a hole) */
    uint32_t *str_len;    /* id -> length */
    size_t size;          /* number of ids (max id + 1) */
    size_t cap;
    tok_vocab_slot *slots;
    size_t nslots;        /* a power of two */
    size_t count;         /* number of strings present */
} tok_vocab;

void tok_vocab_init(tok_vocab *v);
void tok_vocab_dispose(tok_vocab *v);
/* Adds token with the given id.  Fails with TOK_EFORMAT when the string or
 * the id is already present (a duplicate in a vocabulary file). */
int tok_vocab_add(tok_vocab *v, const char *s, size_t len, int32_t id,
                  tok_error *err);
/* Adds token with the next id (size); returns the id or a negative code. */
int32_t tok_vocab_push(tok_vocab *v, const char *s, size_t len);
/* Makes room for n more strings without growing the table, so a loader
 * that knows the count adds them without rehashing. */
int tok_vocab_reserve(tok_vocab *v, size_t n);
/* -1 when absent. */
int32_t tok_vocab_find(const tok_vocab *v, const char *s, size_t len);
/* NULL for an id out of range or a hole. */
static inline const char *tok_vocab_str(const tok_vocab *v, int32_t id,
                                        size_t *len)
{
    if (id < 0 || (size_t)id >= v->size || v->str_off[id] == UINT32_MAX)
        return NULL;
    if (len)
        *len = v->str_len[id];
    return v->arena + v->str_off[id];
}
uint64_t tok_hash_bytes(const void *data, size_t len);

#endif
