/* model (WordPiece): greedy longest-match-first with "##" pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static const char *const words[] = {
    "[UNK]", "un", "##aff", "##able", "a", "##a", "aa", "é", "##é", "x",
    "##x", "##xx", "##xxx",
};

static int setup(void **state)
{
    tok_model *m = tok_model_new(TOK_MODEL_WORDPIECE);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        tok_vocab_push(&m->vocab, words[i], strlen(words[i]));
    m->unk_token = tok_strdup("[UNK]");
    m->continuing_subword_prefix = tok_strdup("##");
    m->max_input_chars_per_word = 10;
    assert_int_equal(tok_model_build(m, NULL), TOK_OK);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    tok_model_free(*state);
    return 0;
}

static void split(const tok_model *m, const char *w, tok_pieces *out)
{
    void *s = m->ops->scratch_new(m);
    out->len = 0;
    assert_int_equal(m->ops->tokenize(m, s, w, strlen(w), out), TOK_OK);
    m->ops->scratch_free(s);
}

static void a_word_splits_into_the_longest_known_pieces(void **state)
{
    tok_pieces p = {0};
    split(*state, "unaffable", &p);
    assert_int_equal(p.len, 3);
    assert_string_equal(tok_vocab_str(&((tok_model *)*state)->vocab,
                                      p.v[1].id, NULL), "##aff");
    assert_int_equal(p.v[0].start, 0);
    assert_int_equal(p.v[0].end, 2);
    assert_int_equal(p.v[1].start, 2);
    assert_int_equal(p.v[1].end, 5);
    assert_int_equal(p.v[2].end, 9);
    tok_free(p.v);
}

static void longest_match_wins_over_shorter_first_pieces(void **state)
{
    tok_pieces p = {0};
    split(*state, "aaa", &p);   /* aa ##a, not a ##a ##a */
    assert_int_equal(p.len, 2);
    assert_int_equal(p.v[0].id, 6);
    assert_int_equal(p.v[1].id, 5);
    split(*state, "xxxxxxx", &p);  /* x ##xxx ##xxx */
    assert_int_equal(p.len, 3);
    assert_int_equal(p.v[1].id, 12);
    tok_free(p.v);
}

static void a_word_with_an_unknown_part_becomes_one_unk(void **state)
{
    tok_pieces p = {0};
    split(*state, "unaffableq", &p);
    assert_int_equal(p.len, 1);
    assert_int_equal(p.v[0].id, 0);
    assert_int_equal(p.v[0].start, 0);
    assert_int_equal(p.v[0].end, 10);
    tok_free(p.v);
}

static void multibyte_characters_are_never_cut(void **state)
{
    tok_pieces p = {0};
    split(*state, "éé", &p);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.v[0].id, 7);
    assert_int_equal(p.v[1].id, 8);
    assert_int_equal(p.v[1].start, 2);
    assert_int_equal(p.v[1].end, 4);
    tok_free(p.v);
}

static void the_length_limit_counts_characters_not_bytes(void **state)
{
    tok_pieces p = {0};
    split(*state, "éééééééééé", &p);   /* 10 chars, 20 bytes: allowed */
    assert_int_equal(p.len, 10);
    split(*state, "aaaaaaaaaaa", &p);  /* 11 chars: [UNK] */
    assert_int_equal(p.len, 1);
    assert_int_equal(p.v[0].id, 0);
    assert_int_equal(p.v[0].end, 11);
    tok_free(p.v);
}

static void a_word_needing_a_missing_unk_token_fails(void **state)
{
    (void)state;
    tok_model *m = tok_model_new(TOK_MODEL_WORDPIECE);
    tok_vocab_push(&m->vocab, "a", 1);
    m->unk_token = tok_strdup("[UNK]");
    m->continuing_subword_prefix = tok_strdup("##");
    assert_int_equal(tok_model_build(m, NULL), TOK_OK);
    tok_pieces p = {0};
    void *s = m->ops->scratch_new(m);
    assert_int_equal(m->ops->tokenize(m, s, "a", 1, &p), TOK_OK);
    assert_int_equal(m->ops->tokenize(m, s, "b", 1, &p), TOK_EFORMAT);
    m->ops->scratch_free(s);
    tok_free(p.v);
    tok_model_free(m);
}

/* The longest-match search spelled out: every end, longest first, one
 * vocabulary look-up each, on character boundaries. */
static size_t reference(const tok_model *m, const char *w, size_t len,
                        int32_t *ids, uint32_t *ends)
{
    char buf[512];
    size_t n = 0, start = 0;
    while (start < len) {
        int32_t found = -1;
        size_t end = len;
        for (; end > start; end--) {
            if (end < len && ((unsigned char)w[end] & 0xC0) == 0x80)
                continue;
            size_t k = 0;
            if (start) {
                memcpy(buf, "##", 2);
                k = 2;
            }
            memcpy(buf + k, w + start, end - start);
            found = tok_vocab_find(&m->vocab, buf, k + end - start);
            if (found >= 0)
                break;
        }
        if (found < 0) {
            ids[0] = m->unk_id;
            ends[0] = (uint32_t)len;
            return 1;
        }
        ids[n] = found;
        ends[n++] = (uint32_t)end;
        start = end;
    }
    return n;
}

/* A string of 1-6 characters from a small alphabet with multibyte
 * characters, so that tokens share prefixes and end inside each other. */
static size_t random_text(char *out, size_t max_chars)
{
    static const char *const alphabet[] = {"a", "b", "c", "\xc3\xa9",
                                           "\xe4\xb8\xad", "#", "\xc3\xa8"};
    size_t n = 1 + (size_t)rand() % max_chars, len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = alphabet[rand() % 7];
        memcpy(out + len, c, strlen(c));
        len += strlen(c);
    }
    return len;
}

