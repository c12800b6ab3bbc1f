# A trained WordPiece has BERT's special tokens, template and decoder, and
# `tok encode` uses it at once.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'Hello world, hello tokenizers!\nThe quick brown fox.\n' > "$t/c.txt"
$TOK train --model wordpiece --vocab-size 60 "$t/c.txt" -o "$t/wp.json" ||
    exit 1
$TOK info -m "$t/wp.json" | grep -E '^  [0-9]|post_processor|decoder'
echo "Hello fox" | $TOK encode -m "$t/wp.json"
