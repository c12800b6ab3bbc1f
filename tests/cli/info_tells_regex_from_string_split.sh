# A Split by a regex and one by a plain string are different stages: info
# names which, with the behavior and invert that decide what is kept.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
$TOK info -m cl100k_base > info.tmp; echo "exit $?"
grep -c -E '^  pre_tokenizer +Sequence\[Split\(Regex="\(\?i:.*", behavior=Isolated, invert=false\), ByteLevel' info.tmp
cat > split.json <<'JSON'
{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],
 "normalizer":null,
 "pre_tokenizer":{"type":"Sequence","pretokenizers":[
   {"type":"Split","pattern":{"String":"-"},"behavior":"Removed","invert":false},
   {"type":"Punctuation","behavior":"Contiguous"}]},
 "post_processor":null,"decoder":null,
 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
          "max_input_chars_per_word":100,"vocab":{"a":0,"[UNK]":1}}}
JSON
$TOK info -m split.json 2>&1 | grep pre_tokenizer
