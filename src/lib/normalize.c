/* normalize: the normalizer stage.  Each normalizer rewrites the text and
 * gives every output byte the span of the input it came from, exactly as
 * Hugging Face tokenizers 0.23.2 does with its NormalizedString.
 *
 * HF's rule for spans is positional, and the odd corners of its output
 * follow from it: an output character that takes the place of input
 * characters gets the span of the first input character not yet consumed
 * (so after canonical reordering, a mark can carry the span of another
 * mark, and a composed character carries the span of its first part only),
 * and an inserted character gets the span of the last consumed one.
 *
 * HF's Unicode data is older than utf8proc's: its character classes are
 * Unicode 8.0, its normal forms 9.0, its lowercase Rust's current one.
 * normalize_tables.h (generated from what HF does to each code point)
 * holds the differences. */
#include "normalize.h"

#include <string.h>
#include <utf8proc.h>

#include "normalize_tables.h"
#include "unicode.h"
#include "utf8.h"

/* A character of a decomposition.  change is HF's: 0 for the character
 * that takes the place of an input character (the first of each
 * decomposition), 1 for one added after it, and -n for a composed character
 * that also consumed the n input characters after its first part. */
typedef struct tok_norm_piece {
    uint32_t cp;
    uint8_t ccc;
    int8_t change;
} norm_piece;

/* The longest decomposition (U+FDFA under NFKD) has 18 characters. */
#define MAX_DECOMP 32

static bool in_ranges(const tok_cp_range *r, size_t n, uint32_t cp)
{
    if (cp < r[0].lo || cp > r[n - 1].hi)
        return false;
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp > r[mid].hi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp >= r[lo].lo;
}

#define IN_TABLE(t, cp) in_ranges((t), sizeof(t) / sizeof(*(t)), (cp))

/* Writes one character; the caller has reserved room. */
static inline void put(tok_normalized *o, uint32_t cp, tok_span sp)
{
    size_t k;
    if (cp < 0x80) {
        o->text[o->len] = (char)cp;
        k = 1;
    } else {
        k = tok_utf8_encode(cp, o->text + o->len);
    }
    for (size_t i = 0; i < k; i++)
        o->align[o->len + i] = sp;
    o->len += k;
}

static inline int decode(const char *text, size_t len, size_t i,
                         uint32_t *cp, size_t *k)
{
    *k = tok_utf8_decode((const unsigned char *)text, len, i, cp);
    return *k ? TOK_OK : TOK_EUTF8;
}

/* Eight bytes at a time: a word with a byte >= 0x80, < 0x20 or 0x7F goes
 * byte by byte. */
#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

static inline bool plain_ascii8(uint64_t x)
{
    uint64_t ctl = ((x - 0x20 * ONES) | ((x ^ 0x7F * ONES) - ONES)) & ~x;
    return !((x | ctl) & HIGHS);
}

/* ASCII letters of x lowercased; x holds ASCII only. */
static inline uint64_t lower8(uint64_t x)
{
    uint64_t ge_a = x + (0x80 - 'A') * ONES;
    uint64_t gt_z = x + (0x7F - 'Z') * ONES;
    return x | ((ge_a & ~gt_z & HIGHS) >> 2);
}

/* ---- Decomposition, canonical reordering and composition ---- */

static uint8_t ccc_of(uint32_t cp)
{
    if (cp < 0x300)
        return 0;
    return (uint8_t)utf8proc_get_property((utf8proc_int32_t)cp)
        ->combining_class;
}

static bool is_hangul_syllable(uint32_t cp)
{
    return cp - 0xAC00u < 11172u;
}

/* True when the character has a decomposition of the kind asked for. */
static bool decomposes(const utf8proc_property_t *p, uint32_t cp, bool compat)
{
    if (is_hangul_syllable(cp))
        return true;
    return p->decomp_seqindex != UINT16_MAX &&
           (compat || p->decomp_type == 0);
}

/* Writes HF's decomposition of cp to d (MAX_DECOMP room); returns the
 * number of characters. */