static tok_model *random_model(size_t ntokens)
{
    tok_model *m = tok_model_new(TOK_MODEL_WORDPIECE);
    tok_vocab_push(&m->vocab, "[UNK]", 5);
    char t[64];
    for (size_t i = 0; i < ntokens; i++) {
        size_t k = 0;
        if (rand() % 2) {
            memcpy(t, "##", 2);
            k = 2;
        }
        k += random_text(t + k, 6);
        tok_vocab_push(&m->vocab, t, k);   /* a repeat is refused */
    }
    m->unk_token = tok_strdup("[UNK]");
    m->continuing_subword_prefix = tok_strdup("##");
    m->max_input_chars_per_word = 100;
    assert_int_equal(tok_model_build(m, NULL), TOK_OK);
    return m;
}

static void pieces_are_those_of_trying_every_length(void **state)
{
    (void)state;
    srand(7);
    /* A small vocabulary leaves gaps; a large one fills the trie. */
    size_t sizes[] = {20, 300, 5000};
    for (size_t z = 0; z < 3; z++) {
        tok_model *m = random_model(sizes[z]);
        void *s = m->ops->scratch_new(m);
        tok_pieces p = {0};
        for (int round = 0; round < 3000; round++) {
            char w[128];
            size_t len = random_text(w, 20);
            int32_t ids[64];
            uint32_t ends[64];
            size_t n = reference(m, w, len, ids, ends);
            p.len = 0;
            assert_int_equal(m->ops->tokenize(m, s, w, len, &p), TOK_OK);
            assert_int_equal(p.len, n);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(p.v[i].id, ids[i]);
                assert_int_equal(p.v[i].end, ends[i]);
                assert_int_equal(p.v[i].start, i ? ends[i - 1] : 0);
            }
        }
        tok_free(p.v);
        m->ops->scratch_free(s);
        tok_model_free(m);
    }
}

static void a_token_spelled_with_the_prefix_can_start_a_word(void **state)
{
    tok_pieces p = {0};
    split(*state, "##aff", &p);   /* the token "##aff", not "#" ... */
    assert_int_equal(p.len, 1);
    assert_int_equal(p.v[0].id, 2);
    tok_free(p.v);
}

static void invalid_utf8_words_still_split_byte_by_byte(void **state)
{
    (void)state;
    tok_model *m = tok_model_new(TOK_MODEL_WORDPIECE);
    const char *const toks[] = {"[UNK]", "a", "##\xff", "\xff", "##a"};
    for (size_t i = 0; i < 5; i++)
        tok_vocab_push(&m->vocab, toks[i], strlen(toks[i]));
    m->unk_token = tok_strdup("[UNK]");
    m->continuing_subword_prefix = tok_strdup("##");
    assert_int_equal(tok_model_build(m, NULL), TOK_OK);
    tok_pieces p = {0};
    void *s = m->ops->scratch_new(m);
    assert_int_equal(m->ops->tokenize(m, s, "a\xff" "a", 3, &p), TOK_OK);
    assert_int_equal(p.len, 3);
    assert_int_equal(p.v[0].id, 1);
    assert_int_equal(p.v[1].id, 2);
    assert_int_equal(p.v[2].id, 4);
    p.len = 0;
    assert_int_equal(m->ops->tokenize(m, NULL, "\xff" "a", 2, &p), TOK_OK);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.v[0].id, 3);
    m->ops->scratch_free(s);
    tok_free(p.v);
    tok_model_free(m);
}

static void a_rebuilt_model_finds_its_new_tokens(void **state)
{
    (void)state;
    tok_model *m = tok_model_new(TOK_MODEL_WORDPIECE);
    tok_vocab_push(&m->vocab, "[UNK]", 5);
    tok_vocab_push(&m->vocab, "a", 1);
    m->unk_token = tok_strdup("[UNK]");
    m->continuing_subword_prefix = tok_strdup("##");
    assert_int_equal(tok_model_build(m, NULL), TOK_OK);
    tok_pieces p = {0};
    void *s = m->ops->scratch_new(m);
    assert_int_equal(m->ops->tokenize(m, s, "ab", 2, &p), TOK_OK);
    assert_int_equal(p.v[0].id, 0);
    int32_t id = tok_vocab_push(&m->vocab, "##b", 3);
    assert_int_equal(tok_model_build(m, NULL), TOK_OK);
    p.len = 0;
    assert_int_equal(m->ops->tokenize(m, s, "ab", 2, &p), TOK_OK);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.v[1].id, id);
    m->ops->scratch_free(s);
    tok_free(p.v);
    tok_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_word_splits_into_the_longest_known_pieces),
        cmocka_unit_test(longest_match_wins_over_shorter_first_pieces),
        cmocka_unit_test(a_word_with_an_unknown_part_becomes_one_unk),
        cmocka_unit_test(multibyte_characters_are_never_cut),
        cmocka_unit_test(the_length_limit_counts_characters_not_bytes),
        cmocka_unit_test(a_word_needing_a_missing_unk_token_fails),
        cmocka_unit_test(pieces_are_those_of_trying_every_length),
        cmocka_unit_test(a_token_spelled_with_the_prefix_can_start_a_word),
        cmocka_unit_test(invalid_utf8_words_still_split_byte_by_byte),
        cmocka_unit_test(a_rebuilt_model_finds_its_new_tokens),
    };
    return cmocka_run_group_tests_name("wordpiece", tests, setup, teardown);
}
