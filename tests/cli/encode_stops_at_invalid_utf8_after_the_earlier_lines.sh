d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
printf 'Hello, world!\nThe quick brown fox jumps over the lazy dog.\nbad \377 byte\nnever\nwritten\n' > in.tmp
$TOK encode in.tmp
echo "exit $?"
