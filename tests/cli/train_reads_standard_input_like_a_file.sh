# "-" reads the corpus from standard input, with the same result.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
$TOK train --model bytelevel-bpe --vocab-size 2000 ../data/train/corpus.txt \
    -o "$t/file.json" || exit 1
$TOK train --model bytelevel-bpe --vocab-size 2000 - -o "$t/stdin.json" \
    < ../data/train/corpus.txt || exit 1
cmp "$t/file.json" "$t/stdin.json" && echo same
