# -f u16|u32: little-endian ids, one record after the other; --index
# writes where each record starts (and where the last ends), --append a
# token after each record; tok decode -f u16|u32 reads them back, cut by
# the index or at the appended token.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
in=$TOK_TEST_DATA/golden/texts.jsonl
# GPT-2 is byte-level: decoding gives back the very text.
$TOK encode -m gpt2 -f u16 --index idx "$in" > ids.u16
$TOK decode -m gpt2 -f u16 --index idx ids.u16 | cmp - "$in" &&
    echo "u16 with an index: the same text"
# One text holds "<|endoftext|>": encoded as text, so that only the
# appended one ends a record.
$TOK encode -m gpt2 -f u32 --append '<|endoftext|>' --special-in-text text \
    --threads 3 "$in" > ids.u32
$TOK decode -m gpt2 -f u32 --split 50256 ids.u32 | cmp - "$in" &&
    echo "u32 split at the appended token: the same text"
# The same ids as the text format.
$TOK encode -m gpt2 "$in" | tr ' ' '\n' | grep . > ids.txt
od -An -v -tu2 ids.u16 | tr -s ' ' '\n' | grep . | cmp - ids.txt &&
    echo "the ids of -f ids"
# The index: one 8-byte offset per record, from 0 to the output's size.
echo "$(($(wc -c < idx) / 8 - 1)) records, $(wc -l < "$in") lines"
od -An -tu8 -N 16 idx | tr -s ' ' | sed 's/^ //'
od -An -tu8 -j $(($(wc -c < idx) - 8)) idx | tr -d ' '
wc -c < ids.u16
# A small case to read: two records, [SEP] appended.
printf 'Hello, world!\n\nbye\n' |
    $TOK encode -f u16 --no-special --append '[SEP]' --index i2 > b2
od -An -tu2 b2
od -An -tu8 i2 | tr -s ' \n' ' '
echo
$TOK decode -f u16 --index i2 b2
$TOK decode -f u16 --split '[SEP]' b2
$TOK decode -f u16 b2
