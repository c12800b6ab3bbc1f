/* model (WordPiece): greedy longest-match-first with "##" pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_word_splits_into_the_longest_known_pieces),
        cmocka_unit_test(longest_match_wins_over_shorter_first_pieces),
        cmocka_unit_test(a_word_with_an_unknown_part_becomes_one_unk),
        cmocka_unit_test(multibyte_characters_are_never_cut),
        cmocka_unit_test(the_length_limit_counts_characters_not_bytes),
        cmocka_unit_test(a_word_needing_a_missing_unk_token_fails),
    };
    return cmocka_run_group_tests_name("wordpiece", tests, setup, teardown);
}
