/* files: importing a tiktoken vocabulary (a .tiktoken file, "base64(token)
 * rank" per line) as the byte-level BPE tokenizer Hugging Face's
 * conversions of tiktoken encodings build, with merges derived from the
 * ranks.
 *
 * tiktoken merges, in a piece, the adjacent pair whose concatenation has
 * the lowest rank (the leftmost of equals), until no concatenation is a
 * token.  A BPE model with one merge per token, in rank order, behaves the
 * same when each token's merge is the pair tiktoken itself ends with on
 * the token's own bytes with the lower ranks only; that is the merge
 * derived here (as tiktoken's _educational module and the Hub's GPT-4
 * conversions derive it).  Concatenations are found through a pair table
 * built from two tries of the tokens (forward and reversed), so the whole
 * import takes time linear in the file, times a logarithm for the heap of
 * each token's merges. */
#include <stdio.h>
#include <string.h>

#include "bytelevel.h"
#include "files.h"

/* ------------------------------------------------------------------------
 * Tries of byte strings: an edge table (node, byte) -> child
 * ------------------------------------------------------------------------ */

typedef struct trie {
    uint64_t *keys;       /* (node << 8 | byte) + 1 per edge; 0: free */
    uint32_t *child;
    size_t nslots, used;  /* nslots: a power of two */
    int32_t *rank;        /* by node: the token ending there, or -1 */
    size_t nodes, cap;
} trie;

static void trie_dispose(trie *t)
{
    tok_free(t->keys);
    tok_free(t->child);
    tok_free(t->rank);
    memset(t, 0, sizeof *t);
}

