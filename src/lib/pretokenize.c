/* pretokenize: the pre-tokenizer stage.  It cuts the normalized text into
 * the pieces the model encodes one at a time and, for ByteLevel and
 * Metaspace, rewrites the text while keeping every byte's alignment, with
 * the exact semantics of Hugging Face tokenizers 0.23. */
#include "pretokenize.h"

#include <pthread.h>
#include <string.h>

#include "bytelevel.h"
#include "pretok_scan.h"
#include "unicode.h"
#include "utf8.h"

const char *const tok_split_behavior_names[] = {
    "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
    "Contiguous", NULL
};

/* ---- small helpers ---- */

static inline int push(tok_splits *s, size_t start, size_t end, int32_t id)
{
    if (TOK_UNLIKELY(s->len == s->cap) && TOK_GROW(s->v, s->cap, s->len + 1))
        return TOK_ENOMEM;
    s->v[s->len].start = (uint32_t)start;
    s->v[s->len].end = (uint32_t)end;
    s->v[s->len].id = id;
    s->len++;
    return TOK_OK;
}

/* The caller's state points at its own buffers: exchange their contents,
 * not the pointers, so the caller finds the result where it left them. */
static void swap_splits(tok_pretok_state *st)
{
    tok_splits t = *st->splits;
    *st->splits = *st->next;
    *st->next = t;
}

static void swap_text(tok_pretok_state *st)
{
    tok_normalized t = *st->text;
    *st->text = *st->spare;
    *st->spare = t;
}

/* A character that starts no valid UTF-8 sequence: a class of its own,
 * neither space, word, number nor punctuation (byte-level input may hold
 * such bytes; the GPT-2 scanner treats them the same way). */
#define BAD_CP 0xFFFFFFFFu

/* The character at s[i], i < end; never reads at or past end. */
static inline size_t next_char(const unsigned char *s, size_t end, size_t i,
                               uint32_t *cp)
{
    size_t n = tok_utf8_decode(s, end, i, cp);
    if (TOK_UNLIKELY(n == 0)) {
        *cp = BAD_CP;
        return 1;
    }
    return n;
}

/* Room for `extra` more bytes of rewritten text; split offsets are 32-bit,
 * so a text that would outgrow them is refused. */
static int reserve_text(tok_normalized *o, size_t extra)
{
    if (extra > UINT32_MAX - o->len)
        return TOK_EINVAL;
    return tok_normalized_reserve(o, extra);
}

static inline void copy_aligned(tok_normalized *o, const tok_normalized *src,
                                size_t a, size_t b)
{
    memcpy(o->text + o->len, src->text + a, b - a);
    memcpy(o->align + o->len, src->align + a, (b - a) * sizeof *o->align);
    o->len += b - a;
}

static inline void put_bytes(tok_normalized *o, const char *bytes, size_t n,
                             tok_span span)
{
    for (size_t i = 0; i < n; i++) {
        o->text[o->len] = bytes[i];
        o->align[o->len++] = span;
    }
}

/* ---- character classes ---- */

/* Byte classes of the splitters, one table per pre-tokenizer so that the
 * inner loops test one byte against one table; K_HIGH sends the bytes of
 * non-ASCII characters to the slow path. */
enum { K_OTHER = 0, K_SPACE = 1, K_PUNCT = 2, K_WORD = 3, K_DIGIT = 4,
       K_HIGH = 5 };

#define o K_OTHER
#define S K_SPACE
#define P K_PUNCT
#define W K_WORD
#define D K_DIGIT
#define H K_HIGH
#define HIGH_HALF                                                        \
    /* 80 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* 90 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* a0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* b0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* c0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* d0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* e0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,             \
    /* f0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H
/* BERT: whitespace, ASCII punctuation (symbols included), the rest. */
static const unsigned char bert_ascii[256] = {
    /*      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
    /* 00 */ o, o, o, o, o, o, o, o, o, S, S, S, S, S, o, o,
    /* 10 */ o, o, o, o, o, o, o, o, o, o, o, o, o, o, o, o,
    /* 20 */ S, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
    /* 30 */ o, o, o, o, o, o, o, o, o, o, P, P, P, P, P, P,
    /* 40 */ P, o, o, o, o, o, o, o, o, o, o, o, o, o, o, o,
    /* 50 */ o, o, o, o, o, o, o, o, o, o, o, P, P, P, P, P,
    /* 60 */ P, o, o, o, o, o, o, o, o, o, o, o, o, o, o, o,
    /* 70 */ o, o, o, o, o, o, o, o, o, o, o, P, P, P, P, o,
    HIGH_HALF
};
/* Whitespace (\w+|[^\w\s]+): word characters, whitespace, the rest;
 * digits are kept apart for the Digits pre-tokenizer. */
