# The last id decodes; the vocabulary size and anything past it, however
# large (no wrap-around at 2^31, 2^32 or 2^64), is out of range: exit 1.
for id in 30521 30522 2147483647 2147483648 4294967297 18446744073709551617 \
          -2147483648; do
    printf '%s\n' "$id" | $TOK decode
    echo "$id: exit $?"
done
printf '50256\n50257\n' | $TOK decode -m gpt2
echo "gpt2: exit $?"
# NUL bytes go through GPT-2 and back.
printf 'a\000b\000\n' | $TOK encode -m gpt2 | $TOK decode -m gpt2 | od -An -c