static size_t decompose(uint32_t cp, bool compat, norm_piece *d)
{
    d[0].cp = cp;
    d[0].ccc = 0;
    d[0].change = 0;
    if (cp < (compat ? 0xA0u : 0xC0u))
        return 1;
    const utf8proc_property_t *p =
        utf8proc_get_property((utf8proc_int32_t)cp);
    bool dec = decomposes(p, cp, compat);
    if (!dec && p->combining_class == 0)
        return 1;
    if (IN_TABLE(nf_unknown, cp))
        return 1;
    if (!dec) {
        d[0].ccc = (uint8_t)p->combining_class;
        return 1;
    }
    utf8proc_int32_t buf[MAX_DECOMP];
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE;
    if (compat)
        opt = (utf8proc_option_t)(opt | UTF8PROC_COMPAT);
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf,
                                                 MAX_DECOMP, opt, NULL);
    if (n <= 0 || n > MAX_DECOMP)
        return 1;
    for (utf8proc_ssize_t k = 0; k < n; k++) {
        d[k].cp = (uint32_t)buf[k];
        d[k].ccc = ccc_of((uint32_t)buf[k]);
        d[k].change = k ? 1 : 0;
    }
    return (size_t)n;
}

/* The primary composite of a and b as HF's Unicode 9.0 tables have it, or
 * 0.  Every second part of a composition is a mark or a Hangul vowel or
 * trailing consonant (tests/gen/mktables.c checks this), which keeps
 * utf8proc out of the common case of two letters. */
static uint32_t compose(uint32_t a, uint32_t b)
{
    if (a - 0x1100u < 19 && b - 0x1161u < 21)
        return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28;
    if (is_hangul_syllable(a)) {
        if ((a - 0xAC00) % 28 == 0 && b - 0x11A8u < 27)
            return a + (b - 0x11A7);
        return 0;
    }
    if (b < 0x300)
        return 0;
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)b);
    if (cat < UTF8PROC_CATEGORY_MN || cat > UTF8PROC_CATEGORY_ME)
        return 0;
    utf8proc_int32_t buf[2] = {(utf8proc_int32_t)a, (utf8proc_int32_t)b};
    if (utf8proc_normalize_utf32(buf, 2, (utf8proc_option_t)(
            UTF8PROC_COMPOSE | UTF8PROC_STABLE)) != 1)
        return 0;
    if (IN_TABLE(nf_unknown, (uint32_t)buf[0]))
        return 0;
    return (uint32_t)buf[0];
}

/* Decomposed characters waiting for reordering and output: pieces[0..np)
 * in the scratch, and spans[0..nc) of the characters they came from. */
typedef struct pending {
    tok_norm_scratch *s;
    size_t np, nc;
    size_t run;       /* first piece of the trailing run of non-starters */
    bool compat;
} pending;

/* Sorts pieces[from..to) by combining class, keeping the text order within
 * a class.  Runs of marks are short; a long one is counting-sorted so that
 * no input is quadratic. */
static int sort_run(pending *q, size_t from, size_t to)
{
    size_t n = to - from;
    if (n < 2)
        return TOK_OK;
    norm_piece *p = q->s->pieces + from;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = p[i - 1].ccc <= p[i].ccc;
    if (sorted)
        return TOK_OK;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            norm_piece x = p[i];
            size_t j = i;
            while (j > 0 && p[j - 1].ccc > x.ccc) {
                p[j] = p[j - 1];
                j--;
            }
            p[j] = x;
        }
        return TOK_OK;
    }
    size_t end = q->np + MAX_DECOMP;   /* past every piece written */
    if (TOK_GROW(q->s->pieces, q->s->pieces_cap, end + n))
        return TOK_ENOMEM;
    p = q->s->pieces + from;
    norm_piece *tmp = q->s->pieces + end;
    size_t pos[256] = {0};
    for (size_t i = 0; i < n; i++)
        pos[p[i].ccc]++;
    size_t sum = 0;
    for (size_t c = 0; c < 256; c++) {
        size_t k = pos[c];
        pos[c] = sum;
        sum += k;
    }
    for (size_t i = 0; i < n; i++)
        tmp[pos[p[i].ccc]++] = p[i];
    memcpy(p, tmp, n * sizeof *p);
    return TOK_OK;
}

