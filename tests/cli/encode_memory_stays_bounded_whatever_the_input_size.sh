# Issue 5: with many threads a fixed number of chunks is in flight, so
# peak memory does not grow with the input: 36 MB of text takes no more
# than 12 MB does.  Measured on the tok binary itself (not under valgrind,
# whose own memory would hide it) with /usr/bin/time.
tok=${TOK##* }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
i=0
while [ $i -lt 500 ]; do
    cat "$TOK_TEST_DATA/golden/texts.jsonl"
    i=$((i + 1))
done > in.1
cat in.1 in.1 in.1 > in.3
for n in 1 3; do
    /usr/bin/time -f %M -o rss.$n "$tok" encode --threads 4 in.$n \
        > out.$n || echo "exit $?"
done
test "$(wc -l < out.3)" = $((3 * $(wc -l < out.1))) && echo "all lines"
a=$(cat rss.1)
b=$(cat rss.3)
if [ "$b" -le $((a + a / 5)) ]; then
    echo "bounded"
else
    echo "peak memory grew from $a KB to $b KB"
fi
