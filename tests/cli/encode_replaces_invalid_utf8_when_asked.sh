# BERT's normalizer drops U+FFFD, as Hugging Face does.
printf 'hello \377 world\nhello\n' | $TOK encode --invalid=replace
printf 'hello \377 world\n' | $TOK encode --invalid replace -f tokens