/* Adds one input character with its span. */
static int pending_push(pending *q, uint32_t cp, tok_span sp)
{
    tok_norm_scratch *s = q->s;
    if (TOK_GROW(s->pieces, s->pieces_cap, q->np + MAX_DECOMP) ||
        TOK_GROW(s->spans, s->spans_cap, q->nc + 1))
        return TOK_ENOMEM;
    size_t n = decompose(cp, q->compat, s->pieces + q->np);
    for (size_t k = 0; k < n; k++) {
        if (s->pieces[q->np + k].ccc != 0)
            continue;
        if (sort_run(q, q->run, q->np + k))
            return TOK_ENOMEM;
        q->run = q->np + k + 1;
    }
    q->np += n;
    s->spans[q->nc++] = sp;
    return TOK_OK;
}

/* True when the canonical decomposition of cp starts with a starter, so
 * that no mark before it is reordered past it. */
static bool starts_run(uint32_t cp)
{
    norm_piece d[MAX_DECOMP];
    decompose(cp, false, d);
    return d[0].ccc == 0;
}

/* HF's positional spans: see the comment at the top. */
typedef struct span_walk {
    const tok_span *spans;
    size_t nc, cursor;
    tok_span last;        /* span of the last consumed character */
} span_walk;

static tok_span walk_span(span_walk *w, int change)
{
    if (change > 0)
        return w->last;
    size_t take = (size_t)(1 - change);
    if (w->cursor >= w->nc)     /* cannot happen: outputs never outrun */
        return w->last;
    tok_span sp = w->spans[w->cursor];
    w->cursor = w->cursor + take < w->nc ? w->cursor + take : w->nc;
    w->last = w->spans[w->cursor - 1];
    return sp;
}

/* Output bytes of the pending pieces, an upper bound for what they
 * become (composition never makes text longer, nor does dropping marks;
 * lowercasing makes a character at most half as long again: U+0130). */
static size_t pending_bytes(const pending *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->np; i++) {
        uint32_t cp = q->s->pieces[i].cp;
        n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    return n;
}

/* Writes the pending pieces as they are (NFD, NFKD). */
static int flush_plain(pending *q, tok_normalized *out, tok_span *last)
{
    if (sort_run(q, q->run, q->np) ||
        tok_normalized_reserve(out, pending_bytes(q)))
        return TOK_ENOMEM;
    span_walk w = {q->s->spans, q->nc, 0, *last};
    for (size_t i = 0; i < q->np; i++) {
        norm_piece p = q->s->pieces[i];
        put(out, p.cp, walk_span(&w, p.change));
    }
    *last = w.last;
    q->np = q->nc = q->run = 0;
    return TOK_OK;
}

/* Composes the pending pieces the way HF's recomposition iterator does and
 * writes the result (NFC, NFKC).  Blocked marks wait in pieces[0..nb),
 * which never overtakes the piece being read. */
static int flush_composed(pending *q, tok_normalized *out, tok_span *last)
{
    if (sort_run(q, q->run, q->np) ||
        tok_normalized_reserve(out, pending_bytes(q)))
        return TOK_ENOMEM;
    norm_piece *p = q->s->pieces;
    span_walk w = {q->s->spans, q->nc, 0, *last};
    bool has_k = false, has_lc = false;
    uint32_t k = 0;
    int k_change = 0;
    uint8_t lc = 0;
    size_t nb = 0;
    for (size_t i = 0; i < q->np; i++) {
        norm_piece ch = p[i];
        if (!has_k) {
            if (ch.ccc != 0) {
                put(out, ch.cp, walk_span(&w, ch.change));
            } else {
                k = ch.cp;
                k_change = ch.change;
                has_k = true;
            }
            continue;
        }
        if (has_lc && lc >= ch.ccc) {
            if (ch.ccc != 0) {
                p[nb++] = ch;
                lc = ch.ccc;
                continue;
            }
            put(out, k, walk_span(&w, k_change));
            for (size_t j = 0; j < nb; j++)
                put(out, p[j].cp, walk_span(&w, p[j].change));
            nb = 0;
            has_lc = false;
            k = ch.cp;
            k_change = ch.change;
            continue;
        }
        uint32_t r = compose(k, ch.cp);
        if (r) {
            k = r;
            k_change = k_change + ch.change - 1;
            continue;
        }
        if (!has_lc && ch.ccc == 0) {
            put(out, k, walk_span(&w, k_change));
            k = ch.cp;
            k_change = ch.change;
            continue;
        }
        p[nb++] = ch;
        lc = ch.ccc;
        has_lc = true;
    }
    if (has_k)
        put(out, k, walk_span(&w, k_change));
    for (size_t j = 0; j < nb; j++)
        put(out, p[j].cp, walk_span(&w, p[j].change));
    *last = w.last;
    q->np = q->nc = q->run = 0;
    return TOK_OK;
}

