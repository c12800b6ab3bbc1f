# The "truncation" and "padding" sections of a tokenizer.json are the
# defaults, as in Hugging Face; options change them field by field, and
# "none" turns them off.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
sed -e 's/"truncation": null/"truncation": {"direction": "Right", "max_length": 6, "strategy": "LongestFirst", "stride": 0}/' \
    -e 's/"padding": null/"padding": {"strategy": {"Fixed": 8}, "direction": "Left", "pad_to_multiple_of": null, "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}/' \
    "$TOK_VOCAB_DIR/bert-base-uncased/tokenizer.json" > tokenizer.json
printf 'Hello, world!\nThe quick brown fox jumps over the lazy dog.\n' > in
$TOK encode -m tokenizer.json -f tokens in
echo "-- --max-length 7, the rest as the file says"
$TOK encode -m tokenizer.json --max-length 7 -f tokens in
echo "-- --stride 1 on the file's max_length"
$TOK encode -m tokenizer.json --stride 1 -f tokens in
echo "-- --padding-side right, --truncation none"
$TOK encode -m tokenizer.json --padding-side right --truncation none \
    -f tokens in
echo "-- --padding none"
$TOK encode -m tokenizer.json --padding none -f tokens in
echo "-- --padding max_length takes the file's Fixed length"
$TOK encode -m tokenizer.json --padding max_length --padding-side right in

