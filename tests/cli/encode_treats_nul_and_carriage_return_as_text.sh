# Only \n ends a line; \r and NUL are text (BERT drops NUL, splits at \r).
printf 'carriage\rreturn only\nnull\000byte\n' | $TOK encode
printf 'carriage\rreturn only\nnull\000byte\n' | $TOK encode -f jsonl
