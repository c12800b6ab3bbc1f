/* added: finding added tokens in raw text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "added.h"

static void add(tok_added_vocab *a, int32_t id, const char *s, bool special,
                bool lstrip, bool rstrip, bool single_word)
{
    tok_added_token t = {0};
    t.id = id;
    t.content = (char *)s;
    t.len = strlen(s);
    t.special = special;
    t.lstrip = lstrip;
    t.rstrip = rstrip;
    t.single_word = single_word;
    assert_int_equal(tok_added_push(a, &t), TOK_OK);
}

static void expect(const tok_splits *s, size_t i, uint32_t start,
                   uint32_t end, int32_t id)
{
    assert_true(i < s->len);
    assert_int_equal(s->v[i].start, start);
    assert_int_equal(s->v[i].end, end);
    assert_int_equal(s->v[i].id, id);
}

static void tokens_glued_to_text_are_found_leftmost_longest(void **state)
{
    (void)state;
    tok_added_vocab a;
    tok_added_init(&a);
    add(&a, 102, "[SEP]", true, false, false, false);
    add(&a, 101, "[CLS]", true, false, false, false);
    add(&a, 7, "[CLS]x", false, false, false, false);
    assert_int_equal(tok_added_build(&a, NULL), TOK_OK);
    const char *t = "text[SEP]glued[CLS]x[CLS]";
    tok_splits s = {0};
    assert_int_equal(tok_added_split(&a, false, false, t, strlen(t), 0, &s),
                     TOK_OK);
    assert_int_equal(s.len, 5);
    expect(&s, 0, 0, 4, -1);
    expect(&s, 1, 4, 9, 102);
    expect(&s, 2, 9, 14, -1);
    expect(&s, 3, 14, 20, 7);
    expect(&s, 4, 20, 25, 101);
    assert_int_equal(tok_added_by_id(&a, 101)->id, 101);
    assert_null(tok_added_by_id(&a, 100));
    assert_int_equal(tok_added_by_content(&a, "[SEP]", 5)->id, 102);
    tok_splits_dispose(&s);
    tok_added_dispose(&a);
}

static void special_tokens_can_be_left_as_text(void **state)
{
    (void)state;
    tok_added_vocab a;
    tok_added_init(&a);
    add(&a, 1, "<s>", true, false, false, false);
    add(&a, 2, "<x>", false, false, false, false);
    assert_int_equal(tok_added_build(&a, NULL), TOK_OK);
    const char *t = "a<s>b<x>";
    tok_splits s = {0};
    assert_int_equal(tok_added_split(&a, false, true, t, strlen(t), 10, &s),
                     TOK_OK);
    assert_int_equal(s.len, 2);
    expect(&s, 0, 10, 15, -1);
    expect(&s, 1, 15, 18, 2);
    tok_splits_dispose(&s);
    tok_added_dispose(&a);
}

static void lstrip_and_rstrip_take_the_spaces_around(void **state)
{
    (void)state;
    tok_added_vocab a;
    tok_added_init(&a);
    add(&a, 5, "<mask>", true, true, true, false);
    assert_int_equal(tok_added_build(&a, NULL), TOK_OK);
    const char *t = "a  <mask>  b";
    tok_splits s = {0};
    assert_int_equal(tok_added_split(&a, false, false, t, strlen(t), 0, &s),
                     TOK_OK);
    assert_int_equal(s.len, 3);
    expect(&s, 0, 0, 1, -1);
    expect(&s, 1, 1, 11, 5);
    expect(&s, 2, 11, 12, -1);
    tok_splits_dispose(&s);
    tok_added_dispose(&a);
}

static void single_word_tokens_do_not_match_inside_words(void **state)
{
    (void)state;
    tok_added_vocab a;
    tok_added_init(&a);
    add(&a, 9, "ing", false, false, false, true);
    assert_int_equal(tok_added_build(&a, NULL), TOK_OK);
    const char *t = "singing ing";
    tok_splits s = {0};
    assert_int_equal(tok_added_split(&a, false, false, t, strlen(t), 0, &s),
                     TOK_OK);
    assert_int_equal(s.len, 2);
    expect(&s, 0, 0, 8, -1);
    expect(&s, 1, 8, 11, 9);
    tok_splits_dispose(&s);
    tok_added_dispose(&a);
}

static void text_without_tokens_is_one_piece(void **state)
{
    (void)state;
    tok_added_vocab a;
    tok_added_init(&a);
    assert_int_equal(tok_added_build(&a, NULL), TOK_OK);
    tok_splits s = {0};
    assert_int_equal(tok_added_split(&a, false, false, "abc", 3, 0, &s),
                     TOK_OK);
    assert_int_equal(s.len, 1);
    expect(&s, 0, 0, 3, -1);
    s.len = 0;
    assert_int_equal(tok_added_split(&a, false, false, "", 0, 0, &s), TOK_OK);
    assert_int_equal(s.len, 0);
    tok_splits_dispose(&s);
    tok_added_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_glued_to_text_are_found_leftmost_longest),
        cmocka_unit_test(special_tokens_can_be_left_as_text),
        cmocka_unit_test(lstrip_and_rstrip_take_the_spaces_around),
        cmocka_unit_test(single_word_tokens_do_not_match_inside_words),
        cmocka_unit_test(text_without_tokens_is_one_piece),
    };
    return cmocka_run_group_tests_name("added", tests, NULL, NULL);
}
