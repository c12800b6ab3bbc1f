# Progress goes to a terminal only: redirected, stderr stays empty.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
$TOK train --vocab-size 500 ../data/train/corpus.txt -o "$t/out.json"