/* True when the character comes out of the normal form unchanged, with its
 * own span, whatever surrounds it (utf8proc's view; HF's exceptions all
 * fall on the careful path). */
static bool nf_stable(uint32_t cp, bool compat, bool compose_)
{
    if (cp < 0x80)
        return true;
    if (compose_ && is_hangul_syllable(cp))
        return true;
    if (cp - 0x1161u <= 0x11C2u - 0x1161u)
        return !compose_;
    const utf8proc_property_t *p =
        utf8proc_get_property((utf8proc_int32_t)cp);
    if (p->combining_class != 0 || decomposes(p, cp, compat))
        return false;
    if (compose_ && p->category >= UTF8PROC_CATEGORY_MN &&
        p->category <= UTF8PROC_CATEGORY_ME)
        return false;
    return true;
}

/* Stable characters are copied; each stretch of unstable ones (under
 * composition, with the character before it, which may compose with it)
 * goes through decomposition, reordering and composition, and is written
 * before the next stable character.  Cutting there changes nothing: a
 * stable character starts a reordering run and is never the second part
 * of a composition.  It also bounds the scratch by the longest stretch. */
static int norm_nf(const char *text, const tok_span *align, size_t len,
                   bool compat, bool compose_, tok_normalized *out,
                   tok_norm_scratch *s)
{
    pending q = {s, 0, 0, 0, compat};
    tok_span last = {align[0].start, align[0].start};
    size_t i = 0;
    while (i < len) {
        size_t j = i, prev = i, k;
        uint32_t cp;
        while (j < len) {
            uint64_t x;
            if (len - j >= 8 && (memcpy(&x, text + j, 8), !(x & HIGHS))) {
                prev = j + 7;
                j += 8;
                continue;
            }
            if ((unsigned char)text[j] < 0x80) {
                prev = j++;
                continue;
            }
            if (decode(text, len, j, &cp, &k))
                return TOK_EUTF8;
            if (!nf_stable(cp, compat, compose_))
                break;
            prev = j;
            j += k;
        }
        size_t stop = j == len || !compose_ ? j : prev;
        if (tok_normalized_append_aligned(out, text + i, align + i,
                                          stop - i))
            return TOK_ENOMEM;
        if (stop > i)
            last = align[stop - 1];
        i = stop;
        if (i == len)
            break;
        do {
            if (decode(text, len, i, &cp, &k))
                return TOK_EUTF8;
            if (i > stop && nf_stable(cp, compat, compose_))
                break;
            if (pending_push(&q, cp, align[i]))
                return TOK_ENOMEM;
            i += k;
        } while (i < len);
        int rc = compose_ ? flush_composed(&q, out, &last)
                          : flush_plain(&q, out, &last);
        if (rc)
            return rc;
    }
    return TOK_OK;
}

/* ---- BertNormalizer ---- */

/* Writes cp lowercased or not, for BertNormalizer and Lowercase. */
static inline void put_lower(tok_normalized *o, uint32_t cp, tok_span sp,
                             bool lower)
{
    if (!lower) {
        put(o, cp, sp);
        return;
    }
    uint32_t lo[3];
    size_t n = tok_uni_lower(cp, lo);
    for (size_t i = 0; i < n; i++)
        put(o, lo[i], sp);
}

/* Writes the ASCII run at u[i..] as clean_text and lowercase make it;
 * returns where the run ends.  out has room for len - i bytes. */
