# Hugging Face's BpeTrainer on the reference corpus, default options,
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# Whitespace pre-tokenizer: tok writes the same tokenizer.json, up to
# indentation.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
$TOK train --threads 1 ../data/train/corpus.txt -o "$t/out.json" || exit 1
tr -d ' \n' < "$t/out.json" > "$t/mine"
tr -d ' \n' < ../data/train/hf-bpe-ws.json > "$t/theirs"
cmp "$t/mine" "$t/theirs" && echo same
