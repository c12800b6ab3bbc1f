/* Tests for the pre-tokenizer stage (src/lib/pretokenize.c): pieces and
 * alignments against fixtures made by Hugging Face tokenizers 0.23.2
 * (tests/gen/gen_pretokenize_fixtures.js), and corner cases by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytelevel.h"
#include "common.h"
#include "pretokenize.h"
#include "utf8.h"

/* ---- a pre-tokenizer state over an original text ---- */

typedef struct ctx {
    tok_normalized text, spare;
    tok_splits splits, next;
    tok_pretok_state st;
    /* code point index of every byte of the original text (len + 1) */
    size_t *cp;
    size_t len;
} ctx;

static void ctx_init(ctx *c)
{
    memset(c, 0, sizeof *c);
    c->st.text = &c->text;
    c->st.spare = &c->spare;
    c->st.splits = &c->splits;
    c->st.next = &c->next;
    c->st.first_piece = true;
}

static void ctx_dispose(ctx *c)
{
    tok_normalized_dispose(&c->text);
    tok_normalized_dispose(&c->spare);
    tok_splits_dispose(&c->splits);
    tok_splits_dispose(&c->next);
    free(c->cp);
    c->cp = NULL;
}

static size_t char_len(const char *s, size_t len, size_t i)
{
    uint32_t cp;
    size_t n = tok_utf8_decode((const unsigned char *)s, len, i, &cp);
    return n ? n : 1;
}

/* Loads s as Hugging Face's NormalizedString::from does (every byte
 * aligned to its character's byte range; an invalid byte is a character of
 * its own), then cuts out the added tokens (leftmost, longest first), as
 * AddedVocabulary does before pre-tokenization.  Token k gets id k. */
static void load_added(ctx *c, const char *s, size_t len,
                       char *const *tokens, size_t ntokens)
{
    tok_normalized_clear(&c->text);
    c->splits.len = 0;
    free(c->cp);
    c->cp = malloc((len + 1) * sizeof *c->cp);
    assert_non_null(c->cp);
    c->len = len;
    size_t ncp = 0;
    for (size_t i = 0; i < len;) {
        size_t n = char_len(s, len, i);
        tok_span span = {(uint32_t)i, (uint32_t)(i + n)};
        assert_int_equal(tok_normalized_append(&c->text, s + i, n, span), 0);
        for (size_t k = 0; k < n; k++)
            c->cp[i + k] = ncp;
        ncp++;
        i += n;
    }
    c->cp[len] = ncp;

    size_t run = 0;
    for (size_t i = 0; i < len;) {
        size_t best = 0, id = 0;
        for (size_t k = 0; k < ntokens; k++) {
            size_t tl = strlen(tokens[k]);
            if (tl > best && tl <= len - i && !memcmp(s + i, tokens[k], tl)) {
                best = tl;
                id = k;
            }
        }
        if (best == 0) {
            i++;
            continue;
        }
        if (run < i)
            assert_int_equal(tok_splits_push(&c->splits, (uint32_t)run,
                                              (uint32_t)i, -1), 0);
        assert_int_equal(tok_splits_push(&c->splits, (uint32_t)i,
                                          (uint32_t)(i + best),
                                          (int32_t)id), 0);
        i += best;
        run = i;
    }
    if (run < len)
        assert_int_equal(tok_splits_push(&c->splits, (uint32_t)run,
                                          (uint32_t)len, -1), 0);
}

static void load(ctx *c, const char *s)
{
    load_added(c, s, strlen(s), NULL, 0);
}

/* The original span of piece k, in code points. */
static void piece_span(const ctx *c, size_t k, size_t *a, size_t *b)
{
    const tok_split *p = &c->splits.v[k];
    assert_true(p->start < p->end);
    *a = c->cp[c->text.align[p->start].start];
    *b = c->cp[c->text.align[p->end - 1].end];
}

/* "piece|piece|..." of the current pieces, for readable assertions. */
static const char *pieces(const ctx *c)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < c->splits.len; k++) {
        const tok_split *p = &c->splits.v[k];
        int w = snprintf(buf + n, sizeof buf - n, "%s%.*s", k ? "|" : "",
                         (int)(p->end - p->start), c->text.text + p->start);
        assert_true(w >= 0 && (size_t)w < sizeof buf - n);
        n += (size_t)w;
    }
    return buf;
}

/* "a:b a:b ..." of the pieces' original spans in code points. */
static const char *spans(const ctx *c)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < c->splits.len; k++) {
        size_t a, b;
        piece_span(c, k, &a, &b);
        int w = snprintf(buf + n, sizeof buf - n, "%s%zu:%zu", k ? " " : "",
                         a, b);
        assert_true(w >= 0 && (size_t)w < sizeof buf - n);
        n += (size_t)w;
    }
    return buf;
}

/* ---- building pre-tokenizers from the fixtures' item syntax ---- */

