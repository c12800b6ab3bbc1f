# Invalid UTF-8 in the corpus: the file, the line and the byte offset.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'good line\nbad \377 line\n' | $TOK train --threads 2 - -o "$t/out.json"
