/* model (WordPiece): greedy longest-match-first word pieces, as BERT. */
#include <string.h>

#include "model.h"
#include "utf8.h"

/* The vocabulary as a double-array trie, so the longest token that starts
 * a word (or, after the continuing-subword prefix, continues one) is found
 * in one walk over the word's bytes, one array step per byte, instead of
 * one hash look-up per candidate length.  Two roots: the whole vocabulary
 * for the first piece of a word, and the tokens that start with the prefix
 * (prefix removed) for the pieces after it.
 *
 * A state s moves on byte c to t = base[s] + c when check[t] == s; id is
 * the token ending at that state, or -1.  The array has 256 spare states
 * past the last base, so base + c never leaves it. */
typedef struct wp_state {
    int32_t base;
    int32_t check;      /* the parent state; -1 free, -2 a root, -3
                         * never used */
    int32_t id;
} wp_state;

typedef struct wp_impl {
    size_t max_token_len;   /* longest vocabulary entry, in bytes */
    size_t prefix_len;
    wp_state *states;
    size_t nstates;
    int32_t root[2];        /* whole words, continuations */
} wp_impl;

typedef struct wp_scratch {
    char *buf;              /* prefix + the rest of the word, for lookups */
    size_t cap;
} wp_scratch;

/* ---- building the trie ---- */

typedef struct wp_key {
    const unsigned char *s;
    uint32_t len;
    int32_t id;
} wp_key;

/* Byte d of a key, or -1 past its end (so shorter keys come first). */
static inline int key_byte(const wp_key *k, uint32_t d)
{
    return d < k->len ? k->s[d] : -1;
}

/* Sorts keys[0..n) that share their first d bytes by insertion. */
static void insertion_sort(wp_key *keys, size_t n, uint32_t d)
{
    for (size_t i = 1; i < n; i++) {
        wp_key k = keys[i];
        size_t j = i;
        while (j > 0) {
            const wp_key *p = &keys[j - 1];
            size_t m = (p->len < k.len ? p->len : k.len);
            int c = m > d ? memcmp(p->s + d, k.s + d, m - d) : 0;
            if (c < 0 || (c == 0 && p->len <= k.len))
                break;
            keys[j] = *p;
            j--;
        }
        keys[j] = k;
    }
}

typedef struct sort_task {
    size_t lo, n;
    uint32_t d;
} sort_task;

/* Sorts the keys bytewise, shorter first on a common prefix: a
 * most-significant-byte radix sort, by insertion below 32 keys. */
static int sort_keys(wp_key *keys, size_t n)
{
    if (n < 2)
        return TOK_OK;
    wp_key *tmp = tok_malloc(n * sizeof *tmp);
    /* Each task splits into buckets that are all smaller, and at most
     * 256 are pushed per split: the depth bounds the stack. */
    size_t cap = 1024, top = 0;
    sort_task *stack = tok_malloc(cap * sizeof *stack);
    if (!tmp || !stack) {
        tok_free(tmp);
        tok_free(stack);
        return TOK_ENOMEM;
    }
    stack[top++] = (sort_task){0, n, 0};
    int rc = TOK_OK;
    while (top > 0) {
        sort_task t = stack[--top];
        wp_key *k = keys + t.lo;
        if (t.n < 32) {
            insertion_sort(k, t.n, t.d);
            continue;
        }
        size_t count[257] = {0};
        for (size_t i = 0; i < t.n; i++)
            count[key_byte(&k[i], t.d) + 1]++;
        size_t at[257];
        size_t sum = 0;
        for (int c = 0; c < 257; c++) {
            at[c] = sum;
            sum += count[c];
        }
        for (size_t i = 0; i < t.n; i++)
            tmp[at[key_byte(&k[i], t.d) + 1]++] = k[i];
        memcpy(k, tmp, t.n * sizeof *k);
        if (top + 256 > cap) {
            sort_task *ns = tok_realloc(stack, 2 * cap * sizeof *ns);
            if (!ns) {
                rc = TOK_ENOMEM;
                break;
            }
            stack = ns;
            cap *= 2;
        }
        /* Keys that end at depth d are equal (one at most, as keys are
         * distinct); the others go on by their next byte. */
        size_t lo = count[0];
        for (int c = 1; c < 257; c++) {
            if (count[c] > 1)
                stack[top++] = (sort_task){t.lo + lo, count[c], t.d + 1};
            lo += count[c];
        }
    }
    tok_free(tmp);
    tok_free(stack);
    return rc;
}

