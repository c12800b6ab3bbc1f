echo "Hello, world!" | $TOK encode
