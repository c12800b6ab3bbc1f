/* decode: the decoder stage, which turns token strings back into text the
 * way Hugging Face's decode_chain does, one decoder after the other over
 * a list of strings, then joins the list. */
#include <pthread.h>
#include <string.h>

#include "bytelevel.h"
#include "decode.h"
#include "utf8.h"

/* ------------------------------------------------------------------------
 * Building a list piece by piece, in buffers reused from call to call
 * ------------------------------------------------------------------------ */

static void sl_reset(tok_strlist *l)
{
    l->n = 0;
    l->data_len = 0;
}

/* Makes room for n more bytes (and the NUL kept after the data). */
static int sl_room(tok_strlist *l, size_t n)
{
    if (n >= UINT32_MAX - l->data_len)
        return TOK_ENOMEM;
    if (l->data_len + n + 1 > l->data_cap &&
        TOK_GROW(l->data, l->data_cap, l->data_len + n + 1))
        return TOK_ENOMEM;
    return TOK_OK;
}

/* Starts a piece at the end of the data. */
static int sl_open(tok_strlist *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap;
        if (TOK_GROW(l->off, cap, l->n + 1))
            return TOK_ENOMEM;
        uint32_t *lens = tok_realloc(l->len, cap * sizeof *lens);
        if (!lens)
            return TOK_ENOMEM;
        l->len = lens;
        l->cap = cap;
    }
    if (sl_room(l, 0))
        return TOK_ENOMEM;
    l->off[l->n] = (uint32_t)l->data_len;
    return TOK_OK;
}

static int sl_put(tok_strlist *l, const void *s, size_t n)
{
    if (sl_room(l, n))
        return TOK_ENOMEM;
    if (n)
        memcpy(l->data + l->data_len, s, n);
    l->data_len += n;
    return TOK_OK;
}

static void sl_close(tok_strlist *l)
{
    l->len[l->n] = (uint32_t)(l->data_len - l->off[l->n]);
    l->n++;
    if (l->data)
        l->data[l->data_len] = '\0';
}

static int sl_piece(tok_strlist *l, const void *s, size_t n)
{
    if (sl_open(l) || sl_put(l, s, n))
        return TOK_ENOMEM;
    sl_close(l);
    return TOK_OK;
}

static inline const char *piece(const tok_strlist *l, size_t i, size_t *n)
{
    *n = l->len[i];
    return l->data + l->off[i];
}

/* The length of the character at s[i]; an invalid byte counts as one, as
 * tok treats stray bytes everywhere. */
static inline size_t char_len(const char *s, size_t n, size_t i)
{
    uint32_t cp;
    size_t k = tok_utf8_decode((const unsigned char *)s, n, i, &cp);
    return k ? k : 1;
}

static inline bool starts_with(const char *s, size_t n, const char *p,
                               size_t pn)
{
    /* The first byte settles most tests without a call. */
    return n >= pn && (pn == 0 || (s[0] == p[0] && memcmp(s, p, pn) == 0));
}

/* Appends s with every occurrence of pat replaced by rep, scanning left
 * to right without overlaps (Rust's str::replace).  An empty pattern
 * matches before every character and at the end, as in Rust. */
static int put_replaced(tok_strlist *o, const char *s, size_t n,
                        const char *pat, size_t pn, const char *rep,
                        size_t rn)
{
    size_t i = 0, from = 0;
    if (pn == 0) {
        while (i < n) {
            size_t k = char_len(s, n, i);
            if (sl_put(o, rep, rn) || sl_put(o, s + i, k))
                return TOK_ENOMEM;
            i += k;
        }
        return sl_put(o, rep, rn);
    }
    while (i + pn <= n) {
        const char *hit = memchr(s + i, pat[0], n - pn + 1 - i);
        if (!hit)
            break;
        i = (size_t)(hit - s);
        if (memcmp(hit, pat, pn) == 0) {
            if (sl_put(o, s + from, i - from) || sl_put(o, rep, rn))
                return TOK_ENOMEM;
            i += pn;
            from = i;
        } else {
            i++;
        }
    }
    return sl_put(o, s + from, n - from);
}

/* ------------------------------------------------------------------------
 * The decoders, each from list `in` to list `o`
 * ------------------------------------------------------------------------ */

/* Hugging Face's WordPiece cleanup, applied to one token at a time: each
 * rule in turn over the whole token, as its chain of str::replace does. */