/* The keys of one state still to place: keys[lo..hi) share their first
 * `depth` bytes, which lead to `state`. */
typedef struct wp_range {
    uint32_t lo, hi, depth;
    int32_t state;
} wp_range;

typedef struct wp_builder {
    wp_state *st;
    int32_t *next_free;     /* free states as a ring: the next one */
    int32_t *prev_free;
    uint64_t *taken;        /* one bit per state: the fit test reads
                             * these, not the states, to stay in cache */
    size_t cap;
    size_t used;            /* one past the highest state taken */
    int32_t head;           /* the lowest free state */
} wp_builder;

/* New states are free: appended to the free ring. */
static int grow_states(wp_builder *b, size_t need)
{
    if (need <= b->cap)
        return TOK_OK;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > INT32_MAX)
        return TOK_EUNSUPPORTED;
    wp_state *st = tok_realloc(b->st, cap * sizeof *st);
    if (!st)
        return TOK_ENOMEM;
    b->st = st;
    int32_t *nf = tok_realloc(b->next_free, cap * sizeof *nf);
    if (!nf)
        return TOK_ENOMEM;
    b->next_free = nf;
    int32_t *pf = tok_realloc(b->prev_free, cap * sizeof *pf);
    if (!pf)
        return TOK_ENOMEM;
    b->prev_free = pf;
    uint64_t *tk = tok_realloc(b->taken, cap / 64 * sizeof *tk);
    if (!tk)
        return TOK_ENOMEM;
    b->taken = tk;
    memset(tk + b->cap / 64, 0, (cap - b->cap) / 64 * sizeof *tk);
    for (size_t i = b->cap; i < cap; i++) {
        st[i].base = 0;
        st[i].check = -1;
        st[i].id = -1;
        nf[i] = (int32_t)i + 1;
        pf[i] = (int32_t)i - 1;
    }
    /* Link the new run after the old last free state. */
    int32_t first = (int32_t)b->cap, last = (int32_t)cap - 1;
    if (b->head < 0) {
        b->head = first;
        pf[first] = last;
        nf[last] = first;
    } else {
        int32_t tail = pf[b->head];
        nf[tail] = first;
        pf[first] = tail;
        nf[last] = b->head;
        pf[b->head] = last;
    }
    b->cap = cap;
    return TOK_OK;
}

/* How far behind the highest state taken a free state is still tried. */
#define WP_WINDOW 64

/* Unlinks state s from the free ring; placing never tries it again. */
static void drop(wp_builder *b, size_t s)
{
    int32_t i = (int32_t)s;
    b->taken[s / 64] |= (uint64_t)1 << (s % 64);
    int32_t n = b->next_free[i], p = b->prev_free[i];
    if (n == i) {
        b->head = -1;
        return;
    }
    b->next_free[p] = n;
    b->prev_free[n] = p;
    if (b->head == i)
        b->head = n;
}

static void take(wp_builder *b, size_t s, int32_t parent)
{
    b->st[s].check = parent;
    if (s + 1 > b->used)
        b->used = s + 1;
    drop(b, s);
}

/* Takes a free state for a root. */
static int new_root(wp_builder *b, int32_t *out)
{
    if (b->head < 0 && grow_states(b, b->cap + 1))
        return TOK_ENOMEM;
    *out = b->head;
    take(b, (size_t)b->head, -2);
    return TOK_OK;
}

