# The alphabet of the corpus alone is larger than the vocabulary asked for.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'abcdef\n' | $TOK train --vocab-size 5 --special '<unk>' - -o "$t/out.json"