static size_t edge_slot(const trie *t, uint64_t key)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
    while (t->keys[i] != 0 && t->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static int trie_init(trie *t)
{
    memset(t, 0, sizeof *t);
    t->nslots = 1024;
    t->keys = tok_calloc(t->nslots, sizeof *t->keys);
    t->child = tok_malloc(t->nslots * sizeof *t->child);
    if (!t->keys || !t->child || TOK_GROW(t->rank, t->cap, 1))
        return TOK_ENOMEM;
    t->rank[0] = -1;
    t->nodes = 1;
    return TOK_OK;
}

static int trie_rehash(trie *t)
{
    size_t n = t->nslots * 2;
    uint64_t *keys = tok_calloc(n, sizeof *keys);
    uint32_t *child = tok_malloc(n * sizeof *child);
    if (!keys || !child) {
        tok_free(keys);
        tok_free(child);
        return TOK_ENOMEM;
    }
    trie old = *t;
    t->keys = keys;
    t->child = child;
    t->nslots = n;
    for (size_t i = 0; i < old.nslots; i++) {
        if (old.keys[i] == 0)
            continue;
        size_t j = edge_slot(t, old.keys[i]);
        t->keys[j] = old.keys[i];
        t->child[j] = old.child[i];
    }
    tok_free(old.keys);
    tok_free(old.child);
    return TOK_OK;
}

/* The child of node by byte b, or 0 (the root is never a child). */
static uint32_t trie_step(const trie *t, uint32_t node, unsigned char b)
{
    uint64_t key = ((uint64_t)node << 8 | b) + 1;
    size_t i = edge_slot(t, key);
    return t->keys[i] ? t->child[i] : 0;
}

/* Adds s[0..n) (read backwards when `reverse`) and returns the node it
 * ends at in *end. */
static int trie_add(trie *t, const unsigned char *s, size_t n, bool reverse,
                    uint32_t *end)
{
    uint32_t node = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char b = reverse ? s[n - 1 - k] : s[k];
        uint64_t key = ((uint64_t)node << 8 | b) + 1;
        size_t i = edge_slot(t, key);
        if (t->keys[i]) {
            node = t->child[i];
            continue;
        }
        if ((t->used + 1) * 2 > t->nslots) {
            if (trie_rehash(t))
                return TOK_ENOMEM;
            i = edge_slot(t, key);
        }
        if (t->nodes >= UINT32_MAX || TOK_GROW(t->rank, t->cap, t->nodes + 1))
            return TOK_ENOMEM;
        t->rank[t->nodes] = -1;
        t->keys[i] = key;
        t->child[i] = (uint32_t)t->nodes;
        t->used++;
        node = (uint32_t)t->nodes++;
    }
    *end = node;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * The pair table: (left rank, right rank) -> rank of the concatenation
 * ------------------------------------------------------------------------ */

typedef struct pair_table {
    uint64_t *keys;       /* (left << 32 | right) + 1; 0: free */
    int32_t *result;
    size_t nslots, used;
} pair_table;

static size_t pair_slot(const pair_table *p, uint64_t key)
{
    size_t mask = p->nslots - 1;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
    while (p->keys[i] != 0 && p->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static uint64_t pair_key(int32_t left, int32_t right)
{
    return ((uint64_t)(uint32_t)left << 32 | (uint32_t)right) + 1;
}

static int32_t pair_find(const pair_table *p, int32_t left, int32_t right)
{
    if (p->nslots == 0)
        return -1;          /* no token is two tokens */
    size_t i = pair_slot(p, pair_key(left, right));
    return p->keys[i] ? p->result[i] : -1;
}

static int pair_add(pair_table *p, int32_t left, int32_t right,
                    int32_t result)
{
    if ((p->used + 1) * 2 > p->nslots) {
        size_t n = p->nslots ? p->nslots * 2 : 1024;
        uint64_t *keys = tok_calloc(n, sizeof *keys);
        int32_t *res = tok_malloc(n * sizeof *res);
        if (!keys || !res) {
            tok_free(keys);
            tok_free(res);
            return TOK_ENOMEM;
        }
        pair_table old = *p;
        p->keys = keys;
        p->result = res;
        p->nslots = n;
        for (size_t i = 0; i < old.nslots; i++) {
            if (old.keys[i] == 0)
                continue;
            size_t j = pair_slot(p, old.keys[i]);
            p->keys[j] = old.keys[i];
            p->result[j] = old.result[i];
        }
        tok_free(old.keys);
        tok_free(old.result);
    }
    size_t i = pair_slot(p, pair_key(left, right));
    if (p->keys[i] == 0)
        p->used++;
    p->keys[i] = pair_key(left, right);
    p->result[i] = result;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Reading the .tiktoken file
 * ------------------------------------------------------------------------ */

typedef struct tt_vocab {
    unsigned char *bytes;  /* the tokens' bytes, one after the other */
    size_t nbytes;
    uint32_t *off, *len;   /* by rank; len 0: no token has that rank */
    uint32_t *line;        /* by rank: its line in the file */
    size_t size;           /* the highest rank + 1 */
    size_t limit;          /* ranks and ids stay below this */
    size_t count;          /* the number of tokens */
    size_t max_len;
    int32_t byte_rank[256];
    trie fwd, rev;         /* the tokens, and the tokens reversed */
    pair_table pairs;
} tt_vocab;

static void tt_dispose(tt_vocab *v)
{
    tok_free(v->bytes);
    tok_free(v->off);
    tok_free(v->len);
    tok_free(v->line);
    trie_dispose(&v->fwd);
    trie_dispose(&v->rev);
    tok_free(v->pairs.keys);
    tok_free(v->pairs.result);
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes padded base64 s[0..n) to out (room for n / 4 * 3 bytes), as
 * Python's b64decode does for the files tiktoken writes.  Returns the
 * length, or -1 - i for a bad character at i (n for bad padding). */
static long b64_decode(const unsigned char *s, size_t n, unsigned char *out)
{
    if (n % 4 != 0)
        return -1 - (long)n;
    size_t pad = 0;
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
        pad++;
    size_t o = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n - pad; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            return -1 - (long)i;
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            out[o++] = (unsigned char)(acc >> 16);
            out[o++] = (unsigned char)(acc >> 8);
            out[o++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (pad == 2) {
        out[o++] = (unsigned char)(acc >> 4);
    } else if (pad == 1) {
        out[o++] = (unsigned char)(acc >> 10);
        out[o++] = (unsigned char)(acc >> 2);
    }
    return (long)o;
}

/* The token as a message shows it: printable ASCII as it is, the rest as
 * \xNN, cut after 40 bytes. */
static void show_token(char *out, size_t outsz, const unsigned char *s,
                       size_t n)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n && i < 40 && k + 6 < outsz; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
            out[k++] = (char)s[i];
        else
            k += (size_t)snprintf(out + k, outsz - k, "\\x%02x", s[i]);
    }
    if (n > 40 && k + 4 < outsz) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k++] = '"';
    out[k] = '\0';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int read_line(tt_vocab *v, const char *name, const char *data,
                     size_t pos, size_t end, size_t line, tok_error *err)
{
    size_t i = pos;
    while (i < end && is_blank(data[i]))
        i++;
    size_t t0 = i;
    while (i < end && !is_blank(data[i]))
        i++;
    size_t t1 = i;
    while (i < end && is_blank(data[i]))
        i++;
    size_t r0 = i;
    while (i < end && !is_blank(data[i]))
        i++;
    size_t r1 = i;
    while (i < end && is_blank(data[i]))
        i++;
    if (t0 == t1 || r0 == r1 || i != end)
        return tok_error_at(err, TOK_EFORMAT, line, pos,
                            "%s:%zu: expected a base64 token, a space and a "
                            "rank", name, line);

    uint64_t rank = 0;
    bool digits = true;
    for (size_t k = r0; k < r1 && digits; k++) {
        digits = data[k] >= '0' && data[k] <= '9';
        if (rank < v->limit)
            rank = rank * 10 + (uint64_t)(data[k] - '0');
    }
    int shown = (int)(r1 - r0 > 20 ? 20 : r1 - r0);
    if (!digits)
        return tok_error_at(err, TOK_EFORMAT, line, r0,
                            "%s:%zu: the rank \"%.*s\" is not a number",
                            name, line, shown, data + r0);
    if (rank >= v->limit)
        return tok_error_at(err, TOK_EFORMAT, line, r0,
                            "%s:%zu: the rank %.*s%s is too far past the "
                            "number of lines (ranks may leave gaps, but must "
                            "stay below %zu)", name, line, shown, data + r0,
                            r1 - r0 > 20 ? "..." : "", v->limit);

    unsigned char *tok = v->bytes + v->nbytes;
    long n = b64_decode((const unsigned char *)data + t0, t1 - t0, tok);
    if (n < 0) {
        size_t at = t0 + (size_t)(-1 - n);
        if (at >= t1)
            return tok_error_at(err, TOK_EFORMAT, line, t0,
                                "%s:%zu: invalid base64: the length %zu is "
                                "not a multiple of 4", name, line, t1 - t0);
        return tok_error_at(err, TOK_EFORMAT, line, at,
                            "%s:%zu: invalid base64: unexpected '%c' at byte "
                            "%zu", name, line,
                            data[at] >= 0x20 && data[at] < 0x7f ? data[at]
                                                                : '?',
                            at);
    }
    if (n == 0)
        return tok_error_at(err, TOK_EFORMAT, line, t0,
                            "%s:%zu: the token is empty", name, line);
    if (v->len[rank])
        return tok_error_at(err, TOK_EFORMAT, line, r0,
                            "%s:%zu: rank %llu is already on line %u", name,
                            line, (unsigned long long)rank, v->line[rank]);
    uint32_t node;
    if (trie_add(&v->fwd, tok, (size_t)n, false, &node))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    if (v->fwd.rank[node] >= 0) {
        char q[200];
        show_token(q, sizeof q, tok, (size_t)n);
        return tok_error_at(err, TOK_EFORMAT, line, t0,
                            "%s:%zu: token %s is already on line %u", name,
                            line, q, v->line[v->fwd.rank[node]]);
    }
    v->fwd.rank[node] = (int32_t)rank;
    v->off[rank] = (uint32_t)v->nbytes;
    v->len[rank] = (uint32_t)n;
    v->line[rank] = (uint32_t)line;
    v->nbytes += (size_t)n;
    v->count++;
    if (rank + 1 > v->size)
        v->size = (size_t)rank + 1;
    if ((size_t)n > v->max_len)
        v->max_len = (size_t)n;
    return TOK_OK;
}

static int read_tiktoken(tt_vocab *v, const char *name, const char *data,
                         size_t len, tok_error *err)
{
    size_t lines = 0;
    for (const char *p = data; (p = memchr(p, '\n', (size_t)(data + len - p)));
         p++)
        lines++;
    lines++;
    if (len == 0)
        return tok_error_at(err, TOK_EFORMAT, 0, 0, "%s: the file is empty",
                            name);
    if (len > UINT32_MAX || lines > INT32_MAX / 4)
        return tok_error_set(err, TOK_EFORMAT, "%s: the file is too large",
                             name);
    /* Bounds every table by the file's size, as the tokenizer.json reader
     * bounds vocabulary ids. */
    v->limit = 2 * lines + 1024;
    v->bytes = tok_malloc(len / 4 * 3 + 1);
    v->off = tok_calloc(v->limit, sizeof *v->off);
    v->len = tok_calloc(v->limit, sizeof *v->len);
    v->line = tok_calloc(v->limit, sizeof *v->line);
    if (!v->bytes || !v->off || !v->len || !v->line || trie_init(&v->fwd))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    size_t pos = 0, line = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        line++;
        size_t stop = end > pos && data[end - 1] == '\r' ? end - 1 : end;
        /* tiktoken skips empty lines (splitlines, then "if line"). */
        if (stop > pos) {
            int rc = read_line(v, name, data, pos, stop, line, err);
            if (rc)
                return rc;
        }
        pos = end + 1;
    }
    if (v->count == 0)
        return tok_error_at(err, TOK_EFORMAT, 0, 0, "%s: the file has no "
                            "tokens", name);
    /* Byte-level BPE starts from single bytes, so every byte must be a
     * token (tiktoken would fail on a text holding a missing one). */
    for (int b = 0; b < 256; b++) {
        uint32_t node = trie_step(&v->fwd, 0, (unsigned char)b);
        v->byte_rank[b] = node ? v->fwd.rank[node] : -1;
        if (v->byte_rank[b] < 0)
            return tok_error_set(err, TOK_EFORMAT, "%s: the byte 0x%02x is "
                                 "not a token (byte-level BPE needs all "
                                 "256)", name, b);
    }
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Merges
 * ------------------------------------------------------------------------ */

/* Every way of cutting a token into two tokens: (left, right) -> token.
 * The prefixes that are tokens come from walking the forward trie along
 * the token, the suffixes from walking the reversed one. */
static int build_pairs(tt_vocab *v, int32_t *pre, int32_t *suf)
{
    if (trie_init(&v->rev))
        return TOK_ENOMEM;
    for (size_t r = 0; r < v->size; r++) {
        if (!v->len[r])
            continue;
        uint32_t node;
        if (trie_add(&v->rev, v->bytes + v->off[r], v->len[r], true, &node))
            return TOK_ENOMEM;
        v->rev.rank[node] = (int32_t)r;
    }
    for (size_t r = 0; r < v->size; r++) {
        size_t n = v->len[r];
        if (n < 2)
            continue;
        const unsigned char *s = v->bytes + v->off[r];
        /* pre[k]: the rank of s[0..k), suf[k]: of s[k..n), or -1; once a
         * walk leaves its trie (node 0), no longer string is a token. */
        uint32_t node = trie_step(&v->fwd, 0, s[0]);
        for (size_t k = 1; k < n; k++) {
            pre[k] = node ? v->fwd.rank[node] : -1;
            if (node)
                node = trie_step(&v->fwd, node, s[k]);
        }
        node = trie_step(&v->rev, 0, s[n - 1]);
        for (size_t k = n - 1; k >= 1; k--) {
            suf[k] = node ? v->rev.rank[node] : -1;
            if (node)
                node = trie_step(&v->rev, node, s[k - 1]);
        }
        for (size_t k = 1; k < n; k++)
            if (pre[k] >= 0 && suf[k] >= 0 &&
                pair_add(&v->pairs, pre[k], suf[k], (int32_t)r))
                return TOK_ENOMEM;
    }
    return TOK_OK;
}

/* A min-heap of candidate merges: rank << 32 | position. */
static void heap_push(uint64_t *h, size_t *n, uint64_t x)
{
    size_t i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > x) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
    uint64_t top = h[0], x = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= x)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = x;
    return top;
}

typedef struct bpe_scratch {
    int32_t *part;         /* rank of the part starting at byte i, or -1 */
    uint32_t *next, *prev;
    uint64_t *heap;
} bpe_scratch;

/* Runs tiktoken's BPE on the bytes of token `rank` with the lower ranks
 * only, and returns the number of parts it ends with; when two, *left and
 * *right are their ranks. */
static size_t split_token(const tt_vocab *v, size_t rank, bpe_scratch *w,
                          int32_t *left, int32_t *right)
{
    const unsigned char *s = v->bytes + v->off[rank];
    uint32_t n = v->len[rank];
    size_t nheap = 0, parts = n;
    for (uint32_t i = 0; i < n; i++) {
        w->part[i] = v->byte_rank[s[i]];
        w->next[i] = i + 1;
        w->prev[i] = i ? i - 1 : UINT32_MAX;
    }
    for (uint32_t i = 0; i + 1 < n; i++) {
        int32_t m = pair_find(&v->pairs, w->part[i], w->part[i + 1]);
        if (m >= 0 && (size_t)m < rank)
            heap_push(w->heap, &nheap, (uint64_t)m << 32 | i);
    }
    while (nheap) {
        uint64_t top = heap_pop(w->heap, &nheap);
        int32_t m = (int32_t)(top >> 32);
        uint32_t i = (uint32_t)top, j = w->next[i];
        /* Skip candidates that earlier merges changed. */
        if (w->part[i] < 0 || j >= n ||
            pair_find(&v->pairs, w->part[i], w->part[j]) != m)
            continue;
        w->part[i] = m;
        w->part[j] = -1;
        w->next[i] = w->next[j];
        if (w->next[i] < n)
            w->prev[w->next[i]] = i;
        parts--;
        uint32_t p = w->prev[i];
        if (p != UINT32_MAX) {
            int32_t q = pair_find(&v->pairs, w->part[p], m);
            if (q >= 0 && (size_t)q < rank)
                heap_push(w->heap, &nheap, (uint64_t)q << 32 | p);
        }
        if (w->next[i] < n) {
            int32_t q = pair_find(&v->pairs, m, w->part[w->next[i]]);
            if (q >= 0 && (size_t)q < rank)
                heap_push(w->heap, &nheap, (uint64_t)q << 32 | i);
        }
    }
    if (parts == 2) {
        *left = w->part[0];
        *right = w->part[w->next[0]];
    }
    return parts;
}

/* Fills the vocabulary (ranks as byte-level strings) and the merges. */
static int build_model(tt_vocab *v, tok_model *m, tok_error *err)
{
    size_t maxn = v->max_len + 1;
    int32_t *pre = tok_malloc(maxn * sizeof *pre);
    int32_t *suf = tok_malloc(maxn * sizeof *suf);
    char *str = tok_malloc(2 * maxn);
    bpe_scratch w;
    w.part = tok_malloc(maxn * sizeof *w.part);
    w.next = tok_malloc(maxn * sizeof *w.next);
    w.prev = tok_malloc(maxn * sizeof *w.prev);
    /* Each merge pushes two candidates at most. */
    w.heap = tok_malloc(3 * maxn * sizeof *w.heap);
    int rc = TOK_OK;
    if (!pre || !suf || !str || !w.part || !w.next || !w.prev || !w.heap ||
        build_pairs(v, pre, suf)) {
        rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < v->size && rc == TOK_OK; r++) {
        if (!v->len[r])
            continue;
        const unsigned char *s = v->bytes + v->off[r];
        size_t k = 0;
        for (size_t i = 0; i < v->len[r]; i++) {
            size_t cl;
            const char *c = tok_bytelevel_utf8(s[i], &cl);
            memcpy(str + k, c, cl);
            k += cl;
        }
        rc = tok_vocab_add(&m->vocab, str, k, (int32_t)r, err);
    }
    if (rc)
        goto done;
    size_t cap = 0;
    for (size_t r = 0; r < v->size; r++) {
        int32_t left, right;
        /* A token its own bytes do not build from two lower ranks gets
         * no merge: it is produced only whole, by ignore_merges. */
        if (v->len[r] < 2 || split_token(v, r, &w, &left, &right) != 2)
            continue;
        if (m->nmerges == cap && TOK_GROW(m->merges, cap, m->nmerges + 1)) {
            rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
            goto done;
        }
        m->merges[m->nmerges].left = left;
        m->merges[m->nmerges].right = right;
        m->merges[m->nmerges].result = (int32_t)r;
        m->nmerges++;
    }
done:
    tok_free(pre);
    tok_free(suf);
    tok_free(str);
    tok_free(w.part);
    tok_free(w.next);
    tok_free(w.prev);
    tok_free(w.heap);
    return rc;
}

/* ------------------------------------------------------------------------
 * Special tokens
 * ------------------------------------------------------------------------ */

/* Puts the special tokens into the model's vocabulary at their ids, as
 * the Hub's conversions do (an added token outside the vocabulary would
 * get the next free id instead), and registers them as added tokens. */
static int add_specials(tok_tokenizer *tk, const tt_vocab *v,
                        const char *name, tok_added_token *sp, size_t n,
                        tok_error *err)
{
    tok_model *m = tk->model;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        tok_added_token *t = &sp[i];
        if (t->len == 0)
            return tok_error_set(err, TOK_EINVAL, "%s: a special token is "
                                 "empty", name);
        if (t->id < 0 || (size_t)t->id >= v->limit + 2 * n)
            return tok_error_set(err, TOK_EINVAL, "%s: special token "
                                 "\"%.60s\": id %d is too far past the "
                                 "vocabulary", name, t->content, t->id);
        if ((size_t)t->id < v->size && v->len[t->id])
            return tok_error_set(err, TOK_EINVAL, "%s: special token "
                                 "\"%.60s\": id %d is the rank of the token "
                                 "on line %u", name, t->content, t->id,
                                 v->line[t->id]);
        int32_t old = tok_vocab_find(&m->vocab, t->content, t->len);
        if (old == t->id)
            continue;       /* given twice the same way */
        if (old >= 0 && (size_t)old < v->size && v->len[old])
            return tok_error_set(err, TOK_EINVAL, "%s: special token "
                                 "\"%.60s\" is the token on line %u", name,
                                 t->content, v->line[old]);
        if (old >= 0)
            return tok_error_set(err, TOK_EINVAL, "%s: special token "
                                 "\"%.60s\" has two ids, %d and %d", name,
                                 t->content, old, t->id);
        size_t slen;
        const char *other = tok_vocab_str(&m->vocab, t->id, &slen);
        if (other)
            return tok_error_set(err, TOK_EINVAL, "%s: id %d is given to "
                                 "both \"%.60s\" and \"%.60s\"", name, t->id,
                                 other, t->content);
        int rc = tok_vocab_add(&m->vocab, t->content, t->len, t->id, err);
        if (rc)
            return rc;
        t->special = true;
        t->normalized = false;
        sp[k++] = *t;
    }
    return tok_added_assign(tk, sp, k, err);
}

/* The options' specials, then the file's, in one caller-freed list. */
static int collect_specials(const tok_tiktoken_options *o,
                            const tok_added_token *file, size_t nfile,
                            tok_added_token **out, size_t *n, tok_error *err)
{
    size_t total = o->nspecials + nfile;
    *out = NULL;
    *n = 0;
    if (total == 0)
        return TOK_OK;
    tok_added_token *v = tok_calloc(total, sizeof *v);
    if (!v)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (size_t i = 0; i < o->nspecials; i++) {
        if (!o->specials[i].content) {
            tok_free(v);
            return tok_error_set(err, TOK_EINVAL, "special token %zu has no "
                                 "content", i);
        }
        v[i].content = (char *)o->specials[i].content;
        v[i].len = strlen(o->specials[i].content);
        v[i].id = o->specials[i].id;
    }
    for (size_t i = 0; i < nfile; i++)
        v[o->nspecials + i] = file[i];
    *out = v;
    *n = total;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * The tokenizer
 * ------------------------------------------------------------------------ */

/* Sequence[Split(Regex, Isolated), ByteLevel(use_regex=false)], the
 * ByteLevel post-processor and decoder, as the Hub's conversions set
 * them. */
static int set_pipeline(tok_tokenizer *tk, const char *pattern,
                        tok_scan_pattern scan)
{
    tok_pretok *seq = tk->pretok = tok_pretok_new(TOK_PT_SEQUENCE);
    if (!seq)
        return TOK_ENOMEM;
    seq->u.seq.items = tok_calloc(2, sizeof *seq->u.seq.items);
    if (!seq->u.seq.items)
        return TOK_ENOMEM;
    tok_pretok *split = seq->u.seq.items[0] = tok_pretok_new(TOK_PT_SPLIT);
    if (!split)
        return TOK_ENOMEM;
    seq->u.seq.n = 1;
    if (!(split->u.split.pattern = tok_strdup(pattern)))
        return TOK_ENOMEM;
    split->u.split.regex = true;
    split->u.split.scan = scan;
    split->u.split.behavior = TOK_SPLIT_ISOLATED;
    split->u.split.invert = false;
    tok_pretok *bl = seq->u.seq.items[1] = tok_pretok_new(TOK_PT_BYTELEVEL);
    if (!bl)
        return TOK_ENOMEM;
    seq->u.seq.n = 2;
    bl->u.bytelevel.add_prefix_space = false;
    bl->u.bytelevel.trim_offsets = true;
    bl->u.bytelevel.use_regex = false;

    if (!(tk->postproc = tok_postproc_new(TOK_POST_BYTELEVEL)))
        return TOK_ENOMEM;
    tk->postproc->add_prefix_space = true;
    tk->postproc->trim_offsets = false;
    tk->postproc->use_regex = true;
    if (!(tk->decoder = tok_decoder_new(TOK_DEC_BYTELEVEL)))
        return TOK_ENOMEM;
    tk->decoder->u.bytelevel.add_prefix_space = true;
    tk->decoder->u.bytelevel.trim_offsets = true;
    tk->decoder->u.bytelevel.use_regex = true;
    return TOK_OK;
}

int tok_tokenizer_from_tiktoken(tok_tokenizer **out,
                                const char *tiktoken_path,
                                const tok_tiktoken_options *opts,
                                tok_error *err)
{
    static const tok_tiktoken_options defaults = TOK_TIKTOKEN_OPTIONS_INIT;
    if (!out || !tiktoken_path)
        return tok_error_set(err, TOK_EINVAL, "no output or path given");
    *out = NULL;
    const tok_tiktoken_options *o = opts ? opts : &defaults;
    if (o->nspecials && !o->specials)
        return tok_error_set(err, TOK_EINVAL, "nspecials without specials");

    char *data = NULL, *pat_str = NULL;
    size_t len, nfile = 0, nsp = 0;
    tok_added_token *file_sp = NULL, *sp = NULL;
    tok_tokenizer *tk = NULL;
    tt_vocab v;
    memset(&v, 0, sizeof v);
    int rc;
    if (o->special_tokens_json) {
        const char *jp = o->special_tokens_json;
        if ((rc = tok_read_file(jp, &data, &len, err)) ||
            (rc = tok_tiktoken_json_read(data, len, jp, &pat_str, &file_sp,
                                         &nfile, err)))
            goto fail;
        tok_free(data);
        data = NULL;
    }
    const char *pattern = o->pattern ? o->pattern : pat_str;
    tok_scan_pattern scan;
    if (!pattern) {
        rc = tok_error_set(err, TOK_EINVAL, "%s: no split pattern: give "
                           "tiktoken's pat_str, or a special_tokens.json "
                           "that has it", tiktoken_path);
        goto fail;
    }
    if (!tok_regex_scanner(pattern, &scan)) {
        rc = tok_error_set(err, TOK_EUNSUPPORTED, "%s: the split pattern "
                           "\"%.60s%s\" is not supported: tok has no regex "
                           "engine and runs only the GPT-2 and cl100k_base "
                           "patterns, spelled exactly as Hugging Face and "
                           "tiktoken spell them", tiktoken_path, pattern,
                           strlen(pattern) > 60 ? "..." : "");
        goto fail;
    }
    if ((rc = collect_specials(o, file_sp, nfile, &sp, &nsp, err)) ||
        (rc = tok_read_file(tiktoken_path, &data, &len, err)) ||
        (rc = read_tiktoken(&v, tiktoken_path, data, len, err)))
        goto fail;
    tok_free(data);
    data = NULL;

    if (!(tk = tok_tokenizer_new()))
        goto nomem;
    tok_model *m = tk->model = tok_model_new(TOK_MODEL_BPE);
    if (!m)
        goto nomem;
    /* The GPT-2 converter's spelling of "no prefix, no suffix", which the
     * Hub's conversions of tiktoken encodings inherit. */
    m->continuing_subword_prefix = tok_strdup("");
    m->end_of_word_suffix = tok_strdup("");
    if (!m->continuing_subword_prefix || !m->end_of_word_suffix)
        goto nomem;
    m->ignore_merges = true;
    if ((rc = build_model(&v, m, err)) ||
        (rc = add_specials(tk, &v, tiktoken_path, sp, nsp, err)))
        goto fail;
    tt_dispose(&v);
    memset(&v, 0, sizeof v);
    if ((rc = tok_model_build(m, err)) != TOK_OK) {
        tok_error_prefix(err, tiktoken_path);
        goto fail;
    }
    if (set_pipeline(tk, pattern, scan))
        goto nomem;
    if ((rc = tok_tokenizer_finish(tk, err)) != TOK_OK)
        goto fail;
    *out = tk;
    tk = NULL;
    rc = TOK_OK;
    goto done;
nomem:
    rc = tok_error_set(err, TOK_ENOMEM, "out of memory");
fail:
    tok_tokenizer_free(tk);
done:
    tt_dispose(&v);
    tok_free(data);
    tok_free(pat_str);
    for (size_t i = 0; i < nfile; i++)
        tok_free(file_sp[i].content);
    tok_free(file_sp);
    tok_free(sp);
    return rc;
}