/* Finds a base at which every label lands on a free state, trying the
 * free states in order as the place of the first label, and takes those
 * states. */
static int place(wp_builder *b, int32_t parent, const unsigned char *labels,
                 size_t n)
{
    /* Free states far behind the highest one taken are given up, as
     * darts-clone does: the ring stays short, so placing stays linear.  A
     * given-up state stays free and is never reached. */
    while (b->head >= 0 && (size_t)b->head + WP_WINDOW < b->used)
        drop(b, (size_t)b->head);
    size_t base = 0;
    for (;;) {
        int32_t p = b->head;
        bool found = false;
        if (p >= 0) {
            do {
                if ((size_t)p > labels[0]) {
                    base = (size_t)p - labels[0];
                    size_t k = 1;
                    while (k < n && base + labels[k] < b->cap &&
                           !(b->taken[(base + labels[k]) / 64] >>
                             ((base + labels[k]) % 64) & 1))
                        k++;
                    if (k == n) {
                        found = true;
                        break;
                    }
                }
                p = b->next_free[p];
            } while (p != b->head);
        }
        if (found)
            break;
        int rc = grow_states(b, b->cap * 2);
        if (rc)
            return rc;
    }
    if (base > INT32_MAX - 512)
        return TOK_EUNSUPPORTED;
    int rc = grow_states(b, base + 256 + 1);
    if (rc)
        return rc;
    b->st[parent].base = (int32_t)base;
    for (size_t k = 0; k < n; k++)
        take(b, base + labels[k], parent);
    return TOK_OK;
}

/* Builds the subtrie of sorted keys[0..n) under root, depth first, so
 * the keys of a subtrie are still in cache while it is placed, and the
 * states along a path land near each other. */
static int build_trie(wp_builder *b, int32_t root, const wp_key *keys,
                      size_t n)
{
    size_t cap = 256, top = 0;
    wp_range *stack = tok_malloc(cap * sizeof *stack);
    if (!stack)
        return TOK_ENOMEM;
    stack[top++] = (wp_range){0, (uint32_t)n, 0, root};
    int rc = TOK_OK;
    while (top > 0) {
        wp_range r = stack[--top];
        uint32_t lo = r.lo;
        /* Sorted: a key that ends here comes first. */
        if (lo < r.hi && keys[lo].len == r.depth)
            b->st[r.state].id = keys[lo++].id;
        if (lo == r.hi)
            continue;
        unsigned char labels[256];
        uint32_t bounds[257];
        size_t nl = 0;
        for (uint32_t i = lo; i < r.hi; i++) {
            unsigned char c = keys[i].s[r.depth];
            if (nl == 0 || labels[nl - 1] != c) {
                bounds[nl] = i;
                labels[nl++] = c;
            }
        }
        bounds[nl] = r.hi;
        rc = place(b, r.state, labels, nl);
        if (rc)
            break;
        if (top + nl > cap) {
            wp_range *ns = tok_realloc(stack, 2 * (top + nl) * sizeof *ns);
            if (!ns) {
                rc = TOK_ENOMEM;
                break;
            }
            stack = ns;
            cap = 2 * (top + nl);
        }
        /* The first label is popped first. */
        int32_t base = b->st[r.state].base;
        for (size_t k = nl; k-- > 0;)
            stack[top++] = (wp_range){bounds[k], bounds[k + 1],
                                      r.depth + 1, base + labels[k]};
    }
    tok_free(stack);
    return rc;
}

