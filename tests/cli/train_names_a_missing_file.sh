# A corpus file that cannot be read is named, and nothing is written.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
$TOK train ../data/train/corpus.txt no-such-corpus.txt -o "$t/out.json"
status=$?
test -e "$t/out.json" && echo "output written"
exit $status