static const unsigned char word_ascii[256] = {
    /*      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
    /* 00 */ o, o, o, o, o, o, o, o, o, S, S, S, S, S, o, o,
    /* 10 */ o, o, o, o, o, o, o, o, o, o, o, o, o, o, o, o,
    /* 20 */ S, o, o, o, o, o, o, o, o, o, o, o, o, o, o, o,
    /* 30 */ D, D, D, D, D, D, D, D, D, D, o, o, o, o, o, o,
    /* 40 */ o, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* 50 */ W, W, W, W, W, W, W, W, W, W, W, o, o, o, o, W,
    /* 60 */ o, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* 70 */ W, W, W, W, W, W, W, W, W, W, W, o, o, o, o, o,
    HIGH_HALF
};
#undef o
#undef S
#undef P
#undef W
#undef D
#undef H
#undef HIGH_HALF

/* BERT's classes, which Punctuation shares: Rust's char::is_whitespace,
 * and is_ascii_punctuation || is_punctuation (tok_uni_is_bert_punct, whose
 * table follows HF's Unicode 8.0 punctuation). */
static inline int bert_class(const unsigned char *s, size_t end, size_t i,
                             size_t *n)
{
    if (s[i] < 0x80) {
        *n = 1;
        return bert_ascii[s[i]];
    }
    uint32_t cp;
    *n = next_char(s, end, i, &cp);
    if (cp == BAD_CP)
        return K_OTHER;
    if (tok_uni_is_space(cp))
        return K_SPACE;
    return tok_uni_is_bert_punct(cp) ? K_PUNCT : K_OTHER;
}

/* Regex \w and \s of the Whitespace pre-tokenizer; digits are words. */
static inline int word_class(const unsigned char *s, size_t end, size_t i,
                             size_t *n)
{
    if (s[i] < 0x80) {
        *n = 1;
        int k = word_ascii[s[i]];
        return k == K_DIGIT ? K_WORD : k;
    }
    uint32_t cp;
    *n = next_char(s, end, i, &cp);
    if (cp == BAD_CP)
        return K_OTHER;
    if (tok_uni_is_space(cp))
        return K_SPACE;
    return tok_uni_is_word(cp) ? K_WORD : K_OTHER;
}

static inline bool is_space_at(const unsigned char *s, size_t end, size_t i,
                               size_t *n)
{
    if (s[i] < 0x80) {
        *n = 1;
        return word_ascii[s[i]] == K_SPACE;
    }
    uint32_t cp;
    *n = next_char(s, end, i, &cp);
    return cp != BAD_CP && tok_uni_is_space(cp);
}

/* Rust's char::is_numeric: the N* categories. */
static inline bool is_numeric_at(const unsigned char *s, size_t end,
                                 size_t i, size_t *n)
{
    if (s[i] < 0x80) {
        *n = 1;
        return word_ascii[s[i]] == K_DIGIT;
    }
    uint32_t cp;
    *n = next_char(s, end, i, &cp);
    return cp != BAD_CP && tok_uni_is_numeric(cp);
}

/* ---- splitters without a behaviour option ---- */

/* BertPreTokenizer: drop whitespace, then isolate each punctuation
 * character.  Both of HF's passes in one, which gives the same pieces
 * since the second only ever sees whitespace-free words. */
