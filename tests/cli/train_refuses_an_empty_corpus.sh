# A corpus without a single word is an error, not an empty vocabulary.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf '  \n\n\t\n' > "$t/blank.txt"
$TOK train "$t/blank.txt" -o "$t/out.json"
