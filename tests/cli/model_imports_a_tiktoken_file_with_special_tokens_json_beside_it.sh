# A .tiktoken file: byte-level BPE with ids = ranks, the split pattern and
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# special tokens from special_tokens.json beside it.  "hello" is a token
# BPE cannot build from two lower ranks (he, l, lo), so it is found whole,
# as tiktoken finds it; " the" merges from " t" and "he" as ranks say.
printf 'hello the world<|endoftext|>\n' |
    $TOK encode -m data/tiny-tiktoken/tiny.tiktoken
printf 'hello the\n' | $TOK encode -m data/tiny-tiktoken -f tokens
printf '260 258 300\n' | $TOK decode -m data/tiny-tiktoken/tiny.tiktoken
$TOK info -m data/tiny-tiktoken | grep -E '^(model|vocabulary size|  300 )'
$TOK convert -m data/tiny-tiktoken/tiny.tiktoken -o - |
    grep -E '"(Regex|ignore_merges|<\|endoftext\|>)"'