static size_t bert_ascii(const unsigned char *u, const tok_span *align,
                         size_t i, size_t len, tok_normalized *out,
                         bool clean, bool lower)
{
    char *d = out->text + out->len;
    tok_span *da = out->align + out->len;
    size_t w = 0;
    while (i < len) {
        uint64_t x;
        if (len - i >= 8 && (memcpy(&x, u + i, 8), plain_ascii8(x))) {
            if (lower)
                x = lower8(x);
            memcpy(d + w, &x, 8);
            memcpy(da + w, align + i, 8 * sizeof *align);
            w += 8;
            i += 8;
            continue;
        }
        unsigned c = u[i];
        if (c >= 0x80)
            break;
        i++;
        if (c < 0x20 || c == 0x7F) {
            if (clean) {
                if (c != '\t' && c != '\n' && c != '\r')
                    continue;
                c = ' ';
            }
        } else if (lower) {
            c += (unsigned)(c - 'A' < 26u) << 5;
        }
        d[w] = (char)c;
        da[w++] = align[i - 1];
    }
    out->len += w;
    return i;
}

/* BertNormalizer's accents (the Mn of Unicode 8.0: the bert_mn table of
 * normalize_tables.h, which the unicode tables' bit spells the same for
 * every code point) and controls (bert_control: Cc, Cf, Co of Unicode 8.0
 * and U+FFFD; for cp >= 0x80, where tab, LF and CR are not in question). */
static inline bool is_bert_mn(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_MARK_NONSPACING) != 0;
}

static inline bool is_bert_control_high(uint32_t cp)
{
    return (tok_uni_props(cp) & TOK_UNI_OTHER) != 0 || cp == 0xFFFD;
}

/* Reordering, accent stripping and lowercasing of the pending pieces. */
static int flush_bert(pending *q, tok_normalized *out, tok_span *last,
                      bool lower)
{
    if (sort_run(q, q->run, q->np) ||
        tok_normalized_reserve(out, 2 * pending_bytes(q)))
        return TOK_ENOMEM;
    span_walk w = {q->s->spans, q->nc, 0, *last};
    for (size_t i = 0; i < q->np; i++) {
        norm_piece p = q->s->pieces[i];
        tok_span sp = walk_span(&w, p.change);
        if (p.cp >= 0x300 && is_bert_mn(p.cp))
            continue;
        put_lower(out, p.cp, sp, lower);
    }
    *last = w.last;
    q->np = q->nc = q->run = 0;
    return TOK_OK;
}

