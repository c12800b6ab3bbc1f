# The first command of the README.
echo "Hello, world! Tokenizers are fun." | $TOK encode -m bert-base-uncased
