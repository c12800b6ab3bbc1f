/* vocab: the token <-> id table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vocab.h"

static void tokens_get_consecutive_ids_and_are_found_again(void **state)
{
    (void)state;
    tok_vocab v;
    tok_vocab_init(&v);
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "tok%d", i);
        assert_int_equal(tok_vocab_push(&v, buf, (size_t)n), i);
    }
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "tok%d", i);
        assert_int_equal(tok_vocab_find(&v, buf, (size_t)n), i);
        size_t len;
        const char *s = tok_vocab_str(&v, i, &len);
        assert_int_equal(len, (size_t)n);
        assert_memory_equal(s, buf, len);
    }
    assert_int_equal(tok_vocab_find(&v, "tok5000", 7), -1);
    assert_null(tok_vocab_str(&v, 5000, NULL));
    assert_null(tok_vocab_str(&v, -1, NULL));
    tok_vocab_dispose(&v);
}

static void a_duplicate_token_is_a_format_error(void **state)
{
    (void)state;
    tok_vocab v;
    tok_vocab_init(&v);
    tok_error err;
    assert_int_equal(tok_vocab_add(&v, "a", 1, 0, &err), TOK_OK);
    assert_int_equal(tok_vocab_add(&v, "a", 1, 1, &err), TOK_EFORMAT);
    assert_non_null(strstr(err.message, "appears twice"));
    assert_int_equal(tok_vocab_add(&v, "b", 1, 0, &err), TOK_EFORMAT);
    tok_vocab_dispose(&v);
}

static void tokens_may_hold_nul_bytes_and_ids_may_leave_holes(void **state)
{
    (void)state;
    tok_vocab v;
    tok_vocab_init(&v);
    assert_int_equal(tok_vocab_add(&v, "a\0b", 3, 10, NULL), TOK_OK);
    assert_int_equal(tok_vocab_find(&v, "a\0b", 3), 10);
    assert_int_equal(tok_vocab_find(&v, "a", 1), -1);
    assert_int_equal(v.size, 11);
    assert_null(tok_vocab_str(&v, 3, NULL));
    tok_vocab_dispose(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_get_consecutive_ids_and_are_found_again),
        cmocka_unit_test(a_duplicate_token_is_a_format_error),
        cmocka_unit_test(tokens_may_hold_nul_bytes_and_ids_may_leave_holes),
    };
    return cmocka_run_group_tests_name("vocab", tests, NULL, NULL);
}