static int split_bert(const unsigned char *s, size_t a, size_t b,
                      tok_splits *out)
{
    size_t i = a, word = a;
    while (i < b) {
        while (i < b && bert_ascii[s[i]] == K_OTHER)
            i++;
        if (i == b)
            break;
        size_t n;
        int k = bert_class(s, b, i, &n);
        if (k != K_OTHER) {
            if (word < i && push(out, word, i, -1))
                return TOK_ENOMEM;
            if (k == K_PUNCT && push(out, i, i + n, -1))
                return TOK_ENOMEM;
            word = i + n;
        }
        i += n;
    }
    if (word < b && push(out, word, b, -1))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* Whitespace: the matches of \w+|[^\w\s]+, which are the maximal runs of
 * word and of other characters; whitespace between them is dropped. */
static int split_whitespace(const unsigned char *s, size_t a, size_t b,
                            tok_splits *out)
{
    size_t i = a, run = a;
    int cls = K_SPACE;
    while (i < b) {
        size_t n;
        int k = word_class(s, b, i, &n);
        if (k != cls) {
            if (cls != K_SPACE && push(out, run, i, -1))
                return TOK_ENOMEM;
            run = i;
            cls = k;
        }
        i += n;
        if (k == K_WORD)
            while (i < b && (word_ascii[s[i]] == K_WORD ||
                             word_ascii[s[i]] == K_DIGIT))
                i++;
    }
    if (cls != K_SPACE && push(out, run, b, -1))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* WhitespaceSplit: the runs between whitespace characters. */
static int split_whitespace_split(const unsigned char *s, size_t a, size_t b,
                                  tok_splits *out)
{
    size_t i = a, word = a;
    while (i < b) {
        while (i < b && word_ascii[s[i]] != K_SPACE &&
               word_ascii[s[i]] != K_HIGH)
            i++;
        if (i == b)
            break;
        size_t n;
        if (is_space_at(s, b, i, &n)) {
            if (word < i && push(out, word, i, -1))
                return TOK_ENOMEM;
            word = i + n;
        }
        i += n;
    }
    if (word < b && push(out, word, b, -1))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* Digits: numbers apart from the rest, each digit alone when individual
 * (Isolated), else runs of digits (Contiguous). */
static int split_digits(const unsigned char *s, size_t a, size_t b,
                        bool individual, tok_splits *out)
{
    size_t i = a, run = a;
    bool num = false;
    while (i < b) {
        size_t n;
        bool k = is_numeric_at(s, b, i, &n);
        if (k && individual) {
            if (run < i && push(out, run, i, -1))
                return TOK_ENOMEM;
            if (push(out, i, i + n, -1))
                return TOK_ENOMEM;
            run = i + n;
            num = false;
        } else if (k != num) {
            if (run < i && push(out, run, i, -1))
                return TOK_ENOMEM;
            run = i;
            num = k;
        }
        i += n;
    }
    if (run < b && push(out, run, b, -1))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* ---- splitting on matches with a delimiter behaviour ---- */

/* Turns the stream of (range, is_match) events of one piece into pieces as
 * HF's NormalizedString::split does for each SplitDelimiterBehavior.  Like
 * HF, merging looks at empty pieces too and they are dropped only at the
 * end (only an empty Split pattern makes empty events). */
typedef struct emitter {
    tok_splits *out;
    size_t first;              /* this piece's first output in out */
    tok_split_behavior behavior;
    bool invert;
    bool prev_match;
    bool pending;              /* MergedWithNext: a match waiting */
    bool had_empty;
    size_t pend_start, pend_end;
} emitter;

static void emitter_start(emitter *e, tok_splits *out,
                          tok_split_behavior behavior, bool invert)
{
    e->out = out;
    e->first = out->len;
    e->behavior = behavior;
    e->invert = invert;
    e->prev_match = false;
    e->pending = false;
    e->had_empty = false;
}

static int emit(emitter *e, size_t start, size_t end, bool match)
{
    tok_splits *o = e->out;
    bool any = o->len > e->first;
    match ^= e->invert;
    switch (e->behavior) {
    case TOK_SPLIT_REMOVED:
        if (match)
            return TOK_OK;
        break;
    case TOK_SPLIT_ISOLATED:
        break;
    case TOK_SPLIT_CONTIGUOUS: {
        bool merge = match == e->prev_match && any;
        e->prev_match = match;
        if (merge) {
            o->v[o->len - 1].end = (uint32_t)end;
            return TOK_OK;
        }
        break;
    }
    case TOK_SPLIT_MERGED_WITH_PREVIOUS: {
        bool merge = match && !e->prev_match && any;
        e->prev_match = match;
        if (merge) {
            o->v[o->len - 1].end = (uint32_t)end;
            return TOK_OK;
        }
        break;
    }
    case TOK_SPLIT_MERGED_WITH_NEXT:
        /* HF folds from the end: a match joins the piece after it when
         * that piece is not a match itself. */
        if (match) {
            if (e->pending) {
                e->had_empty |= e->pend_start == e->pend_end;
                if (push(o, e->pend_start, e->pend_end, -1))
                    return TOK_ENOMEM;
            }
            e->pending = true;
            e->pend_start = start;
            e->pend_end = end;
            return TOK_OK;
        }
        if (e->pending) {
            e->pending = false;
            start = e->pend_start;
        }
        break;
    default:
        return TOK_EINVAL;
    }
    e->had_empty |= start == end;
    return push(o, start, end, -1);
}

static int emitter_finish(emitter *e)
{
    tok_splits *o = e->out;
    if (e->pending) {
        e->pending = false;
        e->had_empty |= e->pend_start == e->pend_end;
        if (push(o, e->pend_start, e->pend_end, -1))
            return TOK_ENOMEM;
    }
    if (e->had_empty) {
        size_t w = e->first;
        for (size_t r = e->first; r < o->len; r++)
            if (o->v[r].start < o->v[r].end)
                o->v[w++] = o->v[r];
        o->len = w;
    }
    return TOK_OK;
}

/* Punctuation: every punctuation character is a match of its own. */
static int split_punct(const unsigned char *s, size_t a, size_t b,
                       tok_split_behavior behavior, tok_splits *out)
{
    emitter e;
    emitter_start(&e, out, behavior, false);
    size_t i = a, run = a;
    while (i < b) {
        while (i < b && bert_ascii[s[i]] != K_PUNCT &&
               bert_ascii[s[i]] != K_HIGH)
            i++;
        if (i == b)
            break;
        size_t n;
        if (bert_class(s, b, i, &n) == K_PUNCT) {
            if (run < i && emit(&e, run, i, false))
                return TOK_ENOMEM;
            if (emit(&e, i, i + n, true))
                return TOK_ENOMEM;
            run = i + n;
        }
        i += n;
    }
    if (run < b && emit(&e, run, b, false))
        return TOK_ENOMEM;
    return emitter_finish(&e);
}

/* A Split string pattern, searched with Knuth-Morris-Pratt so that the
 * search stays linear whatever the pattern. */
typedef struct literal {
    const unsigned char *p;
    size_t m;
    uint32_t *fail;     /* fail[j]: longest proper border of p[0..j] */
} literal;

static void literal_prepare(literal *l)
{
    if (l->m == 0)
        return;
    l->fail[0] = 0;
    uint32_t k = 0;
    for (size_t j = 1; j < l->m; j++) {
        while (k > 0 && l->p[j] != l->p[k])
            k = l->fail[k - 1];
        if (l->p[j] == l->p[k])
            k++;
        l->fail[j] = k;
    }
}

static int split_literal(const unsigned char *s, size_t a, size_t b,
                         const literal *l, tok_split_behavior behavior,
                         bool invert, tok_splits *out)
{
    emitter e;
    emitter_start(&e, out, behavior, invert);
    if (l->m == 0) {
        /* The empty regex matches between every two characters and at
         * both ends (Oniguruma skips an empty match right after another
         * one at the same place). */
        size_t i = a;
        while (i < b) {
            uint32_t cp;
            size_t n = next_char(s, b, i, &cp);
            if (emit(&e, i, i, true) || emit(&e, i, i + n, false))
                return TOK_ENOMEM;
            i += n;
        }
        if (emit(&e, b, b, true))
            return TOK_ENOMEM;
        return emitter_finish(&e);
    }
    size_t prev = a;
    uint32_t k = 0;
    for (size_t i = a; i < b; i++) {
        if (k == 0) {
            const unsigned char *hit = memchr(s + i, l->p[0], b - i);
            if (!hit)
                break;
            i = (size_t)(hit - s);
        }
        while (k > 0 && s[i] != l->p[k])
            k = l->fail[k - 1];
        if (s[i] == l->p[k])
            k++;
        if (k == l->m) {
            size_t start = i + 1 - l->m;
            if (prev < start && emit(&e, prev, start, false))
                return TOK_ENOMEM;
            if (emit(&e, start, i + 1, true))
                return TOK_ENOMEM;
            prev = i + 1;
            k = 0;   /* matches do not overlap */
        }
    }
    if (prev < b && emit(&e, prev, b, false))
        return TOK_ENOMEM;
    return emitter_finish(&e);
}

/* A Split Regex that a scanner follows.  The scanners' patterns match
 * any character (an alternative takes each class) and never match empty,
 * so their matches tile the piece: there is no text between them, and
 * each piece the scanner returns is one match. */
static int split_scan(const unsigned char *s, size_t a, size_t b,
                      tok_scan_pattern pat, tok_split_behavior behavior,
                      bool invert, tok_splits *out)
{
    emitter e;
    emitter_start(&e, out, behavior, invert);
    const char *piece = (const char *)s + a;
    size_t len = b - a, pos = 0;
    while (pos < len) {
        size_t end = tok_scan_next(pat, piece, len, pos);
        if (emit(&e, a + pos, a + end, true))
            return TOK_ENOMEM;
        pos = end;
    }
    return emitter_finish(&e);
}

/* ---- the splitting pre-tokenizers ---- */

static int run_split(const tok_pretok *p, tok_pretok_state *st)
{
    const unsigned char *s = (const unsigned char *)st->text->text;
    const tok_splits *in = st->splits;
    tok_splits *out = st->next;
    literal lit = {0};
    uint32_t small[64];
    int rc = TOK_OK;

    if (p->type == TOK_PT_SPLIT && !p->u.split.pattern)
        return TOK_EINVAL;
    if (p->type == TOK_PT_SPLIT && !p->u.split.regex) {
        lit.p = (const unsigned char *)p->u.split.pattern;
        lit.m = strlen(p->u.split.pattern);
        if (lit.m > UINT32_MAX)
            return TOK_EINVAL;
        lit.fail = small;
        if (lit.m > sizeof small / sizeof small[0]) {
            lit.fail = tok_malloc(lit.m * sizeof *lit.fail);
            if (!lit.fail)
                return TOK_ENOMEM;
        }
        literal_prepare(&lit);
    }

    out->len = 0;
    for (size_t k = 0; k < in->len && rc == TOK_OK; k++) {
        tok_split sp = in->v[k];
        if (sp.id >= 0) {
            rc = push(out, sp.start, sp.end, sp.id);
            continue;
        }
        if (sp.start >= sp.end)
            continue;
        switch (p->type) {
        case TOK_PT_BERT:
            rc = split_bert(s, sp.start, sp.end, out);
            break;
        case TOK_PT_WHITESPACE:
            rc = split_whitespace(s, sp.start, sp.end, out);
            break;
        case TOK_PT_WHITESPACE_SPLIT:
            rc = split_whitespace_split(s, sp.start, sp.end, out);
            break;
        case TOK_PT_PUNCTUATION:
            rc = split_punct(s, sp.start, sp.end, p->u.punct.behavior, out);
            break;
        case TOK_PT_DIGITS:
            rc = split_digits(s, sp.start, sp.end,
                              p->u.digits.individual_digits, out);
            break;
        case TOK_PT_SPLIT:
            if (p->u.split.regex)
                rc = split_scan(s, sp.start, sp.end, p->u.split.scan,
                                p->u.split.behavior, p->u.split.invert, out);
            else
                rc = split_literal(s, sp.start, sp.end, &lit,
                                   p->u.split.behavior, p->u.split.invert,
                                   out);
            break;
        default:
            rc = TOK_EINVAL;
            break;
        }
    }
    if (lit.fail != small)
        tok_free(lit.fail);
    if (rc == TOK_OK)
        swap_splits(st);
    return rc;
}

/* ---- ByteLevel ---- */

/* The byte-level alphabet as (UTF-8 bytes, length) per byte, read once
 * from bytelevel.c so the inner loop is a plain table lookup. */
static char bl_utf8[256][2];
static unsigned char bl_len[256];
static pthread_once_t bl_once = PTHREAD_ONCE_INIT;

static void bl_init(void)
{
    for (int b = 0; b < 256; b++) {
        size_t n;
        const char *u = tok_bytelevel_utf8((unsigned char)b, &n);
        bl_utf8[b][0] = u[0];
        bl_utf8[b][1] = n > 1 ? u[1] : 0;
        bl_len[b] = (unsigned char)n;
    }
}

/* Writes the byte-level characters of src[a..b); each byte's characters
 * keep that byte's span, which is the span of the character it belongs
 * to, so every token cut inside a character points at all of it. */
static void bl_map(tok_normalized *o, const tok_normalized *src, size_t a,
                   size_t b)
{
    const unsigned char *s = (const unsigned char *)src->text;
    char *t = o->text;
    tok_span *al = o->align;
    size_t n = o->len;
    for (size_t i = a; i < b; i++) {
        unsigned char c = s[i];
        tok_span sp = src->align[i];
        t[n] = bl_utf8[c][0];
        al[n++] = sp;
        if (bl_len[c] == 2) {
            t[n] = bl_utf8[c][1];
            al[n++] = sp;
        }
    }
    o->len = n;
}

/* add_prefix_space: HF prepends " " to every piece that does not start
 * with one (not only the first), before the regex runs.  The space takes
 * the span of the piece's first character. */
static int bl_add_prefix(tok_pretok_state *st)
{
    const tok_normalized *src = st->text;
    const tok_splits *in = st->splits;
    size_t need = 0;
    for (size_t k = 0; k < in->len; k++) {
        tok_split sp = in->v[k];
        if (sp.id < 0 && sp.start < sp.end && src->text[sp.start] != ' ')
            need++;
    }
    if (need == 0)
        return TOK_OK;

    tok_normalized *o = st->spare;
    tok_splits *out = st->next;
    o->len = 0;
    out->len = 0;
    int rc = reserve_text(o, src->len + need);
    if (rc)
        return rc;
    for (size_t k = 0; k < in->len; k++) {
        tok_split sp = in->v[k];
        if (sp.id < 0 && sp.start >= sp.end)
            continue;
        size_t start = o->len;
        if (sp.id < 0 && src->text[sp.start] != ' ')
            put_bytes(o, " ", 1, src->align[sp.start]);
        copy_aligned(o, src, sp.start, sp.end);
        if (push(out, start, o->len, sp.id))
            return TOK_ENOMEM;
    }
    o->text[o->len] = '\0';
    swap_text(st);
    swap_splits(st);
    return TOK_OK;
}

static int run_bytelevel(const tok_pretok *p, tok_pretok_state *st)
{
    pthread_once(&bl_once, bl_init);
    if (p->u.bytelevel.add_prefix_space) {
        int rc = bl_add_prefix(st);
        if (rc)
            return rc;
    }

    const tok_normalized *src = st->text;
    const tok_splits *in = st->splits;
    tok_normalized *o = st->spare;
    tok_splits *out = st->next;
    o->len = 0;
    out->len = 0;
    if (tok_normalized_reserve(o, 0))
        return TOK_ENOMEM;
    for (size_t k = 0; k < in->len; k++) {
        tok_split sp = in->v[k];
        size_t a = sp.start, b = sp.end;
        if (sp.id >= 0) {
            int rc = reserve_text(o, b - a);
            if (rc)
                return rc;
            size_t start = o->len;
            copy_aligned(o, src, a, b);
            if (push(out, start, o->len, sp.id))
                return TOK_ENOMEM;
            continue;
        }
        if (a >= b)
            continue;
        /* At most two output bytes per input byte. */
        if (b - a > (UINT32_MAX - o->len) / 2)
            return TOK_EINVAL;
        if (tok_normalized_reserve(o, 2 * (b - a)))
            return TOK_ENOMEM;
        if (!p->u.bytelevel.use_regex) {
            size_t start = o->len;
            bl_map(o, src, a, b);
            if (push(out, start, o->len, -1))
                return TOK_ENOMEM;
            continue;
        }
        /* The regex sees one piece at a time, so its lookahead never
         * crosses into the next piece. */
        const char *base = src->text + a;
        size_t len = b - a, pos = 0;
        while (pos < len) {
            size_t end = tok_scan_next(TOK_SCAN_GPT2, base, len, pos);
            size_t start = o->len;
            bl_map(o, src, a + pos, a + end);
            if (push(out, start, o->len, -1))
                return TOK_ENOMEM;
            pos = end;
        }
    }
    o->text[o->len] = '\0';
    swap_text(st);
    swap_splits(st);
    return TOK_OK;
}

/* ---- Metaspace ---- */

/* Replaces every ' ' with the replacement (the new character takes the
 * space's span), prepends the replacement when the scheme asks and the
 * piece does not already start with it (taking the first character's
 * span), and with split cuts before every replacement character
 * (MergedWithNext).  "first" follows HF: the prefix goes on a piece whose
 * original offset is 0, which is what the alignments tell. */
static int run_metaspace(const tok_pretok *p, tok_pretok_state *st)
{
    const char *rep = p->u.metaspace.replacement;
    size_t rl = strnlen(rep, sizeof p->u.metaspace.replacement);
    if (rl == 0 || rl > 4)
        return TOK_EINVAL;
    const unsigned char r0 = (unsigned char)rep[0];
    const bool split = p->u.metaspace.split;
    const tok_prepend_scheme scheme = p->u.metaspace.prepend_scheme;

    const tok_normalized *src = st->text;
    const unsigned char *s = (const unsigned char *)src->text;
    const tok_splits *in = st->splits;
    tok_normalized *o = st->spare;
    tok_splits *out = st->next;
    o->len = 0;
    out->len = 0;
    if (tok_normalized_reserve(o, 0))
        return TOK_ENOMEM;
    for (size_t k = 0; k < in->len; k++) {
        tok_split sp = in->v[k];
        size_t a = sp.start, b = sp.end;
        if (sp.id >= 0) {
            int rc = reserve_text(o, b - a);
            if (rc)
                return rc;
            size_t start = o->len;
            copy_aligned(o, src, a, b);
            if (push(out, start, o->len, sp.id))
                return TOK_ENOMEM;
            continue;
        }
        if (a >= b)
            continue;

        size_t spaces = 0;
        for (size_t i = a; i < b; i++)
            spaces += s[i] == ' ';
        bool starts = s[a] == ' ' ||
                      (b - a >= rl && memcmp(s + a, rep, rl) == 0);
        bool prefix = !starts &&
                      (scheme == TOK_PREPEND_ALWAYS ||
                       (scheme == TOK_PREPEND_FIRST &&
                        src->align[a].start == 0));
        size_t grow = (b - a) + spaces * (rl - 1) + (prefix ? rl : 0);
        int rc = reserve_text(o, grow);
        if (rc)
            return rc;

        size_t piece = o->len;
        if (prefix)
            put_bytes(o, rep, rl, src->align[a]);
        size_t i = a;
        while (i < b) {
            size_t j = i;
            while (j < b && s[j] != ' ' && s[j] != r0)
                j++;
            copy_aligned(o, src, i, j);
            if (j == b)
                break;
            bool space = s[j] == ' ';
            if (!space && (b - j < rl || memcmp(s + j, rep, rl) != 0)) {
                /* Only the first byte matched. */
                copy_aligned(o, src, j, j + 1);
                i = j + 1;
                continue;
            }
            if (split && o->len > piece) {
                if (push(out, piece, o->len, -1))
                    return TOK_ENOMEM;
                piece = o->len;
            }
            if (space) {
                put_bytes(o, rep, rl, src->align[j]);
                i = j + 1;
            } else {
                copy_aligned(o, src, j, j + rl);
                i = j + rl;
            }
        }
        if (o->len > piece && push(out, piece, o->len, -1))
            return TOK_ENOMEM;
    }
    o->text[o->len] = '\0';
    swap_text(st);
    swap_splits(st);
    return TOK_OK;
}

/* ---- entry points ---- */

int tok_pretokenize(const tok_pretok *p, tok_pretok_state *st)
{
    if (!p)
        return TOK_OK;
    switch (p->type) {
    case TOK_PT_BERT:
    case TOK_PT_WHITESPACE:
    case TOK_PT_WHITESPACE_SPLIT:
    case TOK_PT_PUNCTUATION:
    case TOK_PT_DIGITS:
    case TOK_PT_SPLIT:
        return run_split(p, st);
    case TOK_PT_BYTELEVEL:
        return run_bytelevel(p, st);
    case TOK_PT_METASPACE:
        return run_metaspace(p, st);
    case TOK_PT_SEQUENCE:
        for (size_t i = 0; i < p->u.seq.n; i++) {
            int rc = tok_pretokenize(p->u.seq.items[i], st);
            if (rc)
                return rc;
        }
        return TOK_OK;
    default:
        return TOK_EINVAL;
    }
}

bool tok_pretok_is_bytelevel(const tok_pretok *p)
{
    if (!p)
        return false;
    if (p->type == TOK_PT_BYTELEVEL)
        return true;
    if (p->type == TOK_PT_SEQUENCE)
        for (size_t i = 0; i < p->u.seq.n; i++)
            if (tok_pretok_is_bytelevel(p->u.seq.items[i]))
                return true;
    return false;
}
