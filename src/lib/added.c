/* added: the added-token vocabulary and its matcher, run on the raw input
 * before normalization (and on normalized text for normalized tokens). */
#include <string.h>

#include "added.h"
#include "unicode.h"
#include "utf8.h"

/* A byte trie.  Children of a node are a sibling list: added vocabularies
 * are small and matching starts only at bytes in `first`, so walking a
 * short list costs less than a table per node. */
typedef struct trie_node {
    int32_t child;     /* first child, -1 none */
    int32_t sibling;   /* next sibling, -1 none */
    int32_t token;     /* index into the added vocabulary, -1 none */
    unsigned char byte;
} trie_node;

typedef struct trie {
    trie_node *nodes;
    size_t n, cap;
    uint64_t first[4]; /* bit set of bytes that start some token */
    int only_first;    /* the one byte that starts every token, or -1 */
} trie;

void tok_added_init(tok_added_vocab *a)
{
    memset(a, 0, sizeof *a);
}

static void trie_free(trie *t)
{
    if (!t)
        return;
    tok_free(t->nodes);
    tok_free(t);
}

void tok_added_dispose(tok_added_vocab *a)
{
    for (size_t i = 0; i < a->n; i++)
        tok_free(a->v[i].content);
    tok_free(a->v);
    trie_free(a->matcher);
    trie_free(a->norm_matcher);
    memset(a, 0, sizeof *a);
}

int tok_added_push(tok_added_vocab *a, const tok_added_token *t)
{
    if (TOK_GROW(a->v, a->cap, a->n + 1))
        return TOK_ENOMEM;
    char *content = tok_strndup(t->content, t->len);
    if (!content)
        return TOK_ENOMEM;
    /* Keep the list sorted by id (files list them so already). */
    size_t i = a->n;
    while (i > 0 && a->v[i - 1].id > t->id) {
        a->v[i] = a->v[i - 1];
        i--;
    }
    a->v[i] = *t;
    a->v[i].content = content;
    a->n++;
    return TOK_OK;
}

const tok_added_token *tok_added_by_id(const tok_added_vocab *a, int32_t id)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->n && a->v[lo].id == id ? &a->v[lo] : NULL;
}

static int32_t trie_find(const trie *t, const char *s, size_t len)
{
    int32_t node = 0;
    for (size_t i = 0; i < len && node >= 0; i++) {
        int32_t c = t->nodes[node].child;
        while (c >= 0 && t->nodes[c].byte != (unsigned char)s[i])
            c = t->nodes[c].sibling;
        node = c;
    }
    return node >= 0 ? t->nodes[node].token : -1;
}

const tok_added_token *tok_added_by_content(const tok_added_vocab *a,
                                            const char *s, size_t len)
{
    for (int k = 0; k < 2; k++) {
        const trie *t = k ? a->norm_matcher : a->matcher;
        if (!t)
            continue;
        int32_t i = trie_find(t, s, len);
        if (i >= 0)
            return &a->v[i];
    }
    return NULL;
}

static int32_t trie_node_new(trie *t, unsigned char byte)
{
    if (TOK_GROW(t->nodes, t->cap, t->n + 1))
        return -1;
    trie_node *n = &t->nodes[t->n];
    n->child = n->sibling = n->token = -1;
    n->byte = byte;
    return (int32_t)t->n++;
}

static int trie_insert(trie *t, const char *s, size_t len, int32_t token)
{
    int32_t node = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        int32_t c = t->nodes[node].child;
        while (c >= 0 && t->nodes[c].byte != b)
            c = t->nodes[c].sibling;
        if (c < 0) {
            c = trie_node_new(t, b);
            if (c < 0)
                return TOK_ENOMEM;
            t->nodes[c].sibling = t->nodes[node].child;
            t->nodes[node].child = c;
        }
        node = c;
    }
    /* A later duplicate content keeps the first id, as HF does. */
    if (t->nodes[node].token < 0)
        t->nodes[node].token = token;
    return TOK_OK;
}

static int build_trie(tok_added_vocab *a, bool normalized, void **out)
{
    trie_free(*out);
    *out = NULL;
    trie *t = tok_calloc(1, sizeof *t);
    if (!t || trie_node_new(t, 0) < 0) {
        trie_free(t);
        return TOK_ENOMEM;
    }
    size_t count = 0;
    for (size_t i = 0; i < a->n; i++) {
        const tok_added_token *tk = &a->v[i];
        if (tk->normalized != normalized || tk->len == 0)
            continue;
        if (trie_insert(t, tk->content, tk->len, (int32_t)i)) {
            trie_free(t);
            return TOK_ENOMEM;
        }
        unsigned char b = (unsigned char)tk->content[0];
        t->first[b >> 6] |= 1ULL << (b & 63);
        t->only_first = count == 0 || t->only_first == b ? b : -1;
        count++;
    }
    if (count == 0) {
        trie_free(t);
        return TOK_OK;
    }
    *out = t;
    return TOK_OK;
}

