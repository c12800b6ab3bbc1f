d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
printf 'hello\n' > a.tmp
printf 'world' > b.tmp
printf 'fox\n' | $TOK encode a.tmp - b.tmp a.tmp
echo "exit $?"
$TOK encode a.tmp missing.tmp b.tmp
echo "exit $?"
