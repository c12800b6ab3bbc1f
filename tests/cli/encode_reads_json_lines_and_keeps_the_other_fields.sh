# --jsonl-field NAME: the text is in field NAME of each JSON object; with
# -f jsonl the other fields come first in the output, as they were.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
cat > in.jsonl <<'END'
{"id": 1, "text": "Hello, world!", "meta": {"lang": "en", "tags": ["a", 2.5e3, null]}}
{"text":"caf\u00e9 \ud83d\ude00\n\"quoted\"\t","id":2}
{"id": 3, "text": "dup", "text": "the last one counts", "input_ids": [0]}
  {"id": 4, "text": ""}
END
$TOK encode --jsonl-field text in.jsonl
$TOK encode --jsonl-field text -f jsonl in.jsonl
# Two fields make pairs.
printf '{"q": "Who?", "c": "Me.", "n": 1}\n' |
    $TOK encode --jsonl-field q,c -f jsonl
# One field with --pair: split at its first TAB.
printf '{"t": "Who?\\tMe."}\n' | $TOK encode --jsonl-field t --pair -f tokens
# A lone \udcXX escape is the byte XX (Python's surrogateescape): bytes for
# a byte-level model, invalid UTF-8 for BERT, at the escape.
printf '{"text": "a\\udcffb", "x": "\\udc80"}\n' > bytes.jsonl
$TOK encode -m gpt2 --jsonl-field text -f jsonl bytes.jsonl
$TOK encode --jsonl-field text bytes.jsonl
echo "exit $?"
# Bytes that are not UTF-8 in another field are copied as \udcXX.
printf '{"text": "x", "raw": "\377"}\n' | $TOK encode --jsonl-field text -f jsonl
