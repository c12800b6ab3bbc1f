# A failed run leaves the previous output file as it was.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
echo '{"previous": true}' > "$t/out.json"
printf 'x \377\n' | $TOK train - -o "$t/out.json" 2>/dev/null
echo "exit $?"
cat "$t/out.json"
ls "$t"
