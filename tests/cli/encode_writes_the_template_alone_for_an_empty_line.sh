# Two empty lines, then a last line without a newline: three lines out.
printf '\n\nHello, world!' | $TOK encode
printf '\n' | $TOK encode --no-special
printf 'Hello, world!\n' | $TOK encode --no-special
