# A bad record (malformed JSON, no such field, a field that is not a
# string, a lone surrogate, invalid UTF-8) is named by its number and the
# byte in it.  --on-error=fail (the default) stops there after writing
# every earlier record; --on-error=skip reports it, writes nothing for it,
# goes on and exits with status 3, saying how many it skipped.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
{
    printf '{"text": "one"}\n'
    printf '{"text": "two"\n'
    printf '{"txt": "x"}\n'
    printf '{"text": 5}\n'
    printf '[1]\n'
    printf '{"text": "a\\ud800b"}\n'
    printf '{"text": "caf\303\251 \377"}\n'
    printf '{"text": "three", "n": 01}\n'
    printf '\n'
    printf '{"text": "four"}'
} > in.jsonl
$TOK encode --jsonl-field text in.jsonl
echo "exit $?"
$TOK encode --jsonl-field text --on-error=skip in.jsonl
echo "exit $?"
$TOK encode --jsonl-field text --on-error=skip --threads 3 in.jsonl 2>&1
echo "exit $?"
# --invalid=replace takes the invalid byte as U+FFFD instead (which the
# BERT normalizer then drops).
sed -n 7p in.jsonl | $TOK encode --jsonl-field text --invalid=replace \
    -f tokens
