# `tok ... | head -1`: whatever the command and the format, tok stops
# without a message and exits 0 when its reader goes away.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
seq 1 100000 > "$t/lines"
for args in "encode" "encode -f jsonl" "encode -f tokens" "encode -m gpt2" \
            "encode --pair"; do
    { tr '\n' '\t' < "$t/lines" | fold -w 60 | $TOK $args; \
      echo "$args: exit $?" >&2; } | head -n 1 > /dev/null
done
# A single line whose output is far larger than a pipe's buffer.
{ tr '\n' ' ' < "$t/lines" | $TOK encode -f jsonl; \
  echo "encode one long line: exit $?" >&2; } | head -c 1 > /dev/null
{ $TOK encode < "$t/lines" | $TOK decode; echo "decode: exit $?" >&2; } |
    head -n 1 > /dev/null
{ $TOK info; echo "info: exit $?" >&2; } | head -c 1 > /dev/null
{ $TOK convert -o -; echo "convert: exit $?" >&2; } |
    head -c 1 > /dev/null
{ $TOK train -q --vocab-size 300 -o - "$t/lines"; \
  echo "train: exit $?" >&2; } | head -c 1 > /dev/null
