/* The C example of README.md, as a test: it must compile against the
 * public header alone and print what the README says it prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tok.h"

/* ---- begin README example ---- */
static int print_ids(const char *path, const char *text, FILE *out)
{
    tok_error err;
    tok_tokenizer *tk;
    if (tok_tokenizer_load(&tk, path, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    tok_encoding *enc = tok_encoding_new();   /* reuse it for every text */
    if (tok_encode(tk, text, strlen(text), NULL, enc, &err) != TOK_OK) {
        fprintf(stderr, "%s\n", err.message);
    } else {
        for (size_t i = 0; i < tok_encoding_len(enc); i++)
            fprintf(out, "%s%d", i ? " " : "", tok_encoding_ids(enc)[i]);
        fprintf(out, "\n");
    }
    tok_buffer text_back = TOK_BUFFER_INIT;   /* decode into a reused buffer */
    if (tok_decode(tk, tok_encoding_ids(enc), tok_encoding_len(enc), NULL,
                   &text_back, &err) == TOK_OK)
        fprintf(out, "%s\n", text_back.data);
    tok_buffer_dispose(&text_back);
    tok_encoding_free(enc);
    tok_tokenizer_free(tk);
    return 0;
}
/* ---- end README example ---- */

static void the_readme_example_prints_what_the_readme_says(void **state)
{
    (void)state;
    const char *dir = getenv("TOK_VOCAB_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/bert-base-uncased/tokenizer.json",
             dir ? dir : "vocab");
    char buf[512] = {0};
    FILE *out = fmemopen(buf, sizeof buf, "w");
    assert_int_equal(print_ids(path, "Hello, world! Tokenizers are fun.", out),
                     0);
    fclose(out);
    assert_string_equal(buf,
        "101 7592 1010 2088 999 19204 17629 2015 2024 4569 1012 102\n"
        "[CLS] hello, world! tokenizers are fun. [SEP]\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_readme_example_prints_what_the_readme_says),
    };
    return cmocka_run_group_tests_name("readme", tests, NULL, NULL);
}
