/* vocab: token string <-> id table (arena of strings + open addressing). */
#include "vocab.h"

#include <string.h>

uint64_t tok_hash_bytes(const void *data, size_t len)
{
    /* 8-byte words, then the last 1 to 8 bytes in one word from two
     * overlapping loads (or three single bytes): fast on short tokens,
     * and deterministic, so nothing depends on a random seed. */
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ len;
    while (len > 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + len - 4, 4);
        w = (uint64_t)a << 32 | b;
    } else if (len > 0) {
        w = (uint64_t)p[0] << 16 | (uint64_t)p[len / 2] << 8 | p[len - 1];
    }
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

void tok_vocab_init(tok_vocab *v)
{
    memset(v, 0, sizeof *v);
}

void tok_vocab_dispose(tok_vocab *v)
{
    tok_free(v->arena);
    tok_free(v->str_off);
    tok_free(v->str_len);
    tok_free(v->slots);
    memset(v, 0, sizeof *v);
}

static int32_t find_slot(const tok_vocab *v, const char *s, size_t len,
                         size_t *slot)
{
    size_t mask = v->nslots - 1;
    uint64_t h = tok_hash_bytes(s, len);
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & mask;
    for (;;) {
        int32_t id = v->slots[i].id;
        if (id < 0) {
            *slot = i;
            return -1;
        }
        if (v->slots[i].tag == tag && v->str_len[id] == len &&
            memcmp(v->arena + v->str_off[id], s, len) == 0) {
            *slot = i;
            return id;
        }
        i = (i + 1) & mask;
    }
}

static int rehash(tok_vocab *v, size_t nslots)
{
    tok_vocab_slot *slots = tok_malloc(nslots * sizeof *slots);
    if (!slots)
        return TOK_ENOMEM;
    memset(slots, 0xff, nslots * sizeof *slots);
    tok_free(v->slots);
    v->slots = slots;
    v->nslots = nslots;
    for (size_t id = 0; id < v->size; id++) {
        if (v->str_off[id] == UINT32_MAX)
            continue;
        size_t slot;
        const char *str = v->arena + v->str_off[id];
        find_slot(v, str, v->str_len[id], &slot);
        v->slots[slot].id = (int32_t)id;
        v->slots[slot].tag =
            (uint32_t)(tok_hash_bytes(str, v->str_len[id]) >> 32);
    }
    return TOK_OK;
}

int32_t tok_vocab_find(const tok_vocab *v, const char *s, size_t len)
{
    if (v->count == 0)
        return -1;
    size_t slot;
    return find_slot(v, s, len, &slot);
}

int tok_vocab_reserve(tok_vocab *v, size_t n)
{
    size_t nslots = v->nslots ? v->nslots : 1024;
    while ((v->count + n + 1) * 2 > nslots)
        nslots *= 2;
    if (nslots != v->nslots && rehash(v, nslots))
        return TOK_ENOMEM;
    if (v->size + n > v->cap) {
        size_t cap = v->size + n;
        uint32_t *off = tok_realloc(v->str_off, cap * sizeof *off);
        if (!off)
            return TOK_ENOMEM;
        v->str_off = off;
        uint32_t *lens = tok_realloc(v->str_len, cap * sizeof *lens);
        if (!lens)
            return TOK_ENOMEM;
        v->str_len = lens;
        v->cap = cap;
    }
    return TOK_OK;
}

int tok_vocab_add(tok_vocab *v, const char *s, size_t len, int32_t id,
                  tok_error *err)
{
    if (id < 0 || id == INT32_MAX)
        return tok_error_set(err, TOK_EFORMAT, "invalid id %d", id);
    if ((v->count + 1) * 2 > v->nslots &&
        rehash(v, v->nslots ? v->nslots * 2 : 1024))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    size_t slot;
    int32_t old = find_slot(v, s, len, &slot);
    if (old >= 0)
        return tok_error_set(err, TOK_EFORMAT,
                             "token \"%.*s\" appears twice (ids %d and %d)",
                             (int)(len > 64 ? 64 : len), s, old, id);
    size_t uid = (size_t)id;
    if (uid >= v->size) {
        if (uid >= v->cap) {
            /* Both arrays grow before cap says so, so a failure leaves
             * the table as it was. */
            size_t cap = v->cap ? v->cap : 16;
            while (cap <= uid)
                cap *= 2;
            uint32_t *off = tok_realloc(v->str_off, cap * sizeof *off);
            if (!off)
                return tok_error_set(err, TOK_ENOMEM, "out of memory");
            v->str_off = off;
            uint32_t *lens = tok_realloc(v->str_len, cap * sizeof *lens);
            if (!lens)
                return tok_error_set(err, TOK_ENOMEM, "out of memory");
            v->str_len = lens;
            v->cap = cap;
        }
        for (size_t i = v->size; i <= uid; i++) {
            v->str_off[i] = UINT32_MAX;
            v->str_len[i] = 0;
        }
        v->size = uid + 1;
    } else if (v->str_off[uid] != UINT32_MAX) {
        return tok_error_set(err, TOK_EFORMAT, "id %d is used twice", id);
    }
    if (v->arena_len + len + 1 >= UINT32_MAX)
        return tok_error_set(err, TOK_EFORMAT, "vocabulary too large");
    if (TOK_GROW(v->arena, v->arena_cap, v->arena_len + len + 1))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    memcpy(v->arena + v->arena_len, s, len);
    v->arena[v->arena_len + len] = '\0';
    v->str_off[uid] = (uint32_t)v->arena_len;
    v->str_len[uid] = (uint32_t)len;
    v->arena_len += len + 1;
    v->slots[slot].id = id;
    v->slots[slot].tag = (uint32_t)(tok_hash_bytes(s, len) >> 32);
    v->count++;
    return TOK_OK;
}

int32_t tok_vocab_push(tok_vocab *v, const char *s, size_t len)
{
    int32_t id = (int32_t)v->size;
    int rc = tok_vocab_add(v, s, len, id, NULL);
    return rc ? rc : id;
}