static int norm_bert(const tok_normalizer *n, const char *text,
                     const tok_span *align, size_t len, tok_normalized *out,
                     tok_norm_scratch *s)
{
    bool clean = n->u.bert.clean_text;
    bool cjk = n->u.bert.handle_chinese_chars;
    bool lower = n->u.bert.lowercase;
    bool strip = n->u.bert.strip_accents < 0 ? lower
                                             : n->u.bert.strip_accents != 0;
    const unsigned char *u = (const unsigned char *)text;
    pending q = {s, 0, 0, 0, false};
    tok_span last = {len ? align[0].start : 0, len ? align[0].start : 0};
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            /* A control clean_text deletes goes before NFD, so marks
             * around it still form one run to reorder. */
            if (q.np && clean && (u[i] < 0x20 || u[i] == 0x7F) &&
                u[i] != '\t' && u[i] != '\n' && u[i] != '\r') {
                i++;
                continue;
            }
            /* The hot path: a run of ASCII, which NFD never touches. */
            if (q.np && flush_bert(&q, out, &last, lower))
                return TOK_ENOMEM;
            if (tok_normalized_reserve(out, len - i))
                return TOK_ENOMEM;
            size_t j = bert_ascii(u, align, i, len, out, clean, lower);
            last = align[j - 1];
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k;
        if (decode(text, len, i, &cp, &k))
            return TOK_EUTF8;
        tok_span sp = align[i];
        i += k;
        if (clean) {
            if (is_bert_control_high(cp))
                continue;
            if (tok_uni_props(cp) & TOK_UNI_SPACE)
                cp = ' ';
        }
        bool ideograph = cjk && cp >= 0x3400 && tok_uni_is_cjk(cp);
        if (strip) {
            /* A character NFD leaves alone and that sorts first (most
             * letters of most scripts) ends the run before it: flush the
             * run, then write it straight away, as the flush would. */
            norm_piece d[MAX_DECOMP];
            if (decompose(cp, false, d) == 1 && d[0].ccc == 0) {
                if (q.np && flush_bert(&q, out, &last, lower))
                    return TOK_ENOMEM;
                if (tok_normalized_reserve(out, ideograph ? 6 : 12))
                    return TOK_ENOMEM;
                last = sp;
                cp = d[0].cp;       /* a singleton: U+2126 is U+03A9 */
                if (ideograph) {
                    put(out, ' ', sp);
                    put(out, cp, sp);
                    put(out, ' ', sp);
                } else if (cp < 0x300 || !is_bert_mn(cp)) {
                    put_lower(out, cp, sp, lower);
                }
                continue;
            }
        }
        if (!strip) {
            if (tok_normalized_reserve(out, ideograph ? 6 : 12))
                return TOK_ENOMEM;
            if (ideograph) {
                put(out, ' ', sp);
                put(out, cp, sp);
                put(out, ' ', sp);
            } else {
                put_lower(out, cp, sp, lower);
            }
            last = sp;
            continue;
        }
        /* Text without ASCII would pile up: a starter may start afresh. */
        if (q.np >= 1024 && starts_run(ideograph ? ' ' : cp) &&
            flush_bert(&q, out, &last, lower))
            return TOK_ENOMEM;
        if (ideograph) {
            if (pending_push(&q, ' ', sp) || pending_push(&q, cp, sp) ||
                pending_push(&q, ' ', sp))
                return TOK_ENOMEM;
        } else if (pending_push(&q, cp, sp)) {
            return TOK_ENOMEM;
        }
    }
    if (q.np && flush_bert(&q, out, &last, lower))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* ---- The small normalizers ---- */

static int norm_lowercase(const char *text, const tok_span *align,
                          size_t len, tok_normalized *out)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            size_t j = i + 1;
            while (j < len && u[j] < 0x80)
                j++;
            if (tok_normalized_reserve(out, j - i))
                return TOK_ENOMEM;
            char *d = out->text + out->len;
            size_t x = i;
            for (; j - x >= 8; x += 8) {
                uint64_t w;
                memcpy(&w, u + x, 8);
                w = lower8(w);
                memcpy(d + (x - i), &w, 8);
            }
            for (; x < j; x++) {
                unsigned c = u[x];
                d[x - i] = (char)(c + ((unsigned)(c - 'A' < 26u) << 5));
            }
            memcpy(out->align + out->len, align + i,
                   (j - i) * sizeof *align);
            out->len += j - i;
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k;
        if (decode(text, len, i, &cp, &k))
            return TOK_EUTF8;
        if (tok_normalized_reserve(out, 12))
            return TOK_ENOMEM;
        put_lower(out, cp, align[i], true);
        i += k;
    }
    return TOK_OK;
}

