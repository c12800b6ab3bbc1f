# Byte offsets by default, code point offsets (as Python counts) on request.
t='Price: $19.99, €15,50, £12.00, ¥1200'
printf '%s\n' "$t" | $TOK encode -f jsonl
printf '%s\n' "$t" | $TOK encode -f jsonl --offsets chars
printf '%s\n' "$t" | $TOK encode -f jsonl --offsets=bytes
