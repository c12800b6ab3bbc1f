d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
here=$(pwd)
t='Hello, world!'
# A shipped name, a tokenizer.json, and a directory holding one.
printf '%s\n' "$t" | $TOK encode -m bert-base-cased
printf '%s\n' "$t" | $TOK encode -m ../../vocab/bert-base-cased/tokenizer.json
printf '%s\n' "$t" | $TOK encode -m ../../vocab/bert-base-cased
# A name found in $TOK_VOCAB_DIR.
mkdir "$d/my-bert"
cp ../../vocab/bert-base-cased/tokenizer.json "$d/my-bert/"
printf '%s\n' "$t" | TOK_VOCAB_DIR=$d $TOK encode -m my-bert
# A BERT vocab.txt: lowercased unless --cased.
t='Hello, worlds!'
printf '%s\n' "$t" | $TOK encode -m data/tiny-bert/vocab.txt
printf '%s\n' "$t" | $TOK encode -m data/tiny-bert --lowercase
printf '%s\n' "$t" | $TOK encode -m data/tiny-bert/vocab.txt --cased
printf '%s\n' "$t" | $TOK encode -m data/tiny-bert -f tokens --cased
# Not found, or broken.
echo x | $TOK encode -m no-such-model 2> "$d/err"; echo "exit $?"
grep -c "^tok: no-such-model: no such file, and no shipped vocabulary" "$d/err"
echo x | $TOK encode -m ./no/such.json; echo "exit $?"
printf '{"model": ' > "$d/broken.json"
echo x | $TOK encode -m "$d/broken.json" 2> "$d/err"; echo "exit $?"
grep -c "^tok: $d/broken.json: ." "$d/err"
mkdir "$d/empty"
cd "$d" && echo x | $TOK encode -m empty; echo "exit $?"