/* StripAccents drops the marks of the text as it is: no NFD first. */
static int norm_strip_accents(const char *text, const tok_span *align,
                              size_t len, tok_normalized *out)
{
    size_t from = 0, i = 0;
    while (i < len) {
        if ((unsigned char)text[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k;
        if (decode(text, len, i, &cp, &k))
            return TOK_EUTF8;
        if (IN_TABLE(combining_marks, cp)) {
            if (tok_normalized_append_aligned(out, text + from,
                                              align + from, i - from))
                return TOK_ENOMEM;
            from = i + k;
        }
        i += k;
    }
    return tok_normalized_append_aligned(out, text + from, align + from,
                                         len - from);
}

static int norm_strip(const tok_normalizer *n, const char *text,
                      const tok_span *align, size_t len, tok_normalized *out)
{
    size_t a = 0, b = len;
    uint32_t cp;
    size_t k;
    if (n->u.strip.left) {
        while (a < len) {
            if (decode(text, len, a, &cp, &k))
                return TOK_EUTF8;
            if (!tok_uni_is_space(cp))
                break;
            a += k;
        }
    }
    if (n->u.strip.right) {
        while (b > a) {
            size_t c = b - 1;
            while (c > a && ((unsigned char)text[c] & 0xC0) == 0x80)
                c--;
            if (decode(text, len, c, &cp, &k))
                return TOK_EUTF8;
            if (!tok_uni_is_space(cp))
                break;
            b = c;
        }
    }
    return tok_normalized_append_aligned(out, text + a, align + a, b - a);
}

/* Plain-string Replace: leftmost non-overlapping matches, found with
 * Knuth-Morris-Pratt so that no pattern makes it quadratic.  The
 * replacement gets the span of the last character of the match. */
static int norm_replace(const tok_normalizer *n, const char *text,
                        const tok_span *align, size_t len,
                        tok_normalized *out, tok_norm_scratch *s)
{
    const char *pat = n->u.replace.pattern;
    const char *rep = n->u.replace.content ? n->u.replace.content : "";
    size_t m = pat ? strlen(pat) : 0;
    size_t rlen = strlen(rep);
    if (m == 0)
        return TOK_EINVAL;
    if (TOK_GROW(s->cps, s->cps_cap, m))
        return TOK_ENOMEM;
    uint32_t *fail = s->cps;
    fail[0] = 0;
    for (size_t i = 1, j = 0; i < m; i++) {
        while (j > 0 && pat[i] != pat[j])
            j = fail[j - 1];
        if (pat[i] == pat[j])
            j++;
        fail[i] = (uint32_t)j;
    }
    size_t from = 0;
    for (size_t i = 0, j = 0; i < len; i++) {
        while (j > 0 && text[i] != pat[j])
            j = fail[j - 1];
        if (text[i] == pat[j])
            j++;
        if (j < m)
            continue;
        size_t start = i + 1 - m;
        if (tok_normalized_append_aligned(out, text + from, align + from,
                                          start - from) ||
            tok_normalized_append(out, rep, rlen, align[i]))
            return TOK_ENOMEM;
        from = i + 1;
        j = 0;
    }
    return tok_normalized_append_aligned(out, text + from, align + from,
                                         len - from);
}

/* Prepend: HF's added characters take the span of the first character
 * (its first byte for the first one, its last byte after that), and with
 * nothing to prepend the first character itself gets an empty span at the
 * start. */
static int norm_prepend(const tok_normalizer *n, const char *text,
                        const tok_span *align, size_t len,
                        tok_normalized *out)
{
    if (len == 0)
        return TOK_OK;
    const char *pre = n->u.prepend.prepend ? n->u.prepend.prepend : "";
    size_t plen = strlen(pre);
    uint32_t cp;
    size_t k;
    if (decode(text, len, 0, &cp, &k))
        return TOK_EUTF8;
    tok_span first = align[0], added = align[k - 1];
    if (plen == 0)
        added = (tok_span){align[0].start, align[0].start};
    if (tok_normalized_reserve(out, plen + k))
        return TOK_ENOMEM;
    for (size_t i = 0; i < plen;) {
        size_t pk;
        if (decode(pre, plen, i, &cp, &pk))
            return TOK_EUTF8;
        if (tok_normalized_append(out, pre + i, pk, i ? added : first))
            return TOK_ENOMEM;
        i += pk;
    }
    if (tok_normalized_append(out, text, k, added))
        return TOK_ENOMEM;
    return tok_normalized_append_aligned(out, text + k, align + k, len - k);
}

/* ---- Dispatch and Sequence ---- */

static int normalize_one(const tok_normalizer *n, const char *text,
                         const tok_span *align, size_t len,
                         tok_normalized *out, tok_norm_scratch *s)
{
    switch (n->type) {
    case TOK_NORM_BERT:
        return norm_bert(n, text, align, len, out, s);
    case TOK_NORM_NFC:
        return norm_nf(text, align, len, false, true, out, s);
    case TOK_NORM_NFD:
        return norm_nf(text, align, len, false, false, out, s);
    case TOK_NORM_NFKC:
        return norm_nf(text, align, len, true, true, out, s);
    case TOK_NORM_NFKD:
        return norm_nf(text, align, len, true, false, out, s);
    case TOK_NORM_LOWERCASE:
        return norm_lowercase(text, align, len, out);
    case TOK_NORM_STRIP_ACCENTS:
        return norm_strip_accents(text, align, len, out);
    case TOK_NORM_STRIP:
        return norm_strip(n, text, align, len, out);
    case TOK_NORM_REPLACE:
        return norm_replace(n, text, align, len, out, s);
    case TOK_NORM_PREPEND:
        return norm_prepend(n, text, align, len, out);
    case TOK_NORM_SEQUENCE:
        break;
    }
    return TOK_EINVAL;
}

/* Nested sequences are flattened: leaves run in order, each writing into
 * the scratch buffer the previous one did not, the last one into out. */
typedef struct seq_walk {
    size_t leaves, done;
    const char *text;
    const tok_span *align;
    size_t len;
    tok_normalized *out;
    tok_norm_scratch *s;
} seq_walk;

/* Sequences nest at most this deep (a bound on the recursion). */
#define MAX_DEPTH 64

static size_t count_leaves(const tok_normalizer *n, int depth, bool *ok)
{
    if (!n || n->type != TOK_NORM_SEQUENCE)
        return 1;
    if (depth > MAX_DEPTH) {
        *ok = false;
        return 0;
    }
    size_t c = 0;
    for (size_t i = 0; i < n->u.seq.n; i++)
        c += count_leaves(n->u.seq.items[i], depth + 1, ok);
    return c;
}

static int run_leaves(const tok_normalizer *n, seq_walk *w, int depth)
{
    if (n && n->type == TOK_NORM_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.n; i++) {
            int rc = run_leaves(n->u.seq.items[i], w, depth + 1);
            if (rc)
                return rc;
        }
        return TOK_OK;
    }
    tok_normalized *dst;
    if (++w->done == w->leaves) {
        dst = w->out;
    } else {
        dst = w->text == w->s->a.text ? &w->s->b : &w->s->a;
        tok_normalized_clear(dst);
    }
    int rc = n ? normalize_one(n, w->text, w->align, w->len, dst, w->s)
               : tok_normalized_append_aligned(dst, w->text, w->align,
                                               w->len);
    if (rc)
        return rc;
    if (dst != w->out) {
        if (tok_normalized_reserve(dst, 0))
            return TOK_ENOMEM;
        w->text = dst->text;
        w->align = dst->align;
        w->len = dst->len;
    }
    return TOK_OK;
}

int tok_normalize(const tok_normalizer *n, const char *text,
                  const tok_span *align, size_t len, tok_normalized *out,
                  tok_norm_scratch *scratch)
{
    int rc;
    if (len == 0) {
        /* No normalizer makes text out of nothing (Prepend included). */
        rc = TOK_OK;
    } else if (!n) {
        rc = tok_normalized_append_aligned(out, text, align, len);
    } else if (!scratch) {
        rc = TOK_EINVAL;
    } else if (n->type != TOK_NORM_SEQUENCE) {
        rc = normalize_one(n, text, align, len, out, scratch);
    } else {
        bool ok = true;
        size_t leaves = count_leaves(n, 0, &ok);
        if (!ok)
            return TOK_EINVAL;
        if (leaves == 0) {
            rc = tok_normalized_append_aligned(out, text, align, len);
        } else {
            seq_walk w = {leaves, 0, text, align, len, out, scratch};
            rc = run_leaves(n, &w, 0);
        }
    }
    if (rc)
        return rc;
    if (tok_normalized_reserve(out, 0))
        return TOK_ENOMEM;
    out->text[out->len] = '\0';
    return TOK_OK;
}

void tok_norm_scratch_dispose(tok_norm_scratch *s)
{
    tok_normalized_dispose(&s->a);
    tok_normalized_dispose(&s->b);
    tok_free(s->cps);
    tok_free(s->pieces);
    tok_free(s->spans);
    s->cps = NULL;
    s->pieces = NULL;
    s->spans = NULL;
    s->cps_cap = s->pieces_cap = s->spans_cap = 0;
}
