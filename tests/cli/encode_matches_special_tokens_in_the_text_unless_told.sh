printf '[CLS] hello [SEP]\n' | $TOK encode
printf '[CLS] hello [SEP]\n' | $TOK encode --special-in-text match
printf '[CLS] hello [SEP]\n' | $TOK encode --special-in-text=text
