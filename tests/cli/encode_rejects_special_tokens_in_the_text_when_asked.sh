d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
printf 'hello\nsay [MASK] here\nnever\n' |
    $TOK encode --special-in-text reject 2>err.tmp
echo "exit $?"
# The library words the reason; the CLI names the place.
grep -c '^tok: <stdin>:2: ' err.tmp