int tok_added_build(tok_added_vocab *a, tok_error *err)
{
    if (build_trie(a, false, &a->matcher) ||
        build_trie(a, true, &a->norm_matcher))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    return TOK_OK;
}

/* The character before s[pos] / at s[pos], for single_word checks. */
static uint32_t char_before(const char *s, size_t pos)
{
    size_t i = pos;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && pos - i < 3)
        i--;
    if (i == 0)
        return 0;
    uint32_t cp;
    i--;
    if (tok_utf8_decode((const unsigned char *)s, pos, i, &cp) == 0)
        cp = 0xFFFD;
    return cp;
}

static uint32_t char_at(const char *s, size_t len, size_t pos)
{
    uint32_t cp;
    if (tok_utf8_decode((const unsigned char *)s, len, pos, &cp) == 0)
        cp = 0xFFFD;
    return cp;
}

static size_t skip_space_back(const char *s, size_t pos, size_t floor)
{
    while (pos > floor) {
        uint32_t cp = char_before(s, pos);
        if (!tok_uni_is_space(cp))
            break;
        char tmp[4];
        pos -= tok_utf8_encode(cp, tmp);
    }
    return pos;
}

static size_t skip_space_fwd(const char *s, size_t len, size_t pos)
{
    while (pos < len) {
        uint32_t cp;
        size_t n = tok_utf8_decode((const unsigned char *)s, len, pos, &cp);
        if (n == 0 || !tok_uni_is_space(cp))
            break;
        pos += n;
    }
    return pos;
}

int tok_added_split(const tok_added_vocab *a, bool normalized,
                    bool skip_special, const char *text, size_t len,
                    uint32_t base, tok_splits *out)
{
    const trie *t = normalized ? a->norm_matcher : a->matcher;
    size_t done = 0;   /* text before this is emitted */
    size_t pos = 0;
    while (t && pos < len) {
        /* Tokens that all start with one byte ("[CLS]", "[SEP]"...):
         * memchr skips to the candidates. */
        if (t->only_first >= 0) {
            const char *hit = memchr(text + pos, t->only_first, len - pos);
            if (!hit)
                break;
            pos = (size_t)(hit - text);
        }
        unsigned char b = (unsigned char)text[pos];
        if (!(t->first[b >> 6] & (1ULL << (b & 63)))) {
            pos++;
            continue;
        }
        /* Longest token starting at pos. */
        int32_t best = -1;
        size_t best_end = 0;
        int32_t node = 0;
        for (size_t i = pos; i < len; i++) {
            int32_t c = t->nodes[node].child;
            while (c >= 0 && t->nodes[c].byte != (unsigned char)text[i])
                c = t->nodes[c].sibling;
            if (c < 0)
                break;
            node = c;
            int32_t tk = t->nodes[node].token;
            if (tk >= 0 && !(skip_special && a->v[tk].special)) {
                const tok_added_token *at = &a->v[tk];
                if (at->single_word &&
                    ((pos > 0 && tok_uni_is_word(char_before(text, pos))) ||
                     (i + 1 < len &&
                      tok_uni_is_word(char_at(text, len, i + 1)))))
                    continue;
                best = tk;
                best_end = i + 1;
            }
        }
        if (best < 0) {
            pos++;
            continue;
        }
        const tok_added_token *at = &a->v[best];
        size_t start = pos, end = best_end;
        if (at->lstrip)
            start = skip_space_back(text, start, done);
        if (at->rstrip)
            end = skip_space_fwd(text, len, end);
        if (start > done &&
            tok_splits_push(out, base + (uint32_t)done,
                            base + (uint32_t)start, -1))
            return TOK_ENOMEM;
        if (tok_splits_push(out, base + (uint32_t)start, base + (uint32_t)end,
                            at->id))
            return TOK_ENOMEM;
        done = pos = end;
    }
    if (len > done &&
        tok_splits_push(out, base + (uint32_t)done, base + (uint32_t)len, -1))
        return TOK_ENOMEM;
    return TOK_OK;
}