static size_t unhex(const char *h, size_t hl, char *out)
{
    size_t n = hl / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (char)v;
    }
    return n;
}

static tok_split_behavior behavior(const char *s, size_t n)
{
    static const char *names[] = {"removed", "isolated",
                                  "merged_with_previous", "merged_with_next",
                                  "contiguous"};
    for (size_t i = 0; i < 5; i++)
        if (strlen(names[i]) == n && !memcmp(names[i], s, n))
            return (tok_split_behavior)i;
    fail_msg("unknown behavior %.*s", (int)n, s);
    return TOK_SPLIT_REMOVED;
}

/* One item "name:field:field" (fields may be empty). */
static tok_pretok *item(const char *spec, size_t len)
{
    /* Fields the spec leaves out are empty. */
    const char *f[5] = {"", "", "", "", ""};
    size_t fl[5] = {0}, nf = 0;
    const char *p = spec, *end = spec + len;
    while (nf < 5) {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *stop = colon ? colon : end;
        f[nf] = p;
        fl[nf++] = (size_t)(stop - p);
        if (!colon)
            break;
        p = colon + 1;
    }
#define IS(name) (fl[0] == strlen(name) && !memcmp(f[0], name, fl[0]))
    tok_pretok *t = NULL;
    if (IS("bert")) {
        t = tok_pretok_new(TOK_PT_BERT);
    } else if (IS("whitespace")) {
        t = tok_pretok_new(TOK_PT_WHITESPACE);
    } else if (IS("whitespace_split")) {
        t = tok_pretok_new(TOK_PT_WHITESPACE_SPLIT);
    } else if (IS("punctuation")) {
        t = tok_pretok_new(TOK_PT_PUNCTUATION);
        assert_non_null(t);
        t->u.punct.behavior = behavior(f[1], fl[1]);
    } else if (IS("digits")) {
        t = tok_pretok_new(TOK_PT_DIGITS);
        assert_non_null(t);
        t->u.digits.individual_digits = f[1][0] == '1';
    } else if (IS("bytelevel")) {
        t = tok_pretok_new(TOK_PT_BYTELEVEL);
        assert_non_null(t);
        t->u.bytelevel.add_prefix_space = f[1][0] == '1';
        t->u.bytelevel.use_regex = f[2][0] == '1';
    } else if (IS("metaspace")) {
        t = tok_pretok_new(TOK_PT_METASPACE);
        assert_non_null(t);
        assert_true(fl[1] / 2 < sizeof t->u.metaspace.replacement);
        unhex(f[1], fl[1], t->u.metaspace.replacement);
        t->u.metaspace.prepend_scheme =
            f[2][0] == 'a' ? TOK_PREPEND_ALWAYS
            : f[2][0] == 'f' ? TOK_PREPEND_FIRST : TOK_PREPEND_NEVER;
        t->u.metaspace.split = f[3][0] == '1';
    } else if (IS("split")) {
        t = tok_pretok_new(TOK_PT_SPLIT);
        assert_non_null(t);
        t->u.split.pattern = tok_calloc(1, fl[1] / 2 + 1);
        assert_non_null(t->u.split.pattern);
        unhex(f[1], fl[1], t->u.split.pattern);
        t->u.split.behavior = behavior(f[2], fl[2]);
        t->u.split.invert = f[3][0] == '1';
    } else {
        fail_msg("unknown pre-tokenizer %.*s", (int)len, spec);
    }
#undef IS
    assert_non_null(t);
    return t;
}

/* Items separated by spaces; several make a Sequence. */
static tok_pretok *build(const char *spec)
{
    tok_pretok *items[8];
    size_t n = 0;
    const char *p = spec;
    while (*p) {
        size_t l = strcspn(p, " \n");
        assert_true(n < 8);
        items[n++] = item(p, l);
        p += l;
        while (*p == ' ' || *p == '\n')
            p++;
    }
    if (n == 1)
        return items[0];
    tok_pretok *seq = tok_pretok_new(TOK_PT_SEQUENCE);
    assert_non_null(seq);
    seq->u.seq.items = tok_malloc(n * sizeof *seq->u.seq.items);
    assert_non_null(seq->u.seq.items);
    memcpy(seq->u.seq.items, items, n * sizeof *items);
    seq->u.seq.n = n;
    return seq;
}

/* ---- fixtures ---- */

typedef struct text_rec {
    char *s;
    size_t len;
} text_rec;

static text_rec texts[1200];

static const char *data_dir(void)
{
    const char *d = getenv("TOK_TEST_DATA");
    return d && *d ? d : "tests/data";
}

static FILE *open_data(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/pretokenize/%s", data_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (set TOK_TEST_DATA)", path);
    return f;
}

