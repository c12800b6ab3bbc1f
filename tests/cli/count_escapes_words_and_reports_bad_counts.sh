# tok count writes word<TAB>count, most frequent first, equal counts in
# byte order, with a backslash, TAB, newline and carriage return in a word
# escaped so that every word stays on its line; --merge reads them back and
# names the line of a bad one.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
# No pre-tokenizer: each line, with its line ending, is one word.
printf 'a\\b\tc\r\nsame\nsame\nlast' > in.txt
$TOK count --pre-tokenizer none in.txt | tee counts.tsv
$TOK count --merge counts.tsv counts.tsv
printf 'word\t2\nno count here\n' > bad.tsv
$TOK count --merge bad.tsv
echo "exit $?"
$TOK count --merge --model wordpiece bad.tsv
echo "exit $?"
$TOK count --model wordpiece missing.txt
echo "exit $?"
$TOK train --from-counts counts.tsv in.txt -o out.json
echo "exit $?"