static int build_da(tok_model *m, wp_impl *w)
{
    const tok_vocab *v = &m->vocab;
    const char *prefix = m->continuing_subword_prefix;
    size_t plen = w->prefix_len;
    wp_key *keys = tok_malloc((v->size ? v->size : 1) * sizeof *keys);
    if (!keys)
        return TOK_ENOMEM;
    wp_builder b = {NULL, NULL, NULL, NULL, 0, 0, -1};
    /* States 0-255 stay out of use: then every free state can take any
     * first label, and a leaf's base of 0 leads nowhere. */
    int rc = grow_states(&b, 1024);
    for (size_t i = 0; i < 256 && rc == TOK_OK; i++)
        take(&b, i, -3);
    for (int which = 0; which < 2 && rc == TOK_OK; which++) {
        size_t n = 0;
        for (size_t id = 0; id < v->size; id++) {
            size_t len;
            const char *s = tok_vocab_str(v, (int32_t)id, &len);
            if (!s)
                continue;
            if (which == 1) {
                /* A continuation is never empty: the prefix alone is
                 * never looked up after the start. */
                if (len <= plen || memcmp(s, prefix, plen) != 0)
                    continue;
                s += plen;
                len -= plen;
            }
            keys[n++] = (wp_key){(const unsigned char *)s, (uint32_t)len,
                                 (int32_t)id};
        }
        rc = sort_keys(keys, n);
        if (rc == TOK_OK)
            rc = new_root(&b, &w->root[which]);
        if (rc == TOK_OK)
            rc = build_trie(&b, w->root[which], keys, n);
    }
    tok_free(keys);
    if (rc == TOK_OK)
        rc = grow_states(&b, b.used + 256);
    tok_free(b.next_free);
    tok_free(b.prev_free);
    tok_free(b.taken);
    if (rc) {
        tok_free(b.st);
        return rc;
    }
    w->states = b.st;
    w->nstates = b.cap;
    return TOK_OK;
}

static void wp_free_impl(tok_model *m)
{
    wp_impl *w = m->impl;
    if (w)
        tok_free(w->states);
    tok_free(w);
    m->impl = NULL;
}

static int wp_build(tok_model *m, tok_error *err)
{
    wp_free_impl(m);
    wp_impl *w = tok_calloc(1, sizeof *w);
    if (!w)
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->vocab.size; i++)
        if (m->vocab.str_len[i] > w->max_token_len)
            w->max_token_len = m->vocab.str_len[i];
    w->prefix_len = m->continuing_subword_prefix
        ? strlen(m->continuing_subword_prefix) : 0;
    if (m->vocab.size > INT32_MAX / 2 || w->max_token_len > UINT32_MAX) {
        tok_free(w);
        return tok_error_set(err, TOK_EUNSUPPORTED,
                             "WordPiece: the vocabulary is too large");
    }
    int rc = build_da(m, w);
    if (rc) {
        tok_free(w);
        return tok_error_set(err, rc, rc == TOK_ENOMEM ? "out of memory"
                             : "WordPiece: the vocabulary is too large");
    }
    m->impl = w;
    return TOK_OK;
}

static void *wp_scratch_new(const tok_model *m)
{
    (void)m;
    return tok_calloc(1, sizeof(wp_scratch));
}

static void wp_scratch_free(void *p)
{
    wp_scratch *s = p;
    if (s)
        tok_free(s->buf);
    tok_free(s);
}

/* ---- tokenizing ---- */

/* The whole word as the unknown token.  HF loads a WordPiece whose
 * unk_token is missing from the vocabulary and fails only when a word needs
 * it; so do we. */
static int unk(const tok_model *m, tok_pieces *out, size_t len)
{
    if (m->unk_id < 0)
        return TOK_EFORMAT;
    return tok_pieces_push(out, m->unk_id, 0, (uint32_t)len);
}

/* Steps back from `end` to the previous character boundary. */
static size_t prev_boundary(const char *s, size_t start, size_t end)
{
    size_t i = end - 1;
    while (i > start && ((unsigned char)s[i] & 0xC0) == 0x80 && end - i < 4)
        i--;
    return i;
}

/* Words that are not valid UTF-8 keep the original search, one hash
 * look-up per candidate end, whose stepping back over bytes the trie walk
 * does not copy. */
