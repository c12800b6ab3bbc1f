# -z: records end with NUL, so a text may hold newlines; the output is
# still one line per record.
printf 'two\nlines\0Hello, world!\0last' | $TOK encode -z -f tokens
printf 'a\0\0b\0' | $TOK encode -z --no-special
# A bad record is named by its number and the byte in it.
printf 'ok\0bad \377\0never' | $TOK encode -z
echo "exit $?"