static void load_texts(void)
{
    if (texts[0].s)
        return;
    FILE *f = open_data("texts.txt");
    static char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        unsigned long id = strtoul(line, NULL, 10);
        assert_true(id < sizeof texts / sizeof texts[0]);
        size_t hl = strcspn(tab + 1, "\r\n");
        texts[id].s = malloc(hl / 2 + 1);
        assert_non_null(texts[id].s);
        texts[id].len = unhex(tab + 1, hl, texts[id].s);
    }
    fclose(f);
    assert_non_null(texts[0].s);
}

/* Checks the characters of piece k against the fixture's span code. */
static void check_chars(const ctx *c, size_t k, const char *code,
                        size_t a, const char *where)
{
    const tok_split *p = &c->splits.v[k];
    size_t ps = a, pe = a;  /* span of the character before */
    bool first = true;
    for (size_t i = p->start; i < p->end;) {
        size_t n = char_len(c->text.text, p->end, i);
        tok_span sp = c->text.align[i];
        for (size_t j = 1; j < n; j++)
            if (c->text.align[i + j].start != sp.start ||
                c->text.align[i + j].end != sp.end)
                fail_msg("%s: piece %zu: bytes of one character have "
                         "different spans", where, k);
        size_t s = c->cp[sp.start], e = c->cp[sp.end];
        size_t xs, xe;
        if (*code == '=' && !first) {
            xs = ps;
            xe = pe;
            code++;
        } else if (*code == '+') {
            xs = pe;
            xe = pe + 1;
            code++;
        } else if (*code == '(') {
            int used = 0;
            assert_int_equal(sscanf(code, "(%zu,%zu)%n", &xs, &xe, &used), 2);
            code += used;
        } else {
            fail_msg("%s: piece %zu has more characters than expected",
                     where, k);
            return;
        }
        if (s != xs || e != xe)
            fail_msg("%s: piece %zu: character at byte %zu has span %zu:%zu, "
                     "Hugging Face gives %zu:%zu", where, k, i - p->start,
                     s, e, xs, xe);
        ps = xs;
        pe = xe;
        first = false;
        i += n;
    }
    if (*code)
        fail_msg("%s: piece %zu has fewer characters than expected (%s left)",
                 where, k, code);
}

/* Runs one fixture file: every text through the configuration, every
 * piece compared: count, spans, and for rewriting pre-tokenizers bytes and
 * the span of each character. */
static void run_fixture(const char *name)
{
    load_texts();
    FILE *f = open_data(name);
    static char line[1 << 18];
    tok_pretok *pt = NULL;
    char *added[8];
    size_t nadded = 0;
    size_t cases = 0;
    ctx c;
    ctx_init(&c);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#')
            continue;
        if (!strncmp(line, "config ", 7)) {
            pt = build(line + 7);
            continue;
        }
        if (!strncmp(line, "added ", 6)) {
            char *p = line + 6;
            while (*p) {
                size_t l = strcspn(p, " ");
                assert_true(nadded < 8);
                added[nadded] = calloc(1, l / 2 + 1);
                assert_non_null(added[nadded]);
                unhex(p, l, added[nadded]);
                nadded++;
                p += l;
                while (*p == ' ')
                    p++;
            }
            continue;
        }
        assert_non_null(pt);
        char *field = line;
        unsigned long id = strtoul(field, &field, 10);
        assert_true(id < sizeof texts / sizeof texts[0] && texts[id].s);
        char where[256];
        snprintf(where, sizeof where, "%s, text %lu", name, id);

        load_added(&c, texts[id].s, texts[id].len, added, nadded);
        int rc = tok_pretokenize(pt, &c.st);
        if (rc != 0)
            fail_msg("%s: tok_pretokenize returned %d", where, rc);
        size_t k = 0;
        while (*field == '\t') {
            field++;
            char *next = strchr(field, '\t');
            if (next)
                *next = '\0';
            if (k >= c.splits.len)
                fail_msg("%s: %zu pieces, Hugging Face gives more; got %s",
                         where, c.splits.len, pieces(&c));
            size_t xa, xb, a, b;
            int used = 0;
            assert_int_equal(sscanf(field, "%zu:%zu%n", &xa, &xb, &used), 2);
            piece_span(&c, k, &a, &b);
            if (a != xa || b != xb)
                fail_msg("%s: piece %zu spans %zu:%zu, Hugging Face gives "
                         "%zu:%zu; got %s [%s]", where, k, a, b, xa, xb,
                         pieces(&c), spans(&c));
            const tok_split *p = &c.splits.v[k];
            const char *rest = field + used;
            if (!strcmp(rest, ":T")) {
                if (p->id < 0)
                    fail_msg("%s: piece %zu should be an added token",
                             where, k);
            } else {
                if (p->id >= 0)
                    fail_msg("%s: piece %zu is not an added token", where, k);
                if (*rest == ':') {
                    const char *hx = rest + 1;
                    const char *colon = strchr(hx, ':');
                    assert_non_null(colon);
                    char bytes[4096];
                    size_t hl = (size_t)(colon - hx);
                    assert_true(hl / 2 <= sizeof bytes);
                    size_t bl = unhex(hx, hl, bytes);
                    if (bl != p->end - p->start ||
                        memcmp(bytes, c.text.text + p->start, bl))
                        fail_msg("%s: piece %zu is \"%.*s\", Hugging Face "
                                 "gives \"%.*s\"", where, k,
                                 (int)(p->end - p->start),
                                 c.text.text + p->start, (int)bl, bytes);
                    check_chars(&c, k, colon + 1, a, where);
                } else {
                    /* No rewriting: the piece is the original text. */
                    size_t sa = 0;
                    while (c.cp[sa] < xa)
                        sa++;
                    if (memcmp(c.text.text + p->start, texts[id].s + sa,
                               p->end - p->start))
                        fail_msg("%s: piece %zu is not the original text",
                                 where, k);
                }
            }
            k++;
            if (!next)
                break;
            field = next;
            *field = '\t';
        }
        if (k != c.splits.len)
            fail_msg("%s: %zu pieces, Hugging Face gives %zu; got %s",
                     where, c.splits.len, k, pieces(&c));
        cases++;
    }
    fclose(f);
    assert_true(cases >= 288);
    tok_pretok_free(pt);
    for (size_t i = 0; i < nadded; i++)
        free(added[i]);
    ctx_dispose(&c);
}

