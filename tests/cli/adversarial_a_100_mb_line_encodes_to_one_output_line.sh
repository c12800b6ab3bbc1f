# One line of 100 MB -- 100,000 words of 999 letters, each past WordPiece's
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# 100-character limit -- streamed from a pipe, not a file: one output
# record, [CLS], 100,000 [UNK] and [SEP], the last word's offsets 99,999,000
# bytes in.  Under valgrind the line is 1 MB (1,000 words), for time.
case $TOK in *valgrind*) words=1000 ;; *) words=100000 ;; esac
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
awk -v n="$words" 'BEGIN {
    w = sprintf("%999s", ""); gsub(/ /, "y", w)
    for (i = 0; i < n; i++) printf "%s ", w
    printf "\n"
}' | $TOK encode -f jsonl > "$t/out"
echo "exit $?"
echo "records: $(wc -l < "$t/out")"
unk=$(grep -o '"\[UNK\]"' "$t/out" | wc -l)
[ "$unk" -eq "$words" ] && unk=yes
echo "[UNK] for every word: $unk"
grep -o '"input_ids":\[[0-9]*,' "$t/out"
grep -o ',102\],"tokens"' "$t/out"
grep -o '\[[0-9]*,[0-9]*\]' "$t/out" | tail -n 2 | head -n 1 | tr '[],' '   ' |
    awk -v n="$words" '{
        print "last word at its place: " \
            ($1 == (n - 1) * 1000 && $2 == n * 1000 - 1 ? "yes" : $0)
    }'