static int wp_tokenize_bytes(const tok_model *m, wp_scratch *s,
                             const char *word, size_t len, tok_pieces *out)
{
    const wp_impl *w = m->impl;
    size_t mark = out->len;
    char small[64];
    char *buf = small;
    size_t need = w->prefix_len + w->max_token_len + 4;
    if (need > sizeof small) {
        if (s && s->cap < need) {
            char *nb = tok_realloc(s->buf, need);
            if (!nb)
                return TOK_ENOMEM;
            s->buf = nb;
            s->cap = need;
        }
        buf = s ? s->buf : tok_malloc(need);
        if (!buf)
            return TOK_ENOMEM;
    }
    if (w->prefix_len)
        memcpy(buf, m->continuing_subword_prefix, w->prefix_len);
    int rc = TOK_OK;
    size_t start = 0;
    while (start < len) {
        size_t end = len - start > w->max_token_len
            ? start + w->max_token_len : len;
        /* Never cut a character in two. */
        while (end < len && end > start &&
               ((unsigned char)word[end] & 0xC0) == 0x80)
            end--;
        size_t plen = start ? w->prefix_len : 0;
        if (start)
            memcpy(buf + plen, word + start, end - start);
        int32_t found = -1;
        while (end > start) {
            found = tok_vocab_find(&m->vocab, start ? buf : word,
                                   plen + end - start);
            if (found >= 0)
                break;
            end = prev_boundary(word, start, end);
        }
        if (found < 0) {
            out->len = mark;
            rc = unk(m, out, len);
            break;
        }
        if (tok_pieces_push(out, found, (uint32_t)start, (uint32_t)end)) {
            rc = TOK_ENOMEM;
            break;
        }
        start = end;
    }
    if (buf != small && (!s || buf != s->buf))
        tok_free(buf);
    return rc;
}

/* Counts the characters of word; 0 in *valid when it is not UTF-8. */
static size_t count_chars(const char *word, size_t len, bool *valid)
{
    const unsigned char *u = (const unsigned char *)word;
    size_t i = 0, n = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            n++;
            continue;
        }
        uint32_t cp;
        size_t k = tok_utf8_decode(u, len, i, &cp);
        if (k == 0) {
            *valid = false;
            return tok_utf8_count(word, len);
        }
        i += k;
        n++;
    }
    *valid = true;
    return n;
}

static int wp_tokenize(const tok_model *m, void *scratch, const char *word,
                       size_t len, tok_pieces *out)
{
    const wp_impl *w = m->impl;
    bool valid;

    /* The limit counts code points, as HF counts chars. */
    if (count_chars(word, len, &valid) > m->max_input_chars_per_word)
        return unk(m, out, len);
    if (!valid)
        return wp_tokenize_bytes(m, scratch, word, len, out);

    const unsigned char *u = (const unsigned char *)word;
    const wp_state *st = w->states;
    size_t mark = out->len;
    size_t start = 0;
    while (start < len) {
        /* The longest token spelled by word[start..]: the walk goes as far
         * as the trie does, and a token counts where a character ends. */
        int32_t s = w->root[start > 0];
        int32_t found = -1;
        size_t end = start;
        for (size_t i = start; i < len; i++) {
            int32_t t = st[s].base + u[i];
            if (st[t].check != s)
                break;
            s = t;
            if (st[s].id >= 0 && (i + 1 == len || (u[i + 1] & 0xC0) != 0x80)) {
                found = st[s].id;
                end = i + 1;
            }
        }
        if (found < 0) {
            out->len = mark;
            return unk(m, out, len);
        }
        if (TOK_UNLIKELY(out->len == out->cap) &&
            TOK_GROW(out->v, out->cap, out->len + 1))
            return TOK_ENOMEM;
        tok_piece *p = &out->v[out->len++];
        p->id = found;
        p->start = (uint32_t)start;
        p->end = (uint32_t)end;
        start = end;
    }
    return TOK_OK;
}

const tok_model_ops tok_wordpiece_ops = {
    "WordPiece", wp_tokenize, NULL, wp_scratch_new, wp_scratch_free,
    wp_build, wp_free_impl
};