static void run_fixtures(const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        run_fixture(names[i]);
}

/* ---- fixture tests ---- */

static void bert_pre_tokenizer_matches_hugging_face(void **state)
{
    (void)state;
    static const char *const names[] = {"bert.txt", "bert+added.txt", NULL};
    run_fixtures(names);
}

static void whitespace_pre_tokenizers_match_hugging_face(void **state)
{
    (void)state;
    static const char *const names[] = {"whitespace.txt",
                                        "whitespace_split.txt", NULL};
    run_fixtures(names);
}

static void punctuation_matches_hugging_face_for_every_behavior(
    void **state)
{
    (void)state;
    static const char *const names[] = {
        "punctuation_removed.txt", "punctuation_isolated.txt",
        "punctuation_merged_with_previous.txt",
        "punctuation_merged_with_next.txt",
        "punctuation_merged_with_next+added.txt",
        "punctuation_contiguous.txt", NULL};
    run_fixtures(names);
}

static void digits_match_hugging_face_grouped_and_individual(void **state)
{
    (void)state;
    static const char *const names[] = {"digits.txt",
                                        "digits_individual.txt", NULL};
    run_fixtures(names);
}

static void split_matches_hugging_face_for_every_behavior_and_invert(
    void **state)
{
    (void)state;
    static const char *const names[] = {
        "split_space_removed.txt", "split_space_removed_invert.txt",
        "split_space_isolated.txt", "split_space_isolated_invert.txt",
        "split_space_merged_with_previous.txt",
        "split_space_merged_with_previous_invert.txt",
        "split_space_merged_with_next.txt",
        "split_space_merged_with_next_invert.txt",
        "split_space_contiguous.txt", "split_space_contiguous_invert.txt",
        "split_space_contiguous+added.txt",
        "split_the_merged_with_next.txt",
        "split_aa_contiguous_invert.txt",
        "split_ab_merged_with_previous.txt", NULL};
    run_fixtures(names);
}

static void split_with_an_empty_pattern_matches_hugging_face(void **state)
{
    (void)state;
    static const char *const names[] = {
        "split_empty_isolated.txt", "split_empty_removed_invert.txt",
        "split_empty_merged_with_next.txt", NULL};
    run_fixtures(names);
}

static void bytelevel_matches_hugging_face_pieces_and_alignments(
    void **state)
{
    (void)state;
    static const char *const names[] = {
        "bytelevel.txt", "bytelevel_prefix.txt", "bytelevel_noregex.txt",
        "bytelevel_prefix_noregex.txt", "bytelevel_prefix+added.txt", NULL};
    run_fixtures(names);
}

static void metaspace_matches_hugging_face_for_every_prepend_scheme(
    void **state)
{
    (void)state;
    static const char *const names[] = {
        "metaspace_always.txt", "metaspace_always_nosplit.txt",
        "metaspace_first.txt", "metaspace_first_nosplit.txt",
        "metaspace_never.txt", "metaspace_never_nosplit.txt",
        "metaspace_underscore.txt", "metaspace_always+added.txt",
        "metaspace_first+added.txt", NULL};
    run_fixtures(names);
}

static void sequences_match_hugging_face(void **state)
{
    (void)state;
    static const char *const names[] = {
        "seq_whitespace_split_bytelevel.txt",
        "seq_whitespace_split_metaspace_first.txt",
        "seq_whitespace_split_metaspace_first+added.txt",
        "seq_punctuation_digits.txt", "seq_digits_bytelevel.txt",
        "seq_metaspace_bytelevel.txt",
        "seq_split_punctuation_whitespace.txt", NULL};
    run_fixtures(names);
}


