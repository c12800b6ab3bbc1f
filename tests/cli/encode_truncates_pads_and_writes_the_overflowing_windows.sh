# Truncation and padding as Hugging Face defines them: --max-length counts
# the special tokens; --stride writes the tokens cut away as more records,
# windows that repeat N tokens of the one before; padding adds pad tokens
# with attention mask 0.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
printf 'Hello, world!\nThe quick brown fox jumps over the lazy dog.\n' > in
echo "-- truncated, the rest dropped"
$TOK encode --max-length 8 -f tokens in
echo "-- the rest as windows"
$TOK encode --max-length 8 --stride 2 -f tokens in
echo "-- windows without overlap, cut from the start"
$TOK encode --max-length 5 --stride 0 --truncation-side left -f tokens in
echo "-- padded to the maximum length"
$TOK encode --max-length 8 --padding max_length in
echo "-- padded on the left to a multiple of 4, windows too"
$TOK encode --max-length 6 --stride 1 --pad-to-multiple-of 4 \
    --padding-side left -f tokens in
$TOK encode --max-length 8 --padding max_length -f jsonl in | head -1
echo "-- pairs"
printf 'a b c d e f\tg h i\n' > pair
for s in longest_first only_first only_second; do
    $TOK encode --pair --max-length 8 --truncation $s -f tokens pair
done
$TOK encode --pair --max-length 8 --stride 1 -f tokens pair
echo "-- a model without [PAD] names its pad token"
$TOK encode -m gpt2 --max-length 6 --padding max_length in
echo "exit $?"
$TOK encode -m gpt2 --max-length 6 --padding max_length \
    --pad-token '<|endoftext|>' in
echo "-- impossible truncations"
$TOK encode --max-length 4 --stride 2 in
echo "exit $?"
printf 'a b c\tx\n' | $TOK encode --pair --max-length 5 --truncation only_second
echo "exit $?"
$TOK encode --max-length 5 --truncation only_second in
echo "exit $?"
$TOK encode --padding max_length in
echo "exit $?"
