printf 'Hello, world!\n' | $TOK encode -f jsonl
