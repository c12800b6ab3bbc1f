# vocab.json + merges.txt: byte-level BPE; "Ġ a" merges first, then "Ġa b",
# then "a b", so " ab" is one token and "ab" another.
printf 'ab ab\nab<|endoftext|>\n' | $TOK encode -m data/tiny-gpt2/vocab.json
printf 'ab ab\n' | $TOK encode -m data/tiny-gpt2/vocab.json -f tokens
printf '3 5 6\n' | $TOK decode -m data/tiny-gpt2/vocab.json
$TOK info -m data/tiny-gpt2/vocab.json | grep -E '^(model|vocabulary size|  6 )'
