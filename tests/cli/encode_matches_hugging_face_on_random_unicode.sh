# 4,000 lines of random text from many Unicode blocks give, with each
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# shipped model, the ids Hugging Face tokenizers 0.23.2 gives
# (tests/gen/gen_differential.sh made them).
set -e
d=$TOK_TEST_DATA/differential
for m in bert-base-uncased bert-base-cased gpt2; do
    $TOK encode -m $m --threads 2 "$d/texts.txt" | cmp - "$d/$m.ids"
done
echo same
