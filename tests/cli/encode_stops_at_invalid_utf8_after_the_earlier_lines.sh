d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
# Five lines; the third is not UTF-8.
{
    printf 'Hello, world!\n'
    printf 'The quick brown fox jumps over the lazy dog.\n'
    printf 'bad \377 byte\n'
    printf 'never\nwritten\n'
} > in.tmp
$TOK encode in.tmp
echo "exit $?"
