d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
# About 1 MB of varied lines: more than one chunk of work.  (The
# pipeline's unit test drives bigger inputs through more threads.)
for i in 1 2 3 4 5; do
    cat "$TOK_TEST_DATA/golden/texts.jsonl" \
        "$TOK_TEST_DATA/golden/bert-base-uncased.jsonl"
done > "$d/in.txt"
for t in 1 4; do
    $TOK encode --threads $t "$d/in.txt" > "$d/out.$t" || echo "exit $?"
done
cmp "$d/out.1" "$d/out.4" && echo same
wc -l < "$d/out.4"
for t in 1 3; do
    $TOK encode --threads $t -f jsonl --offsets chars "$d/in.txt" > "$d/j.$t"
done
cmp "$d/j.1" "$d/j.3" && echo same
# A bad line in the middle: the same lines before it, the same error.
printf 'bad \377\n' >> "$d/in.txt"
cat "$d/in.txt" >> "$d/in.txt.2"
cat "$d/in.txt" >> "$d/in.txt.2"
for t in 1 4; do
    $TOK encode --threads $t "$d/in.txt.2" > "$d/e.$t" 2> "$d/err.$t"
    echo "exit $?"
done
cmp "$d/e.1" "$d/e.4" && cmp "$d/err.1" "$d/err.4" && echo same
wc -l < "$d/e.4"
sed "s|$d/||" "$d/err.4"
