printf 'Hello, world!\n' | $TOK encode -f tokens
printf 'Hello, world!\n' | $TOK encode -m bert-base-cased --format=tokens