#define RULE(from, to) {from, to, sizeof from - 1, sizeof to - 1}
static const struct {
    const char *from, *to;
    size_t fn, tn;
} cleanup_rules[] = {
    RULE(" .", "."),    RULE(" ?", "?"),      RULE(" !", "!"),
    RULE(" ,", ","),    RULE(" ' ", "'"),     RULE(" n't", "n't"),
    RULE(" 'm", "'m"),  RULE(" do not", " don't"), RULE(" 's", "'s"),
    RULE(" 've", "'ve"), RULE(" 're", "'re"),
};
#undef RULE

/* Every rule starts with a space and then one of . ? ! , ' or "n't" or
 * "do not": where no space is followed by one, no rule matches and the
 * token stays as it is (the common case, " word"), so the rules need not
 * run. */
static bool may_clean(const char *s, size_t n)
{
    /* Tokens are short: a plain loop beats a call to memchr. */
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != ' ')
            continue;
        const char *t = s + i + 1;
        size_t left = n - i - 1;
        switch (t[0]) {
        case '.': case '?': case '!': case ',': case '\'':
            return true;
        case 'n':
            if (starts_with(t, left, "n't", 3))
                return true;
            break;
        case 'd':
            if (starts_with(t, left, "do not", 6))
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

/* Each rule makes the text no longer, so it can rewrite the piece in
 * place: the write position never passes the read position. */
static size_t cleanup_in_place(char *s, size_t n)
{
    if (!may_clean(s, n))
        return n;
    for (size_t r = 0; r < sizeof cleanup_rules / sizeof *cleanup_rules;
         r++) {
        const char *from = cleanup_rules[r].from, *to = cleanup_rules[r].to;
        size_t fn = cleanup_rules[r].fn, tn = cleanup_rules[r].tn;
        size_t rd = 0, wr = 0;
        while (rd < n) {
            if (s[rd] == ' ' && starts_with(s + rd, n - rd, from, fn)) {
                memmove(s + wr, to, tn);
                wr += tn;
                rd += fn;
            } else {
                s[wr++] = s[rd++];
            }
        }
        n = wr;
    }
    return n;
}

static int dec_wordpiece(const tok_decoder *d, const tok_strlist *in,
                         tok_strlist *o)
{
    const char *prefix = d->u.wordpiece.prefix ? d->u.wordpiece.prefix : "";
    size_t pn = strlen(prefix);
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        if (sl_open(o))
            return TOK_ENOMEM;
        if (i > 0 && starts_with(s, n, prefix, pn)) {
            s += pn;
            n -= pn;
        } else if (i > 0 && sl_put(o, " ", 1)) {
            return TOK_ENOMEM;
        }
        if (sl_put(o, s, n))
            return TOK_ENOMEM;
        if (d->u.wordpiece.cleanup) {
            char *p = o->data + o->off[o->n];
            size_t len = o->data_len - o->off[o->n];
            o->data_len = o->off[o->n] + cleanup_in_place(p, len);
        }
        sl_close(o);
    }
    return TOK_OK;
}

/* Byte-level character -> byte, for code points below 324 (-1: not in
 * the alphabet), filled once. */
static int16_t bl_byte[324];
static pthread_once_t bl_once = PTHREAD_ONCE_INIT;

static void bl_init(void)
{
    for (uint32_t cp = 0; cp < 324; cp++)
        bl_byte[cp] = (int16_t)tok_bytelevel_byte(cp);
}

/* The byte of the byte-level character at s[i] (its length in *cl), or
 * -1.  The alphabet has only one- and two-byte characters. */
static inline int bl_char(const unsigned char *s, size_t n, size_t i,
                          size_t *cl)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cl = 1;
        return bl_byte[c];
    }
    if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
        uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | (s[i + 1] & 0x3Fu);
        *cl = 2;
        return cp < 324 ? bl_byte[cp] : -1;
    }
    return -1;
}

/* Maps the byte-level alphabet back to bytes and joins everything.  A
 * token with a character outside the alphabet goes through as it is, as
 * in Hugging Face; unlike Hugging Face, bytes that do not form valid UTF-8
 * stay as they are (no U+FFFD), so decoding gives back the input bytes. */
