# The shipped tokenizer.json files are exactly what `tok convert` makes of
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# the original vocabulary files (kept in tests/data/json/import).
set -e
raw=$TOK_TEST_DATA/json/import
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$TOK convert -m "$raw/bert-base-uncased/vocab.txt" -o "$out/uncased.json"
$TOK convert -m "$raw/bert-base-cased/vocab.txt" --cased -o "$out/cased.json"
$TOK convert -m "$raw/gpt2/vocab.json" -o "$out/gpt2.json"
$TOK convert -m "$raw/cl100k_base/cl100k_base.tiktoken" -o "$out/cl100k.json"
cmp "$out/uncased.json" "$TOK_VOCAB_DIR/bert-base-uncased/tokenizer.json"
cmp "$out/cased.json" "$TOK_VOCAB_DIR/bert-base-cased/tokenizer.json"
cmp "$out/gpt2.json" "$TOK_VOCAB_DIR/gpt2/tokenizer.json"
cmp "$out/cl100k.json" "$TOK_VOCAB_DIR/cl100k_base/tokenizer.json"
echo same
