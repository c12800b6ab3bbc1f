d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
$TOK --version > v.tmp; echo "exit $?"
grep -c -E '^tok [0-9]+\.[0-9]+\.[0-9]+$' v.tmp
grep -c -E '^utf8proc [0-9]+\.[0-9]+\.[0-9]+$' v.tmp
grep -c -E '^cJSON [0-9]+\.[0-9]+\.[0-9]+$' v.tmp
$TOK -V | cmp - v.tmp && echo same