static int dec_bytelevel(const tok_strlist *in, tok_strlist *o)
{
    pthread_once(&bl_once, bl_init);
    if (sl_open(o))
        return TOK_ENOMEM;
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const unsigned char *s = (const unsigned char *)piece(in, i, &n);
        if (sl_room(o, n))
            return TOK_ENOMEM;
        /* Every byte-level character decodes to one byte and takes one
         * or two, so n bytes of room is enough. */
        char *w = o->data + o->data_len;
        size_t k = 0, at = 0;
        while (at < n) {
            size_t cl;
            int b = bl_char(s, n, at, &cl);
            if (b < 0)
                break;
            w[k++] = (char)b;
            at += cl;
        }
        if (at < n) {
            memcpy(w, s, n);
            k = n;
        }
        o->data_len += k;
    }
    sl_close(o);
    return TOK_OK;
}

/* The replacement character becomes a space, except in the first token
 * when a space was prepended (prepend_scheme not "never"): there every
 * replacement character is dropped, as Hugging Face does. */
static int dec_metaspace(const tok_decoder *d, const tok_strlist *in,
                         tok_strlist *o)
{
    const char *rep = d->u.metaspace.replacement;
    size_t rn = strnlen(rep, sizeof d->u.metaspace.replacement);
    bool prepended = d->u.metaspace.prepend_scheme != TOK_PREPEND_NEVER;
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        if (sl_open(o))
            return TOK_ENOMEM;
        if (rn == 0) {
            if (sl_put(o, s, n))
                return TOK_ENOMEM;
        } else {
            bool drop = i == 0 && prepended;
            if (put_replaced(o, s, n, rep, rn, " ", drop ? 0 : 1))
                return TOK_ENOMEM;
        }
        sl_close(o);
    }
    return TOK_OK;
}

/* The suffix marks a word's end: a space, except in the last token. */
static int dec_bpe(const tok_decoder *d, const tok_strlist *in,
                   tok_strlist *o)
{
    const char *suffix = d->u.bpe.suffix ? d->u.bpe.suffix : "";
    size_t sn = strlen(suffix);
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        bool last = i + 1 == in->n;
        if (sl_open(o) ||
            put_replaced(o, s, n, suffix, sn, " ", last ? 0 : 1))
            return TOK_ENOMEM;
        sl_close(o);
    }
    return TOK_OK;
}

/* The byte of a "<0xXX>" token.  Rust's u8::from_str_radix also takes a
 * leading '+', so "<0x+A>" is byte 0x0A there too. */
static int fallback_byte(const char *s, size_t n)
{
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>')
        return -1;
    int v = 0;
    for (size_t i = 3; i < 5; i++) {
        char c = s[i];
        int x = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
              : -1;
        if (x < 0 && !(i == 3 && c == '+'))
            return -1;
        v = x < 0 ? v : v * 16 + x;
    }
    return v;
}

/* A run of byte tokens becomes one string when it is valid UTF-8, else
 * one U+FFFD per byte, as in Hugging Face.  The run's bytes wait at the
 * end of o's data, just past its pieces, so a valid run becomes a piece
 * where it lies; an invalid one needs only its length. */
static int flush_run(tok_strlist *o, size_t run)
{
    if (run == 0)
        return TOK_OK;
    if (tok_utf8_validate(o->data + o->data_len, run) == run) {
        if (sl_open(o))
            return TOK_ENOMEM;
        o->data_len += run;
        sl_close(o);
        return TOK_OK;
    }
    for (size_t i = 0; i < run; i++)
        if (sl_piece(o, "\xEF\xBF\xBD", 3))
            return TOK_ENOMEM;
    return TOK_OK;
}

static int dec_byte_fallback(const tok_strlist *in, tok_strlist *o)
{
    size_t run = 0;
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        int b = fallback_byte(s, n);
        if (b >= 0) {
            if (sl_room(o, run + 1))
                return TOK_ENOMEM;
            o->data[o->data_len + run++] = (char)b;
            continue;
        }
        if (flush_run(o, run) || sl_piece(o, s, n))
            return TOK_ENOMEM;
        run = 0;
    }
    return flush_run(o, run);
}

static int dec_fuse(const tok_strlist *in, tok_strlist *o)
{
    if (sl_open(o))
        return TOK_ENOMEM;
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        if (sl_put(o, s, n))
            return TOK_ENOMEM;
    }
    sl_close(o);
    return TOK_OK;
}

