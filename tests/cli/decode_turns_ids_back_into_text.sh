printf 'Hello, world!\n\nThe quick brown fox jumps over the lazy dog.\n' |
    $TOK encode | $TOK decode
printf '101 7592 1010 2088 999 102\n' | $TOK decode --skip-special
printf '  7592\t1010   2088 \r\n' | $TOK decode
