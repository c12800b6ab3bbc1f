# 4,000 lines of random text from many Unicode blocks give, with
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# cl100k_base, the ids tiktoken gives: encode(line, allowed_special="all"),
# and encode_ordinary when special tokens are read as text
# (tests/gen/gen_cl100k.sh made them, and checked Hugging Face agrees).
set -e
d=$TOK_TEST_DATA/differential
$TOK encode -m cl100k_base --threads 2 "$d/texts.txt" |
    cmp - "$d/cl100k_base.ids"
$TOK encode -m cl100k_base --special-in-text text "$d/texts.txt" |
    cmp - "$d/cl100k_base.ordinary.ids"
echo same