/* Removes up to `start` leading and `stop` trailing copies of the content
 * character.  Where Hugging Face would panic (more to strip than the
 * token holds), the token becomes empty. */
static int dec_strip(const tok_decoder *d, const tok_strlist *in,
                     tok_strlist *o)
{
    const char *c = d->u.strip.content ? d->u.strip.content : "";
    size_t cn = strlen(c);
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        size_t a = 0, z = n;
        for (size_t k = 0; cn && k < d->u.strip.start && a < n; k++) {
            if (!starts_with(s + a, n - a, c, cn) ||
                char_len(s, n, a) != cn)
                break;
            a += cn;
        }
        for (size_t k = 0; cn && k < d->u.strip.stop && z >= cn; k++) {
            if (memcmp(s + z - cn, c, cn) != 0 ||
                char_len(s, n, z - cn) != cn)
                break;
            z -= cn;
        }
        if (sl_piece(o, s + a, z > a ? z - a : 0))
            return TOK_ENOMEM;
    }
    return TOK_OK;
}

static int dec_replace(const tok_decoder *d, const tok_strlist *in,
                       tok_strlist *o)
{
    const char *pat = d->u.replace.pattern ? d->u.replace.pattern : "";
    const char *rep = d->u.replace.content ? d->u.replace.content : "";
    size_t pn = strlen(pat), rn = strlen(rep);
    for (size_t i = 0; i < in->n; i++) {
        size_t n;
        const char *s = piece(in, i, &n);
        if (sl_open(o))
            return TOK_ENOMEM;
        /* An empty token has no match, even for an empty pattern. */
        if (n > 0 && put_replaced(o, s, n, pat, pn, rep, rn))
            return TOK_ENOMEM;
        sl_close(o);
    }
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * The chain
 * ------------------------------------------------------------------------ */

static int stage(const tok_decoder *d, const tok_strlist *in, tok_strlist *o)
{
    sl_reset(o);
    switch (d->type) {
    case TOK_DEC_WORDPIECE:
        return dec_wordpiece(d, in, o);
    case TOK_DEC_BYTELEVEL:
        return dec_bytelevel(in, o);
    case TOK_DEC_METASPACE:
        return dec_metaspace(d, in, o);
    case TOK_DEC_BPE:
        return dec_bpe(d, in, o);
    case TOK_DEC_BYTE_FALLBACK:
        return dec_byte_fallback(in, o);
    case TOK_DEC_FUSE:
        return dec_fuse(in, o);
    case TOK_DEC_STRIP:
        return dec_strip(d, in, o);
    case TOK_DEC_REPLACE:
        return dec_replace(d, in, o);
    case TOK_DEC_SEQUENCE:
        break;
    }
    return TOK_EUNSUPPORTED;
}

/* Runs d from *cur into *spare and swaps them, so *cur holds the result;
 * a Sequence does so for each of its decoders. */
static int chain(const tok_decoder *d, tok_strlist **cur,
                 tok_strlist **spare)
{
    if (d->type == TOK_DEC_SEQUENCE) {
        for (size_t i = 0; i < d->u.seq.n; i++) {
            int rc = chain(d->u.seq.items[i], cur, spare);
            if (rc)
                return rc;
        }
        return TOK_OK;
    }
    int rc = stage(d, *cur, *spare);
    if (rc)
        return rc;
    tok_strlist *t = *cur;
    *cur = *spare;
    *spare = t;
    return TOK_OK;
}

int tok_decoder_run(const tok_decoder *d, tok_strlist *in, tok_strlist *tmp,
                    tok_buffer *out, tok_error *err)
{
    tok_strlist *cur = in, *spare = tmp;
    if (d) {
        int rc = chain(d, &cur, &spare);
        if (rc == TOK_EUNSUPPORTED)
            return tok_error_set(err, rc, "unknown decoder type %d",
                                 (int)d->type);
        if (rc)
            return tok_error_set(err, rc, "out of memory");
    }
    size_t total = 0;
    for (size_t i = 0; i < cur->n; i++)
        total += cur->len[i];
    if (tok_buffer_reserve(out, total))
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    for (size_t i = 0; i < cur->n; i++) {
        size_t n;
        const char *s = piece(cur, i, &n);
        if (n)
            memcpy(out->data + out->len, s, n);
        out->len += n;
    }
    out->data[out->len] = '\0';
    return TOK_OK;
}
