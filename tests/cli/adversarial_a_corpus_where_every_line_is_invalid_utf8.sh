# Every line holds invalid UTF-8 (a bad lead byte, a lone continuation, a
# line cut inside a character, an encoded surrogate).  Encoding stops at
# the first with its place, or writes U+FFFD when asked; byte-level GPT-2
# takes any bytes and gives them back; training refuses the corpus and
# writes nothing.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf '\377\376\n\200 abc\nabc \303\n\355\240\200\n' > "$t/bad.txt"
cd "$t" || exit 1
$TOK encode bad.txt
echo "exit $?"
$TOK encode --invalid=replace bad.txt
echo "exit $?"
$TOK encode -m gpt2 bad.txt | $TOK decode -m gpt2 | cmp - bad.txt &&
    echo "gpt2 gives back every byte"
for model in bpe bytelevel-bpe wordpiece; do
    $TOK train -q --model $model -o out.json bad.txt
    echo "train $model: exit $?"
done
ls
