$TOK encode --help
