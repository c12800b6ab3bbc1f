# Issue 5: a shuffled multi-megabyte input gives the same bytes with
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# --threads 1 and --threads 4, in every output format, with truncation
# windows and with bad records skipped.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
g=$TOK_TEST_DATA/golden
# Lines of every kind (the golden texts and expectations as text), one of
# them longer than a chunk of work, shuffled the same way on every run.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    cat "$g/texts.jsonl" "$g/bert-base-uncased.jsonl"
done > lines
tr '\n' ' ' < "$g/bert-base-uncased.jsonl" > long
for i in 1 2 3 4; do cat long; done >> lines
echo >> lines
cat long >> lines
echo >> lines
yes 0123456789 | head -c 4000000 > rand
shuf --random-source=rand lines > in.txt
test "$(wc -c < in.txt)" -gt 2500000 && echo "more than 2.5 MB"
for t in 1 4; do
    $TOK encode --threads $t in.txt > ids.$t || echo "exit $?"
    $TOK encode --threads $t -f jsonl --offsets chars --max-length 64 \
        --stride 16 --padding max_length in.txt > jsonl.$t || echo "exit $?"
    $TOK encode --threads $t -f u32 --index idx.$t --append '[SEP]' \
        --no-special in.txt > u32.$t || echo "exit $?"
done
cmp ids.1 ids.4 && echo "ids: same"
cmp jsonl.1 jsonl.4 && echo "jsonl with windows: same"
cmp u32.1 u32.4 && cmp idx.1 idx.4 && echo "u32 and index: same"
wc -l < ids.4
# Bad records among the good ones: the same output, the same reports.
awk 'NR % 1000 == 0 { print "bad \377" } { print }' in.txt > bad.txt
for t in 1 4; do
    $TOK encode --threads $t --on-error=skip bad.txt > skip.$t 2> err.$t
    echo "exit $?"
done
cmp skip.1 skip.4 && cmp err.1 err.4 && cmp skip.1 ids.1 && echo "skip: same"
tail -1 err.4