/* ---- corner cases by hand ---- */

static tok_pretok *bytelevel(bool prefix, bool regex)
{
    tok_pretok *p = tok_pretok_new(TOK_PT_BYTELEVEL);
    assert_non_null(p);
    p->u.bytelevel.add_prefix_space = prefix;
    p->u.bytelevel.use_regex = regex;
    return p;
}

static tok_pretok *metaspace(tok_prepend_scheme scheme, bool split)
{
    tok_pretok *p = tok_pretok_new(TOK_PT_METASPACE);
    assert_non_null(p);
    strcpy(p->u.metaspace.replacement, "\xE2\x96\x81");
    p->u.metaspace.prepend_scheme = scheme;
    p->u.metaspace.split = split;
    return p;
}

static void bert_drops_whitespace_and_isolates_punctuation(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = build("bert");
    load(&c, " Hello,\u3000w\xC3\xB6rld!!$ \xE2\x82\xACx\t");
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "Hello|,|w\xC3\xB6rld|!|!|$|\xE2\x82\xACx");
    assert_string_equal(spans(&c), "1:6 6:7 8:13 13:14 14:15 15:16 17:19");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void bytelevel_gives_every_byte_of_a_character_its_whole_span(
    void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = bytelevel(false, true);
    /* "é" is 2 bytes, the emoji 4: 2 and 4 byte-level characters, all
     * with the span of the character they come from. */
    load(&c, "\xC3\xA9\xF0\x9F\x98\x80");
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_int_equal(c.splits.len, 2);
    assert_string_equal(pieces(&c), "\xC3\x83\xC2\xA9|"
                        "\xC3\xB0\xC5\x81\xC4\xBA\xC4\xA2");
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(c.text.align[i].start, 0);
        assert_int_equal(c.text.align[i].end, 2);
    }
    for (size_t i = 4; i < c.text.len; i++) {
        assert_int_equal(c.text.align[i].start, 2);
        assert_int_equal(c.text.align[i].end, 6);
    }
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void bytelevel_prefix_goes_on_every_piece_without_a_leading_space(
    void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    char *added[] = {"<s>"};
    tok_pretok *p = bytelevel(true, true);
    load_added(&c, "hi<s> x<s>y", 11, added, 1);
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    /* "hi" and "y" get a space, " x" has one already; the tokens are
     * copied as they are. */
    assert_string_equal(pieces(&c),
                        "\xC4\xA0hi|<s>|\xC4\xA0x|<s>|\xC4\xA0y");
    assert_string_equal(spans(&c), "0:2 2:5 5:7 7:10 10:11");
    assert_int_equal(c.splits.v[1].id, 0);
    assert_int_equal(c.splits.v[3].id, 0);
    /* The added space has the span of the character it stands before. */
    assert_int_equal(c.text.align[0].start, 0);
    assert_int_equal(c.text.align[0].end, 1);
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void bytelevel_treats_invalid_utf8_bytes_as_characters(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = bytelevel(false, true);
    /* A lone continuation byte, a truncated sequence at the very end. */
    load_added(&c, "a\x80 b\xC3", 5, NULL, 0);
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "a|\xC4\xA2|\xC4\xA0" "b|\xC3\x83");
    assert_string_equal(spans(&c), "0:1 1:2 2:4 4:5");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void bytelevel_reads_nothing_past_the_end_of_a_piece(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = bytelevel(false, true);
    load(&c, "\xC3\xA9\xC3\xA9");
    /* A piece that ends inside a character: its last byte is cut off
     * from the rest and must not be decoded with it. */
    c.splits.v[0].end = 3;
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "\xC3\x83\xC2\xA9|\xC3\x83");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void added_tokens_are_kept_in_order_through_a_rewrite(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    char *added[] = {"[SEP]", "\xE2\x96\x81 "};
    tok_pretok *p = metaspace(TOK_PREPEND_ALWAYS, true);
    load_added(&c, "[SEP]a b\xE2\x96\x81 [SEP]", 17, added, 2);
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "[SEP]|\xE2\x96\x81" "a|\xE2\x96\x81" "b|"
                        "\xE2\x96\x81 |[SEP]");
    assert_int_equal(c.splits.v[0].id, 0);
    assert_int_equal(c.splits.v[3].id, 1);
    assert_int_equal(c.splits.v[4].id, 0);
    assert_string_equal(spans(&c), "0:5 5:6 6:8 8:10 10:15");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void empty_pieces_are_dropped_but_empty_tokens_are_kept(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    load(&c, "ab cd");
    c.splits.len = 0;
    assert_int_equal(tok_splits_push(&c.splits, 0, 0, -1), 0);
    assert_int_equal(tok_splits_push(&c.splits, 0, 2, -1), 0);
    assert_int_equal(tok_splits_push(&c.splits, 2, 2, 7), 0);
    assert_int_equal(tok_splits_push(&c.splits, 2, 5, -1), 0);
    assert_int_equal(tok_splits_push(&c.splits, 5, 5, -1), 0);
    tok_pretok *p = build("whitespace_split bytelevel:1:1");
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_int_equal(c.splits.len, 3);
    assert_string_equal(pieces(&c), "\xC4\xA0" "ab||\xC4\xA0" "cd");
    assert_int_equal(c.splits.v[1].id, 7);
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void metaspace_first_prepends_only_at_the_start_of_the_input(
    void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    char *added[] = {"<t>"};
    tok_pretok *p = metaspace(TOK_PREPEND_FIRST, true);
    load_added(&c, "a b<t>c", 7, added, 1);
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "\xE2\x96\x81" "a|\xE2\x96\x81" "b|<t>|c");
    /* The prefix has the span of "a", the space's replacement its own. */
    assert_string_equal(spans(&c), "0:1 1:3 3:6 6:7");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void metaspace_without_split_keeps_one_piece(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = metaspace(TOK_PREPEND_NEVER, false);
    load(&c, "a  b ");
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "a\xE2\x96\x81\xE2\x96\x81" "b"
                        "\xE2\x96\x81");
    assert_string_equal(spans(&c), "0:5");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void metaspace_refuses_an_empty_replacement(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = metaspace(TOK_PREPEND_ALWAYS, true);
    p->u.metaspace.replacement[0] = '\0';
    load(&c, "a b");
    assert_int_equal(tok_pretokenize(p, &c.st), TOK_EINVAL);
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void split_on_a_long_pattern_finds_non_overlapping_matches(
    void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    /* 100 "a" then "b" as pattern, longer than the stack table; the text
     * makes a naive search quadratic and KMP backtrack a lot. */
    char pat[102], text[400];
    memset(pat, 'a', 100);
    pat[100] = 'b';
    pat[101] = '\0';
    memset(text, 'a', 150);
    text[150] = 'b';
    memcpy(text + 151, pat, 101);
    memcpy(text + 252, "a", 2);
    tok_pretok *p = tok_pretok_new(TOK_PT_SPLIT);
    assert_non_null(p);
    p->u.split.pattern = tok_strdup(pat);
    assert_non_null(p->u.split.pattern);
    p->u.split.behavior = TOK_SPLIT_ISOLATED;
    load(&c, text);
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(spans(&c), "0:50 50:151 151:252 252:253");
    tok_pretok_free(p);

    p = build("split:6161:contiguous:0");
    load(&c, "aaaaa");
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "aaaa|a");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

/* A Split with a Regex tok knows runs that regex's scanner.  The pieces
 * are what Hugging Face tokenizers 0.23.2 gives for a tokenizer.json with
 * {"Regex": <the pattern>}, every behaviour and invert: the matches tile
 * the text, so only Removed (which drops them all) and Contiguous (which
 * joins them all) differ from Isolated. */
static void split_with_a_known_regex_cuts_where_its_scanner_does(
    void **state)
{
    (void)state;
    static const struct {
        tok_scan_pattern scan;
        const char *isolated;
    } cases[] = {
        {TOK_SCAN_CL100K, "I|'M| |123|45| words|!!\n\n| | x"},
        {TOK_SCAN_GPT2, "I|'|M| 12345| words|!!|\n\n | x"},
    };
    const char *text = "I'M 12345 words!!\n\n  x";
    ctx c;
    ctx_init(&c);
    for (size_t i = 0; i < 2; i++) {
        for (int b = TOK_SPLIT_REMOVED; b <= TOK_SPLIT_CONTIGUOUS; b++) {
            for (int invert = 0; invert < 2; invert++) {
                tok_pretok *p = tok_pretok_new(TOK_PT_SPLIT);
                assert_non_null(p);
                p->u.split.pattern = tok_strdup("(the regex)");
                assert_non_null(p->u.split.pattern);
                p->u.split.regex = true;
                p->u.split.scan = cases[i].scan;
                p->u.split.behavior = (tok_split_behavior)b;
                p->u.split.invert = invert;
                load(&c, text);
                assert_int_equal(tok_pretokenize(p, &c.st), 0);
                const char *want = cases[i].isolated;
                if (b == TOK_SPLIT_REMOVED && !invert)
                    want = "";
                else if (b == TOK_SPLIT_CONTIGUOUS)
                    want = text;
                assert_string_equal(pieces(&c), want);
                tok_pretok_free(p);
            }
        }
    }
    ctx_dispose(&c);
}

static void sequence_runs_each_stage_on_the_pieces_of_the_one_before(
    void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    tok_pretok *p = build("whitespace_split punctuation:isolated digits:1");
    load(&c, "ab12,c  3");
    assert_int_equal(tok_pretokenize(p, &c.st), 0);
    assert_string_equal(pieces(&c), "ab|1|2|,|c|3");
    tok_pretok_free(p);
    ctx_dispose(&c);
}

static void no_pre_tokenizer_leaves_the_pieces_alone(void **state)
{
    (void)state;
    ctx c;
    ctx_init(&c);
    load(&c, "a b");
    assert_int_equal(tok_pretokenize(NULL, &c.st), 0);
    assert_string_equal(pieces(&c), "a b");
    ctx_dispose(&c);
}

static void bytelevel_is_found_inside_nested_sequences(void **state)
{
    (void)state;
    tok_pretok *p = build("whitespace_split digits:0");
    assert_false(tok_pretok_is_bytelevel(p));
    assert_false(tok_pretok_is_bytelevel(NULL));
    tok_pretok *outer = tok_pretok_new(TOK_PT_SEQUENCE);
    assert_non_null(outer);
    outer->u.seq.items = tok_malloc(2 * sizeof *outer->u.seq.items);
    assert_non_null(outer->u.seq.items);
    outer->u.seq.items[0] = p;
    outer->u.seq.items[1] = build("metaspace:e29681:always:1 bytelevel:0:0");
    outer->u.seq.n = 2;
    assert_true(tok_pretok_is_bytelevel(outer));
    assert_true(tok_pretok_is_bytelevel(outer->u.seq.items[1]));
    tok_pretok_free(outer);
}

/* Runs spec on text with the nth allocation failing, for every n until
 * the run succeeds: every failure must be TOK_ENOMEM and leak nothing. */
static void fail_each_allocation(const char *spec, const char *text)
{
    tok_pretok *p = build(spec);
    for (size_t n = 1;; n++) {
        ctx c;
        ctx_init(&c);
        load(&c, text);
        tok_debug_fail_alloc_after(n);
        int rc = tok_pretokenize(p, &c.st);
        size_t made = tok_debug_fail_alloc_after(0);
        ctx_dispose(&c);
        if (rc == 0) {
            assert_true(made < n);
            break;
        }
        assert_int_equal(rc, TOK_ENOMEM);
        assert_true(n < 100);
    }
    tok_pretok_free(p);
}

static void failed_allocations_report_enomem(void **state)
{
    (void)state;
    static const char *specs[] = {
        "bert", "whitespace", "punctuation:merged_with_next", "digits:1",
        "bytelevel:1:1", "metaspace:e29681:first:1",
        "split:" "6161616161616161616161616161616161616161616161616161616161"
        "61616161616161616161616161616161616161616161616161616161616161616161"
        "616161616161616161:isolated:0",
        "whitespace_split bytelevel:1:0"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        fail_each_allocation(specs[i], "Hello, w\xC3\xB6rld! 123 "
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

static void a_warm_state_allocates_nothing(void **state)
{
    (void)state;
    static const char *specs[] = {
        "bert", "bytelevel:1:1", "metaspace:e29681:always:1",
        "whitespace_split metaspace:e29681:first:1 bytelevel:0:0",
        "split:20:merged_with_previous:1"};
    const char *text = "Some text, with w\xC3\xB6rds and 1234 numbers!";
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        tok_pretok *p = build(specs[i]);
        ctx c;
        ctx_init(&c);
        for (int round = 0; round < 3; round++) {
            load(&c, text);
            tok_debug_fail_alloc_after(0);
            assert_int_equal(tok_pretokenize(p, &c.st), 0);
            size_t made = tok_debug_fail_alloc_after(0);
            if (round > 0)
                assert_int_equal(made, 0);
        }
        tok_pretok_free(p);
        ctx_dispose(&c);
    }
}

/* Bytes that make interesting text: ASCII letters, digits, spaces and
 * punctuation, UTF-8 lead and continuation bytes in and out of place. */
static char random_byte(uint32_t *seed)
{
    static const char pool[] = "aZ0 \t\n'.,!\xC3\xA9\xE2\x96\x81\xF0\x9F\x98"
                               "\x80\xFF\xC0\xED\xA0";
    *seed = *seed * 1103515245u + 12345u;
    return pool[(*seed >> 16) % (sizeof pool - 1)];
}

static void bytelevel_pieces_decode_back_to_any_input(void **state)
{
    (void)state;
    tok_pretok *p = build("bytelevel:0:1");
    ctx c;
    ctx_init(&c);
    uint32_t seed = 1;
    char in[64], back[64];
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)round % 40;
        for (size_t i = 0; i < len; i++)
            in[i] = random_byte(&seed);
        load_added(&c, in, len, NULL, 0);
        assert_int_equal(tok_pretokenize(p, &c.st), 0);
        /* The pieces tile the input, so their byte-level characters give
         * back every input byte, invalid UTF-8 included, each with the
         * span of the character it came from. */
        size_t n = 0, prev = 0;
        for (size_t k = 0; k < c.splits.len; k++) {
            const tok_split *sp = &c.splits.v[k];
            assert_true(sp->start == prev && sp->start < sp->end);
            prev = sp->end;
            for (size_t i = sp->start; i < sp->end;) {
                uint32_t cp;
                size_t cl = tok_utf8_decode(
                    (const unsigned char *)c.text.text, sp->end, i, &cp);
                assert_true(cl > 0);
                int b = tok_bytelevel_byte(cp);
                assert_true(b >= 0 && n < len);
                back[n] = (char)b;
                assert_true(c.text.align[i].start <= n &&
                            n < c.text.align[i].end);
                n++;
                i += cl;
            }
        }
        assert_int_equal(prev, c.text.len);
        assert_int_equal(n, len);
        assert_memory_equal(back, in, len);
    }
    tok_pretok_free(p);
    ctx_dispose(&c);
}

/* Every splitting pre-tokenizer on random bytes: pieces are non-empty,
 * in order, inside the text, and only whitespace (or punctuation, where
 * it is removed) lies between them. */
static void splitters_give_ordered_pieces_on_any_input(void **state)
{
    (void)state;
    static const char *specs[] = {
        "bert", "whitespace", "whitespace_split", "punctuation:removed",
        "punctuation:merged_with_next", "punctuation:contiguous",
        "digits:0", "digits:1", "split:2e:merged_with_previous:1",
        "split::isolated:0", "metaspace:e29681:always:1",
        "bytelevel:1:0"};
    uint32_t seed = 7;
    char in[64];
    for (size_t t = 0; t < sizeof specs / sizeof specs[0]; t++) {
        tok_pretok *p = build(specs[t]);
        ctx c;
        ctx_init(&c);
        for (int round = 0; round < 500; round++) {
            size_t len = (size_t)round % 50;
            for (size_t i = 0; i < len; i++)
                in[i] = random_byte(&seed);
            load_added(&c, in, len, NULL, 0);
            assert_int_equal(tok_pretokenize(p, &c.st), 0);
            size_t prev = 0;
            for (size_t k = 0; k < c.splits.len; k++) {
                const tok_split *sp = &c.splits.v[k];
                assert_true(sp->start >= prev && sp->start < sp->end);
                assert_true(sp->end <= c.text.len);
                assert_true(c.text.align[sp->start].start >=
                            (k ? c.text.align[prev - 1].start : 0));
                prev = sp->end;
            }
        }
        tok_pretok_free(p);
        ctx_dispose(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bert_pre_tokenizer_matches_hugging_face),
        cmocka_unit_test(whitespace_pre_tokenizers_match_hugging_face),
        cmocka_unit_test(punctuation_matches_hugging_face_for_every_behavior),
        cmocka_unit_test(digits_match_hugging_face_grouped_and_individual),
        cmocka_unit_test(
            split_matches_hugging_face_for_every_behavior_and_invert),
        cmocka_unit_test(split_with_an_empty_pattern_matches_hugging_face),
        cmocka_unit_test(
            bytelevel_matches_hugging_face_pieces_and_alignments),
        cmocka_unit_test(
            metaspace_matches_hugging_face_for_every_prepend_scheme),
        cmocka_unit_test(sequences_match_hugging_face),
        cmocka_unit_test(bert_drops_whitespace_and_isolates_punctuation),
        cmocka_unit_test(
            bytelevel_gives_every_byte_of_a_character_its_whole_span),
        cmocka_unit_test(
            bytelevel_prefix_goes_on_every_piece_without_a_leading_space),
        cmocka_unit_test(bytelevel_treats_invalid_utf8_bytes_as_characters),
        cmocka_unit_test(bytelevel_reads_nothing_past_the_end_of_a_piece),
        cmocka_unit_test(added_tokens_are_kept_in_order_through_a_rewrite),
        cmocka_unit_test(
            empty_pieces_are_dropped_but_empty_tokens_are_kept),
        cmocka_unit_test(
            metaspace_first_prepends_only_at_the_start_of_the_input),
        cmocka_unit_test(metaspace_without_split_keeps_one_piece),
        cmocka_unit_test(metaspace_refuses_an_empty_replacement),
        cmocka_unit_test(
            split_on_a_long_pattern_finds_non_overlapping_matches),
        cmocka_unit_test(
            split_with_a_known_regex_cuts_where_its_scanner_does),
        cmocka_unit_test(
            sequence_runs_each_stage_on_the_pieces_of_the_one_before),
        cmocka_unit_test(no_pre_tokenizer_leaves_the_pieces_alone),
        cmocka_unit_test(bytelevel_is_found_inside_nested_sequences),
        cmocka_unit_test(failed_allocations_report_enomem),
        cmocka_unit_test(a_warm_state_allocates_nothing),
        cmocka_unit_test(bytelevel_pieces_decode_back_to_any_input),
        cmocka_unit_test(splitters_give_ordered_pieces_on_any_input),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(texts[i].s);
    return rc;
}
